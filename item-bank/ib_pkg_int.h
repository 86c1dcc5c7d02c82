/* item-bank private: the package document as built for publication (ib_package.c) and
 * stored (store_package.c). */
#ifndef IB_PKG_INT_H
#define IB_PKG_INT_H

#include "ib_package.h"
#include "ib_store.h"

struct ib_pkg_doc {
	char *doc;                 /* the document (owned), len bytes */
	size_t len;
	char sha256[65];
	char exam[17];
	char exam_version[17], bank_version[17];
	size_t n_items;
};

/* Build the document from the exported item set (text, keys) and the publishable rows
 * (domain, part, parameters, enemy sets) of n items; fills res (counts, feasibility,
 * Sympson-Hetter outcome, skipped ids). 0 or RS_EINVAL with a catalogue message. */
int ib_pkg_build(struct ib_pkg_doc *out, const struct ib_itemset *set, const struct ib_pub_item *pub, size_t n,
                 const struct ib_publish_opts *o, const char *publisher, const char *published_at,
                 struct ib_publish_result *res);

/* The differences from package a to package b (see ib_package_compare). New reference. */
json_t *ib_pkg_compare(const struct ib_package *a, const struct ib_package *b);

#endif

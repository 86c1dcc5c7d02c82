/* cpd-tracker: bulk load of demo completions (riss demo; issue 15): accepted completions of
 * catalogue courses named by code, as the providers' API leaves them. */
#ifndef CPD_BULK_H
#define CPD_BULK_H

#include <stddef.h>

#include "rs_db.h"

struct cpd_bulk_completion {
	char regno[7];
	const char *course_code;      /* cpd.courses code (ONL-2025, PRA-IPA, ...) */
	char completed_on[11];
	char record_id[40];           /* the provider's own record id (printable ASCII) */
};

/* Insert the n completions in one transaction (audited once as cpd.demo.load); a course code
 * not in the catalogue is left out and a record id the provider already has is kept as it
 * is. *out_inserted: rows written. 0 or the database error. */
int cpd_bulk_load(size_t *out_inserted, rs_db *db, const struct cpd_bulk_completion *c, size_t n);

#endif

/* Private to stats/: the released tables of this process, by the inputs they were computed
 * from (st_memo.c). Disclosure control is a pure function of a table's figures and the rules,
 * so a request whose figures are byte for byte those of an earlier one gets the earlier
 * release without repeating primary and secondary suppression and the audit. Nothing is
 * written anywhere: a refresh of the aggregates changes the figures, hence the key. */
#ifndef ST_MEMO_H
#define ST_MEMO_H

#include <jansson.h>
#include <stddef.h>

/* The inputs of one release, appended piece by piece (malloc'd buffer; st_memo_key_free). */
struct st_memo_key {
	unsigned char *b;
	size_t n, cap;
	int failed; /* out of memory: the key is not usable (no lookup, no store) */
};
void st_memo_key_add(struct st_memo_key *k, const void *p, size_t n);
void st_memo_key_free(struct st_memo_key *k);

/* A new copy (json_decref) of the release stored under k, or NULL. Thread-safe. */
json_t *st_memo_get(const struct st_memo_key *k);
/* Store a copy of doc under k (the least recently used slot goes). Thread-safe. */
void st_memo_put(const struct st_memo_key *k, const json_t *doc);
/* Forget everything (tests; the unit test of the memo). */
void st_memo_clear(void);

#endif

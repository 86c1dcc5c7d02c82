/* PostgreSQL array literals ("{1,\"a b\",NULL}") built in memory, for multi-row inserts that
 * pass each column as one array parameter (INSERT ... SELECT * FROM unnest($1::int[], ...)). */
#ifndef RS_PGARR_H
#define RS_PGARR_H

#include <stddef.h>

struct rs_pgarr {
	char *buf;
	size_t len, cap;
	int n;    /* elements so far */
	int oom;  /* an allocation failed: rs_pgarr_end gives NULL */
	int closed; /* rs_pgarr_end was called: the literal is complete */
};

/* Append one text element (NULL: SQL NULL), quoted and escaped. */
void rs_pgarr_add(struct rs_pgarr *a, const char *s);
/* Append one integer element. */
void rs_pgarr_int(struct rs_pgarr *a, long long v);
/* Close the literal (once; later calls give the same) and return it (owned by a; valid until
 * rs_pgarr_free), NULL when out of memory. No element may be added after. */
const char *rs_pgarr_end(struct rs_pgarr *a);
/* Run sql (a named statement of rs_db_exec) with the n arrays as its parameters $1..$n (at
 * most 16), closing each with rs_pgarr_end. 0, RS_ENOMEM or the error of rs_db_exec. */
struct rs_db;
int rs_pgarr_exec(struct rs_db *db, const char *name, const char *sql, struct rs_pgarr *cols, size_t n);
/* n new values of the identity sequence of table's column id ("exam.sessions") into out,
 * for rows inserted with OVERRIDING SYSTEM VALUE. 0 or the database error. */
int rs_pgarr_ids(long long *out, struct rs_db *db, const char *table, size_t n);
/* Free the n arrays of a and zero them for reuse. Accepts zeroed arrays. */
void rs_pgarr_free(struct rs_pgarr *a, size_t n);

#endif

/* Test support: scratch PostgreSQL databases for store tests of any module (linked as
 * common_testdb_dep). Each scratch database holds only the migrations a test names. */
#ifndef RS_TESTDB_H
#define RS_TESTDB_H

#include <stddef.h>

/* RISS_TEST_PG_URL (conninfo without dbname, set by ./deploy/dev test). When it is not set
 * the test program is skipped: this prints why and exits with 77 (meson's "skipped"). */
const char *rs_testdb_url(void);

/* (Re)create the scratch database riss_scratch_<tag>_<pid> and apply, in order, the files
 * of deploy/migrations whose names start with one of prefixes (NULL-terminated list; NULL
 * for none). conninfo gets its connection string. Returns 0 or an RS_E* code with
 * rs_error_last() saying why. */
int rs_testdb_create(char *conninfo, size_t len, const char *tag, const char *const *prefixes);

/* Drop the scratch database of tag (NULL-safe to call when it was never created). */
void rs_testdb_drop(const char *tag);

#endif

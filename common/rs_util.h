/* Small shared helpers: time, randomness, file reading. */
#ifndef RS_UTIL_H
#define RS_UTIL_H

#include <stddef.h>
#include <stdint.h>

/* Wall-clock time in milliseconds since the Unix epoch. */
int64_t rs_now_ms(void);
/* Monotonic time in nanoseconds (for durations). */
int64_t rs_mono_ns(void);
/* Fill buf with n bytes from the kernel's CSPRNG. Returns 0 or RS_EIO. */
int rs_random_bytes(void *buf, size_t n);
/* Read a whole file ("-" = standard input) of at most max bytes into a new NUL-terminated buffer (*out, caller
 * frees) with its length in *out_len. RS_EIO when unreadable, RS_ETOOBIG past max. */
int rs_read_file(char **out, size_t *out_len, const char *path, size_t max);

/* Unix seconds t as RFC 3339 UTC, "2026-12-02T05:30:00Z" (the API's timestamps). */
void rs_time_rfc3339(char out[24], int64_t t);

/* Civil dates as day numbers: days since 1970-01-01 of y-m-d (proleptic Gregorian, Howard
 * Hinnant's algorithm), and back. */
long rs_days_from_civil(int y, int m, int d);
void rs_civil_from_days(long z, int *out_y, int *out_m, int *out_d);

#endif

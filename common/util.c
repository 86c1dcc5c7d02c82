/* Time, randomness and whole-file reading. */
#include "rs_util.h"
#include "rs_error.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

int64_t rs_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t rs_mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int rs_random_bytes(void *buf, size_t n)
{
	unsigned char *p = buf;
	while (n > 0) {
		ssize_t got = getrandom(p, n, 0);
		if (got < 0) {
			if (errno == EINTR)
				continue;
			rs_error_set("getrandom failed: %s", strerror(errno));
			return RS_EIO;
		}
		p += got;
		n -= (size_t)got;
	}
	return 0;
}

int rs_read_file(char **out, size_t *out_len, const char *path, size_t max)
{
	int rc = 0;
	char *buf = NULL;
	size_t len = 0, cap = 0;
	int is_stdin = strcmp(path, "-") == 0;
	FILE *f = is_stdin ? stdin : fopen(path, "rb");
	if (!f) {
		rs_error_set("cannot open '%s': %s", path, strerror(errno));
		return RS_EIO;
	}
	for (;;) {
		if (len + 4096 + 1 > cap) {
			size_t ncap = cap ? cap * 2 : 8192;
			char *nb = realloc(buf, ncap);
			if (!nb) {
				rc = RS_ENOMEM;
				rs_error_set("out of memory reading '%s'", path);
				goto done;
			}
			buf = nb;
			cap = ncap;
		}
		size_t n = fread(buf + len, 1, cap - len - 1, f);
		len += n;
		if (len > max) {
			rc = RS_ETOOBIG;
			rs_error_set("'%s' is larger than %zu bytes", path, max);
			goto done;
		}
		if (n == 0)
			break;
	}
	if (ferror(f)) {
		rc = RS_EIO;
		rs_error_set("cannot read '%s'", path);
		goto done;
	}
	buf[len] = '\0';
	*out = buf;
	*out_len = len;
	buf = NULL;
done:
	free(buf);
	if (!is_stdin)
		fclose(f);
	return rc;
}

long rs_days_from_civil(int y, int m, int d)
{
	y -= m <= 2;
	long era = (y >= 0 ? y : y - 399) / 400;
	long yoe = y - era * 400;
	long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

void rs_civil_from_days(long z, int *out_y, int *out_m, int *out_d)
{
	z += 719468;
	long era = (z >= 0 ? z : z - 146096) / 146097;
	long doe = z - era * 146097;
	long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	long mp = (5 * doy + 2) / 153;
	*out_d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*out_m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*out_y = (int)(yoe + era * 400 + (*out_m <= 2));
}

void rs_time_rfc3339(char out[24], int64_t t)
{
	long days = (long)(t >= 0 ? t / 86400 : -((-t + 86399) / 86400));
	int64_t sec = t - (int64_t)days * 86400;
	int y, m, d;
	rs_civil_from_days(days, &y, &m, &d);
	snprintf(out, 24, "%04d-%02d-%02dT%02d:%02d:%02dZ", y, m, d, (int)(sec / 3600), (int)(sec / 60 % 60),
	         (int)(sec % 60));
}

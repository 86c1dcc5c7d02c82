/* Benchmark helper: load the exam's active package (item-bank/ib_package.h) as a rissd node
 * does on first use — fetch the document from PostgreSQL, check its SHA-256, parse the
 * exam, the engine bank and the candidate views, bind the engine — several times in one
 * process (each load is a fresh read: nothing is cached below ib_package_load). Prints the
 * times; asserts nothing. RISS_CONFIG names the database. */
#include "ib_package.h"
#include "rs_config.h"
#include "rs_db.h"
#include "rs_error.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double pl_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static double pl_cpu_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static double pl_loadavg(void)
{
	double l[1] = { 0 };
	return getloadavg(l, 1) == 1 ? l[0] : 0;
}

static int pl_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	int runs = argc > 1 ? atoi(argv[1]) : 7;
	if (runs < 1 || runs > 100)
		runs = 7;
	rs_db *db = NULL;
	long long id = 0;
	if (rs_config_init(getenv("RISS_CONFIG")) != 0 || rs_db_open(&db, rs_config_str("db_url")) != 0 ||
	    ib_package_active(&id, db, "SG") != 0) {
		fprintf(stderr, "pkg_load: %s\n", rs_error_last());
		return 1;
	}
	double t[100], c[100];
	size_t items = 0;
	for (int i = 0; i < runs; i++) {
		struct ib_package *p = NULL;
		double t0 = pl_ms(), c0 = pl_cpu_ms();
		if (ib_package_load(&p, db, id) != 0) {
			fprintf(stderr, "pkg_load: %s\n", rs_error_last());
			return 1;
		}
		t[i] = pl_ms() - t0;
		c[i] = pl_cpu_ms() - c0;
		items = p->n;
		ib_package_free(p);
	}
	qsort(t, (size_t)runs, sizeof t[0], pl_cmp);
	qsort(c, (size_t)runs, sizeof c[0], pl_cmp);
	printf("pkg_load: package %lld, %zu items: load (fetch + SHA-256 + parse + engine bind) "
	       "min %.1f ms, median %.1f ms, max %.1f ms over %d loads (target <= 200 ms)\n",
	       id, items, t[0], t[runs / 2], t[runs - 1], runs);
	printf("pkg_load: of which CPU in this process (SHA-256, parse, engine bind; not the fetch) min %.1f ms, "
	       "median %.1f ms; load average %.1f\n", c[0], c[runs / 2], pl_loadavg());
	rs_db_close(db);
	return 0;
}

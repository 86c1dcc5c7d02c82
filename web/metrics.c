/* Prometheus metrics: request counts by route and status class, latency histograms,
 * database pool use. Counters are lock-free atomics updated at request completion. */
#include "web.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define WEB_MAX_ROUTES 256
#define WEB_NBUCKETS 12

static const double web_buckets[WEB_NBUCKETS] = {
	0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 5.0,
};

struct web_route_stats {
	atomic_uint_fast64_t by_class[6];           /* 1xx..5xx, index = status / 100 */
	atomic_uint_fast64_t bucket[WEB_NBUCKETS];  /* non-cumulative; summed when rendered */
	atomic_uint_fast64_t count;
	atomic_uint_fast64_t sum_ns;
};

/* Index web_nroutes is "no route" (404s and 405s). */
static struct web_route_stats web_stats[WEB_MAX_ROUTES + 1];

void web_metrics_init(void)
{
	memset(web_stats, 0, sizeof web_stats);
}

void web_metrics_observe(const struct web_route *route, unsigned status, int64_t ns)
{
	size_t i = route ? (size_t)(route - web_routes) : web_nroutes;
	if (i > WEB_MAX_ROUTES)
		return;
	struct web_route_stats *s = &web_stats[i];
	unsigned cls = status / 100;
	if (cls < 6)
		atomic_fetch_add(&s->by_class[cls], 1);
	double sec = (double)ns / 1e9;
	for (int b = 0; b < WEB_NBUCKETS; b++) {
		if (sec <= web_buckets[b]) {
			atomic_fetch_add(&s->bucket[b], 1);
			break;
		}
	}
	atomic_fetch_add(&s->count, 1);
	atomic_fetch_add(&s->sum_ns, (uint_fast64_t)ns);
}

char *web_metrics_render(size_t *len)
{
	char *buf = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&buf, &size);
	if (!f)
		return NULL;
	fprintf(f, "# HELP riss_http_requests_total HTTP requests answered, by route and status class.\n"
	           "# TYPE riss_http_requests_total counter\n");
	for (size_t i = 0; i <= web_nroutes && i <= WEB_MAX_ROUTES; i++) {
		const char *route = i < web_nroutes ? web_routes[i].path : "none";
		const char *method = i < web_nroutes ? web_routes[i].method : "any";
		for (unsigned c = 1; c < 6; c++) {
			uint64_t v = atomic_load(&web_stats[i].by_class[c]);
			if (v)
				fprintf(f, "riss_http_requests_total{route=\"%s\",method=\"%s\",code=\"%uxx\"} %llu\n",
				        route, method, c, (unsigned long long)v);
		}
	}
	fprintf(f, "# HELP riss_http_request_duration_seconds Time from first byte to response, by route.\n"
	           "# TYPE riss_http_request_duration_seconds histogram\n");
	for (size_t i = 0; i <= web_nroutes && i <= WEB_MAX_ROUTES; i++) {
		uint64_t count = atomic_load(&web_stats[i].count);
		if (!count)
			continue;
		const char *route = i < web_nroutes ? web_routes[i].path : "none";
		const char *method = i < web_nroutes ? web_routes[i].method : "any";
		uint64_t cum = 0;
		for (int b = 0; b < WEB_NBUCKETS; b++) {
			cum += atomic_load(&web_stats[i].bucket[b]);
			fprintf(f, "riss_http_request_duration_seconds_bucket{route=\"%s\",method=\"%s\",le=\"%g\"} %llu\n",
			        route, method, web_buckets[b], (unsigned long long)cum);
		}
		fprintf(f, "riss_http_request_duration_seconds_bucket{route=\"%s\",method=\"%s\",le=\"+Inf\"} %llu\n",
		        route, method, (unsigned long long)count);
		fprintf(f, "riss_http_request_duration_seconds_sum{route=\"%s\",method=\"%s\"} %.6f\n",
		        route, method, (double)atomic_load(&web_stats[i].sum_ns) / 1e9);
		fprintf(f, "riss_http_request_duration_seconds_count{route=\"%s\",method=\"%s\"} %llu\n",
		        route, method, (unsigned long long)count);
	}
	struct rs_db_pool_stats ps;
	rs_db_pool_stats(web_srv.pool, &ps);
	fprintf(f, "# HELP riss_db_pool_connections Database connections in the pool, by state.\n"
	           "# TYPE riss_db_pool_connections gauge\n"
	           "riss_db_pool_connections{state=\"in_use\"} %d\n"
	           "riss_db_pool_connections{state=\"idle\"} %d\n"
	           "# HELP riss_db_pool_waiting Requests waiting for a database connection.\n"
	           "# TYPE riss_db_pool_waiting gauge\n"
	           "riss_db_pool_waiting %d\n"
	           "# HELP riss_db_pool_acquired_total Database connections handed out.\n"
	           "# TYPE riss_db_pool_acquired_total counter\n"
	           "riss_db_pool_acquired_total %llu\n"
	           "# HELP riss_db_pool_timeouts_total Waits for a connection that timed out.\n"
	           "# TYPE riss_db_pool_timeouts_total counter\n"
	           "riss_db_pool_timeouts_total %llu\n",
	        ps.in_use, ps.size - ps.in_use, ps.waiting,
	        (unsigned long long)ps.acquired, (unsigned long long)ps.timeouts);
	if (web_srv.listener) {
		fprintf(f, "# HELP riss_http_worker_connections Open HTTP connections on each worker thread.\n"
		           "# TYPE riss_http_worker_connections gauge\n");
		for (int i = 0; i < web_listener_workers(web_srv.listener); i++)
			fprintf(f, "riss_http_worker_connections{worker=\"%d\"} %d\n", i,
			        web_listener_worker_connections(web_srv.listener, i));
	}
	web_guard_metrics(f); /* admission-code and sign-in guards (security review) */
	fclose(f);
	*len = size;
	return buf;
}

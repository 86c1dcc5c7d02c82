/* Guards in front of the guessable and the expensive public doors (security review, issue
 * 17, findings 1, 6 and 7): admission-code redemption and the staff and registrant
 * sign-ins. Each has a token bucket per client address and one for the whole node, taken
 * BEFORE any database or Argon2 work; a success gives the address's token back, so only
 * failures use up a centre's allowance. When the node-wide bucket runs dry the log says so
 * once a minute (an alert line for the operators' log watch) and /metrics counts it. */
#include "web.h"

#include "rs_log.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

/* Admission codes: 20 failures at once per address, then one every 5 s; 200 at once per
 * node, then 10 a second. Against 31^12 codes of which a few thousand live for 15 minutes,
 * that leaves a guesser about 10^-9 chances a day. */
#define WEB_GUARD_CODE_RATE 0.2
#define WEB_GUARD_CODE_BURST 20
#define WEB_GUARD_CODE_ALL_RATE 10
#define WEB_GUARD_CODE_ALL_BURST 200
/* Sign-ins: 10 at once per address, then one every 5 s; 50 at once per node, then 10 a
 * second (at about 36 ms of Argon2id each, at most a third of a core). */
#define WEB_GUARD_LOGIN_RATE 0.2
#define WEB_GUARD_LOGIN_BURST 10
#define WEB_GUARD_LOGIN_ALL_RATE 10
#define WEB_GUARD_LOGIN_ALL_BURST 50

struct web_guard {
	const char *name;                   /* for the log and /metrics */
	double rate, burst, all_rate, all_burst;
	struct web_ratelimit per_addr, all;
	atomic_llong alerted;               /* second of the last alert line */
	atomic_ullong failed, limited, outside;
};

static struct web_guard web_guards[WEB_GUARD_N] = {
	[WEB_GUARD_CODE] = { .name = "admission_code", .rate = WEB_GUARD_CODE_RATE, .burst = WEB_GUARD_CODE_BURST,
	                     .all_rate = WEB_GUARD_CODE_ALL_RATE, .all_burst = WEB_GUARD_CODE_ALL_BURST },
	[WEB_GUARD_STAFF] = { .name = "staff_sign_in", .rate = WEB_GUARD_LOGIN_RATE, .burst = WEB_GUARD_LOGIN_BURST,
	                      .all_rate = WEB_GUARD_LOGIN_ALL_RATE, .all_burst = WEB_GUARD_LOGIN_ALL_BURST },
	[WEB_GUARD_REGISTRANT] = { .name = "registrant_sign_in", .rate = WEB_GUARD_LOGIN_RATE,
	                           .burst = WEB_GUARD_LOGIN_BURST, .all_rate = WEB_GUARD_LOGIN_ALL_RATE,
	                           .all_burst = WEB_GUARD_LOGIN_ALL_BURST },
};
static pthread_once_t web_guard_once = PTHREAD_ONCE_INIT;

static void web_guard_init(void)
{
	for (int i = 0; i < WEB_GUARD_N; i++) {
		struct web_guard *g = &web_guards[i];
		web_rl_init(&g->per_addr, g->rate, g->burst);
		web_rl_init(&g->all, g->all_rate, g->all_burst);
	}
}

int web_guard_enter(struct web_request *req, enum web_guard_kind kind)
{
	pthread_once(&web_guard_once, web_guard_init);
	struct web_guard *g = &web_guards[kind];
	if (kind == WEB_GUARD_CODE && web_srv.exam_nets.n && !web_netlist_has(&web_srv.exam_nets, req->client_ip)) {
		atomic_fetch_add(&g->outside, 1);
		rs_warn("admission code from \"%s\", outside exam_networks: refused", req->client_ip);
		return WEB_GUARD_OUTSIDE;
	}
	int retry = 0;
	if (!web_rl_allow(&g->per_addr, req->client_ip, &retry)) {
		atomic_fetch_add(&g->limited, 1);
		req->retry_after = retry;
		rs_info("%s: \"%s\" is over its limit of failures", g->name, req->client_ip);
		return WEB_GUARD_LIMITED;
	}
	if (!web_rl_allow(&g->all, "*", &retry)) {
		web_rl_refund(&g->per_addr, req->client_ip);
		atomic_fetch_add(&g->limited, 1);
		req->retry_after = retry;
		long long now = (long long)time(NULL), last = atomic_load(&g->alerted);
		if (now - last >= 60 && atomic_compare_exchange_strong(&g->alerted, &last, now))
			rs_warn("ALERT %s: the node-wide limit (%g a second) is exhausted: many failures from many "
			        "addresses, a guessing or password-spraying attack is likely", g->name, g->all_rate);
		return WEB_GUARD_LIMITED;
	}
	return WEB_GUARD_OK;
}

void web_guard_result(struct web_request *req, enum web_guard_kind kind, int ok)
{
	struct web_guard *g = &web_guards[kind];
	if (ok) {
		web_rl_refund(&g->per_addr, req->client_ip);
		web_rl_refund(&g->all, "*");
	} else {
		atomic_fetch_add(&g->failed, 1);
	}
}

void web_guard_metrics(FILE *f)
{
	fprintf(f, "# HELP riss_guard_events_total Refused admission codes and sign-ins (failed), attempts turned "
	           "away by a rate limit (limited) or from outside exam_networks (outside).\n"
	           "# TYPE riss_guard_events_total counter\n");
	for (int i = 0; i < WEB_GUARD_N; i++) {
		struct web_guard *g = &web_guards[i];
		fprintf(f, "riss_guard_events_total{door=\"%s\",event=\"failed\"} %llu\n", g->name,
		        (unsigned long long)atomic_load(&g->failed));
		fprintf(f, "riss_guard_events_total{door=\"%s\",event=\"limited\"} %llu\n", g->name,
		        (unsigned long long)atomic_load(&g->limited));
		if (i == WEB_GUARD_CODE)
			fprintf(f, "riss_guard_events_total{door=\"%s\",event=\"outside\"} %llu\n", g->name,
			        (unsigned long long)atomic_load(&g->outside));
	}
}

enum MHD_Result web_reply_sign_in_limited(struct web_request *req)
{
	char secs[16];
	snprintf(secs, sizeof secs, "%d", req->retry_after);
	return web_reply_msg(req, MHD_HTTP_TOO_MANY_REQUESTS, "rate-limited", "security.sign_in_rate_limited", secs, NULL);
}

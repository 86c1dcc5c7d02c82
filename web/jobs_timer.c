/* rissd: the renewal job's timer — every jobs_interval seconds one run of cpd_job_run on a
 * connection of its own (not the request pool). Every node may run the timer: the job's
 * advisory lock lets one runner work at a time and the others skip that round. */
#include "web.h"
#include "web_registry.h"

#include "cpd_renewal.h"
#include "reg_account.h"
#include "rs_config.h"
#include "rs_db.h"
#include "rs_error.h"
#include "rs_log.h"
#include "sf.h"
#include "st.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static pthread_t web_jobs_thread;
static pthread_mutex_t web_jobs_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t web_jobs_cv = PTHREAD_COND_INITIALIZER;
static int web_jobs_stop_flag, web_jobs_running;

/* Sign-in counters retention (issue 17): expired staff and registrant backoff, old
 * unknown-name counters (staff/sf.h, registry/reg_account.h). */
static void web_jobs_purge(rs_db *db)
{
	int64_t now = (int64_t)time(NULL);
	int ns = 0, nr = 0;
	if (sf_purge_expired(db, now, &ns) != 0)
		rs_warn("sign-in purge (staff): %s", rs_error_last());
	if (reg_account_purge_expired(db, now, &nr) != 0)
		rs_warn("sign-in purge (registry): %s", rs_error_last());
	if (ns + nr > 0)
		rs_info("sign-in purge: %d staff row(s), %d registrant backoff row(s) cleared", ns, nr);
	/* Session retention: ended staff and registrant sessions. */
	int ss = 0, sr = 0;
	if (sf_sessions_purge_expired(db, &ss) != 0)
		rs_warn("session purge (staff): %s", rs_error_last());
	if (reg_account_sessions_purge_expired(db, &sr) != 0)
		rs_warn("session purge (registry): %s", rs_error_last());
	if (ss + sr > 0)
		rs_info("session purge: %d staff and %d registrant session(s) ended", ss, sr);
}

static void web_jobs_once(rs_db **db, const char *runner)
{
	if (!*db && rs_db_open(db, rs_config_str("db_url")) != 0) {
		rs_warn("renewal job: database not reachable (%s); next try in %lld s", rs_error_last(),
		        rs_config_int("jobs_interval"));
		*db = NULL;
		return;
	}
	struct cpd_smtp smtp;
	cpd_smtp_from_config(&smtp);
	struct cpd_job_summary s;
	if (cpd_job_run(&s, *db, (int64_t)time(NULL), &smtp, runner) != 0) {
		rs_warn("renewal job: %s", rs_error_last());
		rs_db_close(*db); /* reopened next round */
		*db = NULL;
		return;
	}
	/* Sign-in counters retention (issue 17): every round, also when another runner holds the
	 * job's lock (the purge is idempotent and takes no job lock). */
	web_jobs_purge(*db);
	if (!s.ran)
		return;
	/* Agency statistics (stats-core): the runner refreshes the aggregates behind the tables. */
	if (st_refresh(*db) != 0)
		rs_warn("statistics refresh: %s", rs_error_last());
	if (s.lapsed > 0)
		reg_status_cache_clear(web_reg_verify_cache());
	rs_info("renewal job: %d lapsed, %d standings in %.3f s, %d case(s) opened, %d reminder(s) queued, %d sent, "
	        "%d failed", s.lapsed, s.registrants, s.recompute_s, s.cases_opened, s.reminders_queued, s.sent,
	        s.send_failed);
}

static void *web_jobs_main(void *arg)
{
	(void)arg;
	char host[64] = "", runner[96];
	gethostname(host, sizeof host - 1);
	snprintf(runner, sizeof runner, "rissd:%s:%d", host, (int)getpid());
	rs_db *db = NULL;
	long long interval = rs_config_int("jobs_interval");
	pthread_mutex_lock(&web_jobs_mu);
	while (!web_jobs_stop_flag) {
		pthread_mutex_unlock(&web_jobs_mu);
		web_jobs_once(&db, runner);
		pthread_mutex_lock(&web_jobs_mu);
		struct timespec until;
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += (time_t)interval;
		while (!web_jobs_stop_flag && pthread_cond_timedwait(&web_jobs_cv, &web_jobs_mu, &until) == 0)
			;
	}
	pthread_mutex_unlock(&web_jobs_mu);
	rs_db_close(db);
	return NULL;
}

int web_jobs_timer_start(void)
{
	if (rs_config_int("jobs_interval") <= 0)
		return 0;
	if (pthread_create(&web_jobs_thread, NULL, web_jobs_main, NULL) != 0) {
		rs_error_set("cannot start the renewal job's timer thread");
		return RS_EINTERNAL;
	}
	web_jobs_running = 1;
	return 0;
}

void web_jobs_timer_stop(void)
{
	if (!web_jobs_running)
		return;
	pthread_mutex_lock(&web_jobs_mu);
	web_jobs_stop_flag = 1;
	pthread_cond_signal(&web_jobs_cv);
	pthread_mutex_unlock(&web_jobs_mu);
	pthread_join(web_jobs_thread, NULL);
	web_jobs_running = 0;
}

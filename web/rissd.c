/* rissd: the HTTP server of the RISS system (JSON API and static pages). */
#include "web.h"

#include "rs_config.h"
#include "rs_seal.h"
#include "reg_account.h"
#include "sf.h"
#include "rs_error.h"
#include "rs_log.h"
#include "rs_msg.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static void web_usage(FILE *f)
{
	fprintf(f, "usage: rissd [--config FILE] [--set NAME=VALUE]... [--print-config] [--print-routes] [--help]\n\n"
	           "Serves the RISS JSON API and pages. Settings come from FILE (default: $RISS_CONFIG,\n"
	           "else var/riss.conf when present), then RISS_<NAME> environment variables, then\n"
	           "--set flags. --print-config lists every setting with its help and exits;\n"
	           "--print-routes prints the route table (path, method, roles) as JSON.\n");
}

/* Refuse to start on an out-of-date schema; a database that is down is only a warning
 * (/readyz reports 503 until it answers). */
static int web_check_schema(void)
{
	rs_db *db = NULL;
	if (rs_db_pool_get(&db, web_srv.pool, 5000) != 0) {
		rs_warn("database not reachable at start (%s); serving, /readyz stays 503 until it is", rs_error_last());
		return 0;
	}
	int rc = rs_migrate_check(db, web_srv.migrations_dir);
	/* TOTP secrets sealed at rest (sec3): a key file that opens none of them is the wrong one. */
	int keys = rc == 0 ? sf_totp_keys_check(db) : 0;
	if (rc == 0 && keys == 0)
		keys = reg_totp_keys_check(db);
	rs_db_pool_put(web_srv.pool, db);
	if (rc == RS_ESCHEMA) {
		rs_err("refusing to start: %s", rs_error_last());
		return rc;
	}
	if (keys == RS_ENOTFOUND) {
		rs_seal_say_refusal("rissd");
		return keys;
	}
	if (rc != 0)
		rs_warn("schema check failed (%s); /readyz will retry", rs_error_last());
	else
		web_srv.schema_ok = 1;
	return 0;
}

int main(int argc, char **argv)
{
	const char *config = NULL;
	int print_config = 0;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			web_usage(stdout);
			return 0;
		} else if (strcmp(argv[i], "--config") == 0 && i + 1 < argc) {
			config = argv[++i];
		} else if (strcmp(argv[i], "--print-routes") == 0) {
			web_routes_print(stdout);
			return 0;
		} else if (strcmp(argv[i], "--print-config") == 0) {
			print_config = 1;
		} else if (strcmp(argv[i], "--set") == 0 && i + 1 < argc) {
			i++; /* applied after the file and environment, below */
		} else {
			fprintf(stderr, "rissd: unknown argument '%s' (see rissd --help)\n", argv[i]);
			return 2;
		}
	}
	if (rs_config_init(config) != 0) {
		fprintf(stderr, "rissd: %s\n", rs_error_last());
		return 2;
	}
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--set") == 0 && i + 1 < argc) {
			char *eq = strchr(argv[++i], '=');
			if (!eq) {
				fprintf(stderr, "rissd: --set needs NAME=VALUE, not '%s'\n", argv[i]);
				return 2;
			}
			*eq = '\0';
			if (rs_config_set(argv[i], eq + 1, "--set") != 0) {
				fprintf(stderr, "rissd: %s\n", rs_error_last());
				return 2;
			}
		} else if (strcmp(argv[i], "--config") == 0) {
			i++;
		}
	}
	if (print_config) {
		rs_config_print(stdout);
		return 0;
	}
	enum rs_log_level lvl;
	if (rs_log_level_parse(&lvl, rs_config_str("log_level")) != 0) {
		fprintf(stderr, "rissd: %s\n", rs_error_last());
		return 2;
	}
	rs_log_set_level(lvl);
	if (web_surfaces_parse(&web_srv.surfaces, rs_config_str("surfaces")) != 0) {
		fprintf(stderr, "rissd: setting 'surfaces' has an unknown surface in '%s'\n", rs_config_str("surfaces"));
		return 2;
	}
	if (web_proxies_parse(rs_config_str("trusted_proxies")) != 0) {
		fprintf(stderr, "rissd: setting 'trusted_proxies' wants addresses or networks (a.b.c.d, a.b.c.d/n, IPv6), "
		                "comma separated; got '%s'\n", rs_config_str("trusted_proxies"));
		return 2;
	}
	/* A site served over https has Secure cookies (else a downgrade or a stray http link
	 * would leak the staff and candidate cookies) and sends HSTS; exam_networks and
	 * operator_networks say where the exam and operator endpoints answer from. */
	web_srv.https = strncmp(rs_config_str("public_base_url"), "https://", 8) == 0;
	/* Production (issue 16): an https site configured with "secure_cookies = false" is a
	 * contradiction an operator must resolve; rissd refuses to start rather than guess. */
	if (web_srv.https && rs_config_is_set("secure_cookies") && !rs_config_bool("secure_cookies")) {
		fprintf(stderr, "rissd: %s\n", rs_msg_text("ha3.rissd.https_insecure_cookies", 1));
		return 2;
	}
	web_srv.secure_cookies = web_srv.https || rs_config_bool("secure_cookies");
	if (web_netlist_parse(&web_srv.exam_nets, rs_config_str("exam_networks")) != 0 ||
	    web_netlist_parse(&web_srv.operator_nets, rs_config_str("operator_networks")) != 0) {
		fprintf(stderr, "rissd: settings 'exam_networks' and 'operator_networks' want addresses or networks "
		                "(a.b.c.d, a.b.c.d/n, IPv6), comma separated; got '%s' and '%s'\n",
		        rs_config_str("exam_networks"), rs_config_str("operator_networks"));
		return 2;
	}
	if (!rs_config_str("db_url")[0]) {
		fprintf(stderr, "rissd: no database configured: set db_url (./deploy/dev up writes var/riss.conf)\n");
		return 2;
	}
	/* TOTP secrets sealed at rest (sec3): refuse to start without a sound key file. */
	if (rs_seal_startup("rissd") != 0)
		return 2;
	web_srv.body_limit = (size_t)rs_config_int("http_body_limit");
	web_srv.xapi_body_limit = (size_t)rs_config_int("xapi_body_limit");
	snprintf(web_srv.static_dir, sizeof web_srv.static_dir, "%s", rs_config_str("static_dir"));
	snprintf(web_srv.migrations_dir, sizeof web_srv.migrations_dir, "%s", rs_config_str("migrations_dir"));
	int threads = (int)rs_config_int("http_threads");
	int pool_size = (int)rs_config_int("db_pool_size");
	if (pool_size < threads)
		pool_size = threads; /* at least one connection per worker */
	if (rs_db_pool_new(&web_srv.pool, rs_config_str("db_url"), pool_size) != 0) {
		fprintf(stderr, "rissd: %s\n", rs_error_last());
		return 1;
	}
	if (rs_config_str("db_read_url")[0] &&
	    rs_db_pool_new(&web_srv.read_pool, rs_config_str("db_read_url"), pool_size) != 0) {
		fprintf(stderr, "rissd: db_read_url: %s\n", rs_error_last());
		rs_db_pool_free(web_srv.pool);
		return 1;
	}
	if (web_check_schema() != 0) {
		rs_db_pool_free(web_srv.read_pool);
		rs_db_pool_free(web_srv.pool);
		return 1;
	}
	web_metrics_init();

	/* Block the signals before the worker threads exist, so only sigwait sees them. */
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);

	struct web_listener *d = NULL;
	if (web_listener_start(&d, rs_config_str("http_bind"), (int)rs_config_int("http_port"), threads,
	                     (int)rs_config_int("http_connection_limit"), (int)rs_config_int("http_timeout")) != 0) {
		rs_err("%s", rs_error_last());
		rs_db_pool_free(web_srv.read_pool);
		rs_db_pool_free(web_srv.pool);
		return 1;
	}
	web_srv.listener = d;
	unsigned port = web_listener_port(d);
	const char *port_file = rs_config_str("port_file");
	if (port_file[0]) {
		FILE *f = fopen(port_file, "w");
		if (f) {
			fprintf(f, "%u\n", port);
			fclose(f);
		}
	}
	rs_info("rissd listening on http://%s:%u (%d threads, surfaces %s)", rs_config_str("http_bind"), port,
	        threads, rs_config_str("surfaces"));
	if (web_jobs_timer_start() != 0)
		rs_warn("%s: run `riss jobs run` from a timer instead", rs_error_last());

	int sig = 0;
	for (;;) {
		if (sigwait(&set, &sig) != 0)
			continue;
		if (sig == SIGHUP) {
			rs_info("SIGHUP: nothing to reload; send SIGTERM to stop");
			continue;
		}
		break;
	}
	rs_info("signal %d: stopping gracefully (no new connections; waiting up to 10 s for open ones)", sig);
	web_srv.shutting_down = 1;
	web_listener_quiesce(d);
	web_jobs_timer_stop();
	for (int i = 0; i < 100; i++) {
		if (web_listener_connections(d) == 0)
			break;
		struct timespec ts = { 0, 100000000L };
		nanosleep(&ts, NULL);
	}
	web_srv.listener = NULL;
	web_listener_stop(d);
	rs_db_pool_free(web_srv.read_pool);
	rs_db_pool_free(web_srv.pool);
	rs_info("rissd stopped");
	return 0;
}

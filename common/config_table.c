/* Every setting of rissd, riss and riss-signd: one row each. */
#include "rs_config.h"

const struct rs_cfg_def rs_cfg_table[] = {
	{ "db_url", RS_CFG_STR, 0, 4096, "", 1,
	  "PostgreSQL connection string (libpq conninfo or URI); written by ./deploy/dev" },
	{ "db_read_url", RS_CFG_STR, 0, 4096, "", 0,
	  "optional second connection string for the public read-only surfaces (verify, register, JWKS, "
	  "status lists, log proofs): a streaming replica, e.g. HAProxy's replica port; empty = db_url" },
	{ "db_pool_size", RS_CFG_INT, 1, 512, "16", 0,
	  "database connections held by rissd (at least one per worker thread)" },
	{ "db_retries", RS_CFG_INT, 0, 20, "5", 0,
	  "times a transaction is retried after a serialization failure or a lost connection" },
	{ "http_bind", RS_CFG_STR, 0, 255, "127.0.0.1", 0,
	  "address rissd listens on" },
	{ "http_port", RS_CFG_INT, 0, 65535, "8080", 0,
	  "TCP port rissd listens on (0 picks a free port; see port_file)" },
	{ "port_file", RS_CFG_STR, 0, 4096, "", 0,
	  "if set, rissd writes the port it listens on to this file once it is ready" },
	{ "http_threads", RS_CFG_INT, 1, 256, "16", 0,
	  "HTTP worker threads (each an epoll loop; new connections go to the least loaded); a worker "
	  "waits for each commit's WAL flush, so "
	  "exam nodes want many (16-32), pure verify nodes about one per core" },
	{ "http_connection_limit", RS_CFG_INT, 16, 100000, "4096", 0,
	  "open HTTP connections accepted at once" },
	{ "http_body_limit", RS_CFG_INT, 1024, 67108864, "1048576", 0,
	  "largest request body in bytes; larger bodies get 413" },
	/* xAPI Learning Record Store (xapi-lrs). */
	{ "xapi_body_limit", RS_CFG_INT, 1024, 268435456, "20971520", 0,
	  "largest request body in bytes under /xapi/ (statements with attachments, bound at 16 MiB by the "
	  "multipart reader, plus the envelope); larger get 413" },
	{ "http_timeout", RS_CFG_INT, 1, 3600, "30", 0,
	  "seconds an idle connection is kept" },
	{ "static_dir", RS_CFG_STR, 0, 4096, "web/static", 0,
	  "folder of the static front-end files" },
	{ "migrations_dir", RS_CFG_STR, 0, 4096, "deploy/migrations", 0,
	  "folder of the numbered SQL migration files" },
	{ "surfaces", RS_CFG_STR, 0, 255, "all", 0,
	  "surfaces this node serves: all, or a comma list of exam,proctor,verify,register,provider,admin" },
	{ "public_base_url", RS_CFG_STR, 0, 1024, "http://127.0.0.1:8080", 0,
	  "public base URL (the credential iss and the QR code link)" },
	{ "verify_rate_limit", RS_CFG_INT, 0, 1000000, "50", 0,
	  "POST /api/v1/verify and /v/ pages: requests per second allowed to one client address "
	  "(token bucket; 0 = no limit). Bulk checks belong offline: the JWKS and the status list" },
	{ "trusted_proxies", RS_CFG_STR, 0, 2048, "", 0,
	  "addresses or networks (comma separated, e.g. 127.0.0.1,10.0.0.0/24) of the reverse proxies in "
	  "front of rissd; only from them is X-Forwarded-For believed for the client address" },
	{ "verify_rate_burst", RS_CFG_INT, 1, 1000000, "200", 0,
	  "requests one client address may make at once before verify_rate_limit applies" },
	{ "signd_socket", RS_CFG_STR, 0, 107, "var/run/signd.sock", 0,
	  "UNIX socket of the signing helper riss-signd" },
	{ "signd_allow_uids", RS_CFG_STR, 0, 1024, "", 0,
	  "riss-signd: users (names or numeric uids, comma separated) allowed to ask for signatures "
	  "besides riss-signd's own uid; set it to rissd's user in production" },
	{ "signd_allow_gids", RS_CFG_STR, 0, 1024, "", 0,
	  "riss-signd: groups (names or numeric gids, comma separated) whose members' primary group "
	  "allows them to ask for signatures" },
	{ "keys_dir", RS_CFG_STR, 0, 4096, "var/keys", 0,
	  "folder of issuer keys (private halves readable by riss-signd only)" },
	{ "log_level", RS_CFG_STR, 0, 16, "info", 0,
	  "lowest log level printed: debug, info, warn, error" },
	/* Session lifetimes (security, issue 17: ASVS 3.3.2). */
	{ "session_idle_timeout", RS_CFG_INT, 60, 43200, "1800", 0,
	  "seconds a staff or registrant session may go unused before it ends (sign in again)" },
	{ "staff_session_lifetime", RS_CFG_INT, 300, 43200, "28800", 0,
	  "seconds a staff session lasts at most, however busy (absolute lifetime)" },
	{ "me_session_lifetime", RS_CFG_INT, 300, 43200, "7200", 0,
	  "seconds a registrant's /me session lasts at most, however busy (absolute lifetime)" },
	/* Step-up for dangerous acts (security, issue 17). */
	/* TOTP secrets sealed at rest (security, issue 17; sec3). */
	{ "totp_key_file", RS_CFG_STR, 0, 4000, "", 0,
	  "key file (32 random bytes, mode 0600, owned by the service user) under which the TOTP secrets "
	  "of staff and registrants are stored AES-256-GCM encrypted; rissd and riss refuse to start "
	  "without it. ./deploy/dev writes var/totp.key; rotate with `riss totp rotate-key`" },
	{ "step_up_window", RS_CFG_INT, 30, 3600, "300", 0,
	  "seconds after a staff member confirmed a TOTP code (sign-in or step-up) during which "
	  "routes marked step_up (cancelling a registration, activating a package, provider keys) "
	  "are allowed without asking for a new code" },
	{ "secure_cookies", RS_CFG_BOOL, 0, 1, "false", 0,
	  "mark cookies Secure even when public_base_url is http (with an https public_base_url they are "
	  "always Secure and every answer carries Strict-Transport-Security; rissd refuses to start when it is "
	  "set to false with an https public_base_url)" },
	{ "exam_definition", RS_CFG_STR, 1, 4096, "exam-engine/exams/sg.json", 0,
	  "exam definition that `riss bank publish --exam` binds into an exam package (relative to the "
	  "working directory or the source tree); test centres deliver only packages" },
	{ "jobs_interval", RS_CFG_INT, 0, 86400, "600", 0,
	  "seconds between runs of the renewal job inside rissd (lapse, training standings, overdue cases, "
	  "reminders); 0 = off (then run `riss jobs run` from a timer). One runner at a time across nodes" },
	{ "smtp_host", RS_CFG_STR, 0, 255, "", 0,
	  "SMTP server for reminder mail (\"\" = reminders are queued but not sent)" },
	{ "smtp_port", RS_CFG_INT, 1, 65535, "25", 0,
	  "TCP port of smtp_host (STARTTLS is used when the server offers it)" },
	{ "smtp_from", RS_CFG_STR, 3, 254, "no-reply@riss.invalid", 0,
	  "sender address of reminder mail (envelope and From header)" },
	{ "smtp_ca_file", RS_CFG_STR, 0, 4096, "", 0,
	  "CA certificates (PEM) that the SMTP server's STARTTLS certificate is checked against (\"\" = system CAs)" },
	{ "smtp_timeout", RS_CFG_INT, 1, 300, "10", 0,
	  "seconds to wait for the SMTP server to answer" },
	/* Security review (issue 17): where the exam and operator surfaces may be reached from. */
	{ "exam_networks", RS_CFG_STR, 0, 2048, "", 0,
	  "addresses or networks (comma separated CIDR, e.g. 10.20.0.0/16) of the test centres: when set, "
	  "admission codes are redeemed only from them (\"\" = from anywhere)" },
	{ "operator_networks", RS_CFG_STR, 0, 2048, "127.0.0.1,::1", 0,
	  "addresses or networks allowed to read /metrics and the details of /readyz (others get 404 and a "
	  "bare ready/not ready); the client address as trusted_proxies resolve it" },
	/* Agency statistics (stats-core): disclosure control of every released table. */
	{ "stats_k", RS_CFG_INT, 1, 1000, "10", 0,
	  "disclosure threshold: counts under it (and rates, means, medians on a base under it) are suppressed in every released statistic" },
	{ "stats_allow_zero", RS_CFG_BOOL, 0, 1, "true", 0,
	  "publish zero counts in released statistics (false: a zero is suppressed like a small count)" },
	{ NULL, RS_CFG_STR, 0, 0, NULL, 0, NULL },
};

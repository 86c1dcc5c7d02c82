/* rissd internals: the request context, the route table and the reply helpers that every
 * handler file uses. Private to web/. */
#ifndef WEB_H
#define WEB_H

#include <jansson.h>
#include <microhttpd.h>
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdint.h>

#include "rs_db.h"

/* Roles, as bits. A route lists the roles that may call it. */
enum web_role {
	WEB_ROLE_PUBLIC = 1 << 0,         /* anyone, no credentials */
	WEB_ROLE_CANDIDATE = 1 << 1,      /* one exam session, bound to a workstation */
	WEB_ROLE_PROCTOR = 1 << 2,
	WEB_ROLE_REGISTRAR = 1 << 3,
	WEB_ROLE_PSYCHOMETRICIAN = 1 << 4,
	WEB_ROLE_STATISTICIAN = 1 << 5,
	WEB_ROLE_AUDITOR = 1 << 6,        /* read-only */
	WEB_ROLE_PROVIDER = 1 << 7,       /* API key, own records only */
	WEB_ROLE_REGISTRANT = 1 << 8,     /* a registered specialist signed in to /me */
};
#define WEB_ROLE_STAFF (WEB_ROLE_PROCTOR | WEB_ROLE_REGISTRAR | WEB_ROLE_PSYCHOMETRICIAN | \
                        WEB_ROLE_STATISTICIAN | WEB_ROLE_AUDITOR)

/* Surfaces a node can serve (config `surfaces`). */
enum web_surface {
	WEB_SURF_CORE = 0,      /* health, metrics, static assets: always on */
	WEB_SURF_EXAM = 1 << 0,
	WEB_SURF_PROCTOR = 1 << 1,
	WEB_SURF_VERIFY = 1 << 2,
	WEB_SURF_REGISTER = 1 << 3,
	WEB_SURF_PROVIDER = 1 << 4,
	WEB_SURF_ADMIN = 1 << 5,
	WEB_SURF_ME = 1 << 6,   /* registrants' self-service /me */
};

struct web_request;
typedef enum MHD_Result (*web_handler)(struct web_request *req);

enum { WEB_BODY_NONE = 0, WEB_BODY_JSON = 1, WEB_BODY_JSON_RAW = 2 };

struct web_route {
	const char *path;      /* exact path, or a prefix when it ends in '*' */
	const char *method;    /* "GET", "POST", ... */
	unsigned roles;        /* web_role bits allowed */
	unsigned surface;      /* web_surface the route belongs to */
	int json_body;         /* WEB_BODY_JSON: the body must be a JSON object, parsed into req->json
	                        * before the handler; WEB_BODY_JSON_RAW: only the content type is
	                        * checked and the handler reads req->body (a hot path that can
	                        * often skip the parser; it calls web_body_json otherwise) */
	web_handler handler;
	const char *name;      /* label in metrics and the access log */
	/* Agency statistics (stats-core): roles that may ask this route for unsuppressed
	 * figures (?raw=1); every such read is audited. 0 = nobody. */
	unsigned raw_roles;
	/* Step-up (security, issue 17): an irreversible or high-impact act; a staff caller must
	 * have confirmed a TOTP code within step_up_window (sign-in or POST
	 * /api/v1/staff/step-up), else 403 step-up-required. */
	int step_up;
};

extern const struct web_route web_routes[];
extern const size_t web_nroutes;

/* One request, alive from the first callback to completion. */
struct web_request {
	struct MHD_Connection *conn;
	const char *method;
	const char *url;            /* path only; MHD strips the query string */
	char id[17];                /* request id (hex), also in X-Request-Id */
	int64_t start_ns;
	const struct web_route *route;
	unsigned roles;             /* roles the caller holds */
	char actor[80];             /* "staff:<user>", "candidate:<id>", "provider:<id>", "public" */
	int64_t staff_id;           /* signed-in staff account, or 0 */
	int stepped_up;             /* the staff session confirmed a TOTP code within step_up_window */
	int64_t provider_id;        /* training provider of a Bearer API key, or 0 */
	char centre_code[24];       /* a proctor's test centre, or "" */
	char csrf[24];              /* CSRF token of a cookie session, or "" */
	int cookie_auth;            /* the caller was authenticated by a cookie */
	int auth_unavailable;       /* a session cookie could not be checked: database away */
	int auth_mixed;             /* more than one kind of session came: none is used */
	char regno[8];              /* a signed-in registrant's registration number, or "" */
	char client_ip[48];         /* peer address, for rate limits */
	int retry_after;            /* seconds for a Retry-After header on a 429, 0 for none */
	int lang_en;                /* caller prefers English (Accept-Language) */
	char *body;                 /* request body, NUL-terminated */
	size_t body_len, body_cap;
	int body_too_big;
	json_t *json;               /* parsed body when route->json_body */
	rs_db *db;                  /* pooled connection, returned at completion */
	rs_db_pool *db_pool;        /* the pool db came from (web_srv.pool or read_pool) */
	const char *const *extra_headers; /* name, value, ..., NULL: added to every answer (xAPI) */
	unsigned status;            /* status queued, for the access log and metrics */
	size_t reply_bytes;
};

/* Server-wide state. */
/* A list of addresses and CIDR networks (trusted_proxies, exam_networks, operator_networks). */
#define WEB_NETLIST_MAX 32
struct web_net {
	unsigned char addr[16]; /* IPv6, IPv4 as ::ffff:a.b.c.d */
	int bits;               /* prefix length over the 128 bits */
};
struct web_netlist {
	int n;
	struct web_net net[WEB_NETLIST_MAX];
};
/* Parse "10.0.0.0/24, 2001:db8::/32, 127.0.0.1" into *out: 0, or -1 (out untouched). */
int web_netlist_parse(struct web_netlist *out, const char *list);
/* 1 when the address text ip lies in one of l's networks. */
int web_netlist_has(const struct web_netlist *l, const char *ip);

struct web_server {
	rs_db_pool *pool;
	rs_db_pool *read_pool;      /* db_read_url: public read-only surfaces, or NULL */
	unsigned surfaces;
	size_t body_limit;
	size_t xapi_body_limit;     /* body limit under /xapi/ (xapi_body_limit) */
	char static_dir[4096];
	char migrations_dir[4096];
	volatile int shutting_down;
	volatile int schema_ok;     /* set once the schema has been seen current */
	struct web_listener *listener; /* the HTTP workers (for /metrics) */
	/* Security review (issue 17), set once at start by rissd.c: */
	int https;                  /* public_base_url is https: HSTS on every answer */
	int secure_cookies;         /* cookies marked Secure (secure_cookies, or https) */
	struct web_netlist exam_nets;     /* exam_networks: where codes may be redeemed (n 0 = anywhere) */
	struct web_netlist operator_nets; /* operator_networks: /metrics, /readyz details */
};
extern struct web_server web_srv;

/* Take a pooled database connection for this request (released automatically).
 * RS_EUNAVAIL when the database cannot be reached. */
int web_db(struct web_request *req, rs_db **out);

/* Replies. Each adds the security headers and X-Request-Id. */
enum MHD_Result web_reply_json(struct web_request *req, unsigned status, json_t *body /* stolen */);
/* As web_reply_json, with extra headers: name, value, ..., NULL. */
enum MHD_Result web_reply_json_hdrs(struct web_request *req, unsigned status, json_t *body,
                                    const char *const *headers);
enum MHD_Result web_reply_text(struct web_request *req, unsigned status, const char *ctype,
                               const char *text, size_t len, const char *cache_control);
/* As web_reply_text, with extra headers: name, value, ..., NULL. */
enum MHD_Result web_reply_text_hdrs(struct web_request *req, unsigned status, const char *ctype, const char *text,
                                    size_t len, const char *cache_control, const char *const *headers);
/* RFC 9457 problem+json; type is a slug documented in docs/api.md ("not-found"); the title
 * is the catalogue entry problem.<type> in the caller's language. */
/* The detail is catalogue message msg_id with string arguments for {0}.. ending in NULL. */
enum MHD_Result web_reply_msg(struct web_request *req, unsigned status, const char *type,
                              const char *msg_id, ...) __attribute__((sentinel));
/* The detail is the calling thread's last error (rs_error_msg: its catalogue text in the
 * caller's language; rs_error_set: English for English readers, else the type's generic
 * text problem.<type>.detail, the English going to the log). */
enum MHD_Result web_reply_error(struct web_request *req, unsigned status, const char *type);
/* As web_reply_error, with extension members (ext, stolen, may be NULL) added to the problem
 * document, e.g. the per-row "errors" of an import. */
enum MHD_Result web_reply_error_ext(struct web_request *req, unsigned status, const char *type, json_t *ext);
/* A module's failure rc (RS_E*) as problem+json: the status that rc means (422 for bad
 * input, 404, 401, 403, 409, 413), type (NULL or "": the status's generic type) and the last
 * error as detail; 503 asks to wait, anything else is 500 with the generic text (the error
 * goes to the log). */
enum MHD_Result web_reply_rc(struct web_request *req, int rc, const char *type);
/* For each object of items that has "message_id" (and optional "args", an array of strings),
 * set "message" to that catalogue text in the caller's language. */
void web_msg_localise(const struct web_request *req, json_t *items);
/* Legacy: an English detail (printf format). A Japanese reader gets the type's generic
 * text instead. Do not add new calls: use web_reply_msg or web_reply_error. */
enum MHD_Result web_reply_problem(struct web_request *req, unsigned status, const char *type,
                                  const char *detail_fmt, ...) __attribute__((format(printf, 4, 5)));
/* Add the headers every response carries. */
void web_add_security_headers(struct MHD_Response *resp, int is_html);

/* Route matching: the route for (method, path) among enabled surfaces; *path_known is set
 * when some route has the path but not the method (405). allow gets the allowed methods. */
const struct web_route *web_route_find(const char *method, const char *path, int *path_known,
                                       char *allow, size_t allow_len);
/* Print the route table as JSON (rissd --print-routes; the route x role test reads it). */
void web_routes_print(FILE *f);
/* Parse a `surfaces` setting ("all" or a comma list) into web_surface bits. */
int web_surfaces_parse(unsigned *out, const char *text);

/* Metrics. */
void web_metrics_init(void);
void web_metrics_observe(const struct web_route *route, unsigned status, int64_t ns);
/* Prometheus text exposition into a new buffer (caller frees). */
char *web_metrics_render(size_t *len);

/* Handlers. */
enum MHD_Result web_h_healthz(struct web_request *req);
enum MHD_Result web_h_readyz(struct web_request *req);
enum MHD_Result web_h_metrics(struct web_request *req);
enum MHD_Result web_h_static(struct web_request *req);
enum MHD_Result web_h_page(struct web_request *req);
enum MHD_Result web_h_messages(struct web_request *req);

/* Authentication (web/auth.c): resolve the caller's roles from cookies before routing. */
void web_auth_resolve(struct web_request *req);
/* Candidate sessions (web/exam_auth.c): on a valid riss_exam token set roles, actor, return 0;
 * RS_EAUTH for an unknown token, RS_EUNAVAIL when the database cannot be reached. */
int web_exam_auth(struct web_request *req, const char *token);
/* The role name for audit rows ("registrar", ... or "public"). */
const char *web_role_name(unsigned roles);
enum MHD_Result web_h_staff_login(struct web_request *req);
enum MHD_Result web_h_staff_logout(struct web_request *req);
enum MHD_Result web_h_staff_me(struct web_request *req);
/* Password change, staff and registrants (security, issue 17). */
enum MHD_Result web_h_staff_password(struct web_request *req);
enum MHD_Result web_h_staff_step_up(struct web_request *req);
enum MHD_Result web_h_staff_sessions(struct web_request *req);           /* ASVS 3.3.4 */
enum MHD_Result web_h_staff_sessions_end_others(struct web_request *req);
/* The password forms' strength meter (ASVS 2.1.8; issue 17, sec3). */
enum MHD_Result web_h_password_check(struct web_request *req);
enum MHD_Result web_h_me_password(struct web_request *req);
/* Agency statistics (stats-core, web/stats.c). */
enum MHD_Result web_h_stats_list(struct web_request *req);
enum MHD_Result web_h_stats_table(struct web_request *req);
/* Exam delivery (web/exam_*.c, proctor_*.c, schedule_*.c; module delivery/). */
enum MHD_Result web_h_exam_start(struct web_request *req);
enum MHD_Result web_h_exam_current(struct web_request *req);
enum MHD_Result web_h_exam_begin(struct web_request *req);
enum MHD_Result web_h_exam_answer(struct web_request *req);
enum MHD_Result web_h_exam_report(struct web_request *req);
enum MHD_Result web_h_exam_status(struct web_request *req);
enum MHD_Result web_h_exam_close(struct web_request *req);
enum MHD_Result web_h_proctor_bookings(struct web_request *req);
enum MHD_Result web_h_proctor_action(struct web_request *req);
enum MHD_Result web_h_schedule_list(struct web_request *req);
enum MHD_Result web_h_schedule_put(struct web_request *req);
enum MHD_Result web_h_schedule_import(struct web_request *req);
enum MHD_Result web_h_schedule_window_package(struct web_request *req);
/* Exam packages for psychometricians (web/bank_packages.c; module item-bank/). */
enum MHD_Result web_h_bank_packages(struct web_request *req);
enum MHD_Result web_h_bank_package_compare(struct web_request *req);
enum MHD_Result web_h_bank_package_publish(struct web_request *req);
enum MHD_Result web_h_bank_package_step(struct web_request *req);
/* Package desk: a package's summary and the windows naming packages (web/bank_packages.c). */
enum MHD_Result web_h_bank_package_show(struct web_request *req);
enum MHD_Result web_h_bank_package_windows(struct web_request *req);

/* Registry (web/verify.c, jwks.c, statuslist.c, tlog.c, register_search.c, registry_admin.c,
 * credential_pages.c). */
enum MHD_Result web_h_verify(struct web_request *req);
enum MHD_Result web_h_verify_page(struct web_request *req);
enum MHD_Result web_h_jwks(struct web_request *req);
enum MHD_Result web_h_statuslist(struct web_request *req);
enum MHD_Result web_h_tlog_checkpoint(struct web_request *req);
enum MHD_Result web_h_tlog_inclusion(struct web_request *req);
enum MHD_Result web_h_tlog_consistency(struct web_request *req);
enum MHD_Result web_h_register_search(struct web_request *req);
enum MHD_Result web_h_registry_applications(struct web_request *req);
enum MHD_Result web_h_registry_passed(struct web_request *req);
enum MHD_Result web_h_registry_apply(struct web_request *req);
enum MHD_Result web_h_registry_review(struct web_request *req);
enum MHD_Result web_h_registry_register(struct web_request *req);
enum MHD_Result web_h_registry_registrants(struct web_request *req);
enum MHD_Result web_h_registry_status(struct web_request *req);
enum MHD_Result web_h_registry_renew(struct web_request *req);
enum MHD_Result web_h_registry_lapse(struct web_request *req);
enum MHD_Result web_h_registry_issue(struct web_request *req);
enum MHD_Result web_h_card(struct web_request *req);
/* Registrants' self-service (web/me.c) and the registrar's CPD desk (web/cpd_desk.c). */
enum MHD_Result web_h_me_activate(struct web_request *req);
enum MHD_Result web_h_me_login(struct web_request *req);
enum MHD_Result web_h_me_logout(struct web_request *req);
enum MHD_Result web_h_me(struct web_request *req);
enum MHD_Result web_h_me_language(struct web_request *req);
enum MHD_Result web_h_me_renewal(struct web_request *req);
enum MHD_Result web_h_me_qr(struct web_request *req);
/* E-mail addresses as xAPI identities at /me (web/me_mbox.c; xapi). */
enum MHD_Result web_h_me_mboxes(struct web_request *req);
enum MHD_Result web_h_me_mbox_add(struct web_request *req);
enum MHD_Result web_h_me_mbox_confirm(struct web_request *req);
enum MHD_Result web_h_me_mbox_remove(struct web_request *req);
/* Skill profiles (web/skills.c). */
enum MHD_Result web_h_skills_profile(struct web_request *req);
enum MHD_Result web_h_me_skills(struct web_request *req);
enum MHD_Result web_h_me_skills_publish(struct web_request *req);
enum MHD_Result web_h_me_ob3(struct web_request *req);
enum MHD_Result web_h_skills_claims(struct web_request *req);
enum MHD_Result web_h_cpd_renewals(struct web_request *req);
enum MHD_Result web_h_cpd_renewal_decide(struct web_request *req);
enum MHD_Result web_h_cpd_cases(struct web_request *req);
enum MHD_Result web_h_cpd_case_decide(struct web_request *req);
enum MHD_Result web_h_cpd_audit(struct web_request *req);
enum MHD_Result web_h_cpd_audit_draw(struct web_request *req);
enum MHD_Result web_h_cpd_audit_outcome(struct web_request *req);
enum MHD_Result web_h_registry_activation_code(struct web_request *req);
/* The renewal job's timer (web/jobs_timer.c): every jobs_interval seconds, on its own
 * database connection; stop joins the thread. */
int web_jobs_timer_start(void);
void web_jobs_timer_stop(void);
enum MHD_Result web_h_card_qr(struct web_request *req);

/* Continuing training (web/cpd_*.c; module cpd-tracker/). */
enum MHD_Result web_h_cpd_providers(struct web_request *req);
enum MHD_Result web_h_cpd_provider_add(struct web_request *req);
enum MHD_Result web_h_cpd_provider_change(struct web_request *req);
enum MHD_Result web_h_cpd_provider_me(struct web_request *req);
enum MHD_Result web_h_cpd_courses(struct web_request *req);
enum MHD_Result web_h_cpd_course_add(struct web_request *req);
enum MHD_Result web_h_cpd_course_designate(struct web_request *req);
enum MHD_Result web_h_cpd_completions_post(struct web_request *req);
enum MHD_Result web_h_cpd_completions_csv(struct web_request *req);
enum MHD_Result web_h_cpd_completions_list(struct web_request *req);
enum MHD_Result web_h_cpd_completion_get(struct web_request *req);
enum MHD_Result web_h_cpd_completion_decide(struct web_request *req);
enum MHD_Result web_h_cpd_status(struct web_request *req);
/* xAPI statements that became no completion (web/cpd_xapi_unmatched.c, xapi-stmt). */
enum MHD_Result web_h_cpd_xapi_unmatched(struct web_request *req);
/* Signing keys of signed xAPI statements (web/cpd_xapi_keys.c, xapi2). */
enum MHD_Result web_h_cpd_xapi_keys(struct web_request *req);
enum MHD_Result web_h_cpd_xapi_key_add(struct web_request *req);
enum MHD_Result web_h_cpd_xapi_key_remove(struct web_request *req);
/* The xAPI Learning Record Store under /xapi/ (web/xapi.c dispatches to its resources). */
enum MHD_Result web_h_xapi(struct web_request *req);
/* The headers of every answer under /xapi/ (version, CORS): name, value, ..., NULL. */
extern const char *const web_xapi_headers[];
/* The client's address into req->client_ip: the peer, or behind a configured trusted proxy
 * the nearest X-Forwarded-For entry that is not a proxy (web/client_addr.c). */
void web_client_addr(struct web_request *req, struct MHD_Connection *conn);
/* Parse a trusted_proxies list (addresses or CIDR networks, comma separated): 0 or -1. */
int web_proxies_parse(const char *list);

/* Token buckets per client address (web/ratelimit.c). */
#define WEB_RL_SETS 1024
#define WEB_RL_WAYS 8
#define WEB_RL_SLOTS (WEB_RL_SETS * WEB_RL_WAYS)
#define WEB_RL_STRIPES 32
struct web_rl_bucket {
	char ip[48];                /* "" when the way is free */
	double tokens, at, used;    /* tokens as of at; last request */
};
struct web_ratelimit {
	double rate, burst;         /* requests per second refilled; bucket size */
	pthread_mutex_t mu[WEB_RL_STRIPES];
	struct web_rl_bucket slot[WEB_RL_SLOTS];
};
/* rate <= 0 switches the limit off. */
void web_rl_init(struct web_ratelimit *rl, double rate, double burst);
/* 1 when ip may make one more request now; else 0 with *retry_after in seconds. */
int web_rl_allow(struct web_ratelimit *rl, const char *ip, int *retry_after);

/* 1 token back to ip's bucket (a request that turned out not to count), up to the burst. */
void web_rl_refund(struct web_ratelimit *rl, const char *ip);

/* Guards of the admission-code and sign-in doors (web/guard.c): rate limits per client
 * address and per node, taken before any database or Argon2 work, and their metrics. */
enum web_guard_kind { WEB_GUARD_CODE, WEB_GUARD_STAFF, WEB_GUARD_REGISTRANT, WEB_GUARD_N };
enum { WEB_GUARD_OK = 0, WEB_GUARD_LIMITED = 1, WEB_GUARD_OUTSIDE = 2 };
/* WEB_GUARD_OK when req may try now; WEB_GUARD_LIMITED (req->retry_after set) or
 * WEB_GUARD_OUTSIDE (an admission code from outside exam_networks) otherwise. */
int web_guard_enter(struct web_request *req, enum web_guard_kind kind);
/* After the attempt: ok gives the tokens back; a failure is counted for /metrics. */
void web_guard_result(struct web_request *req, enum web_guard_kind kind, int ok);
/* The 429 of a sign-in door the guard refused (security.sign_in_rate_limited with
 * req->retry_after). */
enum MHD_Result web_reply_sign_in_limited(struct web_request *req);
/* The guards' counters in Prometheus text. */
void web_guard_metrics(FILE *f);

/* A file under static_dir (rel, a safe relative path) with its content type, an ETag
 * (304 on If-None-Match) and Cache-Control cache; 404 when missing. */
enum MHD_Result web_send_file(struct web_request *req, const char *rel, const char *cache);

/* Parse req->body into req->json, which must be an object. 0, or -1 with *reply holding
 * the 400 answer already queued. */
int web_body_json(struct web_request *req, enum MHD_Result *reply);

/* One HTTP worker: a libmicrohttpd daemon with one epoll thread and no listening socket;
 * notify(notify_cls, ...) hears each connection open and close. */
int web_server_daemon_new(struct MHD_Daemon **out, int conn_limit, int timeout_s, MHD_NotifyConnectionCallback notify,
                          void *notify_cls);

/* The listening socket (web/listener.c): an accept thread gives each connection to the
 * least loaded of `threads` workers. */
struct web_listener;
int web_listener_start(struct web_listener **out, const char *host, int port, int threads, int conn_limit,
                       int timeout_s);
unsigned web_listener_port(const struct web_listener *l);
/* Connections open now, over all workers. */
int web_listener_connections(struct web_listener *l);
/* Number of workers, and the connections open now on worker i. */
int web_listener_workers(const struct web_listener *l);
int web_listener_worker_connections(struct web_listener *l, int i);
/* Stop accepting (the port closes); open connections carry on. */
void web_listener_quiesce(struct web_listener *l);
/* Quiesce, close every connection, stop the workers and free l. NULL is fine. */
void web_listener_stop(struct web_listener *l);

#endif

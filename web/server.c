/* The libmicrohttpd glue: request contexts, body limits, routing, role checks, JSON body
 * parsing, the access log and metrics. Handlers see a complete, validated request. */
#include "web.h"
#include "auth.h"

#include "rs_error.h"
#include "rs_json.h"
#include "rs_log.h"
#include "rs_util.h"
#include "rs_encode.h"

#include <arpa/inet.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct web_server web_srv;

int web_db(struct web_request *req, rs_db **out)
{
	if (!req->db) {
		/* The public read-only surfaces (verify, register) read from db_read_url when it
		 * is set: a replica, so employers' traffic never queues behind the exam path. */
		rs_db_pool *p = web_srv.pool;
		if (web_srv.read_pool && req->route &&
		    (req->route->surface == WEB_SURF_VERIFY || req->route->surface == WEB_SURF_REGISTER))
			p = web_srv.read_pool;
		int rc = rs_db_pool_get(&req->db, p, 2000);
		if (rc != 0)
			return rc;
		req->db_pool = p;
	}
	*out = req->db;
	return 0;
}

/* Paths that carry secrets (a credential token) are logged without them. */
static void web_log_path(char *out, size_t n, const char *url)
{
	if (strncmp(url, "/v/", 3) == 0)
		snprintf(out, n, "/v/[token]");
	else
		snprintf(out, n, "%.200s", url);
	for (char *p = out; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == '"' || (unsigned char)*p == 0x7f)
			*p = '?';
}

static void web_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                          enum MHD_RequestTerminationCode toe)
{
	(void)cls;
	(void)conn;
	struct web_request *req = *con_cls;
	if (!req)
		return;
	int64_t ns = rs_mono_ns() - req->start_ns;
	if (rs_log_enabled(RS_LOG_INFO)) {
		char path[256];
		web_log_path(path, sizeof path, req->url);
		rs_log_set_request_id(req->id);
		rs_info("access \"%s %s\" %u %zu %.3fms route=%s%s", req->method, path, req->status,
		        req->reply_bytes, (double)ns / 1e6, req->route ? req->route->name : "-",
		        toe == MHD_REQUEST_TERMINATED_COMPLETED_OK ? "" : " (connection ended early)");
		rs_log_set_request_id(NULL);
	}
	web_metrics_observe(req->route, req->status, ns);
	if (req->db)
		rs_db_pool_put(req->db_pool, req->db);
	json_decref(req->json);
	free(req->body);
	free(req);
	*con_cls = NULL;
}

/* A request id only ties log lines and audit rows to one reply: unique, not secret. A
 * per-thread splitmix64 stream seeded once from the kernel spares a getrandom() per request. */
static void web_request_id(char out[17])
{
	static _Thread_local uint64_t state;
	static _Thread_local int seeded;
	if (!seeded) {
		if (rs_random_bytes(&state, sizeof state) != 0)
			state = (uint64_t)rs_mono_ns();
		seeded = 1;
	}
	uint64_t z = (state += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	z ^= z >> 31;
	unsigned char b[8];
	for (int i = 0; i < 8; i++)
		b[i] = (unsigned char)(z >> (56 - 8 * i));
	rs_hex_encode(out, b, sizeof b);
}

static int web_prefers_english(struct MHD_Connection *conn)
{
	const char *lang = MHD_lookup_connection_value(conn, MHD_COOKIE_KIND, "lang");
	if (lang)
		return strcmp(lang, "en") == 0;
	const char *al = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_ACCEPT_LANGUAGE);
	if (!al)
		return 0;
	/* Japanese is the default; English only when it comes before any Japanese. */
	const char *en = strcasestr(al, "en"), *ja = strcasestr(al, "ja");
	return en && (!ja || en < ja);
}

int web_body_json(struct web_request *req, enum MHD_Result *reply)
{
	if (rs_json_parse(&req->json, req->body ? req->body : "", req->body_len, web_srv.body_limit) != 0) {
		*reply = web_reply_error(req, MHD_HTTP_BAD_REQUEST, "malformed-json");
		return -1;
	}
	if (!json_is_object(req->json)) {
		*reply = web_reply_msg(req, MHD_HTTP_BAD_REQUEST, "malformed-json", "json.not_object", NULL);
		return -1;
	}
	return 0;
}

/* The body limit of a path: xapi_body_limit under /xapi/ (statements with attachments),
 * http_body_limit elsewhere. */
static size_t web_body_limit_for(const char *url)
{
	return strncmp(url, "/xapi/", 6) == 0 ? web_srv.xapi_body_limit : web_srv.body_limit;
}

static enum MHD_Result web_reply_body_too_large(struct web_request *req)
{
	char limit[24];
	snprintf(limit, sizeof limit, "%zu", web_body_limit_for(req->url));
	return web_reply_msg(req, MHD_HTTP_CONTENT_TOO_LARGE, "body-too-large", "http.body_limit", limit, NULL);
}

static enum MHD_Result web_dispatch(struct web_request *req)
{
	int path_known = 0;
	char allow[64] = "";
	req->route = web_route_find(req->method, req->url, &path_known, allow, sizeof allow);
	if (!req->route) {
		if (path_known) {
			return web_reply_msg(req, MHD_HTTP_METHOD_NOT_ALLOWED, "method-not-allowed", "http.method_use", req->method,
			                     allow, NULL);
		}
		return web_reply_msg(req, MHD_HTTP_NOT_FOUND, "not-found", "problem.not-found.detail", NULL);
	}
	web_auth_resolve(req);
	if (!(req->route->roles & req->roles)) {
		if (req->auth_unavailable)
			return web_reply_msg(req, MHD_HTTP_SERVICE_UNAVAILABLE, "service-unavailable", "http.auth_unavailable", NULL);
		if (req->auth_mixed)
			return web_reply_msg(req, MHD_HTTP_UNAUTHORIZED, "unauthenticated", "renewal.err.two_sessions", NULL);
		if (req->roles == WEB_ROLE_PUBLIC)
			return web_reply_msg(req, MHD_HTTP_UNAUTHORIZED, "unauthenticated", "problem.unauthenticated.detail", NULL);
		return web_reply_msg(req, MHD_HTTP_FORBIDDEN, "forbidden", "problem.forbidden.detail", NULL);
	}
	if (!web_csrf_ok(req))
		return web_reply_msg(req, MHD_HTTP_FORBIDDEN, "csrf", "http.csrf_missing", NULL);
	if (req->route->step_up && req->staff_id && !req->stepped_up) {
		/* Step-up (issue 17): the desk asks for a TOTP code and sends the request again. */
		rs_info("%s: %s needs a fresh TOTP code (request %s)", req->route->name, req->actor, req->id);
		return web_reply_msg(req, MHD_HTTP_FORBIDDEN, "step-up-required", "sec2.step_up_required", NULL);
	}
	if (req->route->json_body) {
		const char *ct = MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_TYPE);
		if (!ct || strncasecmp(ct, "application/json", 16) != 0)
			return web_reply_msg(req, MHD_HTTP_UNSUPPORTED_MEDIA_TYPE, "unsupported-media-type", "http.want_json", NULL);
		enum MHD_Result r;
		if (req->route->json_body == WEB_BODY_JSON && web_body_json(req, &r) != 0)
			return r;
	}
	return req->route->handler(req);
}

static enum MHD_Result web_access(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_data_size, void **con_cls)
{
	(void)cls;
	(void)version;
	struct web_request *req = *con_cls;
	if (!req) {
		req = calloc(1, sizeof *req);
		if (!req)
			return MHD_NO;
		req->conn = conn;
		req->method = method;
		req->url = url;
		req->start_ns = rs_mono_ns();
		web_request_id(req->id);
		req->lang_en = web_prefers_english(conn);
		web_client_addr(req, conn);
		if (strncmp(url, "/xapi/", 6) == 0)
			req->extra_headers = web_xapi_headers; /* a 413 or 405 here is an xAPI answer too */
		*con_cls = req;
		const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
		if (cl && strtoull(cl, NULL, 10) > web_body_limit_for(url)) {
			/* Refuse before reading the body; MHD then closes the connection. */
			return web_reply_body_too_large(req);
		}
		return MHD_YES;
	}
	if (*upload_data_size > 0) {
		size_t n = *upload_data_size;
		*upload_data_size = 0;
		if (req->body_too_big || req->body_len + n > web_body_limit_for(req->url)) {
			req->body_too_big = 1; /* chunked upload past the limit: drop, answer 413 at the end */
			return MHD_YES;
		}
		if (req->body_len + n + 1 > req->body_cap) {
			size_t cap = req->body_cap ? req->body_cap : 4096;
			while (cap < req->body_len + n + 1)
				cap *= 2;
			char *nb = realloc(req->body, cap);
			if (!nb)
				return MHD_NO;
			req->body = nb;
			req->body_cap = cap;
		}
		memcpy(req->body + req->body_len, upload_data, n);
		req->body_len += n;
		req->body[req->body_len] = '\0';
		return MHD_YES;
	}
	if (req->status)
		return MHD_YES; /* already answered (413 on the first call) */
	if (req->body_too_big)
		return web_reply_body_too_large(req);
	rs_log_set_request_id(req->id);
	enum MHD_Result r = web_dispatch(req);
	rs_log_set_request_id(NULL);
	return r;
}

static void web_mhd_log(void *cls, const char *fmt, va_list ap)
{
	(void)cls;
	char msg[512];
	vsnprintf(msg, sizeof msg, fmt, ap);
	msg[strcspn(msg, "\n")] = '\0';
	rs_warn("libmicrohttpd: %s", msg);
}

int web_server_daemon_new(struct MHD_Daemon **out, int conn_limit, int timeout_s, MHD_NotifyConnectionCallback notify,
                          void *notify_cls)
{
	/* One epoll thread with no listening socket of its own: web/listener.c accepts and
	 * hands connections over with MHD_add_connection (which the ITC makes prompt). */
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ITC | MHD_USE_ERROR_LOG |
	                 MHD_USE_TURBO | MHD_USE_NO_LISTEN_SOCKET;
	struct MHD_Daemon *d = MHD_start_daemon(flags, 0, NULL, NULL, web_access, NULL,
		MHD_OPTION_EXTERNAL_LOGGER, web_mhd_log, NULL,
		MHD_OPTION_CONNECTION_LIMIT, (unsigned)conn_limit,
		MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)timeout_s,
		MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(32 * 1024),
		MHD_OPTION_NOTIFY_COMPLETED, web_completed, NULL,
		MHD_OPTION_NOTIFY_CONNECTION, notify, notify_cls,
		MHD_OPTION_END);
	if (!d) {
		rs_error_set("cannot start an HTTP worker thread");
		return RS_EIO;
	}
	*out = d;
	return 0;
}

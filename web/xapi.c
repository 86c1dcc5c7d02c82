/* rissd: the xAPI 1.0.3 Learning Record Store's frame under /xapi/ — one table of resources
 * and the handler each method calls, CORS preflight, the alternate request syntax, the
 * X-Experience-API-Version rule, HTTP Basic authentication with the provider's xAPI
 * credential, and the answers every resource shares. */
#include "xapi.h"

#include "cpd_lrs.h"
#include "rs_config.h"
#include "rs_error.h"
#include "rs_json.h"
#include "rs_log.h"
#include "rs_util.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

/* Headers of every xAPI answer. */
#define WEB_XAPI_COMMON_HEADERS \
	"X-Experience-API-Version", WEB_XAPI_VERSION, \
	"Access-Control-Allow-Origin", "*", \
	"Access-Control-Expose-Headers", "ETag, Last-Modified, Content-Type, Content-Length, X-Experience-API-Version, " \
	                                 "X-Experience-API-Consistent-Through"
const char *const web_xapi_headers[] = { WEB_XAPI_COMMON_HEADERS, NULL };
static const char *const web_xapi_headers_401[] = { WEB_XAPI_COMMON_HEADERS,
	"WWW-Authenticate", "Basic realm=\"xapi\", charset=\"UTF-8\"", NULL };

enum { WEB_XAPI_NO_AUTH = 1 };   /* the About resource: no credential, no version header */

static const struct web_xapi_resource {
	const char *path;
	const char *method;          /* GET also serves HEAD */
	web_xapi_handler handler;
	int flags;
} web_xapi_resources[] = {
	/* Statements (web/xapi_statements.c). */
	{ "statements", "GET", web_xapi_statements_get, 0 },
	{ "statements", "PUT", web_xapi_statements_put, 0 },
	{ "statements", "POST", web_xapi_statements_post, 0 },
	/* Documents (web/xapi_documents.c). */
	{ "activities/state", "GET", web_xapi_state, 0 },
	{ "activities/state", "PUT", web_xapi_state, 0 },
	{ "activities/state", "POST", web_xapi_state, 0 },
	{ "activities/state", "DELETE", web_xapi_state, 0 },
	{ "activities/profile", "GET", web_xapi_activity_profile, 0 },
	{ "activities/profile", "PUT", web_xapi_activity_profile, 0 },
	{ "activities/profile", "POST", web_xapi_activity_profile, 0 },
	{ "activities/profile", "DELETE", web_xapi_activity_profile, 0 },
	{ "agents/profile", "GET", web_xapi_agent_profile, 0 },
	{ "agents/profile", "PUT", web_xapi_agent_profile, 0 },
	{ "agents/profile", "POST", web_xapi_agent_profile, 0 },
	{ "agents/profile", "DELETE", web_xapi_agent_profile, 0 },
	/* Agents, Activities (web/xapi_agents.c), About (web/xapi_about.c). */
	{ "agents", "GET", web_xapi_agents, 0 },
	{ "activities", "GET", web_xapi_activities, 0 },
	{ "about", "GET", web_xapi_about, WEB_XAPI_NO_AUTH },
};

/* ---- what handlers call ---- */

const char *web_xapi_header(const struct web_xapi *x, const char *name)
{
	for (size_t i = 0; i + 1 < sizeof x->form_headers / sizeof x->form_headers[0] && x->form_headers[i]; i += 2)
		if (strcasecmp(x->form_headers[i], name) == 0)
			return x->form_headers[i + 1];
	return MHD_lookup_connection_value(x->req->conn, MHD_HEADER_KIND, name);
}

json_t *web_xapi_authority(const struct web_xapi *x)
{
	char home[1100];
	cpd_lrs_endpoint(home, sizeof home, rs_config_str("public_base_url"));
	return json_pack("{s:s, s:{s:s, s:s}}", "objectType", "Agent", "account", "homePage", home, "name", x->username);
}

const char *web_xapi_param(const struct web_xapi *x, const char *name)
{
	return json_string_value(json_object_get(x->params, name));
}

int web_xapi_params_only(struct web_xapi *x, const char *const *allowed, enum MHD_Result *reply)
{
	const char *k;
	json_t *v;
	json_object_foreach(x->params, k, v) {
		size_t i = 0;
		while (allowed[i] && strcmp(allowed[i], k) != 0)
			i++;
		if (!allowed[i]) {
			char name[80];
			snprintf(name, sizeof name, "%.79s", k);
			*reply = web_xapi_error(x, MHD_HTTP_BAD_REQUEST, "lrs.param.unknown", name, NULL);
			return -1;
		}
	}
	return 0;
}

int web_xapi_body_json(struct web_xapi *x, json_t **out, enum MHD_Result *reply)
{
	if (rs_json_parse(out, x->body, x->body_len, web_srv.xapi_body_limit) != 0) {
		*reply = web_xapi_error(x, MHD_HTTP_BAD_REQUEST, "lrs.body.json", NULL);
		return -1;
	}
	return 0;
}

static enum MHD_Result web_xapi_queue(struct web_xapi *x, unsigned status, struct MHD_Response *resp,
                                      const char *const *headers, size_t len)
{
	for (size_t i = 0; headers && headers[i]; i += 2)
		if (headers[i + 1] && headers[i + 1][0])
			MHD_add_response_header(resp, headers[i], headers[i + 1]);
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
	web_add_security_headers(resp, 0);
	MHD_add_response_header(resp, "X-Request-Id", x->req->id);
	/* The frame's headers (version, CORS, Consistent-Through), unless the handler set one. */
	const char *const *common = x->req->extra_headers ? x->req->extra_headers : web_xapi_headers;
	for (size_t i = 0; common[i]; i += 2) {
		int own = 0;
		for (size_t k = 0; headers && headers[k]; k += 2)
			own |= strcasecmp(headers[k], common[i]) == 0 && headers[k + 1] && headers[k + 1][0];
		if (!own)
			MHD_add_response_header(resp, common[i], common[i + 1]);
	}
	enum MHD_Result r = MHD_queue_response(x->req->conn, status, resp);
	MHD_destroy_response(resp);
	x->req->status = status;
	x->req->reply_bytes = len;
	return r;
}

enum MHD_Result web_xapi_reply_bytes(struct web_xapi *x, unsigned status, const char *ctype, const char *data,
                                     size_t len, const char *const *headers)
{
	struct MHD_Response *resp = MHD_create_response_from_buffer(len, (void *)(uintptr_t)(data ? data : ""),
	                                                            MHD_RESPMEM_MUST_COPY);
	if (!resp)
		return MHD_NO;
	if (ctype)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, ctype);
	return web_xapi_queue(x, status, resp, headers, len);
}

enum MHD_Result web_xapi_reply_json(struct web_xapi *x, unsigned status, json_t *body, const char *const *headers)
{
	char *text = body ? rs_json_dump(body) : NULL;
	json_decref(body);
	if (!text)
		return MHD_NO;
	size_t len = strlen(text);
	struct MHD_Response *resp = MHD_create_response_from_buffer(len, text, MHD_RESPMEM_MUST_FREE);
	if (!resp) {
		free(text);
		return MHD_NO;
	}
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "application/json");
	return web_xapi_queue(x, status, resp, headers, len);
}

enum MHD_Result web_xapi_reply_empty(struct web_xapi *x, unsigned status, const char *const *headers)
{
	return web_xapi_reply_bytes(x, status, NULL, "", 0, headers);
}

enum MHD_Result web_xapi_reply_rc(struct web_xapi *x, int rc)
{
	unsigned status;
	switch (rc) {
	case RS_EINVAL: case RS_EPARSE: case RS_ERANGE: status = MHD_HTTP_BAD_REQUEST; break;
	case RS_ETOOBIG: status = MHD_HTTP_CONTENT_TOO_LARGE; break;
	case RS_ENOTFOUND: status = MHD_HTTP_NOT_FOUND; break;
	case RS_EAUTH: status = MHD_HTTP_UNAUTHORIZED; break;
	case RS_EPERM: status = MHD_HTTP_FORBIDDEN; break;
	case RS_EEXIST: case RS_ECONFLICT: status = MHD_HTTP_CONFLICT; break;
	case RS_ESTATE: status = MHD_HTTP_PRECONDITION_FAILED; break;
	default:
		return web_reply_rc(x->req, rc, "xapi");
	}
	return web_reply_error(x->req, status, "xapi");
}

/* ---- the dispatcher ---- */

struct web_xapi_args {
	json_t *params;
	int count, bad;
};

static enum MHD_Result web_xapi_arg(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
	(void)kind;
	struct web_xapi_args *a = cls;
	if (++a->count > WEB_XAPI_MAX_PARAMS || !key || json_object_get(a->params, key) ||
	    (value && strlen(value) > WEB_XAPI_PARAM_MAX)) {
		a->bad = 1;
		return MHD_NO;
	}
	json_t *s = json_stringn_nocheck(value ? value : "", value ? strlen(value) : 0);
	if (!s || json_object_set_new(a->params, key, s) != 0)
		a->bad = 1;
	return a->bad ? MHD_NO : MHD_YES;
}

static const char *const web_xapi_header_fields[] = {
	"Authorization", "X-Experience-API-Version", "Content-Type", "Content-Length", "If-Match", "If-None-Match",
};

/* The alternate request syntax: POST ?method=X, headers and content in a form body. */
static int web_xapi_alternate(struct web_xapi *x, enum MHD_Result *reply)
{
	const char *m = web_xapi_param(x, "method");
	static const char *const methods[] = { "GET", "HEAD", "PUT", "POST", "DELETE" };
	size_t i;
	for (i = 0; i < 5 && strcmp(methods[i], m) != 0; i++)
		;
	if (strcmp(x->req->method, "POST") != 0 || i == 5 || json_object_size(x->params) != 1) {
		*reply = web_xapi_error(x, MHD_HTTP_BAD_REQUEST, "lrs.alternate.form", NULL);
		return -1;
	}
	x->method = methods[i];
	x->alternate = 1;
	const char *ct = MHD_lookup_connection_value(x->req->conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_TYPE);
	if (x->req->body_len > 0 && (!ct || strncasecmp(ct, "application/x-www-form-urlencoded", 33) != 0)) {
		*reply = web_xapi_error(x, MHD_HTTP_BAD_REQUEST, "lrs.alternate.form", NULL);
		return -1;
	}
	json_object_clear(x->params);
	x->body = "";
	x->body_len = 0;
	x->content_type = "";
	x->form_storage = malloc(x->req->body_len + 1);
	if (!x->form_storage) {
		*reply = MHD_NO;
		return -1;
	}
	memcpy(x->form_storage, x->req->body ? x->req->body : "", x->req->body_len);
	x->form_storage[x->req->body_len] = '\0';
	const char *names[WEB_XAPI_MAX_PARAMS + 8], *values[WEB_XAPI_MAX_PARAMS + 8];
	size_t n = 0, nh = 0;
	int content_seen = 0;
	if (web_xapi_form_parse(x->form_storage, x->req->body_len, names, values, WEB_XAPI_MAX_PARAMS + 8, &n) != 0) {
		*reply = web_xapi_error(x, MHD_HTTP_BAD_REQUEST, "lrs.alternate.form", NULL);
		return -1;
	}
	for (size_t k = 0; k < n; k++) {
		size_t h;
		for (h = 0; h < 6 && strcasecmp(names[k], web_xapi_header_fields[h]) != 0; h++)
			;
		if (h < 6) {
			if (nh + 2 < sizeof x->form_headers / sizeof x->form_headers[0]) {
				x->form_headers[nh++] = web_xapi_header_fields[h];
				x->form_headers[nh++] = values[k];
			}
		} else if (strcmp(names[k], "content") == 0 && !content_seen) {
			content_seen = 1;
			x->body = values[k];
			x->body_len = strlen(values[k]);
		} else if (json_object_get(x->params, names[k]) || strlen(values[k]) > WEB_XAPI_PARAM_MAX ||
		           json_object_set_new(x->params, names[k], json_string(values[k])) != 0) {
			*reply = web_xapi_error(x, MHD_HTTP_BAD_REQUEST, "lrs.alternate.form", NULL);
			return -1;
		}
	}
	const char *fct = web_xapi_header(x, "Content-Type");
	x->content_type = fct && fct != ct ? fct : (content_seen ? "application/json" : "");
	return 0;
}

/* 1.0.x is what this LRS speaks (xAPI 1.0.3 §6.2: reject anything else with 400). */
static int web_xapi_version_ok(const char *v)
{
	if (!v || strncmp(v, "1.0", 3) != 0)
		return 0;
	if (v[3] == '\0')
		return 1;
	return v[3] == '.' && v[4] && strlen(v + 4) <= 3 && strspn(v + 4, "0123456789") == strlen(v + 4);
}

/* HTTP Basic with the provider's xAPI credential. */
static int web_xapi_authenticate(struct web_xapi *x, enum MHD_Result *reply)
{
	const char *authz = web_xapi_header(x, "Authorization");
	char decoded[160];
	int rc = RS_EAUTH;
	if (authz && strncasecmp(authz, "Basic ", 6) == 0) {
		const char *b = authz + 6;
		while (*b == ' ')
			b++;
		size_t bl = strlen(b);
		if (bl > 0 && bl <= 200 && bl % 4 == 0) {
			int n = EVP_DecodeBlock((unsigned char *)decoded, (const unsigned char *)b, (int)bl);
			if (n > 0) {
				while (n > 0 && bl > 0 && b[bl - 1] == '=') {
					n--;
					bl--;
				}
				decoded[n] = '\0';
				char *colon = memchr(decoded, ':', (size_t)n);
				if (colon && strlen(decoded) == (size_t)n) {
					*colon = '\0';
					rs_db *db = NULL;
					struct cpd_lrs_principal p;
					rc = web_db(x->req, &db);
					if (rc == 0)
						rc = cpd_lrs_auth(&p, db, decoded, colon + 1);
					if (rc == 0) {
						x->provider_id = p.provider_id;
						snprintf(x->username, sizeof x->username, "%s", p.username);
						snprintf(x->req->actor, sizeof x->req->actor, "provider:%lld", (long long)p.provider_id);
						x->req->provider_id = p.provider_id;
						x->req->roles |= WEB_ROLE_PROVIDER;
					}
				}
			}
		}
		OPENSSL_cleanse(decoded, sizeof decoded);
	}
	if (rc == 0)
		return 0;
	if (rc == RS_EAUTH) {
		x->req->extra_headers = web_xapi_headers_401;
		*reply = web_xapi_error(x, MHD_HTTP_UNAUTHORIZED, "lrs.auth.refused", NULL);
	} else {
		*reply = web_xapi_reply_rc(x, rc);
	}
	return -1;
}

static enum MHD_Result web_xapi_preflight(struct web_request *req)
{
	static const char *const h[] = { WEB_XAPI_COMMON_HEADERS,
		"Access-Control-Allow-Methods", "HEAD, GET, POST, PUT, DELETE, OPTIONS",
		"Access-Control-Allow-Headers", "Authorization, Content-Type, X-Experience-API-Version, If-Match, If-None-Match, "
		                                "X-Requested-With, Accept-Language",
		"Access-Control-Max-Age", "86400", "Allow", "HEAD, GET, POST, PUT, DELETE, OPTIONS", NULL };
	return web_reply_text_hdrs(req, MHD_HTTP_OK, "text/plain; charset=utf-8", "", 0, NULL, h);
}

static enum MHD_Result web_xapi_run(struct web_xapi *x)
{
	enum MHD_Result reply;
	struct web_xapi_args a = { .params = x->params };
	MHD_get_connection_values(x->req->conn, MHD_GET_ARGUMENT_KIND, web_xapi_arg, &a);
	if (a.bad)
		return web_xapi_error(x, MHD_HTTP_BAD_REQUEST, "lrs.param.bad", NULL);
	if (web_xapi_param(x, "method") && web_xapi_alternate(x, &reply) != 0)
		return reply;
	const char *lookup = strcmp(x->method, "HEAD") == 0 ? "GET" : x->method;
	const struct web_xapi_resource *found = NULL;
	int path_known = 0;
	for (size_t i = 0; i < sizeof web_xapi_resources / sizeof web_xapi_resources[0]; i++) {
		if (strcmp(web_xapi_resources[i].path, x->resource) != 0)
			continue;
		path_known = 1;
		if (strcmp(web_xapi_resources[i].method, lookup) == 0)
			found = &web_xapi_resources[i];
	}
	/* The resources are the specification's: naming a wrong one needs no credential. */
	if (!found)
		return path_known ? web_xapi_error(x, MHD_HTTP_METHOD_NOT_ALLOWED, "lrs.method", x->method, NULL)
		                  : web_xapi_error(x, MHD_HTTP_NOT_FOUND, "lrs.resource", NULL);
	int open = found->flags & WEB_XAPI_NO_AUTH;
	if (!open && web_xapi_authenticate(x, &reply) != 0)
		return reply;
	x->version = web_xapi_header(x, "X-Experience-API-Version");
	if (!open && !web_xapi_version_ok(x->version))
		return web_xapi_error(x, MHD_HTTP_BAD_REQUEST, x->version ? "lrs.version.unsupported" : "lrs.version.missing",
		                      WEB_XAPI_VERSION, NULL);
	x->if_match = web_xapi_header(x, "If-Match");
	x->if_none_match = web_xapi_header(x, "If-None-Match");
	if (strcmp(found->path, "statements") == 0 && strcmp(lookup, "GET") == 0) {
		/* Every answer of a statements GET, refusals too, says how far it is consistent
		 * (xAPI 1.0.3 §7.2.3): reads go to the primary after the writes committed, so the
		 * time before the query is a safe bound. The handler may send a later one. */
		int64_t ms = rs_now_ms();
		time_t t = (time_t)(ms / 1000);
		struct tm tm;
		char day[24];
		gmtime_r(&t, &tm);
		strftime(day, sizeof day, "%Y-%m-%dT%H:%M:%S", &tm);
		snprintf(x->consistent, sizeof x->consistent, "%s.%03dZ", day, (int)(ms % 1000));
		size_t n = 0;
		for (; web_xapi_headers[n]; n++)
			x->frame_headers[n] = web_xapi_headers[n];
		x->frame_headers[n++] = "X-Experience-API-Consistent-Through";
		x->frame_headers[n++] = x->consistent;
		x->frame_headers[n] = NULL;
		x->req->extra_headers = x->frame_headers;
	}
	return found->handler(x);
}

enum MHD_Result web_h_xapi(struct web_request *req)
{
	req->extra_headers = web_xapi_headers;
	if (strcmp(req->method, "OPTIONS") == 0)
		return web_xapi_preflight(req);
	const char *ct = MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_TYPE);
	struct web_xapi x = {
		.req = req,
		.method = req->method,
		.resource = strncmp(req->url, "/xapi/", 6) == 0 ? req->url + 6 : "",
		.body = req->body ? req->body : "",
		.body_len = req->body_len,
		.content_type = ct ? ct : "",
		.params = json_object(),
	};
	if (!x.params)
		return MHD_NO;
	enum MHD_Result r = web_xapi_run(&x);
	json_decref(x.params);
	free(x.form_storage);
	return r;
}

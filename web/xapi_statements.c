/* rissd: the xAPI Statements resource (/xapi/statements): PUT with statementId, POST of one
 * statement or a batch (JSON or multipart/mixed with attachments), GET/HEAD by id or by
 * query with `more` paging. Parses, calls one cpd-tracker function, maps the answer. */
#include "xapi.h"

#include "cpd_xapi.h"
#include "rs_config.h"
#include "rs_error.h"
#include "rs_json.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

static json_t *web_xs_authority(struct web_xapi *x)
{
	return web_xapi_authority(x);
}

static void web_xs_who(struct cpd_xapi_who *who, struct web_xapi *x, const json_t *authority, char *actor, size_t n)
{
	snprintf(actor, n, "provider:%lld", (long long)x->provider_id);
	who->provider_id = x->provider_id;
	who->authority = authority;
	who->base_url = rs_config_str("public_base_url");
	who->actor = actor;
	who->request_id = x->req->id;
}

/* The statements of the request: JSON, or the first part of multipart/mixed with the other
 * parts as attachment blobs (at most CPD_XAPI_PARTS_MAX). */
static int web_xs_read(struct web_xapi *x, json_t **out, struct cpd_xapi_blob *blobs, size_t *nblob)
{
	*nblob = 0;
	const char *ct = x->content_type ? x->content_type : "";
	if (strncasecmp(ct, "multipart/mixed", 15) != 0 && strncasecmp(ct, "application/json", 16) != 0) {
		rs_error_msg("xapi.content_type", NULL);
		return RS_EINVAL;
	}
	if (strncasecmp(ct, "multipart/mixed", 15) != 0) {
		if (x->body_len > CPD_XAPI_BODY_MAX) {
			rs_error_msg("xapi.too_big", NULL);
			return RS_ETOOBIG;
		}
		if (rs_json_parse(out, x->body, x->body_len, CPD_XAPI_BODY_MAX) != 0)
			return RS_EINVAL;
		return 0;
	}
	struct cpd_xapi_part parts[CPD_XAPI_PARTS_MAX + 1];
	size_t np = 0;
	int rc = cpd_xapi_multipart(parts, CPD_XAPI_PARTS_MAX + 1, &np, ct, x->body, x->body_len);
	if (rc != 0)
		return rc;
	if (np == 0 || !parts[0].ctype || parts[0].ctype_len < 16 ||
	    strncasecmp(parts[0].ctype, "application/json", 16) != 0) {
		rs_error_msg("xapi.multipart.first", NULL);
		return RS_EINVAL;
	}
	if (rs_json_parse(out, parts[0].data, parts[0].len, CPD_XAPI_BODY_MAX) != 0)
		return RS_EINVAL;
	for (size_t i = 1; i < np; i++) {
		struct cpd_xapi_part *p = &parts[i];
		if (!p->hash || p->hash_len == 0 || p->hash_len >= sizeof blobs[0].sha2 ||
		    (p->enc && !(p->enc_len == 6 && strncasecmp(p->enc, "binary", 6) == 0))) {
			json_decref(*out);
			*out = NULL;
			rs_error_msg("xapi.multipart.part", NULL);
			return RS_EINVAL;
		}
		struct cpd_xapi_blob *b = &blobs[(*nblob)++];
		memcpy(b->sha2, p->hash, p->hash_len);
		b->sha2[p->hash_len] = '\0';
		for (char *c = b->sha2; *c; c++)
			*c = (char)(*c >= 'A' && *c <= 'Z' ? *c + 32 : *c);
		size_t cl = p->ctype ? (p->ctype_len < sizeof b->ctype ? p->ctype_len : sizeof b->ctype - 1) : 0;
		if (cl)
			memcpy(b->ctype, p->ctype, cl);
		b->ctype[cl] = '\0';
		b->data = (const unsigned char *)p->data;
		b->len = p->len;
	}
	return 0;
}

static enum MHD_Result web_xs_store(struct web_xapi *x, const char *statement_id)
{
	enum MHD_Result reply;
	static const char *const put_params[] = { "statementId", NULL };
	static const char *const post_params[] = { NULL };
	if (web_xapi_params_only(x, statement_id ? put_params : post_params, &reply) != 0)
		return reply;
	json_t *body = NULL;
	struct cpd_xapi_blob blobs[CPD_XAPI_PARTS_MAX];
	size_t nblob = 0;
	int rc = web_xs_read(x, &body, blobs, &nblob);
	if (rc != 0)
		return web_xapi_reply_rc(x, rc);
	json_t *stmts;
	if (json_is_array(body) && !statement_id) {
		stmts = body;
	} else if (json_is_object(body)) {
		stmts = json_pack("[o]", body);
	} else {
		json_decref(body);
		return web_xapi_error(x, MHD_HTTP_BAD_REQUEST, "xapi.bad.body", NULL);
	}
	for (size_t i = 0; rc == 0 && i < json_array_size(stmts); i++)
		rc = cpd_xapi_validate(json_array_get(stmts, i));
	if (rc == 0 && json_array_size(stmts) == 0) {
		rs_error_msg("xapi.batch_size", NULL);
		rc = RS_EINVAL;
	}
	rs_db *db = NULL;
	if (rc == 0)
		rc = web_db(x->req, &db);
	json_t *ids = NULL, *authority = web_xs_authority(x);
	struct cpd_xapi_who who;
	char actor[40];
	web_xs_who(&who, x, authority, actor, sizeof actor);
	if (rc == 0)
		rc = cpd_xapi_store(&ids, db, &who, stmts, statement_id, blobs, nblob);
	json_decref(stmts);
	json_decref(authority);
	if (rc != 0)
		return web_xapi_reply_rc(x, rc);
	if (statement_id) {
		json_decref(ids);
		return web_xapi_reply_empty(x, MHD_HTTP_NO_CONTENT, NULL);
	}
	return web_xapi_reply_json(x, MHD_HTTP_OK, ids, NULL);
}

enum MHD_Result web_xapi_statements_put(struct web_xapi *x)
{
	const char *id = web_xapi_param(x, "statementId");
	if (!id)
		return web_xapi_error(x, MHD_HTTP_BAD_REQUEST, "xapi.bad.statement_id", NULL);
	if (!cpd_xapi_is_uuid(id))
		return web_xapi_error(x, MHD_HTTP_BAD_REQUEST, "xapi.bad.uuid", "statementId", NULL);
	return web_xs_store(x, id);
}

enum MHD_Result web_xapi_statements_post(struct web_xapi *x)
{
	return web_xs_store(x, NULL);
}

/* ---- GET ---- */

/* `more`: the query's parameters and paging position, as base64url text of a form. */
static const char web_xs_b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

static char *web_xs_b64enc(const char *s, size_t n)
{
	char *out = malloc(n / 3 * 4 + 5);
	if (!out)
		return NULL;
	size_t o = 0;
	for (size_t i = 0; i < n; i += 3) {
		unsigned v = (unsigned)(unsigned char)s[i] << 16;
		if (i + 1 < n)
			v |= (unsigned)(unsigned char)s[i + 1] << 8;
		if (i + 2 < n)
			v |= (unsigned char)s[i + 2];
		out[o++] = web_xs_b64[v >> 18 & 63];
		out[o++] = web_xs_b64[v >> 12 & 63];
		if (i + 1 < n)
			out[o++] = web_xs_b64[v >> 6 & 63];
		if (i + 2 < n)
			out[o++] = web_xs_b64[v & 63];
	}
	out[o] = '\0';
	return out;
}

static char *web_xs_b64dec(const char *s, size_t *out_n)
{
	size_t n = strlen(s);
	char *out = malloc(n + 1);
	if (!out)
		return NULL;
	unsigned v = 0;
	int bits = 0;
	size_t o = 0;
	for (size_t i = 0; i < n; i++) {
		const char *p = strchr(web_xs_b64, s[i]);
		if (!p || !s[i]) {
			free(out);
			return NULL;
		}
		v = v << 6 | (unsigned)(p - web_xs_b64);
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[o++] = (char)(v >> bits & 0xff);
		}
	}
	out[o] = '\0';
	*out_n = o;
	return out;
}

static void web_xs_urlenc(char **buf, size_t *len, size_t *cap, const char *s)
{
	for (; *s; s++) {
		if (*len + 4 >= *cap) {
			size_t nc = *cap * 2 + 64;
			char *nb = realloc(*buf, nc);
			if (!nb)
				return;
			*buf = nb;
			*cap = nc;
		}
		unsigned char c = (unsigned char)*s;
		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
		    c == '.' || c == '~')
			(*buf)[(*len)++] = (char)c;
		else
			*len += (size_t)snprintf(*buf + *len, 4, "%%%02X", c);
	}
	(*buf)[*len] = '\0';
}

static const char *const web_xs_query_params[] = { "agent", "verb", "activity", "registration",
	                                           "related_activities", "related_agents", "since", "until",
	                                           "limit", "format", "attachments", "ascending", NULL };

static char *web_xs_more(struct web_xapi *x, const json_t *params, int64_t after, int64_t upto)
{
	size_t len = 0, cap = 256;
	char *buf = malloc(cap);
	if (!buf)
		return NULL;
	buf[0] = '\0';
	for (int i = 0; web_xs_query_params[i]; i++) {
		const char *v = json_string_value(json_object_get(params, web_xs_query_params[i]));
		if (!v)
			continue;
		web_xs_urlenc(&buf, &len, &cap, web_xs_query_params[i]);
		web_xs_urlenc(&buf, &len, &cap, "\x01");
		web_xs_urlenc(&buf, &len, &cap, v);
		web_xs_urlenc(&buf, &len, &cap, "\x02");
	}
	char tail[64];
	snprintf(tail, sizeof tail, "@%lld@%lld", (long long)after, (long long)upto);
	web_xs_urlenc(&buf, &len, &cap, tail);
	char *tok = web_xs_b64enc(buf, len);
	free(buf);
	if (!tok)
		return NULL;
	char *url = NULL;
	if (asprintf(&url, "/xapi/statements?more=%s", tok) < 0)
		url = NULL;
	free(tok);
	(void)x;
	return url;
}

static int web_xs_hexval(int c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'A' && c <= 'F' ? c - 'A' + 10 : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Read a `more` token back into params (an object) and the paging position. */
static int web_xs_more_read(json_t *params, int64_t *after, int64_t *upto, const char *tok)
{
	size_t n;
	char *enc = web_xs_b64dec(tok, &n);
	if (!enc)
		return RS_EINVAL;
	char *dec = malloc(n + 1);
	size_t o = 0;
	int rc = dec ? 0 : RS_ENOMEM;
	for (size_t i = 0; rc == 0 && i < n; i++) {
		if (enc[i] == '%' && i + 2 < n && web_xs_hexval(enc[i + 1]) >= 0 && web_xs_hexval(enc[i + 2]) >= 0) {
			dec[o++] = (char)(web_xs_hexval(enc[i + 1]) << 4 | web_xs_hexval(enc[i + 2]));
			i += 2;
		} else {
			dec[o++] = enc[i];
		}
	}
	free(enc);
	if (rc != 0)
		return rc;
	dec[o] = '\0';
	char *p = dec, *at = strrchr(dec, '@');
	long long a = 0, u = 0;
	if (!at || at == dec) {
		free(dec);
		return RS_EINVAL;
	}
	*at = '\0';
	char *at2 = strrchr(dec, '@');
	if (!at2 || sscanf(at2 + 1, "%lld", &a) != 1 || sscanf(at + 1, "%lld", &u) != 1) {
		free(dec);
		return RS_EINVAL;
	}
	*at2 = '\0';
	while (*p) {
		char *k = p, *sep = strchr(p, '\x01');
		if (!sep)
			break;
		*sep = '\0';
		char *v = sep + 1, *end = strchr(v, '\x02');
		if (!end)
			break;
		*end = '\0';
		json_object_set_new(params, k, json_string(v));
		p = end + 1;
	}
	free(dec);
	*after = a;
	*upto = u;
	return 0;
}

static int web_xs_bool(int *out, const json_t *params, const char *name)
{
	const char *v = json_string_value(json_object_get(params, name));
	*out = 0;
	if (!v)
		return 0;
	if (strcmp(v, "true") == 0)
		*out = 1;
	else if (strcmp(v, "false") != 0) {
		rs_error_msg("xapi.bad.param", name, NULL);
		return RS_EINVAL;
	}
	return 0;
}

/* The multipart/mixed answer of attachments=true: the JSON, then each attachment. */
static char *web_xs_multipart(const char *json, const struct cpd_xapi_result *r, size_t *out_len, char *boundary,
                              size_t bn)
{
	snprintf(boundary, bn, "xapi-%s", "b0undary7f3c9a2e");
	size_t jl = strlen(json), total = jl + 256;
	for (size_t i = 0; i < r->nblob; i++)
		total += r->blobs[i].len + 512;
	char *buf = malloc(total);
	if (!buf)
		return NULL;
	size_t o = (size_t)snprintf(buf, total, "--%s\r\nContent-Type: application/json\r\n\r\n", boundary);
	memcpy(buf + o, json, jl);
	o += jl;
	for (size_t i = 0; i < r->nblob; i++) {
		o += (size_t)snprintf(buf + o, total - o,
		                      "\r\n--%s\r\nContent-Type: %s\r\nContent-Transfer-Encoding: binary\r\n"
		                      "X-Experience-API-Hash: %s\r\n\r\n",
		                      boundary, r->blobs[i].ctype, r->blobs[i].sha2);
		memcpy(buf + o, r->blobs[i].data, r->blobs[i].len);
		o += r->blobs[i].len;
	}
	o += (size_t)snprintf(buf + o, total - o, "\r\n--%s--", boundary);
	*out_len = o;
	return buf;
}

static void web_xs_now(char *out, size_t n)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	struct tm tm;
	gmtime_r(&ts.tv_sec, &tm);
	snprintf(out, n, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", (tm.tm_year + 1900) % 10000, (tm.tm_mon + 1) % 100,
	         tm.tm_mday % 100, tm.tm_hour % 100, tm.tm_min % 100, tm.tm_sec % 100, (int)(ts.tv_nsec / 1000000) % 1000);
}

enum MHD_Result web_xapi_statements_get(struct web_xapi *x)
{
	static const char *const allowed[] = { "statementId", "voidedStatementId", "agent", "verb", "activity",
		                               "registration", "related_activities", "related_agents", "since",
		                               "until", "limit", "format", "attachments", "ascending", "more", NULL };
	/* X-Experience-API-Consistent-Through: the frame puts it on every answer, refusals
	 * too; the successful answers carry the time of the query. */
	char consistent[40];
	web_xs_now(consistent, sizeof consistent);
	enum MHD_Result reply;
	if (web_xapi_params_only(x, allowed, &reply) != 0)
		return reply;
	json_t *params = json_deep_copy(x->params ? x->params : json_object());
	if (!params)
		params = json_object();
	struct cpd_xapi_query q = { 0 };
	json_t *agent = NULL;
	int rc = 0;
	const char *more = json_string_value(json_object_get(params, "more"));
	if (more) {
		json_t *p2 = json_object();
		rc = web_xs_more_read(p2, &q.after_seq, &q.upto_seq, more);
		json_decref(params);
		params = p2;
		if (rc != 0) {
			json_decref(params);
			return web_xapi_error(x, MHD_HTTP_BAD_REQUEST, "xapi.bad.param", "more", NULL);
		}
	}
	q.statement_id = json_string_value(json_object_get(params, "statementId"));
	q.voided_statement_id = json_string_value(json_object_get(params, "voidedStatementId"));
	if (q.statement_id || q.voided_statement_id) {
		const char *k;
		json_t *v;
		json_object_foreach(params, k, v) {
			if (strcmp(k, "attachments") && strcmp(k, "format") && strcmp(k, "statementId") &&
			    strcmp(k, "voidedStatementId")) {
				json_decref(params);
				return web_xapi_error(x, MHD_HTTP_BAD_REQUEST, "xapi.bad.param", k, NULL);
			}
		}
		if (q.statement_id && q.voided_statement_id) {
			json_decref(params);
			return web_xapi_error(x, MHD_HTTP_BAD_REQUEST, "xapi.bad.param", "voidedStatementId", NULL);
		}
	}
	if (json_object_get(params, "agent")) {
		char key[2101];
		json_t *saved = x->params;
		x->params = params;
		int ar = web_xapi_agent_param(x, &agent, key, &reply);
		x->params = saved;
		if (ar != 0) {
			json_decref(params);
			return reply;
		}
		q.agent = agent;
	}
	q.verb = json_string_value(json_object_get(params, "verb"));
	q.activity = json_string_value(json_object_get(params, "activity"));
	q.registration = json_string_value(json_object_get(params, "registration"));
	for (int i = 0; i < 2; i++) {
		const char *v = i ? q.activity : q.verb;
		if (v && !cpd_xapi_is_iri(v)) {
			rs_error_msg("xapi.bad.iri", i ? "activity" : "verb", NULL);
			rc = RS_EINVAL;
		}
	}
	if (q.registration && !cpd_xapi_is_uuid(q.registration)) {
		rs_error_msg("xapi.bad.uuid", "registration", NULL);
		rc = RS_EINVAL;
	}
	if (rc == 0)
		rc = web_xs_bool(&q.related_activities, params, "related_activities");
	if (rc == 0)
		rc = web_xs_bool(&q.related_agents, params, "related_agents");
	if (rc == 0)
		rc = web_xs_bool(&q.attachments, params, "attachments");
	if (rc == 0)
		rc = web_xs_bool(&q.ascending, params, "ascending");
	for (int i = 0; rc == 0 && i < 2; i++) {
		const char *name = i ? "until" : "since";
		const char *v = json_string_value(json_object_get(params, name));
		if (v && cpd_xapi_time_parse(i ? &q.until_us : &q.since_us, v) != 0) {
			rs_error_msg("xapi.bad.param", name, NULL);
			rc = RS_EINVAL;
		}
	}
	const char *lim = json_string_value(json_object_get(params, "limit"));
	if (rc == 0 && lim) {
		char *end;
		long l = strtol(lim, &end, 10);
		if (!*lim || *end || l < 0) {
			rs_error_msg("xapi.bad.param", "limit", NULL);
			rc = RS_EINVAL;
		}
		q.limit = (int)(l > CPD_XAPI_LIMIT_MAX ? CPD_XAPI_LIMIT_MAX : l);
	}
	q.format = json_string_value(json_object_get(params, "format"));
	q.accept_language = web_xapi_header(x, "Accept-Language");
	if (rc == 0 && q.format && strcmp(q.format, "ids") && strcmp(q.format, "exact") && strcmp(q.format, "canonical")) {
		rs_error_msg("xapi.bad.param", "format", NULL);
		rc = RS_EINVAL;
	}
	rs_db *db = NULL;
	if (rc == 0)
		rc = web_db(x->req, &db);
	struct cpd_xapi_result r = { 0 };
	struct cpd_xapi_who who;
	char actor[40];
	json_t *authority = web_xs_authority(x);
	web_xs_who(&who, x, authority, actor, sizeof actor);
	if (rc == 0)
		rc = cpd_xapi_query(&r, db, &who, &q);
	json_decref(authority);
	json_decref(agent);
	if (rc != 0) {
		json_decref(params);
		return web_xapi_reply_rc(x, rc);
	}
	if (r.next_after && json_is_object(r.body)) {
		char *url = web_xs_more(x, params, r.next_after, r.next_upto);
		if (url)
			json_object_set_new(r.body, "more", json_string(url));
		free(url);
	}
	json_decref(params);
	const char *hdrs[] = { "X-Experience-API-Consistent-Through", consistent,
		               r.last_modified[0] ? "Last-Modified" : NULL, r.last_modified, NULL };
	if (!q.attachments) {
		json_t *body = r.body;
		r.body = NULL;
		cpd_xapi_result_free(&r);
		return web_xapi_reply_json(x, MHD_HTTP_OK, body, hdrs);
	}
	char *json = json_dumps(r.body, JSON_COMPACT);
	char boundary[64], ctype[96];
	size_t len = 0;
	char *mp = json ? web_xs_multipart(json, &r, &len, boundary, sizeof boundary) : NULL;
	free(json);
	cpd_xapi_result_free(&r);
	if (!mp)
		return web_xapi_reply_rc(x, RS_ENOMEM);
	snprintf(ctype, sizeof ctype, "multipart/mixed; boundary=%s", boundary);
	enum MHD_Result res = web_xapi_reply_bytes(x, MHD_HTTP_OK, ctype, mp, len, hdrs);
	free(mp);
	return res;
}

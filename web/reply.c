/* Responses: JSON, text, RFC 9457 problem+json, and the headers every response carries. */
#include "web.h"

#include "rs_json.h"
#include "rs_error.h"
#include "rs_log.h"
#include "rs_msg.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void web_add_security_headers(struct MHD_Response *resp, int is_html)
{
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(resp, "Referrer-Policy", "no-referrer");
	MHD_add_response_header(resp, "X-Frame-Options", "DENY");
	if (is_html) {
		/* Document-only policies: they mean nothing on an API answer or an asset. */
		MHD_add_response_header(resp, "Cross-Origin-Opener-Policy", "same-origin");
		MHD_add_response_header(resp, "Permissions-Policy", "geolocation=(), microphone=(), camera=(self)");
	}
	if (is_html)
		MHD_add_response_header(resp, "Content-Security-Policy",
			"default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
			"media-src 'self' blob:; connect-src 'self'; object-src 'none'; base-uri 'none'; "
			"form-action 'self'; frame-ancestors 'none'");
	else
		MHD_add_response_header(resp, "Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'");
}

static enum MHD_Result web_queue(struct web_request *req, unsigned status, struct MHD_Response *resp)
{
	MHD_add_response_header(resp, "X-Request-Id", req->id);
	for (size_t i = 0; req->extra_headers && req->extra_headers[i]; i += 2)
		MHD_add_response_header(resp, req->extra_headers[i], req->extra_headers[i + 1]);
	enum MHD_Result r = MHD_queue_response(req->conn, status, resp);
	MHD_destroy_response(resp);
	req->status = status;
	return r;
}

enum MHD_Result web_reply_text_hdrs(struct web_request *req, unsigned status, const char *ctype, const char *text,
                                    size_t len, const char *cache_control, const char *const *headers)
{
	struct MHD_Response *resp = MHD_create_response_from_buffer(len, (void *)(uintptr_t)text, MHD_RESPMEM_MUST_COPY);
	if (!resp)
		return MHD_NO;
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, ctype);
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, cache_control ? cache_control : "no-store");
	for (size_t i = 0; headers && headers[i]; i += 2)
		MHD_add_response_header(resp, headers[i], headers[i + 1]);
	web_add_security_headers(resp, strncmp(ctype, "text/html", 9) == 0);
	req->reply_bytes = len;
	return web_queue(req, status, resp);
}

enum MHD_Result web_reply_text(struct web_request *req, unsigned status, const char *ctype,
                               const char *text, size_t len, const char *cache_control)
{
	return web_reply_text_hdrs(req, status, ctype, text, len, cache_control, NULL);
}

enum MHD_Result web_reply_json(struct web_request *req, unsigned status, json_t *body)
{
	return web_reply_json_hdrs(req, status, body, NULL);
}

/* A not-to-be-cached response of ctype holding body as compact JSON (body is consumed);
 * *len its size. NULL when out of memory. */
static struct MHD_Response *web_json_response(json_t *body, const char *ctype, size_t *len)
{
	char *text = body ? rs_json_dump(body) : NULL;
	json_decref(body);
	if (!text)
		return NULL;
	*len = strlen(text);
	struct MHD_Response *resp = MHD_create_response_from_buffer(*len, text, MHD_RESPMEM_MUST_FREE);
	if (!resp) {
		free(text);
		return NULL;
	}
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, ctype);
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
	return resp;
}

enum MHD_Result web_reply_json_hdrs(struct web_request *req, unsigned status, json_t *body,
                                    const char *const *headers)
{
	size_t len = 0;
	struct MHD_Response *resp = web_json_response(body, "application/json", &len);
	if (!resp)
		return MHD_NO;
	for (size_t i = 0; headers && headers[i]; i += 2)
		MHD_add_response_header(resp, headers[i], headers[i + 1]);
	web_add_security_headers(resp, 0);
	req->reply_bytes = len;
	return web_queue(req, status, resp);
}

/* The problem+json answer: title from the catalogue entry problem.<type>, detail already in
 * the caller's language; msg_id (may be NULL) names the catalogue entry of the detail. */
static enum MHD_Result web_problem_send_ext(struct web_request *req, unsigned status, const char *type,
                                            const char *detail, const char *msg_id, json_t *ext)
{
	char title_id[96];
	snprintf(title_id, sizeof title_id, "problem.%s", type);
	const char *title = rs_msg_text(title_id, req->lang_en);
	if (!title) {
		rs_log(RS_LOG_WARN, "problem type \"%s\" has no catalogue title", type);
		title = rs_msg_text("problem.internal-error", req->lang_en);
	}
	char type_uri[128];
	snprintf(type_uri, sizeof type_uri, "/problems/%s", type);
	json_t *body = json_pack("{s:s, s:s, s:i, s:s, s:s}", "type", type_uri, "title", title,
	                         "status", (int)status, "detail", detail, "instance", req->id);
	if (body && msg_id)
		json_object_set_new(body, "message_id", json_string(msg_id));
	if (body && ext)
		json_object_update_missing(body, ext);
	json_decref(ext);
	size_t len = 0;
	struct MHD_Response *resp = web_json_response(body, "application/problem+json", &len);
	if (!resp)
		return MHD_NO;
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_LANGUAGE, req->lang_en ? "en" : "ja");
	if (status == MHD_HTTP_METHOD_NOT_ALLOWED && req->route == NULL) {
		int known = 0;
		char allow[64] = "";
		web_route_find(req->method, req->url, &known, allow, sizeof allow);
		if (allow[0])
			MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW, allow);
	}
	if (status == MHD_HTTP_SERVICE_UNAVAILABLE)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_RETRY_AFTER, "2");
	if (status == MHD_HTTP_TOO_MANY_REQUESTS && req->retry_after > 0) {
		char ra[16];
		snprintf(ra, sizeof ra, "%d", req->retry_after);
		MHD_add_response_header(resp, MHD_HTTP_HEADER_RETRY_AFTER, ra);
	}
	web_add_security_headers(resp, 0);
	req->reply_bytes = len;
	return web_queue(req, status, resp);
}

static enum MHD_Result web_problem_send(struct web_request *req, unsigned status, const char *type,
                                        const char *detail, const char *msg_id)
{
	return web_problem_send_ext(req, status, type, detail, msg_id, NULL);
}

/* The generic detail of type in the caller's language (problem.<type>.detail). */
static const char *web_problem_generic(struct web_request *req, const char *type, char *id, size_t n)
{
	snprintf(id, n, "problem.%s.detail", type);
	const char *t = rs_msg_text(id, req->lang_en);
	if (!t) {
		snprintf(id, n, "problem.internal-error.detail");
		t = rs_msg_text(id, req->lang_en);
	}
	return t;
}

/* An English sentence reaches only an English reader; a Japanese one gets the type's
 * generic text and the English goes to the log. */
static enum MHD_Result web_problem_english(struct web_request *req, unsigned status, const char *type,
                                           const char *english)
{
	if (req->lang_en)
		return web_problem_send(req, status, type, english, NULL);
	char id[96];
	const char *generic = web_problem_generic(req, type, id, sizeof id);
	rs_log(RS_LOG_INFO, "%s: answered with the generic Japanese text for \"%s\"", type, english);
	return web_problem_send(req, status, type, generic, id);
}

enum MHD_Result web_reply_problem(struct web_request *req, unsigned status, const char *type,
                                  const char *detail_fmt, ...)
{
	char detail[1024];
	va_list ap;
	va_start(ap, detail_fmt);
	vsnprintf(detail, sizeof detail, detail_fmt, ap);
	va_end(ap);
	return web_problem_english(req, status, type, detail);
}

enum MHD_Result web_reply_msg(struct web_request *req, unsigned status, const char *type, const char *msg_id, ...)
{
	const char *args[9];
	size_t k = 0;
	va_list ap;
	va_start(ap, msg_id);
	const char *a;
	while (k < 8 && (a = va_arg(ap, const char *)) != NULL)
		args[k++] = a;
	va_end(ap);
	args[k] = NULL;
	if (!rs_msg_find(msg_id)) {
		rs_log(RS_LOG_WARN, "message id \"%s\" is not in the catalogue", msg_id);
		char id[96];
		return web_problem_send(req, status, type, web_problem_generic(req, type, id, sizeof id), id);
	}
	char detail[1024];
	rs_msg_format(detail, sizeof detail, msg_id, req->lang_en, args);
	return web_problem_send(req, status, type, detail, msg_id);
}

enum MHD_Result web_reply_error_ext(struct web_request *req, unsigned status, const char *type, json_t *ext)
{
	const char *id = rs_error_last_id();
	if (id && rs_msg_find(id)) {
		char detail[1024];
		rs_error_last_text(detail, sizeof detail, req->lang_en);
		char idcopy[64];
		snprintf(idcopy, sizeof idcopy, "%s", id);
		return web_problem_send_ext(req, status, type, detail, idcopy, ext);
	}
	if (req->lang_en)
		return web_problem_send_ext(req, status, type, rs_error_last(), NULL, ext);
	char gid[96];
	const char *generic = web_problem_generic(req, type, gid, sizeof gid);
	rs_log(RS_LOG_INFO, "%s: answered with the generic Japanese text for \"%s\"", type, rs_error_last());
	return web_problem_send_ext(req, status, type, generic, gid, ext);
}

enum MHD_Result web_reply_error(struct web_request *req, unsigned status, const char *type)
{
	return web_reply_error_ext(req, status, type, NULL);
}

enum MHD_Result web_reply_rc(struct web_request *req, int rc, const char *type)
{
	unsigned status;
	const char *dflt;
	switch (rc) {
	case RS_EINVAL: case RS_EPARSE: case RS_ERANGE: status = MHD_HTTP_UNPROCESSABLE_CONTENT; dflt = "invalid-request"; break;
	case RS_ETOOBIG: status = MHD_HTTP_CONTENT_TOO_LARGE; dflt = "body-too-large"; break;
	case RS_ENOTFOUND: status = MHD_HTTP_NOT_FOUND; dflt = "not-found"; break;
	case RS_EAUTH: status = MHD_HTTP_UNAUTHORIZED; dflt = "unauthenticated"; break;
	case RS_EPERM: status = MHD_HTTP_FORBIDDEN; dflt = "forbidden"; break;
	case RS_ESTATE: case RS_ECONFLICT: case RS_EEXIST: status = MHD_HTTP_CONFLICT; dflt = "conflict"; break;
	case RS_EUNAVAIL:
		rs_log(RS_LOG_WARN, "service unavailable: %s", rs_error_last());
		return web_reply_msg(req, MHD_HTTP_SERVICE_UNAVAILABLE, "service-unavailable", "http.db_unreachable", NULL);
	default:
		/* A bug, not the caller's input: logged with the request id, no details out. */
		rs_log(RS_LOG_ERROR, "request failed: %s", rs_error_last());
		return web_reply_msg(req, MHD_HTTP_INTERNAL_SERVER_ERROR, "internal-error", "problem.internal-error.detail", NULL);
	}
	return web_reply_error(req, status, type && type[0] ? type : dflt);
}

void web_msg_localise(const struct web_request *req, json_t *items)
{
	size_t i;
	json_t *o;
	json_array_foreach(items, i, o) {
		const char *id = json_string_value(json_object_get(o, "message_id"));
		if (!id || !rs_msg_find(id))
			continue;
		const char *args[9];
		size_t k = 0;
		json_t *a = json_object_get(o, "args");
		for (; k < 8 && k < json_array_size(a); k++)
			args[k] = json_string_value(json_array_get(a, k)) ? json_string_value(json_array_get(a, k)) : "";
		args[k] = NULL;
		char text[1024];
		rs_msg_format(text, sizeof text, id, req->lang_en, args);
		json_object_set_new(o, "message", json_string(text));
	}
}

/* Responses: JSON, text, RFC 9457 problem+json, and the headers every response carries. */
#include "web.h"

#include "rs_json.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void web_add_security_headers(struct MHD_Response *resp, int is_html)
{
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(resp, "Referrer-Policy", "no-referrer");
	MHD_add_response_header(resp, "X-Frame-Options", "DENY");
	MHD_add_response_header(resp, "Cross-Origin-Opener-Policy", "same-origin");
	MHD_add_response_header(resp, "Permissions-Policy", "geolocation=(), microphone=(), camera=(self)");
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
	enum MHD_Result r = MHD_queue_response(req->conn, status, resp);
	MHD_destroy_response(resp);
	req->status = status;
	return r;
}

enum MHD_Result web_reply_text(struct web_request *req, unsigned status, const char *ctype,
                               const char *text, size_t len, const char *cache_control)
{
	struct MHD_Response *resp = MHD_create_response_from_buffer(len, (void *)(uintptr_t)text, MHD_RESPMEM_MUST_COPY);
	if (!resp)
		return MHD_NO;
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, ctype);
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, cache_control ? cache_control : "no-store");
	web_add_security_headers(resp, strncmp(ctype, "text/html", 9) == 0);
	req->reply_bytes = len;
	return web_queue(req, status, resp);
}

enum MHD_Result web_reply_json(struct web_request *req, unsigned status, json_t *body)
{
	return web_reply_json_hdrs(req, status, body, NULL);
}

enum MHD_Result web_reply_json_hdrs(struct web_request *req, unsigned status, json_t *body,
                                    const char *const *headers)
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
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
	for (size_t i = 0; headers && headers[i]; i += 2)
		MHD_add_response_header(resp, headers[i], headers[i + 1]);
	web_add_security_headers(resp, 0);
	req->reply_bytes = len;
	return web_queue(req, status, resp);
}

/* Titles of the problem types, in Japanese and English (docs/api.md lists them). */
static const struct {
	const char *type, *ja, *en;
} web_problem_titles[] = {
	{ "not-found", "見つかりません", "Not found" },
	{ "method-not-allowed", "この操作は許可されていません", "Method not allowed" },
	{ "unauthenticated", "サインインが必要です", "Sign-in required" },
	{ "forbidden", "権限がありません", "Forbidden" },
	{ "body-too-large", "リクエストが大きすぎます", "Request body too large" },
	{ "malformed-json", "JSON の形式が正しくありません", "Malformed JSON" },
	{ "invalid-request", "入力内容に誤りがあります", "Invalid request" },
	{ "unsupported-media-type", "対応していない形式です", "Unsupported media type" },
	{ "service-unavailable", "ただいま処理できません。しばらくお待ちください", "Service unavailable; please wait" },
	{ "conflict", "競合が発生しました", "Conflict" },
	{ "rate-limited", "リクエストが多すぎます", "Too many requests" },
	{ "internal-error", "内部エラーが発生しました", "Internal error" },
	{ "csrf", "操作を確認できませんでした。画面を再読み込みしてください", "Request could not be verified (CSRF); reload the page" },
	{ "sign-in-failed", "サインインできませんでした", "Sign-in failed" },
};

enum MHD_Result web_reply_problem(struct web_request *req, unsigned status, const char *type,
                                  const char *detail_fmt, ...)
{
	char detail[1024];
	va_list ap;
	va_start(ap, detail_fmt);
	vsnprintf(detail, sizeof detail, detail_fmt, ap);
	va_end(ap);
	const char *title = type;
	for (size_t i = 0; i < sizeof web_problem_titles / sizeof web_problem_titles[0]; i++)
		if (strcmp(web_problem_titles[i].type, type) == 0)
			title = req->lang_en ? web_problem_titles[i].en : web_problem_titles[i].ja;
	char type_uri[128];
	snprintf(type_uri, sizeof type_uri, "/problems/%s", type);
	json_t *body = json_pack("{s:s, s:s, s:i, s:s, s:s}", "type", type_uri, "title", title,
	                         "status", (int)status, "detail", detail, "instance", req->id);
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
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "application/problem+json");
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
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
	web_add_security_headers(resp, 0);
	req->reply_bytes = len;
	return web_queue(req, status, resp);
}

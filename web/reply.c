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
	{ "time-up", "試験時間が終了しました", "The exam time is over" },
	{ "not-current-item", "現在の問題ではありません", "Not the current question" },
	{ "wrong-position", "現在の問題ではありません（画面を再読み込みしてください）", "Not the current position; reload" },
	{ "answer-conflict", "この問題は別の選択肢で解答済みです", "Already answered with another choice" },
	{ "session-paused", "試験は一時停止中です。お待ちください", "The exam is paused; please wait" },
	{ "session-finished", "試験は終了しています", "The exam has ended" },
	{ "not-started", "試験はまだ開始されていません", "The exam has not started" },
	{ "not-finished", "試験はまだ終了していません", "The exam has not ended yet" },
	{ "exam-session-invalid", "この端末には有効な受験セッションがありません", "No valid exam session on this workstation" },
	{ "admission-code-invalid", "入室コードが正しくありません", "Admission code not valid" },
	{ "identity-not-checked", "本人確認が済んでいません", "Identity not checked" },
	{ "already-admitted", "すでに入室済みです", "Already admitted" },
	{ "not-admitted", "まだ入室していません", "Not admitted yet" },
	{ "not-today", "本日の予約ではありません", "Not a booking for today" },
	{ "retake-too-soon", "再受験の待機期間中です", "Retake waiting period not over" },
	{ "session-state", "この状態ではその操作はできません", "Not possible in the session's state" },
	{ "import-refused", "取り込みできませんでした", "Import refused" },
	{ "booking-refused", "予約できませんでした", "Booking refused" },
	{ "invalid-field", "入力内容に誤りがあります", "Invalid field" },
	{ "already-exists", "すでに存在します", "Already exists" },
	{ "session-unknown", "受験セッションが見つかりません", "Unknown exam session" },
	{ "exam-version-mismatch", "試験の版が一致しません", "Exam version mismatch" },
	{ "invalid-answer", "解答の形式が正しくありません", "Invalid answer" },
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

/* /i18n/messages.js: the whole message catalogue for the pages, both languages, built once
 * from the compiled table (window.RISS_MESSAGES = {id: [ja, en], ...}), and the coded
 * attribute lists of common/rs_attr.h (window.RISS_ATTR_CODES = {field: [code, ...]}) so the
 * pages' select lists come from the one table the server checks against; with an ETag. */
#include "web.h"

#include "rs_attr.h"
#include "rs_json.h"
#include "rs_msg.h"

#include <openssl/sha.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static pthread_once_t web_msgjs_once = PTHREAD_ONCE_INIT;
static char *web_msgjs;      /* the script, or NULL when it could not be built */
static size_t web_msgjs_len;
static char web_msgjs_etag[24];

static void web_msgjs_build(void)
{
	json_t *all = json_object();
	for (unsigned i = 0; all && i < rs_msg_table_len; i++)
		json_object_set_new(all, rs_msg_table[i].id, json_pack("[s,s]", rs_msg_table[i].ja, rs_msg_table[i].en));
	json_t *attrs = json_object();
	for (int k = 0; attrs && k < RS_ATTR_N; k++) {
		size_t n;
		const char *const *codes = rs_attr_codes((enum rs_attr_kind)k, &n);
		json_t *list = json_array();
		for (size_t i = 0; list && i < n; i++)
			json_array_append_new(list, json_string(codes[i]));
		json_object_set_new(attrs, rs_attr_field((enum rs_attr_kind)k), list);
	}
	char *json = all ? json_dumps(all, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	char *ajson = attrs ? json_dumps(attrs, JSON_COMPACT) : NULL;
	json_decref(all);
	json_decref(attrs);
	if (!json || !ajson) {
		free(json);
		free(ajson);
		return;
	}
	static const char head[] = "window.RISS_MESSAGES=", mid[] = ";\nwindow.RISS_ATTR_CODES=", tail[] = ";\n";
	size_t n = strlen(json), an = strlen(ajson);
	web_msgjs_len = sizeof head - 1 + n + sizeof mid - 1 + an + sizeof tail - 1;
	web_msgjs = malloc(web_msgjs_len + 1);
	if (web_msgjs) {
		snprintf(web_msgjs, web_msgjs_len + 1, "%s%s%s%s%s", head, json, mid, ajson, tail);
		unsigned char md[SHA256_DIGEST_LENGTH];
		SHA256((const unsigned char *)web_msgjs, web_msgjs_len, md);
		snprintf(web_msgjs_etag, sizeof web_msgjs_etag, "\"%02x%02x%02x%02x%02x%02x%02x%02x\"",
		         md[0], md[1], md[2], md[3], md[4], md[5], md[6], md[7]);
	}
	free(json);
	free(ajson);
}

enum MHD_Result web_h_messages(struct web_request *req)
{
	pthread_once(&web_msgjs_once, web_msgjs_build);
	if (!web_msgjs)
		return web_reply_msg(req, 500, "internal-error", "problem.internal-error.detail", NULL);
	const char *inm = MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_IF_NONE_MATCH);
	const char *hdrs[] = { MHD_HTTP_HEADER_ETAG, web_msgjs_etag, NULL };
	if (inm && strcmp(inm, web_msgjs_etag) == 0)
		return web_reply_text_hdrs(req, MHD_HTTP_NOT_MODIFIED, "text/javascript; charset=utf-8", "", 0,
		                           "no-cache", hdrs);
	return web_reply_text_hdrs(req, MHD_HTTP_OK, "text/javascript; charset=utf-8", web_msgjs, web_msgjs_len,
	                           "no-cache", hdrs);
}

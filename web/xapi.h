/* rissd: the xAPI 1.0.3 Learning Record Store under /xapi/ (web/xapi.c dispatches; one file
 * per resource: xapi_statements.c, xapi_documents.c, xapi_agents.c, xapi_about.c). What a
 * resource handler receives and how it answers. Private to web/. */
#ifndef WEB_XAPI_H
#define WEB_XAPI_H

#include "web.h"

#include "cpd_lrs.h"

#define WEB_XAPI_VERSION "1.0.3"
#define WEB_XAPI_MAX_PARAMS 32
#define WEB_XAPI_PARAM_MAX 8192        /* bytes of one parameter value */

/* One xAPI request as a resource handler sees it: authenticated, version checked, the
 * alternate request syntax (POST ?method=X with a form body) already turned into the
 * request it stands for. */
struct web_xapi {
	struct web_request *req;       /* the HTTP request (req->db via web_db, req->id, ...) */
	const char *method;            /* effective method: GET, HEAD, PUT, POST, DELETE */
	const char *resource;          /* path after /xapi/: "statements", "activities/state", ... */
	int64_t provider_id;           /* the authenticated provider (0 only for /xapi/about) */
	char username[24];             /* its xAPI credential (rxu_...), for the authority */
	const char *version;           /* X-Experience-API-Version the client sent ("1.0.3") */
	json_t *params;                /* query parameters (alternate syntax: the form fields that
	                                * are not headers): object name -> string, all decoded */
	const char *body;              /* request content (alternate syntax: the "content" field),
	                                * NUL-terminated; "" when none */
	size_t body_len;
	const char *content_type;      /* Content-Type of body ("" when none) */
	const char *if_match;          /* If-Match / If-None-Match, or NULL */
	const char *if_none_match;
	int alternate;                 /* the request came in the alternate syntax */
	char *form_storage;            /* owned by the dispatcher */
	const char *form_headers[12];  /* header fields of the alternate syntax: name, value, ... */
	char consistent[32];           /* X-Experience-API-Consistent-Through of a statements GET */
	const char *frame_headers[12]; /* the headers every answer of this request carries */
};

typedef enum MHD_Result (*web_xapi_handler)(struct web_xapi *x);

/* The authority of statements these credentials send (caller owns): the Agent
 * {"objectType": "Agent", "account": {"homePage": <public_base_url>/xapi/, "name": <username>}}. */
json_t *web_xapi_authority(const struct web_xapi *x);
/* A header of the request (the alternate syntax's form field of that name wins); NULL. */
const char *web_xapi_header(const struct web_xapi *x, const char *name);
/* The query parameter name, or NULL. */
const char *web_xapi_param(const struct web_xapi *x, const char *name);
/* 0 when every parameter is one of allowed (NULL-terminated, case-sensitive as xAPI says);
 * otherwise -1 with the 400 answer queued in *reply. */
int web_xapi_params_only(struct web_xapi *x, const char *const *allowed, enum MHD_Result *reply);
/* Parse the body as JSON (bounded by http_body_limit) into *out (caller owns): 0, or -1 with
 * the 400 answer queued in *reply. */
int web_xapi_body_json(struct web_xapi *x, json_t **out, enum MHD_Result *reply);

/* Answers. Every one carries X-Experience-API-Version and the CORS headers (and, for a
 * statements GET or HEAD, X-Experience-API-Consistent-Through: the time the request was
 * dispatched, refusals included); headers is an optional NULL-terminated list name, value,
 * ... of extra headers, which win over the frame's of the same name. A HEAD request gets the
 * same headers and no body (libmicrohttpd drops it). */
enum MHD_Result web_xapi_reply_json(struct web_xapi *x, unsigned status, json_t *body /* stolen */,
                                    const char *const *headers);
enum MHD_Result web_xapi_reply_bytes(struct web_xapi *x, unsigned status, const char *ctype, const char *data,
                                     size_t len, const char *const *headers);
/* No body (204, or any status). */
enum MHD_Result web_xapi_reply_empty(struct web_xapi *x, unsigned status, const char *const *headers);
/* A refusal: problem+json of type "xapi" with the catalogue text msg_id (args ..., NULL) in
 * the caller's language: {"type": "/problems/xapi", "title", "status", "detail",
 * "message_id", "instance"}. */
#define web_xapi_error(x, status, ...) web_reply_msg((x)->req, (status), "xapi", __VA_ARGS__)
/* A module's failure rc as an xAPI answer: RS_EINVAL/EPARSE/ERANGE 400, RS_ETOOBIG 413,
 * RS_ENOTFOUND 404, RS_EAUTH 401, RS_EPERM 403, RS_EEXIST 409, RS_ESTATE 412, RS_ECONFLICT 409,
 * RS_EUNAVAIL 503, else 500; the detail is the last error (rs_error_msg). */
enum MHD_Result web_xapi_reply_rc(struct web_xapi *x, int rc);

/* The "agent" parameter parsed and validated (*out caller owns; key its identifier as
 * cpd_lrs_agent_key gives it): 0, or -1 with the 400 answer queued (web/xapi_agents.c). */
int web_xapi_agent_param(struct web_xapi *x, json_t **out, char key[CPD_LRS_AGENT_KEY_MAX + 1],
                         enum MHD_Result *reply);

/* Resource handlers (the table in web/xapi.c names them). */
enum MHD_Result web_xapi_statements_get(struct web_xapi *x);    /* GET, HEAD */
enum MHD_Result web_xapi_statements_put(struct web_xapi *x);
enum MHD_Result web_xapi_statements_post(struct web_xapi *x);
enum MHD_Result web_xapi_about(struct web_xapi *x);
enum MHD_Result web_xapi_agents(struct web_xapi *x);
enum MHD_Result web_xapi_activities(struct web_xapi *x);
enum MHD_Result web_xapi_state(struct web_xapi *x);             /* GET HEAD PUT POST DELETE */
enum MHD_Result web_xapi_activity_profile(struct web_xapi *x);
enum MHD_Result web_xapi_agent_profile(struct web_xapi *x);

/* The form-encoded body of the alternate syntax (application/x-www-form-urlencoded): split
 * text (len bytes, modified in place) into at most max name/value pairs, decoding %XX and
 * '+'. 0 and *n, or RS_EPARSE on a pair without '=', a bad escape or a NUL byte, RS_ETOOBIG
 * past max pairs. names[i] and values[i] point into text. */
int web_xapi_form_parse(char *text, size_t len, const char **names, const char **values, size_t max, size_t *n);

#endif

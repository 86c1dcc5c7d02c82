/* Per-thread last-error messages and the names of the error codes. */
#include "rs_error.h"
#include "rs_msg.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static _Thread_local char rs_error_buf[512];
/* The last error's catalogue id and arguments (when it has an id). */
#define RS_ERROR_ARGS 8
static _Thread_local char rs_error_id[64];
static _Thread_local char rs_error_argbuf[512];
static _Thread_local const char *rs_error_argv[RS_ERROR_ARGS + 1];
/* The last error is for the log only (a database's own message): never shown to a client. */
static _Thread_local int rs_error_private;

void rs_error_set(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(rs_error_buf, sizeof rs_error_buf, fmt, ap);
	va_end(ap);
	rs_error_id[0] = '\0';
	rs_error_private = 0;
}

void rs_error_internal(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(rs_error_buf, sizeof rs_error_buf, fmt, ap);
	va_end(ap);
	rs_error_id[0] = '\0';
	rs_error_private = 1;
}

int rs_error_last_private(void)
{
	return rs_error_private;
}

void rs_error_msg(const char *id, ...)
{
	rs_error_private = 0;
	snprintf(rs_error_id, sizeof rs_error_id, "%s", id);
	va_list ap;
	va_start(ap, id);
	size_t used = 0, k = 0;
	const char *a;
	while (k < RS_ERROR_ARGS && (a = va_arg(ap, const char *)) != NULL) {
		size_t len = strlen(a);
		if (len > sizeof rs_error_argbuf - 1 - used)
			len = sizeof rs_error_argbuf - 1 - used;
		memcpy(rs_error_argbuf + used, a, len);
		rs_error_argbuf[used + len] = '\0';
		rs_error_argv[k++] = rs_error_argbuf + used;
		used += len + 1;
		if (used > sizeof rs_error_argbuf - 1)
			used = sizeof rs_error_argbuf - 1;
	}
	va_end(ap);
	rs_error_argv[k] = NULL;
	rs_msg_format(rs_error_buf, sizeof rs_error_buf, rs_error_id, 1, rs_error_argv);
}

const char *rs_error_last_id(void)
{
	return rs_error_id[0] ? rs_error_id : NULL;
}

const char *rs_error_last_text(char *out, unsigned n, int en)
{
	if (rs_error_id[0])
		rs_msg_format(out, n, rs_error_id, en, rs_error_argv);
	else
		snprintf(out, n, "%s", rs_error_buf);
	return out;
}

const char *rs_error_last(void)
{
	return rs_error_buf;
}

void rs_error_clear(void)
{
	rs_error_buf[0] = '\0';
	rs_error_id[0] = '\0';
	rs_error_private = 0;
}

const char *rs_strerror(int code)
{
	switch (code) {
	case RS_OK: return "success";
	case RS_EINVAL: return "invalid input";
	case RS_ENOMEM: return "out of memory";
	case RS_EIO: return "input/output error";
	case RS_ENOTFOUND: return "not found";
	case RS_EEXIST: return "already exists";
	case RS_EDB: return "database error";
	case RS_EUNAVAIL: return "service unavailable";
	case RS_ECONFLICT: return "conflict";
	case RS_ETOOBIG: return "too large";
	case RS_EPARSE: return "malformed input";
	case RS_EAUTH: return "not authenticated";
	case RS_EPERM: return "not permitted";
	case RS_ECRYPTO: return "cryptographic check failed";
	case RS_ESTATE: return "not allowed in this state";
	case RS_ERANGE: return "out of range";
	case RS_ESCHEMA: return "database schema out of date";
	case RS_EINTERNAL: return "internal error";
	default: return "unknown error";
	}
}

/* Per-thread last-error messages and the names of the error codes. */
#include "rs_error.h"

#include <stdarg.h>
#include <stdio.h>

static _Thread_local char rs_error_buf[512];

void rs_error_set(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(rs_error_buf, sizeof rs_error_buf, fmt, ap);
	va_end(ap);
}

const char *rs_error_last(void)
{
	return rs_error_buf;
}

void rs_error_clear(void)
{
	rs_error_buf[0] = '\0';
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

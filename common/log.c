/* One-line log events on stderr, safe to call from many threads. */
#include "rs_log.h"
#include "rs_error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

static enum rs_log_level rs_log_min = RS_LOG_INFO;
static _Thread_local char rs_log_reqid[40];

void rs_log_set_level(enum rs_log_level level)
{
	rs_log_min = level;
}

int rs_log_level_parse(enum rs_log_level *out, const char *name)
{
	static const char *names[] = { "debug", "info", "warn", "error" };
	for (int i = 0; i < 4; i++) {
		if (strcasecmp(name, names[i]) == 0) {
			*out = (enum rs_log_level)i;
			return 0;
		}
	}
	rs_error_set("unknown log level '%s' (use debug, info, warn or error)", name);
	return RS_EINVAL;
}

void rs_log_set_request_id(const char *id)
{
	if (!id) {
		rs_log_reqid[0] = '\0';
		return;
	}
	size_t n = strnlen(id, sizeof rs_log_reqid - 1);
	memcpy(rs_log_reqid, id, n);
	rs_log_reqid[n] = '\0';
}

int rs_log_enabled(enum rs_log_level level)
{
	return level >= rs_log_min;
}

void rs_log(enum rs_log_level level, const char *fmt, ...)
{
	static const char *tags[] = { "DEBUG", "INFO", "WARN", "ERROR" };
	if (level < rs_log_min)
		return;
	char msg[1024], line[2200];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);

	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	struct tm tm;
	gmtime_r(&ts.tv_sec, &tm);
	int n = snprintf(line, sizeof line, "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ %s ",
	                 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
	                 tm.tm_sec, ts.tv_nsec / 1000000, tags[level]);
	if (rs_log_reqid[0])
		n += snprintf(line + n, sizeof line - (size_t)n, "[%s] ", rs_log_reqid);
	for (const char *p = msg; *p && (size_t)n < sizeof line - 6; p++) {
		unsigned char c = (unsigned char)*p;
		if (c == '\n')
			n += snprintf(line + n, sizeof line - (size_t)n, "\\n");
		else if (c < 0x20 || c == 0x7f)
			n += snprintf(line + n, sizeof line - (size_t)n, "\\x%02x", c);
		else
			line[n++] = (char)c;
	}
	line[n++] = '\n';
	/* One write per event keeps lines whole when threads log at once. */
	fwrite(line, 1, (size_t)n, stderr);
}

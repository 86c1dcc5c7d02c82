/* Logging: one line per event on stderr, with time, level and the thread's request id. */
#ifndef RS_LOG_H
#define RS_LOG_H

enum rs_log_level { RS_LOG_DEBUG = 0, RS_LOG_INFO = 1, RS_LOG_WARN = 2, RS_LOG_ERROR = 3 };

/* Set the lowest level printed (default INFO). */
void rs_log_set_level(enum rs_log_level level);
/* Parse "debug|info|warn|error"; returns 0 or RS_EINVAL. */
int rs_log_level_parse(enum rs_log_level *out, const char *name);
/* Tag the calling thread's following lines with a request id (NULL clears it). The string is copied. */
void rs_log_set_request_id(const char *id);
/* Whether lines of this level are printed (to skip building a message nobody reads). */
int rs_log_enabled(enum rs_log_level level);
/* Write one line: "2026-11-25T18:36:25.123Z INFO [req] message". Newlines and control
 * characters in the message are escaped, so one event is always one line. */
void rs_log(enum rs_log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define rs_debug(...) rs_log(RS_LOG_DEBUG, __VA_ARGS__)
#define rs_info(...) rs_log(RS_LOG_INFO, __VA_ARGS__)
#define rs_warn(...) rs_log(RS_LOG_WARN, __VA_ARGS__)
#define rs_err(...) rs_log(RS_LOG_ERROR, __VA_ARGS__)

#endif

/* Error codes and the per-thread last-error message (libgit2 style). */
#ifndef RS_ERROR_H
#define RS_ERROR_H

/* Functions that can fail return 0 or one of these negative codes and record a
 * one-line message with rs_error_set(). */
enum rs_err {
	RS_OK = 0,
	RS_EINVAL = -1,     /* bad input from the caller or a user */
	RS_ENOMEM = -2,     /* allocation failed */
	RS_EIO = -3,        /* file or socket I/O failed */
	RS_ENOTFOUND = -4,  /* the named thing does not exist */
	RS_EEXIST = -5,     /* the thing already exists (unique violation) */
	RS_EDB = -6,        /* the database refused the statement */
	RS_EUNAVAIL = -7,   /* a service (database, signer) cannot be reached now */
	RS_ECONFLICT = -8,  /* concurrent change; retrying may succeed */
	RS_ETOOBIG = -9,    /* input larger than its bound */
	RS_EPARSE = -10,    /* input is not well formed */
	RS_EAUTH = -11,     /* not authenticated */
	RS_EPERM = -12,     /* authenticated but not allowed */
	RS_ECRYPTO = -13,   /* a cryptographic operation or check failed */
	RS_ESTATE = -14,    /* not allowed in the current state */
	RS_ERANGE = -15,    /* a value is outside its bounds */
	RS_ESCHEMA = -16,   /* the database schema is out of date */
	RS_EINTERNAL = -17, /* a bug: should never happen */
};

/* Record the calling thread's last error message (printf format, truncated to 512 bytes). */
void rs_error_set(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* As rs_error_set, for a text that is for the log only (a database server's own message,
 * which may name tables, columns and values): a client is given the generic text instead. */
void rs_error_internal(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* 1 when the last error was recorded with rs_error_internal. */
int rs_error_last_private(void);
/* Record the calling thread's last error as catalogue message id (common/messages/, one TSV per area)
 * with string arguments for {0}, {1}, ... ending in NULL (at most 8, 512 bytes in all).
 * rs_error_last() then gives its English text; rs_error_last_text() either language. */
void rs_error_msg(const char *id, ...) __attribute__((sentinel));
/* The catalogue id of the last error, or NULL when it was recorded with rs_error_set. */
const char *rs_error_last_id(void);
/* The last error in Japanese (en == 0) or English, written into out (size n); for an error
 * without a catalogue id, the text rs_error_set recorded. Returns out. */
const char *rs_error_last_text(char *out, unsigned n, int en);
/* The calling thread's last message, or "" when none; valid until the next rs_error_set. */
const char *rs_error_last(void);
/* Forget the calling thread's last message. */
void rs_error_clear(void);
/* A short English name for a code ("invalid input"); never NULL. */
const char *rs_strerror(int code);

#endif

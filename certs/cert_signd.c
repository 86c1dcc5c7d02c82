/* certs: riss-signd request parsing and the client side of its UNIX-socket protocol. */
#include "cert_signd.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "rs_error.h"

int cert_signd_parse_request(struct cert_signd_req *out, enum cert_signd_status *out_status,
                             const unsigned char *body, size_t len)
{
	size_t kid_len;
	*out_status = CERT_SIGND_BAD_REQUEST;
	if (len > CERT_SIGND_MAX_BODY) {
		*out_status = CERT_SIGND_TOO_BIG;
		rs_error_set("request body of %zu bytes exceeds %d", len, CERT_SIGND_MAX_BODY);
		return RS_ETOOBIG;
	}
	if (len < 2) {
		rs_error_set("request body of %zu bytes is shorter than its header", len);
		return RS_EPARSE;
	}
	if (body[0] != CERT_SIGND_VERSION) {
		rs_error_set("protocol version %u is not %d", body[0], CERT_SIGND_VERSION);
		return RS_EPARSE;
	}
	kid_len = body[1];
	if (kid_len == 0 || kid_len > CERT_KID_MAX || 2 + kid_len > len) {
		rs_error_set("kid length %zu is out of bounds", kid_len);
		return RS_EPARSE;
	}
	for (size_t i = 0; i < kid_len; i++) {
		unsigned char ch = body[2 + i];
		/* kids are base64url thumbprints: anything else is refused before lookup. */
		if (!((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
		      ch == '-' || ch == '_')) {
			rs_error_set("kid holds a character outside base64url");
			return RS_EPARSE;
		}
	}
	memcpy(out->kid, body + 2, kid_len);
	out->kid[kid_len] = '\0';
	out->msg = body + 2 + kid_len;
	out->msg_len = len - 2 - kid_len;
	if (out->msg_len > CERT_SIGND_MAX_MSG) {
		*out_status = CERT_SIGND_TOO_BIG;
		rs_error_set("message of %zu bytes exceeds %d", out->msg_len, CERT_SIGND_MAX_MSG);
		return RS_ETOOBIG;
	}
	*out_status = CERT_SIGND_OK;
	return 0;
}

const char *cert_signd_status_text(int status)
{
	switch (status) {
	case CERT_SIGND_OK: return "ok";
	case CERT_SIGND_UNKNOWN_KID: return "unknown kid";
	case CERT_SIGND_RETIRED_KID: return "retired kid";
	case CERT_SIGND_BAD_REQUEST: return "bad request";
	case CERT_SIGND_TOO_BIG: return "request too big";
	case CERT_SIGND_INTERNAL: return "internal error";
	case CERT_SIGND_NOT_PERMITTED: return "this user may not use the signer (signd_allow_uids, signd_allow_gids)";
	case CERT_SIGND_BAD_INPUT: return "not an input this signer signs";
	default: return "unknown status";
	}
}

struct cert_signd_conn {
	int fd;
};

int cert_signd_connect(struct cert_signd_conn **out, const char *socket_path)
{
	struct sockaddr_un sa;
	struct cert_signd_conn *c;
	int fd;
	memset(&sa, 0, sizeof sa);
	sa.sun_family = AF_UNIX;
	if (strlen(socket_path) >= sizeof sa.sun_path) {
		rs_error_set("socket path '%s' is too long", socket_path);
		return RS_EINVAL;
	}
	strcpy(sa.sun_path, socket_path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
		rs_error_set("cannot reach riss-signd at '%s': %s", socket_path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return RS_EUNAVAIL;
	}
	c = malloc(sizeof *c);
	if (!c) {
		close(fd);
		return RS_ENOMEM;
	}
	c->fd = fd;
	*out = c;
	return 0;
}

void cert_signd_close(struct cert_signd_conn *c)
{
	if (!c)
		return;
	close(c->fd);
	free(c);
}

int cert_signd_io(int fd, void *buf, size_t len, int writing)
{
	unsigned char *p = buf;
	while (len > 0) {
		ssize_t n = writing ? send(fd, p, len, MSG_NOSIGNAL) : recv(fd, p, len, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static int cert_signd_send_req(struct cert_signd_conn *c, const char *kid, const unsigned char *msg, size_t len)
{
	size_t kid_len = strlen(kid);
	unsigned char hdr[6 + CERT_KID_MAX];
	uint32_t body;
	if (kid_len == 0 || kid_len > CERT_KID_MAX) {
		rs_error_set("kid length %zu is out of bounds", kid_len);
		return RS_EINVAL;
	}
	if (len > CERT_SIGND_MAX_MSG) {
		rs_error_set("message of %zu bytes exceeds riss-signd's %d", len, CERT_SIGND_MAX_MSG);
		return RS_ETOOBIG;
	}
	body = (uint32_t)(2 + kid_len + len);
	hdr[0] = (unsigned char)(body >> 24);
	hdr[1] = (unsigned char)(body >> 16);
	hdr[2] = (unsigned char)(body >> 8);
	hdr[3] = (unsigned char)body;
	hdr[4] = CERT_SIGND_VERSION;
	hdr[5] = (unsigned char)kid_len;
	memcpy(hdr + 6, kid, kid_len);
	errno = 0;
	if (cert_signd_io(c->fd, hdr, 6 + kid_len, 1) != 0 ||
	    (len && cert_signd_io(c->fd, (void *)(uintptr_t)msg, len, 1) != 0)) {
		rs_error_set("riss-signd connection lost: %s", errno ? strerror(errno) : "closed");
		return RS_EUNAVAIL;
	}
	return 0;
}

static int cert_signd_read_resp(unsigned char out_sig[CERT_SIG_LEN], struct cert_signd_conn *c, const char *kid)
{
	unsigned char resp[4 + CERT_SIGND_RESP_BODY];
	errno = 0;
	if (cert_signd_io(c->fd, resp, sizeof resp, 0) != 0) {
		rs_error_set("riss-signd connection lost: %s", errno ? strerror(errno) : "closed");
		return RS_EUNAVAIL;
	}
	if (resp[0] || resp[1] || resp[2] || resp[3] != CERT_SIGND_RESP_BODY) {
		rs_error_set("riss-signd answered with a malformed response");
		return RS_EUNAVAIL;
	}
	switch (resp[4]) {
	case CERT_SIGND_OK:
		memcpy(out_sig, resp + 5, CERT_SIG_LEN);
		return 0;
	case CERT_SIGND_UNKNOWN_KID:
		rs_error_set("riss-signd: unknown kid '%s'", kid);
		return RS_ENOTFOUND;
	case CERT_SIGND_RETIRED_KID:
		rs_error_set("riss-signd: key '%s' is retired", kid);
		return RS_ESTATE;
	case CERT_SIGND_TOO_BIG:
		rs_error_set("riss-signd: request too big");
		return RS_ETOOBIG;
	case CERT_SIGND_BAD_REQUEST:
		rs_error_set("riss-signd: bad request");
		return RS_EINVAL;
	case CERT_SIGND_BAD_INPUT:
		rs_error_set("riss-signd: %s", cert_signd_status_text(resp[4]));
		return RS_EINVAL;
	case CERT_SIGND_NOT_PERMITTED:
		rs_error_set("riss-signd: %s", cert_signd_status_text(resp[4]));
		return RS_EPERM;
	default:
		rs_error_set("riss-signd: %s", cert_signd_status_text(resp[4]));
		return RS_ECRYPTO;
	}
}

int cert_signd_conn_sign(unsigned char out_sig[CERT_SIG_LEN], struct cert_signd_conn *c,
                         const char *kid, const unsigned char *msg, size_t len)
{
	int rc = cert_signd_send_req(c, kid, msg, len);
	return rc ? rc : cert_signd_read_resp(out_sig, c, kid);
}

int cert_signd_conn_sign_many(unsigned char (*out_sigs)[CERT_SIG_LEN], struct cert_signd_conn *c, const char *kid,
                              const unsigned char *const *msgs, const size_t *lens, size_t n)
{
	/* Requests go out in groups and the answers are read in order: one round trip per
	 * group instead of per message. Groups stay small enough that neither side's socket
	 * buffer fills while the other is still writing. */
	enum { GROUP = 128 };
	for (size_t i = 0; i < n; i += GROUP) {
		size_t m = n - i < GROUP ? n - i : GROUP, sent = 0;
		int rc = 0;
		for (; sent < m && rc == 0; sent++)
			rc = cert_signd_send_req(c, kid, msgs[i + sent], lens[i + sent]);
		if (rc != 0)
			sent--;
		int first = rc;
		/* Read an answer for every request sent, so the connection stays in step. */
		for (size_t k = 0; k < sent; k++) {
			int r = cert_signd_read_resp(out_sigs[i + k], c, kid);
			if (r == RS_EUNAVAIL)
				return r;
			if (first == 0)
				first = r;
		}
		if (first != 0)
			return first;
	}
	return 0;
}

int cert_signd_sign(unsigned char out_sig[CERT_SIG_LEN], const char *socket_path,
                    const char *kid, const unsigned char *msg, size_t len)
{
	struct cert_signd_conn *c = NULL;
	int rc = cert_signd_connect(&c, socket_path);
	if (rc)
		return rc;
	rc = cert_signd_conn_sign(out_sig, c, kid, msg, len);
	cert_signd_close(c);
	return rc;
}

struct cert_signd_signer_ctx {
	char *path;
	struct cert_signd_conn *conn; /* guarded by mu */
	pthread_mutex_t mu;           /* one request at a time on the shared connection */
};

static int cert_signd_signer_cb(void *ctx, unsigned char out_sig[CERT_SIG_LEN], const char *kid,
                                const unsigned char *msg, size_t len)
{
	struct cert_signd_signer_ctx *s = ctx;
	int rc = RS_EUNAVAIL;
	pthread_mutex_lock(&s->mu);
	for (int attempt = 0; attempt < 2 && rc == RS_EUNAVAIL; attempt++) {
		if (!s->conn && (rc = cert_signd_connect(&s->conn, s->path)) != 0)
			break;
		rc = cert_signd_conn_sign(out_sig, s->conn, kid, msg, len);
		if (rc == RS_EUNAVAIL) {
			cert_signd_close(s->conn);
			s->conn = NULL;
		}
	}
	pthread_mutex_unlock(&s->mu);
	return rc;
}

static int cert_signd_signer_many_cb(void *ctx, unsigned char (*out_sigs)[CERT_SIG_LEN], const char *kid,
                                     const unsigned char *const *msgs, const size_t *lens, size_t n)
{
	struct cert_signd_signer_ctx *s = ctx;
	int rc = RS_EUNAVAIL;
	pthread_mutex_lock(&s->mu);
	for (int attempt = 0; attempt < 2 && rc == RS_EUNAVAIL; attempt++) {
		if (!s->conn && (rc = cert_signd_connect(&s->conn, s->path)) != 0)
			break;
		rc = cert_signd_conn_sign_many(out_sigs, s->conn, kid, msgs, lens, n);
		if (rc != 0) {
			/* After a refusal mid-group the stream may hold answers nobody reads. */
			cert_signd_close(s->conn);
			s->conn = NULL;
		}
	}
	pthread_mutex_unlock(&s->mu);
	return rc;
}

int cert_signd_signer_new(struct cert_signer *out, const char *socket_path)
{
	struct cert_signd_signer_ctx *s = calloc(1, sizeof *s);
	if (!s || !(s->path = strdup(socket_path))) {
		free(s);
		return RS_ENOMEM;
	}
	pthread_mutex_init(&s->mu, NULL);
	out->sign = cert_signd_signer_cb;
	out->sign_many = cert_signd_signer_many_cb;
	out->ctx = s;
	return 0;
}

void cert_signd_signer_free(struct cert_signer *s)
{
	struct cert_signd_signer_ctx *c;
	if (!s || !s->ctx)
		return;
	c = s->ctx;
	cert_signd_close(c->conn);
	pthread_mutex_destroy(&c->mu);
	free(c->path);
	free(c);
	s->ctx = NULL;
}

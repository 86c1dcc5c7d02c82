/* certs: the riss-signd wire protocol (docs/signd-protocol.md) and its client. */
#ifndef CERT_SIGND_H
#define CERT_SIGND_H

#include <stddef.h>
#include <stdint.h>

#include "cert_keys.h"

#define CERT_SIGND_VERSION 1
#define CERT_SIGND_MAX_MSG (256 * 1024) /* longest message riss-signd signs */
/* Largest request body: version + kid length + kid + message. */
#define CERT_SIGND_MAX_BODY (2 + CERT_KID_MAX + CERT_SIGND_MAX_MSG)
#define CERT_SIGND_RESP_BODY (1 + CERT_SIG_LEN)

/* Response status byte. */
enum cert_signd_status {
	CERT_SIGND_OK = 0,
	CERT_SIGND_UNKNOWN_KID = 1,
	CERT_SIGND_RETIRED_KID = 2,
	CERT_SIGND_BAD_REQUEST = 3,
	CERT_SIGND_TOO_BIG = 4,
	CERT_SIGND_INTERNAL = 5,
	CERT_SIGND_NOT_PERMITTED = 6, /* the peer's uid/gid is not allowed; the connection is closed */
	CERT_SIGND_BAD_INPUT = 7,     /* the message is not one of the kinds riss-signd signs */
};

/* A parsed request; kid and msg point into the body buffer. */
struct cert_signd_req {
	char kid[CERT_KID_MAX + 1];
	const unsigned char *msg;
	size_t msg_len;
};

/* Parse a request body (the bytes after the 4-byte length). Returns 0, or RS_EPARSE /
 * RS_ETOOBIG with a message; *out_status gets the status to answer with. */
int cert_signd_parse_request(struct cert_signd_req *out, enum cert_signd_status *out_status,
                             const unsigned char *body, size_t len);
/* Whether riss-signd may sign msg with kid: a JWS signing input (header alg EdDSA, kid =
 * kid, typ riss+jwt, statuslist+jwt or vc+jwt; payload a JSON object) or a C2SP checkpoint
 * note body. 0, or RS_EINVAL / RS_ETOOBIG with a message. */
int cert_signd_input_check(const unsigned char *msg, size_t len, const char *kid)
	__attribute__((warn_unused_result));
/* Whether a peer with uid/gid may use riss-signd: allow_uids and allow_gids are comma
 * lists of numeric ids or names (empty: nobody by that route); self_uid is always allowed. */
int cert_signd_peer_allowed(unsigned uid, unsigned gid, unsigned self_uid, const char *allow_uids,
                            const char *allow_gids);
/* Send (writing) or receive exactly len bytes on a stream socket, through EINTR.
 * 0, or -1 when the peer closed or the socket failed. Both ends use it. */
int cert_signd_io(int fd, void *buf, size_t len, int writing);
/* Short English text for a status byte. */
const char *cert_signd_status_text(int status);

/* A client connection to riss-signd (reused across requests). */
struct cert_signd_conn;

/* Connect to the socket. Returns 0 or RS_EUNAVAIL. Free with cert_signd_close. */
int cert_signd_connect(struct cert_signd_conn **out, const char *socket_path);
void cert_signd_close(struct cert_signd_conn *c);
/* Sign over an open connection. Returns 0, RS_ENOTFOUND (unknown kid), RS_ESTATE
 * (retired kid), RS_ETOOBIG, RS_EINVAL, RS_EUNAVAIL (connection lost: reconnect) or
 * RS_ECRYPTO. */
int cert_signd_conn_sign(unsigned char out_sig[CERT_SIG_LEN], struct cert_signd_conn *c,
                         const char *kid, const unsigned char *msg, size_t len);
/* Sign n messages on c, pipelined (requests written in groups, answers read in order).
 * Returns 0 or the first error (RS_EUNAVAIL when the connection is lost). */
int cert_signd_conn_sign_many(unsigned char (*out_sigs)[CERT_SIG_LEN], struct cert_signd_conn *c, const char *kid,
                              const unsigned char *const *msgs, const size_t *lens, size_t n);
/* One-shot: connect, sign, close. Same returns as cert_signd_conn_sign. */
int cert_signd_sign(unsigned char out_sig[CERT_SIG_LEN], const char *socket_path,
                    const char *kid, const unsigned char *msg, size_t len);

/* A signer that talks to riss-signd at socket_path, keeping one connection open and
 * reconnecting once when it drops. Thread-safe (requests on it are serialised); give each
 * worker thread its own signer for parallel signing. Free with cert_signd_signer_free. */
int cert_signd_signer_new(struct cert_signer *out, const char *socket_path);
void cert_signd_signer_free(struct cert_signer *s);

#endif

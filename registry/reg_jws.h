/* registry: the credential as a compact JWS (RFC 7515, EdDSA/Ed25519, typ riss+jwt) —
 * building and signing it, and a strict, size-bounded offline verifier against a JWKS. */
#ifndef REG_JWS_H
#define REG_JWS_H

#include <stddef.h>
#include <stdint.h>

#include "cert_keys.h"

#define REG_JWS_MAX 4096         /* longest token accepted (a real one is under 1 KB) */
#define REG_CLOCK_SKEW_S 300     /* tolerated clock skew on iat and exp */
#define REG_STR_MAX 256          /* bound on each string claim, in bytes */
#define REG_URI_MAX 512

/* The claims of a credential: exactly these, nothing else (no date of birth). */
struct reg_credential {
	char iss[REG_URI_MAX];       /* registry base URL */
	char sub[16];                /* 6-digit registration number */
	char name[REG_STR_MAX];      /* name as registered (kanji), UTF-8 */
	char name_latn[REG_STR_MAX]; /* romaji */
	char qual[16];               /* "RISS" */
	char reg_date[16];           /* YYYY-MM-DD */
	int64_t renewal_count;
	int64_t iat;
	int64_t exp;                 /* end of the current validity */
	uint64_t status_idx;         /* index in the status list */
	char status_uri[REG_URI_MAX];/* URL of the statuslist+jwt */
};

/* Build and sign a credential with key kid through signer. *out_jws is a NUL-terminated
 * compact JWS the caller frees. Returns 0, RS_EINVAL (a claim out of bounds, with its
 * name) or the signer's error. */
int reg_jws_sign(char **out_jws, const struct reg_credential *cred, const char *kid,
                 const struct cert_signer *signer);
/* Sign n credentials with kid in one go (riss-signd pipelines them). All or nothing:
 * out_jws[i] are the caller's on success, untouched on failure. */
int reg_jws_sign_many(char **out_jws, const struct reg_credential *c, size_t n, const char *kid,
                      const struct cert_signer *signer);

/* Why a token was rejected. Stable: codes are part of the verify API. */
enum reg_jws_reason {
	REG_JWS_VALID = 0,
	REG_JWS_TOO_BIG,          /* longer than REG_JWS_MAX */
	REG_JWS_TRUNCATED,        /* fewer than three parts, or a short signature */
	REG_JWS_MALFORMED,        /* more than three parts, or an empty header/payload */
	REG_JWS_NOT_BASE64URL,    /* a part is not base64url */
	REG_JWS_BAD_HEADER,       /* header not JSON or not exactly {alg, kid, typ} */
	REG_JWS_ALG_NONE,         /* alg "none": unsigned */
	REG_JWS_ALG_UNSUPPORTED,  /* alg other than EdDSA (HS256, RS256, ...) */
	REG_JWS_BAD_TYP,          /* typ is not riss+jwt */
	REG_JWS_UNKNOWN_KID,      /* kid not in the JWKS */
	REG_JWS_BAD_SIGNATURE,    /* the signature does not match header and payload */
	REG_JWS_RETIRED_KEY,      /* signed by a key after its retirement */
	REG_JWS_BAD_CLAIMS,       /* payload not JSON, or claims not exactly the set above */
	REG_JWS_WRONG_ISSUER,     /* iss is not the expected registry */
	REG_JWS_NOT_YET_VALID,    /* iat in the future beyond the skew */
	REG_JWS_EXPIRED,          /* exp in the past beyond the skew */
	REG_JWS_REVOKED,          /* status list says 1 (invalid) */
	REG_JWS_SUSPENDED,        /* status list says 2 (suspended) */
	REG_JWS_STATUS_UNKNOWN,   /* the status could not be looked up */
	REG_JWS_PENDING,          /* genuine, but the registration date (reg_date, JST) is still to come */
};

/* Look up the status (0 valid, 1 invalid, 2 suspended, 3 reserved) of entry idx of the
 * status list at uri. Returns 0 and sets *out_status, or a negative RS_E* code. */
typedef int (*reg_status_fn)(void *ctx, uint8_t *out_status, const char *uri, uint64_t idx);

struct reg_verify_opts {
	const struct cert_jwks *jwks; /* keys that may have signed; required */
	int64_t now;                  /* Unix seconds */
	const char *expected_iss;     /* NULL: any issuer */
	reg_status_fn status;         /* NULL: status not checked (offline) */
	void *status_ctx;
};

struct reg_verify_result {
	enum reg_jws_reason reason;
	char message[256];            /* one human line: why */
	char kid[CERT_KID_MAX + 1];   /* header kid when it could be read */
	int have_claims;              /* cred below is filled (signature verified) */
	struct reg_credential cred;
};

/* Verify a compact JWS credential: size, structure, header, key, signature, retirement,
 * claims, issuer, time (with REG_CLOCK_SKEW_S of skew), then status. out is always
 * filled. Returns 0 when valid, else a negative RS_E* code (out->reason says which
 * check failed). Never reads beyond len bytes. */
int reg_jws_verify(struct reg_verify_result *out, const char *token, size_t len,
                   const struct reg_verify_opts *opts) __attribute__((warn_unused_result));

#define REG_INPUT_MAX 8192
/* The token in what a person pasted or a scanner read (len bytes): white space around it
 * dropped and, for a verify URL "<base>/v/<JWS>" (at most REG_INPUT_MAX bytes), the part
 * after the last "/v/". *out points into in. Never fails: garbage stays garbage for the
 * verifier to refuse. */
void reg_token_input(const char **out, size_t *out_len, const char *in, size_t len);

/* The verify API's hot path: a request body (n bytes) that is exactly {"token":"..."}
 * with only base64url, '.', ':' and '/' between the quotes (JSON white space allowed
 * between tokens) holds no escape, so those bytes are the string's value and no JSON
 * parser is needed. 1 with *out (pointing into body) and *out_len; 0 for any other body,
 * which the caller gives to the JSON parser. */
int reg_token_json_body(const char **out, size_t *out_len, const char *body, size_t n);

/* Stable machine code for a reason ("bad_signature", ...). */
const char *reg_jws_reason_code(enum reg_jws_reason r);
/* The verdict shown to an employer: "valid", "not_yet_valid" (registered from a later
 * date), "suspended", "revoked", "expired" or "not_genuine". */
const char *reg_jws_verdict(enum reg_jws_reason r);

#endif

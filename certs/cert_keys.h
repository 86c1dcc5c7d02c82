/* certs: issuer Ed25519 keys — public JWK/thumbprint/JWKS helpers, private key files,
 * the key directory (keys.json + <kid>.pem), and an in-process keyring for the signer. */
#ifndef CERT_KEYS_H
#define CERT_KEYS_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#define CERT_KID_MAX 64       /* longest kid accepted anywhere (a thumbprint is 43) */
#define CERT_PUB_LEN 32       /* Ed25519 public key bytes */
#define CERT_SIG_LEN 64       /* Ed25519 signature bytes */
#define CERT_JWKS_MAX 65536   /* size bound of a JWKS document we parse */
#define CERT_JWKS_KEYS_MAX 64 /* most keys a JWKS may list */
/* Default time a retired key stays published: the longest a credential it signed can live
 * (3-year validity plus a renewal window), in seconds. */
#define CERT_DEFAULT_PUBLISH_S ((int64_t)1200 * 86400)

/* ---------- public keys (safe everywhere) ---------- */

/* RFC 7638 JWK thumbprint of an Ed25519 public key: base64url(SHA-256 of
 * {"crv":"Ed25519","kty":"OKP","x":"<b64url pub>"}), 43 chars + NUL into out. */
void cert_thumbprint(char out[CERT_KID_MAX + 1], const unsigned char pub[CERT_PUB_LEN]);

/* Verify an Ed25519 signature. Returns 0 when it matches, RS_ECRYPTO otherwise. */
int cert_ed25519_verify(const unsigned char pub[CERT_PUB_LEN], const unsigned char *msg,
                        size_t len, const unsigned char sig[CERT_SIG_LEN])
	__attribute__((warn_unused_result));

/* One public key as listed in a JWKS. retired_at is 0 for an active key, else the Unix
 * time after which the key signed nothing (member "retired_at" of the JWK). */
struct cert_pubkey {
	char kid[CERT_KID_MAX + 1];
	unsigned char pub[CERT_PUB_LEN];
	int64_t retired_at;
};

/* A parsed JWKS: the Ed25519 keys it lists. */
struct cert_jwks {
	struct cert_pubkey keys[CERT_JWKS_KEYS_MAX];
	size_t n;
};

/* Parse a JWKS document (at most CERT_JWKS_MAX bytes) into *out. Every key must be
 * kty OKP, crv Ed25519, a 32-byte x, and a kid equal to its RFC 7638 thumbprint (a kid
 * that does not match its key is an error, not something to trust). Returns 0,
 * RS_ETOOBIG or RS_EPARSE with a message naming the bad key. */
int cert_jwks_parse(struct cert_jwks *out, const char *text, size_t len);
/* Read and parse a JWKS file. Returns 0, RS_EIO or the cert_jwks_parse errors. */
int cert_jwks_load(struct cert_jwks *out, const char *path);
/* The key with this kid, or NULL. */
const struct cert_pubkey *cert_jwks_find(const struct cert_jwks *jwks, const char *kid);

/* A new JSON object: the public JWK of key (kty, crv, x, kid, alg, use, and retired_at
 * when retired). Caller owns it (json_decref). NULL on allocation failure. */
json_t *cert_jwk_json(const struct cert_pubkey *key);

/* ---------- key directory (metadata public, private halves 0600) ---------- */

enum cert_key_state { CERT_KEY_ACTIVE = 0, CERT_KEY_RETIRED = 1 };

/* One row of keys.json. Times are Unix seconds; 0 means "not set". */
struct cert_keyinfo {
	char kid[CERT_KID_MAX + 1];
	enum cert_key_state state;
	int64_t created;
	int64_t retired_at;   /* when it stopped signing */
	int64_t not_after;    /* when it leaves the JWKS (last credential it signed expired) */
	unsigned char pub[CERT_PUB_LEN];
};

/* A key directory: <dir>/keys.json (metadata and public keys), <dir>/<kid>.pem (PKCS#8
 * private keys, mode 0600), <dir>/jwks.json (the published JWKS, rewritten on change). */
struct cert_keydir {
	char *dir;                 /* owned */
	struct cert_keyinfo *keys; /* owned, n rows, oldest first */
	size_t n;
};

/* Load dir/keys.json into *out (a missing file is an empty directory; the folder is
 * created mode 0700 when absent). Free with cert_keydir_free. Returns 0, RS_EIO,
 * RS_EPARSE or RS_ENOMEM. */
int cert_keydir_load(struct cert_keydir *out, const char *dir);
/* Release what cert_keydir_load allocated; accepts a zeroed struct. */
void cert_keydir_free(struct cert_keydir *kd);
/* The row for kid, or NULL. */
struct cert_keyinfo *cert_keydir_find(struct cert_keydir *kd, const char *kid);
/* The newest active key (the one new credentials are signed with), or NULL. */
const struct cert_keyinfo *cert_keydir_current(const struct cert_keydir *kd);
/* Generate an Ed25519 key, write <dir>/<kid>.pem (0600, never overwriting), add it as
 * active, save keys.json and jwks.json. Copies the new kid to out_kid. */
int cert_keydir_new(char out_kid[CERT_KID_MAX + 1], struct cert_keydir *kd, int64_t now);
/* Retire kid: it signs nothing more and stays in the JWKS for publish_s seconds. Returns
 * 0, RS_ENOTFOUND or RS_ESTATE (already retired). Saves the directory. */
int cert_keydir_retire(struct cert_keydir *kd, const char *kid, int64_t now, int64_t publish_s);
/* Rotate: a new active key, then every previously active key retired. */
int cert_keydir_rotate(char out_kid[CERT_KID_MAX + 1], struct cert_keydir *kd, int64_t now,
                       int64_t publish_s);
/* Write keys.json and jwks.json atomically (temp file + rename). */
int cert_keydir_save(const struct cert_keydir *kd, int64_t now);
/* A new JWKS object {"keys":[...]}: every key that can still verify a live credential
 * (active, or retired with not_after > now). Caller owns it. NULL on allocation failure. */
json_t *cert_keydir_jwks(const struct cert_keydir *kd, int64_t now);

/* Format Unix seconds as RFC 3339 UTC ("2026-04-01T00:00:00Z") into out (21 bytes). */
void cert_time_format(char out[32], int64_t t);
/* Parse what cert_time_format writes. Returns 0 or RS_EPARSE. */
int cert_time_parse(int64_t *out, const char *s);

/* ---------- signing (private keys stay inside certs/) ---------- */

/* A way to sign bytes with a named key: riss-signd over its socket, or an in-process
 * keyring (tests, benchmarks, riss-signd itself). Returns 0 or a negative RS_E* code. */
struct cert_signer {
	int (*sign)(void *ctx, unsigned char out_sig[CERT_SIG_LEN], const char *kid,
	            const unsigned char *msg, size_t len);
	void *ctx;
	/* Optional: sign n messages at once (riss-signd pipelines them). NULL: sign is called
	 * n times. */
	int (*sign_many)(void *ctx, unsigned char (*out_sigs)[CERT_SIG_LEN], const char *kid,
	                 const unsigned char *const *msgs, const size_t *lens, size_t n);
};

/* Sign n messages with kid through s (sign_many when it has one). All or nothing: the
 * first failure is returned. */
int cert_sign_many(const struct cert_signer *s, unsigned char (*out_sigs)[CERT_SIG_LEN], const char *kid,
                   const unsigned char *const *msgs, const size_t *lens, size_t n);

/* Private keys loaded from a key directory. */
struct cert_keyring;

/* Load every key of dir (keys.json + <kid>.pem). A private key file readable by group or
 * others is refused (RS_EPERM), like ssh does. Free with cert_keyring_free. */
int cert_keyring_load(struct cert_keyring **out, const char *dir);
void cert_keyring_free(struct cert_keyring *kr);
/* Sign msg with kid. Returns 0, RS_ENOTFOUND (unknown kid), RS_ESTATE (retired kid) or
 * RS_ECRYPTO. */
int cert_keyring_sign(const struct cert_keyring *kr, unsigned char out_sig[CERT_SIG_LEN],
                      const char *kid, const unsigned char *msg, size_t len);
/* Whether kid may sign: 0, RS_ENOTFOUND (unknown) or RS_ESTATE (retired). */
int cert_keyring_usable(const struct cert_keyring *kr, const char *kid);
/* Number of keys loaded. */
size_t cert_keyring_count(const struct cert_keyring *kr);
/* A signer over this keyring (kr must outlive it). */
struct cert_signer cert_keyring_signer(struct cert_keyring *kr);

#endif

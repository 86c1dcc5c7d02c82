/* registry: IETF OAuth Token Status List — 2 bits per entry (0 valid, 1 invalid,
 * 2 suspended), LSB-first, zlib + base64url; random index allocation; the signed
 * statuslist+jwt and its verification. */
#ifndef REG_STATUSLIST_H
#define REG_STATUSLIST_H

#include <stddef.h>
#include <stdint.h>

#include "cert_keys.h"

#define REG_SL_BITS 2
#define REG_SL_MIN_ENTRIES 131072          /* herd privacy: no list is smaller */
#define REG_SL_MAX_ENTRIES (1u << 24)      /* bound on what we build or decode */
#define REG_SL_JWT_MAX (6u * 1024 * 1024)  /* bound on a statuslist+jwt we parse */

enum reg_sl_status { REG_SL_VALID = 0, REG_SL_INVALID = 1, REG_SL_SUSPENDED = 2 };

/* A status list in memory: n entries packed 4 to a byte, entry i in bits 2(i%4)..+1 of
 * byte i/4 (LSB first). */
struct reg_statuslist {
	uint8_t *bytes; /* owned, (n + 3) / 4 bytes */
	size_t n;
};

/* A new all-valid list of n entries (REG_SL_MIN_ENTRIES..REG_SL_MAX_ENTRIES, a multiple
 * of 4). Free with reg_sl_free. Returns 0, RS_ERANGE or RS_ENOMEM. */
int reg_sl_new(struct reg_statuslist *out, size_t n);
void reg_sl_free(struct reg_statuslist *sl);
/* Set entry idx to value (0..3). Returns 0 or RS_ERANGE. */
int reg_sl_set(struct reg_statuslist *sl, uint64_t idx, unsigned value);
/* Entry idx; 3 (reserved) when idx is out of range. */
unsigned reg_sl_get(const struct reg_statuslist *sl, uint64_t idx);

/* The "lst" value: base64url(zlib(bytes)). *out_lst is NUL-terminated, caller frees. */
int reg_sl_encode(char **out_lst, const struct reg_statuslist *sl);
/* Decode an "lst" value with bits = 2 into *out (which the caller frees). The inflated
 * size must not exceed REG_SL_MAX_ENTRIES / 4 bytes (a zlib bomb stops there). Returns 0,
 * RS_EPARSE (not base64url, not zlib) or RS_ETOOBIG. */
int reg_sl_decode(struct reg_statuslist *out, const char *lst, size_t len);

/* Pick a uniformly random index in [0, n) for which is_used returns 0, using the OS
 * CSPRNG (so neighbours in the list are unrelated registrations). Returns 0, RS_ESTATE
 * when every index is used, or is_used's negative error. */
int reg_sl_random_index(uint64_t *out, size_t n, int (*is_used)(void *ctx, uint64_t idx), void *ctx);

/* Build and sign a statuslist+jwt: header {alg EdDSA, kid, typ statuslist+jwt}, claims
 * {sub: uri, iat, exp, ttl, status_list: {bits: 2, lst}}. *out_jwt is the caller's. */
int reg_sl_jwt_sign(char **out_jwt, const struct reg_statuslist *sl, const char *uri, int64_t iat,
                    int64_t exp, int64_t ttl, const char *kid, const struct cert_signer *signer);
/* Verify a statuslist+jwt against jwks at time now (with the credential clock skew) and
 * decode its list into *out. expected_uri (or NULL) must equal sub. Returns 0, RS_ETOOBIG,
 * RS_EPARSE, RS_ECRYPTO (signature, key) or RS_ERANGE (expired), with a message. */
int reg_sl_jwt_verify(struct reg_statuslist *out, const char *jwt, size_t len,
                      const struct cert_jwks *jwks, const char *expected_uri, int64_t now)
	__attribute__((warn_unused_result));

/* A reg_status_fn (see reg_jws.h) over one decoded list: ctx is a struct reg_sl_source. */
struct reg_sl_source {
	const char *uri;
	const struct reg_statuslist *sl;
};
int reg_sl_lookup(void *ctx, uint8_t *out_status, const char *uri, uint64_t idx);

#endif

/* Staff credentials: Argon2id password hashes and RFC 6238 TOTP codes. */
#ifndef RS_PASSWORD_H
#define RS_PASSWORD_H

#include <stddef.h>
#include <stdint.h>

#define RS_PASSWORD_HASH_MAX 160  /* room for an encoded Argon2id hash */
/* Lengths are counted in characters (Unicode code points, ASVS 2.1.1, 2.1.2): a password of
 * four kanji is 12 bytes of UTF-8 but 4 characters, and too short. */
#define RS_PASSWORD_MIN 12        /* fewest characters of a new password */
#define RS_PASSWORD_MAX 128       /* most characters of a new password (ASVS 2.1.2) */
#define RS_PASSWORD_BYTES_MAX 512 /* most bytes of any password read (128 characters of 4 bytes) */
#define RS_TOTP_SECRET_LEN 20     /* bytes of a TOTP secret (160 bits, RFC 4226) */

/* Hash a password with Argon2id (m = 19 MiB, t = 2, p = 1, 16-byte random salt) into the
 * PHC string form. RS_EINVAL when the password is shorter than RS_PASSWORD_MIN or longer
 * than RS_PASSWORD_MAX. */
int rs_password_hash(char out[RS_PASSWORD_HASH_MAX], const char *password);
/* The characters of s: its UTF-8 code points (bytes that do not continue a sequence). */
size_t rs_password_chars(const char *s);
/* Whether password may be chosen as a new one (ASVS 2.1.7, 2.1.9: no composition rules):
 * RS_PASSWORD_MIN..RS_PASSWORD_MAX characters, none of the personal words (NULL-terminated
 * list: user name, names, registration number; parts of 4 or more characters, any case), not
 * refused by cracklib (common, breached or too simple, by Debian's cracklib-runtime
 * dictionary), not a keyboard or alphabet run, and not one dictionary word with digits and
 * symbols around it or letters swapped for look-alikes (P@ssw0rd2026!). 0, RS_EINVAL with a
 * catalogue message (security.password_*), or RS_EINTERNAL when the dictionary is missing. */
int rs_password_acceptable(const char *password, const char *const *personal);
/* The strength meter (ASVS 2.1.8; sec3): *out_score 0 when rs_password_acceptable refuses
 * password (RS_EINVAL with its catalogue message), else 2 (acceptable), 3 (at least
 * RS_PASSWORD_STRONG characters) or 4 (RS_PASSWORD_VERY_STRONG): past the rule, length is
 * what makes a passphrase harder to guess. RS_EINTERNAL as rs_password_acceptable. */
#define RS_PASSWORD_STRONG 16
#define RS_PASSWORD_VERY_STRONG 24
int rs_password_strength(int *out_score, const char *password, const char *const *personal);
/* 0 when password matches encoded, RS_EAUTH when it does not (or is too long), RS_EINVAL
 * when encoded is not an Argon2id hash. Constant time in the password. */
int rs_password_verify(const char *encoded, const char *password) __attribute__((warn_unused_result));

/* The 6-digit TOTP code (RFC 6238: HMAC-SHA-1, 30-second steps) for time step `step`. */
int rs_totp_code(const unsigned char *secret, size_t len, uint64_t step);
/* Check a 6-digit code typed at Unix time now, allowing one step of clock drift either
 * way. Steps at or before *last_step are refused (a code is used once); on success
 * *last_step becomes the matched step. Returns 0 or RS_EAUTH. */
int rs_totp_verify(const unsigned char *secret, size_t len, const char *code, int64_t now,
                   int64_t *last_step) __attribute__((warn_unused_result));

/* Base32 (RFC 4648, upper case, no padding), as authenticator apps expect. out needs
 * 8 * ceil(n / 5) / 5 + 1 bytes; 33 for a 20-byte secret. */
void rs_base32_encode(char *out, const unsigned char *in, size_t n);
/* Decode base32 (case-insensitive, no padding) into out (cap bytes); RS_EPARSE/RS_ETOOBIG. */
int rs_base32_decode(unsigned char *out, size_t cap, size_t *out_len, const char *in);

#endif

/* Argon2id password hashing (libargon2) and TOTP (OpenSSL HMAC-SHA-1). */
#include "rs_password.h"
#include "rs_error.h"
#include "rs_util.h"

#include <argon2.h>
#include <ctype.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdio.h>
#include <string.h>

#define RS_ARGON2_T 2
#define RS_ARGON2_M (19 * 1024)
#define RS_ARGON2_P 1

size_t rs_password_chars(const char *s)
{
	size_t n = 0;
	for (; *s; s++)
		n += ((unsigned char)*s & 0xC0) != 0x80;
	return n;
}

int rs_password_hash(char out[RS_PASSWORD_HASH_MAX], const char *password)
{
	size_t len = strlen(password), chars = rs_password_chars(password);
	if (chars < RS_PASSWORD_MIN || chars > RS_PASSWORD_MAX || len > RS_PASSWORD_BYTES_MAX) {
		rs_error_set("a password must be %d to %d characters long", RS_PASSWORD_MIN, RS_PASSWORD_MAX);
		return RS_EINVAL;
	}
	unsigned char salt[16];
	int rc = rs_random_bytes(salt, sizeof salt);
	if (rc != 0)
		return rc;
	int a = argon2id_hash_encoded(RS_ARGON2_T, RS_ARGON2_M, RS_ARGON2_P, password, len, salt,
	                              sizeof salt, 32, out, RS_PASSWORD_HASH_MAX);
	if (a != ARGON2_OK) {
		rs_error_set("password hashing failed: %s", argon2_error_message(a));
		return RS_EINTERNAL;
	}
	return 0;
}

int rs_password_verify(const char *encoded, const char *password)
{
	if (strncmp(encoded, "$argon2id$", 10) != 0) {
		rs_error_set("stored password hash is not Argon2id");
		return RS_EINVAL;
	}
	size_t len = strlen(password);
	if (len > RS_PASSWORD_BYTES_MAX) {
		rs_error_set("wrong user name, password or code");
		return RS_EAUTH;
	}
	int a = argon2id_verify(encoded, password, len);
	if (a == ARGON2_OK)
		return 0;
	if (a == ARGON2_VERIFY_MISMATCH) {
		rs_error_set("wrong user name, password or code");
		return RS_EAUTH;
	}
	rs_error_set("stored password hash is unusable: %s", argon2_error_message(a));
	return RS_EINVAL;
}

int rs_totp_code(const unsigned char *secret, size_t len, uint64_t step)
{
	unsigned char msg[8], md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	for (int i = 7; i >= 0; i--) {
		msg[i] = (unsigned char)(step & 0xff);
		step >>= 8;
	}
	HMAC(EVP_sha1(), secret, (int)len, msg, sizeof msg, md, &mdlen);
	int off = md[mdlen - 1] & 0x0f;
	uint32_t bin = ((uint32_t)(md[off] & 0x7f) << 24) | ((uint32_t)md[off + 1] << 16) |
	               ((uint32_t)md[off + 2] << 8) | md[off + 3];
	return (int)(bin % 1000000u);
}

int rs_totp_verify(const unsigned char *secret, size_t len, const char *code, int64_t now,
                   int64_t *last_step)
{
	if (strlen(code) != 6 || strspn(code, "0123456789") != 6) {
		rs_error_set("the one-time code must be 6 digits");
		return RS_EAUTH;
	}
	int want = (code[0] - '0') * 100000 + (code[1] - '0') * 10000 + (code[2] - '0') * 1000 +
	           (code[3] - '0') * 100 + (code[4] - '0') * 10 + (code[5] - '0');
	int64_t step = now / 30;
	int matched = 0;
	int64_t matched_step = 0;
	for (int64_t s = step - 1; s <= step + 1; s++) {
		/* Check every candidate step so timing does not reveal which one matched. */
		int ok = rs_totp_code(secret, len, (uint64_t)s) == want;
		if (ok && !matched) {
			matched = 1;
			matched_step = s;
		}
	}
	if (!matched || matched_step <= *last_step) {
		rs_error_set("wrong user name, password or code");
		return RS_EAUTH;
	}
	*last_step = matched_step;
	return 0;
}

static const char rs_b32_alpha[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

void rs_base32_encode(char *out, const unsigned char *in, size_t n)
{
	size_t o = 0;
	unsigned buf = 0;
	int bits = 0;
	for (size_t i = 0; i < n; i++) {
		buf = buf << 8 | in[i];
		bits += 8;
		while (bits >= 5) {
			out[o++] = rs_b32_alpha[(buf >> (bits - 5)) & 31];
			bits -= 5;
		}
	}
	if (bits > 0)
		out[o++] = rs_b32_alpha[(buf << (5 - bits)) & 31];
	out[o] = '\0';
}

int rs_base32_decode(unsigned char *out, size_t cap, size_t *out_len, const char *in)
{
	size_t o = 0;
	unsigned buf = 0;
	int bits = 0;
	for (const char *p = in; *p; p++) {
		const char *at = strchr(rs_b32_alpha, toupper((unsigned char)*p));
		if (!at || !*p) {
			rs_error_set("'%c' is not a base32 character", *p);
			return RS_EPARSE;
		}
		buf = buf << 5 | (unsigned)(at - rs_b32_alpha);
		bits += 5;
		if (bits >= 8) {
			if (o == cap) {
				rs_error_set("base32 text is longer than %zu bytes", cap);
				return RS_ETOOBIG;
			}
			out[o++] = (unsigned char)(buf >> (bits - 8));
			bits -= 8;
		}
	}
	*out_len = o;
	return 0;
}

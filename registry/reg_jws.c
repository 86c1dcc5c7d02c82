/* registry: credential JWS — signing through a cert_signer and strict offline verification. */
#include "reg_jws.h"
#include "reg_register.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#include "rs_encode.h"
#include "rs_error.h"

#define REG_SIG_B64_LEN 86 /* base64url of 64 bytes, no padding */

static int reg_is_digits(const char *s, size_t n)
{
	if (strlen(s) != n)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return 1;
}

/* YYYY-MM-DD with plausible month and day. */
static int reg_is_date(const char *s)
{
	if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return 0;
	for (int i = 0; i < 10; i++)
		if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
			return 0;
	int m = (s[5] - '0') * 10 + (s[6] - '0'), d = (s[8] - '0') * 10 + (s[9] - '0');
	return m >= 1 && m <= 12 && d >= 1 && d <= 31;
}

/* Check the claims a signer is about to sign, so we never issue what we would reject. */
static int reg_cred_check(const struct reg_credential *c)
{
	const char *bad = NULL;
	if (!c->iss[0])
		bad = "iss";
	else if (!reg_is_digits(c->sub, 6))
		bad = "sub (a 6-digit registration number)";
	else if (!c->name[0])
		bad = "name";
	else if (!c->name_latn[0])
		bad = "name_latn";
	else if (!c->qual[0])
		bad = "qual";
	else if (!reg_is_date(c->reg_date))
		bad = "reg_date (YYYY-MM-DD)";
	else if (c->renewal_count < 0 || c->renewal_count > 1000)
		bad = "renewal_count";
	else if (c->iat <= 0 || c->exp <= c->iat)
		bad = "iat/exp (exp must follow iat)";
	else if (!c->status_uri[0])
		bad = "status.status_list.uri";
	else if (c->status_idx > (1ull << 40))
		bad = "status.status_list.idx";
	if (bad) {
		rs_error_set("credential claim %s is missing or out of bounds", bad);
		return RS_EINVAL;
	}
	return 0;
}

/* "<header>.<payload>" of c in *out_tok, with room for ".<signature>"; *out_pos is its
 * length (the signing input). */
static int reg_jws_prepare(char **out_tok, size_t *out_pos, const struct reg_credential *c, const char *kid)
{
	json_t *hdr = NULL, *pl = NULL;
	char *hdr_s = NULL, *pl_s = NULL, *tok = NULL;
	size_t hl, pll;
	int rc = reg_cred_check(c);
	if (rc)
		return rc;
	hdr = json_pack("{s:s, s:s, s:s}", "alg", "EdDSA", "kid", kid, "typ", "riss+jwt");
	pl = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:I, s:I, s:I, s:{s:{s:I, s:s}}}",
	               "iss", c->iss, "sub", c->sub, "name", c->name, "name_latn", c->name_latn,
	               "qual", c->qual, "reg_date", c->reg_date,
	               "renewal_count", (json_int_t)c->renewal_count, "iat", (json_int_t)c->iat,
	               "exp", (json_int_t)c->exp, "status", "status_list",
	               "idx", (json_int_t)c->status_idx, "uri", c->status_uri);
	if (!hdr || !pl) {
		/* json_pack fails on invalid UTF-8 as well as on memory. */
		rs_error_set("credential claims are not valid UTF-8 text");
		rc = RS_EINVAL;
		goto done;
	}
	hdr_s = json_dumps(hdr, JSON_COMPACT | JSON_PRESERVE_ORDER);
	pl_s = json_dumps(pl, JSON_COMPACT | JSON_PRESERVE_ORDER);
	if (!hdr_s || !pl_s) {
		rc = RS_ENOMEM;
		goto done;
	}
	hl = rs_b64url_len(strlen(hdr_s));
	pll = rs_b64url_len(strlen(pl_s));
	if (hl + pll + 2 + REG_SIG_B64_LEN > REG_JWS_MAX) {
		rs_error_set("credential would be %zu bytes, over the %d bound", hl + pll + 2 + REG_SIG_B64_LEN,
		             REG_JWS_MAX);
		rc = RS_ETOOBIG;
		goto done;
	}
	tok = malloc(hl + pll + REG_SIG_B64_LEN + 3);
	if (!tok) {
		rc = RS_ENOMEM;
		goto done;
	}
	rs_b64url_encode(tok, (const unsigned char *)hdr_s, strlen(hdr_s));
	tok[hl] = '.';
	rs_b64url_encode(tok + hl + 1, (const unsigned char *)pl_s, strlen(pl_s));
	*out_pos = hl + 1 + pll;
	*out_tok = tok;
	tok = NULL;
done:
	free(tok);
	free(hdr_s);
	free(pl_s);
	json_decref(hdr);
	json_decref(pl);
	return rc;
}

static void reg_jws_finish(char *tok, size_t pos, const unsigned char sig[CERT_SIG_LEN])
{
	tok[pos] = '.';
	rs_b64url_encode(tok + pos + 1, sig, CERT_SIG_LEN);
}

int reg_jws_sign(char **out_jws, const struct reg_credential *c, const char *kid,
                 const struct cert_signer *signer)
{
	char *tok = NULL;
	size_t pos = 0;
	unsigned char sig[CERT_SIG_LEN];
	int rc = reg_jws_prepare(&tok, &pos, c, kid);
	if (rc)
		return rc;
	if ((rc = signer->sign(signer->ctx, sig, kid, (const unsigned char *)tok, pos)) != 0) {
		free(tok);
		return rc;
	}
	reg_jws_finish(tok, pos, sig);
	*out_jws = tok;
	return 0;
}

int reg_jws_sign_many(char **out_jws, const struct reg_credential *c, size_t n, const char *kid,
                      const struct cert_signer *signer)
{
	char **tok = calloc(n ? n : 1, sizeof *tok);
	size_t *pos = calloc(n ? n : 1, sizeof *pos);
	unsigned char (*sig)[CERT_SIG_LEN] = malloc((n ? n : 1) * sizeof *sig);
	int rc = (!tok || !pos || !sig) ? RS_ENOMEM : 0;
	for (size_t i = 0; i < n && rc == 0; i++)
		rc = reg_jws_prepare(&tok[i], &pos[i], &c[i], kid);
	if (rc == 0)
		rc = cert_sign_many(signer, sig, kid, (const unsigned char *const *)tok, pos, n);
	for (size_t i = 0; i < n; i++) {
		if (rc == 0) {
			reg_jws_finish(tok[i], pos[i], sig[i]);
			out_jws[i] = tok[i];
		} else if (tok) {
			free(tok[i]);
		}
	}
	free(tok);
	free(pos);
	free(sig);
	return rc;
}

/* ---------- verification ---------- */

static int reg_fail(struct reg_verify_result *out, enum reg_jws_reason r, int rc, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static int reg_fail(struct reg_verify_result *out, enum reg_jws_reason r, int rc, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(out->message, sizeof out->message, fmt, ap);
	va_end(ap);
	out->reason = r;
	rs_error_set("%s", out->message);
	return rc;
}

static int reg_b64url_alpha(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char ch = s[i];
		if (!((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
		      ch == '-' || ch == '_'))
			return 0;
	}
	return 1;
}

/* Copy a string member into dst (cap bytes) when it is a string of 1..cap-1 bytes. */
static int reg_get_str(char *dst, size_t cap, json_t *obj, const char *name)
{
	json_t *v = json_object_get(obj, name);
	if (!json_is_string(v) || json_string_length(v) == 0 || json_string_length(v) >= cap)
		return -1;
	memcpy(dst, json_string_value(v), json_string_length(v) + 1);
	return 0;
}

static int reg_get_int(int64_t *dst, json_t *obj, const char *name, int64_t lo, int64_t hi)
{
	json_t *v = json_object_get(obj, name);
	if (!json_is_integer(v) || json_integer_value(v) < lo || json_integer_value(v) > hi)
		return -1;
	*dst = json_integer_value(v);
	return 0;
}

/* Parse the claims strictly: exactly the ten members, each of its type and bound. Returns
 * NULL or the name of the first bad claim. */
static const char *reg_parse_claims(struct reg_credential *c, const unsigned char *txt, size_t len)
{
	json_error_t jerr;
	json_t *o = json_loadb((const char *)txt, len, JSON_REJECT_DUPLICATES, &jerr);
	json_t *st, *sl;
	int64_t idx = 0;
	const char *bad = NULL;
	memset(c, 0, sizeof *c);
	if (!json_is_object(o))
		bad = "payload (not a JSON object)";
	else if (json_object_size(o) != 10)
		bad = "set (must be exactly iss, sub, name, name_latn, qual, reg_date, renewal_count, iat, exp, status)";
	else if (reg_get_str(c->iss, sizeof c->iss, o, "iss"))
		bad = "iss";
	else if (reg_get_str(c->sub, sizeof c->sub, o, "sub") || !reg_is_digits(c->sub, 6))
		bad = "sub";
	else if (reg_get_str(c->name, sizeof c->name, o, "name"))
		bad = "name";
	else if (reg_get_str(c->name_latn, sizeof c->name_latn, o, "name_latn"))
		bad = "name_latn";
	else if (reg_get_str(c->qual, sizeof c->qual, o, "qual"))
		bad = "qual";
	else if (reg_get_str(c->reg_date, sizeof c->reg_date, o, "reg_date") || !reg_is_date(c->reg_date))
		bad = "reg_date";
	else if (reg_get_int(&c->renewal_count, o, "renewal_count", 0, 1000))
		bad = "renewal_count";
	else if (reg_get_int(&c->iat, o, "iat", 1, INT64_C(1) << 40))
		bad = "iat";
	else if (reg_get_int(&c->exp, o, "exp", 1, INT64_C(1) << 40))
		bad = "exp";
	else if (!json_is_object(st = json_object_get(o, "status")) || json_object_size(st) != 1 ||
	         !json_is_object(sl = json_object_get(st, "status_list")) || json_object_size(sl) != 2 ||
	         reg_get_int(&idx, sl, "idx", 0, INT64_C(1) << 40) ||
	         reg_get_str(c->status_uri, sizeof c->status_uri, sl, "uri"))
		bad = "status";
	c->status_idx = (uint64_t)idx;
	json_decref(o);
	return bad;
}

/* The header exactly as reg_jws_sign writes it: {"alg":"EdDSA","kid":"<kid>","typ":"riss+jwt"}
 * with a base64url kid of 1..CERT_KID_MAX characters. Those bytes can only parse to that
 * object, so the verifier skips the JSON parser for them (any other spelling of a header
 * still goes through it). 1 with the kid in kid_out, else 0. */
static int reg_header_canonical(char kid_out[CERT_KID_MAX + 1], const unsigned char *h, size_t n)
{
	static const char pre[] = "{\"alg\":\"EdDSA\",\"kid\":\"", post[] = "\",\"typ\":\"riss+jwt\"}";
	const size_t lpre = sizeof pre - 1, lpost = sizeof post - 1;
	if (n <= lpre + lpost || n - lpre - lpost > CERT_KID_MAX || memcmp(h, pre, lpre) != 0 ||
	    memcmp(h + n - lpost, post, lpost) != 0)
		return 0;
	size_t klen = n - lpre - lpost;
	if (!reg_b64url_alpha((const char *)h + lpre, klen))
		return 0;
	memcpy(kid_out, h + lpre, klen);
	kid_out[klen] = '\0';
	return 1;
}

int reg_jws_verify(struct reg_verify_result *out, const char *tok, size_t len,
                   const struct reg_verify_opts *opts)
{
	const char *dot1, *dot2, *p, *s;
	size_t hlen, plen, slen, n;
	unsigned char hdr[REG_JWS_MAX], pl[REG_JWS_MAX], sig[CERT_SIG_LEN + 3];
	json_t *h = NULL;
	json_error_t jerr;
	const struct cert_pubkey *key;
	const char *alg, *typ, *kid, *bad;
	char kidbuf[CERT_KID_MAX + 1];
	int rc;

	memset(out, 0, sizeof *out);
	if (len > REG_JWS_MAX)
		return reg_fail(out, REG_JWS_TOO_BIG, RS_ETOOBIG,
		                "token is %zu bytes, more than the %d accepted", len, REG_JWS_MAX);
	dot1 = memchr(tok, '.', len);
	dot2 = dot1 ? memchr(dot1 + 1, '.', len - (size_t)(dot1 + 1 - tok)) : NULL;
	if (!dot1 || !dot2)
		return reg_fail(out, REG_JWS_TRUNCATED, RS_EPARSE,
		                "token is truncated: it needs three dot-separated parts");
	p = dot1 + 1;
	s = dot2 + 1;
	hlen = (size_t)(dot1 - tok);
	plen = (size_t)(dot2 - p);
	slen = len - (size_t)(s - tok);
	if (memchr(s, '.', slen))
		return reg_fail(out, REG_JWS_MALFORMED, RS_EPARSE, "token has more than three parts");
	if (hlen == 0 || plen == 0)
		return reg_fail(out, REG_JWS_MALFORMED, RS_EPARSE, "token has an empty header or payload");
	if (!reg_b64url_alpha(tok, hlen) || !reg_b64url_alpha(p, plen) || !reg_b64url_alpha(s, slen))
		return reg_fail(out, REG_JWS_NOT_BASE64URL, RS_EPARSE,
		                "token holds characters outside base64url (no padding, no '+' or '/')");
	if (rs_b64url_decode(hdr, sizeof hdr, &n, tok, hlen) != 0)
		return reg_fail(out, REG_JWS_NOT_BASE64URL, RS_EPARSE, "header is not valid base64url");

	if (reg_header_canonical(kidbuf, hdr, n)) {
		/* The exact bytes this registry writes: nothing to parse. */
		alg = "EdDSA";
		typ = "riss+jwt";
		kid = kidbuf;
		goto header_read;
	}
	h = json_loadb((const char *)hdr, n, JSON_REJECT_DUPLICATES, &jerr);
	if (!json_is_object(h)) {
		rc = reg_fail(out, REG_JWS_BAD_HEADER, RS_EPARSE, "header is not a JSON object");
		goto done;
	}
	alg = json_string_value(json_object_get(h, "alg"));
	if (!alg) {
		rc = reg_fail(out, REG_JWS_BAD_HEADER, RS_EPARSE, "header has no alg");
		goto done;
	}
	if (strcasecmp(alg, "none") == 0) {
		rc = reg_fail(out, REG_JWS_ALG_NONE, RS_ECRYPTO, "token is unsigned (alg \"none\")");
		goto done;
	}
	if (strcmp(alg, "EdDSA") != 0) {
		rc = reg_fail(out, REG_JWS_ALG_UNSUPPORTED, RS_ECRYPTO,
		              "algorithm \"%.20s\" is not accepted: credentials are signed with EdDSA only", alg);
		goto done;
	}
	kid = json_string_value(json_object_get(h, "kid"));
	typ = json_string_value(json_object_get(h, "typ"));
	if (json_object_size(h) != 3 || !kid || !typ) {
		rc = reg_fail(out, REG_JWS_BAD_HEADER, RS_EPARSE,
		              "header must hold exactly alg, kid and typ");
		goto done;
	}
	if (strcmp(typ, "riss+jwt") != 0) {
		rc = reg_fail(out, REG_JWS_BAD_TYP, RS_EPARSE, "typ is \"%.32s\", not riss+jwt", typ);
		goto done;
	}
header_read:
	if (strlen(kid) <= CERT_KID_MAX)
		memcpy(out->kid, kid, strlen(kid) + 1);
	key = strlen(kid) <= CERT_KID_MAX ? cert_jwks_find(opts->jwks, kid) : NULL;
	if (!key) {
		rc = reg_fail(out, REG_JWS_UNKNOWN_KID, RS_ECRYPTO,
		              "signed with key \"%.64s\", which the registry does not publish", kid);
		goto done;
	}
	if (slen < REG_SIG_B64_LEN) {
		rc = reg_fail(out, REG_JWS_TRUNCATED, RS_EPARSE,
		              "token is truncated: the signature has %zu of its %d characters", slen,
		              REG_SIG_B64_LEN);
		goto done;
	}
	if (slen != REG_SIG_B64_LEN || rs_b64url_decode(sig, sizeof sig, &n, s, slen) != 0 ||
	    n != CERT_SIG_LEN) {
		rc = reg_fail(out, REG_JWS_BAD_SIGNATURE, RS_ECRYPTO,
		              "signature is not a 64-byte Ed25519 signature");
		goto done;
	}
	/* Altered header, payload or signature all end here: nothing can tell them apart. */
	if (cert_ed25519_verify(key->pub, (const unsigned char *)tok, (size_t)(dot2 - tok), sig) != 0) {
		rc = reg_fail(out, REG_JWS_BAD_SIGNATURE, RS_ECRYPTO,
		              "signature does not match: the token was altered or not issued by the registry");
		goto done;
	}
	if (rs_b64url_decode(pl, sizeof pl, &n, p, plen) != 0) {
		rc = reg_fail(out, REG_JWS_NOT_BASE64URL, RS_EPARSE, "payload is not valid base64url");
		goto done;
	}
	if ((bad = reg_parse_claims(&out->cred, pl, n)) != NULL) {
		rc = reg_fail(out, REG_JWS_BAD_CLAIMS, RS_EPARSE, "claims are not a RISS credential: bad %s", bad);
		goto done;
	}
	out->have_claims = 1;
	if (key->retired_at && out->cred.iat > key->retired_at) {
		rc = reg_fail(out, REG_JWS_RETIRED_KEY, RS_ECRYPTO,
		              "signed at %lld by a key retired at %lld", (long long)out->cred.iat,
		              (long long)key->retired_at);
		goto done;
	}
	if (opts->expected_iss && strcmp(opts->expected_iss, out->cred.iss) != 0) {
		rc = reg_fail(out, REG_JWS_WRONG_ISSUER, RS_ECRYPTO, "issued by \"%.100s\", not this registry",
		              out->cred.iss);
		goto done;
	}
	if (out->cred.iat > opts->now + REG_CLOCK_SKEW_S) {
		rc = reg_fail(out, REG_JWS_NOT_YET_VALID, RS_ERANGE, "issued in the future (iat %lld, now %lld)",
		              (long long)out->cred.iat, (long long)opts->now);
		goto done;
	}
	if (opts->now > out->cred.exp + REG_CLOCK_SKEW_S) {
		rc = reg_fail(out, REG_JWS_EXPIRED, RS_ERANGE, "expired at %lld (now %lld)",
		              (long long)out->cred.exp, (long long)opts->now);
		goto done;
	}
	if (opts->status) {
		uint8_t st = 0;
		if (opts->status(opts->status_ctx, &st, out->cred.status_uri, out->cred.status_idx) != 0) {
			rc = reg_fail(out, REG_JWS_STATUS_UNKNOWN, RS_EUNAVAIL,
			              "status could not be checked: %.150s", rs_error_last());
			goto done;
		}
		if (st == 1) {
			rc = reg_fail(out, REG_JWS_REVOKED, RS_ESTATE, "the registration has been revoked");
			goto done;
		}
		if (st == 2) {
			rc = reg_fail(out, REG_JWS_SUSPENDED, RS_ESTATE, "the registration is suspended");
			goto done;
		}
		if (st != 0) {
			rc = reg_fail(out, REG_JWS_STATUS_UNKNOWN, RS_EUNAVAIL, "status list holds reserved value %u", st);
			goto done;
		}
	}
	/* A registration is in force from its registration date (a day in Japan). */
	char today[11];
	reg_today_jst(today, opts->now);
	if (strcmp(out->cred.reg_date, today) > 0) {
		rc = reg_fail(out, REG_JWS_PENDING, RS_ESTATE, "registration %s is in force only from %s", out->cred.sub,
		              out->cred.reg_date);
		goto done;
	}
	out->reason = REG_JWS_VALID;
	snprintf(out->message, sizeof out->message, "valid credential of registration %s", out->cred.sub);
	rc = 0;
done:
	json_decref(h);
	return rc;
}

const char *reg_jws_reason_code(enum reg_jws_reason r)
{
	switch (r) {
	case REG_JWS_VALID: return "valid";
	case REG_JWS_TOO_BIG: return "too_big";
	case REG_JWS_TRUNCATED: return "truncated";
	case REG_JWS_MALFORMED: return "malformed";
	case REG_JWS_NOT_BASE64URL: return "not_base64url";
	case REG_JWS_BAD_HEADER: return "bad_header";
	case REG_JWS_ALG_NONE: return "alg_none";
	case REG_JWS_ALG_UNSUPPORTED: return "alg_unsupported";
	case REG_JWS_BAD_TYP: return "bad_typ";
	case REG_JWS_UNKNOWN_KID: return "unknown_kid";
	case REG_JWS_BAD_SIGNATURE: return "bad_signature";
	case REG_JWS_RETIRED_KEY: return "retired_key";
	case REG_JWS_BAD_CLAIMS: return "bad_claims";
	case REG_JWS_WRONG_ISSUER: return "wrong_issuer";
	case REG_JWS_NOT_YET_VALID: return "not_yet_valid";
	case REG_JWS_EXPIRED: return "expired";
	case REG_JWS_REVOKED: return "revoked";
	case REG_JWS_SUSPENDED: return "suspended";
	case REG_JWS_STATUS_UNKNOWN: return "status_unknown";
	case REG_JWS_PENDING: return "pending";
	}
	return "unknown";
}

const char *reg_jws_verdict(enum reg_jws_reason r)
{
	switch (r) {
	case REG_JWS_VALID: return "valid";
	case REG_JWS_PENDING: return "not_yet_valid";
	case REG_JWS_SUSPENDED: return "suspended";
	case REG_JWS_REVOKED: return "revoked";
	case REG_JWS_EXPIRED: return "expired";
	/* The status could not be read: the API answers 503 rather than guess. */
	case REG_JWS_STATUS_UNKNOWN: return "unknown";
	default: return "not_genuine";
	}
}

static int reg_json_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* A character that stands in a JSON string as itself and may occur in a token or its /v/
 * URL: base64url, '.', ':' and '/'. */
static int reg_token_char(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
	       c == '.' || c == ':' || c == '/';
}

static size_t reg_skip_ws(const char *b, size_t i, size_t n)
{
	while (i < n && reg_json_ws(b[i]))
		i++;
	return i;
}

int reg_token_json_body(const char **out, size_t *out_len, const char *b, size_t n)
{
	static const char key[] = "\"token\"";
	size_t i = reg_skip_ws(b, 0, n);
	if (i >= n || b[i++] != '{')
		return 0;
	i = reg_skip_ws(b, i, n);
	if (n - i < sizeof key - 1 || memcmp(b + i, key, sizeof key - 1) != 0)
		return 0;
	i = reg_skip_ws(b, i + sizeof key - 1, n);
	if (i >= n || b[i++] != ':')
		return 0;
	i = reg_skip_ws(b, i, n);
	if (i >= n || b[i++] != '"')
		return 0;
	size_t start = i;
	while (i < n && reg_token_char((unsigned char)b[i]))
		i++;
	if (i >= n || b[i] != '"')
		return 0;
	size_t end = i;
	i = reg_skip_ws(b, i + 1, n);
	if (i >= n || b[i++] != '}')
		return 0;
	if (reg_skip_ws(b, i, n) != n)
		return 0;
	*out = b + start;
	*out_len = end - start;
	return 1;
}

void reg_token_input(const char **out, size_t *out_len, const char *in, size_t len)
{
	while (len > 0 && (*in == ' ' || *in == '\t' || *in == '\r' || *in == '\n'))
		in++, len--;
	while (len > 0 && (in[len - 1] == ' ' || in[len - 1] == '\t' || in[len - 1] == '\r' || in[len - 1] == '\n'))
		len--;
	/* A scanned QR or a pasted link is the whole verify URL: the token follows the last "/v/". */
	if (len <= REG_INPUT_MAX)
		for (size_t i = len; i >= 3; i--)
			if (in[i - 3] == '/' && in[i - 2] == 'v' && in[i - 1] == '/') {
				*out = in + i;
				*out_len = len - i;
				return;
			}
	*out = in;
	*out_len = len;
}

/* What riss-signd agrees to sign: the three kinds of input the registry sends, checked for
 * form before any key is used, so a client that can open the socket cannot have arbitrary
 * bytes signed with the issuer's key (docs/signd-protocol.md, "Inputs"). */
#include "cert_signd.h"

#include "rs_encode.h"
#include "rs_error.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

/* The JWS media types signed with the issuer key: credentials, status list tokens, and
 * Open Badges 3.0 credentials (VC-JWT). */
static const char *const cert_signd_jws_types[] = { "riss+jwt", "statuslist+jwt", "vc+jwt", NULL };

#define CERT_SIGND_HEADER_MAX 512 /* decoded protected header */

static int cert_signd_b64url_chars(const unsigned char *s, size_t n)
{
	if (n == 0)
		return 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = s[i];
		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_'))
			return 0;
	}
	return 1;
}

/* Decode a base64url part and parse it as one JSON object (NULL on any failure). */
static json_t *cert_signd_json_part(const unsigned char *s, size_t n, size_t max)
{
	if (n / 4 * 3 + 3 > max)
		return NULL;
	unsigned char *buf = malloc(max);
	size_t len = 0;
	json_t *v = NULL;
	if (buf && rs_b64url_decode(buf, max, &len, (const char *)s, n) == 0) {
		v = json_loadb((const char *)buf, len, JSON_REJECT_DUPLICATES, NULL);
		if (v && !json_is_object(v)) {
			json_decref(v);
			v = NULL;
		}
	}
	free(buf);
	return v;
}

/* A JWS signing input base64url(header) "." base64url(payload): header {alg: EdDSA, kid:
 * the signing kid, typ: one of ours}, payload a JSON object. */
static int cert_signd_check_jws(const unsigned char *msg, size_t len, const char *kid)
{
	const unsigned char *dot = memchr(msg, '.', len);
	if (!dot || memchr(dot + 1, '.', len - (size_t)(dot + 1 - msg))) {
		rs_error_set("not a JWS signing input (want header.payload)");
		return RS_EINVAL;
	}
	size_t hl = (size_t)(dot - msg), pl = len - hl - 1;
	if (!cert_signd_b64url_chars(msg, hl) || !cert_signd_b64url_chars(dot + 1, pl)) {
		rs_error_set("JWS signing input holds characters outside base64url");
		return RS_EINVAL;
	}
	json_t *h = cert_signd_json_part(msg, hl, CERT_SIGND_HEADER_MAX);
	if (!h) {
		rs_error_set("JWS header is not a JSON object of at most %d bytes", CERT_SIGND_HEADER_MAX);
		return RS_EINVAL;
	}
	const char *alg = json_string_value(json_object_get(h, "alg"));
	const char *hkid = json_string_value(json_object_get(h, "kid"));
	const char *typ = json_string_value(json_object_get(h, "typ"));
	int typ_ok = 0;
	for (size_t i = 0; typ && cert_signd_jws_types[i]; i++)
		typ_ok |= strcmp(typ, cert_signd_jws_types[i]) == 0;
	int ok = alg && strcmp(alg, "EdDSA") == 0 && hkid && strcmp(hkid, kid) == 0 && typ_ok;
	json_decref(h);
	if (!ok) {
		rs_error_set("JWS header must name alg EdDSA, the signing kid and a typ this signer serves");
		return RS_EINVAL;
	}
	json_t *p = cert_signd_json_part(dot + 1, pl, CERT_SIGND_MAX_MSG);
	if (!p) {
		rs_error_set("JWS payload is not a JSON object");
		return RS_EINVAL;
	}
	json_decref(p);
	return 0;
}

/* A C2SP tlog-checkpoint note body: "<origin>\n<tree size>\n<base64 root hash>\n" and
 * optional extension lines, each non-empty, printable, ending in a newline. */
static int cert_signd_check_note(const unsigned char *msg, size_t len)
{
	if (len == 0 || msg[len - 1] != '\n') {
		rs_error_set("a checkpoint note ends with a newline");
		return RS_EINVAL;
	}
	size_t line = 0, start = 0;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = msg[i];
		if (c != '\n') {
			if (c < 0x20 || c == 0x7f) {
				rs_error_set("a checkpoint note holds a control character");
				return RS_EINVAL;
			}
			continue;
		}
		size_t n = i - start;
		const unsigned char *s = msg + start;
		if (n == 0) {
			rs_error_set("a checkpoint note has an empty line");
			return RS_EINVAL;
		}
		if (line == 1) {
			int digits = 1;
			for (size_t k = 0; k < n; k++)
				digits &= s[k] >= '0' && s[k] <= '9';
			if (!digits || n > 20 || (n > 1 && s[0] == '0')) {
				rs_error_set("the second line of a checkpoint is the tree size in decimal");
				return RS_EINVAL;
			}
		}
		if (line == 2) {
			/* 32 bytes in standard base64 with padding: 43 characters and '='. */
			int b64 = n == 44 && s[43] == '=';
			for (size_t k = 0; b64 && k < 43; k++)
				b64 = (s[k] >= 'A' && s[k] <= 'Z') || (s[k] >= 'a' && s[k] <= 'z') ||
				      (s[k] >= '0' && s[k] <= '9') || s[k] == '+' || s[k] == '/';
			if (!b64) {
				rs_error_set("the third line of a checkpoint is a base64 SHA-256 root hash");
				return RS_EINVAL;
			}
		}
		line++;
		start = i + 1;
	}
	if (line < 3) {
		rs_error_set("a checkpoint note has at least origin, size and root hash lines");
		return RS_EINVAL;
	}
	return 0;
}

int cert_signd_input_check(const unsigned char *msg, size_t len, const char *kid)
{
	if (len > CERT_SIGND_MAX_MSG) {
		rs_error_set("message of %zu bytes is longer than %d", len, CERT_SIGND_MAX_MSG);
		return RS_ETOOBIG;
	}
	if (len > 0 && memchr(msg, '\n', len))
		return cert_signd_check_note(msg, len);
	return cert_signd_check_jws(msg, len, kid);
}

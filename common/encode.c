/* base64url and hex encodings. */
#include "rs_encode.h"
#include "rs_error.h"

static const char rs_b64url_alpha[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

size_t rs_b64url_len(size_t n)
{
	return n / 3 * 4 + (n % 3 ? n % 3 + 1 : 0);
}

void rs_b64url_encode(char *out, const unsigned char *in, size_t n)
{
	size_t i = 0, o = 0;
	for (; i + 3 <= n; i += 3) {
		unsigned v = (unsigned)in[i] << 16 | (unsigned)in[i + 1] << 8 | in[i + 2];
		out[o++] = rs_b64url_alpha[v >> 18 & 63];
		out[o++] = rs_b64url_alpha[v >> 12 & 63];
		out[o++] = rs_b64url_alpha[v >> 6 & 63];
		out[o++] = rs_b64url_alpha[v & 63];
	}
	if (n - i == 1) {
		unsigned v = (unsigned)in[i] << 16;
		out[o++] = rs_b64url_alpha[v >> 18 & 63];
		out[o++] = rs_b64url_alpha[v >> 12 & 63];
	} else if (n - i == 2) {
		unsigned v = (unsigned)in[i] << 16 | (unsigned)in[i + 1] << 8;
		out[o++] = rs_b64url_alpha[v >> 18 & 63];
		out[o++] = rs_b64url_alpha[v >> 12 & 63];
		out[o++] = rs_b64url_alpha[v >> 6 & 63];
	}
	out[o] = '\0';
}

static int rs_b64url_val(char c)
{
	if (c >= 'A' && c <= 'Z') return c - 'A';
	if (c >= 'a' && c <= 'z') return c - 'a' + 26;
	if (c >= '0' && c <= '9') return c - '0' + 52;
	if (c == '-') return 62;
	if (c == '_') return 63;
	return -1;
}

int rs_b64url_decode(unsigned char *out, size_t cap, size_t *out_len, const char *in, size_t len)
{
	if (len % 4 == 1) {
		rs_error_set("base64url text has an impossible length (%zu)", len);
		return RS_EPARSE;
	}
	size_t need = len / 4 * 3 + (len % 4 ? len % 4 - 1 : 0);
	if (need > cap) {
		rs_error_set("base64url text decodes to %zu bytes, more than the %zu allowed", need, cap);
		return RS_ETOOBIG;
	}
	size_t o = 0;
	unsigned acc = 0;
	int bits = 0;
	for (size_t i = 0; i < len; i++) {
		int v = rs_b64url_val(in[i]);
		if (v < 0) {
			rs_error_set("character %zu is not base64url", i + 1);
			return RS_EPARSE;
		}
		acc = acc << 6 | (unsigned)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[o++] = (unsigned char)(acc >> bits & 0xff);
		}
	}
	/* Leftover bits must be zero, so each byte string has exactly one encoding. */
	if (bits > 0 && (acc & ((1u << bits) - 1)) != 0) {
		rs_error_set("base64url text has non-canonical trailing bits");
		return RS_EPARSE;
	}
	*out_len = o;
	return 0;
}

void rs_hex_encode(char *out, const unsigned char *in, size_t n)
{
	static const char digits[] = "0123456789abcdef";
	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 15];
	}
	out[2 * n] = '\0';
}

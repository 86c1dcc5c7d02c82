/* Byte encodings shared by every module: base64url (RFC 4648 §5, no padding) and hex. */
#ifndef RS_ENCODE_H
#define RS_ENCODE_H

#include <stddef.h>

/* Length of the base64url text for n bytes, without padding or NUL. */
size_t rs_b64url_len(size_t n);
/* Encode n bytes as base64url into out (room for rs_b64url_len(n) + 1); NUL-terminates. */
void rs_b64url_encode(char *out, const unsigned char *in, size_t n);
/* Decode base64url text (no padding, no whitespace) of length len into out, which has
 * room for cap bytes; *out_len gets the byte count. Returns 0, RS_EPARSE on a character
 * outside the alphabet or an impossible length, RS_ETOOBIG when cap is too small. */
int rs_b64url_decode(unsigned char *out, size_t cap, size_t *out_len, const char *in, size_t len);
/* Lower-case hex of n bytes into out (room for 2n + 1). */
void rs_hex_encode(char *out, const unsigned char *in, size_t n);

#endif

/* Fuzz target: riss-signd's request body parser (cert_signd_parse_request) and, for a
 * request that parses, the check of what it agrees to sign (cert_signd_input_check). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cert_signd.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cert_signd_req req;
	enum cert_signd_status st;
	if (cert_signd_parse_request(&req, &st, data, size) == 0) {
		if (st != CERT_SIGND_OK || strlen(req.kid) == 0 || strlen(req.kid) > CERT_KID_MAX ||
		    req.msg < data || req.msg + req.msg_len != data + size)
			abort();
		/* Accepted or refused, never a crash; an accepted JWS input has exactly one dot. */
		if (cert_signd_input_check(req.msg, req.msg_len, req.kid) == 0 && !memchr(req.msg, '\n', req.msg_len)) {
			const void *dot = memchr(req.msg, '.', req.msg_len);
			if (!dot || memchr((const uint8_t *)dot + 1, '.', req.msg_len - (size_t)((const uint8_t *)dot + 1 - req.msg)))
				abort();
		}
	} else if (st == CERT_SIGND_OK) {
		abort();
	}
	return 0;
}

/* Fuzz target: riss-signd's request body parser (cert_signd_parse_request). */
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
	} else if (st == CERT_SIGND_OK) {
		abort();
	}
	return 0;
}

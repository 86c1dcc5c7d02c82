/* Fuzz target: an e-mail address as a registrant types it at /me or an LMS sends it as an
 * xAPI mbox (reg_mbox_normalise, xapi). Any bytes give an answer, never a crash; an accepted
 * address is lower case, has no mailto: and passes reg_email_valid, and normalising it again
 * gives the same. */
#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "reg_mbox.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 4096)
		return 0;
	char *s = malloc(size + 1);
	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	char out[REG_EMAIL_MAX], again[REG_EMAIL_MAX], sha1[41];
	if (reg_mbox_normalise(out, s) == 0) {
		for (const char *c = out; *c; c++)
			if (isupper((unsigned char)*c))
				abort();
		if (!reg_email_valid(out) || strncmp(out, "mailto:", 7) == 0 || reg_mbox_normalise(again, out) != 0 ||
		    strcmp(out, again) != 0)
			abort();
		reg_mbox_sha1(sha1, out);
		if (strlen(sha1) != 40)
			abort();
	}
	free(s);
	return 0;
}

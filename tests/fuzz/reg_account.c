/* Fuzz target: what a registrant or registrar types for /me — the activation code
 * (reg_activation_code_normalise) and the reminder address (reg_email_valid). Any bytes
 * must give an answer, never a crash; an accepted code is exactly "XXXX-XXXX-XXXX" of
 * upper-case letters and digits, an accepted address has one @ and fits a header. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "reg_account.h"

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
	char code[REG_ACTIVATION_CODE_LEN + 1];
	if (reg_activation_code_normalise(code, s) == 0) {
		if (strlen(code) != REG_ACTIVATION_CODE_LEN || code[4] != '-' || code[9] != '-')
			abort();
		for (int i = 0; i < REG_ACTIVATION_CODE_LEN; i++)
			if (i != 4 && i != 9 && !((code[i] >= 'A' && code[i] <= 'Z') || (code[i] >= '0' && code[i] <= '9')))
				abort();
	}
	if (reg_email_valid(s)) {
		const char *at = strchr(s, '@');
		if (!at || strchr(at + 1, '@') || strlen(s) >= REG_EMAIL_MAX || strpbrk(s, " \r\n\t<>"))
			abort();
	}
	free(s);
	return 0;
}

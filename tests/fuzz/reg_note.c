/* Fuzz target: C2SP signed-note and tlog-checkpoint parsing (reg_checkpoint_verify), with
 * the Go sumdb/note example key. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "reg_tlog.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *vkey = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
	struct reg_checkpoint cp;
	size_t tl = 0;
	if (reg_note_verify(&tl, (const char *)data, size, vkey) == 0 && (tl == 0 || tl > size))
		abort();
	if (reg_checkpoint_verify(&cp, (const char *)data, size, vkey, NULL) == 0 &&
	    strlen(cp.origin) == 0)
		abort();
	return 0;
}

/* Fuzz target: the key directory metadata parser (keys.json via cert_keydir_load). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cert_keys.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char dir[64];

static void cert_fuzz_cleanup(void)
{
	rmdir(dir);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[128];
	struct cert_keydir kd;
	if (!dir[0]) {
		strcpy(dir, "/tmp/fuzz-keysjson-XXXXXX");
		if (!mkdtemp(dir))
			abort();
		atexit(cert_fuzz_cleanup);
	}
	snprintf(path, sizeof path, "%s/keys.json", dir);
	FILE *f = fopen(path, "wb");
	if (!f)
		abort();
	fwrite(data, 1, size, f);
	fclose(f);
	if (cert_keydir_load(&kd, dir) == 0) {
		for (size_t i = 0; i < kd.n; i++) {
			char tp[CERT_KID_MAX + 1];
			cert_thumbprint(tp, kd.keys[i].pub);
			if (strcmp(tp, kd.keys[i].kid) != 0 ||
			    (kd.keys[i].state == CERT_KEY_RETIRED && kd.keys[i].retired_at == 0))
				abort();
		}
		(void)cert_keydir_current(&kd);
		cert_keydir_free(&kd);
	}
	unlink(path);
	return 0;
}

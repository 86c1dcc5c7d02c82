/* Fuzz target: the config file parser (common/config.c). */
#include <stddef.h>
#include <stdint.h>

#include "rs_config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	rs_config_reset();
	(void)rs_config_load_text((const char *)data, size, "fuzz");
	/* Whatever was accepted must read back within its bounds. */
	(void)rs_config_int("http_port");
	(void)rs_config_bool("secure_cookies");
	(void)rs_config_str("db_url");
	return 0;
}

/* riss keys (placeholder until its module lands: refuses with a clear line). */
#include "cli.h"

int cli_cmd_keys(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return cli_fail("'keys' is not available in this build yet");
}

/* riss log (placeholder until its module lands: refuses with a clear line). */
#include "cli.h"

int cli_cmd_log(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return cli_fail("'log' is not available in this build yet");
}

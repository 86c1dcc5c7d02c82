/* riss stats (placeholder until its module lands: refuses with a clear line). */
#include "cli.h"

int cli_cmd_stats(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return cli_fail("'stats' is not available in this build yet");
}

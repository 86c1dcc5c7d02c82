/* riss score (placeholder until its module lands: refuses with a clear line). */
#include "cli.h"

int cli_cmd_score(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return cli_fail("'score' is not available in this build yet");
}

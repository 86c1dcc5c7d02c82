/* riss db (placeholder until common's database layer lands: refuses with a clear line). */
#include "cli.h"

int cli_cmd_db(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return cli_fail("'db' is not available in this build yet");
}

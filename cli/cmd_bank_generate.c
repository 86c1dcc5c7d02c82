/* riss bank generate (placeholder until its module lands: refuses with a clear line). */
#include "cli.h"

int cli_bank_generate(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return cli_fail("'bank generate' is not available in this build yet");
}

/* riss bank import (placeholder until its module lands: refuses with a clear line). */
#include "cli.h"

int cli_bank_import(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return cli_fail("'bank import' is not available in this build yet");
}

int cli_bank_export(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return cli_fail("'bank export' is not available in this build yet");
}

int cli_bank_validate(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return cli_fail("'bank validate' is not available in this build yet");
}

int cli_bank_publish(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return cli_fail("'bank publish' is not available in this build yet");
}

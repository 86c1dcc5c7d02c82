/* riss bank: the item bank's subcommands. */
#include "cli.h"

static const struct cli_cmd cli_bank_cmds[] = {
	{ .name = "generate", .summary = "write a synthetic engine bank (JSON Lines) to stdout", .run = cli_bank_generate },
	{ .name = "import",   .summary = "import items (JSON Lines) into the database",          .run = cli_bank_import },
	{ .name = "export",   .summary = "export items from the database as JSON Lines",         .run = cli_bank_export },
	{ .name = "validate", .summary = "check an item file and report every bad line",         .run = cli_bank_validate },
	{ .name = "publish",  .summary = "publish an exam package (engine bank, views, keys) ",.run = cli_bank_publish },
};

int cli_cmd_bank(int argc, char **argv)
{
	return cli_dispatch("riss bank", cli_bank_cmds, (int)(sizeof cli_bank_cmds / sizeof cli_bank_cmds[0]), argc, argv);
}

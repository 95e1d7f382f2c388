/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vmtap: the table of commands; cli/command.c runs them. */
#include "cli.h"
#include "commands.h"

/* In the order 'vmtap --help' lists them. */
static const struct cli_command *const commands[] = {
	&cli_cmd_probe,
	&cli_cmd_create,
	&cli_cmd_set,
	&cli_cmd_delete,
	&cli_cmd_list,
	&cli_cmd_endpoint,
	&cli_cmd_gc,
	&cli_cmd_exec,
	&cli_cmd_qemu_args,
	&cli_cmd_hotplug,
	&cli_cmd_unplug,
	&cli_cmd_qmp,
	&cli_cmd_show,
	NULL,
};

int main(int argc, char **argv)
{
	return cli_main(commands, argc, argv);
}

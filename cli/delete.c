/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vmtap delete: remove TAP devices, several at once with a single kernel synchronisation. */
#include "cli.h"
#include "commands.h"

static const char delete_help[] =
	"Usage: vmtap delete NAME... [--netns NS]\n"
	"\n"
	"Delete the TAP devices NAME... . With several names they are deleted\n"
	"together (one RTM_DELLINK on a link group); if one of them does not exist\n"
	"or is not a TUN/TAP device, none is deleted. Devices are brought down first.\n"
	"\n"
	"Options:\n"
	"  --netns NS   the devices are in network namespace NS (name or path)\n";

struct delete_args {
	const char *netns;
};

static const struct delete_args delete_defaults;

enum delete_opt_id { O_NETNS = CLI_OPT_OWN };

static const struct cli_opt delete_opts[] = {
	CLI_OPT_STRING("netns", 'n', O_NETNS, struct delete_args, netns), { 0 },
};

static int delete_run(struct cli_call *call)
{
	const struct delete_args *a = call->data;

	return vmtap_link_delete_many(call->ctx, a->netns, (const char *const *)call->args, (size_t)call->nargs);
}

const struct cli_command cli_cmd_delete = {
	.name = "delete",
	.summary = "delete TAP devices",
	.help = delete_help,
	.options = (const struct cli_opt *const[]){ delete_opts, NULL },
	.min_args = 1, .max_args = CLI_ARGS_ANY, .missing_args = "expected at least one device NAME",
	.needs_ctx = true,
	CLI_DATA(delete_defaults),
	.run = delete_run,
};

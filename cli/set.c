/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vmtap set: change an existing device's MTU, MAC, master, alias, state or namespace in one transaction. */
#include "cli.h"
#include "commands.h"

static const char set_help[] =
	"Usage: vmtap set NAME [--netns NS] SETTINGS...\n"
	"\n"
	"Change link settings of device NAME. All settings are applied together;\n"
	"if the kernel refuses one, the device is put back as it was and the error\n"
	"names the setting.\n"
	"\n"
	"Settings:\n"
	"  --mtu N              MTU, within the device's range\n"
	"  --mac MAC            the device's own MAC address (unicast)\n"
	"  --guest-mac MAC      derive the device's MAC from the guest's: first byte FE (FA if FE)\n"
	"  --txqlen N           transmit queue length\n"
	"  --bridge BR          attach to bridge BR (MTU taken from BR unless --mtu; MAC FE:.. unless --mac)\n"
	"  --nomaster           detach from its bridge\n"
	"  --alias TEXT         interface alias; \"\" removes it\n"
	"  --up, --down         administrative state\n"
	"  --move-to NS         move the device into namespace NS, after the other settings\n"
	"Options:\n"
	"  --netns NS           the device is in namespace NS (name or path)\n";

struct set_args {
	struct vmtap_link_set_opts link;
	const char *netns;
};

static const struct set_args set_defaults = { .link = { .sz = sizeof(struct vmtap_link_set_opts) } };

enum set_opt_id { O_NETNS = CLI_OPT_OWN };

static const struct cli_opt set_opts[] = {
	CLI_OPT_STRING("netns", 'n', O_NETNS, struct set_args, netns), { 0 },
};

/* the link settings */
static int set_opt(struct cli_call *call, int id, const char *arg)
{
	struct set_args *a = call->data;

	return cli_link_opt(call->name, id, arg, &a->link);
}

static int set_check(struct cli_call *call)
{
	const struct set_args *a = call->data;

	if (!cli_link_opts_any(&a->link))
		return cli_usage_error(call->name, "nothing to set");
	return 0;
}

static int set_run(struct cli_call *call)
{
	struct set_args *a = call->data;

	return vmtap_link_set(call->ctx, a->netns, call->args[0], &a->link);
}

const struct cli_command cli_cmd_set = {
	.name = "set",
	.summary = "change a device's link settings",
	.help = set_help,
	.options = (const struct cli_opt *const[]){ set_opts, cli_link_opts, NULL },
	.option = set_opt,
	.min_args = 1, .max_args = 1, .missing_args = "expected a device NAME",
	.needs_ctx = true,
	CLI_DATA(set_defaults),
	.check = set_check,
	.run = set_run,
};

/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vmtap set: change an existing device's MTU, MAC, master, alias, state or namespace in one transaction. */
#include <stdio.h>

#include "cli.h"

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

static int set_opt(int id, const char *arg, void *data)
{
	struct set_args *a = data;

	if (id == 1) {
		a->netns = arg;
		return 0;
	}
	return cli_link_opt("set", id, arg, &a->link);
}

int cmd_set(int argc, char **argv, struct global_opts *g)
{
	static const struct cli_opt own[] = { { "netns", 'n', true, 1 }, { 0 } };
	struct set_args a = { .link = { .sz = sizeof(struct vmtap_link_set_opts) } };
	struct cli_opt opts[32];
	struct vmtap_ctx *ctx = NULL;
	char *pos[1];
	int npos = 0, r;

	cli_opts_join(opts, 32, own, cli_link_opts);
	r = cli_parse("set", argc, argv, opts, set_opt, &a, g, pos, 1, &npos);
	if (r == OPT_HELP) {
		fputs(set_help, stdout);
		return EXIT_OK;
	}
	if (r)
		return r;
	if (npos != 1)
		return cli_usage_error("set", "expected a device NAME");
	if (!cli_link_opts_any(&a.link))
		return cli_usage_error("set", "nothing to set");
	if ((r = cli_ctx_new(g, &ctx)) != 0)
		return r;
	r = vmtap_link_set(ctx, a.netns, pos[0], &a.link);
	r = cli_report(ctx, "set", r);
	vmtap_ctx_free(ctx);
	return r;
}

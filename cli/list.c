/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vmtap list and vmtap show: TAP devices with their queues, flags, link state and statistics. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "commands.h"
#include "util.h"

static const char list_help[] =
	"Usage: vmtap [-j] list [--netns NS]\n"
	"\n"
	"List TAP and TUN devices: queues, flags, owner, MTU, MAC, master, state.\n"
	"\n"
	"Options:\n"
	"  --netns NS   list network namespace NS (name or path)\n"
	"  -j, --json   JSON output (an array)\n";

static const char show_help[] =
	"Usage: vmtap [-j] show NAME [--netns NS]\n"
	"\n"
	"Show one device in detail, with its 64-bit statistics.\n"
	"\n"
	"Options:\n"
	"  --netns NS   the device is in network namespace NS (name or path)\n"
	"  -j, --json   JSON output (an array of one, as ip -j does)\n";

struct collected {
	struct vmtap_link_info *items;
	size_t n, cap;
};

static int collect_cb(const struct vmtap_link_info *info, void *data)
{
	struct collected *c = data;

	if (VT_GROW(c->items, c->cap, c->n + 1) < 0)
		return -ENOMEM;
	c->items[c->n++] = *info;
	return 0;
}

/* list's and show's values */
struct list_args {
	const char *netns;
};

static const struct list_args list_defaults;

enum list_opt_id { O_NETNS = CLI_OPT_OWN };

static const struct cli_opt list_opts[] = {
	CLI_OPT_STRING("netns", 'n', O_NETNS, struct list_args, netns), { 0 },
};

static int list_run(struct cli_call *call)
{
	const struct list_args *a = call->data;
	struct collected c = { 0 };
	struct printer *p;
	int r;

	r = vmtap_link_foreach(call->ctx, a->netns, VMTAP_LINK_TUN_ONLY, collect_cb, &c);
	if (r < 0) {
		free(c.items);
		return r;
	}
	/* masters are not in a dump's messages by name: resolve them now that the dump is over */
	for (size_t i = 0; i < c.n; i++)
		if (c.items[i].master_ifindex) {
			struct vmtap_link_info m = { .sz = sizeof(m) };
			if (vmtap_link_get_by_index(call->ctx, a->netns, c.items[i].master_ifindex, &m) == 0)
				memcpy(c.items[i].master_name, m.name, sizeof(m.name));
		}
	p = cli_printer(call);
	if (p) {
		print_open_array(p, NULL);
		for (size_t i = 0; i < c.n; i++)
			cli_print_link(p, &c.items[i], false);
		print_close_array(p);
	}
	free(c.items);
	return cli_print_done(p);
}

static int show_run(struct cli_call *call)
{
	const struct list_args *a = call->data;
	struct vmtap_link_info li = { .sz = sizeof(li) };
	struct printer *p;
	int r;

	r = vmtap_link_get(call->ctx, a->netns, call->args[0], &li);
	if (r < 0)
		return r;
	p = cli_printer(call);
	if (p) {
		print_open_array(p, NULL);
		cli_print_link(p, &li, true);
		print_close_array(p);
	}
	return cli_print_done(p);
}

const struct cli_command cli_cmd_list = {
	.name = "list",
	.summary = "list TAP devices",
	.help = list_help,
	.options = (const struct cli_opt *const[]){ list_opts, NULL },
	.needs_ctx = true,
	CLI_DATA(list_defaults),
	.run = list_run,
};

const struct cli_command cli_cmd_show = {
	.name = "show",
	.summary = "show one device in detail",
	.help = show_help,
	.options = (const struct cli_opt *const[]){ list_opts, NULL },
	.min_args = 1, .max_args = 1, .missing_args = "expected a device NAME",
	.needs_ctx = true,
	CLI_DATA(list_defaults),
	.run = show_run,
};

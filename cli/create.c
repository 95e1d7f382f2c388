/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vmtap create: make a persistent TAP device, since the CLI's own fds end with it. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "commands.h"

static const char create_help[] =
	"Usage: vmtap [-j] create NAME [OPTIONS]\n"
	"\n"
	"Create a persistent TAP device NAME (or a kernel-allocated name from a\n"
	"pattern with one %d, such as tap%d). Never attaches to an existing device.\n"
	"\n"
	"Options:\n"
	"  --queues N           number of queues, 1..256 (default 1; >1 is multi-queue)\n"
	"  --multi-queue        multi-queue even with one queue\n"
	"  --no-vnet-hdr        no virtio-net header (default: on when supported)\n"
	"  --vnet-hdr-size N    virtio-net header size: 10, 12 or 20 (default 10)\n"
	"  --offloads LIST      comma-separated: csum,tso4,tso6,tso_ecn,ufo,uso4,uso6\n"
	"  --owner USER         user allowed to open the device (name or uid)\n"
	"  --group GROUP        group allowed to open the device (name or gid)\n"
	"  --netns NS           create inside network namespace NS (name or path)\n"
	"  --qdisc noqueue|kernel  root qdisc: noqueue (default; a TAP never queues) or the\n"
	"                       kernel's default (for a multi-queue TAP: mq + 256 pfifo_fast)\n"
	"\n"
	"Link settings, applied as part of the creation (on failure the device is removed):\n"
	"  --mtu N              MTU, " CLI_STR(VMTAP_MTU_MIN) ".." CLI_STR(VMTAP_MTU_MAX) " and within the device's range\n"
	"  --mac MAC            the device's own MAC address\n"
	"  --guest-mac MAC      derive the device's MAC from the guest's: first byte FE (FA if FE)\n"
	"  --txqlen N           transmit queue length\n"
	"  --bridge BR          attach to bridge BR (MTU taken from BR unless --mtu; MAC FE:.. unless --mac)\n"
	"  --alias TEXT         interface alias (IFLA_IFALIAS)\n"
	"  --up, --down         administrative state (default: down)\n"
	"  -j, --json           JSON output\n";

struct create_args {
	struct vmtap_tap_opts opts;
	struct vmtap_link_set_opts link;
};

static const struct create_args create_defaults = {
	.opts = { .sz = sizeof(struct vmtap_tap_opts), .flags = VMTAP_TAP_PERSIST },
	.link = { .sz = sizeof(struct vmtap_link_set_opts) },
};

enum create_opt_id {
	O_QUEUES = CLI_OPT_OWN, O_MQ, O_NO_VNET, O_HDR_SZ, O_OFFLOADS, O_OWNER, O_GROUP, O_NETNS, O_QDISC,
};

static const struct cli_opt create_opts[] = {
	CLI_OPT_VALUE("queues", 'q', O_QUEUES),
	CLI_OPT_BARE("multi-queue", 0, O_MQ),
	CLI_OPT_BARE("no-vnet-hdr", 0, O_NO_VNET),
	CLI_OPT_VALUE("vnet-hdr-size", 0, O_HDR_SZ),
	CLI_OPT_VALUE("offloads", 0, O_OFFLOADS),
	CLI_OPT_VALUE("owner", 0, O_OWNER),
	CLI_OPT_VALUE("group", 0, O_GROUP),
	CLI_OPT_STRING("netns", 'n', O_NETNS, struct create_args, opts.netns),
	CLI_OPT_VALUE("qdisc", 0, O_QDISC),
	{ 0 },
};

static int parse_offloads(const char *s, uint32_t *ret)
{
	static const struct { const char *name; uint32_t flag; } names[] = {
		{ "csum", VMTAP_OFFLOAD_CSUM }, { "tso4", VMTAP_OFFLOAD_TSO4 },
		{ "tso6", VMTAP_OFFLOAD_TSO6 }, { "tso_ecn", VMTAP_OFFLOAD_TSO_ECN },
		{ "ufo", VMTAP_OFFLOAD_UFO }, { "uso4", VMTAP_OFFLOAD_USO4 }, { "uso6", VMTAP_OFFLOAD_USO6 },
	};
	uint32_t v = 0;

	while (*s) {
		size_t len = strcspn(s, ",");
		bool found = false;
		for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
			if (strlen(names[i].name) == len && !strncmp(names[i].name, s, len)) {
				v |= names[i].flag;
				found = true;
			}
		if (!found)
			return -EINVAL;
		s += len;
		if (*s == ',')
			s++;
	}
	*ret = v;
	return 0;
}

static int create_opt(struct cli_call *call, int id, const char *arg)
{
	struct create_args *a = call->data;
	struct vmtap_tap_opts *o = &a->opts;
	unsigned long v;
	int r;

	if (id == LOPT_MOVE || id == LOPT_NOMASTER)
		return cli_usage_error(call->name, "--move-to and --nomaster are for 'vmtap set'");
	r = cli_link_opt(call->name, id, arg, &a->link);
	if (r != 1)
		return r;
	switch (id) {
	case O_QUEUES:
		return cli_value_queues(call->name, arg, &o->queues);
	case O_MQ:
		o->flags |= VMTAP_TAP_MULTI_QUEUE;
		break;
	case O_NO_VNET:
		o->flags |= VMTAP_TAP_NO_VNET_HDR;
		break;
	case O_HDR_SZ:
		if (cli_parse_uint(arg, 64, &v) < 0 || (v != 10 && v != 12 && v != 20))
			return cli_invalid(call->name, "vnet header size '%s' is not 10, 12 or 20", arg);
		o->vnet_hdr_sz = (unsigned int)v;
		break;
	case O_OFFLOADS:
		if (parse_offloads(arg, &o->offloads) < 0)
			return cli_invalid(call->name, "offloads '%s': use csum,tso4,tso6,tso_ecn,ufo,uso4,uso6", arg);
		break;
	case O_OWNER:
		return cli_value_owner(call->name, arg, &o->owner, &o->flags, VMTAP_TAP_SET_OWNER);
	case O_GROUP:
		return cli_value_group(call->name, arg, &o->group, &o->flags, VMTAP_TAP_SET_GROUP);
	case O_QDISC:
		return cli_value_qdisc(call->name, arg, &o->flags, VMTAP_TAP_KERNEL_QDISC);
	}
	return 0;
}

static int create_run(struct cli_call *call)
{
	struct create_args *a = call->data;
	struct vmtap_tap *tap = NULL;
	struct printer *p;
	unsigned int queues;
	int r;

	a->opts.name = call->args[0];
	if (cli_link_opts_any(&a->link))
		a->opts.link = &a->link;

	/*
	 * The device outlives this process with no queue attached, and a
	 * multi-queue TAP takes up to 256 queues whoever opens them: one open
	 * queue makes the same device as N, without N - 1 attaches and detaches.
	 */
	queues = a->opts.queues ? a->opts.queues : 1;
	if (queues > 1) {
		a->opts.flags |= VMTAP_TAP_MULTI_QUEUE;
		a->opts.queues = 1;
	}

	r = vmtap_tap_create(call->ctx, &a->opts, &tap);
	if (r < 0)
		return r;
	p = cli_printer(call);
	if (p) {
		print_open_object(p, NULL);
		print_string(p, "ifname", "%s\n", vmtap_tap_name(tap));
		print_uint(p, "ifindex", NULL, (uint64_t)vmtap_tap_ifindex(tap));
		print_uint(p, "queues", NULL, queues);
		print_bool(p, "vnet_hdr", NULL, vmtap_tap_vnet_hdr(tap));
		print_bool(p, "persist", NULL, true);
		print_close_object(p);
		print_finish(p);
	}
	/* the device is persistent: closing our queues leaves it for its user */
	vmtap_tap_free(tap);
	return EXIT_OK;
}

const struct cli_command cli_cmd_create = {
	.name = "create",
	.summary = "create a persistent TAP device",
	.help = create_help,
	.options = (const struct cli_opt *const[]){ create_opts, cli_link_opts, NULL },
	.option = create_opt,
	.min_args = 1, .max_args = 1, .missing_args = "expected a device NAME",
	.needs_ctx = true,
	CLI_DATA(create_defaults),
	.run = create_run,
};

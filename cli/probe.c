/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vmtap probe: what the kernel's tun driver and vhost-net offer here. */
#include <stdio.h>
#include <linux/if_tun.h>

#include "cli.h"
#include "commands.h"

static const char probe_help[] =
	"Usage: vmtap [-j] probe\n"
	"\n"
	"Show whether /dev/net/tun and /dev/vhost-net can be used, the tun driver's\n"
	"features (TUNGETFEATURES) and the largest queue count a TAP can have.\n";

static void print_features(struct printer *p, const struct vmtap_features *f)
{
	static const struct { unsigned int flag; const char *name; } names[] = {
		{ IFF_TUN, "tun" }, { IFF_TAP, "tap" }, { IFF_NO_PI, "no_pi" },
		{ IFF_ONE_QUEUE, "one_queue" }, { IFF_VNET_HDR, "vnet_hdr" },
		{ IFF_MULTI_QUEUE, "multi_queue" }, { IFF_NAPI, "napi" },
		{ IFF_NAPI_FRAGS, "napi_frags" }, { IFF_NO_CARRIER, "no_carrier" },
		{ IFF_TUN_EXCL, "tun_excl" },
	};

	print_open_object(p, NULL);
	print_open_object(p, "tun");
	print_bool(p, "usable", "tun: usable\n", f->tun_usable);
	if (!f->tun_usable) {
		print_text(p, "tun: unavailable\n");
		print_string(p, "reason", "  reason: %s\n", f->tun_reason);
	} else {
		print_uint(p, "flags", NULL, f->tun_flags);
		print_text(p, "  features:");
		print_open_array(p, "features");
		for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
			if (f->tun_flags & names[i].flag)
				print_string(p, NULL, " %s", names[i].name);
		print_close_array(p);
		print_text(p, "\n");
		print_bool(p, "vnet_hdr", NULL, f->vnet_hdr);
		print_bool(p, "multi_queue", NULL, f->multi_queue);
		print_uint(p, "max_queues", "  max_queues: %llu\n", f->max_queues);
	}
	print_close_object(p);
	print_open_object(p, "vhost_net");
	print_bool(p, "usable", "vhost-net: usable\n", f->vhost_net_usable);
	if (!f->vhost_net_usable) {
		print_text(p, "vhost-net: unavailable (queues will use vhost=off)\n");
		print_string(p, "reason", "  reason: %s\n", f->vhost_net_reason);
	}
	print_close_object(p);
	print_close_object(p);
}

static int probe_run(struct cli_call *call)
{
	struct vmtap_features f = { .sz = sizeof(f) };
	struct printer *p;
	int r;

	r = vmtap_probe(call->ctx, &f);
	if (r < 0)
		return r;
	p = cli_printer(call);
	if (p)
		print_features(p, &f);
	return cli_print_done(p);
}

const struct cli_command cli_cmd_probe = {
	.name = "probe",
	.summary = "show what the tun driver and vhost-net offer",
	.help = probe_help,
	.needs_ctx = true,
	.run = probe_run,
};

/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vmtap probe: what the kernel's tun driver and vhost-net offer here. */
#include <stdio.h>
#include <linux/if_tun.h>

#include "cli.h"

static const char probe_help[] =
	"Usage: vmtap [-j] probe\n"
	"\n"
	"Show whether /dev/net/tun and /dev/vhost-net can be used, the tun driver's\n"
	"features (TUNGETFEATURES) and the largest queue count a TAP can have.\n";

static int probe_opt(int id, const char *arg, void *data)
{
	(void)id, (void)arg, (void)data;
	return 0;
}

void cli_print_features(struct printer *p, const struct vmtap_features *f);
void cli_print_features(struct printer *p, const struct vmtap_features *f)
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

int cmd_probe(int argc, char **argv, struct global_opts *g)
{
	static const struct cli_opt opts[] = { { 0 } };
	struct vmtap_features f = { .sz = sizeof(f) };
	struct vmtap_ctx *ctx = NULL;
	struct printer *p;
	char *pos[1];
	int npos = 0, r;

	r = cli_parse("probe", argc, argv, opts, probe_opt, NULL, g, pos, 0, &npos);
	if (r == OPT_HELP) {
		fputs(probe_help, stdout);
		return EXIT_OK;
	}
	if (r)
		return r;
	if ((r = cli_ctx_new(g, &ctx)) != 0)
		return r;
	r = vmtap_probe(ctx, &f);
	if (r < 0) {
		r = cli_report(ctx, "probe", r);
		vmtap_ctx_free(ctx);
		return r;
	}
	vmtap_ctx_free(ctx);
	p = print_new(stdout, g->json, g->pretty);
	if (!p)
		return EXIT_FAILURE_OTHER;
	cli_print_features(p, &f);
	return print_finish(p) < 0 ? EXIT_FAILURE_OTHER : EXIT_OK;
}

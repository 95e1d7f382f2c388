/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vmtap list and vmtap show: TAP devices with their queues, flags, link state and statistics. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

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

	if (c->n == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 16;
		struct vmtap_link_info *items = realloc(c->items, cap * sizeof(*items));
		if (!items)
			return -ENOMEM;
		c->items = items;
		c->cap = cap;
	}
	c->items[c->n++] = *info;
	return 0;
}

static int netns_opt(int id, const char *arg, void *data)
{
	(void)id;
	*(const char **)data = arg;
	return 0;
}

int cmd_list(int argc, char **argv, struct global_opts *g)
{
	static const struct cli_opt opts[] = { { "netns", 'n', true, 1 }, { 0 } };
	const char *netns = NULL;
	struct collected c = { 0 };
	struct vmtap_ctx *ctx = NULL;
	struct printer *p;
	char *pos[1];
	int npos = 0, r;

	r = cli_parse("list", argc, argv, opts, netns_opt, &netns, g, pos, 0, &npos);
	if (r == OPT_HELP) {
		fputs(list_help, stdout);
		return EXIT_OK;
	}
	if (r)
		return r;
	if ((r = cli_ctx_new(g, &ctx)) != 0)
		return r;
	r = vmtap_link_foreach(ctx, netns, VMTAP_LINK_TUN_ONLY, collect_cb, &c);
	if (r < 0) {
		r = cli_report(ctx, "list", r);
		goto out;
	}
	/* masters are not in a dump's messages by name: resolve them now that the dump is over */
	for (size_t i = 0; i < c.n; i++)
		if (c.items[i].master_ifindex) {
			struct vmtap_link_info m = { .sz = sizeof(m) };
			if (vmtap_link_get_by_index(ctx, netns, c.items[i].master_ifindex, &m) == 0)
				memcpy(c.items[i].master_name, m.name, sizeof(m.name));
		}
	p = print_new(stdout, g->json, g->pretty);
	if (!p) {
		r = EXIT_FAILURE_OTHER;
		goto out;
	}
	print_open_array(p, NULL);
	for (size_t i = 0; i < c.n; i++)
		cli_print_link(p, &c.items[i], false);
	print_close_array(p);
	r = print_finish(p) < 0 ? EXIT_FAILURE_OTHER : EXIT_OK;
out:
	free(c.items);
	vmtap_ctx_free(ctx);
	return r;
}

int cmd_show(int argc, char **argv, struct global_opts *g)
{
	static const struct cli_opt opts[] = { { "netns", 'n', true, 1 }, { 0 } };
	struct vmtap_link_info li = { .sz = sizeof(li) };
	const char *netns = NULL;
	struct vmtap_ctx *ctx = NULL;
	struct printer *p;
	char *pos[1];
	int npos = 0, r;

	r = cli_parse("show", argc, argv, opts, netns_opt, &netns, g, pos, 1, &npos);
	if (r == OPT_HELP) {
		fputs(show_help, stdout);
		return EXIT_OK;
	}
	if (r)
		return r;
	if (npos != 1)
		return cli_usage_error("show", "expected a device NAME");
	if ((r = cli_ctx_new(g, &ctx)) != 0)
		return r;
	r = vmtap_link_get(ctx, netns, pos[0], &li);
	if (r < 0) {
		r = cli_report(ctx, "show", r);
		vmtap_ctx_free(ctx);
		return r;
	}
	vmtap_ctx_free(ctx);
	p = print_new(stdout, g->json, g->pretty);
	if (!p)
		return EXIT_FAILURE_OTHER;
	print_open_array(p, NULL);
	cli_print_link(p, &li, true);
	print_close_array(p);
	return print_finish(p) < 0 ? EXIT_FAILURE_OTHER : EXIT_OK;
}

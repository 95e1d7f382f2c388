/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vmtap delete: remove TAP devices, several at once with a single kernel synchronisation. */
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"

static const char delete_help[] =
	"Usage: vmtap delete NAME... [--netns NS]\n"
	"\n"
	"Delete the TAP devices NAME... . With several names they are deleted\n"
	"together (one RTM_DELLINK on a link group); if one of them does not exist\n"
	"or is not a TUN/TAP device, none is deleted. Devices are brought down first.\n"
	"\n"
	"Options:\n"
	"  --netns NS   the devices are in network namespace NS (name or path)\n";

static int delete_opt(int id, const char *arg, void *data)
{
	(void)id;
	*(const char **)data = arg;
	return 0;
}

int cmd_delete(int argc, char **argv, struct global_opts *g)
{
	static const struct cli_opt opts[] = { { "netns", 'n', true, 1 }, { 0 } };
	const char *netns = NULL;
	struct vmtap_ctx *ctx = NULL;
	char **pos;
	int npos = 0, r;

	pos = calloc((size_t)argc, sizeof(*pos));
	if (!pos)
		return EXIT_FAILURE_OTHER;
	r = cli_parse("delete", argc, argv, opts, delete_opt, &netns, g, pos, argc, &npos);
	if (r == OPT_HELP) {
		fputs(delete_help, stdout);
		free(pos);
		return EXIT_OK;
	}
	if (!r && npos < 1)
		r = cli_usage_error("delete", "expected at least one device NAME");
	if (r) {
		free(pos);
		return r;
	}
	if ((r = cli_ctx_new(g, &ctx)) != 0) {
		free(pos);
		return r;
	}
	r = vmtap_link_delete_many(ctx, netns, (const char *const *)pos, (size_t)npos);
	r = cli_report(ctx, "delete", r);
	vmtap_ctx_free(ctx);
	free(pos);
	return r;
}

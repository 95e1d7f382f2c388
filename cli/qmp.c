/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vmtap qmp: run one QMP command on a QEMU and print its return value, for scripts and diagnosis. */
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"

static const char qmp_help[] =
	"Usage: vmtap qmp --qmp SOCKET COMMAND [ARGUMENTS-JSON]\n"
	"\n"
	"Connect to QEMU's QMP socket, run COMMAND with ARGUMENTS-JSON (an object)\n"
	"and print its \"return\" value as JSON. A QMP error exits 9 with QEMU's\n"
	"class and description. Example:\n"
	"  vmtap qmp --qmp /run/vm7.qmp human-monitor-command '{\"command-line\":\"info network\"}'\n";

static int qmp_opt(int id, const char *arg, void *data)
{
	(void)id;
	*(const char **)data = arg;
	return 0;
}

int cmd_qmp(int argc, char **argv, struct global_opts *g)
{
	static const struct cli_opt opts[] = { { "qmp", 0, true, 1 }, { 0 } };
	const char *path = NULL;
	struct vmtap_ctx *ctx = NULL;
	struct vmtap_qmp *q = NULL;
	char *pos[2] = { NULL, NULL }, *ret = NULL;
	int npos = 0, r;

	r = cli_parse("qmp", argc, argv, opts, qmp_opt, &path, g, pos, 2, &npos);
	if (r == OPT_HELP) {
		fputs(qmp_help, stdout);
		return EXIT_OK;
	}
	if (r)
		return r;
	if (npos < 1)
		return cli_usage_error("qmp", "expected a COMMAND");
	if (!path)
		return cli_usage_error("qmp", "--qmp SOCKET is required");
	if ((r = cli_ctx_new(g, &ctx)) != 0)
		return r;
	r = vmtap_qmp_connect(ctx, path, 0, &q);
	if (r == 0)
		r = vmtap_qmp_execute(ctx, q, pos[0], pos[1], -1, &ret);
	if (r == 0) {
		/* json-c writes QEMU's strings as they came: valid UTF-8 only, whatever QEMU sent */
		char *safe = print_utf8(ret);
		printf("%s\n", safe ? safe : "null");
		free(safe);
	}
	free(ret);
	vmtap_qmp_free(q);
	r = cli_report(ctx, "qmp", r);
	vmtap_ctx_free(ctx);
	return r;
}

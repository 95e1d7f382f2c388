/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vmtap qmp: run one QMP command on a QEMU and print its return value, for scripts and diagnosis. */
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"
#include "commands.h"

static const char qmp_help[] =
	"Usage: vmtap qmp --qmp SOCKET COMMAND [ARGUMENTS-JSON]\n"
	"\n"
	"Connect to QEMU's QMP socket, run COMMAND with ARGUMENTS-JSON (an object)\n"
	"and print its \"return\" value as JSON. A QMP error exits 9 with QEMU's\n"
	"class and description. Example:\n"
	"  vmtap qmp --qmp /run/vm7.qmp human-monitor-command '{\"command-line\":\"info network\"}'\n";

struct qmp_args {
	const char *path;
};

static const struct qmp_args qmp_defaults;

enum qmp_opt_id { O_QMP = CLI_OPT_OWN };

static const struct cli_opt qmp_opts[] = { CLI_OPT_STRING("qmp", 0, O_QMP, struct qmp_args, path), { 0 } };

static int qmp_check(struct cli_call *call)
{
	const struct qmp_args *a = call->data;

	return cli_required(call, a->path, "--qmp SOCKET");
}

static int qmp_run(struct cli_call *call)
{
	const struct qmp_args *a = call->data;
	struct vmtap_qmp *q = NULL;
	char *ret = NULL;
	int r;

	r = vmtap_qmp_connect(call->ctx, a->path, 0, &q);
	if (r == 0)
		r = vmtap_qmp_execute(call->ctx, q, call->args[0], call->nargs > 1 ? call->args[1] : NULL, -1, &ret);
	if (r == 0) {
		/* json-c writes QEMU's strings as they came: valid UTF-8 only, whatever QEMU sent */
		char *safe = print_utf8(ret);
		printf("%s\n", safe ? safe : "null");
		free(safe);
	}
	free(ret);
	vmtap_qmp_free(q);
	return r < 0 ? r : EXIT_OK;
}

const struct cli_command cli_cmd_qmp = {
	.name = "qmp",
	.summary = "run one QMP command, print its return value",
	.help = qmp_help,
	.options = (const struct cli_opt *const[]){ qmp_opts, NULL },
	.min_args = 1, .max_args = 2, .missing_args = "expected a COMMAND",
	.needs_ctx = true,
	CLI_DATA(qmp_defaults),
	.check = qmp_check,
	.run = qmp_run,
};

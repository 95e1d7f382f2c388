/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vmtap qemu-args: the -netdev/-device arguments for TAP fds a caller already holds. */
#include <stdlib.h>

#include "cli.h"
#include "commands.h"
#include "nic_spec.h"

static const char qemu_args_help[] =
	"Usage: vmtap [-j] qemu-args --nic SPEC [--nic SPEC]...\n"
	"\n"
	"Print the QEMU arguments for NICs whose fds the caller holds and will pass\n"
	"to QEMU itself (one line, space-separated; -j: a JSON array).\n"
	"\n"
	"SPEC is key=value,... with fds=A:B:.. (required), vhostfds=A:B:.., id=ID,\n"
	"mac=MAC, mtu=N (host_mtu), model=MODEL, vectors=N, bus=BUS, addr=ADDR.\n"
	"Counts of fds and vhostfds must match; vectors must be at least 2N+2.\n";

enum qemu_args_opt_id { O_NIC = CLI_OPT_OWN };

static const struct cli_opt qemu_args_opts[] = { CLI_OPT_VALUE("nic", 0, O_NIC), { 0 } };

static const struct cli_nic_specs qemu_args_defaults;

static int qemu_args_opt(struct cli_call *call, int id, const char *arg)
{
	struct cli_nic_specs *a = call->data;
	struct nic_spec *s;
	int r;

	if (id != O_NIC)
		return 0;
	r = cli_nic_specs_add(call->name, arg, a);
	if (r)
		return r;
	s = &a->specs[--a->n]; /* counted once all checks pass, below */
	if (!s->nfds)
		return cli_invalid(call->name, "--nic %s: fds=A:B:... is required", arg);
	if (s->nvhostfds && s->nvhostfds != s->nfds)
		return cli_invalid(call->name, "--nic %s: %u fds but %u vhostfds: the counts must match", arg, s->nfds,
				   s->nvhostfds);
	if (s->endpoint[0] || s->bridge[0] || s->helper[0] || s->redirect[0] || s->macvtap[0] || s->netns[0] ||
	    s->ifname[0] || s->queues || s->vhost >= 0)
		return cli_invalid(call->name, "--nic %s: endpoint, bridge, helper, redirect, macvtap, netns, ifname, "
				   "queues and vhost are for 'vmtap exec'", arg);
	a->n++;
	return 0;
}

static int qemu_args_check(struct cli_call *call)
{
	const struct cli_nic_specs *a = call->data;

	if (a->n == 0)
		return cli_usage_error(call->name, "expected at least one --nic SPEC");
	return 0;
}

static int qemu_args_run(struct cli_call *call)
{
	struct cli_nic_specs *a = call->data;
	struct vmtap_qemu_nic *nics = calloc(a->n, sizeof(*nics));
	const struct vmtap_qemu_nic **ptrs = calloc(a->n, sizeof(*ptrs));
	struct printer *p;
	char **args = NULL;
	int r;

	if (!nics || !ptrs) {
		r = EXIT_FAILURE_OTHER;
		goto out;
	}
	for (size_t i = 0; i < a->n; i++) {
		struct nic_spec *s = &a->specs[i];
		nic_spec_qemu_nic(s, i, &nics[i]);
		nics[i].queues = s->nfds;
		nics[i].fds = s->fds;
		nics[i].vhostfds = s->nvhostfds ? s->vhostfds : NULL;
		ptrs[i] = &nics[i];
	}
	r = vmtap_qemu_args(call->ctx, ptrs, a->n, &args);
	if (r < 0)
		goto out;
	p = cli_printer(call);
	if (p) {
		print_open_array(p, NULL);
		for (char **arg = args; *arg; arg++)
			print_string(p, NULL, arg == args ? "%s" : " %s", *arg);
		print_close_array(p);
		print_text(p, "\n");
	}
	r = cli_print_done(p);
out:
	vmtap_qemu_args_free(args);
	free(nics);
	free(ptrs);
	return r;
}

const struct cli_command cli_cmd_qemu_args = {
	.name = "qemu-args",
	.summary = "print QEMU arguments for fds held",
	.help = qemu_args_help,
	.options = (const struct cli_opt *const[]){ qemu_args_opts, NULL },
	.option = qemu_args_opt,
	.needs_ctx = true,
	CLI_DATA(qemu_args_defaults),
	.check = qemu_args_check,
	.run = qemu_args_run,
	.free_data = cli_nic_specs_free,
};

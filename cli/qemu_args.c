/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vmtap qemu-args: the -netdev/-device arguments for TAP fds a caller already holds. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
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

static int qa_opt(int id, const char *arg, void *data)
{
	struct cli_nic_specs *a = data;
	struct nic_spec *s;
	int r;

	(void)id;
	r = cli_nic_specs_add("qemu-args", arg, a);
	if (r)
		return r;
	s = &a->specs[--a->n]; /* counted once all checks pass, below */
	if (!s->nfds)
		return cli_invalid("qemu-args", "--nic %s: fds=A:B:... is required", arg);
	if (s->nvhostfds && s->nvhostfds != s->nfds)
		return cli_invalid("qemu-args", "--nic %s: %u fds but %u vhostfds: the counts must match", arg, s->nfds,
				   s->nvhostfds);
	if (s->endpoint[0] || s->bridge[0] || s->netns[0] || s->ifname[0] || s->queues || s->vhost >= 0)
		return cli_invalid("qemu-args", "--nic %s: endpoint, bridge, netns, ifname, queues and vhost are for "
				   "'vmtap exec'", arg);
	a->n++;
	return 0;
}

int cmd_qemu_args(int argc, char **argv, struct global_opts *g)
{
	static const struct cli_opt opts[] = { { "nic", 0, true, 1 }, { 0 } };
	struct cli_nic_specs a = { 0 };
	struct vmtap_ctx *ctx = NULL;
	struct vmtap_qemu_nic *nics = NULL;
	const struct vmtap_qemu_nic **ptrs = NULL;
	char **args = NULL;
	char *pos[1];
	int npos = 0, r;

	r = cli_parse("qemu-args", argc, argv, opts, qa_opt, &a, g, pos, 0, &npos);
	if (r == OPT_HELP) {
		fputs(qemu_args_help, stdout);
		free(a.specs);
		return EXIT_OK;
	}
	if (!r && a.n == 0)
		r = cli_usage_error("qemu-args", "expected at least one --nic SPEC");
	if (r) {
		free(a.specs);
		return r;
	}
	if ((r = cli_ctx_new(g, &ctx)) != 0) {
		free(a.specs);
		return r;
	}
	nics = calloc(a.n, sizeof(*nics));
	ptrs = calloc(a.n, sizeof(*ptrs));
	if (!nics || !ptrs) {
		r = EXIT_FAILURE_OTHER;
		goto out;
	}
	for (size_t i = 0; i < a.n; i++) {
		struct nic_spec *s = &a.specs[i];
		if (!s->id[0])
			snprintf(s->id, sizeof(s->id), "net%zu", i);
		nics[i] = (struct vmtap_qemu_nic){
			.sz = sizeof(nics[i]), .id = s->id, .queues = s->nfds, .fds = s->fds,
			.vhostfds = s->nvhostfds ? s->vhostfds : NULL, .model = s->model[0] ? s->model : NULL,
			.host_mtu = s->mtu, .vectors = s->vectors, .bus = s->bus[0] ? s->bus : NULL,
			.addr = s->addr[0] ? s->addr : NULL,
		};
		if (s->set_mac)
			memcpy(nics[i].mac, s->mac, 6);
		else
			vmtap_endpoint_default_mac(s->id, nics[i].mac);
		ptrs[i] = &nics[i];
	}
	r = vmtap_qemu_args(ctx, ptrs, a.n, &args);
	if (r < 0) {
		r = cli_report(ctx, "qemu-args", r);
		goto out;
	}
	{
		struct printer *p = print_new(stdout, g->json, g->pretty);
		if (!p) {
			r = EXIT_FAILURE_OTHER;
			goto out;
		}
		print_open_array(p, NULL);
		for (char **arg = args; *arg; arg++)
			print_string(p, NULL, arg == args ? "%s" : " %s", *arg);
		print_close_array(p);
		print_text(p, "\n");
		r = print_finish(p) < 0 ? EXIT_FAILURE_OTHER : EXIT_OK;
	}
out:
	vmtap_qemu_args_free(args);
	vmtap_ctx_free(ctx);
	free(nics);
	free(ptrs);
	free(a.specs);
	return r;
}

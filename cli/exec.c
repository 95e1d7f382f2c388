/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vmtap exec: open each NIC's queues, place the fds, add -netdev/-device, and become QEMU. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "nic_spec.h"

static const char exec_help[] =
	"Usage: vmtap exec [--nic SPEC]... -- QEMU_COMMAND [ARGS]...\n"
	"\n"
	"Open each NIC's TAP queues (and vhost-net fds when asked and available),\n"
	"place them at fd numbers above any inherited fd, add the matching\n"
	"-netdev tap,fds=... and -device arguments, and exec QEMU: QEMU is this\n"
	"process, so its signals and exit status reach the caller unchanged. An\n"
	"ephemeral TAP lives exactly as long as QEMU holds it.\n"
	"\n"
	"SPEC is key=value,... with:\n"
	"  id=ID           device id (default net0, net1, ...); the netdev is hostID\n"
	"  endpoint=ID     use endpoint ID's device (queues, MAC, MTU from its record)\n"
	"  queues=N        1..256 (ephemeral TAP; default 1)\n"
	"  mac=MAC         guest MAC (default: 52:54:00 + a hash of the id)\n"
	"  mtu=N           TAP MTU, also host_mtu for the guest when not 1500\n"
	"  bridge=BR       attach the ephemeral TAP to bridge BR\n"
	"  netns=NS        create the ephemeral TAP in namespace NS\n"
	"  ifname=NAME     ephemeral TAP name or %d pattern\n"
	"  vhost=on|off    vhost-net fds (degrades to off with a warning)\n"
	"  model=MODEL     device model (default virtio-net-pci)\n"
	"  vectors=N       MSI-X vectors (default 2*queues+2)\n"
	"  bus=BUS,addr=A  PCI placement\n"
	"\n"
	"Bad specs are refused before QEMU starts, with nothing created.\n"
	"If QEMU cannot be executed the exit status is 127.\n";

int cli_nic_specs_add(const char *cmd, const char *arg, struct cli_nic_specs *l)
{
	struct nic_spec *more;
	char err[256];

	more = realloc(l->specs, (l->n + 1) * sizeof(*more));
	if (!more)
		return EXIT_FAILURE_OTHER;
	l->specs = more;
	if (nic_spec_parse(arg, strlen(arg), &l->specs[l->n], err, sizeof(err)) < 0)
		return cli_invalid(cmd, "--nic %s: %s", arg, err);
	l->n++;
	return 0;
}

static int exec_opt(int id, const char *arg, void *data)
{
	struct cli_nic_specs *a = data;
	int r;

	(void)id;
	r = cli_nic_specs_add("exec", arg, a);
	if (r == 0 && (a->specs[a->n - 1].nfds || a->specs[a->n - 1].nvhostfds))
		return cli_invalid("exec", "--nic %s: fds and vhostfds are for 'vmtap qemu-args'", arg);
	return r;
}

struct opened {
	struct vmtap_qemu_nic nic;
	char id[128];
	int *fds, *vhostfds;
	unsigned int queues;
};

static void close_opened(struct opened *o, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		for (unsigned int q = 0; q < o[i].queues; q++) {
			if (o[i].fds && o[i].fds[q] >= 0)
				close(o[i].fds[q]);
			if (o[i].vhostfds && o[i].vhostfds[q] >= 0)
				close(o[i].vhostfds[q]);
		}
		free(o[i].fds);
		free(o[i].vhostfds);
	}
}

/* Open NIC @s: an endpoint's queues or a new ephemeral TAP. */
static int open_nic(struct vmtap_ctx *ctx, const struct nic_spec *s, size_t index, struct opened *o, bool *vhost_warned)
{
	struct vmtap_tap *tap = NULL;
	struct vmtap_endpoint *ep = NULL;
	bool want_vhost = s->vhost == 1;
	int r;

	if (s->id[0])
		snprintf(o->id, sizeof(o->id), "%s", s->id);
	else
		snprintf(o->id, sizeof(o->id), "net%zu", index);
	o->nic = (struct vmtap_qemu_nic){ .sz = sizeof(o->nic), .id = o->id };
	o->nic.model = s->model[0] ? s->model : NULL;
	o->nic.bus = s->bus[0] ? s->bus : NULL;
	o->nic.addr = s->addr[0] ? s->addr : NULL;
	o->nic.vectors = s->vectors;

	if (s->endpoint[0]) {
		/* vmtap_endpoint_open() refuses an endpoint whose queues another process holds */
		r = vmtap_endpoint_load(ctx, s->endpoint, &ep);
		if (r < 0)
			return r;
		vmtap_endpoint_guest_mac(ep, o->nic.mac);
		o->nic.host_mtu = vmtap_endpoint_mtu(ep);
		if (s->vhost < 0)
			want_vhost = vmtap_endpoint_vhost(ep);
		vmtap_endpoint_free(ep);
		r = vmtap_endpoint_open(ctx, s->endpoint, &tap);
	} else {
		VMTAP_OPTS(vmtap_link_set_opts, link, .mtu = s->mtu, .set_guest_mac = true,
			   .master = s->bridge[0] ? s->bridge : NULL, .state = VMTAP_LINK_UP);
		VMTAP_OPTS(vmtap_tap_opts, topts, .name = s->ifname[0] ? s->ifname : NULL, .queues = s->queues,
			   .netns = s->netns[0] ? s->netns : NULL, .link = &link);
		if (s->set_mac)
			memcpy(o->nic.mac, s->mac, 6);
		else
			vmtap_endpoint_default_mac(o->id, o->nic.mac);
		memcpy(link.guest_mac, o->nic.mac, 6);
		o->nic.host_mtu = s->mtu;
		r = vmtap_tap_create(ctx, &topts, &tap);
	}
	if (r < 0)
		return r;
	o->queues = vmtap_tap_queues(tap);
	o->fds = calloc(o->queues, sizeof(int));
	if (!o->fds || vmtap_tap_steal_fds(tap, o->fds, o->queues) < 0) {
		vmtap_tap_free(tap);
		free(o->fds);
		o->fds = NULL;
		return -ENOMEM;
	}
	vmtap_tap_free(tap);
	if (want_vhost) {
		o->vhostfds = calloc(o->queues, sizeof(int));
		if (!o->vhostfds)
			return -ENOMEM;
		r = vmtap_vhost_open(ctx, o->queues, o->vhostfds);
		if (r < 0) {
			if (!*vhost_warned)
				fprintf(stderr, "vmtap: warning: vhost-net is unavailable (%s): NICs use vhost=off\n",
					vmtap_ctx_error(ctx));
			*vhost_warned = true;
			free(o->vhostfds);
			o->vhostfds = NULL;
		}
	}
	o->nic.queues = o->queues;
	o->nic.fds = o->fds;
	o->nic.vhostfds = o->vhostfds;
	return 0;
}

int cmd_exec(int argc, char **argv, struct global_opts *g)
{
	static const struct cli_opt opts[] = { { "nic", 0, true, 1 }, { 0 } };
	struct cli_nic_specs a = { 0 };
	struct vmtap_ctx *ctx = NULL;
	struct opened *opened = NULL;
	const struct vmtap_qemu_nic **nics = NULL;
	bool vhost_warned = false;
	int dashdash = -1, npos = 0, r;
	char *pos[1];
	size_t done = 0;

	for (int i = 1; i < argc; i++)
		if (!strcmp(argv[i], "--")) {
			dashdash = i;
			break;
		}
	r = cli_parse("exec", dashdash < 0 ? argc : dashdash, argv, opts, exec_opt, &a, g, pos, 0, &npos);
	if (r == OPT_HELP) {
		fputs(exec_help, stdout);
		free(a.specs);
		return EXIT_OK;
	}
	if (!r && (dashdash < 0 || dashdash + 1 >= argc))
		r = cli_usage_error("exec", "expected -- QEMU_COMMAND [ARGS]...");
	if (r) {
		free(a.specs);
		return r;
	}
	if ((r = cli_ctx_new(g, &ctx)) != 0) {
		free(a.specs);
		return r;
	}
	opened = calloc(a.n ? a.n : 1, sizeof(*opened));
	nics = calloc(a.n ? a.n : 1, sizeof(*nics));
	if (!opened || !nics) {
		r = EXIT_FAILURE_OTHER;
		goto out;
	}
	/* check what can be checked without the kernel before creating anything */
	for (size_t i = 0; i < a.n; i++) {
		static const int placeholder_fds[VMTAP_MAX_QUEUES];
		char id[128];
		if (a.specs[i].id[0])
			snprintf(id, sizeof(id), "%s", a.specs[i].id);
		else
			snprintf(id, sizeof(id), "net%zu", i);
		snprintf(opened[i].id, sizeof(opened[i].id), "%s", id);
		opened[i].nic = (struct vmtap_qemu_nic){
			.sz = sizeof(opened[i].nic), .id = opened[i].id,
			.queues = a.specs[i].queues ? a.specs[i].queues : 1, .fds = placeholder_fds,
			.model = a.specs[i].model[0] ? a.specs[i].model : NULL, .vectors = a.specs[i].vectors,
			.bus = a.specs[i].bus[0] ? a.specs[i].bus : NULL, .addr = a.specs[i].addr[0] ? a.specs[i].addr : NULL,
			.host_mtu = a.specs[i].mtu,
		};
		if (a.specs[i].set_mac)
			memcpy(opened[i].nic.mac, a.specs[i].mac, 6);
		else if (a.specs[i].endpoint[0])
			vmtap_endpoint_default_mac(a.specs[i].endpoint, opened[i].nic.mac); /* placeholder, unique per id */
		else
			vmtap_endpoint_default_mac(id, opened[i].nic.mac);
		nics[i] = &opened[i].nic;
	}
	{
		char **args = NULL;
		r = vmtap_qemu_args(ctx, nics, a.n, &args);
		vmtap_qemu_args_free(args);
		if (r < 0) {
			r = cli_report(ctx, "exec", r);
			goto out;
		}
	}
	memset(opened, 0, a.n * sizeof(*opened));
	for (done = 0; done < a.n; done++) {
		r = open_nic(ctx, &a.specs[done], done, &opened[done], &vhost_warned);
		if (r < 0) {
			r = cli_report(ctx, "exec", r);
			done++; /* what it opened before failing is closed too */
			goto out;
		}
		nics[done] = &opened[done].nic;
	}
	/* the record says where each endpoint went; the pid stays ours through the exec */
	for (size_t i = 0; i < a.n; i++) {
		if (!a.specs[i].endpoint[0])
			continue;
		char netdev[140];
		snprintf(netdev, sizeof(netdev), "host%s", opened[i].id);
		VMTAP_OPTS(vmtap_hypervisor_info, hv, .pid = (int)getpid(), .netdev_id = netdev, .device_id = opened[i].id);
		r = vmtap_endpoint_set_hypervisor(ctx, a.specs[i].endpoint, &hv);
		if (r < 0) {
			r = cli_report(ctx, "exec", r);
			/* the records written so far must not name a QEMU that will not run */
			for (size_t j = 0; j < i; j++)
				if (a.specs[j].endpoint[0])
					(void)vmtap_endpoint_set_hypervisor(ctx, a.specs[j].endpoint, NULL);
			goto out;
		}
	}
	r = vmtap_qemu_exec(ctx, argv + dashdash + 1, nics, a.n);
	/* only on failure: the fds are closed by vmtap_qemu_exec, ephemeral TAPs are gone */
	done = 0;
	{
		bool not_executable = (r == -ENOENT || r == -EACCES || r == -ENOEXEC) &&
				      !strcmp(vmtap_ctx_error_step(ctx), "exec");
		r = not_executable ? (cli_print_error("exec", vmtap_ctx_error(ctx)), EXIT_EXEC) : cli_report(ctx, "exec", r);
	}
	/* the records must not name a QEMU that never ran */
	for (size_t i = 0; i < a.n; i++)
		if (a.specs[i].endpoint[0] && vmtap_endpoint_set_hypervisor(ctx, a.specs[i].endpoint, NULL) < 0)
			cli_print_error("exec", vmtap_ctx_error(ctx));
	for (size_t i = 0; i < a.n; i++) {
		free(opened[i].fds);
		free(opened[i].vhostfds);
	}
	vmtap_ctx_free(ctx);
	free(opened);
	free(nics);
	free(a.specs);
	return r;
out:
	if (opened)
		close_opened(opened, done);
	vmtap_ctx_free(ctx);
	free(opened);
	free(nics);
	free(a.specs);
	return r;
}

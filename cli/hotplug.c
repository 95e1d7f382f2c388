/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vmtap hotplug and vmtap unplug: an endpoint into and out of a running QEMU over QMP. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const char hotplug_help[] =
	"Usage: vmtap hotplug --qmp SOCKET ID [SPEC] [--device-id X] [--netdev-id X]\n"
	"                     [--model M] [--bus B] [--addr A] [--vhost|--no-vhost] [--timeout S]\n"
	"\n"
	"Plug endpoint ID into the running QEMU behind QMP socket SOCKET, creating\n"
	"the endpoint from SPEC (as for 'vmtap endpoint create') if it does not\n"
	"exist: getfd each queue fd, netdev_add, device_add (mq, vectors=2N+2),\n"
	"then close vmtap's copies and record the device id, netdev id, PCI address\n"
	"and QEMU's pid. On any failure what was added to QEMU is removed and an\n"
	"endpoint created here is destroyed. The device id defaults to vmtap-ID.\n"
	"  --timeout S   seconds the whole hot-plug may take (default 10), and undoing\n"
	"                a failed one as many again; a QEMU that lets a reply time out\n"
	"                is not asked anything more, and vmtap says what it left in it\n";

static const char unplug_help[] =
	"Usage: vmtap unplug --qmp SOCKET ID [--timeout S] [--keep]\n"
	"\n"
	"device_del endpoint ID's device, wait for the guest to release it (the\n"
	"DEVICE_DELETED event for its id), netdev_del, then destroy the endpoint\n"
	"(--keep: keep it). SOCKET must be the QMP socket of the QEMU the record\n"
	"names (its pid, checked with the socket's peer credentials); when that\n"
	"QEMU has exited, the device is gone with it and only the record is\n"
	"cleared. The whole unplug, guest included, takes at most --timeout\n"
	"seconds (default 30); if the guest does not release the device in time\n"
	"vmtap says so, leaves QEMU's netdev in place and exits 8; running unplug\n"
	"again later finishes the job.\n";

enum { H_QMP = 200, H_DEVICE, H_NETDEV, H_MODEL, H_BUS, H_ADDR, H_NOVHOST, H_TIMEOUT, H_KEEP };

struct hp_args {
	struct vmtap_endpoint_spec spec;
	struct vmtap_hotplug_opts o;
	bool spec_given;
	enum vmtap_vhost vhost_choice;
};

static int parse_timeout(const char *cmd, const char *arg, int *ret_ms)
{
	unsigned long v;

	if (cli_parse_uint(arg, 3600, &v) < 0 || v == 0)
		return cli_invalid(cmd, "timeout '%s' is not a number of seconds from 1 to 3600", arg);
	*ret_ms = (int)(v * 1000);
	return 0;
}

static int hp_opt(int id, const char *arg, void *data)
{
	struct hp_args *a = data;

	switch (id) {
	case H_QMP:
		a->o.qmp_path = arg;
		return 0;
	case H_DEVICE:
		a->o.device_id = arg;
		return 0;
	case H_NETDEV:
		a->o.netdev_id = arg;
		return 0;
	case H_MODEL:
		a->o.model = arg;
		return 0;
	case H_BUS:
		a->o.bus = arg;
		return 0;
	case H_ADDR:
		a->o.addr = arg;
		return 0;
	case H_NOVHOST:
		a->vhost_choice = VMTAP_VHOST_OFF;
		return 0;
	case H_TIMEOUT:
		return parse_timeout("hotplug", arg, &a->o.timeout_ms);
	}
	a->spec_given = true;
	{
		int r = cli_endpoint_spec_opt(id, arg, &a->spec);
		/* --vhost also says what this plug wants */
		if (!r && (a->spec.flags & VMTAP_EP_VHOST))
			a->vhost_choice = VMTAP_VHOST_ON;
		return r;
	}
}

int cmd_hotplug(int argc, char **argv, struct global_opts *g)
{
	static const struct cli_opt own[] = {
		{ "qmp", 0, true, H_QMP }, { "device-id", 0, true, H_DEVICE }, { "netdev-id", 0, true, H_NETDEV },
		{ "model", 0, true, H_MODEL }, { "bus", 0, true, H_BUS }, { "addr", 0, true, H_ADDR },
		{ "no-vhost", 0, false, H_NOVHOST }, { "timeout", 0, true, H_TIMEOUT }, { 0 },
	};
	struct hp_args a = { .spec = { .sz = sizeof(a.spec) }, .o = { .sz = sizeof(a.o) }, .vhost_choice = VMTAP_VHOST_DEFAULT };
	struct cli_opt opts[40];
	struct vmtap_ctx *ctx = NULL;
	char *pos[1];
	int npos = 0, r;

	cli_opts_join(opts, 40, own, cli_endpoint_spec_opts);
	r = cli_parse("hotplug", argc, argv, opts, hp_opt, &a, g, pos, 1, &npos);
	if (r == OPT_HELP) {
		fputs(hotplug_help, stdout);
		return EXIT_OK;
	}
	if (r)
		return r;
	if (npos != 1)
		return cli_usage_error("hotplug", "expected an endpoint ID");
	if (!a.o.qmp_path)
		return cli_usage_error("hotplug", "--qmp SOCKET is required");
	if ((r = cli_ctx_new(g, &ctx)) != 0)
		return r;
	a.o.spec = a.spec_given ? &a.spec : NULL;
	a.o.vhost = a.vhost_choice;
	r = vmtap_hotplug(ctx, pos[0], &a.o);
	if (r == 0) {
		struct vmtap_endpoint *ep = NULL;
		if (vmtap_endpoint_load(ctx, pos[0], &ep) == 0) {
			struct vmtap_hypervisor_info hv = { .sz = sizeof(hv) };
			struct printer *p = print_new(stdout, g->json, g->pretty);
			if (p && vmtap_endpoint_hypervisor(ep, &hv) == 0) {
				print_open_object(p, NULL);
				print_string(p, "id", "%s:", pos[0]);
				print_string(p, "ifname", " ifname %s", vmtap_endpoint_ifname(ep));
				print_uint(p, "queues", " queues %llu", vmtap_endpoint_queues(ep));
				print_string(p, "device", " device %s", hv.device_id ? hv.device_id : "");
				print_string(p, "netdev", " netdev %s", hv.netdev_id ? hv.netdev_id : "");
				if (hv.pci_addr)
					print_string(p, "pci", " pci %s", hv.pci_addr);
				print_uint(p, "pid", " qemu pid %llu", (uint64_t)hv.pid);
				print_text(p, "\n");
				print_close_object(p);
			}
			print_finish(p);
			vmtap_endpoint_free(ep);
		}
	}
	r = cli_report(ctx, "hotplug", r);
	vmtap_ctx_free(ctx);
	return r;
}

struct up_args {
	struct vmtap_unplug_opts o;
};

static int up_opt(int id, const char *arg, void *data)
{
	struct up_args *a = data;

	switch (id) {
	case H_QMP:
		a->o.qmp_path = arg;
		return 0;
	case H_TIMEOUT:
		return parse_timeout("unplug", arg, &a->o.timeout_ms);
	case H_KEEP:
		a->o.keep = true;
		return 0;
	}
	return 0;
}

int cmd_unplug(int argc, char **argv, struct global_opts *g)
{
	static const struct cli_opt opts[] = {
		{ "qmp", 0, true, H_QMP }, { "timeout", 0, true, H_TIMEOUT }, { "keep", 0, false, H_KEEP }, { 0 },
	};
	struct up_args a = { .o = { .sz = sizeof(a.o) } };
	struct vmtap_ctx *ctx = NULL;
	char *pos[1];
	int npos = 0, r;

	r = cli_parse("unplug", argc, argv, opts, up_opt, &a, g, pos, 1, &npos);
	if (r == OPT_HELP) {
		fputs(unplug_help, stdout);
		return EXIT_OK;
	}
	if (r)
		return r;
	if (npos != 1)
		return cli_usage_error("unplug", "expected an endpoint ID");
	if (!a.o.qmp_path)
		return cli_usage_error("unplug", "--qmp SOCKET is required");
	if ((r = cli_ctx_new(g, &ctx)) != 0)
		return r;
	r = vmtap_unplug(ctx, pos[0], &a.o);
	/* a guest that did not let go in time exits 8 (timeout), with the message saying what to do */
	r = cli_report(ctx, "unplug", r);
	vmtap_ctx_free(ctx);
	return r;
}

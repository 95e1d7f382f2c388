/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vmtap hotplug and vmtap unplug: an endpoint into and out of a running QEMU over QMP. */
#include "cli.h"
#include "commands.h"

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
	"\n"
	"Options:\n"
	"  --qmp SOCKET         QEMU's QMP socket (required)\n"
	"  --device-id X        QEMU's device id (default vmtap-ID)\n"
	"  --netdev-id X        QEMU's netdev id (default host + the device id)\n"
	"  --model M            the device model (default virtio-net-pci)\n"
	"  --bus B, --addr A    PCI bus and slot (default: QEMU chooses)\n"
	"  --vhost, --no-vhost  vhost-net for this plug, or not (default: as the\n"
	"                       endpoint was made); without /dev/vhost-net: off\n"
	"  --timeout S          seconds the whole hot-plug may take, undoing a failed\n"
	"                       one included (default 10); a QEMU that lets a reply\n"
	"                       time out is not asked anything more, and vmtap says\n"
	"                       what it left in it\n"
	"\n"
	"SPEC (used only when the endpoint does not exist yet):\n"
	CLI_ENDPOINT_SPEC_HELP;

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
	"again later finishes the job.\n"
	"\n"
	"Options:\n"
	"  --qmp SOCKET   QEMU's QMP socket (required)\n"
	"  --timeout S    seconds, 1..3600 (default 30)\n"
	"  --keep         keep the endpoint: only forget its hypervisor side\n";

struct hp_args {
	struct cli_spec spec;
	struct vmtap_hotplug_opts o;
	enum vmtap_vhost vhost_choice;
};

static const struct hp_args hotplug_defaults = {
	.spec = CLI_SPEC_INIT,
	.o = { .sz = sizeof(struct vmtap_hotplug_opts) },
	.vhost_choice = VMTAP_VHOST_DEFAULT,
};

static const struct vmtap_unplug_opts unplug_defaults = { .sz = sizeof(struct vmtap_unplug_opts) };

enum plug_opt_id { O_QMP = CLI_OPT_OWN, O_DEVICE, O_NETDEV, O_MODEL, O_BUS, O_ADDR, O_NO_VHOST, O_TIMEOUT, O_KEEP };

static const struct cli_opt hotplug_opts[] = {
	CLI_OPT_STRING("qmp", 0, O_QMP, struct hp_args, o.qmp_path),
	CLI_OPT_STRING("device-id", 0, O_DEVICE, struct hp_args, o.device_id),
	CLI_OPT_STRING("netdev-id", 0, O_NETDEV, struct hp_args, o.netdev_id),
	CLI_OPT_STRING("model", 0, O_MODEL, struct hp_args, o.model),
	CLI_OPT_STRING("bus", 0, O_BUS, struct hp_args, o.bus),
	CLI_OPT_STRING("addr", 0, O_ADDR, struct hp_args, o.addr),
	CLI_OPT_BARE("no-vhost", 0, O_NO_VHOST),
	CLI_OPT_VALUE("timeout", 0, O_TIMEOUT),
	{ 0 },
};

static const struct cli_opt unplug_opts[] = {
	CLI_OPT_STRING("qmp", 0, O_QMP, struct vmtap_unplug_opts, qmp_path),
	CLI_OPT_VALUE("timeout", 0, O_TIMEOUT),
	CLI_OPT_FLAG("keep", 0, O_KEEP, struct vmtap_unplug_opts, keep),
	{ 0 },
};

/* --timeout S of hotplug and unplug, into milliseconds */
static int parse_timeout(const char *cmd, const char *arg, int *ret_ms)
{
	unsigned long v;

	if (cli_parse_uint(arg, 3600, &v) < 0 || v == 0)
		return cli_invalid(cmd, "timeout '%s' is not a number of seconds from 1 to 3600", arg);
	*ret_ms = (int)(v * 1000);
	return 0;
}

static int hotplug_opt(struct cli_call *call, int id, const char *arg)
{
	struct hp_args *a = call->data;
	int r;

	switch (id) {
	case O_NO_VHOST:
		a->vhost_choice = VMTAP_VHOST_OFF;
		return 0;
	case O_TIMEOUT:
		return parse_timeout(call->name, arg, &a->o.timeout_ms);
	}
	/* an endpoint SPEC option */
	r = cli_endpoint_spec_opt(id, arg, &a->spec);
	/* --vhost also says what this plug wants */
	if (!r && (a->spec.s.flags & VMTAP_EP_VHOST))
		a->vhost_choice = VMTAP_VHOST_ON;
	return r;
}

static int hotplug_check(struct cli_call *call)
{
	const struct hp_args *a = call->data;
	int r = cli_endpoint_spec_check(&a->spec);

	return r ? r : cli_required(call, a->o.qmp_path, "--qmp SOCKET");
}

/* What the plug did, from the endpoint's record: an exit code. */
static int print_plugged(const struct cli_call *call, const char *id)
{
	struct vmtap_endpoint *ep = NULL;
	struct vmtap_hypervisor_info hv = { .sz = sizeof(hv) };
	struct printer *p;
	int r;

	/* the plug is done: a record that cannot be read back only loses the report */
	if (vmtap_endpoint_load(call->ctx, id, &ep) < 0) {
		cli_print_error(call->name, vmtap_ctx_error(call->ctx));
		return EXIT_FAILURE_OTHER;
	}
	p = cli_printer(call);
	if (p && vmtap_endpoint_hypervisor(ep, &hv) == 0) {
		print_open_object(p, NULL);
		print_string(p, "id", "%s:", id);
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
	r = cli_print_done(call, p);
	vmtap_endpoint_free(ep);
	return r;
}

static int hotplug_run(struct cli_call *call)
{
	struct hp_args *a = call->data;
	int r;

	a->o.spec = a->spec.given ? &a->spec.s : NULL;
	a->o.vhost = a->vhost_choice;
	r = vmtap_hotplug(call->ctx, call->args[0], &a->o);
	return r < 0 ? r : print_plugged(call, call->args[0]);
}

static int unplug_opt(struct cli_call *call, int id, const char *arg)
{
	struct vmtap_unplug_opts *o = call->data;

	if (id == O_TIMEOUT)
		return parse_timeout(call->name, arg, &o->timeout_ms);
	return 0;
}

static int unplug_check(struct cli_call *call)
{
	const struct vmtap_unplug_opts *o = call->data;

	return cli_required(call, o->qmp_path, "--qmp SOCKET");
}

static int unplug_run(struct cli_call *call)
{
	int r = vmtap_unplug(call->ctx, call->args[0], call->data);

	/* a guest that did not let go in time exits 8 (timeout), with the message saying what to do */
	return r < 0 ? r : EXIT_OK;
}

const struct cli_command cli_cmd_hotplug = {
	.name = "hotplug",
	.summary = "plug an endpoint into a running QEMU (QMP)",
	.help = hotplug_help,
	.options = (const struct cli_opt *const[]){ hotplug_opts, cli_endpoint_spec_opts, NULL },
	.option = hotplug_opt,
	.min_args = 1, .max_args = 1, .missing_args = "expected an endpoint ID",
	.needs_ctx = true,
	CLI_DATA(hotplug_defaults),
	.check = hotplug_check,
	.run = hotplug_run,
};

const struct cli_command cli_cmd_unplug = {
	.name = "unplug",
	.summary = "unplug an endpoint from a running QEMU (QMP)",
	.help = unplug_help,
	.options = (const struct cli_opt *const[]){ unplug_opts, NULL },
	.option = unplug_opt,
	.min_args = 1, .max_args = 1, .missing_args = "expected an endpoint ID",
	.needs_ctx = true,
	CLI_DATA(unplug_defaults),
	.check = unplug_check,
	.run = unplug_run,
};

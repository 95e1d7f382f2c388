/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vmtap endpoint: create, destroy, list and show endpoints, the recorded unit users manage. */
#include <stdio.h>

#include "cli.h"
#include "commands.h"

static const char endpoint_help[] =
	"Usage: vmtap endpoint create ID [SPEC]\n"
	"       vmtap endpoint destroy ID\n"
	"       vmtap [-j] endpoint list\n"
	"       vmtap [-j] endpoint show ID\n"
	"\n"
	"An endpoint is a TAP (or macvtap) device for one VM NIC, known by ID (1-64\n"
	"of [A-Za-z0-9_.-], no leading dot) and recorded in the state directory\n"
	"(--state-dir, $VMTAP_STATE_DIR, default /run/vmtap). Its device carries\n"
	"the tag vmtap:ID in its alias. Creation is transactional; destroy succeeds\n"
	"when the device or its namespace is already gone.\n"
	"\n"
	"SPEC:\n"
	"  --ifname NAME        device name or pattern with %d (default: generated)\n"
	"  --queues N           1..256 (default 1)\n"
	"  --no-vnet-hdr        no virtio-net header\n"
	"  --mtu N              MTU (default: the bridge's, IFACE's or PARENT's, else the kernel's)\n"
	"  --guest-mac MAC      the guest's MAC (default: IFACE's or PARENT's, else\n"
	"                       52:54:00 + a hash of ID)\n"
	"  --host-mac MAC       the TAP's MAC (default: the guest's with first byte FE, or FA)\n"
	"  --owner USER         user allowed to open the queues\n"
	"  --group GROUP        group allowed to open the queues\n"
	"  --netns NS           create it inside namespace NS (name or path)\n"
	"  --vhost              vhost-net wanted at hand-off (degrades with a warning)\n"
	"  --down               leave the host side down (default: up)\n"
	"  --qdisc noqueue|kernel  root qdisc of the new device (default noqueue)\n"
	"  --label TEXT         free text kept in the record (at most 255 bytes)\n"
	"\n"
	"Connection, at most one:\n"
	"  --bridge BR          a port of bridge BR\n"
	"  --redirect IFACE     cross-connected by tc with IFACE of the same namespace\n"
	"                       (a pod's veth), as Kata does: a u32 + mirred redirect\n"
	"                       filter on each device's ingress; IFACE keeps its addresses\n"
	"  --tc-prio N          the filters' priority, 1..65535 (default 30317)\n"
	"  --macvtap PARENT     a macvtap device on PARENT instead of a TAP: the guest\n"
	"                       takes PARENT's MAC, PARENT gets a random one and loses\n"
	"                       its addresses and routes until destroy puts them back\n"
	"  --macvtap-mode MODE  bridge (default), vepa, private or passthru\n"
	"  --keep-parent        leave PARENT's MAC and addresses alone (as --guest-mac does)\n";

static void print_endpoint(struct printer *p, const struct vmtap_endpoint *ep)
{
	uint8_t mac[6];
	char text[VMTAP_MAC_STRLEN];

	print_open_object(p, NULL);
	print_string(p, "id", "%s:", vmtap_endpoint_id(ep));
	print_string(p, "state", " %s", vmtap_endpoint_state_name(vmtap_endpoint_state(ep)));
	print_string(p, "ifname", " ifname %s", vmtap_endpoint_ifname(ep)[0] ? vmtap_endpoint_ifname(ep) : "-");
	if (vmtap_endpoint_netns(ep))
		print_string(p, "netns", " netns %s", vmtap_endpoint_netns(ep));
	print_uint(p, "queues", " queues %llu", vmtap_endpoint_queues(ep));
	print_bool(p, "vnet_hdr", " vnet_hdr", vmtap_endpoint_vnet_hdr(ep));
	print_bool(p, "vhost", " vhost", vmtap_endpoint_vhost(ep));
	if (vmtap_endpoint_mtu(ep))
		print_uint(p, "mtu", " mtu %llu", vmtap_endpoint_mtu(ep));
	vmtap_endpoint_guest_mac(ep, mac);
	print_string(p, "guest_mac", " guest_mac %s", vmtap_mac_format(mac, text));
	/* a macvtap's MAC is the guest's: it has no host side */
	if (vmtap_endpoint_connection(ep) != VMTAP_CONNECT_MACVTAP) {
		vmtap_endpoint_host_mac(ep, mac);
		print_string(p, "host_mac", " host_mac %s", vmtap_mac_format(mac, text));
	}
	print_open_object(p, "connection");
	switch (vmtap_endpoint_connection(ep)) {
	case VMTAP_CONNECT_BRIDGE:
		print_string(p, "type", NULL, "bridge");
		print_string(p, "bridge", " bridge %s", vmtap_endpoint_bridge(ep));
		break;
	case VMTAP_CONNECT_REDIRECT:
		print_string(p, "type", " redirect", "redirect");
		print_string(p, "device", " %s", vmtap_endpoint_device(ep));
		print_uint(p, "tc_prio", " tc_prio %llu", vmtap_endpoint_tc_prio(ep));
		break;
	case VMTAP_CONNECT_MACVTAP:
		print_string(p, "type", " macvtap", "macvtap");
		print_string(p, "parent", " %s", vmtap_endpoint_device(ep));
		print_string(p, "mode", " mode %s",
			     vmtap_macvtap_mode_name((enum vmtap_macvtap_mode)vmtap_endpoint_macvtap_mode(ep)));
		break;
	default:
		print_string(p, "type", NULL, "none");
		break;
	}
	print_close_object(p);
	print_bool(p, "ephemeral", " ephemeral", vmtap_endpoint_ephemeral(ep));
	if (vmtap_endpoint_label(ep))
		print_string(p, "label", " label \"%s\"", vmtap_endpoint_label(ep));
	{
		struct vmtap_hypervisor_info hv = { .sz = sizeof(hv) };
		if (vmtap_endpoint_hypervisor(ep, &hv) == 0) {
			print_open_object(p, "hypervisor");
			print_uint(p, "pid", " hypervisor pid %llu", (uint64_t)hv.pid);
			if (hv.netdev_id)
				print_string(p, "netdev", " netdev %s", hv.netdev_id);
			if (hv.device_id)
				print_string(p, "device", " device %s", hv.device_id);
			if (hv.pci_addr)
				print_string(p, "pci", " pci %s", hv.pci_addr);
			print_close_object(p);
		}
	}
	print_text(p, "\n");
	print_close_object(p);
}

struct list_data {
	struct printer *p;
	int unreadable;
};

static int list_cb(const struct vmtap_endpoint *ep, const char *file, const char *error, void *userdata)
{
	struct list_data *d = userdata;

	if (!ep) {
		/* reported, never hidden, never touched */
		d->unreadable++;
		fprintf(stderr, "vmtap endpoint list: %s: %s\n", file, error);
		print_open_object(d->p, NULL);
		print_string(d->p, "file", NULL, file);
		print_string(d->p, "error", NULL, error);
		print_close_object(d->p);
		return 0;
	}
	print_endpoint(d->p, ep);
	return 0;
}

static const struct cli_spec create_defaults = CLI_SPEC_INIT;

static int create_opt(struct cli_call *call, int id, const char *arg)
{
	return cli_endpoint_spec_opt(id, arg, call->data);
}

static int create_check(struct cli_call *call)
{
	return cli_endpoint_spec_check(call->data);
}

/* Print endpoint @ep, alone (create) or as an array of one (show), as 'ip -j' does. */
static void print_one(const struct cli_call *call, const struct vmtap_endpoint *ep, bool array)
{
	struct printer *p = cli_printer(call);

	if (!p)
		return;
	if (array)
		print_open_array(p, NULL);
	print_endpoint(p, ep);
	if (array)
		print_close_array(p);
	print_finish(p);
}

static int create_run(struct cli_call *call)
{
	struct vmtap_endpoint *ep = NULL;
	const struct cli_spec *spec = call->data;
	int r = vmtap_endpoint_create(call->ctx, call->args[0], &spec->s, &ep);

	if (r < 0)
		return r;
	print_one(call, ep, false);
	vmtap_endpoint_free(ep);
	return EXIT_OK;
}

static int destroy_run(struct cli_call *call)
{
	int r = vmtap_endpoint_destroy(call->ctx, call->args[0]);

	return r < 0 ? r : EXIT_OK;
}

static int show_run(struct cli_call *call)
{
	struct vmtap_endpoint *ep = NULL;
	int r = vmtap_endpoint_load(call->ctx, call->args[0], &ep);

	if (r < 0)
		return r;
	print_one(call, ep, true);
	vmtap_endpoint_free(ep);
	return EXIT_OK;
}

static int list_run(struct cli_call *call)
{
	struct list_data d = { .p = cli_printer(call) };
	int r;

	if (!d.p)
		return EXIT_FAILURE_OTHER;
	print_open_array(d.p, NULL);
	r = vmtap_endpoint_foreach(call->ctx, list_cb, &d);
	print_close_array(d.p);
	print_finish(d.p);
	return r < 0 ? r : EXIT_OK;
}

/* every subcommand's --help is the whole of endpoint_help */
static const struct cli_command endpoint_create = {
	.name = "create",
	.help = endpoint_help,
	.options = (const struct cli_opt *const[]){ cli_endpoint_spec_opts, NULL },
	.option = create_opt,
	.min_args = 1, .max_args = 1, .missing_args = "expected an endpoint ID",
	.needs_ctx = true,
	CLI_DATA(create_defaults),
	.check = create_check,
	.run = create_run,
};

static const struct cli_command endpoint_destroy = {
	.name = "destroy",
	.help = endpoint_help,
	.min_args = 1, .max_args = 1, .missing_args = "expected an endpoint ID",
	.needs_ctx = true,
	.run = destroy_run,
};

static const struct cli_command endpoint_list = {
	.name = "list",
	.help = endpoint_help,
	.needs_ctx = true,
	.run = list_run,
};

static const struct cli_command endpoint_show = {
	.name = "show",
	.help = endpoint_help,
	.min_args = 1, .max_args = 1, .missing_args = "expected an endpoint ID",
	.needs_ctx = true,
	.run = show_run,
};

const struct cli_command cli_cmd_endpoint = {
	.name = "endpoint",
	.summary = "create, destroy, list, show endpoints",
	.help = endpoint_help,
	.subcommands = (const struct cli_command *const[]){
		&endpoint_create, &endpoint_destroy, &endpoint_list, &endpoint_show, NULL,
	},
};

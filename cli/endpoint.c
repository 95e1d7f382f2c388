/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vmtap endpoint: create, destroy, list and show endpoints, the recorded unit users manage. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

static const char endpoint_help[] =
	"Usage: vmtap endpoint create ID [SPEC]\n"
	"       vmtap endpoint destroy ID\n"
	"       vmtap [-j] endpoint list\n"
	"       vmtap [-j] endpoint show ID\n"
	"\n"
	"An endpoint is a TAP device for one VM NIC, known by ID (1-64 of\n"
	"[A-Za-z0-9_.-], no leading dot) and recorded in the state directory\n"
	"(--state-dir, $VMTAP_STATE_DIR, default /run/vmtap). Its device carries\n"
	"the tag vmtap:ID in its alias. Creation is transactional; destroy succeeds\n"
	"when the device or its namespace is already gone.\n"
	"\n"
	"SPEC:\n"
	"  --ifname NAME        device name or pattern with %d (default: generated)\n"
	"  --queues N           1..256 (default 1)\n"
	"  --no-vnet-hdr        no virtio-net header\n"
	"  --mtu N              MTU (default: the bridge's, else the kernel's)\n"
	"  --guest-mac MAC      the guest's MAC (default: 52:54:00 + a hash of ID)\n"
	"  --host-mac MAC       the device's MAC (default: the guest's with first byte FE, or FA)\n"
	"  --owner USER         user allowed to open the queues\n"
	"  --group GROUP        group allowed to open the queues\n"
	"  --netns NS           create it inside namespace NS (name or path)\n"
	"  --bridge BR          connect it to bridge BR\n"
	"  --vhost              vhost-net wanted at hand-off (degrades with a warning)\n"
	"  --down               leave the host side down (default: up)\n"
	"  --qdisc noqueue|kernel  root qdisc of the new device (default noqueue)\n";

enum { E_IFNAME = 1, E_QUEUES, E_NOVNET, E_MTU, E_GMAC, E_HMAC, E_OWNER, E_GROUP, E_NETNS, E_BRIDGE, E_VHOST, E_DOWN, E_QDISC };

const struct cli_opt cli_endpoint_spec_opts[] = {
	{ "ifname", 0, true, E_IFNAME }, { "queues", 'q', true, E_QUEUES },
	{ "no-vnet-hdr", 0, false, E_NOVNET }, { "mtu", 0, true, E_MTU },
	{ "guest-mac", 0, true, E_GMAC }, { "host-mac", 0, true, E_HMAC },
	{ "owner", 0, true, E_OWNER }, { "group", 0, true, E_GROUP },
	{ "netns", 'n', true, E_NETNS }, { "bridge", 0, true, E_BRIDGE },
	{ "vhost", 0, false, E_VHOST }, { "down", 0, false, E_DOWN }, { "qdisc", 0, true, E_QDISC }, { 0 },
};

int cli_endpoint_spec_opt(int id, const char *arg, void *data)
{
	struct vmtap_endpoint_spec *s = data;

	switch (id) {
	case E_IFNAME:
		if (vmtap_name_pattern_validate(arg) < 0)
			return cli_invalid("endpoint", "'%s' is not a valid interface name or %%d pattern", arg);
		s->ifname = arg;
		break;
	case E_QUEUES:
		return cli_value_queues("endpoint", arg, &s->queues);
	case E_NOVNET:
		s->flags |= VMTAP_EP_NO_VNET_HDR;
		break;
	case E_QDISC:
		return cli_value_qdisc("endpoint", arg, &s->flags, VMTAP_EP_KERNEL_QDISC);
	case E_MTU:
		return cli_value_mtu("endpoint", arg, &s->mtu);
	case E_GMAC:
		if (vmtap_mac_parse(arg, strlen(arg), s->guest_mac) < 0)
			return cli_invalid("endpoint", "guest MAC '%s' is not a unicast address aa:bb:cc:dd:ee:ff", arg);
		s->set_guest_mac = true;
		break;
	case E_HMAC:
		if (vmtap_mac_parse(arg, strlen(arg), s->host_mac) < 0)
			return cli_invalid("endpoint", "host MAC '%s' is not a unicast address aa:bb:cc:dd:ee:ff", arg);
		s->set_host_mac = true;
		break;
	case E_OWNER:
		if (cli_value_owner("endpoint", arg, &s->owner))
			return EXIT_INVALID;
		s->flags |= VMTAP_EP_SET_OWNER;
		break;
	case E_GROUP:
		if (cli_value_group("endpoint", arg, &s->group))
			return EXIT_INVALID;
		s->flags |= VMTAP_EP_SET_GROUP;
		break;
	case E_NETNS:
		s->netns = arg;
		break;
	case E_BRIDGE:
		if (cli_value_bridge("endpoint", arg))
			return EXIT_INVALID;
		s->connection = VMTAP_CONNECT_BRIDGE;
		s->bridge = arg;
		break;
	case E_VHOST:
		s->flags |= VMTAP_EP_VHOST;
		break;
	case E_DOWN:
		s->flags |= VMTAP_EP_DOWN;
		break;
	}
	return 0;
}

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
	vmtap_endpoint_host_mac(ep, mac);
	print_string(p, "host_mac", " host_mac %s", vmtap_mac_format(mac, text));
	print_open_object(p, "connection");
	print_string(p, "type", NULL, vmtap_endpoint_bridge(ep) ? "bridge" : "none");
	if (vmtap_endpoint_bridge(ep))
		print_string(p, "bridge", " bridge %s", vmtap_endpoint_bridge(ep));
	print_close_object(p);
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

int cmd_endpoint(int argc, char **argv, struct global_opts *g)
{
	static const struct cli_opt no_opts[] = { { 0 } };
	struct vmtap_endpoint_spec spec = { .sz = sizeof(spec) };
	struct vmtap_ctx *ctx = NULL;
	struct vmtap_endpoint *ep = NULL;
	const char *sub;
	char label[32];
	char *pos[1];
	int npos = 0, r;

	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		fputs(endpoint_help, argc < 2 ? stderr : stdout);
		return argc < 2 ? EXIT_USAGE : EXIT_OK;
	}
	sub = argv[1];
	snprintf(label, sizeof(label), "endpoint %s", sub);
	if (strcmp(sub, "create") && strcmp(sub, "destroy") && strcmp(sub, "list") && strcmp(sub, "show"))
		return cli_usage_error("endpoint", "unknown command '%s'", sub);

	r = cli_parse(label, argc - 1, argv + 1, strcmp(sub, "create") ? no_opts : cli_endpoint_spec_opts, cli_endpoint_spec_opt, &spec, g, pos,
		      strcmp(sub, "list") ? 1 : 0, &npos);
	if (r == OPT_HELP) {
		fputs(endpoint_help, stdout);
		return EXIT_OK;
	}
	if (r)
		return r;
	if (strcmp(sub, "list") && npos != 1)
		return cli_usage_error(label, "expected an endpoint ID");
	if ((r = cli_ctx_new(g, &ctx)) != 0)
		return r;

	if (!strcmp(sub, "create")) {
		r = vmtap_endpoint_create(ctx, pos[0], &spec, &ep);
		if (r >= 0) {
			struct printer *p = print_new(stdout, g->json, g->pretty);
			if (p) {
				print_endpoint(p, ep);
				print_finish(p);
			}
		}
	} else if (!strcmp(sub, "destroy")) {
		r = vmtap_endpoint_destroy(ctx, pos[0]);
	} else if (!strcmp(sub, "show")) {
		r = vmtap_endpoint_load(ctx, pos[0], &ep);
		if (r >= 0) {
			struct printer *p = print_new(stdout, g->json, g->pretty);
			if (p) {
				print_open_array(p, NULL);
				print_endpoint(p, ep);
				print_close_array(p);
				print_finish(p);
			}
		}
	} else {
		struct list_data d = { .p = print_new(stdout, g->json, g->pretty) };
		if (!d.p) {
			vmtap_ctx_free(ctx);
			return EXIT_FAILURE_OTHER;
		}
		print_open_array(d.p, NULL);
		r = vmtap_endpoint_foreach(ctx, list_cb, &d);
		print_close_array(d.p);
		print_finish(d.p);
	}
	vmtap_endpoint_free(ep);
	r = cli_report(ctx, label, r);
	vmtap_ctx_free(ctx);
	return r;
}

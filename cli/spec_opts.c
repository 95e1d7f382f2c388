/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The endpoint SPEC options shared by endpoint create and hotplug: --ifname, --queues, --mtu, --bridge and friends. */
#include "cli.h"

/* what a refusal starts with, whichever command took the option: "vmtap endpoint: ..." */
static const char who[] = "endpoint";

const struct cli_opt cli_endpoint_spec_opts[] = {
	CLI_OPT_VALUE("ifname", 0, SPEC_IFNAME),
	CLI_OPT_VALUE("queues", 'q', SPEC_QUEUES),
	CLI_OPT_BARE("no-vnet-hdr", 0, SPEC_NO_VNET_HDR),
	CLI_OPT_VALUE("mtu", 0, SPEC_MTU),
	CLI_OPT_VALUE("guest-mac", 0, SPEC_GUEST_MAC),
	CLI_OPT_VALUE("host-mac", 0, SPEC_HOST_MAC),
	CLI_OPT_VALUE("owner", 0, SPEC_OWNER),
	CLI_OPT_VALUE("group", 0, SPEC_GROUP),
	CLI_OPT_VALUE("netns", 'n', SPEC_NETNS),
	CLI_OPT_VALUE("bridge", 0, SPEC_BRIDGE),
	CLI_OPT_BARE("vhost", 0, SPEC_VHOST),
	CLI_OPT_BARE("down", 0, SPEC_DOWN),
	CLI_OPT_VALUE("qdisc", 0, SPEC_QDISC),
	{ 0 },
};

int cli_endpoint_spec_opt(int id, const char *arg, struct vmtap_endpoint_spec *s)
{
	switch (id) {
	case SPEC_IFNAME:
		if (vmtap_name_pattern_validate(arg) < 0)
			return cli_invalid(who, "'%s' is not a valid interface name or %%d pattern", arg);
		s->ifname = arg;
		break;
	case SPEC_QUEUES:
		return cli_value_queues(who, arg, &s->queues);
	case SPEC_NO_VNET_HDR:
		s->flags |= VMTAP_EP_NO_VNET_HDR;
		break;
	case SPEC_QDISC:
		return cli_value_qdisc(who, arg, &s->flags, VMTAP_EP_KERNEL_QDISC);
	case SPEC_MTU:
		return cli_value_mtu(who, arg, &s->mtu);
	case SPEC_GUEST_MAC:
		return cli_value_mac(who, arg, s->guest_mac, &s->set_guest_mac,
				     "guest MAC '%s' is not a unicast address aa:bb:cc:dd:ee:ff");
	case SPEC_HOST_MAC:
		return cli_value_mac(who, arg, s->host_mac, &s->set_host_mac,
				     "host MAC '%s' is not a unicast address aa:bb:cc:dd:ee:ff");
	case SPEC_OWNER:
		return cli_value_owner(who, arg, &s->owner, &s->flags, VMTAP_EP_SET_OWNER);
	case SPEC_GROUP:
		return cli_value_group(who, arg, &s->group, &s->flags, VMTAP_EP_SET_GROUP);
	case SPEC_NETNS:
		s->netns = arg;
		break;
	case SPEC_BRIDGE:
		if (cli_value_bridge(who, arg, &s->bridge))
			return EXIT_INVALID;
		s->connection = VMTAP_CONNECT_BRIDGE;
		break;
	case SPEC_VHOST:
		s->flags |= VMTAP_EP_VHOST;
		break;
	case SPEC_DOWN:
		s->flags |= VMTAP_EP_DOWN;
		break;
	}
	return 0;
}

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
	CLI_OPT_VALUE("redirect", 0, SPEC_REDIRECT),
	CLI_OPT_VALUE("tc-prio", 0, SPEC_TC_PRIO),
	CLI_OPT_VALUE("macvtap", 0, SPEC_MACVTAP),
	CLI_OPT_VALUE("macvtap-mode", 0, SPEC_MACVTAP_MODE),
	CLI_OPT_BARE("keep-parent", 0, SPEC_KEEP_PARENT),
	CLI_OPT_VALUE("label", 0, SPEC_LABEL),
	{ 0 },
};

/* The option that asks for connection @c. */
static const char *connection_opt(enum vmtap_connection c)
{
	switch (c) {
	case VMTAP_CONNECT_BRIDGE:
		return "--bridge";
	case VMTAP_CONNECT_REDIRECT:
		return "--redirect";
	case VMTAP_CONNECT_MACVTAP:
		return "--macvtap";
	default:
		return "none";
	}
}

/* One connection per endpoint: a second, different one is a contradiction, not an override. */
static int set_connection(struct vmtap_endpoint_spec *s, enum vmtap_connection c)
{
	if (s->connection && s->connection != c)
		return cli_invalid(who, "%s and %s conflict: an endpoint has one connection", connection_opt(s->connection),
				   connection_opt(c));
	s->connection = c;
	return 0;
}

int cli_endpoint_spec_check(const struct cli_spec *spec)
{
	const struct vmtap_endpoint_spec *s = &spec->s;

	if (s->tc_prio && s->connection != VMTAP_CONNECT_REDIRECT)
		return cli_invalid(who, "--tc-prio is for --redirect");
	if (spec->macvtap_mode_given && s->connection != VMTAP_CONNECT_MACVTAP)
		return cli_invalid(who, "--macvtap-mode is for --macvtap");
	if ((s->flags & VMTAP_EP_KEEP_PARENT) && s->connection != VMTAP_CONNECT_MACVTAP)
		return cli_invalid(who, "--keep-parent is for --macvtap");
	return 0;
}

int cli_endpoint_spec_opt(int id, const char *arg, struct cli_spec *spec)
{
	struct vmtap_endpoint_spec *s = &spec->s;

	spec->given = true;
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
		return set_connection(s, VMTAP_CONNECT_BRIDGE);
	case SPEC_REDIRECT:
	case SPEC_MACVTAP:
		if (vmtap_name_validate(arg) < 0)
			return cli_invalid(who, "device name '%s' is not a valid interface name", arg);
		s->device = arg;
		return set_connection(s, id == SPEC_REDIRECT ? VMTAP_CONNECT_REDIRECT : VMTAP_CONNECT_MACVTAP);
	case SPEC_TC_PRIO:
		return cli_value_tc_prio(who, arg, &s->tc_prio);
	case SPEC_MACVTAP_MODE:
		if (cli_value_macvtap_mode(who, arg, &s->macvtap_mode))
			return EXIT_INVALID;
		spec->macvtap_mode_given = true;
		break;
	case SPEC_KEEP_PARENT:
		s->flags |= VMTAP_EP_KEEP_PARENT;
		break;
	case SPEC_LABEL:
		s->label = arg;
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

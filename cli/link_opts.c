/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Link options shared by create and set: --mtu, --mac, --bridge, --alias, --up/--down and friends. */
#include <string.h>

#include "cli.h"

const struct cli_opt cli_link_opts[] = {
	{ "mtu", 0, true, LOPT_MTU },
	{ "mac", 0, true, LOPT_MAC },
	{ "guest-mac", 0, true, LOPT_GUEST_MAC },
	{ "txqlen", 0, true, LOPT_TXQLEN },
	{ "bridge", 0, true, LOPT_BRIDGE },
	{ "nomaster", 0, false, LOPT_NOMASTER },
	{ "alias", 0, true, LOPT_ALIAS },
	{ "up", 0, false, LOPT_UP },
	{ "down", 0, false, LOPT_DOWN },
	{ "move-to", 0, true, LOPT_MOVE },
	{ 0 },
};

int cli_link_opt(const char *cmd, int id, const char *arg, struct vmtap_link_set_opts *o)
{
	unsigned long v;

	switch (id) {
	case LOPT_MTU:
		return cli_value_mtu(cmd, arg, &o->mtu);
	case LOPT_MAC:
		if (vmtap_mac_parse(arg, strlen(arg), o->mac) < 0)
			return cli_invalid(cmd, "MAC '%s' is not a unicast address of the form aa:bb:cc:dd:ee:ff", arg);
		o->set_mac = true;
		return 0;
	case LOPT_GUEST_MAC:
		if (vmtap_mac_parse(arg, strlen(arg), o->guest_mac) < 0)
			return cli_invalid(cmd, "guest MAC '%s' is not a unicast address of the form aa:bb:cc:dd:ee:ff", arg);
		o->set_guest_mac = true;
		return 0;
	case LOPT_TXQLEN:
		if (cli_parse_uint(arg, UINT32_MAX, &v) < 0 || v == 0)
			return cli_invalid(cmd, "txqlen '%s' is not a number from 1", arg);
		o->txqlen = (uint32_t)v;
		return 0;
	case LOPT_BRIDGE:
		if (cli_value_bridge(cmd, arg))
			return EXIT_INVALID;
		o->master = arg;
		return 0;
	case LOPT_NOMASTER:
		o->nomaster = true;
		return 0;
	case LOPT_ALIAS:
		if (strlen(arg) > 255)
			return cli_invalid(cmd, "alias is longer than 255 bytes");
		o->alias = arg;
		return 0;
	case LOPT_UP:
		o->state = VMTAP_LINK_UP;
		return 0;
	case LOPT_DOWN:
		o->state = VMTAP_LINK_DOWN;
		return 0;
	case LOPT_MOVE:
		o->move_netns = arg;
		return 0;
	}
	return 1; /* not a link option */
}

bool cli_link_opts_any(const struct vmtap_link_set_opts *o)
{
	return o->mtu || o->set_mac || o->set_guest_mac || o->txqlen || o->master || o->nomaster ||
	       o->alias || o->state || o->move_netns;
}

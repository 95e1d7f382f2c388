/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Link options shared by create and set: --mtu, --mac, --bridge, --alias, --up/--down and friends. */
#include <string.h>

#include "cli.h"

const struct cli_opt cli_link_opts[] = {
	CLI_OPT_VALUE("mtu", 0, LOPT_MTU),
	CLI_OPT_VALUE("mac", 0, LOPT_MAC),
	CLI_OPT_VALUE("guest-mac", 0, LOPT_GUEST_MAC),
	CLI_OPT_VALUE("txqlen", 0, LOPT_TXQLEN),
	CLI_OPT_VALUE("bridge", 0, LOPT_BRIDGE),
	CLI_OPT_BARE("nomaster", 0, LOPT_NOMASTER),
	CLI_OPT_VALUE("alias", 0, LOPT_ALIAS),
	CLI_OPT_BARE("up", 0, LOPT_UP),
	CLI_OPT_BARE("down", 0, LOPT_DOWN),
	CLI_OPT_VALUE("move-to", 0, LOPT_MOVE),
	{ 0 },
};

int cli_link_opt(const char *cmd, int id, const char *arg, struct vmtap_link_set_opts *o)
{
	unsigned long v;

	switch (id) {
	case LOPT_MTU:
		return cli_value_mtu(cmd, arg, &o->mtu);
	case LOPT_MAC:
		return cli_value_mac(cmd, arg, o->mac, &o->set_mac,
				     "MAC '%s' is not a unicast address of the form aa:bb:cc:dd:ee:ff");
	case LOPT_GUEST_MAC:
		return cli_value_mac(cmd, arg, o->guest_mac, &o->set_guest_mac,
				     "guest MAC '%s' is not a unicast address of the form aa:bb:cc:dd:ee:ff");
	case LOPT_TXQLEN:
		if (cli_parse_uint(arg, UINT32_MAX, &v) < 0 || v == 0)
			return cli_invalid(cmd, "txqlen '%s' is not a number from 1", arg);
		o->txqlen = (uint32_t)v;
		return 0;
	case LOPT_BRIDGE:
		return cli_value_bridge(cmd, arg, &o->master);
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

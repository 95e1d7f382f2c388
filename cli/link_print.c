/* SPDX-License-Identifier: GPL-2.0-or-later */
/* How one link is shown by list, show and create, in text and JSON alike. */
#include <net/if.h>
#include <stdio.h>
#include <linux/if.h>
#include <linux/if_tun.h>

#include "cli.h"

static const char *operstate_name(uint8_t s)
{
	static const char *const names[] = { "UNKNOWN", "NOTPRESENT", "DOWN", "LOWERLAYERDOWN",
					     "TESTING", "DORMANT", "UP" };
	return s < sizeof(names) / sizeof(names[0]) ? names[s] : "UNKNOWN";
}

/* One direction's counters: a line of text, or an object under @key in JSON. */
static void print_counters(struct printer *p, const char *key, const char *label, uint64_t bytes, uint64_t packets,
			   uint64_t errors, uint64_t dropped)
{
	print_text(p, "\n    %s: bytes %llu packets %llu errors %llu dropped %llu", label, (unsigned long long)bytes,
		   (unsigned long long)packets, (unsigned long long)errors, (unsigned long long)dropped);
	print_open_object(p, key);
	print_uint(p, "bytes", NULL, bytes);
	print_uint(p, "packets", NULL, packets);
	print_uint(p, "errors", NULL, errors);
	print_uint(p, "dropped", NULL, dropped);
	print_close_object(p);
}

void cli_print_link(struct printer *p, const struct vmtap_link_info *li, bool details)
{
	char mac[VMTAP_MAC_STRLEN];

	print_open_object(p, NULL);
	print_uint(p, "ifindex", "%llu: ", (uint64_t)li->ifindex);
	print_string(p, "ifname", "%s: ", li->name);
	if (li->is_tun)
		print_string(p, "type", "%s", li->tun_type == IFF_TUN ? "tun" : "tap");
	else
		print_string(p, "type", "%s", li->kind[0] ? li->kind : "other");
	print_text(p, " <");
	print_open_array(p, "flags");
	{
		static const struct { unsigned int bit; const char *name; } flags[] = {
			{ IFF_UP, "UP" }, { IFF_LOWER_UP, "LOWER_UP" }, { IFF_RUNNING, "RUNNING" },
		};
		bool first = true;
		if ((li->flags & IFF_UP) && !li->carrier) {
			print_string(p, NULL, "%s", "NO-CARRIER");
			first = false;
		}
		for (size_t i = 0; i < sizeof(flags) / sizeof(flags[0]); i++)
			if (li->flags & flags[i].bit) {
				print_string(p, NULL, first ? "%s" : ",%s", flags[i].name);
				first = false;
			}
	}
	print_close_array(p);
	print_text(p, ">");
	print_string(p, "state", " state %s", operstate_name(li->operstate));
	print_bool(p, "up", NULL, li->flags & IFF_UP);
	print_uint(p, "mtu", " mtu %llu", li->mtu);
	if (li->qdisc[0])
		print_string(p, "qdisc", " qdisc %s", li->qdisc);
	if (li->has_mac)
		print_string(p, "address", " address %s", vmtap_mac_format(li->mac, mac));
	if (li->master_ifindex) {
		print_uint(p, "master_ifindex", NULL, (uint64_t)li->master_ifindex);
		if (li->master_name[0])
			print_string(p, "master", " master %s", li->master_name);
		else
			print_uint(p, NULL, " master if%llu", (uint64_t)li->master_ifindex);
	}
	if (li->is_tun) {
		print_uint(p, "queues", " queues %llu", li->tun_num_queues);
		if (li->tun_num_disabled_queues || details)
			print_uint(p, "disabled_queues", " disabled %llu", li->tun_num_disabled_queues);
		print_bool(p, "multi_queue", " multi_queue", li->tun_multi_queue);
		print_bool(p, "vnet_hdr", " vnet_hdr", li->tun_vnet_hdr);
		print_bool(p, "persist", " persist", li->tun_persist);
		print_bool(p, "pi", " pi", li->tun_pi);
		if (li->tun_has_owner)
			print_uint(p, "owner", " owner %llu", li->tun_owner);
		if (li->tun_has_group)
			print_uint(p, "group", " group %llu", li->tun_group);
	}
	if (details) {
		print_uint(p, "txqlen", "\n    txqlen %llu", li->txqlen);
		print_uint(p, "min_mtu", " min_mtu %llu", li->min_mtu);
		print_uint(p, "max_mtu", " max_mtu %llu", li->max_mtu);
		print_uint(p, "link_group", " link_group %llu", li->group);
	}
	if (li->alias[0])
		print_string(p, "alias", details ? "\n    alias %s" : " alias %s", li->alias);
	if (details && li->has_stats) {
		const struct vmtap_link_stats *s = &li->stats;
		print_open_object(p, "stats64");
		print_counters(p, "rx", "RX", s->rx_bytes, s->rx_packets, s->rx_errors, s->rx_dropped);
		print_counters(p, "tx", "TX", s->tx_bytes, s->tx_packets, s->tx_errors, s->tx_dropped);
		print_close_object(p);
	}
	print_text(p, "\n");
	print_close_object(p);
}

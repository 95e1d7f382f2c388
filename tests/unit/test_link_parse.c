/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests of vt_link_parse() on RTM_NEWLINK messages built with libmnl: every field, and malformed input. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <net/if.h>
#include <linux/if.h>
#include <libmnl/libmnl.h>
#include <linux/if_link.h>
#include <linux/if_tun.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include "link.h"

#define BUF_SIZE 4096

struct msgbuf {
	char buf[BUF_SIZE] __attribute__((aligned(8)));
};

static const uint8_t test_mac[6] = { 0x02, 0x00, 0x5e, 0x10, 0x00, 0x01 };

/* Start an RTM_NEWLINK (or @type) message for @ifindex in @m. */
static struct nlmsghdr *msg_start(struct msgbuf *m, uint16_t type, int ifindex, unsigned int flags)
{
	struct nlmsghdr *nlh;
	struct ifinfomsg *ifi;

	memset(m->buf, 0, sizeof(m->buf));
	nlh = mnl_nlmsg_put_header(m->buf);
	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_MULTI;
	nlh->nlmsg_seq = 42;
	ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_type = 1; /* ARPHRD_ETHER */
	ifi->ifi_index = ifindex;
	ifi->ifi_flags = flags;
	ifi->ifi_change = 0;
	return nlh;
}

static struct rtnl_link_stats64 test_stats(void)
{
	struct rtnl_link_stats64 s;

	memset(&s, 0, sizeof(s));
	s.rx_packets = 1;
	s.tx_packets = 2;
	s.rx_bytes = 0x100000003ULL; /* beyond 32 bits */
	s.tx_bytes = 0x100000004ULL;
	s.rx_errors = 5;
	s.tx_errors = 6;
	s.rx_dropped = 7;
	s.tx_dropped = 8;
	s.multicast = 9;
	s.collisions = 10;
	return s;
}

/* The attributes the kernel sends for a multi-queue TAP, in its order. */
static struct nlmsghdr *build_tap(struct msgbuf *m)
{
	struct nlmsghdr *nlh = msg_start(m, RTM_NEWLINK, 7, IFF_UP | IFF_BROADCAST | IFF_RUNNING | IFF_MULTICAST);
	struct rtnl_link_stats64 s = test_stats();
	struct nlattr *linkinfo, *data;

	mnl_attr_put_strz(nlh, IFLA_IFNAME, "tap0");
	mnl_attr_put_u32(nlh, IFLA_TXQLEN, 1000);
	mnl_attr_put_u8(nlh, IFLA_OPERSTATE, IF_OPER_UP);
	mnl_attr_put_u8(nlh, IFLA_LINKMODE, 0);
	mnl_attr_put_u8(nlh, IFLA_CARRIER, 1);
	mnl_attr_put_u32(nlh, IFLA_MTU, 1500);
	mnl_attr_put_u32(nlh, IFLA_MIN_MTU, 68);
	mnl_attr_put_u32(nlh, IFLA_MAX_MTU, 65521);
	mnl_attr_put_u32(nlh, IFLA_GROUP, 0x40000001);
	mnl_attr_put_u32(nlh, IFLA_PROMISCUITY, 1);
	mnl_attr_put_strz(nlh, IFLA_QDISC, "fq_codel");
	mnl_attr_put(nlh, IFLA_ADDRESS, sizeof(test_mac), test_mac);
	mnl_attr_put(nlh, IFLA_BROADCAST, 6, "\xff\xff\xff\xff\xff\xff");
	mnl_attr_put(nlh, IFLA_STATS64, sizeof(s), &s);
	linkinfo = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
	mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "tun");
	data = mnl_attr_nest_start(nlh, IFLA_INFO_DATA);
	mnl_attr_put_u8(nlh, IFLA_TUN_TYPE, IFF_TAP);
	mnl_attr_put_u8(nlh, IFLA_TUN_PI, 0);
	mnl_attr_put_u8(nlh, IFLA_TUN_VNET_HDR, 1);
	mnl_attr_put_u8(nlh, IFLA_TUN_PERSIST, 1);
	mnl_attr_put_u8(nlh, IFLA_TUN_MULTI_QUEUE, 1);
	mnl_attr_put_u32(nlh, IFLA_TUN_NUM_QUEUES, 4);
	mnl_attr_put_u32(nlh, IFLA_TUN_NUM_DISABLED_QUEUES, 2);
	mnl_attr_put_u32(nlh, IFLA_TUN_OWNER, 1000);
	mnl_attr_put_u32(nlh, IFLA_TUN_GROUP, 100);
	mnl_attr_nest_end(nlh, data);
	mnl_attr_nest_end(nlh, linkinfo);
	mnl_attr_put_u32(nlh, IFLA_MASTER, 3);
	mnl_attr_put_strz(nlh, IFLA_IFALIAS, "vm one, queue set");
	return nlh;
}

/*
 * Parse @len bytes copied into an allocation of exactly that size, so that
 * the sanitizers catch any read past the end; @ret_info is pre-filled with a
 * pattern so that "left untouched" can be checked.
 */
static int parse_exact(const void *buf, size_t len, struct vmtap_link_info *ret_info)
{
	void *copy = malloc(len ? len : 1);
	int r;

	assert_non_null(copy);
	memcpy(copy, buf, len);
	memset(ret_info, 0xa5, sizeof(*ret_info));
	r = vt_link_parse(copy, len, ret_info);
	free(copy);
	return r;
}

static void assert_rejected(const void *buf, size_t len)
{
	struct vmtap_link_info info, pattern;

	memset(&pattern, 0xa5, sizeof(pattern));
	assert_int_equal(parse_exact(buf, len, &info), -EBADMSG);
	/* outputs stay untouched on failure */
	assert_memory_equal(&info, &pattern, sizeof(info));
}

static void test_tap_all_fields(void **state)
{
	struct msgbuf m;
	struct nlmsghdr *nlh = build_tap(&m);
	struct vmtap_link_info info;
	(void)state;

	assert_int_equal(parse_exact(nlh, nlh->nlmsg_len, &info), 0);
	assert_int_equal(info.sz, sizeof(info));
	assert_int_equal(info.ifindex, 7);
	assert_string_equal(info.name, "tap0");
	assert_string_equal(info.kind, "tun");
	assert_string_equal(info.qdisc, "fq_codel");
	assert_true(info.has_mac);
	assert_memory_equal(info.mac, test_mac, 6);
	assert_int_equal(info.mtu, 1500);
	assert_int_equal(info.min_mtu, 68);
	assert_int_equal(info.max_mtu, 65521);
	assert_int_equal(info.txqlen, 1000);
	assert_int_equal(info.flags, IFF_UP | IFF_BROADCAST | IFF_RUNNING | IFF_MULTICAST);
	assert_int_equal(info.operstate, IF_OPER_UP);
	assert_true(info.carrier);
	assert_int_equal(info.master_ifindex, 3);
	assert_string_equal(info.master_name, ""); /* only look-ups resolve it */
	assert_int_equal(info.group, 0x40000001);
	assert_string_equal(info.alias, "vm one, queue set");

	assert_true(info.is_tun);
	assert_int_equal(info.tun_type, IFF_TAP);
	assert_false(info.tun_pi);
	assert_true(info.tun_vnet_hdr);
	assert_true(info.tun_persist);
	assert_true(info.tun_multi_queue);
	assert_int_equal(info.tun_num_queues, 4);
	assert_int_equal(info.tun_num_disabled_queues, 2);
	assert_true(info.tun_has_owner);
	assert_int_equal(info.tun_owner, 1000);
	assert_true(info.tun_has_group);
	assert_int_equal(info.tun_group, 100);

	assert_true(info.has_stats);
	assert_int_equal(info.stats.rx_packets, 1);
	assert_int_equal(info.stats.tx_packets, 2);
	assert_int_equal(info.stats.rx_bytes, 0x100000003ULL);
	assert_int_equal(info.stats.tx_bytes, 0x100000004ULL);
	assert_int_equal(info.stats.rx_errors, 5);
	assert_int_equal(info.stats.tx_errors, 6);
	assert_int_equal(info.stats.rx_dropped, 7);
	assert_int_equal(info.stats.tx_dropped, 8);
}

/* A single-queue TUN without owner, group or stats, its carrier given by @carrier (-1: no attribute). */
static struct nlmsghdr *build_single_queue(struct msgbuf *m, int carrier)
{
	struct nlmsghdr *nlh = msg_start(m, RTM_NEWLINK, 12, 0);
	struct nlattr *linkinfo, *data;

	mnl_attr_put_strz(nlh, IFLA_IFNAME, "t");
	if (carrier >= 0)
		mnl_attr_put_u8(nlh, IFLA_CARRIER, (uint8_t)carrier);
	linkinfo = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
	mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "tun");
	data = mnl_attr_nest_start(nlh, IFLA_INFO_DATA);
	mnl_attr_put_u8(nlh, IFLA_TUN_TYPE, IFF_TUN);
	mnl_attr_put_u8(nlh, IFLA_TUN_PI, 1);
	mnl_attr_put_u8(nlh, IFLA_TUN_VNET_HDR, 0);
	mnl_attr_put_u8(nlh, IFLA_TUN_PERSIST, 0);
	mnl_attr_put_u8(nlh, IFLA_TUN_MULTI_QUEUE, 0);
	/* the kernel sends no queue counts for a single-queue device: one made up here is ignored */
	mnl_attr_put_u32(nlh, IFLA_TUN_NUM_QUEUES, 5);
	mnl_attr_nest_end(nlh, data);
	mnl_attr_nest_end(nlh, linkinfo);
	return nlh;
}

static void test_tap_minimal(void **state)
{
	struct msgbuf m;
	struct nlmsghdr *nlh = build_single_queue(&m, 1);
	struct vmtap_link_info info;
	(void)state;

	assert_int_equal(parse_exact(nlh, nlh->nlmsg_len, &info), 0);
	assert_int_equal(info.ifindex, 12);
	assert_string_equal(info.name, "t");
	assert_true(info.is_tun);
	assert_int_equal(info.tun_type, IFF_TUN);
	assert_true(info.tun_pi);
	assert_false(info.tun_vnet_hdr);
	assert_false(info.tun_persist);
	assert_false(info.tun_multi_queue);
	assert_true(info.carrier);
	assert_int_equal(info.tun_num_queues, 1); /* the carrier says a queue is attached */
	assert_int_equal(info.tun_num_disabled_queues, 0);
	assert_false(info.tun_has_owner);
	assert_false(info.tun_has_group);
	assert_false(info.has_stats);
	assert_false(info.has_mac);
	assert_int_equal(info.mtu, 0);
	assert_int_equal(info.master_ifindex, 0);
	assert_string_equal(info.alias, "");
	assert_int_equal(info.flags, 0);
	/* nothing of the 0xa5 pattern survives */
	assert_int_equal(info.stats.rx_bytes, 0);
	assert_string_equal(info.master_name, "");

	/* no queue attached: carrier off */
	nlh = build_single_queue(&m, 0);
	assert_int_equal(parse_exact(nlh, nlh->nlmsg_len, &info), 0);
	assert_false(info.carrier);
	assert_int_equal(info.tun_num_queues, 0);

	/* no carrier attribute at all */
	nlh = build_single_queue(&m, -1);
	assert_int_equal(parse_exact(nlh, nlh->nlmsg_len, &info), 0);
	assert_false(info.carrier);
	assert_int_equal(info.tun_num_queues, 0);
}

/* Each IFLA_TUN_* boolean lands in its own field: one set at a time, the others explicitly 0. */
static void test_tun_booleans_each(void **state)
{
	static const uint16_t attrs[] = {
		IFLA_TUN_PI, IFLA_TUN_VNET_HDR, IFLA_TUN_PERSIST, IFLA_TUN_MULTI_QUEUE,
	};
	(void)state;

	for (size_t i = 0; i < ARRAY_SIZE(attrs); i++) {
		struct msgbuf m;
		struct nlmsghdr *nlh = msg_start(&m, RTM_NEWLINK, 4, 0);
		struct vmtap_link_info info;
		struct nlattr *linkinfo, *data;

		mnl_attr_put_strz(nlh, IFLA_IFNAME, "tapq");
		linkinfo = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
		mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "tun");
		data = mnl_attr_nest_start(nlh, IFLA_INFO_DATA);
		mnl_attr_put_u8(nlh, IFLA_TUN_TYPE, IFF_TAP);
		for (size_t j = 0; j < ARRAY_SIZE(attrs); j++)
			mnl_attr_put_u8(nlh, attrs[j], i == j);
		mnl_attr_nest_end(nlh, data);
		mnl_attr_nest_end(nlh, linkinfo);

		assert_int_equal(parse_exact(nlh, nlh->nlmsg_len, &info), 0);
		assert_int_equal(info.tun_type, IFF_TAP);
		assert_int_equal(info.tun_pi, attrs[i] == IFLA_TUN_PI);
		assert_int_equal(info.tun_vnet_hdr, attrs[i] == IFLA_TUN_VNET_HDR);
		assert_int_equal(info.tun_persist, attrs[i] == IFLA_TUN_PERSIST);
		assert_int_equal(info.tun_multi_queue, attrs[i] == IFLA_TUN_MULTI_QUEUE);
	}
}

static void test_bridge(void **state)
{
	struct msgbuf m;
	struct nlmsghdr *nlh = msg_start(&m, RTM_NEWLINK, 3, IFF_UP);
	struct vmtap_link_info info;
	struct nlattr *linkinfo, *data;
	(void)state;

	mnl_attr_put_strz(nlh, IFLA_IFNAME, "br0");
	mnl_attr_put_u32(nlh, IFLA_MTU, 9000);
	mnl_attr_put(nlh, IFLA_ADDRESS, sizeof(test_mac), test_mac);
	linkinfo = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
	mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "bridge");
	/* bridge data whose numbers would mean IFLA_TUN_OWNER/GROUP/TYPE if misread */
	data = mnl_attr_nest_start(nlh, IFLA_INFO_DATA);
	mnl_attr_put_u32(nlh, IFLA_BR_FORWARD_DELAY, 1500);
	mnl_attr_put_u32(nlh, IFLA_BR_HELLO_TIME, 200);
	mnl_attr_put_u32(nlh, IFLA_BR_MAX_AGE, 2000);
	mnl_attr_nest_end(nlh, data);
	mnl_attr_nest_end(nlh, linkinfo);

	assert_int_equal(parse_exact(nlh, nlh->nlmsg_len, &info), 0);
	assert_string_equal(info.name, "br0");
	assert_string_equal(info.kind, "bridge");
	assert_false(info.is_tun);
	assert_false(info.tun_has_owner);
	assert_false(info.tun_has_group);
	assert_int_equal(info.tun_type, 0);
	assert_int_equal(info.mtu, 9000);
	assert_true(info.has_mac);
}

/* A macvtap: its mode (kernel values to the public enum, "source" unknown) and its parent (IFLA_LINK). */
static void test_macvtap(void **state)
{
	static const struct {
		uint32_t kernel;
		bool known;
		enum vmtap_macvtap_mode mode;
	} modes[] = {
		{ MACVLAN_MODE_BRIDGE, true, VMTAP_MACVTAP_BRIDGE }, { MACVLAN_MODE_VEPA, true, VMTAP_MACVTAP_VEPA },
		{ MACVLAN_MODE_PRIVATE, true, VMTAP_MACVTAP_PRIVATE }, { MACVLAN_MODE_PASSTHRU, true, VMTAP_MACVTAP_PASSTHRU },
		{ MACVLAN_MODE_SOURCE, false, 0 }, { 3, false, 0 },
	};
	(void)state;

	for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		struct msgbuf m;
		struct nlmsghdr *nlh = msg_start(&m, RTM_NEWLINK, 9, IFF_UP);
		struct vmtap_link_info info;
		struct nlattr *linkinfo, *data;

		mnl_attr_put_strz(nlh, IFLA_IFNAME, "mvt0");
		mnl_attr_put_u32(nlh, IFLA_LINK, 4);
		linkinfo = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
		mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "macvtap");
		data = mnl_attr_nest_start(nlh, IFLA_INFO_DATA);
		mnl_attr_put_u32(nlh, IFLA_MACVLAN_MODE, modes[i].kernel);
		mnl_attr_nest_end(nlh, data);
		mnl_attr_nest_end(nlh, linkinfo);
		assert_int_equal(parse_exact(nlh, nlh->nlmsg_len, &info), 0);
		assert_true(info.is_macvtap);
		assert_false(info.is_tun);
		assert_int_equal(info.link_ifindex, 4);
		assert_int_equal(info.has_macvtap_mode, modes[i].known);
		if (modes[i].known)
			assert_int_equal(info.macvtap_mode, modes[i].mode);
	}
	/* a device whose link is in another namespace (IFLA_LINK_NETNSID), or is itself: no link here */
	for (int other_ns = 0; other_ns < 2; other_ns++) {
		struct msgbuf m;
		struct nlmsghdr *nlh = msg_start(&m, RTM_NEWLINK, 9, 0);
		struct vmtap_link_info info;

		mnl_attr_put_strz(nlh, IFLA_IFNAME, "eth0");
		mnl_attr_put_u32(nlh, IFLA_LINK, other_ns ? 4 : 9);
		if (other_ns)
			mnl_attr_put_u32(nlh, IFLA_LINK_NETNSID, 0);
		assert_int_equal(parse_exact(nlh, nlh->nlmsg_len, &info), 0);
		assert_int_equal(info.link_ifindex, 0);
		assert_false(info.is_macvtap);
		assert_false(info.has_macvtap_mode);
	}
}

static void test_loopback(void **state)
{
	struct msgbuf m;
	struct nlmsghdr *nlh = msg_start(&m, RTM_NEWLINK, 1, IFF_UP | IFF_LOOPBACK | IFF_RUNNING | IFF_LOWER_UP);
	struct vmtap_link_info info;
	(void)state;

	mnl_attr_put_strz(nlh, IFLA_IFNAME, "lo");
	mnl_attr_put_u32(nlh, IFLA_MTU, 65536);
	mnl_attr_put_u8(nlh, IFLA_OPERSTATE, IF_OPER_UNKNOWN);
	mnl_attr_put(nlh, IFLA_ADDRESS, 6, "\0\0\0\0\0\0");

	assert_int_equal(parse_exact(nlh, nlh->nlmsg_len, &info), 0);
	assert_int_equal(info.ifindex, 1);
	assert_string_equal(info.name, "lo");
	assert_string_equal(info.kind, "");
	assert_false(info.is_tun);
	assert_int_equal(info.mtu, 65536);
	assert_int_equal(info.operstate, IF_OPER_UNKNOWN);
	assert_true(info.has_mac);
	assert_memory_equal(info.mac, "\0\0\0\0\0\0", 6);
	assert_int_equal(info.flags, IFF_UP | IFF_LOOPBACK | IFF_RUNNING | IFF_LOWER_UP);
}

static void test_mac_lengths(void **state)
{
	static const uint8_t ib[20] = { 0x80, 1, 2, 3 }; /* an InfiniBand-sized address */
	struct msgbuf m;
	struct nlmsghdr *nlh;
	struct vmtap_link_info info;
	(void)state;

	nlh = msg_start(&m, RTM_NEWLINK, 5, 0);
	mnl_attr_put_strz(nlh, IFLA_IFNAME, "ib0");
	mnl_attr_put(nlh, IFLA_ADDRESS, sizeof(ib), ib);
	assert_int_equal(parse_exact(nlh, nlh->nlmsg_len, &info), 0);
	assert_false(info.has_mac);
	assert_memory_equal(info.mac, "\0\0\0\0\0\0", 6);

	nlh = msg_start(&m, RTM_NEWLINK, 5, 0);
	mnl_attr_put_strz(nlh, IFLA_IFNAME, "sit0");
	mnl_attr_put(nlh, IFLA_ADDRESS, 4, "\x0a\0\0\x01");
	assert_int_equal(parse_exact(nlh, nlh->nlmsg_len, &info), 0);
	assert_false(info.has_mac);

	nlh = msg_start(&m, RTM_NEWLINK, 5, 0);
	mnl_attr_put_strz(nlh, IFLA_IFNAME, "none0");
	mnl_attr_put(nlh, IFLA_ADDRESS, 0, NULL);
	assert_int_equal(parse_exact(nlh, nlh->nlmsg_len, &info), 0);
	assert_false(info.has_mac);
}

static void test_stats_sizes(void **state)
{
	struct rtnl_link_stats64 s = test_stats();
	struct rtnl_link_stats s32;
	struct msgbuf m;
	struct nlmsghdr *nlh;
	struct vmtap_link_info info;
	(void)state;

	/* the 32-bit IFLA_STATS alone is not used */
	memset(&s32, 0, sizeof(s32));
	s32.rx_packets = 11;
	nlh = msg_start(&m, RTM_NEWLINK, 5, 0);
	mnl_attr_put_strz(nlh, IFLA_IFNAME, "tap0");
	mnl_attr_put(nlh, IFLA_STATS, sizeof(s32), &s32);
	assert_int_equal(parse_exact(nlh, nlh->nlmsg_len, &info), 0);
	assert_false(info.has_stats);
	assert_int_equal(info.stats.rx_packets, 0);

	/* an IFLA_STATS64 too short for the counters: ignored */
	nlh = msg_start(&m, RTM_NEWLINK, 5, 0);
	mnl_attr_put_strz(nlh, IFLA_IFNAME, "tap0");
	mnl_attr_put(nlh, IFLA_STATS64, 8 * sizeof(uint64_t) - 1, &s);
	assert_int_equal(parse_exact(nlh, nlh->nlmsg_len, &info), 0);
	assert_false(info.has_stats);
	assert_int_equal(info.stats.rx_packets, 0);

	/* a longer one (a future kernel with more counters): used */
	{
		uint64_t longer[sizeof(s) / sizeof(uint64_t) + 4];
		memset(longer, 0x77, sizeof(longer));
		memcpy(longer, &s, sizeof(s));
		nlh = msg_start(&m, RTM_NEWLINK, 5, 0);
		mnl_attr_put_strz(nlh, IFLA_IFNAME, "tap0");
		mnl_attr_put(nlh, IFLA_STATS64, sizeof(longer), longer);
		assert_int_equal(parse_exact(nlh, nlh->nlmsg_len, &info), 0);
		assert_true(info.has_stats);
		assert_int_equal(info.stats.tx_bytes, 0x100000004ULL);
		assert_int_equal(info.stats.tx_dropped, 8);
	}
}

static void test_names(void **state)
{
	struct msgbuf m;
	struct nlmsghdr *nlh;
	struct vmtap_link_info info;
	(void)state;

	/* missing name */
	nlh = msg_start(&m, RTM_NEWLINK, 5, 0);
	mnl_attr_put_u32(nlh, IFLA_MTU, 1500);
	assert_rejected(nlh, nlh->nlmsg_len);

	/* empty name */
	nlh = msg_start(&m, RTM_NEWLINK, 5, 0);
	mnl_attr_put_strz(nlh, IFLA_IFNAME, "");
	assert_rejected(nlh, nlh->nlmsg_len);

	/* name without its NUL */
	nlh = msg_start(&m, RTM_NEWLINK, 5, 0);
	mnl_attr_put(nlh, IFLA_IFNAME, 4, "tap0");
	assert_rejected(nlh, nlh->nlmsg_len);

	/* zero-length name attribute */
	nlh = msg_start(&m, RTM_NEWLINK, 5, 0);
	mnl_attr_put(nlh, IFLA_IFNAME, 0, NULL);
	assert_rejected(nlh, nlh->nlmsg_len);

	/* no valid ifindex */
	nlh = msg_start(&m, RTM_NEWLINK, 0, 0);
	mnl_attr_put_strz(nlh, IFLA_IFNAME, "tap0");
	assert_rejected(nlh, nlh->nlmsg_len);
	nlh = msg_start(&m, RTM_NEWLINK, -3, 0);
	mnl_attr_put_strz(nlh, IFLA_IFNAME, "tap0");
	assert_rejected(nlh, nlh->nlmsg_len);

	/* too long for IFNAMSIZ, kind and alias too: cut and terminated */
	nlh = msg_start(&m, RTM_NEWLINK, 5, 0);
	mnl_attr_put_strz(nlh, IFLA_IFNAME, "abcdefghijklmnopqrstuvwxyz");
	{
		char alias[400];
		struct nlattr *linkinfo;
		memset(alias, 'a', sizeof(alias) - 1);
		alias[sizeof(alias) - 1] = '\0';
		mnl_attr_put_strz(nlh, IFLA_IFALIAS, alias);
		linkinfo = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
		mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "tun-but-longer-than-sixteen");
		mnl_attr_nest_end(nlh, linkinfo);
	}
	assert_int_equal(parse_exact(nlh, nlh->nlmsg_len, &info), 0);
	assert_string_equal(info.name, "abcdefghijklmno");
	assert_int_equal(strlen(info.alias), sizeof(info.alias) - 1);
	assert_string_equal(info.kind, "tun-but-longer-");
	assert_false(info.is_tun);
}

static void test_kind_variants(void **state)
{
	struct msgbuf m;
	struct nlmsghdr *nlh;
	struct vmtap_link_info info;
	struct nlattr *linkinfo, *data;
	(void)state;

	/* "tun" without its NUL is not a kind: the TUN data is not looked at */
	nlh = msg_start(&m, RTM_NEWLINK, 5, 0);
	mnl_attr_put_strz(nlh, IFLA_IFNAME, "x0");
	linkinfo = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
	mnl_attr_put(nlh, IFLA_INFO_KIND, 3, "tun");
	data = mnl_attr_nest_start(nlh, IFLA_INFO_DATA);
	mnl_attr_put_u32(nlh, IFLA_TUN_OWNER, 1);
	mnl_attr_nest_end(nlh, data);
	mnl_attr_nest_end(nlh, linkinfo);
	assert_int_equal(parse_exact(nlh, nlh->nlmsg_len, &info), 0);
	assert_string_equal(info.kind, "");
	assert_false(info.is_tun);
	assert_false(info.tun_has_owner);

	/* a prefix of "tun" is not "tun" */
	nlh = msg_start(&m, RTM_NEWLINK, 5, 0);
	mnl_attr_put_strz(nlh, IFLA_IFNAME, "x0");
	linkinfo = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
	mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "tunnel");
	mnl_attr_nest_end(nlh, linkinfo);
	assert_int_equal(parse_exact(nlh, nlh->nlmsg_len, &info), 0);
	assert_string_equal(info.kind, "tunnel");
	assert_false(info.is_tun);

	/* tun without IFLA_INFO_DATA (an old kernel): a tun link with nothing known */
	nlh = msg_start(&m, RTM_NEWLINK, 5, 0);
	mnl_attr_put_strz(nlh, IFLA_IFNAME, "tap9");
	linkinfo = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
	mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "tun");
	mnl_attr_nest_end(nlh, linkinfo);
	assert_int_equal(parse_exact(nlh, nlh->nlmsg_len, &info), 0);
	assert_true(info.is_tun);
	assert_int_equal(info.tun_type, 0);
	assert_false(info.tun_has_owner);
	assert_int_equal(info.tun_num_queues, 0);

	/* a veth: slave data and other nests do not disturb */
	nlh = msg_start(&m, RTM_NEWLINK, 5, 0);
	mnl_attr_put_strz(nlh, IFLA_IFNAME, "veth0");
	mnl_attr_put_u32(nlh, IFLA_LINK, 6);
	linkinfo = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
	mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "veth");
	mnl_attr_put_strz(nlh, IFLA_INFO_SLAVE_KIND, "bridge");
	data = mnl_attr_nest_start(nlh, IFLA_INFO_SLAVE_DATA);
	mnl_attr_put_u8(nlh, IFLA_BRPORT_STATE, 3);
	mnl_attr_nest_end(nlh, data);
	mnl_attr_nest_end(nlh, linkinfo);
	assert_int_equal(parse_exact(nlh, nlh->nlmsg_len, &info), 0);
	assert_string_equal(info.kind, "veth");
	assert_false(info.is_tun);
}

static void test_truncated(void **state)
{
	struct msgbuf m;
	struct nlmsghdr *nlh = build_tap(&m);
	uint32_t full = nlh->nlmsg_len;
	(void)state;

	/* shorter than the header, than header + ifinfomsg, than nlmsg_len */
	assert_rejected(nlh, 0);
	assert_rejected(nlh, 1);
	assert_rejected(nlh, sizeof(struct nlmsghdr) - 1);
	assert_rejected(nlh, sizeof(struct nlmsghdr));
	assert_rejected(nlh, sizeof(struct nlmsghdr) + sizeof(struct ifinfomsg) - 1);
	assert_rejected(nlh, full / 2);
	assert_rejected(nlh, full - 4);
	assert_rejected(nlh, full - 1);

	/* nlmsg_len itself too small for the ifinfomsg, or for the header */
	nlh->nlmsg_len = sizeof(struct nlmsghdr) + sizeof(struct ifinfomsg) - 4;
	assert_rejected(nlh, full);
	nlh->nlmsg_len = sizeof(struct nlmsghdr) - 1;
	assert_rejected(nlh, full);
	nlh->nlmsg_len = 0;
	assert_rejected(nlh, full);

	/* no buffer at all */
	{
		struct vmtap_link_info info;
		assert_int_equal(vt_link_parse(NULL, 64, &info), -EBADMSG);
	}
}

static void test_respects_nlmsg_len(void **state)
{
	struct msgbuf m;
	struct nlmsghdr *nlh = msg_start(&m, RTM_NEWLINK, 5, 0);
	struct vmtap_link_info info;
	uint32_t len;
	(void)state;

	mnl_attr_put_strz(nlh, IFLA_IFNAME, "tap0");
	len = nlh->nlmsg_len;
	/* attributes past nlmsg_len belong to no one (a next message, padding) */
	mnl_attr_put_u32(nlh, IFLA_MTU, 1500);
	mnl_attr_put_u32(nlh, IFLA_MASTER, 9);
	{
		uint32_t full = nlh->nlmsg_len;
		nlh->nlmsg_len = len;
		assert_int_equal(parse_exact(nlh, full, &info), 0);
	}
	assert_string_equal(info.name, "tap0");
	assert_int_equal(info.mtu, 0);
	assert_int_equal(info.master_ifindex, 0);

	/* two messages back to back: the first is parsed */
	{
		struct msgbuf two;
		struct nlmsghdr *first = build_tap(&two);
		struct nlmsghdr *second = (struct nlmsghdr *)(two.buf + MNL_ALIGN(first->nlmsg_len));
		struct ifinfomsg *ifi;
		size_t total;

		second = mnl_nlmsg_put_header(second);
		second->nlmsg_type = RTM_NEWLINK;
		ifi = mnl_nlmsg_put_extra_header(second, sizeof(*ifi));
		ifi->ifi_index = 99;
		mnl_attr_put_strz(second, IFLA_IFNAME, "second");
		total = MNL_ALIGN(first->nlmsg_len) + second->nlmsg_len;
		assert_int_equal(parse_exact(two.buf, total, &info), 0);
		assert_int_equal(info.ifindex, 7);
		assert_string_equal(info.name, "tap0");
	}
}

static void test_wrong_type(void **state)
{
	static const uint16_t types[] = { RTM_DELLINK, RTM_GETLINK, RTM_NEWADDR, NLMSG_ERROR, NLMSG_DONE, 0 };
	struct msgbuf m;
	(void)state;

	for (size_t i = 0; i < ARRAY_SIZE(types); i++) {
		struct nlmsghdr *nlh = build_tap(&m);
		nlh->nlmsg_type = types[i];
		assert_rejected(nlh, nlh->nlmsg_len);
	}
}

static void test_bad_attribute_lengths(void **state)
{
	struct msgbuf m;
	struct nlmsghdr *nlh = msg_start(&m, RTM_NEWLINK, 5, 0);
	struct vmtap_link_info info;
	struct nlattr *linkinfo, *data;
	(void)state;

	/* each attribute is too short for its type: ignored, the rest still parsed */
	mnl_attr_put_strz(nlh, IFLA_IFNAME, "tap7");
	mnl_attr_put(nlh, IFLA_MTU, 2, "\xdc\x05");
	mnl_attr_put(nlh, IFLA_MIN_MTU, 3, "\x44\0\0");
	mnl_attr_put(nlh, IFLA_MAX_MTU, 0, NULL);
	mnl_attr_put(nlh, IFLA_TXQLEN, 1, "\x01");
	mnl_attr_put(nlh, IFLA_MASTER, 2, "\x03\0");
	mnl_attr_put(nlh, IFLA_GROUP, 2, "\x01\0");
	mnl_attr_put(nlh, IFLA_OPERSTATE, 0, NULL);
	mnl_attr_put(nlh, IFLA_ADDRESS, 5, test_mac);
	mnl_attr_put(nlh, IFLA_IFALIAS, 3, "abc");
	linkinfo = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
	mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "tun");
	data = mnl_attr_nest_start(nlh, IFLA_INFO_DATA);
	mnl_attr_put(nlh, IFLA_TUN_TYPE, 0, NULL);
	mnl_attr_put(nlh, IFLA_TUN_PI, 0, NULL);
	mnl_attr_put(nlh, IFLA_TUN_NUM_QUEUES, 2, "\x04\0");
	mnl_attr_put(nlh, IFLA_TUN_NUM_DISABLED_QUEUES, 3, "\x04\0\0");
	mnl_attr_put(nlh, IFLA_TUN_OWNER, 2, "\xe8\x03");
	mnl_attr_put(nlh, IFLA_TUN_GROUP, 1, "\x64");
	mnl_attr_put_u8(nlh, IFLA_TUN_VNET_HDR, 1);  /* a good one among them */
	mnl_attr_nest_end(nlh, data);
	mnl_attr_nest_end(nlh, linkinfo);

	assert_int_equal(parse_exact(nlh, nlh->nlmsg_len, &info), 0);
	assert_string_equal(info.name, "tap7");
	assert_int_equal(info.mtu, 0);
	assert_int_equal(info.min_mtu, 0);
	assert_int_equal(info.max_mtu, 0);
	assert_int_equal(info.txqlen, 0);
	assert_int_equal(info.master_ifindex, 0);
	assert_int_equal(info.group, 0);
	assert_int_equal(info.operstate, 0);
	assert_false(info.has_mac);
	assert_string_equal(info.alias, "");
	assert_true(info.is_tun);
	assert_int_equal(info.tun_type, 0);
	assert_false(info.tun_pi);
	assert_int_equal(info.tun_num_queues, 0);
	assert_int_equal(info.tun_num_disabled_queues, 0);
	assert_false(info.tun_has_owner);
	assert_false(info.tun_has_group);
	assert_true(info.tun_vnet_hdr);
}

/* Append a raw attribute header claiming @nla_len bytes, followed by @n bytes of @payload. */
static void put_raw(struct nlmsghdr *nlh, uint16_t type, uint16_t nla_len, const void *payload, size_t n)
{
	struct nlattr *a = mnl_nlmsg_get_payload_tail(nlh);

	a->nla_type = type;
	a->nla_len = nla_len;
	memcpy(a + 1, payload, n);
	nlh->nlmsg_len += (uint32_t)MNL_ALIGN(sizeof(*a) + n);
}

static void test_attribute_overruns(void **state)
{
	struct msgbuf m;
	struct nlmsghdr *nlh;
	struct vmtap_link_info info;
	(void)state;

	/* an attribute claiming more than the message holds: parsing stops there, safely */
	nlh = msg_start(&m, RTM_NEWLINK, 5, 0);
	mnl_attr_put_strz(nlh, IFLA_IFNAME, "tap0");
	put_raw(nlh, IFLA_MTU, 0xfff0, "\xdc\x05\0\0", 4);
	mnl_attr_put_u32(nlh, IFLA_TXQLEN, 500);
	assert_int_equal(parse_exact(nlh, nlh->nlmsg_len, &info), 0);
	assert_string_equal(info.name, "tap0");
	assert_int_equal(info.mtu, 0);
	assert_int_equal(info.txqlen, 0);

	/* the name behind such an attribute is never reached: no name, refused */
	nlh = msg_start(&m, RTM_NEWLINK, 5, 0);
	put_raw(nlh, IFLA_MTU, 64, "\xdc\x05\0\0", 4);
	mnl_attr_put_strz(nlh, IFLA_IFNAME, "tap0");
	assert_rejected(nlh, nlh->nlmsg_len);

	/* an attribute length below its own header: stops too */
	nlh = msg_start(&m, RTM_NEWLINK, 5, 0);
	mnl_attr_put_strz(nlh, IFLA_IFNAME, "tap0");
	put_raw(nlh, IFLA_MTU, 2, "\0\0\0\0", 4);
	mnl_attr_put_u32(nlh, IFLA_TXQLEN, 500);
	assert_int_equal(parse_exact(nlh, nlh->nlmsg_len, &info), 0);
	assert_int_equal(info.txqlen, 0);

	/* a nest whose inner attribute overruns the nest: the nest is given up */
	nlh = msg_start(&m, RTM_NEWLINK, 5, 0);
	mnl_attr_put_strz(nlh, IFLA_IFNAME, "tap0");
	{
		struct nlattr *linkinfo = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
		put_raw(nlh, IFLA_INFO_KIND, 200, "tun\0", 4);
		mnl_attr_nest_end(nlh, linkinfo);
	}
	mnl_attr_put_u32(nlh, IFLA_MTU, 1500);
	assert_int_equal(parse_exact(nlh, nlh->nlmsg_len, &info), 0);
	assert_string_equal(info.kind, "");
	assert_false(info.is_tun);
	assert_int_equal(info.mtu, 1500); /* the outer level goes on */

	/* IFLA_INFO_DATA full of junk */
	nlh = msg_start(&m, RTM_NEWLINK, 5, 0);
	mnl_attr_put_strz(nlh, IFLA_IFNAME, "tap0");
	{
		uint8_t junk[64];
		struct nlattr *linkinfo = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
		for (size_t i = 0; i < sizeof(junk); i++)
			junk[i] = (uint8_t)(i * 37 + 11);
		mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "tun");
		mnl_attr_put(nlh, IFLA_INFO_DATA, sizeof(junk), junk);
		mnl_attr_nest_end(nlh, linkinfo);
	}
	assert_int_equal(parse_exact(nlh, nlh->nlmsg_len, &info), 0);
	assert_true(info.is_tun);
	assert_string_equal(info.name, "tap0");

	/* IFLA_LINKINFO that is a plain u32, not a nest */
	nlh = msg_start(&m, RTM_NEWLINK, 5, 0);
	mnl_attr_put_strz(nlh, IFLA_IFNAME, "tap0");
	mnl_attr_put_u32(nlh, IFLA_LINKINFO, 0x00040008);
	assert_int_equal(parse_exact(nlh, nlh->nlmsg_len, &info), 0);
	assert_false(info.is_tun);
	assert_string_equal(info.kind, "");
}

static void test_unknown_attributes(void **state)
{
	struct msgbuf m;
	struct nlmsghdr *nlh = msg_start(&m, RTM_NEWLINK, 5, 0);
	struct vmtap_link_info info;
	(void)state;

	/* types beyond IFLA_MAX and flag bits in the type are tolerated */
	mnl_attr_put_u32(nlh, IFLA_MAX + 1, 1);
	mnl_attr_put_u32(nlh, 0x7fff, 2);
	mnl_attr_put_u32(nlh, 0, 3);
	mnl_attr_put_strz(nlh, IFLA_IFNAME | NLA_F_NET_BYTEORDER, "tap0");
	{
		struct nlattr *linkinfo = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
		mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "tun");
		mnl_attr_put_u32(nlh, IFLA_INFO_MAX + 1, 7);
		mnl_attr_nest_end(nlh, linkinfo);
	}
	assert_int_equal(parse_exact(nlh, nlh->nlmsg_len, &info), 0);
	assert_string_equal(info.name, "tap0");
	assert_true(info.is_tun);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tap_all_fields),
		cmocka_unit_test(test_tap_minimal),
		cmocka_unit_test(test_tun_booleans_each),
		cmocka_unit_test(test_bridge),
		cmocka_unit_test(test_macvtap),
		cmocka_unit_test(test_loopback),
		cmocka_unit_test(test_mac_lengths),
		cmocka_unit_test(test_stats_sizes),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_kind_variants),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_respects_nlmsg_len),
		cmocka_unit_test(test_wrong_type),
		cmocka_unit_test(test_bad_attribute_lengths),
		cmocka_unit_test(test_attribute_overruns),
		cmocka_unit_test(test_unknown_attributes),
	};

	return cmocka_run_group_tests_name("link-parse", tests, NULL, NULL) ? EXIT_FAILURE : EXIT_SUCCESS;
}

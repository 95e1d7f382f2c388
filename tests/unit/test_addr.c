/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests of addr.c and macvtap.c's pure parts: RTM_NEWADDR/RTM_NEWROUTE parsers on real and built messages, JSON, MACs, sysfs text. */
#include <arpa/inet.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <libmnl/libmnl.h>
#include <linux/if_addr.h>
#include <linux/rtnetlink.h>

#include "addr.h"
#include "macvtap.h"

#ifndef CORPUS_DIR
#error CORPUS_DIR must name fuzz/corpus
#endif

/* ---- helpers ---- */

struct blob {
	size_t len;
	uint8_t *data;
};

static struct blob corpus(const char *target, const char *name)
{
	char path[512];
	struct blob b = { 0 };
	FILE *f;
	long n;

	snprintf(path, sizeof(path), "%s/%s/%s", CORPUS_DIR, target, name);
	f = fopen(path, "rb");
	if (!f)
		fail_msg("cannot open %s", path);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	b.len = (size_t)n;
	b.data = malloc(b.len ? b.len : 1);
	assert_non_null(b.data);
	assert_int_equal(fread(b.data, 1, b.len, f), b.len);
	fclose(f);
	return b;
}

static struct vt_ip_addr parse_addr(const char *name)
{
	struct blob b = corpus("addr_parse", name);
	struct vt_ip_addr a;

	if (vt_addr_parse(b.data, b.len, &a) != 0)
		fail_msg("%s does not parse", name);
	free(b.data);
	return a;
}

static struct vt_ip_route parse_route(const char *name)
{
	struct blob b = corpus("route_parse", name);
	struct vt_ip_route r;

	if (vt_route_parse(b.data, b.len, &r) != 0)
		fail_msg("%s does not parse", name);
	free(b.data);
	return r;
}

static void assert_ip(uint8_t family, const uint8_t *got, const char *want)
{
	char t[INET6_ADDRSTRLEN];

	assert_non_null(inet_ntop(family, got, t, sizeof(t)));
	assert_string_equal(t, want);
}

/* ---- addresses ---- */

static void test_addr_real_v4(void **state)
{
	struct vt_ip_addr a;

	(void)state;
	a = parse_addr("real_v4_primary_broadcast");
	assert_int_equal(a.family, AF_INET);
	assert_ip(AF_INET, a.local, "10.1.0.2");
	assert_int_equal(a.prefixlen, 24);
	assert_true(a.has_broadcast);
	assert_ip(AF_INET, a.broadcast, "10.1.0.255");
	assert_string_equal(a.label, "eth0");
	assert_false(a.has_peer);
	assert_int_equal(a.flags, IFA_F_PERMANENT);
	assert_int_equal(a.valid_lft, VT_LIFETIME_FOREVER);
	assert_int_equal(a.ifindex, 3);

	a = parse_addr("real_v4_secondary");
	assert_ip(AF_INET, a.local, "10.1.0.3");
	assert_true(a.flags & IFA_F_SECONDARY);

	a = parse_addr("real_v4_label");
	assert_string_equal(a.label, "eth0:x");
	assert_int_equal(a.prefixlen, 16);

	/* IPv4 point-to-point: IFA_LOCAL is ours, IFA_ADDRESS the peer */
	a = parse_addr("real_v4_peer");
	assert_ip(AF_INET, a.local, "10.3.0.1");
	assert_true(a.has_peer);
	assert_ip(AF_INET, a.peer, "10.3.0.2");
	assert_int_equal(a.prefixlen, 32);

	a = parse_addr("real_v4_lifetimes_metric");
	assert_false(a.flags & IFA_F_PERMANENT);
	assert_true(a.valid_lft <= 3600 && a.valid_lft > 3000);
	assert_true(a.preferred_lft <= 1800 && a.preferred_lft > 1200);
	assert_int_equal(a.metric, 77);

	a = parse_addr("real_v4_loopback");
	assert_int_equal(a.scope, RT_SCOPE_HOST);
}

static void test_addr_real_v6(void **state)
{
	struct vt_ip_addr a;

	(void)state;
	a = parse_addr("real_v6_global_nodad");
	assert_int_equal(a.family, AF_INET6);
	assert_ip(AF_INET6, a.local, "2001:db8::2");
	assert_int_equal(a.prefixlen, 64);
	assert_int_equal(a.flags, IFA_F_PERMANENT | IFA_F_NODAD);
	assert_string_equal(a.label, "");
	assert_false(a.has_broadcast);

	a = parse_addr("real_v6_link_local");
	assert_int_equal(a.scope, RT_SCOPE_LINK);
	assert_int_equal(a.proto, 3); /* IFAPROT_KERNEL_LL */
	assert_int_equal(a.local[0], 0xfe);

	a = parse_addr("real_v6_mngtmpaddr_noprefixroute");
	assert_true(a.flags & IFA_F_MANAGETEMPADDR);
	assert_true(a.flags & IFA_F_NOPREFIXROUTE);

	/* IPv6 point-to-point: IFA_LOCAL ours, IFA_ADDRESS the peer */
	a = parse_addr("real_v6_peer");
	assert_ip(AF_INET6, a.local, "2001:db8:9::1");
	assert_true(a.has_peer);
	assert_ip(AF_INET6, a.peer, "2001:db8:9::2");

	a = parse_addr("real_v6_lifetimes");
	assert_true(a.valid_lft <= 600 && a.valid_lft > 0);
	assert_true(a.preferred_lft <= a.valid_lft);
}

/* Build an RTM_NEWADDR in @buf. */
static struct nlmsghdr *addr_msg(char *buf, uint8_t family, uint8_t prefixlen, uint32_t ifindex)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct ifaddrmsg *ifa;

	nlh->nlmsg_type = RTM_NEWADDR;
	ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
	ifa->ifa_family = family;
	ifa->ifa_prefixlen = prefixlen;
	ifa->ifa_index = ifindex;
	return nlh;
}

static void test_addr_built(void **state)
{
	char buf[1024] __attribute__((aligned(8)));
	const uint8_t v4[4] = { 192, 0, 2, 1 }, v6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };
	struct vt_ip_addr a, before;
	struct nlmsghdr *nlh;

	(void)state;
	/* IPv4 with only IFA_ADDRESS (no IFA_LOCAL): that is the address, no peer */
	memset(buf, 0, sizeof(buf));
	nlh = addr_msg(buf, AF_INET, 24, 7);
	mnl_attr_put(nlh, IFA_ADDRESS, 4, v4);
	assert_int_equal(vt_addr_parse(buf, nlh->nlmsg_len, &a), 0);
	assert_false(a.has_peer);
	assert_ip(AF_INET, a.local, "192.0.2.1");
	/* IFA_FLAGS beats the 8-bit field; unknown bits are dropped; preferred never above valid */
	mnl_attr_put_u32(nlh, IFA_FLAGS, 0x10000 | IFA_F_NOPREFIXROUTE);
	mnl_attr_put(nlh, IFA_CACHEINFO, sizeof(struct ifa_cacheinfo),
		     &(struct ifa_cacheinfo){ .ifa_prefered = 900, .ifa_valid = 300 });
	assert_int_equal(vt_addr_parse(buf, nlh->nlmsg_len, &a), 0);
	assert_int_equal(a.flags, IFA_F_NOPREFIXROUTE);
	assert_int_equal(a.valid_lft, 300);
	assert_int_equal(a.preferred_lft, 300);
	assert_int_equal(vt_ip_addr_check(&a, NULL, 0), 0);

	/* IPv6: a label or broadcast is not IPv6's, and ignored */
	memset(buf, 0, sizeof(buf));
	nlh = addr_msg(buf, AF_INET6, 64, 7);
	mnl_attr_put(nlh, IFA_ADDRESS, 16, v6);
	mnl_attr_put_strz(nlh, IFA_LABEL, "eth0");
	mnl_attr_put(nlh, IFA_BROADCAST, 4, v4);
	assert_int_equal(vt_addr_parse(buf, nlh->nlmsg_len, &a), 0);
	assert_string_equal(a.label, "");
	assert_false(a.has_broadcast);
	assert_ip(AF_INET6, a.local, "2001:db8::1");

	/* refused, output untouched: wrong lengths, no address, prefix too long, ifindex 0, other family */
	struct {
		uint8_t family, prefixlen;
		uint32_t ifindex;
		uint16_t attr;
		size_t alen;
	} bad[] = {
		{ AF_INET, 24, 7, IFA_ADDRESS, 16 },
		{ AF_INET6, 64, 7, IFA_ADDRESS, 4 },
		{ AF_INET, 24, 7, IFA_LOCAL, 3 },
		{ AF_INET, 24, 7, 0, 0 },
		{ AF_INET, 33, 7, IFA_ADDRESS, 4 },
		{ AF_INET6, 129, 7, IFA_ADDRESS, 16 },
		{ AF_INET, 24, 0, IFA_ADDRESS, 4 },
		{ AF_PACKET, 0, 7, IFA_ADDRESS, 4 },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		uint8_t zero[16] = { 1 };
		memset(buf, 0, sizeof(buf));
		nlh = addr_msg(buf, bad[i].family, bad[i].prefixlen, bad[i].ifindex);
		if (bad[i].attr)
			mnl_attr_put(nlh, bad[i].attr, bad[i].alen, zero);
		memset(&a, 0x5a, sizeof(a));
		before = a;
		if (vt_addr_parse(buf, nlh->nlmsg_len, &a) != -EBADMSG)
			fail_msg("case %zu parsed", i);
		assert_memory_equal(&a, &before, sizeof(a));
	}
	/* a longer buffer is fine, a shorter one is not */
	memset(buf, 0, sizeof(buf));
	nlh = addr_msg(buf, AF_INET, 24, 7);
	mnl_attr_put(nlh, IFA_LOCAL, 4, v4);
	assert_int_equal(vt_addr_parse(buf, nlh->nlmsg_len + 64, &a), 0);
	assert_int_equal(vt_addr_parse(buf, nlh->nlmsg_len - 4, &a), -EBADMSG);
	assert_int_equal(vt_addr_parse(NULL, 100, &a), -EBADMSG);
}

/* ---- routes ---- */

static void test_route_real_v4(void **state)
{
	struct vt_ip_route r;

	(void)state;
	r = parse_route("real_v4_default_gateway");
	assert_int_equal(r.family, AF_INET);
	assert_false(r.has_dst);
	assert_int_equal(r.dst_len, 0);
	assert_true(r.has_gateway);
	assert_ip(AF_INET, r.gateway, "10.1.0.1");
	assert_int_equal(r.table, RT_TABLE_MAIN);
	assert_int_equal(r.protocol, RTPROT_BOOT);
	assert_int_equal(r.type, RTN_UNICAST);
	assert_int_equal(r.oif, 3);
	assert_null(r.unsupported);

	r = parse_route("real_v4_table100_gateway");
	assert_int_equal(r.table, 100);
	assert_ip(AF_INET, r.dst, "172.16.0.0");
	assert_int_equal(r.dst_len, 12);

	r = parse_route("real_v4_metrics_prefsrc");
	assert_true(r.has_prefsrc);
	assert_ip(AF_INET, r.prefsrc, "10.1.0.2");
	assert_int_equal(r.metrics_set, (1u << RTAX_MTU) | (1u << RTAX_ADVMSS));
	assert_int_equal(r.metrics[RTAX_MTU], 1400);
	assert_int_equal(r.metrics[RTAX_ADVMSS], 1360);

	r = parse_route("real_v4_onlink");
	assert_true(r.flags & RTNH_F_ONLINK);
	r = parse_route("real_v4_priority");
	assert_true(r.has_priority);
	assert_int_equal(r.priority, 50);
	r = parse_route("real_v4_scope_link");
	assert_int_equal(r.scope, RT_SCOPE_LINK);
	assert_false(r.has_gateway);
	r = parse_route("real_v4_kernel_prefix");
	assert_int_equal(r.protocol, RTPROT_KERNEL);
	r = parse_route("real_v4_local_table");
	assert_int_equal(r.table, RT_TABLE_LOCAL);
	assert_int_equal(r.type, RTN_LOCAL);
	r = parse_route("real_v4_blackhole");
	assert_int_equal(r.type, RTN_BLACKHOLE);
	assert_int_equal(r.oif, 0);

	/* what vmtap could not put back as it was is named */
	r = parse_route("real_v4_multipath");
	assert_string_equal(r.unsupported, "multipath");
	assert_int_equal(r.n_nh, 2);
	assert_int_equal(r.nh_ifindex[0], 3);
	assert_int_equal(r.nh_ifindex[1], 5);
	r = parse_route("real_v4_nexthop_object");
	assert_string_equal(r.unsupported, "a nexthop object");
	r = parse_route("real_v4_via_inet6");
	assert_non_null(strstr(r.unsupported, "via"));
	r = parse_route("real_v4_congctl");
	assert_non_null(strstr(r.unsupported, "congestion control"));
	assert_int_equal(vt_ip_route_check(&r, NULL, 0), -EINVAL);
}

static void test_route_real_v6(void **state)
{
	struct vt_ip_route r;

	(void)state;
	r = parse_route("real_v6_default_link_local_gateway");
	assert_int_equal(r.family, AF_INET6);
	assert_false(r.has_dst);
	assert_ip(AF_INET6, r.gateway, "fe80::1");
	assert_int_equal(r.priority, 1024);
	assert_true(r.has_pref);
	assert_int_equal(r.pref, 0);

	r = parse_route("real_v6_gateway_pref_high");
	assert_int_equal(r.pref, 1); /* ICMPV6_ROUTER_PREF_HIGH */
	assert_int_equal(r.priority, 77);

	r = parse_route("real_v6_expires");
	assert_true(r.has_expires);
	assert_true(r.expires > 0 && r.expires <= 300);

	r = parse_route("real_v6_source_prefix");
	assert_true(r.has_src);
	assert_int_equal(r.src_len, 48);
	assert_ip(AF_INET6, r.src, "2001:db8:b::");

	r = parse_route("real_v6_multipath");
	assert_string_equal(r.unsupported, "multipath");
	r = parse_route("real_v6_multicast");
	assert_int_equal(r.type, RTN_MULTICAST);
	assert_int_equal(r.table, RT_TABLE_LOCAL);
}

static void test_route_malformed(void **state)
{
	static const char *const bad[] = { "empty", "truncated_rtmsg", "nlmsg_len_past_end", "wrong_type_delroute",
					   "family_mpls", "dst_len_33", "dst_3_bytes", "oif_2_bytes",
					   "metrics_short_u32", "multipath_nh_len_0", "multipath_nh_len_6",
					   "multipath_nh_len_past_end", "cacheinfo_short" };
	struct vt_ip_route r, before;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct blob b = corpus("route_parse", bad[i]);
		memset(&r, 0x5a, sizeof(r));
		before = r;
		if (vt_route_parse(b.data, b.len, &r) != -EBADMSG)
			fail_msg("%s parsed", bad[i]);
		assert_memory_equal(&r, &before, sizeof(r));
		free(b.data);
	}
}

/* ---- JSON ---- */

/* A state from every real message vmtap would keep. */
static struct vt_link_ip *real_state(void)
{
	static const char *const addrs[] = { "real_v4_primary_broadcast", "real_v4_label", "real_v4_secondary",
					     "real_v4_peer", "real_v4_lifetimes_metric", "real_v6_global_nodad",
					     "real_v6_link_local", "real_v6_mngtmpaddr_noprefixroute", "real_v6_peer",
					     "real_v6_lifetimes" };
	static const char *const routes[] = { "real_v4_default_gateway", "real_v4_table100_gateway",
					      "real_v4_metrics_prefsrc", "real_v4_onlink", "real_v4_priority",
					      "real_v4_scope_link", "real_v6_default_link_local_gateway",
					      "real_v6_gateway_pref_high", "real_v6_expires", "real_v6_source_prefix" };
	struct vt_link_ip *ip = calloc(1, sizeof(*ip));

	assert_non_null(ip);
	ip->addrs = calloc(sizeof(addrs) / sizeof(addrs[0]), sizeof(*ip->addrs));
	ip->routes = calloc(sizeof(routes) / sizeof(routes[0]), sizeof(*ip->routes));
	for (size_t i = 0; i < sizeof(addrs) / sizeof(addrs[0]); i++)
		ip->addrs[ip->n_addrs++] = parse_addr(addrs[i]);
	for (size_t i = 0; i < sizeof(routes) / sizeof(routes[0]); i++) {
		struct vt_ip_route r = parse_route(routes[i]);
		assert_int_equal(vt_ip_route_check(&r, NULL, 0), 0);
		ip->routes[ip->n_routes++] = r;
	}
	return ip;
}

static void test_json_round_trip(void **state)
{
	struct vt_link_ip *ip = real_state(), *back = NULL;
	json_object *o = NULL, *again = NULL;
	char err[200];

	(void)state;
	assert_int_equal(vt_link_ip_to_json(ip, &o), 0);
	assert_int_equal(vt_link_ip_from_json(o, &back, err, sizeof(err)), 0);
	assert_int_equal(back->n_addrs, ip->n_addrs);
	assert_int_equal(back->n_routes, ip->n_routes);
	for (size_t i = 0; i < ip->n_addrs; i++)
		if (!vt_ip_addr_equal(&back->addrs[i], &ip->addrs[i]))
			fail_msg("address %zu differs after JSON", i);
	for (size_t i = 0; i < ip->n_routes; i++)
		if (!vt_ip_route_equal(&back->routes[i], &ip->routes[i]))
			fail_msg("route %zu differs after JSON", i);
	/* and through text, as a record on disk */
	{
		const char *text = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);
		json_object *parsed = json_tokener_parse(text);
		struct vt_link_ip *third = NULL;
		assert_non_null(parsed);
		assert_int_equal(vt_link_ip_from_json(parsed, &third, err, sizeof(err)), 0);
		assert_int_equal(vt_link_ip_to_json(third, &again), 0);
		assert_string_equal(json_object_to_json_string_ext(again, JSON_C_TO_STRING_PLAIN), text);
		/* what it looks like: addresses as text, the default route without "dst" */
		assert_non_null(strstr(text, "\"local\":\"10.1.0.2\",\"prefixlen\":24"));
		assert_non_null(strstr(text, "\"broadcast\":\"10.1.0.255\""));
		assert_non_null(strstr(text, "\"peer\":\"10.3.0.2\""));
		assert_non_null(strstr(text, "{\"family\":\"inet\",\"dst_len\":0,\"gateway\":\"10.1.0.1\""));
		assert_non_null(strstr(text, "\"metrics\":{\"2\":1400,\"8\":1360}"));
		vt_link_ip_free(third);
		json_object_put(parsed);
	}
	json_object_put(again);
	json_object_put(o);
	vt_link_ip_free(back);
	vt_link_ip_free(ip);
}

/* Every file of the corpus: accepted, or refused with a reason that names the problem. */
static void test_json_corpus(void **state)
{
	static const struct {
		const char *file;
		const char *needle; /* NULL: accepted */
	} cases[] = {
		{ "real_pod_veth.json", NULL },
		{ "empty_state.json", NULL },
		{ "minimal_v6.json", NULL },
		{ "max_addresses.json", NULL },
		{ "not_object.json", "not an object" },
		{ "missing_routes.json", "\"routes\"" },
		{ "unknown_top_key.json", "unknown key \"extra\"" },
		{ "unknown_addr_key.json", "unknown key \"colour\"" },
		{ "bad_family.json", "family" },
		{ "v6_text_in_v4.json", "not an IPv4 address" },
		{ "prefixlen_33.json", "\"prefixlen\" 33 is out of range 0..32" },
		{ "prefixlen_string.json", "not an integer" },
		{ "label_too_long.json", "1..15 bytes" },
		{ "label_nul.json", "without NUL" },
		{ "label_on_v6.json", "a label on an IPv6 address" },
		{ "lifetime_half.json", "go together" },
		{ "lifetime_preferred_longer.json", "longer than valid" },
		{ "flags_unknown.json", "\"flags\" 4096" },
		{ "negative_scope.json", "\"scope\" -1" },
		{ "huge_metric.json", "\"metric\" 4294967296" },
		{ "table_local.json", "table 255" },
		{ "table_zero.json", "table 0" },
		{ "gateway_other_family.json", "\"gateway\" is not an IPv4 address" },
		{ "dst_len_without_dst.json", "without \"dst\"" },
		{ "route_flags_dead.json", "flags other than onlink" },
		{ "pref_invalid.json", "router preference" },
		{ "pref_on_v4.json", "router preference" },
		{ "metrics_bad_key.json", "metric \"16\"" },
		{ "metrics_key_zero_padded.json", "metric \"02\"" },
		{ "metrics_not_int.json", "not an integer" },
		{ "expires_on_v4.json", "\"expires\" is for IPv6" },
		{ "type_zero.json", "type 0" },
		{ "route_not_object.json", "is not an object" },
		{ "many_addresses.json", "more than 256 addresses" },
		{ "deep.json", "not an object" }, /* json-c stops at depth 32: nothing to read */
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct blob b = corpus("link_ip_json", cases[i].file);
		char *text = calloc(1, b.len + 1), err[200] = "untouched";
		struct vt_link_ip *ip = NULL;
		json_object *o;
		int r;

		assert_non_null(text);
		memcpy(text, b.data, b.len);
		o = json_tokener_parse(text);
		r = vt_link_ip_from_json(o, &ip, err, sizeof(err));
		if (!cases[i].needle && r != 0)
			fail_msg("%s refused: %s", cases[i].file, err);
		if (cases[i].needle && (r != -EINVAL || ip || !strstr(err, cases[i].needle)))
			fail_msg("%s: %d, \"%s\", wanted \"%s\"", cases[i].file, r, err, cases[i].needle);
		vt_link_ip_free(ip);
		json_object_put(o);
		free(text);
		free(b.data);
	}
	/* NULL in, refused */
	{
		struct vt_link_ip *ip = NULL;
		char err[64];
		assert_int_equal(vt_link_ip_from_json(NULL, &ip, err, sizeof(err)), -EINVAL);
		assert_null(ip);
	}
}

/* ---- MACs, sysfs text, modes ---- */

static void test_mac_random_local(void **state)
{
	uint8_t mac[6], first[6], avoid[6] = { 0x02, 0, 0, 0, 0, 1 };
	bool differ = false;

	(void)state;
	assert_int_equal(vt_mac_random_local(NULL, first), 0);
	for (int i = 0; i < 2000; i++) {
		assert_int_equal(vt_mac_random_local(avoid, mac), 0);
		assert_false(mac[0] & 1);     /* unicast */
		assert_true(mac[0] & 2);      /* locally administered */
		assert_true(vmtap_mac_usable(mac));
		assert_memory_not_equal(mac, avoid, 6);
		if (memcmp(mac, first, 6))
			differ = true;
	}
	assert_true(differ);
}

static void test_macvtap_sysfs_text(void **state)
{
	unsigned int maj = 99, min = 99;
	int ifindex = 99;

	(void)state;
	assert_int_equal(vt_macvtap_parse_dev("246:1\n", 6, &maj, &min), 0);
	assert_int_equal(maj, 246);
	assert_int_equal(min, 1);
	assert_int_equal(vt_macvtap_parse_dev("4095:1048575", 12, &maj, &min), 0);
	assert_int_equal(min, 1048575);
	maj = min = 99;
	static const char *const bad_dev[] = { "", "\n", "246", "246:", ":1", "246:1:2", " 246:1", "246 :1", "246:01",
					       "4096:1", "1:1048576", "246:1\n\n", "+246:1", "246:1x", "99999999999:1" };
	for (size_t i = 0; i < sizeof(bad_dev) / sizeof(bad_dev[0]); i++) {
		if (vt_macvtap_parse_dev(bad_dev[i], strlen(bad_dev[i]), &maj, &min) != -EBADMSG)
			fail_msg("\"%s\" parsed", bad_dev[i]);
		assert_int_equal(maj, 99);
	}
	/* only the given length is read */
	assert_int_equal(vt_macvtap_parse_dev("246:12", 5, &maj, &min), 0);
	assert_int_equal(min, 1);

	assert_int_equal(vt_macvtap_parse_ifindex("7\n", 2, &ifindex), 0);
	assert_int_equal(ifindex, 7);
	assert_int_equal(vt_macvtap_parse_ifindex("2147483647", 10, &ifindex), 0);
	assert_int_equal(ifindex, 2147483647);
	ifindex = 99;
	static const char *const bad_idx[] = { "", "\n", "0", "0\n", "07", "-3", "2147483648", "7 ", "7\n\n", "x" };
	for (size_t i = 0; i < sizeof(bad_idx) / sizeof(bad_idx[0]); i++) {
		if (vt_macvtap_parse_ifindex(bad_idx[i], strlen(bad_idx[i]), &ifindex) != -EBADMSG)
			fail_msg("\"%s\" parsed", bad_idx[i]);
		assert_int_equal(ifindex, 99);
	}
}

static void test_macvtap_modes(void **state)
{
	enum vt_macvtap_mode m;

	(void)state;
	assert_string_equal(vt_macvtap_mode_name(VT_MACVTAP_MODE_DEFAULT), "bridge");
	assert_string_equal(vt_macvtap_mode_name(VT_MACVTAP_PASSTHRU), "passthru");
	assert_null(vt_macvtap_mode_name(16)); /* source: not offered */
	assert_null(vt_macvtap_mode_name(3));
	assert_int_equal(vt_macvtap_mode_parse("vepa", &m), 0);
	assert_int_equal(m, VT_MACVTAP_VEPA);
	assert_int_equal(vt_macvtap_mode_parse("private", &m), 0);
	assert_int_equal(m, 1);
	assert_int_equal(vt_macvtap_mode_parse("source", &m), -EINVAL);
	assert_int_equal(vt_macvtap_mode_parse(NULL, &m), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_addr_real_v4),
		cmocka_unit_test(test_addr_real_v6),
		cmocka_unit_test(test_addr_built),
		cmocka_unit_test(test_route_real_v4),
		cmocka_unit_test(test_route_real_v6),
		cmocka_unit_test(test_route_malformed),
		cmocka_unit_test(test_json_round_trip),
		cmocka_unit_test(test_json_corpus),
		cmocka_unit_test(test_mac_random_local),
		cmocka_unit_test(test_macvtap_sysfs_text),
		cmocka_unit_test(test_macvtap_modes),
	};

	return cmocka_run_group_tests_name("addr", tests, NULL, NULL) ? EXIT_FAILURE : EXIT_SUCCESS;
}

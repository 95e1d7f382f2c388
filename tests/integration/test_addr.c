/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Integration tests of lib/addr.c: a veth's addresses and routes saved, flushed and restored, compared with ip(8) before and after. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "itest.h"
#include "addr.h"
#include "link.h"

#define CTX(state) (((struct itest_state *)*(state))->ctx)
#define NS "pod"

/*
 * A pod's veth as CNI plugins leave it, and more: two IPv4 addresses of one
 * subnet (the second a secondary), one with a label in another, IPv6 global
 * and link-local, default routes of both families via gateways, static
 * routes (a metric, a table of its own, a route MTU with a source, onlink, a
 * link-scope route to a Calico-style gateway, an IPv6 one with a router
 * preference).
 */
static const char *const pod_setup =
	"ip netns add " NS " && ip link add eth0 netns " NS " type veth peer name vpeer && "
	"ip -n " NS " link set lo up && ip -n " NS " link set eth0 up && ip link set vpeer up && "
	"ip -n " NS " addr add 10.1.0.2/24 brd + dev eth0 && "
	"ip -n " NS " addr add 10.1.0.3/24 dev eth0 && "
	"ip -n " NS " addr add 10.2.0.2/16 dev eth0 label eth0:x && "
	"ip -n " NS " -6 addr add 2001:db8::2/64 dev eth0 nodad && "
	"ip -n " NS " -6 addr add 2001:db8:1::2/64 dev eth0 nodad && "
	"ip -n " NS " route add default via 10.1.0.1 && "
	"ip -n " NS " route add 192.168.5.0/24 via 10.1.0.254 metric 50 && "
	"ip -n " NS " route add 169.254.1.1 dev eth0 scope link && "
	"ip -n " NS " route add 172.16.0.0/12 via 169.254.1.1 table 100 && "
	"ip -n " NS " route add 172.17.0.0/16 via 10.1.0.1 mtu 1400 src 10.1.0.2 && "
	"ip -n " NS " route add 172.19.0.0/16 via 10.9.0.5 dev eth0 onlink && "
	"ip -n " NS " -6 route add default via fe80::1 dev eth0 && "
	"ip -n " NS " -6 route add 2001:db8:5::/48 via 2001:db8::1 metric 77 pref high";

/* ip(8)'s view, normalised: no "nodad" (restore adds it to IPv6 addresses on purpose) */
#define ADDR_JSON "ip -n " NS " -j addr show dev eth0 | jq -S '[.[] | .addr_info |= map(del(.nodad))]'"
#define ROUTE4_JSON "ip -n " NS " -4 -j route show table all | jq -S ."
#define ROUTE6_JSON "ip -n " NS " -6 -j route show table all | jq -S ."

static int addr_setup(void **state)
{
	if (itest_setup(state) < 0 || itest_sh("%s", pod_setup) != 0)
		return -1;
	/* the link-local address leaves DAD's tentative state within a second or two */
	return itest_sh("for i in $(seq 50); do [ -z \"$(ip -n " NS " -6 addr show dev eth0 tentative)\" ] && "
			"exit 0; sleep 0.1; done; exit 1") == 0 ? 0 : -1;
}

static int addr_teardown(void **state)
{
	int left;

	(void)itest_sh("ip netns del " NS " 2>/dev/null; ip link del vpeer 2>/dev/null; true");
	left = itest_sh("[ -z \"$(ip netns list)\" ]");
	return itest_teardown(state) < 0 || left ? -1 : 0;
}

static struct vt_nl *pod_nl(struct vmtap_ctx *ctx)
{
	struct vt_nl *nl;

	if (vt_nl_get(ctx, NS, &nl) < 0)
		fail_msg("netlink in " NS ": %s", vmtap_ctx_error(ctx));
	return nl;
}

static int eth0(struct vmtap_ctx *ctx)
{
	struct vmtap_link_info li;

	if (vt_link_get(ctx, pod_nl(ctx), "eth0", 0, &li) < 0)
		fail_msg("eth0: %s", vmtap_ctx_error(ctx));
	return li.ifindex;
}

struct snapshot {
	char *addrs, *routes4, *routes6;
};

static struct snapshot snap(void)
{
	struct snapshot s = { itest_sh_out(ADDR_JSON), itest_sh_out(ROUTE4_JSON), itest_sh_out(ROUTE6_JSON) };

	assert_non_null(s.addrs);
	assert_non_null(s.routes4);
	assert_non_null(s.routes6);
	return s;
}

static void snap_free(struct snapshot *s)
{
	free(s->addrs);
	free(s->routes4);
	free(s->routes6);
}

static void assert_same(const struct snapshot *a, const struct snapshot *b, const char *when)
{
	if (strcmp(a->addrs, b->addrs))
		fail_msg("%s: addresses differ:\n%s\n---\n%s", when, a->addrs, b->addrs);
	if (strcmp(a->routes4, b->routes4))
		fail_msg("%s: IPv4 routes differ:\n%s\n---\n%s", when, a->routes4, b->routes4);
	if (strcmp(a->routes6, b->routes6))
		fail_msg("%s: IPv6 routes differ:\n%s\n---\n%s", when, a->routes6, b->routes6);
}

/* Nothing IP left on eth0: no address, no route through it but the kernel's multicast one. */
static void assert_stripped(void)
{
	assert_int_equal(itest_sh("[ \"$(ip -n " NS " -j addr show dev eth0 | jq '.[0].addr_info | length')\" = 0 ]"),
			 0);
	assert_int_equal(itest_sh("[ \"$(ip -n " NS " -4 -j route show table all dev eth0 | jq length)\" = 0 ]"), 0);
	assert_int_equal(itest_sh("[ \"$(ip -n " NS " -6 -j route show table all dev eth0 | "
				  "jq '[.[] | select(.type != \"multicast\")] | length')\" = 0 ]"), 0);
}

static struct vt_link_ip *save_ok(struct vmtap_ctx *ctx)
{
	struct vt_link_ip *ip = NULL;

	if (vt_link_ip_save(ctx, pod_nl(ctx), eth0(ctx), &ip) < 0)
		fail_msg("save: %s", vmtap_ctx_error(ctx));
	return ip;
}

/* What was saved: the addresses and routes set up, not the kernel's own. */
static void test_save_contents(void **state)
{
	struct vmtap_ctx *ctx = CTX(state);
	struct vt_link_ip *ip = save_ok(ctx);
	unsigned int v4 = 0, v6 = 0, secondaries = 0, link_local = 0, gateways = 0, table100 = 0;

	for (size_t i = 0; i < ip->n_addrs; i++) {
		const struct vt_ip_addr *a = &ip->addrs[i];
		if (a->family == AF_INET)
			v4++;
		else
			v6++;
		if (a->family == AF_INET && (a->flags & IFA_F_SECONDARY))
			secondaries++;
		if (a->family == AF_INET6 && a->local[0] == 0xfe)
			link_local++;
	}
	assert_int_equal(v4, 3);
	assert_int_equal(v6, 3);
	assert_int_equal(secondaries, 1);
	assert_int_equal(link_local, 1);
	/* 7 IPv4 routes but no prefix or local route; 2 IPv6 routes but no kernel one */
	assert_int_equal(ip->n_routes, 8);
	for (size_t i = 0; i < ip->n_routes; i++) {
		const struct vt_ip_route *r = &ip->routes[i];
		assert_int_not_equal(r->protocol, RTPROT_KERNEL);
		assert_int_not_equal(r->table, RT_TABLE_LOCAL);
		gateways += r->has_gateway;
		table100 += r->table == 100;
	}
	assert_int_equal(gateways, 7);
	assert_int_equal(table100, 1);
	vt_link_ip_free(ip);
}

/* Save, flush (nothing left), restore (as before, compared with ip(8)), restore again (idempotent). */
static void test_save_flush_restore(void **state)
{
	struct vmtap_ctx *ctx = CTX(state);
	struct snapshot before = snap(), after, again;
	struct vt_link_ip *ip = save_ok(ctx);
	int ifindex = eth0(ctx);

	if (vt_link_ip_flush(ctx, pod_nl(ctx), ifindex, ip) < 0)
		fail_msg("flush: %s", vmtap_ctx_error(ctx));
	assert_stripped();
	/* flushing again finds nothing to do */
	assert_int_equal(vt_link_ip_flush(ctx, pod_nl(ctx), ifindex, ip), 0);

	if (vt_link_ip_restore(ctx, pod_nl(ctx), ifindex, ip) < 0)
		fail_msg("restore: %s", vmtap_ctx_error(ctx));
	after = snap();
	assert_same(&before, &after, "after restore");
	/* IPv6 addresses are usable at once: none tentative */
	assert_int_equal(itest_sh("[ -z \"$(ip -n " NS " -6 addr show dev eth0 tentative)\" ]"), 0);

	if (vt_link_ip_restore(ctx, pod_nl(ctx), ifindex, ip) < 0)
		fail_msg("restore again: %s", vmtap_ctx_error(ctx));
	again = snap();
	assert_same(&before, &again, "after a second restore");
	snap_free(&before);
	snap_free(&after);
	snap_free(&again);
	vt_link_ip_free(ip);
}

/* As gc does it: the state from its JSON record (text on disk), after the veth got a new MAC meanwhile. */
static void test_restore_from_json(void **state)
{
	struct vmtap_ctx *ctx = CTX(state);
	struct snapshot before = snap(), after;
	struct vt_link_ip *ip = save_ok(ctx), *back = NULL;
	json_object *o = NULL, *parsed;
	char err[200], *text;
	int ifindex = eth0(ctx);

	assert_int_equal(vt_link_ip_to_json(ip, &o), 0);
	text = strdup(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY));
	json_object_put(o);
	assert_int_equal(vt_link_ip_flush(ctx, pod_nl(ctx), ifindex, ip), 0);
	vt_link_ip_free(ip);
	assert_stripped();

	/* the macvtap model: the parent's MAC changes while the guest holds the old one, and comes back */
	assert_int_equal(itest_sh("m=$(ip -n " NS " -j link show eth0 | jq -r .[0].address) && "
				  "ip -n " NS " link set eth0 address 02:11:22:33:44:55 && "
				  "ip -n " NS " link set eth0 address $m"), 0);
	parsed = json_tokener_parse(text);
	assert_non_null(parsed);
	if (vt_link_ip_from_json(parsed, &back, err, sizeof(err)) < 0)
		fail_msg("from JSON: %s\n%s", err, text);
	if (vt_link_ip_restore(ctx, pod_nl(ctx), ifindex, back) < 0)
		fail_msg("restore: %s", vmtap_ctx_error(ctx));
	after = snap();
	assert_same(&before, &after, "after restore from JSON");
	json_object_put(parsed);
	vt_link_ip_free(back);
	free(text);
	snap_free(&before);
	snap_free(&after);
}

/* A route vmtap could not put back as it was: save refuses, nothing touched. */
static void test_save_refuses_multipath(void **state)
{
	struct vmtap_ctx *ctx = CTX(state);
	struct vt_link_ip *ip = NULL;

	assert_int_equal(itest_sh("ip -n " NS " route add 172.18.0.0/16 nexthop via 10.1.0.1 dev eth0 "
				  "nexthop via 10.1.0.9 dev eth0"), 0);
	assert_int_equal(vt_link_ip_save(ctx, pod_nl(ctx), eth0(ctx), &ip), -EOPNOTSUPP);
	assert_null(ip);
	assert_non_null(strstr(vmtap_ctx_error(ctx), "172.18.0.0/16"));
	assert_non_null(strstr(vmtap_ctx_error(ctx), "multipath"));
	assert_int_equal(itest_sh("ip -n " NS " route del 172.18.0.0/16"), 0);
	/* a multipath route through another link only is none of eth0's business */
	assert_int_equal(itest_sh("ip -n " NS " link add eth1 type veth peer name eth1p && ip -n " NS " link set eth1 up && "
				  "ip -n " NS " link set eth1p up && ip -n " NS " addr add 10.7.0.1/24 dev eth1 && "
				  "ip -n " NS " route add 172.18.0.0/16 nexthop via 10.7.0.2 dev eth1 "
				  "nexthop via 10.7.0.3 dev eth1"), 0);
	ip = save_ok(ctx);
	vt_link_ip_free(ip);
}

/* A restore that meets a failure goes on with the rest and reports the first. */
static void test_restore_partial_failure(void **state)
{
	struct vmtap_ctx *ctx = CTX(state);
	static const char *const bad =
		"{\"addresses\":[{\"family\":\"inet\",\"local\":\"10.5.0.2\",\"prefixlen\":24}],"
		"\"routes\":[{\"family\":\"inet\",\"dst\":\"172.30.0.0\",\"dst_len\":16,\"gateway\":\"10.99.0.1\","
		"\"table\":254,\"protocol\":4,\"scope\":0,\"type\":1},"
		"{\"family\":\"inet\",\"dst\":\"172.31.0.0\",\"dst_len\":16,\"gateway\":\"10.5.0.1\","
		"\"table\":254,\"protocol\":4,\"scope\":0,\"type\":1}]}";
	json_object *o = json_tokener_parse(bad);
	struct vt_link_ip *ip = NULL;
	char err[200];

	assert_int_equal(vt_link_ip_from_json(o, &ip, err, sizeof(err)), 0);
	assert_int_equal(vt_link_ip_restore(ctx, pod_nl(ctx), eth0(ctx), ip), -ENETUNREACH);
	assert_string_equal(vmtap_ctx_error_step(ctx), "restore addresses");
	assert_non_null(strstr(vmtap_ctx_error(ctx), "172.30.0.0/16 via 10.99.0.1"));
	/* the rest went back */
	assert_int_equal(itest_sh("ip -n " NS " -4 addr show dev eth0 | grep -q 10.5.0.2/24"), 0);
	assert_int_equal(itest_sh("ip -n " NS " route show 172.31.0.0/16 | grep -q 'via 10.5.0.1'"), 0);
	vt_link_ip_free(ip);
	json_object_put(o);
}

/* Each step failing, with the step named; a failed save leaves nothing allocated. */
static void test_faults(void **state)
{
	static const char *const steps[] = { "save addresses", "flush addresses", "restore addresses" };
	struct vmtap_ctx *ctx = CTX(state);
	struct vt_link_ip *ip = save_ok(ctx);
	struct snapshot before = snap(), after;

	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		struct vmtap_ctx *f;
		struct vt_nl *nl;
		struct vt_link_ip *got = NULL;
		int r;
		setenv("VMTAP_TEST_FAULT", steps[i], 1);
		assert_int_equal(vmtap_ctx_new(&f), 0);
		unsetenv("VMTAP_TEST_FAULT");
		assert_int_equal(vt_nl_get(f, NS, &nl), 0);
		r = i == 0 ? vt_link_ip_save(f, nl, eth0(ctx), &got) :
		    i == 1 ? vt_link_ip_flush(f, nl, eth0(ctx), ip) : vt_link_ip_restore(f, nl, eth0(ctx), ip);
		assert_int_equal(r, -EIO);
		assert_string_equal(vmtap_ctx_error_step(f), steps[i]);
		assert_null(got);
		vmtap_ctx_free(f);
	}
	/* a flush that failed at its first address touched nothing; restore failing at every address changed nothing */
	after = snap();
	assert_same(&before, &after, "after failed steps");
	assert_int_equal(vt_link_ip_save(ctx, pod_nl(ctx), 0, &ip), -EINVAL);
	vt_link_ip_free(ip);
	snap_free(&before);
	snap_free(&after);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_save_contents, addr_setup, addr_teardown),
		cmocka_unit_test_setup_teardown(test_save_flush_restore, addr_setup, addr_teardown),
		cmocka_unit_test_setup_teardown(test_restore_from_json, addr_setup, addr_teardown),
		cmocka_unit_test_setup_teardown(test_save_refuses_multipath, addr_setup, addr_teardown),
		cmocka_unit_test_setup_teardown(test_restore_partial_failure, addr_setup, addr_teardown),
		cmocka_unit_test_setup_teardown(test_faults, addr_setup, addr_teardown),
	};

	itest_enter_private_namespace();
	return cmocka_run_group_tests_name("addr", tests, NULL, NULL);
}

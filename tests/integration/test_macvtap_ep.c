/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Integration tests of macvtap endpoints: Kata's macvtap model on a pod's veth, its parent given back exactly, checked with ip. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "itest.h"

#define CTX(state) (((struct itest_state *)*(state))->ctx)
#define STATE_DIR "/run/vmtap-it-macvtap-ep"
#define POD "itmvpod"
#define PEER "itmvpeer"
#define ETH0_MAC "0a:58:0a:59:00:02"

/* Everything of the pod's eth0 a macvtap endpoint takes and must give back: MAC, flags, addresses, routes. */
static char *pod_snapshot(void)
{
	return itest_sh_out("ip -n " POD " -j -d link show eth0 | jq -c '.[0] | {mtu, address, flags, ifalias, promiscuity, "
			    "allmulti, master, group, txqlen}'; "
			    "ip -n " POD " -j addr show dev eth0 | jq -c '[.[0].addr_info[] | \"\\(.local)/\\(.prefixlen) \\(.scope)\"]'; "
			    "ip -n " POD " -j route show table all dev eth0 | jq -c 'map(select(.table != \"local\")) | sort_by(.dst)'; "
			    "ip -n " POD " -6 -j route show table all dev eth0 | jq -c 'map(select(.table != \"local\")) | sort_by(.dst)'");
}

static char *snap_before;

static int setup(void **state)
{
	int r = itest_setup(state);

	if (r == 0)
		r = vmtap_ctx_set_state_dir(CTX(state), STATE_DIR);
	/* a pod as a CNI plugin leaves it: eth0 with IPv4 and IPv6 addresses and a default route */
	if (r == 0 && itest_sh("ip netns add " POD " && ip netns add " PEER " && "
			       "ip -n " POD " link add eth0 mtu 1450 type veth peer name peer0 netns " PEER " && "
			       "ip -n " POD " link set eth0 address " ETH0_MAC " up && ip -n " POD " link set lo up && "
			       "ip -n " POD " addr add 10.89.0.2/24 dev eth0 && "
			       "ip -n " POD " addr add fd89::2/64 dev eth0 nodad && "
			       "ip -n " PEER " link set peer0 up && ip -n " PEER " addr add 10.89.0.1/24 dev peer0 && "
			       "ip -n " POD " route add default via 10.89.0.1 && "
			       "ip -n " POD " route add 10.77.0.0/16 via 10.89.0.1 metric 7") != 0)
		r = -1;
	snap_before = pod_snapshot();
	return r;
}

static int tagged_count(void)
{
	char *out = itest_sh_out("ip -n " POD " -o link show | grep -c 'alias vmtap:' || true");
	int n = out ? atoi(out) : -1;
	free(out);
	return n;
}

/* After each test: no record, no macvtap, the pod's eth0 exactly as before, then the namespaces go. */
static int teardown(void **state)
{
	char *left = itest_sh_out("ls -A " STATE_DIR " 2>/dev/null | grep -vx .state-id");
	char *snap = pod_snapshot();
	bool clean = (!left || !left[0]) && tagged_count() == 0 && snap && snap_before && !strcmp(snap, snap_before);

	if (!clean)
		fprintf(stderr, "LEAK: state directory holds:\n%s\n%d tagged devices in " POD "\neth0 before:\n%s\nafter:\n%s",
			left ? left : "", tagged_count(), snap_before ? snap_before : "", snap ? snap : "");
	(void)!system("rm -rf " STATE_DIR "; ip netns del " POD "; ip netns del " PEER);
	free(left);
	free(snap);
	free(snap_before);
	snap_before = NULL;
	return itest_teardown(state) == 0 && clean ? 0 : -1;
}

static bool file_exists(const char *name)
{
	char path[256];
	struct stat st;
	snprintf(path, sizeof(path), STATE_DIR "/%s", name);
	return lstat(path, &st) == 0;
}

static void assert_sh(const char *fmt, const char *arg, const char *want)
{
	char *got = itest_sh_out(fmt, arg);
	size_t n;

	assert_non_null(got);
	n = strlen(got);
	while (n && got[n - 1] == '\n')
		got[--n] = '\0';
	if (strcmp(got, want))
		fail_msg("`%s` (%s) says\n'%s'\nwanted\n'%s'", fmt, arg, got, want);
	free(got);
}

static void assert_pod_as_before(const char *when)
{
	char *snap = pod_snapshot();

	if (!snap || strcmp(snap, snap_before))
		fail_msg("%s: eth0 changed:\n%s\nwas\n%s", when, snap ? snap : "", snap_before);
	free(snap);
}

#define LINK_JQ "ip -n " POD " -j -d link show %s | jq -r '.[0] | \"\\(.address) \\(.linkinfo.info_kind) " \
		"\\(.linkinfo.info_data.mode) \\(.ifalias | sub(\"@.*\"; \"\")) \\(.operstate)\"'"
#define ADDRS_JQ "ip -n " POD " -j addr show dev %s | jq -c '[.[0].addr_info[] | select(.scope == \"global\") | .local]'"

/* vmtap_link_get() describes a macvtap as ip does: its parent (eth0) and its mode */
static void assert_link_macvtap(struct vmtap_ctx *ctx, const char *name, enum vmtap_macvtap_mode mode)
{
	struct vmtap_link_info li = { .sz = sizeof(li) }, eth0 = { .sz = sizeof(eth0) };

	assert_int_equal(vmtap_link_get(ctx, POD, "eth0", &eth0), 0);
	assert_false(eth0.is_macvtap);
	assert_int_equal(vmtap_link_get(ctx, POD, name, &li), 0);
	assert_true(li.is_macvtap);
	assert_false(li.is_tun);
	assert_int_equal(li.link_ifindex, eth0.ifindex);
	assert_true(li.has_macvtap_mode);
	assert_int_equal(li.macvtap_mode, mode);
}

static void test_create_open_destroy(void **state)
{
	struct vmtap_ctx *ctx = CTX(state);
	VMTAP_OPTS(vmtap_endpoint_spec, spec, .queues = 4, .netns = POD, .connection = VMTAP_CONNECT_MACVTAP,
		   .device = "eth0", .label = "test: macvtap");
	struct vmtap_endpoint *ep = NULL;
	struct vmtap_tap *tap = NULL;
	uint8_t mac[6];
	char *mv, *eth0_mac;
	int fds_before;

	assert_int_equal(vmtap_endpoint_create(ctx, "mv-a", &spec, &ep), 0);
	assert_int_equal(vmtap_endpoint_connection(ep), VMTAP_CONNECT_MACVTAP);
	assert_string_equal(vmtap_endpoint_device(ep), "eth0");
	assert_int_equal(vmtap_endpoint_macvtap_mode(ep), VMTAP_MACVTAP_BRIDGE);
	/* Kata's model: the guest is eth0 on the wire, with its MAC and MTU */
	vmtap_endpoint_guest_mac(ep, mac);
	assert_memory_equal(mac, ((uint8_t[]){ 0x0a, 0x58, 0x0a, 0x59, 0x00, 0x02 }), 6);
	assert_int_equal(vmtap_endpoint_mtu(ep), 1450);
	assert_non_null(strstr(vmtap_endpoint_json(ep), "\"parent_mac\":\"" ETH0_MAC "\""));
	mv = strdup(vmtap_endpoint_ifname(ep));
	vmtap_endpoint_free(ep);
	assert_sh(LINK_JQ, mv, ETH0_MAC " macvtap bridge vmtap:mv-a UP");
	assert_link_macvtap(ctx, mv, VMTAP_MACVTAP_BRIDGE);
	assert_sh("ip -n " POD " -j link show %s | jq -r '.[0].mtu'", mv, "1450");
	/* eth0 gave up its MAC (for a random locally administered one) and its addresses */
	eth0_mac = itest_sh_out("ip -n " POD " -j link show eth0 | jq -r '.[0].address'");
	assert_non_null(eth0_mac);
	assert_true(strncmp(eth0_mac, ETH0_MAC, 17) != 0);
	assert_true(strtoul(eth0_mac, NULL, 16) & 0x02);
	assert_false(strtoul(eth0_mac, NULL, 16) & 0x01);
	free(eth0_mac);
	assert_sh(ADDRS_JQ, "eth0", "[]");
	assert_sh("ip -n " POD " route show default", NULL, "");

	/* the queues, opened without /dev/tapN: 4 fds (the context's netlink socket is open since create) */
	fds_before = itest_fd_count();
	assert_int_equal(vmtap_endpoint_open(ctx, "mv-a", &tap), 0);
	assert_int_equal(vmtap_tap_queues(tap), 4);
	assert_true(vmtap_tap_vnet_hdr(tap));
	for (unsigned int q = 0; q < 4; q++)
		assert_true(vmtap_tap_fd(tap, q) >= 0);
	assert_int_equal(itest_fd_count(), fds_before + 4);
	/* each queue is a file of the device number vmtap_link_chardev() reads; nothing else is */
	{
		dev_t dev = 0, untouched = 7;
		struct stat st;

		assert_int_equal(vmtap_link_chardev(ctx, POD, mv, &dev), 0);
		for (unsigned int q = 0; q < 4; q++) {
			assert_int_equal(fstat(vmtap_tap_fd(tap, q), &st), 0);
			assert_true(S_ISCHR(st.st_mode) && st.st_rdev == dev);
		}
		assert_int_equal(vmtap_link_chardev(ctx, POD, "eth0", &untouched), -EMEDIUMTYPE);
		assert_non_null(strstr(vmtap_ctx_error(ctx), "eth0 is not a macvtap device but a veth"));
		assert_int_equal(vmtap_link_chardev(ctx, POD, "nosuch0", &untouched), -ENODEV);
		assert_int_equal(vmtap_link_chardev(ctx, POD, mv, NULL), -EINVAL);
		assert_int_equal(itest_fd_count(), fds_before + 4);
		/* (the context keeps a netlink socket for the caller's namespace from here on) */
		assert_int_equal(vmtap_link_chardev(ctx, NULL, mv, &untouched), -ENODEV);
		assert_int_equal(untouched, 7);
		fds_before++;
	}
	/* a macvtap has no persistence to set: it lives until deleted */
	assert_int_equal(vmtap_tap_set_persist(ctx, tap, VMTAP_PERSIST_ON), -EOPNOTSUPP);
	assert_int_equal(vmtap_tap_set_queue(ctx, tap, 3, VMTAP_QUEUE_DETACHED), 0);
	assert_int_equal(vmtap_tap_set_queue(ctx, tap, 3, VMTAP_QUEUE_ATTACHED), 0);
	/* closing the queues leaves the device */
	assert_int_equal(vmtap_tap_destroy(ctx, tap), 0);
	assert_int_equal(itest_fd_count(), fds_before);
	assert_sh(LINK_JQ, mv, ETH0_MAC " macvtap bridge vmtap:mv-a UP");

	assert_int_equal(vmtap_endpoint_destroy(ctx, "mv-a"), 0);
	assert_int_equal(itest_sh("ip -n " POD " link show %s 2>/dev/null", mv) == 0, 0);
	assert_false(file_exists("mv-a.json"));
	assert_pod_as_before("after destroy");
	free(mv);
}

/* eth0 as it was, but for the promiscuity the kernel gives a macvtap's parent */
static void assert_parent_kept(void)
{
	assert_sh("ip -n " POD " -j link show %s | jq -r '.[0].address'", "eth0", ETH0_MAC);
	assert_sh(ADDRS_JQ, "eth0", "[\"10.89.0.2\",\"fd89::2\"]");
	assert_sh("ip -n " POD " route show %s", "default", "default via 10.89.0.1 dev eth0 ");
}

/* The modes, a kept parent, a guest MAC of the caller's, a name of the caller's, the MTU. */
static void test_modes_and_keep(void **state)
{
	struct vmtap_ctx *ctx = CTX(state);
	static const struct {
		enum vmtap_macvtap_mode mode;
		const char *name;
	} modes[] = { { VMTAP_MACVTAP_VEPA, "vepa" }, { VMTAP_MACVTAP_PRIVATE, "private" } };

	for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		VMTAP_OPTS(vmtap_endpoint_spec, spec, .netns = POD, .connection = VMTAP_CONNECT_MACVTAP, .device = "eth0",
			   .macvtap_mode = modes[i].mode, .ifname = "mvm");
		char want[128];

		assert_int_equal(vmtap_endpoint_create(ctx, "mode", &spec, NULL), 0);
		snprintf(want, sizeof(want), ETH0_MAC " macvtap %s vmtap:mode UP", modes[i].name);
		assert_sh(LINK_JQ, "mvm", want);
		assert_link_macvtap(ctx, "mvm", modes[i].mode);
		assert_int_equal(vmtap_endpoint_destroy(ctx, "mode"), 0);
		assert_pod_as_before(modes[i].name);
	}
	/* passthru: the macvtap shares eth0's MAC, which stays; the addresses go */
	{
		VMTAP_OPTS(vmtap_endpoint_spec, spec, .netns = POD, .connection = VMTAP_CONNECT_MACVTAP, .device = "eth0",
			   .macvtap_mode = VMTAP_MACVTAP_PASSTHRU, .ifname = "mvp");
		assert_int_equal(vmtap_endpoint_create(ctx, "pt", &spec, NULL), 0);
		assert_sh(LINK_JQ, "mvp", ETH0_MAC " macvtap passthru vmtap:pt UP");
		assert_link_macvtap(ctx, "mvp", VMTAP_MACVTAP_PASSTHRU);
		assert_sh("ip -n " POD " -j link show %s | jq -r '.[0].address'", "eth0", ETH0_MAC);
		assert_sh(ADDRS_JQ, "eth0", "[]");
		assert_int_equal(vmtap_endpoint_destroy(ctx, "pt"), 0);
		assert_pod_as_before("passthru");
	}
	/* keep the parent: eth0 untouched while connected, the guest has the id's MAC */
	{
		VMTAP_OPTS(vmtap_endpoint_spec, spec, .netns = POD, .connection = VMTAP_CONNECT_MACVTAP, .device = "eth0",
			   .flags = VMTAP_EP_KEEP_PARENT, .ifname = "mvk%d", .mtu = 1400);
		struct vmtap_endpoint *ep;
		uint8_t mac[6], want_mac[6];

		assert_int_equal(vmtap_endpoint_create(ctx, "keep", &spec, &ep), 0);
		assert_string_equal(vmtap_endpoint_ifname(ep), "mvk0");
		vmtap_endpoint_guest_mac(ep, mac);
		vmtap_endpoint_default_mac("keep", want_mac);
		assert_memory_equal(mac, want_mac, 6);
		assert_null(strstr(vmtap_endpoint_json(ep), "parent_mac"));
		assert_null(strstr(vmtap_endpoint_json(ep), "parent_ip"));
		vmtap_endpoint_free(ep);
		assert_parent_kept();
		assert_sh("ip -n " POD " -j link show %s | jq -r '.[0].mtu'", "mvk0", "1400");
		/* one queue, single-queue flags */
		{
			struct vmtap_tap *tap = NULL;
			assert_int_equal(vmtap_endpoint_open(ctx, "keep", &tap), 0);
			assert_int_equal(vmtap_tap_queues(tap), 1);
			assert_true(vmtap_tap_fd(tap, 0) >= 0);
			assert_int_equal(vmtap_tap_set_queue(ctx, tap, 0, VMTAP_QUEUE_DETACHED), -EOPNOTSUPP);
			vmtap_tap_free(tap);
		}
		assert_int_equal(vmtap_endpoint_destroy(ctx, "keep"), 0);
	}
	/* a guest MAC of the caller's keeps the parent too */
	{
		VMTAP_OPTS(vmtap_endpoint_spec, spec, .netns = POD, .connection = VMTAP_CONNECT_MACVTAP, .device = "eth0",
			   .set_guest_mac = true, .guest_mac = { 0x52, 0x54, 0, 1, 2, 3 }, .ifname = "mvg");
		assert_int_equal(vmtap_endpoint_create(ctx, "gmac", &spec, NULL), 0);
		assert_parent_kept();
		assert_sh(LINK_JQ, "mvg", "52:54:00:01:02:03 macvtap bridge vmtap:gmac UP");
		assert_int_equal(vmtap_endpoint_destroy(ctx, "gmac"), 0);
	}
}

static void test_bad_input(void **state)
{
	struct vmtap_ctx *ctx = CTX(state);
	static const struct {
		const char *device;
		enum vmtap_macvtap_mode mode;
		uint32_t flags;
		bool guest_mac;
		int err;
		const char *says;
	} cases[] = {
		{ "nosuch0", 0, 0, false, -ENODEV, "no device nosuch0 in namespace " POD },
		{ "peer0", 0, 0, false, -ENODEV, "no device peer0" },
		{ "lo", 0, 0, false, -EMEDIUMTYPE, "loopback" },
		{ "tap9", 0, 0, false, -EMEDIUMTYPE, "TUN/TAP" },
		{ "eth0", VMTAP_MACVTAP_PASSTHRU, 0, true, -EINVAL, "passthru macvtap always has its parent's MAC" },
		{ "eth0", 0, VMTAP_EP_SET_OWNER, false, -EINVAL, "no owner or group" },
		{ "eth0", 0, VMTAP_EP_KERNEL_QDISC, false, -EINVAL, "KERNEL_QDISC is for TAP devices" },
		{ "eth0", (enum vmtap_macvtap_mode)9, 0, false, -EINVAL, "unknown macvtap mode" },
		{ NULL, 0, 0, false, -EINVAL, "needs a device" },
	};

	assert_int_equal(itest_sh("ip -n " POD " tuntap add tap9 mode tap"), 0);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		VMTAP_OPTS(vmtap_endpoint_spec, spec, .netns = POD, .connection = VMTAP_CONNECT_MACVTAP,
			   .device = cases[i].device, .macvtap_mode = cases[i].mode, .flags = cases[i].flags,
			   .set_guest_mac = cases[i].guest_mac, .guest_mac = { 0x52, 0x54, 0, 9, 9, 9 });
		int r = vmtap_endpoint_create(ctx, "bad", &spec, NULL);

		if (r != cases[i].err || !strstr(vmtap_ctx_error(ctx), cases[i].says))
			fail_msg("case %zu: %d (wanted %d): %s", i, r, cases[i].err, vmtap_ctx_error(ctx));
		assert_false(file_exists("bad.json"));
		assert_int_equal(tagged_count(), 0);
		assert_pod_as_before(cases[i].says);
	}
	/* a macvtap on vmtap's own macvtap, or on a TAP of an endpoint: refused */
	{
		VMTAP_OPTS(vmtap_endpoint_spec, first, .netns = POD, .connection = VMTAP_CONNECT_MACVTAP, .device = "eth0",
			   .ifname = "mv1");
		VMTAP_OPTS(vmtap_endpoint_spec, spec, .netns = POD, .connection = VMTAP_CONNECT_MACVTAP, .device = "mv1");
		assert_int_equal(vmtap_endpoint_create(ctx, "first", &first, NULL), 0);
		assert_int_equal(vmtap_endpoint_create(ctx, "bad", &spec, NULL), -EMEDIUMTYPE);
		assert_non_null(strstr(vmtap_ctx_error(ctx), "endpoint first's own device"));
		assert_false(file_exists("bad.json"));
		/* eth0's MAC is the guest's now: a second macvtap endpoint on it without one of its own is refused */
		assert_int_equal(vmtap_endpoint_destroy(ctx, "first"), 0);
	}
	assert_int_equal(itest_sh("ip -n " POD " link del tap9"), 0);
}

#ifdef VMTAP_FAULT_INJECTION
/* Every step of a create fails in turn: the caller is told which, and eth0 is as it was, nothing left. */
static void test_fault_each_step(void **state)
{
	static const char *const steps[] = { "record creating", "take parent MAC", "flush parent addresses",
					     "create macvtap", "configure macvtap", "record ready" };

	(void)state;
	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		VMTAP_OPTS(vmtap_endpoint_spec, spec, .queues = 2, .netns = POD, .connection = VMTAP_CONNECT_MACVTAP,
			   .device = "eth0");
		struct vmtap_ctx *fctx = itest_fault_ctx(STATE_DIR, steps[i]);
		int r = vmtap_endpoint_create(fctx, "faulty", &spec, NULL);

		if (r != -EIO || strcmp(vmtap_ctx_error_step(fctx), steps[i]))
			fail_msg("fault at '%s': %d, step '%s': %s", steps[i], r, vmtap_ctx_error_step(fctx),
				 vmtap_ctx_error(fctx));
		vmtap_ctx_free(fctx);
		assert_int_equal(tagged_count(), 0);
		assert_false(file_exists("faulty.json"));
		assert_false(file_exists("faulty.lock"));
		assert_pod_as_before(steps[i]);
	}
}

/*
 * The ready record cannot be written and the undo cannot delete the
 * macvtap: the record stays "creating", with eth0's MAC and addresses in
 * it, and gc deletes the macvtap and gives eth0 everything back.
 */
static void test_fault_then_failing_undo(void **state)
{
	struct vmtap_ctx *ctx = CTX(state);
	VMTAP_OPTS(vmtap_endpoint_spec, spec, .netns = POD, .connection = VMTAP_CONNECT_MACVTAP, .device = "eth0",
		   .ifname = "mvu");
	struct vmtap_ctx *fctx = itest_fault_ctx(STATE_DIR, "record ready,delete device");

	assert_int_equal(vmtap_endpoint_create(fctx, "undo", &spec, NULL), -EIO);
	assert_string_equal(vmtap_ctx_error_step(fctx), "record ready");
	vmtap_ctx_free(fctx);
	{
		char *record = itest_sh_out("cat " STATE_DIR "/undo.json");
		assert_non_null(strstr(record, "\"state\":\"creating\""));
		assert_non_null(strstr(record, "\"parent_mac\":\"" ETH0_MAC "\""));
		assert_non_null(strstr(record, "10.89.0.2"));
		free(record);
	}
	assert_int_equal(tagged_count(), 1);
	assert_sh(ADDRS_JQ, "eth0", "[]");
	assert_int_equal(vmtap_gc(ctx, 0, NULL, NULL), 1);
	assert_int_equal(tagged_count(), 0);
	assert_false(file_exists("undo.json"));
	assert_pod_as_before("after gc");
}

/* destroy fails after the macvtap is gone: eth0 is not yet back; a second destroy finishes. */
static void test_destroy_fault(void **state)
{
	struct vmtap_ctx *ctx = CTX(state);
	VMTAP_OPTS(vmtap_endpoint_spec, spec, .netns = POD, .connection = VMTAP_CONNECT_MACVTAP, .device = "eth0");
	struct vmtap_ctx *fctx;

	assert_int_equal(vmtap_endpoint_create(ctx, "dfault", &spec, NULL), 0);
	fctx = itest_fault_ctx(STATE_DIR, "restore parent addresses");
	assert_int_equal(vmtap_endpoint_destroy(fctx, "dfault"), -EIO);
	assert_string_equal(vmtap_ctx_error_step(fctx), "restore parent addresses");
	vmtap_ctx_free(fctx);
	assert_int_equal(tagged_count(), 0);
	assert_sh(ADDRS_JQ, "eth0", "[]");
	assert_int_equal(vmtap_endpoint_destroy(ctx, "dfault"), 0);
	assert_false(file_exists("dfault.json"));
}
#endif

/*
 * The macvtap was deleted behind vmtap's back: gc removes the record and
 * gives eth0 its MAC and addresses back.  A lost record's macvtap is an
 * orphan: gc deletes it (eth0 cannot be given back without the record).
 */
static void test_gc(void **state)
{
	struct vmtap_ctx *ctx = CTX(state);
	VMTAP_OPTS(vmtap_endpoint_spec, spec, .netns = POD, .connection = VMTAP_CONNECT_MACVTAP, .device = "eth0",
		   .ifname = "mvg");
	VMTAP_OPTS(vmtap_endpoint_spec, kept, .netns = POD, .connection = VMTAP_CONNECT_MACVTAP, .device = "eth1",
		   .flags = VMTAP_EP_KEEP_PARENT, .ifname = "mvl");
	struct itest_gc_tally t = { 0 };

	assert_int_equal(vmtap_endpoint_create(ctx, "gone", &spec, NULL), 0);
	assert_int_equal(itest_sh("ip -n " POD " link del mvg"), 0);
	assert_int_equal(vmtap_gc(ctx, VMTAP_GC_DRY_RUN, itest_gc_count, &t), 1);
	assert_sh(ADDRS_JQ, "eth0", "[]");
	memset(&t, 0, sizeof(t));
	assert_int_equal(vmtap_gc(ctx, 0, itest_gc_count, &t), 1);
	assert_int_equal(t.removed_record, 1);
	assert_int_equal(t.other, 0);
	assert_pod_as_before("gc of a record whose macvtap is gone");

	assert_int_equal(itest_sh("ip -n " POD " link add eth1 type veth peer name peer1 netns " PEER), 0);
	assert_int_equal(vmtap_endpoint_create(ctx, "lost", &kept, NULL), 0);
	/* gc looks in the namespaces its records name: one that stays names the pod's */
	kept.device = "eth0";
	kept.ifname = "mvs";
	assert_int_equal(vmtap_endpoint_create(ctx, "stays", &kept, NULL), 0);
	assert_int_equal(unlink(STATE_DIR "/lost.json"), 0);
	memset(&t, 0, sizeof(t));
	assert_int_equal(vmtap_gc(ctx, 0, itest_gc_count, &t), 1);
	assert_int_equal(t.orphan, 1);
	assert_int_equal(t.other, 0);
	assert_int_equal(tagged_count(), 1);
	assert_int_equal(vmtap_gc(ctx, 0, itest_gc_count, &t), 0);
	assert_int_equal(vmtap_endpoint_destroy(ctx, "stays"), 0);
	assert_int_equal(itest_sh("ip -n " POD " link del eth1"), 0);
}

/* One hypervisor at a time: while the recorded QEMU runs, a second open is refused. */
static void test_open_busy(void **state)
{
	struct vmtap_ctx *ctx = CTX(state);
	VMTAP_OPTS(vmtap_endpoint_spec, spec, .queues = 2, .netns = POD, .connection = VMTAP_CONNECT_MACVTAP,
		   .device = "eth0");
	struct vmtap_tap *tap = NULL;
	int pipefd[2];
	pid_t child;
	char c;

	assert_int_equal(vmtap_endpoint_create(ctx, "busy", &spec, NULL), 0);
	assert_int_equal(pipe(pipefd), 0);
	child = fork();
	if (child == 0) {
		close(pipefd[1]);
		(void)!read(pipefd[0], &c, 1);
		_exit(0);
	}
	close(pipefd[0]);
	{
		VMTAP_OPTS(vmtap_hypervisor_info, hv, .pid = child, .device_id = "net0");
		assert_int_equal(vmtap_endpoint_set_hypervisor(ctx, "busy", &hv), 0);
	}
	assert_int_equal(vmtap_endpoint_open(ctx, "busy", &tap), -EBUSY);
	assert_non_null(strstr(vmtap_ctx_error(ctx), "in use by QEMU pid"));
	close(pipefd[1]);
	while (waitpid(child, NULL, 0) < 0)
		;
	assert_int_equal(vmtap_endpoint_open(ctx, "busy", &tap), 0);
	assert_int_equal(vmtap_tap_queues(tap), 2);
	vmtap_tap_free(tap);
	assert_int_equal(vmtap_endpoint_destroy(ctx, "busy"), 0);
}

/* A create killed anywhere: after gc, either the endpoint is ready, or nothing of it is left and eth0 is as it was. */
static void test_sigkill_in_create(void **state)
{
	struct vmtap_ctx *ctx = CTX(state);
	const int tries = getenv("VMTAP_KILL_TRIES") ? atoi(getenv("VMTAP_KILL_TRIES")) / 4 + 1 : 50;
	long window_us = 0;
	int killed = 0, ready_after = 0;

	for (int i = 0; i < 3; i++) {
		VMTAP_OPTS(vmtap_endpoint_spec, spec, .netns = POD, .connection = VMTAP_CONNECT_MACVTAP, .device = "eth0");
		struct timespec a, b;
		clock_gettime(CLOCK_MONOTONIC, &a);
		assert_int_equal(vmtap_endpoint_create(ctx, "calib", &spec, NULL), 0);
		clock_gettime(CLOCK_MONOTONIC, &b);
		assert_int_equal(vmtap_endpoint_destroy(ctx, "calib"), 0);
		long us = (b.tv_sec - a.tv_sec) * 1000000 + (b.tv_nsec - a.tv_nsec) / 1000;
		if (us > window_us)
			window_us = us;
	}
	window_us = window_us * 3 + 2000; /* fork and a new context come on top: some creates must finish */
	for (int i = 0; i < tries; i++) {
		struct itest_gc_tally t = { 0 };
		uint32_t rnd = 0;
		struct timespec delay;
		struct vmtap_endpoint *ep;
		pid_t pid;
		int st;

		(void)!getrandom(&rnd, sizeof(rnd), 0);
		pid = fork();
		if (pid == 0) {
			VMTAP_OPTS(vmtap_endpoint_spec, spec, .netns = POD, .connection = VMTAP_CONNECT_MACVTAP,
				   .device = "eth0");
			struct vmtap_ctx *c;
			if (vmtap_ctx_new(&c) < 0 || vmtap_ctx_set_state_dir(c, STATE_DIR) < 0)
				_exit(2);
			_exit(vmtap_endpoint_create(c, "killme", &spec, NULL) == 0 ? 0 : 1);
		}
		delay.tv_sec = 0;
		delay.tv_nsec = (long)(rnd % (uint32_t)window_us) * 1000;
		nanosleep(&delay, NULL);
		kill(pid, SIGKILL);
		st = itest_wait_status(pid);
		if (st != 0 && st != 128 + SIGKILL)
			fail_msg("try %d: create exited %d", i, st);
		killed += st != 0;
		assert_true(vmtap_gc(ctx, 0, itest_gc_count, &t) >= 0);
		assert_int_equal(t.other, 0);
		if (vmtap_endpoint_load(ctx, "killme", &ep) == 0) {
			ready_after++;
			assert_int_equal(vmtap_endpoint_state(ep), VMTAP_EP_READY);
			vmtap_endpoint_free(ep);
			assert_int_equal(vmtap_endpoint_destroy(ctx, "killme"), 0);
		}
		assert_int_equal(tagged_count(), 0);
		{
			char when[64];
			snprintf(when, sizeof(when), "try %d, killed after %ld us", i, delay.tv_nsec / 1000);
			assert_pod_as_before(when);
		}
	}
	fprintf(stderr, "sigkill in macvtap create: %d tries over 0..%ld us, %d killed, %d ready after gc\n", tries,
		window_us, killed, ready_after);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_create_open_destroy, setup, teardown),
		cmocka_unit_test_setup_teardown(test_modes_and_keep, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_input, setup, teardown),
#ifdef VMTAP_FAULT_INJECTION
		cmocka_unit_test_setup_teardown(test_fault_each_step, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fault_then_failing_undo, setup, teardown),
		cmocka_unit_test_setup_teardown(test_destroy_fault, setup, teardown),
#endif
		cmocka_unit_test_setup_teardown(test_gc, setup, teardown),
		cmocka_unit_test_setup_teardown(test_open_busy, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sigkill_in_create, setup, teardown),
	};

	itest_enter_private_namespace();
	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Integration tests of redirect endpoints: a TAP cross-connected by tc with a pod's veth, checked with tc -j and ip. */
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
#define STATE_DIR "/run/vmtap-it-redirect"
#define POD "itpod"
#define PEER "itpeer"
#define PRIO "30317"

/* What the pod's eth0 looks like, as `ip` and `tc` print it: must be the same after every destroy. */
static char *pod_snapshot(void)
{
	return itest_sh_out("ip -n " POD " -j -d link show eth0 | jq -c '.[0] | {mtu, address, flags, ifalias, promiscuity, "
			    "allmulti, master, group, txqlen}'; "
			    "ip -n " POD " -j addr show dev eth0 | jq -c '[.[0].addr_info[] | \"\\(.local)/\\(.prefixlen)\"]'; "
			    "ip -n " POD " -j route show table all dev eth0 | jq -c 'map(select(.table != \"local\")) | sort_by(.dst)'; "
			    "tc -n " POD " qdisc show dev eth0 ingress; tc -n " POD " filter show dev eth0 ingress");
}

static char *snap_before;

static int setup(void **state)
{
	int r = itest_setup(state);

	if (r == 0)
		r = vmtap_ctx_set_state_dir(CTX(state), STATE_DIR);
	/* a pod as a CNI bridge plugin leaves it: eth0 with an address, its peer elsewhere */
	if (r == 0 && itest_sh("ip netns add " POD " && ip netns add " PEER " && "
			       "ip -n " POD " link add eth0 mtu 1450 type veth peer name peer0 netns " PEER " && "
			       "ip -n " POD " link set eth0 address 0a:58:0a:58:00:02 up && "
			       "ip -n " POD " addr add 10.88.0.2/24 dev eth0 && ip -n " POD " link set lo up && "
			       "ip -n " PEER " link set peer0 up && ip -n " PEER " addr add 10.88.0.1/24 dev peer0") != 0)
		r = -1;
	snap_before = pod_snapshot();
	return r;
}

static int tagged_count(const char *netns)
{
	char *out = itest_sh_out("ip %s%s -o link show | grep -c 'alias vmtap:' || true", netns ? "-n " : "",
				 netns ? netns : "");
	int n = out ? atoi(out) : -1;
	free(out);
	return n;
}

/* After each test: no record, no TAP, the pod's eth0 exactly as before, then the namespaces go. */
static int teardown(void **state)
{
	char *left = itest_sh_out("ls -A " STATE_DIR " 2>/dev/null | grep -vx .state-id");
	char *snap = pod_snapshot();
	bool clean = (!left || !left[0]) && tagged_count(POD) == 0 && snap && snap_before && !strcmp(snap, snap_before);

	if (!clean)
		fprintf(stderr, "LEAK: state directory holds:\n%s\n%d tagged devices in " POD "\neth0 before:\n%s\nafter:\n%s",
			left ? left : "", tagged_count(POD), snap_before ? snap_before : "", snap ? snap : "");
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

static char *sh_text(const char *fmt, const char *arg)
{
	char *s = itest_sh_out(fmt, arg);
	size_t n;

	assert_non_null(s);
	n = strlen(s);
	while (n && s[n - 1] == '\n')
		s[--n] = '\0';
	return s;
}

static void assert_sh(const char *fmt, const char *arg, const char *want)
{
	char *got = sh_text(fmt, arg);

	if (strcmp(got, want))
		fail_msg("`%s` (%s) says\n'%s'\nwanted\n'%s'", fmt, arg, got, want);
	free(got);
}

/*
 * The filters on @dev's ingress hook in the pod, from tc -j, as
 * "prio kind handle action target" lines (jq; handles are how tc prints them).
 */
#define FILTERS_JQ "tc -n " POD " -j filter show dev %s ingress | jq -r '.[] | select(.options.fh != null and " \
		   "(.options.fh | test(\"::[0-9a-f]+$\") or test(\":[0-9a-f]+:[0-9a-f]+$\"))) | " \
		   "\"\\(.pref) \\(.kind) \\(.options.fh) \\(.options.actions[0].kind // \"-\") \\(.options.actions[0].to_dev // \"-\")\"'"
#define QDISC_JQ "tc -n " POD " -j qdisc show dev %s ingress | jq -r '.[] | .kind'"

static void test_create_destroy(void **state)
{
	struct vmtap_ctx *ctx = CTX(state);
	VMTAP_OPTS(vmtap_endpoint_spec, spec, .queues = 4, .netns = POD, .connection = VMTAP_CONNECT_REDIRECT,
		   .device = "eth0", .label = "test: redirect");
	struct vmtap_endpoint *ep = NULL;
	uint8_t mac[6];
	char want[128], *tap;

	assert_int_equal(vmtap_endpoint_create(ctx, "pod-a", &spec, &ep), 0);
	assert_int_equal(vmtap_endpoint_connection(ep), VMTAP_CONNECT_REDIRECT);
	assert_string_equal(vmtap_endpoint_device(ep), "eth0");
	assert_string_equal(vmtap_endpoint_label(ep), "test: redirect");
	assert_null(vmtap_endpoint_bridge(ep));
	assert_int_equal(vmtap_endpoint_macvtap_mode(ep), -EINVAL);
	/* Kata's defaults: the guest is eth0 on the wire; the TAP takes its MTU */
	vmtap_endpoint_guest_mac(ep, mac);
	assert_memory_equal(mac, ((uint8_t[]){ 0x0a, 0x58, 0x0a, 0x58, 0x00, 0x02 }), 6);
	assert_non_null(strstr(vmtap_endpoint_json(ep), "\"type\":\"redirect\""));
	tap = strdup(vmtap_endpoint_ifname(ep));
	vmtap_endpoint_free(ep);
	assert_sh("ip -n " POD " -j link show %s | jq -r '.[0] | \"\\(.mtu) \\(.address) \\(.ifalias)\"' | cut -d@ -f1", tap,
		  "1450 fe:58:0a:58:00:02 vmtap:pod-a");

	/* both hooks, read back by tc: an ingress qdisc each, one u32 redirect each way at the default priority */
	assert_sh(QDISC_JQ, "eth0", "ingress");
	assert_sh(QDISC_JQ, tap, "ingress");
	snprintf(want, sizeof(want), PRIO " u32 800::800 mirred %s", tap);
	assert_sh(FILTERS_JQ, "eth0", want);
	assert_sh(FILTERS_JQ, tap, PRIO " u32 800::800 mirred eth0");
	/* the kernel keeps the cookie: "vmt" version 1 */
	assert_sh("tc -n " POD " -j filter show dev %s ingress | jq -r '.[].options.actions[0].cookie // empty' | cut -c1-8",
		  "eth0", "766d7401");

	assert_int_equal(vmtap_endpoint_destroy(ctx, "pod-a"), 0);
	assert_int_equal(itest_sh("ip -n " POD " link show %s 2>/dev/null", tap) == 0, 0);
	assert_false(file_exists("pod-a.json"));
	free(tap);
}

static void test_options(void **state)
{
	struct vmtap_ctx *ctx = CTX(state);
	VMTAP_OPTS(vmtap_endpoint_spec, spec, .netns = POD, .connection = VMTAP_CONNECT_REDIRECT, .device = "eth0",
		   .tc_prio = 7, .mtu = 1400, .set_guest_mac = true, .guest_mac = { 0x52, 0x54, 0, 1, 2, 3 },
		   .ifname = "vmtap-r%d");
	struct vmtap_endpoint *ep = NULL;

	assert_int_equal(vmtap_endpoint_create(ctx, "pod-b", &spec, &ep), 0);
	assert_string_equal(vmtap_endpoint_ifname(ep), "vmtap-r0");
	vmtap_endpoint_free(ep);
	assert_sh("ip -n " POD " -j link show %s | jq -r '.[0] | \"\\(.mtu) \\(.address)\"'", "vmtap-r0",
		  "1400 fe:54:00:01:02:03");
	assert_sh(FILTERS_JQ, "eth0", "7 u32 800::800 mirred vmtap-r0");
	assert_sh(FILTERS_JQ, "vmtap-r0", "7 u32 800::800 mirred eth0");
	assert_int_equal(vmtap_endpoint_destroy(ctx, "pod-b"), 0);
}

/*
 * Another agent was there first: a clsact qdisc with its own filter (as
 * Cilium or the bandwidth plugin leave).  vmtap shares the qdisc, leaves the
 * foreign filter alone, and after destroy both are as they were.
 */
static void test_coexist_clsact(void **state)
{
	struct vmtap_ctx *ctx = CTX(state);
	VMTAP_OPTS(vmtap_endpoint_spec, spec, .netns = POD, .connection = VMTAP_CONNECT_REDIRECT, .device = "eth0",
		   .ifname = "tapc");
	char *record;

	assert_int_equal(itest_sh("tc -n " POD " qdisc add dev eth0 clsact && tc -n " POD " filter add dev eth0 ingress "
				  "prio 100 protocol ip u32 match ip dst 10.9.9.9/32 classid 1:1"), 0);
	free(snap_before);
	snap_before = pod_snapshot();
	assert_int_equal(vmtap_endpoint_create(ctx, "pod-c", &spec, NULL), 0);
	assert_sh(QDISC_JQ, "eth0", "clsact");
	/* the foreign filter first (lower number), then vmtap's, in a hash table of its own */
	assert_sh(FILTERS_JQ, "eth0", "100 u32 800::800 - -\n" PRIO " u32 801::800 mirred tapc");
	record = itest_sh_out("cat " STATE_DIR "/pod-c.json");
	assert_non_null(strstr(record, "\"device_qdisc\":\"shared\""));
	free(record);
	assert_int_equal(vmtap_endpoint_destroy(ctx, "pod-c"), 0);
	/* teardown compares eth0 with the snapshot taken after the foreign objects were made */
}

/* A priority already holding someone else's filter: refused, nothing made. */
static void test_prio_taken(void **state)
{
	struct vmtap_ctx *ctx = CTX(state);
	VMTAP_OPTS(vmtap_endpoint_spec, spec, .netns = POD, .connection = VMTAP_CONNECT_REDIRECT, .device = "eth0");

	assert_int_equal(itest_sh("tc -n " POD " qdisc add dev eth0 ingress && tc -n " POD " filter add dev eth0 ingress "
				  "prio " PRIO " protocol ip u32 match ip dst 10.9.9.9/32 classid 1:1"), 0);
	free(snap_before);
	snap_before = pod_snapshot();
	assert_int_equal(vmtap_endpoint_create(ctx, "pod-d", &spec, NULL), -EEXIST);
	assert_non_null(strstr(vmtap_ctx_error(ctx), "eth0"));
	assert_int_equal(tagged_count(POD), 0);
	assert_false(file_exists("pod-d.json"));
	assert_false(file_exists("pod-d.lock"));
	/* another priority works beside it */
	spec.tc_prio = 200;
	assert_int_equal(vmtap_endpoint_create(ctx, "pod-d", &spec, NULL), 0);
	assert_int_equal(vmtap_endpoint_destroy(ctx, "pod-d"), 0);
}

/* Two endpoints on two veths of one pod, each with its own filters; destroying one leaves the other's. */
static void test_two_endpoints(void **state)
{
	struct vmtap_ctx *ctx = CTX(state);
	VMTAP_OPTS(vmtap_endpoint_spec, spec, .netns = POD, .connection = VMTAP_CONNECT_REDIRECT, .device = "eth1",
		   .ifname = "tap1");
	VMTAP_OPTS(vmtap_endpoint_spec, spec0, .netns = POD, .connection = VMTAP_CONNECT_REDIRECT, .device = "eth0",
		   .ifname = "tap0");

	assert_int_equal(itest_sh("ip -n " POD " link add eth1 type veth peer name peer1 netns " PEER), 0);
	assert_int_equal(vmtap_endpoint_create(ctx, "pod-e0", &spec0, NULL), 0);
	assert_int_equal(vmtap_endpoint_create(ctx, "pod-e1", &spec, NULL), 0);
	assert_int_equal(vmtap_endpoint_destroy(ctx, "pod-e1"), 0);
	assert_sh(FILTERS_JQ, "eth0", PRIO " u32 800::800 mirred tap0");
	assert_sh(QDISC_JQ, "eth1", "");
	assert_int_equal(vmtap_endpoint_destroy(ctx, "pod-e0"), 0);
	assert_int_equal(itest_sh("ip -n " POD " link del eth1"), 0);
}

static void test_bad_input(void **state)
{
	struct vmtap_ctx *ctx = CTX(state);
	static const struct {
		const char *device, *bridge, *netns, *ifname;
		enum vmtap_connection conn;
		uint32_t tc_prio, flags;
		int err;
		const char *says;
	} cases[] = {
		{ "nosuch0", NULL, POD, NULL, VMTAP_CONNECT_REDIRECT, 0, 0, -ENODEV, "no device nosuch0 in namespace itpod" },
		/* peer0 exists, but in another namespace */
		{ "peer0", NULL, POD, NULL, VMTAP_CONNECT_REDIRECT, 0, 0, -ENODEV, "no device peer0" },
		{ "lo", NULL, POD, NULL, VMTAP_CONNECT_REDIRECT, 0, 0, -EINVAL, "loopback" },
		{ "eth0", "br0", POD, NULL, VMTAP_CONNECT_REDIRECT, 0, 0, -EINVAL, "a bridge was given with the redirect" },
		{ "eth0", "br0", POD, NULL, VMTAP_CONNECT_BRIDGE, 0, 0, -EINVAL, "device to connect with was given with the bridge" },
		{ NULL, NULL, POD, NULL, VMTAP_CONNECT_REDIRECT, 0, 0, -EINVAL, "needs a device" },
		{ "eth0", NULL, POD, NULL, VMTAP_CONNECT_REDIRECT, 70000, 0, -EINVAL, "outside 1..65535" },
		{ "eth0", NULL, POD, NULL, VMTAP_CONNECT_NONE, 0, 0, -EINVAL, "with the none connection" },
		{ NULL, NULL, POD, NULL, VMTAP_CONNECT_NONE, 5, 0, -EINVAL, "tc priority was given" },
		{ "eth0", NULL, POD, "eth0", VMTAP_CONNECT_REDIRECT, 0, 0, -EINVAL, "cannot be named eth0" },
		{ "eth0", NULL, POD, NULL, VMTAP_CONNECT_REDIRECT, 0, VMTAP_EP_KEEP_PARENT, -EINVAL, "KEEP_PARENT" },
		{ "eth0/x", NULL, POD, NULL, VMTAP_CONNECT_REDIRECT, 0, 0, -EINVAL, "device name" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		VMTAP_OPTS(vmtap_endpoint_spec, spec, .netns = cases[i].netns, .connection = cases[i].conn,
			   .device = cases[i].device, .bridge = cases[i].bridge, .tc_prio = cases[i].tc_prio,
			   .flags = cases[i].flags, .ifname = cases[i].ifname);
		int r = vmtap_endpoint_create(ctx, "bad", &spec, NULL);

		if (r != cases[i].err || !strstr(vmtap_ctx_error(ctx), cases[i].says))
			fail_msg("case %zu: %d (wanted %d): %s", i, r, cases[i].err, vmtap_ctx_error(ctx));
		assert_false(file_exists("bad.json"));
		assert_int_equal(tagged_count(POD), 0);
	}
	/* a device that is another endpoint's TAP */
	{
		VMTAP_OPTS(vmtap_endpoint_spec, plain, .netns = POD, .ifname = "vmt-plain");
		VMTAP_OPTS(vmtap_endpoint_spec, spec, .netns = POD, .connection = VMTAP_CONNECT_REDIRECT,
			   .device = "vmt-plain");
		assert_int_equal(vmtap_endpoint_create(ctx, "plain", &plain, NULL), 0);
		assert_int_equal(vmtap_endpoint_create(ctx, "bad", &spec, NULL), -EINVAL);
		assert_non_null(strstr(vmtap_ctx_error(ctx), "endpoint plain's own device"));
		assert_int_equal(vmtap_endpoint_destroy(ctx, "plain"), 0);
	}
}

#ifdef VMTAP_FAULT_INJECTION
/* Every step of a create fails in turn: the caller is told which, and nothing is left, on either device. */
static void fault_each_step(bool clsact_before)
{
	static const char *const steps[] = { "record creating", "create device", "set link", "set persist",
					     "redirect tap", "add qdisc", "add filter", "redirect device qdisc",
					     "redirect device filter", "record ready" };

	if (clsact_before) {
		assert_int_equal(itest_sh("tc -n " POD " qdisc add dev eth0 clsact && tc -n " POD " filter add dev eth0 "
					  "ingress prio 100 protocol ip u32 match ip dst 10.9.9.9/32 classid 1:1"), 0);
		free(snap_before);
		snap_before = pod_snapshot();
	}
	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		VMTAP_OPTS(vmtap_endpoint_spec, spec, .queues = 2, .netns = POD, .connection = VMTAP_CONNECT_REDIRECT,
			   .device = "eth0");
		struct vmtap_ctx *fctx = itest_fault_ctx(STATE_DIR, steps[i]);
		int r = vmtap_endpoint_create(fctx, "faulty", &spec, NULL);
		char *snap;

		if (r != -EIO || strcmp(vmtap_ctx_error_step(fctx), steps[i]))
			fail_msg("fault at '%s': %d, step '%s': %s", steps[i], r, vmtap_ctx_error_step(fctx),
				 vmtap_ctx_error(fctx));
		vmtap_ctx_free(fctx);
		assert_int_equal(tagged_count(POD), 0);
		assert_false(file_exists("faulty.json"));
		assert_false(file_exists("faulty.lock"));
		snap = pod_snapshot();
		if (strcmp(snap, snap_before))
			fail_msg("fault at '%s': eth0 changed:\n%s\nwas\n%s", steps[i], snap, snap_before);
		free(snap);
	}
}

static void test_fault_each_step(void **state)
{
	(void)state;
	fault_each_step(false);
}

static void test_fault_each_step_clsact(void **state)
{
	(void)state;
	fault_each_step(true);
}

/*
 * The ready record cannot be written and the undo cannot remove eth0's
 * filter: the record stays "creating", the TAP and filter stay, and gc
 * finds the filter by its cookie and removes all of it, qdisc included.
 */
static void test_fault_then_failing_undo(void **state)
{
	struct vmtap_ctx *ctx = CTX(state);
	VMTAP_OPTS(vmtap_endpoint_spec, spec, .netns = POD, .connection = VMTAP_CONNECT_REDIRECT, .device = "eth0",
		   .ifname = "tapu");
	struct vmtap_ctx *fctx = itest_fault_ctx(STATE_DIR, "record ready,delete filter");

	assert_int_equal(vmtap_endpoint_create(fctx, "undo", &spec, NULL), -EIO);
	assert_string_equal(vmtap_ctx_error_step(fctx), "record ready");
	vmtap_ctx_free(fctx);
	assert_true(file_exists("undo.json"));
	{
		char *record = itest_sh_out("cat " STATE_DIR "/undo.json");
		assert_non_null(strstr(record, "\"state\":\"creating\""));
		free(record);
	}
	assert_sh(FILTERS_JQ, "eth0", PRIO " u32 800::800 mirred tapu");
	assert_int_equal(vmtap_gc(ctx, 0, NULL, NULL), 1);
	assert_int_equal(tagged_count(POD), 0);
	assert_false(file_exists("undo.json"));
}

/* destroy fails after eth0's filter is gone: a second destroy (or gc) finishes. */
static void test_destroy_fault(void **state)
{
	struct vmtap_ctx *ctx = CTX(state);
	VMTAP_OPTS(vmtap_endpoint_spec, spec, .netns = POD, .connection = VMTAP_CONNECT_REDIRECT, .device = "eth0");
	struct vmtap_ctx *fctx;

	assert_int_equal(vmtap_endpoint_create(ctx, "dfault", &spec, NULL), 0);
	fctx = itest_fault_ctx(STATE_DIR, "delete filter");
	assert_int_equal(vmtap_endpoint_destroy(fctx, "dfault"), -EIO);
	assert_string_equal(vmtap_ctx_error_step(fctx), "delete filter");
	vmtap_ctx_free(fctx);
	/* the TAP stays while the filter that points at it does */
	assert_int_equal(tagged_count(POD), 1);
	fctx = itest_fault_ctx(STATE_DIR, "delete device");
	assert_int_equal(vmtap_endpoint_destroy(fctx, "dfault"), -EIO);
	vmtap_ctx_free(fctx);
	assert_sh(QDISC_JQ, "eth0", "");
	assert_int_equal(vmtap_gc(ctx, 0, NULL, NULL), 1);
	assert_false(file_exists("dfault.json"));
}
#endif

/* The TAP was deleted behind vmtap's back: eth0's filter would drop the pod's traffic; gc removes it with the record. */
static void test_gc_tap_gone(void **state)
{
	struct vmtap_ctx *ctx = CTX(state);
	VMTAP_OPTS(vmtap_endpoint_spec, spec, .netns = POD, .connection = VMTAP_CONNECT_REDIRECT, .device = "eth0",
		   .ifname = "tapg");
	struct itest_gc_tally t = { 0 };

	assert_int_equal(vmtap_endpoint_create(ctx, "gone", &spec, NULL), 0);
	assert_int_equal(itest_sh("ip -n " POD " link del tapg"), 0);
	/* the filter is still there, its target gone */
	assert_sh(FILTERS_JQ, "eth0", PRIO " u32 800::800 mirred *");
	assert_int_equal(vmtap_gc(ctx, VMTAP_GC_DRY_RUN, itest_gc_count, &t), 1);
	assert_int_equal(t.removed_record, 1);
	assert_sh(FILTERS_JQ, "eth0", PRIO " u32 800::800 mirred *");
	memset(&t, 0, sizeof(t));
	assert_int_equal(vmtap_gc(ctx, 0, itest_gc_count, &t), 1);
	assert_int_equal(t.removed_record, 1);
	assert_int_equal(t.other, 0);
	assert_int_equal(vmtap_gc(ctx, 0, itest_gc_count, &t), 0);
}

/*
 * The record was lost: the TAP is an orphan, eth0's filter carries a
 * cookie no record has.  gc deletes both, but a filter of another state
 * directory's (same shape, another cookie) and a foreign one stay.
 */
static void test_gc_orphan_filter(void **state)
{
	struct vmtap_ctx *ctx = CTX(state);
	VMTAP_OPTS(vmtap_endpoint_spec, spec, .netns = POD, .connection = VMTAP_CONNECT_REDIRECT, .device = "eth0",
		   .ifname = "tapo");
	VMTAP_OPTS(vmtap_endpoint_spec, keep, .netns = POD, .connection = VMTAP_CONNECT_REDIRECT, .device = "eth1",
		   .ifname = "tapk");
	struct itest_gc_tally t = { 0 };
	struct vmtap_ctx *other;

	assert_int_equal(itest_sh("ip -n " POD " link add eth1 type veth peer name peer1 netns " PEER " && "
				  "ip -n " POD " link add eth2 type veth peer name peer2 netns " PEER), 0);
	/* another state directory's redirect on eth2 */
	assert_int_equal(vmtap_ctx_new(&other), 0);
	assert_int_equal(vmtap_ctx_set_state_dir(other, STATE_DIR "-other"), 0);
	{
		VMTAP_OPTS(vmtap_endpoint_spec, o, .netns = POD, .connection = VMTAP_CONNECT_REDIRECT, .device = "eth2",
			   .ifname = "tapx");
		assert_int_equal(vmtap_endpoint_create(other, "lost", &o, NULL), 0);
	}
	assert_int_equal(vmtap_endpoint_create(ctx, "lost", &spec, NULL), 0);
	assert_int_equal(vmtap_endpoint_create(ctx, "kept", &keep, NULL), 0);
	assert_int_equal(unlink(STATE_DIR "/lost.json"), 0);
	assert_int_equal(vmtap_gc(ctx, 0, itest_gc_count, &t), 3);
	assert_int_equal(t.orphan, 1);
	assert_int_equal(t.removed_filter, 1);
	assert_int_equal(t.left_alone, 1); /* tapx: another directory's */
	assert_int_equal(t.other, 0);
	/* eth0's filter went with the orphan; eth1's (a live endpoint) and eth2's (another directory) stay */
	assert_sh(FILTERS_JQ, "eth0", "");
	assert_sh(FILTERS_JQ, "eth1", PRIO " u32 800::800 mirred tapk");
	assert_sh(FILTERS_JQ, "eth2", PRIO " u32 800::800 mirred tapx");
	/* its qdisc stays: without a record, vmtap cannot tell it made it */
	assert_sh(QDISC_JQ, "eth0", "ingress");
	assert_int_equal(itest_sh("tc -n " POD " qdisc del dev eth0 ingress"), 0);
	assert_int_equal(vmtap_endpoint_destroy(ctx, "kept"), 0);
	assert_int_equal(vmtap_endpoint_destroy(other, "lost"), 0);
	vmtap_ctx_free(other);
	(void)!system("rm -rf " STATE_DIR "-other");
	assert_int_equal(itest_sh("ip -n " POD " link del eth1 && ip -n " POD " link del eth2"), 0);
}

/*
 * Ephemeral endpoints live as long as their hypervisor, or their creator
 * before one is recorded: gc destroys them after, filters and all, and
 * leaves them while it runs.
 */
static void test_gc_ephemeral(void **state)
{
	struct vmtap_ctx *ctx = CTX(state);
	VMTAP_OPTS(vmtap_endpoint_spec, spec, .netns = POD, .connection = VMTAP_CONNECT_REDIRECT, .device = "eth0",
		   .flags = VMTAP_EP_EPHEMERAL);
	struct itest_gc_tally t = { 0 };
	struct vmtap_endpoint *ep;
	pid_t child;
	int pipefd[2];
	char c;

	/* made by a process that exits without recording a hypervisor */
	child = fork();
	if (child == 0) {
		struct vmtap_ctx *c2;
		if (vmtap_ctx_new(&c2) < 0 || vmtap_ctx_set_state_dir(c2, STATE_DIR) < 0)
			_exit(2);
		_exit(vmtap_endpoint_create(c2, "eph-a", &spec, NULL) == 0 ? 0 : 1);
	}
	assert_int_equal(itest_wait_status(child), 0);
	assert_int_equal(vmtap_endpoint_load(ctx, "eph-a", &ep), 0);
	assert_true(vmtap_endpoint_ephemeral(ep));
	vmtap_endpoint_free(ep);

	/* recorded for a hypervisor that still runs */
	assert_int_equal(pipe(pipefd), 0);
	child = fork();
	if (child == 0) {
		close(pipefd[1]);
		(void)!read(pipefd[0], &c, 1);
		_exit(0);
	}
	close(pipefd[0]);
	spec.device = "eth1";
	assert_int_equal(itest_sh("ip -n " POD " link add eth1 type veth peer name peer1 netns " PEER), 0);
	assert_int_equal(vmtap_endpoint_create(ctx, "eph-b", &spec, NULL), 0);
	{
		VMTAP_OPTS(vmtap_hypervisor_info, hv, .pid = child, .device_id = "net0");
		assert_int_equal(vmtap_endpoint_set_hypervisor(ctx, "eph-b", &hv), 0);
	}
	assert_int_equal(vmtap_gc(ctx, 0, itest_gc_count, &t), 1);
	assert_int_equal(t.ephemeral, 1); /* eph-a */
	assert_int_equal(t.other, 0);
	assert_int_equal(vmtap_endpoint_load(ctx, "eph-a", &ep), -ENOENT);
	assert_int_equal(vmtap_endpoint_load(ctx, "eph-b", &ep), 0);
	vmtap_endpoint_free(ep);
	assert_sh(QDISC_JQ, "eth0", "");
	/* its hypervisor exits: the next gc destroys it */
	close(pipefd[1]);
	assert_int_equal(itest_wait_status(child), 0);
	memset(&t, 0, sizeof(t));
	assert_int_equal(vmtap_gc(ctx, 0, itest_gc_count, &t), 1);
	assert_int_equal(t.ephemeral, 1);
	assert_int_equal(t.other, 0);
	assert_int_equal(vmtap_endpoint_load(ctx, "eph-b", &ep), -ENOENT);
	assert_sh(QDISC_JQ, "eth1", "");
	assert_int_equal(tagged_count(POD), 0);
	assert_int_equal(itest_sh("ip -n " POD " link del eth1"), 0);
}

/*
 * A create killed anywhere: after gc, either the endpoint is ready with both
 * filters, or nothing of it is left, and eth0 is as it was.
 */
static void test_sigkill_in_create(void **state)
{
	struct vmtap_ctx *ctx = CTX(state);
	const int tries = getenv("VMTAP_KILL_TRIES") ? atoi(getenv("VMTAP_KILL_TRIES")) / 4 + 1 : 50;
	long window_us = 0;
	int killed = 0, ready_after = 0;

	for (int i = 0; i < 3; i++) {
		VMTAP_OPTS(vmtap_endpoint_spec, spec, .queues = 4, .netns = POD, .connection = VMTAP_CONNECT_REDIRECT,
			   .device = "eth0");
		struct timespec a, b;
		clock_gettime(CLOCK_MONOTONIC, &a);
		assert_int_equal(vmtap_endpoint_create(ctx, "calib", &spec, NULL), 0);
		clock_gettime(CLOCK_MONOTONIC, &b);
		assert_int_equal(vmtap_endpoint_destroy(ctx, "calib"), 0);
		long us = (b.tv_sec - a.tv_sec) * 1000000 + (b.tv_nsec - a.tv_nsec) / 1000;
		if (us > window_us)
			window_us = us;
	}
	window_us = window_us * 3 / 2 + 200; /* fork and a new context come on top */
	for (int i = 0; i < tries; i++) {
		struct itest_gc_tally t = { 0 };
		uint32_t rnd = 0;
		struct timespec delay;
		struct vmtap_endpoint *ep;
		pid_t pid;
		int st;
		char *snap;

		(void)!getrandom(&rnd, sizeof(rnd), 0);
		pid = fork();
		if (pid == 0) {
			VMTAP_OPTS(vmtap_endpoint_spec, spec, .queues = 1 + rnd % 4, .netns = POD,
				   .connection = VMTAP_CONNECT_REDIRECT, .device = "eth0");
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
			char want[64];
			/* it got to "ready": whole, both ways */
			ready_after++;
			snprintf(want, sizeof(want), PRIO " u32 800::800 mirred %s", vmtap_endpoint_ifname(ep));
			assert_sh(FILTERS_JQ, "eth0", want);
			assert_sh(FILTERS_JQ, vmtap_endpoint_ifname(ep), PRIO " u32 800::800 mirred eth0");
			vmtap_endpoint_free(ep);
			assert_int_equal(vmtap_endpoint_destroy(ctx, "killme"), 0);
		}
		assert_int_equal(tagged_count(POD), 0);
		snap = pod_snapshot();
		if (strcmp(snap, snap_before))
			fail_msg("try %d (killed after %ld us): eth0 changed:\n%s\nwas\n%s", i, delay.tv_nsec / 1000, snap,
				 snap_before);
		free(snap);
	}
	fprintf(stderr, "sigkill in redirect create: %d tries over 0..%ld us, %d killed, %d ready after gc\n", tries,
		window_us, killed, ready_after);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_create_destroy, setup, teardown),
		cmocka_unit_test_setup_teardown(test_options, setup, teardown),
		cmocka_unit_test_setup_teardown(test_coexist_clsact, setup, teardown),
		cmocka_unit_test_setup_teardown(test_prio_taken, setup, teardown),
		cmocka_unit_test_setup_teardown(test_two_endpoints, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_input, setup, teardown),
#ifdef VMTAP_FAULT_INJECTION
		cmocka_unit_test_setup_teardown(test_fault_each_step, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fault_each_step_clsact, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fault_then_failing_undo, setup, teardown),
		cmocka_unit_test_setup_teardown(test_destroy_fault, setup, teardown),
#endif
		cmocka_unit_test_setup_teardown(test_gc_tap_gone, setup, teardown),
		cmocka_unit_test_setup_teardown(test_gc_orphan_filter, setup, teardown),
		cmocka_unit_test_setup_teardown(test_gc_ephemeral, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sigkill_in_create, setup, teardown),
	};

	itest_enter_private_namespace();
	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Integration tests of tc.c: ingress qdiscs and u32 + mirred redirects between TAPs and veths, read back with tc -j. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <net/if.h>

#include "itest.h"
#include "tc.h"

#define CTX(state) (((struct itest_state *)*(state))->ctx)
#define STATE_ID "0123456789abcdef"
#define PRIO VT_TC_PRIO_DEFAULT

static struct vt_nl *nl_of(struct vmtap_ctx *ctx)
{
	struct vt_nl *nl = NULL;

	assert_int_equal(vt_nl_get(ctx, NULL, &nl), 0);
	return nl;
}

static int ifindex_of(const char *name)
{
	int i = (int)if_nametoindex(name);

	if (!i)
		fail_msg("no device %s", name);
	return i;
}

static void cookie_of(const char *endpoint, uint8_t out[VT_TC_COOKIE_LEN])
{
	assert_int_equal(vt_tc_cookie_make(out, STATE_ID, endpoint), 0);
}

static void cookie_hex(const uint8_t c[VT_TC_COOKIE_LEN], char out[2 * VT_TC_COOKIE_LEN + 1])
{
	for (size_t i = 0; i < VT_TC_COOKIE_LEN; i++)
		sprintf(out + 2 * i, "%02x", c[i]);
}

/* A u32 handle as tc prints it: "800::800", "801:1:800". */
static void fh_of(uint32_t h, char out[32])
{
	if ((h >> 12) & 0xff)
		snprintf(out, 32, "%x:%x:%x", h >> 20, (h >> 12) & 0xff, h & 0xfff);
	else
		snprintf(out, 32, "%x::%x", h >> 20, h & 0xfff);
}

/* The output of a shell command, without its trailing newlines. */
static char *sh_text(const char *cmd)
{
	char *s = itest_sh_out("%s", cmd);
	size_t n;

	assert_non_null(s);
	n = strlen(s);
	while (n && s[n - 1] == '\n')
		s[--n] = '\0';
	return s;
}

static void assert_sh_text(const char *cmd, const char *want)
{
	char *got = sh_text(cmd);

	if (strcmp(got, want))
		fail_msg("`%s` says\n'%s'\nwanted\n'%s'", cmd, got, want);
	free(got);
}

static void sh_ok(const char *cmd)
{
	if (itest_sh("%s", cmd) != 0)
		fail_msg("`%s` failed", cmd);
}

/* `tc -j filter show dev DEV HOOK`: one line per u32 key, "pref fh cookie to_dev action direction". */
static char *tc_keys(const char *dev, const char *hook)
{
	char cmd[512];

	snprintf(cmd, sizeof(cmd),
		 "tc -j filter show dev %s %s | jq -r '.[] | select(.options.fh? // \"\" | test(\":[0-9a-f]+$\")) | "
		 "\"\\(.pref) \\(.options.fh) \\(.options.actions[0].cookie // \"-\") \\(.options.actions[0].to_dev // \"-\") "
		 "\\(.options.actions[0].mirred_action // \"-\") \\(.options.actions[0].direction // \"-\")\"'", dev, hook);
	return sh_text(cmd);
}

static void assert_tc_keys(const char *dev, const char *hook, const char *want)
{
	char *got = tc_keys(dev, hook);

	if (strcmp(got, want))
		fail_msg("tc filter show dev %s %s: '%s', wanted '%s'", dev, hook, got, want);
	free(got);
}

/* The number of entries (headers, tables and filters) tc lists on a hook. */
static int tc_entries(const char *dev, const char *hook)
{
	char cmd[256];
	char *s;
	int n;

	snprintf(cmd, sizeof(cmd), "tc -j filter show dev %s %s | jq length", dev, hook);
	s = sh_text(cmd);
	n = atoi(s);
	free(s);
	return n;
}

/* The kind in the ingress slot of @dev ("" when none). */
static char *ingress_kind_of(const char *dev)
{
	char cmd[256];

	snprintf(cmd, sizeof(cmd),
		 "tc -j qdisc show dev %s | jq -r '.[] | select(.parent == \"ffff:fff1\") | \"\\(.kind) \\(.handle)\"'", dev);
	return sh_text(cmd);
}

static void assert_ingress_kind(const char *dev, const char *want)
{
	char *got = ingress_kind_of(dev);

	if (strcmp(got, want))
		fail_msg("ingress slot of %s: '%s', wanted '%s'", dev, got, want);
	free(got);
}

/* A redirect line as tc_keys() prints it. */
static void key_line(char *out, size_t size, uint16_t prio, uint32_t handle, const uint8_t cookie[VT_TC_COOKIE_LEN],
		     const char *to)
{
	char fh[32], hex[2 * VT_TC_COOKIE_LEN + 1];

	fh_of(handle, fh);
	cookie_hex(cookie, hex);
	snprintf(out, size, "%u %s %s %s redirect egress", prio, fh, hex, to);
}

/* Each test leaves no qdisc in an ingress slot, no filter, no device: checked before the common teardown. */
static int tc_teardown(void **state)
{
	int clean = itest_sh(
		"[ -z \"$(tc -j qdisc show | jq -r '.[] | select(.kind == \"ingress\" or .kind == \"clsact\") | .dev')\" ] && "
		"for d in $(ip -o link show | awk -F': ' '{print $2}' | sed 's/@.*//'); do "
		"  [ \"$(tc -j filter show dev $d ingress | jq length)\" = 0 ] && "
		"  [ \"$(tc -j filter show dev $d egress | jq length)\" = 0 ] || exit 1; "
		"done && [ \"$(ip -o link show | grep -vc ': lo:')\" = 0 ]");

	if (clean != 0) {
		fprintf(stderr, "LEAK: tc objects or devices left behind:\n");
		(void)!system("tc qdisc show >&2; for d in $(ip -o link show | awk -F': ' '{print $2}' | sed 's/@.*//'); do "
			      "tc filter show dev $d ingress >&2; done; ip -o link show >&2");
	}
	return itest_teardown(state) == 0 && clean == 0 ? 0 : -1;
}

static struct vmtap_tap *mk_tap(struct vmtap_ctx *ctx, const char *name, unsigned int queues)
{
	VMTAP_OPTS(vmtap_tap_opts, o, .name = name, .queues = queues);
	struct vmtap_tap *tap = NULL;

	if (vmtap_tap_create(ctx, &o, &tap) < 0)
		fail_msg("create %s: %s", name, vmtap_ctx_error(ctx));
	return tap;
}

/* ---- qdiscs ---- */

/* A bare veth: the qdisc is made (ours), found again (shared), deleted, then absent. */
static void test_ensure_bare(void **state)
{
	struct vmtap_ctx *ctx = CTX(state);
	struct vt_nl *nl = nl_of(ctx);
	bool created = false;
	int va;

	sh_ok("ip link add va type veth peer name vb");
	va = ifindex_of("va");
	assert_int_equal(vt_tc_ingress_ensure(ctx, nl, va, "va", &created), 0);
	assert_true(created);
	assert_ingress_kind("va", "ingress ffff:");
	assert_ingress_kind("vb", "");
	/* a second time: EEXIST, read back, shared */
	created = true;
	assert_int_equal(vt_tc_ingress_ensure(ctx, nl, va, "va", &created), 0);
	assert_false(created);
	assert_ingress_kind("va", "ingress ffff:");

	assert_int_equal(vt_tc_ingress_delete(ctx, nl, va, "va"), 0);
	assert_ingress_kind("va", "");
	/* gone: -ENOENT, nothing reported (the builtin noop qdisc is back, never listed) */
	vt_clear_error(ctx);
	assert_int_equal(vt_tc_ingress_delete(ctx, nl, va, "va"), -ENOENT);
	assert_int_equal(vmtap_ctx_error_code(ctx), 0);
	/* never had one */
	assert_int_equal(vt_tc_ingress_delete(ctx, nl, ifindex_of("vb"), "vb"), -ENOENT);
	assert_int_equal(vmtap_ctx_error_code(ctx), 0);
	/* made again after a delete */
	assert_int_equal(vt_tc_ingress_ensure(ctx, nl, va, "va", &created), 0);
	assert_true(created);
	assert_int_equal(vt_tc_ingress_delete(ctx, nl, va, "va"), 0);
	/* the device itself gone */
	sh_ok("ip link del va");
	assert_int_equal(vt_tc_ingress_delete(ctx, nl, va, "va"), -ENOENT);
	assert_int_equal(vmtap_ctx_error_code(ctx), 0);
	assert_int_equal(vt_tc_ingress_ensure(ctx, nl, va, "va", &created), -ENODEV);
	assert_string_equal(vmtap_ctx_error_step(ctx), "add qdisc");
}

/* Someone's ingress qdisc is there: shared, a redirect added and removed on it, the qdisc left as it was. */
static void test_ensure_shares_ingress(void **state)
{
	struct vmtap_ctx *ctx = CTX(state);
	struct vt_nl *nl = nl_of(ctx);
	uint8_t cookie[VT_TC_COOKIE_LEN];
	uint32_t handle = 0;
	bool created = true;
	char want[256];
	int va, vb;

	sh_ok("ip link add va type veth peer name vb && tc qdisc add dev va ingress");
	va = ifindex_of("va");
	vb = ifindex_of("vb");
	assert_int_equal(vt_tc_ingress_ensure(ctx, nl, va, "va", &created), 0);
	assert_false(created);
	cookie_of("ep-shared", cookie);
	assert_int_equal(vt_tc_redirect_add(ctx, nl, va, "va", PRIO, vb, "vb", cookie, &handle), 0);
	key_line(want, sizeof(want), PRIO, handle, cookie, "vb");
	assert_tc_keys("va", "ingress", want);
	assert_int_equal(vt_tc_redirect_del(ctx, nl, va, "va", PRIO, handle, cookie), 0);
	assert_int_equal(tc_entries("va", "ingress"), 0);
	assert_ingress_kind("va", "ingress ffff:");
	sh_ok("tc qdisc del dev va ingress && ip link del va");
}

/*
 * A clsact qdisc with foreign filters on both hooks, as Cilium or Calico
 * leave it: shared; our filter goes next to theirs and leaves without them.
 */
static void test_ensure_shares_clsact(void **state)
{
	struct vmtap_ctx *ctx = CTX(state);
	struct vt_nl *nl = nl_of(ctx);
	uint8_t cookie[VT_TC_COOKIE_LEN];
	uint32_t handle = 0;
	bool created = true;
	char want[256];
	int va, vb, before_in, before_eg;

	sh_ok("ip link add va type veth peer name vb && tc qdisc add dev va clsact && "
	      "tc filter add dev va ingress prio 10 protocol all bpf bytecode '1,6 0 0 0,' && "
	      "tc filter add dev va egress prio 20 protocol all u32 match u8 0 0");
	va = ifindex_of("va");
	vb = ifindex_of("vb");
	before_in = tc_entries("va", "ingress");
	before_eg = tc_entries("va", "egress");
	assert_int_equal(before_in, 2);
	assert_int_equal(before_eg, 3);
	assert_int_equal(vt_tc_ingress_ensure(ctx, nl, va, "va", &created), 0);
	assert_false(created);
	assert_ingress_kind("va", "clsact ffff:");

	cookie_of("ep-clsact", cookie);
	assert_int_equal(vt_tc_redirect_add(ctx, nl, va, "va", PRIO, vb, "vb", cookie, &handle), 0);
	/* the u32 tables are the qdisc's: the egress one is 800:, ours the next */
	assert_int_equal(handle, 0x80100800);
	key_line(want, sizeof(want), PRIO, handle, cookie, "vb");
	assert_tc_keys("va", "ingress", want);
	assert_int_equal(tc_entries("va", "ingress"), before_in + 3);
	assert_int_equal(vt_tc_redirect_del(ctx, nl, va, "va", PRIO, handle, cookie), 0);

	/* theirs, as they were */
	assert_int_equal(tc_entries("va", "ingress"), before_in);
	assert_int_equal(tc_entries("va", "egress"), before_eg);
	assert_sh_text("tc -j filter show dev va ingress | jq -r '.[1].kind, .[1].pref'", "bpf\n10");
	assert_ingress_kind("va", "clsact ffff:");
	sh_ok("tc qdisc del dev va clsact && ip link del va");
}

/* Devices with only a root qdisc (a tbf, vmtap's noqueue on a TAP): the ingress slot is free, the root stays. */
static void test_ensure_root_only(void **state)
{
	struct vmtap_ctx *ctx = CTX(state);
	struct vt_nl *nl = nl_of(ctx);
	struct vmtap_tap *tap = mk_tap(ctx, "vtt0", 2);
	bool created = false;
	int va, tp;

	sh_ok("ip link add va type veth peer name vb && tc qdisc add dev va root handle 1: tbf rate 1mbit burst 32kbit "
	      "latency 400ms");
	va = ifindex_of("va");
	tp = ifindex_of("vtt0");
	assert_int_equal(vt_tc_ingress_ensure(ctx, nl, va, "va", &created), 0);
	assert_true(created);
	created = false;
	assert_int_equal(vt_tc_ingress_ensure(ctx, nl, tp, "vtt0", &created), 0);
	assert_true(created);
	assert_sh_text("tc -j qdisc show dev va | jq -r '.[] | \"\\(.kind) \\(.parent // \"root\")\"' | sort",
		       "ingress ffff:fff1\ntbf root");
	assert_sh_text("tc -j qdisc show dev vtt0 | jq -r '.[] | \"\\(.kind) \\(.parent // \"root\")\"' | sort",
		       "ingress ffff:fff1\nnoqueue root");
	assert_int_equal(vt_tc_ingress_delete(ctx, nl, va, "va"), 0);
	assert_int_equal(vt_tc_ingress_delete(ctx, nl, tp, "vtt0"), 0);
	assert_sh_text("tc -j qdisc show dev va | jq -r '.[].kind'", "tbf");
	assert_sh_text("tc -j qdisc show dev vtt0 | jq -r '.[].kind'", "noqueue");
	vmtap_tap_free(tap);
	sh_ok("ip link del va");
}

/* ---- redirects ---- */

struct dump_seen {
	int n, rules;
	struct vt_tc_filter rule;
};

static int dump_seen_cb(const struct vt_tc_filter *f, void *data)
{
	struct dump_seen *d = data;

	d->n++;
	if (f->u32 == VT_TC_U32_RULE) {
		d->rules++;
		d->rule = *f;
	}
	return 0;
}

/* The whole cross-connection, both ways, on a multi-queue TAP and a veth, read back with tc and with our dump. */
static void test_redirect_tap_veth(void **state)
{
	struct vmtap_ctx *ctx = CTX(state);
	struct vt_nl *nl = nl_of(ctx);
	struct vmtap_tap *tap = mk_tap(ctx, "vtt0", 4);
	uint8_t cookie[VT_TC_COOKIE_LEN];
	uint32_t h_pod = 0, h_tap = 0;
	bool c_pod = false, c_tap = false;
	struct dump_seen seen = { 0 };
	char want[256];
	int eth, tp;

	sh_ok("ip link add eth0 type veth peer name vpeer");
	eth = ifindex_of("eth0");
	tp = ifindex_of("vtt0");
	cookie_of("vm7-net0", cookie);
	assert_int_equal(vt_tc_ingress_ensure(ctx, nl, eth, "eth0", &c_pod), 0);
	assert_int_equal(vt_tc_ingress_ensure(ctx, nl, tp, "vtt0", &c_tap), 0);
	assert_true(c_pod && c_tap);
	assert_int_equal(vt_tc_redirect_add(ctx, nl, eth, "eth0", PRIO, tp, "vtt0", cookie, &h_pod), 0);
	assert_int_equal(vt_tc_redirect_add(ctx, nl, tp, "vtt0", PRIO, eth, "eth0", cookie, &h_tap), 0);
	/* the first u32 of each qdisc gets table 800: and our node */
	assert_int_equal(h_pod, 0x80000800);
	assert_int_equal(h_tap, 0x80000800);

	key_line(want, sizeof(want), PRIO, h_pod, cookie, "vtt0");
	assert_tc_keys("eth0", "ingress", want);
	key_line(want, sizeof(want), PRIO, h_tap, cookie, "eth0");
	assert_tc_keys("vtt0", "ingress", want);
	assert_sh_text("tc -j filter show dev eth0 ingress | jq -r '.[2].kind, .[2].protocol, "
		       ".[2].options.match.mask, .[2].options.actions[0].control_action.type'",
		       "u32\nall\n0\nstolen");

	/* our dump says the same */
	assert_int_equal(vt_tc_filter_dump(ctx, nl, eth, PRIO, dump_seen_cb, &seen), 0);
	assert_int_equal(seen.n, 3); /* header, table 800:, the key */
	assert_int_equal(seen.rules, 1);
	assert_int_equal(seen.rule.handle, h_pod);
	assert_int_equal(seen.rule.prio, PRIO);
	assert_int_equal(seen.rule.ifindex, eth);
	assert_int_equal(seen.rule.mirred_ifindex, tp);
	assert_true(vt_tc_filter_is_redirect(&seen.rule));
	assert_true(vt_tc_filter_has_cookie(&seen.rule, cookie));
	assert_true(vt_tc_cookie_matches(seen.rule.cookie, seen.rule.cookie_len, STATE_ID, "vm7-net0"));
	/* all priorities: the same three, nothing else */
	memset(&seen, 0, sizeof(seen));
	assert_int_equal(vt_tc_filter_dump(ctx, nl, tp, 0, dump_seen_cb, &seen), 0);
	assert_int_equal(seen.n, 3);
	assert_int_equal(seen.rule.mirred_ifindex, eth);
	/* another priority: nothing */
	memset(&seen, 0, sizeof(seen));
	assert_int_equal(vt_tc_filter_dump(ctx, nl, tp, PRIO + 1, dump_seen_cb, &seen), 0);
	assert_int_equal(seen.n, 0);

	/* the pod's side first (a redirect to a deleted TAP would drop its traffic), then the TAP's */
	assert_int_equal(vt_tc_redirect_del(ctx, nl, eth, "eth0", PRIO, h_pod, cookie), 0);
	assert_int_equal(tc_entries("eth0", "ingress"), 0);
	assert_int_equal(tc_entries("vtt0", "ingress"), 3);
	assert_int_equal(vt_tc_redirect_del(ctx, nl, tp, "vtt0", PRIO, h_tap, cookie), 0);
	assert_int_equal(tc_entries("vtt0", "ingress"), 0);
	/* again: absent, unreported */
	vt_clear_error(ctx);
	assert_int_equal(vt_tc_redirect_del(ctx, nl, eth, "eth0", PRIO, h_pod, cookie), -ENOENT);
	assert_int_equal(vmtap_ctx_error_code(ctx), 0);
	assert_int_equal(vt_tc_ingress_delete(ctx, nl, eth, "eth0"), 0);
	assert_int_equal(vt_tc_ingress_delete(ctx, nl, tp, "vtt0"), 0);
	/* the qdisc gone too: still absent */
	assert_int_equal(vt_tc_redirect_del(ctx, nl, eth, "eth0", PRIO, h_pod, cookie), -ENOENT);
	assert_int_equal(vmtap_ctx_error_code(ctx), 0);
	assert_ingress_kind("eth0", "");
	assert_ingress_kind("vtt0", "");
	vmtap_tap_free(tap);
	sh_ok("ip link del eth0");
}

/* vmtap's qdisc with a foreign filter on it: not deleted (it would take the filter along). */
static void test_ingress_delete_refused(void **state)
{
	struct vmtap_ctx *ctx = CTX(state);
	struct vt_nl *nl = nl_of(ctx);
	uint8_t cookie[VT_TC_COOKIE_LEN];
	uint32_t handle = 0;
	bool created = false;
	int va, vb;

	sh_ok("ip link add va type veth peer name vb");
	va = ifindex_of("va");
	vb = ifindex_of("vb");
	cookie_of("ep-refused", cookie);
	assert_int_equal(vt_tc_ingress_ensure(ctx, nl, va, "va", &created), 0);
	assert_true(created);
	assert_int_equal(vt_tc_redirect_add(ctx, nl, va, "va", PRIO, vb, "vb", cookie, &handle), 0);
	sh_ok("tc filter add dev va ingress prio 5 protocol all bpf bytecode '1,6 0 0 0,'");

	assert_int_equal(vt_tc_ingress_delete(ctx, nl, va, "va"), -ENOTEMPTY);
	assert_string_equal(vmtap_ctx_error_step(ctx), "delete qdisc");
	assert_non_null(strstr(vmtap_ctx_error(ctx), "va: its ingress hook still holds 2 filter(s), the first a bpf filter "
						     "at priority 5; the qdisc is kept"));
	assert_int_equal(vt_tc_redirect_del(ctx, nl, va, "va", PRIO, handle, cookie), 0);
	/* ours gone, theirs still there: still refused, both kept */
	assert_int_equal(vt_tc_ingress_delete(ctx, nl, va, "va"), -ENOTEMPTY);
	assert_non_null(strstr(vmtap_ctx_error(ctx), "holds 1 filter(s)"));
	assert_ingress_kind("va", "ingress ffff:");
	assert_int_equal(tc_entries("va", "ingress"), 2);
	/* a foreign u32 hash table alone counts too */
	sh_ok("tc filter del dev va ingress prio 5 && tc filter add dev va ingress prio 6 handle 9: protocol all u32 divisor 1");
	assert_int_equal(vt_tc_ingress_delete(ctx, nl, va, "va"), -ENOTEMPTY);
	assert_ingress_kind("va", "ingress ffff:");
	sh_ok("tc filter del dev va ingress prio 6");
	assert_int_equal(vt_tc_ingress_delete(ctx, nl, va, "va"), 0);
	assert_ingress_kind("va", "");

	/* the slot now holds someone's clsact: not ours, left alone, unreported */
	sh_ok("tc qdisc add dev va clsact");
	vt_clear_error(ctx);
	assert_int_equal(vt_tc_ingress_delete(ctx, nl, va, "va"), -ENOENT);
	assert_int_equal(vmtap_ctx_error_code(ctx), 0);
	assert_ingress_kind("va", "clsact ffff:");
	sh_ok("tc qdisc del dev va clsact && ip link del va");
}

struct taken_case {
	const char *label;
	const char *setup;      /* tc command(s) on va that take priority 300 */
	const char *holder;     /* in the message */
};

/*
 * A priority someone holds: refused with -EEXIST naming the holder, nothing
 * changed; with the look-ahead skipped (the test-only fault "tc no prio
 * check"), the kernel's own refusals, which a race would meet, say the same.
 */
static void test_prio_taken(void **state)
{
	static const struct taken_case cases[] = {
		{ "foreign u32, node 800", "tc filter add dev va ingress prio 300 protocol all u32 match u8 0 0",
		  "a foreign u32 filter (handle 800::800)" },
		{ "foreign u32, another node", "tc filter add dev va ingress prio 300 handle ::1 protocol all u32 match u8 0 0",
		  "a foreign u32 filter (handle 800::1)" },
		{ "foreign bpf", "tc filter add dev va ingress prio 300 protocol all bpf bytecode '1,6 0 0 0,'",
		  "a foreign bpf filter (protocol 0x0003)" },
		{ "foreign u32, protocol ip", "tc filter add dev va ingress prio 300 protocol ip u32 match u8 0 0",
		  "a foreign u32 filter (handle 800::800)" },
		{ "foreign u32 table only", "tc filter add dev va ingress prio 300 handle 9: protocol all u32 divisor 1",
		  "an empty u32 priority (hash tables, no key)" },
	};
	struct vmtap_ctx *ctx = CTX(state);
	struct vt_nl *nl = nl_of(ctx);
	uint8_t cookie[VT_TC_COOKIE_LEN], other[VT_TC_COOKIE_LEN];
	uint32_t handle = 0xdead, h_other = 0;
	bool created;
	char want[128];
	int va, vb;

	sh_ok("ip link add va type veth peer name vb && tc qdisc add dev va ingress");
	va = ifindex_of("va");
	vb = ifindex_of("vb");
	assert_int_equal(vt_tc_ingress_ensure(ctx, nl, va, "va", &created), 0);
	cookie_of("ep-a", cookie);
	cookie_of("ep-b", other);
	snprintf(want, sizeof(want), "priority 300 of va is taken by ");
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *before;

		sh_ok(cases[i].setup);
		before = sh_text("tc -j filter show dev va ingress");
		if (vt_tc_redirect_add(ctx, nl, va, "va", 300, vb, "vb", cookie, &handle) != -EEXIST ||
		    strcmp(vmtap_ctx_error_step(ctx), "add filter") || !strstr(vmtap_ctx_error(ctx), want) ||
		    !strstr(vmtap_ctx_error(ctx), cases[i].holder) || !strstr(vmtap_ctx_error(ctx), "(choose another)"))
			fail_msg("%s: %d '%s'", cases[i].label, vmtap_ctx_error_code(ctx), vmtap_ctx_error(ctx));
		assert_int_equal(handle, 0xdead);
		assert_sh_text("tc -j filter show dev va ingress", before);
		free(before);
		sh_ok("tc filter del dev va ingress prio 300");
	}

	/* another endpoint's redirect at that priority */
	assert_int_equal(vt_tc_redirect_add(ctx, nl, va, "va", 300, vb, "vb", other, &h_other), 0);
	assert_int_equal(vt_tc_redirect_add(ctx, nl, va, "va", 300, vb, "vb", cookie, &handle), -EEXIST);
	assert_non_null(strstr(vmtap_ctx_error(ctx), "taken by a vmtap redirect (handle"));
	assert_int_equal(handle, 0xdead);
	assert_int_equal(vt_tc_redirect_del(ctx, nl, va, "va", 300, h_other, other), 0);

#ifdef VMTAP_FAULT_INJECTION
	{
		/* what the kernel says when the priority is taken between our look and our add */
		static const struct {
			const char *setup, *extack;
		} raced[] = {
			{ "tc filter add dev va ingress prio 300 protocol all u32 match u8 0 0", "" }, /* ENOSPC, no text */
			{ "tc filter add dev va ingress prio 300 protocol all bpf bytecode '1,6 0 0 0,'",
			  "Specified filter kind does not match existing one" },
			{ "tc filter add dev va ingress prio 300 protocol ip u32 match u8 0 0",
			  "Protocol mismatch for filter with specified priority" },
		};
		struct vmtap_ctx *fctx;

		setenv("VMTAP_TEST_FAULT", "tc no prio check", 1);
		assert_int_equal(vmtap_ctx_new(&fctx), 0);
		unsetenv("VMTAP_TEST_FAULT");
		for (size_t i = 0; i < sizeof(raced) / sizeof(raced[0]); i++) {
			sh_ok(raced[i].setup);
			assert_int_equal(vt_tc_redirect_add(fctx, nl_of(fctx), va, "va", 300, vb, "vb", cookie, &handle), -EEXIST);
			assert_non_null(strstr(vmtap_ctx_error(fctx), want));
			assert_string_equal(vmtap_ctx_error_extack(fctx), raced[i].extack);
			assert_int_equal(handle, 0xdead);
			assert_int_equal(tc_entries("va", "ingress"), i == 1 ? 2 : 3);
			sh_ok("tc filter del dev va ingress prio 300");
		}
		/* the kernel does not protect a priority: a u32 with other keys takes ours in (why we look first) */
		sh_ok("tc filter add dev va ingress prio 300 handle ::1 protocol all u32 match u8 0 0");
		assert_int_equal(vt_tc_redirect_add(fctx, nl_of(fctx), va, "va", 300, vb, "vb", cookie, &handle), 0);
		assert_int_equal(handle, 0x80000800);
		assert_int_equal(tc_entries("va", "ingress"), 4);
		assert_int_equal(vt_tc_redirect_del(fctx, nl_of(fctx), va, "va", 300, handle, cookie), 0);
		assert_sh_text("tc -j filter show dev va ingress | jq -r '.[] | .options.fh // \"-\"'", "-\n800:\n800::1");
		sh_ok("tc filter del dev va ingress prio 300");
		vmtap_ctx_free(fctx);
	}
#endif
	assert_int_equal(tc_entries("va", "ingress"), 0);
	sh_ok("tc qdisc del dev va ingress && ip link del va");
}

/*
 * With another u32 on the qdisc (the CNI bandwidth plugin's redirect to its
 * ifb, say) the kernel keeps a priority whose last key is deleted: vmtap
 * removes its emptied priority, unless someone else put something there.
 */
static void test_empty_prio_removed(void **state)
{
	struct vmtap_ctx *ctx = CTX(state);
	struct vt_nl *nl = nl_of(ctx);
	uint8_t cookie[VT_TC_COOKIE_LEN];
	uint32_t handle = 0;
	bool created;
	char *theirs;
	int va, vb;

	sh_ok("ip link add va type veth peer name vb && tc qdisc add dev va ingress && "
	      "tc filter add dev va ingress prio 20 protocol all u32 match u32 0 0 action mirred egress redirect dev vb");
	va = ifindex_of("va");
	vb = ifindex_of("vb");
	cookie_of("ep-empty", cookie);
	theirs = sh_text("tc -j filter show dev va ingress");
	assert_int_equal(vt_tc_ingress_ensure(ctx, nl, va, "va", &created), 0);
	assert_false(created);
	assert_int_equal(vt_tc_redirect_add(ctx, nl, va, "va", PRIO, vb, "vb", cookie, &handle), 0);
	assert_int_equal(handle, 0x80100800);
	assert_int_equal(tc_entries("va", "ingress"), 6);
	assert_int_equal(vt_tc_redirect_del(ctx, nl, va, "va", PRIO, handle, cookie), 0);
	/* not a trace of ours: their priority 20 exactly as it was */
	assert_sh_text("tc -j filter show dev va ingress", theirs);

	/* someone adds a hash table to our priority: our key goes, the priority with their table stays */
	assert_int_equal(vt_tc_redirect_add(ctx, nl, va, "va", PRIO, vb, "vb", cookie, &handle), 0);
	sh_ok("tc filter add dev va ingress prio 30317 handle 9: protocol all u32 divisor 1");
	assert_int_equal(vt_tc_redirect_del(ctx, nl, va, "va", PRIO, handle, cookie), 0);
	assert_sh_text("tc -j filter show dev va ingress pref 30317 | jq -r '.[] | .options.fh // \"-\"' | sort",
		       "-\n80" "2:\n9:");
	/* and a new redirect there is refused: the priority is not free */
	assert_int_equal(vt_tc_redirect_add(ctx, nl, va, "va", PRIO, vb, "vb", cookie, &handle), -EEXIST);
	assert_non_null(strstr(vmtap_ctx_error(ctx), "an empty u32 priority"));
	sh_ok("tc filter del dev va ingress prio 30317");
	assert_sh_text("tc -j filter show dev va ingress", theirs);
	free(theirs);
	sh_ok("tc qdisc del dev va ingress && ip link del va");
}

/* Bad arguments: refused before anything is sent. */
static void test_redirect_bad_args(void **state)
{
	struct vmtap_ctx *ctx = CTX(state);
	struct vt_nl *nl = nl_of(ctx);
	uint8_t cookie[VT_TC_COOKIE_LEN];
	uint32_t handle = 0xdead;
	bool created = false;
	int va, vb;

	sh_ok("ip link add va type veth peer name vb");
	va = ifindex_of("va");
	vb = ifindex_of("vb");
	cookie_of("ep-bad", cookie);
	assert_int_equal(vt_tc_ingress_ensure(ctx, nl, va, "va", &created), 0);
	/* the kernel would take it: every packet of va would go out of va again */
	assert_int_equal(vt_tc_redirect_add(ctx, nl, va, "va", PRIO, va, "va", cookie, &handle), -EINVAL);
	assert_string_equal(vmtap_ctx_error_step(ctx), "validate");
	assert_non_null(strstr(vmtap_ctx_error(ctx), "redirect va to itself"));
	assert_int_equal(vt_tc_redirect_add(ctx, nl, va, "va", 0, vb, "vb", cookie, &handle), -EINVAL);
	assert_string_equal(vmtap_ctx_error_step(ctx), "validate");
	assert_int_equal(vt_tc_redirect_add(ctx, nl, va, "va", PRIO, 0, "none", cookie, &handle), -EINVAL);
	assert_int_equal(vt_tc_redirect_add(ctx, nl, va, "va", PRIO, vb, "vb", NULL, &handle), -EINVAL);
	assert_int_equal(handle, 0xdead);
	assert_int_equal(tc_entries("va", "ingress"), 0);
	/* a target that does not exist: the kernel's ENODEV */
	assert_int_equal(vt_tc_redirect_add(ctx, nl, va, "va", PRIO, 999, "gone", cookie, &handle), -ENODEV);
	assert_string_equal(vmtap_ctx_error_step(ctx), "add filter");
	assert_int_equal(tc_entries("va", "ingress"), 0);
	/* no ingress qdisc on the source */
	assert_int_equal(vt_tc_redirect_add(ctx, nl, vb, "vb", PRIO, va, "va", cookie, &handle), -EINVAL);
	assert_string_equal(vmtap_ctx_error_extack(ctx), "Parent Qdisc doesn't exists");
	/* deletes that would be wildcards */
	assert_int_equal(vt_tc_redirect_del(ctx, nl, va, "va", 0, 0x80000800, cookie), -EINVAL);
	assert_int_equal(vt_tc_redirect_del(ctx, nl, va, "va", PRIO, 0, cookie), -EINVAL);
	assert_int_equal(vt_tc_redirect_del(ctx, nl, va, "va", PRIO, 0x80000000, cookie), -EINVAL);
	assert_string_equal(vmtap_ctx_error_step(ctx), "validate");
	assert_int_equal(handle, 0xdead);
	assert_int_equal(vt_tc_ingress_delete(ctx, nl, va, "va"), 0);
	sh_ok("ip link del va");
}

/* The redirect's target is deleted: the filter stays, its dump says ifindex 0, and it can still be removed. */
static void test_target_deleted(void **state)
{
	struct vmtap_ctx *ctx = CTX(state);
	struct vt_nl *nl = nl_of(ctx);
	struct vmtap_tap *tap = mk_tap(ctx, "vtt0", 1);
	uint8_t cookie[VT_TC_COOKIE_LEN];
	struct dump_seen seen = { 0 };
	uint32_t handle = 0;
	bool created = false;
	char want[256];
	int eth;

	sh_ok("ip link add eth0 type veth peer name vpeer");
	eth = ifindex_of("eth0");
	cookie_of("ep-gone", cookie);
	assert_int_equal(vt_tc_ingress_ensure(ctx, nl, eth, "eth0", &created), 0);
	assert_int_equal(vt_tc_redirect_add(ctx, nl, eth, "eth0", PRIO, ifindex_of("vtt0"), "vtt0", cookie, &handle), 0);
	vmtap_tap_free(tap); /* the TAP goes with its last queue */
	assert_int_equal(vt_tc_filter_dump(ctx, nl, eth, 0, dump_seen_cb, &seen), 0);
	assert_int_equal(seen.rules, 1);
	assert_int_equal(seen.rule.mirred_ifindex, 0);
	assert_true(vt_tc_filter_has_cookie(&seen.rule, cookie));
	key_line(want, sizeof(want), PRIO, handle, cookie, "*");
	assert_tc_keys("eth0", "ingress", want);
	assert_int_equal(vt_tc_redirect_del(ctx, nl, eth, "eth0", PRIO, handle, cookie), 0);
	assert_int_equal(vt_tc_ingress_delete(ctx, nl, eth, "eth0"), 0);
	sh_ok("ip link del eth0");
}

static int devices_cb(int ifindex, const char *kind, void *data)
{
	char *out = data;
	char name[IF_NAMESIZE] = "?";

	if_indextoname((unsigned int)ifindex, name);
	snprintf(out + strlen(out), 256 - strlen(out), "%s%s=%s", out[0] ? " " : "", name, kind);
	return 0;
}

static int stop_cb(int ifindex, const char *kind, void *data)
{
	(void)ifindex, (void)kind;
	(*(int *)data)++;
	return 42;
}

/* Which devices have an ingress slot in use: one dump, whatever tcm_ifindex says; root qdiscs are not listed. */
static void test_ingress_devices(void **state)
{
	struct vmtap_ctx *ctx = CTX(state);
	struct vt_nl *nl = nl_of(ctx);
	struct vmtap_tap *tap = mk_tap(ctx, "vtt0", 2);
	char seen[256] = "";
	bool created;
	int calls = 0;

	assert_int_equal(vt_tc_ingress_devices(ctx, nl, devices_cb, seen), 0);
	assert_string_equal(seen, "");
	sh_ok("ip link add va type veth peer name vb && ip link add vc type veth peer name vd && "
	      "tc qdisc add dev vc clsact && tc qdisc add dev vd root handle 1: tbf rate 1mbit burst 32kbit latency 400ms");
	assert_int_equal(vt_tc_ingress_ensure(ctx, nl, ifindex_of("va"), "va", &created), 0);
	assert_int_equal(vt_tc_ingress_ensure(ctx, nl, ifindex_of("vtt0"), "vtt0", &created), 0);
	assert_int_equal(vt_tc_ingress_devices(ctx, nl, devices_cb, seen), 0);
	/* in ifindex order, the kernel's */
	assert_string_equal(seen, "vtt0=ingress va=ingress vc=clsact");
	/* a non-zero return stops the walk and is returned */
	assert_int_equal(vt_tc_ingress_devices(ctx, nl, stop_cb, &calls), 42);
	assert_int_equal(calls, 1);
	assert_int_equal(vt_tc_ingress_delete(ctx, nl, ifindex_of("va"), "va"), 0);
	assert_int_equal(vt_tc_ingress_delete(ctx, nl, ifindex_of("vtt0"), "vtt0"), 0);
	vmtap_tap_free(tap);
	sh_ok("tc qdisc del dev vc clsact && ip link del va && ip link del vc");
}

/*
 * A delete finds someone else's filter where ours was (its handle reused, or
 * the same handle on the other hook of a clsact, which a get by handle
 * reaches): it is left alone, and ours counts as gone.
 */
static void test_del_not_ours(void **state)
{
	struct vmtap_ctx *ctx = CTX(state);
	struct vt_nl *nl = nl_of(ctx);
	uint8_t cookie[VT_TC_COOKIE_LEN], other[VT_TC_COOKIE_LEN];
	uint32_t handle = 0;
	bool created;
	char *before;
	int va, vb;

	sh_ok("ip link add va type veth peer name vb");
	va = ifindex_of("va");
	vb = ifindex_of("vb");
	cookie_of("ep-mine", cookie);
	cookie_of("ep-theirs", other);
	assert_int_equal(vt_tc_ingress_ensure(ctx, nl, va, "va", &created), 0);
	assert_int_equal(vt_tc_redirect_add(ctx, nl, va, "va", PRIO, vb, "vb", cookie, &handle), 0);
	assert_int_equal(handle, 0x80000800);
	/* ours is deleted behind our back and the same handle made again by someone else, with another cookie */
	sh_ok("tc filter del dev va ingress prio 30317 handle 800::800 u32 && "
	      "tc filter add dev va ingress prio 30317 handle 800::800 protocol all u32 match u8 0 0 "
	      "action mirred egress redirect dev vb cookie 0011");
	before = sh_text("tc -j filter show dev va ingress");
	vt_clear_error(ctx);
	assert_int_equal(vt_tc_redirect_del(ctx, nl, va, "va", PRIO, handle, cookie), -ENOENT);
	assert_int_equal(vmtap_ctx_error_code(ctx), 0);
	/* a vmtap cookie of another endpoint is not ours either */
	assert_int_equal(vt_tc_redirect_del(ctx, nl, va, "va", PRIO, handle, other), -ENOENT);
	assert_sh_text("tc -j filter show dev va ingress", before);
	free(before);
	/* a prio with filters, but not that handle */
	assert_int_equal(vt_tc_redirect_del(ctx, nl, va, "va", PRIO, 0x80000801, cookie), -ENOENT);
	assert_int_equal(vt_tc_redirect_del(ctx, nl, va, "va", PRIO + 1, handle, cookie), -ENOENT);
	assert_int_equal(vmtap_ctx_error_code(ctx), 0);
	sh_ok("tc filter del dev va ingress prio 30317");
	assert_int_equal(vt_tc_ingress_delete(ctx, nl, va, "va"), 0);

	/* clsact: their egress key 800::800 at another priority; ours on ingress gets 801::800 */
	sh_ok("tc qdisc add dev va clsact && tc filter add dev va egress prio 7 protocol all u32 match u8 0 0 "
	      "action mirred egress redirect dev vb cookie 0022");
	assert_int_equal(vt_tc_redirect_add(ctx, nl, va, "va", PRIO, vb, "vb", cookie, &handle), 0);
	assert_int_equal(handle, 0x80100800);
	before = sh_text("tc -j filter show dev va egress | jq -c '[.[] | .options.fh // \"-\"]'");
	assert_string_equal(before, "[\"-\",\"800:\",\"800::800\"]");
	/* the wrong handle at our priority reaches their egress key: the cookie says no */
	assert_int_equal(vt_tc_redirect_del(ctx, nl, va, "va", PRIO, 0x80000800, cookie), -ENOENT);
	assert_sh_text("tc -j filter show dev va egress | jq -c '[.[] | .options.fh // \"-\"]'", before);
	free(before);
	assert_int_equal(vt_tc_redirect_del(ctx, nl, va, "va", PRIO, handle, cookie), 0);
	assert_int_equal(tc_entries("va", "ingress"), 0);
	assert_int_equal(tc_entries("va", "egress"), 3);
	sh_ok("tc qdisc del dev va clsact");
	/* no qdisc at all, and no device at all: absent */
	assert_int_equal(vt_tc_redirect_del(ctx, nl, va, "va", PRIO, handle, cookie), -ENOENT);
	sh_ok("ip link del va");
	assert_int_equal(vt_tc_redirect_del(ctx, nl, va, "va", PRIO, handle, cookie), -ENOENT);
	assert_int_equal(vmtap_ctx_error_code(ctx), 0);
}

#ifdef VMTAP_FAULT_INJECTION
struct retry_log {
	int retries;
};

static void retry_log_cb(enum vmtap_log_level level, const char *msg, void *userdata)
{
	struct retry_log *l = userdata;

	if (level == VMTAP_LOG_DEBUG && strstr(msg, "trying again (attempt"))
		l->retries++;
}

/* EBUSY is retried 5 times in all, then reported; failing steps leave nothing behind. */
static void test_faults(void **state)
{
	struct vmtap_ctx *ctx = CTX(state), *fctx;
	struct retry_log log = { 0 };
	uint8_t cookie[VT_TC_COOKIE_LEN];
	uint32_t handle = 0xdead;
	bool created = false;
	int va, vb;

	sh_ok("ip link add va type veth peer name vb");
	va = ifindex_of("va");
	vb = ifindex_of("vb");
	cookie_of("ep-fault", cookie);

	fctx = itest_fault_ctx(NULL, "tc busy");
	vmtap_ctx_set_log(fctx, retry_log_cb, &log, VMTAP_LOG_DEBUG);
	assert_int_equal(vt_tc_ingress_ensure(fctx, nl_of(fctx), va, "va", &created), -EBUSY);
	assert_string_equal(vmtap_ctx_error_step(fctx), "add qdisc");
	assert_non_null(strstr(vmtap_ctx_error(fctx), "va: ingress, still refused after 5 attempts"));
	assert_int_equal(log.retries, 4);
	assert_false(created);
	assert_ingress_kind("va", "");
	vmtap_ctx_free(fctx);

	fctx = itest_fault_ctx(NULL, "add qdisc");
	assert_int_equal(vt_tc_ingress_ensure(fctx, nl_of(fctx), va, "va", &created), -EIO);
	assert_string_equal(vmtap_ctx_error_step(fctx), "add qdisc");
	assert_ingress_kind("va", "");
	vmtap_ctx_free(fctx);

	assert_int_equal(vt_tc_ingress_ensure(ctx, nl_of(ctx), va, "va", &created), 0);
	log.retries = 0;
	fctx = itest_fault_ctx(NULL, "tc busy");
	vmtap_ctx_set_log(fctx, retry_log_cb, &log, VMTAP_LOG_DEBUG);
	assert_int_equal(vt_tc_redirect_add(fctx, nl_of(fctx), va, "va", PRIO, vb, "vb", cookie, &handle), -EBUSY);
	assert_non_null(strstr(vmtap_ctx_error(fctx), "still refused after 5 attempts"));
	assert_int_equal(log.retries, 4);
	vmtap_ctx_free(fctx);
	fctx = itest_fault_ctx(NULL, "add filter");
	assert_int_equal(vt_tc_redirect_add(fctx, nl_of(fctx), va, "va", PRIO, vb, "vb", cookie, &handle), -EIO);
	assert_string_equal(vmtap_ctx_error_step(fctx), "add filter");
	vmtap_ctx_free(fctx);
	assert_int_equal(handle, 0xdead);
	assert_int_equal(tc_entries("va", "ingress"), 0);

	assert_int_equal(vt_tc_redirect_add(ctx, nl_of(ctx), va, "va", PRIO, vb, "vb", cookie, &handle), 0);
	fctx = itest_fault_ctx(NULL, "delete filter,delete qdisc");
	assert_int_equal(vt_tc_redirect_del(fctx, nl_of(fctx), va, "va", PRIO, handle, cookie), -EIO);
	assert_string_equal(vmtap_ctx_error_step(fctx), "delete filter");
	assert_int_equal(vt_tc_ingress_delete(fctx, nl_of(fctx), va, "va"), -EIO);
	assert_string_equal(vmtap_ctx_error_step(fctx), "delete qdisc");
	vmtap_ctx_free(fctx);
	assert_int_equal(tc_entries("va", "ingress"), 3);
	assert_ingress_kind("va", "ingress ffff:");
	assert_int_equal(vt_tc_redirect_del(ctx, nl_of(ctx), va, "va", PRIO, handle, cookie), 0);
	assert_int_equal(vt_tc_ingress_delete(ctx, nl_of(ctx), va, "va"), 0);
	sh_ok("ip link del va");
}
#endif

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_ensure_bare, itest_setup, tc_teardown),
		cmocka_unit_test_setup_teardown(test_ensure_shares_ingress, itest_setup, tc_teardown),
		cmocka_unit_test_setup_teardown(test_ensure_shares_clsact, itest_setup, tc_teardown),
		cmocka_unit_test_setup_teardown(test_ensure_root_only, itest_setup, tc_teardown),
		cmocka_unit_test_setup_teardown(test_redirect_tap_veth, itest_setup, tc_teardown),
		cmocka_unit_test_setup_teardown(test_ingress_delete_refused, itest_setup, tc_teardown),
		cmocka_unit_test_setup_teardown(test_prio_taken, itest_setup, tc_teardown),
		cmocka_unit_test_setup_teardown(test_empty_prio_removed, itest_setup, tc_teardown),
		cmocka_unit_test_setup_teardown(test_redirect_bad_args, itest_setup, tc_teardown),
		cmocka_unit_test_setup_teardown(test_target_deleted, itest_setup, tc_teardown),
		cmocka_unit_test_setup_teardown(test_ingress_devices, itest_setup, tc_teardown),
		cmocka_unit_test_setup_teardown(test_del_not_ours, itest_setup, tc_teardown),
#ifdef VMTAP_FAULT_INJECTION
		cmocka_unit_test_setup_teardown(test_faults, itest_setup, tc_teardown),
#endif
	};

	itest_enter_private_namespace();
	return cmocka_run_group_tests_name("tc", tests, NULL, NULL);
}

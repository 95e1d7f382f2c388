/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Integration tests of link configuration: round-trips checked against ip(8), bridges, namespaces, rollback, bulk delete. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>
#include <sys/types.h>
#include <linux/if.h>

#include "itest.h"

#define CTX(state) (((struct itest_state *)*(state))->ctx)

static void get_link(struct vmtap_ctx *ctx, const char *netns, const char *name, struct vmtap_link_info *li)
{
	memset(li, 0, sizeof(*li));
	li->sz = sizeof(*li);
	int r = vmtap_link_get(ctx, netns, name, li);
	if (r < 0)
		fail_msg("link_get %s: %s", name, vmtap_ctx_error(ctx));
}

static struct vmtap_tap *mk_tap(struct vmtap_ctx *ctx, const char *name, const char *netns,
				const struct vmtap_link_set_opts *link)
{
	VMTAP_OPTS(vmtap_tap_opts, o, .name = name, .queues = 4, .netns = netns, .link = link);
	struct vmtap_tap *tap = NULL;
	int r = vmtap_tap_create(ctx, &o, &tap);
	if (r < 0)
		fail_msg("create %s: %s", name, vmtap_ctx_error(ctx));
	return tap;
}

/* `ip -d -j link show` of @name, field @jq (a jq path), as a string */
static char *ip_field(const char *netns, const char *name, const char *jq)
{
	char *s = itest_sh_out("ip %s%s -d -j link show dev %s | jq -r '.[0]%s'", netns ? "-n " : "",
			       netns ? netns : "", name, jq);
	if (s) {
		size_t n = strlen(s);
		while (n && s[n - 1] == '\n')
			s[--n] = '\0';
	}
	return s;
}

static void assert_ip_field(const char *netns, const char *name, const char *jq, const char *want)
{
	char *got = ip_field(netns, name, jq);
	assert_non_null(got);
	if (strcmp(got, want))
		fail_msg("ip says %s%s = '%s', wanted '%s'", name, jq, got, want);
	free(got);
}

static void test_settings_round_trip(void **state)
{
	struct vmtap_ctx *ctx = CTX(state);
	VMTAP_OPTS(vmtap_link_set_opts, lo, .mtu = 4000, .set_mac = true,
		   .mac = { 0x52, 0x54, 0x00, 0xab, 0xcd, 0xef }, .txqlen = 321,
		   .alias = "vm7 net0", .state = VMTAP_LINK_UP);
	struct vmtap_tap *tap = mk_tap(ctx, "vtl", NULL, &lo);
	struct vmtap_link_info li;

	get_link(ctx, NULL, "vtl", &li);
	assert_int_equal(li.mtu, 4000);
	assert_memory_equal(li.mac, lo.mac, 6);
	assert_int_equal(li.txqlen, 321);
	assert_string_equal(li.alias, "vm7 net0");
	assert_true(li.flags & IFF_UP);
	assert_int_equal(li.tun_num_queues, 4);
	assert_true(li.has_stats);
	/* the kernel as ip(8) sees it */
	assert_ip_field(NULL, "vtl", ".mtu", "4000");
	assert_ip_field(NULL, "vtl", ".address", "52:54:00:ab:cd:ef");
	assert_ip_field(NULL, "vtl", ".txqlen", "321");
	assert_ip_field(NULL, "vtl", ".ifalias", "vm7 net0");
	assert_ip_field(NULL, "vtl", ".flags | index(\"UP\") != null", "true");
	assert_ip_field(NULL, "vtl", ".linkinfo.info_data.numqueues", "4");
	assert_ip_field(NULL, "vtl", ".linkinfo.info_data.vnet_hdr", "true");

	/* ownership tags are the library's alone: refused through the public calls, nothing changed */
	{
		static const char *const tags[] = { "vmtap:vm7-net0", "vmtap:x@0123456789abcdef", "vmtap-helper:uid=0" };
		for (size_t i = 0; i < sizeof(tags) / sizeof(tags[0]); i++) {
			VMTAP_OPTS(vmtap_link_set_opts, forge, .alias = tags[i], .mtu = 1300);
			struct vmtap_tap *t = NULL;
			VMTAP_OPTS(vmtap_tap_opts, to, .name = "vtforge", .link = &forge);
			assert_int_equal(vmtap_link_set(ctx, NULL, "vtl", &forge), -EINVAL);
			assert_string_equal(vmtap_ctx_error_step(ctx), "validate");
			assert_int_equal(vmtap_tap_create(ctx, &to, &t), -EINVAL);
			assert_null(t);
		}
		get_link(ctx, NULL, "vtl", &li);
		assert_string_equal(li.alias, "vm7 net0");
		assert_int_equal(li.mtu, 4000);
		assert_int_equal(itest_tun_count(NULL), 1);
	}

	/* change each again on the existing device */
	VMTAP_OPTS(vmtap_link_set_opts, again, .mtu = 1400, .set_mac = true,
		   .mac = { 0x02, 0, 0, 0, 0, 0x42 }, .txqlen = 77, .alias = "", .state = VMTAP_LINK_DOWN);
	assert_int_equal(vmtap_link_set(ctx, NULL, "vtl", &again), 0);
	get_link(ctx, NULL, "vtl", &li);
	assert_int_equal(li.mtu, 1400);
	assert_int_equal(li.mac[5], 0x42);
	assert_int_equal(li.txqlen, 77);
	assert_string_equal(li.alias, "");
	assert_false(li.flags & IFF_UP);
	assert_ip_field(NULL, "vtl", ".mtu", "1400");
	assert_ip_field(NULL, "vtl", ".address", "02:00:00:00:00:42");
	assert_ip_field(NULL, "vtl", ".ifalias // \"\"", "");
	assert_ip_field(NULL, "vtl", ".operstate", "DOWN");
	vmtap_tap_free(tap);
}

static void test_bridge(void **state)
{
	struct vmtap_ctx *ctx = CTX(state);
	VMTAP_OPTS(vmtap_link_set_opts, on_br, .master = "vbr0", .state = VMTAP_LINK_UP);
	VMTAP_OPTS(vmtap_link_set_opts, guest, .master = "vbr0", .set_guest_mac = true,
		   .guest_mac = { 0x52, 0x54, 0x00, 1, 2, 3 });
	VMTAP_OPTS(vmtap_link_set_opts, guest_fe, .master = "vbr0", .set_guest_mac = true,
		   .guest_mac = { 0xfe, 0x54, 0x00, 1, 2, 3 });
	VMTAP_OPTS(vmtap_link_set_opts, own_mtu, .master = "vbr0", .mtu = 1300);
	VMTAP_OPTS(vmtap_link_set_opts, detach, .nomaster = true);
	struct vmtap_tap *a, *b, *c, *d;
	struct vmtap_link_info li, br;

	/* an uplink with an ordinary address, as a host bridge has: the bridge takes the lowest port address */
	assert_int_equal(itest_sh("ip link add vbr0 type bridge && ip link set vbr0 mtu 9000 up && "
				  "ip link add vup0 mtu 9000 address 52:54:00:aa:bb:cc type veth peer name vup1 mtu 9000 && "
				  "ip link set vup0 master vbr0"), 0);
	a = mk_tap(ctx, "vtb0", NULL, &on_br);
	get_link(ctx, NULL, "vtb0", &li);
	get_link(ctx, NULL, "vbr0", &br);
	assert_int_equal(li.master_ifindex, br.ifindex);
	assert_string_equal(li.master_name, "vbr0");
	assert_int_equal(li.mtu, 9000);         /* the bridge's MTU, set before enslaving */
	assert_int_equal(li.mac[0], 0xfe);      /* never the bridge's lowest address */
	assert_ip_field(NULL, "vtb0", ".master", "vbr0");
	assert_ip_field(NULL, "vtb0", ".linkinfo.info_slave_kind", "bridge");

	b = mk_tap(ctx, "vtb1", NULL, &guest);
	get_link(ctx, NULL, "vtb1", &li);
	assert_memory_equal(li.mac, ((uint8_t[]){ 0xfe, 0x54, 0x00, 1, 2, 3 }), 6);
	c = mk_tap(ctx, "vtb2", NULL, &guest_fe);
	get_link(ctx, NULL, "vtb2", &li);
	assert_int_equal(li.mac[0], 0xfa);
	d = mk_tap(ctx, "vtb3", NULL, &own_mtu);
	get_link(ctx, NULL, "vtb3", &li);
	assert_int_equal(li.mtu, 1300);
	/* the bridge kept its uplink's address: our FE/FA addresses sort above ordinary ones */
	get_link(ctx, NULL, "vbr0", &br);
	assert_memory_equal(br.mac, ((uint8_t[]){ 0x52, 0x54, 0x00, 0xaa, 0xbb, 0xcc }), 6);

	assert_int_equal(vmtap_link_set(ctx, NULL, "vtb0", &detach), 0);
	get_link(ctx, NULL, "vtb0", &li);
	assert_int_equal(li.master_ifindex, 0);
	assert_ip_field(NULL, "vtb0", ".master // \"none\"", "none");

	vmtap_tap_free(a);
	vmtap_tap_free(b);
	vmtap_tap_free(c);
	vmtap_tap_free(d);
	assert_int_equal(itest_sh("ip link del vup0 && ip link del vbr0"), 0);
}

struct bad_link {
	const char *label;
	struct vmtap_link_set_opts link;
	int err;
	const char *step;
	const char *needle;
};

static void test_bad_values(void **state)
{
	struct vmtap_ctx *ctx = CTX(state);
	const size_t sz = sizeof(struct vmtap_link_set_opts);
	const struct bad_link cases[] = {
		{ "mtu 67", { .sz = sz, .mtu = 67 }, -EINVAL, "validate", "68..65535" },
		{ "mtu 65536", { .sz = sz, .mtu = 65536 }, -EINVAL, "validate", "68..65535" },
		{ "mtu above tap max", { .sz = sz, .mtu = 65535 }, -EINVAL, "validate", "range of" },
		{ "multicast mac", { .sz = sz, .set_mac = true, .mac = { 1, 0, 0x5e, 0, 0, 1 } }, -EINVAL, "validate", "unicast" },
		{ "zero mac", { .sz = sz, .set_mac = true }, -EINVAL, "validate", "unicast" },
		{ "both macs", { .sz = sz, .set_mac = true, .mac = { 2 }, .set_guest_mac = true, .guest_mac = { 2 } }, -EINVAL, "validate", "not both" },
		{ "no bridge", { .sz = sz, .master = "vnobr" }, -ENODEV, "set master", "does not exist" },
		{ "master not a bridge", { .sz = sz, .master = "lo" }, -EINVAL, "validate", "not a bridge" },
		{ "bad bridge name", { .sz = sz, .master = "a/b" }, -EINVAL, "validate", "'/'" },
		{ "master and nomaster", { .sz = sz, .master = "x", .nomaster = true }, -EINVAL, "validate", "nomaster" },
		{ "move in create", { .sz = sz, .move_netns = "x" }, -EINVAL, "validate", "namespace" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		VMTAP_OPTS(vmtap_tap_opts, o, .name = "vtbad", .link = &cases[i].link);
		struct vmtap_tap *tap = NULL;
		int r = vmtap_tap_create(ctx, &o, &tap);
		if (r != cases[i].err || strcmp(vmtap_ctx_error_step(ctx), cases[i].step) ||
		    !strstr(vmtap_ctx_error(ctx), cases[i].needle))
			fail_msg("%s: got %d step '%s' '%s'", cases[i].label, r, vmtap_ctx_error_step(ctx),
				 vmtap_ctx_error(ctx));
		assert_null(tap);
		assert_int_equal(itest_tun_count(NULL), 0);
	}
	/* a namespace that does not exist: nothing created anywhere */
	VMTAP_OPTS(vmtap_tap_opts, nons, .name = "vtbad", .netns = "vmtap-no-such-ns");
	struct vmtap_tap *tap = NULL;
	assert_int_equal(vmtap_tap_create(ctx, &nons, &tap), -ENOENT);
	assert_non_null(strstr(vmtap_ctx_error(ctx), "vmtap-no-such-ns"));
	assert_null(tap);
}

/* The kernel refuses a setting: the device it was applied to is put back as it was. */
static void test_set_rollback(void **state)
{
	struct vmtap_ctx *ctx = CTX(state);
	VMTAP_OPTS(vmtap_link_set_opts, base, .mtu = 2000, .alias = "before");
	/* MTU and alias are applied by the kernel before the master, which it refuses for a bridge */
	VMTAP_OPTS(vmtap_link_set_opts, refused, .mtu = 1600, .alias = "after", .master = "vrb0");
	struct vmtap_tap *tap = mk_tap(ctx, "vtrb", NULL, &base);
	struct vmtap_link_info li;

	assert_int_equal(itest_sh("ip link add vrb0 type bridge && ip link add vrb1 type bridge"), 0);
	assert_true(vmtap_link_set(ctx, NULL, "vrb1", &refused) < 0);
	assert_string_equal(vmtap_ctx_error_step(ctx), "set master");
	assert_non_null(strstr(vmtap_ctx_error(ctx), "kernel: "));  /* the kernel's ext-ack text */
	get_link(ctx, NULL, "vrb1", &li);
	assert_int_equal(li.mtu, 1500);
	assert_string_equal(li.alias, "");
	assert_int_equal(li.master_ifindex, 0);

#ifdef VMTAP_FAULT_INJECTION
	/* the move, the last step, fails: the settings applied before it are undone */
	{
		struct vmtap_ctx *fctx;
		VMTAP_OPTS(vmtap_link_set_opts, mv, .mtu = 3000, .alias = "moved", .move_netns = "vmtap-it-b");
		assert_int_equal(itest_sh("ip netns add vmtap-it-b"), 0);
		setenv("VMTAP_TEST_FAULT", "move to namespace", 1);
		assert_int_equal(vmtap_ctx_new(&fctx), 0);
		unsetenv("VMTAP_TEST_FAULT");
		assert_int_equal(vmtap_link_set(fctx, NULL, "vtrb", &mv), -EIO);
		assert_string_equal(vmtap_ctx_error_step(fctx), "move to namespace");
		vmtap_ctx_free(fctx);
		get_link(ctx, NULL, "vtrb", &li);
		assert_int_equal(li.mtu, 2000);
		assert_string_equal(li.alias, "before");
		assert_int_equal(itest_tun_count("vmtap-it-b"), 0);
		assert_int_equal(itest_sh("ip netns del vmtap-it-b"), 0);
	}
#endif
	vmtap_tap_free(tap);
	assert_int_equal(itest_sh("ip link del vrb0 && ip link del vrb1"), 0);
}

#ifdef VMTAP_FAULT_INJECTION
struct undo_log {
	int undo_lines;
	char last[512];
};

static void undo_log_cb(enum vmtap_log_level level, const char *msg, void *userdata)
{
	struct undo_log *l = userdata;

	if (level == VMTAP_LOG_ERR && !strncmp(msg, "undo: ", 6)) {
		l->undo_lines++;
		snprintf(l->last, sizeof(l->last), "%s", msg);
	}
}

/*
 * The kernel refuses a setting, then putting the others back fails too: the
 * caller still sees the step that failed first with the kernel's extended
 * ack, and the undo's failure is said in the log, not passed off as the error.
 */
static void test_failure_then_failing_undo(void **state)
{
	struct vmtap_ctx *fctx;
	VMTAP_OPTS(vmtap_link_set_opts, refused, .mtu = 1600, .alias = "after", .master = "vub0");
	struct undo_log log = { 0 };

	(void)state;
	assert_int_equal(itest_sh("ip link add vub0 type bridge && ip link add vub1 type bridge"), 0);
	setenv("VMTAP_TEST_FAULT", "restore link", 1);
	assert_int_equal(vmtap_ctx_new(&fctx), 0);
	unsetenv("VMTAP_TEST_FAULT");
	vmtap_ctx_set_log(fctx, undo_log_cb, &log, VMTAP_LOG_DEBUG);
	assert_int_equal(vmtap_link_set(fctx, NULL, "vub1", &refused), -ELOOP); /* the bridge driver's answer */
	assert_string_equal(vmtap_ctx_error_step(fctx), "set master");
	assert_int_equal(vmtap_ctx_error_code(fctx), -ELOOP);
	assert_string_equal(vmtap_ctx_error_extack(fctx), "Can not enslave a bridge to a bridge");
	assert_non_null(strstr(vmtap_ctx_error(fctx), "(kernel: Can not enslave a bridge to a bridge)"));
	assert_int_equal(log.undo_lines, 1);
	assert_non_null(strstr(log.last, "undo: restore link: injected fault"));
	vmtap_ctx_free(fctx);
	assert_int_equal(itest_sh("ip link del vub0 && ip link del vub1"), 0);
}

/* Link settings fail during create: the new device is removed. */
static void test_create_rollback(void **state)
{
	VMTAP_OPTS(vmtap_link_set_opts, lo, .mtu = 3000, .state = VMTAP_LINK_UP);
	VMTAP_OPTS(vmtap_tap_opts, o, .name = "vtcr", .queues = 2, .flags = VMTAP_TAP_PERSIST, .link = &lo);
	struct vmtap_ctx *fctx;
	struct vmtap_tap *tap = NULL;

	(void)state;
	setenv("VMTAP_TEST_FAULT", "set link", 1);
	assert_int_equal(vmtap_ctx_new(&fctx), 0);
	unsetenv("VMTAP_TEST_FAULT");
	assert_int_equal(vmtap_tap_create(fctx, &o, &tap), -EIO);
	assert_string_equal(vmtap_ctx_error_step(fctx), "set link");
	assert_null(tap);
	vmtap_ctx_free(fctx);
	assert_int_equal(itest_tun_count(NULL), 0);
}
#endif

static void test_namespaces(void **state)
{
	struct vmtap_ctx *ctx = CTX(state);
	VMTAP_OPTS(vmtap_link_set_opts, lo, .mtu = 1450, .state = VMTAP_LINK_UP);
	VMTAP_OPTS(vmtap_link_set_opts, mv, .move_netns = "vmtap-it-b");
	VMTAP_OPTS(vmtap_link_set_opts, back, .move_netns = "vmtap-it-a", .mtu = 1460);
	struct vmtap_tap *tap;
	struct vmtap_link_info li;
	char own[64], path[64];
	pid_t pid;

	assert_int_equal(itest_sh("ip netns add vmtap-it-a && ip netns add vmtap-it-b"), 0);
	/* created inside a named namespace: present there, absent here */
	tap = mk_tap(ctx, "vtns", "vmtap-it-a", &lo);
	get_link(ctx, "vmtap-it-a", "vtns", &li);
	assert_int_equal(li.mtu, 1450);
	assert_int_equal(li.tun_num_queues, 4);
	assert_int_equal(itest_tun_count(NULL), 0);
	assert_ip_field("vmtap-it-a", "vtns", ".mtu", "1450");
	/* our thread never left its namespace */
	assert_int_equal(readlink("/proc/thread-self/ns/net", own, sizeof(own)) > 0, 1);

	/* moved to the other namespace, with its queues still attached */
	assert_int_equal(vmtap_link_set(ctx, "vmtap-it-a", "vtns", &mv), 0);
	assert_int_equal(itest_tun_count("vmtap-it-a"), 0);
	get_link(ctx, "vmtap-it-b", "vtns", &li);
	assert_int_equal(li.tun_num_queues, 4);
	/* and back, changing the MTU on the way */
	assert_int_equal(vmtap_link_set(ctx, "/run/netns/vmtap-it-b", "vtns", &back), 0);
	get_link(ctx, "vmtap-it-a", "vtns", &li);
	assert_int_equal(li.mtu, 1460);
	vmtap_tap_free(tap);
	assert_int_equal(itest_tun_count("vmtap-it-a"), 0);

	/* a namespace given as /proc/PID/ns/net */
	pid = fork();
	if (pid == 0) {
		execlp("ip", "ip", "netns", "exec", "vmtap-it-b", "sleep", "60", (char *)NULL);
		_exit(127);
	}
	snprintf(path, sizeof(path), "/proc/%d/ns/net", (int)pid);
	for (int i = 0; i < 200; i++) { /* bounded wait until the child has entered the namespace */
		char a[64] = "", b[64] = "";
		if (readlink(path, a, sizeof(a) - 1) > 0 && readlink("/run/netns/vmtap-it-b", b, sizeof(b) - 1) < 0) {
			/* /run/netns entries are bind mounts, not links: compare through ip instead */
		}
		char *cmp = itest_sh_out("[ \"$(stat -L -c %%i %s)\" = \"$(stat -L -c %%i /run/netns/vmtap-it-b)\" ] && echo same", path);
		bool same = cmp && !strncmp(cmp, "same", 4);
		free(cmp);
		if (same)
			break;
		usleep(10000);
	}
	tap = mk_tap(ctx, "vtpid", path, NULL);
	get_link(ctx, "vmtap-it-b", "vtpid", &li);
	assert_int_equal(li.tun_num_queues, 4);
	vmtap_tap_free(tap);
	kill(pid, SIGTERM);
	waitpid(pid, NULL, 0);

	char now[64];
	assert_int_equal(readlink("/proc/thread-self/ns/net", now, sizeof(now)) > 0, 1);
	assert_memory_equal(own, now, strlen("net:["));
	assert_int_equal(itest_sh("ip netns del vmtap-it-a && ip netns del vmtap-it-b"), 0);
}

static void test_bulk_delete_500(void **state)
{
	struct vmtap_ctx *ctx = CTX(state);
	enum { N = 500 };
	static char names[N][16];
	const char *ptrs[N];
	VMTAP_OPTS(vmtap_link_set_opts, up, .state = VMTAP_LINK_UP);

	for (int i = 0; i < N; i++) {
		VMTAP_OPTS(vmtap_tap_opts, o, .name = names[i], .flags = VMTAP_TAP_PERSIST, .link = &up);
		struct vmtap_tap *tap;
		snprintf(names[i], sizeof(names[i]), "vtbk%d", i);
		ptrs[i] = names[i];
		assert_int_equal(vmtap_tap_create(ctx, &o, &tap), 0);
		vmtap_tap_free(tap);
	}
	assert_int_equal(itest_tun_count(NULL), N);
	assert_int_equal(itest_sh("ip link add vbk-keep type dummy 2>/dev/null || ip link add vbk-keep type bridge"), 0);
	assert_int_equal(vmtap_link_delete_many(ctx, NULL, ptrs, N), 0);
	assert_int_equal(itest_tun_count(NULL), 0);
	/* other devices are untouched */
	assert_int_equal(itest_sh("ip link show vbk-keep >/dev/null && ip link del vbk-keep"), 0);
}

struct seen {
	char names[4096][16];
	int n;
	bool dup;
};

static int seen_cb(const struct vmtap_link_info *li, void *data)
{
	struct seen *s = data;

	for (int i = 0; i < s->n; i++)
		if (!strcmp(s->names[i], li->name))
			s->dup = true;
	if (s->n < 4096)
		snprintf(s->names[s->n++], 16, "%s", li->name);
	return 0;
}

static void count_interrupted(enum vmtap_log_level level, const char *msg, void *userdata)
{
	(void)level;
	if (strstr(msg, "interrupted"))
		(*(int *)userdata)++;
}

/* Dumps race links that come and go: each call must succeed and list every link once. */
static void test_dump_while_links_change(void **state)
{
	struct vmtap_ctx *ctx = CTX(state);
	static struct seen s;
	int failures = 0, dups = 0, interrupted = 0;
	pid_t pid;

	vmtap_ctx_set_log(ctx, count_interrupted, &interrupted, VMTAP_LOG_DEBUG);
	for (int i = 0; i < 300; i++) {
		VMTAP_OPTS(vmtap_tap_opts, o, .name = "vtst%d");
		struct vmtap_tap *tap;
		assert_int_equal(vmtap_tap_create(ctx, &o, &tap), 0);
		vmtap_tap_free(tap); /* not persistent: gone again */
	}
	for (int i = 0; i < 200; i++) {
		VMTAP_OPTS(vmtap_tap_opts, o, .name = "vtkeep%d", .flags = VMTAP_TAP_PERSIST);
		struct vmtap_tap *tap;
		assert_int_equal(vmtap_tap_create(ctx, &o, &tap), 0);
		vmtap_tap_free(tap);
	}
	pid = fork();
	if (pid == 0) {
		struct vmtap_ctx *c;
		if (vmtap_ctx_new(&c) < 0)
			_exit(1);
		for (int i = 0; i < 400; i++) {
			VMTAP_OPTS(vmtap_tap_opts, o, .name = "vtchurn%d");
			struct vmtap_tap *tap;
			if (vmtap_tap_create(c, &o, &tap) == 0)
				vmtap_tap_free(tap);
		}
		_exit(0);
	}
	for (int i = 0; i < 150; i++) {
		s.n = 0;
		s.dup = false;
		if (vmtap_link_foreach(ctx, NULL, 0, seen_cb, &s) < 0) {
			fprintf(stderr, "dump %d: %s\n", i, vmtap_ctx_error(ctx));
			failures++;
		}
		dups += s.dup;
	}
	assert_int_equal(waitpid(pid, NULL, 0), pid);
	fprintf(stderr, "dumps racing link changes: %d interrupted and repeated\n", interrupted);
	vmtap_ctx_set_log(ctx, NULL, NULL, VMTAP_LOG_WARNING);
	assert_int_equal(failures, 0);
	assert_int_equal(dups, 0);
	/* and the context still works afterwards */
	{
		char names[200][16];
		const char *ptrs[200];
		for (int i = 0; i < 200; i++) {
			snprintf(names[i], 16, "vtkeep%d", i);
			ptrs[i] = names[i];
		}
		assert_int_equal(vmtap_link_delete_many(ctx, NULL, ptrs, 200), 0);
	}
}

/*
 * Bulk deletes while another process makes and removes links without pause:
 * dump after dump is interrupted, and each bulk delete must still succeed,
 * delete exactly the links it was given and leave the others.
 */
/* An output struct of an older caller, smaller than ours, gets no byte past its end; sz 0 is refused. */
static void test_link_info_sizes(void **state)
{
	struct vmtap_ctx *ctx = CTX(state);
	struct {
		struct vmtap_link_info li;
		unsigned char guard[64];
	} buf;
	const size_t sizes[] = { offsetof(struct vmtap_link_info, qdisc), offsetof(struct vmtap_link_info, alias) };

	for (size_t v = 0; v < sizeof(sizes) / sizeof(sizes[0]); v++) {
		memset(&buf, 0xaa, sizeof(buf));
		buf.li.sz = sizes[v];
		assert_int_equal(vmtap_link_get(ctx, NULL, "lo", &buf.li), 0);
		assert_string_equal(buf.li.name, "lo");
		assert_int_equal(buf.li.sz, sizes[v]);
		for (size_t k = buf.li.sz; k < sizeof(buf); k++)
			if (((unsigned char *)&buf)[k] != 0xaa)
				fail_msg("sz %zu: byte %zu written", buf.li.sz, k);
	}
	/* no size, or one that does not even reach the name: refused, nothing written */
	for (size_t sz = 0; sz <= offsetof(struct vmtap_link_info, name); sz += offsetof(struct vmtap_link_info, name)) {
		memset(&buf, 0xaa, sizeof(buf));
		buf.li.sz = sz;
		assert_int_equal(vmtap_link_get(ctx, NULL, "lo", &buf.li), -EINVAL);
		assert_string_equal(vmtap_ctx_error_step(ctx), "validate");
		assert_int_equal(buf.li.sz, sz);
	}
	memset(&buf, 0, sizeof(buf));
	buf.li.sz = sizeof(buf.li);
	assert_int_equal(vmtap_link_get(ctx, NULL, "lo", &buf.li), 0);
	assert_string_equal(buf.li.qdisc, "noqueue");
}

static pid_t churn_pid;

/* A failed assertion leaves the churn running: stop it before the leak check. */
static int churn_teardown(void **state)
{
	if (churn_pid > 0) {
		kill(churn_pid, SIGKILL);
		waitpid(churn_pid, NULL, 0);
		churn_pid = 0;
		(void)!system("for d in $(ip -o link show type tun | awk -F': ' '$2 ~ /^vt(churn|bd|bg)/ {print $2}'); "
			      "do ip link del \"${d%@*}\"; done");
	}
	return itest_teardown(state);
}

static void test_bulk_delete_while_links_change(void **state)
{
	struct vmtap_ctx *ctx = CTX(state);
	int interrupted = 0, stop[2];
	pid_t pid;

	assert_int_equal(pipe(stop), 0);
	pid = fork();
	if (pid == 0) {
		struct vmtap_ctx *c;
		close(stop[1]);
		if (vmtap_ctx_new(&c) < 0)
			_exit(1);
		(void)fcntl(stop[0], F_SETFL, O_NONBLOCK);
		/* until the parent closes its end: read() returns 0 then, -1 (EAGAIN) before */
		for (char b; read(stop[0], &b, 1) < 0;) {
			VMTAP_OPTS(vmtap_tap_opts, o, .name = "vtchurn%d");
			struct vmtap_tap *tap;
			if (vmtap_tap_create(c, &o, &tap) == 0)
				vmtap_tap_free(tap);
		}
		_exit(0);
	}
	churn_pid = pid;
	close(stop[0]);
	/* links enough that a dump spans many messages, so that changes can interrupt it */
	for (int i = 0; i < 300; i++) {
		VMTAP_OPTS(vmtap_tap_opts, o, .name = "vtbg%d", .flags = VMTAP_TAP_PERSIST);
		struct vmtap_tap *tap;
		assert_int_equal(vmtap_tap_create(ctx, &o, &tap), 0);
		vmtap_tap_free(tap);
	}
	vmtap_ctx_set_log(ctx, count_interrupted, &interrupted, VMTAP_LOG_DEBUG);
	/* how often a dump is interrupted is up to the scheduler: test_bulk_delete_interrupted_dumps forces it */
	for (int round = 0; round < 25; round++) {
		char names[40][16];
		const char *ptrs[40];
		for (int i = 0; i < 40; i++) {
			VMTAP_OPTS(vmtap_tap_opts, o, .name = names[i], .flags = VMTAP_TAP_PERSIST);
			struct vmtap_tap *tap;
			snprintf(names[i], 16, "vtbd%d", i);
			ptrs[i] = names[i];
			assert_int_equal(vmtap_tap_create(ctx, &o, &tap), 0);
			vmtap_tap_free(tap);
		}
		/* the last 10 stay for the check below */
		if (vmtap_link_delete_many(ctx, NULL, ptrs, 30) < 0)
			fail_msg("round %d: %s", round, vmtap_ctx_error(ctx));
		for (int i = 0; i < 40; i++) {
			struct vmtap_link_info li = { .sz = sizeof(li) };
			assert_int_equal(vmtap_link_get(ctx, NULL, names[i], &li), i < 30 ? -ENODEV : 0);
		}
		assert_int_equal(vmtap_link_delete_many(ctx, NULL, ptrs + 30, 10), 0);
	}
	close(stop[1]);
	assert_int_equal(waitpid(pid, NULL, 0), pid);
	churn_pid = 0;
	vmtap_ctx_set_log(ctx, NULL, NULL, VMTAP_LOG_WARNING);
	fprintf(stderr, "bulk deletes racing link changes: %d dumps interrupted and repeated\n", interrupted);
	{
		char names[300][16];
		const char *ptrs[300];
		for (int i = 0; i < 300; i++) {
			snprintf(names[i], 16, "vtbg%d", i);
			ptrs[i] = names[i];
		}
		assert_int_equal(vmtap_link_delete_many(ctx, NULL, ptrs, 300), 0);
	}
}

#ifdef VMTAP_FAULT_INJECTION
/*
 * Every dump interrupted (a test-only fault): a listing gives up with a clear
 * error after 5 tries, where a bulk delete takes the last dump, in which every
 * link that existed throughout is present, and deletes exactly its links.
 */
static void test_bulk_delete_interrupted_dumps(void **state)
{
	struct vmtap_ctx *ctx;
	char names[6][16];
	const char *ptrs[6];
	int interrupted = 0;
	(void)state;

	for (int i = 0; i < 6; i++) {
		VMTAP_OPTS(vmtap_tap_opts, o, .name = names[i], .flags = VMTAP_TAP_PERSIST);
		struct vmtap_tap *tap;
		snprintf(names[i], 16, "vtdi%d", i);
		ptrs[i] = names[i];
		assert_int_equal(vmtap_tap_create(CTX(state), &o, &tap), 0);
		vmtap_tap_free(tap);
	}
	setenv("VMTAP_TEST_FAULT", "dump interrupted", 1);
	assert_int_equal(vmtap_ctx_new(&ctx), 0);
	unsetenv("VMTAP_TEST_FAULT");
	vmtap_ctx_set_log(ctx, count_interrupted, &interrupted, VMTAP_LOG_DEBUG);
	assert_int_equal(vmtap_link_foreach(ctx, NULL, VMTAP_LINK_TUN_ONLY, seen_cb, &(struct seen){ 0 }), -EINTR);
	assert_non_null(strstr(vmtap_ctx_error(ctx), "kept changing"));
	assert_int_equal(interrupted, 4);
	assert_int_equal(vmtap_link_delete_many(ctx, NULL, ptrs, 5), 0);
	assert_int_equal(interrupted, 8);
	assert_int_equal(itest_tun_count(NULL), 1);
	assert_true(vmtap_link_get(ctx, NULL, "vtdi5", &(struct vmtap_link_info){ .sz = sizeof(struct vmtap_link_info) }) == 0);
	vmtap_ctx_free(ctx);
	assert_int_equal(vmtap_link_delete(CTX(state), NULL, "vtdi5"), 0);
}
#endif

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_settings_round_trip, itest_setup, itest_teardown),
		cmocka_unit_test_setup_teardown(test_link_info_sizes, itest_setup, itest_teardown),
		cmocka_unit_test_setup_teardown(test_bridge, itest_setup, itest_teardown),
		cmocka_unit_test_setup_teardown(test_bad_values, itest_setup, itest_teardown),
		cmocka_unit_test_setup_teardown(test_set_rollback, itest_setup, itest_teardown),
#ifdef VMTAP_FAULT_INJECTION
		cmocka_unit_test_setup_teardown(test_create_rollback, itest_setup, itest_teardown),
		cmocka_unit_test_setup_teardown(test_failure_then_failing_undo, itest_setup, itest_teardown),
#endif
		cmocka_unit_test_setup_teardown(test_namespaces, itest_setup, itest_teardown),
		cmocka_unit_test_setup_teardown(test_bulk_delete_500, itest_setup, itest_teardown),
		cmocka_unit_test_setup_teardown(test_dump_while_links_change, itest_setup, itest_teardown),
		cmocka_unit_test_setup_teardown(test_bulk_delete_while_links_change, itest_setup, churn_teardown),
#ifdef VMTAP_FAULT_INJECTION
		cmocka_unit_test_setup_teardown(test_bulk_delete_interrupted_dumps, itest_setup, itest_teardown),
#endif
	};

	itest_enter_private_namespace();
	return cmocka_run_group_tests_name("integration-link", tests, NULL, NULL);
}

/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Integration tests of endpoints: transactions, fault injection, crashes killed at random, gc, hostile state files, concurrency. */
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
#define STATE_DIR "/run/vmtap-it"

static int setup(void **state)
{
	int r = itest_setup(state);
	if (r == 0)
		r = vmtap_ctx_set_state_dir(CTX(state), STATE_DIR);
	return r;
}

/* After each test: besides the usual checks, no record or lock file may be left. */
static int teardown(void **state)
{
	/* the directory's identity stays by design: anything else is a leak */
	char *left = itest_sh_out("ls -A " STATE_DIR " 2>/dev/null | grep -vx .state-id");
	bool clean = !left || !left[0];

	if (!clean)
		fprintf(stderr, "LEAK: state directory holds:\n%s", left);
	(void)!system("rm -rf " STATE_DIR);
	free(left);
	return itest_teardown(state) == 0 && clean ? 0 : -1;
}

static bool file_exists(const char *name)
{
	char path[256];
	struct stat st;
	snprintf(path, sizeof(path), STATE_DIR "/%s", name);
	return lstat(path, &st) == 0;
}

/* The state directory's identity, as its tags carry it (static buffer). */
static const char *state_identity(void)
{
	static char id[32];
	char *out = itest_sh_out("cat " STATE_DIR "/.state-id");

	assert_non_null(out);
	assert_int_equal(strlen(out), 17);
	snprintf(id, sizeof(id), "%.16s", out);
	free(out);
	return id;
}

static int tagged_count(const char *netns)
{
	char *out = itest_sh_out("ip %s%s -o link show | grep -c 'alias vmtap:' || true", netns ? "-n " : "",
				 netns ? netns : "");
	int n = out ? atoi(out) : -1;
	free(out);
	return n;
}

static void test_create_destroy(void **state)
{
	struct vmtap_ctx *ctx = CTX(state);
	VMTAP_OPTS(vmtap_endpoint_spec, spec, .queues = 4, .mtu = 1400);
	struct vmtap_endpoint *ep = NULL;
	struct vmtap_link_info li = { .sz = sizeof(li) };
	struct stat st;
	uint8_t mac[6], want[6];

	assert_int_equal(vmtap_endpoint_create(ctx, "vm7-net0", &spec, &ep), 0);
	assert_string_equal(vmtap_endpoint_id(ep), "vm7-net0");
	assert_int_equal(vmtap_endpoint_state(ep), VMTAP_EP_READY);
	assert_int_equal(vmtap_endpoint_queues(ep), 4);
	assert_true(vmtap_endpoint_vnet_hdr(ep));
	vmtap_endpoint_guest_mac(ep, mac);
	vmtap_endpoint_default_mac("vm7-net0", want);
	assert_memory_equal(mac, want, 6);
	assert_int_equal(mac[0], 0x52);

	/* the device: tagged, persistent, configured, host-side MAC */
	assert_int_equal(vmtap_link_get(ctx, NULL, vmtap_endpoint_ifname(ep), &li), 0);
	assert_int_equal(strncmp(li.alias, "vmtap:vm7-net0@", 15), 0);
	assert_string_equal(li.alias + 15, state_identity());
	assert_true(li.tun_persist);
	assert_true(li.tun_multi_queue);
	assert_int_equal(li.mtu, 1400);
	assert_int_equal(li.mac[0], 0xfe);
	assert_memory_equal(li.mac + 1, want + 1, 5);
	/* the record: 0600 in a 0700 directory */
	assert_int_equal(stat(STATE_DIR, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0700);
	assert_int_equal(stat(STATE_DIR "/vm7-net0.json", &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_non_null(strstr(vmtap_endpoint_json(ep), "\"state\":\"ready\""));
	vmtap_endpoint_free(ep);

	/* loading gives the same */
	assert_int_equal(vmtap_endpoint_load(ctx, "vm7-net0", &ep), 0);
	assert_string_equal(vmtap_endpoint_ifname(ep), li.name);
	vmtap_endpoint_free(ep);

	assert_int_equal(vmtap_endpoint_destroy(ctx, "vm7-net0"), 0);
	assert_int_equal(itest_tun_count(NULL), 0);
	assert_false(file_exists("vm7-net0.json"));
	assert_false(file_exists("vm7-net0.lock"));
	assert_int_equal(vmtap_endpoint_destroy(ctx, "vm7-net0"), -ENOENT);
	assert_int_equal(vmtap_endpoint_load(ctx, "vm7-net0", &ep), -ENOENT);
}

/*
 * An endpoint's queues go to one process at a time: while they are open, a
 * second open is refused by the kernel's queue count, with the recorded QEMU
 * pid as a hint, whatever that pid is now (it may have been reused).
 */
static void test_open_in_use(void **state)
{
	struct vmtap_ctx *ctx = CTX(state);

	for (unsigned int queues = 1; queues <= 4; queues += 3) {
		VMTAP_OPTS(vmtap_endpoint_spec, spec, .queues = queues);
		/* pid 1 stands for a QEMU long gone whose pid is someone else's now */
		VMTAP_OPTS(vmtap_hypervisor_info, hv, .pid = 1, .device_id = "vmtap-vm8", .netdev_id = "hostvmtap-vm8");
		struct vmtap_tap *a = NULL, *b = NULL;

		assert_int_equal(vmtap_endpoint_create(ctx, "vm8", &spec, NULL), 0);
		assert_int_equal(vmtap_endpoint_set_hypervisor(ctx, "vm8", &hv), 0);
		/* nothing holds the queues: the recorded pid alone does not refuse */
		assert_int_equal(vmtap_endpoint_open(ctx, "vm8", &a), 0);
		assert_int_equal(vmtap_tap_queues(a), queues);
		assert_int_equal(vmtap_endpoint_open(ctx, "vm8", &b), -EBUSY);
		assert_null(b);
		if (queues > 1)
			assert_non_null(strstr(vmtap_ctx_error(ctx), "queue(s) open in another process"));
		assert_non_null(strstr(vmtap_ctx_error(ctx), "recorded: QEMU pid 1, device vmtap-vm8"));
		vmtap_tap_free(a);
		assert_int_equal(vmtap_endpoint_open(ctx, "vm8", &b), 0);
		vmtap_tap_free(b);
		assert_int_equal(vmtap_endpoint_destroy(ctx, "vm8"), 0);
	}
}

static void test_exists(void **state)
{
	struct vmtap_ctx *ctx = CTX(state);
	VMTAP_OPTS(vmtap_endpoint_spec, spec, .ifname = "vte0");
	VMTAP_OPTS(vmtap_endpoint_spec, other, .ifname = "vte1", .queues = 2);
	struct vmtap_endpoint *ep = (void *)0x1;

	assert_int_equal(vmtap_endpoint_create(ctx, "dup", &spec, NULL), 0);
	assert_int_equal(vmtap_endpoint_create(ctx, "dup", &other, &ep), -EEXIST);
	assert_ptr_equal(ep, (void *)0x1);
	assert_non_null(strstr(vmtap_ctx_error(ctx), "exists"));
	assert_int_equal(itest_tun_count(NULL), 1);
	/* the device name is taken by the first: a new endpoint on it is refused, nothing recorded */
	assert_int_equal(vmtap_endpoint_create(ctx, "dup2", &spec, NULL), -EBUSY);
	assert_false(file_exists("dup2.json"));
	assert_int_equal(vmtap_endpoint_destroy(ctx, "dup"), 0);
}

static void test_bad_specs(void **state)
{
	struct vmtap_ctx *ctx = CTX(state);
	const size_t sz = sizeof(struct vmtap_endpoint_spec);
	static const char *const bad_ids[] = { "", "../x", "a/b", ".hidden", "a b", "x\n", "é",
		"01234567890123456789012345678901234567890123456789012345678901234" };
	const struct { struct vmtap_endpoint_spec s; const char *needle; } bad[] = {
		{ { .sz = sz, .queues = 257 }, "1..256" },
		{ { .sz = sz, .ifname = "a/b" }, "'/'" },
		{ { .sz = sz, .mtu = 67 }, "68..65535" },
		{ { .sz = sz, .set_guest_mac = true, .guest_mac = { 1, 2, 3, 4, 5, 6 } }, "unicast" },
		{ { .sz = sz, .connection = VMTAP_CONNECT_BRIDGE }, "bridge name" },
		{ { .sz = sz, .bridge = "br0" }, "a bridge was given with the none connection" },
		{ { .sz = sz, .flags = 0x100 }, "unknown endpoint flags" },
		{ { .sz = sz, .netns = "../x" }, "plain name" },
	};

	for (size_t i = 0; i < sizeof(bad_ids) / sizeof(bad_ids[0]); i++) {
		VMTAP_OPTS(vmtap_endpoint_spec, spec);
		assert_int_equal(vmtap_endpoint_create(ctx, bad_ids[i], &spec, NULL), -EINVAL);
		assert_string_equal(vmtap_ctx_error_step(ctx), "validate");
		assert_int_equal(vmtap_endpoint_destroy(ctx, bad_ids[i]), -EINVAL);
		assert_int_equal(vmtap_endpoint_id_validate(bad_ids[i]), -EINVAL);
	}
	assert_int_equal(vmtap_endpoint_id_validate("vm7-net0.a_b"), 0);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int r = vmtap_endpoint_create(ctx, "bad", &bad[i].s, NULL);
		if (r != -EINVAL || !strstr(vmtap_ctx_error(ctx), bad[i].needle))
			fail_msg("case %zu: %d '%s'", i, r, vmtap_ctx_error(ctx));
	}
	/* a bridge that does not exist fails at its step, after the record: all undone */
	VMTAP_OPTS(vmtap_endpoint_spec, nobr, .connection = VMTAP_CONNECT_BRIDGE, .bridge = "vnobr");
	assert_int_equal(vmtap_endpoint_create(ctx, "bad", &nobr, NULL), -ENODEV);
	assert_string_equal(vmtap_ctx_error_step(ctx), "set master");
	assert_int_equal(itest_tun_count(NULL), 0);
	assert_false(file_exists("bad.json"));
	(void)!system("rm -rf " STATE_DIR);
}

/* What the record's reader would refuse is refused when written: the record never gets stuck. */
static void test_hypervisor_values_checked(void **state)
{
	struct vmtap_ctx *ctx = CTX(state);
	struct vmtap_endpoint *ep;
	static const struct vmtap_hypervisor_info bad[] = {
		{ .sz = sizeof(bad[0]), .device_id = "net 0" },
		{ .sz = sizeof(bad[0]), .netdev_id = "0host" },
		{ .sz = sizeof(bad[0]), .device_id = "net0", .pci_addr = "0000:00:02.0\n" },
		{ .sz = sizeof(bad[0]), .pid = -1 },
	};

	assert_int_equal(vmtap_endpoint_create(ctx, "hvchk", NULL, NULL), 0);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(vmtap_endpoint_set_hypervisor(ctx, "hvchk", &bad[i]), -EINVAL);
		assert_string_equal(vmtap_ctx_error_step(ctx), "validate");
	}
	assert_int_equal(vmtap_endpoint_load(ctx, "hvchk", &ep), 0);
	vmtap_endpoint_free(ep);
	assert_int_equal(vmtap_endpoint_destroy(ctx, "hvchk"), 0);
}

#ifdef VMTAP_FAULT_INJECTION
static void test_fault_each_step(void **state)
{
	static const char *const steps[] = { "lock", "record creating", "create device", "open queue",
					     "set link", "set persist", "record ready" };
	(void)state;
	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		VMTAP_OPTS(vmtap_endpoint_spec, spec, .queues = 2, .mtu = 1300);
		struct vmtap_ctx *fctx = itest_fault_ctx(STATE_DIR, steps[i]);
		int r = vmtap_endpoint_create(fctx, "faulty", &spec, NULL);

		if (r != -EIO || strcmp(vmtap_ctx_error_step(fctx), steps[i]))
			fail_msg("fault at '%s': %d, step '%s': %s", steps[i], r, vmtap_ctx_error_step(fctx),
				 vmtap_ctx_error(fctx));
		vmtap_ctx_free(fctx);
		assert_int_equal(itest_tun_count(NULL), 0);
		assert_false(file_exists("faulty.json"));
		assert_false(file_exists("faulty.lock"));
	}
}

static void count_undo_cb(enum vmtap_log_level level, const char *msg, void *userdata)
{
	if (level == VMTAP_LOG_ERR && strstr(msg, "undo: unset persist: injected fault"))
		(*(int *)userdata)++;
}

/*
 * The record step fails, and then so does the undo's first step: the caller
 * sees the first failure's step, the undo's own failure is logged, and what
 * the undo could not remove is a tagged device that gc deletes.
 */
static void test_fault_then_failing_undo(void **state)
{
	struct vmtap_ctx *ctx = CTX(state);
	VMTAP_OPTS(vmtap_endpoint_spec, spec, .queues = 2, .ifname = "vtundo");
	struct vmtap_ctx *fctx = itest_fault_ctx(STATE_DIR, "record ready,unset persist");
	int undo_failures = 0;

	vmtap_ctx_set_log(fctx, count_undo_cb, &undo_failures, VMTAP_LOG_DEBUG);
	assert_int_equal(vmtap_endpoint_create(fctx, "undo", &spec, NULL), -EIO);
	assert_string_equal(vmtap_ctx_error_step(fctx), "record ready");
	assert_non_null(strstr(vmtap_ctx_error(fctx), "record ready: injected fault"));
	assert_int_equal(undo_failures, 1);
	vmtap_ctx_free(fctx);
	/* the record is gone, the persistent tagged device stayed: an orphan of this directory */
	assert_false(file_exists("undo.json"));
	assert_int_equal(itest_tun_count(NULL), 1);
	assert_int_equal(vmtap_gc(ctx, 0, NULL, NULL), 1);
	assert_int_equal(itest_tun_count(NULL), 0);
}

static void test_destroy_fault_then_gc(void **state)
{
	struct vmtap_ctx *ctx = CTX(state);
	VMTAP_OPTS(vmtap_endpoint_spec, spec);
	struct vmtap_ctx *fctx = itest_fault_ctx(STATE_DIR, "delete device");
	struct vmtap_endpoint *ep;

	assert_int_equal(vmtap_endpoint_create(ctx, "halfdone", &spec, NULL), 0);
	assert_int_equal(vmtap_endpoint_destroy(fctx, "halfdone"), -EIO);
	vmtap_ctx_free(fctx);
	assert_int_equal(vmtap_endpoint_load(ctx, "halfdone", &ep), 0);
	assert_int_equal(vmtap_endpoint_state(ep), VMTAP_EP_DESTROYING);
	vmtap_endpoint_free(ep);
	assert_int_equal(itest_tun_count(NULL), 1);
	assert_int_equal(vmtap_gc(ctx, 0, NULL, NULL), 1);
	assert_int_equal(itest_tun_count(NULL), 0);
	assert_false(file_exists("halfdone.json"));
}
#endif

static void test_destroy_idempotent(void **state)
{
	struct vmtap_ctx *ctx = CTX(state);
	VMTAP_OPTS(vmtap_endpoint_spec, spec, .ifname = "vtid0");
	VMTAP_OPTS(vmtap_endpoint_spec, inns, .ifname = "vtid1", .netns = "vmtap-it-ep");

	/* device deleted behind our back */
	assert_int_equal(vmtap_endpoint_create(ctx, "gone", &spec, NULL), 0);
	assert_int_equal(itest_sh("ip link del vtid0"), 0);
	assert_int_equal(vmtap_endpoint_destroy(ctx, "gone"), 0);
	assert_false(file_exists("gone.json"));

	/* namespace deleted behind our back */
	assert_int_equal(itest_sh("ip netns add vmtap-it-ep"), 0);
	assert_int_equal(vmtap_endpoint_create(ctx, "nsgone", &inns, NULL), 0);
	assert_int_equal(itest_tun_count("vmtap-it-ep"), 1);
	assert_int_equal(itest_sh("ip netns del vmtap-it-ep"), 0);
	assert_int_equal(vmtap_endpoint_destroy(ctx, "nsgone"), 0);
	assert_false(file_exists("nsgone.json"));

	/* a device of the same name that is not ours any more is left alone */
	assert_int_equal(vmtap_endpoint_create(ctx, "replaced", &spec, NULL), 0);
	assert_int_equal(itest_sh("ip link del vtid0 && ip tuntap add dev vtid0 mode tap"), 0);
	assert_int_equal(vmtap_endpoint_destroy(ctx, "replaced"), 0);
	assert_int_equal(itest_sh("ip link show vtid0 >/dev/null && ip link del vtid0"), 0);
	(void)!system("rm -rf " STATE_DIR);
}

struct gc_log {
	int counts[16];
	int dry;
};

static void gc_cb(const struct vmtap_gc_event *ev, void *userdata)
{
	struct gc_log *log = userdata;

	log->counts[ev->action]++;
	log->dry += ev->dry_run;
	if (getenv("VMTAP_TEST_VERBOSE"))
		fprintf(stderr, "gc event %d id %s dev %s: %s\n", ev->action, ev->id ? ev->id : "-",
			ev->ifname ? ev->ifname : "-", ev->detail ? ev->detail : "");
}

static void write_file(const char *name, const char *text)
{
	char path[256];
	FILE *f;
	snprintf(path, sizeof(path), STATE_DIR "/%s", name);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void test_gc(void **state)
{
	struct vmtap_ctx *ctx = CTX(state);
	VMTAP_OPTS(vmtap_endpoint_spec, a, .ifname = "vtgc0");
	VMTAP_OPTS(vmtap_endpoint_spec, b, .ifname = "vtgc1");
	struct gc_log log = { 0 };
	const char *sid;

	/* untagged and foreign-tagged devices that gc must never touch */
	assert_int_equal(itest_sh("ip tuntap add dev keep0 mode tap && ip tuntap add dev keep1 mode tap && "
				  "ip link set keep1 alias notvmtap:x && ip link add keepbr type bridge && "
				  "ip link set keepbr alias vmtap:"), 0);
	assert_int_equal(vmtap_endpoint_create(ctx, "alive", &a, NULL), 0);
	assert_int_equal(vmtap_endpoint_create(ctx, "vanished", &b, NULL), 0);
	assert_int_equal(itest_sh("ip link del vtgc1"), 0);
	sid = state_identity();
	/* an orphan of this directory: its record is gone (tags can only be forged from outside vmtap) */
	assert_int_equal(itest_sh("ip tuntap add dev vtgc2 mode tap && ip link set vtgc2 alias vmtap:orphan@%s", sid), 0);
	/* a creation whose process died after tagging its device */
	assert_int_equal(itest_sh("ip tuntap add dev vtgc3 mode tap && ip link set vtgc3 alias vmtap:crashed@%s", sid), 0);
	write_file("crashed.json", "{\"version\":1,\"id\":\"crashed\",\"state\":\"creating\",\"pid\":999999,"
		   "\"spec\":{\"queues\":1,\"vnet_hdr\":true,\"vhost\":false,\"guest_mac\":\"52:54:00:00:00:01\","
		   "\"host_mac\":\"fe:54:00:00:00:01\",\"connection\":{\"type\":\"none\"}},"
		   "\"device\":{\"ifname\":\"vtgc3\",\"ifindex\":0}}");
	/*
	 * Never gc's to delete, even though they look like orphans: a bridge and a veth with this
	 * directory's tag (vmtap makes neither), a TAP of another state directory, and a TAP with an
	 * old tag that no record here names.
	 */
	assert_int_equal(itest_sh("ip link add tagbr type bridge && ip link set tagbr alias vmtap:br@%s && "
				  "ip link add tagve0 type veth peer name tagve1 && ip link set tagve0 alias vmtap:ve@%s && "
				  "ip tuntap add dev foreign0 mode tap && ip link set foreign0 alias vmtap:x@0123456789abcdef && "
				  "ip tuntap add dev oldtag0 mode tap && ip link set oldtag0 alias vmtap:old", sid, sid), 0);

	/* dry run: reports, changes nothing */
	assert_int_equal(vmtap_gc(ctx, VMTAP_GC_DRY_RUN, gc_cb, &log), 7);
	assert_int_equal(log.dry, 7);
	assert_int_equal(log.counts[VMTAP_GC_DELETED_ORPHAN], 1);
	assert_int_equal(log.counts[VMTAP_GC_REMOVED_RECORD], 1);
	assert_int_equal(log.counts[VMTAP_GC_ROLLED_BACK], 1);
	assert_int_equal(log.counts[VMTAP_GC_LEFT_ALONE], 4);
	assert_int_equal(tagged_count(NULL), 8);
	assert_true(file_exists("vanished.json"));

	memset(&log, 0, sizeof(log));
	assert_int_equal(vmtap_gc(ctx, 0, gc_cb, &log), 7);
	assert_int_equal(log.counts[VMTAP_GC_DELETED_ORPHAN], 1);
	assert_int_equal(log.counts[VMTAP_GC_REMOVED_RECORD], 1);
	assert_int_equal(log.counts[VMTAP_GC_ROLLED_BACK], 1);
	assert_int_equal(log.counts[VMTAP_GC_LEFT_ALONE], 4);
	/* alive's device, the bridge with a bare "vmtap:", and the four left alone */
	assert_int_equal(tagged_count(NULL), 6);
	assert_false(file_exists("vanished.json"));
	assert_false(file_exists("crashed.json"));
	assert_int_equal(itest_sh("ip link show vtgc0 >/dev/null && ip link show keep0 >/dev/null && "
				  "ip link show keep1 >/dev/null && ip link show keepbr >/dev/null && "
				  "ip link show tagbr >/dev/null && ip link show tagve0 >/dev/null && ip link show tagve1 >/dev/null && "
				  "ip link show foreign0 >/dev/null && ip link show oldtag0 >/dev/null"), 0);
	/* nothing left to do but to say again what is left alone */
	memset(&log, 0, sizeof(log));
	assert_int_equal(vmtap_gc(ctx, 0, gc_cb, &log), 4);
	assert_int_equal(log.counts[VMTAP_GC_LEFT_ALONE], 4);

	assert_int_equal(vmtap_endpoint_destroy(ctx, "alive"), 0);
	assert_int_equal(itest_sh("for d in keep0 keep1 keepbr tagbr tagve0 foreign0 oldtag0; do ip link del $d; done"), 0);
}

/* A valid record, but of id "other": found under another id's name it must not be trusted. */
#define RECORD_OF_OTHER "{\"version\":1,\"id\":\"other\",\"state\":\"ready\",\"pid\":1,\"spec\":{\"queues\":1," \
	"\"vnet_hdr\":true,\"vhost\":false,\"guest_mac\":\"52:54:00:00:00:01\",\"host_mac\":\"fe:54:00:00:00:01\"," \
	"\"connection\":{\"type\":\"none\"}},\"device\":{\"ifname\":\"keep0\",\"ifindex\":1}}"

static void test_hostile_state_files(void **state)
{
	struct vmtap_ctx *ctx = CTX(state);
	VMTAP_OPTS(vmtap_endpoint_spec, spec);
	struct vmtap_endpoint *ep = NULL;
	struct gc_log log = { 0 };
	const struct { const char *id; const char *needle; } cases[] = {
		{ "corrupt", "cannot be parsed" },
		{ "truncated", "cannot be parsed" },
		{ "symlinked", "symbolic link" },
		{ "oversized", "limit" },
		{ "wrongid", "another id" },
	};
	char *before, *after;

	assert_int_equal(itest_sh("mkdir -p -m 0700 " STATE_DIR " && cd " STATE_DIR " && "
				  "printf 'not json' > corrupt.json && "
				  "printf '{\"version\":1,\"id\":\"truncated\",\"state\":\"rea' > truncated.json && "
				  "echo secret > /tmp/vmtap-it-target && ln -s /tmp/vmtap-it-target symlinked.json && "
				  "head -c 70000 /dev/zero | tr '\\\\0' ' ' > oversized.json && "
				  "printf '%%s' '" RECORD_OF_OTHER "' > wrongid.json"), 0);
	before = itest_sh_out("cd " STATE_DIR " && ls -l --time-style=+ . && md5sum *.json /tmp/vmtap-it-target 2>&1");

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_not_equal(vmtap_endpoint_load(ctx, cases[i].id, &ep), 0);
		assert_null(ep);
		if (!strstr(vmtap_ctx_error(ctx), cases[i].needle) || !strstr(vmtap_ctx_error(ctx), cases[i].id))
			fail_msg("%s: '%s'", cases[i].id, vmtap_ctx_error(ctx));
		/* never overwritten by a create, never removed by a destroy */
		assert_int_not_equal(vmtap_endpoint_create(ctx, cases[i].id, &spec, NULL), 0);
		assert_int_not_equal(vmtap_endpoint_destroy(ctx, cases[i].id), 0);
	}
	assert_int_equal(vmtap_gc(ctx, 0, gc_cb, &log), 5);
	assert_int_equal(log.counts[VMTAP_GC_UNPARSEABLE], 5);
	after = itest_sh_out("cd " STATE_DIR " && ls -l --time-style=+ . && md5sum *.json /tmp/vmtap-it-target 2>&1");
	assert_non_null(before);
	assert_non_null(after);
	/* lock files may have appeared beside them; the records and the link target are unchanged */
	{
		char *b = itest_sh_out("cd " STATE_DIR " && md5sum *.json /tmp/vmtap-it-target 2>&1; readlink symlinked.json");
		assert_non_null(strstr(before, "corrupt.json"));
		assert_non_null(b);
		assert_non_null(strstr(b, "/tmp/vmtap-it-target"));
		free(b);
	}
	assert_int_equal(itest_tun_count(NULL), 0);
	free(before);
	free(after);
	(void)!system("rm -rf " STATE_DIR " /tmp/vmtap-it-target");
}

/* ---- concurrency and crashes, with real processes ---- */

static void test_same_id_16_processes(void **state)
{
	enum { N = 16 };
	pid_t pids[N];
	int ok = 0, exists = 0;
	VMTAP_OPTS(vmtap_endpoint_spec, spec, .queues = 2);

	for (int i = 0; i < N; i++) {
		pids[i] = fork();
		if (pids[i] == 0) {
			struct vmtap_ctx *c;
			int r;
			if (vmtap_ctx_new(&c) < 0 || vmtap_ctx_set_state_dir(c, STATE_DIR) < 0)
				_exit(99);
			r = vmtap_endpoint_create(c, "contended", &spec, NULL);
			_exit(r == 0 ? 0 : r == -EEXIST ? 17 : 98);
		}
	}
	for (int i = 0; i < N; i++) {
		int st = itest_wait_status(pids[i]);
		ok += st == 0;
		exists += st == 17;
	}
	assert_int_equal(ok, 1);
	assert_int_equal(exists, N - 1);
	assert_int_equal(itest_tun_count(NULL), 1);
	assert_int_equal(vmtap_endpoint_destroy(CTX(state), "contended"), 0);
	(void)!system("rm -rf " STATE_DIR);
}

static int count_cb(const struct vmtap_endpoint *ep, const char *file, const char *error, void *userdata)
{
	(void)file;
	(void)error;
	if (ep && vmtap_endpoint_state(ep) == VMTAP_EP_READY)
		(*(int *)userdata)++;
	return 0;
}

static void test_100_ids_in_parallel(void **state)
{
	enum { N = 100 };
	pid_t pids[N];
	int failed = 0, listed = 0;

	for (int i = 0; i < N; i++) {
		pids[i] = fork();
		if (pids[i] == 0) {
			VMTAP_OPTS(vmtap_endpoint_spec, spec, .queues = 2);
			struct vmtap_ctx *c;
			char id[32];
			snprintf(id, sizeof(id), "par-%d", i);
			if (vmtap_ctx_new(&c) < 0 || vmtap_ctx_set_state_dir(c, STATE_DIR) < 0)
				_exit(99);
			_exit(vmtap_endpoint_create(c, id, &spec, NULL) == 0 ? 0 : 1);
		}
	}
	for (int i = 0; i < N; i++)
		failed += itest_wait_status(pids[i]) != 0;
	assert_int_equal(failed, 0);
	assert_int_equal(itest_tun_count(NULL), N);
	assert_int_equal(vmtap_endpoint_foreach(CTX(state), count_cb, &listed), 0);
	assert_int_equal(listed, N);
	for (int i = 0; i < N; i++) {
		pids[i] = fork();
		if (pids[i] == 0) {
			struct vmtap_ctx *c;
			char id[32];
			snprintf(id, sizeof(id), "par-%d", i);
			if (vmtap_ctx_new(&c) < 0 || vmtap_ctx_set_state_dir(c, STATE_DIR) < 0)
				_exit(99);
			_exit(vmtap_endpoint_destroy(c, id) == 0 ? 0 : 1);
		}
	}
	for (int i = 0; i < N; i++)
		failed += itest_wait_status(pids[i]) != 0;
	assert_int_equal(failed, 0);
	assert_int_equal(itest_tun_count(NULL), 0);
	(void)!system("rm -rf " STATE_DIR);
}

struct kill_tally {
	int exited, killed_ready, rolled_back, orphans, removed, other;
};

static void kill_gc_cb(const struct vmtap_gc_event *ev, void *userdata)
{
	struct kill_tally *t = userdata;
	switch (ev->action) {
	case VMTAP_GC_ROLLED_BACK:
		t->rolled_back++;
		break;
	case VMTAP_GC_DELETED_ORPHAN:
		t->orphans++;
		break;
	case VMTAP_GC_REMOVED_RECORD:
		t->removed++;
		break;
	default:
		t->other++;
		fprintf(stderr, "gc: action %d id %s: %s\n", ev->action, ev->id ? ev->id : "-",
			ev->detail ? ev->detail : "");
	}
}

/* Every tagged device has a ready record naming it, and every record is ready with its device. */
static int check_consistent(struct vmtap_ctx *ctx, int *ret_ready)
{
	char *bad = itest_sh_out(
		"cd " STATE_DIR " 2>/dev/null || exit 0; "
		"for d in $(ip -o link show | sed -n 's/^[0-9]*: \\([^:@]*\\).*alias vmtap:\\(.*\\)$/\\1=\\2/p'); do "
		"  n=${d%%=*}; id=${d#*=}; id=${id%%@*}; "
		"  grep -q '\"state\":\"ready\"' $id.json 2>/dev/null && grep -q \"\\\"ifname\\\":\\\"$n\\\"\" $id.json || echo \"orphan $n $id\"; "
		"done; "
		"for f in *.json; do [ -e \"$f\" ] || continue; grep -q '\"state\":\"ready\"' $f || echo \"stale $f\"; "
		"  n=$(sed -n 's/.*\"ifname\":\"\\([^\"]*\\)\".*/\\1/p' $f | tail -1); ip link show $n >/dev/null 2>&1 || echo \"nodevice $f\"; "
		"done");
	int ready = 0, r = 0;

	if (bad && bad[0]) {
		fprintf(stderr, "inconsistent:\n%s", bad);
		r = -1;
	}
	free(bad);
	vmtap_endpoint_foreach(ctx, count_cb, &ready);
	*ret_ready = ready;
	return r;
}

static void test_sigkill_loop(void **state)
{
	struct vmtap_ctx *ctx = CTX(state);
	const char *vmtap = getenv("VMTAP_BIN");
	const int tries = getenv("VMTAP_KILL_TRIES") ? atoi(getenv("VMTAP_KILL_TRIES")) : 200;
	struct kill_tally t = { 0 };
	int killed = 0;

	if (!vmtap)
		skip();
	assert_int_equal(itest_sh("ip tuntap add dev keep0 mode tap && ip tuntap add dev keep1 mode tap multi_queue && "
				  "ip link set keep1 alias someone-else"), 0);
	/*
	 * Kill points must cover a whole create whatever this build's speed (a
	 * sanitizer build is several times slower): time some undisturbed runs
	 * of the 8-queue worst case first.
	 */
	long window_us = 0;
	for (int i = 0; i < 3; i++) {
		struct timespec a, b;
		clock_gettime(CLOCK_MONOTONIC, &a);
		assert_int_equal(itest_sh("'%s' --state-dir " STATE_DIR " endpoint create calib --queues 8 --mtu 1400 >/dev/null",
					  vmtap), 0);
		clock_gettime(CLOCK_MONOTONIC, &b);
		assert_int_equal(vmtap_endpoint_destroy(ctx, "calib"), 0);
		long us = (b.tv_sec - a.tv_sec) * 1000000 + (b.tv_nsec - a.tv_nsec) / 1000;
		if (us > window_us)
			window_us = us;
	}
	window_us = window_us * 5 / 4; /* a little past the end too */
	fprintf(stderr, "sigkill loop: kill points spread over 0..%ld us\n", window_us);
	for (int i = 0; i < tries; i++) {
		char id[32], queues[8];
		uint32_t rnd = 0;
		struct timespec delay;
		pid_t pid;
		int st, ready;

		snprintf(id, sizeof(id), "k%d", i);
		(void)!getrandom(&rnd, sizeof(rnd), 0);
		snprintf(queues, sizeof(queues), "%u", 1 + (rnd >> 24) % 8);
		pid = fork();
		if (pid == 0) {
			int null = open("/dev/null", O_WRONLY);
			dup2(null, 1);
			dup2(null, 2);
			execl(vmtap, vmtap, "--state-dir", STATE_DIR, "endpoint", "create", id, "--queues", queues,
			      "--mtu", "1400", (char *)NULL);
			_exit(127);
		}
		/* a kill point anywhere in a create */
		delay.tv_sec = 0;
		delay.tv_nsec = (long)(rnd % (uint32_t)window_us) * 1000;
		nanosleep(&delay, NULL);
		kill(pid, SIGKILL);
		st = itest_wait_status(pid);
		if (st == 128 + SIGKILL)
			killed++;
		else if (st == 0)
			t.exited++;
		else
			fail_msg("try %d: vmtap exited %d", i, st);
		assert_true(vmtap_gc(ctx, 0, kill_gc_cb, &t) >= 0);
		if (check_consistent(ctx, &ready) < 0)
			fail_msg("try %d: not consistent after gc", i);
		/* no stray lock or temporary file either */
		{
			char *stray = itest_sh_out("cd " STATE_DIR " && ls -A | grep -v '^%s\\.\\(json\\|lock\\)$' | grep -vx .state-id || true", id);
			if (stray && stray[0]) {
				fprintf(stderr, "try %d: stray files after gc: %s", i, stray);
				free(stray);
				fail();
			}
			free(stray);
		}
		if (ready) {
			assert_int_equal(vmtap_endpoint_destroy(ctx, id), 0);
			t.killed_ready += st != 0; /* killed after its record said ready */
		}
	}
	fprintf(stderr, "sigkill loop: %d tries: %d exited 0, %d killed (%d of them after \"ready\"); gc: %d rolled "
		"back, %d orphans deleted, %d records removed, %d other\n", tries, t.exited, killed, t.killed_ready,
		t.rolled_back, t.orphans, t.removed, t.other);
	assert_int_equal(t.other, 0);
	assert_int_equal(tagged_count(NULL), 0);
	/* untouched: the untagged devices made before */
	assert_int_equal(itest_sh("ip link show keep0 >/dev/null && ip -o link show keep1 | grep -q someone-else && "
				  "ip link del keep0 && ip link del keep1"), 0);
	(void)!system("rm -rf " STATE_DIR);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_create_destroy, setup, teardown),
		cmocka_unit_test_setup_teardown(test_open_in_use, setup, teardown),
		cmocka_unit_test_setup_teardown(test_exists, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_specs, setup, teardown),
#ifdef VMTAP_FAULT_INJECTION
		cmocka_unit_test_setup_teardown(test_fault_each_step, setup, teardown),
		cmocka_unit_test_setup_teardown(test_destroy_fault_then_gc, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fault_then_failing_undo, setup, teardown),
#endif
		cmocka_unit_test_setup_teardown(test_destroy_idempotent, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hypervisor_values_checked, setup, teardown),
		cmocka_unit_test_setup_teardown(test_gc, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hostile_state_files, setup, teardown),
		cmocka_unit_test_setup_teardown(test_same_id_16_processes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_100_ids_in_parallel, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sigkill_loop, setup, teardown),
	};

	itest_enter_private_namespace();
	return cmocka_run_group_tests_name("integration-endpoint", tests, NULL, NULL);
}

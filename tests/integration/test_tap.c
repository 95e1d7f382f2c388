/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Integration tests of the TAP core: real devices in a private network namespace, read back from the kernel. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <linux/if_tun.h>

#include "itest.h"

#define CTX(state) (((struct itest_state *)*(state))->ctx)

static void get_link(struct vmtap_ctx *ctx, const char *name, struct vmtap_link_info *li)
{
	memset(li, 0, sizeof(*li));
	li->sz = sizeof(*li);
	int r = vmtap_link_get(ctx, NULL, name, li);
	if (r < 0)
		fprintf(stderr, "link_get %s: %s\n", name, vmtap_ctx_error(ctx));
	assert_int_equal(r, 0);
}

static bool link_exists(struct vmtap_ctx *ctx, const char *name)
{
	struct vmtap_link_info li = { .sz = sizeof(li) };
	int r = vmtap_link_get(ctx, NULL, name, &li);
	assert_true(r == 0 || r == -ENODEV);
	return r == 0;
}

static void assert_all_cloexec(const struct vmtap_tap *tap)
{
	for (unsigned int i = 0; i < vmtap_tap_queues(tap); i++) {
		int fd = vmtap_tap_fd(tap, i);
		assert_true(fd >= 0);
		int fl = fcntl(fd, F_GETFD);
		assert_true(fl >= 0 && (fl & FD_CLOEXEC));
	}
}

static void test_queue_counts(void **state)
{
	struct vmtap_ctx *ctx = CTX(state);
	static const unsigned int counts[] = { 1, 2, 4, 8, 256 };

	for (size_t i = 0; i < sizeof(counts) / sizeof(counts[0]); i++) {
		VMTAP_OPTS(vmtap_tap_opts, o, .name = "vtq", .queues = counts[i]);
		struct vmtap_tap *tap = NULL;
		struct vmtap_link_info li;

		assert_int_equal(vmtap_tap_create(ctx, &o, &tap), 0);
		assert_string_equal(vmtap_tap_name(tap), "vtq");
		assert_int_equal(vmtap_tap_queues(tap), counts[i]);
		assert_true(vmtap_tap_vnet_hdr(tap));
		assert_all_cloexec(tap);
		get_link(ctx, "vtq", &li);
		assert_true(li.is_tun);
		assert_int_equal(li.tun_type, IFF_TAP);
		assert_int_equal(li.tun_num_queues, counts[i]);
		assert_int_equal(li.tun_multi_queue, counts[i] > 1);
		assert_true(li.tun_vnet_hdr);
		assert_false(li.tun_pi);
		assert_false(li.tun_persist);
		assert_int_equal(li.ifindex, vmtap_tap_ifindex(tap));
		vmtap_tap_free(tap);
		/* not persistent: gone with its fds */
		assert_false(link_exists(ctx, "vtq"));
	}
}

static void test_queue_257_refused(void **state)
{
	struct vmtap_ctx *ctx = CTX(state);
	VMTAP_OPTS(vmtap_tap_opts, o, .name = "vtq", .queues = 257);
	struct vmtap_tap *tap = (struct vmtap_tap *)0x1;

	assert_int_equal(vmtap_tap_create(ctx, &o, &tap), -EINVAL);
	assert_ptr_equal(tap, (struct vmtap_tap *)0x1); /* ret_* untouched on failure */
	assert_string_equal(vmtap_ctx_error_step(ctx), "validate");
	assert_non_null(strstr(vmtap_ctx_error(ctx), "1..256"));
	assert_int_equal(itest_tun_count(NULL), 0);
}

static void test_vnet_hdr_off(void **state)
{
	struct vmtap_ctx *ctx = CTX(state);
	VMTAP_OPTS(vmtap_tap_opts, o, .name = "vtnv", .queues = 2, .flags = VMTAP_TAP_NO_VNET_HDR);
	struct vmtap_tap *tap;
	struct vmtap_link_info li;

	assert_int_equal(vmtap_tap_create(ctx, &o, &tap), 0);
	assert_false(vmtap_tap_vnet_hdr(tap));
	get_link(ctx, "vtnv", &li);
	assert_false(li.tun_vnet_hdr);
	assert_true(li.tun_multi_queue);
	vmtap_tap_free(tap);
}

static void test_vnet_hdr_size(void **state)
{
	struct vmtap_ctx *ctx = CTX(state);
	static const unsigned int sizes[] = { 0, 10, 12, 20 };

	for (size_t i = 0; i < 4; i++) {
		VMTAP_OPTS(vmtap_tap_opts, o, .name = "vths", .vnet_hdr_sz = sizes[i],
			   .offloads = VMTAP_OFFLOAD_CSUM | VMTAP_OFFLOAD_TSO4 | VMTAP_OFFLOAD_TSO6);
		struct vmtap_tap *tap;
		int sz = 0;

		assert_int_equal(vmtap_tap_create(ctx, &o, &tap), 0);
		assert_int_equal(ioctl(vmtap_tap_fd(tap, 0), TUNGETVNETHDRSZ, &sz), 0);
		assert_int_equal(sz, sizes[i] ? (int)sizes[i] : 10);
		vmtap_tap_free(tap);
	}
}

static void test_names(void **state)
{
	struct vmtap_ctx *ctx = CTX(state);
	VMTAP_OPTS(vmtap_tap_opts, pat, .name = "vtp%d");
	VMTAP_OPTS(vmtap_tap_opts, dflt);
	struct vmtap_tap *a, *b, *c;

	assert_int_equal(vmtap_tap_create(ctx, &pat, &a), 0);
	assert_int_equal(vmtap_tap_create(ctx, &pat, &b), 0);
	assert_string_equal(vmtap_tap_name(a), "vtp0");
	assert_string_equal(vmtap_tap_name(b), "vtp1");
	assert_int_equal(vmtap_tap_create(ctx, &dflt, &c), 0);
	assert_int_equal(strlen(vmtap_tap_name(c)), 15);
	assert_memory_equal(vmtap_tap_name(c), "vmt", 3);
	assert_true(link_exists(ctx, vmtap_tap_name(c)));
	vmtap_tap_free(a);
	vmtap_tap_free(b);
	vmtap_tap_free(c);
}

static void test_exclusive(void **state)
{
	struct vmtap_ctx *ctx = CTX(state);
	VMTAP_OPTS(vmtap_tap_opts, o, .name = "vtx", .queues = 2,
		   .flags = VMTAP_TAP_PERSIST | VMTAP_TAP_SET_OWNER, .owner = 4321);
	VMTAP_OPTS(vmtap_tap_opts, again, .name = "vtx", .queues = 2);
	struct vmtap_tap *tap, *other = NULL;
	struct vmtap_link_info li;

	assert_int_equal(vmtap_tap_create(ctx, &o, &tap), 0);
	vmtap_tap_free(tap);
	assert_int_equal(vmtap_tap_create(ctx, &again, &other), -EBUSY);
	assert_null(other);
	assert_non_null(strstr(vmtap_ctx_error(ctx), "already exists"));
	/* the existing device is untouched */
	get_link(ctx, "vtx", &li);
	assert_true(li.tun_persist);
	assert_int_equal(li.tun_num_queues, 0);
	assert_int_equal(li.tun_owner, 4321);
	assert_int_equal(vmtap_link_delete(ctx, NULL, "vtx"), 0);
}

static void test_owner_group(void **state)
{
	struct vmtap_ctx *ctx = CTX(state);
	VMTAP_OPTS(vmtap_tap_opts, o, .name = "vtog",
		   .flags = VMTAP_TAP_SET_OWNER | VMTAP_TAP_SET_GROUP, .owner = 1234, .group = 5678);
	struct vmtap_tap *tap;
	struct vmtap_link_info li;

	assert_int_equal(vmtap_tap_create(ctx, &o, &tap), 0);
	get_link(ctx, "vtog", &li);
	assert_true(li.tun_has_owner);
	assert_true(li.tun_has_group);
	assert_int_equal(li.tun_owner, 1234);
	assert_int_equal(li.tun_group, 5678);
	vmtap_tap_free(tap);
}

static void test_persist_and_destroy(void **state)
{
	struct vmtap_ctx *ctx = CTX(state);
	VMTAP_OPTS(vmtap_tap_opts, o, .name = "vtps", .queues = 4, .flags = VMTAP_TAP_PERSIST);
	struct vmtap_tap *tap;
	struct vmtap_link_info li;

	assert_int_equal(vmtap_tap_create(ctx, &o, &tap), 0);
	vmtap_tap_free(tap);
	get_link(ctx, "vtps", &li);
	assert_true(li.tun_persist);
	assert_int_equal(li.tun_num_queues, 0);

	assert_int_equal(vmtap_tap_create(ctx, &o, &tap), -EBUSY);
	assert_int_equal(vmtap_tap_attach(ctx, &o, &tap), 0);
	assert_int_equal(vmtap_tap_destroy(ctx, tap), 0);
	assert_false(link_exists(ctx, "vtps"));
}

static void test_attach(void **state)
{
	struct vmtap_ctx *ctx = CTX(state);
	VMTAP_OPTS(vmtap_tap_opts, mk, .name = "vta", .queues = 4, .flags = VMTAP_TAP_PERSIST);
	VMTAP_OPTS(vmtap_tap_opts, at4, .name = "vta", .queues = 4);
	VMTAP_OPTS(vmtap_tap_opts, at2, .name = "vta", .queues = 2);
	VMTAP_OPTS(vmtap_tap_opts, single, .name = "vta", .queues = 1);
	VMTAP_OPTS(vmtap_tap_opts, novnet, .name = "vta", .queues = 2, .flags = VMTAP_TAP_NO_VNET_HDR);
	VMTAP_OPTS(vmtap_tap_opts, many, .name = "vta", .queues = 251);
	struct vmtap_tap *tap, *a, *b, *bad = NULL;
	struct vmtap_link_info li;

	assert_int_equal(vmtap_tap_create(ctx, &mk, &tap), 0);
	vmtap_tap_free(tap);

	assert_int_equal(vmtap_tap_attach(ctx, &at4, &a), 0);
	assert_all_cloexec(a);
	assert_int_equal(vmtap_tap_attach(ctx, &at2, &b), 0);
	get_link(ctx, "vta", &li);
	assert_int_equal(li.tun_num_queues, 6);

	assert_int_equal(vmtap_tap_attach(ctx, &single, &bad), -EINVAL);
	assert_non_null(strstr(vmtap_ctx_error(ctx), "multi-queue"));
	assert_int_equal(vmtap_tap_attach(ctx, &novnet, &bad), -EINVAL);
	assert_non_null(strstr(vmtap_ctx_error(ctx), "vnet header"));
	assert_int_equal(vmtap_tap_attach(ctx, &many, &bad), -E2BIG);
	assert_null(bad);
	/* failed attaches changed nothing */
	get_link(ctx, "vta", &li);
	assert_int_equal(li.tun_num_queues, 6);
	assert_true(li.tun_vnet_hdr);

	vmtap_tap_free(b);
	assert_int_equal(vmtap_tap_destroy(ctx, a), 0);
	assert_false(link_exists(ctx, "vta"));
}

/* `tc -j qdisc show dev NAME`: number of qdiscs and the root's kind */
static void tc_qdiscs(const char *name, int *ret_count, char *ret_root, size_t size)
{
	char *count = itest_sh_out("tc -j qdisc show dev %s | jq length", name);
	char *root = itest_sh_out("tc -j qdisc show dev %s | jq -r '.[] | select(.root == true) | .kind'", name);

	assert_non_null(count);
	assert_non_null(root);
	*ret_count = atoi(count);
	snprintf(ret_root, size, "%.*s", (int)strcspn(root, "\n"), root);
	free(count);
	free(root);
}

/*
 * A device vmtap creates gets a noqueue root while down, so going up allocates
 * no pfifo_fast per queue; with VMTAP_TAP_KERNEL_QDISC it keeps the kernel's
 * mq + 256 pfifo_fast; a device we only attach to keeps whatever it has.
 */
static void test_qdisc(void **state)
{
	struct vmtap_ctx *ctx = CTX(state);
	VMTAP_OPTS(vmtap_link_set_opts, up, .state = VMTAP_LINK_UP);
	VMTAP_OPTS(vmtap_tap_opts, nq, .name = "vtqd", .queues = 4, .flags = VMTAP_TAP_PERSIST);
	VMTAP_OPTS(vmtap_tap_opts, nq_up, .name = "vtqu", .queues = 4, .flags = VMTAP_TAP_PERSIST, .link = &up);
	VMTAP_OPTS(vmtap_tap_opts, kern, .name = "vtqk", .queues = 4,
		   .flags = VMTAP_TAP_PERSIST | VMTAP_TAP_KERNEL_QDISC, .link = &up);
	VMTAP_OPTS(vmtap_tap_opts, held, .name = "vtqh", .queues = 2);
	VMTAP_OPTS(vmtap_tap_opts, at, .name = "vtqk", .queues = 2);
	struct vmtap_tap *tap, *h;
	struct vmtap_link_info li;
	char root[32];
	int n;

	/* persistent, no link settings, brought up by its owner; and brought up as part of the creation */
	for (int up_by_owner = 1; up_by_owner >= 0; up_by_owner--) {
		const char *name = up_by_owner ? "vtqd" : "vtqu";
		assert_int_equal(vmtap_tap_create(ctx, up_by_owner ? &nq : &nq_up, &tap), 0);
		vmtap_tap_free(tap);
		if (up_by_owner)
			assert_int_equal(itest_sh("ip link set %s up", name), 0);
		get_link(ctx, name, &li);
		assert_true(li.tun_persist && (li.flags & IFF_UP));
		assert_string_equal(li.qdisc, "noqueue");
		tc_qdiscs(name, &n, root, sizeof(root));
		assert_int_equal(n, 1);
		assert_string_equal(root, "noqueue");
	}

	/* the kernel's default: mq with one pfifo_fast per possible queue */
	assert_int_equal(vmtap_tap_create(ctx, &kern, &tap), 0);
	vmtap_tap_free(tap);
	get_link(ctx, "vtqk", &li);
	assert_string_equal(li.qdisc, "mq");
	tc_qdiscs("vtqk", &n, root, sizeof(root));
	/* the dump lists the children of the queues in use (none attached: one), 256 exist */
	assert_true(n >= 2);
	assert_string_equal(root, "mq");

	/* attaching leaves the device's qdiscs alone */
	assert_int_equal(vmtap_tap_attach(ctx, &at, &tap), 0);
	get_link(ctx, "vtqk", &li);
	assert_string_equal(li.qdisc, "mq");
	vmtap_tap_free(tap);

	/* not persistent, fds held: noqueue too; the device goes with the fds */
	assert_int_equal(vmtap_tap_create(ctx, &held, &h), 0);
	get_link(ctx, "vtqh", &li);
	assert_string_equal(li.qdisc, "noqueue");
	assert_false(li.tun_persist);
	vmtap_tap_free(h);
	assert_false(link_exists(ctx, "vtqh"));

	const char *names[] = { "vtqd", "vtqu", "vtqk" };
	assert_int_equal(vmtap_link_delete_many(ctx, NULL, names, 3), 0);
}

static void test_attach_single_busy(void **state)
{
	struct vmtap_ctx *ctx = CTX(state);
	VMTAP_OPTS(vmtap_tap_opts, o, .name = "vts", .flags = VMTAP_TAP_PERSIST);
	VMTAP_OPTS(vmtap_tap_opts, at, .name = "vts");
	VMTAP_OPTS(vmtap_tap_opts, missing, .name = "vtnone");
	struct vmtap_tap *tap, *a, *bad = NULL;

	assert_int_equal(vmtap_tap_create(ctx, &o, &tap), 0);
	assert_int_equal(vmtap_tap_attach(ctx, &at, &bad), -EBUSY);
	assert_non_null(strstr(vmtap_ctx_error(ctx), "busy"));
	vmtap_tap_free(tap);
	assert_int_equal(vmtap_tap_attach(ctx, &at, &a), 0);
	assert_int_equal(vmtap_tap_destroy(ctx, a), 0);
	assert_int_equal(vmtap_tap_attach(ctx, &missing, &bad), -ENODEV);
	assert_null(bad);
}

static void test_attach_resets_state(void **state)
{
	struct vmtap_ctx *ctx = CTX(state);
	VMTAP_OPTS(vmtap_tap_opts, o, .name = "vtr", .queues = 2, .flags = VMTAP_TAP_PERSIST,
		   .vnet_hdr_sz = 20, .offloads = VMTAP_OFFLOAD_CSUM | VMTAP_OFFLOAD_TSO4);
	VMTAP_OPTS(vmtap_tap_opts, at, .name = "vtr", .queues = 2);
	struct vmtap_tap *tap;
	int sz = 0;

	assert_int_equal(vmtap_tap_create(ctx, &o, &tap), 0);
	assert_int_equal(ioctl(vmtap_tap_fd(tap, 1), TUNGETVNETHDRSZ, &sz), 0);
	assert_int_equal(sz, 20);
	vmtap_tap_free(tap);
	assert_int_equal(vmtap_tap_attach(ctx, &at, &tap), 0);
	assert_int_equal(ioctl(vmtap_tap_fd(tap, 0), TUNGETVNETHDRSZ, &sz), 0);
	assert_int_equal(sz, 10);
	assert_int_equal(vmtap_tap_destroy(ctx, tap), 0);

	/* a fresh device, where vmtap leaves the kernel's defaults alone, has them */
	{
		VMTAP_OPTS(vmtap_tap_opts, fresh, .name = "vtr", .queues = 2);
		int le = -1;
		assert_int_equal(vmtap_tap_create(ctx, &fresh, &tap), 0);
		assert_int_equal(ioctl(vmtap_tap_fd(tap, 1), TUNGETVNETHDRSZ, &sz), 0);
		assert_int_equal(sz, 10);
		if (ioctl(vmtap_tap_fd(tap, 0), TUNGETVNETLE, &le) == 0)
			assert_int_equal(le, 0);
		vmtap_tap_free(tap);
	}
}

static void test_queue_enable_disable(void **state)
{
	struct vmtap_ctx *ctx = CTX(state);
	VMTAP_OPTS(vmtap_tap_opts, o, .name = "vtqe", .queues = 4);
	VMTAP_OPTS(vmtap_tap_opts, one, .name = "vtq1");
	struct vmtap_tap *tap, *single;
	struct vmtap_link_info li;

	assert_int_equal(vmtap_tap_create(ctx, &o, &tap), 0);
	assert_int_equal(vmtap_tap_set_queue(ctx, tap, 2, VMTAP_QUEUE_DETACHED), 0);
	get_link(ctx, "vtqe", &li);
	assert_int_equal(li.tun_num_queues, 3);
	assert_int_equal(li.tun_num_disabled_queues, 1);
	assert_int_equal(vmtap_tap_set_queue(ctx, tap, 2, VMTAP_QUEUE_ATTACHED), 0);
	get_link(ctx, "vtqe", &li);
	assert_int_equal(li.tun_num_queues, 4);
	assert_int_equal(li.tun_num_disabled_queues, 0);
	assert_int_equal(vmtap_tap_set_queue(ctx, tap, 4, VMTAP_QUEUE_DETACHED), -EINVAL);
	vmtap_tap_free(tap);

	assert_int_equal(vmtap_tap_create(ctx, &one, &single), 0);
	assert_int_equal(vmtap_tap_set_queue(ctx, single, 0, VMTAP_QUEUE_DETACHED), -EOPNOTSUPP);
	vmtap_tap_free(single);
}

static void test_steal_fds(void **state)
{
	struct vmtap_ctx *ctx = CTX(state);
	VMTAP_OPTS(vmtap_tap_opts, o, .name = "vtst", .queues = 3);
	struct vmtap_tap *tap;
	int fds[3];

	assert_int_equal(vmtap_tap_create(ctx, &o, &tap), 0);
	assert_int_equal(vmtap_tap_steal_fds(tap, fds, 2), -EINVAL);
	assert_int_equal(vmtap_tap_steal_fds(tap, fds, 3), 0);
	assert_int_equal(vmtap_tap_fd(tap, 0), -EBADF);
	vmtap_tap_free(tap);
	/* the caller now owns the queues: the device lives until they are closed */
	assert_true(link_exists(ctx, "vtst"));
	for (int i = 0; i < 3; i++)
		close(fds[i]);
	assert_false(link_exists(ctx, "vtst"));
}

struct bad_case {
	const char *label;
	struct vmtap_tap_opts opts;
	int err;
	const char *needle;
};

static void test_bad_inputs(void **state)
{
	struct vmtap_ctx *ctx = CTX(state);
	const size_t sz = sizeof(struct vmtap_tap_opts);
	const struct bad_case cases[] = {
		{ "empty name", { .sz = sz, .name = "" }, -EINVAL, "empty" },
		{ "16 bytes", { .sz = sz, .name = "0123456789abcdef" }, -EINVAL, "limit is 15" },
		{ "slash", { .sz = sz, .name = "a/b" }, -EINVAL, "'/'" },
		{ "colon", { .sz = sz, .name = "a:b" }, -EINVAL, "':'" },
		{ "space", { .sz = sz, .name = "a b" }, -EINVAL, "whitespace" },
		{ "dotdot", { .sz = sz, .name = ".." }, -EINVAL, "not allowed" },
		{ "percent s", { .sz = sz, .name = "tap%s" }, -EINVAL, "%d" },
		{ "two percent", { .sz = sz, .name = "t%d%d" }, -EINVAL, "%d" },
		{ "0 queues via flags", { .sz = sz, .name = "vtb", .queues = 257 }, -EINVAL, "1..256" },
		{ "huge queues", { .sz = sz, .name = "vtb", .queues = 100000 }, -EINVAL, "1..256" },
		{ "unknown flags", { .sz = sz, .name = "vtb", .flags = 0x80000000u }, -EINVAL, "unknown flags" },
		{ "vnet both", { .sz = sz, .name = "vtb", .flags = VMTAP_TAP_NO_VNET_HDR | VMTAP_TAP_REQUIRE_VNET_HDR }, -EINVAL, "both" },
		{ "hdr size 11", { .sz = sz, .name = "vtb", .vnet_hdr_sz = 11 }, -EINVAL, "10, 12 or 20" },
		{ "unknown offload", { .sz = sz, .name = "vtb", .offloads = 0x100 }, -EINVAL, "unknown offload" },
		{ "tso without csum", { .sz = sz, .name = "vtb", .offloads = VMTAP_OFFLOAD_TSO4 }, -EINVAL, "csum" },
		{ "offload without vnet", { .sz = sz, .name = "vtb", .flags = VMTAP_TAP_NO_VNET_HDR, .offloads = 1 }, -EINVAL, "vnet header" },
		{ "no such netns", { .sz = sz, .name = "vtb", .netns = "vmtap-none-here" }, -ENOENT, "vmtap-none-here" },
		{ "netns not a netns", { .sz = sz, .name = "vtb", .netns = "/proc/self/ns/uts" }, -EINVAL, "not a network namespace" },
		{ "bad netns name", { .sz = sz, .name = "vtb", .netns = ".." }, -EINVAL, "plain name" },
		{ "tiny sz", { .sz = 2, .name = "vtb" }, -EINVAL, "unknown non-zero" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct vmtap_tap *tap = NULL;
		int r = vmtap_tap_create(ctx, &cases[i].opts, &tap);
		if (r != cases[i].err || !strstr(vmtap_ctx_error(ctx), cases[i].needle))
			fail_msg("%s: got %d '%s', wanted %d with '%s'", cases[i].label, r,
				 vmtap_ctx_error(ctx), cases[i].err, cases[i].needle);
		assert_null(tap);
		assert_int_equal(itest_tun_count(NULL), 0);
	}
}

/* A larger options struct from a newer caller: unknown tail must be zero. */
static void test_opts_forward_compat(void **state)
{
	struct vmtap_ctx *ctx = CTX(state);
	struct {
		struct vmtap_tap_opts o;
		uint64_t future;
	} big = { .o = { .sz = sizeof(big), .name = "vtfc" } };
	struct vmtap_tap *tap = NULL;

	assert_int_equal(vmtap_tap_create(ctx, &big.o, &tap), 0);
	vmtap_tap_free(tap);
	big.future = 1;
	tap = NULL;
	assert_int_equal(vmtap_tap_create(ctx, &big.o, &tap), -EINVAL);
	assert_null(tap);
}

#ifdef VMTAP_FAULT_INJECTION
static void test_fault_injection(void **state)
{
	static const char *const steps[] = { "create device", "set vnet header", "set offloads", "set owner",
					     "set group", "open queue", "set qdisc", "set persist" };
	(void)state;
	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		/* a header size and offloads other than the defaults, so that those steps happen */
		VMTAP_OPTS(vmtap_tap_opts, o, .name = "vtfi", .queues = 4,
			   .flags = VMTAP_TAP_PERSIST | VMTAP_TAP_SET_OWNER | VMTAP_TAP_SET_GROUP,
			   .owner = 1, .group = 1, .vnet_hdr_sz = 12, .offloads = VMTAP_OFFLOAD_CSUM);
		struct vmtap_ctx *fctx;
		struct vmtap_tap *tap = NULL;
		int r;

		setenv("VMTAP_TEST_FAULT", steps[i], 1);
		assert_int_equal(vmtap_ctx_new(&fctx), 0);
		unsetenv("VMTAP_TEST_FAULT");
		r = vmtap_tap_create(fctx, &o, &tap);
		if (r != -EIO || strcmp(vmtap_ctx_error_step(fctx), steps[i]))
			fail_msg("fault at '%s': got %d step '%s' (%s)", steps[i], r, vmtap_ctx_error_step(fctx),
				 vmtap_ctx_error(fctx));
		assert_null(tap);
		vmtap_ctx_free(fctx);
		assert_int_equal(itest_tun_count(NULL), 0);
	}
}

/* A kernel without the qdisc layer (CONFIG_NET_SCHED) answers RTM_NEWQDISC with EOPNOTSUPP: create goes on. */
static void test_no_qdisc_layer(void **state)
{
	VMTAP_OPTS(vmtap_link_set_opts, up, .state = VMTAP_LINK_UP);
	VMTAP_OPTS(vmtap_tap_opts, o, .name = "vtnq", .queues = 2, .flags = VMTAP_TAP_PERSIST, .link = &up);
	struct vmtap_ctx *fctx;
	struct vmtap_tap *tap = NULL;
	struct vmtap_link_info li;

	setenv("VMTAP_TEST_FAULT", "no qdisc layer", 1);
	assert_int_equal(vmtap_ctx_new(&fctx), 0);
	unsetenv("VMTAP_TEST_FAULT");
	assert_int_equal(vmtap_tap_create(fctx, &o, &tap), 0);
	vmtap_tap_free(tap);
	get_link(CTX(state), "vtnq", &li);
	assert_true(li.tun_persist && (li.flags & IFF_UP));
	assert_string_equal(li.qdisc, "mq");
	vmtap_ctx_free(fctx);
	assert_int_equal(vmtap_link_delete(CTX(state), NULL, "vtnq"), 0);
}

/* The group delete itself fails: every link is back in its group, and up if it was. */
static void test_delete_many_undo(void **state)
{
	VMTAP_OPTS(vmtap_link_set_opts, up, .state = VMTAP_LINK_UP);
	const char *names[] = { "vtdu0", "vtdu1", "vtdu2" };
	struct vmtap_ctx *fctx;
	struct vmtap_link_info li;

	for (int i = 0; i < 3; i++) {
		VMTAP_OPTS(vmtap_tap_opts, o, .name = names[i], .flags = VMTAP_TAP_PERSIST, .link = i < 2 ? &up : NULL);
		struct vmtap_tap *tap;
		assert_int_equal(vmtap_tap_create(CTX(state), &o, &tap), 0);
		vmtap_tap_free(tap);
	}
	assert_int_equal(itest_sh("ip link set vtdu1 group 7"), 0);
	setenv("VMTAP_TEST_FAULT", "delete group", 1);
	assert_int_equal(vmtap_ctx_new(&fctx), 0);
	unsetenv("VMTAP_TEST_FAULT");
	assert_int_equal(vmtap_link_delete_many(fctx, NULL, names, 3), -EIO);
	assert_string_equal(vmtap_ctx_error_step(fctx), "delete group");
	vmtap_ctx_free(fctx);
	for (int i = 0; i < 3; i++) {
		get_link(CTX(state), names[i], &li);
		assert_int_equal(li.group, i == 1 ? 7 : 0);
		assert_int_equal(!!(li.flags & IFF_UP), i < 2);
	}
	assert_int_equal(vmtap_link_delete_many(CTX(state), NULL, names, 3), 0);
}
#endif

static void test_delete_many(void **state)
{
	struct vmtap_ctx *ctx = CTX(state);
	char names[10][16];
	const char *ptrs[11];

	for (int i = 0; i < 10; i++) {
		VMTAP_OPTS(vmtap_tap_opts, o, .name = names[i], .flags = VMTAP_TAP_PERSIST);
		struct vmtap_tap *tap;
		snprintf(names[i], sizeof(names[i]), "vtdm%d", i);
		ptrs[i] = names[i];
		assert_int_equal(vmtap_tap_create(ctx, &o, &tap), 0);
		vmtap_tap_free(tap);
	}
	/* one missing name: nothing is deleted */
	ptrs[10] = "vtdmnone";
	assert_int_equal(vmtap_link_delete_many(ctx, NULL, ptrs, 11), -ENODEV);
	assert_int_equal(itest_tun_count(NULL), 10);
	/* a non-TAP among them: nothing is deleted */
	ptrs[10] = "lo";
	assert_int_equal(vmtap_link_delete_many(ctx, NULL, ptrs, 11), -EMEDIUMTYPE);
	assert_int_equal(itest_tun_count(NULL), 10);
	/* the same device twice: nothing is deleted */
	ptrs[10] = "vtdm3";
	assert_int_equal(vmtap_link_delete_many(ctx, NULL, ptrs, 11), -EINVAL);
	assert_non_null(strstr(vmtap_ctx_error(ctx), "vtdm3 is named twice"));
	assert_int_equal(itest_tun_count(NULL), 10);
	/* a refused bulk delete left every link in its own group */
	assert_int_equal(itest_sh("ip link set vtdm0 group 7"), 0);
	ptrs[10] = "vtdmnone";
	assert_int_equal(vmtap_link_delete_many(ctx, NULL, ptrs, 11), -ENODEV);
	{
		struct vmtap_link_info li;
		get_link(ctx, "vtdm0", &li);
		assert_int_equal(li.group, 7);
		get_link(ctx, "vtdm1", &li);
		assert_int_equal(li.group, 0);
	}
	/* the last two stay: a bulk delete takes the links named and no other, whatever their group */
	assert_int_equal(itest_sh("ip link set vtdm9 group 7"), 0);
	assert_int_equal(vmtap_link_delete_many(ctx, NULL, ptrs, 8), 0);
	assert_int_equal(itest_tun_count(NULL), 2);
	assert_true(link_exists(ctx, "vtdm8") && link_exists(ctx, "vtdm9"));
	assert_int_equal(vmtap_link_delete_many(ctx, NULL, ptrs + 8, 2), 0);
	assert_int_equal(itest_tun_count(NULL), 0);
	assert_true(link_exists(ctx, "lo"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_queue_counts, itest_setup, itest_teardown),
		cmocka_unit_test_setup_teardown(test_queue_257_refused, itest_setup, itest_teardown),
		cmocka_unit_test_setup_teardown(test_vnet_hdr_off, itest_setup, itest_teardown),
		cmocka_unit_test_setup_teardown(test_vnet_hdr_size, itest_setup, itest_teardown),
		cmocka_unit_test_setup_teardown(test_names, itest_setup, itest_teardown),
		cmocka_unit_test_setup_teardown(test_exclusive, itest_setup, itest_teardown),
		cmocka_unit_test_setup_teardown(test_owner_group, itest_setup, itest_teardown),
		cmocka_unit_test_setup_teardown(test_persist_and_destroy, itest_setup, itest_teardown),
		cmocka_unit_test_setup_teardown(test_attach, itest_setup, itest_teardown),
		cmocka_unit_test_setup_teardown(test_qdisc, itest_setup, itest_teardown),
		cmocka_unit_test_setup_teardown(test_attach_single_busy, itest_setup, itest_teardown),
		cmocka_unit_test_setup_teardown(test_attach_resets_state, itest_setup, itest_teardown),
		cmocka_unit_test_setup_teardown(test_queue_enable_disable, itest_setup, itest_teardown),
		cmocka_unit_test_setup_teardown(test_steal_fds, itest_setup, itest_teardown),
		cmocka_unit_test_setup_teardown(test_bad_inputs, itest_setup, itest_teardown),
		cmocka_unit_test_setup_teardown(test_opts_forward_compat, itest_setup, itest_teardown),
#ifdef VMTAP_FAULT_INJECTION
		cmocka_unit_test_setup_teardown(test_fault_injection, itest_setup, itest_teardown),
		cmocka_unit_test_setup_teardown(test_no_qdisc_layer, itest_setup, itest_teardown),
		cmocka_unit_test_setup_teardown(test_delete_many_undo, itest_setup, itest_teardown),
#endif
		cmocka_unit_test_setup_teardown(test_delete_many, itest_setup, itest_teardown),
	};

	itest_enter_private_namespace();
	return cmocka_run_group_tests_name("integration-tap", tests, NULL, NULL);
}

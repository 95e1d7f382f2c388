/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Integration tests of lib/macvtap.c: macvtaps on a veth in a named namespace, their queues, refusals, races, capabilities, traffic. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <cap-ng.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <linux/if_packet.h>
#include <linux/if_ether.h>
#include <linux/if_tun.h>

#include "itest.h"
#include "link.h"
#include "macvtap.h"

#define CTX(state) (((struct itest_state *)*(state))->ctx)
#define NS "pod"
#define TAG "vmtap:mvtest@0123456789abcdef"

/* ---- fixture: namespace "pod" with eth0, whose peer vpeer is in the test's own namespace ---- */

static int mv_setup(void **state)
{
	if (itest_setup(state) < 0)
		return -1;
	return itest_sh("ip netns add " NS " && ip link add eth0 netns " NS " address 02:00:00:00:01:01 type veth "
			"peer name vpeer address 02:00:00:00:02:02 && ip -n " NS " link set eth0 up && "
			"ip -n " NS " link set lo up && ip link set vpeer up") == 0 ? 0 : -1;
}

static int mv_teardown(void **state)
{
	int left = itest_sh("[ -z \"$(ip -n " NS " -o link show type macvtap 2>/dev/null)\" ]");

	if (left)
		fprintf(stderr, "LEAK: a macvtap is left in " NS "\n");
	(void)itest_sh("ip netns del " NS " 2>/dev/null; ip link del vpeer 2>/dev/null; true");
	if (itest_sh("[ -z \"$(ip netns list)\" ]") != 0) {
		fprintf(stderr, "LEAK: a namespace is left\n");
		left = 1;
	}
	return itest_teardown(state) < 0 || left ? -1 : 0;
}

static struct vt_nl *pod_nl(struct vmtap_ctx *ctx)
{
	struct vt_nl *nl;

	if (vt_nl_get(ctx, NS, &nl) < 0)
		fail_msg("netlink in " NS ": %s", vmtap_ctx_error(ctx));
	return nl;
}

static int ifindex_of(struct vmtap_ctx *ctx, const char *name)
{
	struct vmtap_link_info li;

	if (vt_link_get(ctx, pod_nl(ctx), name, 0, &li) < 0)
		fail_msg("%s: %s", name, vmtap_ctx_error(ctx));
	return li.ifindex;
}

/* `ip -n pod -d -j link show NAME` field @jq, newline stripped */
static char *ip_field(const char *name, const char *jq)
{
	char *s = itest_sh_out("ip -n " NS " -d -j link show dev %s | jq -r '.[0]%s'", name, jq);

	if (s) {
		size_t n = strlen(s);
		while (n && s[n - 1] == '\n')
			s[--n] = '\0';
	}
	return s;
}

static void assert_ip_field(const char *name, const char *jq, const char *want)
{
	char *got = ip_field(name, jq);

	assert_non_null(got);
	if (strcmp(got, want))
		fail_msg("ip says %s%s = '%s', wanted '%s'", name, jq, got, want);
	free(got);
}

static void create_ok(struct vmtap_ctx *ctx, const char *name, enum vt_macvtap_mode mode, const uint8_t *mac,
		      int *ifindex, char ret_name[VMTAP_IFNAMSIZ])
{
	if (vt_macvtap_create(ctx, pod_nl(ctx), name, ifindex_of(ctx, "eth0"), mode, mac, TAG, ifindex, ret_name) < 0)
		fail_msg("create %s: %s", name ? name : "(generated)", vmtap_ctx_error(ctx));
}

static void delete_ok(struct vmtap_ctx *ctx, int ifindex)
{
	if (vt_link_del(ctx, pod_nl(ctx), ifindex, NULL) < 0)
		fail_msg("delete: %s", vmtap_ctx_error(ctx));
}

static char *file_text(const char *path)
{
	return itest_sh_out("cat %s", path);
}

/* Check that @fds are @n queues of @name with @iff, close-on-exec, vnet header @hdr. */
static void check_queues(const int *fds, unsigned int n, const char *name, unsigned short iff, int hdr)
{
	for (unsigned int i = 0; i < n; i++) {
		struct ifreq ifr = { 0 };
		int sz = 0;

		if (ioctl(fds[i], TUNGETIFF, &ifr) < 0)
			fail_msg("queue %u: TUNGETIFF: %s", i, strerror(errno));
		assert_string_equal(ifr.ifr_name, name);
		if ((unsigned short)ifr.ifr_flags != iff)
			fail_msg("queue %u: flags 0x%x, wanted 0x%x", i, (unsigned short)ifr.ifr_flags, iff);
		assert_true(fcntl(fds[i], F_GETFD) & FD_CLOEXEC);
		assert_int_equal(ioctl(fds[i], TUNGETVNETHDRSZ, &sz), 0);
		assert_int_equal(sz, hdr);
		assert_true(vt_macvtap_fd_alive(fds[i]));
	}
}

static void close_all(int *fds, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++)
		close(fds[i]);
}

/* ---- tests ---- */

/* Every mode, read back through ip(8): kind, mode, parent, tag, qdisc, MAC; one queue each. */
static void test_modes(void **state)
{
	struct vmtap_ctx *ctx = CTX(state);
	static const enum vt_macvtap_mode modes[] = { VT_MACVTAP_BRIDGE, VT_MACVTAP_VEPA, VT_MACVTAP_PRIVATE,
						      VT_MACVTAP_PASSTHRU, VT_MACVTAP_MODE_DEFAULT };
	const uint8_t mac[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };

	for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		char name[VMTAP_IFNAMSIZ], want[32];
		int ifindex, fd;

		create_ok(ctx, "mvt0", modes[i], modes[i] == VT_MACVTAP_PASSTHRU ? NULL : mac, &ifindex, name);
		assert_string_equal(name, "mvt0");
		assert_int_equal(ifindex, ifindex_of(ctx, "mvt0"));
		assert_ip_field(name, ".linkinfo.info_kind", "macvtap");
		assert_ip_field(name, ".linkinfo.info_data.mode", vt_macvtap_mode_name(modes[i]));
		assert_ip_field(name, ".link", "eth0");
		assert_ip_field(name, ".ifalias", TAG);
		assert_ip_field(name, ".operstate", "DOWN");
		/* noqueue while still down: the kernel's pfifo_fast was never made */
		assert_ip_field(name, ".qdisc", "noqueue");
		snprintf(want, sizeof(want), "%s", modes[i] == VT_MACVTAP_PASSTHRU ? "02:00:00:00:01:01" :
			 "52:54:00:12:34:56");
		assert_ip_field(name, ".address", want);
		assert_int_equal(vt_macvtap_open(ctx, NS, name, ifindex, 1, VT_MACVTAP_VNET_HDR, 0, 0, &fd), 0);
		check_queues(&fd, 1, name, IFF_TAP | IFF_NO_PI | IFF_VNET_HDR, 10);
		/* up works (the MAC is not the parent's), and passthru makes the parent promiscuous */
		assert_int_equal(itest_sh("ip -n " NS " link set mvt0 up"), 0);
		if (modes[i] == VT_MACVTAP_PASSTHRU)
			assert_int_equal(itest_sh("[ \"$(ip -n " NS " -d -j link show eth0 | jq .[0].promiscuity)\" = 1 ]"),
					 0);
		close(fd);
		delete_ok(ctx, ifindex);
	}
	assert_int_equal(itest_sh("[ \"$(ip -n " NS " -d -j link show eth0 | jq .[0].promiscuity)\" = 0 ]"), 0);
}

/* 1, 4 and 256 queues: exactly those fds, nothing in /dev, no mount left; the 257th is refused. */
static void test_queues(void **state)
{
	struct vmtap_ctx *ctx = CTX(state);
	static const unsigned int counts[] = { 1, 4, 256 };
	char name[VMTAP_IFNAMSIZ];
	int ifindex;

	create_ok(ctx, "mvq", VT_MACVTAP_BRIDGE, NULL, &ifindex, name);
	for (size_t c = 0; c < sizeof(counts) / sizeof(counts[0]); c++) {
		unsigned int n = counts[c];
		int *fds = calloc(n, sizeof(int)), before = itest_fd_count();
		char *mounts = file_text("/proc/self/mountinfo"), *dev = itest_sh_out("ls -la /dev");
		char *mounts_after, *dev_after;
		unsigned short iff = IFF_TAP | IFF_NO_PI | IFF_VNET_HDR | (n > 1 ? IFF_MULTI_QUEUE : 0);

		assert_non_null(fds);
		if (vt_macvtap_open(ctx, NS, name, ifindex, n, VT_MACVTAP_VNET_HDR, 12,
				    VMTAP_OFFLOAD_CSUM | VMTAP_OFFLOAD_TSO4, fds) < 0)
			fail_msg("open %u: %s", n, vmtap_ctx_error(ctx));
		assert_int_equal(itest_fd_count(), before + (int)n);
		check_queues(fds, n, name, iff, 12);
		mounts_after = file_text("/proc/self/mountinfo");
		dev_after = itest_sh_out("ls -la /dev");
		assert_string_equal(mounts_after, mounts);
		assert_string_equal(dev_after, dev);
		/* no thread left behind in another namespace */
		assert_int_equal(itest_sh("[ $(ls /proc/%d/task | wc -l) = 1 ]", getpid()), 0);
		if (n == 256) {
			int extra = -1;
			assert_int_equal(vt_macvtap_open(ctx, NS, name, ifindex, 1, VT_MACVTAP_VNET_HDR, 0, 0, &extra),
					 -EBUSY);
			assert_string_equal(vmtap_ctx_error_step(ctx), "open queue");
			assert_non_null(strstr(vmtap_ctx_error(ctx), "no room for more queues"));
			assert_int_equal(extra, -1);
			assert_int_equal(itest_fd_count(), before + 256);
		}
		close_all(fds, n);
		free(fds);
		free(mounts);
		free(mounts_after);
		free(dev);
		free(dev_after);
	}
	/* without the vnet header, and multi-queue with one queue */
	{
		int fd;
		assert_int_equal(vt_macvtap_open(ctx, NS, name, ifindex, 1, VT_MACVTAP_MULTI_QUEUE, 0, 0, &fd), 0);
		check_queues(&fd, 1, name, IFF_TAP | IFF_NO_PI | IFF_MULTI_QUEUE, 10);
		close(fd);
	}
	delete_ok(ctx, ifindex);
}

/* Names: exact, taken, pattern (the lowest free number), vmtap's own. */
static void test_names(void **state)
{
	struct vmtap_ctx *ctx = CTX(state);
	char name[VMTAP_IFNAMSIZ], name2[VMTAP_IFNAMSIZ], gen[VMTAP_IFNAMSIZ];
	int a, b, c, parent = ifindex_of(ctx, "eth0");

	assert_int_equal(itest_sh("ip -n " NS " link add link eth0 name mv0 type macvtap"), 0);
	create_ok(ctx, "mv%d", VT_MACVTAP_BRIDGE, NULL, &a, name);
	assert_string_equal(name, "mv1");
	create_ok(ctx, "mv%d", VT_MACVTAP_BRIDGE, NULL, &b, name2);
	assert_string_equal(name2, "mv2");
	create_ok(ctx, NULL, VT_MACVTAP_BRIDGE, NULL, &c, gen);
	assert_int_equal(strlen(gen), 15);
	assert_memory_equal(gen, "vmt", 3);
	assert_ip_field(gen, ".ifalias", TAG);

	assert_int_equal(vt_macvtap_create(ctx, pod_nl(ctx), "mv1", parent, 0, NULL, TAG, &a, name), -EEXIST);
	assert_non_null(strstr(vmtap_ctx_error(ctx), "mv1 already exists"));
	assert_int_equal(vt_macvtap_create(ctx, pod_nl(ctx), "m%d%d", parent, 0, NULL, TAG, &a, name), -EINVAL);
	assert_int_equal(vt_macvtap_create(ctx, pod_nl(ctx), "abcdefghijklmnop", parent, 0, NULL, TAG, &a, name),
			 -EINVAL);
	assert_int_equal(vt_macvtap_create(ctx, pod_nl(ctx), "a/b", parent, 0, NULL, TAG, &a, name), -EINVAL);
	assert_int_equal(vt_macvtap_create(ctx, pod_nl(ctx), "x", parent, 3, NULL, TAG, &a, name), -EINVAL);
	assert_non_null(strstr(vmtap_ctx_error(ctx), "mode 3"));
	/* passthru takes the parent's MAC whatever is asked: asking is refused rather than ignored */
	assert_int_equal(vt_macvtap_create(ctx, pod_nl(ctx), "x", parent, VT_MACVTAP_PASSTHRU,
					   (const uint8_t[]){ 0x52, 0x54, 0, 1, 2, 3 }, TAG, &a, name), -EINVAL);
	assert_non_null(strstr(vmtap_ctx_error(ctx), "passthru"));
	assert_int_equal(vt_macvtap_create(ctx, pod_nl(ctx), "x", parent, 0, (const uint8_t[]){ 1, 2, 3, 4, 5, 6 }, TAG,
					   &a, name), -EINVAL);
	delete_ok(ctx, b);
	delete_ok(ctx, c);
	assert_int_equal(itest_sh("ip -n " NS " link del mv1 && ip -n " NS " link del mv0"), 0);
}

/* Parents the kernel would take and vmtap does not, and a MAC the kernel would refuse only at up. */
static void test_refused_parents(void **state)
{
	struct vmtap_ctx *ctx = CTX(state);
	struct {
		const char *parent;
		int err;
		const char *needle;
	} cases[] = {
		{ "tap0", -EMEDIUMTYPE, "is a TUN/TAP device" },
		{ "tun0", -EMEDIUMTYPE, "is a TUN/TAP device" },
		{ "mvt9", -EMEDIUMTYPE, "is a macvtap device" },
		{ "mvl9", -EMEDIUMTYPE, "is a macvlan device" },
		{ "lo", -EMEDIUMTYPE, "loopback" },
	};
	const uint8_t eth0_mac[6] = { 0x02, 0, 0, 0, 1, 1 };
	char name[VMTAP_IFNAMSIZ];
	int ifindex = -7;

	assert_int_equal(itest_sh("ip -n " NS " tuntap add tap0 mode tap && ip -n " NS " tuntap add tun0 mode tun && "
				  "ip -n " NS " link add link eth0 name mvt9 type macvtap && "
				  "ip -n " NS " link add link eth0 name mvl9 type macvlan"), 0);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int r = vt_macvtap_create(ctx, pod_nl(ctx), "mvx", ifindex_of(ctx, cases[i].parent), 0, NULL, TAG,
					  &ifindex, name);
		if (r != cases[i].err || !strstr(vmtap_ctx_error(ctx), cases[i].needle))
			fail_msg("parent %s: %d \"%s\"", cases[i].parent, r, vmtap_ctx_error(ctx));
		assert_int_equal(ifindex, -7);
	}
	/* an ifindex that is not in this namespace (vpeer's is ours, not pod's) */
	assert_int_equal(vt_macvtap_create(ctx, pod_nl(ctx), "mvx", 9999, 0, NULL, TAG, &ifindex, name), -ENODEV);
	assert_non_null(strstr(vmtap_ctx_error(ctx), "no link has ifindex 9999 in this namespace"));
	/* the parent's own MAC: accepted by the kernel, EADDRINUSE at up */
	assert_int_equal(vt_macvtap_create(ctx, pod_nl(ctx), "mvx", ifindex_of(ctx, "eth0"), 0, eth0_mac, TAG,
					   &ifindex, name), -EADDRINUSE);
	assert_non_null(strstr(vmtap_ctx_error(ctx), "give the parent another MAC first"));
	/* nothing was made: the only macvtap is the one made by hand */
	assert_int_equal(itest_sh("[ \"$(ip -n " NS " -o link show type macvtap | wc -l)\" = 1 ]"), 0);
	assert_int_equal(itest_sh("ip -n " NS " link del mvt9 && ip -n " NS " link del mvl9 && "
				  "ip -n " NS " link del tap0 && ip -n " NS " link del tun0"), 0);
}

/* A name that means another device by now: renamed, replaced, not a macvtap, absent. */
static void test_rename_guard(void **state)
{
	struct vmtap_ctx *ctx = CTX(state);
	char name[VMTAP_IFNAMSIZ];
	int ifindex, newer, fd = -7;

	create_ok(ctx, "mvA", VT_MACVTAP_BRIDGE, NULL, &ifindex, name);
	/* the caller's ifindex is not the device's */
	assert_int_equal(vt_macvtap_open(ctx, NS, "mvA", ifindex + 100, 1, 0, 0, 0, &fd), -ESTALE);
	assert_non_null(strstr(vmtap_ctx_error(ctx), "renamed or replaced"));
	/* renamed: the name is gone */
	assert_int_equal(itest_sh("ip -n " NS " link set mvA name mvB"), 0);
	assert_int_equal(vt_macvtap_open(ctx, NS, "mvA", ifindex, 1, 0, 0, 0, &fd), -ENODEV);
	/* replaced: another macvtap of that name, another ifindex */
	create_ok(ctx, "mvA", VT_MACVTAP_BRIDGE, NULL, &newer, name);
	assert_int_not_equal(newer, ifindex);
	assert_int_equal(vt_macvtap_open(ctx, NS, "mvA", ifindex, 1, 0, 0, 0, &fd), -ESTALE);
	/* not a macvtap at all */
	assert_int_equal(vt_macvtap_open(ctx, NS, "eth0", ifindex_of(ctx, "eth0"), 1, 0, 0, 0, &fd), -EMEDIUMTYPE);
	assert_non_null(strstr(vmtap_ctx_error(ctx), "eth0 is not a macvtap device"));
	/* invalid requests never reach the kernel */
	assert_int_equal(vt_macvtap_open(ctx, NS, "mvA", newer, 0, 0, 0, 0, &fd), -EINVAL);
	assert_int_equal(vt_macvtap_open(ctx, NS, "mvA", newer, 257, 0, 0, 0, &fd), -EINVAL);
	assert_int_equal(vt_macvtap_open(ctx, NS, "mvA", newer, 1, 0, 12, 0, &fd), -EINVAL);
	assert_int_equal(vt_macvtap_open(ctx, NS, "mvA", newer, 1, VT_MACVTAP_VNET_HDR, 0, VMTAP_OFFLOAD_TSO4, &fd),
			 -EINVAL);
	assert_int_equal(vt_macvtap_open(ctx, NS, "mvA", newer, 1, 0x80, 0, 0, &fd), -EINVAL);
	assert_int_equal(vt_macvtap_open(ctx, "nosuchns", "mvA", newer, 1, 0, 0, 0, &fd), -ENOENT);
	assert_int_equal(fd, -7);
	delete_ok(ctx, newer);
	delete_ok(ctx, ifindex);
}

/* Without CAP_MKNOD or CAP_SYS_ADMIN, in a child: EPERM that says which. */
static void test_eperm(void **state)
{
	struct vmtap_ctx *ctx = CTX(state);
	static const struct {
		int cap;
		const char *missing;
	} drops[] = { { CAP_MKNOD, "lacks CAP_MKNOD" }, { CAP_SYS_ADMIN, "lacks CAP_SYS_ADMIN" } };
	char name[VMTAP_IFNAMSIZ];
	int ifindex;

	create_ok(ctx, "mvP", VT_MACVTAP_BRIDGE, NULL, &ifindex, name);
	for (size_t i = 0; i < sizeof(drops) / sizeof(drops[0]); i++) {
		pid_t pid = fork();
		int status;

		assert_true(pid >= 0);
		if (pid == 0) {
			struct vmtap_ctx *c;
			int fd = -7, r;
			capng_get_caps_process();
			capng_update(CAPNG_DROP, CAPNG_EFFECTIVE | CAPNG_PERMITTED, (unsigned int)drops[i].cap);
			if (capng_apply(CAPNG_SELECT_CAPS) < 0 || vmtap_ctx_new(&c) < 0)
				_exit(3);
			r = vt_macvtap_open(c, NS, "mvP", ifindex, 1, 0, 0, 0, &fd);
			fprintf(stderr, "without %s: %d %s\n", drops[i].missing + 6, r, vmtap_ctx_error(c));
			_exit(r == -EPERM && fd == -7 && strstr(vmtap_ctx_error(c), drops[i].missing) &&
			      strstr(vmtap_ctx_error(c), "needs CAP_SYS_ADMIN and CAP_MKNOD") ? 0 : 1);
		}
		assert_int_equal(waitpid(pid, &status, 0), pid);
		assert_true(WIFEXITED(status));
		assert_int_equal(WEXITSTATUS(status), 0);
	}
	delete_ok(ctx, ifindex);
}

/* Without fsopen() (as on kernels before 5.2): a thread in a mount namespace of its own, nothing left. */
static void test_fallback_without_fsopen(void **state)
{
	struct vmtap_ctx *ctx = CTX(state), *faulty;
	char *mounts = file_text("/proc/self/mountinfo"), *mnt_ns = itest_sh_out("readlink /proc/%d/ns/mnt", getpid());
	char name[VMTAP_IFNAMSIZ], *after, *mnt_ns_after;
	int ifindex, fds[4], before;

	create_ok(ctx, "mvF", VT_MACVTAP_BRIDGE, NULL, &ifindex, name);
	setenv("VMTAP_TEST_FAULT", "no fsopen", 1);
	assert_int_equal(vmtap_ctx_new(&faulty), 0);
	unsetenv("VMTAP_TEST_FAULT");
	before = itest_fd_count();
	if (vt_macvtap_open(faulty, NS, name, ifindex, 4, VT_MACVTAP_VNET_HDR, 0, 0, fds) < 0)
		fail_msg("open: %s", vmtap_ctx_error(faulty));
	assert_int_equal(itest_fd_count(), before + 4);
	check_queues(fds, 4, name, IFF_TAP | IFF_NO_PI | IFF_VNET_HDR | IFF_MULTI_QUEUE, 10);
	after = file_text("/proc/self/mountinfo");
	mnt_ns_after = itest_sh_out("readlink /proc/%d/ns/mnt", getpid());
	assert_string_equal(after, mounts);
	assert_string_equal(mnt_ns_after, mnt_ns);
	/* and in our own namespace (no thread hop for the namespace, one for the mounts) */
	{
		int fd;
		assert_int_equal(itest_sh("ip link add link vpeer name mvown type macvtap"), 0);
		struct vt_nl *own;
		struct vmtap_link_info li;
		assert_int_equal(vt_nl_get(faulty, NULL, &own), 0);
		assert_int_equal(vt_link_get(faulty, own, "mvown", 0, &li), 0);
		assert_int_equal(vt_macvtap_open(faulty, NULL, "mvown", li.ifindex, 1, 0, 0, 0, &fd), 0);
		check_queues(&fd, 1, "mvown", IFF_TAP | IFF_NO_PI, 10);
		close(fd);
		assert_int_equal(itest_sh("ip link del mvown"), 0);
		free(after);
		after = file_text("/proc/self/mountinfo");
		assert_string_equal(after, mounts);
	}
	close_all(fds, 4);
	vmtap_ctx_free(faulty);
	delete_ok(ctx, ifindex);
	free(mounts);
	free(after);
	free(mnt_ns);
	free(mnt_ns_after);
}

/* A deleted macvtap's queues stay open and take writes; only TUNGETIFF tells. */
static void test_deleted_queues(void **state)
{
	struct vmtap_ctx *ctx = CTX(state);
	char name[VMTAP_IFNAMSIZ], frame[10 + 60] = { 0 };
	int ifindex, fds[2];

	create_ok(ctx, "mvD", VT_MACVTAP_BRIDGE, NULL, &ifindex, name);
	assert_int_equal(vt_macvtap_open(ctx, NS, name, ifindex, 2, VT_MACVTAP_VNET_HDR, 0, 0, fds), 0);
	assert_true(vt_macvtap_fd_alive(fds[0]));
	delete_ok(ctx, ifindex);
	assert_false(vt_macvtap_fd_alive(fds[0]));
	assert_false(vt_macvtap_fd_alive(fds[1]));
	assert_int_equal(write(fds[0], frame, sizeof(frame)), (ssize_t)sizeof(frame));
	assert_false(vt_macvtap_fd_alive(-1));
	close_all(fds, 2);
}

/* Each step of create and open failing: the error names it, nothing is left (no device, fd or mount). */
static void test_faults(void **state)
{
	struct vmtap_ctx *ctx = CTX(state);
	static const char *const create_steps[] = { "create macvtap", "set alias", "set qdisc" };
	static const char *const open_steps[] = { "mount sysfs", "mknod", "open queue", "set queue flags",
						  "set vnet header", "set offloads" };
	char *mounts = file_text("/proc/self/mountinfo");
	char name[VMTAP_IFNAMSIZ];
	int ifindex, parent = ifindex_of(ctx, "eth0");

	for (size_t i = 0; i < sizeof(create_steps) / sizeof(create_steps[0]); i++) {
		struct vmtap_ctx *f;
		int got = -7;
		setenv("VMTAP_TEST_FAULT", create_steps[i], 1);
		assert_int_equal(vmtap_ctx_new(&f), 0);
		unsetenv("VMTAP_TEST_FAULT");
		struct vt_nl *nl;
		assert_int_equal(vt_nl_get(f, NS, &nl), 0);
		assert_int_equal(vt_macvtap_create(f, nl, "mvE", parent, 0, NULL, TAG, &got, name), -EIO);
		assert_string_equal(vmtap_ctx_error_step(f), create_steps[i]);
		assert_int_equal(got, -7);
		assert_int_equal(itest_sh("[ -z \"$(ip -n " NS " -o link show type macvtap)\" ]"), 0);
		vmtap_ctx_free(f);
	}
	create_ok(ctx, "mvE", VT_MACVTAP_BRIDGE, NULL, &ifindex, name);
	for (size_t i = 0; i < sizeof(open_steps) / sizeof(open_steps[0]); i++) {
		struct vmtap_ctx *f;
		int fds[3] = { -7, -7, -7 }, before = itest_fd_count();
		char *after;
		setenv("VMTAP_TEST_FAULT", open_steps[i], 1);
		assert_int_equal(vmtap_ctx_new(&f), 0);
		unsetenv("VMTAP_TEST_FAULT");
		/* offloads asked, so that the step runs */
		assert_int_equal(vt_macvtap_open(f, NS, name, ifindex, 3, VT_MACVTAP_VNET_HDR, 12, VMTAP_OFFLOAD_CSUM,
						 fds), -EIO);
		assert_string_equal(vmtap_ctx_error_step(f), open_steps[i]);
		assert_int_equal(fds[0], -7);
		vmtap_ctx_free(f);
		assert_int_equal(itest_fd_count(), before);
		after = file_text("/proc/self/mountinfo");
		assert_string_equal(after, mounts);
		free(after);
	}
	delete_ok(ctx, ifindex);
	free(mounts);
}

/* ---- traffic: frames through the queues to vpeer and back, bridge mode ---- */

static int packet_socket(const char *ifname)
{
	struct sockaddr_ll sll = { .sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_ALL),
				   .sll_ifindex = (int)if_nametoindex(ifname) };
	int fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, htons(ETH_P_ALL));

	assert_true(fd >= 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&sll, sizeof(sll)), 0);
	return fd;
}

/* An Ethernet frame from @src to @dst, type 0x88b5 (local experimental), with @tag in the payload. */
static size_t make_frame(uint8_t *f, const uint8_t *dst, const uint8_t *src, unsigned int tag)
{
	memset(f, 0, 64);
	memcpy(f, dst, 6);
	memcpy(f + 6, src, 6);
	f[12] = 0x88;
	f[13] = 0xb5;
	snprintf((char *)f + 14, 40, "vmtap-macvtap-test-%u", tag);
	return 64;
}

/*
 * Wait up to 5 s for a frame whose payload carries @tag on any of @fds
 * (non-blocking; @skip bytes of header before the frame): the index of the
 * fd it came from, or -1.
 */
static int wait_frame(const int *fds, unsigned int n, size_t skip, unsigned int tag)
{
	struct pollfd p[4];
	char want[40];
	uint8_t buf[2048];

	assert_true(n <= 4);
	snprintf(want, sizeof(want), "vmtap-macvtap-test-%u", tag);
	for (unsigned int i = 0; i < n; i++)
		p[i] = (struct pollfd){ .fd = fds[i], .events = POLLIN };
	for (int tries = 0; tries < 50; tries++) {
		if (poll(p, n, 100) <= 0)
			continue;
		for (unsigned int i = 0; i < n; i++) {
			ssize_t got;
			if (!(p[i].revents & POLLIN))
				continue;
			/* other traffic (IPv6 router solicitations...) is read and skipped */
			while ((got = read(fds[i], buf, sizeof(buf))) > 0)
				if (got > (ssize_t)(skip + 14) && !memcmp(buf + skip + 12, "\x88\xb5", 2) &&
				    !strncmp((char *)buf + skip + 14, want, strlen(want) + 1))
					return (int)i;
		}
	}
	return -1;
}

static void traffic(void **state, unsigned int queues)
{
	struct vmtap_ctx *ctx = CTX(state);
	const uint8_t guest[6] = { 0x52, 0x54, 0x00, 0xaa, 0x00, (uint8_t)queues };
	const uint8_t peer[6] = { 0x02, 0, 0, 0, 2, 2 };
	char name[VMTAP_IFNAMSIZ];
	int ifindex, fds[4], ps;
	uint8_t frame[10 + 64];

	create_ok(ctx, "mvT", VT_MACVTAP_BRIDGE, guest, &ifindex, name);
	assert_int_equal(vt_macvtap_open(ctx, NS, name, ifindex, queues, VT_MACVTAP_VNET_HDR, 0, 0, fds), 0);
	assert_int_equal(itest_sh("ip -n " NS " link set mvT up"), 0);
	ps = packet_socket("vpeer");
	/* guest -> wire: a frame written to each queue reaches the veth's peer */
	for (unsigned int q = 0; q < queues; q++) {
		memset(frame, 0, 10); /* a zero virtio-net header: no offload */
		make_frame(frame + 10, peer, guest, 100 + q);
		assert_int_equal(write(fds[q], frame, sizeof(frame)), (ssize_t)sizeof(frame));
		if (wait_frame(&ps, 1, 0, 100 + q) < 0)
			fail_msg("the frame written to queue %u did not reach vpeer", q);
	}
	/* wire -> guest: a frame to the guest's MAC comes out of one of the queues, behind its header */
	for (unsigned int q = 0; q < queues; q++)
		assert_int_equal(fcntl(fds[q], F_SETFL, O_RDWR | O_NONBLOCK), 0);
	make_frame(frame, guest, peer, 999);
	assert_int_equal(send(ps, frame, 64, 0), 64);
	if (wait_frame(fds, queues, 10, 999) < 0)
		fail_msg("the frame sent from vpeer reached no queue");
	close(ps);
	close_all(fds, queues);
	delete_ok(ctx, ifindex);
}

static void test_traffic_1(void **state)
{
	traffic(state, 1);
}

static void test_traffic_4(void **state)
{
	traffic(state, 4);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_modes, mv_setup, mv_teardown),
		cmocka_unit_test_setup_teardown(test_queues, mv_setup, mv_teardown),
		cmocka_unit_test_setup_teardown(test_names, mv_setup, mv_teardown),
		cmocka_unit_test_setup_teardown(test_refused_parents, mv_setup, mv_teardown),
		cmocka_unit_test_setup_teardown(test_rename_guard, mv_setup, mv_teardown),
		cmocka_unit_test_setup_teardown(test_eperm, mv_setup, mv_teardown),
		cmocka_unit_test_setup_teardown(test_fallback_without_fsopen, mv_setup, mv_teardown),
		cmocka_unit_test_setup_teardown(test_deleted_queues, mv_setup, mv_teardown),
		cmocka_unit_test_setup_teardown(test_faults, mv_setup, mv_teardown),
		cmocka_unit_test_setup_teardown(test_traffic_1, mv_setup, mv_teardown),
		cmocka_unit_test_setup_teardown(test_traffic_4, mv_setup, mv_teardown),
	};

	itest_enter_private_namespace();
	return cmocka_run_group_tests_name("macvtap", tests, NULL, NULL);
}

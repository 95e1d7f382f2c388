/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Endpoint lifecycle benchmark: 4-queue TAP + MTU/MAC/up, then delete, via libvmtap, raw syscalls, the vmtap CLI and iproute2, in a private namespace. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <libmnl/libmnl.h>
#include <linux/if_tun.h>
#include <linux/pkt_sched.h>
#include <linux/rtnetlink.h>

#include "vmtap.h"

#ifndef VMTAP_BIN
#define VMTAP_BIN "vmtap"
#endif
#ifndef NOOP_BIN
#define NOOP_BIN "noop"
#endif

#define MTU 1400
#define MTU_STR "1400"
#define QUEUES 4
#define EP_FLAGS (IFF_TAP | IFF_NO_PI | IFF_VNET_HDR | IFF_MULTI_QUEUE)
#define POP_GROUP 0x5e000001u /* link group of the background population */
#define RAW_GROUP 0x5e000002u /* link group of the raw floor's bulk delete and of untimed clean-ups */
#define NPOPS 3

/* ---- plumbing ---- */

static struct mark {
	double wall, cpu;
} t_start;

static struct mark mark_now(void)
{
	struct rusage self, kids;
	struct timespec ts;
	struct mark m;

	getrusage(RUSAGE_SELF, &self);
	getrusage(RUSAGE_CHILDREN, &kids);
	clock_gettime(CLOCK_MONOTONIC, &ts);
	m.wall = (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
	m.cpu = (double)(self.ru_utime.tv_sec + self.ru_stime.tv_sec + kids.ru_utime.tv_sec + kids.ru_stime.tv_sec) +
		(double)(self.ru_utime.tv_usec + self.ru_stime.tv_usec + kids.ru_utime.tv_usec +
			 kids.ru_stime.tv_usec) / 1e6;
	return m;
}

/* Accumulated wall and CPU seconds over @count operations. */
struct meas {
	double wall, cpu;
	unsigned long count;
};

static void meas_add(struct meas *m, struct mark start, unsigned long count)
{
	struct mark end = mark_now();

	m->wall += end.wall - start.wall;
	m->cpu += end.cpu - start.cpu;
	m->count += count;
}

static double us_wall(const struct meas *m)
{
	return m->count ? m->wall * 1e6 / (double)m->count : 0;
}

static double us_cpu(const struct meas *m)
{
	return m->count ? m->cpu * 1e6 / (double)m->count : 0;
}

static void __attribute__((noreturn, format(printf, 1, 2))) die(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "lifecycle: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static void __attribute__((format(printf, 1, 2))) progress(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "[%6.1fs] ", mark_now().wall - t_start.wall);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static void name_of(char name[IFNAMSIZ], const char *prefix, unsigned int i)
{
	if (snprintf(name, IFNAMSIZ, "%s%u", prefix, i) >= IFNAMSIZ)
		die("name %s%u is too long", prefix, i);
}

/* A locally administered unicast MAC, distinct per variant and endpoint. */
static void mac_of(uint8_t mac[6], uint8_t variant, unsigned int i)
{
	mac[0] = 0x02;
	mac[1] = 0x42;
	mac[2] = variant;
	mac[3] = (uint8_t)(i >> 16);
	mac[4] = (uint8_t)(i >> 8);
	mac[5] = (uint8_t)i;
}

static void mac_str(char buf[18], const uint8_t mac[6])
{
	snprintf(buf, 18, "%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1], mac[2], mac[3], mac[4], mac[5]);
}

/* Everything this program creates lives in its own network and mount namespaces and ends with it. */
static void enter_private_namespace(void)
{
	if (unshare(CLONE_NEWNET | CLONE_NEWNS) < 0)
		die("unshare(CLONE_NEWNET | CLONE_NEWNS): %s (run as root)", strerror(errno));
	if (mount("none", "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		die("make mounts private: %s", strerror(errno));
	/* a private /run for the ip -batch file */
	if (mount("tmpfs", "/run", "tmpfs", 0, "mode=0755") < 0)
		die("mount tmpfs on /run: %s", strerror(errno));
}

/* ---- child processes ---- */

static posix_spawn_file_actions_t spawn_fa;

static void spawn_init(void)
{
	int fd = open("/dev/null", O_WRONLY | O_CLOEXEC);

	if (fd < 0)
		die("/dev/null: %s", strerror(errno));
	/* stdout (the CLI prints the device) goes nowhere; stderr stays, for failures */
	posix_spawn_file_actions_init(&spawn_fa);
	posix_spawn_file_actions_adddup2(&spawn_fa, fd, STDOUT_FILENO);
}

/* Run @argv (argv[0] an absolute path) to completion; any failure ends the benchmark. */
static void run(char *const argv[])
{
	pid_t pid;
	int st, r;

	r = posix_spawn(&pid, argv[0], &spawn_fa, NULL, argv, environ);
	if (r)
		die("spawn %s: %s", argv[0], strerror(r));
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			die("waitpid: %s", strerror(errno));
	if (!WIFEXITED(st) || WEXITSTATUS(st)) {
		fprintf(stderr, "lifecycle: command failed (status 0x%x):", st);
		for (size_t i = 0; argv[i]; i++)
			fprintf(stderr, " %s", argv[i]);
		die("%s", "");
	}
}

static const char *find_in_path(const char *prog)
{
	static char buf[4096];
	const char *path = getenv("PATH");
	const char *dirs = path && *path ? path : "/usr/sbin:/usr/bin:/sbin:/bin";

	while (*dirs) {
		size_t len = strcspn(dirs, ":");
		snprintf(buf, sizeof(buf), "%.*s/%s", (int)len, dirs, prog);
		if (len && access(buf, X_OK) == 0)
			return buf;
		dirs += len;
		if (*dirs == ':')
			dirs++;
	}
	return NULL;
}

/* ---- the raw floor: /dev/net/tun and one rtnetlink message, nothing else ---- */

struct rawnl {
	struct mnl_socket *sk;
	unsigned int portid, seq;
};

static void rawnl_open(struct rawnl *nl)
{
	int sz = 4 << 20;

	nl->sk = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC);
	if (!nl->sk || mnl_socket_bind(nl->sk, 0, MNL_SOCKET_AUTOPID) < 0)
		die("netlink socket: %s", strerror(errno));
	/* room for the error replies of a long burst sent without acks */
	(void)setsockopt(mnl_socket_get_fd(nl->sk), SOL_SOCKET, SO_RCVBUFFORCE, &sz, sizeof(sz));
	nl->portid = mnl_socket_get_portid(nl->sk);
	nl->seq = 1;
}

static struct nlmsghdr *rawnl_put(struct rawnl *nl, void *buf, uint16_t type, uint16_t flags)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct ifinfomsg *ifi;

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	nlh->nlmsg_seq = ++nl->seq;
	ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	return nlh;
}

/* Send @len bytes of requests and read replies up to the ack of sequence @last; the first error wins. */
static int rawnl_send_wait(struct rawnl *nl, const void *buf, size_t len, unsigned int last)
{
	char rbuf[16384] __attribute__((aligned(8)));

	if (mnl_socket_sendto(nl->sk, buf, len) < 0)
		return -errno;
	for (;;) {
		ssize_t n = mnl_socket_recvfrom(nl->sk, rbuf, sizeof(rbuf));
		int rem = (int)n;

		if (n < 0)
			return -errno;
		for (const struct nlmsghdr *h = (const void *)rbuf; mnl_nlmsg_ok(h, rem); h = mnl_nlmsg_next(h, &rem)) {
			const struct nlmsgerr *e = mnl_nlmsg_get_payload(h);

			if (h->nlmsg_type != NLMSG_ERROR)
				continue;
			if (e->error)
				return e->error;
			if (h->nlmsg_seq == last)
				return 0;
		}
	}
}

static int raw_open_queues(const char *name, unsigned int queues, unsigned short flags, int *fds)
{
	for (unsigned int i = 0; i < queues; i++) {
		struct ifreq ifr = { 0 };

		fds[i] = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
		snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
		ifr.ifr_flags = (short)flags;
		if (fds[i] < 0 || ioctl(fds[i], TUNSETIFF, &ifr) < 0) {
			int r = -errno;
			for (unsigned int j = 0; j <= i; j++)
				if (fds[j] >= 0)
					close(fds[j]);
			return r;
		}
	}
	return 0;
}

/*
 * Fairness: the raw floor and libvmtap both make the device persistent and
 * close their queue fds inside the timed create phase, as `vmtap create`
 * does.  Both then do the same kernel work (4 attaches, 4 detaches with
 * their synchronize_net(), one link up) and leave the same object behind:
 * a persistent, up TAP with no queue attached (so no carrier, no IPv6 DAD
 * traffic), which every delete variant then removes by name.  Keeping the
 * fds open instead would move the detach cost into the delete phase, and
 * would need 4 fds per endpoint held by the benchmark.
 *
 * The floor makes the object vmtap makes: with RAW_NOQUEUE the root qdisc is
 * set to noqueue before the link goes up, in the same sendmsg, so the kernel
 * skips the mq + 256 pfifo_fast it otherwise gives a multi-queue device when
 * it goes up.  Without it (the "kernel qdiscs" reference) the device is what
 * `ip tuntap add` + `ip link set up` make.  With RAW_DOWN the link is left
 * down (the naming control, see bench_naming()).
 */
enum { RAW_NOQUEUE = 1, RAW_DOWN = 2 };

static void raw_create(struct rawnl *nl, const char *name, const uint8_t mac[6], unsigned int how)
{
	bool noqueue = how & RAW_NOQUEUE;
	char buf[512] __attribute__((aligned(8)));
	struct nlmsghdr *nlh;
	struct ifinfomsg *ifi;
	size_t len = 0;
	int fds[QUEUES];
	int r;

	r = raw_open_queues(name, QUEUES, EP_FLAGS, fds);
	if (r < 0)
		die("raw: TUNSETIFF %s: %s", name, strerror(-r));
	if (ioctl(fds[0], TUNSETPERSIST, 1UL) < 0)
		die("raw: TUNSETPERSIST %s: %s", name, strerror(errno));
	if (noqueue) {
		struct tcmsg *tc;

		nlh = mnl_nlmsg_put_header(buf);
		nlh->nlmsg_type = RTM_NEWQDISC;
		nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_CREATE | NLM_F_REPLACE;
		nlh->nlmsg_seq = ++nl->seq;
		tc = mnl_nlmsg_put_extra_header(nlh, sizeof(*tc));
		tc->tcm_family = AF_UNSPEC;
		tc->tcm_ifindex = (int)if_nametoindex(name);
		tc->tcm_parent = TC_H_ROOT;
		mnl_attr_put_strz(nlh, TCA_KIND, "noqueue");
		len = nlh->nlmsg_len;
	}
	nlh = rawnl_put(nl, buf + len, RTM_NEWLINK, NLM_F_ACK);
	ifi = mnl_nlmsg_get_payload(nlh);
	if (!(how & RAW_DOWN)) {
		ifi->ifi_change = IFF_UP;
		ifi->ifi_flags = IFF_UP;
	}
	mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	mnl_attr_put_u32(nlh, IFLA_MTU, MTU);
	mnl_attr_put(nlh, IFLA_ADDRESS, 6, mac);
	len += nlh->nlmsg_len;
	r = rawnl_send_wait(nl, buf, len, nlh->nlmsg_seq);
	for (unsigned int i = 0; i < QUEUES; i++)
		close(fds[i]);
	if (r < 0)
		die("raw: %sRTM_NEWLINK %s: %s", noqueue ? "RTM_NEWQDISC + " : "", name, strerror(-r));
}

static void raw_delete(struct rawnl *nl, const char *name)
{
	char buf[128] __attribute__((aligned(8)));
	struct nlmsghdr *nlh = rawnl_put(nl, buf, RTM_DELLINK, NLM_F_ACK);
	int r;

	mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	r = rawnl_send_wait(nl, buf, nlh->nlmsg_len, nlh->nlmsg_seq);
	if (r < 0)
		die("raw: RTM_DELLINK %s: %s", name, strerror(-r));
}

/*
 * Put links prefix<from..to) into link group @group (one RTM_NEWLINK each, no
 * acks, many per sendmsg; errors still come back), then, with @del, delete the
 * whole group with one RTM_DELLINK.  Waits for the last message's ack.
 */
static void raw_group(struct rawnl *nl, const char *prefix, unsigned int from, unsigned int to, uint32_t group,
		      bool del)
{
	char buf[1 << 16] __attribute__((aligned(8))); /* per call: workers run it in parallel */
	size_t len = 0;
	struct nlmsghdr *nlh = NULL;
	int r;

	for (unsigned int i = from; i < to; i++) {
		char name[IFNAMSIZ];

		if (len + 256 > sizeof(buf)) {
			if (mnl_socket_sendto(nl->sk, buf, len) < 0)
				die("raw: group burst: %s", strerror(errno));
			len = 0;
		}
		name_of(name, prefix, i);
		nlh = rawnl_put(nl, buf + len, RTM_NEWLINK, 0);
		mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
		mnl_attr_put_u32(nlh, IFLA_GROUP, group);
		len += nlh->nlmsg_len;
	}
	if (del) {
		nlh = rawnl_put(nl, buf + len, RTM_DELLINK, 0);
		mnl_attr_put_u32(nlh, IFLA_GROUP, group);
		len += nlh->nlmsg_len;
	}
	if (!nlh)
		return;
	nlh->nlmsg_flags |= NLM_F_ACK;
	r = rawnl_send_wait(nl, buf, len, nlh->nlmsg_seq);
	if (r < 0)
		die("raw: %s group of %s%u..%s%u: %s", del ? "delete" : "set", prefix, from, prefix, to - 1,
		    strerror(-r));
}

/* Untimed: single-queue persistent TAPs prefix<from..to), down, in POP_GROUP. */
static void populate(struct rawnl *nl, const char *prefix, unsigned int from, unsigned int to)
{
	for (unsigned int i = from; i < to; i++) {
		char name[IFNAMSIZ];
		int fd;
		int r;

		name_of(name, prefix, i);
		r = raw_open_queues(name, 1, IFF_TAP | IFF_NO_PI, &fd);
		if (r < 0)
			die("populate %s: %s", name, strerror(-r));
		if (ioctl(fd, TUNSETPERSIST, 1UL) < 0)
			die("populate %s: TUNSETPERSIST: %s", name, strerror(errno));
		close(fd);
	}
	raw_group(nl, prefix, from, to, POP_GROUP, false);
}

/* ---- libvmtap ---- */

static void vm_die(struct vmtap_ctx *ctx, const char *what, const char *name, int r)
{
	die("%s %s: %s (%s)", what, name ? name : "(default name)", vmtap_ctx_error(ctx), strerror(-r));
}

/*
 * See raw_create() on persistence: the handle is freed, the persistent device
 * stays.  Without @up the link is left down (see bench_naming()).
 */
static void vm_create(struct vmtap_ctx *ctx, const char *name, const uint8_t mac[6], bool up,
		      char ret_name[IFNAMSIZ])
{
	VMTAP_OPTS(vmtap_link_set_opts, lo, .mtu = MTU, .set_mac = true,
		   .state = up ? VMTAP_LINK_UP : VMTAP_LINK_UNCHANGED);
	VMTAP_OPTS(vmtap_tap_opts, o, .name = name, .queues = QUEUES,
		   .flags = VMTAP_TAP_PERSIST | VMTAP_TAP_REQUIRE_VNET_HDR, .link = &lo);
	struct vmtap_tap *tap = NULL;
	int r;

	memcpy(lo.mac, mac, 6);
	r = vmtap_tap_create(ctx, &o, &tap);
	if (r < 0)
		vm_die(ctx, "vmtap_tap_create", name, r);
	if (ret_name)
		snprintf(ret_name, IFNAMSIZ, "%s", vmtap_tap_name(tap));
	vmtap_tap_free(tap);
}

static void vm_delete_many(struct vmtap_ctx *ctx, const char *const *names, size_t n)
{
	int r = vmtap_link_delete_many(ctx, NULL, names, n);

	if (r < 0)
		vm_die(ctx, "vmtap_link_delete_many", names[0], r);
}

/* The context's netlink socket is opened lazily: open it outside any timing. */
static struct vmtap_ctx *vm_ctx(void)
{
	struct vmtap_link_info li = { .sz = sizeof(li) };
	struct vmtap_ctx *ctx;
	int r;

	r = vmtap_ctx_new(&ctx);
	if (r < 0)
		die("vmtap_ctx_new: %s", strerror(-r));
	r = vmtap_link_get(ctx, NULL, "lo", &li);
	if (r < 0)
		vm_die(ctx, "vmtap_link_get", "lo", r);
	return ctx;
}

/* Names prefix<from..to) as an array for vmtap_link_delete_many() and argv. */
struct names {
	char (*buf)[IFNAMSIZ];
	const char **ptr;
	size_t n;
};

static void names_init(struct names *nm, size_t cap)
{
	nm->buf = calloc(cap ? cap : 1, IFNAMSIZ);
	nm->ptr = calloc(cap + 1, sizeof(*nm->ptr));
	nm->n = 0;
	if (!nm->buf || !nm->ptr)
		die("out of memory");
}

static char *names_next(struct names *nm)
{
	nm->ptr[nm->n] = nm->buf[nm->n];
	return nm->buf[nm->n++];
}

static void names_range(struct names *nm, const char *prefix, unsigned int from, unsigned int to)
{
	names_init(nm, to - from);
	for (unsigned int i = from; i < to; i++)
		name_of(names_next(nm), prefix, i);
}

static void names_free(struct names *nm)
{
	free(nm->buf);
	free(nm->ptr);
}

/* ---- configuration and results ---- */

struct config {
	unsigned int n;        /* endpoints per variant */
	unsigned int serial;   /* of which deleted one by one */
	unsigned int naming;   /* creations per naming measurement */
	unsigned int procs;    /* bare process runs */
	unsigned int pops[NPOPS];
	bool quick;
	const char *vmtap_bin, *ip_bin, *noop_bin;
};

struct results {
	struct meas raw_create, raw_del_serial, raw_del_bulk;
	struct meas kq_create, kq_del_bulk;
	struct meas vm_create, vm_del_serial, vm_del_bulk;
	struct meas cli_create, cli_del_serial, cli_del_bulk;
	struct meas ip_add, ip_mtu, ip_mac, ip_up, ip_del;  /* one step per process */
	struct meas ip3_add, ip3_set;                       /* mtu + address + up in one `ip link set` */
	struct meas raw2_create, raw2_del_serial;           /* the raw floor, in the CLI's rotation */
	struct meas cli_proc, ip_proc, noop_proc;
	struct meas ipb_create, ipb_del;
	struct meas par[2], par_raw;
	unsigned int retries[2];
	char retry_error[VMTAP_ERROR_MAX];
	struct meas name_default[NPOPS], name_kernel[NPOPS], name_raw[NPOPS];
};

/*
 * Variants that are compared run in alternation, one endpoint at a time, and
 * each step is timed on its own: on this machine the cost of an endpoint
 * swings by 10x with the state of kernel memory (see report()), and
 * alternating makes both sides of a ratio see the same conditions.  Who goes
 * first changes at every endpoint.
 */

/* ---- 1 + 2: libvmtap against the raw floor ---- */

static void bench_lib_vs_raw(const struct config *c, struct results *res, struct rawnl *nl, struct vmtap_ctx *ctx)
{
	char name[IFNAMSIZ];
	uint8_t mac[6];
	struct names rest;
	struct mark t;

	progress("raw floor and libvmtap: %u endpoints each, raw with the kernel's qdiscs: %u, in rotation", c->n,
		 c->serial);
	for (unsigned int i = 0; i < c->n; i++) {
		for (unsigned int turn = 0; turn < 3; turn++) {
			static const char *const prefix[] = { "vr", "va", "vq" };
			struct meas *m[] = { &res->raw_create, &res->vm_create, &res->kq_create };
			unsigned int v = (i + turn) % 3;

			/* the kernel-qdisc reference only on the first endpoints: 3 MB each (see report()) */
			if (v == 2 && i >= c->serial)
				continue;
			name_of(name, prefix[v], i);
			mac_of(mac, (uint8_t)(1 + v), i);
			t = mark_now();
			if (v == 1)
				vm_create(ctx, name, mac, true, NULL);
			else
				raw_create(nl, name, mac, v == 0 ? RAW_NOQUEUE : 0);
			meas_add(m[v], t, 1);
		}
	}

	progress("serial delete of %u of each (each waits for RCU)", c->serial);
	for (unsigned int i = 0; i < c->serial; i++) {
		for (int turn = 0; turn < 2; turn++) {
			bool raw = (turn == 0) == (i % 2 == 0);
			int r = 0;

			name_of(name, raw ? "vr" : "va", i);
			t = mark_now();
			if (raw)
				raw_delete(nl, name);
			else
				r = vmtap_link_delete(ctx, NULL, name);
			if (r < 0)
				vm_die(ctx, "vmtap_link_delete", name, r);
			meas_add(raw ? &res->raw_del_serial : &res->vm_del_serial, t, 1);
		}
	}

	progress("bulk delete of the other %u of each", c->n - c->serial);
	t = mark_now();
	raw_group(nl, "vr", c->serial, c->n, RAW_GROUP, true);
	meas_add(&res->raw_del_bulk, t, c->n - c->serial);

	names_range(&rest, "va", c->serial, c->n);
	t = mark_now();
	vm_delete_many(ctx, rest.ptr, rest.n);
	meas_add(&res->vm_del_bulk, t, rest.n);
	names_free(&rest);

	t = mark_now();
	raw_group(nl, "vq", 0, c->serial, RAW_GROUP, true);
	meas_add(&res->kq_del_bulk, t, c->serial);
}

/* ---- 3 + 4: the vmtap CLI against iproute2, one process per step ---- */

/*
 * Four variants rotate: the vmtap CLI (one process), iproute2 one step per
 * process as scripts do (tuntap add, link set mtu, link set address, link set
 * up: four processes), iproute2 with the three link settings in one `ip link
 * set` (two processes), for reference, and the raw floor in-process, for the
 * ceiling (see report()).
 *
 * In rounds of CLI_ROUND endpoints of each, every round ending with its
 * deletes: iproute2's devices keep the kernel's qdiscs (~3 MB each), and a
 * thousand of them left standing would slow every variant down by memory
 * pressure alone.  The first tenth of each round is deleted one by one (one
 * process each, timed); the CLI deletes the rest of its round with one `vmtap
 * delete` (timed), the other variants' rest goes in an untimed group delete.
 */
#define CLI_ROUND 100u

static void bench_cli_ip(const struct config *c, struct results *res, struct rawnl *nl)
{
	static const char *const prefix[] = { "vc", "vi", "vt", "vf" };
	char name[IFNAMSIZ], macs[18];
	uint8_t mac[6];
	struct mark t;

	progress("vmtap CLI, iproute2 one step per process, iproute2 3 steps in one, raw floor: %u endpoints each, "
		 "in rotation, in rounds of %u", c->n, CLI_ROUND);
	for (unsigned int from = 0; from < c->n; from += CLI_ROUND) {
		unsigned int to = from + CLI_ROUND < c->n ? from + CLI_ROUND : c->n;
		unsigned int serial = (to - from) / 10 ? (to - from) / 10 : 1;
		struct names rest;
		char **argv;

		for (unsigned int i = from; i < to; i++) {
			for (unsigned int turn = 0; turn < 4; turn++) {
				unsigned int v = (i + turn) % 4;
				char *create[] = { (char *)c->vmtap_bin, "create", name, "--queues", "4", "--mtu", MTU_STR,
						   "--mac", macs, "--up", NULL };
				char *add[] = { (char *)c->ip_bin, "tuntap", "add", "dev", name, "mode", "tap",
						"multi_queue", "vnet_hdr", NULL };
				char *set_mtu[] = { (char *)c->ip_bin, "link", "set", "dev", name, "mtu", MTU_STR, NULL };
				char *set_mac[] = { (char *)c->ip_bin, "link", "set", "dev", name, "address", macs, NULL };
				char *set_up[] = { (char *)c->ip_bin, "link", "set", "dev", name, "up", NULL };
				char *set3[] = { (char *)c->ip_bin, "link", "set", "dev", name, "mtu", MTU_STR, "address",
						 macs, "up", NULL };

				name_of(name, prefix[v], i);
				mac_of(mac, (uint8_t)(8 + v), i);
				mac_str(macs, mac);
				if (v == 0) {
					t = mark_now();
					run(create);
					meas_add(&res->cli_create, t, 1);
				} else if (v == 1) {
					char **steps[] = { add, set_mtu, set_mac, set_up };
					struct meas *m[] = { &res->ip_add, &res->ip_mtu, &res->ip_mac, &res->ip_up };
					for (int k = 0; k < 4; k++) {
						t = mark_now();
						run(steps[k]);
						meas_add(m[k], t, 1);
					}
				} else if (v == 2) {
					t = mark_now();
					run(add);
					meas_add(&res->ip3_add, t, 1);
					t = mark_now();
					run(set3);
					meas_add(&res->ip3_set, t, 1);
				} else {
					t = mark_now();
					raw_create(nl, name, mac, RAW_NOQUEUE);
					meas_add(&res->raw2_create, t, 1);
				}
			}
		}

		for (unsigned int i = from; i < from + serial; i++) {
			for (unsigned int turn = 0; turn < 3; turn++) {
				unsigned int v = (i + turn) % 3; /* CLI, iproute2, raw floor */
				char *del_cli[] = { (char *)c->vmtap_bin, "delete", name, NULL };
				char *del_ip[] = { (char *)c->ip_bin, "link", "del", "dev", name, NULL };

				name_of(name, prefix[v == 2 ? 3 : v], i);
				t = mark_now();
				if (v == 0)
					run(del_cli);
				else if (v == 1)
					run(del_ip);
				else
					raw_delete(nl, name);
				meas_add(v == 0 ? &res->cli_del_serial : v == 1 ? &res->ip_del : &res->raw2_del_serial, t, 1);
			}
		}

		names_range(&rest, "vc", from + serial, to);
		argv = calloc(rest.n + 3, sizeof(*argv));
		if (!argv)
			die("out of memory");
		argv[0] = (char *)c->vmtap_bin;
		argv[1] = "delete";
		for (size_t i = 0; i < rest.n; i++)
			argv[2 + i] = rest.buf[i];
		t = mark_now();
		run(argv);
		meas_add(&res->cli_del_bulk, t, rest.n);
		free(argv);
		names_free(&rest);
		/* untimed clean-up of the round */
		raw_group(nl, "vi", from + serial, to, RAW_GROUP, true);
		raw_group(nl, "vt", from, to, RAW_GROUP, true);
		raw_group(nl, "vf", from + serial, to, RAW_GROUP, true);
	}

	progress("process cost alone: %u x (vmtap --version, ip -V, a static no-op), in rotation", c->procs);
	for (unsigned int i = 0; i < c->procs; i++) {
		for (unsigned int turn = 0; turn < 3; turn++) {
			unsigned int v = (i + turn) % 3;
			char *v_cli[] = { (char *)c->vmtap_bin, "--version", NULL };
			char *v_ip[] = { (char *)c->ip_bin, "-V", NULL };
			char *v_noop[] = { (char *)c->noop_bin, NULL };
			char **argv3[] = { v_cli, v_ip, v_noop };
			struct meas *m[] = { &res->cli_proc, &res->ip_proc, &res->noop_proc };

			t = mark_now();
			run(argv3[v]);
			meas_add(m[v], t, 1);
		}
	}
}

/* ---- 4: iproute2 through one ip -batch process ---- */

static void write_batch(const char *path, const char *prefix, unsigned int from, unsigned int to, bool create)
{
	FILE *f = fopen(path, "w");
	char name[IFNAMSIZ], macs[18];
	uint8_t mac[6];

	if (!f)
		die("%s: %s", path, strerror(errno));
	for (unsigned int i = from; i < to; i++) {
		name_of(name, prefix, i);
		if (create) {
			mac_of(mac, 5, i);
			mac_str(macs, mac);
			fprintf(f, "tuntap add dev %s mode tap multi_queue vnet_hdr\n", name);
			fprintf(f, "link set dev %s mtu " MTU_STR " address %s up\n", name, macs);
		} else {
			fprintf(f, "link del dev %s\n", name);
		}
	}
	if (fclose(f) != 0)
		die("%s: %s", path, strerror(errno));
}

static void bench_ip_batch(const struct config *c, struct results *res, struct rawnl *nl)
{
	static const char batch[] = "/run/lifecycle.batch";
	char *args[] = { (char *)c->ip_bin, "-batch", (char *)batch, NULL };
	struct mark t;

	progress("ip -batch: %u endpoints in one process, then %u link del in one process", c->n, c->serial);
	write_batch(batch, "vj", 0, c->n, true);
	t = mark_now();
	run(args);
	meas_add(&res->ipb_create, t, c->n);
	write_batch(batch, "vj", 0, c->serial, false);
	t = mark_now();
	run(args);
	meas_add(&res->ipb_del, t, c->serial);
	unlink(batch);
	raw_group(nl, "vj", c->serial, c->n, RAW_GROUP, true); /* clean-up, untimed */
}

/* ---- 5: lifecycles per second with parallel workers, each with its own context ---- */

struct worker {
	pthread_t thread;
	pthread_barrier_t *start;
	bool raw;              /* the raw floor (own socket, group delete) instead of libvmtap */
	unsigned int id, count;
	unsigned int retries;  /* failed bulk deletes, retried with a fresh context */
	char first_error[VMTAP_ERROR_MAX];
};

/* The raw floor's lifecycle: its create, and one group delete of the worker's devices at the end. */
static void *raw_worker_main(struct worker *w)
{
	char prefix[8], name[IFNAMSIZ];
	struct rawnl nl;
	uint8_t mac[6];

	snprintf(prefix, sizeof(prefix), "vR%u_", w->id);
	rawnl_open(&nl);
	pthread_barrier_wait(w->start);
	for (unsigned int i = 0; i < w->count; i++) {
		name_of(name, prefix, i);
		mac_of(mac, (uint8_t)(0x20 + w->id), i);
		raw_create(&nl, name, mac, RAW_NOQUEUE);
	}
	raw_group(&nl, prefix, 0, w->count, RAW_GROUP + 1 + w->id, true);
	mnl_socket_close(nl.sk);
	return NULL;
}

static void *worker_main(void *p)
{
	struct worker *w = p;
	struct vmtap_ctx *ctx;

	if (w->raw)
		return raw_worker_main(w);
	ctx = vm_ctx();
	char prefix[8];
	struct names nm;
	uint8_t mac[6];

	snprintf(prefix, sizeof(prefix), "vw%u_", w->id);
	names_init(&nm, w->count);
	pthread_barrier_wait(w->start);
	for (unsigned int i = 0; i < w->count; i++) {
		char *name = names_next(&nm);
		name_of(name, prefix, i);
		mac_of(mac, (uint8_t)(0x10 + w->id), i);
		vm_create(ctx, name, mac, true, NULL);
	}
	for (;;) {
		int r = vmtap_link_delete_many(ctx, NULL, nm.ptr, nm.n);

		if (r >= 0)
			break;
		/*
		 * Seen with 2 workers: the link dump is interrupted by the other
		 * worker's changes (EINTR), after which the context's socket stays
		 * out of step (EPROTO).  Nothing was deleted yet: count it and retry
		 * with a fresh context, as a caller would have to.
		 */
		if ((r != -EINTR && r != -EPROTO) || w->retries >= 10000)
			vm_die(ctx, "vmtap_link_delete_many", nm.ptr[0], r);
		if (!w->retries++)
			snprintf(w->first_error, sizeof(w->first_error), "%s", vmtap_ctx_error(ctx));
		vmtap_ctx_free(ctx);
		ctx = vm_ctx();
	}
	names_free(&nm);
	vmtap_ctx_free(ctx);
	return NULL;
}

static void bench_parallel(unsigned int nworkers, bool raw, unsigned int n, struct meas *m, struct results *res)
{
	struct worker w[2];
	pthread_barrier_t start;
	struct mark t;

	progress("%u %s worker(s): %u lifecycles (create; bulk delete at the end)", nworkers, raw ? "raw floor" : "libvmtap",
		 n);
	pthread_barrier_init(&start, NULL, nworkers + 1);
	for (unsigned int i = 0; i < nworkers; i++) {
		w[i] = (struct worker){ .start = &start, .raw = raw, .id = i,
					.count = n / nworkers + (i < n % nworkers) };
		if (pthread_create(&w[i].thread, NULL, worker_main, &w[i]))
			die("pthread_create failed");
	}
	pthread_barrier_wait(&start);
	t = mark_now();
	for (unsigned int i = 0; i < nworkers; i++)
		pthread_join(w[i].thread, NULL);
	meas_add(m, t, n);
	for (unsigned int i = 0; i < nworkers; i++) {
		if (w[i].retries && !res->retries[nworkers - 1])
			snprintf(res->retry_error, sizeof(res->retry_error), "%s", w[i].first_error);
		res->retries[nworkers - 1] += w[i].retries;
	}
	pthread_barrier_destroy(&start);
}

/* ---- 6: creation cost against the number of devices present ---- */

/*
 * The endpoint's TAP (4 queues, vnet_hdr, persistent, .link MTU + MAC) but
 * left down: bringing a multi-queue TAP up allocates 256 pfifo_fast qdiscs
 * (~3 MB), whose cost swings with the state of kernel memory and would drown
 * the effect of the name.  Three variants rotate: vmtap's default name, a
 * kernel-allocated name, and a control, the raw floor with an explicit name
 * (same TAP, left down).  The control does no name search, so it shows how
 * much of a change between population sizes is the machine drifting over the
 * minutes between them (background load, RCU, memory): on this machine that
 * drift alone reaches 2x.  A warm-up round, untimed, precedes each measurement.
 */
static void bench_naming(const struct config *c, struct results *res, struct rawnl *nl, struct vmtap_ctx *ctx)
{
	unsigned int have = 0;

	for (int p = 0; p < NPOPS; p++) {
		struct names nm;

		if (c->pops[p] > have) {
			progress("populating: %u more single-queue TAPs named vbN (untimed)", c->pops[p] - have);
			populate(nl, "vb", have, c->pops[p]);
			have = c->pops[p];
		}
		progress("%u devices present: %u creations each: .name = NULL, .name = \"vb%%d\", raw control", have,
			 c->naming);
		for (int round = 0; round < 2; round++) {
			names_init(&nm, 3 * (size_t)c->naming);
			for (unsigned int i = 0; i < c->naming; i++) {
				for (unsigned int turn = 0; turn < 3; turn++) {
					struct meas *m[] = { &res->name_default[p], &res->name_kernel[p], &res->name_raw[p] };
					unsigned int v = (i + turn) % 3;
					char *name = names_next(&nm);
					uint8_t mac[6];
					struct mark t;

					mac_of(mac, (uint8_t)(6 + v), i);
					if (v == 2)
						name_of(name, "vx", i);
					t = mark_now();
					if (v == 2)
						raw_create(nl, name, mac, RAW_NOQUEUE | RAW_DOWN);
					else
						vm_create(ctx, v ? "vb%d" : NULL, mac, false, name);
					if (round)
						meas_add(m[v], t, 1);
				}
			}
			vm_delete_many(ctx, nm.ptr, nm.n); /* untimed */
			names_free(&nm);
		}
	}
	progress("removing the population (untimed)");
	raw_group(nl, "vb", 0, 0, POP_GROUP, true);
}

/* ---- report ---- */

static void row(const char *variant, const char *phase, const struct meas *m)
{
	printf("%-12s %-44s %6lu %10.1f %10.1f %10.1f %9.0f\n", variant, phase, m->count, m->wall * 1e3, us_wall(m),
	       us_cpu(m), m->wall > 0 ? (double)m->count / m->wall : 0);
}

static void target(const char *what, double value, const char *unit, bool at_most, double limit)
{
	bool met = at_most ? value <= limit : value >= limit;

	printf("  %-66s %8.2f%-2s (target %s %g%s)  %s\n", what, value, unit, at_most ? "<=" : ">=", limit, unit,
	       met ? "target met" : "TARGET MISSED");
}

static void info(const char *what, double value, const char *unit)
{
	printf("  %-66s %8.2f%s\n", what, value, unit);
}

static double ratio(double a, double b)
{
	return b > 0 ? a / b : 0;
}

static void report(const struct config *c, const struct results *r)
{
	const struct meas *d0 = &r->name_default[0], *dn = &r->name_default[NPOPS - 1];
	const struct meas *k0 = &r->name_kernel[0], *kn = &r->name_kernel[NPOPS - 1];
	const struct meas *c0 = &r->name_raw[0], *cn = &r->name_raw[NPOPS - 1];
	struct meas ip_create = r->ip_add, ip3_create = r->ip3_add;
	double cli_cpu, ip_cpu, ip3_cpu, cli_wall, ip_wall, ceiling_cpu;
	char buf[128];

	for (const struct meas *const *m = (const struct meas *const[]){ &r->ip_mtu, &r->ip_mac, &r->ip_up, NULL };
	     *m; m++) {
		ip_create.wall += (*m)->wall;
		ip_create.cpu += (*m)->cpu;
	}
	ip3_create.wall += r->ip3_set.wall;
	ip3_create.cpu += r->ip3_set.cpu;

	printf("\nEndpoint lifecycle: TAP with %d queues + vnet_hdr, persistent, MTU %d + MAC + up; then deleted.\n",
	       QUEUES, MTU);
	printf("N=%u endpoints per variant%s. Variants compared in a ratio alternate endpoint by endpoint; rows\n"
	       "from different phases are not comparable (kernel memory state differs, see notes).\n", c->n,
	       c->quick ? " (--quick)" : "");
	printf("Serial deletes: measured on the first %u endpoints of each variant only (each waits ~20 ms for RCU);\n"
	       "the other %u are deleted in bulk (timed for raw floor, libvmtap and CLI, untimed clean-up otherwise).\n",
	       c->serial, c->n - c->serial);
	printf("CPU = getrusage(RUSAGE_SELF + RUSAGE_CHILDREN) user+sys; kworker/softirq work is not included.\n\n");
	printf("%-12s %-44s %6s %10s %10s %10s %9s\n", "variant", "phase", "count", "wall ms", "wall us/ep",
	       "CPU us/ep", "per s");
	row("raw floor", "create: 4x TUNSETIFF, PERSIST, noqueue+NEWLINK", &r->raw_create);
	row("raw floor", "delete serial: 1 RTM_DELLINK each", &r->raw_del_serial);
	row("raw floor", "delete bulk: group + 1 RTM_DELLINK", &r->raw_del_bulk);
	row("raw kernel-q", "create: raw floor without noqueue", &r->kq_create);
	row("raw kernel-q", "delete bulk: group + 1 RTM_DELLINK", &r->kq_del_bulk);
	row("libvmtap", "create: vmtap_tap_create + .link", &r->vm_create);
	row("libvmtap", "delete serial: vmtap_link_delete", &r->vm_del_serial);
	row("libvmtap", "delete bulk: vmtap_link_delete_many", &r->vm_del_bulk);
	row("vmtap CLI", "create (1 process each)", &r->cli_create);
	row("vmtap CLI", "delete serial (1 process each)", &r->cli_del_serial);
	snprintf(buf, sizeof(buf), "delete bulk (1 process, %u names a round)", CLI_ROUND - CLI_ROUND / 10);
	row("vmtap CLI", buf, &r->cli_del_bulk);
	row("iproute2", "tuntap add (1 process each)", &r->ip_add);
	row("iproute2", "link set mtu (1 process each)", &r->ip_mtu);
	row("iproute2", "link set address (1 process each)", &r->ip_mac);
	row("iproute2", "link set up (1 process each)", &r->ip_up);
	row("iproute2", "create = add + 3 sets (4 processes each)", &ip_create);
	row("iproute2", "link del (1 process each)", &r->ip_del);
	row("iproute2 x3", "tuntap add (1 process each)", &r->ip3_add);
	row("iproute2 x3", "link set mtu+address+up (1 process each)", &r->ip3_set);
	row("iproute2 x3", "create = add + set (2 processes each)", &ip3_create);
	row("raw floor", "create, in the CLI's rotation", &r->raw2_create);
	row("raw floor", "delete serial, in the CLI's rotation", &r->raw2_del_serial);
	row("ip -batch", "create (1 process, 2 lines each)", &r->ipb_create);
	row("ip -batch", "link del (1 process, 1 line each)", &r->ipb_del);
	row("process", "vmtap --version (process cost alone)", &r->cli_proc);
	row("process", "ip -V (process cost alone)", &r->ip_proc);
	row("process", "static no-op (the machine's floor)", &r->noop_proc);
	row("parallel x1", "lifecycle, bulk delete at end (1 thread)", &r->par[0]);
	row("parallel x2", "lifecycle, 2 threads, 2 runs of N/2, bulk del", &r->par[1]);
	row("raw x2", "raw floor, the same, 2 runs around them", &r->par_raw);
	for (int p = 0; p < NPOPS; p++) {
		char v[24];
		snprintf(v, sizeof(v), "present %u", c->pops[p]);
		row(v, "create, down, vmtap default name (NULL)", &r->name_default[p]);
		row(v, "create, down, kernel-allocated \"vb%d\"", &r->name_kernel[p]);
		row(v, "control: raw floor, explicit name, down", &r->name_raw[p]);
	}

	cli_cpu = us_cpu(&r->cli_create) + us_cpu(&r->cli_del_serial);
	ip_cpu = us_cpu(&ip_create) + us_cpu(&r->ip_del);
	ip3_cpu = us_cpu(&ip3_create) + us_cpu(&r->ip_del);
	cli_wall = us_wall(&r->cli_create) + us_wall(&r->cli_del_serial);
	ip_wall = us_wall(&ip_create) + us_wall(&r->ip_del);
	/*
	 * The least CPU any two-process CLI could use: two processes that do
	 * nothing, plus the kernel work of the raw floor's create and delete.
	 */
	ceiling_cpu = 2 * us_cpu(&r->noop_proc) + us_cpu(&r->raw2_create) + us_cpu(&r->raw2_del_serial);

	printf("\nRatios and targets:\n");
	target("libvmtap create / raw floor create, wall", ratio(r->vm_create.wall, r->raw_create.wall), "x", true,
	       1.3);
	target("libvmtap create / raw floor create, CPU", ratio(r->vm_create.cpu, r->raw_create.cpu), "x", true, 1.3);
	target("iproute2 (5 processes) / vmtap CLI (2 processes), CPU per endpoint", ratio(ip_cpu, cli_cpu), "x",
	       false, 8);
	target("libvmtap serial / bulk delete, wall per device",
	       ratio(us_wall(&r->vm_del_serial), us_wall(&r->vm_del_bulk)), "x", false, 20);
	target("lifecycles per second, 2 workers, bulk delete", ratio((double)r->par[1].count, r->par[1].wall), "/s",
	       false, 1000);
	/* each population's cost relative to the control measured alongside: the machine's drift cancels out */
	snprintf(buf, sizeof(buf), "vmtap default name, %u / 0 present, wall, vs control", c->pops[NPOPS - 1]);
	target(buf, ratio(ratio(us_wall(dn), us_wall(cn)), ratio(us_wall(d0), us_wall(c0))), "x", true, 1.2);
	snprintf(buf, sizeof(buf), "vmtap default name, %u / 0 present, CPU, vs control", c->pops[NPOPS - 1]);
	target(buf, ratio(ratio(us_cpu(dn), us_cpu(cn)), ratio(us_cpu(d0), us_cpu(c0))), "x", true, 1.2);

	printf("\nFor reference:\n");
	snprintf(buf, sizeof(buf), "kernel-allocated name, %u / 0 present, CPU, vs control", c->pops[NPOPS - 1]);
	info(buf, ratio(ratio(us_cpu(kn), us_cpu(cn)), ratio(us_cpu(k0), us_cpu(c0))), "x");
	snprintf(buf, sizeof(buf), "as measured, %u / 0 present, CPU: vmtap default name", c->pops[NPOPS - 1]);
	info(buf, ratio(us_cpu(dn), us_cpu(d0)), "x");
	snprintf(buf, sizeof(buf), "as measured, %u / 0 present, CPU: kernel-allocated name", c->pops[NPOPS - 1]);
	info(buf, ratio(us_cpu(kn), us_cpu(k0)), "x");
	snprintf(buf, sizeof(buf), "as measured, %u / 0 present, CPU: control (drift of the machine)",
		 c->pops[NPOPS - 1]);
	info(buf, ratio(us_cpu(cn), us_cpu(c0)), "x");
	{
		double d = 0, ctl = 0;
		for (int p = 0; p < NPOPS; p++) {
			d += us_cpu(&r->name_default[p]) / NPOPS;
			ctl += us_cpu(&r->name_raw[p]) / NPOPS;
		}
		info("libvmtap overhead per create, CPU: \"present\" default name - control", d - ctl, " us");
	}
	info("libvmtap create - raw floor create, CPU per endpoint (up)", us_cpu(&r->vm_create) - us_cpu(&r->raw_create),
	     " us");
	info("raw kernel qdiscs / raw floor (noqueue) create, wall", ratio(us_wall(&r->kq_create), us_wall(&r->raw_create)),
	     "x");
	info("raw kernel qdiscs / raw floor (noqueue) create, CPU", ratio(us_cpu(&r->kq_create), us_cpu(&r->raw_create)),
	     "x");
	info("raw kernel qdiscs / raw floor (noqueue) bulk delete, wall per device",
	     ratio(us_wall(&r->kq_del_bulk), us_wall(&r->raw_del_bulk)), "x");
	info("libvmtap serial delete / raw serial delete, wall",
	     ratio(us_wall(&r->vm_del_serial), us_wall(&r->raw_del_serial)), "x");
	info("libvmtap bulk delete / raw bulk delete, wall per device",
	     ratio(us_wall(&r->vm_del_bulk), us_wall(&r->raw_del_bulk)), "x");
	info("libvmtap bulk delete / raw bulk delete, CPU per device",
	     ratio(us_cpu(&r->vm_del_bulk), us_cpu(&r->raw_del_bulk)), "x");
	info("raw serial / raw bulk delete, wall per device",
	     ratio(us_wall(&r->raw_del_serial), us_wall(&r->raw_del_bulk)), "x");
	info("vmtap CLI create + delete, CPU per endpoint", cli_cpu, " us");
	info("iproute2 one step per process (5 processes), CPU per endpoint", ip_cpu, " us");
	info("iproute2 add + one link set + del (3 processes), CPU per endpoint", ip3_cpu, " us");
	info("iproute2 (3 processes) / vmtap CLI, CPU per endpoint", ratio(ip3_cpu, cli_cpu), "x");
	info("iproute2 (5 processes) / vmtap CLI, wall per endpoint", ratio(ip_wall, cli_wall), "x");
	info("ceiling: 2 static no-op processes + raw floor create + delete, CPU", ceiling_cpu, " us");
	info("ceiling: iproute2 (5 processes) / that, the best any 2-process CLI gets", ratio(ip_cpu, ceiling_cpu), "x");
	info("vmtap CLI / ceiling, CPU per endpoint", ratio(cli_cpu, ceiling_cpu), "x");
	info("ip -V / vmtap --version, CPU per process", ratio(us_cpu(&r->ip_proc), us_cpu(&r->cli_proc)), "x");
	info("vmtap --version / static no-op, CPU per process", ratio(us_cpu(&r->cli_proc), us_cpu(&r->noop_proc)), "x");
	info("lifecycles per second, 1 worker", ratio((double)r->par[0].count, r->par[0].wall), "/s");
	info("ceiling: raw floor lifecycles per second, 2 workers", ratio((double)r->par_raw.count, r->par_raw.wall),
	     "/s");
	info("libvmtap / raw floor, lifecycles per second, 2 workers",
	     ratio(ratio((double)r->par[1].count, r->par[1].wall), ratio((double)r->par_raw.count, r->par_raw.wall)),
	     "x");

	printf("\nNotes:\n"
	       " - Bringing a multi-queue TAP up gives it mq + 256 pfifo_fast qdiscs (one per possible queue), ~3 MB of\n"
	       "   zeroed kernel memory per endpoint, freed on delete, unless its root qdisc is set first. vmtap sets\n"
	       "   noqueue (as libvirt does), and so does the raw floor; \"raw kernel-q\" and iproute2 keep the kernel's\n"
	       "   qdiscs. Where fresh memory is expensive (e.g. a VM whose free pages go back to the host) they\n"
	       "   dominate and swing between phases.\n"
	       " - The ceiling is what a CLI that costs nothing would reach: two processes of the machine's cheapest\n"
	       "   kind (static, doing nothing) plus the kernel work of the raw floor's create and serial delete,\n"
	       "   measured in the CLI's rotation. The CLI and iproute2 run in rounds of %u endpoints, each round\n"
	       "   deleted before the next (iproute2's devices hold the kernel's qdiscs: a thousand of them at once\n"
	       "   would slow every variant by memory pressure).\n"
	       " - \"present\" rows: the endpoint's TAP with .link MTU + MAC but left down, after an untimed warm-up\n"
	       "   round, so that qdisc memory does not hide the cost of the name. The control (raw floor, explicit\n"
	       "   name) searches no names: the naming targets divide by it to cancel the machine's drift over time.\n",
	       CLI_ROUND);
	for (int i = 0; i < 2; i++)
		if (r->retries[i])
			printf(" - LIBRARY ERROR, parallel x%d: vmtap_link_delete_many failed %u time(s), first with \"%s\";\n"
			       "   retried with a fresh context (time included). The link dump was interrupted by the\n"
			       "   other worker's changes (EINTR) and left the context's socket out of step (EPROTO).\n",
			       i + 1, r->retries[i], r->retry_error);
}

/* ---- main ---- */

static void usage(FILE *f)
{
	fprintf(f, "Usage: lifecycle [--quick] [--vmtap PATH] [N]\n"
		   "  N        endpoints per variant (default 1000; 50 with --quick)\n"
		   "  --quick  smoke run: N=50, populations 0/200/1000, 50 creations per naming point\n"
		   "  --vmtap  the vmtap binary (default " VMTAP_BIN ")\n"
		   "Runs in private network and mount namespaces (needs root); exits 0 whatever the targets.\n");
}

int main(int argc, char **argv)
{
	struct config c = { .n = 0, .vmtap_bin = VMTAP_BIN, .noop_bin = NOOP_BIN };
	struct results res = { 0 };
	struct vmtap_ctx *ctx;
	struct rawnl nl;

	for (int i = 1; i < argc; i++) {
		char *end;
		if (!strcmp(argv[i], "--quick")) {
			c.quick = true;
		} else if (!strcmp(argv[i], "--vmtap") && i + 1 < argc) {
			c.vmtap_bin = argv[++i];
		} else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			usage(stdout);
			return 0;
		} else if (argv[i][0] != '-' && (c.n = (unsigned int)strtoul(argv[i], &end, 10), !*end) && c.n >= 4 &&
			   c.n <= 99999) {
			continue;
		} else {
			usage(stderr);
			return 2;
		}
	}
	if (!c.n)
		c.n = c.quick ? 50 : 1000;
	c.serial = c.n / 10 < 2 ? 2 : c.n / 10 > 100 ? 100 : c.n / 10;
	c.naming = c.quick ? 50 : 200;
	c.procs = c.n < 200 ? c.n : 200;
	c.pops[0] = 0;
	c.pops[1] = c.quick ? 200 : 1000;
	c.pops[2] = c.quick ? 1000 : 10000;
	if (access(c.vmtap_bin, X_OK) < 0)
		die("vmtap binary %s: %s (give --vmtap PATH)", c.vmtap_bin, strerror(errno));
	if (access(c.noop_bin, X_OK) < 0)
		die("no-op binary %s: %s", c.noop_bin, strerror(errno));
	c.ip_bin = find_in_path("ip");
	if (!c.ip_bin)
		die("ip (iproute2) not found in PATH");
	c.ip_bin = strdup(c.ip_bin);

	t_start = mark_now();
	setvbuf(stdout, NULL, _IOLBF, 0);
	enter_private_namespace();
	spawn_init();
	rawnl_open(&nl);
	ctx = vm_ctx();

	bench_lib_vs_raw(&c, &res, &nl, ctx);
	bench_cli_ip(&c, &res, &nl);
	bench_ip_batch(&c, &res, &nl);
	bench_parallel(1, false, c.n, &res.par[0], &res);
	/* raw, libvmtap, libvmtap, raw: a drift of the machine over the minute weighs on both alike */
	for (int k = 0; k < 4; k++) {
		bool raw = k == 0 || k == 3;
		bench_parallel(2, raw, c.n / 2, raw ? &res.par_raw : &res.par[1], &res);
	}
	bench_naming(&c, &res, &nl, ctx);
	progress("done");

	report(&c, &res);
	vmtap_ctx_free(ctx);
	mnl_socket_close(nl.sk);
	return 0;
}

/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Data-path benchmark: UDP frames written to queue fds as a VMM writes them, through bridge, tc redirect and macvtap, against a veth floor. */
/**
 * DOC: Theory of Operation
 *
 * What is measured: frames go from user space into a queue fd exactly as a
 * VMM without vhost-net sends a guest's frames (one write() per frame, a
 * 10-byte virtio-net header in front, the queue's TUNSETSNDBUF at INT_MAX as
 * QEMU sets it), cross the connection under test and are counted by a UDP
 * socket in the peer network namespace: what the receiving stack accepted,
 * not what was written.  Every mode ends on the same veth peer in its own
 * receiver namespace, so the receiving half is the same for all of them.
 *
 *   floor     AF_PACKET (PACKET_VNET_HDR, PACKET_QDISC_BYPASS) -> veth -> peer
 *   bridge    vmtap endpoint TAP -> Linux bridge -> veth -> peer
 *   bridge-nf0  the same with bridge-nf-call-*tables 0 (br_netfilter's hooks off)
 *   redirect  vmtap endpoint TAP -> tc ingress u32 + mirred egress redirect -> pod veth -> peer
 *   macvtap   vmtap endpoint macvtap (bridge mode) queue -> macvlan -> pod veth -> peer
 *
 * bridge, redirect and macvtap are built by libvmtap (vmtap_endpoint_create()),
 * so the bench measures what vmtap makes, qdiscs and tc objects included
 * (with --macvtap-kernel-qdisc, the macvtap is made by hand: connect_macvtap()).
 *
 * The floor is the cheapest way the kernel offers to put the same bytes,
 * with the same virtio-net header parsed by the same virtio_net_hdr_to_skb(),
 * on a veth: it skips the TAP's receive path and whatever connects the TAP to
 * the veth, which is exactly what the modes add.
 *
 * Workloads: 64-byte and 1472-byte UDP payloads (pps; no offloads, as vmtap
 * leaves a queue), and 64 KiB UDP GSO frames (USO: gso_type UDP_L4, 44 x
 * 1472 bytes) after TUNSETOFFLOAD CSUM|TSO4|TSO6|TSO_ECN|USO4|USO6, as QEMU
 * sets it for a guest with offloads.  UDP rather than TCP so the receiver's
 * stack accepts every segment without a TCP sender in user space; the
 * receiving socket has UDP_GRO on, so a GSO frame is delivered whole (as TCP
 * would coalesce it) and counted by its segments.
 *
 * The receiver reads with recvmmsg() and MSG_TRUNC into 16-byte buffers:
 * the kernel reports each datagram's length without copying its payload.
 * It polls (non-blocking, a 1 ms nap when the socket is empty, 64 MB of
 * buffer) rather than sleeping in the socket: a sleeping reader costs the
 * writer a wake-up, an IPI, per datagram, several microseconds in a VM.
 * So the instrument costs little and the same in every mode.  A UDP socket
 * rather than AF_PACKET: it counts what the stack accepted (MACs, IP,
 * checksums, ports), and takes a GSO frame whole.
 *
 * 1 queue = one writer thread; N queues = N writer threads, each on its own
 * queue fd (N = the CPU count).  On a 2-CPU machine the receiver shares the
 * CPUs with the writers, and the stack's receive work runs in the writers'
 * softirq context; the floor with N writers shows what the machine allows.
 *
 * Timings swing between runs on a small VM: each round runs every cell
 * (workload x queues x mode), the modes of a cell back to back in an order
 * rotated every round, so drift weighs on all modes alike.  Ratios are taken
 * over the sums of all rounds; the per-round spread is printed too.
 *
 * Nothing outlives the process: it unshares a network and a mount namespace
 * first; every other namespace is a bind mount on a tmpfs over /run inside
 * that private mount namespace, so all of them, and every device in them,
 * go when the process ends, however it ends (SIGINT, SIGTERM, SIGKILL).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <pthread.h>
#include <sched.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/udp.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <linux/if_tun.h>
#include <linux/virtio_net.h>

#include "vmtap.h"

/* Debian 12's uapi headers are 6.1's; USO came with 6.2 */
#ifndef VIRTIO_NET_HDR_GSO_UDP_L4
#define VIRTIO_NET_HDR_GSO_UDP_L4 5
#endif
#ifndef TUN_F_USO4
#define TUN_F_USO4 0x20
#define TUN_F_USO6 0x40
#endif
#ifndef SO_MEMINFO
#define SO_MEMINFO 55
#endif
#ifndef SK_MEMINFO_DROPS
#define SK_MEMINFO_DROPS 8
#endif

#define MAX_QUEUES 16
#define VNET_HDR_LEN 10 /* sizeof(struct virtio_net_hdr): vmtap's default */
#define HDRS_LEN (14 + 20 + 8)
#define SEG_PAYLOAD 1472 /* 1500-byte IPv4 packets */
#define GSO_SEGS 44      /* 44 x 1472 = 64768 bytes: a 64 KiB frame under the IPv4 limit */
#define RX_PORT 9000
#define TX_PORT0 40000
#define RX_VLEN 256
#define RX_BUF 16
#define RX_NAP 1e-3 /* the receiver polls: no wake-up (an IPI, costly in a VM) per datagram */
#define MAGIC "vmtap-dp"
/* what QEMU's tap_fd_set_offload() asks for a virtio-net guest with every offload */
#define OFFLOADS_QEMU (TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6 | TUN_F_TSO_ECN | TUN_F_USO4 | TUN_F_USO6)

static const uint8_t ip_guest[4] = { 10, 77, 0, 2 }, ip_peer[4] = { 10, 77, 0, 1 };

/* ---- plumbing ---- */

static double t_start;

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void __attribute__((noreturn, format(printf, 1, 2))) die(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "datapath: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static void __attribute__((format(printf, 1, 2))) progress(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "[%6.1fs] ", now() - t_start);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static void sleep_s(double s)
{
	struct timespec ts = { .tv_sec = (time_t)s, .tv_nsec = (long)((s - (double)(time_t)s) * 1e9) };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static void mac_str(char buf[18], const uint8_t mac[6])
{
	snprintf(buf, 18, "%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1], mac[2], mac[3], mac[4], mac[5]);
}

static posix_spawn_file_actions_t spawn_fa;
static bool cmd_show; /* let the command's stdout through (--stats) */

/*
 * Run a command line (words split on spaces, looked up in PATH) to
 * completion; any failure ends the benchmark.  Only for building topologies:
 * ip and tc are allowed in benchmarks, never in the library.
 */
static void __attribute__((format(printf, 1, 2))) cmd(const char *fmt, ...)
{
	char line[512], copy[512], *argv[48], *save = NULL;
	size_t n = 0;
	va_list ap;
	pid_t pid;
	int st, r;

	va_start(ap, fmt);
	if (vsnprintf(line, sizeof(line), fmt, ap) >= (int)sizeof(line))
		die("command too long: %s", fmt);
	va_end(ap);
	memcpy(copy, line, sizeof(line));
	for (char *w = strtok_r(copy, " ", &save); w && n < 47; w = strtok_r(NULL, " ", &save))
		argv[n++] = w;
	argv[n] = NULL;
	r = posix_spawnp(&pid, argv[0], cmd_show ? NULL : &spawn_fa, NULL, argv, environ);
	if (r)
		die("spawn %s: %s", argv[0], strerror(r));
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			die("waitpid: %s", strerror(errno));
	if (!WIFEXITED(st) || WEXITSTATUS(st))
		die("command failed (status 0x%x): %s", st, line);
}

/* ---- namespaces ---- */

static int self_ns = -1; /* the private namespace the process unshared */

static void enter_private_namespace(void)
{
	int fd;

	if (unshare(CLONE_NEWNET | CLONE_NEWNS) < 0)
		die("unshare(CLONE_NEWNET | CLONE_NEWNS): %s (run as root)", strerror(errno));
	if (mount("none", "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		die("make mounts private: %s", strerror(errno));
	/* /run/netns for the namespaces, /run/vmtap for libvmtap's records: all ours, gone with us */
	if (mount("tmpfs", "/run", "tmpfs", 0, "mode=0755") < 0)
		die("mount tmpfs on /run: %s", strerror(errno));
	if (mkdir("/run/netns", 0755) < 0 || mkdir("/run/dp", 0700) < 0)
		die("mkdir under /run: %s", strerror(errno));
	self_ns = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	if (self_ns < 0)
		die("open own netns: %s", strerror(errno));
	fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		die("/dev/null: %s", strerror(errno));
	posix_spawn_file_actions_init(&spawn_fa);
	posix_spawn_file_actions_adddup2(&spawn_fa, fd, STDOUT_FILENO);
}

/* A thread may unshare its own network namespace; it pins it with a bind mount and ends. */
static void *netns_add_thread(void *arg)
{
	const char *path = arg;
	int fd;

	if (unshare(CLONE_NEWNET) < 0)
		return (void *)(intptr_t)errno;
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0444);
	if (fd < 0)
		return (void *)(intptr_t)errno;
	close(fd);
	if (mount("/proc/thread-self/ns/net", path, NULL, MS_BIND, NULL) < 0)
		return (void *)(intptr_t)errno;
	return NULL;
}

/* Make namespace @name (/run/netns/@name, inside the private mount namespace); returns an fd of it. */
static int netns_add(const char *name)
{
	char path[128];
	pthread_t th;
	void *ret;
	int fd, r;

	snprintf(path, sizeof(path), "/run/netns/%s", name);
	r = pthread_create(&th, NULL, netns_add_thread, path);
	if (r || (r = pthread_join(th, &ret)))
		die("netns thread: %s", strerror(r));
	if (ret)
		die("netns %s: %s", name, strerror((int)(intptr_t)ret));
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		die("open %s: %s", path, strerror(errno));
	return fd;
}

/* The main thread visits a namespace only for the length of one step, and comes back. */
static void netns_enter(int nsfd)
{
	if (setns(nsfd, CLONE_NEWNET) < 0)
		die("setns: %s", strerror(errno));
}

static void netns_leave(void)
{
	netns_enter(self_ns);
}

/* ---- frames ---- */

enum workload { W_SMALL, W_MTU, W_GSO, NW };

static const struct workload_info {
	const char *name;
	const char *desc;
	size_t payload;     /* UDP payload bytes per frame */
	unsigned int segs;  /* MTU-sized segments per frame (GSO), else 1 */
	uint32_t offloads;  /* TUNSETOFFLOAD on the queue */
} wl[NW] = {
	[W_SMALL] = { "64 B", "UDP, 64-byte payload (106-byte frames), offloads 0", 64, 1, 0 },
	[W_MTU] = { "1500 B", "UDP, 1472-byte payload (1514-byte frames), offloads 0", SEG_PAYLOAD, 1, 0 },
	[W_GSO] = { "64K GSO", "UDP GSO (USO), 44 x 1472 bytes per frame, offloads as QEMU",
		    (size_t)GSO_SEGS * SEG_PAYLOAD, GSO_SEGS, OFFLOADS_QEMU },
};

struct frame {
	uint8_t *buf; /* virtio-net header + Ethernet frame */
	size_t len;
};

static uint32_t csum_add(uint32_t sum, const uint8_t *p, size_t len)
{
	for (; len > 1; p += 2, len -= 2)
		sum += (uint32_t)(p[0] << 8 | p[1]);
	if (len)
		sum += (uint32_t)(p[0] << 8);
	return sum;
}

static uint16_t csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

/*
 * One frame as a guest's virtio-net driver hands it over.  Without offloads:
 * flags 0, complete UDP checksum.  GSO: NEEDS_CSUM with csum_start/offset at
 * the UDP checksum, which holds the pseudo-header sum (CHECKSUM_PARTIAL), and
 * UDP_L4 segmentation at 1472 bytes; IP and UDP lengths are the whole frame's.
 */
static void frame_build(struct frame *f, enum workload w, const uint8_t src[6], const uint8_t dst[6],
			uint16_t sport)
{
	size_t ulen = 8 + wl[w].payload, iplen = 20 + ulen;
	struct virtio_net_hdr *vh;
	uint8_t *eth, *ip, *udp, *pl;
	uint32_t pseudo;

	f->len = VNET_HDR_LEN + 14 + iplen;
	f->buf = calloc(1, f->len);
	if (!f->buf)
		die("out of memory");
	vh = (struct virtio_net_hdr *)f->buf;
	eth = f->buf + VNET_HDR_LEN;
	ip = eth + 14;
	udp = ip + 20;
	pl = udp + 8;

	memcpy(eth, dst, 6);
	memcpy(eth + 6, src, 6);
	eth[12] = 0x08;
	eth[13] = 0x00;

	ip[0] = 0x45;
	ip[2] = (uint8_t)(iplen >> 8);
	ip[3] = (uint8_t)iplen;
	ip[4] = 0x12; /* id */
	ip[6] = 0x40; /* DF */
	ip[8] = 64;
	ip[9] = IPPROTO_UDP;
	memcpy(ip + 12, ip_guest, 4);
	memcpy(ip + 16, ip_peer, 4);
	{
		uint16_t c = (uint16_t)~csum_fold(csum_add(0, ip, 20));
		ip[10] = (uint8_t)(c >> 8);
		ip[11] = (uint8_t)c;
	}

	udp[0] = (uint8_t)(sport >> 8);
	udp[1] = (uint8_t)sport;
	udp[2] = RX_PORT >> 8;
	udp[3] = RX_PORT & 0xff;
	udp[4] = (uint8_t)(ulen >> 8);
	udp[5] = (uint8_t)ulen;
	memcpy(pl, MAGIC, 8);
	for (size_t i = 8; i < wl[w].payload; i++)
		pl[i] = (uint8_t)i;

	pseudo = csum_add(0, ip + 12, 8) + IPPROTO_UDP + (uint32_t)ulen;
	if (wl[w].segs > 1) {
		uint16_t c = csum_fold(pseudo); /* not inverted: the device (here, the kernel) completes it */
		udp[6] = (uint8_t)(c >> 8);
		udp[7] = (uint8_t)c;
		vh->flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
		vh->gso_type = VIRTIO_NET_HDR_GSO_UDP_L4;
		vh->hdr_len = HDRS_LEN;
		vh->gso_size = SEG_PAYLOAD;
		vh->csum_start = 14 + 20;
		vh->csum_offset = 6;
	} else {
		uint16_t c = (uint16_t)~csum_fold(csum_add(pseudo, udp, ulen));
		if (!c)
			c = 0xffff;
		udp[6] = (uint8_t)(c >> 8);
		udp[7] = (uint8_t)c;
	}
}

/* ---- topologies ---- */

enum mode { M_FLOOR, M_BRIDGE, M_BRIDGE_NF0, M_REDIRECT, M_MACVTAP, NM };

static const char *const mode_name[NM] = { "floor", "bridge", "bridge-nf0", "redirect", "macvtap" };
static bool enabled[NM] = { true, true, true, true, true }; /* --modes */
static const char *const mode_path[NM] = {
	[M_FLOOR] = "AF_PACKET (vnet hdr, qdisc bypass) -> veth -> peer",
	[M_BRIDGE] = "vmtap endpoint TAP -> bridge br0 -> veth -> peer",
	[M_BRIDGE_NF0] = "the same, bridge-nf-call-{ip,ip6,arp}tables 0 (no br_netfilter hooks)",
	[M_REDIRECT] = "vmtap redirect endpoint TAP -> tc u32 + mirred redirect -> pod veth eth0 -> peer",
	[M_MACVTAP] = "vmtap macvtap endpoint (bridge mode) -> macvlan -> pod veth eth0 -> peer (or one made with ip)",
};

struct topo {
	enum mode mode;
	char ns_host[32], ns_rx[32]; /* the sending side ("host" or "pod") and the receiver's */
	int nsfd_host, nsfd_rx;
	unsigned int nq;
	int fds[MAX_QUEUES];          /* queue fds (floor: AF_PACKET sockets) */
	bool tun_ioctls;              /* the fds take TUNSETOFFLOAD (TAP and macvtap) */
	uint32_t offloads;            /* as last set */
	uint8_t src_mac[6], dst_mac[6];
	int rx_sock;
	struct vmtap_tap *tap;        /* bridge, redirect */
	char ep_id[32];               /* bridge, redirect: the vmtap endpoint */
	char qdiscs[128];             /* root qdiscs on the way, for the record */
};

static void link_info(struct vmtap_ctx *ctx, const char *ns, const char *name, struct vmtap_link_info *li)
{
	int r;

	memset(li, 0, sizeof(*li));
	li->sz = sizeof(*li);
	r = vmtap_link_get(ctx, ns, name, li);
	if (r < 0)
		die("vmtap_link_get %s in %s: %s", name, ns, vmtap_ctx_error(ctx));
}

/* The receiver's end: veth HOSTSIDE in the host/pod namespace, its peer vr0 (10.77.0.1/24) in the receiver's. */
static void make_veth(struct vmtap_ctx *ctx, struct topo *t, const char *hostside)
{
	struct vmtap_link_info li;

	cmd("ip -n %s link add %s type veth peer name vr0 netns %s", t->ns_host, hostside, t->ns_rx);
	cmd("ip -n %s addr add 10.77.0.1/24 dev vr0", t->ns_rx);
	cmd("ip -n %s link set vr0 up", t->ns_rx);
	cmd("ip -n %s link set %s up", t->ns_host, hostside);
	link_info(ctx, t->ns_rx, "vr0", &li);
	memcpy(t->dst_mac, li.mac, 6);
}

static void take_tap_fds(struct topo *t)
{
	for (unsigned int q = 0; q < t->nq; q++)
		t->fds[q] = vmtap_tap_fd(t->tap, q);
	t->tun_ioctls = true;
}

/* (a) the floor: N AF_PACKET sockets on one end of a veth pair. */
static void connect_floor(struct vmtap_ctx *ctx, struct topo *t)
{
	struct vmtap_link_info li;
	int one = 1, sndbuf = INT_MAX / 2;

	make_veth(ctx, t, "vf0");
	link_info(ctx, t->ns_host, "vf0", &li);
	memcpy(t->src_mac, li.mac, 6);
	netns_enter(t->nsfd_host);
	for (unsigned int q = 0; q < t->nq; q++) {
		/* protocol 0: the socket sends only, nothing is ever queued to it */
		struct sockaddr_ll sll = { .sll_family = AF_PACKET, .sll_ifindex = li.ifindex };
		int fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);

		if (fd < 0 || setsockopt(fd, SOL_PACKET, PACKET_VNET_HDR, &one, sizeof(one)) < 0 ||
		    setsockopt(fd, SOL_PACKET, PACKET_QDISC_BYPASS, &one, sizeof(one)) < 0 ||
		    /* as the TAP's INT_MAX: the sender never waits for the receiver to free memory */
		    setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &sndbuf, sizeof(sndbuf)) < 0 ||
		    bind(fd, (struct sockaddr *)&sll, sizeof(sll)) < 0)
			die("floor: AF_PACKET socket: %s", strerror(errno));
		t->fds[q] = fd;
	}
	netns_leave();
}

/* (b) bridge: a vmtap endpoint on br0, whose other port is the veth. */
static void connect_bridge(struct vmtap_ctx *ctx, struct topo *t)
{
	VMTAP_OPTS(vmtap_endpoint_spec, spec, .queues = t->nq, .netns = t->ns_host,
		   .connection = VMTAP_CONNECT_BRIDGE, .bridge = "br0");
	struct vmtap_endpoint *ep = NULL;
	char mac[18];

	cmd("ip -n %s link add br0 type bridge", t->ns_host);
	cmd("ip -n %s link set br0 up", t->ns_host);
	make_veth(ctx, t, "vb0");
	cmd("ip -n %s link set vb0 master br0", t->ns_host);
	/* the bridge knows where the receiver is, as it would once the receiver has sent anything
	 * (replace: vr0 may have sent something already, IPv6 DAD, and been learned) */
	mac_str(mac, t->dst_mac);
	cmd("bridge -n %s fdb replace %s dev vb0 master static", t->ns_host, mac);

	snprintf(t->ep_id, sizeof(t->ep_id), "dp-%s", mode_name[t->mode]);
	if (vmtap_endpoint_create(ctx, t->ep_id, &spec, &ep) < 0)
		die("vmtap_endpoint_create: %s", vmtap_ctx_error(ctx));
	vmtap_endpoint_guest_mac(ep, t->src_mac);
	vmtap_endpoint_free(ep);
	if (vmtap_endpoint_open(ctx, t->ep_id, &t->tap) < 0)
		die("vmtap_endpoint_open: %s", vmtap_ctx_error(ctx));
	take_tap_fds(t);
}

/*
 * (c) redirect: a vmtap redirect endpoint, a TAP cross-connected with the pod
 * veth "eth0" by vmtap's own tc objects (an ingress qdisc on each, a u32
 * match-all filter with mirred egress redirect each way, built over
 * rtnetlink), exactly what `vmtap endpoint create --redirect eth0` makes.
 * The defaults are Kata's: the guest's MAC is eth0's, the TAP's MTU eth0's.
 */
static void connect_redirect(struct vmtap_ctx *ctx, struct topo *t)
{
	VMTAP_OPTS(vmtap_endpoint_spec, spec, .queues = t->nq, .netns = t->ns_host,
		   .connection = VMTAP_CONNECT_REDIRECT, .device = "eth0");
	struct vmtap_endpoint *ep = NULL;

	snprintf(t->ep_id, sizeof(t->ep_id), "dp-redirect");
	if (vmtap_endpoint_create(ctx, t->ep_id, &spec, &ep) < 0)
		die("vmtap_endpoint_create (redirect): %s", vmtap_ctx_error(ctx));
	vmtap_endpoint_guest_mac(ep, t->src_mac);
	vmtap_endpoint_free(ep);
	if (vmtap_endpoint_open(ctx, t->ep_id, &t->tap) < 0)
		die("vmtap_endpoint_open: %s", vmtap_ctx_error(ctx));
	take_tap_fds(t);
}

/*
 * Open @n queues of macvtap @name in namespace @nsfd through its character
 * device, without udev or /dev/tapN (FACTS.md 5.2): a sysfs mounted while in
 * that namespace shows the device's major:minor, a node on our private tmpfs
 * opens it, and node and mount go at once.
 */
static void macvtap_open_queues(int nsfd, const char *name, unsigned int n, int *fds)
{
	char path[256], buf[32];
	unsigned int maj, min;
	int ifindex, fd;
	ssize_t len;

	if (mkdir("/run/dp/sys", 0700) < 0)
		die("mkdir /run/dp/sys: %s", strerror(errno));
	netns_enter(nsfd);
	if (mount("sysfs", "/run/dp/sys", "sysfs", MS_NOSUID | MS_NOEXEC | MS_NODEV, NULL) < 0)
		die("mount sysfs: %s", strerror(errno));
	netns_leave();
	snprintf(path, sizeof(path), "/run/dp/sys/class/net/%s/ifindex", name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || (len = read(fd, buf, sizeof(buf) - 1)) <= 0)
		die("%s: %s", path, strerror(errno));
	close(fd);
	buf[len] = 0;
	ifindex = atoi(buf);
	snprintf(path, sizeof(path), "/run/dp/sys/class/net/%s/macvtap/tap%d/dev", name, ifindex);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || (len = read(fd, buf, sizeof(buf) - 1)) <= 0)
		die("%s: %s", path, strerror(errno));
	close(fd);
	buf[len] = 0;
	if (sscanf(buf, "%u:%u", &maj, &min) != 2)
		die("%s: unexpected \"%s\"", path, buf);
	if (umount2("/run/dp/sys", MNT_DETACH) < 0 || rmdir("/run/dp/sys") < 0)
		die("umount /run/dp/sys: %s", strerror(errno));
	if (mknod("/run/dp/q", S_IFCHR | 0600, makedev(maj, min)) < 0)
		die("mknod %u:%u: %s", maj, min, strerror(errno));
	for (unsigned int q = 0; q < n; q++) {
		struct ifreq ifr = { .ifr_flags = IFF_TAP | IFF_NO_PI | IFF_VNET_HDR | (n > 1 ? IFF_MULTI_QUEUE : 0) };

		fds[q] = open("/run/dp/q", O_RDWR | O_CLOEXEC);
		if (fds[q] < 0 || ioctl(fds[q], TUNSETIFF, &ifr) < 0)
			die("macvtap queue %u: %s", q, strerror(errno));
	}
	unlink("/run/dp/q");
}

/*
 * (d) macvtap: vmtap's macvtap endpoint on the pod veth eth0, Kata's model
 * (the guest takes eth0's MAC, eth0 a random one), its queues opened by
 * vmtap_endpoint_open() without udev or /dev/tapN; vmtap gives it the
 * noqueue root qdisc.  With --macvtap-kernel-qdisc the bench makes one by
 * hand instead (`ip link add ... type macvtap mode bridge`, the kernel's
 * pfifo_fast kept) to show what that qdisc costs.
 *
 * In: the pod veth "eth0" exists and is up in t->ns_host (make_veth()).
 * Out: t->nq queue fds in t->fds, t->src_mac (the guest's MAC).
 */
static bool macvtap_kernel_qdisc; /* --macvtap-kernel-qdisc: pfifo_fast, not vmtap's noqueue */

static void connect_macvtap(struct vmtap_ctx *ctx, struct topo *t)
{
	static const uint8_t mac[6] = { 0x02, 0x42, 0x6d, 0x76, 0x74, 0x01 };
	char buf[18];

	if (!macvtap_kernel_qdisc) {
		VMTAP_OPTS(vmtap_endpoint_spec, spec, .queues = t->nq, .netns = t->ns_host,
			   .connection = VMTAP_CONNECT_MACVTAP, .device = "eth0", .macvtap_mode = VMTAP_MACVTAP_BRIDGE);
		struct vmtap_endpoint *ep = NULL;

		snprintf(t->ep_id, sizeof(t->ep_id), "dp-macvtap");
		if (vmtap_endpoint_create(ctx, t->ep_id, &spec, &ep) < 0)
			die("vmtap_endpoint_create (macvtap): %s", vmtap_ctx_error(ctx));
		vmtap_endpoint_guest_mac(ep, t->src_mac);
		vmtap_endpoint_free(ep);
		if (vmtap_endpoint_open(ctx, t->ep_id, &t->tap) < 0)
			die("vmtap_endpoint_open (macvtap): %s", vmtap_ctx_error(ctx));
		take_tap_fds(t);
		return;
	}
	mac_str(buf, mac);
	cmd("ip -n %s link add link eth0 name mvt0 address %s type macvtap mode bridge", t->ns_host, buf);
	cmd("ip -n %s link set mvt0 up", t->ns_host);
	macvtap_open_queues(t->nsfd_host, "mvt0", t->nq, t->fds);
	memcpy(t->src_mac, mac, 6);
	t->tun_ioctls = true;
}

static int rx_socket(int nsfd)
{
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(RX_PORT) };
	/* 64 MB (the kernel doubles it): room for the receiver to be scheduled late without drops */
	int one = 1, rcvbuf = 32 << 20;
	int fd;

	netns_enter(nsfd);
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof(rcvbuf)) < 0 ||
	    setsockopt(fd, SOL_UDP, UDP_GRO, &one, sizeof(one)) < 0 ||
	    bind(fd, (struct sockaddr *)&sin, sizeof(sin)) < 0)
		die("receiver socket: %s", strerror(errno));
	netns_leave();
	return fd;
}

static void root_qdisc(struct vmtap_ctx *ctx, struct topo *t, const char *ns, const char *dev)
{
	struct vmtap_link_info li;
	size_t len = strlen(t->qdiscs);

	link_info(ctx, ns, dev, &li);
	snprintf(t->qdiscs + len, sizeof(t->qdiscs) - len, "%s%s %s", len ? ", " : "", dev,
		 li.qdisc[0] ? li.qdisc : "?");
}

/*
 * br_netfilter is built in here, and on every host that loaded it (Docker,
 * Kubernetes): bridged IPv4 goes through the inet netfilter hooks, as a new
 * namespace has it (1).  The bridge-nf0 mode turns that off in its bridge's
 * namespace (what libvirt's wiki advises for bridges), so the run shows what
 * the hooks cost next to the bridge's own work.
 */
static void bridge_nf(struct topo *t, bool off)
{
	static const char *const knobs[] = { "iptables", "ip6tables", "arptables" };
	size_t len = strlen(t->qdiscs);
	char v[8] = "?", path[96];
	FILE *f;

	netns_enter(t->nsfd_host);
	for (size_t i = 0; off && i < sizeof(knobs) / sizeof(knobs[0]); i++) {
		snprintf(path, sizeof(path), "/proc/sys/net/bridge/bridge-nf-call-%s", knobs[i]);
		f = fopen(path, "we");
		if (!f && errno == ENOENT)
			continue; /* no br_netfilter: nothing to turn off */
		if (!f || fputs("0\n", f) < 0 || fclose(f))
			die("%s: %s", path, strerror(errno));
	}
	f = fopen("/proc/sys/net/bridge/bridge-nf-call-iptables", "re");
	netns_leave();
	if (f) {
		if (!fgets(v, sizeof(v), f))
			v[0] = 0;
		v[strcspn(v, "\n")] = 0;
		fclose(f);
	}
	snprintf(t->qdiscs + len, sizeof(t->qdiscs) - len, "; bridge-nf-call-iptables %s", f ? v : "absent");
}

static void topo_setup(struct vmtap_ctx *ctx, struct topo *t, enum mode m, unsigned int nq)
{
	memset(t, 0, sizeof(*t));
	t->mode = m;
	t->nq = nq;
	snprintf(t->ns_host, sizeof(t->ns_host), "dp-%s-host", mode_name[m]);
	snprintf(t->ns_rx, sizeof(t->ns_rx), "dp-%s-rx", mode_name[m]);
	t->nsfd_host = netns_add(t->ns_host);
	t->nsfd_rx = netns_add(t->ns_rx);
	switch (m) {
	case M_FLOOR:
		connect_floor(ctx, t);
		root_qdisc(ctx, t, t->ns_host, "vf0");
		break;
	case M_BRIDGE:
	case M_BRIDGE_NF0:
		connect_bridge(ctx, t);
		root_qdisc(ctx, t, t->ns_host, vmtap_tap_name(t->tap));
		root_qdisc(ctx, t, t->ns_host, "br0");
		root_qdisc(ctx, t, t->ns_host, "vb0");
		bridge_nf(t, m == M_BRIDGE_NF0);
		break;
	case M_REDIRECT:
		make_veth(ctx, t, "eth0");
		connect_redirect(ctx, t);
		root_qdisc(ctx, t, t->ns_host, vmtap_tap_name(t->tap));
		root_qdisc(ctx, t, t->ns_host, "eth0");
		break;
	case M_MACVTAP:
		make_veth(ctx, t, "eth0");
		connect_macvtap(ctx, t);
		root_qdisc(ctx, t, t->ns_host, t->tap ? vmtap_tap_name(t->tap) : "mvt0");
		root_qdisc(ctx, t, t->ns_host, "eth0");
		break;
	case NM:
		break;
	}
	if (t->tun_ioctls) {
		int sndbuf = INT_MAX; /* QEMU's default (tap_fd_set_sndbuf) */
		for (unsigned int q = 0; q < t->nq; q++)
			if (ioctl(t->fds[q], TUNSETSNDBUF, &sndbuf) < 0)
				die("%s: TUNSETSNDBUF: %s", mode_name[m], strerror(errno));
	}
	t->rx_sock = rx_socket(t->nsfd_rx);
}

static void topo_set_offloads(struct topo *t, uint32_t offloads)
{
	if (!t->tun_ioctls || t->offloads == offloads)
		return;
	if (ioctl(t->fds[0], TUNSETOFFLOAD, (unsigned long)offloads) < 0)
		die("%s: TUNSETOFFLOAD 0x%x: %s", mode_name[t->mode], offloads, strerror(errno));
	t->offloads = offloads;
}

/* --stats: where frames went, by the kernel's own counters */
static void topo_stats(const struct topo *t)
{
	printf("\n== %s: devices in %s, then the receiver's UDP counters\n", mode_name[t->mode], t->ns_host);
	cmd_show = true;
	cmd("ip -n %s -s link show", t->ns_host);
	cmd("ip netns exec %s grep -A1 ^Udp: /proc/net/snmp", t->ns_rx);
	cmd_show = false;
}

/*
 * Not needed for cleanliness (the namespaces go with the process) but the
 * proper order, as a user would: the endpoint destroyed through vmtap, the
 * namespaces unpinned, which deletes every device left in them.
 */
static void topo_teardown(struct vmtap_ctx *ctx, struct topo *t)
{
	char path[128];

	if (t->tap)
		t->tap = vmtap_tap_free(t->tap);
	else
		for (unsigned int q = 0; q < t->nq; q++)
			close(t->fds[q]);
	if (t->ep_id[0] && vmtap_endpoint_destroy(ctx, t->ep_id) < 0)
		die("vmtap_endpoint_destroy: %s", vmtap_ctx_error(ctx));
	close(t->rx_sock);
	close(t->nsfd_host);
	close(t->nsfd_rx);
	for (int i = 0; i < 2; i++) {
		snprintf(path, sizeof(path), "/run/netns/%s", i ? t->ns_rx : t->ns_host);
		if (umount2(path, MNT_DETACH) < 0 || unlink(path) < 0)
			die("remove %s: %s", path, strerror(errno));
	}
}

/* ---- senders and receiver ---- */

struct sender {
	pthread_t th;
	int fd;
	struct frame f;
	atomic_bool *stop;
	_Atomic uint64_t writes, errors;
	int last_errno;
} __attribute__((aligned(64)));

static void *sender_main(void *arg)
{
	struct sender *s = arg;
	uint64_t writes = 0, errors = 0;

	while (!atomic_load_explicit(s->stop, memory_order_relaxed)) {
		ssize_t n = write(s->fd, s->f.buf, s->f.len);

		if (n == (ssize_t)s->f.len) {
			atomic_store_explicit(&s->writes, ++writes, memory_order_relaxed);
		} else {
			s->last_errno = n < 0 ? errno : EMSGSIZE;
			atomic_store_explicit(&s->errors, ++errors, memory_order_relaxed);
		}
	}
	return NULL;
}

struct receiver {
	pthread_t th;
	int sock;
	atomic_bool stop;
	_Atomic uint64_t segs, bytes;
	uint64_t foreign; /* datagrams without our magic: must stay 0 */
} __attribute__((aligned(64)));

static void *receiver_main(void *arg)
{
	static __thread uint8_t bufs[RX_VLEN][RX_BUF];
	static __thread char ctl[RX_VLEN][CMSG_SPACE(sizeof(int))];
	static __thread struct iovec iov[RX_VLEN];
	static __thread struct mmsghdr msgs[RX_VLEN];
	struct receiver *r = arg;
	uint64_t segs = 0, bytes = 0;

	for (int i = 0; i < RX_VLEN; i++) {
		iov[i] = (struct iovec){ .iov_base = bufs[i], .iov_len = RX_BUF };
		msgs[i].msg_hdr = (struct msghdr){ .msg_iov = &iov[i], .msg_iovlen = 1 };
	}
	for (double idle_since = 0;;) {
		int n;

		for (int i = 0; i < RX_VLEN; i++) {
			msgs[i].msg_hdr.msg_control = ctl[i];
			msgs[i].msg_hdr.msg_controllen = sizeof(ctl[i]);
		}
		/* MSG_TRUNC: the datagram's length, without copying its payload */
		n = recvmmsg(r->sock, msgs, RX_VLEN, MSG_DONTWAIT | MSG_TRUNC, NULL);
		if (n < 0) {
			if (errno != EAGAIN && errno != EINTR)
				die("recvmmsg: %s", strerror(errno));
			/* once the writers stopped: 20 ms without a datagram means drained */
			if (atomic_load(&r->stop)) {
				if (!idle_since)
					idle_since = now();
				else if (now() - idle_since > 0.02)
					break;
			}
			sleep_s(RX_NAP);
			continue;
		}
		idle_since = 0;
		for (int i = 0; i < n; i++) {
			unsigned int len = msgs[i].msg_len, gso = 0;

			for (struct cmsghdr *c = CMSG_FIRSTHDR(&msgs[i].msg_hdr); c; c = CMSG_NXTHDR(&msgs[i].msg_hdr, c))
				if (c->cmsg_level == SOL_UDP && c->cmsg_type == UDP_GRO) {
					int v;
					memcpy(&v, CMSG_DATA(c), sizeof(v));
					gso = (unsigned int)v;
				}
			if (len < 8 || memcmp(bufs[i], MAGIC, 8))
				r->foreign++;
			segs += gso ? (len + gso - 1) / gso : 1;
			bytes += len;
		}
		atomic_store_explicit(&r->segs, segs, memory_order_relaxed);
		atomic_store_explicit(&r->bytes, bytes, memory_order_relaxed);
	}
	return NULL;
}

/*
 * The receiver stands for the application in the peer namespace and must not
 * be what limits the path: a higher weight lets it drain its socket as soon
 * as it wakes, even against the writers and other processes on a small VM.
 */
static void *receiver_thread(void *arg)
{
	(void)setpriority(PRIO_PROCESS, (id_t)gettid(), -10);
	return receiver_main(arg);
}

static uint32_t sock_drops(int fd)
{
	uint32_t mem[SK_MEMINFO_DROPS + 1] = { 0 };
	socklen_t len = sizeof(mem);

	if (getsockopt(fd, SOL_SOCKET, SO_MEMINFO, mem, &len) < 0)
		die("SO_MEMINFO: %s", strerror(errno));
	return mem[SK_MEMINFO_DROPS];
}

static void rx_flush(int fd)
{
	char b[16];

	while (recv(fd, b, sizeof(b), MSG_DONTWAIT | MSG_TRUNC) >= 0)
		;
}

static double thread_cpu(pthread_t th)
{
	struct timespec ts;
	clockid_t cid;

	if (pthread_getcpuclockid(th, &cid) || clock_gettime(cid, &ts) < 0)
		return 0;
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* CPU-seconds the whole machine spent not idle (all CPUs, /proc/stat; softirq and kthreads included). */
static double machine_busy(void)
{
	unsigned long long v[8] = { 0 };
	FILE *f = fopen("/proc/stat", "re");
	static long hz;

	if (!hz)
		hz = sysconf(_SC_CLK_TCK);
	if (!f || fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5],
			 &v[6], &v[7]) != 8)
		die("/proc/stat: unreadable");
	fclose(f);
	return (double)(v[0] + v[1] + v[2] + v[5] + v[6] + v[7]) / (double)hz;
}

/* CPU-seconds of this process, all threads (softirq work done in their context included). */
static double self_cpu(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/*
 * The ksoftirqd threads: softirq work the kernel deferred to them (when a
 * CPU is saturated) belongs to the path too.  Found once, by name.
 */
static int ksoftirqd_pid[MAX_QUEUES * 4];
static unsigned int n_ksoftirqd;

static void ksoftirqd_find(void)
{
	DIR *d = opendir("/proc");
	struct dirent *e;

	if (!d)
		die("/proc: %s", strerror(errno));
	while ((e = readdir(d)) && n_ksoftirqd < sizeof(ksoftirqd_pid) / sizeof(ksoftirqd_pid[0])) {
		char path[300], comm[64] = "";
		FILE *f;

		if (e->d_name[0] < '1' || e->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/comm", e->d_name);
		f = fopen(path, "re");
		if (!f)
			continue;
		if (fgets(comm, sizeof(comm), f) && !strncmp(comm, "ksoftirqd/", 10))
			ksoftirqd_pid[n_ksoftirqd++] = atoi(e->d_name);
		fclose(f);
	}
	closedir(d);
}

static double ksoftirqd_cpu(void)
{
	static long hz;
	double sum = 0;

	if (!hz)
		hz = sysconf(_SC_CLK_TCK);
	for (unsigned int i = 0; i < n_ksoftirqd; i++) {
		char path[64], buf[512], *p;
		unsigned long long ut, st;
		FILE *f;

		snprintf(path, sizeof(path), "/proc/%d/stat", ksoftirqd_pid[i]);
		f = fopen(path, "re");
		if (!f)
			continue;
		p = fgets(buf, sizeof(buf), f) ? strrchr(buf, ')') : NULL;
		fclose(f);
		/* after "pid (comm)": state, then fields 4..13, then utime (14) and stime (15) */
		if (p && sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &ut, &st) == 2)
			sum += (double)(ut + st) / (double)hz;
	}
	return sum;
}

/* One measurement of one cell. */
struct sample {
	double secs;              /* measured window */
	double segs, bytes;       /* delivered in the window: MTU-sized segments, UDP payload bytes */
	double wsegs;             /* written in the window, in segments */
	double snd_cpu, rcv_cpu;  /* CPU-seconds of the writer threads, of the receiver */
	double ours;              /* CPU-seconds of this process and of ksoftirqd: all the CPU the run took */
	double ksoft;             /* of which ksoftirqd: softirq work deferred out of the writers' context */
	double busy;              /* CPU-seconds of the machine: busy - ours is other processes' */
	uint64_t total_w, total_d;/* whole run incl. warm-up and drain, segments */
	uint64_t sock_drops;      /* of those, dropped at the receiving socket (full buffer), segments */
	uint64_t write_errors;
};

static void run_cell(struct topo *t, enum workload w, unsigned int nq, double warm, double dur, struct sample *ret)
{
	static struct sender snd[MAX_QUEUES];
	static struct receiver rcv;
	atomic_bool stop = false;
	double t0, t1, c0s = 0, c1s = 0, c0r, c1r, b0, b1, o0, o1, k0, k1;
	uint64_t d0, d1, w0 = 0, w1 = 0, drops0, wtot = 0, errs = 0;

	topo_set_offloads(t, wl[w].offloads);
	rx_flush(t->rx_sock);
	memset(&rcv, 0, sizeof(rcv));
	rcv.sock = t->rx_sock;
	drops0 = sock_drops(t->rx_sock);
	if (pthread_create(&rcv.th, NULL, receiver_thread, &rcv))
		die("pthread_create");
	for (unsigned int q = 0; q < nq; q++) {
		struct sender *s = &snd[q];

		free(s->f.buf);
		memset(s, 0, sizeof(*s));
		s->fd = t->fds[q];
		s->stop = &stop;
		frame_build(&s->f, w, t->src_mac, t->dst_mac, (uint16_t)(TX_PORT0 + q));
		if (pthread_create(&s->th, NULL, sender_main, s))
			die("pthread_create");
	}
	sleep_s(warm);

	/* the window: counters and CPU clocks read back to back at both ends */
	t0 = now();
	d0 = atomic_load(&rcv.segs);
	for (unsigned int q = 0; q < nq; q++) {
		w0 += atomic_load(&snd[q].writes);
		c0s += thread_cpu(snd[q].th);
	}
	c0r = thread_cpu(rcv.th);
	k0 = ksoftirqd_cpu();
	o0 = self_cpu() + k0;
	b0 = machine_busy();
	{
		uint64_t bytes0 = atomic_load(&rcv.bytes);
		sleep_s(dur);
		t1 = now();
		d1 = atomic_load(&rcv.segs);
		ret->bytes = (double)(atomic_load(&rcv.bytes) - bytes0);
	}
	for (unsigned int q = 0; q < nq; q++) {
		w1 += atomic_load(&snd[q].writes);
		c1s += thread_cpu(snd[q].th);
	}
	c1r = thread_cpu(rcv.th);
	k1 = ksoftirqd_cpu();
	o1 = self_cpu() + k1;
	b1 = machine_busy();

	atomic_store(&stop, true);
	for (unsigned int q = 0; q < nq; q++) {
		pthread_join(snd[q].th, NULL);
		wtot += snd[q].writes;
		errs += snd[q].errors;
		if (snd[q].errors && !snd[q].writes)
			die("%s, %s: every write failed: %s", mode_name[t->mode], wl[w].name,
			    strerror(snd[q].last_errno));
	}
	atomic_store(&rcv.stop, true);
	pthread_join(rcv.th, NULL);
	if (rcv.foreign)
		die("%s: %" PRIu64 " datagrams that are not ours arrived", mode_name[t->mode], rcv.foreign);

	ret->secs = t1 - t0;
	ret->segs = (double)(d1 - d0);
	ret->wsegs = (double)(w1 - w0) * wl[w].segs;
	ret->snd_cpu = c1s - c0s;
	ret->rcv_cpu = c1r - c0r;
	ret->ours = o1 - o0;
	ret->ksoft = k1 - k0;
	ret->busy = b1 - b0;
	ret->total_w = wtot * wl[w].segs;
	ret->total_d = rcv.segs;
	ret->sock_drops = (uint64_t)(sock_drops(t->rx_sock) - drops0) * wl[w].segs;
	ret->write_errors = errs;
}

/* Before any timing: a few frames of each workload must all arrive, or the topology is wrong. */
static void preflight(struct topo *t, enum workload w)
{
	struct frame f;
	uint64_t got = 0, want = 20 * (uint64_t)wl[w].segs;
	double deadline;

	topo_set_offloads(t, wl[w].offloads);
	rx_flush(t->rx_sock);
	frame_build(&f, w, t->src_mac, t->dst_mac, TX_PORT0);
	for (int i = 0; i < 20; i++)
		if (write(t->fds[0], f.buf, f.len) != (ssize_t)f.len)
			die("%s, %s: write: %s", mode_name[t->mode], wl[w].name, strerror(errno));
	free(f.buf);
	deadline = now() + 5.0; /* generous: a loaded machine may schedule the receiver late */
	while (got < want && now() < deadline) {
		struct receiver r = { .sock = t->rx_sock };
		atomic_store(&r.stop, true);
		receiver_main(&r); /* returns once nothing came for 20 ms */
		got += r.segs;
		if (r.foreign)
			die("%s, %s: datagrams that are not ours arrived", mode_name[t->mode], wl[w].name);
	}
	if (got != want)
		die("%s, %s: %" PRIu64 " of %" PRIu64 " segments arrived: the topology does not deliver",
		    mode_name[t->mode], wl[w].name, got, want);
}

/* ---- results ---- */

#define QI_1 0
#define QI_N 1

struct cell {
	struct sample sum;
	double rate_min, rate_max; /* delivered segments/s over rounds */
	unsigned int n;
};

static struct cell cells[NW][2][NM];
/* per round, per cell: delivered rate, for the spread of ratios */
static double *round_rate;
static unsigned int nrounds;

static double *rr(unsigned int round, enum workload w, int qi, enum mode m)
{
	return &round_rate[((round * NW + w) * 2 + (unsigned int)qi) * NM + m];
}

static void cell_add(struct cell *c, const struct sample *s)
{
	double rate = s->secs > 0 ? s->segs / s->secs : 0;

	if (!c->n || rate < c->rate_min)
		c->rate_min = rate;
	if (!c->n || rate > c->rate_max)
		c->rate_max = rate;
	c->n++;
	c->sum.secs += s->secs;
	c->sum.segs += s->segs;
	c->sum.bytes += s->bytes;
	c->sum.wsegs += s->wsegs;
	c->sum.snd_cpu += s->snd_cpu;
	c->sum.rcv_cpu += s->rcv_cpu;
	c->sum.ours += s->ours;
	c->sum.ksoft += s->ksoft;
	c->sum.busy += s->busy;
	c->sum.total_w += s->total_w;
	c->sum.total_d += s->total_d;
	c->sum.sock_drops += s->sock_drops;
	c->sum.write_errors += s->write_errors;
}

static double div0(double a, double b)
{
	return b > 0 ? a / b : 0;
}

static double pps(const struct cell *c)
{
	return div0(c->sum.segs, c->sum.secs);
}

/* Round-by-round values of a ratio of two cells measured in the same round: median, lowest, highest. */
struct spread {
	double med, lo, hi;
};

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static struct spread round_spread(enum workload w1, int q1, enum mode m1, enum workload w2, int q2, enum mode m2)
{
	double v[100];
	unsigned int n = nrounds < 100 ? nrounds : 100;

	for (unsigned int r = 0; r < n; r++)
		v[r] = div0(*rr(r, w1, q1, m1), *rr(r, w2, q2, m2));
	qsort(v, n, sizeof(v[0]), cmp_double);
	return (struct spread){ .med = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2, .lo = v[0], .hi = v[n - 1] };
}

static bool all_met = true;

static void target(const char *what, double value, bool at_most, double limit, struct spread sp, const char *extra)
{
	bool met = at_most ? value <= limit : value >= limit;

	if (!met)
		all_met = false;
	printf("  %-40s %5.2fx (target %s %.2gx) %-6s rounds %4.2fx [%4.2f..%4.2f]  %s\n", what, value,
	       at_most ? "<=" : ">=", limit, met ? "met" : "MISSED", sp.med, sp.lo, sp.hi, extra);
}

static void info(const char *what, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void info(const char *what, const char *fmt, ...)
{
	va_list ap;

	printf("  %-40s ", what);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

/*
 * The path's CPU per delivered segment, ns: the writers (the whole path runs
 * in their context) and ksoftirqd (what the kernel deferred).  Not the
 * receiver: the instrument, the same in every mode, and with a fixed cost
 * (its naps) that would weigh on slow runs only.
 */
static double cost(const struct cell *c)
{
	return div0((c->sum.snd_cpu + c->sum.ksoft) * 1e9, c->sum.segs);
}

static double cores(const struct cell *c, double cpu)
{
	return div0(cpu, c->sum.secs);
}

/*
 * What N writers could reach against one in this run: N times, or as many
 * times one writer's run (writer, ksoftirqd, receiver) as fits in the CPUs
 * other processes left free while the N writers ran, whichever is lower.
 */
static double scaling_ceiling(enum workload w, enum mode m, unsigned int nq, int ncpu, double *ret_avail)
{
	const struct cell *c1 = &cells[w][QI_1][m], *cn = &cells[w][QI_N][m];
	double avail = ncpu - cores(cn, cn->sum.busy - cn->sum.ours);

	if (ret_avail)
		*ret_avail = avail;
	return fmin(nq, div0(avail, cores(c1, c1->sum.ours)));
}

static void report(unsigned int nq, double dur, bool quick, const struct topo *topos)
{
	int ncpu = (int)sysconf(_SC_NPROCESSORS_ONLN);
	unsigned int qn[2] = { 1, nq };
	double others = 0, secs = 0;
	char buf[128], extra[96];

	printf("\nData path: frames written to queue fds as a VMM writes them (%d-byte virtio-net header, one write\n"
	       "per frame), through each connection to a UDP socket in the peer namespace (recvmmsg, MSG_TRUNC,\n"
	       "UDP_GRO). %u round(s) x %.2f s per cell%s; the modes of a cell run back to back, order rotated\n"
	       "every round. %d CPUs; N = %u queues on %u writer threads.\n\n",
	       VNET_HDR_LEN, nrounds, dur, quick ? " (--quick)" : "", ncpu, nq, nq);
	for (int m = 0; m < NM; m++) {
		if (!enabled[m])
			continue;
		printf("  %-10s %s\n             root qdiscs: %s\n", mode_name[m], mode_path[m], topos[m].qdiscs);
	}
	printf("\nWorkloads:\n");
	for (int w = 0; w < NW; w++)
		printf("  %-8s %s\n", wl[w].name, wl[w].desc);
	printf("\nDelivered = counted by the receiving socket: Mpps in MTU-sized segments for GSO (44 per frame),\n"
	       "Gbit/s of UDP payload. drops = written - delivered over the whole run; sock = of the written, dropped\n"
	       "at the receiver's full socket buffer. CPU in cores: the writer threads (the softirq work run in their\n"
	       "context included), ksoftirqd, the receiver, others (the rest of the machine: other processes).\n"
	       "ns/seg = the path's CPU (writers + ksoftirqd) per delivered segment.\n\n");
	printf("%-8s %-2s %-10s %7s %6s %13s %7s %6s %5s %6s %5s %5s %6s %6s\n", "workload", "q", "mode", "Mpps",
	       "Gbit/s", "Mpps range", "wr Mpps", "drops", "sock", "writer", "ksirq", "recv", "others", "ns/seg");
	for (int w = 0; w < NW; w++)
		for (int qi = 0; qi < 2; qi++)
			for (int m = 0; m < NM; m++) {
				if (!enabled[m])
					continue;
				const struct cell *c = &cells[w][qi][m];
				double drops = c->sum.total_w > c->sum.total_d ?
						       (double)(c->sum.total_w - c->sum.total_d) : 0;

				others += c->sum.busy - c->sum.ours;
				secs += c->sum.secs;
				snprintf(buf, sizeof(buf), "%.3f-%.3f", c->rate_min / 1e6, c->rate_max / 1e6);
				printf("%-8s %-2u %-10s %7.3f %6.2f %13s %7.3f %5.1f%% %4.1f%% %6.2f %5.2f %5.2f %6.2f %6.0f%s\n",
				       wl[w].name, qn[qi], mode_name[m], pps(c) / 1e6,
				       div0(c->sum.bytes * 8, c->sum.secs) / 1e9, buf,
				       div0(c->sum.wsegs, c->sum.secs) / 1e6,
				       100 * div0(drops, (double)c->sum.total_w),
				       100 * div0((double)c->sum.sock_drops, (double)c->sum.total_w),
				       cores(c, c->sum.snd_cpu), cores(c, c->sum.ksoft), cores(c, c->sum.rcv_cpu),
				       cores(c, c->sum.busy - c->sum.ours), cost(c),
				       c->sum.write_errors ? " (write errors)" : "");
			}
	if (div0(others, secs) > 0.1)
		printf("\nOTHER LOAD: other processes used %.2f of the %d CPUs on average while this ran; the rates\n"
		       "are lower and noisier than on an idle machine (ns/seg, the path's CPU cost, much less so).\n",
		       div0(others, secs), ncpu);

	printf("\nRatios and targets (delivered rates, sums over rounds; \"rounds\": the same ratio round by round,\n"
	       "median [lowest..highest]; \"CPU per segment\": the path's ns/seg against the floor's, which other\n"
	       "load disturbs much less than rates):\n");
	for (int w = 0; w < NW; w++)
		for (int qi = 0; qi < 2; qi++)
			for (int m = M_BRIDGE; m < NM; m++) {
				if (!enabled[m])
					continue;
				const struct cell *f = &cells[w][qi][M_FLOOR], *c = &cells[w][qi][m];
				snprintf(buf, sizeof(buf), "floor / %s, %s, %u queue%s", mode_name[m], wl[w].name, qn[qi],
					 qn[qi] > 1 ? "s" : "");
				snprintf(extra, sizeof(extra), "CPU per segment %.2fx the floor's", div0(cost(c), cost(f)));
				target(buf, div0(pps(f), pps(c)), true, 1.5,
				       round_spread(w, qi, M_FLOOR, w, qi, (enum mode)m), extra);
			}
	for (int w = 0; w < NW; w++)
		for (int m = M_BRIDGE; m < NM; m++) {
			if (!enabled[m])
				continue;
			snprintf(buf, sizeof(buf), "%s, %s: %u queues / 1", mode_name[m], wl[w].name, nq);
			snprintf(extra, sizeof(extra), "floor: %.2fx; ceiling in this run %.2fx",
				 div0(pps(&cells[w][QI_N][M_FLOOR]), pps(&cells[w][QI_1][M_FLOOR])),
				 scaling_ceiling((enum workload)w, (enum mode)m, nq, ncpu, NULL));
			target(buf, div0(pps(&cells[w][QI_N][m]), pps(&cells[w][QI_1][m])), false, 1.7,
			       round_spread(w, QI_N, (enum mode)m, w, QI_1, (enum mode)m), extra);
		}

	printf("\nWhere the limits are (measured in the same run). Scaling ceiling: N writers cannot do better\n"
	       "than N times one, nor than the CPUs other processes left free over the CPUs one writer's run took\n"
	       "(writer, ksoftirqd, receiver):\n");
	for (int w = 0; w < NW; w++) {
		const struct cell *f1 = &cells[w][QI_1][M_FLOOR], *fn = &cells[w][QI_N][M_FLOOR];
		struct spread sp = round_spread(w, QI_N, M_FLOOR, w, QI_1, M_FLOOR);

		snprintf(buf, sizeof(buf), "%s: floor, %u writers / 1", wl[w].name, nq);
		info(buf, "%.2fx (rounds %.2fx [%.2f..%.2f]): the kernel's own scaling here", div0(pps(fn), pps(f1)),
		     sp.med, sp.lo, sp.hi);
		for (int m = 0; m < NM; m++) {
			if (!enabled[m])
				continue;
			const struct cell *c1 = &cells[w][QI_1][m], *cn = &cells[w][QI_N][m];
			double avail, ceil = scaling_ceiling((enum workload)w, (enum mode)m, nq, ncpu, &avail);

			snprintf(buf, sizeof(buf), "%s: %s, scaling ceiling", wl[w].name, mode_name[m]);
			info(buf, "%.2fx = min(%u, %.2f CPUs free / %.2f used by 1 writer's run: writer %.2f + ksirq %.2f + "
				  "receiver %.2f); %u writers: %.2f used, CPU per segment %.2fx of 1 writer's",
			     ceil, nq, avail, cores(c1, c1->sum.ours),
			     cores(c1, c1->sum.snd_cpu), cores(c1, c1->sum.ksoft), cores(c1, c1->sum.rcv_cpu), nq,
			     cores(cn, cn->sum.ours), div0(cost(cn), cost(c1)));
		}
		for (int m = M_BRIDGE; m < NM; m++) {
			if (!enabled[m])
				continue;
			const struct cell *c = &cells[w][QI_1][m];

			snprintf(buf, sizeof(buf), "%s: %s, 1 writer, cost of the mode", wl[w].name, mode_name[m]);
			info(buf, "%+.0f ns per segment (%.0f vs the floor's %.0f ns of path CPU)", cost(c) - cost(f1),
			     cost(c), cost(f1));
		}
	}
	printf("\nNotes:\n"
	       " - The modes' TAPs and the macvtap get exactly what a VMM does: vnet header 10 bytes, TUNSETSNDBUF\n"
	       "   INT_MAX, TUNSETOFFLOAD 0 for the 64 B and 1500 B runs and 0x%x for GSO. TUNSETOFFLOAD governs\n"
	       "   what the kernel may hand to the guest; what the guest may send is told by each frame's header.\n"
	       " - The 1-queue runs use queue 0 of the same %u-queue device as the N-queue runs, as a VM that\n"
	       "   sends on one queue. Every writer runs the whole path in its own context (tun/packet write,\n"
	       "   bridge or tc or macvlan, veth, the peer's IP and UDP receive up to the socket).\n"
	       " - bridge, redirect and macvtap are vmtap endpoints (vmtap_endpoint_create(), as `vmtap endpoint\n"
	       "   create --bridge br0`, `--redirect eth0` and `--macvtap eth0` make them)%s; the bridge itself, its\n"
	       "   fdb entry and the veths are the bench's, built with ip.\n",
	       OFFLOADS_QEMU, nq,
	       macvtap_kernel_qdisc ? ", but for macvtap, made by hand with the kernel's qdisc (--macvtap-kernel-qdisc)" : "");
	printf("\n%s\n", all_met ? "All targets met." : "Some targets MISSED: see \"Where the limits are\".");
}

/* ---- main ---- */

static void usage(FILE *f)
{
	fprintf(f, "Usage: datapath [--quick] [--rounds N] [--duration SECONDS] [--queues N] [--modes LIST]\n"
		   "                [--macvtap-kernel-qdisc] [--stats]\n"
		   "  --quick     smoke run: 1 round of 0.1 s per cell (a few seconds)\n"
		   "  --rounds    rounds over all cells (default 10)\n"
		   "  --duration  measured seconds per cell and round (default 0.3)\n"
		   "  --queues    N for the multi-queue runs (default: the CPU count, at least 2)\n"
		   "  --modes     comma-separated subset of bridge,bridge-nf0,redirect,macvtap (the floor always runs)\n"
		   "  --macvtap-kernel-qdisc  leave the macvtap the kernel's pfifo_fast (default: noqueue, as vmtap)\n"

		   "  --stats     at the end, each topology's device counters and the receiver's UDP counters\n"
		   "Runs in private network and mount namespaces (needs root). Exits 0 whatever the timings;\n"
		   "1 when a topology does not deliver the frames.\n");
}

int main(int argc, char **argv)
{
	/* short cells, many rounds: load from elsewhere comes and goes in bursts of a second or so */
	double dur = 0.3, warm = 0.05;
	unsigned int rounds = 10, nq = 0;
	bool quick = false, stats = false;
	struct topo topos[NM];
	struct vmtap_ctx *ctx;
	int ncpu;

	for (int i = 1; i < argc; i++) {
		char *end = NULL;

		if (!strcmp(argv[i], "--quick")) {
			quick = true;
		} else if (!strcmp(argv[i], "--rounds") && i + 1 < argc) {
			rounds = (unsigned int)strtoul(argv[++i], &end, 10);
			if (*end || !rounds || rounds > 100)
				goto bad;
		} else if (!strcmp(argv[i], "--duration") && i + 1 < argc) {
			dur = strtod(argv[++i], &end);
			if (*end || !(dur >= 0.01 && dur <= 60))
				goto bad;
		} else if (!strcmp(argv[i], "--queues") && i + 1 < argc) {
			nq = (unsigned int)strtoul(argv[++i], &end, 10);
			if (*end || nq < 2 || nq > MAX_QUEUES)
				goto bad;
		} else if (!strcmp(argv[i], "--modes") && i + 1 < argc) {
			char *list = argv[++i], *save = NULL;

			memset(enabled, 0, sizeof(enabled));
			enabled[M_FLOOR] = true;
			for (char *w = strtok_r(list, ",", &save); w; w = strtok_r(NULL, ",", &save)) {
				int m = 0;

				while (m < NM && strcmp(w, mode_name[m]))
					m++;
				if (m == NM)
					goto bad;
				enabled[m] = true;
			}
		} else if (!strcmp(argv[i], "--stats")) {
			stats = true;
		} else if (!strcmp(argv[i], "--macvtap-kernel-qdisc")) {
			macvtap_kernel_qdisc = true;
		} else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			usage(stdout);
			return 0;
		} else {
			goto bad;
		}
	}
	if (quick) {
		rounds = 1;
		dur = 0.1;
		warm = 0.03;
	}
	ncpu = (int)sysconf(_SC_NPROCESSORS_ONLN);
	if (!nq)
		nq = ncpu < 2 ? 2 : ncpu > MAX_QUEUES ? MAX_QUEUES : (unsigned int)ncpu;
	nrounds = rounds;
	round_rate = calloc((size_t)rounds * NW * 2 * NM, sizeof(*round_rate));
	if (!round_rate)
		die("out of memory");

	t_start = now();
	setvbuf(stdout, NULL, _IOLBF, 0);
	ksoftirqd_find();
	enter_private_namespace();
	if (vmtap_ctx_new(&ctx) < 0)
		die("vmtap_ctx_new failed");

	progress("building the topologies (%u queues each)", nq);
	for (int m = 0; m < NM; m++) {
		if (!enabled[m])
			continue;
		topo_setup(ctx, &topos[m], (enum mode)m, nq);
	}
	for (int m = 0; m < NM; m++) {
		if (!enabled[m])
			continue;
		for (int w = 0; w < NW; w++)
			preflight(&topos[m], (enum workload)w);
	}
	progress("every topology delivers every workload; measuring (%u rounds, %.2f s per cell)", rounds, dur);

	for (unsigned int r = 0; r < rounds; r++) {
		unsigned int k = 0;

		for (int w = 0; w < NW; w++)
			for (int qi = 0; qi < 2; qi++, k++)
				for (int j = 0; j < NM; j++) {
					enum mode m = (enum mode)((j + r + k) % NM);
					struct sample s = { 0 };

					if (!enabled[m])
						continue;
					run_cell(&topos[m], (enum workload)w, qi ? nq : 1, warm, dur, &s);
					cell_add(&cells[w][qi][m], &s);
					*rr(r, (enum workload)w, qi, m) = div0(s.segs, s.secs);
				}
		progress("round %u of %u done", r + 1, rounds);
	}

	report(nq, dur, quick, topos);
	for (int m = 0; m < NM && stats; m++) {
		if (!enabled[m])
			continue;
		topo_stats(&topos[m]);
	}
	for (int m = 0; m < NM; m++) {
		if (!enabled[m])
			continue;
		topo_teardown(ctx, &topos[m]);
	}
	vmtap_ctx_free(ctx);
	progress("done");
	return 0;
bad:
	usage(stderr);
	return 2;
}

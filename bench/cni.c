/* SPDX-License-Identifier: GPL-2.0-or-later */
/* CNI benchmark: ADD+DEL per pod of bridge + host-local, with and without vmtap-cni after them, alternating, in one run. */
/*
 * Usage: cni [--pods N] [--queues Q] [--mode redirect|macvtap] [--plugins DIR] [--vmtap-cni PATH]
 *
 * Needs root: it makes its own network and mount namespaces (a tmpfs on
 * /run, the pods' namespaces and vmtap's default state directory
 * /run/vmtap under it) and keeps IPAM data in a directory of its own, so
 * the machine is not touched.
 *
 * Each pod is ADDed then DELed through a chain, the way a runtime (libcni)
 * runs one: every plugin exec'd with the CNI_* environment and its
 * configuration on stdin, ADD in order with prevResult threaded through,
 * DEL in reverse with the final result.  Two chains alternate pod by pod
 * (which goes first alternates too), so that both see the same machine:
 *   A  bridge (+ host-local, which bridge runs itself)
 *   B  bridge + vmtap-cni
 * For every plugin run: wall time from spawn to reaping, and CPU time from
 * wait4() (the child and the children it waited for: bridge's host-local).
 * A third chain, in the same rotation, is the ceiling of B/A:
 *   C  bridge + what any plugin that gives the pod a TAP must cost at least:
 *      a static no-op process for its ADD and one for its DEL, and the
 *      kernel's work on the TAP (made persistent in the pod's namespace and
 *      brought up; then deleted, which waits for RCU grace periods), done by
 *      a forked child without exec
 * Printed: per pod medians of A, B and C, wall and CPU, B/A (goal < 1.25)
 * and C/A, the best B/A reachable here; vmtap-cni's own ADD and DEL; the
 * no-op process alone.  When vmtap-cni cannot ADD (a build without the
 * library's redirect endpoints, code 109) only A and C are measured.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <stdbool.h>
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
#include <sys/stat.h>
#include <sys/wait.h>

#include <json-c/json.h>
#include <linux/if_tun.h>

#ifndef CNI_BIN
#define CNI_BIN "vmtap-cni"
#endif
#ifndef NOOP_BIN
#define NOOP_BIN "noop"
#endif

extern char **environ;

static char workdir[] = "/tmp/vmtap-bench-cni.XXXXXX";
static const char *plugin_dir = "/usr/lib/cni";
static const char *vmtap_cni = CNI_BIN;
static unsigned int queues = 1;
static const char *mode = "redirect";

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void die(const char *what)
{
	fprintf(stderr, "cni: %s: %s\n", what, strerror(errno));
	exit(1);
}

struct run {
	double wall, cpu;
	int status;
	char *out;
};

static double rusage_cpu(const struct rusage *ru)
{
	return (double)ru->ru_utime.tv_sec + (double)ru->ru_utime.tv_usec / 1e6 + (double)ru->ru_stime.tv_sec +
	       (double)ru->ru_stime.tv_usec / 1e6;
}

/* Spawn @path with the CNI environment and @stdin_text, collect stdout, reap it with its CPU time. */
static void run_plugin(const char *path, const char *cmd, const char *cid, const char *netns, const char *stdin_text,
		       struct run *ret)
{
	char e_cmd[64], e_cid[128], e_ns[256], e_path[512];
	char *envp[] = { e_cmd, e_cid, e_ns, "CNI_IFNAME=eth0", "CNI_ARGS=", e_path,
			 "PATH=/usr/sbin:/usr/bin:/sbin:/bin", NULL };
	char *argv[] = { (char *)path, NULL };
	posix_spawn_file_actions_t fa;
	int in[2], out[2], status;
	size_t len = 0, cap = 4096, left = strlen(stdin_text);
	struct rusage ru;
	double t0;
	pid_t pid;

	snprintf(e_cmd, sizeof(e_cmd), "CNI_COMMAND=%s", cmd);
	snprintf(e_cid, sizeof(e_cid), "CNI_CONTAINERID=%s", cid);
	snprintf(e_ns, sizeof(e_ns), "CNI_NETNS=%s", netns);
	snprintf(e_path, sizeof(e_path), "CNI_PATH=%s:%s", plugin_dir, workdir);
	if (pipe2(in, O_CLOEXEC) < 0 || pipe2(out, O_CLOEXEC) < 0)
		die("pipe");
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, in[0], 0);
	posix_spawn_file_actions_adddup2(&fa, out[1], 1);
	t0 = now();
	if ((errno = posix_spawn(&pid, path, &fa, NULL, argv, envp)))
		die(path);
	posix_spawn_file_actions_destroy(&fa);
	close(in[0]);
	close(out[1]);
	while (left) {
		ssize_t n = write(in[1], stdin_text, left);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		stdin_text += n;
		left -= (size_t)n;
	}
	close(in[1]);
	ret->out = malloc(cap);
	for (;;) {
		ssize_t n;
		if (len + 1 == cap && !(ret->out = realloc(ret->out, cap *= 2)))
			die("memory");
		n = read(out[0], ret->out + len, cap - len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	ret->out[len] = '\0';
	close(out[0]);
	if (wait4(pid, &status, 0, &ru) < 0)
		die("wait4");
	ret->wall = now() - t0;
	ret->cpu = rusage_cpu(&ru);
	ret->status = status;
}

/*
 * The kernel's part of a pod's TAP, for chain C: in a forked child (no exec) in
 * @netns, a TAP made persistent and brought up (@add), or deleted (the last
 * queue of a device no longer persistent is closed: unregistered there, as
 * RTM_DELLINK would).  Its wall and CPU time into @ret.
 */
static void kernel_tap_step(const char *netns, bool add, struct run *ret)
{
	struct rusage ru;
	int status;
	double t0 = now();
	pid_t pid = fork();

	if (pid < 0)
		die("fork");
	if (pid == 0) {
		struct ifreq ifr = { 0 };
		int ns = open(netns, O_RDONLY | O_CLOEXEC), fd, sock;

		if (ns < 0 || setns(ns, CLONE_NEWNET) < 0)
			_exit(1);
		snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "benchtap0");
		ifr.ifr_flags = IFF_TAP | IFF_NO_PI | IFF_VNET_HDR | (queues > 1 ? IFF_MULTI_QUEUE : 0);
		fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
		if (fd < 0 || ioctl(fd, TUNSETIFF, &ifr) < 0 || ioctl(fd, TUNSETPERSIST, add ? 1 : 0) < 0)
			_exit(2);
		if (add) {
			sock = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
			if (sock < 0 || ioctl(sock, SIOCGIFFLAGS, &ifr) < 0)
				_exit(3);
			ifr.ifr_flags |= IFF_UP;
			if (ioctl(sock, SIOCSIFFLAGS, &ifr) < 0)
				_exit(3);
		}
		close(fd);
		_exit(0);
	}
	if (wait4(pid, &status, 0, &ru) < 0)
		die("wait4");
	if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		fprintf(stderr, "cni: the ceiling's TAP %s failed (%d)\n", add ? "ADD" : "DEL", status);
		exit(1);
	}
	ret->wall = now() - t0;
	ret->cpu = rusage_cpu(&ru);
}

/* ---- the chains ---- */

struct chain {
	const char *name;
	bool vmtap;
	bool ceiling;                   /* chain C: no-op processes and the kernel's TAP work instead of vmtap-cni */
	json_object *bridge, *vm;       /* plugin configurations, name and cniVersion in */
	/* per pod samples */
	double *wall, *cpu, *vm_add_wall, *vm_add_cpu, *vm_del_wall, *vm_del_cpu;
	size_t n;
};

static json_object *conf_with(json_object *plugin, json_object *prev)
{
	json_object *c = NULL;

	if (json_object_deep_copy(plugin, &c, NULL) < 0)
		die("json");
	if (prev) {
		json_object *p = NULL;
		if (json_object_deep_copy(prev, &p, NULL) < 0)
			die("json");
		json_object_object_add(c, "prevResult", p);
	}
	return c;
}

static bool plugin_step(const char *type, json_object *plugin, json_object *prev, const char *cmd, const char *cid,
			const char *netns, struct run *r, json_object **ret_result)
{
	char path[512];
	json_object *c = conf_with(plugin, prev);

	if (!strcmp(type, "vmtap-cni"))
		snprintf(path, sizeof(path), "%s", vmtap_cni);
	else
		snprintf(path, sizeof(path), "%s/%s", plugin_dir, type);
	run_plugin(path, cmd, cid, netns, json_object_to_json_string_ext(c, JSON_C_TO_STRING_PLAIN), r);
	json_object_put(c);
	if (!WIFEXITED(r->status) || WEXITSTATUS(r->status)) {
		fprintf(stderr, "cni: %s %s failed (status %d): %s\n", type, cmd, r->status, r->out);
		free(r->out);
		return false;
	}
	if (ret_result && !(*ret_result = json_tokener_parse(r->out))) {
		fprintf(stderr, "cni: %s %s printed no JSON: %s\n", type, cmd, r->out);
		free(r->out);
		return false;
	}
	free(r->out);
	return true;
}

/* Chain C's stand-in for a plugin's ADD or DEL: the no-op process, then the kernel's TAP work; the sum into @ret. */
static void ceiling_step(const char *netns, bool add, struct run *ret)
{
	struct run noop, tap;

	run_plugin(NOOP_BIN, add ? "ADD" : "DEL", "x", netns, "{}", &noop);
	free(noop.out);
	kernel_tap_step(netns, add, &tap);
	ret->wall = noop.wall + tap.wall;
	ret->cpu = noop.cpu + tap.cpu;
}

/* ADD then DEL of pod @cid in @netns through @ch; false (after saying why) when a plugin failed. */
static bool pod(struct chain *ch, const char *cid, const char *netns)
{
	json_object *r1 = NULL, *r2 = NULL, *final;
	struct run a1, a2 = { 0 }, d1, d2 = { 0 };
	bool ok;

	ok = plugin_step("bridge", ch->bridge, NULL, "ADD", cid, netns, &a1, &r1);
	if (ok && ch->vmtap)
		ok = plugin_step("vmtap-cni", ch->vm, r1, "ADD", cid, netns, &a2, &r2);
	if (ok && ch->ceiling)
		ceiling_step(netns, true, &a2);
	final = r2 ? r2 : r1;
	/* DEL in reverse, even after a failed ADD, as runtimes must */
	if (ch->vmtap && !plugin_step("vmtap-cni", ch->vm, final, "DEL", cid, netns, &d2, NULL))
		ok = false;
	if (ok && ch->ceiling)
		ceiling_step(netns, false, &d2);
	if (!plugin_step("bridge", ch->bridge, final, "DEL", cid, netns, &d1, NULL))
		ok = false;
	json_object_put(r1);
	json_object_put(r2);
	if (!ok)
		return false;
	ch->wall[ch->n] = a1.wall + a2.wall + d1.wall + d2.wall;
	ch->cpu[ch->n] = a1.cpu + a2.cpu + d1.cpu + d2.cpu;
	ch->vm_add_wall[ch->n] = a2.wall;
	ch->vm_add_cpu[ch->n] = a2.cpu;
	ch->vm_del_wall[ch->n] = d2.wall;
	ch->vm_del_cpu[ch->n] = d2.cpu;
	ch->n++;
	return true;
}

static json_object *bridge_conf(const char *net, const char *bridge, const char *subnet)
{
	char text[1024];

	snprintf(text, sizeof(text),
		 "{\"cniVersion\":\"1.0.0\",\"name\":\"%s\",\"type\":\"bridge\",\"bridge\":\"%s\",\"isGateway\":true,"
		 "\"ipam\":{\"type\":\"host-local\",\"subnet\":\"%s\",\"dataDir\":\"%s/ipam\"}}",
		 net, bridge, subnet, workdir);
	return json_tokener_parse(text);
}

enum chain_kind { CHAIN_A, CHAIN_B, CHAIN_C };

static void chain_init(struct chain *ch, const char *name, enum chain_kind kind, size_t pods)
{
	static const char *const nets[] = { "bencha", "benchb", "benchc" };
	static const char *const bridges[] = { "benchbr0", "benchbr1", "benchbr2" };
	static const char *const subnets[] = { "10.77.0.0/24", "10.77.1.0/24", "10.77.2.0/24" };
	char text[1024];

	memset(ch, 0, sizeof(*ch));
	ch->name = name;
	ch->vmtap = kind == CHAIN_B;
	ch->ceiling = kind == CHAIN_C;
	ch->bridge = bridge_conf(nets[kind], bridges[kind], subnets[kind]);
	/*
	 * No stateDir: vmtap's default, /run/vmtap, on the private tmpfs /run, as on a node (where
	 * host-local's store is on disk, as its dataDir here is)
	 */
	snprintf(text, sizeof(text),
		 "{\"cniVersion\":\"1.0.0\",\"name\":\"benchb\",\"type\":\"vmtap-cni\",\"queues\":%u,\"mode\":\"%s\"}",
		 queues, mode);
	ch->vm = json_tokener_parse(text);
	if (!ch->bridge || !ch->vm)
		die("json");
	ch->wall = calloc(pods, sizeof(double));
	ch->cpu = calloc(pods, sizeof(double));
	ch->vm_add_wall = calloc(pods, sizeof(double));
	ch->vm_add_cpu = calloc(pods, sizeof(double));
	ch->vm_del_wall = calloc(pods, sizeof(double));
	ch->vm_del_cpu = calloc(pods, sizeof(double));
	if (!ch->wall || !ch->cpu || !ch->vm_add_wall || !ch->vm_add_cpu || !ch->vm_del_wall || !ch->vm_del_cpu)
		die("memory");
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Median and quartiles of @v (sorted in place). */
static void stats(double *v, size_t n, double *med, double *q1, double *q3)
{
	qsort(v, n, sizeof(*v), cmp_double);
	*med = n ? (n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2) : 0;
	*q1 = n ? v[n / 4] : 0;
	*q3 = n ? v[(3 * n) / 4] : 0;
}

static double print_row(const char *what, double *v, size_t n)
{
	double m, a, b;

	stats(v, n, &m, &a, &b);
	printf("  %-44s %8.2f ms  (quartiles %.2f..%.2f)\n", what, m * 1e3, a * 1e3, b * 1e3);
	return m;
}

/* The netns of a pod: what `ip netns add` does, a namespace bind-mounted on /run/netns/NAME. */
static void netns_add(const char *path)
{
	int fd, status;
	pid_t pid;

	mkdir("/run/netns", 0755);
	fd = open(path, O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0444);
	if (fd < 0)
		die(path);
	close(fd);
	pid = fork();
	if (pid < 0)
		die("fork");
	if (pid == 0) {
		if (unshare(CLONE_NEWNET) < 0 || mount("/proc/self/ns/net", path, NULL, MS_BIND, NULL) < 0)
			_exit(1);
		_exit(0);
	}
	if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status))
		die("netns");
}

int main(int argc, char **argv)
{
	size_t pods = 50;
	struct chain a, b, c;
	bool with_vmtap;
	double floor_w[64], floor_c[64];
	char cmd[512];

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--pods") && i + 1 < argc)
			pods = (size_t)atoi(argv[++i]);
		else if (!strcmp(argv[i], "--queues") && i + 1 < argc)
			queues = (unsigned int)atoi(argv[++i]);
		else if (!strcmp(argv[i], "--mode") && i + 1 < argc)
			mode = argv[++i];
		else if (!strcmp(argv[i], "--plugins") && i + 1 < argc)
			plugin_dir = argv[++i];
		else if (!strcmp(argv[i], "--vmtap-cni") && i + 1 < argc)
			vmtap_cni = argv[++i];
		else {
			fprintf(stderr, "usage: cni [--pods N] [--queues Q] [--mode redirect|macvtap] [--plugins DIR] "
					"[--vmtap-cni PATH]\n");
			return 2;
		}
	}
	if (!pods || pods > 100000 || !queues || queues > 256)
		return fprintf(stderr, "cni: pods 1..100000, queues 1..256\n"), 2;

	/* a plugin (or the no-op floor) that exits without reading stdin must not kill the benchmark */
	signal(SIGPIPE, SIG_IGN);
	if (unshare(CLONE_NEWNET | CLONE_NEWNS) < 0)
		die("unshare (needs root)");
	if (mount("none", "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 || mount("tmpfs", "/run", "tmpfs", 0, NULL) < 0)
		die("private /run");
	if (!mkdtemp(workdir))
		die("mkdtemp");
	if (system("ip link set lo up") != 0)
		die("lo");
	netns_add("/run/netns/benchpod");

	chain_init(&a, "A: bridge + host-local", CHAIN_A, pods);
	chain_init(&b, "B: bridge + host-local + vmtap-cni", CHAIN_B, pods);
	chain_init(&c, "C: bridge + host-local + the least a TAP plugin costs", CHAIN_C, pods);

	/* can vmtap-cni ADD in this build? one trial pod, not counted */
	with_vmtap = pod(&b, "trial", "/run/netns/benchpod");
	b.n = 0;
	if (!with_vmtap)
		printf("vmtap-cni could not ADD (see above): measuring chain A only\n\n");

	/* the floor: a static process that does nothing, spawned the same way */
	for (size_t i = 0; i < sizeof(floor_w) / sizeof(floor_w[0]); i++) {
		struct run r;
		run_plugin(NOOP_BIN, "VERSION", "x", "dummy", "{}", &r);
		free(r.out);
		floor_w[i] = r.wall;
		floor_c[i] = r.cpu;
	}

	for (size_t i = 0; i < pods; i++) {
		char cid[64];
		snprintf(cid, sizeof(cid), "bench%06zu", i);
		/* who goes first rotates */
		for (int k = 0; k < 3; k++) {
			struct chain *chains[] = { &a, &b, &c }, *ch = chains[(i + (size_t)k) % 3];
			if (ch == &b && !with_vmtap)
				continue;
			if (!pod(ch, cid, "/run/netns/benchpod"))
				return 1;
		}
	}

	printf("CNI ADD+DEL per pod, %zu pods per chain, in rotation; vmtap-cni %s mode, %u queue%s; medians\n\n", pods,
	       mode, queues, queues > 1 ? "s" : "");
	{
		double aw = print_row("A wall (bridge + host-local)", a.wall, a.n);
		double ac = print_row("A CPU", a.cpu, a.n);
		double cw = print_row("C wall (A + 2 no-op processes + the TAP's kernel work)", c.wall, c.n);
		double cc = print_row("C CPU", c.cpu, c.n);
		if (with_vmtap) {
			double bw = print_row("B wall (bridge + host-local + vmtap-cni)", b.wall, b.n);
			double bc = print_row("B CPU", b.cpu, b.n);
			printf("\n  vmtap-cni alone:\n");
			print_row("ADD wall", b.vm_add_wall, b.n);
			print_row("ADD CPU", b.vm_add_cpu, b.n);
			print_row("DEL wall", b.vm_del_wall, b.n);
			print_row("DEL CPU", b.vm_del_cpu, b.n);
			printf("\n  B/A: %.2fx wall, %.2fx CPU (goal < 1.25x: %s)\n", bw / aw, bc / ac,
			       bw / aw < 1.25 && bc / ac < 1.25 ? "met" : "MISSED");
			printf("  B/C: %.2fx wall, %.2fx CPU (vmtap-cni against the least a TAP plugin costs)\n", bw / cw,
			       bc / cc);
		}
		printf("  C/A: %.2fx wall, %.2fx CPU (the best B/A any plugin that makes and deletes a TAP gets here)\n",
		       cw / aw, cc / ac);
		printf("\n  C's stand-in for a plugin (no-op process + the TAP's kernel work in a forked child):\n");
		print_row("ADD wall", c.vm_add_wall, c.n);
		print_row("ADD CPU", c.vm_add_cpu, c.n);
		print_row("DEL wall", c.vm_del_wall, c.n);
		print_row("DEL CPU", c.vm_del_cpu, c.n);
		printf("\n  floor: a static no-op process spawned the same way:\n");
		print_row("wall", floor_w, sizeof(floor_w) / sizeof(floor_w[0]));
		print_row("CPU", floor_c, sizeof(floor_c) / sizeof(floor_c[0]));
	}

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", workdir);
	if (system(cmd) != 0)
		fprintf(stderr, "cni: could not remove %s\n", workdir);
	return 0;
}

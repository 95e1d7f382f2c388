/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Bridge helper benchmark: vmtap-bridge-helper against Debian's qemu-bridge-helper, run as QEMU runs them, alternating, in one run. */
/*
 * Usage: bridge_helper [--rounds R] [--batch K] [--queues Q] [--qemu-helper PATH] [--helper PATH]
 *
 * Needs root for its set-up: new network and mount namespaces, a bridge,
 * /etc overlaid for bridge.conf and the limits file, set-uid copies of both
 * helpers in a directory of its own and /dev/net/tun bound 0666 (QEMU's
 * helper opens it as the caller).  The measuring runs in a child as uid
 * 4242, the way an unprivileged QEMU runs a helper: a socketpair, the helper
 * spawned with --use-vnet --fd=3 --br=br0, the reply read until EOF, the
 * helper reaped with wait4() for its CPU time.  The fds are then closed,
 * which deletes the TAP; that is timed apart, as QEMU closes them only at
 * its exit.
 *
 * Each round runs a batch of each case, in an order that rotates from round
 * to round; medians over all samples.  Printed: per invocation wall time
 * (and invocations per second), helper CPU, CPU per fd, and the ratios the
 * goals are about: vmtap/QEMU for one queue (goal <= 1), and one invocation
 * with Q queues against Q invocations of one queue (goal < 1).  A static
 * no-op program spawned the same way gives the floor of any helper.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <sched.h>
#include <spawn.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>

#ifndef BH_BIN
#define BH_BIN "vmtap-bridge-helper"
#endif
#ifndef NOOP_BIN
#define NOOP_BIN "noop"
#endif
#define QEMU_BH "/usr/lib/qemu/qemu-bridge-helper"
#define USR 4242
#define MAX_FDS 256

extern char **environ;

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void die(const char *what)
{
	fprintf(stderr, "bridge_helper: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void sh(const char *cmd)
{
	if (system(cmd) != 0) {
		fprintf(stderr, "bridge_helper: set-up failed: %s\n", cmd);
		exit(1);
	}
}

/* ---- one invocation, as QEMU's net_bridge_run_helper() does it ---- */

struct sample {
	double wall, cpu, teardown; /* seconds */
};

/* Run @helper for @queues (0: QEMU's argv; >0: --queues=N); false on any failure. */
static bool invoke(const char *helper, unsigned int queues, struct sample *s)
{
	char q_arg[32];
	char *argv[] = { (char *)helper, (char *)"--use-vnet", (char *)"--fd=3", (char *)"--br=br0",
			 queues ? q_arg : NULL, NULL };
	posix_spawn_file_actions_t fa;
	int sv[2], child, fds[MAX_FDS], nfds = 0, status;
	struct rusage ru;
	double t0, t1;
	pid_t pid;

	snprintf(q_arg, sizeof(q_arg), "--queues=%u", queues);
	t0 = now();
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
		die("socketpair");
	child = fcntl(sv[1], F_DUPFD_CLOEXEC, 10);
	close(sv[1]);
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, child, 3);
	posix_spawn_file_actions_addclosefrom_np(&fa, 4);
	if (posix_spawn(&pid, helper, &fa, NULL, argv, environ) != 0)
		die("posix_spawn");
	posix_spawn_file_actions_destroy(&fa);
	close(child);
	for (;;) {
		union {
			struct cmsghdr align;
			char buf[CMSG_SPACE(sizeof(int) * 253)];
		} control;
		char data[16];
		struct iovec iov = { .iov_base = data, .iov_len = sizeof(data) };
		struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = control.buf,
				      .msg_controllen = sizeof(control.buf) };
		ssize_t n = recvmsg(sv[0], &msg, MSG_CMSG_CLOEXEC);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
			size_t k = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
			for (size_t i = 0; i < k && nfds < MAX_FDS; i++)
				memcpy(&fds[nfds++], CMSG_DATA(c) + i * sizeof(int), sizeof(int));
		}
	}
	close(sv[0]);
	while (wait4(pid, &status, 0, &ru) < 0)
		if (errno != EINTR)
			die("wait4");
	t1 = now();
	s->wall = t1 - t0;
	s->cpu = (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
		 (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
	for (int i = 0; i < nfds; i++)
		close(fds[i]);
	s->teardown = now() - t1;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 && nfds == (int)(queues ? queues : 1);
}

/* ---- cases ---- */

struct bcase {
	const char *label;
	const char *bin;
	unsigned int queues;  /* 0: QEMU's argv, one fd */
	bool floor;           /* the no-op: it sends nothing */
	struct sample *s;
	unsigned int n;
};

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static double median(const struct bcase *c, size_t off)
{
	double *v = malloc(sizeof(double) * c->n), m;

	for (unsigned int i = 0; i < c->n; i++)
		v[i] = *(const double *)((const char *)&c->s[i] + off);
	qsort(v, c->n, sizeof(double), cmp_double);
	m = c->n % 2 ? v[c->n / 2] : (v[c->n / 2 - 1] + v[c->n / 2]) / 2;
	free(v);
	return m;
}

static unsigned int fds_of(const struct bcase *c)
{
	return c->queues ? c->queues : 1;
}

static int measure(unsigned int rounds, unsigned int batch, unsigned int queues, const char *qemu_bh,
		   const char *ours)
{
	struct bcase cases[] = {
		{ "no-op process (floor)", NOOP_BIN, 0, true, NULL, 0 },
		{ "qemu-bridge-helper, 1 queue", qemu_bh, 0, false, NULL, 0 },
		{ "vmtap-bridge-helper, 1 queue", ours, 0, false, NULL, 0 },
		{ "vmtap-bridge-helper --queues=Q", ours, queues, false, NULL, 0 },
	};
	const size_t ncases = sizeof(cases) / sizeof(cases[0]);
	char label[64];
	double q1, v1, vq, q1c, v1c, vqc;

	for (size_t c = 0; c < ncases; c++)
		cases[c].s = calloc((size_t)rounds * batch, sizeof(struct sample));
	/* warm-up: page cache, the dynamic loader's caches, the kernel's slabs */
	for (size_t c = 0; c < ncases; c++) {
		struct sample s;
		for (int i = 0; i < 3; i++)
			if (!invoke(cases[c].bin, cases[c].queues, &s) && !cases[c].floor) {
				fprintf(stderr, "bridge_helper: %s failed\n", cases[c].label);
				return 1;
			}
	}
	for (unsigned int r = 0; r < rounds; r++)
		for (size_t k = 0; k < ncases; k++) {
			struct bcase *c = &cases[(k + r) % ncases]; /* the order rotates every round */
			for (unsigned int i = 0; i < batch; i++) {
				if (!invoke(c->bin, c->queues, &c->s[c->n]) && !c->floor) {
					fprintf(stderr, "bridge_helper: %s failed\n", c->label);
					return 1;
				}
				c->n++;
			}
		}

	printf("bridge helpers run by uid %d as QEMU runs them (set-uid copies, /dev/net/tun 0666); %u rounds x %u, "
	       "rotating order, medians\n\n",
	       USR, rounds, batch);
	printf("%-36s %10s %9s %10s %10s %12s\n", "", "wall ms", "per s", "CPU ms", "CPU/fd ms", "teardown ms");
	for (size_t c = 0; c < ncases; c++) {
		double w = median(&cases[c], offsetof(struct sample, wall));
		double u = median(&cases[c], offsetof(struct sample, cpu));
		double t = median(&cases[c], offsetof(struct sample, teardown));
		if (cases[c].queues)
			snprintf(label, sizeof(label), "vmtap-bridge-helper --queues=%u", cases[c].queues);
		else
			snprintf(label, sizeof(label), "%s", cases[c].label);
		printf("%-36s %10.2f %9.0f %10.2f %10.2f %12.2f\n", label, w * 1e3, 1 / w, u * 1e3,
		       cases[c].floor ? 0.0 : u * 1e3 / fds_of(&cases[c]), cases[c].floor ? 0.0 : t * 1e3);
	}
	q1 = median(&cases[1], offsetof(struct sample, wall));
	v1 = median(&cases[2], offsetof(struct sample, wall));
	vq = median(&cases[3], offsetof(struct sample, wall));
	q1c = median(&cases[1], offsetof(struct sample, cpu));
	v1c = median(&cases[2], offsetof(struct sample, cpu));
	vqc = median(&cases[3], offsetof(struct sample, cpu));
	printf("\n%-58s %8s %8s %s\n", "ratio", "wall", "CPU", "goal");
	printf("%-58s %7.2fx %7.2fx %s\n", "vmtap / qemu, one queue", v1 / q1, v1c / q1c,
	       v1 / q1 <= 1 && v1c / q1c <= 1 ? "<= 1: met" : "<= 1: MISSED");
	snprintf(label, sizeof(label), "vmtap 1 x %u queues / vmtap %u x 1 queue", queues, queues);
	printf("%-58s %7.2fx %7.2fx %s\n", label, vq / (queues * v1), vqc / (queues * v1c),
	       vq < queues * v1 && vqc < queues * v1c ? "< 1: met" : "< 1: MISSED");
	snprintf(label, sizeof(label), "vmtap 1 x %u queues / qemu %u x 1 queue", queues, queues);
	printf("%-58s %7.2fx %7.2fx %s\n", label, vq / (queues * q1), vqc / (queues * q1c),
	       vq < queues * q1 && vqc < queues * q1c ? "< 1: met" : "< 1: MISSED");
	printf("(%u x 1 queue: %u times the one-queue median of the same run; %u single-queue TAPs are not one\n"
	       " %u-queue TAP, and QEMU's -netdev bridge cannot take more than one fd at all)\n",
	       queues, queues, queues, queues);
	for (size_t c = 0; c < ncases; c++)
		free(cases[c].s);
	return 0;
}

/* ---- set-up as root ---- */

static void copy_setuid(const char *src, const char *dst)
{
	char buf[65536];
	int in = open(src, O_RDONLY | O_CLOEXEC), out;
	ssize_t n;

	if (in < 0)
		die(src);
	out = open(dst, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0700);
	if (out < 0)
		die(dst);
	while ((n = read(in, buf, sizeof(buf))) > 0)
		if (write(out, buf, (size_t)n) != n)
			die(dst);
	close(in);
	if (fchown(out, 0, 0) < 0 || fchmod(out, 04755) < 0)
		die(dst);
	close(out);
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (!f || fputs(text, f) < 0 || fclose(f) != 0)
		die(path);
	chmod(path, 0644);
}

int main(int argc, char **argv)
{
	unsigned int rounds = 5, batch = 20, queues = 4;
	const char *qemu_src = QEMU_BH, *ours_src = BH_BIN;
	char dir[] = "/tmp/vmtap-bench-bh.XXXXXX", path[512], qemu_bh[512], ours[512], opts[1024];
	int status, r;
	pid_t pid;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--rounds") && i + 1 < argc)
			rounds = (unsigned int)atoi(argv[++i]);
		else if (!strcmp(argv[i], "--batch") && i + 1 < argc)
			batch = (unsigned int)atoi(argv[++i]);
		else if (!strcmp(argv[i], "--queues") && i + 1 < argc)
			queues = (unsigned int)atoi(argv[++i]);
		else if (!strcmp(argv[i], "--qemu-helper") && i + 1 < argc)
			qemu_src = argv[++i];
		else if (!strcmp(argv[i], "--helper") && i + 1 < argc)
			ours_src = argv[++i];
		else {
			fprintf(stderr, "usage: bridge_helper [--rounds R] [--batch K] [--queues Q] [--qemu-helper PATH] "
					"[--helper PATH]\n");
			return 2;
		}
	}
	if (!rounds || !batch || queues < 2 || queues > 16) {
		fprintf(stderr, "bridge_helper: rounds and batch >= 1, queues 2..16\n");
		return 2;
	}
	if (access(qemu_src, X_OK) < 0) {
		fprintf(stderr, "bridge_helper: %s missing (Debian package qemu-system-common)\n", qemu_src);
		return 77;
	}
	if (unshare(CLONE_NEWNET | CLONE_NEWNS) < 0)
		die("unshare (needs root)");
	if (mount("none", "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		die("private mounts");
	if (!mkdtemp(dir) || chmod(dir, 0755) < 0)
		die("mkdtemp");
	snprintf(path, sizeof(path), "%s/bin", dir);
	mkdir(path, 0755);
	snprintf(qemu_bh, sizeof(qemu_bh), "%s/bin/qemu-bridge-helper", dir);
	snprintf(ours, sizeof(ours), "%s/bin/vmtap-bridge-helper", dir);
	copy_setuid(qemu_src, qemu_bh);
	copy_setuid(ours_src, ours);
	snprintf(path, sizeof(path), "%s/upper", dir);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/upper/qemu", dir);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/upper/vmtap", dir);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/work", dir);
	mkdir(path, 0755);
	snprintf(opts, sizeof(opts), "lowerdir=/etc,upperdir=%s/upper,workdir=%s/work", dir, dir);
	if (mount("overlay", "/etc", "overlay", 0, opts) < 0)
		die("overlay /etc");
	write_file("/etc/qemu/bridge.conf", "allow br0\n");
	/* the helper's defaults, written out: the per-user TAP count is part of what it costs */
	write_file("/etc/vmtap/bridge-helper.conf", "max-queues 16\nmax-taps 32\n");
	snprintf(path, sizeof(path), "%s/tun", dir);
	if (mknod(path, S_IFCHR | 0666, makedev(10, 200)) < 0 || chmod(path, 0666) < 0 ||
	    mount(path, "/dev/net/tun", NULL, MS_BIND, NULL) < 0)
		die("/dev/net/tun 0666");
	sh("ip link set lo up && ip link add br0 type bridge && ip link set br0 up");

	fflush(stdout);
	pid = fork();
	if (pid < 0)
		die("fork");
	if (pid == 0) {
		if (setgroups(0, NULL) < 0 || setresgid(USR, USR, USR) < 0 || setresuid(USR, USR, USR) < 0)
			die("become uid 4242");
		r = measure(rounds, batch, queues, qemu_bh, ours);
		fflush(stdout);
		_exit(r);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			die("waitpid");
	r = WIFEXITED(status) ? WEXITSTATUS(status) : 1;
	umount("/dev/net/tun");
	umount("/etc");
	snprintf(path, sizeof(path), "rm -rf '%s'", dir);
	sh(path);
	return r;
}

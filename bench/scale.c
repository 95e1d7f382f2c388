/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Scale benchmark: up to 10,000 recorded endpoints in one namespace (and 2 x 5,000 in two); per-endpoint cost, list and gc per item, peak RSS. */
/*
 * What it shows (see usage() and report_variant()):
 *  - create, show (load) and destroy of one endpoint, through libvmtap and
 *    through the vmtap CLI, at each population size, against a control: the
 *    same operation in an empty state directory and namespace, measured in
 *    alternation with it, so that the machine's drift cancels out of the
 *    ratio "at the largest population / at the smallest";
 *  - `vmtap endpoint list` (text and JSON) and `vmtap gc` (nothing to do;
 *    1% leaked) per endpoint at each size, and the child's peak RSS;
 *  - a batch teardown: one `vmtap delete` of every TAP, then one `vmtap gc`
 *    that removes every record whose device is gone;
 *  - two namespaces of half the largest size each, 1% leaked in each, one gc.
 *
 * Everything lives in a private network and mount namespace (tmpfs on /run,
 * named namespaces under it); nothing outlives the process.  The population
 * is made through the library (a process per endpoint would take an hour at
 * 10,000 on 2 cores); the samples use both.  Exit status: 0 when every
 * consistency check held, whatever the timings; 1 otherwise.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
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
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "vmtap.h"

#ifndef VMTAP_BIN
#define VMTAP_BIN "vmtap"
#endif

#define MAX_POINTS 4

/* ---- plumbing ---- */

static double t_start;
static int failures;

static double now_wall(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double tv_sec(struct timeval tv)
{
	return (double)tv.tv_sec + (double)tv.tv_usec / 1e6;
}

/* CPU seconds of this process and its waited-for children, user + system. */
static double now_cpu(void)
{
	struct rusage self, kids;

	getrusage(RUSAGE_SELF, &self);
	getrusage(RUSAGE_CHILDREN, &kids);
	return tv_sec(self.ru_utime) + tv_sec(self.ru_stime) + tv_sec(kids.ru_utime) + tv_sec(kids.ru_stime);
}

struct mark {
	double wall, cpu;
};

static struct mark mark_now(void)
{
	return (struct mark){ .wall = now_wall(), .cpu = now_cpu() };
}

/* Accumulated wall and CPU seconds over @count items. */
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

static double ratio(double a, double b)
{
	return b > 0 ? a / b : 0;
}

static void __attribute__((noreturn, format(printf, 1, 2))) die(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "scale: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static void __attribute__((format(printf, 1, 2))) progress(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "[%6.1fs] ", now_wall() - t_start);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* A consistency check failed: said at once, and the exit status says so at the end. */
static void __attribute__((format(printf, 1, 2))) check_failed(const char *fmt, ...)
{
	va_list ap;

	failures++;
	fprintf(stderr, "scale: CHECK FAILED: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static void enter_private_namespace(void)
{
	if (unshare(CLONE_NEWNET | CLONE_NEWNS) < 0)
		die("unshare(CLONE_NEWNET | CLONE_NEWNS): %s (run as root)", strerror(errno));
	if (mount("none", "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		die("make mounts private: %s", strerror(errno));
	/* state directories and named namespaces of this run only */
	if (mount("tmpfs", "/run", "tmpfs", 0, "mode=0755") < 0)
		die("mount tmpfs on /run: %s", strerror(errno));
}

/* ---- child processes ---- */

/* What one child cost, from wait4(): its own CPU and peak RSS (-1: unknown), and the wall time around it. */
struct child {
	double wall, cpu;
	long maxrss_kb;
};

/*
 * The launcher: a process forked at start, while this one is still small,
 * that runs the commands whose peak RSS is reported.  A child's ru_maxrss
 * counts the memory of the process it was spawned from (the kernel records
 * the old address space's high-water mark at exec, and a posix_spawn()ed
 * child execs from its parent's): spawned from this process, grown by its
 * bookkeeping of 10,000 endpoints and its libraries' allocations, every
 * child would seem as large as it.  The launcher's own size (about that of
 * `vmtap --version`) is the floor of every figure.
 */
struct launch_req {
	unsigned int argc;
	char args[2048];        /* argc NUL-terminated strings */
	bool has_out;           /* an fd for the child's stdout came with it (SCM_RIGHTS) */
};

struct launch_rep {
	int status;             /* as from waitpid(), or -errno of posix_spawn() */
	struct rusage ru;
};

static int launcher_fd = -1;
static long rss_floor_kb; /* `vmtap --version` through the launcher */

static int spawn_wait(char *const argv[], int out_fd, int *ret_status, struct rusage *ret_ru)
{
	posix_spawn_file_actions_t fa;
	pid_t pid;
	int r, null = -1;

	posix_spawn_file_actions_init(&fa);
	if (out_fd < 0) {
		null = open("/dev/null", O_WRONLY | O_CLOEXEC);
		if (null < 0)
			return -errno;
		out_fd = null;
	}
	posix_spawn_file_actions_adddup2(&fa, out_fd, STDOUT_FILENO);
	r = posix_spawn(&pid, argv[0], &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (null >= 0)
		close(null);
	if (r)
		return -r;
	while (wait4(pid, ret_status, 0, ret_ru) < 0)
		if (errno != EINTR)
			return -errno;
	return 0;
}

static void __attribute__((noreturn)) launcher_main(int fd)
{
	for (;;) {
		struct launch_req req;
		struct launch_rep rep = { 0 };
		char cbuf[CMSG_SPACE(sizeof(int))];
		struct iovec iov = { &req, sizeof(req) };
		struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = sizeof(cbuf) };
		char *argv[64];
		int out = -1, r;
		ssize_t n = recvmsg(fd, &mh, MSG_CMSG_CLOEXEC);
		const char *a;

		if (n <= 0)
			_exit(0);
		if (req.has_out) {
			struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);
			if (cm && cm->cmsg_type == SCM_RIGHTS)
				memcpy(&out, CMSG_DATA(cm), sizeof(int));
		}
		a = req.args;
		for (unsigned int i = 0; i < req.argc && i < 63; i++, a += strlen(a) + 1)
			argv[i] = (char *)a;
		argv[req.argc < 63 ? req.argc : 63] = NULL;
		r = spawn_wait(argv, out, &rep.status, &rep.ru);
		if (r < 0)
			rep.status = r;
		if (out >= 0)
			close(out);
		if (send(fd, &rep, sizeof(rep), 0) != sizeof(rep))
			_exit(1);
	}
}

static void launcher_start(void)
{
	int sv[2];
	pid_t pid;

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		die("socketpair: %s", strerror(errno));
	pid = fork();
	if (pid < 0)
		die("fork: %s", strerror(errno));
	if (pid == 0) {
		close(sv[0]);
		launcher_main(sv[1]);
	}
	close(sv[1]);
	launcher_fd = sv[0];
}

/* Run @argv through the launcher; false when it does not fit a request (then run it directly). */
static bool launch(char *const argv[], int out_fd, int *ret_status, struct rusage *ret_ru)
{
	struct launch_req req = { .has_out = out_fd >= 0 };
	struct launch_rep rep;
	char cbuf[CMSG_SPACE(sizeof(int))] = { 0 };
	struct iovec iov = { &req, sizeof(req) };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	size_t off = 0;

	for (; argv[req.argc]; req.argc++) {
		size_t len = strlen(argv[req.argc]) + 1;
		if (req.argc == 63 || off + len > sizeof(req.args))
			return false;
		memcpy(req.args + off, argv[req.argc], len);
		off += len;
	}
	if (out_fd >= 0) {
		struct cmsghdr *cm;
		mh.msg_control = cbuf;
		mh.msg_controllen = sizeof(cbuf);
		cm = CMSG_FIRSTHDR(&mh);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(cm), &out_fd, sizeof(int));
	}
	if (sendmsg(launcher_fd, &mh, 0) != sizeof(req) || recv(launcher_fd, &rep, sizeof(rep), 0) != sizeof(rep))
		die("launcher: %s", strerror(errno));
	if (rep.status < 0)
		die("spawn %s: %s", argv[0], strerror(-rep.status));
	*ret_status = rep.status;
	*ret_ru = rep.ru;
	return true;
}

/*
 * Run @argv (argv[0] an absolute path) to completion, its stdout to @out_fd
 * (-1: /dev/null); a failure ends the benchmark unless @may_fail.  Returns the
 * exit status.  Through the launcher when it fits (peak RSS known), else
 * directly (peak RSS unknown: -1).
 */
static int run_child(char *const argv[], int out_fd, bool may_fail, struct child *ret)
{
	struct rusage ru;
	double start = now_wall();
	bool launched;
	int st, r;

	launched = launcher_fd >= 0 && launch(argv, out_fd, &st, &ru);
	if (!launched && (r = spawn_wait(argv, out_fd, &st, &ru)) < 0)
		die("spawn %s: %s", argv[0], strerror(-r));
	if (ret) {
		ret->wall = now_wall() - start;
		ret->cpu = tv_sec(ru.ru_utime) + tv_sec(ru.ru_stime);
		ret->maxrss_kb = launched ? ru.ru_maxrss : -1;
	}
	if (!may_fail && (!WIFEXITED(st) || WEXITSTATUS(st))) {
		fprintf(stderr, "scale: command failed (status 0x%x):", st);
		for (size_t i = 0; argv[i] && i < 12; i++)
			fprintf(stderr, " %s", argv[i]);
		die("%s", "");
	}
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* Run a shell command for set-up or a check (ip netns add ...); 0 when it succeeded. */
static int __attribute__((format(printf, 1, 2))) sh(const char *fmt, ...)
{
	char cmd[1024];
	va_list ap;
	int r;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	r = system(cmd);
	return WIFEXITED(r) ? WEXITSTATUS(r) : -1;
}

/* ---- a population: a state directory and its endpoints, in one named namespace ---- */

struct pop {
	const char *dir;           /* state directory */
	const char *netns;         /* named namespace of its endpoints */
	unsigned int queues;
	struct vmtap_ctx *ctx;     /* pointed at @dir */
	char (*ifname)[VMTAP_IFNAMSIZ]; /* ifname[i]: the TAP of endpoint "e<i>" */
	unsigned int n, cap;
};

static struct vmtap_ctx *ctx_for(const char *dir)
{
	struct vmtap_ctx *ctx;
	int r = vmtap_ctx_new(&ctx);

	if (r < 0 || vmtap_ctx_set_state_dir(ctx, dir) < 0)
		die("context for %s: %s", dir, strerror(-r));
	return ctx;
}

/* Whether new devices get IPv6 (see ipv6_reference()); the main runs turn it off unless --ipv6. */
static bool pop_ipv6;

static void pop_init(struct pop *p, const char *dir, const char *netns, unsigned int queues, unsigned int cap)
{
	*p = (struct pop){ .dir = dir, .netns = netns, .queues = queues, .cap = cap };
	if (sh("ip netns add %s && ip -n %s link set lo up", netns, netns) != 0)
		die("ip netns add %s failed", netns);
	if (!pop_ipv6 && sh("ip netns exec %s sysctl -qw net.ipv6.conf.default.disable_ipv6=1", netns) != 0)
		die("disable IPv6 on new devices of %s failed", netns);
	p->ctx = ctx_for(dir);
	p->ifname = calloc(cap ? cap : 1, sizeof(*p->ifname));
	if (!p->ifname)
		die("out of memory");
}

static void pop_id(char id[32], const char *prefix, unsigned int i)
{
	snprintf(id, 32, "%s%u", prefix, i);
}

/* Library create of endpoint @id in @p's namespace; its ifname to @ret_ifname when given. */
static void lib_create(struct pop *p, const char *id, char *ret_ifname)
{
	VMTAP_OPTS(vmtap_endpoint_spec, s, .queues = p->queues, .netns = p->netns);
	struct vmtap_endpoint *ep = NULL;
	int r = vmtap_endpoint_create(p->ctx, id, &s, ret_ifname ? &ep : NULL);

	if (r < 0)
		die("vmtap_endpoint_create %s in %s: %s", id, p->dir, vmtap_ctx_error(p->ctx));
	if (ret_ifname) {
		snprintf(ret_ifname, VMTAP_IFNAMSIZ, "%s", vmtap_endpoint_ifname(ep));
		vmtap_endpoint_free(ep);
	}
}

static void lib_destroy(struct pop *p, const char *id)
{
	if (vmtap_endpoint_destroy(p->ctx, id) < 0)
		die("vmtap_endpoint_destroy %s in %s: %s", id, p->dir, vmtap_ctx_error(p->ctx));
}

static void lib_load(struct pop *p, const char *id)
{
	struct vmtap_endpoint *ep = NULL;

	if (vmtap_endpoint_load(p->ctx, id, &ep) < 0)
		die("vmtap_endpoint_load %s in %s: %s", id, p->dir, vmtap_ctx_error(p->ctx));
	vmtap_endpoint_free(ep);
}

/* Grow @p to @n endpoints "e<i>"; the cost per endpoint goes to @m. */
static void pop_grow(struct pop *p, unsigned int n, struct meas *m)
{
	struct mark t = mark_now();
	unsigned int from = p->n;

	if (n > p->cap)
		die("population of %u over its capacity %u", n, p->cap);
	for (; p->n < n; p->n++) {
		char id[32];
		pop_id(id, "e", p->n);
		lib_create(p, id, p->ifname[p->n]);
	}
	if (m && n > from)
		meas_add(m, t, n - from);
}

static int count_tagged_cb(const struct vmtap_link_info *li, void *data)
{
	if (!strncmp(li->alias, VMTAP_TAG_PREFIX, strlen(VMTAP_TAG_PREFIX)))
		(*(unsigned int *)data)++;
	return 0;
}

/* TAPs in @netns carrying a vmtap tag. */
static unsigned int count_tagged(struct vmtap_ctx *ctx, const char *netns)
{
	unsigned int n = 0;

	if (vmtap_link_foreach(ctx, netns, VMTAP_LINK_TUN_ONLY, count_tagged_cb, &n) < 0)
		die("list links of %s: %s", netns, vmtap_ctx_error(ctx));
	return n;
}

/* Files in state directory @dir: records, and anything else but .state-id. */
static void count_files(const char *dir, unsigned int *ret_records, unsigned int *ret_other)
{
	DIR *d = opendir(dir);
	struct dirent *e;

	*ret_records = *ret_other = 0;
	if (!d)
		return;
	while ((e = readdir(d))) {
		size_t len = strlen(e->d_name);
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..") || !strcmp(e->d_name, ".state-id"))
			continue;
		if (len > 5 && !strcmp(e->d_name + len - 5, ".json"))
			(*ret_records)++;
		else if (len > 5 && !strcmp(e->d_name + len - 5, ".lock"))
			; /* a lock file with its record is part of an endpoint */
		else
			(*ret_other)++;
	}
	closedir(d);
}

/* The invariant gc restores: every record has its tagged device and every tagged device its record. */
static void check_consistent(struct pop *p, const char *netns, unsigned int want, const char *when)
{
	unsigned int records, other, tagged = count_tagged(p->ctx, netns);

	count_files(p->dir, &records, &other);
	if (netns == p->netns && (records != want || tagged != want || other))
		check_failed("%s: %u records, %u tagged devices, %u other files; wanted %u, %u, 0", when, records, tagged,
			     other, want, want);
	else if (netns != p->netns && tagged != want)
		check_failed("%s: %u tagged devices in %s, wanted %u", when, tagged, netns, want);
}

/* ---- the CLI ---- */

struct cli {
	const char *bin;
};

/* Run `vmtap --state-dir DIR ARGS...` (at most 10 args); its cost to @m (one item) and @ret. */
static void cli_run(const struct cli *c, const char *dir, struct meas *m, struct child *ret, int out_fd, ...)
{
	char *argv[16] = { (char *)c->bin, "--state-dir", (char *)dir };
	struct child ch;
	size_t n = 3;
	va_list ap;

	va_start(ap, out_fd);
	for (char *a; n < 14 && (a = va_arg(ap, char *));)
		argv[n++] = a;
	va_end(ap);
	argv[n] = NULL;
	run_child(argv, out_fd, false, &ch);
	if (m) {
		/* the child's own CPU: it is the launcher's child, not ours */
		m->wall += ch.wall;
		m->cpu += ch.cpu;
		m->count++;
	}
	if (ret)
		*ret = ch;
}

/* ---- one population size ---- */

/*
 * A sampled operation against the population and the same against the
 * control, in alternation.  The ratio that matters is
 * (pop / ctl at the largest size) / (pop / ctl at the smallest).
 */
struct pair {
	struct meas pop, ctl;
};

static double pair_norm_wall(const struct pair *p)
{
	return ratio(us_wall(&p->pop), us_wall(&p->ctl));
}

static double pair_norm_cpu(const struct pair *p)
{
	return ratio(us_cpu(&p->pop), us_cpu(&p->ctl));
}

/* The best of a few runs of one whole-population command, per endpoint. */
struct whole {
	double wall, cpu;      /* seconds, best of the runs */
	long maxrss_kb;        /* largest of the runs */
	unsigned int runs;
};

static void whole_add(struct whole *w, const struct child *c)
{
	if (!w->runs || c->wall < w->wall)
		w->wall = c->wall;
	if (!w->runs || c->cpu < w->cpu)
		w->cpu = c->cpu;
	if (!w->runs || c->maxrss_kb > w->maxrss_kb)
		w->maxrss_kb = c->maxrss_kb;
	w->runs++;
}

struct point {
	unsigned int n;
	struct meas grow;                      /* library creates that grew the population to n */
	struct pair lib_create, lib_load, lib_destroy;
	struct pair cli_create, cli_show, cli_destroy;
	struct whole list, list_json, gc_idle; /* at n */
	struct whole list_ctl, list_json_ctl, gc_ctl; /* the same in the empty control directory */
	struct whole gc_leak;                  /* one run, 1% leaked */
	unsigned int leaked, gc_events;
};

struct variant {
	unsigned int queues;
	unsigned int npoints;
	struct point pt[MAX_POINTS];
	struct whole bulk_delete, gc_all_gone; /* teardown of the largest population */
	unsigned int torn_down;
};

struct config {
	unsigned int sizes[MAX_POINTS];
	unsigned int nsizes;
	unsigned int samples;   /* sampled creates/shows/destroys per size and kind */
	unsigned int runs;      /* runs of list and gc per size */
	unsigned int two_ns;    /* endpoints in each of the two namespaces */
	unsigned int ipv6_ref;  /* population of the IPv6 reference */
	bool quick;
	struct cli cli;
};

/* Sampled library and CLI operations at the population's current size. */
static void sample_ops(const struct config *c, struct pop *p, struct pop *ctl, struct point *pt)
{
	const char *q = p->queues > 1 ? "4" : "1";
	char id[32], cid[32];
	uint32_t rnd;

	/* library: create K extra endpoints (and K in the control), load K, destroy the K extra */
	for (unsigned int i = 0; i < c->samples; i++) {
		for (int turn = 0; turn < 2; turn++) {
			bool pop_turn = (turn == 0) == (i % 2 == 0);
			struct mark t;

			pop_id(id, "x", i);
			t = mark_now();
			lib_create(pop_turn ? p : ctl, id, NULL);
			meas_add(pop_turn ? &pt->lib_create.pop : &pt->lib_create.ctl, t, 1);
		}
	}
	for (unsigned int i = 0; i < c->samples; i++) {
		for (int turn = 0; turn < 2; turn++) {
			bool pop_turn = (turn == 0) == (i % 2 == 0);
			struct mark t;

			(void)!getrandom(&rnd, sizeof(rnd), 0);
			pop_id(id, "e", rnd % p->n);
			pop_id(cid, "x", rnd % c->samples);
			t = mark_now();
			lib_load(pop_turn ? p : ctl, pop_turn ? id : cid);
			meas_add(pop_turn ? &pt->lib_load.pop : &pt->lib_load.ctl, t, 1);
		}
	}
	for (unsigned int i = 0; i < c->samples; i++) {
		for (int turn = 0; turn < 2; turn++) {
			bool pop_turn = (turn == 0) == (i % 2 == 0);
			struct mark t;

			pop_id(id, "x", i);
			t = mark_now();
			lib_destroy(pop_turn ? p : ctl, id);
			meas_add(pop_turn ? &pt->lib_destroy.pop : &pt->lib_destroy.ctl, t, 1);
		}
	}

	/* the CLI, one process per operation: the same three */
	for (unsigned int i = 0; i < c->samples; i++) {
		for (int turn = 0; turn < 2; turn++) {
			bool pop_turn = (turn == 0) == (i % 2 == 0);
			struct pop *which = pop_turn ? p : ctl;

			pop_id(id, "y", i);
			cli_run(&c->cli, which->dir, pop_turn ? &pt->cli_create.pop : &pt->cli_create.ctl, NULL, -1,
				"endpoint", "create", id, "--netns", which->netns, "--queues", q, (char *)NULL);
		}
	}
	for (unsigned int i = 0; i < c->samples; i++) {
		for (int turn = 0; turn < 2; turn++) {
			bool pop_turn = (turn == 0) == (i % 2 == 0);

			(void)!getrandom(&rnd, sizeof(rnd), 0);
			pop_id(id, "e", rnd % p->n);
			pop_id(cid, "y", rnd % c->samples);
			cli_run(&c->cli, pop_turn ? p->dir : ctl->dir, pop_turn ? &pt->cli_show.pop : &pt->cli_show.ctl,
				NULL, -1, "endpoint", "show", pop_turn ? id : cid, (char *)NULL);
		}
	}
	for (unsigned int i = 0; i < c->samples; i++) {
		for (int turn = 0; turn < 2; turn++) {
			bool pop_turn = (turn == 0) == (i % 2 == 0);

			pop_id(id, "y", i);
			cli_run(&c->cli, pop_turn ? p->dir : ctl->dir,
				pop_turn ? &pt->cli_destroy.pop : &pt->cli_destroy.ctl, NULL, -1, "endpoint", "destroy", id,
				(char *)NULL);
		}
	}
}

/* `vmtap endpoint list` (text, JSON) and `vmtap gc` with nothing to do, each a few times, best kept. */
static void whole_ops(const struct config *c, struct pop *p, struct pop *ctl, struct point *pt)
{
	for (unsigned int r = 0; r < c->runs; r++) {
		struct child ch;

		cli_run(&c->cli, p->dir, NULL, &ch, -1, "endpoint", "list", (char *)NULL);
		whole_add(&pt->list, &ch);
		cli_run(&c->cli, ctl->dir, NULL, &ch, -1, "endpoint", "list", (char *)NULL);
		whole_add(&pt->list_ctl, &ch);
		cli_run(&c->cli, p->dir, NULL, &ch, -1, "-j", "endpoint", "list", (char *)NULL);
		whole_add(&pt->list_json, &ch);
		cli_run(&c->cli, ctl->dir, NULL, &ch, -1, "-j", "endpoint", "list", (char *)NULL);
		whole_add(&pt->list_json_ctl, &ch);
		cli_run(&c->cli, p->dir, NULL, &ch, -1, "gc", (char *)NULL);
		whole_add(&pt->gc_idle, &ch);
		cli_run(&c->cli, ctl->dir, NULL, &ch, -1, "gc", (char *)NULL);
		whole_add(&pt->gc_ctl, &ch);
	}
}

/* The lines of @fd (a memfd the child wrote) that start with @what and mention @netns (NULL: any). */
static unsigned int count_lines(int fd, const char *what, const char *netns)
{
	char line[1024];
	unsigned int n = 0;
	FILE *f;
	int dup_fd = dup(fd);

	if (dup_fd < 0 || lseek(dup_fd, 0, SEEK_SET) < 0 || !(f = fdopen(dup_fd, "r")))
		die("read gc output: %s", strerror(errno));
	while (fgets(line, sizeof(line), f)) {
		char in[128];
		snprintf(in, sizeof(in), " in %s:", netns ? netns : "");
		if (!strncmp(line, what, strlen(what)) && (!netns || strstr(line, in)))
			n++;
	}
	fclose(f);
	return n;
}

/*
 * Leak @n endpoints of @p, from index @from on, every other one: the first
 * kind lose their device behind vmtap's back (one bulk delete), the second
 * their record (unlinked; the lock file stays, as a killed process leaves
 * it).  Their indexes go to @ret_idx.
 */
static unsigned int leak(struct pop *p, unsigned int from, unsigned int n, unsigned int step, unsigned int *ret_idx)
{
	const char **names = calloc(n, sizeof(*names));
	unsigned int nd = 0;

	if (!names)
		die("out of memory");
	for (unsigned int k = 0; k < n; k++) {
		unsigned int i = (from + k * step) % p->n;
		char path[256];

		ret_idx[k] = i;
		if (k % 2 == 0) {
			names[nd++] = p->ifname[i];
		} else {
			snprintf(path, sizeof(path), "%s/e%u.json", p->dir, i);
			if (unlink(path) < 0)
				die("unlink %s: %s", path, strerror(errno));
		}
	}
	if (nd && vmtap_link_delete_many(p->ctx, p->netns, names, nd) < 0)
		die("delete leaked devices: %s", vmtap_ctx_error(p->ctx));
	free(names);
	return nd;
}

/* After gc repaired the leaks, make those endpoints again: the population is whole for the next size. */
static void unleak(struct pop *p, const unsigned int *idx, unsigned int n)
{
	for (unsigned int k = 0; k < n; k++) {
		char id[32];
		pop_id(id, "e", idx[k]);
		lib_create(p, id, p->ifname[idx[k]]);
	}
}

/* One gc over @p with 1% of its endpoints leaked; checks that gc repaired exactly those. */
static void gc_with_leaks(const struct config *c, struct pop *p, struct point *pt)
{
	unsigned int n = p->n / 100 >= 2 ? p->n / 100 : 2;
	unsigned int *idx = calloc(n, sizeof(*idx));
	unsigned int nd, removed, deleted;
	struct child ch;
	int out = memfd_create("gc-out", MFD_CLOEXEC);

	if (!idx || out < 0)
		die("out of memory");
	nd = leak(p, 7, n, p->n / n, idx);
	cli_run(&c->cli, p->dir, NULL, &ch, out, "gc", (char *)NULL);
	whole_add(&pt->gc_leak, &ch);
	removed = count_lines(out, "removed record", NULL);
	deleted = count_lines(out, "deleted orphan", NULL);
	pt->leaked = n;
	pt->gc_events = removed + deleted;
	if (removed != nd || deleted != n - nd)
		check_failed("gc with %u leaked at %u: removed %u records (wanted %u), deleted %u orphans (wanted %u)", n,
			     p->n, removed, nd, deleted, n - nd);
	check_consistent(p, p->netns, p->n - n, "after gc with 1% leaked");
	close(out);
	unleak(p, idx, n);
	free(idx);
}

/* One `vmtap delete` of every TAP of @p: a link group and one RTM_DELLINK, one RCU wait for all. */
static void bulk_delete(const struct config *c, struct pop *p, struct whole *w)
{
	char **argv = calloc(p->n + 8, sizeof(*argv));
	struct child ch;
	size_t a = 0;

	if (!argv)
		die("out of memory");
	argv[a++] = (char *)c->cli.bin;
	argv[a++] = "delete";
	argv[a++] = "--netns";
	argv[a++] = (char *)p->netns;
	for (unsigned int i = 0; i < p->n; i++)
		argv[a++] = p->ifname[i];
	argv[a] = NULL;
	if (p->n)
		run_child(argv, -1, false, &ch); /* too long for the launcher: its peak RSS is not known */
	if (w && p->n)
		whole_add(w, &ch);
	free(argv);
}

/* One gc of state directory @dir, which must remove @want records whose device is gone. */
static void gc_all_gone(const struct config *c, const char *dir, unsigned int want, struct whole *w)
{
	int out = memfd_create("gc-out", MFD_CLOEXEC);
	unsigned int removed;
	struct child ch;

	if (out < 0)
		die("memfd_create: %s", strerror(errno));
	cli_run(&c->cli, dir, NULL, &ch, out, "gc", (char *)NULL);
	if (w)
		whole_add(w, &ch);
	removed = count_lines(out, "removed record", NULL);
	close(out);
	if (removed != want)
		check_failed("teardown of %s: gc removed %u records, wanted %u", dir, removed, want);
}

/* Batch teardown of @p: one `vmtap delete` of every TAP, then one gc removes every record. */
static void teardown(const struct config *c, struct pop *p, struct whole *del, struct whole *gc, unsigned int *ret_n)
{
	bulk_delete(c, p, del);
	gc_all_gone(c, p->dir, p->n, gc);
	*ret_n = p->n;
	p->n = 0;
	check_consistent(p, p->netns, 0, "after the teardown");
}

/* The control population is empty but for the samples; it is torn down like the rest. */
static void pop_free(struct pop *p)
{
	unsigned int records, other;

	count_files(p->dir, &records, &other);
	if (records || other || count_tagged(p->ctx, p->netns))
		check_failed("%s not empty at the end: %u records, %u other files", p->dir, records, other);
	if (sh("ip netns del %s && rm -rf %s", p->netns, p->dir) != 0)
		check_failed("removing %s and %s failed", p->netns, p->dir);
	vmtap_ctx_free(p->ctx);
	free(p->ifname);
}

static void bench_variant(const struct config *c, struct variant *v)
{
	unsigned int max = c->sizes[c->nsizes - 1];
	char dir[64], netns[64];
	struct pop p, ctl;

	snprintf(dir, sizeof(dir), "/run/scale-q%u", v->queues);
	snprintf(netns, sizeof(netns), "scale-q%u", v->queues);
	pop_init(&p, dir, netns, v->queues, max);
	pop_init(&ctl, "/run/scale-ctl", "scale-ctl", v->queues, 0);
	v->npoints = c->nsizes;
	for (unsigned int k = 0; k < c->nsizes; k++) {
		struct point *pt = &v->pt[k];

		pt->n = c->sizes[k];
		progress("%u queue%s: growing the population to %u endpoints (libvmtap)", v->queues,
			 v->queues > 1 ? "s" : "", pt->n);
		pop_grow(&p, pt->n, &pt->grow);
		check_consistent(&p, p.netns, pt->n, "after growing");
		progress("%u queue%s, %u endpoints: %u sampled creates, shows, destroys each through libvmtap and the "
			 "CLI, against the control", v->queues, v->queues > 1 ? "s" : "", pt->n, c->samples);
		sample_ops(c, &p, &ctl, pt);
		check_consistent(&p, p.netns, pt->n, "after the samples");
		progress("%u queue%s, %u endpoints: endpoint list, endpoint list -j, gc: %u runs each", v->queues,
			 v->queues > 1 ? "s" : "", pt->n, c->runs);
		whole_ops(c, &p, &ctl, pt);
		progress("%u queue%s, %u endpoints: gc with 1%% leaked", v->queues, v->queues > 1 ? "s" : "", pt->n);
		gc_with_leaks(c, &p, pt);
		check_consistent(&p, p.netns, pt->n, "after making the leaked again");
	}
	progress("%u queue%s: batch teardown of %u endpoints: one vmtap delete, one gc", v->queues,
		 v->queues > 1 ? "s" : "", p.n);
	teardown(c, &p, &v->bulk_delete, &v->gc_all_gone, &v->torn_down);
	pop_free(&p);
	pop_free(&ctl);
}

/* ---- two namespaces, one gc ---- */

struct two_ns {
	unsigned int each, leaked_a, leaked_b, fixed_a, fixed_b;
	struct whole gc_idle, gc_leak;
	struct meas grow;
};

static void bench_two_ns(const struct config *c, struct two_ns *res)
{
	static const char dir[] = "/run/scale-2ns";
	unsigned int n = c->two_ns / 100 >= 2 ? c->two_ns / 100 : 2;
	unsigned int *idx_a = calloc(n, sizeof(unsigned int)), *idx_b = calloc(n, sizeof(unsigned int));
	unsigned int nd_a, nd_b;
	struct pop a, b;
	struct child ch;
	int out = memfd_create("gc-out", MFD_CLOEXEC);

	if (!idx_a || !idx_b || out < 0)
		die("out of memory");
	res->each = c->two_ns;
	pop_init(&a, dir, "scale-a", 1, c->two_ns);
	pop_init(&b, dir, "scale-b", 1, c->two_ns);
	progress("two namespaces: %u endpoints in each, one state directory", c->two_ns);
	/* ids e<i> in A and f<i> in B: one state directory holds both */
	pop_grow(&a, c->two_ns, &res->grow);
	for (; b.n < c->two_ns; b.n++) {
		char id[32];
		struct mark t = mark_now();
		pop_id(id, "f", b.n);
		lib_create(&b, id, b.ifname[b.n]);
		meas_add(&res->grow, t, 1);
	}
	for (unsigned int r = 0; r < c->runs; r++) {
		cli_run(&c->cli, dir, NULL, &ch, -1, "gc", (char *)NULL);
		whole_add(&res->gc_idle, &ch);
	}
	progress("two namespaces: 1%% leaked in each, one gc");
	nd_a = leak(&a, 3, n, a.n / n, idx_a);
	/* B's records are f<i>: leak() names records e<i>, so B loses devices only, and records by hand */
	{
		const char **names = calloc(n, sizeof(*names));
		nd_b = 0;
		for (unsigned int k = 0; k < n; k++) {
			unsigned int i = (5 + k * (b.n / n)) % b.n;
			char path[256];
			idx_b[k] = i;
			if (k % 2 == 0) {
				names[nd_b++] = b.ifname[i];
			} else {
				snprintf(path, sizeof(path), "%s/f%u.json", dir, i);
				if (unlink(path) < 0)
					die("unlink %s: %s", path, strerror(errno));
			}
		}
		if (vmtap_link_delete_many(b.ctx, b.netns, names, nd_b) < 0)
			die("delete leaked devices: %s", vmtap_ctx_error(b.ctx));
		free(names);
	}
	cli_run(&c->cli, dir, NULL, &ch, out, "gc", (char *)NULL);
	whole_add(&res->gc_leak, &ch);
	res->leaked_a = res->leaked_b = n;
	/* a record whose device is gone is reported with its namespace; an orphan device with the one it is in */
	res->fixed_a = count_lines(out, "removed record", "scale-a") + count_lines(out, "deleted orphan", "scale-a");
	res->fixed_b = count_lines(out, "removed record", "scale-b") + count_lines(out, "deleted orphan", "scale-b");
	if (res->fixed_a != n || res->fixed_b != n)
		check_failed("two namespaces: one gc repaired %u of %u in scale-a and %u of %u in scale-b",
			     res->fixed_a, n, res->fixed_b, n);
	close(out);
	if (count_tagged(a.ctx, a.netns) != a.n - n || count_tagged(b.ctx, b.netns) != b.n - n)
		check_failed("two namespaces: tagged devices %u and %u after gc, wanted %u and %u",
			     count_tagged(a.ctx, a.netns), count_tagged(b.ctx, b.netns), a.n - n, b.n - n);
	(void)nd_a;
	/* teardown: the survivors of both; the leaked ones are gone already */
	{
		unsigned int keep = 0;
		for (unsigned int i = 0; i < a.n; i++) {
			bool leaked = false;
			for (unsigned int k = 0; k < n; k++)
				leaked |= idx_a[k] == i;
			if (!leaked)
				memcpy(a.ifname[keep++], a.ifname[i], VMTAP_IFNAMSIZ);
		}
		a.n = keep;
		keep = 0;
		for (unsigned int i = 0; i < b.n; i++) {
			bool leaked = false;
			for (unsigned int k = 0; k < n; k++)
				leaked |= idx_b[k] == i;
			if (!leaked)
				memcpy(b.ifname[keep++], b.ifname[i], VMTAP_IFNAMSIZ);
		}
		b.n = keep;
	}
	progress("two namespaces: teardown");
	bulk_delete(c, &a, NULL);
	bulk_delete(c, &b, NULL);
	/* one gc removes the records of both */
	gc_all_gone(c, dir, a.n + b.n, NULL);
	a.n = b.n = 0;
	check_consistent(&a, a.netns, 0, "two namespaces, after the teardown");
	if (count_tagged(b.ctx, b.netns))
		check_failed("two namespaces: devices left in scale-b");
	sh("ip netns del scale-b");
	pop_free(&a);
	vmtap_ctx_free(b.ctx);
	free(b.ifname);
	free(idx_a);
	free(idx_b);
}

/* ---- the kernel's IPv6 cost, for reference ---- */

/*
 * A TAP that goes up while a queue is attached (an endpoint's does: it is
 * configured with its queues open; any TAP does once QEMU attaches) gets an
 * IPv6 link-local address and two routes, fe80::/64 and ff00::/8, in one
 * fib6 node shared by every such device.  The kernel walks the whole IPv6
 * FIB on every link state change (fib6_ifup() from rt6_sync_up(),
 * fib6_clean_all() on down and delete) and inserts into that crowded node in
 * linear time: every create and destroy costs O(devices) in the kernel,
 * under RTNL.  The main runs therefore switch IPv6 off for new devices in
 * their namespaces (unless --ipv6), so that they show vmtap's own scaling;
 * this measures what IPv6 adds, the same population grown with it off and on.
 */
struct ipv6_ref {
	unsigned int n, window;
	struct meas first[2], last[2]; /* [ipv6 on]: creates 0..window and n-window..n */
	unsigned int routes;
};

static unsigned int ipv6_routes(const char *netns)
{
	char cmd[256];
	unsigned int n = 0;
	FILE *f;
	int ch;

	snprintf(cmd, sizeof(cmd), "ip -n %s -6 route show table all", netns);
	f = popen(cmd, "r");
	if (!f)
		return 0;
	while ((ch = fgetc(f)) != EOF)
		n += ch == '\n';
	pclose(f);
	return n;
}

static void ipv6_reference(const struct config *c, struct ipv6_ref *res)
{
	bool saved = pop_ipv6;

	res->n = c->ipv6_ref;
	res->window = res->n / 10 < 100 ? res->n / 10 : 100;
	for (int on = 0; on < 2; on++) {
		char dir[64], netns[64];
		unsigned int dummy;
		struct pop p;

		snprintf(dir, sizeof(dir), "/run/scale-v6-%d", on);
		snprintf(netns, sizeof(netns), "scale-v6-%d", on);
		pop_ipv6 = on;
		pop_init(&p, dir, netns, 1, res->n);
		progress("IPv6 reference: growing a population to %u with IPv6 %s", res->n, on ? "on" : "off");
		pop_grow(&p, res->window, &res->first[on]);
		pop_grow(&p, res->n - res->window, NULL);
		pop_grow(&p, res->n, &res->last[on]);
		if (on)
			res->routes = ipv6_routes(netns);
		teardown(c, &p, NULL, NULL, &dummy);
		pop_free(&p);
	}
	pop_ipv6 = saved;
}

/* ---- report ---- */

static void target(const char *what, double value, const char *unit, double limit)
{
	printf("  %-72s %8.2f%-2s (target <= %g%s)  %s\n", what, value, unit, limit, unit,
	       value <= limit ? "target met" : "TARGET MISSED");
}

static void info(const char *what, double value, const char *unit)
{
	printf("  %-72s %8.2f%s\n", what, value, unit);
}

static void row_pair(const char *what, unsigned int n, const struct pair *p)
{
	printf("%-34s %6u %9.0f %9.0f %9.0f %9.0f %7.2f %7.2f\n", what, n, us_wall(&p->pop), us_cpu(&p->pop),
	       us_wall(&p->ctl), us_cpu(&p->ctl), pair_norm_wall(p), pair_norm_cpu(p));
}

/* Per endpoint, net of the same command's cost in the empty control directory. */
static double net_per_item_us(const struct whole *w, const struct whole *ctl, unsigned int n, bool cpu)
{
	double v = cpu ? w->cpu - ctl->cpu : w->wall - ctl->wall;

	return n ? (v > 0 ? v : 0) * 1e6 / n : 0;
}

static void row_whole(const char *what, unsigned int n, const struct whole *w, const struct whole *ctl)
{
	char rss[24] = "-";

	if (w->maxrss_kb >= 0)
		snprintf(rss, sizeof(rss), "%ld", w->maxrss_kb);
	printf("%-34s %6u %9.1f %9.1f %9.2f %9.2f %9s\n", what, n, w->wall * 1e3, w->cpu * 1e3,
	       ctl ? net_per_item_us(w, ctl, n, false) : w->wall * 1e6 / (n ? n : 1),
	       ctl ? net_per_item_us(w, ctl, n, true) : w->cpu * 1e6 / (n ? n : 1), rss);
}

static void report_variant(const struct config *c, const struct variant *v)
{
	const struct point *lo = &v->pt[0], *mid = &v->pt[v->npoints > 2 ? v->npoints - 2 : 0],
			   *hi = &v->pt[v->npoints - 1];
	char buf[160];

	printf("\n== %u queue%s: endpoints in one namespace, each recorded ==\n", v->queues, v->queues > 1 ? "s" : "");
	printf("\nSampled operations (%u of each per size), in alternation with the control (an empty state\n"
	       "directory and namespace); \"norm\" = cost / control cost, measured side by side.\n\n", c->samples);
	printf("%-34s %6s %9s %9s %9s %9s %7s %7s\n", "operation", "size", "wall us", "CPU us", "ctl wall", "ctl CPU",
	       "norm w", "norm c");
	for (unsigned int k = 0; k < v->npoints; k++) {
		const struct point *pt = &v->pt[k];
		row_pair("libvmtap create", pt->n, &pt->lib_create);
		row_pair("libvmtap load (show)", pt->n, &pt->lib_load);
		row_pair("libvmtap destroy", pt->n, &pt->lib_destroy);
		row_pair("CLI endpoint create", pt->n, &pt->cli_create);
		row_pair("CLI endpoint show", pt->n, &pt->cli_show);
		row_pair("CLI endpoint destroy", pt->n, &pt->cli_destroy);
	}
	printf("\nWhole-population commands, one process each (best of %u runs; one run with leaks);\n"
	       "\"net\" = minus the same command in the empty control directory, per endpoint; RSS = child's peak.\n\n",
	       c->runs);
	printf("%-34s %6s %9s %9s %9s %9s %9s\n", "command", "size", "wall ms", "CPU ms", "net us/ep", "CPU us/ep",
	       "RSS KB");
	for (unsigned int k = 0; k < v->npoints; k++) {
		const struct point *pt = &v->pt[k];
		row_whole("vmtap endpoint list", pt->n, &pt->list, &pt->list_ctl);
		row_whole("vmtap -j endpoint list", pt->n, &pt->list_json, &pt->list_json_ctl);
		row_whole("vmtap gc (nothing to do)", pt->n, &pt->gc_idle, &pt->gc_ctl);
		snprintf(buf, sizeof(buf), "vmtap gc (%u leaked, all repaired)", pt->leaked);
		row_whole(buf, pt->n, &pt->gc_leak, &pt->gc_ctl);
		printf("%-34s %6u %9.1f %9.1f %9.2f %9.2f %9s\n", "(population growth, libvmtap)", pt->n,
		       pt->grow.wall * 1e3, pt->grow.cpu * 1e3, us_wall(&pt->grow), us_cpu(&pt->grow), "-");
	}
	row_whole("teardown: 1 vmtap delete, all TAPs", v->torn_down, &v->bulk_delete, NULL);
	row_whole("teardown: 1 vmtap gc, all records", v->torn_down, &v->gc_all_gone, NULL);

	printf("\nRatios and targets (%u queue%s):\n", v->queues, v->queues > 1 ? "s" : "");
	{
		const struct pair *lib_[] = { &hi->lib_create, &hi->lib_load, &hi->lib_destroy, &hi->cli_create,
					      &hi->cli_show, &hi->cli_destroy };
		const struct pair *lib0[] = { &lo->lib_create, &lo->lib_load, &lo->lib_destroy, &lo->cli_create,
					      &lo->cli_show, &lo->cli_destroy };
		static const char *const names[] = { "libvmtap create", "libvmtap load", "libvmtap destroy",
						     "CLI endpoint create", "CLI endpoint show", "CLI endpoint destroy" };
		for (size_t i = 0; i < 6; i++) {
			snprintf(buf, sizeof(buf), "%s per endpoint at %u / at %u, CPU, vs control", names[i], hi->n, lo->n);
			target(buf, ratio(pair_norm_cpu(lib_[i]), pair_norm_cpu(lib0[i])), "x", 1.2);
			snprintf(buf, sizeof(buf), "%s per endpoint at %u / at %u, wall, vs control", names[i], hi->n, lo->n);
			target(buf, ratio(pair_norm_wall(lib_[i]), pair_norm_wall(lib0[i])), "x", 1.2);
		}
	}
	if (v->npoints >= 2) {
		const struct {
			const char *name;
			const struct whole *h, *hc, *m, *mc;
		} w[] = {
			{ "vmtap endpoint list", &hi->list, &hi->list_ctl, &mid->list, &mid->list_ctl },
			{ "vmtap -j endpoint list", &hi->list_json, &hi->list_json_ctl, &mid->list_json, &mid->list_json_ctl },
			{ "vmtap gc (nothing to do)", &hi->gc_idle, &hi->gc_ctl, &mid->gc_idle, &mid->gc_ctl },
		};
		for (size_t i = 0; i < sizeof(w) / sizeof(w[0]); i++) {
			snprintf(buf, sizeof(buf), "%s, net CPU per endpoint at %u / at %u (linear: 1)", w[i].name, hi->n,
				 mid->n);
			target(buf, ratio(net_per_item_us(w[i].h, w[i].hc, hi->n, true),
					  net_per_item_us(w[i].m, w[i].mc, mid->n, true)), "x", 1.5);
		}
		snprintf(buf, sizeof(buf), "vmtap gc (1%% leaked), CPU per endpoint at %u / at %u (linear: 1)", hi->n, mid->n);
		target(buf, ratio(net_per_item_us(&hi->gc_leak, &hi->gc_ctl, hi->n, true),
				  net_per_item_us(&mid->gc_leak, &mid->gc_ctl, mid->n, true)), "x", 1.5);
		snprintf(buf, sizeof(buf), "peak RSS of vmtap gc at %u endpoints", hi->n);
		info(buf, (double)hi->gc_idle.maxrss_kb / 1024, " MiB");
		snprintf(buf, sizeof(buf), "peak RSS of vmtap endpoint list / -j endpoint list at %u endpoints", hi->n);
		printf("  %-72s %8.2f / %.2f MiB\n", buf, (double)hi->list.maxrss_kb / 1024,
		       (double)hi->list_json.maxrss_kb / 1024);
		snprintf(buf, sizeof(buf), "peak RSS growth from %u to %u endpoints: gc, list, list -j, per 1,000", lo->n, hi->n);
		printf("  %-72s %6.0f / %.0f / %.0f KB\n", buf,
		       (double)(hi->gc_idle.maxrss_kb - lo->gc_idle.maxrss_kb) * 1000 / (hi->n - lo->n),
		       (double)(hi->list.maxrss_kb - lo->list.maxrss_kb) * 1000 / (hi->n - lo->n),
		       (double)(hi->list_json.maxrss_kb - lo->list_json.maxrss_kb) * 1000 / (hi->n - lo->n));
	}
	snprintf(buf, sizeof(buf), "batch teardown: vmtap delete per TAP (%u TAPs, one RCU wait)", v->torn_down);
	info(buf, v->bulk_delete.wall * 1e6 / (v->torn_down ? v->torn_down : 1), " us");
	snprintf(buf, sizeof(buf), "batch teardown: vmtap gc per record whose device is gone (%u)", v->torn_down);
	info(buf, v->gc_all_gone.wall * 1e6 / (v->torn_down ? v->torn_down : 1), " us");
	snprintf(buf, sizeof(buf), "libvmtap create while growing to %u, per endpoint / while growing to %u", hi->n,
		 lo->n);
	info(buf, ratio(us_cpu(&hi->grow), us_cpu(&lo->grow)), "x CPU");
}

static void report_ipv6(const struct ipv6_ref *r)
{
	printf("\n== the kernel's IPv6 cost (reference): libvmtap creates, 1 queue, while growing to %u ==\n\n", r->n);
	printf("%-34s %12s %12s %12s\n", "IPv6 on new devices", "first CPU us", "last CPU us", "last/first");
	for (int on = 0; on < 2; on++)
		printf("%-34s %12.0f %12.0f %11.2fx\n", on ? "on (the kernel's default)" : "off (sysctl default.disable_ipv6)",
		       us_cpu(&r->first[on]), us_cpu(&r->last[on]), ratio(us_cpu(&r->last[on]), us_cpu(&r->first[on])));
	printf("\n  first/last: the first and the last %u creates of the growth. With IPv6 on, the namespace held\n"
	       "  %u IPv6 routes at %u endpoints (two per TAP that went up with a queue attached); every link\n"
	       "  state change walks them all in the kernel.\n", r->window, r->routes, r->n);
}

static void report_two_ns(const struct two_ns *t)
{
	char buf[160];

	printf("\n== two namespaces, %u endpoints each, one state directory ==\n\n", t->each);
	printf("%-34s %6s %9s %9s %9s %9s %9s\n", "command", "size", "wall ms", "CPU ms", "wall us/ep", "CPU us/ep",
	       "RSS KB");
	row_whole("vmtap gc (nothing to do)", 2 * t->each, &t->gc_idle, NULL);
	snprintf(buf, sizeof(buf), "vmtap gc (%u + %u leaked)", t->leaked_a, t->leaked_b);
	row_whole(buf, 2 * t->each, &t->gc_leak, NULL);
	printf("\n  one gc repaired %u of %u leaked in scale-a and %u of %u in scale-b: %s\n", t->fixed_a, t->leaked_a,
	       t->fixed_b, t->leaked_b,
	       t->fixed_a == t->leaked_a && t->fixed_b == t->leaked_b ? "both covered" : "NOT BOTH COVERED");
}

/* ---- main ---- */

static void usage(FILE *f)
{
	fprintf(f, "Usage: scale [--quick] [--ipv6] [--vmtap PATH] [--samples K] [--queues 1|4|both] [SIZE...]\n"
		   "  SIZE       population sizes, ascending, 2 to %d of them (default 100 1000 10000)\n"
		   "  --samples  sampled creates/shows/destroys per size (default 100; --quick 5)\n"
		   "  --queues   the variants to run (default both)\n"
		   "  --quick    smoke run: sizes 10 40, 5 samples, two namespaces of 20\n"
		   "  --ipv6     leave IPv6 on for new devices in the main runs (the kernel's default): its cost\n"
		   "             grows with the number of TAPs (see the IPv6 reference); 10,000 takes ~10 minutes\n"
		   "  --vmtap    the vmtap binary (default " VMTAP_BIN ")\n"
		   "Runs in private network and mount namespaces (needs root). Exits 1 when a consistency\n"
		   "check fails (gc did not repair the leaks, something was left), 0 whatever the timings.\n",
		MAX_POINTS);
}

int main(int argc, char **argv)
{
	struct config c = { .samples = 0, .runs = 3, .cli = { .bin = VMTAP_BIN } };
	struct variant v[2] = { { .queues = 1 }, { .queues = 4 } };
	struct two_ns two = { 0 };
	struct ipv6_ref v6 = { 0 };
	bool run_q[2] = { true, true };

	for (int i = 1; i < argc; i++) {
		char *end;
		unsigned long x;

		if (!strcmp(argv[i], "--quick")) {
			c.quick = true;
		} else if (!strcmp(argv[i], "--ipv6")) {
			pop_ipv6 = true;
		} else if (!strcmp(argv[i], "--vmtap") && i + 1 < argc) {
			c.cli.bin = argv[++i];
		} else if (!strcmp(argv[i], "--samples") && i + 1 < argc) {
			c.samples = (unsigned int)strtoul(argv[++i], &end, 10);
			if (*end || !c.samples || c.samples > 1000)
				die("--samples: 1..1000");
		} else if (!strcmp(argv[i], "--queues") && i + 1 < argc) {
			i++;
			run_q[0] = !strcmp(argv[i], "1") || !strcmp(argv[i], "both");
			run_q[1] = !strcmp(argv[i], "4") || !strcmp(argv[i], "both");
			if (!run_q[0] && !run_q[1])
				die("--queues: 1, 4 or both");
		} else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			usage(stdout);
			return 0;
		} else if (argv[i][0] != '-' && (x = strtoul(argv[i], &end, 10), !*end) && x >= 4 && x <= 50000 &&
			   c.nsizes < MAX_POINTS && (!c.nsizes || x > c.sizes[c.nsizes - 1])) {
			c.sizes[c.nsizes++] = (unsigned int)x;
		} else {
			usage(stderr);
			return 2;
		}
	}
	if (c.nsizes == 1)
		die("give at least two sizes: the smallest is the baseline");
	if (!c.nsizes) {
		static const unsigned int full[] = { 100, 1000, 10000 }, quick[] = { 10, 40 };
		const unsigned int *s = c.quick ? quick : full;
		c.nsizes = c.quick ? 2 : 3;
		memcpy(c.sizes, s, c.nsizes * sizeof(*s));
	}
	if (!c.samples)
		c.samples = c.quick ? 5 : 100;
	if (c.samples > c.sizes[0])
		c.samples = c.sizes[0];
	c.two_ns = c.sizes[c.nsizes - 1] / 2;
	c.ipv6_ref = c.quick ? 40 : 2000;
	if (access(c.cli.bin, X_OK) < 0)
		die("vmtap binary %s: %s (give --vmtap PATH)", c.cli.bin, strerror(errno));

	t_start = now_wall();
	setvbuf(stdout, NULL, _IOLBF, 0);
	enter_private_namespace();
	launcher_start();
	if (sh("ip link set lo up") != 0)
		die("ip link set lo up failed");

	{
		char *version[] = { (char *)c.cli.bin, "--version", NULL };
		struct child ch;
		run_child(version, -1, false, &ch);
		rss_floor_kb = ch.maxrss_kb;
	}
	for (int k = 0; k < 2; k++)
		if (run_q[k])
			bench_variant(&c, &v[k]);
	bench_two_ns(&c, &two);
	ipv6_reference(&c, &v6);
	progress("done");

	printf("\nScale: endpoints recorded in a state directory, their TAPs in one named namespace;\n"
	       "sizes");
	for (unsigned int k = 0; k < c.nsizes; k++)
		printf(" %u", c.sizes[k]);
	printf("%s. CPU = getrusage user+sys: of this process for libvmtap calls,\n"
	       "of the child for CLI commands. IPv6 %s on new devices in the main runs (see the IPv6 reference).\n",
	       c.quick ? " (--quick)" : "", pop_ipv6 ? "left on (--ipv6)" : "switched off");
	printf("Peak RSS of a command (RSS KB) is its ru_maxrss; `vmtap --version` has %ld KB.\n", rss_floor_kb);
	for (int k = 0; k < 2; k++)
		if (run_q[k])
			report_variant(&c, &v[k]);
	report_two_ns(&two);
	report_ipv6(&v6);
	printf("\nNotes:\n"
	       " - Destroy sleeps in the kernel for an RCU grace period per TAP that was up (~20 ms here): the\n"
	       "   sampled destroys pay it one by one; the teardown pays it once (one vmtap delete of every TAP,\n"
	       "   a link group and one RTM_DELLINK), then one gc removes the records whose device is gone.\n"
	       " - Leaks: half of them lose their TAP behind vmtap's back, half their record (the lock file\n"
	       "   stays, as a killed process leaves it); gc removes the records and deletes the orphans.\n"
	       " - The list and gc targets compare the net cost per endpoint at the two largest sizes: a step\n"
	       "   that is quadratic in the population shows as ~10x there.\n");
	if (failures)
		printf("\n%d CONSISTENCY CHECK(S) FAILED (see stderr)\n", failures);
	return failures ? 1 : 0;
}

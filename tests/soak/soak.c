/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Soak test: SIGKILLs at random points of mixed vmtap operations, two at a time; after each round gc must restore the invariant. */
/*
 * Usage: soak VMTAP FAKE_QMP [--kills N] [--seed S] [--verbose]
 *
 * Each round starts two operations at once, each a vmtap process in a
 * process group of its own, picked at random: endpoint create (no
 * connection, a bridge, a tc redirect, another namespace), endpoint
 * destroy, hotplug and unplug against a fake QMP server (one per worker),
 * exec before and around QEMU's start (a shell that sleeps stands in for
 * QEMU; plain, redirect and existing-endpoint NICs), a bulk delete of
 * endpoints' TAPs, and gc itself.  Each is SIGKILLed at a random point of
 * its calibrated duration (its whole process group after it, and every
 * descendant that outlives it, exec's reaper included, is waited for: this
 * process is their subreaper).  Then one `vmtap gc` runs to completion, and
 * the invariant is checked:
 *
 *  - every record is readable and "ready", its TAP exists in its namespace
 *    with its tag (kind TAP, vmtap:ID@STATE);
 *  - every TAP with this state directory's tag has a record that names it;
 *  - every redirect record has its filter on the pod's veth, and vmtap has
 *    no other filter there;
 *  - no lock or plug file is held, no temporary file is left;
 *  - the foreign objects made at the start are as they were: an untagged
 *    TAP, a TAP with another state directory's tag, a bridge with a foreign
 *    port (a veth) and a foreign TAP port, the pod's veth with its foreign
 *    ingress qdisc and u32 filter.
 *
 * The checker is shown to fail first: an orphan made by hand must be seen
 * before gc and gone after it.  It runs until N processes were really
 * killed (default 1000); exits 0 when every round held the invariant.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <linux/if_tun.h>
#include <json-c/json.h>

#include "vmtap.h"

#define STATE "/run/vmtap-soak"
#define OTHER_NS "soakns"
#define POD "pod0"
#define BRIDGE "sbr0"
#define FOREIGN_PRIO 100
#define MAX_ARGS 24

static const char *vmtap_bin, *fake_qmp_bin;
static bool verbose;
static uint64_t rng_state;

static uint32_t rnd(void)
{
	/* xorshift64*: reproducible from --seed */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return (uint32_t)((rng_state * 2685821657736338717ull) >> 32);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void sleep_s(double s)
{
	struct timespec ts;

	if (s <= 0)
		return;
	ts.tv_sec = (time_t)s;
	ts.tv_nsec = (long)((s - (double)ts.tv_sec) * 1e9);
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static void __attribute__((noreturn, format(printf, 1, 2))) die(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "soak: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static int __attribute__((format(printf, 1, 2))) sh(const char *fmt, ...)
{
	char cmd[2048];
	va_list ap;
	int r;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	r = system(cmd);
	return WIFEXITED(r) ? WEXITSTATUS(r) : -1;
}

/* The output of a shell command, malloc'd ("" when it failed). */
static char *__attribute__((format(printf, 1, 2))) sh_out(const char *fmt, ...)
{
	char cmd[2048], *buf = NULL;
	size_t len = 0;
	va_list ap;
	FILE *f, *mem;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	f = popen(cmd, "r");
	mem = open_memstream(&buf, &len);
	if (!f || !mem)
		die("popen %s: %s", cmd, strerror(errno));
	for (int c; (c = fgetc(f)) != EOF;)
		fputc(c, mem);
	pclose(f);
	fclose(mem);
	return buf;
}

/* ---- processes ---- */

/* Start @argv (argv[0] absolute) in a process group of its own, output to /dev/null (stderr too unless verbose). */
static pid_t start(char *const argv[])
{
	pid_t pid = fork();

	if (pid < 0)
		die("fork: %s", strerror(errno));
	if (pid == 0) {
		int null = open("/dev/null", O_RDWR);
		setpgid(0, 0);
		dup2(null, 0);
		dup2(null, 1);
		if (!verbose)
			dup2(null, 2);
		if (null > 2)
			close(null);
		execv(argv[0], argv);
		_exit(127);
	}
	setpgid(pid, pid); /* both sides: the kill may come before the child ran */
	return pid;
}

/* Wait for @pid: its exit code, or 128 + the signal that ended it. */
static int reap(pid_t pid)
{
	int st;

	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			die("waitpid %d: %s", (int)pid, strerror(errno));
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static int run_wait(char *const argv[])
{
	return reap(start(argv));
}

/*
 * Every descendant that outlived its parent was reparented to us (the
 * subreaper): exec's reaper, mostly, which destroys its endpoints once QEMU
 * is gone.  Wait for all of them, up to @timeout seconds, then kill what is
 * left.  The fake QMP servers are ours too: never waited for here.
 */
static pid_t fake_pid[2];

/* Our children but the fake servers, from /proc (CONFIG_PROC_CHILDREN); -1 when unknown. */
static int other_children(pid_t *ret_first)
{
	char path[64], buf[4096];
	int n = 0;
	ssize_t len;
	int fd;

	snprintf(path, sizeof(path), "/proc/self/task/%d/children", (int)getpid());
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	len = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (len < 0)
		return -1;
	buf[len] = '\0';
	for (char *t = strtok(buf, " \n"); t; t = strtok(NULL, " \n")) {
		pid_t k = (pid_t)atoi(t);
		if (k != fake_pid[0] && k != fake_pid[1]) {
			if (!n++ && ret_first)
				*ret_first = k;
		}
	}
	return n;
}

static int wait_descendants(double timeout)
{
	double end = now() + timeout;
	int killed = 0;

	for (;;) {
		pid_t first = 0;
		int st, n;

		while (waitpid(-1, &st, WNOHANG) > 0)
			;
		n = other_children(&first);
		if (n <= 0)
			return killed;
		if (now() > end) {
			/* a reaper that does not finish is a finding: said, then killed */
			char cmd[64];
			snprintf(cmd, sizeof(cmd), "/proc/%d/cmdline", (int)first);
			printf("soak: process %d still running after %.0f s; killed\n", (int)first, timeout);
			kill(first, SIGKILL);
			killed++;
		}
		sleep_s(0.005);
	}
}

/* ---- the fake QEMUs ---- */

static void fake_start(int w)
{
	char sock[64], ready[64];
	char *argv[] = { (char *)fake_qmp_bin, ready, sock, NULL };

	snprintf(sock, sizeof(sock), "/run/soak-qmp%d.sock", w);
	snprintf(ready, sizeof(ready), "--ready=/run/soak-qmp%d.ready", w);
	unlink(sock);
	unlink(ready + 8);
	fake_pid[w] = fork();
	if (fake_pid[w] < 0)
		die("fork: %s", strerror(errno));
	if (fake_pid[w] == 0) {
		int null = open("/dev/null", O_RDWR);
		dup2(null, 1);
		dup2(null, 2);
		execv(argv[0], argv);
		_exit(127);
	}
	for (int i = 0; i < 500 && access(ready + 8, F_OK) < 0; i++)
		sleep_s(0.01);
	if (access(ready + 8, F_OK) < 0)
		die("fake QMP server %d did not start", w);
}

static void fake_stop(int w)
{
	if (fake_pid[w] > 0) {
		kill(fake_pid[w], SIGKILL);
		reap(fake_pid[w]);
		fake_pid[w] = 0;
	}
}

/* ---- the state, as the library reads it ---- */

struct ep {
	char id[VMTAP_ID_MAX + 1];
	char ifname[VMTAP_IFNAMSIZ];
	char netns[64];
	enum vmtap_endpoint_state state;
	enum vmtap_connection conn;
	uint32_t prio;
	int hv_pid;
	bool ephemeral;
};

struct eps {
	struct ep *v;
	size_t n, cap;
	int unusable;
	char first_unusable[512];
};

static int collect_ep(const struct vmtap_endpoint *e, const char *file, const char *error, void *data)
{
	struct eps *l = data;
	struct vmtap_hypervisor_info hv = { .sz = sizeof(hv) };
	struct ep *x;

	if (!e) {
		if (!l->unusable++)
			snprintf(l->first_unusable, sizeof(l->first_unusable), "%s: %s", file, error);
		return 0;
	}
	if (l->n == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 64;
		l->v = realloc(l->v, l->cap * sizeof(*l->v));
		if (!l->v)
			die("out of memory");
	}
	x = &l->v[l->n++];
	memset(x, 0, sizeof(*x));
	snprintf(x->id, sizeof(x->id), "%s", vmtap_endpoint_id(e));
	snprintf(x->ifname, sizeof(x->ifname), "%s", vmtap_endpoint_ifname(e));
	snprintf(x->netns, sizeof(x->netns), "%s", vmtap_endpoint_netns(e) ? vmtap_endpoint_netns(e) : "");
	x->state = vmtap_endpoint_state(e);
	x->conn = vmtap_endpoint_connection(e);
	x->prio = vmtap_endpoint_tc_prio(e);
	x->ephemeral = vmtap_endpoint_ephemeral(e);
	if (vmtap_endpoint_hypervisor(e, &hv) == 0)
		x->hv_pid = hv.pid;
	return 0;
}

static struct vmtap_ctx *ctx;

static void eps_load(struct eps *l)
{
	memset(l, 0, sizeof(*l));
	if (vmtap_endpoint_foreach(ctx, collect_ep, l) < 0)
		die("list endpoints: %s", vmtap_ctx_error(ctx));
}

static char state_id[32];

static void read_state_id(void)
{
	FILE *f = fopen(STATE "/.state-id", "r");

	state_id[0] = '\0';
	if (f) {
		if (!fgets(state_id, sizeof(state_id), f))
			state_id[0] = '\0';
		state_id[strcspn(state_id, "\n")] = '\0';
		fclose(f);
	}
}

/* ---- the invariant ---- */

struct problems {
	int n;
	char text[4096];
};

static void __attribute__((format(printf, 2, 3))) problem(struct problems *p, const char *fmt, ...)
{
	size_t len = strlen(p->text);
	va_list ap;

	p->n++;
	if (len + 2 >= sizeof(p->text))
		return;
	va_start(ap, fmt);
	vsnprintf(p->text + len, sizeof(p->text) - len - 1, fmt, ap);
	va_end(ap);
	len = strlen(p->text);
	p->text[len] = '\n';
	p->text[len + 1] = '\0';
}

struct tagged_scan {
	const char *netns;
	const struct eps *eps;
	struct problems *p;
};

static int check_tagged_cb(const struct vmtap_link_info *li, void *data)
{
	struct tagged_scan *t = data;
	char prefix[16] = VMTAP_TAG_PREFIX;
	const char *at;
	size_t idlen;

	if (strncmp(li->alias, prefix, strlen(prefix)) || !state_id[0])
		return 0;
	at = strrchr(li->alias, '@');
	if (!at || strcmp(at + 1, state_id))
		return 0; /* another state directory's (the foreign one): not ours to judge */
	idlen = (size_t)(at - li->alias) - strlen(prefix);
	for (size_t i = 0; i < t->eps->n; i++) {
		const struct ep *e = &t->eps->v[i];
		if (strlen(e->id) == idlen && !strncmp(e->id, li->alias + strlen(prefix), idlen) &&
		    !strcmp(e->ifname, li->name) && !strcmp(e->netns, t->netns ? t->netns : ""))
			return 0;
	}
	problem(t->p, "tagged device %s (%s) in %s has no record naming it", li->name, li->alias,
		t->netns ? t->netns : "the test namespace");
	return 0;
}

/* Files of the state directory: none held, no temporary one. */
static void check_files(struct problems *p)
{
	DIR *d = opendir(STATE);
	struct dirent *e;

	if (!d)
		return;
	while ((e = readdir(d))) {
		size_t len = strlen(e->d_name);
		bool lockish = len > 5 && (!strcmp(e->d_name + len - 5, ".lock") || !strcmp(e->d_name + len - 5, ".plug"));

		if (len > 4 && !strcmp(e->d_name + len - 4, ".tmp"))
			problem(p, "temporary file %s left", e->d_name);
		if (lockish) {
			int fd = openat(dirfd(d), e->d_name, O_RDWR | O_NOFOLLOW | O_CLOEXEC);
			if (fd >= 0) {
				if (flock(fd, LOCK_EX | LOCK_NB) < 0)
					problem(p, "%s is held by someone", e->d_name);
				close(fd);
			}
		}
	}
	closedir(d);
}

/* vmtap's filters on the pod's veth: one per redirect record, at its priority; the foreign one apart. */
static void check_filters(const struct eps *l, struct problems *p)
{
	char *out = sh_out("tc -j filter show dev " POD " ingress");
	json_object *arr = json_tokener_parse(out);
	unsigned int ours = 0, want = 0;

	free(out);
	if (!arr || !json_object_is_type(arr, json_type_array)) {
		problem(p, "tc -j filter show dev " POD " ingress: no JSON");
		json_object_put(arr);
		return;
	}
	for (size_t i = 0; i < json_object_array_length(arr); i++) {
		json_object *f = json_object_array_get_idx(arr, i), *pref, *opts, *acts;
		uint32_t prio;
		bool named = false;

		if (!json_object_object_get_ex(f, "pref", &pref) || !json_object_object_get_ex(f, "options", &opts) ||
		    !json_object_object_get_ex(opts, "actions", &acts))
			continue; /* a u32 hash table entry, not a filter with actions */
		prio = (uint32_t)json_object_get_int(pref);
		if (prio == FOREIGN_PRIO)
			continue;
		ours++;
		for (size_t k = 0; k < l->n; k++)
			named |= l->v[k].conn == VMTAP_CONNECT_REDIRECT && l->v[k].prio == prio;
		if (!named)
			problem(p, "a filter at priority %u on " POD " without a redirect record", prio);
	}
	for (size_t k = 0; k < l->n; k++)
		want += l->v[k].conn == VMTAP_CONNECT_REDIRECT;
	if (ours != want)
		problem(p, "%u vmtap filters on " POD ", %u redirect records", ours, want);
	json_object_put(arr);
}

static char *foreign_snapshot(void)
{
	/* what gc and every operation must leave exactly as it is */
	/* the bridge's carrier follows its ports, ours included: its MTU and address must not */
	return sh_out("ip -o link show dev ftap0; ip -o link show dev fother0; ip -o link show dev fport0; "
		      "ip -o link show dev ftap1; ip -j link show dev " BRIDGE " | jq -c '.[0] | [.mtu, .address]'; "
		      "ip -o link show dev " POD "; tc qdisc show dev " POD " ingress; "
		      "tc filter show dev " POD " ingress pref %d; tc qdisc show dev fport0", FOREIGN_PRIO);
}

static char *foreign_before;

static void check(struct problems *p)
{
	struct eps l;

	memset(p, 0, sizeof(*p));
	read_state_id();
	eps_load(&l);
	if (l.unusable)
		problem(p, "%d unusable records, the first %s", l.unusable, l.first_unusable);
	for (size_t i = 0; i < l.n; i++) {
		const struct ep *e = &l.v[i];
		struct vmtap_link_info li = { .sz = sizeof(li) };
		char tag[128];

		if (e->state != VMTAP_EP_READY) {
			problem(p, "record %s is %s", e->id, vmtap_endpoint_state_name(e->state));
			continue;
		}
		snprintf(tag, sizeof(tag), VMTAP_TAG_PREFIX "%s@%s", e->id, state_id);
		if (vmtap_link_get(ctx, e->netns[0] ? e->netns : NULL, e->ifname, &li) < 0)
			problem(p, "record %s: its device %s is missing (%s)", e->id, e->ifname, vmtap_ctx_error(ctx));
		else if (!li.is_tun || li.tun_type != IFF_TAP || strcmp(li.alias, tag))
			problem(p, "record %s: %s is not its tagged TAP (alias %s)", e->id, e->ifname, li.alias);
	}
	{
		struct tagged_scan t = { .netns = NULL, .eps = &l, .p = p };
		if (vmtap_link_foreach(ctx, NULL, VMTAP_LINK_TUN_ONLY, check_tagged_cb, &t) < 0)
			problem(p, "list links: %s", vmtap_ctx_error(ctx));
		t.netns = OTHER_NS;
		if (vmtap_link_foreach(ctx, OTHER_NS, VMTAP_LINK_TUN_ONLY, check_tagged_cb, &t) < 0)
			problem(p, "list links of " OTHER_NS ": %s", vmtap_ctx_error(ctx));
	}
	check_files(p);
	check_filters(&l, p);
	{
		char *now_ = foreign_snapshot();
		if (strcmp(now_, foreign_before))
			problem(p, "foreign objects changed:\n--- before\n%s--- after\n%s", foreign_before, now_);
		free(now_);
	}
	free(l.v);
}

/* ---- operations ---- */

enum op {
	OP_CREATE, OP_CREATE_BRIDGE, OP_CREATE_REDIRECT, OP_CREATE_NETNS, OP_DESTROY, OP_HOTPLUG, OP_UNPLUG,
	OP_EXEC, OP_EXEC_REDIRECT, OP_EXEC_ENDPOINT, OP_BULK_DELETE, OP_GC, OP_COUNT
};

static const char *const op_names[] = {
	"endpoint create", "endpoint create --bridge", "endpoint create --redirect", "endpoint create --netns",
	"endpoint destroy", "hotplug", "unplug", "exec --nic queues", "exec --nic redirect", "exec --nic endpoint",
	"delete (bulk, endpoints' TAPs)", "gc",
};

/* relative frequencies: creates keep a population for the others to work on */
static const unsigned int op_weight[] = { 3, 2, 2, 2, 4, 3, 2, 1, 2, 1, 2, 2 };

struct args {
	char *v[MAX_ARGS];
	char buf[MAX_ARGS][64];
	int n;
};

static void __attribute__((format(printf, 2, 3))) arg(struct args *a, const char *fmt, ...)
{
	va_list ap;

	if (a->n >= MAX_ARGS - 1)
		die("too many arguments");
	va_start(ap, fmt);
	vsnprintf(a->buf[a->n], sizeof(a->buf[a->n]), fmt, ap);
	va_end(ap);
	a->v[a->n] = a->buf[a->n];
	a->v[++a->n] = NULL;
}

static unsigned int serial;

/* An existing endpoint picked at random among those @want accepts; NULL when there is none. */
static const struct ep *pick(const struct eps *l, bool (*want)(const struct ep *e, int w), int w)
{
	size_t n = 0, k;

	for (size_t i = 0; i < l->n; i++)
		n += want(l->v[i].state == VMTAP_EP_READY ? &l->v[i] : NULL, w) ? 1 : 0;
	if (!n)
		return NULL;
	k = rnd() % n;
	for (size_t i = 0; i < l->n; i++)
		if (want(l->v[i].state == VMTAP_EP_READY ? &l->v[i] : NULL, w) && !k--)
			return &l->v[i];
	return NULL;
}

static bool any_ep(const struct ep *e, int w)
{
	(void)w;
	return e && !e->ephemeral;
}

static bool plugged_here(const struct ep *e, int w)
{
	return e && e->hv_pid == fake_pid[w];
}

static bool unplugged_local(const struct ep *e, int w)
{
	(void)w;
	return e && !e->hv_pid && !e->netns[0] && !e->ephemeral && e->conn == VMTAP_CONNECT_NONE;
}

/* The command of operation @op for worker @w; false when it has nothing to work on. */
static bool build(enum op op, int w, const struct eps *l, struct args *a)
{
	const struct ep *e;
	char qmp[64];

	a->n = 0;
	arg(a, "%s", vmtap_bin);
	arg(a, "--state-dir");
	arg(a, STATE);
	snprintf(qmp, sizeof(qmp), "/run/soak-qmp%d.sock", w);
	switch (op) {
	case OP_CREATE:
	case OP_CREATE_BRIDGE:
	case OP_CREATE_REDIRECT:
	case OP_CREATE_NETNS:
		arg(a, "endpoint");
		arg(a, "create");
		arg(a, "s%u", serial++);
		arg(a, "--queues");
		arg(a, "%u", 1 + rnd() % 4);
		if (op == OP_CREATE_BRIDGE) {
			arg(a, "--bridge");
			arg(a, BRIDGE);
		} else if (op == OP_CREATE_REDIRECT) {
			arg(a, "--redirect");
			arg(a, POD);
			arg(a, "--tc-prio");
			/* now and then the foreign filter's: refused, and it must stay as it is */
			arg(a, "%u", rnd() % 20 == 0 ? FOREIGN_PRIO : 1000 + rnd() % 60000);
		} else if (op == OP_CREATE_NETNS) {
			arg(a, "--netns");
			arg(a, OTHER_NS);
		}
		return true;
	case OP_DESTROY:
		if (!(e = pick(l, any_ep, w)))
			return false;
		arg(a, "endpoint");
		arg(a, "destroy");
		arg(a, "%s", e->id);
		return true;
	case OP_HOTPLUG:
		arg(a, "hotplug");
		arg(a, "--qmp");
		arg(a, "%s", qmp);
		/* a new endpoint mostly, sometimes an existing one that nothing holds */
		if (rnd() % 3 == 0 && (e = pick(l, unplugged_local, w)))
			arg(a, "%s", e->id);
		else
			arg(a, "s%u", serial++);
		arg(a, "--queues");
		arg(a, "%u", 1 + rnd() % 4);
		arg(a, "--timeout");
		arg(a, "5");
		return true;
	case OP_UNPLUG:
		if (!(e = pick(l, plugged_here, w)))
			return false;
		arg(a, "unplug");
		arg(a, "--qmp");
		arg(a, "%s", qmp);
		arg(a, "%s", e->id);
		arg(a, "--timeout");
		arg(a, "5");
		return true;
	case OP_EXEC:
	case OP_EXEC_REDIRECT:
	case OP_EXEC_ENDPOINT:
		arg(a, "exec");
		arg(a, "--nic");
		if (op == OP_EXEC)
			arg(a, "queues=%u", 1 + rnd() % 4);
		else if (op == OP_EXEC_REDIRECT)
			arg(a, "redirect=" POD ",tc-prio=%u,queues=%u", 1000 + rnd() % 60000, 1 + rnd() % 2);
		else if ((e = pick(l, unplugged_local, w)))
			arg(a, "endpoint=%s", e->id);
		else
			return false;
		arg(a, "--");
		arg(a, "/bin/sh");
		arg(a, "-c");
		arg(a, "exec sleep 30"); /* QEMU: it holds the queues until killed */
		return true;
	case OP_BULK_DELETE: {
		unsigned int k = 2 + rnd() % 3, got = 0;
		arg(a, "delete");
		for (unsigned int tries = 0; got < k && tries < 20; tries++) {
			bool dup = false;
			if (!(e = pick(l, unplugged_local, w)))
				break;
			for (int i = 4; i < a->n; i++)
				dup |= !strcmp(a->v[i], e->ifname);
			if (!dup) {
				arg(a, "%s", e->ifname);
				got++;
			}
		}
		return got >= 2;
	}
	case OP_GC:
		arg(a, "gc");
		return true;
	default:
		return false;
	}
}

static enum op pick_op(void)
{
	unsigned int total = 0, r;

	for (int i = 0; i < OP_COUNT; i++)
		total += op_weight[i];
	r = rnd() % total;
	for (int i = 0; i < OP_COUNT; i++) {
		if (r < op_weight[i])
			return (enum op)i;
		r -= op_weight[i];
	}
	return OP_GC;
}

/*
 * Most creates are killed, so without help the population would dwindle and
 * the operations that need one (destroy, unplug, exec of an endpoint, a bulk
 * delete) would never run.  Before each round: at least @min unplugged
 * endpoints here, and one plugged into each fake QEMU, made undisturbed.
 */
static void top_up(unsigned int min)
{
	struct eps l;
	unsigned int local = 0;
	bool plugged[2] = { false, false };

	eps_load(&l);
	for (size_t i = 0; i < l.n; i++) {
		local += unplugged_local(l.v[i].state == VMTAP_EP_READY ? &l.v[i] : NULL, 0);
		for (int w = 0; w < 2; w++)
			plugged[w] |= plugged_here(l.v[i].state == VMTAP_EP_READY ? &l.v[i] : NULL, w);
	}
	free(l.v);
	for (; local < min; local++) {
		char id[32];
		VMTAP_OPTS(vmtap_endpoint_spec, spec, .queues = 1 + rnd() % 4);
		snprintf(id, sizeof(id), "s%u", serial++);
		if (vmtap_endpoint_create(ctx, id, &spec, NULL) < 0)
			die("top up: create %s: %s", id, vmtap_ctx_error(ctx));
	}
	for (int w = 0; w < 2; w++) {
		struct eps none = { 0 };
		struct args a;

		if (plugged[w])
			continue;
		build(OP_HOTPLUG, w, &none, &a); /* nothing to pick from: a new endpoint */
		if (run_wait(a.v) != 0)
			die("top up: hotplug into fake QEMU %d failed", w);
	}
}

/* ---- set-up ---- */

static void enter_private_namespace(void)
{
	if (unshare(CLONE_NEWNET | CLONE_NEWNS) < 0) {
		fprintf(stderr, "soak: unshare: %s (needs root)\n", strerror(errno));
		exit(77);
	}
	if (mount("none", "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 ||
	    mount("tmpfs", "/run", "tmpfs", 0, "mode=0755") < 0)
		die("private mounts: %s", strerror(errno));
}

static void make_foreign(void)
{
	/*
	 * Foreign: an untagged TAP; a TAP tagged by another state directory; a
	 * bridge with a veth and a TAP as ports; the pod's veth with an ingress
	 * qdisc and a u32 filter of someone else's (Cilium, the bandwidth
	 * plugin ...) at priority FOREIGN_PRIO.
	 */
	if (sh("ip link set lo up && ip netns add " OTHER_NS " && ip -n " OTHER_NS " link set lo up && "
	       "ip tuntap add dev ftap0 mode tap && ip link set ftap0 alias someone-elses up && "
	       "ip tuntap add dev fother0 mode tap multi_queue && ip link set fother0 alias vmtap:ghost@0123456789abcdef && "
	       "ip link add " BRIDGE " type bridge && ip link set " BRIDGE " up && "
	       "ip link add fport0 type veth peer name fpeer0 && ip link set fport0 master " BRIDGE " up && "
	       "ip tuntap add dev ftap1 mode tap && ip link set ftap1 master " BRIDGE " up && "
	       "ip link add " POD " type veth peer name podpeer && ip link set " POD " up && ip link set podpeer up && "
	       "tc qdisc add dev " POD " ingress && "
	       "tc filter add dev " POD " ingress pref %d protocol all u32 match u32 0x12345678 0xffffffff at 0 "
	       "action mirred egress mirror dev podpeer",
	       FOREIGN_PRIO) != 0)
		die("making the foreign objects failed");
	foreign_before = foreign_snapshot();
}

/* The checker must be able to fail: an orphan made by hand is seen, and gc makes it right. */
static void checker_self_test(void)
{
	struct problems p;
	char *argv[] = { (char *)vmtap_bin, "--state-dir", STATE, "gc", NULL };
	char *create[] = { (char *)vmtap_bin, "--state-dir", STATE, "endpoint", "create", "selftest", NULL };

	if (run_wait(create) != 0)
		die("self-test: endpoint create failed");
	check(&p);
	if (p.n)
		die("self-test: not consistent right after a create:\n%s", p.text);
	unlink(STATE "/selftest.json");
	check(&p);
	if (!p.n || !strstr(p.text, "has no record naming it"))
		die("self-test: the checker did not see an orphan device (%d problems)", p.n);
	if (run_wait(argv) != 0)
		die("self-test: gc failed");
	check(&p);
	if (p.n)
		die("self-test: gc did not repair the orphan:\n%s", p.text);
}

/* ---- calibration ---- */

static double window[OP_COUNT];

/*
 * How long each operation takes undisturbed, so that kill points spread over
 * all of it: the longest of a few runs, a quarter more.  exec never ends
 * (its QEMU sleeps): its window is measured to QEMU's start (the process's
 * command line becomes the shell's), and exec is then killed, QEMU with it.
 */
static void calibrate(void)
{
	struct eps l;

	for (int op = 0; op < OP_COUNT; op++) {
		double longest = 0;
		for (int i = 0; i < 3; i++) {
			struct args a;
			double t0;
			pid_t pid;

			eps_load(&l);
			if (!build((enum op)op, 0, &l, &a)) {
				free(l.v);
				continue;
			}
			free(l.v);
			t0 = now();
			pid = start(a.v);
			if (op == OP_EXEC || op == OP_EXEC_REDIRECT || op == OP_EXEC_ENDPOINT) {
				char path[64], cmd[256] = "";
				snprintf(path, sizeof(path), "/proc/%d/cmdline", (int)pid);
				for (int k = 0; k < 1000 && !strstr(cmd, "sleep"); k++) {
					FILE *f = fopen(path, "r");
					size_t n = f ? fread(cmd, 1, sizeof(cmd) - 1, f) : 0;
					if (f)
						fclose(f);
					for (size_t j = 0; j < n; j++)
						cmd[j] = cmd[j] ? cmd[j] : ' ';
					cmd[n] = '\0';
					if (!strstr(cmd, "sleep"))
						sleep_s(0.002);
				}
				if (now() - t0 > longest)
					longest = now() - t0;
				kill(-pid, SIGKILL);
				reap(pid);
			} else {
				reap(pid);
				if (now() - t0 > longest)
					longest = now() - t0;
			}
			wait_descendants(10);
		}
		window[op] = longest > 0 ? longest * 1.25 : 0.05;
	}
	{
		char *gc[] = { (char *)vmtap_bin, "--state-dir", STATE, "gc", NULL };
		run_wait(gc);
	}
}

/* ---- main ---- */

struct stats {
	unsigned int runs[OP_COUNT], killed[OP_COUNT], exited0[OP_COUNT], failed[OP_COUNT];
	unsigned int rounds, kills, skipped, repaired_rounds;
};

int main(int argc, char **argv)
{
	unsigned int target = 1000, seed = 0;
	struct stats st = { 0 };
	struct problems p;
	int failures = 0;
	double t_start = now();

	if (argc < 3) {
		fprintf(stderr, "Usage: soak VMTAP FAKE_QMP [--kills N] [--seed S] [--verbose]\n");
		return 2;
	}
	vmtap_bin = argv[1];
	fake_qmp_bin = argv[2];
	for (int i = 3; i < argc; i++) {
		if (!strcmp(argv[i], "--kills") && i + 1 < argc)
			target = (unsigned int)atoi(argv[++i]);
		else if (!strcmp(argv[i], "--seed") && i + 1 < argc)
			seed = (unsigned int)strtoul(argv[++i], NULL, 0);
		else if (!strcmp(argv[i], "--verbose"))
			verbose = true;
		else
			die("unknown argument %s", argv[i]);
	}
	if (!seed)
		seed = (unsigned int)time(NULL) ^ (unsigned int)getpid();
	rng_state = (uint64_t)seed * 0x9E3779B97F4A7C15ull + 1;
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("soak: seed %u (--seed %u repeats the choices), %u kills\n", seed, seed, target);

	enter_private_namespace();
	if (prctl(PR_SET_CHILD_SUBREAPER, 1) < 0)
		die("PR_SET_CHILD_SUBREAPER: %s", strerror(errno));
	if (vmtap_ctx_new(&ctx) < 0 || vmtap_ctx_set_state_dir(ctx, STATE) < 0)
		die("library context");
	make_foreign();
	fake_start(0);
	fake_start(1);
	checker_self_test();
	calibrate();
	printf("soak: kill windows (ms):");
	for (int op = 0; op < OP_COUNT; op++)
		printf(" %s %.0f%s", op_names[op], window[op] * 1e3, op + 1 < OP_COUNT ? "," : "\n");

	while (st.kills < target) {
		struct eps l;
		struct args a[2];
		enum op ops[2];
		pid_t pid[2] = { 0, 0 };
		double at[2], t0;
		char *gc_argv[] = { (char *)vmtap_bin, "--state-dir", STATE, "gc", NULL };
		int gc_rc;

		/* the fake QEMUs keep the fds of killed plugs, as QEMU would: a fresh pair now and then */
		if (st.rounds && st.rounds % 50 == 0) {
			for (int w = 0; w < 2; w++) {
				fake_stop(w);
				fake_start(w);
			}
		}
		top_up(6);
		eps_load(&l);
		for (int w = 0; w < 2; w++) {
			int tries = 0;
			do
				ops[w] = pick_op();
			while (!build(ops[w], w, &l, &a[w]) && ++tries < 20);
			if (tries >= 20)
				ops[w] = OP_COUNT;
		}
		free(l.v);
		t0 = now();
		for (int w = 0; w < 2; w++) {
			if (ops[w] == OP_COUNT)
				continue;
			at[w] = t0 + window[ops[w]] * (double)(rnd() % 10000) / 10000.0;
			pid[w] = start(a[w].v);
			st.runs[ops[w]]++;
		}
		/* the two kills, earliest first */
		for (int k = 0; k < 2; k++) {
			int w = (pid[0] && pid[1]) ? ((at[0] <= at[1]) == (k == 0) ? 0 : 1) : (pid[0] ? 0 : 1);
			int rc;

			if (!pid[w])
				continue;
			sleep_s(at[w] - now());
			kill(pid[w], SIGKILL);
			rc = reap(pid[w]);
			kill(-pid[w], SIGKILL); /* whatever it started in its group (QEMU is itself, after exec) */
			if (rc == 128 + SIGKILL) {
				st.kills++;
				st.killed[ops[w]]++;
			} else if (rc == 0) {
				st.exited0[ops[w]]++;
			} else {
				st.failed[ops[w]]++;
				if (rc >= 128 || rc == 1)
					printf("soak: round %u: %s exited %d before the kill (not a refusal code)\n", st.rounds,
					       op_names[ops[w]], rc);
				if (rc >= 128)
					failures++;
			}
			pid[w] = 0;
			if (!(pid[0] || pid[1]))
				break;
		}
		if (wait_descendants(10)) {
			printf("soak: round %u: processes left after 10 s were killed\n", st.rounds);
			failures++;
		}
		gc_rc = run_wait(gc_argv);
		check(&p);
		if (gc_rc != 0 || p.n) {
			failures++;
			printf("soak: round %u (%s / %s): gc exited %d; %d problem(s):\n%s", st.rounds,
			       ops[0] < OP_COUNT ? op_names[ops[0]] : "-", ops[1] < OP_COUNT ? op_names[ops[1]] : "-", gc_rc,
			       p.n, p.text);
			if (failures > 5)
				break;
			/* go on from a clean state: gc again, then check */
			run_wait(gc_argv);
		}
		st.rounds++;
		if (st.rounds % 50 == 0)
			printf("soak: %u rounds, %u kills, %.0f s\n", st.rounds, st.kills, now() - t_start);
	}

	/* the end: everything destroyed, nothing of ours left */
	{
		struct eps l;
		eps_load(&l);
		for (size_t i = 0; i < l.n; i++)
			if (vmtap_endpoint_destroy(ctx, l.v[i].id) < 0 && !l.v[i].ephemeral)
				printf("soak: final destroy of %s: %s\n", l.v[i].id, vmtap_ctx_error(ctx));
		free(l.v);
		fake_stop(0);
		fake_stop(1);
		wait_descendants(10);
		{
			char *gc_argv[] = { (char *)vmtap_bin, "--state-dir", STATE, "gc", NULL };
			run_wait(gc_argv);
		}
		check(&p);
		eps_load(&l);
		if (p.n || l.n) {
			failures++;
			printf("soak: at the end: %zu records, %d problem(s):\n%s", l.n, p.n, p.text);
		}
		free(l.v);
	}

	printf("soak: %u rounds, %u processes killed, %.0f s\n", st.rounds, st.kills, now() - t_start);
	printf("%-32s %6s %7s %9s %9s\n", "operation", "runs", "killed", "exited 0", "refused");
	for (int op = 0; op < OP_COUNT; op++)
		printf("%-32s %6u %7u %9u %9u\n", op_names[op], st.runs[op], st.killed[op], st.exited0[op], st.failed[op]);
	printf("soak: %s\n", failures ? "FAILED" : "every round: gc restored the invariant, foreign objects untouched");
	vmtap_ctx_free(ctx);
	free(foreign_before);
	return failures ? 1 : 0;
}

/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Integration-test harness: private namespaces, fd and device leak checks, shell helpers. */
#include <dirent.h>
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/wait.h>

#include "itest.h"

void itest_enter_private_namespace(void)
{
	if (unshare(CLONE_NEWNET | CLONE_NEWNS) < 0) {
		fprintf(stderr, "unshare: %s (the integration tests need root)\n", strerror(errno));
		exit(77);
	}
	if (mount("none", "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0) {
		fprintf(stderr, "make mounts private: %s\n", strerror(errno));
		exit(1);
	}
	/* a fresh /run/netns so that `ip netns` names of this test are its own */
	if (mount("tmpfs", "/run", "tmpfs", 0, "mode=0755") < 0) {
		fprintf(stderr, "mount /run: %s\n", strerror(errno));
		exit(1);
	}
	if (system("ip link set lo up") != 0)
		exit(1);
}

int itest_fd_count(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d)))
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n - 1; /* the directory's own fd */
}

static int count_cb(const struct vmtap_link_info *info, void *data)
{
	(void)info;
	(*(int *)data)++;
	return 0;
}

int itest_tun_count(const char *netns)
{
	struct vmtap_ctx *ctx;
	int n = 0, r;

	if (vmtap_ctx_new(&ctx) < 0)
		return -1;
	r = vmtap_link_foreach(ctx, netns, VMTAP_LINK_TUN_ONLY, count_cb, &n);
	vmtap_ctx_free(ctx);
	return r < 0 ? r : n;
}

int itest_setup(void **state)
{
	struct itest_state *s = calloc(1, sizeof(*s));

	if (!s)
		return -1;
	s->fds_before = itest_fd_count();
	if (vmtap_ctx_new(&s->ctx) < 0)
		return -1;
	*state = s;
	return 0;
}

int itest_teardown(void **state)
{
	struct itest_state *s = *state;
	int before = s->fds_before;
	int tuns, fds;

	vmtap_ctx_free(s->ctx);
	tuns = itest_tun_count(NULL);
	fds = itest_fd_count();
	if (tuns != 0) {
		fprintf(stderr, "LEAK: %d tun/tap devices left behind\n", tuns);
		(void)!system("ip -d link show type tun >&2");
		/* clean up so the next test starts from nothing, but fail this one */
		(void)!system("for d in $(ip -o link show type tun | awk -F': ' '{print $2}'); do ip link del \"${d%@*}\"; done");
	}
	if (tuns != 0 || itest_sh("[ \"$(ip -o link show | grep -vc ': lo:')\" = 0 ] && [ -z \"$(ip netns list)\" ]") != 0) {
		/* whatever a failed test left (bridges, veths, namespaces): gone before the next test */
		(void)!system("for d in $(ip -o link show | awk -F': ' '$2 != \"lo\" {print $2}'); do ip link del \"${d%@*}\" 2>/dev/null; done; ip -all netns del 2>/dev/null");
	}
	if (fds != before) {
		fprintf(stderr, "LEAK: %d fds open, %d before the test\n", fds, before);
		(void)!system("ls -l /proc/$PPID/fd >&2");
	}
	free(s);
	return (tuns == 0 && fds == before) ? 0 : -1;
}

int itest_sh(const char *fmt, ...)
{
	char cmd[4096];
	va_list ap;
	int r;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	r = system(cmd);
	return WIFEXITED(r) ? WEXITSTATUS(r) : 128 + WTERMSIG(r);
}

char *itest_sh_out(const char *fmt, ...)
{
	char cmd[4096];
	va_list ap;
	FILE *f;
	char *buf = NULL;
	size_t len = 0;
	FILE *mem;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	f = popen(cmd, "r");
	if (!f)
		return NULL;
	mem = open_memstream(&buf, &len);
	if (!mem) {
		pclose(f);
		return NULL;
	}
	for (int c; (c = fgetc(f)) != EOF;)
		fputc(c, mem);
	pclose(f);
	fclose(mem);
	return buf;
}

struct vmtap_ctx *itest_fault_ctx(const char *state_dir, const char *steps)
{
	struct vmtap_ctx *fctx;

	setenv("VMTAP_TEST_FAULT", steps, 1);
	assert_int_equal(vmtap_ctx_new(&fctx), 0);
	unsetenv("VMTAP_TEST_FAULT");
	if (state_dir)
		assert_int_equal(vmtap_ctx_set_state_dir(fctx, state_dir), 0);
	return fctx;
}

int itest_wait_status(int pid)
{
	int st;

	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

void itest_gc_count(const struct vmtap_gc_event *ev, void *userdata)
{
	struct itest_gc_tally *t = userdata;

	switch (ev->action) {
	case VMTAP_GC_REMOVED_RECORD:
		t->removed_record++;
		break;
	case VMTAP_GC_REMOVED_FILTER:
		t->removed_filter++;
		break;
	case VMTAP_GC_DELETED_ORPHAN:
		t->orphan++;
		break;
	case VMTAP_GC_ROLLED_BACK:
	case VMTAP_GC_FINISHED_DESTROY:
		t->rolled_back++;
		break;
	case VMTAP_GC_LEFT_ALONE:
		t->left_alone++;
		break;
	case VMTAP_GC_DESTROYED_EPHEMERAL:
		t->ephemeral++;
		break;
	default:
		t->other++;
		fprintf(stderr, "gc: action %d id %s %s: %s\n", ev->action, ev->id ? ev->id : "-",
			ev->ifname ? ev->ifname : "-", ev->detail ? ev->detail : "");
	}
}

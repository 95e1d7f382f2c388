/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The reaper of vmtap exec: a detached process that destroys exec's ephemeral endpoints once QEMU has exited. */
/**
 * DOC: Theory of Operation
 *
 * vmtap exec becomes QEMU, so nothing of vmtap runs when QEMU exits.  A TAP
 * made for the command dies with its last queue, but a redirect's filter on
 * the pod's veth and a macvtap device do not: they would outlive the VM,
 * and the filter would drop the pod's traffic.  So before exec, vmtap forks
 * a reaper: it holds a pidfd of this process (QEMU-to-be, same pid), waits
 * for it to exit, and destroys the endpoints.  Where pidfd_open(2) does not
 * exist (kernels before 5.3, and valgrind, which does not know the call),
 * the reaper polls instead: the pid with its start time, read from /proc
 * before the fork, every 100 ms, so that a reused pid is not taken for QEMU.
 *
 * The reaper is detached twice over (a session of its own, reparented by a
 * double fork), so that a ^C to QEMU's process group or the exit of the
 * caller does not take it along before it has cleaned up.  It keeps no fd
 * of vmtap's but the pidfd: no queue (the TAP would never lose its last
 * fd), no pipe of the caller (a caller reading QEMU's output would wait
 * for its end forever).  If it is killed anyway, the endpoints are
 * ephemeral in their records, and vmtap gc destroys them once QEMU is gone.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "cli.h"
#include "proc.h"
#include "reaper.h"

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif
#ifndef SYS_close_range
#define SYS_close_range 436
#endif

/* Closes every fd from @first up, with close_range(2) where it exists. */
static void close_from(int first)
{
	if (syscall(SYS_close_range, (unsigned int)first, ~0U, 0) == 0)
		return;
	for (long fd = first, max = sysconf(_SC_OPEN_MAX); fd < max; fd++)
		close((int)fd);
}

/* Without a pidfd: until @pid is gone or is another process than the one started at @start. */
static void wait_polling(pid_t pid, uint64_t start)
{
	while (vt_proc_alive(pid, start) == 1)
		usleep(100 * 1000);
}

/* In the reaper: wait for QEMU (@pidfd, or @pid started at @start without one), destroy @ids, exit. */
static void __attribute__((noreturn))
reap(const struct cli_call *call, int pidfd, pid_t pid, uint64_t start, char *const *ids, size_t n)
{
	struct pollfd pfd = { .fd = 3, .events = POLLIN };
	struct vmtap_ctx *ctx = NULL;
	int null = open("/dev/null", O_RDWR | O_CLOEXEC);
	/* out of the way first: without stdio, the pidfd may be fd 0 */
	int high = pidfd < 0 ? -1 : fcntl(pidfd, F_DUPFD, 100);
	int failed = 0;

	/* exactly the pidfd stays, as fd 3; stdio goes to /dev/null */
	if (null < 0 || dup2(null, 0) < 0 || dup2(null, 1) < 0 || dup2(null, 2) < 0)
		_exit(1);
	if (pidfd >= 0 && (high < 0 || dup2(high, 3) < 0))
		_exit(1);
	close_from(pidfd < 0 ? 3 : 4);
	if (pidfd < 0)
		wait_polling(pid, start);
	else
		while (poll(&pfd, 1, -1) < 0 && errno == EINTR)
			;
	if (cli_ctx_new(call->g, &ctx) != EXIT_OK)
		_exit(1);
	for (size_t i = 0; i < n; i++) {
		int r = vmtap_endpoint_destroy(ctx, ids[i]);
		failed += r < 0 && r != -ENOENT;
	}
	vmtap_ctx_free(ctx);
	_exit(failed ? 1 : 0);
}

int cli_reaper_spawn(const struct cli_call *call, char *const *ids, size_t n)
{
	pid_t self = getpid(), pid;
	uint64_t start = 0;
	int pidfd, st, r;

	if (!n)
		return 0;
	/* taken here, before the fork: the pid cannot be reused while we live */
	pidfd = (int)syscall(SYS_pidfd_open, self, 0);
	if (pidfd < 0 && errno != ENOSYS)
		return -errno;
	if (pidfd < 0 && (r = vt_proc_starttime(self, &start)) < 0)
		return r;
	pid = fork();
	if (pid < 0) {
		int e = errno;
		if (pidfd >= 0)
			close(pidfd);
		return -e;
	}
	if (pid == 0) {
		pid_t grandchild;

		setsid();
		grandchild = fork();
		if (grandchild == 0)
			reap(call, pidfd, self, start, ids, n);
		_exit(grandchild < 0 ? 1 : 0);
	}
	if (pidfd >= 0)
		close(pidfd);
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return -errno;
	return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : -ECHILD;
}

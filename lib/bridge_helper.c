/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Client of qemu-bridge-helper compatible programs: run one over a socketpair, receive a new TAP's queue (and vhost-net) fds. */
/**
 * DOC: Theory of Operation
 *
 * QEMU's ``-netdev bridge`` gives users without CAP_NET_ADMIN a TAP on a
 * bridge by running a set-uid helper that creates it and sends its fd back
 * over a socket.  This module does the same for callers of libvmtap, so that
 * ``vmtap exec`` can hand QEMU the fds itself with ``-netdev tap,fds=...``,
 * which also takes N queues and vhost-net fds.
 *
 * The helper runs without a shell, through posix_spawn(), with stdin and
 * stdout of the caller, a pipe as stderr and its end of the socketpair as
 * fd 3; every other fd is closed in the child before exec (closefrom), so the
 * helper inherits nothing it was not told of.  A request for one queue and no
 * vhost-net uses QEMU's exact argv and reply (one byte 0x00 with one fd), so
 * QEMU's own qemu-bridge-helper serves it too.  Anything more adds
 * ``--queues=N``/``--vhost`` and reads protocol version 1 (bridge_helper.h):
 * several messages, each with a 12-byte header saying where its fds belong.
 *
 * The reply is read with poll() over the socket, the stderr pipe and, for the
 * exit, a pidfd, all bounded by one deadline; a helper that overstays is
 * killed.  Every fd received is close-on-exec (MSG_CMSG_CLOEXEC) and closed
 * again on any failure: the caller gets all fds or none, and a TAP whose fds
 * are all closed disappears, as it is not persistent.
 */
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <linux/if_tun.h>

#include "validate.h"
#include "bridge_helper.h"

#ifndef VMTAP_BRIDGE_HELPER_PATH
#define VMTAP_BRIDGE_HELPER_PATH "/usr/local/libexec/vmtap-bridge-helper"
#endif

#define BH_TIMEOUT_DEFAULT_MS 10000
#define BH_STDERR_KEEP 1024
#define BH_CHILD_SOCK_FD 3

extern char **environ;

/* ---- wire format ---- */

static void put_le16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v & 0xff);
	p[1] = (uint8_t)(v >> 8);
}

static uint16_t get_le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | (p[1] << 8));
}

void vt_bh_msg_encode(const struct vt_bh_msg *m, uint8_t buf[VT_BH_MSG_SIZE])
{
	buf[0] = m->version;
	buf[1] = m->kind;
	put_le16(buf + 2, m->queues);
	put_le16(buf + 4, m->vhosts);
	put_le16(buf + 6, m->first);
	put_le16(buf + 8, m->count);
	put_le16(buf + 10, 0);
}

int vt_bh_msg_parse(const void *buf, size_t len, struct vt_bh_msg *ret, char *err, size_t errlen)
{
	const uint8_t *p = buf;
	struct vt_bh_msg m;
	unsigned int total;

	if (len != VT_BH_MSG_SIZE) {
		snprintf(err, errlen, "message of %zu bytes, not %d", len, VT_BH_MSG_SIZE);
		return -EBADMSG;
	}
	m.version = p[0];
	m.kind = p[1];
	m.queues = get_le16(p + 2);
	m.vhosts = get_le16(p + 4);
	m.first = get_le16(p + 6);
	m.count = get_le16(p + 8);
	if (m.version != VT_BH_VERSION) {
		snprintf(err, errlen, "protocol version %u, not %d", m.version, VT_BH_VERSION);
		return -EBADMSG;
	}
	if (m.kind != VT_BH_KIND_QUEUE && m.kind != VT_BH_KIND_VHOST) {
		snprintf(err, errlen, "unknown kind %u", m.kind);
		return -EBADMSG;
	}
	if (m.queues < 1 || m.queues > VMTAP_MAX_QUEUES) {
		snprintf(err, errlen, "%u queues announced, outside 1..%d", m.queues, VMTAP_MAX_QUEUES);
		return -EBADMSG;
	}
	if (m.vhosts != 0 && m.vhosts != m.queues) {
		snprintf(err, errlen, "%u vhost-net fds announced for %u queues", m.vhosts, m.queues);
		return -EBADMSG;
	}
	total = m.kind == VT_BH_KIND_QUEUE ? m.queues : m.vhosts;
	if (m.count < 1 || m.count > VT_BH_MAX_FDS_PER_MSG || (unsigned int)m.first + m.count > total) {
		snprintf(err, errlen, "fds %u..%u of %u do not fit", m.first, m.first + m.count, total);
		return -EBADMSG;
	}
	if (p[10] || p[11]) {
		snprintf(err, errlen, "reserved bytes are not zero");
		return -EBADMSG;
	}
	*ret = m;
	return 0;
}

int vt_bh_reply_add(struct vt_bh_reply *st, const struct vt_bh_msg *m, char *err, size_t errlen)
{
	unsigned int *got;

	if (!st->started) {
		st->started = true;
		st->first_msg = *m;
	} else if (m->queues != st->first_msg.queues || m->vhosts != st->first_msg.vhosts) {
		snprintf(err, errlen, "totals changed from %u+%u to %u+%u fds", st->first_msg.queues,
			 st->first_msg.vhosts, m->queues, m->vhosts);
		return -EBADMSG;
	}
	if (m->kind == VT_BH_KIND_VHOST && st->queues_got < m->queues) {
		snprintf(err, errlen, "vhost-net fds before all %u queue fds", m->queues);
		return -EBADMSG;
	}
	got = m->kind == VT_BH_KIND_QUEUE ? &st->queues_got : &st->vhosts_got;
	if (m->first != *got) {
		snprintf(err, errlen, "%s fds from %u, expected from %u", m->kind == VT_BH_KIND_QUEUE ? "queue" : "vhost-net",
			 m->first, *got);
		return -EBADMSG;
	}
	*got += m->count;
	return 0;
}

bool vt_bh_reply_complete(const struct vt_bh_reply *st)
{
	return st->started && st->queues_got == st->first_msg.queues && st->vhosts_got == st->first_msg.vhosts;
}

/* ---- running the helper ---- */

VT_EXPORT const char *vmtap_bridge_helper_default_path(void)
{
	return VMTAP_BRIDGE_HELPER_PATH;
}

struct bh_run {
	struct vmtap_ctx *ctx;
	const struct vmtap_bridge_helper_opts *o;
	const char *helper;
	bool qemu_style;          /* one queue, no vhost: QEMU's argv and reply */
	int *fds;                 /* o->queues entries, -1 until received */
	int *vhost_fds;           /* o->queues entries, -1 until received */
	struct vt_bh_reply reply;
	bool qemu_fd_got;
	char errtext[BH_STDERR_KEEP];
	size_t errlen;
};

static void close_all(int *fds, unsigned int n)
{
	for (unsigned int i = 0; fds && i < n; i++)
		if (fds[i] >= 0) {
			close(fds[i]);
			fds[i] = -1;
		}
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The helper's stderr, as one line: newlines become "; ", the end trimmed. */
static const char *helper_says(struct bh_run *run)
{
	size_t n = run->errlen;

	while (n && (run->errtext[n - 1] == '\n' || run->errtext[n - 1] == ' '))
		n--;
	run->errtext[n] = '\0';
	for (size_t i = 0; i < n; i++)
		if (run->errtext[i] == '\n' || run->errtext[i] == '\r' || run->errtext[i] == '\t')
			run->errtext[i] = ' ';
	return run->errtext;
}

/* Take one message's fds into place; on any mismatch close them and fail. */
static int take_message(struct bh_run *run, const uint8_t *data, ssize_t n, int *got, unsigned int ngot)
{
	struct vmtap_ctx *ctx = run->ctx;
	char why[160];
	struct vt_bh_msg m;
	int r;

	if (run->qemu_style) {
		if (run->qemu_fd_got || n != 1 || data[0] != VT_BH_QEMU_BYTE || ngot != 1) {
			close_all(got, ngot);
			return vt_fail(ctx, -EBADMSG, "bridge helper",
				       "%s: expected one byte 0x00 with one fd, got %zd bytes with %u fds%s", run->helper, n,
				       ngot, run->qemu_fd_got ? " after it" : "");
		}
		run->fds[0] = got[0];
		run->qemu_fd_got = true;
		return 0;
	}
	r = vt_bh_msg_parse(data, (size_t)n, &m, why, sizeof(why));
	if (r >= 0 && m.count != ngot) {
		snprintf(why, sizeof(why), "header announces %u fds, %u attached", m.count, ngot);
		r = -EBADMSG;
	}
	if (r >= 0 && m.queues != run->o->queues) {
		snprintf(why, sizeof(why), "%u queues sent, %u asked for", m.queues, run->o->queues);
		r = -EBADMSG;
	}
	if (r >= 0 && m.vhosts && !(run->o->flags & VMTAP_BRIDGE_HELPER_VHOST)) {
		snprintf(why, sizeof(why), "vhost-net fds sent without --vhost");
		r = -EBADMSG;
	}
	if (r >= 0)
		r = vt_bh_reply_add(&run->reply, &m, why, sizeof(why));
	if (r < 0) {
		close_all(got, ngot);
		return vt_fail(ctx, r, "bridge helper", "%s: bad reply: %s", run->helper, why);
	}
	for (unsigned int i = 0; i < ngot; i++)
		(m.kind == VT_BH_KIND_QUEUE ? run->fds : run->vhost_fds)[m.first + i] = got[i];
	return 0;
}

/* Read one message from the socket: 1 data, 0 end of stream, or a negative errno after vt_fail(). */
static int recv_message(struct bh_run *run, int sock)
{
	union {
		struct cmsghdr align;
		char buf[CMSG_SPACE(sizeof(int) * VT_BH_MAX_FDS_PER_MSG)];
	} control;
	int got[VT_BH_MAX_FDS_PER_MSG];
	unsigned int ngot = 0;
	uint8_t data[VT_BH_MSG_SIZE + 4];
	struct iovec iov = { .iov_base = data, .iov_len = sizeof(data) };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = control.buf,
			      .msg_controllen = sizeof(control.buf) };
	bool extra = false;
	ssize_t n;

	n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC | MSG_DONTWAIT);
	if (n < 0) {
		if (errno == EAGAIN || errno == EINTR)
			return 1;
		return vt_fail(run->ctx, -errno, "bridge helper", "%s: receive", run->helper);
	}
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
		size_t nfd;

		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) {
			extra = true;
			continue;
		}
		nfd = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (size_t i = 0; i < nfd; i++) {
			int fd;
			memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
			if (ngot < VT_BH_MAX_FDS_PER_MSG)
				got[ngot++] = fd;
			else
				close(fd);
		}
	}
	if (n == 0 && ngot == 0 && !extra)
		return 0;
	if (msg.msg_flags & (MSG_CTRUNC | MSG_TRUNC) || extra) {
		close_all(got, ngot);
		return vt_fail(run->ctx, -EBADMSG, "bridge helper", "%s: message %s", run->helper,
			       extra ? "with an unexpected control message" : "truncated (too many fds or bytes)");
	}
	return take_message(run, data, n, got, ngot) < 0 ? -EBADMSG : 1;
}

static void read_stderr(struct bh_run *run, int *errfd)
{
	char buf[512];
	ssize_t n = read(*errfd, buf, sizeof(buf));

	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		close(*errfd);
		*errfd = -1;
		return;
	}
	for (ssize_t i = 0; i < n && run->errlen < sizeof(run->errtext) - 1; i++)
		run->errtext[run->errlen++] = buf[i];
}

/* An fd at @min or above: keeps the child's fixed numbers 2 and 3 free of our own fds' clashes. */
static int fd_above(int fd, int min)
{
	int nfd;

	if (fd >= min)
		return fd;
	nfd = fcntl(fd, F_DUPFD_CLOEXEC, min);
	close(fd);
	return nfd;
}

static int spawn_helper(struct bh_run *run, int child_sock, int err_w, pid_t *ret_pid)
{
	const struct vmtap_bridge_helper_opts *o = run->o;
	char fd_arg[16], br_arg[8 + VMTAP_IFNAMSIZ], q_arg[24];
	char *argv[8];
	int argc = 0;
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	sigset_t none;
	pid_t pid;
	int r;

	snprintf(fd_arg, sizeof(fd_arg), "--fd=%d", BH_CHILD_SOCK_FD);
	snprintf(br_arg, sizeof(br_arg), "--br=%s", o->bridge);
	snprintf(q_arg, sizeof(q_arg), "--queues=%u", o->queues);
	/* QEMU's order: HELPER --use-vnet --fd=N --br=BR */
	argv[argc++] = (char *)run->helper;
	if (!(o->flags & VMTAP_BRIDGE_HELPER_NO_VNET_HDR))
		argv[argc++] = (char *)"--use-vnet";
	argv[argc++] = fd_arg;
	argv[argc++] = br_arg;
	if (!run->qemu_style) {
		argv[argc++] = q_arg;
		if (o->flags & VMTAP_BRIDGE_HELPER_VHOST)
			argv[argc++] = (char *)"--vhost";
	}
	argv[argc] = NULL;

	if ((r = posix_spawn_file_actions_init(&fa)) != 0)
		return vt_fail(run->ctx, -r, "bridge helper", "spawn %s", run->helper);
	if ((r = posix_spawnattr_init(&attr)) != 0) {
		posix_spawn_file_actions_destroy(&fa);
		return vt_fail(run->ctx, -r, "bridge helper", "spawn %s", run->helper);
	}
	sigemptyset(&none);
	/* both fds are 4 or above (fd_above()), so neither dup2 clobbers the other's source */
	r = posix_spawn_file_actions_adddup2(&fa, err_w, STDERR_FILENO);
	if (!r)
		r = posix_spawn_file_actions_adddup2(&fa, child_sock, BH_CHILD_SOCK_FD);
	if (!r)
		r = posix_spawn_file_actions_addclosefrom_np(&fa, BH_CHILD_SOCK_FD + 1);
	if (!r)
		r = posix_spawnattr_setsigmask(&attr, &none);
	if (!r)
		r = posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK);
	/*
	 * A helper that is not there is said as such before spawning: whether
	 * posix_spawn() reports the failed exec or the child exits 127 depends
	 * on how the C library (and valgrind, which cannot share the child's
	 * memory) runs it.
	 */
	if (!r && access(run->helper, X_OK) < 0)
		r = errno;
	if (!r)
		r = posix_spawn(&pid, run->helper, &fa, &attr, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&attr);
	if (r)
		return vt_fail(run->ctx, -r, "bridge helper", "run %s", run->helper);
	*ret_pid = pid;
	return 0;
}

/* Map the helper's exit code (vmtap-bridge-helper(8)) to an errno. */
static int exit_errno(int code)
{
	switch (code) {
	case 3:
		return -EINVAL;
	case 4:
		return -ENODEV;
	case 6:
		return -EACCES;
	case 8:
		return -EDQUOT;
	default:
		return -EIO;
	}
}

/* Check that the queue fds are one TAP's: same name, TAP mode, multi-queue when more than one. */
static int check_queues(struct bh_run *run, char ret_ifname[VMTAP_IFNAMSIZ])
{
	char name[IFNAMSIZ] = "";

	for (unsigned int i = 0; i < run->o->queues; i++) {
		struct ifreq ifr = { 0 };

		if (ioctl(run->fds[i], TUNGETIFF, &ifr) < 0)
			return vt_fail(run->ctx, -errno, "bridge helper", "%s: fd of queue %u is not a TAP queue",
				       run->helper, i);
		if (!(ifr.ifr_flags & IFF_TAP) || (run->o->queues > 1 && !(ifr.ifr_flags & IFF_MULTI_QUEUE)))
			return vt_fail(run->ctx, -EBADMSG, "bridge helper", "%s: %.16s is not a %sTAP device",
				       run->helper, ifr.ifr_name, run->o->queues > 1 ? "multi-queue " : "");
		if (i == 0)
			memcpy(name, ifr.ifr_name, sizeof(name));
		else if (strncmp(name, ifr.ifr_name, sizeof(name)))
			return vt_fail(run->ctx, -EBADMSG, "bridge helper", "%s: queues of %.16s and %.16s sent as one TAP",
				       run->helper, name, ifr.ifr_name);
	}
	name[IFNAMSIZ - 1] = '\0';
	if (ret_ifname)
		snprintf(ret_ifname, VMTAP_IFNAMSIZ, "%s", name);
	return 0;
}

static int wait_exit(struct bh_run *run, pid_t pid, int pidfd, long long deadline, int *ret_status)
{
	int status;

	if (pidfd >= 0) {
		struct pollfd p = { .fd = pidfd, .events = POLLIN };
		long long left = deadline - now_ms();
		int n;

		do
			n = poll(&p, 1, left > 0 ? (int)left : 0);
		while (n < 0 && errno == EINTR);
		if (n == 0) {
			(void)kill(pid, SIGKILL);
			while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
				;
			return vt_fail(run->ctx, -ETIMEDOUT, "bridge helper", "%s did not exit in time: killed",
				       run->helper);
		}
	}
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR)
			return vt_fail(run->ctx, -errno, "bridge helper", "%s: collect exit status (SIGCHLD ignored?)",
				       run->helper);
	}
	*ret_status = status;
	return 0;
}

VT_EXPORT int vmtap_bridge_helper_run(struct vmtap_ctx *ctx, const struct vmtap_bridge_helper_opts *user_opts,
				      int *ret_fds, int *ret_vhost_fds, unsigned int *ret_nvhost,
				      char ret_ifname[VMTAP_IFNAMSIZ])
{
	struct vmtap_bridge_helper_opts o;
	struct bh_run run = { .ctx = ctx, .o = &o };
	_cleanup_free_ int *fds = NULL, *vhost_fds = NULL;
	_cleanup_close_ int sock = -1, errfd = -1, pidfd = -1;
	int sv[2], ep[2], status = 0, r;
	long long deadline;
	pid_t pid = 0;

	vt_clear_error(ctx);
	if (!user_opts || !VT_OPTS_COPY(o, user_opts, vmtap_bridge_helper_opts))
		return vt_fail(ctx, -EINVAL, "validate", "bridge helper options missing or with unknown non-zero fields");
	if (o.flags & ~VMTAP_BRIDGE_HELPER_FLAGS_ALL)
		return vt_fail(ctx, -EINVAL, "validate", "unknown flags 0x%x", o.flags & ~VMTAP_BRIDGE_HELPER_FLAGS_ALL);
	if (!o.queues)
		o.queues = 1;
	if (!ret_fds || ((o.flags & VMTAP_BRIDGE_HELPER_VHOST) && (!ret_vhost_fds || !ret_nvhost)))
		return vt_fail(ctx, -EINVAL, "validate", "no room given for the fds");
	if (!o.bridge)
		return vt_fail(ctx, -EINVAL, "validate", "no bridge given");
	if ((r = vt_name_check(ctx, "bridge name", o.bridge, false)) < 0 || (r = vt_queues_check(ctx, o.queues)) < 0)
		return r;
	if (o.timeout_ms < 0)
		return vt_fail(ctx, -EINVAL, "validate", "negative timeout");
	run.helper = o.helper ? o.helper : VMTAP_BRIDGE_HELPER_PATH;
	run.qemu_style = o.queues == 1 && !(o.flags & VMTAP_BRIDGE_HELPER_VHOST);
	deadline = now_ms() + (o.timeout_ms ? o.timeout_ms : BH_TIMEOUT_DEFAULT_MS);

	fds = malloc(sizeof(int) * o.queues);
	vhost_fds = malloc(sizeof(int) * o.queues);
	if (!fds || !vhost_fds)
		return vt_fail(ctx, -ENOMEM, "bridge helper", NULL);
	for (unsigned int i = 0; i < o.queues; i++)
		fds[i] = vhost_fds[i] = -1;
	run.fds = fds;
	run.vhost_fds = vhost_fds;

	/* SEQPACKET keeps the helper's messages apart; the helper works on QEMU's STREAM socket as well */
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		return vt_fail(ctx, -errno, "bridge helper", "socketpair");
	sock = sv[0];
	if (pipe2(ep, O_CLOEXEC) < 0) {
		r = -errno;
		close(sv[1]);
		return vt_fail(ctx, r, "bridge helper", "pipe");
	}
	errfd = ep[0];
	sv[1] = fd_above(sv[1], BH_CHILD_SOCK_FD + 1);
	ep[1] = fd_above(ep[1], BH_CHILD_SOCK_FD + 1);
	if (sv[1] < 0 || ep[1] < 0) {
		r = -errno;
		if (sv[1] >= 0)
			close(sv[1]);
		if (ep[1] >= 0)
			close(ep[1]);
		return vt_fail(ctx, r, "bridge helper", "move fds");
	}
	r = spawn_helper(&run, sv[1], ep[1], &pid);
	close(sv[1]);
	close(ep[1]);
	if (r < 0)
		return r;
	pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	(void)fcntl(errfd, F_SETFL, O_NONBLOCK);

	/* read replies and stderr until the helper closes both, or the deadline */
	while (sock >= 0 || errfd >= 0) {
		struct pollfd p[2] = { { .fd = sock, .events = POLLIN }, { .fd = errfd, .events = POLLIN } };
		long long left = deadline - now_ms();
		int n;

		if (left <= 0) {
			(void)kill(pid, SIGKILL);
			r = vt_fail(ctx, -ETIMEDOUT, "bridge helper", "%s sent no complete reply in time: killed",
				    run.helper);
			goto fail_reap;
		}
		n = poll(p, 2, (int)left);
		if (n < 0 && errno != EINTR) {
			r = vt_fail(ctx, -errno, "bridge helper", "poll");
			(void)kill(pid, SIGKILL);
			goto fail_reap;
		}
		if (n <= 0)
			continue;
		if (sock >= 0 && p[0].revents) {
			r = recv_message(&run, sock);
			if (r < 0) {
				(void)kill(pid, SIGKILL);
				goto fail_reap;
			}
			if (r == 0) {
				close(sock);
				sock = -1;
			}
		}
		if (errfd >= 0 && p[1].revents)
			read_stderr(&run, &errfd);
	}

	r = wait_exit(&run, pid, pidfd, deadline, &status);
	if (r < 0)
		goto fail;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		const char *says = helper_says(&run);
		if (WIFEXITED(status))
			r = vt_fail(ctx, exit_errno(WEXITSTATUS(status)), "bridge helper", "%s exited with status %d%s%s",
				    run.helper, WEXITSTATUS(status), says[0] ? ": " : "", says);
		else
			r = vt_fail(ctx, -EIO, "bridge helper", "%s killed by signal %d%s%s", run.helper,
				    WTERMSIG(status), says[0] ? ": " : "", says);
		goto fail;
	}
	if (run.qemu_style ? !run.qemu_fd_got : !vt_bh_reply_complete(&run.reply)) {
		r = vt_fail(ctx, -EBADMSG, "bridge helper", "%s exited 0 without sending all fds (%u of %u queues)",
			    run.helper, run.qemu_style ? (unsigned)run.qemu_fd_got : run.reply.queues_got, o.queues);
		goto fail;
	}
	r = check_queues(&run, ret_ifname);
	if (r < 0)
		goto fail;

	memcpy(ret_fds, fds, sizeof(int) * o.queues);
	if (o.flags & VMTAP_BRIDGE_HELPER_VHOST) {
		*ret_nvhost = run.qemu_style ? 0 : run.reply.vhosts_got;
		memcpy(ret_vhost_fds, vhost_fds, sizeof(int) * *ret_nvhost);
	} else if (ret_nvhost) {
		*ret_nvhost = 0;
	}
	return 0;

fail_reap:
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
fail:
	close_all(fds, o.queues);
	close_all(vhost_fds, o.queues);
	return r;
}

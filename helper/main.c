/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vmtap-bridge-helper: a qemu-bridge-helper drop-in (same argv, ACL and reply) that can also hand over N queues and vhost-net fds. */
/**
 * DOC: Theory of Operation
 *
 * QEMU runs ``HELPER --use-vnet --fd=N --br=BR`` with every fd closed but
 * stdio and the socket N; the helper creates tap%d with the bridge's MTU and
 * a MAC whose first byte is 0xFE, enslaves it, brings it up and sends its fd
 * back as one byte 0x00 with SCM_RIGHTS.  This program does the same, in
 * this order, each step refusing with a message on stderr and a distinct
 * exit code before anything is created:
 *
 * 1. privileges: everything but CAP_NET_ADMIN dropped (CAP_DAC_OVERRIDE kept
 *    permitted, not effective, see privileges.c), back to the caller's uid
 *    and gid, environment cleared -- before any input is read;
 * 2. arguments, then every fd but stdio and the socket closed;
 * 3. the ACL (QEMU's bridge.conf, read as the caller) and the per-user
 *    limits (vmtap's own file, read as the caller);
 * 4. the bridge looked up, the caller's TAPs counted;
 * 5. /dev/net/tun opened once per queue (CAP_DAC_OVERRIDE raised for that
 *    alone, then dropped for good), vhost-net as the caller;
 * 6. the TAP made with libvmtap in one transaction: queues, owner = the
 *    caller, noqueue qdisc, MTU of the bridge, MAC 0xFE..., the ownership
 *    tag ``vmtap-helper:uid=U,pid=P`` as alias, enslaved, up;
 * 7. the TAPs counted again, so that concurrent invocations cannot pass the
 *    limit together; then the fds are sent and the helper exits.
 *
 * The TAP is never persistent: if anything fails after it exists, or if
 * the helper is killed, closing its fds removes it.  The socket gets QEMU's
 * exact bytes unless --queues or --vhost was given (bridge_helper.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include "vmtap.h"
#include "bridge_helper.h"
#include "tap.h"
#include "state.h"
#include "acl.h"
#include "user_limits.h"
#include "privileges.h"

#ifndef BH_ACL_PATH
#define BH_ACL_PATH "/etc/qemu/bridge.conf"
#endif
#ifndef BH_LIMITS_PATH
#define BH_LIMITS_PATH "/etc/vmtap/bridge-helper.conf"
#endif

#define PROG "vmtap-bridge-helper"
#define TUN_PATH "/dev/net/tun"

/* Exit codes: QEMU only looks at zero or not; vmtap's client and tests tell the reasons apart. */
enum {
	BH_EXIT_OK = 0,
	BH_EXIT_FAILURE = 1,    /* usage (as QEMU's helper), or anything not below */
	BH_EXIT_INVALID = 3,    /* a value is invalid: bridge name, queue count, --fd */
	BH_EXIT_NOT_FOUND = 4,  /* the bridge does not exist or is not a bridge */
	BH_EXIT_DENIED = 6,     /* the ACL denies, or cannot be read; no CAP_NET_ADMIN */
	BH_EXIT_KERNEL = 7,     /* the kernel refused */
	BH_EXIT_LIMIT = 8,      /* over a per-user limit, or the limits file cannot be read */
};

struct args {
	bool use_vnet;
	bool vhost;
	bool new_protocol;      /* --queues or --vhost given: reply with protocol version 1 */
	const char *bridge;
	int fd;
	unsigned int queues;
};

static void usage(void)
{
	/* QEMU's helper prints its usage on stderr and exits 1 for --help and for anything it does not know */
	fprintf(stderr, "Usage: " PROG " [--use-vnet] [--queues=N] [--vhost] --br=bridge --fd=unixfd\n");
}

static int refuse(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int refuse(int code, const char *fmt, ...)
{
	va_list ap;

	fputs(PROG ": ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return code;
}

/* A closed 0, 1 or 2 would be taken by the next open: a netlink socket must never become "stderr". */
static void ensure_stdio(void)
{
	for (int fd = 0; fd <= 2; fd++)
		if (fcntl(fd, F_GETFD) < 0 && errno == EBADF && open("/dev/null", O_RDWR) != fd)
			_exit(BH_EXIT_FAILURE);
}

static bool parse_decimal(const char *s, long max, long *ret)
{
	long v = 0;

	if (!*s)
		return false;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return false;
		v = v * 10 + (*s - '0');
		if (v > max)
			return false;
	}
	*ret = v;
	return true;
}

/* QEMU's argv: later occurrences win, as in QEMU's helper (QEMU itself may repeat --use-vnet). */
static int parse_args(int argc, char **argv, struct args *a)
{
	bool have_fd = false;
	long v;

	memset(a, 0, sizeof(*a));
	a->fd = -1;
	a->queues = 1;
	for (int i = 1; i < argc; i++) {
		const char *arg = argv[i];

		if (!strcmp(arg, "--use-vnet")) {
			a->use_vnet = true;
		} else if (!strncmp(arg, "--br=", 5)) {
			a->bridge = arg + 5;
		} else if (!strncmp(arg, "--fd=", 5)) {
			if (!parse_decimal(arg + 5, INT_MAX, &v))
				return refuse(BH_EXIT_INVALID, "--fd=%s is not a file descriptor number", arg + 5);
			a->fd = (int)v;
			have_fd = true;
		} else if (!strncmp(arg, "--queues=", 9)) {
			if (!parse_decimal(arg + 9, VMTAP_MAX_QUEUES, &v) || v < 1)
				return refuse(BH_EXIT_INVALID, "--queues=%s is not a number in 1..%d", arg + 9,
					      VMTAP_MAX_QUEUES);
			a->queues = (unsigned int)v;
			a->new_protocol = true;
		} else if (!strcmp(arg, "--vhost")) {
			a->vhost = true;
			a->new_protocol = true;
		} else {
			usage();
			return BH_EXIT_FAILURE;
		}
	}
	if (!a->bridge || !have_fd) {
		usage();
		return BH_EXIT_FAILURE;
	}
	return 0;
}

/* ---- files, read as the caller ---- */

/* Read a whole regular file of at most @max bytes; a negative errno (-EFBIG, -EISDIR for non-regular) on failure. */
static int read_file(const char *path, size_t max, char **ret_buf, size_t *ret_len, struct stat *ret_st)
{
	struct stat st;
	char *buf;
	size_t len = 0;
	int fd, r = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0) {
		r = -errno;
		close(fd);
		return r;
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		return -EISDIR;
	}
	if ((size_t)st.st_size > max) {
		close(fd);
		return -EFBIG;
	}
	buf = malloc(max + 1);
	if (!buf) {
		close(fd);
		return -ENOMEM;
	}
	for (;;) {
		ssize_t n = read(fd, buf + len, max + 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			r = -errno;
			break;
		}
		if (n == 0)
			break;
		len += (size_t)n;
		if (len > max) {
			r = -EFBIG;
			break;
		}
	}
	close(fd);
	if (r < 0) {
		free(buf);
		return r;
	}
	*ret_buf = buf;
	*ret_len = len;
	if (ret_st)
		*ret_st = st;
	return 0;
}

/* ---- the ACL ---- */

struct acl_files {
	struct stat stack[BH_ACL_MAX_DEPTH + 1]; /* the files being read, outermost first */
	unsigned int depth;
};

static void acl_warn(struct bh_acl *acl, const char *msg)
{
	(void)acl;
	fprintf(stderr, PROG ": warning: %s\n", msg);
}

static int acl_include(struct bh_acl *acl, const char *path, unsigned int depth)
{
	struct acl_files *files = acl->userdata;
	char *buf = NULL, msg[700];
	struct stat st;
	size_t len;
	int r;

	if (depth > BH_ACL_MAX_DEPTH) {
		snprintf(acl->error, sizeof(acl->error), "include %s: nested deeper than %d files", path,
			 BH_ACL_MAX_DEPTH);
		return -ELOOP;
	}
	r = read_file(path, BH_ACL_FILE_MAX, &buf, &len, &st);
	if (r == -ENOENT || r == -EACCES || r == -ENOTDIR)
		return 0; /* skipped silently, as QEMU does: an include may be meant for some users only */
	if (r < 0) {
		snprintf(msg, sizeof(msg), "include %s: %s: skipped", path,
			 r == -EISDIR ? "not a regular file" : r == -EFBIG ? "larger than 1 MiB" : strerror(-r));
		acl_warn(acl, msg);
		return 0;
	}
	/* a loop refuses, as it does in QEMU's helper (which recurses until its stack overflows) */
	for (unsigned int i = 0; i < files->depth; i++)
		if (files->stack[i].st_dev == st.st_dev && files->stack[i].st_ino == st.st_ino) {
			free(buf);
			snprintf(acl->error, sizeof(acl->error), "include %s: a loop (the file is being read already)",
				 path);
			return -ELOOP;
		}
	files->stack[files->depth++] = st;
	r = bh_acl_eval(acl, path, buf, len, depth);
	files->depth--;
	free(buf);
	if (r == -EINVAL) {
		/* QEMU reports an error of an included file and goes on; its rules before the error count */
		snprintf(msg, sizeof(msg), "%s (rest of %s ignored, as QEMU does)", acl->error, path);
		acl->error[0] = '\0';
		acl_warn(acl, msg);
		return 0;
	}
	return r;
}

static int check_acl(const char *bridge)
{
	struct acl_files files = { .depth = 0 };
	struct bh_acl acl = { .bridge = bridge, .include = acl_include, .userdata = &files, .warn = acl_warn };
	char *buf = NULL;
	size_t len;
	int r;

	r = read_file(BH_ACL_PATH, BH_ACL_FILE_MAX, &buf, &len, &files.stack[0]);
	if (r < 0)
		return refuse(BH_EXIT_DENIED, "failed to parse default acl file `%s': %s", BH_ACL_PATH,
			      r == -EISDIR ? "not a regular file" : r == -EFBIG ? "larger than 1 MiB" : strerror(-r));
	files.depth = 1;
	r = bh_acl_eval(&acl, BH_ACL_PATH, buf, len, 0);
	free(buf);
	if (r < 0)
		return refuse(BH_EXIT_DENIED, "failed to parse default acl file `%s': %s", BH_ACL_PATH, acl.error);
	if (acl.denied)
		return refuse(BH_EXIT_DENIED, "access denied by acl file: bridge %s is denied by %s:%u", bridge,
			      acl.denied_by.file, acl.denied_by.line);
	if (!acl.allowed)
		return refuse(BH_EXIT_DENIED, "access denied by acl file: no line of %s allows bridge %s", BH_ACL_PATH,
			      bridge);
	return 0;
}

/* ---- limits ---- */

static int read_limits(struct bh_limits *ret)
{
	gid_t groups[NGROUPS_MAX];
	struct bh_identity who = { .uid = getuid(), .gid = getgid(), .groups = groups };
	char *buf = NULL, err[256];
	size_t len;
	int n, r;

	n = getgroups(NGROUPS_MAX, groups);
	who.ngroups = n > 0 ? (size_t)n : 0;
	r = read_file(BH_LIMITS_PATH, BH_LIMITS_FILE_MAX, &buf, &len, NULL);
	if (r == -ENOENT) {
		/* no file: the built-in defaults */
		return bh_limits_parse("", 0, &who, ret, err, sizeof(err)) < 0 ? BH_EXIT_LIMIT : 0;
	}
	if (r < 0)
		return refuse(BH_EXIT_LIMIT, "cannot read the limits file %s: %s", BH_LIMITS_PATH,
			      r == -EISDIR ? "not a regular file" : r == -EFBIG ? "larger than 1 MiB" : strerror(-r));
	r = bh_limits_parse(buf, len, &who, ret, err, sizeof(err));
	free(buf);
	if (r < 0)
		return refuse(BH_EXIT_LIMIT, "invalid limits file %s: %s", BH_LIMITS_PATH, err);
	return 0;
}

struct tap_count {
	char prefix[64];
	unsigned int n;
};

static int count_cb(const struct vmtap_link_info *info, void *userdata)
{
	struct tap_count *c = userdata;

	if (info->is_tun && !strncmp(info->alias, c->prefix, strlen(c->prefix)))
		c->n++;
	return 0;
}

/* The caller's TAPs from this helper alive now, known by their tag; a negative errno on failure. */
static int count_taps(struct vmtap_ctx *ctx, unsigned int *ret)
{
	struct tap_count c = { .n = 0 };
	int r;

	snprintf(c.prefix, sizeof(c.prefix), VT_HELPER_TAG_PREFIX "uid=%u,", (unsigned)getuid());
	r = vmtap_link_foreach(ctx, NULL, true, count_cb, &c);
	if (r < 0)
		return r;
	*ret = c.n;
	return 0;
}

/* ---- sending ---- */

static int send_with_fds(int sock, const void *data, size_t len, const int *fds, unsigned int n)
{
	union {
		struct cmsghdr align;
		char buf[CMSG_SPACE(sizeof(int) * VT_BH_MAX_FDS_PER_MSG)];
	} control;
	struct iovec iov = { .iov_base = (void *)data, .iov_len = len };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = control.buf,
			      .msg_controllen = CMSG_SPACE(sizeof(int) * n) };
	struct cmsghdr *c;
	ssize_t sent;

	memset(&control, 0, sizeof(control));
	c = CMSG_FIRSTHDR(&msg);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int) * n);
	memcpy(CMSG_DATA(c), fds, sizeof(int) * n);
	do
		sent = sendmsg(sock, &msg, MSG_NOSIGNAL);
	while (sent < 0 && errno == EINTR);
	if (sent < 0)
		return -errno;
	return (size_t)sent == len ? 0 : -EIO;
}

static int send_kind(int sock, enum vt_bh_kind kind, unsigned int queues, unsigned int vhosts, const int *fds,
		     unsigned int n)
{
	for (unsigned int first = 0; first < n; first += VT_BH_MAX_FDS_PER_MSG) {
		unsigned int count = n - first < VT_BH_MAX_FDS_PER_MSG ? n - first : VT_BH_MAX_FDS_PER_MSG;
		struct vt_bh_msg m = { .version = VT_BH_VERSION, .kind = (uint8_t)kind, .queues = (uint16_t)queues,
				       .vhosts = (uint16_t)vhosts, .first = (uint16_t)first, .count = (uint16_t)count };
		uint8_t hdr[VT_BH_MSG_SIZE];
		int r;

		vt_bh_msg_encode(&m, hdr);
		r = send_with_fds(sock, hdr, sizeof(hdr), fds + first, count);
		if (r < 0)
			return r;
	}
	return 0;
}

static int send_reply(const struct args *a, const int *fds, const int *vhost_fds, unsigned int nvhost)
{
	static const uint8_t qemu_byte = VT_BH_QEMU_BYTE;
	int r;

	if (!a->new_protocol)
		r = send_with_fds(a->fd, &qemu_byte, 1, fds, 1);
	else if ((r = send_kind(a->fd, VT_BH_KIND_QUEUE, a->queues, nvhost, fds, a->queues)) >= 0)
		r = send_kind(a->fd, VT_BH_KIND_VHOST, a->queues, nvhost, vhost_fds, nvhost);
	if (r < 0)
		return refuse(BH_EXIT_FAILURE, "failed to write fd to unix socket: %s", strerror(-r));
	return 0;
}

/* ---- the TAP ---- */

static void close_fds(int *fds, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++)
		if (fds[i] >= 0) {
			close(fds[i]);
			fds[i] = -1;
		}
}

/* Open /dev/net/tun @n times, with CAP_DAC_OVERRIDE effective for these opens only when it is permitted. */
static int open_tun(int *fds, unsigned int n)
{
	bool raised = false;
	int err = 0;

	if (bh_privileges_dac_permitted()) {
		if (bh_privileges_dac_raise() < 0)
			return refuse(BH_EXIT_FAILURE, "cannot raise CAP_DAC_OVERRIDE to open " TUN_PATH);
		raised = true;
	}
	for (unsigned int i = 0; i < n && !err; i++) {
		fds[i] = open(TUN_PATH, O_RDWR | O_CLOEXEC);
		if (fds[i] < 0)
			err = errno;
	}
	/* gone from both sets: nothing after this point can open a file the caller could not */
	if (raised && bh_privileges_dac_forget() < 0) {
		close_fds(fds, n);
		return refuse(BH_EXIT_FAILURE, "cannot drop CAP_DAC_OVERRIDE");
	}
	if (err) {
		close_fds(fds, n);
		if (err == EACCES || err == EPERM)
			return refuse(BH_EXIT_DENIED,
				      "failed to open " TUN_PATH ": %s (it is not 0666 and the helper has no "
				      "cap_dac_override; see vmtap-bridge-helper(8))",
				      strerror(err));
		return refuse(err == EMFILE || err == ENFILE ? BH_EXIT_LIMIT : BH_EXIT_KERNEL,
			      "failed to open " TUN_PATH ": %s", strerror(err));
	}
	return 0;
}

static int kernel_exit(int err)
{
	switch (err) {
	case -ENODEV:
		return BH_EXIT_NOT_FOUND;
	case -EPERM:
	case -EACCES:
		return BH_EXIT_DENIED;
	case -EINVAL:
		return BH_EXIT_INVALID;
	default:
		return BH_EXIT_KERNEL;
	}
}

static int run(const struct args *a, enum bh_mode mode)
{
	struct vmtap_ctx *ctx = NULL;
	struct vmtap_tap *tap = NULL;
	struct vmtap_link_info br = { .sz = sizeof(br) };
	struct bh_limits lim;
	int tun_fds[VMTAP_MAX_QUEUES], fds[VMTAP_MAX_QUEUES], vhost_fds[VMTAP_MAX_QUEUES];
	unsigned int nvhost = 0, count = 0;
	char tag[64];
	int code, r;

	for (unsigned int i = 0; i < VMTAP_MAX_QUEUES; i++)
		tun_fds[i] = fds[i] = vhost_fds[i] = -1;

	if ((code = check_acl(a->bridge)) != 0)
		return code;
	if ((code = read_limits(&lim)) != 0)
		return code;
	if (a->queues > lim.max_queues)
		return refuse(BH_EXIT_LIMIT, "%u queues asked for, the limit for uid %u is %u (%s)", a->queues,
			      (unsigned)getuid(), lim.max_queues, BH_LIMITS_PATH);
	if (lim.max_taps == 0)
		return refuse(BH_EXIT_LIMIT, "uid %u may not create TAP devices (max-taps 0 in %s)", (unsigned)getuid(),
			      BH_LIMITS_PATH);
	if (!bh_privileges_net_admin())
		return refuse(BH_EXIT_DENIED, "no CAP_NET_ADMIN (started %s): install the helper set-uid root or with "
					      "file capability cap_net_admin+ep (see vmtap-bridge-helper(8))",
			      bh_mode_name(mode));

	r = vmtap_ctx_new(&ctx);
	if (r < 0)
		return refuse(BH_EXIT_FAILURE, "out of memory");
	r = vmtap_link_get(ctx, NULL, a->bridge, &br);
	if (r == -ENODEV) {
		code = refuse(BH_EXIT_NOT_FOUND, "bridge %s does not exist", a->bridge);
		goto out;
	}
	if (r < 0) {
		code = refuse(kernel_exit(r), "look up bridge %s: %s", a->bridge, vmtap_ctx_error(ctx));
		goto out;
	}
	if (strcmp(br.kind, "bridge")) {
		code = refuse(BH_EXIT_NOT_FOUND, "%s is not a bridge (kind %s)", a->bridge,
			      br.kind[0] ? br.kind : "unknown");
		goto out;
	}
	if (lim.max_taps != BH_LIMIT_UNLIMITED) {
		r = count_taps(ctx, &count);
		if (r < 0) {
			code = refuse(kernel_exit(r), "count the TAP devices of uid %u: %s", (unsigned)getuid(),
				      vmtap_ctx_error(ctx));
			goto out;
		}
		if (count >= lim.max_taps) {
			code = refuse(BH_EXIT_LIMIT, "uid %u has %u TAP device%s from this helper, the limit is %u (%s)",
				      (unsigned)getuid(), count, count == 1 ? "" : "s", lim.max_taps, BH_LIMITS_PATH);
			goto out;
		}
	}

	if ((code = open_tun(tun_fds, a->queues)) != 0)
		goto out;
	if (a->vhost) {
		/* as the caller, without CAP_DAC_OVERRIDE: the helper lends no access to vhost-net */
		r = vmtap_vhost_open(ctx, a->queues, vhost_fds);
		if (r < 0)
			fprintf(stderr, PROG ": vhost-net unavailable, sending none: %s\n", vmtap_ctx_error(ctx));
		else
			nvhost = a->queues;
	}

	snprintf(tag, sizeof(tag), VT_HELPER_TAG_PREFIX "uid=%u,pid=%d", (unsigned)getuid(), (int)getppid());
	{
		VMTAP_OPTS(vmtap_link_set_opts, link, .master = a->bridge, .state = VMTAP_LINK_UP, .alias = tag);
		VMTAP_OPTS(vmtap_tap_opts, o, .name = "tap%d", .queues = a->queues,
			   .flags = VMTAP_TAP_SET_OWNER | (a->use_vnet ? 0 : VMTAP_TAP_NO_VNET_HDR), .owner = getuid(),
			   .link = &link, .tun_fds = tun_fds);

		/* the library's own tag, so through the call that may write one (linked in, not the public API) */
		r = vt_tap_open(ctx, &o, &(struct vt_tap_how){ .allow_tag = true }, &tap);
	}
	close_fds(tun_fds, a->queues);
	if (r < 0) {
		code = refuse(kernel_exit(r), "failed to create the TAP device on bridge %s: %s", a->bridge,
			      vmtap_ctx_error(ctx));
		goto out;
	}

	if (lim.max_taps != BH_LIMIT_UNLIMITED) {
		/* a concurrent invocation of the same user may have passed the first count too */
		r = count_taps(ctx, &count);
		if (r < 0 || count > lim.max_taps) {
			code = r < 0 ? refuse(kernel_exit(r), "count the TAP devices of uid %u: %s", (unsigned)getuid(),
					      vmtap_ctx_error(ctx)) :
				       refuse(BH_EXIT_LIMIT,
					      "uid %u has %u TAP devices from this helper, the limit is %u (%s)",
					      (unsigned)getuid(), count - 1, lim.max_taps, BH_LIMITS_PATH);
			goto out;
		}
	}

	r = vmtap_tap_steal_fds(tap, fds, VMTAP_MAX_QUEUES);
	if (r < 0) {
		code = refuse(BH_EXIT_FAILURE, "take the queue fds: %s", strerror(-r));
		goto out;
	}
	/* the netlink socket goes before the send: the fds in flight are all the helper holds besides stdio */
	ctx = vmtap_ctx_free(ctx);
	code = send_reply(a, fds, vhost_fds, nvhost);

out:
	close_fds(tun_fds, VMTAP_MAX_QUEUES);
	close_fds(fds, VMTAP_MAX_QUEUES);
	close_fds(vhost_fds, VMTAP_MAX_QUEUES);
	vmtap_tap_free(tap);
	vmtap_ctx_free(ctx);
	return code;
}

int main(int argc, char **argv)
{
	struct args a;
	enum bh_mode mode;
	struct stat st;
	char err[256];
	int code;

	ensure_stdio();
	/* nothing of the caller's environment is read: no locale, no library settings, no fault injection */
	clearenv();
	if (bh_privileges_drop(&mode, err, sizeof(err)) < 0) {
		fprintf(stderr, PROG ": failed to drop privileges: %s\n", err);
		return BH_EXIT_FAILURE;
	}

	code = parse_args(argc, argv, &a);
	if (code)
		return code;
	/* only stdio and the socket from here on: nothing inherited by mistake can leak into what we make */
	if (a.fd > 3)
		(void)close_range(3, (unsigned int)a.fd - 1, 0);
	if (a.fd < INT_MAX)
		(void)close_range(a.fd < 3 ? 3 : (unsigned int)a.fd + 1, ~0u, 0);
	if (a.fd <= 2 || fstat(a.fd, &st) < 0 || !S_ISSOCK(st.st_mode))
		return refuse(BH_EXIT_INVALID, "--fd=%d is not a unix socket other than stdin, stdout and stderr", a.fd);

	/* QEMU's own check and message (CVE-2019-13164) */
	if (strlen(a.bridge) >= VMTAP_IFNAMSIZ)
		return refuse(BH_EXIT_INVALID, "name `%s' too long: %zu", a.bridge, strlen(a.bridge));
	if (!a.bridge[0])
		return refuse(BH_EXIT_INVALID, "empty bridge name");
	return run(&a, mode);
}

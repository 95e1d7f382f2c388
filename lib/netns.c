/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Network namespaces: resolving them by name or path, and running work inside one without moving the caller. */
/**
 * DOC: Theory of Operation
 *
 * A TAP device is created in the network namespace of the thread that issues
 * TUNSETIFF, and a netlink socket talks to the namespace it was created in.
 * So work "inside" a namespace needs a thread that is there only for that
 * work: vt_netns_call() starts a thread, moves it with setns(), runs the
 * function and lets the thread end.  The caller's thread never changes
 * namespace, and file descriptors opened by the function (TAP queues, netlink
 * sockets) belong to the whole process and keep pointing at the namespace
 * they were opened in.
 */
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <limits.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <linux/magic.h>
#include <linux/nsfs.h>

#include "netns.h"
#include "validate.h"

int vt_netns_open(struct vmtap_ctx *ctx, const char *spec, int *ret_fd)
{
	char name_path[sizeof("/run/netns/") + 256], proc_path[64];
	_cleanup_close_ int pathfd = -1, fd = -1;
	const char *path = spec;
	struct statfs sfs;
	int r;

	if (!spec || !spec[0])
		return vt_fail(ctx, -EINVAL, "validate", "namespace is empty");
	if (spec[0] == '/') {
		/* never cut a path short: a prefix of it may name another namespace */
		if (strlen(spec) >= PATH_MAX)
			return vt_fail(ctx, -ENAMETOOLONG, "validate", "namespace path is longer than %d bytes",
				       PATH_MAX - 1);
	} else {
		r = vt_netns_name_check(ctx, spec);
		if (r < 0)
			return r;
		snprintf(name_path, sizeof(name_path), "/run/netns/%s", spec);
		path = name_path;
	}
	/*
	 * O_PATH opens without any of the file's own open semantics: a FIFO
	 * does not block, a device is not touched.  Only once the file is known
	 * to be an nsfs inode is it opened for real, through the O_PATH fd so
	 * that it cannot be swapped in between.
	 */
	pathfd = open(path, O_PATH | O_CLOEXEC);
	if (pathfd < 0)
		return vt_fail(ctx, -errno, "open namespace", "%s", path);
	if (fstatfs(pathfd, &sfs) < 0)
		return vt_fail(ctx, -errno, "open namespace", "%s", path);
	if (sfs.f_type != NSFS_MAGIC)
		return vt_fail(ctx, -EINVAL, "validate", "%s is not a namespace file", path);
	snprintf(proc_path, sizeof(proc_path), "/proc/self/fd/%d", pathfd);
	fd = open(proc_path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return vt_fail(ctx, -errno, "open namespace", "%s", path);
	if (ioctl(fd, NS_GET_NSTYPE) != CLONE_NEWNET)
		return vt_fail(ctx, -EINVAL, "validate", "%s is not a network namespace", path);
	*ret_fd = TAKE_FD(fd);
	return 0;
}

int vt_netns_id(struct vmtap_ctx *ctx, const char *spec, struct vt_netns_id *ret_id)
{
	_cleanup_close_ int fd = -1;
	struct stat st;
	int r;

	if (!spec) {
		if (stat("/proc/thread-self/ns/net", &st) < 0)
			return vt_fail(ctx, -errno, "open namespace", "own namespace");
	} else {
		r = vt_netns_open(ctx, spec, &fd);
		if (r < 0)
			return r;
		if (fstat(fd, &st) < 0)
			return vt_fail(ctx, -errno, "open namespace", "%s", spec);
	}
	*ret_id = (struct vt_netns_id){ .dev = st.st_dev, .ino = st.st_ino };
	return 0;
}

/* 1 when @nsfd is the calling thread's own network namespace (-1 counts as it), 0 when not, or -errno. */
static int netns_is_current(int nsfd)
{
	struct stat a, b;

	if (nsfd < 0)
		return 1;
	if (fstat(nsfd, &a) < 0 || stat("/proc/thread-self/ns/net", &b) < 0)
		return -errno;
	return a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

struct netns_call {
	int nsfd;
	int (*fn)(void *arg);
	void *arg;
	int setns_errno;
	int ret;
};

static void *netns_thread(void *p)
{
	struct netns_call *c = p;

	if (setns(c->nsfd, CLONE_NEWNET) < 0) {
		c->setns_errno = errno;
		return NULL;
	}
	c->ret = c->fn(c->arg);
	return NULL;
}

int vt_netns_call(struct vmtap_ctx *ctx, int nsfd, int (*fn)(void *arg), void *arg)
{
	struct netns_call c = { .nsfd = nsfd, .fn = fn, .arg = arg };
	pthread_t thread;
	int r;

	r = netns_is_current(nsfd);
	if (r < 0)
		return vt_fail(ctx, r, "enter namespace", "cannot compare namespaces");
	if (r > 0)
		return fn(arg);

	r = pthread_create(&thread, NULL, netns_thread, &c);
	if (r)
		return vt_fail(ctx, -r, "enter namespace", "cannot start a thread");
	pthread_join(thread, NULL);
	if (c.setns_errno)
		return vt_fail(ctx, -c.setns_errno, "enter namespace", "setns");
	return c.ret;
}

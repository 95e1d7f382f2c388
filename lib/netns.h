/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Network namespaces: resolving them by name or path, their identity, and running work inside one. */
/*
 * Owns: opening namespace files safely, comparing namespaces, moving a
 * short-lived thread into one.
 * Must not: leave the caller's thread in another namespace, or open a
 * namespace path with anything that can block or act on the file.
 */
#ifndef VMTAP_NETNS_H
#define VMTAP_NETNS_H

#include <sys/types.h>

#include "ctx.h"

/*
 * Open a namespace given by name (under /run/netns) or absolute path; the fd
 * is close-on-exec.  Never blocks (a FIFO is refused, not opened) and accepts
 * only network-namespace files; a path that does not fit is refused, never cut.
 */
int vt_netns_open(struct vmtap_ctx *ctx, const char *spec, int *ret_fd);

/* A namespace's identity: the device and inode of its nsfs file. */
struct vt_netns_id {
	dev_t dev;
	ino_t ino;
};
/* The identity of namespace @spec (NULL: the calling thread's); errors as vt_netns_open(). */
int vt_netns_id(struct vmtap_ctx *ctx, const char *spec, struct vt_netns_id *ret_id);
static inline bool vt_netns_id_equal(const struct vt_netns_id *a, const struct vt_netns_id *b)
{
	return a->dev == b->dev && a->ino == b->ino;
}

/*
 * Run @fn(@arg) with the network namespace @nsfd (-1: the caller's own), on a
 * short-lived thread when it differs, so the caller's thread never moves.
 * Files opened by @fn belong to the process, as usual for threads.
 * Return: @fn's result (it reports its own failures), or a reported failure
 * to enter the namespace.
 */
int vt_netns_call(struct vmtap_ctx *ctx, int nsfd, int (*fn)(void *arg), void *arg);

#endif

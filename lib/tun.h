/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* /dev/net/tun: features, the TUNSETIFF flags for a request, opening a device's queues. */
/*
 * Owns: every ioctl on /dev/net/tun and the handle struct vmtap_tap.
 * Must not: use netlink, know about namespaces other than the one it runs
 * in, or configure the link: tap.c composes this with link, tc and netns.
 */
#ifndef VMTAP_TUN_H
#define VMTAP_TUN_H

#include "ctx.h"

#define VT_TUN_PATH "/dev/net/tun"

struct vmtap_tap {
	char name[VMTAP_IFNAMSIZ];
	char *netns;
	int ifindex;
	unsigned int nqueues;
	unsigned short ifflags;
	bool persist;
	int *fds;
};

/* Validate @opts (no kernel involved). */
int vt_tun_opts_check(struct vmtap_ctx *ctx, const struct vmtap_tap_opts *opts, bool attach);
/* Compute the TUNSETIFF flags for @opts given the probed @features. */
int vt_tun_flags(struct vmtap_ctx *ctx, const struct vmtap_tap_opts *opts,
		 const struct vmtap_features *features, unsigned short *ret_flags);

/* What vt_tun_open_here() opens, and what it gives back. */
struct vt_tun_job {
	struct vmtap_ctx *ctx;
	const struct vmtap_tap_opts *opts;
	bool attach;
	int expect_ifindex;    /* attach: refuse a device that is not this one */
	bool persist_now;      /* persistent at once: nothing to configure after opening */
	struct vmtap_tap *tap; /* filled on success */
};
/*
 * Open the device's queues in the calling thread's namespace (run it through
 * vt_netns_call()): create it exclusively, or attach to it, reset its state
 * to what @job->opts asks, set owner and group.  Reports.
 */
int vt_tun_open_here(void *job);
/* Close @n fds (-1 entries skipped) and mark them closed. */
void vt_tun_close_fds(int *fds, unsigned int n);

#endif

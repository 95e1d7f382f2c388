/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* TAP devices made usable: queues in a namespace, root qdisc, link settings, persistence. */
/*
 * Owns: vmtap_tap_create()/attach() and the handle's life (tun.h defines
 * its struct): setters, stealing its fds, destroying the device.
 * Must not: know about endpoints, records or tags beyond passing on one the
 * library asked for.
 */
#ifndef VMTAP_TAP_H
#define VMTAP_TAP_H

#include "ctx.h"

DEFINE_TRIVIAL_CLEANUP_FUNC(struct vmtap_tap *, vmtap_tap_free)

/* How vt_tap_open() opens: create or attach, and what only the library itself may ask. */
struct vt_tap_how {
	bool attach;
	bool allow_tag;        /* opts->link may set a reserved alias: an ownership tag */
	int expect_ifindex;    /* attach: the device must still be this one (0: any) */
};
/* vmtap_tap_create() / vmtap_tap_attach(), with the library's own options. */
int vt_tap_open(struct vmtap_ctx *ctx, const struct vmtap_tap_opts *opts, const struct vt_tap_how *how,
		struct vmtap_tap **ret_tap);

/*
 * A handle on @queues new queues of macvtap @name (ifindex @ifindex) in
 * @netns, with a vnet header when @vnet_hdr (see vt_macvtap_open()).  The
 * handle works as a TAP's: its fds are handed off or stolen the same way;
 * it is never persistent (a macvtap exists until deleted, whatever its
 * queues), so vmtap_tap_destroy() only closes them.
 */
int vt_tap_open_macvtap(struct vmtap_ctx *ctx, const char *netns, const char *name, int ifindex, unsigned int queues,
			bool vnet_hdr, struct vmtap_tap **ret_tap);

#endif

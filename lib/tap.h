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

/* How vt_tap_open() opens: create or attach, and what only the library itself may ask. */
struct vt_tap_how {
	bool attach;
	bool allow_tag;        /* opts->link may set a reserved alias: an ownership tag */
	int expect_ifindex;    /* attach: the device must still be this one (0: any) */
};
/* vmtap_tap_create() / vmtap_tap_attach(), with the library's own options. */
int vt_tap_open(struct vmtap_ctx *ctx, const struct vmtap_tap_opts *opts, const struct vt_tap_how *how,
		struct vmtap_tap **ret_tap);

#endif

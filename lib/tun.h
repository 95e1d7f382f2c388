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
	bool macvtap;          /* the queues of a macvtap: no persistence, the device lives until deleted */
	int *fds;
};

/*
 * Validate a queue's vnet header settings (no kernel involved): @vnet_hdr_sz
 * 0 (the kernel's 10), 10, 12 or 20, and only with the header; @offloads
 * known TUN_F_* bits, only with the header, segmentation only with csum.
 */
int vt_tun_vnet_check(struct vmtap_ctx *ctx, bool vnet_hdr, unsigned int vnet_hdr_sz, uint32_t offloads);
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
/*
 * TUNSETIFF on @fd with @flags (and @name, which only /dev/net/tun reads);
 * the device's name in @ret_name (may be NULL).  Also for macvtap queues,
 * whose driver takes exactly IFF_TAP|IFF_NO_PI plus IFF_VNET_HDR and
 * IFF_MULTI_QUEUE.  Return: 0 or the bare -errno of the ioctl.
 */
int vt_tun_set_iff(int fd, const char *name, unsigned short flags, char ret_name[VMTAP_IFNAMSIZ]);

/* What vt_tun_fd_setup() sets on one open queue. */
enum vt_tun_setup {
	VT_TUN_SET_HDR_SZ = 1u << 0,     /* TUNSETVNETHDRSZ: per queue on macvtap, per device on tun */
	VT_TUN_RESET_LE = 1u << 1,       /* TUNSETVNETLE off */
	VT_TUN_SET_OFFLOADS = 1u << 2,   /* TUNSETOFFLOAD: per device on both */
	VT_TUN_RESET_FILTER = 1u << 3,   /* TUNSETTXFILTER empty: tun only, macvtap has no filter */
};
/*
 * Set what @what names on the queue @fd of device @name: vnet header size
 * @vnet_hdr_sz (0: 10), offloads @offloads.  Shared by tun.c and macvtap.c,
 * whose queues take the same ioctls.  Reports, with the steps "set vnet
 * header", "set offloads" (also fault-injection points) and "reset filter".
 */
int vt_tun_fd_setup(struct vmtap_ctx *ctx, int fd, const char *name, unsigned int what, unsigned int vnet_hdr_sz,
		    uint32_t offloads);
/* A name vmtap makes up for a new device: "vmt" and 12 random hex digits. */
void vt_tun_random_name(char name[VMTAP_IFNAMSIZ]);
/* Close @n fds (-1 entries skipped) and mark them closed. */
void vt_tun_close_fds(int *fds, unsigned int n);

#endif

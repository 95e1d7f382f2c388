/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* macvtap devices: creating one on a parent link, and opening its character device inside its namespace without udev. */
/*
 * Owns: RTM_NEWLINK of kind macvtap, the checks on its parent, and the
 * queues of its character device (found through a private sysfs, opened
 * through a node in a private tmpfs, nothing left behind).
 * Must not: change the parent (its MAC and addresses are the endpoint's
 * business, see addr.h), or use /dev, udev or /dev/tap<ifindex>.
 */
#ifndef VMTAP_MACVTAP_H
#define VMTAP_MACVTAP_H

#include "nl.h"

/* IFLA_MACVLAN_MODE values (linux/if_link.h); 0 means bridge, Kata's choice. */
enum vt_macvtap_mode {
	VT_MACVTAP_MODE_DEFAULT = 0,
	VT_MACVTAP_PRIVATE = 1,
	VT_MACVTAP_VEPA = 2,
	VT_MACVTAP_BRIDGE = 4,
	VT_MACVTAP_PASSTHRU = 8,
};

/* "bridge", "vepa", "private", "passthru"; NULL for anything else (0 is "bridge"). */
const char *vt_macvtap_mode_name(enum vt_macvtap_mode mode);
/* The mode named @name (as vt_macvtap_mode_name() gives it); -EINVAL, unreported, when none. */
int vt_macvtap_mode_parse(const char *name, enum vt_macvtap_mode *ret_mode);

/*
 * Whether link @parent_ifindex can carry a macvtap of @mode with MAC @mac
 * (NULL: any): an Ethernet device that is neither a loopback, a TUN/TAP, a
 * macvlan, a macvtap nor an ipvtap, and @mac not its own.  Reports:
 * -ENODEV, -EMEDIUMTYPE, -EADDRINUSE.
 */
int vt_macvtap_parent_check(struct vmtap_ctx *ctx, struct vt_nl *nl, int parent_ifindex, enum vt_macvtap_mode mode,
			    const uint8_t *mac);

/**
 * vt_macvtap_create() - make a macvtap on @parent_ifindex, down, tagged
 * @ctx:	the context
 * @nl:		the handle of the namespace of the parent (and of the macvtap)
 * @name:	an exact name, a pattern with one "%d" (the lowest free number), or
 *		NULL for a name of vmtap's own ("vmt" + 12 random hex digits)
 * @parent_ifindex:	the parent's ifindex in @nl's namespace: an Ethernet
 *		device that is neither a loopback, a TUN/TAP, a macvlan, a macvtap
 *		nor an ipvtap
 * @mode:	bridge (also 0), vepa, private or passthru
 * @mac:	the macvtap's MAC (the guest's), or NULL for the kernel's choice;
 *		must not be the parent's own MAC, which the kernel accepts here
 *		but refuses when the macvtap goes up (EADDRINUSE): give the
 *		parent its new MAC first.  NULL in passthru mode, where the
 *		macvtap always has its parent's MAC (the kernel ignores one given,
 *		and a MAC set on the macvtap later is set on the parent)
 * @alias:	the ownership tag (IFLA_IFALIAS), or NULL
 * @ret_ifindex:	the new device's ifindex
 * @ret_name:	its name
 *
 * The kernel ignores IFLA_IFALIAS in a creating RTM_NEWLINK, so the alias is
 * set by a second request right after: if the process dies in between, an
 * untagged macvtap is left (down, with no queue open), which gc only finds
 * through a record naming it.  The device gets the root qdisc noqueue while
 * still down.  On any failure the device is deleted again.
 *
 * Return: 0, or a reported negative errno: -ENODEV (no such parent),
 * -EMEDIUMTYPE (a parent that cannot carry a macvtap), -EEXIST (@name
 * taken), -EADDRINUSE (@mac is the parent's), -EINVAL.
 */
int vt_macvtap_create(struct vmtap_ctx *ctx, struct vt_nl *nl, const char *name, int parent_ifindex,
		      enum vt_macvtap_mode mode, const uint8_t mac[6], const char *alias, int *ret_ifindex,
		      char ret_name[VMTAP_IFNAMSIZ]);

/* Flags of vt_macvtap_open(): the TUNSETIFF bits asked for on every queue. */
enum vt_macvtap_open_flags {
	VT_MACVTAP_VNET_HDR = 1u << 0,     /* IFF_VNET_HDR: a virtio-net header before each frame */
	VT_MACVTAP_MULTI_QUEUE = 1u << 1,  /* IFF_MULTI_QUEUE even with one queue (implied by more) */
};
#define VT_MACVTAP_OPEN_FLAGS_ALL 0x3u

/**
 * vt_macvtap_open() - open @queues queues of macvtap @name
 * @ctx:	the context
 * @netns:	the macvtap's namespace (name or path), NULL: the caller's
 * @name:	the macvtap's name there
 * @ifindex:	its ifindex as the caller knows it: a device that has another
 *		by now (renamed, or deleted and replaced) is refused (-ESTALE)
 * @queues:	1..256: each open of the character device is one queue; the
 *		kernel does not say how many a device has, callers count their fds
 * @flags:	enum vt_macvtap_open_flags
 * @vnet_hdr_sz:	0 (10), 10, 12 or 20; only with VT_MACVTAP_VNET_HDR
 * @offloads:	enum vmtap_offload (TUN_F_*); only with VT_MACVTAP_VNET_HDR
 * @ret_fds:	@queues entries: the queue fds, close-on-exec, the caller's
 *
 * The character device's major:minor is read from a sysfs mounted for the
 * macvtap's namespace, never from /dev (see the Theory of Operation in
 * macvtap.c).  Needs CAP_SYS_ADMIN (to mount sysfs and tmpfs, and to enter
 * @netns) and CAP_MKNOD.
 *
 * Return: 0, or a reported negative errno: -EPERM (a capability missing;
 * the message names them), -ENODEV (no such device), -EMEDIUMTYPE (not a
 * macvtap), -ESTALE, -EBUSY (the device holds 256 queues already).
 */
int vt_macvtap_open(struct vmtap_ctx *ctx, const char *netns, const char *name, int ifindex, unsigned int queues,
		    uint32_t flags, unsigned int vnet_hdr_sz, uint32_t offloads, int *ret_fds);

/*
 * Whether queue @fd still belongs to a macvtap device.  Deleting a macvtap
 * does not close its queues: they stay open, poll() says POLLOUT, writes
 * succeed and are silently dropped, reads wait forever; only TUNGETIFF
 * (ENOLINK, "Link has been severed") tells.  A VMM does not notice, so close
 * the fds before deleting the link (vt_link_del()) where possible.
 */
bool vt_macvtap_fd_alive(int fd);

/*
 * Parsers of the two sysfs files read (fuzzed in fuzz/): a "MAJOR:MINOR\n"
 * dev file, and a decimal ifindex file ("7\n").  Exactly that, nothing else;
 * -EBADMSG otherwise, outputs untouched.
 */
int vt_macvtap_parse_dev(const char *buf, size_t len, unsigned int *ret_major, unsigned int *ret_minor);
int vt_macvtap_parse_ifindex(const char *buf, size_t len, int *ret_ifindex);

#endif

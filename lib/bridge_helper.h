/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The wire format between vmtap-bridge-helper and its client: QEMU's one-byte message, or vmtap's multi-fd messages. */
/*
 * Owns: running a qemu-bridge-helper compatible program for a caller
 * (vmtap_bridge_helper_run()) and the wire format both sides speak; the
 * helper in helper/ includes this header too.
 * Must not: create or configure TAPs itself (the helper does, with its
 * privileges), let the helper inherit an fd it was not told of, or give
 * the caller part of a reply: every fd received is the caller's, or closed.
 */
#ifndef VMTAP_BRIDGE_HELPER_H
#define VMTAP_BRIDGE_HELPER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Without --queues and --vhost the helper sends exactly what QEMU's
 * qemu-bridge-helper sends: one sendmsg() of one byte, 0x00, carrying one fd
 * in SCM_RIGHTS.  With either option it sends protocol version 1: one or more
 * messages of VT_BH_MSG_SIZE bytes, each with 1..VT_BH_MAX_FDS_PER_MSG fds:
 *
 *   offset size  field
 *   0      1     version, 1 (QEMU's message has 0x00 here and is 1 byte long)
 *   1      1     kind: 1 TAP queue fds, 2 vhost-net fds
 *   2      2     queues: TAP queue fds the whole reply carries, 1..256
 *   4      2     vhosts: vhost-net fds the whole reply carries, 0 or queues
 *   6      2     first: index of this message's first fd among those of its kind
 *   8      2     count: fds attached to this message
 *   10     2     reserved, 0
 *
 * Integers are little-endian.  All queue messages come first, in index order,
 * then the vhost-net ones; a reply is complete when queues + vhosts fds have
 * arrived, after which the helper closes the socket and exits 0.
 */
#define VT_BH_QEMU_BYTE 0x00
#define VT_BH_VERSION 1
#define VT_BH_MSG_SIZE 12
#define VT_BH_MAX_FDS_PER_MSG 253 /* the kernel's SCM_MAX_FD */

enum vt_bh_kind {
	VT_BH_KIND_QUEUE = 1,
	VT_BH_KIND_VHOST = 2,
};

struct vt_bh_msg {
	uint8_t version;
	uint8_t kind;
	uint16_t queues;
	uint16_t vhosts;
	uint16_t first;
	uint16_t count;
};

/* Encode @m into @buf (VT_BH_MSG_SIZE bytes). */
void vt_bh_msg_encode(const struct vt_bh_msg *m, uint8_t buf[VT_BH_MSG_SIZE]);

/*
 * Decode one version-1 message from (@buf, @len) and check it on its own:
 * version, kind, queues 1..256, vhosts 0 or queues, 1..253 fds, within the
 * count of its kind, reserved bytes zero.  Returns 0 or -EBADMSG with the
 * reason in @err.  Fuzzed in fuzz/.
 */
int vt_bh_msg_parse(const void *buf, size_t len, struct vt_bh_msg *ret, char *err, size_t errlen);

/*
 * The receiver's running state: checks each message against the ones before
 * (same totals, kinds in order, no gap or overlap).  Start zeroed.
 */
struct vt_bh_reply {
	bool started;
	struct vt_bh_msg first_msg;
	unsigned int queues_got, vhosts_got;
};

/* Account @m (already parsed) into @st; -EBADMSG with the reason in @err when it does not follow. */
int vt_bh_reply_add(struct vt_bh_reply *st, const struct vt_bh_msg *m, char *err, size_t errlen);
/* Whether every fd the reply announced has arrived. */
bool vt_bh_reply_complete(const struct vt_bh_reply *st);

#endif

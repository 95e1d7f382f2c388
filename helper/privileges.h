/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Capabilities of vmtap-bridge-helper: CAP_NET_ADMIN kept, CAP_DAC_OVERRIDE only permitted and raised just to open /dev/net/tun. */
#ifndef VMTAP_BH_PRIVILEGES_H
#define VMTAP_BH_PRIVILEGES_H

#include <stdbool.h>
#include <stddef.h>

/* How the helper got its privileges, as seen at start. */
enum bh_mode {
	BH_MODE_UNPRIVILEGED = 0, /* no CAP_NET_ADMIN: it will refuse */
	BH_MODE_SETUID,           /* set-uid root, run by another user */
	BH_MODE_FILECAPS,         /* file capabilities (cap_net_admin+ep, perhaps cap_dac_override+p) */
	BH_MODE_ROOT,             /* run by root */
};

/*
 * Drop every capability but CAP_NET_ADMIN (effective and permitted) and, when
 * it was permitted, CAP_DAC_OVERRIDE (permitted only); the bounding set is
 * cleared where the helper may (set-uid and root).  A set-uid helper then
 * returns to the caller's real uid and gid, keeping the caller's
 * supplementary groups as QEMU's helper does, so that files are read as the
 * caller.  Reads no input.  Returns 0 or a negative errno with @err set.
 */
int bh_privileges_drop(enum bh_mode *ret_mode, char *err, size_t errlen);

/* Whether CAP_NET_ADMIN is effective (after bh_privileges_drop()). */
bool bh_privileges_net_admin(void);
/* Whether CAP_DAC_OVERRIDE is still permitted. */
bool bh_privileges_dac_permitted(void);

/* Make CAP_DAC_OVERRIDE effective (it must be permitted). */
int bh_privileges_dac_raise(void);
/* Drop CAP_DAC_OVERRIDE from the effective and the permitted set: it can never come back. */
int bh_privileges_dac_forget(void);

const char *bh_mode_name(enum bh_mode mode);

#endif

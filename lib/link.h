/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Links over rtnetlink: the RTM_NEWLINK parser, look-ups, dumps, delete. */
/*
 * Owns: reading links and deleting them (one, or many with one kernel
 * synchronisation).
 * Must not: change a link's settings beyond what deleting it takes (down,
 * and a link group for a bulk delete; link_set.c does the rest,
 * transactionally), or know about TAP queues, endpoints or tags.
 */
#ifndef VMTAP_LINK_H
#define VMTAP_LINK_H

#include "nl.h"

/* Parse one RTM_NEWLINK message from (buf, len); fuzzed in fuzz/. */
int vt_link_parse(const void *buf, size_t len, struct vmtap_link_info *ret_info);
/* Look up a link by @name, or by @ifindex when @name is NULL; reports, -ENODEV when absent. */
int vt_link_get(struct vmtap_ctx *ctx, struct vt_nl *nl, const char *name, int ifindex,
		struct vmtap_link_info *ret_info);
/* Call @fn for each link (tun only with @tun_only; statistics with @stats); reports. */
int vt_link_dump(struct vmtap_ctx *ctx, struct vt_nl *nl, bool tun_only, bool stats,
		 vmtap_link_fn fn, void *userdata);
/* Bring link @ifindex (or @name) down and delete it, in one sendmsg(); reports, -ENODEV when absent. */
int vt_link_del(struct vmtap_ctx *ctx, struct vt_nl *nl, int ifindex, const char *name);

#endif

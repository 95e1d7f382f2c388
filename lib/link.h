/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Internal rtnetlink helpers shared by the modules that build on link.c. */
#ifndef VMTAP_LINK_H
#define VMTAP_LINK_H

#include <stdbool.h>
#include <libmnl/libmnl.h>
#include <linux/rtnetlink.h>

#include "internal.h"

/*
 * A dump request: a GET (RTM_GET* types are 2 mod 4) with both bits of
 * NLM_F_DUMP.  The kernel takes either bit on a GET for a dump; vmtap always
 * sets both, and in a NEW request those bits are NLM_F_REPLACE/NLM_F_EXCL.
 */
static inline bool vt_nl_is_dump(const struct nlmsghdr *nlh)
{
	return nlh->nlmsg_type >= RTM_BASE && (nlh->nlmsg_type & 3) == 2 &&
	       (nlh->nlmsg_flags & NLM_F_DUMP) == NLM_F_DUMP;
}

int vt_nl_talk(struct vmtap_ctx *ctx, struct vt_nl *nl, struct nlmsghdr *nlh, mnl_cb_t cb, void *data);
int vt_nl_talk_batch(struct vmtap_ctx *ctx, struct vt_nl *nl, size_t n,
		     void (*build)(struct nlmsghdr *nlh, size_t i, void *data), void *data);
int vt_link_get(struct vmtap_ctx *ctx, struct vt_nl *nl, const char *name, int ifindex,
		struct vmtap_link_info *ret_info);
int vt_link_dump(struct vmtap_ctx *ctx, struct vt_nl *nl, bool tun_only, bool stats,
		 vmtap_link_fn fn, void *userdata);
int vt_link_del(struct vmtap_ctx *ctx, struct vt_nl *nl, int ifindex, const char *name);

/*
 * Copy the caller's @opts into a full-size struct and validate them (no
 * kernel involved).  An alias that starts like an ownership tag ("vmtap:",
 * "vmtap-") is refused unless @allow_tag: only the library writes tags.
 */
int vt_link_set_validate(struct vmtap_ctx *ctx, const struct vmtap_link_set_opts *opts, bool allow_tag,
			 struct vmtap_link_set_opts *ret_opts);
/* Validate @opts and apply them to @name in @netns (see vmtap_link_set()). */
int vt_link_set_checked(struct vmtap_ctx *ctx, const char *netns, const char *name,
			const struct vmtap_link_set_opts *opts, bool allow_tag);

#endif

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Link settings applied as one transaction. */
/*
 * Owns: changing a link's settings and putting them back when the kernel
 * refuses one.  Must not: create or delete links, or write an ownership tag
 * for anyone but the library itself (@allow_tag).
 */
#ifndef VMTAP_LINK_SET_H
#define VMTAP_LINK_SET_H

#include "nl.h"

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

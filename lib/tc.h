/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Traffic control over rtnetlink: the root qdisc of a link. */
/*
 * Owns: qdiscs (and, later, filters) vmtap makes.  Must not: touch a qdisc
 * or filter it did not make.
 */
#ifndef VMTAP_TC_H
#define VMTAP_TC_H

#include "nl.h"

/* Kind of root qdisc vmtap gives the TAP devices it creates. */
#define VT_TC_TAP_ROOT "noqueue"

/*
 * Build, in @buf (at least VT_TC_MSG_SIZE bytes, 8-byte aligned), an
 * RTM_NEWQDISC that makes @kind the root qdisc of @ifindex, replacing any.
 * Return: the message, or NULL when @kind is empty or too long.
 */
#define VT_TC_MSG_SIZE 128
struct nlmsghdr *vt_tc_root_msg(void *buf, int ifindex, const char *kind);

/* Make @kind (such as "noqueue") the root qdisc of @ifindex. */
int vt_tc_root_set(struct vmtap_ctx *ctx, struct vt_nl *nl, int ifindex, const char *name, const char *kind);

#endif

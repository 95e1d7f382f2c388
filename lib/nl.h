/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The rtnetlink transport through libmnl: one socket per namespace, request/ack, batches, dumps. */
/*
 * Owns: NETLINK_ROUTE sockets (opened inside their namespace, cached in the
 * context), sequence numbers, reading replies to their end, the kernel's
 * extended ack of the last request.
 * Must not: know what a link or a qdisc is, or report: an exchange returns
 * the kernel's bare -errno and keeps its explanation on the handle
 * (vt_nl_ack()) for the caller, who knows the step, to report with
 * vt_fail_ack().
 */
#ifndef VMTAP_NL_H
#define VMTAP_NL_H

#include <stdbool.h>
#include <string.h>
#include <libmnl/libmnl.h>
#include <linux/rtnetlink.h>

#include "ctx.h"

/* Large enough for every request vmtap builds (a link with all its settings, a filter with its action). */
#define VT_NL_REQ_SIZE 8192

struct vt_nl;

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

/* The handle for namespace @netns (NULL: the caller's), opened there once and cached in @ctx; reports. */
int vt_nl_get(struct vmtap_ctx *ctx, const char *netns, struct vt_nl **ret_nl);
/*
 * Send @nlh (sequence number and NLM_F_ACK set here) and read its whole
 * reply, passing each message to @cb (may be NULL).
 * Return: 0 or the kernel's -errno, its extended ack in vt_nl_ack().
 */
int vt_nl_talk(struct vt_nl *nl, struct nlmsghdr *nlh, mnl_cb_t cb, void *data);
/*
 * A dump, read to its end even when a change interrupts it (NLM_F_DUMP_INTR):
 * *@ret_interrupted says whether one did, so the caller can repeat it.
 * Return: as vt_nl_talk().
 */
int vt_nl_dump(struct vt_nl *nl, struct nlmsghdr *nlh, mnl_cb_t cb, void *data, bool *ret_interrupted);
/*
 * @n requests built by @build into one sendmsg() per burst; every one is
 * answered before it returns.  Return: 0 or the first -errno, with its ack.
 */
int vt_nl_talk_batch(struct vt_nl *nl, size_t n, void (*build)(struct nlmsghdr *nlh, size_t i, void *data),
		     void *data);
/* The kernel's extended ack of the last failed request on @nl ("" when none). */
const struct vt_ack *vt_nl_ack(const struct vt_nl *nl);

/*
 * Start a request in @buf (@size bytes), zeroed first: libmnl 1.0.4 does not
 * clear the padding after an attribute, which would send stack bytes to the
 * kernel (and make valgrind complain).  Return: the message header.
 */
static inline struct nlmsghdr *vt_nl_msg_new(void *buf, size_t size)
{
	memset(buf, 0, size);
	return mnl_nlmsg_put_header(buf);
}

/*
 * Attributes of one nesting level, indexed by type, for the parsers of
 * kernel messages: vt_nl_attr_table_cb() as the callback of
 * mnl_attr_parse() / mnl_attr_parse_nested() fills @tb[type], ignoring
 * types above @max (a newer kernel's).
 */
struct vt_nl_attr_table {
	const struct nlattr **tb;
	unsigned int max;
};
int vt_nl_attr_table_cb(const struct nlattr *attr, void *data);

#endif

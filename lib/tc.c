/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Traffic control over rtnetlink with libmnl: the root qdisc of the TAP devices vmtap creates. */
/**
 * DOC: Theory of Operation
 *
 * A device starts with the noop qdisc; the first time it goes up the kernel
 * attaches its defaults: for a multi-queue TAP, which always has 256 transmit
 * queues, an mq root with 256 pfifo_fast children (some 3 MB of zeroed memory,
 * allocated at every up and freed at every delete).  A TAP never pushes back
 * (tun_net_xmit() drops when the queue's ring is full), so those qdiscs never
 * hold a packet: they only cost time and memory.  libvirt gives its TAP
 * devices a noqueue root for that reason, and so does vmtap: set while the new
 * device is still down, the defaults are never allocated at all.
 *
 * Deleting the root qdisc gives the kernel's defaults back, so the choice can
 * be undone with `tc qdisc del dev NAME root`.
 */
#include <stdio.h>
#include <string.h>
#include <linux/pkt_sched.h>
#include <linux/rtnetlink.h>

#include "tc.h"

struct nlmsghdr *vt_tc_root_msg(void *buf, int ifindex, const char *kind)
{
	struct nlmsghdr *nlh;
	struct tcmsg *tcm;
	size_t len = kind ? strlen(kind) : 0;

	/* TCA_KIND is IFNAMSIZ bytes in the kernel, its NUL included */
	if (!len || len >= 16)
		return NULL;
	memset(buf, 0, VT_TC_MSG_SIZE);
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = RTM_NEWQDISC;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_CREATE | NLM_F_REPLACE;
	tcm = mnl_nlmsg_put_extra_header(nlh, sizeof(*tcm));
	tcm->tcm_family = AF_UNSPEC;
	tcm->tcm_ifindex = ifindex;
	tcm->tcm_parent = TC_H_ROOT;
	if (!mnl_attr_put_strz_check(nlh, VT_TC_MSG_SIZE, TCA_KIND, kind))
		return NULL;
	return nlh;
}

int vt_tc_root_set(struct vmtap_ctx *ctx, struct vt_nl *nl, int ifindex, const char *name, const char *kind)
{
	char buf[VT_TC_MSG_SIZE] __attribute__((aligned(8))) = { 0 };
	struct nlmsghdr *nlh = vt_tc_root_msg(buf, ifindex, kind);
	int r;

	if (!nlh)
		return vt_fail(ctx, -EINVAL, "set qdisc", "qdisc kind '%s' is not valid", kind ? kind : "");
	if ((r = vt_fault(ctx, "set qdisc")) < 0)
		return r;
	r = vt_fault_active(ctx, "no qdisc layer") ? -EOPNOTSUPP : vt_nl_talk(nl, nlh, NULL, NULL);
	if (r == -EOPNOTSUPP) {
		/* a kernel without CONFIG_NET_SCHED has no RTM_NEWQDISC, and no qdiscs to spare either */
		vt_log(ctx, VMTAP_LOG_INFO, "%s: the kernel has no qdisc layer: root %s not set", name, kind);
		return 0;
	}
	if (r < 0)
		return vt_fail_ack(ctx, r, vt_nl_ack(nl), "set qdisc", "%s: root %s", name, kind);
	return 0;
}

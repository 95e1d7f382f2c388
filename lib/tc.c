/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Traffic control over rtnetlink with libmnl: root qdiscs of vmtap's TAPs, ingress qdiscs, u32 + mirred redirects. */
/**
 * DOC: Theory of Operation
 *
 * Root qdisc.  A device starts with the noop qdisc; the first time it goes up
 * the kernel attaches its defaults: for a multi-queue TAP, which always has
 * 256 transmit queues, an mq root with 256 pfifo_fast children (some 3 MB of
 * zeroed memory, allocated at every up and freed at every delete).  A TAP
 * never pushes back (tun_net_xmit() drops when the queue's ring is full), so
 * those qdiscs never hold a packet: they only cost time and memory.  libvirt
 * gives its TAP devices a noqueue root for that reason, and so does vmtap:
 * set while the new device is still down, the defaults are never allocated
 * at all.  Deleting the root qdisc gives the kernel's defaults back, so the
 * choice can be undone with `tc qdisc del dev NAME root`.
 *
 * Redirects.  A VM is cross-connected with a device (a pod's veth), as Kata's
 * tcfilter model and tc-redirect-tap do it: on each of the two devices an
 * ingress-hook filter that matches every packet (u32, one key with mask 0;
 * the matchall classifier is not built into every kernel) and redirects it
 * to the egress of the other (mirred, TC_ACT_STOLEN).
 *
 * The ingress hook is shared with other agents (Cilium, Calico, the CNI
 * bandwidth plugin, monitoring tools), so:
 *
 * - The qdisc is created with NLM_F_EXCL: success is the only proof that
 *   vmtap made it (without EXCL, an existing ingress qdisc answers 0 too).
 *   EEXIST means "something sits in the ingress slot", whatever its kind:
 *   an ingress or clsact qdisc (both use that one slot) is shared, not
 *   replaced and not refused (containernetworking/plugins #894).  EBUSY and
 *   EAGAIN are retried a few times with a short linear backoff: Kata met
 *   EBUSY on devices Cilium had just made (Kata PR #12959); it was not
 *   reproduced here (400 racing adds and deletes on kernel 6.18 gave only
 *   EEXIST and EINVAL), but the retry costs nothing.
 * - Filters sit at parent ffff:fff2, the ingress hook of a clsact qdisc,
 *   which an ingress qdisc accepts as its own hook too.  ffff:0000, which
 *   Kata and tc-redirect-tap use, is refused by a clsact qdisc: that is why
 *   they cannot share a device with agents that use clsact.
 * - The filter goes at the caller's priority, which must be free (a dump of
 *   that priority comes first), with the node handle 0x800 and
 *   NLM_F_EXCL|NLM_F_ECHO: the kernel picks the hash table part of the
 *   handle (it depends on what the qdisc held before), and the echo says
 *   which.  Why look first: EXCL does not protect a priority.  A priority
 *   holding a u32 key at our node fails (ENOSPC, not EEXIST), one holding
 *   another kind or protocol fails with EINVAL, but a u32 with other keys
 *   would take ours in, after its own.  All are "priority taken" (EEXIST)
 *   for callers; the kernel's refusals remain for a race with the look.
 * - Every vmtap filter carries an action cookie (TCA_ACT_COOKIE, 16 bytes,
 *   kept by the kernel and returned in every dump): "vmt", a version, the
 *   state directory's identity and a hash of the endpoint id.  It is the only
 *   reliable ownership tag.  u32's hash tables belong to the qdisc, not to a
 *   priority: a get or a delete by (priority, handle) can reach another
 *   priority's key, or the other direction's of a clsact, and the dumped
 *   parent of an ingress qdisc's filters is whatever the last add used.  So
 *   a filter is deleted only by its full handle, after a get that shows our
 *   cookie; a priority of 0 is never sent, nor a handle of 0 but for one
 *   case (the kernel takes them as wildcards: a whole priority, or every
 *   filter of the hook).  That case: deleting the last key of a priority
 *   takes the priority's u32 header and root table along only when no
 *   other u32 is on the qdisc; otherwise (next to the CNI bandwidth
 *   plugin's u32, say) they stay, and vmtap deletes the priority itself
 *   when a dump shows exactly those two and nothing else, with TCA_KIND
 *   "u32" so that the kernel refuses if another kind took it meanwhile.
 * - The qdisc is deleted only if vmtap created it and no filter at all is
 *   left on it: deleting a qdisc deletes its filters, foreign ones included.
 *   Between that check and the delete another agent could add a filter; the
 *   window is one round trip, and no lock is shared with other agents.
 *
 * What a redirect cannot see: filters run in priority order, lowest number
 * first.  A foreign filter at a lower number that matches a packet and ends
 * its classification (a bpf program returning a class, say) takes it before
 * vmtap's filter runs: the packet goes on to the device's own stack (the
 * pod's, which keeps its addresses), not to the VM, and nothing reports an
 * error; ping may even be answered, by the pod instead of the guest.  The
 * priority is the caller's choice for that reason (--tc-prio).
 *
 * A mirred whose target device is deleted stays, redirecting to nothing
 * (its dumped ifindex becomes 0) and dropping every packet of the device it
 * sits on: the pod's side is removed before the TAP, and gc removes vmtap
 * filters whose target is gone.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <linux/pkt_cls.h>
#include <linux/pkt_sched.h>
#include <linux/rtnetlink.h>
#include <linux/tc_act/tc_mirred.h>

#include "tc.h"

/* ---- root qdisc ---- */

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

/* ---- ownership cookie ---- */

static const uint8_t cookie_magic[3] = { 'v', 'm', 't' };

static uint32_t fnv1a32(const char *s)
{
	uint32_t h = 2166136261u;

	for (const char *p = s ? s : ""; *p; p++) {
		h ^= (uint8_t)*p;
		h *= 16777619u;
	}
	return h;
}

static int hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* The 8 bytes of a state identity written as exactly 16 hex digits; false for anything else. */
static bool state_id_decode(const char *state_id, uint8_t out[8])
{
	uint8_t v[8];

	if (!state_id || strlen(state_id) != VT_TC_STATE_ID_LEN)
		return false;
	for (size_t i = 0; i < 8; i++) {
		int hi = hex_value(state_id[2 * i]), lo = hex_value(state_id[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return false;
		v[i] = (uint8_t)(hi << 4 | lo);
	}
	memcpy(out, v, sizeof(v));
	return true;
}

int vt_tc_cookie_make(uint8_t out[VT_TC_COOKIE_LEN], const char *state_id, const char *endpoint_id)
{
	uint8_t state[8];
	uint32_t h = fnv1a32(endpoint_id);

	if (!state_id_decode(state_id, state))
		return -EINVAL;
	memcpy(out, cookie_magic, sizeof(cookie_magic));
	out[3] = VT_TC_COOKIE_VERSION;
	memcpy(out + 4, state, sizeof(state));
	out[12] = (uint8_t)(h >> 24);
	out[13] = (uint8_t)(h >> 16);
	out[14] = (uint8_t)(h >> 8);
	out[15] = (uint8_t)h;
	return 0;
}

int vt_tc_cookie_parse(const uint8_t *buf, size_t len, struct vt_tc_cookie *ret)
{
	struct vt_tc_cookie c = { 0 };

	/* a later version may grow the cookie, never past the kernel's 16 bytes: only version 1 is read */
	if (!buf || len != VT_TC_COOKIE_LEN || memcmp(buf, cookie_magic, sizeof(cookie_magic)) ||
	    buf[3] != VT_TC_COOKIE_VERSION)
		return -EINVAL;
	c.version = buf[3];
	memcpy(c.state, buf + 4, sizeof(c.state));
	c.endpoint_hash = (uint32_t)buf[12] << 24 | (uint32_t)buf[13] << 16 | (uint32_t)buf[14] << 8 | buf[15];
	*ret = c;
	return 0;
}

bool vt_tc_cookie_matches(const uint8_t *buf, size_t len, const char *state_id, const char *endpoint_id)
{
	struct vt_tc_cookie c;
	uint8_t state[8];

	if (vt_tc_cookie_parse(buf, len, &c) < 0 || !state_id_decode(state_id, state))
		return false;
	if (memcmp(c.state, state, sizeof(state)))
		return false;
	return !endpoint_id || c.endpoint_hash == fnv1a32(endpoint_id);
}

/* ---- requests ---- */

static struct nlmsghdr *tcmsg_start(void *buf, uint16_t type, uint16_t flags, int ifindex, uint32_t parent,
				    uint32_t handle, uint32_t info)
{
	struct nlmsghdr *nlh;
	struct tcmsg *tcm;

	memset(buf, 0, VT_TC_REQ_SIZE);
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	tcm = mnl_nlmsg_put_extra_header(nlh, sizeof(*tcm));
	tcm->tcm_family = AF_UNSPEC;
	tcm->tcm_ifindex = ifindex;
	tcm->tcm_parent = parent;
	tcm->tcm_handle = handle;
	tcm->tcm_info = info;
	return nlh;
}

/* tcm_info of a filter: priority in the upper half, protocol (network order) in the lower. */
static uint32_t filter_info(uint16_t prio, uint16_t protocol)
{
	return TC_H_MAKE((uint32_t)prio << 16, htons(protocol));
}

/* A u32 handle as tc(8) prints it: "800::800", "801:2:abc", "800:" for a table. */
struct u32_fh {
	char s[24];
};

static struct u32_fh u32_fh(uint32_t h)
{
	struct u32_fh f;

	if (!TC_U32_NODE(h) && !((h >> 12) & 0xff))
		snprintf(f.s, sizeof(f.s), "%x:", TC_U32_USERHTID(h));
	else if (!((h >> 12) & 0xff))
		snprintf(f.s, sizeof(f.s), "%x::%x", TC_U32_USERHTID(h), TC_U32_NODE(h));
	else
		snprintf(f.s, sizeof(f.s), "%x:%x:%x", TC_U32_USERHTID(h), (h >> 12) & 0xff, TC_U32_NODE(h));
	return f;
}

struct nlmsghdr *vt_tc_ingress_msg(void *buf, uint16_t type, int ifindex)
{
	/* the slot's handle is always ffff: (the kernel forces it); parent ffff:fff1 is the slot itself */
	switch (type) {
	case RTM_NEWQDISC: {
		struct nlmsghdr *nlh = tcmsg_start(buf, type, NLM_F_CREATE | NLM_F_EXCL, ifindex, TC_H_INGRESS,
						   TC_H_MAKE(TC_H_INGRESS, 0), 0);
		mnl_attr_put_strz(nlh, TCA_KIND, "ingress");
		return nlh;
	}
	case RTM_GETQDISC:
		/* handle 0: whatever sits in the slot; without NLM_F_ECHO the kernel only acks */
		return tcmsg_start(buf, type, NLM_F_ECHO, ifindex, TC_H_INGRESS, 0, 0);
	case RTM_DELQDISC: {
		/* with TCA_KIND the kernel refuses to delete a clsact that replaced our ingress meanwhile */
		struct nlmsghdr *nlh = tcmsg_start(buf, type, 0, ifindex, TC_H_INGRESS, TC_H_MAKE(TC_H_INGRESS, 0), 0);
		mnl_attr_put_strz(nlh, TCA_KIND, "ingress");
		return nlh;
	}
	default:
		return NULL;
	}
}

struct nlmsghdr *vt_tc_qdisc_dump_msg(void *buf)
{
	return tcmsg_start(buf, RTM_GETQDISC, NLM_F_DUMP, 0, 0, 0, 0);
}

struct nlmsghdr *vt_tc_redirect_msg(void *buf, int src, uint16_t prio, int dst, const uint8_t cookie[VT_TC_COOKIE_LEN])
{
	/* struct tc_u32_sel and its one key, all zero but the flags and the count: mask 0 matches everything */
	uint8_t sel[sizeof(struct tc_u32_sel) + sizeof(struct tc_u32_key)] = { 0 };
	const struct tc_u32_sel head = { .flags = TC_U32_TERMINAL, .nkeys = 1 };
	const struct tc_mirred mirred = { .action = TC_ACT_STOLEN, .eaction = TCA_EGRESS_REDIR, .ifindex = (uint32_t)dst };
	struct nlattr *opts, *acts, *act, *aopts;
	struct nlmsghdr *nlh;

	if (!prio)
		return NULL;
	memcpy(sel, &head, sizeof(head));
	nlh = tcmsg_start(buf, RTM_NEWTFILTER, NLM_F_CREATE | NLM_F_EXCL | NLM_F_ECHO, src, VT_TC_PARENT_INGRESS,
			  VT_TC_U32_NODE, filter_info(prio, ETH_P_ALL));
	mnl_attr_put_strz(nlh, TCA_KIND, "u32");
	opts = mnl_attr_nest_start(nlh, TCA_OPTIONS);
	mnl_attr_put(nlh, TCA_U32_SEL, sizeof(sel), sel);
	acts = mnl_attr_nest_start(nlh, TCA_U32_ACT);
	act = mnl_attr_nest_start(nlh, 1); /* the action list's first (and only) entry */
	mnl_attr_put_strz(nlh, TCA_ACT_KIND, "mirred");
	aopts = mnl_attr_nest_start(nlh, TCA_ACT_OPTIONS);
	mnl_attr_put(nlh, TCA_MIRRED_PARMS, sizeof(mirred), &mirred);
	mnl_attr_nest_end(nlh, aopts);
	mnl_attr_put(nlh, TCA_ACT_COOKIE, VT_TC_COOKIE_LEN, cookie);
	mnl_attr_nest_end(nlh, act);
	mnl_attr_nest_end(nlh, acts);
	mnl_attr_nest_end(nlh, opts);
	return nlh;
}

struct nlmsghdr *vt_tc_filter_msg(void *buf, uint16_t type, int ifindex, uint16_t prio, uint32_t handle)
{
	/* prio 0, handle 0 or a table without a node: wildcards to the kernel, which would take more than one filter */
	if (!prio || !TC_U32_NODE(handle) || !TC_U32_HTID(handle))
		return NULL;
	if (type != RTM_GETTFILTER && type != RTM_DELTFILTER)
		return NULL;
	return tcmsg_start(buf, type, type == RTM_GETTFILTER ? NLM_F_ECHO : 0, ifindex, VT_TC_PARENT_INGRESS, handle,
			   filter_info(prio, ETH_P_ALL));
}

struct nlmsghdr *vt_tc_filter_dump_msg(void *buf, int ifindex, uint16_t prio)
{
	/* a non-zero priority in tcm_info makes the kernel skip the others; protocol 0: all */
	return tcmsg_start(buf, RTM_GETTFILTER, NLM_F_DUMP, ifindex, VT_TC_PARENT_INGRESS, 0, filter_info(prio, 0));
}

struct nlmsghdr *vt_tc_prio_del_msg(void *buf, int ifindex, uint16_t prio)
{
	struct nlmsghdr *nlh;

	if (!prio)
		return NULL;
	nlh = tcmsg_start(buf, RTM_DELTFILTER, 0, ifindex, VT_TC_PARENT_INGRESS, 0, filter_info(prio, ETH_P_ALL));
	/* the kernel refuses the delete when the priority holds another kind */
	mnl_attr_put_strz(nlh, TCA_KIND, "u32");
	return nlh;
}

/* ---- parsing ---- */

static int parse_nested(const struct nlattr *nest, const struct nlattr **tb, unsigned int max)
{
	return mnl_attr_parse_nested(nest, vt_nl_attr_table_cb, &(struct vt_nl_attr_table){ tb, max });
}

/*
 * The header and attributes of one tc message of @type (struct tcmsg).  The
 * length discipline of vt_link_parse(): libmnl trusts nlmsg_len, compares
 * lengths as int and walks attributes to the aligned length.
 */
static const struct tcmsg *tc_msg_parse(const void *buf, size_t len, uint16_t type, const struct nlattr **tb)
{
	const struct nlmsghdr *nlh = buf;

	if (!buf || len < sizeof(*nlh) || nlh->nlmsg_len < sizeof(*nlh) || nlh->nlmsg_len > len ||
	    nlh->nlmsg_len % MNL_ALIGNTO)
		return NULL;
	if (nlh->nlmsg_type != type || nlh->nlmsg_len < mnl_nlmsg_size(sizeof(struct tcmsg)))
		return NULL;
	if (mnl_attr_parse(nlh, sizeof(struct tcmsg), vt_nl_attr_table_cb, &(struct vt_nl_attr_table){ tb, TCA_MAX }) < 0)
		return NULL;
	return mnl_nlmsg_get_payload(nlh);
}

/* TCA_KIND: a NUL-terminated string that fits the kernel's 16 bytes. */
static bool get_kind(const struct nlattr *a, char out[16])
{
	if (!a || mnl_attr_validate(a, MNL_TYPE_NUL_STRING) < 0 || mnl_attr_get_payload_len(a) > 16)
		return false;
	snprintf(out, 16, "%s", mnl_attr_get_str(a));
	return true;
}

int vt_tc_qdisc_parse(const void *buf, size_t len, struct vt_tc_qdisc *ret)
{
	const struct nlattr *tb[TCA_MAX + 1] = { 0 };
	const struct tcmsg *tcm = tc_msg_parse(buf, len, RTM_NEWQDISC, tb);
	struct vt_tc_qdisc q = { 0 };

	if (!tcm || !get_kind(tb[TCA_KIND], q.kind) || !q.kind[0] || tcm->tcm_ifindex <= 0)
		return -EBADMSG;
	q.ifindex = tcm->tcm_ifindex;
	q.handle = tcm->tcm_handle;
	q.parent = tcm->tcm_parent;
	*ret = q;
	return 0;
}

/* One entry of a filter's action list: its kind, and for the first mirred its parameters and cookie. */
static int parse_action(const struct nlattr *act, struct vt_tc_filter *f)
{
	const struct nlattr *tb[TCA_ACT_MAX + 1] = { 0 };
	const struct nlattr *mtb[TCA_MIRRED_MAX + 1] = { 0 };
	struct tc_mirred parms;

	if (parse_nested(act, tb, TCA_ACT_MAX) < 0)
		return -EBADMSG;
	if (!tb[TCA_ACT_KIND] || mnl_attr_validate(tb[TCA_ACT_KIND], MNL_TYPE_NUL_STRING) < 0)
		return -EBADMSG;
	if (strcmp(mnl_attr_get_str(tb[TCA_ACT_KIND]), "mirred") || f->has_mirred)
		return 0;
	if (!tb[TCA_ACT_OPTIONS] || parse_nested(tb[TCA_ACT_OPTIONS], mtb, TCA_MIRRED_MAX) < 0)
		return -EBADMSG;
	if (!mtb[TCA_MIRRED_PARMS] || mnl_attr_get_payload_len(mtb[TCA_MIRRED_PARMS]) < sizeof(parms))
		return -EBADMSG;
	memcpy(&parms, mnl_attr_get_payload(mtb[TCA_MIRRED_PARMS]), sizeof(parms));
	f->has_mirred = true;
	f->mirred_action = parms.action;
	f->mirred_eaction = parms.eaction;
	f->mirred_ifindex = parms.ifindex;
	f->mirred_index = parms.index;
	if (tb[TCA_ACT_COOKIE]) {
		uint16_t n = mnl_attr_get_payload_len(tb[TCA_ACT_COOKIE]);
		/* the kernel keeps 1..TC_COOKIE_MAX_SIZE bytes */
		if (n == 0 || n > VT_TC_COOKIE_LEN)
			return -EBADMSG;
		memcpy(f->cookie, mnl_attr_get_payload(tb[TCA_ACT_COOKIE]), n);
		f->cookie_len = (uint8_t)n;
	}
	return 0;
}

static int parse_u32(const struct nlattr *opts, struct vt_tc_filter *f)
{
	const struct nlattr *tb[TCA_U32_MAX + 1] = { 0 };
	const struct nlattr *atb[TCA_ACT_MAX_PRIO + 1] = { 0 };

	if (parse_nested(opts, tb, TCA_U32_MAX) < 0)
		return -EBADMSG;
	if (tb[TCA_U32_DIVISOR]) {
		if (mnl_attr_validate(tb[TCA_U32_DIVISOR], MNL_TYPE_U32) < 0)
			return -EBADMSG;
		f->u32_divisor = mnl_attr_get_u32(tb[TCA_U32_DIVISOR]);
	}
	if (tb[TCA_U32_SEL]) {
		const uint8_t *sel = mnl_attr_get_payload(tb[TCA_U32_SEL]);
		size_t n = mnl_attr_get_payload_len(tb[TCA_U32_SEL]);
		struct tc_u32_sel head;
		struct tc_u32_key key;

		/* the struct, then nkeys keys; copied out, as attributes are only 4-byte aligned */
		if (n < sizeof(head))
			return -EBADMSG;
		memcpy(&head, sel, sizeof(head));
		if (n < sizeof(head) + (size_t)head.nkeys * sizeof(key))
			return -EBADMSG;
		f->u32_sel_flags = head.flags;
		f->u32_nkeys = head.nkeys;
		if (head.nkeys == 1) {
			memcpy(&key, sel + sizeof(head), sizeof(key));
			f->u32_match_all = key.mask == 0 && key.val == 0 && (head.flags & TC_U32_TERMINAL);
		}
	}
	/* a key has a node id and a selector; a hash table (800:, from the root one up) has neither, but a divisor */
	if (TC_U32_NODE(f->handle) && tb[TCA_U32_SEL] && !tb[TCA_U32_DIVISOR])
		f->u32 = VT_TC_U32_RULE;
	else if (f->handle && !TC_U32_NODE(f->handle) && !tb[TCA_U32_SEL])
		f->u32 = VT_TC_U32_TABLE;
	else
		f->u32 = VT_TC_U32_OTHER;
	if (f->u32 != VT_TC_U32_RULE)
		f->u32_match_all = false;
	if (tb[TCA_U32_ACT]) {
		if (parse_nested(tb[TCA_U32_ACT], atb, TCA_ACT_MAX_PRIO) < 0)
			return -EBADMSG;
		for (size_t i = 1; i < ARRAY_SIZE(atb); i++) {
			if (!atb[i])
				continue;
			f->n_actions++;
			if (parse_action(atb[i], f) < 0)
				return -EBADMSG;
		}
	}
	return 0;
}

int vt_tc_filter_parse(const void *buf, size_t len, struct vt_tc_filter *ret)
{
	const struct nlattr *tb[TCA_MAX + 1] = { 0 };
	const struct tcmsg *tcm = tc_msg_parse(buf, len, RTM_NEWTFILTER, tb);
	struct vt_tc_filter f = { 0 };

	if (!tcm || !get_kind(tb[TCA_KIND], f.kind) || !f.kind[0])
		return -EBADMSG;
	f.ifindex = tcm->tcm_ifindex;
	f.parent = tcm->tcm_parent;
	f.handle = tcm->tcm_handle;
	f.prio = (uint16_t)(TC_H_MAJ(tcm->tcm_info) >> 16);
	f.protocol = ntohs((uint16_t)TC_H_MIN(tcm->tcm_info));
	if (tb[TCA_CHAIN]) {
		if (mnl_attr_validate(tb[TCA_CHAIN], MNL_TYPE_U32) < 0)
			return -EBADMSG;
		f.chain = mnl_attr_get_u32(tb[TCA_CHAIN]);
	}
	if (!strcmp(f.kind, "u32")) {
		/* the first message of each u32 priority: no handle, no options */
		if (!f.handle && !tb[TCA_OPTIONS])
			f.u32 = VT_TC_U32_HEADER;
		else if (!tb[TCA_OPTIONS])
			f.u32 = VT_TC_U32_OTHER;
		else if (parse_u32(tb[TCA_OPTIONS], &f) < 0)
			return -EBADMSG;
	}
	*ret = f;
	return 0;
}

bool vt_tc_filter_is_redirect(const struct vt_tc_filter *f)
{
	return f->u32 == VT_TC_U32_RULE && f->u32_match_all && f->u32_nkeys == 1 && f->n_actions == 1 &&
	       f->has_mirred && f->mirred_action == TC_ACT_STOLEN && f->mirred_eaction == TCA_EGRESS_REDIR;
}

bool vt_tc_filter_has_cookie(const struct vt_tc_filter *f, const uint8_t cookie[VT_TC_COOKIE_LEN])
{
	return f->has_mirred && f->cookie_len == VT_TC_COOKIE_LEN && !memcmp(f->cookie, cookie, VT_TC_COOKIE_LEN);
}

/* ---- talking ---- */

#define TC_ATTEMPTS 5
#define TC_BACKOFF_MS 10

/*
 * vt_nl_talk(), again after EBUSY or EAGAIN, TC_ATTEMPTS times at the most,
 * waiting 10, 20, 30 ... ms in between.  *@ret_attempts says how many were
 * made.  The test-only fault "tc busy" makes every attempt answer EBUSY
 * without sending anything.  Return: as vt_nl_talk().
 */
static int talk_retry(struct vmtap_ctx *ctx, struct vt_nl *nl, struct nlmsghdr *nlh, mnl_cb_t cb, void *data,
		      const char *what, int *ret_attempts)
{
	int r;

	for (int attempt = 1;; attempt++) {
		r = vt_fault_active(ctx, "tc busy") ? -EBUSY : vt_nl_talk(nl, nlh, cb, data);
		*ret_attempts = attempt;
		if ((r != -EBUSY && r != -EAGAIN) || attempt == TC_ATTEMPTS)
			return r;
		vt_log(ctx, VMTAP_LOG_DEBUG, "%s: %s, trying again (attempt %d of %d)", what, strerror(-r), attempt + 1,
		       TC_ATTEMPTS);
		nanosleep(&(struct timespec){ .tv_nsec = (long)attempt * TC_BACKOFF_MS * 1000000L }, NULL);
	}
}

/* The one RTM_NEWQDISC an echoing RTM_GETQDISC brings back. */
struct qdisc_echo {
	bool found;
	struct vt_tc_qdisc q;
};

static int qdisc_echo_cb(const struct nlmsghdr *nlh, void *data)
{
	struct qdisc_echo *e = data;

	if (vt_tc_qdisc_parse(nlh, nlh->nlmsg_len, &e->q) == 0)
		e->found = true;
	return MNL_CB_OK;
}

/*
 * What sits in the ingress slot of @ifindex: *@ret_found false when nothing
 * does (ENOENT: there never was an ingress queue; an ack without a message:
 * there was one, and the builtin noop qdisc is back).
 * Return: 0 or the kernel's -errno (bare: the caller reports).
 */
static int ingress_get(struct vt_nl *nl, int ifindex, bool *ret_found, struct vt_tc_qdisc *ret_q)
{
	char buf[VT_TC_REQ_SIZE] __attribute__((aligned(8)));
	struct qdisc_echo e = { 0 };
	int r = vt_nl_talk(nl, vt_tc_ingress_msg(buf, RTM_GETQDISC, ifindex), qdisc_echo_cb, &e);

	if (r == -ENOENT) {
		*ret_found = false;
		return 0;
	}
	if (r < 0)
		return r;
	*ret_found = e.found && e.q.ifindex == ifindex && e.q.parent == TC_H_INGRESS;
	if (*ret_found)
		*ret_q = e.q;
	return 0;
}

static bool ingress_kind(const char *kind)
{
	return !strcmp(kind, "ingress") || !strcmp(kind, "clsact");
}

int vt_tc_ingress_probe(struct vmtap_ctx *ctx, struct vt_nl *nl, int ifindex, const char *name, char ret_kind[16])
{
	struct vt_tc_qdisc q;
	bool found;
	int r = ingress_get(nl, ifindex, &found, &q);

	if (r < 0)
		return vt_fail_ack(ctx, r, vt_nl_ack(nl), "look up qdisc", "%s: its ingress slot", name);
	snprintf(ret_kind, 16, "%s", found ? q.kind : "");
	return 0;
}

int vt_tc_ingress_ensure(struct vmtap_ctx *ctx, struct vt_nl *nl, int ifindex, const char *name, bool *ret_created)
{
	char buf[VT_TC_REQ_SIZE] __attribute__((aligned(8)));
	struct nlmsghdr *nlh = vt_tc_ingress_msg(buf, RTM_NEWQDISC, ifindex);
	int r, attempts, total = 0;

	if (ifindex <= 0)
		return vt_fail(ctx, -EINVAL, "validate", "%s: ifindex %d", name, ifindex);
	if ((r = vt_fault(ctx, "add qdisc")) < 0)
		return r;
	/* an EEXIST whose qdisc vanished before we could look is one more attempt, within the same bound */
	while (total < TC_ATTEMPTS) {
		struct vt_tc_qdisc q;
		bool found;
		int g;

		r = talk_retry(ctx, nl, nlh, NULL, NULL, name, &attempts);
		total += attempts;
		if (r == 0) {
			*ret_created = true;
			return 0;
		}
		if (r != -EEXIST)
			break;
		/* EXCL: the slot is taken, whatever the kind; the kernel says which only when asked */
		g = ingress_get(nl, ifindex, &found, &q);
		if (g < 0)
			return vt_fail_ack(ctx, g, vt_nl_ack(nl), "add qdisc", "%s: finding the qdisc in its ingress slot",
					   name);
		if (found && ingress_kind(q.kind)) {
			vt_log(ctx, VMTAP_LOG_DEBUG, "%s: sharing the %s qdisc already there", name, q.kind);
			*ret_created = false;
			return 0;
		}
		if (found)
			return vt_fail(ctx, -EEXIST, "add qdisc",
				       "%s: its ingress slot holds a '%s' qdisc, neither ingress nor clsact", name, q.kind);
		vt_log(ctx, VMTAP_LOG_DEBUG, "%s: the ingress qdisc went away meanwhile, trying again", name);
		total++;
	}
	if (r == -EBUSY || r == -EAGAIN || r == -EEXIST)
		return vt_fail_ack(ctx, r, vt_nl_ack(nl), "add qdisc", "%s: ingress, still refused after %d attempts", name,
				   total);
	return vt_fail_ack(ctx, r, vt_nl_ack(nl), "add qdisc", "%s: ingress", name);
}

/* Every filter message of a dump: the parsed ones, and a count of those the parser refused. */
struct filter_list {
	struct vt_tc_filter *items;
	size_t n, cap;
	unsigned int unparsed;
	int err;
};

static int filter_list_cb(const struct nlmsghdr *nlh, void *data)
{
	struct filter_list *l = data;
	struct vt_tc_filter f;

	if (nlh->nlmsg_type != RTM_NEWTFILTER || l->err)
		return MNL_CB_OK;
	if (vt_tc_filter_parse(nlh, nlh->nlmsg_len, &f) < 0) {
		l->unparsed++;
		return MNL_CB_OK;
	}
	if (VT_GROW(l->items, l->cap, l->n + 1) < 0) {
		l->err = -ENOMEM; /* read the dump to its end, then fail */
		return MNL_CB_OK;
	}
	l->items[l->n++] = f;
	return MNL_CB_OK;
}

/*
 * The filters on the ingress hook of @ifindex at @prio (0: all), into *@l
 * (emptied first; the caller frees l->items).  The whole list is read
 * before anyone acts on it, so that callers may talk on the same socket.
 * Return: 0 or a bare -errno (the kernel's, -ENOMEM, or -EINTR when changes
 * interrupted it every time).
 */
static int filter_list_get(struct vt_nl *nl, int ifindex, uint16_t prio, struct filter_list *l)
{
	char buf[VT_TC_REQ_SIZE] __attribute__((aligned(8)));
	struct nlmsghdr *nlh = vt_tc_filter_dump_msg(buf, ifindex, prio);
	int r;

	for (int attempt = 0;; attempt++) {
		bool interrupted;

		l->n = 0;
		l->unparsed = 0;
		l->err = 0;
		r = vt_nl_dump(nl, nlh, filter_list_cb, l, &interrupted);
		if (r == 0)
			r = l->err;
		if (r < 0 || !interrupted)
			return r;
		if (attempt == 4)
			return -EINTR;
	}
}

int vt_tc_ingress_delete(struct vmtap_ctx *ctx, struct vt_nl *nl, int ifindex, const char *name)
{
	char buf[VT_TC_REQ_SIZE] __attribute__((aligned(8)));
	_cleanup_free_ struct vt_tc_filter *items = NULL;
	struct filter_list l = { 0 };
	struct vt_tc_qdisc q;
	bool found;
	int r;

	if ((r = vt_fault(ctx, "delete qdisc")) < 0)
		return r;
	r = ingress_get(nl, ifindex, &found, &q);
	if (r == -ENODEV)
		return -ENOENT; /* the device went, and its qdiscs with it */
	if (r < 0)
		return vt_fail_ack(ctx, r, vt_nl_ack(nl), "delete qdisc", "%s: finding its ingress qdisc", name);
	if (!found)
		return -ENOENT;
	if (strcmp(q.kind, "ingress")) {
		/* vmtap only makes ingress qdiscs: ours was deleted, and this one is someone else's */
		vt_log(ctx, VMTAP_LOG_DEBUG, "%s: the ingress slot now holds a %s qdisc: not vmtap's, left alone", name,
		       q.kind);
		return -ENOENT;
	}
	r = filter_list_get(nl, ifindex, 0, &l);
	items = l.items;
	if (r < 0)
		return vt_fail_ack(ctx, r, vt_nl_ack(nl), "delete qdisc", "%s: listing the filters on it", name);
	if (l.n || l.unparsed) {
		/* count filters, not the headers and hash tables a dump lists around them */
		unsigned int n = l.unparsed;
		const struct vt_tc_filter *first = NULL;

		for (size_t i = 0; i < l.n; i++)
			if (items[i].handle && items[i].u32 != VT_TC_U32_TABLE) {
				first = first ? first : &items[i];
				n++;
			}
		if (first)
			return vt_fail(ctx, -ENOTEMPTY, "delete qdisc",
				       "%s: its ingress hook still holds %u filter(s), the first a %s filter at priority %u; "
				       "the qdisc is kept (deleting it would delete them)", name, n, first->kind, first->prio);
		return vt_fail(ctx, -ENOTEMPTY, "delete qdisc",
			       "%s: its ingress hook still holds filters (%zu entries); the qdisc is kept (deleting it "
			       "would delete them)", name, l.n + l.unparsed);
	}
	r = vt_nl_talk(nl, vt_tc_ingress_msg(buf, RTM_DELQDISC, ifindex), NULL, NULL);
	if (r == -ENOENT || r == -ENODEV)
		return -ENOENT;
	if (r < 0)
		return vt_fail_ack(ctx, r, vt_nl_ack(nl), "delete qdisc", "%s: ingress", name);
	return 0;
}

/* Devices with an ingress or clsact qdisc, from a qdisc dump. */
struct ingress_list {
	struct vt_tc_qdisc *items;
	size_t n, cap;
	int err;
};

static int ingress_list_cb(const struct nlmsghdr *nlh, void *data)
{
	struct ingress_list *l = data;
	struct vt_tc_qdisc q;

	/* the kernel dumps every device's qdiscs, whatever tcm_ifindex said: keep the ingress slots' */
	if (l->err || vt_tc_qdisc_parse(nlh, nlh->nlmsg_len, &q) < 0 || q.parent != TC_H_INGRESS ||
	    !ingress_kind(q.kind))
		return MNL_CB_OK;
	if (VT_GROW(l->items, l->cap, l->n + 1) < 0) {
		l->err = -ENOMEM;
		return MNL_CB_OK;
	}
	l->items[l->n++] = q;
	return MNL_CB_OK;
}

int vt_tc_ingress_devices(struct vmtap_ctx *ctx, struct vt_nl *nl, int (*fn)(int ifindex, const char *kind, void *data),
			  void *data)
{
	char buf[VT_TC_REQ_SIZE] __attribute__((aligned(8)));
	struct nlmsghdr *nlh = vt_tc_qdisc_dump_msg(buf);
	_cleanup_free_ struct vt_tc_qdisc *items = NULL;
	struct ingress_list l = { 0 };
	int r;

	for (int attempt = 0;; attempt++) {
		bool interrupted;

		l.n = 0;
		l.err = 0;
		r = vt_nl_dump(nl, nlh, ingress_list_cb, &l, &interrupted);
		if (r == 0)
			r = l.err;
		if (r < 0 || !interrupted)
			break;
		if (attempt == 4) {
			r = -EINTR;
			break;
		}
	}
	items = l.items;
	if (r < 0)
		return vt_fail_ack(ctx, r, vt_nl_ack(nl), "list qdiscs",
				   r == -EINTR ? "the list kept changing during 5 dumps" : NULL);
	for (size_t i = 0; i < l.n; i++) {
		r = fn(items[i].ifindex, items[i].kind, data);
		if (r)
			return r;
	}
	return 0;
}

/* ---- redirect filters ---- */

int vt_tc_filter_dump(struct vmtap_ctx *ctx, struct vt_nl *nl, int ifindex, uint16_t prio,
		      int (*fn)(const struct vt_tc_filter *f, void *data), void *data)
{
	_cleanup_free_ struct vt_tc_filter *items = NULL;
	struct filter_list l = { 0 };
	int r = filter_list_get(nl, ifindex, prio, &l);

	items = l.items;
	if (r < 0)
		return vt_fail_ack(ctx, r, vt_nl_ack(nl), "list filters",
				   r == -EINTR ? "ifindex %d: the list kept changing during 5 dumps" : "ifindex %d", ifindex);
	if (l.unparsed)
		vt_log(ctx, VMTAP_LOG_DEBUG, "ifindex %d: %u filter messages could not be read, skipped", ifindex,
		       l.unparsed);
	for (size_t i = 0; i < l.n; i++) {
		r = fn(&items[i], data);
		if (r)
			return r;
	}
	return 0;
}

/* The filter of an echoing request: the one key that carries @cookie. */
struct filter_echo {
	const uint8_t *cookie;
	bool found;
	struct vt_tc_filter f;
};

static int filter_echo_cb(const struct nlmsghdr *nlh, void *data)
{
	struct filter_echo *e = data;
	struct vt_tc_filter f;

	if (vt_tc_filter_parse(nlh, nlh->nlmsg_len, &f) < 0 || f.u32 != VT_TC_U32_RULE)
		return MNL_CB_OK;
	if (e->cookie && !vt_tc_filter_has_cookie(&f, e->cookie))
		return MNL_CB_OK;
	e->f = f;
	e->found = true;
	return MNL_CB_OK;
}

/* A few words on what holds a priority, from its dump @l ("a foreign bpf filter", ...), for a refusal. */
static void describe_holder(const struct filter_list *l, char *out, size_t size)
{
	const struct vt_tc_filter *rule = NULL;

	snprintf(out, size, "another filter");
	if (!l->n)
		return;
	for (size_t i = 0; i < l->n && !rule; i++)
		if (l->items[i].u32 == VT_TC_U32_RULE)
			rule = &l->items[i];
	if (rule && vt_tc_cookie_parse(rule->cookie, rule->cookie_len, &(struct vt_tc_cookie){ 0 }) == 0)
		snprintf(out, size, "a vmtap redirect (handle %s, to ifindex %u)", u32_fh(rule->handle).s,
			 rule->mirred_ifindex);
	else if (rule)
		snprintf(out, size, "a foreign u32 filter (handle %s)", u32_fh(rule->handle).s);
	else if (!strcmp(l->items[0].kind, "u32"))
		snprintf(out, size, "an empty u32 priority (hash tables, no key)");
	else
		snprintf(out, size, "a foreign %s filter (protocol 0x%04x)", l->items[0].kind, l->items[0].protocol);
}

/* describe_holder() of priority @prio of @ifindex, dumped now. */
static void describe_prio(struct vt_nl *nl, int ifindex, uint16_t prio, char *out, size_t size)
{
	_cleanup_free_ struct vt_tc_filter *items = NULL;
	struct filter_list l = { 0 };
	int r = filter_list_get(nl, ifindex, prio, &l);

	items = l.items;
	if (r < 0)
		l.n = 0;
	describe_holder(&l, out, size);
}

/* Whether the kernel refused a new filter because its priority holds another kind or protocol. */
static bool prio_mismatch(const struct vt_ack *ack)
{
	return strstr(ack->text, "filter kind does not match") || strstr(ack->text, "Protocol mismatch");
}

int vt_tc_redirect_add(struct vmtap_ctx *ctx, struct vt_nl *nl, int src_ifindex, const char *src_name, uint16_t prio,
		       int dst_ifindex, const char *dst_name, const uint8_t cookie[VT_TC_COOKIE_LEN],
		       uint32_t *ret_handle)
{
	char buf[VT_TC_REQ_SIZE] __attribute__((aligned(8)));
	struct filter_echo e = { .cookie = cookie };
	struct nlmsghdr *nlh;
	struct vt_ack ack;
	int r, attempts;

	if (src_ifindex <= 0 || dst_ifindex <= 0 || !cookie)
		return vt_fail(ctx, -EINVAL, "validate", "redirect %s -> %s: ifindex %d -> %d, or no cookie", src_name,
			       dst_name, src_ifindex, dst_ifindex);
	/* the kernel accepts a device redirecting to itself: every packet would loop back out of it */
	if (src_ifindex == dst_ifindex)
		return vt_fail(ctx, -EINVAL, "validate", "redirect %s to itself", src_name);
	if (!prio)
		return vt_fail(ctx, -EINVAL, "validate", "redirect %s -> %s: priority 0 (the kernel would pick one)",
			       src_name, dst_name);
	if ((r = vt_fault(ctx, "add filter")) < 0)
		return r;
	/*
	 * The priority must be free.  The kernel refuses a u32 key at our node
	 * or a filter of another kind or protocol there, but a foreign u32 with
	 * other keys would take ours in as one more key (EXCL does not protect
	 * a priority), matched after its own, and leave it to us to tell them
	 * apart.  Between this look and the add, the kernel's refusals remain
	 * (the test-only fault "tc no prio check" skips the look to meet them).
	 */
	if (!vt_fault_active(ctx, "tc no prio check")) {
		_cleanup_free_ struct vt_tc_filter *items = NULL;
		struct filter_list l = { 0 };
		char holder[128];

		r = filter_list_get(nl, src_ifindex, prio, &l);
		items = l.items;
		if (r < 0)
			return vt_fail_ack(ctx, r, vt_nl_ack(nl), "add filter", "%s: listing priority %u", src_name, prio);
		if (l.n || l.unparsed) {
			describe_holder(&l, holder, sizeof(holder));
			return vt_fail(ctx, -EEXIST, "add filter", "priority %u of %s is taken by %s (choose another)", prio,
				       src_name, holder);
		}
	}
	nlh = vt_tc_redirect_msg(buf, src_ifindex, prio, dst_ifindex, cookie);
	r = talk_retry(ctx, nl, nlh, filter_echo_cb, &e, src_name, &attempts);
	if (r < 0) {
		char holder[128];

		ack = *vt_nl_ack(nl); /* before describe_prio() talks again */
		if (r == -ENOSPC || r == -EEXIST || (r == -EINVAL && prio_mismatch(&ack))) {
			describe_prio(nl, src_ifindex, prio, holder, sizeof(holder));
			return vt_fail_ack(ctx, -EEXIST, &ack, "add filter",
					   "priority %u of %s is taken by %s (choose another)", prio, src_name, holder);
		}
		if (r == -EBUSY || r == -EAGAIN)
			return vt_fail_ack(ctx, r, &ack, "add filter", "redirect %s -> %s: still refused after %d attempts",
					   src_name, dst_name, attempts);
		return vt_fail_ack(ctx, r, &ack, "add filter", "redirect %s -> %s at priority %u", src_name, dst_name,
				   prio);
	}
	if (!e.found) {
		/* no echo (the kernel could not allocate it): the dump says which handle our cookie got */
		_cleanup_free_ struct vt_tc_filter *items = NULL;
		struct filter_list l = { 0 };

		r = filter_list_get(nl, src_ifindex, prio, &l);
		items = l.items;
		for (size_t i = 0; r == 0 && i < l.n && !e.found; i++)
			if (items[i].u32 == VT_TC_U32_RULE && vt_tc_filter_has_cookie(&items[i], cookie)) {
				e.f = items[i];
				e.found = true;
			}
		if (!e.found)
			return vt_fail(ctx, r < 0 ? r : -EIO, "add filter",
				       "redirect %s -> %s: added, but its handle could not be learned", src_name, dst_name);
	}
	*ret_handle = e.f.handle;
	return 0;
}

/*
 * Deleting the last key of a priority takes the priority's u32 (its header
 * and root hash table) along only when no other u32 shares the qdisc: the
 * kernel keeps it while another priority or direction holds a u32 (the CNI
 * bandwidth plugin's redirect, say).  Remove it when what is left at
 * @prio is exactly that: one u32 header and the root table @handle was in,
 * without any key.  TCA_KIND and the protocol bound the delete to a u32
 * priority of ours; a key someone adds there between the dump and the
 * delete would go with it, a one-round-trip window at a priority vmtap made.
 * Best effort: the redirect is gone either way, a failure is only logged.
 */
static void prio_remove_if_empty(struct vmtap_ctx *ctx, struct vt_nl *nl, int ifindex, const char *name, uint16_t prio,
				 uint32_t handle)
{
	char buf[VT_TC_REQ_SIZE] __attribute__((aligned(8)));
	_cleanup_free_ struct vt_tc_filter *items = NULL;
	struct filter_list l = { 0 };
	bool header = false, table = false;
	int r = filter_list_get(nl, ifindex, prio, &l);

	items = l.items;
	if (r < 0 || l.unparsed || l.n != 2)
		return;
	for (size_t i = 0; i < l.n; i++) {
		header |= items[i].u32 == VT_TC_U32_HEADER;
		table |= items[i].u32 == VT_TC_U32_TABLE && TC_U32_HTID(items[i].handle) == TC_U32_HTID(handle);
	}
	if (!header || !table)
		return;
	r = vt_nl_talk(nl, vt_tc_prio_del_msg(buf, ifindex, prio), NULL, NULL);
	if (r < 0 && r != -ENOENT)
		vt_log(ctx, VMTAP_LOG_WARNING, "%s: the empty u32 priority %u left by vmtap's filter stays: %s%s%s", name,
		       prio, strerror(-r), vt_nl_ack(nl)->text[0] ? ": " : "", vt_nl_ack(nl)->text);
}

int vt_tc_redirect_del(struct vmtap_ctx *ctx, struct vt_nl *nl, int ifindex, const char *name, uint16_t prio,
		       uint32_t handle, const uint8_t cookie[VT_TC_COOKIE_LEN])
{
	char buf[VT_TC_REQ_SIZE] __attribute__((aligned(8)));
	struct filter_echo e = { 0 };
	struct nlmsghdr *nlh = vt_tc_filter_msg(buf, RTM_GETTFILTER, ifindex, prio, handle);
	int r;

	if (!nlh || !cookie)
		return vt_fail(ctx, -EINVAL, "validate", "%s: filter priority %u handle %s, or no cookie", name, prio,
			       u32_fh(handle).s);
	if ((r = vt_fault(ctx, "delete filter")) < 0)
		return r;
	r = vt_nl_talk(nl, nlh, filter_echo_cb, &e);
	if (r == -ENOENT || r == -ENODEV)
		return -ENOENT;
	if (r == -EINVAL) {
		/*
		 * "Parent Qdisc doesn't exists", "Cannot find specified filter
		 * chain": the kernel's way of saying there is no such filter when
		 * the qdisc or the whole chain is gone.  A dump tells for sure.
		 */
		_cleanup_free_ struct vt_tc_filter *items = NULL;
		struct filter_list l = { 0 };
		struct vt_ack ack = *vt_nl_ack(nl);
		bool there = false;
		int d = filter_list_get(nl, ifindex, prio, &l);

		items = l.items;
		for (size_t i = 0; d == 0 && i < l.n; i++)
			there |= items[i].handle == handle;
		if (d == 0 && !there)
			return -ENOENT;
		return vt_fail_ack(ctx, r, &ack, "delete filter", "%s: finding priority %u handle %s", name, prio,
				   u32_fh(handle).s);
	}
	if (r < 0)
		return vt_fail_ack(ctx, r, vt_nl_ack(nl), "delete filter", "%s: finding priority %u handle %s", name, prio,
				   u32_fh(handle).s);
	if (!e.found || strcmp(e.f.kind, "u32") || e.f.handle != handle || !vt_tc_filter_has_cookie(&e.f, cookie)) {
		/* the handle is free, or reused by someone else's filter since: ours is gone either way */
		vt_log(ctx, VMTAP_LOG_DEBUG, "%s: handle %s at priority %u %s: left alone", name, u32_fh(handle).s, prio,
		       e.found ? "is not vmtap's filter (no matching cookie)" : "is empty");
		return -ENOENT;
	}
	r = vt_nl_talk(nl, vt_tc_filter_msg(buf, RTM_DELTFILTER, ifindex, prio, handle), NULL, NULL);
	if (r == -ENOENT)
		return -ENOENT;
	if (r < 0)
		return vt_fail_ack(ctx, r, vt_nl_ack(nl), "delete filter", "%s: priority %u handle %s", name, prio,
				   u32_fh(handle).s);
	prio_remove_if_empty(ctx, nl, ifindex, name, prio, handle);
	return 0;
}

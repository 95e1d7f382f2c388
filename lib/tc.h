/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Traffic control over rtnetlink: the root qdisc of a link, ingress qdiscs, u32 + mirred redirect filters. */
/*
 * Owns: the qdiscs and filters vmtap makes: the root qdisc of its TAPs, the
 * ingress qdisc of a device it cross-connects (when it had none), and one
 * u32 match-all + mirred egress redirect filter per direction, each tagged
 * with an action cookie.
 * Must not: touch a qdisc or filter it did not make (a filter is vmtap's
 * only when its cookie says so), know endpoints, records or the state
 * directory (callers pass the cookie's ingredients in).
 */
#ifndef VMTAP_TC_H
#define VMTAP_TC_H

#include <stdint.h>

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

/* ---- ownership cookie ---- */

/*
 * The action cookie of vmtap's filters (TCA_ACT_COOKIE, kept by the kernel
 * and returned in every dump): "vmt", version 1, the 8 bytes of the state
 * directory's identity (its 16 hex digits decoded), then the FNV-1a-32 of
 * the endpoint id, most significant byte first.
 */
#define VT_TC_COOKIE_LEN 16
#define VT_TC_COOKIE_VERSION 1
#define VT_TC_STATE_ID_LEN 16       /* hex digits of a state identity (state.h's VT_STATE_ID_LEN) */

/* Fill @out for @endpoint_id of state directory @state_id; -EINVAL (nothing written) unless @state_id is 16 hex digits. */
int vt_tc_cookie_make(uint8_t out[VT_TC_COOKIE_LEN], const char *state_id, const char *endpoint_id);

struct vt_tc_cookie {
	uint8_t version;
	uint8_t state[8];           /* the state identity, decoded */
	uint32_t endpoint_hash;     /* FNV-1a-32 of the endpoint id */
};
/* Parse a cookie from (buf, len): 0 for a vmtap cookie of a version this code knows, -EINVAL for anything else. */
int vt_tc_cookie_parse(const uint8_t *buf, size_t len, struct vt_tc_cookie *ret);
/*
 * Whether (buf, len) is a vmtap cookie of state directory @state_id and,
 * when @endpoint_id is not NULL, of that endpoint.  Four bytes of hash can
 * collide between two endpoints of one directory: callers compare a whole
 * cookie together with where the filter is, never the hash alone.
 */
bool vt_tc_cookie_matches(const uint8_t *buf, size_t len, const char *state_id, const char *endpoint_id);

/* ---- ingress qdiscs ---- */

/* The filter parent of the ingress hook, for an ingress qdisc and a clsact one alike: ffff:fff2. */
#define VT_TC_PARENT_INGRESS 0xfffffff2u
/* The node part of vmtap's u32 key handle: the full handle is learned from the kernel (htid:0:800). */
#define VT_TC_U32_NODE 0x800u
/*
 * A suggested priority: below 49152, where filters added without a priority
 * start (the kernel then goes down one by one, so ~19000 such adds would be
 * needed to pass in front of it), and an unusual number ("vm" in ASCII), so
 * that a foreign filter rarely sits at it.
 */
#define VT_TC_PRIO_DEFAULT 0x766d

/* Request buffers of the messages below: at least this many bytes, 8-byte aligned. */
#define VT_TC_REQ_SIZE 256

/*
 * The ingress-slot qdisc requests on @ifindex, by @type:
 * RTM_NEWQDISC: create "ingress", CREATE|EXCL (handle ffff:, parent ffff:fff1);
 * RTM_GETQDISC: ask what sits in the slot, with NLM_F_ECHO (handle 0);
 * RTM_DELQDISC: delete it if it is an "ingress" one (TCA_KIND given, so a clsact is refused).
 * Return: the message, or NULL for another @type.
 */
struct nlmsghdr *vt_tc_ingress_msg(void *buf, uint16_t type, int ifindex);
/* RTM_GETQDISC dump of every qdisc of the namespace (the kernel ignores tcm_ifindex in a dump). */
struct nlmsghdr *vt_tc_qdisc_dump_msg(void *buf);

/* One RTM_NEWQDISC message: what vt_tc_ingress_devices() needs of it. */
struct vt_tc_qdisc {
	char kind[16];              /* TCA_KIND */
	int ifindex;
	uint32_t handle, parent;
};
/* Parse one RTM_NEWQDISC from (buf, len): 0, or -EBADMSG with *@ret untouched.  Fuzzed in fuzz/. */
int vt_tc_qdisc_parse(const void *buf, size_t len, struct vt_tc_qdisc *ret);

/* The kind of the qdisc in the ingress slot of @ifindex ("ingress", "clsact", ...), "" when empty.  Reports. */
int vt_tc_ingress_probe(struct vmtap_ctx *ctx, struct vt_nl *nl, int ifindex, const char *name, char ret_kind[16]);
/*
 * Make sure @ifindex has a qdisc in its ingress slot: an ingress qdisc is
 * created when the slot is empty (*@ret_created = true: vmtap's, to delete
 * with vt_tc_ingress_delete()); an ingress or clsact qdisc already there is
 * shared (*@ret_created = false); anything else is refused with -EEXIST.
 * EBUSY and EAGAIN are retried a few times.  Reports.
 */
int vt_tc_ingress_ensure(struct vmtap_ctx *ctx, struct vt_nl *nl, int ifindex, const char *name, bool *ret_created);
/*
 * Delete the ingress qdisc vmtap created on @ifindex, unless a filter is
 * still on its hook (anyone's: deleting the qdisc would delete them all):
 * then -ENOTEMPTY and the qdisc stays.  A clsact qdisc (not vmtap's: vmtap
 * only creates ingress ones) is refused with -EPERM.  Reports, except for
 * -ENOENT: the slot is already empty.
 */
int vt_tc_ingress_delete(struct vmtap_ctx *ctx, struct vt_nl *nl, int ifindex, const char *name);
/*
 * Call @fn(ifindex, kind, @data) for each device of the namespace with an
 * "ingress" or "clsact" qdisc, from one dump; a non-zero return stops and is
 * returned.  Reports.
 */
int vt_tc_ingress_devices(struct vmtap_ctx *ctx, struct vt_nl *nl, int (*fn)(int ifindex, const char *kind, void *data),
			  void *data);

/* ---- u32 + mirred redirect filters ---- */

/*
 * RTM_NEWTFILTER, CREATE|EXCL|ECHO: on the ingress hook of @src (parent
 * ffff:fff2), priority @prio, protocol all, handle ::800, a u32 selector
 * that matches every packet, and one action, mirred egress redirect to
 * @dst, with @cookie.  Return: the message, or NULL when @prio is 0.
 */
struct nlmsghdr *vt_tc_redirect_msg(void *buf, int src, uint16_t prio, int dst, const uint8_t cookie[VT_TC_COOKIE_LEN]);
/*
 * One filter on the ingress hook of @ifindex by @prio and full @handle,
 * protocol all: RTM_GETTFILTER (with NLM_F_ECHO: without it the kernel only
 * acks) or RTM_DELTFILTER.  Return: the message, or NULL for another @type,
 * for prio 0 or for a handle without a node part (the kernel takes those as
 * wildcards and would delete a whole priority or hook).
 */
struct nlmsghdr *vt_tc_filter_msg(void *buf, uint16_t type, int ifindex, uint16_t prio, uint32_t handle);
/*
 * RTM_DELTFILTER of a whole u32 priority of the ingress hook of @ifindex
 * (handle 0, protocol all, TCA_KIND "u32"): only for an empty one, see
 * vt_tc_redirect_del().  Return: the message, or NULL for prio 0.
 */
struct nlmsghdr *vt_tc_prio_del_msg(void *buf, int ifindex, uint16_t prio);
/* RTM_GETTFILTER dump of the ingress hook of @ifindex, every protocol, only @prio unless 0. */
struct nlmsghdr *vt_tc_filter_dump_msg(void *buf, int ifindex, uint16_t prio);

/* What a u32 dump entry is: the kernel sends three kinds per priority. */
enum vt_tc_u32_entry {
	VT_TC_NOT_U32 = 0,
	VT_TC_U32_HEADER,           /* handle 0: the priority itself, no options */
	VT_TC_U32_TABLE,            /* node 0: a hash table (800:), TCA_U32_DIVISOR */
	VT_TC_U32_RULE,             /* a key (800::800) with a selector */
	VT_TC_U32_OTHER,            /* a u32 message that is none of these */
};

/* One RTM_NEWTFILTER message, as vt_tc_filter_parse() reads it. */
struct vt_tc_filter {
	char kind[16];              /* TCA_KIND: "u32", "bpf", ... */
	int ifindex;
	uint32_t parent;            /* as dumped: for an ingress qdisc, whatever the last add used: never identify by it */
	uint32_t handle;            /* u32: htid(12 bits):hash(8):node(12) */
	uint16_t prio;
	uint16_t protocol;          /* host order: ETH_P_ALL is 3 */
	uint32_t chain;
	enum vt_tc_u32_entry u32;
	uint32_t u32_divisor;       /* TABLE */
	uint8_t u32_sel_flags;      /* RULE: TC_U32_TERMINAL, ... */
	uint8_t u32_nkeys;
	bool u32_match_all;         /* RULE: one key, mask 0, value 0, terminal */
	unsigned int n_actions;     /* entries of the action list */
	/* the first mirred action of the list */
	bool has_mirred;
	int32_t mirred_action;      /* TC_ACT_STOLEN for a redirect */
	int32_t mirred_eaction;     /* TCA_EGRESS_REDIR, ... */
	uint32_t mirred_ifindex;    /* 0 once the target device is gone */
	uint32_t mirred_index;      /* the action's own index */
	uint8_t cookie[VT_TC_COOKIE_LEN];
	uint8_t cookie_len;         /* 0: none */
};
/* Parse one RTM_NEWTFILTER from (buf, len): 0, or -EBADMSG with *@ret untouched.  Fuzzed in fuzz/. */
int vt_tc_filter_parse(const void *buf, size_t len, struct vt_tc_filter *ret);
/* Whether @f has the shape of vmtap's filter: a u32 match-all key whose only action is a mirred egress redirect. */
bool vt_tc_filter_is_redirect(const struct vt_tc_filter *f);
/* ... and carries exactly @cookie. */
bool vt_tc_filter_has_cookie(const struct vt_tc_filter *f, const uint8_t cookie[VT_TC_COOKIE_LEN]);

/*
 * Redirect every packet arriving at @src to the egress of @dst: a u32
 * match-all filter with a mirred action and @cookie, at @prio on the ingress
 * hook of @src, which must already have an ingress or clsact qdisc (see
 * vt_tc_ingress_ensure()).  The full handle the kernel gave it goes to
 * *@ret_handle (needed to delete it).  A priority held by someone else is
 * refused with -EEXIST, naming the filter there.  Reports.
 */
int vt_tc_redirect_add(struct vmtap_ctx *ctx, struct vt_nl *nl, int src_ifindex, const char *src_name, uint16_t prio,
		       int dst_ifindex, const char *dst_name, const uint8_t cookie[VT_TC_COOKIE_LEN],
		       uint32_t *ret_handle);
/*
 * Delete the redirect filter of @ifindex at @prio with full @handle after
 * checking that it is a u32 rule carrying @cookie, and the priority's empty
 * u32 the kernel may leave behind.  -ENOENT, unreported, when it is not
 * there (or the handle is now someone else's, which stays): callers take
 * that as done.  Reports other failures.
 */
int vt_tc_redirect_del(struct vmtap_ctx *ctx, struct vt_nl *nl, int ifindex, const char *name, uint16_t prio,
		       uint32_t handle, const uint8_t cookie[VT_TC_COOKIE_LEN]);
/*
 * Call @fn for each filter message on the ingress hook of @ifindex (all
 * priorities when @prio is 0): headers and tables of u32 included, see
 * enum vt_tc_u32_entry.  A non-zero return stops and is returned.  A device
 * without ingress qdisc has no filter there: no call, 0.  Reports.
 */
int vt_tc_filter_dump(struct vmtap_ctx *ctx, struct vt_nl *nl, int ifindex, uint16_t prio,
		      int (*fn)(const struct vt_tc_filter *f, void *data), void *data);

#endif

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A redirect endpoint's tc cross-connect: two u32 + mirred filters and the device's ingress qdisc, made and undone. */
/**
 * DOC: Theory of Operation
 *
 * Kata's "tcfilter" model: frames arriving at the TAP (sent by the guest)
 * are redirected to the egress of the device, frames arriving at the device
 * to the egress of the TAP (to the guest), by one u32 match-all filter with
 * a mirred action on each ingress hook (tc.c builds them).  The TAP is
 * vmtap's: its ingress qdisc and filter go with it.  The device is not: its
 * filter carries the endpoint's cookie and its handle is recorded, and its
 * ingress qdisc is shared when one is there and otherwise made and recorded
 * as vmtap's.
 *
 * What the device's ingress slot held before is recorded before anything
 * is made (vt_redirect_prepare(), written in the "creating" record), so that
 * after a crash an empty ingress qdisc where there was none can be told to
 * be vmtap's.  A filter made but not yet recorded is found by its cookie.
 *
 * The device's filter must never outlive the TAP: mirred to a deleted
 * device drops every frame, which would cut the pod off.  Hence it is made
 * last and removed first.
 */
#include <net/if.h>
#include <stdio.h>

#include "link.h"
#include "redirect.h"
#include "tc.h"

int vt_redirect_prepare(struct vmtap_ctx *ctx, struct vt_nl *nl, struct vt_record *rec, struct vmtap_link_info *ret_li)
{
	struct vmtap_link_info li;
	struct vt_tag tag;
	char kind[16];
	int r;

	r = vt_link_get(NULL, nl, rec->link_dev, 0, &li);
	if (r == -ENODEV)
		return vt_fail(ctx, -ENODEV, "look up device", "no device %s in %s%s", rec->link_dev,
			       rec->netns[0] ? "namespace " : "the caller's namespace", rec->netns);
	if (r < 0)
		return vt_fail_ack(ctx, r, vt_nl_ack(nl), "look up device", "%s", rec->link_dev);
	if (li.flags & IFF_LOOPBACK)
		return vt_fail(ctx, -EINVAL, "validate", "%s is a loopback device, which cannot be cross-connected",
			       rec->link_dev);
	if (vt_tag_parse(li.alias, strlen(li.alias), &tag) == 0)
		return vt_fail(ctx, -EINVAL, "validate", "%s is vmtap endpoint %s's own device, not one to cross-connect with",
			       rec->link_dev, tag.id);
	r = vt_tc_ingress_probe(ctx, nl, li.ifindex, rec->link_dev, kind);
	if (r < 0)
		return r;
	if (kind[0] && strcmp(kind, "ingress") && strcmp(kind, "clsact"))
		return vt_fail(ctx, -EEXIST, "validate", "%s: its ingress slot holds a '%s' qdisc, neither ingress nor clsact",
			       rec->link_dev, kind);
	rec->link_ifindex = li.ifindex;
	rec->dev_qdisc = kind[0] ? VT_QDISC_SHARED : VT_QDISC_ABSENT;
	*ret_li = li;
	return 0;
}

/* Remove the device's ingress qdisc if @rec says it may be vmtap's; a qdisc still holding filters stays. */
static int dev_qdisc_remove(struct vmtap_ctx *ctx, struct vt_nl *nl, const struct vt_record *rec)
{
	int r;

	if (rec->dev_qdisc != VT_QDISC_OURS && rec->dev_qdisc != VT_QDISC_ABSENT)
		return 0;
	r = vt_tc_ingress_delete(ctx, nl, rec->link_ifindex, rec->link_dev);
	if (r == -ENOTEMPTY || r == -EPERM) {
		/* someone else's filters sit on it now (or it is a clsact vmtap never makes): it is theirs too */
		vt_clear_error(ctx);
		vt_log(ctx, VMTAP_LOG_INFO, "%s: its ingress qdisc stays: %s", rec->link_dev,
		       r == -EPERM ? "it is a clsact qdisc, which vmtap did not make" : "other filters are on it");
		return 0;
	}
	return r == -ENOENT ? 0 : r;
}

int vt_redirect_connect(struct vmtap_ctx *ctx, struct vt_nl *nl, struct vt_record *rec, const char *state_id)
{
	uint8_t cookie[VT_TC_COOKIE_LEN];
	bool created;
	int r;

	if (vt_tc_cookie_make(cookie, state_id, rec->id) < 0)
		return vt_fail(ctx, -EINVAL, "add filter", "state identity \"%s\" is not 16 hex digits", state_id);
	/* the TAP is new and vmtap's: its ingress qdisc is made, and goes with it */
	if ((r = vt_fault(ctx, "redirect tap")) < 0 ||
	    (r = vt_tc_ingress_ensure(ctx, nl, rec->ifindex, rec->ifname, &created)) < 0 ||
	    (r = vt_tc_redirect_add(ctx, nl, rec->ifindex, rec->ifname, rec->tc_prio, rec->link_ifindex, rec->link_dev,
				    cookie, &rec->tc_tap_handle)) < 0)
		return r;
	if ((r = vt_fault(ctx, "redirect device qdisc")) < 0 ||
	    (r = vt_tc_ingress_ensure(ctx, nl, rec->link_ifindex, rec->link_dev, &created)) < 0)
		return r;
	rec->dev_qdisc = created ? VT_QDISC_OURS : VT_QDISC_SHARED;
	r = vt_fault(ctx, "redirect device filter");
	if (r == 0)
		r = vt_tc_redirect_add(ctx, nl, rec->link_ifindex, rec->link_dev, rec->tc_prio, rec->ifindex, rec->ifname, cookie,
				       &rec->tc_dev_handle);
	if (r < 0) {
		VT_UNDO_SCOPE(ctx);
		if (dev_qdisc_remove(ctx, nl, rec) < 0)
			vt_log(ctx, VMTAP_LOG_ERR, "undo: %s may keep an empty ingress qdisc", rec->link_dev);
		return r;
	}
	return 0;
}

/* The handle of the u32 rule at @rec's priority on its device that carries exactly @cookie; 0: none. */
struct cookie_search {
	const uint8_t *cookie;
	uint32_t handle;
};

static int cookie_search_cb(const struct vt_tc_filter *f, void *data)
{
	struct cookie_search *s = data;

	if (f->u32 == VT_TC_U32_RULE && vt_tc_filter_has_cookie(f, s->cookie)) {
		s->handle = f->handle;
		return 1;
	}
	return 0;
}

int vt_redirect_disconnect(struct vmtap_ctx *ctx, struct vt_nl *nl, const struct vt_record *rec, const char *state_id)
{
	uint8_t cookie[VT_TC_COOKIE_LEN];
	struct vmtap_link_info li;
	uint32_t handle = rec->tc_dev_handle;
	int r;

	if (!rec->link_ifindex)
		return 0; /* the device was never looked up: nothing was made on it */
	if (vt_tc_cookie_make(cookie, state_id, rec->id) < 0)
		return 0; /* no state identity: no filter can carry its cookie */
	/* by ifindex: the device may have been renamed, and only this one can hold what was made */
	r = vt_link_get(NULL, nl, NULL, rec->link_ifindex, &li);
	if (r == -ENODEV)
		return 0; /* gone, and its qdisc and filters with it */
	if (r < 0)
		return vt_fail_ack(ctx, r, vt_nl_ack(nl), "look up device", "%s (ifindex %d)", rec->link_dev,
				   rec->link_ifindex);
	if (!handle) {
		/* a crash between making the filter and recording it: its cookie finds it */
		struct cookie_search s = { .cookie = cookie };
		r = vt_tc_filter_dump(ctx, nl, rec->link_ifindex, rec->tc_prio, cookie_search_cb, &s);
		if (r < 0)
			return r;
		handle = s.handle;
	}
	if (handle) {
		r = vt_tc_redirect_del(ctx, nl, rec->link_ifindex, li.name, rec->tc_prio, handle, cookie);
		if (r < 0 && r != -ENOENT)
			return r;
	}
	return dev_qdisc_remove(ctx, nl, rec);
}

struct find_run {
	struct vmtap_ctx *ctx;
	struct vt_nl *nl;
	const char *state_id;
	struct vt_redirect_found *items;
	size_t n, cap;
	int ifindex;
	int err;
};

static int find_filter_cb(const struct vt_tc_filter *f, void *data)
{
	struct find_run *run = data;

	if (f->u32 != VT_TC_U32_RULE || !vt_tc_cookie_matches(f->cookie, f->cookie_len, run->state_id, NULL))
		return 0;
	if (VT_GROW(run->items, run->cap, run->n + 1) < 0)
		return -ENOMEM;
	run->items[run->n] = (struct vt_redirect_found){
		.ifindex = run->ifindex, .prio = f->prio, .handle = f->handle, .target_ifindex = f->mirred_ifindex,
	};
	memcpy(run->items[run->n].cookie, f->cookie, VT_TC_COOKIE_LEN);
	if (!if_indextoname((unsigned)run->ifindex, run->items[run->n].ifname))
		snprintf(run->items[run->n].ifname, VMTAP_IFNAMSIZ, "#%d", run->ifindex);
	run->n++;
	return 0;
}

static int find_device_cb(int ifindex, const char *kind, void *data)
{
	struct find_run *run = data;
	int r;

	(void)kind;
	run->ifindex = ifindex;
	r = vt_tc_filter_dump(run->ctx, run->nl, ifindex, 0, find_filter_cb, run);
	if (r == -ENODEV || r == -EINVAL) {
		vt_clear_error(run->ctx);
		return 0; /* the device went away since the qdisc dump */
	}
	return r;
}

int vt_redirect_find(struct vmtap_ctx *ctx, struct vt_nl *nl, const char *state_id, struct vt_redirect_found **ret,
		     size_t *ret_n)
{
	struct find_run run = { .ctx = ctx, .nl = nl, .state_id = state_id };
	int r;

	r = vt_tc_ingress_devices(ctx, nl, find_device_cb, &run);
	if (r < 0) {
		free(run.items);
		return r == -ENOMEM ? vt_fail(ctx, -ENOMEM, "list filters", NULL) : r;
	}
	*ret = run.items;
	*ret_n = run.n;
	return 0;
}

int vt_redirect_remove_found(struct vmtap_ctx *ctx, struct vt_nl *nl, const struct vt_redirect_found *f)
{
	return vt_tc_redirect_del(ctx, nl, f->ifindex, f->ifname, f->prio, f->handle, f->cookie);
}

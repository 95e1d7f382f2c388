/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A redirect endpoint's tc cross-connect: its two filters and the device's ingress qdisc, made, undone and found again. */
/*
 * Owns: what a VMTAP_CONNECT_REDIRECT endpoint puts on its TAP and on the
 * device it is cross-connected with, as the record describes it, and the
 * search for vmtap's filters whose endpoint is gone.
 * Must not: create or delete devices, read or write records (the caller
 * does, between the steps, so that a crash leaves a record that says what
 * may be there), or touch a filter without the endpoint's cookie.
 */
#ifndef VMTAP_REDIRECT_H
#define VMTAP_REDIRECT_H

#include "state.h"

/*
 * Before anything is made: look up the device, check it can be
 * cross-connected (not a loopback, not one of vmtap's own devices) and note
 * in @rec its ifindex and what its ingress slot holds (VT_QDISC_ABSENT or
 * VT_QDISC_SHARED), and the MAC and MTU the TAP takes from it by default
 * (@ret_li).  -ENODEV, reported as not found in the namespace, when there is
 * no such device.
 */
int vt_redirect_prepare(struct vmtap_ctx *ctx, struct vt_nl *nl, struct vt_record *rec, struct vmtap_link_info *ret_li);

/*
 * Make the cross-connect of @rec's TAP (rec->ifindex) with its device: the
 * TAP's ingress qdisc and filter to the device, then the device's ingress
 * qdisc (shared when there is one) and filter to the TAP, last, so that the
 * pod's traffic turns to the guest only once the way back exists.  @rec's
 * handles and qdisc origin are filled in as the objects are made.  On
 * failure the device-side objects made are removed again (the TAP's go with
 * the TAP, which the caller deletes).  Reports.
 */
int vt_redirect_connect(struct vmtap_ctx *ctx, struct vt_nl *nl, struct vt_record *rec, const char *state_id);

/*
 * Remove what @rec put on its device: its filter (by the recorded handle, or
 * by cookie when a crash came before the handle was recorded) and then the
 * ingress qdisc if vmtap made it and nothing else is on it.  The TAP's own
 * qdisc and filter go with the TAP.  A device or filter already gone is
 * fine; so this can be repeated.  Reports.
 */
int vt_redirect_disconnect(struct vmtap_ctx *ctx, struct vt_nl *nl, const struct vt_record *rec, const char *state_id);

/* A filter of this state directory found on a device of a namespace, for gc. */
struct vt_redirect_found {
	int ifindex;                 /* the device whose ingress hook holds it */
	char ifname[VMTAP_IFNAMSIZ];
	uint16_t prio;
	uint32_t handle;
	uint32_t target_ifindex;     /* the mirred target; 0 once it is gone */
	uint8_t cookie[16];
};
/*
 * Every u32 filter on an ingress hook of @nl's namespace that carries a
 * cookie of state directory @state_id: @ret (malloc'd) and @ret_n.  Reports.
 */
int vt_redirect_find(struct vmtap_ctx *ctx, struct vt_nl *nl, const char *state_id, struct vt_redirect_found **ret,
		     size_t *ret_n);
/* Delete filter @f (checked against its cookie first); -ENOENT, unreported, when it is gone.  Reports. */
int vt_redirect_remove_found(struct vmtap_ctx *ctx, struct vt_nl *nl, const struct vt_redirect_found *f);

#endif

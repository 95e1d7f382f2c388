/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Endpoint internals shared with the modules built on endpoints: gc and hot-plug. */
/*
 * Owns: what makes a device an endpoint's (its proof of ownership) and
 * where its namespace is.  Must not: be used by modules below endpoint.c.
 */
#ifndef VMTAP_ENDPOINT_H
#define VMTAP_ENDPOINT_H

#include "state.h"

/* @rec's namespace as given at creation, NULL for the creator's own. */
const char *vt_record_netns(const struct vt_record *rec);

/*
 * Whether the device @li is the one record @rec made: a TAP carrying the
 * record's tag with this state directory's identity (@state_id, "" when the
 * directory has none) and, once known, the recorded ifindex.  A tag of an
 * older vmtap has no identity: the recorded ifindex is the proof then.
 * *@why says what failed.
 */
bool vt_endpoint_device_is_ours(const struct vt_record *rec, const struct vmtap_link_info *li, const char *state_id,
				const char **why);

/*
 * The identity of the namespace that holds @rec's device.  A named namespace
 * is resolved now: -ENOENT when it is gone, -ESTALE when its name now points
 * to another namespace than the one the device was made in (neither is
 * reported).  An unnamed one (the creator's own) is known by its recorded
 * identity only: *@ret_reachable tells whether it is @own, where the device
 * can be looked at.
 */
int vt_endpoint_record_netns(struct vmtap_ctx *ctx, const struct vt_record *rec, const struct vt_netns_id *own,
			     struct vt_netns_id *ret_id, bool *ret_reachable);

/*
 * Undo everything @rec made: first what its connection did outside its
 * device (a redirect's filter and qdisc on the device it is connected
 * with; a macvtap's parent MAC and addresses), then its device, if it is
 * there and provably @rec's (see above).  What is gone already, the
 * namespace included, is success; so it can be repeated.  *@ret_deleted
 * tells whether a device was deleted.  Reports.
 */
int vt_endpoint_teardown(struct vmtap_ctx *ctx, int dirfd, const struct vt_record *rec, bool *ret_deleted);

/*
 * Whether the QEMU recorded as holding @ep's device still runs: the
 * recorded pid with the recorded start time.  1 yes, 0 no (or none
 * recorded), a negative errno when it cannot be told.
 */
int vt_endpoint_hypervisor_alive(const struct vmtap_endpoint *ep);

#endif

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A macvtap endpoint's connection: its parent's MAC and addresses handed to the guest and given back, the macvtap made. */
/*
 * Owns: what a VMTAP_CONNECT_MACVTAP endpoint does to its parent (Kata's
 * macvtap model: the guest takes the parent's MAC and addresses, the parent
 * gets a random locally administered MAC and no address while connected)
 * and the making of the macvtap itself, as the record describes it.
 * Must not: read or write records (the caller writes the "creating" record
 * with the parent's saved state before anything changes, so that a crash
 * leaves a record that can put the parent back), or delete the macvtap
 * (endpoint.c deletes an endpoint's device, whatever its kind).
 */
#ifndef VMTAP_MACVTAP_CONN_H
#define VMTAP_MACVTAP_CONN_H

#include "state.h"

/*
 * Before anything is made: look up the parent, check it can carry a
 * macvtap (an Ethernet device, not a TUN/TAP, macvlan, macvtap, ipvtap,
 * loopback or one of vmtap's own), and note in @rec its ifindex and, unless
 * rec->keep_parent, its MAC (not in passthru mode, where the macvtap shares
 * the parent's MAC) and its saved IP state.  @ret_li: the parent, whose MAC
 * and MTU the endpoint takes by default.  -ENODEV when there is no parent,
 * -EMEDIUMTYPE when it cannot carry a macvtap, -EOPNOTSUPP when its IP
 * state cannot be saved and put back (the message says to keep the parent).
 */
int vt_macvtap_conn_prepare(struct vmtap_ctx *ctx, struct vt_nl *nl, struct vt_record *rec,
			    struct vmtap_link_info *ret_li);

/*
 * Connect: the parent gets a random locally administered MAC (the guest's
 * was its own) and loses its addresses, then the macvtap is made on it with
 * the name @want_name (exact, or a pattern with one "%d"; an exact name is
 * recorded before, so that a crash between the macvtap's creation and its
 * tag still leaves a record naming it), the guest's MAC, tag @tag, @mtu (0:
 * the parent's) and brought up unless rec->down.  rec->ifname and
 * rec->ifindex are filled in once the macvtap exists.  On failure, what
 * was done stays for the caller's undo (delete rec->ifname, then
 * vt_macvtap_conn_restore()), which must also run when the record says so
 * after a crash.
 * Reports, with the steps "take parent MAC", "flush parent addresses",
 * "create macvtap" and "configure macvtap" (also fault-injection points).
 */
int vt_macvtap_conn_connect(struct vmtap_ctx *ctx, struct vt_nl *nl, struct vt_record *rec, const char *want_name,
			    const char *tag, uint32_t mtu);

/*
 * Put @rec's parent back once its macvtap is gone: its own MAC, then its
 * addresses and routes.  A parent gone, or already as it was, is fine; so
 * this can be repeated (gc does).  A parent whose ifindex is not the
 * recorded one is someone else's device and is left alone.  Reports.
 */
int vt_macvtap_conn_restore(struct vmtap_ctx *ctx, struct vt_nl *nl, const struct vt_record *rec);

#endif

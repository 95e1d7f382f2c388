/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A macvtap endpoint's connection: its parent's MAC and addresses handed to the guest and given back, the macvtap made. */
/**
 * DOC: Theory of Operation
 *
 * Kata's macvtap model puts the guest on the pod's wire as the pod itself:
 * the macvtap on the pod's veth carries the veth's MAC, and the guest
 * configures the veth's addresses.  The veth must then give both up while
 * the guest has them: it gets a random locally administered MAC (a macvtap
 * with its parent's own MAC cannot go up) and loses its addresses (the
 * kernel would answer ARP and take the guest's traffic otherwise).
 *
 * The parent is not vmtap's, so everything taken from it is written in the
 * endpoint's record before it is taken (vt_macvtap_conn_prepare() fills
 * the record the caller writes as "creating"): its MAC and its addresses
 * and routes (addr.c).  Whoever finds the record after a crash (destroy,
 * gc) can put the parent back: restoring is idempotent.
 *
 * The order is fixed by the kernel: the parent's MAC changes before the
 * macvtap is made with the old one; the macvtap is deleted before the
 * parent gets its MAC back; addresses come back last, on the parent as it
 * was.  With keep_parent (or a guest MAC of the caller's) the parent is
 * not touched at all; in passthru mode the macvtap and the parent share the
 * parent's MAC, which therefore stays.
 */
#include <net/if.h>
#include <stdio.h>
#include <json-c/json.h>

#include "addr.h"
#include "link.h"
#include "link_set.h"
#include "macvtap.h"
#include "macvtap_conn.h"

static enum vt_macvtap_mode kernel_mode(enum vmtap_macvtap_mode m)
{
	switch (m) {
	case VMTAP_MACVTAP_VEPA:
		return VT_MACVTAP_VEPA;
	case VMTAP_MACVTAP_PRIVATE:
		return VT_MACVTAP_PRIVATE;
	case VMTAP_MACVTAP_PASSTHRU:
		return VT_MACVTAP_PASSTHRU;
	default:
		return VT_MACVTAP_BRIDGE;
	}
}

static const char *record_netns(const struct vt_record *rec)
{
	return rec->netns[0] ? rec->netns : NULL;
}

/* The parent's IP state as the record keeps it: compact JSON that fits, or -EOPNOTSUPP reported. */
static int save_ip(struct vmtap_ctx *ctx, struct vt_nl *nl, struct vt_record *rec)
{
	_cleanup_(vt_link_ip_freep) struct vt_link_ip *ip = NULL;
	json_object *o = NULL;
	const char *text;
	int r;

	r = vt_link_ip_save(ctx, nl, rec->link_ifindex, &ip);
	if (r == -EOPNOTSUPP) {
		char why[VMTAP_ERROR_MAX];
		snprintf(why, sizeof(why), "%s", vmtap_ctx_error(ctx));
		return vt_fail(ctx, -EOPNOTSUPP, "save parent addresses",
			       "%s; give a guest MAC or keep the parent to leave %s as it is", why, rec->link_dev);
	}
	if (r < 0)
		return r;
	if (!ip->n_addrs && !ip->n_routes)
		return 0; /* nothing to take: nothing to put back */
	if (vt_link_ip_to_json(ip, &o) < 0)
		return vt_fail(ctx, -ENOMEM, "save parent addresses", NULL);
	text = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);
	if (!text || strlen(text) >= sizeof(rec->parent_ip)) {
		json_object_put(o);
		return vt_fail(ctx, -EOPNOTSUPP, "save parent addresses",
			       "%s has %zu addresses and %zu routes, more than a record keeps; give a guest MAC or keep "
			       "the parent to leave it as it is", rec->link_dev, ip->n_addrs, ip->n_routes);
	}
	snprintf(rec->parent_ip, sizeof(rec->parent_ip), "%s", text);
	json_object_put(o);
	return 0;
}

int vt_macvtap_conn_prepare(struct vmtap_ctx *ctx, struct vt_nl *nl, struct vt_record *rec,
			    struct vmtap_link_info *ret_li)
{
	struct vmtap_link_info li;
	struct vt_tag tag;
	int r;

	r = vt_link_get(NULL, nl, rec->link_dev, 0, &li);
	if (r == -ENODEV)
		return vt_fail(ctx, -ENODEV, "look up parent", "no device %s in %s%s", rec->link_dev,
			       rec->netns[0] ? "namespace " : "the caller's namespace", rec->netns);
	if (r < 0)
		return vt_fail_ack(ctx, r, vt_nl_ack(nl), "look up parent", "%s", rec->link_dev);
	if (vt_tag_parse(li.alias, strlen(li.alias), &tag) == 0)
		return vt_fail(ctx, -EMEDIUMTYPE, "validate", "%s is vmtap endpoint %s's own device, not a parent",
			       rec->link_dev, tag.id);
	r = vt_macvtap_parent_check(ctx, nl, li.ifindex, kernel_mode(rec->macvtap_mode), NULL);
	if (r < 0)
		return r;
	rec->link_ifindex = li.ifindex;
	if (!rec->keep_parent) {
		if (rec->macvtap_mode != VMTAP_MACVTAP_PASSTHRU) {
			memcpy(rec->parent_mac, li.mac, 6);
			rec->has_parent_mac = true;
		}
		r = save_ip(ctx, nl, rec);
		if (r < 0)
			return r;
	}
	*ret_li = li;
	return 0;
}

/* The parent's saved IP state of @rec, read back (the record's parser checked it already). */
static int parent_ip_load(struct vmtap_ctx *ctx, const struct vt_record *rec, const char *step, struct vt_link_ip **ret)
{
	json_object *o = json_tokener_parse(rec->parent_ip);
	char why[160] = "not JSON";
	int r;

	r = o ? vt_link_ip_from_json(o, ret, why, sizeof(why)) : -EINVAL;
	json_object_put(o);
	if (r < 0)
		return vt_fail(ctx, -EINVAL, step, "the saved state of %s: %s", rec->link_dev, why);
	return 0;
}

/* Give the parent (by name, proven by its ifindex) the MAC @mac; quietly nothing when it has it already. */
static int parent_set_mac(struct vmtap_ctx *ctx, struct vt_nl *nl, const struct vt_record *rec, const uint8_t mac[6],
			  const char *step)
{
	struct vmtap_link_info li;
	int r;

	r = vt_link_get(NULL, nl, NULL, rec->link_ifindex, &li);
	if (r == -ENODEV)
		return -ENODEV;
	if (r < 0)
		return vt_fail_ack(ctx, r, vt_nl_ack(nl), step, "%s", rec->link_dev);
	if (li.has_mac && !memcmp(li.mac, mac, 6))
		return 0;
	if ((r = vt_fault(ctx, step)) < 0)
		return r;
	{
		VMTAP_OPTS(vmtap_link_set_opts, o, .set_mac = true);
		memcpy(o.mac, mac, 6);
		/* by the name it has now: the ifindex is the proof, a rename since does not matter */
		return vt_link_set_checked(ctx, record_netns(rec), li.name, &o, false);
	}
}

int vt_macvtap_conn_restore(struct vmtap_ctx *ctx, struct vt_nl *nl, const struct vt_record *rec)
{
	_cleanup_(vt_link_ip_freep) struct vt_link_ip *ip = NULL;
	struct vmtap_link_info li;
	int r;

	if (!rec->link_ifindex || (!rec->has_parent_mac && !rec->parent_ip[0]))
		return 0;
	r = vt_link_get(NULL, nl, NULL, rec->link_ifindex, &li);
	if (r == -ENODEV)
		return 0; /* the parent is gone: nothing to give back */
	if (r < 0)
		return vt_fail_ack(ctx, r, vt_nl_ack(nl), "look up parent", "%s", rec->link_dev);
	if (rec->has_parent_mac && (r = parent_set_mac(ctx, nl, rec, rec->parent_mac, "restore parent MAC")) < 0 &&
	    r != -ENODEV)
		return r;
	if (rec->parent_ip[0]) {
		if ((r = parent_ip_load(ctx, rec, "restore parent addresses", &ip)) < 0 ||
		    (r = vt_fault(ctx, "restore parent addresses")) < 0)
			return r;
		r = vt_link_ip_restore(ctx, nl, rec->link_ifindex, ip);
		if (r < 0)
			return r;
	}
	return 0;
}

int vt_macvtap_conn_connect(struct vmtap_ctx *ctx, struct vt_nl *nl, struct vt_record *rec, const char *want_name,
			    const char *tag, uint32_t mtu)
{
	_cleanup_(vt_link_ip_freep) struct vt_link_ip *ip = NULL;
	bool passthru = rec->macvtap_mode == VMTAP_MACVTAP_PASSTHRU;
	char name[VMTAP_IFNAMSIZ];
	int r;

	if (rec->has_parent_mac) {
		uint8_t fresh[6];

		if ((r = vt_mac_random_local(rec->parent_mac, fresh)) < 0)
			return vt_fail(ctx, r, "take parent MAC", "no random bytes");
		r = parent_set_mac(ctx, nl, rec, fresh, "take parent MAC");
		if (r == -ENODEV)
			return vt_fail(ctx, -ENODEV, "take parent MAC", "%s is gone", rec->link_dev);
		if (r < 0)
			return r;
	}
	if (rec->parent_ip[0]) {
		if ((r = parent_ip_load(ctx, rec, "flush parent addresses", &ip)) < 0 ||
		    (r = vt_fault(ctx, "flush parent addresses")) < 0 ||
		    (r = vt_link_ip_flush(ctx, nl, rec->link_ifindex, ip)) < 0)
			return r;
	}
	if ((r = vt_fault(ctx, "create macvtap")) < 0)
		return r;
	/* a copy: @want_name may be rec->ifname, which receives the name */
	snprintf(name, sizeof(name), "%s", want_name);
	r = vt_macvtap_create(ctx, nl, name, rec->link_ifindex, kernel_mode(rec->macvtap_mode),
			      passthru ? NULL : rec->guest_mac, tag, &rec->ifindex, rec->ifname);
	if (r < 0)
		return r;
	{
		VMTAP_OPTS(vmtap_link_set_opts, o, .mtu = mtu, .state = rec->down ? VMTAP_LINK_DOWN : VMTAP_LINK_UP);

		if ((r = vt_fault(ctx, "configure macvtap")) < 0)
			return r;
		return vt_link_set_checked(ctx, record_netns(rec), rec->ifname, &o, false);
	}
}

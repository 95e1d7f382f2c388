/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vmtap-cni ADD: the attachment's endpoint made in CNI_NETNS, connected to CNI_IFNAME, and prevResult extended with it. */
/**
 * DOC: Theory of Operation
 *
 * ADD checks everything first (cni_attachment_prepare()), refuses an id
 * that has a record (its own: ADD twice without DEL, code 101; another
 * attachment's: code 102), then makes the endpoint in one library call,
 * which is transactional: the TAP (or macvtap), its link settings, the tc
 * filters or the parent's new MAC, the record; any failure inside undoes
 * what that call did.  What follows the call (reading the new device
 * back, building the result) can fail too, and then ADD destroys the
 * endpoint before reporting, so a failed ADD leaves nothing (urunc #874);
 * main.c does the same through DEL when the result cannot be written.
 *
 * The result reports what the kernel has, read back after creation: the
 * TAP's name, MAC and MTU; the guest's MAC from the record; in macvtap
 * mode CNI_IFNAME's new MAC.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cni.h"
#include "endpoint_cni.h"

/* Everything after the endpoint exists: read it back and build the result.  Nothing to undo here. */
static int build_result(struct cni_request *req, const struct vmtap_endpoint *ep, struct cni_error *err)
{
	VMTAP_OPTS(vmtap_link_info, tap);
	VMTAP_OPTS(vmtap_link_info, dev);
	char dev_mac[VMTAP_MAC_STRLEN];
	uint8_t guest[6];
	struct cni_added a = {
		.tap_name = vmtap_endpoint_ifname(ep),
		.netns = req->env.netns,
		.containerid = req->env.containerid,
		.iface = &req->att.iface,
	};
	int r;

	r = vmtap_link_get(req->ctx, req->env.netns, a.tap_name, &tap);
	if (r < 0)
		return cni_fail_lib(err, req->ctx, r, "reading the new device back");
	if (!tap.has_mac)
		return cni_fail(err, CNI_ERR_INTERNAL, "vmtap failed", "the new device %s has no MAC", a.tap_name);
	/* what the runtime is told must be what exists: a library without macvtap support must not pass for one */
	if (req->cfg.mode == CNI_MODE_MACVTAP ? strcmp(tap.kind, "macvtap") != 0 : !tap.is_tun)
		return cni_fail(err, CNI_ERR_UNSUPPORTED, "not supported by this kernel or library",
				"asked for a %s endpoint, the library made a %s device %s",
				req->cfg.mode == CNI_MODE_MACVTAP ? "macvtap" : "TAP", tap.kind[0] ? tap.kind : "plain",
				a.tap_name);
	vmtap_mac_format(tap.mac, a.tap_mac);
	a.mtu = tap.mtu;
	vmtap_endpoint_guest_mac(ep, guest);
	vmtap_mac_format(guest, a.guest_mac);
	if (req->cfg.mode == CNI_MODE_MACVTAP) {
		/* the guest took CNI_IFNAME's MAC, which got a new one: say so, as the tuning plugin does */
		r = vmtap_link_get(req->ctx, req->env.netns, req->env.ifname, &dev);
		if (r < 0)
			return cni_fail_lib(err, req->ctx, r, "reading CNI_IFNAME back");
		if (dev.has_mac && memcmp(dev.mac, req->att.link.mac, 6)) {
			vmtap_mac_format(dev.mac, dev_mac);
			a.iface_new_mac = dev_mac;
		}
	}
	req->result = cni_result_build(req->cfg.prev_result, req->cfg.cni_version, &a);
	if (!req->result)
		return cni_fail(err, CNI_ERR_RESOURCES, "out of resources", "no memory for the result");
	return 0;
}

/*
 * Whether exact TAP name @name names a device of the namespace already (a
 * %d pattern never does).  False when it cannot be told: creation then
 * fails or succeeds on its own.
 */
static bool tap_name_taken(struct cni_request *req, const char *name, struct vmtap_link_info *ret_li)
{
	ret_li->sz = sizeof(*ret_li);
	return name && !strchr(name, '%') && vmtap_link_get(req->ctx, req->env.netns, name, ret_li) == 0;
}

static int name_taken(struct cni_request *req, const char *name, const struct vmtap_link_info *li,
		      struct cni_error *err)
{
	return cni_fail(err, CNI_ERR_NAME_TAKEN, "TAP name taken", "%s exists in %.200s (a %s device)", name,
			req->env.netns, li->kind[0] ? li->kind : "plain");
}

int cni_cmd_add(struct cni_request *req, struct cni_error *err)
{
	_cleanup_(vmtap_endpoint_freep) struct vmtap_endpoint *ep = NULL;
	struct vmtap_endpoint_spec spec;
	struct vmtap_link_info li;
	const char *tap_name;
	int r;

	r = cni_attachment_prepare(req, err);
	if (r)
		return r;
	r = cni_endpoint_find(req, &ep, err);
	if (r == CNI_EP_OURS)
		return cni_fail(err, CNI_ERR_EXISTS, "attachment exists",
				"endpoint %s of %s exists already: ADD again without DEL in between", req->att.id,
				req->att.label);
	if (r == CNI_EP_OTHER)
		return cni_fail(err, CNI_ERR_ID_COLLISION, "endpoint id collision",
				"endpoint %s belongs to another attachment (%s), not to %s: see vmtap-cni(8)", req->att.id,
				vmtap_endpoint_label(ep) ? vmtap_endpoint_label(ep) : "no label", req->att.label);
	if (r != CNI_EP_NONE)
		return r;

	if (req->cfg.mode == CNI_MODE_MACVTAP && (req->cfg.has_owner || req->cfg.has_group || req->env.args.has_owner ||
						   req->env.args.has_group))
		return cni_fail(err, CNI_ERR_CONFIG, "invalid network configuration",
				"owner and group (or VMTAP_OWNER, VMTAP_GROUP) are for redirect mode: a macvtap has no "
				"owner, its queues are opened through its character device");
	cni_endpoint_spec(req, &spec);
	tap_name = cni_want_tap_name(req);
	if (tap_name_taken(req, tap_name, &li))
		return name_taken(req, tap_name, &li, err);
	r = vmtap_endpoint_create(req->ctx, req->att.id, &spec, &ep);
	if (r < 0) {
		_cleanup_(vmtap_endpoint_freep) struct vmtap_endpoint *other = NULL;
		char why[VMTAP_ERROR_MAX], step[64];

		/* what the library said, before other calls on the context replace it */
		snprintf(why, sizeof(why), "%s", vmtap_ctx_error(req->ctx));
		snprintf(step, sizeof(step), "%s", vmtap_ctx_error_step(req->ctx));
		/* taken meanwhile: the kernel's EBUSY or EEXIST says so less clearly */
		if (tap_name_taken(req, tap_name, &li))
			return name_taken(req, tap_name, &li, err);
		/* a record that appeared meanwhile is a concurrent ADD of the same attachment */
		if (r == -EEXIST && cni_endpoint_find(req, &other, err) == CNI_EP_OURS)
			return cni_fail(err, CNI_ERR_EXISTS, "attachment exists",
					"endpoint %s of %s was made by a concurrent ADD", req->att.id, req->att.label);
		return cni_fail(err, cni_code_for_errno(r, step), "vmtap could not make the endpoint", "%s", why);
	}

	r = build_result(req, ep, err);
	if (r) {
		/* the runtime never learns of it: undo, so that a failed ADD leaves nothing */
		int u = vmtap_endpoint_destroy(req->ctx, req->att.id);
		if (u < 0 && u != -ENOENT)
			fprintf(stderr, "vmtap-cni: undo of endpoint %s failed: %s\n", req->att.id, vmtap_ctx_error(req->ctx));
	}
	return r;
}

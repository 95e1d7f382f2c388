/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vmtap-cni's attachments as vmtap endpoints: the spec ADD asks for, and finding an attachment's record by id and label. */
/**
 * DOC: Theory of Operation
 *
 * Each attachment is one vmtap endpoint, made by vmtap_endpoint_create()
 * with the connection of the configuration's mode (redirect: the tc
 * cross-connect with CNI_IFNAME; macvtap: a macvtap on CNI_IFNAME), in
 * CNI_NETNS, under the id of id.c and with the label
 * "cni:<network>:<container id>:<ifname>".  The library does the work,
 * transactionally and under the endpoint's own lock: vmtap-cni holds no
 * lock of its own, so ADDs and DELs of different pods run side by side.
 *
 * A record is this attachment's only when its label says so: the id is a
 * hash and could, in theory, be another attachment's (see id.c).
 * cni_endpoint_find() tells the three cases apart.
 *
 * Per-attachment values win over per-network ones: CNI_ARGS'
 * VMTAP_TAP_NAME, VMTAP_QUEUES, VMTAP_OWNER and VMTAP_GROUP override the
 * configuration's tapName, queues, owner and group.
 */
#include <errno.h>
#include <string.h>

#include "cni.h"
#include "endpoint_cni.h"

unsigned int cni_want_queues(const struct cni_request *req)
{
	return req->env.args.queues ? req->env.args.queues : req->cfg.queues;
}

const char *cni_want_tap_name(const struct cni_request *req)
{
	if (req->env.args.has_tap_name)
		return req->env.args.tap_name;
	return req->cfg.tap_name[0] ? req->cfg.tap_name : NULL;
}

enum vmtap_connection cni_want_connection(const struct cni_request *req)
{
	return req->cfg.mode == CNI_MODE_MACVTAP ? VMTAP_CONNECT_MACVTAP : VMTAP_CONNECT_REDIRECT;
}

void cni_endpoint_spec(const struct cni_request *req, struct vmtap_endpoint_spec *s)
{
	const struct cni_config *cfg = &req->cfg;
	const struct cni_args *args = &req->env.args;

	memset(s, 0, sizeof(*s));
	s->sz = sizeof(*s);
	s->ifname = cni_want_tap_name(req);
	s->queues = cni_want_queues(req);
	s->mtu = cfg->mtu;
	s->netns = req->env.netns;
	s->connection = cni_want_connection(req);
	s->device = req->env.ifname;
	s->macvtap_mode = (enum vmtap_macvtap_mode)cfg->macvtap_mode;
	s->label = req->att.label;
	if (!cfg->vnet_hdr)
		s->flags |= VMTAP_EP_NO_VNET_HDR;
	if (args->has_owner || cfg->has_owner) {
		s->flags |= VMTAP_EP_SET_OWNER;
		s->owner = args->has_owner ? args->owner : cfg->owner;
	}
	if (args->has_group || cfg->has_group) {
		s->flags |= VMTAP_EP_SET_GROUP;
		s->group = args->has_group ? args->group : cfg->group;
	}
	if (cfg->has_runtime_mac) {
		s->set_guest_mac = true;
		memcpy(s->guest_mac, cfg->runtime_mac, 6);
	}
}

int cni_endpoint_find(struct cni_request *req, struct vmtap_endpoint **ret_ep, struct cni_error *err)
{
	struct vmtap_endpoint *ep = NULL;
	const char *label;
	int r;

	*ret_ep = NULL;
	r = vmtap_endpoint_load(req->ctx, req->att.id, &ep);
	if (r == -ENOENT)
		return CNI_EP_NONE;
	if (r < 0)
		return cni_fail_lib(err, req->ctx, r, "reading the attachment's record");
	label = vmtap_endpoint_label(ep);
	*ret_ep = ep;
	if (!label || strcmp(label, req->att.label))
		return CNI_EP_OTHER;
	return CNI_EP_OURS;
}

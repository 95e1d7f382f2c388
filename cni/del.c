/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vmtap-cni DEL: the attachment's endpoint destroyed, idempotently, and nothing that is not vmtap's touched. */
/**
 * DOC: Theory of Operation
 *
 * DEL succeeds whenever there is nothing (more) to remove: no record (never
 * added, ADD failed, DEL ran before), a namespace or device already gone
 * (vmtap_endpoint_destroy() is idempotent for those), no prevResult, no
 * CNI_NETNS.  It reads neither: the record says where the endpoint is.  A
 * record under the attachment's id with another label is another
 * attachment's (see id.c) and is left alone, successfully.
 *
 * What the library removes is exactly what it made: the TAP or macvtap,
 * its filters (found by their cookie), the ingress qdisc only if it made
 * it, and in macvtap mode it gives CNI_IFNAME its MAC and addresses back.
 */
#include <errno.h>
#include <stdio.h>

#include "cni.h"
#include "endpoint_cni.h"

int cni_cmd_del(struct cni_request *req, struct cni_error *err)
{
	_cleanup_(vmtap_endpoint_freep) struct vmtap_endpoint *ep = NULL;
	int r;

	r = cni_attachment_prepare(req, err);
	if (r)
		return r;
	r = cni_endpoint_find(req, &ep, err);
	if (r == CNI_EP_NONE)
		return 0;
	if (r == CNI_EP_OTHER) {
		fprintf(stderr, "vmtap-cni: endpoint %s belongs to %s, not to %s: left alone\n", req->att.id,
			vmtap_endpoint_label(ep) ? vmtap_endpoint_label(ep) : "no attachment", req->att.label);
		return 0;
	}
	if (r != CNI_EP_OURS)
		return r;
	r = vmtap_endpoint_destroy(req->ctx, req->att.id);
	if (r == -ENOENT)
		return 0; /* destroyed meanwhile */
	if (r < 0)
		return cni_fail_lib(err, req->ctx, r, "destroying the endpoint");
	return 0;
}

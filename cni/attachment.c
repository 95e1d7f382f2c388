/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vmtap-cni's attachment: its id and label, and the checks every attachment verb makes before it touches anything. */
/**
 * DOC: Theory of Operation
 *
 * Before ADD or CHECK looks at the kernel's objects, everything the
 * request says is checked against what exists, in this order: CNI_NETNS is
 * a network namespace (code 4, it is an environment variable), prevResult
 * is there and well formed and names CNI_IFNAME in that sandbox (code 7:
 * vmtap-cni is chained only), CNI_IFNAME exists in CNI_NETNS (code 7).
 * Nothing is created by these checks, so a refusal leaves the system as it
 * was.  DEL needs none of it: its namespace may be gone, its prevResult
 * missing; it needs only the id and the label.
 */
#include <errno.h>
#include <string.h>

#include "cni.h"
#include "netns.h"

int cni_attachment_prepare(struct cni_request *req, struct cni_error *err)
{
	struct cni_attachment *att = &req->att;
	const struct cni_env *env = &req->env;
	struct vt_netns_id nsid;
	int r;

	memset(att, 0, sizeof(*att));
	if (req->env.command == CNI_CMD_GC || req->env.command == CNI_CMD_STATUS)
		return 0;
	cni_endpoint_id(env->containerid, env->ifname, att->id);
	if (cni_label_format(att->label, req->cfg.name, env->containerid, env->ifname) < 0)
		return cni_fail(err, CNI_ERR_CONFIG, "invalid network configuration",
				"the attachment's label \"cni:NETWORK:CONTAINERID:IFNAME\" would pass %d bytes, more than "
				"a vmtap record keeps: use a shorter network name",
				CNI_LABEL_MAX);
	if (env->command != CNI_CMD_ADD && env->command != CNI_CMD_CHECK)
		return 0;

	r = vt_netns_id(req->ctx, env->netns, &nsid);
	if (r < 0)
		return cni_fail(err, CNI_ERR_ENV, "invalid environment variables",
				"CNI_NETNS %.200s is not a network namespace: %s", env->netns, vmtap_ctx_error(req->ctx));
	if (!req->cfg.prev_result)
		return cni_fail(err, CNI_ERR_CONFIG, "chained wrongly",
				"no prevResult: vmtap-cni is a chained plugin; put it after the plugin that makes %s in the "
				"container (bridge, ptp, ...) in a configuration list of cniVersion 0.3.0 or later",
				env->ifname);
	r = cni_prev_validate(req->cfg.prev_result, err);
	if (r)
		return r;
	r = cni_prev_find_iface(req->cfg.prev_result, env->ifname, env->netns, &att->iface, err);
	if (r)
		return r;
	att->link.sz = sizeof(att->link);
	r = vmtap_link_get(req->ctx, env->netns, env->ifname, &att->link);
	if (r == -ENODEV)
		return cni_fail(err, CNI_ERR_CONFIG, "chained wrongly",
				"prevResult names %s in %.200s, but there is no such interface there", env->ifname,
				env->netns);
	if (r < 0)
		return cni_fail_lib(err, req->ctx, r, "looking up CNI_IFNAME");
	return 0;
}

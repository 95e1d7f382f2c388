/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vmtap-cni GC (CNI 1.1.0): every endpoint of this network whose attachment is not in the valid list is destroyed. */
/**
 * DOC: Theory of Operation
 *
 * The runtime sends the attachments that are still valid
 * ("cni.dev/valid-attachments", and "cni.dev/attachments" as the 1.1.0
 * text called it; config.c unites them).  GC lists the records of the
 * state directory and picks the ones whose label is
 * "cni:<this network>:<container id>:<ifname>" with a pair not in the list;
 * records of other networks, of other programs (no label or another one)
 * and unreadable ones are never touched.  Each pick is destroyed like DEL
 * does, which also works when its namespace is gone.  A failure is noted
 * and GC goes on with the rest (the specification asks to remove as much
 * as possible); the failures are reported together, code 107.
 *
 * A request without either list is refused (code 7) instead of read as
 * "nothing is valid": a hand-written GC that forgot the key would
 * otherwise destroy every attachment of the network.
 *
 * Devices that carry vmtap's tag but have no record at all belong to no
 * known attachment; `vmtap gc` (run by systemd) removes those.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cni.h"
#include "endpoint_cni.h"

struct gc_pick {
	const struct cni_config *cfg;
	char **ids;
	size_t n;
	int err;
};

static int pick(const struct vmtap_endpoint *ep, const char *file, const char *error, void *userdata)
{
	struct gc_pick *p = userdata;
	char cid[CNI_LABEL_MAX + 1], ifname[VMTAP_IFNAMSIZ];
	const char *label;
	char **grown;

	(void)file;
	(void)error;
	if (!ep)
		return 0; /* unreadable: it says nothing about its network, left alone */
	label = vmtap_endpoint_label(ep);
	if (!label || cni_label_parse(label, strlen(label), p->cfg->name, cid, ifname) < 0)
		return 0;
	if (cni_config_attachment_valid(p->cfg, cid, ifname))
		return 0;
	grown = realloc(p->ids, (p->n + 1) * sizeof(*p->ids));
	if (!grown || !(grown[p->n] = strdup(vmtap_endpoint_id(ep)))) {
		if (grown)
			p->ids = grown;
		p->err = -ENOMEM;
		return 1;
	}
	p->ids = grown;
	p->n++;
	return 0;
}

int cni_cmd_gc(struct cni_request *req, struct cni_error *err)
{
	struct gc_pick p = { .cfg = &req->cfg };
	char failed[CNI_DETAILS_MAX] = "";
	size_t nfailed = 0, len = 0;
	int r;

	if (!req->cfg.has_attachments)
		return cni_fail(err, CNI_ERR_CONFIG, "invalid network configuration",
				"GC needs the list of valid attachments (\"cni.dev/valid-attachments\"); an empty list "
				"removes every attachment of the network");
	r = vmtap_endpoint_foreach(req->ctx, pick, &p);
	if (r < 0 || p.err) {
		r = p.err ? cni_fail(err, CNI_ERR_RESOURCES, "out of resources", "no memory for GC's list")
			  : cni_fail_lib(err, req->ctx, r, "listing the endpoints");
		goto out;
	}
	r = 0;
	for (size_t i = 0; i < p.n; i++) {
		int d = vmtap_endpoint_destroy(req->ctx, p.ids[i]);
		if (d == 0 || d == -ENOENT)
			continue;
		nfailed++;
		if (len < sizeof(failed))
			len += (size_t)snprintf(failed + len, sizeof(failed) - len, "%s%s: %s", nfailed > 1 ? "; " : "",
						p.ids[i], vmtap_ctx_error(req->ctx));
	}
	if (nfailed)
		r = cni_fail(err, CNI_ERR_GC, "GC could not remove every stale attachment", "%zu of %zu failed: %s", nfailed,
			     p.n, failed);
out:
	for (size_t i = 0; i < p.n; i++)
		free(p.ids[i]);
	free(p.ids);
	return r;
}

/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vmtap-cni's ADD, DEL, CHECK and GC in a build whose libvmtap has no redirect or macvtap endpoints: a clear refusal. */
/**
 * DOC: Theory of Operation
 *
 * meson compiles add.c, del.c, check.c and gc.c only when include/vmtap.h
 * declares VMTAP_CONNECT_REDIRECT (the library support of project issue
 * 12), and this file otherwise, so that the rest of the plugin (VERSION,
 * STATUS, every input check) builds and is tested before that support
 * lands.  Each verb still runs every check of its input first (main.c,
 * cni_attachment_prepare()).  ADD and CHECK then answer code 109.  DEL and
 * GC succeed: this build cannot have made anything to remove, and a DEL
 * that failed would stop the runtime from running the DEL of the plugins
 * before vmtap-cni in the chain.
 */
#include "cni.h"

static int not_built(struct cni_request *req, struct cni_error *err)
{
	int r = cni_attachment_prepare(req, err);

	if (r)
		return r;
	return cni_fail(err, CNI_ERR_NOT_BUILT, "not supported by this build",
			"this vmtap-cni was built against a libvmtap without redirect and macvtap endpoints");
}

int cni_cmd_add(struct cni_request *req, struct cni_error *err)
{
	return not_built(req, err);
}

int cni_cmd_del(struct cni_request *req, struct cni_error *err)
{
	return cni_attachment_prepare(req, err);
}

int cni_cmd_check(struct cni_request *req, struct cni_error *err)
{
	return not_built(req, err);
}

int cni_cmd_gc(struct cni_request *req, struct cni_error *err)
{
	return cni_attachment_prepare(req, err);
}

/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vmtap-cni STATUS (CNI 1.1.0): whether ADD can be served: the tun driver usable, the state directory writable. */
/**
 * DOC: Theory of Operation
 *
 * STATUS answers 0 when an ADD could succeed as far as vmtap-cni can tell
 * without making anything: /dev/net/tun opens (vmtap_probe()), and the
 * state directory is writable: if it exists, it passes the library's
 * ownership checks (owned by us, writable by nobody else, every directory
 * above it trusted) on a writable file system; if not, its parent exists
 * and we may create it there (ADD creates only the last component).
 * Anything else is code 50 with the reason.  STATUS changes nothing.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/statvfs.h>

#include "cni.h"
#include "state.h"

static int unavailable(struct cni_error *err, const char *fmt, const char *a, const char *b)
{
	return cni_fail(err, CNI_ERR_UNAVAILABLE, "vmtap-cni cannot serve ADD", fmt, a, b);
}

static bool fs_writable(int fd)
{
	struct statvfs vfs;

	return fstatvfs(fd, &vfs) == 0 && !(vfs.f_flag & ST_RDONLY);
}

static int state_dir_status(struct cni_request *req, struct cni_error *err)
{
	const char *dir = req->cfg.state_dir;
	char parent[CNI_STATE_DIR_MAX + 2], *slash;
	_cleanup_close_ int fd = -1, pfd = -1;
	struct stat st;
	int r;

	r = vt_state_open(req->ctx, false, &fd);
	if (r == 0) {
		if (fstat(fd, &st) < 0 || !(st.st_mode & S_IWUSR) || !fs_writable(fd))
			return unavailable(err, "state directory %s is not writable%s", dir, "");
		return 0;
	}
	if (r != -ENOENT)
		return unavailable(err, "state directory %s: %s", dir, vmtap_ctx_error(req->ctx));
	/* missing: ADD makes its last component, so its parent must be there and writable */
	snprintf(parent, sizeof(parent), "%s", dir);
	while ((slash = strrchr(parent, '/')) && slash[1] == '\0' && slash != parent)
		*slash = '\0';
	slash = strrchr(parent, '/');
	if (!slash)
		return unavailable(err, "state directory %s is not an absolute path%s", dir, "");
	slash[slash == parent ? 1 : 0] = '\0';
	pfd = open(parent, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (pfd < 0)
		return unavailable(err, "state directory %s is missing, and so is its parent %s", dir, parent);
	if (faccessat(pfd, ".", W_OK | X_OK, AT_EACCESS) < 0 || !fs_writable(pfd))
		return unavailable(err, "state directory %s is missing and cannot be made in %s", dir, parent);
	return 0;
}

int cni_cmd_status(struct cni_request *req, struct cni_error *err)
{
	VMTAP_OPTS(vmtap_features, f);
	int r;

	r = vmtap_probe(req->ctx, &f);
	if (r < 0)
		return cni_fail(err, CNI_ERR_UNAVAILABLE, "vmtap-cni cannot serve ADD", "probe: %s",
				vmtap_ctx_error(req->ctx));
	if (!f.tun_usable)
		return cni_fail(err, CNI_ERR_UNAVAILABLE, "vmtap-cni cannot serve ADD", "the tun driver is unusable: %s",
				f.tun_reason);
	if (req->cfg.queues > f.max_queues)
		return cni_fail(err, CNI_ERR_UNAVAILABLE, "vmtap-cni cannot serve ADD",
				"the configuration asks for %u queues, the tun driver offers %u", req->cfg.queues,
				f.max_queues);
	r = state_dir_status(req, err);
	if (r)
		return r;
#ifndef VMTAP_CNI_INTERWORKING
	return cni_fail(err, CNI_ERR_UNAVAILABLE, "vmtap-cni cannot serve ADD",
			"this vmtap-cni was built against a libvmtap without redirect and macvtap endpoints");
#else
	return 0;
#endif
}

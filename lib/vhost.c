/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* /dev/vhost-net: one fd per queue when the kernel offers it, a clear reason when it does not. */
/**
 * DOC: Theory of Operation
 *
 * vhost-net takes one open of /dev/vhost-net per queue.  They are opened
 * all or none: a failure half-way closes what was opened, so a caller
 * either has every fd or a single reason (ENOENT: no module, EACCES: the
 * device's mode) to put in its warning when it falls back to vhost=off.
 */
#include <fcntl.h>

#include "ctx.h"
#include "vhost.h"

VT_EXPORT int vmtap_vhost_open(struct vmtap_ctx *ctx, unsigned int n, int *ret_fds)
{
	int *fds;
	int r;

	vt_clear_error(ctx);
	if (!ret_fds || n < 1 || n > VMTAP_MAX_QUEUES)
		return vt_fail(ctx, -EINVAL, "validate", "vhost fd count %u is outside 1..%d", n, VMTAP_MAX_QUEUES);
	fds = malloc(n * sizeof(*fds));
	if (!fds)
		return vt_fail(ctx, -ENOMEM, "open vhost-net", NULL);
	for (unsigned int i = 0; i < n; i++) {
		fds[i] = open(VT_VHOST_NET_PATH, O_RDWR | O_CLOEXEC);
		if (fds[i] < 0) {
			r = vt_fail(ctx, -errno, "open vhost-net", VT_VHOST_NET_PATH " (queue %u)", i);
			while (i--)
				close(fds[i]);
			free(fds);
			return r;
		}
	}
	memcpy(ret_fds, fds, n * sizeof(*fds));
	free(fds);
	return 0;
}

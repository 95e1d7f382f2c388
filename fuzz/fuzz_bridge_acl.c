/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libFuzzer target for vmtap-bridge-helper's ACL parser: any bytes as bridge.conf, a decision or an error, never a crash. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "acl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct fuzz_inc {
	const char *buf;
	size_t len;
	unsigned int budget; /* evaluations left: k include lines nested 8 deep would be k^8 */
};

/* every include reads the input itself again, one level deeper, until the depth bound or the budget */
static int include_self(struct bh_acl *acl, const char *path, unsigned int depth)
{
	struct fuzz_inc *f = acl->userdata;
	int r;

	if (strlen(path) > 4096)
		abort();
	if (depth > BH_ACL_MAX_DEPTH)
		return -ELOOP;
	if (!f->budget)
		return 0;
	f->budget--;
	r = bh_acl_eval(acl, path, f->buf, f->len, depth);
	if (r == -EINVAL) {
		acl->error[0] = '\0';
		return 0;
	}
	return r;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_inc f = { .buf = (const char *)data, .len = size, .budget = 32 };
	struct bh_acl acl = { .bridge = "br0", .include = include_self, .userdata = &f };
	int r;

	r = bh_acl_eval(&acl, "fuzz", (const char *)data, size, 0);
	if (r == -EINVAL && !acl.error[0])
		abort();
	if (r < 0 && r != -EINVAL && r != -ELOOP)
		abort();
	if ((acl.allowed && !acl.allowed_by.line) || (acl.denied && !acl.denied_by.line))
		abort();
	if (!memchr(acl.error, '\0', sizeof(acl.error)))
		abort();
	return 0;
}

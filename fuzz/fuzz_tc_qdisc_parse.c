/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libFuzzer target: vt_tc_qdisc_parse() on arbitrary bytes, whole and clipped, checking what it reports on success. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Parse @len bytes from an allocation of exactly that size, so that any read past them is caught. */
static void parse_exact(const uint8_t *data, size_t len)
{
	struct vt_tc_qdisc q, before;
	uint8_t *copy = malloc(len ? len : 1);
	int r;

	if (!copy)
		abort();
	if (len)
		memcpy(copy, data, len);
	memset(&q, 0xa5, sizeof(q));
	before = q;
	r = vt_tc_qdisc_parse(copy, len, &q);
	if (r < 0) {
		if (r != -EBADMSG || memcmp(&q, &before, sizeof(q)) != 0)
			abort();
	} else if (r != 0 || !q.kind[0] || !memchr(q.kind, '\0', sizeof(q.kind)) || q.ifindex <= 0) {
		abort();
	}
	free(copy);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	parse_exact(data, size);
	if (size > 0)
		parse_exact(data, size - 1);
	if (size > 16)
		parse_exact(data, size / 2);
	{
		struct vt_tc_qdisc q;
		if (vt_tc_qdisc_parse(NULL, size, &q) != -EBADMSG)
			abort();
	}
	return 0;
}

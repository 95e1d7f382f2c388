/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libFuzzer target: vt_addr_parse() on arbitrary bytes, whole and clipped; what parses is restorable and reads back from JSON. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "addr.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void parse_exact(const uint8_t *data, size_t len)
{
	struct vt_ip_addr a, before;
	uint8_t *copy = malloc(len ? len : 1);
	int r;

	if (!copy)
		abort();
	if (len)
		memcpy(copy, data, len);
	memset(&a, 0xa5, sizeof(a));
	before = a;
	r = vt_addr_parse(copy, len, &a);
	if (r < 0) {
		/* failure: only -EBADMSG, output untouched */
		if (r != -EBADMSG || memcmp(&a, &before, sizeof(a)) != 0)
			abort();
	} else {
		/* success: what save, flush and restore rely on holds */
		unsigned int bits = a.family == AF_INET ? 32 : 128;
		if (r != 0 || (a.family != AF_INET && a.family != AF_INET6) || a.ifindex <= 0 || a.prefixlen > bits)
			abort();
		if (!memchr(a.label, '\0', sizeof(a.label)) || (a.has_broadcast && a.family != AF_INET))
			abort();
		if ((a.flags & IFA_F_PERMANENT) && (a.valid_lft != VT_LIFETIME_FOREVER ||
						    a.preferred_lft != VT_LIFETIME_FOREVER))
			abort();
		/* every address the kernel can give is one vmtap can put back */
		if (vt_ip_addr_check(&a, NULL, 0) < 0)
			abort();
		/* what it parses goes to JSON and back unchanged (the ifindex is not kept) */
		{
			struct vt_link_ip one = { .n_addrs = 1, .addrs = &a }, *back = NULL;
			json_object *o = NULL;
			char err[160];
			if (vt_link_ip_to_json(&one, &o) < 0)
				abort();
			if (vt_link_ip_from_json(o, &back, err, sizeof(err)) < 0 || back->n_addrs != 1)
				abort();
			if (!vt_ip_addr_equal(&back->addrs[0], &a))
				abort();
			vt_link_ip_free(back);
			json_object_put(o);
		}
	}
	free(copy);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vt_ip_addr a;

	parse_exact(data, size);
	if (size > 0)
		parse_exact(data, size - 1);
	if (size > 16)
		parse_exact(data, size / 2);
	if (vt_addr_parse(NULL, size, &a) != -EBADMSG)
		abort();
	return 0;
}

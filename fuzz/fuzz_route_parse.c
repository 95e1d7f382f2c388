/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libFuzzer target: vt_route_parse() on arbitrary bytes, whole and clipped; what save would keep reads back from JSON. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "addr.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void parse_exact(const uint8_t *data, size_t len)
{
	struct vt_ip_route rt, before;
	uint8_t *copy = malloc(len ? len : 1);
	int r;

	if (!copy)
		abort();
	if (len)
		memcpy(copy, data, len);
	memset(&rt, 0xa5, sizeof(rt));
	before = rt;
	r = vt_route_parse(copy, len, &rt);
	if (r < 0) {
		if (r != -EBADMSG || memcmp(&rt, &before, sizeof(rt)) != 0)
			abort();
	} else {
		unsigned int bits = rt.family == AF_INET ? 32 : 128;
		if (r != 0 || (rt.family != AF_INET && rt.family != AF_INET6) || rt.dst_len > bits ||
		    rt.src_len > bits || rt.oif < 0 || rt.n_nh > VT_ROUTE_NH_MAX)
			abort();
		if (rt.metrics_set & ~(((1u << RTAX_MAX) - 1) << 1))
			abort();
		if (rt.n_nh && !rt.unsupported)
			abort();
		for (unsigned int i = 0; i < rt.n_nh; i++)
			if (rt.nh_ifindex[i] <= 0)
				abort();
		/* as vt_link_ip_save() keeps it: then JSON and back gives the same route */
		rt.flags &= RTNH_F_ONLINK;
		if (vt_ip_route_check(&rt, NULL, 0) == 0) {
			struct vt_link_ip one = { .n_routes = 1, .routes = &rt }, *back = NULL;
			json_object *o = NULL;
			char err[160];
			if (vt_link_ip_to_json(&one, &o) < 0)
				abort();
			if (vt_link_ip_from_json(o, &back, err, sizeof(err)) < 0 || back->n_routes != 1 ||
			    !vt_ip_route_equal(&back->routes[0], &rt))
				abort();
			vt_link_ip_free(back);
			json_object_put(o);
		}
	}
	free(copy);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vt_ip_route rt;

	parse_exact(data, size);
	if (size > 0)
		parse_exact(data, size - 1);
	if (size > 16)
		parse_exact(data, size / 2);
	if (vt_route_parse(NULL, size, &rt) != -EBADMSG)
		abort();
	return 0;
}

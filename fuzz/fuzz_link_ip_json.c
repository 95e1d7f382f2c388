/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libFuzzer target: a link's saved IP state read back from JSON text (records come from disk); what passes round-trips. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct json_tokener *tok = json_tokener_new_ex(16);
	struct vt_link_ip *ip = NULL, *again = NULL;
	json_object *o, *out = NULL;
	char err[160];

	if (!tok)
		abort();
	o = json_tokener_parse_ex(tok, (const char *)data, (int)(size > INT32_MAX ? INT32_MAX : size));
	json_tokener_free(tok);
	if (vt_link_ip_from_json(o, &ip, err, sizeof(err)) == 0) {
		if (ip->n_addrs > VT_LINK_IP_ADDR_MAX || ip->n_routes > VT_LINK_IP_ROUTE_MAX)
			abort();
		/* what is accepted formats and reads back to the same state */
		if (vt_link_ip_to_json(ip, &out) < 0)
			abort();
		if (vt_link_ip_from_json(out, &again, err, sizeof(err)) != 0)
			abort();
		if (again->n_addrs != ip->n_addrs || again->n_routes != ip->n_routes)
			abort();
		for (size_t i = 0; i < ip->n_addrs; i++)
			if (!vt_ip_addr_equal(&again->addrs[i], &ip->addrs[i]) || vt_ip_addr_check(&ip->addrs[i], NULL, 0))
				abort();
		for (size_t i = 0; i < ip->n_routes; i++)
			if (!vt_ip_route_equal(&again->routes[i], &ip->routes[i]) ||
			    vt_ip_route_check(&ip->routes[i], NULL, 0))
				abort();
	} else if (ip || !err[0]) {
		/* refused: no output, and a reason */
		abort();
	}
	vt_link_ip_free(ip);
	vt_link_ip_free(again);
	json_object_put(out);
	json_object_put(o);
	return 0;
}

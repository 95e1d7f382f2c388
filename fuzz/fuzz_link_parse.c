/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libFuzzer target: vt_link_parse() on arbitrary bytes, whole and clipped, checking what it reports on success. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "link.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Parse @len bytes from an allocation of exactly that size, so that any read past them is caught. */
static void parse_exact(const uint8_t *data, size_t len)
{
	struct vmtap_link_info info, before;
	uint8_t *copy = malloc(len ? len : 1);
	int r;

	if (!copy)
		abort();
	if (len)
		memcpy(copy, data, len);
	memset(&info, 0xa5, sizeof(info));
	before = info;
	r = vt_link_parse(copy, len, &info);
	if (r < 0) {
		/* failure: only -EBADMSG, output untouched */
		if (r != -EBADMSG || memcmp(&info, &before, sizeof(info)) != 0)
			abort();
	} else {
		/* success: what callers rely on holds */
		if (r != 0 || info.sz != sizeof(info) || info.ifindex <= 0)
			abort();
		if (!memchr(info.name, '\0', sizeof(info.name)) || !info.name[0])
			abort();
		if (!memchr(info.kind, '\0', sizeof(info.kind)) || !memchr(info.alias, '\0', sizeof(info.alias)))
			abort();
		if (info.master_name[0]) /* only look-ups fill it */
			abort();
		if (info.is_tun != (strcmp(info.kind, "tun") == 0))
			abort();
		if (!info.is_tun && (info.tun_type || info.tun_pi || info.tun_vnet_hdr || info.tun_persist ||
				     info.tun_multi_queue || info.tun_num_queues || info.tun_has_owner ||
				     info.tun_has_group))
			abort();
		if (info.is_macvtap != (strcmp(info.kind, "macvtap") == 0))
			abort();
		if ((info.has_macvtap_mode && !info.is_macvtap) || info.macvtap_mode > VMTAP_MACVTAP_PASSTHRU ||
		    (!info.has_macvtap_mode && info.macvtap_mode))
			abort();
		if (info.link_ifindex < 0 || info.link_ifindex == info.ifindex)
			abort();
		if (!info.has_mac && memcmp(info.mac, "\0\0\0\0\0\0", 6) != 0)
			abort();
		if (!info.has_stats && (info.stats.rx_packets || info.stats.tx_bytes))
			abort();
	}
	free(copy);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	parse_exact(data, size);
	/* the same bytes with the tail cut off, as a short read would leave them */
	if (size > 0)
		parse_exact(data, size - 1);
	if (size > 16)
		parse_exact(data, size / 2);
	/* a NULL buffer is refused whatever the length */
	{
		struct vmtap_link_info info;
		if (vt_link_parse(NULL, size, &info) != -EBADMSG)
			abort();
	}
	return 0;
}

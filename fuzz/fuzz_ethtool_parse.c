/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libFuzzer target for the ethtool feature reader: feature names and feature words in, offload bits or a refusal out. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vmtap.h"
#include "ethtool.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * Input: a 2-byte little-endian length N, then N bytes of feature names
 * (ETHTOOL_GSTRINGS' answer), then the feature words (ETHTOOL_GFEATURES').
 * Each part is copied into a buffer of its own size, so that a read past
 * either is seen by the sanitizers.
 */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint32_t known = VMTAP_OFFLOAD_CSUM | VMTAP_OFFLOAD_TSO4 | VMTAP_OFFLOAD_TSO6 | VMTAP_OFFLOAD_TSO_ECN |
			       VMTAP_OFFLOAD_USO4 | VMTAP_OFFLOAD_USO6;
	uint32_t off = 0;
	size_t n;
	char *names, *blocks;

	if (size < 2)
		return 0;
	n = (size_t)data[0] | (size_t)data[1] << 8;
	if (n > size - 2)
		n = size - 2;
	names = malloc(n ? n : 1);
	blocks = malloc(size - 2 - n ? size - 2 - n : 1);
	if (!names || !blocks)
		abort();
	memcpy(names, data + 2, n);
	memcpy(blocks, data + 2 + n, size - 2 - n);
	if (vt_ethtool_offloads_parse(names, n, blocks, size - 2 - n, &off) == 0 && (off & ~known))
		abort(); /* only offloads the tun driver can show */
	free(names);
	free(blocks);
	return 0;
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A device's active offloads, read through ethtool's feature names and bits. */
/*
 * Owns: the ethtool ioctls that read a device's features (string set, then
 * feature bits) and their translation into enum vmtap_offload.
 * Must not: change a feature, or know anything of TAPs beyond which feature
 * names the tun driver's offloads become.
 */
#ifndef VMTAP_ETHTOOL_H
#define VMTAP_ETHTOOL_H

#include <stddef.h>
#include <stdint.h>

/*
 * The offloads (enum vmtap_offload bits) that the feature names in @names
 * (@names_len bytes: ETH_GSTRING_LEN-byte entries, as ETHTOOL_GSTRINGS gives
 * them) and the ethtool_get_features_block array in @blocks (@blocks_len
 * bytes, as ETHTOOL_GFEATURES gives it) show active; fuzzed in fuzz/.
 * A name without its bit in @blocks counts as inactive.
 * Return: 0, or -EINVAL for lengths that are not whole entries.
 */
int vt_ethtool_offloads_parse(const void *names, size_t names_len, const void *blocks, size_t blocks_len,
			      uint32_t *ret_offloads);

#endif

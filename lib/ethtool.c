/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A device's active offloads, read back through the kernel's ethtool features: what TUNSETOFFLOAD made of them. */
/**
 * DOC: Theory of Operation
 *
 * TUNSETOFFLOAD cannot be read back from the tun driver or over rtnetlink:
 * the driver turns the offloads into the device's features (csum into
 * tx-checksum-ip-generic, tso4 into tx-tcp-segmentation, tso6 into
 * tx-tcp6-segmentation, tso_ecn into tx-tcp-ecn-segmentation, uso4 and uso6
 * together into tx-udp-segmentation), and those are what ethtool reads.  A
 * feature's bit number is the kernel's internal order, which changes between
 * versions, so each is found by its name in the ETH_SS_FEATURES string set
 * first, then read in the ETHTOOL_GFEATURES answer.  UFO has had no feature
 * since Linux 4.14: it is never reported.
 *
 * SIOCETHTOOL looks the device up in the namespace of the socket it is
 * issued on, so only the socket is opened inside the device's namespace, on
 * a short-lived thread there (vt_netns_call()); the ioctls run on the
 * caller's thread.
 */
#include <stdio.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <linux/ethtool.h>
#include <linux/sockios.h>

#include "ctx.h"
#include "ethtool.h"
#include "netns.h"
#include "validate.h"

/* The feature names the tun driver's offloads become (drivers/net/tun.c, tun_set_offload()). */
static const struct {
	const char *name;
	uint32_t offloads;
} feature_offloads[] = {
	{ "tx-checksum-ip-generic", VMTAP_OFFLOAD_CSUM },
	{ "tx-tcp-segmentation", VMTAP_OFFLOAD_TSO4 },
	{ "tx-tcp6-segmentation", VMTAP_OFFLOAD_TSO6 },
	{ "tx-tcp-ecn-segmentation", VMTAP_OFFLOAD_TSO_ECN },
	{ "tx-udp-segmentation", VMTAP_OFFLOAD_USO4 | VMTAP_OFFLOAD_USO6 },
};

int vt_ethtool_offloads_parse(const void *names, size_t names_len, const void *blocks, size_t blocks_len,
			      uint32_t *ret_offloads)
{
	const size_t block_size = sizeof(struct ethtool_get_features_block);
	size_t count = names_len / ETH_GSTRING_LEN;
	uint32_t offloads = 0;

	if (names_len % ETH_GSTRING_LEN || blocks_len % block_size)
		return -EINVAL;
	for (size_t i = 0; i < count; i++) {
		const char *name = (const char *)names + i * ETH_GSTRING_LEN;
		struct ethtool_get_features_block b;
		size_t nlen = strnlen(name, ETH_GSTRING_LEN);

		if ((i / 32 + 1) * block_size > blocks_len)
			break; /* no bit for this name, nor for any after it */
		memcpy(&b, (const char *)blocks + (i / 32) * block_size, block_size);
		if (!(b.active & (1u << (i % 32))))
			continue;
		for (size_t k = 0; k < ARRAY_SIZE(feature_offloads); k++)
			if (strlen(feature_offloads[k].name) == nlen && !memcmp(feature_offloads[k].name, name, nlen))
				offloads |= feature_offloads[k].offloads;
	}
	*ret_offloads = offloads;
	return 0;
}

struct socket_here {
	struct vmtap_ctx *ctx;
	int fd;
};

/* Runs inside the device's namespace (vt_netns_call()). */
static int open_socket_here(void *p)
{
	struct socket_here *s = p;

	/* any socket reaches the device ioctls; a unix one exists whatever the kernel's protocols */
	s->fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	return s->fd < 0 ? vt_fail(s->ctx, -errno, "read offloads", "socket") : 0;
}

/* SIOCETHTOOL with @cmd for @name: 0 or a bare -errno. */
static int ethtool_ioctl(int fd, const char *name, void *cmd)
{
	struct ifreq ifr = { 0 };

	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	ifr.ifr_data = cmd;
	return ioctl(fd, SIOCETHTOOL, &ifr) < 0 ? -errno : 0;
}

VT_EXPORT int vmtap_link_offloads(struct vmtap_ctx *ctx, const char *netns, const char *name, uint32_t *ret_offloads)
{
	struct socket_here s = { .ctx = ctx, .fd = -1 };
	_cleanup_close_ int nsfd = -1, fd = -1;
	_cleanup_free_ struct ethtool_gstrings *names = NULL;
	_cleanup_free_ struct ethtool_gfeatures *features = NULL;
	/* the set's size follows the struct, in its flexible array: one entry, for the one set asked */
	_cleanup_free_ struct ethtool_sset_info *sset = NULL;
	uint32_t count, blocks, offloads;
	int r;

	vt_clear_error(ctx);
	if (!ret_offloads)
		return vt_fail(ctx, -EINVAL, "validate", "no output for the offloads");
	r = vt_name_check(ctx, "interface name", name, false);
	if (r < 0)
		return r;
	if (netns && (r = vt_netns_open(ctx, netns, &nsfd)) < 0)
		return r;
	r = vt_netns_call(ctx, nsfd, open_socket_here, &s);
	if (r < 0)
		return r;
	fd = s.fd;

	sset = calloc(1, sizeof(*sset) + sizeof(sset->data[0]));
	if (!sset)
		return vt_fail(ctx, -ENOMEM, "read offloads", NULL);
	sset->cmd = ETHTOOL_GSSET_INFO;
	sset->sset_mask = 1ULL << ETH_SS_FEATURES;
	r = ethtool_ioctl(fd, name, sset);
	if (r == -ENODEV)
		return vt_fail(ctx, r, "read offloads", "device %s does not exist", name);
	if (r < 0)
		return vt_fail(ctx, r, "read offloads", "%s: ETHTOOL_GSSET_INFO", name);
	if (!(sset->sset_mask & (1ULL << ETH_SS_FEATURES)))
		return vt_fail(ctx, -EOPNOTSUPP, "read offloads", "%s: the kernel names no features", name);
	count = sset->data[0];
	if (count > 4096)
		return vt_fail(ctx, -EBADMSG, "read offloads", "%s: %u feature names", name, count);
	blocks = (count + 31) / 32;
	names = calloc(1, sizeof(*names) + (size_t)count * ETH_GSTRING_LEN);
	features = calloc(1, sizeof(*features) + blocks * sizeof(features->features[0]));
	if (!names || !features)
		return vt_fail(ctx, -ENOMEM, "read offloads", NULL);
	names->cmd = ETHTOOL_GSTRINGS;
	names->string_set = ETH_SS_FEATURES;
	names->len = count;
	r = ethtool_ioctl(fd, name, names);
	if (r < 0)
		return vt_fail(ctx, r, "read offloads", "%s: ETHTOOL_GSTRINGS", name);
	features->cmd = ETHTOOL_GFEATURES;
	features->size = blocks;
	r = ethtool_ioctl(fd, name, features);
	if (r < 0)
		return vt_fail(ctx, r, "read offloads", "%s: ETHTOOL_GFEATURES", name);
	/*
	 * The kernel writes as many names as the set has (a constant for
	 * features), and as many feature words as it has or as were asked,
	 * whichever is fewer, but says how many it has: read what both wrote.
	 */
	if (names->len > count)
		return vt_fail(ctx, -EBADMSG, "read offloads", "%s: %u feature names, %u announced", name, names->len,
			       count);
	if (features->size < blocks)
		blocks = features->size;
	r = vt_ethtool_offloads_parse(names->data, (size_t)names->len * ETH_GSTRING_LEN, features->features,
				      blocks * sizeof(features->features[0]), &offloads);
	if (r < 0)
		return vt_fail(ctx, r, "read offloads", "%s: malformed feature lists", name);
	*ret_offloads = offloads;
	return 0;
}

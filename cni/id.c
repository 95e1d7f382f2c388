/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vmtap-cni's names for an attachment: the endpoint id derived from (CNI_CONTAINERID, CNI_IFNAME), and the label. */
/**
 * DOC: Theory of Operation
 *
 * An attachment is (CNI_CONTAINERID, CNI_IFNAME); vmtap keeps it as an
 * endpoint whose id must be 1-64 of [A-Za-z0-9_.-], while container ids
 * are longer (64 hex digits from containerd and podman) and interface
 * names may hold bytes an id may not.  So the id is
 *
 *     "cni-" + the first 12 bytes of the container id + "-" +
 *     the first 16 hex digits of SHA-256(container id, NUL, ifname)
 *
 * (at most 33 bytes): the prefix lets a person find the container (the
 * short form docker and podman print), the hash makes it unique.  The NUL
 * keeps ("ab", "c") and ("a", "bc") apart; a container id has no NUL.
 *
 * Two attachments share an id only if the 12-byte prefixes are equal and
 * 64 bits of SHA-256 collide: about one chance in 10^8 among a million
 * attachments of one container id prefix.  It is still handled: every
 * endpoint also records its label "cni:<network>:<container id>:<ifname>"
 * (the whole, unhashed attachment), ADD refuses an id whose record has
 * another label (code 102) and DEL, CHECK and GC act only on a record
 * whose label is theirs.  A collision thus fails one ADD loudly and never
 * touches the other attachment.
 *
 * The label is also how GC finds the attachments of its network: neither a
 * network name, a container id nor an interface name can hold ':' (CNI's
 * and libcni's rules), so the label splits back unambiguously.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cni.h"

void cni_endpoint_id(const char *containerid, const char *ifname, char out[VMTAP_ID_MAX + 1])
{
	size_t clen = strlen(containerid), ilen = strlen(ifname);
	uint8_t digest[32];
	char input[CNI_CONTAINERID_MAX + 1 + VMTAP_IFNAMSIZ];
	size_t n = 0;

	/* callers validated both: a container id fits, an ifname is < 16 bytes */
	if (clen > CNI_CONTAINERID_MAX)
		clen = CNI_CONTAINERID_MAX;
	if (ilen >= VMTAP_IFNAMSIZ)
		ilen = VMTAP_IFNAMSIZ - 1;
	memcpy(input, containerid, clen);
	n = clen;
	input[n++] = '\0';
	memcpy(input + n, ifname, ilen);
	n += ilen;
	cni_sha256(input, n, digest);
	snprintf(out, VMTAP_ID_MAX + 1, "%s%.*s-%02x%02x%02x%02x%02x%02x%02x%02x", CNI_ID_PREFIX,
		 (int)(clen < CNI_ID_CID_CHARS ? clen : CNI_ID_CID_CHARS), containerid, digest[0], digest[1], digest[2],
		 digest[3], digest[4], digest[5], digest[6], digest[7]);
}

int cni_label_format(char out[CNI_LABEL_MAX + 1], const char *network, const char *containerid, const char *ifname)
{
	int n = snprintf(out, CNI_LABEL_MAX + 1, "%s%s:%s:%s", CNI_LABEL_PREFIX, network, containerid, ifname);

	if (n < 0 || n > CNI_LABEL_MAX) {
		out[0] = '\0';
		return -ENAMETOOLONG;
	}
	return 0;
}

int cni_label_parse(const char *buf, size_t len, const char *network, char ret_cid[CNI_LABEL_MAX + 1],
		    char ret_ifname[VMTAP_IFNAMSIZ])
{
	size_t plen = strlen(CNI_LABEL_PREFIX), nlen = strlen(network), rest_len;
	const char *rest, *colon;
	size_t cid_len, if_len;

	if (len > CNI_LABEL_MAX || len < plen + nlen + 1 || memcmp(buf, CNI_LABEL_PREFIX, plen) ||
	    memcmp(buf + plen, network, nlen) || buf[plen + nlen] != ':')
		return -EINVAL;
	rest = buf + plen + nlen + 1;
	rest_len = len - plen - nlen - 1;
	colon = memchr(rest, ':', rest_len);
	if (!colon)
		return -EINVAL;
	cid_len = (size_t)(colon - rest);
	if_len = rest_len - cid_len - 1;
	if (!cni_containerid_valid(rest, cid_len) || !cni_ifname_valid(colon + 1, if_len))
		return -EINVAL;
	memcpy(ret_cid, rest, cid_len);
	ret_cid[cid_len] = '\0';
	memcpy(ret_ifname, colon + 1, if_len);
	ret_ifname[if_len] = '\0';
	return 0;
}

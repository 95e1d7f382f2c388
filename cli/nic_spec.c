/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Parser of --nic SPEC: comma-separated key=value pairs, each key once, every value checked. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nic_spec.h"

#define FAIL(...)                                       \
	do {                                            \
		snprintf(err, errlen, __VA_ARGS__);     \
		return -EINVAL;                         \
	} while (0)

static bool parse_uint(const char *v, size_t len, unsigned long max, unsigned long *ret)
{
	unsigned long n = 0;

	if (len == 0 || len > 10)
		return false;
	for (size_t i = 0; i < len; i++) {
		if (v[i] < '0' || v[i] > '9')
			return false;
		n = n * 10 + (unsigned long)(v[i] - '0');
	}
	if (n > max)
		return false;
	*ret = n;
	return true;
}

static bool copy_str(char *dst, size_t size, const char *v, size_t len)
{
	if (len == 0 || len >= size || memchr(v, '\0', len))
		return false;
	memcpy(dst, v, len);
	dst[len] = '\0';
	return true;
}

static int parse_fd_list(const char *v, size_t len, int *out, unsigned int *n)
{
	size_t start = 0;

	*n = 0;
	for (size_t i = 0; i <= len; i++) {
		unsigned long fd;
		if (i < len && v[i] != ':')
			continue;
		if (*n == VMTAP_MAX_QUEUES || !parse_uint(v + start, i - start, 1u << 20, &fd))
			return -EINVAL;
		out[(*n)++] = (int)fd;
		start = i + 1;
	}
	return 0;
}

int nic_spec_parse(const char *buf, size_t len, struct nic_spec *ret, char *err, size_t errlen)
{
	static const char *const keys[] = { "id", "endpoint", "queues", "mac", "mtu", "bridge", "netns", "vhost",
					    "model", "ifname", "vectors", "bus", "addr", "fds", "vhostfds" };
	struct nic_spec s;
	unsigned int seen = 0;
	size_t pos = 0;

	memset(&s, 0, sizeof(s));
	s.vhost = -1;
	if (!buf || len == 0)
		FAIL("empty NIC spec");
	if (len > 8192)
		FAIL("NIC spec is longer than 8192 bytes");
	while (pos < len) {
		const char *item = buf + pos, *eq, *v;
		size_t ilen = 0, klen, vlen, k;
		unsigned long n;

		while (pos + ilen < len && buf[pos + ilen] != ',')
			ilen++;
		pos += ilen + 1;
		eq = memchr(item, '=', ilen);
		if (!eq)
			FAIL("'%.*s' is not key=value", (int)(ilen > 40 ? 40 : ilen), item);
		klen = (size_t)(eq - item);
		v = eq + 1;
		vlen = ilen - klen - 1;
		for (k = 0; k < sizeof(keys) / sizeof(keys[0]); k++)
			if (strlen(keys[k]) == klen && !memcmp(keys[k], item, klen))
				break;
		if (k == sizeof(keys) / sizeof(keys[0]))
			FAIL("unknown key '%.*s' (keys: id, endpoint, queues, mac, mtu, bridge, netns, vhost, model, "
			     "ifname, vectors, bus, addr, fds, vhostfds)", (int)(klen > 40 ? 40 : klen), item);
		if (seen & (1u << k))
			FAIL("key '%s' given twice", keys[k]);
		seen |= 1u << k;
		switch (k) {
		case 0:
			if (!copy_str(s.id, sizeof(s.id), v, vlen))
				FAIL("id: bad value");
			break;
		case 1:
			if (!copy_str(s.endpoint, sizeof(s.endpoint), v, vlen) || vmtap_endpoint_id_validate(s.endpoint) < 0)
				FAIL("endpoint: '%.*s' is not a valid endpoint id", (int)(vlen > 64 ? 64 : vlen), v);
			break;
		case 2:
			if (!parse_uint(v, vlen, VMTAP_MAX_QUEUES, &n) || n < 1)
				FAIL("queues: '%.*s' is outside 1..%d", (int)(vlen > 20 ? 20 : vlen), v, VMTAP_MAX_QUEUES);
			s.queues = (unsigned int)n;
			break;
		case 3:
			if (vmtap_mac_parse(v, vlen, s.mac) < 0)
				FAIL("mac: '%.*s' is not a unicast address aa:bb:cc:dd:ee:ff", (int)(vlen > 20 ? 20 : vlen), v);
			s.set_mac = true;
			break;
		case 4:
			if (!parse_uint(v, vlen, 65535, &n) || n < 68)
				FAIL("mtu: '%.*s' is outside 68..65535", (int)(vlen > 20 ? 20 : vlen), v);
			s.mtu = (uint32_t)n;
			break;
		case 5:
			if (!copy_str(s.bridge, sizeof(s.bridge), v, vlen) || vmtap_name_validate(s.bridge) < 0)
				FAIL("bridge: not a valid interface name");
			break;
		case 6:
			if (!copy_str(s.netns, sizeof(s.netns), v, vlen) ||
			    (s.netns[0] != '/' && vmtap_netns_name_validate(s.netns) < 0))
				FAIL("netns: not a namespace name or absolute path");
			break;
		case 7:
			if (vlen == 2 && !memcmp(v, "on", 2))
				s.vhost = 1;
			else if (vlen == 3 && !memcmp(v, "off", 3))
				s.vhost = 0;
			else
				FAIL("vhost: use on or off");
			break;
		case 8:
			if (!copy_str(s.model, sizeof(s.model), v, vlen))
				FAIL("model: bad value");
			break;
		case 9:
			if (!copy_str(s.ifname, sizeof(s.ifname), v, vlen) || vmtap_name_pattern_validate(s.ifname) < 0)
				FAIL("ifname: not a valid interface name or %%d pattern");
			break;
		case 10:
			if (!parse_uint(v, vlen, 4096, &n) || n < 1)
				FAIL("vectors: not a number from 1 to 4096");
			s.vectors = (unsigned int)n;
			break;
		case 11:
			if (!copy_str(s.bus, sizeof(s.bus), v, vlen))
				FAIL("bus: bad value");
			break;
		case 12:
			if (!copy_str(s.addr, sizeof(s.addr), v, vlen))
				FAIL("addr: bad value");
			break;
		case 13:
			if (parse_fd_list(v, vlen, s.fds, &s.nfds) < 0)
				FAIL("fds: not a ':'-separated list of at most %d fd numbers", VMTAP_MAX_QUEUES);
			break;
		case 14:
			if (parse_fd_list(v, vlen, s.vhostfds, &s.nvhostfds) < 0)
				FAIL("vhostfds: not a ':'-separated list of at most %d fd numbers", VMTAP_MAX_QUEUES);
			break;
		}
	}
	if (buf[len - 1] == ',')
		FAIL("trailing ','");
	if (s.endpoint[0] && (s.queues || s.bridge[0] || s.netns[0] || s.ifname[0] || s.mtu || s.set_mac))
		FAIL("queues, mac, mtu, bridge, netns and ifname come from the endpoint's record");
	*ret = s;
	return 0;
}

/* SPDX-License-Identifier: GPL-2.0-or-later */
/* --nic SPEC of exec and qemu-args: the parser (comma-separated key=value pairs, each key once, every value checked), the list, the NIC for QEMU. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "nic_spec.h"
#include "util.h"

#define FAIL(...)                                       \
	do {                                            \
		snprintf(err, errlen, __VA_ARGS__);     \
		return -EINVAL;                         \
	} while (0)

/* Numbers in a SPEC are at most 10 digits long, whatever their value: longer ones are refused. */
#define NUMBER_MAX_DIGITS 10

static bool parse_uint(const char *v, size_t len, unsigned long max, unsigned long *ret)
{
	return len <= NUMBER_MAX_DIGITS && cli_parse_uint_n(v, len, max, ret) == 0;
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

/* The keys of a SPEC, in the order 'unknown key' lists them. */
enum nic_key {
	KEY_ID, KEY_ENDPOINT, KEY_QUEUES, KEY_MAC, KEY_MTU, KEY_BRIDGE, KEY_HELPER, KEY_REDIRECT, KEY_TC_PRIO, KEY_MACVTAP,
	KEY_MACVTAP_MODE, KEY_NETNS, KEY_VHOST, KEY_MODEL, KEY_IFNAME, KEY_VECTORS, KEY_BUS, KEY_ADDR, KEY_FDS,
	KEY_VHOSTFDS,
	KEY_COUNT
};

static const char *const key_names[KEY_COUNT] = {
	[KEY_ID] = "id", [KEY_ENDPOINT] = "endpoint", [KEY_QUEUES] = "queues", [KEY_MAC] = "mac",
	[KEY_MTU] = "mtu", [KEY_BRIDGE] = "bridge", [KEY_HELPER] = "helper", [KEY_REDIRECT] = "redirect", [KEY_TC_PRIO] = "tc-prio",
	[KEY_MACVTAP] = "macvtap", [KEY_MACVTAP_MODE] = "macvtap-mode", [KEY_NETNS] = "netns", [KEY_VHOST] = "vhost",
	[KEY_MODEL] = "model", [KEY_IFNAME] = "ifname", [KEY_VECTORS] = "vectors", [KEY_BUS] = "bus",
	[KEY_ADDR] = "addr", [KEY_FDS] = "fds", [KEY_VHOSTFDS] = "vhostfds",
};

_Static_assert(KEY_COUNT <= 32, "the keys seen are bits of an unsigned int");

/* Append to @err what snprintf would write, as much as fits. */
__attribute__((format(printf, 4, 5)))
static void err_append(char *err, size_t errlen, size_t *off, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (*off >= errlen)
		return;
	va_start(ap, fmt);
	n = vsnprintf(err + *off, errlen - *off, fmt, ap);
	va_end(ap);
	if (n > 0)
		*off += (size_t)n;
}

/* "unknown key 'KEY' (keys: id, endpoint, ...)", the list made from key_names. */
static int unknown_key(const char *key, size_t klen, char *err, size_t errlen)
{
	size_t off = 0;

	err_append(err, errlen, &off, "unknown key '%.*s' (keys: ", (int)(klen > 40 ? 40 : klen), key);
	for (size_t k = 0; k < KEY_COUNT; k++)
		err_append(err, errlen, &off, "%s%s", k ? ", " : "", key_names[k]);
	err_append(err, errlen, &off, ")");
	return -EINVAL;
}

int nic_spec_parse(const char *buf, size_t len, struct nic_spec *ret, char *err, size_t errlen)
{
	struct nic_spec s;
	unsigned int seen = 0;
	size_t pos = 0;

	memset(&s, 0, sizeof(s));
	s.vhost = -1;
	s.macvtap_mode = -1;
	if (!buf || len == 0)
		FAIL("empty NIC spec");
	if (len > 8192)
		FAIL("NIC spec is longer than 8192 bytes");
	while (pos < len) {
		const char *item = buf + pos, *eq, *v;
		size_t ilen = 0, klen, vlen;
		enum nic_key k;
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
		for (k = 0; k < KEY_COUNT; k++)
			if (strlen(key_names[k]) == klen && !memcmp(key_names[k], item, klen))
				break;
		if (k == KEY_COUNT)
			return unknown_key(item, klen, err, errlen);
		if (seen & (1u << k))
			FAIL("key '%s' given twice", key_names[k]);
		seen |= 1u << k;
		switch (k) {
		case KEY_ID:
			if (!copy_str(s.id, sizeof(s.id), v, vlen))
				FAIL("id: bad value");
			break;
		case KEY_ENDPOINT:
			if (!copy_str(s.endpoint, sizeof(s.endpoint), v, vlen) || vmtap_endpoint_id_validate(s.endpoint) < 0)
				FAIL("endpoint: '%.*s' is not a valid endpoint id", (int)(vlen > 64 ? 64 : vlen), v);
			break;
		case KEY_QUEUES:
			if (vlen > NUMBER_MAX_DIGITS || cli_parse_queues(v, vlen, &s.queues) < 0)
				FAIL("queues: '%.*s' is outside 1..%d", (int)(vlen > 20 ? 20 : vlen), v, VMTAP_MAX_QUEUES);
			break;
		case KEY_MAC:
			if (vmtap_mac_parse(v, vlen, s.mac) < 0)
				FAIL("mac: '%.*s' is not a unicast address aa:bb:cc:dd:ee:ff", (int)(vlen > 20 ? 20 : vlen), v);
			s.set_mac = true;
			break;
		case KEY_MTU:
			if (vlen > NUMBER_MAX_DIGITS || cli_parse_mtu(v, vlen, &s.mtu) < 0)
				FAIL("mtu: '%.*s' is outside %d..%d", (int)(vlen > 20 ? 20 : vlen), v, VMTAP_MTU_MIN,
				     VMTAP_MTU_MAX);
			break;
		case KEY_BRIDGE:
			if (!copy_str(s.bridge, sizeof(s.bridge), v, vlen) || vmtap_name_validate(s.bridge) < 0)
				FAIL("bridge: not a valid interface name");
			break;
		case KEY_HELPER:
			/* a path, run without a shell or $PATH search, as QEMU's helper= is; a comma cannot be in it */
			if (!copy_str(s.helper, sizeof(s.helper), v, vlen))
				FAIL("helper: not a path of 1 to %zu bytes", sizeof(s.helper) - 1);
			break;
		case KEY_REDIRECT:
			if (!copy_str(s.redirect, sizeof(s.redirect), v, vlen) || vmtap_name_validate(s.redirect) < 0)
				FAIL("redirect: not a valid interface name");
			break;
		case KEY_MACVTAP:
			if (!copy_str(s.macvtap, sizeof(s.macvtap), v, vlen) || vmtap_name_validate(s.macvtap) < 0)
				FAIL("macvtap: not a valid interface name");
			break;
		case KEY_TC_PRIO:
			if (!parse_uint(v, vlen, UINT16_MAX, &n) || n < 1)
				FAIL("tc-prio: not a number from 1 to 65535");
			s.tc_prio = (uint32_t)n;
			break;
		case KEY_MACVTAP_MODE: {
			int m;
			for (m = VMTAP_MACVTAP_BRIDGE; m <= VMTAP_MACVTAP_PASSTHRU; m++) {
				const char *name = vmtap_macvtap_mode_name((enum vmtap_macvtap_mode)m);
				if (strlen(name) == vlen && !memcmp(name, v, vlen))
					break;
			}
			if (m > VMTAP_MACVTAP_PASSTHRU)
				FAIL("macvtap-mode: use bridge, vepa, private or passthru");
			s.macvtap_mode = m;
			break;
		}
		case KEY_NETNS:
			if (!copy_str(s.netns, sizeof(s.netns), v, vlen) ||
			    (s.netns[0] != '/' && vmtap_netns_name_validate(s.netns) < 0))
				FAIL("netns: not a namespace name or absolute path");
			break;
		case KEY_VHOST:
			if (vlen == 2 && !memcmp(v, "on", 2))
				s.vhost = 1;
			else if (vlen == 3 && !memcmp(v, "off", 3))
				s.vhost = 0;
			else
				FAIL("vhost: use on or off");
			break;
		case KEY_MODEL:
			if (!copy_str(s.model, sizeof(s.model), v, vlen))
				FAIL("model: bad value");
			break;
		case KEY_IFNAME:
			if (!copy_str(s.ifname, sizeof(s.ifname), v, vlen) || vmtap_name_pattern_validate(s.ifname) < 0)
				FAIL("ifname: not a valid interface name or %%d pattern");
			break;
		case KEY_VECTORS:
			if (!parse_uint(v, vlen, 4096, &n) || n < 1)
				FAIL("vectors: not a number from 1 to 4096");
			s.vectors = (unsigned int)n;
			break;
		case KEY_BUS:
			if (!copy_str(s.bus, sizeof(s.bus), v, vlen))
				FAIL("bus: bad value");
			break;
		case KEY_ADDR:
			if (!copy_str(s.addr, sizeof(s.addr), v, vlen))
				FAIL("addr: bad value");
			break;
		case KEY_FDS:
			if (parse_fd_list(v, vlen, s.fds, &s.nfds) < 0)
				FAIL("fds: not a ':'-separated list of at most %d fd numbers", VMTAP_MAX_QUEUES);
			break;
		case KEY_VHOSTFDS:
			if (parse_fd_list(v, vlen, s.vhostfds, &s.nvhostfds) < 0)
				FAIL("vhostfds: not a ':'-separated list of at most %d fd numbers", VMTAP_MAX_QUEUES);
			break;
		case KEY_COUNT:
			break;
		}
	}
	if (buf[len - 1] == ',')
		FAIL("trailing ','");
	if (s.endpoint[0] && (s.queues || s.bridge[0] || s.netns[0] || s.ifname[0] || s.mtu || s.set_mac ||
			      s.redirect[0] || s.macvtap[0]))
		FAIL("queues, mac, mtu, bridge, redirect, macvtap, netns and ifname come from the endpoint's record");
	if (!!s.bridge[0] + !!s.redirect[0] + !!s.macvtap[0] > 1)
		FAIL("bridge, redirect and macvtap conflict: a NIC has one connection");
	if (s.helper[0] && !s.bridge[0])
		FAIL("helper is for bridge: the helper attaches its TAP to the bridge named by bridge=");
	if (s.helper[0] && nic_spec_helper_conflict(&s))
		FAIL("%s cannot be given with helper: the bridge helper makes tap%%d in the caller's namespace with the "
		     "bridge's MTU", nic_spec_helper_conflict(&s));
	if (s.tc_prio && !s.redirect[0])
		FAIL("tc-prio is for redirect");
	if (s.macvtap_mode >= 0 && !s.macvtap[0])
		FAIL("macvtap-mode is for macvtap");
	*ret = s;
	return 0;
}

const char *nic_spec_helper_conflict(const struct nic_spec *s)
{
	if (s->netns[0])
		return "netns";
	if (s->ifname[0])
		return "ifname";
	if (s->mtu)
		return "mtu";
	return NULL;
}

int cli_nic_specs_add(const char *cmd, const char *arg, struct cli_nic_specs *l)
{
	char err[256];

	if (VT_GROW(l->specs, l->cap, l->n + 1) < 0)
		return EXIT_FAILURE_OTHER;
	if (nic_spec_parse(arg, strlen(arg), &l->specs[l->n], err, sizeof(err)) < 0)
		return cli_invalid(cmd, "--nic %s: %s", arg, err);
	l->n++;
	return 0;
}

void cli_nic_specs_free(void *list)
{
	struct cli_nic_specs *l = list;

	free(l->specs);
}

void nic_spec_qemu_nic(struct nic_spec *s, size_t index, struct vmtap_qemu_nic *nic)
{
	if (!s->id[0])
		snprintf(s->id, sizeof(s->id), "net%zu", index);
	*nic = (struct vmtap_qemu_nic){
		.sz = sizeof(*nic), .id = s->id, .host_mtu = s->mtu, .vectors = s->vectors,
		.model = s->model[0] ? s->model : NULL,
		.bus = s->bus[0] ? s->bus : NULL, .addr = s->addr[0] ? s->addr : NULL,
	};
	if (s->set_mac)
		memcpy(nic->mac, s->mac, sizeof(nic->mac));
	else /* unique per NIC; an endpoint's own MAC, from its record, replaces it when the queues are opened */
		vmtap_endpoint_default_mac(s->endpoint[0] ? s->endpoint : s->id, nic->mac);
}

/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Parsers of what vmtap doctor reads from QEMU (HMP and QMP replies) and from /proc/PID/fdinfo: any bytes, an answer or a refusal. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <json-c/json.h>

#include "doctor.h"

/* The text of @len bytes at @s without a NUL inside it, as a string; NULL when it has one or memory is short. */
static char *dup_text(const char *s, size_t len)
{
	char *t;

	if (memchr(s, '\0', len))
		return NULL;
	t = malloc(len + 1);
	if (!t)
		return NULL;
	memcpy(t, s, len);
	t[len] = '\0';
	return t;
}

/* Copy the @len bytes at @s into @out (@size bytes), or "" when they do not fit. */
static void copy_field(char *out, size_t size, const char *s, size_t len)
{
	if (len >= size)
		len = 0;
	memcpy(out, s, len);
	out[len] = '\0';
}

/* A decimal number of at most 9 digits at the start of @s, its end in *@end; -1 when there is none. */
static long small_number(const char *s, const char **end)
{
	long v = 0;
	int digits = 0;

	while (*s >= '0' && *s <= '9' && digits < 9) {
		v = v * 10 + (*s++ - '0');
		digits++;
	}
	*end = s;
	return digits && !(*s >= '0' && *s <= '9') ? v : -1;
}

/* One line "NAME: index=N,type=TYPE[,INFO]" (after the " \ " of a netdev under its NIC): 0 or -1. */
static int net_line(const char *line, struct hmp_net *n)
{
	const char *colon = strstr(line, ": index="), *p, *type, *info;
	long index;

	if (!colon || colon == line)
		return -1;
	copy_field(n->name, sizeof(n->name), line, (size_t)(colon - line));
	if (!n->name[0] || strchr(n->name, ' '))
		return -1;
	index = small_number(colon + strlen(": index="), &p);
	if (index < 0 || strncmp(p, ",type=", 6))
		return -1;
	n->index = (unsigned int)index;
	type = p + 6;
	info = strchr(type, ',');
	copy_field(n->type, sizeof(n->type), type, info ? (size_t)(info - type) : strlen(type));
	if (!n->type[0])
		return -1;
	n->fd = -1;
	n->ifname[0] = '\0';
	/* a tap's INFO: "fd=N" for a queue it was given, "ifname=NAME,script=..." for one it opened */
	for (const char *kv = info; kv; kv = strchr(kv + 1, ',')) {
		const char *v = kv + 1, *e;
		if (!strncmp(v, "fd=", 3)) {
			long fd = small_number(v + 3, &e);
			if (fd >= 0 && (*e == ',' || !*e))
				n->fd = (int)fd;
		} else if (!strncmp(v, "ifname=", 7)) {
			copy_field(n->ifname, sizeof(n->ifname), v + 7, strcspn(v + 7, ","));
		}
	}
	return 0;
}

int hmp_network_parse(const char *buf, size_t len, struct hmp_net *ret, size_t max)
{
	char *text = dup_text(buf, len), *save = NULL, *line;
	char nic[128] = "";
	size_t n = 0;

	if (!text)
		return memchr(buf, '\0', len) ? -EINVAL : -ENOMEM;
	for (line = strtok_r(text, "\n", &save); line && n < max; line = strtok_r(NULL, "\n", &save)) {
		size_t l = strlen(line);
		bool under = false;

		if (l && line[l - 1] == '\r')
			line[--l] = '\0';
		if (!strncmp(line, " \\ ", 3)) {
			under = true;
			line += 3;
		}
		if (net_line(line, &ret[n]) < 0) {
			if (!under)
				nic[0] = '\0'; /* a line of another kind: what follows is under no NIC */
			continue;
		}
		if (under) {
			snprintf(ret[n].nic, sizeof(ret[n].nic), "%s", nic);
		} else {
			ret[n].nic[0] = '\0';
			if (!strcmp(ret[n].type, "nic"))
				snprintf(nic, sizeof(nic), "%s", ret[n].name);
			else
				nic[0] = '\0';
		}
		n++;
	}
	free(text);
	return (int)n;
}

int fdinfo_iff_parse(const char *buf, size_t len, char ret_ifname[VMTAP_IFNAMSIZ])
{
	for (size_t i = 0; i < len;) {
		const char *line = buf + i, *nl = memchr(line, '\n', len - i);
		size_t l = nl ? (size_t)(nl - line) : len - i;

		if (l > 4 && !memcmp(line, "iff:", 4)) {
			char name[VMTAP_IFNAMSIZ];
			size_t skip = 4;
			while (skip < l && (line[skip] == '\t' || line[skip] == ' '))
				skip++;
			if (l - skip >= sizeof(name) || memchr(line + skip, '\0', l - skip))
				return -EINVAL;
			memcpy(name, line + skip, l - skip);
			name[l - skip] = '\0';
			if (vmtap_name_validate(name) < 0)
				return -EINVAL;
			memcpy(ret_ifname, name, sizeof(name));
			return 0;
		}
		i += l + 1;
	}
	return -ENOENT;
}

/* The JSON value of the @len bytes at @buf, strict and valid UTF-8 only; NULL when it is not one. */
static json_object *parse_json(const char *buf, size_t len)
{
	struct json_tokener *tok;
	json_object *o = NULL;
	char *text;

	if (len > 64 * 1024 * 1024 || !(text = dup_text(buf, len)))
		return NULL;
	tok = json_tokener_new_ex(64);
	if (tok) {
		json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
		/* with its NUL: a bare number ("1500") ends only there */
		o = json_tokener_parse_ex(tok, text, (int)len + 1);
		if (o && (json_tokener_get_error(tok) != json_tokener_success || json_tokener_get_parse_end(tok) < len)) {
			json_object_put(o);
			o = NULL;
		}
		json_tokener_free(tok);
	}
	free(text);
	return o;
}

static const char *member_string(json_object *o, const char *key)
{
	json_object *v;

	return json_object_object_get_ex(o, key, &v) && json_object_is_type(v, json_type_string) ?
		       json_object_get_string(v) : NULL;
}

int qmp_rx_filter_parse(const char *buf, size_t len, const char *name, struct rx_filter *ret)
{
	json_object *a = parse_json(buf, len);
	int r = -ENOENT;

	if (!a || !json_object_is_type(a, json_type_array)) {
		json_object_put(a);
		return -EBADMSG;
	}
	for (size_t i = 0; i < json_object_array_length(a); i++) {
		json_object *e = json_object_array_get_idx(a, i), *promisc;
		const char *n = member_string(e, "name"), *mac = member_string(e, "main-mac");
		struct rx_filter f = { 0 };

		if (!n || strcmp(n, name))
			continue;
		if (!mac || vmtap_mac_parse(mac, strlen(mac), f.main_mac) < 0) {
			r = -EBADMSG;
			break;
		}
		f.promiscuous = json_object_object_get_ex(e, "promiscuous", &promisc) &&
				json_object_is_type(promisc, json_type_boolean) && json_object_get_boolean(promisc);
		*ret = f;
		r = 0;
		break;
	}
	json_object_put(a);
	return r;
}

/* A small non-negative integer member of @o, or -1. */
static int member_small_int(json_object *o, const char *key, int max)
{
	json_object *v;
	int64_t n;

	if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_int))
		return -1;
	n = json_object_get_int64(v);
	return n >= 0 && n <= max ? (int)n : -1;
}

/* Look for @qdev_id among the devices of bus @bus, and behind their bridges, at most @depth bridges deep. */
static int pci_find(json_object *devices, int bus, const char *qdev_id, char ret_addr[16], int depth)
{
	if (!json_object_is_type(devices, json_type_array) || depth > 8)
		return -ENOENT;
	for (size_t i = 0; i < json_object_array_length(devices); i++) {
		json_object *d = json_object_array_get_idx(devices, i), *bridge, *bus_info, *sub;
		const char *id = member_string(d, "qdev_id");

		if (id && !strcmp(id, qdev_id)) {
			int b = member_small_int(d, "bus", 255), slot = member_small_int(d, "slot", 31),
			    fn = member_small_int(d, "function", 7);
			if (slot < 0 || fn < 0)
				return -EBADMSG;
			snprintf(ret_addr, 16, "0000:%02hhx:%02hhx.%hhx", (unsigned char)(b >= 0 ? b : bus), (unsigned char)slot,
				 (unsigned char)fn);
			return 0;
		}
		if (json_object_object_get_ex(d, "pci_bridge", &bridge) &&
		    json_object_object_get_ex(bridge, "devices", &sub)) {
			int sbus = json_object_object_get_ex(bridge, "bus", &bus_info) ?
					   member_small_int(bus_info, "secondary", 255) : -1;
			int r = pci_find(sub, sbus >= 0 ? sbus : bus, qdev_id, ret_addr, depth + 1);
			if (r != -ENOENT)
				return r;
		}
	}
	return -ENOENT;
}

int qmp_pci_parse(const char *buf, size_t len, const char *qdev_id, char ret_addr[16])
{
	json_object *a = parse_json(buf, len);
	char addr[16];
	int r = -ENOENT;

	if (!a || !json_object_is_type(a, json_type_array)) {
		json_object_put(a);
		return -EBADMSG;
	}
	for (size_t i = 0; i < json_object_array_length(a) && r == -ENOENT; i++) {
		json_object *b = json_object_array_get_idx(a, i), *devices;
		int bus = member_small_int(b, "bus", 255);
		if (json_object_object_get_ex(b, "devices", &devices))
			r = pci_find(devices, bus >= 0 ? bus : 0, qdev_id, addr, 0);
	}
	json_object_put(a);
	if (r == 0)
		memcpy(ret_addr, addr, sizeof(addr));
	return r;
}

int qmp_string_parse(const char *buf, size_t len, char **ret)
{
	json_object *o = parse_json(buf, len);
	int r = -EBADMSG;

	if (o && json_object_is_type(o, json_type_string)) {
		char *s = strdup(json_object_get_string(o));
		r = s ? 0 : -ENOMEM;
		if (s)
			*ret = s;
	}
	json_object_put(o);
	return r;
}

int qmp_qom_uint_parse(const char *buf, size_t len, uint64_t *ret)
{
	json_object *o = parse_json(buf, len);
	int r = -EBADMSG;

	if (o && json_object_is_type(o, json_type_int) && json_object_get_int64(o) >= 0) {
		*ret = (uint64_t)json_object_get_int64(o);
		r = 0;
	}
	json_object_put(o);
	return r;
}

int qmp_qom_bool_parse(const char *buf, size_t len, bool *ret)
{
	json_object *o = parse_json(buf, len);
	int r = -EBADMSG;

	if (o && json_object_is_type(o, json_type_boolean)) {
		*ret = json_object_get_boolean(o);
		r = 0;
	}
	json_object_put(o);
	return r;
}

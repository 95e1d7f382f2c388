/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Endpoint records: JSON with json-c, written atomically, read with O_NOFOLLOW, locked per endpoint with flock. */
/**
 * DOC: Theory of Operation
 *
 * One file per endpoint, "<id>.json", in a directory that only its owner,
 * the effective uid, can write (made 0700 when vmtap creates it; one that
 * others can write is refused, see state_dir_walk()).  A record is
 * replaced, never edited: the new text goes to a temporary file that is
 * fsynced and renamed over the old one, and the directory is fsynced, so a
 * crash leaves the old record or the new one.
 *
 * Each endpoint has a lock file "<id>.lock" held with flock() for the whole
 * of a create, destroy or gc step.  The lock file is removed together with
 * the record; a process that locked a file which was removed meanwhile
 * notices (the path no longer names the inode it locked) and tries again.
 * A hot-plug or unplug also holds "<id>.plug" for its whole duration; that
 * file goes when it is released.
 *
 * Ids are validated before they ever become part of a path, and every open
 * uses O_NOFOLLOW, so neither "../x" nor a planted symbolic link can make
 * vmtap read or write outside the directory.
 */
#include <dirent.h>
#include <limits.h>
#include <fcntl.h>
#include <stdio.h>
#include <time.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/stat.h>
#include "addr.h"
#include "jsonc.h"
#include "state.h"
#include "validate.h"

static const char *const state_names[] = {
	[VMTAP_EP_CREATING] = "creating",
	[VMTAP_EP_READY] = "ready",
	[VMTAP_EP_DESTROYING] = "destroying",
};

VT_EXPORT const char *vmtap_endpoint_state_name(enum vmtap_endpoint_state state)
{
	if ((unsigned)state < ARRAY_SIZE(state_names) && state_names[state])
		return state_names[state];
	return "unknown";
}

static const char *const macvtap_mode_names[] = {
	[VMTAP_MACVTAP_BRIDGE] = "bridge",
	[VMTAP_MACVTAP_VEPA] = "vepa",
	[VMTAP_MACVTAP_PRIVATE] = "private",
	[VMTAP_MACVTAP_PASSTHRU] = "passthru",
};

VT_EXPORT const char *vmtap_macvtap_mode_name(enum vmtap_macvtap_mode mode)
{
	return (unsigned)mode < ARRAY_SIZE(macvtap_mode_names) ? macvtap_mode_names[mode] : NULL;
}

static const char *const qdisc_origin_names[] = {
	[VT_QDISC_UNKNOWN] = "unknown",
	[VT_QDISC_ABSENT] = "absent",
	[VT_QDISC_SHARED] = "shared",
	[VT_QDISC_OURS] = "ours",
};

static const char *const connection_names[] = {
	[VMTAP_CONNECT_NONE] = "none",
	[VMTAP_CONNECT_BRIDGE] = "bridge",
	[VMTAP_CONNECT_REDIRECT] = "redirect",
	[VMTAP_CONNECT_MACVTAP] = "macvtap",
};

/* The index of @s in @names (@n entries, NULL ones skipped), or -1. */
static int name_index(const char *const *names, size_t n, const char *s)
{
	for (size_t i = 0; s && i < n; i++)
		if (names[i] && !strcmp(names[i], s))
			return (int)i;
	return -1;
}

int vt_id_check(struct vmtap_ctx *ctx, const char *id)
{
	size_t len = id ? strlen(id) : 0;

	if (!len)
		return vt_fail(ctx, -EINVAL, "validate", "endpoint id is empty");
	if (len > VMTAP_ID_MAX)
		return vt_fail(ctx, -EINVAL, "validate", "endpoint id is %zu bytes, the limit is %d", len, VMTAP_ID_MAX);
	if (id[0] == '.')
		return vt_fail(ctx, -EINVAL, "validate", "endpoint id \"%s\" starts with a dot", id);
	for (const char *p = id; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
		      *p == '_' || *p == '.' || *p == '-'))
			return vt_fail(ctx, -EINVAL, "validate",
				       "endpoint id \"%.64s\" has '%c': only letters, digits, '_', '.' and '-' are allowed",
				       id, (*p >= 32 && *p < 127) ? *p : '?');
	return 0;
}

VT_EXPORT int vmtap_endpoint_id_validate(const char *id)
{
	return vt_id_check(NULL, id);
}

/* ---- JSON ---- */

int vt_record_format(const struct vt_record *rec, char **ret_text)
{
	json_object *o = json_object_new_object(), *spec, *dev;
	char mac[18];
	char *text;

	if (!o)
		return -ENOMEM;
	json_object_object_add(o, "version", json_object_new_int(VT_RECORD_VERSION));
	json_object_object_add(o, "id", json_object_new_string(rec->id));
	json_object_object_add(o, "state", json_object_new_string(vmtap_endpoint_state_name(rec->state)));
	json_object_object_add(o, "pid", json_object_new_int(rec->pid));

	spec = json_object_new_object();
	json_object_object_add(spec, "queues", json_object_new_int((int)rec->queues));
	json_object_object_add(spec, "vnet_hdr", json_object_new_boolean(rec->vnet_hdr));
	json_object_object_add(spec, "vhost", json_object_new_boolean(rec->vhost));
	json_object_object_add(spec, "down", json_object_new_boolean(rec->down));
	if (rec->mtu)
		json_object_object_add(spec, "mtu", json_object_new_int64(rec->mtu));
	vmtap_mac_format(rec->guest_mac, mac);
	json_object_object_add(spec, "guest_mac", json_object_new_string(mac));
	vmtap_mac_format(rec->host_mac, mac);
	json_object_object_add(spec, "host_mac", json_object_new_string(mac));
	if (rec->has_owner)
		json_object_object_add(spec, "owner", json_object_new_int64(rec->owner));
	if (rec->has_group)
		json_object_object_add(spec, "group", json_object_new_int64(rec->group));
	if (rec->netns[0])
		json_object_object_add(spec, "netns", json_object_new_string(rec->netns));
	{
		json_object *conn = json_object_new_object();
		json_object_object_add(conn, "type", json_object_new_string(connection_names[rec->connection]));
		switch (rec->connection) {
		case VMTAP_CONNECT_BRIDGE:
			json_object_object_add(conn, "bridge", json_object_new_string(rec->bridge));
			break;
		case VMTAP_CONNECT_REDIRECT:
			json_object_object_add(conn, "device", json_object_new_string(rec->link_dev));
			json_object_object_add(conn, "tc_prio", json_object_new_int(rec->tc_prio));
			break;
		case VMTAP_CONNECT_MACVTAP:
			json_object_object_add(conn, "parent", json_object_new_string(rec->link_dev));
			json_object_object_add(conn, "mode",
					       json_object_new_string(vmtap_macvtap_mode_name(rec->macvtap_mode)));
			json_object_object_add(conn, "keep_parent", json_object_new_boolean(rec->keep_parent));
			break;
		default:
			break;
		}
		json_object_object_add(spec, "connection", conn);
	}
	if (rec->label[0])
		json_object_object_add(spec, "label", json_object_new_string(rec->label));
	if (rec->ephemeral)
		json_object_object_add(spec, "ephemeral", json_object_new_boolean(true));
	json_object_object_add(o, "spec", spec);

	dev = json_object_new_object();
	json_object_object_add(dev, "ifname", json_object_new_string(rec->ifname));
	json_object_object_add(dev, "ifindex", json_object_new_int(rec->ifindex));
	if (rec->netns_id.ino) {
		/* the namespace's identity: a name can later point at another namespace */
		json_object_object_add(dev, "netns_dev", json_object_new_int64((int64_t)rec->netns_id.dev));
		json_object_object_add(dev, "netns_ino", json_object_new_int64((int64_t)rec->netns_id.ino));
	}
	json_object_object_add(o, "device", dev);
	if (rec->connection == VMTAP_CONNECT_REDIRECT || rec->connection == VMTAP_CONNECT_MACVTAP) {
		/* what the connection did to the kernel so far: what destroy and gc must undo */
		json_object *link = json_object_new_object();
		json_object_object_add(link, "ifindex", json_object_new_int(rec->link_ifindex));
		if (rec->connection == VMTAP_CONNECT_REDIRECT) {
			json_object_object_add(link, "tap_filter", json_object_new_int64(rec->tc_tap_handle));
			json_object_object_add(link, "device_filter", json_object_new_int64(rec->tc_dev_handle));
			json_object_object_add(link, "device_qdisc",
					       json_object_new_string(qdisc_origin_names[rec->dev_qdisc]));
		}
		if (rec->connection == VMTAP_CONNECT_MACVTAP && rec->has_parent_mac) {
			vmtap_mac_format(rec->parent_mac, mac);
			json_object_object_add(link, "parent_mac", json_object_new_string(mac));
		}
		if (rec->connection == VMTAP_CONNECT_MACVTAP && rec->parent_ip[0]) {
			/* checked when it was saved or read: it parses */
			json_object *ip = json_tokener_parse(rec->parent_ip);
			if (!ip) {
				json_object_put(link);
				json_object_put(o);
				return -ENOMEM;
			}
			json_object_object_add(link, "parent_ip", ip);
		}
		json_object_object_add(o, "link", link);
	}
	if (rec->hv_pid || rec->hv_netdev[0] || rec->hv_device[0]) {
		json_object *hv = json_object_new_object();
		json_object_object_add(hv, "pid", json_object_new_int(rec->hv_pid));
		if (rec->hv_start)
			json_object_object_add(hv, "start", json_object_new_int64((int64_t)rec->hv_start));
		if (rec->hv_netdev[0])
			json_object_object_add(hv, "netdev", json_object_new_string(rec->hv_netdev));
		if (rec->hv_device[0])
			json_object_object_add(hv, "device", json_object_new_string(rec->hv_device));
		if (rec->hv_pci[0])
			json_object_object_add(hv, "pci", json_object_new_string(rec->hv_pci));
		json_object_object_add(o, "hypervisor", hv);
	}

	text = strdup(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
	if (!text)
		return -ENOMEM;
	*ret_text = text;
	return 0;
}

#define PARSE_FAIL(...)                                        \
	do {                                                   \
		snprintf(errbuf, errlen, __VA_ARGS__);         \
		return -EBADMSG;                               \
	} while (0)

static bool get_int_range(json_object *o, const char *key, int64_t min, int64_t max, int64_t *out)
{
	json_object *v;

	if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_int))
		return false;
	errno = 0;
	*out = json_object_get_int64(v);
	return errno == 0 && *out >= min && *out <= max;
}

static const char *get_string(json_object *o, const char *key)
{
	json_object *v;

	if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

static int get_bool(json_object *o, const char *key, bool *out)
{
	json_object *v;

	if (!json_object_object_get_ex(o, key, &v))
		return 0;
	if (!json_object_is_type(v, json_type_boolean))
		return -1;
	*out = json_object_get_boolean(v);
	return 1;
}

static bool parse_mac(const char *s, uint8_t out[6])
{
	return s && vmtap_mac_parse(s, strlen(s), out) == 0;
}

int vt_record_parse(const char *buf, size_t len, struct vt_record *ret_rec, char *errbuf, size_t errlen)
{
	_cleanup_json_tokener_ struct json_tokener *tok = NULL;
	_cleanup_json_ json_object *o = NULL;
	struct vt_record rec = { 0 };
	json_object *spec, *dev, *conn, *hv;
	const char *s;
	int64_t v;
	bool b;

	if (!buf || len == 0)
		PARSE_FAIL("empty");
	if (len > VT_RECORD_MAX)
		PARSE_FAIL("larger than %d bytes", VT_RECORD_MAX);
	if (memchr(buf, '\0', len))
		PARSE_FAIL("contains a NUL byte");
	tok = json_tokener_new_ex(16);
	if (!tok)
		PARSE_FAIL("out of memory");
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
	o = json_tokener_parse_ex(tok, buf, (int)len);
	if (!o || json_tokener_get_error(tok) != json_tokener_success)
		PARSE_FAIL("not valid JSON (%s)", json_tokener_error_desc(json_tokener_get_error(tok)));
	{
		/* only white space may follow the object */
		size_t off = json_tokener_get_parse_end(tok);
		for (; off < len; off++)
			if (buf[off] != ' ' && buf[off] != '\n' && buf[off] != '\t' && buf[off] != '\r')
				PARSE_FAIL("trailing data after the JSON object");
	}
	if (!json_object_is_type(o, json_type_object))
		PARSE_FAIL("not a JSON object");
	if (!get_int_range(o, "version", 1, 1000, &v))
		PARSE_FAIL("no valid \"version\"");
	if (v != VT_RECORD_VERSION)
		PARSE_FAIL("version %lld is not supported (this vmtap reads %d)", (long long)v, VT_RECORD_VERSION);
	s = get_string(o, "id");
	if (!s || vt_id_check(NULL, s) < 0)
		PARSE_FAIL("no valid \"id\"");
	snprintf(rec.id, sizeof(rec.id), "%s", s);
	s = get_string(o, "state");
	for (unsigned int i = 1; s && i < ARRAY_SIZE(state_names); i++)
		if (!strcmp(s, state_names[i]))
			rec.state = (enum vmtap_endpoint_state)i;
	if (!rec.state)
		PARSE_FAIL("no valid \"state\"");
	if (!get_int_range(o, "pid", 0, INT32_MAX, &v))
		PARSE_FAIL("no valid \"pid\"");
	rec.pid = (int)v;

	if (!json_object_object_get_ex(o, "spec", &spec) || !json_object_is_type(spec, json_type_object))
		PARSE_FAIL("no \"spec\" object");
	if (!get_int_range(spec, "queues", 1, VMTAP_MAX_QUEUES, &v))
		PARSE_FAIL("spec: no valid \"queues\"");
	rec.queues = (unsigned int)v;
	if (get_bool(spec, "vnet_hdr", &rec.vnet_hdr) != 1 || get_bool(spec, "vhost", &rec.vhost) != 1)
		PARSE_FAIL("spec: \"vnet_hdr\" and \"vhost\" must be booleans");
	if (get_bool(spec, "down", &b) < 0)
		PARSE_FAIL("spec: \"down\" must be a boolean");
	rec.down = get_bool(spec, "down", &b) == 1 && b;
	if (json_object_object_get_ex(spec, "mtu", NULL)) {
		if (!get_int_range(spec, "mtu", VMTAP_MTU_MIN, VMTAP_MTU_MAX, &v))
			PARSE_FAIL("spec: \"mtu\" outside %d..%d", VMTAP_MTU_MIN, VMTAP_MTU_MAX);
		rec.mtu = (uint32_t)v;
	}
	if (!parse_mac(get_string(spec, "guest_mac"), rec.guest_mac) ||
	    !parse_mac(get_string(spec, "host_mac"), rec.host_mac))
		PARSE_FAIL("spec: no valid \"guest_mac\" / \"host_mac\"");
	if (json_object_object_get_ex(spec, "owner", NULL)) {
		if (!get_int_range(spec, "owner", 0, UINT32_MAX, &v))
			PARSE_FAIL("spec: bad \"owner\"");
		rec.has_owner = true;
		rec.owner = (uint32_t)v;
	}
	if (json_object_object_get_ex(spec, "group", NULL)) {
		if (!get_int_range(spec, "group", 0, UINT32_MAX, &v))
			PARSE_FAIL("spec: bad \"group\"");
		rec.has_group = true;
		rec.group = (uint32_t)v;
	}
	if (json_object_object_get_ex(spec, "netns", NULL)) {
		s = get_string(spec, "netns");
		if (!s || vt_netns_spec_check(NULL, s, sizeof(rec.netns) - 1) < 0)
			PARSE_FAIL("spec: bad \"netns\"");
		snprintf(rec.netns, sizeof(rec.netns), "%s", s);
	}
	if (!json_object_object_get_ex(spec, "connection", &conn) || !json_object_is_type(conn, json_type_object))
		PARSE_FAIL("spec: no \"connection\" object");
	{
		int i = name_index(connection_names, ARRAY_SIZE(connection_names), get_string(conn, "type"));
		if (i < 0)
			PARSE_FAIL("spec: connection: unknown \"type\"");
		rec.connection = (enum vmtap_connection)i;
	}
	switch (rec.connection) {
	case VMTAP_CONNECT_BRIDGE:
		s = get_string(conn, "bridge");
		if (!s || vmtap_name_validate(s) < 0)
			PARSE_FAIL("spec: connection: bad \"bridge\"");
		snprintf(rec.bridge, sizeof(rec.bridge), "%s", s);
		break;
	case VMTAP_CONNECT_REDIRECT:
		s = get_string(conn, "device");
		if (!s || vmtap_name_validate(s) < 0)
			PARSE_FAIL("spec: connection: bad \"device\"");
		snprintf(rec.link_dev, sizeof(rec.link_dev), "%s", s);
		if (!get_int_range(conn, "tc_prio", 1, UINT16_MAX, &v))
			PARSE_FAIL("spec: connection: bad \"tc_prio\"");
		rec.tc_prio = (uint16_t)v;
		break;
	case VMTAP_CONNECT_MACVTAP: {
		int i = name_index(macvtap_mode_names, ARRAY_SIZE(macvtap_mode_names), get_string(conn, "mode"));
		s = get_string(conn, "parent");
		if (!s || vmtap_name_validate(s) < 0)
			PARSE_FAIL("spec: connection: bad \"parent\"");
		snprintf(rec.link_dev, sizeof(rec.link_dev), "%s", s);
		if (i < 0)
			PARSE_FAIL("spec: connection: bad \"mode\"");
		rec.macvtap_mode = (enum vmtap_macvtap_mode)i;
		if (get_bool(conn, "keep_parent", &rec.keep_parent) != 1)
			PARSE_FAIL("spec: connection: \"keep_parent\" must be a boolean");
		break;
	}
	default:
		break;
	}
	if (json_object_object_get_ex(spec, "label", NULL)) {
		s = get_string(spec, "label");
		if (!s || !s[0] || vt_label_check(NULL, s) < 0)
			PARSE_FAIL("spec: bad \"label\"");
		snprintf(rec.label, sizeof(rec.label), "%s", s);
	}
	if (get_bool(spec, "ephemeral", &rec.ephemeral) < 0)
		PARSE_FAIL("spec: \"ephemeral\" must be a boolean");

	if (!json_object_object_get_ex(o, "device", &dev) || !json_object_is_type(dev, json_type_object))
		PARSE_FAIL("no \"device\" object");
	s = get_string(dev, "ifname");
	if (!s || (s[0] && vmtap_name_validate(s) < 0))
		PARSE_FAIL("device: bad \"ifname\"");
	snprintf(rec.ifname, sizeof(rec.ifname), "%s", s);
	if (!get_int_range(dev, "ifindex", 0, INT32_MAX, &v))
		PARSE_FAIL("device: bad \"ifindex\"");
	rec.ifindex = (int)v;
	if (json_object_object_get_ex(dev, "netns_ino", NULL) || json_object_object_get_ex(dev, "netns_dev", NULL)) {
		int64_t d;
		if (!get_int_range(dev, "netns_dev", 0, INT64_MAX, &d) || !get_int_range(dev, "netns_ino", 1, INT64_MAX, &v))
			PARSE_FAIL("device: bad \"netns_dev\" / \"netns_ino\"");
		rec.netns_id = (struct vt_netns_id){ .dev = (dev_t)d, .ino = (ino_t)v };
	}
	if (rec.state == VMTAP_EP_READY && !rec.ifname[0])
		PARSE_FAIL("a ready endpoint without a device name");
	if (rec.connection == VMTAP_CONNECT_REDIRECT || rec.connection == VMTAP_CONNECT_MACVTAP) {
		json_object *link;
		if (!json_object_object_get_ex(o, "link", &link) || !json_object_is_type(link, json_type_object))
			PARSE_FAIL("no \"link\" object");
		if (!get_int_range(link, "ifindex", 0, INT32_MAX, &v))
			PARSE_FAIL("link: bad \"ifindex\"");
		rec.link_ifindex = (int)v;
		if (rec.connection == VMTAP_CONNECT_REDIRECT) {
			int i = name_index(qdisc_origin_names, ARRAY_SIZE(qdisc_origin_names), get_string(link, "device_qdisc"));
			if (!get_int_range(link, "tap_filter", 0, UINT32_MAX, &v))
				PARSE_FAIL("link: bad \"tap_filter\"");
			rec.tc_tap_handle = (uint32_t)v;
			if (!get_int_range(link, "device_filter", 0, UINT32_MAX, &v))
				PARSE_FAIL("link: bad \"device_filter\"");
			rec.tc_dev_handle = (uint32_t)v;
			if (i < 0)
				PARSE_FAIL("link: bad \"device_qdisc\"");
			rec.dev_qdisc = (enum vt_qdisc_origin)i;
		} else {
			json_object *ip;
			if (json_object_object_get_ex(link, "parent_mac", NULL)) {
				s = get_string(link, "parent_mac");
				if (!s || vmtap_mac_parse(s, strlen(s), rec.parent_mac) < 0 || !vmtap_mac_usable(rec.parent_mac))
					PARSE_FAIL("link: bad \"parent_mac\"");
				rec.has_parent_mac = true;
			}
			if (json_object_object_get_ex(link, "parent_ip", &ip)) {
				_cleanup_(vt_link_ip_freep) struct vt_link_ip *saved = NULL;
				char why[160];
				const char *text;

				if (vt_link_ip_from_json(ip, &saved, why, sizeof(why)) < 0)
					PARSE_FAIL("link: parent_ip: %s", why);
				text = json_object_to_json_string_ext(ip, JSON_C_TO_STRING_PLAIN);
				if (!text || strlen(text) >= sizeof(rec.parent_ip))
					PARSE_FAIL("link: \"parent_ip\" is longer than %d bytes", VT_PARENT_IP_MAX - 1);
				snprintf(rec.parent_ip, sizeof(rec.parent_ip), "%s", text);
			}
			if ((rec.has_parent_mac || rec.parent_ip[0]) && rec.keep_parent)
				PARSE_FAIL("link: a parent's saved state with \"keep_parent\"");
		}
	} else if (json_object_object_get_ex(o, "link", NULL)) {
		PARSE_FAIL("a \"link\" object without a redirect or macvtap connection");
	}
	if (json_object_object_get_ex(o, "hypervisor", &hv)) {
		static const struct { const char *key; size_t off, size; } strs[] = {
			{ "netdev", offsetof(struct vt_record, hv_netdev), sizeof(rec.hv_netdev) },
			{ "device", offsetof(struct vt_record, hv_device), sizeof(rec.hv_device) },
			{ "pci", offsetof(struct vt_record, hv_pci), sizeof(rec.hv_pci) },
		};
		if (!json_object_is_type(hv, json_type_object))
			PARSE_FAIL("\"hypervisor\" is not an object");
		if (!get_int_range(hv, "pid", 0, INT32_MAX, &v))
			PARSE_FAIL("hypervisor: bad \"pid\"");
		rec.hv_pid = (int)v;
		if (json_object_object_get_ex(hv, "start", NULL)) {
			if (!get_int_range(hv, "start", 1, INT64_MAX, &v))
				PARSE_FAIL("hypervisor: bad \"start\"");
			rec.hv_start = (uint64_t)v;
		}
		for (size_t i = 0; i < ARRAY_SIZE(strs); i++) {
			if (!json_object_object_get_ex(hv, strs[i].key, NULL))
				continue;
			s = get_string(hv, strs[i].key);
			/* these are printed and sent to QEMU again: hold them to what vmtap writes */
			if (!s || strlen(s) >= strs[i].size || !(i == 2 ? vt_pci_addr_ok(s) : vt_qemu_id_ok(s)))
				PARSE_FAIL("hypervisor: bad \"%s\"", strs[i].key);
			snprintf((char *)&rec + strs[i].off, strs[i].size, "%s", s);
		}
	}

	*ret_rec = rec;
	return 0;
}

/* ---- the directory ---- */

static int state_path_check(struct vmtap_ctx *ctx, const char *path, const char *what)
{
	if (path[0] != '/')
		return vt_fail(ctx, -EINVAL, "validate", "%s \"%.200s\" is not an absolute path", what, path);
	if (strlen(path) > VT_STATE_PATH_MAX)
		return vt_fail(ctx, -EINVAL, "validate", "%s path is longer than %d bytes", what, VT_STATE_PATH_MAX);
	if (vt_has_control(path))
		return vt_fail(ctx, -EINVAL, "validate", "%s path contains a control character", what);
	return 0;
}


VT_EXPORT int vmtap_ctx_set_state_dir(struct vmtap_ctx *ctx, const char *dir)
{
	char *copy = NULL;
	int r;

	if (!ctx)
		return -EINVAL;
	vt_clear_error(ctx);
	if (dir) {
		r = state_path_check(ctx, dir, "state directory");
		if (r < 0)
			return r;
		copy = strdup(dir);
		if (!copy)
			return vt_fail(ctx, -ENOMEM, "validate", "state directory: no memory");
	}
	free(ctx->state_dir);
	ctx->state_dir = copy;
	return 0;
}

const char *vt_state_path(struct vmtap_ctx *ctx)
{
	const char *env;

	if (ctx && ctx->state_dir)
		return ctx->state_dir;
	env = secure_getenv("VMTAP_STATE_DIR");
	if (env && env[0])
		return env;
	return VMTAP_STATE_DIR_DEFAULT;
}

static bool owner_trusted(const struct stat *st)
{
	return st->st_uid == 0 || st->st_uid == geteuid();
}

/*
 * Walk @path from "/" one component at a time, so that what is opened is
 * what was checked.  Every directory on the way belongs to root or to us and
 * is not writable by others (a sticky one such as /tmp is fine: others cannot
 * replace what is not theirs in it).  A symbolic link on the way (/var/run ->
 * /run) is followed only when root or we own it: it sits in a directory only
 * trusted users can write, so nobody else can have put it there or change it.
 * The state directory itself is never a link, belongs to us and is writable
 * by nobody else; it is never re-moded behind the administrator's back.
 */
static int state_dir_walk(struct vmtap_ctx *ctx, const char *path, bool create, int *ret_dirfd)
{
	char buf[VT_STATE_PATH_MAX + 1], *save = NULL, *comp, *next;
	_cleanup_close_ int cur = -1;
	struct stat st;
	int dfd;

	snprintf(buf, sizeof(buf), "%s", path);
	cur = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (cur < 0)
		return vt_fail(ctx, -errno, "open state directory", "/");
	for (comp = strtok_r(buf, "/", &save); comp; comp = next) {
		_cleanup_close_ int fd = -1;
		bool last;

		next = strtok_r(NULL, "/", &save);
		last = !next;
		if (!strcmp(comp, "."))
			continue;
		if (!strcmp(comp, ".."))
			return vt_fail(ctx, -EINVAL, "validate", "state directory %s has a \"..\" component", path);
		if (fstatat(cur, comp, &st, AT_SYMLINK_NOFOLLOW) < 0 && errno == ENOENT && last && create) {
			if (mkdirat(cur, comp, 0700) < 0 && errno != EEXIST)
				return vt_fail(ctx, -errno, "open state directory", "%s", path);
		}
		if (fstatat(cur, comp, &st, AT_SYMLINK_NOFOLLOW) < 0)
			return vt_fail(ctx, -errno, "open state directory", "%s", path);
		if (S_ISLNK(st.st_mode)) {
			if (last)
				return vt_fail(ctx, -EPERM, "open state directory", "%s is a symbolic link: refusing it", path);
			if (!owner_trusted(&st))
				return vt_fail(ctx, -EPERM, "open state directory",
					       "%s: the symbolic link %s belongs to uid %u, neither root nor us", path, comp,
					       (unsigned)st.st_uid);
			fd = openat(cur, comp, O_PATH | O_DIRECTORY | O_CLOEXEC);
		} else {
			fd = openat(cur, comp, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		}
		if (fd < 0 || fstat(fd, &st) < 0)
			return vt_fail(ctx, -errno, "open state directory", "%s", path);
		if (last) {
			if (st.st_uid != geteuid())
				return vt_fail(ctx, -EPERM, "open state directory", "%s belongs to uid %u, not to us", path,
					       (unsigned)st.st_uid);
			if (st.st_mode & 022)
				return vt_fail(ctx, -EPERM, "open state directory",
					       "%s is writable by %s (mode %04o): refusing it; make it 0700", path,
					       (st.st_mode & 02) ? "all users" : "its group", (unsigned)(st.st_mode & 07777));
		} else if (!owner_trusted(&st) || ((st.st_mode & 022) && !(st.st_mode & S_ISVTX))) {
			return vt_fail(ctx, -EPERM, "open state directory",
				       "%s: %s belongs to uid %u with mode %04o; only root or we may be able to change it",
				       path, comp, (unsigned)st.st_uid, (unsigned)(st.st_mode & 07777));
		}
		closep(&cur);
		cur = TAKE_FD(fd);
	}
	dfd = openat(cur, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return vt_fail(ctx, -errno, "open state directory", "%s", path);
	*ret_dirfd = dfd;
	return 0;
}

int vt_state_open(struct vmtap_ctx *ctx, bool create, int *ret_dirfd)
{
	const char *path = vt_state_path(ctx);
	int r;

	if (!(ctx && ctx->state_dir)) {
		/* the environment is checked as --state-dir is: a bad value is an error, not the default */
		r = state_path_check(ctx, path, secure_getenv("VMTAP_STATE_DIR") ? "VMTAP_STATE_DIR" : "state directory");
		if (r < 0)
			return r;
	}
	return state_dir_walk(ctx, path, create, ret_dirfd);
}

/* Read-only checks of a regular file in the state directory that we are about to trust. */
static int state_file_check(struct vmtap_ctx *ctx, int fd, const char *step, const char *name)
{
	struct stat st;

	if (fstat(fd, &st) < 0)
		return vt_fail(ctx, -errno, step, "%s/%s", vt_state_path(ctx), name);
	if (!S_ISREG(st.st_mode))
		return vt_fail(ctx, -EBADMSG, step, "%s/%s is not a regular file; left in place", vt_state_path(ctx), name);
	if (st.st_uid != geteuid())
		return vt_fail(ctx, -EPERM, step, "%s/%s belongs to uid %u, not to us; left in place", vt_state_path(ctx),
			       name, (unsigned)st.st_uid);
	return 0;
}

static void name_for(char *out, size_t size, const char *id, const char *suffix)
{
	snprintf(out, size, "%s%s", id, suffix);
}

static int lock_file(struct vmtap_ctx *ctx, int dirfd, const char *id, const char *suffix, bool create, int wait_ms,
		     const char *busy, struct vt_lock *ret_lock)
{
	char name[VMTAP_ID_MAX + 8];
	struct timespec start, now;
	long delay_us = 200;
	int r;

	name_for(name, sizeof(name), id, suffix);
	clock_gettime(CLOCK_MONOTONIC, &start);
	for (;;) {
		struct stat a, b;
		int fd = openat(dirfd, name, O_RDWR | O_NOFOLLOW | O_CLOEXEC | (create ? O_CREAT : 0), 0600);

		if (fd < 0)
			return vt_fail(ctx, -errno, "lock", "%s/%s", vt_state_path(ctx), name);
		/* a lock file someone else planted would make a stranger decide when we may proceed */
		r = state_file_check(ctx, fd, "lock", name);
		if (r < 0) {
			close(fd);
			return r;
		}
		if (flock(fd, LOCK_EX | LOCK_NB) == 0) {
			/* the file may have been removed by the holder we waited for: then lock the new one */
			if (fstat(fd, &a) == 0 && fstatat(dirfd, name, &b, AT_SYMLINK_NOFOLLOW) == 0 &&
			    a.st_ino == b.st_ino && a.st_dev == b.st_dev) {
				/* its own directory fd: the lock outlives whatever the caller releases first */
				int lockdir = fcntl(dirfd, F_DUPFD_CLOEXEC, 3);
				if (lockdir < 0) {
					r = vt_fail(ctx, -errno, "lock", "%s", id);
					close(fd);
					return r;
				}
				*ret_lock = (struct vt_lock){ .dirfd = lockdir, .fd = fd, .suffix = suffix };
				snprintf(ret_lock->id, sizeof(ret_lock->id), "%s", id);
				return 0;
			}
			close(fd);
			continue;
		}
		close(fd);
		if (errno != EWOULDBLOCK)
			return vt_fail(ctx, -errno, "lock", "%s", id);
		clock_gettime(CLOCK_MONOTONIC, &now);
		if ((now.tv_sec - start.tv_sec) * 1000 + (now.tv_nsec - start.tv_nsec) / 1000000 >= wait_ms)
			return vt_fail(ctx, -EBUSY, "lock", busy, id);
		/* bounded back-off while another process finishes its step */
		nanosleep(&(struct timespec){ .tv_nsec = delay_us * 1000 }, NULL);
		if (delay_us < 20000)
			delay_us *= 2;
	}
}

void vt_lock_release(struct vt_lock *lock)
{
	char name[VMTAP_ID_MAX + 8];

	if (lock->fd < 0)
		return;
	/* the file goes while still locked: a waiter then finds the path names another inode and retries */
	if (lock->remove) {
		name_for(name, sizeof(name), lock->id, lock->suffix);
		(void)unlinkat(lock->dirfd, name, 0);
	}
	closep(&lock->fd);
	closep(&lock->dirfd);
}

int vt_state_lock(struct vmtap_ctx *ctx, int dirfd, const char *id, int wait_ms, struct vt_lock *ret_lock)
{
	return lock_file(ctx, dirfd, id, ".lock", true, wait_ms, "endpoint %s is in use by another vmtap process",
			 ret_lock);
}

int vt_state_lock_existing(struct vmtap_ctx *ctx, int dirfd, const char *id, struct vt_lock *ret_lock)
{
	return lock_file(ctx, dirfd, id, ".lock", false, 0, "endpoint %s is in use by another vmtap process", ret_lock);
}

int vt_state_plug_lock(struct vmtap_ctx *ctx, int dirfd, const char *id, bool stale_only, struct vt_lock *ret_lock)
{
	int r;

	/*
	 * A plug holds it for seconds, gc for a moment: a short wait lets a
	 * plug start while gc removes a stale file, and gc never makes one.
	 */
	r = lock_file(ctx, dirfd, id, ".plug", !stale_only, stale_only ? 0 : 200,
		      "a hot-plug or unplug of endpoint %s is in progress", ret_lock);
	if (r == 0)
		ret_lock->remove = true; /* a plug lock never outlives its holder's hold */
	return r;
}

int vt_state_read(struct vmtap_ctx *ctx, int dirfd, const char *id, struct vt_record *ret_rec, char **ret_text)
{
	char name[VMTAP_ID_MAX + 8], err[160];
	_cleanup_free_ char *buf = NULL;
	_cleanup_close_ int fd = -1;
	struct vt_record rec;
	struct stat st;
	size_t got = 0;
	int r;

	name_for(name, sizeof(name), id, ".json");
	fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0) {
		if (errno == ENOENT)
			return -ENOENT;
		if (errno == ELOOP)
			return vt_fail(ctx, -ELOOP, "read record", "%s/%s is a symbolic link; left in place",
				       vt_state_path(ctx), name);
		return vt_fail(ctx, -errno, "read record", "%s/%s", vt_state_path(ctx), name);
	}
	r = state_file_check(ctx, fd, "read record", name);
	if (r < 0)
		return r;
	if (fstat(fd, &st) < 0)
		return vt_fail(ctx, -errno, "read record", "%s/%s", vt_state_path(ctx), name);
	if (st.st_size > VT_RECORD_MAX)
		return vt_fail(ctx, -EFBIG, "read record", "%s/%s is %lld bytes, over the %d limit; left in place",
			       vt_state_path(ctx), name, (long long)st.st_size, VT_RECORD_MAX);
	buf = malloc((size_t)st.st_size + 1);
	if (!buf)
		return vt_fail(ctx, -ENOMEM, "read record", NULL);
	while (got < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + got, (size_t)st.st_size - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return vt_fail(ctx, -errno, "read record", "%s/%s", vt_state_path(ctx), name);
		if (n == 0)
			break;
		got += (size_t)n;
	}
	buf[got] = '\0';
	if (vt_record_parse(buf, got, &rec, err, sizeof(err)) < 0)
		return vt_fail(ctx, -EBADMSG, "read record", "%s/%s cannot be parsed: %s; left in place",
			       vt_state_path(ctx), name, err);
	if (strcmp(rec.id, id)) {
		return vt_fail(ctx, -EBADMSG, "read record", "%s/%s holds the record of another id; left in place",
			       vt_state_path(ctx), name);
	}
	*ret_rec = rec;
	if (ret_text)
		*ret_text = TAKE_PTR(buf);
	return 0;
}

int vt_state_write(struct vmtap_ctx *ctx, int dirfd, const struct vt_record *rec)
{
	char tmp[VMTAP_ID_MAX + 40], name[VMTAP_ID_MAX + 8];
	_cleanup_free_ char *text = NULL;
	int fd, r;
	size_t len, off = 0;

	r = vt_record_format(rec, &text);
	if (r < 0)
		return vt_fail(ctx, r, "write record", "%s", rec->id);
	len = strlen(text);
	snprintf(tmp, sizeof(tmp), ".%s.json.%d.tmp", rec->id, (int)getpid());
	name_for(name, sizeof(name), rec->id, ".json");
	fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0 && errno == EEXIST) {
		/* left by a process of ours that died: the pid in the name is ours now */
		(void)unlinkat(dirfd, tmp, 0);
		fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	}
	if (fd < 0)
		return vt_fail(ctx, -errno, "write record", "%s/%s", vt_state_path(ctx), tmp);
	while (off < len) {
		ssize_t n = write(fd, text + off, len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			r = -errno;
			goto fail;
		}
		off += (size_t)n;
	}
	if (write(fd, "\n", 1) != 1 || fsync(fd) < 0) {
		r = -errno;
		goto fail;
	}
	if (close(fd) < 0) {
		fd = -1;
		r = -errno;
		goto fail;
	}
	fd = -1;
	if (renameat(dirfd, tmp, dirfd, name) < 0) {
		r = -errno;
		goto fail;
	}
	(void)fsync(dirfd);
	return 0;
fail:
	if (fd >= 0)
		close(fd);
	(void)unlinkat(dirfd, tmp, 0);
	return vt_fail(ctx, r, "write record", "%s/%s", vt_state_path(ctx), name);
}

int vt_state_remove(struct vmtap_ctx *ctx, int dirfd, const char *id)
{
	char name[VMTAP_ID_MAX + 8];

	name_for(name, sizeof(name), id, ".json");
	if (unlinkat(dirfd, name, 0) < 0 && errno != ENOENT)
		return vt_fail(ctx, -errno, "remove record", "%s/%s", vt_state_path(ctx), name);
	(void)fsync(dirfd);
	return 0;
}

/* ---- identity and tags ---- */

static bool hex_digits(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return true;
}

static int identity_read(struct vmtap_ctx *ctx, int dirfd, char ret_id[VT_STATE_ID_LEN + 1])
{
	static const char name[] = ".state-id";
	_cleanup_close_ int fd = -1;
	char buf[VT_STATE_ID_LEN + 2];
	ssize_t n;
	int r;

	fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0) {
		if (errno == ENOENT)
			return -ENOENT;
		return vt_fail(ctx, -errno, "read state identity", "%s/%s", vt_state_path(ctx), name);
	}
	r = state_file_check(ctx, fd, "read state identity", name);
	if (r < 0)
		return r;
	n = read(fd, buf, sizeof(buf));
	if (n < 0)
		return vt_fail(ctx, -errno, "read state identity", "%s/%s", vt_state_path(ctx), name);
	if (n != VT_STATE_ID_LEN + 1 || buf[VT_STATE_ID_LEN] != '\n' || !hex_digits(buf, VT_STATE_ID_LEN))
		return vt_fail(ctx, -EBADMSG, "read state identity", "%s/%s is damaged; left in place",
			       vt_state_path(ctx), name);
	memcpy(ret_id, buf, VT_STATE_ID_LEN);
	ret_id[VT_STATE_ID_LEN] = '\0';
	return 0;
}

int vt_state_identity(struct vmtap_ctx *ctx, int dirfd, bool create, char ret_id[VT_STATE_ID_LEN + 1])
{
	char tmp[64], text[VT_STATE_ID_LEN + 2];
	uint8_t raw[VT_STATE_ID_LEN / 2];
	int fd, r;

	r = identity_read(ctx, dirfd, ret_id);
	if (r != -ENOENT || !create)
		return r;
	if (getrandom(raw, sizeof(raw), 0) != sizeof(raw))
		return vt_fail(ctx, -EIO, "write state identity", "getrandom");
	for (size_t i = 0; i < sizeof(raw); i++)
		snprintf(text + 2 * i, 3, "%02x", raw[i]);
	text[VT_STATE_ID_LEN] = '\n';
	text[VT_STATE_ID_LEN + 1] = '\0';
	/* written aside and linked into place: a reader sees all of it or nothing, two writers one winner */
	snprintf(tmp, sizeof(tmp), "..state-id.%d.tmp", (int)getpid());
	(void)unlinkat(dirfd, tmp, 0);
	fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return vt_fail(ctx, -errno, "write state identity", "%s/%s", vt_state_path(ctx), tmp);
	r = write(fd, text, VT_STATE_ID_LEN + 1) == VT_STATE_ID_LEN + 1 && fsync(fd) == 0 ? 0 : -(errno ? errno : EIO);
	close(fd);
	if (r == 0 && linkat(dirfd, tmp, dirfd, ".state-id", 0) < 0 && errno != EEXIST)
		r = -errno;
	(void)unlinkat(dirfd, tmp, 0);
	if (r < 0)
		return vt_fail(ctx, r, "write state identity", "%s/.state-id", vt_state_path(ctx));
	(void)fsync(dirfd);
	return identity_read(ctx, dirfd, ret_id);
}

int vt_state_identity_get(struct vmtap_ctx *ctx, int dirfd, char ret_id[VT_STATE_ID_LEN + 1])
{
	int r = vt_state_identity(ctx, dirfd, false, ret_id);

	if (r == -ENOENT) {
		ret_id[0] = '\0';
		return 0;
	}
	return r;
}

void vt_tag_format(char out[VT_TAG_MAX], const char *id, const char *state_id)
{
	snprintf(out, VT_TAG_MAX, VMTAP_TAG_PREFIX "%s@%s", id, state_id);
}

int vt_tag_parse(const char *buf, size_t len, struct vt_tag *ret_tag)
{
	const size_t plen = sizeof(VMTAP_TAG_PREFIX) - 1;
	struct vt_tag tag = { 0 };
	const char *at;
	size_t idlen;

	if (!buf || len <= plen || memcmp(buf, VMTAP_TAG_PREFIX, plen))
		return -EINVAL;
	buf += plen;
	len -= plen;
	at = memchr(buf, '@', len);
	idlen = at ? (size_t)(at - buf) : len;
	if (idlen == 0 || idlen > VMTAP_ID_MAX)
		return -EINVAL;
	memcpy(tag.id, buf, idlen);
	if (strlen(tag.id) != idlen || vt_id_check(NULL, tag.id) < 0)
		return -EINVAL;
	if (at) {
		size_t slen = len - idlen - 1;
		if (slen != VT_STATE_ID_LEN || !hex_digits(at + 1, slen))
			return -EINVAL;
		memcpy(tag.state_id, at + 1, slen);
	}
	*ret_tag = tag;
	return 0;
}

/* A decimal number at *@pos of (buf, len) up to @max, as printf writes it (no sign, no leading zero), up to @end. */
static bool decimal_at(const char *buf, size_t len, size_t *pos, char end, uint64_t max, uint64_t *ret)
{
	size_t i = *pos;
	uint64_t v = 0;

	if (i >= len || buf[i] < '0' || buf[i] > '9' || (buf[i] == '0' && i + 1 < len && buf[i + 1] != end))
		return false;
	for (; i < len && buf[i] >= '0' && buf[i] <= '9'; i++) {
		v = v * 10 + (uint64_t)(buf[i] - '0');
		if (v > max)
			return false;
	}
	if (end ? i >= len || buf[i] != end : i != len)
		return false;
	*pos = end ? i + 1 : i;
	*ret = v;
	return true;
}

int vt_helper_tag_parse(const char *buf, size_t len, struct vt_helper_tag *ret_tag)
{
	static const char uid_key[] = VT_HELPER_TAG_PREFIX "uid=", pid_key[] = "pid=";
	uint64_t uid, pid;
	size_t pos = sizeof(uid_key) - 1;

	if (!buf || len <= pos || memcmp(buf, uid_key, pos))
		return -EINVAL;
	/* (uid_t)-1 is no uid: the kernel's "no owner" */
	if (!decimal_at(buf, len, &pos, ',', UINT32_MAX - 1, &uid))
		return -EINVAL;
	if (len - pos <= sizeof(pid_key) - 1 || memcmp(buf + pos, pid_key, sizeof(pid_key) - 1))
		return -EINVAL;
	pos += sizeof(pid_key) - 1;
	if (!decimal_at(buf, len, &pos, '\0', INT_MAX, &pid))
		return -EINVAL;
	*ret_tag = (struct vt_helper_tag){ .uid = (uint32_t)uid, .pid = (int)pid };
	return 0;
}

/* ---- the directory's files ---- */

static const struct {
	const char *suffix;
	enum vt_state_file kind;
} state_suffixes[] = {
	{ ".json", VT_STATE_RECORD }, { ".lock", VT_STATE_LOCK }, { ".plug", VT_STATE_PLUG },
};

/* What file @name of the state directory is: see state.h. */
static void classify(const char *name, struct vt_state_entry *e)
{
	size_t len = strlen(name);

	*e = (struct vt_state_entry){ .kind = VT_STATE_OTHER, .name = name };
	if (name[0] == '.') {
		/* ".<id>.json.<pid>.tmp" and "..state-id.<pid>.tmp": written aside, renamed or linked into place */
		const char *dot;
		if (len > 4 && !strcmp(name + len - 4, ".tmp")) {
			char base[NAME_MAX + 1];
			snprintf(base, sizeof(base), "%.*s", (int)(len - 4), name);
			dot = strrchr(base, '.');
			e->kind = VT_STATE_TEMP;
			e->pid = dot ? atoi(dot + 1) : 0;
		}
		return;
	}
	for (size_t i = 0; i < ARRAY_SIZE(state_suffixes); i++) {
		size_t slen = strlen(state_suffixes[i].suffix);
		if (len > slen && !strcmp(name + len - slen, state_suffixes[i].suffix)) {
			e->kind = state_suffixes[i].kind;
			e->id_len = len - slen;
			if (e->id_len <= VMTAP_ID_MAX) {
				snprintf(e->id, sizeof(e->id), "%.*s", (int)e->id_len, name);
				e->id_valid = vt_id_check(NULL, e->id) == 0;
			}
			return;
		}
	}
}

int vt_state_foreach(struct vmtap_ctx *ctx, int dirfd, vt_state_fn fn, void *data)
{
	int fd = fcntl(dirfd, F_DUPFD_CLOEXEC, 3), r = 0;
	struct dirent *d;
	DIR *dir;

	if (fd < 0)
		return vt_fail(ctx, -errno, "list records", "%s", vt_state_path(ctx));
	dir = fdopendir(fd);
	if (!dir) {
		r = vt_fail(ctx, -errno, "list records", "%s", vt_state_path(ctx));
		close(fd);
		return r;
	}
	rewinddir(dir); /* a dup shares the offset of an earlier walk */
	while (!r && (errno = 0, d = readdir(dir))) {
		struct vt_state_entry e;
		if (!strcmp(d->d_name, ".") || !strcmp(d->d_name, ".."))
			continue;
		classify(d->d_name, &e);
		r = fn(&e, data);
	}
	if (!r && errno)
		r = vt_fail(ctx, -errno, "list records", "%s", vt_state_path(ctx));
	closedir(dir);
	return r;
}

struct ids {
	char **ids;
	size_t n, cap;
};

static int collect_id(const struct vt_state_entry *e, void *data)
{
	struct ids *l = data;

	if (e->kind != VT_STATE_RECORD)
		return 0;
	/* the name as it is, valid id or not: the caller says which cannot be endpoints */
	if (VT_GROW(l->ids, l->cap, l->n + 1) < 0 || !(l->ids[l->n] = strndup(e->name, e->id_len)))
		return -ENOMEM;
	l->n++;
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int vt_state_list_ids(struct vmtap_ctx *ctx, int dirfd, char ***ret_ids, size_t *ret_n)
{
	struct ids l = { 0 };
	int r = vt_state_foreach(ctx, dirfd, collect_id, &l);

	if (r < 0) {
		vt_state_free_ids(l.ids, l.n);
		return r == -ENOMEM ? vt_fail(ctx, r, "list records", NULL) : r;
	}
	if (l.n)
		qsort(l.ids, l.n, sizeof(*l.ids), cmp_str);
	*ret_ids = l.ids;
	*ret_n = l.n;
	return 0;
}

void vt_state_free_ids(char **ids, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(ids[i]);
	free(ids);
}

void vt_state_record_path(struct vmtap_ctx *ctx, const char *id, char *out, size_t size)
{
	snprintf(out, size, "%s/%s.json", vt_state_path(ctx), id);
}

bool vt_state_has_record(int dirfd, const char *id)
{
	char name[VMTAP_ID_MAX + 8];

	name_for(name, sizeof(name), id, ".json");
	return faccessat(dirfd, name, F_OK, AT_SYMLINK_NOFOLLOW) == 0;
}

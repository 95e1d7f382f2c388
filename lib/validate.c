/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Validation of names, MAC addresses and numbers before anything touches the kernel. */
/**
 * DOC: Theory of Operation
 *
 * Input is refused before anything is touched, so that a bad value costs
 * nothing and leaves nothing behind, and with a message that says what is
 * wrong with it ("validate: ...").  The rules are the kernel's own where
 * there is one (dev_valid_name() for interface names, bytes of 0x80 and
 * above allowed) and QEMU's own for what is passed to QEMU (id_wellformed(),
 * no ',' or '=' in an option value), so that neither refuses later what
 * vmtap accepted.  Every check is a pure function: a NULL context gives the
 * verdict without a report, which the public vmtap_*_validate() functions
 * and the record parser use.
 */
#include <ctype.h>
#include <stdio.h>

#include "validate.h"

int vt_name_check(struct vmtap_ctx *ctx, const char *what, const char *name, bool allow_pattern)
{
	size_t len;
	const char *pct;

	if (!name || !name[0])
		return vt_fail(ctx, -EINVAL, "validate", "%s is empty", what);
	len = strlen(name);
	if (len > VMTAP_IFNAMSIZ - 1)
		return vt_fail(ctx, -EINVAL, "validate", "%s \"%.40s%s\" is %zu bytes, the limit is 15",
			       what, name, len > 40 ? "..." : "", len);
	if (!strcmp(name, ".") || !strcmp(name, ".."))
		return vt_fail(ctx, -EINVAL, "validate", "%s \"%s\" is not allowed", what, name);
	for (const char *p = name; *p; p++) {
		unsigned char c = (unsigned char)*p;
		/* as the kernel's dev_valid_name(): bytes >= 0x80 (UTF-8) are allowed, controls are not */
		if (c == '/' || c == ':' || isspace(c) || c < 0x20 || c == 0x7f)
			return vt_fail(ctx, -EINVAL, "validate",
				       "%s \"%s\" contains '%s', which interface names cannot", what, name,
				       c == '/' ? "/" : c == ':' ? ":" : isspace(c) ? "whitespace" : "a control character");
	}
	pct = strchr(name, '%');
	if (pct) {
		if (!allow_pattern)
			return vt_fail(ctx, -EINVAL, "validate", "%s \"%s\" contains '%%' (patterns are not allowed here)",
				       what, name);
		if (pct[1] != 'd' || strchr(pct + 1, '%'))
			return vt_fail(ctx, -EINVAL, "validate",
				       "%s \"%s\": '%%' is allowed only as a single \"%%d\"", what, name);
	}
	return 0;
}

VT_EXPORT int vmtap_name_validate(const char *name)
{
	return vt_name_check(NULL, "interface name", name, false);
}

VT_EXPORT int vmtap_name_pattern_validate(const char *name)
{
	return vt_name_check(NULL, "interface name", name, true);
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = (char)tolower((unsigned char)c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

int vt_mac_parse(struct vmtap_ctx *ctx, const char *buf, size_t len, uint8_t ret_mac[6])
{
	uint8_t mac[6];
	size_t pos = 0;
	char sep = 0;

	if (!buf)
		return vt_fail(ctx, -EINVAL, "validate", "MAC address is empty");
	if (len != 17)
		return vt_fail(ctx, -EINVAL, "validate", "MAC address \"%.*s\" is not of the form aa:bb:cc:dd:ee:ff",
			       (int)(len > 40 ? 40 : len), buf);
	for (int i = 0; i < 6; i++) {
		int hi = hexval(buf[pos]), lo = hexval(buf[pos + 1]);
		if (hi < 0 || lo < 0)
			return vt_fail(ctx, -EINVAL, "validate", "MAC address \"%.17s\" has a non-hex digit", buf);
		mac[i] = (uint8_t)(hi << 4 | lo);
		pos += 2;
		if (i < 5) {
			if (!sep && (buf[pos] == ':' || buf[pos] == '-'))
				sep = buf[pos];
			if (!sep || buf[pos] != sep)
				return vt_fail(ctx, -EINVAL, "validate",
					       "MAC address \"%.17s\" is not of the form aa:bb:cc:dd:ee:ff", buf);
			pos++;
		}
	}
	if (mac[0] & 1)
		return vt_fail(ctx, -EINVAL, "validate", "MAC address %.17s is multicast (lowest bit of the first byte set)", buf);
	if (!(mac[0] | mac[1] | mac[2] | mac[3] | mac[4] | mac[5]))
		return vt_fail(ctx, -EINVAL, "validate", "MAC address %.17s is all zeros", buf);
	memcpy(ret_mac, mac, 6);
	return 0;
}

VT_EXPORT char *vmtap_mac_format(const uint8_t mac[6], char out[VMTAP_MAC_STRLEN])
{
	snprintf(out, VMTAP_MAC_STRLEN, "%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1], mac[2], mac[3], mac[4], mac[5]);
	return out;
}

VT_EXPORT bool vmtap_mac_usable(const uint8_t mac[6])
{
	return !(mac[0] & 1) && (mac[0] | mac[1] | mac[2] | mac[3] | mac[4] | mac[5]);
}

VT_EXPORT int vmtap_mac_parse(const char *buf, size_t len, uint8_t ret_mac[6])
{
	if (!ret_mac)
		return -EINVAL;
	return vt_mac_parse(NULL, buf, len, ret_mac);
}

int vt_netns_name_check(struct vmtap_ctx *ctx, const char *name)
{
	size_t len = name ? strlen(name) : 0;

	if (!len)
		return vt_fail(ctx, -EINVAL, "validate", "namespace name is empty");
	if (len > 255)
		return vt_fail(ctx, -EINVAL, "validate", "namespace name is longer than 255 bytes");
	if (!strcmp(name, ".") || !strcmp(name, "..") || strchr(name, '/'))
		return vt_fail(ctx, -EINVAL, "validate", "namespace name \"%s\" is not a plain name", name);
	if (vt_has_control(name))
		return vt_fail(ctx, -EINVAL, "validate", "namespace name contains a control character");
	return 0;
}

int vt_netns_spec_check(struct vmtap_ctx *ctx, const char *spec, size_t max_len)
{
	size_t len = spec ? strlen(spec) : 0;

	if (!len)
		return vt_fail(ctx, -EINVAL, "validate", "namespace is empty");
	if (spec[0] != '/')
		return vt_netns_name_check(ctx, spec);
	if (len > max_len)
		return vt_fail(ctx, -ENAMETOOLONG, "validate", "namespace path is longer than %zu bytes", max_len);
	if (vt_has_control(spec))
		return vt_fail(ctx, -EINVAL, "validate", "namespace path contains a control character");
	return 0;
}

bool vt_has_control(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return true;
	return false;
}

VT_EXPORT int vmtap_netns_name_validate(const char *name)
{
	return vt_netns_name_check(NULL, name);
}

int vt_queues_check(struct vmtap_ctx *ctx, unsigned int queues)
{
	if (queues < 1 || queues > VMTAP_MAX_QUEUES)
		return vt_fail(ctx, -EINVAL, "validate", "queue count %u is outside 1..%d", queues,
			       VMTAP_MAX_QUEUES);
	return 0;
}

bool vt_qemu_id_ok(const char *id)
{
	/* 120: "host" + id must still fit the 128 bytes an endpoint record keeps */
	if (!id || !((id[0] >= 'a' && id[0] <= 'z') || (id[0] >= 'A' && id[0] <= 'Z')) || strlen(id) > 120)
		return false;
	for (const char *p = id; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
		      *p == '-' || *p == '.' || *p == '_'))
			return false;
	return true;
}

bool vt_qemu_value_ok(const char *v)
{
	if (!v || !v[0] || strlen(v) > 127)
		return false;
	for (const char *p = v; *p; p++)
		if (*p == ',' || *p == '=' || *p <= ' ' || *p == 0x7f)
			return false;
	return true;
}

bool vt_pci_addr_ok(const char *addr)
{
	static const char shape[] = "xxxx:xx:xx.x";

	if (!addr || strlen(addr) != sizeof(shape) - 1)
		return false;
	for (size_t i = 0; shape[i]; i++) {
		char c = addr[i];
		if (shape[i] != 'x' ? c != shape[i] : !((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
			return false;
	}
	return addr[11] <= '7';
}

bool vt_alias_reserved(const char *alias)
{
	return !strncmp(alias, "vmtap:", 6) || !strncmp(alias, "vmtap-", 6);
}

/* libvirt's rule: the first byte FE (FA when the guest's is FE), so a bridge never adopts the TAP's address. */
VT_EXPORT void vmtap_mac_host_side(const uint8_t guest_mac[6], uint8_t ret_mac[6])
{
	memcpy(ret_mac, guest_mac, 6);
	ret_mac[0] = guest_mac[0] == 0xfe ? 0xfa : 0xfe;
}

/* Whether (s, len) is well-formed UTF-8: shortest forms only, no surrogates, nothing above U+10FFFF. */
bool vt_utf8_valid(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + len;

	while (p < end) {
		unsigned char c = *p;
		size_t n;
		uint32_t cp;

		if (c < 0x80) {
			p++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf)
			n = 1, cp = c & 0x1f;
		else if (c >= 0xe0 && c <= 0xef)
			n = 2, cp = c & 0x0f;
		else if (c >= 0xf0 && c <= 0xf4)
			n = 3, cp = c & 0x07;
		else
			return false;
		if ((size_t)(end - p) <= n)
			return false;
		for (size_t i = 1; i <= n; i++) {
			if ((p[i] & 0xc0) != 0x80)
				return false;
			cp = (cp << 6) | (p[i] & 0x3f);
		}
		if ((n == 2 && cp < 0x800) || (n == 3 && (cp < 0x10000 || cp > 0x10ffff)) || (cp >= 0xd800 && cp <= 0xdfff))
			return false;
		p += n + 1;
	}
	return true;
}

int vt_label_check(struct vmtap_ctx *ctx, const char *label)
{
	size_t len = strlen(label);

	if (len > VMTAP_LABEL_MAX)
		return vt_fail(ctx, -EINVAL, "validate", "label is %zu bytes, the limit is %d", len, VMTAP_LABEL_MAX);
	if (vt_has_control(label))
		return vt_fail(ctx, -EINVAL, "validate", "label contains a control character");
	if (!vt_utf8_valid(label, len))
		return vt_fail(ctx, -EINVAL, "validate", "label is not valid UTF-8");
	return 0;
}

/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vmtap-cni's request configuration: one JSON object from stdin, parsed from (buf, len) and checked key by key. */
/**
 * DOC: Theory of Operation
 *
 * Whatever reaches stdin is untrusted: cni_config_parse() takes (buf, len),
 * parses it strictly (one JSON object, nothing after it but white space, a
 * bounded depth, valid UTF-8) and checks every key vmtap-cni reads for its
 * type and range before anything else looks at it, so that the verbs work
 * on plain C values.  The order of the checks gives the codes the
 * specification wants: not JSON is 6, an unsupported cniVersion is 1, a
 * key of the wrong type or out of range is 7 and names the key.  Keys
 * vmtap-cni does not know are passed over, as the specification lets
 * plugins do and the reference plugins do.
 *
 * prevResult and runtimeConfig stay JSON (borrowed from the document):
 * prevResult is passed on, extended, as the result (result.c checks the
 * parts it reads).  GC's list of valid attachments is read from
 * "cni.dev/valid-attachments" and from "cni.dev/attachments" (the name
 * the 1.1.0 text used; libcni sends both), and their union is kept.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cni.h"

#define CNI_JSON_DEPTH 64
/* what the key readers return for a key that is not there (errors are positive codes) */
#define ABSENT (-1)

static const char *const macvtap_modes[] = { "bridge", "vepa", "private", "passthru" };

const char *cni_mode_name(enum cni_mode mode)
{
	return mode == CNI_MODE_MACVTAP ? "macvtap" : "redirect";
}

const char *cni_macvtap_mode_name(int mode)
{
	return mode >= 0 && (size_t)mode < sizeof(macvtap_modes) / sizeof(macvtap_modes[0]) ? macvtap_modes[mode] : "?";
}

void cni_config_free(struct cni_config *cfg)
{
	if (!cfg)
		return;
	free(cfg->attachments);
	if (cfg->root)
		json_object_put(cfg->root);
	memset(cfg, 0, sizeof(*cfg));
}

static bool only_space(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\n' && s[i] != '\r')
			return false;
	return true;
}

/* The string value of @o, NULL when it is not a string or holds a NUL byte (C could not see past it). */
static const char *plain_string(json_object *o)
{
	const char *s;

	if (!json_object_is_type(o, json_type_string))
		return NULL;
	s = json_object_get_string(o);
	if (!s || strlen(s) != (size_t)json_object_get_string_len(o))
		return NULL;
	return s;
}

/* An integer key in [min, max]: 0 when read, ABSENT, or the error code. */
static int int_key(json_object *root, const char *key, long long min, long long max, long long *ret,
		   struct cni_error *err)
{
	json_object *o;
	long long v;

	if (!json_object_object_get_ex(root, key, &o))
		return ABSENT;
	if (!json_object_is_type(o, json_type_int))
		return cni_fail(err, CNI_ERR_CONFIG, "invalid network configuration", "\"%s\" must be an integer in %lld..%lld",
				key, min, max);
	errno = 0;
	v = json_object_get_int64(o);
	/* json-c clamps what does not fit in 64 bits and says so in errno */
	if (errno == ERANGE || v < min || v > max)
		return cni_fail(err, CNI_ERR_CONFIG, "invalid network configuration", "\"%s\" is outside %lld..%lld",
				key, min, max);
	*ret = v;
	return 0;
}

/* A string key: 0 when read, ABSENT, or the error code. */
static int string_key(json_object *root, const char *key, const char **ret, struct cni_error *err)
{
	json_object *o;

	if (!json_object_object_get_ex(root, key, &o))
		return ABSENT;
	*ret = plain_string(o);
	if (!*ret)
		return cni_fail(err, CNI_ERR_CONFIG, "invalid network configuration",
				"\"%s\" must be a string (without NUL bytes)", key);
	return 0;
}

/* Add the entries of list @key to cfg->attachments. */
static int attachments_key(struct cni_config *cfg, const char *key, struct cni_error *err)
{
	json_object *list;
	size_t n;

	if (!json_object_object_get_ex(cfg->root, key, &list))
		return 0;
	cfg->has_attachments = true;
	if (json_object_is_type(list, json_type_null))
		return 0;
	if (!json_object_is_type(list, json_type_array))
		return cni_fail(err, CNI_ERR_CONFIG, "invalid network configuration", "\"%s\" must be an array", key);
	n = json_object_array_length(list);
	for (size_t i = 0; i < n; i++) {
		json_object *e = json_object_array_get_idx(list, i), *cid, *ifn;
		struct cni_attachment_ref ref;
		void *grown;

		if (!json_object_is_type(e, json_type_object) || !json_object_object_get_ex(e, "containerID", &cid) ||
		    !json_object_object_get_ex(e, "ifname", &ifn) || !(ref.containerid = plain_string(cid)) ||
		    !(ref.ifname = plain_string(ifn)))
			return cni_fail(err, CNI_ERR_CONFIG, "invalid network configuration",
					"\"%s\"[%zu] must be an object with string keys \"containerID\" and \"ifname\"", key, i);
		if (cfg->n_attachments == SIZE_MAX / sizeof(ref) / 2)
			return cni_fail(err, CNI_ERR_RESOURCES, "out of resources", "too many attachments");
		grown = realloc(cfg->attachments, (cfg->n_attachments + 1) * sizeof(ref));
		if (!grown)
			return cni_fail(err, CNI_ERR_RESOURCES, "out of resources", "no memory for GC's list");
		cfg->attachments = grown;
		cfg->attachments[cfg->n_attachments++] = ref;
	}
	return 0;
}

bool cni_config_attachment_valid(const struct cni_config *cfg, const char *containerid, const char *ifname)
{
	for (size_t i = 0; i < cfg->n_attachments; i++)
		if (!strcmp(cfg->attachments[i].containerid, containerid) && !strcmp(cfg->attachments[i].ifname, ifname))
			return true;
	return false;
}

/* cniVersion, and whether @cmd exists in it: codes 7 and 1. */
static int version_check(struct cni_config *cfg, enum cni_command cmd, struct cni_error *err)
{
	const char *v = NULL;
	int r = string_key(cfg->root, "cniVersion", &v, err);

	if (r > 0)
		return r;
	if (r == ABSENT)
		/* libcni decodes a missing cniVersion as 0.1.0, which has no prevResult */
		return cni_fail(err, CNI_ERR_VERSION, "incompatible CNI versions",
				"the configuration has no cniVersion (0.1.0 then), vmtap-cni speaks 0.3.0, 0.3.1, 0.4.0, "
				"1.0.0, 1.1.0");
	if (!cni_version_supported(v))
		return cni_fail(err, CNI_ERR_VERSION, "incompatible CNI versions",
				"config is \"%.32s\", vmtap-cni speaks 0.3.0, 0.3.1, 0.4.0, 1.0.0, 1.1.0", v);
	snprintf(cfg->cni_version, sizeof(cfg->cni_version), "%s", v);
	cfg->version_given = true;
	if (cmd == CNI_CMD_CHECK && !cni_version_at_least(v, "0.4.0"))
		return cni_fail(err, CNI_ERR_VERSION, "incompatible CNI versions",
				"config version %s does not allow CHECK (0.4.0 or later)", v);
	if ((cmd == CNI_CMD_GC || cmd == CNI_CMD_STATUS) && !cni_version_at_least(v, "1.1.0"))
		return cni_fail(err, CNI_ERR_VERSION, "incompatible CNI versions",
				"config version %s does not allow %s (1.1.0 or later)", v, cni_command_name(cmd));
	return 0;
}

/* vmtap-cni's own keys. */
static int vmtap_keys(struct cni_config *cfg, struct cni_error *err)
{
	const char *s;
	long long v;
	json_object *o;
	int r;

	if ((r = int_key(cfg->root, "queues", 1, VMTAP_MAX_QUEUES, &v, err)) > 0)
		return r;
	if (r == 0) {
		cfg->queues = (unsigned int)v;
		cfg->queues_given = true;
	}
	if ((r = string_key(cfg->root, "mode", &s, err)) > 0)
		return r;
	if (r == 0) {
		if (!strcmp(s, "redirect"))
			cfg->mode = CNI_MODE_REDIRECT;
		else if (!strcmp(s, "macvtap"))
			cfg->mode = CNI_MODE_MACVTAP;
		else
			return cni_fail(err, CNI_ERR_CONFIG, "invalid network configuration",
					"\"mode\" is \"%.32s\", not \"redirect\" or \"macvtap\"", s);
	}
	if ((r = string_key(cfg->root, "macvtapMode", &s, err)) > 0)
		return r;
	if (r == 0) {
		size_t i;
		for (i = 0; i < sizeof(macvtap_modes) / sizeof(macvtap_modes[0]); i++)
			if (!strcmp(s, macvtap_modes[i]))
				break;
		if (i == sizeof(macvtap_modes) / sizeof(macvtap_modes[0]))
			return cni_fail(err, CNI_ERR_CONFIG, "invalid network configuration",
					"\"macvtapMode\" is \"%.32s\", not one of bridge, vepa, private, passthru", s);
		if (cfg->mode != CNI_MODE_MACVTAP)
			return cni_fail(err, CNI_ERR_CONFIG, "invalid network configuration",
					"\"macvtapMode\" is for \"mode\": \"macvtap\" only");
		cfg->macvtap_mode = (int)i;
		cfg->macvtap_mode_given = true;
	}
	if (json_object_object_get_ex(cfg->root, "vnetHdr", &o)) {
		if (!json_object_is_type(o, json_type_boolean))
			return cni_fail(err, CNI_ERR_CONFIG, "invalid network configuration", "\"vnetHdr\" must be true or false");
		cfg->vnet_hdr = json_object_get_boolean(o);
	}
	if ((r = int_key(cfg->root, "mtu", VMTAP_MTU_MIN, VMTAP_MTU_MAX, &v, err)) > 0)
		return r;
	if (r == 0)
		cfg->mtu = (uint32_t)v;
	/* (uid_t)-1 means "unchanged" to the kernel: never an owner */
	if ((r = int_key(cfg->root, "owner", 0, 0xfffffffeLL, &v, err)) > 0)
		return r;
	if (r == 0) {
		cfg->owner = (uid_t)v;
		cfg->has_owner = true;
	}
	if ((r = int_key(cfg->root, "group", 0, 0xfffffffeLL, &v, err)) > 0)
		return r;
	if (r == 0) {
		cfg->group = (gid_t)v;
		cfg->has_group = true;
	}
	if ((r = string_key(cfg->root, "tapName", &s, err)) > 0)
		return r;
	if (r == 0) {
		if (vmtap_name_pattern_validate(s) < 0)
			return cni_fail(err, CNI_ERR_CONFIG, "invalid network configuration",
					"\"tapName\" \"%.32s\" is not an interface name (1-15 bytes, no '/', ':' or white space) "
					"or a pattern with one %%d",
					s);
		snprintf(cfg->tap_name, sizeof(cfg->tap_name), "%s", s);
	}
	if ((r = string_key(cfg->root, "stateDir", &s, err)) > 0)
		return r;
	if (r == 0) {
		bool ctl = false;
		for (const char *p = s; *p; p++)
			ctl |= (unsigned char)*p < ' ' || *p == 0x7f;
		if (s[0] != '/' || strlen(s) > CNI_STATE_DIR_MAX || ctl)
			return cni_fail(err, CNI_ERR_CONFIG, "invalid network configuration",
					"\"stateDir\" must be an absolute path of at most %d bytes without control characters",
					CNI_STATE_DIR_MAX);
		snprintf(cfg->state_dir, sizeof(cfg->state_dir), "%s", s);
	}
	return 0;
}

/* runtimeConfig: an object; the "mac" capability is the guest's MAC. */
static int runtime_config(struct cni_config *cfg, struct cni_error *err)
{
	json_object *o;
	const char *s;

	if (!json_object_object_get_ex(cfg->root, "runtimeConfig", &o) || json_object_is_type(o, json_type_null))
		return 0;
	if (!json_object_is_type(o, json_type_object))
		return cni_fail(err, CNI_ERR_CONFIG, "invalid network configuration", "\"runtimeConfig\" must be an object");
	cfg->runtime_config = o;
	if (!json_object_object_get_ex(o, "mac", &o))
		return 0;
	s = plain_string(o);
	if (!s || vmtap_mac_parse(s, strlen(s), cfg->runtime_mac) < 0)
		return cni_fail(err, CNI_ERR_CONFIG, "invalid network configuration",
				"\"runtimeConfig\".\"mac\" must be a unicast MAC address aa:bb:cc:dd:ee:ff");
	if (cfg->mode == CNI_MODE_MACVTAP)
		return cni_fail(err, CNI_ERR_CONFIG, "invalid network configuration",
				"\"runtimeConfig\".\"mac\" cannot be used with \"mode\": \"macvtap\", where the guest takes "
				"CNI_IFNAME's own MAC: set it there (the tuning plugin before vmtap-cni)");
	cfg->has_runtime_mac = true;
	return 0;
}

int cni_config_parse(const char *buf, size_t len, enum cni_command cmd, struct cni_config *ret, struct cni_error *err)
{
	struct cni_config cfg = { .queues = 1, .vnet_hdr = true, .state_dir = VMTAP_STATE_DIR_DEFAULT, .name = "" };
	struct json_tokener *tok;
	enum json_tokener_error jerr;
	json_object *o;
	size_t end;
	int r;

	memset(ret, 0, sizeof(*ret));
	if (len > CNI_CONFIG_MAX)
		return cni_fail(err, CNI_ERR_DECODE, "failed to decode the network configuration",
				"stdin holds more than %u bytes", CNI_CONFIG_MAX);
	if (!len || only_space(buf, len))
		return cni_fail(err, CNI_ERR_DECODE, "failed to decode the network configuration", "stdin is empty");
	tok = json_tokener_new_ex(CNI_JSON_DEPTH);
	if (!tok)
		return cni_fail(err, CNI_ERR_RESOURCES, "out of resources", "no memory for the JSON parser");
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
	cfg.root = json_tokener_parse_ex(tok, buf, (int)len);
	jerr = json_tokener_get_error(tok);
	end = json_tokener_get_parse_end(tok);
	json_tokener_free(tok);
	if (!cfg.root || jerr != json_tokener_success) {
		r = cni_fail(err, CNI_ERR_DECODE, "failed to decode the network configuration", "not JSON: %s at byte %zu",
			     jerr == json_tokener_continue ? "it ends early" : json_tokener_error_desc(jerr), end);
		goto fail;
	}
	if (!only_space(buf + end, len - end)) {
		r = cni_fail(err, CNI_ERR_DECODE, "failed to decode the network configuration",
			     "more after the JSON document, at byte %zu", end);
		goto fail;
	}
	if (!json_object_is_type(cfg.root, json_type_object)) {
		r = cni_fail(err, CNI_ERR_DECODE, "failed to decode the network configuration", "not a JSON object");
		goto fail;
	}

	r = version_check(&cfg, cmd, err);
	if (r)
		goto fail;
	if ((r = string_key(cfg.root, "name", &cfg.name, err)) > 0)
		goto fail;
	if (r == ABSENT || !cni_netname_valid(cfg.name, strlen(cfg.name))) {
		r = cni_fail(err, CNI_ERR_CONFIG, "invalid network configuration",
			     r == ABSENT ? "missing network name" :
				      "network name \"%.64s\": 1-200 of [A-Za-z0-9_.-], starting with a letter or digit",
			     cfg.name);
		goto fail;
	}
	if ((r = string_key(cfg.root, "type", &cfg.type, err)) > 0)
		goto fail;
	if ((r = vmtap_keys(&cfg, err)) || (r = runtime_config(&cfg, err)))
		goto fail;
	if (json_object_object_get_ex(cfg.root, "prevResult", &o) && !json_object_is_type(o, json_type_null)) {
		if (!json_object_is_type(o, json_type_object)) {
			r = cni_fail(err, CNI_ERR_CONFIG, "invalid network configuration", "\"prevResult\" must be an object");
			goto fail;
		}
		cfg.prev_result = o;
	}
	if (cmd == CNI_CMD_GC &&
	    ((r = attachments_key(&cfg, "cni.dev/valid-attachments", err)) || (r = attachments_key(&cfg, "cni.dev/attachments", err))))
		goto fail;
	*ret = cfg;
	return 0;
fail:
	/* the error result names the version the runtime speaks when it was a supported one */
	memset(ret, 0, sizeof(*ret));
	if (cfg.version_given) {
		memcpy(ret->cni_version, cfg.cni_version, sizeof(ret->cni_version));
		ret->version_given = true;
	}
	cni_config_free(&cfg);
	return r;
}

/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vmtap-cni's results: reading CNI_IFNAME out of prevResult, and building ADD's result from it. */
/**
 * DOC: Theory of Operation
 *
 * vmtap-cni is chained: the plugin before it made CNI_IFNAME in the
 * container and said so in prevResult.  cni_prev_find_iface() insists on
 * it, by name and sandbox (code 7 otherwise, saying what is missing).
 *
 * ADD's result is prevResult, passed on whole (keys vmtap-cni does not
 * know included), with
 *  - the TAP as an interface: its name, MAC, sandbox = CNI_NETNS (runtimes
 *    such as podman refuse an interface with a sandbox and no MAC) and, in
 *    1.1.0 results, its MTU;
 *  - a pseudo interface for the VM: the TAP's name, the guest's MAC,
 *    sandbox = the container id (the spec's "hypervisor identifier"), as
 *    tc-redirect-tap does so that firecracker-containerd's vmconf pairs
 *    the two by name;
 *  - copies of CNI_IFNAME's addresses pointing at the VM's interface.  The
 *    originals stay: runtimes read the pod's IP from CNI_IFNAME's entries.
 *    Entries without an "interface" index count as CNI_IFNAME's when it is
 *    the only interface in the container (tc-redirect-tap #7, Cilium).
 * In macvtap mode CNI_IFNAME's own MAC changes (the guest takes it), and
 * its entry says so, as the tuning plugin's result does after changing a
 * MAC.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "cni.h"

static const char *plain_string(json_object *o)
{
	const char *s;

	if (!json_object_is_type(o, json_type_string))
		return NULL;
	s = json_object_get_string(o);
	return s && strlen(s) == (size_t)json_object_get_string_len(o) ? s : NULL;
}

/* A key of @o that must be a string when present: true when fine, *@ret NULL when absent. */
static bool opt_string(json_object *o, const char *key, const char **ret)
{
	json_object *v;

	*ret = NULL;
	if (!json_object_object_get_ex(o, key, &v) || json_object_is_type(v, json_type_null))
		return true;
	*ret = plain_string(v);
	return *ret != NULL;
}

static json_object *array_key(json_object *o, const char *key)
{
	json_object *v;

	return json_object_object_get_ex(o, key, &v) && json_object_is_type(v, json_type_array) ? v : NULL;
}

int cni_prev_validate(json_object *prev, struct cni_error *err)
{
	json_object *ifaces, *ips, *v;
	size_t n_ifaces = 0, n;
	const char *s;

	if (json_object_object_get_ex(prev, "interfaces", &v) && !json_object_is_type(v, json_type_null)) {
		if (!json_object_is_type(v, json_type_array))
			return cni_fail(err, CNI_ERR_CONFIG, "invalid prevResult", "\"interfaces\" must be an array");
		ifaces = v;
		n_ifaces = json_object_array_length(ifaces);
		for (size_t i = 0; i < n_ifaces; i++) {
			json_object *e = json_object_array_get_idx(ifaces, i);
			if (!json_object_is_type(e, json_type_object) || !opt_string(e, "name", &s) ||
			    !opt_string(e, "mac", &s) || !opt_string(e, "sandbox", &s))
				return cni_fail(err, CNI_ERR_CONFIG, "invalid prevResult",
						"\"interfaces\"[%zu] must be an object whose name, mac and sandbox are strings", i);
		}
	}
	if (json_object_object_get_ex(prev, "ips", &v) && !json_object_is_type(v, json_type_null)) {
		if (!json_object_is_type(v, json_type_array))
			return cni_fail(err, CNI_ERR_CONFIG, "invalid prevResult", "\"ips\" must be an array");
		ips = v;
		n = json_object_array_length(ips);
		for (size_t i = 0; i < n; i++) {
			json_object *e = json_object_array_get_idx(ips, i), *idx;
			if (!json_object_is_type(e, json_type_object) || !opt_string(e, "address", &s) || !s)
				return cni_fail(err, CNI_ERR_CONFIG, "invalid prevResult",
						"\"ips\"[%zu] must be an object with a string \"address\"", i);
			if (json_object_object_get_ex(e, "interface", &idx) && !json_object_is_type(idx, json_type_null)) {
				int64_t k;
				errno = 0;
				k = json_object_get_int64(idx);
				if (!json_object_is_type(idx, json_type_int) || errno == ERANGE || k < 0 || (uint64_t)k >= n_ifaces)
					return cni_fail(err, CNI_ERR_CONFIG, "invalid prevResult",
							"\"ips\"[%zu].\"interface\" is not an index into the %zu interfaces", i,
							n_ifaces);
			}
		}
	}
	return 0;
}

json_object *cni_prev_iface_at(json_object *prev, int index)
{
	json_object *ifaces = array_key(prev, "interfaces");

	if (!ifaces || index < 0 || (size_t)index >= json_object_array_length(ifaces))
		return NULL;
	return json_object_array_get_idx(ifaces, (size_t)index);
}

/* Whether two absolute paths name the same namespace file (/var/run/netns/x and /run/netns/x). */
static bool same_file(const char *a, const char *b)
{
	struct stat sa, sb;

	if (a[0] != '/' || b[0] != '/' || stat(a, &sa) < 0 || stat(b, &sb) < 0)
		return false;
	return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

static bool sandbox_is(json_object *iface, const char *netns)
{
	const char *sb = NULL;

	if (!opt_string(iface, "sandbox", &sb) || !sb || !sb[0])
		return false;
	return !strcmp(sb, netns) || same_file(sb, netns);
}

int cni_prev_find_iface(json_object *prev, const char *ifname, const char *netns, struct cni_prev_iface *ret,
			struct cni_error *err)
{
	json_object *ifaces = array_key(prev, "interfaces");
	size_t n = ifaces ? json_object_array_length(ifaces) : 0, in_container = 0;
	const char *other_sandbox = NULL;
	int found = -1;

	for (size_t i = 0; i < n; i++) {
		json_object *e = json_object_array_get_idx(ifaces, i);
		const char *name = NULL, *sb = NULL;

		opt_string(e, "name", &name);
		opt_string(e, "sandbox", &sb);
		if (sandbox_is(e, netns))
			in_container++;
		if (!name || strcmp(name, ifname))
			continue;
		if (sandbox_is(e, netns)) {
			if (found < 0)
				found = (int)i;
		} else {
			other_sandbox = sb ? sb : "";
		}
	}
	if (found < 0) {
		if (other_sandbox)
			return cni_fail(err, CNI_ERR_CONFIG, "chained wrongly",
					"prevResult's interface %s is in sandbox \"%.200s\", not in CNI_NETNS %.200s", ifname,
					other_sandbox, netns);
		return cni_fail(err, CNI_ERR_CONFIG, "chained wrongly",
				"prevResult has no interface %s in %.200s: vmtap-cni connects a VM to the interface that the "
				"plugin before it in the chain made (bridge, ptp, ...)",
				ifname, netns);
	}
	ret->index = found;
	opt_string(json_object_array_get_idx(ifaces, (size_t)found), "mac", &ret->mac);
	ret->owns_unindexed_ips = in_container == 1;
	return 0;
}

bool cni_prev_ip_is_of(json_object *ip, const struct cni_prev_iface *iface)
{
	json_object *idx;

	if (!json_object_object_get_ex(ip, "interface", &idx) || json_object_is_type(idx, json_type_null))
		return iface->owns_unindexed_ips;
	return json_object_is_type(idx, json_type_int) && json_object_get_int64(idx) == iface->index;
}

static json_object *iface_object(const char *name, const char *mac, uint32_t mtu, bool with_mtu, const char *sandbox)
{
	json_object *o = json_object_new_object();

	if (!o)
		return NULL;
	if (json_object_object_add(o, "name", json_object_new_string(name)) < 0 ||
	    json_object_object_add(o, "mac", json_object_new_string(mac)) < 0 ||
	    (with_mtu && mtu && json_object_object_add(o, "mtu", json_object_new_int64(mtu)) < 0) ||
	    json_object_object_add(o, "sandbox", json_object_new_string(sandbox)) < 0) {
		json_object_put(o);
		return NULL;
	}
	return o;
}

/* Extend @res (a copy of prevResult) in place. */
static int extend(json_object *res, const char *version, const struct cni_added *a)
{
	bool with_mtu = cni_version_at_least(version, "1.1.0");
	json_object *ifaces = array_key(res, "interfaces"), *ips = array_key(res, "ips"), *tap, *vm;
	size_t vm_index, n_ips;

	if (!ifaces)
		return -EINVAL; /* cni_prev_find_iface() found CNI_IFNAME there */
	if (a->iface_new_mac) {
		json_object *e = json_object_array_get_idx(ifaces, (size_t)a->iface->index);
		if (!e || json_object_object_add(e, "mac", json_object_new_string(a->iface_new_mac)) < 0)
			return -ENOMEM;
	}
	tap = iface_object(a->tap_name, a->tap_mac, a->mtu, with_mtu, a->netns);
	if (!tap || json_object_array_add(ifaces, tap) < 0) {
		json_object_put(tap);
		return -ENOMEM;
	}
	vm = iface_object(a->tap_name, a->guest_mac, a->mtu, with_mtu, a->containerid);
	if (!vm || json_object_array_add(ifaces, vm) < 0) {
		json_object_put(vm);
		return -ENOMEM;
	}
	vm_index = json_object_array_length(ifaces) - 1;
	if (!ips)
		return 0;
	n_ips = json_object_array_length(ips);
	for (size_t i = 0; i < n_ips; i++) {
		json_object *ip = json_object_array_get_idx(ips, i), *copy = NULL;

		if (!cni_prev_ip_is_of(ip, a->iface))
			continue;
		if (json_object_deep_copy(ip, &copy, NULL) < 0)
			return -ENOMEM;
		if (json_object_object_add(copy, "interface", json_object_new_int64((int64_t)vm_index)) < 0 ||
		    json_object_array_add(ips, copy) < 0) {
			json_object_put(copy);
			return -ENOMEM;
		}
	}
	return 0;
}

char *cni_result_build(json_object *prev, const char *version, const struct cni_added *a)
{
	json_object *copy = NULL, *res = NULL;
	char *text = NULL;

	if (json_object_deep_copy(prev, &copy, NULL) < 0)
		return NULL;
	if (extend(copy, version, a) < 0)
		goto out;
	/* cniVersion first, as every plugin prints it; then prevResult's keys in their order */
	res = json_object_new_object();
	if (!res || json_object_object_add(res, "cniVersion", json_object_new_string(version)) < 0)
		goto out;
	json_object_object_foreach(copy, key, val) {
		if (!strcmp(key, "cniVersion"))
			continue;
		if (json_object_object_add(res, key, json_object_get(val)) < 0)
			goto out;
	}
	text = strdup(json_object_to_json_string_ext(res, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
out:
	json_object_put(res);
	json_object_put(copy);
	return text;
}

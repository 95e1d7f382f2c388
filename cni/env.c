/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vmtap-cni's environment: the CNI_* variables each verb needs, their validation, and CNI_ARGS. */
/**
 * DOC: Theory of Operation
 *
 * The runtime passes the attachment in environment variables, and anyone
 * who can run the plugin can set them: each is checked before use, with
 * the rules libcni applies on its side (container id, interface name), and
 * a missing or invalid one is code 4 naming every variable at fault.  An
 * empty variable counts as missing, as in libcni, which sets every CNI_*
 * variable and leaves the ones a verb does not use empty (GC and STATUS
 * get an empty CNI_CONTAINERID, VERSION a "dummy" CNI_NETNS).
 *
 * Which verb needs what (CNI 1.1.0, section 2): ADD and CHECK need
 * CNI_CONTAINERID, CNI_NETNS and CNI_IFNAME; DEL needs CNI_CONTAINERID and
 * CNI_IFNAME (its namespace may be gone); GC, STATUS and VERSION none.
 * CNI_PATH is not needed: vmtap-cni delegates to no other plugin.
 *
 * CNI_ARGS is "K=V;K=V".  Keys vmtap-cni does not know are ignored (the
 * runtime passes K8S_POD_NAME and friends to every plugin of a chain, and
 * IgnoreUnknown is the common way to say so); a pair without '=' is an
 * error, an empty pair (a trailing ';') is skipped, a value may contain '='.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cni.h"

static const struct {
	const char *name;
	enum cni_command cmd;
} commands[] = {
	{ "ADD", CNI_CMD_ADD },       { "DEL", CNI_CMD_DEL },       { "CHECK", CNI_CMD_CHECK },
	{ "GC", CNI_CMD_GC },         { "STATUS", CNI_CMD_STATUS }, { "VERSION", CNI_CMD_VERSION },
};

enum cni_command cni_command_parse(const char *s)
{
	for (size_t i = 0; s && i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(s, commands[i].name))
			return commands[i].cmd;
	return CNI_CMD_NONE;
}

const char *cni_command_name(enum cni_command cmd)
{
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (commands[i].cmd == cmd)
			return commands[i].name;
	return "?";
}

static bool alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/* [A-Za-z0-9][A-Za-z0-9_.-]* over exactly @len bytes */
static bool id_chars(const char *s, size_t len)
{
	if (!len || !alnum(s[0]))
		return false;
	for (size_t i = 1; i < len; i++)
		if (!alnum(s[i]) && s[i] != '_' && s[i] != '.' && s[i] != '-')
			return false;
	return true;
}

bool cni_containerid_valid(const char *s, size_t len)
{
	return len <= CNI_CONTAINERID_MAX && id_chars(s, len);
}

bool cni_netname_valid(const char *s, size_t len)
{
	return len <= CNI_NAME_MAX && id_chars(s, len);
}

bool cni_ifname_valid(const char *s, size_t len)
{
	if (len == 0 || len >= VMTAP_IFNAMSIZ)
		return false;
	if ((len == 1 && s[0] == '.') || (len == 2 && s[0] == '.' && s[1] == '.'))
		return false;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		/* white space, control characters and DEL too: the kernel takes them, but nobody can type them */
		if (c == '/' || c == ':' || c <= ' ' || c == 0x7f)
			return false;
	}
	return true;
}

/* A decimal number without sign, at most @max; -1 when it is not one. */
static long long parse_decimal(const char *s, size_t len, unsigned long long max)
{
	unsigned long long v = 0;

	if (!len || len > 10)
		return -1;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (unsigned)(s[i] - '0');
	}
	return v <= max ? (long long)v : -1;
}

int cni_args_parse(const char *buf, size_t len, struct cni_args *ret, struct cni_error *err)
{
	struct cni_args a = { 0 };
	size_t pos = 0;

	while (pos < len) {
		const char *pair = buf + pos, *end = memchr(pair, ';', len - pos), *eq;
		size_t plen = end ? (size_t)(end - pair) : len - pos, klen, vlen;
		const char *val;
		long long v;

		pos += plen + 1;
		if (!plen)
			continue;
		if (memchr(pair, '\0', plen))
			return cni_fail(err, CNI_ERR_ENV, "invalid CNI_ARGS", "CNI_ARGS contains a NUL byte");
		eq = memchr(pair, '=', plen);
		if (!eq)
			return cni_fail(err, CNI_ERR_ENV, "invalid CNI_ARGS", "CNI_ARGS: \"%.*s\" is not KEY=VALUE",
					(int)(plen > 64 ? 64 : plen), pair);
		klen = (size_t)(eq - pair);
		val = eq + 1;
		vlen = plen - klen - 1;
#define KEY_IS(k) (klen == sizeof(k) - 1 && !memcmp(pair, k, klen))
		if (KEY_IS("VMTAP_TAP_NAME")) {
			if (!cni_ifname_valid(val, vlen) || memchr(val, '%', vlen))
				return cni_fail(err, CNI_ERR_ENV, "invalid CNI_ARGS",
						"CNI_ARGS: VMTAP_TAP_NAME \"%.*s\" is not a valid interface name (1-15 bytes, no '/', ':', '%%' or white space)",
						(int)(vlen > 32 ? 32 : vlen), val);
			memcpy(a.tap_name, val, vlen);
			a.tap_name[vlen] = '\0';
			a.has_tap_name = true;
		} else if (KEY_IS("VMTAP_QUEUES")) {
			v = parse_decimal(val, vlen, VMTAP_MAX_QUEUES);
			if (v < 1)
				return cni_fail(err, CNI_ERR_ENV, "invalid CNI_ARGS",
						"CNI_ARGS: VMTAP_QUEUES \"%.*s\" is not a number in 1..%d",
						(int)(vlen > 16 ? 16 : vlen), val, VMTAP_MAX_QUEUES);
			a.queues = (unsigned int)v;
		} else if (KEY_IS("VMTAP_OWNER") || KEY_IS("VMTAP_GROUP")) {
			bool owner = KEY_IS("VMTAP_OWNER");
			/* (uid_t)-1 means "unchanged" to the kernel: never an owner */
			v = parse_decimal(val, vlen, 0xfffffffeULL);
			if (v < 0)
				return cni_fail(err, CNI_ERR_ENV, "invalid CNI_ARGS",
						"CNI_ARGS: %s \"%.*s\" is not a numeric %s in 0..4294967294",
						owner ? "VMTAP_OWNER" : "VMTAP_GROUP", (int)(vlen > 16 ? 16 : vlen), val,
						owner ? "uid" : "gid");
			if (owner) {
				a.owner = (uid_t)v;
				a.has_owner = true;
			} else {
				a.group = (gid_t)v;
				a.has_group = true;
			}
		}
#undef KEY_IS
	}
	*ret = a;
	return 0;
}

static const char *get_nonempty(const char *(*getenv_fn)(const char *name), const char *name)
{
	const char *v = getenv_fn(name);

	return v && v[0] ? v : NULL;
}

/* Append ", NAME" (or "NAME") to @list. */
static void list_add(char *list, size_t size, const char *name)
{
	size_t n = strlen(list);

	snprintf(list + n, size - n, "%s%s", n ? ", " : "", name);
}

int cni_env_load(struct cni_env *env, const char *(*getenv_fn)(const char *name), struct cni_error *err)
{
	char missing[128] = "", invalid[512] = "";
	bool need_id, need_netns;
	int r;

	memset(env, 0, sizeof(*env));
	env->command_text = get_nonempty(getenv_fn, "CNI_COMMAND");
	if (!env->command_text)
		return cni_fail(err, CNI_ERR_ENV, "required environment variables missing",
				"CNI_COMMAND is not set: vmtap-cni is a CNI plugin, run by a container runtime "
				"(see vmtap-cni(8))");
	env->command = cni_command_parse(env->command_text);
	if (env->command == CNI_CMD_NONE)
		return cni_fail(err, CNI_ERR_ENV, "invalid environment variables",
				"CNI_COMMAND \"%.32s\" is none of ADD, DEL, CHECK, GC, STATUS, VERSION", env->command_text);
	if (env->command == CNI_CMD_VERSION)
		return 0; /* libcni sets "dummy" values here: nothing else is read */

	need_id = env->command == CNI_CMD_ADD || env->command == CNI_CMD_CHECK || env->command == CNI_CMD_DEL;
	need_netns = env->command == CNI_CMD_ADD || env->command == CNI_CMD_CHECK;
	if (!need_id)
		return 0;

	env->containerid = get_nonempty(getenv_fn, "CNI_CONTAINERID");
	env->netns = need_netns ? get_nonempty(getenv_fn, "CNI_NETNS") : NULL;
	env->ifname = get_nonempty(getenv_fn, "CNI_IFNAME");
	env->args_text = getenv_fn("CNI_ARGS");

	if (!env->containerid)
		list_add(missing, sizeof(missing), "CNI_CONTAINERID");
	if (need_netns && !env->netns)
		list_add(missing, sizeof(missing), "CNI_NETNS");
	if (!env->ifname)
		list_add(missing, sizeof(missing), "CNI_IFNAME");
	if (missing[0])
		return cni_fail(err, CNI_ERR_ENV, "required environment variables missing",
				"%s needs [%s], missing or empty", env->command_text, missing);

	if (!cni_containerid_valid(env->containerid, strlen(env->containerid)))
		list_add(invalid, sizeof(invalid),
			 "CNI_CONTAINERID (1-1024 of [A-Za-z0-9_.-], starting with a letter or digit)");
	if (!cni_ifname_valid(env->ifname, strlen(env->ifname)))
		list_add(invalid, sizeof(invalid), "CNI_IFNAME (1-15 bytes, not \".\" or \"..\", no '/', ':' or white space)");
	/*
	 * a path, as the specification says: a namespace name under /run/netns is
	 * no CNI_NETNS.  DEL does not read it (the record names the namespace),
	 * so whatever DEL gets there cannot stop a clean-up.
	 */
	if (env->netns && (env->netns[0] != '/' || strlen(env->netns) > CNI_NETNS_MAX))
		list_add(invalid, sizeof(invalid), "CNI_NETNS (an absolute path to a network namespace)");
	if (invalid[0])
		return cni_fail(err, CNI_ERR_ENV, "invalid environment variables", "invalid: %s", invalid);

	if ((env->command == CNI_CMD_ADD || env->command == CNI_CMD_CHECK) && env->args_text) {
		r = cni_args_parse(env->args_text, strlen(env->args_text), &env->args, err);
		if (r)
			return r;
	}
	return 0;
}

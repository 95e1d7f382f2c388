/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests of vmtap-cni's parsers and builders: versions, environment, CNI_ARGS, configuration, prevResult, results, ids, SHA-256. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "cni.h"

static void assert_contains(const char *haystack, const char *needle)
{
	if (!strstr(haystack, needle))
		fail_msg("\"%s\" does not contain \"%s\"", haystack, needle);
}

/* ---- versions ---- */

static void test_versions(void **state)
{
	(void)state;
	assert_int_equal(cni_version_number("1.1.0"), 10100);
	assert_int_equal(cni_version_number("0.10.0"), 1000);
	assert_true(cni_version_at_least("0.10.0", "0.4.0"));
	assert_false(cni_version_at_least("0.3.1", "0.4.0"));
	assert_true(cni_version_at_least("1.0.0", "0.4.0"));
	assert_int_equal(cni_version_number("1.1"), -1);
	assert_int_equal(cni_version_number("1.1.0.0"), -1);
	assert_int_equal(cni_version_number("01.1.0"), -1);
	assert_int_equal(cni_version_number("1.1.0 "), -1);
	assert_int_equal(cni_version_number("-1.1.0"), -1);
	assert_int_equal(cni_version_number(""), -1);
	assert_int_equal(cni_version_number("99999.0.0"), -1);
	assert_true(cni_version_supported("0.3.0"));
	assert_true(cni_version_supported("1.1.0"));
	assert_false(cni_version_supported("0.2.0"));
	assert_false(cni_version_supported("1.2.0"));
	assert_false(cni_version_supported(NULL));
}

/* ---- environment ---- */

static const char *const *fake_env;

static const char *fake_getenv(const char *name)
{
	size_t n = strlen(name);

	for (const char *const *e = fake_env; *e; e++)
		if (!strncmp(*e, name, n) && (*e)[n] == '=')
			return *e + n + 1;
	return NULL;
}

static int env_with(const char *const *vars, struct cni_env *env, struct cni_error *err)
{
	fake_env = vars;
	memset(err, 0, sizeof(*err));
	return cni_env_load(env, fake_getenv, err);
}

static void test_env(void **state)
{
	struct cni_env env;
	struct cni_error err;
	(void)state;

	assert_int_equal(env_with((const char *[]){ NULL }, &env, &err), CNI_ERR_ENV);
	assert_contains(err.details, "CNI_COMMAND");
	assert_int_equal(env_with((const char *[]){ "CNI_COMMAND=", NULL }, &env, &err), CNI_ERR_ENV);
	assert_int_equal(env_with((const char *[]){ "CNI_COMMAND=add", NULL }, &env, &err), CNI_ERR_ENV);
	assert_contains(err.details, "none of ADD");
	/* VERSION reads nothing else; libcni's dummy values do not matter */
	assert_int_equal(env_with((const char *[]){ "CNI_COMMAND=VERSION", "CNI_NETNS=dummy", NULL }, &env, &err), 0);
	assert_int_equal(env.command, CNI_CMD_VERSION);
	/* every missing variable named at once, empty counts as missing */
	assert_int_equal(env_with((const char *[]){ "CNI_COMMAND=ADD", "CNI_NETNS=", NULL }, &env, &err), CNI_ERR_ENV);
	assert_contains(err.details, "CNI_CONTAINERID, CNI_NETNS, CNI_IFNAME");
	/* DEL needs no namespace, and does not read a bad one */
	assert_int_equal(env_with((const char *[]){ "CNI_COMMAND=DEL", "CNI_CONTAINERID=c1", "CNI_IFNAME=eth0",
						   "CNI_NETNS=dummy", NULL },
				  &env, &err),
			 0);
	assert_null(env.netns);
	assert_int_equal(env_with((const char *[]){ "CNI_COMMAND=ADD", "CNI_CONTAINERID=c1", "CNI_IFNAME=eth0",
						   "CNI_NETNS=dummy", NULL },
				  &env, &err),
			 CNI_ERR_ENV);
	assert_contains(err.details, "CNI_NETNS");
	assert_int_equal(env_with((const char *[]){ "CNI_COMMAND=ADD", "CNI_CONTAINERID=-c1", "CNI_IFNAME=eth0/x",
						   "CNI_NETNS=/run/netns/p", NULL },
				  &env, &err),
			 CNI_ERR_ENV);
	assert_contains(err.details, "CNI_CONTAINERID");
	assert_contains(err.details, "CNI_IFNAME");
	/* GC and STATUS get libcni's empty CNI_CONTAINERID */
	assert_int_equal(env_with((const char *[]){ "CNI_COMMAND=GC", "CNI_CONTAINERID=", NULL }, &env, &err), 0);
	assert_int_equal(env_with((const char *[]){ "CNI_COMMAND=STATUS", NULL }, &env, &err), 0);
	/* CNI_ARGS, read for ADD */
	assert_int_equal(env_with((const char *[]){ "CNI_COMMAND=ADD", "CNI_CONTAINERID=c1", "CNI_IFNAME=eth0",
						   "CNI_NETNS=/run/netns/p",
						   "CNI_ARGS=IgnoreUnknown=1;K8S_POD_NAME=x;VMTAP_QUEUES=4;VMTAP_TAP_NAME=tap0", NULL },
				  &env, &err),
			 0);
	assert_int_equal(env.args.queues, 4);
	assert_string_equal(env.args.tap_name, "tap0");
	assert_int_equal(env_with((const char *[]){ "CNI_COMMAND=ADD", "CNI_CONTAINERID=c1", "CNI_IFNAME=eth0",
						   "CNI_NETNS=/run/netns/p", "CNI_ARGS=VMTAP_QUEUES=0", NULL },
				  &env, &err),
			 CNI_ERR_ENV);
	assert_contains(err.details, "VMTAP_QUEUES");
}

static void test_names(void **state)
{
	char big[1100];
	(void)state;

	assert_true(cni_containerid_valid("a", 1));
	assert_true(cni_containerid_valid("0123abc_.-x", 11));
	assert_false(cni_containerid_valid("_a", 2));
	assert_false(cni_containerid_valid("a:b", 3));
	assert_false(cni_containerid_valid("", 0));
	memset(big, 'a', sizeof(big));
	assert_true(cni_containerid_valid(big, CNI_CONTAINERID_MAX));
	assert_false(cni_containerid_valid(big, CNI_CONTAINERID_MAX + 1));
	assert_true(cni_ifname_valid("eth0", 4));
	assert_true(cni_ifname_valid("net1@x%", 7));
	assert_false(cni_ifname_valid(".", 1));
	assert_false(cni_ifname_valid("..", 2));
	assert_false(cni_ifname_valid("a b", 3));
	assert_false(cni_ifname_valid("a:b", 3));
	assert_false(cni_ifname_valid("a/b", 3));
	assert_false(cni_ifname_valid("0123456789abcdef", 16));
	assert_true(cni_ifname_valid("0123456789abcde", 15));
	assert_false(cni_netname_valid(".net", 4));
	assert_true(cni_netname_valid("my-net.1", 8));
}

static int args(const char *s, struct cni_args *a, struct cni_error *err)
{
	memset(err, 0, sizeof(*err));
	return cni_args_parse(s, strlen(s), a, err);
}

static void test_args(void **state)
{
	struct cni_args a;
	struct cni_error err;
	(void)state;

	assert_int_equal(args("", &a, &err), 0);
	assert_false(a.has_tap_name);
	assert_int_equal(a.queues, 0);
	assert_int_equal(args(";;VMTAP_OWNER=4242;VMTAP_GROUP=0;", &a, &err), 0);
	assert_true(a.has_owner);
	assert_int_equal(a.owner, 4242);
	assert_true(a.has_group);
	assert_int_equal(a.group, 0);
	assert_int_equal(args("X=a=b;VMTAP_QUEUES=256", &a, &err), 0);
	assert_int_equal(a.queues, 256);
	assert_int_equal(args("VMTAP_QUEUES=257", &a, &err), CNI_ERR_ENV);
	assert_int_equal(args("VMTAP_QUEUES=4x", &a, &err), CNI_ERR_ENV);
	assert_int_equal(args("VMTAP_QUEUES=", &a, &err), CNI_ERR_ENV);
	assert_int_equal(args("VMTAP_OWNER=4294967295", &a, &err), CNI_ERR_ENV);
	assert_int_equal(args("VMTAP_OWNER=-1", &a, &err), CNI_ERR_ENV);
	assert_int_equal(args("VMTAP_GROUP=99999999999", &a, &err), CNI_ERR_ENV);
	assert_int_equal(args("VMTAP_TAP_NAME=0123456789abcdef", &a, &err), CNI_ERR_ENV);
	assert_int_equal(args("VMTAP_TAP_NAME=tap%d", &a, &err), CNI_ERR_ENV);
	assert_int_equal(args("VMTAP_TAP_NAME=", &a, &err), CNI_ERR_ENV);
	assert_int_equal(args("justakey", &a, &err), CNI_ERR_ENV);
	assert_contains(err.details, "KEY=VALUE");
	/* a key only matches whole: VMTAP_QUEUESX is someone else's */
	assert_int_equal(args("VMTAP_QUEUESX=zzz", &a, &err), 0);
	assert_int_equal(cni_args_parse("VMTAP_QUEUES=2\0;x", 17, &a, &err), CNI_ERR_ENV);
}

/* ---- configuration ---- */

static int conf(const char *text, enum cni_command cmd, struct cni_config *cfg, struct cni_error *err)
{
	memset(err, 0, sizeof(*err));
	return cni_config_parse(text, strlen(text), cmd, cfg, err);
}

/* a configuration with @keys spliced in must fail with @code naming @needle */
static void conf_bad(const char *keys, enum cni_command cmd, int code, const char *needle)
{
	char text[2048];
	struct cni_config cfg;
	struct cni_error err;

	snprintf(text, sizeof(text), "{\"cniVersion\":\"1.1.0\",\"name\":\"net\",\"type\":\"vmtap-cni\"%s%s}",
		 keys[0] ? "," : "", keys);
	if (conf(text, cmd, &cfg, &err) != code)
		fail_msg("%s: code %d (%s: %s), wanted %d", text, err.code, err.msg, err.details, code);
	if (!strstr(err.details, needle) && !strstr(err.msg, needle))
		fail_msg("%s: \"%s\" lacks \"%s\"", text, err.details, needle);
	/* a failed parse keeps the version for the error result, nothing else */
	assert_null(cfg.root);
}

static void test_config_good(void **state)
{
	struct cni_config cfg;
	struct cni_error err;
	(void)state;

	assert_int_equal(conf("{\"cniVersion\":\"1.0.0\",\"name\":\"n\"}", CNI_CMD_ADD, &cfg, &err), 0);
	assert_int_equal(cfg.queues, 1);
	assert_int_equal(cfg.mode, CNI_MODE_REDIRECT);
	assert_true(cfg.vnet_hdr);
	assert_string_equal(cfg.state_dir, "/run/vmtap");
	assert_null(cfg.prev_result);
	cni_config_free(&cfg);

	assert_int_equal(conf(" {\"cniVersion\":\"1.1.0\",\"name\":\"n\",\"type\":\"vmtap-cni\",\"queues\":4,"
			      "\"mode\":\"macvtap\",\"macvtapMode\":\"passthru\",\"vnetHdr\":false,\"mtu\":9000,"
			      "\"owner\":4242,\"group\":0,\"tapName\":\"tap0\",\"stateDir\":\"/tmp/x\","
			      "\"unknownKey\":[1,2,{}],\"prevResult\":{\"interfaces\":[]},\"runtimeConfig\":{}}\n\t",
			      CNI_CMD_ADD, &cfg, &err),
			 0);
	assert_int_equal(cfg.queues, 4);
	assert_int_equal(cfg.mode, CNI_MODE_MACVTAP);
	assert_string_equal(cni_macvtap_mode_name(cfg.macvtap_mode), "passthru");
	assert_false(cfg.vnet_hdr);
	assert_int_equal(cfg.mtu, 9000);
	assert_true(cfg.has_owner && cfg.owner == 4242);
	assert_true(cfg.has_group && cfg.group == 0);
	assert_string_equal(cfg.tap_name, "tap0");
	assert_string_equal(cfg.state_dir, "/tmp/x");
	assert_non_null(cfg.prev_result);
	assert_non_null(cfg.runtime_config);
	cni_config_free(&cfg);

	/* runtimeConfig.mac: the guest's MAC, in redirect mode */
	assert_int_equal(conf("{\"cniVersion\":\"0.4.0\",\"name\":\"n\",\"runtimeConfig\":{\"mac\":\"02:00:00:00:00:01\"}}",
			      CNI_CMD_ADD, &cfg, &err),
			 0);
	assert_true(cfg.has_runtime_mac);
	assert_int_equal(cfg.runtime_mac[5], 1);
	cni_config_free(&cfg);

	/* GC: the union of both lists */
	assert_int_equal(conf("{\"cniVersion\":\"1.1.0\",\"name\":\"n\",\"cni.dev/valid-attachments\":[{\"containerID\":\"a\","
			      "\"ifname\":\"eth0\"}],\"cni.dev/attachments\":[{\"containerID\":\"b\",\"ifname\":\"net1\"}]}",
			      CNI_CMD_GC, &cfg, &err),
			 0);
	assert_true(cfg.has_attachments);
	assert_int_equal(cfg.n_attachments, 2);
	assert_true(cni_config_attachment_valid(&cfg, "a", "eth0"));
	assert_true(cni_config_attachment_valid(&cfg, "b", "net1"));
	assert_false(cni_config_attachment_valid(&cfg, "a", "net1"));
	cni_config_free(&cfg);
}

static void test_config_bad(void **state)
{
	struct cni_config cfg;
	struct cni_error err;
	(void)state;

	/* not JSON, or not one object: 6 */
	assert_int_equal(conf("", CNI_CMD_ADD, &cfg, &err), CNI_ERR_DECODE);
	assert_int_equal(conf("  \n", CNI_CMD_ADD, &cfg, &err), CNI_ERR_DECODE);
	assert_int_equal(conf("{\"cniVersion\":\"1.0.0\"", CNI_CMD_ADD, &cfg, &err), CNI_ERR_DECODE);
	assert_int_equal(conf("{\"cniVersion\":\"1.0.0\",\"name\":\"n\"} {}", CNI_CMD_ADD, &cfg, &err), CNI_ERR_DECODE);
	assert_int_equal(conf("[1]", CNI_CMD_ADD, &cfg, &err), CNI_ERR_DECODE);
	assert_int_equal(conf("{'cniVersion':'1.0.0'}", CNI_CMD_ADD, &cfg, &err), CNI_ERR_DECODE);
	assert_int_equal(conf("{\"cniVersion\":\"1.0.0\",\"name\":\"n\",}", CNI_CMD_ADD, &cfg, &err), CNI_ERR_DECODE);
	assert_int_equal(conf("{\"name\":\"\xff\xfe\"}", CNI_CMD_ADD, &cfg, &err), CNI_ERR_DECODE);
	{
		char deep[400];
		memset(deep, '[', sizeof(deep));
		assert_int_equal(cni_config_parse(deep, sizeof(deep), CNI_CMD_ADD, &cfg, &err), CNI_ERR_DECODE);
	}
	/* versions: 1 */
	assert_int_equal(conf("{\"name\":\"n\"}", CNI_CMD_ADD, &cfg, &err), CNI_ERR_VERSION);
	assert_int_equal(conf("{\"cniVersion\":\"0.2.0\",\"name\":\"n\"}", CNI_CMD_ADD, &cfg, &err), CNI_ERR_VERSION);
	assert_false(cfg.version_given);
	assert_int_equal(conf("{\"cniVersion\":\"0.3.1\",\"name\":\"n\"}", CNI_CMD_CHECK, &cfg, &err), CNI_ERR_VERSION);
	assert_true(cfg.version_given); /* a supported version is kept for the error result */
	assert_string_equal(cfg.cni_version, "0.3.1");
	assert_int_equal(conf("{\"cniVersion\":\"1.0.0\",\"name\":\"n\"}", CNI_CMD_GC, &cfg, &err), CNI_ERR_VERSION);
	assert_int_equal(conf("{\"cniVersion\":\"1.0.0\",\"name\":\"n\"}", CNI_CMD_STATUS, &cfg, &err), CNI_ERR_VERSION);
	assert_int_equal(conf("{\"cniVersion\":1,\"name\":\"n\"}", CNI_CMD_ADD, &cfg, &err), CNI_ERR_CONFIG);
	/* keys: 7, naming the key */
	assert_int_equal(conf("{\"cniVersion\":\"1.0.0\"}", CNI_CMD_ADD, &cfg, &err), CNI_ERR_CONFIG);
	assert_contains(err.details, "missing network name");
	conf_bad("\"name\":\"-x\"", CNI_CMD_ADD, CNI_ERR_CONFIG, "network name");
	conf_bad("\"name\":\"a\\u0000b\"", CNI_CMD_ADD, CNI_ERR_CONFIG, "name");
	conf_bad("\"type\":3", CNI_CMD_ADD, CNI_ERR_CONFIG, "type");
	conf_bad("\"queues\":0", CNI_CMD_ADD, CNI_ERR_CONFIG, "queues");
	conf_bad("\"queues\":257", CNI_CMD_ADD, CNI_ERR_CONFIG, "queues");
	conf_bad("\"queues\":4.0", CNI_CMD_ADD, CNI_ERR_CONFIG, "queues");
	conf_bad("\"queues\":\"4\"", CNI_CMD_ADD, CNI_ERR_CONFIG, "queues");
	conf_bad("\"queues\":99999999999999999999999", CNI_CMD_ADD, CNI_ERR_CONFIG, "queues");
	conf_bad("\"mode\":\"bridge\"", CNI_CMD_ADD, CNI_ERR_CONFIG, "mode");
	conf_bad("\"mode\":null", CNI_CMD_ADD, CNI_ERR_CONFIG, "mode");
	conf_bad("\"macvtapMode\":\"vepa\"", CNI_CMD_ADD, CNI_ERR_CONFIG, "for \"mode\": \"macvtap\" only");
	conf_bad("\"mode\":\"macvtap\",\"macvtapMode\":\"source\"", CNI_CMD_ADD, CNI_ERR_CONFIG, "macvtapMode");
	conf_bad("\"vnetHdr\":1", CNI_CMD_ADD, CNI_ERR_CONFIG, "vnetHdr");
	conf_bad("\"mtu\":67", CNI_CMD_ADD, CNI_ERR_CONFIG, "mtu");
	conf_bad("\"mtu\":65536", CNI_CMD_ADD, CNI_ERR_CONFIG, "mtu");
	conf_bad("\"owner\":-1", CNI_CMD_ADD, CNI_ERR_CONFIG, "owner");
	conf_bad("\"group\":4294967295", CNI_CMD_ADD, CNI_ERR_CONFIG, "group");
	conf_bad("\"owner\":\"root\"", CNI_CMD_ADD, CNI_ERR_CONFIG, "owner");
	conf_bad("\"tapName\":\"0123456789abcdef\"", CNI_CMD_ADD, CNI_ERR_CONFIG, "tapName");
	conf_bad("\"tapName\":\"a/b\"", CNI_CMD_ADD, CNI_ERR_CONFIG, "tapName");
	conf_bad("\"stateDir\":\"run/vmtap\"", CNI_CMD_ADD, CNI_ERR_CONFIG, "stateDir");
	conf_bad("\"stateDir\":\"/run/\\nvmtap\"", CNI_CMD_ADD, CNI_ERR_CONFIG, "stateDir");
	conf_bad("\"prevResult\":[]", CNI_CMD_ADD, CNI_ERR_CONFIG, "prevResult");
	conf_bad("\"runtimeConfig\":\"x\"", CNI_CMD_ADD, CNI_ERR_CONFIG, "runtimeConfig");
	conf_bad("\"runtimeConfig\":{\"mac\":\"01:00:5e:00:00:01\"}", CNI_CMD_ADD, CNI_ERR_CONFIG, "mac");
	conf_bad("\"mode\":\"macvtap\",\"runtimeConfig\":{\"mac\":\"02:00:00:00:00:01\"}", CNI_CMD_ADD, CNI_ERR_CONFIG,
		 "macvtap");
	conf_bad("\"cni.dev/valid-attachments\":{}", CNI_CMD_GC, CNI_ERR_CONFIG, "must be an array");
	conf_bad("\"cni.dev/attachments\":[{\"containerID\":\"a\"}]", CNI_CMD_GC, CNI_ERR_CONFIG, "ifname");
	conf_bad("\"cni.dev/attachments\":[\"a\"]", CNI_CMD_GC, CNI_ERR_CONFIG, "containerID");
}

/* ---- prevResult and results ---- */

static json_object *parse(const char *text)
{
	json_object *o = json_tokener_parse(text);

	assert_non_null(o);
	return o;
}

static const char bridge_result[] =
	"{\"cniVersion\":\"1.1.0\",\"interfaces\":[{\"name\":\"cni0\",\"mac\":\"aa:00:00:00:00:01\"},"
	"{\"name\":\"veth1\",\"mac\":\"aa:00:00:00:00:02\"},"
	"{\"name\":\"eth0\",\"mac\":\"aa:00:00:00:00:03\",\"sandbox\":\"/run/netns/p1\"}],"
	"\"ips\":[{\"address\":\"10.1.0.5/16\",\"gateway\":\"10.1.0.1\",\"interface\":2}],"
	"\"routes\":[{\"dst\":\"0.0.0.0/0\"}],\"dns\":{\"nameservers\":[\"10.1.0.1\"]},\"extra\":{\"x\":1}}";

static void test_prev_find(void **state)
{
	struct cni_prev_iface pi;
	struct cni_error err;
	json_object *prev = parse(bridge_result);
	(void)state;

	assert_int_equal(cni_prev_validate(prev, &err), 0);
	assert_int_equal(cni_prev_find_iface(prev, "eth0", "/run/netns/p1", &pi, &err), 0);
	assert_int_equal(pi.index, 2);
	assert_string_equal(pi.mac, "aa:00:00:00:00:03");
	assert_true(pi.owns_unindexed_ips);
	assert_int_equal(cni_prev_find_iface(prev, "eth0", "/run/netns/p2", &pi, &err), CNI_ERR_CONFIG);
	assert_contains(err.details, "not in CNI_NETNS");
	assert_int_equal(cni_prev_find_iface(prev, "net1", "/run/netns/p1", &pi, &err), CNI_ERR_CONFIG);
	assert_contains(err.details, "no interface net1");
	/* the host-side veth has the right name but no sandbox: not the one */
	assert_int_equal(cni_prev_find_iface(prev, "veth1", "/run/netns/p1", &pi, &err), CNI_ERR_CONFIG);
	json_object_put(prev);

	/* malformed parts */
	prev = parse("{\"interfaces\":{}}");
	assert_int_equal(cni_prev_validate(prev, &err), CNI_ERR_CONFIG);
	json_object_put(prev);
	prev = parse("{\"interfaces\":[{\"name\":1}]}");
	assert_int_equal(cni_prev_validate(prev, &err), CNI_ERR_CONFIG);
	json_object_put(prev);
	prev = parse("{\"interfaces\":[{\"name\":\"eth0\"}],\"ips\":[{\"address\":\"10.0.0.1/8\",\"interface\":1}]}");
	assert_int_equal(cni_prev_validate(prev, &err), CNI_ERR_CONFIG);
	assert_contains(err.details, "not an index");
	json_object_put(prev);
	prev = parse("{\"interfaces\":[{\"name\":\"eth0\"}],\"ips\":[{\"address\":\"10.0.0.1/8\",\"interface\":-1}]}");
	assert_int_equal(cni_prev_validate(prev, &err), CNI_ERR_CONFIG);
	json_object_put(prev);
	prev = parse("{\"interfaces\":[{\"name\":\"eth0\"}],\"ips\":[{\"gateway\":\"10.0.0.1\"}]}");
	assert_int_equal(cni_prev_validate(prev, &err), CNI_ERR_CONFIG);
	assert_contains(err.details, "address");
	json_object_put(prev);
}

static const struct cni_added *added(const struct cni_prev_iface *pi, const char *new_mac)
{
	static struct cni_added a;

	a = (struct cni_added){ .tap_name = "tap0", .tap_mac = "fe:00:00:00:00:03", .mtu = 1450,
				.guest_mac = "aa:00:00:00:00:03", .netns = "/run/netns/p1", .containerid = "c1",
				.iface = pi, .iface_new_mac = new_mac };
	return &a;
}

static json_object *build(const char *prev_text, const char *version, const char *new_mac)
{
	struct cni_prev_iface pi;
	struct cni_error err;
	json_object *prev = parse(prev_text), *res;
	char *text;

	assert_int_equal(cni_prev_validate(prev, &err), 0);
	assert_int_equal(cni_prev_find_iface(prev, "eth0", "/run/netns/p1", &pi, &err), 0);
	text = cni_result_build(prev, version, added(&pi, new_mac));
	assert_non_null(text);
	res = parse(text);
	free(text);
	json_object_put(prev);
	return res;
}

static json_object *at(json_object *o, const char *key, int idx)
{
	json_object *v = NULL;

	assert_true(json_object_object_get_ex(o, key, &v));
	if (idx >= 0) {
		assert_true((size_t)idx < json_object_array_length(v));
		v = json_object_array_get_idx(v, (size_t)idx);
	}
	return v;
}

static const char *str(json_object *o, const char *key)
{
	json_object *v;

	if (!json_object_object_get_ex(o, key, &v))
		return NULL;
	return json_object_get_string(v);
}

static void test_result_1_1(void **state)
{
	json_object *res = build(bridge_result, "1.1.0", NULL), *tap, *vm, *ip, *v;
	(void)state;

	assert_string_equal(str(res, "cniVersion"), "1.1.0");
	assert_int_equal(json_object_array_length(at(res, "interfaces", -1)), 5);
	tap = at(res, "interfaces", 3);
	assert_string_equal(str(tap, "name"), "tap0");
	assert_string_equal(str(tap, "mac"), "fe:00:00:00:00:03");
	assert_string_equal(str(tap, "sandbox"), "/run/netns/p1");
	assert_int_equal(json_object_get_int(at(tap, "mtu", -1)), 1450);
	vm = at(res, "interfaces", 4);
	assert_string_equal(str(vm, "name"), "tap0");
	assert_string_equal(str(vm, "mac"), "aa:00:00:00:00:03");
	assert_string_equal(str(vm, "sandbox"), "c1");
	/* eth0's address stays, a copy points at the VM */
	assert_int_equal(json_object_array_length(at(res, "ips", -1)), 2);
	ip = at(res, "ips", 0);
	assert_int_equal(json_object_get_int(at(ip, "interface", -1)), 2);
	ip = at(res, "ips", 1);
	assert_string_equal(str(ip, "address"), "10.1.0.5/16");
	assert_string_equal(str(ip, "gateway"), "10.1.0.1");
	assert_int_equal(json_object_get_int(at(ip, "interface", -1)), 4);
	/* everything else passed on */
	assert_string_equal(str(at(res, "routes", 0), "dst"), "0.0.0.0/0");
	assert_true(json_object_object_get_ex(res, "dns", &v));
	assert_true(json_object_object_get_ex(res, "extra", &v));
	assert_string_equal(str(at(res, "interfaces", 2), "mac"), "aa:00:00:00:00:03");
	json_object_put(res);
}

static void test_result_versions(void **state)
{
	static const char prev040[] =
		"{\"cniVersion\":\"0.4.0\",\"interfaces\":[{\"name\":\"eth0\",\"mac\":\"aa:00:00:00:00:03\","
		"\"sandbox\":\"/run/netns/p1\"}],\"ips\":[{\"version\":\"4\",\"address\":\"10.1.0.5/16\",\"interface\":0},"
		"{\"version\":\"6\",\"address\":\"fd00::5/64\",\"interface\":0}]}";
	json_object *res, *v;
	(void)state;

	/* before 1.1.0 there is no interface mtu; before 1.0.0 ips carry "version", copied along */
	static const char *const older[] = { "1.0.0", "0.4.0", "0.3.1", "0.3.0" };
	for (size_t i = 0; i < sizeof(older) / sizeof(older[0]); i++) {
		res = build(prev040, older[i], NULL);
		assert_string_equal(str(res, "cniVersion"), older[i]);
		assert_false(json_object_object_get_ex(at(res, "interfaces", 1), "mtu", &v));
		assert_false(json_object_object_get_ex(at(res, "interfaces", 2), "mtu", &v));
		assert_int_equal(json_object_array_length(at(res, "ips", -1)), 4);
		assert_string_equal(str(at(res, "ips", 2), "version"), "4");
		assert_string_equal(str(at(res, "ips", 3), "version"), "6");
		assert_int_equal(json_object_get_int(at(at(res, "ips", 3), "interface", -1)), 2);
		json_object_put(res);
	}
}

static void test_result_unindexed(void **state)
{
	/* Cilium's shape (tc-redirect-tap #7): one interface in the container, ips without "interface" */
	static const char cilium[] =
		"{\"cniVersion\":\"0.3.1\",\"interfaces\":[{\"name\":\"eth0\",\"mac\":\"c6:28:3f:e7:71:34\","
		"\"sandbox\":\"/run/netns/p1\"}],\"ips\":[{\"version\":\"4\",\"address\":\"10.14.199.37/32\","
		"\"gateway\":\"10.14.24.19\"}],\"routes\":[{\"dst\":\"0.0.0.0/0\",\"gw\":\"10.14.24.19\"}]}";
	/* two interfaces in the container: an address without index could be either's: left alone */
	static const char two[] =
		"{\"cniVersion\":\"1.0.0\",\"interfaces\":[{\"name\":\"eth0\",\"sandbox\":\"/run/netns/p1\"},"
		"{\"name\":\"net1\",\"sandbox\":\"/run/netns/p1\"}],\"ips\":[{\"address\":\"10.0.0.2/24\"},"
		"{\"address\":\"10.0.1.2/24\",\"interface\":0},{\"address\":\"10.0.2.2/24\",\"interface\":1}]}";
	json_object *res;
	(void)state;

	res = build(cilium, "0.3.1", NULL);
	assert_int_equal(json_object_array_length(at(res, "ips", -1)), 2);
	assert_string_equal(str(at(res, "ips", 1), "address"), "10.14.199.37/32");
	assert_int_equal(json_object_get_int(at(at(res, "ips", 1), "interface", -1)), 2);
	json_object_put(res);

	res = build(two, "1.0.0", NULL);
	assert_int_equal(json_object_array_length(at(res, "ips", -1)), 4);
	assert_string_equal(str(at(res, "ips", 3), "address"), "10.0.1.2/24");
	assert_int_equal(json_object_get_int(at(at(res, "ips", 3), "interface", -1)), 3);
	json_object_put(res);
}

static void test_result_macvtap(void **state)
{
	/* macvtap: CNI_IFNAME's MAC went to the guest; its entry says what it has now */
	json_object *res = build(bridge_result, "1.0.0", "06:11:22:33:44:55");
	(void)state;

	assert_string_equal(str(at(res, "interfaces", 2), "mac"), "06:11:22:33:44:55");
	assert_string_equal(str(at(res, "interfaces", 4), "mac"), "aa:00:00:00:00:03");
	json_object_put(res);
}

/* ---- ids, labels, SHA-256 ---- */

static void test_ids(void **state)
{
	char id[VMTAP_ID_MAX + 1], id2[VMTAP_ID_MAX + 1], label[CNI_LABEL_MAX + 1], cid[CNI_LABEL_MAX + 1],
		ifn[VMTAP_IFNAMSIZ], big[300];
	(void)state;

	cni_endpoint_id("0123456789abcdef0123", "eth0", id);
	/* printf '0123456789abcdef0123\0eth0' | sha256sum */
	assert_string_equal(id, "cni-0123456789ab-da431f4b663b22a4");
	assert_int_equal(vmtap_endpoint_id_validate(id), 0);
	cni_endpoint_id("a", "eth0", id);
	/* a short container id: all of it, then the hash */
	assert_int_equal(strlen(id), 4 + 1 + 1 + 16);
	assert_int_equal(strncmp(id, "cni-a-", 6), 0);
	assert_int_equal(vmtap_endpoint_id_validate(id), 0);
	/* the separator keeps ("ab", "c") and ("a", "bc") apart */
	cni_endpoint_id("ab", "c", id);
	cni_endpoint_id("a", "bc", id2);
	assert_string_not_equal(id, id2);
	cni_endpoint_id("c1", "net@1%x", id);
	assert_int_equal(vmtap_endpoint_id_validate(id), 0);

	assert_int_equal(cni_label_format(label, "net", "c1", "eth0"), 0);
	assert_string_equal(label, "cni:net:c1:eth0");
	assert_int_equal(cni_label_parse(label, strlen(label), "net", cid, ifn), 0);
	assert_string_equal(cid, "c1");
	assert_string_equal(ifn, "eth0");
	assert_int_equal(cni_label_parse(label, strlen(label), "ne", cid, ifn), -EINVAL);
	assert_int_equal(cni_label_parse(label, strlen(label), "net2", cid, ifn), -EINVAL);
	assert_int_equal(cni_label_parse("cni:net:c1", 10, "net", cid, ifn), -EINVAL);
	assert_int_equal(cni_label_parse("cni:net::eth0", 13, "net", cid, ifn), -EINVAL);
	assert_int_equal(cni_label_parse("cni:net:c1:", 11, "net", cid, ifn), -EINVAL);
	assert_int_equal(cni_label_parse("cni:net:c1:a:b", 14, "net", cid, ifn), -EINVAL);
	assert_int_equal(cni_label_parse("vm:net:c1:eth0", 14, "net", cid, ifn), -EINVAL);
	memset(big, 'a', sizeof(big));
	big[250] = '\0';
	assert_int_equal(cni_label_format(label, "net", big, "eth0"), -ENAMETOOLONG);
	big[240] = '\0';
	assert_int_equal(cni_label_format(label, "net", big, "eth0"), 0);
	assert_int_equal(strlen(label), 4 + 3 + 1 + 240 + 1 + 4);
}

static void test_sha256(void **state)
{
	static const struct {
		size_t n;
		const char *hex;
	} vec[] = {
		{ 0, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" },
		{ 3, "6ab0dba1f4f1dfbb37b4f9eeb092c09fca4900ad32bdcd147d8dde35d6c87c35" },
		{ 55, "e7313d333c272e639f790978283f9eb392e843d0f29b7016828bb1daa4aac70b" },
		{ 56, "4324d65f3c103567f5589c710bc08f8523f929a9272e3af36fc968e52abc6c27" },
		{ 63, "81c80242132f230c3bd41b3e63bbcff16107339549214a99614ff26664625055" },
		{ 64, "39e3d7b6b5d075d37d053ad89b24b41bef4f3c29760c84447cab3f3be1882241" },
		{ 119, "9ce7368e4daf32341631b492e80359dc9f594b48453cd0dd5bf0b19279cc177e" },
		{ 120, "7836b787757e95e58b3ca5aec90b1b004e8deba1e50e9675af9cabf1a13a04b5" },
		{ 1000, "1e9bc38cbf860b9ec31918b065f9b52476c549a782e0e7990bed8ce3868d2371" },
	};
	uint8_t data[1000], out[32];
	char hex[65];
	(void)state;

	/* bytes (i*7+3) & 0xff; digests from Python's hashlib */
	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(i * 7 + 3);
	for (size_t v = 0; v < sizeof(vec) / sizeof(vec[0]); v++) {
		cni_sha256(data, vec[v].n, out);
		for (int i = 0; i < 32; i++)
			snprintf(hex + 2 * i, 3, "%02x", out[i]);
		assert_string_equal(hex, vec[v].hex);
	}
	cni_sha256("abc", 3, out);
	assert_int_equal(out[0], 0xba);
	assert_int_equal(out[31], 0xad);
}

static void test_error_json(void **state)
{
	struct cni_error err;
	char *text;
	json_object *o;
	(void)state;

	cni_fail(&err, CNI_ERR_CONFIG, "invalid network configuration", "\"queues\" is %s", "\"quoted\"\n");
	text = cni_error_json(&err, "0.4.0");
	assert_non_null(text);
	o = parse(text);
	assert_string_equal(str(o, "cniVersion"), "0.4.0");
	assert_int_equal(json_object_get_int(at(o, "code", -1)), 7);
	assert_string_equal(str(o, "msg"), "invalid network configuration");
	assert_string_equal(str(o, "details"), "\"queues\" is \"quoted\"\n");
	json_object_put(o);
	free(text);
	assert_int_equal(cni_code_for_errno(-EBUSY, "lock"), CNI_ERR_TRY_AGAIN);
	assert_int_equal(cni_code_for_errno(-EBUSY, "create device"), CNI_ERR_INTERNAL);
	assert_int_equal(cni_code_for_errno(-EPERM, "create"), CNI_ERR_PERMISSION);
	assert_int_equal(cni_code_for_errno(-EINVAL, "validate"), CNI_ERR_CONFIG);
	assert_int_equal(cni_code_for_errno(-EINVAL, "set mtu"), CNI_ERR_INTERNAL);
	assert_int_equal(cni_code_for_errno(-EIO, "x"), CNI_ERR_INTERNAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_versions),     cmocka_unit_test(test_env),
		cmocka_unit_test(test_names),        cmocka_unit_test(test_args),
		cmocka_unit_test(test_config_good),  cmocka_unit_test(test_config_bad),
		cmocka_unit_test(test_prev_find),    cmocka_unit_test(test_result_1_1),
		cmocka_unit_test(test_result_versions), cmocka_unit_test(test_result_unindexed),
		cmocka_unit_test(test_result_macvtap), cmocka_unit_test(test_ids),
		cmocka_unit_test(test_sha256),       cmocka_unit_test(test_error_json),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

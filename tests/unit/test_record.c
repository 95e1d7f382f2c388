/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests of endpoint records: every connection's fields written and read back, and what the reader refuses. */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "state.h"
#include "validate.h"

static struct vt_record base(const char *id)
{
	struct vt_record r = { 0 };

	snprintf(r.id, sizeof(r.id), "%s", id);
	r.state = VMTAP_EP_READY;
	r.pid = 42;
	snprintf(r.ifname, sizeof(r.ifname), "vmt0");
	r.ifindex = 7;
	r.queues = 4;
	r.vnet_hdr = true;
	memcpy(r.guest_mac, ((uint8_t[]){ 0x0a, 0x58, 0x0a, 0x58, 0, 2 }), 6);
	memcpy(r.host_mac, ((uint8_t[]){ 0xfe, 0x58, 0x0a, 0x58, 0, 2 }), 6);
	snprintf(r.netns, sizeof(r.netns), "pod1");
	r.netns_id.dev = 4;
	r.netns_id.ino = 4026532000;
	return r;
}

/* Format @in, parse it back, and compare field by field through a second formatting. */
static void round_trip(const struct vt_record *in)
{
	struct vt_record out;
	char *text = NULL, *again = NULL, err[256] = "";

	assert_int_equal(vt_record_format(in, &text), 0);
	if (vt_record_parse(text, strlen(text), &out, err, sizeof(err)) < 0)
		fail_msg("%s: %s", err, text);
	assert_int_equal(vt_record_format(&out, &again), 0);
	assert_string_equal(text, again);
	assert_int_equal(out.connection, in->connection);
	assert_string_equal(out.link_dev, in->link_dev);
	assert_int_equal(out.link_ifindex, in->link_ifindex);
	assert_int_equal(out.tc_prio, in->tc_prio);
	assert_int_equal(out.tc_tap_handle, in->tc_tap_handle);
	assert_int_equal(out.tc_dev_handle, in->tc_dev_handle);
	assert_int_equal(out.dev_qdisc, in->dev_qdisc);
	assert_int_equal(out.macvtap_mode, in->macvtap_mode);
	assert_int_equal(out.keep_parent, in->keep_parent);
	assert_string_equal(out.label, in->label);
	assert_int_equal(out.ephemeral, in->ephemeral);
	assert_int_equal(out.has_parent_mac, in->has_parent_mac);
	assert_memory_equal(out.parent_mac, in->parent_mac, 6);
	assert_string_equal(out.parent_ip, in->parent_ip);
	free(text);
	free(again);
}

static void test_round_trips(void **state)
{
	struct vt_record r = base("plain");

	(void)state;
	round_trip(&r);
	r.connection = VMTAP_CONNECT_BRIDGE;
	snprintf(r.bridge, sizeof(r.bridge), "br0");
	round_trip(&r);

	r = base("redir");
	r.connection = VMTAP_CONNECT_REDIRECT;
	snprintf(r.link_dev, sizeof(r.link_dev), "eth0");
	r.link_ifindex = 2;
	r.tc_prio = VMTAP_TC_PRIO_DEFAULT;
	r.tc_tap_handle = 0x800800;
	r.tc_dev_handle = 0x801800;
	for (int q = VT_QDISC_UNKNOWN; q <= VT_QDISC_OURS; q++) {
		r.dev_qdisc = (enum vt_qdisc_origin)q;
		round_trip(&r);
	}
	snprintf(r.label, sizeof(r.label), "cni:net1:0123456789abcdef:eth0 \xc3\xa9t\xc3\xa9");
	r.ephemeral = true;
	round_trip(&r);

	r = base("mvt");
	r.connection = VMTAP_CONNECT_MACVTAP;
	snprintf(r.link_dev, sizeof(r.link_dev), "eth0");
	for (int m = VMTAP_MACVTAP_BRIDGE; m <= VMTAP_MACVTAP_PASSTHRU; m++) {
		r.macvtap_mode = (enum vmtap_macvtap_mode)m;
		r.keep_parent = m & 1;
		round_trip(&r);
	}
	/* the parent's MAC and addresses, taken by the guest, kept to be given back */
	r.keep_parent = false;
	r.macvtap_mode = VMTAP_MACVTAP_BRIDGE;
	r.has_parent_mac = true;
	memcpy(r.parent_mac, ((uint8_t[]){ 0x0a, 0x58, 0x0a, 0x58, 0, 2 }), 6);
	snprintf(r.parent_ip, sizeof(r.parent_ip), "%s",
		 "{\"addresses\":[{\"family\":\"inet\",\"local\":\"10.9.0.2\",\"prefixlen\":24,\"scope\":0,"
		 "\"flags\":128,\"label\":\"eth0\"}],\"routes\":[{\"family\":\"inet\",\"dst_len\":0,"
		 "\"gateway\":\"10.9.0.1\",\"table\":254,\"protocol\":3,\"scope\":0,\"type\":1}]}");
	round_trip(&r);
}

/* Replace the first @from in @text by @to (in place, @text has room). */
static void edit(char *text, size_t size, const char *from, const char *to)
{
	char *p = strstr(text, from), tail[8192];

	if (!p)
		fail_msg("\"%s\" not in %s", from, text);
	snprintf(tail, sizeof(tail), "%s", p + strlen(from));
	snprintf(p, size - (size_t)(p - text), "%s%s", to, tail);
}

static void test_refused(void **state)
{
	static const struct {
		enum vmtap_connection conn;
		const char *from, *to, *says;
	} cases[] = {
		{ VMTAP_CONNECT_REDIRECT, "\"tc_prio\":30317", "\"tc_prio\":0", "tc_prio" },
		{ VMTAP_CONNECT_REDIRECT, "\"tc_prio\":30317", "\"tc_prio\":65536", "tc_prio" },
		{ VMTAP_CONNECT_REDIRECT, "\"tc_prio\":30317", "\"tc_prio\":\"1\"", "tc_prio" },
		{ VMTAP_CONNECT_REDIRECT, "\"device\":\"eth0\"", "\"device\":\"a/b\"", "device" },
		{ VMTAP_CONNECT_REDIRECT, "\"device_qdisc\":\"ours\"", "\"device_qdisc\":\"mine\"", "device_qdisc" },
		{ VMTAP_CONNECT_REDIRECT, "\"device_filter\":8394752", "\"device_filter\":-1", "device_filter" },
		{ VMTAP_CONNECT_REDIRECT, "\"link\":{", "\"lnk\":{", "no \"link\"" },
		{ VMTAP_CONNECT_REDIRECT, "\"type\":\"redirect\"", "\"type\":\"tcfilter\"", "type" },
		{ VMTAP_CONNECT_MACVTAP, "\"mode\":\"bridge\"", "\"mode\":\"source\"", "mode" },
		{ VMTAP_CONNECT_MACVTAP, "\"keep_parent\":false", "\"keep_parent\":0", "keep_parent" },
		{ VMTAP_CONNECT_MACVTAP, "\"parent\":\"eth0\"", "\"parent\":\"\"", "parent" },
		{ VMTAP_CONNECT_MACVTAP, "\"link\":{", "\"link\":{\"parent_mac\":\"01:00:5e:00:00:01\",", "parent_mac" },
		{ VMTAP_CONNECT_MACVTAP, "\"link\":{", "\"link\":{\"parent_ip\":{\"addresses\":7},", "parent_ip" },
		{ VMTAP_CONNECT_MACVTAP, "\"link\":{", "\"link\":{\"parent_ip\":{\"addresses\":[{\"family\":\"inet\","
		  "\"local\":\"10.9.0.2\",\"prefixlen\":33,\"scope\":0,\"flags\":0}],\"routes\":[]},", "parent_ip" },
		{ VMTAP_CONNECT_NONE, "\"connection\":{\"type\":\"none\"}",
		  "\"connection\":{\"type\":\"none\"},\"label\":\"a\\u0007b\"", "label" },
		{ VMTAP_CONNECT_NONE, "\"connection\":{\"type\":\"none\"}",
		  "\"connection\":{\"type\":\"none\"},\"label\":\"\"", "label" },
		{ VMTAP_CONNECT_NONE, "\"connection\":{\"type\":\"none\"}",
		  "\"connection\":{\"type\":\"none\"},\"ephemeral\":1", "ephemeral" },
		{ VMTAP_CONNECT_NONE, "\"device\":{", "\"link\":{\"ifindex\":1},\"device\":{", "without a redirect" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct vt_record r = base("x"), out;
		char *text, buf[8192], err[256] = "";

		r.connection = cases[i].conn;
		snprintf(r.link_dev, sizeof(r.link_dev), "eth0");
		r.tc_prio = cases[i].conn == VMTAP_CONNECT_REDIRECT ? VMTAP_TC_PRIO_DEFAULT : 0;
		r.tc_dev_handle = 0x801800;
		r.dev_qdisc = VT_QDISC_OURS;
		assert_int_equal(vt_record_format(&r, &text), 0);
		/* pretty-printed: the cases are written without white space, which no value here holds */
		{
			size_t o = 0;
			for (const char *p = text; *p && o < sizeof(buf) - 1; p++)
				if (*p != ' ' && *p != '\n')
					buf[o++] = *p;
			buf[o] = '\0';
		}
		free(text);
		edit(buf, sizeof(buf), cases[i].from, cases[i].to);
		if (vt_record_parse(buf, strlen(buf), &out, err, sizeof(err)) == 0)
			fail_msg("case %zu accepted: %s", i, buf);
		if (!strstr(err, cases[i].says))
			fail_msg("case %zu: \"%s\" does not mention %s", i, err, cases[i].says);
	}
}

static void test_utf8_and_labels(void **state)
{
	static const char *const good[] = { "", "abc", "\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x98\x80", "\xef\xbf\xbd" };
	static const char *const bad[] = {
		"\x80", "\xc0\xaf",             /* overlong '/' */
		"\xe0\x80\xaf", "\xed\xa0\x80", /* surrogate */
		"\xf4\x90\x80\x80",             /* above U+10FFFF */
		"\xc3", "\xe2\x82", "\xf5\x80\x80\x80", "\xff",
	};
	char longest[VMTAP_LABEL_MAX + 2];

	(void)state;
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		assert_true(vt_utf8_valid(good[i], strlen(good[i])));
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (vt_utf8_valid(bad[i], strlen(bad[i])))
			fail_msg("bad case %zu taken for UTF-8", i);
	assert_int_equal(vt_label_check(NULL, "cni:net:c0ffee:eth0"), 0);
	assert_int_equal(vt_label_check(NULL, "tab\there"), -EINVAL);
	assert_int_equal(vt_label_check(NULL, "\xc0\xaf"), -EINVAL);
	memset(longest, 'a', sizeof(longest));
	longest[VMTAP_LABEL_MAX] = '\0';
	assert_int_equal(vt_label_check(NULL, longest), 0);
	longest[VMTAP_LABEL_MAX] = 'a';
	longest[VMTAP_LABEL_MAX + 1] = '\0';
	assert_int_equal(vt_label_check(NULL, longest), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trips),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_utf8_and_labels),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

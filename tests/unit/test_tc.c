/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests of tc.c without a kernel: its requests byte for byte, the ownership cookie, the filter and qdisc parsers on real dump messages. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <libmnl/libmnl.h>
#include <linux/if_ether.h>
#include <linux/pkt_cls.h>
#include <linux/pkt_sched.h>
#include <linux/rtnetlink.h>
#include <linux/tc_act/tc_mirred.h>

#include "state.h"
#include "tc.h"

/* tc.c cannot include state.h (a lower layer): its copy of the identity's length must agree */
_Static_assert(VT_TC_STATE_ID_LEN == VT_STATE_ID_LEN, "a state identity is VT_STATE_ID_LEN hex digits");

#ifndef TC_CORPUS_DIR
#error "TC_CORPUS_DIR: the directory of fuzz/corpus (set by tests/unit/meson.build)"
#endif

struct reqbuf {
	char buf[VT_TC_REQ_SIZE] __attribute__((aligned(8)));
};

/* A request as the transport sends it has NLM_F_ACK and a sequence number; the builders leave both out. */
static void assert_bytes(const struct nlmsghdr *nlh, const uint8_t *want, size_t len)
{
	const uint8_t *got = (const uint8_t *)nlh;

	assert_non_null(nlh);
	assert_int_equal(nlh->nlmsg_len, len);
	for (size_t i = 0; i < len; i++)
		if (got[i] != want[i])
			fail_msg("byte %zu: 0x%02x, wanted 0x%02x", i, got[i], want[i]);
}

/* ---- root qdisc ---- */

static void test_root_msg_layout(void **state)
{
	char buf[VT_TC_MSG_SIZE] __attribute__((aligned(8)));
	struct nlmsghdr *nlh = vt_tc_root_msg(buf, 42, "noqueue");
	const struct tcmsg *tcm;
	const struct nlattr *a, *kind = NULL;
	int nattr = 0;
	(void)state;

	assert_non_null(nlh);
	assert_int_equal(nlh->nlmsg_type, RTM_NEWQDISC);
	/* replace whatever root there is, create it if none; never a dump, never exclusive */
	assert_int_equal(nlh->nlmsg_flags, NLM_F_REQUEST | NLM_F_CREATE | NLM_F_REPLACE);
	assert_true(nlh->nlmsg_len <= VT_TC_MSG_SIZE);
	tcm = mnl_nlmsg_get_payload(nlh);
	assert_int_equal(tcm->tcm_family, AF_UNSPEC);
	assert_int_equal(tcm->tcm_ifindex, 42);
	assert_int_equal(tcm->tcm_parent, TC_H_ROOT);
	/* handle 0: the kernel picks one, as tc does */
	assert_int_equal(tcm->tcm_handle, 0);
	mnl_attr_for_each(a, nlh, sizeof(*tcm)) {
		nattr++;
		if (mnl_attr_get_type(a) == TCA_KIND)
			kind = a;
	}
	assert_int_equal(nattr, 1);
	assert_non_null(kind);
	assert_int_equal(mnl_attr_get_payload_len(kind), sizeof("noqueue"));
	assert_string_equal(mnl_attr_get_str(kind), "noqueue");
}

static void test_root_msg_bad_kind(void **state)
{
	char buf[VT_TC_MSG_SIZE] __attribute__((aligned(8)));
	(void)state;

	assert_null(vt_tc_root_msg(buf, 1, NULL));
	assert_null(vt_tc_root_msg(buf, 1, ""));
	/* the kernel's TCA_KIND holds 15 characters and the NUL */
	assert_null(vt_tc_root_msg(buf, 1, "0123456789abcdef"));
	assert_non_null(vt_tc_root_msg(buf, 1, "0123456789abcde"));
}

/* ---- ingress qdisc requests ---- */

/* What the prototype sent and the kernel took (FACTS 1.1), ifindex 3, without ACK and sequence number. */
static void test_ingress_add_bytes(void **state)
{
	static const uint8_t want[] = {
		0x30, 0x00, 0x00, 0x00, 0x24, 0x00, 0x01, 0x06, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
		0x00, 0x00, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xf1, 0xff, 0xff, 0xff,
		0x00, 0x00, 0x00, 0x00, 0x0c, 0x00, 0x01, 0x00, 'i', 'n', 'g', 'r', 'e', 's', 's', 0x00,
	};
	struct reqbuf m;
	struct nlmsghdr *nlh = vt_tc_ingress_msg(m.buf, RTM_NEWQDISC, 3);
	(void)state;

	assert_bytes(nlh, want, sizeof(want));
	/* CREATE|EXCL: success is the proof that vmtap made it */
	assert_int_equal(nlh->nlmsg_flags, NLM_F_REQUEST | NLM_F_CREATE | NLM_F_EXCL);
	assert_false(vt_nl_is_dump(nlh));
}

static void test_ingress_get_bytes(void **state)
{
	static const uint8_t want[] = {
		0x24, 0x00, 0x00, 0x00, 0x26, 0x00, 0x09, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
		0x00, 0x00, 0x00, 0x00, 0x07, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xf1, 0xff, 0xff, 0xff,
		0x00, 0x00, 0x00, 0x00,
	};
	struct reqbuf m;
	struct nlmsghdr *nlh = vt_tc_ingress_msg(m.buf, RTM_GETQDISC, 7);
	(void)state;

	/* RTM_GETQDISC, REQUEST|ECHO (without ECHO only an ack comes back), handle 0, no attribute */
	assert_bytes(nlh, want, sizeof(want));
	assert_false(vt_nl_is_dump(nlh));
}

static void test_ingress_del_bytes(void **state)
{
	static const uint8_t want[] = {
		0x30, 0x00, 0x00, 0x00, 0x25, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
		0x00, 0x00, 0x00, 0x00, 0x07, 0x00, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xf1, 0xff, 0xff, 0xff,
		0x00, 0x00, 0x00, 0x00, 0x0c, 0x00, 0x01, 0x00, 'i', 'n', 'g', 'r', 'e', 's', 's', 0x00,
	};
	struct reqbuf m;
	(void)state;

	/* the kind is named: a clsact that replaced vmtap's ingress is refused by the kernel */
	assert_bytes(vt_tc_ingress_msg(m.buf, RTM_DELQDISC, 7), want, sizeof(want));
	assert_null(vt_tc_ingress_msg(m.buf, RTM_NEWTFILTER, 7));
	assert_null(vt_tc_ingress_msg(m.buf, 0, 7));
}

static void test_qdisc_dump_msg(void **state)
{
	struct reqbuf m;
	struct nlmsghdr *nlh = vt_tc_qdisc_dump_msg(m.buf);
	const struct tcmsg *tcm = mnl_nlmsg_get_payload(nlh);
	(void)state;

	assert_int_equal(nlh->nlmsg_type, RTM_GETQDISC);
	assert_int_equal(nlh->nlmsg_flags, NLM_F_REQUEST | NLM_F_DUMP);
	assert_true(vt_nl_is_dump(nlh));
	assert_int_equal(nlh->nlmsg_len, mnl_nlmsg_size(sizeof(*tcm)));
	assert_int_equal(tcm->tcm_ifindex, 0);
	assert_int_equal(tcm->tcm_parent, 0);
	assert_int_equal(tcm->tcm_handle, 0);
}

/* ---- filter requests ---- */

/*
 * The request the prototype sent (NLP_HEX=1 ./filter add va fffffff2 49153
 * 800 vb COOKIE excl+echo) and the kernel took, src 3, dst 2: 160 bytes.
 */
static const uint8_t redirect_cookie[VT_TC_COOKIE_LEN] = {
	0x76, 0x6d, 0x74, 0x61, 0x70, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x2a,
};
static const uint8_t redirect_want[160] = {
	0xa0, 0x00, 0x00, 0x00, 0x2c, 0x00, 0x09, 0x06, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00, 0x00, 0x08, 0x00, 0x00, 0xf2, 0xff, 0xff, 0xff,
	0x00, 0x03, 0x01, 0xc0, 0x08, 0x00, 0x01, 0x00, 0x75, 0x33, 0x32, 0x00, 0x74, 0x00, 0x02, 0x80,
	0x24, 0x00, 0x05, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x4c, 0x00, 0x07, 0x80, 0x48, 0x00, 0x01, 0x80, 0x0b, 0x00, 0x01, 0x00,
	0x6d, 0x69, 0x72, 0x72, 0x65, 0x64, 0x00, 0x00, 0x24, 0x00, 0x02, 0x80, 0x20, 0x00, 0x02, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x14, 0x00, 0x06, 0x00,
	0x76, 0x6d, 0x74, 0x61, 0x70, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x2a,
};

static void test_redirect_bytes(void **state)
{
	struct reqbuf m;
	struct nlmsghdr *nlh = vt_tc_redirect_msg(m.buf, 3, 49153, 2, redirect_cookie);
	const struct tcmsg *tcm;
	(void)state;

	assert_bytes(nlh, redirect_want, sizeof(redirect_want));
	/* the same, field by field: what each byte above means */
	assert_int_equal(nlh->nlmsg_type, RTM_NEWTFILTER);
	assert_int_equal(nlh->nlmsg_flags, NLM_F_REQUEST | NLM_F_CREATE | NLM_F_EXCL | NLM_F_ECHO);
	tcm = mnl_nlmsg_get_payload(nlh);
	assert_int_equal(tcm->tcm_parent, TC_H_MAKE(TC_H_CLSACT, TC_H_MIN_INGRESS));
	assert_int_equal(tcm->tcm_parent, VT_TC_PARENT_INGRESS);
	assert_int_equal(tcm->tcm_handle, VT_TC_U32_NODE);
	assert_int_equal(TC_H_MAJ(tcm->tcm_info) >> 16, 49153);
	assert_int_equal(TC_H_MIN(tcm->tcm_info), htons(ETH_P_ALL));
	/* what the builder sends is what the parser reads back (as an echo would be, once the kernel sets the table) */
	{
		struct vt_tc_filter f;
		struct tcmsg *t = mnl_nlmsg_get_payload(nlh);
		nlh->nlmsg_flags = 0;
		t->tcm_handle = 0x80000800;
		assert_int_equal(vt_tc_filter_parse(nlh, nlh->nlmsg_len, &f), 0);
		assert_int_equal(f.u32, VT_TC_U32_RULE);
		assert_true(vt_tc_filter_is_redirect(&f));
		assert_true(vt_tc_filter_has_cookie(&f, redirect_cookie));
		assert_int_equal(f.mirred_ifindex, 2);
		assert_int_equal(f.prio, 49153);
		assert_int_equal(f.protocol, ETH_P_ALL);
	}
}

static void test_redirect_default_prio(void **state)
{
	struct reqbuf m;
	struct nlmsghdr *nlh = vt_tc_redirect_msg(m.buf, 3, VT_TC_PRIO_DEFAULT, 2, redirect_cookie);
	const struct tcmsg *tcm = mnl_nlmsg_get_payload(nlh);
	(void)state;

	assert_int_equal(tcm->tcm_info, 0x766d0300);
	/* only the priority differs from the reference request */
	assert_memory_equal(nlh, redirect_want, 32);
	assert_memory_equal((char *)nlh + 36, redirect_want + 36, sizeof(redirect_want) - 36);
	/* below the priorities the kernel gives filters added without one (49152, then down) */
	assert_true(VT_TC_PRIO_DEFAULT < 49152);
	/* priority 0 asks the kernel to pick one: never sent */
	assert_null(vt_tc_redirect_msg(m.buf, 3, 0, 2, redirect_cookie));
}

static void test_filter_get_del_bytes(void **state)
{
	static const uint8_t want_get[] = {
		0x24, 0x00, 0x00, 0x00, 0x2e, 0x00, 0x09, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
		0x00, 0x00, 0x00, 0x00, 0x05, 0x00, 0x00, 0x00, 0x00, 0x08, 0x10, 0x80, 0xf2, 0xff, 0xff, 0xff,
		0x00, 0x03, 0x6d, 0x76,
	};
	static const uint8_t want_del[] = {
		0x24, 0x00, 0x00, 0x00, 0x2d, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
		0x00, 0x00, 0x00, 0x00, 0x05, 0x00, 0x00, 0x00, 0x00, 0x08, 0x10, 0x80, 0xf2, 0xff, 0xff, 0xff,
		0x00, 0x03, 0x6d, 0x76,
	};
	struct reqbuf m;
	(void)state;

	/* by priority, protocol all and full handle 801:0:800; a get echoes, a delete does not */
	assert_bytes(vt_tc_filter_msg(m.buf, RTM_GETTFILTER, 5, 0x766d, 0x80100800), want_get, sizeof(want_get));
	assert_bytes(vt_tc_filter_msg(m.buf, RTM_DELTFILTER, 5, 0x766d, 0x80100800), want_del, sizeof(want_del));
}

/* A whole (empty) u32 priority: handle 0, protocol all, and the kind, which the kernel checks. */
static void test_prio_del_bytes(void **state)
{
	static const uint8_t want[] = {
		0x2c, 0x00, 0x00, 0x00, 0x2d, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
		0x00, 0x00, 0x00, 0x00, 0x05, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xf2, 0xff, 0xff, 0xff,
		0x00, 0x03, 0x6d, 0x76, 0x08, 0x00, 0x01, 0x00, 'u', '3', '2', 0x00,
	};
	struct reqbuf m;
	(void)state;

	assert_bytes(vt_tc_prio_del_msg(m.buf, 5, 0x766d), want, sizeof(want));
	/* prio 0 with handle 0 and protocol all would flush the whole hook */
	assert_null(vt_tc_prio_del_msg(m.buf, 5, 0));
}

/* The kernel takes priority 0 or handle 0 as wildcards (a whole priority, or every filter of the hook). */
static void test_filter_msg_refuses_wildcards(void **state)
{
	struct reqbuf m;
	(void)state;

	assert_null(vt_tc_filter_msg(m.buf, RTM_DELTFILTER, 5, 0, 0x80000800));
	assert_null(vt_tc_filter_msg(m.buf, RTM_DELTFILTER, 5, 100, 0));
	assert_null(vt_tc_filter_msg(m.buf, RTM_DELTFILTER, 5, 100, 0x80000000)); /* a table: "not allowed", or all of it */
	assert_null(vt_tc_filter_msg(m.buf, RTM_DELTFILTER, 5, 100, 0x800));      /* node only: not a full handle */
	assert_null(vt_tc_filter_msg(m.buf, RTM_GETTFILTER, 5, 0, 0x80000800));
	assert_null(vt_tc_filter_msg(m.buf, RTM_NEWTFILTER, 5, 100, 0x80000800));
	assert_null(vt_tc_filter_msg(m.buf, RTM_DELQDISC, 5, 100, 0x80000800));
	assert_non_null(vt_tc_filter_msg(m.buf, RTM_DELTFILTER, 5, 1, 0x00100001));
}

static void test_filter_dump_msg(void **state)
{
	struct reqbuf m;
	struct nlmsghdr *nlh = vt_tc_filter_dump_msg(m.buf, 9, 300);
	const struct tcmsg *tcm = mnl_nlmsg_get_payload(nlh);
	(void)state;

	assert_int_equal(nlh->nlmsg_type, RTM_GETTFILTER);
	assert_int_equal(nlh->nlmsg_flags, NLM_F_REQUEST | NLM_F_DUMP);
	assert_true(vt_nl_is_dump(nlh));
	assert_int_equal(nlh->nlmsg_len, mnl_nlmsg_size(sizeof(*tcm)));
	assert_int_equal(tcm->tcm_ifindex, 9);
	assert_int_equal(tcm->tcm_parent, VT_TC_PARENT_INGRESS);
	assert_int_equal(tcm->tcm_handle, 0);
	/* the priority filters in the kernel; protocol 0: every protocol (a foreign filter may be any) */
	assert_int_equal(tcm->tcm_info, 300u << 16);
	nlh = vt_tc_filter_dump_msg(m.buf, 9, 0);
	tcm = mnl_nlmsg_get_payload(nlh);
	assert_int_equal(tcm->tcm_info, 0);
}

/* ---- cookie ---- */

static void test_cookie_make(void **state)
{
	/* FNV-1a-32("foobar") = 0xbf9cf968, the reference test vector */
	static const uint8_t want[VT_TC_COOKIE_LEN] = {
		'v', 'm', 't', 1, 0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef, 0xbf, 0x9c, 0xf9, 0x68,
	};
	uint8_t c[VT_TC_COOKIE_LEN], d[VT_TC_COOKIE_LEN];
	struct vt_tc_cookie p;
	(void)state;

	assert_int_equal(vt_tc_cookie_make(c, "0123456789abcdef", "foobar"), 0);
	assert_memory_equal(c, want, sizeof(want));
	/* the state identity's case does not matter: the bytes are compared */
	assert_int_equal(vt_tc_cookie_make(d, "0123456789ABCDEF", "foobar"), 0);
	assert_memory_equal(c, d, sizeof(c));
	/* FNV-1a-32("") = 0x811c9dc5 */
	assert_int_equal(vt_tc_cookie_make(d, "0123456789abcdef", ""), 0);
	assert_memory_equal(d + 12, ((uint8_t[]){ 0x81, 0x1c, 0x9d, 0xc5 }), 4);

	assert_int_equal(vt_tc_cookie_parse(c, sizeof(c), &p), 0);
	assert_int_equal(p.version, 1);
	assert_memory_equal(p.state, want + 4, 8);
	assert_int_equal(p.endpoint_hash, 0xbf9cf968u);
}

static void test_cookie_bad_state_id(void **state)
{
	static const char *const bad[] = { NULL, "", "0123456789abcde", "0123456789abcdef0", "0123456789abcdeg",
					   " 123456789abcdef", "0123456789abcde\n", "0x23456789abcdef" };
	uint8_t c[VT_TC_COOKIE_LEN], before[VT_TC_COOKIE_LEN];
	(void)state;

	memset(c, 0x5a, sizeof(c));
	memcpy(before, c, sizeof(c));
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(vt_tc_cookie_make(c, bad[i], "ep"), -EINVAL);
		assert_memory_equal(c, before, sizeof(c));
	}
}

static void test_cookie_matches(void **state)
{
	uint8_t c[VT_TC_COOKIE_LEN], bad[VT_TC_COOKIE_LEN];
	struct vt_tc_cookie p;
	(void)state;

	assert_int_equal(vt_tc_cookie_make(c, "00112233aabbccdd", "vm7-net0"), 0);
	assert_true(vt_tc_cookie_matches(c, sizeof(c), "00112233aabbccdd", NULL));
	assert_true(vt_tc_cookie_matches(c, sizeof(c), "00112233AABBCCDD", "vm7-net0"));
	assert_false(vt_tc_cookie_matches(c, sizeof(c), "00112233aabbccdd", "vm7-net1"));
	assert_false(vt_tc_cookie_matches(c, sizeof(c), "00112233aabbccde", NULL));
	assert_false(vt_tc_cookie_matches(c, sizeof(c), "not hex at all!!", NULL));
	assert_false(vt_tc_cookie_matches(c, sizeof(c), NULL, NULL));
	/* shorter (the kernel keeps 1..16 bytes), other magic, other version: not ours */
	assert_false(vt_tc_cookie_matches(c, sizeof(c) - 1, "00112233aabbccdd", NULL));
	assert_int_equal(vt_tc_cookie_parse(c, sizeof(c) - 1, &p), -EINVAL);
	assert_int_equal(vt_tc_cookie_parse(NULL, sizeof(c), &p), -EINVAL);
	memcpy(bad, c, sizeof(c));
	bad[0] = 'V';
	assert_int_equal(vt_tc_cookie_parse(bad, sizeof(bad), &p), -EINVAL);
	memcpy(bad, c, sizeof(c));
	bad[3] = 2;
	assert_int_equal(vt_tc_cookie_parse(bad, sizeof(bad), &p), -EINVAL);
	assert_false(vt_tc_cookie_matches(bad, sizeof(bad), "00112233aabbccdd", NULL));
	/* the prototype's "vmtap\0...\x2a" tag is not a cookie of this format */
	assert_int_equal(vt_tc_cookie_parse(redirect_cookie, sizeof(redirect_cookie), &p), -EINVAL);
}

/* ---- parsers on real messages ---- */

struct corpus_file {
	uint8_t *data;
	size_t len;
};

static struct corpus_file read_corpus(const char *dir, const char *name)
{
	char path[512];
	struct corpus_file c = { 0 };
	FILE *f;
	long n;

	snprintf(path, sizeof(path), "%s/%s/%s", TC_CORPUS_DIR, dir, name);
	f = fopen(path, "rb");
	if (!f)
		fail_msg("%s: %s", path, strerror(errno));
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	assert_true(n > 0 && n < 65536);
	c.len = (size_t)n;
	c.data = malloc(c.len);
	assert_non_null(c.data);
	assert_int_equal(fread(c.data, 1, c.len, f), c.len);
	fclose(f);
	return c;
}

struct filter_want {
	const char *file;
	const char *kind;
	int ifindex;
	uint32_t handle;
	uint16_t prio, protocol;
	enum vt_tc_u32_entry u32;
	uint32_t divisor;
	bool redirect;
	uint32_t mirred_ifindex, mirred_index;
	const char *cookie_hex; /* NULL: none */
};

/* What FACTS 3.1 and `tc -j filter show` say of each saved message. */
static const struct filter_want filter_wants[] = {
	{ "real_00.bin", "bpf", 3, 0, 50, ETH_P_IP, VT_TC_NOT_U32, 0, false, 0, 0, NULL },
	{ "real_01.bin", "bpf", 3, 1, 50, ETH_P_IP, VT_TC_NOT_U32, 0, false, 0, 0, NULL },
	{ "real_02.bin", "u32", 3, 0, 100, ETH_P_ALL, VT_TC_U32_HEADER, 0, false, 0, 0, NULL },
	{ "real_03.bin", "u32", 3, 0x80100000, 100, ETH_P_ALL, VT_TC_U32_TABLE, 1, false, 0, 0, NULL },
	{ "real_04.bin", "u32", 3, 0x80100800, 100, ETH_P_ALL, VT_TC_U32_RULE, 0, true, 2, 2, NULL },
	{ "real_05.bin", "u32", 3, 0, 49152, ETH_P_ALL, VT_TC_U32_HEADER, 0, false, 0, 0, NULL },
	{ "real_06.bin", "u32", 3, 0x80000000, 49152, ETH_P_ALL, VT_TC_U32_TABLE, 1, false, 0, 0, NULL },
	{ "real_07.bin", "u32", 3, 0x80000800, 49152, ETH_P_ALL, VT_TC_U32_RULE, 0, true, 2, 1,
	  "766d746170000000000000000000002a" },
	{ "real_08.bin", "u32", 5, 0, 49152, ETH_P_ALL, VT_TC_U32_HEADER, 0, false, 0, 0, NULL },
	{ "real_09.bin", "u32", 5, 0x80000000, 49152, ETH_P_ALL, VT_TC_U32_TABLE, 1, false, 0, 0, NULL },
	{ "real_10.bin", "u32", 5, 0x80000800, 49152, ETH_P_ALL, VT_TC_U32_RULE, 0, true, 4, 3,
	  "00112233445566778899aabbccddeeff" },
	/* the redirect's target was deleted: the filter stays, redirecting to ifindex 0 */
	{ "real_11_target_gone.bin", "u32", 3, 0x80000800, 30317, ETH_P_ALL, VT_TC_U32_RULE, 0, true, 0, 1,
	  "766d7401000102030405060708a1b2c3" },
};

static void hex_to_bytes(const char *hex, uint8_t *out, size_t *ret_n)
{
	size_t n = 0;

	for (; hex[0] && hex[1]; hex += 2) {
		unsigned int v;
		assert_int_equal(sscanf(hex, "%2x", &v), 1);
		out[n++] = (uint8_t)v;
	}
	*ret_n = n;
}

/* Every strict prefix of a message is refused, and leaves the output as it was. */
static void assert_prefixes_refused(const struct corpus_file *c, bool filter)
{
	for (size_t cut = 0; cut < c->len; cut++) {
		uint8_t *copy = malloc(cut ? cut : 1);
		union {
			struct vt_tc_filter f;
			struct vt_tc_qdisc q;
		} out, before;
		int r;

		assert_non_null(copy);
		memcpy(copy, c->data, cut);
		memset(&out, 0xa5, sizeof(out));
		before = out;
		r = filter ? vt_tc_filter_parse(copy, cut, &out.f) : vt_tc_qdisc_parse(copy, cut, &out.q);
		if (r != -EBADMSG)
			fail_msg("prefix of %zu of %zu bytes: %d", cut, c->len, r);
		assert_memory_equal(&out, &before, sizeof(out));
		free(copy);
	}
}

static void test_filter_parse_real(void **state)
{
	(void)state;

	for (size_t i = 0; i < sizeof(filter_wants) / sizeof(filter_wants[0]); i++) {
		const struct filter_want *w = &filter_wants[i];
		struct corpus_file c = read_corpus("tc_filter_parse", w->file);
		struct vt_tc_filter f;

		if (vt_tc_filter_parse(c.data, c.len, &f) != 0)
			fail_msg("%s: refused", w->file);
		assert_string_equal(f.kind, w->kind);
		assert_int_equal(f.ifindex, w->ifindex);
		assert_int_equal(f.handle, w->handle);
		assert_int_equal(f.prio, w->prio);
		assert_int_equal(f.protocol, w->protocol);
		assert_int_equal(f.parent, VT_TC_PARENT_INGRESS);
		assert_int_equal(f.chain, 0);
		assert_int_equal(f.u32, w->u32);
		assert_int_equal(f.u32_divisor, w->divisor);
		assert_int_equal(vt_tc_filter_is_redirect(&f), w->redirect);
		assert_int_equal(f.u32_match_all, w->redirect);
		assert_int_equal(f.has_mirred, w->redirect);
		assert_int_equal(f.n_actions, w->redirect ? 1 : 0);
		if (w->redirect) {
			assert_int_equal(f.u32_nkeys, 1);
			assert_int_equal(f.u32_sel_flags, TC_U32_TERMINAL);
			assert_int_equal(f.mirred_action, TC_ACT_STOLEN);
			assert_int_equal(f.mirred_eaction, TCA_EGRESS_REDIR);
			assert_int_equal(f.mirred_ifindex, w->mirred_ifindex);
			assert_int_equal(f.mirred_index, w->mirred_index);
		}
		if (w->cookie_hex) {
			uint8_t cookie[VT_TC_COOKIE_LEN];
			size_t n;
			hex_to_bytes(w->cookie_hex, cookie, &n);
			assert_int_equal(f.cookie_len, n);
			assert_memory_equal(f.cookie, cookie, n);
			assert_true(vt_tc_filter_has_cookie(&f, cookie));
		} else {
			assert_int_equal(f.cookie_len, 0);
			assert_false(vt_tc_filter_has_cookie(&f, redirect_cookie));
		}
		assert_prefixes_refused(&c, true);
		free(c.data);
	}
}

/* The one real message with a cookie in vmtap's format: whose it is. */
static void test_filter_parse_real_cookie(void **state)
{
	struct corpus_file c = read_corpus("tc_filter_parse", "real_11_target_gone.bin");
	struct vt_tc_filter f;
	(void)state;

	assert_int_equal(vt_tc_filter_parse(c.data, c.len, &f), 0);
	assert_true(vt_tc_cookie_matches(f.cookie, f.cookie_len, "0001020304050607", NULL));
	assert_false(vt_tc_cookie_matches(f.cookie, f.cookie_len, "0001020304050608", NULL));
	free(c.data);
	c = read_corpus("tc_filter_parse", "real_07.bin");
	assert_int_equal(vt_tc_filter_parse(c.data, c.len, &f), 0);
	assert_false(vt_tc_cookie_matches(f.cookie, f.cookie_len, "0001020304050607", NULL));
	free(c.data);
}

static void test_qdisc_parse_real(void **state)
{
	static const struct {
		const char *file, *kind;
		int ifindex;
		uint32_t handle, parent;
	} wants[] = {
		{ "real_ingress.bin", "ingress", 3, 0xffff0000, TC_H_INGRESS },
		{ "real_clsact.bin", "clsact", 5, 0xffff0000, TC_H_INGRESS },
		{ "real_noqueue_lo.bin", "noqueue", 1, 0, TC_H_ROOT },
		{ "real_noqueue_veth.bin", "noqueue", 3, 0, TC_H_ROOT },
		{ "real_tbf_root.bin", "tbf", 2, 0x10000, TC_H_ROOT },
		{ "real_mq_tap.bin", "mq", 6, 0, TC_H_ROOT },
		{ "real_pfifo_fast_child.bin", "pfifo_fast", 6, 0, 1 },
	};
	(void)state;

	for (size_t i = 0; i < sizeof(wants) / sizeof(wants[0]); i++) {
		struct corpus_file c = read_corpus("tc_qdisc_parse", wants[i].file);
		struct vt_tc_qdisc q;

		if (vt_tc_qdisc_parse(c.data, c.len, &q) != 0)
			fail_msg("%s: refused", wants[i].file);
		assert_string_equal(q.kind, wants[i].kind);
		assert_int_equal(q.ifindex, wants[i].ifindex);
		assert_int_equal(q.handle, wants[i].handle);
		assert_int_equal(q.parent, wants[i].parent);
		/* a qdisc is not a filter, and the other way round */
		assert_int_equal(vt_tc_filter_parse(c.data, c.len, &(struct vt_tc_filter){ 0 }), -EBADMSG);
		assert_prefixes_refused(&c, false);
		free(c.data);
	}
	{
		struct corpus_file c = read_corpus("tc_filter_parse", "real_07.bin");
		assert_int_equal(vt_tc_qdisc_parse(c.data, c.len, &(struct vt_tc_qdisc){ 0 }), -EBADMSG);
		free(c.data);
	}
}

/* ---- parsers on malformed messages ---- */

struct msgbuf {
	char buf[1024] __attribute__((aligned(8)));
};

static struct nlmsghdr *filter_start(struct msgbuf *m, uint32_t handle)
{
	struct nlmsghdr *nlh;
	struct tcmsg *tcm;

	memset(m->buf, 0, sizeof(m->buf));
	nlh = mnl_nlmsg_put_header(m->buf);
	nlh->nlmsg_type = RTM_NEWTFILTER;
	tcm = mnl_nlmsg_put_extra_header(nlh, sizeof(*tcm));
	tcm->tcm_ifindex = 4;
	tcm->tcm_parent = VT_TC_PARENT_INGRESS;
	tcm->tcm_handle = handle;
	tcm->tcm_info = TC_H_MAKE(100u << 16, htons(ETH_P_ALL));
	return nlh;
}

/*
 * A u32 key with @nkeys keys but @sel_len bytes of selector (its first key
 * matching everything, or with @masked a nibble of the first byte), a mirred
 * of @parms_len bytes, a cookie of @cookie_len bytes ((size_t)-1: none).
 */
static struct nlmsghdr *build_key(struct msgbuf *m, size_t sel_len, uint8_t nkeys, bool masked, size_t parms_len,
				  size_t cookie_len)
{
	struct nlmsghdr *nlh = filter_start(m, 0x80000800);
	uint8_t sel[64] = { 0 }, parms[64] = { 0 }, cookie[32] = { 0 };
	struct tc_mirred mirred = { .action = TC_ACT_STOLEN, .eaction = TCA_EGRESS_REDIR, .ifindex = 9 };
	struct nlattr *opts, *acts, *act, *aopts;

	sel[0] = TC_U32_TERMINAL;
	sel[2] = nkeys;
	if (masked)
		sel[sizeof(struct tc_u32_sel)] = 0x0f; /* the key's mask, network order */
	memcpy(parms, &mirred, sizeof(mirred));
	mnl_attr_put_strz(nlh, TCA_KIND, "u32");
	opts = mnl_attr_nest_start(nlh, TCA_OPTIONS);
	mnl_attr_put(nlh, TCA_U32_SEL, sel_len, sel);
	acts = mnl_attr_nest_start(nlh, TCA_U32_ACT);
	act = mnl_attr_nest_start(nlh, 1);
	mnl_attr_put_strz(nlh, TCA_ACT_KIND, "mirred");
	aopts = mnl_attr_nest_start(nlh, TCA_ACT_OPTIONS);
	mnl_attr_put(nlh, TCA_MIRRED_PARMS, parms_len, parms);
	mnl_attr_nest_end(nlh, aopts);
	if (cookie_len != (size_t)-1)
		mnl_attr_put(nlh, TCA_ACT_COOKIE, cookie_len, cookie);
	mnl_attr_nest_end(nlh, act);
	mnl_attr_nest_end(nlh, acts);
	mnl_attr_nest_end(nlh, opts);
	return nlh;
}

static void assert_refused(const struct nlmsghdr *nlh, size_t len, const char *what)
{
	struct vt_tc_filter f, before;

	memset(&f, 0x5a, sizeof(f));
	before = f;
	if (vt_tc_filter_parse(nlh, len, &f) != -EBADMSG)
		fail_msg("%s: accepted", what);
	assert_memory_equal(&f, &before, sizeof(f));
}

static void test_filter_parse_malformed(void **state)
{
	struct msgbuf m;
	struct nlmsghdr *nlh;
	struct vt_tc_filter f;
	(void)state;

	/* the well-formed one first: each case below changes one thing */
	nlh = build_key(&m, 32, 1, false, sizeof(struct tc_mirred), 16);
	assert_int_equal(vt_tc_filter_parse(nlh, nlh->nlmsg_len, &f), 0);
	assert_true(vt_tc_filter_is_redirect(&f));
	assert_int_equal(f.mirred_ifindex, 9);
	assert_int_equal(f.cookie_len, 16);

	nlh = build_key(&m, 31, 1, false, sizeof(struct tc_mirred), 16);
	assert_refused(nlh, nlh->nlmsg_len, "selector shorter than its key");
	nlh = build_key(&m, 32, 2, false, sizeof(struct tc_mirred), 16);
	assert_refused(nlh, nlh->nlmsg_len, "two keys announced, one sent");
	nlh = build_key(&m, 12, 0, false, sizeof(struct tc_mirred), 16);
	assert_refused(nlh, nlh->nlmsg_len, "selector shorter than its header");
	nlh = build_key(&m, 32, 1, false, sizeof(struct tc_mirred) - 1, 16);
	assert_refused(nlh, nlh->nlmsg_len, "short mirred parameters");
	nlh = build_key(&m, 32, 1, false, sizeof(struct tc_mirred), 17);
	assert_refused(nlh, nlh->nlmsg_len, "17-byte cookie");
	nlh = build_key(&m, 32, 1, false, sizeof(struct tc_mirred), 0);
	assert_refused(nlh, nlh->nlmsg_len, "empty cookie");
	/* no cookie at all is fine (foreign filters) */
	nlh = build_key(&m, 32, 1, false, sizeof(struct tc_mirred), (size_t)-1);
	assert_int_equal(vt_tc_filter_parse(nlh, nlh->nlmsg_len, &f), 0);
	assert_int_equal(f.cookie_len, 0);
	/* a key that matches something is not match-all */
	nlh = build_key(&m, 32, 1, true, sizeof(struct tc_mirred), 16);
	assert_int_equal(vt_tc_filter_parse(nlh, nlh->nlmsg_len, &f), 0);
	assert_int_equal(f.u32, VT_TC_U32_RULE);
	assert_false(f.u32_match_all);
	assert_false(vt_tc_filter_is_redirect(&f));

	/* length discipline */
	nlh = build_key(&m, 32, 1, false, sizeof(struct tc_mirred), 16);
	assert_refused(nlh, nlh->nlmsg_len - 4, "nlmsg_len past the buffer");
	nlh->nlmsg_len -= 2;
	assert_refused(nlh, sizeof(m.buf), "unaligned nlmsg_len");
	nlh->nlmsg_len = 0x80000000u;
	assert_refused(nlh, sizeof(m.buf), "nlmsg_len of 2^31");
	assert_refused(NULL, 100, "NULL");
	nlh = build_key(&m, 32, 1, false, sizeof(struct tc_mirred), 16);
	nlh->nlmsg_type = RTM_DELTFILTER;
	assert_refused(nlh, nlh->nlmsg_len, "RTM_DELTFILTER");

	/* TCA_KIND: required, NUL-terminated, not empty, at most 16 bytes */
	nlh = filter_start(&m, 0);
	assert_refused(nlh, nlh->nlmsg_len, "no kind");
	nlh = filter_start(&m, 0);
	mnl_attr_put(nlh, TCA_KIND, 3, "u32");
	assert_refused(nlh, nlh->nlmsg_len, "kind without NUL");
	nlh = filter_start(&m, 0);
	mnl_attr_put_strz(nlh, TCA_KIND, "");
	assert_refused(nlh, nlh->nlmsg_len, "empty kind");
	nlh = filter_start(&m, 0);
	mnl_attr_put_strz(nlh, TCA_KIND, "0123456789abcdef");
	assert_refused(nlh, nlh->nlmsg_len, "17-byte kind");
	nlh = filter_start(&m, 0);
	mnl_attr_put_strz(nlh, TCA_KIND, "0123456789abcde");
	assert_int_equal(vt_tc_filter_parse(nlh, nlh->nlmsg_len, &f), 0);
	assert_int_equal(f.u32, VT_TC_NOT_U32);

	/* TCA_CHAIN and TCA_U32_DIVISOR are u32s */
	nlh = filter_start(&m, 0);
	mnl_attr_put_strz(nlh, TCA_KIND, "u32");
	mnl_attr_put_u16(nlh, TCA_CHAIN, 0);
	assert_refused(nlh, nlh->nlmsg_len, "2-byte chain");
	nlh = filter_start(&m, 0x80000000);
	mnl_attr_put_strz(nlh, TCA_KIND, "u32");
	{
		struct nlattr *opts = mnl_attr_nest_start(nlh, TCA_OPTIONS);
		mnl_attr_put_u16(nlh, TCA_U32_DIVISOR, 1);
		mnl_attr_nest_end(nlh, opts);
	}
	assert_refused(nlh, nlh->nlmsg_len, "2-byte divisor");
	/* a u32 message with a handle but no options: neither header, table nor rule */
	nlh = filter_start(&m, 0x80000800);
	mnl_attr_put_strz(nlh, TCA_KIND, "u32");
	assert_int_equal(vt_tc_filter_parse(nlh, nlh->nlmsg_len, &f), 0);
	assert_int_equal(f.u32, VT_TC_U32_OTHER);
	/* a mirred without options */
	nlh = filter_start(&m, 0x80000800);
	mnl_attr_put_strz(nlh, TCA_KIND, "u32");
	{
		struct nlattr *opts = mnl_attr_nest_start(nlh, TCA_OPTIONS);
		struct nlattr *acts = mnl_attr_nest_start(nlh, TCA_U32_ACT);
		struct nlattr *act = mnl_attr_nest_start(nlh, 1);
		mnl_attr_put_strz(nlh, TCA_ACT_KIND, "mirred");
		mnl_attr_nest_end(nlh, act);
		mnl_attr_nest_end(nlh, acts);
		mnl_attr_nest_end(nlh, opts);
	}
	assert_refused(nlh, nlh->nlmsg_len, "mirred without options");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_root_msg_layout),
		cmocka_unit_test(test_root_msg_bad_kind),
		cmocka_unit_test(test_ingress_add_bytes),
		cmocka_unit_test(test_ingress_get_bytes),
		cmocka_unit_test(test_ingress_del_bytes),
		cmocka_unit_test(test_qdisc_dump_msg),
		cmocka_unit_test(test_redirect_bytes),
		cmocka_unit_test(test_redirect_default_prio),
		cmocka_unit_test(test_filter_get_del_bytes),
		cmocka_unit_test(test_prio_del_bytes),
		cmocka_unit_test(test_filter_msg_refuses_wildcards),
		cmocka_unit_test(test_filter_dump_msg),
		cmocka_unit_test(test_cookie_make),
		cmocka_unit_test(test_cookie_bad_state_id),
		cmocka_unit_test(test_cookie_matches),
		cmocka_unit_test(test_filter_parse_real),
		cmocka_unit_test(test_filter_parse_real_cookie),
		cmocka_unit_test(test_qdisc_parse_real),
		cmocka_unit_test(test_filter_parse_malformed),
	};

	return cmocka_run_group_tests_name("tc", tests, NULL, NULL);
}

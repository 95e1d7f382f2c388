/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Regression tests for library bugs found by the unit tests and fuzzers, each failing until its bug is fixed. */
/*
 * meson.build registers each case as its own test with should_fail: true
 * while the bug is open, passing the case name as argv[1].  Once a bug is
 * fixed the test reports an unexpected pass: move its name from known_bugs to
 * fixed_bugs there, and it guards against the bug's return from then on.
 *
 * Every case is deterministic: out-of-bounds reads are made to land inside a
 * larger buffer we own, so that the bug shows as a wrong result rather than
 * as a crash that depends on the heap layout or the sanitizers.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <libmnl/libmnl.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include "link.h"
#include "tc.h"
#include "validate.h"
#include "link.h"
#include "tc.h"

struct msgbuf {
	char buf[4096] __attribute__((aligned(8)));
};

static struct nlmsghdr *msg_start(struct msgbuf *m, int ifindex)
{
	struct nlmsghdr *nlh;
	struct ifinfomsg *ifi;

	memset(m->buf, 0, sizeof(m->buf));
	nlh = mnl_nlmsg_put_header(m->buf);
	nlh->nlmsg_type = RTM_NEWLINK;
	ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_index = ifindex;
	return nlh;
}

/*
 * lib/link.c vt_link_parse(): mnl_nlmsg_ok() compares (int)nlmsg_len <= len,
 * so an nlmsg_len of 2^31 or more passes as "fits", and the ifinfomsg and the
 * attributes are then read up to 2 GiB past @len.  The fuzzer's first find
 * (a heap overflow under ASan within a second).
 */
static void test_link_parse_nlmsg_len_over_int_max(void **state)
{
	struct msgbuf m;
	struct nlmsghdr *nlh = msg_start(&m, 5);
	struct vmtap_link_info info;
	(void)state;

	mnl_attr_put_strz(nlh, IFLA_IFNAME, "tap0");
	nlh->nlmsg_len = 0x80000000u;
	/* only the header is ours to read; what follows in the buffer must not be used */
	assert_int_equal(vt_link_parse(m.buf, sizeof(struct nlmsghdr), &info), -EBADMSG);
	assert_int_equal(vt_link_parse(m.buf, 40, &info), -EBADMSG);
}

/*
 * lib/link.c vt_link_parse(): libmnl walks attributes up to
 * MNL_ALIGN(nlmsg_len), so when nlmsg_len is not a multiple of 4 and @len is
 * exactly nlmsg_len, an attribute may end up to 3 bytes past the buffer and
 * is used (a NUL terminator read past the end, found by the fuzzer).
 */
static void test_link_parse_unaligned_nlmsg_len(void **state)
{
	struct msgbuf m;
	struct nlmsghdr *nlh = msg_start(&m, 5);
	struct vmtap_link_info info;
	(void)state;

	mnl_attr_put_strz(nlh, IFLA_IFNAME, "tap"); /* bytes 32..39, its NUL is byte 39 */
	assert_int_equal(nlh->nlmsg_len, 40);
	nlh->nlmsg_len = 39;
	/* the name attribute overruns the 39-byte message: there is no usable name */
	assert_int_equal(vt_link_parse(m.buf, 39, &info), -EBADMSG);
}

/*
 * lib/link.c vt_link_parse(): IFLA_STATS64 is used only when it is at least
 * sizeof(struct rtnl_link_stats64) of the build's headers (200 bytes with
 * Linux >= 5.19 headers).  The kernel sends its own size: 192 bytes before
 * 5.19 (no rx_otherhost_dropped), 184 before 4.6, so a binary built on a new
 * system shows no statistics at all on older kernels.  Only the first eight
 * counters (64 bytes) are used.
 */
static void test_link_parse_stats64_older_kernel(void **state)
{
	static const size_t kernel_sizes[] = { 192, 184 };
	uint64_t counters[25];
	struct msgbuf m;
	struct vmtap_link_info info;
	(void)state;

	for (size_t i = 0; i < ARRAY_SIZE(counters); i++)
		counters[i] = i + 1;
	for (size_t k = 0; k < ARRAY_SIZE(kernel_sizes); k++) {
		struct nlmsghdr *nlh = msg_start(&m, 5);
		mnl_attr_put_strz(nlh, IFLA_IFNAME, "tap0");
		mnl_attr_put(nlh, IFLA_STATS64, kernel_sizes[k], counters);
		assert_int_equal(vt_link_parse(nlh, nlh->nlmsg_len, &info), 0);
		if (!info.has_stats)
			fail_msg("IFLA_STATS64 of %zu bytes ignored", kernel_sizes[k]);
		assert_int_equal(info.stats.rx_packets, 1);
		assert_int_equal(info.stats.tx_dropped, 8);
	}
}

/*
 * lib/validate.c vt_mac_parse(): the separator starts as 0 and a byte is
 * accepted when it equals it, so NUL bytes pass as separators until the
 * first ':' or '-': "02\0" "00:5e:10:00:01" with len 17 is accepted as
 * 02:00:5e:10:00:01 (found by the fuzzer against a reference parser).
 */
static void test_mac_parse_nul_separator(void **state)
{
	uint8_t mac[6];
	char s[17];
	(void)state;

	memcpy(s, "02:00:5e:10:00:01", sizeof(s));
	s[2] = '\0';
	assert_int_equal(vmtap_mac_parse(s, sizeof(s), mac), -EINVAL);

	for (size_t i = 2; i < sizeof(s); i += 3)
		s[i] = '\0';
	assert_int_equal(vmtap_mac_parse(s, sizeof(s), mac), -EINVAL);
}

/*
 * lib/link.c vt_nl_talk(): "is it a dump?" was flags & NLM_F_DUMP, but the two
 * bits of NLM_F_DUMP (ROOT | MATCH) are NLM_F_REPLACE and NLM_F_EXCL in a NEW
 * request.  An RTM_NEWQDISC with CREATE | REPLACE was taken for a dump, sent
 * without NLM_F_ACK, and the caller then waited for an ack forever (found when
 * tc.c sent its first message: every integration test hung).
 */
static void test_nl_replace_taken_for_dump(void **state)
{
	char buf[VT_TC_MSG_SIZE] __attribute__((aligned(8)));
	struct nlmsghdr *nlh = vt_tc_root_msg(buf, 7, "noqueue");
	struct nlmsghdr get = { .nlmsg_type = RTM_GETLINK, .nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP };
	struct nlmsghdr excl = { .nlmsg_type = RTM_NEWLINK,
				 .nlmsg_flags = NLM_F_REQUEST | NLM_F_CREATE | NLM_F_REPLACE | NLM_F_EXCL };
	struct nlmsghdr one = { .nlmsg_type = RTM_GETLINK, .nlmsg_flags = NLM_F_REQUEST };
	(void)state;

	assert_non_null(nlh);
	assert_false(vt_nl_is_dump(nlh));
	assert_false(vt_nl_is_dump(&excl));
	assert_false(vt_nl_is_dump(&one));
	assert_true(vt_nl_is_dump(&get));
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_link_parse_nlmsg_len_over_int_max),
		cmocka_unit_test(test_link_parse_unaligned_nlmsg_len),
		cmocka_unit_test(test_link_parse_stats64_older_kernel),
		cmocka_unit_test(test_mac_parse_nul_separator),
		cmocka_unit_test(test_nl_replace_taken_for_dump),
	};

	/* one case by name; an unknown name is a hard error (99), which meson reports whatever should_fail says */
	if (argc > 1) {
		bool known = false;
		for (size_t i = 0; i < ARRAY_SIZE(tests); i++)
			known = known || !strcmp(tests[i].name, argv[1]);
		if (!known) {
			fprintf(stderr, "no test case named '%s'\n", argv[1]);
			return 99;
		}
		cmocka_set_test_filter(argv[1]);
	}
	return cmocka_run_group_tests_name("known-bugs", tests, NULL, NULL) ? EXIT_FAILURE : EXIT_SUCCESS;
}

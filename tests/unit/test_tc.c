/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests of the root-qdisc request that tc.c sends, checked field by field without a kernel. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include <libmnl/libmnl.h>
#include <linux/pkt_sched.h>
#include <linux/rtnetlink.h>

#include "tc.h"

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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_root_msg_layout),
		cmocka_unit_test(test_root_msg_bad_kind),
	};

	return cmocka_run_group_tests_name("tc", tests, NULL, NULL);
}

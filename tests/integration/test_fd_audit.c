/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The integration harness's fd audit can fail: a leaked file, a socket without close-on-exec, a swap behind a constant count. */
#include <fcntl.h>
#include <unistd.h>
#include <sys/socket.h>
#include <linux/netlink.h>

#include "itest.h"

static void test_audit_catches(void **state)
{
	struct itest_fds before;
	int fd, nl, keep = dup(0); /* fd 0's file, to put it back */
	(void)state;

	assert_true(keep >= 0);
	itest_fds_snapshot(&before);
	assert_int_equal(itest_fds_check(&before, true, "self-test: nothing changed"), 0);

	/* a leaked file is reported, context or not */
	fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	assert_int_equal(itest_fds_check(&before, true, "self-test: a file left open"), 1);
	close(fd);

	/* a context's netlink socket passes while it lives, and only with close-on-exec */
	nl = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	assert_true(nl >= 0);
	assert_int_equal(itest_fds_check(&before, true, "self-test: a context's socket"), 0);
	assert_int_equal(itest_fds_check(&before, false, "self-test: the socket after the context"), 1);
	assert_int_equal(fcntl(nl, F_SETFD, 0), 0);
	assert_int_equal(itest_fds_check(&before, true, "self-test: a socket without close-on-exec"), 1);
	close(nl);

	/* the same count, another file: a leak hidden behind a close */
	close(0);
	fd = open("/dev/zero", O_RDONLY | O_CLOEXEC);
	assert_int_equal(fd, 0);
	assert_int_equal(itest_fds_check(&before, true, "self-test: fd 0 is another file"), 1);
	assert_int_equal(dup2(keep, 0), 0);
	assert_int_equal(itest_fds_check(&before, false, "self-test: all back"), 0);
	close(keep);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_audit_catches),
	};

	itest_enter_private_namespace();
	return cmocka_run_group_tests_name("integration-fd-audit", tests, NULL, NULL);
}

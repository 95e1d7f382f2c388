/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Integration tests of TAP creation on /dev/net/tun files the caller opened (vmtap_tap_opts.tun_fds), as vmtap-bridge-helper does. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <linux/if_tun.h>

#include "itest.h"

#define CTX(state) (((struct itest_state *)*(state))->ctx)

static void open_tun(int *fds, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++) {
		fds[i] = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
		assert_true(fds[i] >= 0);
	}
}

static void close_all(int *fds, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++)
		close(fds[i]);
}

/* the device is built on the caller's files and survives the caller closing its own copies */
static void test_create_on_caller_files(void **state)
{
	struct vmtap_ctx *ctx = CTX(state);
	int fds[4];
	struct vmtap_tap *tap = NULL;
	struct vmtap_link_info li = { .sz = sizeof(li) };

	open_tun(fds, 4);
	VMTAP_OPTS(vmtap_tap_opts, o, .name = "vtfd%d", .queues = 4, .tun_fds = fds);
	assert_int_equal(vmtap_tap_create(ctx, &o, &tap), 0);
	/* the library took duplicates: each of the caller's files is bound to the device now */
	for (unsigned int i = 0; i < 4; i++) {
		struct ifreq ifr = { 0 };
		assert_int_equal(ioctl(fds[i], TUNGETIFF, &ifr), 0);
		assert_string_equal(ifr.ifr_name, vmtap_tap_name(tap));
		assert_true(vmtap_tap_fd(tap, i) != fds[i]);
		assert_true(fcntl(vmtap_tap_fd(tap, i), F_GETFD) & FD_CLOEXEC);
	}
	close_all(fds, 4);
	assert_int_equal(vmtap_link_get(ctx, NULL, vmtap_tap_name(tap), &li), 0);
	assert_int_equal(li.tun_num_queues, 4);
	vmtap_tap_free(tap);
	assert_int_equal(vmtap_link_get(ctx, NULL, "vtfd0", &li), -ENODEV);
}

/* a file that is not /dev/net/tun is refused before anything is made; the caller's fds stay its own */
static void test_refuses_other_files(void **state)
{
	struct vmtap_ctx *ctx = CTX(state);
	int fds[2];
	struct vmtap_tap *tap = NULL;

	open_tun(fds, 1);
	fds[1] = open("/dev/null", O_RDWR | O_CLOEXEC);
	assert_true(fds[1] >= 0);
	VMTAP_OPTS(vmtap_tap_opts, o, .name = "vtfd%d", .queues = 2, .tun_fds = fds);
	assert_int_equal(vmtap_tap_create(ctx, &o, &tap), -EBADF);
	assert_null(tap);
	assert_non_null(strstr(vmtap_ctx_error(ctx), "tun_fds[1] is not an open /dev/net/tun"));
	assert_int_equal(itest_tun_count(NULL), 0);
	assert_true(fcntl(fds[0], F_GETFD) >= 0 && fcntl(fds[1], F_GETFD) >= 0);
	close_all(fds, 2);
	fds[0] = -1;
	VMTAP_OPTS(vmtap_tap_opts, o1, .name = "vtfd%d", .tun_fds = fds);
	assert_int_equal(vmtap_tap_create(ctx, &o1, &tap), -EBADF);
}

/* a failure after the device exists: the library closes its duplicates, the device goes once the caller closes its copies */
static void test_failure_removes_device(void **state)
{
	struct vmtap_ctx *ctx = CTX(state);
	int fds[2];
	struct vmtap_tap *tap = NULL;

	open_tun(fds, 2);
	VMTAP_OPTS(vmtap_link_set_opts, link, .master = "nobr");
	VMTAP_OPTS(vmtap_tap_opts, o, .name = "vtfd%d", .queues = 2, .tun_fds = fds, .link = &link);
	assert_int_equal(vmtap_tap_create(ctx, &o, &tap), -ENODEV);
	/* the caller's copies still hold the device until the caller closes them, as documented */
	close_all(fds, 2);
	assert_int_equal(itest_tun_count(NULL), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_create_on_caller_files, itest_setup, itest_teardown),
		cmocka_unit_test_setup_teardown(test_refuses_other_files, itest_setup, itest_teardown),
		cmocka_unit_test_setup_teardown(test_failure_removes_device, itest_setup, itest_teardown),
	};

	itest_enter_private_namespace();
	return cmocka_run_group_tests_name("integration-tun-fds", tests, NULL, NULL);
}

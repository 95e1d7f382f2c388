/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Integration tests of vmtap_link_offloads(): the offloads a TAP was given, read back through its ethtool features. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "itest.h"

#define CTX(state) (((struct itest_state *)*(state))->ctx)

/* A persistent TAP @name (in @netns) with @offloads, its queue closed again. */
static void make_tap(struct vmtap_ctx *ctx, const char *netns, const char *name, uint32_t offloads)
{
	VMTAP_OPTS(vmtap_tap_opts, o, .name = name, .netns = netns, .offloads = offloads, .flags = VMTAP_TAP_PERSIST);
	struct vmtap_tap *tap = NULL;
	int r = vmtap_tap_create(ctx, &o, &tap);

	if (r < 0)
		fprintf(stderr, "tap_create %s: %s\n", name, vmtap_ctx_error(ctx));
	assert_int_equal(r, 0);
	vmtap_tap_free(tap);
}

static uint32_t offloads_of(struct vmtap_ctx *ctx, const char *netns, const char *name)
{
	uint32_t off = 0xdeadbeef;
	int r = vmtap_link_offloads(ctx, netns, name, &off);

	if (r < 0)
		fprintf(stderr, "link_offloads %s: %s\n", name, vmtap_ctx_error(ctx));
	assert_int_equal(r, 0);
	return off;
}

/* What the TAP was given is what is read back, whatever the set, and they outlive the queue that set them. */
static void test_offloads_read_back(void **state)
{
	struct vmtap_ctx *ctx = CTX(state);
	static const struct {
		uint32_t given, read;
	} cases[] = {
		{ 0, 0 },
		{ VMTAP_OFFLOAD_CSUM, VMTAP_OFFLOAD_CSUM },
		{ VMTAP_OFFLOAD_CSUM | VMTAP_OFFLOAD_TSO4 | VMTAP_OFFLOAD_TSO6,
		  VMTAP_OFFLOAD_CSUM | VMTAP_OFFLOAD_TSO4 | VMTAP_OFFLOAD_TSO6 },
		{ VMTAP_OFFLOAD_CSUM | VMTAP_OFFLOAD_TSO4 | VMTAP_OFFLOAD_TSO_ECN,
		  VMTAP_OFFLOAD_CSUM | VMTAP_OFFLOAD_TSO4 | VMTAP_OFFLOAD_TSO_ECN },
		/* the kernel has no UFO feature any more: accepted, never seen */
		{ VMTAP_OFFLOAD_CSUM | VMTAP_OFFLOAD_UFO, VMTAP_OFFLOAD_CSUM },
		{ VMTAP_OFFLOAD_CSUM | VMTAP_OFFLOAD_USO4 | VMTAP_OFFLOAD_USO6,
		  VMTAP_OFFLOAD_CSUM | VMTAP_OFFLOAD_USO4 | VMTAP_OFFLOAD_USO6 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char name[16];
		snprintf(name, sizeof(name), "vof%zu", i);
		make_tap(ctx, NULL, name, cases[i].given);
		assert_int_equal(offloads_of(ctx, NULL, name), cases[i].read);
		assert_int_equal(vmtap_link_delete(ctx, NULL, name), 0);
	}
}

/* In another namespace: the socket is opened there, the calling thread stays here. */
static void test_offloads_in_netns(void **state)
{
	struct vmtap_ctx *ctx = CTX(state);
	char own[64] = "", after[64] = "";

	assert_int_equal(itest_sh("ip netns add vmtap-it-ofl"), 0);
	assert_true(readlink("/proc/thread-self/ns/net", own, sizeof(own) - 1) > 0);
	make_tap(ctx, "vmtap-it-ofl", "vofns", VMTAP_OFFLOAD_CSUM | VMTAP_OFFLOAD_TSO6);
	assert_int_equal(offloads_of(ctx, "vmtap-it-ofl", "vofns"), VMTAP_OFFLOAD_CSUM | VMTAP_OFFLOAD_TSO6);
	assert_int_equal(vmtap_link_offloads(ctx, NULL, "vofns", &(uint32_t){ 0 }), -ENODEV);
	assert_true(readlink("/proc/thread-self/ns/net", after, sizeof(after) - 1) > 0);
	assert_string_equal(own, after);
	assert_int_equal(vmtap_link_delete(ctx, "vmtap-it-ofl", "vofns"), 0);
	assert_int_equal(itest_sh("ip netns del vmtap-it-ofl"), 0);
}

static void test_offloads_bad_input(void **state)
{
	struct vmtap_ctx *ctx = CTX(state);
	uint32_t off = 7;

	assert_int_equal(vmtap_link_offloads(ctx, NULL, "nosuchdev", &off), -ENODEV);
	assert_non_null(strstr(vmtap_ctx_error(ctx), "nosuchdev does not exist"));
	assert_int_equal(vmtap_link_offloads(ctx, NULL, "a/b", &off), -EINVAL);
	assert_string_equal(vmtap_ctx_error_step(ctx), "validate");
	assert_int_equal(vmtap_link_offloads(ctx, NULL, "lo", NULL), -EINVAL);
	assert_int_equal(vmtap_link_offloads(ctx, "vmtap-no-such-ns", "lo", &off), -ENOENT);
	assert_int_equal(off, 7); /* untouched on failure */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_offloads_read_back, itest_setup, itest_teardown),
		cmocka_unit_test_setup_teardown(test_offloads_in_netns, itest_setup, itest_teardown),
		cmocka_unit_test_setup_teardown(test_offloads_bad_input, itest_setup, itest_teardown),
	};

	itest_enter_private_namespace();
	return cmocka_run_group_tests_name("integration-ethtool", tests, NULL, NULL);
}

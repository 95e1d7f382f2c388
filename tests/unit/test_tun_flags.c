/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests of vt_tun_flags(): TUNSETIFF flags from options and hand-made feature sets, warnings included. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <linux/if_tun.h>

#include "tun.h"

#define FLAGS_UNTOUCHED 0xbeefu

struct log_capture {
	unsigned int warnings, errors, other;
	char last_warning[VMTAP_ERROR_MAX];
};

static void capture_log(enum vmtap_log_level level, const char *msg, void *userdata)
{
	struct log_capture *cap = userdata;

	if (level == VMTAP_LOG_WARNING) {
		cap->warnings++;
		snprintf(cap->last_warning, sizeof(cap->last_warning), "%s", msg);
	} else if (level <= VMTAP_LOG_ERR) {
		cap->errors++;
	} else {
		cap->other++;
	}
}

struct fixture {
	struct vmtap_ctx *ctx;
	struct log_capture log;
};

static int setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));

	if (!fx || vmtap_ctx_new(&fx->ctx) < 0) {
		free(fx);
		return -1;
	}
	vmtap_ctx_set_log(fx->ctx, capture_log, &fx->log, VMTAP_LOG_DEBUG);
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *fx = *state;

	vmtap_ctx_free(fx->ctx);
	free(fx);
	return 0;
}

/* What TUNGETFEATURES reports on a kernel with or without vnet header and multi-queue support. */
static struct vmtap_features features(bool vnet, bool mq)
{
	struct vmtap_features f = {
		.sz = sizeof(f),
		.tun_usable = true,
		.tun_flags = IFF_TUN | IFF_TAP | IFF_NO_PI | IFF_ONE_QUEUE | IFF_TUN_EXCL | IFF_NAPI |
			     (vnet ? IFF_VNET_HDR : 0) | (mq ? IFF_MULTI_QUEUE : 0),
		.vnet_hdr = vnet,
		.multi_queue = mq,
		.napi = true,
		.max_queues = mq ? VMTAP_MAX_QUEUES : 1,
	};
	return f;
}

/* Run vt_tun_flags() on a clean error state; @ret_flags starts at FLAGS_UNTOUCHED. */
static int flags_for(struct fixture *fx, const struct vmtap_tap_opts *o, const struct vmtap_features *f,
		     unsigned short *ret_flags)
{
	vt_clear_error(fx->ctx);
	memset(&fx->log, 0, sizeof(fx->log));
	*ret_flags = FLAGS_UNTOUCHED;
	return vt_tun_flags(fx->ctx, o, f, ret_flags);
}

static void assert_contains(const char *haystack, const char *needle)
{
	if (!strstr(haystack, needle))
		fail_msg("\"%s\" does not contain \"%s\"", haystack, needle);
}

static void assert_probe_failure(struct fixture *fx, int r, unsigned short flags, const char *words)
{
	assert_int_equal(r, -EOPNOTSUPP);
	assert_int_equal(flags, FLAGS_UNTOUCHED);
	assert_int_equal(vmtap_ctx_error_code(fx->ctx), -EOPNOTSUPP);
	assert_string_equal(vmtap_ctx_error_step(fx->ctx), "probe");
	assert_contains(vmtap_ctx_error(fx->ctx), words);
}

static void test_default(void **state)
{
	struct fixture *fx = *state;
	struct vmtap_features f = features(true, true);
	VMTAP_OPTS(vmtap_tap_opts, o);
	unsigned short flags;

	assert_int_equal(flags_for(fx, &o, &f, &flags), 0);
	assert_int_equal(flags, IFF_TAP | IFF_NO_PI | IFF_VNET_HDR);
	assert_int_equal(fx->log.warnings, 0);
	assert_string_equal(vmtap_ctx_error(fx->ctx), "");

	/* one queue given explicitly is the same as the default */
	o.queues = 1;
	assert_int_equal(flags_for(fx, &o, &f, &flags), 0);
	assert_int_equal(flags, IFF_TAP | IFF_NO_PI | IFF_VNET_HDR);

	/* without multi-queue support a single queue still works */
	f = features(true, false);
	assert_int_equal(flags_for(fx, &o, &f, &flags), 0);
	assert_int_equal(flags, IFF_TAP | IFF_NO_PI | IFF_VNET_HDR);

	/* offloads need no flag of their own */
	o.offloads = VMTAP_OFFLOAD_CSUM | VMTAP_OFFLOAD_TSO4;
	assert_int_equal(flags_for(fx, &o, &f, &flags), 0);
	assert_int_equal(flags, IFF_TAP | IFF_NO_PI | IFF_VNET_HDR);

	/* persistence, owner and group are ioctls, not TUNSETIFF flags */
	o.offloads = 0;
	o.flags = VMTAP_TAP_PERSIST | VMTAP_TAP_SET_OWNER | VMTAP_TAP_SET_GROUP;
	assert_int_equal(flags_for(fx, &o, &f, &flags), 0);
	assert_int_equal(flags, IFF_TAP | IFF_NO_PI | IFF_VNET_HDR);
}

static void test_multi_queue(void **state)
{
	struct fixture *fx = *state;
	struct vmtap_features f = features(true, true);
	VMTAP_OPTS(vmtap_tap_opts, o, .queues = 4);
	unsigned short flags;

	assert_int_equal(flags_for(fx, &o, &f, &flags), 0);
	assert_int_equal(flags, IFF_TAP | IFF_NO_PI | IFF_VNET_HDR | IFF_MULTI_QUEUE);

	o.queues = 2;
	assert_int_equal(flags_for(fx, &o, &f, &flags), 0);
	assert_int_equal(flags, IFF_TAP | IFF_NO_PI | IFF_VNET_HDR | IFF_MULTI_QUEUE);

	o.queues = VMTAP_MAX_QUEUES;
	assert_int_equal(flags_for(fx, &o, &f, &flags), 0);
	assert_int_equal(flags, IFF_TAP | IFF_NO_PI | IFF_VNET_HDR | IFF_MULTI_QUEUE);

	/* asked for with one queue */
	o.queues = 1;
	o.flags = VMTAP_TAP_MULTI_QUEUE;
	assert_int_equal(flags_for(fx, &o, &f, &flags), 0);
	assert_int_equal(flags, IFF_TAP | IFF_NO_PI | IFF_VNET_HDR | IFF_MULTI_QUEUE);

	o.flags = VMTAP_TAP_MULTI_QUEUE | VMTAP_TAP_NO_VNET_HDR;
	assert_int_equal(flags_for(fx, &o, &f, &flags), 0);
	assert_int_equal(flags, IFF_TAP | IFF_NO_PI | IFF_MULTI_QUEUE);
}

static void test_multi_queue_unsupported(void **state)
{
	struct fixture *fx = *state;
	struct vmtap_features f = features(true, false);
	VMTAP_OPTS(vmtap_tap_opts, o, .queues = 4);
	unsigned short flags;
	int r;

	r = flags_for(fx, &o, &f, &flags);
	assert_probe_failure(fx, r, flags, "IFF_MULTI_QUEUE");
	assert_contains(vmtap_ctx_error(fx->ctx), "4 queues");

	o.queues = 2;
	r = flags_for(fx, &o, &f, &flags);
	assert_probe_failure(fx, r, flags, "IFF_MULTI_QUEUE");

	o.queues = 1;
	o.flags = VMTAP_TAP_MULTI_QUEUE;
	r = flags_for(fx, &o, &f, &flags);
	assert_probe_failure(fx, r, flags, "IFF_MULTI_QUEUE");
	assert_contains(vmtap_ctx_error(fx->ctx), "a multi-queue device needs");

	/* the code also comes back without a context */
	flags = FLAGS_UNTOUCHED;
	assert_int_equal(vt_tun_flags(NULL, &o, &f, &flags), -EOPNOTSUPP);
	assert_int_equal(flags, FLAGS_UNTOUCHED);
}

static void test_no_vnet_hdr(void **state)
{
	struct fixture *fx = *state;
	struct vmtap_features f = features(true, true);
	VMTAP_OPTS(vmtap_tap_opts, o, .flags = VMTAP_TAP_NO_VNET_HDR);
	unsigned short flags;

	assert_int_equal(flags_for(fx, &o, &f, &flags), 0);
	assert_int_equal(flags, IFF_TAP | IFF_NO_PI);
	assert_int_equal(fx->log.warnings, 0);

	/* refusing what the kernel lacks anyway is not worth a warning */
	f = features(false, true);
	assert_int_equal(flags_for(fx, &o, &f, &flags), 0);
	assert_int_equal(flags, IFF_TAP | IFF_NO_PI);
	assert_int_equal(fx->log.warnings, 0);
}

static void test_require_vnet_hdr(void **state)
{
	struct fixture *fx = *state;
	struct vmtap_features f = features(true, true);
	VMTAP_OPTS(vmtap_tap_opts, o, .flags = VMTAP_TAP_REQUIRE_VNET_HDR);
	unsigned short flags;
	int r;

	assert_int_equal(flags_for(fx, &o, &f, &flags), 0);
	assert_int_equal(flags, IFF_TAP | IFF_NO_PI | IFF_VNET_HDR);

	f = features(false, true);
	r = flags_for(fx, &o, &f, &flags);
	assert_probe_failure(fx, r, flags, "IFF_VNET_HDR");
	assert_contains(vmtap_ctx_error(fx->ctx), "required");
	assert_int_equal(fx->log.warnings, 0); /* a failure, not a degradation */
}

static void test_vnet_hdr_degrades_with_warning(void **state)
{
	struct fixture *fx = *state;
	struct vmtap_features f = features(false, true);
	VMTAP_OPTS(vmtap_tap_opts, o);
	unsigned short flags;

	assert_int_equal(flags_for(fx, &o, &f, &flags), 0);
	assert_int_equal(flags, IFF_TAP | IFF_NO_PI);
	assert_int_equal(fx->log.warnings, 1);
	assert_int_equal(fx->log.errors, 0);
	assert_contains(fx->log.last_warning, "IFF_VNET_HDR");
	assert_contains(fx->log.last_warning, "without a vnet header");
	assert_string_equal(vmtap_ctx_error(fx->ctx), "");
	assert_int_equal(vmtap_ctx_error_code(fx->ctx), 0);

	/* multi-queue still added */
	o.queues = 3;
	assert_int_equal(flags_for(fx, &o, &f, &flags), 0);
	assert_int_equal(flags, IFF_TAP | IFF_NO_PI | IFF_MULTI_QUEUE);
	assert_int_equal(fx->log.warnings, 1);

	/* a log level below warnings hears nothing */
	vmtap_ctx_set_log(fx->ctx, capture_log, &fx->log, VMTAP_LOG_ERR);
	assert_int_equal(flags_for(fx, &o, &f, &flags), 0);
	assert_int_equal(flags, IFF_TAP | IFF_NO_PI | IFF_MULTI_QUEUE);
	assert_int_equal(fx->log.warnings, 0);

	/* no callback, no context: same flags */
	vmtap_ctx_set_log(fx->ctx, NULL, NULL, VMTAP_LOG_DEBUG);
	assert_int_equal(flags_for(fx, &o, &f, &flags), 0);
	assert_int_equal(flags, IFF_TAP | IFF_NO_PI | IFF_MULTI_QUEUE);
	flags = 0;
	assert_int_equal(vt_tun_flags(NULL, &o, &f, &flags), 0);
	assert_int_equal(flags, IFF_TAP | IFF_NO_PI | IFF_MULTI_QUEUE);
}

static void test_offloads_need_vnet_hdr(void **state)
{
	struct fixture *fx = *state;
	struct vmtap_features f = features(false, true);
	VMTAP_OPTS(vmtap_tap_opts, o, .offloads = VMTAP_OFFLOAD_CSUM);
	unsigned short flags;
	int r;

	/* degraded vnet header: the offloads cannot be honoured */
	r = flags_for(fx, &o, &f, &flags);
	assert_probe_failure(fx, r, flags, "offloads need the vnet header");

	/* vnet header refused by the caller */
	f = features(true, true);
	o.flags = VMTAP_TAP_NO_VNET_HDR;
	r = flags_for(fx, &o, &f, &flags);
	assert_probe_failure(fx, r, flags, "offloads");
}

static void test_no_tap_mode(void **state)
{
	struct fixture *fx = *state;
	struct vmtap_features f = features(true, true);
	VMTAP_OPTS(vmtap_tap_opts, o);
	unsigned short flags;
	int r;

	f.tun_flags &= ~(uint32_t)IFF_TAP;
	r = flags_for(fx, &o, &f, &flags);
	assert_probe_failure(fx, r, flags, "TAP mode");

	/* nothing known at all (an unusable tun driver) */
	memset(&f, 0, sizeof(f));
	f.sz = sizeof(f);
	r = flags_for(fx, &o, &f, &flags);
	assert_probe_failure(fx, r, flags, "TAP mode");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_default, setup, teardown),
		cmocka_unit_test_setup_teardown(test_multi_queue, setup, teardown),
		cmocka_unit_test_setup_teardown(test_multi_queue_unsupported, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_vnet_hdr, setup, teardown),
		cmocka_unit_test_setup_teardown(test_require_vnet_hdr, setup, teardown),
		cmocka_unit_test_setup_teardown(test_vnet_hdr_degrades_with_warning, setup, teardown),
		cmocka_unit_test_setup_teardown(test_offloads_need_vnet_hdr, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_tap_mode, setup, teardown),
	};

	return cmocka_run_group_tests_name("tun-flags", tests, NULL, NULL) ? EXIT_FAILURE : EXIT_SUCCESS;
}

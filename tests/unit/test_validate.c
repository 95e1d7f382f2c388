/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests of the validators (names, MACs, namespaces, queue counts), their error texts and options-struct copying. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <cmocka.h>

#include "ctx.h"
#include "validate.h"

static int ctx_setup(void **state)
{
	struct vmtap_ctx *ctx = NULL;

	if (vmtap_ctx_new(&ctx) < 0)
		return -1;
	*state = ctx;
	return 0;
}

static int ctx_teardown(void **state)
{
	vmtap_ctx_free(*state);
	return 0;
}

/* Assert that @haystack contains @needle, printing both when it does not. */
static void assert_contains(const char *haystack, const char *needle)
{
	if (!strstr(haystack, needle))
		fail_msg("\"%s\" does not contain \"%s\"", haystack, needle);
}

/* ---- interface names ---- */

static void test_name_valid(void **state)
{
	static const char *const good[] = {
		"tap0", "a", "abcdefghijklmno" /* 15 */, "vm-1_x.y", "tap.", "...", "a.b", "TAP+0", "x@y",
	};
	(void)state;

	for (size_t i = 0; i < ARRAY_SIZE(good); i++) {
		if (vmtap_name_validate(good[i]) != 0)
			fail_msg("\"%s\" rejected as a name", good[i]);
		if (vmtap_name_pattern_validate(good[i]) != 0)
			fail_msg("\"%s\" rejected as a pattern", good[i]);
	}
}

static void test_name_empty(void **state)
{
	(void)state;
	assert_int_equal(vmtap_name_validate(NULL), -EINVAL);
	assert_int_equal(vmtap_name_validate(""), -EINVAL);
	assert_int_equal(vmtap_name_pattern_validate(NULL), -EINVAL);
	assert_int_equal(vmtap_name_pattern_validate(""), -EINVAL);
}

static void test_name_length(void **state)
{
	char buf[128];
	(void)state;

	memset(buf, 'a', sizeof(buf));
	buf[15] = '\0';
	assert_int_equal(vmtap_name_validate(buf), 0);
	buf[15] = 'a';
	buf[16] = '\0';
	assert_int_equal(vmtap_name_validate(buf), -EINVAL);
	assert_int_equal(vmtap_name_pattern_validate(buf), -EINVAL);
	buf[127] = '\0';
	assert_int_equal(vmtap_name_validate(buf), -EINVAL);

	/* a pattern counts its "%d" like any other bytes */
	assert_int_equal(vmtap_name_pattern_validate("abcdefghijklm%d"), 0);
	assert_int_equal(vmtap_name_pattern_validate("abcdefghijklmn%d"), -EINVAL);
}

static void test_name_bad_chars(void **state)
{
	static const char *const bad[] = {
		"a/b", "/", "a:b", ":", "tap0:1", "a b", " tap", "tap ", "a\tb", "a\nb", "a\rb",
		"a\vb", "a\fb", "a\001b", "\x1b", "a\x7f", ".", "..",
	};
	(void)state;

	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		if (vmtap_name_validate(bad[i]) != -EINVAL)
			fail_msg("name #%zu accepted", i);
		if (vmtap_name_pattern_validate(bad[i]) != -EINVAL)
			fail_msg("pattern #%zu accepted", i);
	}
}

static void test_name_percent(void **state)
{
	static const char *const good_patterns[] = { "tap%d", "%d", "a%db", "vm%d-q" };
	static const char *const bad_patterns[] = {
		"tap%s", "a%d%d", "%", "tap%", "%%d", "%dd%", "%x", "tap%u", "%D", "%d%",
	};
	(void)state;

	for (size_t i = 0; i < ARRAY_SIZE(good_patterns); i++) {
		if (vmtap_name_pattern_validate(good_patterns[i]) != 0)
			fail_msg("pattern \"%s\" rejected", good_patterns[i]);
		/* an exact name never takes a pattern */
		if (vmtap_name_validate(good_patterns[i]) != -EINVAL)
			fail_msg("\"%s\" accepted as an exact name", good_patterns[i]);
	}
	for (size_t i = 0; i < ARRAY_SIZE(bad_patterns); i++) {
		if (vmtap_name_pattern_validate(bad_patterns[i]) != -EINVAL)
			fail_msg("pattern \"%s\" accepted", bad_patterns[i]);
		if (vmtap_name_validate(bad_patterns[i]) != -EINVAL)
			fail_msg("\"%s\" accepted as an exact name", bad_patterns[i]);
	}
}

static void test_name_error_text(void **state)
{
	struct vmtap_ctx *ctx = *state;
	char longname[101];

	vt_clear_error(ctx);
	assert_int_equal(vt_name_check(ctx, "interface name", "a/b", false), -EINVAL);
	assert_string_equal(vmtap_ctx_error_step(ctx), "validate");
	assert_int_equal(vmtap_ctx_error_code(ctx), -EINVAL);
	assert_string_equal(vmtap_ctx_error_extack(ctx), "");
	assert_contains(vmtap_ctx_error(ctx), "validate: ");
	assert_contains(vmtap_ctx_error(ctx), "interface name");
	assert_contains(vmtap_ctx_error(ctx), "\"a/b\"");
	assert_contains(vmtap_ctx_error(ctx), "'/'");

	vt_clear_error(ctx);
	assert_int_equal(vt_name_check(ctx, "bridge", "br:0", false), -EINVAL);
	assert_contains(vmtap_ctx_error(ctx), "bridge");
	assert_contains(vmtap_ctx_error(ctx), "':'");

	vt_clear_error(ctx);
	assert_int_equal(vt_name_check(ctx, "interface name", "a\tb", false), -EINVAL);
	assert_contains(vmtap_ctx_error(ctx), "whitespace");

	vt_clear_error(ctx);
	assert_int_equal(vt_name_check(ctx, "interface name", "a\001b", false), -EINVAL);
	assert_contains(vmtap_ctx_error(ctx), "control character");

	vt_clear_error(ctx);
	assert_int_equal(vt_name_check(ctx, "interface name", "abcdefghijklmnop", false), -EINVAL);
	assert_contains(vmtap_ctx_error(ctx), "16 bytes");
	assert_contains(vmtap_ctx_error(ctx), "15");

	/* a very long name is cut in the message */
	memset(longname, 'x', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	vt_clear_error(ctx);
	assert_int_equal(vt_name_check(ctx, "interface name", longname, false), -EINVAL);
	assert_contains(vmtap_ctx_error(ctx), "100 bytes");
	assert_contains(vmtap_ctx_error(ctx), "...");
	assert_null(strstr(vmtap_ctx_error(ctx), longname + 59)); /* 41 x's in a row */

	vt_clear_error(ctx);
	assert_int_equal(vt_name_check(ctx, "interface name", "tap%d", false), -EINVAL);
	assert_contains(vmtap_ctx_error(ctx), "'%'");
	assert_contains(vmtap_ctx_error(ctx), "patterns are not allowed");

	vt_clear_error(ctx);
	assert_int_equal(vt_name_check(ctx, "interface name", "a%d%d", true), -EINVAL);
	assert_contains(vmtap_ctx_error(ctx), "\"%d\"");

	vt_clear_error(ctx);
	assert_int_equal(vt_name_check(ctx, "interface name", "..", false), -EINVAL);
	assert_contains(vmtap_ctx_error(ctx), "\"..\" is not allowed");

	vt_clear_error(ctx);
	assert_int_equal(vt_name_check(ctx, "interface name", NULL, false), -EINVAL);
	assert_contains(vmtap_ctx_error(ctx), "empty");
}

static void test_error_model(void **state)
{
	struct vmtap_ctx *ctx = *state;
	struct vt_ack ack;

	vt_clear_error(ctx);
	assert_int_equal(vt_name_check(ctx, "interface name", "ok0", false), 0);
	assert_string_equal(vmtap_ctx_error(ctx), "");
	assert_string_equal(vmtap_ctx_error_step(ctx), "");
	assert_int_equal(vmtap_ctx_error_code(ctx), 0);

	/* a failing call always returns the errno it reports, and the last report is what the caller sees */
	assert_int_equal(vt_name_check(ctx, "interface name", "a/b", false), -EINVAL);
	assert_int_equal(vt_fail(ctx, -EIO, "set mtu", "tap0 to %u", 9000u), -EIO);
	assert_int_equal(vmtap_ctx_error_code(ctx), -EIO);
	assert_string_equal(vmtap_ctx_error_step(ctx), "set mtu");
	assert_contains(vmtap_ctx_error(ctx), "set mtu: tap0 to 9000: ");
	assert_contains(vmtap_ctx_error(ctx), strerror(EIO));

	/* the first failure wins in an undo scope: the undo's failures are logged, not reported */
	vt_clear_error(ctx);
	vt_ack_set(&ack, "kernel", "Invalid MTU");
	assert_int_equal(vt_fail_ack(ctx, -ERANGE, &ack, "set mtu", "tap0"), -ERANGE);
	{
		VT_UNDO_SCOPE(ctx);
		assert_int_equal(vt_fail(ctx, -EBUSY, "delete link", "tap0"), -EBUSY);
		vt_clear_error(ctx); /* public entry points called by an undo do not erase it either */
	}
	assert_int_equal(vmtap_ctx_error_code(ctx), -ERANGE);
	assert_string_equal(vmtap_ctx_error_step(ctx), "set mtu");
	assert_string_equal(vmtap_ctx_error_extack(ctx), "Invalid MTU");
	assert_contains(vmtap_ctx_error(ctx), "(kernel: Invalid MTU)");
	/* after the scope, reporting works as before */
	assert_int_equal(vt_fail(ctx, -EIO, "set persist", NULL), -EIO);
	assert_string_equal(vmtap_ctx_error_step(ctx), "set persist");
	assert_string_equal(vmtap_ctx_error_extack(ctx), ""); /* no stale ack */

	/* a peer's words are labelled as its own: only the kernel's are an extended ack */
	vt_ack_set(&ack, "QEMU", "Bus 'nope' not found\n");
	assert_int_equal(vt_fail_ack(ctx, -EREMOTEIO, &ack, "qmp", "device_add refused"), -EREMOTEIO);
	assert_contains(vmtap_ctx_error(ctx), "(QEMU: Bus 'nope' not found\\n)");
	assert_string_equal(vmtap_ctx_error_extack(ctx), "");

	/* a non-negative error is turned into -EIO */
	assert_int_equal(vt_fail(ctx, 0, "set mtu", NULL), -EIO);
	vt_clear_error(ctx);
	assert_string_equal(vmtap_ctx_error(ctx), "");
}

/* A field a newer header put in an older struct's tail padding must not be silently ignored. */
static void test_opts_tail_padding(void **state)
{
	union {
		struct vmtap_unplug_opts o;
		unsigned char bytes[sizeof(struct vmtap_unplug_opts)];
	} user;
	const size_t end = offsetofend(struct vmtap_unplug_opts, keep);
	struct vmtap_unplug_opts dst;

	(void)state;
	/* the struct this test is about has padding after its last field */
	assert_true(end < sizeof(struct vmtap_unplug_opts));
	memset(&user, 0, sizeof(user));
	user.o.sz = sizeof(user.o);
	user.o.qmp_path = "/run/q.qmp";
	user.o.keep = true;
	assert_true(VT_OPTS_COPY(dst, &user.o, vmtap_unplug_opts));
	assert_true(dst.keep);
	for (size_t i = end; i < sizeof(user); i++) {
		user.bytes[i] = 0x01;
		if (VT_OPTS_COPY(dst, &user.o, vmtap_unplug_opts))
			fail_msg("byte %zu of the tail padding, set by a newer caller, was ignored", i);
		user.bytes[i] = 0;
	}
	/*
	 * through the public calls as well: refused before the state directory
	 * is opened or created, and before a plug lock is taken (a private
	 * state directory all the same, never the machine's /run/vmtap)
	 */
	{
		struct vmtap_ctx *ctx;
		char tmp[] = "/tmp/vmtap-validate-XXXXXX", dir[64];
		struct stat st;
		VMTAP_OPTS(vmtap_hotplug_opts, h, .qmp_path = "/run/q.qmp");

		assert_non_null(mkdtemp(tmp));
		snprintf(dir, sizeof(dir), "%s/state", tmp);
		assert_int_equal(vmtap_ctx_new(&ctx), 0);
		assert_int_equal(vmtap_ctx_set_state_dir(ctx, dir), 0);
		user.bytes[end] = 0x01;
		assert_int_equal(vmtap_unplug(ctx, "x", &user.o), -EINVAL);
		assert_string_equal(vmtap_ctx_error_step(ctx), "validate");
		h.sz = 1; /* too small to hold even its size */
		assert_int_equal(vmtap_hotplug(ctx, "x", &h), -EINVAL);
		assert_string_equal(vmtap_ctx_error_step(ctx), "validate");
		h.sz = sizeof(h);
		h.timeout_ms = -1;
		assert_int_equal(vmtap_hotplug(ctx, "x", &h), -EINVAL);
		assert_string_equal(vmtap_ctx_error_step(ctx), "validate");
		/* nothing was made: not the state directory, so no lock in it either */
		assert_int_equal(stat(dir, &st), -1);
		assert_int_equal(errno, ENOENT);
		assert_int_equal(rmdir(tmp), 0);
		vmtap_ctx_free(ctx);
	}
	/* VMTAP_OPTS zeroes the tail padding too */
	{
		VMTAP_OPTS(vmtap_unplug_opts, o, .qmp_path = "/run/q.qmp", .keep = true);
		const unsigned char *b = (const unsigned char *)&o;
		for (size_t i = end; i < sizeof(o); i++)
			assert_int_equal(b[i], 0);
	}
}

static void test_null_ctx_accessors(void **state)
{
	(void)state;
	assert_string_equal(vmtap_ctx_error(NULL), "");
	assert_string_equal(vmtap_ctx_error_step(NULL), "");
	assert_string_equal(vmtap_ctx_error_extack(NULL), "");
	assert_int_equal(vmtap_ctx_error_code(NULL), 0);
	assert_int_equal(vmtap_ctx_new(NULL), -EINVAL);
	assert_null(vmtap_ctx_free(NULL));
	/* without a context the validators still return the code */
	assert_int_equal(vt_name_check(NULL, "x", "a/b", false), -EINVAL);
	assert_int_equal(vt_fail(NULL, -ENODEV, "look up link", "x"), -ENODEV);
}

/* ---- MAC addresses ---- */

static void check_mac(const char *s, const uint8_t want[6])
{
	uint8_t mac[6];

	memset(mac, 0xee, sizeof(mac));
	if (vmtap_mac_parse(s, strlen(s), mac) != 0)
		fail_msg("MAC \"%s\" rejected", s);
	assert_memory_equal(mac, want, 6);
}

static void check_mac_bad(const char *s, size_t len)
{
	uint8_t mac[6], untouched[6];

	memset(mac, 0xee, sizeof(mac));
	memset(untouched, 0xee, sizeof(untouched));
	if (vmtap_mac_parse(s, len, mac) != -EINVAL)
		fail_msg("MAC \"%.*s\" (len %zu) accepted", (int)len, s ? s : "(null)", len);
	assert_memory_equal(mac, untouched, 6);
}

static void test_mac_good(void **state)
{
	static const uint8_t a[6] = { 0x02, 0x00, 0x5e, 0x10, 0x00, 0x01 };
	static const uint8_t b[6] = { 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff };
	static const uint8_t c[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };
	static const uint8_t d[6] = { 0x00, 0x00, 0x00, 0x00, 0x00, 0x01 };
	(void)state;

	check_mac("02:00:5e:10:00:01", a);
	check_mac("02-00-5e-10-00-01", a);
	check_mac("02:00:5E:10:00:01", a);
	check_mac("AA:BB:CC:DD:EE:FF", b);
	check_mac("aA-bB-Cc-dD-eE-Ff", b);
	check_mac("52:54:00:12:34:56", c);
	check_mac("00:00:00:00:00:01", d);
	check_mac("fe:ff:ff:ff:ff:ff", (const uint8_t[6]){ 0xfe, 0xff, 0xff, 0xff, 0xff, 0xff });
}

static void test_mac_bad(void **state)
{
	static const char *const bad[] = {
		"",                    /* empty */
		"02:00:5e:10:00:1",    /* 16 bytes */
		"02:00:5e:10:00:011",  /* 18 bytes */
		"02:00:5e:10:00",      /* five octets */
		"02:00:5e:10:00:01:02",
		"02005e100001",        /* no separators */
		"02:00-5e:10:00:01",   /* mixed separators */
		"02-00-5e-10-00:01",
		"02.00.5e.10.00.01",   /* other separator */
		"02 00 5e 10 00 01",
		"02:00:5g:10:00:01",   /* non-hex */
		"0x:00:5e:10:00:01",
		"02:00:5e:10:00:0 ",
		" 2:00:5e:10:00:01",
		"+2:00:5e:10:00:01",
		"002:0:5e:10:00:01",   /* misaligned octets, right length */
		"02::00:5e:10:0001",
		"01:00:5e:00:00:01",   /* multicast */
		"03:00:00:00:00:01",
		"33:33:00:00:00:01",
		"ff:ff:ff:ff:ff:ff",   /* broadcast */
		"FF-FF-FF-FF-FF-FF",
		"00:00:00:00:00:00",   /* all zeros */
		"00-00-00-00-00-00",
	};
	(void)state;

	for (size_t i = 0; i < ARRAY_SIZE(bad); i++)
		check_mac_bad(bad[i], strlen(bad[i]));
	check_mac_bad(NULL, 17);
	{
		uint8_t mac[6];
		assert_int_equal(vmtap_mac_parse("02:00:5e:10:00:01", 17, NULL), -EINVAL);
		assert_int_equal(vmtap_mac_parse(NULL, 0, mac), -EINVAL);
	}
}

static void test_mac_len_not_strlen(void **state)
{
	static const uint8_t a[6] = { 0x02, 0x00, 0x5e, 0x10, 0x00, 0x01 };
	char embedded_nul[17];
	uint8_t mac[6];
	char *exact;
	(void)state;

	/* @len rules, not the terminating NUL */
	check_mac_bad("02:00:5e:10:00:01", 16);
	check_mac_bad("02:00:5e:10:00:01", 0);
	check_mac_bad("02:00:5e:10:00:01", 18); /* the NUL is not a digit */
	assert_int_equal(vmtap_mac_parse("02:00:5e:10:00:01trailing", 17, mac), 0);
	assert_memory_equal(mac, a, 6);
	assert_int_equal(vmtap_mac_parse("02:00:5e:10:00:01 ", 17, mac), 0);
	assert_int_equal(vmtap_mac_parse("02:00:5e:10:00:01 ", 18, mac), -EINVAL);

	memset(embedded_nul, 0, sizeof(embedded_nul));
	memcpy(embedded_nul, "02:00", 5);
	check_mac_bad(embedded_nul, sizeof(embedded_nul));
	memcpy(embedded_nul, "02:00:5e:10:00:0", 16); /* last digit NUL */
	check_mac_bad(embedded_nul, sizeof(embedded_nul));

	/* exactly 17 bytes, no terminator (the sanitizers catch a read past them) */
	exact = malloc(17);
	assert_non_null(exact);
	memcpy(exact, "02:00:5e:10:00:01", 17);
	assert_int_equal(vmtap_mac_parse(exact, 17, mac), 0);
	assert_memory_equal(mac, a, 6);
	free(exact);
}

static void test_mac_error_text(void **state)
{
	struct vmtap_ctx *ctx = *state;
	uint8_t mac[6];
	char *exact;

	vt_clear_error(ctx);
	assert_int_equal(vt_mac_parse(ctx, "01:00:5e:00:00:01", 17, mac), -EINVAL);
	assert_string_equal(vmtap_ctx_error_step(ctx), "validate");
	assert_contains(vmtap_ctx_error(ctx), "multicast");
	assert_contains(vmtap_ctx_error(ctx), "01:00:5e:00:00:01");

	vt_clear_error(ctx);
	assert_int_equal(vt_mac_parse(ctx, "00:00:00:00:00:00", 17, mac), -EINVAL);
	assert_contains(vmtap_ctx_error(ctx), "all zeros");

	vt_clear_error(ctx);
	assert_int_equal(vt_mac_parse(ctx, "02:00:5e:10:zz:01", 17, mac), -EINVAL);
	assert_contains(vmtap_ctx_error(ctx), "non-hex");

	vt_clear_error(ctx);
	assert_int_equal(vt_mac_parse(ctx, "02:00", 5, mac), -EINVAL);
	assert_contains(vmtap_ctx_error(ctx), "\"02:00\"");
	assert_contains(vmtap_ctx_error(ctx), "aa:bb:cc:dd:ee:ff");

	vt_clear_error(ctx);
	assert_int_equal(vt_mac_parse(ctx, NULL, 0, mac), -EINVAL);
	assert_contains(vmtap_ctx_error(ctx), "empty");

	/* the message quotes at most @len bytes of an unterminated buffer */
	exact = malloc(17);
	assert_non_null(exact);
	memcpy(exact, "02-00:5e:10:00:01", 17);
	vt_clear_error(ctx);
	assert_int_equal(vt_mac_parse(ctx, exact, 17, mac), -EINVAL);
	assert_contains(vmtap_ctx_error(ctx), "\"02-00:5e:10:00:01\"");
	memcpy(exact, "ff:ff:ff:ff:ff:ff", 17);
	vt_clear_error(ctx);
	assert_int_equal(vt_mac_parse(ctx, exact, 17, mac), -EINVAL);
	assert_contains(vmtap_ctx_error(ctx), "ff:ff:ff:ff:ff:ff is multicast");
	free(exact);
	exact = malloc(5);
	assert_non_null(exact);
	memcpy(exact, "02:00", 5);
	vt_clear_error(ctx);
	assert_int_equal(vt_mac_parse(ctx, exact, 5, mac), -EINVAL);
	assert_contains(vmtap_ctx_error(ctx), "\"02:00\"");
	free(exact);
}

/* ---- namespace names ---- */

static void test_netns_name(void **state)
{
	char buf[300];
	(void)state;

	assert_int_equal(vmtap_netns_name_validate("vm1"), 0);
	assert_int_equal(vmtap_netns_name_validate("a"), 0);
	assert_int_equal(vmtap_netns_name_validate("..."), 0);
	assert_int_equal(vmtap_netns_name_validate(".hidden"), 0);
	assert_int_equal(vmtap_netns_name_validate("with space"), 0);
	assert_int_equal(vmtap_netns_name_validate("a:b"), 0);

	assert_int_equal(vmtap_netns_name_validate(NULL), -EINVAL);
	assert_int_equal(vmtap_netns_name_validate(""), -EINVAL);
	assert_int_equal(vmtap_netns_name_validate("."), -EINVAL);
	assert_int_equal(vmtap_netns_name_validate(".."), -EINVAL);
	assert_int_equal(vmtap_netns_name_validate("a/b"), -EINVAL);
	assert_int_equal(vmtap_netns_name_validate("/run/netns/vm1"), -EINVAL);
	assert_int_equal(vmtap_netns_name_validate("../vm1"), -EINVAL);
	assert_int_equal(vmtap_netns_name_validate("vm1/"), -EINVAL);

	memset(buf, 'n', sizeof(buf));
	buf[255] = '\0';
	assert_int_equal(vmtap_netns_name_validate(buf), 0);
	buf[255] = 'n';
	buf[256] = '\0';
	assert_int_equal(vmtap_netns_name_validate(buf), -EINVAL);
}

static void test_netns_error_text(void **state)
{
	struct vmtap_ctx *ctx = *state;

	vt_clear_error(ctx);
	assert_int_equal(vt_netns_name_check(ctx, "../x"), -EINVAL);
	assert_string_equal(vmtap_ctx_error_step(ctx), "validate");
	assert_contains(vmtap_ctx_error(ctx), "namespace name");
	assert_contains(vmtap_ctx_error(ctx), "\"../x\"");
	assert_contains(vmtap_ctx_error(ctx), "not a plain name");

	vt_clear_error(ctx);
	assert_int_equal(vt_netns_name_check(ctx, ""), -EINVAL);
	assert_contains(vmtap_ctx_error(ctx), "empty");
}

/* ---- queue counts ---- */

static void test_queues(void **state)
{
	struct vmtap_ctx *ctx = *state;

	assert_int_equal(vt_queues_check(NULL, 1), 0);
	assert_int_equal(vt_queues_check(NULL, VMTAP_MAX_QUEUES), 0);
	assert_int_equal(vt_queues_check(NULL, 0), -EINVAL);
	assert_int_equal(vt_queues_check(NULL, VMTAP_MAX_QUEUES + 1), -EINVAL);
	assert_int_equal(vt_queues_check(NULL, ~0u), -EINVAL);

	vt_clear_error(ctx);
	assert_int_equal(vt_queues_check(ctx, 257), -EINVAL);
	assert_string_equal(vmtap_ctx_error_step(ctx), "validate");
	assert_contains(vmtap_ctx_error(ctx), "257");
	assert_contains(vmtap_ctx_error(ctx), "1..256");
}

/* ---- options structs of other sizes ---- */

struct newer_opts {
	struct vmtap_tap_opts base;
	uint64_t future[2];
};

static void test_opts_larger(void **state)
{
	struct newer_opts big;
	const struct vmtap_tap_opts *src = &big.base;
	struct vmtap_tap_opts dst;
	(void)state;

	memset(&big, 0, sizeof(big));
	big.base.sz = sizeof(big);
	big.base.name = "tap0";
	big.base.queues = 4;
	big.base.netns = "vm1";

	/* unknown tail all zero: accepted, known part copied */
	memset(&dst, 0x5a, sizeof(dst));
	assert_true(VT_OPTS_COPY(dst, src, vmtap_tap_opts));
	assert_int_equal(dst.sz, sizeof(dst));
	assert_string_equal(dst.name, "tap0");
	assert_int_equal(dst.queues, 4);
	assert_string_equal(dst.netns, "vm1");
	assert_int_equal(dst.flags, 0);

	/* any non-zero byte in the unknown tail: refused, nothing copied */
	for (size_t i = 0; i < sizeof(big.future); i++) {
		memset(big.future, 0, sizeof(big.future));
		((unsigned char *)big.future)[i] = 0x01;
		memset(&dst, 0x5a, sizeof(dst));
		assert_false(VT_OPTS_COPY(dst, src, vmtap_tap_opts));
		assert_int_equal(dst.sz, sizeof(dst));
		assert_null(dst.name);
		assert_int_equal(dst.queues, 0);
	}
}

static void test_opts_smaller_and_odd(void **state)
{
	/* kept inside a larger object, so that reading past the struct stays defined */
	struct newer_opts store;
	struct vmtap_tap_opts *full = &store.base, dst;
	const struct vmtap_tap_opts *src = full;
	(void)state;

	/* an older caller knew only sz, name and queues: the rest is not read */
	memset(&store, 0, sizeof(store));
	full->sz = offsetof(struct vmtap_tap_opts, flags);
	full->name = "old0";
	full->queues = 2;
	full->flags = VMTAP_TAP_PERSIST;  /* beyond the caller's size: must not be copied */
	full->netns = "ignored";
	memset(&dst, 0x5a, sizeof(dst));
	assert_true(VT_OPTS_COPY(dst, src, vmtap_tap_opts));
	assert_int_equal(dst.sz, sizeof(dst));
	assert_string_equal(dst.name, "old0");
	assert_int_equal(dst.queues, 2);
	assert_int_equal(dst.flags, 0);
	assert_null(dst.netns);

	/* same size: every byte is known */
	full->sz = sizeof(*full);
	assert_true(VT_OPTS_COPY(dst, src, vmtap_tap_opts));

	/* a size that cannot even hold the size field: refused */
	full->sz = 0;
	assert_false(VT_OPTS_COPY(dst, src, vmtap_tap_opts));
	full->sz = sizeof(size_t) - 1;
	assert_false(VT_OPTS_COPY(dst, src, vmtap_tap_opts));
	full->sz = sizeof(size_t);
	assert_true(VT_OPTS_COPY(dst, src, vmtap_tap_opts));
	assert_null(dst.name);

	/* no struct at all: defaults */
	{
		const struct vmtap_tap_opts *none = NULL;
		memset(&dst, 0x5a, sizeof(dst));
		assert_true(VT_OPTS_COPY(dst, none, vmtap_tap_opts));
		assert_int_equal(dst.sz, sizeof(dst));
		assert_null(dst.name);
		assert_int_equal(dst.queues, 0);
	}

	/* VMTAP_OPTS sets the size */
	{
		VMTAP_OPTS(vmtap_tap_opts, o, .queues = 3);
		assert_int_equal(o.sz, sizeof(struct vmtap_tap_opts));
		assert_int_equal(o.queues, 3);
		assert_null(o.name);
	}
}

static void test_mac_format_and_usable(void **state)
{
	const uint8_t mac[6] = { 0xfe, 0x54, 0x00, 0x0a, 0xbc, 0x01 };
	const uint8_t multicast[6] = { 0x01, 0, 0x5e, 0, 0, 1 }, zero[6] = { 0 };
	char text[VMTAP_MAC_STRLEN];
	uint8_t back[6];

	(void)state;
	assert_ptr_equal(vmtap_mac_format(mac, text), text);
	assert_string_equal(text, "fe:54:00:0a:bc:01");
	/* what is formatted parses back to the same bytes */
	assert_int_equal(vmtap_mac_parse(text, strlen(text), back), 0);
	assert_memory_equal(back, mac, 6);
	assert_true(vmtap_mac_usable(mac));
	assert_false(vmtap_mac_usable(multicast));
	assert_false(vmtap_mac_usable(zero));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_name_valid),
		cmocka_unit_test(test_name_empty),
		cmocka_unit_test(test_name_length),
		cmocka_unit_test(test_name_bad_chars),
		cmocka_unit_test(test_name_percent),
		cmocka_unit_test_setup_teardown(test_name_error_text, ctx_setup, ctx_teardown),
		cmocka_unit_test_setup_teardown(test_error_model, ctx_setup, ctx_teardown),
		cmocka_unit_test(test_null_ctx_accessors),
		cmocka_unit_test(test_mac_good),
		cmocka_unit_test(test_mac_bad),
		cmocka_unit_test(test_mac_len_not_strlen),
		cmocka_unit_test(test_mac_format_and_usable),
		cmocka_unit_test_setup_teardown(test_mac_error_text, ctx_setup, ctx_teardown),
		cmocka_unit_test(test_netns_name),
		cmocka_unit_test_setup_teardown(test_netns_error_text, ctx_setup, ctx_teardown),
		cmocka_unit_test_setup_teardown(test_queues, ctx_setup, ctx_teardown),
		cmocka_unit_test(test_opts_larger),
		cmocka_unit_test(test_opts_smaller_and_odd),
		cmocka_unit_test(test_opts_tail_padding),
	};

	return cmocka_run_group_tests_name("validate", tests, NULL, NULL) ? EXIT_FAILURE : EXIT_SUCCESS;
}

/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests of vmtap-bridge-helper's parsers (ACL as QEMU decides it, limits) and of the helper's wire format. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "acl.h"
#include "user_limits.h"
#include "bridge_helper.h"

/* ---- ACL ---- */

/* included files of the tests: path -> text; a NULL text is a file that does not exist */
static const struct {
	const char *path, *text;
} inc_files[] = {
	{ "/inc/allow-br0", "allow br0\n" },
	{ "/inc/deny-br0", "deny br0\n" },
	{ "/inc/bad-after-allow", "allow br0\nbogus line\ndeny br0\n" },
	{ "/inc/self", "include /inc/self\nallow br0\n" },
	{ "/inc/a", "include /inc/b\n" },
	{ "/inc/b", "include /inc/a\nallow br0\n" },
	{ "/inc/chain1", "include /inc/chain2\n" }, { "/inc/chain2", "include /inc/chain3\n" },
	{ "/inc/chain3", "include /inc/chain4\n" }, { "/inc/chain4", "include /inc/chain5\n" },
	{ "/inc/chain5", "include /inc/chain6\n" }, { "/inc/chain6", "include /inc/chain7\n" },
	{ "/inc/chain7", "include /inc/chain8\n" }, { "/inc/chain8", "include /inc/chain9\n" },
	{ "/inc/chain9", "allow br0\n" },
	{ "/inc/long-name", "allow 0123456789abcdef\n" },
};

struct inc_state {
	const char *stack[BH_ACL_MAX_DEPTH + 2];
	unsigned int depth;
	unsigned int warnings;
};

/* the helper's policy (main.c) on an in-memory file system: missing skipped, loops and depth refused */
static int test_include(struct bh_acl *acl, const char *path, unsigned int depth)
{
	struct inc_state *st = acl->userdata;
	int r;

	if (depth > BH_ACL_MAX_DEPTH) {
		snprintf(acl->error, sizeof(acl->error), "too deep");
		return -ELOOP;
	}
	for (size_t i = 0; i < sizeof(inc_files) / sizeof(inc_files[0]); i++) {
		if (strcmp(inc_files[i].path, path))
			continue;
		for (unsigned int k = 0; k < st->depth; k++)
			if (!strcmp(st->stack[k], path)) {
				snprintf(acl->error, sizeof(acl->error), "loop");
				return -ELOOP;
			}
		st->stack[st->depth++] = path;
		r = bh_acl_eval(acl, path, inc_files[i].text, strlen(inc_files[i].text), depth);
		st->depth--;
		if (r == -EINVAL) {
			st->warnings++;
			acl->error[0] = '\0';
			return 0;
		}
		return r;
	}
	return 0; /* missing: skipped */
}

enum verdict { ALLOW, DENY, ERROR };

static enum verdict decide_len(const char *text, size_t len, const char *bridge, struct inc_state *st)
{
	struct bh_acl acl = { .bridge = bridge, .include = test_include, .userdata = st };

	st->stack[0] = "/top";
	st->depth = 1;
	if (bh_acl_eval(&acl, "/top", text, len, 0) < 0) {
		assert_true(acl.error[0] != '\0');
		return ERROR;
	}
	return bh_acl_permits(&acl) ? ALLOW : DENY;
}

static enum verdict decide(const char *text, const char *bridge)
{
	struct inc_state st = { .depth = 0 };
	return decide_len(text, strlen(text), bridge, &st);
}

static void test_acl_table(void **state)
{
	static const struct {
		const char *text, *bridge;
		enum verdict want;
	} cases[] = {
		{ "allow br0\n", "br0", ALLOW },
		{ "allow br0\n", "br1", DENY },
		{ "allow all\n", "br1", ALLOW },
		{ "", "br0", DENY },                         /* no allow means deny */
		{ "deny br0\nallow br0\n", "br0", DENY },    /* deny wins whatever the order */
		{ "allow br0\ndeny br0\n", "br0", DENY },
		{ "allow all\ndeny br0\n", "br0", DENY },
		{ "allow all\ndeny br0\n", "br1", ALLOW },
		{ "deny all\nallow br0\n", "br0", DENY },
		{ "deny br1\nallow all\n", "br0", ALLOW },
		{ "# comment\n\n   \n\tallow br0\n", "br0", ALLOW },
		{ "  # indented comment\nallow br0", "br0", ALLOW }, /* last line without a newline */
		{ "allow\tbr0\n", "br0", ALLOW },            /* a tab when the line has no space */
		{ "allow\t\tbr0\n", "br0", ALLOW },
		{ "allow \tbr0\n", "br0", ALLOW },
		{ "allow\t br0\n", "br0", ERROR },           /* QEMU's command is "allow\t": unknown */
		{ "allow  br0   \n", "br0", ALLOW },
		{ "allow br0\r\n", "br0", ALLOW },
		{ "allow br0 \v\f\r\n", "br0", ALLOW },
		{ "ALLOW br0\n", "br0", ERROR },
		{ "allow\n", "br0", ERROR },                 /* a command without an argument */
		{ "allow \n", "br0", DENY },                 /* an empty name: matches nothing */
		{ "allow br0 br1\n", "br0", DENY },          /* one name "br0 br1" */
		{ "allow ALL\n", "br0", DENY },
		{ "allow all \n", "br0", ALLOW },
		{ "allow 0123456789abcde\n", "0123456789abcde", ALLOW },   /* 15 bytes: fine */
		{ "allow 0123456789abcdef\n", "0123456789abcde", ERROR },  /* 16: CVE-2019-13164 */
		{ "allow br0\nallow 0123456789abcdef\n", "br0", ERROR },  /* an error anywhere refuses */
		{ "frobnicate 0123456789abcdef\n", "br0", ERROR },
		{ "frobnicate x\nallow br0\n", "br0", ERROR },
		{ "include /inc/allow-br0\n", "br0", ALLOW },
		{ "include /nonexistent\nallow br0\n", "br0", ALLOW },      /* missing include skipped */
		{ "allow br0\ninclude /inc/deny-br0\n", "br0", DENY },
		{ "include /inc/bad-after-allow\n", "br0", ALLOW },         /* rules before the error count */
		{ "include /inc/self\n", "br0", ERROR },                    /* a loop refuses (QEMU's crashes) */
		{ "include /inc/a\n", "br0", ERROR },
		{ "include /inc/chain1\n", "br0", ERROR },                  /* 9 deep: refused */
		{ "include /inc/long-name\nallow br0\n", "br0", ALLOW },    /* the include's error is its own */
		{ "include      /inc/allow-br0   \n", "br0", ALLOW },
	};
	(void)state;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		enum verdict got = decide(cases[i].text, cases[i].bridge);
		if (got != cases[i].want)
			fail_msg("case %zu %s (bridge %s): got %d, want %d", i, cases[i].text, cases[i].bridge, got,
				 cases[i].want);
	}
}

static void test_acl_nul_ends_line(void **state)
{
	static const char text[] = "allow br0\0garbage that is no rule\ndeny\0 br0\n";
	struct inc_state st = { .depth = 0 };
	(void)state;

	/* QEMU's string functions stop at the NUL: "allow br0", then "deny" without argument */
	assert_int_equal(decide_len(text, 10 + strlen("garbage that is no rule\n"), "br0", &st), ALLOW);
	assert_int_equal(decide_len(text, sizeof(text) - 1, "br0", &st), ERROR);
}

static void test_acl_long_lines(void **state)
{
	char buf[BH_ACL_LINE_MAX + 16];
	struct inc_state st = { .depth = 0 };
	(void)state;

	/* 4095 bytes fit QEMU's fgets() buffer with the NUL: one line */
	memset(buf, ' ', sizeof(buf));
	memcpy(buf, "allow br0", 9);
	buf[BH_ACL_LINE_MAX] = '\n';
	assert_int_equal(decide_len(buf, BH_ACL_LINE_MAX + 1, "br0", &st), ALLOW);
	/* 4096: QEMU would read two lines; refused */
	buf[BH_ACL_LINE_MAX] = ' ';
	buf[BH_ACL_LINE_MAX + 1] = '\n';
	assert_int_equal(decide_len(buf, BH_ACL_LINE_MAX + 2, "br0", &st), ERROR);
}

static void test_acl_where(void **state)
{
	struct inc_state st = { .depth = 1, .stack = { "/top" } };
	struct bh_acl acl = { .bridge = "br0", .include = test_include, .userdata = &st };
	static const char text[] = "allow all\n# x\ninclude /inc/deny-br0\ndeny br0\n";
	(void)state;

	assert_int_equal(bh_acl_eval(&acl, "/top", text, strlen(text), 0), 0);
	assert_true(acl.allowed && acl.denied);
	assert_string_equal(acl.allowed_by.file, "/top");
	assert_int_equal(acl.allowed_by.line, 1);
	/* the first deny that matched: line 1 of the included file */
	assert_string_equal(acl.denied_by.file, "/inc/deny-br0");
	assert_int_equal(acl.denied_by.line, 1);
	assert_int_equal(acl.rules, 3);
}

static void test_acl_error_names_line(void **state)
{
	struct bh_acl acl = { .bridge = "br0" };
	static const char text[] = "allow br0\n\nfoo bar\n";
	(void)state;

	assert_int_equal(bh_acl_eval(&acl, "/etc/qemu/bridge.conf", text, strlen(text), 0), -EINVAL);
	assert_non_null(strstr(acl.error, "/etc/qemu/bridge.conf:3"));
	assert_non_null(strstr(acl.error, "unknown command `foo'"));
}

/* ---- limits ---- */

static const gid_t groups_100_200[] = { 100, 200 };

static int limits(const char *text, uid_t uid, struct bh_limits *ret)
{
	struct bh_identity who = { .uid = uid, .gid = 4242, .groups = groups_100_200, .ngroups = 2 };
	char err[256] = "";
	int r = bh_limits_parse(text, strlen(text), &who, ret, err, sizeof(err));

	if (r < 0)
		assert_true(err[0] != '\0');
	return r;
}

static void test_limits(void **state)
{
	struct bh_limits l;
	(void)state;

	assert_int_equal(limits("", 1000, &l), 0);
	assert_int_equal(l.max_queues, BH_DEFAULT_MAX_QUEUES);
	assert_int_equal(l.max_taps, BH_DEFAULT_MAX_TAPS);

	assert_int_equal(limits("# defaults\nmax-queues 4\nmax-taps 2\n", 1000, &l), 0);
	assert_int_equal(l.max_queues, 4);
	assert_int_equal(l.max_taps, 2);

	/* a uid line wins over gid lines; the most generous gid line over the defaults */
	static const char text[] = "max-queues 2 max-taps 3\n"
				   "gid 100 max-queues 4\n"
				   "gid 200 max-queues 16 max-taps 1   # generous queues, mean taps\n"
				   "gid 300 max-queues 256\n"
				   "uid 1000 max-taps unlimited\n";
	assert_int_equal(limits(text, 1000, &l), 0);
	assert_int_equal(l.max_queues, 16);
	assert_int_equal(l.max_taps, BH_LIMIT_UNLIMITED);
	assert_int_equal(limits(text, 1001, &l), 0);
	assert_int_equal(l.max_queues, 16);
	assert_int_equal(l.max_taps, 1);
	assert_int_equal(limits("uid 4242 max-queues 1\nuid 4242 max-queues 3\n", 4242, &l), 0);
	assert_int_equal(l.max_queues, 3);
	assert_int_equal(limits("gid 4242 max-taps 0\n", 1, &l), 0); /* the primary group counts */
	assert_int_equal(l.max_taps, 0);
}

static void test_limits_refused(void **state)
{
	static const char *const bad[] = {
		"max-queues 0\n", "max-queues 257\n", "max-queues -1\n", "max-queues +4\n", "max-queues 4x\n",
		"max-queues\n", "max-taps 65536\n", "max-taps lots\n", "max-cpus 4\n", "uid alice max-queues 4\n",
		"uid 1000\n", "uid 1000 max-queues\n", "gid max-queues 4\n", "uid 4294967295 max-queues 1\n",
		"max-queues 99999999999999999999\n",
	};
	struct bh_limits l = { .max_queues = 77, .max_taps = 77 };
	(void)state;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (limits(bad[i], 1000, &l) != -EINVAL)
			fail_msg("accepted: %s", bad[i]);
		/* untouched on failure */
		assert_int_equal(l.max_queues, 77);
	}
	{
		static const char nul[] = "max-queues 4\0\n";
		struct bh_identity who = { .uid = 1 };
		char err[128];
		assert_int_equal(bh_limits_parse(nul, sizeof(nul) - 1, &who, &l, err, sizeof(err)), -EINVAL);
	}
}

/* ---- wire format ---- */

static void test_wire_roundtrip(void **state)
{
	struct vt_bh_msg m = { .version = 1, .kind = VT_BH_KIND_QUEUE, .queues = 256, .vhosts = 256, .first = 253,
			       .count = 3 }, back;
	uint8_t buf[VT_BH_MSG_SIZE];
	char err[128];
	(void)state;

	vt_bh_msg_encode(&m, buf);
	/* little-endian on the wire, whatever the host */
	assert_int_equal(buf[0], 1);
	assert_int_equal(buf[1], 1);
	assert_int_equal(buf[2], 0x00);
	assert_int_equal(buf[3], 0x01);
	assert_int_equal(buf[6], 253);
	assert_int_equal(buf[8], 3);
	assert_int_equal(vt_bh_msg_parse(buf, sizeof(buf), &back, err, sizeof(err)), 0);
	assert_memory_equal(&m, &back, sizeof(m));
}

static void test_wire_refused(void **state)
{
	static const struct {
		struct vt_bh_msg m;
		const char *why;
	} bad[] = {
		{ { 0, 1, 1, 0, 0, 1 }, "version" },
		{ { 2, 1, 1, 0, 0, 1 }, "version" },
		{ { 1, 3, 1, 0, 0, 1 }, "kind" },
		{ { 1, 1, 0, 0, 0, 1 }, "queues" },
		{ { 1, 1, 257, 0, 0, 1 }, "queues" },
		{ { 1, 1, 4, 2, 0, 4 }, "vhost" },
		{ { 1, 1, 4, 0, 0, 0 }, "fit" },
		{ { 1, 1, 4, 0, 2, 3 }, "fit" },
		{ { 1, 1, 256, 0, 0, 254 }, "fit" },
		{ { 1, 2, 4, 0, 0, 1 }, "fit" },
	};
	uint8_t buf[VT_BH_MSG_SIZE + 1];
	struct vt_bh_msg out;
	char err[128];
	(void)state;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		vt_bh_msg_encode(&bad[i].m, buf);
		assert_int_equal(vt_bh_msg_parse(buf, VT_BH_MSG_SIZE, &out, err, sizeof(err)), -EBADMSG);
		if (!strstr(err, bad[i].why))
			fail_msg("case %zu: '%s' does not mention %s", i, err, bad[i].why);
	}
	struct vt_bh_msg ok = { 1, 1, 4, 0, 0, 4 };
	vt_bh_msg_encode(&ok, buf);
	assert_int_equal(vt_bh_msg_parse(buf, VT_BH_MSG_SIZE - 1, &out, err, sizeof(err)), -EBADMSG);
	assert_int_equal(vt_bh_msg_parse(buf, VT_BH_MSG_SIZE + 1, &out, err, sizeof(err)), -EBADMSG);
	buf[11] = 1;
	assert_int_equal(vt_bh_msg_parse(buf, VT_BH_MSG_SIZE, &out, err, sizeof(err)), -EBADMSG);
	/* QEMU's one-byte message is not a version-1 message */
	buf[0] = 0;
	assert_int_equal(vt_bh_msg_parse(buf, 1, &out, err, sizeof(err)), -EBADMSG);
}

static void test_wire_sequence(void **state)
{
	struct vt_bh_reply st = { .started = false };
	char err[128];
	(void)state;

	/* 256 queues and 256 vhost-net fds: 253 + 3 of each, queues first */
	struct vt_bh_msg q1 = { 1, 1, 256, 256, 0, 253 }, q2 = { 1, 1, 256, 256, 253, 3 };
	struct vt_bh_msg v1 = { 1, 2, 256, 256, 0, 253 }, v2 = { 1, 2, 256, 256, 253, 3 };
	assert_int_equal(vt_bh_reply_add(&st, &q1, err, sizeof(err)), 0);
	assert_false(vt_bh_reply_complete(&st));
	/* vhost before the queues are complete */
	assert_int_equal(vt_bh_reply_add(&st, &v1, err, sizeof(err)), -EBADMSG);
	assert_int_equal(vt_bh_reply_add(&st, &q2, err, sizeof(err)), 0);
	/* a gap */
	assert_int_equal(vt_bh_reply_add(&st, &v2, err, sizeof(err)), -EBADMSG);
	assert_int_equal(vt_bh_reply_add(&st, &v1, err, sizeof(err)), 0);
	/* changed totals */
	struct vt_bh_msg other = { 1, 2, 256, 0, 253, 3 };
	assert_int_equal(vt_bh_reply_add(&st, &other, err, sizeof(err)), -EBADMSG);
	assert_int_equal(vt_bh_reply_add(&st, &v2, err, sizeof(err)), 0);
	assert_true(vt_bh_reply_complete(&st));
	/* a repeat overlaps */
	assert_int_equal(vt_bh_reply_add(&st, &q2, err, sizeof(err)), -EBADMSG);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_acl_table),
		cmocka_unit_test(test_acl_nul_ends_line),
		cmocka_unit_test(test_acl_long_lines),
		cmocka_unit_test(test_acl_where),
		cmocka_unit_test(test_acl_error_names_line),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_limits_refused),
		cmocka_unit_test(test_wire_roundtrip),
		cmocka_unit_test(test_wire_refused),
		cmocka_unit_test(test_wire_sequence),
	};

	return cmocka_run_group_tests_name("bridge-helper", tests, NULL, NULL);
}

/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests of cli/cli.c: exit codes from library errors, exact option parsing and number/user parsing. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "cli.h"
#include "ctx.h"
#include "validate.h"
#include "validate.h"

/* ---- capturing what the CLI writes to stderr ---- */

struct capture {
	int saved_fd;
	FILE *tmp;
};

static void capture_start(struct capture *c)
{
	fflush(stderr);
	c->tmp = tmpfile();
	assert_non_null(c->tmp);
	c->saved_fd = dup(STDERR_FILENO);
	assert_true(c->saved_fd >= 0);
	assert_true(dup2(fileno(c->tmp), STDERR_FILENO) >= 0);
}

/* Stop capturing; returns what was written (malloc'ed, NUL-terminated). */
static char *capture_end(struct capture *c)
{
	char *buf;
	long len;

	fflush(stderr);
	assert_true(dup2(c->saved_fd, STDERR_FILENO) >= 0);
	close(c->saved_fd);
	assert_int_equal(fseek(c->tmp, 0, SEEK_END), 0);
	len = ftell(c->tmp);
	assert_true(len >= 0);
	rewind(c->tmp);
	buf = calloc(1, (size_t)len + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)len, c->tmp), (size_t)len);
	fclose(c->tmp);
	return buf;
}

static void assert_contains(const char *haystack, const char *needle)
{
	if (!strstr(haystack, needle))
		fail_msg("\"%s\" does not contain \"%s\"", haystack, needle);
}

/* ---- cli_report ---- */

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

/* Record a failure of @step with @err in @ctx and return cli_report()'s exit code; @ret_msg gets stderr. */
static int report(struct vmtap_ctx *ctx, int err, const char *step, char **ret_msg)
{
	struct capture c;
	int code;

	vt_clear_error(ctx);
	if (step)
		assert_int_equal(vt_fail(ctx, err, step, "tap0"), err);
	capture_start(&c);
	code = cli_report(ctx, "create", err);
	*ret_msg = capture_end(&c);
	return code;
}

static void check_report(struct vmtap_ctx *ctx, int err, const char *step, int want)
{
	char *msg;
	int code = report(ctx, err, step, &msg);

	if (code != want)
		fail_msg("error %d in step \"%s\": exit code %d, expected %d", err, step ? step : "", code, want);
	/* one line, prefixed with the command */
	assert_contains(msg, "vmtap create: ");
	assert_ptr_equal(strchr(msg, '\n'), msg + strlen(msg) - 1);
	free(msg);
}

static void test_report_success(void **state)
{
	struct vmtap_ctx *ctx = *state;
	struct capture c;
	char *msg;

	vt_clear_error(ctx);
	capture_start(&c);
	assert_int_equal(cli_report(ctx, "create", 0), EXIT_OK);
	assert_int_equal(cli_report(ctx, "list", 3), EXIT_OK);
	msg = capture_end(&c);
	assert_string_equal(msg, "");
	free(msg);
}

static void test_report_validate(void **state)
{
	struct vmtap_ctx *ctx = *state;
	char *msg;

	/* a failed validation is EXIT_INVALID whatever the errno */
	check_report(ctx, -EINVAL, "validate", EXIT_INVALID);
	check_report(ctx, -ENODEV, "validate", EXIT_INVALID);
	check_report(ctx, -EPERM, "validate", EXIT_INVALID);
	check_report(ctx, -ERANGE, "validate", EXIT_INVALID);

	/* the context's text is what the user sees */
	vt_clear_error(ctx);
	assert_int_equal(vt_name_check(ctx, "interface name", "a/b", false), -EINVAL);
	{
		struct capture c;
		capture_start(&c);
		assert_int_equal(cli_report(ctx, "create", -EINVAL), EXIT_INVALID);
		msg = capture_end(&c);
	}
	assert_contains(msg, "vmtap create: validate: interface name \"a/b\"");
	free(msg);
}

static void test_report_errno_mapping(void **state)
{
	struct vmtap_ctx *ctx = *state;
	char *msg;

	check_report(ctx, -ENODEV, "look up link", EXIT_NOT_FOUND);
	check_report(ctx, -ENOENT, "open namespace", EXIT_NOT_FOUND);
	check_report(ctx, -ENXIO, "open namespace", EXIT_NOT_FOUND);
	check_report(ctx, -EMEDIUMTYPE, "attach", EXIT_NOT_FOUND);
	check_report(ctx, -EEXIST, "create device", EXIT_EXISTS);
	check_report(ctx, -EBUSY, "create device", EXIT_EXISTS);
	check_report(ctx, -EBUSY, "attach", EXIT_EXISTS);
	check_report(ctx, -EPERM, "create device", EXIT_PERMISSION);
	check_report(ctx, -EACCES, "open /dev/net/tun", EXIT_PERMISSION);
	/* out of resources, timeouts and QEMU's refusals are none of the kernel's doing */
	check_report(ctx, -ENOMEM, "create device", EXIT_RESOURCES);
	check_report(ctx, -EMFILE, "open queue", EXIT_RESOURCES);
	check_report(ctx, -ENFILE, "open queue", EXIT_RESOURCES);
	check_report(ctx, -ENOSPC, "write record", EXIT_RESOURCES);
	check_report(ctx, -ETIMEDOUT, "qmp", EXIT_TIMEOUT);
	check_report(ctx, -ETIMEDOUT, "unplug", EXIT_TIMEOUT);
	check_report(ctx, -EREMOTEIO, "qmp", EXIT_REMOTE);
	check_report(ctx, -EPROTO, "qmp", EXIT_REMOTE);
	check_report(ctx, -ECONNRESET, "qmp", EXIT_REMOTE);
	check_report(ctx, -EMSGSIZE, "qmp", EXIT_REMOTE);
	check_report(ctx, -EBADMSG, "qmp", EXIT_REMOTE);
	check_report(ctx, -EBADMSG, "read record", EXIT_FAILURE_OTHER);
	check_report(ctx, -EXDEV, "delete device", EXIT_NOT_FOUND);

	/* any other refusal by the kernel in a named step */
	check_report(ctx, -EIO, "set persist", EXIT_KERNEL);
	check_report(ctx, -EINVAL, "set mtu", EXIT_KERNEL);
	check_report(ctx, -EOPNOTSUPP, "probe", EXIT_KERNEL);
	check_report(ctx, -E2BIG, "open queue", EXIT_KERNEL);
	check_report(ctx, -ERANGE, "set mtu", EXIT_KERNEL);

	/* the step and reason reach the user */
	assert_int_equal(report(ctx, -EBUSY, "create device", &msg), EXIT_EXISTS);
	assert_contains(msg, "create device: tap0: ");
	assert_contains(msg, strerror(EBUSY));
	free(msg);
}

static void test_report_without_step(void **state)
{
	struct vmtap_ctx *ctx = *state;
	char *msg;

	/* no step recorded: errno alone decides, and anything unknown is EXIT_FAILURE_OTHER */
	assert_int_equal(report(ctx, -EIO, NULL, &msg), EXIT_FAILURE_OTHER);
	{
		char want[128];
		snprintf(want, sizeof(want), "vmtap create: %s\n", strerror(EIO));
		assert_string_equal(msg, want);
	}
	free(msg);
	check_report(ctx, -ENODEV, NULL, EXIT_NOT_FOUND);
	check_report(ctx, -EEXIST, NULL, EXIT_EXISTS);
	check_report(ctx, -EPERM, NULL, EXIT_PERMISSION);
	check_report(ctx, -EINVAL, NULL, EXIT_FAILURE_OTHER);

	/* no context at all */
	{
		struct capture c;
		capture_start(&c);
		assert_int_equal(cli_report(NULL, "list", -ENODEV), EXIT_NOT_FOUND);
		assert_int_equal(cli_report(NULL, "list", -EIO), EXIT_FAILURE_OTHER);
		assert_int_equal(cli_report(NULL, "list", -EACCES), EXIT_PERMISSION);
		msg = capture_end(&c);
	}
	assert_contains(msg, "vmtap list: ");
	assert_contains(msg, strerror(ENODEV));
	free(msg);
}

/* ---- cli_parse ---- */

enum { T_QUEUES = 1, T_MQ, T_NETNS, T_NO_VNET, T_STOP };

static const struct cli_opt test_opts[] = {
	CLI_OPT_VALUE("queues", 'q', T_QUEUES),
	CLI_OPT_BARE("multi-queue", 0, T_MQ),
	CLI_OPT_VALUE("netns", 'n', T_NETNS),
	CLI_OPT_BARE("no-vnet-hdr", 0, T_NO_VNET),
	CLI_OPT_BARE("stop", 's', T_STOP),
	{ 0 },
};

struct seen {
	int n;
	int id[16];
	const char *arg[16];
};

static int record_opt(const struct cli_opt *opt, const char *arg, void *data)
{
	struct seen *s = data;
	int id = opt->id;

	if (s->n == 16)
		return 99;
	s->id[s->n] = id;
	s->arg[s->n] = arg;
	s->n++;
	return id == T_STOP ? EXIT_INVALID : 0;
}

struct parse_result {
	int r;
	struct seen seen;
	struct global_opts g;
	char *pos[4];
	int npos;
	char *err; /* stderr */
};

/* Run cli_parse() on the NULL-terminated @args (args[0] is the command) with up to @max_pos positionals. */
static void parse(struct parse_result *res, int max_pos, const struct cli_opt *opts, const char *const *args)
{
	char *argv[32];
	int argc = 0;
	struct capture c;

	memset(res, 0, sizeof(*res));
	res->npos = -1;
	while (args[argc]) {
		assert_true(argc < 31);
		argv[argc] = (char *)args[argc];
		argc++;
	}
	argv[argc] = NULL;
	capture_start(&c);
	res->r = cli_parse("create", argc, argv, (const struct cli_opt *const[]){ opts, NULL }, record_opt, &res->seen,
			   &res->g, res->pos, max_pos, &res->npos);
	res->err = capture_end(&c);
}

#define PARSE(res, max_pos, ...) parse((res), (max_pos), test_opts, (const char *const[]){ "create", __VA_ARGS__, NULL })

static void assert_usage_error(struct parse_result *res, const char *words)
{
	assert_int_equal(res->r, EXIT_USAGE);
	assert_contains(res->err, "vmtap create: ");
	assert_contains(res->err, words);
	assert_contains(res->err, "Try 'vmtap create --help'.");
}

static void test_parse_exact_names(void **state)
{
	struct parse_result res;
	(void)state;

	PARSE(&res, 1, "tap0", "--queues", "4", "--multi-queue", "--no-vnet-hdr");
	assert_int_equal(res.r, 0);
	assert_string_equal(res.err, "");
	assert_int_equal(res.npos, 1);
	assert_string_equal(res.pos[0], "tap0");
	assert_int_equal(res.seen.n, 3);
	assert_int_equal(res.seen.id[0], T_QUEUES);
	assert_string_equal(res.seen.arg[0], "4");
	assert_int_equal(res.seen.id[1], T_MQ);
	assert_null(res.seen.arg[1]);
	assert_int_equal(res.seen.id[2], T_NO_VNET);
	free(res.err);

	/* no abbreviations, no extensions */
	static const char *const wrong[] = { "--que", "--queue", "--q", "--multi", "--queuesX", "--no-vnet",
					     "--Queues", "---queues", "--netns-x" };
	for (size_t i = 0; i < ARRAY_SIZE(wrong); i++) {
		PARSE(&res, 1, "tap0", wrong[i], "4");
		assert_usage_error(&res, "unknown option");
		assert_contains(res.err, wrong[i]);
		assert_int_equal(res.seen.n, 0);
		free(res.err);
	}
}

static void test_parse_equals(void **state)
{
	struct parse_result res;
	(void)state;

	PARSE(&res, 1, "--queues=4", "tap0", "--netns=", "--netns=a=b");
	assert_int_equal(res.r, 0);
	assert_int_equal(res.npos, 1);
	assert_int_equal(res.seen.n, 3);
	assert_string_equal(res.seen.arg[0], "4");
	assert_string_equal(res.seen.arg[1], "");
	assert_string_equal(res.seen.arg[2], "a=b");
	free(res.err);

	/* an abbreviation with a value is still unknown, and the message names the option only */
	PARSE(&res, 1, "--que=4");
	assert_usage_error(&res, "unknown option '--que'");
	free(res.err);

	/* a flag takes no value */
	PARSE(&res, 1, "--multi-queue=1");
	assert_usage_error(&res, "'--multi-queue' takes no value");
	free(res.err);

	/* "--queues=" gives an empty value rather than taking the next argument */
	PARSE(&res, 1, "--queues=", "tap0");
	assert_int_equal(res.r, 0);
	assert_string_equal(res.seen.arg[0], "");
	assert_int_equal(res.npos, 1);
	free(res.err);
}

static void test_parse_global(void **state)
{
	struct parse_result res;
	(void)state;

	PARSE(&res, 1, "-j", "tap0", "-v", "--verbose", "-p", "-q", "2");
	assert_int_equal(res.r, 0);
	assert_true(res.g.json);
	assert_true(res.g.pretty);
	assert_int_equal(res.g.verbose, 2);
	assert_int_equal(res.seen.n, 1); /* the command's handler never sees them */
	assert_int_equal(res.seen.id[0], T_QUEUES);
	assert_string_equal(res.seen.arg[0], "2");
	free(res.err);

	PARSE(&res, 0, "--json", "--pretty");
	assert_int_equal(res.r, 0);
	assert_true(res.g.json);
	assert_true(res.g.pretty);
	assert_int_equal(res.g.verbose, 0);
	assert_int_equal(res.npos, 0);
	free(res.err);

	/* no bundling of short options, no glued values */
	PARSE(&res, 1, "-jv");
	assert_usage_error(&res, "unknown option '-jv'");
	assert_false(res.g.json);
	free(res.err);
	PARSE(&res, 1, "-q4");
	assert_usage_error(&res, "unknown option '-q4'");
	free(res.err);
	PARSE(&res, 1, "-x");
	assert_usage_error(&res, "unknown option '-x'");
	free(res.err);

	/* global options work for commands without options of their own */
	parse(&res, 1, NULL, (const char *const[]){ "list", "-j", "--queues", NULL });
	assert_usage_error(&res, "unknown option '--queues'");
	assert_true(res.g.json);
	free(res.err);
}

static void test_parse_short(void **state)
{
	struct parse_result res;
	(void)state;

	PARSE(&res, 2, "-q", "3", "-n", "vm1", "a", "b");
	assert_int_equal(res.r, 0);
	assert_int_equal(res.seen.n, 2);
	assert_int_equal(res.seen.id[0], T_QUEUES);
	assert_string_equal(res.seen.arg[0], "3");
	assert_int_equal(res.seen.id[1], T_NETNS);
	assert_string_equal(res.seen.arg[1], "vm1");
	assert_int_equal(res.npos, 2);
	assert_string_equal(res.pos[0], "a");
	assert_string_equal(res.pos[1], "b");
	free(res.err);

	/* a value is taken as is, even when it looks like an option */
	PARSE(&res, 1, "--netns", "--queues");
	assert_int_equal(res.r, 0);
	assert_int_equal(res.seen.n, 1);
	assert_string_equal(res.seen.arg[0], "--queues");
	free(res.err);
}

static void test_parse_double_dash(void **state)
{
	struct parse_result res;
	(void)state;

	PARSE(&res, 3, "--multi-queue", "--", "--queues", "-j", "--help");
	assert_int_equal(res.r, 0);
	assert_int_equal(res.seen.n, 1);
	assert_false(res.g.json);
	assert_int_equal(res.npos, 3);
	assert_string_equal(res.pos[0], "--queues");
	assert_string_equal(res.pos[1], "-j");
	assert_string_equal(res.pos[2], "--help");
	free(res.err);

	/* a lone "-" is a positional */
	PARSE(&res, 1, "-");
	assert_int_equal(res.r, 0);
	assert_int_equal(res.npos, 1);
	assert_string_equal(res.pos[0], "-");
	free(res.err);

	/* "--" counts against nothing; a second one is a positional */
	PARSE(&res, 1, "--", "--");
	assert_int_equal(res.r, 0);
	assert_int_equal(res.npos, 1);
	assert_string_equal(res.pos[0], "--");
	free(res.err);
}

static void test_parse_missing_value(void **state)
{
	struct parse_result res;
	(void)state;

	PARSE(&res, 1, "tap0", "--queues");
	assert_usage_error(&res, "'--queues' needs a value");
	assert_int_equal(res.seen.n, 0);
	free(res.err);

	PARSE(&res, 1, "tap0", "-n");
	assert_usage_error(&res, "'-n' needs a value");
	free(res.err);
}

static void test_parse_positionals(void **state)
{
	struct parse_result res;
	(void)state;

	PARSE(&res, 1, "a", "b");
	assert_usage_error(&res, "unexpected argument 'b'");
	assert_int_equal(res.npos, -1); /* not set on failure */
	free(res.err);

	PARSE(&res, 0, "a");
	assert_usage_error(&res, "unexpected argument 'a'");
	free(res.err);

	PARSE(&res, 2, "a", "--", "-b", "c");
	assert_usage_error(&res, "unexpected argument 'c'");
	free(res.err);

	/* none given */
	parse(&res, 2, test_opts, (const char *const[]){ "create", NULL });
	assert_int_equal(res.r, 0);
	assert_int_equal(res.npos, 0);
	free(res.err);
}

static void test_parse_help_and_stop(void **state)
{
	struct parse_result res;
	(void)state;

	PARSE(&res, 1, "tap0", "--help", "--bogus");
	assert_int_equal(res.r, OPT_HELP);
	free(res.err);
	PARSE(&res, 1, "-h");
	assert_int_equal(res.r, OPT_HELP);
	free(res.err);

	/* an unknown option before --help wins */
	PARSE(&res, 1, "--bogus", "--help");
	assert_usage_error(&res, "'--bogus'");
	free(res.err);

	/* a handler's non-zero result stops parsing and is returned */
	PARSE(&res, 1, "--stop", "--queues", "4", "extra", "more");
	assert_int_equal(res.r, EXIT_INVALID);
	assert_int_equal(res.seen.n, 1);
	assert_int_equal(res.seen.id[0], T_STOP);
	free(res.err);
}

/* ---- numbers, users, groups ---- */

static void test_parse_uint(void **state)
{
	unsigned long v = 12345;
	(void)state;

	assert_int_equal(cli_parse_uint("0", 10, &v), 0);
	assert_int_equal(v, 0);
	assert_int_equal(cli_parse_uint("42", 100, &v), 0);
	assert_int_equal(v, 42);
	assert_int_equal(cli_parse_uint("100", 100, &v), 0);
	assert_int_equal(v, 100);
	assert_int_equal(cli_parse_uint("007", 100, &v), 0); /* decimal, not octal */
	assert_int_equal(v, 7);
	assert_int_equal(cli_parse_uint("18446744073709551615", (unsigned long)-1, &v), 0);
	assert_true(v == (unsigned long)-1);

	v = 12345;
	assert_int_equal(cli_parse_uint("101", 100, &v), -ERANGE);
	assert_int_equal(cli_parse_uint("18446744073709551616", (unsigned long)-1, &v), -ERANGE);
	assert_int_equal(cli_parse_uint("99999999999999999999999", 100, &v), -ERANGE);
	assert_int_equal(cli_parse_uint(NULL, 100, &v), -EINVAL);
	assert_int_equal(cli_parse_uint("", 100, &v), -EINVAL);
	assert_int_equal(cli_parse_uint("-1", 100, &v), -EINVAL);
	assert_int_equal(cli_parse_uint("-0", 100, &v), -EINVAL);
	assert_int_equal(cli_parse_uint("+1", 100, &v), -EINVAL);
	assert_true(cli_parse_uint("12a", 100, &v) < 0);
	assert_true(cli_parse_uint("abc", 100, &v) < 0);
	assert_true(cli_parse_uint("0x10", 100, &v) < 0);
	assert_true(cli_parse_uint("4 ", 100, &v) < 0);
	assert_true(cli_parse_uint("1.5", 100, &v) < 0);
	assert_int_equal(v, 12345); /* untouched on failure */
}

static void test_parse_uid_gid(void **state)
{
	uid_t uid = 77;
	gid_t gid = 77;
	(void)state;

	assert_int_equal(cli_parse_uid("0", &uid), 0);
	assert_int_equal(uid, 0);
	assert_int_equal(cli_parse_uid("1000", &uid), 0);
	assert_int_equal(uid, 1000);
	assert_int_equal(cli_parse_uid("4294967294", &uid), 0);
	assert_int_equal(uid, 4294967294u);
	assert_int_equal(cli_parse_gid("100", &gid), 0);
	assert_int_equal(gid, 100);

	/* (uid_t)-1 means "no change" to the kernel: never accepted as a number */
	uid = 77;
	assert_int_equal(cli_parse_uid("4294967295", &uid), -ENOENT);
	assert_int_equal(uid, 77);
	gid = 77;
	assert_int_equal(cli_parse_gid("4294967295", &gid), -ENOENT);
	assert_int_equal(gid, 77);

	/* names are looked up in the user database; root is uid and gid 0 everywhere */
	uid = 77;
	assert_int_equal(cli_parse_uid("root", &uid), 0);
	assert_int_equal(uid, 0);
	gid = 77;
	assert_int_equal(cli_parse_gid("root", &gid), 0);
	assert_int_equal(gid, 0);
	assert_int_equal(cli_parse_uid("no-such-user-vmtap-test", &uid), -ENOENT);
	assert_int_equal(cli_parse_gid("no-such-group-vmtap-test", &gid), -ENOENT);
	assert_int_equal(cli_parse_uid("-1", &uid), -ENOENT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_report_success, ctx_setup, ctx_teardown),
		cmocka_unit_test_setup_teardown(test_report_validate, ctx_setup, ctx_teardown),
		cmocka_unit_test_setup_teardown(test_report_errno_mapping, ctx_setup, ctx_teardown),
		cmocka_unit_test_setup_teardown(test_report_without_step, ctx_setup, ctx_teardown),
		cmocka_unit_test(test_parse_exact_names),
		cmocka_unit_test(test_parse_equals),
		cmocka_unit_test(test_parse_global),
		cmocka_unit_test(test_parse_short),
		cmocka_unit_test(test_parse_double_dash),
		cmocka_unit_test(test_parse_missing_value),
		cmocka_unit_test(test_parse_positionals),
		cmocka_unit_test(test_parse_help_and_stop),
		cmocka_unit_test(test_parse_uint),
		cmocka_unit_test(test_parse_uid_gid),
	};

	return cmocka_run_group_tests_name("cli", tests, NULL, NULL) ? EXIT_FAILURE : EXIT_SUCCESS;
}

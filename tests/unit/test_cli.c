/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests of the CLI's common code: exit codes from library errors, exact option parsing, the command runner, values. */
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
#include "nic_spec.h"
#include "validate.h"

/* ---- capturing what the CLI writes to stderr (or stdout) ---- */

struct capture {
	int fd;
	int saved_fd;
	FILE *tmp;
};

static void capture_fd_start(struct capture *c, int fd)
{
	fflush(stdout);
	fflush(stderr);
	c->fd = fd;
	c->tmp = tmpfile();
	assert_non_null(c->tmp);
	c->saved_fd = dup(fd);
	assert_true(c->saved_fd >= 0);
	assert_true(dup2(fileno(c->tmp), fd) >= 0);
}

static void capture_start(struct capture *c)
{
	capture_fd_start(c, STDERR_FILENO);
}

/* Stop capturing; returns what was written (malloc'ed, NUL-terminated). */
static char *capture_end(struct capture *c)
{
	char *buf;
	long len;

	fflush(stdout);
	fflush(stderr);
	assert_true(dup2(c->saved_fd, c->fd) >= 0);
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
	check_report(ctx, -EDQUOT, "write record", EXIT_RESOURCES);
	/* the bridge helper's per-user limits have a code of their own, its invalid values are invalid values */
	check_report(ctx, -EDQUOT, "bridge helper", EXIT_LIMIT);
	check_report(ctx, -EINVAL, "bridge helper", EXIT_INVALID);
	check_report(ctx, -EACCES, "bridge helper", EXIT_PERMISSION);
	check_report(ctx, -ENODEV, "bridge helper", EXIT_NOT_FOUND);
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

/* ---- the command runner (cli_main) ---- */

struct t_data {
	const char *name;
	bool flag;
	unsigned long value;
};

static const struct t_data t_defaults = { .value = 7 };

/* what the handlers saw: reset before each run */
static struct {
	int options, checks, runs, frees;
	struct t_data data;
	struct global_opts g;
	bool had_ctx;
	int nargs;
	char *args[8];
	char **command;
	char name[32];
	int run_result;
} t_seen;

enum { T_NAME = CLI_OPT_OWN, T_FLAG, T_VALUE };

static const struct cli_opt t_opts[] = {
	CLI_OPT_STRING("name", 'n', T_NAME, struct t_data, name),
	CLI_OPT_FLAG("flag", 0, T_FLAG, struct t_data, flag),
	CLI_OPT_VALUE("value", 0, T_VALUE),
	{ 0 },
};

static int t_option(struct cli_call *call, int id, const char *arg)
{
	struct t_data *d = call->data;

	t_seen.options++;
	assert_int_equal(id, T_VALUE); /* the stored options never reach the handler */
	if (cli_parse_uint(arg, 100, &d->value) < 0)
		return cli_invalid(call->name, "value '%s' is not 0..100", arg);
	return 0;
}

static int t_check(struct cli_call *call)
{
	const struct t_data *d = call->data;

	t_seen.checks++;
	return d->value == 13 ? cli_invalid(call->name, "13 is unlucky") : 0;
}

static int t_run(struct cli_call *call)
{
	t_seen.runs++;
	if (call->data)
		t_seen.data = *(const struct t_data *)call->data;
	t_seen.g = *call->g;
	t_seen.had_ctx = call->ctx != NULL;
	t_seen.nargs = call->nargs;
	for (int i = 0; i < call->nargs && i < 8; i++)
		t_seen.args[i] = call->args[i];
	t_seen.command = call->command;
	snprintf(t_seen.name, sizeof(t_seen.name), "%s", call->name); /* a subcommand's is freed after it */
	return t_seen.run_result;
}

static void t_free(void *data)
{
	assert_non_null(data);
	t_seen.frees++;
}

static const struct cli_command t_plain = {
	.name = "plain", .summary = "a plain command", .help = "Usage: vmtap plain THING [THING]\n",
	.options = (const struct cli_opt *const[]){ t_opts, NULL }, .option = t_option,
	.min_args = 1, .max_args = 2, .missing_args = "expected a THING",
	CLI_DATA(t_defaults), .check = t_check, .run = t_run, .free_data = t_free,
};

static const struct cli_command t_ctx = {
	.name = "ctx", .summary = "needs a context", .help = "Usage: vmtap ctx\n",
	.needs_ctx = true, CLI_DATA(t_defaults), .run = t_run, .free_data = t_free,
};

static const struct cli_command t_many = {
	.name = "many", .summary = "any number of arguments", .help = "Usage: vmtap many ARG...\n",
	.max_args = CLI_ARGS_ANY, .run = t_run,
};

static const struct cli_command t_exec = {
	.name = "exec", .summary = "a command after --", .help = "Usage: vmtap exec -- CMD\n",
	.options = (const struct cli_opt *const[]){ t_opts, NULL }, .option = t_option,
	.command_after_dashdash = true, CLI_DATA(t_defaults), .run = t_run,
};

static const struct cli_command t_sub = {
	.name = "sub", .help = "Usage: vmtap parent sub [--name N]\n",
	.options = (const struct cli_opt *const[]){ t_opts, NULL }, .option = t_option,
	CLI_DATA(t_defaults), .run = t_run, .free_data = t_free,
};

static const struct cli_command t_parent = {
	.name = "parent", .summary = "has subcommands", .help = "Usage: vmtap parent sub\n",
	.subcommands = (const struct cli_command *const[]){ &t_sub, NULL },
};

/* tables that repeat a long name, a short name or an id of another */
static const struct cli_opt t_same_name[] = { CLI_OPT_BARE("flag", 0, 90), { 0 } };
static const struct cli_opt t_same_short[] = { CLI_OPT_BARE("other", 'n', 91), { 0 } };
static const struct cli_opt t_same_id[] = { CLI_OPT_BARE("other", 0, T_VALUE), { 0 } };
static const struct cli_opt t_same_in_one[] = { CLI_OPT_BARE("a", 0, 92), CLI_OPT_BARE("a", 0, 93), { 0 } };

static const struct cli_command t_clash_name = {
	.name = "clash-name", .summary = "", .help = "",
	.options = (const struct cli_opt *const[]){ t_opts, t_same_name, NULL }, .option = t_option,
	CLI_DATA(t_defaults), .run = t_run,
};
static const struct cli_command t_clash_short = {
	.name = "clash-short", .summary = "", .help = "",
	.options = (const struct cli_opt *const[]){ t_opts, t_same_short, NULL }, .option = t_option,
	CLI_DATA(t_defaults), .run = t_run,
};
static const struct cli_command t_clash_id = {
	.name = "clash-id", .summary = "", .help = "",
	.options = (const struct cli_opt *const[]){ t_same_id, t_opts, NULL }, .option = t_option,
	CLI_DATA(t_defaults), .run = t_run,
};
static const struct cli_command t_clash_one = {
	.name = "clash-one", .summary = "", .help = "",
	.options = (const struct cli_opt *const[]){ t_same_in_one, NULL }, .option = t_option,
	CLI_DATA(t_defaults), .run = t_run,
};

static const struct cli_command *const t_commands[] = {
	&t_plain, &t_ctx, &t_many, &t_exec, &t_parent, &t_clash_name, &t_clash_short, &t_clash_id, &t_clash_one, NULL,
};

struct main_result {
	int r;
	char *out, *err;
};

/* Run cli_main() on the NULL-terminated @args (without argv[0]), stdout and stderr captured. */
static void run_main(struct main_result *res, const char *const *args)
{
	char *argv[32] = { "vmtap" };
	int argc = 1;
	struct capture out, err;

	memset(&t_seen, 0, sizeof(t_seen));
	while (args[argc - 1]) {
		assert_true(argc < 31);
		argv[argc] = (char *)args[argc - 1];
		argc++;
	}
	argv[argc] = NULL;
	capture_fd_start(&out, STDOUT_FILENO);
	capture_start(&err);
	res->r = cli_main(t_commands, argc, argv);
	res->err = capture_end(&err);
	res->out = capture_end(&out);
}

static void main_result_free(struct main_result *res)
{
	free(res->out);
	free(res->err);
}

#define MAIN(res, ...) run_main((res), (const char *const[]){ __VA_ARGS__, NULL })

static void test_main_usage(void **state)
{
	struct main_result res;
	(void)state;

	/* no command: the usage, from the table, on stderr */
	run_main(&res, (const char *const[]){ NULL });
	assert_int_equal(res.r, EXIT_USAGE);
	assert_string_equal(res.out, "");
	assert_contains(res.err, "Commands:\n  plain      a plain command\n  ctx        needs a context\n");
	assert_contains(res.err, "  parent     has subcommands\n");
	main_result_free(&res);

	static const char *const helps[] = { "help", "-h", "--help" };
	for (size_t i = 0; i < ARRAY_SIZE(helps); i++) {
		MAIN(&res, helps[i]);
		assert_int_equal(res.r, EXIT_OK);
		assert_contains(res.out, "Usage: vmtap [-j|--json]");
		assert_contains(res.out, "  many       any number of arguments\n");
		assert_string_equal(res.err, "");
		main_result_free(&res);
	}

	MAIN(&res, "-j", "-V");
	assert_int_equal(res.r, EXIT_OK);
	assert_true(!strncmp(res.out, "vmtap ", 6));
	main_result_free(&res);

	MAIN(&res, "--bogus", "plain");
	assert_int_equal(res.r, EXIT_USAGE);
	assert_contains(res.err, "vmtap: unknown option '--bogus'\nUsage: ");
	main_result_free(&res);

	/* before the command, --state-dir without its value is no option at all */
	MAIN(&res, "--state-dir");
	assert_int_equal(res.r, EXIT_USAGE);
	assert_contains(res.err, "vmtap: unknown option '--state-dir'\n");
	main_result_free(&res);

	MAIN(&res, "-v", "frob");
	assert_int_equal(res.r, EXIT_USAGE);
	assert_contains(res.err, "vmtap: unknown command 'frob'\nUsage: ");
	assert_int_equal(t_seen.runs, 0);
	main_result_free(&res);
}

static void test_main_globals(void **state)
{
	struct main_result res;
	(void)state;

	/* before the command and after it, parsed the same way */
	MAIN(&res, "-j", "--state-dir", "/a", "-v", "plain", "x");
	assert_int_equal(res.r, EXIT_OK);
	assert_int_equal(t_seen.runs, 1);
	assert_true(t_seen.g.json);
	assert_false(t_seen.g.pretty);
	assert_int_equal(t_seen.g.verbose, 1);
	assert_string_equal(t_seen.g.state_dir, "/a");
	main_result_free(&res);

	MAIN(&res, "plain", "x", "--pretty", "-v", "--verbose", "--state-dir=/b", "--json");
	assert_int_equal(res.r, EXIT_OK);
	assert_true(t_seen.g.json);
	assert_true(t_seen.g.pretty);
	assert_int_equal(t_seen.g.verbose, 2);
	assert_string_equal(t_seen.g.state_dir, "/b");
	assert_int_equal(t_seen.nargs, 1);
	main_result_free(&res);

	MAIN(&res, "plain", "x", "--state-dir");
	assert_int_equal(res.r, EXIT_USAGE);
	assert_contains(res.err, "vmtap plain: option '--state-dir' needs a value\nTry 'vmtap plain --help'.\n");
	assert_int_equal(t_seen.runs, 0);
	main_result_free(&res);
}

static void test_main_options(void **state)
{
	struct main_result res;
	(void)state;

	/* stored options land in a copy of the defaults; the rest goes to the handler, in order */
	MAIN(&res, "plain", "--flag", "x", "-n", "nm", "--value", "42", "y");
	assert_int_equal(res.r, EXIT_OK);
	assert_int_equal(t_seen.options, 1);
	assert_int_equal(t_seen.checks, 1);
	assert_int_equal(t_seen.runs, 1);
	assert_int_equal(t_seen.frees, 1);
	assert_string_equal(t_seen.data.name, "nm");
	assert_true(t_seen.data.flag);
	assert_int_equal(t_seen.data.value, 42);
	assert_int_equal(t_seen.nargs, 2);
	assert_string_equal(t_seen.args[0], "x");
	assert_string_equal(t_seen.args[1], "y");
	assert_string_equal(t_seen.name, "plain");
	assert_false(t_seen.had_ctx);
	main_result_free(&res);

	MAIN(&res, "plain", "x");
	assert_int_equal(t_seen.data.value, 7);
	assert_null(t_seen.data.name);
	assert_false(t_seen.data.flag);
	main_result_free(&res);

	/* a stored flag takes no value */
	MAIN(&res, "plain", "x", "--flag=1");
	assert_int_equal(res.r, EXIT_USAGE);
	assert_contains(res.err, "vmtap plain: option '--flag' takes no value\n");
	assert_int_equal(t_seen.frees, 1);
	main_result_free(&res);

	/* positionals: too few, too many */
	MAIN(&res, "plain", "--flag");
	assert_int_equal(res.r, EXIT_USAGE);
	assert_string_equal(res.err, "vmtap plain: expected a THING\nTry 'vmtap plain --help'.\n");
	assert_int_equal(t_seen.checks, 0);
	main_result_free(&res);
	MAIN(&res, "plain", "a", "b", "c");
	assert_int_equal(res.r, EXIT_USAGE);
	assert_contains(res.err, "unexpected argument 'c'");
	main_result_free(&res);

	/* a refusal by the handler or the check: no run, data freed */
	MAIN(&res, "plain", "x", "--value", "x1");
	assert_int_equal(res.r, EXIT_INVALID);
	assert_string_equal(res.err, "vmtap plain: value 'x1' is not 0..100\n");
	assert_int_equal(t_seen.checks, 0);
	assert_int_equal(t_seen.frees, 1);
	main_result_free(&res);
	MAIN(&res, "plain", "x", "--value", "13");
	assert_int_equal(res.r, EXIT_INVALID);
	assert_string_equal(res.err, "vmtap plain: 13 is unlucky\n");
	assert_int_equal(t_seen.runs, 0);
	assert_int_equal(t_seen.frees, 1);
	main_result_free(&res);

	/* any number of positionals */
	MAIN(&res, "many", "1", "2", "3", "4", "5", "6", "7");
	assert_int_equal(res.r, EXIT_OK);
	assert_int_equal(t_seen.nargs, 7);
	assert_string_equal(t_seen.args[6], "7");
	main_result_free(&res);
}

static void test_main_help(void **state)
{
	struct main_result res;
	(void)state;

	MAIN(&res, "plain", "--help", "--bogus");
	assert_int_equal(res.r, EXIT_OK);
	assert_string_equal(res.out, "Usage: vmtap plain THING [THING]\n");
	assert_string_equal(res.err, "");
	assert_int_equal(t_seen.checks, 0);
	assert_int_equal(t_seen.runs, 0);
	assert_int_equal(t_seen.frees, 1);
	main_result_free(&res);

	/* no positional needed for help */
	MAIN(&res, "-j", "plain", "-h");
	assert_int_equal(res.r, EXIT_OK);
	assert_string_equal(res.out, "Usage: vmtap plain THING [THING]\n");
	main_result_free(&res);

	/* what comes before --help is parsed first: its errors win */
	MAIN(&res, "plain", "--value", "x", "--help");
	assert_int_equal(res.r, EXIT_INVALID);
	assert_string_equal(res.out, "");
	main_result_free(&res);
	MAIN(&res, "plain", "a", "b", "c", "--help");
	assert_int_equal(res.r, EXIT_USAGE);
	main_result_free(&res);
}

static void test_main_ctx_and_report(void **state)
{
	struct main_result res;
	(void)state;

	/* the context only for a command that needs one; a negative errno is reported */
	MAIN(&res, "ctx");
	assert_int_equal(res.r, EXIT_OK);
	assert_true(t_seen.had_ctx);
	assert_int_equal(t_seen.frees, 1);
	main_result_free(&res);
	{
		char *argv[] = { "vmtap", "ctx", NULL };
		struct capture err;

		memset(&t_seen, 0, sizeof(t_seen));
		t_seen.run_result = -ENODEV;
		capture_start(&err);
		assert_int_equal(cli_main(t_commands, 2, argv), EXIT_NOT_FOUND);
		res.err = capture_end(&err);
		assert_string_equal(res.err, "vmtap ctx: No such device\n");
		assert_int_equal(t_seen.frees, 1);
		free(res.err);

		/* an exit code is passed on as it is */
		memset(&t_seen, 0, sizeof(t_seen));
		t_seen.run_result = EXIT_REMOTE;
		capture_start(&err);
		assert_int_equal(cli_main(t_commands, 2, argv), EXIT_REMOTE);
		res.err = capture_end(&err);
		assert_string_equal(res.err, "");
		free(res.err);
	}

	/* a bad --state-dir is refused when the context is made: after the arguments, before the run */
	MAIN(&res, "--state-dir", "relative", "ctx");
	assert_int_equal(res.r, EXIT_INVALID);
	assert_int_equal(t_seen.runs, 0);
	assert_int_equal(t_seen.frees, 1);
	main_result_free(&res);
	MAIN(&res, "--state-dir", "relative", "plain");
	assert_int_equal(res.r, EXIT_USAGE);
	main_result_free(&res);
}

static void test_main_subcommands(void **state)
{
	struct main_result res;
	(void)state;

	MAIN(&res, "parent");
	assert_int_equal(res.r, EXIT_USAGE);
	assert_string_equal(res.err, "Usage: vmtap parent sub\n");
	assert_string_equal(res.out, "");
	main_result_free(&res);

	static const char *const helps[] = { "help", "-h", "--help" };
	for (size_t i = 0; i < ARRAY_SIZE(helps); i++) {
		MAIN(&res, "parent", helps[i]);
		assert_int_equal(res.r, EXIT_OK);
		assert_string_equal(res.out, "Usage: vmtap parent sub\n");
		main_result_free(&res);
	}

	/* global options go before "parent" or after the subcommand, not between */
	MAIN(&res, "parent", "-j", "sub");
	assert_int_equal(res.r, EXIT_USAGE);
	assert_string_equal(res.err, "vmtap parent: unknown command '-j'\nTry 'vmtap parent --help'.\n");
	main_result_free(&res);

	MAIN(&res, "parent", "sub", "--bogus");
	assert_int_equal(res.r, EXIT_USAGE);
	assert_string_equal(res.err, "vmtap parent sub: unknown option '--bogus'\nTry 'vmtap parent sub --help'.\n");
	assert_int_equal(t_seen.frees, 1);
	main_result_free(&res);

	MAIN(&res, "parent", "sub", "-h");
	assert_int_equal(res.r, EXIT_OK);
	assert_string_equal(res.out, "Usage: vmtap parent sub [--name N]\n");
	main_result_free(&res);

	MAIN(&res, "-p", "parent", "sub", "--name", "a", "-j");
	assert_int_equal(res.r, EXIT_OK);
	assert_string_equal(t_seen.name, "parent sub");
	assert_string_equal(t_seen.data.name, "a");
	assert_true(t_seen.g.json && t_seen.g.pretty);
	main_result_free(&res);
}

static void test_main_dashdash(void **state)
{
	struct main_result res;
	(void)state;

	/* options end at the first "--": what follows is the command, options or not */
	MAIN(&res, "exec", "--name", "n", "--", "qemu", "--help", "-j", "--");
	assert_int_equal(res.r, EXIT_OK);
	assert_string_equal(t_seen.data.name, "n");
	assert_false(t_seen.g.json);
	assert_non_null(t_seen.command);
	assert_string_equal(t_seen.command[0], "qemu");
	assert_string_equal(t_seen.command[1], "--help");
	assert_string_equal(t_seen.command[3], "--");
	assert_null(t_seen.command[4]);
	main_result_free(&res);

	MAIN(&res, "exec", "--name", "n");
	assert_int_equal(res.r, EXIT_OK);
	assert_null(t_seen.command);
	main_result_free(&res);

	MAIN(&res, "exec", "--");
	assert_non_null(t_seen.command);
	assert_null(t_seen.command[0]);
	main_result_free(&res);

	/* a "--" taken as an option's value still ends the options */
	MAIN(&res, "exec", "--name", "--", "x");
	assert_int_equal(res.r, EXIT_USAGE);
	assert_contains(res.err, "option '--name' needs a value");
	main_result_free(&res);
}

static void test_main_option_clash(void **state)
{
	static const char *const cmds[] = { "clash-name", "clash-short", "clash-id", "clash-one" };
	static const char *const culprit[] = { "--flag", "--other", "--value", "--a" };
	struct main_result res;
	(void)state;

	/* options of the tables a command lists are not silently shadowed: the command refuses to run, even for --help */
	for (size_t i = 0; i < ARRAY_SIZE(cmds); i++) {
		MAIN(&res, cmds[i], "--help");
		assert_int_equal(res.r, EXIT_FAILURE_OTHER);
		assert_string_equal(res.out, "");
		assert_contains(res.err, "internal error: option ");
		assert_contains(res.err, culprit[i]);
		assert_int_equal(t_seen.runs, 0);
		main_result_free(&res);
	}
}

/* ---- values ---- */

static void test_values(void **state)
{
	unsigned long v = 5;
	unsigned int q = 9;
	uint32_t mtu = 9, flags = 0;
	uint8_t mac[6] = { 0 };
	bool set = false;
	const char *bridge = NULL;
	char *msg;
	struct capture c;
	(void)state;

	/* (buf, len): the bytes given, not the string's end */
	assert_int_equal(cli_parse_uint_n("1234", 2, 100, &v), 0);
	assert_int_equal(v, 12);
	assert_int_equal(cli_parse_uint_n("12", 0, 100, &v), -EINVAL);
	assert_int_equal(cli_parse_uint_n(NULL, 3, 100, &v), -EINVAL);
	assert_int_equal(cli_parse_uint_n("1\0002", 3, 100, &v), -EINVAL);
	assert_int_equal(v, 12);

	assert_int_equal(cli_parse_queues("1", 1, &q), 0);
	assert_int_equal(q, 1);
	assert_int_equal(cli_parse_queues("256", 3, &q), 0);
	assert_int_equal(q, VMTAP_MAX_QUEUES);
	assert_int_equal(cli_parse_queues("0", 1, &q), -ERANGE);
	assert_int_equal(cli_parse_queues("257", 3, &q), -ERANGE);
	assert_int_equal(cli_parse_queues("-1", 2, &q), -EINVAL);
	assert_int_equal(q, VMTAP_MAX_QUEUES);

	assert_int_equal(cli_parse_mtu("68", 2, &mtu), 0);
	assert_int_equal(mtu, VMTAP_MTU_MIN);
	assert_int_equal(cli_parse_mtu("65535", 5, &mtu), 0);
	assert_int_equal(mtu, VMTAP_MTU_MAX);
	assert_int_equal(cli_parse_mtu("67", 2, &mtu), -ERANGE);
	assert_int_equal(cli_parse_mtu("65536", 5, &mtu), -ERANGE);
	assert_int_equal(cli_parse_mtu("0x44", 4, &mtu), -EINVAL);
	assert_int_equal(mtu, VMTAP_MTU_MAX);

	/* each value is refused with its one message; the output untouched */
	capture_start(&c);
	assert_int_equal(cli_value_mtu("set", "67", &mtu), EXIT_INVALID);
	assert_int_equal(cli_value_queues("create", "0", &q), EXIT_INVALID);
	assert_int_equal(cli_value_mac("endpoint", "01:00:5e:00:00:01", mac, &set, "MAC '%s' is bad"), EXIT_INVALID);
	assert_int_equal(cli_value_bridge("set", "a/b", &bridge), EXIT_INVALID);
	assert_int_equal(cli_value_qdisc("create", "pfifo", &flags, 4), EXIT_INVALID);
	msg = capture_end(&c);
	assert_string_equal(msg, "vmtap set: MTU '67' is outside 68..65535\n"
				 "vmtap create: queue count '0' is outside 1..256\n"
				 "vmtap endpoint: MAC '01:00:5e:00:00:01' is bad\n"
				 "vmtap set: bridge name 'a/b' is not a valid interface name\n"
				 "vmtap create: qdisc 'pfifo' is not noqueue or kernel\n");
	free(msg);
	assert_int_equal(mtu, VMTAP_MTU_MAX);
	assert_int_equal(q, VMTAP_MAX_QUEUES);
	assert_false(set);
	assert_null(bridge);
	assert_int_equal(flags, 0);

	assert_int_equal(cli_value_mac("endpoint", "52:54:00:00:00:01", mac, &set, "bad"), 0);
	assert_true(set);
	assert_int_equal(mac[5], 1);
	assert_int_equal(cli_value_bridge("set", "br0", &bridge), 0);
	assert_string_equal(bridge, "br0");
	flags = 1;
	assert_int_equal(cli_value_qdisc("create", "kernel", &flags, 4), 0);
	assert_int_equal(flags, 5);
	assert_int_equal(cli_value_qdisc("create", "noqueue", &flags, 4), 0);
	assert_int_equal(flags, 1);
}

/* ---- --nic SPEC to QEMU NIC ---- */

static int parse_spec(const char *text, struct nic_spec *s, char *err, size_t errlen)
{
	return nic_spec_parse(text, strlen(text), s, err, errlen);
}

static void test_nic_spec_qemu_nic(void **state)
{
	struct nic_spec *s = calloc(1, sizeof(*s));
	struct vmtap_qemu_nic nic;
	uint8_t want[6];
	char err[256];
	(void)state;

	assert_non_null(s);
	assert_int_equal(parse_spec("mtu=9000,model=e1000,bus=pci.1,addr=0x5,vectors=6", s, err, sizeof(err)), 0);
	nic_spec_qemu_nic(s, 3, &nic);
	assert_string_equal(nic.id, "net3");
	assert_ptr_equal(nic.id, s->id); /* the default is written into the spec */
	assert_int_equal(nic.sz, sizeof(nic));
	assert_int_equal(nic.host_mtu, 9000);
	assert_string_equal(nic.model, "e1000");
	assert_string_equal(nic.bus, "pci.1");
	assert_string_equal(nic.addr, "0x5");
	assert_int_equal(nic.vectors, 6);
	assert_int_equal(nic.queues, 0);
	vmtap_endpoint_default_mac("net3", want);
	assert_memory_equal(nic.mac, want, 6);

	/* a given id and MAC are kept, unset text is NULL */
	assert_int_equal(parse_spec("id=x,mac=52:54:00:00:00:09", s, err, sizeof(err)), 0);
	nic_spec_qemu_nic(s, 0, &nic);
	assert_string_equal(nic.id, "x");
	assert_int_equal(nic.mac[5], 9);
	assert_null(nic.model);
	assert_null(nic.bus);
	assert_null(nic.addr);

	/* an endpoint's NIC: a MAC from the endpoint's id until its record gives the real one */
	assert_int_equal(parse_spec("endpoint=vm7", s, err, sizeof(err)), 0);
	nic_spec_qemu_nic(s, 1, &nic);
	assert_string_equal(nic.id, "net1");
	vmtap_endpoint_default_mac("vm7", want);
	assert_memory_equal(nic.mac, want, 6);
	free(s);
}

/* helper=PATH: QEMU's key, kept as given, only with bridge= and without what the helper decides itself */
static void test_nic_spec_helper(void **state)
{
	struct nic_spec *s = calloc(1, sizeof(*s));
	char err[256], *longer;
	(void)state;

	assert_non_null(s);
	assert_int_equal(parse_spec("bridge=br0,queues=4,helper=/usr/lib/qemu/qemu-bridge-helper", s, err, sizeof(err)), 0);
	assert_string_equal(s->helper, "/usr/lib/qemu/qemu-bridge-helper");
	assert_string_equal(s->bridge, "br0");
	assert_null(nic_spec_helper_conflict(s));
	assert_int_equal(parse_spec("bridge=br0", s, err, sizeof(err)), 0);
	assert_string_equal(s->helper, "");

	assert_int_equal(parse_spec("helper=/h,queues=2", s, err, sizeof(err)), -EINVAL);
	assert_contains(err, "helper is for bridge");
	assert_int_equal(parse_spec("bridge=br0,helper=", s, err, sizeof(err)), -EINVAL);
	assert_contains(err, "helper: not a path");
	assert_int_equal(parse_spec("bridge=br0,helper=/h,netns=ns1", s, err, sizeof(err)), -EINVAL);
	assert_contains(err, "netns cannot be given with helper");
	assert_int_equal(parse_spec("bridge=br0,helper=/h,ifname=tap%d", s, err, sizeof(err)), -EINVAL);
	assert_contains(err, "ifname cannot be given with helper");
	assert_int_equal(parse_spec("bridge=br0,helper=/h,mtu=9000", s, err, sizeof(err)), -EINVAL);
	assert_contains(err, "mtu cannot be given with helper");
	assert_int_equal(parse_spec("bridge=br0,helper=/a,helper=/b", s, err, sizeof(err)), -EINVAL);
	assert_contains(err, "'helper' given twice");
	assert_int_equal(nic_spec_parse("bridge=br0,helper=/a\0b", 21, s, err, sizeof(err)), -EINVAL);
	assert_contains(err, "helper: not a path");

	/* the longest path that fits, and one byte more */
	longer = malloc(32 + sizeof(s->helper));
	assert_non_null(longer);
	strcpy(longer, "bridge=br0,helper=/");
	memset(longer + strlen(longer), 'a', sizeof(s->helper) - 2);
	longer[19 + sizeof(s->helper) - 2] = '\0';
	assert_int_equal(parse_spec(longer, s, err, sizeof(err)), 0);
	assert_int_equal(strlen(s->helper), sizeof(s->helper) - 1);
	strcat(longer, "a");
	assert_int_equal(parse_spec(longer, s, err, sizeof(err)), -EINVAL);
	free(longer);

	/* what exec checks when it chooses the helper itself, for a caller without CAP_NET_ADMIN */
	assert_int_equal(parse_spec("bridge=br0,mtu=9000", s, err, sizeof(err)), 0);
	assert_string_equal(nic_spec_helper_conflict(s), "mtu");
	assert_int_equal(parse_spec("bridge=br0,netns=ns1,ifname=x", s, err, sizeof(err)), 0);
	assert_string_equal(nic_spec_helper_conflict(s), "netns");
	free(s);
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
		cmocka_unit_test(test_main_usage),
		cmocka_unit_test(test_main_globals),
		cmocka_unit_test(test_main_options),
		cmocka_unit_test(test_main_help),
		cmocka_unit_test(test_main_ctx_and_report),
		cmocka_unit_test(test_main_subcommands),
		cmocka_unit_test(test_main_dashdash),
		cmocka_unit_test(test_main_option_clash),
		cmocka_unit_test(test_values),
		cmocka_unit_test(test_nic_spec_qemu_nic),
		cmocka_unit_test(test_nic_spec_helper),
	};

	return cmocka_run_group_tests_name("cli", tests, NULL, NULL) ? EXIT_FAILURE : EXIT_SUCCESS;
}

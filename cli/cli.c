/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Shared CLI helpers: exact option parsing, errno-to-exit-code mapping, the library context. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* "vmtap CMD: <fmt>" on stderr, without the line's end. */
__attribute__((format(printf, 2, 0)))
static void say(const char *cmd, const char *fmt, va_list ap)
{
	fprintf(stderr, "vmtap %s: ", cmd);
	vfprintf(stderr, fmt, ap);
}

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	say(cmd, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry 'vmtap %s --help'.\n", cmd);
	return EXIT_USAGE;
}

int cli_invalid(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	say(cmd, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return EXIT_INVALID;
}

int cli_required(const struct cli_call *call, const char *value, const char *what)
{
	return value ? 0 : cli_usage_error(call->name, "%s is required", what);
}

/* The option of @tables named --@name (@len bytes), or NULL; the first table that has it wins. */
static const struct cli_opt *find_long(const struct cli_opt *const *tables, const char *name, size_t len)
{
	for (const struct cli_opt *const *t = tables; t && *t; t++)
		for (const struct cli_opt *o = *t; o->id; o++)
			if (strlen(o->long_name) == len && !strncmp(o->long_name, name, len))
				return o;
	return NULL;
}

static const struct cli_opt *find_short(const struct cli_opt *const *tables, char c)
{
	for (const struct cli_opt *const *t = tables; t && *t; t++)
		for (const struct cli_opt *o = *t; o->id; o++)
			if (o->short_name && o->short_name == c)
				return o;
	return NULL;
}

enum cli_global cli_global_opt(int argc, char **argv, int *i, struct global_opts *g)
{
	const char *a = argv[*i];

	if (!strcmp(a, "-j") || !strcmp(a, "--json"))
		g->json = true;
	else if (!strcmp(a, "-p") || !strcmp(a, "--pretty"))
		g->pretty = true;
	else if (!strcmp(a, "-v") || !strcmp(a, "--verbose"))
		g->verbose++;
	else if (!strncmp(a, "--state-dir=", 12))
		g->state_dir = a + 12;
	else if (!strcmp(a, "--state-dir")) {
		if (*i + 1 >= argc)
			return CLI_GLOBAL_NO_VALUE;
		g->state_dir = argv[++*i];
	} else
		return CLI_GLOBAL_NONE;
	return CLI_GLOBAL_TAKEN;
}

int cli_parse(const char *cmd, int argc, char **argv, const struct cli_opt *const *tables,
	      int (*handle)(const struct cli_opt *opt, const char *arg, void *data), void *data,
	      struct global_opts *g, char **ret_pos, int max_pos, int *ret_npos)
{
	bool only_pos = false;
	int npos = 0;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const struct cli_opt *o = NULL;
		const char *arg = NULL;
		int r;

		if (only_pos || a[0] != '-' || !a[1]) {
			if (npos == max_pos)
				return cli_usage_error(cmd, "unexpected argument '%s'", a);
			ret_pos[npos++] = argv[i];
			continue;
		}
		if (!strcmp(a, "--")) {
			only_pos = true;
			continue;
		}
		if (!strcmp(a, "--help") || !strcmp(a, "-h"))
			return OPT_HELP;
		switch (cli_global_opt(argc, argv, &i, g)) {
		case CLI_GLOBAL_TAKEN:
			continue;
		case CLI_GLOBAL_NO_VALUE:
			return cli_usage_error(cmd, "option '--state-dir' needs a value");
		case CLI_GLOBAL_NONE:
			break;
		}
		if (a[1] == '-') {
			const char *eq = strchr(a + 2, '=');
			size_t len = eq ? (size_t)(eq - a - 2) : strlen(a + 2);
			o = find_long(tables, a + 2, len);
			if (!o)
				return cli_usage_error(cmd, "unknown option '%.*s'", (int)(len + 2), a);
			if (eq) {
				if (!o->has_arg)
					return cli_usage_error(cmd, "option '--%s' takes no value", o->long_name);
				arg = eq + 1;
			}
		} else {
			if (a[2])
				return cli_usage_error(cmd, "unknown option '%s'", a);
			o = find_short(tables, a[1]);
			if (!o)
				return cli_usage_error(cmd, "unknown option '%s'", a);
		}
		if (o->has_arg && !arg) {
			if (i + 1 >= argc)
				return cli_usage_error(cmd, "option '%s' needs a value", a);
			arg = argv[++i];
		}
		r = handle(o, arg, data);
		if (r)
			return r;
	}
	*ret_npos = npos;
	return 0;
}

int cli_exit_code(struct vmtap_ctx *ctx, int r)
{
	const char *step = vmtap_ctx_error_step(ctx);

	if (r >= 0)
		return EXIT_OK;
	if (step && !strcmp(step, "validate"))
		return EXIT_INVALID;
	/* the bridge helper's exit status 3: a value it found invalid */
	if (r == -EINVAL && step && !strcmp(step, "bridge helper"))
		return EXIT_INVALID;
	switch (-r) {
	case ETIMEDOUT:
		return EXIT_TIMEOUT;
	case EREMOTEIO:
	case EPROTO:
	case ECONNRESET:
		return EXIT_REMOTE;
	case EBADMSG:
	case EMSGSIZE:
		/* what QEMU sent, or a record that cannot be read */
		return step && !strcmp(step, "qmp") ? EXIT_REMOTE : EXIT_FAILURE_OTHER;
	case EMFILE:
	case ENFILE:
	case ENOMEM:
	case ENOSPC:
		return EXIT_RESOURCES;
	case EDQUOT:
		/* the bridge helper's per-user limits (its exit status 8); otherwise a disk quota */
		return step && !strcmp(step, "bridge helper") ? EXIT_LIMIT : EXIT_RESOURCES;
	case EXDEV:
	case ENOENT:
	case ENODEV:
	case ENXIO:
	case EMEDIUMTYPE: /* exists, but is not a TAP: no TAP of that name */
		return EXIT_NOT_FOUND;
	case EEXIST:
	case EBUSY:
		return EXIT_EXISTS;
	case EPERM:
	case EACCES:
		return EXIT_PERMISSION;
	default:
		return step && step[0] ? EXIT_KERNEL : EXIT_FAILURE_OTHER;
	}
}

int cli_report(struct vmtap_ctx *ctx, const char *cmd, int r)
{
	const char *text = vmtap_ctx_error(ctx);

	if (r >= 0)
		return EXIT_OK;
	cli_print_error(cmd, text && text[0] ? text : strerror(-r));
	return cli_exit_code(ctx, r);
}

void cli_print_error(const char *cmd, const char *text)
{
	/* what the library reports may quote outside text (aliases, QEMU's words): never raw to the terminal */
	char *safe = print_escape_controls(text);

	fprintf(stderr, "vmtap %s: %s\n", cmd, safe ? safe : "(out of memory)");
	free(safe);
}

static void log_stderr(enum vmtap_log_level level, const char *msg, void *userdata)
{
	(void)userdata;
	fprintf(stderr, "vmtap: %s%s\n", level <= VMTAP_LOG_ERR ? "error: " :
		level == VMTAP_LOG_WARNING ? "warning: " : "", msg);
}

int cli_ctx_new(const struct global_opts *g, struct vmtap_ctx **ret_ctx)
{
	int r = vmtap_ctx_new(ret_ctx);

	if (r < 0) {
		fprintf(stderr, "vmtap: %s\n", strerror(-r));
		return EXIT_FAILURE_OTHER;
	}
	vmtap_ctx_set_log(*ret_ctx, log_stderr, NULL,
			  g->verbose > 1 ? VMTAP_LOG_DEBUG : g->verbose ? VMTAP_LOG_INFO : VMTAP_LOG_WARNING);
	if (g->state_dir) {
		r = vmtap_ctx_set_state_dir(*ret_ctx, g->state_dir);
		if (r < 0) {
			fprintf(stderr, "vmtap: %s\n", vmtap_ctx_error(*ret_ctx));
			*ret_ctx = vmtap_ctx_free(*ret_ctx);
			return r == -EINVAL ? EXIT_INVALID : EXIT_FAILURE_OTHER;
		}
	}
	return 0;
}

struct printer *cli_printer(const struct cli_call *call)
{
	return print_new(stdout, call->g->json, call->g->pretty);
}

int cli_print_done(struct printer *p)
{
	if (!p)
		return EXIT_FAILURE_OTHER;
	return print_finish(p) < 0 ? EXIT_FAILURE_OTHER : EXIT_OK;
}

/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What every vmtap command goes through, once: global options, --help, parsing, the library context, reporting, freeing. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/**
 * DOC: Theory of Operation
 *
 * cli/vmtap.c lists the commands (struct cli_command); each command's file
 * says what it takes (help text, option tables, how many positionals, its
 * values' defaults) and supplies three handlers: @option parses one option's
 * value, @check refuses what is missing once all options are in, @run does
 * the job.  Everything else happens here, in the same order for every
 * command, so that all of them behave alike:
 *
 *  1. global options before the command's name (cli_main), and after it
 *     (cli_parse, through the same cli_global_opt());
 *  2. a command with subcommands takes the subcommand's name next;
 *  3. options in the order given, each handed to @option as it comes, so a
 *     bad value or an unknown option before --help wins over it;
 *  4. --help or -h prints the command's help on stdout;
 *  5. the count of positionals, then @check;
 *  6. a library context, only for a command that needs one;
 *  7. @run; a negative errno it returns is reported from the context;
 *  8. everything freed, whatever happened.
 *
 * Nothing is made before it is known to be needed: bad input is refused
 * before a context exists, so it never touches the kernel or the state
 * directory.
 */

static void usage(FILE *out, const struct cli_command *const *commands)
{
	fprintf(out, "Usage: vmtap [-j|--json] [-p|--pretty] [-v|--verbose] [--state-dir DIR] COMMAND [ARGS]\n"
		     "       vmtap -V|--version | -h|--help\n\nCommands:\n");
	for (const struct cli_command *const *c = commands; *c; c++)
		fprintf(out, "  %-10s %s\n", (*c)->name, (*c)->summary);
	fprintf(out, "\n'vmtap COMMAND --help' describes a command; vmtap(8) has the details and exit codes.\n");
}

static const struct cli_command *find_command(const struct cli_command *const *commands, const char *name)
{
	for (const struct cli_command *const *c = commands; *c; c++)
		if (!strcmp((*c)->name, name))
			return *c;
	return NULL;
}

/* cli_parse()'s handler: a value the table says where to keep, else the command's own handler. */
static int call_option(const struct cli_opt *opt, const char *arg, void *data)
{
	struct cli_call *call = data;

	switch (opt->store) {
	case CLI_STORE_STRING:
		*(const char **)((char *)call->data + opt->offset) = arg;
		return 0;
	case CLI_STORE_TRUE:
		*(bool *)((char *)call->data + opt->offset) = true;
		return 0;
	case CLI_STORE_NONE:
		break;
	}
	return call->cmd->option(call, opt->id, arg);
}

/*
 * An option of @tables that repeats the long name, short name or id of one
 * before it, or NULL.  The tables are searched in order, so a repeated name
 * would be silently shadowed: a mistake in the tables, refused loudly.
 */
static const struct cli_opt *option_clash(const struct cli_opt *const *tables)
{
	for (const struct cli_opt *const *t = tables; t && *t; t++)
		for (const struct cli_opt *o = *t; o->id; o++)
			for (const struct cli_opt *const *u = tables; u <= t; u++)
				for (const struct cli_opt *p = *u; p->id && p != o; p++)
					if (p->id == o->id || !strcmp(p->long_name, o->long_name) ||
					    (o->short_name && p->short_name == o->short_name))
						return o;
	return NULL;
}

/* Parse, check, make the context, run, report: steps 3 to 7; what it made is freed by the caller. */
static int call_run(struct cli_call *call, int argc, char **argv)
{
	const struct cli_command *cmd = call->cmd;
	int max_args = cmd->max_args == CLI_ARGS_ANY ? argc : cmd->max_args;
	const struct cli_opt *clash = option_clash(cmd->options);
	int r;

	if (clash) {
		fprintf(stderr, "vmtap %s: internal error: option --%s clashes with another of the command's\n",
			call->name, clash->long_name);
		return EXIT_FAILURE_OTHER;
	}
	if (cmd->command_after_dashdash) {
		for (int i = 1; i < argc; i++)
			if (!strcmp(argv[i], "--")) {
				call->command = argv + i + 1;
				argc = i;
				break;
			}
	}
	r = cli_parse(call->name, argc, argv, cmd->options, call_option, call, call->g, call->args, max_args,
		      &call->nargs);
	if (r == OPT_HELP) {
		fputs(cmd->help, stdout);
		return EXIT_OK;
	}
	if (r)
		return r;
	if (call->nargs < cmd->min_args)
		return cli_usage_error(call->name, "%s", cmd->missing_args);
	if (cmd->check && (r = cmd->check(call)) != 0)
		return r;
	if (cmd->needs_ctx && (r = cli_ctx_new(call->g, &call->ctx)) != 0)
		return r;
	r = cmd->run(call);
	return r < 0 ? cli_report(call->ctx, call->name, r) : r;
}

/* Run @cmd, called @name in messages, on argv[1..] (argv[0] is its name). */
static int command_run(const struct cli_command *cmd, const char *name, int argc, char **argv, struct global_opts *g)
{
	struct cli_call call = { .cmd = cmd, .name = name, .g = g };
	int r;

	if (cmd->subcommands) {
		const struct cli_command *sub;
		char *subname;

		if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
			fputs(cmd->help, argc < 2 ? stderr : stdout);
			return argc < 2 ? EXIT_USAGE : EXIT_OK;
		}
		sub = find_command(cmd->subcommands, argv[1]);
		if (!sub)
			return cli_usage_error(name, "unknown command '%s'", argv[1]);
		if (asprintf(&subname, "%s %s", name, sub->name) < 0)
			return EXIT_FAILURE_OTHER;
		r = command_run(sub, subname, argc - 1, argv + 1, g);
		free(subname);
		return r;
	}

	/* positionals are at most all of argv; data is the command's values, from its defaults */
	call.args = calloc((size_t)argc, sizeof(*call.args));
	call.data = cmd->data_size ? malloc(cmd->data_size) : NULL;
	if (!call.args || (cmd->data_size && !call.data)) {
		free(call.args);
		free(call.data);
		return EXIT_FAILURE_OTHER;
	}
	if (cmd->data_size)
		memcpy(call.data, cmd->data_init, cmd->data_size);

	r = call_run(&call, argc, argv);

	if (cmd->free_data)
		cmd->free_data(call.data);
	free(call.data);
	free(call.args);
	vmtap_ctx_free(call.ctx);
	return r;
}

int cli_main(const struct cli_command *const *commands, int argc, char **argv)
{
	struct global_opts g = { 0 };
	const struct cli_command *cmd;
	int i;

	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		const char *a = argv[i];

		/* "--state-dir" without a value is no option at all here */
		if (cli_global_opt(argc, argv, &i, &g) == CLI_GLOBAL_TAKEN)
			continue;
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage(stdout, commands);
			return EXIT_OK;
		}
		if (!strcmp(a, "-V") || !strcmp(a, "--version")) {
			printf("vmtap %s\n", VMTAP_VERSION);
			return EXIT_OK;
		}
		fprintf(stderr, "vmtap: unknown option '%s'\n", a);
		usage(stderr, commands);
		return EXIT_USAGE;
	}
	if (i == argc) {
		usage(stderr, commands);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[i], "help")) {
		usage(stdout, commands);
		return EXIT_OK;
	}
	cmd = find_command(commands, argv[i]);
	if (!cmd) {
		fprintf(stderr, "vmtap: unknown command '%s'\n", argv[i]);
		usage(stderr, commands);
		return EXIT_USAGE;
	}
	return command_run(cmd, cmd->name, argc - i, argv + i, &g);
}

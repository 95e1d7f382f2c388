/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Shared pieces of the vmtap CLI: exit codes, the command table, exact option parsing, shared option values, error reporting. */
#ifndef VMTAP_CLI_H
#define VMTAP_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "vmtap.h"
#include "print.h"

/* The digits of a numeric constant as a string literal, for help texts: CLI_STR(VMTAP_MTU_MIN) is "68". */
#define CLI_STR_(x) #x
#define CLI_STR(x) CLI_STR_(x)

/* Exit codes, documented in vmtap(8). */
enum {
	EXIT_OK = 0,
	EXIT_FAILURE_OTHER = 1, /* anything not below */
	EXIT_USAGE = 2,         /* unknown command or option, missing or extra argument */
	EXIT_INVALID = 3,       /* a value is invalid: name, MAC, MTU, queue count, ... */
	EXIT_NOT_FOUND = 4,     /* device, namespace or bridge does not exist */
	EXIT_EXISTS = 5,        /* device exists already, or is busy */
	EXIT_PERMISSION = 6,    /* not permitted */
	EXIT_KERNEL = 7,        /* the kernel refused the operation */
	EXIT_TIMEOUT = 8,       /* a peer (QEMU) or a lock holder did not answer in time */
	EXIT_REMOTE = 9,        /* QEMU refused a command, or broke the QMP protocol */
	EXIT_RESOURCES = 10,    /* out of file descriptors, memory or disk space */
	EXIT_LIMIT = 11,        /* over a per-user limit of the bridge helper */
	EXIT_EXEC = 127,        /* vmtap exec could not execute the command */
};

/* The options every command takes, before or after its name. */
struct global_opts {
	bool json;
	bool pretty;
	int verbose;
	const char *state_dir; /* --state-dir; NULL: $VMTAP_STATE_DIR or /run/vmtap */
};

/* ---- option tables and their parser ---- */

/* What the command runner does with an option's value by itself, without the command's handler. */
enum cli_opt_store {
	CLI_STORE_NONE,   /* nothing: the handler parses it */
	CLI_STORE_STRING, /* the value, as given, into a const char * of the command's data */
	CLI_STORE_TRUE,   /* true into a bool of the command's data */
};

/* One option of a table for cli_parse(); 0 as @id ends the table. */
struct cli_opt {
	const char *long_name; /* without "--" */
	char short_name;       /* 0: none */
	bool has_arg;
	int id;
	enum cli_opt_store store;
	size_t offset;         /* with @store: where in the command's data */
};

/* offsetof(@type, @field), refused at compile time unless the field is of type @want. */
#define CLI_FIELD(type, field, want)                                                                    \
	(offsetof(type, field) +                                                                        \
	 0 * sizeof(char[__builtin_types_compatible_p(__typeof__(((type *)0)->field), want) ? 1 : -1]))

/* An option with a value (VALUE) or without (BARE), for the command's handler. */
#define CLI_OPT_VALUE(name, short_name, id) { name, short_name, true, id, CLI_STORE_NONE, 0 }
#define CLI_OPT_BARE(name, short_name, id) { name, short_name, false, id, CLI_STORE_NONE, 0 }
/* An option whose value is kept as given, in the const char * @field of the command's data (@type). */
#define CLI_OPT_STRING(name, short_name, id, type, field) \
	{ name, short_name, true, id, CLI_STORE_STRING, CLI_FIELD(type, field, const char *) }
/* An option without a value that sets the bool @field of the command's data (@type). */
#define CLI_OPT_FLAG(name, short_name, id, type, field) \
	{ name, short_name, false, id, CLI_STORE_TRUE, CLI_FIELD(type, field, bool) }

/*
 * Option ids.  A command numbers its own options from CLI_OPT_OWN; the tables
 * several commands share have ranges of their own, so that a command can list
 * its own table beside a shared one and every id still names one option.
 */
enum cli_opt_base {
	CLI_OPT_OWN = 1,
	CLI_OPT_LINK = 100, /* cli_link_opts */
	CLI_OPT_SPEC = 200, /* cli_endpoint_spec_opts */
};

/* cli_parse()'s result when --help or -h was given: not an exit code, not an option id. */
enum { OPT_HELP = 1000 };

/* What cli_global_opt() found at argv[*i]. */
enum cli_global {
	CLI_GLOBAL_NONE,     /* not a global option */
	CLI_GLOBAL_TAKEN,    /* taken into the global options */
	CLI_GLOBAL_NO_VALUE, /* --state-dir without its value */
};

/*
 * The one place global options are recognised: -j/--json, -p/--pretty,
 * -v/--verbose (counted), --state-dir DIR and --state-dir=DIR.  Called for
 * options before the command's name (cli_main) and after it (cli_parse);
 * *@i is moved past a value taken from the next argument.
 */
enum cli_global cli_global_opt(int argc, char **argv, int *i, struct global_opts *g);

/*
 * Parse argv[1..] exactly (no abbreviations): options anywhere, the global
 * options (into @g) besides those of @tables (a NULL-terminated list of
 * option tables, searched in order; NULL: none), "--" ends them,
 * positionals collected into @ret_pos (at most @max_pos).  Calls @handle for
 * each option (@arg NULL for one without a value); a non-zero return from it
 * stops parsing and is returned.
 * Returns 0, OPT_HELP when --help/-h was given, or EXIT_USAGE after printing why.
 */
int cli_parse(const char *cmd, int argc, char **argv, const struct cli_opt *const *tables,
	      int (*handle)(const struct cli_opt *opt, const char *arg, void *data), void *data,
	      struct global_opts *g, char **ret_pos, int max_pos, int *ret_npos);

/* ---- the command table ---- */

/* One run of a command: what its option handler, check and run get. */
struct cli_call {
	const struct cli_command *cmd;
	const char *name;        /* "create", "endpoint create": what the command's messages start with */
	struct global_opts *g;
	struct vmtap_ctx *ctx;   /* made before run() for a command that needs one, else NULL */
	char **args;             /* the positional arguments, nargs of them */
	int nargs;
	char **command;          /* with .command_after_dashdash: what follows "--" (NULL-terminated), or NULL */
	void *data;              /* the command's values: a copy of its .data_init */
};

#define CLI_ARGS_ANY (-1) /* .max_args: no upper limit */

/*
 * A command, as cli_main() runs it (see cli/command.c): parse its options
 * with @options, each kept in its data as the table says or handed to
 * @option, in the order given; --help from @help; refuse fewer than
 * @min_args or more than @max_args positionals; @check; make a library
 * context when @needs_ctx; @run; report a failure; free.  The handlers
 * parse their own values and do their job, nothing else.
 *
 * A command with @subcommands (a NULL-terminated list) takes the name of one
 * of them next, and that one runs as "NAME SUBNAME".
 */
struct cli_command {
	const char *name;
	const char *summary;                  /* one line of 'vmtap --help' */
	const char *help;                     /* 'vmtap NAME --help' */
	const struct cli_command *const *subcommands;
	const struct cli_opt *const *options; /* NULL-terminated list of option tables; NULL: none */
	/* one option the tables do not store (CLI_STORE_NONE): 0, or an exit code after saying why */
	int (*option)(struct cli_call *call, int id, const char *arg);
	int min_args, max_args;               /* positionals; max CLI_ARGS_ANY: any number */
	const char *missing_args;             /* usage error when fewer than min_args */
	/* options end at the first "--"; what follows is call->command (vmtap exec) */
	bool command_after_dashdash;
	bool needs_ctx;
	size_t data_size;                     /* call->data: data_size bytes copied from data_init */
	const void *data_init;
	/* after the options, before a context is made: 0, or an exit code after saying why */
	int (*check)(struct cli_call *call);
	/* the job: a negative errno (reported from the context's error) or an exit code */
	int (*run)(struct cli_call *call);
	void (*free_data)(void *data);        /* what the handlers allocated in call->data */
};

/* .data_size and .data_init of a command whose values start as @defaults (a static const object). */
#define CLI_DATA(defaults) .data_size = sizeof(defaults), .data_init = &(defaults)

/*
 * The vmtap program: global options, 'vmtap --help' listing @commands
 * (NULL-terminated), --version, and the command named.  Returns the exit code.
 */
int cli_main(const struct cli_command *const *commands, int argc, char **argv);

/* ---- reporting ---- */

/* Print "vmtap CMD: <message>" to stderr and return the exit code for @r. */
int cli_report(struct vmtap_ctx *ctx, const char *cmd, int r);
/* The exit code for failure @r of the last call on @ctx (see the EXIT_* codes). */
int cli_exit_code(struct vmtap_ctx *ctx, int r);
/* Print "vmtap CMD: TEXT" to stderr, control characters escaped. */
void cli_print_error(const char *cmd, const char *text);
int cli_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int cli_invalid(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* For a check: 0 when the option @what ("--qmp SOCKET") gave @value, else a usage error saying it is required. */
int cli_required(const struct cli_call *call, const char *value, const char *what);

/* New context logging warnings (and more with -v) to stderr; 0, or an exit code after saying why. */
int cli_ctx_new(const struct global_opts *g, struct vmtap_ctx **ret_ctx);

/* A printer on stdout in the output mode asked for (-j, -p); NULL when out of memory. */
struct printer *cli_printer(const struct cli_call *call);
/* Finish @p: EXIT_OK, or EXIT_FAILURE_OTHER when there was no printer or the output could not be written. */
int cli_print_done(struct printer *p);

/* ---- values ---- */

/* Decimal digits only (no sign, no space), at most @max: 0, -EINVAL (not a number) or -ERANGE. */
int cli_parse_uint(const char *s, unsigned long max, unsigned long *ret);
/* As cli_parse_uint(), of the @len bytes at @buf. */
int cli_parse_uint_n(const char *buf, size_t len, unsigned long max, unsigned long *ret);
/* A queue count, 1..VMTAP_MAX_QUEUES, of the @len bytes at @buf: 0 or a negative errno. */
int cli_parse_queues(const char *buf, size_t len, unsigned int *ret);
/* An MTU, VMTAP_MTU_MIN..VMTAP_MTU_MAX, of the @len bytes at @buf: 0 or a negative errno. */
int cli_parse_mtu(const char *buf, size_t len, uint32_t *ret);
int cli_parse_uid(const char *s, uid_t *ret);
int cli_parse_gid(const char *s, gid_t *ret);

/*
 * Option values several commands take, each refused with the one message it
 * has wherever it is given: 0, or the invalid-input code after saying why.
 */
int cli_value_queues(const char *cmd, const char *arg, unsigned int *ret);
int cli_value_mtu(const char *cmd, const char *arg, uint32_t *ret);
/* An owner or group into *@ret, and @set_flag (that says it is to be applied) into *@flags. */
int cli_value_owner(const char *cmd, const char *arg, uid_t *ret, uint32_t *flags, uint32_t set_flag);
int cli_value_group(const char *cmd, const char *arg, gid_t *ret, uint32_t *flags, uint32_t set_flag);
int cli_value_bridge(const char *cmd, const char *arg, const char **ret);
/* A unicast MAC address into @ret_mac, and *@ret_set true; @refusal is the message, a format of @arg. */
int cli_value_mac(const char *cmd, const char *arg, uint8_t ret_mac[6], bool *ret_set, const char *refusal);
/* "noqueue" clears @kernel_flag in *@flags, "kernel" (the kernel's default qdiscs) sets it. */
int cli_value_qdisc(const char *cmd, const char *arg, uint32_t *flags, uint32_t kernel_flag);
/* "bridge", "vepa", "private" or "passthru". */
int cli_value_macvtap_mode(const char *cmd, const char *arg, enum vmtap_macvtap_mode *ret);
/* A tc filter priority, 1..65535. */
int cli_value_tc_prio(const char *cmd, const char *arg, uint32_t *ret);

/* ---- shared option tables and printers ---- */

/* Print one link the same way for list, show and create. */
void cli_print_link(struct printer *p, const struct vmtap_link_info *li, bool details);

/* Link options (cli_link_opts) shared by create and set. */
enum cli_link_opt_id {
	LOPT_MTU = CLI_OPT_LINK, LOPT_MAC, LOPT_GUEST_MAC, LOPT_TXQLEN, LOPT_BRIDGE, LOPT_NOMASTER,
	LOPT_ALIAS, LOPT_UP, LOPT_DOWN, LOPT_MOVE,
};
extern const struct cli_opt cli_link_opts[];
/* Apply link option @id; returns 0, an exit code after printing why, or 1 when @id is not a link option. */
int cli_link_opt(const char *cmd, int id, const char *arg, struct vmtap_link_set_opts *o);
bool cli_link_opts_any(const struct vmtap_link_set_opts *o);

/* The endpoint SPEC options (cli_endpoint_spec_opts) shared by endpoint create and hotplug. */
enum cli_spec_opt_id {
	SPEC_IFNAME = CLI_OPT_SPEC, SPEC_QUEUES, SPEC_NO_VNET_HDR, SPEC_MTU, SPEC_GUEST_MAC, SPEC_HOST_MAC,
	SPEC_OWNER, SPEC_GROUP, SPEC_NETNS, SPEC_BRIDGE, SPEC_VHOST, SPEC_DOWN, SPEC_QDISC, SPEC_REDIRECT,
	SPEC_MACVTAP, SPEC_MACVTAP_MODE, SPEC_TC_PRIO, SPEC_KEEP_PARENT, SPEC_LABEL,
};
extern const struct cli_opt cli_endpoint_spec_opts[];
/* An endpoint SPEC as the options build it, with what the struct cannot tell (a value given that equals 0). */
struct cli_spec {
	struct vmtap_endpoint_spec s;
	bool given;                 /* any SPEC option */
	bool macvtap_mode_given;    /* --macvtap-mode, bridge (0) included */
};
#define CLI_SPEC_INIT { .s = { .sz = sizeof(struct vmtap_endpoint_spec) } }
/* Apply SPEC option @id to @spec: 0, or an exit code after printing why. */
int cli_endpoint_spec_opt(int id, const char *arg, struct cli_spec *spec);
/* Once all options are in: refuse options of a connection that was not asked for.  0, or an exit code after printing why. */
int cli_endpoint_spec_check(const struct cli_spec *spec);

#endif

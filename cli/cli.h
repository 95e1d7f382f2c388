/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Shared pieces of the vmtap CLI: exit codes, exact option parsing, error reporting, the command table. */
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
	EXIT_EXEC = 127,        /* vmtap exec could not execute the command */
};

struct global_opts {
	bool json;
	bool pretty;
	int verbose;
	const char *state_dir; /* --state-dir; NULL: $VMTAP_STATE_DIR or /run/vmtap */
};

struct cmd {
	const char *name;
	int (*run)(int argc, char **argv, struct global_opts *g);
	const char *summary;
};

/* Option table for cli_parse(); @id is passed to the handler, 0 ends the table. */
struct cli_opt {
	const char *long_name; /* without "--" */
	char short_name;       /* 0: none */
	bool has_arg;
	int id;
};

enum { OPT_HELP = 1000 };

/*
 * Parse argv[1..] exactly (no abbreviations): options anywhere, the common
 * -j/--json, -p/--pretty, -v/--verbose and --state-dir (into @g) besides @opts, "--" ends them,
 * positionals collected into @ret_pos (at most @max_pos).  Calls @handle for
 * each option; a non-zero return from it stops parsing and is returned.
 * Returns 0, OPT_HELP when --help/-h was given, or EXIT_USAGE after printing why.
 */
int cli_parse(const char *cmd, int argc, char **argv, const struct cli_opt *opts,
	      int (*handle)(int id, const char *arg, void *data), void *data,
	      struct global_opts *g, char **ret_pos, int max_pos, int *ret_npos);

/* Print "vmtap CMD: <message>" to stderr and return the exit code for @r. */
int cli_report(struct vmtap_ctx *ctx, const char *cmd, int r);
/* The exit code for failure @r of the last call on @ctx (see the EXIT_* codes). */
int cli_exit_code(struct vmtap_ctx *ctx, int r);
/* Print "vmtap CMD: TEXT" to stderr, control characters escaped. */
void cli_print_error(const char *cmd, const char *text);
int cli_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int cli_invalid(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* New context logging warnings (and more with -v) to stderr; 0, or an exit code after saying why. */
int cli_ctx_new(const struct global_opts *g, struct vmtap_ctx **ret_ctx);

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
int cli_value_owner(const char *cmd, const char *arg, uid_t *ret);
int cli_value_group(const char *cmd, const char *arg, gid_t *ret);
int cli_value_bridge(const char *cmd, const char *arg);
/* "noqueue" clears @kernel_flag in *@flags, "kernel" (the kernel's default qdiscs) sets it. */
int cli_value_qdisc(const char *cmd, const char *arg, uint32_t *flags, uint32_t kernel_flag);

/* Print one link the same way for list, show and create. */
void cli_print_link(struct printer *p, const struct vmtap_link_info *li, bool details);

/* Link options (cli_link_opts) shared by create and set; ids from LOPT_BASE up. */
enum {
	LOPT_BASE = 100,
	LOPT_MTU, LOPT_MAC, LOPT_GUEST_MAC, LOPT_TXQLEN, LOPT_BRIDGE, LOPT_NOMASTER,
	LOPT_ALIAS, LOPT_UP, LOPT_DOWN, LOPT_MOVE,
};
extern const struct cli_opt cli_link_opts[];
/* Apply link option @id; returns 0, an exit code after printing why, or 1 when @id is not a link option. */
int cli_link_opt(const char *cmd, int id, const char *arg, struct vmtap_link_set_opts *o);
bool cli_link_opts_any(const struct vmtap_link_set_opts *o);
/* Concatenate two option tables into @out (capacity @n); returns @out. */
const struct cli_opt *cli_opts_join(struct cli_opt *out, size_t n, const struct cli_opt *a, const struct cli_opt *b);

/* The endpoint SPEC options (ids 1..99) shared by endpoint create and hotplug; @data is a vmtap_endpoint_spec. */
extern const struct cli_opt cli_endpoint_spec_opts[];
int cli_endpoint_spec_opt(int id, const char *arg, void *data);

int cmd_probe(int argc, char **argv, struct global_opts *g);
int cmd_create(int argc, char **argv, struct global_opts *g);
int cmd_delete(int argc, char **argv, struct global_opts *g);
int cmd_list(int argc, char **argv, struct global_opts *g);
int cmd_show(int argc, char **argv, struct global_opts *g);
int cmd_set(int argc, char **argv, struct global_opts *g);
int cmd_endpoint(int argc, char **argv, struct global_opts *g);
int cmd_gc(int argc, char **argv, struct global_opts *g);
int cmd_exec(int argc, char **argv, struct global_opts *g);
int cmd_qemu_args(int argc, char **argv, struct global_opts *g);
int cmd_hotplug(int argc, char **argv, struct global_opts *g);
int cmd_unplug(int argc, char **argv, struct global_opts *g);
int cmd_qmp(int argc, char **argv, struct global_opts *g);

#endif

/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The commands of vmtap, one file each, for the table in cli/vmtap.c. */
#ifndef VMTAP_CLI_COMMANDS_H
#define VMTAP_CLI_COMMANDS_H

#include "cli.h"

extern const struct cli_command cli_cmd_probe;     /* probe.c */
extern const struct cli_command cli_cmd_create;    /* create.c */
extern const struct cli_command cli_cmd_set;       /* set.c */
extern const struct cli_command cli_cmd_delete;    /* delete.c */
extern const struct cli_command cli_cmd_list;      /* list.c */
extern const struct cli_command cli_cmd_show;      /* list.c */
extern const struct cli_command cli_cmd_endpoint;  /* endpoint.c */
extern const struct cli_command cli_cmd_gc;        /* gc.c */
extern const struct cli_command cli_cmd_exec;      /* exec.c */
extern const struct cli_command cli_cmd_qemu_args; /* qemu_args.c */
extern const struct cli_command cli_cmd_hotplug;   /* hotplug.c */
extern const struct cli_command cli_cmd_unplug;    /* hotplug.c */
extern const struct cli_command cli_cmd_qmp;       /* qmp.c */

#endif

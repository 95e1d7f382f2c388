/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The reaper of vmtap exec's ephemeral endpoints (reaper.c). */
#ifndef VMTAP_CLI_REAPER_H
#define VMTAP_CLI_REAPER_H

#include <stddef.h>

struct cli_call;

/*
 * Start a detached process that destroys endpoints @ids (copied: the child
 * has its own memory) once this process has exited, whatever it has become
 * by then.  0, or a negative errno when it could not be started.
 */
int cli_reaper_spawn(const struct cli_call *call, char *const *ids, size_t n);

#endif

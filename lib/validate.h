/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Validators that report through a context (NULL: just the return code). */
#ifndef VMTAP_VALIDATE_H
#define VMTAP_VALIDATE_H

#include "internal.h"

int vt_name_check(struct vmtap_ctx *ctx, const char *what, const char *name, bool allow_pattern);
int vt_mac_parse(struct vmtap_ctx *ctx, const char *buf, size_t len, uint8_t ret_mac[6]);
int vt_netns_name_check(struct vmtap_ctx *ctx, const char *name);
int vt_queues_check(struct vmtap_ctx *ctx, unsigned int queues);

#endif

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Validators of names, ids, MACs and values, pure functions that report through a context (NULL: just the return code). */
/*
 * Owns: what input vmtap accepts, before anything touches the kernel.
 * Must not: touch the kernel or the file system.
 */
#ifndef VMTAP_VALIDATE_H
#define VMTAP_VALIDATE_H

#include "ctx.h"

int vt_name_check(struct vmtap_ctx *ctx, const char *what, const char *name, bool allow_pattern);
int vt_mac_parse(struct vmtap_ctx *ctx, const char *buf, size_t len, uint8_t ret_mac[6]);
int vt_netns_name_check(struct vmtap_ctx *ctx, const char *name);
/* A namespace name, or an absolute path of at most @max_len bytes; no control characters. */
int vt_netns_spec_check(struct vmtap_ctx *ctx, const char *spec, size_t max_len);
/* Whether @s holds a byte below 0x20 or DEL. */
bool vt_has_control(const char *s);
int vt_queues_check(struct vmtap_ctx *ctx, unsigned int queues);
/* Whether (s, len) is well-formed UTF-8 (shortest forms, no surrogates, at most U+10FFFF). */
bool vt_utf8_valid(const char *s, size_t len);
/* An endpoint label: at most VMTAP_LABEL_MAX bytes of UTF-8 without control characters. */
int vt_label_check(struct vmtap_ctx *ctx, const char *label);

/* An alias that vmtap keeps for its ownership tags ("vmtap:...", "vmtap-..."). */
bool vt_alias_reserved(const char *alias);
/* QEMU's id_wellformed(): a letter, then letters, digits, '-', '.', '_'; at most 120 bytes here. */
bool vt_qemu_id_ok(const char *id);
/* A value inside a QEMU option string: no ',' (another option), '=', space or control. */
bool vt_qemu_value_ok(const char *value);
/* A PCI address as vmtap records it: "dddd:bb:ss.f", lower-case hex. */
bool vt_pci_addr_ok(const char *addr);

#endif

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* QEMU's rules for ids and option values, shared by the cold-plug and hot-plug paths. */
#ifndef VMTAP_QEMU_H
#define VMTAP_QEMU_H

#include <stdbool.h>

/* QEMU's id_wellformed(): a letter, then letters, digits, '-', '.', '_'; at most 120 bytes here. */
bool vt_qemu_id_ok(const char *id);
/* A value inside a QEMU option string: no ',' (another option), '=', space or control. */
bool vt_qemu_value_ok(const char *value);

#endif

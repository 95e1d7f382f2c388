/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* json-c objects and tokeners under _cleanup_: the typed cleanups of the parsers of records and QMP messages. */
/*
 * Owns: the cleanups of json-c's types.  Must not: know what the JSON means.
 */
#ifndef VMTAP_JSONC_H
#define VMTAP_JSONC_H

#include <json-c/json.h>

#include "util.h"

/* For _cleanup_json_: a reference dropped (json_object_put() returns an int, not NULL). */
static inline void vt_json_putp(json_object **p)
{
	if (*p) {
		json_object_put(*p);
		*p = NULL;
	}
}
#define _cleanup_json_ _cleanup_(vt_json_putp)

static inline void vt_json_tokener_freep(struct json_tokener **p)
{
	if (*p) {
		json_tokener_free(*p);
		*p = NULL;
	}
}
#define _cleanup_json_tokener_ _cleanup_(vt_json_tokener_freep)

#endif

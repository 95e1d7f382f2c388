/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* QMP messages: the (buf, len) parser shared by the client and its fuzz target. */
#ifndef VMTAP_QMP_H
#define VMTAP_QMP_H

#include <json-c/json.h>

#include "internal.h"

#define VT_QMP_MSG_MAX (1024 * 1024)

enum vt_qmp_type {
	VT_QMP_GREETING = 1,
	VT_QMP_RETURN,
	VT_QMP_ERROR,
	VT_QMP_EVENT,
};

struct vt_qmp_msg {
	enum vt_qmp_type type;
	char id[64];              /* of a return or error: "" when it had none */
	char event[64];
	char device[128];         /* an event's data.device, "" when absent */
	char err_class[64];
	char err_desc[256];
	json_object *obj;         /* the whole message, owned */
};

/* Parse one QMP message from (buf, len); on failure @err says why. */
int vt_qmp_parse(const char *buf, size_t len, struct vt_qmp_msg *ret, char *err, size_t errlen);
void vt_qmp_msg_clear(struct vt_qmp_msg *msg);
/* Run @command with @args (consumed; NULL: none), passing @fd when >= 0; @ret_return gets the "return" value. */
int vt_qmp_call(struct vmtap_ctx *ctx, struct vmtap_qmp *q, const char *command, json_object *args, int fd,
		json_object **ret_return);

#endif

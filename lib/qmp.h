/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The QMP client's internals: the (buf, len) message parser shared with its fuzz target, deadlines, event filters. */
/*
 * Owns: talking to QEMU's QMP socket.  Must not: know about endpoints or
 * TAPs (hotplug.c composes), or trust anything QEMU sends.
 */
#ifndef VMTAP_QMP_H
#define VMTAP_QMP_H

#include <json-c/json.h>

#include "ctx.h"

#define VT_QMP_MSG_MAX (1024 * 1024)
/* JSON objects and arrays in one message: json-c spends hundreds of bytes on each */
#define VT_QMP_VALUES_MAX 65536

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

/*
 * Connect to QMP socket @path, as vmtap_qmp_connect() does, with every
 * exchange also bounded by @deadline (ms on CLOCK_MONOTONIC, see
 * vt_qmp_now_ms(); 0: none), connect() included.
 */
int vt_qmp_connect(struct vmtap_ctx *ctx, const char *path, int timeout_ms, long deadline, struct vmtap_qmp **ret_qmp);
/* Bound every later exchange by @deadline (0: none). */
void vt_qmp_set_deadline(struct vmtap_qmp *q, long deadline);
/* Keep only events named in @names (NULL-terminated, static; NULL: all) for vmtap_qmp_wait_event(). */
void vt_qmp_keep_events(struct vmtap_qmp *q, const char *const *names);
/* Whether an exchange timed out or the connection broke: then nothing more is sent. */
bool vt_qmp_dead(const struct vmtap_qmp *q);
/* QEMU's description of the last QMP error, as sent ("" when none). */
const char *vt_qmp_error_desc(const struct vmtap_qmp *q);
/*
 * Bytes the reader has scanned for newlines or moved within its buffer since
 * the connection opened: an operation count that stays linear in what QEMU
 * sent, for tests to prove it without timing anything.
 */
size_t vt_qmp_reader_work(const struct vmtap_qmp *q);
/* Events kept for a later waiter: their number, and in @ret_bytes (optional) the bytes of their text. */
size_t vt_qmp_events_held(const struct vmtap_qmp *q, size_t *ret_bytes);
/* Bound on the bytes of kept events (their text). */
#define VT_QMP_EVENTS_BYTES (1024 * 1024)
long vt_qmp_now_ms(void);

#endif

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The library context: log callback, the error model, options-struct validation, test-only fault injection. */
/*
 * Owns: struct vmtap_ctx and what every module needs to report through it.
 * Must not: know any module but util (the netlink cache hangs off the context
 * as an opaque pointer with its own destructor, so that the bottom of the
 * library does not call upwards).
 *
 * The error model, in three rules:
 *  1. A failing call reports once, where the failure is known, with
 *     vt_fail(ctx, -errno, "step", "detail"), and returns exactly that
 *     errno.  Callers that get a reported failure pass it on unchanged.
 *     Low-level helpers that cannot know the step (a netlink exchange, an
 *     ioctl wrapper) return a bare -errno and say so in their comment; the
 *     caller reports it.
 *  2. A peer's own explanation (the kernel's extended ack, QEMU's error
 *     description) is attached explicitly with vt_fail_ack(), never left
 *     lying around for an unrelated later failure to pick up.
 *  3. Undoing after a failure runs in an undo scope, VT_UNDO_SCOPE(ctx):
 *     inside it, failures are logged as "undo: ..." and do not replace the
 *     failure the caller will see, which names the step that failed first.
 */
#ifndef VMTAP_CTX_H
#define VMTAP_CTX_H

#include "vmtap.h"
#include "util.h"

struct vmtap_ctx {
	vmtap_log_fn log_fn;
	void *log_userdata;
	enum vmtap_log_level log_max;

	int err_code;
	char err_step[64];
	char err_extack[256];        /* the kernel's part of the last failure, for vmtap_ctx_error_extack() */
	char err_text[VMTAP_ERROR_MAX];
	unsigned int undo_depth;     /* > 0: inside VT_UNDO_SCOPE */

	/* test-only fault injection: steps to fail, comma-separated, see vt_fault() */
	char fault_steps[256];

	/* owned by nl.c: per-namespace netlink sockets; freed through nl_cache_free */
	void *nl_cache;
	void (*nl_cache_free)(void *cache);

	char *state_dir;             /* NULL: $VMTAP_STATE_DIR or the default */
};

void vt_log(struct vmtap_ctx *ctx, enum vmtap_log_level level, const char *fmt, ...) VT_PRINTF(3, 4);

/* A peer's own explanation of a refusal. */
struct vt_ack {
	const char *who;             /* "kernel" or "QEMU" */
	char text[256];              /* escaped: no control characters */
};

/**
 * vt_fail() - report a failure of @step
 * @ctx:	the context (NULL: report nothing)
 * @err:	a negative errno (anything else becomes -EIO)
 * @step:	the step that failed: "validate", "open queue", "set mtu", ...
 * @fmt:	details, printf-style, or NULL
 *
 * The text becomes "<step>: <details>: <strerror>", or "validate:
 * <details>" for invalid input.  Inside an undo scope the failure is
 * logged instead and the one reported before stays.
 *
 * Return: @err, always.
 */
int vt_fail(struct vmtap_ctx *ctx, int err, const char *step, const char *fmt, ...) VT_PRINTF(4, 5);
/* vt_fail() with the peer's explanation @ack (NULL or empty: none) appended as "(<who>: <text>)". */
int vt_fail_ack(struct vmtap_ctx *ctx, int err, const struct vt_ack *ack, const char *step, const char *fmt, ...)
	VT_PRINTF(5, 6);
/* Forget the last failure; public entry points call it first.  No-op inside an undo scope. */
void vt_clear_error(struct vmtap_ctx *ctx);
/* Store @msg as @ack's text, escaped, from @who. */
void vt_ack_set(struct vt_ack *ack, const char *who, const char *msg);

struct vt_undo {
	struct vmtap_ctx *ctx;
};
static inline struct vt_undo vt_undo_begin(struct vmtap_ctx *ctx)
{
	if (ctx)
		ctx->undo_depth++;
	return (struct vt_undo){ ctx };
}
static inline void vt_undo_end(struct vt_undo *u)
{
	if (u->ctx)
		u->ctx->undo_depth--;
}
/* Until the end of the enclosing block, failures are undo failures: logged, not reported. */
#define VT_UNDO_SCOPE(ctx) \
	_cleanup_(vt_undo_end) __attribute__((unused)) struct vt_undo _vt_undo_ = vt_undo_begin(ctx)

/* Copy @in to @out (@size bytes) with control characters and backslashes escaped, C style. */
void vt_escape(char *out, size_t size, const char *in);

/*
 * Test-only fault injection: when the environment variable VMTAP_TEST_FAULT
 * (read once per context) names @step, alone or in a comma-separated list,
 * the step fails with -EIO as if the kernel had refused it.  Compiled in
 * only with -Dfault_injection=true.
 */
int vt_fault(struct vmtap_ctx *ctx, const char *step);
/* Whether the test-only fault @step is set, for faults that are not errors. */
bool vt_fault_active(const struct vmtap_ctx *ctx, const char *step);

/*
 * Options structs: bytes past the last field this library knows must be
 * zero, checked from the end of that field (not from sizeof, which may end
 * in tail padding where a newer header put a field), as libbpf's
 * OPTS_VALID() does.  Each struct names its last field with
 * "#define <struct>__last_field <field>" below.
 */
bool vt_opts_copy(void *dst, size_t dst_size, const void *src, size_t known_end);
#define VT_OPTS_COPY(dst, src, type) \
	vt_opts_copy(&(dst), sizeof(dst), (src), offsetofend(struct type, type##__last_field))

#define vmtap_tap_opts__last_field tun_fds
#define vmtap_link_set_opts__last_field move_netns
#define vmtap_endpoint_spec__last_field label
#define vmtap_qemu_nic__last_field addr
#define vmtap_hypervisor_info__last_field pci_addr
#define vmtap_hotplug_opts__last_field timeout_ms
#define vmtap_unplug_opts__last_field keep
#define vmtap_bridge_helper_opts__last_field timeout_ms

#endif

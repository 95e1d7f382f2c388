/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Library context: the log callback, the last error with its step and the peer's explanation, fault injection. */
/**
 * DOC: Theory of Operation
 *
 * The context holds the one failure a caller asks about afterwards: its
 * errno, its step, its text and the kernel's part of it.  The rules for
 * reporting are at the top of ctx.h; this file makes them cheap to follow.
 * vt_fail() composes the text once ("<step>: <details>: <strerror>",
 * "validate: <details>" for invalid input, then the peer's explanation) and
 * always returns the errno it was given, so "return vt_fail(...)" is the
 * whole of a failure path.  Inside an undo scope the same call only logs,
 * with "undo: " in front, and leaves the first failure in place: undo code
 * needs no special cases and no NULL contexts.
 *
 * Options structs are copied into a full-size struct of this library's
 * version before anything reads them (vt_opts_copy()): missing fields of an
 * older caller read as zero, and a non-zero byte past the last field this
 * library knows is refused rather than ignored.
 *
 * Fault injection names steps, not call sites ("VMTAP_TEST_FAULT=set
 * link,restore link"), and an injected fault is reported like a real one,
 * under its step: a test sees the error text and the undo a user would.
 */
#include <stdio.h>

#include "ctx.h"

VT_EXPORT int vmtap_ctx_new(struct vmtap_ctx **ret_ctx)
{
	struct vmtap_ctx *ctx;

	if (!ret_ctx)
		return -EINVAL;
	ctx = calloc(1, sizeof(*ctx));
	if (!ctx)
		return -ENOMEM;
	ctx->log_max = VMTAP_LOG_WARNING;
#ifdef VMTAP_FAULT_INJECTION
	const char *fault = getenv("VMTAP_TEST_FAULT");
	if (fault)
		snprintf(ctx->fault_steps, sizeof(ctx->fault_steps), "%s", fault);
#endif
	*ret_ctx = ctx;
	return 0;
}

VT_EXPORT struct vmtap_ctx *vmtap_ctx_free(struct vmtap_ctx *ctx)
{
	if (!ctx)
		return NULL;
	if (ctx->nl_cache_free)
		ctx->nl_cache_free(ctx->nl_cache);
	free(ctx->state_dir);
	free(ctx);
	return NULL;
}

VT_EXPORT void vmtap_ctx_set_log(struct vmtap_ctx *ctx, vmtap_log_fn fn, void *userdata,
				 enum vmtap_log_level max_level)
{
	if (!ctx)
		return;
	ctx->log_fn = fn;
	ctx->log_userdata = userdata;
	ctx->log_max = max_level;
}

VT_EXPORT const char *vmtap_ctx_error(const struct vmtap_ctx *ctx)
{
	return ctx ? ctx->err_text : "";
}

VT_EXPORT const char *vmtap_ctx_error_step(const struct vmtap_ctx *ctx)
{
	return ctx ? ctx->err_step : "";
}

VT_EXPORT const char *vmtap_ctx_error_extack(const struct vmtap_ctx *ctx)
{
	return ctx ? ctx->err_extack : "";
}

VT_EXPORT int vmtap_ctx_error_code(const struct vmtap_ctx *ctx)
{
	return ctx ? ctx->err_code : 0;
}

void vt_log(struct vmtap_ctx *ctx, enum vmtap_log_level level, const char *fmt, ...)
{
	char msg[VMTAP_ERROR_MAX];
	va_list ap;

	if (!ctx || !ctx->log_fn || level > ctx->log_max)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	ctx->log_fn(level, msg, ctx->log_userdata);
}

void vt_clear_error(struct vmtap_ctx *ctx)
{
	if (!ctx || ctx->undo_depth)
		return;
	ctx->err_code = 0;
	ctx->err_step[0] = '\0';
	ctx->err_extack[0] = '\0';
	ctx->err_text[0] = '\0';
}

void vt_escape(char *out, size_t size, const char *in)
{
	size_t o = 0;

	if (!size)
		return;
	for (; in && *in && o + 1 < size; in++) {
		unsigned char c = (unsigned char)*in;
		char esc[8];
		size_t n;

		if (c == '\\')
			n = (size_t)snprintf(esc, sizeof(esc), "\\\\");
		else if (c == '\n')
			n = (size_t)snprintf(esc, sizeof(esc), "\\n");
		else if (c == '\t')
			n = (size_t)snprintf(esc, sizeof(esc), "\\t");
		else if (c == '\r')
			n = (size_t)snprintf(esc, sizeof(esc), "\\r");
		else if (c < 0x20 || c == 0x7f)
			n = (size_t)snprintf(esc, sizeof(esc), "\\x%02x", c);
		else
			n = (size_t)snprintf(esc, sizeof(esc), "%c", c);
		if (o + n >= size)
			break;
		memcpy(out + o, esc, n);
		o += n;
	}
	out[o] = '\0';
}

void vt_ack_set(struct vt_ack *ack, const char *who, const char *msg)
{
	ack->who = who;
	vt_escape(ack->text, sizeof(ack->text), msg);
}

static int fail_v(struct vmtap_ctx *ctx, int err, const struct vt_ack *ack, const char *step, const char *fmt,
		  va_list ap)
{
	char detail[VMTAP_ERROR_MAX / 2] = "", text[VMTAP_ERROR_MAX];
	bool has_ack = ack && ack->text[0];
	int n;

	if (err >= 0)
		err = -EIO;
	if (!ctx)
		return err;
	if (fmt)
		vsnprintf(detail, sizeof(detail), fmt, ap);
	/* a validation message says all there is; elsewhere the errno text is the kernel's answer */
	if (!strcmp(step, "validate") && detail[0])
		n = snprintf(text, sizeof(text), "%s: %s", step, detail);
	else
		n = snprintf(text, sizeof(text), "%s: %s%s%s", step, detail, detail[0] ? ": " : "", strerror(-err));
	if (has_ack && n > 0 && (size_t)n < sizeof(text))
		snprintf(text + n, sizeof(text) - (size_t)n, " (%s: %s)", ack->who, ack->text);
	if (ctx->undo_depth) {
		/* the caller learns of the first failure; this one is said, not reported */
		vt_log(ctx, VMTAP_LOG_ERR, "undo: %s", text);
		return err;
	}
	ctx->err_code = err;
	snprintf(ctx->err_step, sizeof(ctx->err_step), "%s", step);
	snprintf(ctx->err_extack, sizeof(ctx->err_extack), "%s",
		 has_ack && !strcmp(ack->who, "kernel") ? ack->text : "");
	memcpy(ctx->err_text, text, sizeof(text));
	vt_log(ctx, VMTAP_LOG_DEBUG, "%s", ctx->err_text);
	return err;
}

int vt_fail(struct vmtap_ctx *ctx, int err, const char *step, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = fail_v(ctx, err, NULL, step, fmt, ap);
	va_end(ap);
	return r;
}

int vt_fail_ack(struct vmtap_ctx *ctx, int err, const struct vt_ack *ack, const char *step, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = fail_v(ctx, err, ack, step, fmt, ap);
	va_end(ap);
	return r;
}

bool vt_opts_copy(void *dst, size_t dst_size, const void *src, size_t known_end)
{
	size_t user_sz;

	memset(dst, 0, dst_size);
	*(size_t *)dst = dst_size;
	if (!src)
		return true;
	user_sz = *(const size_t *)src;
	if (user_sz < sizeof(size_t))
		return false;
	/* a field the caller set that this library does not know would be silently ignored */
	for (size_t i = known_end; i < user_sz; i++)
		if (((const unsigned char *)src)[i])
			return false;
	memcpy((char *)dst + sizeof(size_t), (const char *)src + sizeof(size_t),
	       (user_sz < known_end ? user_sz : known_end) - sizeof(size_t));
	return true;
}

bool vt_fault_active(const struct vmtap_ctx *ctx, const char *step)
{
#ifdef VMTAP_FAULT_INJECTION
	size_t len = strlen(step);

	for (const char *p = ctx ? ctx->fault_steps : ""; *p; p++) {
		if (!strncmp(p, step, len) && (p[len] == ',' || !p[len]))
			return true;
		p = strchr(p, ',');
		if (!p)
			break;
	}
	return false;
#else
	(void)ctx;
	(void)step;
	return false;
#endif
}

int vt_fault(struct vmtap_ctx *ctx, const char *step)
{
	if (vt_fault_active(ctx, step))
		return vt_fail(ctx, -EIO, step, "injected fault");
	return 0;
}

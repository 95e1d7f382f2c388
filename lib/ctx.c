/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Library context: the log callback, the last error with its step and the kernel's extended ack. */
#include <stdio.h>

#include "internal.h"

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
		snprintf(ctx->fault_step, sizeof(ctx->fault_step), "%s", fault);
#endif
	*ret_ctx = ctx;
	return 0;
}

VT_EXPORT struct vmtap_ctx *vmtap_ctx_free(struct vmtap_ctx *ctx)
{
	if (!ctx)
		return NULL;
	vt_nl_free_all(ctx);
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
	if (!ctx)
		return;
	ctx->err_code = 0;
	ctx->err_step[0] = '\0';
	ctx->err_extack[0] = '\0';
	ctx->err_remote[0] = '\0';
	ctx->err_remote_who[0] = '\0';
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

void vt_set_remote(struct vmtap_ctx *ctx, const char *who, const char *msg)
{
	if (!ctx)
		return;
	snprintf(ctx->err_remote_who, sizeof(ctx->err_remote_who), "%s", who);
	vt_escape(ctx->err_remote, sizeof(ctx->err_remote), msg);
}

void vt_error_save(const struct vmtap_ctx *ctx, struct vt_saved_error *ret)
{
	memset(ret, 0, sizeof(*ret));
	if (!ctx)
		return;
	ret->code = ctx->err_code;
	memcpy(ret->step, ctx->err_step, sizeof(ret->step));
	memcpy(ret->extack, ctx->err_extack, sizeof(ret->extack));
	memcpy(ret->text, ctx->err_text, sizeof(ret->text));
}

void vt_error_restore(struct vmtap_ctx *ctx, const struct vt_saved_error *saved)
{
	if (!ctx)
		return;
	ctx->err_code = saved->code;
	memcpy(ctx->err_step, saved->step, sizeof(saved->step));
	memcpy(ctx->err_extack, saved->extack, sizeof(saved->extack));
	memcpy(ctx->err_text, saved->text, sizeof(saved->text));
}

void vt_set_extack(struct vmtap_ctx *ctx, const char *msg)
{
	if (ctx)
		snprintf(ctx->err_extack, sizeof(ctx->err_extack), "%s", msg ? msg : "");
}

int vt_fail(struct vmtap_ctx *ctx, int err, const char *step, const char *fmt, ...)
{
	char detail[VMTAP_ERROR_MAX / 2] = "";
	va_list ap;
	int n;

	if (err >= 0)
		err = -EIO;
	if (!ctx)
		return err;
	/* the innermost failure is the informative one: keep it when callers unwind */
	if (ctx->err_code)
		return ctx->err_code;
	if (fmt) {
		va_start(ap, fmt);
		vsnprintf(detail, sizeof(detail), fmt, ap);
		va_end(ap);
	}
	ctx->err_code = err;
	snprintf(ctx->err_step, sizeof(ctx->err_step), "%s", step);
	/* a validation message says all there is; elsewhere the errno text is the kernel's answer */
	if (!strcmp(step, "validate") && detail[0])
		n = snprintf(ctx->err_text, sizeof(ctx->err_text), "%s: %s", step, detail);
	else
		n = snprintf(ctx->err_text, sizeof(ctx->err_text), "%s: %s%s%s", step, detail,
			     detail[0] ? ": " : "", strerror(-err));
	if (ctx->err_extack[0] && n > 0 && (size_t)n < sizeof(ctx->err_text))
		n += snprintf(ctx->err_text + n, sizeof(ctx->err_text) - n, " (kernel: %s)", ctx->err_extack);
	if (ctx->err_remote[0] && n > 0 && (size_t)n < sizeof(ctx->err_text))
		snprintf(ctx->err_text + n, sizeof(ctx->err_text) - n, " (%s: %s)", ctx->err_remote_who, ctx->err_remote);
	vt_log(ctx, VMTAP_LOG_DEBUG, "%s", ctx->err_text);
	return err;
}

bool vt_fault_active(const struct vmtap_ctx *ctx, const char *step)
{
#ifdef VMTAP_FAULT_INJECTION
	return ctx && ctx->fault_step[0] && strcmp(ctx->fault_step, step) == 0;
#else
	(void)ctx;
	(void)step;
	return false;
#endif
}

int vt_fault(struct vmtap_ctx *ctx, const char *step)
{
#ifdef VMTAP_FAULT_INJECTION
	if (ctx && ctx->fault_step[0] && strcmp(ctx->fault_step, step) == 0)
		return vt_fail(ctx, -EIO, step, "injected fault");
#else
	(void)ctx;
	(void)step;
#endif
	return 0;
}

/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vmtap-cni's errors: the specification's error result, and which code a library failure gets. */
/**
 * DOC: Theory of Operation
 *
 * Every module reports through one struct cni_error: a code, a short
 * message that says what kind of failure it is, and details that say
 * exactly what (the variable, the key, the library's failing step).  main.c
 * prints it once as {cniVersion, code, msg, details} on stdout and exits
 * with the code.  Library failures are classified by errno: a lock another
 * process holds is "try again" (11), a refusal of the kernel's permission
 * checks is 105, a validation refusal of the library is a bad configuration
 * (7); what is left is 100 with the library's "<step>: <reason>" text.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cni.h"

int cni_fail(struct cni_error *err, enum cni_code code, const char *msg, const char *fmt, ...)
{
	va_list ap;

	err->code = code;
	snprintf(err->msg, sizeof(err->msg), "%s", msg);
	err->details[0] = '\0';
	if (fmt) {
		va_start(ap, fmt);
		vsnprintf(err->details, sizeof(err->details), fmt, ap);
		va_end(ap);
	}
	return (int)code;
}

enum cni_code cni_code_for_errno(int r, const char *step)
{
	switch (-r) {
	case EBUSY:
		/* the endpoint's lock held past the wait: another ADD or DEL of it is running; anything else busy stays busy */
		return step && !strcmp(step, "lock") ? CNI_ERR_TRY_AGAIN : CNI_ERR_INTERNAL;
	case EAGAIN:
		return CNI_ERR_TRY_AGAIN;
	case EPERM:
	case EACCES:
		return CNI_ERR_PERMISSION;
	case ENOMEM:
	case EMFILE:
	case ENFILE:
	case ENOSPC:
	case ENOBUFS:
		return CNI_ERR_RESOURCES;
	case EOPNOTSUPP:
	case EPROTONOSUPPORT:
	case EAFNOSUPPORT:
		return CNI_ERR_UNSUPPORTED;
	case EINVAL:
		/* the library refused the input before touching anything */
		if (step && !strcmp(step, "validate"))
			return CNI_ERR_CONFIG;
		return CNI_ERR_INTERNAL;
	default:
		return CNI_ERR_INTERNAL;
	}
}

static const char *code_msg(enum cni_code code)
{
	switch (code) {
	case CNI_ERR_TRY_AGAIN:
		return "try again later";
	case CNI_ERR_PERMISSION:
		return "not permitted";
	case CNI_ERR_RESOURCES:
		return "out of resources";
	case CNI_ERR_UNSUPPORTED:
		return "not supported by this kernel";
	case CNI_ERR_CONFIG:
		return "invalid network configuration";
	default:
		return "vmtap failed";
	}
}

int cni_fail_lib(struct cni_error *err, struct vmtap_ctx *ctx, int r, const char *what)
{
	const char *text = ctx ? vmtap_ctx_error(ctx) : "";
	const char *step = ctx ? vmtap_ctx_error_step(ctx) : "";
	enum cni_code code = cni_code_for_errno(r, step);

	return cni_fail(err, code, code_msg(code), "%s: %s", what, text[0] ? text : strerror(-r));
}

char *cni_error_json(const struct cni_error *err, const char *cni_version)
{
	json_object *o = json_object_new_object();
	char *text = NULL;

	if (!o)
		return NULL;
	if (json_object_object_add(o, "cniVersion", json_object_new_string(cni_version)) < 0 ||
	    json_object_object_add(o, "code", json_object_new_int((int)err->code)) < 0 ||
	    json_object_object_add(o, "msg", json_object_new_string(err->msg)) < 0 ||
	    (err->details[0] && json_object_object_add(o, "details", json_object_new_string(err->details)) < 0))
		goto out;
	text = strdup(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
out:
	json_object_put(o);
	return text;
}

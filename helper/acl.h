/* SPDX-License-Identifier: GPL-2.0-or-later */
/* QEMU's bridge.conf access control list, parsed from (buf, len) with the decisions of qemu-bridge-helper. */
#ifndef VMTAP_BH_ACL_H
#define VMTAP_BH_ACL_H

#include <stdbool.h>
#include <stddef.h>

#define BH_ACL_NAME_MAX 15     /* a name of 16 bytes or more is refused (CVE-2019-13164) */
#define BH_ACL_LINE_MAX 4095   /* QEMU reads lines with fgets() into 4096 bytes */
#define BH_ACL_MAX_DEPTH 8     /* include nesting; a deeper chain is refused, and so is a loop */
#define BH_ACL_FILE_MAX (1 << 20)

struct bh_acl_where {
	char file[256];
	unsigned int line;
};

struct bh_acl;

/*
 * Called for "include PATH" found at nesting @depth (1 for the top-level
 * file's includes).  It evaluates the file with bh_acl_eval() at @depth, or
 * skips it.  Returns 0 (evaluated or skipped: QEMU ignores every failure of
 * an included file) or a negative errno that ends the evaluation, such as
 * -ELOOP for nesting deeper than BH_ACL_MAX_DEPTH or for a loop.
 */
typedef int (*bh_acl_include_fn)(struct bh_acl *acl, const char *path, unsigned int depth);

struct bh_acl {
	const char *bridge;            /* the name being decided on */
	bh_acl_include_fn include;     /* NULL: include lines are skipped */
	void *userdata;
	/* messages about files the decision goes on without (parse errors in included files); may be NULL */
	void (*warn)(struct bh_acl *acl, const char *msg);

	/* results */
	bool allowed, denied;
	struct bh_acl_where allowed_by, denied_by; /* the first rule of each kind that matched */
	unsigned int rules;                        /* allow and deny lines read */
	char error[512];                           /* why bh_acl_eval() failed */
};

/*
 * Read the ACL text (@buf, @len) of @file, at include nesting @depth (0 for
 * the top-level file), into @acl's decision.  Lines as QEMU reads them:
 * leading white space and lines starting with '#' skipped, the command ends
 * at the first space (or, when the line has none, the first tab), the
 * argument is the rest with white space trimmed; a NUL byte ends a line.
 * "allow NAME|all", "deny NAME|all" and "include PATH" are the commands.
 *
 * Returns 0, or -EINVAL with acl->error set for a line QEMU would refuse (no
 * argument, unknown command, a name of 16 bytes or more, a line longer than
 * 4095 bytes) -- rules read before it stay counted, as in QEMU -- or an
 * include callback's error.
 */
int bh_acl_eval(struct bh_acl *acl, const char *file, const char *buf, size_t len, unsigned int depth);

/* The decision: some allow matched and no deny did (deny wins whatever the order; no allow means deny). */
static inline bool bh_acl_permits(const struct bh_acl *acl)
{
	return acl->allowed && !acl->denied;
}

#endif

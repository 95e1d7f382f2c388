/* SPDX-License-Identifier: GPL-2.0-or-later */
/* QEMU's bridge.conf access control list, parsed from (buf, len) with the decisions of qemu-bridge-helper. */
/**
 * DOC: Theory of Operation
 *
 * vmtap-bridge-helper shares /etc/qemu/bridge.conf with QEMU's helper, so it
 * must decide every line as QEMU does, including the odd cases: the command
 * ends at the first space of the line, or at the first tab only when there
 * is no space at all ("allow\t br0" is the unknown command "allow\t"); an
 * empty argument is a rule that matches nothing; a parse error in the
 * top-level file refuses everything, while one in an included file only
 * ends that file, its earlier rules still counting.  tests/helper/compat.sh
 * runs a table of such files against Debian's qemu-bridge-helper.
 *
 * Where QEMU has no answer of its own this parser is stricter and says so:
 * a line longer than QEMU's fgets() buffer (QEMU would read it as two lines)
 * is refused, and include nesting is bounded.  An include loop refuses:
 * QEMU's helper recurses into it until its stack overflows and it dies,
 * which refuses too.  Names are length-checked before anything else
 * looks at them: QEMU's CVE-2019-13164 was a truncated name that matched
 * another bridge's rule.
 *
 * The parser never opens a file: include lines go to a callback, so the
 * parser is a pure function of its input and can be fuzzed.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "acl.h"

static bool acl_space(char c)
{
	/* isspace() in the C locale, which QEMU's helper runs in */
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

static void note_rule(struct bh_acl_where *where, bool *flag, const char *file, unsigned int line)
{
	if (*flag)
		return;
	*flag = true;
	snprintf(where->file, sizeof(where->file), "%s", file);
	where->line = line;
}

/* One line, NUL-terminated, already cut at its first NUL byte. */
static int eval_line(struct bh_acl *acl, const char *file, unsigned int lineno, char *line, unsigned int depth)
{
	char *cmd, *arg, *sep, *end;
	size_t arglen;

	cmd = line;
	while (*cmd && acl_space(*cmd))
		cmd++;
	if (*cmd == '#' || *cmd == '\0')
		return 0;
	sep = strchr(cmd, ' ');
	if (!sep)
		sep = strchr(cmd, '\t');
	if (!sep) {
		snprintf(acl->error, sizeof(acl->error), "%s:%u: invalid line `%.64s': a command and its argument expected",
			 file, lineno, cmd);
		return -EINVAL;
	}
	*sep = '\0';
	arg = sep + 1;
	while (*arg && acl_space(*arg))
		arg++;
	end = arg + strlen(arg);
	while (end > arg && acl_space(end[-1]))
		end--;
	*end = '\0';
	arglen = (size_t)(end - arg);

	/* before anything compares it: a long name must never match by a prefix */
	if (strcmp(cmd, "include") && arglen > BH_ACL_NAME_MAX) {
		snprintf(acl->error, sizeof(acl->error), "%s:%u: name `%.64s%s' too long: %zu bytes, the limit is %d", file,
			 lineno, arg, arglen > 64 ? "..." : "", arglen, BH_ACL_NAME_MAX);
		return -EINVAL;
	}
	if (!strcmp(cmd, "allow") || !strcmp(cmd, "deny")) {
		bool allow = cmd[0] == 'a';
		bool match = !strcmp(arg, "all") || (acl->bridge && !strcmp(arg, acl->bridge));

		acl->rules++;
		if (match && allow)
			note_rule(&acl->allowed_by, &acl->allowed, file, lineno);
		else if (match)
			note_rule(&acl->denied_by, &acl->denied, file, lineno);
		return 0;
	}
	if (!strcmp(cmd, "include"))
		return acl->include ? acl->include(acl, arg, depth + 1) : 0;
	snprintf(acl->error, sizeof(acl->error), "%s:%u: unknown command `%.64s'", file, lineno, cmd);
	return -EINVAL;
}

int bh_acl_eval(struct bh_acl *acl, const char *file, const char *buf, size_t len, unsigned int depth)
{
	char line[BH_ACL_LINE_MAX + 1];
	unsigned int lineno = 0;
	size_t pos = 0;

	if (!file)
		file = "(acl)";
	while (pos < len) {
		const char *nl = memchr(buf + pos, '\n', len - pos);
		size_t end = nl ? (size_t)(nl - buf) : len;
		size_t n = end - pos;
		int r;

		lineno++;
		if (n > BH_ACL_LINE_MAX) {
			snprintf(acl->error, sizeof(acl->error), "%s:%u: line longer than %d bytes", file, lineno,
				 BH_ACL_LINE_MAX);
			return -EINVAL;
		}
		memcpy(line, buf + pos, n);
		line[n] = '\0'; /* and a NUL inside ends the line, as it does for QEMU's string functions */
		pos = nl ? end + 1 : len;
		r = eval_line(acl, file, lineno, line, depth);
		if (r < 0)
			return r;
	}
	return 0;
}

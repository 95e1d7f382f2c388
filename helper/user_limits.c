/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Per-user limits of vmtap-bridge-helper (its own file, not bridge.conf), parsed from (buf, len). */
/**
 * DOC: Theory of Operation
 *
 * QEMU's helper lets any user the ACL allows create as many TAP devices as
 * it has processes; a multi-queue request multiplies the kernel memory one
 * invocation can pin by up to 256.  The limits here bound both: queues per
 * invocation and TAPs per user alive at once (counted from the kernel by the
 * ownership tag in the alias, see main.c).  They live in vmtap's own file
 * because QEMU's helper refuses unknown lines in the bridge.conf both share.
 *
 * Users and groups are numeric only: a set-uid program holding
 * CAP_NET_ADMIN should not load NSS modules to resolve names.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "user_limits.h"

#define LINE_MAX_TOKENS 16
#define UNSET 0xfffffffeu

struct limit_set {
	unsigned int max_queues, max_taps; /* UNSET when the line did not give them */
};

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

/* Decimal without sign or leading '+', at most @max; false on anything else. */
static bool parse_uint(const char *s, unsigned long max, unsigned long *ret)
{
	unsigned long v = 0;

	if (!*s)
		return false;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return false;
		v = v * 10 + (unsigned long)(*s - '0');
		if (v > max)
			return false;
	}
	*ret = v;
	return true;
}

static int parse_value(const char *key, const char *val, struct limit_set *set, char *err, size_t errlen)
{
	unsigned long v;

	if (!strcmp(key, "max-queues")) {
		if (!parse_uint(val, 256, &v) || v < 1) {
			snprintf(err, errlen, "max-queues `%.32s' is not a number in 1..256", val);
			return -EINVAL;
		}
		set->max_queues = (unsigned int)v;
		return 0;
	}
	if (!strcmp(key, "max-taps")) {
		if (!strcmp(val, "unlimited"))
			v = BH_LIMIT_UNLIMITED;
		else if (!parse_uint(val, BH_MAX_TAPS_CEILING, &v)) {
			snprintf(err, errlen, "max-taps `%.32s' is not a number in 0..%u or `unlimited'", val,
				 BH_MAX_TAPS_CEILING);
			return -EINVAL;
		}
		set->max_taps = (unsigned int)v;
		return 0;
	}
	snprintf(err, errlen, "unknown limit `%.32s' (max-queues, max-taps)", key);
	return -EINVAL;
}

static bool in_groups(const struct bh_identity *who, unsigned long gid)
{
	if (who->gid == gid)
		return true;
	for (size_t i = 0; i < who->ngroups; i++)
		if (who->groups[i] == gid)
			return true;
	return false;
}

/* The more generous of two values (UNSET loses to anything). */
static unsigned int generous(unsigned int a, unsigned int b)
{
	if (a == UNSET)
		return b;
	if (b == UNSET)
		return a;
	return a > b ? a : b;
}

int bh_limits_parse(const char *buf, size_t len, const struct bh_identity *who, struct bh_limits *ret, char *err,
		    size_t errlen)
{
	struct limit_set all = { UNSET, UNSET }, user = { UNSET, UNSET }, group = { UNSET, UNSET };
	char line[1024], why[160];
	unsigned int lineno = 0;
	size_t pos = 0;

	while (pos < len) {
		const char *nl = memchr(buf + pos, '\n', len - pos);
		size_t end = nl ? (size_t)(nl - buf) : len;
		size_t n = end - pos;
		char *tok[LINE_MAX_TOKENS], *p, *hash;
		int ntok = 0, first = 0;
		struct limit_set here = { UNSET, UNSET }, *into = &all;
		bool applies = true;

		lineno++;
		if (n >= sizeof(line)) {
			snprintf(err, errlen, "line %u: longer than %zu bytes", lineno, sizeof(line) - 1);
			return -EINVAL;
		}
		memcpy(line, buf + pos, n);
		line[n] = '\0';
		pos = nl ? end + 1 : len;
		if (memchr(line, '\0', n)) {
			snprintf(err, errlen, "line %u: NUL byte", lineno);
			return -EINVAL;
		}
		hash = strchr(line, '#');
		if (hash)
			*hash = '\0';
		for (p = line; *p;) {
			while (*p && is_blank(*p))
				*p++ = '\0';
			if (!*p)
				break;
			if (ntok == LINE_MAX_TOKENS) {
				snprintf(err, errlen, "line %u: too many words", lineno);
				return -EINVAL;
			}
			tok[ntok++] = p;
			while (*p && !is_blank(*p))
				p++;
		}
		if (!ntok)
			continue;
		if (!strcmp(tok[0], "uid") || !strcmp(tok[0], "gid")) {
			unsigned long id;
			bool is_uid = tok[0][0] == 'u';

			if (ntok < 2 || !parse_uint(tok[1], 0xfffffffeul, &id)) {
				snprintf(err, errlen, "line %u: %s needs a number (names are not looked up)", lineno, tok[0]);
				return -EINVAL;
			}
			if (ntok < 4) {
				snprintf(err, errlen, "line %u: %s %s without limits", lineno, tok[0], tok[1]);
				return -EINVAL;
			}
			applies = is_uid ? who->uid == id : in_groups(who, id);
			into = is_uid ? &user : &group;
			first = 2;
		}
		if ((ntok - first) % 2) {
			snprintf(err, errlen, "line %u: `%.32s' without a value", lineno, tok[ntok - 1]);
			return -EINVAL;
		}
		for (int i = first; i < ntok; i += 2)
			if (parse_value(tok[i], tok[i + 1], &here, why, sizeof(why)) < 0) {
				snprintf(err, errlen, "line %u: %s", lineno, why);
				return -EINVAL;
			}
		if (!applies)
			continue;
		if (into == &group) {
			group.max_queues = generous(group.max_queues, here.max_queues);
			group.max_taps = generous(group.max_taps, here.max_taps);
		} else {
			/* a later line for the same user, or a later default, replaces an earlier one */
			if (here.max_queues != UNSET)
				into->max_queues = here.max_queues;
			if (here.max_taps != UNSET)
				into->max_taps = here.max_taps;
		}
	}

	ret->max_queues = user.max_queues != UNSET ? user.max_queues :
			  group.max_queues != UNSET ? group.max_queues :
			  all.max_queues != UNSET ? all.max_queues : BH_DEFAULT_MAX_QUEUES;
	ret->max_taps = user.max_taps != UNSET ? user.max_taps :
			group.max_taps != UNSET ? group.max_taps :
			all.max_taps != UNSET ? all.max_taps : BH_DEFAULT_MAX_TAPS;
	return 0;
}

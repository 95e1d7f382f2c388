/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vmtap-cni's CNI specification versions: which it speaks, and comparing them. */
/**
 * DOC: Theory of Operation
 *
 * vmtap-cni is a chained plugin, so it speaks only the versions that have
 * prevResult: 0.3.0 and later.  The result shapes differ slightly: before
 * 1.0.0 an "ips" entry carries "version" (copied along with the entry,
 * never made up), CHECK exists from 0.4.0, GC and STATUS from 1.1.0, and
 * only 1.1.0 results have an interface "mtu".  Versions are compared as
 * numbers, never as text ("0.10.0" > "0.4.0").
 */
#include <stdlib.h>
#include <string.h>

#include "cni.h"

const char *const cni_supported_versions[] = { "0.3.0", "0.3.1", "0.4.0", "1.0.0", "1.1.0", NULL };

/* One decimal component of at most 4 digits, no sign, no leading zero but "0" itself. */
static long component(const char **p, char end)
{
	const char *s = *p;
	long v = 0;
	int n = 0;

	while (s[n] >= '0' && s[n] <= '9') {
		if (n == 4)
			return -1;
		v = v * 10 + (s[n] - '0');
		n++;
	}
	if (n == 0 || (n > 1 && s[0] == '0') || s[n] != end)
		return -1;
	*p = s + n + (end ? 1 : 0);
	return v;
}

long cni_version_number(const char *v)
{
	long major, minor, patch;

	if (!v)
		return -1;
	if ((major = component(&v, '.')) < 0 || (minor = component(&v, '.')) < 0 || (patch = component(&v, '\0')) < 0)
		return -1;
	if (minor > 99 || patch > 99)
		return -1;
	return major * 10000 + minor * 100 + patch;
}

bool cni_version_supported(const char *v)
{
	for (size_t i = 0; cni_supported_versions[i]; i++)
		if (v && !strcmp(v, cni_supported_versions[i]))
			return true;
	return false;
}

bool cni_version_at_least(const char *v, const char *min)
{
	long a = cni_version_number(v), b = cni_version_number(min);

	return a >= 0 && b >= 0 && a >= b;
}

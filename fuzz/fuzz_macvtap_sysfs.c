/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libFuzzer target: the two sysfs files vt_macvtap_open() reads ("MAJOR:MINOR\n", "IFINDEX\n"), whole and clipped. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "macvtap.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void parse_exact(const uint8_t *data, size_t len)
{
	char *copy = malloc(len ? len : 1), again[40];
	unsigned int major = 7777, minor = 7777, m2, n2;
	int ifindex = -7, i2;

	if (!copy)
		abort();
	if (len)
		memcpy(copy, data, len);
	if (vt_macvtap_parse_dev(copy, len, &major, &minor) == 0) {
		/* canonical: printing it back gives the same bytes, newline aside */
		int n = snprintf(again, sizeof(again), "%u:%u\n", major, minor);
		if (major > 0xfff || minor > 0xfffff || vt_macvtap_parse_dev(again, (size_t)n, &m2, &n2) != 0 ||
		    m2 != major || n2 != minor)
			abort();
		if ((size_t)n != len && (size_t)n - 1 != len)
			abort();
		if (memcmp(again, copy, len > (size_t)n ? (size_t)n : len))
			abort();
	} else if (major != 7777 || minor != 7777) {
		abort();
	}
	if (vt_macvtap_parse_ifindex(copy, len, &ifindex) == 0) {
		int n = snprintf(again, sizeof(again), "%d\n", ifindex);
		if (ifindex <= 0 || vt_macvtap_parse_ifindex(again, (size_t)n, &i2) != 0 || i2 != ifindex)
			abort();
		if (memcmp(again, copy, len > (size_t)n ? (size_t)n : len))
			abort();
	} else if (ifindex != -7) {
		abort();
	}
	free(copy);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	parse_exact(data, size);
	if (size > 0)
		parse_exact(data, size - 1);
	return 0;
}

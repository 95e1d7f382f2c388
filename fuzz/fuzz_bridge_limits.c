/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libFuzzer target for vmtap-bridge-helper's limits file parser: limits within their ranges or an error, never a crash. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "user_limits.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const gid_t groups[] = { 100, 200 };
	struct bh_identity who = { .uid = 1000, .gid = 1000, .groups = groups, .ngroups = 2 };
	struct bh_limits l = { .max_queues = 0, .max_taps = 12345678 };
	char err[256] = "";

	if (bh_limits_parse((const char *)data, size, &who, &l, err, sizeof(err)) == 0) {
		if (l.max_queues < 1 || l.max_queues > 256)
			abort();
		if (l.max_taps > BH_MAX_TAPS_CEILING && l.max_taps != BH_LIMIT_UNLIMITED)
			abort();
	} else if (!err[0] || l.max_queues != 0 || l.max_taps != 12345678) {
		/* an error says why and leaves the output alone */
		abort();
	}
	return 0;
}

/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libFuzzer target for the /proc/PID/stat start-time reader: any bytes in, a start time or a refusal out. */
#include <stdint.h>
#include <stdlib.h>

#include "proc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint64_t start = 0;

	if (vt_proc_stat_starttime((const char *)data, size, &start) == 0 && start == 0)
		abort(); /* 0 means "unknown" to callers: never a parsed value */
	return 0;
}

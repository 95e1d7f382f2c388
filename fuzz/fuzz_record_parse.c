/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libFuzzer target for the endpoint record loader: any bytes in, a record or an error out, never a crash. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "state.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vt_record rec;
	char err[160];
	char *text = NULL;

	if (vt_record_parse((const char *)data, size, &rec, err, sizeof(err)) == 0) {
		/* what parses must format and parse back to the same record */
		struct vt_record again;
		if (vt_record_format(&rec, &text) == 0) {
			if (vt_record_parse(text, strlen(text), &again, err, sizeof(err)) != 0)
				abort();
			if (strcmp(again.id, rec.id) || again.state != rec.state || again.queues != rec.queues ||
			    strcmp(again.ifname, rec.ifname) || memcmp(again.guest_mac, rec.guest_mac, 6))
				abort();
			free(text);
		}
	}
	return 0;
}

/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libFuzzer target for the bridge helper's reply headers: the input as a run of 12-byte messages, never a crash or an overcount. */
#include <stdint.h>
#include <stdlib.h>

#include "bridge_helper.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vt_bh_reply st = { .started = false };
	char err[160];

	/* the first byte says how long the first message claims to be, as a reader's length would */
	for (size_t pos = 0; pos < size;) {
		size_t len = data[pos] % 16;
		struct vt_bh_msg m;

		pos++;
		if (len > size - pos)
			len = size - pos;
		if (vt_bh_msg_parse(data + pos, len, &m, err, sizeof(err)) == 0) {
			if (m.count < 1 || m.count > VT_BH_MAX_FDS_PER_MSG)
				abort();
			if (vt_bh_reply_add(&st, &m, err, sizeof(err)) < 0)
				break;
			if (st.queues_got > st.first_msg.queues || st.vhosts_got > st.first_msg.vhosts)
				abort();
		}
		pos += len;
	}
	(void)vt_bh_reply_complete(&st);
	return 0;
}

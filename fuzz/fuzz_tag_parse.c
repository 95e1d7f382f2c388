/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libFuzzer target for ownership-tag parsing: any alias in, a tag of ours, a bridge helper's or a refusal out, and tags round-trip. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "state.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vt_tag tag, again;
	struct vt_helper_tag htag;
	char text[VT_TAG_MAX], htext[64];

	if (vt_helper_tag_parse((const char *)data, size, &htag) == 0) {
		/* a helper's tag is exactly what the helper writes for what parsed, and no tag of vmtap's */
		snprintf(htext, sizeof(htext), VT_HELPER_TAG_PREFIX "uid=%u,pid=%d", (unsigned)htag.uid, htag.pid);
		if (htag.pid < 0 || htag.uid == UINT32_MAX || strlen(htext) != size || memcmp(htext, data, size) ||
		    vt_tag_parse((const char *)data, size, &tag) == 0)
			abort();
		return 0;
	}
	if (vt_tag_parse((const char *)data, size, &tag) != 0)
		return 0;
	/* what parses is a valid id with a 16-digit identity or none, and formats back to what parsed */
	if (vmtap_endpoint_id_validate(tag.id) != 0 || (tag.state_id[0] && strlen(tag.state_id) != VT_STATE_ID_LEN))
		abort();
	if (tag.state_id[0]) {
		vt_tag_format(text, tag.id, tag.state_id);
		if (strlen(text) != size || memcmp(text, data, size) || vt_tag_parse(text, strlen(text), &again) != 0 ||
		    strcmp(again.id, tag.id) || strcmp(again.state_id, tag.state_id))
			abort();
	}
	return 0;
}

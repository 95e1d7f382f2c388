/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libFuzzer target for the --nic SPEC parser of vmtap exec and qemu-args: any bytes, a spec or an error, never a crash. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "nic_spec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct nic_spec *s = malloc(sizeof(*s));
	char err[256];

	if (!s)
		return 0;
	if (nic_spec_parse((const char *)data, size, s, err, sizeof(err)) == 0) {
		/* what is accepted is within the documented limits */
		if (s->queues > VMTAP_MAX_QUEUES || s->nfds > VMTAP_MAX_QUEUES || s->nvhostfds > VMTAP_MAX_QUEUES ||
		    (s->set_mac && !vmtap_mac_usable(s->mac)) ||
		    (s->mtu && (s->mtu < VMTAP_MTU_MIN || s->mtu > VMTAP_MTU_MAX)) ||
		    strlen(s->id) >= sizeof(s->id) || s->vhost < -1 || s->vhost > 1)
			abort();
		/* a helper comes with a bridge and none of what only vmtap's own TAPs can honour */
		if (s->helper[0] && (!s->bridge[0] || nic_spec_helper_conflict(s) || strlen(s->helper) >= sizeof(s->helper)))
			abort();
	} else if (!memchr(err, '\0', sizeof(err)) || !err[0]) {
		abort(); /* every refusal says why */
	}
	free(s);
	return 0;
}

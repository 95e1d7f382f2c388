/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libFuzzer target for vmtap-cni's CNI_ARGS parser and its label parser: any bytes in, values in range or an error out. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cni.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cni_args a;
	struct cni_error err = { 0 };
	char cid[CNI_LABEL_MAX + 1], ifname[VMTAP_IFNAMSIZ], label[CNI_LABEL_MAX + 1];
	int r = cni_args_parse((const char *)data, size, &a, &err);

	if (r) {
		if (r != CNI_ERR_ENV || err.code != CNI_ERR_ENV)
			abort();
	} else {
		if (a.queues > VMTAP_MAX_QUEUES || (a.has_owner && a.owner == (uid_t)-1) ||
		    (a.has_tap_name && !cni_ifname_valid(a.tap_name, strlen(a.tap_name))))
			abort();
	}
	/* the same bytes as a vmtap record's label: what parses formats back to the same text */
	if (cni_label_parse((const char *)data, size, "net", cid, ifname) == 0) {
		if (cni_label_format(label, "net", cid, ifname) < 0 || strlen(label) != size || memcmp(label, data, size))
			abort();
	}
	return 0;
}

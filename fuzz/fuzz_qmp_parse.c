/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libFuzzer target for the QMP message parser: any bytes from QEMU, a message or an error, never a crash. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "qmp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vt_qmp_msg m;
	char err[160];

	if (vt_qmp_parse((const char *)data, size, &m, err, sizeof(err)) == 0) {
		/* a parsed message is one of the four kinds, its strings terminated */
		if (m.type < VT_QMP_GREETING || m.type > VT_QMP_EVENT || !m.obj || !memchr(m.id, '\0', sizeof(m.id)) ||
		    !memchr(m.device, '\0', sizeof(m.device)) || !memchr(m.err_desc, '\0', sizeof(m.err_desc)))
			abort();
		if (m.type == VT_QMP_EVENT && !m.event[0] && strlen(m.event))
			abort();
		vt_qmp_msg_clear(&m);
	} else if (!err[0]) {
		abort();
	}
	return 0;
}

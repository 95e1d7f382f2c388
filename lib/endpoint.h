/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Endpoint internals shared with the modules built on endpoints (hot-plug). */
#ifndef VMTAP_ENDPOINT_H
#define VMTAP_ENDPOINT_H

#include "internal.h"

/*
 * Whether the QEMU recorded as holding @ep's device still runs: the
 * recorded pid with the recorded start time.  1 yes, 0 no (or none
 * recorded), a negative errno when it cannot be told.
 */
int vt_endpoint_hypervisor_alive(const struct vmtap_endpoint *ep);

#endif

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* /dev/vhost-net: where it is, for the probe and for opening one fd per queue. */
/*
 * Owns: opening /dev/vhost-net.  Must not: decide whether to degrade (the
 * callers do, with a warning, when it is missing).
 */
#ifndef VMTAP_VHOST_H
#define VMTAP_VHOST_H

#define VT_VHOST_NET_PATH "/dev/vhost-net"

#endif

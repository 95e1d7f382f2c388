/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What vmtap doctor reads from QEMU and /proc, parsed from (buf, len): HMP "info network", QMP replies, fdinfo. */
#ifndef VMTAP_CLI_DOCTOR_H
#define VMTAP_CLI_DOCTOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vmtap.h"

/* One net client of QEMU's "info network", a NIC or a netdev queue. */
struct hmp_net {
	char name[128];     /* "net0", "hostnet0" */
	unsigned int index; /* its queue index */
	char type[16];      /* "nic", "tap", "user", ... */
	int fd;             /* a tap queue given by fd: its number in QEMU; -1 otherwise */
	char ifname[VMTAP_IFNAMSIZ]; /* a tap QEMU opened by name, "" otherwise */
	char nic[128];      /* a netdev shown under a NIC (" \ "): that NIC's name, else "" */
};

/*
 * The net clients in the text of QEMU's "info network" (@len bytes at @buf,
 * lines "NAME: index=N,type=TYPE,INFO", a netdev under its NIC after " \ "),
 * at most @max into @ret; lines of another form are skipped.
 * Return: the number found, or -EINVAL when @buf holds a NUL byte.
 */
int hmp_network_parse(const char *buf, size_t len, struct hmp_net *ret, size_t max);

/*
 * The device name of a /proc/PID/fdinfo text (@len bytes at @buf) of a
 * /dev/net/tun fd: its "iff:" line, into @ret_ifname.
 * Return: 0; -ENOENT when there is no such line (a queue not attached to a
 * device), -EINVAL for a name that is no interface name.
 */
int fdinfo_iff_parse(const char *buf, size_t len, char ret_ifname[VMTAP_IFNAMSIZ]);

/* What query-rx-filter says of one NIC. */
struct rx_filter {
	uint8_t main_mac[6];
	bool promiscuous;
};
/*
 * The entry named @name of a query-rx-filter reply (JSON text, @len bytes).
 * Return: 0; -ENOENT when it has none; -EBADMSG for a reply that is not
 * such an array, or a main-mac that is no MAC.
 */
int qmp_rx_filter_parse(const char *buf, size_t len, const char *name, struct rx_filter *ret);

/*
 * The PCI address ("dddd:bb:ss.f") of the device @qdev_id in a query-pci
 * reply (JSON text, @len bytes), behind PCI bridges too.
 * Return: 0; -ENOENT when it has none; -EBADMSG for a reply that is not
 * such an array.
 */
int qmp_pci_parse(const char *buf, size_t len, const char *qdev_id, char ret_addr[16]);

/* A JSON string (@len bytes of JSON text, such as human-monitor-command's reply) into a malloc'd *@ret: 0, -EBADMSG or -ENOMEM. */
int qmp_string_parse(const char *buf, size_t len, char **ret);
/* A qom-get reply (JSON text, @len bytes) as a number or a boolean: 0, or -EBADMSG when it is neither. */
int qmp_qom_uint_parse(const char *buf, size_t len, uint64_t *ret);
int qmp_qom_bool_parse(const char *buf, size_t len, bool *ret);

#endif

/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The --nic SPEC of vmtap exec and qemu-args: "key=value,..." parsed from (buf, len). */
#ifndef VMTAP_CLI_NIC_SPEC_H
#define VMTAP_CLI_NIC_SPEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vmtap.h"

struct nic_spec {
	char id[128];               /* "" : net<index> */
	char endpoint[VMTAP_ID_MAX + 1];
	unsigned int queues;        /* 0: 1, or the endpoint's */
	bool set_mac;
	uint8_t mac[6];
	uint32_t mtu;
	char bridge[VMTAP_IFNAMSIZ];
	char helper[4096];          /* the bridge helper to get the TAP from (QEMU's helper=); "": none named */
	char redirect[VMTAP_IFNAMSIZ];  /* an ephemeral redirect endpoint with this device */
	char macvtap[VMTAP_IFNAMSIZ];   /* an ephemeral macvtap endpoint on this parent */
	int macvtap_mode;           /* -1: not given */
	uint32_t tc_prio;           /* 0: not given */
	char netns[256];
	int vhost;                  /* -1: default (off; the endpoint's wish), 0 off, 1 on */
	char model[128];
	char ifname[VMTAP_IFNAMSIZ];
	unsigned int vectors;
	char bus[128], addr[128];
	unsigned int nfds, nvhostfds; /* qemu-args: fds the caller holds */
	int fds[VMTAP_MAX_QUEUES], vhostfds[VMTAP_MAX_QUEUES];
};

/* The --nic SPECs of one command line, in order. */
struct cli_nic_specs {
	struct nic_spec *specs;
	size_t n, cap;
};

/* Parse @arg for command @cmd and append it: 0, or an exit code after saying why. */
int cli_nic_specs_add(const char *cmd, const char *arg, struct cli_nic_specs *list);
/* Free the SPECs of @list (a struct cli_nic_specs): the .free_data of exec and qemu-args. */
void cli_nic_specs_free(void *list);

/* Parse one SPEC; on failure @err says which key and why. */
int nic_spec_parse(const char *buf, size_t len, struct nic_spec *ret, char *err, size_t errlen);

/*
 * The first key of @s that a NIC whose TAP comes from a bridge helper cannot
 * honour, or NULL: the helper makes tap%d in the caller's namespace with the
 * bridge's MTU, so netns, ifname and mtu are not the caller's to choose.
 */
const char *nic_spec_helper_conflict(const struct nic_spec *s);

/*
 * Describe the NIC of SPEC @s, the @index-th, to QEMU: its id (s->id, given
 * the default net<index> when it had none), guest MAC (given, else derived
 * from the endpoint's id or the NIC's), host MTU, model and PCI placement.
 * The caller adds the queues and their fds.  @nic points into @s.
 */
void nic_spec_qemu_nic(struct nic_spec *s, size_t index, struct vmtap_qemu_nic *nic);

#endif

/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libFuzzer target for what vmtap doctor reads from QEMU and /proc: HMP "info network", QMP replies, fdinfo; any bytes, never a crash. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "doctor.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Every parser on the same bytes: each refuses what is not its kind. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *buf = (const char *)data;
	struct hmp_net nets[8];
	struct rx_filter rx;
	char ifname[VMTAP_IFNAMSIZ], addr[16], *text = NULL;
	uint64_t u;
	bool b;
	int n = hmp_network_parse(buf, size, nets, 8);

	if (n > 8)
		abort();
	for (int i = 0; i < n; i++)
		if (!nets[i].name[0] || !nets[i].type[0] || !memchr(nets[i].nic, '\0', sizeof(nets[i].nic)) ||
		    !memchr(nets[i].ifname, '\0', sizeof(nets[i].ifname)) || nets[i].fd < -1)
			abort();
	if (fdinfo_iff_parse(buf, size, ifname) == 0 && vmtap_name_validate(ifname) < 0)
		abort();
	if (qmp_rx_filter_parse(buf, size, "net0", &rx) == 0 && !vmtap_mac_usable(rx.main_mac))
		abort();
	if (qmp_pci_parse(buf, size, "net0", addr) == 0 && strlen(addr) != 12)
		abort();
	(void)qmp_qom_uint_parse(buf, size, &u);
	(void)qmp_qom_bool_parse(buf, size, &b);
	if (qmp_string_parse(buf, size, &text) == 0) {
		/* a reply of human-monitor-command: its text is parsed in turn */
		n = hmp_network_parse(text, strlen(text), nets, 8);
		if (n > 8)
			abort();
		free(text);
	}
	return 0;
}

/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests of what vmtap doctor parses (QEMU's "info network", QMP replies, fdinfo) and of the ethtool feature reader, on real answers kept in the fuzz corpora. */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "doctor.h"
#include "ethtool.h"

/* A file of the fuzz corpora, NUL-terminated; its length in *@len. */
static char *corpus(const char *target, const char *name, size_t *len)
{
	char path[512];
	FILE *f;
	char *buf = calloc(1, 1 << 16);

	snprintf(path, sizeof(path), "%s/%s/%s", CORPUS_DIR, target, name);
	f = fopen(path, "rb");
	assert_non_null(f);
	assert_non_null(buf);
	*len = fread(buf, 1, (1 << 16) - 1, f);
	fclose(f);
	return buf;
}

static void test_info_network_real(void **state)
{
	struct hmp_net n[8];
	size_t len;
	char *text = corpus("doctor_qmp", "real_info_network.txt", &len);
	int count = hmp_network_parse(text, len, n, 8);

	(void)state;
	assert_int_equal(count, 4);
	assert_string_equal(n[0].name, "net0");
	assert_string_equal(n[0].type, "nic");
	assert_string_equal(n[1].name, "hostnet0");
	assert_string_equal(n[1].type, "tap");
	assert_string_equal(n[1].nic, "net0");
	assert_int_equal(n[1].index, 0);
	assert_int_equal(n[1].fd, 7);
	assert_int_equal(n[3].index, 1);
	assert_int_equal(n[3].fd, 9);
	assert_string_equal(n[3].nic, "net0");
	free(text);
}

static void test_info_network_mixed(void **state)
{
	struct hmp_net n[16];
	size_t len;
	char *text = corpus("doctor_qmp", "info_network_mixed.txt", &len);
	int count = hmp_network_parse(text, len, n, 16);

	(void)state;
	/* net0, hostnet0 (by ifname), net1, user0, hub0port1, hostnet9; the malformed lines are skipped */
	assert_int_equal(count, 6);
	assert_string_equal(n[1].ifname, "tap0");
	assert_int_equal(n[1].fd, -1);
	assert_string_equal(n[3].type, "user");
	assert_string_equal(n[3].nic, "net1");
	assert_string_equal(n[4].name, "hub0port1");
	assert_string_equal(n[4].nic, ""); /* under "hub 0", no NIC */
	assert_string_equal(n[5].name, "hostnet9");
	assert_string_equal(n[5].nic, "");
	assert_int_equal(n[5].fd, 42);
	/* room for fewer: the first ones */
	assert_int_equal(hmp_network_parse(text, len, n, 2), 2);
	assert_int_equal(hmp_network_parse("a\0b", 3, n, 2), -EINVAL);
	free(text);
}

static void test_info_network_json(void **state)
{
	struct hmp_net n[8];
	size_t len;
	char *json = corpus("doctor_qmp", "real_info_network.json", &len), *text = NULL;

	(void)state;
	assert_int_equal(qmp_string_parse(json, len, &text), 0);
	assert_int_equal(hmp_network_parse(text, strlen(text), n, 8), 4);
	free(text);
	assert_int_equal(qmp_string_parse("[1]", 3, &text), -EBADMSG);
	free(json);
}

static void test_fdinfo(void **state)
{
	char name[VMTAP_IFNAMSIZ] = "untouched";
	size_t len;
	char *t = corpus("doctor_qmp", "real_fdinfo_tun.txt", &len);

	(void)state;
	assert_int_equal(fdinfo_iff_parse(t, len, name), 0);
	assert_string_equal(name, "vmtc7485f4b0ec1");
	free(t);
	t = corpus("doctor_qmp", "fdinfo_detached.txt", &len);
	assert_int_equal(fdinfo_iff_parse(t, len, name), -ENOENT);
	free(t);
	t = corpus("doctor_qmp", "fdinfo_long_name.txt", &len);
	assert_int_equal(fdinfo_iff_parse(t, len, name), -EINVAL);
	assert_string_equal(name, "vmtc7485f4b0ec1"); /* untouched on failure */
	free(t);
	/* the last line without its newline */
	assert_int_equal(fdinfo_iff_parse("iff:\ttap0", 9, name), 0);
	assert_string_equal(name, "tap0");
}

static void test_rx_filter_and_pci(void **state)
{
	struct rx_filter rx;
	char addr[16];
	size_t len;
	char *t = corpus("doctor_qmp", "real_rx_filter.json", &len);

	(void)state;
	assert_int_equal(qmp_rx_filter_parse(t, len, "net0", &rx), 0);
	assert_memory_equal(rx.main_mac, ((uint8_t[]){ 0x52, 0x54, 0x00, 0xfd, 0x35, 0x36 }), 6);
	assert_false(rx.promiscuous);
	assert_int_equal(qmp_rx_filter_parse(t, len, "net1", &rx), -ENOENT);
	free(t);
	t = corpus("doctor_qmp", "rx_filter_bad_mac.json", &len);
	assert_int_equal(qmp_rx_filter_parse(t, len, "net0", &rx), -EBADMSG);
	free(t);
	t = corpus("doctor_qmp", "real_query_pci.json", &len);
	assert_int_equal(qmp_pci_parse(t, len, "net0", addr), 0);
	assert_string_equal(addr, "0000:00:02.0");
	assert_int_equal(qmp_pci_parse(t, len, "net1", addr), -ENOENT);
	free(t);
	t = corpus("doctor_qmp", "pci_behind_bridge.json", &len);
	assert_int_equal(qmp_pci_parse(t, len, "net5", addr), 0);
	assert_string_equal(addr, "0000:01:01.0");
	free(t);
	assert_int_equal(qmp_pci_parse("{}", 2, "net0", addr), -EBADMSG);
}

static void test_qom(void **state)
{
	uint64_t u = 7;
	bool b = false;

	(void)state;
	/* bare numbers end at the end of the text */
	assert_int_equal(qmp_qom_uint_parse("0", 1, &u), 0);
	assert_int_equal(u, 0);
	assert_int_equal(qmp_qom_uint_parse("1500", 4, &u), 0);
	assert_int_equal(u, 1500);
	assert_int_equal(qmp_qom_uint_parse("15001", 4, &u), 0); /* only the 4 bytes given */
	assert_int_equal(u, 1500);
	assert_int_equal(qmp_qom_uint_parse("-1", 2, &u), -EBADMSG);
	assert_int_equal(qmp_qom_uint_parse("true", 4, &u), -EBADMSG);
	assert_int_equal(qmp_qom_uint_parse("6 x", 3, &u), -EBADMSG);
	assert_int_equal(qmp_qom_bool_parse("true", 4, &b), 0);
	assert_true(b);
	assert_int_equal(qmp_qom_bool_parse("1", 1, &b), -EBADMSG);
}

/* The ethtool answers of a 6.18 kernel, captured into the fuzz corpus. */
static void test_ethtool_real(void **state)
{
	static const struct {
		const char *file;
		uint32_t offloads;
	} cases[] = {
		{ "real_tap_no_offloads", 0 },
		{ "real_tap_csum_tso", VMTAP_OFFLOAD_CSUM | VMTAP_OFFLOAD_TSO4 | VMTAP_OFFLOAD_TSO6 | VMTAP_OFFLOAD_TSO_ECN },
		{ "real_tap_csum_uso", VMTAP_OFFLOAD_CSUM | VMTAP_OFFLOAD_USO4 | VMTAP_OFFLOAD_USO6 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t len;
		char *t = corpus("ethtool_parse", cases[i].file, &len);
		size_t n = (size_t)(unsigned char)t[0] | (size_t)(unsigned char)t[1] << 8;
		uint32_t off = 0xdead;
		assert_true(len > n + 2);
		assert_int_equal(vt_ethtool_offloads_parse(t + 2, n, t + 2 + n, len - 2 - n, &off), 0);
		assert_int_equal(off, cases[i].offloads);
		/* a partial entry is refused */
		assert_int_equal(vt_ethtool_offloads_parse(t + 2, n - 1, t + 2 + n, len - 2 - n, &off), -EINVAL);
		assert_int_equal(vt_ethtool_offloads_parse(t + 2, n, t + 2 + n, len - 3 - n, &off), -EINVAL);
		free(t);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_info_network_real), cmocka_unit_test(test_info_network_mixed),
		cmocka_unit_test(test_info_network_json), cmocka_unit_test(test_fdinfo),
		cmocka_unit_test(test_rx_filter_and_pci), cmocka_unit_test(test_qom),
		cmocka_unit_test(test_ethtool_real),
	};

	return cmocka_run_group_tests_name("unit-doctor", tests, NULL, NULL);
}

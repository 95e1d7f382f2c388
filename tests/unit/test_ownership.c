/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests of what ownership rests on: tags, process start times, and the checks of outside text in records. */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "proc.h"
#include "state.h"
#include "validate.h"

static void test_tags(void **state)
{
	struct vt_tag t;
	char text[VT_TAG_MAX];

	(void)state;
	vt_tag_format(text, "vm7-net0", "0123456789abcdef");
	assert_string_equal(text, "vmtap:vm7-net0@0123456789abcdef");
	assert_int_equal(vt_tag_parse(text, strlen(text), &t), 0);
	assert_string_equal(t.id, "vm7-net0");
	assert_string_equal(t.state_id, "0123456789abcdef");
	/* an older vmtap's tag: the id, no state identity */
	assert_int_equal(vt_tag_parse("vmtap:old", 9, &t), 0);
	assert_string_equal(t.id, "old");
	assert_string_equal(t.state_id, "");
	/* anything else is nobody's tag: gc must not take it for one */
	static const char *const bad[] = {
		"vmtap:", "vmtap:@0123456789abcdef", "vmtap:a@0123456789ABCDEF", "vmtap:a@0123456789abcde",
		"vmtap:a@0123456789abcdef0", "vmtap:../x@0123456789abcdef", "vmtap:a@b@0123456789abcdef",
		"VMTAP:a", "vmtap-helper:uid=0,pid=1", "notvmtap:a", "vmtap:.hidden", "vmtap:a b",
		"vmtap:xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (vt_tag_parse(bad[i], strlen(bad[i]), &t) == 0)
			fail_msg("'%s' parsed as a tag", bad[i]);
	/* a NUL inside is not a shorter tag */
	assert_int_equal(vt_tag_parse("vmtap:a\0b@0123456789abcdef", 26, &t), -EINVAL);
	/* only the library writes tags */
	assert_true(vt_alias_reserved("vmtap:x"));
	assert_true(vt_alias_reserved("vmtap-helper:uid=1"));
	assert_false(vt_alias_reserved("vm7 net0"));
	assert_false(vt_alias_reserved("myvmtap:x"));
}

/* the bridge helper's tag, exactly as helper/main.c writes it: what gc goes by for the helper's TAPs */
static void test_helper_tags(void **state)
{
	struct vt_helper_tag h;
	struct vt_tag t;
	char text[64];

	(void)state;
	snprintf(text, sizeof(text), VT_HELPER_TAG_PREFIX "uid=%u,pid=%d", 4242u, 31337);
	assert_int_equal(vt_helper_tag_parse(text, strlen(text), &h), 0);
	assert_int_equal(h.uid, 4242);
	assert_int_equal(h.pid, 31337);
	assert_int_equal(vt_tag_parse(text, strlen(text), &t), -EINVAL); /* never one of the endpoints' */
	assert_int_equal(vt_helper_tag_parse("vmtap-helper:uid=0,pid=0", 24, &h), 0);
	assert_int_equal(h.uid, 0);
	assert_int_equal(h.pid, 0); /* the helper's parent was outside its pid namespace */
	assert_int_equal(vt_helper_tag_parse("vmtap-helper:uid=4294967294,pid=2147483647", 42, &h), 0);
	assert_int_equal(h.uid, 4294967294u);
	assert_int_equal(h.pid, 2147483647);
	static const char *const bad[] = {
		"vmtap-helper:", "vmtap-helper:uid=1", "vmtap-helper:uid=1,", "vmtap-helper:uid=1,pid=",
		"vmtap-helper:uid=01,pid=1", "vmtap-helper:uid=1,pid=01", "vmtap-helper:uid=-1,pid=1",
		"vmtap-helper:uid=1,pid=-1", "vmtap-helper:uid=4294967295,pid=1", "vmtap-helper:uid=1,pid=2147483648",
		"vmtap-helper:uid=1,pid=1,start=5", "vmtap-helper:pid=1,uid=1", "vmtap-helper:uid=1,pid=1 ",
		"vmtap-helper:uid= 1,pid=1", "VMTAP-HELPER:uid=1,pid=1", "vmtap:x", "vmtap-helper:uid=99999999999,pid=1",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (vt_helper_tag_parse(bad[i], strlen(bad[i]), &h) == 0)
			fail_msg("'%s' parsed as a helper's tag", bad[i]);
	assert_int_equal(vt_helper_tag_parse("vmtap-helper:uid=1,pid=1\0", 25, &h), -EINVAL);
	assert_int_equal(vt_helper_tag_parse("vmtap-helper:uid=1\0,pid=1", 25, &h), -EINVAL);
	assert_int_equal(vt_helper_tag_parse(NULL, 0, &h), -EINVAL);
}

static void test_proc_stat(void **state)
{
	uint64_t start = 0;
	char buf[1024];
	FILE *f;
	size_t n;

	(void)state;
	/* a command name with spaces and ')' in it: the last ')' ends it */
	static const char odd[] = "4242 (qemu) (x y) S 1 1 1 0 -1 4194560 1 0 0 0 0 0 0 0 20 0 1 0 123456 1 1\n";
	assert_int_equal(vt_proc_stat_starttime(odd, strlen(odd), &start), 0);
	assert_int_equal(start, 123456);
	/* this process's own, as the kernel writes it */
	f = fopen("/proc/self/stat", "r");
	assert_non_null(f);
	n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	assert_int_equal(vt_proc_stat_starttime(buf, n, &start), 0);
	assert_true(start > 0);
	{
		uint64_t again;
		assert_int_equal(vt_proc_starttime(getpid(), &again), 0);
		assert_int_equal(again, start);
		assert_int_equal(vt_proc_alive(getpid(), start), 1);
		assert_int_equal(vt_proc_alive(getpid(), start + 1), 0); /* a later process with our pid */
		assert_int_equal(vt_proc_alive(getpid(), 0), 1);
	}
	static const char *const bad[] = {
		"", "4242 x S", ")", "4242 (x) S 1 1 1",
		"4242 (x) S 1 1 1 0 -1 4194560 1 0 0 0 0 0 0 0 20 0 1 0 0 1 1",
		"4242 (x) S 1 1 1 0 -1 4194560 1 0 0 0 0 0 0 0 20 0 1 0 12x 1 1",
		"4242 (x) S 1 1 1 0 -1 4194560 1 0 0 0 0 0 0 0 20 0 1 0 99999999999999999999999 1",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		start = 7;
		if (vt_proc_stat_starttime(bad[i], strlen(bad[i]), &start) == 0)
			fail_msg("'%s' gave a start time", bad[i]);
		assert_int_equal(start, 7); /* untouched on failure */
	}
	assert_int_equal(vt_proc_starttime(0, &start), -EINVAL);
}

static void test_outside_text_checks(void **state)
{
	char out[64];

	(void)state;
	assert_true(vt_pci_addr_ok("0000:00:02.0"));
	assert_true(vt_pci_addr_ok("0000:1f:1f.7"));
	assert_false(vt_pci_addr_ok("0000:00:02.8"));
	assert_false(vt_pci_addr_ok("0000:00:02.0\n"));
	assert_false(vt_pci_addr_ok("0000:00:0G.0"));
	assert_false(vt_pci_addr_ok("00:02.0"));
	assert_false(vt_qemu_id_ok("net0\nforged"));
	assert_true(vt_qemu_id_ok("net0"));
	assert_int_equal(vt_netns_spec_check(NULL, "a\nb", 255), -EINVAL);
	assert_int_equal(vt_netns_spec_check(NULL, "/run/netns/a\tb", 255), -EINVAL);
	assert_int_equal(vt_netns_spec_check(NULL, "/run/netns/blue", 10), -ENAMETOOLONG);
	assert_int_equal(vt_netns_spec_check(NULL, "/run/netns/blue", 255), 0);
	assert_int_equal(vt_netns_spec_check(NULL, "blue", 255), 0);
	vt_escape(out, sizeof(out), "a\nb\\c\x1b");
	assert_string_equal(out, "a\\nb\\\\c\\x1b");
	/* an escape that does not fit is dropped whole, never cut in half */
	vt_escape(out, 4, "ab\n");
	assert_string_equal(out, "ab");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tags),
		cmocka_unit_test(test_helper_tags),
		cmocka_unit_test(test_proc_stat),
		cmocka_unit_test(test_outside_text_checks),
	};
	return cmocka_run_group_tests_name("unit-ownership", tests, NULL, NULL);
}

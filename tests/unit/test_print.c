/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests of the CLI printer: the same calls give the expected text and JSON that json-c parses back. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <json-c/json.h>

#include "print.h"

typedef void (*scenario_fn)(struct printer *p);

/* Run @fn on a printer writing to memory; returns the malloc'ed output. */
static char *render(scenario_fn fn, bool json, bool pretty)
{
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);
	struct printer *p;

	assert_non_null(f);
	p = print_new(f, json, pretty);
	assert_non_null(p);
	assert_int_equal(print_is_json(p), json);
	fn(p);
	assert_int_equal(print_finish(p), 0);
	assert_int_equal(fclose(f), 0);
	assert_non_null(out);
	assert_int_equal(strlen(out), len);
	return out;
}

/* Parse @text as JSON, failing the test with the text when it does not parse. */
static json_object *parse_json(const char *text)
{
	enum json_tokener_error err = json_tokener_success;
	json_object *o = json_tokener_parse_verbose(text, &err);

	if (!o || err != json_tokener_success)
		fail_msg("not JSON (%s): %s", json_tokener_error_desc(err), text);
	return o;
}

static json_object *get_key(json_object *obj, const char *key, json_type type)
{
	json_object *v = NULL;

	if (!json_object_is_type(obj, json_type_object))
		fail_msg("not an object where \"%s\" was expected", key);
	if (!json_object_object_get_ex(obj, key, &v))
		fail_msg("key \"%s\" missing in %s", key, json_object_to_json_string(obj));
	if (!json_object_is_type(v, type))
		fail_msg("key \"%s\" has type %s, not %s", key, json_type_to_name(json_object_get_type(v)),
			 json_type_to_name(type));
	return v;
}

static void assert_no_key(json_object *obj, const char *key)
{
	if (json_object_object_get_ex(obj, key, NULL))
		fail_msg("unexpected key \"%s\"", key);
}

/* A link with nested arrays and objects, as "vmtap show" prints one. */
static void link_scenario(struct printer *p)
{
	print_open_object(p, NULL);
	print_string(p, "name", "%s: ", "tap0");
	print_uint(p, "mtu", "mtu %llu ", 1500);
	print_int(p, "offset", "offset %lld ", -3);
	print_bool(p, "up", "UP ", true);
	print_bool(p, "persist", "PERSIST ", false);
	print_string(p, "kind", NULL, "tun");            /* JSON only */
	print_uint(p, "ifindex", NULL, 7);               /* JSON only */
	print_string(p, "alias", "alias '%s' ", NULL);  /* no value: text "", JSON nothing */
	print_text(p, "\n");
	print_open_array(p, "queues");
	for (unsigned int i = 0; i < 3; i++) {
		print_open_object(p, NULL);
		print_uint(p, "index", "  queue %llu", i);
		print_bool(p, "enabled", " enabled", i != 1);
		print_text(p, "\n");
		print_close_object(p);
	}
	print_close_array(p);
	print_open_object(p, "stats");
	print_uint(p, "rx_bytes", "  rx %llu", 1ULL << 40);
	print_uint(p, "tx_bytes", " tx %llu\n", UINT64_MAX);
	print_open_array(p, "matrix");
	print_open_array(p, NULL);
	print_int(p, NULL, NULL, 1);
	print_int(p, NULL, NULL, 2);
	print_close_array(p);
	print_open_array(p, NULL);
	print_close_array(p);
	print_close_array(p);
	print_close_object(p);
	print_string(p, "path", "path %s\n", "/run/netns/a \"b\"");
	print_close_object(p);
}

static void test_text(void **state)
{
	char *out = render(link_scenario, false, false);
	(void)state;

	assert_string_equal(out,
		"tap0: mtu 1500 offset -3 UP alias '' \n"
		"  queue 0 enabled\n"
		"  queue 1\n"
		"  queue 2 enabled\n"
		"  rx 1099511627776 tx 18446744073709551615\n"
		"path /run/netns/a \"b\"\n");
	free(out);
}

static void check_link_json(json_object *root)
{
	json_object *queues, *stats, *matrix, *row;

	assert_true(json_object_is_type(root, json_type_object));
	assert_string_equal(json_object_get_string(get_key(root, "name", json_type_string)), "tap0");
	assert_int_equal(json_object_get_int64(get_key(root, "mtu", json_type_int)), 1500);
	assert_int_equal(json_object_get_int64(get_key(root, "offset", json_type_int)), -3);
	assert_true(json_object_get_boolean(get_key(root, "up", json_type_boolean)));
	/* false booleans are present in JSON although text omits them */
	assert_false(json_object_get_boolean(get_key(root, "persist", json_type_boolean)));
	assert_string_equal(json_object_get_string(get_key(root, "kind", json_type_string)), "tun");
	assert_int_equal(json_object_get_int64(get_key(root, "ifindex", json_type_int)), 7);
	assert_no_key(root, "alias");
	assert_string_equal(json_object_get_string(get_key(root, "path", json_type_string)), "/run/netns/a \"b\"");

	queues = get_key(root, "queues", json_type_array);
	assert_int_equal(json_object_array_length(queues), 3);
	for (size_t i = 0; i < 3; i++) {
		json_object *q = json_object_array_get_idx(queues, i);
		assert_int_equal(json_object_get_int64(get_key(q, "index", json_type_int)), i);
		assert_int_equal(json_object_get_boolean(get_key(q, "enabled", json_type_boolean)), i != 1);
		assert_int_equal(json_object_object_length(q), 2);
	}

	stats = get_key(root, "stats", json_type_object);
	assert_int_equal(json_object_get_int64(get_key(stats, "rx_bytes", json_type_int)), 1LL << 40);
	assert_true(json_object_get_uint64(get_key(stats, "tx_bytes", json_type_int)) == UINT64_MAX);
	matrix = get_key(stats, "matrix", json_type_array);
	assert_int_equal(json_object_array_length(matrix), 2);
	row = json_object_array_get_idx(matrix, 0);
	assert_true(json_object_is_type(row, json_type_array));
	assert_int_equal(json_object_array_length(row), 2);
	assert_int_equal(json_object_get_int(json_object_array_get_idx(row, 0)), 1);
	assert_int_equal(json_object_get_int(json_object_array_get_idx(row, 1)), 2);
	row = json_object_array_get_idx(matrix, 1);
	assert_true(json_object_is_type(row, json_type_array));
	assert_int_equal(json_object_array_length(row), 0);

	assert_int_equal(json_object_object_length(root), 10);
}

static void test_json(void **state)
{
	char *out = render(link_scenario, true, false);
	json_object *root;
	(void)state;

	/* one line, newline-terminated, slashes not escaped */
	assert_true(strlen(out) > 2);
	assert_int_equal(out[strlen(out) - 1], '\n');
	assert_ptr_equal(strchr(out, '\n'), out + strlen(out) - 1);
	assert_non_null(strstr(out, "/run/netns/a"));
	/* none of the text-mode decoration leaks in */
	assert_null(strstr(out, "queue 0"));
	assert_null(strstr(out, "UP "));

	root = parse_json(out);
	check_link_json(root);
	json_object_put(root);
	free(out);
}

static void test_json_pretty(void **state)
{
	char *plain = render(link_scenario, true, false);
	char *pretty = render(link_scenario, true, true);
	json_object *a, *b;
	(void)state;

	/* several lines, same document */
	assert_non_null(strchr(pretty, '\n'));
	assert_true(strchr(pretty, '\n') < pretty + strlen(pretty) - 1);
	a = parse_json(plain);
	b = parse_json(pretty);
	check_link_json(b);
	assert_true(json_object_equal(a, b));
	json_object_put(a);
	json_object_put(b);
	free(plain);
	free(pretty);
}

/* "vmtap list": a top-level array of objects. */
static void list_scenario(struct printer *p)
{
	static const char *const names[] = { "tap0", "tap1" };

	print_open_array(p, NULL);
	for (size_t i = 0; i < 2; i++) {
		print_open_object(p, NULL);
		print_string(p, "name", "%s", names[i]);
		print_bool(p, "tun", " tun", true);
		print_text(p, "\n");
		print_close_object(p);
	}
	print_close_array(p);
}

static void test_top_level_array(void **state)
{
	char *text = render(list_scenario, false, false);
	char *json = render(list_scenario, true, false);
	json_object *root;
	(void)state;

	assert_string_equal(text, "tap0 tun\ntap1 tun\n");
	root = parse_json(json);
	assert_true(json_object_is_type(root, json_type_array));
	assert_int_equal(json_object_array_length(root), 2);
	assert_string_equal(json_object_get_string(get_key(json_object_array_get_idx(root, 1), "name",
							 json_type_string)), "tap1");
	json_object_put(root);
	free(text);
	free(json);
}

static void empty_list_scenario(struct printer *p)
{
	print_open_array(p, NULL);
	print_close_array(p);
}

static void nothing_scenario(struct printer *p)
{
	(void)p;
}

static void test_empty(void **state)
{
	char *text = render(empty_list_scenario, false, false);
	char *json = render(empty_list_scenario, true, false);
	char *none_text = render(nothing_scenario, false, false);
	char *none_json = render(nothing_scenario, true, false);
	json_object *root;
	(void)state;

	assert_string_equal(text, "");
	root = parse_json(json);
	assert_true(json_object_is_type(root, json_type_array));
	assert_int_equal(json_object_array_length(root), 0);
	json_object_put(root);
	assert_string_equal(none_text, "");
	assert_string_equal(none_json, "");
	free(text);
	free(json);
	free(none_text);
	free(none_json);
}

/* Containers left open are closed by print_finish(). */
static void unclosed_scenario(struct printer *p)
{
	print_open_object(p, NULL);
	print_open_array(p, "a");
	print_open_object(p, NULL);
	print_uint(p, "x", "x=%llu\n", 5);
}

static void test_unclosed(void **state)
{
	char *text = render(unclosed_scenario, false, false);
	char *json = render(unclosed_scenario, true, false);
	json_object *root, *a;
	(void)state;

	assert_string_equal(text, "x=5\n");
	root = parse_json(json);
	a = get_key(root, "a", json_type_array);
	assert_int_equal(json_object_array_length(a), 1);
	assert_int_equal(json_object_get_int(get_key(json_object_array_get_idx(a, 0), "x", json_type_int)), 5);
	json_object_put(root);
	free(text);
	free(json);
}

/* Deeper than the printer's stack: must neither crash nor write invalid JSON. */
static void deep_scenario(struct printer *p)
{
	print_open_object(p, NULL);
	for (int i = 0; i < 40; i++)
		print_open_object(p, "n");
	print_uint(p, "deep", "deep\n", 1);
	for (int i = 0; i < 40; i++)
		print_close_object(p);
	print_close_object(p);
}

static void test_deep_nesting(void **state)
{
	char *text = render(deep_scenario, false, false);
	char *json = render(deep_scenario, true, false);
	json_object *root;
	(void)state;

	assert_string_equal(text, "deep\n");
	root = parse_json(json);
	assert_non_null(root);
	json_object_put(root);
	free(text);
	free(json);
}

static void test_write_error(void **state)
{
	FILE *f = fopen("/dev/full", "w");
	struct printer *p;
	(void)state;

	assert_non_null(f);
	setvbuf(f, NULL, _IOFBF, 1 << 16);
	p = print_new(f, false, false);
	assert_non_null(p);
	print_string(p, "name", "%s\n", "tap0");
	/* the cause, as the flush found it: /dev/full is a full disk */
	assert_int_equal(print_finish(p), -ENOSPC);
	fclose(f);

	/* a write that failed before the end (a small buffer): the stream's error flag still tells */
	f = fopen("/dev/full", "w");
	assert_non_null(f);
	setvbuf(f, NULL, _IOFBF, 16);
	p = print_new(f, false, false);
	assert_non_null(p);
	print_string(p, "name", "%s\n", "a text longer than the buffer, flushed on the way");
	assert_true(print_finish(p) < 0);
	fclose(f);

	f = fopen("/dev/full", "w");
	assert_non_null(f);
	setvbuf(f, NULL, _IOFBF, 1 << 16);
	p = print_new(f, true, false);
	assert_non_null(p);
	print_open_object(p, NULL);
	print_string(p, "name", "%s\n", "tap0");
	assert_int_equal(print_finish(p), -ENOSPC);
	fclose(f);

	assert_int_equal(print_finish(NULL), 0);
}

/*
 * A root array is streamed: each element is on its way out once complete
 * (before print_finish()), and the whole is byte for byte what json-c writes
 * for the same array built in memory, plain and pretty, empty, with scalars,
 * nested containers and elements dropped past the depth limit.
 */
static void test_stream_root_array(void **state)
{
	(void)state;
	for (int pretty = 0; pretty < 2; pretty++) {
		for (int n = 0; n < 4; n++) {
			const int flags = (pretty ? JSON_C_TO_STRING_PRETTY : JSON_C_TO_STRING_PLAIN) |
					  JSON_C_TO_STRING_NOSLASHESCAPE;
			json_object *want = json_object_new_array();
			char *buf = NULL, *expected;
			size_t len = 0;
			FILE *f = open_memstream(&buf, &len);
			struct printer *p = print_new(f, true, pretty);

			print_open_array(p, NULL);
			for (int i = 0; i < n; i++) {
				json_object *o = json_object_new_object(), *c = json_object_new_object();

				print_open_object(p, NULL);
				print_string(p, "id", NULL, "a/\"b\"");
				print_open_object(p, "conn");
				print_open_array(p, "empty");
				print_close_array(p);
				print_uint(p, "n", NULL, (uint64_t)i);
				print_close_object(p);
				print_close_object(p);
				fflush(f);
				/* written already: the element is not kept for print_finish() */
				assert_true(len > 1);
				json_object_object_add(o, "id", json_object_new_string("a/\"b\""));
				json_object_object_add(c, "empty", json_object_new_array());
				json_object_object_add(c, "n", json_object_new_uint64((uint64_t)i));
				json_object_object_add(o, "conn", c);
				json_object_array_add(want, o);
				if (i == 1) {
					print_string(p, NULL, NULL, "scalar");
					json_object_array_add(want, json_object_new_string("scalar"));
				}
			}
			print_close_array(p);
			assert_int_equal(print_finish(p), 0);
			fclose(f);
			if (asprintf(&expected, "%s\n", json_object_to_json_string_ext(want, flags)) < 0)
				fail();
			assert_string_equal(buf, expected);
			free(expected);
			free(buf);
			json_object_put(want);
		}
	}
}

/* Elements deeper than the printer's stack inside a streamed array: still valid JSON. */
static void stream_deep_scenario(struct printer *p)
{
	print_open_array(p, NULL);
	for (int e = 0; e < 3; e++) {
		print_open_object(p, NULL);
		for (int i = 0; i < 40; i++)
			print_open_object(p, "n");
		print_uint(p, "deep", NULL, 1);
		for (int i = 0; i < 40; i++)
			print_close_object(p);
		print_close_object(p);
	}
	print_close_array(p);
}

static void test_stream_deep(void **state)
{
	char *json = render(stream_deep_scenario, true, false);
	json_object *root;
	(void)state;

	root = parse_json(json);
	assert_true(json_object_is_type(root, json_type_array));
	assert_int_equal(json_object_array_length(root), 3);
	json_object_put(root);
	free(json);
}

/* Outside text never reaches the terminal raw, and JSON output is always valid UTF-8. */
static void test_escape_and_utf8(void **state)
{
	char *e;

	(void)state;
	e = print_escape("a\nb\tc\r\x1b[31m\\d\x7f");
	assert_string_equal(e, "a\\nb\\tc\\r\\x1b[31m\\\\d\\x7f");
	free(e);
	e = print_escape_controls("q\\n\nx");
	assert_string_equal(e, "q\\n\\nx"); /* an escaped text stays as it is, a raw newline is escaped */
	free(e);
	e = print_escape(NULL);
	assert_string_equal(e, "");
	free(e);
	/* valid UTF-8 passes; stray, truncated, overlong, surrogate and out-of-range sequences become U+FFFD */
	e = print_utf8("h\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80");
	assert_string_equal(e, "h\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80");
	free(e);
	e = print_utf8("\xff|\xc3|\xc0\x80|\xed\xa0\x80|\xf4\x90\x80\x80|\xe2\x82");
	assert_string_equal(e, "\xef\xbf\xbd|\xef\xbf\xbd|\xef\xbf\xbd\xef\xbf\xbd|\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd|"
			       "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd|\xef\xbf\xbd\xef\xbf\xbd");
	free(e);
	/* through the printer: text escaped, JSON sanitized */
	{
		char *buf = NULL;
		size_t len = 0;
		FILE *f = open_memstream(&buf, &len);
		struct printer *p = print_new(f, false, false);
		print_string(p, "alias", "alias %s", "x\n99: forged");
		print_finish(p);
		fclose(f);
		assert_string_equal(buf, "alias x\\n99: forged");
		free(buf);
		f = open_memstream(&buf, &len);
		p = print_new(f, true, false);
		print_string(p, NULL, NULL, "\xc3\x28");
		print_finish(p);
		fclose(f);
		assert_string_equal(buf, "\"\xef\xbf\xbd(\"\n");
		free(buf);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_text),
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_stream_root_array),
		cmocka_unit_test(test_stream_deep),
		cmocka_unit_test(test_json_pretty),
		cmocka_unit_test(test_top_level_array),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_unclosed),
		cmocka_unit_test(test_deep_nesting),
		cmocka_unit_test(test_write_error),
		cmocka_unit_test(test_escape_and_utf8),
	};

	return cmocka_run_group_tests_name("print", tests, NULL, NULL) ? EXIT_FAILURE : EXIT_SUCCESS;
}

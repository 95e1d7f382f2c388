/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests of the QMP client: messages recorded from QEMU 7.2, malformed input, and the client over a socketpair. */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <cmocka.h>

#include "qmp.h"

/* as QEMU 7.2 sent them to vmtap hotplug/unplug */
static const char greeting[] =
	"{\"QMP\":{\"version\":{\"qemu\":{\"micro\":22,\"minor\":2,\"major\":7},\"package\":\"Debian 1:7.2+dfsg-7+deb12u18+b3\"},\"capabilities\":[\"oob\"]}}";
static const char error_bus[] = "{\"id\":\"vmtap-4\",\"error\":{\"class\":\"GenericError\",\"desc\":\"Bus 'nope' not found\"}}";
static const char deleted_backend[] =
	"{\"timestamp\":{\"seconds\":1795320263,\"microseconds\":465512},\"event\":\"DEVICE_DELETED\",\"data\":{\"path\":\"\\/machine\\/peripheral\\/vmtap-e1\\/virtio-backend\"}}";
static const char deleted_device[] =
	"{\"timestamp\":{\"seconds\":1795320263,\"microseconds\":465719},\"event\":\"DEVICE_DELETED\",\"data\":{\"device\":\"vmtap-e1\",\"path\":\"\\/machine\\/peripheral\\/vmtap-e1\"}}";

static void parse_ok(const char *text, struct vt_qmp_msg *m)
{
	char err[160] = "";
	int r = vt_qmp_parse(text, strlen(text), m, err, sizeof(err));
	if (r != 0)
		fail_msg("parse '%s': %d %s", text, r, err);
}

static void test_recorded_messages(void **state)
{
	struct vt_qmp_msg m;

	(void)state;
	parse_ok(greeting, &m);
	assert_int_equal(m.type, VT_QMP_GREETING);
	vt_qmp_msg_clear(&m);

	parse_ok("{\"return\":{},\"id\":\"vmtap-1\"}", &m);
	assert_int_equal(m.type, VT_QMP_RETURN);
	assert_string_equal(m.id, "vmtap-1");
	vt_qmp_msg_clear(&m);

	parse_ok(error_bus, &m);
	assert_int_equal(m.type, VT_QMP_ERROR);
	assert_string_equal(m.id, "vmtap-4");
	assert_string_equal(m.err_class, "GenericError");
	assert_string_equal(m.err_desc, "Bus 'nope' not found");
	vt_qmp_msg_clear(&m);

	parse_ok(deleted_backend, &m);
	assert_int_equal(m.type, VT_QMP_EVENT);
	assert_string_equal(m.event, "DEVICE_DELETED");
	assert_string_equal(m.device, ""); /* the backend path: not the device */
	vt_qmp_msg_clear(&m);

	parse_ok(deleted_device, &m);
	assert_string_equal(m.device, "vmtap-e1");
	vt_qmp_msg_clear(&m);
}

static void test_malformed(void **state)
{
	static const char *const bad[] = {
		"", "not json", "[1,2]", "{\"return\":{", "{\"return\":{}} junk", "{\"hello\":1}",
		"{\"return\":{},\"id\":5}", "{\"error\":\"x\"}", "{\"event\":3}", "{\"QMP\":1}", "42",
	};
	struct vt_qmp_msg m;
	char err[160];

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		if (vt_qmp_parse(bad[i], strlen(bad[i]), &m, err, sizeof(err)) == 0)
			fail_msg("accepted '%s'", bad[i]);
		assert_true(err[0] != '\0');
	}
	assert_int_not_equal(vt_qmp_parse("{\"return\":{}}\0x", 15, &m, err, sizeof(err)), 0);
	{
		size_t big = VT_QMP_MSG_MAX + 1;
		char *s = malloc(big);
		assert_non_null(s);
		memset(s, ' ', big);
		assert_int_equal(vt_qmp_parse(s, big, &m, err, sizeof(err)), -EMSGSIZE);
		free(s);
	}
}

static void say(int fd, const char *text)
{
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	assert_int_equal(write(fd, "\r\n", 2), 2);
}

/* Read one line the client sent and return the value of its "id". */
static void read_command(int fd, char *id, size_t size)
{
	char line[4096];
	size_t n = 0;
	char c;
	const char *p;

	while (n + 1 < sizeof(line) && read(fd, &c, 1) == 1 && c != '\n')
		line[n++] = c;
	line[n] = '\0';
	/* the command's own id comes last; "arguments" may hold an "id" of its own */
	p = NULL;
	for (const char *t = strstr(line, "\"id\":\""); t; t = strstr(t + 1, "\"id\":\""))
		p = t;
	assert_non_null(p);
	snprintf(id, size, "%.*s", (int)strcspn(p + 6, "\""), p + 6);
}

static void test_client_events_before_reply(void **state)
{
	struct vmtap_ctx *ctx;
	struct vmtap_qmp *q;
	int sv[2];
	char reply[256], *ret = NULL, *ev = NULL;

	(void)state;
	assert_int_equal(vmtap_ctx_new(&ctx), 0);
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
	/* the server side is written ahead: greeting, then answers as the client asks */
	say(sv[1], greeting);
	/* capabilities: the client writes, then we answer; a pipe buffer holds both sides */
	{
		pid_t pid = fork();
		if (pid == 0) {
			char cid[64];
			alarm(10); /* never outlive a parent that failed half-way */
			read_command(sv[1], cid, sizeof(cid));
			snprintf(reply, sizeof(reply), "{\"return\":{},\"id\":\"%s\"}", cid);
			say(sv[1], reply);
			/* device_del: both events arrive before the reply, the backend path first */
			read_command(sv[1], cid, sizeof(cid));
			say(sv[1], deleted_backend);
			say(sv[1], deleted_device);
			say(sv[1], "{\"return\":{},\"id\":\"someone-else\"}");
			snprintf(reply, sizeof(reply), "{\"return\":{},\"id\":\"%s\"}", cid);
			say(sv[1], reply);
			/* an error, then a message past the size limit */
			read_command(sv[1], cid, sizeof(cid));
			snprintf(reply, sizeof(reply), "{\"id\":\"%s\",\"error\":{\"class\":\"DeviceNotFound\",\"desc\":\"Device 'x' not found\"}}", cid);
			say(sv[1], reply);
			read_command(sv[1], cid, sizeof(cid));
			_exit(0); /* closes the connection mid-conversation */
		}
		close(sv[1]);
		assert_int_equal(vmtap_qmp_from_fd(ctx, sv[0], 2000, &q), 0);
		assert_int_equal(vmtap_qmp_execute(ctx, q, "device_del", "{\"id\":\"vmtap-e1\"}", -1, &ret), 0);
		assert_string_equal(ret, "{}");
		free(ret);
		/* the event for the device, not the backend path's */
		assert_int_equal(vmtap_qmp_wait_event(ctx, q, "DEVICE_DELETED", "vmtap-e1", 100, &ev), 0);
		assert_non_null(strstr(ev, "\"device\":\"vmtap-e1\""));
		free(ev);
		assert_int_equal(vmtap_qmp_wait_event(ctx, q, "DEVICE_DELETED", "vmtap-e1", 100, NULL), -ETIMEDOUT);
		assert_int_equal(vmtap_qmp_execute(ctx, q, "netdev_del", "{\"id\":\"x\"}", -1, NULL), -EREMOTEIO);
		assert_string_equal(vmtap_qmp_error_class(q), "DeviceNotFound");
		/* QEMU's words, labelled as QEMU's: the extended ack is the kernel's alone */
		assert_non_null(strstr(vmtap_ctx_error(ctx), "(QEMU: Device 'x' not found)"));
		assert_string_equal(vmtap_ctx_error_extack(ctx), "");
		assert_int_equal(vmtap_qmp_execute(ctx, q, "query-pci", NULL, -1, NULL), -ECONNRESET);
		assert_int_equal(vmtap_qmp_execute(ctx, q, "query-pci", "[1]", -1, NULL), -EINVAL);
		vmtap_qmp_free(q);
		assert_int_equal(waitpid(pid, NULL, 0), pid);
	}
	vmtap_ctx_free(ctx);
}

static void test_client_no_greeting_and_silence(void **state)
{
	struct vmtap_ctx *ctx;
	struct vmtap_qmp *q = NULL;
	int sv[2];

	(void)state;
	assert_int_equal(vmtap_ctx_new(&ctx), 0);
	/* silence: bounded by the timeout */
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
	assert_int_equal(vmtap_qmp_from_fd(ctx, sv[0], 100, &q), -ETIMEDOUT);
	assert_null(q);
	close(sv[1]);
	/* a reply where the greeting should be */
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
	say(sv[1], "{\"return\":{}}");
	assert_int_equal(vmtap_qmp_from_fd(ctx, sv[0], 100, &q), -EPROTO);
	close(sv[1]);
	/* garbage */
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
	say(sv[1], "{{{{");
	assert_int_equal(vmtap_qmp_from_fd(ctx, sv[0], 100, &q), -EBADMSG);
	assert_non_null(strstr(vmtap_ctx_error(ctx), "malformed"));
	close(sv[1]);
	vmtap_ctx_free(ctx);
}

/* Write all of (buf, len) to @fd. */
static void write_all(int fd, const char *buf, size_t len)
{
	while (len) {
		ssize_t n = write(fd, buf, len);
		if (n <= 0)
			_exit(3);
		buf += n;
		len -= (size_t)n;
	}
}

/*
 * A QEMU in a child on the other end of @sv: greets, answers the
 * capabilities, then answers one command after calling @before_reply.
 * Returns the child's pid; @sv[1] is closed in the parent.
 */
static pid_t serve_one_command(int sv[2], void (*before_reply)(int fd))
{
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0) {
		char cid[64], reply[128];
		alarm(20); /* never outlive a parent that failed half-way */
		close(sv[0]);
		say(sv[1], greeting);
		read_command(sv[1], cid, sizeof(cid));
		snprintf(reply, sizeof(reply), "{\"return\":{},\"id\":\"%s\"}", cid);
		say(sv[1], reply);
		read_command(sv[1], cid, sizeof(cid));
		before_reply(sv[1]);
		snprintf(reply, sizeof(reply), "{\"return\":{},\"id\":\"%s\"}", cid);
		say(sv[1], reply);
		_exit(0);
	}
	close(sv[1]);
	return pid;
}

#define FLOOD_BYTES (4 * 1024 * 1024)

static void send_newline_flood(int fd)
{
	char *flood = malloc(FLOOD_BYTES);

	if (!flood)
		_exit(2);
	memset(flood, '\n', FLOOD_BYTES);
	write_all(fd, flood, FLOOD_BYTES);
	free(flood);
}

/*
 * A flood of empty lines costs the reader work linear in its size: counted
 * in bytes scanned and moved, not timed.  A reader that moves the rest of its
 * buffer for every line (the old one) does about a buffer's worth per line,
 * thousands of times this budget.
 */
static void test_reader_linear_in_a_flood(void **state)
{
	struct vmtap_ctx *ctx;
	struct vmtap_qmp *q;
	int sv[2];
	pid_t pid;
	size_t work;

	(void)state;
	assert_int_equal(vmtap_ctx_new(&ctx), 0);
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
	pid = serve_one_command(sv, send_newline_flood);
	assert_int_equal(vmtap_qmp_from_fd(ctx, sv[0], 10000, &q), 0);
	assert_int_equal(vmtap_qmp_execute(ctx, q, "query-status", NULL, -1, NULL), 0);
	work = vt_qmp_reader_work(q);
	print_message("reader work for a %d-byte flood: %zu bytes\n", FLOOD_BYTES, work);
	assert_true(work >= FLOOD_BYTES);       /* the counter counts */
	assert_true(work <= 3 * (size_t)FLOOD_BYTES); /* each byte scanned once, moved at most once or twice */
	vmtap_qmp_free(q);
	assert_int_equal(waitpid(pid, NULL, 0), pid);
	vmtap_ctx_free(ctx);
}

#define UNWANTED_EVENTS 300
#define WANTED_EVENTS 40
#define EVENT_PAD (64 * 1024)

/* Events before the reply: many nobody waits for, and 2.5 MiB of DEVICE_DELETED, the oldest first. */
static void send_event_flood(int fd)
{
	char *pad = malloc(EVENT_PAD + 1), *ev = malloc(EVENT_PAD + 256);

	if (!pad || !ev)
		_exit(2);
	memset(pad, 'x', EVENT_PAD);
	pad[EVENT_PAD] = '\0';
	for (int i = 0; i < UNWANTED_EVENTS; i++) {
		snprintf(ev, EVENT_PAD + 256, "{\"event\":\"NIC_RX_FILTER_CHANGED\",\"data\":{\"name\":\"n%d\",\"pad\":\"%.4096s\"}}", i, pad);
		say(fd, ev);
	}
	for (int i = 0; i < WANTED_EVENTS; i++) {
		snprintf(ev, EVENT_PAD + 256, "{\"event\":\"DEVICE_DELETED\",\"data\":{\"device\":\"d%d\",\"pad\":\"%s\"}}", i, pad);
		say(fd, ev);
	}
	free(pad);
	free(ev);
}

/*
 * Events nobody asked for are dropped, and those asked for are kept within
 * VT_QMP_EVENTS_BYTES, the oldest going first: what a QEMU can make the
 * client hold is bounded whatever it sends.
 */
static void test_events_bounded(void **state)
{
	static const char *const keep[] = { "DEVICE_DELETED", NULL };
	struct vmtap_ctx *ctx;
	struct vmtap_qmp *q;
	int sv[2];
	pid_t pid;
	size_t n, bytes;
	char *ev = NULL;

	(void)state;
	assert_int_equal(vmtap_ctx_new(&ctx), 0);
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
	pid = serve_one_command(sv, send_event_flood);
	assert_int_equal(vmtap_qmp_from_fd(ctx, sv[0], 10000, &q), 0);
	vt_qmp_keep_events(q, keep);
	assert_int_equal(vmtap_qmp_execute(ctx, q, "device_del", "{\"id\":\"d39\"}", -1, NULL), 0);
	n = vt_qmp_events_held(q, &bytes);
	print_message("held after %d unwanted and %d wanted events of 64 KiB: %zu events, %zu bytes\n",
		      UNWANTED_EVENTS, WANTED_EVENTS, n, bytes);
	assert_true(bytes <= VT_QMP_EVENTS_BYTES);
	assert_true(n >= 1 && n < WANTED_EVENTS);             /* some wanted ones kept, not all 2.5 MiB */
	assert_true(bytes > (size_t)(n - 1) * EVENT_PAD);     /* and nothing but them */
	/* the newest wanted event is there, the oldest went to make room */
	assert_int_equal(vmtap_qmp_wait_event(ctx, q, "DEVICE_DELETED", "d39", 100, &ev), 0);
	assert_non_null(strstr(ev, "\"device\":\"d39\""));
	free(ev);
	/* not kept: the wait reads on and finds the connection closed (the child has exited) or nothing */
	assert_true(vmtap_qmp_wait_event(ctx, q, "DEVICE_DELETED", "d0", 100, NULL) < 0);
	vmtap_qmp_free(q);
	assert_int_equal(waitpid(pid, NULL, 0), pid);
	vmtap_ctx_free(ctx);
}

/* What a hostile QEMU can send costs bounded memory, and every refusal says what it was. */
static void test_hostile_messages(void **state)
{
	struct vt_qmp_msg m;
	char err[160];
	size_t n = VT_QMP_VALUES_MAX + 1, len = 0;
	char *big = malloc(3 * n + 64);

	(void)state;
	/* not UTF-8: refused, so nothing downstream ever prints it */
	{
		static const char bad_utf8[] = "{\"return\":\"\xc3\x28\"}";
		assert_int_equal(vt_qmp_parse(bad_utf8, strlen(bad_utf8), &m, err, sizeof(err)), -EBADMSG);
		assert_non_null(strstr(err, "not valid JSON"));
	}
	/* more objects and arrays than the limit: refused before json-c allocates any of them */
	assert_non_null(big);
	len = (size_t)sprintf(big, "{\"event\":\"X\",\"data\":[");
	for (size_t i = 0; i < n; i++)
		len += (size_t)sprintf(big + len, i ? ",{}" : "{}");
	len += (size_t)sprintf(big + len, "]}");
	assert_int_equal(vt_qmp_parse(big, len, &m, err, sizeof(err)), -EMSGSIZE);
	assert_non_null(strstr(err, "over 65536 JSON objects and arrays"));
	/* braces inside strings are text, not values */
	len = (size_t)sprintf(big, "{\"return\":\"");
	for (size_t i = 0; i < n; i++)
		big[len++] = '{';
	len += (size_t)sprintf(big + len, "\"}");
	assert_int_equal(vt_qmp_parse(big, len, &m, err, sizeof(err)), 0);
	vt_qmp_msg_clear(&m);
#if !defined(__SANITIZE_ADDRESS__) && !defined(__has_feature)
#define VT_NO_ASAN 1
#elif defined(__has_feature)
#if !__has_feature(address_sanitizer) && !defined(__SANITIZE_ADDRESS__)
#define VT_NO_ASAN 1
#endif
#endif
#ifdef VT_NO_ASAN
	/* out of memory half-way through a message is said as such, not "not valid JSON (success)" */
	{
		pid_t pid = fork();
		if (pid == 0) {
			struct rlimit rl = { .rlim_cur = 48 << 20, .rlim_max = 48 << 20 };
			char *msg = malloc(10 * (size_t)VT_QMP_VALUES_MAX);
			if (!msg)
				_exit(2);
			len = (size_t)sprintf(msg, "{\"return\":[");
			for (size_t i = 0; i < VT_QMP_VALUES_MAX / 2 - 8; i++)
				len += (size_t)sprintf(msg + len, i ? ",{\"a\":{}}" : "{\"a\":{}}");
			len += (size_t)sprintf(msg + len, "]}");
			setrlimit(RLIMIT_AS, &rl);
			big = msg;
			_exit(vt_qmp_parse(big, len, &m, err, sizeof(err)) == -ENOMEM && strstr(err, "out of memory") ? 0 : 1);
		}
		int st;
		assert_int_equal(waitpid(pid, &st, 0), pid);
		assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	}
#endif
	free(big);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_recorded_messages),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_client_events_before_reply),
		cmocka_unit_test(test_client_no_greeting_and_silence),
		cmocka_unit_test(test_hostile_messages),
		cmocka_unit_test(test_reader_linear_in_a_flood),
		cmocka_unit_test(test_events_bounded),
	};
	return cmocka_run_group_tests_name("unit-qmp", tests, NULL, NULL);
}

/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Integration tests of hot-plug against a scripted QMP server: exact QMP types, SCM_RIGHTS, event order, failures mid-sequence. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <json-c/json.h>

#include "itest.h"

#define CTX(state) (((struct itest_state *)*(state))->ctx)
#define STATE_DIR "/run/vmtap-hp"
#define SOCK "/run/vmtap-hp.qmp"

enum fake_mode { FAKE_OK, FAKE_CLOSE_AFTER_GETFD, FAKE_DEVICE_ADD_ERROR, FAKE_NO_DELETED_EVENT };

struct fake {
	enum fake_mode mode;
	int close_after;             /* FAKE_CLOSE_AFTER_GETFD: close after this many getfd */
	int listen_fd;
	pthread_t thread;
	/* what the server saw */
	char commands[64][32];
	int ncommands;
	json_object *netdev_args, *device_args;
	int fds[512];
	int nfds;
	bool netdev_del_after_event;
	bool saw_device_del;
};

static void reply(int fd, const char *id, const char *ret)
{
	char buf[1024];
	int n = snprintf(buf, sizeof(buf), "{\"return\": %s, \"id\": \"%s\"}\r\n", ret, id);
	(void)!write(fd, buf, (size_t)n);
}

static void send_text(int fd, const char *text)
{
	(void)!write(fd, text, strlen(text));
}

/* Read one line, collecting any SCM_RIGHTS fds into f->fds. */
static int read_line(struct fake *f, int fd, char *line, size_t size)
{
	size_t len = 0;

	while (len + 1 < size) {
		char c;
		union { char buf[CMSG_SPACE(sizeof(int) * 4)]; struct cmsghdr align; } u;
		struct iovec iov = { .iov_base = &c, .iov_len = 1 };
		struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf, .msg_controllen = sizeof(u.buf) };
		ssize_t n = recvmsg(fd, &mh, MSG_CMSG_CLOEXEC);
		if (n <= 0)
			return -1;
		for (struct cmsghdr *c2 = CMSG_FIRSTHDR(&mh); c2; c2 = CMSG_NXTHDR(&mh, c2))
			if (c2->cmsg_level == SOL_SOCKET && c2->cmsg_type == SCM_RIGHTS) {
				int k = (int)((c2->cmsg_len - CMSG_LEN(0)) / sizeof(int));
				for (int i = 0; i < k && f->nfds < 512; i++)
					memcpy(&f->fds[f->nfds++], CMSG_DATA(c2) + i * sizeof(int), sizeof(int));
			}
		if (c == '\n')
			break;
		line[len++] = c;
	}
	line[len] = '\0';
	return 0;
}

static void *fake_main(void *p)
{
	struct fake *f = p;
	int fd, getfds = 0;
	char line[65536];

	/* one client at a time, as QEMU's QMP chardev */
	while ((fd = accept4(f->listen_fd, NULL, NULL, SOCK_CLOEXEC)) >= 0) {
		send_text(fd, "{\"QMP\": {\"version\": {\"qemu\": {\"micro\": 0, \"minor\": 2, \"major\": 7}}, \"capabilities\": [\"oob\"]}}\r\n");
		while (read_line(f, fd, line, sizeof(line)) == 0) {
			json_object *o = json_tokener_parse(line), *v, *args = NULL;
			const char *cmd = "", *id = "";
			if (!o)
				break;
			if (json_object_object_get_ex(o, "execute", &v))
				cmd = json_object_get_string(v);
			if (json_object_object_get_ex(o, "id", &v))
				id = json_object_get_string(v);
			json_object_object_get_ex(o, "arguments", &args);
			if (f->ncommands < 64)
				snprintf(f->commands[f->ncommands++], 32, "%s", cmd);
			if (!strcmp(cmd, "getfd")) {
				getfds++;
				if (f->mode == FAKE_CLOSE_AFTER_GETFD && getfds > f->close_after) {
					json_object_put(o);
					close(fd);
					fd = -1;
					break;
				}
				reply(fd, id, "{}");
			} else if (!strcmp(cmd, "netdev_add")) {
				f->netdev_args = json_object_get(args);
				reply(fd, id, "{}");
			} else if (!strcmp(cmd, "device_add")) {
				f->device_args = json_object_get(args);
				if (f->mode == FAKE_DEVICE_ADD_ERROR) {
					char buf[256];
					snprintf(buf, sizeof(buf), "{\"error\": {\"class\": \"GenericError\", \"desc\": \"Bus 'nope' not found\"}, \"id\": \"%s\"}\r\n", id);
					send_text(fd, buf);
				} else {
					reply(fd, id, "{}");
				}
			} else if (!strcmp(cmd, "query-pci")) {
				reply(fd, id, "[{\"bus\": 0, \"devices\": [{\"bus\": 0, \"slot\": 5, \"function\": 0, \"qdev_id\": \"vmtap-hp1\"}]}]");
			} else if (!strcmp(cmd, "device_del")) {
				f->saw_device_del = true;
				/* QEMU may send events before the reply; the backend path comes before the device */
				if (f->mode != FAKE_NO_DELETED_EVENT)
					send_text(fd, "{\"timestamp\": {\"seconds\": 1, \"microseconds\": 2}, \"event\": \"DEVICE_DELETED\", \"data\": {\"path\": \"/machine/peripheral/vmtap-hp1/virtio-backend\"}}\r\n");
				reply(fd, id, "{}");
				if (f->mode != FAKE_NO_DELETED_EVENT)
					send_text(fd, "{\"timestamp\": {\"seconds\": 1, \"microseconds\": 3}, \"event\": \"DEVICE_DELETED\", \"data\": {\"device\": \"vmtap-hp1\", \"path\": \"/machine/peripheral/vmtap-hp1\"}}\r\n");
			} else if (!strcmp(cmd, "netdev_del")) {
				f->netdev_del_after_event = f->saw_device_del && f->mode != FAKE_NO_DELETED_EVENT;
				reply(fd, id, "{}");
			} else {
				reply(fd, id, "{}");
			}
			json_object_put(o);
		}
		if (fd >= 0)
			close(fd);
	}
	return NULL;
}

static void fake_start(struct fake *f)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX, .sun_path = SOCK };

	unlink(SOCK);
	f->listen_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_true(f->listen_fd >= 0);
	assert_int_equal(bind(f->listen_fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(listen(f->listen_fd, 4), 0);
	assert_int_equal(pthread_create(&f->thread, NULL, fake_main, f), 0);
}

static void fake_stop(struct fake *f)
{
	shutdown(f->listen_fd, SHUT_RDWR);
	close(f->listen_fd);
	pthread_join(f->thread, NULL);
	unlink(SOCK);
	for (int i = 0; i < f->nfds; i++)
		close(f->fds[i]);
	json_object_put(f->netdev_args);
	json_object_put(f->device_args);
}

static int noop_cb(const struct vmtap_link_info *li, void *data)
{
	(void)li, (void)data;
	return 0;
}

static int setup(void **state)
{
	int r = itest_setup(state);
	if (r == 0)
		r = vmtap_ctx_set_state_dir(CTX(state), STATE_DIR);
	/* open the context's cached netlink socket now, so fd counts below compare like with like */
	if (r == 0)
		r = vmtap_link_foreach(CTX(state), NULL, VMTAP_LINK_TUN_ONLY, noop_cb, NULL);
	return r;
}

/* fds of this process that are TAP queues */
static int tun_fd_count(void)
{
	char *out = itest_sh_out("n=0; for f in /proc/%d/fd/*; do [ \"$(readlink $f)\" = /dev/net/tun ] && n=$((n+1)); done; echo $n",
				 (int)getpid());
	int n = out ? atoi(out) : -1;
	free(out);
	return n;
}

static int teardown(void **state)
{
	/* the directory's identity stays by design: anything else is a leak */
	char *left = itest_sh_out("ls -A " STATE_DIR " 2>/dev/null | grep -vx .state-id");
	bool clean = !left || !left[0];
	if (!clean)
		fprintf(stderr, "LEAK: state directory holds: %s\n", left);
	free(left);
	(void)!system("rm -rf " STATE_DIR);
	return itest_teardown(state) == 0 && clean ? 0 : -1;
}

static json_object *field(json_object *o, const char *key)
{
	json_object *v = NULL;
	json_object_object_get_ex(o, key, &v);
	return v;
}

static void test_plug_unplug_types_and_fds(void **state)
{
	struct vmtap_ctx *ctx = CTX(state);
	struct fake f = { .mode = FAKE_OK };
	VMTAP_OPTS(vmtap_endpoint_spec, spec, .queues = 4, .ifname = "vthp");
	VMTAP_OPTS(vmtap_hotplug_opts, o, .qmp_path = SOCK, .spec = &spec, .vhost = VMTAP_VHOST_ON);
	VMTAP_OPTS(vmtap_unplug_opts, u, .qmp_path = SOCK, .timeout_ms = 2000);
	struct vmtap_endpoint *ep;
	struct vmtap_hypervisor_info hv = { .sz = sizeof(hv) };

	fake_start(&f);
	if (vmtap_hotplug(ctx, "hp1", &o) < 0)
		fail_msg("hotplug: %s", vmtap_ctx_error(ctx));
	/* one getfd per queue; vhost-net is absent here, so it degraded to vhost=off */
	assert_string_equal(f.commands[0], "qmp_capabilities");
	for (int i = 1; i <= 4; i++)
		assert_string_equal(f.commands[i], "getfd");
	assert_string_equal(f.commands[5], "netdev_add");
	assert_string_equal(f.commands[6], "device_add");
	assert_int_equal(f.nfds, 4);
	for (int i = 0; i < 4; i++) {
		char path[64], target[64] = "";
		snprintf(path, sizeof(path), "/proc/self/fd/%d", f.fds[i]);
		assert_true(readlink(path, target, sizeof(target) - 1) > 0);
		assert_string_equal(target, "/dev/net/tun");
	}
	/* QMP wants JSON booleans and numbers, not "on" or "10" */
	assert_true(json_object_is_type(field(f.netdev_args, "vhost"), json_type_boolean));
	assert_false(json_object_get_boolean(field(f.netdev_args, "vhost")));
	assert_string_equal(json_object_get_string(field(f.netdev_args, "type")), "tap");
	assert_int_equal(strlen(json_object_get_string(field(f.netdev_args, "fds"))) > 0, 1);
	assert_non_null(strchr(json_object_get_string(field(f.netdev_args, "fds")), ':'));
	assert_true(json_object_is_type(field(f.device_args, "mq"), json_type_boolean));
	assert_true(json_object_get_boolean(field(f.device_args, "mq")));
	assert_true(json_object_is_type(field(f.device_args, "vectors"), json_type_int));
	assert_int_equal(json_object_get_int(field(f.device_args, "vectors")), 10);
	assert_string_equal(json_object_get_string(field(f.device_args, "driver")), "virtio-net-pci");
	assert_string_equal(json_object_get_string(field(f.device_args, "netdev")), "hostvmtap-hp1");
	/* our copies are closed: the fake server holds the only queue fds */
	assert_int_equal(tun_fd_count(), 4);
	assert_int_equal(vmtap_endpoint_load(ctx, "hp1", &ep), 0);
	assert_int_equal(vmtap_endpoint_hypervisor(ep, &hv), 0);
	assert_string_equal(hv.device_id, "vmtap-hp1");
	assert_string_equal(hv.netdev_id, "hostvmtap-hp1");
	assert_string_equal(hv.pci_addr, "0000:00:05.0");
	assert_int_equal(hv.pid, getpid()); /* the peer of the socket: this process */
	vmtap_endpoint_free(ep);
	/* plugged already: a second plug is refused before anything is sent */
	assert_int_equal(vmtap_hotplug(ctx, "hp1", &o), -EBUSY);

	if (vmtap_unplug(ctx, "hp1", &u) < 0)
		fail_msg("unplug: %s", vmtap_ctx_error(ctx));
	assert_true(f.netdev_del_after_event);
	assert_int_equal(vmtap_endpoint_load(ctx, "hp1", &ep), -ENOENT);
	fake_stop(&f);
}

static void check_nothing_left(struct vmtap_ctx *ctx, int fds_before)
{
	struct vmtap_endpoint *ep = NULL;
	assert_int_equal(vmtap_endpoint_load(ctx, "hp1", &ep), -ENOENT);
	assert_int_equal(itest_tun_count(NULL), 0);
	assert_int_equal(itest_fd_count(), fds_before);
}

static void test_socket_closes_mid_sequence(void **state)
{
	struct vmtap_ctx *ctx = CTX(state);
	int fds_before = itest_fd_count();

	for (int after = 0; after < 3; after++) {
		struct fake f = { .mode = FAKE_CLOSE_AFTER_GETFD, .close_after = after };
		VMTAP_OPTS(vmtap_endpoint_spec, spec, .queues = 4);
		VMTAP_OPTS(vmtap_hotplug_opts, o, .qmp_path = SOCK, .spec = &spec, .timeout_ms = 2000);
		int r;

		fake_start(&f);
		r = vmtap_hotplug(ctx, "hp1", &o);
		if (r != -ECONNRESET || !strstr(vmtap_ctx_error(ctx), "closed the QMP connection"))
			fail_msg("closed after %d getfd: %d %s", after, r, vmtap_ctx_error(ctx));
		fake_stop(&f);
		/* the endpoint this call created is gone with its device; our fds are closed */
		check_nothing_left(ctx, fds_before);
	}
}

static void test_device_add_refused(void **state)
{
	struct vmtap_ctx *ctx = CTX(state);
	struct fake f = { .mode = FAKE_DEVICE_ADD_ERROR };
	VMTAP_OPTS(vmtap_endpoint_spec, spec, .queues = 2);
	VMTAP_OPTS(vmtap_hotplug_opts, o, .qmp_path = SOCK, .spec = &spec, .bus = "nope");
	int fds_before = itest_fd_count();

	fake_start(&f);
	assert_int_equal(vmtap_hotplug(ctx, "hp1", &o), -EREMOTEIO);
	assert_non_null(strstr(vmtap_ctx_error(ctx), "device_add refused"));
	/* QEMU's words are QEMU's: labelled so, never passed off as the kernel's extended ack */
	assert_non_null(strstr(vmtap_ctx_error(ctx), "(QEMU: Bus 'nope' not found)"));
	assert_null(strstr(vmtap_ctx_error(ctx), "kernel"));
	assert_string_equal(vmtap_ctx_error_extack(ctx), "");
	/* the netdev QEMU made was removed again */
	assert_string_equal(f.commands[f.ncommands - 1], "netdev_del");
	fake_stop(&f);
	check_nothing_left(ctx, fds_before);
}

#ifdef VMTAP_FAULT_INJECTION
/* The last step, recording, fails after device_add: the device, the netdev and the endpoint go again. */
static void test_record_fails_after_device_add(void **state)
{
	struct fake f = { .mode = FAKE_OK };
	VMTAP_OPTS(vmtap_endpoint_spec, spec, .queues = 2);
	VMTAP_OPTS(vmtap_hotplug_opts, o, .qmp_path = SOCK, .spec = &spec, .timeout_ms = 2000);
	struct vmtap_ctx *fctx;
	int fds_before = itest_fd_count();

	(void)state;
	setenv("VMTAP_TEST_FAULT", "record hypervisor", 1);
	assert_int_equal(vmtap_ctx_new(&fctx), 0);
	unsetenv("VMTAP_TEST_FAULT");
	assert_int_equal(vmtap_ctx_set_state_dir(fctx, STATE_DIR), 0);
	fake_start(&f);
	assert_int_equal(vmtap_hotplug(fctx, "hp1", &o), -EIO);
	assert_string_equal(vmtap_ctx_error_step(fctx), "record hypervisor");
	assert_string_equal(f.commands[f.ncommands - 2], "device_del");
	assert_string_equal(f.commands[f.ncommands - 1], "netdev_del");
	assert_true(f.netdev_del_after_event);
	vmtap_ctx_free(fctx);
	fake_stop(&f);
	check_nothing_left(CTX(state), fds_before);
}
#endif

static void test_unplug_timeout(void **state)
{
	struct vmtap_ctx *ctx = CTX(state);
	struct fake f = { .mode = FAKE_NO_DELETED_EVENT };
	VMTAP_OPTS(vmtap_endpoint_spec, spec, .queues = 1);
	VMTAP_OPTS(vmtap_hotplug_opts, o, .qmp_path = SOCK, .spec = &spec);
	VMTAP_OPTS(vmtap_unplug_opts, u, .qmp_path = SOCK, .timeout_ms = 300);
	struct vmtap_endpoint *ep;

	fake_start(&f);
	assert_int_equal(vmtap_hotplug(ctx, "hp1", &o), 0);
	assert_int_equal(vmtap_unplug(ctx, "hp1", &u), -ETIMEDOUT);
	assert_non_null(strstr(vmtap_ctx_error(ctx), "did not release"));
	/* netdev_del was not sent and the record still names the device */
	for (int i = 0; i < f.ncommands; i++)
		assert_string_not_equal(f.commands[i], "netdev_del");
	assert_int_equal(vmtap_endpoint_load(ctx, "hp1", &ep), 0);
	vmtap_endpoint_free(ep);
	fake_stop(&f);
	/* the guest let go meanwhile: a later unplug finishes */
	f = (struct fake){ .mode = FAKE_OK };
	fake_start(&f);
	assert_int_equal(vmtap_unplug(ctx, "hp1", &u), 0);
	fake_stop(&f);
	assert_int_equal(itest_tun_count(NULL), 0);
}

/*
 * A hot-plug or unplug in progress (its plug lock held, here by the test on
 * its own open file) turns a second one of the same endpoint away at once,
 * before QMP, and an unheld plug lock left by a killed process is no obstacle
 * and goes with gc.
 */
static void test_plug_lock(void **state)
{
	struct vmtap_ctx *ctx = CTX(state);
	struct fake f = { .mode = FAKE_OK };
	VMTAP_OPTS(vmtap_endpoint_spec, spec, .queues = 2);
	VMTAP_OPTS(vmtap_hotplug_opts, o, .qmp_path = SOCK, .spec = &spec);
	VMTAP_OPTS(vmtap_unplug_opts, u, .qmp_path = SOCK);
	struct vmtap_endpoint *ep;
	int held;

	fake_start(&f);
	assert_true(mkdir(STATE_DIR, 0700) == 0 || errno == EEXIST);
	held = open(STATE_DIR "/hp1.plug", O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	assert_true(held >= 0);
	assert_int_equal(flock(held, LOCK_EX), 0);
	assert_int_equal(vmtap_hotplug(ctx, "hp1", &o), -EBUSY);
	assert_non_null(strstr(vmtap_ctx_error(ctx), "hot-plug or unplug of endpoint hp1 is in progress"));
	assert_int_equal(vmtap_unplug(ctx, "hp1", &u), -EBUSY);
	assert_int_equal(f.ncommands, 0);
	assert_int_equal(vmtap_endpoint_load(ctx, "hp1", &ep), -ENOENT);
	assert_int_equal(itest_tun_count(NULL), 0);

	/* the holder dies: its file stays, unlocked */
	close(held);
	assert_int_equal(vmtap_hotplug(ctx, "hp1", &o), 0);
	assert_int_equal(access(STATE_DIR "/hp1.plug", F_OK), -1);
	assert_int_equal(vmtap_unplug(ctx, "hp1", &u), 0);
	fake_stop(&f);
	assert_int_equal(itest_tun_count(NULL), 0);

	held = open(STATE_DIR "/hp2.plug", O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	assert_true(held >= 0);
	close(held);
	assert_int_equal(vmtap_gc(ctx, 0, NULL, NULL), 0);
	assert_int_equal(access(STATE_DIR "/hp2.plug", F_OK), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_plug_unplug_types_and_fds, setup, teardown),
		cmocka_unit_test_setup_teardown(test_socket_closes_mid_sequence, setup, teardown),
		cmocka_unit_test_setup_teardown(test_device_add_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unplug_timeout, setup, teardown),
		cmocka_unit_test_setup_teardown(test_plug_lock, setup, teardown),
#ifdef VMTAP_FAULT_INJECTION
		cmocka_unit_test_setup_teardown(test_record_fails_after_device_add, setup, teardown),
#endif
	};

	itest_enter_private_namespace();
	return cmocka_run_group_tests_name("integration-hotplug", tests, NULL, NULL);
}

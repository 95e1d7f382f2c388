/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Test client of vmtap_bridge_helper_run(): runs a bridge helper, reports what arrived, holds the TAP or execs QEMU on it. */
/*
 * Usage: bh-client [--helper PATH] --br BR [--queues N] [--vhost] [--no-vnet]
 *                  [--timeout MS] [--persist] [--hold] [--mac MAC] [--exec -- QEMU ARGS...]
 *        bh-client --raw -- HELPER ARGS...
 *
 * Prints one line, "ifname=tap0 queues=4 vhosts=0 newfds=4", newfds being
 * how many fds this process gained (the fd audit of the receiving side).
 * --hold keeps the fds until stdin reaches EOF, so that a test can look at
 * the TAP while it exists; --persist makes the TAP persistent (its owner may)
 * and closes the fds at once, the leftover `vmtap gc` is to find once this
 * process is gone; --exec replaces this process with QEMU holding the
 * fds as -netdev tap,fds=...,vhostfds=... (the way `vmtap exec` will).
 * Exit status on failure: 3 EINVAL, 4 ENODEV, 6 EACCES, 8 EDQUOT, else 1;
 * the library's error text goes to stderr.  --raw runs HELPER with exactly
 * ARGS and one end of a socketpair at fd 3, as QEMU does, and exits with the
 * helper's status: for argv the library would not build.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <linux/if_tun.h>

#include "vmtap.h"

static int raw(char **argv)
{
	int sv[2], status;
	pid_t pid;

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0)
		return 1;
	pid = fork();
	if (pid < 0)
		return 1;
	if (pid == 0) {
		int s = fcntl(sv[1], F_DUPFD, 10);
		if (s < 0 || dup2(s, 3) < 0)
			_exit(1);
		execv(argv[0], argv);
		_exit(127);
	}
	close(sv[1]);
	while (waitpid(pid, &status, 0) < 0)
		;
	close(sv[0]);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static int count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d)))
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n - 1;
}

static int exit_for(int err)
{
	switch (err) {
	case -EINVAL:
		return 3;
	case -ENODEV:
		return 4;
	case -EACCES:
		return 6;
	case -EDQUOT:
		return 8;
	default:
		return 1;
	}
}

int main(int argc, char **argv)
{
	VMTAP_OPTS(vmtap_bridge_helper_opts, o);
	static int fds[VMTAP_MAX_QUEUES], vhost_fds[VMTAP_MAX_QUEUES];
	char ifname[VMTAP_IFNAMSIZ] = "";
	unsigned int nvhost = 0, held;
	const char *mac_text = "52:54:00:12:34:56";
	char **qemu_argv = NULL;
	struct vmtap_ctx *ctx;
	bool hold = false, persist = false;
	int before, after, r;

	if (argc > 3 && !strcmp(argv[1], "--raw") && !strcmp(argv[2], "--"))
		return raw(argv + 3);
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--helper") && i + 1 < argc)
			o.helper = argv[++i];
		else if (!strcmp(argv[i], "--br") && i + 1 < argc)
			o.bridge = argv[++i];
		else if (!strcmp(argv[i], "--queues") && i + 1 < argc)
			o.queues = (unsigned int)strtoul(argv[++i], NULL, 10);
		else if (!strcmp(argv[i], "--timeout") && i + 1 < argc)
			o.timeout_ms = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--mac") && i + 1 < argc)
			mac_text = argv[++i];
		else if (!strcmp(argv[i], "--vhost"))
			o.flags |= VMTAP_BRIDGE_HELPER_VHOST;
		else if (!strcmp(argv[i], "--no-vnet"))
			o.flags |= VMTAP_BRIDGE_HELPER_NO_VNET_HDR;
		else if (!strcmp(argv[i], "--hold"))
			hold = true;
		else if (!strcmp(argv[i], "--persist"))
			persist = true;
		else if (!strcmp(argv[i], "--exec") && i + 2 < argc && !strcmp(argv[i + 1], "--")) {
			qemu_argv = argv + i + 2;
			break;
		} else {
			fprintf(stderr, "bh-client: bad argument %s\n", argv[i]);
			return 2;
		}
	}
	if (vmtap_ctx_new(&ctx) < 0)
		return 1;
	before = count_fds();
	r = vmtap_bridge_helper_run(ctx, &o, fds, (o.flags & VMTAP_BRIDGE_HELPER_VHOST) ? vhost_fds : NULL,
				    (o.flags & VMTAP_BRIDGE_HELPER_VHOST) ? &nvhost : NULL, ifname);
	if (r < 0) {
		/* a failure hands back nothing and keeps nothing: the fd count is what it was */
		fprintf(stderr, "bh-client: %s\nbh-client: leaked=%d\n", vmtap_ctx_error(ctx), count_fds() - before);
		vmtap_ctx_free(ctx);
		return exit_for(r);
	}
	after = count_fds();
	printf("ifname=%s queues=%u vhosts=%u newfds=%d\n", ifname, o.queues ? o.queues : 1, nvhost, after - before);
	fflush(stdout);

	held = o.queues ? o.queues : 1;
	if (persist) {
		if (ioctl(fds[0], TUNSETPERSIST, 1) < 0) {
			perror("bh-client: TUNSETPERSIST");
			return 1;
		}
		for (unsigned int i = 0; i < held; i++)
			close(fds[i]);
		held = 0;
	}
	if (qemu_argv) {
		VMTAP_OPTS(vmtap_qemu_nic, nic, .id = "net0", .queues = o.queues ? o.queues : 1, .fds = fds,
			   .vhostfds = nvhost ? vhost_fds : NULL);
		const struct vmtap_qemu_nic *nics[] = { &nic };

		if (vmtap_mac_parse(mac_text, strlen(mac_text), nic.mac) < 0) {
			fprintf(stderr, "bh-client: bad MAC %s\n", mac_text);
			return 2;
		}
		r = vmtap_qemu_exec(ctx, qemu_argv, nics, 1);
		fprintf(stderr, "bh-client: %s\n", vmtap_ctx_error(ctx));
		return exit_for(r);
	}
	if (hold) {
		char buf[64];
		while (read(STDIN_FILENO, buf, sizeof(buf)) > 0)
			;
	}
	for (unsigned int i = 0; i < held; i++)
		close(fds[i]);
	for (unsigned int i = 0; i < nvhost; i++)
		close(vhost_fds[i]);
	vmtap_ctx_free(ctx);
	return 0;
}

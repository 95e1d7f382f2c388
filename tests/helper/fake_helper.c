/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A misbehaving bridge helper for testing vmtap_bridge_helper_run(): the way it misbehaves is named by FAKE_HELPER_MODE. */
/*
 * Modes: nothing (exit 0, send nothing), two-fds (QEMU's byte with two fds),
 * bad-count (a version-1 header announcing one fd more than attached),
 * not-tap (a valid header with /dev/null as the queue), hang (send nothing,
 * never exit), chatty-fail (100 KB on stderr, then exit 6), wrong-queues
 * (a header for one queue more than asked), args (print argv and the open
 * fds on stderr, exit 1).  The socket is fd 3, as the client passes it.
 */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>

#include "bridge_helper.h"

static int send_fds(const void *data, size_t len, const int *fds, unsigned int n)
{
	union {
		struct cmsghdr align;
		char buf[CMSG_SPACE(sizeof(int) * 4)];
	} control;
	struct iovec iov = { .iov_base = (void *)data, .iov_len = len };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = control.buf,
			      .msg_controllen = CMSG_SPACE(sizeof(int) * n) };
	struct cmsghdr *c = CMSG_FIRSTHDR(&msg);

	memset(&control, 0, sizeof(control));
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int) * n);
	memcpy(CMSG_DATA(c), fds, sizeof(int) * n);
	return sendmsg(3, &msg, 0) < 0 ? 1 : 0;
}

static unsigned int queues_arg(int argc, char **argv)
{
	for (int i = 1; i < argc; i++)
		if (!strncmp(argv[i], "--queues=", 9))
			return (unsigned int)atoi(argv[i] + 9);
	return 1;
}

int main(int argc, char **argv)
{
	const char *mode = getenv("FAKE_HELPER_MODE");
	int fds[2] = { -1, -1 };
	uint8_t hdr[VT_BH_MSG_SIZE];

	if (!mode)
		return 1;
	if (strcmp(mode, "args"))
		fds[0] = fds[1] = open("/dev/null", O_RDWR);
	if (!strcmp(mode, "nothing"))
		return 0;
	if (!strcmp(mode, "two-fds")) {
		static const char byte;
		return send_fds(&byte, 1, fds, 2);
	}
	if (!strcmp(mode, "bad-count") || !strcmp(mode, "not-tap") || !strcmp(mode, "wrong-queues")) {
		unsigned int q = queues_arg(argc, argv);
		struct vt_bh_msg m = { .version = 1, .kind = VT_BH_KIND_QUEUE, .queues = (uint16_t)q, .count = 1 };
		if (!strcmp(mode, "bad-count"))
			m.count = 2;
		if (!strcmp(mode, "wrong-queues"))
			m.queues = (uint16_t)(q + 1);
		unsigned int attach = 1;
		if (!strcmp(mode, "not-tap") && q == 2)
			m.count = attach = 2; /* a complete reply, of /dev/null */
		vt_bh_msg_encode(&m, hdr);
		return send_fds(hdr, sizeof(hdr), fds, attach);
	}
	if (!strcmp(mode, "hang")) {
		for (;;)
			pause();
	}
	if (!strcmp(mode, "chatty-fail")) {
		char line[100];
		memset(line, 'x', sizeof(line) - 1);
		line[sizeof(line) - 1] = '\n';
		for (int i = 0; i < 1000; i++)
			if (write(2, line, sizeof(line)) < 0)
				return 1;
		return 6;
	}
	if (!strcmp(mode, "args")) {
		DIR *d = opendir("/proc/self/fd");
		struct dirent *e;
		for (int i = 0; i < argc; i++)
			fprintf(stderr, "argv[%d]=%s ", i, argv[i]);
		fprintf(stderr, "fds:");
		while (d && (e = readdir(d)))
			if (e->d_name[0] != '.')
				fprintf(stderr, " %s", e->d_name);
		fprintf(stderr, "\n");
		if (d)
			closedir(d);
		return 1;
	}
	return 1;
}

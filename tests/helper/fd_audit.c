/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fd audit of vmtap-bridge-helper: started with stray inherited fds, it must hold only stdio, the socket and the TAP's queues. */
/*
 * Usage: fd-audit HELPER BRIDGE QUEUES [UID]
 *
 * Starts HELPER as QEMU would (--use-vnet --fd=3 --br=BRIDGE, plus
 * --queues=QUEUES when above 1), as UID if given, with stray fds that a
 * careless parent might leak: a file, a pipe, a netlink socket and an open
 * /dev/net/tun.  The helper's socket is filled beforehand, so its reply
 * blocks in sendmsg() with everything it holds in hand; the helper's fds and
 * children are then read from /proc.  It passes when the helper holds 0, 1,
 * 2, the socket and exactly QUEUES fds of /dev/net/tun, none of them an
 * inherited one, and has no child.  Closing the socket then makes the
 * helper's send fail; it must exit non-zero.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <linux/netlink.h>

static int fail(const char *fmt, const char *arg)
{
	fprintf(stderr, "fd-audit: ");
	fprintf(stderr, fmt, arg);
	fputc('\n', stderr);
	return 1;
}

/* Whether fd @fd of @pid is a /dev/net/tun file bound to a device: its fdinfo then names the device. */
static bool tun_bound(pid_t pid, int fd)
{
	char path[64], line[128];
	bool bound = false;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/fdinfo/%d", (int)pid, fd);
	f = fopen(path, "r");
	if (!f)
		return false;
	/* "iff:\t<name>", the name empty while the file is bound to no device */
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, "iff:", 4) && strspn(line + 4, " \t\n") < strlen(line + 4))
			bound = true;
	fclose(f);
	return bound;
}

struct fd_view {
	unsigned int bound_tun, other;  /* above fd 3 */
	bool sock3;
};

/* What @pid holds above stdio; with @print, every fd as "N -> target". */
static int look(pid_t pid, struct fd_view *v, bool print)
{
	char dir[64], path[512], target[256];
	struct dirent *e;
	DIR *d;

	memset(v, 0, sizeof(*v));
	snprintf(dir, sizeof(dir), "/proc/%d/fd", (int)pid);
	d = opendir(dir);
	if (!d)
		return -1;
	while ((e = readdir(d))) {
		ssize_t n;
		int fd;

		if (e->d_name[0] == '.')
			continue;
		fd = atoi(e->d_name);
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		n = readlink(path, target, sizeof(target) - 1);
		if (n < 0)
			continue;
		target[n] = '\0';
		if (print)
			printf("helper fd %d -> %s%s\n", fd, target, tun_bound(pid, fd) ? " (a TAP queue)" : "");
		if (fd <= 2)
			continue;
		if (fd == 3)
			v->sock3 = !strncmp(target, "socket:", 7);
		else if (!strcmp(target, "/dev/net/tun") && tun_bound(pid, fd))
			v->bound_tun++;
		else
			v->other++;
	}
	closedir(d);
	return 0;
}

static bool has_children(pid_t pid)
{
	char path[64], buf[64];
	FILE *f;
	bool any;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/children", (int)pid, (int)pid);
	f = fopen(path, "r");
	if (!f)
		return false;
	any = fgets(buf, sizeof(buf), f) && buf[0] && buf[0] != '\n';
	fclose(f);
	return any;
}

int main(int argc, char **argv)
{
	int sv[2], pipefd[2], nl, file, tun, status, r = 1;
	unsigned int queues;
	char fd_arg[] = "--fd=3", br_arg[64], q_arg[32];
	uid_t uid = 0;
	pid_t pid;

	if (argc < 4)
		return fail("%s", "usage: fd-audit HELPER BRIDGE QUEUES [UID]");
	queues = (unsigned int)atoi(argv[3]);
	if (argc > 4)
		uid = (uid_t)atoi(argv[4]);
	snprintf(br_arg, sizeof(br_arg), "--br=%s", argv[2]);
	snprintf(q_arg, sizeof(q_arg), "--queues=%u", queues);

	/* QEMU's kind of socket: a stream */
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0 || pipe(pipefd) < 0)
		return fail("%s", strerror(errno));
	nl = socket(AF_NETLINK, SOCK_RAW, NETLINK_ROUTE);
	file = open("/proc/self/status", O_RDONLY);
	tun = open("/dev/net/tun", O_RDWR);
	if (nl < 0 || file < 0 || tun < 0)
		return fail("stray fds: %s", strerror(errno));
	/* both ends out of the way of fd 3, where the helper's end goes */
	{
		int mine = fcntl(sv[0], F_DUPFD, 40), theirs = fcntl(sv[1], F_DUPFD, 41);
		if (mine < 0 || theirs < 0)
			return fail("move socket: %s", strerror(errno));
		close(sv[0]);
		close(sv[1]);
		sv[0] = mine;
		sv[1] = theirs;
	}

	/* fill the helper's side: its reply then waits in sendmsg() until we read or close */
	{
		static char junk[65536];
		int fl = fcntl(sv[1], F_GETFL);
		fcntl(sv[1], F_SETFL, fl | O_NONBLOCK);
		while (write(sv[1], junk, sizeof(junk)) > 0)
			;
		fcntl(sv[1], F_SETFL, fl);
	}

	pid = fork();
	if (pid < 0)
		return fail("fork: %s", strerror(errno));
	if (pid == 0) {
		char *args[] = { argv[1], (char *)"--use-vnet", fd_arg, br_arg, queues > 1 ? q_arg : NULL, NULL };
		if (dup2(sv[1], 3) < 0)
			_exit(120);
		close(sv[0]);
		close(sv[1]);
		/* the strays stay open across exec: no close-on-exec on any of them */
		if (uid && (setresgid(uid, uid, uid) < 0 || setgroups(0, NULL) < 0 || setresuid(uid, uid, uid) < 0))
			_exit(121);
		execv(argv[1], args);
		_exit(122);
	}
	close(sv[1]);

	/*
	 * Until it sends, the helper holds a netlink socket or unbound /dev/net/tun
	 * files besides the queues; at the send, only stdio, the socket and the
	 * queues.  A stray fd it failed to close would keep this from ever being true.
	 */
	for (int i = 0;; i++) {
		struct fd_view v;

		if (waitpid(pid, &status, WNOHANG) == pid) {
			fprintf(stderr, "fd-audit: the helper exited early (status 0x%x)\n", status);
			return 1;
		}
		if (look(pid, &v, false) == 0 && v.sock3 && v.bound_tun == queues && v.other == 0) {
			(void)look(pid, &v, true);
			r = 0;
			break;
		}
		if (i == 500) {
			printf("after 5 s the helper still holds more than stdio, its socket and %u queues:\n", queues);
			(void)look(pid, &v, true);
			break;
		}
		struct timespec ts = { 0, 10 * 1000 * 1000 };
		nanosleep(&ts, NULL);
	}
	if (has_children(pid)) {
		printf("the helper has children\n");
		r = 1;
	}

	/* the client goes away: the helper's send fails, it exits non-zero and its TAP goes with it */
	close(sv[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (!WIFEXITED(status) || WEXITSTATUS(status) == 0) {
		printf("the helper did not fail when its socket went away (status 0x%x)\n", status);
		r = 1;
	}
	printf("%s\n", r == 0 ? "fd audit ok" : "fd audit FAILED");
	return r;
}

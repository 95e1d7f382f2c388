/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Processes as /proc shows them: a process's start time, to tell it from a later one with the same pid. */
/**
 * DOC: Theory of Operation
 *
 * A pid is reused once its process is gone, so a record that names a
 * hypervisor by pid alone could later name an unrelated process.  Field 22
 * of /proc/PID/stat, the start time in clock ticks since boot, never changes
 * for a process and differs for the next one with the same pid: (pid, start
 * time) names exactly one process for the whole uptime.  exec() keeps both,
 * so a vmtap that becomes QEMU records itself.
 */
#include <fcntl.h>
#include <stdio.h>

#include "proc.h"
#include "util.h"

int vt_proc_stat_starttime(const char *buf, size_t len, uint64_t *ret_start)
{
	const char *p, *end = buf + len;
	uint64_t v = 0;
	int field;

	if (!buf || !len)
		return -EINVAL;
	/* the command name (field 2) may hold spaces and ')': the last ')' ends it */
	for (p = end; p > buf && p[-1] != ')'; p--)
		;
	if (p == buf)
		return -EINVAL;
	/* p is after ')', at the space before field 3 */
	for (field = 2; field < 22; field++) {
		if (p >= end || *p != ' ')
			return -EINVAL;
		p++;
		if (field < 21)
			while (p < end && *p != ' ')
				p++;
	}
	if (p >= end || *p < '0' || *p > '9')
		return -EINVAL;
	for (; p < end && *p >= '0' && *p <= '9'; p++) {
		if (v > (UINT64_MAX - 9) / 10)
			return -ERANGE;
		v = v * 10 + (uint64_t)(*p - '0');
	}
	if (p < end && *p != ' ' && *p != '\n')
		return -EINVAL;
	if (!v)
		return -EINVAL;
	*ret_start = v;
	return 0;
}

int vt_proc_starttime(int pid, uint64_t *ret_start)
{
	char path[64], buf[1024];
	_cleanup_close_ int fd = -1;
	ssize_t n;

	if (pid <= 0)
		return -EINVAL;
	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? -ESRCH : -errno;
	n = read(fd, buf, sizeof(buf));
	if (n < 0)
		return errno == ESRCH ? -ESRCH : -errno;
	return vt_proc_stat_starttime(buf, (size_t)n, ret_start);
}

int vt_proc_alive(int pid, uint64_t start)
{
	uint64_t now;
	int r;

	if (pid <= 0)
		return 0;
	r = vt_proc_starttime(pid, &now);
	if (r == -ESRCH)
		return 0;
	if (r < 0)
		return r;
	/* a record without a start time can only be taken at its pid's word */
	return !start || now == start;
}

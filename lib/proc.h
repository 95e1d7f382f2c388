/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Processes as /proc shows them: start times, to tell a process from a later one with its pid. */
/*
 * Owns: reading /proc/PID/stat.  Must not: report (callers know what the
 * process is to them) or follow anything but the pid given.
 */
#ifndef VMTAP_PROC_H
#define VMTAP_PROC_H

#include <stddef.h>
#include <stdint.h>

/* The start time (field 22) from a /proc/PID/stat text in (buf, len); fuzzed in fuzz/. */
int vt_proc_stat_starttime(const char *buf, size_t len, uint64_t *ret_start);
/* The start time of process @pid: -ESRCH when there is none. */
int vt_proc_starttime(int pid, uint64_t *ret_start);
/* 1 when process @pid runs and started at @start (0: any start), 0 when not, or a negative errno. */
int vt_proc_alive(int pid, uint64_t start);

#endif

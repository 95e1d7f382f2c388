/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Shared harness of the integration tests: a private namespace per process and leak checks per test. */
#ifndef VMTAP_ITEST_H
#define VMTAP_ITEST_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "vmtap.h"

/*
 * Move the whole test process into new network and mount namespaces (mounts
 * private), so every device and named namespace it makes disappears with it
 * even if it crashes.  Returns 0 or exits with a message.
 */
void itest_enter_private_namespace(void);
/* Number of open fds of this process. */
int itest_fd_count(void);
/* Number of links of kind tun in the namespace @netns (NULL: ours). */
int itest_tun_count(const char *netns);
/* cmocka setup/teardown: remember fds; afterwards fail if a tun link or an fd was left. */
int itest_setup(void **state);
int itest_teardown(void **state);
/* Run a shell command, return its exit status. */
int itest_sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Run a shell command and capture its stdout (NUL-terminated, malloc'd). */
char *itest_sh_out(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * A new context whose steps named in @steps (comma-separated) fail with EIO
 * (a -Dfault_injection build), using state directory @state_dir (NULL: the
 * default).  Fails the test if it cannot be made.
 */
struct vmtap_ctx *itest_fault_ctx(const char *state_dir, const char *steps);
/* Wait for child @pid: its exit status, or 128 + the signal that ended it. */
int itest_wait_status(int pid);

/* What a vmtap_gc() run did, counted by itest_gc_count() (its callback). */
struct itest_gc_tally {
	int removed_record, removed_filter, orphan, rolled_back, left_alone, ephemeral;
	int other;          /* anything else (busy, failed...): printed; a test usually wants none */
};
void itest_gc_count(const struct vmtap_gc_event *ev, void *userdata);

struct itest_state {
	struct vmtap_ctx *ctx;
	int fds_before;
};

#endif

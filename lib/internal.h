/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Declarations shared by libvmtap's modules: context, error reporting, cleanup helpers. */
#ifndef VMTAP_INTERNAL_H
#define VMTAP_INTERNAL_H

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "vmtap.h"

#define VT_EXPORT __attribute__((visibility("default")))
#define VT_PRINTF(a, b) __attribute__((format(printf, a, b)))
#define ARRAY_SIZE(x) (sizeof(x) / sizeof((x)[0]))

static inline void closep(int *fd)
{
	if (*fd >= 0) {
		int saved = errno;
		close(*fd);
		errno = saved;
	}
}

static inline void freep(void *p)
{
	free(*(void **)p);
}

#define _cleanup_(f) __attribute__((cleanup(f)))
#define _cleanup_close_ _cleanup_(closep)
#define _cleanup_free_ _cleanup_(freep)

/* Hand a cleanup-owned value to someone else: the cleanup then does nothing. */
#define TAKE_FD(fd) ({ int _fd = (fd); (fd) = -1; _fd; })
#define TAKE_PTR(p) ({ __typeof__(p) _p = (p); (p) = NULL; _p; })

/* Per-namespace netlink handles cached in the context (see link.c). */
struct vt_nl;

#define VT_NL_CACHE 8

struct vmtap_ctx {
	vmtap_log_fn log_fn;
	void *log_userdata;
	enum vmtap_log_level log_max;

	int err_code;
	char err_step[64];
	char err_extack[256];
	char err_remote_who[16];   /* whose words err_remote are: "QEMU" */
	char err_remote[256];      /* a peer's own explanation, escaped */
	char err_text[VMTAP_ERROR_MAX];

	/* test-only fault injection: fail the step whose name matches, see vt_fault() */
	char fault_step[64];

	struct vt_nl *nl[VT_NL_CACHE];
	char *state_dir; /* NULL: $VMTAP_STATE_DIR or the default */
};

void vt_log(struct vmtap_ctx *ctx, enum vmtap_log_level level, const char *fmt, ...) VT_PRINTF(3, 4);

/*
 * Record a failure of @step and return @err (a negative errno) so that callers
 * can write "return vt_fail(ctx, -errno, "open queue", "queue %u", i);".
 * The kernel's extended ack, if any was stored with vt_set_extack() since the
 * last vt_clear_error(), is appended.
 */
int vt_fail(struct vmtap_ctx *ctx, int err, const char *step, const char *fmt, ...) VT_PRINTF(4, 5);
void vt_clear_error(struct vmtap_ctx *ctx);

/* The first failure, kept while undo steps run with the same context and may fail themselves. */
struct vt_saved_error {
	int code;
	char step[64];
	char extack[256];
	char text[VMTAP_ERROR_MAX];
};
void vt_error_save(const struct vmtap_ctx *ctx, struct vt_saved_error *ret);
void vt_error_restore(struct vmtap_ctx *ctx, const struct vt_saved_error *saved);
void vt_set_extack(struct vmtap_ctx *ctx, const char *msg);
/*
 * Attach @who's own words @msg (QEMU's error description, say) to the next
 * failure, escaped and labelled "(@who: ...)": never passed off as the kernel's.
 */
void vt_set_remote(struct vmtap_ctx *ctx, const char *who, const char *msg);
/* Copy @in to @out (@size bytes) with control characters and backslashes escaped, C style. */
void vt_escape(char *out, size_t size, const char *in);

/*
 * Test-only fault injection: when the environment variable VMTAP_TEST_FAULT
 * names @step (read once per context), the step fails with -EIO as if the
 * kernel had refused it.  Compiled in only with -Dfault_injection=true.
 */
int vt_fault(struct vmtap_ctx *ctx, const char *step);
/* Whether the test-only fault @step is set, for faults that are not errors (see link_dump()). */
bool vt_fault_active(const struct vmtap_ctx *ctx, const char *step);

static inline bool vt_opts_valid(const void *opts, size_t user_sz, size_t lib_sz)
{
	/* fields the library does not know about must be zero, as libbpf does */
	const unsigned char *p = opts;
	if (user_sz < sizeof(size_t))
		return false;
	for (size_t i = lib_sz; i < user_sz; i++)
		if (p[i])
			return false;
	return true;
}

/* Copy the caller's (possibly older/smaller) options into a full-size zeroed struct. */
#define VT_OPTS_COPY(dst, src)                                                        \
	({                                                                            \
		bool _ok = true;                                                      \
		memset(&(dst), 0, sizeof(dst));                                       \
		if (src) {                                                            \
			_ok = vt_opts_valid((src), (src)->sz, sizeof(dst));           \
			if (_ok)                                                      \
				memcpy(&(dst), (src),                                 \
				       (src)->sz < sizeof(dst) ? (src)->sz : sizeof(dst)); \
		}                                                                     \
		(dst).sz = sizeof(dst);                                               \
		_ok;                                                                  \
	})

/* ---- netns.c ---- */

/*
 * Open a namespace given by name (under /run/netns) or absolute path; the fd
 * is close-on-exec.  Never blocks (a FIFO is refused, not opened) and accepts
 * only network-namespace files; a path that does not fit is refused, never cut.
 */
int vt_netns_open(struct vmtap_ctx *ctx, const char *spec, int *ret_fd);

/* A namespace's identity: the device and inode of its nsfs file. */
struct vt_netns_id {
	dev_t dev;
	ino_t ino;
};
/* The identity of namespace @spec (NULL: the calling thread's); errors as vt_netns_open(). */
int vt_netns_id(struct vmtap_ctx *ctx, const char *spec, struct vt_netns_id *ret_id);
static inline bool vt_netns_id_equal(const struct vt_netns_id *a, const struct vt_netns_id *b)
{
	return a->dev == b->dev && a->ino == b->ino;
}
/* True when @nsfd is the calling thread's own network namespace. */
int vt_netns_is_current(int nsfd);
/*
 * Run @fn(@arg) with the network namespace @nsfd (-1: the caller's own), on a
 * short-lived thread when it differs, so the caller's thread never moves.
 * Files opened by @fn belong to the process, as usual for threads.
 */
int vt_netns_call(struct vmtap_ctx *ctx, int nsfd, int (*fn)(void *arg), void *arg);

/* ---- link.c ---- */

/* Netlink handle for the namespace @netns (NULL: caller's), cached in @ctx. */
int vt_nl_get(struct vmtap_ctx *ctx, const char *netns, struct vt_nl **ret_nl);
void vt_nl_free_all(struct vmtap_ctx *ctx);
/* Parse one RTM_NEWLINK message from (buf, len); fuzzed in fuzz/. */
int vt_link_parse(const void *buf, size_t len, struct vmtap_link_info *ret_info);

/* ---- proc.c ---- */

/* The start time (field 22) from a /proc/PID/stat text in (buf, len); fuzzed in fuzz/. */
int vt_proc_stat_starttime(const char *buf, size_t len, uint64_t *ret_start);
/* The start time of process @pid: -ESRCH when there is none. */
int vt_proc_starttime(int pid, uint64_t *ret_start);
/* 1 when process @pid runs and started at @start (0: any start), 0 when not, or a negative errno. */
int vt_proc_alive(int pid, uint64_t start);

/* ---- tun.c ---- */

/* How vt_tap_open() opens: create or attach, and what only the library itself may ask. */
struct vt_tap_how {
	bool attach;
	bool allow_tag;        /* opts->link may set a reserved alias: an ownership tag */
	int expect_ifindex;    /* attach: the device must still be this one (0: any) */
};
/* vmtap_tap_create() / vmtap_tap_attach(), with the library's own options. */
int vt_tap_open(struct vmtap_ctx *ctx, const struct vmtap_tap_opts *opts, const struct vt_tap_how *how,
		struct vmtap_tap **ret_tap);

/* Compute the TUNSETIFF flags for @opts given the probed @features. */
int vt_tun_flags(struct vmtap_ctx *ctx, const struct vmtap_tap_opts *opts,
		 const struct vmtap_features *features, unsigned short *ret_flags);

#endif

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Tools every module uses: cleanup attributes and ownership transfer, array growth, a checked string builder. */
/*
 * Owns: memory and fd hygiene helpers with no knowledge of vmtap.
 * Must not: include any other vmtap header but vmtap.h, or report errors
 * (it has no context): callers turn its -ENOMEM/-E2BIG into reports.
 */
#ifndef VMTAP_UTIL_H
#define VMTAP_UTIL_H

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define VT_EXPORT __attribute__((visibility("default")))
#define VT_PRINTF(a, b) __attribute__((format(printf, a, b)))
#define ARRAY_SIZE(x) (sizeof(x) / sizeof((x)[0]))
/* The offset just past @field: where a struct's known part ends, tail padding excluded. */
#define offsetofend(type, field) (offsetof(type, field) + sizeof(((type *)0)->field))

static inline void closep(int *fd)
{
	if (*fd >= 0) {
		int saved = errno;
		close(*fd);
		errno = saved;
		*fd = -1;
	}
}

static inline void freep(void *p)
{
	free(*(void **)p);
}

#define _cleanup_(f) __attribute__((cleanup(f)))
#define _cleanup_close_ _cleanup_(closep)
#define _cleanup_free_ _cleanup_(freep)

/*
 * A cleanup for a type whose release function returns NULL (vmtap_*_free()):
 * DEFINE_TRIVIAL_CLEANUP_FUNC(struct vmtap_tap *, vmtap_tap_free) gives
 * vmtap_tap_freep() for _cleanup_(vmtap_tap_freep).
 */
#define DEFINE_TRIVIAL_CLEANUP_FUNC(type, func)   \
	static inline void func##p(type *p)       \
	{                                         \
		if (*p)                           \
			*p = func(*p);            \
	}

/* Hand a cleanup-owned value to someone else: the cleanup then does nothing. */
#define TAKE_FD(fd) ({ int _fd = (fd); (fd) = -1; _fd; })
#define TAKE_PTR(p) ({ __typeof__(p) _p = (p); (p) = NULL; _p; })

/*
 * Make room for @need elements in *@array of *@cap (doubling, at least 16),
 * each @elem bytes.  Returns 0, or -ENOMEM with *@array and *@cap untouched.
 */
int vt_grow_array(void **array, size_t *cap, size_t need, size_t elem);
#define VT_GROW(array, cap, need) vt_grow_array((void **)&(array), &(cap), (need), sizeof(*(array)))

/* A string built piece by piece: every append is checked, and the first failure sticks. */
struct vt_strbuf {
	char *buf;
	size_t len, cap, max;   /* max: refuse to grow past this many bytes (0: no limit) */
	int err;                /* 0, -ENOMEM, or -E2BIG past max */
};
int vt_strbuf_printf(struct vt_strbuf *b, const char *fmt, ...) VT_PRINTF(2, 3);
/* The text (the builder is empty afterwards), or NULL after a failed append. */
char *vt_strbuf_take(struct vt_strbuf *b);
void vt_strbuf_free(struct vt_strbuf *b);

#endif

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Array growth and the checked string builder of util.h. */
/**
 * DOC: Theory of Operation
 *
 * Growth doubles (from 16 elements), with every multiplication checked
 * against SIZE_MAX, and leaves the array as it was when it fails, so a
 * caller's cleanup still frees the right pointer.  The string builder
 * checks every append and remembers its first failure: a sequence of
 * appends needs one check, at vt_strbuf_take(), and can never write past
 * its buffer or silently truncate (as "off += snprintf()" does).
 */
#include <stdint.h>
#include <stdio.h>

#include "util.h"

int vt_grow_array(void **array, size_t *cap, size_t need, size_t elem)
{
	size_t n = *cap ? *cap : 16;
	void *more;

	if (need <= *cap)
		return 0;
	while (n < need) {
		if (n > SIZE_MAX / 2)
			return -ENOMEM;
		n *= 2;
	}
	if (elem && n > SIZE_MAX / elem)
		return -ENOMEM;
	more = realloc(*array, n * elem);
	if (!more)
		return -ENOMEM;
	*array = more;
	*cap = n;
	return 0;
}

int vt_strbuf_printf(struct vt_strbuf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (b->err)
		return b->err;
	for (;;) {
		size_t room = b->cap - b->len;
		va_start(ap, fmt);
		n = vsnprintf(b->buf ? b->buf + b->len : NULL, room, fmt, ap);
		va_end(ap);
		if (n < 0)
			return b->err = -EINVAL;
		if ((size_t)n < room) {
			b->len += (size_t)n;
			return 0;
		}
		if (b->max && b->len + (size_t)n + 1 > b->max)
			return b->err = -E2BIG;
		if (vt_grow_array((void **)&b->buf, &b->cap, b->len + (size_t)n + 1, 1) < 0)
			return b->err = -ENOMEM;
	}
}

char *vt_strbuf_take(struct vt_strbuf *b)
{
	char *text;

	if (b->err) {
		vt_strbuf_free(b);
		return NULL;
	}
	if (!b->buf && vt_strbuf_printf(b, "%s", "") < 0)
		return NULL;
	text = b->buf;
	*b = (struct vt_strbuf){ .max = b->max };
	return text;
}

void vt_strbuf_free(struct vt_strbuf *b)
{
	free(b->buf);
	*b = (struct vt_strbuf){ .max = b->max };
}

/* SPDX-License-Identifier: GPL-2.0-or-later */
/* One print path for text and JSON output: callers describe values once, the mode decides the form. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <json-c/json.h>

#include "print.h"

#define PRINT_DEPTH 16

/*
 * A JSON document whose root is an array (every list command's) is
 * streamed: "[" when it opens, each element written as soon as it is
 * complete and then freed, "]" when it closes, in exactly the form json-c
 * gives the whole array.  Memory then stays that of one element, however
 * many endpoints, devices or gc events there are.  Any other root is built
 * whole and written at print_finish().
 */
struct printer {
	FILE *out;
	bool json, pretty;
	int depth;
	int dropped; /* opens refused past PRINT_DEPTH, so their closes are ignored too */
	json_object *stack[PRINT_DEPTH];
	json_object *root;
	bool streaming;  /* the root is an array being streamed: stack[0], never in @root */
	size_t streamed; /* elements of it written so far */
	bool write_failed;
};

struct printer *print_new(FILE *out, bool json, bool pretty)
{
	struct printer *p = calloc(1, sizeof(*p));

	if (!p)
		return NULL;
	p->out = out;
	p->json = json;
	p->pretty = pretty;
	return p;
}

bool print_is_json(const struct printer *p)
{
	return p->json;
}

static void out_write(struct printer *p, const char *s)
{
	if (fputs(s, p->out) < 0)
		p->write_failed = true;
}

/*
 * Write the complete elements of the streamed root array and free them.  As
 * json-c writes an array: "," between elements; pretty, each on its own
 * line, indented one level (two spaces more after every newline of its own).
 */
static void stream_flush(struct printer *p)
{
	json_object *arr = p->stack[0];
	size_t n = json_object_array_length(arr);

	for (size_t i = 0; i < n; i++) {
		const char *s = json_object_to_json_string_ext(json_object_array_get_idx(arr, i),
			(p->pretty ? JSON_C_TO_STRING_PRETTY : JSON_C_TO_STRING_PLAIN) | JSON_C_TO_STRING_NOSLASHESCAPE);
		if (p->streamed++)
			out_write(p, ",");
		if (!p->pretty) {
			out_write(p, s);
			continue;
		}
		out_write(p, "\n  ");
		for (const char *nl; (nl = strchr(s, '\n')); s = nl + 1) {
			if (fwrite(s, 1, (size_t)(nl - s) + 1, p->out) != (size_t)(nl - s) + 1)
				p->write_failed = true;
			out_write(p, "  ");
		}
		out_write(p, s);
	}
	if (n)
		json_object_array_del_idx(arr, 0, n);
}

/* Attach @v under @key to the innermost open container, or make it the root. */
static void json_add(struct printer *p, const char *key, json_object *v)
{
	json_object *top;

	if (!v)
		return;
	if (p->depth == 0) {
		json_object_put(p->root);
		p->root = v;
		return;
	}
	top = p->stack[p->depth - 1];
	if (json_object_is_type(top, json_type_array))
		json_object_array_add(top, v);
	else
		json_object_object_add(top, key ? key : "", v);
	/* a scalar element of the streamed root is complete at once; a container when it closes */
	if (p->streaming && p->depth == 1 && !json_object_is_type(v, json_type_object) &&
	    !json_object_is_type(v, json_type_array))
		stream_flush(p);
}

static char *escape(const char *s, bool backslash)
{
	size_t n = 1;
	char *out, *o;

	if (!s)
		s = "";
	for (const char *c = s; *c; c++)
		n += ((unsigned char)*c < 0x20 || *c == 0x7f) ? 4 : (*c == '\\' && backslash) ? 2 : 1;
	out = o = malloc(n);
	if (!out)
		return NULL;
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '\\' && backslash) {
			*o++ = '\\';
			*o++ = '\\';
		} else if (c == '\n' || c == '\t' || c == '\r') {
			*o++ = '\\';
			*o++ = c == '\n' ? 'n' : c == '\t' ? 't' : 'r';
		} else if (c < 0x20 || c == 0x7f) {
			o += sprintf(o, "\\x%02x", c);
		} else {
			*o++ = (char)c;
		}
	}
	*o = '\0';
	return out;
}

char *print_escape(const char *s)
{
	return escape(s, true);
}

char *print_escape_controls(const char *s)
{
	return escape(s, false);
}

/* Length of the valid UTF-8 sequence at @s (at most @n bytes), 0 when it is not one. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
	uint32_t cp;
	size_t len;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		len = 2, cp = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		len = 3, cp = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		len = 4, cp = s[0] & 0x07;
	else
		return 0;
	if (len > n)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	/* overlong forms, UTF-16 surrogates and code points past U+10FFFF are not UTF-8 */
	if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) || (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return 0;
	return len;
}

char *print_utf8(const char *s)
{
	size_t n = strlen(s ? s : ""), o = 0;
	const unsigned char *u = (const unsigned char *)(s ? s : "");
	char *out = malloc(3 * n + 1); /* each bad byte becomes the 3 bytes of U+FFFD */

	if (!out)
		return NULL;
	for (size_t i = 0; i < n;) {
		size_t len = utf8_len(u + i, n - i);
		if (len) {
			memcpy(out + o, u + i, len);
			o += len;
			i += len;
		} else {
			memcpy(out + o, "\xef\xbf\xbd", 3);
			o += 3;
			i++;
		}
	}
	out[o] = '\0';
	return out;
}

void print_string(struct printer *p, const char *key, const char *fmt, const char *value)
{
	char *safe;

	if (!p->json && !fmt)
		return;
	safe = p->json ? print_utf8(value) : print_escape(value);
	if (p->json)
		json_add(p, key, value && safe ? json_object_new_string(safe) : NULL);
	else
		fprintf(p->out, fmt, safe ? safe : "");
	free(safe);
}

void print_uint(struct printer *p, const char *key, const char *fmt, uint64_t value)
{
	if (p->json)
		json_add(p, key, json_object_new_uint64(value));
	else if (fmt)
		fprintf(p->out, fmt, (unsigned long long)value);
}

void print_int(struct printer *p, const char *key, const char *fmt, int64_t value)
{
	if (p->json)
		json_add(p, key, json_object_new_int64(value));
	else if (fmt)
		fprintf(p->out, fmt, (long long)value);
}

void print_bool(struct printer *p, const char *key, const char *fmt, bool value)
{
	if (p->json)
		json_add(p, key, json_object_new_boolean(value));
	else if (fmt && value)
		fputs(fmt, p->out);
}

void print_text(struct printer *p, const char *fmt, ...)
{
	va_list ap;

	if (p->json)
		return;
	va_start(ap, fmt);
	vfprintf(p->out, fmt, ap);
	va_end(ap);
}

static void open_container(struct printer *p, const char *key, json_object *c)
{
	if (!p->json)
		return;
	if (!c || p->depth == PRINT_DEPTH) {
		json_object_put(c);
		p->dropped++;
		return;
	}
	if (p->depth == 0 && !p->root && json_object_is_type(c, json_type_array)) {
		p->streaming = true;
		out_write(p, "[");
		p->stack[p->depth++] = c; /* owned by the stack alone: never the root */
		return;
	}
	json_add(p, key, json_object_get(c));
	p->stack[p->depth++] = c;
}

static void close_container(struct printer *p)
{
	if (!p->json || p->depth == 0)
		return;
	if (p->dropped) {
		p->dropped--;
		return;
	}
	json_object_put(p->stack[--p->depth]);
	if (p->streaming && p->depth == 1)
		stream_flush(p);
	else if (p->streaming && p->depth == 0) {
		out_write(p, p->pretty ? "\n]\n" : "]\n");
		p->streaming = false;
	}
}

void print_open_object(struct printer *p, const char *key)
{
	open_container(p, key, p->json ? json_object_new_object() : NULL);
}

void print_close_object(struct printer *p)
{
	close_container(p);
}

void print_open_array(struct printer *p, const char *key)
{
	open_container(p, key, p->json ? json_object_new_array() : NULL);
}

void print_close_array(struct printer *p)
{
	close_container(p);
}

int print_finish(struct printer *p)
{
	int r = 0;

	if (!p)
		return 0;
	while (p->depth)
		close_container(p);
	if (p->json && p->root) {
		const char *s = json_object_to_json_string_ext(p->root,
			(p->pretty ? JSON_C_TO_STRING_PRETTY : JSON_C_TO_STRING_PLAIN) | JSON_C_TO_STRING_NOSLASHESCAPE);
		if (!s || fprintf(p->out, "%s\n", s) < 0)
			r = s ? -errno : -ENOMEM;
	}
	json_object_put(p->root);
	/*
	 * Text went out as it was printed: a write that failed on the way only
	 * set the stream's error flag, so the flag is asked too.  The flush's
	 * errno names the cause (ENOSPC, EBADF ...) when it fails as well.
	 */
	if (fflush(p->out) != 0)
		r = -errno;
	else if (!r && (p->write_failed || ferror(p->out)))
		r = -EIO;
	free(p);
	return r < 0 ? r : 0;
}

void print_discard(struct printer *p)
{
	if (!p)
		return;
	while (p->depth)
		close_container(p);
	json_object_put(p->root);
	free(p);
}

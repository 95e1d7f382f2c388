/* SPDX-License-Identifier: GPL-2.0-or-later */
/* One print path for text and JSON output: callers describe values once, the mode decides the form. */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <json-c/json.h>

#include "print.h"

#define PRINT_DEPTH 16

struct printer {
	FILE *out;
	bool json, pretty;
	int depth;
	int dropped; /* opens refused past PRINT_DEPTH, so their closes are ignored too */
	json_object *stack[PRINT_DEPTH];
	json_object *root;
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
}

void print_string(struct printer *p, const char *key, const char *fmt, const char *value)
{
	if (p->json)
		json_add(p, key, value ? json_object_new_string(value) : NULL);
	else if (fmt)
		fprintf(p->out, fmt, value ? value : "");
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
		if (fprintf(p->out, "%s\n", s) < 0)
			r = -EIO;
	}
	json_object_put(p->root);
	if (fflush(p->out) != 0)
		r = -EIO;
	free(p);
	return r;
}

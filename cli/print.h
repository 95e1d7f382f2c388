/* SPDX-License-Identifier: GPL-2.0-or-later */
/* One print path for text and JSON output, in the manner of iproute2's print_* helpers. */
#ifndef VMTAP_CLI_PRINT_H
#define VMTAP_CLI_PRINT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

struct printer;

/*
 * @json: JSON, else text written as we go.  A JSON document whose root is an
 * array is streamed, element by element as each is complete; any other is
 * built and written at print_finish().
 */
struct printer *print_new(FILE *out, bool json, bool pretty);
/*
 * Write the JSON document (if any), flush, free everything; returns 0, or a
 * negative errno when any of the output could not be written (-EIO when the
 * cause is unknown).
 */
int print_finish(struct printer *p);
/* Free everything without writing the JSON document: for a command that fails after it began printing. */
void print_discard(struct printer *p);
bool print_is_json(const struct printer *p);

/* In text mode @fmt (may be NULL: nothing printed) formats the value; in JSON mode @key names it. */
void print_string(struct printer *p, const char *key, const char *fmt, const char *value);
void print_uint(struct printer *p, const char *key, const char *fmt, uint64_t value);
void print_int(struct printer *p, const char *key, const char *fmt, int64_t value);
/* JSON: a boolean; text: @fmt printed only when @value is true. */
void print_bool(struct printer *p, const char *key, const char *fmt, bool value);
/* Text only. */
void print_text(struct printer *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Objects and arrays: @key is NULL inside an array or at the top level. */
void print_open_object(struct printer *p, const char *key);
void print_close_object(struct printer *p);
void print_open_array(struct printer *p, const char *key);
void print_close_array(struct printer *p);

/*
 * Text from outside (an alias, a file name, QEMU's words) made safe to print:
 * print_escape() escapes control characters and backslashes C style ("\\n",
 * "\\x1b"), so no line or terminal sequence can be forged; print_utf8()
 * replaces bytes that are not valid UTF-8 with U+FFFD, as JSON requires.
 * Both return a malloc'd copy, NULL only when out of memory.
 */
char *print_escape(const char *s);
/* As print_escape(), backslashes left as they are: for the library's messages, which escape what they quote. */
char *print_escape_controls(const char *s);
char *print_utf8(const char *s);

#endif

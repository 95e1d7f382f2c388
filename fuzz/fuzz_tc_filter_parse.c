/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libFuzzer target: vt_tc_filter_parse() and the cookie parser on arbitrary bytes, whole and clipped, checking what they report. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_cookie(const uint8_t *buf, size_t len)
{
	struct vt_tc_cookie c, before;
	int r;

	memset(&c, 0xa5, sizeof(c));
	before = c;
	r = vt_tc_cookie_parse(buf, len, &c);
	if (r < 0) {
		if (r != -EINVAL || memcmp(&c, &before, sizeof(c)) != 0)
			abort();
		if (vt_tc_cookie_matches(buf, len, "0011223344556677", NULL))
			abort();
		return;
	}
	if (r != 0 || len != VT_TC_COOKIE_LEN || c.version != VT_TC_COOKIE_VERSION || memcmp(buf, "vmt", 3) != 0)
		abort();
	if (memcmp(c.state, buf + 4, 8) != 0)
		abort();
}

/* Parse @len bytes from an allocation of exactly that size, so that any read past them is caught. */
static void parse_exact(const uint8_t *data, size_t len)
{
	struct vt_tc_filter f, before;
	uint8_t *copy = malloc(len ? len : 1);
	int r;

	if (!copy)
		abort();
	if (len)
		memcpy(copy, data, len);
	memset(&f, 0xa5, sizeof(f));
	before = f;
	r = vt_tc_filter_parse(copy, len, &f);
	if (r < 0) {
		/* failure: only -EBADMSG, output untouched */
		if (r != -EBADMSG || memcmp(&f, &before, sizeof(f)) != 0)
			abort();
	} else {
		/* success: what callers rely on holds */
		bool u32 = strcmp(f.kind, "u32") == 0;
		if (r != 0 || !f.kind[0] || !memchr(f.kind, '\0', sizeof(f.kind)))
			abort();
		if (u32 != (f.u32 != VT_TC_NOT_U32))
			abort();
		if (f.u32 == VT_TC_U32_HEADER && f.handle)
			abort();
		if (f.u32 != VT_TC_U32_RULE && f.u32_match_all)
			abort();
		if (f.u32_match_all && f.u32_nkeys != 1)
			abort();
		if (!u32 && (f.u32_divisor || f.u32_sel_flags || f.u32_nkeys || f.n_actions))
			abort();
		if (f.n_actions > 32 || (f.has_mirred && !f.n_actions))
			abort();
		if (f.cookie_len > VT_TC_COOKIE_LEN || (f.cookie_len && !f.has_mirred))
			abort();
		if (!f.has_mirred && (f.mirred_action || f.mirred_eaction || f.mirred_ifindex || f.mirred_index))
			abort();
		for (size_t i = f.cookie_len; i < VT_TC_COOKIE_LEN; i++)
			if (f.cookie[i])
				abort();
		if (vt_tc_filter_is_redirect(&f) && (f.u32 != VT_TC_U32_RULE || !f.has_mirred))
			abort();
		check_cookie(f.cookie, f.cookie_len);
	}
	free(copy);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	parse_exact(data, size);
	/* the same bytes with the tail cut off, as a short read would leave them */
	if (size > 0)
		parse_exact(data, size - 1);
	if (size > 16)
		parse_exact(data, size / 2);
	/* the raw bytes as a cookie too: anyone can set an action's cookie */
	check_cookie(data, size < VT_TC_COOKIE_LEN ? size : VT_TC_COOKIE_LEN);
	{
		struct vt_tc_filter f;
		if (vt_tc_filter_parse(NULL, size, &f) != -EBADMSG)
			abort();
	}
	return 0;
}

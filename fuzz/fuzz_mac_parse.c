/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libFuzzer target: vmtap_mac_parse() and its context variant against an independent reference parser. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "validate.h"
#include "validate.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int hex(uint8_t c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* The documented rule, written out: six hex octets, one separator kind, unicast, not all zero. */
static int reference_parse(const uint8_t *s, size_t len, uint8_t mac[6])
{
	uint8_t any = 0;

	if (len != 17 || (s[2] != ':' && s[2] != '-'))
		return -1;
	for (size_t i = 0; i < 6; i++) {
		int hi = hex(s[i * 3]), lo = hex(s[i * 3 + 1]);
		if (hi < 0 || lo < 0 || (i < 5 && s[i * 3 + 2] != s[2]))
			return -1;
		mac[i] = (uint8_t)(hi << 4 | lo);
		any |= mac[i];
	}
	return (mac[0] & 1) || !any ? -1 : 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t mac[6], ref[6], untouched[6];
	struct vmtap_ctx *ctx = NULL;
	char *copy = malloc(size ? size : 1); /* exactly @size bytes, no terminator */
	int want, r;

	if (!copy)
		abort();
	if (size)
		memcpy(copy, data, size);
	want = reference_parse(data, size, ref);

	memset(mac, 0x11, sizeof(mac));
	memset(untouched, 0x11, sizeof(untouched));
	r = vmtap_mac_parse(copy, size, mac);
	if (want == 0 ? (r != 0 || memcmp(mac, ref, 6) != 0) : (r != -EINVAL || memcmp(mac, untouched, 6) != 0))
		abort();

	/* through a context the result is the same and a failure is explained */
	if (vmtap_ctx_new(&ctx) < 0)
		abort();
	memset(mac, 0x11, sizeof(mac));
	r = vt_mac_parse(ctx, copy, size, mac);
	if (want == 0) {
		if (r != 0 || memcmp(mac, ref, 6) != 0 || vmtap_ctx_error(ctx)[0])
			abort();
	} else {
		if (r != -EINVAL || strcmp(vmtap_ctx_error_step(ctx), "validate") != 0 ||
		    strncmp(vmtap_ctx_error(ctx), "validate: MAC address", 21) != 0)
			abort();
	}
	vmtap_ctx_free(ctx);
	free(copy);
	return 0;
}

/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A program linked against libvmtap.so, as a VM manager would be: the shared library loads and works. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "vmtap.h"

int main(void)
{
	struct vmtap_ctx *ctx = NULL;
	VMTAP_OPTS(vmtap_tap_opts, o, .queues = 999);
	struct vmtap_tap *tap = NULL;
	uint8_t mac[6];
	int r;

	if (vmtap_ctx_new(&ctx) < 0 || !ctx) {
		fprintf(stderr, "vmtap_ctx_new failed\n");
		return 1;
	}
	if (vmtap_mac_parse("52:54:00:12:34:56", 17, mac) < 0 || mac[5] != 0x56) {
		fprintf(stderr, "vmtap_mac_parse failed\n");
		return 1;
	}
	/* refused before any kernel object is touched, with the library's message */
	r = vmtap_tap_create(ctx, &o, &tap);
	if (r != -EINVAL || tap || !strstr(vmtap_ctx_error(ctx), "256")) {
		fprintf(stderr, "vmtap_tap_create(queues 999): %d '%s'\n", r, vmtap_ctx_error(ctx));
		return 1;
	}
	vmtap_ctx_free(ctx);
	printf("ok - a program linked against libvmtap.so runs\n");
	return 0;
}

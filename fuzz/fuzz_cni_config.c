/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libFuzzer target for vmtap-cni's stdin: any bytes as the request configuration, for every verb, then prevResult read and the ADD result built. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cni.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* An error names a code the plugin documents and carries a message. */
static void check_error(int r, const struct cni_error *err)
{
	if (r != (int)err->code || !err->msg[0])
		abort();
	if (r != CNI_ERR_DECODE && r != CNI_ERR_VERSION && r != CNI_ERR_CONFIG && r != CNI_ERR_RESOURCES)
		abort();
	if (!memchr(err->details, '\0', sizeof(err->details)))
		abort();
}

/* What ADD would do with a configuration that parsed: find eth0 in prevResult and build the result. */
static void add_result(const struct cni_config *cfg)
{
	struct cni_prev_iface pi;
	struct cni_error err = { 0 };
	struct cni_added a;
	json_object *back;
	char *text;
	int r;

	if (!cfg->prev_result)
		return;
	r = cni_prev_validate(cfg->prev_result, &err);
	if (!r)
		r = cni_prev_find_iface(cfg->prev_result, "eth0", "/run/netns/fuzz", &pi, &err);
	if (r) {
		if (r != CNI_ERR_CONFIG)
			abort();
		return;
	}
	a = (struct cni_added){ .tap_name = "tap0", .tap_mac = "fe:54:00:00:00:01", .mtu = 1500,
				.guest_mac = "52:54:00:00:00:01", .netns = "/run/netns/fuzz", .containerid = "c1",
				.iface = &pi, .iface_new_mac = (size_t)pi.index % 2 ? "06:00:00:00:00:01" : NULL };
	text = cni_result_build(cfg->prev_result, cfg->cni_version, &a);
	if (!text)
		return; /* only without memory */
	/* the result is JSON again, and holds both new interfaces */
	back = json_tokener_parse(text);
	if (!back)
		abort();
	{
		json_object *ifaces;
		if (!json_object_object_get_ex(back, "interfaces", &ifaces) ||
		    json_object_array_length(ifaces) < (size_t)pi.index + 3)
			abort();
	}
	json_object_put(back);
	free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const enum cni_command cmds[] = { CNI_CMD_ADD, CNI_CMD_DEL, CNI_CMD_CHECK, CNI_CMD_GC, CNI_CMD_STATUS };

	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		struct cni_config cfg;
		struct cni_error err = { 0 };
		int r = cni_config_parse((const char *)data, size, cmds[i], &cfg, &err);

		if (r) {
			check_error(r, &err);
			if (cfg.root || (cfg.version_given && !cni_version_supported(cfg.cni_version)))
				abort();
			continue;
		}
		if (!cni_version_supported(cfg.cni_version) || !cfg.name[0] || cfg.queues < 1 ||
		    cfg.queues > VMTAP_MAX_QUEUES || cfg.state_dir[0] != '/')
			abort();
		if (cmds[i] == CNI_CMD_ADD)
			add_result(&cfg);
		if (cmds[i] == CNI_CMD_GC)
			for (size_t k = 0; k < cfg.n_attachments; k++)
				if (!cni_config_attachment_valid(&cfg, cfg.attachments[k].containerid, cfg.attachments[k].ifname))
					abort();
		cni_config_free(&cfg);
	}
	return 0;
}

/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vmtap: entry point, global options and the table of commands. */
#include <stdio.h>
#include <string.h>

#include "cli.h"

static const struct cmd commands[] = {
	{ "probe", cmd_probe, "show what the tun driver and vhost-net offer" },
	{ "create", cmd_create, "create a persistent TAP device" },
	{ "set", cmd_set, "change a device's link settings" },
	{ "delete", cmd_delete, "delete TAP devices" },
	{ "list", cmd_list, "list TAP devices" },
	{ "endpoint", cmd_endpoint, "create, destroy, list, show endpoints" },
	{ "gc", cmd_gc, "reconcile endpoint records with the kernel" },
	{ "exec", cmd_exec, "open NICs and become QEMU with them" },
	{ "qemu-args", cmd_qemu_args, "print QEMU arguments for fds held" },
	{ "hotplug", cmd_hotplug, "plug an endpoint into a running QEMU (QMP)" },
	{ "unplug", cmd_unplug, "unplug an endpoint from a running QEMU (QMP)" },
	{ "qmp", cmd_qmp, "run one QMP command, print its return value" },
	{ "show", cmd_show, "show one device in detail" },
};

static void usage(FILE *out)
{
	fprintf(out, "Usage: vmtap [-j|--json] [-p|--pretty] [-v|--verbose] [--state-dir DIR] COMMAND [ARGS]\n"
		     "       vmtap -V|--version | -h|--help\n\nCommands:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
	fprintf(out, "\n'vmtap COMMAND --help' describes a command; vmtap(8) has the details and exit codes.\n");
}

int main(int argc, char **argv)
{
	struct global_opts g = { 0 };
	int i;

	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "-j") || !strcmp(a, "--json"))
			g.json = true;
		else if (!strcmp(a, "-p") || !strcmp(a, "--pretty"))
			g.pretty = true;
		else if (!strcmp(a, "-v") || !strcmp(a, "--verbose"))
			g.verbose++;
		else if (!strcmp(a, "--state-dir") && i + 1 < argc)
			g.state_dir = argv[++i];
		else if (!strncmp(a, "--state-dir=", 12))
			g.state_dir = a + 12;
		else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage(stdout);
			return EXIT_OK;
		} else if (!strcmp(a, "-V") || !strcmp(a, "--version")) {
			printf("vmtap %s\n", VMTAP_VERSION);
			return EXIT_OK;
		} else {
			fprintf(stderr, "vmtap: unknown option '%s'\n", a);
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (i == argc) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[i], "help")) {
		usage(stdout);
		return EXIT_OK;
	}
	for (size_t c = 0; c < sizeof(commands) / sizeof(commands[0]); c++)
		if (!strcmp(argv[i], commands[c].name))
			return commands[c].run(argc - i, argv + i, &g);
	fprintf(stderr, "vmtap: unknown command '%s'\n", argv[i]);
	usage(stderr);
	return EXIT_USAGE;
}

/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vmtap gc: reconcile endpoint records with the kernel and say what was done. */
#include <stdio.h>

#include "cli.h"
#include "commands.h"

static const char gc_help[] =
	"Usage: vmtap [-j] gc [--dry-run]\n"
	"\n"
	"Reconcile endpoint records with the kernel, in this namespace and every\n"
	"namespace a record names: TAP devices tagged vmtap:ID@STATE by this state\n"
	"directory without a record are deleted, records whose device is gone are\n"
	"removed, creations and destructions a crash interrupted are finished.\n"
	"A redirect's tc filter on its device goes with a TAP that is gone, and\n"
	"tc filters carrying this directory's cookie that no endpoint uses are\n"
	"removed. Ephemeral endpoints (vmtap exec's) whose QEMU has exited are\n"
	"destroyed. Devices without this directory's tag are never touched: those\n"
	"tagged by another state directory, or of another kind, are reported as\n"
	"left alone; filters without its cookie are never touched.\n"
	"TAPs of vmtap-bridge-helper (vmtap-helper:uid=U,pid=P) are left alone\n"
	"while QEMU P runs, reported when P is gone but their queues are still\n"
	"held, and deleted only when made persistent, held by nobody and still\n"
	"owned by uid U.\n"
	"\n"
	"Options:\n"
	"  --dry-run   say what would be done, do nothing\n";

static const char *action_name(enum vmtap_gc_action a, bool dry)
{
	switch (a) {
	case VMTAP_GC_DELETED_ORPHAN:
		return dry ? "would delete orphan" : "deleted orphan";
	case VMTAP_GC_REMOVED_RECORD:
		return dry ? "would remove record" : "removed record";
	case VMTAP_GC_ROLLED_BACK:
		return dry ? "would roll back" : "rolled back";
	case VMTAP_GC_FINISHED_DESTROY:
		return dry ? "would finish destroy" : "finished destroy";
	case VMTAP_GC_UNPARSEABLE:
		return "unparseable";
	case VMTAP_GC_BUSY:
		return "busy";
	case VMTAP_GC_LEFT_ALONE:
		return "left alone";
	case VMTAP_GC_REMOVED_FILTER:
		return dry ? "would remove filter" : "removed filter";
	case VMTAP_GC_DESTROYED_EPHEMERAL:
		return dry ? "would destroy ephemeral" : "destroyed ephemeral";
	default:
		return "failed";
	}
}

static const char *action_key(enum vmtap_gc_action a)
{
	static const char *const keys[] = { "", "deleted_orphan", "removed_record", "rolled_back",
					    "finished_destroy", "unparseable", "busy", "failed", "left_alone",
					    "removed_filter", "destroyed_ephemeral" };
	return (unsigned)a < sizeof(keys) / sizeof(keys[0]) ? keys[a] : "failed";
}

struct gc_data {
	struct printer *p;
	int failed;
};

static void gc_cb(const struct vmtap_gc_event *ev, void *userdata)
{
	struct gc_data *d = userdata;
	struct printer *p = d->p;

	if (ev->action == VMTAP_GC_FAILED || ev->action == VMTAP_GC_UNPARSEABLE)
		d->failed++;
	print_open_object(p, NULL);
	/* JSON gets a stable key, text gets words */
	print_string(p, "action", NULL, action_key(ev->action));
	print_text(p, "%s", action_name(ev->action, ev->dry_run));
	print_bool(p, "dry_run", NULL, ev->dry_run);
	if (ev->id)
		print_string(p, "id", " %s", ev->id);
	if (ev->ifname)
		print_string(p, "ifname", " device %s", ev->ifname);
	if (ev->netns)
		print_string(p, "netns", " in %s", ev->netns);
	if (ev->detail)
		print_string(p, "detail", ": %s", ev->detail);
	print_text(p, "\n");
	print_close_object(p);
}

struct gc_args {
	bool dry_run;
};

static const struct gc_args gc_defaults;

enum gc_opt_id { O_DRY_RUN = CLI_OPT_OWN };

static const struct cli_opt gc_opts[] = {
	CLI_OPT_FLAG("dry-run", 0, O_DRY_RUN, struct gc_args, dry_run), { 0 },
};

static int gc_run(struct cli_call *call)
{
	const struct gc_args *a = call->data;
	struct gc_data d = { .p = cli_printer(call) };
	int r;

	if (!d.p)
		return EXIT_FAILURE_OTHER;
	print_open_array(d.p, NULL);
	r = vmtap_gc(call->ctx, a->dry_run ? VMTAP_GC_DRY_RUN : 0, gc_cb, &d);
	print_close_array(d.p);
	print_finish(d.p);
	if (r < 0)
		return r;
	if (d.failed) {
		fprintf(stderr, "vmtap %s: %d problem%s attention (see above)\n", call->name, d.failed,
			d.failed == 1 ? " needs" : "s need");
		return EXIT_FAILURE_OTHER;
	}
	return EXIT_OK;
}

const struct cli_command cli_cmd_gc = {
	.name = "gc",
	.summary = "reconcile endpoint records with the kernel",
	.help = gc_help,
	.options = (const struct cli_opt *const[]){ gc_opts, NULL },
	.needs_ctx = true,
	CLI_DATA(gc_defaults),
	.run = gc_run,
};

/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vmtap gc: reconcile endpoint records with the kernel and say what was done. */
#include <stdio.h>

#include "cli.h"

static const char gc_help[] =
	"Usage: vmtap [-j] gc [--dry-run]\n"
	"\n"
	"Reconcile endpoint records with the kernel, in this namespace and every\n"
	"namespace a record names: TAP devices tagged vmtap:ID@STATE by this state\n"
	"directory without a record are deleted, records whose device is gone are\n"
	"removed, creations and destructions a crash interrupted are finished.\n"
	"Devices without this directory's tag are never touched: those tagged by\n"
	"another state directory, or of another kind, are reported as left alone.\n"
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
	default:
		return "failed";
	}
}

static const char *action_key(enum vmtap_gc_action a)
{
	static const char *const keys[] = { "", "deleted_orphan", "removed_record", "rolled_back",
					    "finished_destroy", "unparseable", "busy", "failed", "left_alone" };
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

static int gc_set_dry_run(int id, const char *arg, void *data)
{
	(void)id, (void)arg;
	*(bool *)data = true;
	return 0;
}

int cmd_gc(int argc, char **argv, struct global_opts *g)
{
	static const struct cli_opt opts[] = { { "dry-run", 0, false, 1 }, { 0 } };
	bool dry_run = false;
	struct gc_data d = { 0 };
	struct vmtap_ctx *ctx = NULL;
	char *pos[1];
	int npos = 0, r;

	r = cli_parse("gc", argc, argv, opts, gc_set_dry_run, &dry_run, g, pos, 0, &npos);
	if (r == OPT_HELP) {
		fputs(gc_help, stdout);
		return EXIT_OK;
	}
	if (r)
		return r;
	if ((r = cli_ctx_new(g, &ctx)) != 0)
		return r;
	d.p = print_new(stdout, g->json, g->pretty);
	if (!d.p) {
		vmtap_ctx_free(ctx);
		return EXIT_FAILURE_OTHER;
	}
	print_open_array(d.p, NULL);
	r = vmtap_gc(ctx, dry_run ? VMTAP_GC_DRY_RUN : 0, gc_cb, &d);
	print_close_array(d.p);
	print_finish(d.p);
	if (r >= 0 && d.failed) {
		fprintf(stderr, "vmtap gc: %d problem%s attention (see above)\n", d.failed,
			d.failed == 1 ? " needs" : "s need");
		r = EXIT_FAILURE_OTHER;
	}
	else
		r = cli_report(ctx, "gc", r);
	vmtap_ctx_free(ctx);
	return r;
}

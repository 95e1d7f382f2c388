/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Garbage collection: reconciling endpoint records with the kernel in every namespace they name. */
/*
 * Owns: vmtap_gc(): what a crash left out of step between records and
 * devices, the stray lock, plug and temporary files of killed processes, and
 * the bridge helper's leftover TAPs.
 * Must not: act on a device or record it cannot prove is this state
 * directory's (or, by tag, owner and state, a leftover of the bridge
 * helper's), create the state directory, or change anything in a dry run.
 */
/**
 * DOC: Theory of Operation
 *
 * A crash can leave the two sides of an endpoint out of step: a record
 * whose device is gone, a tagged device whose record is gone, a record left
 * "creating" or "destroying" by a process that died, lock and temporary
 * files.  vmtap_gc() walks the records, each under its endpoint's lock, then
 * every namespace they name (each once, compared by identity), and acts only
 * on what it can prove is this state directory's: a TAP or macvtap whose tag carries
 * the directory's identity.  Everything else that looks like vmtap's is
 * reported as left alone, with the reason, and never touched.
 *
 * Events go to the caller's callback as they happen; a failure of one
 * action is an event too, and gc goes on with the next.
 *
 * The bridge helper's TAPs (tag vmtap-helper:uid=U,pid=P, P its parent:
 * QEMU) belong to no state directory.  They are not persistent, so one
 * exists only while some process holds a queue: it is left alone while P
 * runs (or P cannot be told), and reported as left alone when P is gone but
 * its queues are still held (a daemonized QEMU, fds passed on).  Only one
 * that its holder made persistent, with P gone, no queue attached and U
 * still its owner, is a leftover, and deleted.
 */
#include <signal.h>
#include <stdio.h>
#include <linux/if_tun.h>

#include "endpoint.h"
#include "link.h"
#include "proc.h"
#include "redirect.h"
#include "tc.h"

struct gc_ns {
	char *spec;                 /* NULL: gc's own namespace */
	struct vt_netns_id id;
};

struct gc_run {
	struct vmtap_ctx *ctx;
	bool dry_run;
	vmtap_gc_fn fn;
	void *userdata;
	int events;
	int dirfd;                  /* -1: there is no state directory, so no records */
	char state_id[VT_STATE_ID_LEN + 1]; /* "": none yet, so no tag can carry it */
	struct vt_netns_id own;
	/* namespaces to scan for orphans, each once by identity: gc's own first, then those records name */
	struct gc_ns *ns;
	size_t n_ns, cap_ns;
};

static void gc_emit(struct gc_run *g, enum vmtap_gc_action action, const char *id, const char *ifname,
		    const char *netns, const char *detail)
{
	struct vmtap_gc_event ev = {
		.action = action, .dry_run = g->dry_run, .id = id, .ifname = ifname,
		.netns = netns, .detail = detail,
	};

	g->events++;
	if (g->fn)
		g->fn(&ev, g->userdata);
}

/* An action failed: its reported error is the event's detail. */
static void gc_failed(struct gc_run *g, const char *id, const char *ifname, const char *netns)
{
	gc_emit(g, VMTAP_GC_FAILED, id, ifname, netns, vmtap_ctx_error(g->ctx));
}

/*
 * Take @id's lock without waiting.  A dry run changes nothing, so it makes
 * no lock file: where there is none, nobody holds it, and it goes on unlocked.
 */
static int gc_lock(struct gc_run *g, const char *id, struct vt_lock *ret_lock)
{
	int r;

	if (!g->dry_run)
		return vt_state_lock(g->ctx, g->dirfd, id, 0, ret_lock);
	r = vt_state_lock_existing(g->ctx, g->dirfd, id, ret_lock);
	return r == -ENOENT ? 0 : r;
}

/* Scan namespace @spec too, unless it is one already listed under another name, or gone. */
static void gc_note_netns(struct gc_run *g, const char *spec)
{
	struct vt_netns_id id;
	char *copy;

	if (!spec || vt_netns_id(NULL, spec, &id) < 0)
		return;
	for (size_t i = 0; i < g->n_ns; i++)
		if (vt_netns_id_equal(&g->ns[i].id, &id))
			return;
	copy = strdup(spec);
	if (!copy || VT_GROW(g->ns, g->cap_ns, g->n_ns + 1) < 0) {
		free(copy);
		return;
	}
	g->ns[g->n_ns++] = (struct gc_ns){ .spec = copy, .id = id };
}

enum device_state { DEVICE_PRESENT, DEVICE_GONE, DEVICE_OUT_OF_REACH };

/*
 * Where a "ready" record's device stands.  DEVICE_GONE comes with @msg saying
 * what is true: the namespace or the device is gone, or the name belongs to
 * another device now.  A failure to find out is reported (-errno).
 */
static int ready_device_state(struct gc_run *g, const struct vt_record *rec, char *msg, size_t size)
{
	struct vmtap_ctx *ctx = g->ctx;
	struct vt_netns_id nsid;
	struct vmtap_link_info li;
	const char *why;
	struct vt_nl *nl;
	bool reachable;
	int r;

	r = vt_endpoint_record_netns(ctx, rec, &g->own, &nsid, &reachable);
	if (r == -ENOENT || r == -ESTALE) {
		snprintf(msg, size, "its namespace %s is gone%s", rec->netns,
			 r == -ESTALE ? " (the name now points to another namespace)" : "");
		return DEVICE_GONE;
	}
	if (r < 0)
		return r;
	if (!reachable)
		return DEVICE_OUT_OF_REACH;
	r = vt_nl_get(ctx, vt_record_netns(rec), &nl);
	if (r < 0)
		return r;
	r = vt_link_get(NULL, nl, rec->ifname, 0, &li);
	if (r == -ENODEV) {
		snprintf(msg, size, "its device %s is gone", rec->ifname);
		return DEVICE_GONE;
	}
	if (r < 0)
		return vt_fail_ack(ctx, r, vt_nl_ack(nl), "look up link", "%s", rec->ifname);
	if (!vt_endpoint_device_is_ours(rec, &li, g->state_id, &why)) {
		snprintf(msg, size, "its device is gone: %s exists but %s", rec->ifname, why);
		return DEVICE_GONE;
	}
	return DEVICE_PRESENT;
}

/*
 * Whether the process an ephemeral endpoint lives for still runs: its
 * hypervisor (pid and start time) once recorded, before that the process
 * that wrote the record.  When it cannot be told, it counts as running.
 * @msg says who is gone.
 */
static bool ephemeral_owner_alive(const struct vt_record *rec, char *msg, size_t size)
{
	if (rec->hv_pid) {
		snprintf(msg, size, "ephemeral, and its hypervisor (pid %d) has exited", rec->hv_pid);
		return vt_proc_alive(rec->hv_pid, rec->hv_start) != 0;
	}
	snprintf(msg, size, "ephemeral, and its creator (pid %d) exited before a hypervisor was recorded", rec->pid);
	return vt_proc_alive(rec->pid, 0) != 0;
}

/* One record, under its lock. */
static void gc_record(struct gc_run *g, const char *id)
{
	_cleanup_lock_ struct vt_lock lock = VT_LOCK_NONE;
	struct vmtap_ctx *ctx = g->ctx;
	char msg[VMTAP_ERROR_MAX];
	struct vt_record rec;
	bool deleted;
	int r;

	r = gc_lock(g, id, &lock);
	if (r == -EBUSY) {
		gc_emit(g, VMTAP_GC_BUSY, id, NULL, NULL, "in use by another vmtap process");
		/* its namespace may still hold orphans of other ids */
		if (vt_state_read(NULL, g->dirfd, id, &rec, NULL) == 0)
			gc_note_netns(g, vt_record_netns(&rec));
		return;
	}
	if (r < 0) {
		gc_failed(g, id, NULL, NULL);
		return;
	}
	r = vt_state_read(ctx, g->dirfd, id, &rec, NULL);
	if (r == -ENOENT) {
		lock.remove = !g->dry_run;
		return;
	}
	if (r < 0) {
		gc_emit(g, VMTAP_GC_UNPARSEABLE, id, NULL, NULL, vmtap_ctx_error(ctx));
		return;
	}
	gc_note_netns(g, vt_record_netns(&rec));

	if (rec.state == VMTAP_EP_READY && rec.ephemeral && !ephemeral_owner_alive(&rec, msg, sizeof(msg))) {
		if (!g->dry_run && ((r = vt_endpoint_teardown(ctx, g->dirfd, &rec, &deleted)) < 0 ||
				    (r = vt_state_remove(ctx, g->dirfd, id)) < 0)) {
			gc_failed(g, id, rec.ifname, vt_record_netns(&rec));
			return;
		}
		gc_emit(g, VMTAP_GC_DESTROYED_EPHEMERAL, id, rec.ifname, vt_record_netns(&rec), msg);
		lock.remove = !g->dry_run;
		return;
	}
	if (rec.state == VMTAP_EP_READY) {
		r = ready_device_state(g, &rec, msg, sizeof(msg));
		if (r < 0) {
			gc_failed(g, id, rec.ifname, vt_record_netns(&rec));
			return;
		}
		if (r == DEVICE_OUT_OF_REACH) {
			gc_emit(g, VMTAP_GC_LEFT_ALONE, id, rec.ifname, NULL,
				"its device is in the namespace it was created in, which has no name and is not this one: "
				"run gc there");
			return;
		}
		if (r == DEVICE_PRESENT)
			return;
		/* a redirect's filter on the device would now swallow the pod's traffic: it goes first */
		if (!g->dry_run && (rec.connection == VMTAP_CONNECT_REDIRECT || rec.connection == VMTAP_CONNECT_MACVTAP) &&
		    vt_endpoint_teardown(ctx, g->dirfd, &rec, &deleted) < 0) {
			gc_failed(g, id, rec.ifname, vt_record_netns(&rec));
			return;
		}
		if (!g->dry_run && vt_state_remove(ctx, g->dirfd, id) < 0) {
			gc_failed(g, id, rec.ifname, vt_record_netns(&rec));
			return;
		}
		gc_emit(g, VMTAP_GC_REMOVED_RECORD, id, rec.ifname, vt_record_netns(&rec), msg);
		lock.remove = !g->dry_run;
		return;
	}

	/* "creating" with nobody holding the lock: its creator died; "destroying": likewise */
	if (!g->dry_run) {
		if ((r = vt_endpoint_teardown(ctx, g->dirfd, &rec, &deleted)) < 0 ||
		    (r = vt_state_remove(ctx, g->dirfd, id)) < 0) {
			gc_failed(g, id, rec.ifname, vt_record_netns(&rec));
			return;
		}
	}
	gc_emit(g, rec.state == VMTAP_EP_CREATING ? VMTAP_GC_ROLLED_BACK : VMTAP_GC_FINISHED_DESTROY, id,
		rec.ifname[0] ? rec.ifname : NULL, vt_record_netns(&rec),
		rec.state == VMTAP_EP_CREATING ? "its creation never completed" : "its destruction never completed");
	lock.remove = !g->dry_run;
}

struct tagged {
	struct vt_tag tag;
	char ifname[VMTAP_IFNAMSIZ];
	char kind[16];
	int ifindex;
	bool made_by_vmtap;         /* of a kind vmtap makes: a TAP or a macvtap */
	bool is_tap;                /* the one kind the bridge helper makes */
	bool helper;                /* a bridge helper's TAP: @htag, not @tag */
	struct vt_helper_tag htag;
	uint32_t attached;          /* queues attached, enabled or not */
	bool persist;
	bool has_owner;
	uint32_t owner;
};

struct tagged_list {
	struct tagged *items;
	size_t n, cap;
};

static int collect_tagged(const struct vmtap_link_info *li, void *data)
{
	struct tagged_list *l = data;
	struct vt_tag tag = { 0 };
	struct vt_helper_tag htag = { 0 };
	bool helper = false;

	if (vt_tag_parse(li->alias, strlen(li->alias), &tag) < 0 &&
	    !(helper = vt_helper_tag_parse(li->alias, strlen(li->alias), &htag) == 0))
		return 0; /* not a tag we could have written */
	if (VT_GROW(l->items, l->cap, l->n + 1) < 0)
		return -ENOMEM;
	l->items[l->n] = (struct tagged){ .tag = tag, .ifindex = li->ifindex,
					  .made_by_vmtap = (li->is_tun && li->tun_type == IFF_TAP) ||
							   !strcmp(li->kind, "macvtap"),
					  .is_tap = li->is_tun && li->tun_type == IFF_TAP, .helper = helper,
					  .htag = htag, .attached = li->tun_num_queues + li->tun_num_disabled_queues,
					  .persist = li->tun_persist, .has_owner = li->tun_has_owner, .owner = li->tun_owner };
	snprintf(l->items[l->n].ifname, sizeof(l->items[l->n].ifname), "%s", li->name);
	snprintf(l->items[l->n].kind, sizeof(l->items[l->n].kind), "%s", li->kind[0] ? li->kind : "non-tun");
	l->n++;
	return 0;
}

/*
 * Whether a record of @t's id owns @t, found in namespace @ns: it names this
 * device in this namespace.  1 when it does or when that cannot be told (an
 * unreadable record still names the id), 0 when not.
 */
static bool gc_record_owns(struct gc_run *g, const struct tagged *t, const struct gc_ns *ns)
{
	struct vt_netns_id nsid;
	struct vt_record rec;
	bool reachable;
	int r;

	r = vt_state_read(NULL, g->dirfd, t->tag.id, &rec, NULL);
	if (r == -ENOENT)
		return false;
	if (r < 0)
		return true;
	r = vt_endpoint_record_netns(NULL, &rec, &g->own, &nsid, &reachable);
	if (r == -ENOENT || r == -ESTALE)
		return false;
	if (r < 0)
		return true; /* its namespace cannot be resolved now: it might be this one */
	return vt_netns_id_equal(&nsid, &ns->id) && !strcmp(rec.ifname, t->ifname) &&
	       (!rec.ifindex || rec.ifindex == t->ifindex);
}

/* Tagged device @t, found in @ns: delete it, under its id's lock, when provably an orphan of ours. */
static void gc_tagged(struct gc_run *g, struct vt_nl *nl, const struct gc_ns *ns, const struct tagged *t)
{
	_cleanup_lock_ struct vt_lock lock = VT_LOCK_NONE;
	struct vmtap_ctx *ctx = g->ctx;
	char why[128];
	int r;

	if (!t->made_by_vmtap) {
		snprintf(why, sizeof(why), "carries a vmtap tag but is a %s device, which vmtap never makes", t->kind);
		gc_emit(g, VMTAP_GC_LEFT_ALONE, t->tag.id, t->ifname, ns->spec, why);
		return;
	}
	if (!t->tag.state_id[0] || strcmp(t->tag.state_id, g->state_id)) {
		if (g->dirfd >= 0 && gc_record_owns(g, t, ns))
			return; /* an old tag, but the record names it: in use */
		gc_emit(g, VMTAP_GC_LEFT_ALONE, t->tag.id, t->ifname, ns->spec,
			t->tag.state_id[0] ? "its tag is another state directory's" :
					     "its tag (of an older vmtap) does not name a state directory, and no record "
					     "here names the device");
		return;
	}
	/* a create may be between its record and its tag: the lock settles it */
	r = gc_lock(g, t->tag.id, &lock);
	if (r == -EBUSY) {
		gc_emit(g, VMTAP_GC_BUSY, t->tag.id, t->ifname, ns->spec, "in use by another vmtap process");
		return;
	}
	if (r < 0) {
		gc_failed(g, t->tag.id, t->ifname, ns->spec);
		return;
	}
	if (gc_record_owns(g, t, ns))
		return;
	if (!g->dry_run) {
		r = vt_link_del(ctx, nl, t->ifindex, t->ifname);
		if (r < 0 && r != -ENODEV) {
			gc_failed(g, t->tag.id, t->ifname, ns->spec);
			return;
		}
	}
	gc_emit(g, VMTAP_GC_DELETED_ORPHAN, t->tag.id, t->ifname, ns->spec,
		"tagged by this state directory, without a record that names it");
	/* no record: the lock file can go too, unless a record of the id lives elsewhere */
	lock.remove = !g->dry_run && !vt_state_has_record(g->dirfd, t->tag.id);
}

/* Bridge helper TAP @t, found in @ns: see DOC.  Its QEMU's pid is taken at its word (the tag has no start time). */
static void gc_helper_tap(struct gc_run *g, struct vt_nl *nl, const struct gc_ns *ns, const struct tagged *t)
{
	char why[192];
	int r;

	if (!t->is_tap) {
		snprintf(why, sizeof(why), "carries a bridge helper's tag but is a %s device, which it never makes", t->kind);
		gc_emit(g, VMTAP_GC_LEFT_ALONE, NULL, t->ifname, ns->spec, why);
		return;
	}
	/* pid 0: the helper's parent was outside its pid namespace; a failure to look counts as running too */
	if (!t->htag.pid || vt_proc_alive(t->htag.pid, 0) != 0)
		return;
	if (!t->attached && !t->persist)
		return; /* its last queue was just closed: going by itself */
	if (t->attached) {
		snprintf(why, sizeof(why), "a bridge helper's TAP of uid %u: its QEMU (pid %d) has exited, but another "
			 "process still holds %u of its queues", (unsigned)t->htag.uid, t->htag.pid, (unsigned)t->attached);
		gc_emit(g, VMTAP_GC_LEFT_ALONE, NULL, t->ifname, ns->spec, why);
		return;
	}
	if (!t->has_owner || t->owner != t->htag.uid) {
		snprintf(why, sizeof(why), "carries a bridge helper's tag for uid %u, but is not owned by that uid, as the "
			 "helper's TAPs are", (unsigned)t->htag.uid);
		gc_emit(g, VMTAP_GC_LEFT_ALONE, NULL, t->ifname, ns->spec, why);
		return;
	}
	if (!g->dry_run) {
		r = vt_link_del(g->ctx, nl, t->ifindex, t->ifname);
		if (r < 0 && r != -ENODEV) {
			gc_failed(g, NULL, t->ifname, ns->spec);
			return;
		}
	}
	snprintf(why, sizeof(why), "a bridge helper's TAP of uid %u, made persistent, whose QEMU (pid %d) has exited "
		 "and whose queues nobody holds", (unsigned)t->htag.uid, t->htag.pid);
	gc_emit(g, VMTAP_GC_DELETED_ORPHAN, NULL, t->ifname, ns->spec, why);
}

/*
 * Whether filter @f, found in @ns, is in use: a record whose cookie it
 * carries names it (as its TAP's or its device's), or cannot be read, or is
 * being created or destroyed by a process holding its lock (gc_record()
 * settled those whose process died).  *@ret_id: the id of a record its
 * cookie names, if any.
 */
static bool gc_filter_used(struct gc_run *g, const struct gc_ns *ns, const struct vt_redirect_found *f, char **ids,
			   size_t n, const char **ret_id)
{
	for (size_t i = 0; i < n; i++) {
		uint8_t cookie[VT_TC_COOKIE_LEN];
		struct vt_netns_id nsid;
		struct vt_record rec;
		bool reachable;

		if (vt_tc_cookie_make(cookie, g->state_id, ids[i]) < 0 || memcmp(cookie, f->cookie, sizeof(cookie)))
			continue;
		*ret_id = ids[i];
		if (vt_state_read(NULL, g->dirfd, ids[i], &rec, NULL) < 0 || rec.state != VMTAP_EP_READY)
			return true;
		if (rec.connection != VMTAP_CONNECT_REDIRECT || rec.tc_prio != f->prio ||
		    vt_endpoint_record_netns(NULL, &rec, &g->own, &nsid, &reachable) < 0 || !vt_netns_id_equal(&nsid, &ns->id))
			continue;
		if ((f->ifindex == rec.link_ifindex && f->handle == rec.tc_dev_handle) ||
		    (f->ifindex == rec.ifindex && f->handle == rec.tc_tap_handle))
			return true;
	}
	return false;
}

/*
 * vmtap's filters in namespace @ns whose endpoint is gone.  The filters are
 * listed before the records: a filter is made after its record is written,
 * so a create that runs meanwhile has its record in the list.
 */
static void gc_filters(struct gc_run *g, struct vt_nl *nl, const struct gc_ns *ns)
{
	_cleanup_free_ struct vt_redirect_found *found = NULL;
	char **ids = NULL;
	size_t n_found = 0, n_ids = 0;
	int r;

	if (!g->state_id[0] || g->dirfd < 0)
		return; /* no identity: no cookie can carry it */
	r = vt_redirect_find(g->ctx, nl, g->state_id, &found, &n_found);
	if (r < 0) {
		gc_failed(g, NULL, NULL, ns->spec);
		return;
	}
	if (!n_found)
		return;
	if (vt_state_list_ids(g->ctx, g->dirfd, &ids, &n_ids) < 0) {
		gc_failed(g, NULL, NULL, ns->spec);
		return;
	}
	for (size_t i = 0; i < n_found; i++) {
		const struct vt_redirect_found *f = &found[i];
		const char *id = NULL;
		char detail[160];

		if (gc_filter_used(g, ns, f, ids, n_ids, &id))
			continue;
		if (!g->dry_run) {
			r = vt_redirect_remove_found(g->ctx, nl, f);
			if (r < 0 && r != -ENOENT) {
				gc_failed(g, id, f->ifname, ns->spec);
				continue;
			}
		}
		snprintf(detail, sizeof(detail),
			 "a tc filter with this state directory's cookie (priority %u, handle %x:%x:%x) that no endpoint "
			 "uses; the ingress qdisc it sits on stays", f->prio, f->handle >> 20, (f->handle >> 12) & 0xff,
			 f->handle & 0xfff);
		gc_emit(g, VMTAP_GC_REMOVED_FILTER, id, f->ifname, ns->spec, detail);
	}
	vt_state_free_ids(ids, n_ids);
}

/* The tagged devices of namespace @ns, then vmtap's filters there. */
static void gc_orphans(struct gc_run *g, const struct gc_ns *ns)
{
	_cleanup_free_ struct tagged *items = NULL;
	struct tagged_list l = { 0 };
	struct vt_nl *nl;
	int r;

	r = vt_nl_get(g->ctx, ns->spec, &nl);
	if (r < 0) {
		if (r != -ENOENT)
			gc_failed(g, NULL, NULL, ns->spec);
		return;
	}
	r = vt_link_dump(g->ctx, nl, false, false, collect_tagged, &l);
	items = l.items;
	if (r < 0) {
		gc_failed(g, NULL, NULL, ns->spec);
		return;
	}
	for (size_t i = 0; i < l.n; i++)
		(items[i].helper ? gc_helper_tap : gc_tagged)(g, nl, ns, &items[i]);
	gc_filters(g, nl, ns);
}

/*
 * Files a killed process can leave: a lock file whose record was never
 * written, a plug lock, and a temporary record it was writing.  A lock file
 * goes only if we can take the lock and there is still no record; a
 * temporary file only if the process named in it is gone.
 */
static int gc_stray_file(const struct vt_state_entry *e, void *data)
{
	struct gc_run *g = data;
	_cleanup_lock_ struct vt_lock lock = VT_LOCK_NONE;

	if (g->dry_run)
		return 0;
	switch (e->kind) {
	case VT_STATE_LOCK:
		if (e->id_valid && vt_state_lock(NULL, g->dirfd, e->id, 0, &lock) == 0)
			lock.remove = !vt_state_has_record(g->dirfd, e->id);
		break;
	case VT_STATE_PLUG:
		/* a plug lock nobody holds was left by a killed hot-plug or unplug; released, it goes */
		if (e->id_valid)
			(void)vt_state_plug_lock(NULL, g->dirfd, e->id, true, &lock);
		break;
	case VT_STATE_TEMP:
		if (e->pid > 0 && kill(e->pid, 0) < 0 && errno == ESRCH)
			(void)unlinkat(g->dirfd, e->name, 0);
		break;
	default:
		break;
	}
	return 0;
}

VT_EXPORT int vmtap_gc(struct vmtap_ctx *ctx, uint32_t flags, vmtap_gc_fn fn, void *userdata)
{
	struct gc_run g = { .ctx = ctx, .dry_run = flags & VMTAP_GC_DRY_RUN, .fn = fn, .userdata = userdata,
			    .dirfd = -1 };
	char **ids = NULL;
	size_t n = 0;
	int r;

	vt_clear_error(ctx);
	if (flags & ~VMTAP_GC_FLAGS_ALL)
		return vt_fail(ctx, -EINVAL, "validate", "unknown flags 0x%x", flags & ~VMTAP_GC_FLAGS_ALL);
	r = vt_netns_id(ctx, NULL, &g.own);
	if (r < 0)
		return r;
	if (VT_GROW(g.ns, g.cap_ns, 1) < 0)
		return vt_fail(ctx, -ENOMEM, "gc", NULL);
	g.ns[g.n_ns++] = (struct gc_ns){ .spec = NULL, .id = g.own };
	/* never made by gc, not even for real: without a directory there are no records to reconcile */
	r = vt_state_open(ctx, false, &g.dirfd);
	if (r == -ENOENT)
		g.dirfd = -1;
	else if (r < 0 || (r = vt_state_identity_get(ctx, g.dirfd, g.state_id)) < 0 ||
		 (r = vt_state_list_ids(ctx, g.dirfd, &ids, &n)) < 0)
		goto out;
	for (size_t i = 0; i < n; i++) {
		if (vt_id_check(NULL, ids[i]) < 0) {
			char file[VMTAP_ID_MAX + VT_STATE_PATH_MAX + 8], detail[sizeof(file) + 64];
			vt_state_record_path(ctx, ids[i], file, sizeof(file));
			snprintf(detail, sizeof(detail), "%s: the file name is not a valid endpoint id", file);
			gc_emit(&g, VMTAP_GC_UNPARSEABLE, NULL, NULL, NULL, detail);
			continue;
		}
		gc_record(&g, ids[i]);
	}
	for (size_t i = 0; i < g.n_ns; i++)
		gc_orphans(&g, &g.ns[i]);
	if (g.dirfd >= 0)
		(void)vt_state_foreach(NULL, g.dirfd, gc_stray_file, &g);
	/* the failures gc met went to the callback as events: they are no failure of this call */
	vt_clear_error(ctx);
	r = g.events;
out:
	vt_state_free_ids(ids, n);
	for (size_t i = 0; i < g.n_ns; i++)
		free(g.ns[i].spec);
	free(g.ns);
	if (g.dirfd >= 0)
		close(g.dirfd);
	return r;
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Endpoints: the transactional create/destroy lifecycle over tun, link and state, and garbage collection. */
/**
 * DOC: Theory of Operation
 *
 * Creating an endpoint is a sequence of steps, each undone if a later one
 * fails:
 *
 *   lock -> record "creating" -> create the TAP (queues open, not persistent)
 *        -> tag and configure the link (alias "vmtap:<id>", MAC, MTU, bridge, up)
 *        -> make it persistent -> record "ready" -> unlock
 *
 * The device becomes persistent only once it carries its tag, so a process
 * killed at any point leaves either nothing in the kernel (its fds closed,
 * the kernel removed the device) or a tagged device; and a tagged device
 * exists only while a record of its id exists, or a record was being
 * removed.  vmtap_gc() reconciles the two sides under the same per-endpoint
 * locks: tagged devices without a record are deleted, records without a
 * device are removed, "creating" records of dead processes are rolled back.
 * It recognises devices by their tag alone and never touches any other.
 */
#include <fcntl.h>
#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <sys/file.h>
#include <linux/if_tun.h>

#include "internal.h"
#include "link.h"
#include "state.h"
#include "validate.h"
#include "endpoint.h"

#define VT_LOCK_WAIT_MS 10000

struct vmtap_endpoint {
	struct vt_record rec;
	char *json;
};

VT_EXPORT void vmtap_endpoint_default_mac(const char *id, uint8_t ret_mac[6])
{
	/* FNV-1a: stable across runs and builds, which is all a default MAC needs */
	uint32_t h = 2166136261u;

	for (const char *p = id ? id : ""; *p; p++) {
		h ^= (uint8_t)*p;
		h *= 16777619u;
	}
	ret_mac[0] = 0x52;
	ret_mac[1] = 0x54;
	ret_mac[2] = 0x00;
	ret_mac[3] = (uint8_t)(h >> 16);
	ret_mac[4] = (uint8_t)(h >> 8);
	ret_mac[5] = (uint8_t)h;
}

static int spec_check(struct vmtap_ctx *ctx, const struct vmtap_endpoint_spec *s)
{
	int r;

	if (s->flags & ~VMTAP_EP_FLAGS_ALL)
		return vt_fail(ctx, -EINVAL, "validate", "unknown endpoint flags 0x%x", s->flags & ~VMTAP_EP_FLAGS_ALL);
	r = vt_queues_check(ctx, s->queues ? s->queues : 1);
	if (r < 0)
		return r;
	if (s->ifname && (r = vt_name_check(ctx, "interface name", s->ifname, true)) < 0)
		return r;
	if (s->mtu && (s->mtu < VMTAP_MTU_MIN || s->mtu > VMTAP_MTU_MAX))
		return vt_fail(ctx, -EINVAL, "validate", "MTU %u is outside %d..%d", s->mtu, VMTAP_MTU_MIN, VMTAP_MTU_MAX);
	if (s->set_guest_mac && !vmtap_mac_usable(s->guest_mac))
		return vt_fail(ctx, -EINVAL, "validate", "guest MAC must be unicast and not all zeros");
	if (s->set_host_mac && !vmtap_mac_usable(s->host_mac))
		return vt_fail(ctx, -EINVAL, "validate", "host MAC must be unicast and not all zeros");
	/* a record keeps 255 bytes of it: a longer one is refused, never cut to name another namespace */
	if (s->netns && (r = vt_netns_spec_check(ctx, s->netns, 255)) < 0)
		return r;
	switch (s->connection) {
	case VMTAP_CONNECT_NONE:
		if (s->bridge)
			return vt_fail(ctx, -EINVAL, "validate", "a bridge was given without the bridge connection");
		break;
	case VMTAP_CONNECT_BRIDGE:
		if (!s->bridge)
			return vt_fail(ctx, -EINVAL, "validate", "the bridge connection needs a bridge name");
		if ((r = vt_name_check(ctx, "bridge name", s->bridge, false)) < 0)
			return r;
		break;
	default:
		return vt_fail(ctx, -EINVAL, "validate", "unknown connection type %d", (int)s->connection);
	}
	return 0;
}

static void record_from_spec(struct vt_record *rec, const char *id, const struct vmtap_endpoint_spec *s)
{
	memset(rec, 0, sizeof(*rec));
	snprintf(rec->id, sizeof(rec->id), "%s", id);
	rec->state = VMTAP_EP_CREATING;
	rec->pid = (int)getpid();
	rec->queues = s->queues ? s->queues : 1;
	rec->vnet_hdr = !(s->flags & VMTAP_EP_NO_VNET_HDR);
	rec->vhost = s->flags & VMTAP_EP_VHOST;
	rec->down = s->flags & VMTAP_EP_DOWN;
	rec->mtu = s->mtu;
	if (s->set_guest_mac)
		memcpy(rec->guest_mac, s->guest_mac, 6);
	else
		vmtap_endpoint_default_mac(id, rec->guest_mac);
	if (s->set_host_mac)
		memcpy(rec->host_mac, s->host_mac, 6);
	else
		vmtap_mac_host_side(rec->guest_mac, rec->host_mac);
	rec->has_owner = s->flags & VMTAP_EP_SET_OWNER;
	rec->owner = s->owner;
	rec->has_group = s->flags & VMTAP_EP_SET_GROUP;
	rec->group = s->group;
	if (s->netns)
		snprintf(rec->netns, sizeof(rec->netns), "%s", s->netns);
	rec->connection = s->connection;
	if (s->bridge)
		snprintf(rec->bridge, sizeof(rec->bridge), "%s", s->bridge);
	/* an explicit name is known before the device exists: a crash report can name it */
	if (s->ifname && !strchr(s->ifname, '%'))
		snprintf(rec->ifname, sizeof(rec->ifname), "%s", s->ifname);
}

static int endpoint_wrap(struct vt_record *rec, struct vmtap_endpoint **ret)
{
	struct vmtap_endpoint *ep = calloc(1, sizeof(*ep));

	if (!ep)
		return -ENOMEM;
	if (vt_record_format(rec, &ep->json) < 0) {
		free(ep);
		return -ENOMEM;
	}
	ep->rec = *rec;
	memset(rec, 0, sizeof(*rec));
	*ret = ep;
	return 0;
}

static const char *ns_or_null(const struct vt_record *rec)
{
	return rec->netns[0] ? rec->netns : NULL;
}

/*
 * Whether the device @li is the one record @rec made: a TAP carrying the
 * record's tag with this state directory's identity (@state_id, "" when the
 * directory has none) and, once known, the recorded ifindex.  A tag of an
 * older vmtap has no identity: the recorded ifindex is the proof then.  @why
 * says what failed.
 */
static bool device_is_ours(const struct vt_record *rec, const struct vmtap_link_info *li, const char *state_id,
			   const char **why)
{
	struct vt_tag tag;

	if (!li->is_tun || li->tun_type != IFF_TAP) {
		*why = "is not a TAP device";
		return false;
	}
	if (vt_tag_parse(li->alias, strlen(li->alias), &tag) < 0 || strcmp(tag.id, rec->id)) {
		*why = "does not carry the endpoint's tag";
		return false;
	}
	if (tag.state_id[0] ? strcmp(tag.state_id, state_id) != 0 : !rec->ifindex || rec->ifindex != li->ifindex) {
		*why = tag.state_id[0] ? "carries the tag of another state directory" :
					 "carries an old tag without a state identity and another ifindex";
		return false;
	}
	if (rec->ifindex && rec->ifindex != li->ifindex) {
		*why = "is another device of the same name (its ifindex differs from the recorded one)";
		return false;
	}
	return true;
}

/*
 * The identity of the namespace that holds @rec's device.  A named namespace
 * is resolved now: -ENOENT when it is gone, -ESTALE when its name now
 * points to another namespace than the one the device was made in.  An
 * unnamed one (the creator's own) is known by its recorded identity only:
 * *@ret_reachable tells whether it is the caller's own, where the device can
 * be looked at.
 */
static int record_netns(struct vmtap_ctx *ctx, const struct vt_record *rec, const struct vt_netns_id *own,
			struct vt_netns_id *ret_id, bool *ret_reachable)
{
	struct vt_netns_id id;
	int r;

	if (rec->netns[0]) {
		r = vt_netns_id(NULL, rec->netns, &id);
		if (r == -ENOENT || r == -EINVAL)
			return -ENOENT;
		if (r < 0)
			return vt_netns_id(ctx, rec->netns, &id); /* again, to say why */
		if (rec->netns_id.ino && !vt_netns_id_equal(&id, &rec->netns_id))
			return -ESTALE;
		*ret_reachable = true;
	} else {
		/* records of older vmtap versions hold no identity: the caller's namespace, as they assumed */
		id = rec->netns_id.ino ? rec->netns_id : *own;
		*ret_reachable = vt_netns_id_equal(&id, own);
	}
	*ret_id = id;
	return 0;
}

/* The state directory's identity, "" when it has none yet. */
static int state_id_get(struct vmtap_ctx *ctx, int dirfd, char ret_id[VT_STATE_ID_LEN + 1])
{
	int r = vt_state_identity(ctx, dirfd, false, ret_id);

	if (r == -ENOENT) {
		ret_id[0] = '\0';
		return 0;
	}
	return r;
}

/*
 * Delete the device of @rec if it is there and provably @rec's.  A device,
 * or namespace, already gone is success: destroy is idempotent.
 */
static int delete_tagged_device(struct vmtap_ctx *ctx, int dirfd, const struct vt_record *rec, bool *ret_deleted)
{
	char state_id[VT_STATE_ID_LEN + 1];
	struct vt_netns_id own, nsid;
	struct vmtap_link_info li;
	const char *why;
	struct vt_nl *nl;
	bool reachable;
	int r;

	*ret_deleted = false;
	if (!rec->ifname[0])
		return 0;
	if ((r = vt_netns_id(ctx, NULL, &own)) < 0 || (r = state_id_get(ctx, dirfd, state_id)) < 0)
		return r;
	r = record_netns(ctx, rec, &own, &nsid, &reachable);
	if (r == -ENOENT || r == -ESTALE)
		return 0; /* the namespace is gone, and the device with it */
	if (r < 0)
		return r;
	if (!reachable)
		return vt_fail(ctx, -EXDEV, "delete device",
			       "%s is in the namespace endpoint %s was created in, which has no name and is not this one: "
			       "run this in that namespace", rec->ifname, rec->id);
	r = vt_nl_get(ctx, ns_or_null(rec), &nl);
	if (r < 0)
		return r;
	r = vt_link_get(ctx, nl, rec->ifname, 0, &li);
	if (r == -ENODEV) {
		vt_clear_error(ctx);
		return 0;
	}
	if (r < 0)
		return r;
	if (!device_is_ours(rec, &li, state_id, &why)) {
		vt_log(ctx, VMTAP_LOG_WARNING, "%s %s: left alone", rec->ifname, why);
		return 0;
	}
	if ((r = vt_fault(ctx, "delete device")) < 0)
		return r;
	r = vt_link_del(ctx, nl, li.ifindex, rec->ifname);
	if (r == -ENODEV) {
		vt_clear_error(ctx);
		return 0;
	}
	if (r < 0)
		return r;
	*ret_deleted = true;
	return 0;
}

VT_EXPORT int vmtap_endpoint_create(struct vmtap_ctx *ctx, const char *id, const struct vmtap_endpoint_spec *user_spec,
				    struct vmtap_endpoint **ret_endpoint)
{
	struct vmtap_endpoint_spec s;
	struct vt_record rec, existing;
	_cleanup_close_ int dirfd = -1;
	int lockfd = -1, r;
	struct vmtap_tap *tap = NULL;
	char tag[VT_TAG_MAX], state_id[VT_STATE_ID_LEN + 1];
	struct vt_netns_id nsid;
	bool recorded = false, absent = false;

	vt_clear_error(ctx);
	r = vt_id_check(ctx, id);
	if (r < 0)
		return r;
	if (!VT_OPTS_COPY(s, user_spec))
		return vt_fail(ctx, -EINVAL, "validate", "spec struct has unknown non-zero fields");
	r = spec_check(ctx, &s);
	if (r < 0)
		return r;
	if ((s.flags & VMTAP_EP_VHOST) && access("/dev/vhost-net", R_OK | W_OK) < 0)
		vt_log(ctx, VMTAP_LOG_WARNING, "%s: vhost-net is unavailable (%s): its queues will be handed off with vhost=off",
		       id, strerror(errno));

	/* the namespace is resolved once, and its identity kept: a name may later point elsewhere */
	r = vt_netns_id(ctx, s.netns, &nsid);
	if (r < 0)
		return r;
	r = vt_state_open(ctx, true, &dirfd);
	if (r < 0)
		return r;
	r = vt_state_identity(ctx, dirfd, true, state_id);
	if (r < 0)
		return r;
	if ((r = vt_fault(ctx, "lock")) < 0 || (r = vt_state_lock(ctx, dirfd, id, VT_LOCK_WAIT_MS, &lockfd)) < 0)
		return r;

	r = vt_state_read(ctx, dirfd, id, &existing, NULL);
	if (r == 0) {
		vt_record_clear(&existing);
		r = vt_fail(ctx, -EEXIST, "create endpoint", "endpoint %s exists", id);
		goto out_unlock;
	}
	absent = r == -ENOENT;
	if (!absent) {
		/* an unreadable record still names the id: never overwrite it */
		int err = r;
		char text[VMTAP_ERROR_MAX];
		snprintf(text, sizeof(text), "%s", vmtap_ctx_error(ctx));
		vt_clear_error(ctx);
		r = vt_fail(ctx, err == -ELOOP || err == -EBADMSG || err == -EFBIG ? -EEXIST : err,
			    "create endpoint", "a record of %s is there but unusable (%s)", id, text);
		goto out_unlock;
	}

	record_from_spec(&rec, id, &s);
	rec.netns_id = nsid;
	if ((r = vt_fault(ctx, "record creating")) < 0 || (r = vt_state_write(ctx, dirfd, &rec)) < 0)
		goto out_unlock;
	recorded = true;

	vt_tag_format(tag, id, state_id);
	{
		VMTAP_OPTS(vmtap_link_set_opts, link, .mtu = s.mtu, .set_mac = true, .alias = tag,
			   .master = s.connection == VMTAP_CONNECT_BRIDGE ? s.bridge : NULL,
			   .state = (s.flags & VMTAP_EP_DOWN) ? VMTAP_LINK_DOWN : VMTAP_LINK_UP);
		VMTAP_OPTS(vmtap_tap_opts, topts, .name = s.ifname, .queues = s.queues,
			   .flags = VMTAP_TAP_PERSIST | ((s.flags & VMTAP_EP_NO_VNET_HDR) ? VMTAP_TAP_NO_VNET_HDR : 0) |
				    ((s.flags & VMTAP_EP_SET_OWNER) ? VMTAP_TAP_SET_OWNER : 0) |
				    ((s.flags & VMTAP_EP_SET_GROUP) ? VMTAP_TAP_SET_GROUP : 0) |
				    ((s.flags & VMTAP_EP_KERNEL_QDISC) ? VMTAP_TAP_KERNEL_QDISC : 0),
			   .owner = s.owner, .group = s.group, .netns = s.netns, .link = &link);
		memcpy(link.mac, rec.host_mac, 6);
		r = vt_tap_open(ctx, &topts, &(struct vt_tap_how){ .allow_tag = true }, &tap);
		if (r < 0)
			goto out_undo;
	}
	snprintf(rec.ifname, sizeof(rec.ifname), "%s", vmtap_tap_name(tap));
	rec.ifindex = vmtap_tap_ifindex(tap);
	rec.state = VMTAP_EP_READY;
	rec.pid = (int)getpid();
	if ((r = vt_fault(ctx, "record ready")) < 0 || (r = vt_state_write(ctx, dirfd, &rec)) < 0)
		goto out_undo;
	vmtap_tap_free(tap); /* persistent: the device stays */
	tap = NULL;
	if (ret_endpoint) {
		r = endpoint_wrap(&rec, ret_endpoint);
		if (r < 0) {
			vt_record_clear(&rec);
			r = 0; /* created all the same; the caller can load it */
		}
	}
	vt_record_clear(&rec);
	vt_state_unlock(dirfd, id, lockfd, false);
	return 0;

out_undo:
	if (tap) {
		int err = r;
		/* unpersist and close: the kernel removes the device with its last fd */
		r = vmtap_tap_destroy(NULL, tap);
		if (r < 0)
			vt_log(ctx, VMTAP_LOG_ERR, "undo: could not remove %s: %s", rec.ifname, strerror(-r));
		r = err;
	}
out_unlock:
	if (recorded) {
		if (vt_state_remove(NULL, dirfd, id) < 0)
			vt_log(ctx, VMTAP_LOG_ERR, "undo: could not remove the record of %s", id);
		vt_record_clear(&rec);
	}
	/* the lock file goes with the record; one that exists keeps it */
	vt_state_unlock(dirfd, id, lockfd, absent);
	return r;
}

/*
 * Open the state directory, take @id's lock and read its record.  No record
 * is -ENOENT, reported as "no endpoint" under @step, with the lock dropped.
 */
static int endpoint_lock_read(struct vmtap_ctx *ctx, const char *id, const char *step, int *ret_dirfd,
			      int *ret_lockfd, struct vt_record *ret_rec)
{
	int dirfd = -1, lockfd = -1, r;

	r = vt_id_check(ctx, id);
	if (r < 0)
		return r;
	r = vt_state_open(ctx, false, &dirfd);
	if (r == -ENOENT) {
		vt_clear_error(ctx);
		return vt_fail(ctx, -ENOENT, step, "no endpoint %s", id);
	}
	if (r < 0)
		return r;
	r = vt_state_lock(ctx, dirfd, id, VT_LOCK_WAIT_MS, &lockfd);
	if (r < 0) {
		close(dirfd);
		return r;
	}
	r = vt_state_read(ctx, dirfd, id, ret_rec, NULL);
	if (r < 0) {
		vt_state_unlock(dirfd, id, lockfd, r == -ENOENT);
		close(dirfd);
		return r == -ENOENT ? vt_fail(ctx, -ENOENT, step, "no endpoint %s", id) : r;
	}
	*ret_dirfd = dirfd;
	*ret_lockfd = lockfd;
	return 0;
}

VT_EXPORT int vmtap_endpoint_destroy(struct vmtap_ctx *ctx, const char *id)
{
	_cleanup_close_ int dirfd = -1;
	struct vt_record rec;
	int lockfd = -1, r;
	bool deleted;

	vt_clear_error(ctx);
	r = endpoint_lock_read(ctx, id, "destroy endpoint", &dirfd, &lockfd, &rec);
	if (r < 0)
		return r;
	rec.state = VMTAP_EP_DESTROYING;
	rec.pid = (int)getpid();
	if ((r = vt_fault(ctx, "record destroying")) < 0 || (r = vt_state_write(ctx, dirfd, &rec)) < 0)
		goto out;
	r = delete_tagged_device(ctx, dirfd, &rec, &deleted);
	if (r < 0)
		goto out; /* the record says "destroying": a later destroy or gc finishes */
	r = vt_state_remove(ctx, dirfd, id);
out:
	vt_state_unlock(dirfd, id, lockfd, r == 0);
	vt_record_clear(&rec);
	return r;
}

VT_EXPORT int vmtap_endpoint_load(struct vmtap_ctx *ctx, const char *id, struct vmtap_endpoint **ret_endpoint)
{
	_cleanup_close_ int dirfd = -1;
	_cleanup_free_ char *text = NULL;
	struct vmtap_endpoint *ep;
	struct vt_record rec;
	int r;

	vt_clear_error(ctx);
	if (!ret_endpoint)
		return vt_fail(ctx, -EINVAL, "validate", "no output handle");
	r = vt_id_check(ctx, id);
	if (r < 0)
		return r;
	r = vt_state_open(ctx, false, &dirfd);
	if (r == -ENOENT) {
		vt_clear_error(ctx);
		return vt_fail(ctx, -ENOENT, "load endpoint", "no endpoint %s", id);
	}
	if (r < 0)
		return r;
	r = vt_state_read(ctx, dirfd, id, &rec, &text);
	if (r == -ENOENT)
		return vt_fail(ctx, -ENOENT, "load endpoint", "no endpoint %s", id);
	if (r < 0)
		return r;
	ep = calloc(1, sizeof(*ep));
	if (!ep) {
		vt_record_clear(&rec);
		return vt_fail(ctx, -ENOMEM, "load endpoint", NULL);
	}
	ep->rec = rec;
	ep->json = TAKE_PTR(text);
	*ret_endpoint = ep;
	return 0;
}

VT_EXPORT struct vmtap_endpoint *vmtap_endpoint_free(struct vmtap_endpoint *ep)
{
	if (!ep)
		return NULL;
	vt_record_clear(&ep->rec);
	free(ep->json);
	free(ep);
	return NULL;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The ids that have a record file, sorted; -ENOENT when there is no state directory. */
static int list_ids(struct vmtap_ctx *ctx, int dirfd, char ***ret_ids, size_t *ret_n)
{
	int fd = fcntl(dirfd, F_DUPFD_CLOEXEC, 3);
	DIR *d;
	struct dirent *e;
	char **ids = NULL;
	size_t n = 0, cap = 0;

	if (fd < 0)
		return vt_fail(ctx, -errno, "list records", NULL);
	d = fdopendir(fd);
	if (!d) {
		close(fd);
		return vt_fail(ctx, -errno, "list records", NULL);
	}
	rewinddir(d);
	while ((e = readdir(d))) {
		size_t len = strlen(e->d_name);
		if (e->d_name[0] == '.' || len <= 5 || strcmp(e->d_name + len - 5, ".json"))
			continue;
		if (n == cap) {
			char **more = realloc(ids, (cap = cap ? cap * 2 : 16) * sizeof(*ids));
			if (!more)
				goto nomem;
			ids = more;
		}
		ids[n] = strndup(e->d_name, len - 5);
		if (!ids[n])
			goto nomem;
		n++;
	}
	closedir(d);
	if (n)
		qsort(ids, n, sizeof(*ids), cmp_str);
	*ret_ids = ids;
	*ret_n = n;
	return 0;
nomem:
	closedir(d);
	for (size_t i = 0; i < n; i++)
		free(ids[i]);
	free(ids);
	return vt_fail(ctx, -ENOMEM, "list records", NULL);
}

static void free_ids(char **ids, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(ids[i]);
	free(ids);
}

VT_EXPORT int vmtap_endpoint_foreach(struct vmtap_ctx *ctx, vmtap_endpoint_fn fn, void *userdata)
{
	_cleanup_close_ int dirfd = -1;
	char **ids = NULL;
	size_t n = 0;
	int r, ret = 0;

	vt_clear_error(ctx);
	if (!fn)
		return vt_fail(ctx, -EINVAL, "validate", "no callback");
	r = vt_state_open(ctx, false, &dirfd);
	if (r == -ENOENT) {
		vt_clear_error(ctx);
		return 0; /* no directory: no endpoints */
	}
	if (r < 0)
		return r;
	r = list_ids(ctx, dirfd, &ids, &n);
	if (r < 0)
		return r;
	for (size_t i = 0; i < n && !ret; i++) {
		struct vmtap_endpoint ep = { 0 };
		char file[VMTAP_ID_MAX + 300];

		snprintf(file, sizeof(file), "%s/%s.json", vt_state_path(ctx), ids[i]);
		if (vt_id_check(NULL, ids[i]) < 0) {
			ret = fn(NULL, file, "the file name is not a valid endpoint id", userdata);
			continue;
		}
		vt_clear_error(ctx);
		r = vt_state_read(ctx, dirfd, ids[i], &ep.rec, &ep.json);
		if (r == -ENOENT)
			continue; /* destroyed meanwhile */
		if (r < 0) {
			ret = fn(NULL, file, vmtap_ctx_error(ctx), userdata);
			continue;
		}
		ret = fn(&ep, file, NULL, userdata);
		vt_record_clear(&ep.rec);
		free(ep.json);
	}
	vt_clear_error(ctx);
	free_ids(ids, n);
	return ret;
}

VT_EXPORT const char *vmtap_endpoint_id(const struct vmtap_endpoint *ep)
{
	return ep ? ep->rec.id : NULL;
}

VT_EXPORT enum vmtap_endpoint_state vmtap_endpoint_state(const struct vmtap_endpoint *ep)
{
	return ep ? ep->rec.state : 0;
}

VT_EXPORT const char *vmtap_endpoint_ifname(const struct vmtap_endpoint *ep)
{
	return ep ? ep->rec.ifname : NULL;
}

VT_EXPORT const char *vmtap_endpoint_netns(const struct vmtap_endpoint *ep)
{
	return ep && ep->rec.netns[0] ? ep->rec.netns : NULL;
}

VT_EXPORT unsigned int vmtap_endpoint_queues(const struct vmtap_endpoint *ep)
{
	return ep ? ep->rec.queues : 0;
}

VT_EXPORT bool vmtap_endpoint_vnet_hdr(const struct vmtap_endpoint *ep)
{
	return ep && ep->rec.vnet_hdr;
}

VT_EXPORT bool vmtap_endpoint_vhost(const struct vmtap_endpoint *ep)
{
	return ep && ep->rec.vhost;
}

VT_EXPORT uint32_t vmtap_endpoint_mtu(const struct vmtap_endpoint *ep)
{
	return ep ? ep->rec.mtu : 0;
}

VT_EXPORT void vmtap_endpoint_guest_mac(const struct vmtap_endpoint *ep, uint8_t ret_mac[6])
{
	if (ep)
		memcpy(ret_mac, ep->rec.guest_mac, 6);
}

VT_EXPORT void vmtap_endpoint_host_mac(const struct vmtap_endpoint *ep, uint8_t ret_mac[6])
{
	if (ep)
		memcpy(ret_mac, ep->rec.host_mac, 6);
}

VT_EXPORT const char *vmtap_endpoint_bridge(const struct vmtap_endpoint *ep)
{
	return ep && ep->rec.connection == VMTAP_CONNECT_BRIDGE ? ep->rec.bridge : NULL;
}

VT_EXPORT const char *vmtap_endpoint_json(const struct vmtap_endpoint *ep)
{
	return ep ? ep->json : NULL;
}

/*
 * The device of @rec, looked up where it lives and proven to be the one the
 * record made (see device_is_ours()): a name alone proves nothing, another
 * device may have taken it since.
 */
static int record_device(struct vmtap_ctx *ctx, int dirfd, const struct vt_record *rec, const char *step,
			 struct vmtap_link_info *ret_li)
{
	char state_id[VT_STATE_ID_LEN + 1];
	struct vt_netns_id own, nsid;
	const char *why;
	struct vt_nl *nl;
	bool reachable;
	int r;

	if ((r = vt_netns_id(ctx, NULL, &own)) < 0 || (r = state_id_get(ctx, dirfd, state_id)) < 0)
		return r;
	r = record_netns(ctx, rec, &own, &nsid, &reachable);
	if (r == -ENOENT || r == -ESTALE)
		return vt_fail(ctx, -ENODEV, step, "endpoint %s's namespace %s is gone%s", rec->id, rec->netns,
			       r == -ESTALE ? " (its name now points to another namespace)" : "");
	if (r < 0)
		return r;
	if (!reachable)
		return vt_fail(ctx, -EXDEV, step,
			       "endpoint %s's device is in the namespace it was created in, which has no name and is "
			       "not this one", rec->id);
	r = vt_nl_get(ctx, ns_or_null(rec), &nl);
	if (r < 0)
		return r;
	r = vt_link_get(ctx, nl, rec->ifname, 0, ret_li);
	if (r == -ENODEV) {
		vt_clear_error(ctx);
		return vt_fail(ctx, -ENODEV, step, "endpoint %s's device %s is gone", rec->id, rec->ifname);
	}
	if (r < 0)
		return r;
	if (!device_is_ours(rec, ret_li, state_id, &why))
		return vt_fail(ctx, -ENODEV, step, "%s is not endpoint %s's device any more: it %s; refusing to touch it",
			       rec->ifname, rec->id, why);
	return 0;
}

VT_EXPORT int vmtap_endpoint_open(struct vmtap_ctx *ctx, const char *id, struct vmtap_tap **ret_tap)
{
	_cleanup_close_ int dirfd = -1;
	struct vmtap_link_info li;
	struct vt_record rec;
	int lockfd = -1, r;

	vt_clear_error(ctx);
	if (!ret_tap)
		return vt_fail(ctx, -EINVAL, "validate", "no output handle");
	/* under the lock, so a concurrent destroy cannot pull the device away half-way */
	r = endpoint_lock_read(ctx, id, "open endpoint", &dirfd, &lockfd, &rec);
	if (r < 0)
		return r;
	if (rec.state != VMTAP_EP_READY) {
		r = vt_fail(ctx, -EBUSY, "open endpoint", "endpoint %s is %s, not ready", id,
			    vmtap_endpoint_state_name(rec.state));
	} else if ((r = record_device(ctx, dirfd, &rec, "open endpoint", &li)) == 0) {
		/* one hypervisor at a time: a second set of queues would share the traffic with the first */
		VMTAP_OPTS(vmtap_tap_opts, o, .name = rec.ifname, .queues = rec.queues, .netns = ns_or_null(&rec),
			   .flags = (rec.vnet_hdr ? 0 : VMTAP_TAP_NO_VNET_HDR) | (rec.queues > 1 ? VMTAP_TAP_MULTI_QUEUE : 0) |
				    VMTAP_TAP_ATTACH_UNUSED);
		r = vt_tap_open(ctx, &o, &(struct vt_tap_how){ .attach = true, .expect_ifindex = li.ifindex }, ret_tap);
		if (r == -EBUSY && rec.hv_pid) {
			char why[VMTAP_ERROR_MAX];
			snprintf(why, sizeof(why), "%s", vmtap_ctx_error(ctx));
			vt_clear_error(ctx);
			r = vt_fail(ctx, -EBUSY, "open endpoint", "endpoint %s is in use: %s (recorded: QEMU pid %d%s%s%s)",
				    id, why, rec.hv_pid, rec.hv_device[0] ? ", device " : "", rec.hv_device,
				    vt_proc_alive(rec.hv_pid, rec.hv_start) == 0 ? ", which has exited" : "");
		}
	}
	vt_record_clear(&rec);
	vt_state_unlock(dirfd, id, lockfd, false);
	return r;
}

VT_EXPORT int vmtap_endpoint_set_hypervisor(struct vmtap_ctx *ctx, const char *id,
					    const struct vmtap_hypervisor_info *user_info)
{
	struct vmtap_hypervisor_info info;
	_cleanup_close_ int dirfd = -1;
	struct vt_record rec;
	int lockfd = -1, r;

	vt_clear_error(ctx);
	r = vt_id_check(ctx, id);
	if (r < 0)
		return r;
	if (!VT_OPTS_COPY(info, user_info))
		return vt_fail(ctx, -EINVAL, "validate", "hypervisor info struct has unknown non-zero fields");
	if ((info.netdev_id && strlen(info.netdev_id) >= sizeof(rec.hv_netdev)) ||
	    (info.device_id && strlen(info.device_id) >= sizeof(rec.hv_device)) ||
	    (info.pci_addr && strlen(info.pci_addr) >= sizeof(rec.hv_pci)) || info.pid < 0)
		return vt_fail(ctx, -EINVAL, "validate", "hypervisor ids are too long");
	r = endpoint_lock_read(ctx, id, "record hypervisor", &dirfd, &lockfd, &rec);
	if (r < 0)
		return r;
	{
		rec.hv_pid = info.pid;
		rec.hv_start = 0;
		/* (pid, start time) names one process for the whole uptime; a pid alone may be reused */
		if (info.pid > 0 && (r = vt_proc_starttime(info.pid, &rec.hv_start)) < 0) {
			r = vt_fail(ctx, r, "record hypervisor", "process %d%s", info.pid, r == -ESRCH ? " does not exist" : "");
			vt_record_clear(&rec);
			vt_state_unlock(dirfd, id, lockfd, false);
			return r;
		}
		snprintf(rec.hv_netdev, sizeof(rec.hv_netdev), "%s", info.netdev_id ? info.netdev_id : "");
		snprintf(rec.hv_device, sizeof(rec.hv_device), "%s", info.device_id ? info.device_id : "");
		snprintf(rec.hv_pci, sizeof(rec.hv_pci), "%s", info.pci_addr ? info.pci_addr : "");
		if ((r = vt_fault(ctx, "record hypervisor")) == 0)
			r = vt_state_write(ctx, dirfd, &rec);
		vt_record_clear(&rec);
	}
	vt_state_unlock(dirfd, id, lockfd, false);
	return r;
}

VT_EXPORT int vmtap_endpoint_hypervisor(const struct vmtap_endpoint *ep, struct vmtap_hypervisor_info *ret_info)
{
	struct vmtap_hypervisor_info info = { .sz = sizeof(info) };
	size_t sz;

	if (!ep || !ret_info || ret_info->sz < sizeof(size_t))
		return -EINVAL;
	if (!ep->rec.hv_pid && !ep->rec.hv_device[0])
		return -ENODATA;
	info.pid = ep->rec.hv_pid;
	info.netdev_id = ep->rec.hv_netdev[0] ? ep->rec.hv_netdev : NULL;
	info.device_id = ep->rec.hv_device[0] ? ep->rec.hv_device : NULL;
	info.pci_addr = ep->rec.hv_pci[0] ? ep->rec.hv_pci : NULL;
	sz = ret_info->sz < sizeof(info) ? ret_info->sz : sizeof(info);
	memcpy(ret_info, &info, sz);
	ret_info->sz = sz;
	return 0;
}

/* ---- garbage collection ---- */

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
	size_t n_ns;
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

/* Scan namespace @spec too, unless it is one already listed under another name, or gone. */
static void gc_note_netns(struct gc_run *g, const char *spec)
{
	struct vt_netns_id id;
	struct gc_ns *more;
	char *copy;

	if (!spec || vt_netns_id(NULL, spec, &id) < 0)
		return;
	for (size_t i = 0; i < g->n_ns; i++)
		if (vt_netns_id_equal(&g->ns[i].id, &id))
			return;
	copy = strdup(spec);
	more = copy ? realloc(g->ns, (g->n_ns + 1) * sizeof(*more)) : NULL;
	if (!more) {
		free(copy);
		return;
	}
	g->ns = more;
	g->ns[g->n_ns++] = (struct gc_ns){ .spec = copy, .id = id };
}

/* A "ready" record: remove it when its device is provably gone; @ret_msg says why. */
static bool gc_ready_device_gone(struct gc_run *g, const struct vt_record *rec, char *msg, size_t size)
{
	struct vmtap_ctx *ctx = g->ctx;
	struct vt_netns_id nsid;
	struct vmtap_link_info li;
	const char *why;
	struct vt_nl *nl;
	bool reachable;
	int r;

	r = record_netns(ctx, rec, &g->own, &nsid, &reachable);
	if (r == -ENOENT) {
		snprintf(msg, size, "its namespace %s is gone", rec->netns);
		return true;
	}
	if (r == -ESTALE) {
		snprintf(msg, size, "its namespace %s is gone (the name now points to another namespace)", rec->netns);
		return true;
	}
	if (r < 0 || !reachable) {
		msg[0] = '\0';
		return false; /* reported by the caller */
	}
	r = vt_nl_get(ctx, ns_or_null(rec), &nl);
	if (r == 0)
		r = vt_link_get(ctx, nl, rec->ifname, 0, &li);
	if (r == -ENODEV) {
		vt_clear_error(ctx);
		snprintf(msg, size, "its device %s is gone", rec->ifname);
		return true;
	}
	if (r < 0) {
		msg[0] = '\0';
		return false;
	}
	if (!device_is_ours(rec, &li, g->state_id, &why)) {
		snprintf(msg, size, "its device is gone: %s exists but %s", rec->ifname, why);
		return true;
	}
	return false;
}

/* One record, under its lock. */
static void gc_record(struct gc_run *g, const char *id)
{
	struct vmtap_ctx *ctx = g->ctx;
	struct vt_record rec;
	int lockfd = -1, r;
	bool deleted;

	vt_clear_error(ctx);
	r = vt_state_lock(ctx, g->dirfd, id, 0, &lockfd);
	if (r == -EBUSY) {
		gc_emit(g, VMTAP_GC_BUSY, id, NULL, NULL, "in use by another vmtap process");
		/* its namespace may still hold orphans of other ids */
		if (vt_state_read(NULL, g->dirfd, id, &rec, NULL) == 0) {
			gc_note_netns(g, ns_or_null(&rec));
			vt_record_clear(&rec);
		}
		return;
	}
	if (r < 0) {
		gc_emit(g, VMTAP_GC_FAILED, id, NULL, NULL, vmtap_ctx_error(ctx));
		return;
	}
	r = vt_state_read(ctx, g->dirfd, id, &rec, NULL);
	if (r == -ENOENT) {
		vt_state_unlock(g->dirfd, id, lockfd, !g->dry_run);
		return;
	}
	if (r < 0) {
		gc_emit(g, VMTAP_GC_UNPARSEABLE, id, NULL, NULL, vmtap_ctx_error(ctx));
		vt_state_unlock(g->dirfd, id, lockfd, false);
		return;
	}
	gc_note_netns(g, ns_or_null(&rec));

	if (rec.state == VMTAP_EP_READY) {
		char msg[VMTAP_ERROR_MAX];
		struct vt_netns_id nsid;
		bool reachable = true;

		vt_clear_error(ctx);
		if (!gc_ready_device_gone(g, &rec, msg, sizeof(msg))) {
			if (vmtap_ctx_error(ctx)[0])
				gc_emit(g, VMTAP_GC_FAILED, id, rec.ifname, ns_or_null(&rec), vmtap_ctx_error(ctx));
			else if (record_netns(NULL, &rec, &g->own, &nsid, &reachable) == 0 && !reachable)
				gc_emit(g, VMTAP_GC_LEFT_ALONE, id, rec.ifname, NULL,
					"its device is in the namespace it was created in, which has no name and is not "
					"this one: run gc there");
			goto out;
		}
		if (!g->dry_run && vt_state_remove(ctx, g->dirfd, id) < 0) {
			gc_emit(g, VMTAP_GC_FAILED, id, rec.ifname, ns_or_null(&rec), vmtap_ctx_error(ctx));
			goto out;
		}
		gc_emit(g, VMTAP_GC_REMOVED_RECORD, id, rec.ifname, ns_or_null(&rec), msg);
		vt_record_clear(&rec);
		vt_state_unlock(g->dirfd, id, lockfd, !g->dry_run);
		return;
	}

	/* "creating" with nobody holding the lock: its creator died; "destroying": likewise */
	if (!g->dry_run) {
		vt_clear_error(ctx);
		r = delete_tagged_device(ctx, g->dirfd, &rec, &deleted);
		if (r == 0)
			r = vt_state_remove(ctx, g->dirfd, id);
		if (r < 0) {
			gc_emit(g, VMTAP_GC_FAILED, id, rec.ifname, ns_or_null(&rec), vmtap_ctx_error(ctx));
			goto out;
		}
	}
	gc_emit(g, rec.state == VMTAP_EP_CREATING ? VMTAP_GC_ROLLED_BACK : VMTAP_GC_FINISHED_DESTROY, id,
		rec.ifname[0] ? rec.ifname : NULL, ns_or_null(&rec),
		rec.state == VMTAP_EP_CREATING ? "its creation never completed" : "its destruction never completed");
	vt_record_clear(&rec);
	vt_state_unlock(g->dirfd, id, lockfd, !g->dry_run);
	return;
out:
	vt_record_clear(&rec);
	vt_state_unlock(g->dirfd, id, lockfd, false);
}

struct tagged {
	struct vt_tag tag;
	char ifname[VMTAP_IFNAMSIZ];
	char kind[16];
	int ifindex;
	bool is_tap;
};

struct tagged_list {
	struct tagged *items;
	size_t n, cap;
};

static int collect_tagged(const struct vmtap_link_info *li, void *data)
{
	struct tagged_list *l = data;
	struct vt_tag tag;

	if (vt_tag_parse(li->alias, strlen(li->alias), &tag) < 0)
		return 0; /* not a tag we could have written */
	if (l->n == l->cap) {
		struct tagged *more = realloc(l->items, (l->cap = l->cap ? l->cap * 2 : 16) * sizeof(*more));
		if (!more)
			return -ENOMEM;
		l->items = more;
	}
	l->items[l->n] = (struct tagged){ .tag = tag, .ifindex = li->ifindex,
					  .is_tap = li->is_tun && li->tun_type == IFF_TAP };
	snprintf(l->items[l->n].ifname, sizeof(l->items[l->n].ifname), "%s", li->name);
	snprintf(l->items[l->n].kind, sizeof(l->items[l->n].kind), "%s", li->kind[0] ? li->kind : "non-tun");
	l->n++;
	return 0;
}

/*
 * Whether a record of @t's id owns @t, found in namespace @ns: it names this
 * device in this namespace.  -errno when that cannot be told.
 */
static int gc_record_owns(struct gc_run *g, const struct tagged *t, const struct gc_ns *ns)
{
	struct vt_netns_id nsid;
	struct vt_record rec;
	bool reachable, owns;
	int r;

	r = vt_state_read(NULL, g->dirfd, t->tag.id, &rec, NULL);
	if (r == -ENOENT)
		return 0;
	if (r < 0)
		return r; /* an unreadable record still names the id */
	r = record_netns(NULL, &rec, &g->own, &nsid, &reachable);
	if (r == -ENOENT || r == -ESTALE)
		owns = false;
	else if (r < 0)
		owns = true; /* its namespace cannot be resolved now: it might be this one */
	else
		owns = vt_netns_id_equal(&nsid, &ns->id) && !strcmp(rec.ifname, t->ifname) &&
		       (!rec.ifindex || rec.ifindex == t->ifindex);
	vt_record_clear(&rec);
	return owns;
}

/*
 * Tagged devices in @ns whose record is gone: deleted, each under its id's
 * lock, when they are provably this state directory's: TAPs whose tag
 * carries its identity.  Everything else is left alone, and said so.
 */
static void gc_orphans(struct gc_run *g, const struct gc_ns *ns)
{
	struct vmtap_ctx *ctx = g->ctx;
	struct tagged_list l = { 0 };
	struct vt_nl *nl;
	int r;

	vt_clear_error(ctx);
	r = vt_nl_get(ctx, ns->spec, &nl);
	if (r < 0) {
		if (r != -ENOENT)
			gc_emit(g, VMTAP_GC_FAILED, NULL, NULL, ns->spec, vmtap_ctx_error(ctx));
		return;
	}
	r = vt_link_dump(ctx, nl, false, false, collect_tagged, &l);
	if (r < 0) {
		gc_emit(g, VMTAP_GC_FAILED, NULL, NULL, ns->spec, vmtap_ctx_error(ctx));
		free(l.items);
		return;
	}
	for (size_t i = 0; i < l.n; i++) {
		struct tagged *t = &l.items[i];
		int lockfd = -1, owned;
		char why[128];

		if (!t->is_tap) {
			snprintf(why, sizeof(why), "carries a vmtap tag but is a %s device, which vmtap never makes", t->kind);
			gc_emit(g, VMTAP_GC_LEFT_ALONE, t->tag.id, t->ifname, ns->spec, why);
			continue;
		}
		if (!t->tag.state_id[0] || strcmp(t->tag.state_id, g->state_id)) {
			if (g->dirfd >= 0 && gc_record_owns(g, t, ns) != 0)
				continue; /* an old tag, but the record names it: in use */
			gc_emit(g, VMTAP_GC_LEFT_ALONE, t->tag.id, t->ifname, ns->spec,
				t->tag.state_id[0] ? "its tag is another state directory's" :
						     "its tag (of an older vmtap) does not name a state directory, and no "
						     "record here names the device");
			continue;
		}
		vt_clear_error(ctx);
		/* a create may be between its record and its tag: the lock settles it */
		if (vt_state_lock(ctx, g->dirfd, t->tag.id, 0, &lockfd) < 0) {
			gc_emit(g, vmtap_ctx_error_code(ctx) == -EBUSY ? VMTAP_GC_BUSY : VMTAP_GC_FAILED, t->tag.id,
				t->ifname, ns->spec,
				vmtap_ctx_error_code(ctx) == -EBUSY ? "in use by another vmtap process" : vmtap_ctx_error(ctx));
			continue;
		}
		owned = gc_record_owns(g, t, ns);
		if (owned != 0) {
			vt_state_unlock(g->dirfd, t->tag.id, lockfd, false);
			continue;
		}
		if (!g->dry_run) {
			r = vt_link_del(ctx, nl, t->ifindex, t->ifname);
			if (r < 0 && r != -ENODEV) {
				gc_emit(g, VMTAP_GC_FAILED, t->tag.id, t->ifname, ns->spec, vmtap_ctx_error(ctx));
				vt_state_unlock(g->dirfd, t->tag.id, lockfd, false);
				continue;
			}
		}
		gc_emit(g, VMTAP_GC_DELETED_ORPHAN, t->tag.id, t->ifname, ns->spec,
			"tagged by this state directory, without a record that names it");
		/* no record: the lock file can go too, unless a record of the id lives elsewhere */
		{
			char file[VMTAP_ID_MAX + 8];
			snprintf(file, sizeof(file), "%s.json", t->tag.id);
			vt_state_unlock(g->dirfd, t->tag.id, lockfd,
					!g->dry_run && faccessat(g->dirfd, file, F_OK, AT_SYMLINK_NOFOLLOW) < 0);
		}
	}
	free(l.items);
}

/*
 * Files a killed process can leave: a lock file whose record was never
 * written, a plug lock, and a temporary record it was writing.  A lock file goes only if
 * we can take the lock and there is still no record; a temporary file only
 * if the process named in it is gone.
 */
static void gc_stray_files(struct gc_run *g)
{
	int fd = fcntl(g->dirfd, F_DUPFD_CLOEXEC, 3);
	DIR *d;
	struct dirent *e;

	if (fd < 0)
		return;
	d = fdopendir(fd);
	if (!d) {
		close(fd);
		return;
	}
	rewinddir(d); /* a dup shares the offset that list_ids() left at the end */
	while ((e = readdir(d))) {
		char id[VMTAP_ID_MAX + 1];
		size_t len = strlen(e->d_name);
		struct vt_record rec;
		int lockfd, pid, r;
		char *dot;

		if (len > 5 && !strcmp(e->d_name + len - 5, ".lock") && len - 5 <= VMTAP_ID_MAX) {
			snprintf(id, sizeof(id), "%.*s", (int)(len - 5), e->d_name);
			if (vt_id_check(NULL, id) < 0 || g->dry_run)
				continue;
			if (vt_state_lock(NULL, g->dirfd, id, 0, &lockfd) < 0)
				continue;
			r = vt_state_read(NULL, g->dirfd, id, &rec, NULL);
			if (r == 0)
				vt_record_clear(&rec);
			vt_state_unlock(g->dirfd, id, lockfd, r == -ENOENT);
		} else if (len > 5 && !strcmp(e->d_name + len - 5, ".plug") && len - 5 <= VMTAP_ID_MAX) {
			/* a plug lock nobody holds was left by a killed hot-plug or unplug */
			snprintf(id, sizeof(id), "%.*s", (int)(len - 5), e->d_name);
			if (vt_id_check(NULL, id) < 0 || g->dry_run)
				continue;
			if (vt_state_plug_lock(NULL, g->dirfd, id, true, &lockfd) == 0)
				vt_state_plug_unlock(g->dirfd, id, lockfd);
		} else if (e->d_name[0] == '.' && len > 4 && !strcmp(e->d_name + len - 4, ".tmp")) {
			/* ".<id>.json.<pid>.tmp" */
			char *name = strndup(e->d_name, len - 4);
			if (!name)
				continue;
			dot = strrchr(name, '.');
			pid = dot ? atoi(dot + 1) : 0;
			if (pid > 0 && kill(pid, 0) < 0 && errno == ESRCH && !g->dry_run)
				(void)unlinkat(g->dirfd, e->d_name, 0);
			free(name);
		}
	}
	closedir(d);
}

VT_EXPORT int vmtap_gc(struct vmtap_ctx *ctx, bool dry_run, vmtap_gc_fn fn, void *userdata)
{
	struct gc_run g = { .ctx = ctx, .dry_run = dry_run, .fn = fn, .userdata = userdata, .dirfd = -1 };
	char **ids = NULL;
	size_t n = 0;
	int r;

	vt_clear_error(ctx);
	r = vt_netns_id(ctx, NULL, &g.own);
	if (r < 0)
		return r;
	g.ns = calloc(1, sizeof(*g.ns));
	if (!g.ns)
		return vt_fail(ctx, -ENOMEM, "gc", NULL);
	g.ns[g.n_ns++] = (struct gc_ns){ .spec = NULL, .id = g.own };
	/* never made by gc, not even for real: without a directory there are no records to reconcile */
	r = vt_state_open(ctx, false, &g.dirfd);
	if (r == -ENOENT) {
		vt_clear_error(ctx);
		g.dirfd = -1;
	} else if (r < 0) {
		goto out;
	} else {
		r = state_id_get(ctx, g.dirfd, g.state_id);
		if (r < 0)
			goto out;
		r = list_ids(ctx, g.dirfd, &ids, &n);
		if (r < 0)
			goto out;
	}
	for (size_t i = 0; i < n; i++) {
		if (vt_id_check(NULL, ids[i]) < 0) {
			char file[VMTAP_ID_MAX + 300];
			snprintf(file, sizeof(file), "%s/%s.json: the file name is not a valid endpoint id",
				 vt_state_path(ctx), ids[i]);
			gc_emit(&g, VMTAP_GC_UNPARSEABLE, NULL, NULL, NULL, file);
			continue;
		}
		gc_record(&g, ids[i]);
	}
	for (size_t i = 0; i < g.n_ns; i++)
		gc_orphans(&g, &g.ns[i]);
	if (g.dirfd >= 0)
		gc_stray_files(&g);
	vt_clear_error(ctx);
	r = g.events;
out:
	free_ids(ids, n);
	for (size_t i = 0; i < g.n_ns; i++)
		free(g.ns[i].spec);
	free(g.ns);
	if (g.dirfd >= 0)
		close(g.dirfd);
	return r;
}

int vt_endpoint_hypervisor_alive(const struct vmtap_endpoint *ep)
{
	return vt_proc_alive(ep->rec.hv_pid, ep->rec.hv_start);
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Endpoints: the transactional create/destroy lifecycle over tap, link and state; opening and handing them off. */
/**
 * DOC: Theory of Operation
 *
 * Creating an endpoint is a sequence of steps, each undone if a later one
 * fails:
 *
 *   lock -> record "creating" -> create the TAP (queues open, not persistent)
 *        -> tag and configure the link (alias "vmtap:<id>@<state>", MAC, MTU, bridge, up)
 *        -> make it persistent -> record "ready" -> unlock
 *
 * The device becomes persistent only once it carries its tag, so a process
 * killed at any point leaves either nothing in the kernel (its fds closed,
 * the kernel removed the device) or a tagged device; and a tagged device
 * exists only while a record of its id exists, or a record was being
 * removed.  gc.c reconciles the two sides under the same per-endpoint
 * locks.  A device is only ever taken for an endpoint's when it proves it:
 * its kind, its tag with this state directory's identity, the recorded
 * ifindex (vt_endpoint_device_is_ours()).
 */
#include <fcntl.h>
#include <stdio.h>
#include <linux/if_tun.h>

#include "endpoint.h"
#include "link.h"
#include "macvtap_conn.h"
#include "proc.h"
#include "redirect.h"
#include "tap.h"
#include "tun.h"
#include "validate.h"
#include "vhost.h"

#define VT_LOCK_WAIT_MS 10000

struct vmtap_endpoint {
	struct vt_record rec;
	char *json;
};

DEFINE_TRIVIAL_CLEANUP_FUNC(struct vmtap_endpoint *, vmtap_endpoint_free)

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

static const char *connection_name(enum vmtap_connection c)
{
	static const char *const names[] = { "none", "bridge", "redirect", "macvtap" };

	return (unsigned)c < ARRAY_SIZE(names) ? names[c] : "unknown";
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
	if (s->label && (r = vt_label_check(ctx, s->label)) < 0)
		return r;
	if ((unsigned)s->connection > VMTAP_CONNECT_MACVTAP)
		return vt_fail(ctx, -EINVAL, "validate", "unknown connection type %d", (int)s->connection);
	/* each connection's own fields, and none of another's: a stray one is a mistake, not a default */
	if (s->bridge && s->connection != VMTAP_CONNECT_BRIDGE)
		return vt_fail(ctx, -EINVAL, "validate", "a bridge was given with the %s connection",
			       connection_name(s->connection));
	if (s->device && s->connection != VMTAP_CONNECT_REDIRECT && s->connection != VMTAP_CONNECT_MACVTAP)
		return vt_fail(ctx, -EINVAL, "validate", "a device to connect with was given with the %s connection",
			       connection_name(s->connection));
	if (s->tc_prio && s->connection != VMTAP_CONNECT_REDIRECT)
		return vt_fail(ctx, -EINVAL, "validate", "a tc priority was given with the %s connection",
			       connection_name(s->connection));
	if (s->macvtap_mode && s->connection != VMTAP_CONNECT_MACVTAP)
		return vt_fail(ctx, -EINVAL, "validate", "a macvtap mode was given with the %s connection",
			       connection_name(s->connection));
	if ((s->flags & VMTAP_EP_KEEP_PARENT) && s->connection != VMTAP_CONNECT_MACVTAP)
		return vt_fail(ctx, -EINVAL, "validate", "VMTAP_EP_KEEP_PARENT is for the macvtap connection");
	switch (s->connection) {
	case VMTAP_CONNECT_BRIDGE:
		if (!s->bridge)
			return vt_fail(ctx, -EINVAL, "validate", "the bridge connection needs a bridge name");
		if ((r = vt_name_check(ctx, "bridge name", s->bridge, false)) < 0)
			return r;
		break;
	case VMTAP_CONNECT_REDIRECT:
	case VMTAP_CONNECT_MACVTAP:
		if (!s->device)
			return vt_fail(ctx, -EINVAL, "validate", "the %s connection needs a device",
				       connection_name(s->connection));
		if ((r = vt_name_check(ctx, s->connection == VMTAP_CONNECT_MACVTAP ? "parent device name" : "device name",
				       s->device, false)) < 0)
			return r;
		if (s->ifname && !strcmp(s->ifname, s->device))
			return vt_fail(ctx, -EINVAL, "validate", "the endpoint's device cannot be named %s: that is the "
				       "device it connects with", s->device);
		if (s->tc_prio > UINT16_MAX)
			return vt_fail(ctx, -EINVAL, "validate", "tc priority %u is outside 1..65535", s->tc_prio);
		if ((unsigned)s->macvtap_mode > VMTAP_MACVTAP_PASSTHRU)
			return vt_fail(ctx, -EINVAL, "validate", "unknown macvtap mode %d", (int)s->macvtap_mode);
		break;
	default:
		break;
	}
	if (s->connection == VMTAP_CONNECT_MACVTAP) {
		/* a macvtap is an rtnetlink device: no tun owner, group, host-side MAC or persistence of queues */
		if (s->flags & (VMTAP_EP_SET_OWNER | VMTAP_EP_SET_GROUP))
			return vt_fail(ctx, -EINVAL, "validate", "a macvtap endpoint has no owner or group: its queues "
				       "are opened by vmtap and handed to the hypervisor");
		if (s->set_host_mac)
			return vt_fail(ctx, -EINVAL, "validate", "a macvtap endpoint has no host-side MAC: the device's "
				       "MAC is the guest's");
		if (s->flags & VMTAP_EP_KERNEL_QDISC)
			return vt_fail(ctx, -EINVAL, "validate", "VMTAP_EP_KERNEL_QDISC is for TAP devices");
		if (s->macvtap_mode == VMTAP_MACVTAP_PASSTHRU && s->set_guest_mac)
			return vt_fail(ctx, -EINVAL, "validate", "a passthru macvtap always has its parent's MAC: "
				       "no guest MAC can be given");
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
	if (s->device)
		snprintf(rec->link_dev, sizeof(rec->link_dev), "%s", s->device);
	if (s->connection == VMTAP_CONNECT_REDIRECT)
		rec->tc_prio = (uint16_t)(s->tc_prio ? s->tc_prio : VMTAP_TC_PRIO_DEFAULT);
	rec->macvtap_mode = s->macvtap_mode;
	rec->keep_parent = s->connection == VMTAP_CONNECT_MACVTAP && (s->set_guest_mac || (s->flags & VMTAP_EP_KEEP_PARENT));
	if (s->label)
		snprintf(rec->label, sizeof(rec->label), "%s", s->label);
	rec->ephemeral = s->flags & VMTAP_EP_EPHEMERAL;
	/* an explicit name is known before the device exists: a crash report can name it */
	if (s->ifname && !strchr(s->ifname, '%'))
		snprintf(rec->ifname, sizeof(rec->ifname), "%s", s->ifname);
}

/*
 * Whether the device @li is the one record @rec made: a TAP carrying the
 * record's tag with this state directory's identity (@state_id, "" when the
 * directory has none) and, once known, the recorded ifindex.  A tag of an
 * older vmtap has no identity: the recorded ifindex is the proof then.  @why
 * says what failed.
 */
bool vt_endpoint_device_is_ours(const struct vt_record *rec, const struct vmtap_link_info *li, const char *state_id,
			   const char **why)
{
	struct vt_tag tag;

	if (rec->connection == VMTAP_CONNECT_MACVTAP ? strcmp(li->kind, "macvtap") != 0 :
						       !li->is_tun || li->tun_type != IFF_TAP) {
		*why = rec->connection == VMTAP_CONNECT_MACVTAP ? "is not a macvtap device" : "is not a TAP device";
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
int vt_endpoint_record_netns(struct vmtap_ctx *ctx, const struct vt_record *rec, const struct vt_netns_id *own,
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


const char *vt_record_netns(const struct vt_record *rec)
{
	return rec->netns[0] ? rec->netns : NULL;
}

/*
 * Undo what @rec's connection did outside its own device, in the device's
 * namespace @nl: before the device goes, so that no filter is ever left
 * redirecting to a deleted TAP.
 */
static int connection_teardown(struct vmtap_ctx *ctx, struct vt_nl *nl, const struct vt_record *rec,
			       const char *state_id)
{
	switch (rec->connection) {
	case VMTAP_CONNECT_REDIRECT:
		return vt_redirect_disconnect(ctx, nl, rec, state_id);
	default:
		return 0;
	}
}

/* Delete @rec's device, if it is there and provably the record's; a device already gone is success. */
static int device_delete(struct vmtap_ctx *ctx, struct vt_nl *nl, const struct vt_record *rec, const char *state_id,
			 bool *ret_deleted)
{
	struct vmtap_link_info li;
	const char *why;
	int r;

	if (!rec->ifname[0])
		return 0;
	/* asked quietly: a device already gone is success, destroy is idempotent */
	r = vt_link_get(NULL, nl, rec->ifname, 0, &li);
	if (r == -ENODEV)
		return 0;
	if (r < 0)
		return vt_fail_ack(ctx, r, vt_nl_ack(nl), "look up link", "%s", rec->ifname);
	if (!vt_endpoint_device_is_ours(rec, &li, state_id, &why)) {
		vt_log(ctx, VMTAP_LOG_WARNING, "%s %s: left alone", rec->ifname, why);
		return 0;
	}
	if ((r = vt_fault(ctx, "delete device")) < 0)
		return r;
	r = vt_link_del(NULL, nl, li.ifindex, rec->ifname);
	if (r == -ENODEV)
		return 0;
	if (r < 0)
		return vt_fail_ack(ctx, r, vt_nl_ack(nl), "delete link", "%s", rec->ifname);
	*ret_deleted = true;
	return 0;
}

int vt_endpoint_teardown(struct vmtap_ctx *ctx, int dirfd, const struct vt_record *rec, bool *ret_deleted)
{
	char state_id[VT_STATE_ID_LEN + 1];
	struct vt_netns_id own, nsid;
	struct vt_nl *nl;
	bool reachable;
	int r;

	*ret_deleted = false;
	if (!rec->ifname[0] && !rec->link_ifindex)
		return 0; /* nothing was made yet */
	if ((r = vt_netns_id(ctx, NULL, &own)) < 0 || (r = vt_state_identity_get(ctx, dirfd, state_id)) < 0)
		return r;
	r = vt_endpoint_record_netns(ctx, rec, &own, &nsid, &reachable);
	if (r == -ENOENT || r == -ESTALE)
		return 0; /* the namespace is gone, and everything made in it */
	if (r < 0)
		return r;
	if (!reachable)
		return vt_fail(ctx, -EXDEV, "delete device",
			       "%s is in the namespace endpoint %s was created in, which has no name and is not this one: "
			       "run this in that namespace", rec->ifname[0] ? rec->ifname : rec->link_dev, rec->id);
	r = vt_nl_get(ctx, vt_record_netns(rec), &nl);
	if (r < 0)
		return r;
	r = connection_teardown(ctx, nl, rec, state_id);
	if (r < 0)
		return r;
	r = device_delete(ctx, nl, rec, state_id, ret_deleted);
	if (r < 0)
		return r;
	/* a macvtap's parent gets back what the guest had of it, once the macvtap is gone */
	return rec->connection == VMTAP_CONNECT_MACVTAP ? vt_macvtap_conn_restore(ctx, nl, rec) : 0;
}

/* The new endpoint's handle, its JSON as recorded. */
static int endpoint_wrap(const struct vt_record *rec, struct vmtap_endpoint **ret)
{
	_cleanup_(vmtap_endpoint_freep) struct vmtap_endpoint *ep = calloc(1, sizeof(*ep));

	if (!ep || vt_record_format(rec, &ep->json) < 0)
		return -ENOMEM;
	ep->rec = *rec;
	*ret = TAKE_PTR(ep);
	return 0;
}

/* The TAP options for endpoint @rec, with its tag and link settings. */
static void tap_opts_for(const struct vmtap_endpoint_spec *s, const struct vt_record *rec, const char *tag,
			 struct vmtap_tap_opts *ret_topts, struct vmtap_link_set_opts *ret_link)
{
	*ret_link = (struct vmtap_link_set_opts){
		.sz = sizeof(*ret_link), .mtu = s->mtu, .set_mac = true, .alias = tag,
		.master = s->connection == VMTAP_CONNECT_BRIDGE ? s->bridge : NULL,
		.state = (s->flags & VMTAP_EP_DOWN) ? VMTAP_LINK_DOWN : VMTAP_LINK_UP,
	};
	memcpy(ret_link->mac, rec->host_mac, 6);
	*ret_topts = (struct vmtap_tap_opts){
		.sz = sizeof(*ret_topts), .name = s->ifname, .queues = s->queues,
		.flags = VMTAP_TAP_PERSIST | ((s->flags & VMTAP_EP_NO_VNET_HDR) ? VMTAP_TAP_NO_VNET_HDR : 0) |
			 ((s->flags & VMTAP_EP_SET_OWNER) ? VMTAP_TAP_SET_OWNER : 0) |
			 ((s->flags & VMTAP_EP_SET_GROUP) ? VMTAP_TAP_SET_GROUP : 0) |
			 ((s->flags & VMTAP_EP_KERNEL_QDISC) ? VMTAP_TAP_KERNEL_QDISC : 0),
		.owner = s->owner, .group = s->group, .netns = s->netns, .link = ret_link,
	};
}

/*
 * Refuse an id that has a record, readable or not (an unreadable record
 * still names the id: it is never overwritten).  0 when there is none.
 */
static int check_id_free(struct vmtap_ctx *ctx, int dirfd, const char *id)
{
	struct vt_record existing;
	int r = vt_state_read(ctx, dirfd, id, &existing, NULL);

	if (r == 0)
		return vt_fail(ctx, -EEXIST, "create endpoint", "endpoint %s exists", id);
	if (r == -ENOENT)
		return 0;
	{
		char why[VMTAP_ERROR_MAX];
		snprintf(why, sizeof(why), "%s", vmtap_ctx_error(ctx));
		return vt_fail(ctx, r == -ELOOP || r == -EBADMSG || r == -EFBIG ? -EEXIST : r, "create endpoint",
			       "a record of %s is there but unusable (%s)", id, why);
	}
}

/*
 * Before anything is made, look at the device a redirect or macvtap
 * connects with, and take the defaults from it: the guest's MAC and the MTU
 * (Kata's choice: the guest is the pod on the wire).
 */
static int connection_prepare(struct vmtap_ctx *ctx, struct vt_nl *nl, struct vmtap_endpoint_spec *s,
			      struct vt_record *rec)
{
	struct vmtap_link_info li;
	int r;

	switch (s->connection) {
	case VMTAP_CONNECT_REDIRECT:
		r = vt_redirect_prepare(ctx, nl, rec, &li);
		break;
	case VMTAP_CONNECT_MACVTAP:
		r = vt_macvtap_conn_prepare(ctx, nl, rec, &li);
		break;
	default:
		return 0;
	}
	if (r < 0)
		return r;
	if (!s->mtu) {
		/* recorded: the guest's host_mtu at hand-off must be the device's too */
		s->mtu = li.mtu;
		rec->mtu = li.mtu;
	}
	/* a kept parent keeps its MAC too: the guest then has a MAC of its own (the id's by default) */
	if (!s->set_guest_mac && !rec->keep_parent && li.has_mac && vmtap_mac_usable(li.mac)) {
		memcpy(rec->guest_mac, li.mac, 6);
		if (!s->set_host_mac)
			vmtap_mac_host_side(rec->guest_mac, rec->host_mac);
	}
	return 0;
}

/* Connect the new device of @rec as its connection says, once the device exists. */
static int connection_make(struct vmtap_ctx *ctx, struct vt_nl *nl, struct vt_record *rec, const char *state_id)
{
	switch (rec->connection) {
	case VMTAP_CONNECT_REDIRECT:
		return vt_redirect_connect(ctx, nl, rec, state_id);
	default:
		return 0; /* a bridge port is made by the link settings of the TAP itself */
	}
}

VT_EXPORT int vmtap_endpoint_create(struct vmtap_ctx *ctx, const char *id, const struct vmtap_endpoint_spec *user_spec,
				    struct vmtap_endpoint **ret_endpoint)
{
	_cleanup_(vmtap_tap_freep) struct vmtap_tap *tap = NULL;
	_cleanup_close_ int dirfd = -1;
	_cleanup_lock_ struct vt_lock lock = VT_LOCK_NONE;
	char tag[VT_TAG_MAX], state_id[VT_STATE_ID_LEN + 1];
	struct vmtap_endpoint_spec s;
	struct vmtap_link_set_opts link;
	struct vmtap_tap_opts topts;
	struct vt_netns_id nsid;
	struct vt_record rec;
	struct vt_nl *nl = NULL;
	bool connected = false;
	int r;

	vt_clear_error(ctx);
	r = vt_id_check(ctx, id);
	if (r < 0)
		return r;
	if (!VT_OPTS_COPY(s, user_spec, vmtap_endpoint_spec))
		return vt_fail(ctx, -EINVAL, "validate", "spec struct has unknown non-zero fields");
	r = spec_check(ctx, &s);
	if (r < 0)
		return r;
	if ((s.flags & VMTAP_EP_VHOST) && access(VT_VHOST_NET_PATH, R_OK | W_OK) < 0)
		vt_log(ctx, VMTAP_LOG_WARNING, "%s: vhost-net is unavailable (%s): its queues will be handed off with vhost=off",
		       id, strerror(errno));

	/* the namespace is resolved once, and its identity kept: a name may later point elsewhere */
	if ((r = vt_netns_id(ctx, s.netns, &nsid)) < 0 || (r = vt_state_open(ctx, true, &dirfd)) < 0 ||
	    (r = vt_state_identity(ctx, dirfd, true, state_id)) < 0)
		return r;
	if ((r = vt_fault(ctx, "lock")) < 0 || (r = vt_state_lock(ctx, dirfd, id, VT_LOCK_WAIT_MS, &lock)) < 0)
		return r;
	r = check_id_free(ctx, dirfd, id);
	if (r < 0)
		return r;

	record_from_spec(&rec, id, &s);
	rec.netns_id = nsid;
	/* a macvtap's name is chosen before it exists, and recorded: a crash before its tag leaves a record naming it */
	if (s.connection == VMTAP_CONNECT_MACVTAP && !s.ifname)
		vt_tun_random_name(rec.ifname);
	if (s.connection == VMTAP_CONNECT_REDIRECT || s.connection == VMTAP_CONNECT_MACVTAP) {
		if ((r = vt_nl_get(ctx, s.netns, &nl)) < 0 || (r = connection_prepare(ctx, nl, &s, &rec)) < 0) {
			lock.remove = true; /* no record was written: the lock file has nothing to guard */
			return r;
		}
	}
	if ((r = vt_fault(ctx, "record creating")) < 0 || (r = vt_state_write(ctx, dirfd, &rec)) < 0) {
		lock.remove = true; /* the lock file goes with the record it guards */
		return r;
	}

	vt_tag_format(tag, id, state_id);
	tap_opts_for(&s, &rec, tag, &topts, &link);
	if (s.connection == VMTAP_CONNECT_MACVTAP) {
		/* the parent given up, the macvtap made, tagged and up; no queue is opened until hand-off */
		r = vt_macvtap_conn_connect(ctx, nl, &rec, s.ifname ? s.ifname : rec.ifname, tag, s.mtu);
	} else if ((r = vt_tap_open(ctx, &topts, &(struct vt_tap_how){ .allow_tag = true }, &tap)) == 0) {
		snprintf(rec.ifname, sizeof(rec.ifname), "%s", vmtap_tap_name(tap));
		rec.ifindex = vmtap_tap_ifindex(tap);
		r = connection_make(ctx, nl, &rec, state_id);
		connected = r == 0;
	}
	if (r == 0) {
		rec.state = VMTAP_EP_READY;
		rec.pid = (int)getpid();
		if ((r = vt_fault(ctx, "record ready")) == 0)
			r = vt_state_write(ctx, dirfd, &rec);
	}
	if (r < 0) {
		bool deleted;

		VT_UNDO_SCOPE(ctx);
		/* a macvtap first, then its parent: the parent's MAC can only come back once the macvtap is gone */
		if (rec.connection == VMTAP_CONNECT_MACVTAP &&
		    (device_delete(ctx, nl, &rec, state_id, &deleted) < 0 || vt_macvtap_conn_restore(ctx, nl, &rec) < 0)) {
			vt_log(ctx, VMTAP_LOG_ERR, "undo: %s or its parent %s may be left as they are: gc puts them right",
			       rec.ifname, rec.link_dev);
			return r; /* the record stays "creating", for gc */
		}
		/* the connection first: nothing may point at the TAP once it is gone */
		if (connected && connection_teardown(ctx, nl, &rec, state_id) < 0) {
			vt_log(ctx, VMTAP_LOG_ERR, "undo: %s's connection with %s may be left: gc removes it", rec.ifname,
			       rec.link_dev);
			return r; /* the record stays "creating", for gc */
		}
		/* unpersist and close: the kernel removes the device with its last fd */
		if (tap && vmtap_tap_destroy(ctx, TAKE_PTR(tap)) < 0)
			vt_log(ctx, VMTAP_LOG_ERR, "undo: %s may be left, tagged: gc removes it", rec.ifname);
		if (vt_state_remove(ctx, dirfd, id) == 0)
			lock.remove = true;
		return r;
	}
	/* persistent: the device stays when the queues close; created all the same if the handle cannot be made */
	if (ret_endpoint && endpoint_wrap(&rec, ret_endpoint) < 0)
		vt_log(ctx, VMTAP_LOG_WARNING, "%s: created, but no memory for its handle: load it", id);
	return 0;
}

/*
 * Open the state directory, take @id's lock and read its record.  No record
 * is -ENOENT, reported as "no endpoint" under @step, with the lock dropped.
 */
static int endpoint_lock_read(struct vmtap_ctx *ctx, const char *id, const char *step, int *ret_dirfd,
			      struct vt_lock *ret_lock, struct vt_record *ret_rec)
{
	_cleanup_close_ int dirfd = -1;
	_cleanup_lock_ struct vt_lock lock = VT_LOCK_NONE;
	int r;

	r = vt_id_check(ctx, id);
	if (r < 0)
		return r;
	r = vt_state_open(ctx, false, &dirfd);
	if (r == -ENOENT)
		return vt_fail(ctx, -ENOENT, step, "no endpoint %s", id);
	if (r < 0)
		return r;
	r = vt_state_lock(ctx, dirfd, id, VT_LOCK_WAIT_MS, &lock);
	if (r < 0)
		return r;
	r = vt_state_read(ctx, dirfd, id, ret_rec, NULL);
	if (r == -ENOENT) {
		lock.remove = true;
		return vt_fail(ctx, -ENOENT, step, "no endpoint %s", id);
	}
	if (r < 0)
		return r;
	*ret_dirfd = TAKE_FD(dirfd);
	*ret_lock = lock;
	lock.fd = lock.dirfd = -1;
	return 0;
}

VT_EXPORT int vmtap_endpoint_destroy(struct vmtap_ctx *ctx, const char *id)
{
	_cleanup_close_ int dirfd = -1;
	_cleanup_lock_ struct vt_lock lock = VT_LOCK_NONE;
	struct vt_record rec;
	bool deleted;
	int r;

	vt_clear_error(ctx);
	r = endpoint_lock_read(ctx, id, "destroy endpoint", &dirfd, &lock, &rec);
	if (r < 0)
		return r;
	rec.state = VMTAP_EP_DESTROYING;
	rec.pid = (int)getpid();
	if ((r = vt_fault(ctx, "record destroying")) < 0 || (r = vt_state_write(ctx, dirfd, &rec)) < 0)
		return r;
	/* on failure the record says "destroying": a later destroy or gc finishes */
	if ((r = vt_endpoint_teardown(ctx, dirfd, &rec, &deleted)) < 0 || (r = vt_state_remove(ctx, dirfd, id)) < 0)
		return r;
	lock.remove = true;
	return 0;
}

VT_EXPORT int vmtap_endpoint_load(struct vmtap_ctx *ctx, const char *id, struct vmtap_endpoint **ret_endpoint)
{
	_cleanup_(vmtap_endpoint_freep) struct vmtap_endpoint *ep = NULL;
	_cleanup_close_ int dirfd = -1;
	int r;

	vt_clear_error(ctx);
	if (!ret_endpoint)
		return vt_fail(ctx, -EINVAL, "validate", "no output handle");
	r = vt_id_check(ctx, id);
	if (r < 0)
		return r;
	r = vt_state_open(ctx, false, &dirfd);
	if (r == -ENOENT)
		return vt_fail(ctx, -ENOENT, "load endpoint", "no endpoint %s", id);
	if (r < 0)
		return r;
	ep = calloc(1, sizeof(*ep));
	if (!ep)
		return vt_fail(ctx, -ENOMEM, "load endpoint", NULL);
	r = vt_state_read(ctx, dirfd, id, &ep->rec, &ep->json);
	if (r == -ENOENT)
		return vt_fail(ctx, -ENOENT, "load endpoint", "no endpoint %s", id);
	if (r < 0)
		return r;
	*ret_endpoint = TAKE_PTR(ep);
	return 0;
}

VT_EXPORT struct vmtap_endpoint *vmtap_endpoint_free(struct vmtap_endpoint *ep)
{
	if (!ep)
		return NULL;
	free(ep->json);
	free(ep);
	return NULL;
}

struct foreach_data {
	struct vmtap_ctx *ctx;
	int dirfd;
	vmtap_endpoint_fn fn;
	void *userdata;
};

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
	if (r == -ENOENT)
		return 0; /* no directory: no endpoints */
	if (r < 0)
		return r;
	r = vt_state_list_ids(ctx, dirfd, &ids, &n);
	if (r < 0)
		return r;
	for (size_t i = 0; i < n && !ret; i++) {
		struct vmtap_endpoint ep = { 0 };
		char file[VMTAP_ID_MAX + VT_STATE_PATH_MAX + 8];

		vt_state_record_path(ctx, ids[i], file, sizeof(file));
		if (vt_id_check(NULL, ids[i]) < 0) {
			ret = fn(NULL, file, "the file name is not a valid endpoint id; left in place", userdata);
			continue;
		}
		r = vt_state_read(ctx, dirfd, ids[i], &ep.rec, &ep.json);
		if (r == -ENOENT)
			continue; /* destroyed meanwhile */
		if (r < 0) {
			ret = fn(NULL, file, vmtap_ctx_error(ctx), userdata);
			continue;
		}
		ret = fn(&ep, file, NULL, userdata);
		free(ep.json);
	}
	vt_clear_error(ctx); /* an unreadable record went to @fn: it is no failure of this call */
	vt_state_free_ids(ids, n);
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
	return ep ? vt_record_netns(&ep->rec) : NULL;
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

VT_EXPORT enum vmtap_connection vmtap_endpoint_connection(const struct vmtap_endpoint *ep)
{
	return ep ? ep->rec.connection : VMTAP_CONNECT_NONE;
}

VT_EXPORT const char *vmtap_endpoint_device(const struct vmtap_endpoint *ep)
{
	if (!ep)
		return NULL;
	switch (ep->rec.connection) {
	case VMTAP_CONNECT_BRIDGE:
		return ep->rec.bridge;
	case VMTAP_CONNECT_REDIRECT:
	case VMTAP_CONNECT_MACVTAP:
		return ep->rec.link_dev;
	default:
		return NULL;
	}
}

VT_EXPORT int vmtap_endpoint_macvtap_mode(const struct vmtap_endpoint *ep)
{
	return ep && ep->rec.connection == VMTAP_CONNECT_MACVTAP ? (int)ep->rec.macvtap_mode : -EINVAL;
}

VT_EXPORT uint32_t vmtap_endpoint_tc_prio(const struct vmtap_endpoint *ep)
{
	return ep && ep->rec.connection == VMTAP_CONNECT_REDIRECT ? ep->rec.tc_prio : 0;
}

VT_EXPORT bool vmtap_endpoint_ephemeral(const struct vmtap_endpoint *ep)
{
	return ep && ep->rec.ephemeral;
}

VT_EXPORT const char *vmtap_endpoint_label(const struct vmtap_endpoint *ep)
{
	return ep && ep->rec.label[0] ? ep->rec.label : NULL;
}

VT_EXPORT const char *vmtap_endpoint_json(const struct vmtap_endpoint *ep)
{
	return ep ? ep->json : NULL;
}


/*
 * The device of @rec, looked up where it lives and proven to be the one the
 * record made (see vt_endpoint_device_is_ours()): a name alone proves
 * nothing, another device may have taken it since.
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

	if ((r = vt_netns_id(ctx, NULL, &own)) < 0 || (r = vt_state_identity_get(ctx, dirfd, state_id)) < 0)
		return r;
	r = vt_endpoint_record_netns(ctx, rec, &own, &nsid, &reachable);
	if (r == -ENOENT || r == -ESTALE)
		return vt_fail(ctx, -ENODEV, step, "endpoint %s's namespace %s is gone%s", rec->id, rec->netns,
			       r == -ESTALE ? " (its name now points to another namespace)" : "");
	if (r < 0)
		return r;
	if (!reachable)
		return vt_fail(ctx, -EXDEV, step,
			       "endpoint %s's device is in the namespace it was created in, which has no name and is "
			       "not this one", rec->id);
	r = vt_nl_get(ctx, vt_record_netns(rec), &nl);
	if (r < 0)
		return r;
	r = vt_link_get(NULL, nl, rec->ifname, 0, ret_li);
	if (r == -ENODEV)
		return vt_fail(ctx, -ENODEV, step, "endpoint %s's device %s is gone", rec->id, rec->ifname);
	if (r < 0)
		return vt_fail_ack(ctx, r, vt_nl_ack(nl), "look up link", "%s", rec->ifname);
	if (!vt_endpoint_device_is_ours(rec, ret_li, state_id, &why))
		return vt_fail(ctx, -ENODEV, step, "%s is not endpoint %s's device any more: it %s; refusing to touch it",
			       rec->ifname, rec->id, why);
	return 0;
}

VT_EXPORT int vmtap_endpoint_open(struct vmtap_ctx *ctx, const char *id, struct vmtap_tap **ret_tap)
{
	_cleanup_close_ int dirfd = -1;
	_cleanup_lock_ struct vt_lock lock = VT_LOCK_NONE;
	struct vmtap_link_info li;
	struct vt_record rec;
	int r;

	vt_clear_error(ctx);
	if (!ret_tap)
		return vt_fail(ctx, -EINVAL, "validate", "no output handle");
	/* under the lock, so a concurrent destroy cannot pull the device away half-way */
	r = endpoint_lock_read(ctx, id, "open endpoint", &dirfd, &lock, &rec);
	if (r < 0)
		return r;
	if (rec.state != VMTAP_EP_READY)
		return vt_fail(ctx, -EBUSY, "open endpoint", "endpoint %s is %s, not ready", id,
			       vmtap_endpoint_state_name(rec.state));
	r = record_device(ctx, dirfd, &rec, "open endpoint", &li);
	if (r < 0)
		return r;
	if (rec.connection == VMTAP_CONNECT_MACVTAP) {
		/*
		 * The kernel does not say how many queues a macvtap has open, so
		 * "one hypervisor at a time" rests on the record: a hypervisor that
		 * still runs holds the device.
		 */
		if (rec.hv_pid && vt_proc_alive(rec.hv_pid, rec.hv_start) == 1)
			return vt_fail(ctx, -EBUSY, "open endpoint", "endpoint %s is in use by QEMU pid %d%s%s", id,
				       rec.hv_pid, rec.hv_device[0] ? ", device " : "", rec.hv_device);
		return vt_tap_open_macvtap(ctx, vt_record_netns(&rec), rec.ifname, li.ifindex, rec.queues, rec.vnet_hdr,
					   ret_tap);
	}
	{
		/* one hypervisor at a time: a second set of queues would share the traffic with the first */
		VMTAP_OPTS(vmtap_tap_opts, o, .name = rec.ifname, .queues = rec.queues, .netns = vt_record_netns(&rec),
			   .flags = (rec.vnet_hdr ? 0 : VMTAP_TAP_NO_VNET_HDR) | (rec.queues > 1 ? VMTAP_TAP_MULTI_QUEUE : 0) |
				    VMTAP_TAP_ATTACH_UNUSED);
		r = vt_tap_open(ctx, &o, &(struct vt_tap_how){ .attach = true, .expect_ifindex = li.ifindex }, ret_tap);
	}
	if (r == -EBUSY && rec.hv_pid) {
		char why[VMTAP_ERROR_MAX];
		snprintf(why, sizeof(why), "%s", vmtap_ctx_error(ctx));
		return vt_fail(ctx, -EBUSY, "open endpoint", "endpoint %s is in use: %s (recorded: QEMU pid %d%s%s%s)",
			       id, why, rec.hv_pid, rec.hv_device[0] ? ", device " : "", rec.hv_device,
			       vt_proc_alive(rec.hv_pid, rec.hv_start) == 0 ? ", which has exited" : "");
	}
	return r;
}

VT_EXPORT int vmtap_endpoint_set_hypervisor(struct vmtap_ctx *ctx, const char *id,
					    const struct vmtap_hypervisor_info *user_info)
{
	_cleanup_close_ int dirfd = -1;
	_cleanup_lock_ struct vt_lock lock = VT_LOCK_NONE;
	struct vmtap_hypervisor_info info;
	struct vt_record rec;
	int r;

	vt_clear_error(ctx);
	if (!VT_OPTS_COPY(info, user_info, vmtap_hypervisor_info))
		return vt_fail(ctx, -EINVAL, "validate", "hypervisor info struct has unknown non-zero fields");
	/* what the record's reader refuses must not be written: the record would be stuck */
	if ((info.netdev_id && !vt_qemu_id_ok(info.netdev_id)) || (info.device_id && !vt_qemu_id_ok(info.device_id)))
		return vt_fail(ctx, -EINVAL, "validate", "QEMU ids must start with a letter and hold at most 120 "
			       "letters, digits, '-', '.', '_'");
	if (info.pci_addr && !vt_pci_addr_ok(info.pci_addr))
		return vt_fail(ctx, -EINVAL, "validate", "PCI address \"%.32s\" is not of the form dddd:bb:ss.f", info.pci_addr);
	if (info.pid < 0)
		return vt_fail(ctx, -EINVAL, "validate", "pid %d is negative", info.pid);
	r = endpoint_lock_read(ctx, id, "record hypervisor", &dirfd, &lock, &rec);
	if (r < 0)
		return r;
	rec.hv_pid = info.pid;
	rec.hv_start = 0;
	/* (pid, start time) names one process for the whole uptime; a pid alone may be reused */
	if (info.pid > 0 && (r = vt_proc_starttime(info.pid, &rec.hv_start)) < 0)
		return vt_fail(ctx, r, "record hypervisor", "process %d%s", info.pid, r == -ESRCH ? " does not exist" : "");
	snprintf(rec.hv_netdev, sizeof(rec.hv_netdev), "%s", info.netdev_id ? info.netdev_id : "");
	snprintf(rec.hv_device, sizeof(rec.hv_device), "%s", info.device_id ? info.device_id : "");
	snprintf(rec.hv_pci, sizeof(rec.hv_pci), "%s", info.pci_addr ? info.pci_addr : "");
	if ((r = vt_fault(ctx, "record hypervisor")) < 0)
		return r;
	return vt_state_write(ctx, dirfd, &rec);
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

int vt_endpoint_hypervisor_alive(const struct vmtap_endpoint *ep)
{
	return vt_proc_alive(ep->rec.hv_pid, ep->rec.hv_start);
}

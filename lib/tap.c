/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* TAP devices as the public API offers them: tun's queues, composed with a namespace, root qdisc and link settings. */
/**
 * DOC: Theory of Operation
 *
 * Making a usable TAP takes more than /dev/net/tun: the queues are opened in
 * the device's namespace (netns.c), an attach is checked first against what
 * the kernel says of the device (link.c), and a new device gets its root
 * qdisc and link settings (tc.c, link_set.c) before it becomes persistent.
 * That composition is this module's, above tun.c, so that tun.c stays the
 * bottom layer that only speaks ioctl, and the rtnetlink modules never need
 * to know about queues.
 *
 * Until TUNSETPERSIST the device lives only as long as its fds: if the
 * process dies before the settings (an ownership tag, say) are on it, the
 * kernel removes it, so no half-made device can outlive its creator.
 */
#include <net/if.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <linux/if_tun.h>

#include "link.h"
#include "link_set.h"
#include "macvtap.h"
#include "netns.h"
#include "tap.h"
#include "tc.h"
#include "tun.h"

int vt_tap_open(struct vmtap_ctx *ctx, const struct vmtap_tap_opts *user_opts, const struct vt_tap_how *how,
		struct vmtap_tap **ret_tap)
{
	struct vmtap_tap_opts o;
	bool attach = how->attach;
	struct vt_tun_job job = { .ctx = ctx, .opts = &o, .attach = attach, .expect_ifindex = how->expect_ifindex };
	_cleanup_close_ int nsfd = -1;
	bool set_qdisc;
	int r;

	vt_clear_error(ctx);
	if (!ret_tap)
		return vt_fail(ctx, -EINVAL, "validate", "no output handle");
	if (!VT_OPTS_COPY(o, user_opts, vmtap_tap_opts))
		return vt_fail(ctx, -EINVAL, "validate", "options struct has unknown non-zero fields");
	if (attach && !o.name)
		return vt_fail(ctx, -EINVAL, "validate", "attach needs a device name");
	r = vt_tun_opts_check(ctx, &o, attach);
	if (r < 0)
		return r;
	if (o.link) {
		struct vmtap_link_set_opts lo;
		r = vt_link_set_validate(ctx, o.link, how->allow_tag, &lo);
		if (r < 0)
			return r;
		if (lo.move_netns)
			return vt_fail(ctx, -EINVAL, "validate", "create the device in its namespace instead of moving it");
	}
	if (o.netns) {
		r = vt_netns_open(ctx, o.netns, &nsfd);
		if (r < 0)
			return r;
	}

	if (attach) {
		/* the kernel would silently change vnet_hdr on attach: compare first */
		struct vmtap_link_info li;
		struct vt_nl *nl;
		unsigned int queues = o.queues ? o.queues : 1;
		bool want_mq = queues > 1 || (o.flags & VMTAP_TAP_MULTI_QUEUE);
		bool want_vnet = !(o.flags & VMTAP_TAP_NO_VNET_HDR);

		r = vt_nl_get(ctx, o.netns, &nl);
		if (r < 0)
			return r;
		r = vt_link_get(ctx, nl, o.name, 0, &li);
		if (r < 0)
			return r;
		if (!li.is_tun || li.tun_type != IFF_TAP)
			return vt_fail(ctx, -EMEDIUMTYPE, "attach", "%s is not a TAP device", o.name);
		if (!li.tun_persist)
			return vt_fail(ctx, -EBUSY, "attach", "%s is not persistent: it belongs to the process that holds it",
				       o.name);
		if (li.tun_multi_queue != want_mq)
			return vt_fail(ctx, -EINVAL, "attach", "%s is %s-queue, but %s-queue was asked for", o.name,
				       li.tun_multi_queue ? "multi" : "single", want_mq ? "multi" : "single");
		if (li.tun_vnet_hdr != want_vnet)
			return vt_fail(ctx, -EINVAL, "attach", "%s has the vnet header %s, but it was asked %s", o.name,
				       li.tun_vnet_hdr ? "on" : "off", want_vnet ? "on" : "off");
		if (!li.tun_multi_queue && li.tun_num_queues > 0)
			return vt_fail(ctx, -EBUSY, "attach", "%s queue 0 is busy (in use by another process)", o.name);
		/* the kernel's count, not a recorded pid that may have been reused */
		if ((o.flags & VMTAP_TAP_ATTACH_UNUSED) && li.tun_num_queues + li.tun_num_disabled_queues > 0)
			return vt_fail(ctx, -EBUSY, "attach", "%s has %u queue(s) open in another process", o.name,
				       li.tun_num_queues + li.tun_num_disabled_queues);
		if (li.tun_num_queues + li.tun_num_disabled_queues + queues > VMTAP_MAX_QUEUES)
			return vt_fail(ctx, -E2BIG, "attach", "%s has %u queues open: %u more exceed %d", o.name,
				       li.tun_num_queues + li.tun_num_disabled_queues, queues, VMTAP_MAX_QUEUES);
	}

	/* a device we only attach to keeps its qdiscs: they are its owner's */
	set_qdisc = !attach && !(o.flags & VMTAP_TAP_KERNEL_QDISC);
	job.persist_now = !attach && (o.flags & VMTAP_TAP_PERSIST) && !o.link && !set_qdisc;
	r = vt_netns_call(ctx, nsfd, vt_tun_open_here, &job);
	if (r < 0)
		return r;
	if (set_qdisc || o.link) {
		struct vt_nl *nl;

		/*
		 * Until TUNSETPERSIST the device lives only as long as our fds: if we
		 * die before the settings (an ownership tag, say) are on it, the
		 * kernel removes it, so no half-made device can outlive us.  The
		 * qdisc goes first, while the device is down (see tc.c).
		 */
		r = vt_nl_get(ctx, o.netns, &nl);
		if (r >= 0 && set_qdisc)
			r = vt_tc_root_set(ctx, nl, job.tap->ifindex, job.tap->name, VT_TC_TAP_ROOT);
		if (r >= 0 && o.link)
			r = vt_link_set_checked(ctx, o.netns, job.tap->name, o.link, how->allow_tag);
		if (r >= 0 && !attach && (o.flags & VMTAP_TAP_PERSIST)) {
			if ((r = vt_fault(ctx, "set persist")) >= 0 && ioctl(job.tap->fds[0], TUNSETPERSIST, 1UL) < 0)
				r = vt_fail(ctx, -errno, "set persist", "%s", job.tap->name);
			if (r >= 0)
				job.tap->persist = true;
		}
		if (r < 0) {
			/* closing the fds removes the new device; one we only attached to stays as it was */
			vmtap_tap_free(job.tap);
			return r;
		}
	}
	*ret_tap = job.tap;
	return 0;
}

VT_EXPORT int vmtap_tap_create(struct vmtap_ctx *ctx, const struct vmtap_tap_opts *opts,
			       struct vmtap_tap **ret_tap)
{
	return vt_tap_open(ctx, opts, &(struct vt_tap_how){ .attach = false }, ret_tap);
}

VT_EXPORT int vmtap_tap_attach(struct vmtap_ctx *ctx, const struct vmtap_tap_opts *opts,
			       struct vmtap_tap **ret_tap)
{
	return vt_tap_open(ctx, opts, &(struct vt_tap_how){ .attach = true }, ret_tap);
}

VT_EXPORT struct vmtap_tap *vmtap_tap_free(struct vmtap_tap *tap)
{
	if (!tap)
		return NULL;
	vt_tun_close_fds(tap->fds, tap->nqueues);
	free(tap->fds);
	free(tap->netns);
	free(tap);
	return NULL;
}

VT_EXPORT int vmtap_tap_destroy(struct vmtap_ctx *ctx, struct vmtap_tap *tap)
{
	int r = 0;

	vt_clear_error(ctx);
	if (!tap)
		return 0;
	if (tap->persist) {
		if (tap->nqueues && tap->fds[0] >= 0) {
			if ((r = vt_fault(ctx, "unset persist")) == 0 && ioctl(tap->fds[0], TUNSETPERSIST, 0UL) < 0)
				r = vt_fail(ctx, -errno, "unset persist", "%s", tap->name);
		} else {
			struct vt_nl *nl;
			r = vt_nl_get(ctx, tap->netns, &nl);
			if (r >= 0)
				r = vt_link_del(ctx, nl, tap->ifindex, tap->name);
			if (r == -ENODEV)
				r = 0;
		}
	}
	vmtap_tap_free(tap);
	return r;
}

VT_EXPORT const char *vmtap_tap_name(const struct vmtap_tap *tap)
{
	return tap ? tap->name : NULL;
}

VT_EXPORT int vmtap_tap_ifindex(const struct vmtap_tap *tap)
{
	return tap ? tap->ifindex : -EINVAL;
}

VT_EXPORT unsigned int vmtap_tap_queues(const struct vmtap_tap *tap)
{
	return tap ? tap->nqueues : 0;
}

VT_EXPORT bool vmtap_tap_vnet_hdr(const struct vmtap_tap *tap)
{
	return tap && (tap->ifflags & IFF_VNET_HDR);
}

VT_EXPORT int vmtap_tap_fd(const struct vmtap_tap *tap, unsigned int queue)
{
	if (!tap || queue >= tap->nqueues)
		return -EINVAL;
	return tap->fds[queue] >= 0 ? tap->fds[queue] : -EBADF;
}

VT_EXPORT int vmtap_tap_steal_fds(struct vmtap_tap *tap, int *ret_fds, size_t n)
{
	if (!tap || !ret_fds || n < tap->nqueues)
		return -EINVAL;
	for (unsigned int i = 0; i < tap->nqueues; i++) {
		if (tap->fds[i] < 0)
			return -EBADF;
	}
	for (unsigned int i = 0; i < tap->nqueues; i++) {
		ret_fds[i] = tap->fds[i];
		tap->fds[i] = -1;
	}
	return 0;
}

VT_EXPORT int vmtap_tap_set_queue(struct vmtap_ctx *ctx, struct vmtap_tap *tap, unsigned int queue,
				  enum vmtap_queue_state state)
{
	bool enabled = state == VMTAP_QUEUE_ATTACHED;

	struct ifreq ifr = { 0 };

	vt_clear_error(ctx);
	if (!tap || queue >= tap->nqueues)
		return vt_fail(ctx, -EINVAL, "validate", "queue %u out of range", queue);
	if (state != VMTAP_QUEUE_ATTACHED && state != VMTAP_QUEUE_DETACHED)
		return vt_fail(ctx, -EINVAL, "validate", "unknown queue state %d", (int)state);
	if (!(tap->ifflags & IFF_MULTI_QUEUE))
		return vt_fail(ctx, -EOPNOTSUPP, "set queue", "%s is single-queue", tap->name);
	if (tap->fds[queue] < 0)
		return vt_fail(ctx, -EBADF, "set queue", "%s queue %u has been handed off", tap->name, queue);
	ifr.ifr_flags = enabled ? IFF_ATTACH_QUEUE : IFF_DETACH_QUEUE;
	if (ioctl(tap->fds[queue], TUNSETQUEUE, &ifr) < 0)
		return vt_fail(ctx, -errno, "set queue", "%s queue %u %s", tap->name, queue,
			       enabled ? "enable" : "disable");
	return 0;
}

VT_EXPORT int vmtap_tap_set_persist(struct vmtap_ctx *ctx, struct vmtap_tap *tap, enum vmtap_persist state)
{
	bool persist = state == VMTAP_PERSIST_ON;

	vt_clear_error(ctx);
	if (!tap || !tap->nqueues || tap->fds[0] < 0)
		return vt_fail(ctx, -EINVAL, "validate", "no open queue");
	if (tap->macvtap)
		return vt_fail(ctx, -EOPNOTSUPP, "set persist", "%s is a macvtap, which exists until deleted", tap->name);
	if (state != VMTAP_PERSIST_ON && state != VMTAP_PERSIST_OFF)
		return vt_fail(ctx, -EINVAL, "validate", "unknown persistence %d", (int)state);
	if (ioctl(tap->fds[0], TUNSETPERSIST, persist ? 1UL : 0UL) < 0)
		return vt_fail(ctx, -errno, "set persist", "%s", tap->name);
	tap->persist = persist;
	return 0;
}

int vt_tap_open_macvtap(struct vmtap_ctx *ctx, const char *netns, const char *name, int ifindex, unsigned int queues,
			bool vnet_hdr, struct vmtap_tap **ret_tap)
{
	_cleanup_(vmtap_tap_freep) struct vmtap_tap *tap = calloc(1, sizeof(*tap));
	int r;

	if (!tap || !(tap->fds = calloc(queues, sizeof(int))) || (netns && !(tap->netns = strdup(netns))))
		return vt_fail(ctx, -ENOMEM, "open macvtap", NULL);
	for (unsigned int i = 0; i < queues; i++)
		tap->fds[i] = -1;
	r = vt_macvtap_open(ctx, netns, name, ifindex, queues,
			    (vnet_hdr ? VT_MACVTAP_VNET_HDR : 0) | (queues > 1 ? VT_MACVTAP_MULTI_QUEUE : 0), 0, 0, tap->fds);
	if (r < 0)
		return r;
	snprintf(tap->name, sizeof(tap->name), "%s", name);
	tap->ifindex = ifindex;
	tap->nqueues = queues;
	tap->macvtap = true;
	tap->ifflags = IFF_TAP | IFF_NO_PI | (vnet_hdr ? IFF_VNET_HDR : 0) | (queues > 1 ? IFF_MULTI_QUEUE : 0);
	*ret_tap = TAKE_PTR(tap);
	return 0;
}

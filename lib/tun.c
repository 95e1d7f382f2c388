/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* /dev/net/tun: feature probe, creating and attaching TAP queues, vnet header, offloads, persistence. */
/**
 * DOC: Theory of Operation
 *
 * A TAP device with N queues is N open files of /dev/net/tun, each bound to
 * the same device name with TUNSETIFF.  The first queue creates the device,
 * with IFF_TUN_EXCL so that it can never silently attach to someone else's
 * device of the same name; the others attach to it.  Until TUNSETPERSIST the
 * device lives only as long as its files, so a failure half-way only has to
 * close what it opened for the kernel to remove the device.  Persistence is
 * therefore always the last step.
 *
 * A persistent device keeps per-device state between users: the vnet header
 * size, the offloads and the TX filter.  Every open resets them to the values
 * asked for (by default: header size 10, no offloads, no filter), so that a
 * previous user's settings never leak into the next VM.
 */
#include <fcntl.h>
#include <net/if.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <sys/random.h>
#include <sys/sysmacros.h>
#include <linux/if_tun.h>

#include "internal.h"
#include "validate.h"
#include "link.h"
#include "tc.h"

#define VT_TUN_PATH "/dev/net/tun"
#define VT_VHOST_PATH "/dev/vhost-net"
#define VT_OFFLOADS_ALL 0x7fu

struct vmtap_tap {
	char name[VMTAP_IFNAMSIZ];
	char *netns;
	int ifindex;
	unsigned int nqueues;
	unsigned short ifflags;
	bool persist;
	int *fds;
};

/* ---- probe ---- */

static void probe_tun_fd(int fd, struct vmtap_features *f)
{
	unsigned int feat = 0;

	f->tun_usable = true;
	if (ioctl(fd, TUNGETFEATURES, &feat) < 0) {
		/* kernels before 2.6.27 had no TUNGETFEATURES; assume plain TAP */
		feat = IFF_TUN | IFF_TAP | IFF_NO_PI;
	}
	f->tun_flags = feat;
	f->vnet_hdr = feat & IFF_VNET_HDR;
	f->multi_queue = feat & IFF_MULTI_QUEUE;
	f->napi = feat & IFF_NAPI;
	f->max_queues = f->multi_queue ? VMTAP_MAX_QUEUES : 1;
}

VT_EXPORT int vmtap_probe(struct vmtap_ctx *ctx, struct vmtap_features *ret_features)
{
	struct vmtap_features f = { .sz = sizeof(f) };
	_cleanup_close_ int tun = -1;
	_cleanup_close_ int vhost = -1;
	size_t sz;

	vt_clear_error(ctx);
	if (!ret_features || ret_features->sz < offsetof(struct vmtap_features, tun_reason))
		return vt_fail(ctx, -EINVAL, "validate", "features struct without a valid size");

	tun = open(VT_TUN_PATH, O_RDWR | O_CLOEXEC);
	if (tun < 0)
		snprintf(f.tun_reason, sizeof(f.tun_reason), "cannot open %s: %s", VT_TUN_PATH, strerror(errno));
	else
		probe_tun_fd(tun, &f);

	vhost = open(VT_VHOST_PATH, O_RDWR | O_CLOEXEC);
	if (vhost < 0)
		snprintf(f.vhost_net_reason, sizeof(f.vhost_net_reason), "cannot open %s: %s", VT_VHOST_PATH,
			 strerror(errno));
	else
		f.vhost_net_usable = true;

	sz = ret_features->sz < sizeof(f) ? ret_features->sz : sizeof(f);
	memcpy(ret_features, &f, sz);
	ret_features->sz = sz;
	return 0;
}

/* ---- flags ---- */

/* A caller's fd is an open /dev/net/tun (misc device 10:200). */
static bool is_tun_file(int fd)
{
	struct stat st;

	return fd >= 0 && fstat(fd, &st) == 0 && S_ISCHR(st.st_mode) && major(st.st_rdev) == 10 &&
	       minor(st.st_rdev) == 200;
}

/* The file of queue @i: a duplicate of the caller's open /dev/net/tun, or a new open. */
static int tun_file_open(const struct vmtap_tap_opts *o, unsigned int i)
{
	if (o->tun_fds)
		return fcntl(o->tun_fds[i], F_DUPFD_CLOEXEC, 3);
	return open(VT_TUN_PATH, O_RDWR | O_CLOEXEC);
}

static int opts_check(struct vmtap_ctx *ctx, const struct vmtap_tap_opts *o, bool attach)
{
	int r;

	if (o->flags & ~VMTAP_TAP_FLAGS_ALL)
		return vt_fail(ctx, -EINVAL, "validate", "unknown flags 0x%x", o->flags & ~VMTAP_TAP_FLAGS_ALL);
	if ((o->flags & VMTAP_TAP_NO_VNET_HDR) && (o->flags & VMTAP_TAP_REQUIRE_VNET_HDR))
		return vt_fail(ctx, -EINVAL, "validate", "vnet header both refused and required");
	r = vt_queues_check(ctx, o->queues ? o->queues : 1);
	if (r < 0)
		return r;
	if (attach || o->name) {
		r = vt_name_check(ctx, "interface name", attach ? o->name : o->name, !attach);
		if (r < 0)
			return r;
	}
	if (o->vnet_hdr_sz && o->vnet_hdr_sz != 10 && o->vnet_hdr_sz != 12 && o->vnet_hdr_sz != 20)
		return vt_fail(ctx, -EINVAL, "validate", "vnet header size %u is not 10, 12 or 20", o->vnet_hdr_sz);
	if (o->vnet_hdr_sz && (o->flags & VMTAP_TAP_NO_VNET_HDR))
		return vt_fail(ctx, -EINVAL, "validate", "vnet header size given without a vnet header");
	if (o->offloads & ~VT_OFFLOADS_ALL)
		return vt_fail(ctx, -EINVAL, "validate", "unknown offload flags 0x%x", o->offloads & ~VT_OFFLOADS_ALL);
	if (o->offloads && (o->flags & VMTAP_TAP_NO_VNET_HDR))
		return vt_fail(ctx, -EINVAL, "validate", "offloads need the vnet header");
	if ((o->offloads & ~VMTAP_OFFLOAD_CSUM) && !(o->offloads & VMTAP_OFFLOAD_CSUM))
		return vt_fail(ctx, -EINVAL, "validate", "segmentation offloads need checksum offload (csum)");
	for (unsigned int i = 0; o->tun_fds && i < (o->queues ? o->queues : 1); i++)
		if (!is_tun_file(o->tun_fds[i]))
			return vt_fail(ctx, -EBADF, "validate", "tun_fds[%u] is not an open %s", i, VT_TUN_PATH);
	return 0;
}

int vt_tun_flags(struct vmtap_ctx *ctx, const struct vmtap_tap_opts *o,
		 const struct vmtap_features *f, unsigned short *ret_flags)
{
	unsigned short flags = IFF_TAP | IFF_NO_PI;
	unsigned int queues = o->queues ? o->queues : 1;

	if (!(f->tun_flags & IFF_TAP))
		return vt_fail(ctx, -EOPNOTSUPP, "probe", "the kernel's tun driver has no TAP mode");
	if (queues > 1 || (o->flags & VMTAP_TAP_MULTI_QUEUE)) {
		if (!f->multi_queue)
			return queues > 1 ? vt_fail(ctx, -EOPNOTSUPP, "probe",
						    "%u queues need IFF_MULTI_QUEUE, which this kernel lacks", queues) :
					    vt_fail(ctx, -EOPNOTSUPP, "probe",
						    "a multi-queue device needs IFF_MULTI_QUEUE, which this kernel lacks");
		flags |= IFF_MULTI_QUEUE;
	}
	if (!(o->flags & VMTAP_TAP_NO_VNET_HDR)) {
		if (f->vnet_hdr)
			flags |= IFF_VNET_HDR;
		else if (o->flags & VMTAP_TAP_REQUIRE_VNET_HDR)
			return vt_fail(ctx, -EOPNOTSUPP, "probe", "IFF_VNET_HDR is required but not supported");
		else
			vt_log(ctx, VMTAP_LOG_WARNING,
			       "the kernel does not support IFF_VNET_HDR: continuing without a vnet header (no offloads)");
	}
	if (o->offloads && !(flags & IFF_VNET_HDR))
		return vt_fail(ctx, -EOPNOTSUPP, "probe", "offloads need the vnet header, which is unavailable");
	*ret_flags = flags;
	return 0;
}

/* ---- open ---- */

struct tap_job {
	struct vmtap_ctx *ctx;
	const struct vmtap_tap_opts *opts;
	bool attach;
	bool persist_now;      /* persistent at once: nothing to configure after opening */
	struct vmtap_tap *tap; /* filled on success */
};

static void close_fds(int *fds, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++)
		if (fds[i] >= 0) {
			close(fds[i]);
			fds[i] = -1;
		}
}

static int set_iff(int fd, const char *name, unsigned short flags, char ret_name[VMTAP_IFNAMSIZ])
{
	struct ifreq ifr = { 0 };

	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	ifr.ifr_flags = (short)flags;
	if (ioctl(fd, TUNSETIFF, &ifr) < 0)
		return -errno;
	if (ret_name)
		snprintf(ret_name, VMTAP_IFNAMSIZ, "%s", ifr.ifr_name);
	return 0;
}

/* Bring per-device state left by a previous user back to what @o asks for. */
/*
 * A device just made has the kernel's defaults (vnet header 10 bytes,
 * little-endian off, no offloads, no filter): only what differs is set.  A
 * device we attach to gets all of it, whatever its last user left behind.
 * Each of these ioctls takes the rtnl lock, which parallel creations share.
 */
static int set_device_state(struct vmtap_ctx *ctx, int fd, unsigned short flags,
			    const struct vmtap_tap_opts *o, const char *name, bool fresh)
{
	int hdr = o->vnet_hdr_sz ? (int)o->vnet_hdr_sz : 10;
	int zero = 0;
	struct tun_filter empty = { 0 };
	int r;

	if ((flags & IFF_VNET_HDR) && (!fresh || hdr != 10)) {
		if ((r = vt_fault(ctx, "set vnet header")) < 0)
			return r;
		if (ioctl(fd, TUNSETVNETHDRSZ, &hdr) < 0)
			return vt_fail(ctx, -errno, "set vnet header", "%s: size %d", name, hdr);
	}
	/* TUNSETVNETLE fails with EINVAL on kernels without cross-endian support: nothing to reset then */
	if ((flags & IFF_VNET_HDR) && !fresh && ioctl(fd, TUNSETVNETLE, &zero) < 0 && errno != EINVAL && errno != ENOTTY)
		return vt_fail(ctx, -errno, "set vnet header", "%s: little-endian off", name);
	if (!fresh || o->offloads) {
		if ((r = vt_fault(ctx, "set offloads")) < 0)
			return r;
		if (ioctl(fd, TUNSETOFFLOAD, (unsigned long)o->offloads) < 0)
			return vt_fail(ctx, -errno, "set offloads", "%s: 0x%x", name, o->offloads);
	}
	if (!fresh && ioctl(fd, TUNSETTXFILTER, &empty) < 0)
		return vt_fail(ctx, -errno, "reset filter", "%s", name);
	return 0;
}

static void random_name(char name[VMTAP_IFNAMSIZ])
{
	uint64_t v = 0;

	if (getrandom(&v, sizeof(v), GRND_NONBLOCK) != sizeof(v))
		v = ((uint64_t)getpid() << 32) ^ (uint64_t)(uintptr_t)name;
	snprintf(name, VMTAP_IFNAMSIZ, "vmt%012llx", (unsigned long long)(v & 0xffffffffffffULL));
}

static int tap_open_here(void *p)
{
	struct tap_job *job = p;
	struct vmtap_ctx *ctx = job->ctx;
	const struct vmtap_tap_opts *o = job->opts;
	unsigned int queues = o->queues ? o->queues : 1;
	struct vmtap_features f = { .sz = sizeof(f) };
	_cleanup_free_ int *fds = NULL;
	char name[VMTAP_IFNAMSIZ];
	unsigned short flags;
	struct vmtap_tap *tap;
	unsigned int opened = 0;
	int r;

	fds = malloc(sizeof(int) * queues);
	if (!fds)
		return vt_fail(ctx, -ENOMEM, "open queue", NULL);

	fds[0] = tun_file_open(o, 0);
	if (fds[0] < 0)
		return vt_fail(ctx, -errno, "open " VT_TUN_PATH, NULL);
	opened = 1;
	probe_tun_fd(fds[0], &f);
	r = vt_tun_flags(ctx, o, &f, &flags);
	if (r < 0)
		goto fail;

	/* queue 0 creates (or, for attach, joins) the device */
	if ((r = vt_fault(ctx, "create device")) < 0)
		goto fail;
	if (job->attach) {
		r = set_iff(fds[0], o->name, flags, name);
		if (r < 0) {
			r = vt_fail(ctx, r, "attach queue", "%s queue 0%s", o->name,
				    r == -EBUSY ? " is busy (in use by another process)" : "");
			goto fail;
		}
	} else if (o->name) {
		r = set_iff(fds[0], o->name, flags | IFF_TUN_EXCL, name);
		if (r < 0) {
			r = vt_fail(ctx, r, "create device", "%s%s", o->name,
				    r == -EBUSY ? " already exists" : "");
			goto fail;
		}
	} else {
		/* our own names are random, so a clash means someone else has it: try another */
		for (int attempt = 0;; attempt++) {
			char want[VMTAP_IFNAMSIZ];
			random_name(want);
			r = set_iff(fds[0], want, flags | IFF_TUN_EXCL, name);
			if (r != -EBUSY || attempt == 4)
				break;
		}
		if (r < 0) {
			r = vt_fail(ctx, r, "create device", "generated name");
			goto fail;
		}
	}

	r = set_device_state(ctx, fds[0], flags, o, name, !job->attach);
	if (r < 0)
		goto fail;
	if (o->flags & VMTAP_TAP_SET_OWNER) {
		if ((r = vt_fault(ctx, "set owner")) < 0)
			goto fail;
		if (ioctl(fds[0], TUNSETOWNER, (unsigned long)o->owner) < 0) {
			r = vt_fail(ctx, -errno, "set owner", "%s: uid %u", name, (unsigned)o->owner);
			goto fail;
		}
	}
	if (o->flags & VMTAP_TAP_SET_GROUP) {
		if ((r = vt_fault(ctx, "set group")) < 0)
			goto fail;
		if (ioctl(fds[0], TUNSETGROUP, (unsigned long)o->group) < 0) {
			r = vt_fail(ctx, -errno, "set group", "%s: gid %u", name, (unsigned)o->group);
			goto fail;
		}
	}

	for (unsigned int i = 1; i < queues; i++) {
		if ((r = vt_fault(ctx, "open queue")) < 0)
			goto fail;
		fds[i] = tun_file_open(o, i);
		if (fds[i] < 0) {
			r = vt_fail(ctx, -errno, "open queue", "%s queue %u", name, i);
			goto fail;
		}
		opened++;
		r = set_iff(fds[i], name, flags, NULL);
		if (r < 0) {
			r = vt_fail(ctx, r, "open queue", "%s queue %u%s", name, i,
				    r == -E2BIG ? ": the device has no room for more queues" :
				    r == -EBUSY ? ": busy" : "");
			goto fail;
		}
	}

	/* with link settings to apply, persistence waits for them (see tap_open()) */
	if (job->persist_now) {
		if ((r = vt_fault(ctx, "set persist")) < 0)
			goto fail;
		if (ioctl(fds[0], TUNSETPERSIST, 1UL) < 0) {
			r = vt_fail(ctx, -errno, "set persist", "%s", name);
			goto fail;
		}
	}

	tap = calloc(1, sizeof(*tap));
	if (!tap || (o->netns && !(tap->netns = strdup(o->netns)))) {
		free(tap);
		r = vt_fail(ctx, -ENOMEM, "create device", NULL);
		goto fail_unpersist;
	}
	snprintf(tap->name, sizeof(tap->name), "%s", name);
	tap->ifindex = (int)if_nametoindex(name);
	tap->nqueues = queues;
	tap->ifflags = flags;
	tap->persist = job->attach || job->persist_now;
	tap->fds = TAKE_PTR(fds);
	job->tap = tap;
	return 0;

fail_unpersist:
	if (job->persist_now)
		(void)ioctl(fds[0], TUNSETPERSIST, 0UL);
fail:
	close_fds(fds, opened);
	return r;
}

static int tap_open(struct vmtap_ctx *ctx, const struct vmtap_tap_opts *user_opts, bool attach,
		    struct vmtap_tap **ret_tap)
{
	struct vmtap_tap_opts o;
	struct tap_job job = { .ctx = ctx, .opts = &o, .attach = attach };
	_cleanup_close_ int nsfd = -1;
	bool set_qdisc;
	int r;

	vt_clear_error(ctx);
	if (!ret_tap)
		return vt_fail(ctx, -EINVAL, "validate", "no output handle");
	if (!VT_OPTS_COPY(o, user_opts))
		return vt_fail(ctx, -EINVAL, "validate", "options struct has unknown non-zero fields");
	if (attach && !o.name)
		return vt_fail(ctx, -EINVAL, "validate", "attach needs a device name");
	r = opts_check(ctx, &o, attach);
	if (r < 0)
		return r;
	if (o.link) {
		struct vmtap_link_set_opts lo;
		r = vt_link_set_validate(ctx, o.link, &lo);
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
	r = vt_netns_call(ctx, nsfd, tap_open_here, &job);
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
			r = vt_link_set_checked(ctx, o.netns, job.tap->name, o.link);
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
	return tap_open(ctx, opts, false, ret_tap);
}

VT_EXPORT int vmtap_tap_attach(struct vmtap_ctx *ctx, const struct vmtap_tap_opts *opts,
			       struct vmtap_tap **ret_tap)
{
	return tap_open(ctx, opts, true, ret_tap);
}

VT_EXPORT struct vmtap_tap *vmtap_tap_free(struct vmtap_tap *tap)
{
	if (!tap)
		return NULL;
	close_fds(tap->fds, tap->nqueues);
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
			if (ioctl(tap->fds[0], TUNSETPERSIST, 0UL) < 0)
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

VT_EXPORT int vmtap_tap_queue_set_enabled(struct vmtap_ctx *ctx, struct vmtap_tap *tap,
					  unsigned int queue, bool enabled)
{
	struct ifreq ifr = { 0 };

	vt_clear_error(ctx);
	if (!tap || queue >= tap->nqueues)
		return vt_fail(ctx, -EINVAL, "validate", "queue %u out of range", queue);
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

VT_EXPORT int vmtap_tap_set_persist(struct vmtap_ctx *ctx, struct vmtap_tap *tap, bool persist)
{
	vt_clear_error(ctx);
	if (!tap || !tap->nqueues || tap->fds[0] < 0)
		return vt_fail(ctx, -EINVAL, "validate", "no open queue");
	if (ioctl(tap->fds[0], TUNSETPERSIST, persist ? 1UL : 0UL) < 0)
		return vt_fail(ctx, -errno, "set persist", "%s", tap->name);
	tap->persist = persist;
	return 0;
}

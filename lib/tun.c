/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* /dev/net/tun: feature probe, the TUNSETIFF flags, opening and attaching a TAP's queues, resetting its state. */
/**
 * DOC: Theory of Operation
 *
 * A TAP device with N queues is N open files of /dev/net/tun, each bound to
 * the same device name with TUNSETIFF.  The first queue creates the device,
 * with IFF_TUN_EXCL so that it can never silently attach to someone else's
 * device of the same name; the others attach to it.  Until TUNSETPERSIST the
 * device lives only as long as its files, so a failure half-way only has to
 * close what it opened for the kernel to remove the device.  Persistence is
 * therefore always the last step (see tap.c).
 *
 * A persistent device keeps per-device state between users: the vnet header
 * size, the offloads and the TX filter.  Every open resets them to the values
 * asked for (by default: header size 10, no offloads, no filter), so that a
 * previous user's settings never leak into the next VM.
 *
 * This module stops at the character device: it runs in whatever namespace
 * its thread is in, and never talks netlink.
 */
#include <fcntl.h>
#include <net/if.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <linux/if_tun.h>

#include "tun.h"
#include "validate.h"
#include "vhost.h"

#define VT_OFFLOADS_ALL 0x7fu

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

	vhost = open(VT_VHOST_NET_PATH, O_RDWR | O_CLOEXEC);
	if (vhost < 0)
		snprintf(f.vhost_net_reason, sizeof(f.vhost_net_reason), "cannot open %s: %s", VT_VHOST_NET_PATH,
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

int vt_tun_vnet_check(struct vmtap_ctx *ctx, bool vnet_hdr, unsigned int vnet_hdr_sz, uint32_t offloads)
{
	if (vnet_hdr_sz && vnet_hdr_sz != 10 && vnet_hdr_sz != 12 && vnet_hdr_sz != 20)
		return vt_fail(ctx, -EINVAL, "validate", "vnet header size %u is not 10, 12 or 20", vnet_hdr_sz);
	if (vnet_hdr_sz && !vnet_hdr)
		return vt_fail(ctx, -EINVAL, "validate", "vnet header size given without a vnet header");
	if (offloads & ~VT_OFFLOADS_ALL)
		return vt_fail(ctx, -EINVAL, "validate", "unknown offload flags 0x%x", offloads & ~VT_OFFLOADS_ALL);
	if (offloads && !vnet_hdr)
		return vt_fail(ctx, -EINVAL, "validate", "offloads need the vnet header");
	if ((offloads & ~VMTAP_OFFLOAD_CSUM) && !(offloads & VMTAP_OFFLOAD_CSUM))
		return vt_fail(ctx, -EINVAL, "validate", "segmentation offloads need checksum offload (csum)");
	return 0;
}

int vt_tun_opts_check(struct vmtap_ctx *ctx, const struct vmtap_tap_opts *o, bool attach)
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
	r = vt_tun_vnet_check(ctx, !(o->flags & VMTAP_TAP_NO_VNET_HDR), o->vnet_hdr_sz, o->offloads);
	if (r < 0)
		return r;
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

void vt_tun_close_fds(int *fds, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++)
		if (fds[i] >= 0) {
			close(fds[i]);
			fds[i] = -1;
		}
}

int vt_tun_set_iff(int fd, const char *name, unsigned short flags, char ret_name[VMTAP_IFNAMSIZ])
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

int vt_tun_fd_setup(struct vmtap_ctx *ctx, int fd, const char *name, unsigned int what, unsigned int vnet_hdr_sz,
		    uint32_t offloads)
{
	int hdr = vnet_hdr_sz ? (int)vnet_hdr_sz : 10;
	int zero = 0;
	struct tun_filter empty = { 0 };
	int r;

	if (what & VT_TUN_SET_HDR_SZ) {
		if ((r = vt_fault(ctx, "set vnet header")) < 0)
			return r;
		if (ioctl(fd, TUNSETVNETHDRSZ, &hdr) < 0)
			return vt_fail(ctx, -errno, "set vnet header", "%s: size %d", name, hdr);
	}
	/* TUNSETVNETLE fails with EINVAL on kernels without cross-endian support: nothing to reset then */
	if ((what & VT_TUN_RESET_LE) && ioctl(fd, TUNSETVNETLE, &zero) < 0 && errno != EINVAL && errno != ENOTTY)
		return vt_fail(ctx, -errno, "set vnet header", "%s: little-endian off", name);
	if (what & VT_TUN_SET_OFFLOADS) {
		if ((r = vt_fault(ctx, "set offloads")) < 0)
			return r;
		if (ioctl(fd, TUNSETOFFLOAD, (unsigned long)offloads) < 0)
			return vt_fail(ctx, -errno, "set offloads", "%s: 0x%x", name, offloads);
	}
	if ((what & VT_TUN_RESET_FILTER) && ioctl(fd, TUNSETTXFILTER, &empty) < 0)
		return vt_fail(ctx, -errno, "reset filter", "%s", name);
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
	unsigned int what = 0;

	if ((flags & IFF_VNET_HDR) && (!fresh || (o->vnet_hdr_sz && o->vnet_hdr_sz != 10)))
		what |= VT_TUN_SET_HDR_SZ;
	if ((flags & IFF_VNET_HDR) && !fresh)
		what |= VT_TUN_RESET_LE;
	if (!fresh || o->offloads)
		what |= VT_TUN_SET_OFFLOADS;
	if (!fresh)
		what |= VT_TUN_RESET_FILTER;
	return vt_tun_fd_setup(ctx, fd, name, what, o->vnet_hdr_sz, o->offloads);
}

void vt_tun_random_name(char name[VMTAP_IFNAMSIZ])
{
	uint64_t v = 0;

	if (getrandom(&v, sizeof(v), GRND_NONBLOCK) != sizeof(v))
		v = ((uint64_t)getpid() << 32) ^ (uint64_t)(uintptr_t)name;
	snprintf(name, VMTAP_IFNAMSIZ, "vmt%012llx", (unsigned long long)(v & 0xffffffffffffULL));
}

int vt_tun_open_here(void *p)
{
	struct vt_tun_job *job = p;
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
		r = vt_tun_set_iff(fds[0], o->name, flags, name);
		if (r < 0) {
			r = vt_fail(ctx, r, "attach queue", "%s queue 0%s", o->name,
				    r == -EBUSY ? " is busy (in use by another process)" : "");
			goto fail;
		}
		/* checked before: only a device swapped in since then can differ, and it is left as it was */
		if (job->expect_ifindex && (int)if_nametoindex(name) != job->expect_ifindex) {
			r = vt_fail(ctx, -ENODEV, "attach queue", "%s was replaced by another device while being opened",
				    name);
			goto fail;
		}
	} else if (o->name) {
		r = vt_tun_set_iff(fds[0], o->name, flags | IFF_TUN_EXCL, name);
		if (r < 0) {
			r = vt_fail(ctx, r, "create device", "%s%s", o->name,
				    r == -EBUSY ? " already exists" : "");
			goto fail;
		}
	} else {
		/* our own names are random, so a clash means someone else has it: try another */
		for (int attempt = 0;; attempt++) {
			char want[VMTAP_IFNAMSIZ];
			vt_tun_random_name(want);
			r = vt_tun_set_iff(fds[0], want, flags | IFF_TUN_EXCL, name);
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
		r = vt_tun_set_iff(fds[i], name, flags, NULL);
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
	vt_tun_close_fds(fds, opened);
	return r;
}


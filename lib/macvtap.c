/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* macvtap devices over rtnetlink, and their character device opened inside their namespace without udev or /dev. */
/**
 * DOC: Theory of Operation
 *
 * A macvtap is a macvlan whose frames go to a character device instead of
 * the host's stack: each open() of that device is one queue (at most 256),
 * and the fds are what a VMM reads and writes, as with a TAP.  Creating one
 * is an RTM_NEWLINK of kind "macvtap" with IFLA_LINK naming the parent; the
 * kernel is lax about the parent, so vmtap checks it first: it accepts a TAP
 * as parent without a word, and silently re-parents a macvtap made on a
 * macvlan or macvtap onto that one's own parent.
 *
 * The hard part is finding the character device.  Its major:minor is in
 * sysfs (/sys/class/net/NAME/macvtap/tapIFINDEX/dev), and udev usually
 * makes /dev/tap<ifindex> from it.  But minors come from one allocator for
 * all namespaces while ifindexes are per namespace, so /dev/tap<ifindex> may
 * be another namespace's device (clearcontainers #708: on this machine's
 * devtmpfs the node follows whichever namespace's tap7 came first, and is
 * re-pointed when that one goes), and containers often have neither udev
 * nor a /dev to write to.  The sysfs class is namespace-tagged: a sysfs
 * shows the devices of the namespace of the task that mounted it.  So
 * vt_macvtap_open() runs in the device's namespace (vt_netns_call()) and
 * there:
 *
 *  1. mounts a sysfs with fsopen()/fsmount(): a detached mount, attached to
 *     no mount table, known only by its fd, gone when the fd is closed;
 *  2. reads class/net/NAME/ifindex, which must be the ifindex the caller
 *     has (a device renamed or replaced since is refused), then
 *     class/net/NAME/macvtap/tapIFINDEX/dev;
 *  3. mounts a detached tmpfs the same way, makes the device node there,
 *     opens it once per queue, and unlinks it;
 *  4. checks the queues belong to NAME (TUNGETIFF) and that sysfs still says
 *     the same (the device was not deleted, and its minor reused, meanwhile);
 *  5. sets each queue's TUNSETIFF flags and vnet header as tun.c does for a
 *     TAP, and the device's offloads.
 *
 * Nothing is left: no mount anywhere, no file, no fd but the queues (which
 * keep the invisible tmpfs alive until they are closed).  Where fsopen() is
 * missing (ENOSYS: kernels before 5.2, or a seccomp filter), the same steps
 * run on a short-lived thread of their own that first unshares its mount
 * namespace.  That is safe because unshare(CLONE_NEWNS) also unshares
 * CLONE_FS, so only that thread gets the new namespace: its mounts are made
 * private before anything is mounted, so nothing propagates to the
 * process's namespace, the caller's thread never moves, and the namespace
 * dies with the thread.  Both ways need CAP_SYS_ADMIN (mounts) and
 * CAP_MKNOD; they are checked first, for a clear error.
 *
 * The kernel does not expose how many queues a macvtap has (its rtnetlink
 * attributes, sysfs queues/ and fdinfo say nothing): callers count their fds.
 * Someone else's fds are told by their device number: vmtap_link_chardev()
 * runs steps 1 and 2 only, and a caller compares st_rdev (vmtap doctor does,
 * on the fds of QEMU).
 */
#include <fcntl.h>
#include <net/if.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <linux/capability.h>
#include <linux/if_link.h>
#include <linux/if_tun.h>

#include "link.h"
#include "macvtap.h"
#include "netns.h"
#include "tc.h"
#include "tun.h"
#include "validate.h"

/* Numbers tried for a name pattern ("mvt%d"): the lowest free one, as the kernel would pick. */
#define PATTERN_TRIES 1024
/* Generated names tried when one is taken. */
#define RANDOM_NAME_TRIES 5

/* ---- modes ---- */

static const struct {
	enum vt_macvtap_mode mode;
	const char *name;
} mode_names[] = {
	{ VT_MACVTAP_BRIDGE, "bridge" },
	{ VT_MACVTAP_VEPA, "vepa" },
	{ VT_MACVTAP_PRIVATE, "private" },
	{ VT_MACVTAP_PASSTHRU, "passthru" },
};

const char *vt_macvtap_mode_name(enum vt_macvtap_mode mode)
{
	if (mode == VT_MACVTAP_MODE_DEFAULT)
		mode = VT_MACVTAP_BRIDGE;
	for (size_t i = 0; i < ARRAY_SIZE(mode_names); i++)
		if (mode_names[i].mode == mode)
			return mode_names[i].name;
	return NULL;
}

int vt_macvtap_mode_parse(const char *name, enum vt_macvtap_mode *ret_mode)
{
	for (size_t i = 0; name && i < ARRAY_SIZE(mode_names); i++)
		if (!strcmp(mode_names[i].name, name)) {
			*ret_mode = mode_names[i].mode;
			return 0;
		}
	return -EINVAL;
}

/* ---- create ---- */

/* The parent must be an Ethernet device the kernel will not treat in a surprising way (see DOC). */
int vt_macvtap_parent_check(struct vmtap_ctx *ctx, struct vt_nl *nl, int parent_ifindex, enum vt_macvtap_mode mode,
			const uint8_t *mac)
{
	static const char *const refused[] = { "tun", "macvtap", "macvlan", "ipvtap" };
	struct vmtap_link_info p;
	char a[VMTAP_MAC_STRLEN];
	int r;

	r = vt_link_get(NULL, nl, NULL, parent_ifindex, &p);
	if (r == -ENODEV)
		return vt_fail(ctx, r, "look up parent", "no link has ifindex %d in this namespace", parent_ifindex);
	if (r < 0)
		return vt_fail_ack(ctx, r, vt_nl_ack(nl), "look up parent", "ifindex %d", parent_ifindex);
	for (size_t i = 0; i < ARRAY_SIZE(refused); i++)
		if (!strcmp(p.kind, refused[i]))
			return vt_fail(ctx, -EMEDIUMTYPE, "validate",
				       "parent %s is a %s device: a macvtap needs an Ethernet device such as a veth%s",
				       p.name, !strcmp(p.kind, "tun") ? "TUN/TAP" : p.kind,
				       !strcmp(p.kind, "tun") ? " (the kernel would accept a TAP and make a macvtap "
								 "no frame ever reaches)" :
				       !strcmp(p.kind, "ipvtap") ? "" :
				       " (the kernel would silently put the macvtap on that device's own parent)");
	if (p.flags & IFF_LOOPBACK)
		return vt_fail(ctx, -EMEDIUMTYPE, "validate", "parent %s is a loopback device", p.name);
	if (!p.has_mac || !vmtap_mac_usable(p.mac))
		return vt_fail(ctx, -EMEDIUMTYPE, "validate", "parent %s has no Ethernet address", p.name);
	if (mac && mode != VT_MACVTAP_PASSTHRU && !memcmp(mac, p.mac, 6))
		return vt_fail(ctx, -EADDRINUSE, "validate",
			       "the macvtap's MAC %s is its parent %s's own: the kernel would refuse to bring it up; "
			       "give the parent another MAC first", vmtap_mac_format(mac, a), p.name);
	return 0;
}

struct echo_data {
	struct vmtap_link_info info;
	bool found;
};

static int echo_cb(const struct nlmsghdr *nlh, void *data)
{
	struct echo_data *d = data;

	if (nlh->nlmsg_type == RTM_NEWLINK && vt_link_parse(nlh, nlh->nlmsg_len, &d->info) == 0)
		d->found = true;
	return MNL_CB_OK;
}

/* One RTM_NEWLINK, CREATE|EXCL|ECHO, for the exact @name; the bare -errno, the echoed link in @echo. */
static int create_one(struct vt_nl *nl, const char *name, int parent_ifindex, uint32_t mode, const uint8_t *mac,
		      struct echo_data *echo)
{
	char buf[VT_NL_REQ_SIZE] __attribute__((aligned(8)));
	struct nlmsghdr *nlh = vt_nl_msg_new(buf, sizeof(buf));
	struct nlattr *linkinfo, *data;
	struct ifinfomsg *ifi;

	nlh->nlmsg_type = RTM_NEWLINK;
	/* the echo (kernel 6.1 and later) gives the new ifindex without a look-up */
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_CREATE | NLM_F_EXCL | NLM_F_ECHO;
	ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	mnl_attr_put_u32(nlh, IFLA_LINK, (uint32_t)parent_ifindex);
	if (mac)
		mnl_attr_put(nlh, IFLA_ADDRESS, 6, mac);
	linkinfo = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
	mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "macvtap");
	data = mnl_attr_nest_start(nlh, IFLA_INFO_DATA);
	mnl_attr_put_u32(nlh, IFLA_MACVLAN_MODE, mode);
	mnl_attr_nest_end(nlh, data);
	mnl_attr_nest_end(nlh, linkinfo);
	*echo = (struct echo_data){ .found = false };
	return vt_nl_talk(nl, nlh, echo_cb, echo);
}

/* Make @pattern's "%d" into @n; false when the name would not fit. */
static bool pattern_expand(const char *pattern, unsigned int n, char out[VMTAP_IFNAMSIZ])
{
	const char *pct = strstr(pattern, "%d");
	int len = snprintf(out, VMTAP_IFNAMSIZ, "%.*s%u%s", (int)(pct - pattern), pattern, n, pct + 2);

	return len > 0 && len < VMTAP_IFNAMSIZ;
}

static int set_alias(struct vt_nl *nl, int ifindex, const char *alias)
{
	char buf[VT_NL_REQ_SIZE] __attribute__((aligned(8)));
	struct nlmsghdr *nlh = vt_nl_msg_new(buf, sizeof(buf));
	struct ifinfomsg *ifi;

	nlh->nlmsg_type = RTM_NEWLINK;
	nlh->nlmsg_flags = NLM_F_REQUEST;
	ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = ifindex;
	mnl_attr_put_str(nlh, IFLA_IFALIAS, alias);
	return vt_nl_talk(nl, nlh, NULL, NULL);
}

int vt_macvtap_create(struct vmtap_ctx *ctx, struct vt_nl *nl, const char *name, int parent_ifindex,
		      enum vt_macvtap_mode mode, const uint8_t mac[6], const char *alias, int *ret_ifindex,
		      char ret_name[VMTAP_IFNAMSIZ])
{
	char want[VMTAP_IFNAMSIZ], a[VMTAP_MAC_STRLEN];
	struct echo_data echo;
	bool pattern = name && strchr(name, '%');
	unsigned int tries;
	int ifindex, r;

	if (!nl || !ret_ifindex || !ret_name)
		return vt_fail(ctx, -EINVAL, "validate", "no netlink handle or no output");
	if (name && (r = vt_name_check(ctx, "interface name", name, true)) < 0)
		return r;
	if (mode == VT_MACVTAP_MODE_DEFAULT)
		mode = VT_MACVTAP_BRIDGE;
	if (!vt_macvtap_mode_name(mode))
		return vt_fail(ctx, -EINVAL, "validate", "macvtap mode %d is not bridge (4), vepa (2), private (1) or "
			       "passthru (8)", (int)mode);
	if (parent_ifindex <= 0)
		return vt_fail(ctx, -EINVAL, "validate", "parent ifindex %d", parent_ifindex);
	if (mac && !vmtap_mac_usable(mac))
		return vt_fail(ctx, -EINVAL, "validate", "MAC %s is not a unicast address", vmtap_mac_format(mac, a));
	/* the kernel would ignore it: a passthru macvtap has its parent's MAC, and setting its own sets the parent's */
	if (mac && mode == VT_MACVTAP_PASSTHRU)
		return vt_fail(ctx, -EINVAL, "validate", "a passthru macvtap has its parent's MAC: no MAC of its own "
			       "can be given");
	if (alias && strlen(alias) > 255)
		return vt_fail(ctx, -EINVAL, "validate", "alias is longer than 255 bytes");
	r = vt_macvtap_parent_check(ctx, nl, parent_ifindex, mode, mac);
	if (r < 0)
		return r;

	tries = pattern ? PATTERN_TRIES : name ? 1 : RANDOM_NAME_TRIES;
	for (unsigned int i = 0; i < tries; i++) {
		/*
		 * A pattern is expanded here, not by the kernel: with the exact name
		 * in hand, the device can be found even by a kernel that does not
		 * echo new links.  A taken name costs one round trip and no change.
		 */
		if (!name)
			vt_tun_random_name(want);
		else if (!pattern)
			snprintf(want, sizeof(want), "%s", name);
		else if (!pattern_expand(name, i, want))
			return vt_fail(ctx, -EINVAL, "validate", "pattern \"%s\" gives names longer than 15 bytes from %u on",
				       name, i);
		if ((r = vt_fault(ctx, "create macvtap")) < 0)
			return r;
		r = create_one(nl, want, parent_ifindex, (uint32_t)mode, mac, &echo);
		if (r != -EEXIST)
			break;
	}
	if (r == -EEXIST && pattern)
		return vt_fail(ctx, r, "create macvtap", "no free name for pattern \"%s\" among the first %d", name,
			       PATTERN_TRIES);
	if (r == -EEXIST && name)
		return vt_fail(ctx, r, "create macvtap", "%s already exists", name);
	if (r == -EEXIST)
		return vt_fail(ctx, r, "create macvtap", "%d generated names were all taken", RANDOM_NAME_TRIES);
	if (r == -EINVAL && mode == VT_MACVTAP_PASSTHRU)
		return vt_fail_ack(ctx, r, vt_nl_ack(nl), "create macvtap",
				   "%s: passthru needs a parent that carries no other macvlan or macvtap", want);
	if (r < 0)
		return vt_fail_ack(ctx, r, vt_nl_ack(nl), "create macvtap", "%s on ifindex %d, mode %s", want,
				   parent_ifindex, vt_macvtap_mode_name(mode));
	if (echo.found && !strcmp(echo.info.name, want)) {
		ifindex = echo.info.ifindex;
	} else {
		/* a kernel that does not echo RTM_NEWLINK (before 6.1): EXCL made this name ours */
		struct vmtap_link_info li;
		r = vt_link_get(ctx, nl, want, 0, &li);
		if (r < 0)
			return r;
		ifindex = li.ifindex;
	}

	/* the kernel ignores IFLA_IFALIAS in the creating request: the tag follows at once */
	if (alias) {
		r = vt_fault(ctx, "set alias");
		if (r == 0 && (r = set_alias(nl, ifindex, alias)) < 0)
			r = vt_fail_ack(ctx, r, vt_nl_ack(nl), "set alias", "%s", want);
		if (r < 0)
			goto undo;
	}
	/*
	 * A macvtap has one transmit queue whatever its parent, and the frames a
	 * guest writes go through its root qdisc (the kernel's default is
	 * pfifo_fast) before the parent's.  That qdisc never holds a frame: the
	 * macvlan driver is lockless and never pushes back.  noqueue, set while
	 * down so the default is never made, takes it out of the path, as for
	 * TAPs (tc.c).  Measured on this 2-core machine: no difference above
	 * the noise (1 writer 375-416 against 367-406 kframes/s, 2 writers
	 * 561-970 against 388-886), so it is kept for consistency, not speed.
	 */
	r = vt_tc_root_set(ctx, nl, ifindex, want, VT_TC_TAP_ROOT);
	if (r < 0)
		goto undo;

	*ret_ifindex = ifindex;
	snprintf(ret_name, VMTAP_IFNAMSIZ, "%s", want);
	return 0;

undo: {
	VT_UNDO_SCOPE(ctx);
	(void)vt_link_del(ctx, nl, ifindex, NULL);
}
	return r;
}

/* ---- opening the character device ---- */

int vt_macvtap_parse_dev(const char *buf, size_t len, unsigned int *ret_major, unsigned int *ret_minor)
{
	unsigned long v[2] = { 0, 0 };
	size_t i = 0;

	if (!buf || len > 32)
		return -EBADMSG;
	if (len && buf[len - 1] == '\n')
		len--;
	for (int part = 0; part < 2; part++) {
		size_t start = i;
		for (; i < len && buf[i] >= '0' && buf[i] <= '9' && i - start < 10; i++)
			v[part] = v[part] * 10 + (unsigned long)(buf[i] - '0');
		if (i == start || (buf[start] == '0' && i - start > 1))
			return -EBADMSG;
		if (part == 0 && (i >= len || buf[i++] != ':'))
			return -EBADMSG;
	}
	/* what a dev_t holds: 12 bits of major, 20 of minor */
	if (i != len || v[0] > 0xfff || v[1] > 0xfffff)
		return -EBADMSG;
	*ret_major = (unsigned int)v[0];
	*ret_minor = (unsigned int)v[1];
	return 0;
}

int vt_macvtap_parse_ifindex(const char *buf, size_t len, int *ret_ifindex)
{
	unsigned long v = 0;
	size_t i;

	if (!buf || len == 0 || len > 12)
		return -EBADMSG;
	if (buf[len - 1] == '\n')
		len--;
	if (len == 0 || buf[0] == '0')
		return -EBADMSG;
	for (i = 0; i < len; i++) {
		if (buf[i] < '0' || buf[i] > '9')
			return -EBADMSG;
		v = v * 10 + (unsigned long)(buf[i] - '0');
	}
	if (v > 0x7fffffff)
		return -EBADMSG;
	*ret_ifindex = (int)v;
	return 0;
}

bool vt_macvtap_fd_alive(int fd)
{
	struct ifreq ifr = { 0 };

	return fd >= 0 && ioctl(fd, TUNGETIFF, &ifr) == 0;
}

#define CAPS_NEEDED "CAP_SYS_ADMIN and CAP_MKNOD"
#define CAPS_WHY "opening a macvtap's character device mounts a private sysfs and makes a device node, which needs " \
	CAPS_NEEDED

struct open_job {
	struct vmtap_ctx *ctx;
	const char *name;
	int ifindex;
	unsigned int queues;
	unsigned short iff;        /* TUNSETIFF flags */
	unsigned int vnet_hdr_sz;
	uint32_t offloads;
	int *fds;                  /* @queues entries, -1 until opened */
	dev_t devt;
	int ret;                   /* of the fallback thread */
};

/* Read a small sysfs file at @dir/@path into @buf, NUL-terminated; its length or a bare -errno. */
static ssize_t read_at(int dir, const char *path, char *buf, size_t size)
{
	_cleanup_close_ int fd = openat(dir, path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = read(fd, buf, size - 1);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	return n;
}

/*
 * From @netdir, the class/net/NAME directory of a sysfs mounted for the
 * device's namespace: check the ifindex, read the character device.
 * @again: a check after opening, any difference means the device changed.
 */
static int read_identity(struct open_job *job, int netdir, bool again)
{
	struct vmtap_ctx *ctx = job->ctx;
	char buf[64], path[64];
	unsigned int major, minor;
	int ifindex;
	ssize_t n;

	n = read_at(netdir, "ifindex", buf, sizeof(buf));
	if (n < 0 && again)
		return vt_fail(ctx, -ESTALE, "read sysfs", "%s was deleted while its queues were opened", job->name);
	if (n < 0)
		return vt_fail(ctx, (int)n, "read sysfs", "%s/ifindex", job->name);
	if (vt_macvtap_parse_ifindex(buf, (size_t)n, &ifindex) < 0)
		return vt_fail(ctx, -EBADMSG, "read sysfs", "%s/ifindex holds no ifindex", job->name);
	if (ifindex != job->ifindex)
		return vt_fail(ctx, -ESTALE, "read sysfs",
			       "%s has ifindex %d, not %d: renamed or replaced since it was looked up", job->name, ifindex,
			       job->ifindex);
	snprintf(path, sizeof(path), "macvtap/tap%d/dev", ifindex);
	n = read_at(netdir, path, buf, sizeof(buf));
	if (n == -ENOENT && !again)
		return vt_fail(ctx, -EMEDIUMTYPE, "read sysfs", "%s is not a macvtap device", job->name);
	if (n < 0 && again)
		return vt_fail(ctx, -ESTALE, "read sysfs", "%s was deleted while its queues were opened", job->name);
	if (n < 0)
		return vt_fail(ctx, (int)n, "read sysfs", "%s/%s", job->name, path);
	if (vt_macvtap_parse_dev(buf, (size_t)n, &major, &minor) < 0)
		return vt_fail(ctx, -EBADMSG, "read sysfs", "%s/%s holds no MAJOR:MINOR", job->name, path);
	if (again && makedev(major, minor) != job->devt)
		return vt_fail(ctx, -ESTALE, "read sysfs", "%s was replaced while its queues were opened", job->name);
	job->devt = makedev(major, minor);
	return 0;
}

/* The open class/net/NAME directory under the sysfs root @sysroot. */
static int open_netdir(struct open_job *job, int sysroot)
{
	char path[64];
	int fd;

	snprintf(path, sizeof(path), "class/net/%s", job->name);
	fd = openat(sysroot, path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT)
		return vt_fail(job->ctx, -ENODEV, "read sysfs", "%s does not exist in its namespace", job->name);
	if (fd < 0)
		return vt_fail(job->ctx, -errno, "read sysfs", "%s", path);
	return fd;
}

/* With the identity read, make the node in the empty tmpfs @tmpdir, open the queues, set them up. */
static int open_queues(struct open_job *job, int netdir, int tmpdir)
{
	struct vmtap_ctx *ctx = job->ctx;
	struct ifreq ifr = { 0 };
	int r;

	if ((r = vt_fault(ctx, "mknod")) < 0)
		return r;
	if (mknodat(tmpdir, "q", S_IFCHR | 0600, job->devt) < 0)
		return vt_fail(ctx, -errno, "mknod", "%s (%u:%u)%s", job->name, major(job->devt), minor(job->devt),
			       errno == EPERM ? ": " CAPS_WHY : "");
	for (unsigned int i = 0; i < job->queues; i++) {
		if ((r = vt_fault(ctx, "open queue")) < 0)
			goto fail;
		job->fds[i] = openat(tmpdir, "q", O_RDWR | O_CLOEXEC | O_NOCTTY | O_NOFOLLOW);
		if (job->fds[i] < 0) {
			r = vt_fail(ctx, -errno, "open queue", "%s queue %u%s", job->name, i,
				    errno == EBUSY ? ": the device has no room for more queues (256 at most, counting "
						     "those others hold)" :
				    errno == ENXIO || errno == ENODEV ? ": the device was deleted meanwhile" : "");
			goto fail;
		}
	}
	/* the queues hold the device, not the node: nothing of it need stay visible even to us */
	(void)unlinkat(tmpdir, "q", 0);

	/* the minor was read before the opens: make sure it still named this device after them */
	if (ioctl(job->fds[0], TUNGETIFF, &ifr) < 0) {
		r = vt_fail(ctx, -errno, "open queue", "%s: TUNGETIFF", job->name);
		goto fail;
	}
	if (strncmp(ifr.ifr_name, job->name, IFNAMSIZ)) {
		r = vt_fail(ctx, -ESTALE, "open queue", "%s: the character device belongs to %.16s now", job->name,
			    ifr.ifr_name);
		goto fail;
	}
	r = read_identity(job, netdir, true);
	if (r < 0)
		goto fail;

	for (unsigned int i = 0; i < job->queues; i++) {
		unsigned int what = 0;

		if ((r = vt_fault(ctx, "set queue flags")) < 0)
			goto fail;
		r = vt_tun_set_iff(job->fds[i], job->name, job->iff, NULL);
		if (r < 0) {
			r = vt_fail(ctx, r, "set queue flags", "%s queue %u: TUNSETIFF 0x%x", job->name, i, job->iff);
			goto fail;
		}
		/* a fresh queue has a 10-byte header; the offloads are the device's and outlive its queues */
		if ((job->iff & IFF_VNET_HDR) && job->vnet_hdr_sz && job->vnet_hdr_sz != 10)
			what |= VT_TUN_SET_HDR_SZ;
		if (i == 0)
			what |= VT_TUN_SET_OFFLOADS;
		r = vt_tun_fd_setup(ctx, job->fds[i], job->name, what, job->vnet_hdr_sz, job->offloads);
		if (r < 0)
			goto fail;
	}
	return 0;

fail:
	vt_tun_close_fds(job->fds, job->queues);
	return r;
}

/* A detached mount of @fstype with @options (key, value, ..., NULL): its fd, or a bare -errno. */
static int detached_mount(const char *fstype, const char *const *options, unsigned int attrs)
{
	_cleanup_close_ int fs = -1;
	int m;

	fs = fsopen(fstype, FSOPEN_CLOEXEC);
	if (fs < 0)
		return -errno;
	for (; options && options[0]; options += 2)
		if (fsconfig(fs, FSCONFIG_SET_STRING, options[0], options[1], 0) < 0)
			return -errno;
	if (fsconfig(fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
		return -errno;
	m = fsmount(fs, FSMOUNT_CLOEXEC, attrs);
	return m < 0 ? -errno : m;
}

/* The device's directory in sysfs @sys, its identity read and checked: the directory's fd, or a reported -errno. */
static int open_identity(struct open_job *job, int sys)
{
	_cleanup_close_ int netdir = open_netdir(job, sys);
	int r;

	if (netdir < 0)
		return netdir;
	r = read_identity(job, netdir, false);
	if (r < 0)
		return r;
	return TAKE_FD(netdir);
}

static const char *const tmpfs_options[] = { "mode", "0700", "size", "4k", "nr_inodes", "4", NULL };

/* The steps with detached mounts; -ENOSYS, unreported, when the kernel has no fsopen(). */
static int open_detached(struct open_job *job)
{
	struct vmtap_ctx *ctx = job->ctx;
	_cleanup_close_ int sys = -1, netdir = -1, tmp = -1;
	int r;

	/* a sysfs shows the devices of the network namespace of the task that calls fsopen(): this one */
	sys = vt_fault_active(ctx, "no fsopen") ? -ENOSYS : detached_mount("sysfs", NULL,
		MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NOEXEC | MOUNT_ATTR_NODEV);
	if (sys == -ENOSYS)
		return sys;
	if (sys >= 0 && (r = vt_fault(ctx, "mount sysfs")) < 0)
		return r;
	if (sys < 0)
		return vt_fail(ctx, sys, "mount sysfs", "%s%s", job->name, sys == -EPERM ? ": " CAPS_WHY : "");
	netdir = open_identity(job, sys);
	if (netdir < 0)
		return netdir;
	if (!job->queues)
		return 0; /* the identity was asked for, nothing more */
	/* not MOUNT_ATTR_NODEV: the node made there must open */
	tmp = detached_mount("tmpfs", tmpfs_options, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NOEXEC);
	if (tmp < 0)
		return vt_fail(ctx, tmp, "mount tmpfs", "%s%s", job->name, tmp == -EPERM ? ": " CAPS_WHY : "");
	return open_queues(job, netdir, tmp);
}

/* The same steps on this thread alone, in a mount namespace of its own (see DOC). */
static int open_in_private_mount_ns(struct open_job *job)
{
	struct vmtap_ctx *ctx = job->ctx;
	_cleanup_close_ int sys = -1, netdir = -1, tmp = -1;
	int r;

	if (unshare(CLONE_NEWNS) < 0)
		return vt_fail(ctx, -errno, "mount sysfs", "unshare(CLONE_NEWNS)%s", errno == EPERM ? ": " CAPS_WHY : "");
	/* before anything is mounted: nothing may propagate to the namespace the process lives in */
	/* source and type are ignored for a propagation change; named, not NULL, for checkers such as valgrind */
	if (mount("none", "/", "none", MS_REC | MS_PRIVATE, NULL) < 0)
		return vt_fail(ctx, -errno, "mount sysfs", "making mounts private");
	if ((r = vt_fault(ctx, "mount sysfs")) < 0)
		return r;
	if (mount("sysfs", "/sys", "sysfs", MS_RDONLY | MS_NOSUID | MS_NOEXEC | MS_NODEV, NULL) < 0)
		return vt_fail(ctx, -errno, "mount sysfs", "%s%s", job->name, errno == EPERM ? ": " CAPS_WHY : "");
	sys = open("/sys", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (sys < 0)
		return vt_fail(ctx, -errno, "mount sysfs", "/sys");
	netdir = open_identity(job, sys);
	if (netdir < 0)
		return netdir;
	if (!job->queues)
		return 0;
	/* over the sysfs just read: /sys is a directory every system has */
	if (mount("tmpfs", "/sys", "tmpfs", MS_NOSUID | MS_NOEXEC, "mode=0700,size=4k,nr_inodes=4") < 0)
		return vt_fail(ctx, -errno, "mount tmpfs", "%s", job->name);
	tmp = open("/sys", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (tmp < 0)
		return vt_fail(ctx, -errno, "mount tmpfs", "/sys");
	return open_queues(job, netdir, tmp);
}

static void *private_mount_ns_thread(void *p)
{
	struct open_job *job = p;

	job->ret = open_in_private_mount_ns(job);
	return NULL;
}

/* Runs in the device's namespace (vt_netns_call()), possibly on the caller's own thread. */
static int open_here(void *p)
{
	struct open_job *job = p;
	pthread_t thread;
	int r;

	r = open_detached(job);
	if (r != -ENOSYS)
		return r;
	vt_log(job->ctx, VMTAP_LOG_DEBUG, "fsopen() is not available: opening %s on a thread with its own mount "
	       "namespace", job->name);
	/* never on the thread that may be the caller's own: a thread that inherits this one's namespace */
	r = pthread_create(&thread, NULL, private_mount_ns_thread, job);
	if (r)
		return vt_fail(job->ctx, -r, "mount sysfs", "cannot start a thread");
	pthread_join(thread, NULL);
	return job->ret;
}

/* Whether this thread has CAP_SYS_ADMIN and CAP_MKNOD; true when it cannot tell (the steps will). */
static bool caps_present(char *missing, size_t size)
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3, .pid = 0 };
	struct __user_cap_data_struct d[_LINUX_CAPABILITY_U32S_3] = { { 0 } };
	bool admin, mknod;

	if (syscall(SYS_capget, &h, d) < 0)
		return true;
	admin = d[CAP_TO_INDEX(CAP_SYS_ADMIN)].effective & CAP_TO_MASK(CAP_SYS_ADMIN);
	mknod = d[CAP_TO_INDEX(CAP_MKNOD)].effective & CAP_TO_MASK(CAP_MKNOD);
	snprintf(missing, size, "%s%s%s", admin ? "" : "CAP_SYS_ADMIN", !admin && !mknod ? " and " : "",
		 mknod ? "" : "CAP_MKNOD");
	return admin && mknod;
}

int vt_macvtap_open(struct vmtap_ctx *ctx, const char *netns, const char *name, int ifindex, unsigned int queues,
		    uint32_t flags, unsigned int vnet_hdr_sz, uint32_t offloads, int *ret_fds)
{
	struct open_job job = { .ctx = ctx, .name = name, .ifindex = ifindex, .queues = queues,
				.vnet_hdr_sz = vnet_hdr_sz, .offloads = offloads };
	_cleanup_free_ int *fds = NULL;
	_cleanup_close_ int nsfd = -1;
	char missing[64];
	int r;

	if (!ret_fds)
		return vt_fail(ctx, -EINVAL, "validate", "no output array");
	r = vt_name_check(ctx, "interface name", name, false);
	if (r < 0)
		return r;
	if (ifindex <= 0)
		return vt_fail(ctx, -EINVAL, "validate", "ifindex %d", ifindex);
	r = vt_queues_check(ctx, queues);
	if (r < 0)
		return r;
	if (flags & ~VT_MACVTAP_OPEN_FLAGS_ALL)
		return vt_fail(ctx, -EINVAL, "validate", "unknown flags 0x%x", flags & ~VT_MACVTAP_OPEN_FLAGS_ALL);
	r = vt_tun_vnet_check(ctx, flags & VT_MACVTAP_VNET_HDR, vnet_hdr_sz, offloads);
	if (r < 0)
		return r;
	if (!caps_present(missing, sizeof(missing)))
		return vt_fail(ctx, -EPERM, "validate", "%s: this process lacks %s", CAPS_WHY, missing);
	if (netns) {
		r = vt_netns_open(ctx, netns, &nsfd);
		if (r < 0)
			return r;
	}

	/* exactly what the macvtap driver takes: IFF_TAP|IFF_NO_PI, and these two */
	job.iff = IFF_TAP | IFF_NO_PI;
	if (flags & VT_MACVTAP_VNET_HDR)
		job.iff |= IFF_VNET_HDR;
	if (queues > 1 || (flags & VT_MACVTAP_MULTI_QUEUE))
		job.iff |= IFF_MULTI_QUEUE;
	fds = malloc(sizeof(int) * queues);
	if (!fds)
		return vt_fail(ctx, -ENOMEM, "open queue", NULL);
	for (unsigned int i = 0; i < queues; i++)
		fds[i] = -1;
	job.fds = fds;

	r = vt_netns_call(ctx, nsfd, open_here, &job);
	if (r < 0)
		return r;
	memcpy(ret_fds, fds, sizeof(int) * queues);
	return 0;
}

VT_EXPORT int vmtap_link_chardev(struct vmtap_ctx *ctx, const char *netns, const char *name, dev_t *ret_dev)
{
	struct open_job job = { .ctx = ctx, .name = name };
	struct vmtap_link_info li;
	_cleanup_close_ int nsfd = -1;
	struct vt_nl *nl;
	int r;

	vt_clear_error(ctx);
	if (!ret_dev)
		return vt_fail(ctx, -EINVAL, "validate", "no output");
	r = vt_name_check(ctx, "interface name", name, false);
	if (r < 0)
		return r;
	r = vt_nl_get(ctx, netns, &nl);
	if (r < 0)
		return r;
	r = vt_link_get(ctx, nl, name, 0, &li);
	if (r < 0)
		return r;
	if (strcmp(li.kind, "macvtap"))
		return vt_fail(ctx, -EMEDIUMTYPE, "validate", "%s is not a macvtap device%s%s", name,
			       li.kind[0] ? " but a " : "", li.kind);
	job.ifindex = li.ifindex;
	if (netns) {
		r = vt_netns_open(ctx, netns, &nsfd);
		if (r < 0)
			return r;
	}
	r = vt_netns_call(ctx, nsfd, open_here, &job);
	if (r < 0)
		return r;
	*ret_dev = job.devt;
	return 0;
}

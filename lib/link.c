/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Links over rtnetlink with libmnl: one socket per namespace, look-ups, dumps, read-back, delete and bulk delete. */
/**
 * DOC: Theory of Operation
 *
 * Each namespace gets one NETLINK_ROUTE socket, opened inside it (see
 * netns.c) and cached in the context, with extended acks and strict checking
 * turned on so that the kernel says why it refused something and filters
 * dumps itself.  A look-up by name is one RTM_GETLINK carrying IFLA_IFNAME:
 * never a dump.
 *
 * Deleting a device that was up costs a kernel-wide RCU synchronisation
 * (16-23 ms here), one per RTM_DELLINK.  vt_link_delete_many() moves the
 * devices into a link group nobody uses and deletes the group with a single
 * RTM_DELLINK, so the kernel pays that price once for all of them.
 */
#include <fcntl.h>
#include <net/if.h>
#include <stdio.h>
#include <sys/random.h>
#include <libmnl/libmnl.h>
#include <linux/if_link.h>
#include <linux/if_tun.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include "internal.h"
#include "validate.h"
#include "link.h"

#define VT_NL_REQ_SIZE 8192

#ifndef NETLINK_GET_STRICT_CHK
#define NETLINK_GET_STRICT_CHK 12
#endif

struct vt_nl {
	bool broken;      /* a reply may still be queued: reopen before the next request */
	struct mnl_socket *sk;
	unsigned int portid;
	unsigned int seq;
	dev_t ns_dev;
	ino_t ns_ino;
};

static void vt_nl_free(struct vt_nl *nl)
{
	if (!nl)
		return;
	if (nl->sk)
		mnl_socket_close(nl->sk);
	free(nl);
}

void vt_nl_free_all(struct vmtap_ctx *ctx)
{
	for (size_t i = 0; i < VT_NL_CACHE; i++) {
		vt_nl_free(ctx->nl[i]);
		ctx->nl[i] = NULL;
	}
}

struct nl_open_args {
	struct mnl_socket *sk;
	int err;
};

static int nl_open_here(void *p)
{
	struct nl_open_args *a = p;
	int one = 1;

	a->sk = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC);
	if (!a->sk) {
		a->err = -errno;
		return a->err;
	}
	/* older kernels lack these; everything still works, with less precise errors */
	(void)mnl_socket_setsockopt(a->sk, NETLINK_EXT_ACK, &one, sizeof(one));
	(void)mnl_socket_setsockopt(a->sk, NETLINK_CAP_ACK, &one, sizeof(one));
	(void)mnl_socket_setsockopt(a->sk, NETLINK_GET_STRICT_CHK, &one, sizeof(one));
	if (mnl_socket_bind(a->sk, 0, MNL_SOCKET_AUTOPID) < 0) {
		a->err = -errno;
		mnl_socket_close(a->sk);
		a->sk = NULL;
		return a->err;
	}
	return 0;
}

int vt_nl_get(struct vmtap_ctx *ctx, const char *netns, struct vt_nl **ret_nl)
{
	_cleanup_close_ int nsfd = -1;
	struct nl_open_args args = { 0 };
	struct stat st;
	struct vt_nl *nl;
	size_t slot;
	int r;

	if (netns) {
		r = vt_netns_open(ctx, netns, &nsfd);
		if (r < 0)
			return r;
		if (fstat(nsfd, &st) < 0)
			return vt_fail(ctx, -errno, "open namespace", "%s", netns);
	} else if (stat("/proc/thread-self/ns/net", &st) < 0) {
		return vt_fail(ctx, -errno, "open namespace", "own namespace");
	}

	for (slot = 0; slot < VT_NL_CACHE; slot++) {
		nl = ctx->nl[slot];
		if (nl && nl->ns_dev == st.st_dev && nl->ns_ino == st.st_ino) {
			if (!nl->broken) {
				*ret_nl = nl;
				return 0;
			}
			vt_nl_free(nl);
			ctx->nl[slot] = NULL;
		}
	}

	r = vt_netns_call(ctx, nsfd, nl_open_here, &args);
	if (r < 0)
		return vt_fail(ctx, r, "open netlink", "%s", netns ? netns : "own namespace");
	nl = calloc(1, sizeof(*nl));
	if (!nl) {
		mnl_socket_close(args.sk);
		return vt_fail(ctx, -ENOMEM, "open netlink", NULL);
	}
	nl->sk = args.sk;
	nl->portid = mnl_socket_get_portid(args.sk);
	nl->ns_dev = st.st_dev;
	nl->ns_ino = st.st_ino;
	if (getrandom(&nl->seq, sizeof(nl->seq), GRND_NONBLOCK) < 0)
		nl->seq = (unsigned int)getpid();

	/* reuse a free slot, else evict the oldest entry */
	for (slot = 0; slot < VT_NL_CACHE && ctx->nl[slot]; slot++)
		;
	if (slot == VT_NL_CACHE) {
		vt_nl_free(ctx->nl[0]);
		memmove(&ctx->nl[0], &ctx->nl[1], sizeof(ctx->nl[0]) * (VT_NL_CACHE - 1));
		slot = VT_NL_CACHE - 1;
	}
	ctx->nl[slot] = nl;
	*ret_nl = nl;
	return 0;
}

/* ---- request / reply ---- */

struct nl_req {
	struct vmtap_ctx *ctx;
	mnl_cb_t cb;
	void *data;
	bool batch;          /* many requests in flight: count replies, keep the first error */
	unsigned int replies;
	int first_err;
	bool kernel_error;   /* the failure came in an NLMSG_ERROR: the request is over */
	bool dump_whole;     /* take an interrupted dump to its end instead of stopping (see link_dump()) */
	bool interrupted;    /* ... and it was: NLM_F_DUMP_INTR was seen */
};

static int extack_attr_cb(const struct nlattr *attr, void *data)
{
	struct nl_req *req = data;

	if (mnl_attr_get_type(attr) == NLMSGERR_ATTR_MSG &&
	    mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) == 0)
		vt_set_extack(req->ctx, mnl_attr_get_str(attr));
	return MNL_CB_OK;
}

static int nl_error_cb(const struct nlmsghdr *nlh, void *data)
{
	struct nl_req *req = data;
	const struct nlmsgerr *err = mnl_nlmsg_get_payload(nlh);
	int e;

	if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*err))) {
		errno = EBADMSG;
		return MNL_CB_ERROR;
	}
	req->replies++;
	if (err->error == 0)
		return req->batch ? MNL_CB_OK : MNL_CB_STOP;
	if (nlh->nlmsg_flags & NLM_F_ACK_TLVS) {
		size_t off = sizeof(*err);
		if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
			off += err->msg.nlmsg_len - sizeof(struct nlmsghdr);
		if (mnl_nlmsg_size(off) < nlh->nlmsg_len)
			mnl_attr_parse(nlh, (unsigned int)off, extack_attr_cb, req);
	}
	e = err->error < 0 ? -err->error : err->error;
	req->kernel_error = true;
	if (req->batch) {
		if (!req->first_err)
			req->first_err = -e;
		return MNL_CB_OK;
	}
	errno = e;
	return MNL_CB_ERROR;
}

static int nl_done_cb(const struct nlmsghdr *nlh, void *data)
{
	/* a dump that failed half-way ends with NLMSG_DONE carrying the error */
	if (mnl_nlmsg_get_payload_len(nlh) >= sizeof(int)) {
		int err;
		memcpy(&err, mnl_nlmsg_get_payload(nlh), sizeof(err));
		if (err < 0) {
			(void)data;
			errno = -err;
			return MNL_CB_ERROR;
		}
	}
	return MNL_CB_STOP;
}

static int nl_noop_cb(const struct nlmsghdr *nlh, void *data)
{
	(void)nlh, (void)data;
	return MNL_CB_OK;
}

static int nl_overrun_cb(const struct nlmsghdr *nlh, void *data)
{
	(void)nlh, (void)data;
	errno = ENOSPC;
	return MNL_CB_ERROR;
}

static int nl_data_cb(const struct nlmsghdr *nlh, void *data)
{
	struct nl_req *req = data;

	return req->cb ? req->cb(nlh, req->data) : MNL_CB_OK;
}

/* Read until the NLMSG_DONE or NLMSG_ERROR that ends the current reply; @buf already holds @n bytes of it. */
static int nl_drain(struct vt_nl *nl, char *buf, ssize_t n)
{
	for (int rounds = 0; rounds < 100000; rounds++) {
		const struct nlmsghdr *nlh = (const struct nlmsghdr *)buf;
		int len = (int)n;

		for (; mnl_nlmsg_ok(nlh, len); nlh = mnl_nlmsg_next(nlh, &len))
			if (nlh->nlmsg_type == NLMSG_DONE || nlh->nlmsg_type == NLMSG_ERROR)
				return 0;
		n = mnl_socket_recvfrom(nl->sk, buf, 32768);
		if (n <= 0)
			return -EIO;
	}
	return -EIO;
}

static int nl_recv(struct vt_nl *nl, struct nl_req *req, unsigned int seq, unsigned int want)
{
	/* libmnl ignores control messages whose slot is empty once an array is given: fill all */
	static mnl_cb_t ctl[NLMSG_MIN_TYPE] = {
		[NLMSG_NOOP] = nl_noop_cb, [NLMSG_ERROR] = nl_error_cb,
		[NLMSG_DONE] = nl_done_cb, [NLMSG_OVERRUN] = nl_overrun_cb,
	};
	char buf[32768] __attribute__((aligned(8)));
	ssize_t n;
	int r;

	for (;;) {
		n = mnl_socket_recvfrom(nl->sk, buf, sizeof(buf));
		if (n < 0) {
			nl->broken = true;
			return -errno;
		}
		if (req->dump_whole) {
			/* libmnl stops at the first NLM_F_DUMP_INTR: note it and let every message through */
			int len = (int)n;
			for (struct nlmsghdr *h = (struct nlmsghdr *)buf; mnl_nlmsg_ok(h, len); h = mnl_nlmsg_next(h, &len))
				if (h->nlmsg_flags & NLM_F_DUMP_INTR) {
					h->nlmsg_flags &= ~NLM_F_DUMP_INTR;
					req->interrupted = true;
				}
		}
		errno = 0;
		r = mnl_cb_run2(buf, (size_t)n, seq, nl->portid, nl_data_cb, req, ctl, ARRAY_SIZE(ctl));
		if (r < 0) {
			int err = errno ? -errno : -EIO;
			if (!req->kernel_error) {
				/*
				 * A dump interrupted by a change of the link list (NLM_F_DUMP_INTR, EINTR)
				 * or a message we could not take: the rest of the reply may still be
				 * queued.  Read on to its end so the next request starts clean.
				 */
				if (err != -EINTR || nl_drain(nl, buf, n) < 0)
					nl->broken = true;
			}
			return err;
		}
		if (r == MNL_CB_STOP)
			return 0;
		if (req->batch && req->replies >= want)
			return req->first_err;
	}
}

static int nl_talk_req(struct vt_nl *nl, struct nlmsghdr *nlh, struct nl_req *req)
{
	nlh->nlmsg_seq = ++nl->seq;
	/*
	 * NLM_F_DUMP's bits mean NLM_F_REPLACE and NLM_F_EXCL in a NEW request:
	 * only a GET can be a dump, which ends with NLMSG_DONE instead of an ack.
	 */
	if (!vt_nl_is_dump(nlh))
		nlh->nlmsg_flags |= NLM_F_ACK;
	if (mnl_socket_sendto(nl->sk, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	return nl_recv(nl, req, nlh->nlmsg_seq, 1);
}

int vt_nl_talk(struct vmtap_ctx *ctx, struct vt_nl *nl, struct nlmsghdr *nlh, mnl_cb_t cb, void *data)
{
	struct nl_req req = { .ctx = ctx, .cb = cb, .data = data };

	return nl_talk_req(nl, nlh, &req);
}

int vt_nl_talk_batch(struct vmtap_ctx *ctx, struct vt_nl *nl, size_t n,
		     void (*build)(struct nlmsghdr *nlh, size_t i, void *data), void *data)
{
	char buf[65536] __attribute__((aligned(8)));
	int first_err = 0;
	size_t i = 0;

	while (i < n) {
		struct mnl_nlmsg_batch *b = mnl_nlmsg_batch_start(buf, sizeof(buf) - 4096);
		struct nl_req req = { .ctx = ctx, .batch = true };
		unsigned int count = 0;
		int r;

		if (!b)
			return -ENOMEM;
		/* keep each burst small enough that its acks fit the socket's receive buffer */
		while (i < n && count < 128) {
			struct nlmsghdr *nlh = mnl_nlmsg_put_header(mnl_nlmsg_batch_current(b));
			build(nlh, i, data);
			nlh->nlmsg_flags |= NLM_F_ACK;
			nlh->nlmsg_seq = ++nl->seq;
			i++;
			count++;
			if (!mnl_nlmsg_batch_next(b))
				break;
		}
		r = (int)mnl_socket_sendto(nl->sk, mnl_nlmsg_batch_head(b), mnl_nlmsg_batch_size(b));
		mnl_nlmsg_batch_stop(b);
		if (r < 0)
			return first_err ? first_err : -errno;
		r = nl_recv(nl, &req, 0, count);
		if (r < 0 && !first_err)
			first_err = r;
		if (req.replies < count)
			return first_err ? first_err : -EIO;
	}
	return first_err;
}

/* ---- parsing RTM_NEWLINK ---- */

/* Attributes of one nesting level, indexed by type; types above @max are ignored. */
struct attr_table {
	const struct nlattr **tb;
	unsigned int max;
};

static int table_cb(const struct nlattr *attr, void *data)
{
	const struct attr_table *t = data;
	unsigned int type = mnl_attr_get_type(attr);

	if (type <= t->max)
		t->tb[type] = attr;
	return MNL_CB_OK;
}

static bool get_u32(const struct nlattr *a, uint32_t *out)
{
	if (!a || mnl_attr_validate(a, MNL_TYPE_U32) < 0)
		return false;
	*out = mnl_attr_get_u32(a);
	return true;
}

static bool get_u8(const struct nlattr *a, uint8_t *out)
{
	if (!a || mnl_attr_validate(a, MNL_TYPE_U8) < 0)
		return false;
	*out = mnl_attr_get_u8(a);
	return true;
}

static void get_str(const struct nlattr *a, char *out, size_t size)
{
	if (!a || mnl_attr_validate(a, MNL_TYPE_NUL_STRING) < 0)
		return;
	snprintf(out, size, "%s", mnl_attr_get_str(a));
}

static void parse_tun(const struct nlattr *data, struct vmtap_link_info *info)
{
	const struct nlattr *tb[IFLA_TUN_MAX + 1] = { 0 };
	uint8_t v;

	if (mnl_attr_parse_nested(data, table_cb, &(struct attr_table){ tb, IFLA_TUN_MAX }) < 0)
		return;
	if (get_u8(tb[IFLA_TUN_TYPE], &v))
		info->tun_type = v;
	if (get_u8(tb[IFLA_TUN_PI], &v))
		info->tun_pi = v;
	if (get_u8(tb[IFLA_TUN_VNET_HDR], &v))
		info->tun_vnet_hdr = v;
	if (get_u8(tb[IFLA_TUN_PERSIST], &v))
		info->tun_persist = v;
	if (get_u8(tb[IFLA_TUN_MULTI_QUEUE], &v))
		info->tun_multi_queue = v;
	get_u32(tb[IFLA_TUN_NUM_QUEUES], &info->tun_num_queues);
	get_u32(tb[IFLA_TUN_NUM_DISABLED_QUEUES], &info->tun_num_disabled_queues);
	info->tun_has_owner = get_u32(tb[IFLA_TUN_OWNER], &info->tun_owner);
	info->tun_has_group = get_u32(tb[IFLA_TUN_GROUP], &info->tun_group);
}

int vt_link_parse(const void *buf, size_t len, struct vmtap_link_info *ret_info)
{
	const struct nlattr *tb[IFLA_MAX + 1] = { 0 };
	const struct nlmsghdr *nlh = buf;
	const struct ifinfomsg *ifi;
	struct vmtap_link_info info = { .sz = sizeof(info) };

	/*
	 * mnl_nlmsg_ok() compares lengths as int, so a length of 2^31 or more
	 * would pass; and libmnl walks attributes to the aligned length, so an
	 * unaligned message could end an attribute past the buffer.  The kernel
	 * always sends aligned messages: require that, and the length, ourselves.
	 */
	if (!buf || len < sizeof(*nlh) || nlh->nlmsg_len < sizeof(*nlh) || nlh->nlmsg_len > len ||
	    nlh->nlmsg_len % MNL_ALIGNTO)
		return -EBADMSG;
	if (nlh->nlmsg_type != RTM_NEWLINK || nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*ifi)))
		return -EBADMSG;
	ifi = mnl_nlmsg_get_payload(nlh);
	if (mnl_attr_parse(nlh, sizeof(*ifi), table_cb, &(struct attr_table){ tb, IFLA_MAX }) < 0)
		return -EBADMSG;

	info.ifindex = ifi->ifi_index;
	info.flags = ifi->ifi_flags;
	get_str(tb[IFLA_IFNAME], info.name, sizeof(info.name));
	if (!info.name[0] || info.ifindex <= 0)
		return -EBADMSG;
	get_str(tb[IFLA_IFALIAS], info.alias, sizeof(info.alias));
	get_str(tb[IFLA_QDISC], info.qdisc, sizeof(info.qdisc));
	get_u32(tb[IFLA_MTU], &info.mtu);
	get_u32(tb[IFLA_MIN_MTU], &info.min_mtu);
	get_u32(tb[IFLA_MAX_MTU], &info.max_mtu);
	get_u32(tb[IFLA_TXQLEN], &info.txqlen);
	get_u32(tb[IFLA_GROUP], &info.group);
	get_u8(tb[IFLA_OPERSTATE], &info.operstate);
	{
		uint8_t carrier;
		if (get_u8(tb[IFLA_CARRIER], &carrier))
			info.carrier = carrier;
	}
	{
		uint32_t master;
		if (get_u32(tb[IFLA_MASTER], &master))
			info.master_ifindex = (int)master;
	}
	if (tb[IFLA_ADDRESS] && mnl_attr_get_payload_len(tb[IFLA_ADDRESS]) == 6) {
		memcpy(info.mac, mnl_attr_get_payload(tb[IFLA_ADDRESS]), 6);
		info.has_mac = true;
	}
	/* older kernels send a shorter struct (184 or 192 bytes): the first counters are all we use */
	if (tb[IFLA_STATS64] &&
	    mnl_attr_get_payload_len(tb[IFLA_STATS64]) >= offsetof(struct rtnl_link_stats64, multicast)) {
		struct rtnl_link_stats64 s = { 0 };
		size_t n = mnl_attr_get_payload_len(tb[IFLA_STATS64]);
		memcpy(&s, mnl_attr_get_payload(tb[IFLA_STATS64]), n < sizeof(s) ? n : sizeof(s));
		info.has_stats = true;
		info.stats = (struct vmtap_link_stats){
			.rx_packets = s.rx_packets, .tx_packets = s.tx_packets,
			.rx_bytes = s.rx_bytes, .tx_bytes = s.tx_bytes,
			.rx_errors = s.rx_errors, .tx_errors = s.tx_errors,
			.rx_dropped = s.rx_dropped, .tx_dropped = s.tx_dropped,
		};
	}
	if (tb[IFLA_LINKINFO]) {
		const struct nlattr *itb[IFLA_INFO_MAX + 1] = { 0 };
		if (mnl_attr_parse_nested(tb[IFLA_LINKINFO], table_cb, &(struct attr_table){ itb, IFLA_INFO_MAX }) >= 0) {
			get_str(itb[IFLA_INFO_KIND], info.kind, sizeof(info.kind));
			if (!strcmp(info.kind, "tun")) {
				info.is_tun = true;
				if (itb[IFLA_INFO_DATA])
					parse_tun(itb[IFLA_INFO_DATA], &info);
				/* the tun driver turns the carrier on while a queue is attached */
				if (!info.tun_multi_queue)
					info.tun_num_queues = info.carrier ? 1 : 0;
			}
		}
	}
	*ret_info = info;
	return 0;
}

/*
 * Copy @info into the caller's struct, which may be older (smaller) than ours.
 * A caller that left sz at 0 gets the struct of version 0.1, the first: a
 * program built then and relying on that must not see fields added since
 * written past its struct.
 */
static void info_copy_out(struct vmtap_link_info *dst, const struct vmtap_link_info *src)
{
	size_t sz = !dst->sz ? offsetof(struct vmtap_link_info, qdisc) :
		    dst->sz < sizeof(*src) ? dst->sz : sizeof(*src);

	memcpy(dst, src, sz);
	dst->sz = sz;
}

/* ---- look-ups ---- */

struct getlink_data {
	struct vmtap_link_info info;
	bool found;
	int err;
};

static int getlink_cb(const struct nlmsghdr *nlh, void *data)
{
	struct getlink_data *d = data;

	if (nlh->nlmsg_type != RTM_NEWLINK)
		return MNL_CB_OK;
	d->err = vt_link_parse(nlh, nlh->nlmsg_len, &d->info);
	d->found = d->err == 0;
	return MNL_CB_OK;
}

int vt_link_get(struct vmtap_ctx *ctx, struct vt_nl *nl, const char *name, int ifindex,
		struct vmtap_link_info *ret_info)
{
	char buf[VT_NL_REQ_SIZE] __attribute__((aligned(8)));
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct ifinfomsg *ifi;
	struct getlink_data d = { 0 };
	int r;

	nlh->nlmsg_type = RTM_GETLINK;
	nlh->nlmsg_flags = NLM_F_REQUEST;
	ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_index = ifindex;
	if (name)
		mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	r = vt_nl_talk(ctx, nl, nlh, getlink_cb, &d);
	if (r < 0) {
		if (r == -ENODEV)
			return vt_fail(ctx, r, "look up link", "%s%s", name ? name : "ifindex",
				       name ? " does not exist" : "");
		return vt_fail(ctx, r, "look up link", "%s", name ? name : "ifindex");
	}
	if (!d.found)
		return vt_fail(ctx, d.err ? d.err : -ENODEV, "look up link", "%s: no usable reply",
			       name ? name : "ifindex");
	*ret_info = d.info;
	return 0;
}

static void fill_master_name(struct vmtap_ctx *ctx, struct vt_nl *nl, struct vmtap_link_info *info)
{
	struct vmtap_link_info master;

	if (info->master_ifindex && vt_link_get(ctx, nl, NULL, info->master_ifindex, &master) == 0)
		memcpy(info->master_name, master.name, sizeof(info->master_name));
	vt_clear_error(ctx); /* a master that vanished meanwhile is not our caller's failure */
}

VT_EXPORT int vmtap_link_get(struct vmtap_ctx *ctx, const char *netns, const char *name,
			     struct vmtap_link_info *ret_info)
{
	struct vmtap_link_info info;
	struct vt_nl *nl;
	int r;

	vt_clear_error(ctx);
	if (!ret_info)
		return vt_fail(ctx, -EINVAL, "validate", "no output struct");
	r = vt_name_check(ctx, "interface name", name, false);
	if (r < 0)
		return r;
	r = vt_nl_get(ctx, netns, &nl);
	if (r < 0)
		return r;
	r = vt_link_get(ctx, nl, name, 0, &info);
	if (r < 0)
		return r;
	fill_master_name(ctx, nl, &info);
	info_copy_out(ret_info, &info);
	return 0;
}

VT_EXPORT int vmtap_link_get_by_index(struct vmtap_ctx *ctx, const char *netns, int ifindex,
				      struct vmtap_link_info *ret_info)
{
	struct vmtap_link_info info;
	struct vt_nl *nl;
	int r;

	vt_clear_error(ctx);
	if (!ret_info || ifindex <= 0)
		return vt_fail(ctx, -EINVAL, "validate", "ifindex %d", ifindex);
	r = vt_nl_get(ctx, netns, &nl);
	if (r < 0)
		return r;
	r = vt_link_get(ctx, nl, NULL, ifindex, &info);
	if (r < 0)
		return r;
	fill_master_name(ctx, nl, &info);
	info_copy_out(ret_info, &info);
	return 0;
}

struct dump_data {
	bool tun_only;
	struct vmtap_link_info *items;
	size_t n, cap;
	int err;
};

static int dump_cb(const struct nlmsghdr *nlh, void *data)
{
	struct dump_data *d = data;
	struct vmtap_link_info info;

	if (d->err || nlh->nlmsg_type != RTM_NEWLINK || vt_link_parse(nlh, nlh->nlmsg_len, &info) < 0)
		return MNL_CB_OK;
	if (d->tun_only && !info.is_tun)
		return MNL_CB_OK;
	if (d->n == d->cap) {
		size_t cap = d->cap ? d->cap * 2 : 64;
		struct vmtap_link_info *more = realloc(d->items, cap * sizeof(*more));
		if (!more) {
			d->err = -ENOMEM; /* drain the rest of the dump, then fail */
			return MNL_CB_OK;
		}
		d->items = more;
		d->cap = cap;
	}
	d->items[d->n++] = info;
	return MNL_CB_OK;
}

/*
 * Links that come and go during a dump interrupt it (NLM_F_DUMP_INTR): it is
 * then repeated, a few times, so that callers see one consistent list.  With
 * @take_interrupted, the last interrupted dump is used after all: the kernel
 * walks links in ifindex order (since 6.7), so a link that exists from the
 * start of the dump to its end is in it even when others came and went, which
 * is all a caller that looks for links it knows needs.
 */
static int link_dump(struct vmtap_ctx *ctx, struct vt_nl *nl, bool tun_only, bool stats, bool take_interrupted,
		     vmtap_link_fn fn, void *userdata)
{
	char buf[VT_NL_REQ_SIZE] __attribute__((aligned(8)));
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct dump_data d = { .tun_only = tun_only };
	int r;

	nlh->nlmsg_type = RTM_GETLINK;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	mnl_nlmsg_put_extra_header(nlh, sizeof(struct ifinfomsg));
	if (!stats)
		mnl_attr_put_u32(nlh, IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS);
	if (tun_only) {
		/* with strict checking the kernel filters by kind; dump_cb checks again */
		struct nlattr *li = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
		mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "tun");
		mnl_attr_nest_end(nlh, li);
	}
	for (int attempt = 0;; attempt++) {
		struct nl_req req = { .ctx = ctx, .cb = dump_cb, .data = &d, .dump_whole = true };

		d.n = 0;
		d.err = 0;
		r = nl_talk_req(nl, nlh, &req);
		if (vt_fault_active(ctx, "dump interrupted"))
			req.interrupted = true;
		if (r < 0 || !req.interrupted)
			break;
		if (attempt == 4) {
			if (!take_interrupted)
				r = -EINTR;
			break;
		}
		vt_log(ctx, VMTAP_LOG_DEBUG, "link dump interrupted by a change: repeating it");
	}
	if (r == 0 && d.err)
		r = d.err;
	if (r < 0) {
		free(d.items);
		return vt_fail(ctx, r, "list links", r == -EINTR ? "the list kept changing during 5 dumps" : NULL);
	}
	for (size_t i = 0; i < d.n && r == 0; i++)
		r = fn(&d.items[i], userdata);
	free(d.items);
	return r;
}

int vt_link_dump(struct vmtap_ctx *ctx, struct vt_nl *nl, bool tun_only, bool stats,
		 vmtap_link_fn fn, void *userdata)
{
	return link_dump(ctx, nl, tun_only, stats, false, fn, userdata);
}

VT_EXPORT int vmtap_link_foreach(struct vmtap_ctx *ctx, const char *netns, bool tun_only,
				 vmtap_link_fn fn, void *userdata)
{
	struct vt_nl *nl;
	int r;

	vt_clear_error(ctx);
	if (!fn)
		return vt_fail(ctx, -EINVAL, "validate", "no callback");
	r = vt_nl_get(ctx, netns, &nl);
	if (r < 0)
		return r;
	return vt_link_dump(ctx, nl, tun_only, true, fn, userdata);
}

/* ---- delete ---- */

struct del_one {
	int ifindex;
	const char *name;
};

static void build_down_then_del(struct nlmsghdr *nlh, size_t i, void *data)
{
	const struct del_one *d = data;
	struct ifinfomsg *ifi;

	nlh->nlmsg_type = i == 0 ? RTM_NEWLINK : RTM_DELLINK;
	nlh->nlmsg_flags = NLM_F_REQUEST;
	ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_index = d->ifindex;
	if (i == 0)
		ifi->ifi_change = IFF_UP; /* down first: the kernel's teardown of an up device costs more */
	if (!d->ifindex && d->name)
		mnl_attr_put_strz(nlh, IFLA_IFNAME, d->name);
}

int vt_link_del(struct vmtap_ctx *ctx, struct vt_nl *nl, int ifindex, const char *name)
{
	struct del_one d = { .ifindex = ifindex, .name = name };
	int r;

	if ((r = vt_fault(ctx, "delete link")) < 0)
		return r;
	/* both messages go in one sendmsg; an absent link fails both with ENODEV */
	r = vt_nl_talk_batch(ctx, nl, 2, build_down_then_del, &d);
	if (r < 0)
		return vt_fail(ctx, r, "delete link", "%s%s", name ? name : "ifindex",
			       r == -ENODEV ? " does not exist" : "");
	return 0;
}

VT_EXPORT int vmtap_link_delete(struct vmtap_ctx *ctx, const char *netns, const char *name)
{
	struct vt_nl *nl;
	int r;

	vt_clear_error(ctx);
	r = vt_name_check(ctx, "interface name", name, false);
	if (r < 0)
		return r;
	r = vt_nl_get(ctx, netns, &nl);
	if (r < 0)
		return r;
	return vt_link_del(ctx, nl, 0, name);
}

struct group_set {
	const int *ifindex;
	const uint32_t *group; /* per link (putting them back), or NULL */
	const bool *up;        /* with @group: which were up */
	uint32_t one_group;
};

static void build_group_set(struct nlmsghdr *nlh, size_t i, void *data)
{
	const struct group_set *g = data;
	struct ifinfomsg *ifi;

	nlh->nlmsg_type = RTM_NEWLINK;
	nlh->nlmsg_flags = NLM_F_REQUEST;
	ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_index = g->ifindex[i];
	/* going to be deleted: down now; put back: up again if it was */
	ifi->ifi_change = IFF_UP;
	ifi->ifi_flags = g->group && g->up && g->up[i] ? IFF_UP : 0;
	mnl_attr_put_u32(nlh, IFLA_GROUP, g->group ? g->group[i] : g->one_group);
}

/* Link groups tried for a bulk delete: random, far from the small groups people assign by hand. */
#define GROUP_CANDIDATES 8

struct bulk_want {
	const char *name;
	int ifindex;           /* 0: not seen in the dump */
	uint32_t group;
	bool up;
	bool is_tun;
	char kind[16];
};

struct bulk_scan {
	struct bulk_want *want; /* sorted by name */
	size_t n;
	uint32_t candidate[GROUP_CANDIDATES];
	bool used[GROUP_CANDIDATES];
};

static int want_cmp(const void *a, const void *b)
{
	return strcmp(((const struct bulk_want *)a)->name, ((const struct bulk_want *)b)->name);
}

static struct bulk_want *want_find(const struct bulk_scan *s, const char *name)
{
	struct bulk_want key = { .name = name };

	return bsearch(&key, s->want, s->n, sizeof(*s->want), want_cmp);
}

static int bulk_scan_cb(const struct vmtap_link_info *info, void *data)
{
	struct bulk_scan *s = data;
	struct bulk_want *w = want_find(s, info->name);

	for (size_t i = 0; i < GROUP_CANDIDATES; i++)
		if (info->group == s->candidate[i])
			s->used[i] = true;
	if (w) {
		w->ifindex = info->ifindex;
		w->group = info->group;
		w->up = info->flags & IFF_UP;
		w->is_tun = info->is_tun;
		snprintf(w->kind, sizeof(w->kind), "%s", info->kind);
	}
	return 0;
}

/*
 * Move the links into a link group no other device is in, then delete that
 * group with one RTM_DELLINK.  @group must be free (see vmtap_link_delete_many());
 * @old_group and @old_up put the links back as they were when something fails.
 */
static int del_many_in_group(struct vmtap_ctx *ctx, struct vt_nl *nl, const int *ifindex,
			     const uint32_t *old_group, const bool *old_up, size_t n, uint32_t group)
{
	char buf[VT_NL_REQ_SIZE] __attribute__((aligned(8)));
	struct group_set g = { .ifindex = ifindex, .one_group = group };
	struct nlmsghdr *nlh;
	struct ifinfomsg *ifi;
	int r;

	r = vt_nl_talk_batch(ctx, nl, n, build_group_set, &g);
	if (r < 0)
		goto undo;

	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = RTM_DELLINK;
	nlh->nlmsg_flags = NLM_F_REQUEST;
	ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_index = 0;
	mnl_attr_put_u32(nlh, IFLA_GROUP, group);
	if ((r = vt_fault(ctx, "delete group")) < 0 || (r = vt_nl_talk(ctx, nl, nlh, NULL, NULL)) < 0)
		goto undo;
	return 0;

undo:
	{
		int err = vt_fail(ctx, r, "bulk delete", "%zu links", n);
		struct group_set back = { .ifindex = ifindex, .group = old_group, .up = old_up };
		/* put the links back in their own groups; links already gone just fail here */
		if (old_group)
			(void)vt_nl_talk_batch(NULL, nl, n, build_group_set, &back);
		return err;
	}
}

/*
 * One dump serves both the look-up of every name and the choice of a free
 * group: a look-up per name would cost a round trip each, and the group has
 * to be checked against every link anyway.
 */
VT_EXPORT int vmtap_link_delete_many(struct vmtap_ctx *ctx, const char *netns,
				     const char *const *names, size_t n)
{
	_cleanup_free_ struct bulk_want *want = NULL;
	_cleanup_free_ int *ifindex = NULL;
	_cleanup_free_ uint32_t *group = NULL;
	_cleanup_free_ bool *up = NULL;
	struct bulk_scan scan = { 0 };
	struct vt_nl *nl;
	int r;

	vt_clear_error(ctx);
	if (n && !names)
		return vt_fail(ctx, -EINVAL, "validate", "no names");
	for (size_t i = 0; i < n; i++) {
		r = vt_name_check(ctx, "interface name", names[i], false);
		if (r < 0)
			return r;
	}
	if (n == 0)
		return 0;
	r = vt_nl_get(ctx, netns, &nl);
	if (r < 0)
		return r;
	if (n == 1) {
		struct vmtap_link_info info;
		r = vt_link_get(ctx, nl, names[0], 0, &info);
		if (r < 0)
			return r;
		if (!info.is_tun)
			return vt_fail(ctx, -EMEDIUMTYPE, "look up link", "%s is a %s device, not a TUN/TAP",
				       names[0], info.kind[0] ? info.kind : "non-tun");
		return vt_link_del(ctx, nl, info.ifindex, NULL);
	}

	want = calloc(n, sizeof(*want));
	ifindex = calloc(n, sizeof(*ifindex));
	group = calloc(n, sizeof(*group));
	up = calloc(n, sizeof(*up));
	if (!want || !ifindex || !group || !up)
		return vt_fail(ctx, -ENOMEM, "bulk delete", NULL);
	for (size_t i = 0; i < n; i++)
		want[i].name = names[i];
	qsort(want, n, sizeof(*want), want_cmp);
	for (size_t i = 1; i < n; i++)
		if (!strcmp(want[i - 1].name, want[i].name))
			return vt_fail(ctx, -EINVAL, "validate", "%s is named twice", want[i].name);
	scan.want = want;
	scan.n = n;
	if (getrandom(scan.candidate, sizeof(scan.candidate), 0) != sizeof(scan.candidate))
		return vt_fail(ctx, -errno, "bulk delete", "getrandom");
	for (size_t i = 0; i < GROUP_CANDIDATES; i++)
		scan.candidate[i] |= 0x40000000u;
	r = link_dump(ctx, nl, false, false, true, bulk_scan_cb, &scan);
	if (r < 0)
		return r;

	/* errors in the caller's order of names, as one look-up after another would give them */
	for (size_t i = 0; i < n; i++) {
		struct bulk_want *w = want_find(&scan, names[i]);
		if (!w->ifindex) {
			/* not in the dump: made during it, or an older kernel's walk skipped it */
			struct vmtap_link_info info;
			r = vt_link_get(ctx, nl, names[i], 0, &info);
			if (r < 0)
				return r;
			w->ifindex = info.ifindex;
			w->group = info.group;
			w->up = info.flags & IFF_UP;
			w->is_tun = info.is_tun;
			snprintf(w->kind, sizeof(w->kind), "%s", info.kind);
		}
		if (!w->is_tun)
			return vt_fail(ctx, -EMEDIUMTYPE, "look up link", "%s is a %s device, not a TUN/TAP",
				       names[i], w->kind[0] ? w->kind : "non-tun");
		ifindex[i] = w->ifindex;
		group[i] = w->group;
		up[i] = w->up;
	}
	for (size_t i = 0; i < GROUP_CANDIDATES; i++)
		if (!scan.used[i])
			return del_many_in_group(ctx, nl, ifindex, group, up, n, scan.candidate[i]);
	return vt_fail(ctx, -EAGAIN, "bulk delete", "no free link group found");
}

/* ---- set ---- */

VT_EXPORT void vmtap_mac_host_side(const uint8_t guest_mac[6], uint8_t ret_mac[6])
{
	memcpy(ret_mac, guest_mac, 6);
	ret_mac[0] = guest_mac[0] == 0xfe ? 0xfa : 0xfe;
}

enum {
	SET_MTU = 1 << 0,
	SET_MAC = 1 << 1,
	SET_TXQLEN = 1 << 2,
	SET_ALIAS = 1 << 3,
	SET_MASTER = 1 << 4,
	SET_STATE = 1 << 5,
};

/* The order the kernel's do_setlink() applies them in, which is also the order of our steps. */
static const struct {
	unsigned int bit;
	const char *step;
} set_steps[] = {
	{ SET_MAC, "set mac" }, { SET_MTU, "set mtu" }, { SET_ALIAS, "set alias" },
	{ SET_STATE, "set state" }, { SET_MASTER, "set master" }, { SET_TXQLEN, "set txqlen" },
};

struct link_values {
	uint32_t mtu, txqlen;
	uint8_t mac[6];
	char alias[256];
	int master;
	bool up;
};

static void put_values(struct nlmsghdr *nlh, int ifindex, const struct link_values *v, unsigned int mask)
{
	struct ifinfomsg *ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));

	nlh->nlmsg_type = RTM_NEWLINK;
	nlh->nlmsg_flags = NLM_F_REQUEST;
	ifi->ifi_index = ifindex;
	if (mask & SET_MAC)
		mnl_attr_put(nlh, IFLA_ADDRESS, 6, v->mac);
	if (mask & SET_MTU)
		mnl_attr_put_u32(nlh, IFLA_MTU, v->mtu);
	if (mask & SET_ALIAS)
		mnl_attr_put_str(nlh, IFLA_IFALIAS, v->alias);
	if (mask & SET_STATE) {
		ifi->ifi_change = IFF_UP;
		ifi->ifi_flags = v->up ? IFF_UP : 0;
	}
	if (mask & SET_MASTER)
		mnl_attr_put_u32(nlh, IFLA_MASTER, (uint32_t)v->master);
	if (mask & SET_TXQLEN)
		mnl_attr_put_u32(nlh, IFLA_TXQLEN, v->txqlen);
}

static int apply_values(struct vmtap_ctx *ctx, struct vt_nl *nl, int ifindex, const struct link_values *v,
			unsigned int mask)
{
	char buf[VT_NL_REQ_SIZE] __attribute__((aligned(8)));
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);

	put_values(nlh, ifindex, v, mask);
	return vt_nl_talk(ctx, nl, nlh, NULL, NULL);
}

static void values_from_info(const struct vmtap_link_info *li, struct link_values *v)
{
	v->mtu = li->mtu;
	v->txqlen = li->txqlen;
	memcpy(v->mac, li->mac, 6);
	snprintf(v->alias, sizeof(v->alias), "%s", li->alias);
	v->master = li->master_ifindex;
	v->up = li->flags & IFF_UP;
}

static const char *describe_step(unsigned int bit, const struct link_values *v, char *buf, size_t size)
{
	switch (bit) {
	case SET_MTU:
		snprintf(buf, size, "mtu %u", v->mtu);
		break;
	case SET_MAC: {
		char mac[VMTAP_MAC_STRLEN];
		snprintf(buf, size, "address %s", vmtap_mac_format(v->mac, mac));
		break;
	}
	case SET_TXQLEN:
		snprintf(buf, size, "txqlen %u", v->txqlen);
		break;
	case SET_ALIAS:
		snprintf(buf, size, "alias \"%.60s\"", v->alias);
		break;
	case SET_MASTER:
		snprintf(buf, size, v->master ? "master ifindex %d" : "nomaster", v->master);
		break;
	default:
		snprintf(buf, size, "%s", v->up ? "up" : "down");
	}
	return buf;
}

static int vt_link_set(struct vmtap_ctx *ctx, struct vt_nl *nl, const char *name,
		const struct vmtap_link_set_opts *o, const char *netns_label)
{
	struct vmtap_link_info li, master = { 0 };
	struct link_values old, want;
	_cleanup_close_ int move_fd = -1;
	unsigned int mask = 0;
	char what[96];
	int r;

	r = vt_link_get(ctx, nl, name, 0, &li);
	if (r < 0)
		return r;
	values_from_info(&li, &old);
	want = old;

	if (o->master) {
		r = vt_link_get(ctx, nl, o->master, 0, &master);
		if (r == -ENODEV) {
			vt_clear_error(ctx);
			return vt_fail(ctx, -ENODEV, "set master", "bridge %s does not exist%s%s", o->master,
				       netns_label ? " in " : "", netns_label ? netns_label : "");
		}
		if (r < 0)
			return r;
		if (strcmp(master.kind, "bridge"))
			return vt_fail(ctx, -EINVAL, "validate", "%s is a %s device, not a bridge", o->master,
				       master.kind[0] ? master.kind : "non-bridge");
		if (master.ifindex == li.ifindex)
			return vt_fail(ctx, -EINVAL, "validate", "%s cannot be its own master", name);
		want.master = master.ifindex;
		mask |= SET_MASTER;
	} else if (o->nomaster && li.master_ifindex) {
		want.master = 0;
		mask |= SET_MASTER;
	}

	if (o->mtu || (o->master && master.mtu != li.mtu)) {
		uint32_t mtu = o->mtu ? o->mtu : master.mtu;
		if (mtu < li.min_mtu || (li.max_mtu && mtu > li.max_mtu))
			return vt_fail(ctx, -EINVAL, "validate", "MTU %u is outside %u..%u, the range of %s", mtu,
				       li.min_mtu, li.max_mtu, name);
		want.mtu = mtu;
		mask |= SET_MTU;
	}
	if (o->set_mac) {
		memcpy(want.mac, o->mac, 6);
		mask |= SET_MAC;
	} else if (o->set_guest_mac) {
		vmtap_mac_host_side(o->guest_mac, want.mac);
		mask |= SET_MAC;
	} else if (o->master && li.has_mac && li.mac[0] != 0xfe) {
		/* a random MAC may be lower than the bridge's, which would then adopt it */
		want.mac[0] = 0xfe;
		mask |= SET_MAC;
	}
	if (o->txqlen) {
		want.txqlen = o->txqlen;
		mask |= SET_TXQLEN;
	}
	if (o->alias) {
		snprintf(want.alias, sizeof(want.alias), "%s", o->alias);
		mask |= SET_ALIAS;
	}
	if (o->state) {
		want.up = o->state == VMTAP_LINK_UP;
		mask |= SET_STATE;
	}
	if (o->move_netns) {
		r = vt_netns_open(ctx, o->move_netns, &move_fd);
		if (r < 0)
			return r;
	}

	if (mask) {
		/* one message does it all; only when the kernel refuses do we go step by step to say which */
		if ((r = vt_fault(ctx, "set link")) < 0 || (r = apply_values(ctx, nl, li.ifindex, &want, mask)) < 0) {
			int err = r;
			char extack[256];
			const char *step = "set link";

			snprintf(extack, sizeof(extack), "%s", ctx ? ctx->err_extack : "");
			(void)apply_values(NULL, nl, li.ifindex, &old, mask);
			for (size_t i = 0; i < ARRAY_SIZE(set_steps); i++) {
				if (!(mask & set_steps[i].bit))
					continue;
				if (apply_values(NULL, nl, li.ifindex, &want, set_steps[i].bit) < 0) {
					step = set_steps[i].step;
					describe_step(set_steps[i].bit, &want, what, sizeof(what));
					break;
				}
			}
			(void)apply_values(NULL, nl, li.ifindex, &old, mask);
			if (ctx) {
				vt_clear_error(ctx);
				vt_set_extack(ctx, extack);
			}
			return vt_fail(ctx, err, step, "%s%s%s", name, strcmp(step, "set link") ? ": " : "",
				       strcmp(step, "set link") ? what : "");
		}
	}

	if (move_fd >= 0) {
		char buf[VT_NL_REQ_SIZE] __attribute__((aligned(8)));
		struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
		struct ifinfomsg *ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));

		nlh->nlmsg_type = RTM_NEWLINK;
		nlh->nlmsg_flags = NLM_F_REQUEST;
		ifi->ifi_index = li.ifindex;
		mnl_attr_put_u32(nlh, IFLA_NET_NS_FD, (uint32_t)move_fd);
		if ((r = vt_fault(ctx, "move to namespace")) < 0 || (r = vt_nl_talk(ctx, nl, nlh, NULL, NULL)) < 0) {
			int err = vt_fail(ctx, r, "move to namespace", "%s to %s", name, o->move_netns);
			if (mask)
				(void)apply_values(NULL, nl, li.ifindex, &old, mask);
			return err;
		}
	}
	return 0;
}

static int link_set_opts_check(struct vmtap_ctx *ctx, const struct vmtap_link_set_opts *o)
{
	int r;

	if (o->set_mac && o->set_guest_mac)
		return vt_fail(ctx, -EINVAL, "validate", "give the link's MAC or the guest's MAC, not both");
	if (o->set_mac && !vmtap_mac_usable(o->mac))
		return vt_fail(ctx, -EINVAL, "validate", "MAC address must be unicast and not all zeros");
	if (o->set_guest_mac && !vmtap_mac_usable(o->guest_mac))
		return vt_fail(ctx, -EINVAL, "validate", "guest MAC address must be unicast and not all zeros");
	if (o->master && o->nomaster)
		return vt_fail(ctx, -EINVAL, "validate", "both a master and nomaster given");
	if (o->master) {
		r = vt_name_check(ctx, "bridge name", o->master, false);
		if (r < 0)
			return r;
	}
	if (o->alias && strlen(o->alias) > 255)
		return vt_fail(ctx, -EINVAL, "validate", "alias is longer than 255 bytes");
	if (o->state > VMTAP_LINK_DOWN)
		return vt_fail(ctx, -EINVAL, "validate", "unknown link state %d", (int)o->state);
	if (o->mtu && (o->mtu < VMTAP_MTU_MIN || o->mtu > VMTAP_MTU_MAX))
		return vt_fail(ctx, -EINVAL, "validate", "MTU %u is outside %d..%d", o->mtu, VMTAP_MTU_MIN, VMTAP_MTU_MAX);
	return 0;
}

int vt_link_set_validate(struct vmtap_ctx *ctx, const struct vmtap_link_set_opts *user_opts, bool allow_tag,
			 struct vmtap_link_set_opts *ret_opts)
{
	struct vmtap_link_set_opts o;
	int r;

	if (!VT_OPTS_COPY(o, user_opts))
		return vt_fail(ctx, -EINVAL, "validate", "link options struct has unknown non-zero fields");
	r = link_set_opts_check(ctx, &o);
	if (r < 0)
		return r;
	/* a tag is a claim gc acts on: nobody may write one through vmtap but vmtap itself */
	if (o.alias && !allow_tag && vt_alias_reserved(o.alias))
		return vt_fail(ctx, -EINVAL, "validate",
			       "aliases starting with \"vmtap:\" or \"vmtap-\" are vmtap's ownership tags and cannot be set");
	*ret_opts = o;
	return 0;
}

int vt_link_set_checked(struct vmtap_ctx *ctx, const char *netns, const char *name,
			const struct vmtap_link_set_opts *user_opts, bool allow_tag)
{
	struct vmtap_link_set_opts o;
	struct vt_nl *nl;
	int r;

	r = vt_link_set_validate(ctx, user_opts, allow_tag, &o);
	if (r < 0)
		return r;
	r = vt_nl_get(ctx, netns, &nl);
	if (r < 0)
		return r;
	return vt_link_set(ctx, nl, name, &o, netns);
}

VT_EXPORT int vmtap_link_set(struct vmtap_ctx *ctx, const char *netns, const char *name,
			     const struct vmtap_link_set_opts *opts)
{
	int r;

	vt_clear_error(ctx);
	if (!opts)
		return vt_fail(ctx, -EINVAL, "validate", "no options");
	r = vt_name_check(ctx, "interface name", name, false);
	if (r < 0)
		return r;
	return vt_link_set_checked(ctx, netns, name, opts, false);
}

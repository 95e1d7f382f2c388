/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Links over rtnetlink: parsing RTM_NEWLINK, look-ups, dumps, delete and bulk delete. */
/**
 * DOC: Theory of Operation
 *
 * A look-up by name is one RTM_GETLINK carrying IFLA_IFNAME: never a dump.
 * A dump that a change of the link list interrupts (NLM_F_DUMP_INTR) is
 * repeated, so that callers see one consistent list.
 *
 * Deleting a device that was up costs a kernel-wide RCU synchronisation
 * (16-23 ms here), one per RTM_DELLINK.  vmtap_link_delete_many() moves the
 * devices into a link group nobody uses and deletes the group with a single
 * RTM_DELLINK, so the kernel pays that price once for all of them.
 */
#include <net/if.h>
#include <stdio.h>
#include <sys/random.h>
#include <linux/if_link.h>
#include <linux/if_tun.h>

#include "link.h"
#include "validate.h"

/* ---- parsing RTM_NEWLINK ---- */

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

/* IFLA_MACVLAN_MODE's values, in the public enum: "source" has none (false) */
static bool macvtap_mode_from_kernel(uint32_t mode, enum vmtap_macvtap_mode *ret_mode)
{
	switch (mode) {
	case MACVLAN_MODE_BRIDGE: *ret_mode = VMTAP_MACVTAP_BRIDGE; return true;
	case MACVLAN_MODE_VEPA: *ret_mode = VMTAP_MACVTAP_VEPA; return true;
	case MACVLAN_MODE_PRIVATE: *ret_mode = VMTAP_MACVTAP_PRIVATE; return true;
	case MACVLAN_MODE_PASSTHRU: *ret_mode = VMTAP_MACVTAP_PASSTHRU; return true;
	default: return false;
	}
}

static void parse_macvtap(const struct nlattr *data, struct vmtap_link_info *info)
{
	const struct nlattr *tb[IFLA_MACVLAN_MAX + 1] = { 0 };
	uint32_t mode;

	if (mnl_attr_parse_nested(data, vt_nl_attr_table_cb, &(struct vt_nl_attr_table){ tb, IFLA_MACVLAN_MAX }) < 0)
		return;
	if (get_u32(tb[IFLA_MACVLAN_MODE], &mode))
		info->has_macvtap_mode = macvtap_mode_from_kernel(mode, &info->macvtap_mode);
}

static void parse_tun(const struct nlattr *data, struct vmtap_link_info *info)
{
	const struct nlattr *tb[IFLA_TUN_MAX + 1] = { 0 };
	uint8_t v;

	if (mnl_attr_parse_nested(data, vt_nl_attr_table_cb, &(struct vt_nl_attr_table){ tb, IFLA_TUN_MAX }) < 0)
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
	if (mnl_attr_parse(nlh, sizeof(*ifi), vt_nl_attr_table_cb, &(struct vt_nl_attr_table){ tb, IFLA_MAX }) < 0)
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
		uint32_t master, link;
		if (get_u32(tb[IFLA_MASTER], &master))
			info.master_ifindex = (int)master;
		/* with a netns id, the index is another namespace's: meaningless here */
		if (get_u32(tb[IFLA_LINK], &link) && !tb[IFLA_LINK_NETNSID] && link != (uint32_t)info.ifindex)
			info.link_ifindex = (int)link;
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
		if (mnl_attr_parse_nested(tb[IFLA_LINKINFO], vt_nl_attr_table_cb, &(struct vt_nl_attr_table){ itb, IFLA_INFO_MAX }) >= 0) {
			get_str(itb[IFLA_INFO_KIND], info.kind, sizeof(info.kind));
			if (!strcmp(info.kind, "tun")) {
				info.is_tun = true;
				if (itb[IFLA_INFO_DATA])
					parse_tun(itb[IFLA_INFO_DATA], &info);
				/* the tun driver turns the carrier on while a queue is attached */
				if (!info.tun_multi_queue)
					info.tun_num_queues = info.carrier ? 1 : 0;
			} else if (!strcmp(info.kind, "macvtap")) {
				info.is_macvtap = true;
				if (itb[IFLA_INFO_DATA])
					parse_macvtap(itb[IFLA_INFO_DATA], &info);
			}
		}
	}
	*ret_info = info;
	return 0;
}

/* Copy @info into the caller's struct, which may be older (smaller) than ours: @dst->sz says how much. */
static void info_copy_out(struct vmtap_link_info *dst, const struct vmtap_link_info *src)
{
	size_t sz = dst->sz < sizeof(*src) ? dst->sz : sizeof(*src);

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
	char buf[VT_NL_REQ_SIZE] __attribute__((aligned(8))) = { 0 }; /* libmnl does not zero attribute padding */
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
	r = vt_nl_talk(nl, nlh, getlink_cb, &d);
	if (r < 0) {
		if (r == -ENODEV)
			return vt_fail_ack(ctx, r, vt_nl_ack(nl), "look up link", "%s%s", name ? name : "ifindex",
					   name ? " does not exist" : "");
		return vt_fail_ack(ctx, r, vt_nl_ack(nl), "look up link", "%s", name ? name : "ifindex");
	}
	if (!d.found)
		return vt_fail(ctx, d.err ? d.err : -ENODEV, "look up link", "%s: no usable reply",
			       name ? name : "ifindex");
	*ret_info = d.info;
	return 0;
}

/* A master that vanished meanwhile is not our caller's failure: its name just stays "". */
static void fill_master_name(struct vt_nl *nl, struct vmtap_link_info *info)
{
	struct vmtap_link_info master;

	if (info->master_ifindex && vt_link_get(NULL, nl, NULL, info->master_ifindex, &master) == 0)
		memcpy(info->master_name, master.name, sizeof(info->master_name));
}

/* A public call's first steps: a valid link name and the handle of its namespace. */
static int named_link_nl(struct vmtap_ctx *ctx, const char *netns, const char *name, struct vt_nl **ret_nl)
{
	int r = vt_name_check(ctx, "interface name", name, false);

	return r < 0 ? r : vt_nl_get(ctx, netns, ret_nl);
}

VT_EXPORT int vmtap_link_get(struct vmtap_ctx *ctx, const char *netns, const char *name,
			     struct vmtap_link_info *ret_info)
{
	struct vmtap_link_info info;
	struct vt_nl *nl;
	int r;

	vt_clear_error(ctx);
	if (!ret_info || ret_info->sz < offsetofend(struct vmtap_link_info, name))
		return vt_fail(ctx, -EINVAL, "validate", "no output struct, or its sz is not set");
	r = named_link_nl(ctx, netns, name, &nl);
	if (r < 0)
		return r;
	r = vt_link_get(ctx, nl, name, 0, &info);
	if (r < 0)
		return r;
	fill_master_name(nl, &info);
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
	if (!ret_info || ret_info->sz < offsetofend(struct vmtap_link_info, name) || ifindex <= 0)
		return vt_fail(ctx, -EINVAL, "validate", "ifindex %d, or no output struct with its sz set", ifindex);
	r = vt_nl_get(ctx, netns, &nl);
	if (r < 0)
		return r;
	r = vt_link_get(ctx, nl, NULL, ifindex, &info);
	if (r < 0)
		return r;
	fill_master_name(nl, &info);
	info_copy_out(ret_info, &info);
	return 0;
}

struct dump_data {
	bool tun_only;
	vmtap_link_fn fn;
	void *userdata;
	int ret;                /* the first non-zero return of @fn: no more calls, the rest drained */
};

static int dump_cb(const struct nlmsghdr *nlh, void *data)
{
	struct dump_data *d = data;
	struct vmtap_link_info info;

	if (d->ret || nlh->nlmsg_type != RTM_NEWLINK || vt_link_parse(nlh, nlh->nlmsg_len, &info) < 0)
		return MNL_CB_OK;
	if (d->tun_only && !info.is_tun)
		return MNL_CB_OK;
	d->ret = d->fn(&info, d->userdata);
	return MNL_CB_OK;
}

/*
 * Links are handed to @fn as the dump brings them, never gathered: a caller
 * keeps what it needs of each (gc a few bytes per tagged device, a bulk
 * delete the names it looks for), so memory does not grow with the number
 * of links in the namespace.  @fn runs inside the dump and must not use @nl.
 *
 * Links that come and go during a dump interrupt it (NLM_F_DUMP_INTR): it is
 * then repeated, a few times, @restart (if any) called before each
 * repetition so that the caller drops what it kept, and the caller ends up
 * with one consistent list.  With @take_interrupted, the last interrupted
 * dump is used after all: the kernel walks links in ifindex order (since
 * 6.7), so a link that exists from the start of the dump to its end is in it
 * even when others came and went, which is all a caller that looks for
 * links it knows needs.
 */
static int link_dump(struct vmtap_ctx *ctx, struct vt_nl *nl, bool tun_only, bool stats, bool take_interrupted,
		     vmtap_link_fn fn, void (*restart)(void *userdata), void *userdata)
{
	char buf[VT_NL_REQ_SIZE] __attribute__((aligned(8))) = { 0 }; /* libmnl does not zero attribute padding */
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct dump_data d = { .tun_only = tun_only, .fn = fn, .userdata = userdata };
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
		bool interrupted;

		d.ret = 0;
		r = vt_nl_dump(nl, nlh, dump_cb, &d, &interrupted);
		if (vt_fault_active(ctx, "dump interrupted"))
			interrupted = true;
		if (r < 0 || d.ret || !interrupted)
			break;
		if (attempt == 4) {
			if (!take_interrupted)
				r = -EINTR;
			break;
		}
		vt_log(ctx, VMTAP_LOG_DEBUG, "link dump interrupted by a change: repeating it");
		if (restart)
			restart(userdata);
	}
	if (r < 0)
		return vt_fail_ack(ctx, r, vt_nl_ack(nl), "list links",
				   r == -EINTR ? "the list kept changing during 5 dumps" : NULL);
	return d.ret;
}

int vt_link_dump(struct vmtap_ctx *ctx, struct vt_nl *nl, bool tun_only, bool stats,
		 vmtap_link_fn fn, void (*restart)(void *userdata), void *userdata)
{
	return link_dump(ctx, nl, tun_only, stats, false, fn, restart, userdata);
}

/* The public walk gathers the list first: its callback may call the library, on the same socket. */
struct link_list {
	struct vmtap_link_info *items;
	size_t n, cap;
};

static int list_add(const struct vmtap_link_info *info, void *data)
{
	struct link_list *l = data;

	if (VT_GROW(l->items, l->cap, l->n + 1) < 0)
		return -ENOMEM;
	l->items[l->n++] = *info;
	return 0;
}

static void list_restart(void *data)
{
	((struct link_list *)data)->n = 0;
}

VT_EXPORT int vmtap_link_foreach(struct vmtap_ctx *ctx, const char *netns, uint32_t flags,
				 vmtap_link_fn fn, void *userdata)
{
	_cleanup_free_ struct vmtap_link_info *items = NULL;
	struct link_list l = { 0 };
	struct vt_nl *nl;
	int r;

	vt_clear_error(ctx);
	if (!fn)
		return vt_fail(ctx, -EINVAL, "validate", "no callback");
	if (flags & ~VMTAP_LINK_FLAGS_ALL)
		return vt_fail(ctx, -EINVAL, "validate", "unknown flags 0x%x", flags & ~VMTAP_LINK_FLAGS_ALL);
	r = vt_nl_get(ctx, netns, &nl);
	if (r < 0)
		return r;
	r = vt_link_dump(ctx, nl, flags & VMTAP_LINK_TUN_ONLY, true, list_add, list_restart, &l);
	items = l.items;
	if (r == -ENOMEM)
		return vt_fail(ctx, r, "list links", NULL);
	if (r < 0)
		return r;
	for (size_t i = 0; i < l.n && r == 0; i++)
		r = fn(&items[i], userdata);
	return r;
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
	r = vt_nl_talk_batch(nl, 2, build_down_then_del, &d);
	if (r < 0)
		return vt_fail_ack(ctx, r, vt_nl_ack(nl), "delete link", "%s%s", name ? name : "ifindex",
				   r == -ENODEV ? " does not exist" : "");
	return 0;
}

VT_EXPORT int vmtap_link_delete(struct vmtap_ctx *ctx, const char *netns, const char *name)
{
	struct vt_nl *nl;
	int r;

	vt_clear_error(ctx);
	r = named_link_nl(ctx, netns, name, &nl);
	return r < 0 ? r : vt_link_del(ctx, nl, 0, name);
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
 * A repeated dump looks for the names again; groups seen in use stay so:
 * a group a link was in a moment ago is no proof of a free one.
 */
static void bulk_scan_restart(void *data)
{
	struct bulk_scan *s = data;

	for (size_t i = 0; i < s->n; i++)
		s->want[i].ifindex = 0;
}

/*
 * Move the links into a link group no other device is in, then delete that
 * group with one RTM_DELLINK.  @group must be free (see vmtap_link_delete_many());
 * @old_group and @old_up put the links back as they were when something fails.
 */
static int del_many_in_group(struct vmtap_ctx *ctx, struct vt_nl *nl, const int *ifindex,
			     const uint32_t *old_group, const bool *old_up, size_t n, uint32_t group)
{
	char buf[VT_NL_REQ_SIZE] __attribute__((aligned(8))) = { 0 }; /* libmnl does not zero attribute padding */
	struct group_set g = { .ifindex = ifindex, .one_group = group };
	struct nlmsghdr *nlh;
	struct ifinfomsg *ifi;
	int r;

	r = vt_nl_talk_batch(nl, n, build_group_set, &g);
	if (r < 0) {
		r = vt_fail_ack(ctx, r, vt_nl_ack(nl), "bulk delete", "%zu links: moving them to link group %u", n, group);
		goto undo;
	}

	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = RTM_DELLINK;
	nlh->nlmsg_flags = NLM_F_REQUEST;
	ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_index = 0;
	mnl_attr_put_u32(nlh, IFLA_GROUP, group);
	if ((r = vt_fault(ctx, "delete group")) < 0)
		goto undo;
	r = vt_nl_talk(nl, nlh, NULL, NULL);
	if (r < 0) {
		r = vt_fail_ack(ctx, r, vt_nl_ack(nl), "bulk delete", "%zu links", n);
		goto undo;
	}
	return 0;

undo:
	if (old_group) {
		VT_UNDO_SCOPE(ctx);
		struct group_set back = { .ifindex = ifindex, .group = old_group, .up = old_up };
		/* put the links back in their own groups; a link already gone is no undo failure */
		int u = vt_nl_talk_batch(nl, n, build_group_set, &back);
		if (u < 0 && u != -ENODEV)
			vt_fail_ack(ctx, u, vt_nl_ack(nl), "bulk delete", "putting %zu links back", n);
	}
	return r;
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
	r = link_dump(ctx, nl, false, false, true, bulk_scan_cb, bulk_scan_restart, &scan);
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


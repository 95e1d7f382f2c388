/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A link's IPv4/IPv6 addresses and routes over rtnetlink: parsed, saved, flushed, restored, kept as JSON. */
/**
 * DOC: Theory of Operation
 *
 * In Kata's macvtap model the guest takes over a pod's identity: the pod's
 * veth (the macvtap's parent) hands its MAC to the guest and must stop
 * answering for its addresses, so they are removed while the guest is
 * connected and put back when it goes.  "Back" must be exact and must work
 * from a record alone (after a crash, gc does it), so the state is saved
 * as data: every address with its prefix, scope, flags, label, broadcast or
 * peer, prefix-route metric and lifetimes; and every route through the link
 * that the kernel did not make itself, with its table, metric, protocol,
 * scope, type, gateway, source and metrics.
 *
 * Two kernel behaviours shape the flush.  Removing a link's last IPv4
 * address drops every IPv4 route through it, in every table (so routes are
 * saved from all tables but "local", not only "main"); IPv6 routes survive
 * their addresses, so they are deleted explicitly.  And deleting an IPv4
 * primary address takes its secondaries with it (or promotes one), so
 * secondaries go first and come back last.
 *
 * Restore treats "exists already" as done, so it can be repeated after a
 * partial failure.  IPv6 addresses come back with IFA_F_NODAD: duplicate
 * detection would leave them tentative, unusable, for a second or more, and
 * the address was the link's own a moment ago.
 *
 * Routes vmtap could not put back as they were (multipath, nexthop objects,
 * encapsulation, a gateway of the other family) make the save fail rather
 * than be lost on the flush.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <sys/random.h>
#include <linux/if_addr.h>

#include "addr.h"

#ifndef IFA_PROTO
#define IFA_PROTO 11
#endif

/* IFA_F_* bits the kernel knows (0..0x800), and those a request may set. */
#define ADDR_FLAGS_KNOWN 0xfffu
#define ADDR_FLAGS_SETTABLE (IFA_F_NODAD | IFA_F_OPTIMISTIC | IFA_F_HOMEADDRESS | IFA_F_MANAGETEMPADDR | \
			     IFA_F_NOPREFIXROUTE | IFA_F_MCAUTOJOIN)
/* rtm_flags kept: the rest are the kernel's state (dead, linkdown, offload...) */
#define ROUTE_FLAGS_KEPT RTNH_F_ONLINK

static unsigned int addr_len(uint8_t family)
{
	return family == AF_INET ? 4 : family == AF_INET6 ? 16 : 0;
}

/* ---- parsers ---- */

/* The message header checks of vt_link_parse(): aligned, within @len, of @type, its fixed part present. */
static const struct nlmsghdr *msg_check(const void *buf, size_t len, uint16_t type, size_t fixed)
{
	const struct nlmsghdr *nlh = buf;

	if (!buf || len < sizeof(*nlh) || nlh->nlmsg_len < sizeof(*nlh) || nlh->nlmsg_len > len ||
	    nlh->nlmsg_len % MNL_ALIGNTO)
		return NULL;
	if (nlh->nlmsg_type != type || nlh->nlmsg_len < mnl_nlmsg_size(fixed))
		return NULL;
	return nlh;
}

/* An address attribute: absent (false), or exactly @alen bytes copied to @out; -1 when malformed. */
static int get_ip(const struct nlattr *a, unsigned int alen, uint8_t *out)
{
	if (!a)
		return 0;
	if (mnl_attr_get_payload_len(a) != alen)
		return -1;
	memcpy(out, mnl_attr_get_payload(a), alen);
	return 1;
}

/* A u32 (or u8) attribute: absent (0), present (1), malformed (-1). */
static int get_u32(const struct nlattr *a, uint32_t *out)
{
	if (!a)
		return 0;
	if (mnl_attr_validate(a, MNL_TYPE_U32) < 0)
		return -1;
	*out = mnl_attr_get_u32(a);
	return 1;
}

static int get_u8(const struct nlattr *a, uint8_t *out)
{
	if (!a)
		return 0;
	if (mnl_attr_validate(a, MNL_TYPE_U8) < 0)
		return -1;
	*out = mnl_attr_get_u8(a);
	return 1;
}

int vt_addr_parse(const void *buf, size_t len, struct vt_ip_addr *ret)
{
	const struct nlattr *tb[IFA_PROTO + 1] = { 0 };
	const struct nlmsghdr *nlh = msg_check(buf, len, RTM_NEWADDR, sizeof(struct ifaddrmsg));
	const struct ifaddrmsg *ifa;
	struct vt_ip_addr a = { .valid_lft = VT_LIFETIME_FOREVER, .preferred_lft = VT_LIFETIME_FOREVER };
	uint8_t address[16];
	unsigned int alen;
	int has_local, has_address;

	if (!nlh)
		return -EBADMSG;
	ifa = mnl_nlmsg_get_payload(nlh);
	if (mnl_attr_parse(nlh, sizeof(*ifa), vt_nl_attr_table_cb, &(struct vt_nl_attr_table){ tb, IFA_PROTO }) < 0)
		return -EBADMSG;
	alen = addr_len(ifa->ifa_family);
	if (!alen || ifa->ifa_index == 0 || ifa->ifa_index > INT32_MAX || ifa->ifa_prefixlen > alen * 8)
		return -EBADMSG;
	a.family = ifa->ifa_family;
	a.ifindex = (int)ifa->ifa_index;
	a.prefixlen = ifa->ifa_prefixlen;
	a.scope = ifa->ifa_scope;
	a.flags = ifa->ifa_flags;

	/* IPv4: IFA_LOCAL is the address, IFA_ADDRESS the peer (or the same); IPv6: IFA_LOCAL only with a peer */
	has_local = get_ip(tb[IFA_LOCAL], alen, a.local);
	has_address = get_ip(tb[IFA_ADDRESS], alen, address);
	if (has_local < 0 || has_address < 0 || (!has_local && !has_address))
		return -EBADMSG;
	if (!has_local)
		memcpy(a.local, address, alen);
	else if (has_address && memcmp(address, a.local, alen)) {
		a.has_peer = true;
		memcpy(a.peer, address, alen);
	}
	/* broadcast and label are IPv4's: an IPv6 address never has them, and they are ignored there */
	if (tb[IFA_BROADCAST] && a.family == AF_INET) {
		if (get_ip(tb[IFA_BROADCAST], 4, a.broadcast) < 0)
			return -EBADMSG;
		a.has_broadcast = true;
	}
	if (tb[IFA_LABEL] && a.family == AF_INET) {
		if (mnl_attr_validate(tb[IFA_LABEL], MNL_TYPE_NUL_STRING) < 0 ||
		    strlen(mnl_attr_get_str(tb[IFA_LABEL])) >= sizeof(a.label))
			return -EBADMSG;
		snprintf(a.label, sizeof(a.label), "%s", mnl_attr_get_str(tb[IFA_LABEL]));
	}
	if (get_u32(tb[IFA_FLAGS], &a.flags) < 0 || get_u32(tb[IFA_RT_PRIORITY], &a.metric) < 0 ||
	    get_u8(tb[IFA_PROTO], &a.proto) < 0)
		return -EBADMSG;
	if (tb[IFA_CACHEINFO]) {
		struct ifa_cacheinfo ci;
		if (mnl_attr_get_payload_len(tb[IFA_CACHEINFO]) < sizeof(ci))
			return -EBADMSG;
		memcpy(&ci, mnl_attr_get_payload(tb[IFA_CACHEINFO]), sizeof(ci));
		a.valid_lft = ci.ifa_valid;
		a.preferred_lft = ci.ifa_prefered;
	}
	/* bits a newer kernel may add mean nothing to restore; a preferred lifetime never outlasts the valid one */
	a.flags &= ADDR_FLAGS_KNOWN;
	if (a.flags & IFA_F_PERMANENT)
		a.valid_lft = a.preferred_lft = VT_LIFETIME_FOREVER;
	if (a.preferred_lft > a.valid_lft)
		a.preferred_lft = a.valid_lft;
	*ret = a;
	return 0;
}

/* The nexthops of RTA_MULTIPATH: well-formed, their ifindexes (the first VT_ROUTE_NH_MAX). */
static int parse_multipath(const struct nlattr *mp, struct vt_ip_route *r)
{
	const unsigned char *p = mnl_attr_get_payload(mp);
	size_t left = mnl_attr_get_payload_len(mp);

	while (left > 0) {
		struct rtnexthop nh;
		if (left < sizeof(nh))
			return -1;
		memcpy(&nh, p, sizeof(nh));
		if (nh.rtnh_len < sizeof(nh) || nh.rtnh_len > left)
			return -1;
		if (r->n_nh < VT_ROUTE_NH_MAX && nh.rtnh_ifindex > 0)
			r->nh_ifindex[r->n_nh++] = nh.rtnh_ifindex;
		if ((size_t)RTNH_ALIGN(nh.rtnh_len) >= left)
			break;
		p += RTNH_ALIGN(nh.rtnh_len);
		left -= RTNH_ALIGN(nh.rtnh_len);
	}
	return 0;
}

static int parse_metrics(const struct nlattr *nest, struct vt_ip_route *r)
{
	const struct nlattr *m;

	if (mnl_attr_validate(nest, MNL_TYPE_NESTED) < 0)
		return -1;
	mnl_attr_for_each_nested(m, nest) {
		unsigned int type = mnl_attr_get_type(m);
		if (type == 0 || type > RTAX_MAX)
			continue;
		if (type == RTAX_CC_ALGO) {
			/* a string, the one metric that is not a number */
			r->unsupported = "a congestion control metric";
			continue;
		}
		if (mnl_attr_validate(m, MNL_TYPE_U32) < 0)
			return -1;
		r->metrics[type] = mnl_attr_get_u32(m);
		r->metrics_set |= 1u << type;
	}
	return 0;
}

int vt_route_parse(const void *buf, size_t len, struct vt_ip_route *ret)
{
	const struct nlattr *tb[RTA_MAX + 1] = { 0 };
	const struct nlmsghdr *nlh = msg_check(buf, len, RTM_NEWROUTE, sizeof(struct rtmsg));
	const struct rtmsg *rtm;
	struct vt_ip_route r = { 0 };
	unsigned int alen;
	uint32_t v = 0;
	int got;

	if (!nlh)
		return -EBADMSG;
	rtm = mnl_nlmsg_get_payload(nlh);
	if (mnl_attr_parse(nlh, sizeof(*rtm), vt_nl_attr_table_cb, &(struct vt_nl_attr_table){ tb, RTA_MAX }) < 0)
		return -EBADMSG;
	alen = addr_len(rtm->rtm_family);
	if (!alen || rtm->rtm_dst_len > alen * 8 || rtm->rtm_src_len > alen * 8)
		return -EBADMSG;
	r.family = rtm->rtm_family;
	r.dst_len = rtm->rtm_dst_len;
	r.src_len = rtm->rtm_src_len;
	r.tos = rtm->rtm_tos;
	r.protocol = rtm->rtm_protocol;
	r.scope = rtm->rtm_scope;
	r.type = rtm->rtm_type;
	r.table = rtm->rtm_table;
	r.flags = rtm->rtm_flags;
	r.cloned = rtm->rtm_flags & RTM_F_CLONED;

	if ((got = get_ip(tb[RTA_DST], alen, r.dst)) < 0)
		return -EBADMSG;
	r.has_dst = got;
	if ((got = get_ip(tb[RTA_SRC], alen, r.src)) < 0)
		return -EBADMSG;
	r.has_src = got;
	if ((got = get_ip(tb[RTA_GATEWAY], alen, r.gateway)) < 0)
		return -EBADMSG;
	r.has_gateway = got;
	if ((got = get_ip(tb[RTA_PREFSRC], alen, r.prefsrc)) < 0)
		return -EBADMSG;
	r.has_prefsrc = got;
	if ((got = get_u32(tb[RTA_PRIORITY], &r.priority)) < 0)
		return -EBADMSG;
	r.has_priority = got;
	if ((got = get_u32(tb[RTA_OIF], &v)) < 0 || v > INT32_MAX)
		return -EBADMSG;
	r.oif = got ? (int)v : 0;
	if (get_u32(tb[RTA_TABLE], &r.table) < 0)
		return -EBADMSG;
	if ((got = get_u8(tb[RTA_PREF], &r.pref)) < 0)
		return -EBADMSG;
	r.has_pref = got;
	if (tb[RTA_CACHEINFO]) {
		struct rta_cacheinfo ci;
		if (mnl_attr_get_payload_len(tb[RTA_CACHEINFO]) < sizeof(ci))
			return -EBADMSG;
		memcpy(&ci, mnl_attr_get_payload(tb[RTA_CACHEINFO]), sizeof(ci));
		/* in clock ticks (USER_HZ, 100 on Linux); a request takes seconds */
		if (r.family == AF_INET6 && ci.rta_expires > 0) {
			r.has_expires = true;
			r.expires = (uint32_t)(((int64_t)ci.rta_expires + 99) / 100);
		}
	}
	if (tb[RTA_METRICS] && parse_metrics(tb[RTA_METRICS], &r) < 0)
		return -EBADMSG;
	if (tb[RTA_MULTIPATH]) {
		if (parse_multipath(tb[RTA_MULTIPATH], &r) < 0)
			return -EBADMSG;
		r.unsupported = "multipath";
	}
	if (tb[RTA_NH_ID])
		r.unsupported = "a nexthop object";
	if (tb[RTA_ENCAP] || tb[RTA_ENCAP_TYPE])
		r.unsupported = "encapsulation";
	if (tb[RTA_VIA])
		r.unsupported = "a gateway of another family (via)";
	if (tb[RTA_FLOW])
		r.unsupported = "a realm";
	*ret = r;
	return 0;
}

/* ---- text ---- */

static const char *family_name(uint8_t family)
{
	return family == AF_INET ? "inet" : "inet6";
}

static void ip_text(uint8_t family, const uint8_t *a, char out[INET6_ADDRSTRLEN])
{
	if (!inet_ntop(family, a, out, INET6_ADDRSTRLEN))
		snprintf(out, INET6_ADDRSTRLEN, "?");
}

/* "10.1.0.2/24" or "default" for messages */
static void prefix_text(uint8_t family, bool has, const uint8_t *a, uint8_t len, char *out, size_t size)
{
	char t[INET6_ADDRSTRLEN];

	if (!has && !len) {
		snprintf(out, size, "default");
		return;
	}
	if (has)
		ip_text(family, a, t);
	else
		snprintf(t, sizeof(t), "%s", family == AF_INET ? "0.0.0.0" : "::");
	snprintf(out, size, "%s/%u", t, len);
}

static void route_text(const struct vt_ip_route *r, char *out, size_t size)
{
	char p[INET6_ADDRSTRLEN + 8], g[INET6_ADDRSTRLEN];

	prefix_text(r->family, r->has_dst, r->dst, r->dst_len, p, sizeof(p));
	if (r->has_gateway) {
		ip_text(r->family, r->gateway, g);
		snprintf(out, size, "%s %s via %s table %u", family_name(r->family), p, g, r->table);
	} else {
		snprintf(out, size, "%s %s table %u", family_name(r->family), p, r->table);
	}
}

/* ---- what can be restored ---- */

int vt_ip_addr_check(const struct vt_ip_addr *a, char *err, size_t errlen)
{
	const char *why = NULL;

	if (a->family != AF_INET && a->family != AF_INET6)
		why = "its family is not IPv4 or IPv6";
	else if (a->prefixlen > addr_len(a->family) * 8)
		why = "its prefix is longer than the address";
	else if (a->flags & ~ADDR_FLAGS_KNOWN)
		why = "it has unknown flags";
	else if (a->family != AF_INET && (a->has_broadcast || a->label[0]))
		why = "an IPv6 address has a broadcast address or a label";
	else if (!memchr(a->label, '\0', sizeof(a->label)))
		why = "its label is not terminated";
	else if (a->preferred_lft > a->valid_lft)
		why = "its preferred lifetime is longer than its valid lifetime";
	if (why && err && errlen)
		snprintf(err, errlen, "%s", why);
	return why ? -EINVAL : 0;
}

int vt_ip_route_check(const struct vt_ip_route *r, char *err, size_t errlen)
{
	unsigned int bits = addr_len(r->family) * 8;
	const uint32_t metrics_ok = (((1u << RTAX_MAX) - 1) << 1) & ~(1u << RTAX_CC_ALGO);
	const char *why = NULL;

	if (!bits)
		why = "its family is not IPv4 or IPv6";
	else if (r->unsupported)
		why = r->unsupported;
	else if (r->dst_len > bits || r->src_len > bits || (!r->has_dst && r->dst_len) || (!r->has_src && r->src_len))
		why = "its prefix lengths do not fit its addresses";
	else if (r->table == RT_TABLE_UNSPEC || r->table == RT_TABLE_LOCAL)
		why = "its table is 0 or local";
	else if (r->type == RTN_UNSPEC || r->type > RTN_MAX)
		why = "its type is not a route type";
	else if (r->flags & ~(uint32_t)ROUTE_FLAGS_KEPT)
		why = "it has flags other than onlink";
	else if (r->family != AF_INET6 && (r->has_pref || r->has_expires))
		why = "an IPv4 route has a router preference or an expiry";
	else if (r->has_pref && r->pref != 0 && r->pref != 1 && r->pref != 3)
		why = "its router preference is not 0, 1 or 3";
	else if (r->metrics_set & ~metrics_ok)
		why = "it has metrics that are not numbers";
	if (why && err && errlen)
		snprintf(err, errlen, "%s", why);
	return why ? -EINVAL : 0;
}

bool vt_ip_addr_equal(const struct vt_ip_addr *a, const struct vt_ip_addr *b)
{
	unsigned int n = addr_len(a->family);

	return a->family == b->family && a->prefixlen == b->prefixlen && a->scope == b->scope &&
	       a->proto == b->proto && a->flags == b->flags && !memcmp(a->local, b->local, n) &&
	       a->has_peer == b->has_peer && (!a->has_peer || !memcmp(a->peer, b->peer, n)) &&
	       a->has_broadcast == b->has_broadcast && (!a->has_broadcast || !memcmp(a->broadcast, b->broadcast, 4)) &&
	       !strcmp(a->label, b->label) && a->metric == b->metric && a->valid_lft == b->valid_lft &&
	       a->preferred_lft == b->preferred_lft;
}

bool vt_ip_route_equal(const struct vt_ip_route *a, const struct vt_ip_route *b)
{
	unsigned int n = addr_len(a->family);

	if (a->family != b->family || a->dst_len != b->dst_len || a->src_len != b->src_len || a->tos != b->tos ||
	    a->protocol != b->protocol || a->scope != b->scope || a->type != b->type || a->table != b->table ||
	    a->flags != b->flags || a->has_dst != b->has_dst || a->has_src != b->has_src ||
	    a->has_gateway != b->has_gateway || a->has_prefsrc != b->has_prefsrc ||
	    a->has_priority != b->has_priority || a->has_pref != b->has_pref || a->has_expires != b->has_expires ||
	    a->metrics_set != b->metrics_set)
		return false;
	if ((a->has_dst && memcmp(a->dst, b->dst, n)) || (a->has_src && memcmp(a->src, b->src, n)) ||
	    (a->has_gateway && memcmp(a->gateway, b->gateway, n)) ||
	    (a->has_prefsrc && memcmp(a->prefsrc, b->prefsrc, n)) || (a->has_priority && a->priority != b->priority) ||
	    (a->has_pref && a->pref != b->pref) || (a->has_expires && a->expires != b->expires))
		return false;
	for (unsigned int t = 1; t <= RTAX_MAX; t++)
		if ((a->metrics_set & (1u << t)) && a->metrics[t] != b->metrics[t])
			return false;
	return true;
}

/* ---- save ---- */

struct save_data {
	int ifindex;
	struct vt_link_ip *ip;
	size_t addr_cap, route_cap;
	size_t routes_kept;          /* routes are dumped a family at a time: those of the families done */
	int err;
	char err_what[320];
};

static int save_addr_cb(const struct nlmsghdr *nlh, void *data)
{
	struct save_data *d = data;
	struct vt_ip_addr a;

	if (d->err || nlh->nlmsg_type != RTM_NEWADDR || vt_addr_parse(nlh, nlh->nlmsg_len, &a) < 0)
		return MNL_CB_OK;
	if (a.ifindex != d->ifindex)
		return MNL_CB_OK;
	/* privacy addresses are the kernel's, made again from their "mngtmpaddr" address */
	if (a.family == AF_INET6 && (a.flags & IFA_F_TEMPORARY))
		return MNL_CB_OK;
	if (vt_ip_addr_check(&a, d->err_what, sizeof(d->err_what)) < 0) {
		d->err = -EOPNOTSUPP;
		return MNL_CB_OK;
	}
	if (d->ip->n_addrs >= VT_LINK_IP_ADDR_MAX) {
		d->err = -E2BIG;
		snprintf(d->err_what, sizeof(d->err_what), "more than %d addresses", VT_LINK_IP_ADDR_MAX);
		return MNL_CB_OK;
	}
	if (VT_GROW(d->ip->addrs, d->addr_cap, d->ip->n_addrs + 1) < 0) {
		d->err = -ENOMEM;
		return MNL_CB_OK;
	}
	d->ip->addrs[d->ip->n_addrs++] = a;
	return MNL_CB_OK;
}

static bool route_uses(const struct vt_ip_route *r, int ifindex)
{
	if (r->oif == ifindex)
		return true;
	for (unsigned int i = 0; i < r->n_nh; i++)
		if (r->nh_ifindex[i] == ifindex)
			return true;
	return false;
}

static int save_route_cb(const struct nlmsghdr *nlh, void *data)
{
	struct save_data *d = data;
	struct vt_ip_route r;
	char why[80];

	if (d->err || nlh->nlmsg_type != RTM_NEWROUTE || vt_route_parse(nlh, nlh->nlmsg_len, &r) < 0)
		return MNL_CB_OK;
	if (!route_uses(&r, d->ifindex) || r.cloned || r.table == RT_TABLE_LOCAL)
		return MNL_CB_OK;
	/* the kernel's own: prefix routes of addresses (they come back with them), routes learned from RAs */
	if (r.protocol == RTPROT_KERNEL || (r.family == AF_INET6 && r.protocol == RTPROT_RA))
		return MNL_CB_OK;
	r.flags &= ROUTE_FLAGS_KEPT;
	if (vt_ip_route_check(&r, why, sizeof(why)) < 0) {
		char t[128];
		route_text(&r, t, sizeof(t));
		d->err = -EOPNOTSUPP;
		snprintf(d->err_what, sizeof(d->err_what), "route %s has %s: vmtap could not put it back as it was",
			 t, why);
		return MNL_CB_OK;
	}
	if (d->ip->n_routes >= VT_LINK_IP_ROUTE_MAX) {
		d->err = -E2BIG;
		snprintf(d->err_what, sizeof(d->err_what), "more than %d routes", VT_LINK_IP_ROUTE_MAX);
		return MNL_CB_OK;
	}
	if (VT_GROW(d->ip->routes, d->route_cap, d->ip->n_routes + 1) < 0) {
		d->err = -ENOMEM;
		return MNL_CB_OK;
	}
	r.oif = 0;
	d->ip->routes[d->ip->n_routes++] = r;
	return MNL_CB_OK;
}

/* One dump, repeated while a change interrupts it; @reset empties what the last attempt gathered. */
static int dump_whole(struct vmtap_ctx *ctx, struct vt_nl *nl, struct nlmsghdr *nlh, mnl_cb_t cb,
		      struct save_data *d, void (*reset)(struct save_data *d), const char *what)
{
	int r;

	for (int attempt = 0;; attempt++) {
		bool interrupted;

		reset(d);
		r = vt_nl_dump(nl, nlh, cb, d, &interrupted);
		if (r < 0)
			return vt_fail_ack(ctx, r, vt_nl_ack(nl), "save addresses", "dumping %s", what);
		if (d->err)
			return vt_fail(ctx, d->err, "save addresses", "link %d: %s", d->ifindex,
				       d->err_what[0] ? d->err_what : what);
		if (!interrupted)
			return 0;
		if (attempt == 4)
			return vt_fail(ctx, -EINTR, "save addresses", "%s kept changing during 5 dumps", what);
	}
}

static void reset_addrs(struct save_data *d)
{
	d->ip->n_addrs = 0;
	d->err = 0;
}

static void reset_routes(struct save_data *d)
{
	d->ip->n_routes = d->routes_kept;
	d->err = 0;
}

int vt_link_ip_save(struct vmtap_ctx *ctx, struct vt_nl *nl, int ifindex, struct vt_link_ip **ret)
{
	char buf[VT_NL_REQ_SIZE] __attribute__((aligned(8)));
	_cleanup_(vt_link_ip_freep) struct vt_link_ip *ip = NULL;
	struct save_data d = { .ifindex = ifindex };
	static const uint8_t families[] = { AF_INET, AF_INET6 };
	struct nlmsghdr *nlh;
	int r;

	if (!nl || !ret || ifindex <= 0)
		return vt_fail(ctx, -EINVAL, "validate", "link %d, or no handle or output", ifindex);
	ip = calloc(1, sizeof(*ip));
	if (!ip)
		return vt_fail(ctx, -ENOMEM, "save addresses", NULL);
	d.ip = ip;

	/* with strict checking the kernel dumps only this link's addresses; save_addr_cb checks again */
	nlh = vt_nl_msg_new(buf, sizeof(buf));
	nlh->nlmsg_type = RTM_GETADDR;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	((struct ifaddrmsg *)mnl_nlmsg_put_extra_header(nlh, sizeof(struct ifaddrmsg)))->ifa_index = (uint32_t)ifindex;
	if ((r = vt_fault(ctx, "save addresses")) < 0)
		return r;
	r = dump_whole(ctx, nl, nlh, save_addr_cb, &d, reset_addrs, "addresses");
	if (r < 0)
		return r;

	for (size_t i = 0; i < ARRAY_SIZE(families); i++) {
		struct rtmsg *rtm;

		nlh = vt_nl_msg_new(buf, sizeof(buf));
		nlh->nlmsg_type = RTM_GETROUTE;
		nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
		rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
		rtm->rtm_family = families[i];
		/* every table; the kernel filters by nexthop device (multipath included) */
		mnl_attr_put_u32(nlh, RTA_OIF, (uint32_t)ifindex);
		d.routes_kept = ip->n_routes;
		r = dump_whole(ctx, nl, nlh, save_route_cb, &d, reset_routes, families[i] == AF_INET ? "IPv4 routes" :
			       "IPv6 routes");
		if (r < 0)
			return r;
	}
	*ret = TAKE_PTR(ip);
	return 0;
}

struct vt_link_ip *vt_link_ip_free(struct vt_link_ip *ip)
{
	if (ip) {
		free(ip->addrs);
		free(ip->routes);
		free(ip);
	}
	return NULL;
}

/* ---- requests ---- */

static void addr_msg(struct nlmsghdr *nlh, uint16_t type, uint16_t flags, int ifindex, const struct vt_ip_addr *a)
{
	unsigned int alen = addr_len(a->family);
	struct ifaddrmsg *ifa;
	uint32_t set = a->flags & ADDR_FLAGS_SETTABLE;

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
	ifa->ifa_family = a->family;
	ifa->ifa_prefixlen = a->prefixlen;
	ifa->ifa_index = (uint32_t)ifindex;
	if (a->family == AF_INET) {
		mnl_attr_put(nlh, IFA_LOCAL, alen, a->local);
		mnl_attr_put(nlh, IFA_ADDRESS, alen, a->has_peer ? a->peer : a->local);
	} else {
		if (a->has_peer)
			mnl_attr_put(nlh, IFA_LOCAL, alen, a->local);
		mnl_attr_put(nlh, IFA_ADDRESS, alen, a->has_peer ? a->peer : a->local);
	}
	if (type == RTM_DELADDR)
		return;
	ifa->ifa_scope = a->scope;
	if (a->family == AF_INET6) {
		/* usable at once; the kernel refuses NODAD together with OPTIMISTIC */
		set = (set & ~(uint32_t)IFA_F_OPTIMISTIC) | IFA_F_NODAD;
	}
	ifa->ifa_flags = (uint8_t)(set & 0xff);
	mnl_attr_put_u32(nlh, IFA_FLAGS, set);
	if (a->has_broadcast)
		mnl_attr_put(nlh, IFA_BROADCAST, 4, a->broadcast);
	if (a->label[0])
		mnl_attr_put_strz(nlh, IFA_LABEL, a->label);
	if (a->metric)
		mnl_attr_put_u32(nlh, IFA_RT_PRIORITY, a->metric);
	if (a->proto)
		mnl_attr_put_u8(nlh, IFA_PROTO, a->proto);
	if (a->valid_lft != VT_LIFETIME_FOREVER || a->preferred_lft != VT_LIFETIME_FOREVER) {
		struct ifa_cacheinfo ci = { .ifa_prefered = a->preferred_lft, .ifa_valid = a->valid_lft };
		mnl_attr_put(nlh, IFA_CACHEINFO, sizeof(ci), &ci);
	}
}

static void route_msg(struct nlmsghdr *nlh, uint16_t type, uint16_t flags, int ifindex, const struct vt_ip_route *r)
{
	unsigned int alen = addr_len(r->family);
	struct rtmsg *rtm;

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = r->family;
	rtm->rtm_dst_len = r->dst_len;
	rtm->rtm_src_len = r->src_len;
	rtm->rtm_tos = r->tos;
	rtm->rtm_table = r->table < 256 ? (uint8_t)r->table : RT_TABLE_UNSPEC;
	rtm->rtm_protocol = r->protocol;
	rtm->rtm_scope = r->scope;
	rtm->rtm_type = r->type;
	rtm->rtm_flags = r->flags & ROUTE_FLAGS_KEPT;
	mnl_attr_put_u32(nlh, RTA_TABLE, r->table);
	if (r->has_dst)
		mnl_attr_put(nlh, RTA_DST, alen, r->dst);
	if (r->has_src)
		mnl_attr_put(nlh, RTA_SRC, alen, r->src);
	if (r->has_gateway)
		mnl_attr_put(nlh, RTA_GATEWAY, alen, r->gateway);
	if (r->has_priority)
		mnl_attr_put_u32(nlh, RTA_PRIORITY, r->priority);
	mnl_attr_put_u32(nlh, RTA_OIF, (uint32_t)ifindex);
	if (type == RTM_DELROUTE)
		return;
	if (r->has_prefsrc)
		mnl_attr_put(nlh, RTA_PREFSRC, alen, r->prefsrc);
	if (r->has_pref)
		mnl_attr_put_u8(nlh, RTA_PREF, r->pref);
	if (r->has_expires)
		mnl_attr_put_u32(nlh, RTA_EXPIRES, r->expires);
	if (r->metrics_set) {
		struct nlattr *m = mnl_attr_nest_start(nlh, RTA_METRICS);
		for (unsigned int t = 1; t <= RTAX_MAX; t++)
			if (r->metrics_set & (1u << t))
				mnl_attr_put_u32(nlh, (uint16_t)t, r->metrics[t]);
		mnl_attr_nest_end(nlh, m);
	}
}

static void addr_text(const struct vt_ip_addr *a, char *out, size_t size)
{
	char t[INET6_ADDRSTRLEN];

	ip_text(a->family, a->local, t);
	snprintf(out, size, "%s/%u", t, a->prefixlen);
}

/* ---- flush ---- */

int vt_link_ip_flush(struct vmtap_ctx *ctx, struct vt_nl *nl, int ifindex, const struct vt_link_ip *ip)
{
	char buf[VT_NL_REQ_SIZE] __attribute__((aligned(8))), t[160];
	int r;

	if (!nl || !ip || ifindex <= 0)
		return vt_fail(ctx, -EINVAL, "validate", "link %d, or no handle or state", ifindex);
	/* IPv4 secondaries first: deleting a primary would take them along or promote one */
	for (int pass = 0; pass < 2; pass++)
		for (size_t i = 0; i < ip->n_addrs; i++) {
			const struct vt_ip_addr *a = &ip->addrs[i];
			bool secondary = a->family == AF_INET && (a->flags & IFA_F_SECONDARY);

			if (secondary != (pass == 0))
				continue;
			addr_msg(vt_nl_msg_new(buf, sizeof(buf)), RTM_DELADDR, 0, ifindex, a);
			if ((r = vt_fault(ctx, "flush addresses")) < 0)
				return r;
			r = vt_nl_talk(nl, (struct nlmsghdr *)buf, NULL, NULL);
			if (r < 0 && r != -EADDRNOTAVAIL) {
				addr_text(a, t, sizeof(t));
				return vt_fail_ack(ctx, r, vt_nl_ack(nl), "flush addresses", "deleting %s from link %d", t,
						   ifindex);
			}
		}
	/* IPv4 routes went with the last IPv4 address; IPv6 routes stay until deleted */
	for (size_t i = 0; i < ip->n_routes; i++) {
		route_msg(vt_nl_msg_new(buf, sizeof(buf)), RTM_DELROUTE, 0, ifindex, &ip->routes[i]);
		r = vt_nl_talk(nl, (struct nlmsghdr *)buf, NULL, NULL);
		if (r < 0 && r != -ESRCH && r != -ENOENT) {
			route_text(&ip->routes[i], t, sizeof(t));
			return vt_fail_ack(ctx, r, vt_nl_ack(nl), "flush addresses", "deleting route %s", t);
		}
	}
	return 0;
}

/* ---- restore ---- */

/* The first failure is reported, later ones logged: restore goes on with the rest. */
static int restore_failed(struct vmtap_ctx *ctx, struct vt_nl *nl, int first, int r, const char *what)
{
	if (first < 0) {
		vt_log(ctx, VMTAP_LOG_WARNING, "restore addresses: %s: %s", what, strerror(-r));
		return first;
	}
	return vt_fail_ack(ctx, r, vt_nl_ack(nl), "restore addresses", "%s", what);
}

int vt_link_ip_restore(struct vmtap_ctx *ctx, struct vt_nl *nl, int ifindex, const struct vt_link_ip *ip)
{
	char buf[VT_NL_REQ_SIZE] __attribute__((aligned(8))), t[200];
	int first = 0, r;

	if (!nl || !ip || ifindex <= 0)
		return vt_fail(ctx, -EINVAL, "validate", "link %d, or no handle or state", ifindex);
	/*
	 * IPv4 primaries first: the kernel makes an address secondary when a
	 * primary of its subnet exists.  The kernel lists IPv4 addresses in the
	 * order they came and IPv6 ones newest first (within a scope), so IPv6
	 * addresses go back last to first: the order comes back too, and with
	 * it the choice among equal source addresses.
	 */
	for (int pass = 0; pass < 3; pass++)
		for (size_t k = 0; k < ip->n_addrs; k++) {
			size_t i = pass == 2 ? ip->n_addrs - 1 - k : k;
			const struct vt_ip_addr *a = &ip->addrs[i];
			int want = a->family == AF_INET6 ? 2 : (a->flags & IFA_F_SECONDARY) ? 1 : 0;

			if (want != pass)
				continue;
			addr_msg(vt_nl_msg_new(buf, sizeof(buf)), RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL, ifindex, a);
			r = vt_fault(ctx, "restore addresses");
			if (r == 0)
				r = vt_nl_talk(nl, (struct nlmsghdr *)buf, NULL, NULL);
			if (r < 0 && r != -EEXIST) {
				char at[INET6_ADDRSTRLEN + 8];
				addr_text(a, at, sizeof(at));
				snprintf(t, sizeof(t), "adding %s to link %d", at, ifindex);
				first = restore_failed(ctx, nl, first, r, t);
			}
		}
	/* a gateway is reachable only through a route without one (the prefix route, or a link route) */
	for (int pass = 0; pass < 2; pass++)
		for (size_t i = 0; i < ip->n_routes; i++) {
			const struct vt_ip_route *rt = &ip->routes[i];

			if (rt->has_gateway != (pass == 1))
				continue;
			route_msg(vt_nl_msg_new(buf, sizeof(buf)), RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL, ifindex, rt);
			r = vt_nl_talk(nl, (struct nlmsghdr *)buf, NULL, NULL);
			if (r < 0 && r != -EEXIST) {
				char rtext[160];
				route_text(rt, rtext, sizeof(rtext));
				snprintf(t, sizeof(t), "adding route %s", rtext);
				first = restore_failed(ctx, nl, first, r, t);
			}
		}
	return first;
}

/* ---- JSON ---- */

static json_object *ip_json(uint8_t family, const uint8_t *a)
{
	char t[INET6_ADDRSTRLEN];

	ip_text(family, a, t);
	return json_object_new_string(t);
}

/* json_object_object_add() that remembers an allocation failure in *@ok */
static void add(json_object *o, const char *key, json_object *v, bool *ok)
{
	if (!v || json_object_object_add(o, key, v) < 0) {
		json_object_put(v);
		*ok = false;
	}
}

static json_object *addr_to_json(const struct vt_ip_addr *a, bool *ok)
{
	json_object *o = json_object_new_object();

	if (!o) {
		*ok = false;
		return NULL;
	}
	add(o, "family", json_object_new_string(family_name(a->family)), ok);
	add(o, "local", ip_json(a->family, a->local), ok);
	add(o, "prefixlen", json_object_new_int(a->prefixlen), ok);
	add(o, "scope", json_object_new_int(a->scope), ok);
	add(o, "flags", json_object_new_int64(a->flags), ok);
	if (a->has_peer)
		add(o, "peer", ip_json(a->family, a->peer), ok);
	if (a->has_broadcast)
		add(o, "broadcast", ip_json(AF_INET, a->broadcast), ok);
	if (a->label[0])
		add(o, "label", json_object_new_string(a->label), ok);
	if (a->metric)
		add(o, "metric", json_object_new_int64(a->metric), ok);
	if (a->proto)
		add(o, "proto", json_object_new_int(a->proto), ok);
	if (a->valid_lft != VT_LIFETIME_FOREVER || a->preferred_lft != VT_LIFETIME_FOREVER) {
		add(o, "valid_lft", json_object_new_int64(a->valid_lft), ok);
		add(o, "preferred_lft", json_object_new_int64(a->preferred_lft), ok);
	}
	return o;
}

static json_object *route_to_json(const struct vt_ip_route *r, bool *ok)
{
	json_object *o = json_object_new_object();

	if (!o) {
		*ok = false;
		return NULL;
	}
	add(o, "family", json_object_new_string(family_name(r->family)), ok);
	if (r->has_dst)
		add(o, "dst", ip_json(r->family, r->dst), ok);
	add(o, "dst_len", json_object_new_int(r->dst_len), ok);
	if (r->has_src)
		add(o, "src", ip_json(r->family, r->src), ok);
	if (r->src_len)
		add(o, "src_len", json_object_new_int(r->src_len), ok);
	if (r->has_gateway)
		add(o, "gateway", ip_json(r->family, r->gateway), ok);
	if (r->has_prefsrc)
		add(o, "prefsrc", ip_json(r->family, r->prefsrc), ok);
	if (r->has_priority)
		add(o, "priority", json_object_new_int64(r->priority), ok);
	add(o, "table", json_object_new_int64(r->table), ok);
	add(o, "protocol", json_object_new_int(r->protocol), ok);
	add(o, "scope", json_object_new_int(r->scope), ok);
	add(o, "type", json_object_new_int(r->type), ok);
	if (r->tos)
		add(o, "tos", json_object_new_int(r->tos), ok);
	if (r->flags)
		add(o, "flags", json_object_new_int64(r->flags), ok);
	if (r->has_pref)
		add(o, "pref", json_object_new_int(r->pref), ok);
	if (r->has_expires)
		add(o, "expires", json_object_new_int64(r->expires), ok);
	if (r->metrics_set) {
		json_object *m = json_object_new_object();
		if (!m)
			*ok = false;
		for (unsigned int t = 1; m && t <= RTAX_MAX; t++)
			if (r->metrics_set & (1u << t)) {
				char key[8];
				snprintf(key, sizeof(key), "%u", t);
				add(m, key, json_object_new_int64(r->metrics[t]), ok);
			}
		add(o, "metrics", m, ok);
	}
	return o;
}

int vt_link_ip_to_json(const struct vt_link_ip *ip, json_object **ret)
{
	json_object *o = json_object_new_object(), *addrs = json_object_new_array(), *routes = json_object_new_array();
	bool ok = o && addrs && routes;

	for (size_t i = 0; ok && i < ip->n_addrs; i++) {
		json_object *a = addr_to_json(&ip->addrs[i], &ok);
		if (a && json_object_array_add(addrs, a) < 0) {
			json_object_put(a);
			ok = false;
		}
	}
	for (size_t i = 0; ok && i < ip->n_routes; i++) {
		json_object *r = route_to_json(&ip->routes[i], &ok);
		if (r && json_object_array_add(routes, r) < 0) {
			json_object_put(r);
			ok = false;
		}
	}
	if (ok) {
		add(o, "addresses", TAKE_PTR(addrs), &ok);
		add(o, "routes", TAKE_PTR(routes), &ok);
	}
	if (!ok) {
		json_object_put(o);
		json_object_put(addrs);
		json_object_put(routes);
		return -ENOMEM;
	}
	*ret = o;
	return 0;
}

/* Reading back: every check names what it refused in @err. */
struct jerr {
	char *buf;
	size_t len;
};

static int VT_PRINTF(2, 3) jfail(struct jerr *e, const char *fmt, ...)
{
	va_list ap;

	if (e->buf && e->len) {
		va_start(ap, fmt);
		vsnprintf(e->buf, e->len, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

/* @o has only keys of @known (NULL-terminated). */
static int keys_known(json_object *o, const char *const *known, const char *what, size_t i, struct jerr *e)
{
	json_object_object_foreach(o, key, val) {
		size_t k;
		(void)val;
		for (k = 0; known[k] && strcmp(known[k], key); k++)
			;
		if (!known[k])
			return jfail(e, "%s %zu: unknown key \"%.40s\"", what, i, key);
	}
	return 0;
}

/* Key @key of @o: absent (0, when not @required), or an integer in [0, @max] (1). */
static int get_num(json_object *o, const char *key, uint64_t max, bool required, uint32_t *out, const char *what,
		   size_t i, struct jerr *e)
{
	json_object *v;
	int64_t n;

	if (!json_object_object_get_ex(o, key, &v)) {
		if (required)
			return jfail(e, "%s %zu: no \"%s\"", what, i, key);
		return 0;
	}
	if (!json_object_is_type(v, json_type_int))
		return jfail(e, "%s %zu: \"%s\" is not an integer", what, i, key);
	n = json_object_get_int64(v);
	if (n < 0 || (uint64_t)n > max)
		return jfail(e, "%s %zu: \"%s\" %lld is out of range 0..%llu", what, i, key, (long long)n,
			     (unsigned long long)max);
	*out = (uint32_t)n;
	return 1;
}

/* Key @key of @o: absent (0, when not @required), or an address of @family as text (1). */
static int get_ipj(json_object *o, const char *key, uint8_t family, bool required, uint8_t *out, const char *what,
		   size_t i, struct jerr *e)
{
	json_object *v;
	const char *s;

	if (!json_object_object_get_ex(o, key, &v)) {
		if (required)
			return jfail(e, "%s %zu: no \"%s\"", what, i, key);
		return 0;
	}
	if (!json_object_is_type(v, json_type_string))
		return jfail(e, "%s %zu: \"%s\" is not a string", what, i, key);
	s = json_object_get_string(v);
	if ((size_t)json_object_get_string_len(v) != strlen(s) || inet_pton(family, s, out) != 1)
		return jfail(e, "%s %zu: \"%s\" is not an %s address", what, i, key, family == AF_INET ? "IPv4" : "IPv6");
	return 1;
}

static int get_family(json_object *o, uint8_t *out, const char *what, size_t i, struct jerr *e)
{
	json_object *v;
	const char *s;

	if (!json_object_object_get_ex(o, "family", &v) || !json_object_is_type(v, json_type_string))
		return jfail(e, "%s %zu: no \"family\" string", what, i);
	s = json_object_get_string(v);
	if (!strcmp(s, "inet"))
		*out = AF_INET;
	else if (!strcmp(s, "inet6"))
		*out = AF_INET6;
	else
		return jfail(e, "%s %zu: family is not \"inet\" or \"inet6\"", what, i);
	return 0;
}

static int addr_from_json(json_object *o, size_t i, struct vt_ip_addr *a, struct jerr *e)
{
	static const char *const known[] = { "family", "local", "prefixlen", "scope", "flags", "peer", "broadcast",
					     "label", "metric", "proto", "valid_lft", "preferred_lft", NULL };
	static const char *const what = "address";
	char why[80];
	uint32_t v;
	int r, hv, hp;
	json_object *label;

	*a = (struct vt_ip_addr){ .valid_lft = VT_LIFETIME_FOREVER, .preferred_lft = VT_LIFETIME_FOREVER };
	if (!json_object_is_type(o, json_type_object))
		return jfail(e, "%s %zu is not an object", what, i);
	if ((r = keys_known(o, known, what, i, e)) < 0 || (r = get_family(o, &a->family, what, i, e)) < 0)
		return r;
	if ((r = get_ipj(o, "local", a->family, true, a->local, what, i, e)) < 0)
		return r;
	if ((r = get_num(o, "prefixlen", addr_len(a->family) * 8, true, &v, what, i, e)) < 0)
		return r;
	a->prefixlen = (uint8_t)v;
	if ((r = get_num(o, "scope", 255, false, &v, what, i, e)) < 0)
		return r;
	a->scope = r ? (uint8_t)v : 0;
	if ((r = get_num(o, "flags", ADDR_FLAGS_KNOWN, false, &a->flags, what, i, e)) < 0)
		return r;
	if ((r = get_ipj(o, "peer", a->family, false, a->peer, what, i, e)) < 0)
		return r;
	a->has_peer = r;
	if (a->family != AF_INET && json_object_object_get_ex(o, "broadcast", NULL))
		return jfail(e, "%s %zu: a broadcast address on an IPv6 address", what, i);
	if ((r = get_ipj(o, "broadcast", AF_INET, false, a->broadcast, what, i, e)) < 0)
		return r;
	a->has_broadcast = r;
	if (json_object_object_get_ex(o, "label", &label)) {
		const char *s;
		size_t n;
		if (a->family != AF_INET)
			return jfail(e, "%s %zu: a label on an IPv6 address", what, i);
		if (!json_object_is_type(label, json_type_string))
			return jfail(e, "%s %zu: \"label\" is not a string", what, i);
		s = json_object_get_string(label);
		n = strlen(s);
		/* the kernel's own string, sent back as it was: its bytes are not for vmtap to judge */
		if (n == 0 || n >= sizeof(a->label) || (size_t)json_object_get_string_len(label) != n)
			return jfail(e, "%s %zu: label is not 1..15 bytes without NUL", what, i);
		memcpy(a->label, s, n + 1);
	}
	if ((r = get_num(o, "metric", UINT32_MAX, false, &a->metric, what, i, e)) < 0)
		return r;
	if ((r = get_num(o, "proto", 255, false, &v, what, i, e)) < 0)
		return r;
	a->proto = r ? (uint8_t)v : 0;
	if ((hv = get_num(o, "valid_lft", UINT32_MAX, false, &a->valid_lft, what, i, e)) < 0)
		return hv;
	if ((hp = get_num(o, "preferred_lft", UINT32_MAX, false, &a->preferred_lft, what, i, e)) < 0)
		return hp;
	if (hv != hp)
		return jfail(e, "%s %zu: \"valid_lft\" and \"preferred_lft\" go together", what, i);
	if (a->preferred_lft > a->valid_lft)
		return jfail(e, "%s %zu: preferred lifetime %u is longer than valid lifetime %u", what, i,
			     a->preferred_lft, a->valid_lft);
	/* the rules save applies too: what one accepts, the other does */
	if (vt_ip_addr_check(a, why, sizeof(why)) < 0)
		return jfail(e, "%s %zu: %s", what, i, why);
	return 0;
}

static int metrics_from_json(json_object *m, struct vt_ip_route *rt, size_t i, struct jerr *e)
{
	if (!json_object_is_type(m, json_type_object))
		return jfail(e, "route %zu: \"metrics\" is not an object", i);
	json_object_object_foreach(m, key, val) {
		char *end;
		unsigned long t = strtoul(key, &end, 10);
		int64_t n;

		if (!key[0] || *end || key[0] == '0' || t == 0 || t > RTAX_MAX || t == RTAX_CC_ALGO)
			return jfail(e, "route %zu: metric \"%.20s\" is not a numeric RTAX_* of 1..%d (but %d)", i, key,
				     RTAX_MAX, RTAX_CC_ALGO);
		if (!json_object_is_type(val, json_type_int) || (n = json_object_get_int64(val)) < 0 || n > UINT32_MAX)
			return jfail(e, "route %zu: metric %lu is not an integer in 0..%u", i, t, UINT32_MAX);
		rt->metrics[t] = (uint32_t)n;
		rt->metrics_set |= 1u << t;
	}
	return 0;
}

static int route_from_json(json_object *o, size_t i, struct vt_ip_route *rt, struct jerr *e)
{
	static const char *const known[] = { "family", "dst", "dst_len", "src", "src_len", "gateway", "prefsrc",
					     "priority", "table", "protocol", "scope", "type", "tos", "flags", "pref",
					     "expires", "metrics", NULL };
	static const char *const what = "route";
	char why[80];
	unsigned int bits;
	json_object *m;
	uint32_t v;
	int r;

	*rt = (struct vt_ip_route){ 0 };
	if (!json_object_is_type(o, json_type_object))
		return jfail(e, "%s %zu is not an object", what, i);
	if ((r = keys_known(o, known, what, i, e)) < 0 || (r = get_family(o, &rt->family, what, i, e)) < 0)
		return r;
	bits = addr_len(rt->family) * 8;
	if ((r = get_ipj(o, "dst", rt->family, false, rt->dst, what, i, e)) < 0)
		return r;
	rt->has_dst = r;
	if ((r = get_num(o, "dst_len", bits, true, &v, what, i, e)) < 0)
		return r;
	rt->dst_len = (uint8_t)v;
	if (!rt->has_dst && rt->dst_len)
		return jfail(e, "%s %zu: a prefix length without \"dst\"", what, i);
	if ((r = get_ipj(o, "src", rt->family, false, rt->src, what, i, e)) < 0)
		return r;
	rt->has_src = r;
	if ((r = get_num(o, "src_len", bits, false, &v, what, i, e)) < 0)
		return r;
	rt->src_len = r ? (uint8_t)v : 0;
	if (!rt->has_src && rt->src_len)
		return jfail(e, "%s %zu: a source prefix length without \"src\"", what, i);
	if ((r = get_ipj(o, "gateway", rt->family, false, rt->gateway, what, i, e)) < 0)
		return r;
	rt->has_gateway = r;
	if ((r = get_ipj(o, "prefsrc", rt->family, false, rt->prefsrc, what, i, e)) < 0)
		return r;
	rt->has_prefsrc = r;
	if ((r = get_num(o, "priority", UINT32_MAX, false, &rt->priority, what, i, e)) < 0)
		return r;
	rt->has_priority = r;
	if ((r = get_num(o, "table", UINT32_MAX, true, &rt->table, what, i, e)) < 0)
		return r;
	if (rt->table == RT_TABLE_UNSPEC || rt->table == RT_TABLE_LOCAL)
		return jfail(e, "%s %zu: table %u is not one vmtap restores routes in", what, i, rt->table);
	if ((r = get_num(o, "protocol", 255, true, &v, what, i, e)) < 0)
		return r;
	rt->protocol = (uint8_t)v;
	if ((r = get_num(o, "scope", 255, true, &v, what, i, e)) < 0)
		return r;
	rt->scope = (uint8_t)v;
	if ((r = get_num(o, "type", RTN_MAX, true, &v, what, i, e)) < 0)
		return r;
	if (v == RTN_UNSPEC)
		return jfail(e, "%s %zu: type 0 is no route type", what, i);
	rt->type = (uint8_t)v;
	if ((r = get_num(o, "tos", 255, false, &v, what, i, e)) < 0)
		return r;
	rt->tos = r ? (uint8_t)v : 0;
	if ((r = get_num(o, "flags", ROUTE_FLAGS_KEPT, false, &rt->flags, what, i, e)) < 0)
		return r;
	if (rt->flags & ~(uint32_t)ROUTE_FLAGS_KEPT)
		return jfail(e, "%s %zu: flags other than onlink", what, i);
	if ((r = get_num(o, "pref", 3, false, &v, what, i, e)) < 0)
		return r;
	if (r && (rt->family != AF_INET6 || v == 2))
		return jfail(e, "%s %zu: \"pref\" is an IPv6 router preference: 0 (medium), 1 (high) or 3 (low)", what,
			     i);
	rt->has_pref = r;
	rt->pref = r ? (uint8_t)v : 0;
	if ((r = get_num(o, "expires", UINT32_MAX, false, &rt->expires, what, i, e)) < 0)
		return r;
	if (r && rt->family != AF_INET6)
		return jfail(e, "%s %zu: \"expires\" is for IPv6 routes", what, i);
	rt->has_expires = r;
	if (json_object_object_get_ex(o, "metrics", &m) && (r = metrics_from_json(m, rt, i, e)) < 0)
		return r;
	if (vt_ip_route_check(rt, why, sizeof(why)) < 0)
		return jfail(e, "%s %zu: %s", what, i, why);
	return 0;
}

int vt_link_ip_from_json(json_object *o, struct vt_link_ip **ret, char *err, size_t errlen)
{
	static const char *const known[] = { "addresses", "routes", NULL };
	_cleanup_(vt_link_ip_freep) struct vt_link_ip *ip = NULL;
	struct jerr e = { err, errlen };
	json_object *addrs, *routes;
	size_t na, nr;
	int r;

	if (err && errlen)
		err[0] = '\0';
	if (!o || !ret || !json_object_is_type(o, json_type_object))
		return jfail(&e, "IP state is not an object");
	if ((r = keys_known(o, known, "IP state", 0, &e)) < 0)
		return r;
	if (!json_object_object_get_ex(o, "addresses", &addrs) || !json_object_is_type(addrs, json_type_array) ||
	    !json_object_object_get_ex(o, "routes", &routes) || !json_object_is_type(routes, json_type_array))
		return jfail(&e, "IP state needs the arrays \"addresses\" and \"routes\"");
	na = json_object_array_length(addrs);
	nr = json_object_array_length(routes);
	if (na > VT_LINK_IP_ADDR_MAX || nr > VT_LINK_IP_ROUTE_MAX)
		return jfail(&e, "IP state holds more than %d addresses or %d routes", VT_LINK_IP_ADDR_MAX,
			     VT_LINK_IP_ROUTE_MAX);
	ip = calloc(1, sizeof(*ip));
	if (!ip || (na && !(ip->addrs = calloc(na, sizeof(*ip->addrs)))) ||
	    (nr && !(ip->routes = calloc(nr, sizeof(*ip->routes))))) {
		jfail(&e, "out of memory");
		return -ENOMEM;
	}
	for (size_t i = 0; i < na; i++) {
		r = addr_from_json(json_object_array_get_idx(addrs, i), i, &ip->addrs[i], &e);
		if (r < 0)
			return r;
	}
	ip->n_addrs = na;
	for (size_t i = 0; i < nr; i++) {
		r = route_from_json(json_object_array_get_idx(routes, i), i, &ip->routes[i], &e);
		if (r < 0)
			return r;
	}
	ip->n_routes = nr;
	*ret = TAKE_PTR(ip);
	return 0;
}

/* ---- a MAC of the link's own ---- */

int vt_mac_random_local(const uint8_t avoid[6], uint8_t ret_mac[6])
{
	uint8_t mac[6];

	do {
		ssize_t n = getrandom(mac, sizeof(mac), 0);
		if (n < 0)
			return -errno;
		if (n != sizeof(mac))
			return -EIO;
		/* unicast (bit 0 clear), locally administered (bit 1 set) */
		mac[0] = (uint8_t)((mac[0] & 0xfe) | 0x02);
	} while (avoid && !memcmp(mac, avoid, 6));
	memcpy(ret_mac, mac, 6);
	return 0;
}

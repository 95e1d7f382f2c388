/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A link's IP state (its IPv4/IPv6 addresses and the routes through it): saved, flushed, restored, kept as JSON. */
/*
 * Owns: RTM_GETADDR/RTM_GETROUTE dumps of one link and their parsers, the
 * deletion and re-creation of exactly what was saved, its JSON form.
 * Must not: touch any link but the one named, any address or route it did
 * not save, or the link's other settings.
 */
#ifndef VMTAP_ADDR_H
#define VMTAP_ADDR_H

#include <json-c/json.h>
#include <linux/rtnetlink.h>

#include "nl.h"

/* Limits of what one link's state may hold (saved from the kernel or read back from a record). */
#define VT_LINK_IP_ADDR_MAX 256
#define VT_LINK_IP_ROUTE_MAX 1024
#define VT_ROUTE_NH_MAX 8            /* nexthops of a multipath route looked at (to tell it goes through a link) */
#define VT_LIFETIME_FOREVER 0xffffffffu /* the kernel's INFINITY_LIFE_TIME */

/* One address, as RTM_NEWADDR gives it. */
struct vt_ip_addr {
	int ifindex;                 /* ifa_index (parsing only: not kept in JSON) */
	uint8_t family;              /* AF_INET or AF_INET6 */
	uint8_t prefixlen;
	uint8_t scope;               /* RT_SCOPE_* */
	uint8_t proto;               /* IFA_PROTO (IFAPROT_*), 0: unspecified */
	uint32_t flags;              /* IFA_FLAGS (else ifa_flags): the IFA_F_* bits known here (<= 0x800) */
	uint8_t local[16];           /* the address itself (4 bytes used for IPv4) */
	bool has_peer;
	uint8_t peer[16];            /* the other end of a point-to-point address */
	bool has_broadcast;
	uint8_t broadcast[4];        /* IPv4 only */
	char label[16];              /* IFA_LABEL, IPv4 only; "" when absent */
	uint32_t metric;             /* IFA_RT_PRIORITY: metric of its prefix route, 0: the kernel's */
	uint32_t valid_lft, preferred_lft; /* seconds left (IFA_CACHEINFO), preferred <= valid; VT_LIFETIME_FOREVER */
};

/* One route, as RTM_NEWROUTE gives it. */
struct vt_ip_route {
	int oif;                     /* RTA_OIF, 0: none (parsing only: restore puts the link's own) */
	uint8_t family;              /* AF_INET or AF_INET6 */
	uint8_t dst_len, src_len, tos;
	uint8_t protocol;            /* RTPROT_* */
	uint8_t scope;               /* RT_SCOPE_* */
	uint8_t type;                /* RTN_* */
	uint32_t table;              /* RTA_TABLE, else rtm_table */
	uint32_t flags;              /* rtm_flags (RTNH_F_ONLINK is the one restored) */
	bool has_dst, has_src, has_gateway, has_prefsrc, has_priority, has_pref, has_expires;
	uint8_t dst[16], src[16], gateway[16], prefsrc[16];
	uint32_t priority;           /* RTA_PRIORITY: the metric */
	uint8_t pref;                /* RTA_PREF: IPv6 router preference */
	uint32_t expires;            /* RTA_EXPIRES: IPv6, seconds */
	uint32_t metrics_set;        /* bit N: metrics[N] holds RTAX N */
	uint32_t metrics[RTAX_MAX + 1];
	bool cloned;                 /* RTM_F_CLONED: a cache entry, not a route */
	/* nexthops of a multipath route (RTA_MULTIPATH), up to VT_ROUTE_NH_MAX */
	unsigned int n_nh;
	int nh_ifindex[VT_ROUTE_NH_MAX];
	/* why vmtap could not put this route back as it is, or NULL */
	const char *unsupported;
};

/* A link's IP state. */
struct vt_link_ip {
	size_t n_addrs, n_routes;
	struct vt_ip_addr *addrs;
	struct vt_ip_route *routes;
};

/* Parse one RTM_NEWADDR message from (buf, len); fuzzed in fuzz/.  -EBADMSG, @ret untouched, when malformed. */
int vt_addr_parse(const void *buf, size_t len, struct vt_ip_addr *ret);
/* Parse one RTM_NEWROUTE message from (buf, len); fuzzed in fuzz/.  -EBADMSG, @ret untouched, when malformed. */
int vt_route_parse(const void *buf, size_t len, struct vt_ip_route *ret);

/*
 * Whether vmtap can put @a / @r back as it is: the rules vt_link_ip_save()
 * and vt_link_ip_from_json() share, so that a saved state always reads back.
 * Return: 0, or -EINVAL with the reason in @err (may be NULL).
 */
int vt_ip_addr_check(const struct vt_ip_addr *a, char *err, size_t errlen);
int vt_ip_route_check(const struct vt_ip_route *r, char *err, size_t errlen);
/* Whether @a and @b are the same address / route, as restore would make it (ifindex, oif and nexthops aside). */
bool vt_ip_addr_equal(const struct vt_ip_addr *a, const struct vt_ip_addr *b);
bool vt_ip_route_equal(const struct vt_ip_route *a, const struct vt_ip_route *b);

/**
 * vt_link_ip_save() - read link @ifindex's IP state
 * @ctx:	the context
 * @nl:		the handle of the link's namespace
 * @ifindex:	the link
 * @ret:	a new state, for vt_link_ip_free()
 *
 * Saved: every IPv4 and IPv6 address of the link but IPv6 temporary
 * (privacy) addresses, which the kernel makes itself from their
 * "mngtmpaddr" address; and every route whose nexthop is the link, in any
 * table but "local", except the kernel's own (protocol "kernel": prefix
 * routes of addresses; "ra": learned from router advertisements).  Every
 * table, not only "main": removing a link's last IPv4 address makes the
 * kernel drop its IPv4 routes in all tables.
 *
 * Return: 0, or a reported negative errno; -EOPNOTSUPP when a route through
 * the link is one vmtap cannot put back as it was (multipath, nexthop
 * object, encapsulation, a gateway of the other family): refusing is better
 * than losing it.
 */
int vt_link_ip_save(struct vmtap_ctx *ctx, struct vt_nl *nl, int ifindex, struct vt_link_ip **ret);
/*
 * Delete @ip's addresses from link @ifindex (IPv4 secondaries first, so
 * that no primary takes its secondaries with it or promotes them), then its
 * routes: the kernel drops IPv4 routes with the link's last IPv4 address,
 * but keeps IPv6 ones.  What is gone already is fine.  Reports.
 */
int vt_link_ip_flush(struct vmtap_ctx *ctx, struct vt_nl *nl, int ifindex, const struct vt_link_ip *ip);
/*
 * Put @ip back on link @ifindex: addresses (IPv4 primaries before
 * secondaries; IPv6 with IFA_F_NODAD, usable at once, in the order the
 * kernel listed them), then routes without
 * a gateway, then those with one (a gateway needs its route first).  An
 * address or route that exists already is fine, so it can be repeated (gc
 * does); on a failure it goes on with the rest and reports the first.  The
 * link must be up, as a pod's veth is: the kernel refuses gateways through
 * a link that is down, and drops IPv6 addresses when a link goes down.
 */
int vt_link_ip_restore(struct vmtap_ctx *ctx, struct vt_nl *nl, int ifindex, const struct vt_link_ip *ip);
/* Free @ip; returns NULL. */
struct vt_link_ip *vt_link_ip_free(struct vt_link_ip *ip);
DEFINE_TRIVIAL_CLEANUP_FUNC(struct vt_link_ip *, vt_link_ip_free)

/*
 * @ip as JSON: {"addresses":[{"family":"inet","local":"10.1.0.2","prefixlen":24,...}],
 * "routes":[{"family":"inet","dst":"0.0.0.0","dst_len":0,"gateway":"10.1.0.1",...}]}
 * (keys as in the structs; addresses as text).  Return: 0 or -ENOMEM.
 */
int vt_link_ip_to_json(const struct vt_link_ip *ip, json_object **ret);
/*
 * Read @o back, validating everything (records come from disk): known keys
 * only, families, address lengths and text, prefix lengths, ranges, flags,
 * counts.  Return: 0, or -EINVAL with the reason in @err.
 */
int vt_link_ip_from_json(json_object *o, struct vt_link_ip **ret, char *err, size_t errlen);

/*
 * A random locally administered unicast MAC (for a link whose own MAC a
 * guest takes over), never @avoid (may be NULL).  Return: 0 or -errno of
 * getrandom().
 */
int vt_mac_random_local(const uint8_t avoid[6], uint8_t ret_mac[6]);

#endif

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Link settings as one transaction: MTU, MAC, alias, state, master, txqlen, namespace; all applied or none. */
/**
 * DOC: Theory of Operation
 *
 * All the settings asked for go in one RTM_NEWLINK, which the kernel's
 * do_setlink() applies in a fixed order and stops at the first it refuses,
 * leaving the earlier ones applied.  So on a refusal the old values (read
 * first) are written back, and only then, to say which setting the kernel
 * refused, each is tried alone and undone again: the error names the step
 * ("set mtu", "set master") and quotes the kernel's extended ack of the
 * whole message.  Moving to another namespace is the last step, since the
 * link is out of reach afterwards.
 */
#include <net/if.h>
#include <stdio.h>
#include <linux/if_link.h>

#include "link.h"
#include "link_set.h"
#include "netns.h"
#include "validate.h"

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

/* One RTM_NEWLINK with the settings in @mask.  Return: 0 or the kernel's -errno (see vt_nl_ack()). */
static int apply_values(struct vt_nl *nl, int ifindex, const struct link_values *v, unsigned int mask)
{
	char buf[VT_NL_REQ_SIZE] __attribute__((aligned(8))) = { 0 }; /* libmnl does not zero attribute padding */
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);

	put_values(nlh, ifindex, v, mask);
	return vt_nl_talk(nl, nlh, NULL, NULL);
}

/* Put the link back as it was; a failure here leaves it half-changed, which the undo log says. */
static void put_back(struct vmtap_ctx *ctx, struct vt_nl *nl, const char *name, int ifindex,
		     const struct link_values *old, unsigned int mask)
{
	VT_UNDO_SCOPE(ctx);
	int r = vt_fault(ctx, "restore link");

	if (r == 0 && (r = apply_values(nl, ifindex, old, mask)) < 0)
		vt_fail_ack(ctx, r, vt_nl_ack(nl), "restore link", "%s: putting its settings back", name);
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

static int link_set_apply(struct vmtap_ctx *ctx, struct vt_nl *nl, const char *name,
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
		/* asked quietly, reported in this step's words */
		r = vt_link_get(NULL, nl, o->master, 0, &master);
		if (r < 0)
			return vt_fail_ack(ctx, r, vt_nl_ack(nl), "set master", "bridge %s%s%s%s", o->master,
					   r == -ENODEV ? " does not exist" : "", netns_label ? " in " : "",
					   netns_label ? netns_label : "");
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
		if ((r = vt_fault(ctx, "set link")) < 0)
			return r;
		r = apply_values(nl, li.ifindex, &want, mask);
		if (r < 0) {
			/* the kernel's explanation of the whole message, before the probes replace it */
			struct vt_ack ack = *vt_nl_ack(nl);
			const char *step = "set link";

			(void)apply_values(nl, li.ifindex, &old, mask);
			for (size_t i = 0; i < ARRAY_SIZE(set_steps); i++) {
				if (!(mask & set_steps[i].bit))
					continue;
				if (apply_values(nl, li.ifindex, &want, set_steps[i].bit) < 0) {
					step = set_steps[i].step;
					describe_step(set_steps[i].bit, &want, what, sizeof(what));
					break;
				}
			}
			put_back(ctx, nl, name, li.ifindex, &old, mask);
			return vt_fail_ack(ctx, r, &ack, step, "%s%s%s", name, strcmp(step, "set link") ? ": " : "",
					   strcmp(step, "set link") ? what : "");
		}
	}

	if (move_fd >= 0) {
		char buf[VT_NL_REQ_SIZE] __attribute__((aligned(8))) = { 0 }; /* libmnl does not zero attribute padding */
		struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
		struct ifinfomsg *ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));

		nlh->nlmsg_type = RTM_NEWLINK;
		nlh->nlmsg_flags = NLM_F_REQUEST;
		ifi->ifi_index = li.ifindex;
		mnl_attr_put_u32(nlh, IFLA_NET_NS_FD, (uint32_t)move_fd);
		if ((r = vt_fault(ctx, "move to namespace")) == 0 && (r = vt_nl_talk(nl, nlh, NULL, NULL)) < 0)
			r = vt_fail_ack(ctx, r, vt_nl_ack(nl), "move to namespace", "%s to %s", name, o->move_netns);
		if (r < 0) {
			if (mask)
				put_back(ctx, nl, name, li.ifindex, &old, mask);
			return r;
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

	if (!VT_OPTS_COPY(o, user_opts, vmtap_link_set_opts))
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
	return link_set_apply(ctx, nl, name, &o, netns);
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

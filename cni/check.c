/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vmtap-cni CHECK: the attachment's record, device and wiring compared with the configuration and the result; every difference named. */
/**
 * DOC: Theory of Operation
 *
 * CHECK gets the final result of ADD as prevResult and must fail when what
 * vmtap-cni made is missing or differs from it.  It compares, and collects
 * every difference instead of stopping at the first, so that one CHECK
 * says all that is wrong (code 104, the differences joined by "; "):
 *  - the record: there, "ready", this attachment's label, the mode's
 *    connection to CNI_IFNAME in CNI_NETNS, the queue count and vnet
 *    header the configuration (and CNI_ARGS) ask for;
 *  - the device, read from the kernel: there, a TAP (redirect) or a
 *    macvtap (macvtap), carrying the endpoint's ownership tag, up, its
 *    multi-queue and vnet-header flags as recorded, its MTU as configured
 *    (or, without "mtu", CNI_IFNAME's, which it copied), its MAC and MTU as
 *    the result says;
 *  - the result: the TAP's interface in CNI_NETNS and the VM's in the
 *    container's sandbox, the VM's MAC the guest's; in macvtap mode
 *    CNI_IFNAME's MAC as the result says (it changed at ADD);
 *  - the wiring (check_wiring()): redirect: vmtap's tc filters in both
 *    directions (macvtap: its kind and tag; the parent link is not in
 *    struct vmtap_link_info).
 * The specification lets later plugins change routes and such: CHECK
 * looks only at what vmtap-cni made or reported.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <net/if.h>

#include "cni.h"
#include "endpoint_cni.h"
#include "nl.h"
#include "state.h"
#include "tc.h"

struct diffs {
	char text[CNI_DETAILS_MAX];
	size_t len;
	unsigned int n;
};

__attribute__((format(printf, 2, 3))) static void differ(struct diffs *d, const char *fmt, ...)
{
	va_list ap;

	d->n++;
	if (d->len >= sizeof(d->text) - 1)
		return;
	if (d->n > 1)
		d->len += (size_t)snprintf(d->text + d->len, sizeof(d->text) - d->len, "; ");
	if (d->len >= sizeof(d->text) - 1)
		return;
	va_start(ap, fmt);
	d->len += (size_t)vsnprintf(d->text + d->len, sizeof(d->text) - d->len, fmt, ap);
	va_end(ap);
}

static bool same_path(const char *a, const char *b)
{
	struct stat sa, sb;

	if (!a || !b)
		return false;
	if (!strcmp(a, b))
		return true;
	return stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

/* The interface of the result named @name in @sandbox, NULL when none. */
static json_object *result_iface(json_object *prev, const char *name, const char *sandbox, bool by_path)
{
	json_object *ifaces, *e, *v;
	size_t n;

	if (!json_object_object_get_ex(prev, "interfaces", &ifaces) || !json_object_is_type(ifaces, json_type_array))
		return NULL;
	n = json_object_array_length(ifaces);
	for (size_t i = 0; i < n; i++) {
		const char *nm, *sb;
		e = json_object_array_get_idx(ifaces, i);
		if (!json_object_object_get_ex(e, "name", &v) || !(nm = json_object_get_string(v)) || strcmp(nm, name))
			continue;
		if (!json_object_object_get_ex(e, "sandbox", &v) || !(sb = json_object_get_string(v)))
			continue;
		if (by_path ? same_path(sb, sandbox) : !strcmp(sb, sandbox))
			return e;
	}
	return NULL;
}

static const char *iface_mac(json_object *iface)
{
	json_object *v;

	return json_object_object_get_ex(iface, "mac", &v) && json_object_is_type(v, json_type_string) ?
		       json_object_get_string(v) : NULL;
}

/* Compare a MAC in the result (text) with the kernel's; true when they are the same address. */
static bool mac_equal(const char *text, const uint8_t mac[6])
{
	uint8_t parsed[6];

	return text && vmtap_mac_parse(text, strlen(text), parsed) == 0 && !memcmp(parsed, mac, 6);
}

static void check_record(struct cni_request *req, const struct vmtap_endpoint *ep, struct diffs *d)
{
	const char *dev = vmtap_endpoint_device(ep), *ns = vmtap_endpoint_netns(ep);

	if (vmtap_endpoint_state(ep) != VMTAP_EP_READY)
		differ(d, "endpoint %s is %s, not ready", req->att.id, vmtap_endpoint_state_name(vmtap_endpoint_state(ep)));
	if (vmtap_endpoint_connection(ep) != cni_want_connection(req))
		differ(d, "endpoint %s is not in %s mode as configured", req->att.id, cni_mode_name(req->cfg.mode));
	if (!dev || strcmp(dev, req->env.ifname))
		differ(d, "endpoint %s is connected to %s, not to CNI_IFNAME %s", req->att.id, dev ? dev : "nothing",
		       req->env.ifname);
	if (!same_path(ns, req->env.netns))
		differ(d, "endpoint %s is in %.200s, not in CNI_NETNS", req->att.id, ns ? ns : "the runtime's namespace");
	if (vmtap_endpoint_queues(ep) != cni_want_queues(req))
		differ(d, "endpoint %s has %u queues, the configuration asks for %u", req->att.id,
		       vmtap_endpoint_queues(ep), cni_want_queues(req));
	if (vmtap_endpoint_vnet_hdr(ep) != req->cfg.vnet_hdr)
		differ(d, "endpoint %s has the vnet header %s, the configuration says %s", req->att.id,
		       vmtap_endpoint_vnet_hdr(ep) ? "on" : "off", req->cfg.vnet_hdr ? "on" : "off");
}

/* The tag vmtap writes into its devices' alias: "vmtap:<id>@<state identity>" (or "vmtap:<id>" from older vmtap). */
static bool tagged(const char *alias, const char *id)
{
	size_t p = strlen(VMTAP_TAG_PREFIX), n = strlen(id);

	return !strncmp(alias, VMTAP_TAG_PREFIX, p) && !strncmp(alias + p, id, n) &&
	       (alias[p + n] == '@' || alias[p + n] == '\0');
}

static void check_device(struct cni_request *req, const struct vmtap_endpoint *ep, const struct vmtap_link_info *li,
			 struct diffs *d)
{
	const char *name = vmtap_endpoint_ifname(ep);
	uint32_t want_mtu = req->cfg.mtu ? req->cfg.mtu : vmtap_endpoint_mtu(ep);

	if (req->cfg.mode == CNI_MODE_MACVTAP ? strcmp(li->kind, "macvtap") != 0 : !li->is_tun)
		differ(d, "%s is a %s device, not a %s", name, li->kind[0] ? li->kind : "plain",
		       req->cfg.mode == CNI_MODE_MACVTAP ? "macvtap" : "TAP");
	if (!tagged(li->alias, req->att.id))
		differ(d, "%s does not carry endpoint %s's tag", name, req->att.id);
	if (!(li->flags & IFF_UP))
		differ(d, "%s is down", name);
	if (li->is_tun) {
		if (li->tun_multi_queue != (vmtap_endpoint_queues(ep) > 1))
			differ(d, "%s is %smulti-queue, the endpoint has %u queues", name, li->tun_multi_queue ? "" : "not ",
			       vmtap_endpoint_queues(ep));
		if (li->tun_vnet_hdr != vmtap_endpoint_vnet_hdr(ep))
			differ(d, "%s has the vnet header %s, the endpoint %s", name, li->tun_vnet_hdr ? "on" : "off",
			       vmtap_endpoint_vnet_hdr(ep) ? "on" : "off");
	}
	if (want_mtu && li->mtu != want_mtu)
		differ(d, "%s has MTU %u, not %u", name, li->mtu, want_mtu);
	else if (!want_mtu && req->att.link.mtu != li->mtu)
		differ(d, "%s has MTU %u, CNI_IFNAME %s has %u", name, li->mtu, req->env.ifname, req->att.link.mtu);
}

static void check_result(struct cni_request *req, const struct vmtap_endpoint *ep, const struct vmtap_link_info *li,
			 struct diffs *d)
{
	json_object *prev = req->cfg.prev_result, *tap, *vm, *v;
	const char *name = vmtap_endpoint_ifname(ep);
	uint8_t guest[6];

	tap = result_iface(prev, name, req->env.netns, true);
	if (!tap) {
		differ(d, "the result has no interface %s in CNI_NETNS", name);
	} else {
		if (!mac_equal(iface_mac(tap), li->mac))
			differ(d, "the result says %s has MAC %s, it has another", name, iface_mac(tap) ? iface_mac(tap) : "none");
		if (json_object_object_get_ex(tap, "mtu", &v) && json_object_get_int64(v) != (int64_t)li->mtu)
			differ(d, "the result says %s has MTU %lld, it has %u", name, (long long)json_object_get_int64(v),
			       li->mtu);
	}
	vm = result_iface(prev, name, req->env.containerid, false);
	vmtap_endpoint_guest_mac(ep, guest);
	if (!vm)
		differ(d, "the result has no VM interface %s in sandbox %s", name, req->env.containerid);
	else if (!mac_equal(iface_mac(vm), guest))
		differ(d, "the result's VM interface has MAC %s, the guest's is another",
		       iface_mac(vm) ? iface_mac(vm) : "none");
	/* macvtap: CNI_IFNAME's MAC changed at ADD and the result said so */
	if (req->cfg.mode == CNI_MODE_MACVTAP && req->att.iface.mac && !mac_equal(req->att.iface.mac, req->att.link.mac))
		differ(d, "the result says %s has MAC %s, it has another", req->env.ifname, req->att.iface.mac);
}

/*
 * The connection between the device and CNI_IFNAME.  The library's
 * public API says which connection and device an endpoint has; the tc
 * filters behind a redirect are read through the library's tc module,
 * which knows the cookie vmtap tags them with: one filter each way, on
 * CNI_IFNAME towards the TAP and on the TAP towards CNI_IFNAME.
 */
static void check_wiring(struct cni_request *req, const struct vmtap_endpoint *ep, const struct vmtap_link_info *li,
			 struct diffs *d);

int cni_cmd_check(struct cni_request *req, struct cni_error *err)
{
	_cleanup_(vmtap_endpoint_freep) struct vmtap_endpoint *ep = NULL;
	VMTAP_OPTS(vmtap_link_info, li);
	struct diffs d = { .len = 0 };
	int r;

	r = cni_attachment_prepare(req, err);
	if (r)
		return r;
	r = cni_endpoint_find(req, &ep, err);
	if (r == CNI_EP_NONE)
		return cni_fail(err, CNI_ERR_CHECK, "the attachment differs from its result",
				"no vmtap endpoint %s for %s", req->att.id, req->att.label);
	if (r == CNI_EP_OTHER)
		return cni_fail(err, CNI_ERR_CHECK, "the attachment differs from its result",
				"endpoint %s belongs to %s, not to %s", req->att.id,
				vmtap_endpoint_label(ep) ? vmtap_endpoint_label(ep) : "no attachment", req->att.label);
	if (r != CNI_EP_OURS)
		return r;

	check_record(req, ep, &d);
	r = vmtap_link_get(req->ctx, req->env.netns, vmtap_endpoint_ifname(ep), &li);
	if (r == -ENODEV) {
		differ(&d, "device %s is gone from CNI_NETNS", vmtap_endpoint_ifname(ep));
	} else if (r < 0) {
		return cni_fail_lib(err, req->ctx, r, "looking the device up");
	} else {
		check_device(req, ep, &li, &d);
		check_result(req, ep, &li, &d);
		check_wiring(req, ep, &li, &d);
	}
	if (d.n)
		return cni_fail(err, CNI_ERR_CHECK, "the attachment differs from its result", "%s", d.text);
	return 0;
}

/* A vmtap redirect filter with @cookie towards @to, seen in a dump. */
struct find_redirect {
	const uint8_t *cookie;
	int to;
	bool found, foreign_cookie_to;
};

static int find_redirect_fn(const struct vt_tc_filter *f, void *data)
{
	struct find_redirect *fr = data;

	if (!vt_tc_filter_is_redirect(f) || f->mirred_ifindex != (uint32_t)fr->to)
		return 0;
	if (vt_tc_filter_has_cookie(f, fr->cookie))
		fr->found = true;
	else
		fr->foreign_cookie_to = true;
	return 0;
}

/* Whether @from's ingress redirects to @to with vmtap's filter of this endpoint. */
static int has_redirect(struct cni_request *req, struct vt_nl *nl, int from, int to, const uint8_t *cookie,
			struct find_redirect *ret)
{
	*ret = (struct find_redirect){ .cookie = cookie, .to = to };
	return vt_tc_filter_dump(req->ctx, nl, from, 0, find_redirect_fn, ret);
}

static void check_wiring(struct cni_request *req, const struct vmtap_endpoint *ep, const struct vmtap_link_info *li,
			 struct diffs *d)
{
	char state_id[VT_STATE_ID_LEN + 1];
	uint8_t cookie[VT_TC_COOKIE_LEN];
	_cleanup_close_ int dirfd = -1;
	struct find_redirect fr;
	struct vt_nl *nl;
	const char *name = vmtap_endpoint_ifname(ep);

	if (req->cfg.mode == CNI_MODE_MACVTAP)
		return; /* the macvtap's parent is not in struct vmtap_link_info; its kind and tag were checked */
	if (vt_state_open(req->ctx, false, &dirfd) < 0 || vt_state_identity_get(req->ctx, dirfd, state_id) < 0 ||
	    vt_tc_cookie_make(cookie, state_id, req->att.id) < 0) {
		differ(d, "the state directory's identity cannot be read to recognise vmtap's filters: %s",
		       vmtap_ctx_error(req->ctx));
		return;
	}
	if (vt_nl_get(req->ctx, req->env.netns, &nl) < 0) {
		differ(d, "the filters cannot be read: %s", vmtap_ctx_error(req->ctx));
		return;
	}
	if (has_redirect(req, nl, req->att.link.ifindex, li->ifindex, cookie, &fr) < 0)
		differ(d, "the filters of %s cannot be read: %s", req->env.ifname, vmtap_ctx_error(req->ctx));
	else if (!fr.found)
		differ(d, "%s has no vmtap filter redirecting its traffic to %s%s", req->env.ifname, name,
		       fr.foreign_cookie_to ? " (only someone else's)" : "");
	if (has_redirect(req, nl, li->ifindex, req->att.link.ifindex, cookie, &fr) < 0)
		differ(d, "the filters of %s cannot be read: %s", name, vmtap_ctx_error(req->ctx));
	else if (!fr.found)
		differ(d, "%s has no vmtap filter redirecting its traffic to %s%s", name, req->env.ifname,
		       fr.foreign_cookie_to ? " (only someone else's)" : "");
}

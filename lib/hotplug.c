/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Hot-plug and hot-unplug of endpoints into a running QEMU over QMP, each a transaction. */
/*
 * Owns: vmtap_hotplug() and vmtap_unplug(), composing endpoint and qmp
 * under the endpoint's plug lock.
 * Must not: leave copies of the TAP's fds open once QEMU holds them, talk
 * to a QEMU other than the one the record names, or destroy an endpoint
 * QEMU may still hold.
 */
/**
 * DOC: Theory of Operation
 *
 * Plugging is a sequence QEMU can refuse at any step:
 *
 *   [create the endpoint] -> open its queues (+ vhost) -> getfd each fd
 *     -> netdev_add (the fds by name, booleans as JSON booleans)
 *     -> device_add (mq, vectors = 2N+2) -> close our copies -> record
 *
 * On a failure the steps done are undone in reverse, in an undo scope (the
 * caller sees the step that failed first): device_del if QEMU may have added
 * the device, netdev_del to release the fds QEMU took, closefd for those it
 * did not, our copies closed, and an endpoint made for this plug destroyed.
 * Our copies are always closed, so the TAP's only holder afterwards is QEMU.
 *
 * Unplugging needs the guest: device_del only asks it to release the
 * device.  QEMU reports DEVICE_DELETED for the backend path first and then
 * for the device id; only the latter means the device is gone, and only then
 * may netdev_del run.  If the guest does not answer in time, the netdev
 * stays and the record still names the device, so a later unplug finishes.
 *
 * Time is bounded as a whole, by one deadline: a plug, undoing a failed
 * one included, takes at most its timeout; an unplug, guest included, at
 * most its timeout.  An undo that finds the deadline passed does not talk
 * to QEMU any more and says what it left there.  Once QEMU let one exchange time out it is not asked anything
 * more: the undo then says what it left in QEMU instead of waiting for it
 * step after step.
 *
 * The record names the QEMU that holds the device by pid and start time, so
 * it is never mistaken for a later process with the same pid: an unplug only
 * talks to that process (the QMP socket's peer), and a record whose QEMU has
 * exited (after `vmtap exec`, say) no longer keeps the endpoint "plugged".
 */
#include <stdio.h>

#include "endpoint.h"
#include "qmp.h"
#include "tap.h"
#include "validate.h"

#define VT_UNPLUG_TIMEOUT_DEFAULT 30000
#define VT_HOTPLUG_TIMEOUT_DEFAULT 10000

/* The only events a plug or unplug waits for: others are not kept. */
static const char *const plug_events[] = { "DEVICE_DELETED", NULL };

DEFINE_TRIVIAL_CLEANUP_FUNC(struct vmtap_endpoint *, vmtap_endpoint_free)
DEFINE_TRIVIAL_CLEANUP_FUNC(struct vmtap_qmp *, vmtap_qmp_free)

/* What one plug has handed to QEMU so far. */
struct plug {
	char device[128], netdev[136];
	char (*names)[160];  /* the getfd name of each fd */
	unsigned int passed; /* fds QEMU may have taken with getfd */
	int *fds;            /* queues then vhost fds, ours until closed */
	unsigned int nfds, queues;
	bool vhost;
	/* what QEMU may hold: a step that timed out or lost the connection may have happened */
	bool netdev_added, netdev_ok, device_added;
};

static void plug_close_fds(struct plug *p)
{
	for (unsigned int i = 0; i < p->nfds; i++)
		closep(&p->fds[i]);
}

static void plug_done(struct plug *p)
{
	if (p->fds)
		plug_close_fds(p);
	free(p->fds);
	free(p->names);
}

static json_object *str(const char *s)
{
	return json_object_new_string(s);
}

/* "name:name:...", the fds' getfd names from @first on, for netdev_add. */
static json_object *names_joined(const struct plug *p, unsigned int first, unsigned int n)
{
	struct vt_strbuf b = { 0 };
	_cleanup_free_ char *text = NULL;

	for (unsigned int i = 0; i < n; i++)
		vt_strbuf_printf(&b, "%s%s", i ? ":" : "", p->names[first + i]);
	text = vt_strbuf_take(&b);
	return text ? str(text) : NULL;
}

/* Find the PCI address QEMU gave @qdev_id in a query-pci reply. */
static bool find_pci(json_object *devices, int bus, const char *qdev_id, char *out, size_t size)
{
	size_t n = json_object_is_type(devices, json_type_array) ? json_object_array_length(devices) : 0;

	for (size_t i = 0; i < n; i++) {
		json_object *d = json_object_array_get_idx(devices, i), *v, *bridge, *sub;
		const char *id = NULL;

		if (json_object_object_get_ex(d, "qdev_id", &v) && json_object_is_type(v, json_type_string))
			id = json_object_get_string(v);
		if (id && !strcmp(id, qdev_id)) {
			json_object *slot = NULL, *fn = NULL, *b = NULL;
			json_object_object_get_ex(d, "slot", &slot);
			json_object_object_get_ex(d, "function", &fn);
			json_object_object_get_ex(d, "bus", &b);
			snprintf(out, size, "0000:%02x:%02x.%x", b ? json_object_get_int(b) : bus,
				 slot ? json_object_get_int(slot) : 0, fn ? json_object_get_int(fn) : 0);
			return true;
		}
		if (json_object_object_get_ex(d, "pci_bridge", &bridge) &&
		    json_object_object_get_ex(bridge, "devices", &sub)) {
			json_object *bus_info, *secondary;
			int sbus = bus;
			if (json_object_object_get_ex(bridge, "bus", &bus_info) &&
			    json_object_object_get_ex(bus_info, "secondary", &secondary))
				sbus = json_object_get_int(secondary);
			if (find_pci(sub, sbus, qdev_id, out, size))
				return true;
		}
	}
	return false;
}

/* The PCI address QEMU gave @device, "" when it cannot tell: it is only a hint in the record. */
static void query_pci_addr(struct vmtap_qmp *q, const char *device, char *out, size_t size)
{
	json_object *ret = NULL;

	out[0] = '\0';
	/* asked quietly: an answer missing is no failure of the plug */
	if (vt_qmp_call(NULL, q, "query-pci", NULL, -1, &ret) < 0)
		return;
	for (size_t i = 0; json_object_is_type(ret, json_type_array) && i < json_object_array_length(ret); i++) {
		json_object *bus = json_object_array_get_idx(ret, i), *devices, *nr;
		int busnr = json_object_object_get_ex(bus, "bus", &nr) ? json_object_get_int(nr) : 0;
		if (json_object_object_get_ex(bus, "devices", &devices) && find_pci(devices, busnr, device, out, size))
			break;
	}
	json_object_put(ret);
	/* numbers from QEMU: only a well-formed address is recorded */
	if (!vt_pci_addr_ok(out))
		out[0] = '\0';
}

/* Optional values: absent is fine. */
static bool plain_ok(const char *v)
{
	return !v || vt_qemu_value_ok(v);
}

/* What a failed plug leaves in a QEMU that stopped answering, for the error log. */
static void leftovers(const struct plug *p, char *out, size_t size)
{
	struct vt_strbuf b = { .max = size };
	_cleanup_free_ char *text = NULL;

	if (p->device_added)
		vt_strbuf_printf(&b, "device %s, ", p->device);
	if (p->netdev_added)
		vt_strbuf_printf(&b, "netdev %s, ", p->netdev);
	for (unsigned int i = 0; !p->netdev_ok && i < p->passed; i++)
		vt_strbuf_printf(&b, "fd %s, ", p->names[i]);
	text = vt_strbuf_take(&b);
	snprintf(out, size, "%.*s", text && strlen(text) >= 2 ? (int)strlen(text) - 2 : 0, text ? text : "");
}

/*
 * A recorded hypervisor side whose QEMU is gone (exited, or its pid now
 * another process) only names ids of a dead process: clear it.  Returns 1
 * when a live QEMU holds the endpoint, 0 when none does.
 */
static int hypervisor_holds(struct vmtap_ctx *ctx, const char *id, const struct vmtap_endpoint *ep)
{
	struct vmtap_hypervisor_info hv = { .sz = sizeof(hv) };
	int r;

	if (vmtap_endpoint_hypervisor(ep, &hv) < 0 || !hv.device_id)
		return 0;
	r = vt_endpoint_hypervisor_alive(ep);
	if (r != 0)
		return 1; /* alive, or cannot tell: never take a live VM's device */
	vt_log(ctx, VMTAP_LOG_INFO, "%s: the recorded QEMU (pid %d, device %s) has exited: clearing its record", id,
	       hv.pid, hv.device_id);
	r = vmtap_endpoint_set_hypervisor(ctx, id, NULL);
	return r < 0 ? r : 0;
}

/* Open the endpoint's queues (and vhost-net fds) into @p. */
static int plug_open(struct vmtap_ctx *ctx, const char *id, struct plug *p)
{
	_cleanup_(vmtap_tap_freep) struct vmtap_tap *tap = NULL;
	int r;

	if ((r = vt_fault(ctx, "open queues")) < 0 || (r = vmtap_endpoint_open(ctx, id, &tap)) < 0)
		return r;
	p->queues = vmtap_tap_queues(tap);
	p->fds = malloc(sizeof(int) * p->queues * 2);
	p->names = calloc(p->queues * 2, sizeof(*p->names));
	if (!p->fds || !p->names)
		return vt_fail(ctx, -ENOMEM, "hotplug", NULL);
	if ((r = vmtap_tap_steal_fds(tap, p->fds, p->queues)) < 0)
		return vt_fail(ctx, r, "open queues", NULL);
	p->nfds = p->queues;
	if (p->vhost) {
		r = vmtap_vhost_open(ctx, p->queues, p->fds + p->queues);
		if (r < 0) {
			vt_log(ctx, VMTAP_LOG_WARNING, "vhost-net is unavailable (%s): %s uses vhost=off",
			       vmtap_ctx_error(ctx), p->device);
			p->vhost = false;
		} else {
			p->nfds = 2 * p->queues;
		}
	}
	return 0;
}

/* getfd, netdev_add, device_add: what QEMU may hold is noted in @p as it goes. */
static int plug_into_qemu(struct vmtap_ctx *ctx, struct vmtap_qmp *q, const struct vmtap_hotplug_opts *o,
			  const struct vmtap_endpoint *ep, struct plug *p)
{
	const char *model = o->model ? o->model : "virtio-net-pci";
	char macs[VMTAP_MAC_STRLEN];
	json_object *args;
	uint8_t mac[6];
	int r;

	/* getfd: one fd per command, each under a name unique to this plug */
	for (unsigned int i = 0; i < p->nfds; i++) {
		if ((r = vt_fault(ctx, "getfd")) < 0)
			return r;
		snprintf(p->names[i], sizeof(p->names[i]), "vmtap-%d-%s-%c%u", (int)getpid(), p->device,
			 i < p->queues ? 'q' : 'v', i % p->queues);
		args = json_object_new_object();
		json_object_object_add(args, "fdname", str(p->names[i]));
		r = vt_qmp_call(ctx, q, "getfd", args, p->fds[i], NULL);
		if (r != -EREMOTEIO)
			p->passed++; /* refused is the only answer that says QEMU did not take it */
		if (r < 0)
			return r;
	}

	args = json_object_new_object();
	json_object_object_add(args, "type", str("tap"));
	json_object_object_add(args, "id", str(p->netdev));
	json_object_object_add(args, p->queues > 1 ? "fds" : "fd", names_joined(p, 0, p->queues));
	json_object_object_add(args, "vhost", json_object_new_boolean(p->vhost));
	if (p->vhost)
		json_object_object_add(args, p->queues > 1 ? "vhostfds" : "vhostfd", names_joined(p, p->queues, p->queues));
	if ((r = vt_fault(ctx, "netdev_add")) < 0) {
		json_object_put(args);
		return r;
	}
	r = vt_qmp_call(ctx, q, "netdev_add", args, -1, NULL);
	p->netdev_added = r != -EREMOTEIO;
	p->netdev_ok = r == 0; /* it consumed the fd names */
	if (r < 0)
		return r;

	vmtap_endpoint_guest_mac(ep, mac);
	args = json_object_new_object();
	json_object_object_add(args, "driver", str(model));
	json_object_object_add(args, "id", str(p->device));
	json_object_object_add(args, "netdev", str(p->netdev));
	json_object_object_add(args, "mac", str(vmtap_mac_format(mac, macs)));
	if (p->queues > 1) {
		/* JSON booleans and numbers: QEMU's QMP rejects "on" and "10" for these */
		json_object_object_add(args, "mq", json_object_new_boolean(true));
		if (strstr(model, "-pci"))
			json_object_object_add(args, "vectors", json_object_new_int((int)(2 * p->queues + 2)));
	}
	if (vmtap_endpoint_mtu(ep) && vmtap_endpoint_mtu(ep) != 1500)
		json_object_object_add(args, "host_mtu", json_object_new_int((int)vmtap_endpoint_mtu(ep)));
	if (o->bus)
		json_object_object_add(args, "bus", str(o->bus));
	if (o->addr)
		json_object_object_add(args, "addr", str(o->addr));
	if ((r = vt_fault(ctx, "device_add")) < 0) {
		json_object_put(args);
		return r;
	}
	r = vt_qmp_call(ctx, q, "device_add", args, -1, NULL);
	p->device_added = r != -EREMOTEIO;
	return r;
}

/*
 * Take back what QEMU may hold of a failed plug, within what is left of the
 * plug's own @deadline, and say what could not be taken back.  Runs in an
 * undo scope.
 */
static void plug_undo(struct vmtap_ctx *ctx, struct vmtap_qmp *q, struct plug *p, long deadline)
{
	VT_UNDO_SCOPE(ctx);
	long left_ms = deadline - vt_qmp_now_ms();
	int timeout = left_ms > 0 ? (int)left_ms : 0;
	char left[1024];

	vt_qmp_set_deadline(q, deadline);
	if (p->device_added && !vt_qmp_dead(q)) {
		/* the guest must let go before the netdev can go */
		json_object *a = json_object_new_object();
		json_object_object_add(a, "id", str(p->device));
		if (vt_qmp_call(ctx, q, "device_del", a, -1, NULL) == 0 &&
		    vmtap_qmp_wait_event(ctx, q, "DEVICE_DELETED", p->device, timeout, NULL) == 0)
			p->device_added = false;
	}
	if (p->netdev_added && !p->device_added && !vt_qmp_dead(q)) {
		json_object *a = json_object_new_object();
		json_object_object_add(a, "id", str(p->netdev));
		if (vt_qmp_call(ctx, q, "netdev_del", a, -1, NULL) == 0)
			p->netdev_added = false;
	}
	if (!p->netdev_ok) {
		/* names netdev_add did not consume: QEMU would keep the fds open; unknown names just fail */
		unsigned int closed = 0;
		for (; closed < p->passed && !vt_qmp_dead(q); closed++) {
			json_object *a = json_object_new_object();
			json_object_object_add(a, "fdname", str(p->names[closed]));
			(void)vt_qmp_call(ctx, q, "closefd", a, -1, NULL);
		}
		if (closed == p->passed)
			p->passed = 0;
	}
	leftovers(p, left, sizeof(left));
	if (left[0])
		vt_log(ctx, VMTAP_LOG_ERR, "undo: QEMU %s; left in it: %s",
		       vt_qmp_dead(q) ? "stopped answering" : "did not let go of everything", left);
}

/*
 * Copy and check the caller's hot-plug options for endpoint @id into @o, with
 * the QEMU ids they give in @device and @netdev: nothing here touches the
 * system, so vmtap_hotplug() runs it before it opens the state directory.
 */
static int hotplug_opts_check(struct vmtap_ctx *ctx, const char *id, const struct vmtap_hotplug_opts *user_opts,
			      struct vmtap_hotplug_opts *ret_o, char device[static 128], char netdev[static 136])
{
	struct vmtap_hotplug_opts o;

	if (!user_opts || !VT_OPTS_COPY(o, user_opts, vmtap_hotplug_opts))
		return vt_fail(ctx, -EINVAL, "validate", "bad hot-plug options struct");
	if (!o.qmp_path)
		return vt_fail(ctx, -EINVAL, "validate", "no QMP socket");
	snprintf(device, 128, "%s%s", o.device_id ? "" : "vmtap-", o.device_id ? o.device_id : id);
	if (o.netdev_id)
		snprintf(netdev, 136, "%s", o.netdev_id);
	else
		snprintf(netdev, 136, "host%s", device);
	if (!vt_qemu_id_ok(device) || !vt_qemu_id_ok(netdev))
		return vt_fail(ctx, -EINVAL, "validate", "QEMU ids must start with a letter and hold letters, digits, '-', '.', '_'");
	if (!plain_ok(o.model) || !plain_ok(o.bus) || !plain_ok(o.addr))
		return vt_fail(ctx, -EINVAL, "validate", "model, bus and addr must be plain values");
	if (o.vhost != VMTAP_VHOST_DEFAULT && o.vhost != VMTAP_VHOST_OFF && o.vhost != VMTAP_VHOST_ON)
		return vt_fail(ctx, -EINVAL, "validate", "unknown vhost choice %d", (int)o.vhost);
	if (o.timeout_ms < 0)
		return vt_fail(ctx, -EINVAL, "validate", "negative timeout");
	*ret_o = o;
	return 0;
}

/* Copy and check the caller's unplug options into @ret_o; like hotplug_opts_check(), touches nothing. */
static int unplug_opts_check(struct vmtap_ctx *ctx, const struct vmtap_unplug_opts *user_opts,
			     struct vmtap_unplug_opts *ret_o)
{
	struct vmtap_unplug_opts o;

	if (!user_opts || !VT_OPTS_COPY(o, user_opts, vmtap_unplug_opts) || !o.qmp_path)
		return vt_fail(ctx, -EINVAL, "validate", "bad unplug options or no QMP socket");
	if (o.timeout_ms < 0)
		return vt_fail(ctx, -EINVAL, "validate", "negative timeout");
	*ret_o = o;
	return 0;
}

static int hotplug_locked(struct vmtap_ctx *ctx, const char *id, const struct vmtap_hotplug_opts *user_opts)
{
	_cleanup_(vmtap_qmp_freep) struct vmtap_qmp *q = NULL;
	_cleanup_(vmtap_endpoint_freep) struct vmtap_endpoint *ep = NULL;
	_cleanup_(plug_done) struct plug p = { 0 };
	struct vmtap_hotplug_opts o;
	bool created = false;
	char pci[32];
	long deadline;
	int timeout, r;

	r = vt_id_check(ctx, id);
	if (r < 0)
		return r;
	r = hotplug_opts_check(ctx, id, user_opts, &o, p.device, p.netdev);
	if (r < 0)
		return r;
	timeout = o.timeout_ms ? o.timeout_ms : VT_HOTPLUG_TIMEOUT_DEFAULT;
	deadline = vt_qmp_now_ms() + timeout;

	/* QMP first: a QEMU we cannot reach must not cost an endpoint; the whole plug ends by one deadline */
	r = vt_qmp_connect(ctx, o.qmp_path, timeout, deadline, &q);
	if (r < 0)
		return r;
	vt_qmp_keep_events(q, plug_events);
	if (vmtap_qmp_peer_pid(q) <= 0)
		return vt_fail(ctx, -ESRCH, "hotplug", "%s: cannot tell which process answers (no peer credentials)",
			       o.qmp_path);

	r = vmtap_endpoint_load(ctx, id, &ep);
	if (r == -ENOENT) {
		VMTAP_OPTS(vmtap_endpoint_spec, dflt);
		if ((r = vmtap_endpoint_create(ctx, id, o.spec ? o.spec : &dflt, &ep)) < 0)
			return r;
		created = true;
	} else if (r < 0) {
		return r;
	} else if ((r = hypervisor_holds(ctx, id, ep)) != 0) {
		struct vmtap_hypervisor_info hv = { .sz = sizeof(hv) };
		if (r < 0)
			return r;
		vmtap_endpoint_hypervisor(ep, &hv);
		return vt_fail(ctx, -EBUSY, "hotplug", "endpoint %s is plugged already as %s (QEMU pid %d); unplug it first",
			       id, hv.device_id, hv.pid);
	}
	p.vhost = o.vhost == VMTAP_VHOST_ON || (o.vhost == VMTAP_VHOST_DEFAULT && vmtap_endpoint_vhost(ep));

	if ((r = plug_open(ctx, id, &p)) == 0 && (r = plug_into_qemu(ctx, q, &o, ep, &p)) == 0) {
		plug_close_fds(&p); /* QEMU holds the queues now; our copies would keep the TAP busy */
		query_pci_addr(q, p.device, pci, sizeof(pci));
		VMTAP_OPTS(vmtap_hypervisor_info, hv, .pid = vmtap_qmp_peer_pid(q), .netdev_id = p.netdev,
			   .device_id = p.device, .pci_addr = pci[0] ? pci : NULL);
		/* without a record the device could not be found again: take it all back */
		if ((r = vt_fault(ctx, "record hypervisor")) == 0)
			r = vmtap_endpoint_set_hypervisor(ctx, id, &hv);
	}
	if (r < 0) {
		plug_undo(ctx, q, &p, deadline);
		plug_close_fds(&p);
		/* an endpoint QEMU may still hold stays; only one it certainly does not hold goes */
		if (created && !p.device_added && !p.netdev_added) {
			VT_UNDO_SCOPE(ctx);
			(void)vmtap_endpoint_destroy(ctx, id);
		}
	}
	return r;
}

/* Ask the guest to let go of @device and wait for it, within @deadline. */
static int release_device(struct vmtap_ctx *ctx, struct vmtap_qmp *q, const char *device, const char *netdev,
			  long deadline)
{
	json_object *a = json_object_new_object();
	int r;

	json_object_object_add(a, "id", str(device));
	r = vt_qmp_call(ctx, q, "device_del", a, -1, NULL);
	if (r == -EREMOTEIO && !strcmp(vmtap_qmp_error_class(q), "DeviceNotFound"))
		return 0; /* gone already: an earlier unplug got this far */
	/* "in the process of unplug": an earlier unplug asked already, so wait for the guest again */
	if (r < 0 && !(r == -EREMOTEIO && strstr(vt_qmp_error_desc(q), "in the process of unplug")))
		return r;
	r = vmtap_qmp_wait_event(ctx, q, "DEVICE_DELETED", device, (int)(deadline - vt_qmp_now_ms()), NULL);
	if (r == -ETIMEDOUT)
		return vt_fail(ctx, -ETIMEDOUT, "unplug",
			       "the guest did not release %s in time; QEMU's netdev %s is left in place, run unplug "
			       "again to finish", device, netdev);
	return r;
}

static int unplug_locked(struct vmtap_ctx *ctx, const char *id, const struct vmtap_unplug_opts *user_opts)
{
	_cleanup_(vmtap_qmp_freep) struct vmtap_qmp *q = NULL;
	_cleanup_(vmtap_endpoint_freep) struct vmtap_endpoint *ep = NULL;
	struct vmtap_hypervisor_info hv = { .sz = sizeof(hv) };
	struct vmtap_unplug_opts o;
	char device[128], netdev[136];
	long deadline;
	int alive, timeout, r;

	r = vt_id_check(ctx, id);
	if (r < 0)
		return r;
	r = unplug_opts_check(ctx, user_opts, &o);
	if (r < 0)
		return r;
	timeout = o.timeout_ms ? o.timeout_ms : VT_UNPLUG_TIMEOUT_DEFAULT;
	deadline = vt_qmp_now_ms() + timeout;
	r = vmtap_endpoint_load(ctx, id, &ep);
	if (r < 0)
		return r;
	if (vmtap_endpoint_hypervisor(ep, &hv) < 0 || !hv.device_id)
		return vt_fail(ctx, -ENODEV, "unplug",
			       "endpoint %s is not plugged into a QEMU (its record names none); 'vmtap endpoint destroy %s' "
			       "removes it", id, id);
	snprintf(device, sizeof(device), "%s", hv.device_id);
	snprintf(netdev, sizeof(netdev), "%s", hv.netdev_id ? hv.netdev_id : "");
	alive = vt_endpoint_hypervisor_alive(ep);
	if (alive < 0)
		return vt_fail(ctx, alive, "unplug", "cannot tell whether QEMU pid %d still runs", hv.pid);
	if (alive) {
		r = vt_qmp_connect(ctx, o.qmp_path, timeout, deadline, &q);
		if (r < 0)
			return r;
		vt_qmp_keep_events(q, plug_events);
		/* "not found" means done only when the QEMU that has the device says it */
		if (vmtap_qmp_peer_pid(q) != hv.pid)
			return vt_fail(ctx, -EINVAL, "validate",
				       "%s is the QMP socket of process %d, but endpoint %s is plugged into QEMU pid %d: refusing",
				       o.qmp_path, vmtap_qmp_peer_pid(q), id, hv.pid);
		r = release_device(ctx, q, device, netdev, deadline);
		if (r < 0)
			return r;
		if (netdev[0]) {
			json_object *a = json_object_new_object();
			json_object_object_add(a, "id", str(netdev));
			r = vt_qmp_call(ctx, q, "netdev_del", a, -1, NULL);
			if (r < 0 && !(r == -EREMOTEIO && strstr(vt_qmp_error_desc(q), "not found")))
				return r; /* "not found": an earlier unplug removed it */
		}
	} else {
		/* its QEMU exited, taking the device and the netdev with it: only the record is left to clear */
		vt_log(ctx, VMTAP_LOG_INFO, "%s: the recorded QEMU (pid %d) has exited: %s is gone with it", id, hv.pid,
		       device);
	}
	r = vmtap_endpoint_set_hypervisor(ctx, id, NULL);
	if (r == 0 && !o.keep)
		r = vmtap_endpoint_destroy(ctx, id);
	return r;
}

/*
 * Between "is it plugged?" and recording the device, a plug talks to QEMU for
 * a while without the endpoint lock (which every endpoint call takes for a
 * moment).  The plug lock covers that whole time, so a second hot-plug of a
 * multi-queue endpoint cannot attach more queues of the same TAP to another
 * device, nor an unplug run in the middle of a plug.
 */
static int with_plug_lock(struct vmtap_ctx *ctx, const char *id, bool may_create,
			  int (*fn)(struct vmtap_ctx *, const char *, const void *), const void *opts)
{
	_cleanup_close_ int dirfd = -1;
	_cleanup_lock_ struct vt_lock lock = VT_LOCK_NONE;
	int r;

	vt_clear_error(ctx);
	if ((r = vt_id_check(ctx, id)) < 0)
		return r;
	/* only a hot-plug may create an endpoint, and with it the state directory */
	r = vt_state_open(ctx, may_create, &dirfd);
	if (r == -ENOENT && !may_create)
		return vt_fail(ctx, -ENOENT, "load endpoint", "no endpoint %s", id);
	if (r < 0 || (r = vt_state_plug_lock(ctx, dirfd, id, false, &lock)) < 0)
		return r;
	return fn(ctx, id, opts);
}

static int hotplug_fn(struct vmtap_ctx *ctx, const char *id, const void *opts)
{
	return hotplug_locked(ctx, id, opts);
}

static int unplug_fn(struct vmtap_ctx *ctx, const char *id, const void *opts)
{
	return unplug_locked(ctx, id, opts);
}

VT_EXPORT int vmtap_hotplug(struct vmtap_ctx *ctx, const char *id, const struct vmtap_hotplug_opts *opts)
{
	struct vmtap_hotplug_opts o;
	char device[128], netdev[136];
	int r;

	/* bad options are refused before the state directory is opened, let alone created */
	vt_clear_error(ctx);
	if ((r = vt_id_check(ctx, id)) < 0 || (r = hotplug_opts_check(ctx, id, opts, &o, device, netdev)) < 0)
		return r;
	return with_plug_lock(ctx, id, true, hotplug_fn, opts);
}

VT_EXPORT int vmtap_unplug(struct vmtap_ctx *ctx, const char *id, const struct vmtap_unplug_opts *opts)
{
	struct vmtap_unplug_opts o;
	int r;

	/* bad options are refused before the state directory or its plug lock is touched */
	vt_clear_error(ctx);
	if ((r = vt_id_check(ctx, id)) < 0 || (r = unplug_opts_check(ctx, opts, &o)) < 0)
		return r;
	return with_plug_lock(ctx, id, false, unplug_fn, opts);
}

/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vmtap exec: open each NIC's queues, place the fds, add -netdev/-device, and become QEMU. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <linux/capability.h>

#include "cli.h"
#include "commands.h"
#include "nic_spec.h"
#include "reaper.h"

/* meson's libexecdir, where vmtap-bridge-helper is installed (meson.build) */
#ifndef VMTAP_BRIDGE_HELPER_PATH
#error "VMTAP_BRIDGE_HELPER_PATH: the bridge helper's installed path, defined by meson"
#endif

static const char exec_help[] =
	"Usage: vmtap exec [--nic SPEC]... -- QEMU_COMMAND [ARGS]...\n"
	"\n"
	"Open each NIC's TAP queues (and vhost-net fds when asked and available),\n"
	"place them at fd numbers above any inherited fd, add the matching\n"
	"-netdev tap,fds=... and -device arguments, and exec QEMU: QEMU is this\n"
	"process, so its signals and exit status reach the caller unchanged. An\n"
	"ephemeral TAP lives exactly as long as QEMU holds it. A redirect or\n"
	"macvtap NIC is an ephemeral endpoint (id exec.PID.N): a detached reaper\n"
	"destroys it when QEMU exits, and vmtap gc does if the reaper cannot.\n"
	"\n"
	"SPEC is key=value,... with:\n"
	"  id=ID           device id (default net0, net1, ...); the netdev is hostID\n"
	"  endpoint=ID     use endpoint ID's device (queues, MAC, MTU from its record)\n"
	"  queues=N        1..256 (ephemeral TAP; default 1)\n"
	"  mac=MAC         guest MAC (default: 52:54:00 + a hash of the id)\n"
	"  mtu=N           TAP MTU, also host_mtu for the guest when not 1500\n"
	"  bridge=BR       attach the ephemeral TAP to bridge BR; without\n"
	"                  CAP_NET_ADMIN the TAP comes from the bridge helper\n"
	"                  " VMTAP_BRIDGE_HELPER_PATH "\n"
	"  helper=PATH     get bridge BR's TAP from this bridge helper (QEMU's\n"
	"                  helper=), whoever runs vmtap\n"
	"  redirect=IFACE  an ephemeral endpoint cross-connected by tc with IFACE\n"
	"  tc-prio=N       its filters' priority (default 30317)\n"
	"  macvtap=PARENT  an ephemeral macvtap endpoint on PARENT\n"
	"  macvtap-mode=M  bridge (default), vepa, private or passthru\n"
	"  netns=NS        create the ephemeral TAP in namespace NS\n"
	"  ifname=NAME     ephemeral TAP name or %d pattern\n"
	"  vhost=on|off    vhost-net fds (degrades to off with a warning)\n"
	"  model=MODEL     device model (default virtio-net-pci)\n"
	"  vectors=N       MSI-X vectors (default 2*queues+2)\n"
	"  bus=BUS,addr=A  PCI placement\n"
	"\n"
	"Bad specs are refused before QEMU starts, with nothing created.\n"
	"Over a per-user limit of the bridge helper the exit status is 11.\n"
	"If QEMU cannot be executed the exit status is 127.\n";

enum exec_opt_id { O_NIC = CLI_OPT_OWN };

static const struct cli_opt exec_opts[] = { CLI_OPT_VALUE("nic", 0, O_NIC), { 0 } };

static const struct cli_nic_specs exec_defaults;

static int exec_opt(struct cli_call *call, int id, const char *arg)
{
	struct cli_nic_specs *a = call->data;
	int r;

	if (id != O_NIC)
		return 0;
	r = cli_nic_specs_add(call->name, arg, a);
	if (r == 0 && (a->specs[a->n - 1].nfds || a->specs[a->n - 1].nvhostfds))
		return cli_invalid(call->name, "--nic %s: fds and vhostfds are for 'vmtap qemu-args'", arg);
	return r;
}

static int exec_check(struct cli_call *call)
{
	if (!call->command || !call->command[0])
		return cli_usage_error(call->name, "expected -- QEMU_COMMAND [ARGS]...");
	return 0;
}

/* One NIC's queues, opened for QEMU. */
struct opened {
	struct vmtap_qemu_nic nic;
	int *fds, *vhostfds;
	unsigned int queues;
	char ephemeral[VMTAP_ID_MAX + 1]; /* the id of the endpoint made for a redirect or macvtap NIC, or "" */
	const char *helper;               /* the bridge helper its TAP comes from, or NULL: vmtap makes it */
	bool helper_chosen;               /* the helper was chosen for want of CAP_NET_ADMIN, not named */
};

/*
 * Whether this process has CAP_NET_ADMIN in its effective set, which
 * creating a TAP takes.  When that cannot be told it counts as present: the
 * kernel then answers for itself.
 */
static bool have_net_admin(void)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3, .pid = 0 };
	struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];

	memset(data, 0, sizeof(data));
	if (syscall(SYS_capget, &hdr, data) < 0)
		return true;
	return data[CAP_TO_INDEX(CAP_NET_ADMIN)].effective & CAP_TO_MASK(CAP_NET_ADMIN);
}

/*
 * Where NIC @s's TAP comes from: the bridge helper its spec names (used
 * whoever the caller is, as QEMU uses its helper=), the installed one for a
 * bridge NIC of a caller without CAP_NET_ADMIN, or none (NULL): vmtap makes
 * it.  *@ret_chosen: the helper was chosen here, not named.
 */
static const char *nic_helper(const struct nic_spec *s, bool net_admin, bool *ret_chosen)
{
	*ret_chosen = false;
	if (s->helper[0])
		return s->helper;
	if (!s->bridge[0] || net_admin)
		return NULL;
	*ret_chosen = true;
	return VMTAP_BRIDGE_HELPER_PATH;
}

/* The endpoint NIC @s uses: its own, or the ephemeral one made for it; NULL for a plain TAP. */
static const char *nic_endpoint(const struct nic_spec *s, const struct opened *o)
{
	return s->endpoint[0] ? s->endpoint : o->ephemeral[0] ? o->ephemeral : NULL;
}

/*
 * Make the ephemeral endpoint of a redirect or macvtap NIC, the @index-th:
 * id exec.<pid>.<index>, recorded as living as long as this process (QEMU,
 * after the exec).
 */
static int create_ephemeral(struct vmtap_ctx *ctx, const struct nic_spec *s, size_t index, struct opened *o)
{
	VMTAP_OPTS(vmtap_endpoint_spec, spec, .queues = s->queues, .mtu = s->mtu, .set_guest_mac = s->set_mac,
		   .netns = s->netns[0] ? s->netns : NULL, .ifname = s->ifname[0] ? s->ifname : NULL,
		   .flags = VMTAP_EP_EPHEMERAL | (s->vhost == 1 ? VMTAP_EP_VHOST : 0),
		   .label = "vmtap exec");
	int r;

	memcpy(spec.guest_mac, s->mac, 6);
	if (s->redirect[0]) {
		spec.connection = VMTAP_CONNECT_REDIRECT;
		spec.device = s->redirect;
		spec.tc_prio = s->tc_prio;
	} else {
		spec.connection = VMTAP_CONNECT_MACVTAP;
		spec.device = s->macvtap;
		spec.macvtap_mode = s->macvtap_mode >= 0 ? (enum vmtap_macvtap_mode)s->macvtap_mode : 0;
	}
	snprintf(o->ephemeral, sizeof(o->ephemeral), "exec.%d.%zu", (int)getpid(), index);
	r = vmtap_endpoint_create(ctx, o->ephemeral, &spec, NULL);
	if (r < 0)
		o->ephemeral[0] = '\0';
	return r;
}

/* Destroy the ephemeral endpoints of the first @n NICs; with @say, failures are printed. */
static void destroy_ephemeral(struct cli_call *call, struct opened *o, size_t n, bool say)
{
	for (size_t i = 0; i < n; i++)
		if (o[i].ephemeral[0] && vmtap_endpoint_destroy(call->ctx, o[i].ephemeral) < 0 && say)
			cli_print_error(call->name, vmtap_ctx_error(call->ctx));
}

/* Free what open_nic() allocated for the first @n NICs, closing their fds unless vmtap_qemu_exec() did. */
static void free_opened(struct opened *o, size_t n, bool close_fds)
{
	for (size_t i = 0; i < n; i++) {
		for (unsigned int q = 0; close_fds && q < o[i].queues; q++) {
			if (o[i].fds && o[i].fds[q] >= 0)
				close(o[i].fds[q]);
			if (o[i].vhostfds && o[i].vhostfds[q] >= 0)
				close(o[i].vhostfds[q]);
		}
		free(o[i].fds);
		free(o[i].vhostfds);
	}
}

/*
 * Get NIC @s's TAP from its bridge helper (o->helper) over a socketpair: its
 * queue fds, and vhost-net fds when @want_vhost and the helper could open
 * them as the caller.  The TAP is the helper's, tagged with this pid, which
 * QEMU keeps; it is not persistent, so it goes with QEMU.
 */
static int open_helper_nic(struct vmtap_ctx *ctx, const struct nic_spec *s, struct opened *o, bool want_vhost,
			   bool *vhost_warned)
{
	VMTAP_OPTS(vmtap_bridge_helper_opts, ho, .helper = o->helper, .bridge = s->bridge,
		   .queues = s->queues ? s->queues : 1, .flags = want_vhost ? VMTAP_BRIDGE_HELPER_VHOST : 0);
	int *fds = calloc(ho.queues, sizeof(int)), *vhostfds = calloc(ho.queues, sizeof(int));
	unsigned int nvhost = 0;
	int r;

	if (!fds || !vhostfds) {
		free(fds);
		free(vhostfds);
		return -ENOMEM;
	}
	r = vmtap_bridge_helper_run(ctx, &ho, fds, vhostfds, &nvhost, NULL);
	if (r < 0) {
		/* nothing was received, or it was all closed again */
		free(fds);
		free(vhostfds);
		return r;
	}
	if (want_vhost && nvhost < ho.queues) {
		if (!*vhost_warned)
			fprintf(stderr, "vmtap: warning: vhost-net is unavailable (the bridge helper %s sent no vhost-net fds): "
					"NICs use vhost=off\n", o->helper);
		*vhost_warned = true;
	}
	if (nvhost < ho.queues) {
		free(vhostfds);
		vhostfds = NULL;
	}
	o->queues = ho.queues;
	o->fds = fds;
	o->vhostfds = vhostfds;
	o->nic.queues = o->queues;
	o->nic.fds = o->fds;
	o->nic.vhostfds = o->vhostfds;
	return 0;
}

/* Open NIC @s, the @index-th: an endpoint's queues, a new ephemeral TAP, or one from a bridge helper. */
static int open_nic(struct vmtap_ctx *ctx, struct nic_spec *s, size_t index, struct opened *o, bool *vhost_warned)
{
	struct vmtap_tap *tap = NULL;
	struct vmtap_endpoint *ep = NULL;
	bool want_vhost = s->vhost == 1;
	int r;

	nic_spec_qemu_nic(s, index, &o->nic);
	if (o->helper)
		return open_helper_nic(ctx, s, o, want_vhost, vhost_warned);
	if ((s->redirect[0] || s->macvtap[0]) && (r = create_ephemeral(ctx, s, index, o)) < 0)
		return r;
	if (nic_endpoint(s, o)) {
		const char *id = nic_endpoint(s, o);
		/* vmtap_endpoint_open() refuses an endpoint whose queues another process holds */
		r = vmtap_endpoint_load(ctx, id, &ep);
		if (r < 0)
			return r;
		vmtap_endpoint_guest_mac(ep, o->nic.mac);
		o->nic.host_mtu = vmtap_endpoint_mtu(ep);
		if (s->vhost < 0)
			want_vhost = vmtap_endpoint_vhost(ep);
		vmtap_endpoint_free(ep);
		r = vmtap_endpoint_open(ctx, id, &tap);
	} else {
		VMTAP_OPTS(vmtap_link_set_opts, link, .mtu = s->mtu, .set_guest_mac = true,
			   .master = s->bridge[0] ? s->bridge : NULL, .state = VMTAP_LINK_UP);
		VMTAP_OPTS(vmtap_tap_opts, topts, .name = s->ifname[0] ? s->ifname : NULL, .queues = s->queues,
			   .netns = s->netns[0] ? s->netns : NULL, .link = &link);
		memcpy(link.guest_mac, o->nic.mac, 6);
		r = vmtap_tap_create(ctx, &topts, &tap);
	}
	if (r < 0)
		return r;
	o->queues = vmtap_tap_queues(tap);
	o->fds = calloc(o->queues, sizeof(int));
	if (!o->fds || vmtap_tap_steal_fds(tap, o->fds, o->queues) < 0) {
		vmtap_tap_free(tap);
		free(o->fds);
		o->fds = NULL;
		return -ENOMEM;
	}
	vmtap_tap_free(tap);
	if (want_vhost) {
		o->vhostfds = calloc(o->queues, sizeof(int));
		if (!o->vhostfds)
			return -ENOMEM;
		r = vmtap_vhost_open(ctx, o->queues, o->vhostfds);
		if (r < 0) {
			if (!*vhost_warned)
				fprintf(stderr, "vmtap: warning: vhost-net is unavailable (%s): NICs use vhost=off\n",
					vmtap_ctx_error(ctx));
			*vhost_warned = true;
			free(o->vhostfds);
			o->vhostfds = NULL;
		}
	}
	o->nic.queues = o->queues;
	o->nic.fds = o->fds;
	o->nic.vhostfds = o->vhostfds;
	return 0;
}

/*
 * Choose where each NIC's TAP comes from (opened[i].helper), and refuse a
 * NIC whose TAP the bridge helper makes but whose spec asks for what only
 * vmtap's own TAPs can be given: 0, or EXIT_INVALID after saying why.
 */
static int choose_helpers(struct cli_call *call, const struct cli_nic_specs *a, struct opened *opened)
{
	bool net_admin = have_net_admin();

	for (size_t i = 0; i < a->n; i++) {
		const struct nic_spec *s = &a->specs[i];
		const char *key;

		opened[i].helper = nic_helper(s, net_admin, &opened[i].helper_chosen);
		/* a named helper's conflicts were refused by the parser */
		if (opened[i].helper && (key = nic_spec_helper_conflict(s)))
			return cli_invalid(call->name,
					   "--nic bridge=%s,...,%s=...: without CAP_NET_ADMIN the TAP comes from the bridge "
					   "helper %s, which makes tap%%d in the caller's namespace with the bridge's MTU",
					   s->bridge, key, opened[i].helper);
	}
	return 0;
}

/* Check the NICs' QEMU arguments with placeholder fds: what can be refused without the kernel is, before anything is made. */
static int check_nics(struct vmtap_ctx *ctx, struct cli_nic_specs *a, struct opened *opened,
		      const struct vmtap_qemu_nic **nics)
{
	static const int placeholder_fds[VMTAP_MAX_QUEUES];
	char **args = NULL;
	int r;

	for (size_t i = 0; i < a->n; i++) {
		nic_spec_qemu_nic(&a->specs[i], i, &opened[i].nic);
		opened[i].nic.queues = a->specs[i].queues ? a->specs[i].queues : 1;
		opened[i].nic.fds = placeholder_fds;
		nics[i] = &opened[i].nic;
	}
	r = vmtap_qemu_args(ctx, nics, a->n, &args);
	vmtap_qemu_args_free(args);
	return r;
}

/* Clear the QEMU in the records of the user's endpoints among the first @n NICs; with @say, failures are printed. */
static void forget_hypervisor(struct cli_call *call, const struct cli_nic_specs *a, size_t n, bool say)
{
	for (size_t i = 0; i < n; i++)
		if (a->specs[i].endpoint[0] && vmtap_endpoint_set_hypervisor(call->ctx, a->specs[i].endpoint, NULL) < 0 &&
		    say)
			cli_print_error(call->name, vmtap_ctx_error(call->ctx));
}

/* Record this process, about to become QEMU, in each endpoint's record: EXIT_OK, or the exit code after saying why. */
static int record_hypervisor(struct cli_call *call, const struct cli_nic_specs *a, const struct opened *o)
{
	for (size_t i = 0; i < a->n; i++) {
		const struct nic_spec *s = &a->specs[i];
		const char *id = nic_endpoint(s, &o[i]);
		char netdev[sizeof(s->id) + 4];
		int r;

		if (!id)
			continue;
		snprintf(netdev, sizeof(netdev), "host%s", s->id);
		VMTAP_OPTS(vmtap_hypervisor_info, hv, .pid = (int)getpid(), .netdev_id = netdev, .device_id = s->id);
		r = vmtap_endpoint_set_hypervisor(call->ctx, id, &hv);
		if (r < 0) {
			r = cli_report(call->ctx, call->name, r);
			/* the records written so far must not name a QEMU that will not run */
			forget_hypervisor(call, a, i, false);
			return r;
		}
	}
	return EXIT_OK;
}

/* Hand the ephemeral endpoints of @o to a reaper that destroys them after QEMU: 0, or the exit code after saying why. */
static int start_reaper(struct cli_call *call, const struct opened *o, size_t n)
{
	char **ids = calloc(n ? n : 1, sizeof(*ids));
	size_t k = 0;
	int r;

	if (!ids)
		return EXIT_RESOURCES;
	for (size_t i = 0; i < n; i++)
		if (o[i].ephemeral[0])
			ids[k++] = (char *)o[i].ephemeral;
	r = cli_reaper_spawn(call, ids, k);
	free(ids);
	if (r < 0) {
		fprintf(stderr, "vmtap %s: start the reaper of the ephemeral endpoints: %s\n", call->name, strerror(-r));
		return r == -ENOMEM || r == -EAGAIN || r == -EMFILE ? EXIT_RESOURCES : EXIT_FAILURE_OTHER;
	}
	return 0;
}

static int exec_run(struct cli_call *call)
{
	struct cli_nic_specs *a = call->data;
	struct vmtap_ctx *ctx = call->ctx;
	struct opened *opened = calloc(a->n ? a->n : 1, sizeof(*opened));
	const struct vmtap_qemu_nic **nics = calloc(a->n ? a->n : 1, sizeof(*nics));
	bool vhost_warned = false, fds_closed = false;
	size_t done = 0;
	int r;

	if (!opened || !nics) {
		r = EXIT_FAILURE_OTHER;
		goto out;
	}
	r = check_nics(ctx, a, opened, nics);
	if (r < 0) {
		r = cli_report(ctx, call->name, r);
		goto out;
	}
	memset(opened, 0, a->n * sizeof(*opened));
	r = choose_helpers(call, a, opened);
	if (r)
		goto out;
	for (done = 0; done < a->n; done++) {
		r = open_nic(ctx, &a->specs[done], done, &opened[done], &vhost_warned);
		if (r < 0) {
			r = cli_report(ctx, call->name, r);
			if (opened[done].helper_chosen)
				fprintf(stderr, "vmtap %s: (NIC %s: without CAP_NET_ADMIN its TAP comes from the bridge "
						"helper %s, see vmtap-bridge-helper(8))\n", call->name,
					a->specs[done].id, opened[done].helper);
			done++; /* what it opened before failing is closed too */
			goto out;
		}
		nics[done] = &opened[done].nic;
	}
	/* the record says where each endpoint went; the pid stays ours through the exec */
	r = record_hypervisor(call, a, opened);
	if (r)
		goto out;
	r = start_reaper(call, opened, a->n);
	if (r) {
		forget_hypervisor(call, a, a->n, true);
		goto out;
	}
	r = vmtap_qemu_exec(ctx, call->command, nics, a->n);
	/* only on failure: the fds are closed by vmtap_qemu_exec, ephemeral TAPs are gone */
	fds_closed = true;
	if ((r == -ENOENT || r == -EACCES || r == -ENOEXEC) && !strcmp(vmtap_ctx_error_step(ctx), "exec")) {
		cli_print_error(call->name, vmtap_ctx_error(ctx));
		r = EXIT_EXEC;
	} else {
		r = cli_report(ctx, call->name, r);
	}
	/* the records must not name a QEMU that never ran */
	forget_hypervisor(call, a, a->n, true);
out:
	if (opened) {
		free_opened(opened, done, !fds_closed);
		/* QEMU never ran on them (the reaper, if started, finds them gone) */
		destroy_ephemeral(call, opened, done, true);
	}
	free(opened);
	free(nics);
	return r;
}

const struct cli_command cli_cmd_exec = {
	.name = "exec",
	.summary = "open NICs and become QEMU with them",
	.help = exec_help,
	.options = (const struct cli_opt *const[]){ exec_opts, NULL },
	.option = exec_opt,
	.command_after_dashdash = true,
	.needs_ctx = true,
	CLI_DATA(exec_defaults),
	.check = exec_check,
	.run = exec_run,
	.free_data = cli_nic_specs_free,
};

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Hand-off to QEMU at start: the -netdev/-device arguments for fds, and exec with the fds placed. */
/*
 * Owns: vmtap_qemu_args() and vmtap_qemu_exec(): QEMU's syntax for NICs on
 * fds, checked as QEMU would check it.
 * Must not: open devices or talk to QEMU (the fds come from the caller),
 * or leak the fds it was given when it fails.
 */
/**
 * DOC: Theory of Operation
 *
 * QEMU takes TAP queues it did not open as "-netdev tap,fds=A:B:..." (and
 * vhost-net fds as "vhostfds=..."), numbers it must find open in its own
 * process.  The queues are open already, at numbers no other open file has:
 * vmtap_qemu_exec() leaves them where they are, clears close-on-exec on
 * exactly those fds, writes their numbers into the arguments and execs.
 * Only a queue sitting on 0, 1 or 2 (the caller closed its stdio) is moved
 * up first, since QEMU would take it for its stdio.  So the exec needs one
 * spare fd, not a second set, and never lands on an fd someone else holds.
 * Everything else vmtap opened is close-on-exec and disappears with the
 * exec; QEMU keeps the pid, so whoever started vmtap sees QEMU's signals
 * and exit status.
 *
 * Arguments are checked the way QEMU would check them, before it starts:
 * a refusal then costs nothing and leaves nothing behind.
 */
#include <fcntl.h>
#include <stdio.h>

#include "validate.h"

struct nic_view {
	struct vmtap_qemu_nic o;
	char netdev_id[136];
};

static int nics_check(struct vmtap_ctx *ctx, const struct vmtap_qemu_nic *const *nics, size_t n,
		      struct nic_view *views)
{
	for (size_t i = 0; i < n; i++) {
		struct vmtap_qemu_nic *o = &views[i].o;
		unsigned int min_vectors;

		if (!nics[i] || !VT_OPTS_COPY(*o, nics[i], vmtap_qemu_nic))
			return vt_fail(ctx, -EINVAL, "validate", "NIC %zu: bad options struct", i);
		if (!vt_qemu_id_ok(o->id))
			return vt_fail(ctx, -EINVAL, "validate",
				       "NIC %zu: id \"%s\" must start with a letter and hold only letters, digits, '-', '.', '_'",
				       i, o->id ? o->id : "");
		if (o->netdev_id) {
			if (!vt_qemu_id_ok(o->netdev_id))
				return vt_fail(ctx, -EINVAL, "validate", "NIC %s: netdev id \"%s\" is not a valid QEMU id",
					       o->id, o->netdev_id);
			snprintf(views[i].netdev_id, sizeof(views[i].netdev_id), "%s", o->netdev_id);
		} else {
			snprintf(views[i].netdev_id, sizeof(views[i].netdev_id), "host%s", o->id);
		}
		if (o->queues < 1 || o->queues > VMTAP_MAX_QUEUES || !o->fds)
			return vt_fail(ctx, -EINVAL, "validate", "NIC %s: %u queue fds, need 1..%d", o->id, o->queues,
				       VMTAP_MAX_QUEUES);
		for (unsigned int q = 0; q < o->queues; q++)
			if (o->fds[q] < 0 || (o->vhostfds && o->vhostfds[q] < 0))
				return vt_fail(ctx, -EBADF, "validate", "NIC %s: queue %u has no fd", o->id, q);
		if (o->model && !vt_qemu_value_ok(o->model))
			return vt_fail(ctx, -EINVAL, "validate", "NIC %s: model \"%s\" is not a plain name", o->id, o->model);
		if ((o->bus && !vt_qemu_value_ok(o->bus)) || (o->addr && !vt_qemu_value_ok(o->addr)))
			return vt_fail(ctx, -EINVAL, "validate", "NIC %s: bus/addr must be plain values", o->id);
		if (!vmtap_mac_usable(o->mac)) {
			char mac[VMTAP_MAC_STRLEN];
			return vt_fail(ctx, -EINVAL, "validate", "NIC %s: MAC %s is multicast or zero", o->id,
				       vmtap_mac_format(o->mac, mac));
		}
		if (o->host_mtu && (o->host_mtu < VMTAP_MTU_MIN || o->host_mtu > VMTAP_MTU_MAX))
			return vt_fail(ctx, -EINVAL, "validate", "NIC %s: host_mtu %u is outside %d..%d", o->id,
				       o->host_mtu, VMTAP_MTU_MIN, VMTAP_MTU_MAX);
		/* virtio-net-pci needs a config vector plus one per virtqueue: 2 per queue pair, 1 for control, 1 for config */
		min_vectors = 2 * o->queues + 2;
		if (o->vectors && o->vectors < min_vectors)
			return vt_fail(ctx, -EINVAL, "validate", "NIC %s: %u vectors are too few for %u queues (need %u)",
				       o->id, o->vectors, o->queues, min_vectors);
		for (size_t j = 0; j < i; j++) {
			if (!strcmp(views[j].o.id, o->id) || !strcmp(views[j].netdev_id, views[i].netdev_id) ||
			    !strcmp(views[j].o.id, views[i].netdev_id) || !strcmp(views[j].netdev_id, o->id))
				return vt_fail(ctx, -EINVAL, "validate", "NICs %s and %s use the same id", views[j].o.id,
					       o->id);
			if (!memcmp(views[j].o.mac, o->mac, 6))
				return vt_fail(ctx, -EINVAL, "validate", "NICs %s and %s have the same MAC", views[j].o.id,
					       o->id);
		}
	}
	return 0;
}

/* A NULL-terminated argv, grown one checked append at a time. */
struct argv_builder {
	char **argv;
	size_t argc, cap;
	int err;
};

static void argv_take(struct argv_builder *a, char *arg)
{
	if (!a->err && (!arg || VT_GROW(a->argv, a->cap, a->argc + 2) < 0))
		a->err = -ENOMEM;
	if (a->err) {
		free(arg);
		return;
	}
	a->argv[a->argc++] = arg;
	a->argv[a->argc] = NULL;
}

/* "A:B:C" of @n fds. */
static void put_fds(struct vt_strbuf *b, const int *fds, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++)
		vt_strbuf_printf(b, "%s%d", i ? ":" : "", fds[i]);
}

static int build_args(const struct nic_view *views, size_t n, char ***ret_argv)
{
	struct argv_builder a = { 0 };

	for (size_t i = 0; i < n; i++) {
		const struct vmtap_qemu_nic *o = &views[i].o;
		const char *model = o->model ? o->model : "virtio-net-pci";
		char mac[VMTAP_MAC_STRLEN];
		struct vt_strbuf b = { 0 };

		vt_strbuf_printf(&b, "tap,id=%s,%s", views[i].netdev_id, o->queues > 1 ? "fds=" : "fd=");
		put_fds(&b, o->fds, o->queues);
		if (o->vhostfds) {
			vt_strbuf_printf(&b, ",vhost=on,%s", o->queues > 1 ? "vhostfds=" : "vhostfd=");
			put_fds(&b, o->vhostfds, o->queues);
		} else {
			vt_strbuf_printf(&b, ",vhost=off");
		}
		argv_take(&a, strdup("-netdev"));
		argv_take(&a, vt_strbuf_take(&b));

		vt_strbuf_printf(&b, "%s,id=%s,netdev=%s,mac=%s", model, o->id, views[i].netdev_id,
				 vmtap_mac_format(o->mac, mac));
		if (o->queues > 1) {
			vt_strbuf_printf(&b, ",mq=on");
			if (strstr(model, "-pci"))
				vt_strbuf_printf(&b, ",vectors=%u", o->vectors ? o->vectors : 2 * o->queues + 2);
		}
		if (o->host_mtu && o->host_mtu != 1500)
			vt_strbuf_printf(&b, ",host_mtu=%u", o->host_mtu);
		if (o->bus)
			vt_strbuf_printf(&b, ",bus=%s", o->bus);
		if (o->addr)
			vt_strbuf_printf(&b, ",addr=%s", o->addr);
		argv_take(&a, strdup("-device"));
		argv_take(&a, vt_strbuf_take(&b));
	}
	/* n == 0: an empty, terminated argv */
	if (!a.err && !a.argv && VT_GROW(a.argv, a.cap, 1) == 0)
		a.argv[0] = NULL;
	else if (!a.argv)
		a.err = -ENOMEM;
	if (a.err) {
		vmtap_qemu_args_free(a.argv);
		return a.err;
	}
	*ret_argv = a.argv;
	return 0;
}

VT_EXPORT void vmtap_qemu_args_free(char **argv)
{
	if (!argv)
		return;
	for (char **p = argv; *p; p++)
		free(*p);
	free(argv);
}

VT_EXPORT int vmtap_qemu_args(struct vmtap_ctx *ctx, const struct vmtap_qemu_nic *const *nics, size_t n,
			      char ***ret_argv)
{
	_cleanup_free_ struct nic_view *views = NULL;
	int r;

	vt_clear_error(ctx);
	if (!ret_argv || (n && !nics))
		return vt_fail(ctx, -EINVAL, "validate", "no NICs or no output");
	views = calloc(n ? n : 1, sizeof(*views));
	if (!views)
		return vt_fail(ctx, -ENOMEM, "qemu arguments", NULL);
	r = nics_check(ctx, nics, n, views);
	if (r < 0)
		return r;
	r = build_args(views, n, ret_argv);
	if (r < 0)
		return vt_fail(ctx, r, "qemu arguments", NULL);
	return 0;
}

static void close_nic_fds(const struct vmtap_qemu_nic *const *nics, size_t n)
{
	for (size_t i = 0; nics && i < n; i++) {
		if (!nics[i] || !nics[i]->fds)
			continue;
		for (unsigned int q = 0; q < nics[i]->queues && q < VMTAP_MAX_QUEUES; q++) {
			if (nics[i]->fds[q] >= 0)
				close(nics[i]->fds[q]);
			if (nics[i]->vhostfds && nics[i]->vhostfds[q] >= 0)
				close(nics[i]->vhostfds[q]);
		}
	}
}

/* Make @fd one QEMU can be told about: not one of its stdio numbers, open across exec. */
static int fd_for_qemu(struct vmtap_ctx *ctx, int *fd)
{
	int fl;

	if (*fd < 3) {
		int up = fcntl(*fd, F_DUPFD_CLOEXEC, 3);
		if (up < 0)
			return vt_fail(ctx, -errno, "place fds", "fd %d%s", *fd,
				       errno == EMFILE ? ": too many open files" : "");
		close(*fd);
		*fd = up;
	}
	fl = fcntl(*fd, F_GETFD);
	if (fl < 0 || fcntl(*fd, F_SETFD, fl & ~FD_CLOEXEC) < 0)
		return vt_fail(ctx, -errno, "place fds", "fd %d", *fd);
	return 0;
}

VT_EXPORT int vmtap_qemu_exec(struct vmtap_ctx *ctx, char *const *qemu_argv, const struct vmtap_qemu_nic *const *nics,
			      size_t n)
{
	_cleanup_free_ struct nic_view *views = NULL;
	_cleanup_free_ int *fds = NULL;
	char **extra = NULL, **argv = NULL;
	size_t total = 0, k = 0, qargc = 0, nextra = 0;
	int r;

	vt_clear_error(ctx);
	if (!qemu_argv || !qemu_argv[0] || (n && !nics)) {
		r = vt_fail(ctx, -EINVAL, "validate", "no QEMU command or no NICs");
		goto close_given;
	}
	views = calloc(n ? n : 1, sizeof(*views));
	if (!views) {
		r = vt_fail(ctx, -ENOMEM, "exec", NULL);
		goto close_given;
	}
	r = nics_check(ctx, nics, n, views);
	if (r < 0)
		goto close_given;
	for (size_t i = 0; i < n; i++)
		total += views[i].o.queues * (views[i].o.vhostfds ? 2u : 1u);
	/* our own copy of every number, in NIC order, queues then vhost fds */
	fds = calloc(total ? total : 1, sizeof(int));
	if (!fds) {
		r = vt_fail(ctx, -ENOMEM, "exec", NULL);
		goto close_given;
	}
	for (size_t i = 0; i < n; i++) {
		for (unsigned int q = 0; q < views[i].o.queues; q++)
			fds[k++] = views[i].o.fds[q];
		for (unsigned int q = 0; views[i].o.vhostfds && q < views[i].o.queues; q++)
			fds[k++] = views[i].o.vhostfds[q];
	}
	for (k = 0; k < total; k++) {
		r = fd_for_qemu(ctx, &fds[k]);
		if (r < 0)
			goto close_ours;
	}
	/* the arguments name the numbers the fds have now */
	k = 0;
	for (size_t i = 0; i < n; i++) {
		views[i].o.fds = fds + k;
		k += views[i].o.queues;
		if (views[i].o.vhostfds) {
			views[i].o.vhostfds = fds + k;
			k += views[i].o.queues;
		}
	}
	r = build_args(views, n, &extra);
	if (r < 0) {
		r = vt_fail(ctx, r, "exec", "arguments");
		goto close_ours;
	}
	while (qemu_argv[qargc])
		qargc++;
	while (extra[nextra])
		nextra++;
	argv = calloc(qargc + nextra + 1, sizeof(char *));
	if (!argv) {
		vmtap_qemu_args_free(extra);
		r = vt_fail(ctx, -ENOMEM, "exec", NULL);
		goto close_ours;
	}
	memcpy(argv, qemu_argv, qargc * sizeof(char *));
	memcpy(argv + qargc, extra, nextra * sizeof(char *));
	vt_log(ctx, VMTAP_LOG_INFO, "exec %s with %zu NIC fds", argv[0], total);
	execvp(argv[0], argv);
	r = vt_fail(ctx, -errno, "exec", "%s", argv[0]);
	free(argv);
	vmtap_qemu_args_free(extra);
close_ours:
	for (k = 0; k < total; k++)
		close(fds[k]);
	return r;
close_given:
	/* the fds were handed to us: close them, so nothing leaks on failure */
	close_nic_fds(nics, n);
	return r;
}

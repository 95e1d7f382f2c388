/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vmtap doctor: check the host, an endpoint or a TAP device (and the QEMU using it), and say in plain words what is wrong and how to fix it. */
/**
 * DOC: Theory of Operation
 *
 * Every finding is one line of one print path (text, or an object of the
 * "checks" array with -j): a severity, the check's name, what was found,
 * and for a warning or a problem the fix.  "ok" and "info" are facts;
 * a "warning" works but not as well as it could (vhost-net missing,
 * disabled queues); a "problem" loses packets or will (an MTU smaller than
 * the guest's, a bridge that took the TAP's MAC, leftovers of a crash).
 * The exit status is 1 when there is a problem, 0 otherwise; bad input and
 * failures to look at all (no such endpoint, an unreachable QMP socket) exit
 * as every command does, before anything is printed.
 *
 * Nothing is changed: the state directory is looked at through a gc dry run,
 * devices through rtnetlink and ethtool, QEMU through queries only
 * (human-monitor-command "info network", query-rx-filter, query-pci,
 * qom-get) and through /proc/PID/fdinfo of the process at the other end of
 * the QMP socket, which names the device of each of its TAP fds: the
 * queues QEMU holds are counted there, and its netdev is the one whose
 * "fd=N" is one of them.  A macvtap queue's fdinfo names nothing: its fds
 * are the files of the macvtap's character device, whose number
 * vmtap_link_chardev() reads from the device's own namespace.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <net/if.h>
#include <sys/sysmacros.h>
#include <json-c/json.h>
#include <linux/if_tun.h>

#include "cli.h"
#include "commands.h"
#include "doctor.h"

static const char doctor_help[] =
	"Usage: vmtap [-j] doctor\n"
	"       vmtap [-j] doctor [endpoint] ID [--qmp SOCKET]\n"
	"       vmtap [-j] doctor dev NAME [-n|--netns NS] [--qmp SOCKET]\n"
	"\n"
	"Check, and change nothing. Without arguments, the host: /dev/net/tun\n"
	"(usable, its mode), /dev/vhost-net (present, its mode), the state\n"
	"directory (owner, mode, records) and the leftovers 'vmtap gc' would clean.\n"
	"With an endpoint ID (the word 'endpoint' is needed only for an ID that is\n"
	"a keyword, such as 'dev'), its record and its device; with 'dev NAME', a\n"
	"TAP device. A device is checked for: the virtio-net header, multi-queue,\n"
	"queues open against those recorded, disabled queues, its MTU against its\n"
	"bridge's and the guest's (host_mtu), a bridge that took its MAC, its\n"
	"offloads; a redirect endpoint's TAP, its MTU against the device it is\n"
	"cross-connected with. A macvtap endpoint's device: its mode, its parent\n"
	"(up, carrier, MTU), the guest's MAC on it, and with --qmp the queues\n"
	"QEMU holds (the kernel does not count a macvtap's open queues).\n"
	"\n"
	"Each finding is 'ok', 'info', 'warning' (works, but not as well as it\n"
	"could) or 'problem' (loses packets, or will), with how to fix it. The exit\n"
	"status is 1 when a problem was found, 0 otherwise.\n"
	"\n"
	"Options:\n"
	"  --qmp SOCKET       also ask the QEMU behind this QMP socket: its device and\n"
	"                     netdev for the TAP, the queues it holds, mq, vectors,\n"
	"                     host_mtu, the guest's MAC, the PCI address\n"
	"  -n, --netns NS     (dev) the device is in network namespace NS\n"
	"  -j, --json         JSON: {\"target\", \"checks\": [{\"severity\", \"check\",\n"
	"                     \"message\", \"fix\"}], \"problems\", \"warnings\"}\n";

struct doctor_args {
	const char *qmp;
	const char *netns;
};

static const struct doctor_args doctor_defaults;

enum doctor_opt_id { O_QMP = CLI_OPT_OWN, O_NETNS };

static const struct cli_opt doctor_opts[] = {
	CLI_OPT_STRING("qmp", 0, O_QMP, struct doctor_args, qmp),
	CLI_OPT_STRING("netns", 'n', O_NETNS, struct doctor_args, netns),
	{ 0 },
};

enum severity { SEV_OK, SEV_INFO, SEV_WARNING, SEV_PROBLEM };

struct doctor {
	struct cli_call *call;
	struct printer *p;
	unsigned int problems, warnings;
};

/* One finding: @fix (NULL: none) says what to do about a warning or a problem. */
__attribute__((format(printf, 5, 6)))
static void report(struct doctor *d, enum severity sev, const char *check, const char *fix, const char *fmt, ...)
{
	static const char *const names[] = { "ok", "info", "warning", "problem" };
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (sev == SEV_PROBLEM)
		d->problems++;
	else if (sev == SEV_WARNING)
		d->warnings++;
	print_open_object(d->p, NULL);
	print_string(d->p, "severity", "  %-8s ", names[sev]);
	print_string(d->p, "check", "%s: ", check);
	print_string(d->p, "message", "%s\n", msg);
	if (fix)
		print_string(d->p, "fix", "           fix: %s\n", fix);
	print_close_object(d->p);
}

/* "vmtap --state-dir DIR" when the command line gave one, for fixes the user can paste. */
static const char *vmtap_cmd(const struct doctor *d, char *buf, size_t size)
{
	if (d->call->g->state_dir)
		snprintf(buf, size, "vmtap --state-dir %s", d->call->g->state_dir);
	else
		snprintf(buf, size, "vmtap");
	return buf;
}

/* " --netns NS" for fixes, or "". */
static const char *netns_opt(const char *netns, char *buf, size_t size)
{
	if (netns)
		snprintf(buf, size, " --netns %s", netns);
	else
		buf[0] = '\0';
	return buf;
}

/* "ip -n NS" or "ip", for fixes. */
static const char *ip_cmd(const char *netns, char *buf, size_t size)
{
	if (netns)
		snprintf(buf, size, "ip -n %s", netns);
	else
		snprintf(buf, size, "ip");
	return buf;
}

/* ---- the host ---- */

/* "mode 0600, root:root" of @st, for messages. */
static void mode_text(const struct stat *st, char *buf, size_t size)
{
	snprintf(buf, size, "mode %04o, uid %u, gid %u", (unsigned)(st->st_mode & 07777), (unsigned)st->st_uid,
		 (unsigned)st->st_gid);
}

static void check_tun(struct doctor *d, const struct vmtap_features *f)
{
	struct stat st;
	char mode[64];

	if (!f->tun_usable) {
		if (stat("/dev/net/tun", &st) < 0)
			report(d, SEV_PROBLEM, "tun", "load the tun driver (modprobe tun); without udev, create the node: "
			       "mkdir -p /dev/net && mknod -m 0666 /dev/net/tun c 10 200",
			       "/dev/net/tun does not exist: no TAP device can be made or opened");
		else if (!S_ISCHR(st.st_mode) || major(st.st_rdev) != 10 || minor(st.st_rdev) != 200)
			report(d, SEV_PROBLEM, "tun", "replace it: rm /dev/net/tun && mknod -m 0666 /dev/net/tun c 10 200",
			       "/dev/net/tun is not the tun driver's device (character 10:200)");
		else
			report(d, SEV_PROBLEM, "tun", "run vmtap as root (or with CAP_NET_ADMIN and access to /dev/net/tun)",
			       "%s", f->tun_reason);
		return;
	}
	if (!f->vnet_hdr || !f->multi_queue)
		report(d, SEV_WARNING, "tun", "use a kernel of at least 3.8",
		       "the tun driver lacks %s: TAPs are made without it", !f->vnet_hdr ? "the virtio-net header" :
		       "multi-queue");
	else
		report(d, SEV_OK, "tun", NULL, "/dev/net/tun can be opened; TAPs with the virtio-net header and up to %u "
		       "queues", f->max_queues);
	if (stat("/dev/net/tun", &st) == 0) {
		mode_text(&st, mode, sizeof(mode));
		if ((st.st_mode & 0006) != 0006)
			report(d, SEV_WARNING, "tun permissions",
			       "chmod 0666 /dev/net/tun (Debian's default: a TAP's --owner and --group still decide who "
			       "may open it), or give unprivileged QEMUs vmtap-bridge-helper",
			       "/dev/net/tun is %s: a QEMU that does not run as root cannot open the TAPs made for it "
			       "with --owner or --group", mode);
		else
			report(d, SEV_OK, "tun permissions", NULL, "/dev/net/tun is %s: TAPs made with --owner or --group "
			       "can be opened by those users", mode);
	}
}

static void check_vhost(struct doctor *d, const struct vmtap_features *f)
{
	struct stat st;
	char mode[64];

	if (stat("/dev/vhost-net", &st) < 0) {
		report(d, SEV_WARNING, "vhost-net", "modprobe vhost_net",
		       "/dev/vhost-net does not exist: NICs use vhost=off, and QEMU moves every packet itself");
		return;
	}
	mode_text(&st, mode, sizeof(mode));
	if (!f->vhost_net_usable)
		report(d, SEV_WARNING, "vhost-net", "check the node (character 10:238) and run vmtap as root",
		       "/dev/vhost-net (%s) cannot be opened: %s; NICs use vhost=off", mode, f->vhost_net_reason);
	else if ((st.st_mode & 0006) != 0006)
		report(d, SEV_INFO, "vhost-net", NULL, "/dev/vhost-net can be opened (%s); a QEMU that does not run "
		       "as root needs the fds passed to it (vmtap exec and hotplug do) or to be in its group", mode);
	else
		report(d, SEV_OK, "vhost-net", NULL, "/dev/vhost-net can be opened (%s)", mode);
}

static int count_cb(const struct vmtap_endpoint *ep, const char *file, const char *error, void *userdata)
{
	(void)ep, (void)file, (void)error;
	++*(unsigned int *)userdata;
	return 0;
}

static void check_state_dir(struct doctor *d)
{
	const char *dir = vmtap_ctx_state_dir(d->call->ctx);
	unsigned int n = 0;
	struct stat st;
	char fix[1024], mode[64];
	int r;

	if (lstat(dir, &st) < 0) {
		if (errno == ENOENT)
			report(d, SEV_OK, "state directory", NULL, "%s does not exist yet: the first 'endpoint create' "
			       "makes it, mode 0700", dir);
		else
			report(d, SEV_PROBLEM, "state directory", "check the directories above it", "%s: %s", dir,
			       strerror(errno));
		return;
	}
	mode_text(&st, mode, sizeof(mode));
	if (S_ISLNK(st.st_mode)) {
		snprintf(fix, sizeof(fix), "use the directory it points to: --state-dir or VMTAP_STATE_DIR");
		report(d, SEV_PROBLEM, "state directory", fix, "%s is a symbolic link, which vmtap refuses", dir);
		return;
	}
	if (!S_ISDIR(st.st_mode)) {
		report(d, SEV_PROBLEM, "state directory", "move it away: vmtap makes the directory itself",
		       "%s is not a directory", dir);
		return;
	}
	if (st.st_uid != geteuid()) {
		snprintf(fix, sizeof(fix), "chown %u %s, or run vmtap as uid %u", (unsigned)geteuid(), dir,
			 (unsigned)st.st_uid);
		report(d, SEV_PROBLEM, "state directory", fix, "%s (%s) does not belong to uid %u: vmtap refuses it",
		       dir, mode, (unsigned)geteuid());
		return;
	}
	if (st.st_mode & 0022) {
		snprintf(fix, sizeof(fix), "chmod 0700 %s", dir);
		report(d, SEV_PROBLEM, "state directory", fix, "%s (%s) can be written by others: vmtap refuses it",
		       dir, mode);
		return;
	}
	r = vmtap_endpoint_foreach(d->call->ctx, count_cb, &n);
	if (r < 0) {
		report(d, SEV_PROBLEM, "state directory", "see the message; vmtap never re-modes a directory itself", "%s",
		       vmtap_ctx_error(d->call->ctx));
		return;
	}
	if (st.st_mode & 0055) {
		snprintf(fix, sizeof(fix), "chmod 0700 %s (as tmpfiles.d/vmtap.conf makes it)", dir);
		report(d, SEV_WARNING, "state directory", fix, "%s (%s) can be read by others: the record files are "
		       "private, but their names show the endpoints", dir, mode);
		return;
	}
	report(d, SEV_OK, "state directory", NULL, "%s (%s): %u record%s", dir, mode, n, n == 1 ? "" : "s");
}

struct leftovers {
	struct doctor *d;
	unsigned int found;
};

static const char *would(enum vmtap_gc_action a)
{
	switch (a) {
	case VMTAP_GC_DELETED_ORPHAN:
		return "an orphan device gc would delete";
	case VMTAP_GC_REMOVED_RECORD:
		return "a record of a device that is gone, gc would remove it";
	case VMTAP_GC_ROLLED_BACK:
		return "an interrupted creation gc would roll back";
	case VMTAP_GC_FINISHED_DESTROY:
		return "an interrupted destruction gc would finish";
	case VMTAP_GC_REMOVED_FILTER:
		return "a tc filter of vmtap's that no endpoint uses, gc would remove it";
	case VMTAP_GC_DESTROYED_EPHEMERAL:
		return "an ephemeral endpoint whose QEMU has exited, gc would destroy it";
	default:
		return NULL;
	}
}

static void leftover_cb(const struct vmtap_gc_event *ev, void *userdata)
{
	struct leftovers *l = userdata;
	struct doctor *d = l->d;
	char what[512], fix[1024], cmd[300];
	const char *w = would(ev->action);

	snprintf(what, sizeof(what), "%s%s%s%s%s%s", ev->id ? "endpoint " : "", ev->id ? ev->id : "",
		 ev->ifname ? (ev->id ? ", device " : "device ") : "", ev->ifname ? ev->ifname : "",
		 ev->netns ? " in " : "", ev->netns ? ev->netns : "");
	if (w) {
		l->found++;
		snprintf(fix, sizeof(fix), "%s gc", vmtap_cmd(d, cmd, sizeof(cmd)));
		report(d, SEV_PROBLEM, "leftover", fix, "%s: %s%s%s", what, w, ev->detail ? ": " : "",
		       ev->detail ? ev->detail : "");
		return;
	}
	switch (ev->action) {
	case VMTAP_GC_UNPARSEABLE:
		l->found++;
		report(d, SEV_PROBLEM, "record", "look at the file, then fix it or move it away: vmtap never changes "
		       "or removes it", "%s", ev->detail ? ev->detail : what);
		break;
	case VMTAP_GC_BUSY:
		report(d, SEV_INFO, "leftover", NULL, "%s: another process holds its lock; not looked at", what);
		break;
	case VMTAP_GC_LEFT_ALONE:
		report(d, SEV_INFO, "leftover", NULL, "%s: gc leaves it alone: %s", what, ev->detail ? ev->detail : "");
		break;
	default:
		l->found++;
		report(d, SEV_PROBLEM, "leftover", "see the message", "%s: %s", what, ev->detail ? ev->detail : "failed");
		break;
	}
}

static void check_leftovers(struct doctor *d)
{
	struct leftovers l = { .d = d };
	int r = vmtap_gc(d->call->ctx, VMTAP_GC_DRY_RUN, leftover_cb, &l);

	if (r < 0)
		report(d, SEV_PROBLEM, "leftover", "see the message", "cannot look for leftovers: %s",
		       vmtap_ctx_error(d->call->ctx));
	else if (!l.found)
		report(d, SEV_OK, "leftover", NULL, "nothing for 'vmtap gc' to clean up");
}

static int check_host(struct doctor *d)
{
	struct vmtap_features f = { .sz = sizeof(f) };
	int r = vmtap_probe(d->call->ctx, &f);

	if (r < 0)
		return r;
	print_string(d->p, "target", "host\n", "host");
	print_open_array(d->p, "checks");
	check_tun(d, &f);
	check_vhost(d, &f);
	check_state_dir(d);
	check_leftovers(d);
	print_close_array(d->p);
	return 0;
}

/* ---- what QEMU says ---- */

/* What the QEMU at the other end of --qmp says of the TAP. */
struct qemu_view {
	struct vmtap_qmp *q;
	bool macvtap;                 /* the device is a macvtap: its queues are files of macvtap_dev */
	dev_t macvtap_dev;
	int pid;
	unsigned int fds;             /* its fds on the TAP */
	int fd_numbers[VMTAP_MAX_QUEUES];
	char netdev[128];             /* its netdev of those fds, "" when none */
	unsigned int netdev_queues;   /* the queues of that netdev */
	unsigned int netdev_fd_queues; /* ... of them on fds of this TAP */
	char nic[128];                /* the NIC of that netdev: the device's id, "" when none */
	bool has_mq, mq, has_vectors, has_host_mtu, has_rx, has_pci;
	uint64_t vectors, host_mtu;
	struct rx_filter rx;
	char pci[16];
};

/* Read at most @size - 1 bytes of @path into @buf: the length, or -1. */
static ssize_t read_small(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, buf, size - 1);
	close(fd);
	if (n >= 0)
		buf[n] = '\0';
	return n;
}

/* Whether fd @fd of process @pid (its /proc/PID/fd/N at @path) is a queue of @ifname, a TAP: its fdinfo says. */
static bool fd_is_tap_queue(int pid, int fd, const char *path, const char *ifname, const struct qemu_view *v)
{
	char target[64], info[4096], fdinfo[64], name[VMTAP_IFNAMSIZ];
	ssize_t n = readlink(path, target, sizeof(target) - 1);

	(void)v;
	if (n < 0)
		return false;
	target[n] = '\0';
	if (strcmp(target, "/dev/net/tun"))
		return false;
	snprintf(fdinfo, sizeof(fdinfo), "/proc/%d/fdinfo/%d", pid, fd);
	n = read_small(fdinfo, info, sizeof(info));
	return n > 0 && fdinfo_iff_parse(info, (size_t)n, name) == 0 && !strcmp(name, ifname);
}

/*
 * ... of a macvtap, whose queue's fdinfo names nothing: it is a file of the
 * macvtap's character device, @v->macvtap_dev (st_rdev).
 */
static bool fd_is_macvtap_queue(int pid, int fd, const char *path, const char *ifname, const struct qemu_view *v)
{
	struct stat st;

	(void)pid, (void)fd, (void)ifname;
	return stat(path, &st) == 0 && S_ISCHR(st.st_mode) && st.st_rdev == v->macvtap_dev;
}

/* The fds process @pid holds on device @ifname, into @v->fd_numbers. */
static void count_queue_fds(int pid, const char *ifname, struct qemu_view *v)
{
	bool (*is_queue)(int, int, const char *, const char *, const struct qemu_view *) =
		v->macvtap ? fd_is_macvtap_queue : fd_is_tap_queue;
	char path[64];
	struct dirent *e;
	DIR *dir;

	snprintf(path, sizeof(path), "/proc/%d/fd", pid);
	dir = opendir(path);
	if (!dir)
		return;
	while ((e = readdir(dir)) != NULL) {
		int fd = atoi(e->d_name);

		if (e->d_name[0] == '.' || fd < 0)
			continue;
		snprintf(path, sizeof(path), "/proc/%d/fd/%d", pid, fd);
		if (is_queue(pid, fd, path, ifname, v) && v->fds < VMTAP_MAX_QUEUES)
			v->fd_numbers[v->fds++] = fd;
	}
	closedir(dir);
}

static bool is_tap_fd(const struct qemu_view *v, int fd)
{
	for (unsigned int i = 0; i < v->fds; i++)
		if (v->fd_numbers[i] == fd)
			return true;
	return false;
}

/* Run @command with @args (NULL: none) quietly: its reply, to free(), or NULL when QEMU refused or broke. */
static char *ask(struct doctor *d, struct vmtap_qmp *q, const char *command, json_object *args)
{
	char *ret = NULL;

	if (vmtap_qmp_execute(d->call->ctx, q, command, args ? json_object_to_json_string(args) : NULL, -1, &ret) < 0)
		ret = NULL;
	json_object_put(args);
	return ret;
}

static json_object *args2(const char *k1, const char *v1, const char *k2, const char *v2)
{
	json_object *o = json_object_new_object();

	if (!o)
		return NULL;
	json_object_object_add(o, k1, json_object_new_string(v1));
	if (k2)
		json_object_object_add(o, k2, json_object_new_string(v2));
	return o;
}

/* qom-get of @property of device @id, into @text. */
static char *qom_get(struct doctor *d, struct vmtap_qmp *q, const char *id, const char *property)
{
	char path[200];

	snprintf(path, sizeof(path), "/machine/peripheral/%s", id);
	return ask(d, q, "qom-get", args2("path", path, "property", property));
}

/*
 * Ask QEMU about TAP @ifname: its fds on it, the netdev they belong to (or
 * @netdev, the one recorded), that netdev's NIC, and the NIC's settings.
 */
static void qemu_look(struct doctor *d, const char *ifname, const char *netdev, struct qemu_view *v)
{
	struct hmp_net *nets = calloc(1024, sizeof(*nets));
	char *text = NULL, *reply;
	int n = -1;

	v->pid = vmtap_qmp_peer_pid(v->q);
	if (v->pid > 0)
		count_queue_fds(v->pid, ifname, v);
	reply = ask(d, v->q, "human-monitor-command", args2("command-line", "info network", NULL, NULL));
	if (nets && reply && qmp_string_parse(reply, strlen(reply), &text) == 0)
		n = hmp_network_parse(text, strlen(text), nets, 1024);
	free(reply);
	free(text);
	/* the netdev: the recorded one, else the one whose queues are on this TAP's fds */
	for (int i = 0; i < n && !v->netdev[0] && !netdev; i++)
		if (!strcmp(nets[i].type, "tap") && nets[i].fd >= 0 && is_tap_fd(v, nets[i].fd))
			snprintf(v->netdev, sizeof(v->netdev), "%s", nets[i].name);
	if (netdev)
		snprintf(v->netdev, sizeof(v->netdev), "%s", netdev);
	for (int i = 0; i < n && v->netdev[0]; i++) {
		if (strcmp(nets[i].name, v->netdev) || strcmp(nets[i].type, "tap"))
			continue;
		v->netdev_queues++;
		if (nets[i].fd >= 0 && is_tap_fd(v, nets[i].fd))
			v->netdev_fd_queues++;
		if (!v->nic[0] && nets[i].nic[0])
			snprintf(v->nic, sizeof(v->nic), "%s", nets[i].nic);
	}
	free(nets);
}

/* The NIC's settings (qom-get), filter and PCI address, once its id @id is known. */
static void qemu_look_device(struct doctor *d, const char *id, struct qemu_view *v)
{
	char *reply;

	if ((reply = qom_get(d, v->q, id, "mq")))
		v->has_mq = qmp_qom_bool_parse(reply, strlen(reply), &v->mq) == 0;
	free(reply);
	if ((reply = qom_get(d, v->q, id, "vectors")))
		v->has_vectors = qmp_qom_uint_parse(reply, strlen(reply), &v->vectors) == 0;
	free(reply);
	if ((reply = qom_get(d, v->q, id, "host_mtu")))
		v->has_host_mtu = qmp_qom_uint_parse(reply, strlen(reply), &v->host_mtu) == 0;
	free(reply);
	if ((reply = ask(d, v->q, "query-rx-filter", args2("name", id, NULL, NULL))))
		v->has_rx = qmp_rx_filter_parse(reply, strlen(reply), id, &v->rx) == 0;
	free(reply);
	if ((reply = ask(d, v->q, "query-pci", NULL)))
		v->has_pci = qmp_pci_parse(reply, strlen(reply), id, v->pci) == 0;
	free(reply);
}

/* ---- a device, and the record and QEMU it is compared with ---- */

/* What a device is checked against: its endpoint's record (NULL for 'dev') and QEMU (NULL without --qmp). */
struct device_check {
	const char *netns;
	const struct vmtap_endpoint *ep;
	struct vmtap_hypervisor_info hv; /* the record's, when has_hv */
	bool has_hv;
	struct qemu_view *qemu;
};

static void offload_names(uint32_t off, char *buf, size_t size)
{
	static const struct { uint32_t bit; const char *name; } names[] = {
		{ VMTAP_OFFLOAD_CSUM, "csum" }, { VMTAP_OFFLOAD_TSO4, "tso4" }, { VMTAP_OFFLOAD_TSO6, "tso6" },
		{ VMTAP_OFFLOAD_TSO_ECN, "tso_ecn" }, { VMTAP_OFFLOAD_USO4, "uso4" }, { VMTAP_OFFLOAD_USO6, "uso6" },
	};
	size_t o = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (off & names[i].bit)
			o += (size_t)snprintf(buf + o, o < size ? size - o : 0, "%s%s", o ? " " : "", names[i].name);
	if (!o)
		snprintf(buf, size, "none");
}

/*
 * QEMU's side of the queues of device @name: the fds it holds, the netdev
 * using them, the NIC's mq and vectors.  @open: the queues the kernel says
 * are open (all holders), 0 when it cannot tell (a macvtap); @recorded: the
 * record's count, 0 without a record.
 */
static void check_qemu_queues(struct doctor *d, const char *name, unsigned int open, unsigned int recorded,
			      const struct qemu_view *v)
{
	if (!v)
		return;
	if (v->fds < open)
		report(d, SEV_PROBLEM, "qemu queues", "find the other holder: grep -l 'iff:.*NAME' /proc/*/fdinfo/*",
		       "QEMU (pid %d) holds %u of the %u open queues of %s: another process holds the rest", v->pid,
		       v->fds, open, name);
	if (!v->netdev[0]) {
		if (v->fds)
			report(d, SEV_PROBLEM, "qemu netdev", "look at 'info network' (vmtap qmp --qmp SOCKET "
			       "human-monitor-command '{\"command-line\":\"info network\"}')",
			       "QEMU (pid %d) holds %u queue%s of %s, but no netdev of its 'info network' uses them",
			       v->pid, v->fds, v->fds == 1 ? "" : "s", name);
		else
			report(d, SEV_PROBLEM, "qemu netdev", "check that --qmp is the socket of the QEMU using this device",
			       "QEMU (pid %d) holds no queue of %s", v->pid, name);
		return;
	}
	if (!v->netdev_queues) {
		report(d, SEV_PROBLEM, "qemu netdev", "hot-plug it again, or check that --qmp is the right QEMU",
		       "QEMU (pid %d) has no netdev %s (the record names it)", v->pid, v->netdev);
	} else if (v->netdev_fd_queues != v->netdev_queues || v->netdev_queues != v->fds ||
		   (recorded && v->netdev_queues != recorded)) {
		report(d, SEV_PROBLEM, "qemu queues", "give the netdev all the device's queues (fds=A:B:..., or "
		       "vmtap exec --nic endpoint=ID)",
		       "netdev %s has %u queue%s, %u of them on fds of %s; QEMU holds %u fd%s of it%s", v->netdev,
		       v->netdev_queues, v->netdev_queues == 1 ? "" : "s", v->netdev_fd_queues, name, v->fds,
		       v->fds == 1 ? "" : "s", recorded ? " and the record says more or fewer" : "");
	} else {
		report(d, SEV_OK, "qemu queues", NULL, "QEMU (pid %d) holds the %u queue%s in netdev %s%s%s", v->pid,
		       v->fds, v->fds == 1 ? "" : "s", v->netdev, v->nic[0] ? " of device " : "", v->nic);
	}
	if (v->has_mq && !v->mq && v->netdev_queues > 1)
		report(d, SEV_PROBLEM, "qemu mq", "add mq=on,vectors=2N+2 to the -device (vmtap exec and hotplug do)",
		       "device %s has mq=off: the guest sees 1 of the netdev's %u queues", v->nic, v->netdev_queues);
	else if (v->has_mq && v->mq && v->has_vectors && v->vectors < 2ull * v->netdev_queues + 2)
		report(d, SEV_WARNING, "qemu vectors", "give the -device vectors=2N+2 (vmtap exec and hotplug do)",
		       "device %s has %llu MSI-X vectors, fewer than the %u that %u queues want: queues share "
		       "interrupts", v->nic, (unsigned long long)v->vectors, 2 * v->netdev_queues + 2, v->netdev_queues);
}

static void check_queues(struct doctor *d, const struct vmtap_link_info *li, const struct device_check *c)
{
	unsigned int open = li->tun_num_queues + li->tun_num_disabled_queues;
	unsigned int recorded = c->ep ? vmtap_endpoint_queues(c->ep) : 0;
	const struct qemu_view *v = c->qemu;
	char fix[1024], cmd[300];

	if (c->ep && recorded > 1 && !li->tun_multi_queue) {
		report(d, SEV_PROBLEM, "multi-queue", "destroy and create the endpoint again",
		       "the record says %u queues, but %s is a single-queue device", recorded, li->name);
	} else if (li->tun_multi_queue) {
		report(d, SEV_OK, "multi-queue", NULL, "%s is a multi-queue device", li->name);
	} else {
		report(d, SEV_INFO, "multi-queue", NULL, "%s is a single-queue device: one queue, one vCPU's worth of "
		       "packets", li->name);
	}

	if (open == 0) {
		report(d, SEV_INFO, "queues", NULL, "no process has a queue of %s open%s%u recorded): the VM is not "
		       "running, or has not opened it yet", li->name, recorded ? " (" : "", recorded);
	} else if (recorded && open != recorded) {
		snprintf(fix, sizeof(fix), "give QEMU exactly %u queues: %s exec --nic endpoint=%s does", recorded,
			 vmtap_cmd(d, cmd, sizeof(cmd)), vmtap_endpoint_id(c->ep));
		report(d, SEV_PROBLEM, "queues", fix, "%u queue%s of %s %s open, the record says %u", open,
		       open == 1 ? "" : "s", li->name, open == 1 ? "is" : "are", recorded);
	} else {
		report(d, SEV_OK, "queues", NULL, "%u queue%s of %s open%s", open, open == 1 ? "" : "s", li->name,
		       recorded ? ", as recorded" : "");
	}
	if (li->tun_num_disabled_queues)
		report(d, SEV_WARNING, "disabled queues",
		       "give QEMU at least as many vCPUs as queues (-smp), or in the guest: ethtool -L eth0 combined N "
		       "(right after boot this is normal until the guest's driver starts)",
		       "%u of the %u open queues of %s are disabled: the guest uses only %u", li->tun_num_disabled_queues,
		       open, li->name, li->tun_num_queues);
	check_qemu_queues(d, li->name, open, recorded, v);
}

/* The command that sets @li's MTU to @mtu: vmtap set for a TAP, ip for a macvtap. */
static const char *mtu_cmd(const struct vmtap_link_info *li, const char *netns, uint32_t mtu, char *buf, size_t size)
{
	char opt[300];

	if (li->is_macvtap)
		snprintf(buf, size, "%s link set %s mtu %u", ip_cmd(netns, opt, sizeof(opt)), li->name, mtu);
	else
		snprintf(buf, size, "vmtap set %s%s --mtu %u", li->name, netns_opt(netns, opt, sizeof(opt)), mtu);
	return buf;
}

/*
 * The MTU of @li against the device it passes frames to, @peer (NULL: none)
 * in the role @role ("bridge", "parent", "redirect device"), the record's
 * and the guest's.
 */
static void check_mtu(struct doctor *d, const struct vmtap_link_info *li, const struct vmtap_link_info *peer,
		      const char *role, const struct device_check *c)
{
	uint32_t recorded = c->ep ? vmtap_endpoint_mtu(c->ep) : 0;
	const struct qemu_view *v = c->qemu;
	char fix[1024], cmd[400];
	bool bad = false;

	if (peer && li->mtu != peer->mtu) {
		snprintf(fix, sizeof(fix), "%s, or give both the MTU the network needs",
			 mtu_cmd(li, c->netns, peer->mtu, cmd, sizeof(cmd)));
		report(d, SEV_PROBLEM, "mtu", fix, "%s has MTU %u, its %s %s %u: frames larger than the smaller "
		       "are dropped between them", li->name, li->mtu, role, peer->name, peer->mtu);
		bad = true;
	}
	if (recorded && li->mtu != recorded) {
		snprintf(fix, sizeof(fix), "%s", mtu_cmd(li, c->netns, recorded, cmd, sizeof(cmd)));
		report(d, SEV_PROBLEM, "mtu", fix, "%s has MTU %u, but the endpoint was made with %u, the MTU its "
		       "guest is told (host_mtu)", li->name, li->mtu, recorded);
		bad = true;
	}
	if (v && v->has_host_mtu) {
		/* host_mtu 0: not given, the guest's driver uses 1500 */
		uint32_t guest = v->host_mtu ? (uint32_t)v->host_mtu : 1500;
		snprintf(fix, sizeof(fix), "give the device host_mtu=%u (vmtap exec --nic mtu=%u, or an endpoint made "
			 "with --mtu %u)", li->mtu, li->mtu, li->mtu);
		if (guest > li->mtu) {
			report(d, SEV_PROBLEM, "mtu", fix, "the guest sends frames of up to %u bytes (host_mtu %s), "
			       "%s takes %u: larger ones are dropped", guest, v->host_mtu ? "set" : "not set, so 1500",
			       li->name, li->mtu);
			bad = true;
		} else if (guest < li->mtu) {
			report(d, SEV_WARNING, "mtu", fix, "the guest uses MTU %u (host_mtu %s), %s takes %u", guest,
			       v->host_mtu ? "set" : "not set", li->name, li->mtu);
			bad = true;
		}
	}
	if (!bad)
		report(d, SEV_OK, "mtu", NULL, "%u%s%s%s%s%s", li->mtu, peer ? ", as " : "", peer ? role : "",
		       peer ? " " : "", peer ? peer->name : "", v && v->has_host_mtu ? ", as the guest's" : "");
}

/* A bridge without a MAC set by hand takes its lowest port's: the bridge's MAC is then that port's. */
static void check_bridge_mac(struct doctor *d, const struct vmtap_link_info *li, const struct vmtap_link_info *br,
			     const struct device_check *c)
{
	char mac[VMTAP_MAC_STRLEN], own[VMTAP_MAC_STRLEN], fix[1024], ip[300];
	uint8_t suggest[6];

	if (!br->has_mac || !li->has_mac)
		return;
	vmtap_mac_format(li->mac, mac);
	if (memcmp(br->mac, li->mac, 6)) {
		report(d, SEV_OK, "bridge mac", NULL, "bridge %s keeps its own MAC, not %s's (%s)", br->name, li->name,
		       mac);
		return;
	}
	/* a locally administered address of the bridge's own, that no port of vmtap's has */
	memcpy(suggest, br->mac, 6);
	suggest[0] = 0x02;
	snprintf(fix, sizeof(fix), "give %s a MAC of its own: %s link set %s address %s", br->name,
		 ip_cmd(c->netns, ip, sizeof(ip)), br->name, vmtap_mac_format(suggest, own));
	report(d, SEV_PROBLEM, "bridge mac", fix, "bridge %s has taken the MAC of %s (%s), its lowest port's: when "
	       "the VM stops or a port with a lower MAC joins, the bridge's MAC, and the host's address on it, "
	       "changes", br->name, li->name, mac);
}

static void check_offloads(struct doctor *d, const struct vmtap_link_info *li, const struct device_check *c)
{
	unsigned int open = li->tun_num_queues + li->tun_num_disabled_queues;
	uint32_t off = 0;
	char names[128];
	int r;

	if (!li->tun_vnet_hdr) {
		report(d, SEV_INFO, "offloads", NULL, "none: without the virtio-net header the guest and the host "
		       "cannot hand checksums or segmentation to each other");
		return;
	}
	r = vmtap_link_offloads(d->call->ctx, c->netns, li->name, &off);
	if (r < 0) {
		report(d, SEV_INFO, "offloads", NULL, "cannot be read: %s", vmtap_ctx_error(d->call->ctx));
		return;
	}
	offload_names(off, names, sizeof(names));
	if (open && !(off & VMTAP_OFFLOAD_CSUM))
		report(d, SEV_WARNING, "offloads", "check that the guest uses the virtio-net driver and that the device "
		       "offers csum (QEMU's default); right after boot this is normal until the driver starts",
		       "%s: the guest's driver has not taken checksum offload, so every packet is checksummed and "
		       "segmented in software", names);
	else if (open)
		report(d, SEV_OK, "offloads", NULL, "%s (as the guest's driver asked)", names);
	else
		report(d, SEV_INFO, "offloads", NULL, "%s (QEMU sets them when the guest's driver starts)", names);
}

static void check_qemu_device(struct doctor *d, const struct device_check *c)
{
	const struct qemu_view *v = c->qemu;
	char mac[VMTAP_MAC_STRLEN], want[VMTAP_MAC_STRLEN];
	uint8_t guest[6];

	if (!v || !v->nic[0])
		return;
	if (c->has_hv && c->hv.device_id && strcmp(c->hv.device_id, v->nic))
		report(d, SEV_PROBLEM, "qemu", "unplug and plug the endpoint again",
		       "the record names device %s, QEMU's netdev %s belongs to %s", c->hv.device_id, v->netdev, v->nic);
	if (v->has_pci && c->has_hv && c->hv.pci_addr && strcmp(c->hv.pci_addr, v->pci))
		report(d, SEV_WARNING, "qemu pci", NULL, "device %s is at %s, the record says %s", v->nic, v->pci,
		       c->hv.pci_addr);
	else
		report(d, SEV_OK, "qemu", NULL, "QEMU pid %d: device %s%s%s, netdev %s", v->pid, v->nic,
		       v->has_pci ? " at PCI " : "", v->has_pci ? v->pci : "", v->netdev);
	if (!v->has_rx)
		return;
	vmtap_mac_format(v->rx.main_mac, mac);
	if (c->ep) {
		vmtap_endpoint_guest_mac(c->ep, guest);
		if (memcmp(guest, v->rx.main_mac, 6))
			report(d, SEV_WARNING, "guest mac", "set it back in the guest, or make the endpoint with "
			       "--guest-mac", "the guest uses MAC %s, the endpoint's is %s: anything filtering on "
			       "the MAC drops its packets", mac, vmtap_mac_format(guest, want));
		else
			report(d, SEV_OK, "guest mac", NULL, "%s, as recorded%s", mac,
			       v->rx.promiscuous ? "; the guest's NIC is promiscuous" : "");
	} else {
		report(d, SEV_INFO, "guest mac", NULL, "%s%s", mac, v->rx.promiscuous ? "; promiscuous" : "");
	}
}

/* QEMU's view of device @li (when --qmp), and whether it is the QEMU the record names. */
static void qemu_gather(struct doctor *d, const struct vmtap_link_info *li, struct device_check *c)
{
	if (!c->qemu)
		return;
	if (li->is_macvtap && vmtap_link_chardev(d->call->ctx, c->netns, li->name, &c->qemu->macvtap_dev) < 0)
		report(d, SEV_INFO, "qemu queues", NULL, "which fds of QEMU are queues of %s cannot be told: %s",
		       li->name, vmtap_ctx_error(d->call->ctx));
	c->qemu->macvtap = li->is_macvtap;
	qemu_look(d, li->name, c->has_hv && c->hv.netdev_id ? c->hv.netdev_id : NULL, c->qemu);
	if (c->qemu->nic[0])
		qemu_look_device(d, c->qemu->nic, c->qemu);
	if (c->has_hv && c->hv.pid && c->hv.pid != c->qemu->pid)
		report(d, SEV_PROBLEM, "qemu", "give --qmp the socket of the QEMU the record names, or plug the "
		       "endpoint into this one", "the record names QEMU pid %d, the socket's peer is pid %d",
		       c->hv.pid, c->qemu->pid);
}

static void check_device(struct doctor *d, const struct vmtap_link_info *li, struct device_check *c)
{
	struct vmtap_link_info br = { .sz = sizeof(br) };
	bool has_br = false;
	char fix[1024], opt[300];

	if (c->ep && !vmtap_endpoint_vnet_hdr(c->ep) != !li->tun_vnet_hdr)
		report(d, SEV_PROBLEM, "vnet header", "destroy and create the endpoint again",
		       "the record says %s, but %s has it %s", vmtap_endpoint_vnet_hdr(c->ep) ? "with the virtio-net "
		       "header" : "without the virtio-net header", li->name, li->tun_vnet_hdr ? "on" : "off");
	else if (!li->tun_vnet_hdr)
		report(d, SEV_WARNING, "vnet header", "make the TAP without --no-vnet-hdr (QEMU: vnet_hdr=on)",
		       "%s has no virtio-net header: no checksum or segmentation offloads between guest and host",
		       li->name);
	else
		report(d, SEV_OK, "vnet header", NULL, "%s has the virtio-net header", li->name);

	if (!(li->flags & IFF_UP) && li->tun_num_queues + li->tun_num_disabled_queues) {
		snprintf(fix, sizeof(fix), "vmtap set %s%s --up", li->name, netns_opt(c->netns, opt, sizeof(opt)));
		report(d, SEV_PROBLEM, "link", fix, "%s is down while its queues are open: no packet passes", li->name);
	}

	qemu_gather(d, li, c);
	check_queues(d, li, c);

	if (li->master_ifindex && vmtap_link_get_by_index(d->call->ctx, c->netns, li->master_ifindex, &br) == 0 &&
	    !strcmp(br.kind, "bridge"))
		has_br = true;
	if (c->ep && vmtap_endpoint_connection(c->ep) == VMTAP_CONNECT_BRIDGE &&
	    (!has_br || strcmp(br.name, vmtap_endpoint_bridge(c->ep)))) {
		snprintf(fix, sizeof(fix), "vmtap set %s%s --bridge %s", li->name, netns_opt(c->netns, opt, sizeof(opt)),
			 vmtap_endpoint_bridge(c->ep));
		report(d, SEV_PROBLEM, "bridge", fix, "%s is not a port of bridge %s, which the record names", li->name,
		       vmtap_endpoint_bridge(c->ep));
	}
	if (c->ep && vmtap_endpoint_connection(c->ep) == VMTAP_CONNECT_REDIRECT) {
		/* the frames of one go to the other as they are (tc mirred): the MTUs must agree */
		struct vmtap_link_info peer = { .sz = sizeof(peer) };
		const char *dev = vmtap_endpoint_device(c->ep);

		if (vmtap_link_get(d->call->ctx, c->netns, dev, &peer) == 0) {
			check_mtu(d, li, &peer, "redirect device", c);
		} else {
			snprintf(fix, sizeof(fix), "destroy the endpoint (and create it again once %s is back)", dev);
			report(d, SEV_PROBLEM, "redirect", fix, "%s, the device %s is cross-connected with, is gone: its "
			       "frames go nowhere", dev, li->name);
			check_mtu(d, li, NULL, "bridge", c);
		}
	} else {
		check_mtu(d, li, has_br ? &br : NULL, "bridge", c);
	}
	if (has_br)
		check_bridge_mac(d, li, &br, c);
	check_offloads(d, li, c);
	check_qemu_device(d, c);
}

/*
 * A macvtap endpoint's device: its mode and parent as recorded, both up, the
 * MAC frames for the guest are sent to, MTUs, and QEMU's queues.  How many
 * queues are open is not asked of the kernel (it does not say, for a
 * macvtap), only of QEMU with --qmp.  The virtio-net header is a flag of each
 * open queue, not of the device: nothing to look at without a queue.
 */
static void check_macvtap_device(struct doctor *d, const struct vmtap_link_info *li, struct device_check *c)
{
	struct vmtap_link_info parent = { .sz = sizeof(parent) };
	int mode = vmtap_endpoint_macvtap_mode(c->ep);
	const char *recorded_parent = vmtap_endpoint_device(c->ep), *name;
	char fix[1024], ip[300], mac[VMTAP_MAC_STRLEN], want[VMTAP_MAC_STRLEN];
	uint8_t guest[6];
	bool has_parent;

	qemu_gather(d, li, c);
	name = mode >= 0 ? vmtap_macvtap_mode_name((enum vmtap_macvtap_mode)mode) : NULL;
	if (!li->has_macvtap_mode)
		report(d, SEV_PROBLEM, "macvtap mode", "destroy and create the endpoint again",
		       "%s is in a mode vmtap does not make (source?), the record says %s", li->name, name ? name : "?");
	else if ((int)li->macvtap_mode != mode)
		report(d, SEV_PROBLEM, "macvtap mode", "destroy and create the endpoint again",
		       "%s is in %s mode, the record says %s: frames between it and the parent's other devices do "
		       "not pass as the endpoint was made for", li->name, vmtap_macvtap_mode_name(li->macvtap_mode),
		       name ? name : "?");
	else
		report(d, SEV_OK, "macvtap mode", NULL, "%s, as recorded", name);

	has_parent = li->link_ifindex > 0 &&
		     vmtap_link_get_by_index(d->call->ctx, c->netns, li->link_ifindex, &parent) == 0;
	ip_cmd(c->netns, ip, sizeof(ip));
	if (!has_parent) {
		report(d, SEV_PROBLEM, "parent", "destroy and create the endpoint again",
		       "the parent of %s cannot be found in its namespace (the record says %s)", li->name,
		       recorded_parent);
	} else {
		if (strcmp(parent.name, recorded_parent))
			report(d, SEV_INFO, "parent", NULL, "%s sits on %s, recorded as %s: renamed since", li->name,
			       parent.name, recorded_parent);
		if (!(parent.flags & IFF_UP)) {
			snprintf(fix, sizeof(fix), "%s link set %s up", ip, parent.name);
			report(d, SEV_PROBLEM, "parent", fix, "%s is down: no frame reaches %s or leaves it", parent.name,
			       li->name);
		} else if (!parent.carrier) {
			report(d, SEV_WARNING, "parent", "bring up the other end of the parent's link (a veth's peer, a "
			       "cable)", "%s has no carrier: nothing reaches the wire through it", parent.name);
		} else {
			report(d, SEV_OK, "parent", NULL, "%s, up, with carrier", parent.name);
		}
	}
	if (!(li->flags & IFF_UP)) {
		snprintf(fix, sizeof(fix), "%s link set %s up", ip, li->name);
		report(d, SEV_PROBLEM, "link", fix, "%s is down: no packet passes", li->name);
	}

	/* in every mode but passthru, the parent hands a macvtap the frames sent to its MAC only */
	vmtap_endpoint_guest_mac(c->ep, guest);
	vmtap_mac_format(guest, want);
	if (li->has_mac && memcmp(li->mac, guest, 6)) {
		snprintf(fix, sizeof(fix), "%s link set %s address %s", ip, li->name, want);
		report(d, SEV_PROBLEM, "device mac", fix, "%s has MAC %s, the guest's is %s: frames sent to the guest "
		       "do not reach it", li->name, vmtap_mac_format(li->mac, mac), want);
	} else if (li->has_mac) {
		report(d, SEV_OK, "device mac", NULL, "%s, the guest's, as recorded", want);
	}
	if (has_parent && parent.has_mac && !memcmp(parent.mac, guest, 6) && li->macvtap_mode != VMTAP_MACVTAP_PASSTHRU)
		report(d, SEV_PROBLEM, "device mac", "destroy and create the endpoint again (it gives the parent a MAC "
		       "of its own)", "%s has the guest's MAC %s too: frames for the guest stop at the parent", parent.name,
		       want);

	check_mtu(d, li, has_parent ? &parent : NULL, "parent", c);
	if (c->qemu)
		check_qemu_queues(d, li->name, 0, vmtap_endpoint_queues(c->ep), c->qemu);
	else
		report(d, SEV_INFO, "queues", NULL, "the kernel does not tell how many queues of a macvtap are open: "
		       "--qmp compares QEMU's with the %u recorded", vmtap_endpoint_queues(c->ep));
	check_qemu_device(d, c);
}

/* The device of 'doctor dev NAME'. */
static int check_dev(struct doctor *d, const char *name, const char *netns, struct qemu_view *v)
{
	struct vmtap_link_info li = { .sz = sizeof(li) };
	struct device_check c = { .netns = netns, .qemu = v };
	int r = vmtap_link_get(d->call->ctx, netns, name, &li);

	if (r < 0)
		return r;
	if (!li.is_tun || li.tun_type != IFF_TAP) {
		cli_print_error(d->call->name, netns ? "the device is not a TAP device in that namespace" :
				"the device is not a TAP device");
		return EXIT_NOT_FOUND;
	}
	print_string(d->p, "target", "device ", "device");
	print_string(d->p, "ifname", "%s", li.name);
	if (netns)
		print_string(d->p, "netns", " in %s", netns);
	print_text(d->p, "\n");
	print_open_array(d->p, "checks");
	if (!strncmp(li.alias, VMTAP_TAG_PREFIX, strlen(VMTAP_TAG_PREFIX))) {
		char id[VMTAP_ID_MAX + 1];
		const char *at = strchr(li.alias + strlen(VMTAP_TAG_PREFIX), '@');
		size_t len = at ? (size_t)(at - li.alias) - strlen(VMTAP_TAG_PREFIX) : 0;
		if (len && len < sizeof(id)) {
			memcpy(id, li.alias + strlen(VMTAP_TAG_PREFIX), len);
			id[len] = '\0';
			report(d, SEV_INFO, "endpoint", NULL, "%s is tagged as endpoint %s: 'vmtap doctor %s' also "
			       "compares it with its record", li.name, id, id);
		}
	}
	check_device(d, &li, &c);
	print_close_array(d->p);
	return 0;
}

/* The endpoint of 'doctor ID'. */
static int check_endpoint(struct doctor *d, const char *id, struct qemu_view *v)
{
	struct vmtap_endpoint *ep = NULL;
	struct vmtap_link_info li = { .sz = sizeof(li) };
	struct device_check c = { .qemu = v, .hv = { .sz = sizeof(c.hv) } };
	char fix[1024], cmd[300], tag[VMTAP_ID_MAX + 16];
	const char *ifname;
	int r = vmtap_endpoint_load(d->call->ctx, id, &ep);

	if (r < 0)
		return r;
	c.ep = ep;
	c.netns = vmtap_endpoint_netns(ep);
	c.has_hv = vmtap_endpoint_hypervisor(ep, &c.hv) == 0;
	ifname = vmtap_endpoint_ifname(ep);
	print_string(d->p, "target", "endpoint ", "endpoint");
	print_string(d->p, "id", "%s", id);
	print_string(d->p, "ifname", ": device %s", ifname[0] ? ifname : "-");
	if (c.netns)
		print_string(d->p, "netns", " in %s", c.netns);
	print_text(d->p, "\n");
	print_open_array(d->p, "checks");
	vmtap_cmd(d, cmd, sizeof(cmd));

	if (vmtap_endpoint_state(ep) != VMTAP_EP_READY) {
		snprintf(fix, sizeof(fix), "%s gc finishes it (once no vmtap works on it)", cmd);
		report(d, SEV_PROBLEM, "record", fix, "the record says '%s': a %s was interrupted, or is under way",
		       vmtap_endpoint_state_name(vmtap_endpoint_state(ep)),
		       vmtap_endpoint_state(ep) == VMTAP_EP_CREATING ? "creation" : "destruction");
		goto out;
	}
	report(d, SEV_OK, "record", NULL, "ready: %u queue%s%s%s", vmtap_endpoint_queues(ep),
	       vmtap_endpoint_queues(ep) == 1 ? "" : "s", vmtap_endpoint_label(ep) ? ", label " : "",
	       vmtap_endpoint_label(ep) ? vmtap_endpoint_label(ep) : "");
	r = vmtap_link_get(d->call->ctx, c.netns, ifname, &li);
	if (r < 0) {
		snprintf(fix, sizeof(fix), "%s gc removes the record (or: %s endpoint destroy %s)", cmd, cmd, id);
		report(d, SEV_PROBLEM, "device", fix, "%s", r == -ENODEV ? "the device is gone" :
		       vmtap_ctx_error(d->call->ctx));
		r = 0;
		goto out;
	}
	snprintf(tag, sizeof(tag), VMTAP_TAG_PREFIX "%s@", id);
	if ((vmtap_endpoint_connection(ep) == VMTAP_CONNECT_MACVTAP ? !li.is_macvtap : !li.is_tun) ||
	    strncmp(li.alias, tag, strlen(tag))) {
		snprintf(fix, sizeof(fix), "%s gc removes the record and leaves that device alone", cmd);
		report(d, SEV_PROBLEM, "device", fix, "%s is no longer the endpoint's device: it does not carry its tag",
		       ifname);
		goto out;
	}
	if (c.has_hv && c.hv.pid && kill(c.hv.pid, 0) < 0 && errno == ESRCH)
		report(d, SEV_INFO, "hypervisor", NULL, "the QEMU recorded (pid %d) has exited", c.hv.pid);
	if (li.is_macvtap)
		check_macvtap_device(d, &li, &c);
	else
		check_device(d, &li, &c);
out:
	print_close_array(d->p);
	vmtap_endpoint_free(ep);
	return r;
}

/* What the positionals ask: 0 and the endpoint id or device name, or a usage error. */
enum target { T_HOST, T_ENDPOINT, T_DEV };

static int doctor_target(struct cli_call *call, enum target *ret_t, const char **ret_name)
{
	const struct doctor_args *a = call->data;
	char **args = call->args;

	*ret_name = NULL;
	if (call->nargs == 0) {
		*ret_t = T_HOST;
	} else if (!strcmp(args[0], "dev") || !strcmp(args[0], "endpoint")) {
		if (call->nargs != 2)
			return cli_usage_error(call->name, "expected %s after '%s'", args[0][0] == 'd' ? "a device NAME" :
					       "an endpoint ID", args[0]);
		*ret_t = args[0][0] == 'd' ? T_DEV : T_ENDPOINT;
		*ret_name = args[1];
	} else if (call->nargs == 1) {
		*ret_t = T_ENDPOINT;
		*ret_name = args[0];
	} else {
		return cli_usage_error(call->name, "unexpected argument '%s'", args[1]);
	}
	if (a->netns && *ret_t != T_DEV)
		return cli_usage_error(call->name, "--netns is for 'doctor dev NAME': an endpoint's record names its "
				       "namespace");
	if (a->qmp && *ret_t == T_HOST)
		return cli_usage_error(call->name, "--qmp is for an endpoint or a device");
	if (*ret_t == T_DEV && vmtap_name_validate(*ret_name) < 0)
		return cli_invalid(call->name, "'%s' is not a valid interface name", *ret_name);
	if (*ret_t == T_ENDPOINT && vmtap_endpoint_id_validate(*ret_name) < 0)
		return cli_invalid(call->name, "'%s' is not a valid endpoint id", *ret_name);
	return 0;
}

static int doctor_check(struct cli_call *call)
{
	enum target t;
	const char *name;

	return doctor_target(call, &t, &name);
}

static int doctor_run(struct cli_call *call)
{
	const struct doctor_args *a = call->data;
	struct doctor d = { .call = call };
	struct qemu_view v = { 0 };
	enum target t;
	const char *name;
	int r = doctor_target(call, &t, &name);

	if (r)
		return r;
	/* the QEMU asked for is reached first: when it cannot be, nothing is said of the rest */
	if (a->qmp && (r = vmtap_qmp_connect(call->ctx, a->qmp, 5000, &v.q)) < 0)
		return r;
	d.p = cli_printer(call);
	if (!d.p) {
		vmtap_qmp_free(v.q);
		return EXIT_RESOURCES;
	}
	print_open_object(d.p, NULL);
	if (t == T_HOST)
		r = check_host(&d);
	else if (t == T_ENDPOINT)
		r = check_endpoint(&d, name, a->qmp ? &v : NULL);
	else
		r = check_dev(&d, name, a->netns, a->qmp ? &v : NULL);
	vmtap_qmp_free(v.q);
	if (r) {
		/* nothing of a refused target is printed: what was opened is dropped */
		print_discard(d.p);
		return r;
	}
	print_uint(d.p, "problems", NULL, d.problems);
	print_uint(d.p, "warnings", NULL, d.warnings);
	if (d.problems)
		print_text(d.p, "%u problem%s, %u warning%s\n", d.problems, d.problems == 1 ? "" : "s", d.warnings,
			   d.warnings == 1 ? "" : "s");
	else
		print_text(d.p, "healthy: no problem, %u warning%s\n", d.warnings, d.warnings == 1 ? "" : "s");
	print_close_object(d.p);
	r = cli_print_done(call, d.p);
	if (r)
		return r;
	return d.problems ? EXIT_FAILURE_OTHER : EXIT_OK;
}

const struct cli_command cli_cmd_doctor = {
	.name = "doctor",
	.summary = "check the host, an endpoint or a device, and say how to fix it",
	.help = doctor_help,
	.options = (const struct cli_opt *const[]){ doctor_opts, NULL },
	.min_args = 0, .max_args = 2,
	.needs_ctx = true,
	CLI_DATA(doctor_defaults),
	.check = doctor_check,
	.run = doctor_run,
};

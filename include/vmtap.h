/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libvmtap public API: TAP devices, their links and namespaces, for virtual machines. */
#ifndef VMTAP_H
#define VMTAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Conventions: every function returns 0 (or a non-negative count) on success
 * and a negative errno on failure.  Outputs are named ret_* and are left
 * untouched on failure.  After a failure, vmtap_ctx_error() describes it as
 * "<step>: <reason>", with the kernel's extended-ack text when it gave one.
 * Every file descriptor the library opens is close-on-exec.
 *
 * Options structs start with a size field (set it with VMTAP_OPTS) so that
 * fields can be added without breaking callers built against older headers.
 */

#define VMTAP_IFNAMSIZ 16      /* 15 bytes + NUL, as the kernel's IFNAMSIZ */
#define VMTAP_MTU_MIN 68       /* IPv4's minimum (RFC 791); the kernel's ETH_MIN_MTU */
#define VMTAP_MTU_MAX 65535    /* the largest IP datagram, and the tun driver's limit */
#define VMTAP_MAC_STRLEN 18    /* "aa:bb:cc:dd:ee:ff" and its NUL */
#define VMTAP_MAX_QUEUES 256   /* the kernel's MAX_TAP_QUEUES */
#define VMTAP_ERROR_MAX 512

/*
 * Declare and zero an options struct with its size set:
 * VMTAP_OPTS(vmtap_tap_opts, o, .queues = 4);
 * The whole struct is zeroed first, tail padding included: a newer library
 * may have a field there, and reads it as zero (as libbpf's LIBBPF_OPTS).
 */
#define VMTAP_OPTS(TYPE, NAME, ...)                                          \
	struct TYPE NAME = ({                                               \
		memset(&NAME, 0, sizeof(struct TYPE));                      \
		(struct TYPE){ .sz = sizeof(struct TYPE), __VA_ARGS__ };    \
	})

/* ---- context, logging, errors ---- */

struct vmtap_ctx;

enum vmtap_log_level {
	VMTAP_LOG_ERR = 3,
	VMTAP_LOG_WARNING = 4,
	VMTAP_LOG_INFO = 6,
	VMTAP_LOG_DEBUG = 7,
};

typedef void (*vmtap_log_fn)(enum vmtap_log_level level, const char *msg, void *userdata);

int vmtap_ctx_new(struct vmtap_ctx **ret_ctx);
struct vmtap_ctx *vmtap_ctx_free(struct vmtap_ctx *ctx);
/* Messages at @max_level or more severe go to @fn; NULL @fn silences the library (the default). */
void vmtap_ctx_set_log(struct vmtap_ctx *ctx, vmtap_log_fn fn, void *userdata,
		       enum vmtap_log_level max_level);
/* Text of the last failure ("" when none); valid until the next call on @ctx. */
const char *vmtap_ctx_error(const struct vmtap_ctx *ctx);
/* The step that failed: "validate", "open queue", "set mtu", ... ("" when none). */
const char *vmtap_ctx_error_step(const struct vmtap_ctx *ctx);
/* The kernel's extended-ack message for the last failure, "" when it gave none. */
const char *vmtap_ctx_error_extack(const struct vmtap_ctx *ctx);
/* The negative errno of the last failure, 0 when none. */
int vmtap_ctx_error_code(const struct vmtap_ctx *ctx);

/* ---- validation (no kernel involved) ---- */

/* Interface name: 1..15 bytes, no '/', ':', whitespace, not "." or "..", no '%'. */
int vmtap_name_validate(const char *name);
/* As above, but one "%d" is allowed (a kernel-allocated name such as "tap%d"). */
int vmtap_name_pattern_validate(const char *name);
/* "aa:bb:cc:dd:ee:ff" (also '-' separated); rejects all-zero and multicast addresses. */
int vmtap_mac_parse(const char *buf, size_t len, uint8_t ret_mac[6]);
/* Format @mac as "aa:bb:cc:dd:ee:ff" into @out (VMTAP_MAC_STRLEN bytes); returns @out. */
char *vmtap_mac_format(const uint8_t mac[6], char out[VMTAP_MAC_STRLEN]);
/* Whether @mac can be a device's own address: unicast and not all zeros. */
bool vmtap_mac_usable(const uint8_t mac[6]);
/* Network namespace name as used under /run/netns. */
int vmtap_netns_name_validate(const char *name);

/* ---- feature probe ---- */

struct vmtap_features {
	size_t sz;
	bool tun_usable;            /* /dev/net/tun opened */
	char tun_reason[128];       /* why not, when !tun_usable */
	uint32_t tun_flags;         /* TUNGETFEATURES: IFF_TAP, IFF_NO_PI, IFF_VNET_HDR, ... */
	bool vnet_hdr;              /* IFF_VNET_HDR supported */
	bool multi_queue;           /* IFF_MULTI_QUEUE supported */
	bool napi;                  /* IFF_NAPI supported */
	unsigned int max_queues;    /* 256 with multi-queue, else 1 */
	bool vhost_net_usable;      /* /dev/vhost-net opened */
	char vhost_net_reason[128]; /* why not, when !vhost_net_usable */
};

int vmtap_probe(struct vmtap_ctx *ctx, struct vmtap_features *ret_features);

/* ---- TAP devices ---- */

/* Offload flags for vmtap_tap_opts.offloads (the kernel's TUN_F_* values). */
enum vmtap_offload {
	VMTAP_OFFLOAD_CSUM = 0x01,
	VMTAP_OFFLOAD_TSO4 = 0x02,
	VMTAP_OFFLOAD_TSO6 = 0x04,
	VMTAP_OFFLOAD_TSO_ECN = 0x08,
	VMTAP_OFFLOAD_UFO = 0x10,
	VMTAP_OFFLOAD_USO4 = 0x20,
	VMTAP_OFFLOAD_USO6 = 0x40,
};

enum vmtap_tap_flags {
	VMTAP_TAP_NO_VNET_HDR = 1u << 0,      /* do not ask for IFF_VNET_HDR */
	VMTAP_TAP_REQUIRE_VNET_HDR = 1u << 1, /* fail instead of degrading when unsupported */
	VMTAP_TAP_PERSIST = 1u << 2,          /* device outlives its fds (TUNSETPERSIST) */
	VMTAP_TAP_SET_OWNER = 1u << 3,        /* apply .owner */
	VMTAP_TAP_SET_GROUP = 1u << 4,        /* apply .group */
	VMTAP_TAP_MULTI_QUEUE = 1u << 5,      /* IFF_MULTI_QUEUE even with one queue */
	VMTAP_TAP_KERNEL_QDISC = 1u << 6,     /* keep the kernel's default qdiscs, not noqueue */
	VMTAP_TAP_ATTACH_UNUSED = 1u << 7,    /* attach: -EBUSY when any queue of the device is open already */
};
#define VMTAP_TAP_FLAGS_ALL 0xffu

/*
 * Defaults (fields left zero): a kernel-independent unique name "vmtNNNNNNNNNNNN",
 * one queue, vnet header on when supported with size 10, no offloads,
 * not persistent, current namespace.  A device vmtap creates gets the root
 * qdisc noqueue while still down, as libvirt does: a TAP never queues, and the
 * kernel's default for a multi-queue TAP (256 pfifo_fast) costs some 3 MB and
 * most of the time of bringing it up and deleting it.  Devices only attached
 * to keep theirs.
 */
struct vmtap_tap_opts {
	size_t sz;
	const char *name;          /* exact name, or a pattern with one %d; NULL: vmtap's own */
	unsigned int queues;       /* 1..256; 0 means 1 */
	uint32_t flags;            /* enum vmtap_tap_flags */
	unsigned int vnet_hdr_sz;  /* 10, 12 or 20; 0 means 10 */
	uint32_t offloads;         /* enum vmtap_offload; needs the vnet header */
	uid_t owner;               /* with VMTAP_TAP_SET_OWNER */
	gid_t group;               /* with VMTAP_TAP_SET_GROUP */
	const char *netns;         /* name, or path such as /proc/PID/ns/net; NULL: caller's */
	/* link settings applied as part of creation: if they fail, the device is removed */
	const struct vmtap_link_set_opts *link;
	/*
	 * @queues open files of /dev/net/tun not bound to any device yet, used
	 * instead of opening /dev/net/tun: for a privilege-separated caller that
	 * opens the device with a capability raised just for that (see
	 * vmtap-bridge-helper(8)).  The library works on duplicates, so the
	 * caller closes its own fds afterwards whether the call succeeded or not;
	 * they are the same open files, so until then they hold the device too
	 * (after a failure, a new device goes only when they are closed).
	 * NULL: the library opens /dev/net/tun itself.
	 */
	const int *tun_fds;
};

struct vmtap_tap;
struct vmtap_link_set_opts;

/* Create a TAP device exclusively: never attaches to an existing one. */
int vmtap_tap_create(struct vmtap_ctx *ctx, const struct vmtap_tap_opts *opts,
		     struct vmtap_tap **ret_tap);
/*
 * Open queues of an existing persistent TAP (opts->name, exact).  Fails with a
 * clear error when its multi-queue or vnet-header setting differs from @opts,
 * when a queue is busy or when the device cannot take that many queues.
 */
int vmtap_tap_attach(struct vmtap_ctx *ctx, const struct vmtap_tap_opts *opts,
		     struct vmtap_tap **ret_tap);
/* Close the handle's fds; a non-persistent device then disappears. Returns NULL. */
struct vmtap_tap *vmtap_tap_free(struct vmtap_tap *tap);
/* Remove the device even when persistent, and free the handle. */
int vmtap_tap_destroy(struct vmtap_ctx *ctx, struct vmtap_tap *tap);

const char *vmtap_tap_name(const struct vmtap_tap *tap);
int vmtap_tap_ifindex(const struct vmtap_tap *tap);
unsigned int vmtap_tap_queues(const struct vmtap_tap *tap);
bool vmtap_tap_vnet_hdr(const struct vmtap_tap *tap);
/* The fd of queue @queue, still owned by the handle; -EINVAL when out of range. */
int vmtap_tap_fd(const struct vmtap_tap *tap, unsigned int queue);
/*
 * Move ownership of all queue fds to the caller: @ret_fds gets
 * vmtap_tap_queues() entries, the handle keeps none.
 */
int vmtap_tap_steal_fds(struct vmtap_tap *tap, int *ret_fds, size_t n);
enum vmtap_queue_state {
	VMTAP_QUEUE_DETACHED = 0,     /* the kernel sends nothing to this queue (IFF_DETACH_QUEUE) */
	VMTAP_QUEUE_ATTACHED = 1,     /* back in the device's set (IFF_ATTACH_QUEUE) */
};
/* Attach or detach one queue (TUNSETQUEUE); only for multi-queue devices. */
int vmtap_tap_set_queue(struct vmtap_ctx *ctx, struct vmtap_tap *tap, unsigned int queue,
			enum vmtap_queue_state state);

enum vmtap_persist {
	VMTAP_PERSIST_OFF = 0,        /* the device goes with its last queue fd */
	VMTAP_PERSIST_ON = 1,         /* the device outlives its fds (TUNSETPERSIST) */
};
/* Make the device persistent or not. */
int vmtap_tap_set_persist(struct vmtap_ctx *ctx, struct vmtap_tap *tap, enum vmtap_persist persist);

/* ---- links (rtnetlink) ---- */

struct vmtap_link_stats {
	uint64_t rx_packets, tx_packets, rx_bytes, tx_bytes;
	uint64_t rx_errors, tx_errors, rx_dropped, tx_dropped;
};

/*
 * Set sz to sizeof(struct vmtap_link_info) before a look-up: the library
 * fills that much, never more (a caller built against an older, shorter
 * struct keeps its size).  A sz that does not reach past @name is refused.
 */
struct vmtap_link_info {
	size_t sz;
	int ifindex;
	char name[VMTAP_IFNAMSIZ];
	char kind[16];             /* IFLA_INFO_KIND: "tun", "bridge", "veth", ... */
	uint8_t mac[6];
	bool has_mac;
	uint32_t mtu, min_mtu, max_mtu;
	uint32_t txqlen;
	uint32_t flags;            /* IFF_UP, IFF_LOWER_UP, ... */
	uint8_t operstate;         /* IF_OPER_* */
	bool carrier;              /* IFLA_CARRIER */
	int master_ifindex;        /* 0: none */
	char master_name[VMTAP_IFNAMSIZ]; /* filled by vmtap_link_get*(), not by vmtap_link_foreach() */
	uint32_t group;
	char alias[256];
	/* IFLA_TUN_* (is_tun only) */
	bool is_tun;
	uint8_t tun_type;          /* IFF_TUN or IFF_TAP */
	bool tun_pi, tun_vnet_hdr, tun_persist, tun_multi_queue;
	/* a single-queue device has no IFLA_TUN_NUM_QUEUES: its queue count is its carrier (0 or 1) */
	uint32_t tun_num_queues, tun_num_disabled_queues;
	bool tun_has_owner, tun_has_group;
	uint32_t tun_owner, tun_group;
	bool has_stats;
	struct vmtap_link_stats stats;
	char qdisc[16];            /* IFLA_QDISC: kind of the root qdisc ("noqueue", "mq", "noop" ...) */
};

/* Look one link up by name (RTM_GETLINK with IFLA_IFNAME, no dump). */
int vmtap_link_get(struct vmtap_ctx *ctx, const char *netns, const char *name,
		   struct vmtap_link_info *ret_info);
int vmtap_link_get_by_index(struct vmtap_ctx *ctx, const char *netns, int ifindex,
			    struct vmtap_link_info *ret_info);

typedef int (*vmtap_link_fn)(const struct vmtap_link_info *info, void *userdata);

enum vmtap_link_flags {
	VMTAP_LINK_TUN_ONLY = 1u << 0, /* only TUN/TAP links */
};
#define VMTAP_LINK_FLAGS_ALL 0x1u
/* Call @fn for each link; a non-zero return stops and is returned. */
int vmtap_link_foreach(struct vmtap_ctx *ctx, const char *netns, uint32_t flags,
		       vmtap_link_fn fn, void *userdata);

enum vmtap_link_state {
	VMTAP_LINK_UNCHANGED = 0,
	VMTAP_LINK_UP = 1,
	VMTAP_LINK_DOWN = 2,
};

/*
 * Link settings; zero fields leave things unchanged.  With a master (bridge)
 * and no MTU, the link takes the bridge's MTU, set before it is enslaved.  With
 * a master and no MAC, the link gets a host-side MAC whose first byte is 0xFE
 * (see vmtap_mac_host_side()) so the bridge never adopts it as its own address.
 */
struct vmtap_link_set_opts {
	size_t sz;
	uint32_t mtu;                   /* 0: unchanged */
	bool set_mac;
	uint8_t mac[6];                 /* the link's own address */
	bool set_guest_mac;
	uint8_t guest_mac[6];           /* derive the link's address from the guest's */
	uint32_t txqlen;                /* 0: unchanged */
	enum vmtap_link_state state;
	const char *master;             /* bridge to attach to; NULL: unchanged */
	bool nomaster;                  /* detach from the current master */
	const char *alias;              /* IFLA_IFALIAS; NULL: unchanged, "": removed */
	const char *move_netns;         /* move the link into this namespace, as the last step */
};

/*
 * Apply @opts to link @name in @netns as one transaction: either everything is
 * applied or the link is put back as it was, and the error names the setting
 * the kernel refused.
 */
int vmtap_link_set(struct vmtap_ctx *ctx, const char *netns, const char *name,
		   const struct vmtap_link_set_opts *opts);

/* libvirt's rule for a TAP on a bridge: the guest's MAC with first byte 0xFE, or 0xFA if it is 0xFE already. */
void vmtap_mac_host_side(const uint8_t guest_mac[6], uint8_t ret_mac[6]);

/* Delete one link; -ENODEV when it does not exist. */
int vmtap_link_delete(struct vmtap_ctx *ctx, const char *netns, const char *name);
/*
 * Delete TAP links @names[0..n) with one kernel synchronisation (one RTM_DELLINK
 * on a link group): all exist and are tun/tap, or nothing is deleted.
 */
int vmtap_link_delete_many(struct vmtap_ctx *ctx, const char *netns,
			   const char *const *names, size_t n);


/* ---- endpoints: the unit users manage (state.c, endpoint.c) ---- */

/*
 * An endpoint is a TAP device made for one VM NIC, known by a user-given id
 * (1-64 of [A-Za-z0-9_.-], no leading dot) and recorded as JSON in a state
 * directory (default /run/vmtap, else VMTAP_STATE_DIR or
 * vmtap_ctx_set_state_dir()).  Its devices carry the ownership tag
 * "vmtap:<id>@<state identity>" in their alias, where the state identity is
 * 16 random hex digits kept in the state directory (".state-id"): so
 * vmtap_gc() can recognise its own devices from the kernel alone and never
 * takes another state directory's for orphans.  Aliases starting with
 * "vmtap:" or "vmtap-" cannot be set through the library (-EINVAL): only it
 * writes tags.
 *
 * The state directory must belong to the effective uid and be writable by
 * nobody else; every directory above it must belong to root or to us and not
 * be writable by others unless sticky, and symbolic links on the way are
 * followed only when root or we own them.  A directory that fails this is
 * refused (-EPERM), never re-moded; records and lock files not owned by the
 * effective uid are refused and left in place.  An invalid VMTAP_STATE_DIR
 * is an error (-EINVAL), as the same value given to
 * vmtap_ctx_set_state_dir() is.
 */
#define VMTAP_ID_MAX 64
#define VMTAP_TAG_PREFIX "vmtap:"
#define VMTAP_STATE_DIR_DEFAULT "/run/vmtap"

enum vmtap_connection {
	VMTAP_CONNECT_NONE = 0,
	VMTAP_CONNECT_BRIDGE = 1,
	/* later: tc redirect with a veth, macvtap */
};

enum vmtap_endpoint_flags {
	VMTAP_EP_NO_VNET_HDR = 1u << 0,
	VMTAP_EP_VHOST = 1u << 1,     /* vhost-net wanted at hand-off (degrades with a warning) */
	VMTAP_EP_SET_OWNER = 1u << 2,
	VMTAP_EP_SET_GROUP = 1u << 3,
	VMTAP_EP_DOWN = 1u << 4,      /* leave the host side down (default: up) */
	VMTAP_EP_KERNEL_QDISC = 1u << 5, /* keep the kernel's default qdiscs (see vmtap_tap_opts) */
};
#define VMTAP_EP_FLAGS_ALL 0x3fu

struct vmtap_endpoint_spec {
	size_t sz;
	const char *ifname;           /* exact name or pattern with %d; NULL: vmtap's own */
	unsigned int queues;          /* 1..256; 0 means 1 */
	uint32_t flags;               /* enum vmtap_endpoint_flags */
	uint32_t mtu;                 /* 0: the bridge's, else the kernel's default */
	bool set_guest_mac;
	uint8_t guest_mac[6];         /* default: 52:54:00 + a hash of the id */
	bool set_host_mac;
	uint8_t host_mac[6];          /* default: the guest's with first byte FE (FA if FE) */
	uid_t owner;
	gid_t group;
	const char *netns;            /* NULL: the caller's */
	enum vmtap_connection connection;
	const char *bridge;           /* with VMTAP_CONNECT_BRIDGE */
};

enum vmtap_endpoint_state {
	VMTAP_EP_CREATING = 1,        /* creation started; left so by a crash, gc rolls it back */
	VMTAP_EP_READY = 2,
	VMTAP_EP_DESTROYING = 3,      /* destruction started; gc finishes it */
};

struct vmtap_endpoint;

/* Point @ctx at a state directory (NULL: back to the default). */
int vmtap_ctx_set_state_dir(struct vmtap_ctx *ctx, const char *dir);
/* "vm7-net0": 1-64 of [A-Za-z0-9_.-], no leading dot. */
int vmtap_endpoint_id_validate(const char *id);

/*
 * Create endpoint @id transactionally: record "creating", create the TAP with
 * its tag and link settings, make it persistent, record "ready".  Any failure
 * undoes the steps done; the error names the step.  -EEXIST when @id exists.
 * @ret_endpoint may be NULL.
 */
int vmtap_endpoint_create(struct vmtap_ctx *ctx, const char *id, const struct vmtap_endpoint_spec *spec,
			  struct vmtap_endpoint **ret_endpoint);
/* Destroy @id: idempotent for a device or namespace already gone; -ENOENT when no record exists. */
int vmtap_endpoint_destroy(struct vmtap_ctx *ctx, const char *id);
/* Load the record of @id. */
int vmtap_endpoint_load(struct vmtap_ctx *ctx, const char *id, struct vmtap_endpoint **ret_endpoint);
struct vmtap_endpoint *vmtap_endpoint_free(struct vmtap_endpoint *ep);

/*
 * Call @fn for each record, in id order.  A record that cannot be read or
 * parsed is passed with @ep NULL, its file name in @file and the reason in
 * @error; it is left in place.  A non-zero return of @fn stops and is returned.
 */
typedef int (*vmtap_endpoint_fn)(const struct vmtap_endpoint *ep, const char *file, const char *error,
				 void *userdata);
int vmtap_endpoint_foreach(struct vmtap_ctx *ctx, vmtap_endpoint_fn fn, void *userdata);

const char *vmtap_endpoint_id(const struct vmtap_endpoint *ep);
enum vmtap_endpoint_state vmtap_endpoint_state(const struct vmtap_endpoint *ep);
const char *vmtap_endpoint_state_name(enum vmtap_endpoint_state state);
const char *vmtap_endpoint_ifname(const struct vmtap_endpoint *ep);     /* "" until known */
const char *vmtap_endpoint_netns(const struct vmtap_endpoint *ep);      /* NULL: the creator's */
unsigned int vmtap_endpoint_queues(const struct vmtap_endpoint *ep);
bool vmtap_endpoint_vnet_hdr(const struct vmtap_endpoint *ep);
bool vmtap_endpoint_vhost(const struct vmtap_endpoint *ep);
uint32_t vmtap_endpoint_mtu(const struct vmtap_endpoint *ep);           /* 0: not set */
void vmtap_endpoint_guest_mac(const struct vmtap_endpoint *ep, uint8_t ret_mac[6]);
void vmtap_endpoint_host_mac(const struct vmtap_endpoint *ep, uint8_t ret_mac[6]);
const char *vmtap_endpoint_bridge(const struct vmtap_endpoint *ep);     /* NULL: not connected */
/* The record as JSON text, as stored (valid until @ep is freed). */
const char *vmtap_endpoint_json(const struct vmtap_endpoint *ep);

/* The stable default guest MAC of endpoint @id: 52:54:00 and three bytes of a hash of @id. */
void vmtap_endpoint_default_mac(const char *id, uint8_t ret_mac[6]);

enum vmtap_gc_action {
	VMTAP_GC_DELETED_ORPHAN = 1,    /* tagged device without a record: deleted */
	VMTAP_GC_REMOVED_RECORD = 2,    /* record whose device vanished: removed */
	VMTAP_GC_ROLLED_BACK = 3,       /* creation never completed: device and record removed */
	VMTAP_GC_FINISHED_DESTROY = 4,  /* destruction never completed: finished */
	VMTAP_GC_UNPARSEABLE = 5,       /* record cannot be parsed: reported, left in place */
	VMTAP_GC_BUSY = 6,              /* another process holds the endpoint: left alone */
	VMTAP_GC_FAILED = 7,            /* the action failed; see @detail */
	VMTAP_GC_LEFT_ALONE = 8,        /* a tagged device or a record gc cannot prove is its to act on: @detail says why */
};

struct vmtap_gc_event {
	enum vmtap_gc_action action;
	bool dry_run;                   /* what would have been done */
	const char *id;                 /* NULL when unknown */
	const char *ifname;             /* NULL when no device is involved */
	const char *netns;              /* NULL: the caller's namespace */
	const char *detail;             /* file name, reason */
};

typedef void (*vmtap_gc_fn)(const struct vmtap_gc_event *event, void *userdata);

enum vmtap_gc_flags {
	VMTAP_GC_DRY_RUN = 1u << 0,     /* say what would be done, change nothing */
};
#define VMTAP_GC_FLAGS_ALL 0x1u
/*
 * Reconcile records with the kernel in the caller's namespace and every
 * namespace a record names (each namespace once, compared by identity, not
 * by name).  A device is deleted only when it is provably this state
 * directory's: a TAP whose alias carries the tag "vmtap:<id>@<identity of
 * this state directory>" and that no record names.  Devices tagged by another
 * state directory, by an older vmtap without a record here, or of another
 * kind are left alone with a VMTAP_GC_LEFT_ALONE event.  Never creates the
 * state directory; with @dry_run it changes nothing at all.  Returns the
 * number of events or a negative errno.
 */
int vmtap_gc(struct vmtap_ctx *ctx, uint32_t flags, vmtap_gc_fn fn, void *userdata);

/* ---- vhost-net (vhost.c) ---- */

/*
 * Open @n /dev/vhost-net fds (close-on-exec) into @ret_fds.  When vhost-net is
 * unavailable this fails (-ENOENT, -EACCES, ...) with the reason in the error
 * text; callers degrade to vhost=off with a warning.
 */
int vmtap_vhost_open(struct vmtap_ctx *ctx, unsigned int n, int *ret_fds);

/* ---- hand-off to QEMU (qemu.c) ---- */

/* One NIC as QEMU sees it: a tap netdev on fds the caller holds, and its device. */
struct vmtap_qemu_nic {
	size_t sz;
	const char *id;               /* device id, e.g. "net0": letters, digits, '-', '.', '_'; starts with a letter */
	const char *netdev_id;        /* NULL: "host" + id, as libvirt names them */
	unsigned int queues;          /* number of entries in fds, 1..256 */
	const int *fds;               /* the TAP queue fds */
	const int *vhostfds;          /* NULL: vhost=off; else @queues entries */
	const char *model;            /* NULL: "virtio-net-pci" */
	uint8_t mac[6];               /* the guest's MAC */
	uint32_t host_mtu;            /* passed as host_mtu unless 0 or 1500 */
	unsigned int vectors;         /* 0: 2*queues+2 (multi-queue PCI models) */
	const char *bus, *addr;       /* optional PCI placement */
};

/*
 * Fill a NULL-terminated argv ("-netdev", "tap,id=...,fds=...", "-device",
 * "...", ...) for @nics, after refusing what QEMU would refuse: fds and
 * vhostfds counts that differ, too few vectors, a multicast MAC, two NICs
 * with the same id or MAC, option values that would break QEMU's syntax.
 * Free with vmtap_qemu_args_free().
 */
int vmtap_qemu_args(struct vmtap_ctx *ctx, const struct vmtap_qemu_nic *const *nics, size_t n,
		    char ***ret_argv);
void vmtap_qemu_args_free(char **argv);

/*
 * Replace the calling process with QEMU, @qemu_argv plus the arguments for
 * @nics.  The NICs' fds are moved to numbers above every fd the process
 * inherited without close-on-exec, and only those copies lose close-on-exec;
 * every other fd of vmtap's is closed by the exec.  QEMU keeps this process's
 * pid, so signals and exit status reach the caller unchanged.  The fds belong
 * to this function; it returns only on failure.
 */
int vmtap_qemu_exec(struct vmtap_ctx *ctx, char *const *qemu_argv, const struct vmtap_qemu_nic *const *nics,
		    size_t n);

/* ---- bridge helper client (bridge_helper.c) ---- */

/*
 * Options for running a qemu-bridge-helper compatible program as a user
 * without CAP_NET_ADMIN: vmtap-bridge-helper (N queues, vhost-net fds) or
 * QEMU's own (one queue).
 */
struct vmtap_bridge_helper_opts {
	size_t sz;
	const char *helper;       /* program path, run without a shell; NULL: vmtap_bridge_helper_default_path() */
	const char *bridge;       /* the bridge to attach to (required) */
	unsigned int queues;      /* 1..256; 0 means 1 */
	uint32_t flags;           /* enum vmtap_bridge_helper_flags */
	int timeout_ms;           /* for the helper to finish; 0: 10 s */
};

enum vmtap_bridge_helper_flags {
	VMTAP_BRIDGE_HELPER_VHOST = 1u << 0,       /* ask for vhost-net fds too (--vhost); none come where vhost-net is unusable */
	VMTAP_BRIDGE_HELPER_NO_VNET_HDR = 1u << 1, /* leave out --use-vnet (QEMU always passes it) */
};
#define VMTAP_BRIDGE_HELPER_FLAGS_ALL 0x3u

/* Where vmtap-bridge-helper was installed (meson's libexecdir). */
const char *vmtap_bridge_helper_default_path(void);

/*
 * Run the helper over a socketpair and receive the fds of a new TAP on
 * opts->bridge.  One queue without vhost runs it exactly as QEMU does
 * (HELPER --use-vnet --fd=3 --br=BR), so QEMU's helper works too; more queues
 * or vhost add --queues=N and --vhost and read vmtap's multi-fd protocol
 * (see vmtap-bridge-helper(8)).  The helper gets only stdin, stdout, a pipe
 * as stderr and the socket as fd 3; what it writes to stderr becomes the
 * error text when it fails.
 *
 * @ret_fds gets opts->queues TAP queue fds (close-on-exec, owned by the
 * caller); @ret_vhost_fds (NULL unless VMTAP_BRIDGE_HELPER_VHOST) gets as many vhost-net
 * fds as @ret_nvhost says (0 or opts->queues; @ret_nvhost may be NULL only
 * without VMTAP_BRIDGE_HELPER_VHOST); @ret_ifname (may be NULL) the TAP's name.  The TAP is
 * not persistent: it disappears when the last of its fds is closed.  Needs
 * SIGCHLD not ignored, to collect the helper's exit status.
 */
int vmtap_bridge_helper_run(struct vmtap_ctx *ctx, const struct vmtap_bridge_helper_opts *opts,
			    int *ret_fds, int *ret_vhost_fds, unsigned int *ret_nvhost,
			    char ret_ifname[VMTAP_IFNAMSIZ]);

/* ---- endpoints and hypervisors ---- */

/*
 * Open the queues of endpoint @id's device (it must be "ready"); free with
 * vmtap_tap_free().  -EBUSY while another process holds queues of it.
 */
int vmtap_endpoint_open(struct vmtap_ctx *ctx, const char *id, struct vmtap_tap **ret_tap);

struct vmtap_hypervisor_info {
	size_t sz;
	int pid;                      /* 0: none */
	const char *netdev_id;
	const char *device_id;
	const char *pci_addr;         /* as QEMU reports it, NULL: unknown */
};
/* Record where endpoint @id's device was handed (NULL @info: clear it). */
int vmtap_endpoint_set_hypervisor(struct vmtap_ctx *ctx, const char *id, const struct vmtap_hypervisor_info *info);
/* The recorded hypervisor side of @ep (strings valid while @ep lives); -ENODATA when none. */
int vmtap_endpoint_hypervisor(const struct vmtap_endpoint *ep, struct vmtap_hypervisor_info *ret_info);

/* ---- QMP (qmp.c) and hot-plug (hotplug.c) ---- */

struct vmtap_qmp;

/*
 * Connect to QEMU's QMP unix socket @path: read the greeting, negotiate
 * capabilities.  Every read is bounded by @timeout_ms (0: 10 s).
 */
int vmtap_qmp_connect(struct vmtap_ctx *ctx, const char *path, int timeout_ms, struct vmtap_qmp **ret_qmp);
/* The same over a connected socket @fd, which the handle then owns (closed on failure too). */
int vmtap_qmp_from_fd(struct vmtap_ctx *ctx, int fd, int timeout_ms, struct vmtap_qmp **ret_qmp);
struct vmtap_qmp *vmtap_qmp_free(struct vmtap_qmp *qmp);
/* QEMU's pid, from the socket's peer credentials; 0 when unknown. */
int vmtap_qmp_peer_pid(const struct vmtap_qmp *qmp);
/*
 * Run @command with @arguments_json (an object, or NULL), passing @fd with
 * SCM_RIGHTS when >= 0.  Events that arrive meanwhile are kept for
 * vmtap_qmp_wait_event().  A QMP error returns -EREMOTEIO with QEMU's class
 * and description in the error text.  @ret_json (may be NULL) gets the
 * "return" value as JSON text, to free().
 */
int vmtap_qmp_execute(struct vmtap_ctx *ctx, struct vmtap_qmp *qmp, const char *command, const char *arguments_json,
		      int fd, char **ret_json);
/* The class of the last QMP error ("GenericError", "DeviceNotFound", ...), "" when none. */
const char *vmtap_qmp_error_class(const struct vmtap_qmp *qmp);
/*
 * Wait up to @timeout_ms for event @event whose data.device is @device (NULL:
 * any); -ETIMEDOUT when none came.  @ret_json (may be NULL) gets the event.
 */
int vmtap_qmp_wait_event(struct vmtap_ctx *ctx, struct vmtap_qmp *qmp, const char *event, const char *device,
			 int timeout_ms, char **ret_json);

struct vmtap_hotplug_opts {
	size_t sz;
	const char *qmp_path;                   /* QEMU's QMP socket */
	const struct vmtap_endpoint_spec *spec; /* for an endpoint that does not exist yet (NULL: defaults) */
	const char *device_id;                  /* NULL: "vmtap-<id>" */
	const char *netdev_id;                  /* NULL: "host" + device id */
	const char *model;                      /* NULL: "virtio-net-pci" */
	const char *bus, *addr;                 /* optional PCI placement */
	int vhost;                              /* -1: the endpoint's wish, 0 off, 1 on (degrades with a warning) */
	int timeout_ms;                         /* per QMP exchange; 0: 10 s */
};

/*
 * Hot-plug endpoint @id (created from opts->spec if it does not exist) into
 * a running QEMU: getfd each queue (and vhost) fd, netdev_add, device_add with
 * mq and vectors=2N+2, close our copies, record the device id, netdev id,
 * PCI address and QEMU's pid.  On failure everything added to QEMU is
 * removed, the fds are closed and an endpoint this call created is destroyed.
 */
int vmtap_hotplug(struct vmtap_ctx *ctx, const char *id, const struct vmtap_hotplug_opts *opts);

struct vmtap_unplug_opts {
	size_t sz;
	const char *qmp_path;
	int timeout_ms;                         /* for the guest to release the device; 0: 30 s */
	bool keep;                              /* keep the endpoint (default: destroy it) */
};

/*
 * device_del, wait for the guest to release the device (DEVICE_DELETED for
 * its id), netdev_del, then destroy the endpoint unless opts->keep.  If the
 * guest does not release it in time: -ETIMEDOUT, QEMU's netdev stays, and a
 * later call finishes the job.
 */
int vmtap_unplug(struct vmtap_ctx *ctx, const char *id, const struct vmtap_unplug_opts *opts);

#ifdef __cplusplus
}
#endif
#endif

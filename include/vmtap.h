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
 * Every public function, struct, enum and callback type below carries a
 * kernel-doc comment; scripts/api-doc.sh turns them into docs/api.md and
 * checks (unit test api-doc) that none is missing a parameter or its Return:.
 */

/**
 * DOC: Conventions
 *
 * Return values: a function that can fail returns 0 (or, where it says so,
 * a non-negative count) on success and a negative errno on failure.  Its
 * documentation lists the errnos callers can expect and when; a kernel
 * refusal not listed there is passed on as the kernel's errno.  Accessors
 * that cannot fail return their value directly.
 *
 * Outputs: output parameters are named ret_* and are left untouched on
 * failure.  Strings and structs a function gives back say who frees them;
 * a const char * from an accessor belongs to the object it came from and
 * lives as long as it does.
 *
 * Errors: after a failed call that takes a context, vmtap_ctx_error()
 * describes the failure as "<step>: <details>: <reason>" (or "validate:
 * <details>" for invalid input), followed by " (kernel: <extended ack>)" or
 * " (QEMU: <description>)" when the peer explained its refusal;
 * vmtap_ctx_error_step() and vmtap_ctx_error_code() give its parts.  Every
 * call that takes a context and can fail forgets the previous failure first.  When a
 * failure is followed by undoing the steps already done and the undo fails
 * too, the caller still sees the first failure; the undo's failure goes to
 * the log as "undo: ...".  The library never prints and never exits.
 *
 * File descriptors: every fd the library opens is close-on-exec.  An fd a
 * function gives back (a TAP queue, a vhost-net fd) belongs to the caller,
 * or to the handle it came from where that is said.
 *
 * Options structs (input) start with a size_t sz field: declare them with
 * VMTAP_OPTS(), which zeroes the whole struct and sets sz, so that a field
 * left out reads as zero, its documented default.  A library older than the
 * header refuses (%-EINVAL) a struct whose bytes past the end of the last
 * field it knows are not all zero, tail padding included, instead of
 * silently ignoring a field it does not know; a newer library reads the
 * fields an older caller's struct lacks as zero.  A NULL options pointer
 * means all defaults, except where a function requires the struct.
 *
 * Output structs (struct vmtap_features, struct vmtap_link_info, struct
 * vmtap_hypervisor_info as an output) also start with sz: the caller sets
 * it to sizeof the struct it has; the library fills at most that many bytes
 * and sets sz to the number it filled.
 *
 * Handles (struct vmtap_ctx, struct vmtap_tap, struct vmtap_endpoint,
 * struct vmtap_qmp) are opaque.  Each has a free function
 * (vmtap_ctx_free(), vmtap_tap_free(), vmtap_endpoint_free(),
 * vmtap_qmp_free()) that accepts NULL and returns NULL, so that
 * ``p = vmtap_tap_free(p);`` leaves no dangling pointer.
 * Handles do not refer to the context they were made with and may outlive
 * it.  @ctx must be a valid context unless a function says otherwise.
 *
 * Threads: a context and the handles are not thread-safe: use one context
 * per thread, and a handle from one thread at a time.  Contexts share
 * nothing, and the library keeps no global state.
 */

/**
 * DOC: Namespaces
 *
 * A function that takes a @netns works in that network namespace: a name
 * as "ip netns" makes them (a file under /run/netns), or an absolute path to
 * a namespace file such as /proc/PID/ns/net; NULL is the calling thread's
 * own namespace.  The calling thread never changes namespace: the work runs
 * on a netlink socket opened inside the namespace, or on a short-lived
 * thread that the library starts there and waits for (TAP queues are opened
 * that way).  The context keeps one netlink socket per namespace it met (up
 * to 8, the oldest closed first), known by the namespace's identity, not
 * its name.
 *
 * Errors of every such function include those of resolving @netns:
 * %-ENOENT when it does not exist, %-EINVAL when it is not a network
 * namespace file or not a valid name, %-ENAMETOOLONG for a path of PATH_MAX
 * bytes or more, and %-EACCES or %-EPERM when it cannot be opened or
 * entered.
 */

/* ---- limits and options structs ---- */

#define VMTAP_IFNAMSIZ 16      /* 15 bytes + NUL, as the kernel's IFNAMSIZ */
#define VMTAP_MTU_MIN 68       /* IPv4's minimum (RFC 791); the kernel's ETH_MIN_MTU */
#define VMTAP_MTU_MAX 65535    /* the largest IP datagram, and the tun driver's limit */
#define VMTAP_MAC_STRLEN 18    /* "aa:bb:cc:dd:ee:ff" and its NUL */
#define VMTAP_MAX_QUEUES 256   /* the kernel's MAX_TAP_QUEUES */
#define VMTAP_ERROR_MAX 512    /* size of the error text of a context, its NUL included */

/**
 * VMTAP_OPTS() - declare an options struct, all zero but its size
 * @TYPE: the struct's tag without "struct", such as vmtap_tap_opts
 * @NAME: the variable to declare
 * @...: designated initialisers of the fields to set, such as .queues = 4
 *
 * Example:
 *
 *	VMTAP_OPTS(vmtap_tap_opts, o, .queues = 4);
 *	if (vmtap_tap_create(ctx, &o, &tap) < 0) ...
 *
 * The whole struct is zeroed first, tail padding included: a newer library
 * may have a field there, and reads it as zero (as libbpf's LIBBPF_OPTS).
 * Needs a compiler with statement expressions (GCC, Clang).
 */
#define VMTAP_OPTS(TYPE, NAME, ...)                                          \
	struct TYPE NAME = ({                                               \
		memset(&NAME, 0, sizeof(struct TYPE));                      \
		(struct TYPE){ .sz = sizeof(struct TYPE), __VA_ARGS__ };    \
	})

/* ---- context, logging, errors ---- */

/* The library context: log callback, last failure, netlink sockets (see vmtap_ctx_new()). */
struct vmtap_ctx;

/**
 * enum vmtap_log_level - severity of a log message, with syslog's numbers
 * @VMTAP_LOG_ERR: a failure; also every failure of an undo ("undo: ...")
 * @VMTAP_LOG_WARNING: vmtap went on, but not as asked (vhost-net
 *	unavailable, no vnet header, a device left alone ...)
 * @VMTAP_LOG_INFO: what was done, such as the command run by vmtap_qemu_exec()
 * @VMTAP_LOG_DEBUG: every failure as it is reported, netlink and QMP traffic
 */
enum vmtap_log_level {
	VMTAP_LOG_ERR = 3,
	VMTAP_LOG_WARNING = 4,
	VMTAP_LOG_INFO = 6,
	VMTAP_LOG_DEBUG = 7,
};

/**
 * typedef vmtap_log_fn - receives the library's log messages
 * @level: the message's severity
 * @msg: the message, NUL-terminated, without a trailing newline, at most
 *	VMTAP_ERROR_MAX - 1 bytes; valid only during the call
 * @userdata: as given to vmtap_ctx_set_log()
 *
 * May be called on a short-lived thread the library started to work in
 * another namespace, while the calling thread waits for it.  It must not
 * call the library with the same context.
 */
typedef void (*vmtap_log_fn)(enum vmtap_log_level level, const char *msg, void *userdata);

/**
 * vmtap_ctx_new() - make a library context
 * @ret_ctx: where to store the new context
 *
 * The context starts silent (no log callback).  In a library built with
 * -Dfault_injection=true, the environment variable VMTAP_TEST_FAULT is read
 * here, for tests only.
 *
 * Return: 0, with *@ret_ctx set, to free with vmtap_ctx_free(); or
 * * %-EINVAL - @ret_ctx is NULL
 * * %-ENOMEM - out of memory
 */
int vmtap_ctx_new(struct vmtap_ctx **ret_ctx);
/**
 * vmtap_ctx_free() - free a context and close its netlink sockets
 * @ctx: the context, or NULL
 *
 * Return: NULL.
 */
struct vmtap_ctx *vmtap_ctx_free(struct vmtap_ctx *ctx);
/**
 * vmtap_ctx_set_log() - send the library's log messages to a callback
 * @ctx: the context (NULL: nothing happens)
 * @fn: the callback; NULL silences the library, the default
 * @userdata: passed to @fn
 * @max_level: the least severe level passed on: messages at @max_level or
 *	more severe go to @fn
 *
 * Return: nothing.
 */
void vmtap_ctx_set_log(struct vmtap_ctx *ctx, vmtap_log_fn fn, void *userdata,
		       enum vmtap_log_level max_level);
/**
 * vmtap_ctx_error() - the text of the last failure
 * @ctx: the context (NULL: "")
 *
 * "<step>: <details>: <reason>", see DOC: Conventions.
 *
 * Return: the text, at most VMTAP_ERROR_MAX - 1 bytes, "" when the last
 * call succeeded; owned by @ctx and valid until the next call on @ctx.
 */
const char *vmtap_ctx_error(const struct vmtap_ctx *ctx);
/**
 * vmtap_ctx_error_step() - the step that failed last
 * @ctx: the context (NULL: "")
 *
 * Return: "validate" for invalid input, else the step, such as "open
 * queue", "set mtu", "lock", "qmp"; "" when the last call succeeded.  Owned
 * by @ctx, valid until the next call on @ctx.
 */
const char *vmtap_ctx_error_step(const struct vmtap_ctx *ctx);
/**
 * vmtap_ctx_error_extack() - the kernel's explanation of the last failure
 * @ctx: the context (NULL: "")
 *
 * Return: the kernel's extended-ack message (escaped: no control
 * characters), "" when the kernel gave none or the failure was not the
 * kernel's (QEMU's explanations are only in vmtap_ctx_error()).  Owned by
 * @ctx, valid until the next call on @ctx.
 */
const char *vmtap_ctx_error_extack(const struct vmtap_ctx *ctx);
/**
 * vmtap_ctx_error_code() - the errno of the last failure
 * @ctx: the context (NULL: 0)
 *
 * Return: the negative errno the failed call returned, 0 when the last
 * call succeeded.
 */
int vmtap_ctx_error_code(const struct vmtap_ctx *ctx);

/* ---- validation (no kernel involved) ---- */

/**
 * vmtap_name_validate() - check an interface name
 * @name: the name (NULL is invalid)
 *
 * A valid name has 1 to 15 bytes, no '/', ':', white space or control
 * character, no '%', and is not "." or "..".  Bytes of 0x80 and above
 * (UTF-8) are allowed, as the kernel allows them.
 *
 * Return: 0 when valid, %-EINVAL when not.
 */
int vmtap_name_validate(const char *name);
/**
 * vmtap_name_pattern_validate() - check an interface name or name pattern
 * @name: the name or pattern (NULL is invalid)
 *
 * As vmtap_name_validate(), but one ``%d`` is allowed (and no other '%'): a
 * name the kernel completes with the first free number, such as ``tap%d``.
 *
 * Return: 0 when valid, %-EINVAL when not.
 */
int vmtap_name_pattern_validate(const char *name);
/**
 * vmtap_mac_parse() - parse a unicast MAC address
 * @buf: the text, not necessarily NUL-terminated
 * @len: its length in bytes: exactly 17 for a valid address
 * @ret_mac: where to store the 6 bytes
 *
 * Accepts "aa:bb:cc:dd:ee:ff", or '-' as the separator throughout, hex
 * digits in either case.
 *
 * Return: 0, or %-EINVAL when @buf or @ret_mac is NULL, the text is not of
 * that form, or the address is multicast or all zeros.
 */
int vmtap_mac_parse(const char *buf, size_t len, uint8_t ret_mac[6]);
/**
 * vmtap_mac_format() - format a MAC address
 * @mac: the 6 bytes
 * @out: where to write "aa:bb:cc:dd:ee:ff" (lower case), VMTAP_MAC_STRLEN bytes
 *
 * Return: @out.
 */
char *vmtap_mac_format(const uint8_t mac[6], char out[VMTAP_MAC_STRLEN]);
/**
 * vmtap_mac_usable() - whether a MAC address can be a device's own
 * @mac: the 6 bytes
 *
 * Return: true for a unicast address that is not all zeros.
 */
bool vmtap_mac_usable(const uint8_t mac[6]);
/**
 * vmtap_netns_name_validate() - check a network namespace name
 * @name: the name, as used under /run/netns (NULL is invalid)
 *
 * A valid name has 1 to 255 bytes, no '/' and no control character, and is
 * not "." or "..".
 *
 * Return: 0 when valid, %-EINVAL when not.
 */
int vmtap_netns_name_validate(const char *name);

/* ---- feature probe ---- */

/**
 * struct vmtap_features - what the kernel offers, as vmtap_probe() found it
 * @sz: set by the caller to sizeof(struct vmtap_features) before the call
 *	(it must at least cover @tun_usable); the library sets it to the
 *	number of bytes it filled
 * @tun_usable: /dev/net/tun could be opened for reading and writing
 * @tun_reason: why not ("cannot open /dev/net/tun: <reason>"), "" when
 *	@tun_usable
 * @tun_flags: the kernel's TUNGETFEATURES answer, IFF_TAP, IFF_NO_PI,
 *	IFF_VNET_HDR, IFF_MULTI_QUEUE, ... (IFF_TUN | IFF_TAP | IFF_NO_PI
 *	on a kernel without TUNGETFEATURES); 0 when !@tun_usable
 * @vnet_hdr: IFF_VNET_HDR is supported: virtio-net headers and offloads
 * @multi_queue: IFF_MULTI_QUEUE is supported
 * @napi: IFF_NAPI is supported
 * @max_queues: queues a TAP can have: VMTAP_MAX_QUEUES with multi-queue,
 *	1 without, 0 when !@tun_usable
 * @vhost_net_usable: /dev/vhost-net could be opened for reading and writing
 * @vhost_net_reason: why not, "" when @vhost_net_usable
 */
struct vmtap_features {
	size_t sz;
	bool tun_usable;
	char tun_reason[128];
	uint32_t tun_flags;
	bool vnet_hdr;
	bool multi_queue;
	bool napi;
	unsigned int max_queues;
	bool vhost_net_usable;
	char vhost_net_reason[128];
};

/**
 * vmtap_probe() - find out what the kernel's tun driver and vhost-net offer
 * @ctx: the context
 * @ret_features: the caller's struct, its sz set; filled on success
 *
 * Opens /dev/net/tun and /dev/vhost-net and closes them again.  A missing
 * or inaccessible device is no failure: the struct says so, with the reason.
 *
 * Return: 0, or %-EINVAL when @ret_features is NULL or its sz does not
 * cover the tun_usable field.
 */
int vmtap_probe(struct vmtap_ctx *ctx, struct vmtap_features *ret_features);

/* ---- TAP devices ---- */

/**
 * enum vmtap_offload - offloads for vmtap_tap_opts.offloads (the kernel's TUN_F_* values)
 * @VMTAP_OFFLOAD_CSUM: the guest may send packets with partial checksums
 *	(needed by every other offload)
 * @VMTAP_OFFLOAD_TSO4: TCP segmentation offload for IPv4
 * @VMTAP_OFFLOAD_TSO6: TCP segmentation offload for IPv6
 * @VMTAP_OFFLOAD_TSO_ECN: TSO with the ECN bit set
 * @VMTAP_OFFLOAD_UFO: UDP fragmentation offload
 * @VMTAP_OFFLOAD_USO4: UDP segmentation offload for IPv4 (kernel 6.2 and later)
 * @VMTAP_OFFLOAD_USO6: UDP segmentation offload for IPv6 (kernel 6.2 and later)
 */
enum vmtap_offload {
	VMTAP_OFFLOAD_CSUM = 0x01,
	VMTAP_OFFLOAD_TSO4 = 0x02,
	VMTAP_OFFLOAD_TSO6 = 0x04,
	VMTAP_OFFLOAD_TSO_ECN = 0x08,
	VMTAP_OFFLOAD_UFO = 0x10,
	VMTAP_OFFLOAD_USO4 = 0x20,
	VMTAP_OFFLOAD_USO6 = 0x40,
};

/**
 * enum vmtap_tap_flags - flags for vmtap_tap_opts.flags
 * @VMTAP_TAP_NO_VNET_HDR: do not ask for IFF_VNET_HDR (then no offloads
 *	and no @vnet_hdr_sz either)
 * @VMTAP_TAP_REQUIRE_VNET_HDR: fail (%-EOPNOTSUPP) instead of going on
 *	without the vnet header, with a warning, when the kernel lacks it
 * @VMTAP_TAP_PERSIST: create: the device outlives its fds (TUNSETPERSIST),
 *	made persistent as the last step of creation; attach: ignored (a
 *	device one can attach to is persistent already)
 * @VMTAP_TAP_SET_OWNER: apply vmtap_tap_opts.owner
 * @VMTAP_TAP_SET_GROUP: apply vmtap_tap_opts.group
 * @VMTAP_TAP_MULTI_QUEUE: IFF_MULTI_QUEUE even with one queue, so that more
 *	can be attached later; attach: expect a multi-queue device
 * @VMTAP_TAP_KERNEL_QDISC: create: keep the kernel's default qdiscs instead
 *	of the noqueue root vmtap gives its devices
 * @VMTAP_TAP_ATTACH_UNUSED: attach: %-EBUSY when any queue of the device is
 *	open already, in any process (the kernel's count, not a record's)
 */
enum vmtap_tap_flags {
	VMTAP_TAP_NO_VNET_HDR = 1u << 0,
	VMTAP_TAP_REQUIRE_VNET_HDR = 1u << 1,
	VMTAP_TAP_PERSIST = 1u << 2,
	VMTAP_TAP_SET_OWNER = 1u << 3,
	VMTAP_TAP_SET_GROUP = 1u << 4,
	VMTAP_TAP_MULTI_QUEUE = 1u << 5,
	VMTAP_TAP_KERNEL_QDISC = 1u << 6,
	VMTAP_TAP_ATTACH_UNUSED = 1u << 7,
};
#define VMTAP_TAP_FLAGS_ALL 0xffu      /* every flag of enum vmtap_tap_flags; others are refused */

/**
 * struct vmtap_tap_opts - how to create or attach to a TAP device
 * @sz: sizeof(struct vmtap_tap_opts), set by VMTAP_OPTS()
 * @name: an exact name (see vmtap_name_validate()), or for creation a
 *	pattern with one ``%d`` that the kernel completes; NULL (creation only):
 *	a random name "vmt" + 12 hex digits, another one tried if it is taken
 * @queues: number of queues, one fd each, 1..VMTAP_MAX_QUEUES; 0 means 1.
 *	More than one makes a multi-queue device
 * @flags: enum vmtap_tap_flags; 0: none
 * @vnet_hdr_sz: size of the virtio-net header in bytes: 10, 12 or 20;
 *	0 means 10.  Must stay 0 with VMTAP_TAP_NO_VNET_HDR
 * @offloads: enum vmtap_offload bits; 0: none.  Needs the vnet header, and
 *	any segmentation offload needs VMTAP_OFFLOAD_CSUM
 * @owner: uid allowed to use the device without CAP_NET_ADMIN
 *	(TUNSETOWNER), applied only with VMTAP_TAP_SET_OWNER
 * @group: gid allowed likewise (TUNSETGROUP), only with VMTAP_TAP_SET_GROUP
 * @netns: the namespace of the device (see DOC: Namespaces); NULL: the
 *	caller's
 * @link: link settings applied as part of creation, before the device
 *	becomes persistent: if they fail, the device is removed.  Applied on
 *	attach too, and put back if they fail.  Their move_netns is refused
 *	(create the device in its namespace instead); NULL: none
 * @tun_fds: @queues open files of /dev/net/tun not bound to any device
 *	yet, used instead of opening /dev/net/tun: for a privilege-separated
 *	caller that opens the device with a capability raised just for that
 *	(see vmtap-bridge-helper(8)).  The library works on duplicates, so
 *	the caller closes its own fds afterwards whether the call succeeded
 *	or not; they are the same open files, so until then they hold the
 *	device too (after a failure, a new device goes only when they are
 *	closed).  NULL: the library opens /dev/net/tun itself
 *
 * With every field zero: a random name, one queue, the vnet header when the
 * kernel supports it (size 10), no offloads, not persistent, the caller's
 * namespace.  A device vmtap creates gets the root qdisc noqueue while still
 * down, as libvirt does: a TAP never queues, and the kernel's default for a
 * multi-queue TAP (256 pfifo_fast) costs some 3 MB and most of the time of
 * bringing it up and deleting it.  Devices only attached to keep theirs.
 *
 * Each open sets the device's per-device state to what these options ask,
 * whatever a previous user left: vnet header size, offloads, no TX filter.
 */
struct vmtap_tap_opts {
	size_t sz;
	const char *name;
	unsigned int queues;
	uint32_t flags;
	unsigned int vnet_hdr_sz;
	uint32_t offloads;
	uid_t owner;
	gid_t group;
	const char *netns;
	const struct vmtap_link_set_opts *link;
	const int *tun_fds;
};

/* A TAP device's open queues, with its name and namespace (see vmtap_tap_create()). */
struct vmtap_tap;
struct vmtap_link_set_opts;

/**
 * vmtap_tap_create() - create a TAP device and open its queues
 * @ctx: the context
 * @opts: the options; NULL: all defaults
 * @ret_tap: where to store the handle, which owns the queue fds
 *
 * Creates exclusively (IFF_TUN_EXCL): never attaches to an existing device
 * of the same name.  Steps: open the queues in @opts->netns, set the
 * per-device state, owner and group, the noqueue root qdisc, the link
 * settings, then persistence.  Until the last step the device lives only as
 * long as its fds, so a failure, or the death of the process, leaves no
 * device behind.
 *
 * Return: 0, with *@ret_tap set (free it with vmtap_tap_free() or
 * vmtap_tap_destroy()); or
 * * %-EINVAL - invalid options (see struct vmtap_tap_opts and struct
 *   vmtap_link_set_opts), a reserved alias, or @ret_tap NULL
 * * %-EBUSY - a device named @opts->name exists already (any kind)
 * * %-EOPNOTSUPP - the kernel lacks TAP mode, multi-queue when more than
 *   one queue is asked, or the vnet header with VMTAP_TAP_REQUIRE_VNET_HDR
 *   or with offloads
 * * %-EPERM - no CAP_NET_ADMIN over the namespace
 * * %-EACCES, %-ENOENT - /dev/net/tun cannot be opened or does not exist
 * * %-EBADF - an entry of @opts->tun_fds is not an open /dev/net/tun
 * * %-ENODEV - the link settings' bridge does not exist
 * * %-ENOMEM - out of memory
 * * the errors of resolving @opts->netns (DOC: Namespaces), and the
 *   kernel's errno for a setting it refused (the step says which)
 */
int vmtap_tap_create(struct vmtap_ctx *ctx, const struct vmtap_tap_opts *opts,
		     struct vmtap_tap **ret_tap);
/**
 * vmtap_tap_attach() - open queues of an existing persistent TAP device
 * @ctx: the context
 * @opts: the options; @opts->name (exact) is required
 * @ret_tap: where to store the handle, which owns the queue fds
 *
 * The device's multi-queue and vnet-header settings are compared with
 * @opts first (the kernel would silently change the vnet header).  The
 * device keeps its qdiscs.  A failure closes the queues opened and leaves
 * the device as it was.
 *
 * Return: 0, with *@ret_tap set (free it with vmtap_tap_free()); or
 * * %-EINVAL - invalid options, no @opts->name, or the device is single-
 *   or multi-queue, or has the vnet header on or off, unlike @opts
 * * %-ENODEV - no device of that name (or it was replaced meanwhile)
 * * %-EMEDIUMTYPE - the device is not a TAP
 * * %-EBUSY - the device is not persistent (it belongs to the process that
 *   holds it), its single queue is open elsewhere, or, with
 *   VMTAP_TAP_ATTACH_UNUSED, any of its queues is
 * * %-E2BIG - the device cannot take that many more queues
 * * %-EPERM - the device's owner or group excludes the caller
 * * %-EBADF - an entry of @opts->tun_fds is not an open /dev/net/tun
 * * %-ENOMEM - out of memory
 * * the errors of resolving @opts->netns (DOC: Namespaces), and the
 *   kernel's errno for a setting it refused
 */
int vmtap_tap_attach(struct vmtap_ctx *ctx, const struct vmtap_tap_opts *opts,
		     struct vmtap_tap **ret_tap);
/**
 * vmtap_tap_free() - close the handle's queue fds and free it
 * @tap: the handle, or NULL
 *
 * A non-persistent device disappears once no fd of it is open any more
 * (fds taken with vmtap_tap_steal_fds() keep it); a persistent one stays.
 *
 * Return: NULL.
 */
struct vmtap_tap *vmtap_tap_free(struct vmtap_tap *tap);
/**
 * vmtap_tap_destroy() - remove the device, even when persistent, and free the handle
 * @ctx: the context
 * @tap: the handle, or NULL; freed in every case, failure included
 *
 * While the handle holds its queues, persistence is turned off and the
 * queues are closed: the kernel removes the device once nobody else holds
 * a queue of it either.  When the queues were taken with
 * vmtap_tap_steal_fds(), a persistent device is deleted over rtnetlink at
 * once.  A non-persistent device is only closed, as by vmtap_tap_free().
 *
 * Return: 0 (also when the device is gone already, or @tap is NULL), or
 * the kernel's errno for TUNSETPERSIST or the deletion, or the errors of
 * resolving the device's namespace.
 */
int vmtap_tap_destroy(struct vmtap_ctx *ctx, struct vmtap_tap *tap);

/**
 * vmtap_tap_name() - the device's name
 * @tap: the handle
 *
 * Return: the name, owned by @tap; NULL when @tap is NULL.
 */
const char *vmtap_tap_name(const struct vmtap_tap *tap);
/**
 * vmtap_tap_ifindex() - the device's interface index
 * @tap: the handle
 *
 * Return: the ifindex in the device's namespace, read when it was opened
 * (0 when it could not be read); %-EINVAL when @tap is NULL.
 */
int vmtap_tap_ifindex(const struct vmtap_tap *tap);
/**
 * vmtap_tap_queues() - the number of queues the handle opened
 * @tap: the handle
 *
 * Return: the count, 0 when @tap is NULL.
 */
unsigned int vmtap_tap_queues(const struct vmtap_tap *tap);
/**
 * vmtap_tap_vnet_hdr() - whether the queues carry a virtio-net header
 * @tap: the handle
 *
 * Return: true when the device was opened with IFF_VNET_HDR.
 */
bool vmtap_tap_vnet_hdr(const struct vmtap_tap *tap);
/**
 * vmtap_tap_fd() - the fd of one queue
 * @tap: the handle
 * @queue: the queue, 0..vmtap_tap_queues() - 1
 *
 * Return: the fd, still owned by the handle (close-on-exec); %-EINVAL when
 * @tap is NULL or @queue out of range, %-EBADF when the fds were taken
 * with vmtap_tap_steal_fds().
 */
int vmtap_tap_fd(const struct vmtap_tap *tap, unsigned int queue);
/**
 * vmtap_tap_steal_fds() - take all queue fds from the handle
 * @tap: the handle
 * @ret_fds: where to store vmtap_tap_queues() fds, in queue order
 * @n: the number of entries @ret_fds has room for
 *
 * All or nothing: afterwards the caller owns the fds (close-on-exec) and
 * closes them; the handle keeps none but still knows the device (name,
 * ifindex, namespace).
 *
 * Return: 0; %-EINVAL when @tap or @ret_fds is NULL or @n is smaller than
 * the number of queues, %-EBADF when they were taken already.
 */
int vmtap_tap_steal_fds(struct vmtap_tap *tap, int *ret_fds, size_t n);
/**
 * enum vmtap_queue_state - whether the kernel uses a queue of a multi-queue TAP
 * @VMTAP_QUEUE_DETACHED: the kernel sends nothing to this queue
 *	(IFF_DETACH_QUEUE); its fd stays open
 * @VMTAP_QUEUE_ATTACHED: back in the device's set (IFF_ATTACH_QUEUE)
 */
enum vmtap_queue_state {
	VMTAP_QUEUE_DETACHED = 0,
	VMTAP_QUEUE_ATTACHED = 1,
};
/**
 * vmtap_tap_set_queue() - attach or detach one queue (TUNSETQUEUE)
 * @ctx: the context
 * @tap: the handle, of a multi-queue device
 * @queue: the queue, 0..vmtap_tap_queues() - 1
 * @state: what the queue becomes
 *
 * Return: 0; or
 * * %-EINVAL - @tap NULL, @queue out of range, an unknown @state, or (from
 *   the kernel) the queue is in that state already
 * * %-EOPNOTSUPP - the device is single-queue
 * * %-EBADF - the handle's fds were taken with vmtap_tap_steal_fds()
 * * other errnos of the kernel's TUNSETQUEUE
 */
int vmtap_tap_set_queue(struct vmtap_ctx *ctx, struct vmtap_tap *tap, unsigned int queue,
			enum vmtap_queue_state state);

/**
 * enum vmtap_persist - whether a TAP device outlives its fds
 * @VMTAP_PERSIST_OFF: the device goes with its last queue fd
 * @VMTAP_PERSIST_ON: the device outlives its fds (TUNSETPERSIST)
 */
enum vmtap_persist {
	VMTAP_PERSIST_OFF = 0,
	VMTAP_PERSIST_ON = 1,
};
/**
 * vmtap_tap_set_persist() - make the device persistent or not
 * @ctx: the context
 * @tap: the handle, still holding its queues
 * @persist: what the device becomes; vmtap_tap_destroy() acts accordingly
 *
 * Return: 0; %-EINVAL when @tap is NULL, holds no queue fd (taken with
 * vmtap_tap_steal_fds()) or @persist is unknown; the kernel's errno for
 * TUNSETPERSIST, such as %-EPERM.
 */
int vmtap_tap_set_persist(struct vmtap_ctx *ctx, struct vmtap_tap *tap, enum vmtap_persist persist);

/* ---- links (rtnetlink) ---- */

/**
 * enum vmtap_macvtap_mode - how a macvtap device passes frames (macvlan's modes)
 * @VMTAP_MACVTAP_BRIDGE: to the wire, and straight to other macvtap or
 *	macvlan devices of the same parent (the default, as Kata's)
 * @VMTAP_MACVTAP_VEPA: everything to the wire; an external switch must
 *	reflect frames between devices of the same parent
 * @VMTAP_MACVTAP_PRIVATE: to the wire only; never to another device of
 *	the same parent, even if reflected
 * @VMTAP_MACVTAP_PASSTHRU: the only device of the parent, which it takes
 *	over whole (promiscuous)
 */
enum vmtap_macvtap_mode {
	VMTAP_MACVTAP_BRIDGE = 0,
	VMTAP_MACVTAP_VEPA = 1,
	VMTAP_MACVTAP_PRIVATE = 2,
	VMTAP_MACVTAP_PASSTHRU = 3,
};

/**
 * struct vmtap_link_stats - a link's counters since it was made (IFLA_STATS64)
 * @rx_packets: packets received
 * @tx_packets: packets sent
 * @rx_bytes: bytes received
 * @tx_bytes: bytes sent
 * @rx_errors: bad packets received
 * @tx_errors: packets that could not be sent
 * @rx_dropped: packets received but dropped (no buffer, no reader ...)
 * @tx_dropped: packets dropped on the way out (for a TAP: no room in the
 *	queue's ring, or no queue attached)
 */
struct vmtap_link_stats {
	uint64_t rx_packets, tx_packets, rx_bytes, tx_bytes;
	uint64_t rx_errors, tx_errors, rx_dropped, tx_dropped;
};

/**
 * struct vmtap_link_info - a link as the kernel describes it (RTM_NEWLINK)
 * @sz: set by the caller to sizeof(struct vmtap_link_info) before a
 *	look-up: the library fills that much, never more (a caller built
 *	against an older, shorter struct keeps its size), and sets sz to the
 *	bytes it filled.  A sz that does not reach past @name is refused.  In
 *	a vmtap_link_foreach() callback: the library's own size
 * @ifindex: interface index, > 0
 * @name: interface name
 * @kind: IFLA_INFO_KIND: "tun", "bridge", "veth", ...; "" for a device
 *	without one (a physical device, lo)
 * @mac: hardware address, valid when @has_mac
 * @has_mac: the link has a 6-byte hardware address
 * @mtu: MTU in bytes
 * @min_mtu: smallest MTU the device takes, 0 when not reported
 * @max_mtu: largest MTU the device takes, 0 when not reported (no limit)
 * @txqlen: transmit queue length, in packets
 * @flags: IFF_UP, IFF_LOWER_UP, IFF_RUNNING, ... (net/if.h)
 * @operstate: IF_OPER_* (RFC 2863): IF_OPER_UP, IF_OPER_DOWN, ...
 * @carrier: IFLA_CARRIER; a TAP has carrier while a queue is attached
 * @master_ifindex: ifindex of the bridge (or other master); 0: none
 * @master_name: name of the master; filled by vmtap_link_get() and
 *	vmtap_link_get_by_index(), not by vmtap_link_foreach(); "" when none
 * @group: link group (IFLA_GROUP), 0 by default
 * @alias: IFLA_IFALIAS, "" when none.  vmtap's ownership tags live here
 * @is_tun: a tun/tap device; the tun_* fields below are valid only then
 * @tun_type: IFF_TUN or IFF_TAP
 * @tun_pi: packets carry the tun packet-information header (no IFF_NO_PI)
 * @tun_vnet_hdr: queues carry a virtio-net header (IFF_VNET_HDR)
 * @tun_persist: the device outlives its fds
 * @tun_multi_queue: IFF_MULTI_QUEUE
 * @tun_num_queues: queues attached now.  A single-queue device has no
 *	IFLA_TUN_NUM_QUEUES: its count is its carrier (0 or 1)
 * @tun_num_disabled_queues: queues open but detached (IFF_DETACH_QUEUE)
 * @tun_has_owner: the device has an owner (TUNSETOWNER)
 * @tun_has_group: the device has a group (TUNSETGROUP)
 * @tun_owner: the owner's uid, valid when @tun_has_owner
 * @tun_group: the group's gid, valid when @tun_has_group
 * @has_stats: @stats is filled
 * @stats: the link's counters
 * @qdisc: IFLA_QDISC: kind of the root qdisc ("noqueue", "mq", "noop" ...)
 * @link_ifindex: IFLA_LINK: the device this one sits on (a macvtap's or
 *	macvlan's parent, a VLAN's lower device, a veth's peer), when the
 *	kernel names one in the same namespace; 0 when none.  A device in
 *	another namespace is also 0: its index would mean nothing here
 * @is_macvtap: a macvtap device; @macvtap_mode is valid only then
 * @has_macvtap_mode: the kernel reports a mode vmtap knows (not "source")
 * @macvtap_mode: the macvtap's mode, valid when @has_macvtap_mode
 */
struct vmtap_link_info {
	size_t sz;
	int ifindex;
	char name[VMTAP_IFNAMSIZ];
	char kind[16];
	uint8_t mac[6];
	bool has_mac;
	uint32_t mtu, min_mtu, max_mtu;
	uint32_t txqlen;
	uint32_t flags;
	uint8_t operstate;
	bool carrier;
	int master_ifindex;
	char master_name[VMTAP_IFNAMSIZ];
	uint32_t group;
	char alias[256];
	bool is_tun;
	uint8_t tun_type;
	bool tun_pi, tun_vnet_hdr, tun_persist, tun_multi_queue;
	uint32_t tun_num_queues, tun_num_disabled_queues;
	bool tun_has_owner, tun_has_group;
	uint32_t tun_owner, tun_group;
	bool has_stats;
	struct vmtap_link_stats stats;
	char qdisc[16];
	int link_ifindex;
	bool is_macvtap;
	bool has_macvtap_mode;
	enum vmtap_macvtap_mode macvtap_mode;
};

/**
 * vmtap_link_get() - look one link up by name
 * @ctx: the context
 * @netns: the namespace (see DOC: Namespaces); NULL: the caller's
 * @name: the link's exact name
 * @ret_info: the caller's struct, its sz set; filled on success
 *
 * One RTM_GETLINK with IFLA_IFNAME, never a dump.
 *
 * Return: 0; %-EINVAL for an invalid @name, or @ret_info NULL or with a sz
 * that does not reach past its name; %-ENODEV when there is no such link;
 * the errors of resolving @netns; another errno of the kernel's.
 */
int vmtap_link_get(struct vmtap_ctx *ctx, const char *netns, const char *name,
		   struct vmtap_link_info *ret_info);
/**
 * vmtap_link_get_by_index() - look one link up by interface index
 * @ctx: the context
 * @netns: the namespace (see DOC: Namespaces); NULL: the caller's
 * @ifindex: the interface index, > 0
 * @ret_info: the caller's struct, its sz set; filled on success
 *
 * Return: 0; %-EINVAL for @ifindex <= 0, or @ret_info NULL or with a sz
 * that does not reach past its name; %-ENODEV when there is no such link;
 * the errors of resolving @netns; another errno of the kernel's.
 */
int vmtap_link_get_by_index(struct vmtap_ctx *ctx, const char *netns, int ifindex,
			    struct vmtap_link_info *ret_info);

/**
 * typedef vmtap_link_fn - called by vmtap_link_foreach() for each link
 * @info: the link, valid only during the call
 * @userdata: as given to vmtap_link_foreach()
 *
 * The whole list is read before the first call, so the callback may call
 * the library, even with the same context.
 *
 * Return: 0 to go on; anything else stops the walk and is what
 * vmtap_link_foreach() returns.
 */
typedef int (*vmtap_link_fn)(const struct vmtap_link_info *info, void *userdata);

/**
 * enum vmtap_link_flags - flags of vmtap_link_foreach()
 * @VMTAP_LINK_TUN_ONLY: only tun/tap links (the kernel filters them)
 */
enum vmtap_link_flags {
	VMTAP_LINK_TUN_ONLY = 1u << 0,
};
#define VMTAP_LINK_FLAGS_ALL 0x1u      /* every flag of enum vmtap_link_flags; others are refused */
/**
 * vmtap_link_foreach() - call a function for each link of a namespace
 * @ctx: the context
 * @netns: the namespace (see DOC: Namespaces); NULL: the caller's
 * @flags: enum vmtap_link_flags; 0: every link
 * @fn: called for each link, with its statistics, in the kernel's order
 *	(ifindex order since Linux 6.7)
 * @userdata: passed to @fn
 *
 * A dump interrupted by a change of the link list is repeated (up to five
 * times), so that @fn sees one consistent list.
 *
 * Return: 0 when @fn returned 0 for every link; else the first non-zero
 * value @fn returned, as it is (possibly positive); or
 * * %-EINVAL - @fn NULL or unknown @flags
 * * %-EINTR - the link list kept changing during five dumps
 * * %-ENOMEM - out of memory
 * * the errors of resolving @netns, another errno of the kernel's
 */
int vmtap_link_foreach(struct vmtap_ctx *ctx, const char *netns, uint32_t flags,
		       vmtap_link_fn fn, void *userdata);

/**
 * enum vmtap_link_state - administrative state asked of a link
 * @VMTAP_LINK_UNCHANGED: leave it as it is
 * @VMTAP_LINK_UP: bring it up
 * @VMTAP_LINK_DOWN: bring it down
 */
enum vmtap_link_state {
	VMTAP_LINK_UNCHANGED = 0,
	VMTAP_LINK_UP = 1,
	VMTAP_LINK_DOWN = 2,
};

/**
 * struct vmtap_link_set_opts - link settings, applied by vmtap_link_set() as one transaction
 * @sz: sizeof(struct vmtap_link_set_opts), set by VMTAP_OPTS()
 * @mtu: MTU in bytes, VMTAP_MTU_MIN..VMTAP_MTU_MAX and within the link's
 *	own range; 0: unchanged (but see @master)
 * @set_mac: set @mac
 * @mac: the link's own address, unicast and not all zeros; with @set_mac
 * @set_guest_mac: derive the link's address from @guest_mac; not with @set_mac
 * @guest_mac: the guest's MAC: the link gets vmtap_mac_host_side() of it;
 *	unicast and not all zeros; with @set_guest_mac
 * @txqlen: transmit queue length in packets; 0: unchanged
 * @state: up, down, or unchanged (0)
 * @master: bridge to attach the link to, in the same namespace; it must
 *	exist and be a bridge; NULL: unchanged
 * @nomaster: detach the link from its current master (nothing to do when
 *	it has none); not with @master
 * @alias: IFLA_IFALIAS, at most 255 bytes; NULL: unchanged, "": removed.
 *	Aliases starting with "vmtap:" or "vmtap-" are refused: they are
 *	vmtap's ownership tags
 * @move_netns: move the link into this namespace (name or path, see
 *	DOC: Namespaces), as the last step; NULL: stay
 *
 * Fields left zero leave things unchanged, with two exceptions for a link
 * given a @master: without @mtu it takes the bridge's MTU, set before it is
 * enslaved; and without @set_mac or @set_guest_mac, a link whose address
 * does not start with 0xFE gets its first byte set to 0xFE, so that the
 * bridge, which takes the lowest address of its ports, never adopts it.
 */
struct vmtap_link_set_opts {
	size_t sz;
	uint32_t mtu;
	bool set_mac;
	uint8_t mac[6];
	bool set_guest_mac;
	uint8_t guest_mac[6];
	uint32_t txqlen;
	enum vmtap_link_state state;
	const char *master;
	bool nomaster;
	const char *alias;
	const char *move_netns;
};

/**
 * vmtap_link_set() - apply link settings as one transaction
 * @ctx: the context
 * @netns: the namespace of the link (see DOC: Namespaces); NULL: the caller's
 * @name: the link's exact name
 * @opts: the settings (required)
 *
 * Either everything is applied or the link is put back as it was: all
 * settings go in one RTM_NEWLINK; when the kernel refuses it, the old
 * values are written back and each setting is tried alone to find the one
 * refused, which the error's step names ("set mtu", "set master", ...),
 * with the kernel's extended ack.  Moving to @opts->move_netns comes last;
 * if it fails the other settings are put back.
 *
 * Return: 0; or
 * * %-EINVAL - @opts NULL, invalid @name or settings, unknown non-zero
 *   fields, an MTU outside the link's range, a master that is not a
 *   bridge or is the link itself, a reserved alias
 * * %-ENODEV - no link @name, or no bridge @opts->master
 * * the errors of resolving @netns and @opts->move_netns, and the
 *   kernel's errno for the setting it refused (such as %-EEXIST when the
 *   name is taken in the target namespace)
 */
int vmtap_link_set(struct vmtap_ctx *ctx, const char *netns, const char *name,
		   const struct vmtap_link_set_opts *opts);

/**
 * vmtap_link_chardev() - the device number of a macvtap's queues
 * @ctx: the context
 * @netns: the namespace (see DOC: Namespaces); NULL: the caller's
 * @name: the macvtap's exact name
 * @ret_dev: where to store the character device's number (major, minor)
 *
 * An open file whose st_rdev (fstat(), or stat() of /proc/PID/fd/N) is
 * this number is a queue of this macvtap: that is how one tells which fds
 * of a process (QEMU) are its queues, as vmtap doctor does; the kernel says
 * nothing else of them.  Read from a sysfs mounted privately for @netns, as
 * vmtap_endpoint_open() does (never /dev/tapN, which may be another
 * namespace's device); needs CAP_SYS_ADMIN.
 *
 * Return: 0; or
 * * %-EINVAL - invalid @name, @ret_dev NULL
 * * %-ENODEV - no link @name
 * * %-EMEDIUMTYPE - @name is not a macvtap
 * * %-EPERM - the caller may not mount a sysfs
 * * the errors of resolving @netns
 */
int vmtap_link_chardev(struct vmtap_ctx *ctx, const char *netns, const char *name, dev_t *ret_dev);

/**
 * vmtap_link_offloads() - the offloads a device does now, as the tun driver set them
 * @ctx: the context
 * @netns: the namespace (see DOC: Namespaces); NULL: the caller's
 * @name: the device's exact name
 * @ret_offloads: where to store enum vmtap_offload bits
 *
 * The tun driver turns the offloads of TUNSETOFFLOAD (vmtap_tap_opts.offloads,
 * or what QEMU sets from the features the guest's driver accepted) into the
 * device's features; this reads them back through ethtool (ETHTOOL_GFEATURES,
 * by feature name): VMTAP_OFFLOAD_CSUM for tx-checksum-ip-generic, TSO4, TSO6
 * and TSO_ECN for tx-tcp-segmentation, tx-tcp6-segmentation and
 * tx-tcp-ecn-segmentation, USO4 and USO6 together for tx-udp-segmentation.
 * VMTAP_OFFLOAD_UFO is never set: the kernel has no such feature since
 * Linux 4.14.  Any device can be asked; features turned off with ethtool -K
 * are not counted.
 *
 * Return: 0; %-EINVAL for an invalid @name or @ret_offloads NULL; %-ENODEV
 * when there is no such device; the errors of resolving @netns; another
 * errno of the kernel's.
 */
int vmtap_link_offloads(struct vmtap_ctx *ctx, const char *netns, const char *name, uint32_t *ret_offloads);

/**
 * vmtap_mac_host_side() - libvirt's host-side MAC for a TAP on a bridge
 * @guest_mac: the guest's MAC
 * @ret_mac: where to store the guest's MAC with its first byte set to 0xFE
 *	(0xFA when it is 0xFE already)
 *
 * A bridge takes the lowest address among its ports; 0xFE keeps the TAP's
 * above any ordinary one, and unlike the guest's own.
 *
 * Return: nothing.
 */
void vmtap_mac_host_side(const uint8_t guest_mac[6], uint8_t ret_mac[6]);

/**
 * vmtap_link_delete() - delete one link
 * @ctx: the context
 * @netns: the namespace (see DOC: Namespaces); NULL: the caller's
 * @name: the link's exact name
 *
 * Any kind of link, not only TAPs: the link is brought down and deleted,
 * both requests in one sendmsg().  To delete only TUN/TAP devices, use
 * vmtap_link_delete_many().
 *
 * Return: 0; %-EINVAL for an invalid @name; %-ENODEV when there is no such
 * link; the errors of resolving @netns; the kernel's errno when it refuses
 * (such as %-EOPNOTSUPP for a device that cannot be deleted).
 */
int vmtap_link_delete(struct vmtap_ctx *ctx, const char *netns, const char *name);
/**
 * vmtap_link_delete_many() - delete TUN/TAP links with one kernel synchronisation
 * @ctx: the context
 * @netns: the namespace (see DOC: Namespaces); NULL: the caller's
 * @names: the links' exact names, all different
 * @n: the number of names; 0 does nothing
 *
 * All exist and are tun/tap devices, or nothing is deleted: one dump finds
 * them, they go into a link group nobody uses, and one RTM_DELLINK on that
 * group deletes them, so the kernel's RCU synchronisation is paid once for
 * all.  If that fails, the links are put back in their groups and states.
 *
 * Return: 0; or
 * * %-EINVAL - @names NULL with @n > 0, an invalid name, a name given twice
 * * %-ENODEV - a link does not exist (the first such in @names' order)
 * * %-EMEDIUMTYPE - a link is not a tun/tap device
 * * %-EAGAIN - no free link group was found (vanishingly rare)
 * * %-ENOMEM - out of memory
 * * the errors of resolving @netns, another errno of the kernel's
 */
int vmtap_link_delete_many(struct vmtap_ctx *ctx, const char *netns,
			   const char *const *names, size_t n);


/* ---- endpoints: the unit users manage (state.c, endpoint.c) ---- */

/**
 * DOC: Endpoints
 *
 * An endpoint is a TAP device made for one VM NIC, known by a user-given id
 * (1-64 of [A-Za-z0-9_.-], no leading dot) and recorded as JSON in a state
 * directory (default /run/vmtap, else $VMTAP_STATE_DIR, read with
 * secure_getenv(), or vmtap_ctx_set_state_dir()).  Its devices carry the
 * ownership tag "vmtap:<id>@<state identity>" in their alias, where the
 * state identity is 16 random hex digits kept in the state directory
 * (".state-id"): so vmtap_gc() can recognise its own devices from the
 * kernel alone and never takes another state directory's for orphans.
 * Aliases starting with "vmtap:" or "vmtap-" cannot be set through the
 * library (%-EINVAL): only it writes tags.
 *
 * Each endpoint's steps run under its lock ("<id>.lock", flock()), which a
 * call waits for up to 10 s before it fails with %-EBUSY.  A hot-plug or
 * unplug also holds "<id>.plug" for its whole duration.
 *
 * The state directory must belong to the effective uid and be writable by
 * nobody else; every directory above it must belong to root or to us and not
 * be writable by others unless sticky, and symbolic links on the way are
 * followed only when root or we own them.  A directory that fails this is
 * refused (%-EPERM), never re-moded; records and lock files not owned by the
 * effective uid are refused and left in place.  Only the last component of
 * the path is created (mode 0700), by vmtap_endpoint_create(),
 * vmtap_hotplug() and vmtap_unplug().  An invalid $VMTAP_STATE_DIR is an
 * error (%-EINVAL), as the same value given to vmtap_ctx_set_state_dir() is.
 *
 * Errors of every function that reads the state directory include:
 * %-EPERM for a directory or file that fails the checks above, %-ENOENT
 * when a directory above the state directory is missing, %-EINVAL for an
 * invalid state directory path, and, for an unusable record (which is
 * left in place): %-EBADMSG when it cannot be parsed or is not a regular
 * file, %-ELOOP when it is a symbolic link, %-EFBIG when it is over 64 KiB.
 */
#define VMTAP_ID_MAX 64                /* longest endpoint id, in bytes */
#define VMTAP_TAG_PREFIX "vmtap:"      /* start of the ownership tag in a device's alias */
#define VMTAP_STATE_DIR_DEFAULT "/run/vmtap" /* state directory when none is set */

/**
 * enum vmtap_connection - what an endpoint's TAP is connected to
 * @VMTAP_CONNECT_NONE: nothing: the host side is configured by the caller
 * @VMTAP_CONNECT_BRIDGE: a port of the bridge vmtap_endpoint_spec.bridge
 * @VMTAP_CONNECT_REDIRECT: cross-connected by tc with the device
 *	vmtap_endpoint_spec.device of the endpoint's namespace, usually a
 *	pod's veth, as Kata's "tcfilter" model does (see DOC: Connections)
 * @VMTAP_CONNECT_MACVTAP: not a TAP but a macvtap device on the parent
 *	vmtap_endpoint_spec.device, in the mode vmtap_endpoint_spec.macvtap_mode
 *	(see DOC: Connections)
 */
enum vmtap_connection {
	VMTAP_CONNECT_NONE = 0,
	VMTAP_CONNECT_BRIDGE = 1,
	VMTAP_CONNECT_REDIRECT = 2,
	VMTAP_CONNECT_MACVTAP = 3,
};

/**
 * DOC: Connections
 *
 * A **redirect** endpoint (VMTAP_CONNECT_REDIRECT) is a TAP in the same
 * namespace as an existing device, cross-connected with it by tc, as Kata
 * Containers and tc-redirect-tap do: on the ingress hook of each device, a
 * u32 filter that matches every frame, with one action, "mirred egress
 * redirect" to the other device.  Frames the guest sends leave through the
 * device; frames arriving at the device go to the guest.  Both filters sit
 * at priority vmtap_endpoint_spec.tc_prio (VMTAP_TC_PRIO_DEFAULT when 0),
 * handle 800::800, and carry an action cookie that names the state
 * directory and the endpoint, which the kernel keeps: destroy and
 * vmtap_gc() remove exactly those filters, never another's.  An "ingress"
 * or "clsact" qdisc already on the device (Cilium, Calico, the bandwidth
 * plugin) is shared; vmtap creates an "ingress" qdisc only where there is
 * none, and removes it again only if no filter is left on it.  A priority
 * of the device that holds someone else's filter is refused (%-EEXIST).
 * The kernel runs a hook's filters in priority order, lowest number first:
 * a foreign filter at a lower number than vmtap's that matches a frame and
 * ends with a verdict (drop, redirect, or "ok") takes it before vmtap's
 * filter sees it; one that ends with "continue" or "pipe" passes it on.  Pick
 * the priority with that in mind.  The defaults follow Kata: the guest's MAC
 * is the device's (the guest is the pod on the wire), the TAP's MTU the
 * device's; the device keeps its MAC and addresses.
 *
 * A **macvtap** endpoint (VMTAP_CONNECT_MACVTAP) is a macvtap device on a
 * parent (an Ethernet device such as a veth, not a TAP, macvlan or
 * macvtap), its character device opened once per queue (1..256).  vmtap
 * finds that character device through a sysfs of the endpoint's own
 * namespace and opens it through a node in a private tmpfs: no udev, no
 * /dev/tap<ifindex> (which may be another namespace's device), nothing
 * left in /dev.  By default, as Kata does, the guest takes the parent's
 * MAC, and the parent gets a random locally administered one and loses
 * its IPv4 and IPv6 addresses and the routes through it while the
 * endpoint exists; all of it is put back when it is destroyed (or by
 * vmtap_gc()).  With vmtap_endpoint_spec.set_guest_mac or
 * VMTAP_EP_KEEP_PARENT the parent is left as it is (the guest then has
 * the id's default MAC).  In passthru mode the macvtap and its parent share
 * the parent's MAC, which therefore stays; the addresses still go unless
 * the parent is kept.  What is taken from the parent is written in the
 * endpoint's record before it is taken, so that a crash at any point can
 * be put right by destroy or gc.  A macvtap endpoint has no host-side MAC
 * of its own, no owner or group, and its queues cannot be made persistent:
 * it is an rtnetlink device, and its queues are opened only when it is
 * handed off (vmtap_endpoint_open()).  The kernel does not tell how many
 * queues a macvtap has open, so "one hypervisor at a time" rests on the
 * record: while the recorded hypervisor runs, a second open is refused.
 */

/* The tc priority of a redirect endpoint's filters when none is given: "vm" in ASCII. */
#define VMTAP_TC_PRIO_DEFAULT 30317
/* The longest vmtap_endpoint_spec.label, in bytes. */
#define VMTAP_LABEL_MAX 255

/**
 * enum vmtap_endpoint_flags - flags for vmtap_endpoint_spec.flags
 * @VMTAP_EP_NO_VNET_HDR: no virtio-net header (VMTAP_TAP_NO_VNET_HDR)
 * @VMTAP_EP_VHOST: vhost-net wanted at hand-off; recorded, and used by
 *	vmtap_hotplug() with VMTAP_VHOST_DEFAULT; without /dev/vhost-net the hand-off
 *	degrades to vhost=off with a warning
 * @VMTAP_EP_SET_OWNER: apply vmtap_endpoint_spec.owner
 * @VMTAP_EP_SET_GROUP: apply vmtap_endpoint_spec.group
 * @VMTAP_EP_DOWN: leave the host side down (default: up)
 * @VMTAP_EP_KERNEL_QDISC: keep the kernel's default qdiscs
 *	(VMTAP_TAP_KERNEL_QDISC, see struct vmtap_tap_opts)
 * @VMTAP_EP_KEEP_PARENT: macvtap: leave the parent's MAC and addresses
 *	as they are (implied by vmtap_endpoint_spec.set_guest_mac); the
 *	guest's MAC is then vmtap_endpoint_default_mac() of the id
 * @VMTAP_EP_EPHEMERAL: the endpoint lives as long as its hypervisor:
 *	vmtap_gc() destroys it once the process recorded with
 *	vmtap_endpoint_set_hypervisor() has exited, or, before one was
 *	recorded, once the process that created it has (vmtap exec uses it)
 */
enum vmtap_endpoint_flags {
	VMTAP_EP_NO_VNET_HDR = 1u << 0,
	VMTAP_EP_VHOST = 1u << 1,
	VMTAP_EP_SET_OWNER = 1u << 2,
	VMTAP_EP_SET_GROUP = 1u << 3,
	VMTAP_EP_DOWN = 1u << 4,
	VMTAP_EP_KERNEL_QDISC = 1u << 5,
	VMTAP_EP_KEEP_PARENT = 1u << 6,
	VMTAP_EP_EPHEMERAL = 1u << 7,
};
#define VMTAP_EP_FLAGS_ALL 0xffu       /* every flag of enum vmtap_endpoint_flags; others are refused */

/**
 * struct vmtap_endpoint_spec - what an endpoint is made of
 * @sz: sizeof(struct vmtap_endpoint_spec), set by VMTAP_OPTS()
 * @ifname: the TAP's exact name, or a pattern with one ``%d``; NULL: vmtap's
 *	own random name (see struct vmtap_tap_opts)
 * @queues: number of queues, 1..VMTAP_MAX_QUEUES; 0 means 1
 * @flags: enum vmtap_endpoint_flags; 0: none
 * @mtu: MTU in bytes, VMTAP_MTU_MIN..VMTAP_MTU_MAX; 0: the bridge's with
 *	a bridge, the device's with a redirect, the parent's with a macvtap
 *	(the kernel's), else the kernel's default (1500)
 * @set_guest_mac: use @guest_mac
 * @guest_mac: the guest's MAC, unicast and not all zeros; default: the
 *	device's with a redirect, the parent's with a macvtap (see DOC:
 *	Connections), else vmtap_endpoint_default_mac() of the id
 * @set_host_mac: use @host_mac (not with a macvtap, which has none)
 * @host_mac: the TAP's own MAC, unicast and not all zeros; default:
 *	vmtap_mac_host_side() of the guest's (first byte FE, FA if FE)
 * @owner: uid allowed to use the TAP, with VMTAP_EP_SET_OWNER
 * @group: gid allowed to use the TAP, with VMTAP_EP_SET_GROUP
 * @netns: the namespace of the TAP, a name or a path (see DOC:
 *	Namespaces) of at most 255 bytes; NULL: the caller's.  Its identity
 *	is recorded: a name that later points to another namespace is not
 *	taken for it
 * @connection: what the TAP is connected to; 0: nothing
 * @bridge: the bridge, with VMTAP_CONNECT_BRIDGE (required then, and
 *	must be NULL otherwise)
 * @device: with VMTAP_CONNECT_REDIRECT the device to cross-connect with,
 *	with VMTAP_CONNECT_MACVTAP the parent: an existing device of the
 *	endpoint's namespace (required then, and must be NULL otherwise)
 * @macvtap_mode: with VMTAP_CONNECT_MACVTAP; 0: bridge
 * @tc_prio: with VMTAP_CONNECT_REDIRECT, the filters' priority, 1..65535;
 *	0: VMTAP_TC_PRIO_DEFAULT
 * @label: free text recorded with the endpoint and returned by
 *	vmtap_endpoint_label(), at most VMTAP_LABEL_MAX bytes of printable
 *	UTF-8 (vmtap-cni keeps "cni:<network>:<container>:<ifname>"); NULL:
 *	none
 */
struct vmtap_endpoint_spec {
	size_t sz;
	const char *ifname;
	unsigned int queues;
	uint32_t flags;
	uint32_t mtu;
	bool set_guest_mac;
	uint8_t guest_mac[6];
	bool set_host_mac;
	uint8_t host_mac[6];
	uid_t owner;
	gid_t group;
	const char *netns;
	enum vmtap_connection connection;
	const char *bridge;
	const char *device;
	enum vmtap_macvtap_mode macvtap_mode;
	uint32_t tc_prio;
	const char *label;
};

/**
 * enum vmtap_endpoint_state - the state an endpoint's record is in
 * @VMTAP_EP_CREATING: creation started; left so by a crash, vmtap_gc()
 *	rolls it back
 * @VMTAP_EP_READY: created; the device exists and carries its tag
 * @VMTAP_EP_DESTROYING: destruction started; vmtap_endpoint_destroy() or
 *	vmtap_gc() finishes it
 */
enum vmtap_endpoint_state {
	VMTAP_EP_CREATING = 1,
	VMTAP_EP_READY = 2,
	VMTAP_EP_DESTROYING = 3,
};

/* An endpoint's record, as loaded (see vmtap_endpoint_load()). */
struct vmtap_endpoint;

/**
 * vmtap_ctx_set_state_dir() - point a context at a state directory
 * @ctx: the context (NULL: %-EINVAL)
 * @dir: an absolute path of at most 200 bytes without control characters;
 *	NULL: back to the default ($VMTAP_STATE_DIR, else /run/vmtap)
 *
 * The directory is neither opened nor created here: the calls that use it
 * check it (see DOC: Endpoints), and refuse a ".." component.
 *
 * Return: 0; %-EINVAL when @ctx is NULL or @dir is not such a path;
 * %-ENOMEM when out of memory.
 */
int vmtap_ctx_set_state_dir(struct vmtap_ctx *ctx, const char *dir);
/**
 * vmtap_ctx_state_dir() - the state directory a context uses
 * @ctx: the context (NULL: the default for a new context)
 *
 * The directory vmtap_ctx_set_state_dir() set, else $VMTAP_STATE_DIR (read
 * with secure_getenv()), else VMTAP_STATE_DIR_DEFAULT; not checked, opened
 * or created here (an invalid $VMTAP_STATE_DIR is refused by the calls that
 * use it).
 *
 * Return: the path, owned by @ctx (or the environment) and valid until the
 * next vmtap_ctx_set_state_dir() on @ctx.
 */
const char *vmtap_ctx_state_dir(const struct vmtap_ctx *ctx);
/**
 * vmtap_endpoint_id_validate() - check an endpoint id
 * @id: the id, such as "vm7-net0" (NULL is invalid)
 *
 * A valid id has 1 to VMTAP_ID_MAX bytes of letters, digits, '_', '.' and
 * '-', and does not start with a dot.
 *
 * Return: 0 when valid, %-EINVAL when not.
 */
int vmtap_endpoint_id_validate(const char *id);

/**
 * vmtap_endpoint_create() - create an endpoint transactionally
 * @ctx: the context
 * @id: the endpoint's id
 * @spec: what to make; NULL: all defaults
 * @ret_endpoint: where to store the new endpoint's record, or NULL
 *
 * Under the endpoint's lock: record "creating", create the TAP with its tag
 * and link settings (MAC, MTU, bridge, up), make it persistent, record
 * "ready".  Any failure undoes the steps done; the error names the step.  A
 * process killed half-way leaves either no device or a tagged one with a
 * "creating" record, which vmtap_gc() rolls back.  Creates the state
 * directory and its identity when missing.
 *
 * Return: 0, with *@ret_endpoint set (free it with vmtap_endpoint_free())
 * unless @ret_endpoint is NULL, or untouched in the unlikely case that the
 * endpoint was made but its handle could not be (a warning is logged: load
 * it); or
 * * %-EINVAL - invalid @id or @spec, unknown non-zero fields
 * * %-EEXIST - a record of @id exists, even an unusable one
 * * %-EBUSY - another process holds the endpoint's lock for over 10 s, or
 *   the device name is taken
 * * the errors of reading the state directory (DOC: Endpoints), of
 *   resolving @spec->netns (DOC: Namespaces), and those of
 *   vmtap_tap_create()
 */
int vmtap_endpoint_create(struct vmtap_ctx *ctx, const char *id, const struct vmtap_endpoint_spec *spec,
			  struct vmtap_endpoint **ret_endpoint);
/**
 * vmtap_endpoint_destroy() - destroy an endpoint: its device and its record
 * @ctx: the context
 * @id: the endpoint's id
 *
 * Under the endpoint's lock: record "destroying", delete the device, remove
 * the record and the lock file.  Idempotent for a device or namespace
 * already gone; a device that is no longer provably the endpoint's (its
 * tag, state identity or ifindex differ) is left alone with a warning.  A
 * QEMU holding the device is not asked: vmtap_unplug() first.  After a
 * failure the record says "destroying", and a later call or vmtap_gc()
 * finishes.
 *
 * Return: 0; or
 * * %-EINVAL - invalid @id
 * * %-ENOENT - no record of @id (or no state directory)
 * * %-EBUSY - another process holds the endpoint's lock for over 10 s
 * * %-EXDEV - the device is in the unnamed namespace it was created in,
 *   which is not the caller's: call this from there
 * * the errors of reading the state directory (DOC: Endpoints), another
 *   errno of the kernel's
 */
int vmtap_endpoint_destroy(struct vmtap_ctx *ctx, const char *id);
/**
 * vmtap_endpoint_load() - read an endpoint's record
 * @ctx: the context
 * @id: the endpoint's id
 * @ret_endpoint: where to store the record
 *
 * A snapshot: records are replaced atomically, so it is consistent, but it
 * does not follow later changes.
 *
 * Return: 0, with *@ret_endpoint set (free it with vmtap_endpoint_free());
 * %-EINVAL for an invalid @id or @ret_endpoint NULL; %-ENOENT when there is
 * no record of @id; %-ENOMEM; the errors of reading the state directory
 * (DOC: Endpoints).
 */
int vmtap_endpoint_load(struct vmtap_ctx *ctx, const char *id, struct vmtap_endpoint **ret_endpoint);
/**
 * vmtap_endpoint_free() - free a loaded endpoint record
 * @ep: the record, or NULL
 *
 * Return: NULL.
 */
struct vmtap_endpoint *vmtap_endpoint_free(struct vmtap_endpoint *ep);

/**
 * typedef vmtap_endpoint_fn - called by vmtap_endpoint_foreach() for each record
 * @ep: the endpoint, valid only during the call (do not free it); NULL when
 *	its record cannot be read or parsed
 * @file: the record's path
 * @error: why it cannot be used, when @ep is NULL; else NULL
 * @userdata: as given to vmtap_endpoint_foreach()
 *
 * A record that cannot be used is left in place.
 *
 * Return: 0 to go on; anything else stops the walk and is what
 * vmtap_endpoint_foreach() returns.
 */
typedef int (*vmtap_endpoint_fn)(const struct vmtap_endpoint *ep, const char *file, const char *error,
				 void *userdata);
/**
 * vmtap_endpoint_foreach() - call a function for each endpoint record
 * @ctx: the context
 * @fn: called for each record, in id order (byte order of the file names)
 * @userdata: passed to @fn
 *
 * Records are read without taking their locks; one removed meanwhile is
 * skipped.
 *
 * Return: 0 (also when there is no state directory) or the first non-zero
 * value @fn returned; %-EINVAL when @fn is NULL; %-ENOMEM; the errors of
 * reading the state directory (DOC: Endpoints), except those of single
 * records, which go to @fn.
 */
int vmtap_endpoint_foreach(struct vmtap_ctx *ctx, vmtap_endpoint_fn fn, void *userdata);

/**
 * vmtap_endpoint_id() - an endpoint's id
 * @ep: the record
 *
 * Return: the id, owned by @ep; NULL when @ep is NULL.
 */
const char *vmtap_endpoint_id(const struct vmtap_endpoint *ep);
/**
 * vmtap_endpoint_state() - the state an endpoint's record is in
 * @ep: the record
 *
 * Return: the state; 0 (no state) when @ep is NULL.
 */
enum vmtap_endpoint_state vmtap_endpoint_state(const struct vmtap_endpoint *ep);
/**
 * vmtap_endpoint_state_name() - the name of an endpoint state
 * @state: the state
 *
 * Return: "creating", "ready" or "destroying", "unknown" for anything
 * else; a static string.
 */
const char *vmtap_endpoint_state_name(enum vmtap_endpoint_state state);
/**
 * vmtap_endpoint_ifname() - the name of an endpoint's TAP
 * @ep: the record
 *
 * Return: the name, "" until known (a pattern or vmtap's own name is known
 * once the device exists); owned by @ep; NULL when @ep is NULL.
 */
const char *vmtap_endpoint_ifname(const struct vmtap_endpoint *ep);
/**
 * vmtap_endpoint_netns() - the namespace an endpoint's TAP was created in
 * @ep: the record
 *
 * Return: the name or path as given at creation, owned by @ep; NULL for
 * the creator's own namespace (or when @ep is NULL).
 */
const char *vmtap_endpoint_netns(const struct vmtap_endpoint *ep);
/**
 * vmtap_endpoint_queues() - the number of queues of an endpoint's TAP
 * @ep: the record
 *
 * Return: 1..VMTAP_MAX_QUEUES; 0 when @ep is NULL.
 */
unsigned int vmtap_endpoint_queues(const struct vmtap_endpoint *ep);
/**
 * vmtap_endpoint_vnet_hdr() - whether an endpoint's TAP has the virtio-net header
 * @ep: the record
 *
 * Return: true unless made with VMTAP_EP_NO_VNET_HDR; false when @ep is NULL.
 */
bool vmtap_endpoint_vnet_hdr(const struct vmtap_endpoint *ep);
/**
 * vmtap_endpoint_vhost() - whether an endpoint wants vhost-net at hand-off
 * @ep: the record
 *
 * Return: true when made with VMTAP_EP_VHOST; false when @ep is NULL.
 */
bool vmtap_endpoint_vhost(const struct vmtap_endpoint *ep);
/**
 * vmtap_endpoint_mtu() - the MTU an endpoint was made with
 * @ep: the record
 *
 * Return: the MTU in bytes: the one given, else for a redirect or macvtap
 * endpoint the device's it took; 0 otherwise (or when @ep is NULL).
 */
uint32_t vmtap_endpoint_mtu(const struct vmtap_endpoint *ep);
/**
 * vmtap_endpoint_guest_mac() - the guest's MAC of an endpoint
 * @ep: the record (NULL: @ret_mac is left untouched)
 * @ret_mac: where to store the 6 bytes
 *
 * Return: nothing.
 */
void vmtap_endpoint_guest_mac(const struct vmtap_endpoint *ep, uint8_t ret_mac[6]);
/**
 * vmtap_endpoint_host_mac() - the MAC of an endpoint's TAP
 * @ep: the record (NULL: @ret_mac is left untouched)
 * @ret_mac: where to store the 6 bytes
 *
 * Return: nothing.
 */
void vmtap_endpoint_host_mac(const struct vmtap_endpoint *ep, uint8_t ret_mac[6]);
/**
 * vmtap_endpoint_bridge() - the bridge an endpoint's TAP is a port of
 * @ep: the record
 *
 * Return: the bridge's name, owned by @ep; NULL when not connected to a
 * bridge (or @ep is NULL).
 */
const char *vmtap_endpoint_bridge(const struct vmtap_endpoint *ep);
/**
 * vmtap_endpoint_connection() - what an endpoint is connected to
 * @ep: the record
 *
 * Return: the connection; VMTAP_CONNECT_NONE when @ep is NULL.
 */
enum vmtap_connection vmtap_endpoint_connection(const struct vmtap_endpoint *ep);
/**
 * vmtap_endpoint_device() - the device an endpoint is connected to
 * @ep: the record
 *
 * Return: the bridge, the redirect's device or the macvtap's parent, owned
 * by @ep; NULL without a connection (or when @ep is NULL).
 */
const char *vmtap_endpoint_device(const struct vmtap_endpoint *ep);
/**
 * vmtap_endpoint_macvtap_mode() - the mode of a macvtap endpoint
 * @ep: the record
 *
 * Return: the mode, or %-EINVAL when @ep is NULL or not a macvtap endpoint.
 */
int vmtap_endpoint_macvtap_mode(const struct vmtap_endpoint *ep);
/**
 * vmtap_endpoint_tc_prio() - the tc priority of a redirect endpoint's filters
 * @ep: the record
 *
 * Return: 1..65535; 0 when @ep is NULL or not a redirect endpoint.
 */
uint32_t vmtap_endpoint_tc_prio(const struct vmtap_endpoint *ep);
/**
 * vmtap_endpoint_ephemeral() - whether an endpoint lives only as long as its hypervisor
 * @ep: the record
 *
 * Return: true when made with VMTAP_EP_EPHEMERAL; false when @ep is NULL.
 */
bool vmtap_endpoint_ephemeral(const struct vmtap_endpoint *ep);
/**
 * vmtap_endpoint_label() - the label an endpoint was created with
 * @ep: the record
 *
 * Return: the label, owned by @ep; NULL when there is none (or @ep is NULL).
 */
const char *vmtap_endpoint_label(const struct vmtap_endpoint *ep);
/**
 * vmtap_macvtap_mode_name() - the name of a macvtap mode
 * @mode: the mode
 *
 * Return: "bridge", "vepa", "private" or "passthru"; NULL for anything
 * else.  A static string.
 */
const char *vmtap_macvtap_mode_name(enum vmtap_macvtap_mode mode);
/**
 * vmtap_endpoint_json() - an endpoint's record as JSON text
 * @ep: the record
 *
 * Return: the JSON text of the record, owned by @ep and valid until it is
 * freed; NULL when @ep is NULL.
 */
const char *vmtap_endpoint_json(const struct vmtap_endpoint *ep);

/**
 * vmtap_endpoint_default_mac() - the stable default guest MAC of an endpoint
 * @id: the endpoint's id (NULL counts as "")
 * @ret_mac: where to store 52:54:00 followed by three bytes of a hash
 *	(FNV-1a) of @id: the same for the same id, on every machine
 *
 * Return: nothing.
 */
void vmtap_endpoint_default_mac(const char *id, uint8_t ret_mac[6]);

/**
 * enum vmtap_gc_action - what vmtap_gc() did, or would do in a dry run
 * @VMTAP_GC_DELETED_ORPHAN: a TAP tagged by this state directory without a
 *	record that names it: deleted
 * @VMTAP_GC_REMOVED_RECORD: a "ready" record whose device (or namespace)
 *	is gone: record removed
 * @VMTAP_GC_ROLLED_BACK: a creation that never completed: device and
 *	record removed
 * @VMTAP_GC_FINISHED_DESTROY: a destruction that never completed: finished
 * @VMTAP_GC_UNPARSEABLE: a record that cannot be read or parsed, or a
 *	record file whose name is no valid id: reported, left in place
 * @VMTAP_GC_BUSY: another process holds the endpoint's lock: left alone
 * @VMTAP_GC_FAILED: the action failed; @detail of the event says why
 * @VMTAP_GC_LEFT_ALONE: a tagged device or a record gc cannot prove is its
 *	own to act on: another state directory's tag, an old tag without a
 *	state identity, a device that is not a TAP, a device in an unnamed
 *	namespace that is not the caller's; @detail says why
 * @VMTAP_GC_REMOVED_FILTER: a tc filter carrying this state directory's
 *	cookie whose endpoint is gone (@id NULL: the cookie names no record)
 *	or no longer uses it: removed, with the ingress qdisc vmtap made for
 *	it when nothing else is left on it
 * @VMTAP_GC_DESTROYED_EPHEMERAL: a VMTAP_EP_EPHEMERAL endpoint whose
 *	hypervisor (or creator) has exited: destroyed
 */
enum vmtap_gc_action {
	VMTAP_GC_DELETED_ORPHAN = 1,
	VMTAP_GC_REMOVED_RECORD = 2,
	VMTAP_GC_ROLLED_BACK = 3,
	VMTAP_GC_FINISHED_DESTROY = 4,
	VMTAP_GC_UNPARSEABLE = 5,
	VMTAP_GC_BUSY = 6,
	VMTAP_GC_FAILED = 7,
	VMTAP_GC_LEFT_ALONE = 8,
	VMTAP_GC_REMOVED_FILTER = 9,
	VMTAP_GC_DESTROYED_EPHEMERAL = 10,
};

/**
 * struct vmtap_gc_event - one finding of vmtap_gc(), passed to its callback
 * @action: what was done, or would be done
 * @dry_run: nothing was done: this is what would have been done
 * @id: the endpoint's id; NULL when unknown
 * @ifname: the device's name; NULL when no device is involved
 * @netns: the namespace of the device, as a record names it; NULL: the
 *	caller's
 * @detail: a human-readable reason (for VMTAP_GC_FAILED, the failure's
 *	error text; for VMTAP_GC_UNPARSEABLE, the file and why)
 *
 * The strings are valid only during the callback.
 */
struct vmtap_gc_event {
	enum vmtap_gc_action action;
	bool dry_run;
	const char *id;
	const char *ifname;
	const char *netns;
	const char *detail;
};

/**
 * typedef vmtap_gc_fn - called by vmtap_gc() for each event, as it happens
 * @event: the event, valid only during the call
 * @userdata: as given to vmtap_gc()
 */
typedef void (*vmtap_gc_fn)(const struct vmtap_gc_event *event, void *userdata);

/**
 * enum vmtap_gc_flags - flags of vmtap_gc()
 * @VMTAP_GC_DRY_RUN: say what would be done, do nothing
 */
enum vmtap_gc_flags {
	VMTAP_GC_DRY_RUN = 1u << 0,
};
#define VMTAP_GC_FLAGS_ALL 0x1u        /* every flag of enum vmtap_gc_flags; others are refused */
/**
 * vmtap_gc() - reconcile the endpoint records with the kernel
 * @ctx: the context
 * @flags: enum vmtap_gc_flags; 0: act
 * @fn: called for each event; NULL: events are only counted
 * @userdata: passed to @fn
 *
 * Looks at every record, each under its lock taken without waiting, then
 * at the tagged devices of the caller's namespace and of every namespace a
 * record names (each namespace once, compared by identity, not by name).
 * A device is deleted only when it is provably this state directory's: a
 * TAP whose alias carries the tag "vmtap:<id>@<identity of this state
 * directory>" and that no record names.  Devices tagged by another state
 * directory, by an older vmtap without a record here, or of another kind
 * are left alone with a VMTAP_GC_LEFT_ALONE event.  Lock, plug-lock and
 * temporary files that killed processes left are removed too, without
 * events.  A failure of one action is a VMTAP_GC_FAILED event, and gc goes
 * on.  Never creates the state directory; with VMTAP_GC_DRY_RUN it deletes
 * and rewrites nothing (it may still create the lock file of an orphan's
 * id, which the next gc removes).
 *
 * Return: the number of events (>= 0, also without a state directory); or
 * * %-EINVAL - unknown @flags
 * * %-ENOMEM - out of memory
 * * the errors of reading the state directory (DOC: Endpoints) other than
 *   its absence
 */
int vmtap_gc(struct vmtap_ctx *ctx, uint32_t flags, vmtap_gc_fn fn, void *userdata);

/* ---- vhost-net (vhost.c) ---- */

/**
 * vmtap_vhost_open() - open /dev/vhost-net once per queue
 * @ctx: the context
 * @n: the number of fds, 1..VMTAP_MAX_QUEUES
 * @ret_fds: where to store @n fds, which then belong to the caller
 *	(close-on-exec)
 *
 * All or nothing.  When vhost-net is unavailable this fails, with the
 * reason in the error text; callers degrade to vhost=off with a warning.
 *
 * Return: 0; %-EINVAL when @ret_fds is NULL or @n out of range; %-ENOENT
 * when there is no /dev/vhost-net; %-EACCES or %-EPERM when it cannot be
 * opened; %-EMFILE, %-ENOMEM.
 */
int vmtap_vhost_open(struct vmtap_ctx *ctx, unsigned int n, int *ret_fds);

/* ---- hand-off to QEMU (qemu.c) ---- */

/**
 * struct vmtap_qemu_nic - one NIC as QEMU sees it: a tap netdev on fds the caller holds, and its device
 * @sz: sizeof(struct vmtap_qemu_nic), set by VMTAP_OPTS()
 * @id: the device id, such as "net0": a letter, then letters, digits, '-',
 *	'.', '_', at most 120 bytes (QEMU's id syntax); required
 * @netdev_id: the netdev id, same syntax; NULL: "host" + @id, as libvirt
 *	names them.  No two NICs may share an id of either kind
 * @queues: the number of entries in @fds, 1..VMTAP_MAX_QUEUES
 * @fds: the TAP queue fds, each >= 0
 * @vhostfds: vhost-net fds, @queues of them, each >= 0; NULL: vhost=off
 * @model: the device model; NULL: "virtio-net-pci"
 * @mac: the guest's MAC: unicast, not all zeros (so it must be set), and
 *	not shared with another NIC
 * @host_mtu: MTU in bytes passed to the device as host_mtu,
 *	VMTAP_MTU_MIN..VMTAP_MTU_MAX; 0 or 1500: not passed
 * @vectors: MSI-X vectors; 0: 2 * @queues + 2.  At least that many when
 *	given; passed only for more than one queue on a "-pci" model
 * @bus: PCI bus to place the device on; NULL: QEMU chooses
 * @addr: PCI slot (and function) on that bus; NULL: QEMU chooses
 *
 * @model, @bus and @addr are plain values: at most 127 bytes, no ',', '=',
 * white space or control characters, which would break QEMU's syntax.
 */
struct vmtap_qemu_nic {
	size_t sz;
	const char *id;
	const char *netdev_id;
	unsigned int queues;
	const int *fds;
	const int *vhostfds;
	const char *model;
	uint8_t mac[6];
	uint32_t host_mtu;
	unsigned int vectors;
	const char *bus, *addr;
};

/**
 * vmtap_qemu_args() - QEMU's arguments for NICs on fds the caller holds
 * @ctx: the context
 * @nics: the NICs, @n pointers
 * @n: the number of NICs; 0 gives an empty argv
 * @ret_argv: where to store the NULL-terminated argv
 *
 * For each NIC: "-netdev", "tap,id=<netdev>,fd=<fd>" (fds=A:B:... for
 * several queues) with ",vhost=off" or ",vhost=on,vhostfd(s)=...", then
 * "-device", "<model>,id=<id>,netdev=<netdev>,mac=<mac>" with ",mq=on" and
 * ",vectors=N" for several queues, host_mtu, bus and addr when set.  What
 * QEMU would refuse is refused first: fds and vhostfds counts that differ,
 * too few vectors, a multicast MAC, two NICs with the same id or MAC,
 * option values that would break QEMU's syntax.  The fds are not touched.
 *
 * Return: 0, with *@ret_argv set (free it with vmtap_qemu_args_free()); or
 * * %-EINVAL - @ret_argv NULL, @nics NULL with @n > 0, an invalid NIC
 *   (see struct vmtap_qemu_nic)
 * * %-EBADF - a NIC's fd or vhost fd is negative
 * * %-ENOMEM - out of memory
 */
int vmtap_qemu_args(struct vmtap_ctx *ctx, const struct vmtap_qemu_nic *const *nics, size_t n,
		    char ***ret_argv);
/**
 * vmtap_qemu_args_free() - free an argv from vmtap_qemu_args()
 * @argv: the argv, or NULL
 *
 * Return: nothing.
 */
void vmtap_qemu_args_free(char **argv);

/**
 * vmtap_qemu_exec() - replace the calling process with QEMU, its NICs on fds
 * @ctx: the context
 * @qemu_argv: QEMU's command line, NULL-terminated; @qemu_argv[0] is
 *	looked up in $PATH (execvp())
 * @nics: the NICs, @n pointers; their fds and vhost fds now belong to
 *	this function
 * @n: the number of NICs
 *
 * Runs @qemu_argv plus the arguments vmtap_qemu_args() makes for @nics.
 * The NICs' fds keep their numbers (one on 0, 1 or 2 is first moved above
 * them, since QEMU would take it for its stdio) and only those fds lose
 * close-on-exec: every other fd vmtap opened is closed by the exec.  QEMU
 * keeps this process's pid, so signals and exit status reach the caller
 * unchanged.
 *
 * Return: only on failure, after closing every fd of @nics; then
 * * %-EINVAL - an empty @qemu_argv, @nics NULL with @n > 0, an invalid NIC
 * * %-EBADF - a negative fd, or one that is not open
 * * %-EMFILE - an fd on 0, 1 or 2 cannot be moved
 * * %-ENOMEM - out of memory
 * * the errno of execvp(), such as %-ENOENT or %-EACCES
 */
int vmtap_qemu_exec(struct vmtap_ctx *ctx, char *const *qemu_argv, const struct vmtap_qemu_nic *const *nics,
		    size_t n);

/* ---- bridge helper client (bridge_helper.c) ---- */

/**
 * struct vmtap_bridge_helper_opts - how vmtap_bridge_helper_run() runs a bridge helper
 * @sz: sizeof(struct vmtap_bridge_helper_opts), set by VMTAP_OPTS()
 * @helper: the program's path, run without a shell and without a $PATH
 *	search; NULL: vmtap_bridge_helper_default_path()
 * @bridge: the bridge to attach the new TAP to; required
 * @queues: number of queues, 1..VMTAP_MAX_QUEUES; 0 means 1
 * @flags: enum vmtap_bridge_helper_flags; 0: none
 * @timeout_ms: in milliseconds, how long the helper may take to reply and
 *	exit before it is killed; 0: 10 s
 *
 * For a qemu-bridge-helper compatible program, run by a user without
 * CAP_NET_ADMIN: vmtap-bridge-helper (N queues, vhost-net fds) or QEMU's
 * own (one queue).
 */
struct vmtap_bridge_helper_opts {
	size_t sz;
	const char *helper;
	const char *bridge;
	unsigned int queues;
	uint32_t flags;
	int timeout_ms;
};

/**
 * enum vmtap_bridge_helper_flags - flags for vmtap_bridge_helper_opts.flags
 * @VMTAP_BRIDGE_HELPER_VHOST: ask for vhost-net fds too (--vhost); none
 *	come where vhost-net is unusable
 * @VMTAP_BRIDGE_HELPER_NO_VNET_HDR: leave out --use-vnet (QEMU always
 *	passes it): a TAP without the virtio-net header
 */
enum vmtap_bridge_helper_flags {
	VMTAP_BRIDGE_HELPER_VHOST = 1u << 0,
	VMTAP_BRIDGE_HELPER_NO_VNET_HDR = 1u << 1,
};
#define VMTAP_BRIDGE_HELPER_FLAGS_ALL 0x3u /* every flag of enum vmtap_bridge_helper_flags */

/**
 * vmtap_bridge_helper_default_path() - where vmtap-bridge-helper was installed
 *
 * Return: the path under meson's libexecdir, a static string.
 */
const char *vmtap_bridge_helper_default_path(void);

/**
 * vmtap_bridge_helper_run() - get a new TAP on a bridge from a bridge helper
 * @ctx: the context
 * @opts: the options (required)
 * @ret_fds: where to store @opts->queues TAP queue fds, which then belong
 *	to the caller (close-on-exec)
 * @ret_vhost_fds: where to store up to @opts->queues vhost-net fds, which
 *	then belong to the caller (close-on-exec); required with
 *	VMTAP_BRIDGE_HELPER_VHOST, else ignored (may be NULL)
 * @ret_nvhost: where to store the number of vhost-net fds received: 0, or
 *	@opts->queues; required with VMTAP_BRIDGE_HELPER_VHOST, else set to 0
 *	unless NULL
 * @ret_ifname: where to store the TAP's name, VMTAP_IFNAMSIZ bytes; NULL
 *	when not wanted
 *
 * Runs the helper over a socketpair and receives the fds of a new TAP on
 * @opts->bridge.  One queue without vhost runs it exactly as QEMU does
 * (HELPER --use-vnet --fd=3 --br=BR), so QEMU's helper works too; more
 * queues or vhost add --queues=N and --vhost and read vmtap's multi-fd
 * protocol (see vmtap-bridge-helper(8)).  The helper gets only stdin,
 * stdout, a pipe as stderr and the socket as fd 3, and the caller's
 * environment; what it writes to stderr becomes the error text when it
 * fails.  The fds received are checked to be queues of one TAP.  All or
 * nothing: on failure every fd received is closed.  The TAP is not
 * persistent: it disappears when the last of its fds is closed.  Needs
 * SIGCHLD not ignored, to collect the helper's exit status.
 *
 * Return: 0; or
 * * %-EINVAL - @opts NULL or with unknown non-zero fields or flags, no or
 *   an invalid bridge name, @opts->queues out of range, a negative
 *   timeout, @ret_fds missing (or @ret_vhost_fds or @ret_nvhost with
 *   VMTAP_BRIDGE_HELPER_VHOST); or the helper exited with status 3 (an
 *   invalid value)
 * * %-ENOENT, %-EACCES - the helper cannot be run (posix_spawn())
 * * %-ENODEV - the helper exited with status 4: no such bridge
 * * %-EACCES - the helper exited with status 6: not permitted (its ACL,
 *   no CAP_NET_ADMIN, /dev/net/tun)
 * * %-EDQUOT - the helper exited with status 8: over a per-user limit
 * * %-EIO - the helper exited with another status, or a signal killed it
 * * %-EBADMSG - a malformed or incomplete reply, or fds that are not the
 *   queues of one TAP
 * * %-ETIMEDOUT - no complete reply, or no exit, in time: the helper was
 *   killed
 * * %-ECHILD - its exit status cannot be collected (SIGCHLD ignored)
 * * %-ENOMEM, %-EMFILE - out of memory or fds
 */
int vmtap_bridge_helper_run(struct vmtap_ctx *ctx, const struct vmtap_bridge_helper_opts *opts,
			    int *ret_fds, int *ret_vhost_fds, unsigned int *ret_nvhost,
			    char ret_ifname[VMTAP_IFNAMSIZ]);

/* ---- endpoints and hypervisors ---- */

/**
 * vmtap_endpoint_open() - open the queues of an endpoint's TAP
 * @ctx: the context
 * @id: the endpoint's id; it must be "ready"
 * @ret_tap: where to store a handle on the TAP's queues
 *
 * One hypervisor at a time: the device must be the one the record made,
 * with no queue open in any process.  Free the handle with vmtap_tap_free(),
 * which leaves the endpoint's device in place; vmtap_tap_destroy() would
 * remove the device from under its record.
 *
 * Return: 0, with *@ret_tap set; or
 * * %-EINVAL - invalid @id, @ret_tap NULL
 * * %-ENOENT - no endpoint @id
 * * %-EBUSY - the endpoint is not "ready", its queues are open elsewhere
 *   (the error names the recorded QEMU), or its lock is held for over 10 s
 * * %-ENODEV - its device or namespace is gone, or the device of that
 *   name is no longer the endpoint's
 * * %-EXDEV - the device is in the unnamed namespace it was created in,
 *   which is not the caller's
 * * the errors of reading the state directory (DOC: Endpoints) and those
 *   of vmtap_tap_attach()
 */
int vmtap_endpoint_open(struct vmtap_ctx *ctx, const char *id, struct vmtap_tap **ret_tap);

/**
 * struct vmtap_hypervisor_info - where an endpoint's device was handed to
 * @sz: as an input, sizeof(struct vmtap_hypervisor_info), set by
 *	VMTAP_OPTS(); as an output, set by the caller, see DOC: Conventions
 * @pid: QEMU's pid (its start time is recorded with it, so that a later
 *	process with the same pid is not taken for it); 0: none
 * @netdev_id: QEMU's netdev id, at most 127 bytes; NULL: none
 * @device_id: QEMU's device id, at most 127 bytes; NULL: none
 * @pci_addr: the device's PCI address as QEMU reports it,
 *	"dddd:bb:ss.f" in lower-case hex; NULL: unknown
 *
 * @netdev_id and @device_id follow QEMU's id syntax (see struct
 * vmtap_qemu_nic): a record holding anything else cannot be read back.
 */
struct vmtap_hypervisor_info {
	size_t sz;
	int pid;
	const char *netdev_id;
	const char *device_id;
	const char *pci_addr;
};
/**
 * vmtap_endpoint_set_hypervisor() - record where an endpoint's device was handed
 * @ctx: the context
 * @id: the endpoint's id
 * @info: the hypervisor side; NULL: clear it
 *
 * Return: 0; or
 * * %-EINVAL - invalid @id, unknown non-zero fields, a negative pid, an
 *   id or address over its length
 * * %-ESRCH - no process @info->pid
 * * %-ENOENT - no endpoint @id
 * * %-EBUSY - another process holds the endpoint's lock for over 10 s
 * * the errors of reading and writing the state directory (DOC: Endpoints)
 */
int vmtap_endpoint_set_hypervisor(struct vmtap_ctx *ctx, const char *id, const struct vmtap_hypervisor_info *info);
/**
 * vmtap_endpoint_hypervisor() - the recorded hypervisor side of an endpoint
 * @ep: the record
 * @ret_info: the caller's struct, its sz set; filled on success, its
 *	strings owned by @ep and valid while it lives
 *
 * Return: 0; %-EINVAL when @ep or @ret_info is NULL or its sz is smaller
 * than a size_t; %-ENODATA when the record names no hypervisor.
 */
int vmtap_endpoint_hypervisor(const struct vmtap_endpoint *ep, struct vmtap_hypervisor_info *ret_info);

/* ---- QMP (qmp.c) and hot-plug (hotplug.c) ---- */

/* A QMP connection to one QEMU (see vmtap_qmp_connect()). */
struct vmtap_qmp;

/**
 * vmtap_qmp_connect() - connect to QEMU's QMP socket
 * @ctx: the context
 * @path: the unix socket's path, at most 107 bytes
 * @timeout_ms: the longest wait for each exchange (connecting while
 *	QEMU's backlog is full, the greeting, each command's reply), in
 *	milliseconds; 0 or less: 10 s
 * @ret_qmp: where to store the connection
 *
 * Reads the greeting and negotiates capabilities.  Events that arrive
 * between commands are kept (at most 256 and 1 MiB, the oldest dropped
 * first) for vmtap_qmp_wait_event().  The socket is close-on-exec.  A
 * connection on which an exchange timed out or that broke is dead: every
 * later command fails with %-ETIMEDOUT without being sent.
 *
 * Return: 0, with *@ret_qmp set (free it with vmtap_qmp_free()); or
 * * %-EINVAL - @path empty or too long, @ret_qmp NULL
 * * %-ENOENT, %-ECONNREFUSED, %-EACCES - connect() failed
 * * %-ETIMEDOUT - QEMU did not answer in time
 * * %-EPROTO - the peer did not start with a QMP greeting
 * * %-EBADMSG, %-EMSGSIZE - a malformed or oversized message
 * * %-ECONNRESET - QEMU closed the connection
 * * %-EREMOTEIO - QEMU refused qmp_capabilities
 * * %-ENOMEM - out of memory
 */
int vmtap_qmp_connect(struct vmtap_ctx *ctx, const char *path, int timeout_ms, struct vmtap_qmp **ret_qmp);
/**
 * vmtap_qmp_from_fd() - a QMP connection over a socket connected already
 * @ctx: the context
 * @fd: a connected stream socket to QMP whose greeting is still unread;
 *	the handle owns it from now on, and it is closed on failure too.
 *	Its close-on-exec flag is left as the caller set it
 * @timeout_ms: as for vmtap_qmp_connect()
 * @ret_qmp: where to store the connection
 *
 * Return: as vmtap_qmp_connect(), but no connect() errors; %-EINVAL for a
 * negative @fd.
 */
int vmtap_qmp_from_fd(struct vmtap_ctx *ctx, int fd, int timeout_ms, struct vmtap_qmp **ret_qmp);
/**
 * vmtap_qmp_free() - close a QMP connection and free it
 * @qmp: the connection, or NULL
 *
 * Return: NULL.
 */
struct vmtap_qmp *vmtap_qmp_free(struct vmtap_qmp *qmp);
/**
 * vmtap_qmp_peer_pid() - the pid of the process at the other end
 * @qmp: the connection
 *
 * Return: QEMU's pid from the socket's peer credentials (SO_PEERCRED) at
 * connection time; 0 when unknown or @qmp is NULL.
 */
int vmtap_qmp_peer_pid(const struct vmtap_qmp *qmp);
/**
 * vmtap_qmp_execute() - run a QMP command
 * @ctx: the context
 * @qmp: the connection
 * @command: the command's name, such as "query-status"
 * @arguments_json: its arguments as a JSON object's text; NULL: none
 * @fd: an fd to pass with SCM_RIGHTS along with the command, as getfd and
 *	add-fd expect; -1: none.  QEMU gets a copy: the caller still owns @fd
 * @ret_json: where to store the reply's "return" value as compact JSON
 *	text, to free(); NULL when not wanted
 *
 * Replies are matched to the command by id; events that arrive meanwhile
 * are kept for vmtap_qmp_wait_event().
 *
 * Return: 0; or
 * * %-EINVAL - @qmp or @command missing, @arguments_json not a JSON object
 * * %-EREMOTEIO - QEMU refused the command: its class is in
 *   vmtap_qmp_error_class(), its description in the error text
 * * %-ETIMEDOUT - no reply in time, or the connection is dead
 * * %-ECONNRESET - QEMU closed the connection
 * * %-EBADMSG, %-EMSGSIZE - a malformed or oversized message
 * * %-ENOMEM - out of memory
 */
int vmtap_qmp_execute(struct vmtap_ctx *ctx, struct vmtap_qmp *qmp, const char *command, const char *arguments_json,
		      int fd, char **ret_json);
/**
 * vmtap_qmp_error_class() - the class of QEMU's refusal of the last command
 * @qmp: the connection
 *
 * Return: "GenericError", "DeviceNotFound", ... when the last command was
 * refused (%-EREMOTEIO); "" when it succeeded, none ran, or @qmp is NULL.
 * Owned by @qmp, valid until its next command.
 */
const char *vmtap_qmp_error_class(const struct vmtap_qmp *qmp);
/**
 * vmtap_qmp_wait_event() - wait for a QMP event
 * @ctx: the context
 * @qmp: the connection
 * @event: the event's name, such as "DEVICE_DELETED"
 * @device: the event's data.device to match; NULL: any
 * @timeout_ms: the longest wait, in milliseconds; 0 or less: the
 *	connection's timeout
 * @ret_json: where to store the event as QEMU sent it, to free(); NULL
 *	when not wanted
 *
 * Events kept since earlier calls are looked at first, oldest first; the
 * event found is consumed.
 *
 * Return: 0; or
 * * %-EINVAL - @qmp or @event missing
 * * %-ETIMEDOUT - no such event in time (the connection stays usable), or
 *   the connection is dead
 * * %-ECONNRESET, %-EBADMSG, %-EMSGSIZE, %-ENOMEM - as vmtap_qmp_execute()
 */
int vmtap_qmp_wait_event(struct vmtap_ctx *ctx, struct vmtap_qmp *qmp, const char *event, const char *device,
			 int timeout_ms, char **ret_json);

/**
 * enum vmtap_vhost - whether a hand-off passes vhost-net fds
 * @VMTAP_VHOST_DEFAULT: as the endpoint asks (VMTAP_EP_VHOST)
 * @VMTAP_VHOST_OFF: no vhost-net
 * @VMTAP_VHOST_ON: vhost-net, degrading to off with a warning when it is unavailable
 */
enum vmtap_vhost {
	VMTAP_VHOST_DEFAULT = 0,
	VMTAP_VHOST_OFF = 1,
	VMTAP_VHOST_ON = 2,
};

/**
 * struct vmtap_hotplug_opts - how vmtap_hotplug() plugs an endpoint into QEMU
 * @sz: sizeof(struct vmtap_hotplug_opts), set by VMTAP_OPTS()
 * @qmp_path: QEMU's QMP socket; required
 * @spec: the endpoint to create when it does not exist yet; NULL: defaults.
 *	Ignored for an existing endpoint
 * @device_id: QEMU's device id; NULL: "vmtap-<id>"
 * @netdev_id: QEMU's netdev id; NULL: "host" + the device id
 * @model: the device model; NULL: "virtio-net-pci"
 * @bus: PCI bus to place the device on; NULL: QEMU chooses
 * @addr: PCI slot on that bus; NULL: QEMU chooses
 * @vhost: vhost-net for this plug (enum vmtap_vhost); the default, zero,
 *	follows the endpoint's wish (VMTAP_EP_VHOST).  Without /dev/vhost-net
 *	it degrades to off with a warning
 * @timeout_ms: in milliseconds, the bound of the whole plug, connecting
 *	and undoing a failed one included; 0: 10 s
 *
 * The ids follow QEMU's id syntax; @model, @bus and @addr are plain values
 * (see struct vmtap_qemu_nic).
 */
struct vmtap_hotplug_opts {
	size_t sz;
	const char *qmp_path;
	const struct vmtap_endpoint_spec *spec;
	const char *device_id;
	const char *netdev_id;
	const char *model;
	const char *bus, *addr;
	enum vmtap_vhost vhost;
	int timeout_ms;
};

/**
 * vmtap_hotplug() - plug an endpoint into a running QEMU
 * @ctx: the context
 * @id: the endpoint's id; created from @opts->spec when it does not exist
 * @opts: the options (required)
 *
 * Under the endpoint's plug lock: connect, open the queues (and vhost-net),
 * getfd each fd, netdev_add, device_add with mq and vectors = 2N + 2, close
 * our copies (QEMU is then the TAP's only holder), record the device id,
 * netdev id, PCI address and QEMU's pid with its start time.  On failure
 * everything added to QEMU is taken back (device_del, netdev_del, closefd),
 * within a deadline of its own, our copies are closed, and an endpoint this
 * call created is destroyed unless QEMU may still hold it; what QEMU kept
 * goes to the log.  A record naming a QEMU that has exited is cleared
 * first.
 *
 * Return: 0; or
 * * %-EINVAL - invalid @id, @opts NULL or with unknown non-zero fields,
 *   no @opts->qmp_path, invalid ids or values, an unknown @opts->vhost,
 *   a negative timeout
 * * %-EBUSY - another plug or unplug of @id is under way, the endpoint is
 *   plugged into a running QEMU already, or its queues are open elsewhere
 * * %-ESRCH - the QMP socket gives no peer credentials: which process
 *   answers is unknown
 * * %-EREMOTEIO - QEMU refused a step (QEMU's description in the error text)
 * * %-ETIMEDOUT - QEMU did not answer in time
 * * the errors of vmtap_qmp_connect(), vmtap_endpoint_create(),
 *   vmtap_endpoint_open() and vmtap_endpoint_set_hypervisor()
 */
int vmtap_hotplug(struct vmtap_ctx *ctx, const char *id, const struct vmtap_hotplug_opts *opts);

/**
 * struct vmtap_unplug_opts - how vmtap_unplug() unplugs an endpoint
 * @sz: sizeof(struct vmtap_unplug_opts), set by VMTAP_OPTS()
 * @qmp_path: QEMU's QMP socket; required (not used when the recorded QEMU
 *	has exited)
 * @timeout_ms: in milliseconds, the bound of the whole unplug, the guest's
 *	release of the device included; 0: 30 s
 * @keep: keep the endpoint, only clearing its hypervisor side; false (the
 *	default): destroy it
 */
struct vmtap_unplug_opts {
	size_t sz;
	const char *qmp_path;
	int timeout_ms;
	bool keep;
};

/**
 * vmtap_unplug() - unplug an endpoint from QEMU
 * @ctx: the context
 * @id: the endpoint's id
 * @opts: the options (required)
 *
 * Under the endpoint's plug lock: device_del, wait for the guest to
 * release the device (DEVICE_DELETED for its id), netdev_del, clear the
 * record's hypervisor side, then destroy the endpoint unless @opts->keep.
 * Only the QEMU the record names is talked to (the socket's peer pid must
 * match).  When the recorded QEMU has exited, its device went with it:
 * only the record is cleared.  A later call finishes what an interrupted
 * one left.
 *
 * Return: 0; or
 * * %-EINVAL - invalid @id, @opts NULL or with unknown non-zero fields, no
 *   @opts->qmp_path, a negative timeout, or the socket's peer is not the
 *   recorded QEMU
 * * %-ENOENT - no endpoint @id
 * * %-ENODEV - the endpoint is not plugged (its record names no device)
 * * %-EBUSY - another plug or unplug of @id is under way
 * * %-ETIMEDOUT - the guest did not release the device in time: QEMU's
 *   netdev stays, the record is unchanged, and a later call finishes
 * * %-EREMOTEIO - QEMU refused a step
 * * the errors of vmtap_qmp_connect() and vmtap_endpoint_destroy()
 */
int vmtap_unplug(struct vmtap_ctx *ctx, const char *id, const struct vmtap_unplug_opts *opts);

#ifdef __cplusplus
}
#endif
#endif

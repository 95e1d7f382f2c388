/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Endpoint records and the state directory that holds them: records, locks, identity, tags, its files. */
/*
 * Owns: the state directory's layout (the file-naming scheme is here and
 * nowhere else), the record format, locks, the directory's identity and the
 * ownership tags that carry it.
 * Must not: touch the kernel's devices or decide what a record means for
 * them (endpoint.c and gc.c do).
 */
#ifndef VMTAP_STATE_H
#define VMTAP_STATE_H

#include "netns.h"

#define VT_RECORD_MAX (64 * 1024)
#define VT_RECORD_VERSION 1
#define VT_STATE_PATH_MAX 200
/* room for a macvtap parent's saved IP state in a record: a pod's veth has a handful of addresses and routes */
#define VT_PARENT_IP_MAX 8192

/*
 * Where the ingress qdisc of a redirect's device came from, recorded before
 * vmtap looks for one to share, so that a crash in between still says
 * whether an empty ingress qdisc there can be vmtap's.
 */
enum vt_qdisc_origin {
	VT_QDISC_UNKNOWN = 0,         /* not looked at yet */
	VT_QDISC_ABSENT,              /* there was none: one there now is vmtap's unless proven otherwise */
	VT_QDISC_SHARED,              /* someone else's, shared: never deleted */
	VT_QDISC_OURS,                /* vmtap created it: deleted once no filter is left on it */
};

struct vt_record {
	char id[VMTAP_ID_MAX + 1];
	enum vmtap_endpoint_state state;
	int pid;                      /* of the process that wrote it */
	char ifname[VMTAP_IFNAMSIZ];  /* "" until the device exists */
	int ifindex;
	char netns[256];              /* "" : the creator's namespace */
	struct vt_netns_id netns_id;  /* of the device's namespace at creation; 0: not recorded */
	unsigned int queues;
	bool vnet_hdr, vhost, down;
	uint32_t mtu;
	uint8_t guest_mac[6], host_mac[6];
	bool has_owner, has_group;
	uint32_t owner, group;
	enum vmtap_connection connection;
	char bridge[VMTAP_IFNAMSIZ];
	/* the hypervisor side, once handed off */
	int hv_pid;
	uint64_t hv_start;            /* its start time (/proc/PID/stat), to tell it from a reused pid; 0: unknown */
	char hv_netdev[128], hv_device[128], hv_pci[32];
	char label[VMTAP_LABEL_MAX + 1]; /* "": none */
	bool ephemeral;               /* VMTAP_EP_EPHEMERAL */
	/* redirect and macvtap: the device connected with (the macvtap's parent) */
	char link_dev[VMTAP_IFNAMSIZ];
	int link_ifindex;             /* its ifindex, once looked up; 0: not yet */
	/* redirect: the filters' priority, their handles once made (0: not made), the device's ingress qdisc */
	uint16_t tc_prio;
	uint32_t tc_tap_handle, tc_dev_handle;
	enum vt_qdisc_origin dev_qdisc;
	/* macvtap */
	enum vmtap_macvtap_mode macvtap_mode;
	bool keep_parent;
	/* macvtap, unless keep_parent: the parent as it was, put back at destroy */
	bool has_parent_mac;          /* its MAC was handed to the guest, parent_mac is its own */
	uint8_t parent_mac[6];
	char parent_ip[VT_PARENT_IP_MAX]; /* its saved IP state, compact JSON (addr.h); "": none saved */
};
/* Parse a record from (buf, len); on failure @errbuf says why. Fuzzed in fuzz/. */
int vt_record_parse(const char *buf, size_t len, struct vt_record *ret_rec, char *errbuf, size_t errlen);
/* Serialise @rec as JSON text (malloc'd). */
int vt_record_format(const struct vt_record *rec, char **ret_text);

int vt_id_check(struct vmtap_ctx *ctx, const char *id);

/* The state directory, opened (and made 0700 when @create); fd is O_DIRECTORY|O_CLOEXEC. */
int vt_state_open(struct vmtap_ctx *ctx, bool create, int *ret_dirfd);
const char *vt_state_path(struct vmtap_ctx *ctx);
/*
 * A held lock, released by vt_lock_release() (use _cleanup_lock_): the fd is
 * closed, and the file removed too when @remove was set, which a holder does
 * once the record it guards is gone.
 */
struct vt_lock {
	int dirfd;                    /* a duplicate of the state directory's, owned */
	int fd;
	bool remove;
	const char *suffix;
	char id[VMTAP_ID_MAX + 1];
};
#define VT_LOCK_NONE { .dirfd = -1, .fd = -1 }
void vt_lock_release(struct vt_lock *lock);
#define _cleanup_lock_ _cleanup_(vt_lock_release)

/* Take the endpoint lock of @id: waits up to @wait_ms, then -EBUSY. */
int vt_state_lock(struct vmtap_ctx *ctx, int dirfd, const char *id, int wait_ms, struct vt_lock *ret_lock);
/* The same without waiting and without making the lock file: -ENOENT when there is none. */
int vt_state_lock_existing(struct vmtap_ctx *ctx, int dirfd, const char *id, struct vt_lock *ret_lock);
/*
 * The plug lock of @id (<id>.plug), held for the whole of a hot-plug or
 * unplug: a second one of the same endpoint gets -EBUSY (after 200 ms at the
 * most) instead of attaching the same queues to a second device.  The kernel
 * drops it if the holder dies; the file goes at unlock.  With @stale_only
 * (gc), only an existing file is locked, without waiting.
 */
int vt_state_plug_lock(struct vmtap_ctx *ctx, int dirfd, const char *id, bool stale_only, struct vt_lock *ret_lock);
/* Read and parse the record of @id: -ENOENT when absent; other errors say which file and why. */
int vt_state_read(struct vmtap_ctx *ctx, int dirfd, const char *id, struct vt_record *ret_rec, char **ret_text);
/* Write the record atomically: temporary file, fsync, rename, fsync of the directory. */
int vt_state_write(struct vmtap_ctx *ctx, int dirfd, const struct vt_record *rec);
int vt_state_remove(struct vmtap_ctx *ctx, int dirfd, const char *id);

/*
 * The state directory's identity: 16 random hex digits in "<dir>/.state-id",
 * made by the first endpoint created there (@create) and written into the
 * ownership tag of every device, so that a device can be proven to belong to
 * this directory and no other.  -ENOENT (nothing reported) when there is none
 * and !@create.
 */
#define VT_STATE_ID_LEN 16
int vt_state_identity(struct vmtap_ctx *ctx, int dirfd, bool create, char ret_id[VT_STATE_ID_LEN + 1]);
/* As vt_state_identity() without @create, "" when the directory has none yet. */
int vt_state_identity_get(struct vmtap_ctx *ctx, int dirfd, char ret_id[VT_STATE_ID_LEN + 1]);

/*
 * Ownership tags, kept by the kernel in a device's alias: "vmtap:<id>@<state
 * identity>".  Tags of vmtap before state identities were "vmtap:<id>".
 */
#define VT_TAG_MAX (sizeof(VMTAP_TAG_PREFIX) + VMTAP_ID_MAX + 1 + VT_STATE_ID_LEN + 1)
void vt_tag_format(char out[VT_TAG_MAX], const char *id, const char *state_id);
struct vt_tag {
	char id[VMTAP_ID_MAX + 1];
	char state_id[VT_STATE_ID_LEN + 1]; /* "" in an old tag */
};
/* Parse an alias from (buf, len): 0 for a tag of ours, -EINVAL for anything else.  Fuzzed in fuzz/. */
int vt_tag_parse(const char *buf, size_t len, struct vt_tag *ret_tag);

/*
 * The tag vmtap-bridge-helper gives its TAPs: "vmtap-helper:uid=<uid>,pid=<pid>",
 * the caller's uid and the helper's parent (QEMU, or vmtap exec, which becomes
 * QEMU); pid 0 when that parent was outside the helper's pid namespace.
 */
#define VT_HELPER_TAG_PREFIX "vmtap-helper:"
struct vt_helper_tag {
	uint32_t uid;
	int pid;
};
/* Parse an alias from (buf, len): 0 for a helper's tag, exactly as it writes it; -EINVAL for anything else.  Fuzzed. */
int vt_helper_tag_parse(const char *buf, size_t len, struct vt_helper_tag *ret_tag);

/*
 * The files of the state directory: "<id>.json" (record), "<id>.lock"
 * (endpoint lock), "<id>.plug" (plug lock), ".<name>.<pid>.tmp" (being
 * written by process <pid>), anything else (".state-id" among them).
 */
enum vt_state_file {
	VT_STATE_RECORD,
	VT_STATE_LOCK,
	VT_STATE_PLUG,
	VT_STATE_TEMP,
	VT_STATE_OTHER,
};
struct vt_state_entry {
	enum vt_state_file kind;
	const char *name;                 /* the file's name in the directory */
	char id[VMTAP_ID_MAX + 1];        /* record, lock, plug: the id in the name ("" when too long) */
	size_t id_len;                    /* ... its length in @name */
	bool id_valid;                    /* ... and it is a valid endpoint id */
	int pid;                          /* temp: the writer's pid (0: unknown) */
};
typedef int (*vt_state_fn)(const struct vt_state_entry *entry, void *data);
/* Call @fn for each file of the state directory; a non-zero return stops and is returned. */
int vt_state_foreach(struct vmtap_ctx *ctx, int dirfd, vt_state_fn fn, void *data);
/* The ids that have a record file, sorted. */
int vt_state_list_ids(struct vmtap_ctx *ctx, int dirfd, char ***ret_ids, size_t *ret_n);
void vt_state_free_ids(char **ids, size_t n);
/* "<state dir>/<id>.json", for messages. */
void vt_state_record_path(struct vmtap_ctx *ctx, const char *id, char *out, size_t size);
/* Whether a record file of @id is there (readable or not). */
bool vt_state_has_record(int dirfd, const char *id);

#endif

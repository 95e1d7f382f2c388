/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vmtap-cni's shared types: the CNI error codes, the request (environment and configuration), the verbs. */
#ifndef VMTAP_CNI_H
#define VMTAP_CNI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <json-c/json.h>

#include "vmtap.h"

/*
 * Error codes.  1-99 are the CNI specification's; 100 and up are
 * vmtap-cni's own, documented in vmtap-cni(8).  The exit status of a
 * failed call is its code (all of them fit in 8 bits).
 */
enum cni_code {
	CNI_OK = 0,
	CNI_ERR_VERSION = 1,          /* incompatible CNI version */
	CNI_ERR_ENV = 4,              /* invalid or missing environment variables */
	CNI_ERR_IO = 5,               /* reading stdin or writing stdout failed */
	CNI_ERR_DECODE = 6,           /* stdin is not a JSON object */
	CNI_ERR_CONFIG = 7,           /* invalid network configuration, chained wrongly included */
	CNI_ERR_TRY_AGAIN = 11,       /* transient: another process holds the attachment */
	CNI_ERR_UNAVAILABLE = 50,     /* STATUS: cannot serve ADD */
	CNI_ERR_INTERNAL = 100,       /* the library or the kernel failed; details say which step */
	CNI_ERR_EXISTS = 101,         /* ADD of an attachment that exists (no DEL in between) */
	CNI_ERR_ID_COLLISION = 102,   /* the derived endpoint id belongs to another attachment */
	CNI_ERR_NAME_TAKEN = 103,     /* the TAP name is taken in the namespace */
	CNI_ERR_CHECK = 104,          /* CHECK found a difference; details list each */
	CNI_ERR_PERMISSION = 105,     /* not permitted: CAP_NET_ADMIN, the state directory's owner or mode */
	CNI_ERR_UNSUPPORTED = 106,    /* the kernel lacks what the configuration asks for */
	CNI_ERR_GC = 107,             /* GC could not remove every stale attachment */
	CNI_ERR_RESOURCES = 108,      /* out of memory, file descriptors or space */
	CNI_ERR_NOT_BUILT = 109,      /* this build has no library support for the verb */
};

#define CNI_MSG_MAX 256
#define CNI_DETAILS_MAX 2048

/* One error, as the specification's error result prints it. */
struct cni_error {
	enum cni_code code;
	char msg[CNI_MSG_MAX];
	char details[CNI_DETAILS_MAX];
};

/* Set @err and return its code: the one way every module reports. */
int cni_fail(struct cni_error *err, enum cni_code code, const char *msg, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* A failure of the library call that left @ctx's error: its errno chooses the code. */
int cni_fail_lib(struct cni_error *err, struct vmtap_ctx *ctx, int r, const char *what);
/* The code for a library failure @r whose step is @step. */
enum cni_code cni_code_for_errno(int r, const char *step);
/* The error result {cniVersion, code, msg, details} as JSON text (malloc'd), NULL without memory. */
char *cni_error_json(const struct cni_error *err, const char *cni_version);

/* ---- versions (version.c) ---- */

#define CNI_VERSION_LATEST "1.1.0"
/* NULL-terminated, oldest first: what VERSION reports. */
extern const char *const cni_supported_versions[];
/* A version as a comparable number (major*10000 + minor*100 + patch); -1 when it is not x.y.z. */
long cni_version_number(const char *v);
bool cni_version_supported(const char *v);
/* Whether @v is at least @min (both x.y.z). */
bool cni_version_at_least(const char *v, const char *min);

/* ---- environment (env.c) ---- */

enum cni_command {
	CNI_CMD_NONE = 0,
	CNI_CMD_ADD,
	CNI_CMD_DEL,
	CNI_CMD_CHECK,
	CNI_CMD_GC,
	CNI_CMD_STATUS,
	CNI_CMD_VERSION,
};

/* CNI_ARGS keys vmtap-cni reads (all others are ignored, as IgnoreUnknown asks). */
struct cni_args {
	bool has_tap_name;
	char tap_name[VMTAP_IFNAMSIZ];      /* VMTAP_TAP_NAME */
	unsigned int queues;                /* VMTAP_QUEUES, 0: not given */
	bool has_owner, has_group;
	uid_t owner;                        /* VMTAP_OWNER */
	gid_t group;                        /* VMTAP_GROUP */
};

#define CNI_CONTAINERID_MAX 1024
#define CNI_NETNS_MAX 4095

struct cni_env {
	enum cni_command command;
	const char *command_text;           /* as given, for messages */
	const char *containerid;            /* NULL when unset or empty */
	const char *netns;
	const char *ifname;
	const char *args_text;
	struct cni_args args;
};

/* "ADD" -> CNI_CMD_ADD ...; CNI_CMD_NONE for anything else. */
enum cni_command cni_command_parse(const char *s);
const char *cni_command_name(enum cni_command cmd);
/*
 * Read the CNI_* variables through @getenv_fn (getenv, or a test's) and
 * check the ones @env->command needs: names of missing or invalid
 * variables in @err (code 4).  CNI_ARGS is parsed for ADD and CHECK only.
 */
int cni_env_load(struct cni_env *env, const char *(*getenv_fn)(const char *name), struct cni_error *err);
/* Parse CNI_ARGS from (buf, len): "K=V;K=V", empty pairs skipped, unknown keys ignored.  Fuzzed. */
int cni_args_parse(const char *buf, size_t len, struct cni_args *ret, struct cni_error *err);
/* CNI's container id rule: [A-Za-z0-9][A-Za-z0-9_.-]*, 1..CNI_CONTAINERID_MAX bytes. */
bool cni_containerid_valid(const char *s, size_t len);
/* libcni's interface name rule: 1..15 bytes, not "." or "..", no '/', ':' or white space. */
bool cni_ifname_valid(const char *s, size_t len);
/* The network name rule: [A-Za-z0-9][A-Za-z0-9_.-]*. */
bool cni_netname_valid(const char *s, size_t len);

/* ---- configuration (config.c) ---- */

enum cni_mode {
	CNI_MODE_REDIRECT = 0,
	CNI_MODE_MACVTAP = 1,
};

/* One entry of GC's list; the strings are borrowed from the parsed document. */
struct cni_attachment_ref {
	const char *containerid;
	const char *ifname;
};

#define CNI_CONFIG_MAX (4u << 20)   /* stdin beyond this is refused */
#define CNI_NAME_MAX 200
#define CNI_STATE_DIR_MAX 200

struct cni_config {
	json_object *root;                  /* the whole document, owned */
	char cni_version[16];
	bool version_given;
	const char *name;                   /* "" when absent (only VERSION may lack it) */
	const char *type;                   /* NULL when absent */
	json_object *prev_result;           /* borrowed from @root, NULL when absent */
	json_object *runtime_config;        /* borrowed, NULL when absent */
	/* vmtap-cni's keys */
	unsigned int queues;                /* 1 unless given */
	bool queues_given;
	enum cni_mode mode;
	int macvtap_mode;                   /* enum vmtap_macvtap_mode value */
	bool macvtap_mode_given;
	bool vnet_hdr;                      /* default true */
	uint32_t mtu;                       /* 0: the device's */
	bool has_owner, has_group;
	uid_t owner;
	gid_t group;
	char tap_name[VMTAP_IFNAMSIZ];      /* "" : vmtap's own naming */
	char state_dir[CNI_STATE_DIR_MAX + 1];
	bool has_runtime_mac;
	uint8_t runtime_mac[6];             /* runtimeConfig.mac (capability "mac") */
	/* GC: cni.dev/valid-attachments united with cni.dev/attachments */
	bool has_attachments;
	struct cni_attachment_ref *attachments;
	size_t n_attachments;
};

/*
 * Parse the request configuration from (buf, len) for @cmd.  Codes: 6 for
 * what is not one JSON object, 1 for an unsupported cniVersion, 7 for a key
 * of the wrong type or out of range.  VERSION only needs cniVersion.
 * Fuzzed in fuzz/fuzz_cni_config.c.  Free with cni_config_free().  On
 * failure @ret holds only cni_version and version_given (a supported
 * version that was read), for the error result.
 */
int cni_config_parse(const char *buf, size_t len, enum cni_command cmd, struct cni_config *ret,
		     struct cni_error *err);
void cni_config_free(struct cni_config *cfg);
const char *cni_mode_name(enum cni_mode mode);
const char *cni_macvtap_mode_name(int mode);
/* Whether (containerid, ifname) is in the GC list. */
bool cni_config_attachment_valid(const struct cni_config *cfg, const char *containerid, const char *ifname);

/* ---- previous result and the result (result.c) ---- */

/* Where CNI_IFNAME is in prevResult. */
struct cni_prev_iface {
	int index;                          /* into prevResult.interfaces */
	const char *mac;                    /* as recorded there, NULL when none */
	/*
	 * Whether "ips" entries without an "interface" index are its addresses:
	 * when it is the only interface of the result inside the container
	 * (Cilium's results have no index: tc-redirect-tap #7).
	 */
	bool owns_unindexed_ips;
};

/*
 * Check the parts of @prev that vmtap-cni reads or extends: interfaces and
 * ips as arrays of objects, names, MACs, sandboxes and addresses as
 * strings, every "interface" index inside interfaces.  Code 7 otherwise.
 */
int cni_prev_validate(json_object *prev, struct cni_error *err);
/*
 * Find the interface named @ifname whose sandbox is @netns (the same text,
 * or a path to the same namespace) in @prev (validated); code 7, saying how
 * the chain is wrong, when there is none.
 */
int cni_prev_find_iface(json_object *prev, const char *ifname, const char *netns, struct cni_prev_iface *ret,
			struct cni_error *err);
/* Whether "ips" entry @ip is an address of interface @iface. */
bool cni_prev_ip_is_of(json_object *ip, const struct cni_prev_iface *iface);
/* Interface @index of @prev (validated), NULL when out of range. */
json_object *cni_prev_iface_at(json_object *prev, int index);

/* What ADD made, for the result. */
struct cni_added {
	const char *tap_name;
	char tap_mac[VMTAP_MAC_STRLEN];
	uint32_t mtu;
	char guest_mac[VMTAP_MAC_STRLEN];
	const char *netns;                  /* CNI_NETNS */
	const char *containerid;            /* the VM pseudo interface's sandbox */
	const struct cni_prev_iface *iface; /* CNI_IFNAME in prevResult */
	const char *iface_new_mac;          /* macvtap: CNI_IFNAME's MAC now, NULL: unchanged */
};

/*
 * The ADD result: @prev with cniVersion @version, the TAP and the VM's
 * pseudo interface appended to interfaces (mtu only in 1.1.0 results), the
 * addresses of CNI_IFNAME copied to point at the VM.  Returns new JSON
 * text (malloc'd) or NULL without memory.
 */
char *cni_result_build(json_object *prev, const char *version, const struct cni_added *a);

/* ---- endpoint ids and labels (id.c) ---- */

#define CNI_ID_PREFIX "cni-"
#define CNI_ID_CID_CHARS 12
#define CNI_ID_HASH_CHARS 16
#define CNI_LABEL_PREFIX "cni:"
#define CNI_LABEL_MAX 255

/* The endpoint id of attachment (@containerid, @ifname): "cni-" + 12 chars of it + "-" + 16 hex of SHA-256. */
void cni_endpoint_id(const char *containerid, const char *ifname, char out[VMTAP_ID_MAX + 1]);
/* "cni:<network>:<container id>:<ifname>"; -ENAMETOOLONG past CNI_LABEL_MAX bytes. */
int cni_label_format(char out[CNI_LABEL_MAX + 1], const char *network, const char *containerid, const char *ifname);
/*
 * Parse a label of network @network from (buf, len) into its container id
 * and ifname: 0, or -EINVAL when it is not such a label (another network's,
 * not vmtap-cni's, malformed).
 */
int cni_label_parse(const char *buf, size_t len, const char *network, char ret_cid[CNI_LABEL_MAX + 1],
		    char ret_ifname[VMTAP_IFNAMSIZ]);

void cni_sha256(const void *data, size_t len, uint8_t out[32]);

/* ---- verbs ---- */

/* What a verb knows of its attachment before it touches anything (attachment.c). */
struct cni_attachment {
	char id[VMTAP_ID_MAX + 1];          /* the endpoint's id */
	char label[CNI_LABEL_MAX + 1];      /* "cni:<network>:<container id>:<ifname>" */
	struct cni_prev_iface iface;        /* ADD, CHECK: CNI_IFNAME in prevResult */
	struct vmtap_link_info link;        /* ADD, CHECK: CNI_IFNAME in CNI_NETNS */
};

struct cni_request {
	struct cni_env env;
	struct cni_config cfg;
	struct vmtap_ctx *ctx;
	struct cni_attachment att;
	char *result;                       /* ADD: the text to print, malloc'd */
};

/*
 * The checks every attachment verb makes before it touches anything: the
 * endpoint id and label (7 when the label would pass 255 bytes) and, for
 * ADD and CHECK, prevResult with CNI_IFNAME in CNI_NETNS (7), CNI_NETNS a
 * network namespace (4), CNI_IFNAME in it (7).  Fills req->att.
 */
int cni_attachment_prepare(struct cni_request *req, struct cni_error *err);

int cni_cmd_add(struct cni_request *req, struct cni_error *err);
int cni_cmd_del(struct cni_request *req, struct cni_error *err);
int cni_cmd_check(struct cni_request *req, struct cni_error *err);
int cni_cmd_gc(struct cni_request *req, struct cni_error *err);
int cni_cmd_status(struct cni_request *req, struct cni_error *err);

#endif

/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vmtap-cni: the CNI plugin's entry point: environment, stdin, version checks, the verb, the result or error on stdout. */
/**
 * DOC: Theory of Operation
 *
 * One run is one CNI call: read the CNI_* variables (env.c), read stdin
 * (at most CNI_CONFIG_MAX bytes), parse it (config.c), run the verb, print
 * the result (ADD) or nothing (the other verbs) or the specification's
 * error object, and exit with 0 or the error's code.  Checks run in the
 * order that gives each bad input its code: environment (4), stdin (5, 6),
 * cniVersion (1), configuration (7), then the verb's own checks.
 *
 * VERSION never fails: libcni asks it before ADD and DEL with "dummy" in
 * CNI_NETNS, CNI_IFNAME and CNI_PATH and its own cniVersion on stdin.
 *
 * ADD prints its result last; if that write fails, the runtime never learns
 * of the attachment, so ADD is undone through DEL before exiting.  A
 * stdout that is closed from the start is refused before anything is read
 * or made (code 5): the first file or socket opened would otherwise get fd
 * 1, and the result would be written into it.  For the same reason a closed
 * stdin or stderr is replaced by /dev/null.
 *
 * The state directory comes from the configuration's "stateDir", never from
 * the environment: runtimes run DEL from processes whose environment is not
 * the one ADD had, and a record made in one directory would be invisible to
 * a DEL looking in another.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cni.h"

#ifndef VMTAP_VERSION
#define VMTAP_VERSION "unknown"
#endif

static const char *env_get(const char *name)
{
	return getenv(name);
}

static void about(FILE *out)
{
	fprintf(out, "vmtap-cni %s: CNI plugin connecting a VM's TAP to the interface a previous plugin made\n"
		     "CNI protocol versions supported: 0.3.0, 0.3.1, 0.4.0, 1.0.0, 1.1.0\n"
		     "Run by a container runtime (CNI_COMMAND, stdin); see vmtap-cni(8).\n"
		     "Also: vmtap-cni --endpoint-id CONTAINERID IFNAME   print the vmtap endpoint id of an attachment\n",
		VMTAP_VERSION);
}

static bool write_all(int fd, const char *buf, size_t len)
{
	while (len) {
		ssize_t n = write(fd, buf, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return false;
		buf += n;
		len -= (size_t)n;
	}
	return true;
}

static bool print_line(const char *text)
{
	return text && write_all(STDOUT_FILENO, text, strlen(text)) && write_all(STDOUT_FILENO, "\n", 1);
}

/*
 * Make fds 0-2 safe to use as the standard streams: false when stdout is
 * closed (no result could reach the runtime), a closed stdin or stderr gets
 * /dev/null so that nothing opened later takes its number.
 */
static bool std_fds_ready(void)
{
	if (fcntl(STDOUT_FILENO, F_GETFD) < 0)
		return false;
	for (int fd = STDIN_FILENO; fd <= STDERR_FILENO; fd++) {
		if (fd == STDOUT_FILENO || fcntl(fd, F_GETFD) >= 0)
			continue;
		/* the lowest free number is @fd: 0 before 2, and 1 is open */
		if (open("/dev/null", fd == STDIN_FILENO ? O_RDONLY | O_CLOEXEC : O_WRONLY | O_CLOEXEC) != fd)
			return false;
	}
	return true;
}

/* Read all of stdin, at most CNI_CONFIG_MAX + 1 bytes (the parser refuses more). */
static int read_stdin(char **ret_buf, size_t *ret_len, struct cni_error *err)
{
	size_t len = 0, cap = 0;
	char *buf = NULL;

	for (;;) {
		ssize_t n;
		if (cap - len < 4096) {
			size_t ncap = cap ? cap * 2 : 16384;
			char *nbuf;
			if (ncap > CNI_CONFIG_MAX + 4096)
				ncap = CNI_CONFIG_MAX + 4096;
			if (ncap <= len + 1) {
				*ret_buf = buf;
				*ret_len = len; /* too large: the parser says so */
				return 0;
			}
			nbuf = realloc(buf, ncap);
			if (!nbuf) {
				free(buf);
				return cni_fail(err, CNI_ERR_RESOURCES, "out of resources", "no memory for stdin");
			}
			buf = nbuf;
			cap = ncap;
		}
		n = read(STDIN_FILENO, buf + len, cap - len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int e = errno;
			free(buf);
			return cni_fail(err, CNI_ERR_IO, "I/O failure", "reading stdin: %s", strerror(e));
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	buf[len] = '\0';
	*ret_buf = buf;
	*ret_len = len;
	return 0;
}

/* VERSION: the cniVersion asked for when stdin names a plausible one, else the latest. */
static int cmd_version(const char *buf, size_t len)
{
	json_object *root = NULL, *v, *o = NULL, *list;
	const char *asked = CNI_VERSION_LATEST;
	bool ok;

	if (buf && len && len <= CNI_CONFIG_MAX) {
		struct json_tokener *tok = json_tokener_new_ex(8);
		if (tok) {
			json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
			root = json_tokener_parse_ex(tok, buf, (int)len);
			json_tokener_free(tok);
		}
	}
	if (root && json_object_object_get_ex(root, "cniVersion", &v) && json_object_is_type(v, json_type_string) &&
	    cni_version_number(json_object_get_string(v)) >= 0)
		asked = json_object_get_string(v);
	o = json_object_new_object();
	list = json_object_new_array();
	ok = o && list && json_object_object_add(o, "cniVersion", json_object_new_string(asked)) == 0;
	for (size_t i = 0; ok && cni_supported_versions[i]; i++)
		ok = json_object_array_add(list, json_object_new_string(cni_supported_versions[i])) == 0;
	if (ok && json_object_object_add(o, "supportedVersions", list) == 0) {
		list = NULL;
		ok = print_line(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
	} else {
		ok = false;
	}
	json_object_put(list);
	json_object_put(o);
	json_object_put(root);
	return ok ? 0 : CNI_ERR_IO;
}

static void log_to_stderr(enum vmtap_log_level level, const char *msg, void *userdata)
{
	(void)userdata;
	fprintf(stderr, "vmtap-cni: %s%s\n", level <= VMTAP_LOG_ERR ? "error: " : level == VMTAP_LOG_WARNING ? "warning: " : "",
		msg);
}

static int run(struct cni_request *req, struct cni_error *err)
{
	switch (req->env.command) {
	case CNI_CMD_ADD:
		return cni_cmd_add(req, err);
	case CNI_CMD_DEL:
		return cni_cmd_del(req, err);
	case CNI_CMD_CHECK:
		return cni_cmd_check(req, err);
	case CNI_CMD_GC:
		return cni_cmd_gc(req, err);
	case CNI_CMD_STATUS:
		return cni_cmd_status(req, err);
	default:
		return cni_fail(err, CNI_ERR_ENV, "invalid environment variables", "CNI_COMMAND %s", req->env.command_text);
	}
}

/* `vmtap-cni --endpoint-id CONTAINERID IFNAME` */
static int print_endpoint_id(const char *cid, const char *ifname)
{
	char id[VMTAP_ID_MAX + 1];

	if (!cni_containerid_valid(cid, strlen(cid)) || !cni_ifname_valid(ifname, strlen(ifname))) {
		fprintf(stderr, "vmtap-cni: invalid container id or interface name\n");
		return CNI_ERR_ENV;
	}
	cni_endpoint_id(cid, ifname, id);
	return print_line(id) ? 0 : CNI_ERR_IO;
}

int main(int argc, char **argv)
{
	struct cni_request req = { 0 };
	struct cni_error err = { 0 };
	char *buf = NULL, *text;
	const char *version;
	size_t len = 0;
	int r;

	/* a runtime that went away must not kill ADD half-way: write() says EPIPE instead, and ADD is undone */
	signal(SIGPIPE, SIG_IGN);
	if (!std_fds_ready()) {
		/* nothing was made, and there is nowhere to say so but stderr, if that is open */
		if (fcntl(STDERR_FILENO, F_GETFD) >= 0)
			fprintf(stderr, "vmtap-cni: stdout is closed (or /dev/null cannot stand in for a closed stdin): "
					"nothing done\n");
		return CNI_ERR_IO;
	}

	if (argc == 4 && !strcmp(argv[1], "--endpoint-id"))
		return print_endpoint_id(argv[2], argv[3]);
	if (argc == 2 && (!strcmp(argv[1], "--version") || !strcmp(argv[1], "-V") || !strcmp(argv[1], "--help") ||
			  !strcmp(argv[1], "-h"))) {
		about(stdout);
		return 0;
	}
	if (argc > 1) {
		about(stderr);
		return CNI_ERR_ENV;
	}

	r = cni_env_load(&req.env, env_get, &err);
	if (r) {
		if (!getenv("CNI_COMMAND"))
			about(stderr);
		goto out;
	}
	r = read_stdin(&buf, &len, &err);
	if (r)
		goto out;
	if (req.env.command == CNI_CMD_VERSION) {
		r = cmd_version(buf, len);
		free(buf);
		return r;
	}
	r = cni_config_parse(buf, len, req.env.command, &req.cfg, &err);
	if (r)
		goto out;
	r = vmtap_ctx_new(&req.ctx);
	if (r < 0) {
		r = cni_fail(&err, CNI_ERR_RESOURCES, "out of resources", "vmtap context: %s", strerror(-r));
		goto out;
	}
	vmtap_ctx_set_log(req.ctx, log_to_stderr, NULL, VMTAP_LOG_WARNING);
	r = vmtap_ctx_set_state_dir(req.ctx, req.cfg.state_dir);
	if (r < 0) {
		r = cni_fail(&err, CNI_ERR_CONFIG, "invalid network configuration", "\"stateDir\": %s",
			     vmtap_ctx_error(req.ctx));
		goto out;
	}
	r = run(&req, &err);
	if (!r && req.result && !print_line(req.result)) {
		struct cni_error undo = { 0 };
		int e = errno;
		r = cni_fail(&err, CNI_ERR_IO, "I/O failure", "writing the result: %s; the attachment was undone",
			     strerror(e));
		if (cni_cmd_del(&req, &undo))
			fprintf(stderr, "vmtap-cni: undo after a failed write: %s: %s\n", undo.msg, undo.details);
	}
out:
	if (r) {
		version = req.cfg.version_given ? req.cfg.cni_version : CNI_VERSION_LATEST;
		text = cni_error_json(&err, version);
		if (!print_line(text))
			fprintf(stderr, "vmtap-cni: %s: %s\n", err.msg, err.details);
		free(text);
	}
	free(req.result);
	cni_config_free(&req.cfg);
	vmtap_ctx_free(req.ctx);
	free(buf);
	return r;
}

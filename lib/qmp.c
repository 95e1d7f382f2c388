/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* QMP client: greeting and capabilities, commands matched to replies by id, events kept for waiters, fds with SCM_RIGHTS. */
/**
 * DOC: Theory of Operation
 *
 * QMP is a stream of JSON objects, one per line.  Replies carry the "id" of
 * their command, events arrive whenever QEMU has one, even between a
 * command and its reply: so every message read goes through one place,
 * replies are matched by id and events are queued (bounded) for whoever
 * waits for them later.  Each message is parsed from (buf, len) with a size
 * limit; anything malformed is an error, never a crash.  Every read waits at
 * most the handle's timeout, so a silent QEMU cannot hang the caller.
 */
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <time.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "qmp.h"

#define VT_QMP_EVENTS_MAX 256
#define VT_QMP_TIMEOUT_DEFAULT 10000

struct vmtap_qmp {
	int fd;
	int timeout_ms;
	char *buf;
	size_t len, cap;
	struct vt_qmp_msg events[VT_QMP_EVENTS_MAX];
	size_t nevents;
	unsigned long next_id;
	int peer_pid;
	char err_class[64];
};

void vt_qmp_msg_clear(struct vt_qmp_msg *msg)
{
	json_object_put(msg->obj);
	memset(msg, 0, sizeof(*msg));
}

static void copy_json_string(json_object *o, const char *key, char *out, size_t size)
{
	json_object *v;

	if (o && json_object_object_get_ex(o, key, &v) && json_object_is_type(v, json_type_string))
		snprintf(out, size, "%s", json_object_get_string(v));
}

int vt_qmp_parse(const char *buf, size_t len, struct vt_qmp_msg *ret, char *err, size_t errlen)
{
	struct vt_qmp_msg m = { 0 };
	struct json_tokener *tok;
	json_object *o, *v;
	size_t end;

	if (!buf || len == 0) {
		snprintf(err, errlen, "empty message");
		return -EBADMSG;
	}
	if (len > VT_QMP_MSG_MAX) {
		snprintf(err, errlen, "message of %zu bytes is over the %d limit", len, VT_QMP_MSG_MAX);
		return -EMSGSIZE;
	}
	if (memchr(buf, '\0', len)) {
		snprintf(err, errlen, "message contains a NUL byte");
		return -EBADMSG;
	}
	tok = json_tokener_new_ex(32);
	if (!tok) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	o = json_tokener_parse_ex(tok, buf, (int)len);
	if (!o || json_tokener_get_error(tok) != json_tokener_success) {
		snprintf(err, errlen, "not valid JSON (%s)", json_tokener_error_desc(json_tokener_get_error(tok)));
		json_object_put(o);
		json_tokener_free(tok);
		return -EBADMSG;
	}
	end = json_tokener_get_parse_end(tok);
	json_tokener_free(tok);
	for (; end < len; end++)
		if (buf[end] != ' ' && buf[end] != '\r' && buf[end] != '\n' && buf[end] != '\t') {
			snprintf(err, errlen, "trailing data after the JSON object");
			json_object_put(o);
			return -EBADMSG;
		}
	if (!json_object_is_type(o, json_type_object)) {
		snprintf(err, errlen, "not a JSON object");
		json_object_put(o);
		return -EBADMSG;
	}
	m.obj = o;
	if (json_object_object_get_ex(o, "id", &v)) {
		if (!json_object_is_type(v, json_type_string)) {
			snprintf(err, errlen, "\"id\" is not a string");
			goto fail;
		}
		snprintf(m.id, sizeof(m.id), "%s", json_object_get_string(v));
	}
	if (json_object_object_get_ex(o, "QMP", &v)) {
		if (!json_object_is_type(v, json_type_object)) {
			snprintf(err, errlen, "greeting \"QMP\" is not an object");
			goto fail;
		}
		m.type = VT_QMP_GREETING;
	} else if (json_object_object_get_ex(o, "return", NULL)) {
		m.type = VT_QMP_RETURN;
	} else if (json_object_object_get_ex(o, "error", &v)) {
		if (!json_object_is_type(v, json_type_object)) {
			snprintf(err, errlen, "\"error\" is not an object");
			goto fail;
		}
		m.type = VT_QMP_ERROR;
		copy_json_string(v, "class", m.err_class, sizeof(m.err_class));
		copy_json_string(v, "desc", m.err_desc, sizeof(m.err_desc));
	} else if (json_object_object_get_ex(o, "event", &v)) {
		json_object *data;
		if (!json_object_is_type(v, json_type_string)) {
			snprintf(err, errlen, "\"event\" is not a string");
			goto fail;
		}
		m.type = VT_QMP_EVENT;
		snprintf(m.event, sizeof(m.event), "%s", json_object_get_string(v));
		if (json_object_object_get_ex(o, "data", &data) && json_object_is_type(data, json_type_object))
			copy_json_string(data, "device", m.device, sizeof(m.device));
	} else {
		snprintf(err, errlen, "neither a greeting, a return, an error nor an event");
		goto fail;
	}
	*ret = m;
	return 0;
fail:
	json_object_put(o);
	return -EBADMSG;
}

/* ---- transport ---- */

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Read the next message, waiting until @deadline (ms, monotonic). */
static int read_msg(struct vmtap_ctx *ctx, struct vmtap_qmp *q, long deadline, struct vt_qmp_msg *ret)
{
	for (;;) {
		char *nl = q->len ? memchr(q->buf, '\n', q->len) : NULL;
		char err[160];
		ssize_t n;
		int r;

		if (nl) {
			size_t line = (size_t)(nl - q->buf) + 1;
			size_t text = line;

			while (text && (q->buf[text - 1] == '\n' || q->buf[text - 1] == '\r'))
				text--;
			r = text ? vt_qmp_parse(q->buf, text, ret, err, sizeof(err)) : 1;
			memmove(q->buf, q->buf + line, q->len - line);
			q->len -= line;
			if (r == 1)
				continue; /* an empty line */
			if (r < 0)
				return vt_fail(ctx, r, "qmp", "malformed message from QEMU: %s", err);
			vt_log(ctx, VMTAP_LOG_DEBUG, "qmp <- %s", json_object_to_json_string_ext(ret->obj, JSON_C_TO_STRING_PLAIN));
			return 0;
		}
		if (q->len >= VT_QMP_MSG_MAX)
			return vt_fail(ctx, -EMSGSIZE, "qmp", "QEMU sent over %d bytes without a newline", VT_QMP_MSG_MAX);
		if (q->cap - q->len < 4096) {
			size_t cap = q->cap ? q->cap * 2 : 16384;
			char *more;
			if (cap > VT_QMP_MSG_MAX + 8192)
				cap = VT_QMP_MSG_MAX + 8192;
			more = realloc(q->buf, cap);
			if (!more)
				return vt_fail(ctx, -ENOMEM, "qmp", NULL);
			q->buf = more;
			q->cap = cap;
		}
		{
			long left = deadline - now_ms();
			struct pollfd p = { .fd = q->fd, .events = POLLIN };
			if (left <= 0)
				return vt_fail(ctx, -ETIMEDOUT, "qmp", "no message from QEMU in time");
			r = poll(&p, 1, (int)left);
			if (r < 0 && errno == EINTR)
				continue;
			if (r < 0)
				return vt_fail(ctx, -errno, "qmp", "poll");
			if (r == 0)
				return vt_fail(ctx, -ETIMEDOUT, "qmp", "no message from QEMU in time");
		}
		n = recv(q->fd, q->buf + q->len, q->cap - q->len, MSG_CMSG_CLOEXEC);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return vt_fail(ctx, -errno, "qmp", "read");
		if (n == 0)
			return vt_fail(ctx, -ECONNRESET, "qmp", "QEMU closed the QMP connection");
		q->len += (size_t)n;
	}
}

static void keep_event(struct vmtap_qmp *q, struct vt_qmp_msg *m)
{
	if (q->nevents == VT_QMP_EVENTS_MAX) {
		/* a waiter that never came: drop the oldest */
		vt_qmp_msg_clear(&q->events[0]);
		memmove(&q->events[0], &q->events[1], sizeof(q->events[0]) * (VT_QMP_EVENTS_MAX - 1));
		q->nevents--;
	}
	q->events[q->nevents++] = *m;
	memset(m, 0, sizeof(*m));
}

static int send_all(struct vmtap_ctx *ctx, struct vmtap_qmp *q, const char *text, size_t len, int fd)
{
	size_t off = 0;

	while (off < len) {
		struct iovec iov = { .iov_base = (char *)text + off, .iov_len = len - off };
		union {
			char buf[CMSG_SPACE(sizeof(int))];
			struct cmsghdr align;
		} u;
		struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
		ssize_t n;

		if (fd >= 0 && off == 0) {
			/* the fd rides on the command's first byte, as QEMU expects */
			struct cmsghdr *c;
			memset(&u, 0, sizeof(u));
			mh.msg_control = u.buf;
			mh.msg_controllen = sizeof(u.buf);
			c = CMSG_FIRSTHDR(&mh);
			c->cmsg_level = SOL_SOCKET;
			c->cmsg_type = SCM_RIGHTS;
			c->cmsg_len = CMSG_LEN(sizeof(int));
			memcpy(CMSG_DATA(c), &fd, sizeof(int));
		}
		n = sendmsg(q->fd, &mh, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return vt_fail(ctx, errno == EPIPE ? -ECONNRESET : -errno, "qmp",
				       errno == EPIPE ? "QEMU closed the QMP connection" : "send");
		off += (size_t)n;
	}
	return 0;
}

/* Send a command and wait for its reply; events meanwhile are kept. */
static int qmp_call(struct vmtap_ctx *ctx, struct vmtap_qmp *q, const char *command, json_object *args, int fd,
		    json_object **ret_return)
{
	json_object *cmd = json_object_new_object();
	char id[32];
	const char *text;
	long deadline;
	int r;

	if (!cmd) {
		json_object_put(args);
		return vt_fail(ctx, -ENOMEM, "qmp", NULL);
	}
	snprintf(id, sizeof(id), "vmtap-%lu", ++q->next_id);
	json_object_object_add(cmd, "execute", json_object_new_string(command));
	if (args)
		json_object_object_add(cmd, "arguments", args);
	json_object_object_add(cmd, "id", json_object_new_string(id));
	text = json_object_to_json_string_ext(cmd, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
	vt_log(ctx, VMTAP_LOG_DEBUG, "qmp -> %s%s", text, fd >= 0 ? " (+fd)" : "");
	r = send_all(ctx, q, text, strlen(text), fd);
	if (r == 0)
		r = send_all(ctx, q, "\n", 1, -1);
	json_object_put(cmd);
	if (r < 0)
		return r;
	q->err_class[0] = '\0';
	deadline = now_ms() + q->timeout_ms;
	for (;;) {
		struct vt_qmp_msg m;
		r = read_msg(ctx, q, deadline, &m);
		if (r < 0)
			return r;
		if (m.type == VT_QMP_EVENT) {
			keep_event(q, &m);
			continue;
		}
		if ((m.type == VT_QMP_RETURN || m.type == VT_QMP_ERROR) && !strcmp(m.id, id)) {
			if (m.type == VT_QMP_ERROR) {
				snprintf(q->err_class, sizeof(q->err_class), "%s", m.err_class);
				vt_set_extack(ctx, m.err_desc);
				(void)vt_fail(ctx, -EREMOTEIO, "qmp", "%s refused: %s", command,
					      m.err_class[0] ? m.err_class : "error");
				vt_qmp_msg_clear(&m);
				return -EREMOTEIO; /* callers branch on it: never an earlier error's code */
			}
			if (ret_return) {
				json_object *v = NULL;
				json_object_object_get_ex(m.obj, "return", &v);
				*ret_return = json_object_get(v);
			}
			vt_qmp_msg_clear(&m);
			return 0;
		}
		vt_log(ctx, VMTAP_LOG_DEBUG, "qmp: ignoring a reply to another command (id \"%s\")", m.id);
		vt_qmp_msg_clear(&m);
	}
}

/* ---- public ---- */

VT_EXPORT int vmtap_qmp_from_fd(struct vmtap_ctx *ctx, int fd, int timeout_ms, struct vmtap_qmp **ret_qmp)
{
	struct vmtap_qmp *q;
	struct vt_qmp_msg m;
	struct ucred cred;
	socklen_t cl = sizeof(cred);
	int r;

	vt_clear_error(ctx);
	if (fd < 0 || !ret_qmp) {
		if (fd >= 0)
			close(fd); /* ours on failure too, as documented */
		return vt_fail(ctx, -EINVAL, "validate", "no socket or no output handle");
	}
	q = calloc(1, sizeof(*q));
	if (!q) {
		close(fd);
		return vt_fail(ctx, -ENOMEM, "qmp", NULL);
	}
	q->fd = fd;
	q->timeout_ms = timeout_ms > 0 ? timeout_ms : VT_QMP_TIMEOUT_DEFAULT;
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &cl) == 0)
		q->peer_pid = cred.pid;
	r = read_msg(ctx, q, now_ms() + q->timeout_ms, &m);
	if (r < 0)
		goto fail;
	if (m.type != VT_QMP_GREETING) {
		vt_qmp_msg_clear(&m);
		r = vt_fail(ctx, -EPROTO, "qmp", "QEMU did not start with a QMP greeting");
		goto fail;
	}
	vt_qmp_msg_clear(&m);
	r = qmp_call(ctx, q, "qmp_capabilities", NULL, -1, NULL);
	if (r < 0)
		goto fail;
	*ret_qmp = q;
	return 0;
fail:
	vmtap_qmp_free(q);
	return r;
}

VT_EXPORT int vmtap_qmp_connect(struct vmtap_ctx *ctx, const char *path, int timeout_ms, struct vmtap_qmp **ret_qmp)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd;

	vt_clear_error(ctx);
	if (!path || !path[0] || strlen(path) >= sizeof(sa.sun_path))
		return vt_fail(ctx, -EINVAL, "validate", "QMP socket path is empty or longer than %zu bytes",
			       sizeof(sa.sun_path) - 1);
	memcpy(sa.sun_path, path, strlen(path));
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return vt_fail(ctx, -errno, "connect qmp", NULL);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int r = vt_fail(ctx, -errno, "connect qmp", "%s", path);
		close(fd);
		return r;
	}
	return vmtap_qmp_from_fd(ctx, fd, timeout_ms, ret_qmp);
}

VT_EXPORT struct vmtap_qmp *vmtap_qmp_free(struct vmtap_qmp *q)
{
	if (!q)
		return NULL;
	for (size_t i = 0; i < q->nevents; i++)
		vt_qmp_msg_clear(&q->events[i]);
	if (q->fd >= 0)
		close(q->fd);
	free(q->buf);
	free(q);
	return NULL;
}

VT_EXPORT int vmtap_qmp_peer_pid(const struct vmtap_qmp *q)
{
	return q ? q->peer_pid : 0;
}

VT_EXPORT const char *vmtap_qmp_error_class(const struct vmtap_qmp *q)
{
	return q ? q->err_class : "";
}

int vt_qmp_call(struct vmtap_ctx *ctx, struct vmtap_qmp *q, const char *command, json_object *args, int fd,
		json_object **ret_return)
{
	return qmp_call(ctx, q, command, args, fd, ret_return);
}

VT_EXPORT int vmtap_qmp_execute(struct vmtap_ctx *ctx, struct vmtap_qmp *q, const char *command,
				const char *arguments_json, int fd, char **ret_json)
{
	json_object *args = NULL, *ret = NULL;
	char *text = NULL;
	int r;

	vt_clear_error(ctx);
	if (!q || !command || !command[0])
		return vt_fail(ctx, -EINVAL, "validate", "no QMP handle or command");
	if (arguments_json) {
		args = json_tokener_parse(arguments_json);
		if (!args || !json_object_is_type(args, json_type_object)) {
			json_object_put(args);
			return vt_fail(ctx, -EINVAL, "validate", "QMP arguments are not a JSON object");
		}
	}
	r = qmp_call(ctx, q, command, args, fd, ret_json ? &ret : NULL);
	if (r < 0)
		return r;
	if (ret_json) {
		text = strdup(ret ? json_object_to_json_string_ext(ret, JSON_C_TO_STRING_PLAIN) : "null");
		json_object_put(ret);
		if (!text)
			return vt_fail(ctx, -ENOMEM, "qmp", NULL);
		*ret_json = text;
	}
	return 0;
}

VT_EXPORT int vmtap_qmp_wait_event(struct vmtap_ctx *ctx, struct vmtap_qmp *q, const char *event, const char *device,
				   int timeout_ms, char **ret_json)
{
	long deadline = now_ms() + (timeout_ms > 0 ? timeout_ms : q ? q->timeout_ms : 0);

	vt_clear_error(ctx);
	if (!q || !event)
		return vt_fail(ctx, -EINVAL, "validate", "no QMP handle or event");
	for (;;) {
		struct vt_qmp_msg m;
		int r;

		for (size_t i = 0; i < q->nevents; i++) {
			if (strcmp(q->events[i].event, event) || (device && strcmp(q->events[i].device, device)))
				continue;
			if (ret_json) {
				*ret_json = strdup(json_object_to_json_string_ext(q->events[i].obj, JSON_C_TO_STRING_PLAIN));
				if (!*ret_json)
					return vt_fail(ctx, -ENOMEM, "qmp", NULL);
			}
			vt_qmp_msg_clear(&q->events[i]);
			memmove(&q->events[i], &q->events[i + 1], sizeof(q->events[0]) * (q->nevents - i - 1));
			q->nevents--;
			return 0;
		}
		r = read_msg(ctx, q, deadline, &m);
		if (r == -ETIMEDOUT) {
			vt_clear_error(ctx);
			return vt_fail(ctx, -ETIMEDOUT, "qmp", "no %s event%s%s in time", event,
				       device ? " for " : "", device ? device : "");
		}
		if (r < 0)
			return r;
		if (m.type == VT_QMP_EVENT)
			keep_event(q, &m);
		else
			vt_qmp_msg_clear(&m); /* a late reply to a command that timed out */
	}
}

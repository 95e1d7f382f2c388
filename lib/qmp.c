/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* QMP client: greeting and capabilities, commands matched to replies by id, events kept for waiters, fds with SCM_RIGHTS. */
/**
 * DOC: Theory of Operation
 *
 * QMP is a stream of JSON objects, one per line.  Replies carry the "id" of
 * their command, events arrive whenever QEMU has one, even between a
 * command and its reply: so every message read goes through one place,
 * replies are matched by id and events are kept for whoever waits for them
 * later.  The peer may be hostile or broken, so everything it can make us do
 * is bounded:
 *
 * - time: every exchange ends by a deadline (the handle's timeout, and an
 *   operation-wide deadline when one is set, see vt_qmp_set_deadline()),
 *   connect() included; a QEMU that let one exchange time out is not
 *   talked to again (vt_qmp_dead()), so a rollback cannot wait a timeout per
 *   step;
 * - memory: a message is at most VT_QMP_MSG_MAX bytes and VT_QMP_VALUES_MAX
 *   JSON values (json-c spends hundreds of bytes per value), and events are
 *   kept as text, only those asked for, at most VT_QMP_EVENTS_BYTES of them;
 * - work: the reader consumes its buffer from an offset, so a flood of
 *   lines costs time linear in its size, and checks the deadline as it goes;
 * - text: a message must be valid UTF-8, and QEMU's words reach the caller's
 *   error text escaped and labelled as QEMU's.
 */
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <time.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "jsonc.h"
#include "qmp.h"

#define VT_QMP_EVENTS_MAX 256
#define VT_QMP_EVENTS_BYTES (1024 * 1024)
#define VT_QMP_TIMEOUT_DEFAULT 10000

struct qmp_event {
	char name[64];
	char device[128];
	char *text;               /* the message as QEMU sent it */
	size_t len;
};

struct vmtap_qmp {
	int fd;
	int timeout_ms;
	long deadline;            /* bound of every exchange, ms on CLOCK_MONOTONIC; 0: none */
	bool dead;                /* an exchange timed out or the connection broke: nothing more is sent */
	char *buf;
	size_t start, scanned, len, cap; /* unread bytes: buf[start..len); no newline in buf[start..scanned) */
	struct qmp_event events[VT_QMP_EVENTS_MAX];
	size_t nevents, event_bytes;
	const char *const *keep;  /* names of the events to keep, NULL-terminated; NULL: all */
	unsigned long next_id;
	int peer_pid;
	char err_class[64];
	char err_desc[256];       /* as QEMU sent it, for callers that branch on its words */
	struct vt_ack ack;        /* the same, escaped, for the error text */
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

/* JSON objects and arrays in (buf, len): json-c allocates a table or an array for each, the costly values. */
static size_t count_values(const char *buf, size_t len, size_t stop_at)
{
	bool in_string = false, escaped = false;
	size_t n = 0;

	for (size_t i = 0; i < len && n <= stop_at; i++) {
		char c = buf[i];
		if (in_string) {
			if (escaped)
				escaped = false;
			else if (c == '\\')
				escaped = true;
			else if (c == '"')
				in_string = false;
		} else if (c == '"') {
			in_string = true;
		} else if (c == '{' || c == '[') {
			n++;
		}
	}
	return n;
}

int vt_qmp_parse(const char *buf, size_t len, struct vt_qmp_msg *ret, char *err, size_t errlen)
{
	_cleanup_json_tokener_ struct json_tokener *tok = NULL;
	_cleanup_json_ json_object *o = NULL;
	struct vt_qmp_msg m = { 0 };
	enum json_tokener_error jerr;
	json_object *v;
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
	if (count_values(buf, len, VT_QMP_VALUES_MAX) > VT_QMP_VALUES_MAX) {
		snprintf(err, errlen, "message holds over %d JSON objects and arrays", VT_QMP_VALUES_MAX);
		return -EMSGSIZE;
	}
	tok = json_tokener_new_ex(32);
	if (!tok) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
	o = json_tokener_parse_ex(tok, buf, (int)len);
	jerr = json_tokener_get_error(tok);
	if (!o || jerr != json_tokener_success) {
		/* json-c has no error code of its own for a failed allocation: no object and no error is one */
		bool oom = !o && jerr == json_tokener_success;
		if (oom)
			snprintf(err, errlen, "out of memory while parsing a message of %zu bytes", len);
		else
			snprintf(err, errlen, "not valid JSON (%s)", json_tokener_error_desc(jerr));
		return oom ? -ENOMEM : -EBADMSG;
	}
	end = json_tokener_get_parse_end(tok);
	for (; end < len; end++)
		if (buf[end] != ' ' && buf[end] != '\r' && buf[end] != '\n' && buf[end] != '\t') {
			snprintf(err, errlen, "trailing data after the JSON object");
			return -EBADMSG;
		}
	if (!json_object_is_type(o, json_type_object)) {
		snprintf(err, errlen, "not a JSON object");
		return -EBADMSG;
	}
	if (json_object_object_get_ex(o, "id", &v)) {
		if (!json_object_is_type(v, json_type_string)) {
			snprintf(err, errlen, "\"id\" is not a string");
			return -EBADMSG;
		}
		snprintf(m.id, sizeof(m.id), "%s", json_object_get_string(v));
	}
	if (json_object_object_get_ex(o, "QMP", &v)) {
		if (!json_object_is_type(v, json_type_object)) {
			snprintf(err, errlen, "greeting \"QMP\" is not an object");
			return -EBADMSG;
		}
		m.type = VT_QMP_GREETING;
	} else if (json_object_object_get_ex(o, "return", NULL)) {
		m.type = VT_QMP_RETURN;
	} else if (json_object_object_get_ex(o, "error", &v)) {
		if (!json_object_is_type(v, json_type_object)) {
			snprintf(err, errlen, "\"error\" is not an object");
			return -EBADMSG;
		}
		m.type = VT_QMP_ERROR;
		copy_json_string(v, "class", m.err_class, sizeof(m.err_class));
		copy_json_string(v, "desc", m.err_desc, sizeof(m.err_desc));
	} else if (json_object_object_get_ex(o, "event", &v)) {
		json_object *data;
		if (!json_object_is_type(v, json_type_string)) {
			snprintf(err, errlen, "\"event\" is not a string");
			return -EBADMSG;
		}
		m.type = VT_QMP_EVENT;
		snprintf(m.event, sizeof(m.event), "%s", json_object_get_string(v));
		if (json_object_object_get_ex(o, "data", &data) && json_object_is_type(data, json_type_object))
			copy_json_string(data, "device", m.device, sizeof(m.device));
	} else {
		snprintf(err, errlen, "neither a greeting, a return, an error nor an event");
		return -EBADMSG;
	}
	m.obj = TAKE_PTR(o);
	*ret = m;
	return 0;
}

/* ---- transport ---- */

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The end of an exchange that starts now: the handle's timeout, cut short by the operation's deadline. */
static long exchange_deadline(const struct vmtap_qmp *q, int timeout_ms)
{
	long d = now_ms() + (timeout_ms > 0 ? timeout_ms : q->timeout_ms);

	return q->deadline && q->deadline < d ? q->deadline : d;
}

static int qmp_timed_out(struct vmtap_ctx *ctx, struct vmtap_qmp *q, const char *what)
{
	q->dead = true;
	return vt_fail(ctx, -ETIMEDOUT, "qmp", "QEMU did not answer in time (%s)", what);
}

static int qmp_broken(struct vmtap_ctx *ctx, struct vmtap_qmp *q, int err, const char *fmt, const char *arg)
{
	q->dead = true;
	return vt_fail(ctx, err, "qmp", fmt, arg);
}

/* Room for @want more bytes after buf[len], moving the unread part to the front when that makes it. */
static int buf_reserve(struct vmtap_ctx *ctx, struct vmtap_qmp *q, size_t want)
{
	if (q->cap - q->len >= want)
		return 0;
	if (q->start) {
		memmove(q->buf, q->buf + q->start, q->len - q->start);
		q->len -= q->start;
		q->scanned -= q->start;
		q->start = 0;
		if (q->cap - q->len >= want)
			return 0;
	}
	/* bounded: read_msg() refuses a line past VT_QMP_MSG_MAX before asking for more */
	if (VT_GROW(q->buf, q->cap, q->len + want) < 0)
		return vt_fail(ctx, -ENOMEM, "qmp", "no memory for QEMU's message");
	return 0;
}

/* Read the next message, waiting until @deadline (ms, monotonic). */
static int read_msg(struct vmtap_ctx *ctx, struct vmtap_qmp *q, long deadline, struct vt_qmp_msg *ret,
		    char **ret_text)
{
	unsigned long lines = 0;

	for (;;) {
		char *nl = q->len > q->scanned ? memchr(q->buf + q->scanned, '\n', q->len - q->scanned) : NULL;
		char err[160];
		ssize_t n;
		int r;

		if (nl) {
			char *line = q->buf + q->start;
			size_t text = (size_t)(nl - line);

			q->start = q->scanned = (size_t)(nl - q->buf) + 1;
			while (text && line[text - 1] == '\r')
				text--;
			if (!text) {
				/* a flood of empty lines is cheap now, but still bounded by the deadline */
				if (++lines % 4096 == 0 && now_ms() >= deadline)
					return qmp_timed_out(ctx, q, "a flood of empty lines");
				continue;
			}
			r = vt_qmp_parse(line, text, ret, err, sizeof(err));
			if (r < 0)
				return qmp_broken(ctx, q, r, "malformed message from QEMU: %s", err);
			if (ret_text && !(*ret_text = strndup(line, text))) {
				vt_qmp_msg_clear(ret);
				return vt_fail(ctx, -ENOMEM, "qmp", NULL);
			}
			vt_log(ctx, VMTAP_LOG_DEBUG, "qmp <- %.*s", (int)(text > 400 ? 400 : text), line);
			return 0;
		}
		q->scanned = q->len;
		if (q->len - q->start >= VT_QMP_MSG_MAX)
			return qmp_broken(ctx, q, -EMSGSIZE, "QEMU sent over %s bytes without a newline", "1 MiB");
		r = buf_reserve(ctx, q, 4096);
		if (r < 0)
			return r;
		{
			long left = deadline - now_ms();
			struct pollfd p = { .fd = q->fd, .events = POLLIN };
			if (left <= 0)
				return qmp_timed_out(ctx, q, "no complete message");
			r = poll(&p, 1, (int)left);
			if (r < 0 && errno == EINTR)
				continue;
			if (r < 0)
				return qmp_broken(ctx, q, -errno, "%s", "poll");
			if (r == 0)
				return qmp_timed_out(ctx, q, "no complete message");
		}
		n = recv(q->fd, q->buf + q->len, q->cap - q->len, MSG_CMSG_CLOEXEC | MSG_DONTWAIT);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n < 0)
			return qmp_broken(ctx, q, -errno, "%s", "read");
		if (n == 0)
			return qmp_broken(ctx, q, -ECONNRESET, "%s", "QEMU closed the QMP connection");
		q->len += (size_t)n;
	}
}

static void drop_event(struct vmtap_qmp *q, size_t i)
{
	q->event_bytes -= q->events[i].len;
	free(q->events[i].text);
	memmove(&q->events[i], &q->events[i + 1], sizeof(q->events[0]) * (q->nevents - i - 1));
	q->nevents--;
}

/* Keep event @m (its text @text, taken) for a later waiter, if it is one of those asked for. */
static void keep_event(struct vmtap_qmp *q, struct vt_qmp_msg *m, char *text)
{
	bool wanted = !q->keep;
	size_t len = strlen(text);

	for (const char *const *k = q->keep; k && *k && !wanted; k++)
		wanted = !strcmp(*k, m->event);
	if (!wanted || len > VT_QMP_EVENTS_BYTES) {
		free(text);
		return;
	}
	/* a waiter that never came: the oldest go first */
	while (q->nevents && (q->nevents == VT_QMP_EVENTS_MAX || q->event_bytes + len > VT_QMP_EVENTS_BYTES))
		drop_event(q, 0);
	q->events[q->nevents] = (struct qmp_event){ .text = text, .len = len };
	snprintf(q->events[q->nevents].name, sizeof(q->events[0].name), "%s", m->event);
	snprintf(q->events[q->nevents].device, sizeof(q->events[0].device), "%s", m->device);
	q->event_bytes += len;
	q->nevents++;
}

/* Read one message into @m; an event is kept (or dropped) and reported as such with type VT_QMP_EVENT. */
static int read_one(struct vmtap_ctx *ctx, struct vmtap_qmp *q, long deadline, struct vt_qmp_msg *m)
{
	char *text = NULL;
	int r = read_msg(ctx, q, deadline, m, &text);

	if (r < 0)
		return r;
	if (m->type == VT_QMP_EVENT) {
		/* the parsed object goes: only the text is kept, a fraction of json-c's size */
		keep_event(q, m, text);
		json_object_put(m->obj);
		m->obj = NULL;
		return 0;
	}
	free(text);
	return 0;
}

static int send_all(struct vmtap_ctx *ctx, struct vmtap_qmp *q, const char *text, size_t len, int fd, long deadline)
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
		n = sendmsg(q->fd, &mh, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN) {
			/* QEMU does not read: wait for room, not longer than the exchange may take */
			struct pollfd p = { .fd = q->fd, .events = POLLOUT };
			long left = deadline - now_ms();
			if (left <= 0 || poll(&p, 1, (int)left) == 0)
				return qmp_timed_out(ctx, q, "it does not read its socket");
			continue;
		}
		if (n < 0)
			return qmp_broken(ctx, q, errno == EPIPE ? -ECONNRESET : -errno, "%s",
					  errno == EPIPE ? "QEMU closed the QMP connection" : "send");
		off += (size_t)n;
	}
	return 0;
}

/* Send a command and wait for its reply; events meanwhile are kept. */
static int qmp_call(struct vmtap_ctx *ctx, struct vmtap_qmp *q, const char *command, json_object *args, int fd,
		    json_object **ret_return)
{
	json_object *cmd;
	char id[32];
	const char *text;
	long deadline;
	int r;

	if (q->dead) {
		json_object_put(args);
		return vt_fail(ctx, -ETIMEDOUT, "qmp", "%s not sent: QEMU stopped answering earlier", command);
	}
	deadline = exchange_deadline(q, 0);
	if (deadline <= now_ms()) {
		json_object_put(args);
		return qmp_timed_out(ctx, q, "the operation's time is up");
	}
	cmd = json_object_new_object();
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
	r = send_all(ctx, q, text, strlen(text), fd, deadline);
	if (r == 0)
		r = send_all(ctx, q, "\n", 1, -1, deadline);
	json_object_put(cmd);
	if (r < 0)
		return r;
	q->err_class[0] = '\0';
	q->err_desc[0] = '\0';
	for (;;) {
		struct vt_qmp_msg m;
		r = read_one(ctx, q, deadline, &m);
		if (r < 0)
			return r;
		if (m.type == VT_QMP_EVENT)
			continue;
		if ((m.type == VT_QMP_RETURN || m.type == VT_QMP_ERROR) && !strcmp(m.id, id)) {
			if (m.type == VT_QMP_ERROR) {
				snprintf(q->err_class, sizeof(q->err_class), "%s", m.err_class);
				snprintf(q->err_desc, sizeof(q->err_desc), "%s", m.err_desc);
				vt_ack_set(&q->ack, "QEMU", m.err_desc);
				r = vt_fail_ack(ctx, -EREMOTEIO, &q->ack, "qmp", "%s refused: %s", command,
						m.err_class[0] ? m.err_class : "error");
				vt_qmp_msg_clear(&m);
				return r;
			}
			if (ret_return) {
				json_object *v = NULL;
				json_object_object_get_ex(m.obj, "return", &v);
				*ret_return = json_object_get(v);
			}
			vt_qmp_msg_clear(&m);
			return 0;
		}
		vt_log(ctx, VMTAP_LOG_DEBUG, "qmp: ignoring a reply to another command");
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
	r = read_one(ctx, q, exchange_deadline(q, 0), &m);
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

int vt_qmp_connect(struct vmtap_ctx *ctx, const char *path, int timeout_ms, long deadline, struct vmtap_qmp **ret_qmp)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	_cleanup_close_ int fd = -1;
	long end = now_ms() + (timeout_ms > 0 ? timeout_ms : VT_QMP_TIMEOUT_DEFAULT);
	struct vmtap_qmp *q;
	long delay_ms = 1;
	int r;

	if (deadline && deadline < end)
		end = deadline;
	if (!path || !path[0] || strlen(path) >= sizeof(sa.sun_path))
		return vt_fail(ctx, -EINVAL, "validate", "QMP socket path is empty or longer than %zu bytes",
			       sizeof(sa.sun_path) - 1);
	memcpy(sa.sun_path, path, strlen(path));
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return vt_fail(ctx, -errno, "connect qmp", NULL);
	/*
	 * A unix socket whose backlog is full refuses a non-blocking connect()
	 * with EAGAIN instead of making us wait: a QEMU that accepts nobody.
	 * Try again, backing off, until the deadline.
	 */
	while (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN)
			return vt_fail(ctx, -errno, "connect qmp", "%s", path);
		if (now_ms() + delay_ms > end)
			return vt_fail(ctx, -ETIMEDOUT, "connect qmp", "%s accepts no connection (its backlog is full)", path);
		nanosleep(&(struct timespec){ .tv_nsec = delay_ms * 1000000 }, NULL);
		if (delay_ms < 50)
			delay_ms *= 2;
	}
	r = vmtap_qmp_from_fd(ctx, TAKE_FD(fd), timeout_ms, &q);
	if (r < 0)
		return r;
	q->deadline = deadline;
	*ret_qmp = q;
	return 0;
}

VT_EXPORT int vmtap_qmp_connect(struct vmtap_ctx *ctx, const char *path, int timeout_ms, struct vmtap_qmp **ret_qmp)
{
	vt_clear_error(ctx);
	if (!ret_qmp)
		return vt_fail(ctx, -EINVAL, "validate", "no output handle");
	return vt_qmp_connect(ctx, path, timeout_ms, 0, ret_qmp);
}

VT_EXPORT struct vmtap_qmp *vmtap_qmp_free(struct vmtap_qmp *q)
{
	if (!q)
		return NULL;
	while (q->nevents)
		drop_event(q, q->nevents - 1);
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

const char *vt_qmp_error_desc(const struct vmtap_qmp *q)
{
	return q->err_desc;
}

void vt_qmp_set_deadline(struct vmtap_qmp *q, long deadline)
{
	q->deadline = deadline;
}

void vt_qmp_keep_events(struct vmtap_qmp *q, const char *const *names)
{
	q->keep = names;
	for (size_t i = q->nevents; i-- > 0;) {
		bool wanted = !names;
		for (const char *const *k = names; k && *k && !wanted; k++)
			wanted = !strcmp(*k, q->events[i].name);
		if (!wanted)
			drop_event(q, i);
	}
}

bool vt_qmp_dead(const struct vmtap_qmp *q)
{
	return q->dead;
}

long vt_qmp_now_ms(void)
{
	return now_ms();
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
	long deadline;

	vt_clear_error(ctx);
	if (!q || !event)
		return vt_fail(ctx, -EINVAL, "validate", "no QMP handle or event");
	deadline = exchange_deadline(q, timeout_ms);
	for (;;) {
		struct vt_qmp_msg m;
		int r;

		for (size_t i = 0; i < q->nevents; i++) {
			if (strcmp(q->events[i].name, event) || (device && strcmp(q->events[i].device, device)))
				continue;
			if (ret_json) {
				*ret_json = strdup(q->events[i].text);
				if (!*ret_json)
					return vt_fail(ctx, -ENOMEM, "qmp", NULL);
			}
			drop_event(q, i);
			return 0;
		}
		if (q->dead)
			return vt_fail(ctx, -ETIMEDOUT, "qmp", "no %s event: QEMU stopped answering earlier", event);
		r = read_one(ctx, q, deadline, &m);
		if (r == -ETIMEDOUT) {
			/* the guest may still let go: only the wait ended, QEMU answers still */
			q->dead = false;
			return vt_fail(ctx, -ETIMEDOUT, "qmp", "no %s event%s%s in time", event,
				       device ? " for " : "", device ? device : "");
		}
		if (r < 0)
			return r;
		if (m.type != VT_QMP_EVENT)
			vt_qmp_msg_clear(&m); /* a late reply to a command that timed out */
	}
}

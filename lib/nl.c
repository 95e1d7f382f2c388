/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The rtnetlink transport through libmnl: sockets per namespace, request/ack, batches, dumps read to their end. */
/**
 * DOC: Theory of Operation
 *
 * Each namespace gets one NETLINK_ROUTE socket, opened inside it (see
 * netns.c) and cached in the context, with extended acks and strict checking
 * turned on so that the kernel says why it refused something and filters
 * dumps itself.  The cache is the context's only tie to this module: it
 * holds an opaque pointer and the function that frees it, so the context
 * never calls upwards.
 *
 * A request always reads its reply to the end (the ack, or the NLMSG_DONE
 * of a dump), even when a callback failed half-way: a socket left with an
 * unread reply is marked broken and reopened before the next request, so a
 * stale message is never taken for the answer to a new one.
 */
#include <stdio.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <linux/netlink.h>

#include "nl.h"
#include "netns.h"

#ifndef NETLINK_GET_STRICT_CHK
#define NETLINK_GET_STRICT_CHK 12
#endif

#define VT_NL_CACHE 8
#define VT_NL_RX_SIZE 32768  /* a dump's messages come in chunks this large */
#define VT_NL_TX_SIZE 65536  /* a burst of batched requests */

struct vt_nl {
	bool broken;      /* a reply may still be queued: reopen before the next request */
	struct mnl_socket *sk;
	unsigned int portid;
	unsigned int seq;
	struct vt_netns_id ns;
	struct vt_ack ack; /* of the last failed request */
	/* buffers kept with the socket, not on the stack of every request */
	char *rx, *tx;
};

struct nl_cache {
	struct vt_nl *nl[VT_NL_CACHE];
};

static void nl_free(struct vt_nl *nl)
{
	if (!nl)
		return;
	if (nl->sk)
		mnl_socket_close(nl->sk);
	free(nl->rx);
	free(nl->tx);
	free(nl);
}

static void nl_cache_free(void *p)
{
	struct nl_cache *c = p;

	for (size_t i = 0; c && i < VT_NL_CACHE; i++)
		nl_free(c->nl[i]);
	free(c);
}

struct nl_open_args {
	struct vmtap_ctx *ctx;
	const char *label;
	struct mnl_socket *sk;
};

/* Runs inside the target namespace (vt_netns_call()). */
static int nl_open_here(void *p)
{
	struct nl_open_args *a = p;
	int one = 1;

	a->sk = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC);
	if (!a->sk)
		return vt_fail(a->ctx, -errno, "open netlink", "%s", a->label);
	/* older kernels lack these; everything still works, with less precise errors */
	(void)mnl_socket_setsockopt(a->sk, NETLINK_EXT_ACK, &one, sizeof(one));
	(void)mnl_socket_setsockopt(a->sk, NETLINK_CAP_ACK, &one, sizeof(one));
	(void)mnl_socket_setsockopt(a->sk, NETLINK_GET_STRICT_CHK, &one, sizeof(one));
	if (mnl_socket_bind(a->sk, 0, MNL_SOCKET_AUTOPID) < 0) {
		int r = vt_fail(a->ctx, -errno, "open netlink", "%s", a->label);
		mnl_socket_close(a->sk);
		a->sk = NULL;
		return r;
	}
	return 0;
}

int vt_nl_get(struct vmtap_ctx *ctx, const char *netns, struct vt_nl **ret_nl)
{
	struct nl_open_args args = { .ctx = ctx, .label = netns ? netns : "own namespace" };
	_cleanup_close_ int nsfd = -1;
	struct nl_cache *c;
	struct vt_netns_id id;
	struct stat st;
	struct vt_nl *nl;
	size_t slot;
	int r;

	if (!ctx->nl_cache) {
		ctx->nl_cache = calloc(1, sizeof(struct nl_cache));
		if (!ctx->nl_cache)
			return vt_fail(ctx, -ENOMEM, "open netlink", NULL);
		ctx->nl_cache_free = nl_cache_free;
	}
	c = ctx->nl_cache;
	if (netns) {
		r = vt_netns_open(ctx, netns, &nsfd);
		if (r < 0)
			return r;
		if (fstat(nsfd, &st) < 0)
			return vt_fail(ctx, -errno, "open namespace", "%s", netns);
		id = (struct vt_netns_id){ .dev = st.st_dev, .ino = st.st_ino };
	} else {
		r = vt_netns_id(ctx, NULL, &id);
		if (r < 0)
			return r;
	}

	for (slot = 0; slot < VT_NL_CACHE; slot++) {
		nl = c->nl[slot];
		if (nl && vt_netns_id_equal(&nl->ns, &id)) {
			if (!nl->broken) {
				*ret_nl = nl;
				return 0;
			}
			nl_free(nl);
			c->nl[slot] = NULL;
		}
	}

	r = vt_netns_call(ctx, nsfd, nl_open_here, &args);
	if (r < 0)
		return r;
	nl = calloc(1, sizeof(*nl));
	if (!nl || !(nl->rx = aligned_alloc(8, VT_NL_RX_SIZE)) || !(nl->tx = aligned_alloc(8, VT_NL_TX_SIZE))) {
		mnl_socket_close(args.sk);
		if (nl)
			free(nl->rx);
		free(nl);
		return vt_fail(ctx, -ENOMEM, "open netlink", NULL);
	}
	/* libmnl 1.0.4 leaves attribute padding as it finds it: never send the heap's old bytes */
	memset(nl->tx, 0, VT_NL_TX_SIZE);
	nl->sk = args.sk;
	nl->portid = mnl_socket_get_portid(args.sk);
	nl->ns = id;
	if (getrandom(&nl->seq, sizeof(nl->seq), GRND_NONBLOCK) < 0)
		nl->seq = (unsigned int)getpid();

	/* reuse a free slot, else evict the oldest entry */
	for (slot = 0; slot < VT_NL_CACHE && c->nl[slot]; slot++)
		;
	if (slot == VT_NL_CACHE) {
		nl_free(c->nl[0]);
		memmove(&c->nl[0], &c->nl[1], sizeof(c->nl[0]) * (VT_NL_CACHE - 1));
		slot = VT_NL_CACHE - 1;
	}
	c->nl[slot] = nl;
	*ret_nl = nl;
	return 0;
}

const struct vt_ack *vt_nl_ack(const struct vt_nl *nl)
{
	return &nl->ack;
}

/* ---- request / reply ---- */

struct nl_req {
	struct vt_nl *nl;
	mnl_cb_t cb;
	void *data;
	bool batch;          /* many requests in flight: count replies, keep the first error */
	unsigned int replies;
	int first_err;
	bool kernel_error;   /* the failure came in an NLMSG_ERROR: the request is over */
	bool dump_whole;     /* take an interrupted dump to its end instead of stopping (see vt_nl_dump()) */
	bool interrupted;    /* ... and it was: NLM_F_DUMP_INTR was seen */
};

static int extack_attr_cb(const struct nlattr *attr, void *data)
{
	struct nl_req *req = data;

	if (mnl_attr_get_type(attr) == NLMSGERR_ATTR_MSG &&
	    mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) == 0)
		vt_ack_set(&req->nl->ack, "kernel", mnl_attr_get_str(attr));
	return MNL_CB_OK;
}

static int nl_error_cb(const struct nlmsghdr *nlh, void *data)
{
	struct nl_req *req = data;
	const struct nlmsgerr *err = mnl_nlmsg_get_payload(nlh);
	int e;

	if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*err))) {
		errno = EBADMSG;
		return MNL_CB_ERROR;
	}
	req->replies++;
	if (err->error == 0)
		return req->batch ? MNL_CB_OK : MNL_CB_STOP;
	e = err->error < 0 ? -err->error : err->error;
	req->kernel_error = true;
	/* in a batch only the first failure's explanation is kept, with its errno */
	if (!req->batch || !req->first_err) {
		req->nl->ack.text[0] = '\0';
		if (nlh->nlmsg_flags & NLM_F_ACK_TLVS) {
			size_t off = sizeof(*err);
			if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
				off += err->msg.nlmsg_len - sizeof(struct nlmsghdr);
			if (mnl_nlmsg_size(off) < nlh->nlmsg_len)
				mnl_attr_parse(nlh, (unsigned int)off, extack_attr_cb, req);
		}
	}
	if (req->batch) {
		if (!req->first_err)
			req->first_err = -e;
		return MNL_CB_OK;
	}
	errno = e;
	return MNL_CB_ERROR;
}

static int nl_done_cb(const struct nlmsghdr *nlh, void *data)
{
	(void)data;
	/* a dump that failed half-way ends with NLMSG_DONE carrying the error */
	if (mnl_nlmsg_get_payload_len(nlh) >= sizeof(int)) {
		int err;
		memcpy(&err, mnl_nlmsg_get_payload(nlh), sizeof(err));
		if (err < 0) {
			errno = -err;
			return MNL_CB_ERROR;
		}
	}
	return MNL_CB_STOP;
}

static int nl_noop_cb(const struct nlmsghdr *nlh, void *data)
{
	(void)nlh, (void)data;
	return MNL_CB_OK;
}

static int nl_overrun_cb(const struct nlmsghdr *nlh, void *data)
{
	(void)nlh, (void)data;
	errno = ENOSPC;
	return MNL_CB_ERROR;
}

static int nl_data_cb(const struct nlmsghdr *nlh, void *data)
{
	struct nl_req *req = data;

	return req->cb ? req->cb(nlh, req->data) : MNL_CB_OK;
}

/* Read until the NLMSG_DONE or NLMSG_ERROR that ends the current reply; @buf (nl->rx) already holds @n bytes of it. */
static int nl_drain(struct vt_nl *nl, char *buf, ssize_t n)
{
	for (int rounds = 0; rounds < 100000; rounds++) {
		const struct nlmsghdr *nlh = (const struct nlmsghdr *)buf;
		int len = (int)n;

		for (; mnl_nlmsg_ok(nlh, len); nlh = mnl_nlmsg_next(nlh, &len))
			if (nlh->nlmsg_type == NLMSG_DONE || nlh->nlmsg_type == NLMSG_ERROR)
				return 0;
		n = mnl_socket_recvfrom(nl->sk, buf, VT_NL_RX_SIZE);
		if (n <= 0)
			return -EIO;
	}
	return -EIO;
}

static int nl_recv(struct vt_nl *nl, struct nl_req *req, unsigned int seq, unsigned int want)
{
	/* libmnl ignores control messages whose slot is empty once an array is given: fill all */
	static mnl_cb_t ctl[NLMSG_MIN_TYPE] = {
		[NLMSG_NOOP] = nl_noop_cb, [NLMSG_ERROR] = nl_error_cb,
		[NLMSG_DONE] = nl_done_cb, [NLMSG_OVERRUN] = nl_overrun_cb,
	};
	char *buf = nl->rx;
	ssize_t n;
	int r;

	for (;;) {
		n = mnl_socket_recvfrom(nl->sk, buf, VT_NL_RX_SIZE);
		if (n < 0) {
			nl->broken = true;
			return -errno;
		}
		if (req->dump_whole) {
			/* libmnl stops at the first NLM_F_DUMP_INTR: note it and let every message through */
			int len = (int)n;
			for (struct nlmsghdr *h = (struct nlmsghdr *)buf; mnl_nlmsg_ok(h, len); h = mnl_nlmsg_next(h, &len))
				if (h->nlmsg_flags & NLM_F_DUMP_INTR) {
					h->nlmsg_flags &= ~NLM_F_DUMP_INTR;
					req->interrupted = true;
				}
		}
		errno = 0;
		r = mnl_cb_run2(buf, (size_t)n, seq, nl->portid, nl_data_cb, req, ctl, ARRAY_SIZE(ctl));
		if (r < 0) {
			int err = errno ? -errno : -EIO;
			if (!req->kernel_error) {
				/*
				 * A dump interrupted by a change of the link list (NLM_F_DUMP_INTR, EINTR)
				 * or a message we could not take: the rest of the reply may still be
				 * queued.  Read on to its end so the next request starts clean.
				 */
				if (err != -EINTR || nl_drain(nl, buf, n) < 0)
					nl->broken = true;
			}
			return err;
		}
		if (r == MNL_CB_STOP)
			return 0;
		if (req->batch && req->replies >= want)
			return req->first_err;
	}
}

static int nl_talk_req(struct vt_nl *nl, struct nlmsghdr *nlh, struct nl_req *req)
{
	nlh->nlmsg_seq = ++nl->seq;
	/* only a GET can be a dump, which ends with NLMSG_DONE instead of an ack */
	if (!vt_nl_is_dump(nlh))
		nlh->nlmsg_flags |= NLM_F_ACK;
	nl->ack.text[0] = '\0';
	if (mnl_socket_sendto(nl->sk, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	return nl_recv(nl, req, nlh->nlmsg_seq, 1);
}

int vt_nl_talk(struct vt_nl *nl, struct nlmsghdr *nlh, mnl_cb_t cb, void *data)
{
	struct nl_req req = { .nl = nl, .cb = cb, .data = data };

	return nl_talk_req(nl, nlh, &req);
}

int vt_nl_dump(struct vt_nl *nl, struct nlmsghdr *nlh, mnl_cb_t cb, void *data, bool *ret_interrupted)
{
	struct nl_req req = { .nl = nl, .cb = cb, .data = data, .dump_whole = true };
	int r = nl_talk_req(nl, nlh, &req);

	*ret_interrupted = req.interrupted;
	return r;
}

int vt_nl_talk_batch(struct vt_nl *nl, size_t n, void (*build)(struct nlmsghdr *nlh, size_t i, void *data),
		     void *data)
{
	int first_err = 0;
	size_t i = 0;

	nl->ack.text[0] = '\0';
	while (i < n) {
		/* the last 4 KiB: room for the one request batch_next() says no longer fits */
		struct mnl_nlmsg_batch *b = mnl_nlmsg_batch_start(nl->tx, VT_NL_TX_SIZE - 4096);
		struct nl_req req = { .nl = nl, .batch = true, .first_err = first_err };
		unsigned int count = 0;
		int r;

		if (!b)
			return -ENOMEM;
		/* keep each burst small enough that its acks fit the socket's receive buffer */
		while (i < n && count < 128) {
			struct nlmsghdr *nlh = mnl_nlmsg_put_header(mnl_nlmsg_batch_current(b));
			build(nlh, i, data);
			nlh->nlmsg_flags |= NLM_F_ACK;
			nlh->nlmsg_seq = ++nl->seq;
			i++;
			count++;
			if (!mnl_nlmsg_batch_next(b))
				break;
		}
		r = (int)mnl_socket_sendto(nl->sk, mnl_nlmsg_batch_head(b), mnl_nlmsg_batch_size(b));
		mnl_nlmsg_batch_stop(b);
		if (r < 0)
			return first_err ? first_err : -errno;
		r = nl_recv(nl, &req, 0, count);
		if (r < 0 && !first_err)
			first_err = r;
		if (req.replies < count)
			return first_err ? first_err : -EIO;
	}
	return first_err;
}

int vt_nl_attr_table_cb(const struct nlattr *attr, void *data)
{
	const struct vt_nl_attr_table *t = data;
	unsigned int type = mnl_attr_get_type(attr);

	if (type <= t->max)
		t->tb[type] = attr;
	return MNL_CB_OK;
}

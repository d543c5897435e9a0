/* nl.c — netlink sockets, message batches, sending and ACK collection. */
#include "nl.h"
#include "fault.h"
#include "ns.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <libmnl/libmnl.h>

#define NL_RCVBUF_BYTES (8 << 20)
#define NL_SNDBUF_BYTES (1 << 20)
#define NL_RECV_BYTES (64 * 1024) /* >= the largest dump skb (32 KiB) */

struct nl_sock {
	struct mnl_socket *mnl;
	uint32_t portid;
	uint32_t seq;
	size_t send_max; /* sk_sndbuf - 32: netlink_sendmsg() refuses more */
};

/* Answers are read into the calling thread's buffer and handled before the
 * next read: one buffer a thread, not one a socket (a lab holds a socket in
 * every node while it builds; 10,000 buffers of which each answer touches a
 * page were 40 MB). */
static __thread char nl_rbuf[NL_RECV_BYTES] __attribute__((aligned(8)));

struct nl_batch {
	char *buf;
	size_t len, cap;
	size_t *off;
	int *cookies, *errs;
	int n, ncap;
	int cookie;
	struct nl_result *fails;
	int nfails, fcap;
};

/* ---- sockets ---------------------------------------------------------- */

static int nl_setsockopt_int(int fd, int level, int opt, int val)
{
	return setsockopt(fd, level, opt, &val, sizeof(val)) < 0 ? -errno : 0;
}

/* SO_*BUFFORCE needs CAP_NET_ADMIN; without it fall back to the capped
 * SO_*BUF.  The kernel stores twice the value; read back what we got. */
static int nl_sock_buffers(struct nl_sock *s, int fd)
{
	int val = 0;
	socklen_t len = sizeof(val);

	if (nl_setsockopt_int(fd, SOL_SOCKET, SO_RCVBUFFORCE, NL_RCVBUF_BYTES) < 0)
		nl_setsockopt_int(fd, SOL_SOCKET, SO_RCVBUF, NL_RCVBUF_BYTES);
	if (nl_setsockopt_int(fd, SOL_SOCKET, SO_SNDBUFFORCE, NL_SNDBUF_BYTES) < 0)
		nl_setsockopt_int(fd, SOL_SOCKET, SO_SNDBUF, NL_SNDBUF_BYTES);
	if (getsockopt(fd, SOL_SOCKET, SO_SNDBUF, &val, &len) < 0)
		return -errno;
	s->send_max = val > 64 ? (size_t)val - 32 : 4096;
	return 0;
}

int nl_sock_open(struct nl_sock **out)
{
	struct nl_sock *s;
	int fd, ret;

	*out = NULL;
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->mnl = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC);
	if (!s->mnl) {
		ret = -errno;
		goto err;
	}
	fd = mnl_socket_get_fd(s->mnl);
	/* EXT_ACK: extack text ("Nexthop has invalid gateway").  CAP_ACK: a
	 * NACK does not echo the whole request (which may not fit). */
	ret = nl_setsockopt_int(fd, SOL_NETLINK, NETLINK_EXT_ACK, 1);
	if (!ret)
		ret = nl_setsockopt_int(fd, SOL_NETLINK, NETLINK_CAP_ACK, 1);
	if (!ret)
		ret = nl_sock_buffers(s, fd);
	if (ret)
		goto err;
	if (mnl_socket_bind(s->mnl, 0, MNL_SOCKET_AUTOPID) < 0) {
		ret = -errno;
		goto err;
	}
	s->portid = mnl_socket_get_portid(s->mnl);
	s->seq = 1;
	*out = s;
	return 0;
err:
	nl_sock_close(s);
	return ret;
}

static int nl_sock_open_fn(void *arg)
{
	return nl_sock_open(arg);
}

int nl_sock_open_in(int netns_fd, struct nl_sock **out)
{
	*out = NULL;
	if (netns_fd < 0)
		return nl_sock_open(out);
	return ns_run_in(netns_fd, nl_sock_open_fn, out);
}

void nl_sock_close(struct nl_sock *s)
{
	if (!s)
		return;
	if (s->mnl)
		mnl_socket_close(s->mnl);
	free(s);
}

int nl_sock_fd(const struct nl_sock *s)
{
	return mnl_socket_get_fd(s->mnl);
}

/* ---- batches ---------------------------------------------------------- */

struct nl_batch *nl_batch_new(void)
{
	return calloc(1, sizeof(struct nl_batch));
}

void nl_batch_free(struct nl_batch *b)
{
	if (!b)
		return;
	free(b->buf);
	free(b->off);
	free(b->cookies);
	free(b->errs);
	free(b->fails);
	free(b);
}

void nl_batch_reset(struct nl_batch *b)
{
	b->len = 0;
	b->n = 0;
	b->nfails = 0;
	b->cookie = 0;
}

int nl_batch_count(const struct nl_batch *b)
{
	return b->n;
}

void nl_batch_set_cookie(struct nl_batch *b, int cookie)
{
	b->cookie = cookie;
}

const struct nlmsghdr *nl_batch_msg(const struct nl_batch *b, int i)
{
	if (i < 0 || i >= b->n)
		return NULL;
	return (const struct nlmsghdr *)(b->buf + b->off[i]);
}

int nl_batch_cookie(const struct nl_batch *b, int i)
{
	return i >= 0 && i < b->n ? b->cookies[i] : 0;
}

int nl_batch_err(const struct nl_batch *b, int i)
{
	return i >= 0 && i < b->n ? b->errs[i] : -EINVAL;
}

int nl_batch_failures(const struct nl_batch *b, const struct nl_result **out)
{
	*out = b->fails;
	return b->nfails;
}

static int nl_grow(void **p, int *cap, int need, size_t elem)
{
	int ncap = *cap ? *cap : 16;
	void *q;

	if (need <= *cap)
		return 0;
	while (ncap < need)
		ncap *= 2;
	q = realloc(*p, (size_t)ncap * elem);
	if (!q)
		return -ENOMEM;
	*p = q;
	*cap = ncap;
	return 0;
}

/* Room for one more message of up to NL_MSG_MAX bytes. */
static int nl_batch_reserve(struct nl_batch *b)
{
	int ncap = b->ncap, ret;
	char *buf;
	size_t cap;

	if (b->cap - b->len < NL_MSG_MAX) {
		cap = b->cap ? b->cap * 2 : 4 * NL_MSG_MAX;
		while (cap - b->len < NL_MSG_MAX)
			cap *= 2;
		buf = realloc(b->buf, cap);
		if (!buf)
			return -ENOMEM;
		b->buf = buf;
		b->cap = cap;
	}
	ret = nl_grow((void **)&b->off, &ncap, b->n + 1, sizeof(*b->off));
	ncap = b->ncap;
	if (!ret)
		ret = nl_grow((void **)&b->cookies, &ncap, b->n + 1, sizeof(int));
	ncap = b->ncap;
	if (!ret)
		ret = nl_grow((void **)&b->errs, &ncap, b->n + 1, sizeof(int));
	if (!ret)
		b->ncap = ncap;
	return ret;
}

/* ---- message construction ----------------------------------------------- */

int nl_msg_begin(struct nl_msg *m, struct nl_batch *b, uint16_t type, uint16_t flags)
{
	m->b = b;
	m->nlh = NULL;
	m->err = nl_batch_reserve(b);
	if (m->err)
		return m->err;
	m->nlh = mnl_nlmsg_put_header(b->buf + b->len);
	m->nlh->nlmsg_type = type;
	m->nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	return 0;
}

void *nl_msg_extra(struct nl_msg *m, size_t len)
{
	static char sink[64];

	if (m->err || m->nlh->nlmsg_len + MNL_ALIGN(len) > NL_MSG_MAX) {
		if (!m->err)
			m->err = -EMSGSIZE;
		return memset(sink, 0, sizeof(sink)); /* caller writes, we drop */
	}
	return mnl_nlmsg_put_extra_header(m->nlh, len);
}

void nl_put(struct nl_msg *m, uint16_t type, size_t len, const void *data)
{
	if (m->err)
		return;
	if (!mnl_attr_put_check(m->nlh, NL_MSG_MAX, type, len, data))
		m->err = -EMSGSIZE;
}

void nl_put_u8(struct nl_msg *m, uint16_t type, uint8_t v)
{
	nl_put(m, type, sizeof(v), &v);
}

void nl_put_u16(struct nl_msg *m, uint16_t type, uint16_t v)
{
	nl_put(m, type, sizeof(v), &v);
}

void nl_put_u32(struct nl_msg *m, uint16_t type, uint32_t v)
{
	nl_put(m, type, sizeof(v), &v);
}

void nl_put_u64(struct nl_msg *m, uint16_t type, uint64_t v)
{
	nl_put(m, type, sizeof(v), &v);
}

void nl_put_str(struct nl_msg *m, uint16_t type, const char *s)
{
	if (!s) {
		if (!m->err)
			m->err = -EINVAL;
		return;
	}
	nl_put(m, type, strlen(s) + 1, s);
}

struct nlattr *nl_nest_start(struct nl_msg *m, uint16_t type)
{
	struct nlattr *nest;

	if (m->err)
		return NULL;
	nest = mnl_attr_nest_start_check(m->nlh, NL_MSG_MAX, type);
	if (!nest)
		m->err = -EMSGSIZE;
	return nest;
}

void nl_nest_end(struct nl_msg *m, struct nlattr *nest)
{
	if (!m->err && nest)
		mnl_attr_nest_end(m->nlh, nest);
}

int nl_msg_end(struct nl_msg *m)
{
	struct nl_batch *b = m->b;

	if (m->err)
		return m->err; /* nothing committed: b->len unchanged */
	b->off[b->n] = b->len;
	b->cookies[b->n] = b->cookie;
	b->errs[b->n] = 0;
	b->n++;
	b->len += MNL_ALIGN(m->nlh->nlmsg_len);
	return 0;
}

/* ---- ACKs and errors ---------------------------------------------------- */

static int nl_err_attr_cb(const struct nlattr *attr, void *data)
{
	const struct nlattr **tb = data;
	int type = mnl_attr_get_type(attr);

	if (mnl_attr_type_valid(attr, NLMSGERR_ATTR_MAX) < 0)
		return MNL_CB_OK; /* newer kernel attribute: ignore */
	tb[type] = attr;
	return MNL_CB_OK;
}

int nl_parse_error(const struct nlmsghdr *nlh, int *err, char *msg, size_t msglen)
{
	const struct nlattr *tb[NLMSGERR_ATTR_MAX + 1] = { NULL };
	const struct nlmsgerr *e;
	size_t off;

	if (msglen)
		msg[0] = '\0';
	if (nlh->nlmsg_type != NLMSG_ERROR)
		return -EINVAL;
	if (nlh->nlmsg_len < NLMSG_HDRLEN + sizeof(*e))
		return -EBADMSG;
	e = mnl_nlmsg_get_payload(nlh);
	*err = e->error;
	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return 0;
	/* TLVs follow the echoed request: only its header when CAPPED. */
	off = sizeof(*e);
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		off += e->msg.nlmsg_len - sizeof(e->msg);
	if (NLMSG_HDRLEN + off > nlh->nlmsg_len)
		return -EBADMSG;
	if (mnl_attr_parse(nlh, off, nl_err_attr_cb, tb) < 0)
		return -EBADMSG;
	if (tb[NLMSGERR_ATTR_MSG] && msglen) {
		const char *s = mnl_attr_get_payload(tb[NLMSGERR_ATTR_MSG]);
		size_t n = strnlen(s, mnl_attr_get_payload_len(tb[NLMSGERR_ATTR_MSG]));

		if (n >= msglen)
			n = msglen - 1;
		memcpy(msg, s, n);
		msg[n] = '\0';
	}
	return 0;
}

/* ---- sending ------------------------------------------------------------ */

static int nl_add_failure(struct nl_batch *b, int i, int err, const char *msg)
{
	struct nl_result *r;

	b->errs[i] = err;
	if (nl_grow((void **)&b->fails, &b->fcap, b->nfails + 1, sizeof(*b->fails)))
		return -ENOMEM;
	r = &b->fails[b->nfails++];
	r->cookie = b->cookies[i];
	r->err = err;
	snprintf(r->msg, sizeof(r->msg), "%s", msg ? msg : "");
	return 0;
}

/* End (exclusive, at most to) of the chunk starting at message i. */
static int nl_chunk_end(const struct nl_sock *s, const struct nl_batch *b, int i, int to)
{
	size_t start = b->off[i];
	int j = i + 1;

	while (j < to && j - i < NL_CHUNK_MSGS) {
		const struct nlmsghdr *nlh = nl_batch_msg(b, j);

		if (!nlh || b->off[j] + nlh->nlmsg_len - start > s->send_max)
			break;
		j++;
	}
	return j;
}

/* Handle the answers in one datagram; sets *done on the last seq's answer. */
static int nl_chunk_answers(struct nl_batch *b, int i, uint32_t base, uint32_t last, char *buf,
			    size_t len, int *done)
{
	const struct nlmsghdr *nlh = (const struct nlmsghdr *)buf;
	int left = (int)len, err, ret;
	char msg[256];

	for (; mnl_nlmsg_ok(nlh, left); nlh = mnl_nlmsg_next(nlh, &left)) {
		if (nlh->nlmsg_seq < base || nlh->nlmsg_seq > last)
			continue; /* stale answer of an earlier, aborted send */
		if (nlh->nlmsg_type != NLMSG_ERROR)
			continue;
		ret = nl_parse_error(nlh, &err, msg, sizeof(msg));
		if (ret < 0)
			return ret;
		if (err) {
			ret = nl_add_failure(b, i + (int)(nlh->nlmsg_seq - base), err, msg);
			if (ret < 0)
				return ret;
		}
		if (nlh->nlmsg_seq == last)
			*done = 1;
	}
	return 0;
}

static int nl_send_chunk(struct nl_sock *s, struct nl_batch *b, int i, int j)
{
	uint32_t base = s->seq;
	struct nlmsghdr *nlh = NULL;
	size_t len;
	ssize_t n;
	int k, done = 0, ret;

	for (k = i; k < j; k++) {
		nlh = (struct nlmsghdr *)(b->buf + b->off[k]);
		nlh->nlmsg_seq = base + (uint32_t)(k - i);
		nlh->nlmsg_pid = 0;
		nlh->nlmsg_flags &= ~NLM_F_ACK;
	}
	if (!nlh)
		return 0;	/* an empty chunk (j <= i) */
	/* Errors are always reported; the one ACK tells us the chunk is done. */
	nlh->nlmsg_flags |= NLM_F_ACK;
	s->seq += (uint32_t)(j - i);
	len = b->off[j - 1] + nlh->nlmsg_len - b->off[i];
	if (mnl_socket_sendto(s->mnl, b->buf + b->off[i], len) < 0)
		return -errno;
	while (!done) {
		n = mnl_socket_recvfrom(s->mnl, nl_rbuf, NL_RECV_BYTES);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno; /* ENOBUFS: ACKs were dropped */
		ret = nl_chunk_answers(b, i, base, s->seq - 1, nl_rbuf, (size_t)n, &done);
		if (ret < 0)
			return ret;
	}
	return 0;
}

static void nl_result_set(struct nl_result *r, int cookie, int err, const char *msg)
{
	if (!r)
		return;
	r->cookie = cookie;
	r->err = err;
	snprintf(r->msg, sizeof(r->msg), "%s", msg);
}

/* Send messages [from, to). */
static int nl_send_range(struct nl_sock *s, struct nl_batch *b, int from, int to,
			 struct nl_result *first_fail)
{
	int i, j, k, ret;

	for (i = from; i < to; i = j) {
		j = nl_chunk_end(s, b, i, to);
		ret = nl_send_chunk(s, b, i, j);
		if (ret < 0) {
			/* Transport failure: the fate of unanswered messages is
			 * unknown; report the error on each of them. */
			for (k = i; k < b->n; k++)
				if (!b->errs[k])
					b->errs[k] = ret;
			nl_result_set(first_fail, b->cookies[i], ret, "");
			return ret;
		}
	}
	return 0;
}

/* Fault injection (fault.h): the message that is to fail, or -1.  It is
 * not sent; the kernel would have gone on with the ones after it. */
static int nl_fault_pick(const struct nl_batch *b, int *err)
{
	int i;

	for (i = 0; i < b->n; i++) {
		*err = fault_hit(FAULT_NETLINK);
		if (*err)
			return i;
	}
	return -1;
}

int nl_batch_send(struct nl_sock *s, struct nl_batch *b, struct nl_result *first_fail)
{
	int i, ret, err = 0, skip;

	b->nfails = 0;
	for (i = 0; i < b->n; i++)
		b->errs[i] = 0;
	nl_result_set(first_fail, 0, 0, "");
	skip = nl_fault_pick(b, &err);
	ret = nl_send_range(s, b, 0, skip < 0 ? b->n : skip, first_fail);
	if (!ret && skip >= 0) {
		ret = nl_add_failure(b, skip, -err, "");
		if (!ret)
			ret = nl_send_range(s, b, skip + 1, b->n, first_fail);
	}
	if (ret < 0)
		return ret;
	if (!b->nfails)
		return 0;
	if (first_fail)
		*first_fail = b->fails[0];
	return b->fails[0].err;
}

/* ---- dumps ------------------------------------------------------------- */

struct nl_dump_ctx {
	int (*cb)(const struct nlmsghdr *, void *);
	void *arg;
	int err;
};

static int nl_dump_cb(const struct nlmsghdr *nlh, void *data)
{
	struct nl_dump_ctx *c = data;

	c->err = c->cb(nlh, c->arg);
	return c->err < 0 ? MNL_CB_ERROR : MNL_CB_OK;
}

/* Sends req (a dump request; flags and seq are set here) and feeds every
 * answer to cb until NLMSG_DONE.  -EINTR: the dump was interrupted by a
 * concurrent change (NLM_F_DUMP_INTR); retry. */
int nl_dump(struct nl_sock *s, struct nlmsghdr *req,
	    int (*cb)(const struct nlmsghdr *, void *), void *arg)
{
	struct nl_dump_ctx c = { cb, arg, 0 };
	uint32_t seq = s->seq++;
	ssize_t n;
	int ret = 1;

	req->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	req->nlmsg_seq = seq;
	if (mnl_socket_sendto(s->mnl, req, req->nlmsg_len) < 0)
		return -errno;
	do {
		n = mnl_socket_recvfrom(s->mnl, nl_rbuf, NL_RECV_BYTES);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		ret = mnl_cb_run(nl_rbuf, (size_t)n, seq, s->portid, nl_dump_cb, &c);
		if (ret < 0)
			return c.err < 0 ? c.err : -errno;
	} while (ret > 0);
	return 0;
}

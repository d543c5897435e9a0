/* ping.c — ICMP/ICMPv6 echo over raw sockets opened inside namespaces.
 *
 * ping_run() and ping_many() share one engine: a set of pairs (source
 * namespace, destination), each sending `count` requests `interval` apart
 * (ping_many: back to back), one raw socket per (source, family) in use,
 * and one epoll loop over all of them in one thread.  ping_many() runs one
 * engine per CPU on contiguous shares of its pairs (see ping_many()).
 *
 * Bookkeeping is O(1) per packet:
 *  - a reply names its pair in the payload (tag) and its request number
 *    (n); the pair is checked to own the socket the reply came in on, and
 *    a bitmap of (pair, n) drops duplicates;
 *  - every timer is "an event + a constant" (next request = last request +
 *    interval, end = last request + wait), so timers are pushed in time
 *    order and two FIFOs replace a heap.
 *
 * Parallelism is bounded: at most max_inflight pairs are outstanding in an
 * engine; the next pair in array order starts when one finishes.  A socket lives while
 * one of its pairs is outstanding, so a pingall ordered by source holds a
 * few sockets at a time, not one per node.
 */
#include "ping.h"
#include "clock.h"
#include "ns.h"

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/icmp6.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <linux/icmp.h>
#include <linux/sockios.h>

#define ICMP4_ECHO_REQUEST 8
#define ICMP4_ECHO_REPLY 0
#define ICMP6_ECHO_REQ 128
#define ICMP6_ECHO_REP 129

/* Socket buffers: a source with a few hundred pairs outstanding has as
 * many replies queued at once, and requests waiting for ARP stay charged to
 * the socket's send buffer (core/README.md, "Kernel facts: ICMP raw
 * sockets").  Root may exceed net.core.[rw]mem_max (the ...FORCE options). */
#define PING_SOCK_BUF (4 << 20)

/* ping_many's engines: at most this many, each with this many pairs at
 * least (below that a thread costs more than it saves). */
#define PING_WORKERS_MAX 8
#define PING_WORKER_PAIRS 256

/* ---- packets ------------------------------------------------------------ */

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)(v >> 16));
	put16(p + 2, (uint16_t)v);
}

static void put64(uint8_t *p, uint64_t v)
{
	put32(p, (uint32_t)(v >> 32));
	put32(p + 4, (uint32_t)v);
}

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)get16(p) << 16 | get16(p + 2);
}

static uint64_t get64(const uint8_t *p)
{
	return (uint64_t)get32(p) << 32 | get32(p + 4);
}

uint16_t ping_checksum(const void *buf, size_t len)
{
	const uint8_t *p = buf;
	uint64_t sum = 0;
	size_t i;

	/* Big-endian 16-bit words: the sum is then the value to store with
	 * put16(), whatever the host's byte order. */
	for (i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

int ping_build_request(int family, const struct ping_echo *e, uint8_t *buf,
		       size_t len)
{
	if ((family != AF_INET && family != AF_INET6) || len < PING_PKT_LEN)
		return -EINVAL;
	memset(buf, 0, PING_PKT_LEN);
	buf[0] = family == AF_INET ? ICMP4_ECHO_REQUEST : ICMP6_ECHO_REQ;
	put16(buf + 4, e->id);
	put16(buf + 6, (uint16_t)e->n);
	put64(buf + 8, e->cookie);
	put64(buf + 16, e->sent_ns);
	put32(buf + 24, e->tag);
	put32(buf + 28, e->n);
	if (family == AF_INET)
		put16(buf + 2, ping_checksum(buf, PING_PKT_LEN));
	return PING_PKT_LEN;
}

int ping_parse_reply(int family, const uint8_t *buf, size_t len, uint16_t id,
		     uint64_t cookie, struct ping_echo *e)
{
	const uint8_t *icmp = buf;
	size_t ilen = len;

	if (family == AF_INET) {
		size_t hl, tot;

		if (len < 20 || buf[0] >> 4 != 4)
			return -EBADMSG;
		hl = (size_t)(buf[0] & 0x0f) * 4;
		tot = get16(buf + 2);
		if (hl < 20 || tot < hl || tot > len)
			return -EBADMSG;
		if (buf[9] != IPPROTO_ICMP)
			return -ENOMSG;
		icmp = buf + hl;
		ilen = tot - hl;
	} else if (family != AF_INET6) {
		return -EINVAL;
	}
	if (ilen < PING_HDR_LEN)
		return -EBADMSG;
	if (icmp[0] != (family == AF_INET ? ICMP4_ECHO_REPLY
					  : ICMP6_ECHO_REP) ||
	    icmp[1] != 0)
		return -ENOMSG;
	if (get16(icmp + 4) != id)
		return -ENOMSG;
	if (ilen < PING_PKT_LEN)
		return -EBADMSG;
	if (family == AF_INET && ping_checksum(icmp, ilen) != 0)
		return -EBADMSG;
	if (get64(icmp + 8) != cookie)
		return -ENOMSG;
	e->id = id;
	e->cookie = cookie;
	e->sent_ns = get64(icmp + 16);
	e->tag = get32(icmp + 24);
	e->n = get32(icmp + 28);
	if (get16(icmp + 6) != (uint16_t)e->n)
		return -ENOMSG;
	return 0;
}

/* ---- the engine --------------------------------------------------------- */

enum pm_state { PM_WAITING, PM_SENDING, PM_LAST_SENT, PM_DONE };

struct pm_sock {
	int fd;			/* -1: not open */
	uint16_t id;
	bool opening;		/* in the current batch of opens */
	bool want_out;		/* EPOLLOUT armed */
	int sndbuf;		/* SO_SNDBUF as the kernel took it */
	int inflight;		/* outstanding pairs using it */
	int blk_head, blk_tail;	/* pairs waiting for room to send, -1 */
};

struct pm_pair {
	enum pm_state state;
	int sock;		/* index into socks: src * 2 + is_v6 */
	int blk_next;		/* next in the socket's blocked list, -1 */
	unsigned sent, failed, received;
	uint64_t last_tx;	/* CLOCK_MONOTONIC ns of the last request */
	uint64_t rtt_sum, rtt_min, rtt_max;
};

struct pm {
	const int *fds;
	int nfds;
	struct ping_pair *pairs;
	int npairs;
	unsigned count, max_inflight;
	uint64_t interval_ns, wait_ns, start_ns, cookie, idgen;
	struct pm_sock *socks;	/* nfds * 2 */
	struct pm_pair *ps;
	uint64_t *got;		/* bit (pair * count + n): answered or failed */
	int *sendq, sq_head, sq_len, sq_cap;	/* ring: next request due */
	int *waitq, wq_head, wq_len;	/* each pair once: its end */
	int next;		/* next pair to start */
	int inflight, done;
	bool fd_wait;		/* out of fds: wait for a socket to close */
	int epfd;
};

/* splitmix64: spreads the cookie into per-socket identifiers. */
static uint64_t mix64(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ull;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

static int pair_family(const struct ping_pair *p)
{
	return p->dst.family;
}

static int sock_index(const struct ping_pair *p)
{
	return p->src * 2 + (pair_family(p) == AF_INET6);
}

/* -- opening sockets, in one helper thread per batch -- */

struct pm_open {
	struct pm *m;
	const int *want;	/* socket indexes */
	int n;
	int opened;		/* want[0 .. opened-1] are open */
};

static int sock_setup(int fd, int family, int *sndbuf)
{
	socklen_t len = sizeof(*sndbuf);
	int buf = PING_SOCK_BUF;

	if (family == AF_INET) {
		struct icmp_filter f = { .data = ~(1u << ICMP4_ECHO_REPLY) };

		if (setsockopt(fd, SOL_RAW, ICMP_FILTER, &f, sizeof(f)) < 0)
			return -errno;
	} else {
		struct icmp6_filter f;

		ICMP6_FILTER_SETBLOCKALL(&f);
		ICMP6_FILTER_SETPASS(ICMP6_ECHO_REP, &f);
		if (setsockopt(fd, IPPROTO_ICMPV6, ICMP6_FILTER, &f,
			       sizeof(f)) < 0)
			return -errno;
	}
	/* Best effort: without CAP_NET_ADMIN the plain options still raise
	 * the buffers up to the sysctl maxima, and small buffers only cost
	 * speed (a blocked send waits for EPOLLOUT). */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &buf, sizeof(buf)) < 0)
		(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &buf, sizeof(buf));
	if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &buf, sizeof(buf)) < 0)
		(void)setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &buf, sizeof(buf));
	if (getsockopt(fd, SOL_SOCKET, SO_SNDBUF, sndbuf, &len) < 0)
		return -errno;
	return 0;
}

static int open_one(struct pm *m, int s)
{
	int family = s % 2 ? AF_INET6 : AF_INET;
	int fd, ret;

	fd = socket(family, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC,
		    family == AF_INET ? IPPROTO_ICMP : IPPROTO_ICMPV6);
	if (fd < 0)
		return -errno;
	ret = sock_setup(fd, family, &m->socks[s].sndbuf);
	if (ret) {
		close(fd);
		return ret;
	}
	m->socks[s].fd = fd;
	return 0;
}

/* In the helper thread: setns into each source in turn (a thread may change
 * namespace as often as it likes; core/README.md, "Kernel facts: threads
 * and namespaces").  The caller orders want[] so that sources without a
 * namespace fd (the caller's own namespace) come first, before any setns. */
static int open_fn(void *arg)
{
	struct pm_open *o = arg;
	struct pm *m = o->m;
	int cur = -1, k, ret;

	for (k = 0; k < o->n; k++) {
		int s = o->want[k], nsfd = m->fds[s / 2];

		if (nsfd >= 0 && nsfd != cur) {
			if (setns(nsfd, CLONE_NEWNET) < 0)
				return -errno;
			cur = nsfd;
		}
		ret = open_one(m, s);
		if (ret)
			return ret;
		o->opened = k + 1;
	}
	return 0;
}

static int pm_open_socks(struct pm *m, int *want, int n)
{
	struct pm_open o = { m, want, n, 0 };
	int k, j = 0, ret;

	/* stable partition: caller's namespace first */
	for (k = 0; k < n; k++) {
		int s = want[k];

		if (m->fds[s / 2] < 0) {
			memmove(want + j + 1, want + j,
				(size_t)(k - j) * sizeof(*want));
			want[j++] = s;
		}
	}
	ret = ns_run_in(-1, open_fn, &o);
	for (k = 0; k < o.opened; k++) {
		struct pm_sock *sk = &m->socks[want[k]];
		struct epoll_event ev = { .events = EPOLLIN,
					  .data.u32 = (uint32_t)want[k] };

		sk->id = (uint16_t)mix64(m->cookie ^ ++m->idgen);
		if (epoll_ctl(m->epfd, EPOLL_CTL_ADD, sk->fd, &ev) < 0 && !ret)
			ret = -errno;
	}
	return ret;
}

static void pm_close_sock(struct pm *m, int s)
{
	struct pm_sock *sk = &m->socks[s];

	if (sk->fd >= 0) {
		close(sk->fd);	/* leaves the epoll set with its last fd */
		sk->fd = -1;
		m->fd_wait = false;
	}
	sk->want_out = false;
}

/* -- pairs -- */

static void pm_finish(struct pm *m, int i)
{
	struct pm_pair *p = &m->ps[i];
	struct ping_result *r = &m->pairs[i].res;

	if (p->state == PM_DONE)
		return;
	p->state = PM_DONE;
	r->sent = p->sent;
	r->received = p->received;
	if (p->received) {
		r->rtt_min_ms = (double)p->rtt_min / 1e6;
		r->rtt_max_ms = (double)p->rtt_max / 1e6;
		r->rtt_avg_ms = (double)p->rtt_sum / p->received / 1e6;
	}
	m->inflight--;
	m->done++;
	if (--m->socks[p->sock].inflight == 0)
		pm_close_sock(m, p->sock);
}

static bool pm_complete(const struct pm *m, const struct pm_pair *p)
{
	return p->sent == m->count && p->received + p->failed == m->count;
}

static void bit_set(uint64_t *bits, size_t b)
{
	bits[b / 64] |= 1ull << (b % 64);
}

static bool bit_get(const uint64_t *bits, size_t b)
{
	return bits[b / 64] >> (b % 64) & 1;
}

static socklen_t sockaddr_of(const struct lab_addr *a,
			     struct sockaddr_storage *ss)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (a->family == AF_INET) {
		sin->sin_family = AF_INET;
		memcpy(&sin->sin_addr, a->b, 4);
		return sizeof(*sin);
	}
	sin6->sin6_family = AF_INET6;
	memcpy(&sin6->sin6_addr, a->b, 16);
	return sizeof(*sin6);
}

/* A raw socket whose send buffer is full fails with ENOBUFS, not EAGAIN,
 * and ENOBUFS may also report a packet dropped on its way out (core/
 * README.md, "Kernel facts: ICMP raw sockets" 3): a buffer over half full
 * tells the first case, which waits for room instead of losing the
 * request. */
static bool sock_full(const struct pm_sock *sk)
{
	int queued;

	return ioctl(sk->fd, SIOCOUTQ, &queued) == 0 && queued >= sk->sndbuf;
}

/* Send request p->sent.  0 when it is spent (sent, or failed and counted as
 * lost), -EAGAIN when the socket has no room: try again on EPOLLOUT. */
static int pm_send_one(struct pm *m, int i)
{
	struct pm_pair *p = &m->ps[i];
	const struct ping_pair *pp = &m->pairs[i];
	int family = pair_family(pp);
	struct ping_echo e = { .id = m->socks[p->sock].id, .cookie = m->cookie,
			       .tag = (uint32_t)i, .n = p->sent };
	struct sockaddr_storage ss;
	socklen_t sl = sockaddr_of(&pp->dst, &ss);
	uint8_t pkt[PING_PKT_LEN];
	ssize_t n;

	e.sent_ns = mono_ns();
	ping_build_request(family, &e, pkt, sizeof(pkt));
	do
		n = sendto(m->socks[p->sock].fd, pkt, sizeof(pkt), 0,
			   (struct sockaddr *)&ss, sl);
	while (n < 0 && errno == EINTR);
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK ||
		      (errno == ENOBUFS && sock_full(&m->socks[p->sock]))))
		return -EAGAIN;
	if (n < 0) {
		/* No route, link down, neighbour failed, refused by a
		 * firewall...: a lost request, never an error of the run. */
		p->failed++;
		bit_set(m->got, (size_t)i * m->count + p->sent);
	}
	p->sent++;
	p->last_tx = e.sent_ns;
	return 0;
}

static void pm_block(struct pm *m, int i)
{
	struct pm_pair *p = &m->ps[i];
	struct pm_sock *sk = &m->socks[p->sock];

	p->blk_next = -1;
	if (sk->blk_tail >= 0)
		m->ps[sk->blk_tail].blk_next = i;
	else
		sk->blk_head = i;
	sk->blk_tail = i;
	if (!sk->want_out) {
		struct epoll_event ev = { .events = EPOLLIN | EPOLLOUT,
					  .data.u32 = (uint32_t)p->sock };

		if (epoll_ctl(m->epfd, EPOLL_CTL_MOD, sk->fd, &ev) == 0)
			sk->want_out = true;
	}
}

/* The pair's next request(s) are due: send them (all at once without an
 * interval), then schedule the next one or the pair's end. */
static void pm_send_due(struct pm *m, int i)
{
	struct pm_pair *p = &m->ps[i];

	if (p->state != PM_SENDING)
		return;
	while (p->sent < m->count) {
		/* behind others waiting for room: keep their order */
		if (m->socks[p->sock].blk_head >= 0 || pm_send_one(m, i)) {
			pm_block(m, i);
			return;
		}
		if (m->interval_ns && p->sent < m->count) {
			m->sendq[(m->sq_head + m->sq_len++) % m->sq_cap] = i;
			return;
		}
	}
	p->state = PM_LAST_SENT;
	m->waitq[(m->wq_head + m->wq_len++)] = i;
	if (pm_complete(m, p))
		pm_finish(m, i);
}

/* The socket has room again: send for the pairs blocked on it, in order. */
static void pm_unblock(struct pm *m, int s)
{
	struct pm_sock *sk = &m->socks[s];
	int i = sk->blk_head;

	sk->blk_head = sk->blk_tail = -1;
	while (i >= 0) {
		int next = m->ps[i].blk_next;

		pm_send_due(m, i);	/* blocks again, behind the first */
		i = next;
	}
	if (sk->blk_head < 0 && sk->want_out && sk->fd >= 0) {
		struct epoll_event ev = { .events = EPOLLIN,
					  .data.u32 = (uint32_t)s };

		if (epoll_ctl(m->epfd, EPOLL_CTL_MOD, sk->fd, &ev) == 0)
			sk->want_out = false;
	}
}

/* Outstanding from now on: its socket stays open until it finishes. */
static void pm_start(struct pm *m, int i)
{
	struct pm_pair *p = &m->ps[i];

	p->state = PM_SENDING;
	m->socks[p->sock].inflight++;
	m->inflight++;
}

/* Start pairs while fewer than max_inflight are outstanding, opening the
 * sockets they need in one helper thread per round. */
static int pm_admit(struct pm *m, int *want)
{
	while (!m->fd_wait && m->next < m->npairs &&
	       (unsigned)m->inflight < m->max_inflight) {
		int room = (int)(m->max_inflight - (unsigned)m->inflight);
		int end = m->next, n = 0, i, ret = 0;

		for (; end < m->npairs && end - m->next < room; end++) {
			struct pm_sock *sk = &m->socks[m->ps[end].sock];

			if (sk->fd < 0 && !sk->opening) {
				sk->opening = true;
				want[n++] = m->ps[end].sock;
			}
		}
		if (n)
			ret = pm_open_socks(m, want, n);
		for (i = 0; i < n; i++)
			m->socks[want[i]].opening = false;
		if (ret && ret != -EMFILE && ret != -ENFILE)
			return ret;
		for (i = m->next; i < end; i++) {
			if (m->socks[m->ps[i].sock].fd < 0)
				break;
			pm_start(m, i);
		}
		/* All started before any sends: a pair that ends at once
		 * (every send failed) must not close a socket the next
		 * ones of the round still need. */
		end = i;
		for (i = m->next; i < end; i++)
			pm_send_due(m, i);
		m->next = end;
		if (ret) {
			/* Out of fds: go on with the pairs started, and
			 * start more when one of their sockets closes.  With
			 * none outstanding, none will close: the error. */
			if (m->inflight == 0)
				return ret;
			m->fd_wait = true;
		}
	}
	return 0;
}

static void pm_timers(struct pm *m, uint64_t now)
{
	while (m->sq_len) {
		int i = m->sendq[m->sq_head];

		if (m->ps[i].last_tx + m->interval_ns > now)
			break;
		m->sq_head = (m->sq_head + 1) % m->sq_cap;
		m->sq_len--;
		pm_send_due(m, i);
	}
	while (m->wq_len) {
		int i = m->waitq[m->wq_head];

		if (m->ps[i].state != PM_DONE &&
		    m->ps[i].last_tx + m->wait_ns > now)
			break;
		m->wq_head++;
		m->wq_len--;
		pm_finish(m, i);
	}
}

/* ns until the next timer, capped at a second (a blocked socket has no
 * timer: it waits for EPOLLOUT, which comes once ARP resolves or fails). */
static uint64_t pm_timeout(const struct pm *m, uint64_t now)
{
	uint64_t t = 1000000000u, d;

	if (m->sq_len) {
		d = m->ps[m->sendq[m->sq_head]].last_tx + m->interval_ns;
		if (d <= now)
			return 0;
		if (d - now < t)
			t = d - now;
	}
	if (m->wq_len) {
		d = m->ps[m->waitq[m->wq_head]].last_tx + m->wait_ns;
		if (d <= now)
			return 0;
		if (d - now < t)
			t = d - now;
	}
	return t;
}

static bool same_addr(const struct lab_addr *a,
		      const struct sockaddr_storage *ss)
{
	const struct sockaddr_in *sin = (const struct sockaddr_in *)ss;
	const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)ss;

	if (a->family == AF_INET && ss->ss_family == AF_INET)
		return !memcmp(&sin->sin_addr, a->b, 4);
	if (a->family == AF_INET6 && ss->ss_family == AF_INET6)
		return !memcmp(&sin6->sin6_addr, a->b, 16);
	return false;
}

static void pm_reply(struct pm *m, int s, const struct ping_echo *e,
		     const struct sockaddr_storage *from, uint64_t now)
{
	struct pm_pair *p;
	uint64_t rtt;
	size_t b;

	if (e->tag >= (uint32_t)m->npairs)
		return;
	p = &m->ps[e->tag];
	/* The pair must own this socket (two netns_fds entries may name one
	 * namespace: both sockets see the reply), still be waiting, have
	 * sent request n, and the reply must come from its destination. */
	if (p->sock != s || p->state == PM_WAITING || p->state == PM_DONE ||
	    e->n >= p->sent || !same_addr(&m->pairs[e->tag].dst, from))
		return;
	b = (size_t)e->tag * m->count + e->n;
	if (bit_get(m->got, b))
		return;		/* a duplicate */
	if (e->sent_ns < m->start_ns || e->sent_ns > now)
		return;
	bit_set(m->got, b);
	rtt = now - e->sent_ns;
	if (!p->received || rtt < p->rtt_min)
		p->rtt_min = rtt;
	if (rtt > p->rtt_max)
		p->rtt_max = rtt;
	p->rtt_sum += rtt;
	p->received++;
	if (pm_complete(m, p))
		pm_finish(m, (int)e->tag);
}

static void pm_recv(struct pm *m, int s)
{
	int family = s % 2 ? AF_INET6 : AF_INET, errs = 0;
	/* an IPv4 header (at most 60 bytes) and our message; anything
	 * longer is somebody else's and may be cut */
	uint8_t buf[256];

	while (m->socks[s].fd >= 0) {
		struct sockaddr_storage from;
		socklen_t fl = sizeof(from);
		struct ping_echo e;
		ssize_t n;

		n = recvfrom(m->socks[s].fd, buf, sizeof(buf), 0,
			     (struct sockaddr *)&from, &fl);
		if (n < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return;
			/* EINTR, or a pending socket error reported once
			 * (an ICMP error the kernel matched to us) */
			if (++errs > 16)
				return;
			continue;
		}
		if (ping_parse_reply(family, buf, (size_t)n, m->socks[s].id,
				     m->cookie, &e) == 0)
			pm_reply(m, s, &e, &from, mono_ns());
	}
}

static uint64_t pm_cookie(void)
{
	uint64_t c;

	if (getrandom(&c, sizeof(c), GRND_NONBLOCK) == (ssize_t)sizeof(c))
		return c;
	/* no entropy yet (early boot): unique enough to tell our replies
	 * from another pinger's, which is all the cookie is for */
	return mix64(mono_ns() ^ (uint64_t)getpid() << 32);
}

/* One engine over pairs[0 .. npairs-1], already checked by pm_check(), in
 * the calling thread. */
static int pm_run(const int *fds, int nfds, struct ping_pair *pairs, int npairs,
		  unsigned count, unsigned interval_ms, unsigned wait_ms,
		  unsigned max_inflight)
{
	struct pm m = { .fds = fds, .nfds = nfds, .pairs = pairs,
			.npairs = npairs, .count = count, .epfd = -1,
			.interval_ns = (uint64_t)interval_ms * 1000000u,
			.wait_ns = (uint64_t)wait_ms * 1000000u };
	struct epoll_event ev[64];
	int *want = NULL;
	int i, ret = 0;

	if (!npairs || !count)
		return 0;
	m.max_inflight = max_inflight < (unsigned)npairs ? max_inflight
							 : (unsigned)npairs;
	m.sq_cap = (int)m.max_inflight;
	m.cookie = pm_cookie();
	m.socks = calloc((size_t)nfds * 2, sizeof(*m.socks));
	m.ps = calloc((size_t)npairs, sizeof(*m.ps));
	m.got = calloc(((size_t)npairs * count + 63) / 64, sizeof(*m.got));
	m.sendq = calloc((size_t)m.sq_cap, sizeof(*m.sendq));
	m.waitq = calloc((size_t)npairs, sizeof(*m.waitq));
	want = calloc((size_t)m.max_inflight, sizeof(*want));
	if (!m.socks || !m.ps || !m.got || !m.sendq || !m.waitq || !want) {
		ret = -ENOMEM;
		goto out;
	}
	for (i = 0; i < nfds * 2; i++) {
		m.socks[i].fd = -1;
		m.socks[i].blk_head = m.socks[i].blk_tail = -1;
	}
	for (i = 0; i < npairs; i++) {
		m.ps[i].sock = sock_index(&pairs[i]);
		m.ps[i].blk_next = -1;
	}
	m.epfd = epoll_create1(EPOLL_CLOEXEC);
	if (m.epfd < 0) {
		ret = -errno;
		goto out;
	}
	m.start_ns = mono_ns();

	for (;;) {
		struct timespec ts;
		uint64_t now, t;
		int n, k;

		ret = pm_admit(&m, want);
		if (ret)
			goto out;
		now = mono_ns();
		pm_timers(&m, now);
		if (m.done == npairs)
			break;
		if (!m.fd_wait && m.next < npairs &&
		    (unsigned)m.inflight < m.max_inflight)
			continue;	/* pairs ended: start the next ones */
		t = pm_timeout(&m, now);
		ts.tv_sec = (time_t)(t / 1000000000u);
		ts.tv_nsec = (long)(t % 1000000000u);
		n = epoll_pwait2(m.epfd, ev, 64, &ts, NULL);
		if (n < 0 && errno != EINTR) {
			ret = -errno;
			goto out;
		}
		for (k = 0; k < n; k++) {
			int s = (int)ev[k].data.u32;

			if (ev[k].events & (EPOLLIN | EPOLLERR))
				pm_recv(&m, s);
			if ((ev[k].events & EPOLLOUT) && m.socks[s].fd >= 0)
				pm_unblock(&m, s);
		}
	}
out:
	if (m.socks)
		for (i = 0; i < nfds * 2; i++)
			if (m.socks[i].fd >= 0)
				close(m.socks[i].fd);
	if (m.epfd >= 0)
		close(m.epfd);
	free(want);
	free(m.waitq);
	free(m.sendq);
	free(m.got);
	free(m.ps);
	free(m.socks);
	return ret;
}

/* Arguments of ping_run/ping_many: results zeroed, every pair valid. */
static int pm_check(const int *fds, int nfds, struct ping_pair *pairs,
		    int npairs)
{
	int i;

	if (npairs < 0 || nfds < 0 || (npairs && !pairs) || (nfds && !fds))
		return -EINVAL;
	for (i = 0; i < npairs; i++)
		memset(&pairs[i].res, 0, sizeof(pairs[i].res));
	for (i = 0; i < npairs; i++) {
		int f = pairs[i].dst.family;

		if (pairs[i].src < 0 || pairs[i].src >= nfds ||
		    (f != AF_INET && f != AF_INET6))
			return -EINVAL;
	}
	return 0;
}

int ping_run(int netns_fd, const struct lab_addr *dst, unsigned count,
	     unsigned interval_ms, unsigned wait_ms, struct ping_result *out)
{
	struct ping_pair p = { .src = 0 };
	int ret;

	if (!dst || !out)
		return -EINVAL;
	p.dst = *dst;
	ret = pm_check(&netns_fd, 1, &p, 1);
	if (!ret)
		ret = pm_run(&netns_fd, 1, &p, 1, count, interval_ms, wait_ms,
			     1);
	*out = p.res;
	return ret;
}

struct pm_worker {
	const int *fds;
	int nfds;
	struct ping_pair *pairs;
	int npairs;
	unsigned count, wait_ms, max_inflight;
	int ret;
	pthread_t thread;
	bool started;
};

static void *pm_worker_fn(void *arg)
{
	struct pm_worker *w = arg;

	w->ret = pm_run(w->fds, w->nfds, w->pairs, w->npairs, w->count, 0,
			w->wait_ms, w->max_inflight);
	return NULL;
}

/* How many engines ping_many runs side by side: one per CPU we may run on,
 * up to PING_WORKERS_MAX, each with PING_WORKER_PAIRS pairs at least. */
static int pm_workers(int npairs, unsigned max_inflight)
{
	cpu_set_t set;
	int n = 1;

	if (sched_getaffinity(0, sizeof(set), &set) == 0)
		n = CPU_COUNT(&set);
	if (n > PING_WORKERS_MAX)
		n = PING_WORKERS_MAX;
	if (n > npairs / PING_WORKER_PAIRS)
		n = npairs / PING_WORKER_PAIRS;
	if ((unsigned)n > max_inflight)
		n = (int)max_inflight;
	return n > 1 ? n : 1;
}

int ping_many(const int *netns_fds, int nfds, struct ping_pair *pairs,
	      int npairs, unsigned count, unsigned wait_ms,
	      unsigned max_inflight)
{
	struct pm_worker w[PING_WORKERS_MAX];
	int nw, k, ret;

	ret = pm_check(netns_fds, nfds, pairs, npairs);
	if (ret)
		return ret;
	if (!max_inflight)
		max_inflight = PING_INFLIGHT_DEFAULT;
	/* Why threads: on a fresh lab most of the time is the kernel's, in
	 * ARP (a request to every port of the segment, and a route lookup
	 * at each host that gets it), and it runs in the softirq of the CPU
	 * that sent the packet (core/README.md, "Kernel facts: ICMP raw
	 * sockets").  One engine per CPU, each with a contiguous share of
	 * the pairs and of max_inflight, uses them all.  Engines share
	 * nothing: each has its own sockets and cookie, so a reply seen by
	 * another engine's socket in the same namespace is not taken. */
	nw = pm_workers(npairs, max_inflight);
	for (k = 0; k < nw; k++) {
		int a = (int)((int64_t)npairs * k / nw);
		int b = (int)((int64_t)npairs * (k + 1) / nw);

		w[k] = (struct pm_worker){
			.fds = netns_fds, .nfds = nfds,
			.pairs = pairs + a, .npairs = b - a,
			.count = count, .wait_ms = wait_ms,
			.max_inflight = max_inflight / (unsigned)nw };
	}
	/* The caller's thread runs the first share; a share whose thread
	 * cannot be made runs there too, afterwards. */
	for (k = 1; k < nw; k++)
		w[k].started = pthread_create(&w[k].thread, NULL, pm_worker_fn,
					      &w[k]) == 0;
	pm_worker_fn(&w[0]);
	for (k = 1; k < nw; k++) {
		if (w[k].started)
			pthread_join(w[k].thread, NULL);
		else
			pm_worker_fn(&w[k]);
	}
	for (k = 0; k < nw; k++)
		if (w[k].ret && !ret)
			ret = w[k].ret;
	return ret;
}

/* engine.c — the impairment engine process (engine.h; core/README.md,
 * "The impairment engine").
 *
 * It runs in the relay namespace, where each engine link has two veth
 * ends, lNa (towards the link's a side) and lNb.  One AF_PACKET socket per
 * end, bound to it, with PACKET_VNET_HDR so that GSO frames pass whole (a
 * TCP stream moves 64 KB per frame, not 1.5 KB) and checksums left to
 * "hardware" stay so.  A frame read on lNa goes out of lNb after the a to b
 * decisions (impair.c); one read on lNb goes out of lNa.  Held frames wait
 * in one time-ordered queue; the loop sleeps in epoll until the next is
 * due, with nanosecond timeouts and a 1 us timer slack.
 *
 * The engine never sends a frame of its own and the relay has no address,
 * no IPv6 and no ARP: the nodes see only each other.
 */
#include "engine.h"
#include "clock.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <net/if.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/inotify.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#ifndef IFF_LOWER_UP
#define IFF_LOWER_UP 0x10000 /* linux/if.h; net/if.h stops at 16 bits */
#endif
#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include "impair.h"
#include "lab.h"
#include "state.h"

#ifndef PACKET_IGNORE_OUTGOING
#define PACKET_IGNORE_OUTGOING 23
#endif

#define FRAME_MAX 65536		/* largest GSO frame veth hands over */
#define VLAN_HLEN 4
#define BATCH 64		/* frames read from one socket per wakeup */
#define STATUS_EVERY_NS 1000000000ull

/* A frame held in the queue: where it goes and its bytes. */
struct held {
	int out;		/* index into eng.ends of the socket to send on */
	int dir;		/* index into eng.dirs it counts against */
	struct impair_vnet h;
	uint32_t len;
	uint8_t data[];
};

/* One relay end: its socket; frames read here go out of `peer`. */
struct end {
	int fd;
	int peer;		/* index of the other end */
	int dir;		/* the direction frames read here take */
	int ifindex;
	unsigned flags;		/* IFF_* as the last link news said */
	char name[PLAN_RELAY_DEV_LEN];
};

struct engine {
	const char *lab;
	int dirfd, epfd, inofd, nlfd;
	unsigned long generation;
	int nlinks;
	int *link_ids;		/* lab link index per engine link */
	struct end *ends;	/* 2 per link: [2i] a side, [2i+1] b side */
	struct impair_dir *dirs;	/* 2 per link: [2i] a to b, [2i+1] b to a */
	struct impair_queue q;
	uint8_t buf[VLAN_HLEN + FRAME_MAX];
	uint64_t next_status, reported;
};

static void logf_(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void logf_(const char *fmt, ...)
{
	va_list ap;
	char when[32];
	time_t t = time(NULL);
	struct tm tm;

	localtime_r(&t, &tm);
	strftime(when, sizeof(when), "%F %T", &tm);
	fprintf(stderr, "%s nslab engine: ", when);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

bool engine_is_argv0(const char *argv0)
{
	return argv0 && !strncmp(argv0, ENGINE_ARGV0, strlen(ENGINE_ARGV0));
}

/* ---- sockets ------------------------------------------------------------------ */

static int end_open(const char *dev, int *out, int *ifindex)
{
	struct sockaddr_ll sll = { .sll_family = AF_PACKET,
				   .sll_protocol = htons(ETH_P_ALL) };
	int one = 1, size = 4 << 20, fd;

	sll.sll_ifindex = (int)if_nametoindex(dev);
	if (!sll.sll_ifindex)
		return -errno;
	/* protocol 0 until bound: no frame of another device comes in */
	fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (setsockopt(fd, SOL_PACKET, PACKET_VNET_HDR, &one, sizeof(one)) ||
	    setsockopt(fd, SOL_PACKET, PACKET_AUXDATA, &one, sizeof(one)) ||
	    setsockopt(fd, SOL_PACKET, PACKET_IGNORE_OUTGOING, &one, sizeof(one)) ||
	    bind(fd, (struct sockaddr *)&sll, sizeof(sll))) {
		int err = -errno;

		close(fd);
		return err;
	}
	/* room for bursts; best effort (RCVBUFFORCE needs CAP_NET_ADMIN) */
	setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size));
	setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &size, sizeof(size));
	*out = fd;
	*ifindex = sll.sll_ifindex;
	return 0;
}

static void send_frame(struct engine *e, int out, const struct impair_vnet *h,
		       const uint8_t *data, size_t len)
{
	struct iovec iov[2] = {
		{ (void *)h, sizeof(*h) }, { (void *)data, len },
	};
	struct msghdr m = { .msg_iov = iov, .msg_iovlen = 2 };

	/* a full device backlog drops, as a wire would */
	while (sendmsg(e->ends[out].fd, &m, 0) < 0 && errno == EINTR)
		;
}

/* ---- the queue -------------------------------------------------------------------- */

static int hold(struct engine *e, int out, int dir, const struct impair_vnet *h,
		const uint8_t *data, size_t len, uint64_t when)
{
	struct held *f = malloc(sizeof(*f) + len);

	if (!f)
		return -ENOMEM;
	f->out = out;
	f->dir = dir;
	f->h = *h;
	f->len = (uint32_t)len;
	memcpy(f->data, data, len);
	if (impair_queue_push(&e->q, when, f)) {
		free(f);
		return -ENOMEM;
	}
	e->dirs[dir].queued++;
	return 0;
}

static void send_due(struct engine *e, uint64_t now)
{
	const struct impair_item *it;
	struct impair_item x;

	while ((it = impair_queue_peek(&e->q)) && it->when_ns <= now) {
		struct held *f;

		impair_queue_pop(&e->q, &x);
		f = x.frame;
		send_frame(e, f->out, &f->h, f->data, f->len);
		e->dirs[f->dir].queued--;
		free(f);
	}
}

/* ---- one frame ---------------------------------------------------------------------- */

struct seg_ctx {
	struct engine *e;
	int out, dir;
	uint64_t delay_ns;
	bool first, corrupt, now;
};

/* One copy, its checksums final, about to be corrupted, sent or held. */
static void place(struct engine *e, int out, int dir,
		  const struct impair_vnet *h, uint8_t *data, size_t len,
		  const struct impair_copy *c, uint64_t now)
{
	if (c->corrupt)
		impair_corrupt(data, len, &e->dirs[dir].rng);
	if (c->now || c->delay_ns == 0) {
		/* at once: a reordered frame, or a link with no delay */
		send_frame(e, out, h, data, len);
		return;
	}
	if (hold(e, out, dir, h, data, len, now + c->delay_ns))
		e->dirs[dir].overlimit++;	/* out of memory: dropped */
}

static int seg_emit(const uint8_t *seg, size_t len, void *arg)
{
	struct seg_ctx *s = arg;
	struct impair_vnet none = { 0 };
	struct impair_copy c = { s->first && s->corrupt, s->now, 0 };
	uint8_t *copy = malloc(len);

	if (!copy)
		return -ENOMEM;
	memcpy(copy, seg, len);
	c.delay_ns = s->delay_ns;
	place(s->e, s->out, s->dir, &none, copy, len, &c, mono_ns());
	s->first = false;
	free(copy);
	return 0;
}

/* A copy to be corrupted needs its own bytes, final checksums and, for a
 * GSO frame, the segments the kernel would have sent (netem corrupts the
 * first of them). */
static void corrupt_copy(struct engine *e, int out, int dir,
			 const struct impair_vnet *h0, const uint8_t *data,
			 size_t len, const struct impair_copy *c, uint64_t now)
{
	struct impair_vnet h = *h0;
	uint8_t *copy;

	if (h.gso_type != IMPAIR_VNET_GSO_NONE) {
		struct seg_ctx s = { e, out, dir, c->delay_ns, true, true,
				     c->now };

		if (impair_gso_segment(data, len, &h, seg_emit, &s) == 0)
			return;
		/* a GSO kind we cannot cut: the frame goes on untouched */
		place(e, out, dir, &h, (uint8_t *)data, len,
		      &(struct impair_copy){ false, c->now, c->delay_ns }, now);
		return;
	}
	copy = malloc(len);
	if (!copy)
		return;
	memcpy(copy, data, len);
	if (!(h.flags & IMPAIR_VNET_NEEDS_CSUM) ||
	    impair_csum_finish(copy, len, &h) == 0)
		place(e, out, dir, &h, copy, len, c, now);
	free(copy);
}

static void one_frame(struct engine *e, int from, const struct impair_vnet *h,
		      uint8_t *data, size_t len, uint64_t now)
{
	const struct end *in = &e->ends[from];
	struct impair_dir *d = &e->dirs[in->dir];
	struct impair_copy c[2];
	int n, i;

	if (impair_dir_is_plain(d)) {
		d->seen++;
		send_frame(e, in->peer, h, data, len);
		return;
	}
	n = impair_decide(d, c);
	for (i = 0; i < n; i++) {
		if (c[i].corrupt)
			corrupt_copy(e, in->peer, in->dir, h, data, len, &c[i],
				     now);
		else
			place(e, in->peer, in->dir, h, data, len, &c[i], now);
	}
}

/* A tag the kernel kept aside (hardware VLAN acceleration) goes back into
 * the frame: the other side must get what was sent.  data sits VLAN_HLEN
 * bytes into e->buf. */
static uint8_t *untag(struct engine *e, struct msghdr *m, struct impair_vnet *h,
		      size_t *len)
{
	uint8_t *data = e->buf + VLAN_HLEN;
	struct cmsghdr *c;

	for (c = CMSG_FIRSTHDR(m); c; c = CMSG_NXTHDR(m, c)) {
		struct tpacket_auxdata aux;
		uint16_t tpid, tci;

		if (c->cmsg_level != SOL_PACKET || c->cmsg_type != PACKET_AUXDATA)
			continue;
		memcpy(&aux, CMSG_DATA(c), sizeof(aux));
		if (!(aux.tp_status & TP_STATUS_VLAN_VALID) || *len < 12)
			break;
		tpid = htons((aux.tp_status & TP_STATUS_VLAN_TPID_VALID) ?
			     aux.tp_vlan_tpid : ETH_P_8021Q);
		tci = htons(aux.tp_vlan_tci);
		memmove(e->buf, data, 12);
		memcpy(e->buf + 12, &tpid, 2);
		memcpy(e->buf + 14, &tci, 2);
		*len += VLAN_HLEN;
		if (h->flags & IMPAIR_VNET_NEEDS_CSUM)
			h->csum_start += VLAN_HLEN;
		if (h->hdr_len)
			h->hdr_len += VLAN_HLEN;
		return e->buf;
	}
	return data;
}

static void read_end(struct engine *e, int from)
{
	union {
		char buf[CMSG_SPACE(sizeof(struct tpacket_auxdata))];
		struct cmsghdr align;
	} cm;
	struct impair_vnet h;
	int k;

	for (k = 0; k < BATCH; k++) {
		struct iovec iov[2] = {
			{ &h, sizeof(h) }, { e->buf + VLAN_HLEN, FRAME_MAX },
		};
		struct msghdr m = { .msg_iov = iov, .msg_iovlen = 2,
				    .msg_control = cm.buf,
				    .msg_controllen = sizeof(cm.buf) };
		ssize_t r = recvmsg(e->ends[from].fd, &m, MSG_DONTWAIT);
		size_t len;
		uint8_t *data;

		if (r < 0)
			return;	/* EAGAIN: drained */
		if ((size_t)r < sizeof(h) || (m.msg_flags & MSG_TRUNC))
			continue;
		len = (size_t)r - sizeof(h);
		data = untag(e, &m, &h, &len);
		one_frame(e, from, &h, data, len, mono_ns());
	}
}

/* ---- instructions and status ------------------------------------------------------ */

static uint64_t total(const struct engine *e, size_t off)
{
	uint64_t sum = 0;
	int i;

	for (i = 0; i < e->nlinks * 2; i++)
		sum += *(const uint64_t *)((const char *)&e->dirs[i] + off);
	return sum;
}

static void write_status(struct engine *e)
{
	char text[512];
	int n, ret;

	n = snprintf(text, sizeof(text),
		     "pid %ld generation %lu frames %llu lost %llu duplicated %llu corrupted %llu reordered %llu overlimit %llu\n",
		     (long)getpid(), e->generation,
		     (unsigned long long)total(e, offsetof(struct impair_dir, seen)),
		     (unsigned long long)total(e, offsetof(struct impair_dir, lost)),
		     (unsigned long long)total(e, offsetof(struct impair_dir, duplicated)),
		     (unsigned long long)total(e, offsetof(struct impair_dir, corrupted)),
		     (unsigned long long)total(e, offsetof(struct impair_dir, reordered)),
		     (unsigned long long)total(e, offsetof(struct impair_dir, overlimit)));
	ret = state_file_write(e->dirfd, STATE_ENGINE_STATUS, text, (size_t)n);
	if (ret)
		logf_("cannot write %s: %s", STATE_ENGINE_STATUS, strerror(-ret));
	e->reported = total(e, offsetof(struct impair_dir, seen));
}

/* The seed of a direction: the lab's name, the link and the direction, so
 * that a lab's random events are the same on every run. */
static uint64_t dir_seed(const char *lab, int link, int dir)
{
	uint64_t h = 1469598103934665603ull;	/* FNV-1a */

	for (; *lab; lab++)
		h = (h ^ (uint8_t)*lab) * 1099511628211ull;
	return h ^ ((uint64_t)link << 1 | (uint64_t)dir);
}

/* Two sockets per link: a big lab needs more than 1024 fds (root may
 * raise both limits). */
static void raise_nofile(rlim_t need)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) || rl.rlim_cur >= need)
		return;
	rl.rlim_cur = need;
	if (rl.rlim_max < need)
		rl.rlim_max = need;
	if (setrlimit(RLIMIT_NOFILE, &rl))
		logf_("cannot raise the open-file limit to %lu: %s",
		      (unsigned long)need, strerror(errno));
}

/* First load: open every end.  Later loads: new settings for the links
 * already relayed (a change of a running link keeps its queue). */
static int apply_conf(struct engine *e, const struct engine_conf *c)
{
	struct epoll_event ev = { .events = EPOLLIN };
	int i, k, ret;

	if (e->ends) {
		for (i = 0; i < c->n; i++)
			for (k = 0; k < e->nlinks; k++)
				if (e->link_ids[k] == c->v[i].link) {
					impair_dir_set(&e->dirs[2 * k], &c->v[i].netem[0]);
					impair_dir_set(&e->dirs[2 * k + 1], &c->v[i].netem[1]);
				}
		return 0;
	}
	raise_nofile((rlim_t)c->n * 2 + 64);
	e->nlinks = c->n;
	e->link_ids = calloc((size_t)c->n + 1, sizeof(*e->link_ids));
	e->ends = calloc((size_t)c->n * 2 + 1, sizeof(*e->ends));
	e->dirs = calloc((size_t)c->n * 2 + 1, sizeof(*e->dirs));
	if (!e->link_ids || !e->ends || !e->dirs)
		return -ENOMEM;
	for (i = 0; i < c->n; i++) {
		e->link_ids[i] = c->v[i].link;
		for (k = 0; k < 2; k++) {
			struct end *x = &e->ends[2 * i + k];

			ret = end_open(c->v[i].dev[k], &x->fd, &x->ifindex);
			if (ret) {
				logf_("cannot open relay end %s: %s",
				      c->v[i].dev[k], strerror(-ret));
				return ret;
			}
			x->peer = 2 * i + !k;
			x->dir = 2 * i + k;
			snprintf(x->name, sizeof(x->name), "%s", c->v[i].dev[k]);
			impair_dir_init(&e->dirs[2 * i + k], &c->v[i].netem[k],
					dir_seed(e->lab, c->v[i].link, k));
			ev.data.u32 = (uint32_t)(2 * i + k);
			if (epoll_ctl(e->epfd, EPOLL_CTL_ADD, x->fd, &ev))
				return -errno;
		}
	}
	return 0;
}

static int load(struct engine *e)
{
	struct engine_conf c;
	int ret = engine_conf_load(e->dirfd, &c);

	if (ret) {
		logf_("cannot read %s: %s", STATE_ENGINE, strerror(-ret));
		return ret;
	}
	if (c.generation > e->generation || !e->ends) {
		ret = apply_conf(e, &c);
		if (!ret) {
			e->generation = c.generation;
			write_status(e);
			logf_("running generation %lu: %d links", e->generation,
			      e->nlinks);
		}
	}
	engine_conf_free(&c);
	return ret;
}

/* The instructions changed when their file was renamed into place. */
static void read_notes(struct engine *e)
{
	char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
	ssize_t n;
	bool changed = false;

	while ((n = read(e->inofd, buf, sizeof(buf))) > 0) {
		char *p = buf;

		while (p < buf + n) {
			struct inotify_event *ev = (struct inotify_event *)p;

			if (ev->len && !strcmp(ev->name, STATE_ENGINE))
				changed = true;
			p += sizeof(*ev) + ev->len;
		}
	}
	if (changed)
		load(e);
}

/* ---- carrier --------------------------------------------------------------------------
 *
 * A plain veth's end loses its carrier when the other end goes down; the
 * nodes of an engine link must see the same.  A relay end that is up has
 * carrier exactly when its node's end is up, so each relay end's carrier
 * is copied to the other relay end's up flag, which is the other node's
 * carrier.  A relay end that is down tells nothing (its node's end has no
 * carrier to show), so it is skipped: the rule settles whatever the order
 * of events, and `nslab link down`/`up` (both node ends) passes through. */

static void set_up(struct end *x, bool up)
{
	struct ifreq r = { 0 };

	snprintf(r.ifr_name, sizeof(r.ifr_name), "%s", x->name);
	if (ioctl(x->fd, SIOCGIFFLAGS, &r))
		return;
	r.ifr_flags = (short)(up ? (r.ifr_flags | IFF_UP) : (r.ifr_flags & ~IFF_UP));
	if (ioctl(x->fd, SIOCSIFFLAGS, &r)) {
		logf_("cannot set %s %s: %s", x->name, up ? "up" : "down",
		      strerror(errno));
		return;
	}
	/* as the news will say; nothing is asked twice meanwhile */
	x->flags = up ? (x->flags | IFF_UP) : (x->flags & ~(unsigned)IFF_UP);
}

static void carrier_sync(struct engine *e)
{
	int i;

	for (i = 0; i < e->nlinks * 2; i++) {
		struct end *x = &e->ends[i], *y = &e->ends[x->peer];
		bool want = x->flags & IFF_LOWER_UP;

		if (!(x->flags & IFF_UP))
			continue;
		if (!!(y->flags & IFF_UP) != want)
			set_up(y, want);
	}
}

/* Link news (RTMGRP_LINK), and the answer to the first dump: carrier is
 * IFF_LOWER_UP, which only netlink carries (SIOCGIFFLAGS has 16 bits). */
static int carrier_open(struct engine *e)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK,
				  .nl_groups = RTMGRP_LINK };
	struct epoll_event ev = { .events = EPOLLIN, .data.u32 = UINT32_MAX - 1 };
	struct {
		struct nlmsghdr h;
		struct ifinfomsg i;
	} req = {
		.h = { .nlmsg_len = sizeof(req), .nlmsg_type = RTM_GETLINK,
		       .nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP, .nlmsg_seq = 1 },
		.i = { .ifi_family = AF_UNSPEC },
	};

	e->nlfd = socket(AF_NETLINK, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC,
			 NETLINK_ROUTE);
	if (e->nlfd < 0 || bind(e->nlfd, (struct sockaddr *)&sa, sizeof(sa)) ||
	    epoll_ctl(e->epfd, EPOLL_CTL_ADD, e->nlfd, &ev) ||
	    send(e->nlfd, &req, sizeof(req), 0) < 0)
		return -errno;
	return 0;
}

static void read_links(struct engine *e)
{
	char buf[16384] __attribute__((aligned(NLMSG_ALIGNTO)));
	ssize_t n;
	int i;

	while ((n = recv(e->nlfd, buf, sizeof(buf), 0)) > 0 || errno == ENOBUFS) {
		const struct nlmsghdr *h = (const struct nlmsghdr *)buf;
		size_t left = n > 0 ? (size_t)n : 0;

		for (; NLMSG_OK(h, left); h = NLMSG_NEXT(h, left)) {
			const struct ifinfomsg *ifi = NLMSG_DATA(h);

			if (h->nlmsg_type != RTM_NEWLINK ||
			    h->nlmsg_len < NLMSG_LENGTH(sizeof(*ifi)))
				continue;
			for (i = 0; i < e->nlinks * 2; i++)
				if (e->ends[i].ifindex == ifi->ifi_index)
					e->ends[i].flags = ifi->ifi_flags;
		}
	}
	carrier_sync(e);
}

/* ---- the loop ----------------------------------------------------------------------- */

static int open_lab(struct engine *e)
{
	char path[PATH_MAX], fdpath[64];
	struct stat sb;
	int logfd;

	if (!state_name_ok(e->lab))
		return -EINVAL;
	snprintf(path, sizeof(path), "%s/%s", state_run_dir(), e->lab);
	e->dirfd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (e->dirfd < 0)
		return -errno;
	if (fstat(e->dirfd, &sb) || sb.st_uid != 0 || (sb.st_mode & 022))
		return -EPERM;
	mkdirat(e->dirfd, "log", 0700);
	logfd = openat(e->dirfd, "log/" LAB_RELAY_NAME ".log",
		       O_WRONLY | O_CREAT | O_APPEND | O_NOFOLLOW | O_CLOEXEC,
		       0600);
	if (logfd >= 0) {
		dup2(logfd, 2);
		close(logfd);
		setvbuf(stderr, NULL, _IOLBF, 0);
	}
	snprintf(fdpath, sizeof(fdpath), "/proc/self/fd/%d", e->dirfd);
	e->inofd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (e->inofd < 0 ||
	    inotify_add_watch(e->inofd, fdpath, IN_MOVED_TO | IN_CLOSE_WRITE) < 0)
		return -errno;
	return 0;
}

/* How long epoll may sleep: until the next held frame, or the next status
 * when the counters moved; NULL (for ever) when idle. */
static struct timespec *sleep_for(struct engine *e, uint64_t now,
				  struct timespec *ts)
{
	const struct impair_item *it = impair_queue_peek(&e->q);
	uint64_t until = UINT64_MAX;

	if (it)
		until = it->when_ns;
	if (total(e, offsetof(struct impair_dir, seen)) != e->reported &&
	    e->next_status < until)
		until = e->next_status;
	if (until == UINT64_MAX)
		return NULL;
	until = until > now ? until - now : 0;
	ts->tv_sec = (time_t)(until / 1000000000ull);
	ts->tv_nsec = (long)(until % 1000000000ull);
	return ts;
}

static int run(struct engine *e)
{
	struct epoll_event evs[64], ev = { .events = EPOLLIN,
					   .data.u32 = UINT32_MAX };
	struct timespec ts;
	int n, i;

	if (epoll_ctl(e->epfd, EPOLL_CTL_ADD, e->inofd, &ev))
		return -errno;
	e->next_status = mono_ns() + STATUS_EVERY_NS;
	for (;;) {
		uint64_t now = mono_ns();

		n = epoll_pwait2(e->epfd, evs, 64, sleep_for(e, now, &ts), NULL);
		if (n < 0 && errno != EINTR)
			return -errno;
		for (i = 0; i < n; i++) {
			if (evs[i].data.u32 == UINT32_MAX)
				read_notes(e);
			else if (evs[i].data.u32 == UINT32_MAX - 1)
				read_links(e);
			else
				read_end(e, (int)evs[i].data.u32);
		}
		now = mono_ns();
		send_due(e, now);
		if (now >= e->next_status) {
			if (total(e, offsetof(struct impair_dir, seen)) != e->reported)
				write_status(e);
			e->next_status = now + STATUS_EVERY_NS;
		}
	}
}

int engine_main(const char *argv0)
{
	static struct engine e;
	int ret;

	e.lab = argv0 + strlen(ENGINE_ARGV0);
	e.dirfd = e.inofd = e.nlfd = -1;
	signal(SIGPIPE, SIG_IGN);
	prctl(PR_SET_TIMERSLACK, 1000UL);	/* 1 us: delays are precise */
	impair_queue_init(&e.q);
	ret = open_lab(&e);
	if (ret) {
		logf_("lab %s: cannot open its state directory: %s", e.lab,
		      strerror(-ret));
		return 3;
	}
	e.epfd = epoll_create1(EPOLL_CLOEXEC);
	if (e.epfd < 0 || load(&e))
		return 3;
	ret = carrier_open(&e);
	if (ret)
		logf_("cannot follow the relay's links (carrier is not passed on): %s",
		      strerror(-ret));
	ret = run(&e);
	logf_("stopped: %s", strerror(-ret));
	return 3;
}

/* capture.c — live capture of a node's interface (capture.h). */
#include "capture.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <linux/filter.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>

#include "nl.h"
#include "ns.h"
#include "runner.h"

/* ---- the file format ----------------------------------------------------- */

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

void pcap_global_header(uint8_t out[PCAP_GLOBAL_LEN], uint32_t snaplen)
{
	put32(out, PCAP_MAGIC_NS);
	out[4] = 2;		/* version 2.4 */
	out[5] = 0;
	out[6] = 4;
	out[7] = 0;
	put32(out + 8, 0);	/* thiszone: timestamps are UTC */
	put32(out + 12, 0);	/* sigfigs */
	put32(out + 16, snaplen);
	put32(out + 20, PCAP_LINKTYPE_ETHERNET);
}

void pcap_record_header(uint8_t out[PCAP_RECORD_LEN], uint64_t sec,
			uint32_t nsec, uint32_t caplen, uint32_t origlen)
{
	/* the format has 32-bit seconds: they wrap in 2106 */
	put32(out, (uint32_t)sec);
	put32(out + 4, nsec);
	put32(out + 8, caplen);
	put32(out + 12, origlen);
}

uint32_t pcap_caplen(size_t len, uint32_t snaplen)
{
	return len > snaplen ? snaplen : (uint32_t)len;
}

uint8_t *capture_vlan_restore(uint8_t *buf, size_t *len, size_t *origlen,
			      uint32_t tp_status, uint16_t tci, uint16_t tpid)
{
	uint8_t *data = buf + CAPTURE_VLAN_HLEN;
	uint16_t t, c;

	/* the tag goes after the two MAC addresses */
	if (!(tp_status & TP_STATUS_VLAN_VALID) || *len < 12)
		return data;
	t = htons((tp_status & TP_STATUS_VLAN_TPID_VALID) ? tpid : ETH_P_8021Q);
	c = htons(tci);
	memmove(buf, data, 12);
	memcpy(buf + 12, &t, 2);
	memcpy(buf + 14, &c, 2);
	*len += CAPTURE_VLAN_HLEN;
	*origlen += CAPTURE_VLAN_HLEN;
	return buf;
}

/* ---- the filter ---------------------------------------------------------- */

int capture_filter_compile(const char *expr, uint32_t snaplen,
			   struct capture_filter *f, char *why, size_t whylen)
{
	struct bpf_program prog;
	pcap_t *p;
	size_t i;

	memset(f, 0, sizeof(*f));
	if (!expr || !*expr)
		return 0;
	p = pcap_open_dead(DLT_EN10MB, (int)snaplen);
	if (!p) {
		snprintf(why, whylen, "%s", strerror(ENOMEM));
		return -ENOMEM;
	}
	if (pcap_compile(p, &prog, expr, 1, PCAP_NETMASK_UNKNOWN) < 0) {
		snprintf(why, whylen, "%s", pcap_geterr(p));
		pcap_close(p);
		return -EINVAL;
	}
	pcap_close(p);
	/* the kernel's limit (BPF_MAXINSNS) */
	if (prog.bf_len > BPF_MAXINSNS) {
		snprintf(why, whylen, "the filter compiles to %u instructions, "
			 "more than the kernel's %d", prog.bf_len, BPF_MAXINSNS);
		pcap_freecode(&prog);
		return -EINVAL;
	}
	f->insns = calloc(prog.bf_len ? prog.bf_len : 1, sizeof(*f->insns));
	if (!f->insns) {
		pcap_freecode(&prog);
		snprintf(why, whylen, "%s", strerror(ENOMEM));
		return -ENOMEM;
	}
	/* libpcap's struct bpf_insn is classic BPF, the kernel's layout */
	for (i = 0; i < prog.bf_len; i++) {
		f->insns[i].code = prog.bf_insns[i].code;
		f->insns[i].jt = prog.bf_insns[i].jt;
		f->insns[i].jf = prog.bf_insns[i].jf;
		f->insns[i].k = prog.bf_insns[i].k;
	}
	f->len = (unsigned short)prog.bf_len;
	pcap_freecode(&prog);
	return 0;
}

void capture_filter_free(struct capture_filter *f)
{
	free(f->insns);
	f->insns = NULL;
	f->len = 0;
}

/* ---- the socket ---------------------------------------------------------- */

struct pick {
	const char *want;
	struct capture_sock *c;
	int first;		/* lowest usable ifindex, 0 none */
	size_t n;		/* bytes in c->names */
};

static int on_link(const struct nl_link_info *i, void *arg)
{
	struct pick *k = arg;
	struct capture_sock *c = k->c;

	if (k->n < sizeof(c->names))
		k->n += (size_t)snprintf(c->names + k->n, sizeof(c->names) - k->n,
					 "%s%s", k->n ? ", " : "", i->name);
	if (k->want) {
		if (!strcmp(i->name, k->want)) {
			c->ifindex = i->ifindex;
			snprintf(c->ifname, sizeof(c->ifname), "%s", i->name);
		}
		return 0;
	}
	/* the first of the lab's interfaces: not lo, not a switch's br0
	 * (core/README.md: lo is 1, br0 2, then the link ends in order) */
	if ((i->flags & IFF_LOOPBACK) || !strcmp(i->kind, "bridge"))
		return 0;
	if (!k->first || i->ifindex < k->first) {
		k->first = i->ifindex;
		c->ifindex = i->ifindex;
		snprintf(c->ifname, sizeof(c->ifname), "%s", i->name);
	}
	return 0;
}

struct open_arg {
	const struct capture_filter *f;
	int ifindex;
	int fd;
};

/* In a thread inside the node's namespace (ns_run_in()). */
static int open_in_node(void *arg)
{
	struct open_arg *a = arg;
	struct sockaddr_ll sll = { .sll_family = AF_PACKET,
				   .sll_protocol = htons(ETH_P_ALL),
				   .sll_ifindex = a->ifindex };
	int one = 1, size = 4 << 20, fd;

	/* protocol 0: nothing arrives until bind, which comes after the
	 * filter, so no frame reaches the socket unfiltered */
	fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (a->f && a->f->insns) {
		struct sock_fprog prog = { .len = a->f->len,
					   .filter = a->f->insns };

		if (setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog,
			       sizeof(prog)))
			goto fail;
	}
	if (setsockopt(fd, SOL_PACKET, PACKET_AUXDATA, &one, sizeof(one)) ||
	    setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &one, sizeof(one)))
		goto fail;
	/* room for bursts while the writer waits; best effort
	 * (RCVBUFFORCE needs CAP_NET_ADMIN) */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size)))
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
	if (bind(fd, (struct sockaddr *)&sll, sizeof(sll)))
		goto fail;
	a->fd = fd;
	return 0;
fail:
	one = -errno;
	close(fd);
	return one;
}

int capture_open(const struct state *st, int node, const char *iface,
		 const struct capture_filter *f, struct capture_sock *c)
{
	struct pick k = { .want = iface, .c = c };
	struct open_arg a = { .f = f, .fd = -1 };
	struct nl_sock *s;
	int nsfd, ret;

	memset(c, 0, sizeof(*c));
	c->fd = -1;
	ret = runner_open_netns(st, node, &nsfd);
	if (ret)
		return ret;
	ret = nl_sock_open_in(nsfd, &s);
	if (!ret) {
		ret = nl_dump_links(s, on_link, &k);
		nl_sock_close(s);
	}
	if (!ret && !c->ifindex)
		ret = iface ? -ENODEV : -ENXIO;
	if (!ret) {
		c->defaulted = !iface;
		a.ifindex = c->ifindex;
		ret = ns_run_in(nsfd, open_in_node, &a);
	}
	close(nsfd);
	if (ret)
		return ret;
	c->fd = a.fd;
	return 0;
}

int capture_read(int fd, uint8_t *buf, size_t bufsize, struct capture_pkt *p)
{
	union {
		char b[CMSG_SPACE(sizeof(struct tpacket_auxdata)) +
		       CMSG_SPACE(sizeof(struct timespec))];
		struct cmsghdr align;
	} cm;
	struct iovec iov = { buf + CAPTURE_VLAN_HLEN,
			     bufsize - CAPTURE_VLAN_HLEN };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1,
			    .msg_control = cm.b,
			    .msg_controllen = sizeof(cm.b) };
	struct tpacket_auxdata aux = { 0 };
	bool have_ts = false;
	struct cmsghdr *c;
	size_t len, origlen;
	ssize_t r;

	/* MSG_TRUNC: the frame's whole length even when the buffer is
	 * shorter */
	r = recvmsg(fd, &m, MSG_DONTWAIT | MSG_TRUNC);
	if (r < 0)
		return errno == EWOULDBLOCK ? -EAGAIN : -errno;
	origlen = (size_t)r;
	len = origlen < iov.iov_len ? origlen : iov.iov_len;
	for (c = CMSG_FIRSTHDR(&m); c; c = CMSG_NXTHDR(&m, c)) {
		if (c->cmsg_level == SOL_PACKET &&
		    c->cmsg_type == PACKET_AUXDATA) {
			memcpy(&aux, CMSG_DATA(c), sizeof(aux));
			/* before a filter's cut, if any */
			if (aux.tp_len > origlen)
				origlen = aux.tp_len;
		} else if (c->cmsg_level == SOL_SOCKET &&
			   c->cmsg_type == SCM_TIMESTAMPNS) {
			memcpy(&p->ts, CMSG_DATA(c), sizeof(p->ts));
			have_ts = true;
		}
	}
	if (!have_ts)
		clock_gettime(CLOCK_REALTIME, &p->ts);
	p->data = capture_vlan_restore(buf, &len, &origlen, aux.tp_status,
				       aux.tp_vlan_tci, aux.tp_vlan_tpid);
	p->len = len;
	p->origlen = origlen;
	return 0;
}

bool capture_iface_gone(const struct capture_sock *c)
{
	struct sockaddr_ll sll = { 0 };
	socklen_t sl = sizeof(sll);

	/* the kernel sets a packet socket's ifindex to -1 when its device
	 * is unregistered; a device set down keeps it */
	if (getsockname(c->fd, (struct sockaddr *)&sll, &sl))
		return true;
	return sll.sll_ifindex != c->ifindex;
}

/* ---- the output ---------------------------------------------------------- */

static int write_all(int fd, const void *p, size_t n)
{
	const uint8_t *b = p;

	while (n) {
		ssize_t w = write(fd, b, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -errno;
		b += w;
		n -= (size_t)w;
	}
	return 0;
}

int pcap_out_stream(int fd, uint32_t snaplen, struct pcap_out *o)
{
	uint8_t h[PCAP_GLOBAL_LEN];

	o->fd = fd;
	o->seekable = false;
	o->size = PCAP_GLOBAL_LEN;
	pcap_global_header(h, snaplen);
	return write_all(fd, h, sizeof(h));
}

int pcap_out_create(const char *path, uint32_t snaplen, struct pcap_out *o)
{
	char dir[PATH_MAX], tmp[NAME_MAX + 1];
	uint8_t h[PCAP_GLOBAL_LEN];
	const char *base, *slash = strrchr(path, '/');
	struct stat sb;
	int dfd, fd = -1, ret, i;
	uint32_t rnd;

	base = slash ? slash + 1 : path;
	if (!*base)
		return -EISDIR;
	if (strlen(base) + 9 > NAME_MAX)
		return -ENAMETOOLONG;
	if (slash) {
		size_t n = slash == path ? 1 : (size_t)(slash - path);

		if (n >= sizeof(dir))
			return -ENAMETOOLONG;
		memcpy(dir, path, n);
		dir[n] = 0;
	} else {
		strcpy(dir, ".");
	}
	/* one lookup of the directory: every later step is relative to it */
	dfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return -errno;
	if (!fstatat(dfd, base, &sb, AT_SYMLINK_NOFOLLOW)) {
		if (S_ISLNK(sb.st_mode)) {
			close(dfd);
			return -ELOOP;
		}
		if (!S_ISREG(sb.st_mode)) {
			close(dfd);
			return -EEXIST;
		}
	} else if (errno != ENOENT) {
		ret = -errno;
		close(dfd);
		return ret;
	}
	for (i = 0; i < 100 && fd < 0; i++) {
		if (getrandom(&rnd, sizeof(rnd), 0) != sizeof(rnd))
			rnd = (uint32_t)getpid() * 2654435761u + (uint32_t)i;
		snprintf(tmp, sizeof(tmp), ".%s.%06x", base, rnd & 0xffffff);
		fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
			    O_CLOEXEC, 0644);
		if (fd < 0 && errno != EEXIST) {
			ret = -errno;
			close(dfd);
			return ret;
		}
	}
	if (fd < 0) {
		close(dfd);
		return -EEXIST;
	}
	pcap_global_header(h, snaplen);
	ret = write_all(fd, h, sizeof(h));
	/* rename replaces whatever is at base by our file: a symbolic
	 * link put there since the check is replaced, never followed */
	if (!ret && renameat(dfd, tmp, dfd, base))
		ret = -errno;
	if (ret) {
		unlinkat(dfd, tmp, 0);
		close(fd);
		close(dfd);
		return ret;
	}
	close(dfd);
	o->fd = fd;
	o->seekable = true;
	o->size = PCAP_GLOBAL_LEN;
	return 0;
}

/* A file keeps whole records only. */
static void cut_back(struct pcap_out *o)
{
	if (!o->seekable)
		return;
	if (ftruncate(o->fd, o->size) == 0)
		lseek(o->fd, o->size, SEEK_SET);
}

int pcap_out_packet(struct pcap_out *o, const struct capture_pkt *p,
		    uint32_t snaplen, volatile sig_atomic_t *sigs)
{
	uint8_t h[PCAP_RECORD_LEN];
	uint32_t caplen = pcap_caplen(p->len, snaplen);
	size_t origlen = p->origlen < p->len ? p->len : p->origlen;
	size_t total = PCAP_RECORD_LEN + caplen, done = 0;
	sig_atomic_t start = *sigs;

	pcap_record_header(h, (uint64_t)p->ts.tv_sec, (uint32_t)p->ts.tv_nsec,
			   caplen, origlen > UINT32_MAX ? UINT32_MAX :
			   (uint32_t)origlen);
	while (done < total) {
		struct iovec iov[2];
		int n = 0;
		ssize_t w;

		if (done < PCAP_RECORD_LEN) {
			iov[n].iov_base = h + done;
			iov[n++].iov_len = PCAP_RECORD_LEN - done;
			iov[n].iov_base = (void *)p->data;
			iov[n++].iov_len = caplen;
		} else {
			iov[n].iov_base = (void *)(p->data +
						   (done - PCAP_RECORD_LEN));
			iov[n++].iov_len = total - done;
		}
		w = writev(o->fd, iov, n);
		if (w < 0 && errno == EINTR && !done)
			return -EINTR;
		if (w < 0 && errno != EINTR) {
			int err = -errno;

			cut_back(o);
			return err;
		}
		if (w > 0)
			done += (size_t)w;
		/* a second signal while a record is still unfinished: the
		 * reader does not take it */
		if (done < total && *sigs - start >= 2) {
			cut_back(o);
			return -EINTR;
		}
	}
	o->size += (off_t)total;
	return 0;
}

/* floor.c — the raw netlink floor for `single N`.
 *
 * Builds the star nslab builds for `gen-lab single N` with nothing but
 * libmnl, in the cheapest way the kernel allows, then tears it down by
 * closing fds, and prints the elapsed wall time in seconds:
 *
 *   - N+1 network namespaces, made by one helper thread that unshare()s
 *     repeatedly; for each it writes net.ipv6.conf.{all,default}.disable_ipv6
 *     = 1 (what nslab does for a lab without IPv6, before any link exists),
 *     opens /proc/thread-self/ns/net and a NETLINK_ROUTE socket inside it;
 *   - a bridge br0 in the switch namespace (fixed MAC, STP off, multicast
 *     snooping off, created UP);
 *   - N veths, each made by ONE RTM_NEWLINK sent through the switch's
 *     socket: primary end eth<i> in the switch namespace (IFLA_NET_NS_FD),
 *     enslaved to br0 and UP at creation; peer eth0 in host i's namespace
 *     (IFLA_NET_NS_FD), both with planned ifindexes, MACs and MTU;
 *     batched, NLM_F_ACK on the last message of each sendmsg only;
 *   - per namespace, one batch through its own socket, ACK on the last
 *     message only: lo up (+ eth0 up + 10.0.x.y/prefix on eth0 for hosts).
 *
 * Usage: floor [-v] [-w] N
 *   -v  print the time of each phase on stderr
 *   -w  before teardown, print the switch's and h1's namespace fds and wait
 *       for a line on stdin (to inspect with nsenter --net=/proc/PID/fd/FD);
 *       the time printed then includes the wait
 * Exit status 0, or 1 with a message naming the failing step.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <libmnl/libmnl.h>
#include <linux/if.h>
#include <linux/if_addr.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#ifndef NETLINK_EXT_ACK
#define NETLINK_EXT_ACK 11
#endif
#ifndef NETLINK_CAP_ACK
#define NETLINK_CAP_ACK 10
#endif

#define BUF_SIZE (64 * 1024)  /* one sendmsg; well under the 1 MiB sndbuf */
#define MSG_ROOM 512          /* the biggest message we build is ~200 bytes */
#define BATCH_MSGS 200        /* errors + the ACK must fit the rcvbuf anyway */

static int verbose, wait_line;

static void die(const char *fmt, ...)
{
	va_list ap;

	fputs("floor: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* --- namespaces ------------------------------------------------------ */

struct node {
	int nsfd;
	struct mnl_socket *nl;
};

static struct mnl_socket *nl_open(void)
{
	struct mnl_socket *nl = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC);
	int one = 1, rcv = 8 << 20, snd = 1 << 20;
	int fd;

	if (!nl)
		return NULL;
	fd = mnl_socket_get_fd(nl);
	mnl_socket_setsockopt(nl, NETLINK_EXT_ACK, &one, sizeof(one));
	mnl_socket_setsockopt(nl, NETLINK_CAP_ACK, &one, sizeof(one));
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcv, sizeof(rcv)) < 0)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcv, sizeof(rcv));
	setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &snd, sizeof(snd));
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		mnl_socket_close(nl);
		return NULL;
	}
	return nl;
}

static int write_sysctl(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t len = (ssize_t)strlen(val);

	if (fd < 0)
		return -errno;
	if (write(fd, val, (size_t)len) != len) {
		int e = errno;
		close(fd);
		return -e;
	}
	return close(fd) < 0 ? -errno : 0;
}

struct ns_job {
	struct node *nodes;
	int n;
	const char *err;
	int errnum;
};

/* Runs in a helper thread: each unshare() moves the thread into a fresh
 * netns; sysctls, the ns fd and the socket all belong to that netns. */
static void *ns_maker(void *arg)
{
	struct ns_job *j = arg;
	int i, r;

	for (i = 0; i < j->n; i++) {
		if (unshare(CLONE_NEWNET) < 0) {
			j->err = "unshare(CLONE_NEWNET)";
			break;
		}
		r = write_sysctl("/proc/sys/net/ipv6/conf/all/disable_ipv6", "1");
		if (!r)
			r = write_sysctl("/proc/sys/net/ipv6/conf/default/disable_ipv6", "1");
		if (r) {
			errno = -r;
			j->err = "disable_ipv6 sysctl";
			break;
		}
		j->nodes[i].nsfd = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
		if (j->nodes[i].nsfd < 0) {
			j->err = "open /proc/thread-self/ns/net";
			break;
		}
		j->nodes[i].nl = nl_open();
		if (!j->nodes[i].nl) {
			j->err = "netlink socket";
			break;
		}
	}
	if (j->err)
		j->errnum = errno;
	return NULL;
}

/* --- batches --------------------------------------------------------- */

struct batch {
	char *buf;
	size_t len;
	int count;
	unsigned first_seq, seq;
	struct nlmsghdr *last;
};

static struct nlmsghdr *msg_new(struct batch *b, uint16_t type, uint16_t flags)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(b->buf + b->len);

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	nlh->nlmsg_seq = ++b->seq;
	if (!b->count)
		b->first_seq = nlh->nlmsg_seq;
	b->last = nlh;
	return nlh;
}

static void msg_end(struct batch *b, struct nlmsghdr *nlh)
{
	b->len += nlh->nlmsg_len;
	b->count++;
}

static int ack_cb(const struct nlmsghdr *nlh, void *data)
{
	(void)nlh;
	(void)data;
	return MNL_CB_OK;
}

/* Send the batch (ACK requested on its last message only) and read answers
 * until that ACK: errors of earlier messages come first, on their own. */
static void batch_send(struct mnl_socket *nl, struct batch *b, const char *what)
{
	static char rbuf[1 << 16];
	unsigned portid = mnl_socket_get_portid(nl);
	int ret;

	if (!b->count)
		return;
	b->last->nlmsg_flags |= NLM_F_ACK;
	if (mnl_socket_sendto(nl, b->buf, b->len) < 0)
		die("%s: sendmsg: %s", what, strerror(errno));
	for (;;) {
		ssize_t got = mnl_socket_recvfrom(nl, rbuf, sizeof(rbuf));
		const struct nlmsghdr *h = (const struct nlmsghdr *)rbuf;
		int n = (int)got;

		if (got < 0)
			die("%s: recv: %s", what, strerror(errno));
		/* Our ack_cb never stops; errors come back as -1/errno. */
		for (; mnl_nlmsg_ok(h, n); h = mnl_nlmsg_next(h, &n)) {
			ret = mnl_cb_run(h, (size_t)h->nlmsg_len, 0, portid, ack_cb, NULL);
			if (ret < 0)
				die("%s: message %u of the batch: %s", what,
				    h->nlmsg_seq - b->first_seq + 1, strerror(errno));
			if (h->nlmsg_seq == b->seq && h->nlmsg_type == NLMSG_ERROR)
				goto done;
		}
	}
done:
	b->len = 0;
	b->count = 0;
	b->last = NULL;
}

/* --- messages -------------------------------------------------------- */

static void mac_for(uint8_t mac[6], unsigned kind, unsigned n)
{
	mac[0] = 0x02;  /* locally administered, unicast */
	mac[1] = (uint8_t)kind;
	mac[2] = 0;
	mac[3] = (uint8_t)(n >> 16);
	mac[4] = (uint8_t)(n >> 8);
	mac[5] = (uint8_t)n;
}

static void add_bridge(struct batch *b)
{
	struct nlmsghdr *nlh = msg_new(b, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL);
	struct ifinfomsg *ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	struct nlattr *li, *data;
	uint8_t mac[6];

	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = 2;
	ifi->ifi_flags = IFF_UP;
	ifi->ifi_change = IFF_UP;
	mac_for(mac, 0xb0, 1);
	mnl_attr_put_strz(nlh, IFLA_IFNAME, "br0");
	mnl_attr_put(nlh, IFLA_ADDRESS, sizeof(mac), mac);
	li = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
	mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "bridge");
	data = mnl_attr_nest_start(nlh, IFLA_INFO_DATA);
	mnl_attr_put_u32(nlh, IFLA_BR_STP_STATE, 0);
	mnl_attr_put_u8(nlh, IFLA_BR_MCAST_SNOOPING, 0);
	mnl_attr_nest_end(nlh, data);
	mnl_attr_nest_end(nlh, li);
	msg_end(b, nlh);
}

/* Port i (1-based) of the switch: eth<i> (ifindex i+2) in the switch
 * namespace, enslaved to br0 and UP; peer eth0 (ifindex 2) in host i. */
static void add_veth(struct batch *b, int i, int sw_fd, int host_fd)
{
	struct nlmsghdr *nlh = msg_new(b, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL);
	struct ifinfomsg *ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	struct ifinfomsg *peer;
	struct nlattr *li, *data, *pn;
	char name[IFNAMSIZ];
	uint8_t mac[6];

	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = i + 2;
	ifi->ifi_flags = IFF_UP;
	ifi->ifi_change = IFF_UP;
	snprintf(name, sizeof(name), "eth%d", i);
	mac_for(mac, 0x5e, (unsigned)i);
	mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	mnl_attr_put_u32(nlh, IFLA_NET_NS_FD, (uint32_t)sw_fd);
	mnl_attr_put_u32(nlh, IFLA_MASTER, 2);
	mnl_attr_put_u32(nlh, IFLA_MTU, 1500);
	mnl_attr_put(nlh, IFLA_ADDRESS, sizeof(mac), mac);
	li = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
	mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "veth");
	data = mnl_attr_nest_start(nlh, IFLA_INFO_DATA);
	pn = mnl_attr_nest_start(nlh, VETH_INFO_PEER);
	peer = mnl_nlmsg_put_extra_header(nlh, sizeof(*peer));
	peer->ifi_family = AF_UNSPEC;
	peer->ifi_index = 2;  /* the peer can't be UP at creation (ENOTCONN) */
	mac_for(mac, 0x40, (unsigned)i);
	mnl_attr_put_strz(nlh, IFLA_IFNAME, "eth0");
	mnl_attr_put_u32(nlh, IFLA_NET_NS_FD, (uint32_t)host_fd);
	mnl_attr_put_u32(nlh, IFLA_MTU, 1500);
	mnl_attr_put(nlh, IFLA_ADDRESS, sizeof(mac), mac);
	mnl_attr_nest_end(nlh, pn);
	mnl_attr_nest_end(nlh, data);
	mnl_attr_nest_end(nlh, li);
	msg_end(b, nlh);
}

static void link_up(struct batch *b, int ifindex)
{
	struct nlmsghdr *nlh = msg_new(b, RTM_NEWLINK, 0);
	struct ifinfomsg *ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));

	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = ifindex;
	ifi->ifi_flags = IFF_UP;
	ifi->ifi_change = IFF_UP;
	msg_end(b, nlh);
}

static void addr_add(struct batch *b, int ifindex, uint32_t addr_be, int plen)
{
	struct nlmsghdr *nlh = msg_new(b, RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL);
	struct ifaddrmsg *ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));

	ifa->ifa_family = AF_INET;
	ifa->ifa_prefixlen = (unsigned char)plen;
	ifa->ifa_scope = RT_SCOPE_UNIVERSE;
	ifa->ifa_index = (unsigned)ifindex;
	mnl_attr_put_u32(nlh, IFA_LOCAL, addr_be);
	mnl_attr_put_u32(nlh, IFA_ADDRESS, addr_be);
	msg_end(b, nlh);
}

/* --- main ------------------------------------------------------------ */

int main(int argc, char **argv)
{
	struct node *nodes;
	struct batch b = { 0 };
	struct ns_job job = { 0 };
	struct rlimit rl;
	pthread_t t;
	double t0, t_ns, t_veth, t_cfg, t_down;
	int n, nn, i, plen;
	char *end;

	for (; argc > 1 && argv[1][0] == '-'; argc--, argv++) {
		if (!strcmp(argv[1], "-v"))
			verbose = 1;
		else if (!strcmp(argv[1], "-w"))
			wait_line = 1;
		else
			break;
	}
	if (argc != 2)
		die("usage: floor [-v] [-w] N   (hosts on one switch, like single,N)");
	n = (int)strtol(argv[1], &end, 10);
	if (*end || n < 1 || n > 60000)
		die("N must be 1..60000");
	nn = n + 1;  /* node 0 is the switch s1, node i is host h<i> */

	/* Two fds per namespace (ns fd + socket) and a margin. */
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < (rlim_t)(2 * nn + 64)) {
		rl.rlim_cur = (rlim_t)(2 * nn + 64);
		if (rl.rlim_max < rl.rlim_cur)
			rl.rlim_max = rl.rlim_cur;
		if (setrlimit(RLIMIT_NOFILE, &rl) < 0)
			die("raising RLIMIT_NOFILE to %d: %s", 2 * nn + 64, strerror(errno));
	}
	nodes = calloc((size_t)nn, sizeof(*nodes));
	b.buf = malloc(BUF_SIZE);
	if (!nodes || !b.buf)
		die("out of memory");
	/* prefix for nn-1 hosts, like nslab's smallest fitting subnet */
	for (plen = 30; plen > 8 && (1 << (32 - plen)) - 2 < n; plen--)
		;

	t0 = now();

	/* 1. namespaces, sysctls, sockets: one helper thread */
	job.nodes = nodes;
	job.n = nn;
	if (pthread_create(&t, NULL, ns_maker, &job))
		die("pthread_create failed");
	pthread_join(t, NULL);
	if (job.err)
		die("%s: %s", job.err, strerror(job.errnum));
	t_ns = now();

	/* 2. the bridge and every veth, through the switch's socket */
	add_bridge(&b);
	for (i = 1; i <= n; i++) {
		if (b.count >= BATCH_MSGS || b.len + MSG_ROOM > BUF_SIZE)
			batch_send(nodes[0].nl, &b, "veths");
		add_veth(&b, i, nodes[0].nsfd, nodes[i].nsfd);
	}
	link_up(&b, 1);  /* the switch's lo, in the same batch */
	batch_send(nodes[0].nl, &b, "bridge and veths");
	t_veth = now();

	/* 3. per host: lo up, eth0 up, one IPv4 address; one batch each */
	for (i = 1; i <= n; i++) {
		uint32_t a = (10u << 24) + (uint32_t)i;  /* 10.0.0.i and up */

		link_up(&b, 1);
		link_up(&b, 2);
		addr_add(&b, 2, htonl(a), plen);
		batch_send(nodes[i].nl, &b, "host config");
	}
	t_cfg = now();
	if (wait_line) {
		char line[64];

		fprintf(stderr, "floor: pid %d, switch ns fd %d, h1 ns fd %d; "
			"press Enter to tear down\n", (int)getpid(), nodes[0].nsfd,
			nodes[1].nsfd);
		if (!fgets(line, sizeof(line), stdin))
			line[0] = 0;
	}

	/* 4. teardown: the fds and sockets are all that hold the namespaces;
	 * the kernel deletes the veths (and the bridge) with them. */
	for (i = nn - 1; i >= 0; i--) {
		mnl_socket_close(nodes[i].nl);
		close(nodes[i].nsfd);
	}
	t_down = now();

	if (verbose)
		fprintf(stderr,
			"floor: %d hosts: namespaces %.3fs, bridge+veths %.3fs, "
			"host config %.3fs, teardown %.3fs\n",
			n, t_ns - t0, t_veth - t_ns, t_cfg - t_veth, t_down - t_cfg);
	printf("%.3f\n", t_down - t0);
	free(nodes);
	free(b.buf);
	return 0;
}

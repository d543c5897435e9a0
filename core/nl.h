/* nl.h — the netlink layer: message builders, batched sending, dumps.
 *
 * Builders append one rtnetlink message to a struct nl_batch and return 0 or
 * -errno (-EMSGSIZE when a message would exceed NL_MSG_MAX, -ENOMEM).  They
 * never send.  nl_batch_send() sends a batch through one socket and maps every
 * kernel answer back to the message (and to the caller's cookie).
 *
 * This layer knows nothing of labs: only ifindexes, namespace fds and bytes.
 * The kernel facts relied upon are stated at each builder (nl_link.c,
 * nl_tc.c), where they bite.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <linux/netlink.h>
#include <linux/pkt_sched.h>

/* Largest single message a builder may produce (a netem qdisc with a 16384
 * entry distribution table is the biggest user). */
#define NL_MSG_MAX (40 * 1024)

/* Messages per sendmsg() chunk; NLM_F_ACK is set on the last of each chunk.
 * Errors are always reported by the kernel, so a chunk can produce at most
 * NL_CHUNK_MSGS answers: safely below the 256 ACKs that survive the default
 * receive buffer even if SO_RCVBUFFORCE is refused. */
#define NL_CHUNK_MSGS 200

struct nl_batch;
struct nl_sock;

struct nl_result {
	int cookie;
	int err;       /* -errno or 0 */
	char msg[256]; /* extack text or "" */
};

/* --- sockets --------------------------------------------------------- */

/* NETLINK_ROUTE socket in the calling thread's netns, SOCK_CLOEXEC, with
 * NETLINK_EXT_ACK + NETLINK_CAP_ACK, 8 MiB receive buffer (SO_RCVBUFFORCE,
 * falling back to SO_RCVBUF) and 1 MiB send buffer. */
int nl_sock_open(struct nl_sock **out);
/* Same, but the socket lives in netns_fd (a helper thread setns()es, opens,
 * and exits; a netlink socket stays bound to the netns it was created in and
 * keeps that netns alive until closed).  netns_fd < 0: like nl_sock_open(). */
int nl_sock_open_in(int netns_fd, struct nl_sock **out);
void nl_sock_close(struct nl_sock *s); /* NULL ok */
int nl_sock_fd(const struct nl_sock *s);

/* --- batches --------------------------------------------------------- */

struct nl_batch *nl_batch_new(void); /* NULL on ENOMEM */
void nl_batch_free(struct nl_batch *b); /* NULL ok */
void nl_batch_reset(struct nl_batch *b); /* drop messages and results */
int nl_batch_count(const struct nl_batch *b);
/* Cookie attached to the messages appended from now on (default 0). */
void nl_batch_set_cookie(struct nl_batch *b, int cookie);
/* Message i (0-based) of the batch, NULL if out of range.  The pointer is
 * valid until the next append. */
const struct nlmsghdr *nl_batch_msg(const struct nl_batch *b, int i);
int nl_batch_cookie(const struct nl_batch *b, int i);

/* Send every message of the batch (chunks of <= NL_CHUNK_MSGS messages and
 * <= the socket's send buffer, NLM_F_ACK on the last of each chunk only) and
 * collect every answer.  rtnetlink is not transactional: a failing message
 * does not stop the ones after it.
 *
 * Returns 0 if all succeeded, else the -errno of the FIRST failing message,
 * and fills *first_fail (cookie, err, extack) when non-NULL (cleared to
 * {0, 0, ""} on success).  All failures stay available after the call:
 * nl_batch_err(b, i) per message and nl_batch_failures() as a list, until
 * the next reset.  A transport error (sendmsg/recv, e.g. -ENOBUFS when ACKs
 * overflowed the receive buffer) is returned as is with first_fail->cookie
 * of the chunk's first message; messages whose fate is unknown then report
 * that error too.  fds in the messages (IFLA_NET_NS_FD) must stay open until
 * this returns. */
int nl_batch_send(struct nl_sock *s, struct nl_batch *b, struct nl_result *first_fail);
int nl_batch_err(const struct nl_batch *b, int i); /* after send: 0 or -errno */
/* Failures of the last send, in message order; returns their number. */
int nl_batch_failures(const struct nl_batch *b, const struct nl_result **out);

/* Decode an NLMSG_ERROR: *err = 0 or -errno, msg = NLMSGERR_ATTR_MSG text
 * ("" when absent).  Returns 0, -EINVAL if not NLMSG_ERROR, -EBADMSG if
 * truncated. */
int nl_parse_error(const struct nlmsghdr *nlh, int *err, char *msg, size_t msglen);

/* --- links ----------------------------------------------------------- */

/* netns fds: -1 means "the sending socket's netns".  0 is a valid fd, so set
 * them explicitly.  ifindex 0 lets the kernel choose; the peer's ifindex is
 * honoured only when the primary's is non-zero too (veth_newlink). */
struct nl_veth {
	const char *name;
	int netns_fd;
	int ifindex;
	int master; /* bridge ifindex in the primary's ns, or 0 */
	int mtu;    /* 0 = default */
	const uint8_t *mac; /* NULL = kernel picks */
	int up;     /* primary only: the peer can't be UP at creation */
	const char *peer_name;
	int peer_netns_fd;
	int peer_ifindex;
	int peer_mtu;
	const uint8_t *peer_mac;
};
int nl_link_add_veth(struct nl_batch *b, const struct nl_veth *v);

struct nl_bridge {
	const char *name;
	int netns_fd;       /* -1 = socket's ns */
	int ifindex;        /* 0 = kernel picks */
	const uint8_t *mac; /* should be set: see nl_link_add_bridge() */
	int mtu;
	int stp;
	int hub;            /* ageing time 0: flood everything */
	int vlan_filtering;
};
int nl_link_add_bridge(struct nl_batch *b, const struct nl_bridge *br);
/* 802.1Q sub-interface of parent_ifindex, in the socket's netns. */
int nl_link_add_vlan(struct nl_batch *b, const char *name, int ifindex, int parent_ifindex,
		     int vlan_id, int mtu, const uint8_t *mac);
int nl_link_set_up(struct nl_batch *b, int ifindex, int up);
/* mtu 0 = keep, mac NULL = keep, master -1 = keep, 0 = release. */
int nl_link_set(struct nl_batch *b, int ifindex, int mtu, const uint8_t *mac, int master);
int nl_link_del(struct nl_batch *b, int ifindex);
/* Learning and unicast flooding of a bridge port (the port must already be
 * enslaved): IFLA_INFO_SLAVE_DATA, as `ip link set PORT type bridge_slave
 * learning off`.  -1 keeps a flag. */
int nl_bridge_port_flags(struct nl_batch *b, int port_ifindex, int learning, int flood);
/* VLAN membership of a bridge port (AF_BRIDGE, IFLA_AF_SPEC); del removes it
 * (e.g. the default vid 1). */
int nl_bridge_vlan(struct nl_batch *b, int port_ifindex, int vid, int pvid_untagged, int del);

/* --- addresses and routes -------------------------------------------- */

/* family AF_INET (4-byte addr) or AF_INET6 (16-byte addr). */
int nl_addr_add(struct nl_batch *b, int family, int ifindex, const void *addr, int prefixlen);
/* dst NULL = default route; gw NULL = on-link (scope link); oif 0 = none;
 * metric 0 = none.  Table main, protocol static. */
int nl_route_add(struct nl_batch *b, int family, const void *dst, int dst_len, const void *gw,
		 int oif, uint32_t metric);

/* --- traffic control ------------------------------------------------- */

struct nl_tbf {
	uint64_t rate_bytes;
	uint32_t burst_bytes;
	uint32_t limit_bytes; /* must be > 0: limit 0 leaves a noop child that drops all */
	int mtu;
};
/* Add (NLM_F_CREATE|NLM_F_EXCL) or replace (NLM_F_CREATE|NLM_F_REPLACE). */
int nl_qdisc_tbf(struct nl_batch *b, int ifindex, uint32_t handle, uint32_t parent,
		 const struct nl_tbf *t);
int nl_qdisc_tbf_replace(struct nl_batch *b, int ifindex, uint32_t handle, uint32_t parent,
			 const struct nl_tbf *t);

struct nl_netem {
	uint64_t delay_ns, jitter_ns;
	uint32_t limit_pkts; /* 0 = 1000, tc's default */
	double loss_pct, duplicate_pct, reorder_pct, corrupt_pct;
	int use_dist; /* attach the normal table when jitter_ns > 0 */
};
int nl_qdisc_netem(struct nl_batch *b, int ifindex, uint32_t handle, uint32_t parent,
		   const struct nl_netem *n);
int nl_qdisc_netem_replace(struct nl_batch *b, int ifindex, uint32_t handle, uint32_t parent,
			   const struct nl_netem *n);
int nl_qdisc_del(struct nl_batch *b, int ifindex, uint32_t parent);

/* 1 = the kernel has qdisc kind, 0 = it does not ("Specified qdisc kind is
 * unknown"), <0 = could not tell (-EPERM without root, ...).  Probes on lo in
 * a throwaway netns. */
int nl_qdisc_probe(const char *kind);
/* Kernel config option providing kind ("tbf" -> "CONFIG_NET_SCH_TBF"), NULL
 * if unknown. */
const char *nl_qdisc_kernel_option(const char *kind);

/* Probability in percent -> netem's u32 fraction, exactly as tc does:
 * rint(p / 100 * UINT32_MAX), clamped to [0, 100]. */
uint32_t nl_netem_prob(double pct);

/* The generated normal distribution (tools/gen-normal-dist.c): inverse
 * normal CDF at evenly spaced quantiles, in units of sigma / NETEM_DIST_SCALE. */
extern const short nl_netem_normal_dist[];
extern const int nl_netem_normal_dist_len;

/* --- dumps (live state) ---------------------------------------------- */

struct nl_link_info {
	int ifindex;
	char name[16];
	uint8_t mac[32];
	int mac_len;
	int mtu;
	unsigned int flags; /* IFF_* */
	int operstate;      /* IFLA_OPERSTATE: IF_OPER_* (0 unknown) */
	int master;
	int link;           /* IFLA_LINK: veth peer / vlan parent ifindex, or 0 */
	char kind[16];      /* IFLA_INFO_KIND or "" */
	/* bridge (kind "bridge") */
	uint32_t br_stp_state, br_ageing_clock, br_forward_delay_clock;
	int br_vlan_filtering, br_mcast_snooping;
	int vlan_id; /* kind "vlan" */
};

struct nl_addr_info {
	int family;
	int ifindex;
	int prefixlen;
	int scope;
	uint32_t flags;  /* IFA_FLAGS, or ifa_flags */
	uint8_t addr[16];  /* IFA_ADDRESS */
	uint8_t local[16]; /* IFA_LOCAL (v4), else zero */
};

struct nl_route_info {
	int family;
	int dst_len;
	uint8_t dst[16];
	int has_gw;
	uint8_t gw[16];
	int oif;
	uint32_t metric;
	uint32_t table;
	int protocol, scope, type;
};

struct nl_qdisc_info {
	int ifindex;
	uint32_t handle, parent;
	char kind[16];
	/* tbf */
	uint64_t rate_bytes;
	uint32_t burst_bytes, limit_bytes;
	/* netem */
	uint64_t delay_ns, jitter_ns;
	uint32_t limit_pkts, gap;
	double loss_pct, duplicate_pct, reorder_pct, corrupt_pct;
	int dist_len;
};

/* Each callback returns 0 to go on or <0 to stop the dump with that error. */
int nl_dump_links(struct nl_sock *s, int (*cb)(const struct nl_link_info *, void *), void *arg);
int nl_dump_addrs(struct nl_sock *s, int family,
		  int (*cb)(const struct nl_addr_info *, void *), void *arg);
int nl_dump_routes(struct nl_sock *s, int family,
		   int (*cb)(const struct nl_route_info *, void *), void *arg);
int nl_dump_qdiscs(struct nl_sock *s, int (*cb)(const struct nl_qdisc_info *, void *), void *arg);

/* Message decoders used by the dumps, public for tests. */
int nl_decode_link(const struct nlmsghdr *nlh, struct nl_link_info *out);
int nl_decode_addr(const struct nlmsghdr *nlh, struct nl_addr_info *out);
int nl_decode_route(const struct nlmsghdr *nlh, struct nl_route_info *out);
int nl_decode_qdisc(const struct nlmsghdr *nlh, struct nl_qdisc_info *out);

/* --- internal: shared by core/nl*.c only ------------------------------ */

/* A message under construction.  Puts latch the first error, so builders
 * are straight-line code checked once by nl_msg_end(). */
struct nl_msg {
	struct nl_batch *b;
	struct nlmsghdr *nlh;
	int err;
};

int nl_msg_begin(struct nl_msg *m, struct nl_batch *b, uint16_t type, uint16_t flags);
void *nl_msg_extra(struct nl_msg *m, size_t len); /* zeroed fixed header */
void nl_put(struct nl_msg *m, uint16_t type, size_t len, const void *data);
void nl_put_u8(struct nl_msg *m, uint16_t type, uint8_t v);
void nl_put_u16(struct nl_msg *m, uint16_t type, uint16_t v);
void nl_put_u32(struct nl_msg *m, uint16_t type, uint32_t v);
void nl_put_u64(struct nl_msg *m, uint16_t type, uint64_t v);
void nl_put_str(struct nl_msg *m, uint16_t type, const char *s);
struct nlattr *nl_nest_start(struct nl_msg *m, uint16_t type);
void nl_nest_end(struct nl_msg *m, struct nlattr *nest);
int nl_msg_end(struct nl_msg *m); /* commits the message or drops it; 0/-errno */
int nl_dump(struct nl_sock *s, struct nlmsghdr *req,
	    int (*cb)(const struct nlmsghdr *, void *), void *arg);

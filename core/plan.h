/* plan.h — a resolved lab as a flat, ordered list of kernel operations.
 *
 * The plan is pure: it is computed from the resolved model without any
 * syscall.  apply.c sends it to the kernel, plan_print() prints it as a
 * bash script using ip, tc and sysctl that builds the same network.
 *
 * Every op is sent "from" one namespace: the node whose socket carries it
 * (for a veth, the node of the primary end, whose fd the message names).
 * Each op carries its values (strings point into the model, which must
 * outlive the plan).
 *
 * Order (each step's kernel reason is commented where apply.c sends it):
 *   NETNS for every node;
 *   SYSCTL_EARLY (IPv6 off or DAD off, forwarding) so links never get
 *     IPv6 state they do not need;
 *   BRIDGE for every switch;
 *   VETH for every link (switch end primary, so it is enslaved at birth);
 *   PORT for every switch port that creation could not finish: the second
 *     end of a switch-to-switch link (IFLA_MASTER is ignored in the veth
 *     peer nest, so it joins its bridge here) and every port of a hub
 *     (learning off);
 *   VLAN sub-interfaces; BRIDGE_VLAN port memberships;
 *   per node: LINK_UP (lo, then every interface), ADDR, ROUTE, QDISC;
 *   SYSCTL (lab's own), FILE, START.
 */
#pragma once

#include <stdio.h>

#include "lab.h"

enum plan_kind {
	PLAN_NETNS,
	PLAN_SYSCTL_EARLY,
	PLAN_BRIDGE,		/* in a switch */
	PLAN_VETH,		/* node = primary end's node */
	PLAN_PORT,		/* switch port: enslave, learning off */
	PLAN_VLAN,		/* 802.1Q sub-interface */
	PLAN_BRIDGE_VLAN,	/* switch port VLAN membership */
	PLAN_LINK_UP,		/* lo, br0 or an interface */
	PLAN_ADDR,
	PLAN_ROUTE,
	PLAN_QDISC_TBF,		/* root 1: */
	PLAN_QDISC_NETEM,	/* root 1: or child 10: of TBF's 1:1 */
	PLAN_SYSCTL,		/* the lab's <sysctl> */
	PLAN_FILE,
	PLAN_START,
};

/* Planned ifindexes every namespace shares: a fresh namespace holds only
 * lo, and a switch's bridge is the first device made in it. */
#define PLAN_LO_IFINDEX 1
#define PLAN_BR0_IFINDEX 2

/* A device as an op names it: in the op's namespace, by name for scripts
 * and by planned ifindex for netlink. */
struct plan_dev {
	const char *name;
	int ifindex;
};

/* One end of a veth. */
struct plan_end {
	int node;
	struct plan_dev dev;
	int mtu;
	uint8_t mac[6];
	bool master;		/* joins its switch's br0 at birth */
};

/* netem's values for one direction, as tc and netlink take them. */
struct plan_netem {
	uint64_t delay_ns, jitter_ns;
	uint32_t limit_pkts;	/* always set: 1000 when the lab says none */
	double loss_pct, duplicate_pct, reorder_pct, corrupt_pct;
};

/* What an op's namespace is, for messages and the script's comments. */
struct plan_node {
	const char *name;
	enum lab_kind kind;
	int line;
	bool relay;		/* the engine's namespace (LAB_RELAY_NAME) */
};

/* ---- the impairment engine (core/README.md, "The impairment engine") ----
 *
 * A link the engine impairs is two veths: A's end to the relay namespace's
 * "lNa", and "lNb" to B's end (N the link's index).  The engine moves
 * frames between lNa and lNb: a to b with netem[0], b to a with netem[1].
 * Rate stays a TBF on the node's end.  The relay is the plan's last node,
 * LAB_RELAY_NAME. */
#define PLAN_RELAY_DEV_LEN 16	/* IFNAMSIZ */

struct plan_relay {
	int link;			/* model index */
	struct plan_dev dev[2];		/* relay ends: [0] towards a, [1] b */
	struct plan_netem netem[2];	/* [0] a to b, [1] b to a */
};

/* How up chooses between netem and the engine for each link. */
enum plan_impair {
	PLAN_IMPAIR_NETEM,	/* the kernel has netem: the engine only for
				 * links with impairments="engine" */
	PLAN_IMPAIR_NO_NETEM,	/* it has not: the engine unless "kernel" */
	PLAN_IMPAIR_SCRIPT,	/* nslab plan: netem everywhere */
};

/* One kernel operation with every value it needs: apply.c and the printer
 * read only the op (and the plan's node names), never the model.  The
 * model indexes `iface` and `link` stay only to trace an op back to its
 * lab element (tests use them); -1 when none. */
struct plan_op {
	enum plan_kind kind;
	int node;		/* namespace the op is sent from */
	int line;		/* XML line it comes from (0: the lab element) */
	int iface, link;	/* model indexes, for tracing only */
	union {
		struct {	/* SYSCTL_EARLY, SYSCTL */
			const char *key, *value;	/* key in dotted form */
		} sysctl;
		struct {	/* BRIDGE: br0, ifindex PLAN_BR0_IFINDEX */
			uint8_t mac[6];
			bool stp, hub, vlan_filtering;
		} bridge;
		struct {	/* VETH: end[0] is the primary end, in `node` */
			struct plan_end end[2];
			int a;	/* which of end[] is the link's a end */
		} veth;
		struct {	/* PORT */
			struct plan_dev dev;
			bool enslave, no_learning;
		} port;
		struct {	/* VLAN */
			struct plan_dev dev, parent;
			int vid, mtu;
			uint8_t mac[6];
		} vlan;
		struct {	/* BRIDGE_VLAN */
			struct plan_dev dev;
			int vid;
			bool pvid, del;
		} bvlan;
		struct {	/* LINK_UP */
			struct plan_dev dev;
		} up;
		struct {	/* ADDR */
			struct plan_dev dev;
			struct lab_addr addr;
		} addr;
		struct {	/* ROUTE */
			struct lab_addr dst;	/* prefix 0 for default */
			bool is_default, has_via;
			struct lab_addr via;
			struct plan_dev dev;	/* name NULL: by gateway */
			uint32_t metric;
		} route;
		struct {	/* QDISC_TBF, QDISC_NETEM */
			struct plan_dev dev;
			uint32_t handle, parent;	/* parent PLAN_TC_ROOT */
			uint64_t rate_bps;		/* tbf */
			uint32_t burst_bytes, limit_bytes;
			int mtu;
			struct plan_netem netem;	/* netem */
			enum lab_impair impair;		/* the link's say */
		} qdisc;
		struct {	/* FILE */
			const char *path, *content;
			size_t len;
			unsigned mode;
			bool hosts;	/* the lab's generated /etc/hosts */
		} file;
		struct {	/* START */
			const char *cmd;
			bool background;
			uint64_t timeout_ns;
		} start;
	};
};

#define PLAN_TC_ROOT 0xffffffffu

struct plan {
	const struct lab *lab;	/* the model it was built from */
	const char *name, *file;	/* the lab's name and file */
	int nnodes;		/* the lab's nodes, then the relay if any */
	struct plan_node *nodes;
	int relay;		/* node index of the relay, -1 none */
	int nrelays;
	struct plan_relay *relays;	/* one per engine link, link order */
	char *relay_names;	/* their devices' names, PLAN_RELAY_DEV_LEN each */
	int nops, cap;
	struct plan_op *ops;
};

/* Build the plan of a resolved lab.  0 or -ENOMEM.  plan_build() is
 * plan_build_for(PLAN_IMPAIR_NETEM). */
int plan_build(const struct lab *lab, struct plan **out);
int plan_build_for(const struct lab *lab, enum plan_impair how,
		   struct plan **out);
/* Whether a lab's link goes through the engine under `how`. */
bool plan_link_uses_engine(const struct lab *lab, int link,
			   enum plan_impair how);
/* The relay of a link, or NULL when netem (or nothing) impairs it. */
const struct plan_relay *plan_relay_of(const struct plan *p, int link);
void plan_free(struct plan *p);

/* "link h1:eth0 -- s1:eth1": what an op makes, for messages. */
const char *plan_op_describe(const struct plan *p, const struct plan_op *op,
			     char *buf, size_t len);

/* The bash script (nslab plan).  down=1 prints the teardown script
 * instead.  Returns 0 or -errno of the write. */
int plan_print(const struct plan *p, FILE *out, int down);

/* TBF burst and queue limit (bytes) for a rate (bit/s), a queue (packets,
 * 0 = 1000) and an MTU: the sizing nslab uses everywhere. */
void plan_tbf_size(uint64_t rate_bps, uint32_t queue_pkts, int mtu,
		   uint32_t *burst_bytes, uint32_t *limit_bytes);


/* Namespace name used by scripts and /run/netns: "LAB.NODE". */
const char *plan_netns_name(const struct plan *p, int node, char *buf,
			    size_t len);

/* A direction's netem values (limit defaulted, reorder only with delay). */
struct plan_netem plan_netem_of(const struct lab_shaping *s);

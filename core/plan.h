/* plan.h — a resolved lab as a flat, ordered list of kernel operations.
 *
 * The plan is pure: it is computed from the resolved model without any
 * syscall.  apply.c sends it to the kernel, plan_print() prints it as a
 * bash script using ip, tc and sysctl that builds the same network.
 *
 * Every op is sent "from" one namespace: the node whose socket carries it
 * (for a veth, the node of the primary end, whose fd the message names).
 * Ops refer to the model by index; the model must outlive the plan.
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
	PLAN_NETNS,		/* node */
	PLAN_SYSCTL_EARLY,	/* node, key, value */
	PLAN_BRIDGE,		/* node (a switch) */
	PLAN_VETH,		/* link; node = primary end's node */
	PLAN_PORT,		/* iface (switch port): enslave, learning off */
	PLAN_VLAN,		/* iface: 802.1Q sub-interface */
	PLAN_BRIDGE_VLAN,	/* iface (switch port), vid, pvid/untagged, del */
	PLAN_LINK_UP,		/* iface; PLAN_LO (lo) or PLAN_BR0 (bridge) */
	PLAN_ADDR,		/* iface, addr */
	PLAN_ROUTE,		/* route */
	PLAN_QDISC_TBF,		/* link, dir, iface: root 1: */
	PLAN_QDISC_NETEM,	/* link, dir, iface: root 1: or child 10: of 1:1 */
	PLAN_SYSCTL,		/* node, key, value (lab's <sysctl>) */
	PLAN_FILE,		/* file */
	PLAN_START,		/* start */
};

/* Pseudo interface indexes for ops on devices that are not lab_ifaces. */
#define PLAN_LO (-1)		/* ifindex 1 in every namespace */
#define PLAN_BR0 (-2)		/* a switch's bridge, ifindex 2 */
#define PLAN_HOSTS (-1)

/* Planned ifindexes every namespace shares: a fresh namespace holds only
 * lo, and a switch's bridge is the first device made in it. */
#define PLAN_LO_IFINDEX 1
#define PLAN_BR0_IFINDEX 2		/* PLAN_FILE idx of the generated /etc/hosts */

struct plan_op {
	enum plan_kind kind;
	int node;		/* namespace the op is sent from */
	int line;		/* XML line it comes from (0: the lab element) */
	int iface;
	int link;
	int dir;		/* shaping direction: 0 a->b, 1 b->a */
	int idx;		/* route, file, start or sysctl index */
	struct lab_addr addr;
	uint32_t handle, parent;	/* tc */
	uint32_t burst_bytes, limit_bytes;	/* tbf sizing */
	int vid;		/* bridge vlan */
	bool pvid, del;
	bool enslave, no_learning;	/* PLAN_PORT */
	const char *key, *value;	/* sysctls: key in dotted form */
};

struct plan {
	const struct lab *lab;
	int nops, cap;
	struct plan_op *ops;
};

/* Build the plan of a resolved lab.  0 or -ENOMEM. */
int plan_build(const struct lab *lab, struct plan **out);
void plan_free(struct plan *p);

/* The bash script (nslab plan).  down=1 prints the teardown script
 * instead.  Returns 0 or -errno of the write. */
int plan_print(const struct plan *p, FILE *out, int down);
/* One-line description of an op for messages: "veth h1:eth0 -- s1:eth1". */
const char *plan_op_describe(const struct plan *p, const struct plan_op *op,
			     char *buf, size_t len);

/* TBF burst and queue limit (bytes) for a rate (bit/s), a queue (packets,
 * 0 = 1000) and an MTU: the sizing nslab uses everywhere. */
void plan_tbf_size(uint64_t rate_bps, uint32_t queue_pkts, int mtu,
		   uint32_t *burst_bytes, uint32_t *limit_bytes);

/* Which end (0 = a, 1 = b) of a link is the veth's primary end. */
int plan_veth_primary(const struct lab *lab, int link);

/* Namespace name used by scripts and /run/netns: "LAB.NODE". */
const char *plan_netns_name(const struct lab *lab, int node, char *buf,
			    size_t len);

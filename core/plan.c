/* plan.c — the resolved lab as an ordered list of kernel operations.
 * Pure: no syscalls.  See plan.h for the order and why. */
#include "plan.h"

#include <errno.h>
#include <sys/socket.h>
#include <stdlib.h>
#include <string.h>

#define TC_ROOT 0xffffffffu
#define TC_HANDLE(maj, min) (((uint32_t)(maj) << 16) | (uint32_t)(min))

static struct plan_op *push(struct plan *p, enum plan_kind kind, int node,
			    int line)
{
	struct plan_op *op;

	if (p->nops == p->cap) {
		int cap = p->cap ? p->cap * 2 : 256;
		struct plan_op *v = realloc(p->ops, sizeof(*v) * (size_t)cap);

		if (!v)
			return NULL;
		p->ops = v;
		p->cap = cap;
	}
	op = &p->ops[p->nops++];
	memset(op, 0, sizeof(*op));
	op->kind = kind;
	op->node = node;
	op->line = line;
	op->iface = op->link = op->idx = -1;
	return op;
}

static int sysctl_op(struct plan *p, enum plan_kind kind, int node,
		     const char *key, const char *value)
{
	struct plan_op *op = push(p, kind, node, p->lab->nodes[node].line);

	if (!op)
		return -ENOMEM;
	op->key = key;
	op->value = value;
	return 0;
}

/* Namespace-wide settings made before any link exists: IPv6 off where the
 * lab does not use it (no link-local addresses, DAD or router
 * solicitations on thousands of ports), DAD off where it does, forwarding
 * on routers. */
static int early_sysctls(struct plan *p, int node)
{
	const struct lab *lab = p->lab;
	const struct lab_node *n = &lab->nodes[node];
	int ret = 0;

	if (!lab->ipv6_on || n->kind == LAB_SWITCH) {
		/* writing "all" sets "default" too (addrconf_disable_ipv6) */
		ret |= sysctl_op(p, PLAN_SYSCTL_EARLY, node,
				 "net.ipv6.conf.all.disable_ipv6", "1");
	} else {
		ret |= sysctl_op(p, PLAN_SYSCTL_EARLY, node,
				 "net.ipv6.conf.all.accept_dad", "0");
		ret |= sysctl_op(p, PLAN_SYSCTL_EARLY, node,
				 "net.ipv6.conf.default.accept_dad", "0");
	}
	if (n->kind != LAB_ROUTER)
		return ret;
	ret |= sysctl_op(p, PLAN_SYSCTL_EARLY, node, "net.ipv4.ip_forward", "1");
	ret |= sysctl_op(p, PLAN_SYSCTL_EARLY, node,
			 "net.ipv4.conf.all.rp_filter", "0");
	ret |= sysctl_op(p, PLAN_SYSCTL_EARLY, node,
			 "net.ipv4.conf.default.rp_filter", "0");
	if (lab->ipv6_on)
		ret |= sysctl_op(p, PLAN_SYSCTL_EARLY, node,
				 "net.ipv6.conf.all.forwarding", "1");
	return ret ? -ENOMEM : 0;
}

/* The primary end of a veth is the one whose node sends the message: the
 * switch end when there is one, since only the primary end can be
 * enslaved at creation (IFLA_MASTER in the peer nest is ignored). */
int plan_veth_primary(const struct lab *lab, int link)
{
	const struct lab_link *l = &lab->links[link];

	if (lab->nodes[l->end[1].node].kind == LAB_SWITCH &&
	    lab->nodes[l->end[0].node].kind != LAB_SWITCH)
		return 1;
	return 0;
}

/* What creation left undone on a switch port: only the veth's primary end
 * joins its bridge at birth, so the other end of a switch-to-switch link
 * must be enslaved by its own switch; a hub's ports stop learning, so every
 * frame floods even within the one jiffy an ageing time of 0 leaves. */
static int bridge_port(struct plan *p, int iface)
{
	const struct lab *lab = p->lab;
	const struct lab_iface *f = &lab->ifaces[iface];
	bool enslave = f->end != plan_veth_primary(lab, f->link);
	bool hub = lab->nodes[f->node].hub;
	struct plan_op *op;

	if (!enslave && !hub)
		return 0;
	op = push(p, PLAN_PORT, f->node, lab->links[f->link].line);
	if (!op)
		return -ENOMEM;
	op->iface = iface;
	op->link = f->link;
	op->enslave = enslave;
	op->no_learning = hub;
	return 0;
}

static int bridge_vlans(struct plan *p, int iface)
{
	const struct lab_iface *f = &p->lab->ifaces[iface];
	struct plan_op *op;
	int i;

	if (!f->pvid && !f->nvlans)
		return 0;
	/* A new port is an untagged member of VLAN 1: take it out so the
	 * port carries exactly what the lab says. */
	op = push(p, PLAN_BRIDGE_VLAN, f->node, f->line);
	if (!op)
		return -ENOMEM;
	op->iface = iface;
	op->vid = 1;
	op->del = true;
	if (f->pvid) {
		op = push(p, PLAN_BRIDGE_VLAN, f->node, f->line);
		if (!op)
			return -ENOMEM;
		op->iface = iface;
		op->vid = f->pvid;
		op->pvid = true;
	}
	for (i = 0; i < f->nvlans; i++) {
		op = push(p, PLAN_BRIDGE_VLAN, f->node, f->line);
		if (!op)
			return -ENOMEM;
		op->iface = iface;
		op->vid = f->vlans[i];
	}
	return 0;
}

/* TBF sizing, the one place it is decided: the bucket holds at least two
 * full frames (a packet larger than the bucket is never sent) and enough
 * bytes for a timer tick at the rate (rate/250 covers HZ=250 kernels, 4 ms:
 * 5000 B at 10 Mbit/s, 500 kB at 1 Gbit/s), capped at 64 MiB; the queue
 * holds `queue` full frames (default 1000, netem's default too). */
void plan_tbf_size(uint64_t rate_bps, uint32_t queue_pkts, int mtu,
		   uint32_t *burst_bytes, uint32_t *limit_bytes)
{
	uint64_t rate_bytes = rate_bps / 8, burst, limit;
	uint32_t frame = (uint32_t)mtu + 14;

	burst = rate_bytes / 250;
	if (burst < 2ull * frame)
		burst = 2ull * frame;
	if (burst > 64ull << 20)
		burst = 64ull << 20;
	limit = (uint64_t)(queue_pkts ? queue_pkts : 1000) * frame;
	if (limit < burst)
		limit = burst;
	if (limit > UINT32_MAX)
		limit = UINT32_MAX;
	*burst_bytes = (uint32_t)burst;
	*limit_bytes = (uint32_t)limit;
}

static int qdiscs(struct plan *p, int link, int dir)
{
	const struct lab_link *l = &p->lab->links[link];
	const struct lab_shaping *s = &l->shape[dir];
	int iface = l->iface[dir], node = l->end[dir].node;
	bool tbf = lab_shaping_needs_tbf(s), netem = lab_shaping_needs_netem(s);
	struct plan_op *op;

	if (tbf) {
		op = push(p, PLAN_QDISC_TBF, node, l->line);
		if (!op)
			return -ENOMEM;
		op->iface = iface;
		op->link = link;
		op->dir = dir;
		op->handle = TC_HANDLE(1, 0);
		op->parent = TC_ROOT;
		plan_tbf_size(s->rate_bps, s->queue_pkts, p->lab->ifaces[iface].mtu,
			      &op->burst_bytes, &op->limit_bytes);
	}
	if (netem) {
		op = push(p, PLAN_QDISC_NETEM, node, l->line);
		if (!op)
			return -ENOMEM;
		op->iface = iface;
		op->link = link;
		op->dir = dir;
		/* TBF's single class is 1:1; netem hangs below it. */
		op->handle = tbf ? TC_HANDLE(0x10, 0) : TC_HANDLE(1, 0);
		op->parent = tbf ? TC_HANDLE(1, 1) : TC_ROOT;
	}
	return 0;
}

static int add_addr_ops(struct plan *p, int iface)
{
	const struct lab_iface *f = &p->lab->ifaces[iface];
	struct lab_addr a[LAB_IFACE_ADDRS_ALL];
	struct plan_op *op;
	int k, n = lab_iface_addrs(p->lab, iface, a, LAB_IFACE_ADDRS_ALL);

	for (k = 0; k < n; k++) {
		if (a[k].family == AF_INET6 && !p->lab->ipv6_on)
			continue;
		op = push(p, PLAN_ADDR, f->node, f->line);
		if (!op)
			return -ENOMEM;
		op->iface = iface;
		op->addr = a[k];
	}
	return 0;
}

/* Per node: lo and every interface up, then addresses, routes, qdiscs. */
static int node_ops(struct plan *p, int node)
{
	const struct lab *lab = p->lab;
	const struct lab_node *n = &lab->nodes[node];
	struct plan_op *op;
	int i;

	if (!push(p, PLAN_LINK_UP, node, n->line))
		return -ENOMEM;
	p->ops[p->nops - 1].iface = PLAN_LO;
	if (n->kind == LAB_SWITCH) {
		op = push(p, PLAN_LINK_UP, node, n->line);
		if (!op)
			return -ENOMEM;
		op->iface = PLAN_BR0;
	}
	for (i = 0; i < n->nifaces; i++) {
		op = push(p, PLAN_LINK_UP, node, lab->ifaces[n->ifaces[i]].line);
		if (!op)
			return -ENOMEM;
		op->iface = n->ifaces[i];
	}
	if (n->lo_iface >= 0 && add_addr_ops(p, n->lo_iface))
		return -ENOMEM;
	for (i = 0; i < n->nifaces; i++)
		if (add_addr_ops(p, n->ifaces[i]))
			return -ENOMEM;
	for (i = 0; i < lab->nroutes; i++) {
		if (lab->routes[i].node != node)
			continue;
		if (lab->routes[i].dst.family == AF_INET6 && !lab->ipv6_on)
			continue;
		op = push(p, PLAN_ROUTE, node, lab->routes[i].line);
		if (!op)
			return -ENOMEM;
		op->idx = i;
	}
	/* each interface shapes what it sends: its end's direction */
	for (i = 0; i < n->nifaces; i++) {
		const struct lab_iface *f = &lab->ifaces[n->ifaces[i]];

		if (f->link >= 0 && qdiscs(p, f->link, f->end))
			return -ENOMEM;
	}
	return 0;
}

static int links_ops(struct plan *p)
{
	const struct lab *lab = p->lab;
	struct plan_op *op;
	int i;

	for (i = 0; i < lab->nnodes; i++) {
		if (lab->nodes[i].kind != LAB_SWITCH)
			continue;
		if (!push(p, PLAN_BRIDGE, i, lab->nodes[i].line))
			return -ENOMEM;
	}
	for (i = 0; i < lab->nlinks; i++) {
		int prim = plan_veth_primary(lab, i);

		op = push(p, PLAN_VETH, lab->links[i].end[prim].node,
			  lab->links[i].line);
		if (!op)
			return -ENOMEM;
		op->link = i;
		op->dir = prim;
	}
	/* ports before their VLANs: VLAN membership needs a bridge port */
	for (i = 0; i < lab->nifaces; i++)
		if (lab->ifaces[i].link >= 0 &&
		    lab->nodes[lab->ifaces[i].node].kind == LAB_SWITCH &&
		    bridge_port(p, i))
			return -ENOMEM;
	for (i = 0; i < lab->nifaces; i++) {
		if (!lab->ifaces[i].parent)
			continue;
		op = push(p, PLAN_VLAN, lab->ifaces[i].node, lab->ifaces[i].line);
		if (!op)
			return -ENOMEM;
		op->iface = i;
	}
	for (i = 0; i < lab->nifaces; i++)
		if (lab->ifaces[i].link >= 0 &&
		    lab->nodes[lab->ifaces[i].node].kind == LAB_SWITCH &&
		    bridge_vlans(p, i))
			return -ENOMEM;
	return 0;
}

static bool node_has_file(const struct lab *lab, int node, const char *path)
{
	int i;

	for (i = 0; i < lab->nfiles; i++)
		if (lab->files[i].node == node && !strcmp(lab->files[i].path, path))
			return true;
	return false;
}

static int late_ops(struct plan *p)
{
	const struct lab *lab = p->lab;
	struct plan_op *op;
	int i, n;

	for (i = 0; i < lab->nsysctls; i++) {
		op = push(p, PLAN_SYSCTL, lab->sysctls[i].node, lab->sysctls[i].line);
		if (!op)
			return -ENOMEM;
		op->idx = i;
		op->key = lab->sysctls[i].name;
		op->value = lab->sysctls[i].value;
	}
	for (n = 0; n < lab->nnodes; n++) {
		if (node_has_file(lab, n, "/etc/hosts"))
			continue;
		op = push(p, PLAN_FILE, n, lab->nodes[n].line);
		if (!op)
			return -ENOMEM;
		op->idx = PLAN_HOSTS;
	}
	for (i = 0; i < lab->nfiles; i++) {
		op = push(p, PLAN_FILE, lab->files[i].node, lab->files[i].line);
		if (!op)
			return -ENOMEM;
		op->idx = i;
	}
	/* Start commands: node by node in document order, in order within a
	 * node. */
	for (n = 0; n < lab->nnodes; n++)
		for (i = 0; i < lab->nstarts; i++) {
			if (lab->starts[i].node != n)
				continue;
			op = push(p, PLAN_START, n, lab->starts[i].line);
			if (!op)
				return -ENOMEM;
			op->idx = i;
		}
	return 0;
}

static int build(struct plan *p)
{
	const struct lab *lab = p->lab;
	int i, ret;

	for (i = 0; i < lab->nnodes; i++)
		if (!push(p, PLAN_NETNS, i, lab->nodes[i].line))
			return -ENOMEM;
	for (i = 0; i < lab->nnodes; i++) {
		ret = early_sysctls(p, i);
		if (ret)
			return ret;
	}
	ret = links_ops(p);
	if (ret)
		return ret;
	for (i = 0; i < lab->nnodes; i++) {
		ret = node_ops(p, i);
		if (ret)
			return ret;
	}
	return late_ops(p);
}

int plan_build(const struct lab *lab, struct plan **out)
{
	struct plan *p = calloc(1, sizeof(*p));
	int ret;

	*out = NULL;
	if (!p)
		return -ENOMEM;
	p->lab = lab;
	ret = build(p);
	if (ret) {
		plan_free(p);
		return ret;
	}
	*out = p;
	return 0;
}

void plan_free(struct plan *p)
{
	if (!p)
		return;
	free(p->ops);
	free(p);
}

const char *plan_netns_name(const struct lab *lab, int node, char *buf,
			    size_t len)
{
	snprintf(buf, len, "%s.%s", lab->name, lab->nodes[node].name);
	return buf;
}

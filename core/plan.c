/* plan.c — the resolved lab as an ordered list of kernel operations.
 * Pure: no syscalls.  See plan.h for the order and why. */
#include "plan.h"

#include <errno.h>
#include <sys/socket.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

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
	op->iface = op->link = -1;
	return op;
}

static struct plan_dev dev_of(const struct lab *lab, int iface)
{
	return (struct plan_dev){ lab->ifaces[iface].name,
				  lab->ifaces[iface].ifindex };
}

static const struct plan_dev dev_lo = { "lo", PLAN_LO_IFINDEX };
static const struct plan_dev dev_br0 = { "br0", PLAN_BR0_IFINDEX };

static int sysctl_op(struct plan *p, enum plan_kind kind, int node,
		     const char *key, const char *value)
{
	struct plan_op *op = push(p, kind, node, p->nodes[node].line);

	if (!op)
		return -ENOMEM;
	op->sysctl.key = key;
	op->sysctl.value = value;
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

	if (node == p->relay)	/* the relay only passes frames on */
		return sysctl_op(p, PLAN_SYSCTL_EARLY, node,
				 "net.ipv6.conf.all.disable_ipv6", "1");
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
static int plan_veth_primary(const struct lab *lab, int link)
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
	/* an engine link's node ends are both primary: of their own veth */
	bool enslave = !plan_relay_of(p, f->link) &&
		       f->end != plan_veth_primary(lab, f->link);
	bool hub = lab->nodes[f->node].hub;
	struct plan_op *op;

	if (!enslave && !hub)
		return 0;
	op = push(p, PLAN_PORT, f->node, lab->links[f->link].line);
	if (!op)
		return -ENOMEM;
	op->iface = iface;
	op->link = f->link;
	op->port.dev = dev_of(lab, iface);
	op->port.enslave = enslave;
	op->port.no_learning = hub;
	return 0;
}

static int bridge_vlan(struct plan *p, int iface, int vid, bool pvid, bool del)
{
	const struct lab_iface *f = &p->lab->ifaces[iface];
	struct plan_op *op = push(p, PLAN_BRIDGE_VLAN, f->node, f->line);

	if (!op)
		return -ENOMEM;
	op->iface = iface;
	op->bvlan.dev = dev_of(p->lab, iface);
	op->bvlan.vid = vid;
	op->bvlan.pvid = pvid;
	op->bvlan.del = del;
	return 0;
}

static int bridge_vlans(struct plan *p, int iface)
{
	const struct lab_iface *f = &p->lab->ifaces[iface];
	int i;

	if (!f->pvid && !f->nvlans)
		return 0;
	/* A new port is an untagged member of VLAN 1: take it out so the
	 * port carries exactly what the lab says. */
	if (bridge_vlan(p, iface, 1, false, true))
		return -ENOMEM;
	if (f->pvid && bridge_vlan(p, iface, f->pvid, true, false))
		return -ENOMEM;
	for (i = 0; i < f->nvlans; i++)
		if (bridge_vlan(p, iface, f->vlans[i], false, false))
			return -ENOMEM;
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

struct plan_netem plan_netem_of(const struct lab_shaping *s)
{
	return (struct plan_netem){
		.delay_ns = s->delay_ns, .jitter_ns = s->jitter_ns,
		.limit_pkts = s->queue_pkts ? s->queue_pkts : 1000,
		.loss_pct = s->loss_pct, .duplicate_pct = s->duplicate_pct,
		.reorder_pct = lab_shaping_reorder(s),
		.corrupt_pct = s->corrupt_pct,
	};
}

static int qdiscs(struct plan *p, int link, int dir)
{
	const struct lab_link *l = &p->lab->links[link];
	const struct lab_shaping *s = &l->shape[dir];
	int iface = l->iface[dir], node = l->end[dir].node;
	bool tbf = lab_shaping_needs_tbf(s), netem = lab_shaping_needs_netem(s);
	struct plan_op *op;

	if (plan_relay_of(p, link))
		netem = false;	/* the engine's job */

	int mtu = p->lab->ifaces[iface].mtu;

	if (tbf) {
		op = push(p, PLAN_QDISC_TBF, node, l->line);
		if (!op)
			return -ENOMEM;
		op->iface = iface;
		op->link = link;
		op->qdisc.dev = dev_of(p->lab, iface);
		op->qdisc.handle = TC_HANDLE(1, 0);
		op->qdisc.parent = PLAN_TC_ROOT;
		op->qdisc.rate_bps = s->rate_bps;
		op->qdisc.mtu = mtu;
		plan_tbf_size(s->rate_bps, s->queue_pkts, mtu,
			      &op->qdisc.burst_bytes, &op->qdisc.limit_bytes);
	}
	if (netem) {
		op = push(p, PLAN_QDISC_NETEM, node, l->line);
		if (!op)
			return -ENOMEM;
		op->iface = iface;
		op->link = link;
		op->qdisc.dev = dev_of(p->lab, iface);
		/* TBF's single class is 1:1; netem hangs below it. */
		op->qdisc.handle = tbf ? TC_HANDLE(0x10, 0) : TC_HANDLE(1, 0);
		op->qdisc.parent = tbf ? TC_HANDLE(1, 1) : PLAN_TC_ROOT;
		op->qdisc.mtu = mtu;
		op->qdisc.netem = plan_netem_of(s);
		op->qdisc.impair = lab_link_impair(p->lab, link);
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
		op->addr.dev = dev_of(p->lab, iface);
		op->addr.addr = a[k];
	}
	return 0;
}

static int route_op(struct plan *p, const struct lab_route *r)
{
	struct plan_op *op = push(p, PLAN_ROUTE, r->node, r->line);

	if (!op)
		return -ENOMEM;
	op->route.dst = r->dst;
	if (r->is_default)
		op->route.dst.prefix = 0;
	op->route.is_default = r->is_default;
	op->route.has_via = r->has_via;
	op->route.via = r->via;
	op->route.metric = r->metric;
	if (r->dev_iface >= 0)
		op->route.dev = dev_of(p->lab, r->dev_iface);
	else if (r->dev)	/* resolve allows only lo besides the node's own */
		op->route.dev = dev_lo;
	return 0;
}

/* Per node: lo and every interface up, then addresses, routes, qdiscs. */
static int node_ops(struct plan *p, int node)
{
	const struct lab *lab = p->lab;
	const struct lab_node *n = &lab->nodes[node];
	struct plan_op *op;
	int i;

	op = push(p, PLAN_LINK_UP, node, n->line);
	if (!op)
		return -ENOMEM;
	op->up.dev = dev_lo;
	if (n->kind == LAB_SWITCH) {
		op = push(p, PLAN_LINK_UP, node, n->line);
		if (!op)
			return -ENOMEM;
		op->up.dev = dev_br0;
	}
	for (i = 0; i < n->nifaces; i++) {
		op = push(p, PLAN_LINK_UP, node, lab->ifaces[n->ifaces[i]].line);
		if (!op)
			return -ENOMEM;
		op->iface = n->ifaces[i];
		op->up.dev = dev_of(lab, n->ifaces[i]);
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
		if (route_op(p, &lab->routes[i]))
			return -ENOMEM;
	}
	/* each interface shapes what it sends: its end's direction */
	for (i = 0; i < n->nifaces; i++) {
		const struct lab_iface *f = &lab->ifaces[n->ifaces[i]];

		if (f->link >= 0 && qdiscs(p, f->link, f->end))
			return -ENOMEM;
	}
	return 0;
}

static struct plan_end end_of(const struct lab *lab, int iface)
{
	const struct lab_iface *f = &lab->ifaces[iface];

	struct plan_end e = {
		.node = f->node, .dev = dev_of(lab, iface), .mtu = f->mtu,
		.master = lab->nodes[f->node].kind == LAB_SWITCH,
	};

	memcpy(e.mac, f->mac, sizeof(e.mac));
	return e;
}

/* An engine link: each node end to its relay end, the node's end primary
 * (a switch end joins its bridge at birth). */
static int relay_veth_ops(struct plan *p, int link, const struct plan_relay *r)
{
	const struct lab_link *l = &p->lab->links[link];
	struct plan_op *op;
	int e;

	for (e = 0; e < 2; e++) {
		op = push(p, PLAN_VETH, l->end[e].node, l->line);
		if (!op)
			return -ENOMEM;
		op->link = link;
		op->veth.end[0] = end_of(p->lab, l->iface[e]);
		op->veth.end[1] = (struct plan_end){
			.node = p->relay, .dev = r->dev[e],
			.mtu = op->veth.end[0].mtu,
			/* never on the wire: the relay sends no frame of its own */
			.mac = { 0x06, (uint8_t)e, (uint8_t)(link >> 24),
				 (uint8_t)(link >> 16), (uint8_t)(link >> 8),
				 (uint8_t)link },
		};
		op->veth.a = e;	/* end[a] is the link's a side */
	}
	return 0;
}

static int veth_op(struct plan *p, int link)
{
	const struct lab_link *l = &p->lab->links[link];
	int prim = plan_veth_primary(p->lab, link);
	const struct plan_relay *r = plan_relay_of(p, link);

	if (r)
		return relay_veth_ops(p, link, r);
	struct plan_op *op = push(p, PLAN_VETH, l->end[prim].node, l->line);

	if (!op)
		return -ENOMEM;
	op->link = link;
	op->veth.end[0] = end_of(p->lab, l->iface[prim]);
	op->veth.end[1] = end_of(p->lab, l->iface[!prim]);
	/* only the primary end can join its bridge at birth (plan.h) */
	op->veth.end[1].master = false;
	op->veth.a = prim;
	return 0;
}

static int links_ops(struct plan *p)
{
	const struct lab *lab = p->lab;
	struct plan_op *op;
	int i;

	for (i = 0; i < lab->nnodes; i++) {
		const struct lab_node *n = &lab->nodes[i];

		if (n->kind != LAB_SWITCH)
			continue;
		op = push(p, PLAN_BRIDGE, i, n->line);
		if (!op)
			return -ENOMEM;
		memcpy(op->bridge.mac, n->bridge_mac, sizeof(op->bridge.mac));
		op->bridge.stp = n->stp;
		op->bridge.hub = n->hub;
		op->bridge.vlan_filtering = n->vlan_filtering;
	}
	for (i = 0; i < lab->nlinks; i++)
		if (veth_op(p, i))
			return -ENOMEM;
	/* ports before their VLANs: VLAN membership needs a bridge port */
	for (i = 0; i < lab->nifaces; i++)
		if (lab->ifaces[i].link >= 0 &&
		    lab->nodes[lab->ifaces[i].node].kind == LAB_SWITCH &&
		    bridge_port(p, i))
			return -ENOMEM;
	for (i = 0; i < lab->nifaces; i++) {
		const struct lab_iface *f = &lab->ifaces[i];

		if (!f->parent)
			continue;
		op = push(p, PLAN_VLAN, f->node, f->line);
		if (!op)
			return -ENOMEM;
		op->iface = i;
		op->vlan.dev = dev_of(lab, i);
		op->vlan.parent = dev_of(lab, f->parent_iface);
		op->vlan.vid = f->vlan;
		op->vlan.mtu = f->mtu;
		memcpy(op->vlan.mac, f->mac, sizeof(op->vlan.mac));
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
		op->sysctl.key = lab->sysctls[i].name;
		op->sysctl.value = lab->sysctls[i].value;
	}
	for (n = 0; n < lab->nnodes; n++) {
		if (node_has_file(lab, n, "/etc/hosts"))
			continue;
		op = push(p, PLAN_FILE, n, lab->nodes[n].line);
		if (!op)
			return -ENOMEM;
		op->file.path = "/etc/hosts";
		op->file.content = lab->hosts;
		op->file.len = strlen(lab->hosts);
		op->file.mode = 0644;
		op->file.hosts = true;
	}
	for (i = 0; i < lab->nfiles; i++) {
		const struct lab_file *f = &lab->files[i];

		op = push(p, PLAN_FILE, f->node, f->line);
		if (!op)
			return -ENOMEM;
		op->file.path = f->path;
		op->file.content = f->content;
		op->file.len = f->len;
		op->file.mode = f->mode;
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
			op->start.cmd = lab->starts[i].cmd;
			op->start.background = lab->starts[i].background;
			op->start.timeout_ns = lab->starts[i].timeout_ns;
		}
	return 0;
}

/* The relay's ends come up with the nodes' (its lo is never used). */
static int relay_ops(struct plan *p)
{
	struct plan_op *op;
	int i, e;

	for (i = 0; i < p->nrelays; i++)
		for (e = 0; e < 2; e++) {
			op = push(p, PLAN_LINK_UP, p->relay,
				  p->lab->links[p->relays[i].link].line);
			if (!op)
				return -ENOMEM;
			op->link = p->relays[i].link;
			op->up.dev = p->relays[i].dev[e];
		}
	return 0;
}

static int build(struct plan *p)
{
	const struct lab *lab = p->lab;
	int i, ret;

	for (i = 0; i < p->nnodes; i++)
		if (!push(p, PLAN_NETNS, i, p->nodes[i].line))
			return -ENOMEM;
	for (i = 0; i < p->nnodes; i++) {
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
	ret = relay_ops(p);
	if (ret)
		return ret;
	return late_ops(p);
}

/* A <link-set> or <link-flap> step of the lab's tests that gives this
 * link a netem attribute: the link must be able to take one later. */
static bool steps_impair(const struct lab *lab, int link)
{
	int i;

	for (i = 0; i < lab->nsteps; i++)
		if (lab->steps[i].kind == LAB_STEP_LINK_SET &&
		    lab->steps[i].link == link &&
		    (lab->steps[i].shape.set & LAB_SH_NETEM))
			return true;
	return false;
}

bool plan_link_uses_engine(const struct lab *lab, int link,
			   enum plan_impair how)
{
	const struct lab_link *l = &lab->links[link];

	if (how == PLAN_IMPAIR_SCRIPT)
		return false;
	switch (lab_link_impair(lab, link)) {
	case LAB_IMPAIR_ENGINE:	/* always: runtime changes need the relay */
		return true;
	case LAB_IMPAIR_KERNEL:
		return false;
	default:
		return how == PLAN_IMPAIR_NO_NETEM &&
		       (lab_shaping_needs_netem(&l->shape[0]) ||
			lab_shaping_needs_netem(&l->shape[1]) ||
			steps_impair(lab, link));
	}
}

const struct plan_relay *plan_relay_of(const struct plan *p, int link)
{
	int lo = 0, hi = p->nrelays;

	while (lo < hi) {	/* relays are in link order */
		int mid = (lo + hi) / 2;

		if (p->relays[mid].link == link)
			return &p->relays[mid];
		if (p->relays[mid].link < link)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* The relays and the relay node, before any op is planned. */
static int plan_relays(struct plan *p, enum plan_impair how)
{
	const struct lab *lab = p->lab;
	int i, n = 0, e;

	p->relay = -1;
	for (i = 0; i < lab->nlinks; i++)
		n += plan_link_uses_engine(lab, i, how);
	if (!n)
		return 0;
	p->relays = calloc((size_t)n, sizeof(*p->relays));
	p->relay_names = calloc((size_t)n * 2, PLAN_RELAY_DEV_LEN);
	if (!p->relays || !p->relay_names)
		return -ENOMEM;
	p->relay = p->nnodes++;
	p->nodes[p->relay] = (struct plan_node){ LAB_RELAY_NAME, LAB_ROUTER,
						 lab->line, true };
	for (i = 0; i < lab->nlinks; i++) {
		struct plan_relay *r = &p->relays[p->nrelays];

		if (!plan_link_uses_engine(lab, i, how))
			continue;
		r->link = i;
		for (e = 0; e < 2; e++) {
			char *name = p->relay_names +
				     (size_t)(p->nrelays * 2 + e) * PLAN_RELAY_DEV_LEN;

			snprintf(name, PLAN_RELAY_DEV_LEN, "l%d%c", i, "ab"[e]);
			/* lo is 1; the relay ends follow in link order */
			r->dev[e] = (struct plan_dev){ name,
						       2 + p->nrelays * 2 + e };
			r->netem[e] = plan_netem_of(&lab->links[i].shape[e]);
		}
		p->nrelays++;
	}
	return 0;
}

int plan_build(const struct lab *lab, struct plan **out)
{
	return plan_build_for(lab, PLAN_IMPAIR_NETEM, out);
}

int plan_build_for(const struct lab *lab, enum plan_impair how,
		   struct plan **out)
{
	struct plan *p = calloc(1, sizeof(*p));
	int ret;

	*out = NULL;
	if (!p)
		return -ENOMEM;
	p->lab = lab;
	p->name = lab->name;
	p->file = lab->file;
	p->nnodes = lab->nnodes;
	p->nodes = calloc((size_t)lab->nnodes + 1, sizeof(*p->nodes));
	if (!p->nodes) {
		free(p);
		return -ENOMEM;
	}
	for (ret = 0; ret < lab->nnodes; ret++)
		p->nodes[ret] = (struct plan_node){ lab->nodes[ret].name,
						    lab->nodes[ret].kind,
						    lab->nodes[ret].line, false };
	ret = plan_relays(p, how);
	if (!ret)
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
	free(p->nodes);
	free(p->relays);
	free(p->relay_names);
	free(p);
}

const char *plan_netns_name(const struct plan *p, int node, char *buf,
			    size_t len)
{
	snprintf(buf, len, "%s.%s", p->name, p->nodes[node].name);
	return buf;
}

/* What an op makes, for messages: the words a user finds in the lab. */
const char *plan_op_describe(const struct plan *p, const struct plan_op *op,
			     char *buf, size_t len)
{
	const char *node = p->nodes[op->node].name;
	char a[64], relay[64 + LAB_NAME_MAX];

	if (p->nodes[op->node].relay) {
		snprintf(relay, sizeof(relay), "the impairment engine of lab %s",
			 p->name);
		node = relay;
	}
	switch (op->kind) {
	case PLAN_NETNS:
		snprintf(buf, len, "namespace of %s", node);
		break;
	case PLAN_BRIDGE:
		snprintf(buf, len, "bridge br0 of switch %s", node);
		break;
	case PLAN_VETH: {
		const struct plan_end *x = &op->veth.end[op->veth.a];
		const struct plan_end *y = &op->veth.end[!op->veth.a];

		snprintf(buf, len, "link %s:%s -- %s:%s", p->nodes[x->node].name,
			 x->dev.name, p->nodes[y->node].name, y->dev.name);
		break;
	}
	case PLAN_PORT:
		snprintf(buf, len, "port %s of switch %s", op->port.dev.name, node);
		break;
	case PLAN_ADDR:
		snprintf(buf, len, "address %s on %s:%s",
			 lab_addr_str(&op->addr.addr, a, sizeof(a)), node,
			 op->addr.dev.name);
		break;
	case PLAN_ROUTE:
		snprintf(buf, len, "route %s on %s",
			 op->route.is_default ? "default" :
			 lab_addr_str(&op->route.dst, a, sizeof(a)), node);
		break;
	case PLAN_QDISC_TBF:
	case PLAN_QDISC_NETEM:
		snprintf(buf, len, "%s qdisc on %s:%s",
			 op->kind == PLAN_QDISC_TBF ? "tbf" : "netem", node,
			 op->qdisc.dev.name);
		break;
	case PLAN_SYSCTL_EARLY:
	case PLAN_SYSCTL:
		snprintf(buf, len, "sysctl %s=%s in %s", op->sysctl.key,
			 op->sysctl.value, node);
		break;
	case PLAN_FILE:
		snprintf(buf, len, "file %s in %s", op->file.path, node);
		break;
	case PLAN_START:
		snprintf(buf, len, "start command of %s", node);
		break;
	case PLAN_VLAN:
		snprintf(buf, len, "interface %s of %s", op->vlan.dev.name, node);
		break;
	case PLAN_BRIDGE_VLAN:
		snprintf(buf, len, "interface %s of %s", op->bvlan.dev.name, node);
		break;
	case PLAN_LINK_UP:
		snprintf(buf, len, "interface %s of %s", op->up.dev.name, node);
		break;
	}
	return buf;
}

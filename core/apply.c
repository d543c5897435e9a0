/* apply.c — a plan made real over netlink (see apply.h).
 *
 * Phases, each a set of batches (batching is what makes up fast: one
 * sendmsg carries hundreds of requests):
 *   1. namespaces (one helper thread unshares them all);
 *   2. one worker thread visits every namespace: early sysctls (IPv6 off or
 *      DAD off, forwarding) before any link exists, and a netlink socket
 *      bound inside it;
 *   3. bridges, from each switch's socket;
 *   4. every veth, both ends born in their namespaces, sent from the
 *      primary end's own namespace;
 *   5. per node, one batch on its own socket: VLAN devices, links up,
 *      addresses, routes, qdiscs (addresses before routes: a gateway route
 *      on a down link fails with ENETUNREACH);
 *   6. the lab's own sysctls, once the interfaces they name exist.
 */
#include "apply.h"
#include "clock.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/if.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "nl.h"
#include "ns.h"

static void __attribute__((format(printf, 5, 6)))
fail(struct apply_error *e, int err, int line, const char *kmsg,
     const char *fmt, ...)
{
	va_list ap;

	e->err = err;
	e->line = line;
	va_start(ap, fmt);
	vsnprintf(e->what, sizeof(e->what), fmt, ap);
	va_end(ap);
	snprintf(e->kmsg, sizeof(e->kmsg), "%s", kmsg ? kmsg : "");
}

/* ---- probing the kernel -------------------------------------------------- */

static int probe_qdisc(const struct plan *p, enum plan_kind kind,
		       const char *qdisc, struct apply_error *e)
{
	char what[160];
	int i, ret;

	for (i = 0; i < p->nops; i++)
		if (p->ops[i].kind == kind)
			break;
	if (i == p->nops)
		return 0;
	ret = nl_qdisc_probe(qdisc);
	if (ret > 0)
		return 0;
	plan_op_describe(p, &p->ops[i], what, sizeof(what));
	if (ret < 0) {
		fail(e, ret, p->ops[i].line, NULL,
		     "cannot probe the kernel for the %s", what);
		return ret;
	}
	e->err = -EOPNOTSUPP;
	e->line = p->ops[i].line;
	e->unsupported = true;
	snprintf(e->what, sizeof(e->what),
		 "this link needs the %s qdisc (%s), which this kernel lacks (%s)",
		 qdisc, what, nl_qdisc_kernel_option(qdisc));
	e->kmsg[0] = 0;
	return e->err;
}

/* VLAN devices and bridge VLAN filtering are optional kernel features:
 * try both in a throwaway namespace. */
static int probe_vlans_fn(void *arg)
{
	int *res = arg;
	static const uint8_t mac[6] = { 0x02, 0, 0, 0, 0, 1 };
	struct nl_bridge br = { .name = "probe0", .netns_fd = -1, .ifindex = 2,
				.mac = mac, .vlan_filtering = 1 };
	struct nl_result r;
	struct nl_sock *s;
	struct nl_batch *b;
	int ret;

	/* a throwaway namespace: this thread's own, gone when it ends */
	if (unshare(CLONE_NEWNET) < 0)
		return -errno;
	ret = nl_sock_open(&s);
	if (ret)
		return ret;
	b = nl_batch_new();
	if (!b) {
		nl_sock_close(s);
		return -ENOMEM;
	}
	struct nl_veth v = { .name = "probe1", .netns_fd = -1, .ifindex = 10,
			     .peer_name = "probe2", .peer_netns_fd = -1,
			     .peer_ifindex = 11 };

	nl_link_add_bridge(b, &br);
	res[0] = nl_batch_send(s, b, &r);
	nl_batch_reset(b);
	/* the VLAN's parent must not depend on the bridge probe: a veth */
	nl_link_add_veth(b, &v);
	nl_link_add_vlan(b, "probe1.10", 12, 10, 10, 0, NULL);
	res[1] = nl_batch_send(s, b, &r);
	nl_batch_free(b);
	nl_sock_close(s);
	return 0;
}

static int probe_vlans(const struct plan *p, struct apply_error *e)
{
	int res[2] = { 0, 0 }, i, need_filter = -1, need_vlan = -1, ret;
	char what[96];

	for (i = 0; i < p->nops; i++) {
		if (p->ops[i].kind == PLAN_BRIDGE_VLAN && need_filter < 0)
			need_filter = i;
		if (p->ops[i].kind == PLAN_VLAN && need_vlan < 0)
			need_vlan = i;
		if (p->ops[i].kind == PLAN_BRIDGE && need_filter < 0 &&
		    p->ops[i].bridge.vlan_filtering)
			need_filter = i;
	}
	if (need_filter < 0 && need_vlan < 0)
		return 0;
	ret = ns_run_in(-1, probe_vlans_fn, res);
	if (ret)
		return ret;
	bool lack_filter = need_filter >= 0 && res[0] == -EOPNOTSUPP;
	bool lack_vlan = need_vlan >= 0 && res[1] == -EOPNOTSUPP;

	if (!lack_filter && !lack_vlan)
		return 0;
	i = lack_filter ? need_filter : need_vlan;
	plan_op_describe(p, &p->ops[i], what, sizeof(what));
	e->err = -EOPNOTSUPP;
	e->line = p->ops[i].line;
	e->unsupported = true;
	/* name every missing option at once, not one per attempt */
	snprintf(e->what, sizeof(e->what), "%s needs %s, which this kernel lacks (%s%s%s)",
		 what,
		 lack_filter && lack_vlan ? "bridge VLAN filtering and 802.1Q VLAN devices" :
		 lack_filter ? "bridge VLAN filtering" : "802.1Q VLAN devices",
		 lack_filter ? "CONFIG_BRIDGE_VLAN_FILTERING" : "",
		 lack_filter && lack_vlan ? ", " : "",
		 lack_vlan ? "CONFIG_VLAN_8021Q" : "");
	return e->err;
}

/* A kernel too old for nslab as a whole: say which feature and which
 * version, never a bare errno from deep inside up. */
static int probe_kernel(struct apply_error *e)
{
	const char *missing;
	struct utsname u;

	if (ns_kernel_check(&missing) != -ENOSYS)
		return 0;
	uname(&u);
	e->err = -ENOSYS;
	e->unsupported = true;
	snprintf(e->what, sizeof(e->what),
		 "this kernel (Linux %s) is too old for nslab: it lacks %s; "
		 "nslab needs Linux %s or newer", u.release, missing,
		 NS_KERNEL_OLDEST);
	return e->err;
}

enum plan_impair apply_choose_impair(const struct lab *lab)
{
	int i;

	for (i = 0; i < lab->nlinks; i++)
		if (plan_link_uses_engine(lab, i, PLAN_IMPAIR_NO_NETEM) &&
		    !plan_link_uses_engine(lab, i, PLAN_IMPAIR_NETEM))
			break;
	if (i == lab->nlinks)
		return PLAN_IMPAIR_NETEM;
	/* an error probing is not "missing": let apply_probe() say it */
	return nl_qdisc_probe("netem") == 0 ? PLAN_IMPAIR_NO_NETEM :
					      PLAN_IMPAIR_NETEM;
}

int apply_probe(const struct plan *p, struct apply_error *e)
{
	int ret;

	ret = probe_kernel(e);
	if (!ret)
		ret = probe_qdisc(p, PLAN_QDISC_TBF, "tbf", e);
	if (!ret)
		ret = probe_qdisc(p, PLAN_QDISC_NETEM, "netem", e);
	if (!ret)
		ret = probe_vlans(p, e);
	return ret;
}

/* ---- namespaces, sysctls, sockets ----------------------------------------- */

int apply_new(const struct plan *p, struct apply **out)
{
	struct apply *a = calloc(1, sizeof(*a));
	int i;

	*out = NULL;
	if (!a)
		return -ENOMEM;
	a->plan = p;
	a->n = p->nnodes;
	a->fds = malloc(sizeof(int) * (size_t)(a->n + 1));
	a->socks = calloc((size_t)a->n + 1, sizeof(*a->socks));
	if (!a->fds || !a->socks) {
		apply_free(a);
		return -ENOMEM;
	}
	for (i = 0; i < a->n; i++)
		a->fds[i] = -1;
	*out = a;
	return 0;
}

struct visit {
	struct apply *a;
	enum plan_kind kind;	/* which sysctls to write */
	bool open_socks;
	struct apply_error e;	/* this visitor's failure */
	int cursor;		/* next plan op to look at */
	struct ns_proc proc;	/* where its sysctl writes go (ns.h) */
};

/* In a thread inside node's namespace: its sysctls of v->kind (ops of one
 * kind are grouped by node in plan order), and its netlink socket.
 * Per-netns sysctls and sockets bind to the namespace of the thread that
 * opens them. */
static int visit_node(struct visit *v, int node)
{
	struct apply *a = v->a;
	const struct plan *p = a->plan;
	int i = v->cursor, ret = 0;

	for (; i < p->nops && (p->ops[i].kind != v->kind ||
			       p->ops[i].node < node); i++)
		;
	for (; i < p->nops && p->ops[i].kind == v->kind &&
	       p->ops[i].node == node && !ret; i++) {
		ret = ns_sysctl_write_proc(&v->proc, p->ops[i].sysctl.key,
					   p->ops[i].sysctl.value);
		if (ret) {
			char what[200];

			plan_op_describe(p, &p->ops[i], what, sizeof(what));
			fail(&v->e, ret, p->ops[i].line, NULL, "cannot set %s", what);
		}
	}
	v->cursor = i;
	if (!ret && v->open_socks) {
		ret = nl_sock_open(&a->socks[node]);
		if (ret)
			fail(&v->e, ret, p->nodes[node].line, NULL,
			     "cannot open a netlink socket in %s",
			     p->nodes[node].name);
		else if (a->progress)
			a->progress("namespaces", __atomic_add_fetch(&a->made, 1,
						__ATOMIC_RELAXED), a->n);
	}
	return ret;
}

/* Called by ns_new_many_each() in thread t right after the node's
 * namespace is made: the thread is still inside it, so no setns is
 * needed. */
static int early_each(int node, int t, void *arg)
{
	return visit_node(&((struct visit *)arg)[t], node);
}

/* Later visits (the lab's own sysctls, once interfaces exist): one worker
 * thread enters every namespace in turn; a thread per node would cost a
 * clone each. */
static int visit_fn(void *arg)
{
	struct visit *v = arg;
	struct apply *a = v->a;
	int node, ret = 0;

	for (node = 0; node < a->n && !ret; node++) {
		if (setns(a->fds[node], CLONE_NEWNET) < 0) {
			ret = -errno;
			fail(&v->e, ret, a->plan->nodes[node].line, NULL,
			     "cannot enter the namespace of %s",
			     a->plan->nodes[node].name);
			break;
		}
		ret = visit_node(v, node);
	}
	ns_proc_close(&v->proc);
	return ret;
}

/* Namespaces, their early sysctls (before any link exists) and sockets,
 * in one pass of a few helper threads (each its share of the nodes). */
static int make_namespaces(struct apply *a, struct apply_error *e)
{
	struct visit v[NS_THREADS_MAX];
	const struct plan_node *n;
	int t, threads = ns_threads_for(a->n), failed, ret;

	for (t = 0; t < threads; t++)
		v[t] = (struct visit){ .a = a, .kind = PLAN_SYSCTL_EARLY,
				       .open_socks = true, .proc = NS_PROC_INIT };
	ret = ns_new_many_each(a->n, a->fds, threads, early_each, v, &failed);
	for (t = 0; t < threads; t++)
		ns_proc_close(&v[t].proc);
	if (!ret)
		return 0;
	/* each() failures say why themselves; else the namespace of node
	 * `failed` could not be made */
	for (t = 0; t < threads; t++)
		if (v[t].e.err) {
			*e = v[t].e;
			return ret;
		}
	n = failed >= 0 ? &a->plan->nodes[failed] : NULL;
	fail(e, ret, n ? n->line : 0, NULL,
	     "cannot create the network namespace of %s%s",
	     n && n->relay ? "the impairment engine of lab " : "",
	     !n ? "a node" : n->relay ? a->plan->name : n->name);
	if (ret == -ENOSPC || ret == -EMFILE || ret == -ENFILE)
		e->unsupported = true;
	return ret;
}

/* ---- messages ------------------------------------------------------------- */

static int op_bridge(struct nl_batch *b, const struct plan_op *op)
{
	struct nl_bridge br = {
		.name = "br0", .netns_fd = -1, .ifindex = PLAN_BR0_IFINDEX,
		.mac = op->bridge.mac, .stp = op->bridge.stp,
		.hub = op->bridge.hub,
		.vlan_filtering = op->bridge.vlan_filtering,
	};

	return nl_link_add_bridge(b, &br);
}

static int op_veth(struct apply *a, struct nl_batch *b, const struct plan_op *op)
{
	const struct plan_end *x = &op->veth.end[0], *y = &op->veth.end[1];
	struct nl_veth v = {
		.name = x->dev.name, .netns_fd = a->fds[x->node],
		.ifindex = x->dev.ifindex, .mtu = x->mtu, .mac = x->mac,
		.master = x->master ? PLAN_BR0_IFINDEX : 0,
		.peer_name = y->dev.name, .peer_netns_fd = a->fds[y->node],
		.peer_ifindex = y->dev.ifindex, .peer_mtu = y->mtu,
		.peer_mac = y->mac,
	};

	return nl_link_add_veth(b, &v);
}

/* A switch port's second half (see plan.h): join br0, then drop
 * learning on a hub. */
static int op_port(struct nl_batch *b, const struct plan_op *op)
{
	int ret = 0;

	if (op->port.enslave)
		ret = nl_link_set(b, op->port.dev.ifindex, 0, NULL,
				  PLAN_BR0_IFINDEX);
	if (!ret && op->port.no_learning)
		ret = nl_bridge_port_flags(b, op->port.dev.ifindex, 0, -1);
	return ret;
}

static int op_qdisc(struct nl_batch *b, const struct plan_op *op)
{
	int ifindex = op->qdisc.dev.ifindex;

	if (op->kind == PLAN_QDISC_TBF) {
		struct nl_tbf t = { .rate_bytes = op->qdisc.rate_bps / 8,
				    .burst_bytes = op->qdisc.burst_bytes,
				    .limit_bytes = op->qdisc.limit_bytes,
				    .mtu = op->qdisc.mtu };

		return nl_qdisc_tbf(b, ifindex, op->qdisc.handle,
				    op->qdisc.parent, &t);
	} else {
		const struct plan_netem *s = &op->qdisc.netem;
		struct nl_netem n = {
			.delay_ns = s->delay_ns, .jitter_ns = s->jitter_ns,
			.limit_pkts = s->limit_pkts, .loss_pct = s->loss_pct,
			.duplicate_pct = s->duplicate_pct,
			.reorder_pct = s->reorder_pct,
			.corrupt_pct = s->corrupt_pct, .use_dist = 1,
		};

		return nl_qdisc_netem(b, ifindex, op->qdisc.handle,
				      op->qdisc.parent, &n);
	}
}

static int op_route(struct nl_batch *b, const struct plan_op *op)
{
	const struct lab_addr *dst = &op->route.dst;

	return nl_route_add(b, dst->family, op->route.is_default ? NULL : dst->b,
			    dst->prefix, op->route.has_via ? op->route.via.b : NULL,
			    op->route.dev.ifindex, op->route.metric);
}

/* Append one op's message; ops with no netlink message return 1. */
static int op_msg(struct apply *a, struct nl_batch *b, const struct plan_op *op)
{
	switch (op->kind) {
	case PLAN_BRIDGE:
		return op_bridge(b, op);
	case PLAN_VETH:
		return op_veth(a, b, op);
	case PLAN_PORT:
		return op_port(b, op);
	case PLAN_VLAN:
		return nl_link_add_vlan(b, op->vlan.dev.name, op->vlan.dev.ifindex,
					op->vlan.parent.ifindex, op->vlan.vid,
					op->vlan.mtu, op->vlan.mac);
	case PLAN_BRIDGE_VLAN:
		return nl_bridge_vlan(b, op->bvlan.dev.ifindex, op->bvlan.vid,
				      op->bvlan.pvid, op->bvlan.del);
	case PLAN_LINK_UP:
		return nl_link_set_up(b, op->up.dev.ifindex, 1);
	case PLAN_ADDR:
		return nl_addr_add(b, op->addr.addr.family, op->addr.dev.ifindex,
				   op->addr.addr.b, op->addr.addr.prefix);
	case PLAN_ROUTE:
		return op_route(b, op);
	case PLAN_QDISC_TBF:
	case PLAN_QDISC_NETEM:
		return op_qdisc(b, op);
	default:
		return 1;
	}
}

static const char *verb(enum plan_kind k)
{
	switch (k) {
	case PLAN_LINK_UP:
		return "cannot bring up";
	case PLAN_PORT:
		return "cannot configure";
	case PLAN_ADDR:
	case PLAN_ROUTE:
		return "cannot add";
	default:
		return "cannot create";
	}
}

static int send_batch(struct apply *a, struct nl_sock *s, struct nl_batch *b,
		      struct apply_error *e)
{
	const struct plan_op *op;
	struct nl_result r;
	char what[200], obj[220];
	int ret;

	if (!nl_batch_count(b))
		return 0;
	ret = nl_batch_send(s, b, &r);
	nl_batch_reset(b);
	if (!ret)
		return 0;
	if (r.cookie < 0 || r.cookie >= a->plan->nops) {
		fail(e, ret, 0, r.msg, "%s", "netlink request failed");
		return ret;
	}
	op = &a->plan->ops[r.cookie];
	plan_op_describe(a->plan, op, what, sizeof(what));
	snprintf(obj, sizeof(obj), "%s %s", verb(op->kind), what);
	fail(e, r.err ? r.err : ret, op->line, r.msg, "%s", obj);
	if (r.err == -ENOBUFS)
		snprintf(e->kmsg, sizeof(e->kmsg),
			 "the kernel ran out of buffer space; for large L2 segments raise net.ipv4.neigh.default.gc_thresh3");
	return e->err;
}

/* Append every op of [from, to) that matches `want`, with its cookie. */
static int append(struct apply *a, struct nl_batch *b, int i,
		  struct apply_error *e)
{
	int ret;

	nl_batch_set_cookie(b, i);
	ret = op_msg(a, b, &a->plan->ops[i]);
	if (ret < 0)
		fail(e, ret, a->plan->ops[i].line, NULL, "%s",
		     "cannot build a netlink message");
	return ret < 0 ? ret : 0;
}

static bool node_phase(enum plan_kind k)
{
	return k == PLAN_PORT || k == PLAN_VLAN || k == PLAN_BRIDGE_VLAN || k == PLAN_LINK_UP ||
	       k == PLAN_ADDR || k == PLAN_ROUTE || k == PLAN_QDISC_TBF ||
	       k == PLAN_QDISC_NETEM;
}

/* Phases 3 and 4: bridges per switch socket, then the veths, each sent
 * from the socket of its primary end's namespace: Linux 6.1 checks a new
 * device's requested ifindex against the namespace of the socket that
 * asks, not the one the device is born in (IFLA_NET_NS_FD), so a veth end
 * asked for as ifindex 2 from a switch's socket collides with its br0
 * ("File exists"); newer kernels check the target namespace.  Runs of
 * veths from one node share a batch (a star's are all the switch's). */
static int build_links(struct apply *a, struct nl_batch *b, struct apply_error *e)
{
	const struct plan *p = a->plan;
	int i, ret, cur = -1, made = 0, veths = 0;

	for (i = 0; i < p->nops; i++)
		veths += p->ops[i].kind == PLAN_VETH;
	for (i = 0; i < p->nops; i++) {
		if (p->ops[i].kind != PLAN_BRIDGE)
			continue;
		ret = append(a, b, i, e);
		if (!ret)
			ret = send_batch(a, a->socks[p->ops[i].node], b, e);
		if (ret)
			return ret;
	}
	for (i = 0; i < p->nops; i++) {
		if (p->ops[i].kind != PLAN_VETH)
			continue;
		/* keep batches to a few hundred: progress, and bounded memory */
		if (cur >= 0 && (p->ops[i].node != cur || nl_batch_count(b) >= 400)) {
			ret = send_batch(a, a->socks[cur], b, e);
			if (ret)
				return ret;
			if (a->progress)
				a->progress("links", made, veths);
		}
		made++;
		cur = p->ops[i].node;
		ret = append(a, b, i, e);
		if (ret)
			return ret;
	}
	ret = cur >= 0 ? send_batch(a, a->socks[cur], b, e) : 0;
	if (!ret && a->progress)
		a->progress("links", veths, veths);
	return ret;
}

/* Phase 5: each node's own batch on its own socket. */
static int build_nodes(struct apply *a, struct nl_batch *b, struct apply_error *e)
{
	const struct plan *p = a->plan;
	int i, ret, cur = -1, sent = 0;

	for (i = 0; i < p->nops; i++) {
		const struct plan_op *op = &p->ops[i];

		if (!node_phase(op->kind))
			continue;
		if (op->node != cur && cur >= 0) {
			ret = send_batch(a, a->socks[cur], b, e);
			if (ret)
				return ret;
			if (a->progress && ++sent < a->n)
				a->progress("nodes", sent, a->n);
		}
		cur = op->node;
		ret = append(a, b, i, e);
		if (ret)
			return ret;
	}
	return cur >= 0 ? send_batch(a, a->socks[cur], b, e) : 0;
}

static bool has_kind(const struct plan *p, enum plan_kind k)
{
	int i;

	for (i = 0; i < p->nops; i++)
		if (p->ops[i].kind == k)
			return true;
	return false;
}

int apply_build(struct apply *a, struct apply_error *e)
{
	struct visit late = { .a = a, .kind = PLAN_SYSCTL, .proc = NS_PROC_INIT };
	struct nl_batch *b;
	int ret;

	memset(e, 0, sizeof(*e));
	ret = make_namespaces(a, e);
	if (ret)
		return ret;
	b = nl_batch_new();
	if (!b)
		return -ENOMEM;
	ret = build_links(a, b, e);
	if (!ret)
		ret = build_nodes(a, b, e);
	nl_batch_free(b);
	if (!ret && has_kind(a->plan, PLAN_SYSCTL)) {
		ret = ns_run_in(-1, visit_fn, &late);
		if (ret && late.e.err)
			*e = late.e;
		else if (ret)
			fail(e, ret, 0, NULL, "cannot start a thread to set the lab's sysctls");
	}
	return ret;
}

/* ---- waiting for linkwatch ------------------------------------------------------ */

struct not_running {
	int found;
	char name[16];
};

/* A veth end or VLAN device that is up with its carrier, whose carrier
 * linkwatch has not handled yet: its operational state is still the
 * "unknown" of a new device (which IFF_RUNNING does not tell from "up")
 * or the "down" of before its carrier. */
static int on_link_state(const struct nl_link_info *l, void *arg)
{
	struct not_running *w = arg;
	unsigned int f = l->flags;

	if ((!strcmp(l->kind, "veth") || !strcmp(l->kind, "vlan")) &&
	    (f & IFF_UP) && (f & IFF_LOWER_UP) && l->operstate != IF_OPER_UP &&
	    !w->found++)
		snprintf(w->name, sizeof(w->name), "%s", l->name);
	return 0;
}

int apply_wait_running(struct apply *a, unsigned long long timeout_ns,
		       int *node, char *ifname, size_t ifnamelen)
{
	uint64_t end = mono_ns() + timeout_ns;
	int i = 0, ret;

	/* Nodes in order; one found ready stays so (nothing else changes
	 * its links during up), so each is dumped until it is, then left. */
	while (i < a->n) {
		struct not_running w = { 0 };

		if (!a->socks[i]) {
			i++;
			continue;
		}
		ret = nl_dump_links(a->socks[i], on_link_state, &w);
		if (ret)
			return ret;
		if (!w.found) {
			i++;
			continue;
		}
		if (mono_ns() >= end) {
			*node = i;
			snprintf(ifname, ifnamelen, "%s", w.name);
			return -ETIMEDOUT;
		}
		usleep(1000);
	}
	return 0;
}

void apply_close_sockets(struct apply *a)
{
	int i, fd;

	for (i = 0; a && a->socks && i < a->n; i++) {
		nl_sock_close(a->socks[i]);
		a->socks[i] = NULL;
	}
	/* Sockets and namespace fds were opened in turns; move the namespace
	 * fds down into the numbers the sockets left.  The holder keeps them
	 * at their numbers and puts the node views above the highest, so a
	 * lab of N nodes then needs 2N open files there, not 3N. */
	for (i = 0; a && a->fds && i < a->n; i++) {
		if (a->fds[i] < 0)
			continue;
		fd = fcntl(a->fds[i], F_DUPFD_CLOEXEC, 3);
		if (fd < 0)
			continue;	/* it stays where it is */
		if (fd > a->fds[i]) {
			close(fd);
			continue;
		}
		close(a->fds[i]);
		a->fds[i] = fd;
	}
}

void apply_free(struct apply *a)
{
	int i;

	if (!a)
		return;
	apply_close_sockets(a);
	for (i = 0; a->fds && i < a->n; i++)
		if (a->fds[i] >= 0)
			close(a->fds[i]);
	free(a->fds);
	free(a->socks);
	free(a);
}

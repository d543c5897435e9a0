/* resolve_addr.c — addresses and routes of a lab, without any syscall.
 *
 * Automatic IPv4 and IPv6 addresses per segment from ipbase and ip6base,
 * skipping every explicit address and subnet (topologies/README.md,
 * "Automatic addresses"); checks of explicit addresses; routes and
 * gateway="auto" (topologies/README.md, "<route>").  Runs after segments
 * are built (resolve.c).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "resolve_int.h"

/* ---- addresses ------------------------------------------------------------ */

static uint32_t v4(const struct lab_addr *a)
{
	uint32_t x;

	memcpy(&x, a->b, 4);
	return ntohl(x);
}

static void set_v4(struct lab_addr *a, uint32_t x, int prefix)
{
	memset(a, 0, sizeof(*a));
	a->family = AF_INET;
	a->prefix = prefix;
	x = htonl(x);
	memcpy(a->b, &x, 4);
}

struct range {
	uint32_t lo, hi;
	uint32_t reach;		/* highest hi of this and earlier ranges */
	int iface;
};

static uint32_t mask_of(int prefix)
{
	return prefix == 0 ? 0 : ~0u << (32 - prefix);
}

/* Interfaces of a segment that take automatic addresses, in document order
 * of their node, then of their link. */
static int cmp_seg_member(const void *a, const void *b, void *ctx)
{
	const struct lab *lab = ctx;
	const struct lab_iface *x = &lab->ifaces[*(const int *)a];
	const struct lab_iface *y = &lab->ifaces[*(const int *)b];

	if (x->node != y->node)
		return x->node - y->node;
	return x->ifindex - y->ifindex;
}

static bool wants_auto(const struct lab *lab, const struct lab_iface *f)
{
	return f->segment >= 0 && !f->addr_none && !f->parent &&
	       lab->nodes[f->node].kind != LAB_SWITCH;
}

static bool has_family(const struct lab_iface *f, int family,
		       struct lab_addr *first)
{
	int i;

	for (i = 0; i < f->naddrs; i++)
		if (f->addrs[i].family == family) {
			if (first)
				*first = f->addrs[i];
			return true;
		}
	return false;
}

/* Explicit subnets of two different segments must not overlap (the same
 * address twice is caught in collect_explicit).  Addresses on lo belong to
 * no segment and are only checked for exact duplicates.  A sweep over the
 * ranges sorted by start, against the one reaching furthest so far, finds
 * an overlapping pair if there is one (a pair it skips shares a segment
 * with that furthest range, which then overlaps the other member). */
static int cmp_range_lo(const void *a, const void *b)
{
	const struct range *x = a, *y = b;

	if (x->lo != y->lo)
		return x->lo < y->lo ? -1 : 1;
	if (x->hi != y->hi)
		return x->hi > y->hi ? -1 : 1;
	return x->iface - y->iface;
}

static void check_explicit(struct resolver *r, struct range *ex, int nex)
{
	struct lab *lab = r->lab;
	int i, far = -1;

	for (i = 0; i < nex; i++) {
		const struct lab_iface *a = &lab->ifaces[ex[i].iface], *b;

		if (a->segment < 0)
			continue;
		if (far >= 0 && ex[i].lo <= ex[far].hi) {
			b = &lab->ifaces[ex[far].iface];
			if (a->segment != b->segment) {
				if (ex[i].iface < ex[far].iface) {
					const struct lab_iface *t = a;

					a = b;
					b = t;
				}
				lab_err(r->errs, a->line,
					"address on %s:%s overlaps the subnet of an address on %s:%s (line %d), which is on another segment",
					lab->nodes[a->node].name, a->name,
					lab->nodes[b->node].name, b->name, b->line);
				return;
			}
		}
		if (far < 0 || ex[i].hi > ex[far].hi)
			far = i;
	}
}

/* Every explicit address with its interface, sorted: the same address on
 * two interfaces is reported against the first one. */
struct addr_ref {
	struct lab_addr a;
	int iface;
};

static int cmp_addr_ref(const void *x, const void *y)
{
	const struct addr_ref *a = x, *b = y;
	int c = lab_addr_cmp(&a->a, &b->a);

	return c ? c : a->iface - b->iface;
}

static void check_duplicates(struct resolver *r, struct addr_ref *v, int n)
{
	struct lab *lab = r->lab;
	int i, first = 0;

	qsort(v, (size_t)n, sizeof(*v), cmp_addr_ref);
	for (i = 1; i < n; i++) {
		const struct lab_iface *f = &lab->ifaces[v[i].iface];
		const struct lab_iface *g = &lab->ifaces[v[first].iface];

		if (lab_addr_cmp(&v[i].a, &v[first].a)) {
			first = i;
			continue;
		}
		if (v[i].iface != v[first].iface)
			lab_err(r->errs, f->line,
				"address %s on %s:%s overlaps the same address on %s:%s (line %d)",
				lab_addr_str(&v[i].a, (char[64]){ 0 }, 64),
				lab->nodes[f->node].name, f->name,
				lab->nodes[g->node].name, g->name, g->line);
	}
}

static int collect_explicit(struct resolver *r, struct range **out, int *nout)
{
	struct lab *lab = r->lab;
	struct addr_ref *all;
	struct range *ex;
	int i, k, n = 0, na = 0, total = 0;

	for (i = 0; i < lab->nifaces; i++)
		total += lab->ifaces[i].naddrs;
	ex = malloc(sizeof(*ex) * (size_t)(total + 1));
	all = malloc(sizeof(*all) * (size_t)(total + 1));
	if (!ex || !all) {
		free(ex);
		free(all);
		return -ENOMEM;
	}
	for (i = 0; i < lab->nifaces; i++) {
		struct lab_iface *f = &lab->ifaces[i];

		for (k = 0; k < f->naddrs; k++) {
			const struct lab_addr *a = &f->addrs[k];

			all[na].a = *a;
			all[na].a.prefix = 0;
			all[na++].iface = i;
			if (a->family != AF_INET)
				continue;
			ex[n].lo = v4(a) & mask_of(a->prefix);
			ex[n].hi = ex[n].lo | ~mask_of(a->prefix);
			ex[n].iface = i;
			n++;
		}
	}
	check_duplicates(r, all, na);
	free(all);
	qsort(ex, (size_t)n, sizeof(*ex), cmp_range_lo);
	for (i = 0; i < n; i++)
		ex[i].reach = i && ex[i - 1].reach > ex[i].hi ? ex[i - 1].reach :
								  ex[i].hi;
	*out = ex;
	*nout = n;
	return 0;
}

/* No explicit range meets [lo, hi]: ex is sorted by start, so only the
 * ranges starting at or below hi can, and reach says how far they go. */
static bool range_free(const struct range *ex, int nex, uint32_t lo,
		       uint32_t hi)
{
	int a = 0, b = nex;	/* first range starting above hi: in [a, b] */

	while (a < b) {
		int m = a + (b - a) / 2;

		if (ex[m].lo <= hi)
			a = m + 1;
		else
			b = m;
	}
	return a == 0 || ex[a - 1].reach < lo;
}

/* Every explicit address of the lab, sorted: automatic addresses never
 * take one, wherever it is (another segment's subnet, a router's lo). */
struct explicit_pool {
	uint32_t *v4;
	int n4;
	struct lab_addr *v6;
	int n6;
};

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

static int cmp_addr(const void *a, const void *b)
{
	return lab_addr_cmp(a, b);
}

static int pool_build(const struct lab *lab, struct explicit_pool *p)
{
	int i, k, total = 0;

	for (i = 0; i < lab->nifaces; i++)
		total += lab->ifaces[i].naddrs;
	p->v4 = malloc(sizeof(*p->v4) * (size_t)(total + 1));
	p->v6 = malloc(sizeof(*p->v6) * (size_t)(total + 1));
	if (!p->v4 || !p->v6)
		return -ENOMEM;
	for (i = 0; i < lab->nifaces; i++)
		for (k = 0; k < lab->ifaces[i].naddrs; k++) {
			const struct lab_addr *a = &lab->ifaces[i].addrs[k];

			if (a->family == AF_INET)
				p->v4[p->n4++] = v4(a);
			else
				p->v6[p->n6++] = *a;
		}
	qsort(p->v4, (size_t)p->n4, sizeof(*p->v4), cmp_u32);
	qsort(p->v6, (size_t)p->n6, sizeof(*p->v6), cmp_addr);
	return 0;
}

static void pool_free(struct explicit_pool *p)
{
	free(p->v4);
	free(p->v6);
}

static bool pool_has_v4(const struct explicit_pool *p, uint32_t a)
{
	return bsearch(&a, p->v4, (size_t)p->n4, sizeof(*p->v4), cmp_u32);
}

static bool pool_has_v6(const struct explicit_pool *p, const struct lab_addr *a)
{
	struct lab_addr key = *a;

	key.prefix = 0;
	return bsearch(&key, p->v6, (size_t)p->n6, sizeof(*p->v6), cmp_addr);
}

/* Is any explicit IPv6 address inside this /64?  The pool is sorted, so
 * the first address at or above the /64's start tells. */
static bool pool_in_64(const struct explicit_pool *p, const uint8_t *net)
{
	int a = 0, b = p->n6;

	while (a < b) {
		int m = a + (b - a) / 2;

		if (memcmp(p->v6[m].b, net, 8) < 0)
			a = m + 1;
		else
			b = m;
	}
	return a < p->n6 && !memcmp(p->v6[a].b, net, 8);
}

/* Fill the segment's automatic interfaces from net/prefix, skipping
 * explicit addresses, network and broadcast. */
static void fill_v4(struct resolver *r, const struct explicit_pool *pool,
		    const int *m, int nm, uint32_t net, int prefix)
{
	struct lab *lab = r->lab;
	/* 64-bit: a /0 holds 2^32 addresses */
	uint64_t size = 1ull << (32 - prefix);
	uint64_t first = prefix >= 31 ? 0 : 1;
	uint64_t last = prefix >= 31 ? size - 1 : size - 2;
	uint64_t h = first;
	int i;

	for (i = 0; i < nm; i++) {
		struct lab_iface *f = &lab->ifaces[m[i]];

		if (has_family(f, AF_INET, NULL))
			continue;
		while (h <= last && pool_has_v4(pool, (uint32_t)(net + h)))
			h++;
		if (h > last) {
			lab_err(r->errs, f->line,
				"interface %s:%s: no free address left in its segment's subnet %s/%d",
				lab->nodes[f->node].name, f->name,
				inet_ntoa((struct in_addr){ htonl(net) }), prefix);
			return;
		}
		set_v4(&f->auto4, (uint32_t)(net + h), prefix);
		h++;
	}
}

/* Lists of members per segment, built in one pass. */
struct seg_lists {
	int *start, *v;
};

static int build_seg_lists(struct lab *lab, struct seg_lists *sl)
{
	int i, s, nseg = lab->nsegments, *fill;

	sl->start = calloc((size_t)nseg + 1, sizeof(int));
	sl->v = malloc(sizeof(int) * (size_t)(lab->nifaces + 1));
	fill = calloc((size_t)nseg + 1, sizeof(int));
	if (!sl->start || !sl->v || !fill) {
		free(fill);
		return -ENOMEM;
	}
	for (i = 0; i < lab->nifaces; i++)
		if (wants_auto(lab, &lab->ifaces[i]))
			sl->start[lab->ifaces[i].segment + 1]++;
	for (s = 0; s < nseg; s++)
		sl->start[s + 1] += sl->start[s];
	for (i = 0; i < lab->nifaces; i++)
		if (wants_auto(lab, &lab->ifaces[i])) {
			s = lab->ifaces[i].segment;
			sl->v[sl->start[s] + fill[s]++] = i;
		}
	for (s = 0; s < nseg; s++)
		qsort_r(sl->v + sl->start[s],
			(size_t)(sl->start[s + 1] - sl->start[s]), sizeof(int),
			cmp_seg_member, lab);
	free(fill);
	return 0;
}

static void seg_v4(struct resolver *r, const struct explicit_pool *pool,
		   int s, const int *m, int nm, struct range *ex, int nex,
		   uint32_t *cursor)
{
	struct lab *lab = r->lab;
	uint32_t base_lo, base_hi, size, net;
	struct lab_addr first = { 0 }, a;
	int i, nauto = 0, prefix = 30;

	for (i = 0; i < nm; i++) {
		if (!has_family(&lab->ifaces[m[i]], AF_INET, &a))
			nauto++;
		else if (!first.family)
			first = a;
	}
	/* ipbase="none": no automatic IPv4 at all, even next to explicit */
	if (!nauto || lab->ipbase_none)
		return;
	if (first.family) {
		net = v4(&first) & mask_of(first.prefix);
		lab->segments[s].net4 = first;
		lab_addr_mask(&lab->segments[s].net4, first.prefix);
		fill_v4(r, pool, m, nm, net, first.prefix);
		return;
	}
	while (prefix > 1 && (1ull << (32 - prefix)) < (uint64_t)nauto + 2)
		prefix--;
	size = 1u << (32 - prefix);
	base_lo = v4(&lab->ipbase);
	base_hi = base_lo | ~mask_of(lab->ipbase.prefix);
	for (net = (*cursor + size - 1) & ~(size - 1);; net += size) {
		if (net < *cursor || net > base_hi || net + size - 1 > base_hi ||
		    net < base_lo) {
			lab_err(r->errs, lab->segments[s].first_link >= 0 ?
					 lab->links[lab->segments[s].first_link].line : 0,
				"the segment of this link needs a /%d, but ipbase %s/%d is full",
				prefix, inet_ntoa((struct in_addr){ htonl(base_lo) }),
				lab->ipbase.prefix);
			return;
		}
		if (range_free(ex, nex, net, net + size - 1))
			break;
	}
	*cursor = net + size;
	set_v4(&lab->segments[s].net4, net, prefix);
	fill_v4(r, pool, m, nm, net, prefix);
}

/* The next free /64 of ip6base: cursor counts /64s from its start,
 * skipping any /64 that holds an explicit address. */
static int next_v6_net(struct resolver *r, const struct explicit_pool *pool,
		       int s, uint64_t *cursor, struct lab_addr *net)
{
	struct lab *lab = r->lab;
	int bits = 64 - lab->ip6base.prefix, j;
	char buf[64];

	for (;; (*cursor)++) {
		if (bits < 64 && *cursor >> bits) {
			lab_err(r->errs, lab->links[lab->segments[s].first_link].line,
				"the segment of this link needs a /64, but ip6base %s is full",
				lab_addr_str(&lab->ip6base, buf, sizeof(buf)));
			return -ENOSPC;
		}
		*net = lab->ip6base;
		net->prefix = 64;
		for (j = 0; j < 8; j++)
			net->b[j] |= (uint8_t)(*cursor >> (8 * (7 - j)));
		if (!pool_in_64(pool, net->b))
			break;
	}
	(*cursor)++;
	return 0;
}

/* IPv6: one /64 per segment from ip6base (or the segment's explicit one),
 * hosts numbered ::1, ::2 ... skipping explicit addresses. */
static void seg_v6(struct resolver *r, const struct explicit_pool *pool,
		   int s, const int *m, int nm, uint64_t *cursor)
{
	struct lab *lab = r->lab;
	struct lab_addr net = { 0 }, a;
	uint64_t host = 1;
	int i, j, nauto = 0;

	for (i = 0; i < nm; i++) {
		if (!has_family(&lab->ifaces[m[i]], AF_INET6, &a))
			nauto++;
		else if (!net.family)
			net = a;
	}
	if (!nauto)
		return;
	if (!net.family) {
		if (!lab->ip6base.family || next_v6_net(r, pool, s, cursor, &net))
			return;
	}
	lab_addr_mask(&net, net.prefix);
	lab->segments[s].net6 = net;
	for (i = 0; i < nm; i++) {
		struct lab_iface *f = &lab->ifaces[m[i]];

		if (has_family(f, AF_INET6, NULL))
			continue;
		do {
			a = net;
			for (j = 0; j < 8; j++)
				a.b[8 + j] |= (uint8_t)(host >> (8 * (7 - j)));
			host++;
		} while (pool_has_v6(pool, &a));
		/* a prefix longer than /64 (say an explicit /127) holds few */
		if (net.prefix > 64 && (host - 1) >> (128 - net.prefix)) {
			char buf[64];

			lab_err(r->errs, f->line,
				"interface %s:%s: no free IPv6 address left in its segment's subnet %s",
				lab->nodes[f->node].name, f->name,
				lab_addr_str(&net, buf, sizeof(buf)));
			return;
		}
		f->auto6 = a;
	}
}

int assign_addresses(struct resolver *r)
{
	struct lab *lab = r->lab;
	struct seg_lists sl = { 0 };
	struct explicit_pool pool = { 0 };
	struct range *ex = NULL;
	uint32_t cursor;
	uint64_t cursor6 = 0;
	int nex = 0, s, ret;

	ret = collect_explicit(r, &ex, &nex);
	if (ret)
		return ret;
	check_explicit(r, ex, nex);
	ret = build_seg_lists(lab, &sl);
	if (!ret)
		ret = pool_build(lab, &pool);
	if (ret)
		goto out;
	/* cursor6 numbers the /64s inside ip6base: the n-th segment without
	 * an explicit IPv6 address gets ip6base + n in the upper 64 bits. */
	cursor = v4(&lab->ipbase);
	for (s = 0; s < lab->nsegments; s++) {
		int *m = sl.v + sl.start[s], nm = sl.start[s + 1] - sl.start[s];

		seg_v4(r, &pool, s, m, nm, ex, nex, &cursor);
		seg_v6(r, &pool, s, m, nm, &cursor6);
	}
out:
	pool_free(&pool);
	free(sl.start);
	free(sl.v);
	free(ex);
	return ret;
}

/* ---- routes, gateways ----------------------------------------------------- */

/* Is `ip` inside a subnet of this interface (and not its own address)? */
static bool iface_on_subnet(const struct lab *lab, int iface,
			    const struct lab_addr *ip)
{
	struct lab_addr a[LAB_IFACE_ADDRS_ALL];
	int j, k = lab_iface_addrs(lab, iface, a, LAB_IFACE_ADDRS_ALL);

	for (j = 0; j < k; j++)
		if (a[j].family == ip->family &&
		    lab_addr_same_net(&a[j], ip, a[j].prefix) &&
		    lab_addr_cmp(&a[j], ip))
			return true;
	return false;
}

/* Is `ip` inside a subnet of one of node's interfaces?  Returns the iface. */
static int on_subnet(const struct lab *lab, int node, const struct lab_addr *ip)
{
	const struct lab_node *n = &lab->nodes[node];
	int i;

	for (i = 0; i < n->nifaces; i++)
		if (iface_on_subnet(lab, n->ifaces[i], ip))
			return n->ifaces[i];
	return -1;
}

static int add_gateway_route(struct resolver *r, int node)
{
	struct lab *lab = r->lab;
	struct lab_node *n = &lab->nodes[node];
	int i = lab_push(lab, routes);

	if (i < 0)
		return i;
	n = &lab->nodes[node];
	lab->routes[i].node = node;
	lab->routes[i].line = n->line;
	lab->routes[i].is_default = true;
	lab->routes[i].has_via = true;
	lab->routes[i].via = n->gw;
	lab->routes[i].dev_iface = -1;
	lab->routes[i].from_gateway = true;
	lab->routes[i].dst.family = n->gw.family;
	lab->routes[i].dst.prefix = 0;
	return 0;
}

/* gateway="auto": the lowest router IPv4 address on the host's first
 * segment.  best[s] holds it for segment s, found in one pass over the
 * interfaces (family 0: none). */
static int router_addrs(const struct lab *lab, struct lab_addr **out)
{
	struct lab_addr *best = calloc((size_t)lab->nsegments + 1, sizeof(*best));
	struct lab_addr a[LAB_IFACE_ADDRS_ALL];
	int i, j, k;

	if (!best)
		return -ENOMEM;
	for (i = 0; i < lab->nifaces; i++) {
		const struct lab_iface *f = &lab->ifaces[i];
		struct lab_addr *b = &best[f->segment < 0 ? 0 : f->segment];

		if (f->segment < 0 || lab->nodes[f->node].kind != LAB_ROUTER)
			continue;
		k = lab_iface_addrs(lab, i, a, LAB_IFACE_ADDRS_ALL);
		for (j = 0; j < k; j++)
			if (a[j].family == AF_INET &&
			    (!b->family || lab_addr_cmp(&a[j], b) < 0))
				*b = a[j];
	}
	*out = best;
	return 0;
}

static void auto_gateway(struct resolver *r, int node,
			 const struct lab_addr *best)
{
	struct lab *lab = r->lab;
	struct lab_node *n = &lab->nodes[node];
	int seg = -1, i;

	for (i = 0; i < n->nifaces && seg < 0; i++)
		seg = lab->ifaces[n->ifaces[i]].segment;
	if (seg < 0 || !best[seg].family) {
		lab_err(r->errs, n->line,
			"<host> gateway=\"auto\": no router with an IPv4 address on %s's first segment",
			n->name);
		return;
	}
	n->gw = best[seg];
	n->gw.prefix = -1;
	n->has_gw = true;
}

/* A next hop is no subnet's network or broadcast address (none in a /31
 * or /32): lab_addr_unusable() says so with the subnet's prefix. */
static void check_via_edge(struct resolver *r, const struct lab_route *rt)
{
	const struct lab *lab = r->lab;
	int iface = rt->dev_iface >= 0 ? rt->dev_iface :
					 on_subnet(lab, rt->node, &rt->via);
	struct lab_addr a[LAB_IFACE_ADDRS_ALL], x;
	char ip[64], why[160];
	int j, k = lab_iface_addrs(lab, iface, a, LAB_IFACE_ADDRS_ALL);

	for (j = 0; j < k; j++) {
		if (!lab_addr_same_net(&a[j], &rt->via, a[j].prefix))
			continue;
		x = rt->via;
		x.prefix = a[j].prefix;
		if (!lab_addr_unusable(&x, why, sizeof(why)))
			continue;
		lab_err(r->errs, rt->line, "%s=\"%s\": %s",
			rt->from_gateway ? "<host> gateway" : "<route> via",
			lab_ip_str(&rt->via, ip, sizeof(ip)), why);
		return;
	}
}

static void check_route(struct resolver *r, struct lab_route *rt)
{
	struct lab *lab = r->lab;
	const char *node = lab->nodes[rt->node].name;
	char buf[64];

	if (rt->dev) {
		rt->dev_iface = if_find(r, rt->node, rt->dev);
		if (rt->dev_iface < 0 && strcmp(rt->dev, "lo"))
			lab_err(r->errs, rt->line,
				"<route> dev=\"%s\": %s has no interface %s",
				rt->dev, node, rt->dev);
	}
	if (rt->is_default && !rt->dst.family)
		rt->dst.family = rt->has_via ? rt->via.family : AF_INET;
	if (rt->has_via && rt->via.family != rt->dst.family) {
		lab_err(r->errs, rt->line,
			"<route> via=\"%s\": not the same address family as the destination",
			lab_ip_str(&rt->via, buf, sizeof(buf)));
		return;
	}
	if (!rt->has_via)
		return;
	/* with dev=, the gateway must be on that interface's subnets (the
	 * kernel refuses it otherwise: "Nexthop has invalid gateway") */
	if (rt->dev_iface >= 0 && !iface_on_subnet(lab, rt->dev_iface, &rt->via))
		lab_err(r->errs, rt->line,
			"<route> via=\"%s\" is on none of the subnets of %s:%s",
			lab_ip_str(&rt->via, buf, sizeof(buf)), node, rt->dev);
	else if (rt->dev_iface < 0 && on_subnet(lab, rt->node, &rt->via) < 0)
		lab_err(r->errs, rt->line,
			"<route> via=\"%s\" is on none of %s's subnets",
			lab_ip_str(&rt->via, buf, sizeof(buf)), node);
	else
		check_via_edge(r, rt);
}

int resolve_routes(struct resolver *r)
{
	struct lab *lab = r->lab;
	struct lab_addr *best;
	int i, n = lab->nroutes, ret;

	ret = router_addrs(lab, &best);
	if (ret)
		return ret;
	for (i = 0; i < lab->nnodes; i++) {
		struct lab_node *nd = &lab->nodes[i];

		if (nd->gw_auto)
			auto_gateway(r, i, best);
		if (!nd->has_gw)
			continue;
		ret = add_gateway_route(r, i);
		if (ret) {
			free(best);
			return ret;
		}
	}
	free(best);
	for (i = 0; i < lab->nroutes; i++) {
		struct lab_route *rt = &lab->routes[i];
		int j;

		check_route(r, rt);
		if (i >= n || !rt->is_default)
			continue;
		for (j = n; j < lab->nroutes; j++)
			if (lab->routes[j].node == rt->node &&
			    lab->routes[j].dst.family == rt->dst.family)
				lab_err(r->errs, rt->line,
					"<route dst=\"default\"> on %s, which also has gateway= (line %d): use one",
					lab->nodes[rt->node].name, lab->routes[j].line);
	}
	return 0;
}


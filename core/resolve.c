/* resolve.c — from a parsed lab to a complete one, without any syscall.
 *
 * Checks every rule of SPEC §3.8 that needs more than one element, and
 * makes every automatic choice: interface names and ifindexes, segments,
 * IPv4/IPv6 addresses, MACs, gateways, /etc/hosts.  The order of the passes
 * matters: names before segments, segments before addresses, addresses
 * before routes.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lab.h"
#include "units.h"

struct resolver {
	struct lab *lab;
	struct lab_errors *errs;
	int *names;		/* node name hash table: node index + 1 */
	unsigned nnames;
	int *uf;		/* union-find over nodes (switch components) */
	int *next_auto;		/* per node: every ethN below it is taken */
	int *ifh;		/* (node, name) -> iface index + 1 */
	unsigned nifh;
	int *pairs;		/* (node, node) -> first link + 1 (steps) */
	unsigned npairs;
};

/* ---- node name table --------------------------------------------------- */

static uint64_t fnv1a(const void *p, size_t n, uint64_t h)
{
	const uint8_t *b = p;

	while (n--) {
		h ^= *b++;
		h *= 0x100000001b3ull;
	}
	return h;
}

#define FNV_INIT 0xcbf29ce484222325ull

static int name_lookup(struct resolver *r, const char *name, bool insert,
		       int idx)
{
	unsigned mask = r->nnames - 1;
	unsigned h = (unsigned)fnv1a(name, strlen(name), FNV_INIT) & mask;

	for (;; h = (h + 1) & mask) {
		int v = r->names[h];

		if (!v) {
			if (insert)
				r->names[h] = idx + 1;
			return -1;
		}
		if (!strcmp(r->lab->nodes[v - 1].name, name))
			return v - 1;
	}
}

static int check_nodes(struct resolver *r)
{
	struct lab *lab = r->lab;
	int i, prev;

	r->nnames = 16;
	while (r->nnames < (unsigned)lab->nnodes * 2)
		r->nnames *= 2;
	r->names = calloc(r->nnames, sizeof(int));
	if (!r->names)
		return -ENOMEM;
	for (i = 0; i < lab->nnodes; i++) {
		struct lab_node *n = &lab->nodes[i];

		prev = name_lookup(r, n->name, true, i);
		if (prev >= 0)
			lab_err(r->errs, n->line,
				"duplicate node name \"%s\" (first declared at line %d)",
				n->name, lab->nodes[prev].line);
	}
	return 0;
}

/* ---- interfaces ---------------------------------------------------------- */

/* Interfaces by (node, name) in a hash table: a node may have thousands,
 * and a linear search per link end is quadratic. */
static unsigned if_hash(const struct resolver *r, int node, const char *name)
{
	uint64_t h = fnv1a(&node, sizeof(node), FNV_INIT);

	return (unsigned)fnv1a(name, strlen(name), h) & (r->nifh - 1);
}

static int if_find(const struct resolver *r, int node, const char *name)
{
	unsigned h = if_hash(r, node, name);

	for (;; h = (h + 1) & (r->nifh - 1)) {
		int v = r->ifh[h];

		if (!v)
			return -1;
		if (r->lab->ifaces[v - 1].node == node &&
		    !strcmp(r->lab->ifaces[v - 1].name, name))
			return v - 1;
	}
}

static void if_insert(struct resolver *r, int iface)
{
	const struct lab_iface *f = &r->lab->ifaces[iface];
	unsigned h = if_hash(r, f->node, f->name);

	while (r->ifh[h])
		h = (h + 1) & (r->nifh - 1);
	r->ifh[h] = iface + 1;
}

/* Room for every declared interface and both ends of every link. */
static int if_table(struct resolver *r)
{
	size_t need = (size_t)r->lab->nifaces + 2 * (size_t)r->lab->nlinks;

	r->nifh = 16;
	while (r->nifh < need * 2)
		r->nifh *= 2;
	r->ifh = calloc(r->nifh, sizeof(int));
	return r->ifh ? 0 : -ENOMEM;
}

static int node_add_iface(struct lab *lab, int node, int iface)
{
	struct lab_node *n = &lab->nodes[node];
	int *v;

	/* capacity: 4, then doubling at every power of two */
	if (n->nifaces == 0 ||
	    (n->nifaces >= 4 && (n->nifaces & (n->nifaces - 1)) == 0)) {
		v = realloc(n->ifaces, sizeof(int) * (size_t)(n->nifaces ? n->nifaces * 2 : 4));
		if (!v)
			return -ENOMEM;
		n->ifaces = v;
	}
	n->ifaces[n->nifaces++] = iface;
	return 0;
}

/* Declared <iface>s go into their node's list first (lo aside). */
static int index_declared(struct resolver *r)
{
	struct lab *lab = r->lab;
	int i, prev;

	if (if_table(r))
		return -ENOMEM;
	for (i = 0; i < lab->nifaces; i++) {
		struct lab_iface *f = &lab->ifaces[i];

		if (!f->name)
			continue;
		bool lo = !strcmp(f->name, "lo");

		prev = lo ? lab->nodes[f->node].lo_iface :
			    if_find(r, f->node, f->name);
		if (prev >= 0) {
			lab_err(r->errs, f->line,
				"interface %s:%s is declared twice",
				lab->nodes[f->node].name, f->name);
			continue;
		}
		if (lo) {
			f->ifindex = 1;
			lab->nodes[f->node].lo_iface = i;
		} else if (node_add_iface(lab, f->node, i)) {
			return -ENOMEM;
		} else {
			if_insert(r, i);
		}
	}
	return 0;
}

static int new_iface(struct resolver *r, int node, const char *name, int line)
{
	struct lab *lab = r->lab;
	int i = lab_push(lab, ifaces);

	if (i < 0)
		return i;
	lab->ifaces[i].node = node;
	lab->ifaces[i].name = name;
	lab->ifaces[i].line = line;
	lab->ifaces[i].link = -1;
	lab->ifaces[i].parent_iface = -1;
	lab->ifaces[i].segment = -1;
	if (name && node_add_iface(lab, node, i))
		return -ENOMEM;
	if (name)
		if_insert(r, i);
	return i;
}

/* Attach a link end with an explicit interface name. */
static int attach_named(struct resolver *r, int li, int e)
{
	struct lab *lab = r->lab;
	struct lab_link *l = &lab->links[li];
	struct lab_end *end = &l->end[e];
	int f = if_find(r, end->node, end->ifname);

	if (!strcmp(end->ifname, "lo") ||
	    (lab->nodes[end->node].kind == LAB_SWITCH &&
	     !strcmp(end->ifname, "br0"))) {
		lab_err(r->errs, l->line,
			"<link> %s=\"%s\": interface %s is reserved",
			e ? "b" : "a", end->text, end->ifname);
		return 0;
	}
	if (f >= 0 && lab->ifaces[f].link >= 0) {
		lab_err(r->errs, l->line,
			"interface %s:%s is used by two links (lines %d and %d)",
			lab->nodes[end->node].name, end->ifname,
			lab->links[lab->ifaces[f].link].line, l->line);
		return 0;
	}
	if (f >= 0 && lab->ifaces[f].parent) {
		lab_err(r->errs, l->line,
			"interface %s:%s is an 802.1Q sub-interface (line %d) and cannot be a link end",
			lab->nodes[end->node].name, end->ifname,
			lab->ifaces[f].line);
		return 0;
	}
	if (f < 0) {
		f = new_iface(r, end->node, end->ifname, l->line);
		if (f < 0)
			return f;
	}
	lab->ifaces[f].link = li;
	lab->ifaces[f].end = e;
	lab->links[li].iface[e] = f;
	return 0;
}

/* Lowest free ethN: eth0 on hosts and routers, eth1 on switches. */
static int attach_auto(struct resolver *r, int li, int e)
{
	struct lab *lab = r->lab;
	struct lab_link *l = &lab->links[li];
	int node = l->end[e].node, f, k;
	char name[16];

	/* Names below next_auto are all taken (explicit names were attached
	 * first), so the search never restarts from eth0: linear, not
	 * quadratic, for a switch with a thousand ports. */
	k = r->next_auto[node];
	if (k < (lab->nodes[node].kind == LAB_SWITCH ? 1 : 0))
		k = lab->nodes[node].kind == LAB_SWITCH ? 1 : 0;
	for (;; k++) {
		snprintf(name, sizeof(name), "eth%d", k);
		f = if_find(r, node, name);
		if (f < 0)
			break;
		if (lab->ifaces[f].link < 0 && !lab->ifaces[f].parent &&
		    lab->ifaces[f].declared)
			break;	/* declared but not named by a link: use it */
	}
	if (f < 0) {
		f = new_iface(r, node, arena_strdup(&lab->arena, name),
			      l->line);
		if (f < 0)
			return f;
	}
	lab->ifaces[f].link = li;
	lab->ifaces[f].end = e;
	l->iface[e] = f;
	r->next_auto[node] = k + 1;
	return 0;
}

static int resolve_end(struct resolver *r, int line, const char *attr,
		       struct lab_end *e)
{
	char node[LAB_NAME_MAX + 2];
	const char *colon = strchr(e->text, ':');
	size_t n = colon ? (size_t)(colon - e->text) : strlen(e->text);

	e->node = -1;
	if (n > LAB_NAME_MAX || n == 0) {
		lab_err(r->errs, line, "%s=\"%s\": no node named \"%.*s\"", attr,
			e->text, (int)(n > 40 ? 40 : n), e->text);
		return -1;
	}
	memcpy(node, e->text, n);
	node[n] = 0;
	e->node = name_lookup(r, node, false, 0);
	if (e->node < 0)
		lab_err(r->errs, line, "%s=\"%s\": no node named \"%s\"", attr,
			e->text, node);
	return e->node;
}

static int resolve_links(struct resolver *r)
{
	struct lab *lab = r->lab;
	int i, e, ret;

	for (i = 0; i < lab->nlinks; i++)
		for (e = 0; e < 2; e++)
			resolve_end(r, lab->links[i].line,
				    e ? "<link> b" : "<link> a",
				    &lab->links[i].end[e]);
	if (r->errs->n)
		return 0;
	r->next_auto = calloc((size_t)lab->nnodes + 1, sizeof(int));
	if (!r->next_auto)
		return -ENOMEM;
	/* Explicit names first, so automatic ones never take them. */
	for (i = 0; i < lab->nlinks; i++)
		for (e = 0; e < 2; e++)
			if (lab->links[i].end[e].ifname) {
				ret = attach_named(r, i, e);
				if (ret)
					return ret;
			}
	for (i = 0; i < lab->nlinks; i++)
		for (e = 0; e < 2; e++)
			if (!lab->links[i].end[e].ifname) {
				ret = attach_auto(r, i, e);
				if (ret)
					return ret;
			}
	return 0;
}

/* Link ends in link order (both ends of a link to the same node: a, b),
 * then sub-interfaces in declaration order. */
static int cmp_link_order(const void *a, const void *b, void *ctx)
{
	const struct lab *lab = ctx;
	int x = *(const int *)a, y = *(const int *)b;
	const struct lab_iface *fx = &lab->ifaces[x], *fy = &lab->ifaces[y];
	long kx = fx->link >= 0 ? 2L * fx->link + fx->end : (1L << 40) + x;
	long ky = fy->link >= 0 ? 2L * fy->link + fy->end : (1L << 40) + y;

	return kx < ky ? -1 : kx > ky;
}

/* Sub-interfaces, unused interfaces, ifindexes. */
static void check_ifaces(struct resolver *r)
{
	struct lab *lab = r->lab;
	int i, j;

	for (i = 0; i < lab->nifaces; i++) {
		struct lab_iface *f = &lab->ifaces[i];

		if (f->parent) {
			f->parent_iface = if_find(r, f->node, f->parent);
			if (f->parent_iface < 0 ||
			    lab->ifaces[f->parent_iface].link < 0)
				lab_err(r->errs, f->line,
					"<iface> parent=\"%s\": %s has no interface %s on a link",
					f->parent, lab->nodes[f->node].name,
					f->parent);
		} else if (f->link < 0 && f->ifindex != 1 && f->name) {
			lab_err(r->errs, f->line,
				"interface %s:%s is declared but not used by any link",
				lab->nodes[f->node].name, f->name);
		}
	}
	/* ifindexes: lo = 1; a switch's bridge br0 = 2; then link ends in
	 * document order of their links; then sub-interfaces.  A fresh
	 * namespace holds only lo, so these are the numbers the kernel will
	 * use. */
	for (i = 0; i < lab->nnodes; i++) {
		struct lab_node *n = &lab->nodes[i];
		int next = n->kind == LAB_SWITCH ? 3 : 2;

		if (n->nifaces > 1)	/* ifaces is NULL when there are none */
			qsort_r(n->ifaces, (size_t)n->nifaces, sizeof(int),
				cmp_link_order, lab);
		for (j = 0; j < n->nifaces; j++)
			lab->ifaces[n->ifaces[j]].ifindex = next++;
	}
}

/* The kernel's bridge holds at most BR_MAX_PORTS (1024) ports: say so
 * before building, not with "Exchange full" halfway through. */
static void check_bridge_ports(struct resolver *r)
{
	const struct lab *lab = r->lab;
	int i;

	for (i = 0; i < lab->nnodes; i++)
		if (lab->nodes[i].kind == LAB_SWITCH &&
		    lab->nodes[i].nifaces > LAB_BRIDGE_PORTS_MAX)
			lab_err(r->errs, lab->nodes[i].line,
				"switch %s has %d links, but a Linux bridge holds at most %d ports: split it into several switches",
				lab->nodes[i].name, lab->nodes[i].nifaces,
				LAB_BRIDGE_PORTS_MAX);
}

/* Keep each node's interface list in ifindex order. */
static int cmp_ifindex_ctx(const void *a, const void *b, void *ctx)
{
	const struct lab *lab = ctx;

	return lab->ifaces[*(const int *)a].ifindex -
	       lab->ifaces[*(const int *)b].ifindex;
}

static void sort_node_ifaces(struct lab *lab)
{
	int i;

	for (i = 0; i < lab->nnodes; i++)
		if (lab->nodes[i].nifaces > 1)
			qsort_r(lab->nodes[i].ifaces, (size_t)lab->nodes[i].nifaces,
			sizeof(int), cmp_ifindex_ctx, lab);
}

/* ---- MTU, MAC, VLANs ------------------------------------------------------ */

struct mac_set {
	uint64_t *v;
	unsigned n;
};

static bool mac_insert(struct mac_set *s, const uint8_t *mac)
{
	uint64_t key = 1;
	unsigned h, mask = s->n - 1;
	int k;

	for (k = 0; k < 6; k++)
		key = key << 8 | mac[k];
	h = (unsigned)(key * 0x9e3779b97f4a7c15ull >> 32) & mask;
	for (;; h = (h + 1) & mask) {
		if (s->v[h] == key)
			return false;
		if (!s->v[h]) {
			s->v[h] = key;
			return true;
		}
	}
}

/* 02:xx:xx:xx:xx:xx from a hash of "node/iface"; bumped on collision. */
static void auto_mac(struct mac_set *s, const char *node, const char *ifname,
		     uint8_t *mac)
{
	uint64_t h = fnv1a(node, strlen(node), FNV_INIT);
	int k;

	h = fnv1a("/", 1, h);
	h = fnv1a(ifname, strlen(ifname), h);
	/* FNV spreads a change of the last byte only upwards: finish with a
	 * mixer so "eth0" and "eth1" differ in every byte. */
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdull;
	h ^= h >> 33;
	for (;; h++) {
		mac[0] = 0x02;
		for (k = 1; k < 6; k++)
			mac[k] = (uint8_t)(h >> (8 * (k - 1)));
		if (mac_insert(s, mac))
			return;
	}
}

static int assign_macs(struct resolver *r)
{
	struct lab *lab = r->lab;
	struct mac_set s;
	int i;

	s.n = 64;
	while (s.n < (unsigned)(lab->nifaces + lab->nnodes) * 2)
		s.n *= 2;
	s.v = calloc(s.n, sizeof(uint64_t));
	if (!s.v)
		return -ENOMEM;
	for (i = 0; i < lab->nifaces; i++) {
		struct lab_iface *f = &lab->ifaces[i];

		if (f->mac_set && !mac_insert(&s, f->mac))
			lab_err(r->errs, f->line,
				"interface %s:%s: MAC %02x:%02x:%02x:%02x:%02x:%02x is used twice",
				lab->nodes[f->node].name, f->name, f->mac[0],
				f->mac[1], f->mac[2], f->mac[3], f->mac[4],
				f->mac[5]);
	}
	for (i = 0; i < lab->nnodes; i++)
		if (lab->nodes[i].kind == LAB_SWITCH)
			auto_mac(&s, lab->nodes[i].name, "br0",
				 lab->nodes[i].bridge_mac);
	for (i = 0; i < lab->nifaces; i++) {
		struct lab_iface *f = &lab->ifaces[i];

		if (!f->mac_set && f->ifindex != 1)
			auto_mac(&s, lab->nodes[f->node].name, f->name, f->mac);
	}
	free(s.v);
	return 0;
}

static void assign_mtus(struct lab *lab)
{
	int i;

	for (i = 0; i < lab->nifaces; i++) {
		struct lab_iface *f = &lab->ifaces[i];

		if (f->mtu || f->ifindex == 1)
			continue;
		if (f->link >= 0 && lab->links[f->link].mtu)
			f->mtu = lab->links[f->link].mtu;
		else if (f->parent_iface >= 0 &&
			 lab->ifaces[f->parent_iface].mtu)
			f->mtu = lab->ifaces[f->parent_iface].mtu;
		else
			f->mtu = lab->mtu;
	}
}

static void check_vlans(struct resolver *r)
{
	struct lab *lab = r->lab;
	int i, e;

	for (i = 0; i < lab->nlinks; i++) {
		struct lab_link *l = &lab->links[i];
		int nsw = 0;

		if (!l->vlan && !l->nvlans)
			continue;
		for (e = 0; e < 2; e++) {
			struct lab_node *n = &lab->nodes[l->end[e].node];
			struct lab_iface *f = &lab->ifaces[l->iface[e]];

			if (n->kind != LAB_SWITCH)
				continue;
			nsw++;
			if (!n->vlan_filtering) {
				char v[16];

				snprintf(v, sizeof(v), "%d", l->vlan ? l->vlan : l->vlans[0]);
				lab_err(r->errs, l->line,
					"<link> %s=\"%s%s\" on a link to switch %s, which has vlan-filtering=\"off\"",
					l->vlan ? "vlan" : "vlans", v,
					l->nvlans > 1 ? ",..." : "", n->name);
				continue;
			}
			f->pvid = l->vlan;
			f->vlans = l->vlans;
			f->nvlans = l->nvlans;
		}
		if (!nsw)
			lab_err(r->errs, l->line,
				"<link> VLANs need a switch at one end (with vlan-filtering=\"on\")");
	}
}

/* ---- segments -------------------------------------------------------------- */

static int uf_find(int *uf, int x)
{
	while (uf[x] != x) {
		uf[x] = uf[uf[x]];
		x = uf[x];
	}
	return x;
}

static bool is_switch(const struct lab *lab, int node)
{
	return lab->nodes[node].kind == LAB_SWITCH;
}

/* A segment key: for a link touching a switch, its switch component and
 * the access VLAN; a point-to-point link is its own segment. */
struct seg_key {
	int comp;		/* switch component root, or -1 - link */
	int vlan;
};

static struct seg_key link_key(struct resolver *r, int li)
{
	const struct lab_link *l = &r->lab->links[li];
	struct seg_key k = { -1 - li, 0 };
	int e;

	for (e = 0; e < 2; e++)
		if (is_switch(r->lab, l->end[e].node)) {
			k.comp = uf_find(r->uf, l->end[e].node);
			k.vlan = l->vlan;
		}
	return k;
}

/* Segments by key in a hash table (slot: segment + 1); keys[s] is the
 * key of segment s.  A point-to-point link's key is unique. */
struct seg_table {
	struct seg_key *keys;
	int *slot;
	unsigned size;
};

static int *seg_slot(struct seg_table *t, struct seg_key k)
{
	uint64_t x = (uint64_t)(uint32_t)k.comp << 16 | (uint32_t)k.vlan;
	unsigned h = (unsigned)(x * 0x9e3779b97f4a7c15ull >> 32) & (t->size - 1);

	for (;; h = (h + 1) & (t->size - 1)) {
		int v = t->slot[h];

		if (!v || (t->keys[v - 1].comp == k.comp &&
			   t->keys[v - 1].vlan == k.vlan))
			return &t->slot[h];
	}
}

static int build_segments(struct resolver *r)
{
	struct lab *lab = r->lab;
	struct seg_table t = { .size = 16 };
	struct seg_key *keys;
	int i, e, s, *slot;

	while (t.size < 2 * (unsigned)lab->nlinks + 2)
		t.size *= 2;
	r->uf = malloc(sizeof(int) * (size_t)(lab->nnodes + 1));
	keys = t.keys = malloc(sizeof(*keys) * (size_t)(lab->nlinks + 1));
	t.slot = calloc(t.size, sizeof(int));
	if (!r->uf || !keys || !t.slot) {
		free(keys);
		free(t.slot);
		return -ENOMEM;
	}
	for (i = 0; i < lab->nnodes; i++)
		r->uf[i] = i;
	for (i = 0; i < lab->nlinks; i++) {
		struct lab_link *l = &lab->links[i];

		if (is_switch(lab, l->end[0].node) &&
		    is_switch(lab, l->end[1].node))
			r->uf[uf_find(r->uf, l->end[0].node)] =
				uf_find(r->uf, l->end[1].node);
	}
	/* Number segments by the first link that brings a host or router
	 * interface into them. */
	for (i = 0; i < lab->nlinks; i++) {
		struct lab_link *l = &lab->links[i];
		struct seg_key k;

		if (is_switch(lab, l->end[0].node) &&
		    is_switch(lab, l->end[1].node))
			continue;
		k = link_key(r, i);
		slot = seg_slot(&t, k);
		s = *slot - 1;
		if (s < 0) {
			s = lab_push(lab, segments);
			if (s < 0) {
				free(keys);
				free(t.slot);
				return s;
			}
			keys[s] = k;
			*slot = s + 1;
			lab->segments[s].first_link = i;
			lab->segments[s].p2p = k.comp < 0;
			lab->segments[s].vlan = k.vlan;
		}
		for (e = 0; e < 2; e++)
			if (!is_switch(lab, l->end[e].node))
				lab->ifaces[l->iface[e]].segment = s;
	}
	free(keys);
	free(t.slot);
	return 0;
}

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

static int assign_addresses(struct resolver *r)
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

static int resolve_routes(struct resolver *r)
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

/* ---- shaping, files, steps ------------------------------------------------ */

static void check_shaping(struct resolver *r, int line, const char *what,
			  const struct lab_shaping *s)
{
	if ((s->set & LAB_SH_JITTER) && s->jitter_ns && !s->delay_ns)
		lab_err(r->errs, line, "%s jitter= needs delay=", what);
	if ((s->set & LAB_SH_REORDER) && s->reorder_pct > 0 && !s->delay_ns)
		lab_err(r->errs, line, "%s reorder= needs delay=", what);
}

static void check_links_shaping(struct resolver *r)
{
	int i;

	for (i = 0; i < r->lab->nlinks; i++) {
		check_shaping(r, r->lab->links[i].line, "<link>",
			      &r->lab->links[i].shape[0]);
		check_shaping(r, r->lab->links[i].line, "<link>",
			      &r->lab->links[i].shape[1]);
	}
}

/* Where a <file> lands: files under /shared (or /run/shared) are one
 * directory for the whole lab, the rest are the node's own. */
static const char *file_scope(const struct lab_file *f, int *node)
{
	if (!strncmp(f->path, "/shared/", 8)) {
		*node = -1;
		return f->path + 7;
	}
	if (!strncmp(f->path, "/run/shared/", 12)) {
		*node = -1;
		return f->path + 11;
	}
	*node = f->node;
	return f->path;
}

/* Files sorted by scope, then path with '/' below every other byte: a
 * file's descendants then come right after it, so duplicates and
 * file/directory clashes are neighbours. */
static int cmp_file_scope(const void *a, const void *b, void *ctx)
{
	const struct lab *lab = ctx;
	int na, nb;
	const unsigned char *pa = (const unsigned char *)file_scope(
		&lab->files[*(const int *)a], &na);
	const unsigned char *pb = (const unsigned char *)file_scope(
		&lab->files[*(const int *)b], &nb);

	if (na != nb)
		return na - nb;
	for (; *pa && *pa == *pb; pa++, pb++)
		;
	if (*pa == *pb)
		return *(const int *)a - *(const int *)b;
	return (*pa == '/' ? 1 : *pa + 1) - (*pb == '/' ? 1 : *pb + 1);
}

/* Two files in one place, or a file where another needs a directory. */
static void file_clash(struct resolver *r, int i, int j)
{
	struct lab *lab = r->lab;
	int ni, nj;
	const char *pi = file_scope(&lab->files[i], &ni);
	const char *pj = file_scope(&lab->files[j], &nj);
	size_t li = strlen(pi), lj = strlen(pj);

	if (ni != nj)
		return;
	if (!strcmp(pi, pj))
		lab_err(r->errs, lab->files[i].line,
			"<file> path=\"%s\" is given twice for %s (line %d)",
			lab->files[i].path,
			ni < 0 ? "the lab's shared directory" : lab->nodes[ni].name,
			lab->files[j].line);
	else if ((li > lj && !strncmp(pi, pj, lj) && pi[lj] == '/') ||
		 (lj > li && !strncmp(pi, pj, li) && pj[li] == '/'))
		lab_err(r->errs, lab->files[i].line,
			"<file> path=\"%s\" and path=\"%s\" (line %d): one would have to be a file and a directory",
			lab->files[i].path, lab->files[j].path,
			lab->files[j].line);
}

static int check_files(struct resolver *r)
{
	struct lab *lab = r->lab;
	int *v = malloc(sizeof(int) * ((size_t)lab->nfiles + 1)), i;

	if (!v)
		return -ENOMEM;
	for (i = 0; i < lab->nfiles; i++)
		v[i] = i;
	qsort_r(v, (size_t)lab->nfiles, sizeof(int), cmp_file_scope, lab);
	for (i = 1; i < lab->nfiles; i++)
		file_clash(r, v[i] > v[i - 1] ? v[i] : v[i - 1],
			   v[i] > v[i - 1] ? v[i - 1] : v[i]);
	free(v);
	return 0;
}

/* The link at interface x->ifname of x's node, if its other end is y. */
static int link_by_iface(struct resolver *r, const struct lab_end *x,
			 const struct lab_end *y)
{
	const struct lab *lab = r->lab;
	int f = if_find(r, x->node, x->ifname), l, o;

	if (f < 0 || (l = lab->ifaces[f].link) < 0)
		return -1;
	o = lab->links[l].iface[!lab->ifaces[f].end];
	if (lab->ifaces[o].node != y->node ||
	    (y->ifname && strcmp(y->ifname, lab->ifaces[o].name)))
		return -1;
	return l;
}

static unsigned pair_hash(const struct resolver *r, int a, int b)
{
	uint64_t k = (uint64_t)(uint32_t)(a < b ? a : b) << 32 |
		     (uint32_t)(a < b ? b : a);

	return (unsigned)(k * 0x9e3779b97f4a7c15ull >> 32) & (r->npairs - 1);
}

static bool same_pair(const struct lab *lab, int li, int a, int b)
{
	int x = lab->links[li].end[0].node, y = lab->links[li].end[1].node;

	return (x == a && y == b) || (x == b && y == a);
}

/* The first link between each pair of nodes, in a hash table. */
static int build_pairs(struct resolver *r)
{
	const struct lab *lab = r->lab;
	int i;

	for (r->npairs = 16; r->npairs < 2 * (unsigned)lab->nlinks + 2;)
		r->npairs *= 2;
	r->pairs = calloc(r->npairs, sizeof(int));
	if (!r->pairs)
		return -ENOMEM;
	for (i = 0; i < lab->nlinks; i++) {
		int a = lab->links[i].end[0].node, b = lab->links[i].end[1].node;
		unsigned h = pair_hash(r, a, b);

		while (r->pairs[h] && !same_pair(lab, r->pairs[h] - 1, a, b))
			h = (h + 1) & (r->npairs - 1);
		if (!r->pairs[h])
			r->pairs[h] = i + 1;
	}
	return 0;
}

/* Find the link between two ends (either order): the one at a named
 * interface, else the first link between the two nodes. */
static int find_link(struct resolver *r, struct lab_end *e)
{
	unsigned h;

	if (e[0].ifname)
		return link_by_iface(r, &e[0], &e[1]);
	if (e[1].ifname)
		return link_by_iface(r, &e[1], &e[0]);
	if (!r->pairs && build_pairs(r))
		return -1;
	for (h = pair_hash(r, e[0].node, e[1].node); r->pairs[h];
	     h = (h + 1) & (r->npairs - 1))
		if (same_pair(r->lab, r->pairs[h] - 1, e[0].node, e[1].node))
			return r->pairs[h] - 1;
	return -1;
}

static void step_node(struct resolver *r, struct lab_step *s, const char *attr)
{
	if (!s->node)
		return;
	s->node_idx = name_lookup(r, s->node, false, 0);
	if (s->node_idx < 0)
		lab_err(r->errs, s->line, "<%s> %s=\"%s\": no node named \"%s\"",
			s->kind == LAB_STEP_PING ? "ping" :
			s->kind == LAB_STEP_IPERF ? "iperf" :
			s->kind == LAB_STEP_RUN ? "run" : "exec",
			attr, s->node, s->node);
}

static void step_target(struct resolver *r, struct lab_step *s)
{
	const char *el = s->kind == LAB_STEP_PING ? "ping" : "iperf";

	s->to_node = name_lookup(r, s->to, false, 0);
	if (s->to_node >= 0) {
		if (!lab_node_first_addr(r->lab, s->to_node, AF_INET,
					 &s->to_addr) &&
		    !lab_node_first_addr(r->lab, s->to_node, AF_INET6,
					 &s->to_addr))
			lab_err(r->errs, s->line,
				"<%s> to=\"%s\": node %s has no address", el,
				s->to, s->to);
		return;
	}
	if (lab_addr_parse(s->to, &s->to_addr) || s->to_addr.prefix >= 0)
		lab_err(r->errs, s->line,
			"<%s> to=\"%s\": no node named \"%s\" and not an IP address",
			el, s->to, s->to);
}

static void resolve_steps(struct resolver *r)
{
	struct lab *lab = r->lab;
	int i;

	for (i = 0; i < lab->nsteps; i++) {
		struct lab_step *s = &lab->steps[i];

		switch (s->kind) {
		case LAB_STEP_PING:
		case LAB_STEP_IPERF:
			step_node(r, s, "from");
			step_target(r, s);
			break;
		case LAB_STEP_RUN:
		case LAB_STEP_EXEC:
			step_node(r, s, "node");
			break;
		case LAB_STEP_LINK_DOWN:
		case LAB_STEP_LINK_UP:
		case LAB_STEP_LINK_SET:
			if (resolve_end(r, s->line, "a", &s->end[0]) < 0 ||
			    resolve_end(r, s->line, "b", &s->end[1]) < 0)
				break;
			s->link = find_link(r, s->end);
			if (s->link < 0)
				lab_err(r->errs, s->line,
					"no link between %s and %s",
					s->end[0].text, s->end[1].text);
			else if (s->kind == LAB_STEP_LINK_SET) {
				struct lab_shaping m = lab->links[s->link].shape[0];

				lab_shaping_merge(&m, &s->shape);
				check_shaping(r, s->line, "<link-set>", &m);
			}
			break;
		default:
			break;
		}
	}
}

/* ---- /etc/hosts ------------------------------------------------------------ */

static int build_hosts(struct lab *lab)
{
	static const char head[] = "127.0.0.1\tlocalhost\n"
				   "::1\tlocalhost ip6-localhost ip6-loopback\n";
	size_t cap = sizeof(head) + (size_t)lab->nnodes * 96, n;
	char ip[64];
	int i;

	lab->hosts = arena_alloc(&lab->arena, cap);
	if (!lab->hosts)
		return -ENOMEM;
	n = (size_t)snprintf(lab->hosts, cap, "%s", head);
	for (i = 0; i < lab->nnodes; i++) {
		struct lab_addr a;

		if (!lab_node_first_addr(lab, i, AF_INET, &a) &&
		    !lab_node_first_addr(lab, i, AF_INET6, &a))
			continue;
		n += (size_t)snprintf(lab->hosts + n, cap - n, "%s\t%s\n",
				      lab_ip_str(&a, ip, sizeof(ip)),
				      lab->nodes[i].name);
	}
	return 0;
}

static bool any_v6(const struct lab *lab)
{
	int i, k;

	if (lab->ip6base.family)
		return true;
	for (i = 0; i < lab->nifaces; i++)
		for (k = 0; k < lab->ifaces[i].naddrs; k++)
			if (lab->ifaces[i].addrs[k].family == AF_INET6)
				return true;
	for (i = 0; i < lab->nroutes; i++)
		if (lab->routes[i].dst.family == AF_INET6)
			return true;
	return false;
}

/* ---- driver ---------------------------------------------------------------- */

static int resolve_all(struct resolver *r)
{
	struct lab *lab = r->lab;
	int ret;

	ret = check_nodes(r);
	if (ret || r->errs->n)
		return ret;
	ret = index_declared(r);
	if (!ret)
		ret = resolve_links(r);
	if (ret || r->errs->n)
		return ret;
	check_ifaces(r);
	check_bridge_ports(r);
	sort_node_ifaces(lab);
	assign_mtus(lab);
	check_vlans(r);
	check_links_shaping(r);
	ret = check_files(r);
	if (!ret)
		ret = assign_macs(r);
	if (!ret)
		ret = build_segments(r);
	if (!ret && !r->errs->n)
		ret = assign_addresses(r);
	if (!ret && !r->errs->n)
		ret = resolve_routes(r);
	if (ret || r->errs->n)
		return ret;
	resolve_steps(r);
	lab->ipv6_on = lab->ipv6 == LAB_V6_ON ||
		       (lab->ipv6 == LAB_V6_AUTO && any_v6(lab));
	if (lab->ipv6 == LAB_V6_OFF && any_v6(lab))
		lab_err(r->errs, lab->line,
			"<lab> ipv6=\"off\" but the lab has IPv6 addresses or ip6base");
	return build_hosts(lab);
}

int lab_resolve(struct lab *lab, struct lab_errors *errs)
{
	struct resolver r = { .lab = lab, .errs = errs };
	int ret;

	ret = resolve_all(&r);
	free(r.names);
	free(r.uf);
	free(r.next_auto);
	free(r.ifh);
	free(r.pairs);
	if (ret)
		return ret;
	if (errs->n)
		return -EINVAL;
	lab->resolved = true;
	return 0;
}

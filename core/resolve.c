/* resolve.c — from a parsed lab to a complete one, without any syscall.
 *
 * Checks every rule of the lab format that needs more than one element
 * (topologies/README.md, "General rules": the second pass), and makes every
 * automatic choice: interface names and ifindexes, segments, IPv4/IPv6
 * addresses, MACs, gateways, /etc/hosts.  The order of the passes matters:
 * names before segments, segments before addresses, addresses before
 * routes.  Addresses and routes are in resolve_addr.c, test steps in
 * resolve_steps.c; this file holds the rest and the driver.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "resolve_int.h"
#include "units.h"

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

int name_lookup(struct resolver *r, const char *name, bool insert, int idx)
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

int if_find(const struct resolver *r, int node, const char *name)
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

int resolve_end(struct resolver *r, int line, const char *attr,
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
	/* ifindexes: lo = 1; a switch's bridge br0 = 2; the ends of the
	 * lab's link L (from 0, in document order) 3 + 2L (its a end) and
	 * 4 + 2L (its b end); then sub-interfaces, from 3 + 2 * nlinks.  A
	 * fresh namespace holds only lo, so these are the numbers the kernel
	 * will use, and the two ends of a veth never share one, which makes
	 * the kernel handle their carrier at once (core/README.md, "Kernel
	 * facts: link flags" 3). */
	for (i = 0; i < lab->nnodes; i++) {
		struct lab_node *n = &lab->nodes[i];
		int next = 3 + 2 * lab->nlinks;

		if (n->nifaces > 1)	/* ifaces is NULL when there are none */
			qsort_r(n->ifaces, (size_t)n->nifaces, sizeof(int),
				cmp_link_order, lab);
		for (j = 0; j < n->nifaces; j++) {
			struct lab_iface *f = &lab->ifaces[n->ifaces[j]];

			f->ifindex = f->link >= 0 ? 3 + 2 * f->link + f->end
						  : next++;
		}
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

/* ---- shaping, files -------------------------------------------------------- */

void check_shaping(struct resolver *r, int line, const char *what,
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
	const char *rest;

	if (lab_file_area(f->path, &rest) == LAB_AREA_SHARED) {
		*node = -1;
		return rest - 1;	/* "/X": as before, the slash included */
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


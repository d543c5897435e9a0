/* resolve_steps.c — the nodes and links that test steps name
 * (topologies/README.md, "Tests"): node names to indexes, and each link
 * step's two ends to the link between them.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "resolve_int.h"

/* ---- steps ------------------------------------------------------------------ */

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

void resolve_steps(struct resolver *r)
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
		case LAB_STEP_LINK_FLAP:
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


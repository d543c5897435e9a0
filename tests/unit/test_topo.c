/* test_topo.c — generated topologies (core/topo.h; topologies/README.md,
 * "Generated topologies"): every kind is generated, parsed and resolved as
 * a lab file, and its nodes, links (in order, with their interfaces) and
 * addresses compared with Mininet 2.3's, worked out by hand from
 * Mininet's source:
 *
 *   mininet/topo.py     Topo.addPort: a new port is the node's number of
 *                       ports so far, + 1 on a switch (hosts from eth0,
 *                       switches from eth1); SingleSwitchTopo,
 *                       SingleSwitchReversedTopo, MinimalTopo, LinearTopo
 *   mininet/topolib.py  TreeTopo.addTree, TorusTopo.build
 *   mininet/net.py      Mininet.buildFromTopo: addHost for topo.hosts()
 *                       (sorted by util.natural), then the switches, then
 *                       addLink for topo.links(sort=True) (sorted by
 *                       util.naturalSeq of (node1, node2)); Mininet.addHost
 *                       gives host number N (in that order, from 1)
 *                       ipAdd(N) in ipBase 10.0.0.0/8
 *   mininet/util.py     natural: "h10" after "h9"; splitArgs: "a,1,k=2"
 *
 * ring and mesh are nslab's own; their expected values come from
 * topologies/README.md, "Generated topologies".
 */
#include "../tsuite.h"
#include "lab.h"
#include "topo.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- helpers ------------------------------------------------------------- */

static char *gen(const char *spec, const char *name)
{
	char why[320] = "", *xml = NULL;
	size_t len = 0;
	int ret = topo_gen(spec, name, &xml, &len, why, sizeof(why));

	ck_assert_msg(ret == 0, "%s refused (%d): %s", spec, ret, why);
	ck_assert_ptr_nonnull(xml);
	ck_assert_uint_eq(strlen(xml), len);
	return xml;
}

/* The lab of SPEC, parsed and resolved as a lab file is. */
static struct lab *load_named(const char *spec, const char *name)
{
	struct lab_errors *errs = malloc(sizeof(*errs));
	struct lab *lab = NULL;
	char *xml = gen(spec, name);
	int ret;

	ck_assert_ptr_nonnull(errs);
	lab_errors_init(errs, spec);
	ret = lab_parse_buffer(xml, strlen(xml), spec, ".", &lab, errs);
	if (!ret)
		ret = lab_resolve(lab, errs);
	ck_assert_msg(ret == 0, "%s: the lab file is refused: line %d: %s",
		      spec, errs->n ? errs->v[0].line : 0,
		      errs->n ? errs->v[0].msg : "?");
	free(errs);
	free(xml);
	return lab;
}

static struct lab *load(const char *spec)
{
	return load_named(spec, NULL);
}

static int count_kind(const struct lab *lab, enum lab_kind k)
{
	int i, n = 0;

	for (i = 0; i < lab->nnodes; i++)
		n += lab->nodes[i].kind == k;
	return n;
}

static void expect_counts(const struct lab *lab, int hosts, int switches,
			  int routers, int links)
{
	ck_assert_int_eq(count_kind(lab, LAB_HOST), hosts);
	ck_assert_int_eq(count_kind(lab, LAB_SWITCH), switches);
	ck_assert_int_eq(count_kind(lab, LAB_ROUTER), routers);
	ck_assert_int_eq(lab->nlinks, links);
}

/* Link i as "a:IF -- b:IF", the ends as written (a is Mininet's node1). */
static const char *link_str(const struct lab *lab, int i, char *buf,
			    size_t len)
{
	const struct lab_link *l = &lab->links[i];

	snprintf(buf, len, "%s:%s -- %s:%s", lab->nodes[l->end[0].node].name,
		 lab->ifaces[l->iface[0]].name, lab->nodes[l->end[1].node].name,
		 lab->ifaces[l->iface[1]].name);
	return buf;
}

static void expect_link(const struct lab *lab, int i, const char *want)
{
	char buf[128];

	ck_assert_int_lt(i, lab->nlinks);
	ck_assert_msg(!strcmp(link_str(lab, i, buf, sizeof(buf)), want),
		      "link %d is %s, expected %s", i, buf, want);
}

/* The links, all of them, in this order. */
static void expect_links(const struct lab *lab, const char *const *want)
{
	int i;

	for (i = 0; want[i]; i++)
		expect_link(lab, i, want[i]);
	ck_assert_int_eq(lab->nlinks, i);
}

static int node_of(const struct lab *lab, const char *name)
{
	int n = lab_node_find(lab, name);

	ck_assert_msg(n >= 0, "no node %s", name);
	return n;
}

/* The first address of NODE:IFACE, "10.0.0.1/8". */
static const char *addr_of(const struct lab *lab, const char *node,
			   const char *ifname, char *buf, size_t len)
{
	int i = lab_iface_find(lab, node_of(lab, node), ifname);
	struct lab_addr a[LAB_IFACE_ADDRS_ALL];

	ck_assert_msg(i >= 0, "no interface %s:%s", node, ifname);
	ck_assert_int_ge(lab_iface_addrs(lab, i, a, LAB_IFACE_ADDRS_ALL), 1);
	return lab_addr_str(&a[0], buf, len);
}

static void expect_addr(const struct lab *lab, const char *node,
			const char *ifname, const char *want)
{
	char buf[64];

	ck_assert_str_eq(addr_of(lab, node, ifname, buf, sizeof(buf)), want);
}

/* The i-th node of the file is NAME (hosts first, as Mininet adds them). */
static void expect_node(const struct lab *lab, int i, const char *name,
			enum lab_kind k)
{
	ck_assert_int_lt(i, lab->nnodes);
	ck_assert_str_eq(lab->nodes[i].name, name);
	ck_assert_int_eq(lab->nodes[i].kind, k);
}

/* The via of NODE's route to DST ("default" for the default route), or
 * NULL. */
static const char *route_via(const struct lab *lab, const char *node,
			     const char *dst, char *buf, size_t len)
{
	int n = node_of(lab, node), i;
	char d[64];

	for (i = 0; i < lab->nroutes; i++) {
		const struct lab_route *r = &lab->routes[i];

		if (r->node != n || !r->has_via)
			continue;
		if (r->is_default ? strcmp(dst, "default") :
				    strcmp(lab_addr_str(&r->dst, d, sizeof(d)), dst))
			continue;
		return lab_ip_str(&r->via, buf, len);
	}
	return NULL;
}

static void expect_route(const struct lab *lab, const char *node,
			 const char *dst, const char *via)
{
	char buf[64];
	const char *got = route_via(lab, node, dst, buf, sizeof(buf));

	ck_assert_msg(got && !strcmp(got, via), "%s: route to %s via %s, expected via %s",
		      node, dst, got ? got : "(none)", via);
}

static int routes_of(const struct lab *lab, const char *node)
{
	int n = node_of(lab, node), i, k = 0;

	for (i = 0; i < lab->nroutes; i++)
		k += lab->routes[i].node == n;
	return k;
}

/* The name of NODE's I-th interface in ifindex order (the order Mininet
 * makes them: links in build order). */
static const char *iface_at(const struct lab *lab, const char *node, int i)
{
	const struct lab_node *n = &lab->nodes[node_of(lab, node)];

	ck_assert_int_lt(i, n->nifaces);
	return lab->ifaces[n->ifaces[i]].name;
}

/* ---- Mininet's kinds ------------------------------------------------------ */

/* MinimalTopo is SingleSwitchTopo(k=2): s1, h1, h2; addLink(h1, s1),
 * addLink(h2, s1).  Ports: h1's first (0), s1's first (1). */
START_TEST(test_minimal)
{
	struct lab *lab = load("minimal");

	ck_assert_str_eq(lab->name, "minimal");
	expect_counts(lab, 2, 1, 0, 2);
	expect_links(lab, (const char *const[]){ "h1:eth0 -- s1:eth1",
						 "h2:eth0 -- s1:eth2", NULL });
	expect_addr(lab, "h1", "eth0", "10.0.0.1/8");
	expect_addr(lab, "h2", "eth0", "10.0.0.2/8");
	lab_free(lab);
}
END_TEST

/* SingleSwitchTopo(k): for h in 1..k addLink(hH, s1); build(k=2) when no
 * value is given (mn --topo single). */
START_TEST(test_single)
{
	struct lab *lab = load("single,3");

	ck_assert_str_eq(lab->name, "single");
	expect_counts(lab, 3, 1, 0, 3);
	expect_links(lab, (const char *const[]){ "h1:eth0 -- s1:eth1",
						 "h2:eth0 -- s1:eth2",
						 "h3:eth0 -- s1:eth3", NULL });
	expect_addr(lab, "h3", "eth0", "10.0.0.3/8");
	ck_assert(!lab->nodes[node_of(lab, "s1")].stp);
	lab_free(lab);

	lab = load("single");
	expect_counts(lab, 2, 1, 0, 2);
	lab_free(lab);
}
END_TEST

/* SingleSwitchReversedTopo(k): the links are added h1 first, as in
 * single, but addLink(host, s1, port1=0, port2=k-h+1): h1 on s1-eth3,
 * h3 on s1-eth1.  s1's interfaces are made in link order: eth3 first. */
START_TEST(test_reversed)
{
	struct lab *lab = load("reversed,3");

	expect_counts(lab, 3, 1, 0, 3);
	expect_links(lab, (const char *const[]){ "h1:eth0 -- s1:eth3",
						 "h2:eth0 -- s1:eth2",
						 "h3:eth0 -- s1:eth1", NULL });
	ck_assert_str_eq(iface_at(lab, "s1", 0), "eth3");
	ck_assert_str_eq(iface_at(lab, "s1", 2), "eth1");
	expect_addr(lab, "h1", "eth0", "10.0.0.1/8");
	lab_free(lab);
}
END_TEST

/* LinearTopo(k, n=1): per switch i: addSwitch(si), addLink(hi, si), then
 * addLink(si, s(i-1)).  addLink order h1-s1, h2-s2, s2-s1, h3-s3, s3-s2;
 * sorted (naturalSeq, "h" < "s"): h1-s1, h2-s2, h3-s3, s2-s1, s3-s2.
 * Ports by addLink order: s2-eth1 to h2, s2-eth2 to s1, s2-eth3 to s3. */
START_TEST(test_linear)
{
	struct lab *lab = load("linear,3");

	expect_counts(lab, 3, 3, 0, 5);
	expect_links(lab, (const char *const[]){ "h1:eth0 -- s1:eth1",
						 "h2:eth0 -- s2:eth1",
						 "h3:eth0 -- s3:eth1",
						 "s2:eth2 -- s1:eth2",
						 "s3:eth2 -- s2:eth3", NULL });
	expect_addr(lab, "h2", "eth0", "10.0.0.2/8");
	lab_free(lab);
}
END_TEST

/* LinearTopo(k=3, n=2): hosts named 'h%ss%d' % (j, i), so h1s1, h2s1 on
 * s1.  topo.hosts() sorts them naturally: h1s1, h1s2, h1s3, h2s1, h2s2,
 * h2s3, and addHost numbers them 10.0.0.1.. in that order: h2s1 is
 * 10.0.0.4.  s2's ports by addLink order: h1s2 1, h2s2 2, s1 3, s3 4. */
START_TEST(test_linear_n)
{
	struct lab *lab = load("linear,3,2");
	static const char *const hosts[] = { "h1s1", "h1s2", "h1s3",
					     "h2s1", "h2s2", "h2s3" };
	int i;

	expect_counts(lab, 6, 3, 0, 8);
	for (i = 0; i < 6; i++)
		expect_node(lab, i, hosts[i], LAB_HOST);
	expect_node(lab, 6, "s1", LAB_SWITCH);
	expect_addr(lab, "h1s3", "eth0", "10.0.0.3/8");
	expect_addr(lab, "h2s1", "eth0", "10.0.0.4/8");
	expect_links(lab, (const char *const[]){ "h1s1:eth0 -- s1:eth1",
						 "h1s2:eth0 -- s2:eth1",
						 "h1s3:eth0 -- s3:eth1",
						 "h2s1:eth0 -- s1:eth2",
						 "h2s2:eth0 -- s2:eth2",
						 "h2s3:eth0 -- s3:eth2",
						 "s2:eth3 -- s1:eth3",
						 "s3:eth3 -- s2:eth4", NULL });
	ck_assert_int_lt(lab_node_find(lab, "h1"), 0);
	lab_free(lab);

	/* n given as a key, k by its position */
	lab = load("linear,2,n=3");
	expect_counts(lab, 6, 2, 0, 7);
	expect_node(lab, 0, "h1s1", LAB_HOST);
	lab_free(lab);
}
END_TEST

/* TreeTopo(2, 2): addTree(2) adds s1; its first child addTree(1) adds s2,
 * then h1 with addLink(s2, h1), h2 with addLink(s2, h2), and returns s2:
 * addLink(s1, s2).  The same for s3, h3, h4, then addLink(s1, s3).  Sorted
 * by (node1, node2): s1-s2, s1-s3, s2-h1, s2-h2, s3-h3, s3-h4.  s2's ports
 * by addLink order: h1 1, h2 2, s1 3. */
START_TEST(test_tree)
{
	struct lab *lab = load("tree,2,2");

	ck_assert_str_eq(lab->name, "tree");
	expect_counts(lab, 4, 3, 0, 6);
	expect_links(lab, (const char *const[]){ "s1:eth1 -- s2:eth3",
						 "s1:eth2 -- s3:eth3",
						 "s2:eth1 -- h1:eth0",
						 "s2:eth2 -- h2:eth0",
						 "s3:eth1 -- h3:eth0",
						 "s3:eth2 -- h4:eth0", NULL });
	expect_addr(lab, "h4", "eth0", "10.0.0.4/8");
	/* s2-eth3 is made first: its link comes first */
	ck_assert_str_eq(iface_at(lab, "s2", 0), "eth3");
	lab_free(lab);
}
END_TEST

/* TreeTopo(3, 2): switches numbered depth first: s1, s2 (s1's first
 * child), s3 and s4 (s2's children, with h1 h2 and h3 h4), s5 (s1's
 * second child), s6, s7.  7 switches, 8 hosts, 14 links. */
START_TEST(test_tree_deep)
{
	struct lab *lab = load("tree,3,2");

	expect_counts(lab, 8, 7, 0, 14);
	expect_link(lab, 0, "s1:eth1 -- s2:eth3");
	expect_link(lab, 1, "s1:eth2 -- s5:eth3");
	expect_link(lab, 2, "s2:eth1 -- s3:eth3");
	expect_link(lab, 3, "s2:eth2 -- s4:eth3");
	expect_link(lab, 4, "s3:eth1 -- h1:eth0");
	expect_link(lab, 7, "s4:eth2 -- h4:eth0");
	expect_link(lab, 8, "s5:eth1 -- s6:eth3");
	expect_link(lab, 13, "s7:eth2 -- h8:eth0");
	lab_free(lab);

	/* depth=2, fanout=3 by key: s1 over s2, s3, s4 with 3 hosts each */
	lab = load("tree,depth=2,fanout=3");
	expect_counts(lab, 9, 4, 0, 12);
	expect_link(lab, 2, "s1:eth3 -- s4:eth4");
	expect_link(lab, 11, "s4:eth3 -- h9:eth0");
	lab_free(lab);

	/* TreeTopo's defaults: depth 1, fanout 2 */
	lab = load("tree");
	expect_counts(lab, 2, 1, 0, 2);
	lab_free(lab);
}
END_TEST

/* Natural order, not strcmp's: tree,1,12 has h1..h12; Mininet sorts them
 * h1, h2, ..., h9, h10, h11, h12, so h10 is 10.0.0.10 and the link to h10
 * is the tenth. */
START_TEST(test_natural_order)
{
	struct lab *lab = load("tree,1,12");

	expect_counts(lab, 12, 1, 0, 12);
	expect_node(lab, 1, "h2", LAB_HOST);
	expect_node(lab, 9, "h10", LAB_HOST);
	expect_addr(lab, "h10", "eth0", "10.0.0.10/8");
	expect_link(lab, 1, "s1:eth2 -- h2:eth0");
	expect_link(lab, 9, "s1:eth10 -- h10:eth0");
	lab_free(lab);

	/* addHost numbers past 255 as ipAdd does: h257 is 10.0.1.1 */
	lab = load("single,300");
	expect_addr(lab, "h257", "eth0", "10.0.1.1/8");
	expect_addr(lab, "h300", "eth0", "10.0.1.44/8");
	lab_free(lab);
}
END_TEST

/* TorusTopo(3, 3): switch 's%dx%d' and host 'h%dx%d' per (i+1, j+1),
 * addLink(host, switch); then per switch addLink(sw, (i, j+1)) and
 * addLink(sw, (i+1, j)), wrapping.  9 switches with STP (the torus has
 * loops), 9 hosts, 9 + 18 links; every switch has 5 ports.  Sorted, the
 * host links come first, then s1x1-s1x2, s1x1-s2x1, s1x2-s1x3, ...;
 * s1x3's link to s1x1 (wrapping) sorts under s1x3; under s3x1 the one to
 * s1x1 (wrapping down) comes before the one to s3x2.  s1x1's ports:
 * h1x1 1, s1x2 2, s2x1 3, then s1x3 4 and s3x1 5. */
START_TEST(test_torus)
{
	struct lab *lab = load("torus,3,3");
	int i;

	expect_counts(lab, 9, 9, 0, 27);
	for (i = 0; i < lab->nnodes; i++)
		ck_assert(lab->nodes[i].kind != LAB_SWITCH ||
			  lab->nodes[i].stp);
	for (i = 0; i < lab->nnodes; i++)
		if (lab->nodes[i].kind == LAB_SWITCH)
			ck_assert_int_eq(lab->nodes[i].nifaces, 5);
	expect_node(lab, 3, "h2x1", LAB_HOST);
	expect_addr(lab, "h2x1", "eth0", "10.0.0.4/8");
	expect_addr(lab, "h3x3", "eth0", "10.0.0.9/8");
	expect_link(lab, 0, "h1x1:eth0 -- s1x1:eth1");
	expect_link(lab, 8, "h3x3:eth0 -- s3x3:eth1");
	expect_link(lab, 9, "s1x1:eth2 -- s1x2:eth2");
	expect_link(lab, 10, "s1x1:eth3 -- s2x1:eth2");
	expect_link(lab, 13, "s1x3:eth3 -- s1x1:eth4");
	expect_link(lab, 21, "s3x1:eth4 -- s1x1:eth5");
	expect_link(lab, 22, "s3x1:eth3 -- s3x2:eth3");
	lab_free(lab);

	/* n=2 hosts per switch: 'h%sx%d' % (loc, k), h1x1x1 and h1x1x2 */
	lab = load("torus,3,4,2");
	expect_counts(lab, 24, 12, 0, 48);
	expect_node(lab, 1, "h1x1x2", LAB_HOST);
	expect_link(lab, 1, "h1x1x2:eth0 -- s1x1:eth2");
	lab_free(lab);

	/* keys in any order */
	lab = load("torus,y=4,x=3");
	expect_counts(lab, 12, 12, 0, 36);
	ck_assert_int_ge(lab_node_find(lab, "s3x4"), 0);
	ck_assert_int_lt(lab_node_find(lab, "s4x3"), 0);
	lab_free(lab);
}
END_TEST

/* ---- nslab's own -------------------------------------------------------- */

/* ring,4: hI 10.I.0.1/24 behind rI (10.I.0.254); rI-rJ (I < J) on
 * 10.I.J.0/30, rI .1 on ethJ, rJ .2 on ethI; routes to every other
 * 10.J.0.0/16 the shorter way round, clockwise on a tie
 * (topologies/README.md, "Generated topologies"). */
START_TEST(test_ring)
{
	struct lab *lab = load("ring,4");
	char buf[64];

	ck_assert_str_eq(lab->name, "ring");
	expect_counts(lab, 4, 0, 4, 8);
	expect_links(lab, (const char *const[]){ "h1:eth0 -- r1:eth0",
						 "h2:eth0 -- r2:eth0",
						 "h3:eth0 -- r3:eth0",
						 "h4:eth0 -- r4:eth0",
						 "r1:eth2 -- r2:eth1",
						 "r1:eth4 -- r4:eth1",
						 "r2:eth3 -- r3:eth2",
						 "r3:eth4 -- r4:eth3", NULL });
	expect_addr(lab, "h1", "eth0", "10.1.0.1/24");
	expect_addr(lab, "r1", "eth0", "10.1.0.254/24");
	expect_addr(lab, "r1", "eth4", "10.1.4.1/30");
	expect_addr(lab, "r4", "eth1", "10.1.4.2/30");
	expect_route(lab, "h3", "default", "10.3.0.254");
	expect_route(lab, "r1", "10.2.0.0/16", "10.1.2.2");
	expect_route(lab, "r1", "10.3.0.0/16", "10.1.2.2");	/* tie */
	expect_route(lab, "r1", "10.4.0.0/16", "10.1.4.2");
	expect_route(lab, "r3", "10.1.0.0/16", "10.3.4.2");	/* tie */
	ck_assert_int_eq(routes_of(lab, "r2"), 3);
	ck_assert_ptr_null(route_via(lab, "r2", "10.2.0.0/16", buf,
				     sizeof(buf)));
	lab_free(lab);

	/* ring,5: r1 reaches r4 through r5 (two hops back, not three on) */
	lab = load("ring,5");
	expect_route(lab, "r1", "10.3.0.0/16", "10.1.2.2");
	expect_route(lab, "r1", "10.4.0.0/16", "10.1.5.2");
	expect_route(lab, "r5", "10.2.0.0/16", "10.1.5.1");
	lab_free(lab);
}
END_TEST

/* mesh,4: every pair of routers linked (6 links), every route direct. */
START_TEST(test_mesh)
{
	struct lab *lab = load("mesh,4");

	expect_counts(lab, 4, 0, 4, 10);
	expect_link(lab, 4, "r1:eth2 -- r2:eth1");
	expect_link(lab, 6, "r1:eth4 -- r4:eth1");
	expect_link(lab, 9, "r3:eth4 -- r4:eth3");
	expect_route(lab, "r3", "10.1.0.0/16", "10.1.3.1");
	expect_route(lab, "r1", "10.4.0.0/16", "10.1.4.2");
	expect_route(lab, "h4", "default", "10.4.0.254");
	ck_assert_int_eq(routes_of(lab, "r4"), 3);
	ck_assert_int_eq(lab->nodes[node_of(lab, "r2")].nifaces, 4);
	lab_free(lab);
}
END_TEST

/* ---- the spec ------------------------------------------------------------ */

/* Every kind by keys gives the same file as by position (Mininet's
 * parameter names), and the same file every time. */
START_TEST(test_keys)
{
	static const char *const same[][2] = {
		{ "single,k=3", "single,3" },
		{ "reversed,k=4", "reversed,4" },
		{ "linear,k=3,n=2", "linear,3,2" },
		{ "linear,n=2,k=3", "linear,3,2" },
		{ "tree,depth=2,fanout=3", "tree,2,3" },
		{ "tree,2,fanout=3", "tree,2,3" },
		{ "torus,x=3,y=4,n=2", "torus,3,4,2" },
		{ "ring,n=5", "ring,5" },
		{ "mesh,n=3", "mesh,3" },
		{ "single", "single,2" },
		{ "tree", "tree,1,2" },
		{ "linear", "linear,2,1" },
	};
	size_t i;

	for (i = 0; i < sizeof(same) / sizeof(same[0]); i++) {
		char *a = gen(same[i][0], NULL), *b = gen(same[i][1], NULL);
		char *c = gen(same[i][1], NULL);

		ck_assert_msg(!strcmp(a, b), "%s and %s differ", same[i][0],
			      same[i][1]);
		ck_assert_str_eq(b, c);
		free(a);
		free(b);
		free(c);
	}
}
END_TEST

START_TEST(test_name)
{
	struct lab *lab = load_named("tree,2,2", "lab-1");
	char why[320] = "", *xml = NULL;
	size_t len;

	ck_assert_str_eq(lab->name, "lab-1");
	lab_free(lab);
	ck_assert_int_eq(topo_gen("tree,2,2", "1lab", &xml, &len, why,
				  sizeof(why)), -EINVAL);
	ck_assert_ptr_null(xml);
	ck_assert_str_eq(why, "lab name \"1lab\" must start with a letter");
}
END_TEST

/* Refused specs and their messages, naming the part at fault. */
START_TEST(test_bad)
{
	static const char *const bad[][2] = {
		{ "tree,0", "depth must be at least 1" },
		{ "tree,2,0", "fanout must be at least 1" },
		{ "", "no kind given (known: minimal, single, reversed, linear, tree, torus, ring, mesh)" },
		{ "foo,2", "unknown kind \"foo\" (known: minimal, single, reversed, linear, tree, torus, ring, mesh)" },
		{ "Tree,2", "unknown kind \"Tree\" (known: " },
		{ "tree,x", "depth \"x\" is not a whole number" },
		{ "tree,2,2.0", "fanout \"2.0\" is not a whole number" },
		{ "tree,-1", "depth \"-1\" is not a whole number" },
		{ "tree,,2", "depth \"\" is not a whole number" },
		{ "linear,3,n=", "n \"\" is not a whole number" },
		{ "tree,1,2,3", "tree takes at most 2 values: tree[,DEPTH[,FANOUT]]" },
		{ "single,2,3", "single takes at most 1 value: single[,K]" },
		{ "minimal,2", "minimal takes no values" },
		{ "minimal,k=2", "minimal has no parameter \"k\" (it has none)" },
		{ "tree,k=2", "tree has no parameter \"k\" (it has depth, fanout)" },
		{ "tree,2,depth=3", "depth is given twice" },
		{ "torus,3", "torus needs y: torus,X,Y[,N]" },
		{ "torus,y=3", "torus needs x: torus,X,Y[,N]" },
		{ "torus,2,3", "x must be at least 3" },
		{ "torus,3,3,0", "n must be at least 1" },
		{ "ring", "ring needs n: ring,N" },
		{ "ring,2", "n must be at least 3" },
		{ "ring,256", "n must be at most 255" },
		{ "mesh,1", "n must be at least 2" },
		{ "single,0", "k must be at least 1" },
		{ "single,1025", "too large: a switch would have 1025 ports, more than the 1024 a Linux bridge holds" },
		{ "linear,3,1023", "too large: a switch would have 1025 ports" },
		{ "tree,2,1024", "too large: a switch would have 1025 ports" },
		{ "torus,3,3,1021", "too large: a switch would have 1025 ports" },
		{ "single,99999999999999999999", "too large: a switch would have more ports than the 1024" },
		{ "tree,20,20", "too large: more than the 100000 elements a lab file may hold" },
		{ "tree,1000000000000,1", "too large: more than the 100000 elements" },
		{ "linear,50000", "too large: 100000 nodes and 99999 links need 250000 elements, more than the 100000 a lab file may hold" },
		{ "mesh,200", "too large: 400 nodes and 20100 links need 100501 elements" },
		/* one element too many: 27273 hosts with their ifaces,
		 * 9091 switches, 36363 links and <lab> */
		{ "linear,9091,3", "too large: 36364 nodes and 36363 links need 100001 elements" },
	};
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char why[320] = "", *xml = (char *)"untouched";
		size_t len = 1;
		int ret = topo_gen(bad[i][0], NULL, &xml, &len, why,
				   sizeof(why));

		ck_assert_msg(ret == -EINVAL, "%s: %d", bad[i][0], ret);
		ck_assert_ptr_null(xml);
		ck_assert_msg(!strncmp(why, bad[i][1], strlen(bad[i][1])),
			      "%s: \"%s\", expected \"%s...\"", bad[i][0], why,
			      bad[i][1]);
	}
}
END_TEST

/* The largest accepted specs are lab files nslab takes: a switch of 1024
 * ports, exactly 100000 elements (torus 3x41 with 270 hosts a switch:
 * 1 + 123 switches + 33210 hosts and their ifaces + 33456 links). */
START_TEST(test_largest)
{
	char why[320], *xml = NULL;
	struct lab *lab = load("single,1024");
	size_t len;

	expect_counts(lab, 1024, 1, 0, 1024);
	lab_free(lab);
	lab = load("torus,3,41,270");
	expect_counts(lab, 33210, 123, 0, 33456);
	lab_free(lab);
	ck_assert_int_eq(topo_gen("torus,3,41,271", NULL, &xml, &len, why,
				  sizeof(why)), -EINVAL);
	ck_assert_int_eq(topo_gen("ring,255", NULL, &xml, &len, why,
				  sizeof(why)), 0);
	free(xml);
}
END_TEST

/* The file itself: a comment that says where it comes from and what the
 * interface names mean, and no "--" inside it (XML forbids it). */
START_TEST(test_text)
{
	char *xml = gen("torus,3,3", NULL), *end = strstr(xml, "-->");

	ck_assert_ptr_nonnull(end);
	ck_assert(!strncmp(xml, "<!--\n  torus,3,3,1 (nslab gen): Mininet's TorusTopo(x=3, y=3, n=1).",
			   strlen("<!--\n  torus,3,3,1 (nslab gen): Mininet's TorusTopo(x=3, y=3, n=1).")));
	*end = 0;
	ck_assert_ptr_null(strstr(xml + 4, "--"));
	ck_assert_ptr_nonnull(strstr(xml, "s1-eth2 is s1:eth2"));
	ck_assert_ptr_nonnull(strstr(xml, "STP"));
	ck_assert_ptr_nonnull(strstr(end + 3, "<switch name=\"s1x1\" stp=\"on\"/>"));
	free(xml);
}
END_TEST

static Suite *topo_suite(void)
{
	Suite *s = suite_create("topo");
	TCase *tc = tcase_create("kinds");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_minimal);
	tcase_add_test(tc, test_single);
	tcase_add_test(tc, test_reversed);
	tcase_add_test(tc, test_linear);
	tcase_add_test(tc, test_linear_n);
	tcase_add_test(tc, test_tree);
	tcase_add_test(tc, test_tree_deep);
	tcase_add_test(tc, test_natural_order);
	tcase_add_test(tc, test_torus);
	tcase_add_test(tc, test_ring);
	tcase_add_test(tc, test_mesh);
	tcase_add_test(tc, test_keys);
	tcase_add_test(tc, test_name);
	tcase_add_test(tc, test_bad);
	tcase_add_test(tc, test_largest);
	tcase_add_test(tc, test_text);
	suite_add_tcase(s, tc);
	return s;
}

TSUITE(topo_suite)

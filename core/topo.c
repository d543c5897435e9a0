/* topo.c — generated topologies (topo.h; topologies/README.md, "Generated
 * topologies").
 *
 * A kind is built first as Mininet's Topo.build() builds it: nodes and
 * links in the order of its addHost, addSwitch and addLink calls, each link
 * end given the port number Mininet's addPort gives it (the node's ports so
 * far, counted from 0 on hosts and from 1 on switches) unless the kind
 * names the port.  It is then written out the way Mininet.buildFromTopo()
 * makes the network: hosts, then switches, each in natural name order (h2
 * before h10), the hosts numbered 10.0.0.1/8 up in that order, and the
 * links sorted by their two ends' names in natural order, the ends as
 * addLink got them.  Port N of a node is its interface ethN.
 *
 * ring and mesh are nslab's own: routers rI, each with a host hI on a LAN
 * of its own, and static routes; their names, addresses and link order
 * follow the same rules.
 */
#include "topo.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lab.h"

const char topo_kinds[] =
	"minimal, single, reversed, linear, tree, torus, ring, mesh";

#define TOPO_PARAMS 3
/* Counts and values saturate here; anything this large is refused. */
#define TOPO_BIG ((uint64_t)1 << 40)

enum tkind { T_HOST, T_SWITCH, T_ROUTER };

struct tnode {
	char name[LAB_NAME_MAX + 1];
	enum tkind kind;
	int nports;		/* ports given so far (Mininet's addPort) */
	int num;		/* ring, mesh: I of hI and rI */
};

struct tlink {
	int node[2];		/* node1 and node2 of Mininet's addLink */
	int port[2];
	int seq;		/* the order of the addLink calls */
};

/* What a topology is made of, counted before it is built. */
struct tsize {
	uint64_t hosts, switches, routers, links;
	uint64_t extra;		/* other elements: routers' ifaces, routes */
	uint64_t ports;		/* the most ports of one switch */
};

struct topo;

struct kind {
	const char *name;
	const char *usage;	/* "tree[,DEPTH[,FANOUT]]" */
	const char *mininet;	/* Mininet's class; NULL: nslab's own */
	int nparams, nrequired;
	const char *params[TOPO_PARAMS];	/* Mininet's names */
	uint64_t defaults[TOPO_PARAMS];
	uint64_t min[TOPO_PARAMS], max[TOPO_PARAMS];
	void (*size)(const uint64_t *v, struct tsize *s);
	void (*build)(struct topo *t);
	/* ring, mesh: are rI and rJ linked; the neighbour of rI on the
	 * shortest way to rJ */
	bool (*adjacent)(int n, int i, int j);
	int (*next_hop)(int n, int i, int j);
};

struct topo {
	const struct kind *kind;
	uint64_t v[TOPO_PARAMS];
	struct tnode *nodes;
	int nnodes;
	struct tlink *links;
	int nlinks;
	int *scratch;		/* 2 ints per node, for the builders */
};

static int fail(char *why, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(char *why, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, len, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

static uint64_t sat_add(uint64_t a, uint64_t b)
{
	return a + b > TOPO_BIG ? TOPO_BIG : a + b;
}

static uint64_t sat_mul(uint64_t a, uint64_t b)
{
	if (a && b > TOPO_BIG / a)
		return TOPO_BIG;
	return a * b;
}

/* ---- building, as Mininet's Topo does ---------------------------------- */

static int add_node(struct topo *t, enum tkind kind, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int add_node(struct topo *t, enum tkind kind, const char *fmt, ...)
{
	struct tnode *n = &t->nodes[t->nnodes];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(n->name, sizeof(n->name), fmt, ap);
	va_end(ap);
	n->kind = kind;
	return t->nnodes++;
}

/* Mininet's addLink(node1, node2, port1, port2): a port left out (-1) is
 * the node's next one, its ports so far plus 1 on a switch (addPort). */
static void add_link(struct topo *t, int a, int b, int pa, int pb)
{
	struct tlink *l = &t->links[t->nlinks];
	int end, node[2] = { a, b }, port[2] = { pa, pb };

	for (end = 0; end < 2; end++) {
		struct tnode *n = &t->nodes[node[end]];

		l->node[end] = node[end];
		l->port[end] = port[end] >= 0 ? port[end] :
			       n->nports + (n->kind == T_SWITCH);
		n->nports++;
	}
	l->seq = t->nlinks++;
}

/* SingleSwitchTopo(k) (and MinimalTopo, k=2): s1, then h1..hk, each
 * addLink(host, s1). */
static void size_single(const uint64_t *v, struct tsize *s)
{
	s->hosts = v[0];
	s->switches = 1;
	s->links = v[0];
	s->ports = v[0];
}

static void build_single(struct topo *t)
{
	int k = (int)t->v[0], s = add_node(t, T_SWITCH, "s1"), h;

	for (h = 1; h <= k; h++)
		add_link(t, add_node(t, T_HOST, "h%d", h), s, -1, -1);
}

/* SingleSwitchReversedTopo(k): the same, but addLink(host, s1, port1=0,
 * port2=k-h+1): h1 on s1's last port. */
static void build_reversed(struct topo *t)
{
	int k = (int)t->v[0], s = add_node(t, T_SWITCH, "s1"), h;

	for (h = 1; h <= k; h++)
		add_link(t, add_node(t, T_HOST, "h%d", h), s, 0, k - h + 1);
}

/* LinearTopo(k, n): for each switch si, its hosts (hi when n is 1, else
 * hjsi), addLink(host, si), then addLink(si, s(i-1)). */
static void size_linear(const uint64_t *v, struct tsize *s)
{
	s->hosts = sat_mul(v[0], v[1]);
	s->switches = v[0];
	s->links = sat_add(s->hosts, v[0] - 1);
	s->ports = sat_add(v[1], v[0] >= 3 ? 2 : v[0] - 1);
}

static void build_linear(struct topo *t)
{
	int k = (int)t->v[0], n = (int)t->v[1], i, j, sw, h, last = -1;

	for (i = 1; i <= k; i++) {
		sw = add_node(t, T_SWITCH, "s%d", i);
		for (j = 1; j <= n; j++) {
			if (n == 1)
				h = add_node(t, T_HOST, "h%d", i);
			else
				h = add_node(t, T_HOST, "h%ds%d", j, i);
			add_link(t, h, sw, -1, -1);
		}
		if (last >= 0)
			add_link(t, sw, last, -1, -1);
		last = sw;
	}
}

/* TreeTopo(depth, fanout): addTree(depth) adds a switch s<next> and, for
 * each of its fanout children, the child's whole subtree and then
 * addLink(switch, child); at depth 0 it adds a host h<next>.  So switches
 * are numbered depth first from the root, hosts left to right. */
static void size_tree(const uint64_t *v, struct tsize *s)
{
	uint64_t level = 1, i;

	/* stop counting once it is too large anyway (fanout 1, depth 10^12) */
	for (i = 0; i < v[0] && s->switches <= LAB_XML_ELEMENTS_MAX; i++) {
		s->switches = sat_add(s->switches, level);
		level = sat_mul(level, v[1]);
	}
	s->hosts = level;
	if (i < v[0])
		s->hosts = s->switches = TOPO_BIG;
	s->links = sat_add(s->hosts, s->switches) - 1;
	s->ports = v[1] + (v[0] > 1);
}

static int tree_node(struct topo *t, int depth, int *hosts, int *switches)
{
	if (depth > 0)
		return add_node(t, T_SWITCH, "s%d", (*switches)++);
	return add_node(t, T_HOST, "h%d", (*hosts)++);
}

/* addTree without recursion: node[] is the path from the root, done[] how
 * many children each node on it has so far. */
static void build_tree(struct topo *t)
{
	int depth = (int)t->v[0], fanout = (int)t->v[1];
	int *node = t->scratch, *done = t->scratch + depth + 1;
	int hosts = 1, switches = 1, sp = 0, left;

	node[sp] = tree_node(t, depth, &hosts, &switches);
	done[sp++] = 0;
	while (sp) {
		left = depth - (sp - 1);	/* the depth addTree got */
		if (left > 0 && done[sp - 1] < fanout) {
			done[sp - 1]++;
			node[sp] = tree_node(t, left - 1, &hosts, &switches);
			done[sp++] = 0;
			continue;
		}
		if (--sp)
			add_link(t, node[sp - 1], node[sp], -1, -1);
	}
}

/* TorusTopo(x, y, n): for i < x, j < y a switch s<i+1>x<j+1> with its n
 * hosts (h<i+1>x<j+1>, or h<i+1>x<j+1>x<k+1> when n > 1), addLink(host,
 * switch); then for each switch, addLink to its neighbour (i, j+1) and
 * to (i+1, j), both wrapping around. */
static void size_torus(const uint64_t *v, struct tsize *s)
{
	s->switches = sat_mul(v[0], v[1]);
	s->hosts = sat_mul(s->switches, v[2]);
	s->links = sat_add(s->hosts, sat_mul(s->switches, 2));
	s->ports = v[2] + 4;
}

static void build_torus(struct topo *t)
{
	int x = (int)t->v[0], y = (int)t->v[1], n = (int)t->v[2];
	int *sw = t->scratch, i, j, k, h;

	for (i = 0; i < x; i++)
		for (j = 0; j < y; j++) {
			sw[i * y + j] = add_node(t, T_SWITCH, "s%dx%d", i + 1,
						 j + 1);
			for (k = 0; k < n; k++) {
				if (n == 1)
					h = add_node(t, T_HOST, "h%dx%d",
						     i + 1, j + 1);
				else
					h = add_node(t, T_HOST, "h%dx%dx%d",
						     i + 1, j + 1, k + 1);
				add_link(t, h, sw[i * y + j], -1, -1);
			}
		}
	for (i = 0; i < x; i++)
		for (j = 0; j < y; j++) {
			add_link(t, sw[i * y + j], sw[i * y + (j + 1) % y],
				 -1, -1);
			add_link(t, sw[i * y + j], sw[(i + 1) % x * y + j],
				 -1, -1);
		}
}

/* ring and mesh: hI and rI linked on their eth0, then rI and rJ (I < J)
 * where the kind links them, on rI's ethJ and rJ's ethI. */
static bool ring_adjacent(int n, int i, int j)
{
	int d = (j - i + n) % n;

	return d == 1 || d == n - 1;
}

/* The way round with fewer hops; clockwise (rI to rI+1) on a tie. */
static int ring_next_hop(int n, int i, int j)
{
	return (j - i + n) % n <= n / 2 ? i % n + 1 : (i + n - 2) % n + 1;
}

static bool mesh_adjacent(int n, int i, int j)
{
	(void)n;
	return i != j;
}

static int mesh_next_hop(int n, int i, int j)
{
	(void)n;
	(void)i;
	return j;
}

static void size_ring(const uint64_t *v, struct tsize *s)
{
	s->hosts = s->routers = v[0];
	s->links = 2 * v[0];
	/* ifaces: eth0 and two ring ones; a route to every other router */
	s->extra = 3 * v[0] + v[0] * (v[0] - 1);
}

static void size_mesh(const uint64_t *v, struct tsize *s)
{
	s->hosts = s->routers = v[0];
	s->links = v[0] + v[0] * (v[0] - 1) / 2;
	/* ifaces: eth0 and one per other router; a route to each */
	s->extra = v[0] * v[0] + v[0] * (v[0] - 1);
}

static void build_routed(struct topo *t)
{
	int n = (int)t->v[0], *router = t->scratch, i, j, h;

	for (i = 1; i <= n; i++) {
		h = add_node(t, T_HOST, "h%d", i);
		router[i] = add_node(t, T_ROUTER, "r%d", i);
		t->nodes[h].num = t->nodes[router[i]].num = i;
		add_link(t, h, router[i], 0, 0);
	}
	for (i = 1; i <= n; i++)
		for (j = i + 1; j <= n; j++)
			if (t->kind->adjacent(n, i, j))
				add_link(t, router[i], router[j], j, i);
}

static const struct kind kinds[] = {
	{ .name = "minimal", .usage = "minimal", .mininet = "MinimalTopo",
	  .defaults = { 2 }, .size = size_single, .build = build_single },
	{ .name = "single", .usage = "single[,K]",
	  .mininet = "SingleSwitchTopo", .nparams = 1, .params = { "k" },
	  .defaults = { 2 }, .min = { 1 }, .max = { TOPO_BIG },
	  .size = size_single, .build = build_single },
	{ .name = "reversed", .usage = "reversed[,K]",
	  .mininet = "SingleSwitchReversedTopo", .nparams = 1,
	  .params = { "k" }, .defaults = { 2 }, .min = { 1 },
	  .max = { TOPO_BIG }, .size = size_single, .build = build_reversed },
	{ .name = "linear", .usage = "linear[,K[,N]]", .mininet = "LinearTopo",
	  .nparams = 2, .params = { "k", "n" }, .defaults = { 2, 1 },
	  .min = { 1, 1 }, .max = { TOPO_BIG, TOPO_BIG },
	  .size = size_linear, .build = build_linear },
	{ .name = "tree", .usage = "tree[,DEPTH[,FANOUT]]",
	  .mininet = "TreeTopo", .nparams = 2, .params = { "depth", "fanout" },
	  .defaults = { 1, 2 }, .min = { 1, 1 },
	  .max = { TOPO_BIG, TOPO_BIG }, .size = size_tree,
	  .build = build_tree },
	{ .name = "torus", .usage = "torus,X,Y[,N]", .mininet = "TorusTopo",
	  .nparams = 3, .nrequired = 2, .params = { "x", "y", "n" },
	  .defaults = { 0, 0, 1 }, .min = { 3, 3, 1 },
	  .max = { TOPO_BIG, TOPO_BIG, TOPO_BIG }, .size = size_torus,
	  .build = build_torus },
	/* rI's LAN is 10.I.0.0/24: at most 255 routers */
	{ .name = "ring", .usage = "ring,N", .nparams = 1, .nrequired = 1,
	  .params = { "n" }, .min = { 3 }, .max = { 255 }, .size = size_ring,
	  .build = build_routed, .adjacent = ring_adjacent,
	  .next_hop = ring_next_hop },
	{ .name = "mesh", .usage = "mesh,N", .nparams = 1, .nrequired = 1,
	  .params = { "n" }, .min = { 2 }, .max = { 255 }, .size = size_mesh,
	  .build = build_routed, .adjacent = mesh_adjacent,
	  .next_hop = mesh_next_hop },
};

/* ---- the spec ---------------------------------------------------------- */

/* A whole number (digits only), saturating at TOPO_BIG; -1 if not one. */
static int parse_value(const char *s, uint64_t *v)
{
	uint64_t x = 0;

	if (!*s)
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		x = x * 10 + (uint64_t)(*s - '0');
		if (x > TOPO_BIG)
			x = TOPO_BIG;
	}
	*v = x;
	return 0;
}

static int param_find(const struct kind *k, const char *key)
{
	int i;

	for (i = 0; i < k->nparams; i++)
		if (!strcmp(k->params[i], key))
			return i;
	return -1;
}

/* "it has depth, fanout" */
static void param_names(const struct kind *k, char *buf, size_t len)
{
	int i, n = snprintf(buf, len, "it has %s", k->nparams ? "" : "none");

	for (i = 0; i < k->nparams; i++)
		n += snprintf(buf + n, len - (size_t)n, "%s%s", i ? ", " : "",
			      k->params[i]);
}

/* One "VALUE" or "KEY=VALUE" of the spec; *npos counts the values. */
static int parse_param(struct topo *t, char *tok, int *npos, bool *given,
		       char *why, size_t len)
{
	const struct kind *k = t->kind;
	char *eq = strchr(tok, '='), names[64];
	const char *val = tok;
	int i;

	if (eq) {
		*eq = 0;
		val = eq + 1;
		i = param_find(k, tok);
		if (i < 0) {
			param_names(k, names, sizeof(names));
			return fail(why, len, "%s has no parameter \"%.40s\" (%s)",
				    k->name, tok, names);
		}
	} else {
		i = (*npos)++;
		if (!k->nparams)
			return fail(why, len, "%s takes no values", k->name);
		if (i >= k->nparams)
			return fail(why, len, "%s takes at most %d value%s: %s",
				    k->name, k->nparams,
				    k->nparams == 1 ? "" : "s", k->usage);
	}
	if (given[i])
		return fail(why, len, "%s is given twice", k->params[i]);
	given[i] = true;
	if (parse_value(val, &t->v[i]))
		return fail(why, len, "%s \"%.40s\" is not a whole number",
			    k->params[i], val);
	return 0;
}

static const struct kind *kind_find(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (!strcmp(kinds[i].name, name))
			return &kinds[i];
	return NULL;
}

/* SPEC (modified in place) into t->kind and t->v. */
static int parse_spec(struct topo *t, char *spec, char *why, size_t len)
{
	char *next = strchr(spec, ','), *tok;
	bool given[TOPO_PARAMS] = { false };
	const struct kind *k;
	int i, npos = 0, ret;

	if (next)
		*next++ = 0;
	k = t->kind = kind_find(spec);
	if (!k && !*spec)
		return fail(why, len, "no kind given (known: %s)", topo_kinds);
	if (!k)
		return fail(why, len, "unknown kind \"%.40s\" (known: %s)",
			    spec, topo_kinds);
	memcpy(t->v, k->defaults, sizeof(t->v));
	while (next) {
		tok = next;
		next = strchr(tok, ',');
		if (next)
			*next++ = 0;
		ret = parse_param(t, tok, &npos, given, why, len);
		if (ret)
			return ret;
	}
	for (i = 0; i < k->nrequired; i++)
		if (!given[i])
			return fail(why, len, "%s needs %s: %s", k->name,
				    k->params[i], k->usage);
	for (i = 0; i < k->nparams; i++) {
		if (t->v[i] < k->min[i])
			return fail(why, len, "%s must be at least %llu",
				    k->params[i],
				    (unsigned long long)k->min[i]);
		if (t->v[i] > k->max[i])
			return fail(why, len, "%s must be at most %llu",
				    k->params[i],
				    (unsigned long long)k->max[i]);
	}
	return 0;
}

/* Within what a lab file and a Linux bridge hold (topologies/README.md,
 * "Limits"). */
static int check_size(const struct tsize *s, char *why, size_t len)
{
	uint64_t nodes = sat_add(sat_add(s->hosts, s->switches), s->routers);
	/* <lab>, each node, each host's <iface>, each link, the rest */
	uint64_t elements = sat_add(sat_add(sat_add(1, nodes), s->hosts),
				    sat_add(s->links, s->extra));

	if (s->ports >= TOPO_BIG)
		return fail(why, len, "too large: a switch would have more ports than the %d a Linux bridge holds",
			    LAB_BRIDGE_PORTS_MAX);
	if (s->ports > LAB_BRIDGE_PORTS_MAX)
		return fail(why, len, "too large: a switch would have %llu ports, more than the %d a Linux bridge holds",
			    (unsigned long long)s->ports, LAB_BRIDGE_PORTS_MAX);
	if (elements > LAB_XML_ELEMENTS_MAX && nodes >= TOPO_BIG)
		return fail(why, len, "too large: more than the %d elements a lab file may hold",
			    LAB_XML_ELEMENTS_MAX);
	if (elements > LAB_XML_ELEMENTS_MAX)
		return fail(why, len, "too large: %llu nodes and %llu links need %llu elements, more than the %d a lab file may hold",
			    (unsigned long long)nodes,
			    (unsigned long long)s->links,
			    (unsigned long long)elements, LAB_XML_ELEMENTS_MAX);
	return 0;
}

/* ---- writing, as Mininet's buildFromTopo adds them --------------------- */

/* Mininet's util.natural as a sort key: a name is split into runs of
 * digits and runs of other characters, compared in turn, digit runs as
 * numbers; a name that runs out first sorts first. */
static int natural_cmp(const char *a, const char *b)
{
	static const char digits[] = "0123456789";
	size_t ta, tb, n;
	int c;

	for (;;) {
		ta = strcspn(a, digits);
		tb = strcspn(b, digits);
		c = memcmp(a, b, ta < tb ? ta : tb);
		if (c)
			return c;
		if (ta != tb)
			return ta < tb ? -1 : 1;
		a += ta;
		b += tb;
		if (!*a || !*b)
			return (*a != 0) - (*b != 0);
		while (*a == '0' && a[1] >= '0' && a[1] <= '9')
			a++;
		while (*b == '0' && b[1] >= '0' && b[1] <= '9')
			b++;
		ta = strspn(a, digits);
		tb = strspn(b, digits);
		if (ta != tb)
			return ta < tb ? -1 : 1;
		n = ta;
		c = memcmp(a, b, n);
		if (c)
			return c;
		a += n;
		b += n;
	}
}

/* hosts, then switches, then routers; each in natural name order */
static int node_cmp(const void *x, const void *y, void *ctx)
{
	const struct topo *t = ctx;
	const struct tnode *a = &t->nodes[*(const int *)x];
	const struct tnode *b = &t->nodes[*(const int *)y];

	if (a->kind != b->kind)
		return a->kind < b->kind ? -1 : 1;
	return natural_cmp(a->name, b->name);
}

/* Mininet's Topo.links(sort=True): by naturalSeq((node1, node2)); equal
 * ends keep the addLink order, as in Python's stable sort */
static int link_cmp(const void *x, const void *y, void *ctx)
{
	const struct topo *t = ctx;
	const struct tlink *a = &t->links[*(const int *)x];
	const struct tlink *b = &t->links[*(const int *)y];
	int c = natural_cmp(t->nodes[a->node[0]].name,
			    t->nodes[b->node[0]].name);

	if (!c)
		c = natural_cmp(t->nodes[a->node[1]].name,
				t->nodes[b->node[1]].name);
	return c ? c : a->seq - b->seq;
}

/* ring, mesh: rX's address on its link to rY, 10.I.J.1 for rI and
 * 10.I.J.2 for rJ (I < J) */
static void link_addr(FILE *f, int x, int y)
{
	fprintf(f, "10.%d.%d.%d", x < y ? x : y, x < y ? y : x, x < y ? 1 : 2);
}

static void write_router(FILE *f, const struct topo *t, const struct tnode *r)
{
	int n = (int)t->v[0], i = r->num, j;

	fprintf(f, "  <router name=\"%s\">\n", r->name);
	fprintf(f, "    <iface name=\"eth0\" addr=\"10.%d.0.254/24\"/>\n", i);
	for (j = 1; j <= n; j++)
		if (j != i && t->kind->adjacent(n, i, j)) {
			fprintf(f, "    <iface name=\"eth%d\" addr=\"", j);
			link_addr(f, i, j);
			fputs("/30\"/>\n", f);
		}
	for (j = 1; j <= n; j++)
		if (j != i) {
			fprintf(f, "    <route dst=\"10.%d.0.0/16\" via=\"", j);
			link_addr(f, t->kind->next_hop(n, i, j), i);
			fputs("\"/>\n", f);
		}
	fputs("  </router>\n", f);
}

/* host number `nth` (from 1) in the order Mininet adds them */
static void write_node(FILE *f, const struct topo *t, const struct tnode *n,
		       int nth)
{
	switch (n->kind) {
	case T_HOST:
		if (t->kind->next_hop)
			fprintf(f, "  <host name=\"%s\" gateway=\"10.%d.0.254\"><iface name=\"eth0\" addr=\"10.%d.0.1/24\"/></host>\n",
				n->name, n->num, n->num);
		else	/* Mininet's ipAdd(nth) in 10.0.0.0/8 */
			fprintf(f, "  <host name=\"%s\"><iface name=\"eth0\" addr=\"10.%d.%d.%d/8\"/></host>\n",
				n->name, (nth >> 16) & 255, (nth >> 8) & 255,
				nth & 255);
		break;
	case T_SWITCH:
		fprintf(f, "  <switch name=\"%s\"%s/>\n", n->name,
			t->kind->build == build_torus ? " stp=\"on\"" : "");
		break;
	case T_ROUTER:
		write_router(f, t, n);
		break;
	}
}

static void write_comment(FILE *f, const struct topo *t, const char *spec,
			  const struct tsize *s)
{
	const struct kind *k = t->kind;
	int i;

	fprintf(f, "<!--\n  %s (nslab gen): ", spec);
	if (k->mininet) {
		fprintf(f, "Mininet's %s(", k->mininet);
		for (i = 0; i < k->nparams; i++)
			fprintf(f, "%s%s=%llu", i ? ", " : "", k->params[i],
				(unsigned long long)t->v[i]);
		fprintf(f, ").\n  %llu hosts, %llu switch%s, %llu links.\n\n",
			(unsigned long long)s->hosts,
			(unsigned long long)s->switches,
			s->switches == 1 ? "" : "es",
			(unsigned long long)s->links);
		fputs("  As Mininet 2.3 builds it: hosts, then switches, each in natural name\n"
		      "  order (h2 before h10); hosts numbered 10.0.0.1/8, 10.0.0.2/8, ... in\n"
		      "  that order; the links in the order Mininet makes them, with its port\n"
		      "  numbers.  Mininet's interface s1-eth2 is s1:eth2 here, h1-eth0 is\n"
		      "  h1:eth0: inside its own namespace each node's are eth0, eth1, ...\n"
		      "  Switches are Linux bridges, without a controller; MAC addresses are\n"
		      "  nslab's (Mininet's are random).\n", f);
		if (k->build == build_torus)
			fputs("  The torus has loops: its switches run STP, so a port forwards\n"
			      "  after about 4 s.\n", f);
		fputs("-->\n", f);
		return;
	}
	fprintf(f, "%llu routers %s, each with one host.\n"
		"  %llu hosts, %llu routers, %llu links.\n\n",
		(unsigned long long)s->routers,
		k->adjacent == ring_adjacent ? "in a ring" :
					       "all linked to each other",
		(unsigned long long)s->hosts, (unsigned long long)s->routers,
		(unsigned long long)s->links);
	fprintf(f, "  Host hI is 10.I.0.1/24, on a LAN of its own with router rI\n"
		"  (10.I.0.254, its gateway).  The link between rI and rJ (I < J) is\n"
		"  10.I.J.0/30, rI .1 on its ethJ, rJ .2 on its ethI.  Each router has\n"
		"  a static route to every other router's 10.J.0.0/16 (its LAN and its\n"
		"  links), %s.\n-->\n",
		k->adjacent == ring_adjacent ?
			"the shorter way round the ring (clockwise on a tie)" :
			"over their direct link");
}

static int write_lab(const struct topo *t, const char *spec, const char *name,
		     const struct tsize *s, char **xml, size_t *len)
{
	int *order = t->scratch, i, nth = 0;
	const struct tlink *l;
	FILE *f;

	f = open_memstream(xml, len);
	if (!f)
		return -ENOMEM;
	write_comment(f, t, spec, s);
	fprintf(f, "<lab name=\"%s\">\n", name);
	for (i = 0; i < t->nnodes; i++)
		order[i] = i;
	qsort_r(order, (size_t)t->nnodes, sizeof(*order), node_cmp, (void *)t);
	for (i = 0; i < t->nnodes; i++)
		write_node(f, t, &t->nodes[order[i]],
			   t->nodes[order[i]].kind == T_HOST ? ++nth : 0);
	for (i = 0; i < t->nlinks; i++)
		order[i] = i;
	qsort_r(order, (size_t)t->nlinks, sizeof(*order), link_cmp, (void *)t);
	for (i = 0; i < t->nlinks; i++) {
		l = &t->links[order[i]];
		fprintf(f, "  <link a=\"%s:eth%d\" b=\"%s:eth%d\"/>\n",
			t->nodes[l->node[0]].name, l->port[0],
			t->nodes[l->node[1]].name, l->port[1]);
	}
	fputs("</lab>\n", f);
	if (ferror(f)) {
		fclose(f);
		free(*xml);
		*xml = NULL;
		return -ENOMEM;
	}
	if (fclose(f)) {
		free(*xml);
		*xml = NULL;
		return -ENOMEM;
	}
	return 0;
}

/* "tree,2,2": the kind and every value, defaults included */
static void normal_spec(const struct topo *t, char *buf, size_t len)
{
	int i, n = snprintf(buf, len, "%s", t->kind->name);

	for (i = 0; i < t->kind->nparams && (size_t)n < len; i++)
		n += snprintf(buf + n, len - (size_t)n, ",%llu",
			      (unsigned long long)t->v[i]);
}

static int generate(struct topo *t, const char *name, const struct tsize *s,
		    char **xml, size_t *len)
{
	size_t nodes = (size_t)(s->hosts + s->switches + s->routers);
	char spec[128];
	int ret = -ENOMEM;

	t->nodes = calloc(nodes, sizeof(*t->nodes));
	t->links = calloc((size_t)s->links + 1, sizeof(*t->links));
	/* the builders' and the sorts' scratch: 2 per node, 1 per link */
	t->scratch = calloc(2 * nodes + (size_t)s->links + 2, sizeof(int));
	if (t->nodes && t->links && t->scratch) {
		t->kind->build(t);
		normal_spec(t, spec, sizeof(spec));
		ret = write_lab(t, spec, name ? name : t->kind->name, s, xml,
				len);
	}
	free(t->nodes);
	free(t->links);
	free(t->scratch);
	return ret;
}

int topo_gen(const char *spec, const char *name, char **xml, size_t *len,
	     char *why, size_t whylen)
{
	struct topo t = { 0 };
	struct tsize s = { 0 };
	const char *bad;
	char *copy;
	int ret;

	*xml = NULL;
	*len = 0;
	if (name && !lab_name_check(name, &bad))
		return fail(why, whylen, "lab name \"%.40s\" %s", name, bad);
	copy = strdup(spec);
	if (!copy)
		return -ENOMEM;
	ret = parse_spec(&t, copy, why, whylen);
	free(copy);
	if (ret)
		return ret;
	t.kind->size(t.v, &s);
	ret = check_size(&s, why, whylen);
	if (ret)
		return ret;
	return generate(&t, name, &s, xml, len);
}

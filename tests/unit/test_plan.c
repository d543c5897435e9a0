/* test_plan.c — golden `nslab plan` scripts for every lab in topologies/,
 * the teardown script, and the order of the ops of a plan.
 *
 * Golden files: topologies/A/B.xml -> tests/data/golden/A_B.plan, the
 * exact output of `./nslab plan topologies/A/B.xml` (plan_print(down=0)).
 *
 * To re-freeze them after a deliberate change of the plan or its format:
 *
 *     NSLAB_UPDATE_GOLDEN=1 ./tests/unit/run
 *
 * rewrites every golden file instead of comparing (the test then passes).
 * Review `git diff tests/data/golden` before committing: each golden file
 * is a claim that the plan is right (names, ifindexes, addresses, routes,
 * qdiscs, files, start commands), checked by hand against
 * topologies/README.md.
 */
#include "../tsuite.h"
#include "lab.h"
#include "plan.h"

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define TOPO_DIR "topologies"
#define GOLDEN_DIR "tests/data/golden"
#define MAX_LABS 256


/* ---- finding the lab_files ------------------------------------------------------ */

static char *lab_files[MAX_LABS];
static int nlab_files;

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void walk(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;

	ck_assert_msg(d != NULL, "cannot open %s (run from the top of the tree)", dir);
	while ((de = readdir(d))) {
		char path[1024];
		struct stat st;
		size_t k = strlen(de->d_name);

		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (stat(path, &st))
			continue;
		if (S_ISDIR(st.st_mode)) {
			walk(path);
		} else if (k > 4 && !strcmp(de->d_name + k - 4, ".xml")) {
			ck_assert_int_lt(nlab_files, MAX_LABS);
			lab_files[nlab_files++] = strdup(path);
		}
	}
	closedir(d);
}

static void find_labs(void)
{
	if (nlab_files)
		return;
	walk(TOPO_DIR);
	qsort(lab_files, (size_t)nlab_files, sizeof(char *), cmp_str);
}

/* topologies/basics/p2p.xml -> tests/data/golden/basics_p2p.plan */
static void golden_path(const char *lab, char *out, size_t len)
{
	const char *rel = lab + strlen(TOPO_DIR) + 1;
	size_t k = strlen(rel) - 4, i, n;

	n = (size_t)snprintf(out, len, GOLDEN_DIR "/");
	for (i = 0; i < k && n + 1 < len; i++)
		out[n++] = rel[i] == '/' ? '_' : rel[i];
	out[n] = 0;
	strncat(out, ".plan", len - n - 1);
}

/* ---- plan text --------------------------------------------------------------- */

static struct lab *load_file(const char *path, struct tsuite_buf *r)
{
	struct lab_errors *errs = malloc(sizeof(*errs));
	struct lab *lab = NULL;
	int ret;

	ck_assert_ptr_nonnull(errs);
	lab_errors_init(errs, path);
	ret = lab_load(path, &lab, errs);
	if (ret) {
		tsuite_buf_line(r, "%s: refused (%d): line %d: %s", path, ret,
			   errs->n ? errs->v[0].line : 0,
			   errs->n ? errs->v[0].msg : "(no message)");
		lab_free(lab);
		lab = NULL;
	}
	free(errs);
	return lab;
}

/* plan_print into a malloc'd string. */
static char *plan_text(const struct plan *p, int down, size_t *len)
{
	char *buf = NULL;
	FILE *f = open_memstream(&buf, len);

	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(plan_print(p, f, down), 0);
	ck_assert_int_eq(fclose(f), 0);
	ck_assert_ptr_nonnull(buf);
	return buf;
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "r");
	char *buf = NULL;
	size_t cap = 0, n = 0, k;

	if (!f)
		return NULL;
	for (;;) {
		if (n + 4096 + 1 > cap) {
			cap = (cap + 4096 + 1) * 2;
			buf = realloc(buf, cap);
			ck_assert_ptr_nonnull(buf);
		}
		k = fread(buf + n, 1, 4096, f);
		n += k;
		if (k < 4096)
			break;
	}
	fclose(f);
	buf[n] = 0;
	*len = n;
	return buf;
}

/* First differing line, for the report. */
static void diff_report(struct tsuite_buf *r, const char *gold, const char *want,
			const char *got)
{
	int line = 1;
	const char *a = want, *b = got;

	for (;;) {
		const char *ea = strchr(a, '\n'), *eb = strchr(b, '\n');
		size_t la = ea ? (size_t)(ea - a) : strlen(a);
		size_t lb = eb ? (size_t)(eb - b) : strlen(b);

		if (la != lb || memcmp(a, b, la) || !ea != !eb) {
			tsuite_buf_line(r, "%s:%d differs:\n    golden: %.*s\n    now:    %.*s",
				   gold, line, (int)(la > 300 ? 300 : la), a,
				   (int)(lb > 300 ? 300 : lb), b);
			return;
		}
		if (!ea)
			break;
		a = ea + 1;
		b = eb + 1;
		line++;
	}
	tsuite_buf_line(r, "%s differs", gold);
}

START_TEST(test_golden)
{
	struct tsuite_buf r = { 0 };
	const char *upd = getenv("NSLAB_UPDATE_GOLDEN");
	bool update = upd && !strcmp(upd, "1");
	int i;

	find_labs();
	ck_assert_int_gt(nlab_files, 0);
	if (update)
		mkdir(GOLDEN_DIR, 0755);
	for (i = 0; i < nlab_files; i++) {
		struct lab *lab = load_file(lab_files[i], &r);
		struct plan *p = NULL;
		char gold[1024], *got, *want;
		size_t glen, wlen;

		if (!lab)
			continue;
		/* what `nslab plan` prints */
		ck_assert_int_eq(plan_build_for(lab, PLAN_IMPAIR_SCRIPT, &p), 0);
		got = plan_text(p, 0, &glen);
		golden_path(lab_files[i], gold, sizeof(gold));
		if (update) {
			FILE *f = fopen(gold, "w");

			ck_assert_msg(f != NULL, "cannot write %s", gold);
			ck_assert_uint_eq(fwrite(got, 1, glen, f), glen);
			ck_assert_int_eq(fclose(f), 0);
		} else if (!(want = slurp(gold, &wlen))) {
			tsuite_buf_line(&r, "%s: no golden file %s (NSLAB_UPDATE_GOLDEN=1 writes it)",
				   lab_files[i], gold);
		} else {
			if (wlen != glen || memcmp(want, got, glen))
				diff_report(&r, gold, want, got);
			free(want);
		}
		free(got);
		plan_free(p);
		lab_free(lab);
	}
	ck_assert_msg(r.count == 0, "%d golden mismatches:%s", r.count, r.s);
	free(r.s);
}
END_TEST

/* Every golden file belongs to a lab that still exists. */
START_TEST(test_no_stale_golden)
{
	struct tsuite_buf r = { 0 };
	struct dirent *de;
	DIR *d;
	int i;

	find_labs();
	d = opendir(GOLDEN_DIR);
	ck_assert_ptr_nonnull(d);
	while ((de = readdir(d))) {
		char gold[1024], path[1024];

		if (!strstr(de->d_name, ".plan"))
			continue;
		snprintf(path, sizeof(path), GOLDEN_DIR "/%s", de->d_name);
		for (i = 0; i < nlab_files; i++) {
			golden_path(lab_files[i], gold, sizeof(gold));
			if (!strcmp(gold, path))
				break;
		}
		if (i == nlab_files)
			tsuite_buf_line(&r, "%s: no lab in " TOPO_DIR " for it", path);
	}
	closedir(d);
	ck_assert_msg(r.count == 0, "stale golden files:%s", r.s);
	free(r.s);
}
END_TEST

/* The teardown script removes every node's namespace. */
START_TEST(test_down)
{
	struct tsuite_buf r = { 0 };
	int i, n;

	find_labs();
	for (i = 0; i < nlab_files; i++) {
		struct lab *lab = load_file(lab_files[i], &r);
		struct plan *p = NULL;
		char *txt, want[256], ns[128];
		size_t len;

		if (!lab)
			continue;
		ck_assert_int_eq(plan_build(lab, &p), 0);
		txt = plan_text(p, 1, &len);
		for (n = 0; n < lab->nnodes; n++) {
			snprintf(want, sizeof(want), "\nip netns del %s",
				 plan_netns_name(p, n, ns, sizeof(ns)));
			if (!strstr(txt, want))
				tsuite_buf_line(&r, "%s: down script lacks \"%s\"",
					   lab_files[i], want + 1);
		}
		/* the down script builds nothing */
		if (strstr(txt, "ip netns add") || strstr(txt, "link add"))
			tsuite_buf_line(&r, "%s: down script creates something", lab_files[i]);
		free(txt);
		plan_free(p);
		lab_free(lab);
	}
	ck_assert_msg(r.count == 0, "%d problems:%s", r.count, r.s);
	free(r.s);
}
END_TEST

/* Order of demo.xml's ops: all NETNS, then all BRIDGE, then all VETH; per
 * node, LINK_UP before ADDR before ROUTE, and every veth touching a node
 * before that node's LINK_UP. */
static int rank(enum plan_kind k)
{
	switch (k) {
	case PLAN_NETNS:
		return 0;
	case PLAN_SYSCTL_EARLY:
		return 1;
	case PLAN_BRIDGE:
		return 2;
	case PLAN_VETH:
		return 3;
	case PLAN_PORT:
		return 4;
	case PLAN_VLAN:
		return 5;
	case PLAN_BRIDGE_VLAN:
		return 6;
	case PLAN_LINK_UP:
		return 7;
	case PLAN_ADDR:
		return 8;
	case PLAN_ROUTE:
		return 9;
	case PLAN_QDISC_TBF:
	case PLAN_QDISC_NETEM:
		return 10;
	default:
		return 11;
	}
}

static bool touches(const struct lab *lab, const struct plan_op *op, int node)
{
	if (op->kind == PLAN_VETH)
		return lab->links[op->link].end[0].node == node ||
		       lab->links[op->link].end[1].node == node;
	return op->node == node;
}

/* Every switch port ends up in its bridge: either as the veth's primary
 * end (IFLA_MASTER at creation) or through a PLAN_PORT op before any
 * LINK_UP or BRIDGE_VLAN of that port; every hub port stops learning.
 * Checked on every example and on a chain of switches written in both a/b
 * orders. */
static void check_ports_for(const struct lab *lab, const char *what,
			    enum plan_impair how, struct tsuite_buf *r)
{
	struct plan *p = NULL;
	int f, i;

	ck_assert_int_eq(plan_build_for(lab, how, &p), 0);
	for (f = 0; f < lab->nifaces; f++) {
		const struct lab_iface *x = &lab->ifaces[f];
		bool in = false, learn_off = false;

		if (x->link < 0 || lab->nodes[x->node].kind != LAB_SWITCH)
			continue;
		for (i = 0; i < p->nops; i++) {
			const struct plan_op *op = &p->ops[i];

			/* born in br0: the primary end, with master set */
			if (op->kind == PLAN_VETH && op->link == x->link &&
			    op->veth.end[0].node == x->node &&
			    op->veth.end[0].dev.ifindex == x->ifindex &&
			    op->veth.end[0].master)
				in = true;
			if (op->kind == PLAN_PORT && op->iface == f) {
				in |= op->port.enslave;
				learn_off |= op->port.no_learning;
			}
			if ((op->kind == PLAN_LINK_UP || op->kind == PLAN_BRIDGE_VLAN) &&
			    op->iface == f)
				break;
		}
		if (!in)
			tsuite_buf_line(r, "%s: %s:%s never joins br0 before it is used",
					what, lab->nodes[x->node].name, x->name);
		if (lab->nodes[x->node].hub != learn_off)
			tsuite_buf_line(r, "%s: %s:%s learning %s on a %s", what,
					lab->nodes[x->node].name, x->name,
					learn_off ? "off" : "on",
					lab->nodes[x->node].hub ? "hub" : "switch");
	}
	plan_free(p);
}

static void check_ports(const struct lab *lab, const char *what,
			struct tsuite_buf *r)
{
	check_ports_for(lab, what, PLAN_IMPAIR_NETEM, r);
}

START_TEST(test_switch_ports)
{
	static const char *const chains[] = {
		"<lab name='c'><switch name='s1'/><switch name='s2'/><switch name='s3'/>"
		"<host name='h1'/><host name='h2'/><link a='h1' b='s1'/>"
		"<link a='s1' b='s2'/><link a='s2' b='s3'/><link a='s3' b='h2'/></lab>",
		"<lab name='c'><switch name='s1'/><switch name='s2'/><switch name='s3' hub='yes'/>"
		"<host name='h1'/><host name='h2'/><link a='s1' b='h1'/>"
		"<link a='s2' b='s1'/><link a='s3' b='s2'/><link a='h2' b='s3'/></lab>",
		/* every link through the impairment engine: both node ends are
		 * primary ends of their own veths */
		"<lab name='c' impairments='engine'><switch name='s1'/><switch name='s2'/>"
		"<switch name='s3' hub='yes'/><host name='h1'/><host name='h2'/>"
		"<link a='h1' b='s1'/><link a='s1' b='s2' delay='1ms'/>"
		"<link a='s3' b='s2'/><link a='h2' b='s3'/></lab>",
		/* auto: only the delayed link, and only without netem */
		"<lab name='c'><switch name='s1'/><switch name='s2'/>"
		"<host name='h1'/><host name='h2'/><link a='s1' b='h1'/>"
		"<link a='s2' b='s1' loss='1%'/><link a='h2' b='s2'/></lab>",
	};
	struct tsuite_buf r = { 0 };
	struct lab_errors *errs = malloc(sizeof(*errs));
	int i;

	ck_assert_ptr_nonnull(errs);
	for (i = 0; i < nlab_files; i++) {
		struct lab *lab = load_file(lab_files[i], &r);

		if (lab)
			check_ports(lab, lab_files[i], &r);
		lab_free(lab);
	}
	for (i = 0; i < 4; i++) {
		static const char *const what[] = { "chain a-b", "chain b-a",
			"engine chain", "auto chain" };
		struct lab *lab = NULL;

		lab_errors_init(errs, "chain");
		ck_assert_int_eq(lab_parse_buffer(chains[i], strlen(chains[i]), "chain", ".",
						  &lab, errs), 0);
		ck_assert_int_eq(lab_resolve(lab, errs), 0);
		check_ports(lab, what[i], &r);
		check_ports_for(lab, what[i], PLAN_IMPAIR_NO_NETEM, &r);
		lab_free(lab);
	}
	free(errs);
	ck_assert_msg(r.count == 0, "%d problems:%s", r.count, r.s);
	free(r.s);
}
END_TEST

static struct lab *lab_of(const char *xml)
{
	struct lab_errors *errs = malloc(sizeof(*errs));
	struct lab *lab = NULL;

	ck_assert_ptr_nonnull(errs);
	lab_errors_init(errs, "mem");
	ck_assert_msg(lab_parse_buffer(xml, strlen(xml), "mem", ".", &lab, errs) == 0 &&
		      lab_resolve(lab, errs) == 0, "%s", errs->n ? errs->v[0].msg : "?");
	free(errs);
	return lab;
}

static int count_kind(const struct plan *p, enum plan_kind k, int node)
{
	int i, n = 0;

	for (i = 0; i < p->nops; i++)
		n += p->ops[i].kind == k && (node < 0 || p->ops[i].node == node);
	return n;
}

/* Who impairs which link (topologies/README.md, "Shaping"), and the shape
 * of an engine link in the plan (core/README.md, "The impairment engine"):
 * the relay node last, two veths per engine link from the node ends to
 * lNa/lNb with the relay's ifindexes from 2 in link order, no netem op,
 * TBF kept, the relay's ends brought up, IPv6 off in the relay. */
START_TEST(test_engine_plan)
{
	struct lab *lab = lab_of(
		"<lab name='e'><host name='h1'/><host name='h2'/><host name='h3'/>"
		"<switch name='s1'/>"
		"<link a='h1' b='s1' delay='5ms' rate='10mbit'/>"	/* 0: auto */
		"<link a='h2' b='s1' rate='1mbit'/>"			/* 1: no netem */
		"<link a='h3' b='s1' impairments='engine'/>"		/* 2: engine */
		"<link a='h1' b='h3' loss='1%' impairments='kernel'/>"	/* 3 */
		"<tests><link-set a='h2' b='s1' delay='1ms'/></tests></lab>");
	struct plan *p = NULL;
	const struct plan_relay *r;
	int i, relay;

	/* the kernel has netem: the engine only where the file says so */
	ck_assert_int_eq(plan_build_for(lab, PLAN_IMPAIR_NETEM, &p), 0);
	ck_assert_int_eq(p->nrelays, 1);
	ck_assert_int_eq(p->relays[0].link, 2);
	ck_assert_int_eq(p->nnodes, lab->nnodes + 1);
	ck_assert_int_eq(count_kind(p, PLAN_QDISC_NETEM, -1), 4);	/* links 0, 3 */
	plan_free(p);
	/* nslab plan: netem everywhere, even for impairments="engine" */
	ck_assert_int_eq(plan_build_for(lab, PLAN_IMPAIR_SCRIPT, &p), 0);
	ck_assert_int_eq(p->nrelays, 0);
	ck_assert_int_eq(p->relay, -1);
	ck_assert_int_eq(p->nnodes, lab->nnodes);
	plan_free(p);
	/* no netem: auto links with a netem attribute or a step giving one */
	ck_assert_int_eq(plan_build_for(lab, PLAN_IMPAIR_NO_NETEM, &p), 0);
	ck_assert_int_eq(p->nrelays, 3);
	ck_assert_int_eq(p->relays[0].link, 0);
	ck_assert_int_eq(p->relays[1].link, 1);	/* its <link-set> adds a delay */
	ck_assert_int_eq(p->relays[2].link, 2);
	ck_assert_ptr_null(plan_relay_of(p, 3));	/* kernel: netem, refused later */
	relay = p->relay;
	ck_assert_int_eq(relay, lab->nnodes);
	ck_assert_str_eq(p->nodes[relay].name, LAB_RELAY_NAME);
	ck_assert(p->nodes[relay].relay);
	for (i = 0; i < 3; i++) {
		char a[16], b[16];

		r = &p->relays[i];
		snprintf(a, sizeof(a), "l%da", r->link);
		snprintf(b, sizeof(b), "l%db", r->link);
		ck_assert_str_eq(r->dev[0].name, a);
		ck_assert_str_eq(r->dev[1].name, b);
		ck_assert_int_eq(r->dev[0].ifindex, 2 + 2 * i);
		ck_assert_int_eq(r->dev[1].ifindex, 3 + 2 * i);
	}
	ck_assert_int_eq(p->relays[0].netem[0].delay_ns, 5000000);
	ck_assert_int_eq(p->relays[0].netem[1].delay_ns, 5000000);
	/* netem only on link 3 (both ways); TBF on link 0 and 1, both ways */
	ck_assert_int_eq(count_kind(p, PLAN_QDISC_NETEM, -1), 2);
	for (i = 0; i < p->nops; i++)
		if (p->ops[i].kind == PLAN_QDISC_NETEM)
			ck_assert_int_eq(p->ops[i].link, 3);
	ck_assert_int_eq(count_kind(p, PLAN_QDISC_TBF, -1), 4);
	/* 4 links: 3 engine links of two veths, one plain */
	ck_assert_int_eq(count_kind(p, PLAN_VETH, -1), 7);
	ck_assert_int_eq(count_kind(p, PLAN_VETH, relay), 0);
	for (i = 0; i < p->nops; i++) {
		const struct plan_op *op = &p->ops[i];

		if (op->kind != PLAN_VETH || !plan_relay_of(p, op->link))
			continue;
		r = plan_relay_of(p, op->link);
		ck_assert_int_eq(op->veth.end[1].node, relay);
		ck_assert_int_eq(op->veth.end[1].dev.ifindex,
				 r->dev[op->veth.a].ifindex);
		ck_assert(!op->veth.end[1].master);
		/* the node's end: its own interface, MAC and MTU */
		ck_assert_int_eq(op->veth.end[0].dev.ifindex,
				 lab->ifaces[lab->links[op->link].iface[op->veth.a]].ifindex);
		ck_assert_int_eq(op->veth.end[1].mtu, op->veth.end[0].mtu);
	}
	ck_assert_int_eq(count_kind(p, PLAN_LINK_UP, relay), 6);
	ck_assert_int_eq(count_kind(p, PLAN_NETNS, relay), 1);
	ck_assert_int_eq(count_kind(p, PLAN_SYSCTL_EARLY, relay), 1);
	ck_assert_int_eq(count_kind(p, PLAN_FILE, relay), 0);
	ck_assert_int_eq(count_kind(p, PLAN_PORT, -1), 0);	/* all born in br0 */
	plan_free(p);
	lab_free(lab);
}
END_TEST

START_TEST(test_demo_order)
{
	struct tsuite_buf r = { 0 };
	struct lab *lab = load_file(TOPO_DIR "/demo.xml", &r);
	struct plan *p = NULL;
	int i, j, n, seen[16] = { 0 };

	ck_assert_msg(lab != NULL, "%s", r.s);
	ck_assert_int_eq(plan_build(lab, &p), 0);
	ck_assert_int_gt(p->nops, 0);
	/* global phases: NETNS < BRIDGE < VETH < everything per node */
	for (i = 1; i < p->nops; i++) {
		int a = rank(p->ops[i - 1].kind), b = rank(p->ops[i].kind);

		if (a <= 3 || b <= 3)
			ck_assert_msg(a <= b, "op %d (kind %d) after op %d (kind %d)",
				      i, p->ops[i].kind, i - 1, p->ops[i - 1].kind);
	}
	/* per node: non-decreasing rank over the node's ops (including the
	 * veths that touch it) up to the late ops */
	for (n = 0; n < lab->nnodes; n++) {
		int last = -1;

		for (i = 0; i < p->nops; i++) {
			int k = rank(p->ops[i].kind);

			if (!touches(lab, &p->ops[i], n) || k > 9)
				continue;
			ck_assert_msg(k >= last, "node %s: op %d kind %d after rank %d",
				      lab->nodes[n].name, i, p->ops[i].kind, last);
			last = k;
		}
	}
	/* demo has every kind of this chain: 7 nodes, 2 bridges, 6 links */
	for (i = 0; i < p->nops; i++)
		seen[p->ops[i].kind]++;
	ck_assert_int_eq(seen[PLAN_NETNS], 7);
	ck_assert_int_eq(seen[PLAN_BRIDGE], 2);
	ck_assert_int_eq(seen[PLAN_VETH], 6);
	ck_assert_int_eq(seen[PLAN_ROUTE], 4);	/* gateway="auto" x 4 */
	ck_assert_int_eq(seen[PLAN_QDISC_TBF], 2);	/* rate, both ways */
	ck_assert_int_eq(seen[PLAN_QDISC_NETEM], 0);
	/* each node: exactly one NETNS, before anything sent from it */
	for (n = 0; n < lab->nnodes; n++) {
		int first = -1;

		for (j = 0; j < p->nops && first < 0; j++)
			if (touches(lab, &p->ops[j], n))
				first = j;
		ck_assert_int_eq(p->ops[first].kind, PLAN_NETNS);
	}
	/* each veth is sent from a switch end when it has one */
	for (i = 0; i < p->nops; i++) {
		const struct plan_op *op = &p->ops[i];
		const struct lab_link *l;

		if (op->kind != PLAN_VETH)
			continue;
		l = &lab->links[op->link];
		if (lab->nodes[l->end[0].node].kind == LAB_SWITCH ||
		    lab->nodes[l->end[1].node].kind == LAB_SWITCH)
			ck_assert_int_eq(lab->nodes[op->node].kind, LAB_SWITCH);
	}
	plan_free(p);
	lab_free(lab);
	free(r.s);
}
END_TEST

/* Plan ops carry their values: once a plan is built, scribbling over every
 * number of the model (kinds, ifindexes, MTUs, MACs, shaping, routes, file
 * modes, start flags) leaves the printed script and every op's description
 * unchanged.  Strings are shared with the model and left alone. */
static char *describe_all(const struct plan *p)
{
	char *buf = NULL, d[256];
	size_t len;
	FILE *f = open_memstream(&buf, &len);
	int i;

	ck_assert_ptr_nonnull(f);
	for (i = 0; i < p->nops; i++)
		fprintf(f, "%s\n", plan_op_describe(p, &p->ops[i], d, sizeof(d)));
	ck_assert_int_eq(fclose(f), 0);
	return buf;
}

static void scribble(struct lab *lab)
{
	int i;

	for (i = 0; i < lab->nnodes; i++) {
		lab->nodes[i].kind = LAB_HOST;
		lab->nodes[i].stp = lab->nodes[i].hub = !lab->nodes[i].hub;
		lab->nodes[i].vlan_filtering = !lab->nodes[i].vlan_filtering;
		memset(lab->nodes[i].bridge_mac, 0xee, 6);
	}
	for (i = 0; i < lab->nifaces; i++) {
		lab->ifaces[i].ifindex += 1000;
		lab->ifaces[i].mtu += 7;
		lab->ifaces[i].vlan += 3;
		memset(lab->ifaces[i].mac, 0xdd, 6);
	}
	for (i = 0; i < lab->nlinks; i++)
		memset(lab->links[i].shape, 0x5a, sizeof(lab->links[i].shape));
	for (i = 0; i < lab->nroutes; i++) {
		lab->routes[i].metric += 11;
		lab->routes[i].dst.prefix = 3;
		lab->routes[i].has_via = !lab->routes[i].has_via;
		lab->routes[i].dev_iface = -1;
	}
	for (i = 0; i < lab->nfiles; i++)
		lab->files[i].mode = 0111;
	for (i = 0; i < lab->nstarts; i++)
		lab->starts[i].background = !lab->starts[i].background;
}

START_TEST(test_self_contained)
{
	struct tsuite_buf r = { 0 };
	int i;

	find_labs();
	for (i = 0; i < nlab_files; i++) {
		struct lab *lab = load_file(lab_files[i], &r);
		struct plan *p = NULL;
		char *before, *after, *d1, *d2;
		size_t l1, l2;

		if (!lab)
			continue;
		ck_assert_int_eq(plan_build(lab, &p), 0);
		before = plan_text(p, 0, &l1);
		d1 = describe_all(p);
		scribble(lab);
		after = plan_text(p, 0, &l2);
		d2 = describe_all(p);
		if (l1 != l2 || memcmp(before, after, l1))
			tsuite_buf_line(&r, "%s: the script changed with the model", lab_files[i]);
		if (strcmp(d1, d2))
			tsuite_buf_line(&r, "%s: an op's description changed with the model",
					lab_files[i]);
		free(before);
		free(after);
		free(d1);
		free(d2);
		plan_free(p);
		lab_free(lab);
	}
	ck_assert_msg(r.count == 0, "%d plans read the model:%s", r.count, r.s);
	free(r.s);
}
END_TEST

Suite *plan_suite(void);
Suite *plan_suite(void)
{
	Suite *s = suite_create("plan");
	TCase *tc = tcase_create("plan");

	tcase_add_test(tc, test_golden);
	tcase_add_test(tc, test_no_stale_golden);
	tcase_add_test(tc, test_down);
	tcase_add_test(tc, test_demo_order);
	tcase_add_test(tc, test_switch_ports);
	tcase_add_test(tc, test_self_contained);
	tcase_add_test(tc, test_engine_plan);
	suite_add_tcase(s, tc);
	return s;
}

TSUITE(plan_suite)

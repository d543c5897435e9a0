/* test_linkctl.c — the pure parts of runtime link changes (core/linkctl.h):
 * the qdisc layout transitions of `nslab link set`, the merge of a change
 * into a link's shaping, and finding a link from two ends.  Expected step
 * lists are written by hand from core/README.md, "Runtime link changes";
 * a small model of the kernel's qdisc tree then checks every transition
 * with every combination of changed values. */
#include "../tsuite.h"
#include "lab.h"
#include "linkctl.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define N LINKCTL_NONE
#define T LINKCTL_TBF
#define E LINKCTL_NETEM
#define TE LINKCTL_TBF_NETEM
#define ALL (LINKCTL_TBF_CHANGED | LINKCTL_NETEM_CHANGED)

static const char *const layout_names[] = { "none", "tbf", "netem",
					    "tbf+netem" };

/* ---- the transition table -------------------------------------------------- */

static const struct {
	enum linkctl_layout from, to;
	unsigned changed;
	int n;
	enum linkctl_step steps[LINKCTL_STEPS_MAX];
} table[] = {
	{ N, N, ALL, 0, { 0 } },
	{ N, T, ALL, 1, { LINKCTL_ADD_TBF } },
	{ N, E, ALL, 1, { LINKCTL_ADD_NETEM_ROOT } },
	{ N, TE, ALL, 2, { LINKCTL_ADD_TBF, LINKCTL_ADD_NETEM_CHILD } },

	{ T, N, ALL, 1, { LINKCTL_DEL_ROOT } },
	{ T, T, ALL, 1, { LINKCTL_CHANGE_TBF } },
	{ T, T, LINKCTL_NETEM_CHANGED, 0, { 0 } },
	{ T, E, ALL, 2, { LINKCTL_DEL_ROOT, LINKCTL_ADD_NETEM_ROOT } },
	{ T, TE, ALL, 2, { LINKCTL_CHANGE_TBF, LINKCTL_ADD_NETEM_CHILD } },
	{ T, TE, LINKCTL_NETEM_CHANGED, 1, { LINKCTL_ADD_NETEM_CHILD } },

	{ E, N, ALL, 1, { LINKCTL_DEL_ROOT } },
	{ E, T, ALL, 2, { LINKCTL_DEL_ROOT, LINKCTL_ADD_TBF } },
	{ E, E, ALL, 1, { LINKCTL_CHANGE_NETEM_ROOT } },
	{ E, E, LINKCTL_TBF_CHANGED, 0, { 0 } },
	{ E, TE, ALL, 3, { LINKCTL_DEL_ROOT, LINKCTL_ADD_TBF,
			   LINKCTL_ADD_NETEM_CHILD } },

	{ TE, N, ALL, 1, { LINKCTL_DEL_ROOT } },
	/* the TBF change gives TBF back its FIFO: never left with noop */
	{ TE, T, ALL, 2, { LINKCTL_DEL_NETEM_CHILD, LINKCTL_CHANGE_TBF } },
	{ TE, T, 0, 2, { LINKCTL_DEL_NETEM_CHILD, LINKCTL_CHANGE_TBF } },
	{ TE, E, ALL, 2, { LINKCTL_DEL_ROOT, LINKCTL_ADD_NETEM_ROOT } },
	{ TE, TE, ALL, 2, { LINKCTL_CHANGE_TBF, LINKCTL_CHANGE_NETEM_CHILD } },
	{ TE, TE, LINKCTL_TBF_CHANGED, 1, { LINKCTL_CHANGE_TBF } },
	{ TE, TE, LINKCTL_NETEM_CHANGED, 1, { LINKCTL_CHANGE_NETEM_CHILD } },
	{ TE, TE, 0, 0, { 0 } },
};

static void steps_text(const enum linkctl_step *s, int n, char *buf,
		       size_t len)
{
	size_t k = 0;
	int i;

	buf[0] = 0;
	for (i = 0; i < n && k < len; i++)
		k += (size_t)snprintf(buf + k, len - k, "%s%s", i ? "; " : "",
				      linkctl_step_name(s[i]));
}

START_TEST(test_transition_table)
{
	struct tsuite_buf r = { 0 };
	bool seen[LINKCTL_NLAYOUTS][LINKCTL_NLAYOUTS] = { { false } };
	size_t i;
	int a, b;

	for (i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
		enum linkctl_step got[LINKCTL_STEPS_MAX];
		char want_s[256], got_s[256];
		int n = linkctl_transition(table[i].from, table[i].to,
					   table[i].changed, got);

		seen[table[i].from][table[i].to] = true;
		if (n == table[i].n &&
		    !memcmp(got, table[i].steps, sizeof(got[0]) * (size_t)n))
			continue;
		steps_text(table[i].steps, table[i].n, want_s, sizeof(want_s));
		steps_text(got, n, got_s, sizeof(got_s));
		tsuite_buf_line(&r, "%s -> %s (changed %u): want [%s], got [%s]",
				layout_names[table[i].from],
				layout_names[table[i].to], table[i].changed,
				want_s, got_s);
	}
	for (a = 0; a < LINKCTL_NLAYOUTS; a++)
		for (b = 0; b < LINKCTL_NLAYOUTS; b++)
			if (!seen[a][b])
				tsuite_buf_line(&r, "pair %s -> %s not in the table",
						layout_names[a], layout_names[b]);
	ck_assert_msg(r.count == 0, "%d problems:%s", r.count, r.s);
	free(r.s);
}
END_TEST

/* ---- the same, against a model of the kernel ------------------------------
 * The root is nothing (the kernel's noqueue), TBF or netem; TBF's class
 * holds its default byte FIFO, netem, or noop (which drops everything:
 * what deleting TBF's child leaves).  Each step must be one the kernel
 * accepts in that state, and the end must be the target layout. */

enum q { Q_NONE, Q_TBF, Q_NETEM, Q_FIFO, Q_NOOP };

struct tree {
	enum q root, child;	/* child: TBF's class 1:1 */
	int tbf_id, netem_id;	/* which object: a new one each time made */
	bool tbf_set, netem_set;	/* given the new values */
};

static int next_id;

static const char *apply_step(struct tree *t, enum linkctl_step s)
{
	switch (s) {
	case LINKCTL_DEL_ROOT:
		if (t->root == Q_NONE)
			return "deletes a root that is not there";
		t->root = t->child = Q_NONE;
		t->tbf_id = t->netem_id = 0;
		return NULL;
	case LINKCTL_DEL_NETEM_CHILD:
		if (t->root != Q_TBF || t->child != Q_NETEM)
			return "deletes a netem child that is not there";
		t->child = Q_NOOP;
		t->netem_id = 0;
		return NULL;
	case LINKCTL_ADD_TBF:
		if (t->root != Q_NONE)
			return "adds a TBF root over an existing root (EEXIST)";
		t->root = Q_TBF;
		t->child = Q_FIFO;
		t->tbf_id = ++next_id;
		t->tbf_set = true;
		return NULL;
	case LINKCTL_ADD_NETEM_ROOT:
		if (t->root != Q_NONE)
			return "adds a netem root over an existing root (EEXIST)";
		t->root = Q_NETEM;
		t->netem_id = ++next_id;
		t->netem_set = true;
		return NULL;
	case LINKCTL_ADD_NETEM_CHILD:
		if (t->root != Q_TBF || t->child == Q_NETEM)
			return "adds a netem child where none can go";
		t->child = Q_NETEM;
		t->netem_id = ++next_id;
		t->netem_set = true;
		return NULL;
	case LINKCTL_CHANGE_TBF:
		if (t->root != Q_TBF)
			return "changes a TBF that is not there";
		if (t->child == Q_NOOP)
			t->child = Q_FIFO;	/* tbf_change(): a new FIFO */
		t->tbf_set = true;
		return NULL;
	case LINKCTL_CHANGE_NETEM_ROOT:
		if (t->root != Q_NETEM)
			return "changes a netem root that is not there";
		t->netem_set = true;
		return NULL;
	case LINKCTL_CHANGE_NETEM_CHILD:
		if (t->root != Q_TBF || t->child != Q_NETEM)
			return "changes a netem child that is not there";
		t->netem_set = true;
		return NULL;
	}
	return "unknown step";
}

static struct tree tree_of(enum linkctl_layout l)
{
	struct tree t = { Q_NONE, Q_NONE, 0, 0, false, false };

	if (l == T || l == TE) {
		t.root = Q_TBF;
		t.child = l == TE ? Q_NETEM : Q_FIFO;
		t.tbf_id = ++next_id;
	}
	if (l == E)
		t.root = Q_NETEM;
	if (l == E || l == TE)
		t.netem_id = ++next_id;
	return t;
}

static bool is_layout(const struct tree *t, enum linkctl_layout l)
{
	switch (l) {
	case N:
		return t->root == Q_NONE;
	case T:
		return t->root == Q_TBF && t->child == Q_FIFO;
	case E:
		return t->root == Q_NETEM;
	default:
		return t->root == Q_TBF && t->child == Q_NETEM;
	}
}

START_TEST(test_transitions_on_model)
{
	struct tsuite_buf r = { 0 };
	int a, b, i, n;
	unsigned c;

	for (a = 0; a < LINKCTL_NLAYOUTS; a++)
		for (b = 0; b < LINKCTL_NLAYOUTS; b++)
			for (c = 0; c <= ALL; c++) {
				enum linkctl_step s[LINKCTL_STEPS_MAX];
				struct tree t = tree_of(a), t0 = t;
				const char *bad = NULL;

				n = linkctl_transition(a, b, c, s);
				for (i = 0; i < n && !bad; i++)
					bad = apply_step(&t, s[i]);
				if (!bad && !is_layout(&t, b))
					bad = "does not end in the target layout";
				/* a changed value reaches the kernel */
				if (!bad && (b == T || b == TE) &&
				    (c & LINKCTL_TBF_CHANGED) && !t.tbf_set)
					bad = "leaves the TBF's old values";
				if (!bad && (b == E || b == TE) &&
				    (c & LINKCTL_NETEM_CHANGED) && !t.netem_set)
					bad = "leaves netem's old values";
				/* no rebuild when a change suffices: a qdisc
				 * both layouts have under the same parent
				 * stays the same object */
				if (!bad && (a == T || a == TE) &&
				    (b == T || b == TE) && t.tbf_id != t0.tbf_id)
					bad = "rebuilds the TBF";
				if (!bad && a == b && (a == E || a == TE) &&
				    t.netem_id != t0.netem_id)
					bad = "rebuilds netem";
				if (!bad && a == b && c == 0 && n)
					bad = "sends something when nothing changed";
				if (bad)
					tsuite_buf_line(&r, "%s -> %s (changed %u): %s",
							layout_names[a],
							layout_names[b], c, bad);
			}
	ck_assert_msg(r.count == 0, "%d problems:%s", r.count, r.s);
	free(r.s);
}
END_TEST

/* ---- merge: a set bit with a zero value removes -------------------------- */

static struct lab_shaping shaping(const char *const *kv)
{
	struct lab_shaping s = { 0 };
	const char *why = NULL;

	for (; kv[0]; kv += 2)
		ck_assert_msg(lab_shaping_set(&s, kv[0], kv[1], &why) == 0,
			      "%s=%s: %s", kv[0], kv[1], why ? why : "?");
	return s;
}

#define SH(...) shaping((const char *const[]){ __VA_ARGS__, NULL })

static int merge2(const struct lab_shaping now[2], struct lab_shaping change,
		  struct lab_shaping out[2], char *why, size_t len)
{
	return linkctl_merge(now, &change, out, why, len);
}

static void over(struct lab_shaping *dst, struct lab_shaping change)
{
	lab_shaping_merge(dst, &change);
}

static enum linkctl_layout merged(const struct lab_shaping *now,
				  struct lab_shaping change,
				  struct lab_shaping *out)
{
	struct lab_shaping two[2] = { *now, *now }, res[2];
	char why[160] = "";

	ck_assert_msg(linkctl_merge(two, &change, res, why, sizeof(why)) == 0,
		      "merge refused: %s", why);
	ck_assert(linkctl_layout_of(&res[0]) == linkctl_layout_of(&res[1]));
	if (out)
		*out = res[0];
	return linkctl_layout_of(&res[0]);
}

START_TEST(test_merge)
{
	struct lab_shaping both = SH("rate", "10mbit", "delay", "20ms");
	struct lab_shaping tbf = SH("rate", "10mbit"), none = { 0 }, out;
	struct lab_shaping two[2], res[2];
	char why[160] = "";

	ck_assert_int_eq(linkctl_layout_of(&both), TE);
	ck_assert_int_eq(merged(&both, SH("delay", "0"),
				&out), T);
	ck_assert_uint_eq(out.rate_bps, 10000000);
	ck_assert_int_eq(merged(&both, SH("rate", "none"),
				&out), E);
	ck_assert_uint_eq(out.delay_ns, 20000000);
	ck_assert_int_eq(merged(&both, SH("rate", "0"),
				NULL), E);
	ck_assert_int_eq(merged(&both, SH("rate", "none",
							       "delay", "0"),
				NULL), N);
	ck_assert_int_eq(merged(&tbf, SH("loss", "1%"),
				&out), TE);
	ck_assert(out.loss_pct == 1.0);
	ck_assert_int_eq(merged(&tbf, SH("rate", "20mbit"),
				&out), T);
	ck_assert_uint_eq(out.rate_bps, 20000000);
	ck_assert_int_eq(merged(&none, SH("delay", "5ms"),
				NULL), E);
	ck_assert_int_eq(merged(&none, SH("loss", "0%"),
				NULL), N);
	/* queue alone shapes nothing */
	ck_assert_int_eq(merged(&none, SH("queue", "100"),
				NULL), N);

	/* the file's rules: jitter and reorder need a delay */
	two[0] = two[1] = SH("delay", "10ms", "jitter", "2ms");
	ck_assert_int_eq(merge2(two, SH("delay", "0"),
				       res, why, sizeof(why)), -EINVAL);
	ck_assert_msg(strstr(why, "jitter") != NULL, "why: %s", why);
	ck_assert_int_eq(merge2(two, SH("delay", "0",
								    "jitter", "0"),
				       res, why, sizeof(why)), 0);
	two[0] = two[1] = none;
	ck_assert_int_eq(merge2(two, SH("reorder", "5%"),
				       res, why, sizeof(why)), -EINVAL);
	ck_assert_msg(strstr(why, "reorder") && strstr(why, "has none"),
		      "why: %s", why);
	/* per direction: a change applies to both, each keeps the rest */
	two[0] = SH("rate", "10mbit");
	two[1] = SH("rate", "1mbit", "loss", "2%");
	ck_assert_int_eq(merge2(two, SH("delay", "3ms"),
				       res, why, sizeof(why)), 0);
	ck_assert_uint_eq(res[0].rate_bps, 10000000);
	ck_assert_uint_eq(res[1].rate_bps, 1000000);
	ck_assert(res[0].loss_pct == 0 && res[1].loss_pct == 2.0);
	ck_assert_uint_eq(res[0].delay_ns, 3000000);
	ck_assert_uint_eq(res[1].delay_ns, 3000000);
}
END_TEST

START_TEST(test_changed)
{
	struct lab_shaping a = SH("rate", "10mbit", "delay", "20ms"), b = a;

	ck_assert_uint_eq(linkctl_changed(&a, &b, 1500), 0);
	b = a;
	over(&b, SH("rate", "20mbit"));
	ck_assert_uint_eq(linkctl_changed(&a, &b, 1500), LINKCTL_TBF_CHANGED);
	b = a;
	over(&b, SH("loss", "1%"));
	ck_assert_uint_eq(linkctl_changed(&a, &b, 1500), LINKCTL_NETEM_CHANGED);
	/* the queue is both TBF's limit and netem's */
	b = a;
	over(&b, SH("queue", "100"));
	ck_assert_uint_eq(linkctl_changed(&a, &b, 1500), ALL);
	/* the default queue, written or not, is the same */
	b = a;
	over(&b, SH("queue", "1000"));
	ck_assert_uint_eq(linkctl_changed(&a, &b, 1500), 0);
}
END_TEST

/* ---- finding a link --------------------------------------------------------- */

static const char find_xml[] =
	"<lab name=\"f\">\n"
	"  <host name=\"h1\"/><host name=\"h2\"/><router name=\"r1\"/>\n"
	"  <switch name=\"s1\"/>\n"
	"  <link a=\"h1\" b=\"r1\"/>\n"		/* 0: h1:eth0 r1:eth0 */
	"  <link a=\"r1\" b=\"h1\"/>\n"		/* 1: r1:eth1 h1:eth1 */
	"  <link a=\"r1\" b=\"s1\"/>\n"		/* 2: r1:eth2 s1:eth1 */
	"  <link a=\"h2\" b=\"s1\"/>\n"		/* 3: h2:eth0 s1:eth2 */
	"</lab>\n";

START_TEST(test_find)
{
	static const struct {
		const char *a, *b;
		int link;
		const char *why;
	} cases[] = {
		{ "h1", "r1", 0, NULL },
		{ "r1", "h1", 0, NULL },
		{ "h1:eth1", "r1", 1, NULL },
		{ "r1", "h1:eth1", 1, NULL },
		{ "r1:eth1", "h1:eth1", 1, NULL },
		{ "s1", "r1", 2, NULL },
		{ "s1:eth2", "h2:eth0", 3, NULL },
		{ "h2", "s1", 3, NULL },
		{ "h1", "h2", -1, "no link between h1 and h2" },
		{ "h9", "h1", -1, "no node named \"h9\"" },
		{ "h1", ":eth0", -1, "no node named \"\"" },
		{ "h1:eth7", "r1", -1, "node h1 has no interface \"eth7\"" },
		{ "h1:eth0", "r1:eth1", -1, "no link between h1:eth0 and r1:eth1" },
		{ "h1:eth0", "s1", -1, "no link between h1:eth0 and s1" },
		{ "h1:lo", "r1", -1, "node h1 has no interface \"lo\"" },
	};
	struct tsuite_buf r = { 0 };
	struct lab_errors errs;
	struct lab *lab = NULL;
	size_t i;

	lab_errors_init(&errs, "f.xml");
	ck_assert_int_eq(lab_parse_buffer(find_xml, strlen(find_xml), "f.xml",
					  ".", &lab, &errs), 0);
	ck_assert_int_eq(lab_resolve(lab, &errs), 0);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char why[160] = "";
		int got = linkctl_find(lab, cases[i].a, cases[i].b, why,
				       sizeof(why));

		if (got != cases[i].link)
			tsuite_buf_line(&r, "%s %s: link %d, want %d (%s)",
					cases[i].a, cases[i].b, got,
					cases[i].link, why);
		else if (cases[i].why && strcmp(why, cases[i].why))
			tsuite_buf_line(&r, "%s %s: \"%s\", want \"%s\"",
					cases[i].a, cases[i].b, why,
					cases[i].why);
	}
	lab_free(lab);
	ck_assert_msg(r.count == 0, "%d problems:%s", r.count, r.s);
	free(r.s);
}
END_TEST

static Suite *linkctl_suite(void)
{
	Suite *s = suite_create("linkctl");
	TCase *tc = tcase_create("pure");

	tcase_add_test(tc, test_transition_table);
	tcase_add_test(tc, test_transitions_on_model);
	tcase_add_test(tc, test_merge);
	tcase_add_test(tc, test_changed);
	tcase_add_test(tc, test_find);
	suite_add_tcase(s, tc);
	return s;
}

TSUITE(linkctl_suite)

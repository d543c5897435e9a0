/* test_graph.c — the DOT of core/graph.c on a small lab whose every line
 * was worked out by hand from topologies/README.md ("Automatic interface
 * names", "Automatic addresses", "Shaping", "VLANs") and graph.h, not
 * copied from a run. */
#include "../tsuite.h"
#include "graph.h"
#include "lab.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* h1 and r1 twice point to point (auto /30s), a switch with STP and VLAN
 * filtering, h2 on an access port of VLAN 10 through an interface whose
 * name holds '"' and '\', r1 on a trunk with a sub-interface, and a link
 * through the impairment engine. */
static const char lab_xml[] =
	"<lab name=\"g\">\n"
	"  <host name=\"h1\"/>\n"
	"  <router name=\"r1\">\n"
	"    <iface name=\"lo\" addr=\"10.255.0.1/32\"/>\n"
	"    <iface name=\"eth1\" addr=\"none\"/>\n"
	"    <iface name=\"eth1.10\" parent=\"eth1\" vlan=\"10\" addr=\"10.1.10.1/24\"/>\n"
	"  </router>\n"
	"  <switch name=\"s1\" stp=\"on\" vlan-filtering=\"on\"/>\n"
	"  <host name=\"h2\">\n"
	"    <iface name='e\"x\\y' addr=\"10.1.10.2/24\"/>\n"
	"  </host>\n"
	"  <link a=\"h1\" b=\"r1\" rate=\"10mbit\" delay=\"5ms\">\n"
	"    <b-to-a rate=\"2mbit\"/>\n"
	"  </link>\n"
	"  <link a='h2:e\"x\\y' b=\"s1\" vlan=\"10\"/>\n"
	"  <link a=\"r1:eth1\" b=\"s1\" vlans=\"10,20\"/>\n"
	"  <link a=\"h1\" b=\"r1\" loss=\"1%\" mtu=\"1400\"/>\n"
	"  <link a=\"h2\" b=\"r1\" impairments=\"engine\" delay=\"0\"/>\n"
	"</lab>\n";

static struct lab *load(const char *xml)
{
	struct lab_errors errs;
	struct lab *lab = NULL;
	int ret;

	lab_errors_init(&errs, "g.xml");
	ret = lab_parse_buffer(xml, strlen(xml), "g.xml", ".", &lab, &errs);
	if (!ret)
		ret = lab_resolve(lab, &errs);
	ck_assert_msg(ret == 0, "lab refused: line %d: %s", errs.v[0].line,
		      errs.v[0].msg);
	return lab;
}

/* The DOT of lab, NUL-terminated (free it). */
static char *dot_of(const struct lab *lab)
{
	char *s = NULL;
	size_t n = 0;
	FILE *m = open_memstream(&s, &n);

	ck_assert_ptr_nonnull(m);
	ck_assert_int_eq(graph_write(lab, m), 0);
	ck_assert_int_eq(fclose(m), 0);
	return s;
}

/* line (without its newline) is one whole line of text */
static void has_line(const char *text, const char *line)
{
	size_t n = strlen(line);
	const char *p;

	for (p = text; (p = strstr(p, line)); p++)
		if ((p == text || p[-1] == '\n') && p[n] == '\n')
			return;
	ck_abort_msg("no line\n%s\nin\n%s", line, text);
}

static int count_str(const char *text, const char *s)
{
	const char *p;
	int k = 0;

	for (p = text; (p = strstr(p, s)); p += strlen(s))
		k++;
	return k;
}

START_TEST(test_graph_lines)
{
	struct lab *lab = load(lab_xml);
	char *dot = dot_of(lab);

	ck_assert_msg(!strncmp(dot, "graph \"g\" {\n", 12), "%s", dot);
	ck_assert_msg(strlen(dot) > 2 && !strcmp(dot + strlen(dot) - 2, "}\n"),
		      "%s", dot);
	/* a shape per kind; the switch's options, r1's lo */
	has_line(dot, "\t\"h1\" [shape=box, label=\"h1\"];");
	has_line(dot, "\t\"r1\" [shape=ellipse, label=\"r1\\nlo: 10.255.0.1/32\"];");
	has_line(dot, "\t\"s1\" [shape=box3d, label=\"s1\\nstp=on vlan-filtering=on\"];");
	has_line(dot, "\t\"h2\" [shape=box, label=\"h2\"];");
	/* one edge per link: the first p2p /30 is 10.0.0.0/30, numbered in
	 * node order (h1 .1, r1 .2); the directions differ in rate */
	ck_assert_int_eq(count_str(dot, " -- "), 5);
	has_line(dot, "\t\"h1\" -- \"r1\" [taillabel=\"eth0\\n10.0.0.1/30\", "
		      "headlabel=\"eth0\\n10.0.0.2/30\", "
		      "label=\"a-to-b: rate=10mbit delay=5ms\\nb-to-a: rate=2mbit delay=5ms\"];");
	/* the quote and the backslash of the interface's name escaped; the
	 * switch's first port is eth1; an access VLAN */
	has_line(dot, "\t\"h2\" -- \"s1\" [taillabel=\"e\\\"x\\\\y\\n10.1.10.2/24\", "
		      "headlabel=\"eth1\", label=\"vlan=10\"];");
	/* a trunk; r1:eth1 has no address, its sub-interface has one */
	has_line(dot, "\t\"r1\" -- \"s1\" [taillabel=\"eth1\\neth1.10: 10.1.10.1/24\", "
		      "headlabel=\"eth2\", label=\"vlans=10,20\"];");
	/* the second p2p segment 10.0.0.4/30; r1's eth1 is taken, so eth2;
	 * the same shaping both ways is one line, after the MTU */
	has_line(dot, "\t\"h1\" -- \"r1\" [taillabel=\"eth1\\n10.0.0.5/30\", "
		      "headlabel=\"eth2\\n10.0.0.6/30\", label=\"mtu=1400\\nloss=1%\"];");
	/* the third: r1 declared before h2 takes .9; delay="0" is none; the
	 * engine's relay is no node of the graph */
	has_line(dot, "\t\"h2\" -- \"r1\" [taillabel=\"eth0\\n10.0.0.10/30\", "
		      "headlabel=\"eth3\\n10.0.0.9/30\", label=\"impairments=engine\"];");
	ck_assert_ptr_null(strstr(dot, LAB_RELAY_NAME));
	/* nodes in file order, then the links in file order */
	ck_assert_ptr_nonnull(strstr(dot, "\"h1\" [") );
	ck_assert(strstr(dot, "\"h1\" [") < strstr(dot, "\"r1\" [") &&
		  strstr(dot, "\"r1\" [") < strstr(dot, "\"s1\" [") &&
		  strstr(dot, "\"s1\" [") < strstr(dot, "\"h2\" [") &&
		  strstr(dot, "\"h2\" [") < strstr(dot, " -- "));
	ck_assert(strstr(dot, "10.0.0.1/30") < strstr(dot, "10.1.10.2/24") &&
		  strstr(dot, "10.1.10.2/24") < strstr(dot, "eth1.10") &&
		  strstr(dot, "eth1.10") < strstr(dot, "10.0.0.5/30") &&
		  strstr(dot, "10.0.0.5/30") < strstr(dot, "10.0.0.10/30"));
	free(dot);
	lab_free(lab);
}
END_TEST

/* The same lab gives the same bytes, loaded twice or written twice. */
START_TEST(test_graph_deterministic)
{
	struct lab *a = load(lab_xml), *b = load(lab_xml);
	char *da = dot_of(a), *da2 = dot_of(a), *db = dot_of(b);

	ck_assert_str_eq(da, da2);
	ck_assert_str_eq(da, db);
	free(da);
	free(da2);
	free(db);
	lab_free(a);
	lab_free(b);
}
END_TEST

/* A one-way impairment shows only that direction; a hub; IPv6 next to
 * IPv4 at an end; written zeros are no impairment at all. */
START_TEST(test_graph_one_way_hub_ipv6)
{
	struct lab *lab = load(
		"<lab name=\"w\" ip6base=\"fd00:1::/48\">\n"
		"<host name=\"a\"/><host name=\"b\"/><switch name=\"s\" hub=\"yes\"/>\n"
		"<link a=\"a\" b=\"b\"><b-to-a delay=\"30ms\" loss=\"1%\"/></link>\n"
		"<link a=\"a\" b=\"s\" rate=\"none\" loss=\"0%\"/>\n"
		"</lab>\n");
	char *dot = dot_of(lab);

	has_line(dot, "\t\"s\" [shape=box3d, label=\"s\\nhub=yes\"];");
	has_line(dot, "\t\"a\" -- \"b\" [taillabel=\"eth0\\n10.0.0.1/30\\nfd00:1::1/64\", "
		      "headlabel=\"eth0\\n10.0.0.2/30\\nfd00:1::2/64\", "
		      "label=\"b-to-a: delay=30ms loss=1%\"];");
	has_line(dot, "\t\"a\" -- \"s\" [taillabel=\"eth1\\n10.0.0.5/30\\nfd00:1:0:1::1/64\", "
		      "headlabel=\"eth1\"];");
	free(dot);
	lab_free(lab);
}
END_TEST

START_TEST(test_graph_dot_str)
{
	char *s = NULL;
	size_t n = 0;
	FILE *m = open_memstream(&s, &n);

	ck_assert_ptr_nonnull(m);
	graph_dot_str(m, "a\"b\\c\nd\x01" "e");
	graph_dot_str(m, "");
	ck_assert_int_eq(fclose(m), 0);
	ck_assert_str_eq(s, "\"a\\\"b\\\\c\\nd?e\"\"\"");
	free(s);
}
END_TEST

static Suite *graph_suite(void)
{
	Suite *s = suite_create("graph");
	TCase *tc = tcase_create("dot");

	tcase_add_test(tc, test_graph_lines);
	tcase_add_test(tc, test_graph_deterministic);
	tcase_add_test(tc, test_graph_one_way_hub_ipv6);
	tcase_add_test(tc, test_graph_dot_str);
	suite_add_tcase(s, tc);
	return s;
}

TSUITE(graph_suite)

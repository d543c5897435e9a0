/* test_resolve.c — automatic choices and semantic checks of lab_resolve()
 * (topologies/README.md: "Automatic interface names", "Automatic
 * addresses", "Shaping", "Limits") on small inline lab files.  Expected
 * values are computed from that document by hand, not copied from the
 * output. */
#include "../tsuite.h"
#include "lab.h"
#include "plan.h"

#include <arpa/inet.h>
#include <errno.h>
#include <regex.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

/* ---- helpers ------------------------------------------------------------- */

static int parse_resolve(const char *xml, struct lab **out,
			 struct lab_errors *errs)
{
	int ret;

	*out = NULL;
	lab_errors_init(errs, "t.xml");
	ret = lab_parse_buffer(xml, strlen(xml), "t.xml", ".", out, errs);
	if (ret)
		return ret;
	return lab_resolve(*out, errs);
}

static const char *errs_text(const struct lab_errors *e, char *buf, size_t len)
{
	size_t n = 0;
	int i;

	buf[0] = 0;
	for (i = 0; i < e->n && i < LAB_ERRORS_MAX && n < len; i++)
		n += (size_t)snprintf(buf + n, len - n, "\n  line %d: %s",
				      e->v[i].line, e->v[i].msg);
	return buf;
}

/* Parse and resolve; fail the test with every message otherwise. */
static struct lab *load(const char *xml)
{
	struct lab_errors errs;
	struct lab *lab;
	char buf[4096];
	int ret = parse_resolve(xml, &lab, &errs);

	ck_assert_msg(ret == 0, "lab refused (%d):%s", ret,
		      errs_text(&errs, buf, sizeof(buf)));
	ck_assert_ptr_nonnull(lab);
	ck_assert(lab->resolved);
	return lab;
}

/* Parse and resolve must fail with a message matching re (any message). */
static void refused(const char *xml, const char *re)
{
	struct lab_errors errs;
	struct lab *lab;
	regex_t rx;
	char buf[4096];
	int ret = parse_resolve(xml, &lab, &errs), i, hit = 0;

	ck_assert_msg(ret < 0, "lab accepted, expected an error matching /%s/", re);
	ck_assert_int_ge(errs.n, 1);
	ck_assert_int_eq(regcomp(&rx, re, REG_EXTENDED | REG_ICASE | REG_NOSUB), 0);
	for (i = 0; i < errs.n && i < LAB_ERRORS_MAX; i++)
		if (!regexec(&rx, errs.v[i].msg, 0, NULL, 0))
			hit = 1;
	regfree(&rx);
	ck_assert_msg(hit, "no message matches /%s/:%s", re,
		      errs_text(&errs, buf, sizeof(buf)));
	lab_free(lab);
}

static int iface_of(const struct lab *lab, const char *node, const char *ifname)
{
	int n = lab_node_find(lab, node), f;

	ck_assert_msg(n >= 0, "no node %s", node);
	f = lab_iface_find(lab, n, ifname);
	ck_assert_msg(f >= 0, "no interface %s:%s", node, ifname);
	return f;
}

/* The first address of family fam of node:ifname as "IP/LEN", or "" */
static const char *addr_of(const struct lab *lab, const char *node,
			   const char *ifname, int fam, char *buf, size_t len)
{
	struct lab_addr a[16];
	int f = iface_of(lab, node, ifname), k, i;

	k = lab_iface_addrs(lab, f, a, 16);
	buf[0] = 0;
	for (i = 0; i < k; i++)
		if (a[i].family == fam)
			return lab_addr_str(&a[i], buf, len);
	return buf;
}

#define ck_addr4(lab, node, ifn, want)                                        \
	do {                                                                  \
		char b_[64];                                                  \
		ck_assert_str_eq(addr_of(lab, node, ifn, AF_INET, b_, sizeof(b_)), \
				 want);                                       \
	} while (0)
#define ck_addr6(lab, node, ifn, want)                                        \
	do {                                                                  \
		char b_[64];                                                  \
		ck_assert_str_eq(addr_of(lab, node, ifn, AF_INET6, b_, sizeof(b_)), \
				 want);                                       \
	} while (0)

/* Number of IPv4/IPv6 addresses (explicit and automatic) of one iface. */
static int naddr(const struct lab *lab, const char *node, const char *ifn)
{
	struct lab_addr a[16];

	return lab_iface_addrs(lab, iface_of(lab, node, ifn), a, 16);
}


static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/* Every IPv4 address of the lab (explicit + automatic) is unique. */
static int all_v4_unique(const struct lab *lab, int *count)
{
	uint32_t *v = malloc(sizeof(uint32_t) * (size_t)(lab->nifaces * 16 + 1));
	struct lab_addr a[16];
	int i, j, k, n = 0, dup = 0;

	ck_assert_ptr_nonnull(v);
	for (i = 0; i < lab->nifaces; i++) {
		k = lab_iface_addrs(lab, i, a, 16);
		for (j = 0; j < k; j++)
			if (a[j].family == AF_INET) {
				uint32_t x;

				memcpy(&x, a[j].b, 4);
				v[n++] = ntohl(x);
			}
	}
	qsort(v, (size_t)n, sizeof(uint32_t), cmp_u32);
	for (i = 1; i < n; i++)
		if (v[i] == v[i - 1])
			dup++;
	free(v);
	*count = n;
	return !dup;
}

/* ---- addresses (topologies/README.md, "Automatic addresses") ------------ */

START_TEST(test_single4)
{
	struct lab *lab = load(
		"<lab name=\"t\">\n"
		"<switch name=\"s1\"/>\n"
		"<host name=\"h1\"/><host name=\"h2\"/><host name=\"h3\"/><host name=\"h4\"/>\n"
		"<link a=\"h1\" b=\"s1\"/><link a=\"h2\" b=\"s1\"/>\n"
		"<link a=\"h3\" b=\"s1\"/><link a=\"h4\" b=\"s1\"/>\n"
		"</lab>\n");

	/* 4 hosts + network + broadcast = 6 -> a /29 */
	ck_addr4(lab, "h1", "eth0", "10.0.0.1/29");
	ck_addr4(lab, "h2", "eth0", "10.0.0.2/29");
	ck_addr4(lab, "h3", "eth0", "10.0.0.3/29");
	ck_addr4(lab, "h4", "eth0", "10.0.0.4/29");
	/* switch ports carry no address */
	ck_assert_int_eq(naddr(lab, "s1", "eth1"), 0);
	ck_assert_int_eq(lab->nsegments, 1);
	ck_assert(!lab->segments[0].p2p);
	ck_assert(!lab->ipv6_on);
	lab_free(lab);
}
END_TEST

/* Numbering within a segment follows document order of the NODES, not of
 * the links. */
START_TEST(test_node_order)
{
	struct lab *lab = load(
		"<lab name=\"t\">\n"
		"<host name=\"h1\"/><host name=\"h2\"/><host name=\"h3\"/>\n"
		"<switch name=\"s1\"/>\n"
		"<link a=\"h3\" b=\"s1\"/><link a=\"s1\" b=\"h2\"/><link a=\"h1\" b=\"s1\"/>\n"
		"</lab>\n");

	/* 3 + 2 = 5 -> /29 */
	ck_addr4(lab, "h1", "eth0", "10.0.0.1/29");
	ck_addr4(lab, "h2", "eth0", "10.0.0.2/29");
	ck_addr4(lab, "h3", "eth0", "10.0.0.3/29");
	lab_free(lab);
}
END_TEST

START_TEST(test_mixed_explicit)
{
	struct tsuite_buf b = { 0 };
	struct lab *lab;
	char want[32], name[8];
	int i, next = 1;

	tsuite_buf_printf(&b, "<lab name=\"t\">\n<switch name=\"s1\"/>\n");
	for (i = 1; i <= 12; i++)
		if (i == 3)
			tsuite_buf_printf(&b, "<host name=\"h3\"><iface name=\"eth0\" addr=\"192.168.1.10/24\"/></host>\n");
		else
			tsuite_buf_printf(&b, "<host name=\"h%d\"/>\n", i);
	for (i = 1; i <= 12; i++)
		tsuite_buf_printf(&b, "<link a=\"h%d\" b=\"s1\"/>\n", i);
	tsuite_buf_printf(&b, "</lab>\n");
	lab = load(b.s);
	free(b.s);

	ck_addr4(lab, "h3", "eth0", "192.168.1.10/24");
	ck_assert_int_eq(naddr(lab, "h3", "eth0"), 1);
	for (i = 1; i <= 12; i++) {
		if (i == 3)
			continue;
		if (next == 10)
			next++;	/* taken by h3 */
		snprintf(name, sizeof(name), "h%d", i);
		snprintf(want, sizeof(want), "192.168.1.%d/24", next++);
		ck_addr4(lab, name, "eth0", want);
	}
	lab_free(lab);
}
END_TEST

/* A segment whose explicit addresses are many: automatic ones must still
 * avoid every one of them. */
START_TEST(test_many_explicit_in_segment)
{
	struct tsuite_buf b = { 0 };
	struct lab *lab;
	int i, n;

	tsuite_buf_printf(&b, "<lab name=\"t\">\n<switch name=\"s1\"/>\n");
	for (i = 1; i <= 80; i++)
		tsuite_buf_printf(&b, "<host name=\"h%d\"><iface name=\"eth0\" addr=\"10.1.0.%d/24\"/></host>\n",
			  i, i);
	tsuite_buf_printf(&b, "<host name=\"auto1\"/><host name=\"auto2\"/>\n");
	for (i = 1; i <= 80; i++)
		tsuite_buf_printf(&b, "<link a=\"h%d\" b=\"s1\"/>\n", i);
	tsuite_buf_printf(&b, "<link a=\"auto1\" b=\"s1\"/><link a=\"auto2\" b=\"s1\"/>\n</lab>\n");
	lab = load(b.s);
	free(b.s);
	ck_addr4(lab, "auto1", "eth0", "10.1.0.81/24");
	ck_addr4(lab, "auto2", "eth0", "10.1.0.82/24");
	ck_assert_msg(all_v4_unique(lab, &n), "duplicate IPv4 addresses");
	ck_assert_int_eq(n, 82);
	lab_free(lab);
}
END_TEST

START_TEST(test_p2p_30)
{
	struct lab *lab = load(
		"<lab name=\"t\">\n"
		"<router name=\"r1\"/><router name=\"r2\"/><router name=\"r3\"/>\n"
		"<link a=\"r1\" b=\"r2\"/>\n"
		"<link a=\"r2\" b=\"r3\"/>\n"
		"</lab>\n");

	ck_addr4(lab, "r1", "eth0", "10.0.0.1/30");
	ck_addr4(lab, "r2", "eth0", "10.0.0.2/30");
	ck_addr4(lab, "r2", "eth1", "10.0.0.5/30");
	ck_addr4(lab, "r3", "eth0", "10.0.0.6/30");
	ck_assert_int_eq(lab->nsegments, 2);
	ck_assert(lab->segments[0].p2p && lab->segments[1].p2p);
	lab_free(lab);
}
END_TEST

/* An explicit 10.0.0.1/30 on a later link: the first automatic segment
 * must not take 10.0.0.0/30, and the explicit segment's other end takes
 * the lowest free address of 10.0.0.0/30. */
START_TEST(test_auto_skips_explicit)
{
	struct lab *lab = load(
		"<lab name=\"t\">\n"
		"<host name=\"h1\"/><host name=\"h2\"/><switch name=\"s1\"/>\n"
		"<router name=\"r1\"><iface name=\"eth0\" addr=\"10.0.0.1/30\"/></router>\n"
		"<router name=\"r2\"/>\n"
		"<link a=\"h1\" b=\"s1\"/><link a=\"h2\" b=\"s1\"/>\n"
		"<link a=\"r1:eth0\" b=\"r2\"/>\n"
		"<link a=\"r1\" b=\"r2\"/>\n"
		"</lab>\n");

	/* 2 hosts + 2 = 4 -> /30; 10.0.0.0/30 is taken -> 10.0.0.4/30 */
	ck_addr4(lab, "h1", "eth0", "10.0.0.5/30");
	ck_addr4(lab, "h2", "eth0", "10.0.0.6/30");
	ck_addr4(lab, "r1", "eth0", "10.0.0.1/30");
	ck_addr4(lab, "r2", "eth0", "10.0.0.2/30");
	/* the next automatic segment follows */
	ck_addr4(lab, "r1", "eth1", "10.0.0.9/30");
	ck_addr4(lab, "r2", "eth1", "10.0.0.10/30");
	lab_free(lab);
}
END_TEST

/* A router ID on lo is an explicit address too: no automatic subnet may
 * contain it. */
START_TEST(test_auto_skips_lo)
{
	struct lab *lab = load(
		"<lab name=\"t\">\n"
		"<router name=\"r1\"><iface name=\"lo\" addr=\"10.0.0.1/32\"/></router>\n"
		"<router name=\"r2\"/>\n"
		"<link a=\"r1\" b=\"r2\"/>\n"
		"</lab>\n");

	ck_addr4(lab, "r1", "eth0", "10.0.0.5/30");
	ck_addr4(lab, "r2", "eth0", "10.0.0.6/30");
	ck_addr4(lab, "r1", "lo", "10.0.0.1/32");
	ck_assert_int_eq(lab->ifaces[iface_of(lab, "r1", "lo")].ifindex, 1);
	lab_free(lab);
}
END_TEST

/* An explicit address on lo inside a LAN's explicit subnet is taken too:
 * the automatic interfaces of that LAN must not reuse it. */
START_TEST(test_auto_skips_lo_in_subnet)
{
	struct lab *lab = load(
		"<lab name=\"t\">\n"
		"<router name=\"r1\"><iface name=\"lo\" addr=\"192.168.1.2/32\"/>"
		"<iface name=\"eth0\" addr=\"192.168.1.1/24\"/></router>\n"
		"<host name=\"h1\"/><switch name=\"s1\"/>\n"
		"<link a=\"r1:eth0\" b=\"s1\"/><link a=\"h1\" b=\"s1\"/>\n"
		"</lab>\n");
	int n;

	ck_assert_msg(all_v4_unique(lab, &n), "duplicate IPv4 addresses");
	ck_addr4(lab, "h1", "eth0", "192.168.1.3/24");
	lab_free(lab);
}
END_TEST

/* The automatic /64s from ip6base never take a /64 that already holds an
 * explicit IPv6 address of another segment. */
START_TEST(test_ip6_auto_skips_explicit)
{
	struct lab *lab = load(
		"<lab name=\"t\" ip6base=\"fd00:6::/48\">\n"
		"<host name=\"h1\"/><host name=\"h2\"/>\n"
		"<router name=\"r1\"><iface name=\"eth0\" addr=\"fd00:6::5/64\"/></router><router name=\"r2\"/>\n"
		"<link a=\"h1\" b=\"h2\"/>\n"
		"<link a=\"r1:eth0\" b=\"r2\"/>\n"
		"</lab>\n");
	struct lab_addr a, b;
	char x[64], y[64];

	ck_addr6(lab, "r2", "eth0", "fd00:6::1/64");
	ck_assert(lab_node_first_addr(lab, lab_node_find(lab, "h1"), AF_INET6, &a));
	ck_assert(lab_node_first_addr(lab, lab_node_find(lab, "r2"), AF_INET6, &b));
	ck_assert_msg(!lab_addr_same_net(&a, &b, 64),
		      "h1 %s and r2 %s share a /64 on different segments",
		      lab_addr_str(&a, x, sizeof(x)), lab_addr_str(&b, y, sizeof(y)));
	lab_free(lab);
}
END_TEST

START_TEST(test_ipbase_none)
{
	struct lab *lab = load(
		"<lab name=\"t\" ipbase=\"none\">\n"
		"<host name=\"h1\"/><host name=\"h2\"><iface name=\"eth0\" addr=\"192.168.5.2/24\"/></host>\n"
		"<host name=\"h3\"/><switch name=\"s1\"/>\n"
		"<router name=\"r1\"/><router name=\"r2\"/>\n"
		"<link a=\"h1\" b=\"s1\"/><link a=\"h2\" b=\"s1\"/><link a=\"h3\" b=\"s1\"/>\n"
		"<link a=\"r1\" b=\"r2\"/>\n"
		"</lab>\n");
	int i;

	ck_assert(lab->ipbase_none);
	ck_addr4(lab, "r1", "eth0", "");
	ck_addr4(lab, "r2", "eth0", "");
	ck_addr4(lab, "h2", "eth0", "192.168.5.2/24");
	/* topologies/README.md, "Automatic addresses": ipbase="none" turns
	 * automatic IPv4 off -- also in a segment that holds an explicit
	 * address. */
	ck_addr4(lab, "h1", "eth0", "");
	ck_addr4(lab, "h3", "eth0", "");
	for (i = 0; i < lab->nifaces; i++)
		ck_assert_msg(!lab->ifaces[i].auto4.family,
			      "automatic IPv4 address on %s:%s with ipbase=none",
			      lab->nodes[lab->ifaces[i].node].name, lab->ifaces[i].name);
	lab_free(lab);
}
END_TEST

START_TEST(test_ipbase_custom)
{
	struct lab *lab = load(
		"<lab name=\"t\" ipbase=\"192.168.0.0/16\">\n"
		"<router name=\"r1\"/><router name=\"r2\"/>\n"
		"<host name=\"h1\"/><host name=\"h2\"/><switch name=\"s1\"/>\n"
		"<link a=\"r1\" b=\"r2\"/>\n"
		"<link a=\"h1\" b=\"s1\"/><link a=\"h2\" b=\"s1\"/><link a=\"r2\" b=\"s1\"/>\n"
		"</lab>\n");

	ck_addr4(lab, "r1", "eth0", "192.168.0.1/30");
	ck_addr4(lab, "r2", "eth0", "192.168.0.2/30");
	/* LAN: r2, h1, h2 -> 5 -> /29 at 192.168.0.8; node order r2, h1, h2 */
	ck_addr4(lab, "r2", "eth1", "192.168.0.9/29");
	ck_addr4(lab, "h1", "eth0", "192.168.0.10/29");
	ck_addr4(lab, "h2", "eth0", "192.168.0.11/29");
	lab_free(lab);
}
END_TEST

/* A /24-sized segment after a /30 starts at the next aligned /24 (the
 * smallest aligned block), and a full ipbase is an error. */
START_TEST(test_block_size_alignment)
{
	struct tsuite_buf b = { 0 };
	struct lab *lab;
	int i;

	tsuite_buf_printf(&b, "<lab name=\"t\">\n<router name=\"r1\"/><router name=\"r2\"/><switch name=\"s1\"/>\n");
	for (i = 1; i <= 200; i++)
		tsuite_buf_printf(&b, "<host name=\"h%d\"/><link a=\"h%d\" b=\"s1\"/>\n", i, i);
	tsuite_buf_printf(&b, "<link a=\"r1\" b=\"r2\"/>\n</lab>\n");
	lab = load(b.s);
	free(b.s);
	/* the LAN's first link comes first: 200 + 2 -> /24 at 10.0.0.0 */
	ck_addr4(lab, "h1", "eth0", "10.0.0.1/24");
	ck_addr4(lab, "h200", "eth0", "10.0.0.200/24");
	ck_addr4(lab, "r1", "eth0", "10.0.1.1/30");
	ck_addr4(lab, "r2", "eth0", "10.0.1.2/30");
	lab_free(lab);

	refused("<lab name=\"t\" ipbase=\"10.9.9.0/30\">\n"
		"<router name=\"r1\"/><router name=\"r2\"/>\n"
		"<link a=\"r1\" b=\"r2\"/>\n<link a=\"r1\" b=\"r2\"/>\n"
		"</lab>\n", "full|no (free|room)|exhaust");
}
END_TEST

START_TEST(test_addr_none)
{
	struct lab *lab = load(
		"<lab name=\"t\">\n"
		"<host name=\"h1\"><iface name=\"eth0\" addr=\"none\"/></host>\n"
		"<host name=\"h2\"/><host name=\"h3\"/><switch name=\"s1\"/>\n"
		"<link a=\"h1\" b=\"s1\"/><link a=\"h2\" b=\"s1\"/><link a=\"h3\" b=\"s1\"/>\n"
		"</lab>\n");

	ck_assert_int_eq(naddr(lab, "h1", "eth0"), 0);
	ck_addr4(lab, "h2", "eth0", "10.0.0.1/30");
	ck_addr4(lab, "h3", "eth0", "10.0.0.2/30");
	/* a node without address is not in /etc/hosts */
	ck_assert_ptr_null(strstr(lab->hosts, "\th1\n"));
	lab_free(lab);
}
END_TEST

START_TEST(test_ip6base)
{
	struct lab *lab = load(
		"<lab name=\"t\" ip6base=\"fd00:6::/48\">\n"
		"<host name=\"h1\"/><host name=\"h2\"/><switch name=\"s1\"/>\n"
		"<router name=\"r1\"/><host name=\"h3\"/>\n"
		"<link a=\"h1\" b=\"s1\"/><link a=\"h2\" b=\"s1\"/>\n"
		"<link a=\"r1\" b=\"s1\"/><link a=\"r1\" b=\"h3\"/>\n"
		"</lab>\n");

	ck_assert(lab->ipv6_on);
	ck_addr6(lab, "h1", "eth0", "fd00:6::1/64");
	ck_addr6(lab, "h2", "eth0", "fd00:6::2/64");
	ck_addr6(lab, "r1", "eth0", "fd00:6::3/64");
	ck_addr6(lab, "r1", "eth1", "fd00:6:0:1::1/64");
	ck_addr6(lab, "h3", "eth0", "fd00:6:0:1::2/64");
	/* IPv4 as usual next to it */
	ck_addr4(lab, "h1", "eth0", "10.0.0.1/29");
	ck_addr4(lab, "r1", "eth1", "10.0.0.9/30");
	lab_free(lab);
}
END_TEST

/* ip6base="X/64" has room for exactly one /64: a second segment must be
 * refused, never given a /64 outside ip6base or the same /64 again. */
START_TEST(test_ip6base_full)
{
	refused("<lab name=\"t\" ip6base=\"fd00:1:2:3::/64\">\n"
		"<router name=\"r1\"/><router name=\"r2\"/><router name=\"r3\"/>\n"
		"<link a=\"r1\" b=\"r2\"/>\n<link a=\"r2\" b=\"r3\"/>\n"
		"</lab>\n", "ip6base|full|no (free|room)");
}
END_TEST

START_TEST(test_ipv6_auto_off)
{
	struct lab *lab = load(
		"<lab name=\"t\"><router name=\"r1\"/><router name=\"r2\"/>\n"
		"<link a=\"r1\" b=\"r2\"/></lab>\n");

	ck_assert(!lab->ipv6_on);
	ck_addr6(lab, "r1", "eth0", "");
	lab_free(lab);
	lab = load("<lab name=\"t\"><router name=\"r1\"><iface name=\"eth0\" addr=\"fd00::1/64\"/></router>\n"
		   "<router name=\"r2\"/><link a=\"r1\" b=\"r2\"/></lab>\n");
	ck_assert(lab->ipv6_on);
	lab_free(lab);
}
END_TEST

/* ---- interface names and ifindexes (topologies/README.md) ---------------- */

START_TEST(test_auto_names)
{
	struct lab *lab = load(
		"<lab name=\"t\">\n"
		"<host name=\"h1\"/><host name=\"h2\"/><router name=\"r1\"/>\n"
		"<switch name=\"s1\"/><switch name=\"s2\"/>\n"
		"<link a=\"h1\" b=\"s1\"/>\n"		/* h1:eth1 (eth0 named below), s1:eth2 */
		"<link a=\"h1:eth0\" b=\"r1:eth7\"/>\n"	/* explicit names win */
		"<link a=\"h2\" b=\"s1:eth1\"/>\n"	/* h2:eth0, s1:eth1 explicit */
		"<link a=\"s1\" b=\"s2\"/>\n"		/* s1:eth3, s2:eth1 */
		"<link a=\"r1\" b=\"s2\"/>\n"		/* r1:eth0, s2:eth2 */
		"<link a=\"r1\" b=\"s2\"/>\n"		/* r1:eth1, s2:eth3 (2 links, same pair) */
		"</lab>\n");
	const struct lab_link *l = lab->links;

	ck_assert_str_eq(lab->ifaces[l[0].iface[0]].name, "eth1");
	ck_assert_str_eq(lab->ifaces[l[0].iface[1]].name, "eth2");
	ck_assert_str_eq(lab->ifaces[l[1].iface[0]].name, "eth0");
	ck_assert_str_eq(lab->ifaces[l[1].iface[1]].name, "eth7");
	ck_assert_str_eq(lab->ifaces[l[2].iface[0]].name, "eth0");
	ck_assert_str_eq(lab->ifaces[l[2].iface[1]].name, "eth1");
	ck_assert_str_eq(lab->ifaces[l[3].iface[0]].name, "eth3");
	ck_assert_str_eq(lab->ifaces[l[3].iface[1]].name, "eth1");
	ck_assert_str_eq(lab->ifaces[l[4].iface[0]].name, "eth0");
	ck_assert_str_eq(lab->ifaces[l[4].iface[1]].name, "eth2");
	ck_assert_str_eq(lab->ifaces[l[5].iface[0]].name, "eth1");
	ck_assert_str_eq(lab->ifaces[l[5].iface[1]].name, "eth3");
	/* the s1-s2 link joins both switches into one segment */
	ck_assert_int_eq(lab->ifaces[iface_of(lab, "h1", "eth1")].segment,
			 lab->ifaces[iface_of(lab, "r1", "eth0")].segment);
	lab_free(lab);
}
END_TEST

/* A declared <iface name="eth0"> is the interface an automatic link end
 * takes (the lowest free name). */
START_TEST(test_declared_iface_used)
{
	struct lab *lab = load(
		"<lab name=\"t\">\n"
		"<host name=\"h1\"><iface name=\"eth0\" mtu=\"1400\"/></host>\n"
		"<host name=\"h2\"/>\n"
		"<link a=\"h1\" b=\"h2\"/>\n"
		"</lab>\n");

	ck_assert_int_eq(lab->links[0].iface[0], iface_of(lab, "h1", "eth0"));
	ck_assert_int_eq(lab->ifaces[iface_of(lab, "h1", "eth0")].mtu, 1400);
	ck_assert_int_eq(lab->ifaces[iface_of(lab, "h2", "eth0")].mtu, 1500);
	ck_assert_int_eq(lab->nifaces, 2);
	lab_free(lab);
}
END_TEST

/* Sub-interfaces follow every link end: from 3 + 2 * nlinks, in their
 * node's declaration order. */
START_TEST(test_ifindex_subifaces)
{
	struct lab *lab = load(
		"<lab name=\"t\">\n"
		"<router name=\"r1\"><iface name=\"eth0\" addr=\"none\"/>\n"
		"<iface name=\"eth0.20\" parent=\"eth0\" vlan=\"20\"/>\n"
		"<iface name=\"eth0.10\" parent=\"eth0\" vlan=\"10\"/></router>\n"
		"<switch name=\"s1\" vlan-filtering=\"on\"/><host name=\"h1\"/>\n"
		"<link a=\"h1\" b=\"s1\" vlan=\"10\"/>\n"
		"<link a=\"r1:eth0\" b=\"s1\" vlans=\"10,20\"/>\n"
		"</lab>\n");

	/* 2 links: h1:eth0 3, s1:eth1 4; r1:eth0 5, s1:eth2 6; then 7 */
	ck_assert_int_eq(lab->ifaces[iface_of(lab, "h1", "eth0")].ifindex, 3);
	ck_assert_int_eq(lab->ifaces[iface_of(lab, "s1", "eth1")].ifindex, 4);
	ck_assert_int_eq(lab->ifaces[iface_of(lab, "r1", "eth0")].ifindex, 5);
	ck_assert_int_eq(lab->ifaces[iface_of(lab, "s1", "eth2")].ifindex, 6);
	ck_assert_int_eq(lab->ifaces[iface_of(lab, "r1", "eth0.20")].ifindex, 7);
	ck_assert_int_eq(lab->ifaces[iface_of(lab, "r1", "eth0.10")].ifindex, 8);
	lab_free(lab);
}
END_TEST

START_TEST(test_ifindex)
{
	struct lab *lab = load(
		"<lab name=\"t\">\n"
		"<host name=\"h1\"/><switch name=\"s1\"/><router name=\"r1\"/>\n"
		"<host name=\"h2\"><iface name=\"lo\" addr=\"10.9.9.9/32\"/></host>\n"
		"<link a=\"h1\" b=\"s1\"/><link a=\"h2\" b=\"s1\"/>\n"
		"<link a=\"h1\" b=\"r1\"/><link a=\"r1\" b=\"s1\"/>\n"
		"</lab>\n");
	int s1 = lab_node_find(lab, "s1"), i;

	/* link L's ends are 3 + 2L (a) and 4 + 2L (b), by hand:
	 * L0 h1-s1: 3, 4; L1 h2-s1: 5, 6; L2 h1-r1: 7, 8; L3 r1-s1: 9, 10 */
	ck_assert_int_eq(lab->ifaces[iface_of(lab, "h1", "eth0")].ifindex, 3);
	ck_assert_int_eq(lab->ifaces[iface_of(lab, "h1", "eth1")].ifindex, 7);
	ck_assert_int_eq(lab->ifaces[iface_of(lab, "h2", "lo")].ifindex, 1);
	ck_assert_int_eq(lab->ifaces[iface_of(lab, "h2", "eth0")].ifindex, 5);
	ck_assert_int_eq(lab->ifaces[iface_of(lab, "r1", "eth0")].ifindex, 8);
	ck_assert_int_eq(lab->ifaces[iface_of(lab, "r1", "eth1")].ifindex, 9);
	/* br0 is 2, so no port is */
	ck_assert_int_eq(lab->ifaces[iface_of(lab, "s1", "eth1")].ifindex, 4);
	ck_assert_int_eq(lab->ifaces[iface_of(lab, "s1", "eth2")].ifindex, 6);
	ck_assert_int_eq(lab->ifaces[iface_of(lab, "s1", "eth3")].ifindex, 10);
	/* the two ends of a cable never share a number */
	for (i = 0; i < lab->nlinks; i++)
		ck_assert_int_ne(lab->ifaces[lab->links[i].iface[0]].ifindex,
				 lab->ifaces[lab->links[i].iface[1]].ifindex);
	/* node lists are in ifindex order, without lo */
	for (i = 1; i < lab->nodes[s1].nifaces; i++)
		ck_assert_int_lt(lab->ifaces[lab->nodes[s1].ifaces[i - 1]].ifindex,
				 lab->ifaces[lab->nodes[s1].ifaces[i]].ifindex);
	/* ifindexes are unique within each node */
	for (i = 0; i < lab->nifaces; i++) {
		int j;

		for (j = 0; j < i; j++)
			ck_assert(lab->ifaces[i].node != lab->ifaces[j].node ||
				  lab->ifaces[i].ifindex != lab->ifaces[j].ifindex);
	}
	lab_free(lab);
}
END_TEST

/* ---- MACs ------------------------------------------------------------------ */

static const char mac_lab[] =
	"<lab name=\"t\">\n"
	"<host name=\"h1\"/><host name=\"h2\"><iface name=\"eth0\" mac=\"02:aa:bb:cc:dd:ee\"/></host>\n"
	"<switch name=\"s1\"/><router name=\"r1\"/>\n"
	"<link a=\"h1\" b=\"s1\"/><link a=\"h2\" b=\"s1\"/><link a=\"r1\" b=\"s1\"/>\n"
	"<link a=\"r1\" b=\"h1\"/>\n"
	"</lab>\n";

START_TEST(test_mac_deterministic)
{
	struct lab *a = load(mac_lab), *b = load(mac_lab);
	int i;

	ck_assert_int_eq(a->nifaces, b->nifaces);
	for (i = 0; i < a->nifaces; i++)
		ck_assert_mem_eq(a->ifaces[i].mac, b->ifaces[i].mac, 6);
	for (i = 0; i < a->nnodes; i++)
		ck_assert_mem_eq(a->nodes[i].bridge_mac, b->nodes[i].bridge_mac, 6);
	ck_assert_mem_eq(a->ifaces[iface_of(a, "h2", "eth0")].mac,
			 ((uint8_t[]){ 0x02, 0xaa, 0xbb, 0xcc, 0xdd, 0xee }), 6);
	/* auto MACs are locally administered unicast */
	for (i = 0; i < a->nifaces; i++)
		if (a->ifaces[i].ifindex != 1)
			ck_assert_int_eq(a->ifaces[i].mac[0] & 0x03, 0x02);
	ck_assert_int_eq(a->nodes[lab_node_find(a, "s1")].bridge_mac[0] & 0x03, 0x02);
	lab_free(a);
	lab_free(b);
}
END_TEST

static int cmp_mac(const void *a, const void *b)
{
	return memcmp(a, b, 6);
}

START_TEST(test_mac_unique_500)
{
	struct tsuite_buf b = { 0 };
	struct lab *lab;
	uint8_t (*macs)[6];
	int i, n = 0;

	tsuite_buf_printf(&b, "<lab name=\"star\">\n<switch name=\"s1\"/>\n");
	for (i = 1; i <= 500; i++)
		tsuite_buf_printf(&b, "<host name=\"h%d\"/>\n<link a=\"h%d\" b=\"s1\"/>\n", i, i);
	tsuite_buf_printf(&b, "</lab>\n");
	lab = load(b.s);
	free(b.s);
	ck_assert_int_eq(lab->nifaces, 1000);
	macs = malloc(sizeof(*macs) * (size_t)(lab->nifaces + lab->nnodes));
	ck_assert_ptr_nonnull(macs);
	for (i = 0; i < lab->nifaces; i++) {
		ck_assert_int_eq(lab->ifaces[i].mac[0] & 0x03, 0x02);
		memcpy(macs[n++], lab->ifaces[i].mac, 6);
	}
	memcpy(macs[n++], lab->nodes[0].bridge_mac, 6);
	ck_assert_int_eq(lab->nodes[0].bridge_mac[0] & 0x03, 0x02);
	qsort(macs, (size_t)n, 6, cmp_mac);
	for (i = 1; i < n; i++)
		ck_assert_msg(memcmp(macs[i], macs[i - 1], 6),
			      "MAC %02x:%02x:%02x:%02x:%02x:%02x used twice",
			      macs[i][0], macs[i][1], macs[i][2], macs[i][3],
			      macs[i][4], macs[i][5]);
	free(macs);
	/* 500 hosts: the LAN is a /23 (500 + 2 > 256) */
	ck_addr4(lab, "h1", "eth0", "10.0.0.1/23");
	ck_addr4(lab, "h500", "eth0", "10.0.1.244/23");
	lab_free(lab);
}
END_TEST

/* A bridge holds 1024 ports (BR_MAX_PORTS): 1024 links to one switch are
 * fine, 1025 are refused before anything is built. */
static char *star_xml(int n)
{
	struct tsuite_buf b = { 0 };
	int i;

	tsuite_buf_printf(&b, "<lab name=\"star\">\n<switch name=\"s1\"/>\n");
	for (i = 1; i <= n; i++)
		tsuite_buf_printf(&b, "<host name=\"h%d\"/>\n<link a=\"h%d\" b=\"s1\"/>\n", i, i);
	tsuite_buf_printf(&b, "</lab>\n");
	return b.s;
}

/* Input over 16 MiB is refused before libxml2 sees it. */
START_TEST(test_file_too_big)
{
	size_t len = LAB_FILE_MAX + 1;
	char *buf = malloc(len);
	struct lab_errors errs;
	struct lab *lab;

	ck_assert_ptr_nonnull(buf);
	memset(buf, ' ', len);
	memcpy(buf, "<lab name=\"x\">", 15);
	lab_errors_init(&errs, "big.xml");
	ck_assert_int_eq(lab_parse_buffer(buf, len, "big.xml", ".", &lab, &errs),
			 -EFBIG);
	ck_assert_ptr_null(lab);
	ck_assert_int_eq(errs.n, 1);
	ck_assert_str_eq(errs.v[0].msg, "file larger than 16 MiB");
	free(buf);
}
END_TEST

START_TEST(test_bridge_ports_max)
{
	char *xml = star_xml(1024);
	struct lab *lab = load(xml);

	ck_assert_int_eq(lab->nodes[0].nifaces, 1024);
	lab_free(lab);
	free(xml);
	xml = star_xml(1025);
	refused(xml, "switch s1 has 1025 links.*at most 1024 ports");
	free(xml);
}
END_TEST

/* ---- gateways, /etc/hosts --------------------------------------------------- */

START_TEST(test_gateway_auto)
{
	struct lab *lab = load(
		"<lab name=\"t\">\n"
		"<host name=\"h1\" gateway=\"auto\"/>\n"
		"<router name=\"r1\"><iface name=\"eth0\" addr=\"192.168.1.254/24\"/></router>\n"
		"<router name=\"r2\"><iface name=\"eth0\" addr=\"192.168.1.253/24\"/></router>\n"
		"<host name=\"h2\" gateway=\"auto\"/>\n"
		"<switch name=\"s1\"/>\n"
		"<link a=\"h1\" b=\"s1\"/><link a=\"r1:eth0\" b=\"s1\"/><link a=\"r2:eth0\" b=\"s1\"/>\n"
		"<link a=\"h2\" b=\"s1\"/>\n"
		"</lab>\n");
	int i, h1 = lab_node_find(lab, "h1"), found = 0;
	char buf[64];

	ck_addr4(lab, "h1", "eth0", "192.168.1.1/24");
	ck_addr4(lab, "h2", "eth0", "192.168.1.2/24");
	ck_assert(lab->nodes[h1].has_gw);
	ck_assert_str_eq(lab_ip_str(&lab->nodes[h1].gw, buf, sizeof(buf)),
			 "192.168.1.253");
	for (i = 0; i < lab->nroutes; i++) {
		const struct lab_route *r = &lab->routes[i];

		if (r->node != h1)
			continue;
		found++;
		ck_assert(r->is_default);
		ck_assert(r->has_via);
		ck_assert_str_eq(lab_ip_str(&r->via, buf, sizeof(buf)), "192.168.1.253");
	}
	ck_assert_int_eq(found, 1);
	lab_free(lab);
}
END_TEST

/* Automatic router addresses: the lowest one wins, whatever the order of
 * the routers. */
START_TEST(test_gateway_auto_automatic)
{
	struct lab *lab = load(
		"<lab name=\"t\">\n"
		"<host name=\"h1\" gateway=\"auto\"/>\n"
		"<router name=\"r2\"/><router name=\"r1\"/><switch name=\"s1\"/>\n"
		"<link a=\"r1\" b=\"s1\"/><link a=\"r2\" b=\"s1\"/><link a=\"h1\" b=\"s1\"/>\n"
		"</lab>\n");
	char buf[64];

	/* node order: h1 .1, r2 .2, r1 .3 */
	ck_addr4(lab, "r2", "eth0", "10.0.0.2/29");
	ck_assert_str_eq(lab_ip_str(&lab->nodes[0].gw, buf, sizeof(buf)), "10.0.0.2");
	lab_free(lab);
}
END_TEST

START_TEST(test_etc_hosts)
{
	struct lab *lab = load(
		"<lab name=\"t\">\n"
		"<router name=\"r1\"><iface name=\"lo\" addr=\"10.255.0.1/32\"/></router>\n"
		"<host name=\"h1\"/><host name=\"h2\"/><switch name=\"s1\"/>\n"
		"<host name=\"h3\"/>\n"
		"<link a=\"r1\" b=\"s1\"/><link a=\"h1\" b=\"s1\"/><link a=\"h2\" b=\"s1\"/>\n"
		"<link a=\"r1\" b=\"h3\"/>\n"
		"</lab>\n");
	static const char *const want[] = {
		"10.0.0.1\tr1\n",	/* eth0 first, not the router ID on lo */
		"10.0.0.2\th1\n", "10.0.0.3\th2\n", "10.0.0.10\th3\n",
	};
	size_t i;

	ck_assert_ptr_nonnull(lab->hosts);
	ck_assert_msg(strstr(lab->hosts, "127.0.0.1") != NULL, "%s", lab->hosts);
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		ck_assert_msg(strstr(lab->hosts, want[i]) != NULL,
			      "/etc/hosts lacks \"%s\":\n%s", want[i], lab->hosts);
	/* one line per named node, each once */
	ck_assert_ptr_null(strstr(strstr(lab->hosts, "\tr1\n") + 1, "\tr1\n"));
	lab_free(lab);
}
END_TEST

/* ---- checks that refuse a lab (topologies/README.md, "Limits") ----------- */

START_TEST(test_jitter_reorder_need_delay)
{
	refused("<lab name=\"t\"><host name=\"h1\"/><host name=\"h2\"/>\n"
		"<link a=\"h1\" b=\"h2\" jitter=\"5ms\"/></lab>\n", "jitter.*delay");
	refused("<lab name=\"t\"><host name=\"h1\"/><host name=\"h2\"/>\n"
		"<link a=\"h1\" b=\"h2\" reorder=\"5%\"/></lab>\n", "reorder.*delay");
	/* one direction with jitter and no delay */
	refused("<lab name=\"t\"><host name=\"h1\"/><host name=\"h2\"/>\n"
		"<link a=\"h1\" b=\"h2\" jitter=\"5ms\"><a-to-b delay=\"10ms\"/></link></lab>\n",
		"jitter.*delay");
	/* delay on the link, jitter per direction: fine */
	lab_free(load("<lab name=\"t\"><host name=\"h1\"/><host name=\"h2\"/>\n"
		      "<link a=\"h1\" b=\"h2\" delay=\"10ms\" reorder=\"1%\"><a-to-b jitter=\"2ms\"/></link></lab>\n"));
}
END_TEST

START_TEST(test_shaping_directions)
{
	struct lab *lab = load(
		"<lab name=\"t\"><host name=\"h1\"/><host name=\"h2\"/>\n"
		"<link a=\"h1\" b=\"h2\" rate=\"10mbit\" delay=\"5ms\"><b-to-a rate=\"2mbps\" loss=\"1%\"/></link></lab>\n");
	const struct lab_link *l = &lab->links[0];

	ck_assert_uint_eq(l->shape[0].rate_bps, 10000000);
	ck_assert_uint_eq(l->shape[0].delay_ns, 5000000);
	ck_assert_double_eq(l->shape[0].loss_pct, 0);
	ck_assert_uint_eq(l->shape[1].rate_bps, 16000000);
	ck_assert_uint_eq(l->shape[1].delay_ns, 5000000);
	ck_assert_double_eq_tol(l->shape[1].loss_pct, 1, 1e-12);
	ck_assert(lab_shaping_needs_tbf(&l->shape[0]) && lab_shaping_needs_netem(&l->shape[0]));
	lab_free(lab);
}
END_TEST

START_TEST(test_route_via)
{
	refused("<lab name=\"t\"><host name=\"h1\"><route dst=\"10.50.0.0/16\" via=\"10.9.9.9\"/></host>\n"
		"<router name=\"r1\"/><link a=\"h1\" b=\"r1\"/></lab>\n",
		"via=\"10\\.9\\.9\\.9\".*subnet");
	/* the node's own address is not a gateway */
	refused("<lab name=\"t\"><host name=\"h1\"><route dst=\"10.50.0.0/16\" via=\"10.0.0.1\"/></host>\n"
		"<router name=\"r1\"/><link a=\"h1\" b=\"r1\"/></lab>\n", "via");
	refused("<lab name=\"t\"><host name=\"h1\" gateway=\"172.16.0.1\"/>\n"
		"<router name=\"r1\"/><link a=\"h1\" b=\"r1\"/></lab>\n", "172\\.16\\.0\\.1");
	{
		struct lab *lab = load(
			"<lab name=\"t\"><host name=\"h1\"><route dst=\"10.50.0.0/16\" via=\"10.0.0.2\"/></host>\n"
			"<router name=\"r1\"/><link a=\"h1\" b=\"r1\"/></lab>\n");
		ck_assert_int_eq(lab->nroutes, 1);
		lab_free(lab);
	}
}
END_TEST

START_TEST(test_refused_misc)
{
	refused("<lab name=\"t\"><host name=\"h1\"/><host name=\"h1\"/></lab>\n",
		"duplicate node name \"h1\"");
	refused("<lab name=\"t\"><host name=\"h1\"/><link a=\"h1\" b=\"h9\"/></lab>\n",
		"h9");
	refused("<lab name=\"t\"><host name=\"h1\"/><host name=\"h2\"/><host name=\"h3\"/>\n"
		"<link a=\"h1:eth0\" b=\"h2\"/><link a=\"h1:eth0\" b=\"h3\"/></lab>\n",
		"h1:eth0.*two links");
	/* overlapping explicit subnets on different segments */
	refused("<lab name=\"t\"><host name=\"h1\"><iface name=\"eth0\" addr=\"10.1.0.1/16\"/></host>\n"
		"<host name=\"h2\"/><host name=\"h3\"><iface name=\"eth0\" addr=\"10.1.2.1/24\"/></host><host name=\"h4\"/>\n"
		"<link a=\"h1\" b=\"h2\"/><link a=\"h3\" b=\"h4\"/></lab>\n", "overlap");
	/* the same address twice */
	refused("<lab name=\"t\"><host name=\"h1\"><iface name=\"eth0\" addr=\"10.1.0.1/24\"/></host>\n"
		"<host name=\"h2\"><iface name=\"eth0\" addr=\"10.1.0.1/24\"/></host><switch name=\"s1\"/>\n"
		"<link a=\"h1\" b=\"s1\"/><link a=\"h2\" b=\"s1\"/></lab>\n", "10\\.1\\.0\\.1");
	/* two explicit MACs equal */
	refused("<lab name=\"t\"><host name=\"h1\"><iface name=\"eth0\" mac=\"02:00:00:00:00:01\"/></host>\n"
		"<host name=\"h2\"><iface name=\"eth0\" mac=\"02:00:00:00:00:01\"/></host>\n"
		"<link a=\"h1\" b=\"h2\"/></lab>\n", "02:00:00:00:00:01");
}
END_TEST

/* ---- addresses no interface may have (topologies/README.md, <iface>) ---- */

/* /31 and /32 have no network or broadcast address (RFC 3021): both ends
 * of a /31 and any /32 are usable, and so are ordinary addresses right
 * next to the refused blocks (0/8, 127/8, 224/4). */
START_TEST(test_addr_edges_accepted)
{
	struct lab *lab = load(
		"<lab name=\"t\">\n"
		"<router name=\"r1\"><iface name=\"eth0\" addr=\"10.0.0.0/31 fd00:1::/127\"/>"
		"<iface name=\"lo\" addr=\"10.255.255.255/32 10.9.0.0/32\"/>"
		"<route dst=\"10.50.0.0/16\" via=\"10.0.0.1\"/></router>\n"
		"<router name=\"r2\"><iface name=\"eth0\" addr=\"10.0.0.1/31 fd00:1::1/127\"/>"
		"<route dst=\"10.60.0.0/16\" via=\"10.0.0.0\"/></router>\n"
		"<host name=\"h1\" gateway=\"1.0.0.1\"><iface name=\"eth0\" addr=\"1.0.0.2/24\"/></host>\n"
		"<host name=\"h2\"><iface name=\"eth0\" addr=\"1.0.0.1/24\"/></host>\n"
		"<host name=\"h3\"><iface name=\"eth0\" addr=\"126.255.255.254/24\"/></host>\n"
		"<host name=\"h4\"><iface name=\"eth0\" addr=\"223.255.255.254/24\"/></host>\n"
		"<host name=\"h5\"><iface name=\"eth0\" addr=\"128.0.0.1/16 192.168.1.1/24\"/></host>\n"
		"<host name=\"h6\"><iface name=\"eth0\" addr=\"192.168.2.255/23\"/></host>\n"
		"<link a=\"r1\" b=\"r2\"/><link a=\"h1\" b=\"h2\"/>\n"
		"<link a=\"h3\" b=\"h4\"/><link a=\"h5\" b=\"h6\"/>\n"
		"</lab>\n");

	ck_addr4(lab, "r1", "eth0", "10.0.0.0/31");
	ck_addr4(lab, "r2", "eth0", "10.0.0.1/31");
	ck_addr4(lab, "r1", "lo", "10.255.255.255/32");
	ck_addr6(lab, "r2", "eth0", "fd00:1::1/127");
	ck_addr4(lab, "h3", "eth0", "126.255.255.254/24");
	ck_addr4(lab, "h6", "eth0", "192.168.2.255/23");
	ck_assert_int_eq(naddr(lab, "r1", "lo"), 2);
	/* two routes and h1's gateway */
	ck_assert_int_eq(lab->nroutes, 3);
	lab_free(lab);
}
END_TEST

static void ck_ipbase_ok(const char *attrs)
{
	char xml[256];
	struct lab *lab;

	snprintf(xml, sizeof(xml),
		 "<lab name=\"t\" %s><host name=\"h1\"/><host name=\"h2\"/>"
		 "<link a=\"h1\" b=\"h2\"/></lab>\n", attrs);
	lab = load(xml);
	lab_free(lab);
}

/* Pools right next to the refused blocks are fine. */
START_TEST(test_ipbase_edges_accepted)
{
	struct lab *lab;

	ck_ipbase_ok("ipbase=\"1.0.0.0/8\"");
	ck_ipbase_ok("ipbase=\"126.0.0.0/8\"");
	ck_ipbase_ok("ipbase=\"128.0.0.0/2\"");
	ck_ipbase_ok("ipbase=\"223.255.255.0/24\"");
	ck_ipbase_ok("ip6base=\"fc00::/7\"");
	ck_ipbase_ok("ip6base=\"0:0:0:1::/64\"");
	lab = load("<lab name=\"t\" ipbase=\"223.255.255.252/30\" ip6base=\"fe00::/8\">"
		   "<host name=\"h1\"/><host name=\"h2\"/><link a=\"h1\" b=\"h2\"/></lab>\n");
	ck_addr4(lab, "h1", "eth0", "223.255.255.253/30");
	ck_addr4(lab, "h2", "eth0", "223.255.255.254/30");
	ck_addr6(lab, "h1", "eth0", "fe00::1/64");
	lab_free(lab);
}
END_TEST

/* Wider pools that reach a refused block, and the network or broadcast
 * address of a subnet as a next hop. */
START_TEST(test_addr_edges_refused)
{
	static const char tail[] =
		"<host name=\"h1\"/><host name=\"h2\"/><link a=\"h1\" b=\"h2\"/></lab>\n";
	char xml[256];

	snprintf(xml, sizeof(xml), "<lab name=\"t\" ipbase=\"0.0.0.0/1\">%s", tail);
	refused(xml, "ipbase=\"0\\.0\\.0\\.0/1\".*0\\.0\\.0\\.0/8");
	snprintf(xml, sizeof(xml), "<lab name=\"t\" ipbase=\"64.0.0.0/2\">%s", tail);
	refused(xml, "ipbase=\"64\\.0\\.0\\.0/2\".*loopback");
	snprintf(xml, sizeof(xml), "<lab name=\"t\" ipbase=\"192.0.0.0/2\">%s", tail);
	refused(xml, "ipbase=\"192\\.0\\.0\\.0/2\".*multicast");
	snprintf(xml, sizeof(xml), "<lab name=\"t\" ip6base=\"fe00::/7\">%s", tail);
	refused(xml, "ip6base=\"fe00::/7\".*multicast");
	snprintf(xml, sizeof(xml), "<lab name=\"t\" ip6base=\"::/0\">%s", tail);
	refused(xml, "ip6base=\"::/0\"");
	refused("<lab name=\"t\"><host name=\"h1\" gateway=\"10.0.0.0\"/>\n"
		"<router name=\"r1\"/><link a=\"h1\" b=\"r1\"/></lab>\n",
		"gateway=\"10\\.0\\.0\\.0\".*network address of 10\\.0\\.0\\.0/30");
	refused("<lab name=\"t\"><host name=\"h1\"><iface name=\"eth0\" addr=\"10.0.0.1/24\"/>"
		"<route dst=\"10.9.0.0/16\" via=\"10.0.0.255\" dev=\"eth0\"/></host>\n"
		"<router name=\"r1\"/><link a=\"h1\" b=\"r1\"/></lab>\n",
		"via=\"10\\.0\\.0\\.255\".*broadcast address of 10\\.0\\.0\\.0/24");
	refused("<lab name=\"t\"><host name=\"h1\"><iface name=\"eth0\" addr=\"10.0.0.1/30 10.0.0.4/30\"/></host>\n"
		"<router name=\"r1\"/><link a=\"h1\" b=\"r1\"/></lab>\n",
		"10\\.0\\.0\\.4/30 is the network address of 10\\.0\\.0\\.4/30");
	/* one address in each special IPv4 block, named by its block */
	static const char *const special[][2] = {
		{ "0.0.0.9/24", "0\\.0\\.0\\.0/8" },
		{ "127.0.0.2/8", "loopback" },
		{ "224.0.0.5/24", "multicast" },
		{ "240.0.0.1/24", "reserved block 240\\.0\\.0\\.0/4" },
	};
	for (size_t i = 0; i < sizeof(special) / sizeof(special[0]); i++) {
		char x[320], want[128];

		snprintf(x, sizeof(x), "<lab name=\"t\"><host name=\"h1\"><iface name=\"eth0\" addr=\"%s\"/></host>\n"
			 "<router name=\"r1\"/><link a=\"h1\" b=\"r1\"/></lab>\n", special[i][0]);
		snprintf(want, sizeof(want), "%s", special[i][1]);
		refused(x, want);
	}
}
END_TEST

/* h0 with explicit 10.5.0.6/29 and nauto automatic hosts on switch s1. */
static char *edge_lab(int nauto)
{
	struct tsuite_buf b = { 0 };
	int i;

	tsuite_buf_printf(&b, "<lab name=\"t\"><switch name=\"s1\"/>"
			  "<host name=\"h0\"><iface name=\"eth0\" addr=\"10.5.0.6/29\"/></host>");
	for (i = 1; i <= nauto; i++)
		tsuite_buf_printf(&b, "<host name=\"h%d\"/>", i);
	for (i = 0; i <= nauto; i++)
		tsuite_buf_printf(&b, "<link a=\"h%d\" b=\"s1\"/>", i);
	tsuite_buf_printf(&b, "</lab>\n");
	return b.s;
}

/* Automatic addresses next to an explicit one never take the subnet's
 * network or broadcast address; in a /31 both addresses are hosts. */
START_TEST(test_auto_never_edges)
{
	struct lab *lab;
	char *xml;

	lab = load("<lab name=\"t\"><router name=\"r1\"><iface name=\"eth0\" addr=\"10.7.0.1/31\"/></router>"
		   "<router name=\"r2\"/><link a=\"r1\" b=\"r2\"/></lab>\n");
	ck_addr4(lab, "r2", "eth0", "10.7.0.0/31");
	lab_free(lab);
	/* a /29 has six hosts: .6 is explicit, five automatic take .1 to .5 */
	xml = edge_lab(5);
	lab = load(xml);
	ck_addr4(lab, "h1", "eth0", "10.5.0.1/29");
	ck_addr4(lab, "h5", "eth0", "10.5.0.5/29");
	lab_free(lab);
	free(xml);
	/* a sixth automatic one would need .0 or .7 */
	xml = edge_lab(6);
	refused(xml, "h6:eth0.*no free address.*10\\.5\\.0\\.0/29");
	free(xml);
}
END_TEST

/* ---- size: 2000 hosts + 20 switches + a router -------------------------------- */

START_TEST(test_big_lab)
{
	struct tsuite_buf b = { 0 };
	struct lab *lab;
	struct plan *p = NULL;
	int s, h, n, ret;

	tsuite_buf_printf(&b, "<lab name=\"big\">\n<router name=\"r1\"/>\n");
	for (s = 1; s <= 20; s++) {
		tsuite_buf_printf(&b, "<switch name=\"s%d\"/>\n<link a=\"r1\" b=\"s%d\"/>\n", s, s);
		for (h = 1; h <= 100; h++)
			tsuite_buf_printf(&b, "<host name=\"h%d_%d\" gateway=\"auto\"/><link a=\"h%d_%d\" b=\"s%d\"/>\n",
				  s, h, s, h, s);
	}
	tsuite_buf_printf(&b, "</lab>\n");
	lab = load(b.s);
	free(b.s);
	ck_assert_int_eq(lab->nnodes, 2021);
	ck_assert_int_eq(lab->nsegments, 20);
	ck_assert_msg(all_v4_unique(lab, &n), "duplicate IPv4 addresses");
	ck_assert_int_eq(n, 2020);
	/* 101 interfaces + 2 -> /25 each; r1 first in each */
	ck_addr4(lab, "r1", "eth0", "10.0.0.1/25");
	ck_addr4(lab, "h1_1", "eth0", "10.0.0.2/25");
	ck_addr4(lab, "r1", "eth19", "10.0.9.129/25");
	ck_addr4(lab, "h20_100", "eth0", "10.0.9.229/25");
	ret = plan_build(lab, &p);
	ck_assert_int_eq(ret, 0);
	ck_assert_int_gt(p->nops, 2021 * 3);
	plan_free(p);
	lab_free(lab);
}
END_TEST

Suite *resolve_suite(void);
Suite *resolve_suite(void)
{
	Suite *s = suite_create("resolve");
	TCase *tc = tcase_create("resolve");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_single4);
	tcase_add_test(tc, test_bridge_ports_max);
	tcase_add_test(tc, test_file_too_big);
	tcase_add_test(tc, test_node_order);
	tcase_add_test(tc, test_mixed_explicit);
	tcase_add_test(tc, test_many_explicit_in_segment);
	tcase_add_test(tc, test_p2p_30);
	tcase_add_test(tc, test_auto_skips_explicit);
	tcase_add_test(tc, test_auto_skips_lo);
	tcase_add_test(tc, test_auto_skips_lo_in_subnet);
	tcase_add_test(tc, test_ip6_auto_skips_explicit);
	tcase_add_test(tc, test_ipbase_none);
	tcase_add_test(tc, test_ipbase_custom);
	tcase_add_test(tc, test_block_size_alignment);
	tcase_add_test(tc, test_addr_none);
	tcase_add_test(tc, test_ip6base);
	tcase_add_test(tc, test_ip6base_full);
	tcase_add_test(tc, test_ipv6_auto_off);
	tcase_add_test(tc, test_auto_names);
	tcase_add_test(tc, test_declared_iface_used);
	tcase_add_test(tc, test_ifindex);
	tcase_add_test(tc, test_ifindex_subifaces);
	tcase_add_test(tc, test_mac_deterministic);
	tcase_add_test(tc, test_mac_unique_500);
	tcase_add_test(tc, test_gateway_auto);
	tcase_add_test(tc, test_gateway_auto_automatic);
	tcase_add_test(tc, test_etc_hosts);
	tcase_add_test(tc, test_jitter_reorder_need_delay);
	tcase_add_test(tc, test_shaping_directions);
	tcase_add_test(tc, test_route_via);
	tcase_add_test(tc, test_refused_misc);
	tcase_add_test(tc, test_addr_edges_accepted);
	tcase_add_test(tc, test_ipbase_edges_accepted);
	tcase_add_test(tc, test_addr_edges_refused);
	tcase_add_test(tc, test_auto_never_edges);
	tcase_add_test(tc, test_big_lab);
	suite_add_tcase(s, tc);
	return s;
}

TSUITE(resolve_suite)

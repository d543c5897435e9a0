/* test_apply.c — apply_wait_running() against the real kernel (root).
 *
 * A small lab (two switches joined by a cable, a host on each, a router on
 * both) is built by apply_build() in namespaces held by fds only, so
 * everything goes with the forked test child (core/README.md, "Kernel
 * facts: namespace lifetime").  After apply_wait_running() returns 0,
 * every veth end that is up with a carrier must be in operational state
 * "up" (linkwatch has handled it) in every node; one that never gets
 * there (link mode dormant: its state stays "dormant") must make it give
 * up with that node and interface named.
 */
#include "../tsuite.h"
#include "apply.h"
#include "lab.h"
#include "nl.h"
#include "plan.h"

#include <errno.h>
#include <linux/if.h>
#include <linux/rtnetlink.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char lab_xml[] =
	"<lab name=\"waitrun\">\n"
	"  <switch name=\"s1\"/>\n"
	"  <switch name=\"s2\"/>\n"
	"  <host name=\"h1\"/>\n"
	"  <host name=\"h2\"/>\n"
	"  <router name=\"r1\"/>\n"
	"  <link a=\"h1\" b=\"s1\"/>\n"
	"  <link a=\"s1\" b=\"s2\"/>\n"
	"  <link a=\"h2\" b=\"s2\"/>\n"
	"  <link a=\"r1\" b=\"s1\"/>\n"
	"  <link a=\"r1\" b=\"s2\"/>\n"
	"</lab>\n";

static struct lab *lab;
static struct plan *plan;
static struct apply *ap;

static void setup(void)
{
	struct lab_errors *errs = calloc(1, sizeof(*errs));
	struct apply_error e;

	ck_assert_ptr_nonnull(errs);
	ck_assert_int_eq(lab_parse_buffer(lab_xml, sizeof(lab_xml) - 1,
					  "waitrun.xml", ".", &lab, errs), 0);
	ck_assert_int_eq(lab_resolve(lab, errs), 0);
	free(errs);
	ck_assert_int_eq(plan_build(lab, &plan), 0);
	ck_assert_int_eq(apply_new(plan, &ap), 0);
	ck_assert_msg(apply_build(ap, &e) == 0, "%s: %s", e.what, e.kmsg);
}

static void teardown(void)
{
	apply_free(ap);
	plan_free(plan);
	lab_free(lab);
}

static int node_index(const char *name)
{
	int i;

	for (i = 0; i < plan->nnodes; i++)
		if (!strcmp(plan->nodes[i].name, name))
			return i;
	ck_abort_msg("no node %s", name);
	return -1;
}

struct tally {
	int checked;	/* veth ends up with a carrier */
	int late;	/* of those, not in operational state "up" */
	char late_name[16];
};

static int on_link(const struct nl_link_info *l, void *arg)
{
	struct tally *t = arg;

	if (!strcmp(l->kind, "veth") && (l->flags & IFF_UP) &&
	    (l->flags & IFF_LOWER_UP)) {
		t->checked++;
		if ((l->operstate != IF_OPER_UP || !(l->flags & IFF_RUNNING)) &&
		    !t->late++)
			memcpy(t->late_name, l->name, sizeof(t->late_name));
	}
	return 0;
}

START_TEST(test_all_running)
{
	char ifname[16];
	int node = -1, i, checked = 0;

	ck_assert_int_eq(apply_wait_running(ap, 5000000000ull, &node, ifname,
					    sizeof(ifname)), 0);
	for (i = 0; i < ap->n; i++) {
		struct tally t = { 0 };

		ck_assert_int_eq(nl_dump_links(ap->socks[i], on_link, &t), 0);
		ck_assert_msg(t.late == 0, "%s:%s up with a carrier, not yet \"up\"",
			      plan->nodes[i].name, t.late_name);
		checked += t.checked;
	}
	/* the 5 links' 10 ends: h1 and h2 one each, r1 two, s1 and s2 three */
	ck_assert_int_eq(checked, 10);
}
END_TEST

/* Link mode and operational state of one link, by ifindex, as a
 * supplicant sets them (RFC 2863): a running link told "dormant" stops
 * running at once, and in link mode dormant linkwatch keeps it so. */
static void set_oper(struct nl_sock *s, int ifindex, uint8_t mode,
		     uint8_t operstate)
{
	struct nl_batch *b = nl_batch_new();
	struct nl_result r;
	struct nl_msg m;
	struct ifinfomsg *ifi;

	ck_assert_ptr_nonnull(b);
	ck_assert_int_eq(nl_msg_begin(&m, b, RTM_NEWLINK, 0), 0);
	ifi = nl_msg_extra(&m, sizeof(*ifi));
	ck_assert_ptr_nonnull(ifi);
	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = ifindex;
	nl_put_u8(&m, IFLA_LINKMODE, mode);
	nl_put_u8(&m, IFLA_OPERSTATE, operstate);
	ck_assert_int_eq(nl_msg_end(&m), 0);
	ck_assert_msg(nl_batch_send(s, b, &r) == 0, "link mode: %s \"%s\"",
		      strerror(-r.err), r.msg);
	nl_batch_free(b);
}

START_TEST(test_never_running)
{
	char ifname[16] = "";
	int h2 = node_index("h2"), node = -1, eth0;
	struct timespec t0, t1;
	double waited;

	eth0 = lab_iface_find(lab, lab_node_find(lab, "h2"), "eth0");
	ck_assert_int_ge(eth0, 0);
	eth0 = lab->ifaces[eth0].ifindex;	/* as the planner numbered it */

	ck_assert_int_eq(apply_wait_running(ap, 5000000000ull, &node, ifname,
					    sizeof(ifname)), 0);
	/* h2's eth0, up with its carrier, made dormant: it can never run */
	set_oper(ap->socks[h2], eth0, IF_LINK_MODE_DORMANT, IF_OPER_DORMANT);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	ck_assert_int_eq(apply_wait_running(ap, 300000000ull, &node, ifname,
					    sizeof(ifname)),
			 -ETIMEDOUT);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ck_assert_str_eq(plan->nodes[node].name, "h2");
	ck_assert_str_eq(ifname, "eth0");
	waited = (double)(t1.tv_sec - t0.tv_sec) +
		 (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	ck_assert_msg(waited >= 0.3, "gave up after %.3f s", waited);
	/* back to the default mode and "up", it runs, and the wait succeeds */
	set_oper(ap->socks[h2], eth0, IF_LINK_MODE_DEFAULT, IF_OPER_UP);
	ck_assert_int_eq(apply_wait_running(ap, 5000000000ull, &node, ifname,
					    sizeof(ifname)), 0);
}
END_TEST

static Suite *apply_kernel_suite(void)
{
	Suite *su = suite_create("apply_kernel");
	TCase *tc = tcase_create("kernel");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_all_running);
	tcase_add_test(tc, test_never_running);
	suite_add_tcase(su, tc);
	return su;
}

TSUITE(apply_kernel_suite)

/* test_nl_kernel.c — the netlink builders against the real kernel (root).
 *
 * Check forks every test (CK_FORK); the checked fixture unshare()s a fresh
 * netns in that child, so everything a test creates dies with it and the
 * host namespace is never touched.
 *
 *   test netns (socket s)          netns A (fd A)            netns B (fd B)
 *                                  br0 (2) ── p1 (10) ═══════ eth0 (20)
 *                                                     veth     10.0.0.2/24
 */
#include "../tsuite.h"
#include "nl.h"
#include "plan.h"
#include "ns.h"

#include <arpa/inet.h>
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <net/if.h>
#include <sys/socket.h>
#include <linux/if_addr.h>
#include <linux/rtnetlink.h>



static struct nl_sock *s;
static struct nl_batch *b;

static const uint8_t mac_br[6] = { 0x02, 0xbb, 0, 0, 0, 0x02 };
static const uint8_t mac_p1[6] = { 0x02, 0xaa, 0, 0, 0, 0x10 };
static const uint8_t mac_e0[6] = { 0x02, 0xcc, 0, 0, 0, 0x20 };

static void setup(void)
{
	ck_assert_int_eq(unshare(CLONE_NEWNET), 0);
	ck_assert_int_eq(nl_sock_open(&s), 0);
	b = nl_batch_new();
	ck_assert_ptr_nonnull(b);
}

static void teardown(void)
{
	nl_batch_free(b);
	nl_sock_close(s);
}

/* Sends b through sock and resets it; asserts success. */
static void send_ok(struct nl_sock *sock)
{
	struct nl_result r;
	int ret = nl_batch_send(sock, b, &r);

	ck_assert_msg(ret == 0, "batch failed: cookie %d err %d (%s) \"%s\"", r.cookie, r.err,
		      strerror(-r.err), r.msg);
	nl_batch_reset(b);
}

/* Sends b; on -EOPNOTSUPP (kernel lacks the feature) prints SKIP and
 * returns 1. */
static int send_or_skip(const char *test, const char *feature)
{
	struct nl_result r;
	int ret = nl_batch_send(s, b, &r);

	nl_batch_reset(b);
	if (ret == -EOPNOTSUPP) {
		printf("SKIP %s: kernel has no %s: \"%s\"\n", test, feature, r.msg);
		return 1;
	}
	ck_assert_msg(ret == 0, "batch failed: cookie %d err %d \"%s\"", r.cookie, r.err, r.msg);
	return 0;
}

/* ---- dump helpers: find one object ----------------------------------------- */

struct find_link {
	const char *name;
	struct nl_link_info li;
	int found;
};

static int find_link_cb(const struct nl_link_info *li, void *arg)
{
	struct find_link *f = arg;

	if (!strcmp(li->name, f->name)) {
		f->li = *li;
		f->found++;
	}
	return 0;
}

static struct nl_link_info get_link(struct nl_sock *sock, const char *name)
{
	struct find_link f = { .name = name };

	ck_assert_int_eq(nl_dump_links(sock, find_link_cb, &f), 0);
	ck_assert_msg(f.found == 1, "link %s found %d times", name, f.found);
	return f.li;
}

struct collect {
	struct nl_addr_info a[16];
	struct nl_route_info r[16];
	struct nl_qdisc_info q[16];
	int n;
};

static int addr_cb(const struct nl_addr_info *a, void *arg)
{
	struct collect *c = arg;

	if (c->n < 16)
		c->a[c->n++] = *a;
	return 0;
}

static int route_cb(const struct nl_route_info *r, void *arg)
{
	struct collect *c = arg;

	if (r->table == RT_TABLE_MAIN && c->n < 16)
		c->r[c->n++] = *r;
	return 0;
}

static int qdisc_cb(const struct nl_qdisc_info *q, void *arg)
{
	struct collect *c = arg;

	if (c->n < 16)
		c->q[c->n++] = *q;
	return 0;
}

/* veth "a" (ifindex 2) / "b" (3) in the test netns, both down. */
static void make_local_veth(void)
{
	struct nl_veth v = { .name = "a", .netns_fd = -1, .ifindex = 2, .peer_name = "b",
			     .peer_netns_fd = -1, .peer_ifindex = 3 };

	ck_assert_int_eq(nl_link_add_veth(b, &v), 0);
	send_ok(s);
}

/* ---- tests ----------------------------------------------------------------- */

START_TEST(test_bridge)
{
	struct nl_bridge br = { .name = "br0", .netns_fd = -1, .ifindex = 5, .mac = mac_br,
				.hub = 1 };
	struct nl_link_info li;

	ck_assert_int_eq(nl_link_add_bridge(b, &br), 0);
	ck_assert_int_eq(nl_link_set_up(b, 5, 1), 0);
	send_ok(s);
	li = get_link(s, "br0");
	ck_assert_int_eq(li.ifindex, 5);
	ck_assert_str_eq(li.kind, "bridge");
	ck_assert_int_eq(li.mac_len, 6);
	ck_assert_mem_eq(li.mac, mac_br, 6);
	ck_assert_uint_eq(li.br_stp_state, 0);
	ck_assert_uint_eq(li.br_ageing_clock, 0);
	ck_assert_uint_eq(li.br_forward_delay_clock, 200);
	ck_assert_int_eq(li.br_mcast_snooping, 0);
	ck_assert_int_eq(li.br_vlan_filtering, 0);
	ck_assert(li.flags & IFF_UP);
}
END_TEST

/* STP on: the kernel takes the 2 s forward delay (its minimum with STP)
 * instead of its 15 s default, so loops converge in seconds. */
/* ns_new_many_each runs its callback inside each new namespace: a sysctl
 * written there lands in that namespace only; a failing callback leaves no
 * fd open. */
static int each_forward(int i, int t, void *arg)
{
	int *calls = arg;

	ck_assert_int_eq(t, 0);
	(*calls)++;
	return ns_sysctl_write_here("net.ipv4.ip_forward", i ? "1" : "0");
}

static int each_fail(int i, int t, void *arg)
{
	(void)arg, (void)t;
	return i == 1 ? -EIO : 0;
}

START_TEST(test_ns_each)
{
	int fds[3] = { -1, -1, -1 }, calls = 0;
	char v[8];

	ck_assert_int_eq(ns_new_many_each(2, fds, 1, each_forward, &calls, NULL), 0);
	ck_assert_int_eq(calls, 2);
	ck_assert_int_eq(ns_sysctl_read(fds[0], "net.ipv4.ip_forward", v, sizeof(v)), 0);
	ck_assert_int_eq(v[0], '0');
	ck_assert_int_eq(ns_sysctl_read(fds[1], "net.ipv4.ip_forward", v, sizeof(v)), 0);
	ck_assert_int_eq(v[0], '1');
	close(fds[0]);
	close(fds[1]);
	ck_assert_int_eq(ns_new_many_each(3, fds, 1, each_fail, NULL, NULL), -EIO);
	ck_assert_int_eq(fds[0], -1);
	ck_assert_int_eq(fds[1], -1);
}
END_TEST

/* Several threads: every namespace made once, by the thread whose share it
 * is, each a namespace of its own with its own sysctl written through the
 * threads' own procfs instances (ns_sysctl_write_proc renews them every
 * NS_PROC_USES writes: each thread's 70 cross that once); a failure
 * anywhere leaves no fd open and names the lowest namespace that failed. */
#define PAR_N 140
#define PAR_T 2
struct par {
	int calls[PAR_N], thread[PAR_N], fail_at[2];
	struct ns_proc proc[PAR_T];
};

static int each_par(int i, int t, void *arg)
{
	struct par *p = arg;
	char v[4];

	__atomic_add_fetch(&p->calls[i], 1, __ATOMIC_RELAXED);
	p->thread[i] = t;
	if (i == p->fail_at[0] || i == p->fail_at[1])
		return -EIO;
	snprintf(v, sizeof(v), "%d", i % 2);
	return ns_sysctl_write_proc(&p->proc[t], "net.ipv4.ip_forward", v);
}

START_TEST(test_ns_each_threads)
{
	static struct par p;
	int fds[PAR_N], i, t, failed;
	unsigned long ino[PAR_N];
	char v[8];

	memset(&p, 0, sizeof(p));
	for (t = 0; t < PAR_T; t++)
		p.proc[t] = (struct ns_proc)NS_PROC_INIT;
	p.fail_at[0] = p.fail_at[1] = -1;
	ck_assert_int_eq(ns_new_many_each(PAR_N, fds, PAR_T, each_par, &p, &failed), 0);
	ck_assert_int_eq(failed, -1);
	for (i = 0; i < PAR_N; i++) {
		ck_assert_int_eq(p.calls[i], 1);
		/* contiguous shares in order */
		ck_assert_int_eq(p.thread[i], i * PAR_T / PAR_N);
		ck_assert_int_ge(fds[i], 0);
		ck_assert_int_eq(ns_inode(fds[i], &ino[i]), 0);
		ck_assert_int_eq(ns_sysctl_read(fds[i], "net.ipv4.ip_forward", v, sizeof(v)), 0);
		ck_assert_int_eq(v[0], '0' + i % 2);
		if (i)
			ck_assert_uint_ne(ino[i], ino[i - 1]);
		close(fds[i]);
	}
	for (t = 0; t < PAR_T; t++) {
		ck_assert_int_ge(p.proc[t].fd, 0);	/* procfs mounts here */
		ck_assert_uint_eq(p.proc[t].uses, PAR_N / PAR_T);
		ck_assert_uint_gt(p.proc[t].uses, NS_PROC_USES);
		ns_proc_close(&p.proc[t]);
		ck_assert_int_eq(p.proc[t].fd, -1);
	}
	/* two threads fail: the lower namespace is the one reported */
	memset(&p, 0, sizeof(p));
	for (t = 0; t < PAR_T; t++)
		p.proc[t] = (struct ns_proc)NS_PROC_INIT;
	p.fail_at[0] = 120;	/* thread 1's share */
	p.fail_at[1] = 60;	/* thread 0's */
	ck_assert_int_eq(ns_new_many_each(PAR_N, fds, PAR_T, each_par, &p, &failed), -EIO);
	ck_assert(failed == 60 || failed == 120);	/* 120 may come first and stop 60's thread */
	for (i = 0; i < PAR_N; i++)
		ck_assert_int_eq(fds[i], -1);
	for (t = 0; t < PAR_T; t++)
		ns_proc_close(&p.proc[t]);
	ck_assert_int_eq(ns_new_many_each(2, fds, 0, each_par, &p, NULL), -EINVAL);
}
END_TEST

START_TEST(test_bridge_stp)
{
	struct nl_bridge br = { .name = "br1", .netns_fd = -1, .ifindex = 6, .mac = mac_br,
				.stp = 1 };
	struct nl_link_info li;

	ck_assert_int_eq(nl_link_add_bridge(b, &br), 0);
	send_ok(s);
	li = get_link(s, "br1");
	ck_assert_uint_eq(li.br_stp_state, 1);
	ck_assert_uint_eq(li.br_forward_delay_clock, 200);
	ck_assert_uint_ne(li.br_ageing_clock, 0);
}
END_TEST

/* The planned case: bridge in A, veth p1 (A, enslaved, UP) <-> eth0 (B),
 * then B configures its end: lo up, eth0 up, addresses, routes. */
START_TEST(test_veth_two_netns)
{
	struct nl_bridge br = { .name = "br0", .ifindex = 2, .mac = mac_br };
	struct nl_veth v = { .name = "p1", .ifindex = 10, .master = 2, .mtu = 9000,
			     .mac = mac_p1, .up = 1, .peer_name = "eth0", .peer_ifindex = 20,
			     .peer_mtu = 9000, .peer_mac = mac_e0 };
	struct in_addr a4, gw4, dst4;
	struct in6_addr a6;
	struct nl_sock *sa, *sb;
	struct nl_link_info li;
	struct collect c;
	unsigned long ia, ib;
	int fds[2], i, seen6 = 0;

	ck_assert_int_eq(ns_new_many(2, fds), 0);
	ck_assert_int_eq(ns_inode(fds[0], &ia), 0);
	ck_assert_int_eq(ns_inode(fds[1], &ib), 0);
	ck_assert_uint_ne(ia, ib);
	br.netns_fd = v.netns_fd = fds[0];
	v.peer_netns_fd = fds[1];
	ck_assert_int_eq(nl_link_add_bridge(b, &br), 0);
	ck_assert_int_eq(nl_link_add_veth(b, &v), 0);
	send_ok(s); /* sent from the test netns: nothing lands here */
	ck_assert_int_eq(nl_sock_open_in(fds[0], &sa), 0);
	ck_assert_int_eq(nl_sock_open_in(fds[1], &sb), 0);

	inet_pton(AF_INET, "10.0.0.2", &a4);
	inet_pton(AF_INET, "10.0.0.1", &gw4);
	inet_pton(AF_INET, "10.9.0.0", &dst4);
	inet_pton(AF_INET6, "fd00::2", &a6);
	ck_assert_int_eq(nl_link_set_up(b, 1, 1), 0);
	ck_assert_int_eq(nl_link_set_up(b, 20, 1), 0); /* the peer, afterwards */
	ck_assert_int_eq(nl_addr_add(b, AF_INET, 20, &a4, 24), 0);
	ck_assert_int_eq(nl_addr_add(b, AF_INET6, 20, &a6, 64), 0);
	ck_assert_int_eq(nl_route_add(b, AF_INET, NULL, 0, &gw4, 0, 0), 0);
	ck_assert_int_eq(nl_route_add(b, AF_INET, &dst4, 16, NULL, 20, 50), 0);
	send_ok(sb);

	li = get_link(sa, "p1");
	ck_assert_int_eq(li.ifindex, 10);
	ck_assert_int_eq(li.master, 2);
	ck_assert_int_eq(li.mtu, 9000);
	ck_assert_mem_eq(li.mac, mac_p1, 6);
	ck_assert_str_eq(li.kind, "veth");
	ck_assert(li.flags & IFF_UP);
	li = get_link(sb, "eth0");
	ck_assert_int_eq(li.ifindex, 20);
	ck_assert_int_eq(li.mtu, 9000);
	ck_assert_mem_eq(li.mac, mac_e0, 6);
	ck_assert(li.flags & IFF_UP);
	ck_assert_int_eq(li.master, 0);

	memset(&c, 0, sizeof(c));
	ck_assert_int_eq(nl_dump_addrs(sb, AF_INET, addr_cb, &c), 0);
	for (i = 0; i < c.n && c.a[i].ifindex != 20; i++)
		;
	ck_assert_int_lt(i, c.n);
	ck_assert_int_eq(c.a[i].prefixlen, 24);
	ck_assert_mem_eq(c.a[i].addr, &a4, 4);
	ck_assert_mem_eq(c.a[i].local, &a4, 4);
	memset(&c, 0, sizeof(c));
	ck_assert_int_eq(nl_dump_addrs(sb, AF_INET6, addr_cb, &c), 0);
	for (i = 0; i < c.n; i++)
		if (c.a[i].ifindex == 20 && !memcmp(c.a[i].addr, &a6, 16)) {
			ck_assert(c.a[i].flags & IFA_F_NODAD);
			ck_assert(!(c.a[i].flags & IFA_F_TENTATIVE));
			seen6 = 1;
		}
	ck_assert(seen6);

	memset(&c, 0, sizeof(c));
	ck_assert_int_eq(nl_dump_routes(sb, AF_INET, route_cb, &c), 0);
	for (i = 0; i < c.n && c.r[i].dst_len != 0; i++)
		;
	ck_assert_int_lt(i, c.n);
	ck_assert(c.r[i].has_gw);
	ck_assert_mem_eq(c.r[i].gw, &gw4, 4);
	ck_assert_int_eq(c.r[i].oif, 20);
	ck_assert_int_eq(c.r[i].protocol, RTPROT_STATIC);
	for (i = 0; i < c.n && c.r[i].dst_len != 16; i++)
		;
	ck_assert_int_lt(i, c.n);
	ck_assert_mem_eq(c.r[i].dst, &dst4, 4);
	ck_assert_uint_eq(c.r[i].metric, 50);
	ck_assert_int_eq(c.r[i].scope, RT_SCOPE_LINK);
	ck_assert(!c.r[i].has_gw);

	nl_sock_close(sa);
	nl_sock_close(sb);
	close(fds[0]);
	close(fds[1]);
}
END_TEST

/* A cable between two switches: the primary end joins its bridge at
 * creation; the peer, whose IFLA_MASTER in the peer nest the kernel
 * ignores, joins its own bridge by a later message, and learning can then
 * be turned off on it (hub ports). */
START_TEST(test_switch_to_switch)
{
	struct nl_bridge br = { .name = "br0", .netns_fd = -1, .ifindex = 2,
				.mac = mac_br };
	struct nl_veth v = { .name = "eth1", .ifindex = 3, .master = 2, .up = 1,
			     .peer_name = "eth1", .peer_ifindex = 3 };
	struct nl_sock *sa, *sb;
	struct nl_link_info li;
	int fds[2];

	ck_assert_int_eq(ns_new_many(2, fds), 0);
	ck_assert_int_eq(nl_sock_open_in(fds[0], &sa), 0);
	ck_assert_int_eq(nl_sock_open_in(fds[1], &sb), 0);
	ck_assert_int_eq(nl_link_add_bridge(b, &br), 0);
	send_ok(sa);
	ck_assert_int_eq(nl_link_add_bridge(b, &br), 0);
	send_ok(sb);
	v.netns_fd = fds[0];
	v.peer_netns_fd = fds[1];
	ck_assert_int_eq(nl_link_add_veth(b, &v), 0);
	send_ok(sa);
	li = get_link(sb, "eth1");
	ck_assert_int_eq(li.master, 0); /* the kernel fact the plan works around */
	ck_assert_int_eq(nl_link_set(b, 3, 0, NULL, 2), 0);
	ck_assert_int_eq(nl_bridge_port_flags(b, 3, 0, 1), 0);
	send_ok(sb);
	li = get_link(sb, "eth1");
	ck_assert_int_eq(li.master, 2);
	li = get_link(sa, "eth1");
	ck_assert_int_eq(li.master, 2);
	nl_sock_close(sa);
	nl_sock_close(sb);
	close(fds[0]);
	close(fds[1]);
}
END_TEST

/* A duplicate name fails that message only (-EEXIST). */
START_TEST(test_dup_name_only_that_message)
{
	struct nl_veth v = { .name = "a", .netns_fd = -1, .peer_name = "b", .peer_netns_fd = -1 };
	struct nl_result r;

	ck_assert_int_eq(nl_link_add_veth(b, &v), 0);
	nl_batch_set_cookie(b, 2);
	ck_assert_int_eq(nl_link_add_veth(b, &v), 0);
	nl_batch_set_cookie(b, 3);
	ck_assert_int_eq(nl_link_set_up(b, 1, 1), 0);
	ck_assert_int_eq(nl_batch_send(s, b, &r), -EEXIST);
	ck_assert_int_eq(r.cookie, 2);
	ck_assert_int_eq(nl_batch_err(b, 0), 0);
	ck_assert_int_eq(nl_batch_err(b, 1), -EEXIST);
	ck_assert_int_eq(nl_batch_err(b, 2), 0);
}
END_TEST

/* A failing message in the middle: right cookie, the kernel's extack text,
 * and the messages after it still ran. */
START_TEST(test_batch_failure_middle)
{
	const struct nl_result *fails;
	struct in_addr a4, gw4;
	struct nl_result r;
	struct nl_link_info li;

	make_local_veth();
	inet_pton(AF_INET, "10.0.0.2", &a4);
	inet_pton(AF_INET, "10.0.0.1", &gw4);
	nl_batch_set_cookie(b, 11);
	ck_assert_int_eq(nl_addr_add(b, AF_INET, 2, &a4, 24), 0);
	nl_batch_set_cookie(b, 12); /* link still down: ENETUNREACH */
	ck_assert_int_eq(nl_route_add(b, AF_INET, NULL, 0, &gw4, 0, 0), 0);
	nl_batch_set_cookie(b, 13);
	ck_assert_int_eq(nl_link_set_up(b, 2, 1), 0);
	ck_assert_int_eq(nl_batch_send(s, b, &r), -ENETUNREACH);
	ck_assert_int_eq(r.cookie, 12);
	ck_assert_int_eq(r.err, -ENETUNREACH);
	ck_assert_str_eq(r.msg, "Nexthop has invalid gateway");
	ck_assert_int_eq(nl_batch_failures(b, &fails), 1);
	ck_assert_int_eq(fails[0].cookie, 12);
	ck_assert_int_eq(nl_batch_err(b, 0), 0);
	ck_assert_int_eq(nl_batch_err(b, 1), -ENETUNREACH);
	ck_assert_int_eq(nl_batch_err(b, 2), 0);
	li = get_link(s, "a");
	ck_assert(li.flags & IFF_UP); /* message 3 ran */
}
END_TEST

/* 1000 messages in one send (5 chunks), three failing in different chunks. */
START_TEST(test_batch_1000)
{
	const struct nl_result *fails;
	struct nl_result r;
	int i;

	for (i = 0; i < 1000; i++) {
		nl_batch_set_cookie(b, i);
		ck_assert_int_eq(nl_link_set_up(b, (i == 10 || i == 500 || i == 999) ? 9999 : 1, 1), 0);
	}
	ck_assert_int_eq(nl_batch_send(s, b, &r), -ENODEV);
	ck_assert_int_eq(r.cookie, 10);
	ck_assert_int_eq(nl_batch_failures(b, &fails), 3);
	ck_assert_int_eq(fails[0].cookie, 10);
	ck_assert_int_eq(fails[1].cookie, 500);
	ck_assert_int_eq(fails[2].cookie, 999);
	ck_assert_int_eq(nl_batch_err(b, 999), -ENODEV);
	ck_assert_int_eq(nl_batch_err(b, 998), 0);
	/* Again, all succeeding, through the same socket: no stale answers. */
	nl_batch_reset(b);
	for (i = 0; i < 1000; i++)
		ck_assert_int_eq(nl_link_set_up(b, 1, 1), 0);
	send_ok(s);
}
END_TEST

START_TEST(test_vlan)
{
	struct nl_link_info li;

	make_local_veth();
	ck_assert_int_eq(nl_link_add_vlan(b, "a.10", 7, 2, 10, 1400, NULL), 0);
	if (send_or_skip("test_vlan", "802.1Q (CONFIG_VLAN_8021Q)"))
		return;
	li = get_link(s, "a.10");
	ck_assert_int_eq(li.ifindex, 7);
	ck_assert_str_eq(li.kind, "vlan");
	ck_assert_int_eq(li.vlan_id, 10);
	ck_assert_int_eq(li.link, 2);
	ck_assert_int_eq(li.mtu, 1400);
}
END_TEST

static int cmd_output_has(const char *cmd, const char *needle)
{
	char line[256];
	FILE *f = popen(cmd, "r");
	int found = 0;

	ck_assert_ptr_nonnull(f);
	while (fgets(line, sizeof(line), f))
		if (strstr(line, needle))
			found = 1;
	pclose(f);
	return found;
}

START_TEST(test_bridge_vlan)
{
	struct nl_bridge br = { .name = "br0", .netns_fd = -1, .ifindex = 5, .mac = mac_br,
				.vlan_filtering = 1 };
	struct nl_link_info li;

	make_local_veth();
	ck_assert_int_eq(nl_link_add_bridge(b, &br), 0);
	if (send_or_skip("test_bridge_vlan", "bridge VLAN filtering (CONFIG_BRIDGE_VLAN_FILTERING)"))
		return;
	ck_assert_int_eq(nl_link_set(b, 2, 0, NULL, 5), 0);
	ck_assert_int_eq(nl_bridge_vlan(b, 2, 20, 1, 0), 0);
	ck_assert_int_eq(nl_bridge_vlan(b, 2, 1, 0, 1), 0); /* drop default vid 1 */
	ck_assert_int_eq(nl_bridge_vlan(b, 2, 30, 0, 0), 0);
	send_ok(s);
	li = get_link(s, "br0");
	ck_assert_int_eq(li.br_vlan_filtering, 1);
	li = get_link(s, "a");
	ck_assert_int_eq(li.master, 5);
	/* Read back with iproute2 (tests may spawn tools; nslab never does). */
	if (system("command -v bridge >/dev/null") != 0) {
		printf("SKIP bridge vlan read-back: no `bridge` tool\n");
		return;
	}
	ck_assert(cmd_output_has("bridge vlan show dev a", "20 PVID Egress Untagged"));
	ck_assert(cmd_output_has("bridge vlan show dev a", "30"));
	ck_assert(!cmd_output_has("bridge vlan show dev a", " 1 PVID"));
}
END_TEST

static void check_tbf(uint64_t rate_bitps)
{
	struct nl_tbf t;
	struct collect c;
	uint32_t slack;
	int i;

	tsuite_tbf_params(&t, rate_bitps, 0, 1500);
	ck_assert_int_eq(nl_qdisc_tbf_replace(b, 2, 0x10000, TC_H_ROOT, &t), 0);
	send_ok(s);
	memset(&c, 0, sizeof(c));
	ck_assert_int_eq(nl_dump_qdiscs(s, qdisc_cb, &c), 0);
	for (i = 0; i < c.n && !(c.q[i].ifindex == 2 && !strcmp(c.q[i].kind, "tbf")); i++)
		;
	ck_assert_int_lt(i, c.n);
	ck_assert_uint_eq(c.q[i].handle, 0x10000);
	ck_assert_uint_eq(c.q[i].parent, TC_H_ROOT);
	ck_assert_uint_eq(c.q[i].rate_bytes, t.rate_bytes);
	ck_assert_uint_eq(c.q[i].limit_bytes, t.limit_bytes);
	/* burst comes back as ticks of 64 ns: equal up to one tick of bytes */
	slack = (uint32_t)(t.rate_bytes * 64 / 1000000000ull) + 1;
	ck_assert_msg(c.q[i].burst_bytes + slack >= t.burst_bytes &&
			      c.q[i].burst_bytes <= t.burst_bytes + slack,
		      "burst %u vs %u", c.q[i].burst_bytes, t.burst_bytes);
}

START_TEST(test_tbf)
{
	make_local_veth();
	check_tbf(10000000ull);     /* 10 Mbit/s */
	check_tbf(10000000000ull);  /* 10 Gbit/s: 1.25e9 B/s, still 32-bit */
	check_tbf(40000000000ull);  /* 40 Gbit/s: 5e9 B/s, TCA_TBF_RATE64 */
}
END_TEST

START_TEST(test_probe)
{
	int netem = nl_qdisc_probe("netem");

	ck_assert_int_eq(nl_qdisc_probe("tbf"), 1);
	ck_assert_int_eq(nl_qdisc_probe("nosuchqdisc"), 0);
	ck_assert_msg(netem == 0 || netem == 1, "probe(netem) = %d", netem);
	if (!netem)
		printf("SKIP netem parts: kernel has no netem (%s)\n",
		       nl_qdisc_kernel_option("netem"));
}
END_TEST

START_TEST(test_netem)
{
	struct nl_netem n = { .delay_ns = 10000000, .jitter_ns = 2000000, .loss_pct = 1,
			      .duplicate_pct = 0.5, .reorder_pct = 5, .use_dist = 1 };
	struct collect c;
	int i;

	if (nl_qdisc_probe("netem") == 0) {
		printf("SKIP test_netem: kernel has no netem (CONFIG_NET_SCH_NETEM)\n");
		return;
	}
	make_local_veth();
	ck_assert_int_eq(nl_qdisc_netem(b, 2, 0x10000, TC_H_ROOT, &n), 0);
	send_ok(s);
	memset(&c, 0, sizeof(c));
	ck_assert_int_eq(nl_dump_qdiscs(s, qdisc_cb, &c), 0);
	for (i = 0; i < c.n && strcmp(c.q[i].kind, "netem"); i++)
		;
	ck_assert_int_lt(i, c.n);
	ck_assert_uint_eq(c.q[i].delay_ns, 10000000);
	ck_assert_uint_eq(c.q[i].jitter_ns, 2000000);
	ck_assert_uint_eq(c.q[i].limit_pkts, 1000);
	ck_assert_uint_eq(c.q[i].gap, 1);
	ck_assert(c.q[i].loss_pct > 0.99 && c.q[i].loss_pct < 1.01);
}
END_TEST

/* A sysctl written in netns A takes effect only there; slash keys handle
 * interface names with dots. */
START_TEST(test_sysctl)
{
	struct nl_veth v = { .name = "e.10", .netns_fd = -1, .peer_name = "f",
			     .peer_netns_fd = -1 };
	const char *keys[] = { "net.ipv4.ip_forward", "net/ipv4/conf/e.10/rp_filter" };
	const char *vals[] = { "1", "2" };
	struct nl_sock *sa;
	char buf[64];
	int fd;

	ck_assert_int_eq(ns_new_net(&fd), 0);
	ck_assert_int_eq(nl_sock_open_in(fd, &sa), 0);
	ck_assert_int_eq(nl_link_add_veth(b, &v), 0);
	send_ok(sa);
	ck_assert_int_eq(ns_sysctl_read(-1, "net.ipv4.ip_forward", buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, "0");
	ck_assert_int_eq(ns_sysctl_write_many(fd, keys, vals, 2), 0);
	ck_assert_int_eq(ns_sysctl_read(fd, "net.ipv4.ip_forward", buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, "1");
	ck_assert_int_eq(ns_sysctl_read(fd, "net/ipv4/conf/e.10/rp_filter", buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, "2");
	/* not in the test's own netns */
	ck_assert_int_eq(ns_sysctl_read(-1, "net.ipv4.ip_forward", buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, "0");
	ck_assert_int_eq(ns_sysctl_write(fd, "net.ipv4.nosuch", "1"), -ENOENT);
	ck_assert_int_eq(ns_sysctl_write(fd, "net/../../etc/x", "1"), -EINVAL);
	nl_sock_close(sa);
	close(fd);
}
END_TEST

START_TEST(test_sock_open_in_bad_fd)
{
	struct nl_sock *x = (struct nl_sock *)1;

	ck_assert_int_eq(nl_sock_open_in(999, &x), -EBADF);
	ck_assert_ptr_null(x);
}
END_TEST

static Suite *nl_kernel_suite(void)
{
	Suite *su = suite_create("nl_kernel");
	TCase *tc = tcase_create("kernel");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_bridge);
	tcase_add_test(tc, test_bridge_stp);
	tcase_add_test(tc, test_ns_each);
	tcase_add_test(tc, test_ns_each_threads);
	tcase_add_test(tc, test_veth_two_netns);
	tcase_add_test(tc, test_switch_to_switch);
	tcase_add_test(tc, test_dup_name_only_that_message);
	tcase_add_test(tc, test_batch_failure_middle);
	tcase_add_test(tc, test_batch_1000);
	tcase_add_test(tc, test_vlan);
	tcase_add_test(tc, test_bridge_vlan);
	tcase_add_test(tc, test_tbf);
	tcase_add_test(tc, test_probe);
	tcase_add_test(tc, test_netem);
	tcase_add_test(tc, test_sysctl);
	tcase_add_test(tc, test_sock_open_in_bad_fd);
	suite_add_tcase(su, tc);
	return su;
}

TSUITE(nl_kernel_suite)

/* test_nl.c — every netlink builder, parsed back with libmnl (no root). */
#include "../tsuite.h"
#include "nl.h"
#include "plan.h"

#include <arpa/inet.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <net/if.h>
#include <sys/socket.h>
#include <linux/if_addr.h>
#include <linux/if_bridge.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>

#include <libmnl/libmnl.h>

#define TB_MAX 64



static const uint8_t mac_a[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x0a };
static const uint8_t mac_b[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x0b };

static int tb_cb(const struct nlattr *a, void *data)
{
	const struct nlattr **tb = data;

	ck_assert_int_lt(mnl_attr_get_type(a), TB_MAX);
	ck_assert_msg(!tb[mnl_attr_get_type(a)], "duplicate attribute %d", mnl_attr_get_type(a));
	tb[mnl_attr_get_type(a)] = a;
	return MNL_CB_OK;
}

/* Parses msg's attributes after its fixed header into tb (zeroed first). */
static void parse_msg(const struct nlmsghdr *nlh, size_t hdrlen, const struct nlattr **tb)
{
	memset(tb, 0, TB_MAX * sizeof(*tb));
	ck_assert_int_ge(mnl_attr_parse(nlh, hdrlen, tb_cb, tb), 0);
}

static void parse_nest(const struct nlattr *nest, const struct nlattr **tb)
{
	ck_assert_ptr_nonnull(nest);
	memset(tb, 0, TB_MAX * sizeof(*tb));
	ck_assert_int_ge(mnl_attr_parse_nested(nest, tb_cb, tb), 0);
}

static struct nl_batch *one(struct nl_batch *b)
{
	ck_assert_int_eq(nl_batch_count(b), 1);
	return b;
}

static const struct nlmsghdr *msg0(struct nl_batch *b)
{
	const struct nlmsghdr *nlh = nl_batch_msg(one(b), 0);

	ck_assert_ptr_nonnull(nlh);
	ck_assert(mnl_nlmsg_ok(nlh, (int)nlh->nlmsg_len));
	return nlh;
}

static void assert_str(const struct nlattr *a, const char *s)
{
	ck_assert_ptr_nonnull(a);
	ck_assert_uint_eq(mnl_attr_get_payload_len(a), strlen(s) + 1);
	ck_assert_str_eq(mnl_attr_get_str(a), s);
}

static void assert_u32(const struct nlattr *a, uint32_t v)
{
	ck_assert_ptr_nonnull(a);
	ck_assert_uint_eq(mnl_attr_get_payload_len(a), 4);
	ck_assert_uint_eq(mnl_attr_get_u32(a), v);
}

static void assert_bytes(const struct nlattr *a, const void *p, size_t len)
{
	ck_assert_ptr_nonnull(a);
	ck_assert_uint_eq(mnl_attr_get_payload_len(a), len);
	ck_assert(!memcmp(mnl_attr_get_payload(a), p, len));
}

/* ---- links --------------------------------------------------------------- */

START_TEST(test_veth)
{
	struct nl_veth v = { .name = "h1-eth0", .netns_fd = 7, .ifindex = 10, .master = 3,
			     .mtu = 9000, .mac = mac_a, .up = 1, .peer_name = "eth0",
			     .peer_netns_fd = 8, .peer_ifindex = 20, .peer_mtu = 9000,
			     .peer_mac = mac_b };
	const struct nlattr *tb[TB_MAX], *li[TB_MAX], *d[TB_MAX], *p[TB_MAX];
	const struct nlmsghdr *nlh;
	const struct ifinfomsg *ifi, *pifi;
	const struct nlattr *peer;
	struct nl_batch *b = nl_batch_new();

	ck_assert_int_eq(nl_link_add_veth(b, &v), 0);
	nlh = msg0(b);
	ck_assert_uint_eq(nlh->nlmsg_type, RTM_NEWLINK);
	ck_assert_uint_eq(nlh->nlmsg_flags, NLM_F_REQUEST | NLM_F_CREATE | NLM_F_EXCL);
	ifi = mnl_nlmsg_get_payload(nlh);
	ck_assert_int_eq(ifi->ifi_family, AF_UNSPEC);
	ck_assert_int_eq(ifi->ifi_index, 10);
	ck_assert_uint_eq(ifi->ifi_flags, IFF_UP);
	ck_assert_uint_eq(ifi->ifi_change, IFF_UP);
	parse_msg(nlh, sizeof(*ifi), tb);
	assert_str(tb[IFLA_IFNAME], "h1-eth0");
	assert_u32(tb[IFLA_NET_NS_FD], 7);
	assert_u32(tb[IFLA_MASTER], 3);
	assert_u32(tb[IFLA_MTU], 9000);
	assert_bytes(tb[IFLA_ADDRESS], mac_a, 6);
	parse_nest(tb[IFLA_LINKINFO], li);
	assert_str(li[IFLA_INFO_KIND], "veth");
	parse_nest(li[IFLA_INFO_DATA], d);
	peer = d[VETH_INFO_PEER];
	ck_assert_ptr_nonnull(peer);
	/* The peer payload starts with its own ifinfomsg, then attributes. */
	ck_assert_uint_ge(mnl_attr_get_payload_len(peer), sizeof(*pifi));
	pifi = mnl_attr_get_payload(peer);
	ck_assert_int_eq(pifi->ifi_index, 20);
	ck_assert_uint_eq(pifi->ifi_flags, 0); /* UP here would be -ENOTCONN */
	ck_assert_uint_eq(pifi->ifi_change, 0);
	memset(p, 0, sizeof(p));
	ck_assert_int_ge(mnl_attr_parse_payload((const char *)pifi + sizeof(*pifi),
						mnl_attr_get_payload_len(peer) - sizeof(*pifi),
						tb_cb, p), 0);
	assert_str(p[IFLA_IFNAME], "eth0");
	assert_u32(p[IFLA_NET_NS_FD], 8);
	assert_u32(p[IFLA_MTU], 9000);
	assert_bytes(p[IFLA_ADDRESS], mac_b, 6);
	ck_assert_ptr_null(p[IFLA_MASTER]);
	nl_batch_free(b);
}
END_TEST

START_TEST(test_veth_minimal)
{
	struct nl_veth v = { .name = "a", .netns_fd = -1, .peer_name = "b", .peer_netns_fd = -1 };
	const struct nlattr *tb[TB_MAX];
	const struct ifinfomsg *ifi;
	struct nl_batch *b = nl_batch_new();

	ck_assert_int_eq(nl_link_add_veth(b, &v), 0);
	ifi = mnl_nlmsg_get_payload(msg0(b));
	ck_assert_uint_eq(ifi->ifi_change, 0);
	parse_msg(msg0(b), sizeof(*ifi), tb);
	ck_assert_ptr_null(tb[IFLA_NET_NS_FD]);
	ck_assert_ptr_null(tb[IFLA_MASTER]);
	ck_assert_ptr_null(tb[IFLA_MTU]);
	ck_assert_ptr_null(tb[IFLA_ADDRESS]);
	nl_batch_free(b);
}
END_TEST

START_TEST(test_bridge)
{
	struct nl_bridge br = { .name = "br0", .netns_fd = 5, .ifindex = 2, .mac = mac_a,
				.mtu = 1500, .stp = 0, .hub = 1, .vlan_filtering = 1 };
	const struct nlattr *tb[TB_MAX], *li[TB_MAX], *d[TB_MAX];
	const struct ifinfomsg *ifi;
	struct nl_batch *b = nl_batch_new();

	ck_assert_int_eq(nl_link_add_bridge(b, &br), 0);
	ck_assert_uint_eq(msg0(b)->nlmsg_flags, NLM_F_REQUEST | NLM_F_CREATE | NLM_F_EXCL);
	ifi = mnl_nlmsg_get_payload(msg0(b));
	ck_assert_int_eq(ifi->ifi_index, 2);
	parse_msg(msg0(b), sizeof(*ifi), tb);
	assert_str(tb[IFLA_IFNAME], "br0");
	assert_u32(tb[IFLA_NET_NS_FD], 5);
	assert_u32(tb[IFLA_MTU], 1500);
	assert_bytes(tb[IFLA_ADDRESS], mac_a, 6);
	parse_nest(tb[IFLA_LINKINFO], li);
	assert_str(li[IFLA_INFO_KIND], "bridge");
	parse_nest(li[IFLA_INFO_DATA], d);
	assert_u32(d[IFLA_BR_STP_STATE], 0);
	assert_u32(d[IFLA_BR_FORWARD_DELAY], 200);
	assert_u32(d[IFLA_BR_AGEING_TIME], 0);
	ck_assert_ptr_nonnull(d[IFLA_BR_MCAST_SNOOPING]);
	ck_assert_uint_eq(mnl_attr_get_u8(d[IFLA_BR_MCAST_SNOOPING]), 0);
	ck_assert_ptr_nonnull(d[IFLA_BR_VLAN_FILTERING]);
	ck_assert_uint_eq(mnl_attr_get_u8(d[IFLA_BR_VLAN_FILTERING]), 1);

	/* STP on: the same 2 s forward delay (the kernel minimum), normal ageing. */
	nl_batch_reset(b);
	br.stp = 1;
	br.hub = 0;
	br.vlan_filtering = 0;
	br.netns_fd = -1;
	ck_assert_int_eq(nl_link_add_bridge(b, &br), 0);
	parse_msg(msg0(b), sizeof(*ifi), tb);
	ck_assert_ptr_null(tb[IFLA_NET_NS_FD]);
	parse_nest(tb[IFLA_LINKINFO], li);
	parse_nest(li[IFLA_INFO_DATA], d);
	assert_u32(d[IFLA_BR_STP_STATE], 1);
	assert_u32(d[IFLA_BR_FORWARD_DELAY], 200);
	ck_assert_ptr_null(d[IFLA_BR_AGEING_TIME]);
	ck_assert_ptr_null(d[IFLA_BR_VLAN_FILTERING]);
	nl_batch_free(b);
}
END_TEST

START_TEST(test_vlan)
{
	const struct nlattr *tb[TB_MAX], *li[TB_MAX], *d[TB_MAX];
	const struct ifinfomsg *ifi;
	struct nl_batch *b = nl_batch_new();

	ck_assert_int_eq(nl_link_add_vlan(b, "eth0.10", 5, 2, 10, 1400, mac_b), 0);
	ifi = mnl_nlmsg_get_payload(msg0(b));
	ck_assert_int_eq(ifi->ifi_index, 5);
	parse_msg(msg0(b), sizeof(*ifi), tb);
	assert_str(tb[IFLA_IFNAME], "eth0.10");
	assert_u32(tb[IFLA_LINK], 2);
	assert_u32(tb[IFLA_MTU], 1400);
	assert_bytes(tb[IFLA_ADDRESS], mac_b, 6);
	ck_assert_ptr_null(tb[IFLA_NET_NS_FD]);
	parse_nest(tb[IFLA_LINKINFO], li);
	assert_str(li[IFLA_INFO_KIND], "vlan");
	parse_nest(li[IFLA_INFO_DATA], d);
	ck_assert_ptr_nonnull(d[IFLA_VLAN_ID]);
	ck_assert_uint_eq(mnl_attr_get_u16(d[IFLA_VLAN_ID]), 10);
	ck_assert_int_eq(nl_link_add_vlan(b, "x", 0, 2, 4095, 0, NULL), -EINVAL);
	ck_assert_int_eq(nl_batch_count(b), 1);
	nl_batch_free(b);
}
END_TEST

START_TEST(test_link_set)
{
	const struct nlattr *tb[TB_MAX];
	const struct ifinfomsg *ifi;
	const struct nlmsghdr *nlh;
	struct nl_batch *b = nl_batch_new();

	ck_assert_int_eq(nl_link_set_up(b, 4, 1), 0);
	ck_assert_int_eq(nl_link_set_up(b, 4, 0), 0);
	ck_assert_int_eq(nl_link_set(b, 4, 1400, mac_a, 0), 0);
	ck_assert_int_eq(nl_link_set(b, 4, 0, NULL, -1), 0);
	ck_assert_int_eq(nl_link_del(b, 4), 0);
	ck_assert_int_eq(nl_batch_count(b), 5);

	nlh = nl_batch_msg(b, 0);
	ck_assert_uint_eq(nlh->nlmsg_type, RTM_NEWLINK);
	ck_assert_uint_eq(nlh->nlmsg_flags, NLM_F_REQUEST); /* no create flags */
	ifi = mnl_nlmsg_get_payload(nlh);
	ck_assert_int_eq(ifi->ifi_index, 4);
	ck_assert_uint_eq(ifi->ifi_flags, IFF_UP);
	ck_assert_uint_eq(ifi->ifi_change, IFF_UP);
	ifi = mnl_nlmsg_get_payload(nl_batch_msg(b, 1));
	ck_assert_uint_eq(ifi->ifi_flags, 0);
	ck_assert_uint_eq(ifi->ifi_change, IFF_UP); /* never 0: "all bits" */

	parse_msg(nl_batch_msg(b, 2), sizeof(*ifi), tb);
	assert_u32(tb[IFLA_MTU], 1400);
	assert_bytes(tb[IFLA_ADDRESS], mac_a, 6);
	assert_u32(tb[IFLA_MASTER], 0); /* release */
	parse_msg(nl_batch_msg(b, 3), sizeof(*ifi), tb);
	ck_assert_ptr_null(tb[IFLA_MTU]);
	ck_assert_ptr_null(tb[IFLA_ADDRESS]);
	ck_assert_ptr_null(tb[IFLA_MASTER]); /* keep */
	ck_assert_uint_eq(nl_batch_msg(b, 4)->nlmsg_type, RTM_DELLINK);
	nl_batch_free(b);
}
END_TEST

START_TEST(test_bridge_port_flags)
{
	const struct nlattr *tb[TB_MAX], *li[TB_MAX], *d[TB_MAX];
	const struct ifinfomsg *ifi;
	struct nl_batch *b = nl_batch_new();

	ck_assert_int_eq(nl_bridge_port_flags(b, 7, 0, -1), 0);
	ck_assert_uint_eq(msg0(b)->nlmsg_type, RTM_NEWLINK);
	ck_assert_uint_eq(msg0(b)->nlmsg_flags, NLM_F_REQUEST); /* a change, never a create */
	ifi = mnl_nlmsg_get_payload(msg0(b));
	ck_assert_int_eq(ifi->ifi_index, 7);
	ck_assert_uint_eq(ifi->ifi_change, 0);
	parse_msg(msg0(b), sizeof(*ifi), tb);
	ck_assert_ptr_null(tb[IFLA_MASTER]);
	parse_nest(tb[IFLA_LINKINFO], li);
	ck_assert_ptr_null(li[IFLA_INFO_KIND]);
	assert_str(li[IFLA_INFO_SLAVE_KIND], "bridge");
	parse_nest(li[IFLA_INFO_SLAVE_DATA], d);
	ck_assert_ptr_nonnull(d[IFLA_BRPORT_LEARNING]);
	ck_assert_uint_eq(mnl_attr_get_u8(d[IFLA_BRPORT_LEARNING]), 0);
	ck_assert_ptr_null(d[IFLA_BRPORT_UNICAST_FLOOD]); /* -1: kept */
	nl_batch_free(b);
}
END_TEST

START_TEST(test_bridge_vlan)
{
	const struct nlattr *tb[TB_MAX], *s[TB_MAX];
	const struct bridge_vlan_info *vi;
	const struct ifinfomsg *ifi;
	const struct nlmsghdr *nlh;
	struct nl_batch *b = nl_batch_new();

	ck_assert_int_eq(nl_bridge_vlan(b, 6, 20, 1, 0), 0);
	ck_assert_int_eq(nl_bridge_vlan(b, 6, 1, 0, 1), 0);
	nlh = nl_batch_msg(b, 0);
	ck_assert_uint_eq(nlh->nlmsg_type, RTM_SETLINK);
	ifi = mnl_nlmsg_get_payload(nlh);
	ck_assert_int_eq(ifi->ifi_family, AF_BRIDGE);
	ck_assert_int_eq(ifi->ifi_index, 6);
	parse_msg(nlh, sizeof(*ifi), tb);
	parse_nest(tb[IFLA_AF_SPEC], s);
	ck_assert_ptr_nonnull(s[IFLA_BRIDGE_VLAN_INFO]);
	ck_assert_uint_eq(mnl_attr_get_payload_len(s[IFLA_BRIDGE_VLAN_INFO]), sizeof(*vi));
	vi = mnl_attr_get_payload(s[IFLA_BRIDGE_VLAN_INFO]);
	ck_assert_uint_eq(vi->vid, 20);
	ck_assert_uint_eq(vi->flags, BRIDGE_VLAN_INFO_PVID | BRIDGE_VLAN_INFO_UNTAGGED);

	nlh = nl_batch_msg(b, 1);
	ck_assert_uint_eq(nlh->nlmsg_type, RTM_DELLINK);
	parse_msg(nlh, sizeof(*ifi), tb);
	parse_nest(tb[IFLA_AF_SPEC], s);
	vi = mnl_attr_get_payload(s[IFLA_BRIDGE_VLAN_INFO]);
	ck_assert_uint_eq(vi->vid, 1);
	ck_assert_uint_eq(vi->flags, 0);
	nl_batch_free(b);
}
END_TEST

/* ---- addresses and routes --------------------------------------------- */

START_TEST(test_addr_v4)
{
	const struct nlattr *tb[TB_MAX];
	const struct ifaddrmsg *ifa;
	struct in_addr a, brd;
	struct nl_batch *b = nl_batch_new();

	inet_pton(AF_INET, "10.0.1.5", &a);
	inet_pton(AF_INET, "10.0.1.255", &brd);
	ck_assert_int_eq(nl_addr_add(b, AF_INET, 3, &a, 24), 0);
	ck_assert_uint_eq(msg0(b)->nlmsg_type, RTM_NEWADDR);
	ck_assert_uint_eq(msg0(b)->nlmsg_flags, NLM_F_REQUEST | NLM_F_CREATE | NLM_F_EXCL);
	ifa = mnl_nlmsg_get_payload(msg0(b));
	ck_assert_uint_eq(ifa->ifa_family, AF_INET);
	ck_assert_uint_eq(ifa->ifa_prefixlen, 24);
	ck_assert_uint_eq(ifa->ifa_index, 3);
	ck_assert_uint_eq(ifa->ifa_scope, RT_SCOPE_UNIVERSE);
	ck_assert_uint_eq(ifa->ifa_flags, 0);
	parse_msg(msg0(b), sizeof(*ifa), tb);
	assert_bytes(tb[IFA_LOCAL], &a, 4);
	assert_bytes(tb[IFA_ADDRESS], &a, 4); /* LOCAL == ADDRESS */
	assert_bytes(tb[IFA_BROADCAST], &brd, 4);

	nl_batch_reset(b);
	ck_assert_int_eq(nl_addr_add(b, AF_INET, 3, &a, 31), 0);
	parse_msg(msg0(b), sizeof(*ifa), tb);
	ck_assert_ptr_null(tb[IFA_BROADCAST]); /* /31 and /32: none */
	ck_assert_int_eq(nl_addr_add(b, AF_INET, 3, &a, 33), -EINVAL);
	ck_assert_int_eq(nl_addr_add(b, AF_PACKET, 3, &a, 3), -EAFNOSUPPORT);
	ck_assert_int_eq(nl_batch_count(b), 1);
	nl_batch_free(b);
}
END_TEST

START_TEST(test_addr_v6)
{
	const struct nlattr *tb[TB_MAX];
	const struct ifaddrmsg *ifa;
	struct in6_addr a;
	struct nl_batch *b = nl_batch_new();

	inet_pton(AF_INET6, "fd00::5", &a);
	ck_assert_int_eq(nl_addr_add(b, AF_INET6, 3, &a, 64), 0);
	ifa = mnl_nlmsg_get_payload(msg0(b));
	ck_assert_uint_eq(ifa->ifa_family, AF_INET6);
	ck_assert_uint_eq(ifa->ifa_prefixlen, 64);
	ck_assert_uint_eq(ifa->ifa_flags, IFA_F_NODAD);
	parse_msg(msg0(b), sizeof(*ifa), tb);
	assert_bytes(tb[IFA_ADDRESS], &a, 16);
	ck_assert_ptr_null(tb[IFA_LOCAL]);
	ck_assert_ptr_null(tb[IFA_BROADCAST]);
	nl_batch_free(b);
}
END_TEST

START_TEST(test_route)
{
	const struct nlattr *tb[TB_MAX];
	const struct rtmsg *rtm;
	struct in_addr gw, dst;
	struct in6_addr gw6;
	struct nl_batch *b = nl_batch_new();

	inet_pton(AF_INET, "10.0.1.1", &gw);
	inet_pton(AF_INET, "10.9.0.0", &dst);
	inet_pton(AF_INET6, "fd00::1", &gw6);
	ck_assert_int_eq(nl_route_add(b, AF_INET, NULL, 0, &gw, 0, 0), 0);
	ck_assert_int_eq(nl_route_add(b, AF_INET, &dst, 16, NULL, 3, 100), 0);
	ck_assert_int_eq(nl_route_add(b, AF_INET6, NULL, 0, &gw6, 3, 0), 0);
	ck_assert_int_eq(nl_route_add(b, AF_INET, NULL, 8, NULL, 3, 0), -EINVAL);

	ck_assert_uint_eq(nl_batch_msg(b, 0)->nlmsg_type, RTM_NEWROUTE);
	ck_assert_uint_eq(nl_batch_msg(b, 0)->nlmsg_flags,
			  NLM_F_REQUEST | NLM_F_CREATE | NLM_F_EXCL);
	rtm = mnl_nlmsg_get_payload(nl_batch_msg(b, 0));
	ck_assert_uint_eq(rtm->rtm_family, AF_INET);
	ck_assert_uint_eq(rtm->rtm_dst_len, 0);
	ck_assert_uint_eq(rtm->rtm_table, RT_TABLE_MAIN);
	ck_assert_uint_eq(rtm->rtm_protocol, RTPROT_STATIC);
	ck_assert_uint_eq(rtm->rtm_scope, RT_SCOPE_UNIVERSE); /* via gateway */
	ck_assert_uint_eq(rtm->rtm_type, RTN_UNICAST);
	parse_msg(nl_batch_msg(b, 0), sizeof(*rtm), tb);
	ck_assert_ptr_null(tb[RTA_DST]);
	assert_bytes(tb[RTA_GATEWAY], &gw, 4);
	ck_assert_ptr_null(tb[RTA_OIF]);
	ck_assert_ptr_null(tb[RTA_PRIORITY]);

	rtm = mnl_nlmsg_get_payload(nl_batch_msg(b, 1));
	ck_assert_uint_eq(rtm->rtm_dst_len, 16);
	ck_assert_uint_eq(rtm->rtm_scope, RT_SCOPE_LINK); /* on-link */
	parse_msg(nl_batch_msg(b, 1), sizeof(*rtm), tb);
	assert_bytes(tb[RTA_DST], &dst, 4);
	ck_assert_ptr_null(tb[RTA_GATEWAY]);
	assert_u32(tb[RTA_OIF], 3);
	assert_u32(tb[RTA_PRIORITY], 100);

	rtm = mnl_nlmsg_get_payload(nl_batch_msg(b, 2));
	ck_assert_uint_eq(rtm->rtm_family, AF_INET6);
	parse_msg(nl_batch_msg(b, 2), sizeof(*rtm), tb);
	assert_bytes(tb[RTA_GATEWAY], &gw6, 16);
	ck_assert_int_eq(nl_batch_count(b), 3);
	nl_batch_free(b);
}
END_TEST

/* ---- tc -------------------------------------------------------------------- */

static void tc_header(const struct nlmsghdr *nlh, uint16_t type, uint16_t flags, int ifindex,
		      uint32_t handle, uint32_t parent, const char *kind, const struct nlattr **tb)
{
	const struct tcmsg *tcm = mnl_nlmsg_get_payload(nlh);

	ck_assert_uint_eq(nlh->nlmsg_type, type);
	ck_assert_uint_eq(nlh->nlmsg_flags, NLM_F_REQUEST | flags);
	ck_assert_uint_eq(tcm->tcm_family, AF_UNSPEC);
	ck_assert_int_eq(tcm->tcm_ifindex, ifindex);
	ck_assert_uint_eq(tcm->tcm_handle, handle);
	ck_assert_uint_eq(tcm->tcm_parent, parent);
	parse_msg(nlh, sizeof(*tcm), tb);
	if (kind)
		assert_str(tb[TCA_KIND], kind);
}

START_TEST(test_tbf)
{
	const struct nlattr *tb[TB_MAX], *o[TB_MAX];
	struct tc_tbf_qopt q;
	struct nl_tbf t;
	struct nl_batch *b = nl_batch_new();

	tsuite_tbf_params(&t, 10000000, 100, 1500); /* 10 Mbit/s */
	ck_assert_int_eq(nl_qdisc_tbf(b, 3, 0x10000, TC_H_ROOT, &t), 0);
	tc_header(msg0(b), RTM_NEWQDISC, NLM_F_CREATE | NLM_F_EXCL, 3, 0x10000, TC_H_ROOT, "tbf",
		  tb);
	parse_nest(tb[TCA_OPTIONS], o);
	ck_assert_ptr_nonnull(o[TCA_TBF_PARMS]);
	ck_assert_uint_eq(mnl_attr_get_payload_len(o[TCA_TBF_PARMS]), sizeof(q));
	memcpy(&q, mnl_attr_get_payload(o[TCA_TBF_PARMS]), sizeof(q));
	ck_assert_uint_eq(q.rate.rate, 1250000);
	ck_assert_uint_eq(q.rate.linklayer, TC_LINKLAYER_ETHERNET);
	ck_assert_uint_eq(q.peakrate.rate, 0);
	ck_assert_uint_eq(q.limit, 151400); /* 100 frames of 1500 + 14 */
	/* 5000 B at 1.25 MB/s = 4 ms = 62500 ticks of 64 ns */
	ck_assert_uint_eq(q.buffer, 62500);
	assert_u32(o[TCA_TBF_BURST], 5000);
	ck_assert_ptr_null(o[TCA_TBF_RATE64]);
	ck_assert_ptr_null(o[TCA_TBF_RTAB]);

	/* 40 Gbit/s = 5e9 B/s >= 2^32 B/s: RATE64, 32-bit field saturated.
	 * (10 Gbit/s = 1.25e9 B/s still fits in 32 bits.) */
	nl_batch_reset(b);
	tsuite_tbf_params(&t, 40000000000ull, 0, 1500);
	ck_assert_int_eq(nl_qdisc_tbf_replace(b, 3, 0, 0x10001, &t), 0);
	tc_header(msg0(b), RTM_NEWQDISC, NLM_F_CREATE | NLM_F_REPLACE, 3, 0, 0x10001, "tbf", tb);
	parse_nest(tb[TCA_OPTIONS], o);
	memcpy(&q, mnl_attr_get_payload(o[TCA_TBF_PARMS]), sizeof(q));
	ck_assert_uint_eq(q.rate.rate, UINT32_MAX);
	ck_assert_ptr_nonnull(o[TCA_TBF_RATE64]);
	ck_assert_uint_eq(mnl_attr_get_u64(o[TCA_TBF_RATE64]), 5000000000ull);
	assert_u32(o[TCA_TBF_BURST], 20000000); /* rate / 250 */
	ck_assert_uint_eq(q.limit, 20000000); /* 1000 frames < burst: a burst */

	nl_batch_reset(b);
	tsuite_tbf_params(&t, 10000000000ull, 0, 1500);
	ck_assert_int_eq(nl_qdisc_tbf(b, 3, 0, TC_H_ROOT, &t), 0);
	parse_msg(msg0(b), sizeof(struct tcmsg), tb);
	parse_nest(tb[TCA_OPTIONS], o);
	ck_assert_ptr_null(o[TCA_TBF_RATE64]);
	t.limit_bytes = 0;
	ck_assert_int_eq(nl_qdisc_tbf(b, 3, 0, TC_H_ROOT, &t), -EINVAL);
	nl_batch_free(b);
}
END_TEST

START_TEST(test_tbf_defaults_values)
{
	uint32_t burst, limit;

	plan_tbf_size(10000000, 0, 1500, &burst, &limit);
	ck_assert_uint_eq(burst, 5000);		/* rate / 250 > 2 frames */
	ck_assert_uint_eq(limit, 1000 * 1514);	/* 1000 frames */
	plan_tbf_size(1000000, 0, 1500, &burst, &limit);
	ck_assert_uint_eq(burst, 2 * 1514);	/* two frames */
	plan_tbf_size(1000000000, 0, 1500, &burst, &limit);
	ck_assert_uint_eq(burst, 500000);
	plan_tbf_size(1000000000, 10, 1500, &burst, &limit);
	ck_assert_uint_eq(limit, 500000);	/* never below burst */
	plan_tbf_size(8000000000000ull, 0, 1500, &burst, &limit);
	ck_assert_uint_eq(burst, 64u << 20);	/* capped */
}
END_TEST

/* Attributes after netem's qopt. */
static void netem_attrs(const struct nlattr *opt, struct tc_netem_qopt *q,
			const struct nlattr **tb)
{
	size_t len = mnl_attr_get_payload_len(opt);

	ck_assert_uint_ge(len, sizeof(*q));
	memcpy(q, mnl_attr_get_payload(opt), sizeof(*q));
	memset(tb, 0, TB_MAX * sizeof(*tb));
	ck_assert_int_ge(mnl_attr_parse_payload((const char *)mnl_attr_get_payload(opt) +
						sizeof(*q), len - sizeof(*q), tb_cb, tb), 0);
}

START_TEST(test_netem)
{
	struct nl_netem n = { .delay_ns = 50000000, .jitter_ns = 5000000, .limit_pkts = 500,
			      .loss_pct = 2.5, .reorder_pct = 25, .corrupt_pct = 0.1,
			      .use_dist = 1 };
	const struct nlattr *tb[TB_MAX], *o[TB_MAX], *opt;
	const struct tc_netem_reorder *r;
	const struct tc_netem_corrupt *c;
	const struct nlmsghdr *nlh;
	struct tc_netem_qopt q;
	struct nl_qdisc_info qi;
	struct nl_batch *b = nl_batch_new();

	ck_assert_int_eq(nl_qdisc_netem(b, 3, 0x10000, TC_H_ROOT, &n), 0);
	nlh = msg0(b);
	tc_header(nlh, RTM_NEWQDISC, NLM_F_CREATE | NLM_F_EXCL, 3, 0x10000, TC_H_ROOT, "netem",
		  tb);
	opt = tb[TCA_OPTIONS];
	ck_assert_ptr_nonnull(opt);
	/* Not a normal nest: exact type, no NLA_F_NESTED, and the length covers
	 * the qopt and every attribute up to the end of the message. */
	ck_assert_uint_eq(opt->nla_type, TCA_OPTIONS);
	ck_assert_ptr_eq((const char *)opt + MNL_ALIGN(opt->nla_len),
			 (const char *)nlh + nlh->nlmsg_len);
	netem_attrs(opt, &q, o);
	ck_assert_uint_eq(q.latency, 0);
	ck_assert_uint_eq(q.jitter, 0);
	ck_assert_uint_eq(q.limit, 500);
	ck_assert_uint_eq(q.loss, (uint32_t)rint(0.025 * UINT32_MAX));
	ck_assert_uint_eq(q.duplicate, 0);
	ck_assert_uint_eq(q.gap, 1); /* reorder => gap 1, like tc */
	ck_assert_ptr_nonnull(o[TCA_NETEM_LATENCY64]);
	ck_assert_uint_eq(mnl_attr_get_u64(o[TCA_NETEM_LATENCY64]), 50000000);
	ck_assert_ptr_nonnull(o[TCA_NETEM_JITTER64]);
	ck_assert_uint_eq(mnl_attr_get_u64(o[TCA_NETEM_JITTER64]), 5000000);
	ck_assert_ptr_nonnull(o[TCA_NETEM_REORDER]);
	r = mnl_attr_get_payload(o[TCA_NETEM_REORDER]);
	ck_assert_uint_eq(r->probability, (uint32_t)rint(0.25 * UINT32_MAX));
	ck_assert_uint_eq(r->correlation, 0);
	ck_assert_ptr_nonnull(o[TCA_NETEM_CORRUPT]);
	c = mnl_attr_get_payload(o[TCA_NETEM_CORRUPT]);
	ck_assert_uint_eq(c->probability, (uint32_t)rint(0.001 * UINT32_MAX));
	ck_assert_ptr_null(o[TCA_NETEM_CORR]);
	ck_assert_ptr_nonnull(o[TCA_NETEM_DELAY_DIST]);
	ck_assert_uint_eq(mnl_attr_get_payload_len(o[TCA_NETEM_DELAY_DIST]), 4096 * 2);
	ck_assert(!memcmp(mnl_attr_get_payload(o[TCA_NETEM_DELAY_DIST]), nl_netem_normal_dist,
			  4096 * 2));

	/* Our own decoder agrees. */
	ck_assert_int_eq(nl_decode_qdisc(nlh, &qi), 0);
	ck_assert_str_eq(qi.kind, "netem");
	ck_assert_uint_eq(qi.delay_ns, 50000000);
	ck_assert_uint_eq(qi.jitter_ns, 5000000);
	ck_assert_uint_eq(qi.limit_pkts, 500);
	ck_assert(fabs(qi.loss_pct - 2.5) < 1e-6);
	ck_assert(fabs(qi.reorder_pct - 25) < 1e-6);
	ck_assert(fabs(qi.corrupt_pct - 0.1) < 1e-6);
	ck_assert_int_eq(qi.dist_len, 4096);

	/* No jitter: no table, no JITTER64; default limit; replace flags. */
	nl_batch_reset(b);
	memset(&n, 0, sizeof(n));
	n.delay_ns = 1000000;
	n.use_dist = 1;
	ck_assert_int_eq(nl_qdisc_netem_replace(b, 3, 0, TC_H_ROOT, &n), 0);
	tc_header(msg0(b), RTM_NEWQDISC, NLM_F_CREATE | NLM_F_REPLACE, 3, 0, TC_H_ROOT, "netem",
		  tb);
	netem_attrs(tb[TCA_OPTIONS], &q, o);
	ck_assert_uint_eq(q.limit, 1000);
	ck_assert_uint_eq(q.gap, 0);
	ck_assert_ptr_nonnull(o[TCA_NETEM_LATENCY64]);
	ck_assert_ptr_null(o[TCA_NETEM_JITTER64]);
	ck_assert_ptr_null(o[TCA_NETEM_DELAY_DIST]);
	ck_assert_ptr_null(o[TCA_NETEM_REORDER]);

	/* Reorder needs a delay (tc refuses too); percentages are checked. */
	n.delay_ns = 0;
	n.reorder_pct = 10;
	ck_assert_int_eq(nl_qdisc_netem(b, 3, 0, TC_H_ROOT, &n), -EINVAL);
	n.reorder_pct = 0;
	n.loss_pct = 101;
	ck_assert_int_eq(nl_qdisc_netem(b, 3, 0, TC_H_ROOT, &n), -ERANGE);
	ck_assert_int_eq(nl_batch_count(b), 1);
	nl_batch_free(b);
}
END_TEST

/* `tc qdisc add dev X root netem delay 10ms 2ms loss 1% duplicate 0.5%` as
 * iproute2 >= 6.9 builds it (tc/q_netem.c netem_parse_opt; the 64-bit
 * latency/jitter patch "netem: use 64 bit value for latency and jitter"):
 *  - opt = { .limit = 1000 } (default), latency and jitter ticks stay 0;
 *  - "loss 1%": get_percent -> set_percent: rint(0.01 * UINT32_MAX);
 *  - "duplicate 0.5%": rint(0.005 * UINT32_MAX);
 *  - "delay 10ms 2ms": present[LATENCY64], present[JITTER64] (ns, s64);
 *  - no correlation given, so no TCA_NETEM_CORR; no "distribution" keyword,
 *    so no TCA_NETEM_DELAY_DIST (we match with use_dist = 0);
 *  - addattr_l(TCA_OPTIONS, &opt) then the attributes, then
 *    tail->rta_len = NLMSG_TAIL(n) - tail (no NLA_F_NESTED).
 * (Older tc, e.g. Debian 12's 6.1, sent latency/jitter as ticks in the qopt
 * instead.)  Multi-byte fields are host-endian (little-endian below). */
START_TEST(test_netem_tc_bytes)
{
	static const uint8_t expect[] = {
		52, 0, 2, 0,           /* nla_len 52 = 4 + 24 + 12 + 12, nla_type TCA_OPTIONS (2) */
		0, 0, 0, 0,            /* qopt.latency (ticks): 0, LATENCY64 used */
		0xe8, 0x03, 0, 0,      /* qopt.limit: 1000 packets */
		0x29, 0x5c, 0x8f, 0x02, /* qopt.loss: rint(0.01 * 0xffffffff) = 42949673 = 0x028f5c29 */
		0, 0, 0, 0,            /* qopt.gap: 0 (no reorder) */
		0x14, 0xae, 0x47, 0x01, /* qopt.duplicate: rint(0.005 * 0xffffffff) = 21474836 = 0x0147ae14 */
		0, 0, 0, 0,            /* qopt.jitter (ticks): 0 */
		12, 0, 10, 0,          /* nla_len 12, TCA_NETEM_LATENCY64 (10) */
		0x80, 0x96, 0x98, 0, 0, 0, 0, 0, /* 10 ms = 10000000 ns = 0x989680 */
		12, 0, 11, 0,          /* nla_len 12, TCA_NETEM_JITTER64 (11) */
		0x80, 0x84, 0x1e, 0, 0, 0, 0, 0, /* 2 ms = 2000000 ns = 0x1e8480 */
	};
	struct nl_netem n = { .delay_ns = 10000000, .jitter_ns = 2000000, .loss_pct = 1,
			      .duplicate_pct = 0.5 };
	const struct nlattr *tb[TB_MAX];
	struct nl_batch *b = nl_batch_new();
	const uint16_t one16 = 1;

	if (*(const uint8_t *)&one16 != 1)
		return; /* the bytes above are little-endian */
	ck_assert_int_eq(nl_qdisc_netem(b, 2, 0, TC_H_ROOT, &n), 0);
	parse_msg(msg0(b), sizeof(struct tcmsg), tb);
	ck_assert_ptr_nonnull(tb[TCA_OPTIONS]);
	ck_assert_uint_eq(tb[TCA_OPTIONS]->nla_len, sizeof(expect));
	ck_assert_mem_eq(tb[TCA_OPTIONS], expect, sizeof(expect));
	nl_batch_free(b);
}
END_TEST

START_TEST(test_qdisc_del_and_misc)
{
	const struct nlattr *tb[TB_MAX];
	struct nl_batch *b = nl_batch_new();

	ck_assert_int_eq(nl_qdisc_del(b, 3, TC_H_ROOT), 0);
	tc_header(msg0(b), RTM_DELQDISC, 0, 3, 0, TC_H_ROOT, NULL, tb);
	ck_assert_ptr_null(tb[TCA_KIND]);
	ck_assert_str_eq(nl_qdisc_kernel_option("tbf"), "CONFIG_NET_SCH_TBF");
	ck_assert_str_eq(nl_qdisc_kernel_option("netem"), "CONFIG_NET_SCH_NETEM");
	ck_assert_ptr_null(nl_qdisc_kernel_option("nosuch"));
	ck_assert_uint_eq(nl_netem_prob(0), 0);
	ck_assert_uint_eq(nl_netem_prob(100), UINT32_MAX);
	ck_assert_uint_eq(nl_netem_prob(1), 42949673);
	nl_batch_free(b);
}
END_TEST

START_TEST(test_tbf_decode)
{
	struct nl_qdisc_info qi;
	struct nl_tbf t;
	struct nl_batch *b = nl_batch_new();

	tsuite_tbf_params(&t, 40000000000ull, 0, 1500);
	ck_assert_int_eq(nl_qdisc_tbf(b, 3, 0x10000, TC_H_ROOT, &t), 0);
	ck_assert_int_eq(nl_decode_qdisc(msg0(b), &qi), 0);
	ck_assert_str_eq(qi.kind, "tbf");
	ck_assert_int_eq(qi.ifindex, 3);
	ck_assert_uint_eq(qi.handle, 0x10000);
	ck_assert_uint_eq(qi.parent, TC_H_ROOT);
	ck_assert_uint_eq(qi.rate_bytes, 5000000000ull);
	ck_assert_uint_eq(qi.burst_bytes, t.burst_bytes);
	ck_assert_uint_eq(qi.limit_bytes, t.limit_bytes);
	nl_batch_free(b);
}
END_TEST

/* ---- batches and errors --------------------------------------------------- */

START_TEST(test_batch)
{
	struct nl_batch *b = nl_batch_new();
	int i;

	ck_assert_int_eq(nl_batch_count(b), 0);
	ck_assert_ptr_null(nl_batch_msg(b, 0));
	for (i = 0; i < 1000; i++) {
		nl_batch_set_cookie(b, 100 + i);
		ck_assert_int_eq(nl_link_set_up(b, i + 1, 1), 0);
	}
	ck_assert_int_eq(nl_batch_count(b), 1000);
	for (i = 0; i < 1000; i++) {
		const struct ifinfomsg *ifi = mnl_nlmsg_get_payload(nl_batch_msg(b, i));

		ck_assert_int_eq(ifi->ifi_index, i + 1);
		ck_assert_int_eq(nl_batch_cookie(b, i), 100 + i);
		/* ACK is decided at send time, on the last of each chunk */
		ck_assert(!(nl_batch_msg(b, i)->nlmsg_flags & NLM_F_ACK));
	}
	nl_batch_reset(b);
	ck_assert_int_eq(nl_batch_count(b), 0);
	/* A refused message leaves nothing behind. */
	ck_assert_int_eq(nl_addr_add(b, AF_INET, 1, NULL, 8), -EINVAL);
	ck_assert_int_eq(nl_batch_count(b), 0);
	nl_batch_free(b);
	nl_batch_free(NULL);
	nl_sock_close(NULL);
}
END_TEST

/* An NLMSG_ERROR as the kernel sends it with CAP_ACK + EXT_ACK. */
static size_t make_err(char *buf, int err, const char *text, int capped)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf), *orig;
	struct nlmsgerr *e;

	nlh->nlmsg_type = NLMSG_ERROR;
	nlh->nlmsg_flags = NLM_F_ACK_TLVS | (capped ? NLM_F_CAPPED : 0);
	nlh->nlmsg_seq = 7;
	e = mnl_nlmsg_put_extra_header(nlh, sizeof(*e));
	e->error = err;
	e->msg.nlmsg_type = RTM_NEWROUTE;
	e->msg.nlmsg_seq = 7;
	e->msg.nlmsg_len = capped ? sizeof(e->msg) : sizeof(e->msg) + 12;
	if (!capped) { /* echoed request payload (12 bytes) */
		orig = mnl_nlmsg_put_extra_header(nlh, 12);
		memset(orig, 0xab, 12);
	}
	if (text)
		mnl_attr_put_strz(nlh, NLMSGERR_ATTR_MSG, text);
	mnl_attr_put_u32(nlh, NLMSGERR_ATTR_OFFS, 20);
	return nlh->nlmsg_len;
}

START_TEST(test_parse_error)
{
	char buf[512] __attribute__((aligned(4))) = { 0 };
	char msg[256], small[8];
	struct nlmsghdr *nlh = (struct nlmsghdr *)buf;
	int err = 1;

	make_err(buf, -ENETUNREACH, "Nexthop has invalid gateway", 1);
	ck_assert_int_eq(nl_parse_error(nlh, &err, msg, sizeof(msg)), 0);
	ck_assert_int_eq(err, -ENETUNREACH);
	ck_assert_str_eq(msg, "Nexthop has invalid gateway");
	ck_assert_int_eq(nl_parse_error(nlh, &err, small, sizeof(small)), 0);
	ck_assert_str_eq(small, "Nexthop");

	memset(buf, 0, sizeof(buf));
	make_err(buf, -EEXIST, "File exists here", 0); /* full request echoed */
	ck_assert_int_eq(nl_parse_error(nlh, &err, msg, sizeof(msg)), 0);
	ck_assert_int_eq(err, -EEXIST);
	ck_assert_str_eq(msg, "File exists here");

	memset(buf, 0, sizeof(buf));
	make_err(buf, 0, NULL, 1); /* a plain ACK */
	nlh->nlmsg_flags &= ~NLM_F_ACK_TLVS;
	ck_assert_int_eq(nl_parse_error(nlh, &err, msg, sizeof(msg)), 0);
	ck_assert_int_eq(err, 0);
	ck_assert_str_eq(msg, "");

	nlh->nlmsg_len = NLMSG_HDRLEN + 4; /* truncated */
	ck_assert_int_eq(nl_parse_error(nlh, &err, msg, sizeof(msg)), -EBADMSG);
	nlh->nlmsg_type = RTM_NEWLINK;
	ck_assert_int_eq(nl_parse_error(nlh, &err, msg, sizeof(msg)), -EINVAL);
}
END_TEST

/* ---- the normal table ------------------------------------------------------ */

START_TEST(test_normal_table)
{
	const short *t = nl_netem_normal_dist;
	int n = nl_netem_normal_dist_len, i, hi;
	long sum = 0;

	ck_assert_int_eq(n, 4096);
	for (i = 0; i < n; i++) {
		ck_assert_int_eq(t[i], -t[n - 1 - i]); /* symmetric */
		if (i)
			ck_assert_int_le(t[i - 1], t[i]); /* monotonic */
		sum += t[i];
	}
	ck_assert_int_eq(sum, 0);
	ck_assert_int_le(abs(t[n / 2]), 5); /* median ~ 0 */
	ck_assert_int_le(abs(t[n / 2 - 1]), 5);
	/* Phi(1) = 0.841345: the entry at that quantile is ~ +1 sigma */
	hi = (int)lrint(0.841345 * n - 0.5);
	ck_assert_int_le(abs(t[hi] - 8192), 20);
	ck_assert_int_le(abs(t[n - 1 - hi] + 8192), 20);
	ck_assert_int_lt(t[0], -3 * 8192); /* tails beyond 3 sigma */
	ck_assert_int_gt(t[n - 1], 3 * 8192);
}
END_TEST

static Suite *nl_suite(void)
{
	Suite *s = suite_create("nl");
	TCase *tc = tcase_create("builders");

	tcase_add_test(tc, test_veth);
	tcase_add_test(tc, test_veth_minimal);
	tcase_add_test(tc, test_bridge);
	tcase_add_test(tc, test_vlan);
	tcase_add_test(tc, test_link_set);
	tcase_add_test(tc, test_bridge_vlan);
	tcase_add_test(tc, test_bridge_port_flags);
	tcase_add_test(tc, test_addr_v4);
	tcase_add_test(tc, test_addr_v6);
	tcase_add_test(tc, test_route);
	tcase_add_test(tc, test_tbf);
	tcase_add_test(tc, test_tbf_defaults_values);
	tcase_add_test(tc, test_tbf_decode);
	tcase_add_test(tc, test_netem);
	tcase_add_test(tc, test_netem_tc_bytes);
	tcase_add_test(tc, test_qdisc_del_and_misc);
	tcase_add_test(tc, test_batch);
	tcase_add_test(tc, test_parse_error);
	tcase_add_test(tc, test_normal_table);
	suite_add_tcase(s, tc);
	return s;
}

TSUITE(nl_suite)

/* nl_link.c — builders for links, bridge VLANs, addresses and routes. */
#include "nl.h"

#include <errno.h>
#include <string.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <linux/if_addr.h>
#include <linux/if_bridge.h>
#include <linux/if_ether.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>

#include <libmnl/libmnl.h>

#define NL_CREATE (NLM_F_CREATE | NLM_F_EXCL)

/* Bridge forward delay (clock_t, 1/100 s): 200 = 2 s, the smallest value
 * the kernel accepts with STP on (BR_MIN_FORWARD_DELAY), instead of the
 * default 15 s: a loop converges in ~4 s (listening + learning).  Unused
 * while STP is off (ports forward at once). */
#define NL_BR_FORWARD_DELAY 200

static struct ifinfomsg *nl_ifinfo(struct nl_msg *m, int ifindex)
{
	struct ifinfomsg *ifi = nl_msg_extra(m, sizeof(*ifi));

	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = ifindex;
	return ifi;
}

/* Attributes common to a created link end (primary or veth peer). */
static void nl_link_common(struct nl_msg *m, const char *name, int netns_fd, int mtu,
			   const uint8_t *mac)
{
	nl_put_str(m, IFLA_IFNAME, name);
	if (netns_fd >= 0) /* resolved in our fd table at sendmsg() time */
		nl_put_u32(m, IFLA_NET_NS_FD, (uint32_t)netns_fd);
	if (mtu > 0)
		nl_put_u32(m, IFLA_MTU, (uint32_t)mtu);
	if (mac)
		nl_put(m, IFLA_ADDRESS, ETH_ALEN, mac);
}

/* One RTM_NEWLINK creates both ends, each directly in its namespace with its
 * name, ifindex, MTU and MAC.  The peer's ifindex is honoured only when the
 * primary's is set too (veth_newlink). */
int nl_link_add_veth(struct nl_batch *b, const struct nl_veth *v)
{
	struct nlattr *info, *data, *peer;
	struct ifinfomsg *ifi;
	struct nl_msg m;

	if (nl_msg_begin(&m, b, RTM_NEWLINK, NL_CREATE))
		return m.err;
	ifi = nl_ifinfo(&m, v->ifindex);
	if (v->up) { /* only the primary: a peer UP at creation is -ENOTCONN */
		ifi->ifi_flags = IFF_UP;
		ifi->ifi_change = IFF_UP;
	}
	nl_link_common(&m, v->name, v->netns_fd, v->mtu, v->mac);
	if (v->master > 0) /* IFLA_MASTER in the peer nest would be ignored */
		nl_put_u32(&m, IFLA_MASTER, (uint32_t)v->master);
	info = nl_nest_start(&m, IFLA_LINKINFO);
	nl_put_str(&m, IFLA_INFO_KIND, "veth");
	data = nl_nest_start(&m, IFLA_INFO_DATA);
	/* The peer nest's payload starts with its own struct ifinfomsg. */
	peer = nl_nest_start(&m, VETH_INFO_PEER);
	nl_ifinfo(&m, v->peer_ifindex); /* flags 0: see above */
	nl_link_common(&m, v->peer_name, v->peer_netns_fd, v->peer_mtu, v->peer_mac);
	nl_nest_end(&m, peer);
	nl_nest_end(&m, data);
	nl_nest_end(&m, info);
	return nl_msg_end(&m);
}

/* Multicast snooping off (labs want plain flooding of multicast), a fixed
 * MAC (an unconfigured bridge adopts its lowest port MAC and falls back to
 * 00:00:00:00:00:00 when ports go), hub = ageing 0: FDB entries expire at
 * once so every frame floods. */
int nl_link_add_bridge(struct nl_batch *b, const struct nl_bridge *br)
{
	struct nlattr *info, *data;
	struct nl_msg m;

	if (nl_msg_begin(&m, b, RTM_NEWLINK, NL_CREATE))
		return m.err;
	nl_ifinfo(&m, br->ifindex);
	nl_link_common(&m, br->name, br->netns_fd, br->mtu, br->mac);
	info = nl_nest_start(&m, IFLA_LINKINFO);
	nl_put_str(&m, IFLA_INFO_KIND, "bridge");
	data = nl_nest_start(&m, IFLA_INFO_DATA);
	nl_put_u32(&m, IFLA_BR_FORWARD_DELAY, NL_BR_FORWARD_DELAY);
	nl_put_u32(&m, IFLA_BR_STP_STATE, br->stp ? 1 : 0);
	nl_put_u8(&m, IFLA_BR_MCAST_SNOOPING, 0);
	if (br->hub)
		nl_put_u32(&m, IFLA_BR_AGEING_TIME, 0);
	if (br->vlan_filtering)
		nl_put_u8(&m, IFLA_BR_VLAN_FILTERING, 1);
	nl_nest_end(&m, data);
	nl_nest_end(&m, info);
	return nl_msg_end(&m);
}

int nl_link_add_vlan(struct nl_batch *b, const char *name, int ifindex, int parent_ifindex,
		     int vlan_id, int mtu, const uint8_t *mac)
{
	struct nlattr *info, *data;
	struct nl_msg m;

	if (vlan_id < 1 || vlan_id > 4094)
		return -EINVAL;
	if (nl_msg_begin(&m, b, RTM_NEWLINK, NL_CREATE))
		return m.err;
	nl_ifinfo(&m, ifindex);
	nl_link_common(&m, name, -1, mtu, mac);
	nl_put_u32(&m, IFLA_LINK, (uint32_t)parent_ifindex);
	info = nl_nest_start(&m, IFLA_LINKINFO);
	nl_put_str(&m, IFLA_INFO_KIND, "vlan");
	data = nl_nest_start(&m, IFLA_INFO_DATA);
	nl_put_u16(&m, IFLA_VLAN_ID, (uint16_t)vlan_id);
	nl_nest_end(&m, data);
	nl_nest_end(&m, info);
	return nl_msg_end(&m);
}

/* ifi_change is always IFF_UP: 0 would mean "apply every flag bit"
 * (rtnl_dev_combine_flags compatibility quirk). */
int nl_link_set_up(struct nl_batch *b, int ifindex, int up)
{
	struct ifinfomsg *ifi;
	struct nl_msg m;

	if (nl_msg_begin(&m, b, RTM_NEWLINK, 0))
		return m.err;
	ifi = nl_ifinfo(&m, ifindex);
	ifi->ifi_flags = up ? IFF_UP : 0;
	ifi->ifi_change = IFF_UP;
	return nl_msg_end(&m);
}

int nl_link_set(struct nl_batch *b, int ifindex, int mtu, const uint8_t *mac, int master)
{
	struct nl_msg m;

	if (nl_msg_begin(&m, b, RTM_NEWLINK, 0))
		return m.err;
	nl_ifinfo(&m, ifindex);
	if (mtu > 0)
		nl_put_u32(&m, IFLA_MTU, (uint32_t)mtu);
	if (mac)
		nl_put(&m, IFLA_ADDRESS, ETH_ALEN, mac);
	if (master >= 0)
		nl_put_u32(&m, IFLA_MASTER, (uint32_t)master);
	return nl_msg_end(&m);
}

int nl_link_del(struct nl_batch *b, int ifindex)
{
	struct nl_msg m;

	if (nl_msg_begin(&m, b, RTM_DELLINK, 0))
		return m.err;
	nl_ifinfo(&m, ifindex);
	return nl_msg_end(&m);
}

/* The port's master must be a bridge when the message is processed: the
 * kernel picks the slave-data parser from the current master
 * (rtnl_newlink), so this cannot ride in the message that enslaves. */
int nl_bridge_port_flags(struct nl_batch *b, int port_ifindex, int learning, int flood)
{
	struct nlattr *info, *data;
	struct nl_msg m;

	if (nl_msg_begin(&m, b, RTM_NEWLINK, 0))
		return m.err;
	nl_ifinfo(&m, port_ifindex);
	info = nl_nest_start(&m, IFLA_LINKINFO);
	nl_put_str(&m, IFLA_INFO_SLAVE_KIND, "bridge");
	data = nl_nest_start(&m, IFLA_INFO_SLAVE_DATA);
	if (learning >= 0)
		nl_put_u8(&m, IFLA_BRPORT_LEARNING, learning ? 1 : 0);
	if (flood >= 0)
		nl_put_u8(&m, IFLA_BRPORT_UNICAST_FLOOD, flood ? 1 : 0);
	nl_nest_end(&m, data);
	nl_nest_end(&m, info);
	return nl_msg_end(&m);
}

/* As `bridge vlan add/del dev PORT vid V [pvid untagged]`: AF_BRIDGE message
 * on the port, IFLA_AF_SPEC{IFLA_BRIDGE_VLAN_INFO}. */
int nl_bridge_vlan(struct nl_batch *b, int port_ifindex, int vid, int pvid_untagged, int del)
{
	struct bridge_vlan_info vi = { 0 };
	struct ifinfomsg *ifi;
	struct nlattr *spec;
	struct nl_msg m;

	if (vid < 1 || vid > 4094)
		return -EINVAL;
	if (nl_msg_begin(&m, b, del ? RTM_DELLINK : RTM_SETLINK, 0))
		return m.err;
	ifi = nl_ifinfo(&m, port_ifindex);
	ifi->ifi_family = AF_BRIDGE;
	vi.vid = (uint16_t)vid;
	if (pvid_untagged)
		vi.flags = BRIDGE_VLAN_INFO_PVID | BRIDGE_VLAN_INFO_UNTAGGED;
	spec = nl_nest_start(&m, IFLA_AF_SPEC);
	nl_put(&m, IFLA_BRIDGE_VLAN_INFO, sizeof(vi), &vi);
	nl_nest_end(&m, spec);
	return nl_msg_end(&m);
}

static int nl_addr_len(int family)
{
	return family == AF_INET ? 4 : family == AF_INET6 ? 16 : -EAFNOSUPPORT;
}

int nl_addr_add(struct nl_batch *b, int family, int ifindex, const void *addr, int prefixlen)
{
	int alen = nl_addr_len(family);
	struct ifaddrmsg *ifa;
	struct nl_msg m;

	if (alen < 0)
		return alen;
	if (prefixlen < 0 || prefixlen > alen * 8 || !addr)
		return -EINVAL;
	if (nl_msg_begin(&m, b, RTM_NEWADDR, NL_CREATE))
		return m.err;
	ifa = nl_msg_extra(&m, sizeof(*ifa));
	ifa->ifa_family = (uint8_t)family;
	ifa->ifa_prefixlen = (uint8_t)prefixlen;
	ifa->ifa_scope = RT_SCOPE_UNIVERSE;
	ifa->ifa_index = (uint32_t)ifindex;
	if (family == AF_INET) {
		uint32_t a, mask, brd;

		/* Non point-to-point link: LOCAL and ADDRESS are the same. */
		nl_put(&m, IFA_LOCAL, 4, addr);
		nl_put(&m, IFA_ADDRESS, 4, addr);
		if (prefixlen <= 30) { /* as `ip addr add ... brd +` */
			memcpy(&a, addr, 4);
			mask = prefixlen ? htonl(~0u << (32 - prefixlen)) : 0;
			brd = a | ~mask;
			nl_put(&m, IFA_BROADCAST, 4, &brd);
		}
	} else {
		ifa->ifa_flags = IFA_F_NODAD; /* skip ~1 s of duplicate detection */
		nl_put(&m, IFA_ADDRESS, 16, addr);
	}
	return nl_msg_end(&m);
}

int nl_route_add(struct nl_batch *b, int family, const void *dst, int dst_len, const void *gw,
		 int oif, uint32_t metric)
{
	int alen = nl_addr_len(family);
	struct rtmsg *rtm;
	struct nl_msg m;

	if (alen < 0)
		return alen;
	if (dst_len < 0 || dst_len > alen * 8 || (!dst && dst_len))
		return -EINVAL;
	if (nl_msg_begin(&m, b, RTM_NEWROUTE, NL_CREATE))
		return m.err;
	rtm = nl_msg_extra(&m, sizeof(*rtm));
	rtm->rtm_family = (uint8_t)family;
	rtm->rtm_dst_len = (uint8_t)dst_len;
	rtm->rtm_table = RT_TABLE_MAIN;
	rtm->rtm_protocol = RTPROT_STATIC;
	/* A gateway route needs the link UP and an address covering gw, else
	 * -ENETUNREACH "Nexthop has invalid gateway". */
	rtm->rtm_scope = gw ? RT_SCOPE_UNIVERSE : RT_SCOPE_LINK;
	rtm->rtm_type = RTN_UNICAST;
	if (dst)
		nl_put(&m, RTA_DST, (size_t)alen, dst);
	if (gw)
		nl_put(&m, RTA_GATEWAY, (size_t)alen, gw);
	if (oif > 0)
		nl_put_u32(&m, RTA_OIF, (uint32_t)oif);
	if (metric)
		nl_put_u32(&m, RTA_PRIORITY, metric);
	return nl_msg_end(&m);
}

/* nl_dump.c — read live state back: links, addresses, routes, qdiscs. */
#include "nl.h"

#include <errno.h>
#include <string.h>
#include <net/if.h>
#include <sys/socket.h>
#include <linux/if_addr.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>

#include <libmnl/libmnl.h>

#define NL_TB_MAX 64 /* >= every *_MAX used here */

/* Collects attributes into tb[]; unknown (newer) types are skipped. */
static int nl_tb_cb(const struct nlattr *attr, void *data)
{
	const struct nlattr **tb = data;
	int type = mnl_attr_get_type(attr);

	if (type < NL_TB_MAX)
		tb[type] = attr;
	return MNL_CB_OK;
}

static void nl_copy_str(char *dst, size_t len, const struct nlattr *a)
{
	size_t n = strnlen(mnl_attr_get_payload(a), mnl_attr_get_payload_len(a));

	if (n >= len)
		n = len - 1;
	memcpy(dst, mnl_attr_get_payload(a), n);
	dst[n] = '\0';
}

static uint32_t nl_u32(const struct nlattr *a)
{
	return a && mnl_attr_get_payload_len(a) >= 4 ? mnl_attr_get_u32(a) : 0;
}

static uint8_t nl_u8(const struct nlattr *a)
{
	return a && mnl_attr_get_payload_len(a) >= 1 ? mnl_attr_get_u8(a) : 0;
}

static uint64_t nl_u64(const struct nlattr *a)
{
	uint64_t v = 0;

	if (a && mnl_attr_get_payload_len(a) >= 8)
		memcpy(&v, mnl_attr_get_payload(a), 8);
	return v;
}

/* ---- links ---------------------------------------------------------------- */

static void nl_decode_linkinfo(const struct nlattr *linkinfo, struct nl_link_info *o)
{
	const struct nlattr *li[NL_TB_MAX] = { NULL }, *d[NL_TB_MAX] = { NULL };

	mnl_attr_parse_nested(linkinfo, nl_tb_cb, li);
	if (li[IFLA_INFO_KIND])
		nl_copy_str(o->kind, sizeof(o->kind), li[IFLA_INFO_KIND]);
	if (!li[IFLA_INFO_DATA])
		return;
	mnl_attr_parse_nested(li[IFLA_INFO_DATA], nl_tb_cb, d);
	if (!strcmp(o->kind, "bridge")) {
		o->br_stp_state = nl_u32(d[IFLA_BR_STP_STATE]);
		o->br_ageing_clock = nl_u32(d[IFLA_BR_AGEING_TIME]);
		o->br_forward_delay_clock = nl_u32(d[IFLA_BR_FORWARD_DELAY]);
		o->br_vlan_filtering = nl_u8(d[IFLA_BR_VLAN_FILTERING]);
		o->br_mcast_snooping = nl_u8(d[IFLA_BR_MCAST_SNOOPING]);
	} else if (!strcmp(o->kind, "vlan") && d[IFLA_VLAN_ID]) {
		o->vlan_id = mnl_attr_get_u16(d[IFLA_VLAN_ID]);
	}
}

int nl_decode_link(const struct nlmsghdr *nlh, struct nl_link_info *o)
{
	const struct nlattr *tb[NL_TB_MAX] = { NULL };
	const struct ifinfomsg *ifi = mnl_nlmsg_get_payload(nlh);

	memset(o, 0, sizeof(*o));
	if (nlh->nlmsg_len < NLMSG_HDRLEN + sizeof(*ifi))
		return -EBADMSG;
	if (mnl_attr_parse(nlh, sizeof(*ifi), nl_tb_cb, tb) < 0)
		return -EBADMSG;
	o->ifindex = ifi->ifi_index;
	o->flags = ifi->ifi_flags;
	if (tb[IFLA_IFNAME])
		nl_copy_str(o->name, sizeof(o->name), tb[IFLA_IFNAME]);
	if (tb[IFLA_ADDRESS]) {
		o->mac_len = (int)mnl_attr_get_payload_len(tb[IFLA_ADDRESS]);
		if (o->mac_len > (int)sizeof(o->mac))
			o->mac_len = sizeof(o->mac);
		memcpy(o->mac, mnl_attr_get_payload(tb[IFLA_ADDRESS]), (size_t)o->mac_len);
	}
	o->mtu = (int)nl_u32(tb[IFLA_MTU]);
	o->operstate = nl_u8(tb[IFLA_OPERSTATE]);
	o->master = (int)nl_u32(tb[IFLA_MASTER]);
	o->link = (int)nl_u32(tb[IFLA_LINK]);
	if (tb[IFLA_LINKINFO])
		nl_decode_linkinfo(tb[IFLA_LINKINFO], o);
	return 0;
}

/* ---- addresses and routes ----------------------------------------------- */

static void nl_copy_addr(uint8_t *dst, const struct nlattr *a)
{
	size_t n = mnl_attr_get_payload_len(a);

	memcpy(dst, mnl_attr_get_payload(a), n > 16 ? 16 : n);
}

int nl_decode_addr(const struct nlmsghdr *nlh, struct nl_addr_info *o)
{
	const struct nlattr *tb[NL_TB_MAX] = { NULL };
	const struct ifaddrmsg *ifa = mnl_nlmsg_get_payload(nlh);

	memset(o, 0, sizeof(*o));
	if (nlh->nlmsg_len < NLMSG_HDRLEN + sizeof(*ifa))
		return -EBADMSG;
	if (mnl_attr_parse(nlh, sizeof(*ifa), nl_tb_cb, tb) < 0)
		return -EBADMSG;
	o->family = ifa->ifa_family;
	o->ifindex = (int)ifa->ifa_index;
	o->prefixlen = ifa->ifa_prefixlen;
	o->scope = ifa->ifa_scope;
	o->flags = tb[IFA_FLAGS] ? nl_u32(tb[IFA_FLAGS]) : ifa->ifa_flags;
	if (tb[IFA_ADDRESS])
		nl_copy_addr(o->addr, tb[IFA_ADDRESS]);
	if (tb[IFA_LOCAL])
		nl_copy_addr(o->local, tb[IFA_LOCAL]);
	return 0;
}

int nl_decode_route(const struct nlmsghdr *nlh, struct nl_route_info *o)
{
	const struct nlattr *tb[NL_TB_MAX] = { NULL };
	const struct rtmsg *rtm = mnl_nlmsg_get_payload(nlh);

	memset(o, 0, sizeof(*o));
	if (nlh->nlmsg_len < NLMSG_HDRLEN + sizeof(*rtm))
		return -EBADMSG;
	if (mnl_attr_parse(nlh, sizeof(*rtm), nl_tb_cb, tb) < 0)
		return -EBADMSG;
	o->family = rtm->rtm_family;
	o->dst_len = rtm->rtm_dst_len;
	o->protocol = rtm->rtm_protocol;
	o->scope = rtm->rtm_scope;
	o->type = rtm->rtm_type;
	o->table = tb[RTA_TABLE] ? nl_u32(tb[RTA_TABLE]) : rtm->rtm_table;
	if (tb[RTA_DST])
		nl_copy_addr(o->dst, tb[RTA_DST]);
	if (tb[RTA_GATEWAY]) {
		o->has_gw = 1;
		nl_copy_addr(o->gw, tb[RTA_GATEWAY]);
	}
	o->oif = (int)nl_u32(tb[RTA_OIF]);
	o->metric = nl_u32(tb[RTA_PRIORITY]);
	return 0;
}

/* ---- qdiscs ------------------------------------------------------------- */

static double nl_pct(uint32_t frac)
{
	return frac * 100. / UINT32_MAX;
}

/* The kernel dumps the bucket as ticks (no TCA_TBF_BURST): bytes = time *
 * rate, as tc prints it. */
static void nl_decode_tbf(const struct nlattr *opt, struct nl_qdisc_info *o)
{
	const struct nlattr *tb[NL_TB_MAX] = { NULL };
	struct tc_tbf_qopt q;

	mnl_attr_parse_nested(opt, nl_tb_cb, tb);
	if (!tb[TCA_TBF_PARMS] || mnl_attr_get_payload_len(tb[TCA_TBF_PARMS]) < sizeof(q))
		return;
	memcpy(&q, mnl_attr_get_payload(tb[TCA_TBF_PARMS]), sizeof(q));
	o->rate_bytes = tb[TCA_TBF_RATE64] ? nl_u64(tb[TCA_TBF_RATE64]) : q.rate.rate;
	o->limit_bytes = q.limit;
	if (tb[TCA_TBF_BURST])
		o->burst_bytes = nl_u32(tb[TCA_TBF_BURST]);
	else
		o->burst_bytes = (uint32_t)((uint64_t)q.buffer * 64 * o->rate_bytes / 1000000000ull);
}

/* netem's TCA_OPTIONS: struct tc_netem_qopt, then attributes. */
static void nl_decode_netem(const struct nlattr *opt, struct nl_qdisc_info *o)
{
	const struct nlattr *tb[NL_TB_MAX] = { NULL };
	size_t len = mnl_attr_get_payload_len(opt), off = MNL_ALIGN(sizeof(struct tc_netem_qopt));
	const char *p = mnl_attr_get_payload(opt);
	struct tc_netem_qopt q;

	if (len < sizeof(q))
		return;
	memcpy(&q, p, sizeof(q));
	o->limit_pkts = q.limit;
	o->gap = q.gap;
	o->loss_pct = nl_pct(q.loss);
	o->duplicate_pct = nl_pct(q.duplicate);
	o->delay_ns = (uint64_t)q.latency * 64; /* ticks, overridden below */
	o->jitter_ns = (uint64_t)q.jitter * 64;
	if (len > off)
		mnl_attr_parse_payload(p + off, len - off, nl_tb_cb, tb);
	if (tb[TCA_NETEM_LATENCY64])
		o->delay_ns = nl_u64(tb[TCA_NETEM_LATENCY64]);
	if (tb[TCA_NETEM_JITTER64])
		o->jitter_ns = nl_u64(tb[TCA_NETEM_JITTER64]);
	if (tb[TCA_NETEM_REORDER])
		o->reorder_pct = nl_pct(nl_u32(tb[TCA_NETEM_REORDER]));
	if (tb[TCA_NETEM_CORRUPT])
		o->corrupt_pct = nl_pct(nl_u32(tb[TCA_NETEM_CORRUPT]));
	if (tb[TCA_NETEM_DELAY_DIST])
		o->dist_len = (int)(mnl_attr_get_payload_len(tb[TCA_NETEM_DELAY_DIST]) / 2);
}

int nl_decode_qdisc(const struct nlmsghdr *nlh, struct nl_qdisc_info *o)
{
	const struct nlattr *tb[NL_TB_MAX] = { NULL };
	const struct tcmsg *tcm = mnl_nlmsg_get_payload(nlh);

	memset(o, 0, sizeof(*o));
	if (nlh->nlmsg_len < NLMSG_HDRLEN + sizeof(*tcm))
		return -EBADMSG;
	if (mnl_attr_parse(nlh, sizeof(*tcm), nl_tb_cb, tb) < 0)
		return -EBADMSG;
	o->ifindex = tcm->tcm_ifindex;
	o->handle = tcm->tcm_handle;
	o->parent = tcm->tcm_parent;
	if (tb[TCA_KIND])
		nl_copy_str(o->kind, sizeof(o->kind), tb[TCA_KIND]);
	if (!tb[TCA_OPTIONS])
		return 0;
	if (!strcmp(o->kind, "tbf"))
		nl_decode_tbf(tb[TCA_OPTIONS], o);
	else if (!strcmp(o->kind, "netem"))
		nl_decode_netem(tb[TCA_OPTIONS], o);
	return 0;
}

/* ---- dumps --------------------------------------------------------------- */

struct nl_dump_job {
	int (*link_cb)(const struct nl_link_info *, void *);
	int (*addr_cb)(const struct nl_addr_info *, void *);
	int (*route_cb)(const struct nl_route_info *, void *);
	int (*qdisc_cb)(const struct nl_qdisc_info *, void *);
	void *arg;
};

static int nl_dump_one(const struct nlmsghdr *nlh, void *data)
{
	struct nl_dump_job *j = data;
	union {
		struct nl_link_info l;
		struct nl_addr_info a;
		struct nl_route_info r;
		struct nl_qdisc_info q;
	} u;
	int ret;

	if (j->link_cb && nlh->nlmsg_type == RTM_NEWLINK) {
		ret = nl_decode_link(nlh, &u.l);
		return ret < 0 ? ret : j->link_cb(&u.l, j->arg);
	}
	if (j->addr_cb && nlh->nlmsg_type == RTM_NEWADDR) {
		ret = nl_decode_addr(nlh, &u.a);
		return ret < 0 ? ret : j->addr_cb(&u.a, j->arg);
	}
	if (j->route_cb && nlh->nlmsg_type == RTM_NEWROUTE) {
		ret = nl_decode_route(nlh, &u.r);
		return ret < 0 ? ret : j->route_cb(&u.r, j->arg);
	}
	if (j->qdisc_cb && nlh->nlmsg_type == RTM_NEWQDISC) {
		ret = nl_decode_qdisc(nlh, &u.q);
		return ret < 0 ? ret : j->qdisc_cb(&u.q, j->arg);
	}
	return 0;
}

/* A dump request: nlmsghdr + a zeroed family header whose first byte is
 * the family (true of ifinfomsg, ifaddrmsg, rtmsg and tcmsg). */
static int nl_dump_req(struct nl_sock *s, uint16_t type, size_t hdrlen, int family,
		       struct nl_dump_job *j)
{
	char buf[NLMSG_HDRLEN + 64] __attribute__((aligned(4))) = { 0 };
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	uint8_t *fam = mnl_nlmsg_put_extra_header(nlh, hdrlen);

	nlh->nlmsg_type = type;
	*fam = (uint8_t)family;
	return nl_dump(s, nlh, nl_dump_one, j);
}

int nl_dump_links(struct nl_sock *s, int (*cb)(const struct nl_link_info *, void *), void *arg)
{
	struct nl_dump_job j = { .link_cb = cb, .arg = arg };

	return nl_dump_req(s, RTM_GETLINK, sizeof(struct ifinfomsg), AF_UNSPEC, &j);
}

int nl_dump_addrs(struct nl_sock *s, int family,
		  int (*cb)(const struct nl_addr_info *, void *), void *arg)
{
	struct nl_dump_job j = { .addr_cb = cb, .arg = arg };

	return nl_dump_req(s, RTM_GETADDR, sizeof(struct ifaddrmsg), family, &j);
}

int nl_dump_routes(struct nl_sock *s, int family,
		   int (*cb)(const struct nl_route_info *, void *), void *arg)
{
	struct nl_dump_job j = { .route_cb = cb, .arg = arg };

	return nl_dump_req(s, RTM_GETROUTE, sizeof(struct rtmsg), family, &j);
}

int nl_dump_qdiscs(struct nl_sock *s, int (*cb)(const struct nl_qdisc_info *, void *), void *arg)
{
	struct nl_dump_job j = { .qdisc_cb = cb, .arg = arg };

	return nl_dump_req(s, RTM_GETQDISC, sizeof(struct tcmsg), AF_UNSPEC, &j);
}

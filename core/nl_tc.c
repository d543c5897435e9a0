/* nl_tc.c — traffic control builders (tbf, netem) and the qdisc probe. */
#include "nl.h"
#include "ns.h"

#include <errno.h>
#include <math.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <linux/rtnetlink.h>

#include <libmnl/libmnl.h>

#define NL_TC_ADD (NLM_F_CREATE | NLM_F_EXCL)
#define NL_TC_REPLACE (NLM_F_CREATE | NLM_F_REPLACE)
#define NL_PSCHED_TICK_NS 64 /* /proc/net/psched: PSCHED_TICKS2NS(1) */
#define NL_NETEM_LIMIT_PKTS 1000 /* tc's and the kernel's default */

static int nl_tc_begin(struct nl_msg *m, struct nl_batch *b, uint16_t type, uint16_t flags,
		       int ifindex, uint32_t handle, uint32_t parent)
{
	struct tcmsg *tcm;

	if (nl_msg_begin(m, b, type, flags))
		return m->err;
	tcm = nl_msg_extra(m, sizeof(*tcm));
	tcm->tcm_family = AF_UNSPEC;
	tcm->tcm_ifindex = ifindex;
	tcm->tcm_handle = handle;
	tcm->tcm_parent = parent;
	return 0;
}

/* ---- tbf ----------------------------------------------------------------- */

static uint32_t nl_clamp_u32(uint64_t v)
{
	return v > UINT32_MAX ? UINT32_MAX : (uint32_t)v;
}

/* Time to send `bytes` at rate_bytes, in psched ticks, rounded up (tc_core). */
static uint32_t nl_xmit_ticks(uint64_t bytes, uint64_t rate_bytes)
{
	uint64_t ns;

	if (!rate_bytes)
		return 0;
	ns = (bytes * 1000000000ull + rate_bytes - 1) / rate_bytes;
	return nl_clamp_u32((ns + NL_PSCHED_TICK_NS - 1) / NL_PSCHED_TICK_NS);
}


/* linklayer ETHERNET + TCA_TBF_BURST: the kernel then needs no rate table
 * (only TC_LINKLAYER_UNAWARE uses TCA_TBF_RTAB) and derives the bucket from
 * the burst in bytes.  Rates >= 2^32 B/s go in TCA_TBF_RATE64 with the
 * 32-bit field saturated, as tc does. */
static int nl_qdisc_tbf_flags(struct nl_batch *b, uint16_t flags, int ifindex, uint32_t handle,
			      uint32_t parent, const struct nl_tbf *t)
{
	struct tc_tbf_qopt q;
	struct nlattr *opt;
	struct nl_msg m;

	if (!t->rate_bytes || !t->limit_bytes || !t->burst_bytes)
		return -EINVAL;
	memset(&q, 0, sizeof(q));
	q.rate.rate = nl_clamp_u32(t->rate_bytes);
	q.rate.linklayer = TC_LINKLAYER_ETHERNET;
	q.limit = t->limit_bytes;
	q.buffer = nl_xmit_ticks(t->burst_bytes, t->rate_bytes);
	if (nl_tc_begin(&m, b, RTM_NEWQDISC, flags, ifindex, handle, parent))
		return m.err;
	nl_put_str(&m, TCA_KIND, "tbf");
	opt = nl_nest_start(&m, TCA_OPTIONS);
	nl_put(&m, TCA_TBF_PARMS, sizeof(q), &q);
	nl_put_u32(&m, TCA_TBF_BURST, t->burst_bytes);
	if (t->rate_bytes > UINT32_MAX)
		nl_put_u64(&m, TCA_TBF_RATE64, t->rate_bytes);
	nl_nest_end(&m, opt);
	return nl_msg_end(&m);
}

int nl_qdisc_tbf(struct nl_batch *b, int ifindex, uint32_t handle, uint32_t parent,
		 const struct nl_tbf *t)
{
	return nl_qdisc_tbf_flags(b, NL_TC_ADD, ifindex, handle, parent, t);
}

int nl_qdisc_tbf_replace(struct nl_batch *b, int ifindex, uint32_t handle, uint32_t parent,
			 const struct nl_tbf *t)
{
	return nl_qdisc_tbf_flags(b, NL_TC_REPLACE, ifindex, handle, parent, t);
}

/* ---- netem --------------------------------------------------------------- */

uint32_t nl_netem_prob(double pct)
{
	if (!(pct > 0)) /* also NaN */
		return 0;
	if (pct >= 100)
		return UINT32_MAX;
	return (uint32_t)rint(pct / 100. * UINT32_MAX);
}

static int nl_netem_check(const struct nl_netem *n)
{
	if (n->loss_pct < 0 || n->loss_pct > 100 || n->duplicate_pct < 0 ||
	    n->duplicate_pct > 100 || n->reorder_pct < 0 || n->reorder_pct > 100 ||
	    n->corrupt_pct < 0 || n->corrupt_pct > 100)
		return -ERANGE;
	if (n->delay_ns > INT64_MAX || n->jitter_ns > INT64_MAX)
		return -ERANGE;
	if (n->reorder_pct > 0 && !n->delay_ns)
		return -EINVAL; /* tc: "reordering not possible without ... delay" */
	return 0;
}

/* TCA_OPTIONS of netem is NOT a nest: its payload is struct tc_netem_qopt,
 * then attributes (the kernel skips NLA_ALIGN(sizeof qopt) and parses the
 * rest).  Like tc we put the struct as the attribute payload, append the
 * attributes after it and patch nla_len by hand; no NLA_F_NESTED. */
static int nl_qdisc_netem_flags(struct nl_batch *b, uint16_t flags, int ifindex, uint32_t handle,
				uint32_t parent, const struct nl_netem *n)
{
	struct tc_netem_qopt q;
	struct nlattr *opt;
	struct nl_msg m;
	int ret = nl_netem_check(n);

	if (ret)
		return ret;
	memset(&q, 0, sizeof(q)); /* latency/jitter ticks 0: the 64-bit attrs rule */
	q.limit = n->limit_pkts ? n->limit_pkts : NL_NETEM_LIMIT_PKTS;
	q.loss = nl_netem_prob(n->loss_pct);
	q.duplicate = nl_netem_prob(n->duplicate_pct);
	if (n->reorder_pct > 0)
		q.gap = 1; /* as tc: reorder without gap means gap 1 */
	if (nl_tc_begin(&m, b, RTM_NEWQDISC, flags, ifindex, handle, parent))
		return m.err;
	nl_put_str(&m, TCA_KIND, "netem");
	opt = mnl_nlmsg_get_payload_tail(m.nlh);
	nl_put(&m, TCA_OPTIONS, sizeof(q), &q);
	if (n->delay_ns)
		nl_put_u64(&m, TCA_NETEM_LATENCY64, n->delay_ns);
	if (n->jitter_ns)
		nl_put_u64(&m, TCA_NETEM_JITTER64, n->jitter_ns);
	if (n->reorder_pct > 0) {
		struct tc_netem_reorder r = { nl_netem_prob(n->reorder_pct), 0 };

		nl_put(&m, TCA_NETEM_REORDER, sizeof(r), &r);
	}
	if (n->corrupt_pct > 0) {
		struct tc_netem_corrupt c = { nl_netem_prob(n->corrupt_pct), 0 };

		nl_put(&m, TCA_NETEM_CORRUPT, sizeof(c), &c);
	}
	if (n->use_dist && n->jitter_ns)
		nl_put(&m, TCA_NETEM_DELAY_DIST,
		       (size_t)nl_netem_normal_dist_len * sizeof(nl_netem_normal_dist[0]),
		       nl_netem_normal_dist);
	if (!m.err)
		opt->nla_len = (uint16_t)((char *)mnl_nlmsg_get_payload_tail(m.nlh) - (char *)opt);
	return nl_msg_end(&m);
}

int nl_qdisc_netem(struct nl_batch *b, int ifindex, uint32_t handle, uint32_t parent,
		   const struct nl_netem *n)
{
	return nl_qdisc_netem_flags(b, NL_TC_ADD, ifindex, handle, parent, n);
}

int nl_qdisc_netem_replace(struct nl_batch *b, int ifindex, uint32_t handle, uint32_t parent,
			   const struct nl_netem *n)
{
	return nl_qdisc_netem_flags(b, NL_TC_REPLACE, ifindex, handle, parent, n);
}

int nl_qdisc_del(struct nl_batch *b, int ifindex, uint32_t parent)
{
	struct nl_msg m;

	if (nl_tc_begin(&m, b, RTM_DELQDISC, 0, ifindex, 0, parent))
		return m.err;
	return nl_msg_end(&m);
}

/* ---- probe --------------------------------------------------------------- */

static int nl_probe_msg(struct nl_batch *b, const char *kind)
{
	struct nl_netem ne = { .delay_ns = 1000000 };
	/* 1 Mbit/s; any valid parameters do for a probe */
	struct nl_tbf t = { .rate_bytes = 125000, .burst_bytes = 3028,
			    .limit_bytes = 30280, .mtu = 1500 };
	struct nl_msg m;

	if (!strcmp(kind, "tbf"))
		return nl_qdisc_tbf(b, 1, 0, TC_H_ROOT, &t);
	if (!strcmp(kind, "netem"))
		return nl_qdisc_netem(b, 1, 0, TC_H_ROOT, &ne);
	/* Other kinds: no options (most have defaults). */
	if (nl_tc_begin(&m, b, RTM_NEWQDISC, NL_TC_ADD, 1, 0, TC_H_ROOT))
		return m.err;
	nl_put_str(&m, TCA_KIND, kind);
	return nl_msg_end(&m);
}

/* On lo (ifindex 1, always present) of a throwaway netns, so the host is
 * never touched.  An unknown kind (module absent) is -ENOENT "Specified
 * qdisc kind is unknown"; the kernel tries request_module() first. */
int nl_qdisc_probe(const char *kind)
{
	struct nl_batch *b = NULL;
	struct nl_sock *s = NULL;
	int fd = -1, ret;

	ret = ns_new_net(&fd);
	if (ret < 0)
		return ret;
	ret = nl_sock_open_in(fd, &s);
	close(fd); /* the socket keeps the netns alive while we use it */
	if (ret < 0)
		return ret;
	b = nl_batch_new();
	ret = b ? nl_probe_msg(b, kind) : -ENOMEM;
	if (!ret)
		ret = nl_batch_send(s, b, NULL);
	nl_batch_free(b);
	nl_sock_close(s);
	if (ret == -ENOENT)
		return 0;
	return ret < 0 ? ret : 1;
}

const char *nl_qdisc_kernel_option(const char *kind)
{
	static const struct {
		const char *kind, *option;
	} tab[] = {
		{ "tbf", "CONFIG_NET_SCH_TBF" },
		{ "netem", "CONFIG_NET_SCH_NETEM" },
		{ "htb", "CONFIG_NET_SCH_HTB" },
		{ "prio", "CONFIG_NET_SCH_PRIO" },
		{ "sfq", "CONFIG_NET_SCH_SFQ" },
		{ "fq", "CONFIG_NET_SCH_FQ" },
		{ "fq_codel", "CONFIG_NET_SCH_FQ_CODEL" },
		{ "cake", "CONFIG_NET_SCH_CAKE" },
		{ "red", "CONFIG_NET_SCH_RED" },
		{ "pfifo", "CONFIG_NET_SCH_FIFO" },
		{ "bfifo", "CONFIG_NET_SCH_FIFO" },
		{ "ingress", "CONFIG_NET_SCH_INGRESS" },
		{ "clsact", "CONFIG_NET_SCH_INGRESS" },
	};
	size_t i;

	for (i = 0; i < sizeof(tab) / sizeof(tab[0]); i++)
		if (!strcmp(tab[i].kind, kind))
			return tab[i].option;
	return NULL;
}

/* linkctl.c — a running lab's links changed at runtime (linkctl.h).
 *
 * down/up: both ends' IFF_UP, then on up what the kernel dropped while the
 * link was down (core/README.md, "Kernel facts: link down").
 *
 * set: per direction, the qdiscs of the sending interface move from the
 * layout they have to the one the new shaping needs (plan.c lays them
 * out; linkctl_transition() picks the steps).  Whatever can be changed in
 * place is (NLM_F_REPLACE on the same handle: the qdisc object stays, its
 * counters keep counting and its queue is kept); a qdisc is deleted only
 * when the layout loses it, and rebuilt only when the kernel offers no
 * change (core/README.md, "Kernel facts: changing qdiscs").
 */
#include "linkctl.h"
#include "engine.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "nl.h"
#include "runner.h"

#define TC_HANDLE(maj, min) (((uint32_t)(maj) << 16) | (uint32_t)(min))
#define H_TBF TC_HANDLE(1, 0)		/* plan.c: TBF or netem at the root */
#define H_TBF_CLASS TC_HANDLE(1, 1)	/* TBF's single class */
#define H_NETEM_CHILD TC_HANDLE(0x10, 0)
#define END_MAX (LAB_NAME_MAX + 1 + LAB_IFNAME_MAX + 1)	/* "h1:eth0" */
#define LINK_MAX (2 * END_MAX + 4)			/* "A -- B" */

static void __attribute__((format(printf, 4, 5)))
fail(struct linkctl_error *e, int err, const char *kmsg, const char *fmt, ...)
{
	va_list ap;

	e->err = err;
	va_start(ap, fmt);
	vsnprintf(e->what, sizeof(e->what), fmt, ap);
	va_end(ap);
	snprintf(e->kmsg, sizeof(e->kmsg), "%s", kmsg ? kmsg : "");
}

/* "h1:eth0" */
static const char *end_name(const struct lab *lab, int iface, char *buf,
			    size_t len)
{
	const struct lab_iface *f = &lab->ifaces[iface];

	snprintf(buf, len, "%s:%s", lab->nodes[f->node].name, f->name);
	return buf;
}

/* "h1:eth0 -- s1:eth1", a first as in the file */
static const char *link_name(const struct lab *lab, int link, char *buf,
			     size_t len)
{
	char a[END_MAX], b[END_MAX];

	snprintf(buf, len, "%s -- %s",
		 end_name(lab, lab->links[link].iface[0], a, sizeof(a)),
		 end_name(lab, lab->links[link].iface[1], b, sizeof(b)));
	return buf;
}

/* ---- finding a link ------------------------------------------------------- */

struct end_ref {
	int node;
	int iface;		/* -1: no interface written */
	const char *ifname;
};

static int parse_end(const struct lab *lab, const char *text,
		     struct end_ref *r, char *why, size_t len)
{
	const char *colon = strchr(text, ':');
	size_t n = colon ? (size_t)(colon - text) : strlen(text);
	char node[LAB_NAME_MAX + 1];

	r->iface = -1;
	r->ifname = colon ? colon + 1 : NULL;
	if (n == 0 || n > LAB_NAME_MAX) {
		snprintf(why, len, "no node named \"%.*s\"",
			 (int)(n > 40 ? 40 : n), text);
		return -1;
	}
	memcpy(node, text, n);
	node[n] = 0;
	r->node = lab_node_find(lab, node);
	if (r->node < 0) {
		snprintf(why, len, "no node named \"%s\"", node);
		return -1;
	}
	if (!r->ifname)
		return 0;
	r->iface = lab_iface_find(lab, r->node, r->ifname);
	if (r->iface < 0) {
		snprintf(why, len, "node %s has no interface \"%.20s\"", node,
			 r->ifname);
		return -1;
	}
	if (lab->ifaces[r->iface].link < 0) {
		snprintf(why, len, "%s is not the end of a link", text);
		return -1;
	}
	return 0;
}

/* The link at r's interface, if its other end is o. */
static int link_at(const struct lab *lab, const struct end_ref *r,
		   const struct end_ref *o)
{
	const struct lab_iface *f = &lab->ifaces[r->iface];
	int other = lab->links[f->link].iface[!f->end];

	if (lab->ifaces[other].node != o->node ||
	    (o->iface >= 0 && o->iface != other))
		return -1;
	return f->link;
}

int linkctl_find(const struct lab *lab, const char *a, const char *b,
		 char *why, size_t len)
{
	struct end_ref r[2];
	int i, ret = -1;

	if (parse_end(lab, a, &r[0], why, len) ||
	    parse_end(lab, b, &r[1], why, len))
		return -1;
	if (r[0].iface >= 0)
		ret = link_at(lab, &r[0], &r[1]);
	else if (r[1].iface >= 0)
		ret = link_at(lab, &r[1], &r[0]);
	else
		for (i = 0; i < lab->nlinks && ret < 0; i++) {
			int x = lab->links[i].end[0].node;
			int y = lab->links[i].end[1].node;

			if ((x == r[0].node && y == r[1].node) ||
			    (x == r[1].node && y == r[0].node))
				ret = i;
		}
	if (ret < 0)
		snprintf(why, len, "no link between %s and %s", a, b);
	return ret;
}

/* ---- layouts and transitions (pure) --------------------------------------- */

enum linkctl_layout linkctl_layout_of(const struct lab_shaping *s)
{
	bool tbf = lab_shaping_needs_tbf(s), netem = lab_shaping_needs_netem(s);

	if (tbf)
		return netem ? LINKCTL_TBF_NETEM : LINKCTL_TBF;
	return netem ? LINKCTL_NETEM : LINKCTL_NONE;
}

static bool has_tbf(enum linkctl_layout l)
{
	return l == LINKCTL_TBF || l == LINKCTL_TBF_NETEM;
}

int linkctl_transition(enum linkctl_layout from, enum linkctl_layout to,
		       unsigned changed, enum linkctl_step steps[LINKCTL_STEPS_MAX])
{
	int n = 0;

	if (to == LINKCTL_NONE) {
		if (from != LINKCTL_NONE)
			steps[n++] = LINKCTL_DEL_ROOT;
		return n;
	}
	/* The root changes kind (TBF <-> netem, or netem gains a TBF above
	 * it): the kernel changes a qdisc only into one of its own kind at
	 * the same handle and moves none to another parent, so the root is
	 * deleted and the new tree built (core/README.md, "Kernel facts:
	 * changing qdiscs", 2).  Unavoidable; the only rebuild. */
	if (from != LINKCTL_NONE && has_tbf(from) != has_tbf(to)) {
		steps[n++] = LINKCTL_DEL_ROOT;
		from = LINKCTL_NONE;
	}
	if (from == LINKCTL_NONE) {
		if (has_tbf(to))
			steps[n++] = LINKCTL_ADD_TBF;
		if (to == LINKCTL_NETEM)
			steps[n++] = LINKCTL_ADD_NETEM_ROOT;
		if (to == LINKCTL_TBF_NETEM)
			steps[n++] = LINKCTL_ADD_NETEM_CHILD;
		return n;
	}
	/* same root kind from here on */
	if (to == LINKCTL_NETEM) {
		if (changed & LINKCTL_NETEM_CHANGED)
			steps[n++] = LINKCTL_CHANGE_NETEM_ROOT;
		return n;
	}
	if (from == LINKCTL_TBF_NETEM && to == LINKCTL_TBF) {
		/* Deleting TBF's child leaves its class with the noop qdisc,
		 * which drops everything; a TBF change with a limit gives it
		 * a byte FIFO again, as TBF made at first ("Kernel facts:
		 * changing qdiscs", 3). */
		steps[n++] = LINKCTL_DEL_NETEM_CHILD;
		steps[n++] = LINKCTL_CHANGE_TBF;
		return n;
	}
	if (changed & LINKCTL_TBF_CHANGED)
		steps[n++] = LINKCTL_CHANGE_TBF;
	if (to == LINKCTL_TBF_NETEM) {
		if (from == LINKCTL_TBF)
			steps[n++] = LINKCTL_ADD_NETEM_CHILD;
		else if (changed & LINKCTL_NETEM_CHANGED)
			steps[n++] = LINKCTL_CHANGE_NETEM_CHILD;
	}
	return n;
}

static bool netem_same(const struct plan_netem *a, const struct plan_netem *b)
{
	return a->delay_ns == b->delay_ns && a->jitter_ns == b->jitter_ns &&
	       a->limit_pkts == b->limit_pkts && a->loss_pct == b->loss_pct &&
	       a->duplicate_pct == b->duplicate_pct &&
	       a->reorder_pct == b->reorder_pct &&
	       a->corrupt_pct == b->corrupt_pct;
}

unsigned linkctl_changed(const struct lab_shaping *from,
			 const struct lab_shaping *to, int mtu)
{
	struct plan_netem na = plan_netem_of(from), nb = plan_netem_of(to);
	uint32_t ba, la, bb, lb;
	unsigned changed = 0;

	plan_tbf_size(from->rate_bps, from->queue_pkts, mtu, &ba, &la);
	plan_tbf_size(to->rate_bps, to->queue_pkts, mtu, &bb, &lb);
	if (from->rate_bps / 8 != to->rate_bps / 8 || ba != bb || la != lb)
		changed |= LINKCTL_TBF_CHANGED;
	if (!netem_same(&na, &nb))
		changed |= LINKCTL_NETEM_CHANGED;
	return changed;
}

const char *linkctl_step_name(enum linkctl_step s)
{
	switch (s) {
	case LINKCTL_DEL_ROOT:
		return "delete the root qdisc";
	case LINKCTL_DEL_NETEM_CHILD:
		return "delete netem 10: under 1:1";
	case LINKCTL_ADD_TBF:
		return "add tbf 1: at the root";
	case LINKCTL_ADD_NETEM_ROOT:
		return "add netem 1: at the root";
	case LINKCTL_ADD_NETEM_CHILD:
		return "add netem 10: under 1:1";
	case LINKCTL_CHANGE_TBF:
		return "change tbf 1:";
	case LINKCTL_CHANGE_NETEM_ROOT:
		return "change netem 1:";
	case LINKCTL_CHANGE_NETEM_CHILD:
		return "change netem 10:";
	}
	return "?";
}

int linkctl_merge(const struct lab_shaping now[2],
		  const struct lab_shaping *change, struct lab_shaping out[2],
		  char *why, size_t len)
{
	int d;

	for (d = 0; d < 2; d++) {
		out[d] = now[d];
		lab_shaping_merge(&out[d], change);
	}
	/* the file's rules (resolve.c, check_shaping()), per direction */
	for (d = 0; d < 2; d++) {
		const struct lab_shaping *s = &out[d];
		const char *what = NULL;

		if ((s->set & LAB_SH_JITTER) && s->jitter_ns && !s->delay_ns)
			what = "jitter";
		else if ((s->set & LAB_SH_REORDER) && s->reorder_pct > 0 &&
			 !s->delay_ns)
			what = "reorder";
		if (what) {
			snprintf(why, len, "%s= needs delay=%s", what,
				 (change->set & LAB_SH_DELAY) ? "" :
				 " (the link has none now)");
			return -EINVAL;
		}
	}
	return 0;
}

/* ---- the kernel ------------------------------------------------------------ */

/* Where the model says a node's interfaces are.  The model is rebuilt
 * from the lab's file by this nslab, which may number interfaces other
 * than the nslab that built the lab (core/README.md, "Kernel facts: link
 * flags", 3); a qdisc or an up/down sent to a planned ifindex would then
 * hit another interface.  So every interface of the node that the kernel
 * has under the model's name must have the model's ifindex. */
struct where_scan {
	const struct lab *lab;
	int node;
	int iface;	/* the first one found elsewhere, -1 none */
	int found_at;	/* its ifindex in the kernel */
};

static int on_link_where(const struct nl_link_info *l, void *arg)
{
	struct where_scan *x = arg;
	int i;

	for (i = 0; i < x->lab->nifaces && x->iface < 0; i++) {
		const struct lab_iface *f = &x->lab->ifaces[i];

		if (f->node == x->node && f->name && f->ifindex != l->ifindex &&
		    !strcmp(f->name, l->name)) {
			x->iface = i;
			x->found_at = l->ifindex;
		}
	}
	return 0;
}

/* A netlink socket inside lab node `node` (through the proven holder), its
 * interfaces checked as above; on failure *e says why (-ESTALE: numbered
 * otherwise). */
static int sock_in(struct state *st, const struct lab *lab, int link,
		   int node, struct nl_sock **s, struct linkctl_error *e)
{
	int idx = state_node_find(st, lab->nodes[node].name), fd, ret;
	struct where_scan x = { lab, node, -1, 0 };
	char name[LINK_MAX], end[END_MAX];

	*s = NULL;
	link_name(lab, link, name, sizeof(name));
	ret = idx < 0 ? -ENOENT : runner_open_netns(st, idx, &fd);
	if (!ret) {
		ret = nl_sock_open_in(fd, s);
		close(fd);
	}
	if (ret) {
		fail(e, ret, NULL, "cannot enter node %s (link %s)",
		     lab->nodes[node].name, name);
		return ret;
	}
	ret = nl_dump_links(*s, on_link_where, &x);
	if (ret) {
		fail(e, ret, NULL, "cannot list the interfaces of node %s "
		     "(link %s)", lab->nodes[node].name, name);
	} else if (x.iface >= 0) {
		ret = -ESTALE;
		fail(e, ret, NULL, "%s is interface %d in the kernel, where "
		     "this nslab expects %d: the lab was built by another "
		     "version of nslab; take it down and up again (link %s)",
		     end_name(lab, x.iface, end, sizeof(end)), x.found_at,
		     lab->ifaces[x.iface].ifindex, name);
	}
	if (ret) {
		nl_sock_close(*s);
		*s = NULL;
	}
	return ret;
}

struct qdisc_scan {
	int ifindex;
	struct nl_qdisc_info root, child;
	bool has_root, has_child;
};

static int on_qdisc(const struct nl_qdisc_info *q, void *arg)
{
	struct qdisc_scan *x = arg;

	if (q->ifindex != x->ifindex)
		return 0;
	if (q->parent == TC_H_ROOT) {
		x->root = *q;
		x->has_root = true;
	} else if (q->parent == H_TBF_CLASS && q->handle == H_NETEM_CHILD) {
		x->child = *q;
		x->has_child = true;
	}
	return 0;
}

/* netem's values as a shaping (only those in effect have their bit). */
static void from_netem(const struct nl_qdisc_info *q, struct lab_shaping *s)
{
#define NOW(bit, field, v)                                                    \
	do {                                                                  \
		s->field = (v);                                               \
		if (s->field)                                                 \
			s->set |= (bit);                                      \
	} while (0)
	NOW(LAB_SH_DELAY, delay_ns, q->delay_ns);
	NOW(LAB_SH_JITTER, jitter_ns, q->jitter_ns);
	NOW(LAB_SH_LOSS, loss_pct, q->loss_pct);
	NOW(LAB_SH_DUPLICATE, duplicate_pct, q->duplicate_pct);
	NOW(LAB_SH_REORDER, reorder_pct, q->reorder_pct);
	NOW(LAB_SH_CORRUPT, corrupt_pct, q->corrupt_pct);
#undef NOW
	s->queue_pkts = q->limit_pkts == 1000 ? 0 : q->limit_pkts;
	if (s->queue_pkts)
		s->set |= LAB_SH_QUEUE;
}

/* TBF's limit is `queue` frames unless the bucket is larger
 * (plan_tbf_size()), so the queue cannot always be read back: the file's
 * queue is taken when it gives the limit the kernel has. */
static void from_tbf(const struct nl_qdisc_info *q, int mtu,
		     uint32_t file_queue, bool netem, struct lab_shaping *s)
{
	uint32_t burst, limit, queue = q->limit_bytes / ((uint32_t)mtu + 14);

	s->rate_bps = q->rate_bytes * 8;
	s->set |= LAB_SH_RATE;
	if (netem)	/* the netem below has the queue exactly */
		return;
	plan_tbf_size(s->rate_bps, file_queue, mtu, &burst, &limit);
	if (limit == q->limit_bytes)
		queue = file_queue;
	s->queue_pkts = queue == 1000 ? 0 : queue;
	if (s->queue_pkts)
		s->set |= LAB_SH_QUEUE;
}

void linkctl_shaping_of_netem(const struct plan_netem *n,
			      struct lab_shaping *s)
{
	struct nl_qdisc_info q = {
		.delay_ns = n->delay_ns, .jitter_ns = n->jitter_ns,
		.limit_pkts = n->limit_pkts, .loss_pct = n->loss_pct,
		.duplicate_pct = n->duplicate_pct, .reorder_pct = n->reorder_pct,
		.corrupt_pct = n->corrupt_pct,
	};

	from_netem(&q, s);
}

/* What the kernel's qdiscs do of a shaping on an engine link: all but
 * what the engine does. */
static struct lab_shaping kernel_part(const struct lab_shaping *s)
{
	struct lab_shaping k = { .set = s->set & ~(unsigned)LAB_SH_NETEM,
				 .rate_bps = s->rate_bps,
				 .queue_pkts = s->queue_pkts };

	return k;
}

/* Layout and shaping of one direction, from the qdiscs of its sending
 * interface (and, on an engine link, from the engine's instructions:
 * `engine` non-NULL; the kernel then has only the TBF). */
static int read_dir(struct nl_sock *s, const struct lab *lab, int link,
		    int dir, const struct plan_netem *engine,
		    enum linkctl_layout *layout, struct lab_shaping *sh)
{
	const struct lab_iface *f = &lab->ifaces[lab->links[link].iface[dir]];
	struct qdisc_scan x = { .ifindex = f->ifindex };
	int ret;

	memset(sh, 0, sizeof(*sh));
	*layout = LINKCTL_NONE;
	ret = nl_dump_qdiscs(s, on_qdisc, &x);
	if (ret)
		return ret;
	if (engine)
		linkctl_shaping_of_netem(engine, sh);
	/* handle 0: the kernel's own default (noqueue on a veth) */
	if (!x.has_root || !x.root.handle)
		return 0;
	if (!strcmp(x.root.kind, "netem") && !engine) {
		*layout = LINKCTL_NETEM;
		from_netem(&x.root, sh);
		return 0;
	}
	if (strcmp(x.root.kind, "tbf"))
		return -EPROTO;
	*layout = LINKCTL_TBF;
	if (x.has_child && x.root.handle == H_TBF &&
	    !strcmp(x.child.kind, "netem")) {
		*layout = LINKCTL_TBF_NETEM;
		from_netem(&x.child, sh);
	}
	from_tbf(&x.root, f->mtu, lab->links[link].shape[dir].queue_pkts,
		 *layout == LINKCTL_TBF_NETEM || engine, sh);
	return 0;
}

/* Why read_dir() failed for the link's direction d, in *e. */
static void read_failed(const struct lab *lab, int link, int d, int err,
			struct linkctl_error *e)
{
	char name[LINK_MAX], end[END_MAX];

	link_name(lab, link, name, sizeof(name));
	end_name(lab, lab->links[link].iface[d], end, sizeof(end));
	if (err == -EPROTO)
		fail(e, err, NULL, "the root qdisc of %s is not one nslab "
		     "makes (tbf or netem) (link %s)", end, name);
	else
		fail(e, err, NULL, "cannot read the qdiscs of %s (link %s)",
		     end, name);
}

/* The engine's entry of a link (engine.h): 1 with *out pointing into c,
 * 0 when the engine does not relay it (or the lab has no engine). */
static int engine_entry(const struct state *st, int link,
			struct engine_conf *c, struct engine_link **out)
{
	int ret = engine_conf_load(st->dirfd, c);

	*out = NULL;
	if (ret == -ENOENT)
		return 0;
	if (ret)
		return ret;
	*out = engine_conf_find(c, link);
	return *out != NULL;
}

int linkctl_get(struct state *st, const struct lab *lab, int link,
		struct lab_shaping now[2], struct linkctl_error *e)
{
	struct engine_link *eng = NULL;
	struct engine_conf c = { 0 };
	enum linkctl_layout l;
	struct nl_sock *s;
	int d, ret;

	memset(e, 0, sizeof(*e));
	if (link < 0 || link >= lab->nlinks)
		return -EINVAL;
	ret = engine_entry(st, link, &c, &eng);
	if (ret < 0)
		fail(e, ret, NULL, "cannot read the impairment engine's "
		     "configuration");
	for (d = 0; d < 2 && ret >= 0; d++) {
		ret = sock_in(st, lab, link, lab->links[link].end[d].node, &s, e);
		if (ret)
			break;
		ret = read_dir(s, lab, link, d, eng ? &eng->netem[d] : NULL,
			       &l, &now[d]);
		if (ret)
			read_failed(lab, link, d, ret, e);
		nl_sock_close(s);
	}
	engine_conf_free(&c);
	return ret < 0 ? ret : 0;
}

static int step_msg(struct nl_batch *b, enum linkctl_step step, int ifindex,
		    int mtu, const struct lab_shaping *s)
{
	struct plan_netem pn = plan_netem_of(s);
	struct nl_netem n = {
		.delay_ns = pn.delay_ns, .jitter_ns = pn.jitter_ns,
		.limit_pkts = pn.limit_pkts, .loss_pct = pn.loss_pct,
		.duplicate_pct = pn.duplicate_pct, .reorder_pct = pn.reorder_pct,
		.corrupt_pct = pn.corrupt_pct, .use_dist = 1,
	};
	struct nl_tbf t = { .rate_bytes = s->rate_bps / 8, .mtu = mtu };

	plan_tbf_size(s->rate_bps, s->queue_pkts, mtu, &t.burst_bytes,
		      &t.limit_bytes);
	switch (step) {
	case LINKCTL_DEL_ROOT:
		return nl_qdisc_del(b, ifindex, TC_H_ROOT);
	case LINKCTL_DEL_NETEM_CHILD:
		return nl_qdisc_del(b, ifindex, H_TBF_CLASS);
	case LINKCTL_ADD_TBF:
		return nl_qdisc_tbf(b, ifindex, H_TBF, TC_H_ROOT, &t);
	case LINKCTL_CHANGE_TBF:
		return nl_qdisc_tbf_replace(b, ifindex, H_TBF, TC_H_ROOT, &t);
	case LINKCTL_ADD_NETEM_ROOT:
		return nl_qdisc_netem(b, ifindex, H_TBF, TC_H_ROOT, &n);
	case LINKCTL_CHANGE_NETEM_ROOT:
		return nl_qdisc_netem_replace(b, ifindex, H_TBF, TC_H_ROOT, &n);
	case LINKCTL_ADD_NETEM_CHILD:
		return nl_qdisc_netem(b, ifindex, H_NETEM_CHILD, H_TBF_CLASS, &n);
	case LINKCTL_CHANGE_NETEM_CHILD:
		return nl_qdisc_netem_replace(b, ifindex, H_NETEM_CHILD,
					      H_TBF_CLASS, &n);
	}
	return -EINVAL;
}

/* Send the steps of one direction in one batch.  On failure, *failed is
 * the step that failed (messages are processed one by one: the ones
 * before it took effect). */
static int send_steps(struct nl_sock *s, const struct lab_iface *f,
		      const enum linkctl_step *steps, int n,
		      const struct lab_shaping *to, int *failed,
		      struct nl_result *r)
{
	struct nl_batch *b = nl_batch_new();
	int i, ret = 0;

	*failed = -1;
	memset(r, 0, sizeof(*r));
	if (!b)
		return -ENOMEM;
	for (i = 0; i < n && !ret; i++) {
		nl_batch_set_cookie(b, i);
		ret = step_msg(b, steps[i], f->ifindex, f->mtu, to);
		if (ret)
			*failed = i;
	}
	if (!ret && n) {
		ret = nl_batch_send(s, b, r);
		if (ret)
			*failed = r->cookie >= 0 && r->cookie < n ? r->cookie : 0;
	}
	nl_batch_free(b);
	return ret;
}

/* Best effort after a failure: back to `old`, from whatever the kernel
 * has now.  The error reported is the first one. */
static void restore_dir(struct nl_sock *s, const struct lab *lab, int link,
			int dir, const struct lab_shaping *old)
{
	const struct lab_iface *f = &lab->ifaces[lab->links[link].iface[dir]];
	enum linkctl_step steps[LINKCTL_STEPS_MAX];
	enum linkctl_layout l;
	struct lab_shaping cur;
	struct nl_result r;
	int n, failed;

	if (read_dir(s, lab, link, dir, NULL, &l, &cur))
		return;
	n = linkctl_transition(l, linkctl_layout_of(old),
			       linkctl_changed(&cur, old, f->mtu), steps);
	send_steps(s, f, steps, n, old, &failed, &r);
}

/* Does the kernel have the qdisc kind that some step adds? */
static int probe_kind(const struct lab *lab, int link,
		      const struct lab_shaping *change, const char *kind,
		      struct linkctl_error *e)
{
	char name[LINK_MAX], attrs[96] = "";
	size_t k = 0;
	int ret = nl_qdisc_probe(kind);

	if (ret > 0)
		return 0;
	link_name(lab, link, name, sizeof(name));
	if (ret < 0) {
		fail(e, ret, NULL, "cannot probe the kernel for the %s qdisc "
		     "(link %s)", kind, name);
		return ret;
	}
#define ATTR_(n, field, kd, netem)                                            \
	if ((change->set & (1u << LAB_SHI_##n)) && netem == !strcmp(kind, "netem") && \
	    k < sizeof(attrs))                                                \
		k += (size_t)snprintf(attrs + k, sizeof(attrs) - k, "%s" #n "=", \
				      k ? ", " : "");
	LAB_SHAPING_ATTRS(ATTR_)
#undef ATTR_
	e->unsupported = true;
	fail(e, -EOPNOTSUPP, NULL,
	     "link %s needs the %s qdisc%s%s, which this kernel lacks (%s)",
	     name, kind, k ? " for " : "", attrs, nl_qdisc_kernel_option(kind));
	return e->err;
}

struct dir_plan {
	struct engine_link *eng;	/* non-NULL: an engine link */
	struct nl_sock *s;
	enum linkctl_layout from, to;
	struct lab_shaping now, next;
	enum linkctl_step steps[LINKCTL_STEPS_MAX];
	int n;
};

static int set_prepare(struct state *st, const struct lab *lab, int link,
		       const struct lab_shaping *change, struct dir_plan *dp,
		       struct linkctl_error *e)
{
	const struct lab_link *l = &lab->links[link];
	struct lab_shaping now[2], next[2];
	bool need_tbf = false, need_netem = false;
	char name[LINK_MAX], why[160];
	int d, k, ret;

	link_name(lab, link, name, sizeof(name));
	for (d = 0; d < 2; d++) {
		ret = sock_in(st, lab, link, l->end[d].node, &dp[d].s, e);
		if (ret)
			return ret;
		ret = read_dir(dp[d].s, lab, link, d,
			       dp[d].eng ? &dp[d].eng->netem[d] : NULL,
			       &dp[d].from, &now[d]);
		if (ret) {
			read_failed(lab, link, d, ret, e);
			return ret;
		}
	}
	ret = linkctl_merge(now, change, next, why, sizeof(why));
	if (ret) {
		fail(e, ret, NULL, "link %s: %s", name, why);
		return ret;
	}
	for (d = 0; d < 2; d++) {
		const struct lab_iface *f = &lab->ifaces[l->iface[d]];
		/* on an engine link the kernel keeps only the TBF */
		struct lab_shaping kn = dp[d].eng ? kernel_part(&now[d]) : now[d];
		struct lab_shaping kx = dp[d].eng ? kernel_part(&next[d]) : next[d];

		dp[d].now = now[d];
		dp[d].next = next[d];
		dp[d].to = linkctl_layout_of(&kx);
		dp[d].n = linkctl_transition(dp[d].from, dp[d].to,
					     linkctl_changed(&kn, &kx, f->mtu),
					     dp[d].steps);
		for (k = 0; k < dp[d].n; k++) {
			enum linkctl_step s = dp[d].steps[k];

			need_tbf |= s == LINKCTL_ADD_TBF;
			need_netem |= s == LINKCTL_ADD_NETEM_ROOT ||
				      s == LINKCTL_ADD_NETEM_CHILD;
		}
	}
	/* before anything changes, as up probes (apply.c) */
	ret = need_netem ? probe_kind(lab, link, change, "netem", e) : 0;
	if (!ret && need_tbf)
		ret = probe_kind(lab, link, change, "tbf", e);
	return ret;
}

/* The engine's half of a change: its instructions rewritten, and the
 * engine seen running them (it keeps the link's queue and random stream). */
static int engine_set(struct state *st, const struct lab *lab, int link,
		      struct engine_conf *c, struct engine_link *eng,
		      const struct dir_plan *dp, struct linkctl_error *e)
{
	char name[LINK_MAX];
	int d, ret;

	for (d = 0; d < 2; d++)
		eng->netem[d] = plan_netem_of(&dp[d].next);
	c->generation++;
	link_name(lab, link, name, sizeof(name));
	ret = engine_conf_save(st->dirfd, c);
	if (ret) {
		fail(e, ret, NULL, "cannot change link %s: cannot write the "
		     "impairment engine's instructions in %s", name, st->dir);
		return ret;
	}
	ret = engine_wait(st->dirfd, c->generation, 5000000000ull);
	if (ret)
		fail(e, ret, NULL, "cannot change link %s: the impairment "
		     "engine did not take the change within 5 s (see %s/log/%s.log)",
		     name, st->dir, LAB_RELAY_NAME);
	return ret;
}

int linkctl_set(struct state *st, const struct lab *lab, const struct plan *p,
		int link, const struct lab_shaping *change, struct linkctl_error *e)
{
	struct dir_plan dp[2] = { { 0 } };
	struct engine_conf c = { 0 };
	struct engine_link *eng = NULL;
	struct nl_result r;
	char name[LINK_MAX], end[END_MAX];
	int d, k, failed, ret;

	(void)p;	/* the sizing is plan_tbf_size()'s and plan_netem_of()'s */
	memset(e, 0, sizeof(*e));
	if (link < 0 || link >= lab->nlinks)
		return -EINVAL;
	ret = engine_entry(st, link, &c, &eng);
	if (ret < 0) {
		link_name(lab, link, name, sizeof(name));
		fail(e, ret, NULL, "cannot change link %s: cannot read the "
		     "impairment engine's instructions in %s", name, st->dir);
		return ret;
	}
	dp[0].eng = dp[1].eng = eng;
	ret = set_prepare(st, lab, link, change, dp, e);
	for (d = 0; d < 2 && !ret; d++) {
		const struct lab_iface *f =
			&lab->ifaces[lab->links[link].iface[d]];

		ret = send_steps(dp[d].s, f, dp[d].steps, dp[d].n,
				 &dp[d].next, &failed, &r);
		if (!ret)
			continue;
		link_name(lab, link, name, sizeof(name));
		fail(e, r.err ? r.err : ret, r.msg,
		     "cannot change link %s: %s on %s", name,
		     failed >= 0 ? linkctl_step_name(dp[d].steps[failed]) :
		     "change its qdiscs",
		     end_name(lab, f - lab->ifaces, end, sizeof(end)));
		for (k = d; k >= 0; k--) {
			struct lab_shaping old = dp[k].eng ?
				kernel_part(&dp[k].now) : dp[k].now;

			restore_dir(dp[k].s, lab, link, k, &old);
		}
	}
	if (!ret && eng)
		ret = engine_set(st, lab, link, &c, eng, dp, e);
	engine_conf_free(&c);
	for (d = 0; d < 2; d++)
		nl_sock_close(dp[d].s);
	return ret;
}

/* ---- down and up ----------------------------------------------------------- */

/* Is iface `f` end `want` itself (self) or one of its sub-interfaces? */
static bool iface_of_end(const struct lab *lab, int f, int want, bool self)
{
	if (f < 0)
		return false;
	if (f == want)
		return self;
	return lab->ifaces[f].parent && lab->ifaces[f].parent_iface == want;
}

/* What the up of a link sends again in node `node`, besides its ends'
 * IFF_UP ("Kernel facts: link down"): its ends' sub-interfaces up (802.1Q
 * devices follow their parent down, and back up, by themselves; sent
 * anyway, it is harmless), the addresses of its ends and of their
 * sub-interfaces, the node's routes. */
static bool restores(const struct lab *lab, const struct lab_link *l,
		     int node, const struct plan_op *op)
{
	int d;

	if (op->node != node)
		return false;
	if (op->kind == PLAN_ROUTE)
		return true;
	if (op->kind != PLAN_ADDR && op->kind != PLAN_LINK_UP)
		return false;
	for (d = 0; d < 2; d++)
		if (l->end[d].node == node &&
		    iface_of_end(lab, op->iface, l->iface[d],
				 op->kind == PLAN_ADDR))
			return true;
	return false;
}

/* A failure the up of a link expects (core/README.md, "Kernel facts:
 * link down", 1 and 4): an address that survived (IPv4 ones do), a route
 * that survived (through another interface), or one whose next hop is
 * behind an interface still down, which its own link's up restores
 * (ENETUNREACH and EHOSTUNREACH for a gateway, ENETDOWN for a device). */
static bool expected(const struct plan_op *op, int err)
{
	if (err == -EEXIST)
		return op->kind == PLAN_ADDR || op->kind == PLAN_ROUTE;
	return op->kind == PLAN_ROUTE &&
	       (err == -ENETUNREACH || err == -EHOSTUNREACH || err == -ENETDOWN);
}

/* One node's part: its end(s) up or down, and on up the addresses of
 * those ends and of their sub-interfaces, then the node's routes (the
 * plan's order: links up, addresses, routes). */
static int updown_node(struct nl_sock *s, const struct plan *p, int link,
		       int node, bool up, struct linkctl_error *e)
{
	const struct lab *lab = p->lab;
	const struct lab_link *l = &lab->links[link];
	const struct nl_result *fails;
	struct nl_batch *b = nl_batch_new();
	char name[LINK_MAX], what[160];
	int d, i, nf, sent, ret = 0;
	bool sw = lab->nodes[node].kind == LAB_SWITCH;

	if (!b)
		return -ENOMEM;
	for (d = 0; d < 2 && !ret; d++) {
		if (l->end[d].node != node)
			continue;
		nl_batch_set_cookie(b, -1 - d);
		ret = nl_link_set_up(b, lab->ifaces[l->iface[d]].ifindex, up);
	}
	/* in plan order: links up, addresses, routes */
	for (i = 0; up && !sw && i < p->nops && !ret; i++) {
		const struct plan_op *op = &p->ops[i];

		if (!restores(lab, l, node, op))
			continue;
		nl_batch_set_cookie(b, i);
		if (op->kind == PLAN_LINK_UP)
			ret = nl_link_set_up(b, op->up.dev.ifindex, 1);
		else if (op->kind == PLAN_ADDR)
			ret = nl_addr_add(b, op->addr.addr.family,
					  op->addr.dev.ifindex, op->addr.addr.b,
					  op->addr.addr.prefix);
		else
			ret = nl_route_add(b, op->route.dst.family,
					   op->route.is_default ? NULL :
					   op->route.dst.b, op->route.dst.prefix,
					   op->route.has_via ? op->route.via.b :
					   NULL, op->route.dev.ifindex,
					   op->route.metric);
	}
	link_name(lab, link, name, sizeof(name));
	if (ret) {
		fail(e, ret, NULL, "cannot bring %s link %s: cannot build a "
		     "netlink message", up ? "up" : "down", name);
		nl_batch_free(b);
		return ret;
	}
	sent = nl_batch_send(s, b, NULL);
	nf = sent ? nl_batch_failures(b, &fails) : 0;
	if (sent && !nf)	/* the transport itself: sendmsg or recv */
		fail(e, sent, NULL, "cannot bring %s link %s",
		     up ? "up" : "down", name);
	ret = sent && !nf ? sent : 0;
	for (i = 0; i < nf && !ret; i++) {
		const struct nl_result *f = &fails[i];

		if (f->cookie < 0 || f->cookie >= p->nops) {
			fail(e, f->err, f->msg, "cannot bring %s link %s",
			     up ? "up" : "down", name);
			ret = f->err;
		} else if (!expected(&p->ops[f->cookie], f->err)) {
			plan_op_describe(p, &p->ops[f->cookie], what,
					 sizeof(what));
			fail(e, f->err, f->msg, "cannot restore %s (link %s up)",
			     what, name);
			ret = f->err;
		}
	}
	nl_batch_free(b);
	return ret;
}

int linkctl_updown(struct state *st, const struct plan *p, int link, bool up,
		   struct linkctl_error *e)
{
	const struct lab *lab = p->lab;
	const struct lab_link *l;
	struct nl_sock *s[2] = { NULL, NULL };
	int d, n, ret = 0;

	memset(e, 0, sizeof(*e));
	if (link < 0 || link >= lab->nlinks)
		return -EINVAL;
	l = &lab->links[link];
	/* both ends in one node: done together */
	n = l->end[1].node == l->end[0].node ? 1 : 2;
	/* enter (and check) every node before changing any */
	for (d = 0; d < n && !ret; d++)
		ret = sock_in(st, lab, link, l->end[d].node, &s[d], e);
	for (d = 0; d < n && !ret; d++)
		ret = updown_node(s[d], p, link, l->end[d].node, up, e);
	for (d = 0; d < n; d++)
		nl_sock_close(s[d]);
	return ret;
}

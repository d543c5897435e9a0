/* linkctl.h — changing a running lab's links: both ends down or up, and
 * shaping changed in place (`nslab link`, and the <link-down>, <link-up>
 * and <link-set> test steps).
 *
 * A link is named by its index in the lab's model (life_model()) and found
 * from two ends written as in <link>.  Changes go over netlink sockets
 * opened inside the nodes' namespaces through the lab's proven holder
 * (runner_open_netns()); nothing is read from or written to the state dir.
 * The caller holds the lab's lock.  core/README.md, "Runtime link changes",
 * has the why of each rule.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "lab.h"
#include "plan.h"
#include "state.h"

struct linkctl_error {
	int err;		/* -errno */
	bool unsupported;	/* the kernel lacks a feature (exit 3) */
	char what[256];		/* "cannot bring down link h1:eth0 -- s1:eth1" */
	char kmsg[256];		/* kernel's extack text or "" */
};

/* The link between two ends written as in <link> ("NODE" or "NODE:IFACE",
 * either order; without an interface, the first link between the nodes).
 * Link index, or -1 with a reason in why ("no node named x", "no link
 * between h1 and h2"). */
int linkctl_find(const struct lab *lab, const char *a, const char *b,
		 char *why, size_t len);

/* Both ends administratively down, or up.  Up also restores what the
 * kernel dropped while down: the plan's addresses of the two interfaces
 * (and of their 802.1Q sub-interfaces) and the routes of the two nodes
 * (sent again; ones that still exist are left as they are, and ones whose
 * next hop is behind another link that is down wait for that link's up). */
int linkctl_updown(struct state *st, const struct plan *p, int link, bool up,
		   struct linkctl_error *e);

/* The link's shaping now, per direction (0: a->b, sent by a's interface),
 * read back from the kernel's qdiscs.  Only impairments in effect have
 * their bit in `set`; queue only when it is not the default.  -EPROTO when
 * an interface's root qdisc is not one nslab makes (tbf or netem); *e says
 * what failed.  Like linkctl_set and linkctl_updown, it first checks that
 * each end's node has its interfaces at the ifindexes this nslab plans:
 * -ESTALE when a lab built by another version numbered them otherwise. */
int linkctl_get(struct state *st, const struct lab *lab, int link,
		struct lab_shaping now[2], struct linkctl_error *e);

/* Change shaping in place, both directions: change's set fields override
 * what the link has now (linkctl_get), e.g. delay=0, loss=0% and
 * rate=none remove that impairment.  -EINVAL (nothing changed, e->kmsg
 * "") when the result is not a valid shaping (linkctl_merge()). */
int linkctl_set(struct state *st, const struct lab *lab, const struct plan *p,
		int link, const struct lab_shaping *change, struct linkctl_error *e);

/* ---- pure parts (no syscalls; unit-tested) -------------------------------- */

/* netem's values (as the plan and the engine hold them) added to a shaping:
 * the ones in effect get their bit; a queue other than 1000 too. */
void linkctl_shaping_of_netem(const struct plan_netem *n,
			      struct lab_shaping *s);

/* The qdiscs of one direction, as plan.c lays them out: none; TBF root 1:;
 * netem root 1:; TBF root 1: with netem 10: under its class 1:1. */
enum linkctl_layout {
	LINKCTL_NONE,
	LINKCTL_TBF,
	LINKCTL_NETEM,
	LINKCTL_TBF_NETEM,
	LINKCTL_NLAYOUTS
};

enum linkctl_layout linkctl_layout_of(const struct lab_shaping *s);

/* One step of a transition, each one netlink message. */
enum linkctl_step {
	LINKCTL_DEL_ROOT,		/* the root and all below it */
	LINKCTL_DEL_NETEM_CHILD,	/* netem 10: under 1:1 */
	LINKCTL_ADD_TBF,		/* TBF root 1: */
	LINKCTL_ADD_NETEM_ROOT,		/* netem root 1: */
	LINKCTL_ADD_NETEM_CHILD,	/* netem 10: under 1:1 */
	LINKCTL_CHANGE_TBF,		/* TBF 1: in place (same object) */
	LINKCTL_CHANGE_NETEM_ROOT,	/* netem 1: in place */
	LINKCTL_CHANGE_NETEM_CHILD,	/* netem 10: in place */
};

#define LINKCTL_STEPS_MAX 3
/* Which qdiscs' values differ between the two shapings (in-place changes
 * of unchanged qdiscs are left out). */
#define LINKCTL_TBF_CHANGED 1u
#define LINKCTL_NETEM_CHANGED 2u

/* The fewest steps from one layout to another, in the order to send them.
 * Returns their number (0..LINKCTL_STEPS_MAX). */
int linkctl_transition(enum linkctl_layout from, enum linkctl_layout to,
		       unsigned changed, enum linkctl_step steps[LINKCTL_STEPS_MAX]);
/* LINKCTL_*_CHANGED bits between two shapings of an interface of MTU mtu:
 * what plan_tbf_size() and plan_netem_of() make of them differs. */
unsigned linkctl_changed(const struct lab_shaping *from,
			 const struct lab_shaping *to, int mtu);
/* "add TBF 1: at the root", for messages and tests. */
const char *linkctl_step_name(enum linkctl_step s);

/* out[d] = now[d] with change's set fields over it, for both directions;
 * -EINVAL with a reason in why when a result is not a valid shaping
 * (jitter= or reorder= without delay=, as in a lab file). */
int linkctl_merge(const struct lab_shaping now[2],
		  const struct lab_shaping *change, struct lab_shaping out[2],
		  char *why, size_t len);

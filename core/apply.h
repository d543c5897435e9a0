/* apply.h — sending a plan to the kernel.
 *
 * apply_build() makes every namespace, bridge, veth, address, route, qdisc
 * and sysctl of a plan; node files and start commands are the runner's.
 * Nothing is ever created in the caller's own namespace: the namespaces are
 * held by the fds in struct apply, and closing them (apply_free) is the
 * bulk undo of everything inside — veth peers in other namespaces go with
 * them.  On failure the error names the op, its XML line and the kernel's
 * own words.
 */
#pragma once

#include <stdbool.h>

#include "plan.h"

struct nl_sock;

struct apply_error {
	int err;		/* -errno */
	int line;		/* XML line of the failing op, 0 none */
	bool unsupported;	/* the kernel lacks a feature (exit 3) */
	char what[256];		/* "cannot create link h1:eth0 -- s1:eth1" */
	char kmsg[256];		/* the kernel's extack text, or "" */
};

struct apply {
	const struct plan *plan;
	int n;			/* nodes */
	int *fds;		/* netns fd per node, -1 none */
	struct nl_sock **socks;	/* one netlink socket per node */
	void (*progress)(const char *what, int done, int total);
	int made;		/* namespaces made (by several threads) */
};

/* Check that the kernel has every feature the plan needs (qdiscs, VLAN
 * devices, bridge VLAN filtering) before anything is built. */
/* How up should impair links on this kernel (plan.h): PLAN_IMPAIR_NO_NETEM
 * when some link would use netem under impairments="auto" and the kernel
 * has no sch_netem, else PLAN_IMPAIR_NETEM (probed only when it matters). */
enum plan_impair apply_choose_impair(const struct lab *lab);
int apply_probe(const struct plan *p, struct apply_error *e);

int apply_new(const struct plan *p, struct apply **out);
/* Namespaces, their early sysctls, one socket in each; then the network;
 * then the lab's own sysctls.  -errno with *e filled. */
int apply_build(struct apply *a, struct apply_error *e);
/* After apply_build(): wait, up to TIMEOUT_NS, until every veth end and
 * VLAN device that is up with its carrier has operational state "up"
 * (the kernel's linkwatch has handled it), so the lab's first packets are
 * not lost (core/README.md, "Kernel facts: link flags" 3).  0 when all
 * are; -ETIMEDOUT with the first one still waiting in NODE (its index)
 * and IFNAME; another -errno if a dump failed. */
int apply_wait_running(struct apply *a, unsigned long long timeout_ns,
		       int *node, char *ifname, size_t ifnamelen);
/* Close the netlink sockets (they pin their namespaces too), and move
 * the namespace fds down into the numbers they leave (a->fds[] change). */
void apply_close_sockets(struct apply *a);
/* Close sockets and namespace fds; NULL ok. */
void apply_free(struct apply *a);

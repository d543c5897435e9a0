/* live.h — what the kernel holds in a running lab's node, read back over
 * netlink inside the node's namespace (for `show NAME`, and the coming
 * `test` and `link`): interfaces, addresses, routes of the main table and
 * qdiscs, so what is reported is what is there, not what the file asked
 * for. */
#pragma once

#include "nl.h"
#include "state.h"

#define LIVE_VEC(type)                                                        \
	struct {                                                              \
		int n, cap;                                                   \
		type *v;                                                      \
	}

struct live_node {
	LIVE_VEC(struct nl_link_info) links;
	LIVE_VEC(struct nl_addr_info) addrs;
	LIVE_VEC(struct nl_route_info) routes;	/* main table, unicast */
	LIVE_VEC(struct nl_qdisc_info) qdiscs;	/* not noqueue, with a handle */
};

/* Read node of st (entered through its proven holder, runner_open_netns()).
 * *v is zeroed first; free it with live_free() also on failure. */
int live_read(const struct state *st, int node, struct live_node *v);
void live_free(struct live_node *v);

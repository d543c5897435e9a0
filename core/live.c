/* live.c — a running node's state read back from the kernel (live.h). */
#include "live.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "runner.h"

#define PUSH(vec, item)                                                       \
	({                                                                    \
		int _r = 0;                                                   \
		if ((vec).n == (vec).cap) {                                   \
			int _c = (vec).cap ? (vec).cap * 2 : 8;               \
			void *_p = realloc((vec).v, sizeof(*(vec).v) * (size_t)_c); \
			if (!_p)                                              \
				_r = -ENOMEM;                                 \
			else {                                                \
				(vec).v = _p;                                 \
				(vec).cap = _c;                               \
			}                                                     \
		}                                                             \
		if (!_r)                                                      \
			(vec).v[(vec).n++] = *(item);                         \
		_r;                                                           \
	})

static int on_link(const struct nl_link_info *i, void *arg)
{
	return PUSH(((struct live_node *)arg)->links, i);
}

static int on_addr(const struct nl_addr_info *i, void *arg)
{
	return PUSH(((struct live_node *)arg)->addrs, i);
}

static int on_route(const struct nl_route_info *i, void *arg)
{
	if (i->table != 254 || i->type != 1)	/* main table, unicast */
		return 0;
	return PUSH(((struct live_node *)arg)->routes, i);
}

static int on_qdisc(const struct nl_qdisc_info *i, void *arg)
{
	if (!strcmp(i->kind, "noqueue") || !i->handle)
		return 0;
	return PUSH(((struct live_node *)arg)->qdiscs, i);
}

void live_free(struct live_node *v)
{
	free(v->links.v);
	free(v->addrs.v);
	free(v->routes.v);
	free(v->qdiscs.v);
}

int live_read(const struct state *st, int node, struct live_node *v)
{
	struct nl_sock *s;
	int fd, ret;

	memset(v, 0, sizeof(*v));
	ret = runner_open_netns(st, node, &fd);
	if (ret)
		return ret;
	ret = nl_sock_open_in(fd, &s);
	close(fd);
	if (ret)
		return ret;
	ret = nl_dump_links(s, on_link, v);
	if (!ret)
		ret = nl_dump_addrs(s, AF_UNSPEC, on_addr, v);
	if (!ret)
		ret = nl_dump_routes(s, AF_INET, on_route, v);
	if (!ret)
		ret = nl_dump_routes(s, AF_INET6, on_route, v);
	if (!ret)
		ret = nl_dump_qdiscs(s, on_qdisc, v);
	nl_sock_close(s);
	return ret;
}


/* cmd_show_live.c — nslab show NAME: what the kernel holds, node by node.
 *
 * Reads the live state (interfaces, addresses, routes of the main table,
 * qdiscs) through a netlink socket inside each node's namespace, so what
 * is printed is what is there, not what the file asked for.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "engine.h"
#include "lab.h"
#include "lifecycle.h"
#include "linkctl.h"
#include "live.h"
#include "nl.h"
#include "runner.h"
#include "state.h"
#include "units.h"

int cli_show_live(const char *name, int json);

static const char *ifname_of(const struct live_node *v, int ifindex)
{
	int i;

	for (i = 0; i < v->links.n; i++)
		if (v->links.v[i].ifindex == ifindex)
			return v->links.v[i].name;
	return "?";
}

static const char *mac_of(const struct nl_link_info *l, char *buf)
{
	return l->mac_len == 6 ? lab_mac_str(l->mac, buf) : "-";
}

static const char *addr_of(const struct nl_addr_info *a, char *buf, size_t len)
{
	size_t n;

	inet_ntop(a->family, a->addr, buf, (socklen_t)len);
	n = strlen(buf);
	snprintf(buf + n, len - n, "/%d", a->prefixlen);
	return buf;
}

static const char *route_dst(const struct nl_route_info *r, char *buf, size_t len)
{
	size_t n;

	if (!r->dst_len)
		return "default";
	inet_ntop(r->family, r->dst, buf, (socklen_t)len);
	n = strlen(buf);
	snprintf(buf + n, len - n, "/%d", r->dst_len);
	return buf;
}

static void qdisc_detail(const struct nl_qdisc_info *q, char *buf, size_t len)
{
	char t[32], d[32];

	buf[0] = 0;
	if (!strcmp(q->kind, "tbf")) {
		snprintf(buf, len, " rate %s burst %ub limit %ub",
			 units_rate_str(q->rate_bytes * 8, t, sizeof(t)),
			 q->burst_bytes, q->limit_bytes);
	} else if (!strcmp(q->kind, "netem")) {
		snprintf(buf, len, " limit %u delay %s jitter %s loss %g%% duplicate %g%% reorder %g%% corrupt %g%%",
			 q->limit_pkts, units_time_str(q->delay_ns, t, sizeof(t)),
			 units_time_str(q->jitter_ns, d, sizeof(d)), q->loss_pct,
			 q->duplicate_pct, q->reorder_pct, q->corrupt_pct);
	}
}

static void text_node(const struct state *st, int node, const struct live_node *v)
{
	char buf[128], mac[20];
	int i, k;

	printf("%s %s\n", st->nodes[node].kind, st->nodes[node].name);
	for (i = 0; i < v->links.n; i++) {
		const struct nl_link_info *l = &v->links.v[i];

		printf("  %-10s %-4s %s mtu %d", l->name,
		       l->flags & IFF_UP ? "up" : "down", mac_of(l, mac), l->mtu);
		if (l->kind[0])
			printf(" %s", l->kind);
		if (l->master)
			printf(" master %s", ifname_of(v, l->master));
		for (k = 0; k < v->addrs.n; k++)
			if (v->addrs.v[k].ifindex == l->ifindex &&
			    v->addrs.v[k].scope != 253)	/* not link-local */
				printf(" %s", addr_of(&v->addrs.v[k], buf, sizeof(buf)));
		putchar('\n');
	}
	for (i = 0; i < v->routes.n; i++) {
		const struct nl_route_info *r = &v->routes.v[i];

		if (r->protocol == 2)	/* kernel: the subnets of addresses */
			continue;
		printf("  route %s", route_dst(r, buf, sizeof(buf)));
		if (r->has_gw)
			printf(" via %s", inet_ntop(r->family, r->gw, buf, sizeof(buf)));
		if (r->oif)
			printf(" dev %s", ifname_of(v, r->oif));
		if (r->metric)
			printf(" metric %u", r->metric);
		putchar('\n');
	}
	for (i = 0; i < v->qdiscs.n; i++) {
		const struct nl_qdisc_info *q = &v->qdiscs.v[i];

		qdisc_detail(q, buf, sizeof(buf));
		printf("  qdisc %s %s %x:%s%s\n", ifname_of(v, q->ifindex), q->kind,
		       q->handle >> 16, q->parent == 0xffffffffu ? " root" : "", buf);
	}
}

static void json_node(const struct state *st, int node, const struct live_node *v)
{
	char buf[128], mac[20];
	int i, k, first;

	printf("%s\n    {\"name\": \"%s\", \"kind\": \"%s\", \"interfaces\": [",
	       node ? "," : "", st->nodes[node].name, st->nodes[node].kind);
	for (i = 0; i < v->links.n; i++) {
		const struct nl_link_info *l = &v->links.v[i];

		printf("%s\n      {\"name\": ", i ? "," : "");
		cli_json_str(stdout, l->name);
		printf(", \"ifindex\": %d, \"up\": %s, \"mac\": \"%s\", \"mtu\": %d, \"kind\": ",
		       l->ifindex, l->flags & IFF_UP ? "true" : "false",
		       mac_of(l, mac), l->mtu);
		cli_json_str(stdout, l->kind);
		printf(", \"master\": ");
		if (l->master)
			cli_json_str(stdout, ifname_of(v, l->master));
		else
			printf("null");
		printf(", \"addresses\": [");
		for (k = 0, first = 1; k < v->addrs.n; k++)
			if (v->addrs.v[k].ifindex == l->ifindex && v->addrs.v[k].scope != 253) {
				printf("%s\"%s\"", first ? "" : ", ",
				       addr_of(&v->addrs.v[k], buf, sizeof(buf)));
				first = 0;
			}
		printf("]}");
	}
	printf("],\n     \"routes\": [");
	for (i = 0, first = 1; i < v->routes.n; i++) {
		const struct nl_route_info *r = &v->routes.v[i];

		if (r->protocol == 2)
			continue;
		printf("%s{\"dst\": \"%s\"", first ? "" : ", ", route_dst(r, buf, sizeof(buf)));
		if (r->has_gw)
			printf(", \"via\": \"%s\"", inet_ntop(r->family, r->gw, buf, sizeof(buf)));
		if (r->oif) {
			printf(", \"dev\": ");
			cli_json_str(stdout, ifname_of(v, r->oif));
		}
		printf(", \"metric\": %u}", r->metric);
		first = 0;
	}
	printf("],\n     \"qdiscs\": [");
	for (i = 0; i < v->qdiscs.n; i++) {
		const struct nl_qdisc_info *q = &v->qdiscs.v[i];

		printf("%s{\"dev\": ", i ? ", " : "");
		cli_json_str(stdout, ifname_of(v, q->ifindex));
		printf(", \"kind\": ");
		cli_json_str(stdout, q->kind);
		printf(", \"handle\": \"%x:\", \"root\": %s", q->handle >> 16,
		       q->parent == 0xffffffffu ? "true" : "false");
		if (!strcmp(q->kind, "tbf"))
			printf(", \"rate_bps\": %llu, \"burst_bytes\": %u, \"limit_bytes\": %u",
			       (unsigned long long)q->rate_bytes * 8, q->burst_bytes,
			       q->limit_bytes);
		if (!strcmp(q->kind, "netem"))
			printf(", \"delay_ns\": %llu, \"jitter_ns\": %llu, \"loss_pct\": %g, \"limit_pkts\": %u",
			       (unsigned long long)q->delay_ns,
			       (unsigned long long)q->jitter_ns, q->loss_pct,
			       q->limit_pkts);
		printf("}");
	}
	printf("]}");
}

/* "h1:eth0 -- h2:eth0" from the lab's kept file, or "link N". */
static const char *engine_link_name(const struct lab *lab, int link,
				    char *buf, size_t len)
{
	const struct lab_link *l;

	if (!lab || link >= lab->nlinks) {
		snprintf(buf, len, "link %d", link);
		return buf;
	}
	l = &lab->links[link];
	snprintf(buf, len, "%s:%s -- %s:%s", lab->nodes[l->end[0].node].name,
		 lab->ifaces[l->iface[0]].name, lab->nodes[l->end[1].node].name,
		 lab->ifaces[l->iface[1]].name);
	return buf;
}

/* The impairment engine (engine.h): who runs, what it was told, what it
 * did.  Nothing when the lab has no engine link. */
static void show_engine(const struct state *st, int json)
{
	struct engine_status es;
	struct engine_conf c;
	struct lab_errors errs = { 0 };
	struct lab *lab = NULL;
	char name[160], sh[2][256];
	int i, d, running;

	if (engine_conf_load(st->dirfd, &c))
		return;
	running = engine_status_read(st->dirfd, &es) == 0;
	life_model(st, &lab, &errs);	/* names only: best effort */
	if (json)
		printf(",\n  \"engine\": {\"pid\": %ld, \"generation\": %lu, \"frames\": %llu, \"lost\": %llu, \"duplicated\": %llu, \"corrupted\": %llu, \"reordered\": %llu, \"overlimit\": %llu, \"links\": [",
		       running ? es.pid : 0L, running ? es.generation : 0ul,
		       (unsigned long long)es.frames, (unsigned long long)es.lost,
		       (unsigned long long)es.duplicated,
		       (unsigned long long)es.corrupted,
		       (unsigned long long)es.reordered,
		       (unsigned long long)es.overlimit);
	else if (running)
		printf("impairment engine: pid %ld, generation %lu of %lu; %llu frames, %llu lost, %llu duplicated, %llu corrupted, %llu reordered, %llu over the queue limit\n",
		       es.pid, es.generation, c.generation,
		       (unsigned long long)es.frames, (unsigned long long)es.lost,
		       (unsigned long long)es.duplicated,
		       (unsigned long long)es.corrupted,
		       (unsigned long long)es.reordered,
		       (unsigned long long)es.overlimit);
	else
		printf("impairment engine: not running (see %s/log/%s.log)\n",
		       st->dir, LAB_RELAY_NAME);
	for (i = 0; i < c.n; i++) {
		for (d = 0; d < 2; d++) {
			struct lab_shaping s = { 0 };

			linkctl_shaping_of_netem(&c.v[i].netem[d], &s);
			lab_shaping_str(&s, sh[d], sizeof(sh[d]));
		}
		engine_link_name(lab, c.v[i].link, name, sizeof(name));
		if (json) {
			printf("%s{\"link\": ", i ? ", " : "");
			cli_json_str(stdout, name);
			printf(", \"relay\": [\"%s\", \"%s\"], \"a_to_b\": ",
			       c.v[i].dev[0], c.v[i].dev[1]);
			cli_json_str(stdout, sh[0]);
			printf(", \"b_to_a\": ");
			cli_json_str(stdout, sh[1]);
			printf("}");
		} else {
			printf("  engine link %s (relay %s, %s): a->b %s; b->a %s\n",
			       name, c.v[i].dev[0], c.v[i].dev[1],
			       sh[0][0] ? sh[0] : "none", sh[1][0] ? sh[1] : "none");
		}
	}
	if (json)
		printf("]}");
	lab_free(lab);
	engine_conf_free(&c);
}

int cli_open_named_lab(const char *name, struct state **st)
{
	int ret = cli_need_root();

	if (ret)
		return ret;
	ret = state_open_read(name, st);
	if (ret == -EINVAL) {
		cli_err("%s: not a lab file and not a valid lab name", name);
		return EXIT_USAGE;
	}
	if (ret == -ENOENT) {
		cli_err("lab %s: no such lab, and no such file (see nslab ls)", name);
		return EXIT_USAGE;
	}
	if (ret) {
		cli_err("lab %s: %s", name, strerror(-ret));
		return EXIT_SYSTEM;
	}
	return EXIT_OK;
}

int cli_show_live(const char *name, int json)
{
	struct state *st;
	int i, ret;

	ret = cli_open_named_lab(name, &st);
	if (ret)
		return ret;
	if (json)
		printf("{\n  \"name\": \"%s\", \"holder\": %d,\n  \"nodes\": [",
		       st->name, (int)st->holder);
	else
		printf("lab %s: %d nodes (holder pid %d)\n", st->name,
		       state_lab_nodes(st), (int)st->holder);
	for (i = 0; i < st->nnodes; i++) {
		struct live_node v;

		ret = live_read(st, i, &v);
		if (ret) {
			live_free(&v);
			fflush(stdout);
			cli_err("lab %s: cannot read node %s: %s%s", name,
				st->nodes[i].name, strerror(-ret),
				ret == -ENOENT ? " (the lab is broken: nslab down it)" : "");
			state_close(st);
			return EXIT_SYSTEM;
		}
		if (json)
			json_node(st, i, &v);
		else
			text_node(st, i, &v);
		live_free(&v);
	}
	if (json)
		printf("\n  ]");
	show_engine(st, json);
	if (json)
		printf("\n}\n");
	state_close(st);
	return EXIT_OK;
}

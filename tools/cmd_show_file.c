/* cmd_show_file.c — nslab show FILE: a resolved lab file as text or JSON,
 * every address, route and shaping value resolve worked out.  Needs no
 * root; cmd_show_live.c shows a running lab. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "lab.h"
#include "units.h"

void cli_json_str(void *fp, const char *s)
{
	FILE *f = fp;

	fputc('"', f);
	for (; s && *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

/* "s1:eth1" for the other end of an interface's link. */
static const char *peer_str(const struct lab *lab, const struct lab_iface *f,
			    char *buf, size_t len)
{
	const struct lab_link *l;
	const struct lab_iface *o;

	if (f->link < 0) {
		snprintf(buf, len, "%s", f->parent ? f->parent : "");
		return buf;
	}
	l = &lab->links[f->link];
	o = &lab->ifaces[l->iface[!f->end]];
	snprintf(buf, len, "%s:%s", lab->nodes[o->node].name, o->name);
	return buf;
}

static const char *shaping_str(const struct lab_shaping *s, char *buf,
			       size_t len)
{
	char t[32];
	size_t n = 0;

	buf[0] = 0;
#define ADD(...) n += (size_t)snprintf(buf + n, n < len ? len - n : 0, __VA_ARGS__)
	if (lab_shaping_needs_tbf(s))
		ADD(" rate %s", units_rate_str(s->rate_bps, t, sizeof(t)));
	if (s->delay_ns)
		ADD(" delay %s", units_time_str(s->delay_ns, t, sizeof(t)));
	if (s->jitter_ns)
		ADD(" jitter %s", units_time_str(s->jitter_ns, t, sizeof(t)));
	if (s->loss_pct > 0)
		ADD(" loss %g%%", s->loss_pct);
	if (s->duplicate_pct > 0)
		ADD(" duplicate %g%%", s->duplicate_pct);
	if (s->reorder_pct > 0)
		ADD(" reorder %g%%", s->reorder_pct);
	if (s->corrupt_pct > 0)
		ADD(" corrupt %g%%", s->corrupt_pct);
	if (s->queue_pkts)
		ADD(" queue %u", s->queue_pkts);
#undef ADD
	return buf[0] ? buf + 1 : buf;
}

static void show_text_node(const struct lab *lab, int i)
{
	const struct lab_node *n = &lab->nodes[i];
	struct lab_addr a[LAB_IFACE_ADDRS_ALL];
	char buf[128], mac[20];
	int j, k, m;

	printf("%s %s", lab_kind_name(n->kind), n->name);
	if (n->kind == LAB_SWITCH)
		printf("  (bridge br0 %s, stp %s%s%s)", lab_mac_str(n->bridge_mac, mac),
		       n->stp ? "on" : "off", n->hub ? ", hub" : "",
		       n->vlan_filtering ? ", vlan-filtering" : "");
	putchar('\n');
	for (j = -1; j < n->nifaces; j++) {
		int fi = -1;

		if (j < 0) {
			fi = n->lo_iface;
			if (fi < 0)
				continue;
		} else {
			fi = n->ifaces[j];
		}
		const struct lab_iface *f = &lab->ifaces[fi];

		printf("  %-10s", f->name);
		if (f->ifindex != 1)
			printf(" %s mtu %d", lab_mac_str(f->mac, mac), f->mtu);
		m = lab_iface_addrs(lab, fi, a, LAB_IFACE_ADDRS_ALL);
		for (k = 0; k < m; k++)
			printf(" %s", lab_addr_str(&a[k], buf, sizeof(buf)));
		if (f->link >= 0 || f->parent)
			printf("  %s %s", f->parent ? "vlan on" : "->",
			       peer_str(lab, f, buf, sizeof(buf)));
		if (f->pvid)
			printf("  vlan %d", f->pvid);
		for (k = 0; k < f->nvlans; k++)
			printf("%s%d", k ? "," : "  vlans ", f->vlans[k]);
		putchar('\n');
	}
	for (j = 0; j < lab->nroutes; j++) {
		const struct lab_route *r = &lab->routes[j];

		if (r->node != i)
			continue;
		printf("  route %s", r->is_default ? "default" :
			lab_addr_str(&r->dst, buf, sizeof(buf)));
		if (r->has_via)
			printf(" via %s", lab_ip_str(&r->via, buf, sizeof(buf)));
		if (r->dev)
			printf(" dev %s", r->dev);
		if (r->metric)
			printf(" metric %u", r->metric);
		putchar('\n');
	}
}

static void show_text(const struct lab *lab)
{
	char buf[256];
	int i, d;

	printf("lab %s (%s): %d nodes, %d links, IPv6 %s\n", lab->name,
	       lab->file, lab->nnodes, lab->nlinks, lab->ipv6_on ? "on" : "off");
	for (i = 0; i < lab->nnodes; i++)
		show_text_node(lab, i);
	for (i = 0; i < lab->nlinks; i++) {
		const struct lab_link *l = &lab->links[i];

		printf("link %s:%s -- %s:%s", lab->nodes[l->end[0].node].name,
		       lab->ifaces[l->iface[0]].name,
		       lab->nodes[l->end[1].node].name,
		       lab->ifaces[l->iface[1]].name);
		for (d = 0; d < 2; d++) {
			const char *s = shaping_str(&l->shape[d], buf, sizeof(buf));

			if (*s)
				printf("  %s: %s", d ? "b-to-a" : "a-to-b", s);
		}
		putchar('\n');
	}
}

/* A switch port as planned: its bridge, its flags (a hub's ports do not
 * learn), its VLANs (with vlan-filtering). */
static void json_port(const struct lab *lab, const struct lab_iface *f)
{
	int k;

	printf(", \"master\": \"br0\", \"learning\": %s, \"flood\": true",
	       lab->nodes[f->node].hub ? "false" : "true");
	if (!lab->nodes[f->node].vlan_filtering)
		return;
	printf(", \"pvid\": %d, \"vlans\": [", f->pvid ? f->pvid : (f->nvlans ? 0 : 1));
	if (f->pvid)
		printf("%d", f->pvid);
	else if (!f->nvlans)
		printf("1");
	for (k = 0; k < f->nvlans; k++)
		printf("%s%d", k || f->pvid ? ", " : "", f->vlans[k]);
	printf("]");
}

static void json_iface(const struct lab *lab, int fi, int first)
{
	const struct lab_iface *f = &lab->ifaces[fi];
	struct lab_addr a[LAB_IFACE_ADDRS_ALL];
	char buf[128];
	int k, m;

	printf("%s\n      {\"name\": ", first ? "" : ",");
	cli_json_str(stdout, f->name);
	printf(", \"ifindex\": %d", f->ifindex);
	if (f->ifindex != 1)
		printf(", \"mac\": \"%s\", \"mtu\": %d", lab_mac_str(f->mac, buf), f->mtu);
	printf(", \"addresses\": [");
	m = lab_iface_addrs(lab, fi, a, LAB_IFACE_ADDRS_ALL);
	for (k = 0; k < m; k++)
		printf("%s\"%s\"", k ? ", " : "", lab_addr_str(&a[k], buf, sizeof(buf)));
	printf("]");
	if (f->link >= 0) {
		printf(", \"peer\": ");
		cli_json_str(stdout, peer_str(lab, f, buf, sizeof(buf)));
	}
	if (f->link >= 0 && lab->nodes[f->node].kind == LAB_SWITCH)
		json_port(lab, f);
	if (f->parent) {
		printf(", \"parent\": ");
		cli_json_str(stdout, f->parent);
		printf(", \"vlan\": %d", f->vlan);
	}
	printf("}");
}

static void json_node(const struct lab *lab, int i)
{
	const struct lab_node *n = &lab->nodes[i];
	char buf[64];
	int j, first = 1;

	printf("%s\n    {\"name\": \"%s\", \"kind\": \"%s\", \"interfaces\": [",
	       i ? "," : "", n->name, lab_kind_name(n->kind));
	if (n->lo_iface >= 0) {
		json_iface(lab, n->lo_iface, first);
		first = 0;
	}
	for (j = 0; j < n->nifaces; j++, first = 0)
		json_iface(lab, n->ifaces[j], first);
	printf("], \"routes\": [");
	first = 1;
	for (j = 0; j < lab->nroutes; j++) {
		const struct lab_route *r = &lab->routes[j];

		if (r->node != i)
			continue;
		printf("%s{\"dst\": \"%s\"", first ? "" : ", ",
		       r->is_default || r->dst.prefix == 0 ? "default" :
		       lab_addr_str(&r->dst, buf, sizeof(buf)));
		if (r->has_via)
			printf(", \"via\": \"%s\"", lab_ip_str(&r->via, buf, sizeof(buf)));
		if (r->dev) {
			printf(", \"dev\": ");
			cli_json_str(stdout, r->dev);
		}
		if (r->metric)
			printf(", \"metric\": %u", r->metric);
		printf("}");
		first = 0;
	}
	printf("]}");
}

static void json_shaping(const struct lab_shaping *s)
{
	printf("{\"rate_bps\": %llu, \"delay_ns\": %llu, \"jitter_ns\": %llu, "
	       "\"loss_pct\": %g, \"duplicate_pct\": %g, \"reorder_pct\": %g, "
	       "\"corrupt_pct\": %g, \"queue_pkts\": %u}",
	       (unsigned long long)(lab_shaping_needs_tbf(s) ? s->rate_bps : 0),
	       (unsigned long long)s->delay_ns, (unsigned long long)s->jitter_ns,
	       s->loss_pct, s->duplicate_pct, s->reorder_pct, s->corrupt_pct,
	       s->queue_pkts ? s->queue_pkts : 1000);
}

static void show_json(const struct lab *lab)
{
	int i;

	printf("{\n  \"name\": \"%s\", \"file\": ", lab->name);
	cli_json_str(stdout, lab->file);
	printf(", \"ipv6\": %s,\n  \"nodes\": [", lab->ipv6_on ? "true" : "false");
	for (i = 0; i < lab->nnodes; i++)
		json_node(lab, i);
	printf("\n  ],\n  \"links\": [");
	for (i = 0; i < lab->nlinks; i++) {
		const struct lab_link *l = &lab->links[i];

		char end[64];

		printf("%s\n    {\"a\": ", i ? "," : "");
		snprintf(end, sizeof(end), "%s:%s", lab->nodes[l->end[0].node].name,
			 lab->ifaces[l->iface[0]].name);
		cli_json_str(stdout, end);
		printf(", \"b\": ");
		snprintf(end, sizeof(end), "%s:%s", lab->nodes[l->end[1].node].name,
			 lab->ifaces[l->iface[1]].name);
		cli_json_str(stdout, end);
		printf(", \"a_to_b\": ");
		json_shaping(&l->shape[0]);
		printf(", \"b_to_a\": ");
		json_shaping(&l->shape[1]);
		printf("}");
	}
	printf("\n  ]\n}\n");
}

void cli_show_lab(const struct lab *lab, int json)
{
	if (json)
		show_json(lab);
	else
		show_text(lab);
}

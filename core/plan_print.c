/* plan_print.c — a plan as a bash script of ip, tc and sysctl commands.
 *
 * The script is the teaching view of a lab: run as root on a machine with
 * iproute2 and no nslab, it builds the same namespaces, interfaces (names,
 * ifindexes, MACs, MTUs), addresses, routes and qdiscs.  Node files under
 * /etc go to /etc/netns/LAB.NODE/, which `ip netns exec` shows as the
 * node's /etc; nslab itself never writes the host's /etc.
 */
#include <errno.h>
#include <sys/socket.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plan.h"
#include "units.h"

struct out {
	FILE *f;
	const struct plan *p;
	char ns[80];		/* "LAB.NODE" of the current op */
	bool hosts_var;		/* $hosts holds the lab's /etc/hosts */
};

/* Characters that never need quoting in a shell word. */
static bool shell_safe(const char *s)
{
	return *s && strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
			       "0123456789._-/:,+=@%") == strlen(s);
}

/* Quote for the shell when needed, streaming: 'it'\''s'. */
static void sq(FILE *f, const char *s)
{
	if (shell_safe(s)) {
		fputs(s, f);
		return;
	}
	fputc('\'', f);
	for (; *s; s++) {
		if (*s == '\'')
			fputs("'\\''", f);
		else
			fputc(*s, f);
	}
	fputc('\'', f);
}

/* sq() for the first n bytes of s. */
static void sqn(FILE *f, const char *s, size_t n)
{
	char *c = strndup(s, n);

	if (!c) {
		fputs("''", f);	/* out of memory: the write fails below */
		return;
	}
	sq(f, c);
	free(c);
}

#define SHQ_MAX 160

/* A word for the shell: as is when it holds only safe characters, else
 * single-quoted.  Interface names and paths come from the lab file and may
 * hold ';', '$' or '&': never let them reach the script unquoted. */
static const char *shq(const char *s, char *buf, size_t len)
{
	size_t n = 0;

	if (shell_safe(s))
		return s;
	buf[n++] = '\'';
	for (; *s && n + 5 < len; s++) {
		if (*s == '\'') {
			memcpy(buf + n, "'\\''", 4);
			n += 4;
		} else {
			buf[n++] = *s;
		}
	}
	buf[n++] = '\'';
	buf[n] = 0;
	return buf;
}

static void pr_bridge(struct out *o, const struct plan_op *op)
{
	char mac[20];

	fprintf(o->f, "ip -n %s link add br0 index %d address %s type bridge "
		      "forward_delay 200 stp_state %d mcast_snooping 0",
		o->ns, PLAN_BR0_IFINDEX, lab_mac_str(op->bridge.mac, mac),
		op->bridge.stp);
	if (op->bridge.hub)
		fprintf(o->f, " ageing_time 0");
	if (op->bridge.vlan_filtering)
		fprintf(o->f, " vlan_filtering 1");
	fputc('\n', o->f);
}

static void pr_veth(struct out *o, const struct plan_op *op)
{
	const struct plan_end *a = &op->veth.end[0], *b = &op->veth.end[1];
	char mac[20], peer_ns[80], q[SHQ_MAX];

	plan_netns_name(o->p, b->node, peer_ns, sizeof(peer_ns));
	fprintf(o->f, "ip -n %s link add %s index %d address %s mtu %d", o->ns,
		shq(a->dev.name, q, sizeof(q)), a->dev.ifindex,
		lab_mac_str(a->mac, mac), a->mtu);
	if (a->master)
		fprintf(o->f, " master br0");
	fprintf(o->f, " type veth peer name %s index %d address %s mtu %d netns %s\n",
		shq(b->dev.name, q, sizeof(q)), b->dev.ifindex,
		lab_mac_str(b->mac, mac), b->mtu, peer_ns);
}

static void pr_port(struct out *o, const struct plan_op *op)
{
	char q[SHQ_MAX];
	const char *name = shq(op->port.dev.name, q, sizeof(q));

	if (op->port.enslave)
		fprintf(o->f, "ip -n %s link set %s master br0\n", o->ns, name);
	if (op->port.no_learning)
		fprintf(o->f, "ip -n %s link set %s type bridge_slave learning off\n",
			o->ns, name);
}

static void pr_vlan(struct out *o, const struct plan_op *op)
{
	char mac[20], q1[SHQ_MAX], q2[SHQ_MAX];

	fprintf(o->f, "ip -n %s link add link %s name %s index %d address %s mtu %d type vlan id %d\n",
		o->ns, shq(op->vlan.parent.name, q1, sizeof(q1)),
		shq(op->vlan.dev.name, q2, sizeof(q2)), op->vlan.dev.ifindex,
		lab_mac_str(op->vlan.mac, mac), op->vlan.mtu, op->vlan.vid);
}

static void pr_bridge_vlan(struct out *o, const struct plan_op *op)
{
	char q[SHQ_MAX];

	fprintf(o->f, "bridge -n %s vlan %s dev %s vid %d%s\n", o->ns,
		op->bvlan.del ? "del" : "add",
		shq(op->bvlan.dev.name, q, sizeof(q)), op->bvlan.vid,
		op->bvlan.pvid ? " pvid untagged" : "");
}

static void pr_addr(struct out *o, const struct plan_op *op)
{
	char buf[64], q[SHQ_MAX];

	fprintf(o->f, "ip -n %s addr add %s dev %s%s\n", o->ns,
		lab_addr_str(&op->addr.addr, buf, sizeof(buf)),
		shq(op->addr.dev.name, q, sizeof(q)),
		op->addr.addr.family == AF_INET6 ? " nodad" : "");
}

static void pr_route(struct out *o, const struct plan_op *op)
{
	char buf[64];

	fprintf(o->f, "ip -n %s%s route add ", o->ns,
		op->route.dst.family == AF_INET6 ? " -6" : "");
	if (op->route.is_default)
		fputs("default", o->f);
	else
		fputs(lab_addr_str(&op->route.dst, buf, sizeof(buf)), o->f);
	if (op->route.has_via)
		fprintf(o->f, " via %s", lab_ip_str(&op->route.via, buf, sizeof(buf)));
	if (op->route.dev.name)
		fprintf(o->f, " dev %s", shq(op->route.dev.name, buf, sizeof(buf)));
	if (op->route.metric)
		fprintf(o->f, " metric %u", op->route.metric);
	fputc('\n', o->f);
}

static void tc_head(struct out *o, const struct plan_op *op)
{
	char q[SHQ_MAX];

	fprintf(o->f, "tc -n %s qdisc add dev %s ", o->ns,
		shq(op->qdisc.dev.name, q, sizeof(q)));
	if (op->qdisc.parent == PLAN_TC_ROOT)
		fputs("root", o->f);
	else
		fprintf(o->f, "parent %x:%x", op->qdisc.parent >> 16,
			op->qdisc.parent & 0xffff);
	fprintf(o->f, " handle %x: ", op->qdisc.handle >> 16);
}

static void pr_tbf(struct out *o, const struct plan_op *op)
{
	char buf[32];

	tc_head(o, op);
	fprintf(o->f, "tbf rate %s burst %ub limit %ub\n",
		units_rate_str(op->qdisc.rate_bps, buf, sizeof(buf)),
		op->qdisc.burst_bytes, op->qdisc.limit_bytes);
}

static void pr_netem(struct out *o, const struct plan_op *op)
{
	const struct plan_netem *s = &op->qdisc.netem;
	char buf[32];

	if (op->qdisc.impair == LAB_IMPAIR_ENGINE)
		fprintf(o->f, "# up relays this link through nslab's impairment engine (impairments=\"engine\"); this script uses netem\n");
	else if (op->qdisc.impair != LAB_IMPAIR_KERNEL)
		fprintf(o->f, "# on a kernel without sch_netem, up relays this link through nslab's impairment engine instead\n");
	tc_head(o, op);
	fprintf(o->f, "netem limit %u", s->limit_pkts);
	if (s->delay_ns) {
		fprintf(o->f, " delay %s", units_time_str(s->delay_ns, buf, sizeof(buf)));
		if (s->jitter_ns)
			fprintf(o->f, " %s distribution normal",
				units_time_str(s->jitter_ns, buf, sizeof(buf)));
	}
	if (s->loss_pct > 0)
		fprintf(o->f, " loss %g%%", s->loss_pct);
	if (s->duplicate_pct > 0)
		fprintf(o->f, " duplicate %g%%", s->duplicate_pct);
	if (s->reorder_pct > 0)
		fprintf(o->f, " reorder %g%%", s->reorder_pct);
	if (s->corrupt_pct > 0)
		fprintf(o->f, " corrupt %g%%", s->corrupt_pct);
	fputc('\n', o->f);
}

static void pr_sysctl(struct out *o, const struct plan_op *op)
{
	fprintf(o->f, "ip netns exec %s sysctl -qw ", o->ns);
	sq(o->f, op->sysctl.key);
	fputc('=', o->f);
	sq(o->f, op->sysctl.value);
	fputc('\n', o->f);
}

/* Content through a quoted here-document when it is plain text ending in a
 * newline, else through printf %b with octal escapes. */
static void pr_dst(FILE *f, const char *ns, const char *path)
{
	fprintf(f, "/etc/netns/%s/", ns);
	sq(f, path + 5);
}

static void pr_content(FILE *f, const char *ns, const char *path,
		       const char *c, size_t len)
{
	static const char delim[] = "NSLAB_EOF";
	bool text = len && c[len - 1] == '\n' && !memchr(c, 0, len) &&
		    !strstr(c, delim);
	size_t i;

	if (text) {
		fputs("cat > ", f);
		pr_dst(f, ns, path);
		fprintf(f, " <<'%s'\n", delim);
		fwrite(c, 1, len, f);
		fprintf(f, "%s\n", delim);
		return;
	}
	fputs("printf '%b' '", f);
	for (i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)c[i];

		if (ch == '\'' || ch == '\\' || ch < 0x20 || ch >= 0x7f)
			fprintf(f, "\\0%03o", ch);
		else
			fputc(ch, f);
	}
	fputs("' > ", f);
	pr_dst(f, ns, path);
	fputc('\n', f);
}

static void pr_file(struct out *o, const struct plan_op *op)
{
	const char *path = op->file.path;
	const char *slash;

	if (op->file.hosts) {
		/* the same in every node: print it once */
		if (!o->hosts_var) {
			fprintf(o->f, "hosts=$(cat <<'NSLAB_EOF'\n%sNSLAB_EOF\n)\n",
				op->file.content);
			o->hosts_var = true;
		}
		fprintf(o->f, "mkdir -p /etc/netns/%s && printf '%%s\\n' \"$hosts\" > /etc/netns/%s/hosts\n",
			o->ns, o->ns);
		return;
	}
	if (strncmp(path, "/etc/", 5)) {
		fprintf(o->f, "# not reproduced: %s in %s (nslab gives each node a private /run and /tmp,\n"
			      "# and one /shared per lab; a plain script has no such view)\n",
			path, o->ns);
		return;
	}
	/* streamed, never through a fixed buffer: a long path is printed whole
	 * (the lab's names are plain words, the path is quoted) */
	slash = strrchr(path, '/');
	fprintf(o->f, "mkdir -p /etc/netns/%s", o->ns);
	if (slash > path + 4) {		/* below /etc/ itself */
		fputc('/', o->f);
		sqn(o->f, path + 5, (size_t)(slash - path - 5));
	}
	fputc('\n', o->f);
	pr_content(o->f, o->ns, path, op->file.content, op->file.len);
	if (op->file.mode != 0644) {
		fprintf(o->f, "chmod %04o ", op->file.mode);
		pr_dst(o->f, o->ns, path);
		fputc('\n', o->f);
	}
}

static void pr_start(struct out *o, const struct plan_op *op)
{
	if (op->start.background) {
		fprintf(o->f, "ip netns exec %s setsid sh -c ", o->ns);
		sq(o->f, op->start.cmd);
		fprintf(o->f, " >> /tmp/%s.log 2>&1 < /dev/null &\n", o->ns);
	} else {
		fprintf(o->f, "ip netns exec %s sh -c ", o->ns);
		sq(o->f, op->start.cmd);
		fputc('\n', o->f);
	}
}

static const char *const section[] = {
	[PLAN_NETNS] = "namespaces: one per node",
	[PLAN_SYSCTL_EARLY] = "namespace settings (before any link exists)",
	[PLAN_BRIDGE] = "switches: a bridge in each switch's namespace",
	[PLAN_VETH] = "links: veth pairs created with both ends in place",
	[PLAN_PORT] = "switch ports the veth could not finish: the far end of a\n"
		      "# switch-to-switch link joins its bridge; hub ports stop learning",
	[PLAN_VLAN] = "802.1Q sub-interfaces",
	[PLAN_BRIDGE_VLAN] = "switch port VLANs",
	[PLAN_LINK_UP] = "per node: interfaces up, addresses, routes, shaping",
	[PLAN_SYSCTL] = "sysctls of the lab file",
	[PLAN_FILE] = "node files (ip netns exec shows /etc/netns/NS/ as /etc)",
	[PLAN_START] = "start commands",
};

static void pr_op(struct out *o, const struct plan_op *op)
{
	char q[SHQ_MAX];

	plan_netns_name(o->p, op->node, o->ns, sizeof(o->ns));
	switch (op->kind) {
	case PLAN_NETNS:
		fprintf(o->f, "ip netns add %s\n", o->ns);
		break;
	case PLAN_SYSCTL_EARLY:
	case PLAN_SYSCTL:
		pr_sysctl(o, op);
		break;
	case PLAN_BRIDGE:
		pr_bridge(o, op);
		break;
	case PLAN_VETH:
		pr_veth(o, op);
		break;
	case PLAN_PORT:
		pr_port(o, op);
		break;
	case PLAN_VLAN:
		pr_vlan(o, op);
		break;
	case PLAN_BRIDGE_VLAN:
		pr_bridge_vlan(o, op);
		break;
	case PLAN_LINK_UP:
		fprintf(o->f, "ip -n %s link set %s up\n", o->ns,
			shq(op->up.dev.name, q, sizeof(q)));
		break;
	case PLAN_ADDR:
		pr_addr(o, op);
		break;
	case PLAN_ROUTE:
		pr_route(o, op);
		break;
	case PLAN_QDISC_TBF:
		pr_tbf(o, op);
		break;
	case PLAN_QDISC_NETEM:
		pr_netem(o, op);
		break;
	case PLAN_FILE:
		pr_file(o, op);
		break;
	case PLAN_START:
		pr_start(o, op);
		break;
	}
}

static void pr_down(struct out *o, const char *prefix)
{
	int i;

	for (i = 0; i < o->p->nnodes; i++) {
		plan_netns_name(o->p, i, o->ns, sizeof(o->ns));
		fprintf(o->f, "%sip netns pids %s 2>/dev/null | xargs -r kill -9\n",
			prefix, o->ns);
		fprintf(o->f, "%sip netns del %s 2>/dev/null\n", prefix, o->ns);
		fprintf(o->f, "%srm -rf /etc/netns/%s\n", prefix, o->ns);
	}
	fprintf(o->f, "%srmdir /etc/netns 2>/dev/null || true\n", prefix);
}

static bool is_node_step(enum plan_kind k)
{
	return k == PLAN_LINK_UP || k == PLAN_ADDR || k == PLAN_ROUTE ||
	       k == PLAN_QDISC_TBF || k == PLAN_QDISC_NETEM;
}

/* The lab file's name in a comment line: no newline may end the comment. */
static const char *comment_safe(const char *s, char *buf, size_t len)
{
	size_t i;

	snprintf(buf, len, "%s", s);
	for (i = 0; buf[i]; i++)
		if ((unsigned char)buf[i] < 0x20 || buf[i] == 0x7f)
			buf[i] = '?';
	return buf;
}

int plan_print(const struct plan *p, FILE *f, int down)
{
	struct out o = { .f = f, .p = p };
	int i, last = -1, last_node = -1;
	char file[512];

	fprintf(f, "#!/bin/bash\n# Lab \"%s\" from %s, as ip, tc and sysctl commands (nslab plan%s).\n",
		p->name, comment_safe(p->file, file, sizeof(file)),
		down ? " --down" : "");
	if (down) {
		fprintf(f, "# Removes the lab built by `nslab plan %s | bash`.\n",
			file);
		pr_down(&o, "");
		return ferror(f) ? -EIO : 0;
	}
	fprintf(f, "# Run as root.  Tear down with `nslab plan --down %s | bash`\n"
		   "# or the commands at the end of this script.\n"
		   "set -e\n",
		file);
	for (i = 0; i < p->nops; i++) {
		const struct plan_op *op = &p->ops[i];
		int k = is_node_step(op->kind) ? PLAN_LINK_UP : (int)op->kind;

		if (k != last)
			fprintf(f, "\n# -- %s\n", section[k]);
		if (k == PLAN_LINK_UP && op->node != last_node)
			fprintf(f, "# %s %s\n", lab_kind_name(p->nodes[op->node].kind),
				p->nodes[op->node].name);
		last = k;
		last_node = k == PLAN_LINK_UP ? op->node : -1;
		pr_op(&o, op);
	}
	fprintf(f, "\n# -- teardown\n");
	pr_down(&o, "#   ");
	return ferror(f) ? -EIO : 0;
}

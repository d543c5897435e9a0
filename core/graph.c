/* graph.c — a resolved lab as Graphviz DOT (graph.h).  Pure: it reads the
 * model and writes to a FILE, nothing else. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "graph.h"
#include "lab.h"

void graph_dot_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; s && *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\') {
			fputc('\\', f);
			fputc(c, f);
		} else if (c == '\n') {
			/* Graphviz's line break in a label */
			fputs("\\n", f);
		} else if (c < 0x20 || c == 0x7f) {
			fputc('?', f);
		} else {
			fputc(c, f);
		}
	}
	fputc('"', f);
}

/* A label is built as plain text in memory (lines joined by '\n'), then
 * written once, quoted. */
struct label {
	FILE *m;
	char *s;
	size_t n;
};

static int label_open(struct label *l)
{
	l->s = NULL;
	l->n = 0;
	l->m = open_memstream(&l->s, &l->n);
	return l->m ? 0 : -ENOMEM;
}

/* Close the label; write ` NAME=LABEL` (after sep) to f unless it is
 * empty.  0 or -ENOMEM. */
static int label_emit(struct label *l, FILE *f, const char *sep,
		      const char *name)
{
	int bad = ferror(l->m);

	if (fclose(l->m) || bad) {
		free(l->s);
		return -ENOMEM;
	}
	if (l->n) {
		fprintf(f, "%s%s=", sep, name);
		graph_dot_str(f, l->s);
	}
	free(l->s);
	return 0;
}

/* sep written unless m is still empty: between lines or words. */
static void label_sep(FILE *m, char sep)
{
	if (ftell(m) > 0)
		fputc(sep, m);
}

/* The addresses of interface fi, after sep each. */
static void put_addrs(FILE *m, const struct lab *lab, int fi, const char *sep)
{
	struct lab_addr a[LAB_IFACE_ADDRS_ALL];
	char buf[64];
	int k, n = lab_iface_addrs(lab, fi, a, LAB_IFACE_ADDRS_ALL);

	for (k = 0; k < n; k++)
		fprintf(m, "%s%s", sep, lab_addr_str(&a[k], buf, sizeof(buf)));
}

static int node_stmt(const struct lab *lab, int i, FILE *f)
{
	const struct lab_node *n = &lab->nodes[i];
	const char *shape = n->kind == LAB_SWITCH ? GRAPH_SHAPE_SWITCH :
			    n->kind == LAB_ROUTER ? GRAPH_SHAPE_ROUTER :
						    GRAPH_SHAPE_HOST;
	struct label l;

	if (label_open(&l))
		return -ENOMEM;
	fputs(n->name, l.m);
	if (n->kind == LAB_SWITCH && (n->stp || n->hub || n->vlan_filtering))
		fprintf(l.m, "\n%s%s%s%s%s", n->stp ? "stp=on" : "",
			n->stp && (n->hub || n->vlan_filtering) ? " " : "",
			n->hub ? "hub=yes" : "",
			n->hub && n->vlan_filtering ? " " : "",
			n->vlan_filtering ? "vlan-filtering=on" : "");
	if (n->lo_iface >= 0 &&
	    (lab->ifaces[n->lo_iface].naddrs ||
	     lab->ifaces[n->lo_iface].auto4.family ||
	     lab->ifaces[n->lo_iface].auto6.family)) {
		fprintf(l.m, "\n%s:", lab->ifaces[n->lo_iface].name);
		put_addrs(l.m, lab, n->lo_iface, " ");
	}
	fputc('\t', f);
	graph_dot_str(f, n->name);
	fprintf(f, " [shape=%s", shape);
	if (label_emit(&l, f, ", ", "label"))
		return -ENOMEM;
	fputs("];\n", f);
	return 0;
}

/* One end of a link: the interface, its addresses one a line, then each
 * 802.1Q sub-interface made on it with its addresses. */
static void end_label(const struct lab *lab, int fi, FILE *m)
{
	const struct lab_iface *f = &lab->ifaces[fi];
	const struct lab_node *n = &lab->nodes[f->node];
	int j;

	fputs(f->name, m);
	put_addrs(m, lab, fi, "\n");
	for (j = 0; j < n->nifaces; j++) {
		const struct lab_iface *s = &lab->ifaces[n->ifaces[j]];

		if (s->parent_iface != fi)
			continue;
		fprintf(m, "\n%s:", s->name);
		put_addrs(m, lab, n->ifaces[j], " ");
	}
}

/* The impairments a direction really has, in the file's words ("rate=10mbit
 * delay=5ms"): written zeros ("delay=0", "rate=none") are none, and a queue
 * counts only where a qdisc (or the engine) holds packets. */
static const char *shaping_words(const struct lab_shaping *in, char *buf,
				 size_t len)
{
	struct lab_shaping s = *in;

	s.set = 0;
	if (lab_shaping_needs_tbf(in))
		s.set |= LAB_SH_RATE;
	if (in->delay_ns)
		s.set |= LAB_SH_DELAY;
	if (in->jitter_ns)
		s.set |= LAB_SH_JITTER;
	if (in->loss_pct > 0)
		s.set |= LAB_SH_LOSS;
	if (in->duplicate_pct > 0)
		s.set |= LAB_SH_DUPLICATE;
	if (lab_shaping_reorder(in) > 0)
		s.set |= LAB_SH_REORDER;
	if (in->corrupt_pct > 0)
		s.set |= LAB_SH_CORRUPT;
	if (in->queue_pkts && s.set)
		s.set |= LAB_SH_QUEUE;
	return lab_shaping_str(&s, buf, len);
}

static void link_label(const struct lab *lab, int li, FILE *m)
{
	const struct lab_link *k = &lab->links[li];
	enum lab_impair im = lab_link_impair(lab, li);
	char sh[2][512];
	int d, j;

	/* first line: what concerns the cable as a whole */
	if (k->vlan)
		fprintf(m, "vlan=%d", k->vlan);
	for (j = 0; j < k->nvlans; j++) {
		if (!j) {
			label_sep(m, ' ');
			fputs("vlans=", m);
		}
		fprintf(m, "%s%d", j ? "," : "", k->vlans[j]);
	}
	if (k->mtu) {
		label_sep(m, ' ');
		fprintf(m, "mtu=%d", k->mtu);
	}
	if (im != LAB_IMPAIR_AUTO) {
		label_sep(m, ' ');
		fprintf(m, "impairments=%s", lab_impair_name(im));
	}
	/* then the shaping: one line when both directions agree */
	for (d = 0; d < 2; d++)
		shaping_words(&k->shape[d], sh[d], sizeof(sh[d]));
	if (!strcmp(sh[0], sh[1])) {
		if (sh[0][0]) {
			label_sep(m, '\n');
			fputs(sh[0], m);
		}
		return;
	}
	for (d = 0; d < 2; d++) {
		if (!sh[d][0])
			continue;
		label_sep(m, '\n');
		fprintf(m, "%s: %s", d ? "b-to-a" : "a-to-b", sh[d]);
	}
}

static int edge_stmt(const struct lab *lab, int li, FILE *f)
{
	const struct lab_link *k = &lab->links[li];
	static const char *const names[2] = { "taillabel", "headlabel" };
	struct label l;
	int d;

	fputc('\t', f);
	graph_dot_str(f, lab->nodes[k->end[0].node].name);
	fputs(" -- ", f);
	graph_dot_str(f, lab->nodes[k->end[1].node].name);
	fputs(" [", f);
	for (d = 0; d < 2; d++) {
		if (label_open(&l))
			return -ENOMEM;
		end_label(lab, k->iface[d], l.m);
		if (label_emit(&l, f, d ? ", " : "", names[d]))
			return -ENOMEM;
	}
	if (label_open(&l))
		return -ENOMEM;
	link_label(lab, li, l.m);
	if (label_emit(&l, f, ", ", "label"))
		return -ENOMEM;
	fputs("];\n", f);
	return 0;
}

int graph_write(const struct lab *lab, FILE *f)
{
	int i, ret = 0;

	fputs("graph ", f);
	graph_dot_str(f, lab->name);
	/* room between nodes, and end labels away from the node, so that
	 * the labels of a node's several links do not overlap */
	fputs(" {\n"
	      "\tgraph [nodesep=0.8, ranksep=1];\n"
	      "\tnode [fontsize=11];\n"
	      "\tedge [fontsize=9, labelfontsize=9, labeldistance=2];\n", f);
	for (i = 0; i < lab->nnodes && !ret; i++)
		ret = node_stmt(lab, i, f);
	for (i = 0; i < lab->nlinks && !ret; i++)
		ret = edge_stmt(lab, i, f);
	if (ret)
		return ret;
	fputs("}\n", f);
	if (fflush(f) || ferror(f))
		return errno ? -errno : -EIO;
	return 0;
}

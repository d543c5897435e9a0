/* graph.h — a resolved lab as a Graphviz graph in the DOT language
 * (nslab graph; README.md, "Seeing a lab: graph").
 *
 * The graph is undirected and named after the lab.  Nodes come in file
 * order, each shaped by its kind (GRAPH_SHAPE_*), a switch's options on a
 * second line of its label, the addresses of a host's or router's lo too.
 * Then one edge per <link>, in file order, tail the link's a end and head
 * its b end: each end's label is the interface's name, its addresses and
 * its 802.1Q sub-interfaces with theirs; the edge's own label is the
 * link's VLANs, MTU and impairment mode, then its shaping in the file's
 * KEY=VALUE words, one line for both directions when they are the same,
 * else one line per direction that has any ("a-to-b: ...").  Every string
 * is quoted, with '"' and '\' escaped, so no name or label can end one
 * early.  The same lab gives the same bytes.
 */
#pragma once

#include <stdio.h>

#define GRAPH_SHAPE_HOST "box"
#define GRAPH_SHAPE_ROUTER "ellipse"
#define GRAPH_SHAPE_SWITCH "box3d"

struct lab;

/* Write lab (resolved) as DOT to f.  0, or -errno when writing failed. */
int graph_write(const struct lab *lab, FILE *f);

/* s as a DOT quoted string on f: '"' and '\' escaped, a newline as the
 * line break "\n", any other control character as '?'. */
void graph_dot_str(FILE *f, const char *s);

/* topo.h — generated topologies: a Mininet-style SPEC ("tree,2,3",
 * "tree,depth=2,fanout=3") turned into the text of a lab file, for
 * `nslab gen` and `up`/`run --topo` (topologies/README.md, "Generated
 * topologies").
 *
 * Mininet's kinds (minimal, single, reversed, linear, tree, torus) are
 * built as Mininet 2.3 builds them: the same node names, hosts numbered
 * 10.0.0.1/8 up in the order Mininet adds them, the same links in the
 * order Mininet makes them, the same interface numbers.  nslab's own ring
 * and mesh are routers, each with one host, and static routes.  Pure: no
 * syscalls.
 */
#pragma once

#include <stddef.h>

/* "minimal, single, reversed, linear, tree, torus, ring, mesh" */
extern const char topo_kinds[];

/* The lab file of SPEC, its lab named NAME (NULL: after the kind,
 * "tree").  Returns 0 with *xml malloc'd and NUL-terminated (*len bytes
 * before the NUL); -EINVAL with the reason in why, naming the part of SPEC
 * at fault ("depth must be at least 1"); or -ENOMEM. */
int topo_gen(const char *spec, const char *name, char **xml, size_t *len,
	     char *why, size_t whylen);

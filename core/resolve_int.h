/* resolve_int.h — shared by the files that resolve a lab (resolve*.c).
 *
 * Private to the resolver: only resolve.c, resolve_addr.c and
 * resolve_steps.c include it.  Everything else reads lab.h.
 */
#pragma once

#include <stdbool.h>

#include "lab.h"

struct resolver {
	struct lab *lab;
	struct lab_errors *errs;
	int *names;		/* node name hash table: node index + 1 */
	unsigned nnames;
	int *uf;		/* union-find over nodes (switch components) */
	int *next_auto;		/* per node: every ethN below it is taken */
	int *ifh;		/* (node, name) -> iface index + 1 */
	unsigned nifh;
	int *pairs;		/* (node, node) -> first link + 1 (steps) */
	unsigned npairs;
};

/* resolve.c: names, interfaces, link ends, shaping */
int name_lookup(struct resolver *r, const char *name, bool insert, int idx);
int if_find(const struct resolver *r, int node, const char *name);
int resolve_end(struct resolver *r, int line, const char *attr,
		struct lab_end *e);
void check_shaping(struct resolver *r, int line, const char *what,
		   const struct lab_shaping *s);

/* resolve_addr.c: automatic addresses, routes, gateways */
int assign_addresses(struct resolver *r);
int resolve_routes(struct resolver *r);

/* resolve_steps.c: the nodes and links that test steps name */
void resolve_steps(struct resolver *r);

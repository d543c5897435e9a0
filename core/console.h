/* console.h — the pure part of `nslab cli` (README.md, "The console"):
 * splitting a console line into words, and putting a node's address in
 * place of its name.  No syscalls; tools/cmd_cli.c runs the words.
 *
 * A line is split as a shell splits a simple command, without expansions:
 * blanks separate words; '...' keeps everything literally; "..." keeps
 * everything but \" \\ \$ \` (backslash then that character); outside
 * quotes a backslash keeps the next character; a '#' at the start of a
 * word begins a comment that runs to the end of the line.  A word written
 * with any quote or backslash is "quoted": it is never replaced by an
 * address.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "lab.h"

struct console_line {
	int n;			/* words; 0 for a blank or comment line */
	char **w;		/* n words (malloc'd each), then NULL */
	bool *quoted;		/* w[i] had a quote or a backslash */
	size_t *at;		/* offset in the line where w[i] starts */
};

/* Split line into *l (zeroed first; console_line_free() it also on
 * failure).  0, -EINVAL with *why ("unterminated single quote", ...), or
 * -ENOMEM. */
int console_split(const char *line, struct console_line *l, const char **why);
void console_line_free(struct console_line *l);

/* Node `node`'s first address without its prefix length ("10.0.0.2"): the
 * one pingall pings (lab_node_first_addr(), IPv4 first, else IPv6).  NULL
 * when the node has none. */
const char *console_node_addr(const struct lab *lab, int node, char *buf,
			      size_t len);

/* Mininet's rule: every word from index `from` on that is exactly a node's
 * name, and not quoted, becomes that node's address (a node without one
 * keeps its name).  Returns the number of words replaced, or -ENOMEM. */
int console_subst(struct console_line *l, int from, const struct lab *lab);

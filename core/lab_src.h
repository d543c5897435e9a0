/* lab_src.h — reading the files named by <file src=> (lab_src.c), for the
 * parser.  The rules are in topologies/README.md ("<file>" and "Limits"). */
#pragma once

#include <stddef.h>
#include <sys/types.h>

#include "lab.h"

struct lab_src_seen;

/* The files one parse has read so far. */
struct lab_srcs {
	int dirfd;			/* the lab file's directory, -1 = not open */
	size_t total;			/* bytes of the distinct files read */
	struct lab_src_seen *seen;	/* hash table by device and inode */
	size_t nseen, capseen;
};

void lab_srcs_init(struct lab_srcs *s);
void lab_srcs_free(struct lab_srcs *s);
/* Give F (at F->line, with F->src set) the content of its src file, read
 * once per distinct file into the lab's arena.  Problems go to errs. */
void lab_src_load(struct lab_srcs *s, struct lab *lab, struct lab_file *f,
		  struct lab_errors *errs);

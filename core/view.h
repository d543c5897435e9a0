/* view.h — the node views: what a command inside a node sees of the file
 * system (README.md, "Inside a node"): the host's files, with
 *
 *   /etc   overlay: the node's <file>s over the lab's /etc/hosts over the
 *          host's /etc; writes stay in the node;
 *   /var   overlay: the host's /var, writes stay in the node (daemons' logs
 *          and state);
 *   /tmp, /run       the node's own, kept for the lab's lifetime;
 *   /run/shared (and /shared when the host has that directory)
 *                    the lab's shared directory;
 *   /sys   a sysfs of the node's network namespace.
 *
 * Each node's view is a mount namespace made once, by the holder, and kept
 * by an fd of the holder; a command enters it with one setns().  Nothing
 * is mounted in the host's mount namespace, and everything goes with the
 * holder.
 */
#pragma once

#include "state.h"

enum view_stage {
	VIEW_SETUP, VIEW_ATTACH, VIEW_UNSHARE, VIEW_ETC, VIEW_VAR, VIEW_TMP,
	VIEW_SHARED, VIEW_RUN, VIEW_SYS, VIEW_KEEP,
};

struct view_fail {
	int node;	/* index in st->nodes, -1: the lab as a whole */
	int stage;	/* enum view_stage */
	int err;	/* errno */
};

const char *view_stage_name(int stage);

/* In the holder (single-threaded; it moves into a mount namespace of its
 * own): attach the lab's files tree files_fd (a detached tmpfs) on
 * LABDIR/view there, and make every node's view of st (each node needs its
 * netns_fd, valid here).  Node i's view is kept at fd *base + i.  Returns
 * 0, or -errno with *f saying where. */
int view_build(const struct state *st, const char *labdir, int files_fd,
	       int *base, struct view_fail *f);

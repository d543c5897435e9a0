/* holder.h — the holder: the process that keeps a running lab's namespaces
 * and node views alive (core/README.md, "The holder"), how it is started,
 * proven and ended. */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "state.h"

/* ---- who is a holder (holder.c) -------------------------------------------
 *
 * A holder is trusted only when proven: it runs as root (real and
 * effective uid 0), argv[0] is "nslab: lab LAB", it is not a zombie, and
 *  - the recorded holder (st->holder): its start time and executable are
 *    the ones nodes.tab recorded when up started it;
 *  - any other candidate (a lab whose table is missing or stale): its
 *    executable is the one nodes.tab recorded or, without a record, the
 *    running nslab binary itself.
 * A process that merely calls itself "nslab: lab X" is never trusted. */

/* Prove st->holder.  0 and st->holder_pidfd set (kept until state_close),
 * so that holder_alive() can later tell that whatever was read from
 * /proc/HOLDER in between came from that very process.  -ESRCH when the
 * recorded holder is gone (or its pid now names another process). */
int holder_prove(struct state *st);
/* The proven holder still runs (the pidfd has not signalled exit). */
bool holder_alive(const struct state *st);
/* pid is a holder of lab by the rule above (st may be NULL: no record). */
bool holder_ok(pid_t pid, const char *lab, const struct state *st);
/* Every live holder of lab that passes holder_ok(); returns how many
 * (<= max).  *impostors (may be NULL) counts processes named like one that
 * failed the proof. */
int holder_find(const char *lab, const struct state *st, pid_t *pids,
		       int max, int *impostors);
/* fn(LAB, arg) for every running process that passes holder_ok()
 * without a record (root, this nslab binary, "nslab: lab LAB"), state dir
 * or not: for down --all.  A lab may come more than once. */
int holder_each(void (*fn)(const char *lab, void *arg), void *arg);

/* ---- starting and ending it ------------------------------------------------------------
 *
 * Fork+exec /proc/self/exe as "nslab: lab NAME" holding the given netns fds
 * and the files tree (same numbers in the holder), wait until it has made
 * the node views (view.h), then record everything in nodes.tab and make
 * /run/netns/NAME.NODE symlinks.  Nodes not yet in st are added (kind "-").
 * On failure the holder (if any) is killed, st->why says which step of
 * which node failed when the holder could tell, and the caller removes the
 * lab. */
int holder_spawn(struct state *st, const int *ns_fds,
		       const char *const *node_names, int n, pid_t *pid);
/* SIGTERM holder pid of st's lab, SIGKILL after timeout; waits until it
 * is gone (after SIGKILL, 5 s plus 2 ms a node of st: it frees the node
 * views as it exits), else -ETIMEDOUT.  0 also when there is none, or
 * when pid is not a holder by holder_ok(). */
int holder_kill(const struct state *st, pid_t pid, uint64_t timeout_ns);
/* The holder itself: argv[0] = "nslab: lab NAME", fd to report readiness in
 * env NSLAB_HOLDER_READY.  Returns only on error (the exit status). */
int holder_main(void);
/* True when this process was started as a holder (argv[0]). */
bool holder_is_argv0(const char *argv0);

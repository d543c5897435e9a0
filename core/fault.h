/* fault.h — fault injection, for the tests of nslab's error paths.
 *
 * NSLAB_FAIL_AT=N[:ERRNO] in the environment makes the Nth injectable
 * operation of this process fail with ERRNO (a name such as ENOMEM or
 * ENOSPC, or a number; default EIO) as if the kernel had refused it.  The
 * injectable operations, counted from 1 in the order they happen:
 *
 *   netlink   each request message sent (core/nl.c, nl_batch_send())
 *   ns        each namespace made (unshare of a netns or mount namespace)
 *   fork      each fork(), the inner fork of a double fork included
 *   mount     fsopen, fsconfig, fsmount, move_mount, mount(2)
 *   write     a node <file>, nodes.tab, a sysctl, a /run/netns link
 *
 * Exactly one operation fails; every later one runs normally, so the
 * rollback that follows is the real one.  NSLAB_FAIL_AT=list fails nothing
 * and prints each operation as it happens ("nslab: fault point N: KIND")
 * and, at exit, their number ("nslab: fault points: M"), so a test knows
 * how far to walk N (tests/e2e/t-22-fault-walk.sh, README.md "Testing
 * nslab itself").
 *
 * The variable is read once, at the first operation, and removed from the
 * environment; a command run in a node never gets it (runner.c).  The holder (holder.c)
 * is given the remaining budget (N minus the operations already counted)
 * and reports how many operations it performed, so the numbering stays
 * one sequence across both processes.  It is always compiled in: it can
 * only make nslab fail, never do something it would not otherwise do.
 */
#pragma once

#include <stddef.h>

#define FAULT_ENV "NSLAB_FAIL_AT"

enum fault_kind { FAULT_NETLINK, FAULT_NS, FAULT_FORK, FAULT_MOUNT, FAULT_WRITE };

/* Count one operation of kind k.  Returns 0 to go on, or the errno to fail
 * with (also stored in errno), so a hook reads
 *     if (fault_hit(FAULT_MOUNT) || mount(...) < 0) return -errno; */
int fault_hit(enum fault_kind k);
/* Operations counted so far in this process. */
long fault_count(void);
/* Count n operations performed elsewhere (by the holder) on our behalf. */
void fault_skip(long n, const char *where);
/* "NSLAB_FAIL_AT=..." for a child that counts on our behalf (the holder),
 * in buf; NULL when no fault is pending (off, or already injected). */
const char *fault_child_env(char *buf, size_t len);

/* runner.h — entering a node: run commands inside a lab's node, capture
 * their output, run daemons, and kill everything a lab runs.
 *
 * A command in a node (README.md, "Inside a node") runs in a forked child
 * (setns into a mount namespace is refused in a multithreaded process)
 * that enters the node's network namespace and its file view (view.h: a
 * mount namespace the holder made once, with /etc, /var, /tmp, /run,
 * /run/shared and /sys of the node), unshares a UTS namespace, sets the
 * hostname to the node's name and execs, with NSLAB_LAB, NSLAB_NODE and
 * NSLAB_SHARED (where the lab's shared dir is inside the node: /shared or
 * /run/shared) in the env.
 */
#pragma once

#include <signal.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "state.h"

struct runner_cmd {
	const struct state *st;
	int node;		/* index into st->nodes */
	int netns_fd;		/* from runner_open_netns(), in our fd table */
	char *const *argv;	/* argv[0] is looked up in PATH */
	char *const *envp;	/* NULL: our environ; NSLAB_* are added */
	int fd_in, fd_out, fd_err;	/* -1: /dev/null (background: the log) */
	bool background;	/* detached daemon: double fork, setsid, stdin
				 * /dev/null, stdout+stderr appended to the node
				 * log, none of our fds */
	bool new_pgrp;		/* own process group (timeouts kill it whole) */
	bool die_with_parent;	/* PR_SET_PDEATHSIG(SIGKILL): foreground only;
				 * fires when the forking THREAD exits */
};

/* Why a spawn failed: the step that failed in the child and its errno.
 * stage "exec" with ENOENT means "command not found" (exit 127), any other
 * "exec" error "not executable" (126). */
struct runner_fail {
	const char *stage;
	int err;
};

/* Open the node's netns (/proc/HOLDER/fd/N, else /run/netns/LAB.NODE) and
 * check its inode against nodes.tab: -ESTALE when it differs (the holder
 * pid was reused), -ENOENT when the lab's holder is gone. */
int runner_open_netns(const struct state *st, int node, int *fd);

/* When set, points at the caller's signal flag: runner_wait() and
 * runner_run_capture() kill their command and return -EINTR once it is
 * non-zero (so Ctrl-C does not wait for a 30 s start command). */
extern volatile sig_atomic_t *runner_cancel;

/* Start the command.  Returns 0 with *pid (the daemon's pid for background
 * commands; not our child then), or -errno with *fail filled. */
int runner_spawn(const struct runner_cmd *c, pid_t *pid,
		 struct runner_fail *fail);
/* Wait for our child pid; timeout_ns 0 = no limit.  On timeout the process
 * group (or the process) is SIGKILLed and reaped: -ETIMEDOUT. */
int runner_wait(pid_t pid, uint64_t timeout_ns, int *status);
/* Foreground with stdout+stderr captured (NUL-terminated, truncated to
 * outlen - 1) and also appended to log/NODE.log; stdin /dev/null, own
 * process group.  A background grandchild holding the pipe does not delay
 * the return: we stop when the command exits. */
int runner_run_capture(const struct runner_cmd *c, uint64_t timeout_ns,
		       int *status, char *out, size_t outlen,
		       struct runner_fail *fail);
/* The exit code a shell would give: status, or 128+N for signal N. */
int runner_exit_code(int status);

/* Kill every process whose netns is one of inodes[] (scan of
 * /proc/PID/ns/net: double-forked daemons are found too), except ourselves
 * and `spare` (0: none): SIGTERM (+SIGCONT), up to 2 s, then SIGKILL until
 * none is left.  *nkilled: distinct processes signalled.  The caller's and
 * PID 1's network namespaces are never in the list, whatever inodes says. */
int runner_kill_lab(const unsigned long *inodes, int n, pid_t spare,
		    int *nkilled);


/* tester.h — running a lab's <tests> against the running lab
 * (topologies/README.md, "Tests"; README.md, "Tests: `nslab run` in CI").
 *
 * Steps run one after another in document order.  A check (ping, pingall,
 * run, iperf, exec) with timeout= is retried about every half second until
 * it passes or the time is up, and reports how long it took to pass: that
 * is how convergence is measured.  An action (link-down, link-up, link-set,
 * link-flap, sleep) fails only when the kernel refuses it.  A failed step
 * does not stop the script.  Results are data; the caller prints them.
 */
#pragma once

#include <stdbool.h>

#include "lab.h"
#include "plan.h"
#include "ping.h"
#include "state.h"

#define TESTER_RETRY_NS 500000000ull	/* between attempts of a check */
#define TESTER_CMD_NS 60000000000ull	/* cap of one untimed run/exec */

struct tester_result {
	int n;				/* 1-based step number */
	const struct lab_step *step;
	bool ok;
	char name[256];			/* name= or derived ("h1 reaches h3") */
	char detail[768];		/* what was seen; on failure also what
					 * was expected */
	double secs;			/* the step's wall time */
	double passed_after;		/* a retried check that passed: seconds
					 * until it did; -1 otherwise */
	int tries;
	char *output;			/* run, exec, iperf: the last attempt's
					 * output (malloc'd) or NULL */
};

struct tester_io {
	/* before each step, with its name (progress); may be NULL */
	void (*begin)(void *ctx, int n, int total, const char *name);
	/* after each step: always set */
	void (*done)(void *ctx, const struct tester_result *r);
	void *ctx;
};

struct tester_summary {
	int total, passed, failed, not_run;
	double secs;
};

/* Run every step of lab (the model of the running lab st, life_model())
 * with plan (its plan_build()).  Returns 0 when the script ran to its end
 * (sum says how many steps failed), 128 + N when signal N (runner_cancel)
 * stopped it (sum->not_run steps left), or -errno when nothing could run. */
int tester_run(const struct lab *lab, const struct plan *plan,
	       struct state *st, const struct tester_io *io,
	       struct tester_summary *sum);

/* Run one step s, which need not be one of lab's (nslab cli's iperf
 * makes its own), into *r (free r->output after); plan may be NULL unless
 * s is a link step.  0, or 128 + N when signal N (runner_cancel) stopped
 * it. */
int tester_step(const struct lab *lab, const struct plan *plan,
		struct state *st, const struct lab_step *s,
		struct tester_result *r);

/* Every ordered pair of hosts (all: and routers) with an address pings
 * the other's first address, count times (pingall): pairs[k] for sources
 * k / (n - 1) in nodes[] order, destination tester_pair_dst(k, n).  0, or
 * -errno (failed_node: the node that could not be entered, or -1). */
struct tester_pingall {
	int n, *nodes;			/* model indexes of the nodes pinging */
	int npairs;
	struct ping_pair *pairs;
	int failed_node;
	/* The kernel's neighbour table is one for all namespaces and holds
	 * gc_thresh3 entries (default 1024); each pair needs one while it
	 * runs.  need > limit: misses are expected (limit 0: unknown). */
	long neigh_need, neigh_limit;
};
int tester_pingall(const struct lab *lab, struct state *st, bool all,
		   unsigned count, struct tester_pingall *pa);
int tester_pair_dst(int k, int n);
void tester_pingall_free(struct tester_pingall *pa);

/* The default name of a step ("h1 reaches h3", "link r1 -- r2 down"). */
const char *tester_step_name(const struct lab *lab, const struct lab_step *s,
			     char *buf, size_t len);

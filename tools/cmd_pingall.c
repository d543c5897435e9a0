/* cmd_pingall.c — nslab pingall NAME [--count N] [--all]: every host of a
 * running lab pings every other one (core/tester.c, tester_pingall()), all
 * pairs at once with no ping process.  Printed the way Mininet's pingall
 * does, one line per source with X for a miss, then the results line. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "lab.h"
#include "lifecycle.h"
#include "state.h"
#include "tester.h"
#include "units.h"

static void print_matrix(const struct lab *lab, const struct tester_pingall *pa,
			 unsigned count)
{
	long sent = 0, got = 0;
	int i, k;

	printf("*** Ping: testing ping reachability\n");
	for (i = 0; i < pa->n; i++) {
		printf("%s ->", lab->nodes[pa->nodes[i]].name);
		for (k = i * (pa->n - 1); k < (i + 1) * (pa->n - 1); k++) {
			const struct ping_result *r = &pa->pairs[k].res;

			printf(" %s", r->received ? lab->nodes[pa->nodes[tester_pair_dst(k, pa->n)]].name : "X");
		}
		printf("\n");
	}
	for (k = 0; k < pa->npairs; k++) {
		sent += pa->pairs[k].res.sent ? pa->pairs[k].res.sent : count;
		got += pa->pairs[k].res.received;
	}
	/* truncated, as Mininet prints it */
	printf("*** Results: %d%% dropped (%ld/%ld received)\n",
	       sent ? (int)(100.0 * (double)(sent - got) / (double)sent) : 0,
	       got, sent);
}

int cmd_pingall(int argc, char **argv)
{
	const char *name = NULL;
	struct tester_pingall pa;
	struct state *st = NULL;
	struct lab *lab = NULL;
	uint64_t count = 1;
	bool all = false;
	int i, ret, missed = 0;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--count") && i + 1 < argc) {
			const char *why = NULL;

			if (units_uint(argv[++i], 1, 10000, &count, &why)) {
				cli_err("--count \"%s\": %s", argv[i], why ? why : "not a number");
				return EXIT_USAGE;
			}
		} else if (!strcmp(argv[i], "--all")) {
			all = true;
		} else if (argv[i][0] != '-' && !name) {
			name = argv[i];
		} else {
			return cli_usage("pingall");
		}
	}
	if (!name)
		return cli_usage("pingall");
	ret = cli_need_root();
	if (ret)
		return ret;
	ret = cli_open_running(name, false, &st);
	if (ret)
		return ret;
	ret = cli_running_model(st, name, &lab);
	if (ret) {
		state_close(st);
		return ret;
	}
	ret = tester_pingall(lab, st, all, (unsigned)count, &pa);
	state_close(st);
	if (ret) {
		cli_err("lab %s: cannot ping from %s: %s", name,
			pa.failed_node >= 0 ? lab->nodes[pa.failed_node].name : "a node",
			strerror(-ret));
		lab_free(lab);
		return EXIT_SYSTEM;
	}
	if (pa.n < 2) {
		cli_err("lab %s: fewer than two %s with an address: nothing to ping",
			name, all ? "hosts and routers" : "hosts");
		lab_free(lab);
		return EXIT_USAGE;
	}
	if (pa.neigh_limit && pa.neigh_need > pa.neigh_limit)
		cli_err("note: %ld pairs need as many neighbour (ARP) entries, above the kernel's host-wide limit of %ld: expect misses; raise it first (sysctl -w net.ipv4.neigh.default.gc_thresh3=%ld net.ipv4.neigh.default.gc_thresh2=%ld)",
			pa.neigh_need, pa.neigh_limit, 2 * pa.neigh_need,
			pa.neigh_need);
	print_matrix(lab, &pa, (unsigned)count);
	for (i = 0; i < pa.npairs; i++)
		missed += !pa.pairs[i].res.received;
	tester_pingall_free(&pa);
	lab_free(lab);
	return missed ? EXIT_FAILED : EXIT_OK;
}

/* pingall-bench.c — how long ping_many() takes for every ordered pair of
 * hosts of a running lab, and how many replies are lost.
 *
 * Reads the lab file (for node names, kinds and addresses), opens each
 * host's namespace through /run/netns/LAB.HOST (the links `nslab up`
 * makes), pings all ordered host pairs with ping_many() and prints, per
 * round, the wall time, pairs, requests, replies and the pairs that got
 * nothing.  The first round of a fresh lab pays for ARP (or neighbour
 * discovery); later rounds find the neighbour tables filled.  It reports and
 * never fails on slowness; exit status 1 only when something cannot be
 * done (a namespace cannot be opened, ping_many fails).
 *
 * Usage: pingall-bench [-6] [-c COUNT] [-w WAIT_MS] [-m MAX_INFLIGHT]
 *                      [-r ROUNDS] [-v] LAB.xml
 *   -6  ping IPv6 addresses (the lab needs ip6base) instead of IPv4
 *   -v  list every pair that lost a reply
 * Needs root; the lab must be up.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "lab.h"
#include "ping.h"

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* How often the host's neighbour table was full (the table_fulls column of
 * /proc/net/stat/arp_cache or ndisc_cache, one row per CPU, in hex): the
 * table is global, so other labs count too. */
static unsigned long table_fulls(int family)
{
	FILE *f = fopen(family == AF_INET ? "/proc/net/stat/arp_cache"
					  : "/proc/net/stat/ndisc_cache", "r");
	unsigned long sum = 0;
	char line[512];
	int row = 0;

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		char *p = line;
		int col;

		if (row++ == 0)
			continue;
		for (col = 0; col < 12 && p; col++) {
			p = strchr(p, ' ');
			while (p && *p == ' ')
				p++;
		}
		if (p)
			sum += strtoul(p, NULL, 16);
	}
	fclose(f);
	return sum;
}

static void usage(void)
{
	fprintf(stderr, "usage: pingall-bench [-6] [-c COUNT] [-w WAIT_MS] "
			"[-m MAX_INFLIGHT] [-r ROUNDS] [-v] LAB.xml\n");
	exit(2);
}

int main(int argc, char **argv)
{
	unsigned count = 1, wait_ms = 1000, inflight = 0;
	int family = AF_INET, rounds = 1, verbose = 0, opt, i, j, r;
	struct lab_errors errs;
	struct ping_pair *pairs;
	struct lab *lab;
	int *fds, *hosts, nhosts = 0, npairs = 0;
	struct lab_addr *addr;

	while ((opt = getopt(argc, argv, "6c:w:m:r:v")) != -1) {
		switch (opt) {
		case '6': family = AF_INET6; break;
		case 'c': count = (unsigned)strtoul(optarg, NULL, 10); break;
		case 'w': wait_ms = (unsigned)strtoul(optarg, NULL, 10); break;
		case 'm': inflight = (unsigned)strtoul(optarg, NULL, 10); break;
		case 'r': rounds = atoi(optarg); break;
		case 'v': verbose = 1; break;
		default: usage();
		}
	}
	if (optind != argc - 1)
		usage();
	lab_errors_init(&errs, argv[optind]);
	if (lab_load(argv[optind], &lab, &errs) < 0) {
		for (i = 0; i < errs.n && i < LAB_ERRORS_MAX; i++)
			fprintf(stderr, "%s:%d: %s\n", errs.file,
				errs.v[i].line, errs.v[i].msg);
		return 1;
	}
	fds = calloc((size_t)lab->nnodes, sizeof(*fds));
	hosts = calloc((size_t)lab->nnodes, sizeof(*hosts));
	addr = calloc((size_t)lab->nnodes, sizeof(*addr));
	if (!fds || !hosts || !addr)
		return 1;
	for (i = 0; i < lab->nnodes; i++) {
		char path[128];

		if (lab->nodes[i].kind != LAB_HOST ||
		    !lab_node_first_addr(lab, i, family, &addr[nhosts]))
			continue;
		snprintf(path, sizeof(path), "/run/netns/%s.%s", lab->name,
			 lab->nodes[i].name);
		fds[nhosts] = open(path, O_RDONLY | O_CLOEXEC);
		if (fds[nhosts] < 0) {
			fprintf(stderr, "pingall-bench: %s: %s\n", path,
				strerror(errno));
			return 1;
		}
		hosts[nhosts++] = i;
	}
	pairs = calloc((size_t)nhosts * (size_t)nhosts, sizeof(*pairs));
	if (!pairs)
		return 1;
	/* by source, as a pingall walks them */
	for (i = 0; i < nhosts; i++)
		for (j = 0; j < nhosts; j++)
			if (i != j) {
				pairs[npairs].src = i;
				pairs[npairs++].dst = addr[j];
			}
	printf("lab %s: %d hosts, %d pairs, IPv%d, count %u, wait %u ms, "
	       "max_inflight %u\n", lab->name, nhosts, npairs,
	       family == AF_INET ? 4 : 6, count, wait_ms,
	       inflight ? inflight : PING_INFLIGHT_DEFAULT);
	for (r = 0; r < rounds; r++) {
		unsigned long sent = 0, recv = 0, dead = 0;
		unsigned long full0 = table_fulls(family);
		double t0 = now_s(), t, worst = 0, sum = 0;
		int ret = ping_many(fds, nhosts, pairs, npairs, count, wait_ms,
				    inflight);

		t = now_s() - t0;
		if (ret < 0) {
			fprintf(stderr, "pingall-bench: ping_many: %s\n",
				strerror(-ret));
			return 1;
		}
		for (i = 0; i < npairs; i++) {
			struct ping_result *res = &pairs[i].res;

			sent += res->sent;
			recv += res->received;
			dead += !res->received;
			if (res->received) {
				sum += res->rtt_avg_ms;
				if (res->rtt_max_ms > worst)
					worst = res->rtt_max_ms;
			}
			if (verbose && res->received < res->sent) {
				char b[64];

				printf("  %s -> %s: %u/%u\n",
				       lab->nodes[hosts[pairs[i].src]].name,
				       lab_ip_str(&pairs[i].dst, b, sizeof(b)),
				       res->received, res->sent);
			}
		}
		printf("round %d: %.3f s, sent %lu, received %lu, lost %lu "
		       "(%.2f%%), pairs without reply %lu, rtt avg %.2f ms "
		       "max %.2f ms, neighbour table full %lu times\n", r + 1,
		       t, sent, recv, sent - recv,
		       sent ? 100.0 * (double)(sent - recv) / (double)sent : 0,
		       dead, recv ? sum / (double)(npairs - (int)dead) : 0,
		       worst, table_fulls(family) - full0);
		fflush(stdout);
	}
	for (i = 0; i < nhosts; i++)
		close(fds[i]);
	free(pairs);
	free(addr);
	free(hosts);
	free(fds);
	lab_free(lab);
	return 0;
}

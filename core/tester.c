/* tester.c — a lab's <tests>, step by step, against the running lab
 * (see tester.h; the step semantics are topologies/README.md, "Tests"). */
#include "tester.h"
#include "clock.h"

#include <errno.h>
#include <regex.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "linkctl.h"
#include "ping.h"
#include "runner.h"
#include "units.h"

#define OUT_MAX (64 * 1024)	/* output kept of one run/exec attempt */
#define PING_INTERVAL_MS 200
#define PING_WAIT_MS 1000	/* after the last request */
#define IPERF_PORT "5201"

struct ctx {
	const struct lab *lab;
	const struct plan *plan;
	struct state *st;
};

/* One attempt of a check: 1 passed, 0 failed (r->detail says why; it may
 * be retried), < 0 stop now (-EINTR: a signal). */
typedef int (*attempt_fn)(struct ctx *c, const struct lab_step *s,
			  struct tester_result *r, uint64_t budget_ns);

static int stop_sig(void)
{
	return runner_cancel ? (int)*runner_cancel : 0;
}

/* Sleep, waking early for a signal: false when one arrived. */
static bool nap(double secs)
{
	double end = mono_s() + secs, left;

	while (!stop_sig() && (left = end - mono_s()) > 0) {
		struct timespec ts;

		if (left > 0.05)
			left = 0.05;
		ts.tv_sec = 0;
		ts.tv_nsec = (long)(left * 1e9);
		nanosleep(&ts, NULL);
	}
	return !stop_sig();
}

static void __attribute__((format(printf, 2, 3)))
say(struct tester_result *r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(r->detail, sizeof(r->detail), fmt, ap);
	va_end(ap);
}

/* A command's output for one line of a report: the first `max` bytes,
 * newlines as " | ". */
static const char *one_line(const char *s, char *buf, size_t len, size_t max)
{
	size_t n = 0;

	for (; s && *s && n + 4 < len && max; s++, max--) {
		if (*s == '\n') {
			if (s[1])
				n += (size_t)snprintf(buf + n, len - n, " | ");
		} else {
			buf[n++] = (unsigned char)*s < 0x20 ? ' ' : *s;
		}
	}
	if (s && *s && n + 4 < len)
		n += (size_t)snprintf(buf + n, len - n, "...");
	buf[n] = 0;
	return buf;
}

/* The namespace of model node i, through the lab's proven holder. */
static int node_netns(struct ctx *c, int node, int *fd)
{
	int i = state_node_find(c->st, c->lab->nodes[node].name);

	if (i < 0)
		return -ENOENT;
	return runner_open_netns(c->st, i, fd);
}

/* ---- names --------------------------------------------------------------- */

const char *tester_step_name(const struct lab *lab, const struct lab_step *s,
			     char *buf, size_t len)
{
	const char *node = s->node_idx >= 0 && s->node ? s->node : "?";
	char sh[160], t[32], cmd[80];

	switch (s->kind) {
	case LAB_STEP_PING:
		snprintf(buf, len, "%s %s %s", node,
			 s->expect_fail ? "cannot reach" : "reaches", s->to);
		break;
	case LAB_STEP_PINGALL:
		snprintf(buf, len, "every %s reaches every other one",
			 s->all_nodes ? "host and router" : "host");
		break;
	case LAB_STEP_RUN:
	case LAB_STEP_EXEC:
		snprintf(buf, len, "%s: %s", node,
			 one_line(s->cmd, cmd, sizeof(cmd), 60));
		break;
	case LAB_STEP_IPERF:
		snprintf(buf, len, "iperf %s -> %s%s", node, s->to,
			 s->udp ? " (udp)" : "");
		break;
	case LAB_STEP_LINK_DOWN:
	case LAB_STEP_LINK_UP:
		snprintf(buf, len, "link %s -- %s %s", s->end[0].text,
			 s->end[1].text,
			 s->kind == LAB_STEP_LINK_DOWN ? "down" : "up");
		break;
	case LAB_STEP_LINK_SET:
		snprintf(buf, len, "link %s -- %s set %s", s->end[0].text,
			 s->end[1].text, lab_shaping_str(&s->shape, sh, sizeof(sh)));
		break;
	case LAB_STEP_LINK_FLAP:
		snprintf(buf, len, "link %s -- %s flaps %u time%s (down %s", s->end[0].text,
			 s->end[1].text, s->count, s->count == 1 ? "" : "s",
			 units_time_str(s->time_ns, t, sizeof(t)));
		snprintf(buf + strlen(buf), len - strlen(buf), ", up %s)",
			 units_time_str(s->up_ns, t, sizeof(t)));
		break;
	case LAB_STEP_SLEEP:
		snprintf(buf, len, "sleep %s", units_time_str(s->time_ns, t, sizeof(t)));
		break;
	}
	(void)lab;
	return buf;
}

/* ---- ping and pingall ------------------------------------------------------ */

static int try_ping(struct ctx *c, const struct lab_step *s,
		    struct tester_result *r, uint64_t budget_ns)
{
	struct ping_result p;
	char a[64];
	int fd, ret;

	(void)budget_ns;
	ret = node_netns(c, s->node_idx, &fd);
	if (ret) {
		say(r, "cannot enter %s: %s", s->node, strerror(-ret));
		return ret == -EINTR ? ret : 0;
	}
	ret = ping_run(fd, &s->to_addr, s->count, PING_INTERVAL_MS,
		       PING_WAIT_MS, &p);
	close(fd);
	lab_ip_str(&s->to_addr, a, sizeof(a));
	if (ret) {
		say(r, "cannot ping %s from %s: %s", a, s->node, strerror(-ret));
		return 0;
	}
	if (s->expect_fail) {
		if (!p.received)
			say(r, "no reply from %s to %u echo requests", a, p.sent);
		else
			say(r, "expected no reply from %s, got %u of %u", a,
			    p.received, p.sent);
		return !p.received;
	}
	if (p.received)
		say(r, "%u/%u replies from %s, rtt min/avg/max %.3f/%.3f/%.3f ms",
		    p.received, p.sent, a, p.rtt_min_ms, p.rtt_avg_ms,
		    p.rtt_max_ms);
	else
		say(r, "expected replies from %s, got none of %u", a, p.sent);
	return p.received > 0;
}

/* The nodes pingall uses: hosts (and routers with all) that have an
 * address; their first one is the target. */
static int pingall_nodes(const struct lab *lab, bool all, int *nodes,
			 struct lab_addr *addrs)
{
	int i, n = 0;

	for (i = 0; i < lab->nnodes; i++) {
		enum lab_kind k = lab->nodes[i].kind;

		if (k != LAB_HOST && !(all && k == LAB_ROUTER))
			continue;
		if (!lab_node_first_addr(lab, i, AF_INET, &addrs[n]) &&
		    !lab_node_first_addr(lab, i, AF_INET6, &addrs[n]))
			continue;
		nodes[n++] = i;
	}
	return n;
}

/* net.ipv4.neigh.default.gc_thresh3 (or ipv6's), 0 when unreadable. */
static long neigh_limit(int family)
{
	char path[64];
	long v = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/sys/net/%s/neigh/default/gc_thresh3",
		 family == AF_INET6 ? "ipv6" : "ipv4");
	f = fopen(path, "re");
	if (!f)
		return 0;
	if (fscanf(f, "%ld", &v) != 1)
		v = 0;
	fclose(f);
	return v;
}

int tester_pair_dst(int k, int n)
{
	int i = k / (n - 1), d = k % (n - 1);

	return d < i ? d : d + 1;
}

void tester_pingall_free(struct tester_pingall *pa)
{
	free(pa->nodes);
	free(pa->pairs);
	memset(pa, 0, sizeof(*pa));
}

int tester_pingall(const struct lab *lab, struct state *st, bool all,
		   unsigned count, struct tester_pingall *pa)
{
	struct ctx c = { lab, NULL, st };
	struct lab_addr *addrs = calloc((size_t)lab->nnodes + 1, sizeof(*addrs));
	int *fds = calloc((size_t)lab->nnodes + 1, sizeof(int));
	int i, j, k = 0, opened = 0, n, ret = -ENOMEM;

	memset(pa, 0, sizeof(*pa));
	pa->failed_node = -1;
	pa->nodes = calloc((size_t)lab->nnodes + 1, sizeof(int));
	if (!addrs || !fds || !pa->nodes)
		goto out;
	n = pa->n = pingall_nodes(lab, all, pa->nodes, addrs);
	ret = 0;
	if (n < 2)
		goto out;
	ret = -ENOMEM;
	pa->pairs = calloc((size_t)n * (size_t)(n - 1), sizeof(*pa->pairs));
	if (!pa->pairs)
		goto out;
	for (opened = 0; opened < n; opened++) {
		ret = node_netns(&c, pa->nodes[opened], &fds[opened]);
		if (ret) {
			pa->failed_node = pa->nodes[opened];
			goto out;
		}
	}
	for (i = 0; i < n; i++)
		for (j = 0; j < n; j++) {
			if (i == j)
				continue;
			pa->pairs[k].src = i;
			pa->pairs[k].dst = addrs[j];
			k++;
		}
	pa->npairs = k;
	pa->neigh_need = k;
	pa->neigh_limit = neigh_limit(addrs[0].family);
	ret = ping_many(fds, n, pa->pairs, k, count, PING_WAIT_MS, 0);
out:
	for (i = 0; i < opened; i++)
		close(fds[i]);
	free(fds);
	free(addrs);
	if (ret) {
		int failed = pa->failed_node;

		tester_pingall_free(pa);
		pa->failed_node = failed;
	}
	return ret;
}

static void pingall_report(const struct lab *lab, struct tester_result *r,
			   const struct tester_pingall *pa)
{
	int i, missed = 0, shown = 0;
	size_t n;

	for (i = 0; i < pa->npairs; i++)
		missed += !pa->pairs[i].res.received;
	if (!missed) {
		say(r, "%d pairs answered", pa->npairs);
		return;
	}
	say(r, "expected all %d pairs to answer, %d did not:", pa->npairs,
	    missed);
	for (i = 0; i < pa->npairs && shown < 8; i++) {
		if (pa->pairs[i].res.received)
			continue;
		n = strlen(r->detail);
		snprintf(r->detail + n, sizeof(r->detail) - n, "%s %s -> %s",
			 shown ? "," : "",
			 lab->nodes[pa->nodes[pa->pairs[i].src]].name,
			 lab->nodes[pa->nodes[tester_pair_dst(i, pa->n)]].name);
		shown++;
	}
	if (missed > shown) {
		n = strlen(r->detail);
		snprintf(r->detail + n, sizeof(r->detail) - n, ", ...");
	}
	if (pa->neigh_limit && pa->neigh_need > pa->neigh_limit) {
		n = strlen(r->detail);
		snprintf(r->detail + n, sizeof(r->detail) - n,
			 "; %ld pairs need %ld neighbour entries, above the kernel's host-wide limit of %ld (raise net.ipv4.neigh.default.gc_thresh3)",
			 pa->neigh_need, pa->neigh_need, pa->neigh_limit);
	}
}

static int try_pingall(struct ctx *c, const struct lab_step *s,
		       struct tester_result *r, uint64_t budget_ns)
{
	struct tester_pingall pa;
	int i, ret;

	(void)budget_ns;
	ret = tester_pingall(c->lab, c->st, s->all_nodes, s->count, &pa);
	if (ret == -ENOMEM)
		return ret;
	if (ret) {
		say(r, "cannot ping from %s: %s",
		    pa.failed_node >= 0 ? c->lab->nodes[pa.failed_node].name : "a node",
		    strerror(-ret));
		return 0;
	}
	if (pa.n < 2) {
		say(r, "fewer than two nodes with an address: nothing to ping");
		tester_pingall_free(&pa);
		return 1;
	}
	pingall_report(c->lab, r, &pa);
	ret = 1;
	for (i = 0; i < pa.npairs; i++)
		if (!pa.pairs[i].res.received)
			ret = 0;
	tester_pingall_free(&pa);
	return ret;
}

/* ---- commands ---------------------------------------------------------------- */

/* Run cmd in node with output captured: 0 with *code, or -errno (-EINTR:
 * signal, -ETIMEDOUT) with r->detail set. */
static int node_cmd(struct ctx *c, int node, char *const *argv,
		    uint64_t budget_ns, int *code, char **out,
		    struct tester_result *r)
{
	struct runner_cmd rc = {
		.st = c->st, .argv = argv, .fd_in = -1, .fd_out = -1,
		.fd_err = -1, .new_pgrp = true,
	};
	struct runner_fail why = { 0 };
	const char *name = c->lab->nodes[node].name;
	char t[32];
	int status = 0, ret;

	*out = malloc(OUT_MAX);
	if (!*out)
		return -ENOMEM;
	(*out)[0] = 0;
	rc.node = state_node_find(c->st, name);
	ret = rc.node < 0 ? -ENOENT : runner_open_netns(c->st, rc.node, &rc.netns_fd);
	if (ret) {
		say(r, "cannot enter %s: %s", name, strerror(-ret));
		return ret;
	}
	ret = runner_run_capture(&rc, budget_ns, &status, *out, OUT_MAX, &why);
	close(rc.netns_fd);
	if (ret == -ETIMEDOUT)
		say(r, "did not finish within %s",
		    units_time_str(budget_ns, t, sizeof(t)));
	else if (ret && ret != -EINTR)
		say(r, "cannot run a command in %s (%s): %s", name,
		    why.stage ? why.stage : "spawn", strerror(-ret));
	*code = runner_exit_code(status);
	return ret;
}

static bool regex_matches(const char *re, const char *text)
{
	regex_t x;
	bool m;

	/* compiled before by the parser: a failure here is out of memory.
	 * Line by line (REG_NEWLINE): ^ and $ match at each line's ends and
	 * . never spans lines, as grep does (topologies/README.md, "Tests"). */
	if (regcomp(&x, re, REG_EXTENDED | REG_NOSUB | REG_NEWLINE))
		return false;
	m = !regexec(&x, text, 0, NULL, 0);
	regfree(&x);
	return m;
}

/* The first line of text that matches re on its own, for the report. */
static const char *matching_line(const char *re, const char *text,
				 char *buf, size_t len)
{
	const char *p = text;

	buf[0] = 0;
	while (*p) {
		const char *e = strchr(p, '\n');
		size_t n = e ? (size_t)(e - p) : strlen(p);

		snprintf(buf, len, "%.*s", (int)n, p);
		if (regex_matches(re, buf))
			return buf;
		p += n + (e ? 1 : 0);
	}
	buf[0] = 0;
	return buf;
}

static int try_cmd(struct ctx *c, const struct lab_step *s,
		   struct tester_result *r, uint64_t budget_ns)
{
	char *argv[] = { "/bin/sh", "-c", (char *)s->cmd, NULL };
	int want = s->kind == LAB_STEP_RUN ? s->status : 0, code = 0, ret;
	char seen[200], line[200];
	char *out = NULL;

	ret = node_cmd(c, s->node_idx, argv, budget_ns, &code, &out, r);
	free(r->output);
	r->output = out;
	if (ret == -EINTR || ret == -ENOMEM)
		return ret;
	if (ret)
		return 0;
	one_line(out, seen, sizeof(seen), 160);
	if (code != want) {
		say(r, "expected exit status %d, saw %d%s%s", want, code,
		    seen[0] ? ": " : "", seen);
		return 0;
	}
	if (s->expect_re && !regex_matches(s->expect_re, out)) {
		say(r, "expected output matching \"%s\", saw: %s", s->expect_re,
		    seen[0] ? seen : "(nothing)");
		return 0;
	}
	if (s->reject_re && regex_matches(s->reject_re, out)) {
		matching_line(s->reject_re, out, line, sizeof(line));
		say(r, "expected no output matching \"%s\", saw: %s",
		    s->reject_re, line[0] ? line : seen);
		return 0;
	}
	if (s->expect_re && matching_line(s->expect_re, out, line, sizeof(line))[0])
		say(r, "status %d, matched: %s", code, line);
	else
		say(r, "status %d", code);
	return 1;
}

/* ---- iperf -------------------------------------------------------------------- */

/* The receiver's rate in iperf3's JSON report (bit/s), or -1.  TCP
 * reports it as end.sum_received; UDP (iperf3 before 3.13) as end.sum
 * with the lost share beside it. */
static double iperf_rate(const char *json)
{
	const char *end = strstr(json, "\"end\""), *p;
	double bps, lost = 0;

	if (!end)
		return -1;
	/* a blank in a scanf format matches any white space, also none */
	p = strstr(end, "\"sum_received\"");
	if (p && (p = strstr(p, "\"bits_per_second\"")) &&
	    sscanf(p, "\"bits_per_second\" :%lf", &bps) == 1)
		return bps;
	p = strstr(end, "\"sum\"");
	if (!p || !(p = strstr(p, "\"bits_per_second\"")) ||
	    sscanf(p, "\"bits_per_second\" :%lf", &bps) != 1)
		return -1;
	p = strstr(p, "\"lost_percent\"");
	if (p)
		sscanf(p, "\"lost_percent\" :%lf", &lost);
	return bps * (1 - lost / 100);
}

static int iperf_server(struct ctx *c, int node, pid_t *pid)
{
	static char *argv[] = { "iperf3", "-s", "-1", "-p", IPERF_PORT, NULL };
	struct runner_cmd rc = {
		.st = c->st, .argv = argv, .fd_in = -1, .fd_out = -1,
		.fd_err = -1, .new_pgrp = true, .die_with_parent = true,
	};
	struct runner_fail why = { 0 };
	int ret;

	rc.node = state_node_find(c->st, c->lab->nodes[node].name);
	if (rc.node < 0)
		return -ENOENT;
	ret = runner_open_netns(c->st, rc.node, &rc.netns_fd);
	if (ret)
		return ret;
	ret = runner_spawn(&rc, pid, &why);
	close(rc.netns_fd);
	return ret;
}

/* A measured rate for people: "9.56 Mbit/s". */
static const char *rate_str(double bps, char *buf, size_t len)
{
	if (bps >= 1e9)
		snprintf(buf, len, "%.2f Gbit/s", bps / 1e9);
	else if (bps >= 1e6)
		snprintf(buf, len, "%.2f Mbit/s", bps / 1e6);
	else
		snprintf(buf, len, "%.1f kbit/s", bps / 1e3);
	return buf;
}

static void iperf_range(const struct lab_step *s, char *buf, size_t len)
{
	char a[32], b[32];

	if (s->min_bps && s->max_bps)
		snprintf(buf, len, " (expected %s to %s)",
			 units_rate_str(s->min_bps, a, sizeof(a)),
			 units_rate_str(s->max_bps, b, sizeof(b)));
	else if (s->min_bps)
		snprintf(buf, len, " (expected at least %s)",
			 units_rate_str(s->min_bps, a, sizeof(a)));
	else if (s->max_bps)
		snprintf(buf, len, " (expected at most %s)",
			 units_rate_str(s->max_bps, a, sizeof(a)));
	else
		buf[0] = 0;
}

/* The client, retried for a moment while the server comes up. */
static int iperf_client(struct ctx *c, const struct lab_step *s,
			struct tester_result *r, char *const *argv, int *code)
{
	double until = mono_s() + 3;
	char *out = NULL;
	int ret;

	for (;;) {
		ret = node_cmd(c, s->node_idx, argv,
			       s->time_ns + 30000000000ull, code, &out, r);
		free(r->output);
		r->output = out;
		if (ret || !*code || mono_s() > until ||
		    (!strstr(out, "onnection refused") &&
		     !strstr(out, "unable to connect")))
			return ret;
		if (!nap(0.1))
			return -EINTR;
	}
}

/* Is the iperf3 server pid listening yet?  /proc/PID/net/ shows the
 * sockets of the namespace pid lives in: a LISTEN (0A) line whose local
 * port is ours, in tcp6 (iperf3 binds :: by default) or tcp. */
static bool iperf_listening(pid_t pid)
{
	static const char *const files[] = { "tcp6", "tcp" };
	char path[64], line[256], want[16];
	size_t i;

	snprintf(want, sizeof(want), ":%04X", atoi(IPERF_PORT));
	for (i = 0; i < 2; i++) {
		FILE *f;
		bool found = false;

		snprintf(path, sizeof(path), "/proc/%d/net/%s", (int)pid, files[i]);
		f = fopen(path, "re");
		if (!f)
			continue;
		while (!found && fgets(line, sizeof(line), f)) {
			char local[64], remote[64], st[8];

			size_t n;

			if (sscanf(line, "%*s %63s %63s %7s", local, remote, st) != 3)
				continue;
			n = strlen(local);
			/* "00000000000000000000000000000000:1451", state 0A */
			found = !strcmp(st, "0A") && n > strlen(want) &&
				!strcmp(local + n - strlen(want), want);
		}
		fclose(f);
		if (found)
			return true;
	}
	return false;
}

/* iperf3's own words when its JSON report says what went wrong. */
static const char *iperf_error(const char *json, char *buf, size_t len)
{
	const char *p = json ? strstr(json, "\"error\"") : NULL;
	const char *q;

	if (!p || !(p = strchr(p + 7, '"')) || !(q = strchr(p + 1, '"')))
		return NULL;
	snprintf(buf, len, "%.*s", (int)(q - p - 1), p + 1);
	return buf;
}

/* One round: a fresh one-off server in `to`, listening before the client
 * starts, and the client.  0 with *code, or -errno. */
static int iperf_round(struct ctx *c, const struct lab_step *s,
		       struct tester_result *r, char *const *argv, int *code)
{
	double until;
	pid_t server;
	int ret, status;

	ret = iperf_server(c, s->to_node >= 0 ? s->to_node : s->node_idx, &server);
	if (ret) {
		say(r, "cannot start the iperf3 server in %s: %s", s->to,
		    strerror(-ret));
		return ret;
	}
	for (until = mono_s() + 3; !iperf_listening(server) && mono_s() < until;)
		if (!nap(0.01))
			break;
	ret = stop_sig() ? -EINTR : iperf_client(c, s, r, argv, code);
	kill(-server, SIGKILL);
	runner_wait(server, 2000000000ull, &status);
	return ret;
}

static int try_iperf(struct ctx *c, const struct lab_step *s,
		     struct tester_result *r, uint64_t budget_ns)
{
	char addr[64], secs[16], bw[32], got[32], range[96], seen[200];
	char *argv[] = { "iperf3", "-c", addr, "-p", IPERF_PORT, "-t", secs,
			 "-J", NULL, NULL, NULL, NULL };
	double bps = -1;
	int code = 0, ret, round;

	(void)budget_ns;
	lab_ip_str(&s->to_addr, addr, sizeof(addr));
	snprintf(secs, sizeof(secs), "%.3g", (double)s->time_ns / 1e9);
	if (s->udp) {
		/* UDP sends at the rate it is told: just above what may pass */
		uint64_t b = s->max_bps ? s->max_bps + s->max_bps / 10 :
			     s->min_bps ? 2 * s->min_bps : 1000000000ull;

		snprintf(bw, sizeof(bw), "%llu", (unsigned long long)b);
		argv[8] = "-u";
		argv[9] = "-b";
		argv[10] = bw;
	}
	/* a report with no result and no error (iperf3 ended the test
	 * early) gets a second round */
	for (round = 0; round < 2 && bps < 0; round++) {
		ret = iperf_round(c, s, r, argv, &code);
		if (ret == -EINTR || ret == -ENOMEM)
			return ret;
		if (ret)
			return 0;
		if (code == 127) {
			say(r, "iperf3 is not installed (Debian: apt-get install iperf3)");
			return 0;
		}
		bps = iperf_rate(r->output);
		if (code || iperf_error(r->output, seen, sizeof(seen)))
			break;
	}
	iperf_range(s, range, sizeof(range));
	if (code || bps < 0) {
		const char *why = iperf_error(r->output, seen, sizeof(seen));

		say(r, "iperf3 failed (status %d): %s", code, why ? why :
		    one_line(r->output, seen, sizeof(seen), 160));
		return 0;
	}
	say(r, "received %s%s", rate_str(bps, got, sizeof(got)), range);
	return (!s->min_bps || bps >= (double)s->min_bps) &&
	       (!s->max_bps || bps <= (double)s->max_bps);
}

/* ---- actions ------------------------------------------------------------------ */

static bool link_updown(struct ctx *c, const struct lab_step *s,
			struct tester_result *r, bool up)
{
	struct linkctl_error e = { 0 };

	if (linkctl_updown(c->st, c->plan, s->link, up, &e)) {
		say(r, "%s%s%s", e.what, e.kmsg[0] ? ": " : "", e.kmsg);
		return false;
	}
	say(r, "both ends %s", up ? "up" : "down");
	return true;
}

static void do_action(struct ctx *c, const struct lab_step *s,
		      struct tester_result *r)
{
	struct linkctl_error e = { 0 };
	char t[32];
	unsigned k;

	switch (s->kind) {
	case LAB_STEP_LINK_DOWN:
	case LAB_STEP_LINK_UP:
		r->ok = link_updown(c, s, r, s->kind == LAB_STEP_LINK_UP);
		break;
	case LAB_STEP_LINK_SET:
		r->ok = !linkctl_set(c->st, c->lab, c->plan, s->link, &s->shape, &e);
		if (!r->ok)
			say(r, "%s%s%s", e.what, e.kmsg[0] ? ": " : "", e.kmsg);
		else
			say(r, "both ways");
		break;
	case LAB_STEP_LINK_FLAP:
		r->ok = true;
		for (k = 0; k < s->count && r->ok; k++) {
			r->ok = link_updown(c, s, r, false);
			if (r->ok && !nap((double)s->time_ns / 1e9))
				say(r, "interrupted");
			/* always try to bring it back, also when interrupted */
			if (r->ok)
				r->ok = link_updown(c, s, r, true);
			if (r->ok && stop_sig())
				r->ok = false;
			if (r->ok && k + 1 < s->count && !nap((double)s->up_ns / 1e9))
				r->ok = false;
		}
		if (r->ok)
			say(r, "%u time%s down and up", s->count,
			    s->count == 1 ? "" : "s");
		else if (!r->detail[0])
			say(r, "interrupted");
		break;
	case LAB_STEP_SLEEP:
		r->ok = nap((double)s->time_ns / 1e9);
		say(r, r->ok ? "slept %s" : "interrupted after less than %s",
		    units_time_str(s->time_ns, t, sizeof(t)));
		break;
	default:
		break;
	}
}

/* ---- checks and the script ------------------------------------------------------ */

static void check(struct ctx *c, const struct lab_step *s,
		  struct tester_result *r, attempt_fn fn)
{
	double t0 = mono_s(), deadline = t0 + (double)s->timeout_ns / 1e9;
	char t[32];
	int ret;

	for (;;) {
		double ta = mono_s(), left = deadline - ta;
		uint64_t budget = s->timeout_ns ?
			(uint64_t)((left > 1 ? left : 1) * 1e9) : TESTER_CMD_NS;

		r->tries++;
		ret = fn(c, s, r, budget);
		if (ret > 0) {
			r->ok = true;
			if (s->timeout_ns)
				r->passed_after = mono_s() - t0;
			return;
		}
		if (ret < 0 || !s->timeout_ns || mono_s() >= deadline)
			break;
		left = ta + (double)TESTER_RETRY_NS / 1e9 - mono_s();
		if (left > deadline - mono_s())
			left = deadline - mono_s();
		if (!nap(left))
			break;
	}
	if (s->timeout_ns && ret >= 0 && !stop_sig()) {
		size_t n = strlen(r->detail);

		snprintf(r->detail + n, sizeof(r->detail) - n,
			 " (still failing after %s, %d tries)",
			 units_time_str(s->timeout_ns, t, sizeof(t)), r->tries);
	} else if (ret == -EINTR || stop_sig()) {
		say(r, "interrupted");
	}
}

static void run_step(struct ctx *c, const struct lab_step *s,
		     struct tester_result *r)
{
	switch (s->kind) {
	case LAB_STEP_PING:
		check(c, s, r, try_ping);
		break;
	case LAB_STEP_PINGALL:
		check(c, s, r, try_pingall);
		break;
	case LAB_STEP_RUN:
	case LAB_STEP_EXEC:
		check(c, s, r, try_cmd);
		break;
	case LAB_STEP_IPERF:
		check(c, s, r, try_iperf);
		break;
	default:
		do_action(c, s, r);
		break;
	}
}

/* A result before its step runs: named (name= or derived). */
static void result_init(const struct lab *lab, const struct lab_step *s,
			struct tester_result *r)
{
	memset(r, 0, sizeof(*r));
	r->step = s;
	r->passed_after = -1;
	if (s->name)
		snprintf(r->name, sizeof(r->name), "%s", s->name);
	else
		tester_step_name(lab, s, r->name, sizeof(r->name));
}

static void timed_step(struct ctx *c, const struct lab_step *s,
		       struct tester_result *r)
{
	double ts = mono_s();

	run_step(c, s, r);
	r->secs = mono_s() - ts;
}

int tester_step(const struct lab *lab, const struct plan *plan,
		struct state *st, const struct lab_step *s,
		struct tester_result *r)
{
	struct ctx c = { lab, plan, st };

	result_init(lab, s, r);
	r->n = 1;
	timed_step(&c, s, r);
	return stop_sig() ? 128 + stop_sig() : 0;
}

int tester_run(const struct lab *lab, const struct plan *plan,
	       struct state *st, const struct tester_io *io,
	       struct tester_summary *sum)
{
	struct ctx c = { lab, plan, st };
	double t0 = mono_s();
	int i;

	memset(sum, 0, sizeof(*sum));
	sum->total = lab->nsteps;
	for (i = 0; i < lab->nsteps; i++) {
		const struct lab_step *s = &lab->steps[i];
		struct tester_result r;

		if (stop_sig()) {
			sum->not_run = lab->nsteps - i;
			break;
		}
		result_init(lab, s, &r);
		r.n = i + 1;
		if (io->begin)
			io->begin(io->ctx, i + 1, lab->nsteps, r.name);
		timed_step(&c, s, &r);
		if (r.ok)
			sum->passed++;
		else
			sum->failed++;
		io->done(io->ctx, &r);
		free(r.output);
	}
	sum->secs = mono_s() - t0;
	return stop_sig() ? 128 + stop_sig() : 0;
}

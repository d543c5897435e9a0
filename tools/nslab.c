/* nslab.c — the command line: global options, dispatch, messages.
 * The CLI is the only part of nslab that prints and picks exit codes. */
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "engine.h"
#include "holder.h"
#include "lab.h"

#ifndef NSLAB_VERSION
#define NSLAB_VERSION "0.1.0"
#endif

int cli_verbose;
int cli_quiet;
static int progress_shown;

void cli_err(const char *fmt, ...)
{
	va_list ap;

	fputs("nslab: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void cli_info(const char *fmt, ...)
{
	va_list ap;

	if (!cli_verbose)
		return;
	fputs("nslab: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int cli_need_root(void)
{
	if (geteuid() == 0)
		return 0;
	cli_err("this command needs root (CAP_NET_ADMIN and CAP_SYS_ADMIN): run it with sudo");
	return EXIT_SYSTEM;
}

/* One updating line: "nslab: links 400/1110, 2345/s" (phase, count, rate
 * since the phase began), at most ten times a second; done < 0 names a
 * phase that has no count.  The namespaces are counted by several threads
 * at once: one lock. */
void cli_progress(const char *what, int done, int total)
{
	static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
	static const char *phase;
	static double t0, shown;
	static int tty = -1;
	struct timespec ts;
	double now;
	bool fresh;

	if (cli_quiet || total < CLI_PROGRESS_MIN)
		return;
	pthread_mutex_lock(&lock);
	if (tty < 0)
		tty = isatty(STDERR_FILENO);
	clock_gettime(CLOCK_MONOTONIC, &ts);
	now = (double)ts.tv_sec + ts.tv_nsec / 1e9;
	fresh = what != phase;
	if (fresh) {
		phase = what;
		t0 = now;
	}
	if (tty && (fresh || done == total || now - shown >= 0.1)) {
		if (done < 0)
			fprintf(stderr, "\r\033[Knslab: %s (%d)", what, total);
		else if (now - t0 >= 0.01)
			fprintf(stderr, "\r\033[Knslab: %s %d/%d, %.0f/s", what,
				done, total, done / (now - t0));
		else
			fprintf(stderr, "\r\033[Knslab: %s %d/%d", what, done,
				total);
		shown = now;
		progress_shown = 1;
	}
	pthread_mutex_unlock(&lock);
}

void cli_progress_end(void)
{
	if (progress_shown)
		fputs("\r\033[K", stderr);
	progress_shown = 0;
}

/* The commands: one row each, with its handler and its usage text.
 * `nslab --help`, `nslab CMD --help` and each command's usage error
 * (cli_usage) are all made from this table, so a new command is one row
 * here plus its file tools/cmd_NAME.c (its handler declared in cli.h; its
 * line in README.md and nslab.1).  `nslab --help` lists them in this
 * order. */
struct command {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *args;	/* the synopsis after "nslab NAME"; '\n' between
				 * alternative forms */
	const char *summary;	/* one line, for nslab --help */
	const char *options;	/* "  OPTION  meaning\n" lines (and notes), or
				 * NULL */
};

static const struct command commands[] = {
	{ "up", cmd_up, "FILE.xml [--name NAME]\n--topo SPEC [--name NAME]",
	  "build a lab and leave it running",
	  "  --topo SPEC  a generated topology instead of a file, such as\n"
	  "               tree,2,3 (see nslab gen --help); the lab is named\n"
	  "               after its kind\n"
	  "  --name NAME  the lab's name instead of the file's (one file can\n"
	  "               run several times side by side)\n"
	  "  -v, -q       as before the command: say more, or errors only\n" },
	{ "down", cmd_down, "NAME... | --all", "tear labs down",
	  "  --all        every running lab (and what crashed ones left)\n" },
	{ "run", cmd_run, "FILE.xml [--name NAME] [--keep] [--tap] [--junit FILE]\n"
	  "--topo SPEC [--name NAME] [--keep] [--tap] [--junit FILE]",
	  "up + start commands + tests + down",
	  "  --topo SPEC  a generated topology instead of a file (nslab gen\n"
	  "               --help); it has no tests: up, then down\n"
	  "  --name NAME  the lab's name instead of the file's\n"
	  "  --keep       leave the lab running (a signal still tears it down)\n"
	  "  --tap        report the tests as TAP version 13\n"
	  "  --junit FILE also write the results as JUnit XML to FILE\n"
	  "  -v, -q       as before the command: say more, or errors only\n"
	  "\nExits 0 when every test step passed, 1 when one failed.\n" },
	{ "pingall", cmd_pingall, "NAME [--count N] [--all]",
	  "every host pings every other host",
	  "  --count N    echo requests per pair (default 1)\n"
	  "  --all        routers too, not only hosts\n"
	  "\nPrints one line per host with X for a miss, then the share\n"
	  "dropped; exits 0 when every pair answered, 1 otherwise.\n" },
	{ "test", cmd_test, "NAME [--tap] [--junit FILE]",
	  "run a running lab's <tests>",
	  "  --tap        report as TAP version 13\n"
	  "  --junit FILE also write the results as JUnit XML to FILE\n"
	  "\nExits 0 when every step passed, 1 when one failed.\n" },
	{ "exec", cmd_exec, "NAME NODE [--] CMD [ARG...]",
	  "run a command inside a node",
	  "  --           optional, between NODE and CMD\n"
	  "\nnslab exits with CMD's status.\n" },
	{ "shell", cmd_shell, "NAME NODE", "interactive shell inside a node",
	  NULL },
	{ "link", cmd_link, "NAME END END up|down\nNAME END END set KEY=VALUE...",
	  "cut, restore or reshape a link of a running lab",
	  "  END          NODE or NODE:IFACE, as in <link>, either order\n"
	  "  down, up     both ends administratively down, or up again (up\n"
	  "               restores their addresses and the nodes' routes)\n"
	  "  set          change the shaping in place, both directions: KEY is\n"
	  "               rate, delay, jitter, loss, duplicate, reorder, corrupt\n"
	  "               or queue, VALUE as in a lab file; delay=0, loss=0%\n"
	  "               and rate=none remove an impairment\n" },
	{ "capture", cmd_capture, "NAME NODE[:IFACE] [-w FILE] [-c COUNT] [FILTER...]",
	  "live pcap of one interface of a running node",
	  "  NODE[:IFACE] the interface (default: the node's first; a switch's\n"
	  "               ports are eth1, eth2, ... as nslab show NAME lists)\n"
	  "  -w FILE      write the pcap to FILE (made anew, never through a\n"
	  "               symbolic link) instead of stdout\n"
	  "  -c COUNT     stop after COUNT packets\n"
	  "  FILTER       tcpdump's filter language (icmp, tcp port 80, ...)\n"
	  "\nstdout must not be a terminal: nslab capture NAME h1 | tcpdump -nr -\n"
	  "(or | wireshark -k -i -).  Ctrl-C, SIGTERM, the reader's exit or\n"
	  "the lab's down end it (status 0) with the number of packets on\n"
	  "stderr.\n" },
	{ "cli", cmd_cli, "NAME [-c LINE]",
	  "a console on a running lab, like Mininet's (h1 ping h2)",
	  "  -c LINE      run this one console line and exit with its status\n"
	  "\nLines: NODE CMD [ARG...] (an ARG that is a node's name becomes its\n"
	  "address), NODE (a shell), nodes, net, intfs, links, dump, pingall,\n"
	  "iperf [A B], link A B up|down|set ..., sh CMD, source FILE, help,\n"
	  "exit.  Read from a pipe, without prompt; the status is the last\n"
	  "command's.\n" },
	{ "ls", cmd_ls, "[--json]", "running labs",
	  "  --json       print the list as JSON\n" },
	{ "show", cmd_show, "NAME|FILE.xml [--json]\n--topo SPEC [--json]",
	  "nodes, interfaces, addresses, routes, links",
	  "  --topo SPEC  a generated topology instead of a file (nslab gen\n"
	  "               --help): the lab up --topo SPEC would build\n"
	  "  --json       print the same as JSON\n"
	  "\nThe argument is a file when it contains '/', ends in .xml or names\n"
	  "an existing file; else the name of a running lab (needs root).\n" },
	{ "check", cmd_check, "FILE.xml\n--topo SPEC",
	  "validate only; silent on success",
	  "  --topo SPEC  a generated topology instead of a file (nslab gen\n"
	  "               --help)\n" },
	{ "plan", cmd_plan, "[--down] FILE.xml\n[--down] --topo SPEC",
	  "print an equivalent ip/tc shell script",
	  "  --topo SPEC  a generated topology instead of a file (nslab gen\n"
	  "               --help)\n"
	  "  --down       print the script that tears the lab down\n" },
	{ "graph", cmd_graph, "NAME|FILE.xml [--format dot|svg|png]\n"
	  "--topo SPEC [--format dot|svg|png]",
	  "the lab as a Graphviz graph",
	  "  --topo SPEC  a generated topology instead of a file (nslab gen\n"
	  "               --help)\n"
	  "  --format F   dot (the default: Graphviz's DOT text, needs nothing),\n"
	  "               svg or png (rendered by Graphviz's dot, which must be\n"
	  "               installed; png is refused on a terminal)\n"
	  "\nOne node per host, router (ellipse) and switch (box3d), one edge per\n"
	  "<link> with each end's interface and addresses, and the link's VLANs\n"
	  "and shaping.  The argument is read as show reads it: a running lab's\n"
	  "NAME needs root.\n" },
	{ "gen", cmd_gen, "SPEC [--name NAME]",
	  "print the lab file of a generated topology",
	  "  SPEC         Mininet's --topo syntax, KIND[,VALUE...]; a value may\n"
	  "               also be written KEY=VALUE, with Mininet's names (in\n"
	  "               parentheses, with the defaults):\n"
	  "    minimal                2 hosts on one switch\n"
	  "    single[,K]             K hosts on one switch (k=2)\n"
	  "    reversed[,K]           the same, h1 on the switch's last port (k=2)\n"
	  "    linear[,K[,N]]         K switches in a chain, N hosts on each\n"
	  "                           (k=2, n=1)\n"
	  "    tree[,DEPTH[,FANOUT]]  a tree of switches, hosts at the leaves\n"
	  "                           (depth=1, fanout=2)\n"
	  "    torus,X,Y[,N]          X by Y switches in a torus (X, Y >= 3), N\n"
	  "                           hosts on each, STP on (x, y, n=1)\n"
	  "    ring,N                 N routers in a ring, a host on each (n)\n"
	  "    mesh,N                 N routers all linked, a host on each (n)\n"
	  "  --name NAME  the lab's name (default: the kind)\n"
	  "\nNames, host addresses (10.0.0.1/8 up), links and their order are\n"
	  "Mininet 2.3's; up, run, check, plan and show --topo SPEC take the\n"
	  "same lab file.\n" },
	{ "import", cmd_import, "clab FILE.clab.yml\nkathara DIR",
	  "print another tool's lab as an nslab lab file",
	  "  clab FILE    a containerlab topology (linux, frr and bridge nodes)\n"
	  "  kathara DIR  a Kathara lab directory (lab.conf, NODE.startup,\n"
	  "               NODE/)\n"
	  "\nThe lab file goes to stdout; each thing that could not be carried\n"
	  "over is named on stderr, one line each.\n" },
	{ NULL, NULL, NULL, NULL, NULL },
};

static const struct command *command_find(const char *name)
{
	const struct command *c;

	for (c = commands; c->name; c++)
		if (!strcmp(name, c->name))
			return c;
	return NULL;
}

/* Length of the first line of S (up to '\n' or the end). */
static int line_len(const char *s)
{
	return (int)strcspn(s, "\n");
}

static void usage(FILE *f)
{
	const struct command *c;
	const char *a;
	int n, w;

	fputs("usage: nslab [-v|-q] [--allow-host-src] COMMAND [ARGS]\n\n", f);
	for (c = commands; c->name; c++) {
		w = 34 - (int)strlen(c->name);
		for (a = c->args; *a; a += n + !!a[n]) {
			n = line_len(a);
			if (a == c->args)
				fprintf(f, "  %s %-*.*s %s\n", c->name, w, n, a,
					c->summary);
			else
				fprintf(f, "  %s %.*s\n", c->name, n, a);
		}
	}
	fputs("\n"
	      "  -v  say what is being done     -q  errors only\n"
	      "  --allow-host-src  <file src> may name files outside the lab file's directory\n"
	      "  --help, --version; nslab COMMAND --help: that command's usage\n"
	      "\n"
	      "Exit status: 0 ok, 1 a test or command failed, 2 bad input, 3 the system refused.\n"
	      "See nslab(1) and topologies/README.md for the lab file format.\n",
	      f);
}

/* nslab CMD --help: the synopsis, the summary and the options. */
static void command_help(const struct command *c)
{
	const char *a;
	int n;

	for (a = c->args; *a; a += n + !!a[n]) {
		n = line_len(a);
		printf("%s nslab %s %.*s\n", a == c->args ? "usage:" : "      ",
		       c->name, n, a);
	}
	printf("\n%s\n", c->summary);
	if (c->options)
		printf("\n%s", c->options);
	puts("\nGlobal options go before the command (nslab --help); see nslab(1).");
}

int cli_usage(const char *name)
{
	const struct command *c = command_find(name);
	const char *a;
	int n;

	if (!c) {
		cli_err("usage: see nslab --help");
		return EXIT_USAGE;
	}
	for (a = c->args; *a; a += n + !!a[n]) {
		n = line_len(a);
		cli_err("usage: nslab %s %.*s", c->name, n, a);
	}
	return EXIT_USAGE;
}

int main(int argc, char **argv)
{
	const struct command *c;
	int i;

	/* The holder of a running lab re-executes us under this name. */
	if (holder_is_argv0(argv[0]))
		return cmd_holder(argc, argv);
	/* ... and starts its impairment engine under this one. */
	if (engine_is_argv0(argv[0]))
		return engine_main(argv[0]);
	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "-v") || !strcmp(argv[i], "--verbose")) {
			cli_verbose = 1;
		} else if (!strcmp(argv[i], "-q") || !strcmp(argv[i], "--quiet")) {
			cli_quiet = 1;
		} else if (!strcmp(argv[i], "--allow-host-src")) {
			lab_allow_host_src = true;
		} else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			usage(stdout);
			return EXIT_OK;
		} else if (!strcmp(argv[i], "--version")) {
			printf("nslab %s\n", NSLAB_VERSION);
			return EXIT_OK;
		} else {
			cli_err("unknown option \"%s\" (see nslab --help)", argv[i]);
			return EXIT_USAGE;
		}
	}
	if (i == argc) {
		usage(stderr);
		return EXIT_USAGE;
	}
	c = command_find(argv[i]);
	if (c) {
		/* no command takes a first argument -h or --help (a lab
		 * file, lab or node name starting with '-' is refused) */
		if (i + 1 < argc && (!strcmp(argv[i + 1], "--help") ||
				     !strcmp(argv[i + 1], "-h"))) {
			command_help(c);
			return fflush(stdout) ? EXIT_SYSTEM : EXIT_OK;
		}
		return c->fn(argc - i, argv + i);
	}
	cli_err("unknown command \"%s\" (see nslab --help)", argv[i]);
	return EXIT_USAGE;
}

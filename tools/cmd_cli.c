/* cmd_cli.c — nslab cli NAME [-c LINE]: a console on a running lab, like
 * Mininet's (README.md, "The console").
 *
 * Each line is one command, run to its end before the next is read:
 * `NODE CMD [ARG...]` runs CMD in the node as nslab exec does (an argument
 * that is a node's name becomes its address, core/console.h), `NODE` alone
 * is nslab shell, `pingall` and `link` are those commands, and the rest
 * (nodes, net, intfs, links, dump, iperf, sh, source, help, exit) are
 * here.  The status of the console is that of the last command run.
 *
 * Input: on a terminal, libedit's line editing and history
 * (~/.nslab_history); otherwise lines are read plainly, without prompt,
 * and the commands get /dev/null as stdin, so none of them can eat the
 * lines that follow.  Ctrl-C stops the running command, not the console
 * (cli_wait_child()); at the prompt it drops the line; while a script is
 * read from a pipe it ends the console (130), as it ends a shell script.
 */
#include <editline/readline.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "console.h"
#include "lab.h"
#include "live.h"
#include "runner.h"
#include "state.h"
#include "tester.h"

#define CLI_SOURCE_DEPTH 16		/* nested `source` files */
#define CLI_IPERF_NS 2000000000ull	/* a short iperf run */
#define CLI_HISTORY_LINES 1000

struct console {
	const char *name;	/* the lab */
	struct lab *lab;	/* its model: names, links, addresses */
	int status;		/* of the last command run */
	bool quit;
	int depth;		/* of source files */
};

static volatile sig_atomic_t cli_sigint;

static void on_sigint(int sig)
{
	cli_sigint = sig;
}

typedef int (*console_fn)(struct console *c, struct console_line *l,
			  const char *line);

struct console_cmd {
	const char *name;
	console_fn fn;
	const char *args;
	const char *help;
};

static const struct console_cmd *cmd_find(const char *name);

/* ---- the lab as Mininet shows it ---------------------------------------- */

/* "h1-eth0": Mininet's name of a node's interface */
static const char *ifname(const struct lab *lab, int iface, char *buf,
			  size_t len)
{
	const struct lab_iface *f = &lab->ifaces[iface];

	snprintf(buf, len, "%s-%s", lab->nodes[f->node].name, f->name);
	return buf;
}

/* The interface at the other end of iface's link, or -1. */
static int peer_of(const struct lab *lab, int iface)
{
	const struct lab_iface *f = &lab->ifaces[iface];

	if (f->link < 0)
		return -1;
	return lab->links[f->link].iface[!f->end];
}

static int do_nodes(struct console *c, struct console_line *l,
		    const char *line)
{
	int i;

	(void)l, (void)line;
	printf("available nodes are: \n");
	for (i = 0; i < c->lab->nnodes; i++)
		printf("%s%s", i ? " " : "", c->lab->nodes[i].name);
	printf("\n");
	return EXIT_OK;
}

static int do_net(struct console *c, struct console_line *l, const char *line)
{
	const struct lab *lab = c->lab;
	char a[64], b[64];
	int i, k, p;

	(void)l, (void)line;
	for (i = 0; i < lab->nnodes; i++) {
		printf("%s", lab->nodes[i].name);
		for (k = 0; k < lab->nodes[i].nifaces; k++) {
			p = peer_of(lab, lab->nodes[i].ifaces[k]);
			printf(" %s:%s", ifname(lab, lab->nodes[i].ifaces[k], a,
						sizeof(a)),
			       p < 0 ? "" : ifname(lab, p, b, sizeof(b)));
		}
		printf("\n");
	}
	return EXIT_OK;
}

static int do_intfs(struct console *c, struct console_line *l,
		    const char *line)
{
	const struct lab *lab = c->lab;
	char a[64];
	int i, k;

	(void)l, (void)line;
	for (i = 0; i < lab->nnodes; i++) {
		printf("%s:", lab->nodes[i].name);
		for (k = 0; k < lab->nodes[i].nifaces; k++)
			printf("%s%s", k ? "," : " ",
			       ifname(lab, lab->nodes[i].ifaces[k], a, sizeof(a)));
		printf("\n");
	}
	return EXIT_OK;
}

static int do_dump(struct console *c, struct console_line *l, const char *line)
{
	const struct lab *lab = c->lab;
	struct lab_addr addrs[LAB_IFACE_ADDRS_ALL];
	char a[64], ip[64];
	int i, k, j, n;

	(void)l, (void)line;
	for (i = 0; i < lab->nnodes; i++) {
		const struct lab_node *nd = &lab->nodes[i];

		printf("<%s %s:", lab_kind_name(nd->kind), nd->name);
		for (k = 0; k < nd->nifaces; k++) {
			printf("%s%s:", k ? "," : " ",
			       ifname(lab, nd->ifaces[k], a, sizeof(a)));
			n = lab_iface_addrs(lab, nd->ifaces[k], addrs,
					    LAB_IFACE_ADDRS_ALL);
			for (j = 0; j < n; j++)
				printf("%s%s", j ? "+" : "",
				       lab_addr_str(&addrs[j], ip, sizeof(ip)));
			if (!n)
				printf("None");
		}
		printf(" netns=%s/%s.%s>\n", state_netns_dir(), c->name,
		       nd->name);
	}
	return EXIT_OK;
}

/* "OK" (up), "DOWN" (administratively down) or "MISSING", from what the
 * kernel holds. */
static const char *iface_status(const struct lab *lab, int iface,
				const struct live_node *live)
{
	const struct lab_iface *f = &lab->ifaces[iface];
	int i;

	if (!live)
		return "MISSING";
	for (i = 0; i < live->links.n; i++)
		if (!strcmp(live->links.v[i].name, f->name))
			return live->links.v[i].flags & IFF_UP ? "OK" : "DOWN";
	return "MISSING";
}

static int do_links(struct console *c, struct console_line *l,
		    const char *line)
{
	const struct lab *lab = c->lab;
	struct live_node *live;
	bool *have;
	struct state *st;
	char a[64], b[64];
	int i, k, rc;

	(void)l, (void)line;
	rc = cli_open_running(c->name, false, &st);
	if (rc)
		return rc;
	live = calloc((size_t)lab->nnodes + 1, sizeof(*live));
	have = calloc((size_t)lab->nnodes + 1, sizeof(*have));
	if (!live || !have) {
		cli_err("links: %s", strerror(ENOMEM));
		rc = EXIT_SYSTEM;
		goto out;
	}
	for (i = 0; i < lab->nnodes; i++) {
		k = state_node_find(st, lab->nodes[i].name);
		have[i] = k >= 0 && !live_read(st, k, &live[i]);
		if (!have[i]) {
			cli_err("lab %s: cannot read node %s%s", c->name,
				lab->nodes[i].name, k < 0 ? ": not in the lab" :
				" (is the lab broken? see nslab ls)");
			rc = EXIT_SYSTEM;
		}
	}
	for (i = 0; i < lab->nlinks; i++) {
		const struct lab_link *lk = &lab->links[i];

		printf("%s<->%s (%s %s)\n", ifname(lab, lk->iface[0], a, sizeof(a)),
		       ifname(lab, lk->iface[1], b, sizeof(b)),
		       iface_status(lab, lk->iface[0], have[lk->end[0].node] ?
				    &live[lk->end[0].node] : NULL),
		       iface_status(lab, lk->iface[1], have[lk->end[1].node] ?
				    &live[lk->end[1].node] : NULL));
	}
out:
	for (i = 0; live && i < lab->nnodes; i++)
		live_free(&live[i]);
	free(live);
	free(have);
	state_close(st);
	return rc;
}

/* ---- commands of nslab and of the host ------------------------------------ */

/* nslab CMD NAME ARG...: the same code as on the command line. */
static int as_nslab(struct console *c, struct console_line *l,
		    int (*fn)(int, char **))
{
	char **argv = calloc((size_t)l->n + 2, sizeof(*argv));
	int i, rc;

	if (!argv) {
		cli_err("%s: %s", l->w[0], strerror(ENOMEM));
		return EXIT_SYSTEM;
	}
	argv[0] = l->w[0];
	argv[1] = (char *)c->name;
	for (i = 1; i < l->n; i++)
		argv[i + 1] = l->w[i];
	rc = fn(l->n + 1, argv);
	free(argv);
	return rc;
}

static int usage(const char *cmd)
{
	const struct console_cmd *k = cmd_find(cmd);

	if (k)	/* always: cmd is one of ours */
		cli_err("usage: %s %s", k->name, k->args);
	return EXIT_USAGE;
}

static int do_pingall(struct console *c, struct console_line *l,
		      const char *line)
{
	(void)line;
	return as_nslab(c, l, cmd_pingall);
}

static int do_link(struct console *c, struct console_line *l, const char *line)
{
	(void)line;
	if (l->n < 4)
		return usage("link");
	return as_nslab(c, l, cmd_link);
}

/* A node of the lab by name, or -1 with a message. */
static int node_arg(struct console *c, const char *cmd, const char *name)
{
	int i = lab_node_find(c->lab, name);

	if (i < 0)
		cli_err("%s: lab %s has no node '%s' (see nodes)", cmd, c->name,
			name);
	return i;
}

/* iperf [A B]: TCP from A to B for a moment (tester.c's <iperf> step);
 * without nodes, from the first host to the last, as Mininet does. */
static int do_iperf(struct console *c, struct console_line *l,
		    const char *line)
{
	struct lab_step s = { .kind = LAB_STEP_IPERF, .link = -1,
			      .time_ns = CLI_IPERF_NS };
	struct tester_result r;
	struct state *st;
	int i, rc;

	(void)line;
	if (l->n != 1 && l->n != 3)
		return usage("iperf");
	if (l->n == 3) {
		s.node_idx = node_arg(c, "iperf", l->w[1]);
		s.to_node = node_arg(c, "iperf", l->w[2]);
		if (s.node_idx < 0 || s.to_node < 0)
			return EXIT_USAGE;
	} else {
		s.node_idx = s.to_node = -1;
		for (i = 0; i < c->lab->nnodes; i++)
			if (c->lab->nodes[i].kind == LAB_HOST) {
				if (s.node_idx < 0)
					s.node_idx = i;
				s.to_node = i;
			}
		if (s.node_idx == s.to_node) {
			cli_err("iperf: lab %s has fewer than two hosts: name two nodes (iperf A B)",
				c->name);
			return EXIT_USAGE;
		}
	}
	s.node = c->lab->nodes[s.node_idx].name;
	s.to = c->lab->nodes[s.to_node].name;
	if (!lab_node_first_addr(c->lab, s.to_node, AF_INET, &s.to_addr) &&
	    !lab_node_first_addr(c->lab, s.to_node, AF_INET6, &s.to_addr)) {
		cli_err("iperf: %s has no address", s.to);
		return EXIT_USAGE;
	}
	rc = cli_open_running(c->name, false, &st);
	if (rc)
		return rc;
	printf("*** Iperf: testing TCP bandwidth between %s and %s\n", s.node,
	       s.to);
	fflush(stdout);
	/* Ctrl-C stops the measurement (the iperf3 processes are killed) */
	cli_sigint = 0;
	runner_cancel = &cli_sigint;
	rc = tester_step(c->lab, NULL, st, &s, &r);
	runner_cancel = NULL;
	state_close(st);
	if (rc) {
		cli_err("iperf %s %s: interrupted", s.node, s.to);
	} else if (r.ok) {
		printf("*** Results: %s -> %s: %s\n", s.node, s.to, r.detail);
	} else {
		cli_err("iperf %s %s: %s", s.node, s.to, r.detail);
		rc = EXIT_FAILED;
	}
	free(r.output);
	return rc;
}

/* sh CMD: the rest of the line, as written, by /bin/sh on the host. */
static int do_sh(struct console *c, struct console_line *l, const char *line)
{
	char *argv[] = { "/bin/sh", "-c", NULL, NULL };
	pid_t pid;

	(void)c;
	if (l->n < 2)
		return usage("sh");
	argv[2] = (char *)line + l->at[1];
	pid = fork();
	if (pid < 0) {
		cli_err("sh: fork: %s", strerror(errno));
		return EXIT_SYSTEM;
	}
	if (!pid) {
		execv(argv[0], argv);
		_exit(127);
	}
	return cli_wait_child(pid, "sh");
}

static int unsupported(struct console *c, struct console_line *l,
		       const char *line)
{
	(void)c, (void)line;
	cli_err("%s: not supported in nslab (no Python)", l->w[0]);
	return EXIT_USAGE;
}

/* ---- the console's own --------------------------------------------------- */

static int run_line(struct console *c, const char *line);

/* Every line of f, until its end or exit. */
static void run_stream(struct console *c, FILE *f)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;

	while (!c->quit && (n = getline(&line, &cap, f)) >= 0) {
		if (n && line[n - 1] == '\n')
			line[n - 1] = 0;
		run_line(c, line);
	}
	free(line);
}

static int do_source(struct console *c, struct console_line *l,
		     const char *line)
{
	FILE *f;

	(void)line;
	if (l->n != 2)
		return usage("source");
	if (c->depth >= CLI_SOURCE_DEPTH) {
		cli_err("source: %s: files source each other more than %d deep",
			l->w[1], CLI_SOURCE_DEPTH);
		return EXIT_USAGE;
	}
	f = fopen(l->w[1], "re");
	if (!f) {
		cli_err("source: %s: %s", l->w[1], strerror(errno));
		return EXIT_USAGE;
	}
	c->depth++;
	/* the status of the last command of the file, as a shell's `.` */
	c->status = EXIT_OK;
	run_stream(c, f);
	c->depth--;
	fclose(f);
	return c->status;
}

static int do_exit(struct console *c, struct console_line *l, const char *line)
{
	char *end;
	long v;

	(void)line;
	if (l->n > 2)
		return usage(l->w[0]);
	c->quit = true;
	if (l->n == 1)
		return c->status;
	v = strtol(l->w[1], &end, 10);
	if (!*l->w[1] || *end || v < 0 || v > 255) {
		cli_err("%s: \"%s\": not a status (0 to 255)", l->w[0], l->w[1]);
		return EXIT_USAGE;
	}
	return (int)v;
}

static int do_help(struct console *c, struct console_line *l,
		   const char *line);

static const struct console_cmd cmds[] = {
	{ "nodes", do_nodes, "", "the nodes of the lab" },
	{ "net", do_net, "",
	  "each node with its interfaces and what they are linked to" },
	{ "intfs", do_intfs, "", "each node's interfaces" },
	{ "links", do_links, "",
	  "each link, with the state of both ends (OK, DOWN or MISSING)" },
	{ "dump", do_dump, "",
	  "each node: kind, interfaces with their addresses, namespace" },
	{ "pingall", do_pingall, "[--count N] [--all]",
	  "every host pings every other host (nslab pingall)" },
	{ "iperf", do_iperf, "[A B]",
	  "TCP bandwidth from A to B for 2 s (default: first and last host)" },
	{ "link", do_link, "A B up|down|set KEY=VALUE...",
	  "cut, restore or reshape a link (nslab link)" },
	{ "sh", do_sh, "CMD...", "run CMD on the host with /bin/sh" },
	{ "source", do_source, "FILE", "run the console commands of FILE" },
	{ "px", unsupported, "...", "Mininet's Python: not supported" },
	{ "py", unsupported, "...", "Mininet's Python: not supported" },
	{ "help", do_help, "[CMD]", "this list, or one command's" },
	{ "exit", do_exit, "[STATUS]",
	  "leave (STATUS: that of the last command); also quit, end of input" },
	{ "quit", do_exit, "[STATUS]", "the same as exit" },
	{ NULL, NULL, NULL, NULL },
};

static const struct console_cmd *cmd_find(const char *name)
{
	const struct console_cmd *k;

	for (k = cmds; k->name; k++)
		if (!strcmp(k->name, name))
			return k;
	return NULL;
}

static int do_help(struct console *c, struct console_line *l,
		   const char *line)
{
	const struct console_cmd *k;
	char syn[64];

	(void)c, (void)line;
	if (l->n > 2)
		return usage("help");
	if (l->n == 2) {
		k = cmd_find(l->w[1]);
		if (!k) {
			cli_err("help: no command \"%s\" (help lists them)",
				l->w[1]);
			return EXIT_USAGE;
		}
		printf("usage: %s%s%s\n%s\n", k->name, *k->args ? " " : "",
		       k->args, k->help);
		return EXIT_OK;
	}
	printf("  %-36s %s\n", "NODE CMD [ARG...]",
	       "run CMD in NODE, as nslab exec; an ARG that is a node's name becomes its address");
	printf("  %-36s %s\n", "NODE", "an interactive shell in NODE");
	for (k = cmds; k->name; k++) {
		snprintf(syn, sizeof(syn), "%s %s", k->name, k->args);
		printf("  %-36s %s\n", syn, k->help);
	}
	printf("\nBlank lines and lines starting with # are skipped; quotes work as in sh.\n");
	return EXIT_OK;
}

/* NODE CMD [ARG...] or NODE alone. */
static int on_node(struct console *c, struct console_line *l)
{
	char *argv[] = { "shell", (char *)c->name, l->w[0], NULL };
	int ret;

	if (l->n == 1)
		return cmd_shell(3, argv);
	ret = console_subst(l, 2, c->lab);
	if (ret < 0) {
		cli_err("%s: %s", l->w[0], strerror(-ret));
		return EXIT_SYSTEM;
	}
	return cli_node_exec(c->name, l->w[0], l->w + 1, NULL);
}

/* One line: its status becomes the console's (blank lines leave it). */
static int run_line(struct console *c, const char *line)
{
	const struct console_cmd *k;
	struct console_line l;
	const char *why;
	int ret;

	ret = console_split(line, &l, &why);
	if (ret) {
		if (ret == -EINVAL)
			cli_err("%s: %s", line, why);
		else
			cli_err("%s", strerror(-ret));
		console_line_free(&l);
		return c->status = ret == -EINVAL ? EXIT_USAGE : EXIT_SYSTEM;
	}
	if (!l.n) {
		console_line_free(&l);
		return c->status;
	}
	/* the commands' output and ours, in the order they come */
	fflush(stdout);
	k = cmd_find(l.w[0]);
	if (k) {
		ret = k->fn(c, &l, line);
	} else if (lab_node_find(c->lab, l.w[0]) >= 0) {
		ret = on_node(c, &l);
	} else {
		cli_err("\"%s\" is neither a command nor a node of lab %s (see help, nodes)",
			l.w[0], c->name);
		ret = EXIT_USAGE;
	}
	fflush(stdout);
	cli_sigint = 0;		/* a ^C meant for the command */
	console_line_free(&l);
	return c->status = ret;
}

/* ---- input ----------------------------------------------------------------- */

/* ~/.nslab_history, only where nobody else could point it elsewhere: we
 * run as root, and under sudo $HOME may be a user's, where a symlink
 * named .nslab_history would have root write over any file.  So the home
 * must be ours and writable by us alone, and the file, if there, a plain
 * file of ours; else no history is kept. */
static char *history_path(void)
{
	const char *home = getenv("HOME");
	struct stat sb;
	char *p;

	if (!home || *home != '/' || stat(home, &sb) < 0 ||
	    !S_ISDIR(sb.st_mode) || sb.st_uid != geteuid() ||
	    (sb.st_mode & 022))
		return NULL;
	if (asprintf(&p, "%s/.nslab_history", home) < 0)
		return NULL;
	if (lstat(p, &sb) == 0 && (!S_ISREG(sb.st_mode) ||
				   sb.st_uid != geteuid() || sb.st_nlink != 1)) {
		free(p);
		return NULL;
	}
	return p;
}

/* On a terminal: libedit, a prompt naming the lab, history. */
static void run_terminal(struct console *c)
{
	char prompt[LAB_NAME_MAX + 16], *hist = history_path(), *line;

	snprintf(prompt, sizeof(prompt), "nslab %s> ", c->name);
	using_history();
	stifle_history(CLI_HISTORY_LINES);
	if (hist)
		read_history(hist);
	while (!c->quit) {
		cli_sigint = 0;
		line = readline(prompt);
		if (!line) {
			if (cli_sigint) {	/* ^C: a fresh prompt */
				printf("\n");
				c->status = 128 + SIGINT;
				continue;
			}
			printf("\n");	/* end of input (^D) */
			break;
		}
		if (line[strspn(line, " \t")])
			add_history(line);
		run_line(c, line);
		free(line);
	}
	if (hist) {	/* lines may hold secrets: ours alone, from the start */
		mode_t um = umask(077);

		if (!write_history(hist))
			chmod(hist, 0600);
		umask(um);
	}
	free(hist);
}

/* Not a terminal: plain lines from a copy of stdin, and /dev/null as
 * every command's stdin. */
static int run_script(struct console *c)
{
	int fd = fcntl(STDIN_FILENO, F_DUPFD_CLOEXEC, 3), null;
	FILE *f;

	null = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (fd < 0 || null < 0 || dup2(null, STDIN_FILENO) < 0) {
		cli_err("cli: stdin: %s", strerror(errno));
		return EXIT_SYSTEM;
	}
	close(null);
	f = fdopen(fd, "r");
	if (!f) {
		cli_err("cli: stdin: %s", strerror(errno));
		close(fd);
		return EXIT_SYSTEM;
	}
	run_stream(c, f);
	if (!c->quit && ferror(f) && errno == EINTR && cli_sigint)
		c->status = 128 + SIGINT;	/* ^C while reading: the end */
	fclose(f);
	return c->status;
}

int cmd_cli(int argc, char **argv)
{
	struct console c = { 0 };
	struct sigaction sa;
	struct state *st;
	int rc;

	if ((argc != 2 && !(argc == 4 && !strcmp(argv[2], "-c"))) ||
	    argv[1][0] == '-')
		return cli_usage("cli");
	rc = cli_need_root();
	if (rc)
		return rc;
	c.name = argv[1];
	rc = cli_open_running(c.name, false, &st);
	if (rc)
		return rc;
	rc = cli_running_model(st, c.name, &c.lab);
	state_close(st);
	if (rc)
		return rc;
	/* no SA_RESTART: ^C ends a wait for input */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_sigint;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	if (argc == 4)
		rc = run_line(&c, argv[3]);
	else if (isatty(STDIN_FILENO))
		run_terminal(&c), rc = c.status;
	else
		rc = run_script(&c);
	lab_free(c.lab);
	if (fflush(stdout) && !rc)
		rc = EXIT_SYSTEM;
	return rc;
}

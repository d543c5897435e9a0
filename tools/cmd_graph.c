/* cmd_graph.c — nslab graph NAME|FILE.xml|--topo SPEC [--format dot|svg|png]:
 * the lab as a Graphviz graph (core/graph.h).  nslab writes the DOT itself;
 * svg and png are Graphviz's dot rendering it, run with execvp (no shell),
 * as nobody when we are root.
 * A file or --topo needs no root; a running lab is read as show NAME reads
 * it: its model is rebuilt from the copy of its file up kept, trusted only
 * when root's (cli_running_model()). */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <grp.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"
#include "graph.h"
#include "lab.h"
#include "state.h"

static int load_running(const char *name, struct lab **lab)
{
	struct state *st;
	int ret;

	ret = cli_open_named_lab(name, &st);
	if (ret)
		return ret;
	ret = cli_running_model(st, name, lab);
	state_close(st);
	return ret;
}

/* Write all of buf to fd; 0 or -errno (-EPIPE: the reader is gone). */
static int write_all(int fd, const char *buf, size_t len)
{
	while (len) {
		ssize_t n = write(fd, buf, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

static int wait_dot(pid_t pid, int *status)
{
	while (waitpid(pid, status, 0) < 0) {
		if (errno != EINTR)
			return -errno;
	}
	return 0;
}

/* Graphviz is a large parser of its own, and nslab is often run as root
 * (graph NAME reads a running lab's state).  dot needs no privilege: its
 * input is our pipe and its output our stdout, both open already.  So as
 * root it runs as nobody (65534), with no supplementary groups and no way
 * back up.  0, or -1 with errno set. */
#define GRAPH_NOBODY 65534
static int drop_root(void)
{
	if (geteuid() != 0)
		return 0;
	if (setgroups(0, NULL) ||
	    setresgid(GRAPH_NOBODY, GRAPH_NOBODY, GRAPH_NOBODY) ||
	    setresuid(GRAPH_NOBODY, GRAPH_NOBODY, GRAPH_NOBODY))
		return -1;
	return prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
}

/* What the child sends back on `err` when dot did not start: the errno, and
 * whether it was the privilege drop (1) or the exec (0) that failed. */
struct dot_failure {
	int err;
	int dropping;
};

/* The child: dot -TFMT reading `in`, writing our stdout; if it cannot be
 * run, why goes back on `err` (close-on-exec: EOF once dot runs). */
static void __attribute__((noreturn)) run_dot(char *arg, int in, int err)
{
	char *argv[] = { "dot", arg, NULL };
	struct dot_failure f = { 0, 1 };
	int r;

	if (drop_root() == 0) {
		f.dropping = 0;
		/* dup2 onto itself would keep close-on-exec */
		if (in == STDIN_FILENO)
			r = fcntl(in, F_SETFD, 0);
		else
			r = dup2(in, STDIN_FILENO);
		if (r >= 0)
			execvp(argv[0], argv);
	}
	f.err = errno;
	while (write(err, &f, sizeof(f)) < 0 && errno == EINTR)
		;
	_exit(127);
}

/* Pipe DOT through `dot -TFMT` to our stdout: exit status. */
static int render(const char *fmt, const char *dot, size_t len)
{
	struct sigaction ign = { .sa_handler = SIG_IGN }, old;
	char arg[16];
	struct dot_failure f = { 0, 0 };
	int in[2], err[2], status, ret;
	ssize_t n;
	pid_t pid;

	snprintf(arg, sizeof(arg), "-T%s", fmt);
	if (pipe2(in, O_CLOEXEC)) {
		cli_err("graph: pipe: %s", strerror(errno));
		return EXIT_SYSTEM;
	}
	if (pipe2(err, O_CLOEXEC)) {
		cli_err("graph: pipe: %s", strerror(errno));
		close(in[0]);
		close(in[1]);
		return EXIT_SYSTEM;
	}
	fflush(stdout);
	pid = fork();
	if (pid == 0)
		run_dot(arg, in[0], err[1]);
	close(in[0]);
	close(err[1]);
	if (pid < 0) {
		cli_err("graph: fork: %s", strerror(errno));
		close(in[1]);
		close(err[0]);
		return EXIT_SYSTEM;
	}
	do
		n = read(err[0], &f, sizeof(f));
	while (n < 0 && errno == EINTR);
	close(err[0]);
	if (n == (ssize_t)sizeof(f)) {
		close(in[1]);
		wait_dot(pid, &status);
		if (f.dropping)
			cli_err("graph: cannot run dot as nobody (uid %d): %s",
				GRAPH_NOBODY, strerror(f.err));
		else if (f.err == ENOENT)
			cli_err("graph: --format %s needs Graphviz's dot: apt-get install graphviz",
				fmt);
		else if (geteuid() == 0)
			cli_err("graph: cannot run dot as nobody (uid %d, so dot and its directories must be world-executable): %s",
				GRAPH_NOBODY, strerror(f.err));
		else
			cli_err("graph: cannot run dot: %s", strerror(f.err));
		return EXIT_SYSTEM;
	}
	/* dot may stop reading (it failed): its status says why, not a
	 * SIGPIPE of ours */
	sigaction(SIGPIPE, &ign, &old);
	ret = write_all(in[1], dot, len);
	close(in[1]);
	sigaction(SIGPIPE, &old, NULL);
	if (wait_dot(pid, &status)) {
		cli_err("graph: waiting for dot: %s", strerror(errno));
		return EXIT_SYSTEM;
	}
	/* our reader went away (| head): as for any writer, not an error
	 * to report, the status a shell gives */
	if (WIFSIGNALED(status) && WTERMSIG(status) == SIGPIPE)
		return 128 + SIGPIPE;
	if (WIFSIGNALED(status)) {
		cli_err("graph: dot %s was killed by signal %d (%s)", arg,
			WTERMSIG(status), strsignal(WTERMSIG(status)));
		return EXIT_SYSTEM;
	}
	if (WEXITSTATUS(status)) {
		cli_err("graph: dot %s failed (exit status %d; its message is above)",
			arg, WEXITSTATUS(status));
		return EXIT_SYSTEM;
	}
	if (ret) {
		cli_err("graph: writing to dot: %s", strerror(-ret));
		return EXIT_SYSTEM;
	}
	return EXIT_OK;
}

int cmd_graph(int argc, char **argv)
{
	struct lab_src src = { 0 };
	const char *fmt = "dot";
	struct lab *lab;
	char *dot = NULL;
	size_t len = 0;
	FILE *m;
	int i, ret;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--format") && i + 1 < argc)
			fmt = argv[++i];
		else if (!cli_lab_src_opt(argc, argv, &i, &src))
			return cli_usage("graph");
	}
	if (!src.file && !src.topo)
		return cli_usage("graph");
	if (strcmp(fmt, "dot") && strcmp(fmt, "svg") && strcmp(fmt, "png")) {
		cli_err("--format \"%s\": unknown format (dot, svg or png)", fmt);
		return EXIT_USAGE;
	}
	/* PNG bytes on a terminal are never what anyone wants */
	if (!strcmp(fmt, "png") && isatty(STDOUT_FILENO)) {
		cli_err("graph: --format png: standard output is a terminal; redirect it to a file (> lab.png)");
		return EXIT_USAGE;
	}
	if (src.file && !cli_is_file_arg(src.file))
		ret = load_running(src.file, &lab);
	else
		ret = cli_load_src(&src, &lab);
	if (ret)
		return ret;
	if (!strcmp(fmt, "dot")) {
		ret = graph_write(lab, stdout);
		lab_free(lab);
		if (ret) {
			cli_err("graph: writing the graph: %s", strerror(-ret));
			return EXIT_SYSTEM;
		}
		return EXIT_OK;
	}
	m = open_memstream(&dot, &len);
	ret = m ? graph_write(lab, m) : -ENOMEM;
	if (m && fclose(m) && !ret)
		ret = -ENOMEM;
	lab_free(lab);
	if (ret) {
		cli_err("graph: %s", strerror(-ret));
		free(dot);
		return EXIT_SYSTEM;
	}
	ret = render(fmt, dot, len);
	free(dot);
	return ret;
}

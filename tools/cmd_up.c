/* cmd_up.c — nslab up and nslab run: build a lab, hand it to its holder,
 * place node files, run start commands; roll everything back on failure.
 *
 * up is all or nothing (core/README.md, "Guarantees the code keeps"):
 * until the holder owns the namespaces, closing our fds is the undo; after,
 * runner_down_lab() is.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "apply.h"
#include "cli.h"
#include "lab.h"
#include "nl.h"
#include "ns.h"
#include "plan.h"
#include "runner.h"
#include "holder.h"
#include "state.h"

static volatile sig_atomic_t got_signal;

static void on_signal(int sig)
{
	got_signal = sig;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void report_apply(const struct lab *lab, const struct apply_error *e)
{
	char k[300] = "";

	if (e->kmsg[0])
		snprintf(k, sizeof(k), " (kernel: \"%s\")", e->kmsg);
	if (e->unsupported && e->err == -ENOSYS)
		cli_err("%s", e->what);	/* the kernel itself, not the file */
	else if (e->unsupported && e->err == -EOPNOTSUPP)
		cli_err("%s:%d: %s", lab->file, e->line, e->what);
	else if (e->line)
		cli_err("%s:%d: %s: %s%s", lab->file, e->line, e->what,
			strerror(-e->err), k);
	else
		cli_err("%s: %s: %s%s", lab->file, e->what, strerror(-e->err), k);
}

/* Each node costs a namespace fd and a netlink socket while we build. */
static int raise_nofile(const struct lab *lab)
{
	rlim_t need = (rlim_t)lab->nnodes * 2 + 64;
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl))
		return 0;
	if (rl.rlim_cur >= need)
		return 0;
	if (rl.rlim_max < need) {
		rl.rlim_max = need;	/* root may raise the hard limit */
		rl.rlim_cur = need;
		if (setrlimit(RLIMIT_NOFILE, &rl)) {
			cli_err("%s: %d nodes need %lu open files, above the limit of %lu; raise it (ulimit -n %lu, or LimitNOFILE=)",
				lab->file, lab->nnodes, (unsigned long)need,
				(unsigned long)rl.rlim_max, (unsigned long)need);
			return EXIT_SYSTEM;
		}
		return 0;
	}
	rl.rlim_cur = need;
	setrlimit(RLIMIT_NOFILE, &rl);
	return 0;
}

static void progress_cb(const char *what, int done, int total)
{
	cli_progress(what, done, total);
}

/* Node directories, /etc/hosts and the lab's <file>s. */
static int place_files(const struct lab *lab, struct state *st)
{
	int i, ret;

	/* the tree the files go to: a tmpfs of the lab's own */
	ret = state_files(st, NULL);
	if (ret) {
		cli_err("%s: cannot make the lab's files tree (a tmpfs): %s",
			lab->name, strerror(-ret));
		return EXIT_SYSTEM;
	}
	/* /etc/hosts is the same in every node: one copy in the lab's
	 * common /etc layer, copied up only by a node that changes it. */
	ret = state_write_file(st, STATE_LAB_ETC, "/etc/hosts", lab->hosts,
			       strlen(lab->hosts), 0644);
	if (ret) {
		cli_err("%s: cannot write the lab's /etc/hosts: %s", lab->name,
			strerror(-ret));
		return EXIT_SYSTEM;
	}
	/* the node directories themselves are made with the holder */
	for (i = 0; i < lab->nfiles; i++) {
		const struct lab_file *f = &lab->files[i];

		ret = state_write_file(st, f->node, f->path, f->content, f->len,
				       f->mode);
		if (ret) {
			cli_err("%s:%d: cannot place %s in %s: %s", lab->file,
				f->line, f->path, lab->nodes[f->node].name,
				strerror(-ret));
			return EXIT_SYSTEM;
		}
	}
	return 0;
}

static int start_one(const struct lab *lab, struct state *st,
		     const struct lab_start *s)
{
	char *argv[] = { "/bin/sh", "-c", (char *)s->cmd, NULL };
	struct runner_cmd c = {
		.st = st, .node = s->node, .argv = argv,
		.fd_in = -1, .fd_out = -1, .fd_err = -1,
		.background = s->background, .new_pgrp = true,
	};
	struct runner_fail why = { 0 };
	char out[2048] = "";
	int ret, status = 0;
	pid_t pid;

	ret = runner_open_netns(st, s->node, &c.netns_fd);
	if (ret) {
		cli_err("%s: cannot enter node %s: %s", lab->name,
			lab->nodes[s->node].name, strerror(-ret));
		return EXIT_SYSTEM;
	}
	cli_info("start in %s: %s%s", lab->nodes[s->node].name, s->cmd,
		 s->background ? " (background)" : "");
	if (s->background)
		ret = runner_spawn(&c, &pid, &why);
	else
		ret = runner_run_capture(&c, s->timeout_ns, &status, out,
					 sizeof(out), &why);
	close(c.netns_fd);
	if (ret == -EINTR)
		return 128 + (int)got_signal;
	if (ret == -ETIMEDOUT) {
		cli_err("%s:%d: start command of %s did not finish within %llus: %s%s%s",
			lab->file, s->line, lab->nodes[s->node].name,
			(unsigned long long)(s->timeout_ns / 1000000000ull),
			s->cmd, out[0] ? "\n" : "", out);
		return EXIT_FAILED;
	}
	if (ret) {
		cli_err("%s:%d: cannot start a command in %s (%s): %s", lab->file,
			s->line, lab->nodes[s->node].name,
			why.stage ? why.stage : "spawn", strerror(-ret));
		return EXIT_SYSTEM;
	}
	if (!s->background && status) {
		cli_err("%s:%d: start command of %s failed with status %d: %s%s%s",
			lab->file, s->line, lab->nodes[s->node].name,
			runner_exit_code(status), s->cmd, out[0] ? "\n" : "", out);
		return EXIT_FAILED;
	}
	return 0;
}

static int run_starts(const struct lab *lab, const struct plan *p,
		      struct state *st)
{
	int i, ret;

	for (i = 0; i < p->nops; i++) {
		if (p->ops[i].kind != PLAN_START)
			continue;
		if (got_signal)
			return 128 + (int)got_signal;
		ret = start_one(lab, st, &lab->starts[p->ops[i].idx]);
		if (ret)
			return ret;
	}
	return 0;
}

/* The node table: names, kinds, namespace fds, inodes and cookies (from
 * the node's netlink socket, still open: down of a broken lab proves a
 * namespace by its cookie, state.h). */
static int record_nodes(const struct lab *lab, const struct apply *a,
			struct state *st)
{
	int i, ret;

	for (i = 0; i < lab->nnodes; i++) {
		ret = state_add_node(st, lab->nodes[i].name,
				     lab_kind_name(lab->nodes[i].kind), a->fds[i]);
		if (ret < 0)
			return ret;
		if (a->socks[i])
			ns_sock_cookie(nl_sock_fd(a->socks[i]),
				       &st->nodes[ret].netns_cookie);
	}
	return 0;
}

/* Hand the namespaces to the holder (which also saves the node table and
 * links /run/netns). */
static int spawn_holder(const struct lab *lab, const struct apply *a,
			struct state *st)
{
	const char **names = malloc(sizeof(char *) * (size_t)(lab->nnodes + 1));
	pid_t pid;
	int i, ret;

	if (!names)
		return -ENOMEM;
	for (i = 0; i < lab->nnodes; i++)
		names[i] = lab->nodes[i].name;
	ret = holder_spawn(st, a->fds, names, lab->nnodes, &pid);
	free(names);
	return ret;
}

/* Tear down whatever exists of the lab; used on every failure path. */
static void rollback(const char *name, struct state **st, struct apply **a)
{
	struct runner_down_report rep;

	apply_free(*a);
	*a = NULL;
	state_close(*st);	/* unlock so runner_down_lab can lock */
	*st = NULL;
	runner_down_lab(name, &rep);
}

/* Before anything is built: file limit, kernel features, the state dir
 * (which also claims the name). */
static int prepare(const struct lab *lab, const struct plan *plan,
		   struct state **st)
{
	struct apply_error e = { 0 };
	int ret;

	ret = raise_nofile(lab);
	if (ret)
		return ret;
	ret = apply_probe(plan, &e);
	if (ret) {
		report_apply(lab, &e);
		return EXIT_SYSTEM;
	}
	ret = state_create(lab->name, st);
	if (ret == -EEXIST) {
		cli_err("lab %s already exists (see nslab ls; nslab down %s)",
			lab->name, lab->name);
		return EXIT_SYSTEM;
	}
	if (ret == -EPERM) {
		cli_err("%s: cannot create the lab's state directory: %s is not "
			"root's, or others can write it", lab->name,
			state_run_dir());
		return EXIT_SYSTEM;
	}
	if (ret) {
		cli_err("%s: cannot create the lab's state directory: %s",
			lab->name, strerror(-ret));
		return EXIT_SYSTEM;
	}
	return EXIT_OK;
}

int cli_lab_up(struct lab *lab, const struct plan *plan)
{
	struct apply_error e = { 0 };
	struct apply *a = NULL;
	struct state *st = NULL;
	double t0 = now_s();
	int ret;

	ret = prepare(lab, plan, &st);
	if (ret)
		return ret;
	ret = apply_new(plan, &a);
	if (ret)
		goto sys_fail;
	a->progress = progress_cb;
	ret = apply_build(a, &e);
	cli_progress_end();
	if (ret) {
		report_apply(lab, &e);
		rollback(lab->name, &st, &a);
		return EXIT_SYSTEM;
	}
	cli_info("%s: %d namespaces, %d links, %d kernel operations in %.3f s",
		 lab->name, lab->nnodes, lab->nlinks, plan->nops, now_s() - t0);
	ret = record_nodes(lab, a, st);
	apply_close_sockets(a);
	if (ret)
		goto sys_fail;
	/* files first: the holder makes each node's /etc overlay from them */
	ret = place_files(lab, st);
	if (ret) {	/* place_files() said why */
		rollback(lab->name, &st, &a);
		return ret;
	}
	ret = spawn_holder(lab, a, st);
	if (ret) {
		cli_err("%s: cannot %s: %s", lab->name, st->why[0] ? st->why :
			"start the lab's holder", strerror(-ret));
		rollback(lab->name, &st, &a);
		return EXIT_SYSTEM;
	}
	cli_info("%s: held by process %d (nslab: lab %s), files placed, %.3f s",
		 lab->name, (int)st->holder, lab->name, now_s() - t0);
	ret = run_starts(lab, plan, st);
	if (got_signal) {
		cli_err("%s: interrupted by %s: tearing down", lab->name,
			strsignal((int)got_signal));
		ret = 128 + (int)got_signal;
	}
	if (ret) {
		rollback(lab->name, &st, &a);
		return ret;
	}
	apply_free(a);
	state_close(st);
	cli_info("lab %s is up: %d nodes, %d links in %.3f s", lab->name,
		 lab->nnodes, lab->nlinks, now_s() - t0);
	return EXIT_OK;
sys_fail:
	cli_err("%s: cannot bring the lab up: %s", lab->name, strerror(-ret));
	rollback(lab->name, &st, &a);
	return EXIT_SYSTEM;
}

struct up_args {
	const char *file, *name;
	bool keep;
};

static int parse_args(int argc, char **argv, struct up_args *u, bool run)
{
	int i;

	memset(u, 0, sizeof(*u));
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--name") && i + 1 < argc)
			u->name = argv[++i];
		else if (run && !strcmp(argv[i], "--keep"))
			u->keep = true;
		else if (!strcmp(argv[i], "-v"))
			cli_verbose = 1;
		else if (!strcmp(argv[i], "-q"))
			cli_quiet = 1;
		else if (argv[i][0] != '-' && !u->file)
			u->file = argv[i];
		else
			goto usage;
	}
	if (u->file)
		return 0;
usage:
	cli_usage(run ? "run" : "up");
	return -1;
}

static int load(const struct up_args *u, struct lab **lab, struct plan **plan)
{
	int ret;

	ret = cli_load_lab(u->file, lab);
	if (ret)
		return ret;
	if (u->name) {
		if (!state_name_ok(u->name)) {
			cli_err("--name \"%s\": a lab name is 1 to 32 letters, digits, '_' or '-', starting with a letter",
				u->name);
			lab_free(*lab);
			return EXIT_USAGE;
		}
		(*lab)->name = u->name;
	}
	ret = plan_build(*lab, plan);
	if (ret) {
		cli_err("%s: %s", u->file, strerror(-ret));
		lab_free(*lab);
		return EXIT_SYSTEM;
	}
	return 0;
}

static void catch_signals(void)
{
	struct sigaction sa = { .sa_handler = on_signal };

	sigemptyset(&sa.sa_mask);
	runner_cancel = &got_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
}

/* up and run alike: arguments, the file, root, signals, the build. */
static int up_common(int argc, char **argv, bool run, struct up_args *u,
		     struct lab **lab, struct plan **plan)
{
	int ret;

	if (parse_args(argc, argv, u, run))
		return EXIT_USAGE;
	ret = load(u, lab, plan);
	if (ret)
		return ret;
	ret = cli_need_root();
	if (!ret) {
		catch_signals();
		ret = cli_lab_up(*lab, *plan);
	}
	if (ret) {
		plan_free(*plan);
		lab_free(*lab);
	}
	return ret;
}

int cmd_up(int argc, char **argv)
{
	struct up_args u;
	struct plan *plan;
	struct lab *lab;
	int ret = up_common(argc, argv, false, &u, &lab, &plan);

	if (ret)
		return ret;
	plan_free(plan);
	lab_free(lab);
	return EXIT_OK;
}

int cmd_run(int argc, char **argv)
{
	struct runner_down_report rep;
	struct up_args u;
	struct plan *plan;
	struct lab *lab;
	int ret = up_common(argc, argv, true, &u, &lab, &plan);

	if (ret)
		return ret;
	/* Never claim that tests passed when they did not run: a CI job
	 * "nslab run lab.xml" must not go green on a lab it did not check. */
	if (lab->nsteps) {
		cli_err("%s: %d test steps not run: this version of nslab cannot run <tests> yet",
			lab->name, lab->nsteps);
		ret = EXIT_FAILED;
	}
	if (got_signal)
		ret = 128 + (int)got_signal;
	if (u.keep && !got_signal)
		cli_info("lab %s kept running (nslab down %s)", lab->name, lab->name);
	else if (runner_down_lab(lab->name, &rep) && !ret) {
		cli_err("%s: teardown failed", lab->name);
		ret = EXIT_SYSTEM;
	}
	plan_free(plan);
	lab_free(lab);
	return ret;
}

/* lifecycle.c — bringing a lab up (lifecycle.h): build it, hand it to its
 * holder, place node files, run start commands; roll everything back on
 * failure.
 *
 * up is all or nothing (core/README.md, "Guarantees the code keeps"):
 * until the holder owns the namespaces, closing our fds is the undo; after,
 * runner_down_lab() is.
 */
#include "lifecycle.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "apply.h"
#include "holder.h"
#include "nl.h"
#include "ns.h"
#include "state.h"

/* The signal that asks us to stop (runner_cancel, set by the caller's
 * handler), or 0. */
static int stop_signal(void)
{
	return runner_cancel ? (int)*runner_cancel : 0;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void report_apply(const struct life_io *io, const struct lab *lab,
			 const struct apply_error *e)
{
	char k[300] = "";

	if (e->kmsg[0])
		snprintf(k, sizeof(k), " (kernel: \"%s\")", e->kmsg);
	if (e->unsupported && e->err == -ENOSYS)
		io->err("%s", e->what);	/* the kernel itself, not the file */
	else if (e->unsupported && e->err == -EOPNOTSUPP)
		io->err("%s:%d: %s", lab->file, e->line, e->what);
	else if (e->line)
		io->err("%s:%d: %s: %s%s", lab->file, e->line, e->what,
			strerror(-e->err), k);
	else
		io->err("%s: %s: %s%s", lab->file, e->what, strerror(-e->err), k);
}

/* Each node costs a namespace fd and a netlink socket while we build. */
static int raise_nofile(const struct life_io *io, const struct lab *lab)
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
			io->err("%s: %d nodes need %lu open files, above the limit of %lu; raise it (ulimit -n %lu, or LimitNOFILE=)",
				lab->file, lab->nnodes, (unsigned long)need,
				(unsigned long)rl.rlim_max, (unsigned long)need);
			return LIFE_SYSTEM;
		}
		return 0;
	}
	rl.rlim_cur = need;
	setrlimit(RLIMIT_NOFILE, &rl);
	return 0;
}

/* Node directories, /etc/hosts and the lab's <file>s. */
static int place_files(const struct life_io *io, const struct lab *lab,
		       struct state *st)
{
	int i, ret;

	/* the tree the files go to: a tmpfs of the lab's own */
	ret = state_files(st, NULL);
	if (ret) {
		io->err("%s: cannot make the lab's files tree (a tmpfs): %s",
			lab->name, strerror(-ret));
		return LIFE_SYSTEM;
	}
	/* /etc/hosts is the same in every node: one copy in the lab's
	 * common /etc layer, copied up only by a node that changes it. */
	ret = state_write_file(st, STATE_LAB_ETC, "/etc/hosts", lab->hosts,
			       strlen(lab->hosts), 0644);
	if (ret) {
		io->err("%s: cannot write the lab's /etc/hosts: %s", lab->name,
			strerror(-ret));
		return LIFE_SYSTEM;
	}
	/* the node directories themselves are made with the holder */
	for (i = 0; i < lab->nfiles; i++) {
		const struct lab_file *f = &lab->files[i];

		ret = state_write_file(st, f->node, f->path, f->content, f->len,
				       f->mode);
		if (ret) {
			io->err("%s:%d: cannot place %s in %s: %s", lab->file,
				f->line, f->path, lab->nodes[f->node].name,
				strerror(-ret));
			return LIFE_SYSTEM;
		}
	}
	return 0;
}

static int start_one(const struct life_io *io, const struct lab *lab,
		     struct state *st, const struct lab_start *s)
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
		io->err("%s: cannot enter node %s: %s", lab->name,
			lab->nodes[s->node].name, strerror(-ret));
		return LIFE_SYSTEM;
	}
	io->info("start in %s: %s%s", lab->nodes[s->node].name, s->cmd,
		 s->background ? " (background)" : "");
	if (s->background)
		ret = runner_spawn(&c, &pid, &why);
	else
		ret = runner_run_capture(&c, s->timeout_ns, &status, out,
					 sizeof(out), &why);
	close(c.netns_fd);
	if (ret == -EINTR)
		return 128 + (int)stop_signal();
	if (ret == -ETIMEDOUT) {
		io->err("%s:%d: start command of %s did not finish within %llus: %s%s%s",
			lab->file, s->line, lab->nodes[s->node].name,
			(unsigned long long)(s->timeout_ns / 1000000000ull),
			s->cmd, out[0] ? "\n" : "", out);
		return LIFE_FAILED;
	}
	if (ret) {
		io->err("%s:%d: cannot start a command in %s (%s): %s", lab->file,
			s->line, lab->nodes[s->node].name,
			why.stage ? why.stage : "spawn", strerror(-ret));
		return LIFE_SYSTEM;
	}
	if (!s->background && status) {
		io->err("%s:%d: start command of %s failed with status %d: %s%s%s",
			lab->file, s->line, lab->nodes[s->node].name,
			runner_exit_code(status), s->cmd, out[0] ? "\n" : "", out);
		return LIFE_FAILED;
	}
	return 0;
}

static int run_starts(const struct life_io *io, const struct lab *lab,
		      const struct plan *p, struct state *st)
{
	int i, ret;

	for (i = 0; i < p->nops; i++) {
		if (p->ops[i].kind != PLAN_START)
			continue;
		if (stop_signal())
			return 128 + (int)stop_signal();
		ret = start_one(io, lab, st, &lab->starts[p->ops[i].idx]);
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
static int prepare(const struct life_io *io, const struct lab *lab,
		   const struct plan *plan, struct state **st)
{
	struct apply_error e = { 0 };
	int ret;

	ret = raise_nofile(io, lab);
	if (ret)
		return ret;
	ret = apply_probe(plan, &e);
	if (ret) {
		report_apply(io, lab, &e);
		return LIFE_SYSTEM;
	}
	ret = state_create(lab->name, st);
	if (ret == -EEXIST) {
		io->err("lab %s already exists (see nslab ls; nslab down %s)",
			lab->name, lab->name);
		return LIFE_SYSTEM;
	}
	if (ret == -EPERM) {
		io->err("%s: cannot create the lab's state directory: %s is not "
			"root's, or others can write it", lab->name,
			state_run_dir());
		return LIFE_SYSTEM;
	}
	if (ret) {
		io->err("%s: cannot create the lab's state directory: %s",
			lab->name, strerror(-ret));
		return LIFE_SYSTEM;
	}
	return LIFE_OK;
}

int life_up(struct lab *lab, const struct plan *plan, const struct life_io *io)
{
	struct apply_error e = { 0 };
	struct apply *a = NULL;
	struct state *st = NULL;
	double t0 = now_s();
	int ret;

	ret = prepare(io, lab, plan, &st);
	if (ret)
		return ret;
	ret = apply_new(plan, &a);
	if (ret)
		goto sys_fail;
	a->progress = io->progress;
	ret = apply_build(a, &e);
	if (io->progress_end)
		io->progress_end();
	if (ret) {
		report_apply(io, lab, &e);
		rollback(lab->name, &st, &a);
		return LIFE_SYSTEM;
	}
	io->info("%s: %d namespaces, %d links, %d kernel operations in %.3f s",
		 lab->name, lab->nnodes, lab->nlinks, plan->nops, now_s() - t0);
	ret = record_nodes(lab, a, st);
	apply_close_sockets(a);
	if (ret)
		goto sys_fail;
	/* files first: the holder makes each node's /etc overlay from them */
	ret = place_files(io, lab, st);
	if (ret) {	/* place_files() said why */
		rollback(lab->name, &st, &a);
		return ret;
	}
	ret = spawn_holder(lab, a, st);
	if (ret) {
		io->err("%s: cannot %s: %s", lab->name, st->why[0] ? st->why :
			"start the lab's holder", strerror(-ret));
		rollback(lab->name, &st, &a);
		return LIFE_SYSTEM;
	}
	io->info("%s: held by process %d (nslab: lab %s), files placed, %.3f s",
		 lab->name, (int)st->holder, lab->name, now_s() - t0);
	ret = run_starts(io, lab, plan, st);
	if (stop_signal()) {
		io->err("%s: interrupted by %s: tearing down", lab->name,
			strsignal((int)stop_signal()));
		ret = 128 + (int)stop_signal();
	}
	if (ret) {
		rollback(lab->name, &st, &a);
		return ret;
	}
	apply_free(a);
	state_close(st);
	io->info("lab %s is up: %d nodes, %d links in %.3f s", lab->name,
		 lab->nnodes, lab->nlinks, now_s() - t0);
	return LIFE_OK;
sys_fail:
	io->err("%s: cannot bring the lab up: %s", lab->name, strerror(-ret));
	rollback(lab->name, &st, &a);
	return LIFE_SYSTEM;
}

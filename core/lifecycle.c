/* lifecycle.c — bringing a lab up (lifecycle.h): build it, hand it to its
 * holder, place node files, run start commands; roll everything back on
 * failure.
 *
 * up is all or nothing (core/README.md, "Guarantees the code keeps"):
 * until the holder owns the namespaces, closing our fds is the undo; after,
 * life_down() is.
 */
#include "lifecycle.h"
#include "clock.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "apply.h"
#include "engine.h"
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

/* Raise the soft open-file limit to `need` (0: to the hard limit), and the
 * hard one with it when need is above it (root may).  0, or -errno with
 * the hard limit in *max. */
static int nofile_at_least(rlim_t need, rlim_t *max)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl))
		return -errno;
	*max = rl.rlim_max;
	if (!need)
		need = rl.rlim_max;
	if (rl.rlim_cur >= need)
		return 0;
	rl.rlim_cur = need;
	if (rl.rlim_max < need)
		rl.rlim_max = need;
	return setrlimit(RLIMIT_NOFILE, &rl) ? -errno : 0;
}

/* Each node costs a namespace fd and a netlink socket while we build. */
static int raise_nofile(const struct life_io *io, const struct lab *lab)
{
	rlim_t need = (rlim_t)lab->nnodes * 2 + 64, max = 0;

	if (nofile_at_least(need, &max)) {
		io->err("%s: %d nodes need %lu open files, above the limit of %lu; raise it (ulimit -n %lu, or LimitNOFILE=)",
			lab->file, lab->nnodes, (unsigned long)need,
			(unsigned long)max, (unsigned long)need);
		return LIFE_SYSTEM;
	}
	return 0;
}

/* Node directories, /etc/hosts and the lab's <file>s. */
static int place_files(const struct life_io *io, const struct plan *p,
		       struct state *st)
{
	const struct lab *lab = p->lab;
	bool hosts = false;
	int i, ret;

	/* the tree the files go to: a tmpfs of the lab's own */
	ret = state_files(st, NULL);
	if (ret) {
		io->err("%s: cannot make the lab's files tree (a tmpfs): %s",
			lab->name, strerror(-ret));
		return LIFE_SYSTEM;
	}
	/* the node directories themselves are made with the holder */
	for (i = 0; i < p->nops; i++) {
		const struct plan_op *op = &p->ops[i];

		if (op->kind != PLAN_FILE)
			continue;
		/* /etc/hosts is the same in every node that has no own: one
		 * copy in the lab's common /etc layer, copied up only by a
		 * node that changes it. */
		if (op->file.hosts && hosts)
			continue;
		ret = state_write_file(st, op->file.hosts ? STATE_LAB_ETC : op->node,
				       op->file.path, op->file.content,
				       op->file.len, op->file.mode);
		if (ret && op->file.hosts) {
			io->err("%s: cannot write the lab's /etc/hosts: %s",
				lab->name, strerror(-ret));
			return LIFE_SYSTEM;
		}
		if (ret) {
			io->err("%s:%d: cannot place %s in %s: %s", lab->file,
				op->line, op->file.path, p->nodes[op->node].name,
				strerror(-ret));
			return LIFE_SYSTEM;
		}
		hosts |= op->file.hosts;
	}
	return 0;
}

static int start_one(const struct life_io *io, const struct plan *p,
		     struct state *st, const struct plan_op *op)
{
	const char *cmd = op->start.cmd, *node = p->nodes[op->node].name;
	char *argv[] = { "/bin/sh", "-c", (char *)cmd, NULL };
	bool bg = op->start.background;
	struct runner_cmd c = {
		.st = st, .node = op->node, .argv = argv,
		.fd_in = -1, .fd_out = -1, .fd_err = -1,
		.background = bg, .new_pgrp = true,
	};
	struct runner_fail why = { 0 };
	char out[2048] = "";
	int ret, status = 0;
	pid_t pid;

	ret = runner_open_netns(st, op->node, &c.netns_fd);
	if (ret) {
		io->err("%s: cannot enter node %s: %s", p->name, node,
			strerror(-ret));
		return LIFE_SYSTEM;
	}
	io->info("start in %s: %s%s", node, cmd, bg ? " (background)" : "");
	if (bg)
		ret = runner_spawn(&c, &pid, &why);
	else
		ret = runner_run_capture(&c, op->start.timeout_ns, &status, out,
					 sizeof(out), &why);
	close(c.netns_fd);
	if (ret == -EINTR)
		return 128 + (int)stop_signal();
	if (ret == -ETIMEDOUT) {
		io->err("%s:%d: start command of %s did not finish within %llus: %s%s%s",
			p->file, op->line, node,
			(unsigned long long)(op->start.timeout_ns / 1000000000ull),
			cmd, out[0] ? "\n" : "", out);
		return LIFE_FAILED;
	}
	if (ret) {
		io->err("%s:%d: cannot start a command in %s (%s): %s", p->file,
			op->line, node, why.stage ? why.stage : "spawn",
			strerror(-ret));
		return LIFE_SYSTEM;
	}
	if (!bg && status) {
		io->err("%s:%d: start command of %s failed with status %d: %s%s%s",
			p->file, op->line, node, runner_exit_code(status), cmd,
			out[0] ? "\n" : "", out);
		return LIFE_FAILED;
	}
	return 0;
}

static int run_starts(const struct life_io *io, const struct plan *p,
		      struct state *st)
{
	int i, ret;

	for (i = 0; i < p->nops; i++) {
		if (p->ops[i].kind != PLAN_START)
			continue;
		if (stop_signal())
			return 128 + (int)stop_signal();
		ret = start_one(io, p, st, &p->ops[i]);
		if (ret)
			return ret;
	}
	return 0;
}

/* The node table: names, kinds, namespace fds, inodes and cookies (from
 * the node's netlink socket, still open: down of a broken lab proves a
 * namespace by its cookie, state.h). */
static int record_nodes(const struct plan *p, const struct apply *a,
			struct state *st)
{
	int i, ret;

	for (i = 0; i < p->nnodes; i++) {
		ret = state_add_node(st, p->nodes[i].name, p->nodes[i].relay ?
				     STATE_KIND_RELAY :
				     lab_kind_name(p->nodes[i].kind), a->fds[i]);
		if (ret < 0)
			return ret;
		if (a->socks[i])
			ns_sock_cookie(nl_sock_fd(a->socks[i]),
				       &st->nodes[ret].netns_cookie);
	}
	return 0;
}

/* Until linkwatch has run, a new link drops what it is given (core/README.md,
 * "Kernel facts: link flags" 3).  Waiting is best effort: a link that is
 * late is said with -v and the lab comes up all the same. */
static void wait_running(const struct life_io *io, const struct lab *lab,
			 const struct plan *p, struct apply *a)
{
	double t0 = mono_s();
	char ifname[16] = "";
	int node = 0, ret;

	ret = apply_wait_running(a, 5000000000ull, &node, ifname,
				 sizeof(ifname));
	if (ret == -ETIMEDOUT)
		io->info("%s: %s:%s was still not running after 5 s; going on",
			 lab->name, p->nodes[node].name, ifname);
	else if (ret)
		io->info("%s: cannot read the links' state: %s; going on",
			 lab->name, strerror(-ret));
	else
		io->info("%s: every link running after %.3f s", lab->name,
			 mono_s() - t0);
}

/* Hand the namespaces to the holder (which also saves the node table and
 * links /run/netns). */
static int spawn_holder(const struct plan *p, const struct apply *a,
			struct state *st)
{
	const char **names = malloc(sizeof(char *) * (size_t)(p->nnodes + 1));
	pid_t pid;
	int i, ret;

	if (!names)
		return -ENOMEM;
	for (i = 0; i < p->nnodes; i++)
		names[i] = p->nodes[i].name;
	ret = holder_spawn(st, a->fds, names, p->nnodes, &pid);
	free(names);
	return ret;
}

/* The engine's instructions, before the holder that starts it. */
static int engine_prepare(const struct life_io *io, const struct plan *p,
			  struct state *st)
{
	struct engine_conf c;
	int ret;

	if (!p->nrelays)
		return 0;
	ret = engine_conf_from_plan(p, &c);
	if (!ret)
		ret = engine_conf_save(st->dirfd, &c);
	engine_conf_free(&c);
	if (ret)
		io->err("%s: cannot write the impairment engine's instructions in %s: %s",
			p->name, st->dir, strerror(-ret));
	return ret;
}

/* Traffic must not pass a link before the engine relays it. */
static int engine_ready(const struct life_io *io, const struct plan *p,
			const struct state *st)
{
	if (!p->nrelays || !engine_wait(st->dirfd, 1, 10000000000ull))
		return 0;
	io->err("%s: the impairment engine did not start within 10 s (see %s/log/%s.log)",
		p->name, st->dir, LAB_RELAY_NAME);
	return -ETIMEDOUT;
}

/* Tear down whatever exists of the lab; used on every failure path. */
static void rollback(const char *name, struct state **st, struct apply **a)
{
	struct life_down_report rep = { .progress = NULL };

	apply_free(*a);
	*a = NULL;
	state_close(*st);	/* unlock so life_down can lock */
	*st = NULL;
	life_down(name, &rep);
}

/* The file up builds from, kept for test and link (state.h): its bytes as
 * parsed, and where it came from, absolute, so later messages name it. */
static int keep_source(const struct lab *lab, struct state *st)
{
	char abs[PATH_MAX];
	const char *path = lab->file;

	if (realpath(lab->file, abs))
		path = abs;
	return state_save_source(st, path, lab->text ? lab->text : "",
				 lab->text ? lab->text_len : 0);
}

int life_model(const struct state *st, struct lab **out,
	       struct lab_errors *errs)
{
	char *path = NULL, *text = NULL;
	size_t len = 0;
	int ret;

	*out = NULL;
	ret = state_read_source(st, &path, &text, &len);
	if (ret) {
		lab_err(errs, 0, "lab %s: cannot read the copy of its file kept in %s: %s",
			st->name, st->dir, ret == -ENOENT ?
			"there is none (built by an older nslab; bring it up again)" :
			ret == -EPERM ? "it is not root's, or others can write it" :
			strerror(-ret));
		return ret;
	}
	snprintf(errs->file, sizeof(errs->file), "%s", path);
	ret = lab_reparse(text, len, path, out, errs);
	free(path);
	free(text);
	return ret;
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
	ret = keep_source(lab, *st);
	if (ret) {
		struct apply *none = NULL;

		io->err("%s: cannot keep a copy of %s in the lab's state directory: %s",
			lab->name, lab->file, strerror(-ret));
		rollback(lab->name, st, &none);
		return LIFE_SYSTEM;
	}
	return LIFE_OK;
}

int life_up(struct lab *lab, const struct plan *plan, const struct life_io *io)
{
	struct apply_error e = { 0 };
	struct apply *a = NULL;
	struct state *st = NULL;
	double t0 = mono_s();
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
		 lab->name, lab->nnodes, lab->nlinks, plan->nops, mono_s() - t0);
	wait_running(io, lab, plan, a);
	ret = record_nodes(plan, a, st);
	apply_close_sockets(a);
	if (ret)
		goto sys_fail;
	/* files first: the holder makes each node's /etc overlay from them */
	ret = place_files(io, plan, st);
	if (!ret && engine_prepare(io, plan, st))
		ret = LIFE_SYSTEM;
	if (ret) {	/* place_files() and engine_prepare() said why */
		rollback(lab->name, &st, &a);
		return ret;
	}
	if (io->progress)
		io->progress("node views and /run/netns links", -1, plan->nnodes);
	ret = spawn_holder(plan, a, st);
	if (io->progress_end)
		io->progress_end();
	if (ret) {
		io->err("%s: cannot %s: %s", lab->name, st->why[0] ? st->why :
			"start the lab's holder", strerror(-ret));
		rollback(lab->name, &st, &a);
		return LIFE_SYSTEM;
	}
	io->info("%s: held by process %d (nslab: lab %s), files placed, %.3f s",
		 lab->name, (int)st->holder, lab->name, mono_s() - t0);
	if (engine_ready(io, plan, st)) {
		rollback(lab->name, &st, &a);
		return LIFE_SYSTEM;
	}
	ret = run_starts(io, plan, st);
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
		 lab->nnodes, lab->nlinks, mono_s() - t0);
	return LIFE_OK;
sys_fail:
	io->err("%s: cannot bring the lab up: %s", lab->name, strerror(-ret));
	rollback(lab->name, &st, &a);
	return LIFE_SYSTEM;
}

/* ---- down ------------------------------------------------------------------------- */

/* The namespaces down may kill in, each pinned by an fd of ours until the
 * kill is over, so that its inode cannot pass to a new namespace while
 * /proc is scanned (README.md, "Security": what down may kill). */
struct pins {
	unsigned long *ino;
	int *fd;
	int n, cap;
};

static bool pins_has(const struct pins *s, unsigned long ino)
{
	int i;

	for (i = 0; i < s->n; i++)
		if (s->ino[i] == ino)
			return true;
	return false;
}

/* Takes fd (closed when not kept). */
static void pins_add(struct pins *s, int fd, unsigned long ino)
{
	if (pins_has(s, ino) || fd < 0)
		goto drop;
	if (s->n == s->cap) {
		int cap = s->cap ? 2 * s->cap : 64;
		unsigned long *v = reallocarray(s->ino, cap, sizeof(*v));
		int *f = v ? reallocarray(s->fd, cap, sizeof(*f)) : NULL;

		if (v)
			s->ino = v;
		if (!f)
			goto drop;
		s->fd = f;
		s->cap = cap;
	}
	s->ino[s->n] = ino;
	s->fd[s->n++] = fd;
	return;
drop:
	if (fd >= 0)
		close(fd);
}

static void pins_free(struct pins *s)
{
	int i;

	for (i = 0; i < s->n; i++)
		close(s->fd[i]);
	free(s->ino);
	free(s->fd);
}

/* The network namespaces a proven holder holds: its netns fds, opened
 * through /proc (only those already known to be on nsfs: opening any
 * other file of a process could block), kept only if the holder was still
 * alive afterwards, so they were really its.  Works without nodes.tab. */
static void pin_holder(const struct state *st, pid_t holder, struct pins *s)
{
	char path[64], fdp[336];
	struct dirent *de;
	struct pins got = { 0 };
	struct pollfd pfd;
	int pidfd, fd, i;
	DIR *d;

	pidfd = syscall(SYS_pidfd_open, holder, 0);
	if (pidfd < 0)
		return;
	snprintf(path, sizeof(path), "/proc/%d/fd", (int)holder);
	d = holder_ok(holder, st->name, st) ? opendir(path) : NULL;
	while (d && (de = readdir(d))) {
		struct stat sb;
		dev_t dev = 0;

		if (de->d_name[0] == '.')
			continue;
		snprintf(fdp, sizeof(fdp), "%s/%s", path, de->d_name);
		if (stat(fdp, &sb) < 0 || ns_nsfs_dev(&dev) < 0 || sb.st_dev != dev)
			continue;
		if (ns_open_proven(fdp, sb.st_ino, CLONE_NEWNET, &fd) == 0)
			pins_add(&got, fd, sb.st_ino);
	}
	if (d)
		closedir(d);
	pfd.fd = pidfd;
	pfd.events = POLLIN;
	if (poll(&pfd, 1, 0) == 0)	/* still alive: they were its fds */
		for (i = 0; i < got.n; i++)
			pins_add(s, fcntl(got.fd[i], F_DUPFD_CLOEXEC, 3),
				 got.ino[i]);
	pins_free(&got);
	close(pidfd);
}

struct wanted {
	const struct state *st;
	struct pins *s;
};

/* A broken lab (no proven holder): a node's namespace outlives the holder
 * only while a process runs in it.  Such a namespace is the lab's only if
 * its cookie is the one up recorded; the inode alone may since have passed
 * to another namespace. */
static void pin_recorded_one(const struct state *st, pid_t pid,
			     unsigned long ino, struct pins *s)
{
	uint64_t cookie;
	char path[64];
	int i, fd;

	for (i = 0; i < st->nnodes; i++)
		if (st->nodes[i].netns_ino == ino && st->nodes[i].netns_cookie)
			break;
	if (i == st->nnodes || pins_has(s, ino))
		return;
	snprintf(path, sizeof(path), "/proc/%d/ns/net", (int)pid);
	if (ns_open_proven(path, ino, CLONE_NEWNET, &fd) < 0)
		return;
	if (ns_netns_cookie(fd, &cookie) == 0 &&
	    cookie == st->nodes[i].netns_cookie)
		pins_add(s, fd, ino);
	else
		close(fd);
}

static void pin_recorded(const struct state *st, struct pins *s)
{
	char path[64];
	struct dirent *de;
	struct stat sb;
	dev_t dev = 0;
	DIR *d;

	if (!st->nnodes || ns_nsfs_dev(&dev) < 0 || !(d = opendir("/proc")))
		return;
	while ((de = readdir(d))) {
		pid_t pid = atoi(de->d_name);

		if (pid <= 0)
			continue;
		snprintf(path, sizeof(path), "/proc/%d/ns/net", (int)pid);
		if (stat(path, &sb) == 0 && sb.st_dev == dev)
			pin_recorded_one(st, pid, sb.st_ino, s);
	}
	closedir(d);
}

static int down_holders(const struct state *st, const pid_t *holders, int nh)
{
	int i, ret = 0, r;

	for (i = 0; i < nh; i++) {
		r = holder_kill(st, holders[i], 2000000000ull);
		if (r < 0 && !ret)
			ret = r;
	}
	return ret;
}

#define DOWN_MAX_HOLDERS 16

/* A lab whose dir is gone may still have a holder (someone removed
 * /run/nslab by hand): a state with no dir lets the same path end it. */
static struct state *down_ghost(const char *lab)
{
	struct state *st = calloc(1, sizeof(*st));

	if (!st)
		return NULL;
	snprintf(st->name, sizeof(st->name), "%s", lab);
	snprintf(st->dir, sizeof(st->dir), "%s/.ghost-%s", state_run_dir(),
		 lab);	/* never exists: removal finds nothing */
	st->dirfd = st->lockfd = st->files_fd = st->files_num = -1;
	st->holder_pidfd = -1;
	return st;
}

int life_down(const char *lab, struct life_down_report *rep)
{
	pid_t holders[DOWN_MAX_HOLDERS];
	struct pins s = { 0 };
	struct state *st;
	void (*progress)(const char *, int, int) = rep->progress;
	int nh = 0, ret, i;
	rlim_t max_files;

	memset(rep, 0, sizeof(*rep));
	rep->progress = progress;
	ret = state_open(lab, &st);
	if (ret == -ENOENT)
		st = down_ghost(lab);
	else if (ret < 0)
		return ret;
	if (!st)
		return -ENOMEM;
	rep->existed = ret == 0;
	(void)nofile_at_least(0, &max_files);	/* pin every namespace */
	if (holder_alive(st))
		holders[nh++] = st->holder;
	else	/* table missing or stale: holders proven without it */
		nh = holder_find(lab, st, holders, DOWN_MAX_HOLDERS,
					&rep->nimpostors);
	if (nh < 0)
		nh = 0;
	rep->existed |= nh > 0;
	for (i = 0; i < nh; i++)
		pin_holder(st, holders[i], &s);
	if (!nh)
		pin_recorded(st, &s);
	if (progress)
		progress("stopping the nodes' processes", -1, st->nnodes);
	ret = runner_kill_lab(s.ino, s.n, 0, &rep->nkilled);
	if (!ret)
		ret = down_holders(st, holders, nh);
	rep->nholders = nh;
	if (progress && !ret)
		progress("removing the /run/netns links and the lab's files",
			 -1, st->nnodes);
	if (!ret)
		ret = state_remove(st);
	/* and what an `up` killed before it made the lab dir left */
	if (!ret)
		ret = state_sweep_staging(lab);
	pins_free(&s);
	state_close(st);
	return ret;
}

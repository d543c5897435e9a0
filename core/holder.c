/* holder.c — the process that keeps a running lab's namespaces alive.
 *
 * Namespaces are held by file descriptors, never by mounts (core/README.md,
 * "The holder" and "Kernel facts: namespaces by fd"): the holder is
 * /proc/self/exe re-executed as "nslab: lab NAME" with the netns fds and
 * the lab's files tree inherited at the same fd numbers.  It first makes
 * the node views (view.c): a mount namespace of its own in which the files
 * tree is attached, and one mount namespace per node, kept by fds it
 * reports.  It owns nothing else: no sockets (a socket created in a netns
 * keeps that netns alive too), no cwd on the lab, stdio on /dev/null.
 * SIGTERM ends it, and with it every namespace in which no process runs.
 *
 * /run/netns/NAME.NODE is a symlink to /proc/HOLDER/fd/N, so `ip netns exec`
 * and `ip -n` work without a single mount.
 */
#include "holder.h"
#include "engine.h"
#include "state.h"
#include "fault.h"
#include "view.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <sched.h>
#include <sys/prctl.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <linux/close_range.h>

#define HOLDER_PREFIX "nslab: lab "
#define HOLDER_READY_ENV "NSLAB_HOLDER_READY"
/* How long up waits for the holder's views: 10 s, plus 20 ms a node, as a
 * node's view costs about 1 ms on a quiet 2-core machine and 10,000 of
 * them took over 10 s under load (core/README.md, "Speed"). */
#define HOLDER_READY_MS 10000
#define HOLDER_READY_NODE_MS 20

bool holder_is_argv0(const char *argv0)
{
	return argv0 && !strncmp(argv0, HOLDER_PREFIX, strlen(HOLDER_PREFIX));
}

/* ---- the holder process --------------------------------------------------- */

static int holder_detach(void)
{
	int fd;

	setsid();
	if (chdir("/") < 0)
		return -errno;
	fd = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	dup2(fd, 0);
	dup2(fd, 1);
	dup2(fd, 2);
	if (fd > 2)
		close(fd);
	return 0;
}

/* What the holder keeps of the node table: the relay's netns fd, when
 * the lab has engine links, for the engine it starts and restarts. */
struct holder_engine {
	char lab[LAB_NAME_MAX + 1];
	int netns_fd;		/* -1: no engine */
	pid_t pid;		/* 0 when not running */
	struct timespec started;
	unsigned backoff_ms;
};

static void holder_find_relay(const struct state *st, struct holder_engine *e)
{
	int i;

	snprintf(e->lab, sizeof(e->lab), "%s", st->name);
	e->netns_fd = -1;
	for (i = 0; i < st->nnodes; i++)
		if (!strcmp(st->nodes[i].kind, STATE_KIND_RELAY))
			e->netns_fd = st->nodes[i].netns_fd;
}

/* The holder's first job: the node views (view.c), made from the node
 * table that up saved before starting us.  Reports "PID BASE" on the
 * readiness pipe, node i's view being fd BASE + i, or "! ERRNO STAGE NODE". */
static int holder_views(int dirfd, int files_fd, char *msg, size_t len,
			struct holder_engine *eng)
{
	char labdir[4096], link[64];
	struct view_fail f = { -1, VIEW_SETUP, 0 };
	struct state *st = NULL;
	const char *name;
	ssize_t n;
	int base = -1, ret;

	snprintf(link, sizeof(link), "/proc/self/fd/%d", dirfd);
	n = readlink(link, labdir, sizeof(labdir) - 1);
	ret = n < 0 ? -errno : 0;
	if (!ret) {
		labdir[n] = '\0';
		name = strrchr(labdir, '/');
		ret = state_read_at(dirfd, name ? name + 1 : labdir, &st);
	}
	if (!ret)
		ret = view_build(st, labdir, files_fd, &base, &f);
	else
		f.err = -ret;
	if (st)
		holder_find_relay(st, eng);
	state_close(st);
	if (ret)
		snprintf(msg, len, "! %d %d %d\n", f.err ? f.err : -ret,
			 f.stage, f.node);
	else
		snprintf(msg, len, "%d %d %ld\n", (int)getpid(), base, fault_count());
	return ret;
}

/* The engine (engine.h): /proc/self/exe again, in the relay's network
 * namespace, as "nslab: engine LAB"; it dies with us (PDEATHSIG). */
static void holder_start_engine(struct holder_engine *e)
{
	char argv0[sizeof(ENGINE_ARGV0) + LAB_NAME_MAX];
	pid_t parent = getpid(), pid;
	sigset_t none;

	snprintf(argv0, sizeof(argv0), ENGINE_ARGV0 "%s", e->lab);
	pid = fork();
	if (pid < 0)
		return;	/* tried again on the next tick */
	if (pid > 0) {
		e->pid = pid;
		clock_gettime(CLOCK_MONOTONIC, &e->started);
		return;
	}
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	signal(SIGINT, SIG_DFL);
	signal(SIGHUP, SIG_DFL);
	signal(SIGPIPE, SIG_DFL);
	signal(SIGQUIT, SIG_DFL);
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != parent ||
	    setns(e->netns_fd, CLONE_NEWNET) < 0)
		_exit(3);
	syscall(SYS_close_range, 3, ~0u, 0);
	execl("/proc/self/exe", argv0, (char *)NULL);
	_exit(3);
}

/* A dead engine is started again (unless SIGTERM ended it), after 0.1 s
 * doubling up to 5 s while it keeps dying young (one that ran 10 s starts
 * over at 0.1 s). */
static void holder_engine_died(struct holder_engine *e)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	e->pid = 0;
	if (now.tv_sec - e->started.tv_sec >= 10)
		e->backoff_ms = 0;
	e->backoff_ms = e->backoff_ms ? e->backoff_ms * 2 : 100;
	if (e->backoff_ms > 5000)
		e->backoff_ms = 5000;
}

/* Wait for SIGTERM (0: end), SIGCHLD (reap; a dead engine comes back). */
static int holder_wait(const sigset_t *set, struct holder_engine *e)
{
	struct timespec t;
	pid_t pid;
	int sig, status;

	if (e->netns_fd >= 0 && !e->pid) {
		t.tv_sec = e->backoff_ms / 1000;
		t.tv_nsec = (long)(e->backoff_ms % 1000) * 1000000;
		sig = sigtimedwait(set, NULL, &t);
		if (sig < 0) {
			holder_start_engine(e);
			return 1;
		}
	} else if (sigwait(set, &sig) != 0) {
		return 1;
	}
	if (sig == SIGTERM)
		return 0;
	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		if (pid != e->pid)
			continue;
		/* SIGTERM is down's (or root's) word: the engine stays gone */
		if (WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM) {
			e->pid = 0;
			e->netns_fd = -1;
		} else {
			holder_engine_died(e);
		}
	}
	return 1;
}

int holder_main(void)
{
	const char *env = getenv(HOLDER_READY_ENV);
	int ready = -1, dirfd = -1, files_fd = -1;
	struct holder_engine eng = { .netns_fd = -1 };
	char msg[96];
	sigset_t set;
	int len, ret;

	if (!env || sscanf(env, "%d,%d,%d", &ready, &dirfd, &files_fd) != 3 ||
	    ready < 3 || dirfd < 3 || files_fd < 3 || holder_detach() < 0)
		return 3;
	/* Ctrl-C in the terminal that ran `up` must not end the lab. */
	signal(SIGINT, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
	signal(SIGPIPE, SIG_IGN);
	signal(SIGQUIT, SIG_IGN);
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGCHLD);
	sigprocmask(SIG_BLOCK, &set, NULL);	/* before saying "ready" */
	ret = holder_views(dirfd, files_fd, msg, sizeof(msg), &eng);
	/* the tree is attached in our namespace now; the lab dir is up's */
	close(files_fd);
	close(dirfd);
	len = strlen(msg);
	if (write(ready, msg, len) != len || ret)
		return 3;
	close(ready);
	unsetenv(HOLDER_READY_ENV);
	if (eng.netns_fd >= 0)
		holder_start_engine(&eng);
	while (holder_wait(&set, &eng))
		;
	if (eng.pid)
		kill(eng.pid, SIGTERM);
	return 0;
}

/* ---- spawning it ------------------------------------------------------------ */

static int int_cmp(const void *a, const void *b)
{
	return *(const int *)a - *(const int *)b;
}

/* In the grandchild, before exec: keep exactly `keep` (sorted) open across
 * exec, and mark every other fd >= 3 close-on-exec.  Only async-signal-safe
 * calls here: the parent may be multithreaded. */
static void holder_child_fds(const int *keep, int nkeep)
{
	int i, from = 3;

	for (i = 0; i < nkeep; i++) {
		if (keep[i] > from)
			syscall(SYS_close_range, from, keep[i] - 1,
				CLOSE_RANGE_CLOEXEC);
		fcntl(keep[i], F_SETFD, 0);
		from = keep[i] + 1;
	}
	syscall(SYS_close_range, from, ~0U, CLOSE_RANGE_CLOEXEC);
}

struct holder_exec {
	char *argv[2];
	char *envp[3];
	char arg0[64];
	char env0[64];
	char env1[64];		/* fault injection's budget (fault.h) */
};

/* Fork twice so the holder is nobody's child here (a zombie holder would
 * look alive to kill/wait loops); returns 0 in the parent after reaping the
 * middle process, which first tells us the holder's pid (*gpid) so that a
 * holder that never reports ready can still be killed.  The grandchild
 * never returns. */
static int holder_fork_exec(struct holder_exec *hx, const int *keep, int nkeep,
			    pid_t *gpid)
{
	int st, p[2], late;
	pid_t mid, g = 0;

	*gpid = 0;
	if (pipe2(p, O_CLOEXEC) < 0)
		return -errno;
	/* both forks are counted here, in order, before the holder's own
	 * operations (fault.h) */
	late = fault_hit(FAULT_FORK) ? -1 : fault_hit(FAULT_FORK);
	hx->envp[1] = (char *)fault_child_env(hx->env1, sizeof(hx->env1));
	mid = late < 0 ? -1 : fork();
	if (mid < 0) {
		st = -errno;
		close(p[0]);
		close(p[1]);
		return st;
	}
	if (mid == 0) {
		g = late ? -1 : fork();
		if (g < 0)
			g = -(late ? late : errno);	/* the parent reports it */
		if (g == 0) {
			holder_child_fds(keep, nkeep);
			execve("/proc/self/exe", hx->argv, hx->envp);
			_exit(127);
		}
		if (write(p[1], &g, sizeof(g)) != sizeof(g)) {
			/* the parent sees a short read: gpid stays 0 */
		}
		_exit(0);
	}
	close(p[1]);
	while (waitpid(mid, &st, 0) < 0)
		if (errno != EINTR) {
			close(p[0]);
			return -errno;
		}
	st = read(p[0], &g, sizeof(g)) == sizeof(g) && g < 0 ? g : 0;
	if (!st && g > 0)
		*gpid = g;
	close(p[0]);
	return st;
}

static int holder_note(struct state *st);

/* Read the holder's report (holder_views()): "PID BASE\n" or
 * "! ERRNO STAGE NODE\n"; EOF means the holder died. */
static int holder_wait_ready(int rfd, struct state *st, int *base)
{
	struct pollfd pfd = { .fd = rfd, .events = POLLIN };
	long long wait_ms = HOLDER_READY_MS +
			    (long long)HOLDER_READY_NODE_MS * st->nnodes;
	int timeout = wait_ms > INT_MAX ? INT_MAX : (int)wait_ms;
	int err, stage, node;
	long ops = 0;
	char buf[96];
	size_t len = 0;
	ssize_t n;

	while (len < sizeof(buf) - 1) {
		n = poll(&pfd, 1, timeout);
		if (n < 0 && errno == EINTR)
			continue;
		if (n == 0)
			snprintf(st->why, sizeof(st->why),
				 "start the holder (its node views were not ready within %lld s)",
				 wait_ms / 1000);
		if (n <= 0)
			return n < 0 ? -errno : -ETIMEDOUT;
		n = read(rfd, buf + len, sizeof(buf) - 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -ECHILD;
		len += n;
		if (memchr(buf, '\n', len))
			break;
	}
	buf[len] = '\0';
	if (sscanf(buf, "! %d %d %d", &err, &stage, &node) == 3) {
		snprintf(st->why, sizeof(st->why), "%s%s%s",
			 view_stage_name(stage), node >= 0 && node < st->nnodes ?
			 " of node " : "",
			 node >= 0 && node < st->nnodes ? st->nodes[node].name : "");
		return err > 0 ? -err : -EPROTO;
	}
	if (sscanf(buf, "%d %d %ld", &st->holder, base, &ops) < 2 ||
	    st->holder <= 0 || *base < 3)
		return -EPROTO;
	fault_skip(ops, "holder");	/* its operations, numbered as ours */
	return holder_note(st);
}

static int holder_record(struct state *st, const int *ns_fds,
			 const char *const *names, int n)
{
	struct stat sb;
	int i, k, ret;

	for (i = 0; i < n; i++) {
		/* usually already added in this order: skip the search */
		k = i < st->nnodes && !strcmp(st->nodes[i].name, names[i]) ?
		    i : state_node_find(st, names[i]);
		if (k < 0)
			k = state_add_node(st, names[i], NULL, -1);
		if (k < 0)
			return k;
		/* state_add_node() may have recorded it already */
		if (st->nodes[k].netns_fd != ns_fds[i] || !st->nodes[k].netns_ino) {
			if (fstat(ns_fds[i], &sb) < 0)
				return -errno;
			st->nodes[k].netns_fd = ns_fds[i];
			st->nodes[k].netns_ino = sb.st_ino;
		}
		ret = state_node_dirs(st, k);
		if (ret < 0)
			return ret;
	}
	return 0;
}

/* (Re)make the /run/netns symlinks of every node from st. */
static int holder_link_nodes(const struct state *st);

/* Start the holder and wait for its views; meanwhile (the holder has the
 * namespace fds from its fork on) make the /run/netns links, their
 * result in *links: two cores at work on a big lab. */
static int holder_start(struct state *st, int *keep, int nkeep, int *links)
{
	struct holder_exec hx;
	pid_t gpid;
	int p[2], ret, base = -1, i;

	if (pipe2(p, O_CLOEXEC) < 0)
		return -errno;
	keep[nkeep++] = p[1];
	qsort(keep, nkeep, sizeof(*keep), int_cmp);
	snprintf(hx.arg0, sizeof(hx.arg0), HOLDER_PREFIX "%s", st->name);
	snprintf(hx.env0, sizeof(hx.env0), HOLDER_READY_ENV "=%d,%d,%d", p[1],
		 st->dirfd, st->files_fd);
	hx.argv[0] = hx.arg0;
	hx.argv[1] = NULL;
	hx.envp[0] = hx.env0;
	hx.envp[1] = hx.envp[2] = NULL;
	ret = holder_fork_exec(&hx, keep, nkeep, &gpid);
	close(p[1]);
	*links = 0;
	if (!ret) {
		st->holder = gpid;
		*links = holder_link_nodes(st);
		ret = holder_wait_ready(p[0], st, &base);
	}
	if (!ret && st->holder != gpid)
		ret = -EPROTO;	/* not the process we started */
	close(p[0]);
	/* never ready (slow, or failed after exec): it must not keep the
	 * lab's namespaces alive behind our back */
	if (ret && gpid > 0)
		kill(gpid, SIGKILL);
	if (ret)
		st->holder = 0;
	for (i = 0; !ret && i < st->nnodes; i++)
		st->nodes[i].view_fd = base + i;
	return ret;
}

/* Name the failing step in st->why, unless a deeper one did already. */
static int __attribute__((format(printf, 3, 4)))
holder_step(struct state *st, int ret, const char *fmt, ...)
{
	va_list ap;

	if (ret < 0 && !st->why[0]) {
		va_start(ap, fmt);
		vsnprintf(st->why, sizeof(st->why), fmt, ap);
		va_end(ap);
	}
	return ret;
}

int holder_spawn(struct state *st, const int *ns_fds,
		       const char *const *node_names, int n, pid_t *pid)
{
	int *keep, nkeep = 0, i, ret, links = 0;

	st->why[0] = '\0';
	ret = holder_record(st, ns_fds, node_names, n);
	if (!ret)
		ret = state_files(st, NULL);
	/* the holder reads the node table to make the node views */
	if (!ret)
		ret = holder_step(st, state_save(st), "save %s/%s", st->dir,
				  STATE_NODES_TAB);
	if (ret < 0)
		return holder_step(st, ret, "make the node directories");
	keep = calloc(st->nnodes + 4, sizeof(*keep));
	if (!keep)
		return -ENOMEM;
	keep[nkeep++] = st->files_fd;
	keep[nkeep++] = st->dirfd;
	for (i = 0; i < st->nnodes; i++)
		if (st->nodes[i].netns_fd >= 0)
			keep[nkeep++] = st->nodes[i].netns_fd;
	ret = holder_step(st, holder_start(st, keep, nkeep, &links),
			  "start the holder");
	free(keep);
	/* the links' one fault point, counted after the holder's own */
	if (!ret && !links && fault_hit(FAULT_WRITE))
		links = -errno;
	if (!ret)
		ret = holder_step(st, links, "make the links %s/%s.*",
				  state_netns_dir(), st->name);
	if (!ret)
		ret = holder_step(st, state_save(st), "save %s/%s", st->dir,
				  STATE_NODES_TAB);
	if (ret < 0 && st->holder > 0)
		holder_kill(st, st->holder, 2000000000ull);
	if (!ret)
		*pid = st->holder;
	return ret;
}

/* ---- /run/netns symlinks ----------------------------------------------------- */

static int holder_link_one(int dfd, const struct state *st,
			   const struct state_node *n)
{
	char name[80], tmp[96], target[64];
	struct stat sb;

	snprintf(name, sizeof(name), "%s.%s", st->name, n->name);
	snprintf(tmp, sizeof(tmp), ".%s.%d", name, (int)getpid());
	snprintf(target, sizeof(target), "/proc/%d/fd/%d", (int)st->holder,
		 n->netns_fd);
	/* the common case: no entry of that name yet */
	if (symlinkat(target, dfd, name) == 0)
		return 0;
	if (errno != EEXIST)
		return -errno;
	/* an `ip netns add` entry of that name (a file, not a symlink) is the
	 * user's: never replace it */
	if (fstatat(dfd, name, &sb, AT_SYMLINK_NOFOLLOW) == 0 &&
	    !S_ISLNK(sb.st_mode))
		return -EEXIST;
	unlinkat(dfd, tmp, 0);
	if (symlinkat(target, dfd, tmp) < 0)
		return -errno;
	/* rename replaces a stale link of a crashed lab atomically */
	if (renameat(dfd, tmp, dfd, name) < 0) {
		int ret = -errno;

		unlinkat(dfd, tmp, 0);
		return ret;
	}
	return 0;
}

static int holder_link_nodes(const struct state *st)
{
	int dfd, i, ret = 0;

	if (st->holder <= 0)
		return -ESRCH;
	/* like `ip netns add`, but never a mount: a plain directory */
	if (mkdir(state_netns_dir(), 0755) < 0 && errno != EEXIST)
		return -errno;
	dfd = open(state_netns_dir(), O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return -errno;
	for (i = 0; i < st->nnodes && !ret; i++)
		if (st->nodes[i].netns_fd >= 0)
			ret = holder_link_one(dfd, st, &st->nodes[i]);
	close(dfd);
	return ret;
}

/* ---- ending it ---------------------------------------------------------------- */

static int pid_wait_gone(int pidfd, uint64_t timeout_ns)
{
	struct pollfd pfd = { .fd = pidfd, .events = POLLIN };
	int ms = timeout_ns / 1000000, r;

	do
		r = poll(&pfd, 1, ms);
	while (r < 0 && errno == EINTR);
	return r > 0 ? 0 : -ETIMEDOUT;
}

int holder_kill(const struct state *st, pid_t pid, uint64_t timeout_ns)
{
	int pidfd, ret;

	if (pid <= 0)
		return 0;
	/* pidfd first, identity check second: the pid cannot be reused for
	 * another process between the check and the kill */
	pidfd = syscall(SYS_pidfd_open, pid, 0);
	if (pidfd < 0)
		return errno == ESRCH ? 0 : -errno;
	if (!holder_ok(pid, st->name, st)) {
		close(pidfd);
		return 0;
	}
	syscall(SYS_pidfd_send_signal, pidfd, SIGTERM, NULL, 0);
	ret = pid_wait_gone(pidfd, timeout_ns);
	if (ret < 0) {
		/* a killed holder still frees one mount namespace (node view)
		 * a node as it exits: 10,000 took over 5 s */
		syscall(SYS_pidfd_send_signal, pidfd, SIGKILL, NULL, 0);
		ret = pid_wait_gone(pidfd, 5000000000ull +
				    2000000ull * (uint64_t)st->nnodes);
	}
	close(pidfd);
	return ret;
}

/* ---- proving a holder ------------------------------------------------------ */

struct proc_ident {
	unsigned long long start;	/* /proc/PID/stat field 22 */
	unsigned long long exe_dev, exe_ino;
	bool running;			/* not a zombie */
	bool root;			/* real and effective uid 0 */
	char argv0[LAB_NAME_MAX + 16];
};

/* Read /proc/PID/WHAT into buf (NUL-terminated); its length, or -1. */
static ssize_t read_proc(pid_t pid, const char *what, char *buf, size_t len)
{
	char path[64];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, what);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -1;
	buf[n] = '\0';
	return n;
}

/* State and start time from /proc/PID/stat: after the last ')' (the name
 * may hold spaces and parentheses) come field 3 (state) ... field 22. */
static bool proc_stat(pid_t pid, struct proc_ident *id)
{
	char buf[1024], state;
	const char *p;

	if (read_proc(pid, "stat", buf, sizeof(buf)) <= 0 ||
	    !(p = strrchr(buf, ')')))
		return false;
	if (sscanf(p + 1, " %c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %*u "
		   "%*u %*d %*d %*d %*d %*d %*d %llu", &state, &id->start) != 2)
		return false;
	id->running = state != 'Z' && state != 'X';
	return true;
}

static bool proc_root(pid_t pid)
{
	char buf[2048];
	const char *u;
	unsigned r, e;

	if (read_proc(pid, "status", buf, sizeof(buf)) <= 0 ||
	    !(u = strstr(buf, "\nUid:")))
		return false;
	return sscanf(u + 5, "%u %u", &r, &e) == 2 && r == 0 && e == 0;
}

static bool proc_identify(pid_t pid, struct proc_ident *id)
{
	char path[64];
	struct stat sb;

	memset(id, 0, sizeof(*id));
	if (pid <= 0 || read_proc(pid, "cmdline", id->argv0,
				  sizeof(id->argv0)) <= 0)
		return false;	/* gone, a zombie or a kernel thread */
	if (!holder_is_argv0(id->argv0))
		return false;	/* the common case when scanning /proc */
	snprintf(path, sizeof(path), "/proc/%d/exe", (int)pid);
	if (stat(path, &sb) < 0 || !proc_stat(pid, id))
		return false;
	id->exe_dev = sb.st_dev;
	id->exe_ino = sb.st_ino;
	id->root = proc_root(pid);
	return true;
}

/* The executable a holder must run: the one recorded, or ours. */
static bool exe_ok(const struct proc_ident *id, const struct state *st)
{
	struct stat sb;

	if (st && st->exe_ino)
		return id->exe_dev == st->exe_dev && id->exe_ino == st->exe_ino;
	return stat("/proc/self/exe", &sb) == 0 && id->exe_dev == sb.st_dev &&
	       id->exe_ino == sb.st_ino;
}

static bool ident_is_holder(const struct proc_ident *id, pid_t pid,
			    const char *lab, const struct state *st)
{
	char want[LAB_NAME_MAX + 16];

	snprintf(want, sizeof(want), HOLDER_PREFIX "%s", lab);
	if (!id->running || !id->root || strcmp(id->argv0, want) ||
	    !exe_ok(id, st))
		return false;
	/* the recorded holder: the very process up started */
	return !(st && pid == st->holder && st->holder_start &&
		 id->start != st->holder_start);
}

bool holder_ok(pid_t pid, const char *lab, const struct state *st)
{
	struct proc_ident id;

	return proc_identify(pid, &id) && ident_is_holder(&id, pid, lab, st);
}

bool holder_alive(const struct state *st)
{
	struct pollfd pfd = { .fd = st->holder_pidfd, .events = POLLIN };

	/* a pidfd polls readable once its process has exited */
	return st->holder_pidfd >= 0 && poll(&pfd, 1, 0) == 0;
}

int holder_prove(struct state *st)
{
	int pidfd;

	if (st->holder_pidfd >= 0) {
		close(st->holder_pidfd);
		st->holder_pidfd = -1;
	}
	/* without a recorded start time no pid can be proven */
	if (st->holder <= 0 || !st->holder_start || !st->exe_ino)
		return -ESRCH;
	pidfd = syscall(SYS_pidfd_open, st->holder, 0);
	if (pidfd < 0)
		return errno == ESRCH ? -ESRCH : -errno;
	st->holder_pidfd = pidfd;
	/* identity read after the pidfd was opened, and the pidfd still
	 * alive after: /proc/PID named the same process throughout */
	if (!holder_ok(st->holder, st->name, st) ||
	    !holder_alive(st)) {
		close(pidfd);
		st->holder_pidfd = -1;
		return -ESRCH;
	}
	return 0;
}

/* Called by holder_spawn() once the holder reported ready: record
 * who it is, from a pidfd so that the record is of that process. */
static int holder_note(struct state *st)
{
	struct proc_ident id;
	int pidfd;

	pidfd = syscall(SYS_pidfd_open, st->holder, 0);
	if (pidfd < 0)
		return -errno;
	if (st->holder_pidfd >= 0)
		close(st->holder_pidfd);
	st->holder_pidfd = pidfd;
	st->exe_ino = 0;	/* exe_ok(): must be our own binary */
	if (!proc_identify(st->holder, &id) ||
	    !ident_is_holder(&id, st->holder, st->name, st) ||
	    !holder_alive(st))
		return -ESRCH;
	st->holder_start = id.start;
	st->exe_dev = id.exe_dev;
	st->exe_ino = id.exe_ino;
	return 0;
}

int holder_find(const char *lab, const struct state *st, pid_t *pids,
		       int max, int *impostors)
{
	char want[LAB_NAME_MAX + 16];
	struct proc_ident id;
	struct dirent *de;
	int n = 0;
	DIR *d = opendir("/proc");

	if (impostors)
		*impostors = 0;
	if (!d)
		return -errno;
	snprintf(want, sizeof(want), HOLDER_PREFIX "%s", lab);
	while ((de = readdir(d)) && n < max) {
		pid_t pid = atoi(de->d_name);

		if (!proc_identify(pid, &id) || strcmp(id.argv0, want) ||
		    !id.running)
			continue;
		if (ident_is_holder(&id, pid, lab, st))
			pids[n++] = pid;
		else if (impostors)
			(*impostors)++;
	}
	closedir(d);
	return n;
}

/* The lab name in argv[0] of a process that passes holder_ok()
 * without a record, into name (LAB_NAME_MAX + 1); false otherwise. */
static bool pid_holder_name(pid_t pid, char *name)
{
	struct proc_ident id;
	const char *lab;

	if (!proc_identify(pid, &id))
		return false;
	lab = id.argv0 + strlen(HOLDER_PREFIX);
	if (!state_name_ok(lab) || !ident_is_holder(&id, pid, lab, NULL))
		return false;
	memcpy(name, lab, strlen(lab) + 1);	/* state_name_ok(): it fits */
	return true;
}

int holder_each(void (*fn)(const char *lab, void *arg), void *arg)
{
	char name[LAB_NAME_MAX + 1];
	struct dirent *de;
	DIR *d = opendir("/proc");

	if (!d)
		return -errno;
	while ((de = readdir(d)))
		if (atoi(de->d_name) > 0 && pid_holder_name(atoi(de->d_name), name))
			fn(name, arg);
	closedir(d);
	return 0;
}

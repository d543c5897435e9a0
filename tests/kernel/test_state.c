/* test_state.c — lab state, holder and runner against the real kernel (root).
 *
 * Every test case has an unchecked fixture: setup (in the parent) points
 * NSLAB_RUN_DIR at a fresh temporary dir; teardown (in the parent, so it runs
 * even when the forked test failed or crashed) runs life_down() on the
 * case's lab and removes the dir.  The last case asserts that nothing is
 * left: no /run/netns/LAB.* entry, no holder process.
 *
 * The holder is /proc/self/exe re-executed: for this test binary, a
 * constructor turns such a process into a holder before Check starts. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "ns.h"
#include "lifecycle.h"
#include "runner.h"
#include "holder.h"
#include "state.h"
#include "../tsuite.h"

static char tmp_root[64];
static char lab_name[LAB_NAME_MAX + 1];

static void __attribute__((constructor)) maybe_holder(void)
{
	char buf[64] = "";
	int fd = open("/proc/self/cmdline", O_RDONLY | O_CLOEXEC);

	if (fd >= 0) {
		if (read(fd, buf, sizeof(buf) - 1) < 0)
			buf[0] = '\0';
		close(fd);
	}
	if (holder_is_argv0(buf))
		_exit(holder_main());
}

/* ---- helpers ----------------------------------------------------------------- */

static void *netns_thread(void *p)
{
	int *fd = p;

	if (unshare(CLONE_NEWNET) < 0)
		*fd = -errno;
	else
		*fd = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	return NULL;
}

/* A fresh netns held by an fd (core/README.md, "Kernel facts: namespaces by
 * fd": a helper thread unshares). */
static int new_netns(void)
{
	pthread_t t;
	int fd = -1;

	ck_assert_int_eq(pthread_create(&t, NULL, netns_thread, &fd), 0);
	pthread_join(t, NULL);
	ck_assert_int_ge(fd, 0);
	return fd;
}

static int rm_cb(const char *p, const struct stat *sb, int flag,
		 struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	remove(p);
	return 0;
}

static void fixture_setup(void)
{
	static int seq;

	snprintf(tmp_root, sizeof(tmp_root), "/tmp/nslab-test-XXXXXX");
	if (!mkdtemp(tmp_root))
		abort();
	setenv("NSLAB_RUN_DIR", tmp_root, 1);
	unsetenv("NSLAB_NETNS_DIR");
	snprintf(lab_name, sizeof(lab_name), "nslabt%d-%d", (int)getpid(),
		 ++seq);
}

static void fixture_teardown(void)
{
	struct life_down_report rep = { .progress = NULL };

	life_down(lab_name, &rep);
	nftw(tmp_root, rm_cb, 16, FTW_DEPTH | FTW_PHYS);
}

static struct state *make_lab(int nnodes, int *fds)
{
	struct state *st;
	char name[16];
	int i;

	ck_assert_int_eq(state_create(lab_name, &st), 0);
	for (i = 0; i < nnodes; i++) {
		snprintf(name, sizeof(name), "n%d", i + 1);
		fds[i] = new_netns();
		ck_assert_int_eq(state_add_node(st, name, "host", fds[i]), i);
		ck_assert_int_eq(state_node_dirs(st, i), 0);
	}
	return st;
}

/* A lab of nnodes held by a holder, which makes the node views. */
static struct state *make_held_lab(int nnodes, int *fds)
{
	const char *names[] = { "n1", "n2", "n3", "n4" };
	struct state *st = make_lab(nnodes, fds);
	pid_t pid;

	ck_assert_int_le(nnodes, 4);
	ck_assert_int_eq(holder_spawn(st, fds, names, nnodes, &pid), 0);
	return st;
}

static int capture(struct state *st, int node, int nsfd,
		   const char *script, char *out, size_t len, int *status)
{
	char *argv[] = { "/bin/sh", "-c", (char *)script, NULL };
	struct runner_cmd c = { .st = st, .node = node, .netns_fd = nsfd,
				.argv = argv,
				.fd_in = -1, .fd_out = -1, .fd_err = -1 };
	struct runner_fail f;

	return runner_run_capture(&c, 10000000000ull, status, out, len, &f);
}

/* ---- state ------------------------------------------------------------------ */

START_TEST(test_state_roundtrip)
{
	struct state *st, *st2;
	char path[512];
	struct stat sb;
	int fds[2], lk;

	st = make_lab(2, fds);
	ck_assert_int_eq(state_create(lab_name, &st2), -EEXIST);
	/* the lock is held: another open file description cannot take it */
	snprintf(path, sizeof(path), "%s/lock", st->dir);
	lk = open(path, O_RDWR | O_CLOEXEC);
	ck_assert_int_ge(lk, 0);
	ck_assert_int_eq(flock(lk, LOCK_EX | LOCK_NB), -1);
	ck_assert_int_eq(errno, EWOULDBLOCK);
	st->holder = 4242;
	st->nodes[1].view_fd = 17;
	ck_assert_int_eq(state_save(st), 0);
	ck_assert_int_eq(state_write_file(st, 0, "/etc/a/b.conf", "x\n", 2, 0600), 0);
	ck_assert_int_eq(state_write_file(st, 0, "/shared/s", "s", 1, 0644), 0);
	ck_assert_int_eq(state_write_file(st, 0, "/etc/../x", "", 0, 0644), -EINVAL);
	ck_assert_int_eq(state_write_file(st, 0, "/usr/x", "", 0, 0644), -EINVAL);
	/* the files tree lives as long as someone holds it (here: st) */
	snprintf(path, sizeof(path), "%s/nodes/n1/upper/a/b.conf", st->files);
	ck_assert_int_eq(stat(path, &sb), 0);
	ck_assert_int_eq(sb.st_mode & 07777, 0600);
	snprintf(path, sizeof(path), "%s/shared/s", st->files);
	ck_assert_int_eq(stat(path, &sb), 0);
	state_close(st);
	ck_assert_int_eq(flock(lk, LOCK_EX | LOCK_NB), 0);
	flock(lk, LOCK_UN);
	close(lk);

	ck_assert_int_eq(state_open(lab_name, &st), 0);
	ck_assert_int_eq(st->holder, 4242);
	ck_assert_int_eq(st->nnodes, 2);
	ck_assert_str_eq(st->nodes[1].name, "n2");
	ck_assert_str_eq(st->nodes[1].kind, "host");
	ck_assert_int_eq(fstat(fds[1], &sb), 0);
	ck_assert_uint_eq(st->nodes[1].netns_ino, sb.st_ino);
	ck_assert_int_eq(st->nodes[1].view_fd, 17);
	ck_assert_int_eq(state_remove(st), 0);
	ck_assert_int_eq(stat(st->dir, &sb), -1);
	state_close(st);
	ck_assert_int_eq(state_open(lab_name, &st), -ENOENT);
	ck_assert_int_eq(state_open("../etc", &st), -EINVAL);
}
END_TEST

/* ---- runner ------------------------------------------------------------------- */

/* Lines of our mountinfo: the mounts of the caller's namespace. */
static int count_mounts(void)
{
	FILE *f = fopen("/proc/self/mountinfo", "r");
	int n = 0, c;

	ck_assert_ptr_nonnull(f);
	while ((c = fgetc(f)) != EOF)
		n += c == '\n';
	fclose(f);
	return n;
}

START_TEST(test_runner_view)
{
	char out[4096], file[64], hostpath[512], script[768];
	const char *names[] = { "n1", "n2" };
	struct state *st;
	int fds[2], status, mounts_before;
	struct stat sb;
	pid_t pid;

	mounts_before = count_mounts();
	st = make_lab(2, fds);
	snprintf(file, sizeof(file), "/etc/nslab-test-%d", (int)getpid());
	ck_assert_int_eq(state_write_file(st, 0, file, "from-lab\n", 9, 0644), 0);
	ck_assert_int_eq(holder_spawn(st, fds, names, 2, &pid), 0);
	snprintf(script, sizeof(script),
		 "hostname; cat %s; echo $NSLAB_LAB $NSLAB_NODE; "
		 "echo private > /tmp/p; ls /sys/class/net | tr '\\n' ' '; "
		 "echo written > /etc/nslab-w-%d; echo var > /var/tmp/nslab-v-%d",
		 file, (int)getpid(), (int)getpid());
	ck_assert_int_eq(capture(st, 0, fds[0], script, out, sizeof(out),
				 &status), 0);
	ck_assert_msg(status == 0, "status %d, out: %s", status, out);
	ck_assert_msg(strstr(out, "n1\nfrom-lab\n"), "out: %s", out);
	ck_assert_msg(strstr(out, lab_name), "out: %s", out);
	ck_assert_msg(strstr(out, "lo \n") || strstr(out, "lo "), "out: %s", out);
	/* the host's /etc, /var and /tmp are untouched */
	ck_assert_int_eq(stat(file, &sb), -1);
	snprintf(hostpath, sizeof(hostpath), "/etc/nslab-w-%d", (int)getpid());
	ck_assert_int_eq(stat(hostpath, &sb), -1);
	snprintf(hostpath, sizeof(hostpath), "/var/tmp/nslab-v-%d", (int)getpid());
	ck_assert_int_eq(stat(hostpath, &sb), -1);
	ck_assert_int_eq(stat("/tmp/p", &sb), -1);
	snprintf(hostpath, sizeof(hostpath), "%s/nodes/n1/tmp/p", st->files);
	ck_assert_int_eq(stat(hostpath, &sb), 0);
	/* a later command of the node sees what the first one wrote (one view
	 * per node); another node does not */
	snprintf(script, sizeof(script), "cat /etc/nslab-w-%d /var/tmp/nslab-v-%d /tmp/p",
		 (int)getpid(), (int)getpid());
	ck_assert_int_eq(capture(st, 0, fds[0], script, out, sizeof(out),
				 &status), 0);
	ck_assert_str_eq(out, "written\nvar\nprivate\n");
	ck_assert_int_eq(capture(st, 1, fds[1], script, out, sizeof(out),
				 &status), 0);
	ck_assert_int_ne(runner_exit_code(status), 0);
	/* nothing of the lab is mounted in our namespace */
	ck_assert_int_eq(count_mounts(), mounts_before);
	state_close(st);
}
END_TEST

START_TEST(test_runner_status)
{
	char *missing[] = { "nslab-no-such-command", NULL };
	struct runner_cmd c = { .argv = missing,
				.fd_in = -1, .fd_out = -1, .fd_err = -1 };
	struct runner_fail f;
	struct timespec a, b;
	struct state *st;
	char out[256];
	int fds[1], status;
	pid_t pid;

	st = make_held_lab(1, fds);
	ck_assert_int_eq(capture(st, 0, fds[0], "echo err >&2; exit 7", out,
				 sizeof(out), &status), 0);
	ck_assert_int_eq(runner_exit_code(status), 7);
	ck_assert_str_eq(out, "err\n");
	ck_assert_int_eq(capture(st, 0, fds[0], "kill -9 $$", out,
				 sizeof(out), &status), 0);
	ck_assert_int_eq(runner_exit_code(status), 137);
	c.st = st;
	c.netns_fd = fds[0];
	ck_assert_int_eq(runner_spawn(&c, &pid, &f), -ENOENT);
	ck_assert_str_eq(f.stage, "exec");
	/* timeout kills the whole group, promptly */
	clock_gettime(CLOCK_MONOTONIC, &a);
	{
		char *argv[] = { "/bin/sh", "-c", "sleep 10; true", NULL };
		struct runner_cmd t = c;

		t.argv = argv;
		ck_assert_int_eq(runner_run_capture(&t, 200000000ull, &status,
						    out, sizeof(out), &f),
				 -ETIMEDOUT);
	}
	clock_gettime(CLOCK_MONOTONIC, &b);
	ck_assert_int_lt(b.tv_sec - a.tv_sec, 3);
	state_close(st);
}
END_TEST

/* ---- holder ------------------------------------------------------------------- */

static bool netns_link_exists(const char *lab, const char *node)
{
	char p[256];
	struct stat sb;

	snprintf(p, sizeof(p), "/run/netns/%s.%s", lab, node);
	return lstat(p, &sb) == 0;
}

START_TEST(test_holder)
{
	const char *names[] = { "n1", "n2" };
	char cmd[256], out[256];
	struct state *st;
	int fds[2], fd, status, i;
	pid_t pid;

	st = make_lab(2, fds);
	ck_assert_int_eq(holder_spawn(st, fds, names, 2, &pid), 0);
	ck_assert(holder_ok(pid, lab_name, NULL));
	for (i = 0; i < 2; i++)
		close(fds[i]);		/* the holder alone keeps them now */
	ck_assert(netns_link_exists(lab_name, "n1"));
	snprintf(cmd, sizeof(cmd), "ip netns exec %s.n1 ip link show lo "
		 ">/dev/null && ip -n %s.n2 link show lo >/dev/null && "
		 "ip netns list | grep -q '^%s.n2'", lab_name, lab_name, lab_name);
	ck_assert_int_eq(system(cmd), 0);
	/* a node command through the holder: its netns and its view */
	ck_assert_int_eq(runner_open_netns(st, 1, &fd), 0);
	ck_assert_int_eq(capture(st, 1, fd, "hostname; grep -c ' /etc ' "
				 "/proc/self/mountinfo", out, sizeof(out),
				 &status), 0);
	ck_assert_str_eq(out, "n2\n1\n");
	close(fd);
	state_close(st);
	/* a dead holder: the lab is broken, down still cleans up */
	kill(pid, SIGKILL);
	for (i = 0; i < 200 && holder_ok(pid, lab_name, NULL); i++)
		usleep(10000);
	ck_assert(!holder_ok(pid, lab_name, NULL));
	ck_assert_int_eq(state_open_read(lab_name, &st), 0);
	ck_assert_int_eq(runner_open_netns(st, 0, &fd), -ENOENT);
	state_close(st);
	{
		struct life_down_report rep = { .progress = NULL };

		ck_assert_int_eq(life_down(lab_name, &rep), 0);
		ck_assert(rep.existed);
		ck_assert_int_eq(life_down(lab_name, &rep), 0);
		ck_assert(!rep.existed);
	}
	ck_assert(!netns_link_exists(lab_name, "n1"));
	ck_assert(!netns_link_exists(lab_name, "n2"));
}
END_TEST

START_TEST(test_kill_daemon)
{
	char *argv[] = { "/bin/sh", "-c",
			 "echo daemon-up; (setsid sleep 1000 &) ; exec sleep 1000",
			 NULL };
	const char *names[] = { "n1" };
	struct runner_cmd c = { .argv = argv, .fd_in = -1,
				.fd_out = -1, .fd_err = -1, .background = true };
	struct runner_fail f;
	unsigned long ino;
	char path[512], buf[256] = "";
	struct state *st;
	int fds[1], fd, n, i;
	pid_t pid, holder;
	struct stat sb;

	st = make_lab(1, fds);
	ck_assert_int_eq(holder_spawn(st, fds, names, 1, &holder), 0);
	c.st = st;
	c.netns_fd = fds[0];
	ck_assert_int_eq(runner_spawn(&c, &pid, &f), 0);
	ck_assert_int_gt(pid, 0);
	ino = st->nodes[0].netns_ino;
	/* wait until both sleeps run in the node */
	snprintf(path, sizeof(path), "%s/log/n1.log", st->dir);
	for (i = 0; i < 200 && !strstr(buf, "daemon-up"); i++) {
		usleep(10000);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd >= 0) {
			n = read(fd, buf, sizeof(buf) - 1);
			buf[n > 0 ? n : 0] = '\0';
			close(fd);
		}
	}
	ck_assert_msg(strstr(buf, "daemon-up"), "log: %s", buf);
	usleep(100000);
	ck_assert_int_eq(runner_kill_lab(&ino, 1, holder, &n), 0);
	ck_assert_int_ge(n, 2);		/* the sh/sleep and the setsid sleep */
	snprintf(path, sizeof(path), "/proc/%d/ns/net", (int)pid);
	ck_assert_int_eq(stat(path, &sb), -1);
	ck_assert(holder_ok(holder, lab_name, NULL));	/* spared */
	state_close(st);
}
END_TEST


/* A holder is proven by start time and executable, not by name; a broken
 * lab's namespace by its cookie, not by its inode (README.md, "Security"). */
START_TEST(test_holder_proof)
{
	char *argv[] = { "/bin/sh", "-c", "exec sleep 1000", NULL };
	struct runner_cmd c = { .argv = argv, .fd_in = -1, .fd_out = -1,
				.fd_err = -1, .background = true };
	struct life_down_report rep = { .progress = NULL };
	unsigned long long start, exe;
	struct runner_fail f;
	unsigned long ino;
	struct state *st;
	int fds[1], fd, i, n;
	pid_t pid, holder;

	st = make_held_lab(1, fds);
	holder = st->holder;
	ck_assert(holder_alive(st));
	ck_assert_int_eq(holder_prove(st), 0);
	ck_assert(!holder_ok(getpid(), lab_name, NULL));	/* its name */
	start = st->holder_start;
	st->holder_start = start + 1;		/* as after pid reuse */
	ck_assert_int_eq(holder_prove(st), -ESRCH);
	ck_assert_int_eq(runner_open_netns(st, 0, &fd), -ENOENT);
	st->holder_start = start;
	exe = st->exe_ino;
	st->exe_ino = exe + 1;			/* another executable */
	ck_assert_int_eq(holder_prove(st), -ESRCH);
	st->exe_ino = exe;
	ck_assert_int_eq(holder_prove(st), 0);
	/* a daemon keeps n1 alive past the holder; the table's cookie is
	 * wrong, as if the inode had passed to another namespace */
	ck_assert_int_eq(ns_netns_cookie(fds[0], &st->nodes[0].netns_cookie), 0);
	ck_assert(st->nodes[0].netns_cookie != 0);
	st->nodes[0].netns_cookie++;
	ck_assert_int_eq(state_save(st), 0);
	c.st = st;
	c.netns_fd = fds[0];
	ck_assert_int_eq(runner_spawn(&c, &pid, &f), 0);
	ino = st->nodes[0].netns_ino;
	close(fds[0]);
	state_close(st);
	kill(holder, SIGKILL);
	for (i = 0; i < 200 && holder_ok(holder, lab_name, NULL); i++)
		usleep(10000);
	ck_assert_int_eq(life_down(lab_name, &rep), 0);
	ck_assert_int_eq(rep.nkilled, 0);
	ck_assert_int_eq(kill(pid, 0), 0);	/* not proven: left alone */
	ck_assert_int_eq(runner_kill_lab(&ino, 1, 0, &n), 0);
	ck_assert_int_eq(n, 1);
}
END_TEST

/* ---- nothing left ----------------------------------------------------------------- */

START_TEST(test_nothing_left)
{
	char prefix[32], pfx2[48];
	struct dirent *de;
	pid_t pids[4];
	DIR *d;
	int i;

	snprintf(prefix, sizeof(prefix), "nslabt%d-", (int)getppid());
	d = opendir("/run/netns");
	while (d && (de = readdir(d)))
		ck_assert_msg(strncmp(de->d_name, prefix, strlen(prefix)),
			      "left: /run/netns/%s", de->d_name);
	if (d)
		closedir(d);
	for (i = 1; i <= 8; i++) {
		snprintf(pfx2, sizeof(pfx2), "%s%d", prefix, i);
		ck_assert_int_eq(holder_find(pfx2, NULL, pids, 4, NULL), 0);
	}
}
END_TEST

static TCase *fixture_case(const char *name, const TTest *t)
{
	TCase *tc = tcase_create(name);

	tcase_add_unchecked_fixture(tc, fixture_setup, fixture_teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, t);
	return tc;
}

static Suite *state_suite(void)
{
	Suite *s = suite_create("state+holder+runner");

	if (geteuid() != 0) {
		fprintf(stderr, "SKIP state+holder+runner: needs root\n");
		return s;
	}
	suite_add_tcase(s, fixture_case("state", test_state_roundtrip));
	suite_add_tcase(s, fixture_case("runner-view", test_runner_view));
	suite_add_tcase(s, fixture_case("runner-status", test_runner_status));
	suite_add_tcase(s, fixture_case("holder", test_holder));
	suite_add_tcase(s, fixture_case("kill-daemon", test_kill_daemon));
	suite_add_tcase(s, fixture_case("holder-proof", test_holder_proof));
	{
		TCase *tc = tcase_create("nothing-left");

		tcase_add_test(tc, test_nothing_left);
		suite_add_tcase(s, tc);
	}
	return s;
}

TSUITE(state_suite)

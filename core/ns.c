/* ns.c — network namespaces by fd, helper threads, per-netns sysctls. */
#include "ns.h"
#include "fault.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>
#include <linux/close_range.h>
#include <linux/mount.h>
#include <linux/nsfs.h>

struct ns_job {
	int netns_fd;
	int (*fn)(void *);
	void *arg;
	int ret;
};

static void *ns_thread(void *data)
{
	struct ns_job *j = data;

	if (j->netns_fd >= 0 && setns(j->netns_fd, CLONE_NEWNET) < 0)
		j->ret = -errno;
	else
		j->ret = j->fn(j->arg);
	return NULL;
}

int ns_run_in(int netns_fd, int (*fn)(void *), void *arg)
{
	struct ns_job j = { netns_fd, fn, arg, 0 };
	pthread_t t;
	int ret;

	/* A fresh thread, not the caller's: the thread and its namespace
	 * simply end together. */
	ret = pthread_create(&t, NULL, ns_thread, &j);
	if (ret)
		return -ret;
	pthread_join(t, NULL);
	return j.ret;
}

#ifndef SO_NETNS_COOKIE
#define SO_NETNS_COOKIE 71	/* asm-generic/socket.h, Linux 5.14 */
#endif

int ns_sock_cookie(int sockfd, uint64_t *cookie)
{
	socklen_t len = sizeof(*cookie);

	*cookie = 0;
	if (getsockopt(sockfd, SOL_SOCKET, SO_NETNS_COOKIE, cookie, &len) < 0) {
		*cookie = 0;
		return -errno;
	}
	return 0;
}

static int ns_cookie_fn(void *arg)
{
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0), ret;

	if (fd < 0)
		return -errno;
	ret = ns_sock_cookie(fd, arg);
	close(fd);
	return ret;
}

int ns_netns_cookie(int netns_fd, uint64_t *cookie)
{
	*cookie = 0;
	return ns_run_in(netns_fd, ns_cookie_fn, cookie);
}

/* In a helper thread only: the thread ends in the new netns. */
static int ns_unshare_fd(int *fd)
{
	*fd = -1;
	if (fault_hit(FAULT_NS) || unshare(CLONE_NEWNET) < 0)
		return -errno;
	*fd = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	return *fd < 0 ? -errno : 0;
}

struct ns_many {
	int n, threads;
	int *fds;
	int (*each)(int i, int t, void *arg);
	void *arg;
	int stop;		/* set by the first thread that fails */
	int *failed;		/* the namespace that failed */
};

struct ns_share {
	struct ns_many *m;
	int t, lo, hi;		/* thread t makes namespaces [lo, hi) */
	int ret, failed;
};

static int ns_share_fn(void *arg)
{
	struct ns_share *sh = arg;
	struct ns_many *m = sh->m;
	int i, ret = 0;

	for (i = sh->lo; i < sh->hi; i++) {
		if (__atomic_load_n(&m->stop, __ATOMIC_RELAXED))
			return -ECANCELED;
		ret = ns_unshare_fd(&m->fds[i]);
		if (ret == 0 && m->each)
			ret = m->each(i, sh->t, m->arg);
		if (ret) {
			sh->failed = i;
			__atomic_store_n(&m->stop, 1, __ATOMIC_RELAXED);
			return ret;
		}
	}
	return 0;
}

static void *ns_share_thread(void *arg)
{
	struct ns_share *sh = arg;

	sh->ret = ns_share_fn(sh);
	return NULL;
}

/* Threads 1.. are plain threads that end in their last namespace; thread 0
 * is a ns_run_in() helper, so the caller's thread never moves. */
static int ns_many_fn(void *arg)
{
	struct ns_many *m = arg;
	struct ns_share sh[NS_THREADS_MAX];
	pthread_t tid[NS_THREADS_MAX];
	int t, started = 1, ret = 0;

	for (t = 0; t < m->threads; t++)
		sh[t] = (struct ns_share){ m, t, (int)((long)m->n * t / m->threads),
					   (int)((long)m->n * (t + 1) / m->threads), 0, -1 };
	for (t = 1; t < m->threads; t++, started++)
		if (pthread_create(&tid[t], NULL, ns_share_thread, &sh[t]))
			break;
	if (started < m->threads) {
		ret = -EAGAIN;
		__atomic_store_n(&m->stop, 1, __ATOMIC_RELAXED);
	} else {
		sh[0].ret = ns_share_fn(&sh[0]);
	}
	for (t = 1; t < started; t++)
		pthread_join(tid[t], NULL);
	/* the first failure in node order is the one to report; a thread
	 * only stopped because another failed says -ECANCELED */
	for (t = 0; t < started && !ret; t++)
		if (sh[t].ret && sh[t].ret != -ECANCELED) {
			ret = sh[t].ret;
			*m->failed = sh[t].failed;
		}
	return ret;
}

int ns_new_many_each(int n, int *fds, int threads,
		     int (*each)(int i, int t, void *arg), void *arg,
		     int *failed)
{
	int i, ret, none;
	struct ns_many m = { n, threads, fds, each, arg, 0,
			     failed ? failed : &none };

	*m.failed = -1;
	if (n < 0 || threads < 1 || threads > NS_THREADS_MAX)
		return -EINVAL;
	if (m.threads > n)
		m.threads = n ? n : 1;
	for (i = 0; i < n; i++)
		fds[i] = -1;
	ret = ns_run_in(-1, ns_many_fn, &m);
	if (ret)	/* all or nothing: no stale numbers left for the caller */
		for (i = 0; i < n; i++) {
			if (fds[i] >= 0)
				close(fds[i]);
			fds[i] = -1;
		}
	return ret;
}

int ns_threads_for(int n)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);

	/* a small lab is not worth a thread; the kernel's namespace setup
	 * scales to a few cores at best */
	if (n < NS_THREADS_MIN_NODES || cpus < 2)
		return 1;
	return cpus > NS_THREADS_MAX ? NS_THREADS_MAX : (int)cpus;
}

int ns_new_many(int n, int *fds)
{
	return ns_new_many_each(n, fds, 1, NULL, NULL, NULL);
}

int ns_new_net(int *fd_out)
{
	*fd_out = -1;
	return ns_new_many(1, fd_out);
}

int ns_inode(int fd, unsigned long *ino)
{
	struct stat st;

	if (fstat(fd, &st) < 0)
		return -errno;
	*ino = (unsigned long)st.st_ino;
	return 0;
}

/* "net.ipv4.ip_forward" -> "/proc/sys/net/ipv4/ip_forward"; a key with a
 * '/' is already a path ("net/ipv4/conf/eth0.10/rp_filter"). */
static int ns_sysctl_path(const char *key, char *path, size_t len)
{
	int slash = strchr(key, '/') != NULL;
	size_t n;
	char *p;

	if (!*key || strstr(key, ".."))
		return -EINVAL;
	n = (size_t)snprintf(path, len, "/proc/sys/%s", key[0] == '/' ? key + 1 : key);
	if (n >= len)
		return -ENAMETOOLONG;
	if (!slash)
		for (p = path + strlen("/proc/sys/"); *p; p++)
			if (*p == '.')
				*p = '/';
	return 0;
}

/* Open path (under /proc/, or relative to procfd when >= 0) and write
 * value in one write(): proc_sys handlers parse a whole value per write. */
static int ns_sysctl_put(int procfd, const char *key, const char *value)
{
	char path[PATH_MAX];
	size_t len = strlen(value);
	ssize_t n;
	int fd, ret = ns_sysctl_path(key, path, sizeof(path));

	if (!ret && fault_hit(FAULT_WRITE))
		ret = -errno;
	if (ret < 0)
		return ret;
	fd = procfd >= 0 ? openat(procfd, path + strlen("/proc/"), O_WRONLY | O_CLOEXEC)
			 : open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = write(fd, value, len);
	ret = n < 0 ? -errno : (size_t)n != len ? -EIO : 0;
	if (close(fd) < 0 && !ret)
		ret = -errno;
	return ret;
}

int ns_sysctl_write_here(const char *key, const char *value)
{
	return ns_sysctl_put(-1, key, value);
}

/* A procfs instance made for the caller alone (fsopen, never attached
 * anywhere).  Each namespace's /proc/sys/net is a dentry of its own, and
 * in one procfs instance they all hang off one parent under one name: the
 * first lookup of "net" in a new namespace walks all of them, so through
 * the host's /proc a lab's sysctl writes cost O(nodes²) (3000 namespaces:
 * 6.3 s against 1.9 s).  A fresh instance every NS_PROC_USES writes keeps
 * that walk short; closing it frees its dentries. */
static int ns_proc_open(void)
{
	int fs, mnt = -1;

	fs = (int)syscall(SYS_fsopen, "proc", FSOPEN_CLOEXEC);
	if (fs < 0)
		return -errno;
	if (syscall(SYS_fsconfig, fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) == 0)
		mnt = (int)syscall(SYS_fsmount, fs, FSMOUNT_CLOEXEC, 0);
	if (mnt < 0)
		mnt = -errno;
	close(fs);
	return mnt;
}

int ns_sysctl_write_proc(struct ns_proc *p, const char *key, const char *value)
{
	if (p->fd != NS_PROC_NONE && p->uses++ % NS_PROC_USES == 0) {
		if (p->fd >= 0)
			close(p->fd);
		/* where procfs cannot be mounted (a container that hides
		 * parts of /proc), the host's /proc serves, only slower */
		p->fd = ns_proc_open();
		if (p->fd < 0)
			p->fd = NS_PROC_NONE;
	}
	return ns_sysctl_put(p->fd, key, value);
}

void ns_proc_close(struct ns_proc *p)
{
	if (p->fd >= 0)
		close(p->fd);
	*p = (struct ns_proc)NS_PROC_INIT;
}

struct ns_sysctl_job {
	const char *const *keys;
	const char *const *values;
	char *buf;
	size_t len;
	int n;
};

static int ns_sysctl_write_fn(void *arg)
{
	struct ns_sysctl_job *j = arg;
	int i, ret;

	for (i = 0; i < j->n; i++) {
		ret = ns_sysctl_write_here(j->keys[i], j->values[i]);
		if (ret < 0)
			return ret;
	}
	return 0;
}

int ns_sysctl_write_many(int netns_fd, const char *const *keys, const char *const *values, int n)
{
	struct ns_sysctl_job j = { keys, values, NULL, 0, n };

	return ns_run_in(netns_fd, ns_sysctl_write_fn, &j);
}

int ns_sysctl_write(int netns_fd, const char *key, const char *value)
{
	return ns_sysctl_write_many(netns_fd, &key, &value, 1);
}

static int ns_sysctl_read_fn(void *arg)
{
	struct ns_sysctl_job *j = arg;
	char path[PATH_MAX];
	ssize_t n;
	int fd, ret = ns_sysctl_path(j->keys[0], path, sizeof(path));

	if (ret < 0)
		return ret;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, j->buf, j->len - 1);
	ret = n < 0 ? -errno : 0;
	close(fd);
	if (ret < 0)
		return ret;
	while (n > 0 && j->buf[n - 1] == '\n')
		n--;
	j->buf[n] = '\0';
	return 0;
}

int ns_sysctl_read(int netns_fd, const char *key, char *buf, size_t len)
{
	struct ns_sysctl_job j = { &key, NULL, buf, len, 1 };

	if (!len)
		return -EINVAL;
	return ns_run_in(netns_fd, ns_sysctl_read_fn, &j);
}

int ns_kernel_check(const char **missing)
{
	int fd;

	*missing = NULL;
	fd = syscall(SYS_fsopen, "tmpfs", FSOPEN_CLOEXEC);
	if (fd < 0 && errno == ENOSYS) {
		*missing = "the mount API (fsopen, Linux 5.2)";
		return -ENOSYS;
	}
	if (fd >= 0)
		close(fd);
	fd = syscall(SYS_pidfd_open, getpid(), 0);
	if (fd < 0 && errno == ENOSYS) {
		*missing = "pidfd_open (Linux 5.3)";
		return -ENOSYS;
	}
	if (fd >= 0)
		close(fd);
	/* an empty range: nothing changes; an unknown flag is EINVAL */
	if (syscall(SYS_close_range, ~0U, ~0U, CLOSE_RANGE_CLOEXEC) < 0 &&
	    (errno == ENOSYS || errno == EINVAL)) {
		*missing = "close_range(CLOSE_RANGE_CLOEXEC) (Linux 5.11)";
		return -ENOSYS;
	}
	return 0;
}

/* ---- namespace files ---------------------------------------------------- */

int ns_nsfs_dev(dev_t *dev)
{
	struct stat sb;

	if (stat("/proc/self/ns/net", &sb) < 0)
		return -errno;
	*dev = sb.st_dev;
	return 0;
}

int ns_open_proven(const char *path, unsigned long ino, int nstype, int *fd)
{
	struct stat sb;
	dev_t dev = 0;
	int f, ret;

	f = open(path, O_RDONLY | O_CLOEXEC);
	if (f < 0)
		return errno == ENOENT ? -ENOENT : -errno;
	ret = ns_nsfs_dev(&dev);
	if (!ret && (fstat(f, &sb) < 0 || sb.st_dev != dev ||
		     (ino && sb.st_ino != ino) ||
		     (nstype && ioctl(f, NS_GET_NSTYPE) != nstype)))
		ret = -ESTALE;
	if (ret < 0) {
		close(f);
		return ret;
	}
	*fd = f;
	return 0;
}

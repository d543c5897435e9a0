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
	int n;
	int *fds;
	int (*each)(int i, void *arg);
	void *arg;
};

static int ns_many_fn(void *arg)
{
	struct ns_many *m = arg;
	int i, k, ret = 0;

	for (i = 0; i < m->n && !ret; i++) {
		ret = ns_unshare_fd(&m->fds[i]);
		if (ret == 0 && m->each)
			ret = m->each(i, m->arg);
		if (ret < 0) {
			/* close what was opened, this one included; leave no
			 * stale numbers for the caller to close again */
			for (k = 0; k <= i; k++) {
				if (k < i || m->fds[k] >= 0)
					close(m->fds[k]);
				m->fds[k] = -1;
			}
		}
	}
	return ret;
}

int ns_new_many_each(int n, int *fds, int (*each)(int i, void *arg),
		     void *arg)
{
	struct ns_many m = { n, fds, each, arg };

	if (n < 0)
		return -EINVAL;
	return ns_run_in(-1, ns_many_fn, &m);
}

int ns_new_many(int n, int *fds)
{
	return ns_new_many_each(n, fds, NULL, NULL);
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

int ns_sysctl_write_here(const char *key, const char *value)
{
	char path[PATH_MAX];
	size_t len = strlen(value);
	ssize_t n;
	int fd, ret = ns_sysctl_path(key, path, sizeof(path));

	if (!ret && fault_hit(FAULT_WRITE))
		ret = -errno;
	if (ret < 0)
		return ret;
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	/* One write: proc_sys handlers parse a whole value per write(). */
	n = write(fd, value, len);
	ret = n < 0 ? -errno : (size_t)n != len ? -EIO : 0;
	if (close(fd) < 0 && !ret)
		ret = -errno;
	return ret;
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

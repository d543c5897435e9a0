/* ns.h — network namespaces held by file descriptors, and per-netns sysctls.
 *
 * Everything here runs in short-lived helper threads: unshare(CLONE_NEWNET)
 * and setns(fd, CLONE_NEWNET) affect only the calling thread, so the caller's
 * thread never changes namespace.  (setns/unshare of a *mount* namespace are
 * refused in a multithreaded process; that work belongs in a forked child.)
 */
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* New netns; *fd_out is an O_CLOEXEC fd of /proc/thread-self/ns/net taken in
 * the helper thread (in a thread /proc/self names the process's netns).  The
 * fd alone keeps the namespace alive. */
int ns_new_net(int *fd_out);
/* n namespaces from one helper thread (n unshares); all or nothing. */
int ns_new_many(int n, int *fds);
/* n namespaces made by `threads` helper threads at once (1 to
 * NS_THREADS_MAX), thread t taking a contiguous share of them in order.
 * each(i, t, arg) runs in thread t while it is inside the i-th new
 * namespace (per-netns sysctls, a socket bound there): no second pass of
 * setns over every namespace.  All or nothing: a failed unshare or each()
 * stops every thread, closes every fd made (fds[i] = -1) and returns the
 * failure of the lowest-numbered namespace that failed, its number in
 * *failed when failed is not NULL (-1 when no namespace failed: a thread
 * could not start).  A thread stopped because another failed says
 * nothing. */
#define NS_THREADS_MAX 8
#define NS_THREADS_MIN_NODES 64
int ns_new_many_each(int n, int *fds, int threads,
		     int (*each)(int i, int t, void *arg), void *arg,
		     int *failed);
/* How many threads make n namespaces: 1 for a small lab, else one per
 * online CPU up to NS_THREADS_MAX. */
int ns_threads_for(int n);

/* Write value to the sysctl key inside netns_fd (< 0: the caller's netns).
 * /proc/sys/net/... resolves to the netns of the thread that OPENS the file,
 * so a thread setns()es, opens, writes.  Key syntax: either dotted
 * ("net.ipv4.ip_forward", dots become '/') or, as soon as it contains a '/',
 * a path under /proc/sys taken as is ("net/ipv4/conf/eth0.10/rp_filter"):
 * use the slash form whenever an interface name contains a dot. */
int ns_sysctl_write(int netns_fd, const char *key, const char *value);
/* n writes from one thread; stops at the first failure and returns it. */
int ns_sysctl_write_many(int netns_fd, const char *const *keys, const char *const *values, int n);
/* Read a sysctl (trailing newline stripped) into buf. */
int ns_sysctl_read(int netns_fd, const char *key, char *buf, size_t len);

/* Namespace inode of fd (fstat st_ino): identifies a netns. */
int ns_inode(int fd, unsigned long *ino);
/* The netns cookie of a socket's namespace (SO_NETNS_COOKIE, Linux 5.14):
 * a 64-bit number the kernel never gives to another namespace while the
 * machine runs, unlike the inode.  *cookie = 0 and -ENOPROTOOPT on older
 * kernels. */
int ns_sock_cookie(int sockfd, uint64_t *cookie);
/* The same for the netns of netns_fd (through a socket made in it). */
int ns_netns_cookie(int netns_fd, uint64_t *cookie);

/* Run fn(arg) in a new thread that first setns()es into netns_fd (< 0: no
 * setns) and return its result (or -errno of pthread/setns). */
int ns_run_in(int netns_fd, int (*fn)(void *), void *arg);

/* Write one sysctl in the calling thread's netns (for code that already
 * runs in a thread that setns()ed, e.g. one worker visiting many nodes). */
int ns_sysctl_write_here(const char *key, const char *value);
/* The same for a thread that writes in many namespaces in turn: through a
 * procfs instance of its own, renewed every NS_PROC_USES writes (the
 * host's /proc makes each first write in a namespace cost O(namespaces
 * alive), ns.c).  Start from NS_PROC_INIT; ns_proc_close() at the end. */
struct ns_proc {
	int fd;		/* the instance, or NS_PROC_NONE: use /proc */
	unsigned uses;
};
#define NS_PROC_NONE (-2)
#define NS_PROC_USES 64
#define NS_PROC_INIT { -1, 0 }
int ns_sysctl_write_proc(struct ns_proc *p, const char *key, const char *value);
void ns_proc_close(struct ns_proc *p);

/* What nslab needs of the kernel beyond namespaces, probed without side
 * effects: the new mount API (fsopen, Linux 5.2), pidfds (pidfd_open, 5.3)
 * and close_range(CLOSE_RANGE_CLOEXEC) (5.11).  Returns 0, or -ENOSYS with
 * *missing naming the first one lacking ("close_range(CLOSE_RANGE_CLOEXEC),
 * Linux 5.11"), or another -errno when a probe could not tell. */
#define NS_KERNEL_OLDEST "5.11"
int ns_kernel_check(const char **missing);

/* The device of nsfs (every namespace file is on it). */
int ns_nsfs_dev(dev_t *dev);
/* Open a namespace file and prove what it is: on nsfs, of inode ino when
 * ino != 0 (a reused holder pid gives another), of type nstype (CLONE_NEW*)
 * when != 0.  -ESTALE when it is not. */
int ns_open_proven(const char *path, unsigned long ino, int nstype, int *fd);

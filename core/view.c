/* view.c — the file system a node's commands see (see view.h).
 *
 * Made once per lab by the holder, a fresh single-threaded process (a
 * mount namespace cannot be unshared or entered by a multithreaded one):
 *
 *   1. unshare a mount namespace of its own (the lab's base), make / a
 *      recursive slave: host mounts still arrive, ours never leave;
 *   2. attach the lab's files tree (a tmpfs made by `up` with fsmount, not
 *      yet attached anywhere) on LABDIR/view, inside that namespace only;
 *   3. per node, from the base: unshare again and mount, with ordinary
 *      mount(2) calls on paths attached in this namespace, the node's
 *      /etc and /var overlays, its /tmp, /run and the lab's shared dir,
 *      and a sysfs made from inside the node's network namespace; keep an
 *      fd of the result.
 *
 * Why attached paths and mount(2): Linux before 6.15 refuses to use a
 * detached mount (one in no namespace of ours) as an overlay upper layer
 * ("overlayfs: failed to clone upperpath", EINVAL) and refuses to clone
 * one with open_tree(); every distribution kernel in use is older.
 *
 * Why one namespace per node, made once: every command of a node then
 * shares one overlay instance of its /etc and /var (two overlays on one
 * upper dir are undefined behaviour), and entering a node is one setns()
 * instead of seven mounts per command.
 */
#include "view.h"
#include "fault.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/mount.h>

static const char *const view_stage_names[] = {
	[VIEW_SETUP] = "make the lab's mount namespace",
	[VIEW_ATTACH] = "attach the lab's files",
	[VIEW_UNSHARE] = "make the mount namespace",
	[VIEW_ETC] = "mount the /etc overlay",
	[VIEW_VAR] = "mount the /var overlay",
	[VIEW_TMP] = "bind /tmp",
	[VIEW_SHARED] = "bind the shared directory",
	[VIEW_RUN] = "bind /run",
	[VIEW_SYS] = "mount /sys",
	[VIEW_KEEP] = "keep the namespace",
};

const char *view_stage_name(int stage)
{
	if (stage < 0 || stage >= (int)(sizeof(view_stage_names) /
					 sizeof(view_stage_names[0])) ||
	    !view_stage_names[stage])
		return "?";
	return view_stage_names[stage];
}

struct view_ctx {
	const struct state *st;
	char view[4096];	/* LABDIR/view */
	int vfd;		/* O_PATH of the files tree, in this namespace */
	bool host_shared;	/* the host has a /shared directory */
	struct view_fail *f;
};

static int view_err(struct view_ctx *c, int node, int stage)
{
	c->f->node = node;
	c->f->stage = stage;
	c->f->err = errno;
	return -errno;
}

/* nodes/NODE/SUB of the files tree (state_node_dirs()), by a path that
 * stays valid whatever the node's mounts cover (the lab dir may live under
 * /tmp or /run in tests). */
static void vpath(const struct view_ctx *c, char *buf, size_t len,
		  const char *node, const char *sub)
{
	snprintf(buf, len, "/proc/self/fd/%d/nodes/%s/%s", c->vfd, node, sub);
}

static int bind(const char *src, const char *dst, unsigned long flags)
{
	return fault_hit(FAULT_MOUNT) ? -1 : mount(src, dst, NULL, MS_BIND | flags, NULL);
}

static int overlay(const struct view_ctx *c, const char *node,
		   const char *lower, const char *upper, const char *work,
		   const char *target)
{
	char opts[3 * 4200], up[4200], wk[4200];

	vpath(c, up, sizeof(up), node, upper);
	vpath(c, wk, sizeof(wk), node, work);
	snprintf(opts, sizeof(opts), "lowerdir=%s,upperdir=%s,workdir=%s",
		 lower, up, wk);
	return fault_hit(FAULT_MOUNT) ? -1 : mount("overlay", target, "overlay", 0, opts);
}

/* The node's mounts, in a namespace just unshared from the base. */
static int view_mounts(struct view_ctx *c, int node)
{
	const char *name = c->st->nodes[node].name;
	char src[4200], dst[4200], lower[4200];

	/* layers of /etc, top first: the node's files, the lab's (its
	 * /etc/hosts), the host's */
	snprintf(lower, sizeof(lower), "/proc/self/fd/%d/etc:/etc", c->vfd);
	if (overlay(c, name, lower, "upper", "work", "/etc") < 0)
		return view_err(c, node, VIEW_ETC);
	if (overlay(c, name, "/var", "var-upper", "var-work", "/var") < 0)
		return view_err(c, node, VIEW_VAR);
	vpath(c, src, sizeof(src), name, "tmp");
	if (bind(src, "/tmp", 0) < 0)
		return view_err(c, node, VIEW_TMP);
	/* the shared dir inside the node's run dir first, then /run with it */
	snprintf(src, sizeof(src), "/proc/self/fd/%d/shared", c->vfd);
	vpath(c, dst, sizeof(dst), name, "run/shared");
	if (bind(src, dst, 0) < 0 ||
	    (c->host_shared && bind(src, "/shared", 0) < 0))
		return view_err(c, node, VIEW_SHARED);
	vpath(c, src, sizeof(src), name, "run");
	if (bind(src, "/run", MS_REC) < 0)
		return view_err(c, node, VIEW_RUN);
	/* a sysfs shows the network namespace of the process mounting it */
	if (setns(c->st->nodes[node].netns_fd, CLONE_NEWNET) < 0 ||
	    umount2("/sys", MNT_DETACH) < 0 ||
	    fault_hit(FAULT_MOUNT) || mount("sysfs", "/sys", "sysfs", MS_NOSUID | MS_NODEV | MS_NOEXEC,
		  NULL) < 0)
		return view_err(c, node, VIEW_SYS);
	return 0;
}

/* Keep the current mount namespace at exactly fd number `want`. */
static int view_keep(struct view_ctx *c, int node, int want)
{
	int fd = open("/proc/self/ns/mnt", O_RDONLY | O_CLOEXEC), nfd;

	if (fd < 0)
		return view_err(c, node, VIEW_KEEP);
	if (fd == want)
		return 0;
	/* want is free and every fd below it that we hold is in use or lower:
	 * F_DUPFD gives exactly want */
	nfd = fcntl(fd, F_DUPFD_CLOEXEC, want);
	close(fd);
	if (nfd != want) {
		if (nfd >= 0)
			close(nfd);
		errno = nfd < 0 ? errno : EBADF;
		return view_err(c, node, VIEW_KEEP);
	}
	return 0;
}

/* One past the highest fd we hold: the node views go there, in order. */
static int view_fd_base(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *de;
	int top = 2, fd, self;

	if (!d)
		return -errno;
	self = dirfd(d);
	while ((de = readdir(d))) {
		fd = atoi(de->d_name);
		if (fd != self && fd > top)
			top = fd;
	}
	closedir(d);
	return top + 1;
}

static int view_node(struct view_ctx *c, int base_ns, int node, int want)
{
	int ret;

	if (setns(base_ns, CLONE_NEWNS) < 0 || fault_hit(FAULT_NS) || unshare(CLONE_NEWNS) < 0)
		return view_err(c, node, VIEW_UNSHARE);
	/* resolved again in this namespace: an fd opened in the base refers
	 * to the base's mount, which mount(2) here would refuse */
	c->vfd = open(c->view, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (c->vfd < 0)
		return view_err(c, node, VIEW_UNSHARE);
	ret = view_mounts(c, node);
	close(c->vfd);
	c->vfd = -1;
	if (!ret)
		ret = view_keep(c, node, want);
	return ret;
}

int view_build(const struct state *st, const char *labdir, int files_fd,
	       int *base, struct view_fail *f)
{
	struct view_ctx c = { .st = st, .vfd = -1, .f = f };
	struct stat sb;
	int net = -1, base_ns = -1, first, i, ret = 0;

	memset(f, 0, sizeof(*f));
	f->node = -1;
	snprintf(c.view, sizeof(c.view), "%s/view", labdir);
	c.host_shared = lstat("/shared", &sb) == 0 && S_ISDIR(sb.st_mode);
	net = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (net < 0 || fault_hit(FAULT_NS) || unshare(CLONE_NEWNS) < 0 ||
	    fault_hit(FAULT_MOUNT) || mount(NULL, "/", NULL, MS_SLAVE | MS_REC, NULL) < 0) {
		ret = view_err(&c, -1, VIEW_SETUP);
		goto out;
	}
	if (fault_hit(FAULT_MOUNT) || syscall(SYS_move_mount, files_fd, "", AT_FDCWD, c.view,
		    MOVE_MOUNT_F_EMPTY_PATH) < 0) {
		ret = view_err(&c, -1, VIEW_ATTACH);
		goto out;
	}
	base_ns = open("/proc/self/ns/mnt", O_RDONLY | O_CLOEXEC);
	first = base_ns < 0 ? -1 : view_fd_base();
	if (first < 0) {
		ret = view_err(&c, -1, VIEW_SETUP);
		goto out;
	}
	for (i = 0; i < st->nnodes && !ret; i++)
		ret = view_node(&c, base_ns, i, first + i);
	/* back home: the holder itself stays in the lab's base namespace and
	 * the host's network namespace */
	if (setns(base_ns, CLONE_NEWNS) < 0 || setns(net, CLONE_NEWNET) < 0) {
		if (!ret)
			ret = view_err(&c, -1, VIEW_SETUP);
	}
	if (!ret)
		*base = first;
out:
	if (base_ns >= 0)
		close(base_ns);
	if (net >= 0)
		close(net);
	return ret;
}

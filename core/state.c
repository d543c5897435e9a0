/* state.c — /run/nslab/NAME/: lock, node table, per-node dirs, files,
 * removal, listing.  See state.h for the layout. */
#include "holder.h"
#include "state.h"
#include "fault.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#include <linux/mount.h>

#define STATE_MAGIC "nslab-state"

const char *state_run_dir(void)
{
	const char *d = getenv("NSLAB_RUN_DIR");

	return d && *d ? d : "/run/nslab";
}

const char *state_netns_dir(void)
{
	const char *d = getenv("NSLAB_NETNS_DIR");

	return d && *d ? d : "/run/netns";
}

bool state_name_ok(const char *name)
{
	return lab_name_check(name, NULL);
}

/* Ours: owned by our effective uid (root) and writable by nobody else.
 * Anything under the run dir that fails this may have been written by
 * another user (NSLAB_RUN_DIR pointing at their directory) and is never
 * read nor removed. */
static int state_owned(int fd)
{
	struct stat sb;

	if (fstat(fd, &sb) < 0)
		return -errno;
	return sb.st_uid == geteuid() && !(sb.st_mode & 022) ? 0 : -EPERM;
}

static int state_rm_dir(const char *dir);

static struct state *state_alloc(const char *lab)
{
	struct state *st = calloc(1, sizeof(*st));

	if (!st)
		return NULL;
	snprintf(st->name, sizeof(st->name), "%s", lab);
	if (snprintf(st->dir, sizeof(st->dir), "%s/%s", state_run_dir(),
		     lab) >= (int)sizeof(st->dir)) {
		free(st);
		return NULL;	/* NSLAB_RUN_DIR absurdly long */
	}
	st->dirfd = -1;
	st->lockfd = -1;
	st->files_fd = -1;
	st->files_num = -1;
	st->holder_pidfd = -1;
	return st;
}

void state_unlock(struct state *st)
{
	if (st && st->lockfd >= 0) {
		close(st->lockfd);	/* closing drops the flock */
		st->lockfd = -1;
	}
}

void state_close(struct state *st)
{
	if (!st)
		return;
	state_unlock(st);
	if (st->dirfd >= 0)
		close(st->dirfd);
	if (st->files_fd >= 0)
		close(st->files_fd);
	if (st->holder_pidfd >= 0)
		close(st->holder_pidfd);
	free(st->nodes);
	free(st);
}

static int mkdir_p(const char *path, mode_t mode)
{
	char buf[4096];
	char *p;

	if (snprintf(buf, sizeof(buf), "%s", path) >= (int)sizeof(buf))
		return -ENAMETOOLONG;
	for (p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, mode) < 0 && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(buf, mode) < 0 && errno != EEXIST)
		return -errno;
	return 0;
}

/* Build the lab's skeleton in dirfd (a fresh temporary dir). */
static int state_skeleton(int dirfd, int *lockfd)
{
	static const char *const sub[] = { "log", "view" };
	size_t i;
	int fd;

	fd = openat(dirfd, "lock", O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC |
		    O_NOFOLLOW, 0600);
	if (fd < 0)
		return -errno;
	if (flock(fd, LOCK_EX) < 0) {
		close(fd);
		return -errno;
	}
	for (i = 0; i < sizeof(sub) / sizeof(sub[0]); i++) {
		if (mkdirat(dirfd, sub[i], 0755) < 0) {
			close(fd);
			return -errno;
		}
	}
	/* logs may carry secrets: root only, whatever the umask (README.md,
	 * "Security") */
	if (fchmodat(dirfd, "log", 0700, 0) < 0) {
		close(fd);
		return -errno;
	}
	*lockfd = fd;
	return 0;
}

int state_create(const char *lab, struct state **out)
{
	char tmp[4096];
	struct state *st;
	int ret, base = -1;

	if (!state_name_ok(lab))
		return -EINVAL;
	ret = mkdir_p(state_run_dir(), 0755);
	if (ret < 0)
		return ret;
	/* a lab made where others can write could not be taken down
	 * (state_open_dir()) */
	base = open(state_run_dir(), O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (base < 0)
		return -errno;
	ret = state_owned(base);
	close(base);
	base = -1;
	if (ret < 0)
		return ret;
	st = state_alloc(lab);
	if (!st)
		return -ENOMEM;
	/* A hidden temporary name first, renamed into place when the lock
	 * exists: nobody can see (and `down`) a lab dir without a held lock. */
	snprintf(tmp, sizeof(tmp), "%s/.%s.%d", state_run_dir(), lab, getpid());
	if (mkdir(tmp, 0755) < 0) {
		ret = -errno;
		goto fail;
	}
	st->dirfd = open(tmp, O_PATH | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	if (st->dirfd < 0) {
		ret = -errno;
		goto fail_rm;
	}
	ret = state_skeleton(st->dirfd, &st->lockfd);
	if (ret < 0)
		goto fail_rm;
	base = open(state_run_dir(), O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (base < 0 ||
	    renameat2(base, tmp + strlen(state_run_dir()) + 1, base, lab,
		      RENAME_NOREPLACE) < 0) {
		ret = errno == ENOTEMPTY ? -EEXIST : -errno;
		goto fail_rm;
	}
	close(base);
	st->ctime = time(NULL);
	ret = state_save(st);
	if (ret < 0) {
		state_remove(st);
		state_close(st);
		return ret;
	}
	*out = st;
	return 0;
fail_rm:
	if (base >= 0)
		close(base);
	/* only the temporary dir: NAME's links may belong to a live lab */
	state_rm_dir(tmp);
fail:
	state_close(st);
	return ret;
}

/* ---- nodes.tab ----------------------------------------------------------- */

int state_lab_nodes(const struct state *st)
{
	int i, n = 0;

	for (i = 0; i < st->nnodes; i++)
		n += strcmp(st->nodes[i].kind, STATE_KIND_RELAY) != 0;
	return n;
}

int state_add_node(struct state *st, const char *name, const char *kind,
		   int netns_fd)
{
	struct state_node *n;
	struct stat sb;

	if (!state_name_ok(name) && strcmp(name, LAB_RELAY_NAME))
		return -EINVAL;
	if (st->nnodes == st->cap) {
		int cap = st->cap ? st->cap * 2 : 16;
		void *v = reallocarray(st->nodes, cap, sizeof(*n));

		if (!v)
			return -ENOMEM;
		st->nodes = v;
		st->cap = cap;
	}
	n = &st->nodes[st->nnodes];
	memset(n, 0, sizeof(*n));
	snprintf(n->name, sizeof(n->name), "%s", name);
	snprintf(n->kind, sizeof(n->kind), "%s", kind ? kind : "-");
	n->netns_fd = netns_fd;
	n->view_fd = -1;
	if (netns_fd >= 0) {
		if (fstat(netns_fd, &sb) < 0)
			return -errno;
		n->netns_ino = sb.st_ino;
	}
	return st->nnodes++;
}

int state_node_find(const struct state *st, const char *name)
{
	int i;

	for (i = 0; i < st->nnodes; i++)
		if (!strcmp(st->nodes[i].name, name))
			return i;
	return -ENOENT;
}

static int state_write_tab(struct state *st, FILE *f)
{
	int i;

	fprintf(f, "%s 2 %d %" PRId64 " %d %llu %llu %llu\n", STATE_MAGIC,
		(int)st->holder, st->ctime, st->files_num, st->holder_start,
		st->exe_dev, st->exe_ino);
	for (i = 0; i < st->nnodes; i++) {
		const struct state_node *n = &st->nodes[i];

		fprintf(f, "%s %s %lu %d %d %" PRIu64 "\n", n->name, n->kind,
			n->netns_ino, n->netns_fd, n->view_fd, n->netns_cookie);
	}
	return fflush(f) == EOF || ferror(f) ? -EIO : 0;
}

int state_save(struct state *st)
{
	FILE *f;
	int fd, ret;

	fd = fault_hit(FAULT_WRITE) ? -1 : openat(st->dirfd, STATE_NODES_TAB ".tmp",
		    O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (fd < 0)
		return -errno;
	f = fdopen(fd, "w");
	if (!f) {
		ret = -errno;
		close(fd);
		return ret;
	}
	ret = state_write_tab(st, f);
	if (fclose(f) == EOF && !ret)
		ret = -errno;
	/* rename: readers (ls, exec) never see a half-written table */
	if (!ret && renameat(st->dirfd, STATE_NODES_TAB ".tmp", st->dirfd,
			     STATE_NODES_TAB) < 0)
		ret = -errno;
	return ret;
}

static int write_all(int fd, const char *p, size_t len)
{
	while (len) {
		ssize_t w = write(fd, p, len);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -errno;
		p += w;
		len -= w;
	}
	return 0;
}

/* name in the state dir, through a temporary and rename. */
int state_file_write(int dirfd, const char *name, const char *p, size_t len)
{
	char tmp[64];
	int fd, ret;

	snprintf(tmp, sizeof(tmp), "%s.tmp", name);
	fd = fault_hit(FAULT_WRITE) ? -1 : openat(dirfd, tmp,
		    O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return -errno;
	ret = write_all(fd, p, len);
	if (close(fd) < 0 && !ret)
		ret = -errno;
	if (!ret && renameat(dirfd, tmp, dirfd, name) < 0)
		ret = -errno;
	if (ret)
		unlinkat(dirfd, tmp, 0);
	return ret;
}

static int state_put(struct state *st, const char *name, const char *p,
		     size_t len)
{
	return state_file_write(st->dirfd, name, p, len);
}

int state_save_source(struct state *st, const char *path, const char *text,
		      size_t len)
{
	int ret = state_put(st, STATE_SOURCE, text, len);

	return ret ? ret : state_put(st, STATE_SOURCE_PATH, path, strlen(path));
}

static int state_get(const struct state *st, const char *name, size_t max,
		     char **out, size_t *len)
{
	return state_file_read(st->dirfd, name, max, out, len);
}

int state_file_read(int dirfd, const char *name, size_t max, char **out,
		    size_t *len)
{
	struct stat sb;
	char *buf = NULL;
	ssize_t r;
	size_t n = 0;
	int fd, ret;

	*out = NULL;
	fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return -errno;
	ret = state_owned(fd);
	if (!ret && fstat(fd, &sb) < 0)
		ret = -errno;
	if (!ret && (!S_ISREG(sb.st_mode) || (size_t)sb.st_size > max))
		ret = -EBADMSG;
	if (!ret && !(buf = malloc((size_t)sb.st_size + 1)))
		ret = -ENOMEM;
	while (!ret && n < (size_t)sb.st_size) {
		r = read(fd, buf + n, (size_t)sb.st_size - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			ret = r < 0 ? -errno : -EBADMSG;
		else
			n += (size_t)r;
	}
	close(fd);
	if (ret) {
		free(buf);
		return ret;
	}
	buf[n] = 0;
	*out = buf;
	*len = n;
	return 0;
}

int state_read_source(const struct state *st, char **path, char **text,
		      size_t *len)
{
	size_t plen;
	int ret;

	*path = *text = NULL;
	ret = state_get(st, STATE_SOURCE_PATH, PATH_MAX, path, &plen);
	if (!ret && strlen(*path) != plen)
		ret = -EBADMSG;
	if (!ret)
		ret = state_get(st, STATE_SOURCE, LAB_FILE_MAX, text, len);
	if (ret) {
		free(*path);
		*path = NULL;
	}
	return ret;
}

static int state_parse_node(struct state *st, const char *line)
{
	char name[64], kind[16];
	unsigned long ino;
	uint64_t cookie = 0;
	int fd, efd = -1, i, k;

	k = sscanf(line, "%63s %15s %lu %d %d %" SCNu64, name, kind, &ino, &fd,
		   &efd, &cookie);
	if (k < 4)
		return -EBADMSG;
	i = state_add_node(st, name, kind, -1);
	if (i < 0)
		return i == -EINVAL ? -EBADMSG : i;
	st->nodes[i].netns_ino = ino;
	st->nodes[i].netns_fd = fd;
	st->nodes[i].view_fd = k >= 5 ? efd : -1;
	st->nodes[i].netns_cookie = k >= 6 ? cookie : 0;
	return 0;
}

/* Read nodes.tab.  A missing table is a half-built lab: no nodes. */
static int state_read_tab(struct state *st)
{
	char line[256];
	int fd, ret = 0, holder, ver;
	int64_t ctime;
	FILE *f;

	ret = state_owned(st->dirfd);
	if (ret < 0)
		return ret;
	fd = openat(st->dirfd, STATE_NODES_TAB, O_RDONLY | O_CLOEXEC |
		    O_NOFOLLOW);
	if (fd < 0)
		return errno == ENOENT ? 0 : -errno;
	ret = state_owned(fd);
	if (ret < 0) {
		close(fd);
		return ret;
	}
	f = fdopen(fd, "r");
	if (!f) {
		close(fd);
		return -ENOMEM;
	}
	if (!fgets(line, sizeof(line), f) ||
	    sscanf(line, STATE_MAGIC " %d %d %" SCNd64 " %d %llu %llu %llu",
		   &ver, &holder, &ctime, &st->files_num, &st->holder_start,
		   &st->exe_dev, &st->exe_ino) < 3) {
		fclose(f);
		return -EBADMSG;
	}
	st->holder = holder;
	st->ctime = ctime;
	if (holder > 0 && st->files_num >= 0)
		snprintf(st->files, sizeof(st->files), "/proc/%d/fd/%d", holder,
			 st->files_num);
	while (!ret && fgets(line, sizeof(line), f))
		ret = state_parse_node(st, line);
	fclose(f);
	return ret;
}

/* The run dir, and the lab's dir in it, must be root's (state_owned()),
 * and the dir must hold a lab's lock file: `down NAME` never removes a
 * directory that is not a lab, wherever NSLAB_RUN_DIR points. */
static int state_open_dir(struct state *st)
{
	int base, ret;

	base = open(state_run_dir(), O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (base < 0)
		return errno == ENOENT || errno == ENOTDIR ? -ENOENT : -errno;
	ret = state_owned(base);
	if (!ret) {
		st->dirfd = openat(base, st->name, O_PATH | O_DIRECTORY |
				   O_CLOEXEC | O_NOFOLLOW);
		if (st->dirfd < 0)
			ret = errno == ENOTDIR || errno == ELOOP ? -EUCLEAN :
			      -errno;
	}
	close(base);
	if (!ret)
		ret = state_owned(st->dirfd);
	if (ret)
		return ret;
	/* state_remove() unlinks the lock last: an interrupted down leaves
	 * it, and the next down still finds a lab */
	st->lockfd = openat(st->dirfd, "lock", O_RDWR | O_CLOEXEC | O_NOFOLLOW);
	if (st->lockfd < 0)
		return errno == ENOENT || errno == ELOOP ? -EUCLEAN : -errno;
	return state_owned(st->lockfd);
}

static int state_open_lock(const char *lab, int how, struct state **out)
{
	struct state *st;
	struct stat sb;
	int ret;

	if (!state_name_ok(lab))
		return -EINVAL;
	st = state_alloc(lab);
	if (!st)
		return -ENOMEM;
	ret = state_open_dir(st);
	if (ret < 0)
		goto fail;
	if (flock(st->lockfd, how) < 0) {
		ret = -errno;
		goto fail;
	}
	/* The lab may have been removed while we waited for the lock. */
	if (fstat(st->lockfd, &sb) < 0 || sb.st_nlink == 0) {
		ret = -ENOENT;
		goto fail;
	}
	ret = state_read_tab(st);
	if (ret < 0)
		goto fail;
	holder_prove(st);	/* broken when it fails: holder_pidfd -1 */
	*out = st;
	return 0;
fail:
	state_close(st);
	return ret;
}

int state_open(const char *lab, struct state **out)
{
	return state_open_lock(lab, LOCK_EX, out);
}

int state_open_shared(const char *lab, struct state **out)
{
	return state_open_lock(lab, LOCK_SH, out);
}

int state_open_read(const char *lab, struct state **out)
{
	int ret = state_open_lock(lab, LOCK_SH, out);

	if (ret == 0)
		state_unlock(*out);
	return ret;
}

int state_read_at(int dirfd, const char *lab, struct state **out)
{
	struct state *st;
	int ret;

	*out = NULL;
	if (!state_name_ok(lab))
		return -EINVAL;
	st = state_alloc(lab);
	if (!st)
		return -ENOMEM;
	st->dirfd = fcntl(dirfd, F_DUPFD_CLOEXEC, 3);
	ret = st->dirfd < 0 ? -errno : state_read_tab(st);
	if (ret) {
		state_close(st);
		return ret;
	}
	*out = st;
	return 0;
}

/* ---- per-node dirs and files --------------------------------------------- */

static int sys_fsopen(const char *fs, unsigned flags);
static int sys_fsconfig(int fd, unsigned cmd, const char *key,
			const void *val, int aux);
static int sys_fsmount(int fd, unsigned flags, unsigned attr);

/* A fresh tmpfs, mounted nowhere: only the returned fd reaches it. */
static int state_files_new(void)
{
	static const char *const sub[] = { "etc", "shared", "nodes" };
	int fs, fd, ret = 0;
	size_t i;

	fs = sys_fsopen("tmpfs", FSOPEN_CLOEXEC);
	if (fs < 0)
		return -errno;
	if (sys_fsconfig(fs, FSCONFIG_SET_STRING, "mode", "0755", 0) ||
	    sys_fsconfig(fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0))
		ret = -errno;
	fd = ret ? -1 : sys_fsmount(fs, FSMOUNT_CLOEXEC, 0);
	if (!ret && fd < 0)
		ret = -errno;
	close(fs);
	for (i = 0; !ret && i < sizeof(sub) / sizeof(sub[0]); i++)
		if (mkdirat(fd, sub[i], 0755) < 0)
			ret = -errno;
	if (ret && fd >= 0)
		close(fd);
	return ret ? ret : fd;
}

int state_files(struct state *st, const char **path)
{
	int fd;

	if (st->files_fd < 0 && st->files[0]) {
		/* a running lab: the holder's tree */
		fd = open(st->files, O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (fd < 0)
			return -errno;
		st->files_fd = fd;
	} else if (st->files_fd < 0) {
		fd = state_files_new();
		if (fd < 0)
			return fd;
		/* the holder inherits it under the same number */
		st->files_fd = st->files_num = fd;
		snprintf(st->files, sizeof(st->files), "/proc/%d/fd/%d",
			 (int)getpid(), fd);
	}
	if (path)
		*path = st->files;
	return 0;
}

int state_node_dirs(struct state *st, int node)
{
	static const char *const sub[] = { "", "/upper", "/work", "/var-upper",
					   "/var-work", "/run", "/run/shared",
					   "/tmp" };
	char path[256];
	size_t i;
	int ret;

	if (node < 0 || node >= st->nnodes)
		return -EINVAL;
	ret = state_files(st, NULL);
	if (ret)
		return ret;
	for (i = 0; i < sizeof(sub) / sizeof(sub[0]); i++) {
		snprintf(path, sizeof(path), "nodes/%s%s", st->nodes[node].name,
			 sub[i]);
		/* /tmp semantics for the node's private /tmp */
		if (mkdirat(st->files_fd, path, !strcmp(sub[i], "/tmp") ? 01777
			    : 0755) < 0 && errno != EEXIST)
			return -errno;
		if (!strcmp(sub[i], "/tmp") &&
		    fchmodat(st->files_fd, path, 01777, 0) < 0)
			return -errno;
	}
	return 0;
}

/* Map a node path to (dir relative to the lab dir, rest): the areas of
 * lab_file_area(). */
static int state_map_path(const struct state *st, int node, const char *path,
			  char *base, size_t blen, const char **rest)
{
	static const char *const sub[] = {
		[LAB_AREA_ETC] = "upper", [LAB_AREA_RUN] = "run",
		[LAB_AREA_TMP] = "tmp",
	};
	enum lab_area a = lab_file_area(path, rest);

	if (a == LAB_AREA_NONE)
		return -EINVAL;
	if (a == LAB_AREA_SHARED)
		snprintf(base, blen, "shared");
	else
		snprintf(base, blen, "nodes/%s/%s", st->nodes[node].name,
			 sub[a]);
	return 0;
}

/* Walk rest's directories below dirfd, making them; returns a dir fd and
 * points *leaf at the last component. */
static int state_walk_mkdir(int dirfd, char *rest, char **leaf)
{
	char *comp, *next;
	int fd, nfd;

	*leaf = rest;	/* defined on every return */
	fd = openat(dirfd, ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	for (comp = rest;; comp = next) {
		next = strchr(comp, '/');
		if (!*comp || !strcmp(comp, ".") || !strcmp(comp, "..") ||
		    (next && (next == comp || !strncmp(comp, "..", next - comp) ||
			      !strncmp(comp, ".", next - comp)))) {
			close(fd);
			return -EINVAL;
		}
		if (!next)
			break;
		*next++ = '\0';
		if (mkdirat(fd, comp, 0755) < 0 && errno != EEXIST) {
			nfd = -errno;
			close(fd);
			return nfd;
		}
		/* O_NOFOLLOW: a symlink planted in the tree cannot lead out */
		nfd = openat(fd, comp, O_PATH | O_DIRECTORY | O_NOFOLLOW |
			     O_CLOEXEC);
		close(fd);
		if (nfd < 0)
			return -errno;
		fd = nfd;
	}
	*leaf = comp;
	return fd;
}

int state_write_file(struct state *st, int node, const char *path,
		     const char *content, size_t len, unsigned mode)
{
	char base[128], rel[4096], *leaf = NULL;
	const char *rest;
	int ret, dfd, fd;

	if (node < STATE_LAB_ETC || node >= st->nnodes || !path)
		return -EINVAL;
	if (node == STATE_LAB_ETC) {
		/* the lab-wide /etc layer, below every node's own files */
		if (strncmp(path, "/etc/", 5))
			return -EINVAL;
		snprintf(base, sizeof(base), "etc");
		rest = path + 5;
	} else {
		ret = state_map_path(st, node, path, base, sizeof(base), &rest);
		if (ret < 0)
			return ret;
	}
	if (snprintf(rel, sizeof(rel), "%s/%s", base, rest) >= (int)sizeof(rel))
		return -ENAMETOOLONG;
	ret = state_files(st, NULL);
	if (ret)
		return ret;
	dfd = state_walk_mkdir(st->files_fd, rel, &leaf);
	if (dfd < 0)
		return dfd;
	fd = fault_hit(FAULT_WRITE) ? -1 : openat(dfd, leaf, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW |
		    O_CLOEXEC, mode & 07777);
	close(dfd);
	if (fd < 0)
		return -errno;
	ret = write_all(fd, content, len);
	/* the umask must not change the mode the lab asked for */
	if (!ret && fchmod(fd, mode & 07777) < 0)
		ret = -errno;
	if (close(fd) < 0 && !ret)
		ret = -errno;
	return ret;
}

/* ---- the new mount API (glibc 2.36 has no wrappers) ---------------------- */

static int sys_fsopen(const char *fs, unsigned flags)
{
	return fault_hit(FAULT_MOUNT) ? -1 : syscall(SYS_fsopen, fs, flags);
}

static int sys_fsconfig(int fd, unsigned cmd, const char *key,
			const void *val, int aux)
{
	return fault_hit(FAULT_MOUNT) ? -1 : syscall(SYS_fsconfig, fd, cmd, key, val, aux);
}

static int sys_fsmount(int fd, unsigned flags, unsigned attr)
{
	return fault_hit(FAULT_MOUNT) ? -1 : syscall(SYS_fsmount, fd, flags, attr);
}

/* ---- removal ------------------------------------------------------------- */

/* Empty the directory dfd (consumed), but for an entry named skip.  Never follows symlinks and never
 * descends into another file system (a mount point under the lab dir would
 * be a bug, but must not cost the host its files). */
static int state_rm_tree(int dfd, dev_t dev, const char *skip)
{
	struct dirent *de;
	struct stat sb;
	int ret = 0, sub;
	DIR *d = fdopendir(dfd);

	if (!d) {
		close(dfd);
		return -errno;
	}
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, "..") ||
		    (skip && !strcmp(de->d_name, skip)))
			continue;
		if (fstatat(dfd, de->d_name, &sb, AT_SYMLINK_NOFOLLOW) < 0)
			continue;
		if (S_ISDIR(sb.st_mode)) {
			if (sb.st_dev != dev) {
				ret = -EBUSY;
				continue;
			}
			sub = openat(dfd, de->d_name, O_RDONLY | O_DIRECTORY |
				     O_NOFOLLOW | O_CLOEXEC);
			if (sub >= 0)
				state_rm_tree(sub, dev, NULL);
			if (unlinkat(dfd, de->d_name, AT_REMOVEDIR) < 0 &&
			    errno != ENOENT)
				ret = -errno;
		} else if (unlinkat(dfd, de->d_name, 0) < 0 && errno != ENOENT) {
			ret = -errno;
		}
	}
	closedir(d);
	return ret;
}

/* Remove /run/netns/LAB.* symlinks (only symlinks: ip netns add entries
 * are left alone). */
static int state_remove_links(const char *lab)
{
	size_t l = strlen(lab);
	struct dirent *de;
	struct stat sb;
	int dfd, ret = 0;
	DIR *d;

	dfd = open(state_netns_dir(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return errno == ENOENT ? 0 : -errno;
	d = fdopendir(dfd);
	if (!d) {
		close(dfd);
		return -errno;
	}
	while ((de = readdir(d))) {
		if (strncmp(de->d_name, lab, l) || de->d_name[l] != '.')
			continue;
		if (fstatat(dfd, de->d_name, &sb, AT_SYMLINK_NOFOLLOW) < 0 ||
		    !S_ISLNK(sb.st_mode))
			continue;
		if (unlinkat(dfd, de->d_name, 0) < 0 && errno != ENOENT)
			ret = -errno;
	}
	closedir(d);
	return ret;
}

/* Remove a lab dir: its contents, then the lock (the mark of a lab dir,
 * state_open_dir()), then the dir itself. */
void state_remove_dangling_links(void)
{
	char target[64];
	struct dirent *de;
	struct stat sb;
	ssize_t len;
	int dfd;
	DIR *d;

	dfd = open(state_netns_dir(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0 || !(d = fdopendir(dfd))) {
		if (dfd >= 0)
			close(dfd);
		return;
	}
	while ((de = readdir(d))) {
		len = readlinkat(dfd, de->d_name, target, sizeof(target) - 1);
		if (len <= 0)
			continue;
		target[len] = '\0';
		if (!strncmp(target, "/proc/", 6) && strchr(de->d_name, '.') &&
		    fstatat(dfd, de->d_name, &sb, 0) < 0)
			unlinkat(dfd, de->d_name, 0);
	}
	closedir(d);
}

static int state_rm_dir(const char *dir)
{
	struct stat sb;
	int fd, keep, ret;

	fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? 0 : -errno;
	keep = fcntl(fd, F_DUPFD_CLOEXEC, 3);
	if (keep < 0 || fstat(fd, &sb) < 0) {
		ret = -errno;
		close(fd);
		if (keep >= 0)
			close(keep);
		return ret;
	}
	ret = state_rm_tree(fd, sb.st_dev, "lock");
	if (unlinkat(keep, "lock", 0) < 0 && errno != ENOENT && !ret)
		ret = -errno;
	close(keep);
	if (rmdir(dir) < 0 && errno != ENOENT && !ret)
		ret = -errno;
	return ret;
}

int state_remove(struct state *st)
{
	int ret = state_remove_links(st->name);
	int ret2 = state_rm_dir(st->dir);

	return ret ? ret : ret2;
}

/* ---- listing ------------------------------------------------------------ */

/* ".LAB.PID", state_create()'s staging name: LAB, or NULL if not one. */
static const char *staging_lab(const char *ent, char *lab, size_t len,
			       pid_t *pid)
{
	const char *dot = strrchr(ent, '.');
	char *end;
	long v;

	if (ent[0] != '.' || dot == ent || (size_t)(dot - ent - 1) >= len)
		return NULL;
	v = strtol(dot + 1, &end, 10);
	if (dot[1] < '0' || dot[1] > '9' || *end || v <= 0 || v > INT_MAX)
		return NULL;
	snprintf(lab, len, "%.*s", (int)(dot - ent - 1), ent + 1);
	*pid = (pid_t)v;
	return state_name_ok(lab) ? lab : NULL;
}

/* The pid that made a staging dir still runs (a zombie counts: its dir
 * goes at the next sweep). */
static bool staging_owner_runs(pid_t pid)
{
	return kill(pid, 0) == 0 || errno == EPERM;
}

int state_sweep_staging(const char *lab)
{
	char name[LAB_NAME_MAX + 2], path[4096];
	struct dirent *de;
	struct stat sb;
	int ret = 0, r, base;
	pid_t pid;
	DIR *d;

	base = open(state_run_dir(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (base < 0)
		return errno == ENOENT ? 0 : -errno;
	/* only in a run dir of root's, only dirs of root's (state_owned()) */
	if (state_owned(base) < 0 || !(d = fdopendir(base))) {
		close(base);
		return 0;
	}
	while ((de = readdir(d))) {
		if (!staging_lab(de->d_name, name, sizeof(name), &pid) ||
		    (lab && strcmp(name, lab)) || staging_owner_runs(pid) ||
		    fstatat(base, de->d_name, &sb, AT_SYMLINK_NOFOLLOW) < 0 ||
		    !S_ISDIR(sb.st_mode) || sb.st_uid != geteuid())
			continue;
		snprintf(path, sizeof(path), "%s/%s", state_run_dir(),
			 de->d_name);
		r = state_rm_dir(path);
		if (r && !ret)
			ret = r;
	}
	closedir(d);
	return ret;
}


static int state_info_cmp(const void *a, const void *b)
{
	return strcmp(((const struct state_info *)a)->name,
		      ((const struct state_info *)b)->name);
}

static void state_info_fill(const char *name, struct state_info *in)
{
	struct state *st = state_alloc(name);
	struct stat sb;

	memset(in, 0, sizeof(*in));
	snprintf(in->name, sizeof(in->name), "%.32s", name);
	if (!st)
		return;
	st->dirfd = open(st->dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	/* no lock: nodes.tab is replaced atomically, and ls must not wait */
	if (st->dirfd >= 0 && state_read_tab(st) == 0) {
		in->holder = st->holder;
		in->nnodes = state_lab_nodes(st);
		in->running = holder_prove(st) == 0;
	}
	if (!st->ctime && st->dirfd >= 0 && fstat(st->dirfd, &sb) == 0)
		st->ctime = sb.st_mtime;
	in->age_s = st->ctime ? time(NULL) - st->ctime : 0;
	state_close(st);
}

int state_list(struct state_info **out, int *n)
{
	struct state_info *v = NULL, *nv;
	struct dirent *de;
	int cnt = 0, cap = 0;
	DIR *d = opendir(state_run_dir());

	*out = NULL;
	*n = 0;
	if (!d)
		return errno == ENOENT ? 0 : -errno;
	while ((de = readdir(d))) {
		if (!state_name_ok(de->d_name))
			continue;	/* ".", "..", temporary ".NAME.PID" */
		if (cnt == cap) {
			cap = cap ? cap * 2 : 16;
			/* realloc, not reallocarray: gcc 12's analyzer
			 * loses track of reallocarray's result (a false
			 * leak); cap stays far below any overflow */
			nv = realloc(v, (size_t)cap * sizeof(*v));
			if (!nv) {
				free(v);
				closedir(d);
				return -ENOMEM;
			}
			v = nv;
		}
		state_info_fill(de->d_name, &v[cnt++]);
	}
	closedir(d);
	if (cnt)
		qsort(v, cnt, sizeof(*v), state_info_cmp);
	*out = v;
	*n = cnt;
	return 0;
}

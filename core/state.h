/* state.h — the on-disk state of a running lab: /run/nslab/NAME/.
 *
 *   /run/nslab/NAME/lock        flock()ed: one command acts on a lab at once
 *   /run/nslab/NAME/nodes.tab   holder pid, creation time, one line per node
 *   /run/nslab/NAME/log/        NODE.log: start-command and daemon output
 *   /run/nslab/NAME/view/       empty on the host; in the holder's mount
 *                               namespace the lab's files tree is attached
 *                               here (state_files(), view.h)
 *   /run/netns/NAME.NODE        symlink -> /proc/HOLDER/fd/N (ip netns)
 *
 * nodes.tab (text, replaced atomically):
 *   nslab-state 2 HOLDERPID CTIME FILES_FD HOLDER_START EXE_DEV EXE_INO
 *   NAME KIND NETNS_INODE NETNS_FD VIEW_FD NETNS_COOKIE
 * NETNS_FD and VIEW_FD are fd numbers in the holder; VIEW_FD is the node's
 * mount namespace (view.h), -1 while the holder is not running.
 * HOLDER_START is the holder's start time (/proc/PID/stat field 22) and
 * EXE_DEV:EXE_INO its executable: with the pid they name one process, which
 * no later process can impersonate (README.md, "Security").  NETNS_COOKIE
 * is the kernel's netns cookie (SO_NETNS_COOKIE), never reused while the
 * machine runs, 0 when the kernel has none.
 *
 * Nothing here is trusted unless it is root's: the lab dir and nodes.tab
 * must be owned by our effective uid and writable by nobody else
 * (state_open() gives -EPERM otherwise).
 *
 * Tests may move both bases: NSLAB_RUN_DIR (default /run/nslab) and
 * NSLAB_NETNS_DIR (default /run/netns).  Note that iproute2 always uses
 * /run/netns, so `ip netns exec` only sees labs made with the default.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "lab.h"

#define STATE_NODES_TAB "nodes.tab"
#define STATE_SOURCE "lab.xml"		/* the lab file's bytes, as up read them */
#define STATE_SOURCE_PATH "lab.path"	/* the absolute path they came from */

#define STATE_KIND_RELAY "relay"	/* the engine's namespace (plan.h) */

struct state_node {
	char name[LAB_NAME_MAX + 1];
	char kind[8];			/* "host", "router", "switch", "-" */
	unsigned long netns_ino;	/* inode of the node's netns (nsfs) */
	int netns_fd;			/* fd number in the holder, -1 none */
	int view_fd;			/* holder's fd of the node's mount
					 * namespace (view.h), -1 */
	uint64_t netns_cookie;		/* SO_NETNS_COOKIE, 0 unknown */
};

struct state {
	char name[LAB_NAME_MAX + 1];
	char dir[256];			/* /run/nslab/NAME */
	int dirfd;			/* O_PATH|O_DIRECTORY of dir */
	int lockfd;			/* flock()ed, -1 once unlocked */
	pid_t holder;			/* 0 until known */
	int holder_pidfd;		/* pidfd of the proven holder, -1
					 * (holder_prove()) */
	unsigned long long holder_start;/* its start time, clock ticks */
	unsigned long long exe_dev, exe_ino;	/* its executable */
	int files_fd;			/* our fd of the lab's files tree, -1 */
	int files_num;			/* its fd number in the holder, -1 */
	char files[64];			/* "/proc/PID/fd/N" of it, or "" */
	int64_t ctime;			/* creation, seconds since the epoch */
	int nnodes, cap;
	struct state_node *nodes;
	char why[160];			/* holder_spawn(): what failed */
};

/* Bases, honouring NSLAB_RUN_DIR / NSLAB_NETNS_DIR. */
const char *state_run_dir(void);
const char *state_netns_dir(void);

/* Lab and node names: 1-32 of [A-Za-z0-9_-], starting with a letter.
 * Everything that turns a user's name into a path checks this first. */
bool state_name_ok(const char *name);

/* Make /run/nslab/NAME (built under a temporary name and renamed into
 * place with RENAME_NOREPLACE, so nobody ever sees a lab without its lock),
 * locked LOCK_EX.  -EEXIST when the lab exists. */
int state_create(const char *lab, struct state **out);
/* Lock (LOCK_EX, waiting) and read a lab.  -ENOENT: no such lab (also when
 * it was removed while we waited for the lock).  A lab without nodes.tab
 * (half built) opens with no nodes. */
int state_open(const char *lab, struct state **out);
/* Same with LOCK_SH, released before returning: for exec, shell and ls,
 * which must not keep `down` waiting while their command runs. */
int state_open_read(const char *lab, struct state **out);
/* LOCK_SH kept until state_unlock(): exec holds it while it spawns, so a
 * concurrent down (LOCK_EX) cannot scan /proc between fork and setns and
 * miss the new process. */
int state_open_shared(const char *lab, struct state **out);
/* Read a lab's table through its dir fd, without locking: for the holder,
 * started while up holds the lock. */
int state_read_at(int dirfd, const char *lab, struct state **out);
void state_unlock(struct state *st);
void state_close(struct state *st);		/* NULL ok; unlocks */

/* The lab's own nodes: all but the engine's relay. */
int state_lab_nodes(const struct state *st);

/* Node table.  state_add_node() records name and kind and, when
 * netns_fd >= 0, the namespace inode (fstat).  Returns the node index. */
int state_add_node(struct state *st, const char *name, const char *kind,
		   int netns_fd);
int state_node_find(const struct state *st, const char *name);
int state_save(struct state *st);		/* nodes.tab via tmp+rename */
/* Keep the lab file up built from (its bytes and absolute path, 0600), for
 * test and link, which need the model of a running lab. */
int state_save_source(struct state *st, const char *path, const char *text,
		      size_t len);
/* Read them back (malloc'd, NUL-terminated); both files must be ours
 * (root's, writable by nobody else) and regular.  -ENOENT when the lab was
 * built by a version that kept no source. */
int state_read_source(const struct state *st, char **path, char **text,
		      size_t *len);
/* Any small file of a lab dir (dirfd): written whole (a temporary renamed
 * over it, 0600), read back only when root's, writable by nobody else and
 * regular, at most max bytes (malloc'd, NUL-terminated). */
int state_file_write(int dirfd, const char *name, const char *p, size_t len);
int state_file_read(int dirfd, const char *name, size_t max, char **out,
		    size_t *len);

/* The lab's files tree: a tmpfs made with fsmount() by the first call
 * during up, attached nowhere in the host's mount namespace; the holder
 * attaches it in its own (view.h).  It carries the lab-wide etc/ layer,
 * shared/ and nodes/NODE/{upper,work,var-upper,var-work,run,run/shared,tmp}
 * (state_node_dirs()): cheap to make, and gone with the holder, so down
 * deletes no files.  Its path, valid for any process of ours:
 * "/proc/PID/fd/N". */
int state_files(struct state *st, const char **path);
int state_node_dirs(struct state *st, int node);
/* Place a node's <file>: /etc/X -> nodes/NODE/upper/X, /run/X ->
 * nodes/NODE/run/X, /tmp/X -> nodes/NODE/tmp/X, /shared/X and
 * /run/shared/X -> shared/X.  Parents are made 0755.  -EINVAL for any other
 * path or a "." / ".." component; symlinks are never followed.
 * Write /etc files before holder_spawn(): the kernel does not promise
 * anything about changes made to an overlay's upper dir while mounted. */
/* node STATE_LAB_ETC: the lab-wide /etc layer shared by every node (below
 * each node's own files, above the host's /etc). */
#define STATE_LAB_ETC (-1)
int state_write_file(struct state *st, int node, const char *path,
		     const char *content, size_t len, unsigned mode);

/* Remove /run/nslab/NAME (never following symlinks nor crossing mount
 * points) and the lab's /run/netns/NAME.* symlinks.  Keeps st usable for
 * state_close(). */
int state_remove(struct state *st);
/* Remove every /run/netns/LAB.NODE symlink of ours (-> /proc/...) whose
 * target is gone: for down --all. */
void state_remove_dangling_links(void);

/* Remove the staging dirs (".LAB.PID", see state_create()) that an `up`
 * killed before renaming one into place left behind: those of lab (of any
 * lab when NULL) whose PID no longer runs. */
int state_sweep_staging(const char *lab);

/* ls */
struct state_info {
	char name[LAB_NAME_MAX + 1];
	bool running;		/* holder alive */
	pid_t holder;
	int nnodes;
	int64_t age_s;
};
/* Every lab under the run dir, sorted by name; *out is malloc()ed. */
int state_list(struct state_info **out, int *n);

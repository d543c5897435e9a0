/* lab_src.c — reading the files named by <file src=>.
 *
 * The rules (topologies/README.md, "<file>" and "Limits"):
 * - A src is resolved in the lab file's directory and may not leave it: an
 *   absolute path, ".." above that directory or a symlink out of it is
 *   refused, unless the user runs nslab --allow-host-src.  openat2() with
 *   RESOLVE_BENEATH enforces this in the kernel, symlinks included;
 *   RESOLVE_NO_MAGICLINKS refuses /proc magic links in both modes.
 * - Only regular files are read.  The file is first opened O_PATH, which
 *   never blocks and opens no device, and checked with fstat(); only then is
 *   it opened for reading (O_NONBLOCK, O_NOCTTY) and checked to be the same
 *   file.  A FIFO, a device, a directory or a socket is refused at once.
 * - One file is at most LAB_FILE_MAX bytes; the distinct files of a lab
 *   together at most LAB_SRC_TOTAL_MAX.  A file named many times (by any
 *   path or hard link) is read once and its content shared.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "lab_src.h"

bool lab_allow_host_src;

struct lab_src_seen {
	bool used;
	dev_t dev;
	ino_t ino;
	char *content;
	size_t len;
};

void lab_srcs_init(struct lab_srcs *s)
{
	memset(s, 0, sizeof(*s));
	s->dirfd = -1;
}

void lab_srcs_free(struct lab_srcs *s)
{
	if (s->dirfd >= 0)
		close(s->dirfd);
	free(s->seen);
	lab_srcs_init(s);
}

static void src_err(struct lab_errors *errs, const struct lab_file *f,
		    const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void src_err(struct lab_errors *errs, const struct lab_file *f,
		    const char *fmt, ...)
{
	char why[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	lab_err(errs, f->line, "<file> src=\"%s\": %s", f->src, why);
}

/* ---- the table of files already read ------------------------------------ */

static struct lab_src_seen *seen_slot(struct lab_srcs *s, dev_t dev, ino_t ino)
{
	size_t mask = s->capseen - 1;
	size_t i = (size_t)((ino * 0x9e3779b97f4a7c15ull) ^ dev) & mask;

	while (s->seen[i].used && (s->seen[i].ino != ino || s->seen[i].dev != dev))
		i = (i + 1) & mask;
	return &s->seen[i];
}

/* Room for one more entry (the table stays at most half full). */
static int seen_grow(struct lab_srcs *s)
{
	struct lab_src_seen *old = s->seen, *e;
	size_t oldcap = s->capseen, i;

	if ((s->nseen + 1) * 2 <= s->capseen)
		return 0;
	s->capseen = oldcap ? oldcap * 2 : 64;
	s->seen = calloc(s->capseen, sizeof(*s->seen));
	if (!s->seen) {
		s->seen = old;
		s->capseen = oldcap;
		return -ENOMEM;
	}
	for (i = 0; i < oldcap; i++) {
		if (!old[i].used)
			continue;
		e = seen_slot(s, old[i].dev, old[i].ino);
		*e = old[i];
	}
	free(old);
	return 0;
}

/* ---- opening and reading -------------------------------------------------- */

static int open_how(int dirfd, const char *path, uint64_t flags)
{
	struct open_how how = {
		.flags = flags | O_CLOEXEC,
		.resolve = RESOLVE_NO_MAGICLINKS |
			   (lab_allow_host_src ? 0 : RESOLVE_BENEATH),
	};

	return (int)syscall(SYS_openat2, dirfd, path, &how, sizeof(how));
}

static const char *kind_of(mode_t m)
{
	switch (m & S_IFMT) {
	case S_IFDIR: return "a directory";
	case S_IFIFO: return "a FIFO";
	case S_IFSOCK: return "a socket";
	case S_IFCHR: return "a character device";
	case S_IFBLK: return "a block device";
	}
	return "a special file";
}

static void open_err(struct lab_errors *errs, const struct lab_file *f, int e)
{
	if (e == EXDEV)
		src_err(errs, f, "leads outside the lab file's directory (an "
			"absolute path, \"..\" above it, or a symlink out of "
			"it); to read host files, run nslab --allow-host-src");
	else if (e == ELOOP)
		src_err(errs, f, "a symlink loop or a /proc magic link");
	else if (e == ENOSYS)
		src_err(errs, f, "cannot be opened safely: the kernel has no "
			"openat2() (Linux 5.6 or later)");
	else
		src_err(errs, f, "%s", strerror(e));
}

/* Check the file F names: a regular file within the per-file cap.
 * Returns 0 with its identity in st, or -1 (reported). */
static int src_stat(struct lab_srcs *s, struct lab_errors *errs,
		    const struct lab_file *f, struct stat *st)
{
	int fd = open_how(s->dirfd, f->src, O_PATH);

	if (fd < 0 || fstat(fd, st) < 0) {
		open_err(errs, f, errno);
		if (fd >= 0)
			close(fd);
		return -1;
	}
	close(fd);
	if (!S_ISREG(st->st_mode)) {
		src_err(errs, f, "%s, not a regular file", kind_of(st->st_mode));
		return -1;
	}
	if ((uint64_t)st->st_size > LAB_FILE_MAX) {
		src_err(errs, f, "larger than 16 MiB (the limit for one file)");
		return -1;
	}
	return 0;
}

/* Read the file checked by src_stat (size st->st_size) into the arena. */
static int src_read(struct lab_srcs *s, struct lab *lab,
		    struct lab_errors *errs, const struct lab_file *f,
		    const struct stat *st, struct lab_src_seen *e)
{
	size_t want = (size_t)st->st_size, n = 0;
	struct stat now;
	ssize_t r = 1;
	char extra;
	int fd;

	fd = open_how(s->dirfd, f->src, O_RDONLY | O_NONBLOCK | O_NOCTTY);
	if (fd < 0) {
		open_err(errs, f, errno);
		return -1;
	}
	if (fstat(fd, &now) < 0 || now.st_dev != st->st_dev ||
	    now.st_ino != st->st_ino) {
		src_err(errs, f, "changed while being read");
		close(fd);
		return -1;
	}
	e->content = arena_alloc(&lab->arena, want + 1);
	while (e->content && n < want && r > 0) {
		r = read(fd, e->content + n, want - n);
		n += r > 0 ? (size_t)r : 0;
	}
	if (r > 0)
		r = read(fd, &extra, 1);
	close(fd);
	if (!e->content || r != 0) {
		src_err(errs, f, "%s", !e->content ? strerror(ENOMEM) : r < 0 ?
			strerror(errno) : "grew while being read (files of "
			"/proc and /sys cannot be copied)");
		return -1;
	}
	e->len = n;
	return 0;
}

void lab_src_load(struct lab_srcs *s, struct lab *lab, struct lab_file *f,
		  struct lab_errors *errs)
{
	struct lab_src_seen *e;
	struct stat st;

	if (s->dirfd < 0)
		s->dirfd = open(lab->dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (s->dirfd < 0) {
		src_err(errs, f, "the lab file's directory %s: %s", lab->dir,
			strerror(errno));
		return;
	}
	if (src_stat(s, errs, f, &st) < 0)
		return;
	if (seen_grow(s) < 0) {
		src_err(errs, f, "%s", strerror(ENOMEM));
		return;
	}
	e = seen_slot(s, st.st_dev, st.st_ino);
	if (!e->used) {
		if (s->total + (size_t)st.st_size > LAB_SRC_TOTAL_MAX) {
			src_err(errs, f, "the lab's src files would exceed 64 MiB "
				"together (each distinct file counts once)");
			return;
		}
		if (src_read(s, lab, errs, f, &st, e) < 0)
			return;
		e->used = true;
		e->dev = st.st_dev;
		e->ino = st.st_ino;
		s->nseen++;
		s->total += e->len;
	}
	f->content = e->content;
	f->len = e->len;
}

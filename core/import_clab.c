/* import_clab.c — a containerlab topology (*.clab.yml) as an nslab lab
 * file (core/import.h; README.md, "Coming from containerlab").
 *
 * The YAML is read with libyaml's event parser into a small tree of our
 * own, bounded in size and depth, with aliases refused: the file is
 * untrusted and nothing in a topology needs them.  The tree is then
 * walked as containerlab reads it: a node's kind, image, binds, exec and
 * env come from the node, its group, its kind and the defaults, in that
 * order of precedence (exec lines are concatenated, binds merged by
 * their container path, env merged by name).  Kinds linux, bridge and
 * ovs-bridge are carried over; every other kind is dropped with its
 * links.  Binds become <file src=> elements, resolved from the
 * topology's directory as containerlab resolves them, so the lab file
 * must be saved in that same directory. */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/openat2.h>
#include <yaml.h>

#include "import.h"
#include "xml_out.h"

/* Limits on the input (README.md, "Coming from containerlab"). */
#define CLAB_MAX_BYTES (1u << 20)	/* the file */
#define CLAB_MAX_DEPTH 16		/* nested mappings and sequences */
#define CLAB_MAX_ITEMS 100000		/* values in the whole document */
#define CLAB_MAX_ENTRIES 10000		/* in one mapping or list */
#define CLAB_DIR_FILES 256		/* regular files of a bound dir */
#define CLAB_DIR_DEPTH 8		/* its subdirectory levels */
#define CLAB_DIR_VISITS 4096		/* dir entries seen in one import */
#define CLAB_FILES 4096			/* files of the whole lab */
#define CLAB_NAME_MAX 32		/* topologies/README.md, "Limits" */
#define CLAB_IFNAME_MAX 15
#define CLAB_MTU 9500			/* containerlab's veth MTU */

enum ykind { Y_SCALAR, Y_SEQ, Y_MAP };

/* One YAML value.  A mapping's kids are key, value, key, value, ... */
struct ynode {
	enum ykind kind;
	int line;
	int null;		/* a plain empty, "~" or "null" scalar */
	char *str;		/* a scalar's text */
	struct ynode **kids;
	size_t n, cap;
};

struct bind {
	const char *spec;	/* HOST:CONTAINER[:OPTS] as written */
	char *dst;		/* CONTAINER, no trailing '/' */
	int line;
};

/* A file of a node, from a bind. */
struct nfile {
	char *path, *src;
	char *text;		/* inline content instead of src */
	unsigned mode;
	size_t dstlen;		/* length of the bind's CONTAINER path */
	int line;
	int dead;
};

enum ntype { N_DROP, N_HOST, N_ROUTER, N_SWITCH };

struct cnode {
	const char *cname;	/* containerlab's name */
	char name[CLAB_NAME_MAX + 1];
	int line;
	const struct ynode *lv[4];	/* node, group, kind, defaults */
	enum ntype type;
	int frr_kind;		/* kind frr: its files made as clab does */
	const char *image;
	/* the ends of links: "IFACE\nLINE" strings, to find duplicates */
	char **ifs;
	int *iflines;
	size_t nifs;
};

struct ctx {
	const char *file;
	char *why;
	size_t whylen;
	FILE *warn;		/* a memstream, the caller's on success */
	int dirfd;		/* the topology's directory */
	char dirpath[PATH_MAX];	/* its real path */
	size_t items;
	int lines;		/* the file's, a bound on every line we name */
	size_t visits, files;	/* directory entries seen, files made */
	const struct ynode *defaults, *kinds, *groups;
	struct cnode *nodes;
	size_t nnodes;
	int oom;
};

static int fail(struct ctx *c, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Values from the file may hold newlines and other control characters:
 * a message stays one line. */
static void one_line(char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			*s = '?';
}

static void warnf(struct ctx *c, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(struct ctx *c, int line, const char *fmt, ...)
{
	char msg[400];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	one_line(msg);
	/* libyaml may put the end of a file without a last newline on the
	 * line after it */
	if (c->lines && line > c->lines)
		line = c->lines;
	snprintf(c->why, c->whylen, "%s:%d: %s", c->file, line, msg);
	return -EINVAL;
}

static void warnf(struct ctx *c, int line, const char *fmt, ...)
{
	char msg[600];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	one_line(msg);
	fprintf(c->warn, "nslab: import: %s:%d: not carried over: %s\n",
		c->file, line, msg);
}

/* ---- the YAML tree ---- */

static void ytree_free(struct ynode *y)
{
	size_t i;

	if (!y)
		return;
	for (i = 0; i < y->n; i++)
		ytree_free(y->kids[i]);
	free(y->kids);
	free(y->str);
	free(y);
}

static int yadd(struct ctx *c, struct ynode *parent, struct ynode *kid)
{
	struct ynode **k;
	size_t i;

	if (parent->n >= CLAB_MAX_ENTRIES)
		return fail(c, kid->line,
			    "more than %d entries in one mapping or list",
			    CLAB_MAX_ENTRIES);
	if (parent->kind == Y_MAP && parent->n % 2 == 0) {
		if (kid->kind != Y_SCALAR)
			return fail(c, kid->line,
				    "a mapping key must be a plain value");
		for (i = 0; i < parent->n; i += 2)
			if (!strcmp(parent->kids[i]->str, kid->str))
				return fail(c, kid->line,
					    "\"%s\" appears twice in this mapping (also line %d)",
					    kid->str, parent->kids[i]->line);
	}
	if (parent->n == parent->cap) {
		size_t cap = parent->cap ? parent->cap * 2 : 8;

		k = realloc(parent->kids, cap * sizeof(*k));
		if (!k)
			return -ENOMEM;
		parent->kids = k;
		parent->cap = cap;
	}
	parent->kids[parent->n++] = kid;
	return 0;
}

static int ynew(struct ctx *c, enum ykind kind, const yaml_mark_t *m,
		struct ynode **out)
{
	struct ynode *y;

	if (++c->items > CLAB_MAX_ITEMS)
		return fail(c, (int)m->line + 1, "more than %d values",
			    CLAB_MAX_ITEMS);
	y = calloc(1, sizeof(*y));
	if (!y)
		return -ENOMEM;
	y->kind = kind;
	y->line = (int)m->line + 1;
	*out = y;
	return 0;
}

static int yscalar(struct ctx *c, const yaml_event_t *ev, struct ynode **out)
{
	const char *v = (const char *)ev->data.scalar.value;
	size_t len = ev->data.scalar.length;
	struct ynode *y;
	int ret;

	if (memchr(v, '\0', len))
		return fail(c, (int)ev->start_mark.line + 1,
			    "a value holds a NUL character");
	ret = ynew(c, Y_SCALAR, &ev->start_mark, &y);
	if (ret)
		return ret;
	y->str = strndup(v, len);
	if (!y->str) {
		free(y);
		return -ENOMEM;
	}
	y->null = ev->data.scalar.plain_implicit &&
		  (!len || !strcmp(y->str, "~") || !strcmp(y->str, "null") ||
		   !strcmp(y->str, "Null") || !strcmp(y->str, "NULL"));
	*out = y;
	return 0;
}

/* Parse BUF into *ROOT (NULL for an empty stream). */
static int yload(struct ctx *c, const unsigned char *buf, size_t len,
		 struct ynode **root)
{
	struct ynode *stack[CLAB_MAX_DEPTH + 1];
	yaml_parser_t p;
	yaml_event_t ev;
	int depth = 0, docs = 0, done = 0, ret = 0;

	*root = NULL;
	if (!yaml_parser_initialize(&p))
		return -ENOMEM;
	yaml_parser_set_input_string(&p, buf, len);
	while (!done && !ret) {
		struct ynode *y = NULL;
		int line;

		if (!yaml_parser_parse(&p, &ev)) {
			if (p.error == YAML_MEMORY_ERROR) {
				ret = -ENOMEM;
				break;
			}
			ret = fail(c, (int)p.problem_mark.line + 1,
				   "not valid YAML: %s%s%s",
				   p.problem ? p.problem : "syntax error",
				   p.context ? " " : "",
				   p.context ? p.context : "");
			break;
		}
		line = (int)ev.start_mark.line + 1;
		switch (ev.type) {
		case YAML_STREAM_END_EVENT:
			done = 1;
			break;
		case YAML_DOCUMENT_START_EVENT:
			if (++docs > 1)
				ret = fail(c, line,
					   "more than one YAML document");
			break;
		case YAML_ALIAS_EVENT:
			ret = fail(c, line,
				   "aliases (*%s) are not supported: write the values out",
				   (const char *)ev.data.alias.anchor);
			break;
		case YAML_SCALAR_EVENT:
		case YAML_SEQUENCE_START_EVENT:
		case YAML_MAPPING_START_EVENT:
			if (ev.type == YAML_SCALAR_EVENT) {
				ret = yscalar(c, &ev, &y);
			} else if (depth >= CLAB_MAX_DEPTH) {
				ret = fail(c, line,
					   "nested more than %d levels deep",
					   CLAB_MAX_DEPTH);
			} else {
				enum ykind k = Y_MAP;

				if (ev.type == YAML_SEQUENCE_START_EVENT)
					k = Y_SEQ;
				ret = ynew(c, k, &ev.start_mark, &y);
			}
			if (ret)
				break;
			if (depth)
				ret = yadd(c, stack[depth - 1], y);
			else if (*root)
				ret = fail(c, line, "more than one YAML document");
			else
				*root = y;
			if (ret) {
				ytree_free(y);
				break;
			}
			if (y->kind != Y_SCALAR)
				stack[depth++] = y;
			break;
		case YAML_SEQUENCE_END_EVENT:
		case YAML_MAPPING_END_EVENT:
			if (depth > 0)
				depth--;
			break;
		default:
			break;
		}
		yaml_event_delete(&ev);
	}
	yaml_parser_delete(&p);
	return ret;
}

/* ---- lookups ---- */

static const struct ynode *yget(const struct ynode *map, const char *key,
				int *keyline)
{
	size_t i;

	if (!map || map->kind != Y_MAP)
		return NULL;
	for (i = 0; i + 1 < map->n; i += 2)
		if (!strcmp(map->kids[i]->str, key)) {
			if (keyline)
				*keyline = map->kids[i]->line;
			return map->kids[i + 1];
		}
	return NULL;
}

static const char *ytype(const struct ynode *y)
{
	return y->kind == Y_MAP ? "a mapping" :
	       y->kind == Y_SEQ ? "a list" : "a plain value";
}

/* MAP may be absent or null; anything else must be a mapping. */
static int want_map(struct ctx *c, const struct ynode *y, const char *what)
{
	if (!y || (y->kind == Y_SCALAR && y->null) || y->kind == Y_MAP)
		return 0;
	return fail(c, y->line, "%s must be a mapping, not %s", what,
		    ytype(y));
}

/* A scalar's text, "" for none or null; a list or mapping is an error. */
static int want_str(struct ctx *c, const struct ynode *y, const char *what,
		    const char **out)
{
	*out = "";
	if (!y || (y->kind == Y_SCALAR && y->null))
		return 0;
	if (y->kind != Y_SCALAR)
		return fail(c, y->line, "%s must be a plain value, not %s",
			    what, ytype(y));
	*out = y->str;
	return 0;
}

/* ---- names ---- */

static int name_ok(const char *s)
{
	size_t i, n = strlen(s);

	if (!n || n > CLAB_NAME_MAX || !isalpha((unsigned char)s[0]) ||
	    (unsigned char)s[0] > 127)
		return 0;
	for (i = 0; i < n; i++)
		if (!(isalnum((unsigned char)s[i]) || s[i] == '_' ||
		      s[i] == '-') || (unsigned char)s[i] > 127)
			return 0;
	return 1;
}

/* A valid nslab name made of S: other characters become '_', a leading
 * "n" when S does not start with a letter, at most 32 characters. */
static void name_make(const char *s, char out[CLAB_NAME_MAX + 1])
{
	size_t o = 0;

	if (!isalpha((unsigned char)s[0]) || (unsigned char)s[0] > 127)
		out[o++] = 'n';
	for (; *s && o < CLAB_NAME_MAX; s++) {
		unsigned char ch = (unsigned char)*s;

		out[o++] = (ch < 128 && (isalnum(ch) || ch == '-')) ? ch : '_';
	}
	out[o] = '\0';
}

/* Interface names as the kernel and nslab take them (topologies/README.md,
 * "<iface>"). */
static int ifname_ok(const char *s)
{
	size_t n = strlen(s);

	if (!n || n > CLAB_IFNAME_MAX || !strcmp(s, ".") || !strcmp(s, "..") ||
	    !strcmp(s, "lo"))
		return 0;
	for (; *s; s++)
		if (*s == '/' || *s == ':' || isspace((unsigned char)*s) ||
		    (unsigned char)*s < 0x20 || *s == 0x7f)
			return 0;
	return 1;
}

static struct cnode *node_find(struct ctx *c, const char *cname)
{
	size_t i;

	for (i = 0; i < c->nnodes; i++)
		if (!strcmp(c->nodes[i].cname, cname))
			return &c->nodes[i];
	return NULL;
}

/* ---- node definitions, resolved ---- */

/* The most specific value of KEY (node, group, kind, defaults). */
static const struct ynode *nget(const struct cnode *n, const char *key,
				int *line)
{
	const struct ynode *v;
	int i;

	for (i = 0; i < 4; i++) {
		v = yget(n->lv[i], key, line);
		if (v && !(v->kind == Y_SCALAR && v->null))
			return v;
	}
	return NULL;
}

static const char *kstr(const struct ynode *map, const char *key)
{
	const struct ynode *v = yget(map, key, NULL);

	return v && v->kind == Y_SCALAR && !v->null ? v->str : "";
}

/* containerlab's order: the node's kind, its group's, the default
 * group's, the default kind. */
static const char *node_kind(struct ctx *c, const struct cnode *n, int *line)
{
	const struct ynode *v, *g;
	const char *gname;
	int i;

	for (i = 0; i < 4; i++) {
		switch (i) {
		case 0:
			v = yget(n->lv[0], "kind", line);
			break;
		case 1:
		case 2:
			gname = kstr(i == 1 ? n->lv[0] : c->defaults, "group");
			g = *gname ? yget(c->groups, gname, NULL) : NULL;
			v = yget(g, "kind", line);
			break;
		default:
			v = yget(c->defaults, "kind", line);
		}
		if (v && v->kind == Y_SCALAR && !v->null)
			return v->str;
	}
	return "";
}

/* Every key of the four levels that nslab has no place for, once each. */
static void warn_keys(struct ctx *c, const struct cnode *n)
{
	static const char *const known[] = { "kind", "group", "image", "binds",
					     "exec", "env" };
	const char *seen[64];
	size_t nseen = 0, i, k;
	int lv;

	for (lv = 0; lv < 4; lv++) {
		const struct ynode *m = n->lv[lv];

		if (!m || m->kind != Y_MAP)
			continue;
		for (i = 0; i + 1 < m->n; i += 2) {
			const char *key = m->kids[i]->str;
			int skip = 0;

			for (k = 0; k < sizeof(known) / sizeof(known[0]); k++)
				if (!strcmp(key, known[k]))
					skip = 1;
			for (k = 0; k < nseen && !skip; k++)
				if (!strcmp(key, seen[k]))
					skip = 1;
			if (n->frr_kind && (!strcmp(key, "startup-config") ||
					    !strcmp(key, "extras")))
				skip = 1;
			if (skip)
				continue;
			if (nseen < sizeof(seen) / sizeof(seen[0]))
				seen[nseen++] = key;
			warnf(c, m->kids[i]->line, "node %s: %s", n->cname, key);
		}
	}
}

/* exec lines, defaults first, then kind, group, node. */
static int node_exec(struct ctx *c, const struct cnode *n,
		     const struct ynode ***out, size_t *nout)
{
	const struct ynode **v = NULL, **nv;
	size_t cnt = 0, i;
	int lv;

	for (lv = 3; lv >= 0; lv--) {
		const struct ynode *e = yget(n->lv[lv], "exec", NULL);

		if (!e || (e->kind == Y_SCALAR && e->null))
			continue;
		if (e->kind != Y_SEQ) {
			free(v);
			return fail(c, e->line, "exec must be a list, not %s",
				    ytype(e));
		}
		for (i = 0; i < e->n; i++) {
			if (e->kids[i]->kind != Y_SCALAR) {
				free(v);
				return fail(c, e->kids[i]->line,
					    "an exec line must be a plain value, not %s",
					    ytype(e->kids[i]));
			}
			nv = realloc(v, (cnt + 1) * sizeof(*v));
			if (!nv) {
				free(v);
				return -ENOMEM;
			}
			v = nv;
			v[cnt++] = e->kids[i];
		}
	}
	*out = v;
	*nout = cnt;
	return 0;
}

static int routes_by_exec(const struct ynode **ex, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if ((strstr(ex[i]->str, "ip_forward") ||
		     strstr(ex[i]->str, ".forwarding")) &&
		    strchr(ex[i]->str, '1'))
			return 1;
	return 0;
}

static int contains_frr(const char *s)
{
	for (; *s; s++)
		if (!strncasecmp(s, "frr", 3))
			return 1;
	return 0;
}

static int runs_frr(const struct cnode *n)
{
	return n->frr_kind || contains_frr(n->image);
}

/* ---- binds ---- */

/* S made plain: no "", "." or ".." components (a ".." removes the one
 * before it; one above the start sets *above), no trailing '/'. */
static char *path_clean(const char *s, int *above)
{
	char *out = malloc(strlen(s) + 2), *tmp, *tok, *save = NULL;
	size_t o = 0;

	*above = 0;
	if (!out)
		return NULL;
	tmp = strdup(s);
	if (!tmp) {
		free(out);
		return NULL;
	}
	if (s[0] == '/')
		out[o++] = '/';
	for (tok = strtok_r(tmp, "/", &save); tok;
	     tok = strtok_r(NULL, "/", &save)) {
		if (!strcmp(tok, "."))
			continue;
		if (!strcmp(tok, "..")) {
			size_t root = s[0] == '/';

			if (o <= root) {
				*above = 1;
				continue;
			}
			while (o > root && out[o - 1] != '/')
				o--;
			if (o > root)
				o--;
			continue;
		}
		if (o > (size_t)(s[0] == '/'))
			out[o++] = '/';
		memcpy(out + o, tok, strlen(tok));
		o += strlen(tok);
	}
	out[o] = '\0';
	free(tmp);
	return out;
}

/* nslab's file paths (topologies/README.md, "<file>"). */
static int container_path_ok(const char *p, int dir)
{
	static const char *const trees[] = { "/etc", "/run", "/tmp", "/shared" };
	size_t i, n;

	if (p[0] != '/' || strlen(p) > 4000)
		return 0;
	for (i = 0; p[i]; i++)
		if ((unsigned char)p[i] < 0x20 || p[i] == 0x7f)
			return 0;
	for (i = 0; i < sizeof(trees) / sizeof(trees[0]); i++) {
		n = strlen(trees[i]);
		if (!strncmp(p, trees[i], n) &&
		    (p[n] == '/' || (dir && !p[n])))
			return 1;
	}
	return 0;
}

struct fileset {
	struct nfile *v;
	size_t n;
};

static int fileset_add(struct fileset *fs, const char *path, const char *src,
		       unsigned mode, size_t dstlen, int line)
{
	struct nfile *nv, *f;

	nv = realloc(fs->v, (fs->n + 1) * sizeof(*nv));
	if (!nv)
		return -ENOMEM;
	fs->v = nv;
	f = &fs->v[fs->n];
	memset(f, 0, sizeof(*f));
	f->path = strdup(path);
	f->src = strdup(src);
	if (!f->path || !f->src) {
		free(f->path);
		free(f->src);
		return -ENOMEM;
	}
	f->mode = mode & 0777;
	f->dstlen = dstlen;
	f->line = line;
	fs->n++;
	return 0;
}

static int fileset_add_text(struct fileset *fs, const char *path,
			    const char *text, int line)
{
	int ret = fileset_add(fs, path, "", 0644, 0, line);

	if (ret)
		return ret;
	fs->v[fs->n - 1].text = strdup(text);
	return fs->v[fs->n - 1].text ? 0 : -ENOMEM;
}

static void fileset_free(struct fileset *fs)
{
	size_t i;

	for (i = 0; i < fs->n; i++) {
		free(fs->v[i].path);
		free(fs->v[i].src);
		free(fs->v[i].text);
	}
	free(fs->v);
	fs->v = NULL;
	fs->n = 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

struct walk {
	struct ctx *c;
	const struct cnode *n;
	const struct bind *b;
	struct fileset add;	/* this bind's files */
	int symlinks, others;
	int too_many;
};

/* The regular files under FD (the directory SRC, seen at DST), names in
 * order; symlinks are not followed. */
static int walk_dir(struct walk *w, int fd, const char *src, const char *dst,
		    int depth)
{
	char **names = NULL, **nn;
	size_t nnames = 0, i;
	struct dirent *de;
	DIR *d;
	int ret = 0;

	if (depth > CLAB_DIR_DEPTH) {
		w->too_many = 1;
		close(fd);
		return 0;
	}
	d = fdopendir(fd);
	if (!d) {
		close(fd);
		return -errno;
	}
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (nnames >= 4 * CLAB_DIR_FILES) {
			w->too_many = 1;
			break;
		}
		nn = realloc(names, (nnames + 1) * sizeof(*names));
		if (!nn || !(nn[nnames] = strdup(de->d_name))) {
			names = nn ? nn : names;
			ret = -ENOMEM;
			break;
		}
		names = nn;
		nnames++;
	}
	if (!ret && !w->too_many && nnames > 1)	/* names is NULL when empty */
		qsort(names, nnames, sizeof(*names), cmp_str);
	for (i = 0; i < nnames && !ret && !w->too_many; i++) {
		char *s = NULL, *t = NULL;
		struct stat st;

		if (++w->c->visits > CLAB_DIR_VISITS) {
			w->too_many = 1;
			break;
		}

		if (fstatat(dirfd(d), names[i], &st, AT_SYMLINK_NOFOLLOW)) {
			w->others++;
			continue;
		}
		if (asprintf(&s, "%s/%s", src, names[i]) < 0) {
			ret = -ENOMEM;
			break;
		}
		if (asprintf(&t, "%s/%s", dst, names[i]) < 0) {
			free(s);
			ret = -ENOMEM;
			break;
		}
		if (S_ISLNK(st.st_mode)) {
			w->symlinks++;
		} else if (S_ISREG(st.st_mode)) {
			if (w->add.n >= CLAB_DIR_FILES)
				w->too_many = 1;
			else
				ret = fileset_add(&w->add, t, s,
						  st.st_mode,
						  strlen(w->b->dst),
						  w->b->line);
		} else if (S_ISDIR(st.st_mode)) {
			int sub = openat(dirfd(d), names[i], O_RDONLY |
					 O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

			if (sub < 0)
				w->others++;
			else
				ret = walk_dir(w, sub, s, t, depth + 1);
		} else {
			w->others++;
		}
		free(s);
		free(t);
	}
	for (i = 0; i < nnames; i++)
		free(names[i]);
	free(names);
	closedir(d);
	return ret;
}

/* The next suffix of each base name that clashed (node names). */
struct suffix {
	char base[CLAB_NAME_MAX + 1];
	int next;
};

static struct suffix *suffix_of(struct suffix *t, size_t *n, const char *base)
{
	size_t i;

	for (i = 0; i < *n; i++)
		if (!strcmp(t[i].base, base))
			return &t[i];
	snprintf(t[*n].base, sizeof(t[*n].base), "%s", base);
	t[*n].next = 2;
	return &t[(*n)++];
}

/* PATH under DIRFD as an O_PATH fd, refused (ELOOP, EXDEV) when a
 * symbolic link or ".." would take it anywhere: what up will read is only
 * what lies beneath the topology's directory (core/lab_src.c). */
static int open_beneath(int dirfd, const char *path)
{
	struct open_how how = {
		.flags = O_PATH | O_CLOEXEC,
		.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS,
	};

	return (int)syscall(SYS_openat2, dirfd, path, &how, sizeof(how));
}

/* One bind of node N into FS, or a warning saying why not. */
static int bind_files(struct ctx *c, const struct cnode *n,
		      const struct bind *b, struct fileset *fs)
{
	char *spec = strdup(b->spec), *host, *dst, *opts, *extra;
	char *clean = NULL, *src = NULL;
	int above = 0, ret = 0, outside = 0, pfd = -1;
	struct stat st;

	if (!spec)
		return -ENOMEM;
	host = spec;
	dst = strchr(spec, ':');
	if (!dst) {
		warnf(c, b->line, "node %s: bind \"%s\" (a volume, not a host path)",
		      n->cname, b->spec);
		goto out;
	}
	*dst++ = '\0';
	opts = strchr(dst, ':');
	if (opts)
		*opts++ = '\0';
	extra = opts ? strchr(opts, ':') : NULL;
	if (extra || !*host || !*dst) {
		warnf(c, b->line, "node %s: bind \"%s\" (not HOST:CONTAINER[:OPTIONS])",
		      n->cname, b->spec);
		goto out;
	}
	/* ro and rw mean nothing to a copy; other options are Docker's */
	if (opts && *opts) {
		char *o, *save = NULL;

		for (o = strtok_r(opts, ",", &save); o;
		     o = strtok_r(NULL, ",", &save))
			if (strcmp(o, "ro") && strcmp(o, "rw"))
				warnf(c, b->line, "node %s: bind \"%s\": option %s",
				      n->cname, b->spec, o);
	}
	if (host[0] == '~') {
		warnf(c, b->line, "node %s: bind \"%s\" (a path from ~: write it out)",
		      n->cname, b->spec);
		goto out;
	}
	if (!container_path_ok(b->dst, 1)) {
		warnf(c, b->line,
		      "node %s: bind \"%s\" (nslab places files only under /etc, /run, /tmp and /shared)",
		      n->cname, b->spec);
		goto out;
	}
	clean = path_clean(host, &above);
	if (!clean) {
		ret = -ENOMEM;
		goto out;
	}
	if (clean[0] != '/' && (above || !*clean)) {
		/* "." or "../lab/x": made absolute, then judged as one */
		char *joined = NULL;

		if (asprintf(&joined, "%s/%s", c->dirpath, host) < 0) {
			ret = -ENOMEM;
			goto out;
		}
		free(clean);
		clean = path_clean(joined, &above);
		free(joined);
		if (!clean) {
			ret = -ENOMEM;
			goto out;
		}
	}
	if (clean[0] == '/') {
		size_t dl = strlen(c->dirpath);

		if (!strcmp(clean, c->dirpath)) {
			src = strdup(".");
		} else if (!strncmp(clean, c->dirpath, dl) && clean[dl] == '/' &&
			   strcmp(c->dirpath, "/")) {
			src = strdup(clean + dl + 1);
		} else {
			outside = 1;
			src = strdup(clean);
		}
	} else {
		src = strdup(clean);
	}
	if (!src) {
		ret = -ENOMEM;
		goto out;
	}
	/* inside the topology's directory, never through a symbolic link
	 * (the kernel checks every part of the path); outside it, the user
	 * has to allow it at up (--allow-host-src) */
	pfd = outside ? open(src, O_PATH | O_CLOEXEC) :
			open_beneath(c->dirfd, src);
	if (pfd < 0 || fstat(pfd, &st)) {
		int e = errno;

		warnf(c, b->line, "node %s: bind \"%s\" (%s: %s)", n->cname,
		      b->spec, src, e == ELOOP || e == EXDEV ?
		      "a symbolic link on the way, not followed" :
		      strerror(e));
		goto out;
	}
	if (c->files >= CLAB_FILES) {
		warnf(c, b->line, "node %s: bind \"%s\" (the lab has %d files already)",
		      n->cname, b->spec, CLAB_FILES);
		goto out;
	}
	if (S_ISREG(st.st_mode)) {
		if (!container_path_ok(b->dst, 0)) {
			warnf(c, b->line,
			      "node %s: bind \"%s\" (nslab places files only under /etc, /run, /tmp and /shared)",
			      n->cname, b->spec);
			goto out;
		}
		ret = fileset_add(fs, b->dst, src, st.st_mode, strlen(b->dst),
				  b->line);
		c->files++;
	} else if (S_ISDIR(st.st_mode)) {
		struct walk w = { .c = c, .n = n, .b = b };
		int fd = openat(pfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		size_t i;

		if (fd < 0) {
			warnf(c, b->line, "node %s: bind \"%s\" (%s: %s)",
			      n->cname, b->spec, src, strerror(errno));
			goto out;
		}
		ret = walk_dir(&w, fd, src, b->dst, 0);
		if (!ret && c->files + w.add.n > CLAB_FILES)
			w.too_many = 1;
		if (!ret && w.too_many) {
			warnf(c, b->line,
			      "node %s: bind \"%s\" (too large: over %d files, %d levels or %d entries)",
			      n->cname, b->spec, CLAB_DIR_FILES, CLAB_DIR_DEPTH,
			      CLAB_DIR_VISITS);
		} else if (!ret) {
			if (w.symlinks)
				warnf(c, b->line,
				      "node %s: bind \"%s\": %d symbolic link%s (not followed)",
				      n->cname, b->spec, w.symlinks,
				      w.symlinks > 1 ? "s" : "");
			if (w.others)
				warnf(c, b->line,
				      "node %s: bind \"%s\": %d entr%s neither file nor directory",
				      n->cname, b->spec, w.others,
				      w.others > 1 ? "ies" : "y");
			c->files += w.add.n;
			for (i = 0; i < w.add.n && !ret; i++)
				ret = fileset_add(fs, w.add.v[i].path,
						  w.add.v[i].src,
						  w.add.v[i].mode,
						  w.add.v[i].dstlen,
						  w.add.v[i].line);
		}
		fileset_free(&w.add);
	} else {
		warnf(c, b->line,
		      "node %s: bind \"%s\" (%s is not a regular file or directory)",
		      n->cname, b->spec, src);
		goto out;
	}
	if (!ret && outside)
		warnf(c, b->line,
		      "node %s: bind \"%s\" as it stands: %s is outside the topology's directory, read only with nslab --allow-host-src",
		      n->cname, b->spec, src);
out:
	if (pfd >= 0)
		close(pfd);
	free(clean);
	free(src);
	free(spec);
	return ret;
}

/* Binds merged by container path, defaults first: a more specific level
 * replaces a bind of the same path. */
static int node_binds(struct ctx *c, const struct cnode *n, struct bind **out,
		      size_t *nout)
{
	struct bind *v = NULL, *nv;
	size_t cnt = 0, i, j;
	int lv, above;

	for (lv = 3; lv >= 0; lv--) {
		const struct ynode *e = yget(n->lv[lv], "binds", NULL);

		if (!e || (e->kind == Y_SCALAR && e->null))
			continue;
		if (e->kind != Y_SEQ) {
			for (i = 0; i < cnt; i++)
				free(v[i].dst);
			free(v);
			return fail(c, e->line, "binds must be a list, not %s",
				    ytype(e));
		}
		for (i = 0; i < e->n; i++) {
			const struct ynode *s = e->kids[i];
			const char *colon, *end;
			char *d, *dst;

			if (s->kind != Y_SCALAR) {
				for (j = 0; j < cnt; j++)
					free(v[j].dst);
				free(v);
				return fail(c, s->line,
					    "a bind must be a plain value, not %s",
					    ytype(s));
			}
			colon = strchr(s->str, ':');
			end = colon ? strchr(colon + 1, ':') : NULL;
			if (!colon)
				d = strdup("");
			else if (end)
				d = strndup(colon + 1,
					    (size_t)(end - colon - 1));
			else
				d = strdup(colon + 1);
			if (!d)
				goto nomem;
			dst = path_clean(d, &above);
			free(d);
			if (!dst)
				goto nomem;
			for (j = 0; j < cnt; j++)
				if (*dst && !strcmp(v[j].dst, dst))
					break;
			if (j == cnt) {
				nv = realloc(v, (cnt + 1) * sizeof(*v));
				if (!nv) {
					free(dst);
					goto nomem;
				}
				v = nv;
				cnt++;
			} else {
				free(v[j].dst);
			}
			v[j].spec = s->str;
			v[j].dst = dst;
			v[j].line = s->line;
		}
	}
	*out = v;
	*nout = cnt;
	return 0;
nomem:
	for (j = 0; j < cnt; j++)
		free(v[j].dst);
	free(v);
	return -ENOMEM;
}

/* Two files on one path, or a file where another needs a directory: the
 * more specific bind wins, as the later mount does in a container. */
static void fileset_settle(struct ctx *c, const struct cnode *n,
			   struct fileset *fs)
{
	size_t i, j;

	for (i = 0; i < fs->n; i++)
		for (j = 0; j < fs->n; j++) {
			struct nfile *a = &fs->v[i], *b = &fs->v[j];
			size_t la = strlen(a->path);

			if (i == j || a->dead || b->dead)
				continue;
			if (!strcmp(a->path, b->path)) {
				if (a->dstlen < b->dstlen ||
				    (a->dstlen == b->dstlen && i < j))
					a->dead = 1;
			} else if (!strncmp(a->path, b->path, la) &&
				   b->path[la] == '/') {
				struct nfile *loser;

				loser = a->dstlen >= b->dstlen ? b : a;

				loser->dead = 1;
				warnf(c, loser->line,
				      "node %s: %s (also a directory of another bind)",
				      n->cname, loser->path);
			}
		}
}

/* ---- output ---- */

/* FILE in an XML comment: printable ASCII, no "--". */
static void put_comment_text(FILE *out, const char *s)
{
	char prev = 0;

	for (; *s; s++) {
		unsigned char u = (unsigned char)*s;
		char ch = u >= 0x20 && u < 0x7f ? *s : '?';

		if (ch == '-' && prev == '-')
			ch = '_';
		fputc(ch, out);
		prev = ch;
	}
}

/* sh single quotes around S */
static void put_sh_quoted(FILE *out, const char *s)
{
	fputc('\'', out);
	for (; *s; s++) {
		if (*s == '\'')
			xml_put_escaped(out, "'\\''");
		else
			xml_put_escaped_n(out, s, 1);
	}
	fputc('\'', out);
}

static int env_name_ok(const char *s)
{
	if (!isalpha((unsigned char)*s) && *s != '_')
		return 0;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '_')
			return 0;
	return 1;
}

/* env, defaults first, a later level's value replacing an earlier one:
 * the names and values, in first-seen order, into VARS (2 per variable). */
static int node_env(struct ctx *c, const struct cnode *n,
		    const struct ynode ***vars, size_t *nvars)
{
	const struct ynode **v = NULL, **nv;
	size_t cnt = 0, i, j;
	int lv;

	for (lv = 3; lv >= 0; lv--) {
		const struct ynode *e = yget(n->lv[lv], "env", NULL);

		if (!e || (e->kind == Y_SCALAR && e->null))
			continue;
		if (e->kind != Y_MAP) {
			free(v);
			return fail(c, e->line, "env must be a mapping, not %s",
				    ytype(e));
		}
		for (i = 0; i + 1 < e->n; i += 2) {
			const struct ynode *k = e->kids[i];
			const struct ynode *val = e->kids[i + 1];

			if (val->kind != Y_SCALAR || !env_name_ok(k->str)) {
				warnf(c, k->line, "node %s: env %s", n->cname,
				      k->str);
				continue;
			}
			for (j = 0; j < cnt; j += 2)
				if (!strcmp(v[j]->str, k->str))
					break;
			if (j == cnt) {
				nv = realloc(v, (cnt + 2) * sizeof(*v));
				if (!nv) {
					free(v);
					return -ENOMEM;
				}
				v = nv;
				cnt += 2;
			}
			v[j] = k;
			v[j + 1] = val;
		}
	}
	*vars = v;
	*nvars = cnt;
	return 0;
}

static void put_start(FILE *out, const struct ynode **env, size_t nenv,
		      const char *cmd)
{
	size_t i;

	fputs("    <start>", out);
	for (i = 0; i < nenv; i += 2) {
		fprintf(out, "export %s=", env[i]->str);
		put_sh_quoted(out, env[i + 1]->null ? "" : env[i + 1]->str);
		fputs("; ", out);
	}
	xml_put_escaped(out, cmd);
	fputs("</start>\n", out);
}

/* The daemons containerlab's frr kind accepts (README.md, "Coming from
 * containerlab"). */
static const char *const frr_daemons[] = {
	"bgpd", "ospfd", "ospf6d", "ripd", "ripngd", "isisd", "pimd", "pim6d",
	"ldpd", "nhrpd", "eigrpd", "babeld", "sharpd", "pbrd", "bfdd",
	"fabricd", "vrrpd", "pathd",
};
#define NDAEMONS (sizeof(frr_daemons) / sizeof(frr_daemons[0]))

/* What the frr kind writes into /etc/frr: frr.conf (startup-config),
 * daemons (extras.frr.daemons, or all of them) and vtysh.conf. */
static int frr_kind_files(struct ctx *c, const struct cnode *n,
			  struct fileset *fs)
{
	const struct ynode *sc, *ex, *list = NULL;
	char *text = NULL;
	size_t len = 0, i, j;
	int line = n->line, ret = 0;
	FILE *f;

	sc = nget(n, "startup-config", &line);
	if (sc && sc->kind == Y_SCALAR) {
		struct bind b = { .line = line, .dst = (char *)"/etc/frr/frr.conf" };
		char *spec = NULL;

		if (asprintf(&spec, "%s:/etc/frr/frr.conf", sc->str) < 0)
			return -ENOMEM;
		b.spec = spec;
		ret = bind_files(c, n, &b, fs);
		free(spec);
	} else {
		ret = fileset_add_text(fs, "/etc/frr/frr.conf",
				       "frr defaults traditional\n"
				       "log file /var/log/frr/frr.log informational\n",
				       n->line);
	}
	if (!ret)
		ret = fileset_add_text(fs, "/etc/frr/vtysh.conf",
				       "service integrated-vtysh-config\n",
				       n->line);
	if (ret)
		return ret;
	ex = nget(n, "extras", &line);
	if (ex)
		list = yget(yget(ex, "frr", NULL), "daemons", NULL);
	if (list && list->kind != Y_SEQ)
		return fail(c, list->line, "extras.frr.daemons must be a list");
	for (i = 0; list && i < list->n; i++) {
		const struct ynode *d = list->kids[i];
		int ok = d->kind == Y_SCALAR && (!strcmp(d->str, "zebra") ||
			 !strcmp(d->str, "staticd") || !strcmp(d->str, "mgmtd") ||
			 !strcmp(d->str, "watchfrr"));

		for (j = 0; j < NDAEMONS; j++)
			if (d->kind == Y_SCALAR &&
			    !strcmp(d->str, frr_daemons[j]))
				ok = 1;
		if (!ok)
			return fail(c, d->line, "node %s: %s is not an FRR daemon",
				    n->cname, d->kind == Y_SCALAR ? d->str : "a list");
	}
	f = open_memstream(&text, &len);
	if (!f)
		return -ENOMEM;
	for (j = 0; j < NDAEMONS; j++) {
		int on = !list || !list->n;

		for (i = 0; list && i < list->n; i++)
			if (!strcmp(list->kids[i]->str, frr_daemons[j]))
				on = 1;
		fprintf(f, "%s=%s\n", frr_daemons[j], on ? "yes" : "no");
	}
	fputs("vtysh_enable=yes\n"
	      "zebra_options=\"  -A 127.0.0.1 -s 90000000\"\n", f);
	for (j = 0; j < NDAEMONS; j++)
		fprintf(f, "%s_options=\"-A %s\"\n", frr_daemons[j],
			strstr(frr_daemons[j], "6") || !strcmp(frr_daemons[j], "ripngd") ?
			"::1" : "127.0.0.1");
	fputs("staticd_options=\"-A 127.0.0.1\"\n", f);
	if (fclose(f)) {
		free(text);
		return -ENOMEM;
	}
	ret = fileset_add_text(fs, "/etc/frr/daemons", text, n->line);
	free(text);
	return ret;
}

static int node_put(struct ctx *c, FILE *out, struct cnode *n)
{
	static const char *const tag[] = { "", "host", "router", "switch" };
	const struct ynode **ex = NULL, **env = NULL;
	struct bind *binds = NULL;
	struct fileset fs = { 0 };
	size_t nex = 0, nenv = 0, nbinds = 0, i;
	int ret;

	ret = node_exec(c, n, &ex, &nex);
	if (!ret)
		ret = node_binds(c, n, &binds, &nbinds);
	if (!ret)
		ret = node_env(c, n, &env, &nenv);
	if (ret)
		goto out;
	if (n->type == N_SWITCH) {
		if (nex)
			warnf(c, ex[0]->line, "node %s: exec (a bridge runs no commands)",
			      n->cname);
		if (nbinds)
			warnf(c, binds[0].line, "node %s: binds (a bridge has no files)",
			      n->cname);
		fprintf(out, "  <switch");
		xml_put_attr(out, "name", n->name);
		fputs("/>\n", out);
		goto out;
	}
	if (n->type == N_HOST && routes_by_exec(ex, nex))
		n->type = N_ROUTER;
	/* the kind's files first: a bind of the same path replaces one */
	if (n->frr_kind)
		ret = frr_kind_files(c, n, &fs);
	for (i = 0; i < nbinds && !ret; i++)
		ret = bind_files(c, n, &binds[i], &fs);
	if (ret)
		goto out;
	fileset_settle(c, n, &fs);
	fprintf(out, "  <%s", tag[n->type]);
	xml_put_attr(out, "name", n->name);
	if (!fs.n && !nex && !runs_frr(n)) {
		fputs("/>\n", out);
		goto out;
	}
	fputs(">\n", out);
	for (i = 0; i < fs.n; i++) {
		if (fs.v[i].dead)
			continue;
		fputs("    <file", out);
		xml_put_attr(out, "path", fs.v[i].path);
		if (fs.v[i].text) {
			fputs(">\n", out);
			xml_put_escaped(out, fs.v[i].text);
			fputs("    </file>\n", out);
			continue;
		}
		xml_put_attr(out, "src", fs.v[i].src);
		if (fs.v[i].mode != 0644)
			fprintf(out, " mode=\"%04o\"", fs.v[i].mode);
		fputs("/>\n", out);
	}
	for (i = 0; i < nex; i++)
		if (*ex[i]->str)
			put_start(out, env, nenv, ex[i]->str);
	/* FRR as bgp-frr.xml runs it: watchfrr and the daemons of
	 * /etc/frr/daemons, after the node's own commands */
	if (runs_frr(n))
		put_start(out, env, nenv, "/usr/lib/frr/frrinit.sh start");
	fprintf(out, "  </%s>\n", tag[n->type]);
out:
	for (i = 0; i < nbinds; i++)
		free(binds[i].dst);
	free(binds);
	free(ex);
	free(env);
	fileset_free(&fs);
	return ret;
}

/* ---- nodes ---- */

static int nodes_read(struct ctx *c, const struct ynode *nodes)
{
	struct suffix *sfx;
	size_t i, j, nsfx = 0;
	int ret;

	if (!nodes || nodes->kind != Y_MAP)
		return 0;
	c->nodes = calloc(nodes->n / 2 + 1, sizeof(*c->nodes));
	if (!c->nodes)
		return -ENOMEM;
	for (i = 0; i + 1 < nodes->n; i += 2) {
		struct cnode *n = &c->nodes[c->nnodes++];
		const struct ynode *def = nodes->kids[i + 1];
		const char *kind, *gname;
		const struct ynode *img;
		int kline = 0, line = 0;

		n->cname = nodes->kids[i]->str;
		n->line = nodes->kids[i]->line;
		ret = want_map(c, def, "a node");
		if (ret)
			return ret;
		n->lv[0] = def && def->kind == Y_MAP ? def : NULL;
		kind = node_kind(c, n, &kline);
		if (!*kind)
			return fail(c, n->line, "node %s has no kind", n->cname);
		/* group: the node's, its kind's, the default one */
		gname = kstr(n->lv[0], "group");
		if (!*gname)
			gname = kstr(yget(c->kinds, kind, NULL), "group");
		if (!*gname)
			gname = kstr(c->defaults, "group");
		n->lv[1] = *gname ? yget(c->groups, gname, NULL) : NULL;
		n->lv[2] = yget(c->kinds, kind, NULL);
		n->lv[3] = c->defaults;
		for (j = 1; j < 4; j++)
			if (n->lv[j] && n->lv[j]->kind != Y_MAP)
				n->lv[j] = NULL;
		if (!strcmp(kind, "linux")) {
			n->type = N_HOST;
		} else if (!strcmp(kind, "frr") || !strcmp(kind, "frrouting")) {
			n->type = N_ROUTER;
			n->frr_kind = 1;
		} else if (!strcmp(kind, "bridge")) {
			n->type = N_SWITCH;
		} else if (!strcmp(kind, "ovs-bridge")) {
			n->type = N_SWITCH;
			warnf(c, kline ? kline : n->line,
			      "node %s: kind ovs-bridge (it becomes a Linux bridge)",
			      n->cname);
		} else {
			n->type = N_DROP;
			warnf(c, kline ? kline : n->line,
			      "node %s: kind %s (only linux, frr, bridge and ovs-bridge nodes are)",
			      n->cname, kind);
			continue;
		}
		img = nget(n, "image", &line);
		ret = want_str(c, img, "image", &n->image);
		if (ret)
			return ret;
		if (n->type == N_HOST && contains_frr(n->image))
			n->type = N_ROUTER;
		if (*n->image)
			warnf(c, line, "node %s: image %s (nodes run the host's programs)",
			      n->cname, n->image);
		warn_keys(c, n);
	}
	/* nslab names, unique; a clash takes the next free suffix of its base
	 * name, counted per base so that many clashing names cost no more
	 * than a pass each */
	sfx = calloc(c->nnodes ? c->nnodes : 1, sizeof(*sfx));
	if (!sfx)
		return -ENOMEM;
	for (i = 0; i < c->nnodes; i++) {
		struct cnode *n = &c->nodes[i];
		struct suffix *e = NULL;
		int clash;

		if (name_ok(n->cname))
			snprintf(n->name, sizeof(n->name), "%s", n->cname);
		else
			name_make(n->cname, n->name);
		do {
			clash = 0;
			/* earlier nodes have their names; later ones keep a
			 * valid name of their own */
			for (j = 0; j < c->nnodes && !clash; j++)
				if ((j < i &&
				     !strcmp(c->nodes[j].name, n->name)) ||
				    (j > i && name_ok(c->nodes[j].cname) &&
				     !strcmp(c->nodes[j].cname, n->name)))
					clash = 1;
			if (clash) {
				char base[CLAB_NAME_MAX + 1], suf[16];

				name_make(n->cname, base);
				if (!e)
					e = suffix_of(sfx, &nsfx, base);
				snprintf(suf, sizeof(suf), "_%d", e->next++);
				snprintf(n->name, sizeof(n->name), "%.*s%s",
					 (int)(CLAB_NAME_MAX - strlen(suf)),
					 base, suf);
			}
		} while (clash);
		if (strcmp(n->name, n->cname) && n->type != N_DROP)
			warnf(c, n->line,
			      "node name \"%s\" (named %s: nslab names are 1 to 32 of A-Za-z0-9_- starting with a letter)",
			      n->cname, n->name);
	}
	free(sfx);
	return 0;
}

/* ---- links ---- */

struct end {
	const char *node, *ifname;
	char *buf;		/* what node and ifname point into */
	int line;
};

static int end_use(struct ctx *c, struct cnode *n, const char *ifname,
		   int line)
{
	size_t i;
	char **v;
	int *l;

	for (i = 0; i < n->nifs; i++)
		if (!strcmp(n->ifs[i], ifname))
			return fail(c, line,
				    "interface %s:%s is used by two links (lines %d and %d)",
				    n->cname, ifname, n->iflines[i], line);
	v = realloc(n->ifs, (n->nifs + 1) * sizeof(*v));
	if (!v)
		return -ENOMEM;
	n->ifs = v;
	v[n->nifs] = strdup(ifname);
	if (!v[n->nifs])
		return -ENOMEM;
	l = realloc(n->iflines, (n->nifs + 1) * sizeof(*l));
	if (!l)
		return -ENOMEM;
	n->iflines = l;
	n->iflines[n->nifs++] = line;
	return 0;
}

static void put_end(FILE *out, const char *attr, const struct cnode *n,
		    const char *ifname)
{
	fprintf(out, " %s=\"", attr);
	xml_put_attr_value(out, n->name);
	if (ifname) {
		fputc(':', out);
		xml_put_attr_value(out, ifname);
	}
	fputc('"', out);
}

static int link_put(struct ctx *c, FILE *out, const struct ynode *l)
{
	const struct ynode *eps, *type, *mtu;
	struct end e[2] = { { 0 } };
	struct cnode *n[2];
	const char *ifn[2];
	const char *t = "";
	char desc[200];
	unsigned long m = 0;
	size_t i;
	int ret = 0, dropped = 0;

	if (l->kind != Y_MAP)
		return fail(c, l->line, "a link must be a mapping, not %s",
			    ytype(l));
	type = yget(l, "type", NULL);
	ret = want_str(c, type, "a link's type", &t);
	if (ret)
		return ret;
	if (*t && strcmp(t, "veth")) {
		warnf(c, l->line, "link of type %s", t);
		return 0;
	}
	eps = yget(l, "endpoints", NULL);
	if (!eps || eps->kind != Y_SEQ || eps->n != 2)
		return fail(c, eps ? eps->line : l->line,
			    "a link needs endpoints: a list of two");
	for (i = 0; i < 2; i++) {
		const struct ynode *ep = eps->kids[i];

		e[i].line = ep->line;
		if (ep->kind == Y_SCALAR && !*t) {
			char *colon;

			e[i].buf = strdup(ep->str);
			if (!e[i].buf) {
				ret = -ENOMEM;
				goto out;
			}
			colon = strchr(e[i].buf, ':');
			if (colon)
				*colon++ = '\0';
			e[i].node = e[i].buf;
			e[i].ifname = colon;
		} else if (ep->kind == Y_MAP && *t) {
			const struct ynode *k;
			size_t j;

			ret = want_str(c, yget(ep, "node", NULL),
				       "an endpoint's node", &e[i].node);
			if (!ret)
				ret = want_str(c, yget(ep, "interface", NULL),
					       "an endpoint's interface",
					       &e[i].ifname);
			if (ret)
				goto out;
			for (j = 0; j + 1 < ep->n; j += 2) {
				k = ep->kids[j];
				if (strcmp(k->str, "node") &&
				    strcmp(k->str, "interface"))
					warnf(c, k->line, "endpoint %s: %s",
					      e[i].node, k->str);
			}
		} else {
			ret = fail(c, ep->line,
				   *t ? "an endpoint of a veth link must be a mapping (node, interface)" :
					"an endpoint must be written NODE:INTERFACE");
			goto out;
		}
	}
	snprintf(desc, sizeof(desc), "%s:%s -- %s:%s", e[0].node,
		 e[0].ifname ? e[0].ifname : "", e[1].node,
		 e[1].ifname ? e[1].ifname : "");
	/* host, mgmt-net and macvlan ends leave the lab */
	for (i = 0; i < 2; i++)
		if (!*t && (!strcasecmp(e[i].node, "host") ||
			    !strcasecmp(e[i].node, "mgmt-net") ||
			    !strcasecmp(e[i].node, "macvlan"))) {
			warnf(c, l->line, "link %s (to the %s)", desc,
			      e[i].node);
			goto out;
		}
	for (i = 0; i < 2; i++) {
		n[i] = node_find(c, e[i].node);
		if (!n[i]) {
			ret = fail(c, e[i].line, "link %s: no node named \"%s\"",
				   desc, e[i].node);
			goto out;
		}
		if (!e[i].ifname || !*e[i].ifname) {
			ret = fail(c, e[i].line,
				   "link %s: the end on %s names no interface",
				   desc, e[i].node);
			goto out;
		}
		if (n[i]->type == N_DROP)
			dropped = 1;
	}
	if (dropped) {
		warnf(c, l->line, "link %s (its node %s is not)", desc,
		      n[0]->type == N_DROP ? n[0]->cname : n[1]->cname);
		goto out;
	}
	for (i = 0; i < 2; i++) {
		ifn[i] = e[i].ifname;
		if (ifname_ok(ifn[i]) &&
		    !(n[i]->type == N_SWITCH && !strcmp(ifn[i], "br0"))) {
			ret = end_use(c, n[i], ifn[i], e[i].line);
			if (ret)
				goto out;
			continue;
		}
		if (n[i]->type != N_SWITCH) {
			ret = fail(c, e[i].line,
				   "link %s: interface name \"%s\" of %s is not one nslab takes (1 to 15 characters, no '/', ':' or white space, not lo)",
				   desc, ifn[i], n[i]->cname);
			goto out;
		}
		/* a bridge port's name means nothing inside the lab */
		warnf(c, e[i].line,
		      "link %s: port name %s of bridge %s (nslab names it)",
		      desc, ifn[i], n[i]->cname);
		ifn[i] = NULL;
	}
	mtu = yget(l, "mtu", NULL);
	if (mtu) {
		char *end = NULL;

		if (mtu->kind != Y_SCALAR ||
		    !isdigit((unsigned char)mtu->str[0]))
			m = 0;
		else
			m = strtoul(mtu->str, &end, 10);
		if (!m || !end || *end || m < 68 || m > 65535)
			return fail(c, mtu->line,
				    "link %s: mtu must be 68 to 65535", desc);
	}
	for (i = 0; i + 1 < l->n; i += 2) {
		const char *k = l->kids[i]->str;

		if (strcmp(k, "type") && strcmp(k, "endpoints") &&
		    strcmp(k, "mtu"))
			warnf(c, l->kids[i]->line, "link %s: %s", desc, k);
	}
	fputs("  <link", out);
	put_end(out, "a", n[0], ifn[0]);
	put_end(out, "b", n[1], ifn[1]);
	if (m)
		fprintf(out, " mtu=\"%lu\"", m);
	fputs("/>\n", out);
out:
	free(e[0].buf);
	free(e[1].buf);
	return ret;
}

/* ---- the whole file ---- */

static int read_file(struct ctx *c, const char *path, unsigned char **buf,
		     size_t *len)
{
	struct stat st;
	ssize_t r = 0;
	size_t got = 0;
	int fd, err;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0) {
		err = errno;
		snprintf(c->why, c->whylen, "%s: %s", path, strerror(err));
		return -err;
	}
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		close(fd);
		snprintf(c->why, c->whylen, "%s: not a regular file", path);
		return -EINVAL;
	}
	if (st.st_size > CLAB_MAX_BYTES) {
		close(fd);
		snprintf(c->why, c->whylen, "%s: larger than %u bytes", path,
			 CLAB_MAX_BYTES);
		return -EINVAL;
	}
	*buf = malloc((size_t)st.st_size + 1);
	if (!*buf) {
		close(fd);
		return -ENOMEM;
	}
	while (got <= (size_t)st.st_size) {
		r = read(fd, *buf + got, (size_t)st.st_size + 1 - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		got += (size_t)r;
	}
	err = r < 0 ? errno : 0;
	close(fd);
	if (err || got > (size_t)st.st_size) {
		free(*buf);
		*buf = NULL;
		snprintf(c->why, c->whylen, "%s: %s", path,
			 err ? strerror(err) : "it grew while read");
		return err ? -err : -EINVAL;
	}
	*len = got;
	return 0;
}

static int lab_put(struct ctx *c, FILE *out, const struct ynode *root)
{
	const struct ynode *name, *topo, *nodes, *links;
	char labname[CLAB_NAME_MAX + 1];
	const char *s;
	size_t i;
	int ret;

	if (!root || root->kind != Y_MAP)
		return fail(c, root ? root->line : 1,
			    "not a containerlab topology: %s",
			    root ? "the file is not a mapping" : "the file is empty");
	topo = yget(root, "topology", NULL);
	if (!topo || topo->kind != Y_MAP)
		return fail(c, topo ? topo->line : root->line,
			    "not a containerlab topology: no topology mapping");
	name = yget(root, "name", NULL);
	ret = want_str(c, name, "name", &s);
	if (ret)
		return ret;
	if (!*s) {
		const char *base = strrchr(c->file, '/');
		char stem[PATH_MAX], *dot;

		base = base ? base + 1 : c->file;
		snprintf(stem, sizeof(stem), "%s", base);
		dot = strchr(stem, '.');
		if (dot)
			*dot = '\0';
		name_make(stem[0] ? stem : "lab", labname);
		warnf(c, root->line, "a lab name (none given; named %s)", labname);
	} else if (name_ok(s)) {
		snprintf(labname, sizeof(labname), "%s", s);
	} else {
		name_make(s, labname);
		warnf(c, name->line,
		      "lab name \"%s\" (named %s: nslab names are 1 to 32 of A-Za-z0-9_- starting with a letter)",
		      s, labname);
	}
	for (i = 0; i + 1 < root->n; i += 2) {
		const struct ynode *k = root->kids[i];

		if (strcmp(k->str, "name") && strcmp(k->str, "topology"))
			warnf(c, k->line, "%s%s", k->str,
			      !strcmp(k->str, "mgmt") ?
			      " (the management network: nodes have only their links)" : "");
	}
	c->defaults = yget(topo, "defaults", NULL);
	c->kinds = yget(topo, "kinds", NULL);
	c->groups = yget(topo, "groups", NULL);
	nodes = yget(topo, "nodes", NULL);
	links = yget(topo, "links", NULL);
	if ((ret = want_map(c, c->defaults, "defaults")) ||
	    (ret = want_map(c, c->kinds, "kinds")) ||
	    (ret = want_map(c, c->groups, "groups")) ||
	    (ret = want_map(c, nodes, "nodes")))
		return ret;
	if (links && !(links->kind == Y_SCALAR && links->null) &&
	    links->kind != Y_SEQ)
		return fail(c, links->line, "links must be a list, not %s",
			    ytype(links));
	for (i = 0; c->kinds && c->kinds->kind == Y_MAP &&
		    i + 1 < c->kinds->n; i += 2)
		if ((ret = want_map(c, c->kinds->kids[i + 1], "a kind")))
			return ret;
	for (i = 0; c->groups && c->groups->kind == Y_MAP &&
		    i + 1 < c->groups->n; i += 2)
		if ((ret = want_map(c, c->groups->kids[i + 1], "a group")))
			return ret;
	for (i = 0; i + 1 < topo->n; i += 2) {
		const char *k = topo->kids[i]->str;

		if (strcmp(k, "defaults") && strcmp(k, "kinds") &&
		    strcmp(k, "groups") && strcmp(k, "nodes") &&
		    strcmp(k, "links"))
			warnf(c, topo->kids[i]->line, "topology %s", k);
	}
	ret = nodes_read(c, nodes);
	if (ret)
		return ret;

	fputs("<!-- imported from ", out);
	put_comment_text(out, c->file);
	fputs(" by nslab import clab.\n"
	      "     containerlab nodes set their own addresses (exec, FRR), so nslab\n"
	      "     adds none (ipbase=\"none\"); IPv6 is on as in containerlab's\n"
	      "     nodes, and links have containerlab's MTU.  <file src=> is\n"
	      "     relative to the topology's directory: keep this file there. -->\n",
	      out);
	fputs("<lab", out);
	xml_put_attr(out, "name", labname);
	fprintf(out, " ipbase=\"none\" ipv6=\"on\" mtu=\"%d\">\n", CLAB_MTU);
	for (i = 0; i < c->nnodes && !ret; i++)
		if (c->nodes[i].type != N_DROP)
			ret = node_put(c, out, &c->nodes[i]);
	for (i = 0; links && links->kind == Y_SEQ && i < links->n && !ret; i++)
		ret = link_put(c, out, links->kids[i]);
	if (!ret)
		fputs("</lab>\n", out);
	return ret;
}

int import_clab(const char *path, FILE *out, FILE *warn, char *why,
		size_t whylen)
{
	struct ctx c = { .file = path, .why = why, .whylen = whylen,
			 .dirfd = -1 };
	struct ynode *root = NULL;
	unsigned char *buf = NULL;
	char *dir = NULL, *wtext = NULL, *otext = NULL, *slash;
	size_t len = 0, wlen = 0, olen = 0, i;
	FILE *mem = NULL;
	int ret;

	if (whylen)
		why[0] = '\0';
	ret = read_file(&c, path, &buf, &len);
	if (ret)
		return ret;
	dir = strdup(path);
	if (!dir) {
		ret = -ENOMEM;
		goto out;
	}
	slash = strrchr(dir, '/');
	if (!slash)
		strcpy(dir, ".");
	else if (slash == dir)
		dir[1] = '\0';
	else
		*slash = '\0';
	c.dirfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (c.dirfd < 0 || !realpath(dir, c.dirpath)) {
		ret = -errno;
		snprintf(why, whylen, "%s: %s", dir, strerror(errno));
		goto out;
	}
	/* both kept until the end: nothing is written on a failure */
	c.warn = open_memstream(&wtext, &wlen);
	mem = open_memstream(&otext, &olen);
	if (!c.warn || !mem) {
		if (c.warn)
			fclose(c.warn);
		if (mem)
			fclose(mem);
		ret = -ENOMEM;
		goto out;
	}
	c.lines = 1;
	for (i = 0; i < len; i++)
		if (buf[i] == '\n' && i + 1 < len)
			c.lines++;
	ret = yload(&c, buf, len, &root);
	if (!ret)
		ret = lab_put(&c, mem, root);
	if (fclose(c.warn) && !ret)
		ret = -ENOMEM;
	if (fclose(mem) && !ret)
		ret = -ENOMEM;
	if (!ret && (fwrite(otext, 1, olen, out) != olen || ferror(out))) {
		snprintf(why, whylen, "cannot write the lab file");
		ret = -EIO;
	}
	if (!ret && warn && wlen)
		fwrite(wtext, 1, wlen, warn);
	if (ret == -ENOMEM && !why[0])
		snprintf(why, whylen, "%s: out of memory", path);
out:
	for (i = 0; i < c.nnodes; i++) {
		size_t j;

		for (j = 0; j < c.nodes[i].nifs; j++)
			free(c.nodes[i].ifs[j]);
		free(c.nodes[i].ifs);
		free(c.nodes[i].iflines);
	}
	free(c.nodes);
	if (c.dirfd >= 0)
		close(c.dirfd);
	free(wtext);
	free(otext);
	free(dir);
	free(buf);
	ytree_free(root);
	return ret;
}

/* import_kathara.c — a Kathara lab directory as an nslab lab file
 * (core/import.h; README.md, "Coming from Kathara").
 *
 * Kathara's lab is a directory: lab.conf (one DEVICE[ARG]=VALUE a line),
 * NODE.startup scripts, shared.startup run first on every device, NODE/
 * folders copied over each device's root, a shared/ folder, lab.dep (the
 * start order, kept as the order of the nodes).  Devices are
 * nodes; each collision domain becomes a <link> when exactly two
 * interfaces are on it and a <switch> otherwise.  Kathara turns IPv4
 * forwarding on and rp_filter off in every device: a device with an
 * FRR or Quagga image, or with more than one interface, becomes a
 * <router> (nslab's routers are exactly that); the others are <host>s.
 * The startup scripts set the addresses, so the lab has ipbase="none".
 *
 * Everything read is bounded (the limits below) and no symlink is ever
 * followed: a lab directory is input, not a place to roam from. */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "import.h"
#include "xml_out.h"

#define K_CONF_MAX	(1 << 20)	/* lab.conf, a startup script */
#define K_LINE_MAX	4096
#define K_DEVS_MAX	1024
#define K_IFACES_MAX	8192
#define K_IFNUM_MAX	4095
#define K_DOMAIN_MAX	64		/* a domain name's characters */
#define K_OPTS_MAX	256		/* sysctls, execs of a device */
#define K_FILES_MAX	10000		/* in all NODE/ and shared/ */
#define K_DEPTH_MAX	32
#define K_FILE_MAX	(16u << 20)	/* one src file (nslab's) */
#define K_FILES_BYTES	(64ull << 20)	/* all of them (nslab's) */
#define K_NAME_MAX	32		/* nslab's names */
#define K_PATH_MAX	4095

struct k_sysctl {
	char *name, *value;
};

struct k_file {
	char *rel;		/* path below the node's folder */
	unsigned mode;
};

struct k_dev {
	char name[K_NAME_MAX + 1];
	unsigned line;		/* first mention */
	char *image;
	int ipv6;		/* -1 unset, 0, 1 */
	unsigned n_ifaces;
	struct k_sysctl *sysctls;
	unsigned n_sysctls;
	char **execs;
	unsigned n_execs;
	struct k_file *files;
	unsigned n_files;
};

struct k_iface {
	unsigned dev, num, dom, line;
	char mac[18];
};

struct k_dom {
	char name[K_DOMAIN_MAX + 1];
	char sw[K_NAME_MAX + 1];	/* its switch, when it has one */
	unsigned n;			/* interfaces on it */
};

struct k_lab {
	const char *dir;
	int dirfd;
	char *why;
	size_t whylen;
	FILE *notes;			/* warnings, shown on success */
	char *notes_buf;
	size_t notes_len;
	struct k_dev *devs;
	unsigned n_devs;
	struct k_iface *ifs;
	unsigned n_ifs;
	struct k_dom *doms;
	unsigned n_doms;
	char *meta[6];			/* LAB_NAME ... LAB_WEB */
	unsigned n_files;
	unsigned long long file_bytes;
	struct k_file *shared;
	unsigned n_shared;
	int any_ipv6;
	unsigned *order;		/* devices in start order (lab.dep) */
	size_t inline_bytes;		/* the scripts written inline so far */
};

static const char *const meta_keys[6] = {
	"LAB_NAME", "LAB_DESCRIPTION", "LAB_VERSION", "LAB_AUTHOR",
	"LAB_EMAIL", "LAB_WEB",
};

__attribute__((format(printf, 2, 3)))
static int k_fail(struct k_lab *k, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(k->why, k->whylen, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

__attribute__((format(printf, 4, 5)))
static void k_warn(struct k_lab *k, const char *file, unsigned line,
		   const char *fmt, ...)
{
	va_list ap;

	if (line)
		fprintf(k->notes, "nslab: import: %s:%u: not carried over: ",
			file, line);
	else
		fprintf(k->notes, "nslab: import: %s: not carried over: ",
			file);
	va_start(ap, fmt);
	vfprintf(k->notes, fmt, ap);
	va_end(ap);
	fputc('\n', k->notes);
}

static int grow(void **p, unsigned n, size_t size)
{
	void *q;

	/* room for N + 1: the size doubles when N is a power of two */
	if (n & (n - 1))
		return 0;
	q = realloc(*p, (n ? 2 * (size_t)n : 1) * size);
	if (!q)
		return -ENOMEM;
	*p = q;
	return 0;
}

/* Valid UTF-8 without control characters other than tab (and newline
 * when MULTILINE): what an XML file can carry.  Returns the offset of
 * the first bad byte, or LEN. */
static size_t text_bad_at(const char *s, size_t len, int multiline)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;

	while (i < len) {
		unsigned c = p[i], need, cp, j;

		if (c < 0x80) {
			if ((c < 0x20 && c != '\t' && !(multiline && c == '\n'))
			    || c == 0x7f)
				return i;
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf)
			need = 1, cp = c & 0x1f;
		else if (c >= 0xe0 && c <= 0xef)
			need = 2, cp = c & 0x0f;
		else if (c >= 0xf0 && c <= 0xf4)
			need = 3, cp = c & 0x07;
		else
			return i;
		if (len - i <= need)
			return i;
		for (j = 1; j <= need; j++) {
			if ((p[i + j] & 0xc0) != 0x80)
				return i;
			cp = cp << 6 | (p[i + j] & 0x3f);
		}
		/* overlong, surrogates, beyond U+10FFFF, U+FFFE/U+FFFF */
		if ((need == 2 && cp < 0x800) || (need == 3 && cp < 0x10000) ||
		    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff ||
		    cp == 0xfffe || cp == 0xffff)
			return i;
		i += need + 1;
	}
	return len;
}

/* Read FILE (in the lab directory, never through a symlink) whole: at
 * most MAX bytes, a regular file.  -ENOENT when it does not exist. */
static int read_file_at(struct k_lab *k, int dirfd, const char *name,
			const char *shown, size_t max, char **buf,
			size_t *len)
{
	struct stat st;
	size_t n = 0;
	char *b;
	int fd;

	fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK |
		    O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		if (errno == ENOENT)
			return -ENOENT;
		if (errno == ELOOP)
			return k_fail(k, "%s/%s: a symlink (not followed)",
				      k->dir, shown);
		snprintf(k->why, k->whylen, "%s/%s: %s", k->dir, shown,
			 strerror(errno));
		return -errno;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return k_fail(k, "%s/%s: not a regular file", k->dir, shown);
	}
	if ((unsigned long long)st.st_size > max) {
		close(fd);
		return k_fail(k, "%s/%s: larger than %zu bytes", k->dir,
			      shown, max);
	}
	b = malloc((size_t)st.st_size + 1);
	if (!b) {
		close(fd);
		return -ENOMEM;
	}
	/* read up to the size fstat saw, plus one byte to see it grow */
	for (;;) {
		ssize_t r = read(fd, b + n, (size_t)st.st_size + 1 - n);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			int e = errno;

			free(b);
			close(fd);
			snprintf(k->why, k->whylen, "%s/%s: %s", k->dir,
				 shown, strerror(e));
			return -e;
		}
		if (!r)
			break;
		n += (size_t)r;
		if (n > (size_t)st.st_size) {
			free(b);
			close(fd);
			return k_fail(k, "%s/%s: changed while read", k->dir,
				      shown);
		}
	}
	close(fd);
	b[n] = '\0';
	*buf = b;
	*len = n;
	return 0;
}

/* ---- lab.conf ---- */

static int dev_find(struct k_lab *k, const char *name)
{
	unsigned i;

	for (i = 0; i < k->n_devs; i++)
		if (!strcmp(k->devs[i].name, name))
			return (int)i;
	return -1;
}

static int dev_get(struct k_lab *k, const char *name, unsigned line)
{
	struct k_dev *d;
	int i = dev_find(k, name);

	if (i >= 0)
		return i;
	if (!isalpha((unsigned char)name[0]))
		return k_fail(k, "lab.conf:%u: device \"%s\": nslab names "
			      "start with a letter (rename the device and "
			      "its files)", line, name);
	if (!strcmp(name, "shared") || !strcmp(name, "_test"))
		return k_fail(k, "lab.conf:%u: \"%s\" is reserved by Kathara "
			      "for its own folder", line, name);
	if (k->n_devs >= K_DEVS_MAX)
		return k_fail(k, "lab.conf:%u: more than %d devices", line,
			      K_DEVS_MAX);
	if (grow((void **)&k->devs, k->n_devs, sizeof(*k->devs)))
		return -ENOMEM;
	d = &k->devs[k->n_devs];
	memset(d, 0, sizeof(*d));
	/* 30 characters at most (the caller checked) */
	memcpy(d->name, name, strnlen(name, K_NAME_MAX) + 1);
	d->name[K_NAME_MAX] = '\0';
	d->line = line;
	d->ipv6 = -1;
	return (int)k->n_devs++;
}

static int strtobool_k(const char *v)
{
	static const char *const yes[] = { "y", "yes", "t", "true", "on", "1" };
	static const char *const no[] = { "n", "no", "f", "false", "off", "0" };
	unsigned i;

	for (i = 0; i < 6; i++) {
		if (!strcasecmp(v, yes[i]))
			return 1;
		if (!strcasecmp(v, no[i]))
			return 0;
	}
	return -1;
}

static int is_word(const char *s)
{
	if (!*s)
		return 0;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '_')
			return 0;
	return 1;
}

static int parse_mac(const char *s, char out[18])
{
	unsigned i, first;

	if (strlen(s) != 17)
		return -1;
	for (i = 0; i < 17; i++) {
		if (i % 3 == 2 ? s[i] != ':' : !isxdigit((unsigned char)s[i]))
			return -1;
		out[i] = (char)tolower((unsigned char)s[i]);
	}
	out[17] = '\0';
	first = (unsigned)strtoul(out, NULL, 16);
	if (first & 1)
		return -2;			/* multicast */
	if (!strcmp(out, "00:00:00:00:00:00"))
		return -3;
	return 0;
}

static int add_iface(struct k_lab *k, unsigned dev, const char *arg,
		     const char *value, unsigned line)
{
	char dom[K_DOMAIN_MAX + 1], mac[18] = "";
	const char *slash = strchr(value, '/');
	size_t dl = slash ? (size_t)(slash - value) : strlen(value);
	unsigned long num;
	unsigned i;
	int r;

	if (strlen(arg) > 4 || (num = strtoul(arg, NULL, 10)) > K_IFNUM_MAX)
		return k_fail(k, "lab.conf:%u: interface number %s: nslab "
			      "takes 0 to %d", line, arg, K_IFNUM_MAX);
	if (dl > K_DOMAIN_MAX)
		return k_fail(k, "lab.conf:%u: collision domain name longer "
			      "than %d characters", line, K_DOMAIN_MAX);
	memcpy(dom, value, dl);
	dom[dl] = '\0';
	if (!is_word(dom))
		return k_fail(k, "lab.conf:%u: collision domain \"%s\": only "
			      "letters, digits and _ are allowed", line, dom);
	if (slash) {
		r = parse_mac(slash + 1, mac);
		if (r == -1)
			return k_fail(k, "lab.conf:%u: MAC address \"%s\" is "
				      "not xx:xx:xx:xx:xx:xx", line,
				      slash + 1);
		if (r < 0)
			return k_fail(k, "lab.conf:%u: MAC address %s is %s",
				      line, slash + 1, r == -2 ?
				      "multicast" : "all zero");
	}
	for (i = 0; i < k->n_ifs; i++) {
		struct k_iface *f = &k->ifs[i];

		if (f->dev != dev)
			continue;
		if (f->num == num)
			return k_fail(k, "lab.conf:%u: %s's eth%lu is set "
				      "twice (lines %u and %u)", line,
				      k->devs[dev].name, num, f->line, line);
		if (!strcmp(k->doms[f->dom].name, dom))
			return k_fail(k, "lab.conf:%u: %s is on collision "
				      "domain %s twice (lines %u and %u)",
				      line, k->devs[dev].name, dom, f->line,
				      line);
	}
	if (k->n_ifs >= K_IFACES_MAX)
		return k_fail(k, "lab.conf:%u: more than %d interfaces", line,
			      K_IFACES_MAX);
	for (i = 0; i < k->n_doms; i++)
		if (!strcmp(k->doms[i].name, dom))
			break;
	if (i == k->n_doms) {
		if (grow((void **)&k->doms, k->n_doms, sizeof(*k->doms)))
			return -ENOMEM;
		memset(&k->doms[i], 0, sizeof(k->doms[i]));
		strcpy(k->doms[i].name, dom);
		k->n_doms++;
	}
	if (grow((void **)&k->ifs, k->n_ifs, sizeof(*k->ifs)))
		return -ENOMEM;
	k->ifs[k->n_ifs] = (struct k_iface){ .dev = dev, .num = (unsigned)num,
					     .dom = i, .line = line };
	strcpy(k->ifs[k->n_ifs].mac, mac);
	k->n_ifs++;
	k->doms[i].n++;
	k->devs[dev].n_ifaces++;
	return 0;
}

/* gcc 12 -fanalyzer reports the strings stored in a device's realloc'd
 * arrays at a variable index as leaked (a false positive: k_free() frees
 * them). */
#ifndef __clang__
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wanalyzer-malloc-leak"
#endif
static int add_sysctl(struct k_lab *k, struct k_dev *d, const char *v,
		      unsigned line)
{
	const char *eq = strchr(v, '=');
	const char *p;
	char *name, *val;
	unsigned i;

	/* Kathara's rule: net.WORD(.WORD)+=VALUE, one '=' */
	if (!eq || strchr(eq + 1, '=') || strncmp(v, "net.", 4))
		return k_fail(k, "lab.conf:%u: sysctl \"%s\": not "
			      "net.NAME=VALUE", line, v);
	for (p = v + 4; p < eq; p++)
		if (!isalnum((unsigned char)*p) && *p != '_' && *p != '-' &&
		    !(*p == '.' && p[-1] != '.' && p + 1 < eq))
			return k_fail(k, "lab.conf:%u: sysctl name \"%.*s\" "
				      "is not a net.* name", line,
				      (int)(eq - v), v);
	if (eq == v + 4)
		return k_fail(k, "lab.conf:%u: sysctl \"%s\": not "
			      "net.NAME=VALUE", line, v);
	/* the value trimmed, as Kathara does */
	p = eq + 1 + strspn(eq + 1, " \t");
	name = strndup(v, (size_t)(eq - v));
	val = strndup(p, strlen(p));
	if (!name || !val) {
		free(name);
		free(val);
		return -ENOMEM;
	}
	while (*val && (val[strlen(val) - 1] == ' ' ||
			val[strlen(val) - 1] == '\t'))
		val[strlen(val) - 1] = '\0';
	for (i = 0; i < d->n_sysctls; i++)
		if (!strcmp(d->sysctls[i].name, name)) {
			/* the same name again replaces it, as in Kathara */
			free(d->sysctls[i].value);
			d->sysctls[i].value = val;
			free(name);
			return 0;
		}
	if (d->n_sysctls >= K_OPTS_MAX ||
	    grow((void **)&d->sysctls, d->n_sysctls, sizeof(*d->sysctls))) {
		free(name);
		free(val);
		return d->n_sysctls >= K_OPTS_MAX ?
			k_fail(k, "lab.conf:%u: more than %d sysctls on %s",
			       line, K_OPTS_MAX, d->name) : -ENOMEM;
	}
	d->sysctls[d->n_sysctls++] = (struct k_sysctl){ name, val };
	return 0;
}

static int add_option(struct k_lab *k, unsigned di, const char *key,
		      const char *arg, const char *value, unsigned line)
{
	struct k_dev *d = &k->devs[di];
	int b;

	if (!strcmp(arg, "image")) {
		char *s = strdup(value);

		if (!s)
			return -ENOMEM;
		free(d->image);
		d->image = s;
		return 0;
	}
	if (!strcmp(arg, "sysctl"))
		return add_sysctl(k, d, value, line);
	if (!strcmp(arg, "exec")) {
		char *s;

		if (d->n_execs >= K_OPTS_MAX)
			return k_fail(k, "lab.conf:%u: more than %d exec "
				      "commands on %s", line, K_OPTS_MAX,
				      d->name);
		if (grow((void **)&d->execs, d->n_execs, sizeof(*d->execs)) ||
		    !(s = strdup(value)))
			return -ENOMEM;
		d->execs[d->n_execs++] = s;
		return 0;
	}
	if (!strcmp(arg, "ipv6")) {
		b = strtobool_k(value);
		if (b < 0)
			return k_fail(k, "lab.conf:%u: %s[ipv6]=\"%s\": not a "
				      "boolean (true or false)", line, key,
				      value);
		d->ipv6 = b;
		if (b)
			k->any_ipv6 = 1;
		return 0;
	}
	if (!strcmp(arg, "bridged"))
		k_warn(k, "lab.conf", line, "%s[%s]=%s (nslab nodes have no "
		       "link to the host's network)", key, arg, value);
	else if (!strcmp(arg, "mem") || !strcmp(arg, "cpus") ||
		 !strcmp(arg, "ulimit"))
		k_warn(k, "lab.conf", line, "%s[%s]=%s (nslab sets no "
		       "resource limits)", key, arg, value);
	else if (!strcmp(arg, "port"))
		k_warn(k, "lab.conf", line, "%s[%s]=%s (nslab forwards no "
		       "host port)", key, arg, value);
	else if (!strcmp(arg, "num_terms") || !strcmp(arg, "shell"))
		k_warn(k, "lab.conf", line, "%s[%s]=%s (use nslab shell LAB "
		       "%s)", key, arg, value, key);
	else if (!strcmp(arg, "env"))
		k_warn(k, "lab.conf", line, "%s[%s]=%s (nodes' commands get "
		       "only NSLAB_LAB, NSLAB_NODE and NSLAB_SHARED)", key,
		       arg, value);
	else
		k_warn(k, "lab.conf", line, "%s[%s]=%s (an option nslab does "
		       "not know)", key, arg, value);
	return 0;
}

#ifndef __clang__
#pragma GCC diagnostic pop
#endif

/* KEY[ARG]=VALUE, VALUE in "", '' or bare (a bare value ends at
 * white space followed by #, a comment, as in Kathara's quoted form). */
static int parse_conf_line(struct k_lab *k, char *s, unsigned line)
{
	char key[40], arg[40], *v, *end;
	size_t kl, al;
	int di, r;
	unsigned i;

	kl = strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789_");
	if (s[kl] != '[') {
		for (i = 0; i < 6; i++) {
			size_t ml = strlen(meta_keys[i]);

			if (!strncmp(s, meta_keys[i], ml) && s[ml] == '=') {
				v = s + ml + 1;
				if (*v == '"' || *v == '\'') {
					char q = *v++;
					char *e = strrchr(v, q);

					if (e)
						*e = '\0';
				}
				free(k->meta[i]);
				if (!(k->meta[i] = strdup(v)))
					return -ENOMEM;
				return 0;
			}
		}
		if (!strncmp(s, "LAB_", 4) && strchr(s, '='))
			return k_fail(k, "lab.conf:%u: unknown key \"%.*s\" "
				      "(LAB_NAME, LAB_DESCRIPTION, "
				      "LAB_VERSION, "
				      "LAB_AUTHOR, LAB_EMAIL or LAB_WEB)", line,
				      (int)(strchr(s, '=') - s), s);
		return k_fail(k, "lab.conf:%u: expected DEVICE[ARG]=VALUE, "
			      "DEVICE of a-z, 0-9 and _", line);
	}
	if (kl > 30)
		return k_fail(k, "lab.conf:%u: device name longer than 30 "
			      "characters", line);
	memcpy(key, s, kl);
	key[kl] = '\0';
	s += kl + 1;
	al = strspn(s, "abcdefghijklmnopqrstuvwxyz"
		    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_");
	if (!al || s[al] != ']' || s[al + 1] != '=')
		return k_fail(k, "lab.conf:%u: expected %s[ARG]=VALUE, ARG "
			      "a number or an option name", line, key);
	if (al >= sizeof(arg))
		return k_fail(k, "lab.conf:%u: option name longer than %zu "
			      "characters", line, sizeof(arg) - 1);
	memcpy(arg, s, al);
	arg[al] = '\0';
	v = s + al + 2;
	if (*v == '"' || *v == '\'') {
		char q = *v++;

		end = strchr(v, q);
		if (!end)
			return k_fail(k, "lab.conf:%u: the value has no "
				      "closing %c", line, q);
		*end++ = '\0';
		end += strspn(end, " \t");
		if (*end && *end != '#')
			return k_fail(k, "lab.conf:%u: text after the "
				      "closing quote", line);
	} else {
		for (end = v; *end; end++)
			if (*end == '#' && end > v &&
			    (end[-1] == ' ' || end[-1] == '\t'))
				break;
		*end = '\0';
		while (end > v && (end[-1] == ' ' || end[-1] == '\t'))
			*--end = '\0';
	}
	if (!*v)
		return k_fail(k, "lab.conf:%u: %s[%s] has an empty value",
			      line, key, arg);
	di = dev_get(k, key, line);
	if (di < 0)
		return di;
	if (isdigit((unsigned char)arg[0])) {
		if (strspn(arg, "0123456789") != al)
			return k_fail(k, "lab.conf:%u: interface \"%s\" is "
				      "not a number", line, arg);
		return add_iface(k, (unsigned)di, arg, v, line);
	}
	r = add_option(k, (unsigned)di, key, arg, v, line);
	return r;
}

static int parse_conf(struct k_lab *k, char *buf, size_t len)
{
	size_t off = 0;
	unsigned line = 0;
	int r;

	while (off < len) {
		char *s = buf + off, *nl = memchr(s, '\n', len - off);
		size_t ll = nl ? (size_t)(nl - s) : len - off, bad;

		line++;
		off += ll + (nl ? 1 : 0);
		if (ll > K_LINE_MAX)
			return k_fail(k, "lab.conf:%u: longer than %d bytes",
				      line, K_LINE_MAX);
		s[ll] = '\0';
		if (ll && s[ll - 1] == '\r')
			s[--ll] = '\0';
		if (line == 1 && !strncmp(s, "\xef\xbb\xbf", 3))
			s += 3, ll -= 3;
		bad = text_bad_at(s, ll, 0);
		if (bad < ll)
			return k_fail(k, "lab.conf:%u: %s at byte %zu", line,
				      s[bad] ? (unsigned char)s[bad] < 0x80 ?
				      "a control character" : "not UTF-8 text"
				      : "a NUL byte", bad + 1);
		while (*s == ' ' || *s == '\t')
			s++;
		ll = strlen(s);
		while (ll && (s[ll - 1] == ' ' || s[ll - 1] == '\t'))
			s[--ll] = '\0';
		if (!*s || *s == '#')
			continue;
		r = parse_conf_line(k, s, line);
		if (r)
			return r;
	}
	return 0;
}

/* ---- node folders ---- */

static int path_carried(const char *p)
{
	/* the trees of a node's own view a <file> may go to; shared/ is
	 * the lab's folder, not a node's */
	static const char *const roots[] = { "etc/", "run/", "tmp/" };
	unsigned i;

	for (i = 0; i < 3; i++)
		if (!strncmp(p, roots[i], strlen(roots[i])))
			return 1;
	return 0;
}

/* gcc 12 -fanalyzer reports the strings stored in the realloc'd array of
 * files at a variable index as leaked (a false positive: k_free() frees
 * them). */
#ifndef __clang__
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wanalyzer-malloc-leak"
#endif
/* Walk FD (the folder REL below DIR/TOP), adding its regular files. */
static int walk(struct k_lab *k, int fd, const char *top, char *rel,
		size_t rl, unsigned depth, struct k_file **files,
		unsigned *n, int shared)
{
	struct dirent **ents = NULL;
	DIR *dir;
	int r = 0, m, i;

	dir = fdopendir(fd);
	if (!dir) {
		close(fd);
		snprintf(k->why, k->whylen, "%s/%s/%s: %s", k->dir, top, rel,
			 strerror(errno));
		return -errno;
	}
	/* sorted, so the output does not depend on the file system */
	m = scandirat(fd, ".", &ents, NULL, alphasort);
	if (m < 0) {
		r = -errno;
		snprintf(k->why, k->whylen, "%s/%s/%s: %s", k->dir, top, rel,
			 strerror(errno));
		closedir(dir);
		return r;
	}
	for (i = 0; i < m && !r; i++) {
		const char *name = ents[i]->d_name;
		size_t nl = strlen(name);
		struct stat st;

		if (!strcmp(name, ".") || !strcmp(name, ".."))
			continue;
		if (rl + nl + 2 > K_PATH_MAX) {
			k_warn(k, top, 0, "%s%s... (a path longer than %d "
			       "bytes)", rel, name, K_PATH_MAX);
			continue;
		}
		memcpy(rel + rl, name, nl + 1);
		if (fstatat(fd, name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
			r = -errno;
			snprintf(k->why, k->whylen, "%s/%s/%s: %s", k->dir,
				 top, rel, strerror(errno));
			break;
		}
		if (text_bad_at(name, nl, 0) < nl) {
			k_warn(k, top, 0, "a file whose name is not plain "
			       "UTF-8 text, in /%.*s", (int)rl, rel);
			continue;
		}
		if (S_ISDIR(st.st_mode)) {
			int sub;

			if (depth >= K_DEPTH_MAX) {
				k_warn(k, top, 0, "/%s/ (deeper than %d "
				       "folders)", rel, K_DEPTH_MAX);
				continue;
			}
			sub = openat(fd, name, O_RDONLY | O_DIRECTORY |
				     O_NOFOLLOW | O_CLOEXEC);
			if (sub < 0) {
				r = -errno;
				snprintf(k->why, k->whylen, "%s/%s/%s: %s",
					 k->dir, top, rel, strerror(errno));
				break;
			}
			rel[rl + nl] = '/';
			rel[rl + nl + 1] = '\0';
			r = walk(k, sub, top, rel, rl + nl + 1, depth + 1,
				 files, n, shared);
			continue;
		}
		if (S_ISLNK(st.st_mode)) {
			k_warn(k, top, 0, "/%s (a symlink: not followed)",
			       rel);
			continue;
		}
		if (!S_ISREG(st.st_mode)) {
			k_warn(k, top, 0, "/%s (not a regular file)", rel);
			continue;
		}
		if (!shared && !path_carried(rel)) {
			k_warn(k, top, 0, "/%s (nslab places a node's files "
			       "only under /etc, /run and /tmp)", rel);
			continue;
		}
		if ((unsigned long long)st.st_size > K_FILE_MAX) {
			r = k_fail(k, "%s/%s/%s: larger than 16 MiB", k->dir,
				   top, rel);
			break;
		}
		k->file_bytes += (unsigned long long)st.st_size;
		if (++k->n_files > K_FILES_MAX ||
		    k->file_bytes > K_FILES_BYTES) {
			r = k_fail(k, "%s: more than %d files or 64 MiB in the "
				   "device and shared folders", k->dir,
				   K_FILES_MAX);
			break;
		}
		if (grow((void **)files, *n, sizeof(**files))) {
			r = -ENOMEM;
			break;
		}
		(*files)[*n].rel = strdup(rel);
		/* no setuid, setgid or sticky bit from a lab directory */
		(*files)[*n].mode = st.st_mode & 0777;
		if (!(*files)[*n].rel) {
			r = -ENOMEM;
			break;
		}
		(*n)++;
	}
	for (i = 0; i < m; i++)
		free(ents[i]);
	free(ents);
	closedir(dir);
	rel[rl] = '\0';
	return r;
}

#ifndef __clang__
#pragma GCC diagnostic pop
#endif

static int walk_top(struct k_lab *k, const char *top, struct k_file **files,
		    unsigned *n, int shared)
{
	char rel[K_PATH_MAX + 1] = "";
	struct stat st;
	int fd;

	if (fstatat(k->dirfd, top, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return errno == ENOENT ? 0 : -errno;
	if (S_ISLNK(st.st_mode)) {
		k_warn(k, top, 0, "the folder (a symlink: not followed)");
		return 0;
	}
	if (!S_ISDIR(st.st_mode))
		return 0;
	fd = openat(k->dirfd, top, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
		    O_CLOEXEC);
	if (fd < 0) {
		snprintf(k->why, k->whylen, "%s/%s: %s", k->dir, top,
			 strerror(errno));
		return -errno;
	}
	return walk(k, fd, top, rel, 0, 1, files, n, shared);
}

/* ---- startup scripts ---- */

struct k_service {
	const char *names;	/* space separated, each space-terminated */
	const char *start;	/* NULL: cannot be carried */
	const char *why;
};

/* The commands that start these services without systemd or a service
 * manager (a node's /run is its own: systemctl finds no systemd in it). */
static const struct k_service services[] = {
	{ "frr ", "/usr/lib/frr/frrinit.sh start",
	  "FRR's own start script: there is no systemd in a node" },
	{ "bind9 named ", "mkdir -p /run/named && chown bind:bind /run/named "
	  "&& /usr/sbin/named -u bind", "named starts itself in the "
	  "background (Debian's bind9)" },
	{ "apache2 ", "apache2ctl start", "apache2ctl needs no systemd" },
	{ "nginx ", "nginx", "nginx starts itself in the background" },
	{ "ssh sshd ", "mkdir -p /run/sshd && /usr/sbin/sshd",
	  "sshd starts itself in the background" },
	{ "quagga zebra ", NULL, "Quagga is not in Debian 12: use FRR" },
};

static const struct k_service *service_find(const char *name, size_t len)
{
	char key[40];
	unsigned i;

	if (len > 8 && !strncmp(name + len - 8, ".service", 8))
		len -= 8;
	if (!len || len + 2 > sizeof(key))
		return NULL;
	memcpy(key, name, len);
	key[len] = ' ';
	key[len + 1] = '\0';
	for (i = 0; i < sizeof(services) / sizeof(services[0]); i++) {
		const char *p = strstr(services[i].names, key);

		if (p && (p == services[i].names || p[-1] == ' '))
			return &services[i];
	}
	return NULL;
}

/* If LINE starts a service (systemctl start X, service X start,
 * /etc/init.d/X start), the service, and in *SD whether it is
 * systemctl's form. */
static int line_service(const char *s, size_t len, const char **svc,
			size_t *svl, int *sd)
{
	const char *w[4];
	size_t wl[4];
	unsigned n = 0;
	const char *p = s, *e = s + len;

	while (p < e && n < 4) {
		while (p < e && (*p == ' ' || *p == '\t'))
			p++;
		if (p == e)
			break;
		w[n] = p;
		while (p < e && *p != ' ' && *p != '\t')
			p++;
		wl[n] = (size_t)(p - w[n]);
		/* a trailing ';' or '&' ends the command */
		if (p == e && wl[n] > 1 && (w[n][wl[n] - 1] == ';'))
			wl[n]--;
		n++;
	}
	while (p < e && (*p == ' ' || *p == '\t'))
		p++;
	if (p != e)
		return 0;
#define W(i, lit) (wl[i] == strlen(lit) && !strncmp(w[i], lit, wl[i]))
	if (n == 3 && W(0, "systemctl") && (W(1, "start") || W(1, "restart"))) {
		*svc = w[2], *svl = wl[2], *sd = 1;
		return 1;
	}
	if (n == 3 && W(0, "service") && (W(2, "start") || W(2, "restart"))) {
		*svc = w[1], *svl = wl[1], *sd = 0;
		return 1;
	}
	if (n == 2 && wl[0] > 12 && !strncmp(w[0], "/etc/init.d/", 12) &&
	    (W(1, "start") || W(1, "restart"))) {
		*svc = w[0] + 12, *svl = wl[0] - 12, *sd = 0;
		return 1;
	}
#undef W
	return 0;
}

/* Copy script BUF (file SHOWN) to a new string, rewriting the service
 * starts above; each rewrite is a note, each line that cannot run a
 * warning (the line is kept: the user sees it fail). */
static int rewrite_script(struct k_lab *k, const char *shown,
			  const char *buf, size_t len, char **out)
{
	char *text = NULL;
	size_t tl = 0, off = 0;
	unsigned line = 0;
	FILE *f = open_memstream(&text, &tl);

	if (!f)
		return -ENOMEM;
	if (len >= 3 && !memcmp(buf, "\xef\xbb\xbf", 3))
		off = 3;
	while (off < len) {
		const char *s = buf + off, *nl = memchr(s, '\n', len - off);
		size_t ll = nl ? (size_t)(nl - s) : len - off, bad, lead;
		const struct k_service *sv;
		const char *svc;
		size_t svl;
		int sd;

		line++;
		off += ll + (nl ? 1 : 0);
		if (ll && s[ll - 1] == '\r')
			ll--;
		bad = text_bad_at(s, ll, 0);
		if (bad < ll) {
			fclose(f);
			free(text);
			return k_fail(k, "%s:%u: %s at byte %zu", shown, line,
				      s[bad] ? (unsigned char)s[bad] < 0x80 ?
				      "a control character" : "not UTF-8 text"
				      : "a NUL byte", bad + 1);
		}
		lead = strspn(s, " \t");
		if (lead > ll)
			lead = ll;
		if (line_service(s, ll, &svc, &svl, &sd)) {
			sv = service_find(svc, svl);
			if (sv && sv->start) {
				fprintf(k->notes, "nslab: import: %s:%u: "
					"rewritten: \"%.*s\" as \"%s\" (%s)\n",
					shown, line, (int)(ll - lead),
					s + lead, sv->start, sv->why);
				fprintf(f, "%.*s%s\n", (int)lead, s, sv->start);
				continue;
			}
			if (sv || sd)
				k_warn(k, shown, line, "%.*s (%s; the line is "
				       "kept)", (int)(ll - lead), s + lead,
				       sv ? sv->why : "no systemd in nslab "
				       "nodes");
		}
		fprintf(f, "%.*s\n", (int)ll, s);
	}
	if (fclose(f)) {
		free(text);
		return -ENOMEM;
	}
	*out = text;
	return 0;
}

/* ---- output ---- */

/* Text inside an XML comment: no "--", not ending in '-'. */
static void put_comment_text(FILE *out, const char *s)
{
	for (; *s; s++) {
		if (*s == '-' && (s[1] == '-' || !s[1]))
			fputs("- ", out);
		else if (*s == '\n' || *s == '\t')
			fputc(' ', out);
		else
			fputc(*s, out);
	}
}

/* The script as inline text, opened by a comment line naming it: nslab
 * drops the leading blank line of inline text and the indentation common
 * to all its lines (topologies/README.md, <file>), and the comment, at
 * the start of a line, keeps that common indentation nil, so indented
 * lines (in a heredoc or a quoted string) reach the node as written. */
static void put_cdata(FILE *out, const char *shown, const char *s)
{
	const char *e;

	fputs("<![CDATA[\n# ", out);
	put_comment_text(out, shown);
	fputs(", imported by nslab import kathara\n", out);
	while ((e = strstr(s, "]]>"))) {
		fwrite(s, 1, (size_t)(e - s) + 2, out);
		fputs("]]><![CDATA[", out);
		s = e + 2;
	}
	fputs(s, out);
	fputs("]]>", out);
}

/* nslab name from S: A-Za-z0-9_- only, a letter first, 1 to 32. */
static void make_name(const char *s, char out[K_NAME_MAX + 1],
		      const char *prefix)
{
	size_t n = 0;

	if (!isalpha((unsigned char)*s))
		n = (size_t)snprintf(out, K_NAME_MAX + 1, "%s", prefix);
	for (; *s && n < K_NAME_MAX; s++)
		out[n++] = isalnum((unsigned char)*s) || *s == '_' ||
			   *s == '-' ? *s : '-';
	out[n] = '\0';
}

static int name_taken(struct k_lab *k, const char *name, unsigned upto)
{
	unsigned i;

	if (dev_find(k, name) >= 0)
		return 1;
	for (i = 0; i < upto; i++)
		if (k->doms[i].n != 2 && !strcmp(k->doms[i].sw, name))
			return 1;
	return 0;
}

static int dev_is_router(const struct k_dev *d)
{
	char img[256];
	size_t i;

	if (d->n_ifaces > 1)
		return 1;
	if (!d->image)
		return 0;
	snprintf(img, sizeof(img), "%s", d->image);
	for (i = 0; img[i]; i++)
		img[i] = (char)tolower((unsigned char)img[i]);
	return strstr(img, "frr") || strstr(img, "quagga");
}

static int put_script(struct k_lab *k, FILE *out, const char *name,
		      const char *path, const char *shown, int *present)
{
	char *buf = NULL, *text = NULL;
	size_t len;
	int r;

	*present = 0;
	r = read_file_at(k, k->dirfd, name, name, K_CONF_MAX, &buf, &len);
	if (r == -ENOENT)
		return 0;
	if (r)
		return r;
	r = rewrite_script(k, shown, buf, len, &text);
	free(buf);
	if (r)
		return r;
	/* shared.startup goes into every device: the lab file must stay
	 * within what nslab reads */
	k->inline_bytes += strlen(text);
	if (k->inline_bytes > K_FILE_MAX) {
		free(text);
		return k_fail(k, "%s: the startup scripts would make a lab "
			      "file over 16 MiB (shared.startup is written "
			      "into every device)", k->dir);
	}
	fprintf(out, "    <file path=\"%s\">", path);
	put_cdata(out, shown, text);
	fputs("</file>\n", out);
	free(text);
	*present = 1;
	return 0;
}

static int put_node(struct k_lab *k, FILE *out, unsigned di, int has_shared)
{
	struct k_dev *d = &k->devs[di];
	const char *kind = dev_is_router(d) ? "router" : "host";
	char name[K_NAME_MAX + 16], path[K_NAME_MAX + 32];
	unsigned i, j;
	int r, here, own;

	fprintf(out, "\n  <!-- %s: image ", d->name);
	put_comment_text(out, d->image ? d->image : "(Kathara's default)");
	fprintf(out, " -->\n  <%s name=\"%s\">\n", kind, d->name);
	for (i = 0; i < k->n_ifs; i++)
		if (k->ifs[i].dev == di && k->ifs[i].mac[0])
			fprintf(out, "    <iface name=\"eth%u\" mac=\"%s\"/>\n",
				k->ifs[i].num, k->ifs[i].mac);
	/* Kathara's defaults in every device, then the device's own */
	fputs("    <sysctl name=\"net.ipv4.icmp_ratelimit\" value=\"0\"/>\n",
	      out);
	if (k->any_ipv6 && d->ipv6 != 1) {
		fputs("    <sysctl name=\"net.ipv6.conf.all.disable_ipv6\" "
		      "value=\"1\"/>\n", out);
		fputs("    <sysctl name=\"net.ipv6.conf.default.disable_ipv6\" "
		      "value=\"1\"/>\n", out);
	}
	if (d->ipv6 == 1)
		fputs("    <sysctl name=\"net.ipv6.conf.all.accept_ra\" "
		      "value=\"0\"/>\n", out);
	for (i = 0; i < d->n_sysctls; i++) {
		fputs("    <sysctl", out);
		xml_put_attr(out, "name", d->sysctls[i].name);
		xml_put_attr(out, "value", d->sysctls[i].value);
		fputs("/>\n", out);
	}
	for (i = 0; i < d->n_files; i++) {
		fputs("    <file", out);
		fprintf(out, " path=\"/");
		xml_put_attr_value(out, d->files[i].rel);
		fputc('"', out);
		snprintf(name, sizeof(name), "%s/", d->name);
		fprintf(out, " src=\"%s", name);
		xml_put_attr_value(out, d->files[i].rel);
		fputc('"', out);
		if (d->files[i].mode != 0644)
			fprintf(out, " mode=\"%04o\"", d->files[i].mode);
		fputs("/>\n", out);
	}
	/* the lab's shared folder, placed once (it is one directory) */
	if (di == k->order[0])
		for (j = 0; j < k->n_shared; j++) {
			fputs("    <file path=\"/shared/", out);
			xml_put_attr_value(out, k->shared[j].rel);
			fputs("\" src=\"shared/", out);
			xml_put_attr_value(out, k->shared[j].rel);
			fputc('"', out);
			if (k->shared[j].mode != 0644)
				fprintf(out, " mode=\"%04o\"",
					k->shared[j].mode);
			fputs("/>\n", out);
		}
	here = 0;
	if (has_shared) {
		r = put_script(k, out, "shared.startup",
			       "/run/kathara/shared.startup",
			       "shared.startup", &here);
		if (r)
			return r;
	}
	snprintf(name, sizeof(name), "%s.startup", d->name);
	snprintf(path, sizeof(path), "/run/kathara/%s.startup", d->name);
	r = put_script(k, out, name, path, name, &own);
	if (r)
		return r;
	if (here)
		fputs("    <start timeout=\"120s\">bash "
		      "/run/kathara/shared.startup</start>\n", out);
	if (own)
		fprintf(out, "    <start timeout=\"120s\">bash %s</start>\n",
			path);
	/* lab.conf's lines were checked to be plain text as read */
	for (j = 0; j < d->n_execs; j++) {
		fputs("    <start>", out);
		xml_put_escaped(out, d->execs[j]);
		fputs("</start>\n", out);
	}
	fprintf(out, "  </%s>\n", kind);
	return 0;
}

static void put_header(struct k_lab *k, FILE *out)
{
	size_t dl = strlen(k->dir);
	unsigned i;

	/* the directory as given, when XML can carry it */
	fputs("<!-- imported from ", out);
	put_comment_text(out, text_bad_at(k->dir, dl, 0) == dl ? k->dir :
			 "a directory whose name is not plain text");
	fputs(" by nslab import kathara\n", out);
	for (i = 1; i < 6; i++)
		if (k->meta[i]) {
			fprintf(out, "     %s: ", meta_keys[i]);
			put_comment_text(out, k->meta[i]);
			fputc('\n', out);
		}
	fputs("\n"
	      "     Keep this file in that directory: its <file src=>\n"
	      "     paths are relative to it.  The startup scripts set the\n"
	      "     addresses, as in Kathara: nslab sets none\n"
	      "     (ipbase=\"none\"; IPv6 only where ipv6=true) and so knows\n"
	      "     no node's address (pingall, /etc/hosts).  Kathara\n"
	      "     forwards IPv4 with rp_filter off in every device: here\n"
	      "     devices with an FRR or Quagga image or more than one\n"
	      "     interface are routers (the same), the others hosts (no\n"
	      "     forwarding).  A collision domain of two interfaces is a\n"
	      "     link, any other a switch.  shared.startup, then\n"
	      "     NODE.startup, run with bash; up fails when one fails\n"
	      "     (the status of its last command).  Kathara's /shared\n"
	      "     is $NSLAB_SHARED in a node.\n"
	      "-->\n", out);
}

/* The next suffix of each switch base name that clashed (put_lab()). */
struct k_sfx {
	char base[K_NAME_MAX + 1];
	unsigned next;
};

static int put_lab(struct k_lab *k, FILE *out)
{
	char lab[K_NAME_MAX + 1];
	unsigned i, j, n, nsfx = 0;
	struct k_sfx *sfx;
	int r, has_shared;
	struct stat st;

	if (k->meta[0] && is_word(k->meta[0]) && isalpha((unsigned char)
							 k->meta[0][0]) &&
	    strlen(k->meta[0]) <= K_NAME_MAX) {
		snprintf(lab, sizeof(lab), "%s", k->meta[0]);
	} else {
		char *real = realpath(k->dir, NULL);
		const char *base;

		if (!real) {
			int e = errno;

			snprintf(k->why, k->whylen, "%s: %s", k->dir,
				 strerror(e));
			return -e;
		}
		base = strrchr(real, '/');
		base = base && base[1] ? base + 1 : "kathara";
		make_name(base, lab, "k");
		free(real);
	}
	/* switch names: the domain's, made a valid unique nslab name; a
	 * clash takes its base name's next free suffix, counted per base so
	 * that many clashing domains cost no more than a pass each */
	sfx = calloc(k->n_doms + 1, sizeof(*sfx));
	if (!sfx)
		return -ENOMEM;
	for (i = 0; i < k->n_doms; i++) {
		struct k_dom *dm = &k->doms[i];
		char base[K_NAME_MAX + 1];

		if (dm->n == 2)
			continue;
		make_name(dm->name, base, "cd");
		base[K_NAME_MAX - 6] = '\0';
		memcpy(dm->sw, base, sizeof(base));
		if (!name_taken(k, dm->sw, i))
			continue;
		for (n = 0; n < nsfx && strcmp(sfx[n].base, base); n++)
			;
		if (n == nsfx) {
			memcpy(sfx[nsfx].base, base, sizeof(base));
			sfx[nsfx++].next = 2;
		}
		do {
			memcpy(dm->sw, base, sizeof(base));
			snprintf(dm->sw + strlen(dm->sw), 7, "-%u",
				 sfx[n].next++);
		} while (name_taken(k, dm->sw, i));
	}
	free(sfx);
	has_shared = fstatat(k->dirfd, "shared.startup", &st,
			     AT_SYMLINK_NOFOLLOW) == 0;
	put_header(k, out);
	fprintf(out, "<lab name=\"%s\" ipbase=\"none\"%s>\n", lab,
		k->any_ipv6 ? " ipv6=\"on\"" : "");
	for (i = 0; i < k->n_devs; i++) {
		r = put_node(k, out, k->order[i], has_shared);
		if (r)
			return r;
	}
	if (k->n_doms)
		fputc('\n', out);
	for (i = 0; i < k->n_doms; i++)
		if (k->doms[i].n != 2)
			fprintf(out, "  <switch name=\"%s\"/>\n",
				k->doms[i].sw);
	for (i = 0; i < k->n_doms; i++) {
		struct k_iface *a = NULL;

		fprintf(out, "  <!-- collision domain %s -->\n",
			k->doms[i].name);
		for (j = 0; j < k->n_ifs; j++) {
			struct k_iface *f = &k->ifs[j];

			if (f->dom != i)
				continue;
			if (k->doms[i].n != 2) {
				fprintf(out, "  <link a=\"%s:eth%u\" "
					"b=\"%s\"/>\n", k->devs[f->dev].name,
					f->num, k->doms[i].sw);
			} else if (!a) {
				a = f;
			} else {
				fprintf(out, "  <link a=\"%s:eth%u\" "
					"b=\"%s:eth%u\"/>\n",
					k->devs[a->dev].name, a->num,
					k->devs[f->dev].name, f->num);
			}
		}
	}
	fputs("</lab>\n", out);
	return ferror(out) ? -EIO : 0;
}

/* ---- lab.dep: the start order ---- */

#define K_DEPS_MAX	65536

/* lab.dep's rules (DEVICE: DEVICE...) order the devices: each comes after
 * those it depends on, otherwise in lab.conf's order.  nslab runs the
 * start commands node by node in the file's order, so writing the nodes
 * in this order keeps Kathara's.  A device lab.conf does not name is
 * warned about; a cycle is an error. */
static int parse_deps(struct k_lab *k)
{
	unsigned (*dep)[2] = NULL, n_dep = 0, line = 0, i, j, done = 0;
	unsigned *waits = NULL;
	char *buf = NULL, *placed = NULL;
	size_t len, off = 0;
	int r;

	k->order = calloc(k->n_devs, sizeof(*k->order));
	if (!k->order)
		return -ENOMEM;
	r = read_file_at(k, k->dirfd, "lab.dep", "lab.dep", K_CONF_MAX,
			 &buf, &len);
	if (r == -ENOENT) {
		for (i = 0; i < k->n_devs; i++)
			k->order[i] = i;
		return 0;
	}
	if (r)
		return r;
	while (off < len && !r) {
		char *s = buf + off, *nl = memchr(s, '\n', len - off), *w;
		char *save = NULL;
		size_t ll = nl ? (size_t)(nl - s) : len - off, bad;
		int who = -1;

		line++;
		off += ll + (nl ? 1 : 0);
		s[ll] = '\0';
		if (ll && s[ll - 1] == '\r')
			s[--ll] = '\0';
		bad = text_bad_at(s, ll, 0);
		if (bad < ll) {
			r = k_fail(k, "lab.dep:%u: not plain text at byte %zu",
				   line, bad + 1);
			break;
		}
		s += strspn(s, " \t");
		if (!*s || *s == '#')
			continue;
		w = strchr(s, ':');
		if (!w || w == s) {
			r = k_fail(k, "lab.dep:%u: expected DEVICE: DEVICE...",
				   line);
			break;
		}
		*w++ = '\0';
		s[strcspn(s, " \t")] = '\0';
		who = dev_find(k, s);
		if (who < 0)
			k_warn(k, "lab.dep", line, "%s (no such device in "
			       "lab.conf)", s);
		for (s = strtok_r(w, " \t", &save); s && !r;
		     s = strtok_r(NULL, " \t", &save)) {
			int on = dev_find(k, s);

			if (on < 0) {
				k_warn(k, "lab.dep", line, "%s (no such device "
				       "in lab.conf)", s);
				continue;
			}
			if (who < 0)
				continue;
			if (n_dep >= K_DEPS_MAX) {
				r = k_fail(k, "lab.dep:%u: more than %d rules",
					   line, K_DEPS_MAX);
				break;
			}
			if (grow((void **)&dep, n_dep, sizeof(*dep))) {
				r = -ENOMEM;
				break;
			}
			dep[n_dep][0] = (unsigned)who;
			dep[n_dep++][1] = (unsigned)on;
		}
	}
	free(buf);
	placed = calloc(k->n_devs, 1);
	waits = calloc(k->n_devs, sizeof(*waits));
	if (!r && (!placed || !waits))
		r = -ENOMEM;
	/* waits[i]: the rules of device i whose device is not placed yet */
	for (j = 0; !r && j < n_dep; j++)
		waits[dep[j][0]]++;
	/* each round places the first device whose dependencies are placed,
	 * then counts that device off the rules that wait for it */
	while (!r && done < k->n_devs) {
		for (i = 0; i < k->n_devs; i++)
			if (!placed[i] && !waits[i])
				break;
		if (i < k->n_devs)
			for (j = 0; j < n_dep; j++)
				if (dep[j][1] == i)
					waits[dep[j][0]]--;
		if (i == k->n_devs) {
			for (i = 0; placed[i]; i++)
				;
			r = k_fail(k, "lab.dep: the start order of %s is a "
				   "cycle", k->devs[i].name);
			break;
		}
		placed[i] = 1;
		k->order[done++] = i;
	}
	free(waits);
	free(placed);
	free(dep);
	return r;
}

/* Files Kathara reads that nslab has no place for. */
static void warn_extras(struct k_lab *k)
{
	static const char *const names[] = { "lab.ext", "shared.shutdown" };
	struct stat st;
	char name[K_NAME_MAX + 16];
	unsigned i;

	for (i = 0; i < 2; i++)
		if (!fstatat(k->dirfd, names[i], &st, AT_SYMLINK_NOFOLLOW))
			k_warn(k, names[i], 0, "%s", i == 0 ?
			       "links to the host's interfaces" :
			       "nslab runs nothing at down");
	for (i = 0; i < k->n_devs; i++) {
		snprintf(name, sizeof(name), "%s.shutdown", k->devs[i].name);
		if (!fstatat(k->dirfd, name, &st, AT_SYMLINK_NOFOLLOW))
			k_warn(k, name, 0, "nslab runs nothing at down");
	}
}

static void k_free(struct k_lab *k)
{
	unsigned i, j;

	for (i = 0; i < k->n_devs; i++) {
		struct k_dev *d = &k->devs[i];

		free(d->image);
		for (j = 0; j < d->n_sysctls; j++) {
			free(d->sysctls[j].name);
			free(d->sysctls[j].value);
		}
		free(d->sysctls);
		for (j = 0; j < d->n_execs; j++)
			free(d->execs[j]);
		free(d->execs);
		for (j = 0; j < d->n_files; j++)
			free(d->files[j].rel);
		free(d->files);
	}
	for (j = 0; j < k->n_shared; j++)
		free(k->shared[j].rel);
	free(k->shared);
	free(k->order);
	free(k->devs);
	free(k->ifs);
	free(k->doms);
	for (i = 0; i < 6; i++)
		free(k->meta[i]);
	if (k->notes)
		fclose(k->notes);
	free(k->notes_buf);
	if (k->dirfd >= 0)
		close(k->dirfd);
}

int import_kathara(const char *path, FILE *out, FILE *warn, char *why,
		   size_t whylen)
{
	struct k_lab k = { .dir = path, .dirfd = -1, .why = why,
			   .whylen = whylen };
	char *conf = NULL, *text = NULL;
	size_t len = 0, tl = 0;
	FILE *lab = NULL;
	unsigned i;
	int r;

	why[0] = '\0';
	k.notes = open_memstream(&k.notes_buf, &k.notes_len);
	if (!k.notes)
		return -ENOMEM;
	k.dirfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (k.dirfd < 0) {
		r = -errno;
		if (r == -ENOTDIR)
			r = k_fail(&k, "%s: not a directory (a Kathara lab is "
				   "a directory holding lab.conf)", path);
		else
			snprintf(why, whylen, "%s: %s", path, strerror(-r));
		goto done;
	}
	r = read_file_at(&k, k.dirfd, "lab.conf", "lab.conf", K_CONF_MAX,
			 &conf, &len);
	if (r == -ENOENT) {
		snprintf(why, whylen, "%s: no lab.conf in it (not a Kathara "
			 "lab)", path);
		goto done;
	}
	if (r)
		goto done;
	r = parse_conf(&k, conf, len);
	if (r)
		goto done;
	if (!k.n_devs) {
		r = k_fail(&k, "%s/lab.conf: no device in it", path);
		goto done;
	}
	for (i = 0; i < k.n_devs && !r; i++)
		r = walk_top(&k, k.devs[i].name, &k.devs[i].files,
			     &k.devs[i].n_files, 0);
	if (!r)
		r = walk_top(&k, "shared", &k.shared, &k.n_shared, 1);
	if (r)
		goto done;
	r = parse_deps(&k);
	if (r)
		goto done;
	warn_extras(&k);
	/* the whole file first: nothing reaches OUT on a failure */
	lab = open_memstream(&text, &tl);
	if (!lab) {
		r = -ENOMEM;
		goto done;
	}
	r = put_lab(&k, lab);
	if (fclose(lab) && !r)
		r = -ENOMEM;
	if (!r && fwrite(text, 1, tl, out) != tl)
		r = -EIO;
done:
	free(conf);
	free(text);
	if (!r && fflush(k.notes) == 0 && k.notes_len)
		fwrite(k.notes_buf, 1, k.notes_len, warn);
	k_free(&k);
	return r;
}

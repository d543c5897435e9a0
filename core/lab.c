/* lab.c — model helpers: vectors, errors, addresses, shaping. */
#include "lab.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "units.h"

/* ---- errors ------------------------------------------------------------ */

void lab_errors_init(struct lab_errors *e, const char *file)
{
	memset(e, 0, sizeof(*e));
	snprintf(e->file, sizeof(e->file), "%s", file ? file : "-");
}

void lab_err(struct lab_errors *e, int line, const char *fmt, ...)
{
	struct lab_error *x;
	va_list ap;

	if (!e)
		return;
	if (e->n++ >= LAB_ERRORS_MAX)
		return;
	x = &e->v[e->n - 1];
	x->line = line;
	va_start(ap, fmt);
	vsnprintf(x->msg, sizeof(x->msg), fmt, ap);
	va_end(ap);
}

/* ---- model ------------------------------------------------------------- */

struct lab *lab_new(void)
{
	struct lab *lab = calloc(1, sizeof(*lab));

	if (!lab)
		return NULL;
	lab->ipv6 = LAB_V6_AUTO;
	lab->mtu = 1500;
	lab_addr_parse("10.0.0.0/8", &lab->ipbase);
	return lab;
}

void lab_free(struct lab *lab)
{
	int i;

	if (!lab)
		return;
	for (i = 0; i < lab->nnodes; i++)
		free(lab->nodes[i].ifaces);
	free(lab->nodes);
	free(lab->ifaces);
	free(lab->links);
	free(lab->routes);
	free(lab->sysctls);
	free(lab->files);
	free(lab->starts);
	free(lab->steps);
	free(lab->segments);
	arena_free(&lab->arena);
	free(lab);
}

int lab_vec_grow(void **v, int *n, int *cap, size_t elem)
{
	if (*n == *cap) {
		int ncap = *cap ? *cap * 2 : 16;
		void *p = realloc(*v, (size_t)ncap * elem);

		if (!p)
			return -ENOMEM;
		*v = p;
		*cap = ncap;
	}
	memset((char *)*v + (size_t)*n * elem, 0, elem);
	return (*n)++;
}

int lab_node_find(const struct lab *lab, const char *name)
{
	int i;

	for (i = 0; i < lab->nnodes; i++)
		if (!strcmp(lab->nodes[i].name, name))
			return i;
	return -1;
}

int lab_iface_find(const struct lab *lab, int node, const char *name)
{
	int i;

	for (i = 0; i < lab->nifaces; i++)
		if (lab->ifaces[i].node == node && lab->ifaces[i].name &&
		    !strcmp(lab->ifaces[i].name, name))
			return i;
	return -1;
}

const char *lab_kind_name(enum lab_kind k)
{
	static const char *const names[] = { "host", "router", "switch" };

	return names[k];
}

int lab_iface_addrs(const struct lab *lab, int iface, struct lab_addr *out,
		    int max)
{
	const struct lab_iface *f = &lab->ifaces[iface];
	int i, n = 0;

	for (i = 0; i < f->naddrs && n < max; i++)
		out[n++] = f->addrs[i];
	if (f->auto4.family && n < max)
		out[n++] = f->auto4;
	if (f->auto6.family && n < max)
		out[n++] = f->auto6;
	return n;
}

static bool iface_first_addr(const struct lab *lab, int iface, int family,
			     struct lab_addr *out)
{
	struct lab_addr a[LAB_IFACE_ADDRS_ALL];
	int j, k = lab_iface_addrs(lab, iface, a, LAB_IFACE_ADDRS_ALL);

	for (j = 0; j < k; j++)
		if (a[j].family == family) {
			*out = a[j];
			return true;
		}
	return false;
}

bool lab_node_first_addr(const struct lab *lab, int node, int family,
			 struct lab_addr *out)
{
	const struct lab_node *n = &lab->nodes[node];
	int i;

	/* Interfaces in ifindex order, lo last: a router ID on lo should not
	 * shadow the address a neighbour actually reaches. */
	for (i = 0; i < n->nifaces; i++)
		if (iface_first_addr(lab, n->ifaces[i], family, out))
			return true;
	return n->lo_iface >= 0 &&
	       iface_first_addr(lab, n->lo_iface, family, out);
}

/* ---- addresses --------------------------------------------------------- */

int lab_addr_parse(const char *s, struct lab_addr *a)
{
	char ip[INET6_ADDRSTRLEN + 1];
	const char *slash = strchr(s, '/');
	size_t iplen = slash ? (size_t)(slash - s) : strlen(s);
	int max;

	memset(a, 0, sizeof(*a));
	a->prefix = -1;
	if (iplen == 0 || iplen >= sizeof(ip))
		return -EINVAL;
	memcpy(ip, s, iplen);
	ip[iplen] = 0;
	if (inet_pton(AF_INET, ip, a->b) == 1)
		a->family = AF_INET;
	else if (inet_pton(AF_INET6, ip, a->b) == 1)
		a->family = AF_INET6;
	else
		return -EINVAL;
	max = a->family == AF_INET ? 32 : 128;
	if (slash) {
		const char *p = slash + 1;
		int v = 0;

		if (!*p || strlen(p) > 3)
			return -EINVAL;
		for (; *p; p++) {
			if (*p < '0' || *p > '9')
				return -EINVAL;
			v = v * 10 + (*p - '0');
		}
		if (v > max)
			return -ERANGE;
		a->prefix = v;
	}
	return 0;
}

const char *lab_ip_str(const struct lab_addr *a, char *buf, size_t len)
{
	if (!a->family || !inet_ntop(a->family, a->b, buf, (socklen_t)len))
		snprintf(buf, len, "?");
	return buf;
}

const char *lab_mac_str(const uint8_t *m, char *buf)
{
	sprintf(buf, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3],
		m[4], m[5]);
	return buf;
}

const char *lab_addr_str(const struct lab_addr *a, char *buf, size_t len)
{
	size_t n;

	lab_ip_str(a, buf, len);
	n = strlen(buf);
	if (a->prefix >= 0 && n < len)
		snprintf(buf + n, len - n, "/%d", a->prefix);
	return buf;
}

void lab_addr_mask(struct lab_addr *a, int prefix)
{
	int bytes = a->family == AF_INET ? 4 : 16;
	int i;

	for (i = 0; i < bytes; i++) {
		int bits = prefix - i * 8;

		if (bits >= 8)
			continue;
		a->b[i] &= bits <= 0 ? 0 : (uint8_t)(0xff << (8 - bits));
	}
}

bool lab_addr_same_net(const struct lab_addr *a, const struct lab_addr *b,
		       int p)
{
	struct lab_addr x = *a, y = *b;

	if (a->family != b->family)
		return false;
	lab_addr_mask(&x, p);
	lab_addr_mask(&y, p);
	return !memcmp(x.b, y.b, 16);
}

int lab_addr_cmp(const struct lab_addr *a, const struct lab_addr *b)
{
	if (a->family != b->family)
		return a->family - b->family;
	return memcmp(a->b, b->b, 16);
}

/* IPv4 blocks whose addresses are never a host's own, nor a next hop
 * (topologies/README.md, <iface>), as host-order ranges; the first match
 * names the problem, so the broadcast address comes before 240.0.0.0/4.
 * One table for single addresses and for pools. */
static const struct v4_block {
	uint32_t lo, hi;
	const char *is, *holds;
} v4_blocks[] = {
	{ 0x00000000u, 0x00ffffffu,
	  "is in 0.0.0.0/8 (\"this network\"), not a host address",
	  "holds addresses of 0.0.0.0/8 (\"this network\")" },
	{ 0x7f000000u, 0x7fffffffu, "is a loopback address (127.0.0.0/8)",
	  "holds loopback addresses (127.0.0.0/8)" },
	{ 0xe0000000u, 0xefffffffu, "is a multicast address (224.0.0.0/4)",
	  "holds multicast addresses (224.0.0.0/4)" },
	{ 0xffffffffu, 0xffffffffu, "is the limited broadcast address",
	  "holds 255.255.255.255, the limited broadcast address" },
	{ 0xf0000000u, 0xffffffffu, "is in the reserved block 240.0.0.0/4",
	  "holds addresses of the reserved block 240.0.0.0/4" },
};

/* The first special block [lo, hi] overlaps: its text for one address
 * (lo == hi) or for a pool. */
static const char *v4_special_range(uint32_t lo, uint32_t hi, bool pool)
{
	size_t i;

	for (i = 0; i < sizeof(v4_blocks) / sizeof(v4_blocks[0]); i++)
		if (lo <= v4_blocks[i].hi && hi >= v4_blocks[i].lo)
			return pool ? v4_blocks[i].holds : v4_blocks[i].is;
	return NULL;
}

static const char *v6_special(const uint8_t *b)
{
	static const uint8_t zero[15];

	if (b[0] == 0xff)
		return "is a multicast address (ff00::/8)";
	if (!memcmp(b, zero, 15) && b[15] == 1)
		return "is the loopback address";
	if (!memcmp(b, zero, 15) && b[15] == 0)
		return "is the unspecified address";
	return NULL;
}

static uint32_t v4_of(const struct lab_addr *a)
{
	return (uint32_t)a->b[0] << 24 | (uint32_t)a->b[1] << 16 |
	       (uint32_t)a->b[2] << 8 | a->b[3];
}

/* The network or broadcast address of its own prefix (none in a /31 or
 * /32, RFC 3021). */
static const char *v4_edge(const struct lab_addr *a, char *net, size_t len)
{
	struct lab_addr n = *a;
	uint32_t host;

	if (a->family != AF_INET || a->prefix < 1 || a->prefix > 30)
		return NULL;
	host = ~0u >> a->prefix;
	lab_addr_mask(&n, a->prefix);
	lab_addr_str(&n, net, len);
	if (!(v4_of(a) & host))
		return "network";
	if ((v4_of(a) & host) == host)
		return "broadcast";
	return NULL;
}

const char *lab_addr_unusable(const struct lab_addr *a, char *buf, size_t len)
{
	const char *why = a->family == AF_INET ? v4_special_range(v4_of(a), v4_of(a), false) :
						 v6_special(a->b);
	char ip[64], net[64];

	if (why) {
		snprintf(buf, len, "%s %s", lab_ip_str(a, ip, sizeof(ip)), why);
		return buf;
	}
	if (a->prefix == 0) {
		snprintf(buf, len, "%s: a prefix length of 0 is not a subnet",
			 lab_addr_str(a, ip, sizeof(ip)));
		return buf;
	}
	why = v4_edge(a, net, sizeof(net));
	if (!why)
		return NULL;
	snprintf(buf, len, "%s is the %s address of %s",
		 lab_addr_str(a, ip, sizeof(ip)), why, net);
	return buf;
}

const char *lab_pool_unusable(const struct lab_addr *base, char *buf,
			      size_t len)
{
	static const struct lab_addr mc6 = { AF_INET6, 8, { 0xff } };
	const char *why = NULL;
	struct lab_addr n = *base;
	char s[64];

	lab_addr_mask(&n, base->prefix);
	if (base->family == AF_INET) {
		uint32_t lo = v4_of(&n);

		why = v4_special_range(lo, lo | (n.prefix >= 32 ? 0 :
						 ~0u >> n.prefix), true);
	} else if (lab_addr_same_net(&n, &mc6, n.prefix < 8 ? n.prefix : 8)) {
		why = "holds multicast addresses (ff00::/8)";
	} else if (v6_special(n.b)) {
		/* ::/N: its first /64 would hand out ::1 */
		why = "holds :: (unspecified) and ::1 (loopback)";
	}
	if (!why)
		return NULL;
	snprintf(buf, len, "%s %s", lab_addr_str(&n, s, sizeof(s)), why);
	return buf;
}

/* ---- regular expressions ---------------------------------------------- */

#define RE_SAT (1ull << 40)

static uint64_t sat_mul(uint64_t a, uint64_t b)
{
	return a && b > RE_SAT / a ? RE_SAT : a * b;
}

static uint64_t sat_add(uint64_t a, uint64_t b)
{
	return a + b > RE_SAT ? RE_SAT : a + b;
}

/* One nesting level: the size of everything so far, and of the last atom
 * (what a repetition that follows applies to). */
struct re_level {
	uint64_t total, last;
};

static void re_atom(struct re_level *l, uint64_t size)
{
	l->total = sat_add(l->total, size);
	l->last = size;
}

/* The last atom k times, one repetition node per copy. */
static void re_repeat(struct re_level *l, uint64_t k)
{
	uint64_t grown = sat_add(sat_mul(l->last, k), k);

	l->total = sat_add(l->total - l->last, grown);
	l->last = grown;
}

/* Past a bracket expression "[...]" ("[]a]", "[^]a]", "[[:alpha:]]"). */
static const char *re_skip_bracket(const char *p)
{
	p++;
	if (*p == '^')
		p++;
	if (*p == ']')
		p++;
	while (*p && *p != ']') {
		if (*p == '[' && (p[1] == ':' || p[1] == '=' || p[1] == '.')) {
			char c = p[1];

			for (p += 2; *p && !(p[0] == c && p[1] == ']'); p++)
				;
			if (*p)
				p += 2;
		} else {
			p++;
		}
	}
	return *p ? p + 1 : p;
}

static uint64_t re_number(const char **p, bool *seen)
{
	uint64_t v = 0;

	for (*seen = false; **p >= '0' && **p <= '9'; (*p)++, *seen = true)
		v = sat_add(sat_mul(v, 10), (uint64_t)(**p - '0'));
	return v;
}

/* Copies made by an interval glibc accepts: "{m}", "{m,}" (m copies and a
 * star), "{,n}" (n optional copies), "{m,n}".  0 when p does not start an
 * interval (regcomp then reads '{' literally or refuses the pattern). */
static uint64_t re_interval(const char *p, const char **end)
{
	bool hm, hn = false, comma;
	uint64_t m, n = 0;

	p++;
	m = re_number(&p, &hm);
	comma = *p == ',';
	if (comma) {
		p++;
		n = re_number(&p, &hn);
	}
	if (*p != '}' || (!hm && !hn && !comma))
		return 0;
	*end = p + 1;
	if (comma && !hn)
		m = sat_add(m, 1);
	return (m > n ? m : n) ? (m > n ? m : n) : 1;
}

uint64_t lab_regex_size(const char *re)
{
	struct re_level *st = calloc(strlen(re) + 2, sizeof(*st));
	const char *p = re, *end;
	uint64_t k, size;
	size_t d = 0;

	if (!st)
		return RE_SAT;
	while (*p) {
		end = p + 1;
		k = 0;
		if (*p == '(') {
			st[++d] = (struct re_level){ 0, 0 };
		} else if (*p == ')' && d) {
			d--;
			re_atom(&st[d], sat_add(st[d + 1].total, 1));
		} else if (*p == '|') {
			re_atom(&st[d], 1);
			st[d].last = 0;
		} else if (*p == '*' || *p == '?' || *p == '+') {
			k = *p == '+' ? 2 : 1;
		} else if (*p == '{' && (k = re_interval(p, &end))) {
			;
		} else if (*p == '[') {
			re_atom(&st[d], 1);
			end = re_skip_bracket(p);
		} else {
			re_atom(&st[d], 1);
			if (*p == '\\' && p[1])
				end = p + 2;
		}
		if (k)
			re_repeat(&st[d], k);
		p = end;
	}
	for (; d; d--)	/* unclosed groups: regcomp refuses them anyway */
		re_atom(&st[d - 1], sat_add(st[d].total, 1));
	size = st[0].total;
	free(st);
	return size;
}

/* ---- names and node paths ------------------------------------------------ */

static bool set_why(const char **why, const char *text)
{
	if (why)
		*why = text;
	return false;
}

static const char *const impair_names[] = { "auto", "auto", "kernel",
					    "engine" };

const char *lab_impair_name(enum lab_impair m)
{
	return impair_names[m];
}

int lab_impair_parse(const char *s)
{
	int i;

	for (i = LAB_IMPAIR_AUTO; i <= LAB_IMPAIR_ENGINE; i++)
		if (!strcmp(s, impair_names[i]))
			return i;
	return -1;
}

enum lab_impair lab_link_impair(const struct lab *lab, int link)
{
	enum lab_impair m = lab->links[link].impair;

	if (m == LAB_IMPAIR_INHERIT)
		m = lab->impair;
	return m == LAB_IMPAIR_INHERIT ? LAB_IMPAIR_AUTO : m;
}

bool lab_name_check(const char *s, const char **why)
{
	size_t len = s ? strlen(s) : 0, i;

	if (len == 0 || len > LAB_NAME_MAX)
		return set_why(why, "must be 1 to 32 characters");
	if (!((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z')))
		return set_why(why, "must start with a letter");
	for (i = 0; i < len; i++) {
		char c = s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '_' || c == '-'))
			return set_why(why, "may hold only letters, digits, '_' and '-'");
	}
	return true;
}

enum lab_area lab_file_area(const char *path, const char **rest)
{
	/* longest prefix first: /run/shared/ before /run/ */
	static const struct {
		const char *prefix;
		enum lab_area area;
	} map[] = {
		{ "/run/shared/", LAB_AREA_SHARED }, { "/shared/", LAB_AREA_SHARED },
		{ "/etc/", LAB_AREA_ETC }, { "/run/", LAB_AREA_RUN },
		{ "/tmp/", LAB_AREA_TMP },
	};
	size_t i, l;

	for (i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
		l = strlen(map[i].prefix);
		if (!strncmp(path, map[i].prefix, l)) {
			*rest = path + l;
			return map[i].area;
		}
	}
	return LAB_AREA_NONE;
}

/* ---- shaping ----------------------------------------------------------- */

bool lab_shaping_needs_tbf(const struct lab_shaping *s)
{
	return (s->set & LAB_SH_RATE) && s->rate_bps;
}

/* The table of lab.h, with each field's place and size. */
enum shape_kind { SHK_RATE, SHK_TIME, SHK_PCT, SHK_COUNT };

static const struct shape_attr {
	const char *name;
	unsigned bit;
	enum shape_kind kind;
	bool netem;
	size_t off, size;
} shape_attrs[] = {
#define SHAPE_ROW_(n, field, k, nm)                                           \
	{ #n, 1u << LAB_SHI_##n, SHK_##k, nm,                                 \
	  offsetof(struct lab_shaping, field),                                \
	  sizeof(((struct lab_shaping *)0)->field) },
	LAB_SHAPING_ATTRS(SHAPE_ROW_)
};

/* A field is "on" when written and not zero. */
static bool shape_on(const struct lab_shaping *s, const struct shape_attr *a)
{
	const char *p = (const char *)s + a->off;

	if (!(s->set & a->bit))
		return false;
	switch (a->kind) {
	case SHK_PCT:
		return *(const double *)(const void *)p > 0;
	case SHK_COUNT:
		return *(const uint32_t *)(const void *)p != 0;
	default:
		return *(const uint64_t *)(const void *)p != 0;
	}
}

bool lab_shaping_needs_netem(const struct lab_shaping *s)
{
	size_t i;

	for (i = 0; i < sizeof(shape_attrs) / sizeof(shape_attrs[0]); i++)
		if (shape_attrs[i].netem && shape_on(s, &shape_attrs[i]))
			return true;
	return false;
}

double lab_shaping_reorder(const struct lab_shaping *s)
{
	return s->delay_ns ? s->reorder_pct : 0;
}

static int shape_parse(const struct shape_attr *a, void *dst, const char *val,
		       const char **why)
{
	uint64_t q;
	int ret;

	switch (a->kind) {
	case SHK_RATE:
		return units_rate(val, dst, 1, why);
	case SHK_TIME:
		return units_time(val, dst, 1, why);
	case SHK_PCT:
		return units_percent(val, dst, why);
	default:
		ret = units_uint(val, 1, 1000000, &q, why);
		if (!ret)
			*(uint32_t *)dst = (uint32_t)q;
		return ret;
	}
}

int lab_shaping_set(struct lab_shaping *s, const char *key, const char *val,
		    const char **why)
{
	size_t i;
	int ret;

	for (i = 0; i < sizeof(shape_attrs) / sizeof(shape_attrs[0]); i++) {
		const struct shape_attr *a = &shape_attrs[i];

		if (strcmp(key, a->name))
			continue;
		ret = shape_parse(a, (char *)s + a->off, val, why);
		if (!ret)
			s->set |= a->bit;
		return ret;
	}
	return -ENOENT;
}

const char *lab_shaping_str(const struct lab_shaping *s, char *buf, size_t len)
{
	size_t i, n = 0;
	char v[32];

	buf[0] = 0;
	for (i = 0; i < sizeof(shape_attrs) / sizeof(shape_attrs[0]); i++) {
		const struct shape_attr *a = &shape_attrs[i];
		const char *p = (const char *)s + a->off;

		if (!(s->set & a->bit))
			continue;
		switch (a->kind) {
		case SHK_RATE:
			if (!*(const uint64_t *)(const void *)p)
				snprintf(v, sizeof(v), "none");
			else
				units_rate_str(*(const uint64_t *)(const void *)p, v,
					       sizeof(v));
			break;
		case SHK_TIME:
			units_time_str(*(const uint64_t *)(const void *)p, v,
				       sizeof(v));
			break;
		case SHK_PCT:
			snprintf(v, sizeof(v), "%g%%", *(const double *)(const void *)p);
			break;
		default:
			snprintf(v, sizeof(v), "%u", *(const uint32_t *)(const void *)p);
			break;
		}
		n += (size_t)snprintf(buf + n, n < len ? len - n : 0, "%s%s=%s",
				      n ? " " : "", a->name, v);
	}
	return buf;
}

void lab_shaping_merge(struct lab_shaping *dst, const struct lab_shaping *over)
{
	size_t i;

	for (i = 0; i < sizeof(shape_attrs) / sizeof(shape_attrs[0]); i++) {
		const struct shape_attr *a = &shape_attrs[i];

		if (over->set & a->bit)
			memcpy((char *)dst + a->off,
			       (const char *)over + a->off, a->size);
	}
	dst->set |= over->set;
}

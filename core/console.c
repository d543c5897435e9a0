/* console.c — console lines: words and node addresses (see console.h). */
#include "console.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

void console_line_free(struct console_line *l)
{
	int i;

	for (i = 0; l->w && i < l->n; i++)
		free(l->w[i]);
	free(l->w);
	free(l->quoted);
	free(l->at);
	memset(l, 0, sizeof(*l));
}

/* Room for one more word (and the NULL after it). */
static int grow(struct console_line *l, int *cap)
{
	char **w;
	bool *q;
	size_t *at;
	int n = *cap ? *cap * 2 : 8;

	if (l->n + 1 < *cap)
		return 0;
	w = realloc(l->w, (size_t)n * sizeof(*w));
	if (w)
		l->w = w;
	q = realloc(l->quoted, (size_t)n * sizeof(*q));
	if (q)
		l->quoted = q;
	at = realloc(l->at, (size_t)n * sizeof(*at));
	if (at)
		l->at = at;
	if (!w || !q || !at)
		return -ENOMEM;
	*cap = n;
	return 0;
}

/* gcc 12 -fanalyzer reports a string stored in the line's realloc'd array
 * at a variable index as leaked (a false positive: console_line_free()
 * frees l->w[i]). */
#ifndef __clang__
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wanalyzer-malloc-leak"
#endif
/* A new last word of room for len bytes, starting at offset at. */
static int add_word(struct console_line *l, int *cap, size_t len, size_t at)
{
	int ret = grow(l, cap);

	if (ret)
		return ret;
	l->w[l->n] = malloc(len + 1);
	if (!l->w[l->n])
		return -ENOMEM;
	l->at[l->n] = at;
	l->n++;
	l->w[l->n] = NULL;
	return 0;
}

static int replace_word(struct console_line *l, int i, const char *s)
{
	char *d = strdup(s);

	if (!d)
		return -ENOMEM;
	free(l->w[i]);
	l->w[i] = d;
	return 0;
}
#ifndef __clang__
#pragma GCC diagnostic pop
#endif

static bool blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* One word starting at *p (not blank, not a comment) into out (room for
 * the rest of the line); *p moves past it. */
static int word(const char **p, char *out, bool *quoted, const char **why)
{
	const char *s = *p;
	size_t n = 0;

	*quoted = false;
	while (*s && !blank(*s)) {
		if (*s == '\'') {
			*quoted = true;
			for (s++; *s && *s != '\''; s++)
				out[n++] = *s;
			if (!*s) {
				*why = "unterminated single quote";
				return -EINVAL;
			}
			s++;
		} else if (*s == '"') {
			*quoted = true;
			for (s++; *s && *s != '"'; s++) {
				if (*s == '\\' && s[1] && strchr("\"\\$`", s[1]))
					s++;
				out[n++] = *s;
			}
			if (!*s) {
				*why = "unterminated double quote";
				return -EINVAL;
			}
			s++;
		} else if (*s == '\\') {
			*quoted = true;
			if (!s[1]) {
				*why = "a backslash at the end of the line";
				return -EINVAL;
			}
			out[n++] = s[1];
			s += 2;
		} else {
			out[n++] = *s++;
		}
	}
	out[n] = 0;
	*p = s;
	return 0;
}

int console_split(const char *line, struct console_line *l, const char **why)
{
	const char *p = line;
	size_t len = strlen(line);
	int cap = 0, ret = 0;

	memset(l, 0, sizeof(*l));
	*why = NULL;
	for (;;) {
		while (blank(*p))
			p++;
		if (!*p || *p == '#')
			break;
		/* a word is never longer than what is left of the line */
		ret = add_word(l, &cap, len - (size_t)(p - line),
			       (size_t)(p - line));
		if (ret)
			return ret;
		ret = word(&p, l->w[l->n - 1], &l->quoted[l->n - 1], why);
		if (ret)
			return ret;
	}
	if (!l->w) {
		/* an empty line is still NULL-terminated */
		ret = grow(l, &cap);
		if (ret)
			return ret;
		l->w[0] = NULL;
	}
	return 0;
}

const char *console_node_addr(const struct lab *lab, int node, char *buf,
			      size_t len)
{
	struct lab_addr a;

	if (!lab_node_first_addr(lab, node, AF_INET, &a) &&
	    !lab_node_first_addr(lab, node, AF_INET6, &a))
		return NULL;
	return lab_ip_str(&a, buf, len);
}

int console_subst(struct console_line *l, int from, const struct lab *lab)
{
	char buf[64];
	int i, node, n = 0;

	for (i = from < 0 ? 0 : from; i < l->n; i++) {
		if (l->quoted[i])
			continue;
		node = lab_node_find(lab, l->w[i]);
		if (node < 0 || !console_node_addr(lab, node, buf, sizeof(buf)))
			continue;
		if (replace_word(l, i, buf))
			return -ENOMEM;
		n++;
	}
	return n;
}

/* lab_xml_walk.c — helpers for the walk: attributes and their checks,
 * element text, element-name dispatch.  Every message names the element
 * and, through lx_line_of(), its line.
 */
#include <errno.h>
#include <limits.h>
#include <string.h>

#include <libxml/tree.h>

#include "lab_xml_int.h"
#include "units.h"

/* ---- helpers for the walk ---------------------------------------------- */

int lx_line_of(xmlNodePtr n)
{
	long l = xmlGetLineNo(n);

	return l > 0 && l < INT_MAX ? (int)l : 0;
}

const char *lx_ename(xmlNodePtr n)
{
	return (const char *)n->name;
}

/* Copy an attribute's value into the lab's arena (NULL if absent). */
const char *lx_attr(struct parser *p, xmlNodePtr n, const char *name)
{
	xmlChar *v = xmlGetProp(n, (const xmlChar *)name);
	char *s;

	if (!v)
		return NULL;
	s = arena_strdup(&p->lab->arena, (const char *)v);
	xmlFree(v);
	return s;
}

static bool in_list(const char *s, const char *const *list)
{
	for (; list && *list; list++)
		if (!strcmp(s, *list))
			return true;
	return false;
}

/* Every attribute must be known; every required one present.  Returns the
 * number of problems. */
int lx_check_attrs(struct parser *p, xmlNodePtr n,
		const char *const *allowed, const char *const *required)
{
	int bad = 0;
	xmlAttrPtr a;

	for (a = n->properties; a; a = a->next) {
		if (a->ns || !in_list((const char *)a->name, allowed)) {
			lab_err(p->errs, lx_line_of(n),
				"unknown attribute \"%s\" on <%s>", a->name,
				lx_ename(n));
			bad++;
		}
	}
	for (; required && *required; required++) {
		if (!xmlHasProp(n, (const xmlChar *)*required)) {
			lab_err(p->errs, lx_line_of(n),
				"<%s> needs a \"%s\" attribute", lx_ename(n),
				*required);
			bad++;
		}
	}
	return bad;
}

/* yes/no style keywords; *out untouched when absent. */
void lx_keyword(struct parser *p, xmlNodePtr n, const char *name,
	     const char *off, const char *on, bool *out)
{
	const char *v = lx_attr(p, n, name);

	if (!v)
		return;
	if (!strcmp(v, off))
		*out = false;
	else if (!strcmp(v, on))
		*out = true;
	else
		lab_err(p->errs, lx_line_of(n),
			"<%s> %s=\"%s\": must be one of %s, %s", lx_ename(n),
			name, v, off, on);
}


bool lx_has_control(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return true;
	return false;
}

bool lx_valid_ifname(const char *s, const char **why)
{
	size_t len = strlen(s);

	if (len == 0 || len > LAB_IFNAME_MAX) {
		*why = "must be 1 to 15 characters";
		return false;
	}
	if (strpbrk(s, "/: \t\r\n\v\f") || lx_has_control(s)) {
		*why = "may not contain '/', ':', white space or control characters";
		return false;
	}
	if (!strcmp(s, ".") || !strcmp(s, "..")) {
		*why = "may not be \".\" or \"..\"";
		return false;
	}
	return true;
}

void lx_check_ifname(struct parser *p, xmlNodePtr n, const char *what,
		  const char *v)
{
	const char *why;

	if (!lx_valid_ifname(v, &why))
		lab_err(p->errs, lx_line_of(n),
			"<%s> %s=\"%s\": interface name %s", lx_ename(n), what, v,
			why);
}

int lx_uint_attr(struct parser *p, xmlNodePtr n, const char *name,
	      uint64_t min, uint64_t max, uint64_t *out)
{
	const char *v = lx_attr(p, n, name), *why;

	if (!v)
		return 0;
	if (units_uint(v, min, max, out, &why)) {
		lab_err(p->errs, lx_line_of(n),
			"<%s> %s=\"%s\": %s (%llu to %llu)", lx_ename(n), name, v,
			why, (unsigned long long)min, (unsigned long long)max);
		return -EINVAL;
	}
	return 1;
}

/* A time or rate attribute, by its units parser: 1 read, 0 absent,
 * -EINVAL (reported). */
static int unit_attr(struct parser *p, xmlNodePtr n, const char *name,
		     uint64_t *out,
		     int (*parse)(const char *, uint64_t *, int, const char **))
{
	const char *v = lx_attr(p, n, name), *why;

	if (!v)
		return 0;
	if (parse(v, out, 0, &why)) {
		lab_err(p->errs, lx_line_of(n), "<%s> %s=\"%s\": %s", lx_ename(n),
			name, v, why);
		return -EINVAL;
	}
	return 1;
}

int lx_time_attr(struct parser *p, xmlNodePtr n, const char *name,
	      uint64_t *out)
{
	return unit_attr(p, n, name, out, units_time);
}

int lx_rate_attr(struct parser *p, xmlNodePtr n, const char *name,
	      uint64_t *out)
{
	return unit_attr(p, n, name, out, units_rate);
}

void lx_name_attr(struct parser *p, xmlNodePtr n, const char *what,
	       const char **out)
{
	const char *v = lx_attr(p, n, "name"), *why;

	*out = v ? v : "";
	if (v && !lab_name_check(v, &why))
		lab_err(p->errs, lx_line_of(n), "%s name \"%s\" %s", what, v, why);
}

/* Text of an element with blank first/last lines dropped and the common
 * indentation removed (topologies/README.md, <file>). */
static char *dedent(struct arena *a, const char *s, size_t *lenp)
{
	const char *start = s, *end = s + strlen(s), *p, *line;
	size_t common = (size_t)-1, n = 0;
	char *out;

	/* drop leading blank lines */
	for (p = s; *p; p++) {
		if (*p == '\n')
			start = p + 1;
		else if (*p != ' ' && *p != '\t' && *p != '\r')
			break;
	}
	if (!*p)
		start = end;
	/* drop trailing white space (keeps the last line's content) */
	while (end > start && (end[-1] == ' ' || end[-1] == '\t' ||
			       end[-1] == '\n' || end[-1] == '\r'))
		end--;
	for (line = start; line < end;) {
		const char *q = line;
		size_t ind = 0;

		while (q < end && (*q == ' ' || *q == '\t'))
			q++, ind++;
		if (q < end && *q != '\n' && ind < common)
			common = ind;
		q = memchr(line, '\n', (size_t)(end - line));
		line = q ? q + 1 : end;
	}
	if (common == (size_t)-1)
		common = 0;
	out = arena_alloc(a, (size_t)(end - start) + 2);
	if (!out)
		return NULL;
	for (line = start; line < end;) {
		const char *q = memchr(line, '\n', (size_t)(end - line));
		const char *le = q ? q : end;
		size_t skip = 0;

		while (skip < common && line + skip < le &&
		       (line[skip] == ' ' || line[skip] == '\t'))
			skip++;
		memcpy(out + n, line + skip, (size_t)(le - line - skip));
		n += (size_t)(le - line - skip);
		out[n++] = '\n';
		line = q ? q + 1 : end;
	}
	out[n] = 0;
	*lenp = n;
	return out;
}

char *lx_text_of(struct parser *p, xmlNodePtr n, size_t *len)
{
	xmlChar *t = xmlNodeGetContent(n);
	xmlNodePtr c;
	char *s;

	/* text only: an element inside would silently add its own text */
	for (c = n->children; c; c = c->next)
		if (c->type == XML_ELEMENT_NODE)
			lab_err(p->errs, lx_line_of(c), "unknown element <%s> in <%s>",
				lx_ename(c), lx_ename(n));

	s = dedent(&p->lab->arena, t ? (const char *)t : "", len);
	xmlFree(t);
	return s;
}

/* A command: dedented text without its final newline; must not be empty. */
const char *lx_command_text(struct parser *p, xmlNodePtr n)
{
	size_t len;
	char *s = lx_text_of(p, n, &len);

	if (!s)
		return NULL;
	if (len && s[len - 1] == '\n')
		s[len - 1] = 0;
	if (!*s)
		lab_err(p->errs, lx_line_of(n), "<%s> needs a command as its text",
			lx_ename(n));
	return s;
}

/* Element children may only be elements (plus comments, blanks). */
static bool is_blank_text(xmlNodePtr c)
{
	const xmlChar *t = c->content;

	for (; t && *t; t++)
		if (*t != ' ' && *t != '\t' && *t != '\n' && *t != '\r')
			return false;
	return true;
}

static void unknown_child(struct parser *p, xmlNodePtr parent, xmlNodePtr c)
{
	if (c->type == XML_ELEMENT_NODE)
		lab_err(p->errs, lx_line_of(c), "unknown element <%s> in <%s>",
			lx_ename(c), lx_ename(parent));
	else if ((c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) &&
		 !is_blank_text(c))
		/* libxml2 dates a text node by where it ends; the text begins
		 * after the previous sibling (or the parent's start tag). */
		lab_err(p->errs, lx_line_of(c->prev ? c->prev : parent),
			"unexpected text inside <%s>", lx_ename(parent));
}

/* For elements that are always empty: every child is reported. */
const struct handler lx_no_children[] = { { NULL, NULL } };

void lx_dispatch(struct parser *p, xmlNodePtr parent,
	      const struct handler *table, int owner)
{
	const struct handler *h;
	xmlNodePtr c;

	for (c = parent->children; c; c = c->next) {
		if (c->type != XML_ELEMENT_NODE) {
			unknown_child(p, parent, c);
			continue;
		}
		for (h = table; h->name; h++)
			if (!c->ns && !strcmp(lx_ename(c), h->name))
				break;
		if (h->name)
			h->fn(p, c, owner);
		else
			unknown_child(p, parent, c);
	}
}

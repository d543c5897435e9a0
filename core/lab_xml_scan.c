/* lab_xml_scan.c — a lab file's bytes before the walk: reading the file,
 * the pre-scan that caps elements and attributes, libxml2's settings (no
 * external loads, errors into the lab's list) and the schema check.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libxml/parser.h>
#include <libxml/relaxng.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>

#include "lab_xml_int.h"

/* ---- reading the file -------------------------------------------------- */

static int read_all(int fd, char **out, size_t *len, size_t max)
{
	size_t cap = 65536, n = 0;
	char *buf = malloc(cap + 1), *p;
	ssize_t r;

	if (!buf)
		return -ENOMEM;
	for (;;) {
		if (n == cap) {
			if (cap >= max + 1) {
				free(buf);
				return -EFBIG;
			}
			cap *= 2;
			p = realloc(buf, cap + 1);
			if (!p) {
				free(buf);
				return -ENOMEM;
			}
			buf = p;
		}
		r = read(fd, buf + n, cap - n);
		if (r < 0) {
			free(buf);
			return -errno;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	if (n > max) {
		free(buf);
		return -EFBIG;
	}
	buf[n] = 0;
	*out = buf;
	*len = n;
	return 0;
}

/* Read a whole file of at most LAB_FILE_MAX bytes (NUL-terminated). */
int lx_slurp(const char *path, char **out, size_t *len)
{
	struct stat st;
	int fd, ret;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
		close(fd);
		return -EISDIR;
	}
	ret = read_all(fd, out, len, LAB_FILE_MAX);
	close(fd);
	return ret;
}

/* ---- libxml2 setup ----------------------------------------------------- */

static void xml_error_cb(void *ctx, xmlErrorPtr e)
{
	struct lab_errors *errs = ctx;
	char msg[256];
	size_t n;

	if (!e || e->level == XML_ERR_WARNING || !e->message)
		return;
	snprintf(msg, sizeof(msg), "%s", e->message);
	n = strlen(msg);
	while (n && (msg[n - 1] == '\n' || msg[n - 1] == ' '))
		msg[--n] = 0;
	lab_err(errs, e->line > 0 ? e->line : 1, "%s", msg);
}

/* Refuse every external load: a lab file is self-contained (src= files are
 * read by us, not by libxml2). */
static xmlParserInputPtr no_external(const char *url, const char *id,
				     xmlParserCtxtPtr ctxt)
{
	(void)url;
	(void)id;
	(void)ctxt;
	return NULL;
}

void lx_xml_setup(struct lab_errors *errs)
{
	xmlSetExternalEntityLoader(no_external);
	xmlSetStructuredErrorFunc(errs, xml_error_cb);
	xmlSetGenericErrorFunc(NULL, NULL);
}

void lx_xml_reset(void)
{
	xmlSetStructuredErrorFunc(NULL, NULL);
}

/* Find "<!DOCTYPE" before parsing: even an internal subset can define
 * entities (billion laughs), so a DOCTYPE is refused whatever it holds. */
int lx_find_doctype(const char *buf, size_t len)
{
	const char *p = buf, *end = buf + len;
	int line = 1;

	for (; p + 9 <= end; p++) {
		if (*p == '\n')
			line++;
		else if (*p == '<' && !memcmp(p, "<!DOCTYPE", 9))
			return line;
	}
	return 0;
}

/* Count elements and attributes before libxml2 sees the bytes: libxml2
 * checks an element's attributes for duplicates in quadratic time, and its
 * tree costs a few hundred bytes per node, so both are capped
 * (topologies/README.md, Limits).  Comments, CDATA sections and processing
 * instructions are skipped; a quoted value in a tag is one attribute.
 * Returns the line of the first excess, 0 when within the caps. */
struct xml_counts {
	long elements, attrs;
	int tag_attrs;
};

static const char *skip_past(const char *p, const char *end, const char *stop,
			     int *line)
{
	size_t n = strlen(stop);

	for (; p + n <= end; p++) {
		if (!memcmp(p, stop, n))
			return p + n;
		if (*p == '\n')
			(*line)++;
	}
	return end;
}

static int prescan(const char *p, const char *end, struct xml_counts *c,
		   const char **what)
{
	int line = 1;
	char quote = 0;
	bool in_tag = false;

	for (; p < end; p++) {
		if (*p == '\n')
			line++;
		if (quote) {
			quote = *p == quote ? 0 : quote;
		} else if (in_tag && (*p == '"' || *p == '\'')) {
			quote = *p;
			c->attrs++;
			if (++c->tag_attrs > LAB_XML_ATTRS_PER_ELEMENT) {
				*what = "attributes on one element";
				return line;
			}
		} else if (in_tag) {
			in_tag = *p != '>';
		} else if (*p == '<' && end - p >= 4 && !memcmp(p, "<!--", 4)) {
			p = skip_past(p + 4, end, "-->", &line) - 1;
		} else if (*p == '<' && end - p >= 9 && !memcmp(p, "<![CDATA[", 9)) {
			p = skip_past(p + 9, end, "]]>", &line) - 1;
		} else if (*p == '<' && p + 1 < end && p[1] == '?') {
			p = skip_past(p + 2, end, "?>", &line) - 1;
		} else if (*p == '<' && p + 1 < end && p[1] != '/') {
			in_tag = true;
			c->tag_attrs = 0;
			c->elements++;
		}
		if (c->elements > LAB_XML_ELEMENTS_MAX) {
			*what = "elements";
			return line;
		}
		if (c->attrs > LAB_XML_ATTRS_MAX) {
			*what = "attributes";
			return line;
		}
	}
	return 0;
}

int lx_check_size(struct parser *p, const char *buf, size_t len)
{
	struct xml_counts c = { 0 };
	const char *what = "";
	int line = prescan(buf, buf + len, &c, &what);

	p->elements = c.elements;
	if (!line)
		return 0;
	if (c.tag_attrs > LAB_XML_ATTRS_PER_ELEMENT)
		lab_err(p->errs, line,
			"more than %d attributes on one element", LAB_XML_ATTRS_PER_ELEMENT);
	else
		lab_err(p->errs, line,
			"too many %s: a lab file holds at most %d elements and %d attributes",
			what, LAB_XML_ELEMENTS_MAX, LAB_XML_ATTRS_MAX);
	return -EINVAL;
}

/* ---- schema ------------------------------------------------------------- */

int lx_validate_schema(xmlDocPtr doc, struct lab_errors *errs)
{
	static xmlRelaxNGPtr schema;
	xmlRelaxNGValidCtxtPtr v;
	int ret;

	if (!schema) {
		xmlRelaxNGParserCtxtPtr pc = xmlRelaxNGNewMemParserCtxt(
			lab_schema_rng, (int)strlen(lab_schema_rng));

		if (!pc)
			return -ENOMEM;
		schema = xmlRelaxNGParse(pc);
		xmlRelaxNGFreeParserCtxt(pc);
		if (!schema) {
			lab_err(errs, 0, "internal error: the built-in schema does not compile");
			return -EINVAL;
		}
	}
	v = xmlRelaxNGNewValidCtxt(schema);
	if (!v)
		return -ENOMEM;
	xmlRelaxNGSetValidStructuredErrors(v, xml_error_cb, errs);
	ret = xmlRelaxNGValidateDoc(v, doc);
	xmlRelaxNGFreeValidCtxt(v);
	if (ret != 0 && !errs->n)
		lab_err(errs, 0, "the file does not match the lab schema");
	return ret ? -EINVAL : 0;
}

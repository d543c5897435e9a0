/* lab_xml_int.h — shared by the files that read a lab file (lab_xml*.c).
 *
 * Private to the parser: only lab_xml.c, lab_xml_scan.c, lab_xml_walk.c
 * and lab_xml_steps.c include it.  Everything else reads lab.h.
 * The shared helpers are lx_*: the library is
 * static, and short global names would collide with a user's.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <libxml/tree.h>

#include "lab.h"
#include "lab_src.h"

struct parser {
	struct lab *lab;
	struct lab_errors *errs;
	struct lab_srcs srcs;	/* <file src=> files read so far */
	long elements;		/* counted by the pre-scan */
	bool no_src;		/* lab_reparse(): src= files are not read */
};

/* Exact element-name dispatch.  `owner` is the model index of the element
 * whose children are dispatched (the link, for <a> and <b>); handlers that
 * need none ignore it. */
struct handler {
	const char *name;
	void (*fn)(struct parser *p, xmlNodePtr n, int owner);
};

/* lab_xml_scan.c: the bytes before the walk, libxml2's settings, the schema */
int lx_slurp(const char *path, char **out, size_t *len);
void lx_xml_setup(struct lab_errors *errs);
void lx_xml_reset(void);
int lx_find_doctype(const char *buf, size_t len);
int lx_check_size(struct parser *p, const char *buf, size_t len);
int lx_validate_schema(xmlDocPtr doc, struct lab_errors *errs);

/* lab_xml_walk.c: helpers for the walk */
int lx_line_of(xmlNodePtr n);
const char *lx_ename(xmlNodePtr n);
const char *lx_attr(struct parser *p, xmlNodePtr n, const char *name);
int lx_check_attrs(struct parser *p, xmlNodePtr n,
		const char *const *allowed, const char *const *required);
void lx_keyword(struct parser *p, xmlNodePtr n, const char *name,
	     const char *off, const char *on, bool *out);
bool lx_has_control(const char *s);
bool lx_valid_ifname(const char *s, const char **why);
void lx_check_ifname(struct parser *p, xmlNodePtr n, const char *what,
		  const char *v);
int lx_uint_attr(struct parser *p, xmlNodePtr n, const char *name,
	      uint64_t min, uint64_t max, uint64_t *out);
int lx_time_attr(struct parser *p, xmlNodePtr n, const char *name,
	      uint64_t *out);
int lx_rate_attr(struct parser *p, xmlNodePtr n, const char *name,
	      uint64_t *out);
void lx_name_attr(struct parser *p, xmlNodePtr n, const char *what,
	       const char **out);
char *lx_text_of(struct parser *p, xmlNodePtr n, size_t *len);
const char *lx_command_text(struct parser *p, xmlNodePtr n);
extern const struct handler lx_no_children[];
void lx_dispatch(struct parser *p, xmlNodePtr parent,
	      const struct handler *table, int owner);

/* lab_xml.c: shaping and link ends, shared with <link-set> */
void lx_read_shaping(struct parser *p, xmlNodePtr n, struct lab_shaping *s);
void lx_read_end(struct parser *p, xmlNodePtr n, const char *which,
	      struct lab_end *e);

/* lab_xml_steps.c: <tests> */
void lx_el_tests(struct parser *p, xmlNodePtr n, int owner);

/* lab_xml_int.h — shared by the files that read a lab file (lab_xml*.c).
 *
 * Private to the parser: only lab_xml.c, lab_xml_scan.c, lab_xml_walk.c
 * and lab_xml_steps.c include it.  Everything else reads lab.h.
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
};

/* Exact element-name dispatch. */
struct handler {
	const char *name;
	void (*fn)(struct parser *p, xmlNodePtr n, int ctx);
};

/* lab_xml_scan.c: the bytes before the walk, libxml2's settings, the schema */
int slurp(const char *path, char **out, size_t *len);
void xml_setup(struct lab_errors *errs);
void xml_reset(void);
int find_doctype(const char *buf, size_t len);
int check_size(struct parser *p, const char *buf, size_t len);
int validate_schema(xmlDocPtr doc, struct lab_errors *errs);

/* lab_xml_walk.c: helpers for the walk */
int line_of(xmlNodePtr n);
const char *ename(xmlNodePtr n);
const char *attr(struct parser *p, xmlNodePtr n, const char *name);
int check_attrs(struct parser *p, xmlNodePtr n,
		const char *const *allowed, const char *const *required);
void keyword(struct parser *p, xmlNodePtr n, const char *name,
	     const char *off, const char *on, bool *out);
bool has_control(const char *s);
bool valid_ifname(const char *s, const char **why);
void check_ifname(struct parser *p, xmlNodePtr n, const char *what,
		  const char *v);
int uint_attr(struct parser *p, xmlNodePtr n, const char *name,
	      uint64_t min, uint64_t max, uint64_t *out);
int time_attr(struct parser *p, xmlNodePtr n, const char *name,
	      uint64_t *out);
int rate_attr(struct parser *p, xmlNodePtr n, const char *name,
	      uint64_t *out);
void name_attr(struct parser *p, xmlNodePtr n, const char *what,
	       const char **out);
char *text_of(struct parser *p, xmlNodePtr n, size_t *len);
const char *command_text(struct parser *p, xmlNodePtr n);
extern const struct handler no_children[];
void dispatch(struct parser *p, xmlNodePtr parent,
	      const struct handler *table, int ctx);

/* lab_xml.c: shaping and link ends, shared with <link-set> */
void read_shaping(struct parser *p, xmlNodePtr n, struct lab_shaping *s);
void read_end(struct parser *p, xmlNodePtr n, const char *which,
	      struct lab_end *e);

/* lab_xml_steps.c: <tests> */
void el_tests(struct parser *p, xmlNodePtr n, int ctx);

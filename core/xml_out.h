/* xml_out.h — writing XML text safely (the importers, core/import.h). */
#pragma once

#include <stddef.h>
#include <stdio.h>

/* S as XML character data: & < > " ' escaped, a carriage return as a
 * character reference (a parser would turn a literal one into a newline);
 * bytes XML 1.0 cannot carry (control characters other than tab, newline
 * and carriage return) are dropped.  Returns -1 on a write error. */
int xml_put_escaped(FILE *out, const char *s);
/* the same for the first N bytes of S */
int xml_put_escaped_n(FILE *out, const char *s, size_t n);
/* S as (part of) an attribute value: as xml_put_escaped(), and tab and
 * newline as character references too, since a parser turns literal ones
 * into spaces there. */
int xml_put_attr_value(FILE *out, const char *s);
/* ` NAME="VALUE"`, VALUE as xml_put_attr_value() writes it. */
int xml_put_attr(FILE *out, const char *name, const char *val);

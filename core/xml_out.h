/* xml_out.h — writing XML text safely (the importers, core/import.h). */
#pragma once

#include <stddef.h>
#include <stdio.h>

/* S as XML character data: & < > " ' escaped, a carriage return as a
 * character reference (a parser would turn a literal one into a newline);
 * control characters XML 1.0 cannot carry (all but tab, newline and
 * carriage return) are dropped, and each byte that does not start a
 * character XML 1.0 allows in well-formed UTF-8 (a Latin-1 byte, a
 * surrogate, U+FFFE, U+FFFF) becomes U+FFFD, so what is written always
 * parses.  Returns -1 on a write error. */
int xml_put_escaped(FILE *out, const char *s);
/* the same for the first N bytes of S */
int xml_put_escaped_n(FILE *out, const char *s, size_t n);
/* S as (part of) an attribute value: as xml_put_escaped(), and tab and
 * newline as character references too, since a parser turns literal ones
 * into spaces there. */
int xml_put_attr_value(FILE *out, const char *s);
/* ` NAME="VALUE"`, VALUE as xml_put_attr_value() writes it. */
int xml_put_attr(FILE *out, const char *name, const char *val);

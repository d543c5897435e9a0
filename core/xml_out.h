/* xml_out.h — writing XML text safely (the importers, core/import.h). */
#pragma once

#include <stdio.h>

/* S as XML character data or attribute value: & < > " ' escaped; bytes
 * XML 1.0 cannot carry (control characters other than tab, newline and
 * carriage return) are dropped.  Returns -1 on a write error. */
int xml_put_escaped(FILE *out, const char *s);
/* the same for the first N bytes of S */
int xml_put_escaped_n(FILE *out, const char *s, size_t n);

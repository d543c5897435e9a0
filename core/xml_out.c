/* xml_out.c — see xml_out.h. */
#include "xml_out.h"

#include <stdbool.h>
#include <string.h>

static int put_n(FILE *out, const char *s, size_t n, bool attr)
{
	size_t i;
	int r = 0;

	for (i = 0; i < n && r >= 0; i++) {
		unsigned char c = (unsigned char)s[i];

		switch (c) {
		case '&': r = fputs("&amp;", out); break;
		case '<': r = fputs("&lt;", out); break;
		case '>': r = fputs("&gt;", out); break;
		case '"': r = fputs("&quot;", out); break;
		case '\'': r = fputs("&apos;", out); break;
		case '\r': r = fputs("&#13;", out); break;
		case '\t':
		case '\n':
			if (attr) {
				r = fputs(c == '\t' ? "&#9;" : "&#10;", out);
				break;
			}
			r = putc(c, out) == EOF ? -1 : 0;
			break;
		default:
			if (c < 0x20)
				break;
			r = putc(c, out) == EOF ? -1 : 0;
		}
	}
	return r < 0 ? -1 : 0;
}

int xml_put_escaped_n(FILE *out, const char *s, size_t n)
{
	return put_n(out, s, n, false);
}

int xml_put_escaped(FILE *out, const char *s)
{
	return put_n(out, s, strlen(s), false);
}

int xml_put_attr_value(FILE *out, const char *s)
{
	return put_n(out, s, strlen(s), true);
}

int xml_put_attr(FILE *out, const char *name, const char *val)
{
	if (fprintf(out, " %s=\"", name) < 0 || xml_put_attr_value(out, val) ||
	    putc('"', out) == EOF)
		return -1;
	return 0;
}

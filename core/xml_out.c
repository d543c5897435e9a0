/* xml_out.c — see xml_out.h. */
#include "xml_out.h"

#include <string.h>

int xml_put_escaped_n(FILE *out, const char *s, size_t n)
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
		default:
			if (c < 0x20 && c != '\t' && c != '\n' && c != '\r')
				break;
			r = putc(c, out) == EOF ? -1 : 0;
		}
	}
	return r < 0 ? -1 : 0;
}

int xml_put_escaped(FILE *out, const char *s)
{
	return xml_put_escaped_n(out, s, strlen(s));
}

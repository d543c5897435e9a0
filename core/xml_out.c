/* xml_out.c — see xml_out.h. */
#include "xml_out.h"

#include <stdbool.h>
#include <string.h>

/* The length of the UTF-8 sequence at S (at most N bytes) when it encodes
 * a character XML 1.0 allows (U+80..U+D7FF, U+E000..U+FFFD,
 * U+10000..U+10FFFF), else 0: a stray or missing continuation byte, an
 * overlong form, a surrogate, U+FFFE, U+FFFF or beyond U+10FFFF. */
static size_t utf8_char_len(const unsigned char *s, size_t n)
{
	size_t len, k;
	unsigned long cp;

	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		len = 2, cp = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		len = 3, cp = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		len = 4, cp = s[0] & 0x07;
	else
		return 0;
	if (len > n)
		return 0;
	for (k = 1; k < len; k++) {
		if ((s[k] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[k] & 0x3f);
	}
	if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
	    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff) ||
	    cp == 0xfffe || cp == 0xffff)
		return 0;
	return len;
}

static int put_n(FILE *out, const char *s, size_t n, bool attr)
{
	size_t i, len;
	int r = 0;

	for (i = 0; i < n && r >= 0; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c >= 0x80) {
			len = utf8_char_len((const unsigned char *)s + i, n - i);
			if (!len) {
				/* U+FFFD, the replacement character */
				r = fputs("\xef\xbf\xbd", out);
				continue;
			}
			r = fwrite(s + i, 1, len, out) == len ? 0 : -1;
			i += len - 1;
			continue;
		}

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

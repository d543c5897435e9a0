/* test_xml_out.c — core/xml_out.c: what the importers write always parses,
 * whatever bytes their input held.  Expected strings are worked by hand
 * from XML 1.0's Char production and the UTF-8 rules (RFC 3629). */
#include "../tsuite.h"
#include "xml_out.h"

#include <libxml/parser.h>
#include <stdlib.h>
#include <string.h>

/* What xml_put_escaped (attr 0) or xml_put_attr_value (attr 1) writes. */
static char *written(const char *s, int attr)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(attr ? xml_put_attr_value(f, s) : xml_put_escaped(f, s),
			 0);
	ck_assert_int_eq(fclose(f), 0);
	return buf;
}

static void check_out(const char *in, int attr, const char *want)
{
	char *got = written(in, attr);

	ck_assert_msg(strcmp(got, want) == 0, "\"%s\": got \"%s\", want \"%s\"",
		      in, got, want);
	free(got);
}

START_TEST(test_escapes)
{
	check_out("a<b>&\"c'", 0, "a&lt;b&gt;&amp;&quot;c&apos;");
	check_out("x\r\ny\tz", 0, "x&#13;\ny\tz");
	check_out("x\r\ny\tz", 1, "x&#13;&#10;y&#9;z");
	check_out("bell\a esc\x1b.", 0, "bell esc.");
}
END_TEST

START_TEST(test_utf8_kept)
{
	/* é (2 bytes), € (3), U+D7FF and U+E000 (3, either side of the
	 * surrogates), U+FFFD (3), 𝄞 U+1D11E (4), U+10FFFF (4) */
	static const char *ok[] = {
		"caf\xc3\xa9", "\xe2\x82\xac", "\xed\x9f\xbf", "\xee\x80\x80",
		"\xef\xbf\xbd", "\xf0\x9d\x84\x9e", "\xf4\x8f\xbf\xbf",
	};
	size_t i;

	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
		check_out(ok[i], 0, ok[i]);
}
END_TEST

#define R "\xef\xbf\xbd" /* U+FFFD */

START_TEST(test_utf8_replaced)
{
	check_out("caf\xe9!", 0, "caf" R "!");		/* Latin-1 é */
	check_out("\xef\xbf\xbe", 0, R R R);		/* U+FFFE */
	check_out("a\xef\xbf\xbf" "b", 1, "a" R R R "b"); /* U+FFFF */
	check_out("\xed\xa0\x80", 0, R R R);		/* surrogate D800 */
	check_out("\xc0\xaf", 0, R R);			/* overlong '/' */
	check_out("\xe0\x80\xaf", 0, R R R);		/* overlong, 3 bytes */
	check_out("\xf4\x90\x80\x80", 0, R R R R);	/* U+110000 */
	check_out("\x80x", 0, R "x");			/* stray continuation */
	check_out("\xe2\x82", 0, R R);			/* cut short at the end */
	check_out("\xe2\x82<", 0, R R "&lt;");		/* cut short by ASCII */
}
END_TEST

/* Every byte value at every place in a short string: the output is always
 * a document libxml2 accepts, in text and in an attribute.  One document a
 * leading byte (85 strings each) keeps this to 255 parses: one a string was
 * over Check's 4 s timeout under the sanitizers. */
START_TEST(test_always_parses)
{
	unsigned a, b;

	for (a = 1; a < 256; a++) {
		char *doc = NULL;
		size_t len = 0;
		FILE *f = open_memstream(&doc, &len);
		xmlDocPtr d;

		ck_assert_ptr_nonnull(f);
		fputs("<r>", f);
		for (b = 1; b < 256; b += 3) {
			char in[4] = { (char)a, (char)b, (char)0xbf, 0 };
			char *t = written(in, 0), *v = written(in, 1);

			fprintf(f, "<e a=\"%s\">%s</e>", v, t);
			free(t);
			free(v);
		}
		fputs("</r>", f);
		ck_assert_int_eq(fclose(f), 0);
		d = xmlReadMemory(doc, (int)len, "x.xml", "UTF-8",
				  XML_PARSE_NONET | XML_PARSE_NOERROR |
					  XML_PARSE_NOWARNING);
		ck_assert_msg(d != NULL, "leading byte %02x: %s", a, doc);
		/* every string made its element: 85 of them */
		ck_assert_int_eq(xmlChildElementCount(xmlDocGetRootElement(d)),
				 85);
		xmlFreeDoc(d);
		free(doc);
	}
}
END_TEST

static Suite *xml_out_suite(void)
{
	Suite *s = suite_create("xml_out");
	TCase *tc = tcase_create("core");

	/* the sanitizers slow libxml2 several times over */
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_escapes);
	tcase_add_test(tc, test_utf8_kept);
	tcase_add_test(tc, test_utf8_replaced);
	tcase_add_test(tc, test_always_parses);
	suite_add_tcase(s, tc);
	return s;
}

TSUITE(xml_out_suite)

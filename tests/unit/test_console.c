/* test_console.c — console lines (core/console.h; README.md, "The
 * console"): words split as sh splits a simple command, comments, errors,
 * and node names replaced by their first address, Mininet's rule. */
#include "../tsuite.h"
#include "console.h"
#include "lab.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Split s, which must be accepted, and compare with the words of want
 * ("^"-separated, "" for none). */
static void split_is(const char *s, const char *want)
{
	struct console_line l;
	const char *why = NULL;
	char buf[256], *w, *save = NULL;
	int ret = console_split(s, &l, &why), i = 0;

	ck_assert_msg(ret == 0, "console_split(\"%s\") = %d (%s)", s, ret,
		      why ? why : "?");
	snprintf(buf, sizeof(buf), "%s", want);
	for (w = strtok_r(buf, "^", &save); w; w = strtok_r(NULL, "^", &save), i++) {
		ck_assert_msg(i < l.n, "\"%s\": %d words, want more (%s)", s, l.n,
			      want);
		ck_assert_msg(!strcmp(l.w[i], w), "\"%s\": word %d is \"%s\", want \"%s\"",
			      s, i, l.w[i], w);
	}
	ck_assert_msg(i == l.n, "\"%s\": %d words, want %d (%s)", s, l.n, i, want);
	ck_assert_ptr_null(l.w[l.n]);
	console_line_free(&l);
}

static void split_bad(const char *s, const char *why_part)
{
	struct console_line l;
	const char *why = NULL;
	int ret = console_split(s, &l, &why);

	ck_assert_msg(ret == -EINVAL, "console_split(\"%s\") = %d, want -EINVAL", s,
		      ret);
	ck_assert_msg(why && strstr(why, why_part), "\"%s\": reason \"%s\", want \"%s\"",
		      s, why ? why : "(none)", why_part);
	console_line_free(&l);
}

START_TEST(test_split_words)
{
	split_is("h1 ping -c1 h2", "h1^ping^-c1^h2");
	split_is("  \th1\t  ping   h2  \n", "h1^ping^h2");
	split_is("", "");
	split_is("   \t ", "");
	split_is("h1", "h1");
}
END_TEST

START_TEST(test_split_quotes)
{
	split_is("h1 sh -c 'ping h2 | head -1'", "h1^sh^-c^ping h2 | head -1");
	split_is("h1 echo \"a  b\" c", "h1^echo^a  b^c");
	split_is("h1 echo \"say \\\"hi\\\" \\\\ \\n\"", "h1^echo^say \"hi\" \\ \\n");
	split_is("h1 echo 'it'\"'\"'s'", "h1^echo^it's");
	split_is("h1 echo a\\ b", "h1^echo^a b");
	split_is("h1 echo x'y'z", "h1^echo^xyz");
}
END_TEST

START_TEST(test_split_comments)
{
	split_is("# a comment", "");
	split_is("   #indented", "");
	split_is("h1 echo hi # the rest", "h1^echo^hi");
	split_is("h1 echo a#b", "h1^echo^a#b");
	split_is("h1 echo '#not'", "h1^echo^#not");
}
END_TEST

START_TEST(test_split_errors)
{
	split_bad("h1 echo 'open", "single quote");
	split_bad("h1 echo \"open", "double quote");
	split_bad("h1 echo end\\", "backslash");
}
END_TEST

START_TEST(test_split_offsets)
{
	struct console_line l;
	const char *why, *s = "sh  echo $((1+2)) | cat";

	ck_assert_int_eq(console_split(s, &l, &why), 0);
	ck_assert_int_eq(l.n, 5);
	/* sh takes the rest of the line as written */
	ck_assert_str_eq(s + l.at[1], "echo $((1+2)) | cat");
	ck_assert(!l.quoted[0]);
	console_line_free(&l);
	ck_assert_int_eq(console_split("a 'b' \"c\" d\\e f", &l, &why), 0);
	ck_assert(!l.quoted[0] && l.quoted[1] && l.quoted[2] && l.quoted[3] &&
		  !l.quoted[4]);
	console_line_free(&l);
	/* an empty quoted word is a word */
	ck_assert_int_eq(console_split("h1 echo '' x", &l, &why), 0);
	ck_assert_int_eq(l.n, 4);
	ck_assert_str_eq(l.w[2], "");
	console_line_free(&l);
}
END_TEST

/* h1, h2 on one switch; h6 only IPv6; r1's first address; s1 none. */
static const char lab_xml[] =
	"<lab name=\"con\" ipbase=\"none\">\n"
	"  <host name=\"h1\"><iface name=\"eth0\" addr=\"10.0.0.1/8\"/></host>\n"
	"  <host name=\"h2\"><iface name=\"eth0\" addr=\"10.0.0.2/8 fd00:1::2/64\"/></host>\n"
	"  <host name=\"h6\"><iface name=\"eth0\" addr=\"fd00::6/64\"/></host>\n"
	"  <router name=\"r1\"><iface name=\"eth0\" addr=\"192.168.7.1/24\"/></router>\n"
	"  <host name=\"h7\"><iface name=\"eth0\" addr=\"192.168.7.2/24\"/></host>\n"
	"  <switch name=\"s1\"/>\n"
	"  <link a=\"h1\" b=\"s1\"/>\n"
	"  <link a=\"h2\" b=\"s1\"/>\n"
	"  <link a=\"r1\" b=\"h7\"/>\n"
	"  <host name=\"h8\"><iface name=\"eth0\" addr=\"fd00::8/64\"/></host>\n"
	"  <link a=\"h6\" b=\"h8\"/>\n"
	"</lab>\n";

static struct lab *load(void)
{
	struct lab_errors *errs = malloc(sizeof(*errs));
	struct lab *lab = NULL;
	int ret;

	ck_assert_ptr_nonnull(errs);
	lab_errors_init(errs, "console");
	ret = lab_parse_buffer(lab_xml, strlen(lab_xml), "console", ".", &lab,
			       errs);
	if (!ret)
		ret = lab_resolve(lab, errs);
	ck_assert_msg(ret == 0, "the lab is refused: line %d: %s",
		      errs->n ? errs->v[0].line : 0, errs->n ? errs->v[0].msg : "?");
	free(errs);
	return lab;
}

/* Split s, replace from word `from` on, and compare. */
static void subst_is(const struct lab *lab, const char *s, int from,
		     const char *want, int nrepl)
{
	struct console_line l;
	const char *why;
	char got[256] = "";
	int i, n;

	ck_assert_int_eq(console_split(s, &l, &why), 0);
	n = console_subst(&l, from, lab);
	for (i = 0; i < l.n; i++)
		snprintf(got + strlen(got), sizeof(got) - strlen(got), "%s%s",
			 i ? "|" : "", l.w[i]);
	ck_assert_msg(!strcmp(got, want), "\"%s\" from %d: \"%s\", want \"%s\"",
		      s, from, got, want);
	ck_assert_msg(n == nrepl, "\"%s\": %d replaced, want %d", s, n, nrepl);
	console_line_free(&l);
}

START_TEST(test_subst)
{
	struct lab *lab = load();
	char buf[64];

	subst_is(lab, "h1 ping -c1 h2", 2, "h1|ping|-c1|10.0.0.2", 1);
	/* the node and the command word are never replaced */
	subst_is(lab, "h1 h2 h1", 2, "h1|h2|10.0.0.1", 1);
	/* whole words only; quoted words are literal */
	subst_is(lab, "h1 echo h22 xh2 h2: 'h2' \"h2\" h\\2", 2,
		 "h1|echo|h22|xh2|h2:|h2|h2|h2", 0);
	/* a node without an address keeps its name; IPv6 when no IPv4 */
	subst_is(lab, "h1 echo s1 h6 r1 h7", 2,
		 "h1|echo|s1|fd00::6|192.168.7.1|192.168.7.2", 3);
	subst_is(lab, "h1 echo nosuch", 2, "h1|echo|nosuch", 0);
	ck_assert_str_eq(console_node_addr(lab, lab_node_find(lab, "h2"), buf,
					   sizeof(buf)), "10.0.0.2");
	ck_assert_ptr_null(console_node_addr(lab, lab_node_find(lab, "s1"), buf,
					     sizeof(buf)));
	lab_free(lab);
}
END_TEST

static Suite *console_suite(void)
{
	Suite *s = suite_create("console");
	TCase *tc = tcase_create("console");

	tcase_add_test(tc, test_split_words);
	tcase_add_test(tc, test_split_quotes);
	tcase_add_test(tc, test_split_comments);
	tcase_add_test(tc, test_split_errors);
	tcase_add_test(tc, test_split_offsets);
	tcase_add_test(tc, test_subst);
	suite_add_tcase(s, tc);
	return s;
}

TSUITE(console_suite)

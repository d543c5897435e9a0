/* test_input.c — hostile input is refused cleanly: the regular expression
 * size estimate (every interval syntax glibc accepts), and inputs that once
 * crashed the parser (tests/fuzz/regressions). */
#include "../tsuite.h"
#include "lab.h"
#include "plan.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- regular expressions --------------------------------------------------- */

static void re_ok(const char *re)
{
	uint64_t n = lab_regex_size(re);

	ck_assert_msg(n <= LAB_RE_MAX_SIZE, "\"%s\" estimated %llu, want <= %d",
		      re, (unsigned long long)n, LAB_RE_MAX_SIZE);
}

static void re_big(const char *re)
{
	uint64_t n = lab_regex_size(re);

	ck_assert_msg(n > LAB_RE_MAX_SIZE, "\"%s\" estimated %llu, want > %d", re,
		      (unsigned long long)n, LAB_RE_MAX_SIZE);
}

START_TEST(test_regex_intervals)
{
	/* every interval form glibc accepts counts its copies */
	re_big("a{2000}");
	re_big("a{2000,}");
	re_big("a{,2000}");
	re_big("a{0,2000}");
	re_big("a{1999,2000}");
	re_big("a{2000,1}");	/* regcomp refuses it; the guard need not know */
	/* nested groups multiply, whichever syntax each level uses */
	re_big("(((((a{,30}){,30}){,30}){,30}){,30})");
	re_big("((a{,40}){40,}){3}");
	re_big("(a{,32}){,32}");
	re_big("(a+)+(b+)+(c+)+(((d+)+)+)+(((((e+)+)+)+)+)+(((((((f+)+)+)+)+)+)+)+");
	/* optional copies cost their square in glibc: (a?){9999} took 10 s */
	re_big("(a?){9999}");
	re_big("((a?)*){800}");
	/* stacked repetitions multiply too */
	re_big("a{40}{40}");
	ck_assert_uint_gt(lab_regex_size("(a{,10}){,10}"),
			  10 * lab_regex_size("a{,10}") - 10);
	/* unclosed groups still count */
	re_big("((((a{,40}){,40}");
	/* saturates, no overflow */
	ck_assert_uint_ge(lab_regex_size("((((a{32767}){32767}){32767}){32767}){32767}"),
			  1ull << 40);
}
END_TEST

START_TEST(test_regex_ordinary)
{
	re_ok("");
	re_ok("^PING .* 0% packet loss");
	re_ok("via \\(10\\.0");
	re_ok("[0-9]{1,3}(\\.[0-9]{1,3}){3}");
	re_ok("a{100}");
	re_ok("(a{,10}){,10}");
	/* braces that are not intervals, and brackets, are one element */
	re_ok("\\{100000}");
	re_ok("[{]100000}");
	re_ok("[a{100000}]");
	re_ok("[]{]{3}");
	re_ok("[[:digit:]{]+x");
	re_ok("a{}b{x}c{,}");
}
END_TEST

/* ---- nothing is cut short ----------------------------------------------------- */

static char *plan_text(const char *xml, struct lab_errors *errs)
{
	struct plan *plan;
	struct lab *lab;
	char *text = NULL;
	size_t len;
	FILE *f;

	lab_errors_init(errs, "t.xml");
	if (lab_parse_buffer(xml, strlen(xml), "t.xml", ".", &lab, errs))
		return NULL;
	ck_assert_int_eq(lab_resolve(lab, errs), 0);
	ck_assert_int_eq(plan_build(lab, &plan), 0);
	f = open_memstream(&text, &len);
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(plan_print(plan, f, 0), 0);
	fclose(f);
	plan_free(plan);
	lab_free(lab);
	return text;
}

static int count(const char *hay, const char *needle)
{
	int n = 0;

	for (; (hay = strstr(hay, needle)); hay++)
		n++;
	return n;
}

START_TEST(test_no_truncation)
{
	struct tsuite_buf xml = { 0 }, path = { 0 };
	struct lab_errors errs;
	char *text;
	int i;

	/* 40 addresses on one interface: all 40 in the plan (was 32) */
	tsuite_buf_printf(&xml, "<lab name=\"t\"><host name=\"a\"><iface name=\"eth0\" addr=\"");
	for (i = 0; i < 40; i++)
		tsuite_buf_printf(&xml, "10.1.%d.1/24 ", i);
	/* a 1500-byte file path: printed whole (was cut at 599) */
	tsuite_buf_printf(&path, "/etc/");
	for (i = 0; i < 150; i++)
		tsuite_buf_printf(&path, "dir%05d/", i);
	tsuite_buf_printf(&path, "end");
	tsuite_buf_printf(&xml, "\"/><file path=\"%s\">x\n</file></host>"
			  "<host name=\"b\"/><link a=\"a\" b=\"b\"/></lab>", path.s);
	text = plan_text(xml.s, &errs);
	ck_assert_ptr_nonnull(text);
	ck_assert_int_eq(count(text, "-n t.a addr add 10.1."), 40);
	ck_assert_msg(strstr(text, path.s + 5) != NULL, "the file path is cut");
	free(text);
	free(xml.s);
	xml = (struct tsuite_buf){ 0 };
	/* over the limits: refused, not cut */
	tsuite_buf_printf(&xml, "<lab name=\"t\"><host name=\"a\"><iface name=\"eth0\" addr=\"");
	for (i = 0; i < LAB_IFACE_ADDRS_MAX + 1; i++)
		tsuite_buf_printf(&xml, "10.1.%d.1/24 ", i);
	tsuite_buf_printf(&xml, "\"/><file path=\"/etc/");
	for (i = 0; i < 4096; i++)
		tsuite_buf_printf(&xml, "x");
	tsuite_buf_printf(&xml, "\"/></host><host name=\"b\"/><link a=\"a\" b=\"b\"/></lab>");
	ck_assert_ptr_null(plan_text(xml.s, &errs));
	ck_assert_int_eq(errs.n, 2);
	ck_assert_ptr_nonnull(strstr(errs.v[0].msg, "at most 64"));
	ck_assert_ptr_nonnull(strstr(errs.v[1].msg, "longer than 4095"));
	free(xml.s);
	free(path.s);
}
END_TEST

/* ---- fuzz regressions -------------------------------------------------------- */

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	ck_assert_msg(f != NULL, "cannot open %s", path);
	ck_assert_int_eq(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	rewind(f);
	buf = malloc((size_t)n + 1);
	ck_assert_ptr_nonnull(buf);
	ck_assert_uint_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	*len = (size_t)n;
	return buf;
}

/* What tests/fuzz/fuzz_lab.c does to each input. */
static void run_like_fuzzer(const char *buf, size_t len)
{
	struct lab_errors errs;
	struct plan *plan;
	struct lab *lab;
	char desc[512];
	FILE *out;
	int i;

	lab_errors_init(&errs, "fuzz.xml");
	if (lab_parse_buffer(buf, len, "fuzz.xml", "/nonexistent", &lab, &errs))
		return;
	if (lab_resolve(lab, &errs) == 0 && plan_build(lab, &plan) == 0) {
		out = fopen("/dev/null", "w");
		ck_assert_ptr_nonnull(out);
		plan_print(plan, out, 0);
		plan_print(plan, out, 1);
		fclose(out);
		for (i = 0; i < plan->nops; i++)
			plan_op_describe(plan, &plan->ops[i], desc, sizeof(desc));
		plan_free(plan);
	}
	lab_free(lab);
}

START_TEST(test_fuzz_regressions)
{
	DIR *d = opendir(TSUITE_TOP "/tests/fuzz/regressions");
	struct dirent *de;
	int n = 0;

	ck_assert_ptr_nonnull(d);
	while ((de = readdir(d))) {
		char path[512];
		size_t len;
		char *buf;

		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), TSUITE_TOP "/tests/fuzz/regressions/%.400s",
			 de->d_name);
		buf = slurp(path, &len);
		run_like_fuzzer(buf, len);
		free(buf);
		n++;
	}
	closedir(d);
	ck_assert_int_ge(n, 2);
}
END_TEST

Suite *input_suite(void);
Suite *input_suite(void)
{
	Suite *s = suite_create("input");
	TCase *tc = tcase_create("input");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_regex_intervals);
	tcase_add_test(tc, test_regex_ordinary);
	tcase_add_test(tc, test_no_truncation);
	tcase_add_test(tc, test_fuzz_regressions);
	suite_add_tcase(s, tc);
	return s;
}

TSUITE(input_suite)

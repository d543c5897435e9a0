/* test_bad.c — every bad lab file in tests/data/bad is refused with a
 * message on the right line that names what is wrong (tests/data/bad/
 * README.md, tests/data/bad/EXPECTED: FILE <TAB> LINE <TAB> REGEX). */
#include "../tsuite.h"
#include "lab.h"

#include <dirent.h>
#include <regex.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BAD_DIR "tests/data/bad"
#define BAD_MAX 512


/* One EXPECTED line: "FILE\tLINE\tREGEX" (no trailing newline). */
static void check_one(struct tsuite_buf *r, const char *file, int line,
		      const char *re)
{
	struct lab_errors *errs = malloc(sizeof(*errs));
	struct lab *lab = NULL;
	char path[512];
	regex_t rx;
	int ret, rc;

	ck_assert_ptr_nonnull(errs);
	snprintf(path, sizeof(path), BAD_DIR "/%.200s", file);
	lab_errors_init(errs, path);
	ret = lab_load(path, &lab, errs);
	lab_free(lab);
	if (ret >= 0) {
		tsuite_buf_line(r, "%s: accepted", file);
		goto out;
	}
	if (errs->n < 1) {
		tsuite_buf_line(r, "%s: refused (%d) without a message", file, ret);
		goto out;
	}
	rc = regcomp(&rx, re, REG_EXTENDED | REG_ICASE | REG_NOSUB);
	if (rc) {
		tsuite_buf_line(r, "%s: bad regex in EXPECTED: %s", file, re);
		goto out;
	}
	if (errs->v[0].line != line || regexec(&rx, errs->v[0].msg, 0, NULL, 0))
		tsuite_buf_line(r, "%s: want line %d /%s/, got line %d: %s", file,
			   line, re, errs->v[0].line, errs->v[0].msg);
	regfree(&rx);
out:
	free(errs);
}

static int read_expected(char names[][128], int max, struct tsuite_buf *r)
{
	FILE *f = fopen(BAD_DIR "/EXPECTED", "r");
	char buf[2048];
	int n = 0, lineno = 0;

	ck_assert_msg(f != NULL, "cannot open " BAD_DIR "/EXPECTED (run from the top of the tree)");
	while (fgets(buf, sizeof(buf), f)) {
		char *file = buf, *ln, *re, *end;
		size_t k = strlen(buf);
		long line;

		lineno++;
		while (k && (buf[k - 1] == '\n' || buf[k - 1] == '\r'))
			buf[--k] = 0;
		if (!k || buf[0] == '#')
			continue;
		ln = strchr(file, '\t');
		re = ln ? strchr(ln + 1, '\t') : NULL;
		if (!ln || !re) {
			tsuite_buf_line(r, "EXPECTED:%d: not FILE<TAB>LINE<TAB>REGEX", lineno);
			continue;
		}
		*ln++ = 0;
		*re++ = 0;
		line = strtol(ln, &end, 10);
		if (*end || line < 0) {
			tsuite_buf_line(r, "EXPECTED:%d: bad line number \"%s\"", lineno, ln);
			continue;
		}
		if (n < max)
			snprintf(names[n++], 128, "%.127s", file);
		check_one(r, file, (int)line, re);
	}
	fclose(f);
	return n;
}

START_TEST(test_bad_files)
{
	static char names[BAD_MAX][128];
	struct tsuite_buf r = { 0 };
	struct dirent *de;
	DIR *d;
	int n, i, nxml = 0;

	n = read_expected(names, BAD_MAX, &r);
	ck_assert_int_gt(n, 0);
	/* every *.xml in the directory has its line in EXPECTED, and every
	 * EXPECTED entry has its file (a missing file shows up above as a
	 * load failure with "cannot read") */
	d = opendir(BAD_DIR);
	ck_assert_ptr_nonnull(d);
	while ((de = readdir(d))) {
		size_t k = strlen(de->d_name);

		if (k < 4 || strcmp(de->d_name + k - 4, ".xml"))
			continue;
		nxml++;
		for (i = 0; i < n; i++)
			if (!strcmp(names[i], de->d_name))
				break;
		if (i == n)
			tsuite_buf_line(&r, "%s: not listed in EXPECTED", de->d_name);
	}
	closedir(d);
	for (i = 0; i < n; i++) {
		char path[300];
		FILE *f;

		snprintf(path, sizeof(path), BAD_DIR "/%.127s", names[i]);
		f = fopen(path, "r");
		if (!f)
			tsuite_buf_line(&r, "%s: listed in EXPECTED but missing", names[i]);
		else
			fclose(f);
	}
	ck_assert_int_ge(nxml, n > 0 ? 1 : 0);
	ck_assert_msg(r.count == 0, "%d of %d bad files mismatched:%s", r.count,
		      n, r.s ? r.s : "");
	free(r.s);
}
END_TEST

Suite *bad_suite(void);
Suite *bad_suite(void)
{
	Suite *s = suite_create("bad");
	TCase *tc = tcase_create("bad");

	tcase_add_test(tc, test_bad_files);
	suite_add_tcase(s, tc);
	return s;
}

TSUITE(bad_suite)

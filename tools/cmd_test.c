/* cmd_test.c — nslab test NAME [--tap] [--junit FILE]: a running lab's
 * <tests> (core/tester.c), reported as text lines, TAP 13 or JUnit XML;
 * and the same report for nslab run (cmd_up.c). */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "lab.h"
#include "lifecycle.h"
#include "plan.h"
#include "runner.h"
#include "state.h"
#include "tester.h"

/* What the report keeps for JUnit, written once the script ends. */
struct kept {
	char name[256], detail[768];
	bool ok;
	double time;
	char *output;
};

struct report {
	const struct test_opts *o;
	const char *lab;
	int total;
	struct kept *kept;
	time_t started;
};

/* ---- text and TAP ------------------------------------------------------------ */

/* TAP: a '#' in a test name starts a directive; escape it. */
static void tap_name(FILE *f, const char *s)
{
	for (; *s; s++) {
		if (*s == '#' || *s == '\\')
			fputc('\\', f);
		fputc(*s, f);
	}
}

static void yaml_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; s && *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c == '\n')
			fputs("\\n", f);
		else if (c < 0x20 || c == 0x7f)
			fprintf(f, "\\x%02x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

static void on_begin(void *ctx, int n, int total, const char *name)
{
	struct report *rp = ctx;

	(void)name;
	if (n == 1 && rp->o->tap)
		printf("TAP version 13\n1..%d\n", total);
	fflush(stdout);
}

static void on_done(void *ctx, const struct tester_result *r)
{
	struct report *rp = ctx;
	struct kept *k = &rp->kept[r->n - 1];
	char after[64] = "";

	if (r->passed_after >= 0)
		snprintf(after, sizeof(after), "passed after %.1f s; ",
			 r->passed_after);
	if (rp->o->tap) {
		printf("%sok %d - ", r->ok ? "" : "not ", r->n);
		tap_name(stdout, r->name);
		printf("\n  ---\n  detail: ");
		yaml_str(stdout, r->detail);
		printf("\n  duration_ms: %.1f\n", r->secs * 1000);
		if (r->passed_after >= 0)
			printf("  passed_after_ms: %.1f\n", r->passed_after * 1000);
		printf("  tries: %d\n  ...\n", r->tries);
	} else {
		printf("%sok %d - %s (%s%s)\n", r->ok ? "" : "not ", r->n,
		       r->name, after, r->detail);
	}
	fflush(stdout);
	snprintf(k->name, sizeof(k->name), "%s", r->name);
	snprintf(k->detail, sizeof(k->detail), "%s%s", after, r->detail);
	k->ok = r->ok;
	/* JUnit's time of a retried check is how long it took to pass */
	k->time = r->passed_after >= 0 ? r->passed_after : r->secs;
	k->output = r->output ? strdup(r->output) : NULL;
}

/* ---- JUnit ------------------------------------------------------------------- */

/* Text and attribute values: XML 1.0 allows no control characters but tab
 * and newline; invalid bytes become '?'. */
static void xml_text(FILE *f, const char *s)
{
	for (; s && *s; s++) {
		unsigned char c = (unsigned char)*s;

		switch (c) {
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '&': fputs("&amp;", f); break;
		case '"': fputs("&quot;", f); break;
		case '\t': case '\n': fputc(c, f); break;
		default:
			fputc(c < 0x20 || c == 0x7f ? '?' : c, f);
		}
	}
}

static int write_junit(const struct report *rp, const struct tester_summary *s)
{
	char when[32];
	FILE *f = fopen(rp->o->junit, "w");
	int i, ret = 0;

	if (!f)
		return -errno;
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%S", gmtime(&rp->started));
	fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
	fprintf(f, "<testsuites name=\"nslab\" tests=\"%d\" failures=\"%d\" skipped=\"%d\" time=\"%.3f\">\n",
		s->total, s->failed, s->not_run, s->secs);
	fprintf(f, "  <testsuite name=\"");
	xml_text(f, rp->lab);
	fprintf(f, "\" tests=\"%d\" failures=\"%d\" errors=\"0\" skipped=\"%d\" time=\"%.3f\" timestamp=\"%s\">\n",
		s->total, s->failed, s->not_run, s->secs, when);
	for (i = 0; i < rp->total; i++) {
		const struct kept *k = &rp->kept[i];
		bool ran = i < s->passed + s->failed;

		fprintf(f, "    <testcase classname=\"nslab.");
		xml_text(f, rp->lab);
		fprintf(f, "\" name=\"");
		xml_text(f, k->name);
		fprintf(f, "\" time=\"%.3f\">\n", ran ? k->time : 0.0);
		if (!ran) {
			fprintf(f, "      <skipped message=\"not run: interrupted\"/>\n");
		} else if (!k->ok) {
			fprintf(f, "      <failure message=\"");
			xml_text(f, k->detail);
			fprintf(f, "\">");
			xml_text(f, k->output);
			fprintf(f, "</failure>\n");
		}
		if (ran) {
			fprintf(f, "      <system-out>");
			xml_text(f, k->detail);
			if (k->output && *k->output) {
				fputc('\n', f);
				xml_text(f, k->output);
			}
			fprintf(f, "</system-out>\n");
		}
		fprintf(f, "    </testcase>\n");
	}
	fprintf(f, "  </testsuite>\n</testsuites>\n");
	if (ferror(f))
		ret = -EIO;
	if (fclose(f) && !ret)
		ret = -errno;
	return ret;
}

/* ---- the script ------------------------------------------------------------------ */

int cli_run_tests(const struct lab *lab, const struct plan *plan,
		  struct test_opts *o)
{
	struct report rp = { .o = o, .lab = lab->name, .total = lab->nsteps };
	struct tester_io io = { on_begin, on_done, &rp };
	struct tester_summary sum;
	struct state *st = NULL;
	int ret, i;

	rp.started = time(NULL);
	if (!lab->nsteps) {
		cli_info("%s: no <tests> in %s: nothing to run", lab->name,
			 lab->file);
		if (o->tap)
			printf("TAP version 13\n1..0 # no <tests>\n");
		if (o->junit) {
			memset(&sum, 0, sizeof(sum));
			ret = write_junit(&rp, &sum);
			if (ret) {
				cli_err("%s: cannot write %s: %s", lab->name,
					o->junit, strerror(-ret));
				return EXIT_SYSTEM;
			}
		}
		return EXIT_OK;
	}
	rp.kept = calloc((size_t)rp.total, sizeof(*rp.kept));
	if (!rp.kept) {
		cli_err("%s: out of memory", lab->name);
		return EXIT_SYSTEM;
	}
	/* the names of steps an interruption leaves not run, for JUnit */
	for (i = 0; i < rp.total; i++) {
		struct kept *k = &rp.kept[i];

		if (lab->steps[i].name)
			snprintf(k->name, sizeof(k->name), "%s", lab->steps[i].name);
		else
			tester_step_name(lab, &lab->steps[i], k->name, sizeof(k->name));
	}
	ret = state_open_shared(lab->name, &st);
	if (ret) {
		cli_err("lab %s: cannot read its state: %s", lab->name,
			strerror(-ret));
		ret = EXIT_SYSTEM;
		goto out;
	}
	/* commands of a long script must not keep `down` waiting */
	state_unlock(st);
	ret = tester_run(lab, plan, st, &io, &sum);
	if (ret < 0) {
		cli_err("%s: cannot run the tests: %s", lab->name, strerror(-ret));
		ret = EXIT_SYSTEM;
		goto out;
	}
	if (o->tap) {
		if (ret)
			printf("Bail out! interrupted by signal %d: %d steps not run\n",
			       ret - 128, sum.not_run);
		printf("# %d passed, %d failed%s\n", sum.passed, sum.failed,
		       sum.not_run ? ", some not run" : "");
	} else {
		printf("%d passed, %d failed", sum.passed, sum.failed);
		if (sum.not_run)
			printf(", %d not run (interrupted)", sum.not_run);
		printf("\n");
	}
	fflush(stdout);
	if (o->junit) {
		int w = write_junit(&rp, &sum);

		if (w) {
			cli_err("%s: cannot write %s: %s", lab->name, o->junit,
				strerror(-w));
			if (!ret)
				ret = EXIT_SYSTEM;
		}
	}
	if (!ret && sum.failed)
		ret = EXIT_FAILED;
out:
	state_close(st);
	for (i = 0; i < rp.total; i++)
		free(rp.kept[i].output);
	free(rp.kept);
	return ret;
}

/* --tap and --junit FILE; 0, or -1 with usage printed. */
int cli_test_opt(int argc, char **argv, int *i, struct test_opts *o,
		 const char *cmd)
{
	if (!strcmp(argv[*i], "--tap")) {
		o->tap = true;
		return 1;
	}
	if (!strcmp(argv[*i], "--junit")) {
		if (*i + 1 >= argc || !argv[*i + 1][0]) {
			cli_usage(cmd);
			return -1;
		}
		o->junit = argv[++*i];
		return 1;
	}
	return 0;
}

static volatile sig_atomic_t test_signal;

static void on_signal(int sig)
{
	test_signal = sig;
}

int cmd_test(int argc, char **argv)
{
	struct test_opts o = { 0 };
	struct sigaction sa = { .sa_handler = on_signal };
	const char *name = NULL;
	struct state *st = NULL;
	struct plan *plan = NULL;
	struct lab *lab = NULL;
	int i, ret;

	for (i = 1; i < argc; i++) {
		ret = cli_test_opt(argc, argv, &i, &o, "test");
		if (ret < 0)
			return EXIT_USAGE;
		if (ret)
			continue;
		if (argv[i][0] == '-' || name)
			return cli_usage("test");
		name = argv[i];
	}
	if (!name)
		return cli_usage("test");
	ret = cli_need_root();
	if (ret)
		return ret;
	ret = cli_open_running(name, false, &st);
	if (ret)
		return ret;
	ret = cli_running_model(st, name, &lab);
	state_close(st);
	if (ret)
		return ret;
	if (plan_build(lab, &plan)) {
		cli_err("%s: out of memory", name);
		lab_free(lab);
		return EXIT_SYSTEM;
	}
	sigemptyset(&sa.sa_mask);
	runner_cancel = &test_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	ret = cli_run_tests(lab, plan, &o);
	plan_free(plan);
	lab_free(lab);
	return ret;
}

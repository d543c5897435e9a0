/* cmd_up.c — nslab up and nslab run: arguments, the file (or the
 * generated topology of --topo), root, signals;
 * the lab's life itself is core's (core/lifecycle.c). */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "apply.h"
#include "cli.h"
#include "lab.h"
#include "lifecycle.h"
#include "plan.h"
#include "runner.h"
#include "state.h"

static volatile sig_atomic_t got_signal;

static void on_signal(int sig)
{
	got_signal = sig;
}

static void progress_cb(const char *what, int done, int total)
{
	cli_progress(what, done, total);
}

int cli_lab_up(struct lab *lab, const struct plan *plan)
{
	static const struct life_io io = {
		.err = cli_err, .info = cli_info, .progress = progress_cb,
		.progress_end = cli_progress_end,
	};

	_Static_assert((int)LIFE_FAILED == (int)EXIT_FAILED &&
		       (int)LIFE_SYSTEM == (int)EXIT_SYSTEM,
		       "core's exit statuses are the CLI's");
	return life_up(lab, plan, &io);
}

struct up_args {
	struct lab_src src;	/* FILE.xml or --topo SPEC */
	const char *name;
	bool keep;
	struct test_opts t;
};

static int parse_args(int argc, char **argv, struct up_args *u, bool run)
{
	int i;

	memset(u, 0, sizeof(*u));
	for (i = 1; i < argc; i++) {
		int t = run ? cli_test_opt(argc, argv, &i, &u->t, "run") : 0;

		if (t < 0)
			return -1;
		if (t)
			continue;
		if (!strcmp(argv[i], "--name") && i + 1 < argc)
			u->name = argv[++i];
		else if (run && !strcmp(argv[i], "--keep"))
			u->keep = true;
		else if (!strcmp(argv[i], "-v"))
			cli_verbose = 1;
		else if (!strcmp(argv[i], "-q"))
			cli_quiet = 1;
		else if (!cli_lab_src_opt(argc, argv, &i, &u->src))
			goto usage;
	}
	if (u->src.file || u->src.topo)
		return 0;
usage:
	cli_usage(run ? "run" : "up");
	return -1;
}

static int load(const struct up_args *u, struct lab **lab, struct plan **plan)
{
	enum plan_impair how;
	int ret;

	ret = cli_load_src(&u->src, lab);
	if (ret)
		return ret;
	if (u->name) {
		if (!state_name_ok(u->name)) {
			cli_err("--name \"%s\": a lab name is 1 to 32 letters, digits, '_' or '-', starting with a letter",
				u->name);
			lab_free(*lab);
			return EXIT_USAGE;
		}
		(*lab)->name = u->name;
	}
	how = apply_choose_impair(*lab);
	ret = plan_build_for(*lab, how, plan);
	if (ret) {
		cli_err("%s: %s", (*lab)->file, strerror(-ret));
		lab_free(*lab);
		return EXIT_SYSTEM;
	}
	if (how == PLAN_IMPAIR_NO_NETEM && !cli_quiet)
		fprintf(stderr, "nslab: %s: this kernel has no sch_netem (CONFIG_NET_SCH_NETEM): %d link%s go%s through nslab's impairment engine\n",
			(*lab)->name, (*plan)->nrelays,
			(*plan)->nrelays == 1 ? "" : "s",
			(*plan)->nrelays == 1 ? "es" : "");
	return 0;
}

static void catch_signals(void)
{
	struct sigaction sa = { .sa_handler = on_signal };

	sigemptyset(&sa.sa_mask);
	runner_cancel = &got_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
}

/* up and run alike: arguments, the file, root, signals, the build. */
static int up_common(int argc, char **argv, bool run, struct up_args *u,
		     struct lab **lab, struct plan **plan)
{
	int ret;

	if (parse_args(argc, argv, u, run))
		return EXIT_USAGE;
	ret = load(u, lab, plan);
	if (ret)
		return ret;
	ret = cli_need_root();
	if (!ret) {
		catch_signals();
		ret = cli_lab_up(*lab, *plan);
	}
	if (ret) {
		plan_free(*plan);
		lab_free(*lab);
	}
	return ret;
}

int cmd_up(int argc, char **argv)
{
	struct up_args u;
	struct plan *plan;
	struct lab *lab;
	int ret = up_common(argc, argv, false, &u, &lab, &plan);

	if (ret)
		return ret;
	plan_free(plan);
	lab_free(lab);
	return EXIT_OK;
}

int cmd_run(int argc, char **argv)
{
	struct life_down_report rep = { .progress = cli_progress };
	struct up_args u;
	struct plan *plan;
	struct lab *lab;
	int ret = up_common(argc, argv, true, &u, &lab, &plan);

	if (ret)
		return ret;
	if (!got_signal)
		ret = cli_run_tests(lab, plan, &u.t);
	if (got_signal)
		ret = 128 + (int)got_signal;
	if (u.keep && !got_signal) {
		cli_info("lab %s kept running (nslab down %s)", lab->name, lab->name);
	} else {
		int down = life_down(lab->name, &rep);

		cli_progress_end();
		if (down && !ret) {
			cli_err("%s: teardown failed", lab->name);
			ret = EXIT_SYSTEM;
		}
	}
	plan_free(plan);
	lab_free(lab);
	return ret;
}

/* cmd_down.c — nslab down NAME... | --all (README.md, "Commands" and
 * "Security"; core/README.md, "Runner").
 *
 * Per lab (core: life_down): lock, kill every process in its nodes
 * (TERM, KILL after 2 s), end the holder, remove /run/netns/NAME.* and
 * /run/nslab/NAME.  Idempotent: a lab that is gone is fine (-v says so), a
 * half-built one is removed too, and so is a staging dir (.NAME.PID) that an
 * `up` killed before it made /run/nslab/NAME left.  --all also ends holders
 * whose state dir vanished and removes dangling /run/netns symlinks into
 * /proc. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "lifecycle.h"
#include "runner.h"
#include "holder.h"
#include "state.h"

#define DOWN_MAX 4096

static int down_one(const char *lab)
{
	struct life_down_report rep = { .progress = cli_progress };
	int ret;

	if (!state_name_ok(lab)) {
		cli_err("down: '%s': not a valid lab name", lab);
		return EXIT_USAGE;
	}
	ret = life_down(lab, &rep);
	cli_progress_end();
	if (ret == -EPERM || ret == -EUCLEAN) {
		cli_err("down %s: %s/%s is not a lab's directory (%s); not "
			"touching it", lab, state_run_dir(), lab, ret == -EPERM ?
			"not owned by root, or writable by others" :
			"no lock file");
		return EXIT_SYSTEM;
	}
	if (ret == -ETIMEDOUT) {
		cli_err("down %s: its processes or its holder did not exit "
			"in time after SIGKILL (the kernel may still be freeing "
			"a big lab); its files and /run/netns entries are still "
			"there: run `nslab down %s` again", lab, lab);
		return EXIT_SYSTEM;
	}
	if (ret < 0) {
		cli_err("down %s: %s", lab, strerror(-ret));
		return EXIT_SYSTEM;
	}
	if (rep.nimpostors)
		cli_err("down %s: warning: %d process%s named \"nslab: lab %s\" "
			"failed the holder check (not root, or not this nslab "
			"binary): left alone", lab, rep.nimpostors,
			rep.nimpostors == 1 ? "" : "es", lab);
	if (!rep.existed)
		cli_info("lab %s is not running", lab);
	else
		cli_info("lab %s: down (%d processes killed)", lab,
			 rep.nkilled);
	return EXIT_OK;
}

/* gcc 12 -fanalyzer reports the strdup() stored in the caller's array at a
 * variable index as leaked (a false positive: down_all() frees names[i]). */
#ifndef __clang__
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wanalyzer-malloc-leak"
#endif
static void add_name(char **names, int *n, const char *name)
{
	int i;

	for (i = 0; i < *n; i++)
		if (!strcmp(names[i], name))
			return;
	if (*n < DOWN_MAX && (names[*n] = strdup(name)))
		(*n)++;
}
#ifndef __clang__
#pragma GCC diagnostic pop
#endif

static void add_holder_name(const char *lab, void *arg)
{
	struct { char **names; int *n; } *x = arg;

	add_name(x->names, x->n, lab);
}

static int down_all(void)
{
	char *names[DOWN_MAX];
	struct state_info *v;
	int i, n = 0, nv, rc = EXIT_OK, r;

	if (state_list(&v, &nv) == 0) {
		for (i = 0; i < nv; i++)
			add_name(names, &n, v[i].name);
		free(v);
	}
	{	/* labs whose holder runs, state dir or not */
		struct { char **names; int *n; } x = { names, &n };

		holder_each(add_holder_name, &x);
	}
	for (i = 0; i < n; i++) {
		r = down_one(names[i]);
		if (r > rc)
			rc = r;
		free(names[i]);
	}
	state_remove_dangling_links();
	if (state_sweep_staging(NULL) < 0 && rc < EXIT_SYSTEM) {
		cli_err("down --all: cannot remove a staging dir .NAME.PID in %s",
			state_run_dir());
		rc = EXIT_SYSTEM;
	}
	return rc;
}

int cmd_down(int argc, char **argv)
{
	int i, rc, r;

	if (argc < 2)
		return cli_usage("down");
	/* bad input before the root check: no lab name starts with '-' */
	for (i = 1; i < argc; i++) {
		if (argv[i][0] == '-' && strcmp(argv[i], "--all")) {
			cli_err("down: unknown option '%s'", argv[i]);
			return cli_usage("down");
		}
	}
	rc = cli_need_root();
	if (rc)
		return rc;
	if (argc == 2 && !strcmp(argv[1], "--all"))
		return down_all();
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--all")) {
			cli_err("down: --all takes no lab names");
			return EXIT_USAGE;
		}
	}
	for (i = 1; i < argc; i++) {
		r = down_one(argv[i]);
		if (r > rc)
			rc = r;
	}
	return rc;
}

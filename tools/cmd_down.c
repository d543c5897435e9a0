/* cmd_down.c — nslab down NAME... | --all (README.md, "Commands" and
 * "Security"; core/README.md, "Runner").
 *
 * Per lab (core: runner_down_lab): lock, kill every process in its nodes
 * (TERM, KILL after 2 s), end the holder, remove /run/netns/NAME.* and
 * /run/nslab/NAME.  Idempotent: a lab that is gone is fine (-v says so), a
 * half-built one is removed too, and so is a staging dir (.NAME.PID) that an
 * `up` killed before it made /run/nslab/NAME left.  --all also ends holders
 * whose state dir vanished and removes dangling /run/netns symlinks into
 * /proc. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "runner.h"
#include "state.h"

#define DOWN_MAX 4096

static int down_one(const char *lab)
{
	struct runner_down_report rep;
	int ret;

	if (!state_name_ok(lab)) {
		cli_err("down: '%s': not a valid lab name", lab);
		return EXIT_USAGE;
	}
	ret = runner_down_lab(lab, &rep);
	if (ret == -EPERM || ret == -EUCLEAN) {
		cli_err("down %s: %s/%s is not a lab's directory (%s); not "
			"touching it", lab, state_run_dir(), lab, ret == -EPERM ?
			"not owned by root, or writable by others" :
			"no lock file");
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
	/* what an `up` killed in its first steps left */
	ret = state_sweep_staging(lab);
	if (ret < 0) {
		cli_err("down %s: cannot remove a staging dir %s/.%s.PID: %s",
			lab, state_run_dir(), lab, strerror(-ret));
		return EXIT_SYSTEM;
	}
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

/* Labs whose holder runs, state dir or not: processes named
 * "nslab: lab NAME" that pass the proof of state.h (root, our binary). */
static void down_holder_names(char **names, int *n)
{
	char name[LAB_NAME_MAX + 1];
	struct dirent *de;
	DIR *d = opendir("/proc");

	if (!d)
		return;
	while ((de = readdir(d)))
		if (atoi(de->d_name) > 0 &&
		    state_pid_holder_name(atoi(de->d_name), name))
			add_name(names, n, name);
	closedir(d);
}

/* Symlinks like ours (-> /proc/...) whose target is gone. */
static void down_dangling_links(void)
{
	char target[64];
	struct dirent *de;
	struct stat sb;
	ssize_t len;
	int dfd;
	DIR *d;

	dfd = open(state_netns_dir(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0 || !(d = fdopendir(dfd))) {
		if (dfd >= 0)
			close(dfd);
		return;
	}
	while ((de = readdir(d))) {
		len = readlinkat(dfd, de->d_name, target, sizeof(target) - 1);
		if (len <= 0)
			continue;
		target[len] = '\0';
		if (!strncmp(target, "/proc/", 6) && strchr(de->d_name, '.') &&
		    fstatat(dfd, de->d_name, &sb, 0) < 0)
			unlinkat(dfd, de->d_name, 0);
	}
	closedir(d);
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
	down_holder_names(names, &n);
	for (i = 0; i < n; i++) {
		r = down_one(names[i]);
		if (r > rc)
			rc = r;
		free(names[i]);
	}
	down_dangling_links();
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

	if (argc < 2) {
		cli_err("down: usage: nslab down NAME... | --all");
		return EXIT_USAGE;
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

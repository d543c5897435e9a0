/* cmd_check.c — nslab check FILE|--topo SPEC: read, validate and resolve a
 * lab file (or a generated topology), silent on success; and the loading
 * of labs and lab arguments every command shares.  Needs no root and
 * changes nothing. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "lab.h"
#include "lifecycle.h"
#include "state.h"

void cli_lab_errors(const struct lab_errors *errs)
{
	int i, shown = errs->n < LAB_ERRORS_MAX ? errs->n : LAB_ERRORS_MAX;

	for (i = 0; i < shown; i++) {
		if (errs->v[i].line > 0)
			cli_err("%s:%d: %s", errs->file, errs->v[i].line,
				errs->v[i].msg);
		else
			cli_err("%s: %s", errs->file, errs->v[i].msg);
	}
	if (errs->n > shown)
		cli_err("%s: %d more problems not shown", errs->file,
			errs->n - shown);
}

int cli_load_lab(const char *path, struct lab **out)
{
	struct lab_errors errs;
	int ret;

	lab_errors_init(&errs, path);
	ret = lab_load(path, out, &errs);
	if (!ret)
		return EXIT_OK;
	cli_lab_errors(&errs);
	if (!errs.n)
		cli_err("%s: %s", path, strerror(-ret));
	return ret == -ENOMEM ? EXIT_SYSTEM : EXIT_USAGE;
}

bool cli_is_file_arg(const char *arg)
{
	struct stat st;
	size_t n = strlen(arg);

	return strchr(arg, '/') || (n > 4 && !strcmp(arg + n - 4, ".xml")) ||
	       (stat(arg, &st) == 0 && S_ISREG(st.st_mode));
}

int cli_lab_src_opt(int argc, char **argv, int *i, struct lab_src *src)
{
	if (src->file || src->topo)
		return 0;
	if (!strcmp(argv[*i], "--topo") && *i + 1 < argc) {
		src->topo = argv[++*i];
		return 1;
	}
	if (argv[*i][0] == '-')
		return 0;
	src->file = argv[*i];
	return 1;
}

int cli_lab_args(int argc, char **argv, const char *flag, bool *flag_set,
		 struct lab_src *src)
{
	int i;

	memset(src, 0, sizeof(*src));
	if (flag_set)
		*flag_set = false;
	for (i = 1; i < argc; i++) {
		if (flag && !strcmp(argv[i], flag))
			*flag_set = true;
		else if (!cli_lab_src_opt(argc, argv, &i, src))
			break;
	}
	if (i == argc && (src->file || src->topo))
		return 0;
	cli_usage(argv[0]);
	return -1;
}

int cli_load_src(const struct lab_src *src, struct lab **out)
{
	/* a generated topology goes the way of a file from here on */
	return src->topo ? cli_load_topo(src->topo, out) :
			   cli_load_lab(src->file, out);
}

int cmd_check(int argc, char **argv)
{
	struct lab_src src;
	struct lab *lab;
	int ret;

	if (cli_lab_args(argc, argv, NULL, NULL, &src))
		return EXIT_USAGE;
	ret = cli_load_src(&src, &lab);
	if (ret)
		return ret;
	lab_free(lab);
	return EXIT_OK;
}

int cli_open_running(const char *name, bool exclusive, struct state **st)
{
	int ret = exclusive ? state_open(name, st) : state_open_read(name, st);

	if (ret == -EINVAL || ret == -ENOENT) {
		cli_err("lab %s: %s", name, ret == -EINVAL ? "not a valid lab name" :
			"no such lab (see nslab ls)");
		return EXIT_USAGE;
	}
	if (ret) {
		cli_err("lab %s: cannot read its state: %s", name, strerror(-ret));
		return EXIT_SYSTEM;
	}
	return EXIT_OK;
}

int cli_running_model(const struct state *st, const char *name,
		      struct lab **lab)
{
	struct lab_errors errs;
	int ret;

	lab_errors_init(&errs, name);
	ret = life_model(st, lab, &errs);
	if (ret) {
		cli_lab_errors(&errs);
		if (!errs.n)
			cli_err("lab %s: cannot rebuild its model: %s", name,
				strerror(-ret));
		/* the copy up kept was valid then: this is the system's */
		return EXIT_SYSTEM;
	}
	(*lab)->name = name;
	return EXIT_OK;
}

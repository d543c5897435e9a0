/* cmd_plan.c — nslab plan [--down] FILE|--topo SPEC: the lab as a bash
 * script of ip, tc and sysctl commands (core/plan_print.c).  Needs no root
 * and changes nothing. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "lab.h"
#include "plan.h"

int cmd_plan(int argc, char **argv)
{
	struct lab_src src;
	struct plan *plan;
	struct lab *lab;
	bool down;
	int ret;

	if (cli_lab_args(argc, argv, "--down", &down, &src))
		return EXIT_USAGE;
	ret = cli_load_src(&src, &lab);
	if (ret)
		return ret;
	ret = plan_build_for(lab, PLAN_IMPAIR_SCRIPT, &plan);
	if (ret) {
		cli_err("%s: %s", lab->file, strerror(-ret));
		lab_free(lab);
		return EXIT_SYSTEM;
	}
	ret = plan_print(plan, stdout, down);
	if (fflush(stdout))
		ret = -errno;
	plan_free(plan);
	lab_free(lab);
	if (ret) {
		cli_err("writing the plan: %s", strerror(-ret));
		return EXIT_SYSTEM;
	}
	return EXIT_OK;
}

/* cmd_show.c — nslab show NAME|FILE.xml [--json]. */
#include <string.h>

#include "cli.h"
#include "lab.h"

int cli_show_live(const char *name, int json);

int cmd_show(int argc, char **argv)
{
	const char *what = NULL;
	struct lab *lab;
	int i, json = 0, ret;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--json"))
			json = 1;
		else if (argv[i][0] != '-' && !what)
			what = argv[i];
		else
			return cli_usage("show");
	}
	if (!what)
		return cli_usage("show");
	if (!cli_is_file_arg(what))
		return cli_show_live(what, json);
	ret = cli_load_lab(what, &lab);
	if (ret)
		return ret;
	cli_show_lab(lab, json);
	lab_free(lab);
	return EXIT_OK;
}

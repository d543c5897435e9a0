/* cmd_show.c — nslab show NAME|FILE.xml|--topo SPEC [--json]. */
#include "cli.h"
#include "lab.h"

int cli_show_live(const char *name, int json);

int cmd_show(int argc, char **argv)
{
	struct lab_src src;
	struct lab *lab;
	bool json;
	int ret;

	if (cli_lab_args(argc, argv, "--json", &json, &src))
		return EXIT_USAGE;
	if (src.file && !cli_is_file_arg(src.file))
		return cli_show_live(src.file, json);
	ret = cli_load_src(&src, &lab);
	if (ret)
		return ret;
	cli_show_lab(lab, json);
	lab_free(lab);
	return EXIT_OK;
}

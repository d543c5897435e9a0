/* cmd_gen.c — nslab gen SPEC: print the lab file of a generated topology
 * (core/topo.h); and the loading of one, which the --topo of up, run,
 * check, plan and show shares.  Needs no root and changes nothing. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "lab.h"
#include "topo.h"

/* The lab file of SPEC; on failure the problem is printed as
 * "nslab: WHAT "SPEC": why" and the exit status returned. */
static int gen_text(const char *what, const char *spec, const char *name,
		    char **xml, size_t *len)
{
	char why[320];
	int ret = topo_gen(spec, name, xml, len, why, sizeof(why));

	if (ret == -EINVAL) {
		cli_err("%s \"%s\": %s", what, spec, why);
		return EXIT_USAGE;
	}
	if (ret) {
		cli_err("%s \"%s\": %s", what, spec, strerror(-ret));
		return EXIT_SYSTEM;
	}
	return EXIT_OK;
}

int cli_load_topo(const char *spec, struct lab **out)
{
	struct lab_errors errs;
	char label[300];
	size_t len;
	char *xml;
	int ret;

	ret = gen_text("--topo", spec, NULL, &xml, &len);
	if (ret)
		return ret;
	/* the generated file's name in messages, as the user wrote it */
	snprintf(label, sizeof(label), "--topo %s", spec);
	lab_errors_init(&errs, label);
	ret = lab_parse_buffer(xml, len, label, ".", out, &errs);
	free(xml);
	if (!ret) {
		ret = lab_resolve(*out, &errs);
		if (ret) {
			lab_free(*out);
			*out = NULL;
		}
	}
	if (!ret)
		return EXIT_OK;
	cli_lab_errors(&errs);
	if (!errs.n)
		cli_err("%s: %s", label, strerror(-ret));
	return ret == -ENOMEM ? EXIT_SYSTEM : EXIT_USAGE;
}

int cmd_gen(int argc, char **argv)
{
	const char *spec = NULL, *name = NULL;
	size_t len;
	char *xml;
	int i, ret;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--name") && i + 1 < argc)
			name = argv[++i];
		else if (argv[i][0] != '-' && !spec)
			spec = argv[i];
		else
			return cli_usage("gen");
	}
	if (!spec)
		return cli_usage("gen");
	if (name && !lab_name_check(name, NULL)) {
		cli_err("--name \"%s\": a lab name is 1 to 32 letters, digits, '_' or '-', starting with a letter",
			name);
		return EXIT_USAGE;
	}
	ret = gen_text("topology", spec, name, &xml, &len);
	if (ret)
		return ret;
	if (fwrite(xml, 1, len, stdout) != len || fflush(stdout)) {
		cli_err("cannot write the lab file: %s", strerror(errno));
		ret = EXIT_SYSTEM;
	}
	free(xml);
	return ret;
}

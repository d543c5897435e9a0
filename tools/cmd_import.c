/* cmd_import.c — nslab import clab|kathara PATH: another tool's lab as an
 * nslab lab file on stdout (core/import.h).  Needs no root and changes
 * nothing. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "import.h"

int cmd_import(int argc, char **argv)
{
	static const struct {
		const char *format;
		int (*fn)(const char *, FILE *, FILE *, char *, size_t);
	} formats[] = {
		{ "clab", import_clab },
		{ "containerlab", import_clab },
		{ "kathara", import_kathara },
	};
	char why[512] = "";
	char *text = NULL;
	size_t len = 0, i;
	FILE *mem;
	int ret;

	if (argc != 3 || argv[1][0] == '-' || argv[2][0] == '-')
		return cli_usage("import");
	for (i = 0; i < sizeof(formats) / sizeof(formats[0]); i++)
		if (!strcmp(argv[1], formats[i].format))
			break;
	if (i == sizeof(formats) / sizeof(formats[0])) {
		cli_err("import: unknown format \"%s\" (clab or kathara)",
			argv[1]);
		return EXIT_USAGE;
	}
	/* the whole lab file first, so a failure prints nothing on stdout */
	mem = open_memstream(&text, &len);
	if (!mem) {
		cli_err("import: %s", strerror(errno));
		return EXIT_SYSTEM;
	}
	ret = formats[i].fn(argv[2], mem, stderr, why, sizeof(why));
	if (fclose(mem) && !ret)
		ret = -ENOMEM;
	if (ret) {
		free(text);
		cli_err("import: %s", why[0] ? why : strerror(-ret));
		return ret == -EINVAL || ret == -ENOENT ? EXIT_USAGE : EXIT_SYSTEM;
	}
	if (fwrite(text, 1, len, stdout) != len || fflush(stdout)) {
		cli_err("import: cannot write the lab file: %s",
			strerror(errno));
		ret = EXIT_SYSTEM;
	}
	free(text);
	return ret ? EXIT_SYSTEM : EXIT_OK;
}

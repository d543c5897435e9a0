/* cmd_ls.c — nslab ls [--json]: one line per lab (name, state, nodes, age). */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "state.h"

static const char *ls_age(int64_t s, char *buf, size_t len)
{
	if (s < 120)
		snprintf(buf, len, "%" PRId64 "s", s);
	else if (s < 2 * 3600)
		snprintf(buf, len, "%" PRId64 "m", s / 60);
	else if (s < 2 * 86400)
		snprintf(buf, len, "%" PRId64 "h", s / 3600);
	else
		snprintf(buf, len, "%" PRId64 "d", s / 86400);
	return buf;
}

static void ls_text(const struct state_info *v, int n)
{
	char age[32];
	int i;

	for (i = 0; i < n; i++)
		printf("%-32s %-8s %5d nodes  %s\n", v[i].name,
		       v[i].running ? "running" : "broken", v[i].nnodes,
		       ls_age(v[i].age_s, age, sizeof(age)));
}

/* Names are [A-Za-z0-9_-] (state_name_ok): no JSON escaping needed. */
static void ls_json(const struct state_info *v, int n)
{
	int i;

	printf("[");
	for (i = 0; i < n; i++)
		printf("%s\n  {\"name\": \"%s\", \"state\": \"%s\", "
		       "\"nodes\": %d, \"age_s\": %" PRId64 ", \"holder\": %d}",
		       i ? "," : "", v[i].name,
		       v[i].running ? "running" : "broken", v[i].nnodes,
		       v[i].age_s, (int)v[i].holder);
	printf("%s]\n", n ? "\n" : "");
}

int cmd_ls(int argc, char **argv)
{
	struct state_info *v;
	bool json = false;
	int i, n, ret;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--json")) {
			json = true;
		} else {
			cli_err("ls: unknown argument '%s'", argv[i]);
			return cli_usage("ls");
		}
	}
	ret = state_list(&v, &n);
	if (ret < 0) {
		cli_err("ls: %s: %s", state_run_dir(), strerror(-ret));
		return EXIT_SYSTEM;
	}
	if (json)
		ls_json(v, n);
	else
		ls_text(v, n);
	free(v);
	return fflush(stdout) ? EXIT_SYSTEM : EXIT_OK;
}

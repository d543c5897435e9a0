/* nslab.c — the command line: global options, dispatch, messages.
 * The CLI is the only part of nslab that prints and picks exit codes. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "lab.h"

#ifndef NSLAB_VERSION
#define NSLAB_VERSION "0.1.0"
#endif

int cli_verbose;
int cli_quiet;
static int progress_shown;

void cli_err(const char *fmt, ...)
{
	va_list ap;

	fputs("nslab: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void cli_info(const char *fmt, ...)
{
	va_list ap;

	if (!cli_verbose)
		return;
	fputs("nslab: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int cli_need_root(void)
{
	if (geteuid() == 0)
		return 0;
	cli_err("this command needs root (CAP_NET_ADMIN and CAP_SYS_ADMIN): run it with sudo");
	return EXIT_SYSTEM;
}

void cli_progress(const char *what, int done, int total)
{
	if (cli_quiet || !isatty(STDERR_FILENO) || total < 50)
		return;
	if (done != total && done % 25)
		return;
	fprintf(stderr, "\rnslab: %s %d/%d", what, done, total);
	progress_shown = 1;
}

void cli_progress_end(void)
{
	if (progress_shown)
		fputs("\r\033[K", stderr);
	progress_shown = 0;
}

static const char usage[] =
	"usage: nslab [-v|-q] [--allow-host-src] COMMAND [ARGS]\n"
	"\n"
	"  up FILE.xml [--name NAME]          build a lab and leave it running\n"
	"  down NAME... | --all               tear labs down\n"
	"  run FILE.xml [--name NAME] [--keep] up + start commands + down\n"
	"  exec NAME NODE [--] CMD [ARG...]   run a command inside a node\n"
	"  shell NAME NODE                    interactive shell inside a node\n"
	"  ls [--json]                        running labs\n"
	"  show NAME|FILE.xml [--json]        nodes, interfaces, addresses, routes, links\n"
	"  check FILE.xml                     validate only; silent on success\n"
	"  plan [--down] FILE.xml             print an equivalent ip/tc shell script\n"
	"\n"
	"  -v  say what is being done     -q  errors only\n"
	"  --allow-host-src  <file src> may name files outside the lab file's directory\n"
	"  --help, --version\n"
	"\n"
	"Exit status: 0 ok, 1 a test or command failed, 2 bad input, 3 the system refused.\n"
	"See nslab(1) and topologies/README.md for the lab file format.\n";

struct command {
	const char *name;
	int (*fn)(int argc, char **argv);
};

static const struct command commands[] = {
	{ "check", cmd_check }, { "plan", cmd_plan },	{ "show", cmd_show },
	{ "up", cmd_up },	{ "run", cmd_run },	{ "down", cmd_down },
	{ "exec", cmd_exec },	{ "shell", cmd_shell }, { "ls", cmd_ls },
	{ NULL, NULL },
};

int main(int argc, char **argv)
{
	const struct command *c;
	int i;

	/* The holder of a running lab re-executes us under this name. */
	if (argv[0] && !strncmp(argv[0], "nslab: lab ", 11))
		return cmd_holder(argc, argv);
	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "-v") || !strcmp(argv[i], "--verbose")) {
			cli_verbose = 1;
		} else if (!strcmp(argv[i], "-q") || !strcmp(argv[i], "--quiet")) {
			cli_quiet = 1;
		} else if (!strcmp(argv[i], "--allow-host-src")) {
			lab_allow_host_src = true;
		} else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			fputs(usage, stdout);
			return EXIT_OK;
		} else if (!strcmp(argv[i], "--version")) {
			printf("nslab %s\n", NSLAB_VERSION);
			return EXIT_OK;
		} else {
			cli_err("unknown option \"%s\" (see nslab --help)", argv[i]);
			return EXIT_USAGE;
		}
	}
	if (i == argc) {
		fputs(usage, stderr);
		return EXIT_USAGE;
	}
	for (c = commands; c->name; c++)
		if (!strcmp(argv[i], c->name))
			return c->fn(argc - i, argv + i);
	cli_err("unknown command \"%s\" (see nslab --help)", argv[i]);
	return EXIT_USAGE;
}

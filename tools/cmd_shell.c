/* cmd_shell.c — nslab shell NAME NODE: $SHELL (else /bin/sh), interactive,
 * with a prompt naming the node.
 *
 * Prompt: PS1 in the environment works for sh/dash/ksh, but bash's rc files
 * (Debian's root .bashrc sets PS1) would override it, and --norc would lose
 * the user's aliases.  So bash gets --rcfile on a memfd that sources
 * ~/.bashrc first and sets PS1 last, then closes itself.  zsh gets a
 * zsh-style PS1 (its rc files may still override it). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "cli.h"
#include "state.h"


extern char **environ;

static const char *shell_base(const char *sh)
{
	const char *b = strrchr(sh, '/');

	return b ? b + 1 : sh;
}

/* An rc file for bash in a memfd (inherited: no CLOEXEC).  Returns its fd
 * or -errno; *path is /proc/self/fd/N (bash opens it after exec). */
static int shell_bashrc(const char *prompt, char *path, size_t plen)
{
	char rc[512];
	int fd, len;

	fd = memfd_create("nslab-bashrc", 0);
	if (fd < 0)
		return -errno;
	len = snprintf(rc, sizeof(rc),
		       "[ -r ~/.bashrc ] && . ~/.bashrc\n"
		       "PS1='%s'\n"
		       "exec %d<&-\n", prompt, fd);
	if (write(fd, rc, len) != len) {
		close(fd);
		return -EIO;
	}
	snprintf(path, plen, "/proc/self/fd/%d", fd);
	return fd;
}

/* environ + PS1=... (replacing any PS1 of ours). */
static char **shell_env(const char *ps1)
{
	size_t n = 0, k = 0;
	char **v;

	while (environ[n])
		n++;
	v = calloc(n + 2, sizeof(*v));
	if (!v)
		return NULL;
	for (n = 0; environ[n]; n++)
		if (strncmp(environ[n], "PS1=", 4))
			v[k++] = environ[n];
	v[k] = (char *)ps1;
	return v;
}

int cmd_shell(int argc, char **argv)
{
	const char *sh = getenv("SHELL"), *base;
	char prompt[128], ps1[160], rcpath[64];
	char *args[5] = { 0 };
	char **env;
	int rc, fd = -1;

	if (argc != 3)
		return cli_usage("shell");
	rc = cli_need_root();
	if (rc)
		return rc;
	/* checked before they go into the prompt (and the rc file) */
	if (!state_name_ok(argv[1]) || !state_name_ok(argv[2])) {
		cli_err("shell: '%s' '%s': not a valid lab/node name", argv[1],
			argv[2]);
		return EXIT_USAGE;
	}
	if (!sh || !*sh)
		sh = "/bin/sh";
	base = shell_base(sh);
	if (!strcmp(base, "zsh"))
		snprintf(prompt, sizeof(prompt), "[%s.%s] %%~# ", argv[1], argv[2]);
	else if (!strcmp(base, "bash"))
		snprintf(prompt, sizeof(prompt), "[%s.%s] \\w# ", argv[1], argv[2]);
	else	/* dash does not expand \w */
		snprintf(prompt, sizeof(prompt), "[%s.%s] # ", argv[1], argv[2]);
	snprintf(ps1, sizeof(ps1), "PS1=%s", prompt);
	args[0] = (char *)sh;
	if (!strcmp(base, "bash")) {
		fd = shell_bashrc(prompt, rcpath, sizeof(rcpath));
		if (fd >= 0) {
			args[1] = "--rcfile";
			args[2] = rcpath;
			/* interactive on a terminal; a script piped in runs as
			 * one (no job-control warnings) */
			args[3] = isatty(STDIN_FILENO) ? "-i" : NULL;
		}
	}
	env = shell_env(ps1);
	if (!env) {
		cli_err("shell: out of memory");
		return EXIT_SYSTEM;
	}
	rc = cli_node_exec(argv[1], argv[2], args, env);
	free(env);
	if (fd >= 0)
		close(fd);
	return rc;
}

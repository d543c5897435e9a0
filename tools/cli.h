/* cli.h — shared by the nslab command and its subcommands (tools/cmd_*.c).
 * The CLI is the only place that prints and picks exit codes. */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

/* exit codes: README.md, "Commands" */
enum {
	EXIT_OK = 0,
	EXIT_FAILED = 1,	/* a test, check step or node command failed */
	EXIT_USAGE = 2,		/* the user's input is wrong */
	EXIT_SYSTEM = 3,	/* the system refused */
};

extern int cli_verbose;		/* -v: say what is being done */
extern int cli_quiet;		/* -q: errors only */

/* "nslab: WHAT: WHY" on stderr. */
void cli_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* -v messages ("nslab: ..."), only with -v. */
void cli_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* "nslab: usage: nslab CMD ARGS" on stderr, from the command table in
 * nslab.c (which also makes nslab --help and nslab CMD --help); returns
 * EXIT_USAGE. */
int cli_usage(const char *cmd);
/* Exit 3 with a one-line message unless we run as root. */
int cli_need_root(void);
/* Progress on stderr, only when stderr is a terminal, not -q, and total
 * is at least CLI_PROGRESS_MIN: one updating line of phase, count and
 * rate, cli_progress("links", done, total) (done < 0: a phase without a
 * count); cli_progress_end() clears it. */
#define CLI_PROGRESS_MIN 200
void cli_progress(const char *what, int done, int total);
void cli_progress_end(void);

/* Subcommands: argc/argv start at the subcommand's own arguments
 * (argv[0] is the subcommand name); they return the exit status. */
int cmd_check(int argc, char **argv);
int cmd_plan(int argc, char **argv);
int cmd_show(int argc, char **argv);
int cmd_up(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_down(int argc, char **argv);
int cmd_exec(int argc, char **argv);
int cmd_shell(int argc, char **argv);
int cmd_link(int argc, char **argv);
int cmd_ls(int argc, char **argv);
int cmd_test(int argc, char **argv);
int cmd_pingall(int argc, char **argv);
int cmd_gen(int argc, char **argv);
int cmd_cli(int argc, char **argv);
int cmd_import(int argc, char **argv);
int cmd_graph(int argc, char **argv);
int cmd_capture(int argc, char **argv);
/* The holder process (argv[0] = "nslab: lab NAME"). */
int cmd_holder(int argc, char **argv);

struct lab;
struct plan;
struct state;
/* Open running lab NAME for reading, as show NAME and graph NAME do (root
 * needed); on failure print why and return the exit status. */
int cli_open_named_lab(const char *name, struct state **st);
/* Read, validate and resolve a lab file; on failure print every problem as
 * "nslab: FILE:LINE: message" and return the exit status (2 or 3). */
int cli_load_lab(const char *path, struct lab **out);
/* The same for a generated topology (`--topo SPEC`, core/topo.h): the lab
 * file of SPEC, named "--topo SPEC" in messages. */
int cli_load_topo(const char *spec, struct lab **out);
struct lab_errors;
/* Print a file's problems, "nslab: FILE:LINE: message" each. */
void cli_lab_errors(const struct lab_errors *errs);
struct state;
/* Open running lab NAME's state (exclusive: locked as down locks it, else
 * read and unlocked), saying why not: EXIT_OK, EXIT_USAGE (bad name, no
 * such lab) or EXIT_SYSTEM. */
int cli_open_running(const char *name, bool exclusive, struct state **st);
/* The model of running lab st (life_model()), named NAME (which must
 * outlive it); problems printed: EXIT_OK or EXIT_SYSTEM. */
int cli_running_model(const struct state *st, const char *name,
		      struct lab **lab);
/* Print a resolved lab (nslab show FILE). */
void cli_show_lab(const struct lab *lab, int json);
/* JSON string (with quotes) on f. */
void cli_json_str(void *f, const char *s);
/* Where a command's lab comes from: FILE.xml (for show, also a running
 * lab's NAME) or `--topo SPEC`, a generated topology. */
struct lab_src {
	const char *file;
	const char *topo;
};
/* argv[*i] names the lab: --topo SPEC (*i advanced past SPEC) or an
 * argument not starting with '-': 1 (taken), 0 (not ours, or src already
 * names one: a usage error). */
int cli_lab_src_opt(int argc, char **argv, int *i, struct lab_src *src);
/* argv is "CMD [FLAG] FILE|--topo SPEC", in any order; FLAG (NULL: none)
 * sets *flag_set.  0, or -1 with the usage printed. */
int cli_lab_args(int argc, char **argv, const char *flag, bool *flag_set,
		 struct lab_src *src);
/* cli_load_topo or cli_load_lab, as src says. */
int cli_load_src(const struct lab_src *src, struct lab **out);
/* Does ARG name a lab file rather than a running lab? */
bool cli_is_file_arg(const char *arg);
int cli_lab_up(struct lab *lab, const struct plan *plan);

/* How test and run report a lab's <tests> (cmd_test.c). */
struct test_opts {
	bool tap;		/* TAP 13 on stdout instead of text lines */
	const char *junit;	/* also write JUnit XML here, or NULL */
};
/* argv[*i] is --tap or --junit FILE: 1 (taken, *i advanced past its
 * value), 0 (not ours), -1 (usage printed). */
int cli_test_opt(int argc, char **argv, int *i, struct test_opts *o,
		 const char *cmd);
/* Run lab's <tests> against the running lab of that name (the signal
 * flag must be runner_cancel); exit status 0, 1 (a step failed), 3, or
 * 128 + N (signal N). */
int cli_run_tests(const struct lab *lab, const struct plan *plan,
		  struct test_opts *o);
/* Run argv inside NODE of running lab LAB with stdio passed through;
 * returns the command's exit status (exec, shell). envp NULL: ours. */
int cli_node_exec(const char *lab, const char *node, char **argv, char **envp);
/* Wait for our child pid, forwarding to it the INT, TERM, HUP and QUIT
 * sent to us meanwhile (a terminal's ^C reaches it directly), then restore
 * our own handling of them; returns its exit status as a shell gives it
 * (128+N: signal N), or EXIT_SYSTEM with "nslab: WHAT: wait: ..." said. */
int cli_wait_child(pid_t pid, const char *what);

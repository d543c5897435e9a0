/* lifecycle.h — a lab's life for every command that needs it (up, run,
 * and the coming test and link): life_up() builds a lab all or nothing;
 * life_down() (runner.h) ends one.  Printing is the caller's: core
 * says what happened through the callbacks of struct life_io and returns
 * the exit status the command should end with. */
#pragma once

#include <signal.h>
#include <stdbool.h>

#include "lab.h"
#include "plan.h"
#include "runner.h"

/* Exit statuses (README.md, "Commands"); 128 + N after signal N. */
enum { LIFE_OK = 0, LIFE_FAILED = 1, LIFE_SYSTEM = 3 };

struct life_io {
	/* one message per failure, naming the object: always set */
	void (*err)(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
	/* progress of a long step and what was done (-v): may be NULL-safe
	 * no-ops, but must be set */
	void (*info)(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
	void (*progress)(const char *what, int done, int total);
	void (*progress_end)(void);		/* may be NULL */
};

/* Build the lab of plan: state dir, namespaces and links, node table and
 * files, the holder, start commands.  On any failure everything made so far
 * is torn down, io->err() has said why, and the status is LIFE_SYSTEM,
 * LIFE_FAILED (a start command failed) or 128 + N (signal N arrived:
 * *runner_cancel).  LIFE_OK: the lab runs, held by its holder. */
int life_up(struct lab *lab, const struct plan *plan, const struct life_io *io);

/* `down` of one lab, usable without the XML: lock, kill its processes,
 * its holder(s), remove symlinks and the state dir (and any staging dir
 * .LAB.PID an `up` killed early left).  0 also when the lab
 * does not exist (*existed false); a half-built lab is removed too. */
struct life_down_report {
	/* in: called between the phases of a big lab's teardown (the
	 * progress line, tools/cli.h), or NULL */
	void (*progress)(const char *what, int done, int total);
	/* out: */
	bool existed;
	int nkilled;		/* processes killed in the lab's nodes */
	int nholders;		/* holders ended */
	int nimpostors;		/* processes named like its holder that
				 * failed the proof (holder.h): left alone */
};
int life_down(const char *lab, struct life_down_report *rep);

/* The resolved model of running lab st, from the copy of its file up kept
 * (lab_reparse()).  0, or -errno with the problem in errs (whose file
 * becomes the lab file's original path). */
int life_model(const struct state *st, struct lab **out,
	       struct lab_errors *errs);

/* engine.h — nslab's impairment engine (core/README.md, "The impairment
 * engine"): a process of the lab, started and restarted by its holder, that
 * moves frames between the two relay ends of each engine link and delays,
 * drops, duplicates, reorders and corrupts them as netem would (impair.h).
 *
 * It is told what to do by a file of the lab's state dir, STATE_ENGINE,
 * written by up and rewritten by `nslab link set`; each version carries a
 * generation.  The engine reloads it when it is renamed into place and
 * answers in STATE_ENGINE_STATUS with its pid and the generation it runs,
 * so that writers know when a change is in effect.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "plan.h"

#define STATE_ENGINE "engine.conf"
#define STATE_ENGINE_STATUS "engine.status"
#define ENGINE_ARGV0 "nslab: engine "	/* then the lab's name */
#define ENGINE_CONF_MAX (1 << 22)

struct engine_link {
	int link;			/* the lab's link index */
	char dev[2][PLAN_RELAY_DEV_LEN];	/* relay ends: a side, b side */
	struct plan_netem netem[2];	/* a to b, b to a */
};

struct engine_conf {
	unsigned long generation;
	int n;
	struct engine_link *v;
};

/* ---- the file (engine_conf.c) ------------------------------------------ */

int engine_conf_from_plan(const struct plan *p, struct engine_conf *c);
/* Text form; 0 or -ENOMEM.  *out is malloc'd. */
int engine_conf_format(const struct engine_conf *c, char **out, size_t *len);
/* Strict: 0, or -EBADMSG with the line at fault in why. */
int engine_conf_parse(const char *text, struct engine_conf *c, char *why,
		      size_t wlen);
void engine_conf_free(struct engine_conf *c);
/* The link's entry, or NULL. */
struct engine_link *engine_conf_find(const struct engine_conf *c, int link);
/* Read or write STATE_ENGINE of a lab dir (state_file_read/write rules). */
int engine_conf_load(int dirfd, struct engine_conf *c);
int engine_conf_save(int dirfd, const struct engine_conf *c);

/* What the engine reports in STATE_ENGINE_STATUS. */
struct engine_status {
	long pid;
	unsigned long generation;
	uint64_t frames, lost, duplicated, corrupted, reordered, overlimit;
};
int engine_status_read(int dirfd, struct engine_status *s);
/* Wait until the engine runs `generation` or a later one: 0, -ETIMEDOUT. */
int engine_wait(int dirfd, unsigned long generation, uint64_t timeout_ns);

/* ---- the process (engine.c) ------------------------------------------------ */

/* True when argv0 names an engine process. */
bool engine_is_argv0(const char *argv0);
/* The engine itself, in the relay namespace (the holder put it there):
 * runs until killed or until its holder dies.  Returns the exit status. */
int engine_main(const char *argv0);

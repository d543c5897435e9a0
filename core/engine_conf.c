/* engine_conf.c — the engine's instructions in the lab's state dir
 * (engine.h): which relay ends make each engine link, and each
 * direction's netem values.  Text, one link per line:
 *
 *   nslab-engine 1
 *   generation G
 *   link L DEV_A DEV_B  DELAY JITTER LIMIT LOSS DUP REORDER CORRUPT  (b to a: same 7)
 *
 * times in ns, limits in packets, the rest in percent.  The file is only
 * read when root's (state_file_read), and read strictly all the same.
 */
#include "engine.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "state.h"

int engine_conf_from_plan(const struct plan *p, struct engine_conf *c)
{
	int i, e;

	c->generation = 1;
	c->n = 0;
	c->v = calloc((size_t)p->nrelays + 1, sizeof(*c->v));
	if (!c->v)
		return -ENOMEM;
	for (i = 0; i < p->nrelays; i++) {
		struct engine_link *l = &c->v[c->n++];

		l->link = p->relays[i].link;
		for (e = 0; e < 2; e++) {
			snprintf(l->dev[e], sizeof(l->dev[e]), "%s",
				 p->relays[i].dev[e].name);
			l->netem[e] = p->relays[i].netem[e];
		}
	}
	return 0;
}

void engine_conf_free(struct engine_conf *c)
{
	free(c->v);
	c->v = NULL;
	c->n = 0;
}

struct engine_link *engine_conf_find(const struct engine_conf *c, int link)
{
	int i;

	for (i = 0; i < c->n; i++)
		if (c->v[i].link == link)
			return &c->v[i];
	return NULL;
}

static void put_dir(FILE *f, const struct plan_netem *n)
{
	fprintf(f, " %" PRIu64 " %" PRIu64 " %" PRIu32 " %.17g %.17g %.17g %.17g",
		n->delay_ns, n->jitter_ns, n->limit_pkts, n->loss_pct,
		n->duplicate_pct, n->reorder_pct, n->corrupt_pct);
}

int engine_conf_format(const struct engine_conf *c, char **out, size_t *len)
{
	FILE *f = open_memstream(out, len);
	int i;

	if (!f)
		return -ENOMEM;
	fprintf(f, "nslab-engine 1\ngeneration %lu\n", c->generation);
	for (i = 0; i < c->n; i++) {
		fprintf(f, "link %d %s %s", c->v[i].link, c->v[i].dev[0],
			c->v[i].dev[1]);
		put_dir(f, &c->v[i].netem[0]);
		put_dir(f, &c->v[i].netem[1]);
		fputc('\n', f);
	}
	if (fclose(f))
		return -ENOMEM;
	return 0;
}

static bool dev_ok(const char *s)
{
	size_t n = strlen(s), i;

	if (n == 0 || n >= PLAN_RELAY_DEV_LEN)
		return false;
	for (i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9')))
			return false;
	return true;
}

static bool pct_ok(double v)
{
	return isfinite(v) && v >= 0 && v <= 100;
}

static bool netem_ok(const struct plan_netem *n)
{
	/* netem's own bounds: 32-bit limit, jitter at most 2^31 ns (tabledist) */
	return n->limit_pkts > 0 && n->jitter_ns <= INT32_MAX &&
	       n->delay_ns <= 3600ull * 1000000000ull &&
	       pct_ok(n->loss_pct) && pct_ok(n->duplicate_pct) &&
	       pct_ok(n->reorder_pct) && pct_ok(n->corrupt_pct);
}

static int parse_link(const char *line, struct engine_link *l)
{
	struct plan_netem *a = &l->netem[0], *b = &l->netem[1];
	int end = -1;

	memset(l, 0, sizeof(*l));
	if (sscanf(line, "link %d %15s %15s %" SCNu64 " %" SCNu64 " %" SCNu32
		   " %lf %lf %lf %lf %" SCNu64 " %" SCNu64 " %" SCNu32
		   " %lf %lf %lf %lf%n", &l->link, l->dev[0], l->dev[1],
		   &a->delay_ns, &a->jitter_ns, &a->limit_pkts, &a->loss_pct,
		   &a->duplicate_pct, &a->reorder_pct, &a->corrupt_pct,
		   &b->delay_ns, &b->jitter_ns, &b->limit_pkts, &b->loss_pct,
		   &b->duplicate_pct, &b->reorder_pct, &b->corrupt_pct,
		   &end) != 17 || end < 0 || line[end] != '\0')
		return -EBADMSG;
	if (l->link < 0 || !dev_ok(l->dev[0]) || !dev_ok(l->dev[1]) ||
	    !netem_ok(a) || !netem_ok(b))
		return -EBADMSG;
	return 0;
}

int engine_conf_parse(const char *text, struct engine_conf *c, char *why,
		      size_t wlen)
{
	char *copy = strdup(text), *save = NULL, *line;
	int lineno = 0, ret = 0, cap = 0, version = 0, end = -1;

	memset(c, 0, sizeof(*c));
	if (!copy)
		return -ENOMEM;
	for (line = strtok_r(copy, "\n", &save); line && !ret;
	     line = strtok_r(NULL, "\n", &save)) {
		lineno++;
		if (lineno == 1) {
			if (sscanf(line, "nslab-engine %d%n", &version, &end) != 1 ||
			    version != 1 || line[end])
				ret = -EBADMSG;
		} else if (lineno == 2) {
			end = -1;
			if (sscanf(line, "generation %lu%n", &c->generation,
				   &end) != 1 || end < 0 || line[end])
				ret = -EBADMSG;
		} else {
			if (c->n == cap) {
				int ncap = cap ? cap * 2 : 16;
				struct engine_link *v = realloc(c->v,
					sizeof(*v) * (size_t)ncap);

				if (!v) {
					ret = -ENOMEM;
					break;
				}
				c->v = v;
				cap = ncap;
			}
			ret = parse_link(line, &c->v[c->n]);
			if (!ret)
				c->n++;
		}
	}
	if (!ret && lineno < 2)
		ret = -EBADMSG;
	if (ret == -EBADMSG)
		snprintf(why, wlen, "line %d is not what nslab writes", lineno);
	free(copy);
	if (ret)
		engine_conf_free(c);
	return ret;
}

int engine_conf_load(int dirfd, struct engine_conf *c)
{
	char *text = NULL, why[64];
	size_t len = 0;
	int ret;

	memset(c, 0, sizeof(*c));
	ret = state_file_read(dirfd, STATE_ENGINE, ENGINE_CONF_MAX, &text, &len);
	if (!ret && strlen(text) != len)
		ret = -EBADMSG;
	if (!ret)
		ret = engine_conf_parse(text, c, why, sizeof(why));
	free(text);
	return ret;
}

int engine_conf_save(int dirfd, const struct engine_conf *c)
{
	char *text = NULL;
	size_t len = 0;
	int ret = engine_conf_format(c, &text, &len);

	if (!ret)
		ret = state_file_write(dirfd, STATE_ENGINE, text, len);
	free(text);
	return ret;
}

int engine_status_read(int dirfd, struct engine_status *s)
{
	char *text = NULL;
	size_t len = 0;
	int ret, end = -1;

	memset(s, 0, sizeof(*s));
	ret = state_file_read(dirfd, STATE_ENGINE_STATUS, 4096, &text, &len);
	if (ret)
		return ret;
	if (sscanf(text, "pid %ld generation %lu frames %" SCNu64 " lost %" SCNu64
		   " duplicated %" SCNu64 " corrupted %" SCNu64 " reordered %" SCNu64
		   " overlimit %" SCNu64 "\n%n", &s->pid, &s->generation, &s->frames,
		   &s->lost, &s->duplicated, &s->corrupted, &s->reordered,
		   &s->overlimit, &end) != 8 || end < 0 || (size_t)end != len)
		ret = -EBADMSG;
	free(text);
	return ret;
}

int engine_wait(int dirfd, unsigned long generation, uint64_t timeout_ns)
{
	struct timespec step = { 0, 2000000 };	/* 2 ms */
	struct engine_status s;
	uint64_t waited = 0;

	for (;;) {
		if (engine_status_read(dirfd, &s) == 0 &&
		    s.generation >= generation)
			return 0;
		if (waited >= timeout_ns)
			return -ETIMEDOUT;
		nanosleep(&step, NULL);
		waited += 2000000;
	}
}

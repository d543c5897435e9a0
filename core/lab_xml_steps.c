/* lab_xml_steps.c — reading <tests>: one lab_step per step element, in
 * document order (topologies/README.md, "Tests").  Names are resolved
 * later, by resolve.c.
 */
#include <regex.h>
#include <string.h>

#include <libxml/tree.h>

#include "lab_xml_int.h"

/* ---- tests ---------------------------------------------------------------- */

static struct lab_step *new_step(struct parser *p, xmlNodePtr n,
				 enum lab_step_kind kind,
				 const char *const *allowed,
				 const char *const *required)
{
	struct lab_step *s;
	int i = lab_push(p->lab, steps);

	if (i < 0)
		return NULL;
	s = &p->lab->steps[i];
	s->kind = kind;
	s->line = lx_line_of(n);
	s->node_idx = s->to_node = s->link = -1;
	s->end[0].node = s->end[1].node = -1;
	lx_check_attrs(p, n, allowed, required);
	s->name = lx_attr(p, n, "name");
	lx_time_attr(p, n, "timeout", &s->timeout_ns);
	if (kind != LAB_STEP_RUN && kind != LAB_STEP_EXEC)
		lx_dispatch(p, n, lx_no_children, i);
	return s;
}

static void step_count(struct parser *p, xmlNodePtr n, struct lab_step *s,
		       unsigned def)
{
	uint64_t c;

	s->count = def;
	if (lx_uint_attr(p, n, "count", 1, 10000, &c) > 0)
		s->count = (unsigned)c;
}

static void check_regex(struct parser *p, xmlNodePtr n, const char *name,
			const char *re)
{
	regex_t r;
	int ret;

	if (!re)
		return;
	if (strlen(re) > LAB_RE_MAX_LEN) {
		lab_err(p->errs, lx_line_of(n),
			"<%s> %s=\"%.60s...\": regular expression too large (%zu characters, at most %d)",
			lx_ename(n), name, re, strlen(re), LAB_RE_MAX_LEN);
		return;
	}
	if (lab_regex_size(re) > LAB_RE_MAX_SIZE) {
		lab_err(p->errs, lx_line_of(n),
			"<%s> %s=\"%.60s%s\": regular expression too large to compile safely (its repetitions expand to more than %d elements)",
			lx_ename(n), name, re, strlen(re) > 60 ? "..." : "",
			LAB_RE_MAX_SIZE);
		return;
	}
	ret = regcomp(&r, re, REG_EXTENDED | REG_NOSUB);
	if (ret) {
		char buf[128];

		regerror(ret, &r, buf, sizeof(buf));
		lab_err(p->errs, lx_line_of(n),
			"<%s> %s=\"%s\": not an extended regular expression (%s)",
			lx_ename(n), name, re, buf);
		return;
	}
	regfree(&r);
}

static void step_ping(struct parser *p, xmlNodePtr n, int owner)
{
	static const char *const allowed[] = { "from", "to", "count", "expect",
					       "name", "timeout", NULL };
	static const char *const required[] = { "from", "to", NULL };
	struct lab_step *s = new_step(p, n, LAB_STEP_PING, allowed, required);

	(void)owner;
	if (!s)
		return;
	s->node = lx_attr(p, n, "from");
	s->to = lx_attr(p, n, "to");
	step_count(p, n, s, 3);
	lx_keyword(p, n, "expect", "ok", "fail", &s->expect_fail);
}

static void step_pingall(struct parser *p, xmlNodePtr n, int owner)
{
	static const char *const allowed[] = { "count", "nodes", "name",
					       "timeout", NULL };
	struct lab_step *s = new_step(p, n, LAB_STEP_PINGALL, allowed, NULL);

	(void)owner;
	if (!s)
		return;
	step_count(p, n, s, 1);
	lx_keyword(p, n, "nodes", "hosts", "all", &s->all_nodes);
}

static void step_run(struct parser *p, xmlNodePtr n, int owner)
{
	static const char *const allowed[] = { "node", "expect", "reject",
					       "status", "name", "timeout",
					       NULL };
	static const char *const required[] = { "node", NULL };
	struct lab_step *s = new_step(p, n, LAB_STEP_RUN, allowed, required);
	uint64_t st;

	(void)owner;
	if (!s)
		return;
	s->node = lx_attr(p, n, "node");
	s->expect_re = lx_attr(p, n, "expect");
	s->reject_re = lx_attr(p, n, "reject");
	check_regex(p, n, "expect", s->expect_re);
	check_regex(p, n, "reject", s->reject_re);
	if (lx_uint_attr(p, n, "status", 0, 255, &st) > 0)
		s->status = (int)st;
	s->cmd = lx_command_text(p, n);
}

static void step_exec(struct parser *p, xmlNodePtr n, int owner)
{
	static const char *const allowed[] = { "node", "name", "timeout", NULL };
	static const char *const required[] = { "node", NULL };
	struct lab_step *s = new_step(p, n, LAB_STEP_EXEC, allowed, required);

	(void)owner;
	if (!s)
		return;
	s->node = lx_attr(p, n, "node");
	s->cmd = lx_command_text(p, n);
}

static void step_iperf(struct parser *p, xmlNodePtr n, int owner)
{
	static const char *const allowed[] = { "from", "to", "time", "min",
					       "max", "udp", "name", "timeout",
					       NULL };
	static const char *const required[] = { "from", "to", NULL };
	struct lab_step *s = new_step(p, n, LAB_STEP_IPERF, allowed, required);

	(void)owner;
	if (!s)
		return;
	s->node = lx_attr(p, n, "from");
	s->to = lx_attr(p, n, "to");
	s->time_ns = 2000000000ull;
	lx_time_attr(p, n, "time", &s->time_ns);
	lx_rate_attr(p, n, "min", &s->min_bps);
	lx_rate_attr(p, n, "max", &s->max_bps);
	lx_keyword(p, n, "udp", "no", "yes", &s->udp);
	if (s->min_bps && s->max_bps && s->min_bps > s->max_bps)
		lab_err(p->errs, s->line, "<iperf> min= is above max=");
}

static void step_link(struct parser *p, xmlNodePtr n, enum lab_step_kind k)
{
	static const char *const allowed[] = { "a", "b", "name", NULL };
	static const char *const set_allowed[] = {
		"a", "b", "name", LAB_SHAPING_NAMES NULL,
	};
	static const char *const flap_allowed[] = {
		"a", "b", "name", "down", "up", "count", NULL,
	};
	static const char *const required[] = { "a", "b", NULL };
	struct lab_step *s;

	s = new_step(p, n, k, k == LAB_STEP_LINK_SET ? set_allowed :
			      k == LAB_STEP_LINK_FLAP ? flap_allowed : allowed,
		     required);
	if (!s)
		return;
	lx_read_end(p, n, "a", &s->end[0]);
	lx_read_end(p, n, "b", &s->end[1]);
	if (k == LAB_STEP_LINK_FLAP) {
		/* defaults: a second down, a second up, once */
		s->time_ns = s->up_ns = 1000000000ull;
		lx_time_attr(p, n, "down", &s->time_ns);
		lx_time_attr(p, n, "up", &s->up_ns);
		step_count(p, n, s, 1);
	}
	if (k == LAB_STEP_LINK_SET) {
		lx_read_shaping(p, n, &s->shape);
		if (!s->shape.set)
			lab_err(p->errs, s->line,
				"<link-set> changes nothing: give rate=, delay=, loss=, ...");
	}
}

static void step_sleep(struct parser *p, xmlNodePtr n, int owner)
{
	static const char *const allowed[] = { "for", "name", NULL };
	static const char *const required[] = { "for", NULL };
	struct lab_step *s = new_step(p, n, LAB_STEP_SLEEP, allowed, required);

	(void)owner;
	if (s)
		lx_time_attr(p, n, "for", &s->time_ns);
}

static void step_link_dispatch(struct parser *p, xmlNodePtr n, int owner)
{
	(void)owner;
	if (!strcmp(lx_ename(n), "link-down"))
		step_link(p, n, LAB_STEP_LINK_DOWN);
	else if (!strcmp(lx_ename(n), "link-up"))
		step_link(p, n, LAB_STEP_LINK_UP);
	else if (!strcmp(lx_ename(n), "link-flap"))
		step_link(p, n, LAB_STEP_LINK_FLAP);
	else
		step_link(p, n, LAB_STEP_LINK_SET);
}

void lx_el_tests(struct parser *p, xmlNodePtr n, int owner)
{
	static const struct handler steps[] = {
		{ "ping", step_ping },	       { "pingall", step_pingall },
		{ "run", step_run },	       { "iperf", step_iperf },
		{ "link-down", step_link_dispatch },
		{ "link-up", step_link_dispatch },
		{ "link-set", step_link_dispatch },
		{ "link-flap", step_link_dispatch },
		{ "sleep", step_sleep },	       { "exec", step_exec },
		{ NULL, NULL },
	};

	(void)owner;
	lx_check_attrs(p, n, NULL, NULL);
	if (p->lab->has_tests)
		lab_err(p->errs, lx_line_of(n),
			"<lab> has more than one <tests> section");
	p->lab->has_tests = true;
	lx_dispatch(p, n, steps, 0);
}

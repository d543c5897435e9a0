/* cmd_link.c — nslab link NAME END END up|down|set KEY=VALUE...
 *
 * Changes one link of a running lab (core/linkctl.h): both ends down or up,
 * or its shaping in place.  The lab's model comes from the copy of its file
 * that up kept (life_model()), so the ends are named as in the file.
 *
 * The lab is locked exclusively, as down locks it: a change reads the
 * kernel's state and then changes it, and two changes of one link at once
 * must not interleave; exec and show hold their shared lock only briefly.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "lab.h"
#include "lifecycle.h"
#include "linkctl.h"
#include "plan.h"
#include "state.h"

struct link_args {
	const char *lab, *a, *b, *action;
	bool up;
	struct lab_shaping change;
};

static const char *const shaping_names[] = { LAB_SHAPING_NAMES NULL };

/* "rate, delay, ... or queue": the shaping attributes of the file format */
static const char *keys(void)
{
	static char buf[128];
	size_t n = 0;
	int i;

	for (i = 0; shaping_names[i] && n < sizeof(buf); i++)
		n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%s%s",
				      !i ? "" : shaping_names[i + 1] ? ", " :
				      " or ", shaping_names[i]);
	return buf;
}

/* KEY=VALUE... with the file's keys, units and errors (lab_shaping_set). */
static int parse_set(struct link_args *la, int argc, char **argv)
{
	char key[32];
	const char *eq, *why;
	int i, ret;

	for (i = 0; i < argc; i++) {
		struct lab_shaping one = { 0 };

		eq = strchr(argv[i], '=');
		if (!eq || eq == argv[i] || (size_t)(eq - argv[i]) >= sizeof(key)) {
			cli_err("link set: \"%s\" is not KEY=VALUE (KEY: %s)",
				argv[i], keys());
			return EXIT_USAGE;
		}
		memcpy(key, argv[i], (size_t)(eq - argv[i]));
		key[eq - argv[i]] = 0;
		ret = lab_shaping_set(&one, key, eq + 1, &why);
		if (ret == -ENOENT) {
			cli_err("link set: unknown key \"%s\" (%s)", key,
				keys());
			return EXIT_USAGE;
		}
		if (ret) {
			cli_err("link set: %s=\"%s\": %s", key, eq + 1, why);
			return EXIT_USAGE;
		}
		if (la->change.set & one.set) {
			cli_err("link set: %s given twice", key);
			return EXIT_USAGE;
		}
		lab_shaping_merge(&la->change, &one);
	}
	return EXIT_OK;
}

static int parse_args(struct link_args *la, int argc, char **argv)
{
	if (argc < 5)
		return cli_usage("link");
	la->lab = argv[1];
	la->a = argv[2];
	la->b = argv[3];
	la->action = argv[4];
	if (!strcmp(la->action, "up") || !strcmp(la->action, "down")) {
		la->up = !strcmp(la->action, "up");
		return argc == 5 ? EXIT_OK : cli_usage("link");
	}
	if (strcmp(la->action, "set")) {
		cli_err("link: unknown action \"%s\" (up, down or set)",
			la->action);
		return cli_usage("link");
	}
	if (argc == 5)
		return cli_usage("link");
	return parse_set(la, argc - 5, argv + 5);
}

/* Locked exclusively (see the top), and only a lab with its holder. */
static int open_lab(const char *name, struct state **st)
{
	int ret = cli_open_running(name, true, st);

	if (ret)
		return ret;
	if ((*st)->holder_pidfd < 0) {
		cli_err("lab %s is broken (its holder is gone): remove it with "
			"nslab down %s", name, name);
		state_close(*st);
		return EXIT_SYSTEM;
	}
	return EXIT_OK;
}

static int report(const char *lab, const struct linkctl_error *e)
{
	/* both say all there is to say, and what to do */
	if (e->unsupported || e->err == -ESTALE)
		cli_err("lab %s: %s", lab, e->what);
	else if (e->kmsg[0])
		cli_err("lab %s: %s: %s (kernel: \"%s\")", lab, e->what,
			strerror(-e->err), e->kmsg);
	else
		cli_err("lab %s: %s: %s", lab, e->what, strerror(-e->err));
	return EXIT_SYSTEM;
}

/* set: the result is checked before anything changes (exit 2), from the
 * shaping the link has now. */
static int do_set(struct state *st, const struct lab *lab,
		  const struct plan *p, int link, const struct link_args *la)
{
	struct lab_shaping now[2], next[2];
	struct linkctl_error e;
	char why[160];
	int ret;

	ret = linkctl_get(st, lab, link, now, &e);
	if (ret)
		return report(la->lab, &e);
	if (linkctl_merge(now, &la->change, next, why, sizeof(why))) {
		cli_err("lab %s: link between %s and %s: %s", la->lab, la->a,
			la->b, why);
		return EXIT_USAGE;
	}
	if (linkctl_set(st, lab, p, link, &la->change, &e))
		return report(la->lab, &e);
	cli_info("lab %s: link between %s and %s reshaped", la->lab, la->a,
		 la->b);
	return EXIT_OK;
}

int cmd_link(int argc, char **argv)
{
	struct link_args la = { 0 };
	struct linkctl_error e;
	struct state *st = NULL;
	struct plan *p = NULL;
	struct lab *lab = NULL;
	char why[160];
	int rc, link;

	rc = parse_args(&la, argc, argv);
	if (!rc)
		rc = cli_need_root();
	if (!rc)
		rc = open_lab(la.lab, &st);
	if (rc)
		return rc;
	rc = cli_running_model(st, la.lab, &lab);
	if (!rc && plan_build(lab, &p)) {
		cli_err("lab %s: cannot plan it: %s", la.lab, strerror(ENOMEM));
		rc = EXIT_SYSTEM;
	}
	if (rc)
		goto out;
	link = linkctl_find(lab, la.a, la.b, why, sizeof(why));
	if (link < 0) {
		cli_err("lab %s: %s", la.lab, why);
		rc = EXIT_USAGE;
	} else if (la.change.set) {
		rc = do_set(st, lab, p, link, &la);
	} else if (linkctl_updown(st, p, link, la.up, &e)) {
		rc = report(la.lab, &e);
	} else {
		cli_info("lab %s: link between %s and %s %s", la.lab, la.a,
			 la.b, la.action);
	}
out:
	plan_free(p);
	lab_free(lab);
	state_close(st);
	return rc;
}

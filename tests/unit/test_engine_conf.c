/* test_engine_conf.c — the impairment engine's instructions file
 * (core/engine.h, engine_conf.c): what up writes reads back the same, and
 * anything else is refused, since the engine acts on every number in it. */
#include "../tsuite.h"
#include "engine.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct engine_conf sample(void)
{
	static struct engine_link v[2];
	struct engine_conf c = { 7, 2, v };

	memset(v, 0, sizeof(v));
	v[0].link = 3;
	snprintf(v[0].dev[0], sizeof(v[0].dev[0]), "l3a");
	snprintf(v[0].dev[1], sizeof(v[0].dev[1]), "l3b");
	v[0].netem[0] = (struct plan_netem){ 10000000, 2000000, 1000, 0.5, 0,
					     25, 0.1 };
	v[0].netem[1] = (struct plan_netem){ 0, 0, 50, 100, 1e-7, 0, 0 };
	v[1].link = 12;
	snprintf(v[1].dev[0], sizeof(v[1].dev[0]), "l12a");
	snprintf(v[1].dev[1], sizeof(v[1].dev[1]), "l12b");
	v[1].netem[0].limit_pkts = v[1].netem[1].limit_pkts = 1000;
	return c;
}

START_TEST(test_round_trip)
{
	struct engine_conf c = sample(), back;
	char *text = NULL, why[64] = "";
	size_t len = 0;
	int i, d;

	ck_assert_int_eq(engine_conf_format(&c, &text, &len), 0);
	ck_assert_int_eq(strlen(text), len);
	ck_assert_msg(!strncmp(text, "nslab-engine 1\ngeneration 7\nlink 3 l3a l3b 10000000 2000000 1000 0.5 0 25 0.10000000000000001 0 0 50 100 9.9999999999999995e-08 0 0\n", 132),
		      "%s", text);
	ck_assert_int_eq(engine_conf_parse(text, &back, why, sizeof(why)), 0);
	ck_assert_int_eq(back.generation, 7);
	ck_assert_int_eq(back.n, 2);
	for (i = 0; i < 2; i++) {
		ck_assert_int_eq(back.v[i].link, c.v[i].link);
		for (d = 0; d < 2; d++) {
			ck_assert_str_eq(back.v[i].dev[d], c.v[i].dev[d]);
			ck_assert(!memcmp(&back.v[i].netem[d], &c.v[i].netem[d],
					  sizeof(struct plan_netem)));
		}
	}
	ck_assert_ptr_eq(engine_conf_find(&back, 12), &back.v[1]);
	ck_assert_ptr_null(engine_conf_find(&back, 4));
	engine_conf_free(&back);
	free(text);
}
END_TEST

START_TEST(test_refused)
{
	static const char *const bad[] = {
		"",
		"nslab-engine 2\ngeneration 1\n",
		"nslab-engine 1\n",
		"nslab-engine 1\ngeneration x\n",
		"nslab-engine 1\ngeneration 1 2\n",
		/* a field short, one too many, a device name with a slash */
		"nslab-engine 1\ngeneration 1\nlink 0 l0a l0b 1 0 1000 0 0 0 0 1 0 1000 0 0 0\n",
		"nslab-engine 1\ngeneration 1\nlink 0 l0a l0b 1 0 1000 0 0 0 0 1 0 1000 0 0 0 0 9\n",
		"nslab-engine 1\ngeneration 1\nlink 0 ../x l0b 1 0 1000 0 0 0 0 1 0 1000 0 0 0 0\n",
		/* out of netem's range: 101%, nan, limit 0, jitter over 2^31 ns */
		"nslab-engine 1\ngeneration 1\nlink 0 l0a l0b 1 0 1000 101 0 0 0 1 0 1000 0 0 0 0\n",
		"nslab-engine 1\ngeneration 1\nlink 0 l0a l0b 1 0 1000 nan 0 0 0 1 0 1000 0 0 0 0\n",
		"nslab-engine 1\ngeneration 1\nlink 0 l0a l0b 1 0 0 0 0 0 0 1 0 1000 0 0 0 0\n",
		"nslab-engine 1\ngeneration 1\nlink 0 l0a l0b 1 4294967296 1000 0 0 0 0 1 0 1000 0 0 0 0\n",
		"nslab-engine 1\ngeneration 1\nlink -1 l0a l0b 1 0 1000 0 0 0 0 1 0 1000 0 0 0 0\n",
	};
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct engine_conf c;
		char why[64] = "";

		ck_assert_msg(engine_conf_parse(bad[i], &c, why, sizeof(why)) < 0,
			      "accepted: %s", bad[i]);
		ck_assert_msg(why[0] != '\0' || bad[i][0] == '\0', "no reason for: %s", bad[i]);
		ck_assert_ptr_null(c.v);
	}
}
END_TEST

static Suite *engine_conf_suite(void)
{
	Suite *s = suite_create("engine_conf");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_round_trip);
	tcase_add_test(tc, test_refused);
	suite_add_tcase(s, tc);
	return s;
}

TSUITE(engine_conf_suite)

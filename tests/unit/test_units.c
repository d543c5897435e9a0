/* test_units.c — rates, times, percentages, counts and their printed forms
 * (topologies/README.md, "Units"; core/units.h). */
#include "../tsuite.h"
#include "lab.h"
#include "units.h"

#include <errno.h>
#include <stdint.h>
#include <string.h>

static uint64_t rate_ok(const char *s, int allow_zero)
{
	const char *why = NULL;
	uint64_t v = 12345;
	int ret = units_rate(s, &v, allow_zero, &why);

	ck_assert_msg(ret == 0, "units_rate(\"%s\", %d) = %d (%s)", s,
		      allow_zero, ret, why ? why : "?");
	return v;
}

static void rate_bad(const char *s, int allow_zero)
{
	const char *why = NULL;
	uint64_t v = 12345;
	int ret = units_rate(s, &v, allow_zero, &why);

	ck_assert_msg(ret == -EINVAL || ret == -ERANGE,
		      "units_rate(\"%s\", %d) = %d, want an error (value %llu)",
		      s, allow_zero, ret, (unsigned long long)v);
	ck_assert_msg(why && *why, "units_rate(\"%s\"): no reason", s);
}

static uint64_t time_ok(const char *s, int allow_zero)
{
	const char *why = NULL;
	uint64_t v = 12345;
	int ret = units_time(s, &v, allow_zero, &why);

	ck_assert_msg(ret == 0, "units_time(\"%s\", %d) = %d (%s)", s,
		      allow_zero, ret, why ? why : "?");
	return v;
}

static void time_bad(const char *s, int allow_zero)
{
	const char *why = NULL;
	uint64_t v = 12345;
	int ret = units_time(s, &v, allow_zero, &why);

	ck_assert_msg(ret == -EINVAL || ret == -ERANGE,
		      "units_time(\"%s\", %d) = %d, want an error (value %llu)",
		      s, allow_zero, ret, (unsigned long long)v);
	ck_assert_msg(why && *why, "units_time(\"%s\"): no reason", s);
}

START_TEST(test_rate_bits)
{
	ck_assert_uint_eq(rate_ok("1000bit", 0), 1000);
	ck_assert_uint_eq(rate_ok("10kbit", 0), 10000);
	ck_assert_uint_eq(rate_ok("10mbit", 0), 10000000);
	ck_assert_uint_eq(rate_ok("1gbit", 0), 1000000000);
	ck_assert_uint_eq(rate_ok("2tbit", 0), 2000000000000ull);
	ck_assert_uint_eq(rate_ok("1.5mbit", 0), 1500000);
	ck_assert_uint_eq(rate_ok("0.5kbit", 0), 500);
	ck_assert_uint_eq(rate_ok("100", 0), 100);	/* bare = bit/s */
	ck_assert_uint_eq(rate_ok("8", 0), 8);
	ck_assert_uint_eq(rate_ok("5000000", 0), 5000000);
	/* > 4 Gbit/s must not be truncated to 32 bits */
	ck_assert_uint_eq(rate_ok("40gbit", 0), 40000000000ull);
}
END_TEST

START_TEST(test_rate_bytes)
{
	/* bps kbps mbps gbps are BYTES per second, as in tc */
	ck_assert_uint_eq(rate_ok("100bps", 0), 800);
	ck_assert_uint_eq(rate_ok("1kbps", 0), 8000);
	ck_assert_uint_eq(rate_ok("1mbps", 0), 8000000);
	ck_assert_uint_eq(rate_ok("2gbps", 0), 16000000000ull);
	ck_assert_uint_eq(rate_ok("1.25mbps", 0), 10000000);
}
END_TEST

START_TEST(test_rate_case)
{
	ck_assert_uint_eq(rate_ok("10MBIT", 0), 10000000);
	ck_assert_uint_eq(rate_ok("10Mbit", 0), 10000000);
	ck_assert_uint_eq(rate_ok("1GBit", 0), 1000000000);
	ck_assert_uint_eq(rate_ok("1KBPS", 0), 8000);
	ck_assert_uint_eq(rate_ok("1Mbps", 0), 8000000);
}
END_TEST

START_TEST(test_rate_zero)
{
	ck_assert_uint_eq(rate_ok("none", 1), 0);
	ck_assert_uint_eq(rate_ok("0", 1), 0);
	rate_bad("none", 0);
	rate_bad("0", 0);
	rate_bad("0mbit", 0);
}
END_TEST

START_TEST(test_rate_bad)
{
	static const char *const bad[] = {
		"",	   "mbit",   "10mbitz", "10 mbit", " 10mbit", "10mbit ",
		"-10mbit", "+10mbit", "1e3mbit", "1e3",	   "0x10",    "inf",
		"nan",	   "10mb",   "10m",	"10kb",	   "10gib",   "fast",
		"10.5.1mbit", "..5mbit", "10mbit/s", "1bit" /* below 8 bit/s */,
		"100tbps" /* absurd */, NULL,
	};
	int i;

	for (i = 0; bad[i]; i++) {
		rate_bad(bad[i], 0);
		rate_bad(bad[i], 1);
	}
}
END_TEST

START_TEST(test_time)
{
	ck_assert_uint_eq(time_ok("20ms", 0), 20000000);
	ck_assert_uint_eq(time_ok("100us", 0), 100000);
	ck_assert_uint_eq(time_ok("2s", 0), 2000000000);
	ck_assert_uint_eq(time_ok("1.5s", 0), 1500000000);
	ck_assert_uint_eq(time_ok("500ns", 0), 500);
	ck_assert_uint_eq(time_ok("100usec", 0), 100000);
	ck_assert_uint_eq(time_ok("20msec", 0), 20000000);
	ck_assert_uint_eq(time_ok("30sec", 0), 30000000000ull);
	ck_assert_uint_eq(time_ok("0.5ms", 0), 500000);
	ck_assert_uint_eq(time_ok("20MS", 0), 20000000);
	ck_assert_uint_eq(time_ok("3600s", 0), 3600000000000ull);
	ck_assert_uint_eq(time_ok("0", 1), 0);
	ck_assert_uint_eq(time_ok("0ms", 1), 0);
}
END_TEST

START_TEST(test_time_bad)
{
	static const char *const bad[] = {
		"",	 "20",	   "ms",   "20 ms", "-5ms", "+5ms", "1e3ms",
		"20min", "20m",	   "20h",  "soon",  "20mss", "0x10ms",
		"3601s", "99999999999999999999s", "0.1ns", NULL,
	};
	int i;

	for (i = 0; bad[i]; i++) {
		time_bad(bad[i], 0);
		time_bad(bad[i], 1);
	}
	time_bad("0", 0);	/* zero only when allowed */
	time_bad("0ms", 0);
}
END_TEST

START_TEST(test_percent)
{
	const char *why = NULL;
	double v = -1;

	ck_assert_int_eq(units_percent("0.5%", &v, &why), 0);
	ck_assert_double_eq_tol(v, 0.5, 1e-12);
	ck_assert_int_eq(units_percent("100%", &v, &why), 0);
	ck_assert_double_eq_tol(v, 100, 1e-12);
	ck_assert_int_eq(units_percent("0%", &v, &why), 0);
	ck_assert_double_eq_tol(v, 0, 1e-12);
	ck_assert_int_eq(units_percent("12.25%", &v, &why), 0);
	ck_assert_double_eq_tol(v, 12.25, 1e-12);

	ck_assert_int_ne(units_percent("0.5", &v, &why), 0);	/* % required */
	ck_assert_int_ne(units_percent("150%", &v, &why), 0);
	ck_assert_int_ne(units_percent("100.01%", &v, &why), 0);
	ck_assert_int_ne(units_percent("-1%", &v, &why), 0);
	ck_assert_int_ne(units_percent("%", &v, &why), 0);
	ck_assert_int_ne(units_percent("", &v, &why), 0);
	ck_assert_int_ne(units_percent("1%%", &v, &why), 0);
	ck_assert_int_ne(units_percent("1 %", &v, &why), 0);
	ck_assert_int_ne(units_percent("1e1%", &v, &why), 0);
	ck_assert_int_ne(units_percent("lots", &v, &why), 0);
	ck_assert_ptr_nonnull(why);
}
END_TEST

START_TEST(test_uint)
{
	const char *why = NULL;
	uint64_t v = 0;

	ck_assert_int_eq(units_uint("1", 1, 10, &v, &why), 0);
	ck_assert_uint_eq(v, 1);
	ck_assert_int_eq(units_uint("10", 1, 10, &v, &why), 0);
	ck_assert_uint_eq(v, 10);
	ck_assert_int_eq(units_uint("0", 0, 0, &v, &why), 0);
	ck_assert_uint_eq(v, 0);
	ck_assert_int_eq(units_uint("18446744073709551615", 0, UINT64_MAX, &v, &why), 0);
	ck_assert_uint_eq(v, UINT64_MAX);

	ck_assert_int_eq(units_uint("0", 1, 10, &v, &why), -ERANGE);
	ck_assert_int_eq(units_uint("11", 1, 10, &v, &why), -ERANGE);
	ck_assert_int_eq(units_uint("18446744073709551616", 0, UINT64_MAX, &v, &why), -ERANGE);
	ck_assert_int_eq(units_uint("-1", 0, 10, &v, &why), -EINVAL);
	ck_assert_int_eq(units_uint("", 0, 10, &v, &why), -EINVAL);
	ck_assert_int_eq(units_uint("5x", 0, 10, &v, &why), -EINVAL);
	ck_assert_int_eq(units_uint(" 5", 0, 10, &v, &why), -EINVAL);
	ck_assert_int_eq(units_uint("5 ", 0, 10, &v, &why), -EINVAL);
	ck_assert_int_eq(units_uint("+5", 0, 10, &v, &why), -EINVAL);
	ck_assert_int_eq(units_uint("1.0", 0, 10, &v, &why), -EINVAL);
	ck_assert_int_eq(units_uint("many", 0, 10, &v, &why), -EINVAL);
}
END_TEST

START_TEST(test_rate_str)
{
	static const struct { uint64_t v; const char *s; } t[] = {
		{ 10000000, "10mbit" },	  { 1500000, "1500kbit" },
		{ 1000000000, "1gbit" },  { 1000, "1kbit" },
		{ 999, "999bit" },	  { 8000, "8kbit" },
		{ 40000000000ull, "40gbit" }, { 2000000000000ull, "2tbit" },
		{ 12345678, "12345678bit" },
	};
	char buf[32];
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		ck_assert_str_eq(units_rate_str(t[i].v, buf, sizeof(buf)), t[i].s);
		/* and back */
		ck_assert_uint_eq(rate_ok(buf, 0), t[i].v);
	}
}
END_TEST

START_TEST(test_time_str)
{
	static const struct { uint64_t v; const char *s; } t[] = {
		{ 20000000, "20ms" },	 { 1000000000, "1s" },
		{ 1500000000, "1500ms" }, { 100000, "100us" },
		{ 1500, "1500ns" },	 { 1, "1ns" },
		{ 30000000000ull, "30s" }, { 2500000, "2500us" },
	};
	char buf[32];
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		ck_assert_str_eq(units_time_str(t[i].v, buf, sizeof(buf)), t[i].s);
		ck_assert_uint_eq(time_ok(buf, 0), t[i].v);
	}
}
END_TEST

/* Every printed form parses back to the same value. */
START_TEST(test_round_trip_sweep)
{
	char buf[32];
	uint64_t v;

	for (v = 8; v < 100000000000000ull / 8; v = v * 7 + 3) {
		units_rate_str(v, buf, sizeof(buf));
		ck_assert_uint_eq(rate_ok(buf, 0), v);
	}
	for (v = 1; v <= 3600000000000ull; v = v * 5 + 1) {
		units_time_str(v, buf, sizeof(buf));
		ck_assert_uint_eq(time_ok(buf, 0), v);
	}
}
END_TEST

/* The shaping table (lab.h): every attribute it names parses, sets
 * exactly its own bit, and merges only when set. */
START_TEST(test_shaping_table)
{
	static const char *const names[] = { LAB_SHAPING_NAMES NULL };
	static const char *const vals[] = { "10mbit", "5ms", "1ms", "1%",
					    "2%", "3%", "4%", "50" };
	struct lab_shaping all = { 0 }, base = { 0 }, over = { 0 };
	const char *why = NULL;
	unsigned seen = 0;
	int i;

	ck_assert_int_eq(sizeof(vals) / sizeof(vals[0]), LAB_SHI_COUNT);
	for (i = 0; names[i]; i++) {
		struct lab_shaping one = { 0 };

		ck_assert_msg(lab_shaping_set(&one, names[i], vals[i], &why) == 0,
			      "%s=%s: %s", names[i], vals[i], why);
		ck_assert_uint_eq(one.set, 1u << i);
		ck_assert(!(seen & one.set));
		seen |= one.set;
		ck_assert_int_eq(lab_shaping_set(&all, names[i], vals[i], &why), 0);
	}
	ck_assert_int_eq(i, LAB_SHI_COUNT);
	ck_assert_int_eq(lab_shaping_set(&all, "bogus", "1", &why), -ENOENT);
	ck_assert_int_eq(lab_shaping_set(&all, "delay", "soon", &why), -EINVAL);
	ck_assert_uint_eq(all.rate_bps, 10000000);
	ck_assert_uint_eq(all.delay_ns, 5000000);
	ck_assert_uint_eq(all.jitter_ns, 1000000);
	ck_assert(all.corrupt_pct == 4.0);
	ck_assert_uint_eq(all.queue_pkts, 50);
	ck_assert(lab_shaping_needs_netem(&all) && lab_shaping_needs_tbf(&all));
	ck_assert(lab_shaping_reorder(&all) == 3.0);
	/* merge: only what `over` set replaces base */
	base = all;
	ck_assert_int_eq(lab_shaping_set(&over, "delay", "0", &why), 0);
	ck_assert_int_eq(lab_shaping_set(&over, "queue", "7", &why), 0);
	lab_shaping_merge(&base, &over);
	ck_assert_uint_eq(base.delay_ns, 0);
	ck_assert_uint_eq(base.queue_pkts, 7);
	ck_assert_uint_eq(base.rate_bps, 10000000);
	ck_assert(base.loss_pct == 1.0);
	ck_assert(lab_shaping_reorder(&base) == 0);	/* no delay left */
	memset(&over, 0, sizeof(over));
	ck_assert_int_eq(lab_shaping_set(&over, "rate", "none", &why), 0);
	ck_assert(!lab_shaping_needs_tbf(&over) && !lab_shaping_needs_netem(&over));
}
END_TEST

/* One name rule and one node-path rule (lab.h), used by the parser, the
 * resolver and the state dir alike. */
START_TEST(test_names_and_areas)
{
	const char *why = NULL, *rest = NULL;

	ck_assert(lab_name_check("h1", NULL));
	ck_assert(lab_name_check("A_b-9", &why));
	ck_assert(!lab_name_check("", &why));
	ck_assert(!lab_name_check("1abc", &why));
	ck_assert_str_eq(why, "must start with a letter");
	ck_assert(!lab_name_check("a.b", &why));
	ck_assert(!lab_name_check("abcdefghijabcdefghijabcdefghijabc", &why));
	ck_assert(lab_name_check("abcdefghijabcdefghijabcdefghijab", &why));
	ck_assert_int_eq(lab_file_area("/run/shared/x", &rest), LAB_AREA_SHARED);
	ck_assert_str_eq(rest, "x");
	ck_assert_int_eq(lab_file_area("/shared/d/y", &rest), LAB_AREA_SHARED);
	ck_assert_str_eq(rest, "d/y");
	ck_assert_int_eq(lab_file_area("/etc/hosts", &rest), LAB_AREA_ETC);
	ck_assert_int_eq(lab_file_area("/run/a", &rest), LAB_AREA_RUN);
	ck_assert_int_eq(lab_file_area("/tmp/a", &rest), LAB_AREA_TMP);
	ck_assert_int_eq(lab_file_area("/var/a", &rest), LAB_AREA_NONE);
	ck_assert_int_eq(lab_file_area("/etcx/a", &rest), LAB_AREA_NONE);
}
END_TEST

Suite *units_suite(void);
Suite *units_suite(void)
{
	Suite *s = suite_create("units");
	TCase *tc = tcase_create("units");

	tcase_add_test(tc, test_rate_bits);
	tcase_add_test(tc, test_rate_bytes);
	tcase_add_test(tc, test_rate_case);
	tcase_add_test(tc, test_rate_zero);
	tcase_add_test(tc, test_rate_bad);
	tcase_add_test(tc, test_time);
	tcase_add_test(tc, test_time_bad);
	tcase_add_test(tc, test_percent);
	tcase_add_test(tc, test_uint);
	tcase_add_test(tc, test_rate_str);
	tcase_add_test(tc, test_time_str);
	tcase_add_test(tc, test_round_trip_sweep);
	tcase_add_test(tc, test_shaping_table);
	tcase_add_test(tc, test_names_and_areas);
	suite_add_tcase(s, tc);
	return s;
}

TSUITE(units_suite)

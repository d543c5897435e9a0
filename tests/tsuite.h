/* tsuite.h — one Check runner for many test files.
 * Each test file registers its suite from a constructor:
 *     TSUITE(units_suite)
 * and tests/tsuite.c runs every registered suite in one SRunner, so the
 * closing line of the run is Check's own summary. */
#pragma once
#include <check.h>
#include <stddef.h>
#include <stdint.h>

void tsuite_register(Suite *(*make)(void));

#define TSUITE(fn)                                                      \
	static void __attribute__((constructor)) tsuite_reg_##fn(void)  \
	{                                                               \
		tsuite_register(fn);                                    \
	}

/* A growable string for reports and generated lab files. */
struct tsuite_buf {
	char *s;
	size_t n, cap;
	int count;	/* lines added with tsuite_buf_line() */
};

/* Append formatted text. */
void tsuite_buf_printf(struct tsuite_buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Append "\n" and a formatted line, counting it (failure reports). */
void tsuite_buf_line(struct tsuite_buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

struct nl_tbf;
/* TBF parameters as nslab sizes them (plan_tbf_size), for the builders. */
void tsuite_tbf_params(struct nl_tbf *t, uint64_t rate_bps, uint32_t queue_pkts,
		       int mtu);

/* Directory of the source tree (tests are run from the top level). */
#define TSUITE_TOP "."

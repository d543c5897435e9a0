/* tsuite.h — one Check runner for many test files.
 * Each test file registers its suite from a constructor:
 *     TSUITE(units_suite)
 * and tests/tsuite.c runs every registered suite in one SRunner, so the
 * closing line of the run is Check's own summary. */
#pragma once
#include <check.h>

void tsuite_register(Suite *(*make)(void));

#define TSUITE(fn)                                                      \
	static void __attribute__((constructor)) tsuite_reg_##fn(void)  \
	{                                                               \
		tsuite_register(fn);                                    \
	}

/* Directory of the source tree (tests are run from the top level). */
#define TSUITE_TOP "."

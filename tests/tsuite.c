/* tsuite.c — the main() of every Check runner (see tsuite.h). */
#include "tsuite.h"

#include <stdlib.h>

#define TSUITE_MAX 64

static Suite *(*makers[TSUITE_MAX])(void);
static int nmakers;

void tsuite_register(Suite *(*make)(void))
{
	if (nmakers < TSUITE_MAX)
		makers[nmakers++] = make;
	else
		abort();
}

int main(void)
{
	SRunner *sr;
	int failed, i;

	if (!nmakers)
		return 0;
	sr = srunner_create(makers[0]());
	for (i = 1; i < nmakers; i++)
		srunner_add_suite(sr, makers[i]());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

/* tsuite.c — the main() of every Check runner (see tsuite.h). */
#include "tsuite.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nl.h"
#include "plan.h"

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

static void buf_vadd(struct tsuite_buf *b, const char *fmt, va_list ap)
{
	va_list aq;
	int k;

	va_copy(aq, ap);
	k = vsnprintf(NULL, 0, fmt, aq);
	va_end(aq);
	ck_assert_int_ge(k, 0);
	if (b->n + (size_t)k + 1 > b->cap) {
		b->cap = (b->n + (size_t)k + 1) * 2;
		b->s = realloc(b->s, b->cap);
		ck_assert_ptr_nonnull(b->s);
	}
	vsnprintf(b->s + b->n, b->cap - b->n, fmt, ap);
	b->n += (size_t)k;
}

void tsuite_buf_printf(struct tsuite_buf *b, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	buf_vadd(b, fmt, ap);
	va_end(ap);
}

void tsuite_buf_line(struct tsuite_buf *b, const char *fmt, ...)
{
	va_list ap;

	tsuite_buf_printf(b, "\n");
	va_start(ap, fmt);
	buf_vadd(b, fmt, ap);
	va_end(ap);
	b->count++;
}

void tsuite_tbf_params(struct nl_tbf *t, uint64_t rate_bps, uint32_t queue_pkts,
		       int mtu)
{
	memset(t, 0, sizeof(*t));
	t->mtu = mtu;
	t->rate_bytes = rate_bps / 8;
	plan_tbf_size(rate_bps, queue_pkts, mtu, &t->burst_bytes, &t->limit_bytes);
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

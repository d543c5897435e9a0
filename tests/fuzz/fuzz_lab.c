/* fuzz_lab.c — libFuzzer harness: bytes -> parse -> resolve -> plan ->
 * print (both scripts) and every op's description: each entry a lab file
 * reaches without a kernel.  Build with `make fuzz` (clang); run:
 *     make -C tests/fuzz run SECONDS_TO_RUN=300
 * (the dictionary tests/fuzz/fuzz.dict and the seeds matter: see the
 * Makefile).  Any crash, leak or sanitizer report is a bug; keep the input
 * in tests/fuzz/regressions. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "lab.h"
#include "plan.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct lab_errors errs;
	struct plan *plan;
	struct lab *lab;
	char buf[512];
	FILE *out;
	int i;

	lab_errors_init(&errs, "fuzz.xml");
	/* dir "/nonexistent": src= files cannot be read during fuzzing */
	if (lab_parse_buffer((const char *)data, size, "fuzz.xml", "/nonexistent",
			     &lab, &errs))
		return 0;
	if (lab_resolve(lab, &errs) == 0 && plan_build(lab, &plan) == 0) {
		out = fopen("/dev/null", "w");
		if (out) {
			plan_print(plan, out, 0);
			plan_print(plan, out, 1);
			fclose(out);
		}
		for (i = 0; i < plan->nops; i++)
			plan_op_describe(plan, &plan->ops[i], buf, sizeof(buf));
		plan_free(plan);
	}
	lab_free(lab);
	return 0;
}

/* fuzz_lab.c — libFuzzer harness: bytes -> parse -> resolve -> plan -> print.
 * Build with `make fuzz` (clang); run:
 *     tests/fuzz/fuzz-lab -max_total_time=300 tests/fuzz/corpus tests/fuzz/seeds
 * Any crash, leak or sanitizer report is a bug. */
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
	FILE *out;

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
		plan_free(plan);
	}
	lab_free(lab);
	return 0;
}

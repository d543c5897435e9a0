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
#include <stdlib.h>
#include <string.h>

#include "lab.h"
#include "plan.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* An input that does not start with '<' is a fragment: its first byte
 * picks an element below, the rest goes inside it, in a small valid lab.
 * Byte mutations rarely make a well-formed child in the right place of a
 * whole document (a child of <a-to-b> crashed `check` unseen for 2.6 M
 * runs); here one dictionary insertion does it, for every element. */
#define HOSTS "<host name=\"a\"/><host name=\"b\"/>"
#define LINK "<link a=\"a\" b=\"b\"/>"
static const char *const slot[][2] = {
	{ "<lab name=\"f\">", "</lab>" },
	{ "<lab name=\"f\"><host name=\"a\">", "</host><host name=\"b\"/>" LINK "</lab>" },
	{ "<lab name=\"f\"><router name=\"a\">", "</router><host name=\"b\"/>" LINK "</lab>" },
	{ "<lab name=\"f\"><switch name=\"a\">", "</switch><host name=\"b\"/>" LINK "</lab>" },
	{ "<lab name=\"f\">" HOSTS "<link a=\"a\" b=\"b\">", "</link></lab>" },
	{ "<lab name=\"f\">" HOSTS "<link a=\"a\" b=\"b\"><a-to-b>", "</a-to-b></link></lab>" },
	{ "<lab name=\"f\">" HOSTS "<link a=\"a\" b=\"b\"><b-to-a>", "</b-to-a></link></lab>" },
	{ "<lab name=\"f\"><host name=\"a\"><iface name=\"lo\">", "</iface></host><host name=\"b\"/>" LINK "</lab>" },
	{ "<lab name=\"f\"><host name=\"a\"><route dst=\"default\" dev=\"eth0\">", "</route></host><host name=\"b\"/>" LINK "</lab>" },
	{ "<lab name=\"f\"><host name=\"a\"><sysctl name=\"net.x\" value=\"1\">", "</sysctl></host><host name=\"b\"/>" LINK "</lab>" },
	{ "<lab name=\"f\"><host name=\"a\"><file path=\"/etc/x\">", "</file></host><host name=\"b\"/>" LINK "</lab>" },
	{ "<lab name=\"f\"><host name=\"a\"><start>", "</start></host><host name=\"b\"/>" LINK "</lab>" },
	{ "<lab name=\"f\">" HOSTS LINK "<tests>", "</tests></lab>" },
	{ "<lab name=\"f\">" HOSTS LINK "<tests><ping from=\"a\" to=\"b\">", "</ping></tests></lab>" },
	{ "<lab name=\"f\">" HOSTS LINK "<tests><pingall>", "</pingall></tests></lab>" },
	{ "<lab name=\"f\">" HOSTS LINK "<tests><run node=\"a\">", "</run></tests></lab>" },
	{ "<lab name=\"f\">" HOSTS LINK "<tests><exec node=\"a\">", "</exec></tests></lab>" },
	{ "<lab name=\"f\">" HOSTS LINK "<tests><iperf from=\"a\" to=\"b\">", "</iperf></tests></lab>" },
	{ "<lab name=\"f\">" HOSTS LINK "<tests><link-down a=\"a\" b=\"b\">", "</link-down></tests></lab>" },
	{ "<lab name=\"f\">" HOSTS LINK "<tests><link-up a=\"a\" b=\"b\">", "</link-up></tests></lab>" },
	{ "<lab name=\"f\">" HOSTS LINK "<tests><link-set a=\"a\" b=\"b\" rate=\"1mbit\">", "</link-set></tests></lab>" },
	{ "<lab name=\"f\">" HOSTS LINK "<tests><link-flap a=\"a\" b=\"b\">", "</link-flap></tests></lab>" },
	{ "<lab name=\"f\">" HOSTS LINK "<tests><sleep for=\"1s\">", "</sleep></tests></lab>" },
};
#define NSLOTS (sizeof(slot) / sizeof(slot[0]))

static void run(const char *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *const *s;
	char *buf;
	size_t a, b;

	if (!size || data[0] == '<' || size > (1u << 20)) {
		run((const char *)data, size);
		return 0;
	}
	s = slot[data[0] % NSLOTS];
	a = strlen(s[0]);
	b = strlen(s[1]);
	buf = malloc(a + size - 1 + b);
	if (!buf)
		return 0;
	memcpy(buf, s[0], a);
	memcpy(buf + a, data + 1, size - 1);
	memcpy(buf + a + size - 1, s[1], b);
	run(buf, a + size - 1 + b);
	free(buf);
	return 0;
}

static void run(const char *data, size_t size)
{
	struct lab_errors errs;
	struct plan *plan;
	struct lab *lab;
	char buf[512];
	FILE *out;
	int i;

	lab_errors_init(&errs, "fuzz.xml");
	/* dir "/nonexistent": src= files cannot be read during fuzzing */
	if (lab_parse_buffer(data, size, "fuzz.xml", "/nonexistent", &lab, &errs))
		return;
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
}

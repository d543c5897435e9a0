/* fuzz_clab.c — libFuzzer harness for nslab import clab (core/import.h):
 * bytes -> a memfd -> import_clab().  Build with `make fuzz` (clang); run:
 *     make -C tests/fuzz run-clab SECONDS_TO_RUN=300
 * Seeds: topologies/interop (*.clab.yml) and inputs-clab/.  Any crash,
 * leak or sanitizer report is a bug; keep the input in
 * tests/fuzz/regressions. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

#include "import.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[64], why[512];
	FILE *out;
	int fd;

	fd = memfd_create("fuzz.clab.yml", MFD_CLOEXEC);
	if (fd < 0)
		return 0;
	if (write(fd, data, size) != (ssize_t)size) {
		close(fd);
		return 0;
	}
	/* binds resolve in /proc/self/fd: nothing there to read */
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	out = fopen("/dev/null", "w");
	if (out) {
		import_clab(path, out, out, why, sizeof(why));
		fclose(out);
	}
	close(fd);
	return 0;
}

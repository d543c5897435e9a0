/* fuzz_clab.c — libFuzzer harness for nslab import clab (core/import.h):
 * bytes -> a memfd -> import_clab().  Build with `make fuzz` (clang); run:
 *     make -C tests/fuzz run-clab SECONDS_TO_RUN=300
 * Seeds: topologies/interop (*.clab.yml) and inputs-clab/.  Any crash,
 * leak or sanitizer report is a bug, and so is an import that succeeds
 * with XML that is not well-formed (it aborts); keep the input in
 * tests/fuzz/regressions. */
#include <libxml/parser.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "import.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[64], why[512], *xml = NULL;
	size_t xml_len = 0;
	FILE *out, *warn;
	int fd, ret = -1;

	fd = memfd_create("fuzz.clab.yml", MFD_CLOEXEC);
	if (fd < 0)
		return 0;
	if (write(fd, data, size) != (ssize_t)size) {
		close(fd);
		return 0;
	}
	/* binds resolve in /proc/self/fd: nothing there to read */
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	out = open_memstream(&xml, &xml_len);
	warn = fopen("/dev/null", "w");
	if (out && warn)
		ret = import_clab(path, out, warn, why, sizeof(why));
	if (warn)
		fclose(warn);
	if (out && fclose(out) == 0 && ret == 0) {
		xmlDocPtr d = xmlReadMemory(xml, (int)xml_len, "import.xml", NULL,
					    XML_PARSE_NONET | XML_PARSE_NOERROR |
						    XML_PARSE_NOWARNING);

		if (!d) {
			fprintf(stderr, "import succeeded with XML that is not "
					"well-formed:\n%s\n", xml);
			abort();
		}
		xmlFreeDoc(d);
	}
	free(xml);
	close(fd);
	return 0;
}

/* import_kathara.c — placeholder until the kathara importer lands (core/import.h). */
#include <errno.h>
#include <stdio.h>

#include "import.h"

int import_kathara(const char *path, FILE *out, FILE *warn, char *why,
	      size_t whylen)
{
	(void)out;
	(void)warn;
	snprintf(why, whylen, "%s: the kathara importer is not built yet", path);
	return -ENOSYS;
}

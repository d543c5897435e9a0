/* import_clab.c — placeholder until the clab importer lands (core/import.h). */
#include <errno.h>
#include <stdio.h>

#include "import.h"

int import_clab(const char *path, FILE *out, FILE *warn, char *why,
	      size_t whylen)
{
	(void)out;
	(void)warn;
	snprintf(why, whylen, "%s: the clab importer is not built yet", path);
	return -ENOSYS;
}

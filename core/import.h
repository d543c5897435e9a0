/* import.h — converters from other tools' lab formats to nslab's XML
 * (README.md, "Coming from containerlab / Kathara").
 *
 * Each reads PATH, writes a complete lab file on OUT and, on WARN, one
 * line per thing it could not carry over:
 *   "nslab: import: FILE:LINE: not carried over: WHAT"
 * They return 0, -EINVAL when the input is not a lab of that format (with
 * a "FILE:LINE: why" message in why[]), or another -errno (why[] says
 * which file).  Nothing is written on OUT unless the result is 0. */
#pragma once

#include <stddef.h>
#include <stdio.h>

/* containerlab: PATH is a *.clab.yml topology file. */
int import_clab(const char *path, FILE *out, FILE *warn, char *why,
		size_t whylen);
/* Kathara: PATH is a lab directory holding lab.conf. */
int import_kathara(const char *path, FILE *out, FILE *warn, char *why,
		   size_t whylen);

#!/bin/sh
# embed.sh SYMBOL < FILE > FILE.c — turn a text file into a C string constant,
# so the binary carries the schema and never depends on where it is installed.
sym=$1
printf '/* generated from topologies/nslab.rng by tools/embed.sh: do not edit */\n'
printf 'const char %s[] =\n' "$sym"
sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/^/\t"/' -e 's/$/\\n"/'
printf ';\n'

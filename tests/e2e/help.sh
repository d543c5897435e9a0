#!/bin/bash
# help.sh — for every command that `nslab --help` lists, `nslab CMD --help`
# and `-h` exit 0 and print "usage: nslab CMD ..." on stdout, and
# `nslab CMD --bogus` exits 2 with that same usage line on stderr.  Also
# the whole-program usage (--help: 0 on stdout; no command: 2 on stderr).
# Needs no root, touches no lab.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
nslab=${NSLAB:-$top/nslab}
pass=0 fail=0
ok() { pass=$((pass + 1)); }
bad() { echo "not ok - $*"; fail=$((fail + 1)); }

out=$("$nslab" --help 2>&1); rc=$?
[ "$rc" = 0 ] || bad "nslab --help: exit $rc"
for opt in --allow-host-src -v -q --version; do
	grep -q -- "$opt" <<<"$out" || bad "nslab --help does not mention $opt"
done
"$nslab" > /dev/null 2>&1; rc=$?
[ "$rc" = 2 ] || bad "nslab with no command: exit $rc, expected 2"

# the commands: the lines "  NAME ..." between the first blank line and the next
cmds=$(awk '/^$/ { b++; next } b == 1 && /^  [a-z]/ { print $1 }' <<<"$out")
[ "$(wc -w <<<"$cmds")" -ge 9 ] || bad "nslab --help lists too few commands: $cmds"
for c in $cmds; do
	syn=$(grep -E "^  $c " <<<"$out" | head -n 1)
	for h in --help -h; do
		o=$("$nslab" "$c" "$h" 2> /dev/null); rc=$?
		[ "$rc" = 0 ] || { bad "nslab $c $h: exit $rc"; continue; }
		grep -q "^usage: nslab $c\b" <<<"$o" || bad "nslab $c $h: no 'usage: nslab $c' line: $o"
		ok
	done
	usage=$("$nslab" "$c" --help | grep -m 1 '^usage: ')
	e=$("$nslab" "$c" --bogus 2>&1 > /dev/null); rc=$?
	[ "$rc" = 2 ] || { bad "nslab $c --bogus: exit $rc, expected 2 ($e)"; continue; }
	grep -qxF "nslab: $usage" <<<"$e" || bad "nslab $c --bogus: no '$usage' in: $e"
	# the program usage shows the same synopsis
	[[ "$syn" == "  ${usage#usage: nslab } "* ]] || bad "nslab --help's '$syn' is not '$usage'"
	ok
done
"$nslab" nosuchcommand --help > /dev/null 2>&1; rc=$?
[ "$rc" = 2 ] || bad "nslab nosuchcommand --help: exit $rc, expected 2"
echo "help: $pass passed, $fail failed"
[ "$fail" -eq 0 ]

#!/bin/bash
# bad-files.sh — every file in tests/data/bad is refused by `nslab check`
# with exit 2 and a first message "nslab: FILE:LINE: ..." matching the
# keywords listed in tests/data/bad/EXPECTED.  Needs no root.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
nslab=${NSLAB:-$top/nslab}
cd "$top/tests/data/bad" || exit 1
pass=0 fail=0
while IFS=$'\t' read -r f line kw; do
	case "$f" in ''|\#*) continue ;; esac
	out=$("$nslab" check "$f" 2>&1 >/dev/null); rc=$?
	first=${out%%$'\n'*}
	if [ "$rc" -ne 2 ]; then
		echo "not ok - $f: exit $rc, expected 2 ($first)"; fail=$((fail + 1))
	elif [[ "$first" != "nslab: $f:$line: "* ]]; then
		echo "not ok - $f: expected line $line, got: $first"; fail=$((fail + 1))
	elif ! grep -qiE -- "$kw" <<<"$first"; then
		echo "not ok - $f: /$kw/ does not match: $first"; fail=$((fail + 1))
	else
		pass=$((pass + 1))
	fi
done < EXPECTED
# every bad file must be listed
for f in *.xml; do
	grep -q "^$f"$'\t' EXPECTED || { echo "not ok - $f is not in EXPECTED"; fail=$((fail + 1)); }
done
echo "bad files: $pass passed, $fail failed"
[ "$fail" -eq 0 ]

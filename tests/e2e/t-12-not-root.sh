#!/bin/bash
# t-12: without root (README.md, "Commands"): up/down/exec/run refuse with
# exit 3 and one line, changing nothing; check, plan and show FILE work.
. "$(dirname "$0")/lib.sh"
command -v setpriv > /dev/null || skip "setpriv is not installed"
id nobody > /dev/null 2>&1 || skip "no user nobody"
grp=$(id -gn nobody)
asnobody() { setpriv --reuid=nobody --regid="$grp" --clear-groups --inh-caps=-all "$@"; }
asnobody true || skip "setpriv cannot switch to nobody here"

# the binary and the example files must be readable by nobody
cp topologies/demo.xml "$T/demo.xml"
chmod 755 "$T"; chmod 644 "$T/demo.xml"
asnobody test -x "$NSLAB" -a -r "$T/demo.xml" || skip "nobody cannot reach $NSLAB"

expect_rc 3 "up as nobody" asnobody "$NSLAB" up "$T/demo.xml" --name "$LAB"
[ "$(printf '%s\n' "$ERR" | wc -l)" = 1 ] && [ -n "$ERR" ] || fail "expected one line on stderr, got: $ERR"
[[ "$ERR" == nslab:* ]] || fail "message does not start with nslab: '$ERR'"
grep -qi root <<<"$ERR" || fail "message does not say root: $ERR"
diag "up as nobody: $ERR"
[ -z "$OUT" ] || fail "stdout not empty: $OUT"
[ -e "/run/nslab/$LAB" ] && fail "/run/nslab/$LAB created by nobody's up"
assert_clean && pass "nothing changed"

expect_rc 3 "run as nobody" asnobody "$NSLAB" run "$T/demo.xml" --name "$LAB"
expect_rc 3 "down as nobody" asnobody "$NSLAB" down "$LAB"
[ "$(printf '%s\n' "$ERR" | wc -l)" = 1 ] || fail "down: more than one line: $ERR"

# with a running lab, nobody can neither enter nor remove it
expect_rc 0 "up as root" "$NSLAB" up "$T/demo.xml" --name "$LAB" || die "up failed"
lab_inodes "$LAB"
expect_rc 3 "exec as nobody" asnobody "$NSLAB" exec "$LAB" h1 id -u
expect_rc 3 "down as nobody of a running lab" asnobody "$NSLAB" down "$LAB"
"$NSLAB" exec "$LAB" h1 ping -c 1 -W 2 h3 > /dev/null || fail "the lab is damaged after nobody's down"
expect_rc 0 "down as root" "$NSLAB" down "$LAB"

# the commands that only read a file work unprivileged
expect_rc 0 "check as nobody" asnobody "$NSLAB" check "$T/demo.xml"
[ -z "$OUT$ERR" ] || fail "check printed something: $OUT $ERR"
expect_rc 0 "plan as nobody" asnobody "$NSLAB" plan "$T/demo.xml"
grep -q "ip netns add demo.h1" <<<"$OUT" || fail "plan output lacks 'ip netns add demo.h1'"
expect_rc 0 "plan --down as nobody" asnobody "$NSLAB" plan --down "$T/demo.xml"
expect_rc 0 "show FILE as nobody" asnobody "$NSLAB" show "$T/demo.xml"
grep -q '10.0.0.2/29' <<<"$OUT" || fail "show FILE lacks h1's 10.0.0.2/29"
expect_rc 0 "show FILE --json as nobody" asnobody "$NSLAB" show "$T/demo.xml" --json
python3 -c 'import json,sys; json.load(sys.stdin)' <<<"$OUT" || fail "show --json is not JSON"
expect_rc 0 "ls as nobody" asnobody "$NSLAB" ls ||
	diag "note: ls as nobody exits non-zero"
expect_rc 0 "--version as nobody" asnobody "$NSLAB" --version
exit 0

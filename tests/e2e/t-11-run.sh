#!/bin/bash
# t-11: run = up + start commands + tests + down (README.md, "Commands";
# core/README.md, "Guarantees the code keeps"): leaves
# nothing; --keep leaves the lab up; SIGTERM or SIGINT while a start command
# runs ends nslab quickly, non-zero, and leaves nothing.
. "$(dirname "$0")/lib.sh"

f=$T/p2p.xml
sed "s/<lab name=\"p2p\"/<lab name=\"$LAB\"/" topologies/basics/p2p.xml > "$f"
grep -q "name=\"$LAB\"" "$f" || die "cannot rename the lab in p2p.xml"

# p2p.xml has <tests>: run runs them (t-25 covers every step kind), says
# how many passed, exits 0, and leaves nothing
expect_rc 0 "run p2p.xml (has tests)" "$NSLAB" run "$f"
grep -qE "^[1-9][0-9]* passed, 0 failed$" <<<"$OUT" && pass "run ran the tests: $(tail -1 <<<"$OUT")" ||
	fail "run did not report its tests: $OUT"
[ -e "/run/nslab/$LAB" ] && fail "run left /run/nslab/$LAB"
ls /run/netns | grep -q "^$LAB\." && fail "run left /run/netns entries"
assert_clean && pass "run leaves nothing"

# the same lab without <tests>: exit 0
h=$T/p2p-notests.xml
sed '/<tests>/,/<\/tests>/d' "$f" > "$h"
grep -q "<tests>" "$h" && die "cannot strip <tests> from p2p.xml"
expect_rc 0 "run p2p.xml without tests" "$NSLAB" run "$h"
assert_clean && pass "run without tests leaves nothing"

expect_rc 0 "run --keep" "$NSLAB" run "$h" --keep
"$NSLAB" ls | grep -qE "^${LAB}[[:space:]]+running[[:space:]]+2 " && pass "--keep leaves the lab running" ||
	fail "after run --keep, ls shows: $("$NSLAB" ls)"
lab_inodes "$LAB"
"$NSLAB" exec "$LAB" h1 ping -c 1 -W 2 h2 > /dev/null || fail "the kept lab does not work"
expect_rc 3 "run of a name that is up" "$NSLAB" run "$h"
expect_rc 0 "down the kept lab" "$NSLAB" down "$LAB"
assert_clean

# a failing start command: run exits 1 and still tears down
g=$(lab_xml runfail <<X
<lab name="$LAB"><host name="h1"><start>exit 3</start></host><host name="h2"/><link a="h1" b="h2"/></lab>
X
)
expect_rc 1 "run with a failing start command" "$NSLAB" run "$g"
assert_clean && pass "run with a failing start leaves nothing"

# interrupted while a start command sleeps (and `up` likewise)
g=$(lab_xml runslow <<X
<lab name="$LAB">
  <host name="h1"><start background="yes">exec sleep 1011</start><start>sleep 10</start></host>
  <host name="h2"/>
  <link a="h1" b="h2"/>
</lab>
X
)
for how in run:TERM run:INT up:TERM; do
	cmd=${how%:*} sig=${how#*:}
	set -m
	"$NSLAB" $cmd "$g" > "$T/run.out" 2>&1 &
	pid=$!
	set +m
	track_pid $pid
	sleeping() { ps -eo stat=,args= | grep -v '^Z' | grep -q ' sleep 10$'; }
	wait_for 5 sleeping || fail "the start command 'sleep 10' did not start"
	ls /run/netns | grep -q "^$LAB\." && lab_inodes "$LAB"
	t0=$(now)
	kill -$sig $pid
	wait $pid
	rc=$?
	secs=$(awk -v a="$t0" -v b="$(now)" 'BEGIN { printf "%.2f", b - a }')
	[ "$rc" -ne 0 ] && pass "SIG$sig: $cmd exited $rc in $secs s" || fail "SIG$sig: $cmd exited 0"
	diag "$cmd after SIG$sig: status $rc in $secs s: $(head -c 300 "$T/run.out" | tr '\n' ' ')"
	awk -v s="$secs" 'BEGIN { exit !(s < 3) }' || fail "$cmd took $secs s to end after SIG$sig (the start command 'sleep 10' was not interrupted)"
	wait_for 3 eval '! sleeping' || fail "'sleep 10' survived SIG$sig to $cmd"
	wait_for 3 eval "! ps -eo stat=,args= | grep -v '^Z' | grep -q ' sleep 1011$'" || fail "the daemon survived SIG$sig to $cmd"
	assert_clean && pass "$cmd interrupted by SIG$sig leaves nothing"
done
exit 0

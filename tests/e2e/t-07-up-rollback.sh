#!/bin/bash
# t-07: up is all or nothing (core/README.md, "Guarantees the code keeps"): a
# failing or timed-out start command makes up exit 1 naming the node and the
# line, and nothing is left.
. "$(dirname "$0")/lib.sh"

f=$(lab_xml fails <<X
<lab name="$LAB">
  <host name="h1">
    <start background="yes">exec sleep 1007</start>
    <start>true</start>
  </host>
  <host name="h2">
    <start>exit 1</start>
  </host>
  <switch name="s1"/>
  <link a="h1" b="s1"/>
  <link a="h2" b="s1"/>
</lab>
X
)
# the line of <start>exit 1</start>
line=$(grep -n 'exit 1' "$f" | cut -d: -f1)
expect_rc 1 "a start command that exits 1 fails up" "$NSLAB" up "$f"
diag "message: $ERR"
[[ "$ERR" == *h2* ]] || fail "the message does not name node h2: $ERR"
[[ "$ERR" == *":$line:"* || "$ERR" == *"line $line"* ]] || fail "the message does not name line $line: $ERR"
[ "$(wc -l <<<"$ERR")" -le 3 ] || diag "note: $(wc -l <<<"$ERR") lines of messages"
[ -e "/run/nslab/$LAB" ] && fail "/run/nslab/$LAB left after the failed up"
ls /run/netns | grep -q "^$LAB\." && fail "/run/netns entries left: $(ls /run/netns | grep "^$LAB\.")"
"$NSLAB" ls | grep -qw "$LAB" && fail "ls lists the failed lab"
# the daemon started in h1 before h2 failed is gone too
sleeper() { ps -eo stat=,args= | grep -v '^Z' | grep -q " sleep $1\$"; }
wait_for 3 eval '! sleeper 1007' || fail "h1's daemon survived the rollback"
assert_clean && pass "clean after the failed up"

# a foreground start that outlives its timeout
f=$(lab_xml slow <<X
<lab name="$LAB">
  <host name="h1"><start timeout="1s">sleep 5</start></host>
  <host name="h2"/>
  <link a="h1" b="h2"/>
</lab>
X
)
t0=$(now)
expect_rc 1 "a start command past its timeout fails up" "$NSLAB" up "$f"
secs=$(awk -v a="$t0" -v b="$(now)" 'BEGIN { printf "%.2f", b - a }')
diag "timed-out up returned in $secs s: $ERR"
awk -v s="$secs" 'BEGIN { exit !(s < 4) }' || fail "up with a 1 s timeout took $secs s (>= 4 s)"
awk -v s="$secs" 'BEGIN { exit !(s >= 0.9) }' || fail "up returned in $secs s, before the 1 s timeout"
[[ "$ERR" == *h1* ]] || fail "the message does not name h1: $ERR"
[[ "$ERR" == *time* || "$ERR" == *within* ]] || fail "the message does not say the timeout: $ERR"
wait_for 3 eval '! sleeper 5' || fail "the timed-out 'sleep 5' still runs"
[ -e "/run/nslab/$LAB" ] && fail "/run/nslab/$LAB left after the timed-out up"

# and the name is free again: a good lab of the same name comes up
f=$(lab_xml good <<X
<lab name="$LAB"><host name="h1"><start>true</start></host><host name="h2"/><link a="h1" b="h2"/></lab>
X
)
expect_rc 0 "the same name comes up after the rollbacks" "$NSLAB" up "$f"
lab_inodes "$LAB"
expect_rc 0 "down" "$NSLAB" down "$LAB"
exit 0

#!/bin/bash
# t-08: kill -9 of the holder (`nslab: lab NAME`): ls says broken, down exits
# 0 and removes everything; a node with a running daemon keeps its namespace
# alive past the holder (README.md, "Security") and down kills the daemon.
. "$(dirname "$0")/lib.sh"

holder_of() { ps -eo pid=,args= | awk -v n="$1" '$2 == "nslab:" && $3 == "lab" && $4 == n { print $1 }'; }

# 1. plain lab
expect_rc 0 "up demo" "$NSLAB" up topologies/demo.xml --name "$LAB" || die "up failed"
lab_inodes "$LAB"
h=$(holder_of "$LAB")
[ -n "$h" ] && [ "$(wc -w <<<"$h")" = 1 ] || die "expected one holder process for $LAB, found '$h'"
# the netns entries point into the holder
[ "$(readlink "/run/netns/$LAB.h1")" = "/proc/$h/fd/$(readlink "/run/netns/$LAB.h1" | sed 's|.*/||')" ] ||
	fail "/run/netns/$LAB.h1 -> $(readlink "/run/netns/$LAB.h1"), not into holder $h"
kill -9 "$h"
wait_for 3 eval "! alive $h" || fail "holder $h did not die"
wait_for 5 eval "\"$NSLAB\" ls | grep -qE '^${LAB}[[:space:]]+broken'" && pass "ls: $("$NSLAB" ls | grep "^$LAB")" ||
	fail "ls does not say broken: $("$NSLAB" ls)"
"$NSLAB" ls --json | python3 -c 'import json,sys; l=[x for x in json.load(sys.stdin) if x["name"]==sys.argv[1]]; sys.exit(not(l and l[0]["state"]=="broken"))' "$LAB" ||
	fail "ls --json does not say broken"
"$NSLAB" exec "$LAB" h1 true > /dev/null 2> "$T/err"
rc=$?
[ "$rc" = 2 ] || [ "$rc" = 3 ] && pass "exec in a broken lab is refused ($rc: $(cat "$T/err"))" ||
	fail "exec in a broken lab exited $rc: $(cat "$T/err")"
expect_rc 0 "down of the broken lab" "$NSLAB" down "$LAB"
assert_clean && pass "clean after down of a broken lab"
expect_rc 0 "down again" "$NSLAB" down "$LAB"

# 2. with a daemon in h1: h1's namespace survives the holder
f=$(lab_xml daemon <<X
<lab name="$LAB">
  <host name="h1"><start background="yes">exec sleep 1008</start></host>
  <host name="h2"/>
  <switch name="s1"/>
  <link a="h1" b="s1"/>
  <link a="h2" b="s1"/>
</lab>
X
)
expect_rc 0 "up with a daemon" "$NSLAB" up "$f" || die "up failed"
lab_inodes "$LAB"
ino=$(stat -L -c %i "/run/netns/$LAB.h1")
d=$(pids_in_netns "$ino")
[ -n "$d" ] || fail "no daemon in h1"
h=$(holder_of "$LAB")
kill -9 $h
wait_for 3 eval "! alive $h"
wait_for 5 eval "\"$NSLAB\" ls | grep -qE '^${LAB}[[:space:]]+broken'" || fail "ls does not say broken: $("$NSLAB" ls)"
for p in $d; do
	alive "$p" || fail "daemon $p died with the holder"
done
[ "$(stat -L -c %i /proc/${d%% *}/ns/net)" = "$ino" ] || fail "the daemon is no longer in h1's netns"
expect_rc 0 "down kills the daemon of a broken lab" "$NSLAB" down "$LAB"
left=$(pids_in_netns "$ino")
[ -z "$left" ] || fail "processes left in h1's netns after down: $left"

# 3. the name can be used again at once
expect_rc 0 "up again" "$NSLAB" up "$f" && lab_inodes "$LAB"
expect_rc 0 "down" "$NSLAB" down "$LAB"

# 4. kill -9 of nslab itself in the middle of up (a 300-host star takes
#    ~0.2 s): whatever it left is a broken lab that down removes
big=$T/big.xml
{
	echo "<lab name=\"$LAB\"><switch name=\"s1\"/>"
	for i in $(seq 1 300); do echo "<host name=\"h$i\"/><link a=\"h$i\" b=\"s1\"/>"; done
	echo "</lab>"
} > "$big"
"$NSLAB" up "$big" &
up=$!
track_pid $up
wait_for 5 test -d "/run/nslab/$LAB" || fail "up never created its state"
sleep 0.05
kill -9 $up
wait $up 2>/dev/null
diag "after kill -9 of nslab up: $("$NSLAB" ls | grep "^$LAB" || echo 'no lab listed')"
expect_rc 0 "down after nslab was killed mid-up" "$NSLAB" down "$LAB"
[ -e "/run/nslab/$LAB" ] && fail "down left /run/nslab/$LAB"
ls /run/netns | grep -q "^$LAB\." && fail "down left /run/netns entries"
assert_clean && pass "nothing left after nslab was killed mid-up"
exit 0

#!/bin/bash
# t-06: <start background="yes"> runs detached in its node; its output goes
# to /run/nslab/LAB/log/NODE.log; down kills it (even a double-forked one).
. "$(dirname "$0")/lib.sh"

f=$(lab_xml daemon <<X
<lab name="$LAB">
  <host name="h1">
    <start>echo foreground-ran; mkdir -p /run/hbdir</start>
    <start background="yes">echo daemon-started; echo daemon-stderr >&amp;2; while :; do date +%s.%N > /run/hb.new; mv /run/hb.new /run/hb; sleep 0.2; done</start>
    <start background="yes">(setsid sleep 1000 &amp;) ; exec sleep 1001</start>
  </host>
  <host name="h2"/>
  <link a="h1" b="h2"/>
</lab>
X
)
t0=$(now)
expect_rc 0 "up" "$NSLAB" up "$f" || die "up failed"
diag "up with a foreground start and two daemons: $(awk -v a="$t0" -v b="$(now)" 'BEGIN { printf "%.3f", b - a }') s"
lab_inodes "$LAB"
ino=$(stat -L -c %i "/run/netns/$LAB.h1")
ino2=$(stat -L -c %i "/run/netns/$LAB.h2")

# the processes of h1: found by their netns inode
pids=$(pids_in_netns "$ino")
cmds=$(for p in $pids; do tr '\0' ' ' 2> /dev/null < /proc/$p/cmdline; echo; done)
grep -q '^sleep 1000 ' <<<"$cmds" && grep -q '^sleep 1001 ' <<<"$cmds" && pass "h1's daemons run in h1's netns" ||
	fail "expected sleep 1000 and sleep 1001 in h1's netns, found: $(xargs <<<"$cmds")"
[ -z "$(pids_in_netns "$ino2")" ] || fail "processes run in h2, which has no start: $(pids_in_netns "$ino2")"
# ip netns pids agrees
# (the loop's short-lived `sleep 0.2`s come and go: compare the long-lived ones)
for p in $(ip netns pids "$LAB.h1"); do
	c=$(tr '\0' ' ' 2> /dev/null < /proc/$p/cmdline)
	[[ "$c" == "sleep 0.2 " || -z "$c" ]] && continue
	grep -qw "$p" <<<"$pids" || fail "ip netns pids lists $p ($c), not found by inode"
done
[ -n "$(ip netns pids "$LAB.h1")" ] || fail "ip netns pids $LAB.h1 is empty"
# detached: not our children, not in our session
for p in $pids; do
	[ "$(ps -o sid= -p $p | xargs)" = "$(ps -o sid= -p $$ | xargs)" ] && fail "daemon $p is in the test's session"
done

# the loop keeps writing: two reads differ
wait_for 5 "$NSLAB" exec "$LAB" h1 test -s /run/hb || fail "no heartbeat in h1's /run/hb"
# (polled: under an emulated CPU one turn of the loop can take seconds)
# (written to a new file and renamed, so a read never sees it half made)
a=$("$NSLAB" exec "$LAB" h1 cat /run/hb)
advanced() { b=$("$NSLAB" exec "$LAB" h1 cat /run/hb); [ -n "$a" ] && [ -n "$b" ] && [ "$a" != "$b" ]; }
wait_for 10 advanced && pass "heartbeat advances" || fail "heartbeat does not advance in 10 s: '$a'"
[ -e /run/hb ] && fail "the heartbeat went to the host's /run"

log=/run/nslab/$LAB/log/h1.log
if [ -f "$log" ]; then
	grep -q daemon-started "$log" || fail "daemon stdout not in $log: $(cat "$log")"
	grep -q daemon-stderr "$log" || fail "daemon stderr not in $log: $(cat "$log")"
	grep -q foreground-ran "$log" && pass "foreground start output in the log" ||
		diag "note: the foreground start's output is not in $log (README.md, 'Logs' says start-command output is kept there)"
else
	fail "no log file $log: $(ls -R /run/nslab/$LAB/log 2>&1)"
fi

expect_rc 0 "down" "$NSLAB" down "$LAB"
left=$(pids_in_netns "$ino")
[ -z "$left" ] && pass "down killed h1's daemons" || fail "processes left after down: $left"
# (a killed daemon may stay a zombie for a moment until init reaps it)
alive() { local p; for p in $pids; do [ -e /proc/$p/ns/net ] && return 0; done; return 1; }
wait_for 3 eval '! alive' || fail "daemons still alive after down: $(for p in $pids; do [ -e /proc/$p/ns/net ] && tr '\0' ' ' < /proc/$p/cmdline; done)"
[ -e "$log" ] && fail "$log still exists after down"
exit 0

#!/bin/bash
# t-32: nslab capture (README.md, "Watching traffic: capture") on a running
# lab h1 -- s1 -- h2, read back by tcpdump:
#   -w FILE -c N icmp on h2 while h1 pings: exactly N packets, requests
#   and replies with the right addresses, in order;
#   stdout piped into tcpdump -r -; a switch port (s1's port to h1, also
#   chosen as s1's first interface); a reader that goes (head -c) ends it
#   with status 0;
#   SIGINT in the middle: status 0, a file tcpdump reads without error,
#   the count on stderr what tcpdump reads; a filter that excludes ICMP
#   captures no ping;
#   a bad filter, an unknown lab, node or interface, a terminal on stdout,
#   -w on a symbolic link: exit 2 naming them; not root: exit 3;
#   the interface set down and up (the capture goes on) or deleted (status
#   3); the lab taken down during a capture: it stops, status 0, valid file.
. "$(dirname "$0")/lib.sh"
command -v tcpdump > /dev/null || skip "tcpdump is not installed"

f=$(lab_xml cap <<X
<lab name="$LAB">
  <host name="h1"><iface name="eth0" addr="10.32.0.1/24"/></host>
  <switch name="s1"/>
  <host name="h2"><iface name="eth0" addr="10.32.0.2/24"/></host>
  <link a="h1:eth0" b="s1"/>
  <link a="h2:eth0" b="s1"/>
  <host name="h3"/>
  <link a="h3" b="s1"/>
</lab>
X
)
expect_rc 0 "up" "$NSLAB" up "$f" || die "up failed"
lab_inodes "$LAB"

ping1() { "$NSLAB" exec "$LAB" h1 ping -c 1 -W 1 10.32.0.2 > /dev/null 2>&1; }
wait_for 5 ping1 || die "h1 cannot reach h2"

REQ='IP 10.32.0.1 > 10.32.0.2: ICMP echo request'
REP='IP 10.32.0.2 > 10.32.0.1: ICMP echo reply'

# cap NAME ARGS...: nslab -v capture LAB ARGS in the background, stdout to
# $T/NAME.out, stderr to $T/NAME.err, its pid in CAP; returns once the
# socket is open (-v says which interface then).
cap() {
	local n=$1
	shift
	"$NSLAB" -v capture "$LAB" "$@" > "$T/$n.out" 2> "$T/$n.err" &
	CAP=$!
	track_pid "$CAP"
	wait_for 10 grep -q "^nslab: capture: lab $LAB: " "$T/$n.err" ||
		fail "capture $*: not ready after 10 s: $(cat "$T/$n.err")"
}
# cap_wait SECS: its exit status in RC, once it ended (124: still running)
cap_wait() {
	RC=124
	wait_for "$1" eval '! alive $CAP' || return
	wait "$CAP"
	RC=$?
}
# read FILE with tcpdump: the packets in $PKTS (no timestamps), its
# stderr in $TDERR, its status returned
tdread() {
	PKTS=$(tcpdump -tnr "$1" 2> "$T/td.err")
	local rc=$?
	TDERR=$(cat "$T/td.err")
	return $rc
}

# ---- -w FILE -c N with a filter -------------------------------------------
cap a h2:eth0 -w "$T/a.pcap" -c 4 icmp
"$NSLAB" exec "$LAB" h1 ping -c 3 -i 0.2 10.32.0.2 > /dev/null
cap_wait 10; rc=$RC
[ "$rc" = 0 ] || fail "capture -c 4: status $rc, expected 0: $(cat "$T/a.err")"
tdread "$T/a.pcap" || fail "tcpdump cannot read the -c 4 file: $TDERR"
diag "h2:eth0, -c 4 icmp: ${PKTS//$'\n'/ | }"
[ "$(grep -c . <<<"$PKTS")" = 4 ] || fail "-c 4 kept $(grep -c . <<<"$PKTS") packets, expected 4"
want=$(printf '%s\n' "$REQ" "$REP" "$REQ" "$REP")
[ "$(cut -d, -f1 <<<"$PKTS")" = "$want" ] ||
	fail "expected request, reply, request, reply between 10.32.0.1 and 10.32.0.2, got: $PKTS"
grep -q 'snapshot length 262144' <<<"$TDERR" || fail "snaplen is not 262144: $TDERR"
grep -q 'link-type EN10MB' <<<"$TDERR" || fail "link type is not Ethernet: $TDERR"
grep -qx 'nslab: capture: 4 packets' "$T/a.err" || fail "no count line: $(cat "$T/a.err")"
grep -q "h2:eth0 (ifindex" "$T/a.err" || fail "-v does not name h2:eth0: $(cat "$T/a.err")"
[ "$(stat -c %a "$T/a.pcap")" = 644 ] || fail "the file's mode is $(stat -c %a "$T/a.pcap"), expected 644"
ls -A "$T" | grep -q '^\.a\.pcap\.' && fail "a temporary file was left: $(ls -A "$T")"
# -q: nothing on stderr
"$NSLAB" -q capture "$LAB" h2 -w "$T/q.pcap" -c 1 > /dev/null 2> "$T/q.err" &
CAP=$!
track_pid "$CAP"
for i in 1 2 3 4 5 6 7 8 9 10; do alive "$CAP" && ping1; done
cap_wait 10; rc=$RC
[ "$rc" = 0 ] && [ ! -s "$T/q.err" ] || fail "-q -c 1: status $rc, stderr: $(cat "$T/q.err")"

# ---- stdout into tcpdump -r - ---------------------------------------------
( "$NSLAB" -v capture "$LAB" h2 -c 2 icmp 2> "$T/b.err"; echo $? > "$T/b.rc" ) |
	tcpdump -tnr - > "$T/b.txt" 2> "$T/b.tderr" &
track_pid $!
wait_for 10 grep -q "^nslab: capture: lab $LAB: " "$T/b.err" || fail "stdout capture not ready: $(cat "$T/b.err")"
ping1
wait_for 10 test -s "$T/b.rc" || fail "stdout capture -c 2 did not end"
[ "$(cat "$T/b.rc" 2> /dev/null)" = 0 ] || fail "stdout capture: status $(cat "$T/b.rc" 2> /dev/null): $(cat "$T/b.err")"
wait_for 5 grep -q "$REP" "$T/b.txt"
diag "stdout | tcpdump -r -: $(tr '\n' '|' < "$T/b.txt")"
grep -q "$REQ" "$T/b.txt" && grep -q "$REP" "$T/b.txt" ||
	fail "tcpdump -r - did not see the ping: $(cat "$T/b.txt" "$T/b.tderr")"

# ---- a switch port ----------------------------------------------------------
# s1's port to h1 is eth1 (the first link's switch end); it is also the
# switch's first interface (br0 is not one)
cap c s1 -w "$T/c.pcap" -c 2 icmp
grep -q "s1:eth1, the node's first interface" "$T/c.err" ||
	fail "-v does not say s1's first interface is eth1: $(cat "$T/c.err")"
ping1
cap_wait 10; rc=$RC
[ "$rc" = 0 ] || fail "capture on s1: status $rc: $(cat "$T/c.err")"
tdread "$T/c.pcap" || fail "tcpdump cannot read the switch port's file: $TDERR"
diag "s1:eth1: ${PKTS//$'\n'/ | }"
[ "$(cut -d, -f1 <<<"$PKTS")" = "$(printf '%s\n' "$REQ" "$REP")" ] ||
	fail "the switch port did not see h1's ping to h2 and its reply: $PKTS"
# s1:eth2 is h2's port: the same ping crosses it
cap c2 s1:eth2 -w "$T/c2.pcap" -c 1 icmp
ping1
cap_wait 10; rc=$RC
tdread "$T/c2.pcap"
[ "$rc" = 0 ] && [ "$(cut -d, -f1 <<<"$PKTS")" = "$REQ" ] ||
	fail "s1:eth2: status $rc, packets: $PKTS"

# ---- the reader goes ----------------------------------------------------------
( "$NSLAB" capture "$LAB" h2 2> "$T/d.err"; echo $? > "$T/d.rc" ) | head -c 100 > /dev/null &
track_pid $!
for i in $(seq 1 30); do
	[ -s "$T/d.rc" ] && break
	ping1
done
[ "$(cat "$T/d.rc" 2> /dev/null)" = 0 ] ||
	fail "| head -c 100: capture status '$(cat "$T/d.rc" 2> /dev/null)', expected 0: $(cat "$T/d.err")"
grep -qE '^nslab: capture: [0-9]+ packets?$' "$T/d.err" || fail "| head -c 100: no count line: $(cat "$T/d.err")"

# ---- SIGINT in the middle -------------------------------------------------
cap e h2 -w "$T/e.pcap"
"$NSLAB" exec "$LAB" h1 ping -c 20 -i 0.05 10.32.0.2 > /dev/null &
P=$!
track_pid "$P"
sleep 0.5
kill -INT "$CAP"
cap_wait 10; rc=$RC
wait "$P"
[ "$rc" = 0 ] || fail "SIGINT: status $rc, expected 0: $(cat "$T/e.err")"
tdread "$T/e.pcap" || fail "tcpdump cannot read the file cut by SIGINT: $TDERR"
[ -z "$(grep -v '^reading from file' <<<"$TDERR")" ] || fail "tcpdump complains: $TDERR"
n=$(grep -c . <<<"$PKTS")
grep -qx "nslab: capture: $n packets" "$T/e.err" ||
	fail "SIGINT: tcpdump read $n packets, nslab said: $(tail -1 "$T/e.err")"
[ "$n" -gt 0 ] && grep -q "$REQ" <<<"$PKTS" || fail "SIGINT: no ping in the file: $PKTS"
diag "SIGINT after 0.5 s: $n packets"
# SIGTERM the same
cap e2 h2 -w "$T/e2.pcap"
ping1
kill -TERM "$CAP"
cap_wait 10; rc=$RC
tdread "$T/e2.pcap"
[ "$rc" = 0 ] && grep -q "$REP" <<<"$PKTS" || fail "SIGTERM: status $rc, packets: $PKTS"

# ---- a filter that excludes the ping ----------------------------------------
cap f h2 -w "$T/f.pcap" tcp
"$NSLAB" exec "$LAB" h1 ping -c 3 -i 0.2 10.32.0.2 > /dev/null
kill -INT "$CAP"
cap_wait 10; rc=$RC
tdread "$T/f.pcap" || fail "tcpdump cannot read the tcp-only file: $TDERR"
[ "$rc" = 0 ] && [ -z "$PKTS" ] || fail "filter tcp: status $rc, captured: $PKTS"
grep -qx 'nslab: capture: 0 packets' "$T/f.err" || fail "filter tcp: $(cat "$T/f.err")"

# ---- wrong input: exit 2, named ---------------------------------------------
expect_rc 2 "bad filter" "$NSLAB" capture "$LAB" h2 -w "$T/x.pcap" tcp port
grep -q 'filter "tcp port": .*syntax error' <<<"$ERR" || fail "bad filter message: $ERR"
[ -e "$T/x.pcap" ] && fail "a bad filter made the file"
expect_rc 2 "unknown node" "$NSLAB" capture "$LAB" h9 -w "$T/x.pcap"
grep -q "no node 'h9'" <<<"$ERR" || fail "unknown node message: $ERR"
expect_rc 2 "unknown interface" "$NSLAB" capture "$LAB" h2:eth7 -w "$T/x.pcap"
grep -q "h2 has no interface 'eth7' (it has lo, eth0)" <<<"$ERR" || fail "unknown interface message: $ERR"
expect_rc 2 "unknown lab" "$NSLAB" capture "${LAB}nope" h2 -w "$T/x.pcap"
grep -q "lab ${LAB}nope: no such lab" <<<"$ERR" || fail "unknown lab message: $ERR"
expect_rc 2 "bad count" "$NSLAB" capture "$LAB" h2 -c 0 -w "$T/x.pcap"
[ -e "$T/x.pcap" ] && fail "a refused capture made the file"

# not root: exit 3, no file (README.md, "Commands")
if command -v setpriv > /dev/null && id nobody > /dev/null 2>&1 &&
	setpriv --reuid=nobody --regid="$(id -gn nobody)" --clear-groups --inh-caps=-all test -x "$NSLAB"; then
	expect_rc 3 "capture as nobody" setpriv --reuid=nobody --regid="$(id -gn nobody)" \
		--clear-groups --inh-caps=-all "$NSLAB" capture "$LAB" h2 -c 1
	grep -qi root <<<"$ERR" || fail "capture as nobody: message does not say root: $ERR"
	[ -z "$OUT" ] || fail "capture as nobody wrote on stdout: $OUT"
else
	diag "not checked: capture as nobody (no setpriv, no nobody, or nobody cannot run $NSLAB)"
fi

# stdout a terminal (script gives the command one; -e: its status)
out=$(script -qec "$NSLAB capture $LAB h2" /dev/null 2>&1)
rc=$?
[ "$rc" = 2 ] || fail "stdout a terminal: status $rc, expected 2: $out"
grep -qF 'nslab: capture: stdout is a terminal: give -w FILE or pipe it (| tcpdump -r -)' <<<"$out" ||
	fail "stdout a terminal: message: $out"

# -w on a symbolic link: refused, its target untouched
echo keep > "$T/target"
ln -s "$T/target" "$T/link.pcap"
expect_rc 2 "-w on a symbolic link" "$NSLAB" capture "$LAB" h2 -w "$T/link.pcap" -c 1
grep -q "link.pcap: is a symbolic link" <<<"$ERR" || fail "symlink message: $ERR"
[ "$(cat "$T/target")" = keep ] && [ -L "$T/link.pcap" ] || fail "the symbolic link or its target changed"
# an existing file is replaced, not written through: a hard link to it
# keeps its bytes
echo keep > "$T/old.pcap"
ln "$T/old.pcap" "$T/hard"
cap g h2 -w "$T/old.pcap" -c 1 icmp
ping1
cap_wait 10; rc=$RC
[ "$rc" = 0 ] && [ "$(cat "$T/hard")" = keep ] && tdread "$T/old.pcap" && grep -q "$REQ" <<<"$PKTS" ||
	fail "replacing an existing file: status $rc, hard link: $(cat "$T/hard"), packets: $PKTS"

# ---- the interface set down and up again, then deleted ----------------------
cap i h2 -w "$T/i.pcap" -c 4 icmp
ping1
expect_rc 0 "link h2 s1 down during a capture" "$NSLAB" link "$LAB" h2 s1 down
expect_rc 0 "link h2 s1 up" "$NSLAB" link "$LAB" h2 s1 up
wait_for 5 ping1 || fail "h1 does not reach h2 after link up"
cap_wait 10; rc=$RC
tdread "$T/i.pcap"
[ "$rc" = 0 ] && [ "$(grep -c "$REQ" <<<"$PKTS")" = 2 ] ||
	fail "capture across link down and up: status $rc, packets: $PKTS"
grep -q "eth0 went down" "$T/i.err" || fail "-v did not say eth0 went down: $(cat "$T/i.err")"
# h3's cable cut at the switch: its eth0 goes with the veth
cap j h3 -w "$T/j.pcap"
"$NSLAB" exec "$LAB" s1 ip link del eth3 || fail "cannot delete s1:eth3"
cap_wait 10; rc=$RC
[ "$rc" = 3 ] || fail "interface deleted: status $rc, expected 3: $(cat "$T/j.err")"
grep -q "h3:eth0 was deleted" "$T/j.err" || fail "interface deleted: message: $(cat "$T/j.err")"
tdread "$T/j.pcap" || fail "tcpdump cannot read the file of a deleted interface: $TDERR"

# ---- the lab taken down during a capture ------------------------------------
cap h h2 -w "$T/h.pcap"
ping1
expect_rc 0 "down during a capture" "$NSLAB" down "$LAB"
cap_wait 10; rc=$RC
[ "$rc" = 0 ] || fail "lab down: capture status $rc, expected 0: $(cat "$T/h.err")"
grep -q "lab $LAB was taken down" "$T/h.err" || fail "lab down: no message: $(cat "$T/h.err")"
tdread "$T/h.pcap" || fail "tcpdump cannot read the file of a lab taken down: $TDERR"
grep -q "$REP" <<<"$PKTS" || fail "lab down: the ping before is not in the file: $PKTS"
exit 0

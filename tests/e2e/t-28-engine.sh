#!/bin/bash
# t-28: the impairment engine (core/README.md, "The impairment engine";
# topologies/README.md, "Shaping").  The first lab says nothing on a kernel
# without netem (auto: the engine, and up says so) and impairments="engine"
# on one with netem; the others ask for the engine, so that all of it runs
# the same on every kernel:
#   delay 10ms + loss 1% each way: RTT about 20 ms, loss about 2%;
#   `nslab link set delay=30ms`: RTT about 60 ms, same interfaces, a ping
#   running across the change keeps getting answers;
#   the nodes see only their own end: ip link, MACs and MTU as without it;
#   per direction (a-to-b only), duplicate (ping's DUP!), corrupt (TCP sees
#   bad checksums and still delivers), rate + delay (TBF stays in the kernel);
#   a switch end and a switch-to-switch link, in both a/b orders;
#   kill -9 of the engine: the holder starts it again and traffic flows;
#   kill -9 of the holder: down leaves nothing.
. "$(dirname "$0")/lib.sh"
command -v iperf3 > /dev/null || skip "iperf3 is not installed"

# "rtt min/avg/max/mdev = 20.1/20.4/24.0/0.5 ms" -> "20.1 20.4"; "N received"
rtt() { awk '/^rtt/ { split($0, p, "= "); split(p[2], v, "/"); print v[1] + 0, v[2] + 0 }'; }
received() { sed -n 's/.* \([0-9]*\) received.*/\1/p'; }
between() { awk -v x="$1" -v lo="$2" -v hi="$3" 'BEGIN { exit !(x + 0 >= lo && x + 0 <= hi) }'; }

# Under emulation (E2E_EMULATED=1, tests/vm) each hop costs up to a few ms
# more: the upper bounds widen there, the lower ones stay.
slack=0
[ "${E2E_EMULATED:-0}" = 1 ] && slack=10
hi() { awk -v x="$1" -v s=$slack 'BEGIN { print x + s }'; }

attr=
_probe_kernel
[ "$_has_netem" = yes ] && attr=' impairments="engine"'
f=$(lab_xml engine <<X
<lab name="$LAB"$attr>
  <host name="h1"/>
  <host name="h2"/>
  <link a="h1" b="h2" delay="10ms" loss="1%"/>
  <tests>
    <link-set a="h1" b="h2" delay="30ms" loss="0%"/>
    <run node="h1" expect="time=[67][0-9]\." timeout="5s">ping -c 3 -i 0.2 -W 2 10.0.0.2</run>
    <link-set a="h1" b="h2" delay="10ms" loss="1%"/>
  </tests>
</lab>
X
)
expect_rc 0 "up (delay 10ms, loss 1%, through the engine)" "$NSLAB" up "$f" || die "up failed"
lab_inodes "$LAB"
if [ -z "$attr" ]; then
	[ "$ERR" = "nslab: $LAB: this kernel has no sch_netem (CONFIG_NET_SCH_NETEM): 1 link goes through nslab's impairment engine" ] &&
		pass "up says, in one line, that the engine stands in for netem" ||
		fail "up's note about the engine: '$ERR'"
fi
"$NSLAB" show "$LAB" > "$T/show" || fail "show failed"
grep -q "^impairment engine: pid [0-9]*, generation 1 of 1" "$T/show" || fail "show does not name the running engine: $(cat "$T/show")"
grep -q "engine link h1:eth0 -- h2:eth0 (relay l0a, l0b): a->b delay=10ms loss=1%; b->a delay=10ms loss=1%" "$T/show" ||
	fail "show does not list the engine link: $(grep engine "$T/show")"

expect_rc 0 "the lab's tests: <link-set> changes the engine link (30 ms each way)" "$NSLAB" test "$LAB" || diag "$OUT"
grep -q "generation 3 of 3" <("$NSLAB" show "$LAB") || fail "show does not report generation 3 (two <link-set> steps) running"

# --- the nodes see only their own end
links=$("$NSLAB" exec "$LAB" h1 ip -o link show | awk -F': ' '{ print $2 }' | sed 's/@.*//' | tr '\n' ' ')
[ "$links" = "lo eth0 " ] || fail "h1 sees interfaces '$links', want 'lo eth0 '"
mac1=$("$NSLAB" exec "$LAB" h1 cat /sys/class/net/eth0/address)
"$NSLAB" exec "$LAB" h2 ping -c 1 -W 5 10.0.0.1 > /dev/null
seen=$("$NSLAB" exec "$LAB" h2 ip neigh show 10.0.0.1 | awk '{ print $5 }')
[ "$seen" = "$mac1" ] && pass "h2 sees h1's own MAC ($mac1)" || fail "h2 sees 10.0.0.1 at '$seen', h1's eth0 is $mac1"
[ "$("$NSLAB" exec "$LAB" h2 cat /sys/class/net/eth0/mtu)" = 1500 ] || fail "h2's MTU is not 1500"

# --- delay and loss: 10 ms each way, 1% each way (2% of round trips)
"$NSLAB" exec "$LAB" h1 ping -q -c 600 -i 0.01 -W 2 10.0.0.2 > "$T/ping" 2>&1
read -r rmin ravg < <(rtt < "$T/ping")
got=$(received < "$T/ping")
diag "600 pings: received $got, RTT min $rmin avg $ravg ms"
between "$ravg" 19.5 "$(hi 22)" || fail "RTT average $ravg ms, want 20 ms (19.5..22)"
between "$rmin" 19.9 "$(hi 20.6)" || fail "RTT minimum $rmin ms, want just above 20"
# lost round trips ~ Binomial(600, 0.0199): mean 11.9, sd 3.4
between "$((600 - got))" 1 30 || fail "$((600 - got)) of 600 round trips lost, want about 12 (1..30)"

# --- a change in place
idx=$("$NSLAB" exec "$LAB" h1 cat /sys/class/net/eth0/ifindex)
"$NSLAB" exec "$LAB" h1 ping -c 60 -i 0.05 -W 2 10.0.0.2 > "$T/across" 2>&1 &
pinger=$!
track_pid $pinger
sleep 1
expect_rc 0 "link set delay=30ms" "$NSLAB" link "$LAB" h1 h2 set delay=30ms
wait $pinger
late=$(grep -c 'time=6[0-9]' "$T/across")
early=$(grep -c 'time=2[0-9]' "$T/across")
diag "a ping across the change: $early replies at about 20 ms, $late at about 60 ms"
[ "$early" -ge 5 ] && [ "$late" -ge 20 ] || fail "the ping across the change did not go on ($early before, $late after)"
[ "$("$NSLAB" exec "$LAB" h1 cat /sys/class/net/eth0/ifindex)" = "$idx" ] || fail "h1's eth0 was made again"
"$NSLAB" exec "$LAB" h1 ping -q -c 50 -i 0.01 -W 2 10.0.0.2 > "$T/ping" 2>&1
read -r rmin ravg < <(rtt < "$T/ping")
diag "after set delay=30ms: RTT min $rmin avg $ravg ms"
between "$ravg" 59.5 "$(hi 62)" || fail "RTT average $ravg ms after delay=30ms, want 60 (59.5..62)"
grep -q "generation 4 of 4" <("$NSLAB" show "$LAB") || fail "show does not report generation 4 running"

# --- per direction, duplicate, and back to nothing
expect_rc 0 "link set delay=0 loss=0% (nothing)" "$NSLAB" link "$LAB" h1 h2 set delay=0 loss=0%
"$NSLAB" exec "$LAB" h1 ping -q -c 20 -i 0.01 10.0.0.2 > "$T/ping" 2>&1
read -r rmin ravg < <(rtt < "$T/ping")
between "$ravg" 0 "$(hi 2)" || fail "RTT $ravg ms with no impairment left, want < 2"
expect_rc 0 "link set duplicate=100%" "$NSLAB" link "$LAB" h1 h2 set duplicate=100%
dups=$("$NSLAB" exec "$LAB" h1 ping -c 5 -i 0.1 10.0.0.2 | grep -c 'DUP!')
# a request and its reply each duplicated: 3 extra replies per ping
[ "$dups" -ge 10 ] && pass "duplicate=100%: $dups DUP! replies to 5 pings" || fail "duplicate=100%: only $dups DUP! replies"
expect_rc 0 "link set duplicate=0%" "$NSLAB" link "$LAB" h1 h2 set duplicate=0%
# queue=5 with delay=500ms: 20 requests in 0.2 s, at most 5 held at once
expect_rc 0 "link set queue=5 delay=500ms" "$NSLAB" link "$LAB" h1 h2 set queue=5 delay=500ms
got=$("$NSLAB" exec "$LAB" h1 ping -c 20 -i 0.01 -W 3 10.0.0.2 | received)
sleep 1.2 # the engine writes its counters at most once a second
over=$("$NSLAB" show "$LAB" | sed -n 's/.* \([0-9]*\) over the queue limit.*/\1/p')
diag "queue=5: $got of 20 answered, $over frames over the queue limit"
between "$got" 4 7 || fail "queue=5: $got of 20 pings answered, want 5 (4..7)"
[ "${over:-0}" -ge 10 ] || fail "show counts ${over:-no} frames over the queue limit, want >= 10"
expect_rc 0 "down" "$NSLAB" down "$LAB"
assert_clean && pass "nothing left"

# --- one direction; rate and delay; corruption under TCP; switches, both orders
g=$(lab_xml engine2 <<X
<lab name="$LAB" impairments="engine">
  <host name="h1"/>
  <host name="h2"/>
  <host name="h3"/>
  <host name="h4"/>
  <switch name="s1"/>
  <switch name="s2"/>
  <link a="h1" b="s1"><a-to-b delay="15ms"/></link>
  <link a="s1" b="s2" delay="5ms"/>
  <link a="s2" b="h2" rate="20mbit" delay="2ms"/>
  <link a="h3" b="h4" corrupt="1%"/>
</lab>
X
)
expect_rc 0 "up (switch ends, one direction, rate+delay, corrupt)" "$NSLAB" up "$g" || die "up failed"
lab_inodes "$LAB"
# h1 -> s1 15 ms one way; s1 -- s2 5 ms each way; s2 -- h2 2 ms each way
"$NSLAB" exec "$LAB" h1 ping -q -c 20 -i 0.05 -W 3 h2 > "$T/ping" 2>&1
read -r rmin ravg < <(rtt < "$T/ping")
diag "h1 -> h2 across two switches: RTT min $rmin avg $ravg ms (want 15 + 2x5 + 2x2 = 29)"
# Six passes through the relay (three links, both ways): each may add a
# wakeup's latency, more under the sanitizers (CI saw 30.08 once), so the
# ceiling allows 0.3 ms a pass, as the one-link checks above allow 0.6 for two.
between "$rmin" 28.9 "$(hi 30.8)" || fail "RTT min $rmin ms across both switches, want 29 (28.9..30.8)"
[ "$(received < "$T/ping")" = 20 ] || fail "h1 -> h2: $(received < "$T/ping") of 20 answered"
"$NSLAB" exec "$LAB" h2 tc qdisc show dev eth0 | grep -q "tbf 1: root" || fail "no TBF on h2:eth0 (rate stays in the kernel)"
"$NSLAB" exec "$LAB" h2 iperf3 -s -1 -D > /dev/null 2>&1
wait_for 5 "$NSLAB" exec "$LAB" h2 sh -c 'ss -ltn | grep -q :5201'
bps=$("$NSLAB" exec "$LAB" h1 iperf3 -c h2 -R -t 3 -J 2> /dev/null | sed -n 's/.*"bits_per_second":[[:space:]]*\([0-9.e+]*\).*/\1/p' | tail -1)
diag "iperf3 h2 -> h1 through rate=20mbit delay=2ms: $bps bit/s"
low=17000000
# under emulation the relay's CPU, not the rate, may be the limit (a 6.1
# guest measured 9.97 Mbit/s once): there the test is that the rate caps
# the flow and traffic passes, precision is the host's
[ "${E2E_EMULATED:-0}" = 1 ] && low=5000000
between "$bps" $low 21000000 || fail "rate 20mbit through the engine measured $bps bit/s"
# corrupt 1%: TCP drops bad segments by their checksum and gets its data through
before=$("$NSLAB" exec "$LAB" h4 nstat -az TcpInCsumErrors | awk '/TcpInCsumErrors/ { print $2 }')
"$NSLAB" exec "$LAB" h4 iperf3 -s -1 -D > /dev/null 2>&1
wait_for 5 "$NSLAB" exec "$LAB" h4 sh -c 'ss -ltn | grep -q :5201'
"$NSLAB" exec "$LAB" h3 iperf3 -c h4 -t 2 -J > "$T/iperf" 2> /dev/null || fail "iperf3 over corrupt=1% failed"
after=$("$NSLAB" exec "$LAB" h4 nstat -az TcpInCsumErrors | awk '/TcpInCsumErrors/ { print $2 }')
diag "corrupt=1%: h4 counted $((after - before)) TCP checksum errors"
[ "$((after - before))" -gt 0 ] || fail "no bad TCP checksum seen at h4 with corrupt=1%: corruption is not detectable"
"$NSLAB" show "$LAB" | grep -q "corrupted" || fail "show has no corruption counter"

# --- kill -9 of the engine: started again, traffic flows
old=$(pgrep -f "^nslab: engine $LAB\$")
[ -n "$old" ] || fail "no process named 'nslab: engine $LAB'"
kill -9 $old
wait_for 5 sh -c "pgrep -f '^nslab: engine $LAB\$' | grep -vx $old"
new=$(pgrep -f "^nslab: engine $LAB\$")
[ -n "$new" ] && [ "$new" != "$old" ] && pass "the holder started the engine again (pid $old -> $new)" || fail "no new engine after kill -9 (old $old, now '$new')"
wait_for 10 "$NSLAB" exec "$LAB" h1 ping -c 1 -W 1 h2 || fail "no traffic after the engine came back"
# --- kill -9 of the holder: the engine goes with it, down cleans up
kill -9 "$(pgrep -f "^nslab: lab $LAB\$")"
wait_for 5 sh -c "! pgrep -f '^nslab: engine $LAB\$'" || fail "the engine outlived its holder"
expect_rc 0 "down after kill -9 of the holder" "$NSLAB" down "$LAB"
assert_clean && pass "nothing left after kill -9 of the holder and down"

# --- the same link the other way round (b ends are the switches)
h=$(lab_xml engine3 <<X
<lab name="$LAB" impairments="engine">
  <host name="h1"/>
  <host name="h2"/>
  <switch name="s1"/>
  <switch name="s2"/>
  <link a="s1" b="h1" delay="3ms"/>
  <link a="s2" b="s1" delay="3ms"/>
  <link a="h2" b="s2"/>
</lab>
X
)
expect_rc 0 "up (switch ends as a, reversed)" "$NSLAB" up "$h" && lab_inodes "$LAB"
"$NSLAB" exec "$LAB" h1 ping -q -c 10 -i 0.05 -W 3 h2 > "$T/ping" 2>&1
read -r rmin ravg < <(rtt < "$T/ping")
between "$rmin" 11.9 "$(hi 13.8)" || fail "RTT min $rmin ms, want 12 (2 x 3 ms x 2 links; six relay passes at 0.3 ms, as above)"
[ "$(received < "$T/ping")" = 10 ] || fail "h1 -> h2 reversed: $(received < "$T/ping") of 10 answered"
expect_rc 0 "down" "$NSLAB" down "$LAB"
assert_clean && pass "nothing left"
exit 0

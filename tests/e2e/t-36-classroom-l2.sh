#!/bin/bash
# t-36: the layer-2 classroom examples do what they teach, seen in the
# frames themselves:
#   hub.xml       h3 sees h1's and h2's ICMP by content; with hub="no" it
#                 does not, once the bridge has learned (while it still
#                 sees what is sent to it);
#   stp-loop.xml  its own tests pass; across s1, s2, s3 exactly one port
#                 blocks, on a switch-to-switch link, and carries nothing;
#                 a broadcast does not storm (a copy with stp="off" does);
#                 cutting the link the traffic takes opens the blocked port,
#                 which then carries it, and restoring it blocks one again;
#   router-on-a-stick.xml  its own tests pass (gateways, TTL through r1,
#                 the unanswered ARP) and h3 never hears VLAN 10's ARP;
#                 on a kernel without VLANs `up` refuses it (exit 3).
. "$(dirname "$0")/lib.sh"

# the helper's text, given to python3 -c: a node has a /tmp of its own,
# so a checkout under /tmp is not visible inside it
frames=$(cat "$top/tests/e2e/helpers/l2frames.py") || exit 1
command -v python3 > /dev/null || skip "python3 is not installed"
pat=$(printf '6e736c%08x' $$)	# "nsl" and our pid: this run's pings only

# sniff LAB NODE SECS: l2frames.py in NODE's eth0 for SECS, to $T/sniff.out,
# in the background; returns once it listens
sniff() {
	rm -f "$T/sniff.out"
	"$NSLAB" exec "$1" "$2" python3 -c "$frames" sniff eth0 "$3" "$pat" > "$T/sniff.out" 2> "$T/sniff.err" &
	sniff_pid=$!
	track_pid $sniff_pid
	wait_for 20 grep -qx ready "$T/sniff.out" ||
		die "the sniffer in $1:$2 did not start: $(cat "$T/sniff.err")"
}
sniffed() { wait "$sniff_pid"; grep -cx "$1" "$T/sniff.out"; }
addr() { "$NSLAB" exec "$1" "$2" ip -4 -o addr show dev eth0 | awk '{ sub(/\/.*/, "", $4); print $4; exit }'; }
rx() { "$NSLAB" exec "$1" "$2" cat "/sys/class/net/${3:-eth0}/statistics/rx_packets"; }
tx() { "$NSLAB" exec "$1" "$2" cat "/sys/class/net/${3:-eth0}/statistics/tx_packets"; }

# ---- hub -------------------------------------------------------------
f=$(example_copy topologies/classroom/hub.xml)
expect_rc 0 "up hub.xml" "$NSLAB" up "$f" || die "cannot go on"
lab_inodes "$LAB"
expect_rc 0 "hub.xml passes its own tests" "$NSLAB" test "$LAB" || diag "$OUT"
a1=$(addr "$LAB" h1) a2=$(addr "$LAB" h2)
[ -n "$a1" ] && [ -n "$a2" ] || die "no addresses for h1, h2 ($a1, $a2)"
sniff "$LAB" h3 4
"$NSLAB" exec "$LAB" h1 ping -c 5 -i 0.2 -W 2 -p "$pat" "$a2" > /dev/null ||
	fail "hub: h1 does not reach h2"
req=$(sniffed "icmp $a1 $a2 8") rep=$(grep -cx "icmp $a2 $a1 0" "$T/sniff.out")
if [ "$req" -ge 5 ] && [ "$rep" -ge 5 ]; then
	pass "hub: h3 saw h1's 5 echo requests to h2 ($req) and h2's replies ($rep), by content"
else
	fail "hub: h3 saw $req of h1's requests and $rep of h2's replies (expected 5 each): $(head -c 500 "$T/sniff.out")"
fi
expect_rc 0 "down hub" "$NSLAB" down "$LAB"

# the same lab as a learning switch
new_lab SW
sed -e 's/hub="yes"/hub="no"/' -e "s/<lab name=\"$LAB\"/<lab name=\"$SW\"/" "$f" > "$T/switch.xml"
grep -q 'hub="no"' "$T/switch.xml" || die "cannot make the switch copy of hub.xml"
expect_rc 0 "up the copy with hub=\"no\"" "$NSLAB" up "$T/switch.xml" || die "cannot go on"
lab_inodes "$SW"
# the bridge learns every host's port
expect_rc 0 "pingall on the switch (the bridge learns)" "$NSLAB" pingall "$SW"
a1=$(addr "$SW" h1) a2=$(addr "$SW" h2) a3=$(addr "$SW" h3)
sniff "$SW" h3 4
"$NSLAB" exec "$SW" h1 ping -c 5 -i 0.2 -W 2 -p "$pat" "$a2" > /dev/null ||
	fail "switch: h1 does not reach h2"
"$NSLAB" exec "$SW" h1 ping -c 5 -i 0.2 -W 2 -p "$pat" "$a3" > /dev/null ||
	fail "switch: h1 does not reach h3"
req=$(sniffed "icmp $a1 $a2 8") rep=$(grep -cx "icmp $a2 $a1 0" "$T/sniff.out")
own=$(grep -cx "icmp $a1 $a3 8" "$T/sniff.out")
if [ "$own" -lt 5 ]; then
	fail "switch: the sniffer in h3 saw only $own of the 5 pings sent to h3 itself: it does not work"
elif [ "$req" -ne 0 ] || [ "$rep" -ne 0 ]; then
	fail "switch: h3 saw $req of h1's requests to h2 and $rep replies (expected none once learned)"
else
	pass "switch: h3 saw none of h1 <-> h2 (and all $own pings to itself)"
fi
expect_rc 0 "down switch" "$NSLAB" down "$SW"

# ---- STP -------------------------------------------------------------
new_lab STP
f=$(example_copy topologies/classroom/stp-loop.xml)
sed -i "s/<lab name=\"$LAB\"/<lab name=\"$STP\"/" "$f"
expect_rc 0 "up stp-loop.xml" "$NSLAB" up "$f" || die "cannot go on"
lab_inodes "$STP"
# its own tests choose the root (s3) and leave the loop whole and settled
expect_rc 0 "stp-loop.xml passes its own tests" "$NSLAB" test "$STP" || diag "$OUT"

# ports: "SWITCH IFACE STATE" of every switch port
ports() {
	local s
	for s in s1 s2 s3; do
		"$NSLAB" exec "$STP" "$s" bridge link |
			sed -n "s/^[0-9]*: \([^:@ ]*\).* state \([a-z]*\) .*/$s \1 \2/p"
	done
}
# settled WANT: no port listening or learning, WANT of them blocking
settled() {
	ports > "$T/ports"
	! grep -qE ' (listening|learning)$' "$T/ports" &&
		[ "$(grep -c ' blocking$' "$T/ports")" = "$1" ]
}
wait_for 30 settled 1 ||
	fail "STP: not exactly one blocking port with the loop whole: $(tr '\n' ';' < "$T/ports")"
blocked=$(awk '$3 == "blocking" { print $1 ":" $2 }' "$T/ports")
[ "$(wc -l < "$T/ports")" = 8 ] || fail "STP: expected 8 switch ports, saw: $(tr '\n' ';' < "$T/ports")"
# s2:eth1 and s1:eth1 are the s1-s2 link (the lab's comment): s2, the
# worst bridge, blocks its end
[ "$blocked" = s2:eth1 ] && pass "STP: exactly one port blocks across s1, s2, s3: $blocked (of the s1-s2 link)" ||
	fail "STP: the blocked port is '$blocked', expected s2:eth1"

# the blocked port carries nothing; h1 -> h2 goes s2-s3 (s2:eth2).  The
# lab's own tests end with the loop restored and h1's ARP cache flushed:
# see the lab's comment for why (a MAC learned on a port that then blocks
# stays there until the bridge's garbage collection).
"$NSLAB" exec "$STP" h1 ip neigh flush dev eth0
wait_for 20 "$NSLAB" exec "$STP" h1 ping -c 1 -W 1 h2 || fail "STP: h1 does not reach h2 over s2-s3"
b1=$(tx "$STP" s2 eth1) b2=$(tx "$STP" s2 eth2)
"$NSLAB" exec "$STP" h1 ping -c 20 -i 0.05 -W 2 h2 > /dev/null || fail "STP: h1 does not reach h2"
d1=$(($(tx "$STP" s2 eth1) - b1)) d2=$(($(tx "$STP" s2 eth2) - b2))
if [ "$d2" -ge 20 ] && [ "$d1" -le 2 ]; then
	pass "STP: 20 pings left s2 by eth2 ($d2 frames), none by the blocked eth1 ($d1)"
else
	fail "STP: s2 sent $d1 frames on eth1 (blocked) and $d2 on eth2 for 20 pings"
fi

# one broadcast frame: it arrives, once, and does not come round again
r1=$(rx "$STP" h1) r2=$(rx "$STP" h2)
"$NSLAB" exec "$STP" h1 python3 -c "$frames" bcast eth0 || fail "cannot send the broadcast"
sleep 2
d1=$(($(rx "$STP" h1) - r1)) d2=$(($(rx "$STP" h2) - r2))
# besides it, a BPDU every 2 s (hello time) on each host port
if [ "$d2" -ge 1 ] && [ "$d2" -le 5 ] && [ "$d1" -le 4 ]; then
	pass "STP: no storm: in 2 s after one broadcast, h2 received $d2 frames, h1 $d1"
else
	fail "STP: after one broadcast h2 received $d2 frames and h1 $d1 in 2 s (a storm?)"
fi

# the control: the same loop without STP storms at once
new_lab LOOP
sed -e 's/stp="on"/stp="off"/' -e "s/<lab name=\"$STP\"/<lab name=\"$LOOP\"/" "$f" > "$T/loop.xml"
if expect_rc 0 "up the copy with stp=\"off\"" "$NSLAB" up "$T/loop.xml"; then
	lab_inodes "$LOOP"
	r2=$(rx "$LOOP" h2)
	"$NSLAB" exec "$LOOP" h1 python3 -c "$frames" bcast eth0 || fail "cannot send the broadcast"
	sleep 1
	d2=$(($(rx "$LOOP" h2) - r2))
	"$NSLAB" down "$LOOP" || fail "down of the storming lab failed"
	# (thousands a second on the host; far fewer under an emulated CPU)
	[ "$d2" -ge 100 ] && pass "control: without STP one broadcast gave h2 $d2 frames in 1 s" ||
		fail "control: without STP one broadcast gave h2 only $d2 frames in 1 s (no storm: the check above proves nothing)"
fi

# cut the link the traffic takes: the loop is gone, s2:eth1 opens and
# carries it
expect_rc 0 "cut s2-s3" "$NSLAB" link "$STP" s2:eth2 s3:eth2 down
wait_for 30 settled 0 ||
	fail "STP: a port still blocks with s2-s3 cut: $(tr '\n' ';' < "$T/ports")"
grep -qx 's2 eth1 forwarding' "$T/ports" ||
	fail "STP: s2:eth1 does not forward with s2-s3 cut: $(tr '\n' ';' < "$T/ports")"
wait_for 20 "$NSLAB" exec "$STP" h1 ping -c 1 -W 1 h2 || fail "STP: h1 does not reach h2 around the cut"
b1=$(tx "$STP" s2 eth1)
"$NSLAB" exec "$STP" h1 ping -c 20 -i 0.05 -W 2 h2 > /dev/null || fail "STP: h1 does not reach h2 with s2-s3 cut"
d1=$(($(tx "$STP" s2 eth1) - b1))
[ "$d1" -ge 20 ] && pass "STP: with s2-s3 cut, no port blocks and s2:eth1 carries the 20 pings ($d1 frames)" ||
	fail "STP: with s2-s3 cut, s2:eth1 sent only $d1 frames for 20 pings"
expect_rc 0 "restore s2-s3" "$NSLAB" link "$STP" s2 s3 up
wait_for 30 settled 1 ||
	fail "STP: not one blocking port again after s2-s3 came back: $(tr '\n' ';' < "$T/ports")"
blocked=$(awk '$3 == "blocking" { print $1 ":" $2 }' "$T/ports")
[ "$blocked" = s2:eth1 ] && pass "STP: with s2-s3 back, s2:eth1 blocks again" ||
	fail "STP: with s2-s3 back the blocked port is '$blocked', expected s2:eth1"
# s2 still sends h2's frames to eth1, where it learned h2 with s2-s3 cut,
# and eth1 drops them: until a broadcast (h1's ARP) teaches it otherwise
"$NSLAB" exec "$STP" h1 ip neigh flush dev eth0
wait_for 20 "$NSLAB" exec "$STP" h1 ping -c 1 -W 1 h2 || fail "STP: h1 does not reach h2 with s2-s3 back"
b2=$(tx "$STP" s2 eth2)
"$NSLAB" exec "$STP" h1 ping -c 20 -i 0.05 -W 2 h2 > /dev/null || fail "STP: h1 does not reach h2 with s2-s3 back"
d2=$(($(tx "$STP" s2 eth2) - b2))
[ "$d2" -ge 20 ] && pass "STP: with s2-s3 back the 20 pings take it again ($d2 frames on s2:eth2)" ||
	fail "STP: with s2-s3 back, s2:eth2 sent only $d2 frames for 20 pings"
expect_rc 0 "down stp-loop" "$NSLAB" down "$STP"

# ---- router on a stick -------------------------------------------------
new_lab ROAS
f=$(example_copy topologies/classroom/router-on-a-stick.xml)
sed -i "s/<lab name=\"$LAB\"/<lab name=\"$ROAS\"/" "$f"
why=$(kernel_lacks "$f" up)
if [ -n "$why" ]; then
	expect_rc 3 "router-on-a-stick.xml is refused here" "$NSLAB" up "$f"
	[[ "$ERR" == *CONFIG_* ]] || fail "the refusal names no kernel option: $ERR"
	diag "router-on-a-stick.xml: not run: this kernel lacks $why (tests/vm/run runs it)"
	exit 0
fi
expect_rc 0 "up router-on-a-stick.xml" "$NSLAB" up "$f" || die "cannot go on"
lab_inodes "$ROAS"
expect_rc 0 "router-on-a-stick.xml passes its own tests" "$NSLAB" test "$ROAS" ||
	diag "$(grep -v '^ok ' <<< "$OUT")"
# h3 (VLAN 20) hears no ARP from VLAN 10, even one asking for its address;
# it does hear h4's, on its own VLAN
"$NSLAB" exec "$ROAS" h1 ip route replace 192.168.20.30/32 dev eth0 || fail "cannot add h1's host route"
"$NSLAB" exec "$ROAS" h4 ip neigh flush dev eth0
"$NSLAB" exec "$ROAS" h3 ip neigh flush dev eth0
sniff "$ROAS" h3 5
"$NSLAB" exec "$ROAS" h1 ping -c 3 -i 0.5 -W 1 192.168.20.30 > /dev/null &&
	fail "h1 reached 192.168.20.30 on VLAN 10 without r1"
"$NSLAB" exec "$ROAS" h4 ping -c 1 -W 2 192.168.20.30 > /dev/null || fail "h4 does not reach h3"
from10=$(sniffed "arp 1 192.168.10.10 192.168.20.30")
from20=$(grep -cx "arp 1 192.168.20.40 192.168.20.30" "$T/sniff.out")
if [ "$from20" -lt 1 ]; then
	fail "the sniffer in h3 missed h4's ARP on VLAN 20: $(head -c 500 "$T/sniff.out")"
elif [ "$from10" -ne 0 ]; then
	fail "h3 heard $from10 ARP requests from h1, on VLAN 10"
else
	pass "h3 heard h4's ARP ($from20) and none of the ARPs h1 sent for it on VLAN 10"
fi
"$NSLAB" exec "$ROAS" h1 ip route del 192.168.20.30/32 dev eth0
expect_rc 0 "down router-on-a-stick" "$NSLAB" down "$ROAS"
exit 0

#!/bin/bash
# t-09: two labs from one file, same node names and addresses, side by side
# (core/README.md, "Guarantees the code keeps"); down of one leaves the other
# working; up of a name that is up fails with exit 3.
. "$(dirname "$0")/lib.sh"
A=$LAB
new_lab B

expect_rc 0 "up A" "$NSLAB" up topologies/demo.xml --name "$A" || die "up A failed"
lab_inodes "$A"
expect_rc 0 "up B" "$NSLAB" up topologies/demo.xml --name "$B" || die "up B failed"
lab_inodes "$B"
expect_rc 3 "up of a name that is up" "$NSLAB" up topologies/demo.xml --name "$A"
[ "$(ls /run/netns | grep -c "^$A\.")" = 7 ] || fail "A's netns entries damaged by the second up of A"

[ "$(stat -L -c %i "/run/netns/$A.h1")" != "$(stat -L -c %i "/run/netns/$B.h1")" ] || fail "A.h1 and B.h1 are one namespace"
for L in "$A" "$B"; do
	"$NSLAB" ls | grep -qE "^${L}[[:space:]]+running[[:space:]]+7 " || fail "ls does not show $L running with 7 nodes"
	"$NSLAB" exec "$L" h1 ping -c 1 -W 2 h3 > /dev/null && pass "$L: h1 pings h3" || fail "$L: h1 cannot ping h3"
	"$NSLAB" exec "$L" h4 ping -c 1 -W 2 10.0.0.3 > /dev/null || fail "$L: h4 cannot ping h2"
done
# traffic stays in its lab: a ping in A does not show up on B's h3
b_rx=$(ip netns exec "$B.h3" cat /sys/class/net/eth0/statistics/rx_packets)
"$NSLAB" exec "$A" h1 ping -c 20 -i 0.01 -q 10.0.0.10 > /dev/null || fail "A: h1 -> h3 flood ping failed"
b_rx2=$(ip netns exec "$B.h3" cat /sys/class/net/eth0/statistics/rx_packets)
[ $((b_rx2 - b_rx)) -lt 10 ] || fail "B's h3 received $((b_rx2 - b_rx)) packets while A's h1 pinged A's h3"
# a file written in A's h1 is not in B's h1
"$NSLAB" exec "$A" h1 sh -c 'echo A > /tmp/which-lab'
"$NSLAB" exec "$B" h1 test -e /tmp/which-lab && fail "B's h1 sees A's h1's /tmp"

expect_rc 0 "down A" "$NSLAB" down "$A"
[ -e "/run/netns/$A.h1" ] && fail "A's netns entries left"
"$NSLAB" ls | grep -qE "^${B}[[:space:]]+running" || fail "B is not running after down A"
for n in r1 h1 h2 h3 h4 s1 s2; do
	[ -e "/run/netns/$B.$n" ] || fail "/run/netns/$B.$n gone after down A"
done
"$NSLAB" exec "$B" h1 ping -c 1 -W 2 h4 > /dev/null && pass "B still works after down A" || fail "B: h1 cannot ping h4 after down A"
expect_rc 0 "down B" "$NSLAB" down "$B"
exit 0

#!/bin/bash
# t-15: a 200-host star (Mininet's single,200): up, ls says 201 nodes, h1
# pings h200, down.  Prints the up+down time; never asserts on it
# (core/README.md, "Speed").
. "$(dirname "$0")/lib.sh"

f=$T/star.xml
{
	echo "<lab name=\"$LAB\">"
	echo '  <switch name="s1"/>'
	for i in $(seq 1 200); do echo "  <host name=\"h$i\"/>"; done
	for i in $(seq 1 200); do echo "  <link a=\"h$i\" b=\"s1\"/>"; done
	echo '</lab>'
} > "$f"
expect_rc 0 "check" "$NSLAB" check "$f"

t0=$(now)
expect_rc 0 "up 200 hosts" "$NSLAB" up "$f" || die "up failed"
t1=$(now)
lab_inodes "$LAB"
expect_rc 0 "ls" "$NSLAB" ls
grep -qE "^${LAB}[[:space:]]+running[[:space:]]+201 nodes" <<<"$OUT" && pass "ls: 201 nodes" || fail "ls: $(grep "^$LAB" <<<"$OUT")"
[ "$(ls /run/netns | grep -c "^$LAB\.")" = 201 ] || fail "$(ls /run/netns | grep -c "^$LAB\.") netns entries, expected 201"
# topologies/README.md, "Automatic addresses": one segment of 200 interfaces
# -> a /24; hosts numbered in order
a=$(ip -n "$LAB.h200" -4 -o addr show dev eth0 | awk '{ print $4 }')
[ "$a" = 10.0.0.200/24 ] || fail "h200 has '$a', expected 10.0.0.200/24"
[ "$(ip -n "$LAB.s1" -o link show master br0 | wc -l)" = 200 ] || fail "s1's bridge does not have 200 ports"
"$NSLAB" exec "$LAB" h1 ping -c 1 -W 2 h200 > /dev/null && pass "h1 pings h200 by name" || fail "h1 cannot ping h200"
"$NSLAB" exec "$LAB" h137 ping -c 1 -W 2 10.0.0.1 > /dev/null || fail "h137 cannot ping h1"
t2=$(now)
expect_rc 0 "down" "$NSLAB" down "$LAB"
t3=$(now)
awk -v a="$t0" -v b="$t1" -v c="$t2" -v d="$t3" \
	'BEGIN { printf "# single,200 up+down: %.3f s (up %.3f s, down %.3f s)\n", (b - a) + (d - c), b - a, d - c }'
exit 0

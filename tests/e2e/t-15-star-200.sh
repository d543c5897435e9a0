#!/bin/bash
# t-15: a 200-host star (Mininet's single,200): up, ls says 201 nodes, h1
# pings h200, down.  Prints the up+down time; never asserts on it
# (core/README.md, "Speed").  201 namespaces are made by several threads,
# their sysctls through nslab's own procfs instances: IPv6 is off in the
# first, middle and last nodes.  Progress (README.md, "Big labs"): nothing
# on stderr when it is not a terminal; in a terminal, a line per phase with
# its count.
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
[ -z "$ERR" ] && pass "up: nothing on stderr when it is not a terminal" ||
	fail "up wrote on stderr, not a terminal: $ERR"
for n in s1 h1 h64 h100 h137 h200; do
	v=$(ip netns exec "$LAB.$n" cat /proc/sys/net/ipv6/conf/all/disable_ipv6 \
		/proc/sys/net/ipv6/conf/default/disable_ipv6 | tr -d '\n')
	[ "$v" = 11 ] || fail "$n: IPv6 not off (all, default: '$v')"
done
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

# again in a pseudo-terminal (script(1)): the progress line
if command -v script > /dev/null; then
	script -qec "$NSLAB up $f" /dev/null > "$T/tty" 2>&1 || fail "up in a terminal failed: $(tail -c 300 "$T/tty")"
	tr '\r' '\n' < "$T/tty" > "$T/tty.lines"
	for want in 'namespaces 201/201' 'links 200/200' 'node views and /run/netns links (201)'; do
		grep -qF "nslab: $want" "$T/tty.lines" && pass "progress: $want" ||
			fail "no progress line 'nslab: $want' in: $(tr '\n' '|' < "$T/tty.lines" | tail -c 400)"
	done
	grep -qE 'nslab: namespaces [0-9]+/201, [0-9]+/s' "$T/tty.lines" ||
		fail "no rate in the progress: $(tr '\n' '|' < "$T/tty.lines" | tail -c 400)"
	script -qec "$NSLAB down $LAB" /dev/null > "$T/tty" 2>&1 || fail "down in a terminal failed: $(tail -c 300 "$T/tty")"
	tr '\r' '\n' < "$T/tty" > "$T/tty.lines"
	for want in "stopping the nodes' processes" 'removing the /run/netns links'; do
		grep -qF "nslab: $want" "$T/tty.lines" && pass "progress of down: $want" ||
			fail "no progress line 'nslab: $want' from down in: $(tr '\n' '|' < "$T/tty.lines" | tail -c 400)"
	done
	[ -e "/run/nslab/$LAB" ] && fail "down in a terminal left /run/nslab/$LAB"
else
	echo "# SKIP progress in a terminal: script(1) is not installed"
fi
exit 0

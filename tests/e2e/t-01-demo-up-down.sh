#!/bin/bash
# t-01: up of topologies/demo.xml, what `ls`, /run/netns and ip see, the
# addresses topologies/README.md prescribes ("Automatic addresses"),
# connectivity across r1, down twice.
. "$(dirname "$0")/lib.sh"

expect_rc 0 "up demo.xml as $LAB" "$NSLAB" up topologies/demo.xml --name "$LAB" || die "cannot go on without the lab"
lab_inodes "$LAB"

# ls: running, 7 nodes (r1 h1 h2 h3 h4 s1 s2)
expect_rc 0 "ls" "$NSLAB" ls
line=$(awk -v n="$LAB" '$1 == n' <<<"$OUT")
[[ "$line" =~ ^${LAB}[[:space:]]+running[[:space:]]+7[[:space:]]+nodes ]] && pass "ls: $line" || fail "ls line for $LAB: '$line' (want running, 7 nodes)"
expect_rc 0 "ls --json" "$NSLAB" ls --json
python3 -c '
import json, sys
labs = [l for l in json.load(sys.stdin) if l["name"] == sys.argv[1]]
assert len(labs) == 1, labs
assert labs[0]["state"] == "running" and labs[0]["nodes"] == 7, labs
' "$LAB" <<<"$OUT" && pass "ls --json: running, 7 nodes" || fail "ls --json does not say running with 7 nodes: $OUT"

for n in r1 h1 h2 h3 h4 s1 s2; do
	[ -e "/run/netns/$LAB.$n" ] || fail "/run/netns/$LAB.$n missing"
done
[ "$(ls /run/netns | grep -c "^$LAB\.")" = 7 ] || fail "expected exactly 7 /run/netns/$LAB.* entries: $(ls /run/netns)"

expect_rc 0 "ip netns exec $LAB.h1 ip -br link" ip netns exec "$LAB.h1" ip -br link
grep -q '^eth0' <<<"$OUT" || fail "h1 has no eth0: $OUT"
[ "$(wc -l <<<"$OUT")" = 2 ] || fail "h1 should have exactly lo and eth0: $OUT"

# topologies/README.md, "Automatic addresses": left LAN (r1:eth0, h1, h2) = 3
# interfaces + net + broadcast -> /29 numbered in document order of nodes: r1
# .1, h1 .2, h2 .3; right LAN is the next /29: r1 .9, h3 .10, h4 .11.
# gateway="auto" = lowest router address.
declare -A want=([r1]="10.0.0.1/29 10.0.0.9/29" [h1]=10.0.0.2/29 [h2]=10.0.0.3/29 [h3]=10.0.0.10/29 [h4]=10.0.0.11/29)
for n in "${!want[@]}"; do
	have=$(ip -n "$LAB.$n" -4 -o addr show scope global | awk '{print $4}' | sort | xargs)
	[ "$have" = "${want[$n]}" ] && pass "$n has ${want[$n]}" || fail "$n addresses: '$have', expected '${want[$n]}'"
done
for n in h1 h2; do
	ip -n "$LAB.$n" route show default | grep -q 'via 10.0.0.1 ' || fail "$n: default route not via 10.0.0.1: $(ip -n "$LAB.$n" route)"
done
for n in h3 h4; do
	ip -n "$LAB.$n" route show default | grep -q 'via 10.0.0.9 ' || fail "$n: default route not via 10.0.0.9: $(ip -n "$LAB.$n" route)"
done
[ "$(ip netns exec "$LAB.r1" sysctl -n net.ipv4.ip_forward)" = 1 ] || fail "r1 does not forward"
[ "$(ip netns exec "$LAB.h1" sysctl -n net.ipv4.ip_forward)" = 0 ] || fail "h1 forwards"
ip -n "$LAB.s1" -d link show br0 | grep -q bridge || fail "s1 has no bridge br0"

# connectivity, by name (/etc/hosts of the node) and by address
for dst in h2 h3 h4 10.0.0.3 10.0.0.10 10.0.0.11 10.0.0.9; do
	"$NSLAB" exec "$LAB" h1 ping -c 1 -W 2 "$dst" > /dev/null 2>&1 && pass "h1 pings $dst" || fail "h1 cannot ping $dst"
done
"$NSLAB" exec "$LAB" h4 ping -c 1 -W 2 h1 > /dev/null 2>&1 || fail "h4 cannot ping h1"
# the name resolves to the address topologies/README.md gives ("/etc/hosts")
out=$("$NSLAB" exec "$LAB" h1 getent hosts h4)
[[ "$out" == 10.0.0.11* ]] || fail "h1 resolves h4 to '$out', expected 10.0.0.11"

expect_rc 0 "down" "$NSLAB" down "$LAB"
[ -e "/run/nslab/$LAB" ] && fail "/run/nslab/$LAB still there after down"
expect_rc 0 "down again (idempotent)" "$NSLAB" down "$LAB"
expect_rc 0 "ls after down" "$NSLAB" ls
grep -qw "$LAB" <<<"$OUT" && fail "ls still lists $LAB: $OUT"
exit 0

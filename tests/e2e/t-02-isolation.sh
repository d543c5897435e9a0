#!/bin/bash
# t-02: two switches that the lab does not connect stay apart.  h1, h2 on s1
# and h3, h4 on s2, no router.  nslab refuses overlapping explicit subnets on
# different segments (topologies/README.md, "Limits"), so each pair has one
# half of 10.9.0.0/24 plus an on-link route for the other half: every host
# ARPs for every other directly, and only the missing cable can keep them
# apart.
. "$(dirname "$0")/lib.sh"

# first: the same /24 on two unconnected segments is refused before anything is built
f=$(lab_xml overlap <<X
<lab name="$LAB">
  <host name="h1"><iface name="eth0" addr="10.9.0.1/24"/></host>
  <host name="h3"><iface name="eth0" addr="10.9.0.3/24"/></host>
  <switch name="s1"/> <switch name="s2"/>
  <link a="h1:eth0" b="s1"/>
  <link a="h3:eth0" b="s2"/>
</lab>
X
)
expect_rc 2 "one /24 on two segments is refused" "$NSLAB" up "$f"
grep -q "overlap" <<<"$ERR" || fail "refusal does not say overlap: $ERR"

f=$(lab_xml iso <<X
<lab name="$LAB" ipbase="none">
  <host name="h1"><iface name="eth0" addr="10.9.0.1/25"/><route dst="10.9.0.128/25" dev="eth0"/></host>
  <host name="h2"><iface name="eth0" addr="10.9.0.2/25"/><route dst="10.9.0.128/25" dev="eth0"/></host>
  <host name="h3"><iface name="eth0" addr="10.9.0.131/25"/><route dst="10.9.0.0/25" dev="eth0"/></host>
  <host name="h4"><iface name="eth0" addr="10.9.0.132/25"/><route dst="10.9.0.0/25" dev="eth0"/></host>
  <switch name="s1"/>
  <switch name="s2"/>
  <link a="h1:eth0" b="s1"/>
  <link a="h2:eth0" b="s1"/>
  <link a="h3:eth0" b="s2"/>
  <link a="h4:eth0" b="s2"/>
</lab>
X
)
expect_rc 0 "check" "$NSLAB" check "$f"
expect_rc 0 "up" "$NSLAB" up "$f" || die "up failed"
lab_inodes "$LAB"
r=$(ip -n "$LAB.h1" route show 10.9.0.128/25)
[[ "$r" == "10.9.0.128/25 dev eth0"* ]] || fail "h1's on-link route: '$r'"

ping1() { "$NSLAB" exec "$LAB" "$1" ping -c 1 -W 1 "$2" > /dev/null 2>&1; }
ping1 h1 10.9.0.2 && pass "h1 -> h2 (same switch)" || fail "h1 cannot reach h2 on the same switch"
ping1 h3 10.9.0.132 && pass "h3 -> h4 (same switch)" || fail "h3 cannot reach h4 on the same switch"
ping1 h2 h1 && pass "h2 -> h1 by name" || fail "h2 cannot reach h1 by name"
ping1 h1 10.9.0.131 && fail "h1 reaches h3 across unconnected switches" || pass "h1 -/-> h3"
ping1 h4 h2 && fail "h4 reaches h2 across unconnected switches" || pass "h4 -/-> h2"
# not even ARP crosses: h1 never learns h3's MAC
ip -n "$LAB.h1" neigh show 10.9.0.131 | grep -q lladdr && fail "h1 learned h3's MAC: $(ip -n "$LAB.h1" neigh)"
# and nothing of the lab is visible from the host namespace
ip -o addr | grep -q '10\.9\.0\.' && fail "a lab address is in the host namespace"
ping -c 1 -W 1 10.9.0.1 > /dev/null 2>&1 && fail "the host reaches h1"

expect_rc 0 "down" "$NSLAB" down "$LAB"
exit 0

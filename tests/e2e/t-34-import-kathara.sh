#!/bin/bash
# t-34: `nslab import kathara` (README.md, "Coming from Kathara").  The
# Kathara lab topologies/interop/kathara-ospf (three FRR routers running
# OSPF, a LAN of three devices at one end) is imported: the three ways it
# starts FRR are rewritten and said so, nothing else is reported, the
# lab file passes `nslab check`, comes up, OSPF converges (pc1 pings pc3
# across the three routers within 60 s), r1 has the route to pc3's LAN
# from OSPF, and down leaves nothing.  Then the errors: a directory
# without lab.conf, a syntax error (exit 2, the line, nothing on stdout)
# and an option nslab cannot carry (a warning with its line).
. "$(dirname "$0")/lib.sh"
# OSPF's time to converge: 60 s, 240 s in an emulated VM (tests/vm), where
# FRR's one-second hellos run many times slower
conv=60
[ "${E2E_EMULATED:-0}" = 1 ] && conv=240

src=topologies/interop/kathara-ospf
[ -x /usr/lib/frr/frrinit.sh ] ||
	skip "frr is not installed (tools/install-deps installs it)"

# the lab directory, named as this test's lab (its name comes from it)
d=$T/$LAB
cp -r "$src" "$d" || die "cannot copy $src"

expect_rc 0 "import kathara" "$NSLAB" import kathara "$d" || exit 1
printf '%s\n' "$OUT" > "$d/lab.xml"
want="nslab: import: r1.startup:4: rewritten: \"systemctl start frr\" as \"/usr/lib/frr/frrinit.sh start\" (FRR's own start script: there is no systemd in a node)
nslab: import: r2.startup:4: rewritten: \"service frr start\" as \"/usr/lib/frr/frrinit.sh start\" (FRR's own start script: there is no systemd in a node)
nslab: import: r3.startup:4: rewritten: \"/etc/init.d/frr start\" as \"/usr/lib/frr/frrinit.sh start\" (FRR's own start script: there is no systemd in a node)"
[ "$ERR" = "$want" ] && pass "three rewrite notes, no warning" ||
	fail "stderr of import: got [$ERR]"

# the collision domain of three is a switch, those of two are links
for l in '<switch name="A"/>' '<link a="pc1:eth0" b="A"/>' \
	'<link a="pc2:eth0" b="A"/>' '<link a="r1:eth0" b="A"/>' \
	'<link a="r1:eth1" b="r2:eth0"/>' '<link a="r2:eth1" b="r3:eth0"/>' \
	'<link a="r3:eth1" b="pc3:eth0"/>' '<router name="r1">' \
	'<host name="pc1">' "<lab name=\"$LAB\" ipbase=\"none\">" \
	'<file path="/etc/frr/frr.conf" src="r1/etc/frr/frr.conf"/>'; do
	grep -qF -- "$l" "$d/lab.xml" || fail "no $l in the lab file"
done
[ "$(grep -c '<switch ' "$d/lab.xml")" = 1 ] || fail "one switch expected"
[ "$(grep -c '<link ' "$d/lab.xml")" = 6 ] || fail "six links expected"

expect_rc 0 "nslab check of the imported lab" "$NSLAB" check "$d/lab.xml"
[ -z "$OUT$ERR" ] || fail "check printed: $OUT$ERR"

t0=$(now)
expect_rc 0 "up" "$NSLAB" up "$d/lab.xml" || exit 1
if wait_for "$conv" "$NSLAB" exec "$LAB" pc1 ping -c1 -W1 10.0.3.13; then
	pass "pc1 reaches pc3 across r1, r2 and r3 after $(awk -v a="$t0" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }') s"
else
	fail "pc1 does not reach pc3 within $conv s: $("$NSLAB" exec "$LAB" r1 vtysh -c 'show ip ospf neighbor' 2>&1)"
fi
expect_rc 0 "pc2 (on the same switch) reaches pc3" \
	"$NSLAB" exec "$LAB" pc2 ping -c1 -W2 10.0.3.13
expect_rc 0 "ip route in r1" "$NSLAB" exec "$LAB" r1 ip route
grep -q '^10\.0\.3\.0/24 .*via 10\.0\.12\.2 dev eth1 proto ospf' <<<"$OUT" &&
	pass "r1 learned pc3's LAN from OSPF" ||
	fail "r1 has no OSPF route to 10.0.3.0/24: $OUT"
expect_rc 0 "ip route in r3" "$NSLAB" exec "$LAB" r3 ip route
grep -q '^10\.0\.1\.0/24 .*via 10\.0\.23\.1 dev eth0 proto ospf' <<<"$OUT" &&
	pass "r3 learned the switch's LAN from OSPF" ||
	fail "r3 has no OSPF route to 10.0.1.0/24: $OUT"
expect_rc 0 "down" "$NSLAB" down "$LAB"
assert_clean && pass "down leaves nothing"

# errors: exit 2, named, nothing on stdout
mkdir "$T/empty"
expect_rc 2 "a directory without lab.conf" "$NSLAB" import kathara "$T/empty"
[ "$ERR" = "nslab: import: $T/empty: no lab.conf in it (not a Kathara lab)" ] ||
	fail "message: $ERR"
[ -z "$OUT" ] || fail "stdout not empty: $OUT"
cp -r "$src" "$T/bad"
printf 'pc9[0]="E\n' >> "$T/bad/lab.conf"
n=$(wc -l < "$T/bad/lab.conf")
expect_rc 2 "a syntax error" "$NSLAB" import kathara "$T/bad"
[ "$ERR" = "nslab: import: lab.conf:$n: the value has no closing \"" ] ||
	fail "message: $ERR"
[ -z "$OUT" ] || fail "stdout not empty: $OUT"
cp -r "$src" "$T/mem"
printf 'pc1[mem]=64m\n' >> "$T/mem/lab.conf"
n=$(wc -l < "$T/mem/lab.conf")
expect_rc 0 "an option nslab cannot carry" "$NSLAB" import kathara "$T/mem"
grep -qxF "nslab: import: lab.conf:$n: not carried over: pc1[mem]=64m (nslab sets no resource limits)" <<<"$ERR" ||
	fail "no warning for pc1[mem]: $ERR"
exit 0

#!/bin/bash
# t-33: nslab import clab (README.md, "Coming from containerlab").  The
# containerlab lab topologies/interop/clab-frr (three FRR routers running
# OSPF, a PC on each, written as containerlab's frr01 example) is
# imported in a copy of its directory: the warnings name the management
# network, the images and the management address with their lines, and
# nothing else; the output passes `nslab check`, comes up, OSPF converges
# (PC1 pings PC3 across two routers within 60 s) and router1 holds the
# far LANs as OSPF routes; down leaves nothing.  A file that is not a
# topology exits 2 naming FILE:LINE with nothing on stdout; a missing
# file exits 2.
. "$(dirname "$0")/lib.sh"
# OSPF's time to converge: 60 s, 240 s in an emulated VM (tests/vm), where
# FRR's one-second hellos run many times slower
conv=60
[ "${E2E_EMULATED:-0}" = 1 ] && conv=240

src=topologies/interop/clab-frr
cp -r "$src" "$T/clab" || die "cannot copy $src"
cd "$T/clab" || die "cd"

expect_rc 0 "import of frr01.clab.yml" "$NSLAB" import clab frr01.clab.yml
printf '%s\n' "$OUT" > frr01.xml
want=(
	"frr01.clab.yml:15: not carried over: mgmt (the management network"
	"frr01.clab.yml:24: not carried over: node router1: image quay.io/frrouting/frr:8.4.1"
	"frr01.clab.yml:24: not carried over: node router3: image quay.io/frrouting/frr:8.4.1"
	"frr01.clab.yml:27: not carried over: node PC2: image wbitt/network-multitool:alpine-minimal"
	"frr01.clab.yml:43: not carried over: node router3: mgmt-ipv4"
)
for w in "${want[@]}"; do
	grep -qF "nslab: import: $w" <<<"$ERR" || fail "no warning \"$w\" in: $ERR"
done
n=$(grep -c . <<<"$ERR")
[ "$n" = 8 ] && pass "8 warnings, one line each" || fail "$n warning lines, expected 8: $ERR"
grep -q '<lab name="frr01" ipbase="none" ipv6="on"' frr01.xml || fail "lab element: $(head -n 8 frr01.xml)"
[ "$(grep -c '<start>/usr/lib/frr/frrinit.sh start</start>' frr01.xml)" = 3 ] ||
	fail "not three routers starting FRR: $OUT"
expect_rc 0 "nslab check of the imported lab" "$NSLAB" check frr01.xml

if [ ! -x /usr/lib/frr/frrinit.sh ]; then
	diag "frr is not installed: the lab is not brought up (tools/install-deps installs it)"
else
	expect_rc 0 "up of the imported lab" "$NSLAB" up frr01.xml --name "$LAB" ||
		die "up failed"
	t0=$(now)
	if wait_for "$conv" "$NSLAB" exec "$LAB" PC1 ping -c 1 -W 1 192.168.13.2; then
		pass "PC1 reaches PC3 across the routers after $(awk -v a="$t0" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }') s"
	else
		fail "PC1 does not reach PC3 within $conv s"
		for r in router1 router2 router3; do
			diag "$r: $("$NSLAB" exec "$LAB" "$r" vtysh -c 'show ip ospf neighbor' \
				-c 'show ip ospf database' -c 'show ip route' 2>&1)"
			diag "$r's log: $("$NSLAB" exec "$LAB" "$r" tail -n 30 /var/log/frr/frr.log 2>&1)"
		done
	fi
	# PC1 may first reach PC3 the long way, through router2, before
	# router1's adjacency with router3 is full: OSPF must then settle on
	# the direct link
	r1direct() {
		r=$("$NSLAB" exec "$LAB" router1 ip route show 192.168.13.0/24)
		grep -q "via 192.168.2.2 dev eth2 proto ospf" <<<"$r"
	}
	wait_for "$((conv / 2))" r1direct &&
		pass "router1 learnt PC3's LAN from OSPF, over the direct link: $r" ||
		fail "router1's route to 192.168.13.0/24 is not OSPF's over the direct link to router3 (via 192.168.2.2 dev eth2): $r"
	# router2 is not on that path: it may learn PC1's LAN a moment later
	r2ospf() {
		"$NSLAB" exec "$LAB" router2 vtysh -c 'show ip route 192.168.11.0/24 json' |
			grep -q '"protocol":"ospf"'
	}
	wait_for "$((conv / 2))" r2ospf && pass "router2's vtysh: PC1's LAN is an OSPF route" ||
		fail "router2's vtysh does not show 192.168.11.0/24 from OSPF: $("$NSLAB" exec "$LAB" router2 vtysh -c 'show ip route 192.168.11.0/24 json' 2>&1)"
	# the PCs' exec lines ran, with the group's env
	e=$("$NSLAB" exec "$LAB" PC2 ip -4 addr show dev eth1)
	grep -q "inet 192.168.12.2/24" <<<"$e" || fail "PC2's exec did not set its address: $e"
	e=$("$NSLAB" exec "$LAB" PC1 cat /tmp/role)
	[ "$e" = pc ] && pass "PC1's exec saw LAB_ROLE=pc from its group" ||
		fail "PC1's exec saw LAB_ROLE=\"$e\", expected pc"
	expect_rc 0 "down" "$NSLAB" down "$LAB"
	assert_clean && pass "down leaves nothing"
fi

# bad input: FILE:LINE on stderr, exit 2, nothing on stdout
printf 'name: x\ntopology:\n  nodes:\n    a: {kind: linux}\n  links:\n    - endpoints: [a:eth1, b:eth1]\n' > bad.clab.yml
expect_rc 2 "import of a link to a node that does not exist" "$NSLAB" import clab bad.clab.yml
[ -z "$OUT" ] || fail "stdout of a failed import: $OUT"
grep -qx 'nslab: import: bad.clab.yml:6: link a:eth1 -- b:eth1: no node named "b"' <<<"$ERR" ||
	fail "message: $ERR"
printf 'a: &x [1]\ntopology: *x\n' > alias.clab.yml
expect_rc 2 "import of a file with an alias" "$NSLAB" import clab alias.clab.yml
grep -qx 'nslab: import: alias.clab.yml:2: aliases (\*x) are not supported: write the values out' <<<"$ERR" ||
	fail "message: $ERR"
expect_rc 2 "import of a missing file" "$NSLAB" import clab nosuch.clab.yml
grep -qx 'nslab: import: nosuch.clab.yml: No such file or directory' <<<"$ERR" || fail "message: $ERR"
exit 0

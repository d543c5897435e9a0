#!/bin/bash
# t-29: generated topologies (README.md, "Commands"; topologies/README.md,
# "Generated topologies").
#   gen:   every kind prints a lab file that check takes, named after the
#          kind or --name;
#   bad:   a bad spec exits 2 naming the part at fault, for gen, up and
#          run alike, and builds nothing;
#   check, plan, show --topo: the generated lab without building it:
#          check is silent, a bad spec exits 2 as for up, plan is the plan
#          of the file gen prints (3 namespaces and 2 veths for single,2),
#          show --json has linear,2's 4 nodes and 3 links;
#   run --topo tree,2,2: up and down, exit 0, nothing left;
#   up --topo single,3: Mininet's names and addresses (h1 10.0.0.1/8),
#          pingall answers, test and link work from the copy up kept of
#          the generated file, down leaves nothing;
#   ring,4: the routers' static routes reach every host;
#   torus,3,3: STP keeps the loops from flooding, every host reaches
#          every other one.
. "$(dirname "$0")/lib.sh"

# ---- gen ---------------------------------------------------------------------
for spec in minimal single,4 reversed,4 linear,3 linear,3,2 tree,2,3 \
	tree,depth=3,fanout=2 torus,3,3 torus,3,4,2 ring,5 mesh,4; do
	expect_rc 0 "gen $spec" "$NSLAB" gen "$spec" || continue
	printf '%s\n' "$OUT" > "$T/gen.xml"
	grep -q "^<lab name=\"${spec%%,*}\">$" "$T/gen.xml" ||
		fail "gen $spec: the lab is not named ${spec%%,*}"
	expect_rc 0 "check of gen $spec" "$NSLAB" check "$T/gen.xml"
done
expect_rc 0 "gen --name" "$NSLAB" gen tree,2,2 --name "$LAB"
grep -q "^<lab name=\"$LAB\">$" <<<"$OUT" || fail "gen --name $LAB: the lab is not named so"

# ---- bad specs ---------------------------------------------------------------
expect_rc 2 "gen tree,0" "$NSLAB" gen tree,0
[ "$ERR" = 'nslab: topology "tree,0": depth must be at least 1' ] ||
	fail "gen tree,0 says: $ERR"
[ -z "$OUT" ] || fail "gen tree,0 printed a file: $OUT"
expect_rc 2 "up --topo tree,0" "$NSLAB" up --topo tree,0 --name "$LAB"
[ "$ERR" = 'nslab: --topo "tree,0": depth must be at least 1' ] ||
	fail "up --topo tree,0 says: $ERR"
expect_rc 2 "run --topo with an unknown kind" "$NSLAB" run --topo donut,3 --name "$LAB"
grep -qF 'nslab: --topo "donut,3": unknown kind "donut" (known: minimal, single, reversed, linear, tree, torus, ring, mesh)' <<<"$ERR" ||
	fail "run --topo donut,3 says: $ERR"
expect_rc 2 "up --topo torus,3 (y missing)" "$NSLAB" up --topo torus,3 --name "$LAB"
grep -qF 'torus needs y' <<<"$ERR" || fail "up --topo torus,3 says: $ERR"
expect_rc 2 "up with a file and --topo" "$NSLAB" up "$T/gen.xml" --topo single,2 --name "$LAB"
[ -e "/run/nslab/$LAB" ] && fail "a refused spec left /run/nslab/$LAB"

# ---- check, plan, show --topo ------------------------------------------------
expect_rc 0 "check --topo tree,2,2" "$NSLAB" check --topo tree,2,2
[ -z "$OUT$ERR" ] || fail "check --topo tree,2,2 is not silent: $OUT$ERR"
expect_rc 2 "check --topo tree,0" "$NSLAB" check --topo tree,0
[ "$ERR" = 'nslab: --topo "tree,0": depth must be at least 1' ] ||
	fail "check --topo tree,0 says: $ERR"
expect_rc 2 "check with a file and --topo" "$NSLAB" check "$T/gen.xml" --topo single,2
expect_rc 2 "check --topo without a spec" "$NSLAB" check --topo
expect_rc 0 "plan --topo single,2" "$NSLAB" plan --topo single,2
plan=$OUT
# one namespace per node, named LAB.NODE
ns=$(grep -E '^ip netns add ' <<<"$plan" | sort | tr '\n' ' ')
[ "$ns" = "ip netns add single.h1 ip netns add single.h2 ip netns add single.s1 " ] ||
	fail "plan --topo single,2: the namespaces are: $ns"
# two veths, made in s1 on its bridge, h1 on s1:eth1 and h2 on s1:eth2
[ "$(grep -c ' type veth peer ' <<<"$plan")" = 2 ] ||
	fail "plan --topo single,2 has not 2 veths: $(grep ' type veth ' <<<"$plan")"
grep -qE '^ip -n single\.s1 link add eth1 .* master br0 type veth peer name eth0 .* netns single\.h1$' <<<"$plan" ||
	fail "plan --topo single,2: no veth s1:eth1 -- h1:eth0"
grep -qE '^ip -n single\.s1 link add eth2 .* master br0 type veth peer name eth0 .* netns single\.h2$' <<<"$plan" ||
	fail "plan --topo single,2: no veth s1:eth2 -- h2:eth0"
grep -qx 'ip -n single.h1 addr add 10.0.0.1/8 dev eth0' <<<"$plan" ||
	fail "plan --topo single,2 does not give h1 10.0.0.1/8"
# the plan of the file gen prints, but for the file's name in the comments
expect_rc 0 "gen single,2" "$NSLAB" gen single,2
printf '%s\n' "$OUT" > "$T/single2.xml"
diff <("$NSLAB" plan "$T/single2.xml" | grep -v '^#') <(grep -v '^#' <<<"$plan") > /dev/null ||
	fail "plan --topo single,2 is not the plan of gen single,2's file"
expect_rc 0 "plan --down --topo single,2" "$NSLAB" plan --down --topo single,2
grep -qx 'ip netns del single.s1 2>/dev/null' <<<"$OUT" ||
	fail "plan --down --topo single,2 does not remove s1: $OUT"
expect_rc 0 "show --topo linear,2 --json" "$NSLAB" show --topo linear,2 --json
counts=$(python3 -c 'import json, sys; d = json.load(sys.stdin); print(len(d["nodes"]), len(d["links"]))' <<<"$OUT") ||
	fail "show --topo linear,2 --json is not JSON: $OUT"
[ "$counts" = "4 3" ] || fail "show --topo linear,2 --json: nodes and links: $counts, expected 4 3"
expect_rc 2 "show --topo donut,3" "$NSLAB" show --topo donut,3
grep -qF 'nslab: --topo "donut,3": unknown kind "donut"' <<<"$ERR" ||
	fail "show --topo donut,3 says: $ERR"

# ---- run --topo --------------------------------------------------------------
expect_rc 0 "run --topo tree,2,2" "$NSLAB" run --topo tree,2,2 --name "$LAB"
[ -e "/run/nslab/$LAB" ] && fail "run --topo left /run/nslab/$LAB"
assert_clean && pass "run --topo leaves nothing"

# ---- up --topo single,3 ------------------------------------------------------
expect_rc 0 "up --topo single,3" "$NSLAB" up --topo single,3 --name "$LAB" || die "up failed"
lab_inodes "$LAB"
"$NSLAB" ls | grep -qE "^${LAB}[[:space:]]+running[[:space:]]+4 " ||
	fail "ls does not show the lab with 4 nodes: $("$NSLAB" ls)"
a=$("$NSLAB" exec "$LAB" h1 ip -4 -o addr show dev eth0)
grep -q ' inet 10\.0\.0\.1/8 ' <<<"$a" && pass "h1 is 10.0.0.1/8" ||
	fail "h1's eth0 is not 10.0.0.1/8: $a"
a=$("$NSLAB" exec "$LAB" h3 ip -4 -o addr show dev eth0)
grep -q ' inet 10\.0\.0\.3/8 ' <<<"$a" || fail "h3's eth0 is not 10.0.0.3/8: $a"
# Mininet's s1-eth1..s1-eth3
ports=$("$NSLAB" exec "$LAB" s1 ls /sys/class/net | sort | tr '\n' ' ')
[ "$ports" = "br0 eth1 eth2 eth3 lo " ] || fail "s1's interfaces: $ports"
expect_rc 0 "pingall" "$NSLAB" pingall "$LAB"
expect_rc 0 "test (from the copy of the generated file)" "$NSLAB" test "$LAB"
expect_rc 0 "link h1 s1 down" "$NSLAB" link "$LAB" h1 s1 down
expect_rc 1 "pingall with h1 cut off" "$NSLAB" pingall "$LAB"
expect_rc 0 "link h1 s1 up" "$NSLAB" link "$LAB" h1 s1 up
wait_for 5 "$NSLAB" pingall "$LAB" || fail "pingall fails after link up: $("$NSLAB" pingall "$LAB" 2>&1)"
expect_rc 0 "down" "$NSLAB" down "$LAB"
assert_clean && pass "down leaves nothing"

# ---- ring,4: static routes ---------------------------------------------------
new_lab LAB2
expect_rc 0 "up --topo ring,4" "$NSLAB" up --topo ring,4 --name "$LAB2" || die "up ring,4 failed"
lab_inodes "$LAB2"
r=$("$NSLAB" exec "$LAB2" r1 ip route get 10.3.0.1)
grep -q 'via 10\.1\.2\.2 dev eth2' <<<"$r" || fail "r1 does not reach h3 through r2: $r"
wait_for 10 "$NSLAB" pingall "$LAB2" && pass "every host of the ring reaches every other one" ||
	fail "pingall of ring,4: $("$NSLAB" pingall "$LAB2" 2>&1)"
expect_rc 0 "down ring" "$NSLAB" down "$LAB2"

# ---- torus,3,3: loops, with STP ----------------------------------------------
new_lab LAB3
expect_rc 0 "up --topo torus,3,3" "$NSLAB" up --topo torus,3,3 --name "$LAB3" || die "up torus,3,3 failed"
lab_inodes "$LAB3"
s=$("$NSLAB" exec "$LAB3" s2x2 ip -d link show br0)
grep -q 'stp_state 1' <<<"$s" || fail "s2x2's bridge has no STP: $s"
wait_for 60 "$NSLAB" pingall "$LAB3" && pass "the torus converges: every host reaches every other one" ||
	fail "pingall of torus,3,3: $("$NSLAB" pingall "$LAB3" 2>&1)"
expect_rc 0 "down torus" "$NSLAB" down "$LAB3"
assert_clean && pass "nothing left"

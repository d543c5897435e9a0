#!/bin/bash
# t-27: the routing labs prove themselves with `nslab run` (topologies/
# routing/, README.md "Tests: nslab run in CI"): OSPF with BIRD, eBGP with
# FRR and the static classroom lab pass all their steps and leave nothing;
# the OSPF lab with one router in the wrong area fails with exit 1 and the
# convergence check reported as not ok.  The convergence times the runner
# measured are printed.  Skips a lab whose daemon is not installed.
. "$(dirname "$0")/lib.sh"

conv() { # the "passed after" figures of a run's output, for the log
	sed -n 's/^ok \([0-9]*\) - \(.*\) (passed after \([0-9.]* s\).*/\3  \2/p' <<<"$1" | head -n 12
}

ran=0
for lab in ospf-bird bgp-frr static-classroom; do
	case $lab in
	ospf-bird) need=bird ;;
	bgp-frr) need=/usr/lib/frr/frrinit.sh ;;
	static-classroom) need=nft ;;
	esac
	if ! command -v "$need" > /dev/null && [ ! -x "$need" ]; then
		diag "$lab: $need is not installed: skipped (tools/install-deps installs it)"
		continue
	fi
	f=$(example_copy "topologies/routing/$lab.xml")
	t0=$(now)
	expect_rc 0 "run routing/$lab.xml" "$NSLAB" run "$f" ||
		diag "$lab: $(grep -v '^ok ' <<<"$OUT" | head -c 3000)"
	diag "$lab: $(tail -n 1 <<<"$OUT") in $(awk -v a="$t0" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }') s"
	while IFS= read -r l; do diag "  $l"; done < <(conv "$OUT")
	grep -qE '^[1-9][0-9]* passed, 0 failed$' <<<"$OUT" || fail "$lab: no passing summary"
	assert_clean && pass "$lab leaves nothing"
	ran=$((ran + 1))
done

if command -v bird > /dev/null; then
	f=$T/wrong-area.xml
	sed "0,/<lab name=\"[^\"]*\"/s//<lab name=\"$LAB\"/" tests/data/routing/ospf-wrong-area.xml > "$f"
	expect_rc 1 "run of the wrong-area OSPF lab" "$NSLAB" run "$f"
	grep -q '^not ok 1 - OSPF converges: r1 learns the three other LANs (expected exit status 0, saw 1 (still failing after 12s' <<<"$OUT" &&
		pass "the convergence check is not ok, with its timeout" ||
		fail "wrong-area: no 'not ok 1' line for the convergence check: $OUT"
	grep -q '^ok 2 - r1 is fully adjacent to r2 and r4' <<<"$OUT" || fail "wrong-area: step 2 should pass: $OUT"
	grep -q '^2 passed, 3 failed$' <<<"$OUT" && pass "2 passed, 3 failed" || fail "wrong-area summary: $(tail -n 1 <<<"$OUT")"
	assert_clean && pass "a failing routing lab leaves nothing"
	ran=$((ran + 1))
fi
[ $ran -gt 0 ] || skip "neither bird2, frr nor nftables is installed"
exit 0

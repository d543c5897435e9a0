#!/bin/bash
# t-26: nslab pingall NAME (README.md, "Commands"): Mininet's matrix, one
# line per host, X for each pair that got no answer, the results line, and
# exit 0 only when every pair answered.  One host cut off shows up as X in
# its own line and in every other line, nowhere else.
. "$(dirname "$0")/lib.sh"

n=12
f=$T/star.xml
"$top/tools/bench/gen-lab" -n "$LAB" single $n > "$f" || die "gen-lab failed"
expect_rc 0 "up single $n" "$NSLAB" up "$f" || die "up failed"
lab_inodes "$LAB"

expect_rc 0 "pingall" "$NSLAB" pingall "$LAB"
lines=$(grep -c -- ' -> ' <<<"$OUT")
[ "$lines" = $n ] && pass "$n matrix lines" || fail "$lines matrix lines, not $n: $OUT"
grep -q "^h1 -> h2 h3 h4 h5 h6 h7 h8 h9 h10 h11 h12$" <<<"$OUT" && pass "h1's line names every other host" ||
	fail "h1's line: $(grep '^h1 ' <<<"$OUT")"
grep -q "X" <<<"$OUT" && fail "a miss in a working lab: $OUT"
pairs=$((n * (n - 1)))
grep -qx "\*\*\* Results: 0% dropped ($pairs/$pairs received)" <<<"$OUT" && pass "results line" ||
	fail "results line: $(tail -1 <<<"$OUT")"

expect_rc 0 "pingall --count 3" "$NSLAB" pingall "$LAB" --count 3
grep -qx "\*\*\* Results: 0% dropped ($((pairs * 3))/$((pairs * 3)) received)" <<<"$OUT" && pass "--count 3 sends 3 per pair" ||
	fail "--count 3: $(tail -1 <<<"$OUT")"

# cut h5 off: its line is all X, every other line has one X (in h5's place)
ip -n "$LAB.h5" link set eth0 down || die "cannot set h5's eth0 down"
expect_rc 1 "pingall with h5 cut off" "$NSLAB" pingall "$LAB"
grep -qx "h5 -> X X X X X X X X X X X" <<<"$OUT" && pass "h5's line is all misses" || fail "h5's line: $(grep '^h5 ' <<<"$OUT")"
grep -qx "h1 -> h2 h3 h4 X h6 h7 h8 h9 h10 h11 h12" <<<"$OUT" && pass "h1 misses only h5" || fail "h1's line: $(grep '^h1 ' <<<"$OUT")"
bad=$(( (n - 1) * 2 ))
grep -qx "\*\*\* Results: $((100 * bad / pairs))% dropped ($((pairs - bad))/$pairs received)" <<<"$OUT" && pass "results count $bad misses" ||
	fail "results line with h5 cut off: $(tail -1 <<<"$OUT")"
ip -n "$LAB.h5" link set eth0 up

expect_rc 2 "pingall of no lab" "$NSLAB" pingall "nosuchlab$$"
expect_rc 2 "pingall --count 0" "$NSLAB" pingall "$LAB" --count 0
grep -q -- '--count "0"' <<<"$ERR" && pass "--count 0 is named" || fail "--count 0: $ERR"
expect_rc 0 "down" "$NSLAB" down "$LAB"
exit 0

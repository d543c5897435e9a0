#!/bin/bash
# t-25: nslab test and nslab run execute <tests> (topologies/README.md,
# "Tests"; README.md, "Tests: `nslab run` in CI"): every step kind in a passing and a
# failing variant, with the exact ok / not ok line and the exit status;
# retried checks report how long they took; link-down is seen in the data
# path; --tap is valid TAP 13 (parsed by Perl's TAP::Parser); --junit is
# valid XML with the right counts (xmllint); Ctrl-C in the middle of run
# ends it with 130 and leaves nothing.
. "$(dirname "$0")/lib.sh"
have_iperf=1
command -v iperf3 > /dev/null || have_iperf=0

# h1 -- r1 -- h2, gateway auto: h1 10.0.0.2, h2 10.0.0.6 (two /30s)
lab() { # lab NAME STEPS...
	lab_xml "$1" <<X
<lab name="$LAB">
  <router name="r1"/>
  <host name="h1" gateway="auto"/>
  <host name="h2" gateway="auto"/>
  <link a="r1" b="h1"/>
  <link a="r1" b="h2"/>
  <tests>
$2
  </tests>
</lab>
X
}

# line N of the report must start with WANT ("ok 3 - NAME" or "not ok ...")
has_line() { # has_line TEXT WANT
	grep -qF -- "$2" <<<"$1" && pass "$2" || fail "no line '$2' in: $(head -c 3000 <<<"$1")"
}

iperf_ok='<iperf from="h1" to="h2" time="1s" min="1mbit" name="iperf h1 to h2"/>'
iperf_bad='<iperf from="h1" to="h2" time="1s" min="100gbit" name="iperf too fast"/>'
[ $have_iperf = 1 ] || { iperf_ok='<sleep for="10ms" name="iperf h1 to h2"/>'; iperf_bad='<exec node="h1" name="iperf too fast">false</exec>'; diag "iperf3 missing: iperf steps replaced"; }

# ---- passing: one step of each kind -------------------------------------
good=$(lab good "
    <ping from=\"h1\" to=\"h2\" count=\"2\"/>
    <ping from=\"h1\" to=\"10.0.0.99\" expect=\"fail\" count=\"1\"/>
    <pingall/>
    <run node=\"h1\" expect=\"default via 10\\.0\\.0\\.1\">ip route</run>
    <run node=\"h1\" status=\"3\" reject=\"nothing\">echo something; exit 3</run>
    $iperf_ok
    <exec node=\"h2\">test -d /run</exec>
    <link-down a=\"r1\" b=\"h2\"/>
    <ping from=\"h1\" to=\"h2\" expect=\"fail\" count=\"1\" name=\"h2 is cut off\"/>
    <link-up a=\"h2\" b=\"r1\"/>
    <ping from=\"h1\" to=\"h2\" timeout=\"10s\" name=\"h2 is back\"/>
    <link-set a=\"r1\" b=\"h1\" rate=\"5mbit\"/>
    <run node=\"r1\" expect=\"tbf\">tc qdisc show dev eth0</run>
    <link-set a=\"r1\" b=\"h1\" rate=\"none\"/>
    <run node=\"r1\" reject=\"tbf\" name=\"rate removed\">tc qdisc show dev eth0</run>
    <link-flap a=\"r1\" b=\"h2\" down=\"200ms\" up=\"200ms\" count=\"2\"/>
    <ping from=\"h2\" to=\"h1\" timeout=\"10s\"/>
    <sleep for=\"100ms\"/>
    <run node=\"h1\" timeout=\"10s\" name=\"third try\">[ -e /tmp/n2 ] &amp;&amp; exit 0; [ -e /tmp/n1 ] &amp;&amp; touch /tmp/n2; touch /tmp/n1; exit 1</run>
")
expect_rc 0 "run (all steps pass)" "$NSLAB" run "$good" --junit "$T/good-junit.xml"
has_line "$OUT" "ok 1 - h1 reaches h2 (2/2 replies from 10.0.0.6"
has_line "$OUT" "ok 2 - h1 cannot reach 10.0.0.99 (no reply from 10.0.0.99"
has_line "$OUT" "ok 3 - every host reaches every other one (2 pairs answered)"
has_line "$OUT" "ok 4 - h1: ip route (status 0, matched: default via 10.0.0.1"
has_line "$OUT" "ok 5 - h1: echo something; exit 3 (status 3)"
has_line "$OUT" "ok 6 - iperf h1 to h2 ("
has_line "$OUT" "ok 7 - h2: test -d /run (status 0)"
has_line "$OUT" "ok 8 - link r1 -- h2 down (both ends down)"
has_line "$OUT" "ok 9 - h2 is cut off (no reply"
has_line "$OUT" "ok 10 - link h2 -- r1 up (both ends up)"
has_line "$OUT" "ok 11 - h2 is back ("
has_line "$OUT" "ok 12 - link r1 -- h1 set rate=5mbit (both ways)"
has_line "$OUT" "ok 13 - r1: tc qdisc show dev eth0 (status 0, matched: qdisc tbf"
has_line "$OUT" "ok 14 - link r1 -- h1 set rate=none"
has_line "$OUT" "ok 15 - rate removed (status 0)"
has_line "$OUT" "ok 16 - link r1 -- h2 flaps 2 times (down 200ms, up 200ms) (2 times down and up)"
has_line "$OUT" "ok 17 - h2 reaches h1 ("
has_line "$OUT" "ok 18 - sleep 100ms (slept 100ms)"
has_line "$OUT" "ok 19 - third try (passed after "
has_line "$OUT" "19 passed, 0 failed"
# the retried check took two retries of about 0.5 s: 0.9 to 3 s
after=$(sed -n 's/^ok 19 - third try (passed after \([0-9.]*\) s.*/\1/p' <<<"$OUT")
awk -v a="${after:-0}" 'BEGIN { exit !(a >= 0.9 && a < 3) }' && pass "third try passed after $after s" ||
	fail "third try: 'passed after' is '$after', not 0.9..3 s"
assert_clean && pass "run leaves nothing"

# JUnit: valid XML, 19 test cases, no failures, the retried check's time
if command -v xmllint > /dev/null; then
	xmllint --noout "$T/good-junit.xml" && pass "JUnit is well-formed" || fail "JUnit is not well-formed"
	n=$(xmllint --xpath 'count(//testcase)' "$T/good-junit.xml")
	f=$(xmllint --xpath 'string(/testsuites/testsuite/@failures)' "$T/good-junit.xml")
	t=$(xmllint --xpath 'string(//testcase[@name="third try"]/@time)' "$T/good-junit.xml")
	[ "$n" = 19 ] && [ "$f" = 0 ] && pass "JUnit: 19 cases, 0 failures" || fail "JUnit: $n cases, $f failures"
	awk -v a="$t" -v b="$after" 'BEGIN { d = a - b; exit !(d > -0.06 && d < 0.06) }' &&
		pass "JUnit time of the retried check is its time to pass ($t s)" ||
		fail "JUnit time of 'third try' is '$t', the report said $after s"
else
	fail "xmllint is not installed (tools/install-deps installs libxml2-utils)"
fi

# ---- failing: each check kind fails, with what was expected and seen ----
bad=$(lab bad "
    <ping from=\"h1\" to=\"10.0.0.99\" count=\"1\"/>
    <ping from=\"h1\" to=\"h2\" expect=\"fail\" count=\"1\"/>
    <run node=\"h1\" expect=\"nowhere\">ip route</run>
    <run node=\"h1\" reject=\"default\">ip route</run>
    <run node=\"h1\">exit 4</run>
    <exec node=\"h1\" name=\"exec fails\">false</exec>
    $iperf_bad
    <link-down a=\"r1\" b=\"h2\"/>
    <pingall/>
    <run node=\"h1\" timeout=\"1200ms\" name=\"never\">false</run>
    <ping from=\"h1\" to=\"h1\" count=\"1\" name=\"last step still runs\"/>
")
expect_rc 1 "run (every check fails)" "$NSLAB" run "$bad" --junit "$T/bad-junit.xml"
has_line "$OUT" "not ok 1 - h1 reaches 10.0.0.99 (expected replies from 10.0.0.99, got none of 1)"
has_line "$OUT" "not ok 2 - h1 cannot reach h2 (expected no reply from 10.0.0.6, got 1 of 1)"
has_line "$OUT" "not ok 3 - h1: ip route (expected output matching \"nowhere\", saw: default via 10.0.0.1"
has_line "$OUT" "not ok 4 - h1: ip route (expected no output matching \"default\", saw: default via 10.0.0.1"
has_line "$OUT" "not ok 5 - h1: exit 4 (expected exit status 0, saw 4)"
has_line "$OUT" "not ok 6 - exec fails (expected exit status 0, saw 1)"
has_line "$OUT" "not ok 7 - iperf too fast ("
has_line "$OUT" "ok 8 - link r1 -- h2 down"
has_line "$OUT" "not ok 9 - every host reaches every other one (expected all 2 pairs to answer, 2 did not: h1 -> h2, h2 -> h1)"
# tries at 0, 0.5, 1.0 and 1.2 s (the deadline) when each is quick; under
# an emulated CPU a try of `false` in a node can end after 1.2 s, so the
# third is the last (seen on 6.1 under TCG)
if [ "${E2E_EMULATED:-0}" = 1 ] && ! grep -qF "1200ms, 4 tries))" <<<"$OUT"; then
	has_line "$OUT" "not ok 10 - never (expected exit status 0, saw 1 (still failing after 1200ms, 3 tries))"
else
	has_line "$OUT" "not ok 10 - never (expected exit status 0, saw 1 (still failing after 1200ms, 4 tries))"
fi
has_line "$OUT" "ok 11 - last step still runs"
has_line "$OUT" "2 passed, 9 failed"
assert_clean && pass "a failing run leaves nothing"
if command -v xmllint > /dev/null; then
	n=$(xmllint --xpath 'count(//testcase/failure)' "$T/bad-junit.xml")
	[ "$n" = 9 ] && pass "JUnit: 9 failures" || fail "JUnit: $n failures, expected 9"
fi

# ---- TAP ------------------------------------------------------------------
expect_rc 1 "run --tap" "$NSLAB" run "$bad" --tap
printf '%s\n' "$OUT" > "$T/bad.tap"
head -2 "$T/bad.tap" | tr '\n' ' ' | grep -q '^TAP version 13 1\.\.11 $' && pass "TAP header and plan" ||
	fail "TAP starts with: $(head -2 "$T/bad.tap")"
perl -MTAP::Parser -e '
	my $p = TAP::Parser->new({ source => $ARGV[0] });
	while (my $r = $p->next) {}
	my @e = $p->parse_errors;
	print "errors: @e\n" if @e;
	printf "version=%s planned=%d run=%d passed=%d failed=%d\n", $p->version,
		$p->tests_planned, $p->tests_run, scalar($p->passed), scalar($p->failed);
	exit(@e ? 1 : 0);' "$T/bad.tap" > "$T/tap.out" 2>&1 && pass "TAP::Parser reads it: $(cat "$T/tap.out")" ||
	fail "TAP::Parser: $(cat "$T/tap.out")"
grep -q 'version=13 planned=11 run=11 passed=2 failed=9' "$T/tap.out" || fail "TAP counts: $(cat "$T/tap.out")"
assert_clean

# ---- nslab test against a running lab --------------------------------------
expect_rc 0 "up" "$NSLAB" up "$good" || die "up failed"
expect_rc 0 "test" "$NSLAB" test "$LAB"
has_line "$OUT" "19 passed, 0 failed"
expect_rc 2 "test of no lab" "$NSLAB" test "nosuchlab$$"
grep -q "no such lab" <<<"$ERR" && pass "test names the missing lab" || fail "test of no lab: $ERR"
expect_rc 2 "test with a stray argument" "$NSLAB" test "$LAB" extra
expect_rc 0 "down" "$NSLAB" down "$LAB"
assert_clean

# ---- Ctrl-C in the middle of run -------------------------------------------
slow=$(lab slow '<ping from="h1" to="h2" count="1"/>
    <sleep for="30s"/>
    <ping from="h1" to="h2" count="1" name="never reached"/>')
set -m
"$NSLAB" run "$slow" > "$T/slow.out" 2>&1 &
pid=$!
set +m
track_pid $pid
wait_for 10 grep -q '^ok 1 ' "$T/slow.out" || fail "run did not get to its first step: $(cat "$T/slow.out")"
kill -INT $pid
wait $pid
rc=$?
[ $rc = 130 ] && pass "run interrupted by SIGINT exits 130" || fail "run after SIGINT exited $rc: $(cat "$T/slow.out")"
grep -q "never reached" "$T/slow.out" && fail "a step after the interruption ran"
assert_clean && pass "interrupted run leaves nothing"
exit 0

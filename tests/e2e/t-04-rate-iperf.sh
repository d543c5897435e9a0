#!/bin/bash
# t-04: rate= is a TBF that iperf3 (TCP) measures within 10% of the limit, at
# 10 Mbit/s and at 100 Mbit/s (topologies/README.md, "Shaping").  Skips
# without iperf3.  Under emulation (E2E_EMULATED=1, set by tests/vm/matrix) the
# guest's CPU may not reach 100 Mbit/s: there only the cap is checked (at most
# 10% over) and at least half the rate; the 10% precision is the host's test.
. "$(dirname "$0")/lib.sh"
command -v iperf3 > /dev/null || skip "iperf3 is not installed"

f=$(lab_xml rate <<X
<lab name="$LAB">
  <host name="h1"/>
  <host name="h2"><start background="yes">exec iperf3 -s -p 5201</start></host>
  <host name="h3"/>
  <host name="h4"><start background="yes">exec iperf3 -s -p 5201</start></host>
  <link a="h1" b="h2" rate="10mbit"/>
  <link a="h3" b="h4" rate="100mbit"/>
</lab>
X
)
expect_rc 0 "up" "$NSLAB" up "$f" || die "up failed"
lab_inodes "$LAB"
# topologies/README.md, "Automatic addresses": two p2p segments, /30 each: h1
# .1 h2 .2, h3 .5 h4 .6
listening() { ip netns exec "$LAB.$1" ss -Hltn 'sport = :5201' | grep -q LISTEN; }

measure() { # measure CLIENT SERVER-NODE ADDR RATE_BPS
	local c=$1 s=$2 addr=$3 want=$4 got
	wait_for 5 listening "$s" || { fail "iperf3 server in $s is not listening"; return; }
	"$NSLAB" exec "$LAB" "$c" iperf3 -c "$addr" -p 5201 -t 3 -J > "$T/iperf-$c.json" 2> "$T/iperf-$c.err" ||
		{ fail "iperf3 $c -> $addr failed: $(head -c 300 "$T/iperf-$c.err") $(grep -m1 error "$T/iperf-$c.json")"; return; }
	got=$(python3 -c 'import json,sys; print(int(json.load(open(sys.argv[1]))["end"]["sum_received"]["bits_per_second"]))' "$T/iperf-$c.json") ||
		{ fail "cannot read iperf3's JSON"; return; }
	diag "$c -> $s at rate $((want / 1000000)) Mbit/s: received $(awk -v g="$got" 'BEGIN { printf "%.2f", g / 1e6 }') Mbit/s"
	local low=$((want * 9 / 10)) what="within 10% of"
	[ "${E2E_EMULATED:-0}" = 1 ] && low=$((want / 2)) what="(emulated CPU) at most 10% over and at least half of"
	if [ "$got" -ge "$low" ] && [ "$got" -le $((want * 11 / 10)) ]; then
		pass "$what $want bit/s"
	else
		fail "$c -> $s: $got bit/s is not $what $want bit/s"
	fi
}
measure h1 h2 10.0.0.2 10000000
measure h3 h4 10.0.0.6 100000000

expect_rc 0 "down" "$NSLAB" down "$LAB"
exit 0

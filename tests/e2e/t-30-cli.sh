#!/bin/bash
# t-30: nslab cli NAME (README.md, "The console"), scripted through a pipe
# on up --topo single,3:
#   NODE CMD runs in the node with node names replaced by addresses (a
#   ping of h2 reaches 10.0.0.2), and the console exits with the status of
#   the last command; nodes, net, intfs, dump and links show what the lab
#   has (checked against the kernel inside the nodes); pingall; link
#   down cuts h2 off (links shows it DOWN, a ping fails) and up restores
#   it; sh, source (comments, blank lines, nesting, exit inside), -c,
#   unknown commands and nodes (status 2), px; iperf measures; commands
#   get /dev/null as stdin; SIGINT sent to the console while a command
#   runs stops the command, not the console.
. "$(dirname "$0")/lib.sh"

CL=cli$$
track_lab "$CL"
expect_rc 0 "up --topo single,3" "$NSLAB" up --topo single,3 --name "$CL" || die "up failed"
lab_inodes "$CL"

# cli_rc N MSG LINES: a session fed LINES (printf format) must exit N
cli_rc() {
	local want=$1 msg=$2
	shift 2
	# shellcheck disable=SC2059
	printf "$@" > "$T/session"
	expect_rc "$want" "$msg" "$NSLAB" cli "$CL" < "$T/session"
}

# ---- NODE CMD, substitution, exit status ------------------------------------
cli_rc 0 "h1 ping -c1 -W2 h2" 'h1 ping -c1 -W2 h2\n'
grep -q '^PING 10\.0\.0\.2 ' <<<"$OUT" && pass "h2 became 10.0.0.2" || fail "ping output: $OUT"
grep -q ' 1 received' <<<"$OUT" || fail "no reply from h2: $OUT"
cli_rc 0 "echo with node names" 'h1 echo h2 h3 s1 "h2" h22 h2x\n'
[ "$OUT" = "10.0.0.2 10.0.0.3 s1 h2 h22 h2x" ] && pass "whole unquoted names of nodes with an address are replaced" ||
	fail "echo h2 h3 s1 \"h2\" h22 h2x printed: $OUT"
cli_rc 0 "the command word is not replaced" 'h2 hostname\n'
[ "$OUT" = h2 ] || fail "h2 hostname printed: $OUT"
cli_rc 1 "a session ending with a failing command" 'h1 true\nh1 false\n'
cli_rc 7 "the status of the last command" 'h1 true\nh1 sh -c "exit 7"\n'
cli_rc 0 "a failure followed by a success" 'h1 false\nh1 true\n'
cli_rc 5 "exit 5" 'h1 true\nexit 5\nh1 false\n'
cli_rc 1 "exit keeps the last status" 'h1 false\nexit\nh1 true\n'
cli_rc 127 "a command not found in the node" 'h1 no-such-command-here\n'
cli_rc 0 "blank lines and comments" '\n   \n# h1 false\nh1 true # and a comment\n\n'
cli_rc 0 "output in order" 'sh echo one\nh1 echo two\nsh echo three\nh3 echo four\n'
[ "$OUT" = $'one\ntwo\nthree\nfour' ] && pass "outputs in the order of the lines" || fail "output order: $OUT"
cli_rc 0 "commands get /dev/null as stdin" 'h1 cat\nsh echo still here\n'
[ "$OUT" = "still here" ] || fail "h1 cat ate the script, or printed: $OUT"
expect_rc 0 "-c LINE" "$NSLAB" cli "$CL" -c 'h3 ip -4 -o addr show dev eth0'
grep -q ' 10\.0\.0\.3/8 ' <<<"$OUT" || fail "-c 'h3 ip addr': $OUT"
expect_rc 3 "-c LINE's status" "$NSLAB" cli "$CL" -c 'sh exit 3'

# ---- errors -----------------------------------------------------------------
cli_rc 2 "unknown command" 'h1 true\nfrobnicate now\n'
grep -q '"frobnicate" is neither a command nor a node' <<<"$ERR" && pass "the unknown command is named" ||
	fail "unknown command says: $ERR"
cli_rc 2 "unknown node" 'h9 true\n'
grep -q '"h9"' <<<"$ERR" || fail "unknown node says: $ERR"
cli_rc 2 "iperf with an unknown node" 'iperf h1 h9\n'
grep -q "no node 'h9'" <<<"$ERR" || fail "iperf h1 h9 says: $ERR"
cli_rc 2 "unterminated quote" "h1 echo 'open\\n"
grep -q 'unterminated single quote' <<<"$ERR" || fail "unterminated quote says: $ERR"
cli_rc 2 "px" 'px print(1)\n'
grep -q 'px: not supported in nslab (no Python)' <<<"$ERR" || fail "px says: $ERR"
cli_rc 2 "link with too few arguments" 'link s1\n'
expect_rc 2 "cli of no lab" "$NSLAB" cli "nosuch$$"
grep -q "no such lab" <<<"$ERR" || fail "cli of no lab says: $ERR"
expect_rc 2 "cli with a bad argument" "$NSLAB" cli "$CL" extra

# ---- what the lab has ---------------------------------------------------------
cli_rc 0 "nodes" 'nodes\n'
[ "$OUT" = $'available nodes are: \nh1 h2 h3 s1' ] || fail "nodes printed: $OUT"
cli_rc 0 "net" 'net\n'
want=$'h1 h1-eth0:s1-eth1\nh2 h2-eth0:s1-eth2\nh3 h3-eth0:s1-eth3\ns1 s1-eth1:h1-eth0 s1-eth2:h2-eth0 s1-eth3:h3-eth0'
[ "$OUT" = "$want" ] || fail "net printed: $OUT"
cli_rc 0 "intfs" 'intfs\n'
for n in h1 h2 h3 s1; do
	shown=$(sed -n "s/^$n: //p" <<<"$OUT" | tr ',' '\n' | sed "s/^$n-//" | sort | tr '\n' ' ')
	real=$("$NSLAB" exec "$CL" "$n" ls /sys/class/net | grep -vxE 'lo|br0' | sort | tr '\n' ' ')
	[ -n "$shown" ] && [ "$shown" = "$real" ] || fail "intfs shows $n with '$shown', the kernel has '$real'"
done
cli_rc 0 "dump" 'dump\n'
for i in 1 2 3; do
	a=$("$NSLAB" exec "$CL" h$i ip -4 -o addr show dev eth0 | awk '{ print $4 }')
	grep -qxF "<host h$i: h$i-eth0:$a netns=/run/netns/$CL.h$i>" <<<"$OUT" ||
		fail "dump's h$i is not h$i-eth0:$a: $OUT"
done
grep -qxF "<switch s1: s1-eth1:None,s1-eth2:None,s1-eth3:None netns=/run/netns/$CL.s1>" <<<"$OUT" ||
	fail "dump's s1: $OUT"
cli_rc 0 "links" 'links\n'
[ "$OUT" = $'h1-eth0<->s1-eth1 (OK OK)\nh2-eth0<->s1-eth2 (OK OK)\nh3-eth0<->s1-eth3 (OK OK)' ] ||
	fail "links printed: $OUT"
cli_rc 0 "pingall" 'pingall\n'
grep -qx '\*\*\* Results: 0% dropped (6/6 received)' <<<"$OUT" || fail "pingall printed: $OUT"

# ---- link down and up -----------------------------------------------------------
cli_rc 1 "link s1 h2 down, then h2 does not answer" 'link s1 h2 down\nlinks\nh1 ping -c1 -W1 h2\n'
grep -qxF 'h2-eth0<->s1-eth2 (DOWN DOWN)' <<<"$OUT" && pass "links shows the cut link DOWN" ||
	fail "links after link down: $OUT"
l=$("$NSLAB" exec "$CL" h2 ip -o link show eth0)
grep -qE '<([A-Z_-]+,)*UP[,>]' <<<"$l" && fail "h2's eth0 is up after link down: $l"
cli_rc 2 "link of an unknown node" 'link s1 h9 down\n'
cli_rc 0 "link s1 h2 up" 'link s1 h2 up\n'
wait_for 5 "$NSLAB" cli "$CL" -c 'h1 ping -c1 -W1 h2' && pass "h2 answers again after link up" ||
	fail "h1 cannot ping h2 after link up"

# ---- sh, source ----------------------------------------------------------------
cli_rc 0 "sh" 'sh echo hi\n'
[ "$OUT" = hi ] || fail "sh echo hi printed: $OUT"
cli_rc 0 "sh takes the rest of the line as written" 'sh echo $((6 * 7)) | tr 4 X\n'
[ "$OUT" = X2 ] || fail "sh with a pipe printed: $OUT"
cat > "$T/inner.cli" <<'EOF'
# nested
sh echo inner
EOF
cat > "$T/script.cli" <<EOF
# a console script

h1 ping -c1 -W2 h3
source $T/inner.cli
sh echo sourced
EOF
cli_rc 0 "source FILE" "source $T/script.cli\\n"
grep -q '^PING 10\.0\.0\.3 ' <<<"$OUT" && grep -qx inner <<<"$OUT" && grep -qx sourced <<<"$OUT" &&
	pass "source ran every line, nested source too" || fail "source printed: $OUT"
printf 'h1 false\n' > "$T/fails.cli"
cli_rc 1 "source's status is its last command's" "source $T/fails.cli\\n"
printf 'exit 4\nsh echo not reached\n' > "$T/exits.cli"
cli_rc 4 "exit in a sourced file ends the console" "source $T/exits.cli\\nsh echo nor this\\n"
[ -z "$OUT" ] || fail "lines after exit ran: $OUT"
cli_rc 2 "source of no file" "source $T/nosuch.cli\\n"
grep -q "nosuch.cli" <<<"$ERR" || fail "source of no file says: $ERR"
cli_rc 0 "help" 'help\nhelp link\n'
grep -q '^usage: link A B up|down|set' <<<"$OUT" || fail "help link: $OUT"
cli_rc 2 "help of no command" 'help nosuch\n'

# ---- iperf ----------------------------------------------------------------------
if command -v iperf3 > /dev/null; then
	cli_rc 0 "iperf h1 h2" 'iperf h1 h2\n'
	grep -qE '^\*\*\* Results: h1 -> h2: received [0-9.]+ [GMk]bit/s$' <<<"$OUT" &&
		pass "iperf reports a bandwidth: $(tail -1 <<<"$OUT")" || fail "iperf printed: $OUT"
else
	diag "iperf3 is not installed: iperf not tested"
fi

# ---- SIGINT to the console while a command runs -----------------------------------
mark=30.$$
printf 'h1 sleep %s\nsh echo after\n' "$mark" | "$NSLAB" cli "$CL" > "$T/int.out" 2>&1 &
cli_pid=$!
track_pid "$cli_pid"
if wait_for 5 pgrep -fx "sleep $mark"; then
	kill -INT "$cli_pid"
	t0=$SECONDS
	wait "$cli_pid"
	rc=$?
	[ "$rc" = 0 ] && grep -qx after "$T/int.out" && ((SECONDS - t0 < 10)) &&
		pass "SIGINT stopped the command, and the console went on" ||
		fail "after SIGINT: exit $rc, output: $(cat "$T/int.out")"
else
	fail "the sleep did not start: $(cat "$T/int.out")"
fi

expect_rc 0 "down" "$NSLAB" down "$CL"
exit 0

#!/bin/bash
# t-10: exec semantics (README.md, "Commands"): the command's status passes
# through (127 not found, 126 not executable, 128+N killed by signal N),
# stdin/stdout pass through, unknown lab or node is exit 2, a signal to nslab
# exec reaches the command.  Prints the median latency of `exec true`.
. "$(dirname "$0")/lib.sh"

f=$(lab_xml ex <<X
<lab name="$LAB">
  <host name="h1"><file path="/etc/e2e-noexec" mode="0644">echo should not run</file></host>
  <host name="h2"/>
  <link a="h1" b="h2"/>
</lab>
X
)
expect_rc 0 "up" "$NSLAB" up "$f" || die "up failed"
lab_inodes "$LAB"

expect_rc 0 "true" "$NSLAB" exec "$LAB" h1 true
expect_rc 1 "false" "$NSLAB" exec "$LAB" h1 false
expect_rc 7 "exit 7 passes through" "$NSLAB" exec "$LAB" h1 sh -c 'exit 7'
expect_rc 7 "exit 7 after --" "$NSLAB" exec "$LAB" h1 -- sh -c 'exit 7'
expect_rc 255 "exit 255 passes through" "$NSLAB" exec "$LAB" h1 sh -c 'exit 255'
expect_rc 127 "command not found is 127" "$NSLAB" exec "$LAB" h1 /no/such/command-e2e
expect_rc 127 "command not in PATH is 127" "$NSLAB" exec "$LAB" h1 no-such-command-e2e
[ -n "$ERR" ] || fail "no message for a command not found"
expect_rc 126 "a file without x bit (mode 0644 <file>) is 126" "$NSLAB" exec "$LAB" h1 /etc/e2e-noexec
"$NSLAB" exec "$LAB" h1 sh -c 'printf "#!/bin/sh\necho hi\n" > /tmp/noexec; chmod 644 /tmp/noexec'
expect_rc 126 "a script without x bit in the node's /tmp is 126" "$NSLAB" exec "$LAB" h1 /tmp/noexec
expect_rc 126 "a directory is 126" "$NSLAB" exec "$LAB" h1 /tmp
expect_rc 143 "killed by TERM is 143" "$NSLAB" exec "$LAB" h1 sh -c 'kill -TERM $$'
expect_rc 137 "killed by KILL is 137" "$NSLAB" exec "$LAB" h1 sh -c 'kill -KILL $$'
expect_rc 130 "killed by INT is 130" "$NSLAB" exec "$LAB" h1 sh -c 'kill -INT $$'

# stdin, stdout, stderr, arguments with spaces
out=$(echo hi | "$NSLAB" exec "$LAB" h1 cat)
[ "$out" = hi ] && pass "stdin passes through" || fail "echo hi | exec cat gave '$out'"
out=$(head -c 1000000 /dev/zero | "$NSLAB" exec "$LAB" h1 wc -c)
[ "$out" = 1000000 ] || fail "1 MB through stdin gave '$out'"
out=$("$NSLAB" exec "$LAB" h1 sh -c 'echo to-err >&2' 2>&1 > /dev/null)
[ "$out" = to-err ] || fail "stderr: '$out'"
out=$("$NSLAB" exec "$LAB" h1 printf '[%s]' 'a b' '' "c'd")
[ "$out" = "[a b][][c'd]" ] || fail "arguments: '$out'"
out=$("$NSLAB" exec "$LAB" h1 sh -c 'cat; echo done' < /dev/null)
[ "$out" = "done" ] || fail "EOF on stdin: '$out'"
[ "$("$NSLAB" exec "$LAB" h1 pwd)" = "$PWD" ] || diag "note: exec does not keep the caller's working directory ($("$NSLAB" exec "$LAB" h1 pwd))"

# unknown lab, unknown node, no command
expect_rc 2 "unknown lab" "$NSLAB" exec "nosuchlab$$" h1 true
[[ "$ERR" == nslab:* ]] || fail "unknown lab: message '$ERR'"
expect_rc 2 "unknown node" "$NSLAB" exec "$LAB" h9 true
[[ "$ERR" == *h9* ]] || fail "the message does not name h9: $ERR"
expect_rc 2 "no command" "$NSLAB" exec "$LAB" h1

# a signal to nslab exec reaches the command
for sig in INT TERM; do
	set -m # a job of its own, with INT not ignored
	"$NSLAB" exec "$LAB" h1 sleep 31 &
	pid=$!
	set +m
	track_pid $pid
	wait_for 3 eval "pids_in_netns $(stat -L -c %i /run/netns/$LAB.h1) | grep -q ." || fail "sleep 31 did not start in h1"
	t0=$(now)
	kill -$sig $pid
	wait $pid
	rc=$?
	secs=$(awk -v a="$t0" -v b="$(now)" 'BEGIN { printf "%.2f", b - a }')
	want=$((128 + $(kill -l $sig)))
	[ "$rc" = "$want" ] && pass "SIG$sig to nslab exec: status $rc in $secs s" || fail "SIG$sig to nslab exec: status $rc, expected $want"
	awk -v s="$secs" 'BEGIN { exit !(s < 2) }' || fail "nslab exec took $secs s to end after SIG$sig"
	wait_for 3 eval "! ps -eo stat=,args= | grep -v '^Z' | grep -q ' sleep 31$'" || fail "sleep 31 survived SIG$sig to nslab exec"
done

# shell: a script piped in runs inside the node, exit status passed back
out=$(printf 'hostname; echo "$NSLAB_LAB/$NSLAB_NODE"; exit 5\n' | "$NSLAB" shell "$LAB" h1 2>&1)
rc=$?
[ "$rc" = 5 ] && pass "shell exit status 5" || fail "shell exited $rc, expected 5 ($out)"
[ "$out" = "h1
$LAB/h1" ] && pass "shell runs in h1" || fail "shell printed: $out"
# on a terminal the prompt names the lab and node
if command -v script > /dev/null; then
	out=$(printf 'exit\n' | SHELL=/bin/bash script -qc "$NSLAB shell $LAB h2" /dev/null 2>&1)
	grep -qF "[$LAB.h2]" <<<"$out" && pass "the shell prompt names $LAB.h2" ||
		fail "no [$LAB.h2] prompt in: $(head -c 300 <<<"$out")"
fi

# latency (never asserted: core/README.md, "Speed": make bench measures it)
for i in $(seq 1 41); do
	a=$(now); "$NSLAB" exec "$LAB" h1 true; b=$(now)
	awk -v a="$a" -v b="$b" 'BEGIN { printf "%.3f\n", (b - a) * 1000 }'
done | sort -n > "$T/lat"
diag "exec true latency: median $(sed -n 21p "$T/lat") ms, min $(head -1 "$T/lat") ms, max $(tail -1 "$T/lat") ms (41 runs, includes fork of date)"

expect_rc 0 "down" "$NSLAB" down "$LAB"
expect_rc 2 "exec after down" "$NSLAB" exec "$LAB" h1 true
exit 0

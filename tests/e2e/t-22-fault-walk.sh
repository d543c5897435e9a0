#!/bin/bash
# t-22: every operation of up can fail, and up still leaves nothing
# (README.md "Testing nslab itself", core/fault.h).  NSLAB_FAIL_AT=list
# counts the injectable operations of up for a lab with a switch, a shaped
# link, a link through the impairment engine, node files on /etc, /run and /shared, and foreground and background
# start commands: M of them.  Then, for EVERY N from 1 to M, up with
# NSLAB_FAIL_AT=N must exit 3, say the injected errno, name the failing
# object (the lab or a node, beyond the file's path; and the kind of
# object: a link, a namespace, a mount, a file, a process), and leave
# nothing: no lab dir, no /run/netns entries, no holder, no daemon, no
# namespace, no mount (assert_clean).  Start commands must not inherit
# NSLAB_FAIL_AT, and a malformed value is said and ignored.
# A start command that could not be started (its fork refused) is the
# system refusing, exit 3; exit 1 is for a command that ran and failed
# (t-07).
. "$(dirname "$0")/lib.sh"

nap=86$$ # the background command's sleep, unique to this test
f=$(lab_xml walk <<X
<lab name="$LAB">
  <switch name="sw"/>
  <host name="alpha">
    <file path="/etc/walk.conf">conf of alpha</file>
    <file path="/run/walk/token" mode="0600">token</file>
    <start>test -e /etc/walk.conf &amp;&amp; test -z "\${NSLAB_FAIL_AT+set}"</start>
    <start background="yes">exec sleep $nap</start>
  </host>
  <host name="beta">
    <file path="/shared/walk-shared">shared</file>
    <start>true</start>
  </host>
  <host name="gamma"/>
  <link a="alpha" b="sw" rate="10mbit"/>
  <link a="beta" b="sw"/>
  <link a="gamma" b="sw" delay="1ms" impairments="engine"/>
</lab>
X
)
lacks=$(kernel_lacks "$f" up)
[ -n "$lacks" ] && skip "this kernel lacks $lacks"

# --- the count --------------------------------------------------------------
NSLAB_FAIL_AT=list "$NSLAB" up "$f" > /dev/null 2> "$T/list" || die "up with NSLAB_FAIL_AT=list failed: $(cat "$T/list")"
lab_inodes "$LAB"
M=$(sed -n 's/^nslab: fault points: \([0-9]*\)$/\1/p' "$T/list")
[[ "$M" =~ ^[0-9]+$ ]] || die "no 'fault points: M' line: $(tail -n 3 "$T/list")"
declare -A kind
while read -r n k; do kind[$n]=$k; done < <(sed -n 's/^nslab: fault point \([0-9]*\): \(.*\)$/\1 \2/p' "$T/list")
[ "${#kind[@]}" = "$M" ] || fail "$M fault points, but ${#kind[@]} listed"
for k in netlink ns fork mount write holder; do
	c=$(grep -c ": $k\$" "$T/list")
	[ "$c" -gt 0 ] || fail "no '$k' operation among the $M of up"
	diag "$k: $c"
done
# 4 nodes, 3 links: at least the namespaces, 3 veths, 3 files, 3 starts
[ "$M" -ge 40 ] || fail "only $M injectable operations in up"
# nor does a command run by exec (whose environment is made before its
# first counted operation)
expect_rc 0 "exec does not pass NSLAB_FAIL_AT on" env NSLAB_FAIL_AT=999 "$NSLAB" exec "$LAB" alpha \
	sh -c 'test -z "${NSLAB_FAIL_AT+set}"'
expect_rc 0 "down after the counting up" "$NSLAB" down "$LAB"
assert_clean || die "not clean after the counting up"

# the count is all there is: a fault past it is never reached
expect_rc 0 "NSLAB_FAIL_AT=$((M + 1)) is past every operation" env NSLAB_FAIL_AT=$((M + 1)) "$NSLAB" up "$f"
expect_rc 0 "down" "$NSLAB" down "$LAB"

# a value that is not N[:ERRNO] or list is said and ignored
expect_rc 0 "NSLAB_FAIL_AT=3:EBOGUS is ignored" env NSLAB_FAIL_AT=3:EBOGUS "$NSLAB" up "$f"
[[ "$ERR" == *"NSLAB_FAIL_AT=3:EBOGUS ignored"* ]] || fail "no word about the ignored NSLAB_FAIL_AT: $ERR"
expect_rc 0 "down" "$NSLAB" down "$LAB"

# --- the walk ---------------------------------------------------------------
errs=(ENOSPC EIO 12)
texts=("No space left on device" "Input/output error" "Cannot allocate memory")
names="$LAB|alpha|beta|gamma|sw"
bad=0
t0=$(now)
for ((n = 1; n <= M; n++)); do
	e=$((n % 3))
	k=${kind[$n]}
	NSLAB_FAIL_AT=$n:${errs[$e]} "$NSLAB" up "$f" > /dev/null 2> "$T/err"
	rc=$?
	ERR=$(cat "$T/err")
	what="N=$n ($k, ${errs[$e]})"
	ok=1
	[ "$rc" = 3 ] || { fail "$what: up exited $rc, expected 3: $ERR"; ok=0; }
	[[ "$ERR" == *"${texts[$e]}"* ]] || { fail "$what: the message does not say '${texts[$e]}': $ERR"; ok=0; }
	# the object, beyond the lab file's own path (which holds the lab's name)
	msg=${ERR//"$f"/FILE}
	grep -qwE "$names" <<<"$msg" || { fail "$what: the message names neither the lab nor a node: $ERR"; ok=0; }
	case $k in
	netlink) obj='link|bridge|interface|address|route|qdisc' ;;
	ns) obj='namespace|probe' ;;	# the first: the qdisc probe's own
	fork) obj='start the holder|\(fork\)' ;;
	mount) obj='files tree|mount|bind|attach' ;;
	holder) obj='namespace|mount|bind|attach|/sys' ;;
	write) obj='nodes\.tab|state directory|sysctl|/etc/|/run/|/shared/' ;;
	*) obj='^$' ;;
	esac
	grep -qE "$obj" <<<"$msg" || { fail "$what: the message does not name the $k object ($obj): $ERR"; ok=0; }
	[ "$(grep -c . <<<"$ERR")" = 1 ] || { fail "$what: not one line of message: $ERR"; ok=0; }
	# nothing left; a leak is repaired so the walk goes on
	left=$( { ls -d "/run/nslab/$LAB" "/run/netns/$LAB".* 2> /dev/null
		ps -eo args= | grep -E "^(nslab: lab $LAB|sleep $nap)\$"; } )
	if [ -n "$left" ]; then
		fail "$what: left behind: ${left//$'\n'/ | }"
		"$NSLAB" -q down "$LAB"
		ok=0
	fi
	assert_clean || { fail "$what: the host is not as before"; ok=0; }
	[ "$ok" = 1 ] || bad=$((bad + 1))
done
secs=$(awk -v a="$t0" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }')
diag "walked N = 1..$M in $secs s: $bad failing"
[ "$bad" = 0 ] && pass "every one of the $M operations of up failed cleanly"
exit 0

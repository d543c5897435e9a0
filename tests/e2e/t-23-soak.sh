#!/bin/bash
# t-23: soak.  SOAK_LABS (default 4) labs cycle up / exec / down in
# parallel, SOAK_CYCLES times each (default 12; `make soak` runs 50, 200
# cycles in all).  In about a quarter of the cycles `kill -9` hits either
# `nslab up` or the lab's holder at a random moment; whatever is left, `down`
# must exit 0 and leave nothing of that lab: no /run/nslab/LAB, no
# /run/netns/LAB.*, no holder, none of the lab's processes.  Meanwhile one
# long lab stays up and takes execs, `ls` and `show`; its holder's fd count
# must not change and its RSS must not grow by more than 1 MB.
# SOAK_SEED (default: random, printed) makes the kill schedule reproducible.
. "$(dirname "$0")/lib.sh"

cycles=${SOAK_CYCLES:-12}
nlabs=${SOAK_LABS:-4}
seed=${SOAK_SEED:-$((RANDOM * 32768 + RANDOM))}
diag "soak: $nlabs labs x $cycles cycles, SOAK_SEED=$seed"
((nlabs >= 1 && nlabs <= 5)) || die "SOAK_LABS must be 1..5 (lib.sh has 6 lab names)"

state_of() { "$NSLAB" ls 2> /dev/null | awk -v n="$1" '$1 == n { print $2; f = 1 } END { if (!f) print "no lab" }'; }
holder_of() { ps -eo pid=,args= | awk -v n="$1" '$2 == "nslab:" && $3 == "lab" && $4 == n { print $1 }'; }

# a small lab: a switch, three hosts, a background start command whose
# argument (a number unique to the lab) lets us find it by its command line
lab_file() {
	lab_xml "$1" <<X
<lab name="$1">
  <switch name="s1"/>
  <host name="h1"><start background="yes">exec sleep $2</start></host>
  <host name="h2"/>
  <host name="h3"/>
  <link a="h1" b="s1"/>
  <link a="h2" b="s1"/>
  <link a="h3" b="s1"/>
</lab>
X
}
# the pids of processes whose command line is exactly "sleep TOKEN"
sleepers() { ps -eo pid=,args= | awk -v a="sleep $1" '{ p = $1; sub(/^ *[0-9]+ +/, "") } $0 == a { print p }'; }

# Every process in LAB's namespaces, found through its /run/netns entries
# (while they exist): pids we can check are gone after down.  (One stat
# for all of /proc: pids_in_netns forks one per process, too slow here.)
lab_pids() {
	local inos
	inos=$(stat -L -c %i /run/netns/"$1".* 2> /dev/null | tr '\n' ' ')
	[ -n "$inos" ] || return 0
	stat -L -c '%i %n' /proc/[0-9]*/ns/net 2> /dev/null |
		awk -v l="$inos" 'BEGIN { split(l, a, " "); for (i in a) want[a[i]] = 1 }
			want[$1] { split($2, p, "/"); print p[3] }'
}

# nothing of lab $1 (start token $2) is left; $3.. are pids that must be dead
left_of() {
	local name=$1 token=$2 p
	shift 2
	[ -e "/run/nslab/$name" ] && echo "/run/nslab/$name"
	compgen -G "/run/nslab/.$name.*" > /dev/null && echo "/run/nslab/.$name.* (up's staging dir)"
	compgen -G "/run/netns/$name.*" > /dev/null && echo "/run/netns/$name.*"
	[ -n "$(holder_of "$name")" ] && echo "holder $(holder_of "$name")"
	[ -n "$(sleepers "$token")" ] && echo "start command (sleep $token): $(sleepers "$token")"
	for p in "$@"; do
		alive "$p" && echo "process $p ($(tr '\0' ' ' < "/proc/$p/cmdline" 2> /dev/null))"
	done
}

# One lab's cycles; prints "# ..." lines, exits with its failure count.
worker() {
	local w=$1 name=$2 f rc i mode d delay up pids h out token kills=0
	trap - EXIT INT TERM
	RANDOM=$((seed + w))
	span=$((up_ms * 3 / 2 + 5))	# the kill delays, in ms
	_failures=0
	for ((i = 1; i <= cycles; i++)); do
		token=$((100000 + w * 10000 + i))
		f=$(lab_file "$name" "$token")
		mode=0
		((RANDOM % 4 == 0)) && mode=$((1 + RANDOM % 2))	# 1: kill up, 2: kill the holder
		# the delay before the kill: up to 1.5 times an up for nslab, up
		# to half an up after the holder appears for the holder
		d=$((RANDOM % span))
		((mode == 2)) && d=$((d / 3))
		delay=$(printf '%d.%03d' $((d / 1000)) $((d % 1000)))
		pids=
		case $mode in
		0)
			"$NSLAB" -q up "$f" > "$T/w$w.out" 2>&1
			rc=$?
			[ "$rc" = 0 ] || fail "lab $w cycle $i: up exited $rc: $(tr '\n' ' ' < "$T/w$w.out")"
			pids=$(lab_pids "$name")
			out=$("$NSLAB" exec "$name" h2 hostname 2>&1)
			[ "$out" = h2 ] || fail "lab $w cycle $i: exec h2 hostname printed '$out'"
			out=$("$NSLAB" exec "$name" h3 ping -c 1 -W 2 -q h1 2>&1) ||
				fail "lab $w cycle $i: h3 cannot ping h1: $out"
			wait_for 5 test -n "$(sleepers "$token")" ||
				fail "lab $w cycle $i: the start command (sleep $token) does not run"
			;;
		1)
			"$NSLAB" -q up "$f" > "$T/w$w.out" 2>&1 &
			up=$!
			sleep "$delay"
			pids=$(lab_pids "$name")
			kill -9 "$up" 2> /dev/null
			wait "$up" 2> /dev/null
			diag "lab $w cycle $i: nslab up killed after $delay s ($(state_of "$name"))"
			;;
		2)
			# the holder, $delay s after it appears (up may be over by then)
			"$NSLAB" -q up "$f" > "$T/w$w.out" 2>&1 &
			up=$!
			h=
			while [ -z "$h" ] && kill -0 "$up" 2> /dev/null; do
				h=$(holder_of "$name")
			done
			[ -n "$h" ] || h=$(holder_of "$name")
			sleep "$delay"
			pids=$(lab_pids "$name")
			[ -n "$h" ] && kill -9 "$h"
			wait "$up" 2> /dev/null
			rc=$?
			diag "lab $w cycle $i: holder killed $delay s after it appeared: up exited $rc"
			# up either finished before the kill or saw its holder die
			case $rc in
			0 | 1 | 3) ;;
			*) fail "lab $w cycle $i: up whose holder was killed exited $rc: $(tr '\n' ' ' < "$T/w$w.out")" ;;
			esac
			[ -n "$h" ] || fail "lab $w cycle $i: no holder to kill (up exited $rc)"
			;;
		esac
		((mode)) && kills=$((kills + 1))
		"$NSLAB" -q down "$name" > "$T/w$w.out" 2>&1
		rc=$?
		[ "$rc" = 0 ] || fail "lab $w cycle $i (mode $mode, delay $delay): down exited $rc: $(tr '\n' ' ' < "$T/w$w.out")"
		# namespaces and processes go asynchronously, but within a second
		wait_for 3 test -z "$(left_of "$name" "$token" $pids)" ||
			fail "lab $w cycle $i (mode $mode, delay $delay): left after down: $(left_of "$name" "$token" $pids | tr '\n' ' ')"
		((_failures > 10)) && { fail "lab $w: too many failures, stopping"; break; }
	done
	diag "lab $w: $cycles cycles, $kills with kill -9"
	exit "$_failures"
}

sample() { # fd count and VmRSS (kB) of process $1
	local n
	n=$(ls "/proc/$1/fd" | wc -l)
	echo "$n $(awk '$1 == "VmRSS:" { print $2 }' "/proc/$1/status")"
}
poke() { # work against the long lab: exec, ls, show
	local out
	out=$("$NSLAB" exec "$LONG" h2 hostname 2>&1)
	[ "$out" = h2 ] || { fail "long lab: exec h2 hostname printed '$out'"; return 1; }
	"$NSLAB" ls > /dev/null || { fail "ls failed"; return 1; }
	"$NSLAB" show "$LONG" > /dev/null || { fail "show $LONG failed"; return 1; }
	"$NSLAB" exec "$LONG" h1 true < /dev/null || { fail "long lab: exec true failed"; return 1; }
}

# `up` killed between making its staging dir /run/nslab/.NAME.PID and
# renaming it into place (a window of a few system calls the soak hit once in
# 70 kills) leaves just that dir: down removes it, and only for a dead PID
sleep 0 &
dead=$!
wait $dead
mkdir -p "/run/nslab/.$LAB.$dead/log" "/run/nslab/.$LAB.$$"
expect_rc 0 "down with only a staging dir left" "$NSLAB" down "$LAB"
[ -e "/run/nslab/.$LAB.$dead" ] && fail "down left /run/nslab/.$LAB.$dead (a killed up's staging dir)"
[ -e "/run/nslab/.$LAB.$$" ] || fail "down removed /run/nslab/.$LAB.$$, the staging dir of a live process"
rmdir "/run/nslab/.$LAB.$$"

# the long lab
LONG=$LAB
t0=$(now)
expect_rc 0 "up of the long lab" "$NSLAB" up "$(lab_file "$LONG" 99999)" || die "up failed"
up_ms=$(awk -v a="$t0" -v b="$(now)" 'BEGIN { printf "%d", (b - a) * 1000 }')
diag "up took $up_ms ms; kills come within $((up_ms * 3 / 2 + 5)) ms"
lab_inodes "$LONG"
hl=$(holder_of "$LONG")
[ -n "$hl" ] || die "no holder for $LONG"
for ((i = 0; i < 20; i++)); do poke || break; done
read -r fd0 rss0 <<< "$(sample "$hl")"
diag "long lab holder $hl after warm-up: $fd0 fds, $rss0 kB"

names=()
for ((w = 1; w <= nlabs; w++)); do
	new_lab n
	names+=("$n")
	worker "$w" "$n" &
	track_pid $!
	wpids+=($!)
done

# poke the long lab while the workers run
pokes=0
while :; do
	busy=0
	for p in "${wpids[@]}"; do kill -0 "$p" 2> /dev/null && busy=1; done
	((busy)) || break
	poke || break
	pokes=$((pokes + 1))
done
for ((w = 1; w <= nlabs; w++)); do
	wait "${wpids[w - 1]}"
	rc=$?
	[ "$rc" = 0 ] || fail "lab $w: $rc failures (SOAK_SEED=$seed)"
done
_pids=()

for ((i = 0; i < 50; i++)); do poke || break; done
pokes=$((pokes + 50))
[ "$(holder_of "$LONG")" = "$hl" ] || fail "the long lab's holder changed: $(holder_of "$LONG"), was $hl"
[ -n "$(sleepers 99999)" ] || fail "the long lab's start command died"
read -r fd1 rss1 <<< "$(sample "$hl")"
diag "long lab holder after $pokes rounds of exec/ls/show: $fd1 fds, $rss1 kB"
[ "$fd1" = "$fd0" ] && pass "holder fd count steady ($fd0)" || fail "holder fds went from $fd0 to $fd1"
((rss1 - rss0 < 1024)) && pass "holder RSS grew by $((rss1 - rss0)) kB" || fail "holder RSS went from $rss0 to $rss1 kB"

expect_rc 0 "down of the long lab" "$NSLAB" down "$LONG"
for n in "${names[@]}"; do
	[ -e "/run/nslab/$n" ] && fail "/run/nslab/$n left"
done
assert_clean && pass "host clean after the soak (SOAK_SEED=$seed)"
exit 0

# shellcheck shell=bash
# lib.sh — shared helpers of the end-to-end tests (sourced by every t-*.sh).
#
# A test sources this file first.  It then owns:
#   $NSLAB      the binary under test (default: ./nslab of this checkout)
#   $LAB        a lab name unique to this test process (e2e<pid>x); use
#               new_lab to get more (e2e<pid>x, e2e<pid>y, ...)
#   $T          a private temporary directory, removed at exit
# and these helpers:
#   fail MSG           record a failure (the test goes on; it exits 1 at the end)
#   die MSG            record a failure and end the test now
#   skip REASON        end the test as skipped (exit 77)
#   pass MSG           a diagnostic line for a check that passed
#   diag MSG           a diagnostic line ("# MSG")
#   expect_rc N MSG CMD...   run CMD, fail unless it exits N (output in $OUT/$ERR)
#   lab_xml NAME       write stdin to $T/NAME.xml and print the path
#   track_lab NAME     make the exit trap `nslab down NAME` (done by new_lab)
#   track_pid PID      make the exit trap kill PID (a background job of ours)
#   at_exit 'CMD'      make the exit trap eval CMD (before the labs go down)
#   lab_inodes NAME    remember the netns inodes of a running lab
#   wait_for SECS CMD...   poll CMD every 0.1 s until it succeeds or SECS pass
#                      (wall-clock seconds)
#   now                seconds since the epoch with nanoseconds
#   alive PID          the process exists and is not a zombie
#   pids_in_netns INO...   the processes in those network namespaces
#   kernel_lacks FILE [up]  print what FILE needs that this kernel lacks
#                      ("netem", "VLANs", both, or nothing); with "up", what
#                      `nslab up` cannot do without (netem is not: the
#                      impairment engine stands in for it)
#   example_copy SRC   copy SRC (and its files/) into $T, renamed $LAB;
#                      print the copy's path
#
# At exit (normal, failure, or INT/TERM) the trap kills our background
# jobs, runs `nslab down` on every lab the test used, then assert_clean:
# the host's state must be what it was when this file was sourced, polled
# for up to 5 s because namespace destruction is asynchronous.

set -u
set +e

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
NSLAB=${NSLAB:-$top/nslab}
cd "$top" || exit 1
export LC_ALL=C

_failures=0
_labs=()
_pids=()
_hooks=()
_inodes=()
_lab_seq=(x y z w v u)
_lab_i=0
T=$(mktemp -d /tmp/nslab-e2e.XXXXXX) || exit 1
OUT='' ERR=''

diag() { printf '# %s\n' "$*"; }
pass() { printf '# ok: %s\n' "$*"; }
fail() { printf '# FAIL: %s\n' "$*"; _failures=$((_failures + 1)); }
die() { fail "$*"; exit 1; }
skip() { printf '# SKIP %s\n' "$*"; exit 77; }
now() { date +%s.%N; }

# new_lab: print a fresh lab name owned by this test and track it.
# (Call it as LAB2=$(new_lab) only after `track_lab` in the parent, or
# simply use: new_lab VAR.)
new_lab() {
	local name="e2e$$${_lab_seq[$_lab_i]}"
	_lab_i=$((_lab_i + 1))
	track_lab "$name"
	printf -v "$1" '%s' "$name"
}
track_lab() { _labs+=("$1"); }
track_pid() { _pids+=("$1"); }
at_exit() { _hooks+=("$1"); }

lab_xml() {
	cat > "$T/$1.xml"
	printf '%s\n' "$T/$1.xml"
}

# expect_rc N MSG CMD... : run CMD (stdout to $OUT, stderr to $ERR)
expect_rc() {
	local want=$1 msg=$2 rc
	shift 2
	"$@" > "$T/.out" 2> "$T/.err"
	rc=$?
	OUT=$(cat "$T/.out") ERR=$(cat "$T/.err")
	if [ "$rc" -ne "$want" ]; then
		fail "$msg: \`$*\` exited $rc, expected $want${ERR:+ (stderr: ${ERR//$'\n'/ | })}"
		return 1
	fi
	pass "$msg"
	return 0
}

# (a deadline in wall-clock time, not a count of tries: under an emulated
# CPU, in tests/vm, one try of CMD may take a second)
wait_for() {
	local end=$((${EPOCHREALTIME/./} + $1 * 1000000))
	shift
	while ((${EPOCHREALTIME/./} < end)); do
		"$@" > /dev/null 2>&1 && return 0
		sleep 0.1
	done
	"$@" > /dev/null 2>&1
}

# the network namespace inodes of a running lab's nodes
lab_inodes() {
	local f
	for f in /run/netns/"$1".*; do
		[ -e "$f" ] && _inodes+=("$(stat -L -c %i "$f")")
	done
}

# alive PID: the process runs (a zombie waiting for init to reap it does not)
alive() { stat -L "/proc/$1/ns/net" > /dev/null 2>&1; }

# every process in one of the given netns inodes (pid per line)
pids_in_netns() {
	local p ino
	for p in /proc/[0-9]*; do
		ino=$(stat -L -c %i "$p/ns/net" 2> /dev/null) || continue
		for i in "$@"; do
			[ "$ino" = "$i" ] && { echo "${p#/proc/}"; break; }
		done
	done
}

# What this kernel offers, probed once per test in a throwaway namespace.
_has_netem=
_has_vlans=
_probe_kernel() {
	[ -n "$_has_netem" ] && return
	_has_netem=no _has_vlans=no
	unshare -n sh -c 'ip link add e2e0 type veth peer name e2e1 && tc qdisc add dev e2e0 root netem delay 1ms' > /dev/null 2>&1 && _has_netem=yes
	unshare -n sh -c 'ip link add e2e0 type veth peer name e2e1 && ip link add link e2e0 name e2e0.10 type vlan id 10 && ip link add e2eb type bridge vlan_filtering 1 && ip -d link show e2eb | grep -q "vlan_filtering 1"' > /dev/null 2>&1 && _has_vlans=yes
}
kernel_lacks() {
	local why=
	_probe_kernel
	if [ "${2:-}" != up ] && [ $_has_netem = no ] &&
		grep -qE '<(link|a-to-b|b-to-a|link-set)[^>]*[[:space:]](delay|jitter|loss|duplicate|reorder|corrupt)=' "$1"; then
		why=netem
	fi
	if grep -qE 'vlan-filtering="on"|[[:space:]]vlans?="' "$1" && [ $_has_vlans = no ]; then
		why="${why:+$why and }VLANs"
	fi
	printf '%s' "$why"
}
example_copy() {
	local src=$1 f
	f=$T/$(basename "$src")
	sed "0,/<lab name=\"[^\"]*\"/s//<lab name=\"$LAB\"/" "$src" > "$f"
	[ -d "$(dirname "$src")/files" ] && cp -r "$(dirname "$src")/files" "$T/"
	printf '%s\n' "$f"
}

# The host state that a test must leave as it found it.
_netns_set() {
	# the distinct network namespaces in which processes run
	stat -L -c %i /proc/[0-9]*/ns/net 2> /dev/null | sort -u
}
_state() {
	echo "== host links"
	ip -o link show 2> /dev/null | awk -F': ' '{ sub(/@.*/, "", $2); print $2 }' | sort
	echo "== host addresses"
	ip -o addr show 2> /dev/null | awk '{ print $2, $3, $4 }' | sort
	echo "== host routes"
	ip route show table all 2> /dev/null | sed 's/ expires [0-9]*sec//' | sort
	echo "== /run/netns"
	ls -A /run/netns 2> /dev/null
	echo "== /run/nslab"
	ls -A /run/nslab 2> /dev/null
	echo "== /etc/netns"
	ls -A /etc/netns 2> /dev/null
	echo "== mount points"
	awk '{ print $5 }' /proc/self/mountinfo | sort
	echo "== holders"
	ps -eo pid=,args= | awk '$2 == "nslab:" && $3 == "lab" { print $1, $4 }' | sort
}
_state_before=$(_state)
_netns_before=$(_netns_set)

# assert_clean: poll up to ~5 s for the host state to be back to the start
assert_clean() {
	local i now_state extra leftover
	for ((i = 0; i < 50; i++)); do
		now_state=$(_state)
		extra=$(comm -13 <(echo "$_netns_before") <(_netns_set))
		leftover=
		((${#_inodes[@]})) && leftover=$(pids_in_netns "${_inodes[@]}")
		[ "$now_state" = "$_state_before" ] && [ -z "$extra" ] && [ -z "$leftover" ] && return 0
		sleep 0.1
	done
	if [ "$now_state" != "$_state_before" ]; then
		fail "host state differs from the start of the test:"
		diff <(echo "$_state_before") <(echo "$now_state") > "$T/.diff"
		sed -n '1,40s/^/#   /p' "$T/.diff"
		[ "$(wc -l < "$T/.diff")" -gt 40 ] && echo "#   ... ($(wc -l < "$T/.diff") lines of differences)"
	fi
	if [ -n "$extra" ]; then
		fail "processes run in network namespaces that did not exist at the start:"
		for i in $extra; do
			for p in /proc/[0-9]*; do
				[ "$(stat -L -c %i "$p/ns/net" 2> /dev/null)" = "$i" ] &&
					echo "#   netns $i: pid ${p#/proc/} $(tr '\0' ' ' < "$p/cmdline" 2> /dev/null)"
			done
		done
	fi
	[ -n "$leftover" ] && fail "processes left in the lab's namespaces: $leftover"
	return 1
}

_cleanup() {
	local rc=$? p l
	trap - EXIT INT TERM
	for p in "${_pids[@]}"; do
		kill -KILL "$p" 2> /dev/null
	done
	for p in "${_pids[@]}"; do
		wait "$p" 2> /dev/null
	done
	for p in "${_hooks[@]}"; do
		eval "$p"
	done
	for l in "${_labs[@]}"; do
		"$NSLAB" -q down "$l" || fail "cleanup: nslab down $l failed"
	done
	assert_clean || rc=1
	rm -rf "$T"
	if [ "$rc" -ne 0 ] && [ "$rc" -ne 77 ] && [ "$_failures" -eq 0 ]; then
		printf '# FAIL: the test script ended with status %s\n' "$rc"
	fi
	[ "$_failures" -gt 0 ] && rc=1
	exit "$rc"
}
trap _cleanup EXIT
trap 'fail "interrupted by a signal"; exit 1' INT TERM

# every test needs root; the default lab name
[ "$(id -u)" = 0 ] || skip "needs root"
[ -x "$NSLAB" ] || die "$NSLAB is not built (make nslab)"
new_lab LAB

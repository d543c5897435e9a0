#!/bin/bash
# t-20: nslab trusts only holders it can prove (README.md, "Security").
#  1. A process that merely calls itself "nslab: lab NAME" (user nobody, or
#     root running another binary) and holds the host's netns: `down NAME`
#     and `down --all` leave it and every other process alone, and warn.
#     Run in a private PID namespace: with the old behaviour down killed
#     every process in the host's network namespace.
#     A forged table (root's, in a private run dir) that names the host's
#     own network namespace with its right cookie: down leaves it alone.
#  2. A stale table: the holder is dead and nodes.tab names a live process
#     in its place (as after pid reuse).  exec refuses (it must not enter
#     that process's namespaces), ls says broken, down kills nothing of it.
#  3. NSLAB_RUN_DIR: `down NAME` removes only a lab's directory (root's,
#     not writable by others, with a lock file), never any other; `up`
#     makes none where others can write.
. "$(dirname "$0")/lib.sh"

command -v unshare > /dev/null && command -v setpriv > /dev/null || skip "needs unshare and setpriv (util-linux)"

# 1. impostors, in a private PID namespace with private state dirs
mkdir -p "$T/run1/forged/log" "$T/netns1"
cc -O2 -o "$T/cookie" tests/e2e/helpers/cookie.c || die "cannot build tests/e2e/helpers/cookie.c"
touch "$T/run1/forged/lock"
printf 'nslab-state 2 0 0 -1 0 0 0\nh1 host %s -1 -1 %s\n' "$(stat -L -c %i /proc/self/ns/net)" \
	"$("$T/cookie")" > "$T/run1/forged/nodes.tab"
cat > "$T/inner.sh" <<'EOF'
export NSLAB_RUN_DIR=$1/run1 NSLAB_NETNS_DIR=$1/netns1
setpriv --reuid=65534 --regid=65534 --clear-groups \
	bash -c 'exec 9</proc/self/ns/net; exec -a "nslab: lab evil" sleep 1000' &
imp=$!
bash -c 'exec 9</proc/self/ns/net; exec -a "nslab: lab evil" sleep 1000' &
imp2=$!
sleep 1000 &
victim=$!
for i in $(seq 50); do
	grep -q "nslab: lab evil" "/proc/$imp/cmdline" 2>/dev/null &&
		grep -q "nslab: lab evil" "/proc/$imp2/cmdline" 2>/dev/null && break
	sleep 0.1
done
"$NSLAB" down evil 2> "$1/down1.err"
echo "down-rc $?"
"$NSLAB" down forged 2> "$1/down3.err"
echo "forged-rc $?"
"$NSLAB" down --all 2> "$1/down2.err"
echo "all-rc $?"
for p in $imp $imp2 $victim $$; do
	kill -0 "$p" 2>/dev/null && echo "alive $p" || echo "dead $p"
done
exec 2>/dev/null
kill -9 $imp $imp2 $victim
EOF
out=$(NSLAB=$NSLAB unshare -fp --mount-proc bash "$T/inner.sh" "$T" 2>&1)
diag "in a private PID namespace: $(tr '\n' ' ' <<<"$out")"
grep -q '^down-rc 0$' <<<"$out" || fail "down evil did not exit 0: $out"
grep -q '^all-rc 0$' <<<"$out" || fail "down --all did not exit 0: $out"
grep -q '^forged-rc 0$' <<<"$out" || fail "down forged did not exit 0: $out $(cat "$T/down3.err")"
grep -q '^dead ' <<<"$out" && fail "down killed a process that is not a lab's: $out"
[ "$(grep -c '^alive ' <<<"$out")" = 4 ] || fail "expected 4 live processes: $out"
grep -q 'failed the holder check' "$T/down1.err" &&
	pass "down warns: $(cat "$T/down1.err")" ||
	fail "down evil did not warn about the impostors: $(cat "$T/down1.err")"

# 2. a stale table naming a live root process as the holder
expect_rc 0 "up" "$NSLAB" up topologies/demo.xml --name "$LAB" || die "up failed"
lab_inodes "$LAB"
h=$(awk 'NR == 1 { print $3 }' "/run/nslab/$LAB/nodes.tab")
kill -9 "$h"
wait_for 3 eval "! alive $h" || die "holder $h did not die"
unshare -n bash -c "exec 7</proc/self/ns/net; exec -a 'nslab: lab $LAB' sleep 1000" &
imp=$!
track_pid $imp
wait_for 3 grep -q "nslab: lab" "/proc/$imp/cmdline" || die "no impostor"
imp_ino=$(stat -L -c %i "/proc/$imp/ns/net")
# as if the kernel had given the dead holder's pid and h1's inode to it
awk -v p="$imp" -v i="$imp_ino" 'NR == 1 { $3 = p } $1 == "h1" { $3 = i; $4 = 7 } { print }' \
	"/run/nslab/$LAB/nodes.tab" > "$T/tab" && cat "$T/tab" > "/run/nslab/$LAB/nodes.tab"
expect_rc 3 "exec refuses a lab whose holder is not proven" "$NSLAB" exec "$LAB" h1 true
grep -q broken <<<"$ERR" || fail "exec does not say the lab is broken: $ERR"
"$NSLAB" ls | grep -qE "^$LAB[[:space:]]+broken" || fail "ls does not say broken: $("$NSLAB" ls)"
expect_rc 0 "down of the lab with a stale table" "$NSLAB" down "$LAB"
alive "$imp" && pass "the process in the stale holder's place survived down" ||
	fail "down killed the process that took the holder's place"
kill -9 "$imp"

# 3. NSLAB_RUN_DIR pointing at directories that are not labs
rd=$T/rd
mkdir -p "$rd/victim/sub" "$rd/theirs/log"
echo data > "$rd/victim/sub/file"
touch "$rd/theirs/lock"
printf 'nslab-state 2 0 0 -1 0 0 0\n' > "$rd/theirs/nodes.tab"
chown -R 65534:65534 "$rd/theirs"
NSLAB_RUN_DIR=$rd expect_rc 3 "down of a directory without a lock" "$NSLAB" down victim
grep -q "not a lab's directory" <<<"$ERR" || fail "message does not say why: $ERR"
[ -f "$rd/victim/sub/file" ] && pass "the directory is intact" || fail "down removed $rd/victim"
NSLAB_RUN_DIR=$rd expect_rc 3 "down of another user's lab-like directory" "$NSLAB" down theirs
[ -f "$rd/theirs/lock" ] && [ -f "$rd/theirs/nodes.tab" ] || fail "down removed $rd/theirs"
chmod 0777 "$rd"
mkdir -p "$rd/lab2/log" && touch "$rd/lab2/lock"
NSLAB_RUN_DIR=$rd expect_rc 3 "down under a run dir writable by all" "$NSLAB" down lab2
[ -f "$rd/lab2/lock" ] || fail "down removed a lab under a world-writable run dir"
NSLAB_RUN_DIR=$rd expect_rc 3 "up under a run dir writable by all" "$NSLAB" up topologies/demo.xml --name "$LAB"
grep -q "not root's, or others can write it" <<<"$ERR" || fail "up does not say why: $ERR"
[ -e "$rd/$LAB" ] && fail "up made $rd/$LAB under a world-writable run dir"
NSLAB_RUN_DIR=$rd "$NSLAB" ls > /dev/null 2>&1
exit 0

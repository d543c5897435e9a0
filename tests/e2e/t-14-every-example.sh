#!/bin/bash
# t-14: every example lab under topologies/ comes up, passes its own
# <tests> and goes down cleanly; the ones needing VLANs the kernel lacks are
# refused with exit 3 (netem labs use the impairment engine where the kernel
# has no netem).
. "$(dirname "$0")/lib.sh"

# positive control: the probe itself works (TBF and veth are needed anyway)
unshare -n sh -c 'ip link add e2e0 type veth peer name e2e1 && tc qdisc add dev e2e0 root tbf rate 1mbit burst 5000 limit 10000' > /dev/null 2>&1 ||
	die "the kernel probe does not work (veth + TBF in a throwaway netns)"
has_netem() { unshare -n sh -c 'ip link add e2e0 type veth peer name e2e1 && tc qdisc add dev e2e0 root netem delay 1ms' > /dev/null 2>&1; }
has_vlans() { unshare -n sh -c 'ip link add e2e0 type veth peer name e2e1 && ip link add link e2e0 name e2e0.10 type vlan id 10 && ip link add e2eb type bridge vlan_filtering 1 && ip -d link show e2eb | grep -q "vlan_filtering 1"' > /dev/null 2>&1; }
netem=no vlans=no
has_netem && netem=yes
has_vlans && vlans=yes
diag "kernel: netem $netem, VLANs $vlans"

# a copy of the tree (src= files are relative to the XML), each lab renamed
cp -r topologies "$T/topo"
n=0
while IFS= read -r src; do
	rel=${src#topologies/}
	f=$T/topo/$rel
	sed -i "0,/<lab name=\"[^\"]*\"/s//<lab name=\"$LAB\"/" "$f"
	grep -q "<lab name=\"$LAB\"" "$f" || { fail "$rel: cannot rename the lab"; continue; }
	n=$((n + 1))
	# what the file needs, from its attributes (README.md, "Kernel features")
	want=0 why=
	# delay and loss without netem: the impairment engine (no refusal)
	if grep -qE 'vlan-filtering="on"|[[:space:]]vlans?="' "$f" && [ $vlans = no ]; then
		want=3 why="$why VLANs"
	fi
	t0=$(now)
	expect_rc $want "up $rel${why:+ (needs$why)}" "$NSLAB" up "$f"
	up_s=$(awk -v a="$t0" -v b="$(now)" 'BEGIN { printf "%.3f", b - a }')
	if [ $want = 0 ]; then
		lab_inodes "$LAB"
		"$NSLAB" ls | grep -qE "^${LAB}[[:space:]]+running" || fail "$rel: not running after up"
		# its own <tests> pass (topologies/README.md, "Tests")
		if grep -q "<tests>" "$f"; then
			t0=$(now)
			expect_rc 0 "test $rel" "$NSLAB" test "$LAB" ||
				diag "$rel: $(grep -v '^ok ' <<<"$OUT" | head -c 2000)"
			diag "$rel: $(tail -1 <<<"$OUT") in $(awk -v a="$t0" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }') s"
		fi
		t0=$(now)
		expect_rc 0 "down $rel" "$NSLAB" down "$LAB"
		diag "$rel: up $up_s s, down $(awk -v a="$t0" -v b="$(now)" 'BEGIN { printf "%.3f", b - a }') s"
	else
		[[ "$ERR" == *CONFIG_* ]] || fail "$rel: the refusal names no kernel option: $ERR"
		diag "$rel: refused: $ERR"
	fi
	assert_clean || fail "$rel left something behind"
done < <(find topologies -name '*.xml' | sort)
[ $n -ge 10 ] || fail "only $n example files found"
diag "$n example labs"
exit 0

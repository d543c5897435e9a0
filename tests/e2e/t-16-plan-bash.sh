#!/bin/bash
# t-16: `nslab plan FILE | bash` builds the same lab with ip/tc commands
# (namespaces LAB.NODE made by `ip netns add`), it works, and
# `nslab plan --down FILE | bash` removes it, /etc/netns included.
. "$(dirname "$0")/lib.sh"

f=$T/demo.xml
sed "s/<lab name=\"demo\"/<lab name=\"$LAB\"/" topologies/demo.xml > "$f"
grep -q "<lab name=\"$LAB\"" "$f" || die "cannot rename the lab"
"$NSLAB" plan "$f" > "$T/up.sh" || die "plan failed"
"$NSLAB" plan --down "$f" > "$T/down.sh" || die "plan --down failed"
# the scripts only touch this lab's names
grep -E 'ip netns (add|del)' "$T/up.sh" "$T/down.sh" | grep -v " $LAB\.[a-z0-9]*\( \|$\)" | grep -q . &&
	fail "a plan touches a namespace not of $LAB"
runetns_mounted() { awk '$5 == "/run/netns"' /proc/self/mountinfo | grep -q .; }
runetns_mounted && was_mounted=yes || was_mounted=no
had_etc_netns=no
[ -e /etc/netns ] && had_etc_netns=yes
at_exit 'bash "$T/down.sh" > /dev/null 2>&1; fix_run_netns'
# `ip netns add` turns /run/netns into a shared bind mount of itself the
# first time, and `ip netns del` never undoes that (iproute2): the plan
# script's side effect, not a leak of the lab; undo it if we caused it
fix_run_netns() {
	if [ "$was_mounted" = no ] && runetns_mounted; then
		grep -q ' /run/netns/' /proc/self/mountinfo ||
			{ umount /run/netns && diag "note: umounted /run/netns, left mounted by ip netns add (iproute2 behaviour, not undone by plan --down)"; }
	fi
}

t0=$(now)
bash "$T/up.sh" > "$T/up.out" 2>&1 || { fail "plan | bash failed: $(tail -5 "$T/up.out")"; }
diag "plan | bash (7 nodes): $(awk -v a="$t0" -v b="$(now)" 'BEGIN { printf "%.3f", b - a }') s"
for n in r1 h1 h2 h3 h4 s1 s2; do
	ip netns list | grep -q "^$LAB\.$n\b" || fail "ip netns list lacks $LAB.$n"
done
lab_inodes "$LAB"
a=$(ip -n "$LAB.h1" -4 -o addr show dev eth0 | awk '{ print $4 }')
[ "$a" = 10.0.0.2/29 ] || fail "h1 has '$a', expected 10.0.0.2/29"
ip netns exec "$LAB.h1" ping -c 1 -W 2 h3 > /dev/null && pass "h1 pings h3 by name (through /etc/netns hosts)" || fail "h1 cannot ping h3"
ip netns exec "$LAB.h4" ping -c 1 -W 2 10.0.0.2 > /dev/null || fail "h4 cannot ping h1"
[ "$(ip netns exec "$LAB.h1" cat /etc/resolv.conf | sed -n 2p)" = "nameserver 10.0.0.1" ] || fail "h1's resolv.conf from /etc/netns"
tc -n "$LAB.r1" qdisc show dev eth1 | grep -q 'tbf.*rate 10Mbit' || fail "r1:eth1 has no 10 Mbit TBF: $(tc -n "$LAB.r1" qdisc show dev eth1)"
# the kernel state equals what nslab show (the plan) says
"$NSLAB" show "$f" --json | python3 -c '
import json, subprocess, sys
lab = json.load(sys.stdin)
bad = 0
for n in lab["nodes"]:
    k = {i["ifname"]: i for i in json.loads(subprocess.run(["ip", "-n", sys.argv[1] + "." + n["name"], "-j", "addr"],
                                                           capture_output=True, text=True).stdout or "[]")}
    for i in n["interfaces"]:
        ki = k.get(i["name"])
        if not ki or ("mac" in i and ki["address"] != i["mac"]) or ("mtu" in i and ki["mtu"] != i["mtu"]):
            print("# FAIL: %s:%s differs from the plan" % (n["name"], i["name"])); bad += 1
sys.exit(bad)
' "$LAB" || fail "plan | bash differs from nslab show FILE"
# nslab does not take it for one of its labs
"$NSLAB" ls | grep -q "^$LAB " && fail "nslab ls lists the plan-built lab"

bash "$T/down.sh" > "$T/down.out" 2>&1 || fail "plan --down | bash failed: $(tail -5 "$T/down.out")"
for n in r1 h1 h2 h3 h4 s1 s2; do
	[ -e "/run/netns/$LAB.$n" ] && fail "/run/netns/$LAB.$n left by plan --down"
	[ -e "/etc/netns/$LAB.$n" ] && fail "/etc/netns/$LAB.$n left by plan --down"
done
[ "$had_etc_netns" = no ] && [ -e /etc/netns ] && fail "/etc/netns left by plan --down"

# switch ports the veth could not finish: a chain s1 - s2 (a hub) - s3,
# written in both a/b orders; the script must enslave the far ends and
# turn learning off on the hub's ports
new_lab L2
g=$(lab_xml chain <<X
<lab name="$L2">
  <switch name="s1"/><switch name="s2" hub="yes"/><switch name="s3"/>
  <host name="h1"/><host name="h2"/>
  <link a="h1" b="s1"/><link a="s1" b="s2"/><link a="s3" b="s2"/><link a="s3" b="h2"/>
</lab>
X
)
"$NSLAB" plan "$g" > "$T/up2.sh" && "$NSLAB" plan --down "$g" > "$T/down2.sh" || die "plan of the chain failed"
at_exit 'bash "$T/down2.sh" > /dev/null 2>&1; fix_run_netns'
bash "$T/up2.sh" > "$T/up2.out" 2>&1 || fail "chain: plan | bash failed: $(tail -5 "$T/up2.out")"
lab_inodes "$L2"
for s in s1 s2 s3; do
	[ "$(ip -n "$L2.$s" -o link show master br0 | wc -l)" = 2 ] || fail "chain: $s has not 2 bridge ports: $(ip -n "$L2.$s" -o link show master br0)"
done
[ "$(ip -n "$L2.s2" -d link show | grep -c 'learning off')" = 2 ] || fail "chain: the hub's ports still learn"
ip netns exec "$L2.h1" ping -c 1 -W 2 10.0.0.2 > /dev/null && pass "chain: h1 reaches h2 across three switches" || fail "chain: h1 cannot reach h2"
bash "$T/down2.sh" > /dev/null 2>&1 || fail "chain: plan --down | bash failed"
fix_run_netns
exit 0

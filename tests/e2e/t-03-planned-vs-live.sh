#!/bin/bash
# t-03: every interface's MAC, MTU and addresses, and every route, of the
# running lab equal what `nslab show FILE --json` planned; a static route of
# routing/triangle.xml is in the kernel.
. "$(dirname "$0")/lib.sh"

compare() { # compare FILE LAB
	"$NSLAB" show "$1" --json > "$T/plan.json" || { fail "show $1 --json failed"; return; }
	"$NSLAB" show "$2" --json > "$T/live.json" || { fail "show $2 --json failed"; return; }
	python3 - "$T/plan.json" "$T/live.json" "$2" <<'PY'
import json, subprocess, sys
plan = json.load(open(sys.argv[1]))
live = json.load(open(sys.argv[2]))
lab = sys.argv[3]
bad = []
lnodes = {n["name"]: n for n in live["nodes"]}
if sorted(lnodes) != sorted(n["name"] for n in plan["nodes"]):
    bad.append("node sets differ: %s vs %s" % (sorted(lnodes), [n["name"] for n in plan["nodes"]]))
checked = 0
for pn in plan["nodes"]:
    ln = lnodes.get(pn["name"])
    if not ln:
        continue
    if ln["kind"] != pn["kind"]:
        bad.append("%s: kind %s, planned %s" % (pn["name"], ln["kind"], pn["kind"]))
    lif = {i["name"]: i for i in ln["interfaces"]}
    for pi in pn["interfaces"]:
        li = lif.get(pi["name"])
        where = "%s:%s" % (pn["name"], pi["name"])
        if not li:
            bad.append(where + ": missing in the live lab")
            continue
        for k in ("mac", "mtu"):
            if k in pi and str(li[k]).lower() != str(pi[k]).lower():
                bad.append("%s: %s %s, planned %s" % (where, k, li[k], pi[k]))
        la = [a for a in li["addresses"] if a not in ("127.0.0.1/8", "::1/128")]
        if sorted(la) != sorted(pi["addresses"]):
            bad.append("%s: addresses %s, planned %s" % (where, li["addresses"], pi["addresses"]))
        if not li["up"]:
            bad.append(where + ": down")
        checked += 1
    # the kernel's own view, independently of nslab show
    k = json.loads(subprocess.run(["ip", "-n", "%s.%s" % (lab, pn["name"]), "-j", "addr"],
                                  capture_output=True, text=True, check=True).stdout)
    kif = {i["ifname"]: i for i in k}
    for pi in pn["interfaces"]:
        ki = kif.get(pi["name"])
        if not ki:
            bad.append("%s:%s: not in `ip addr`" % (pn["name"], pi["name"]))
            continue
        if ("mac" in pi and ki["address"].lower() != pi["mac"].lower()) or ("mtu" in pi and ki["mtu"] != pi["mtu"]):
            bad.append("%s:%s: ip says %s mtu %s" % (pn["name"], pi["name"], ki["address"], ki["mtu"]))
        ka = sorted("%s/%s" % (a["local"], a["prefixlen"]) for a in ki.get("addr_info", [])
                    if a["family"] == "inet" or (a["family"] == "inet6" and a.get("scope") == "global"))
        ka = [a for a in ka if a != "127.0.0.1/8"]
        if ka != sorted(pi["addresses"]):
            bad.append("%s:%s: ip says addresses %s, planned %s" % (pn["name"], pi["name"], ka, pi["addresses"]))
    # planned routes are live
    norm = lambda d: "default" if d in ("0.0.0.0/0", "::/0") else d
    lr = [(norm(r["dst"]), r.get("via")) for r in ln.get("routes", [])]
    for r in pn.get("routes", []):
        if (norm(r["dst"]), r.get("via")) not in lr:
            bad.append("%s: planned route %s via %s not live (%s)" % (pn["name"], r["dst"], r.get("via"), lr))
for b in bad:
    print("# FAIL: " + b)
print("# compared %d interfaces" % checked)
sys.exit(1 if bad else 0)
PY
	[ $? -eq 0 ] && pass "$1: live lab matches the plan" || fail "$1: live lab differs from the plan"
}

for src in topologies/demo.xml topologies/basics/explicit-addresses.xml topologies/routing/triangle.xml topologies/basics/ipv6.xml; do
	# a copy with this test's lab name, so `show FILE` and `show LAB` describe one lab
	f=$T/$(basename "$src")
	sed "s/<lab name=\"[^\"]*\"/<lab name=\"$LAB\"/" "$src" > "$f"
	cp -r "$(dirname "$src")/files" "$T/" 2> /dev/null
	expect_rc 0 "up $src" "$NSLAB" up "$f" || continue
	lab_inodes "$LAB"
	compare "$f" "$LAB"
	if [[ $src == *triangle* ]]; then
		r=$(ip -n "$LAB.r1" route show 192.168.2.0/24)
		[[ "$r" == "192.168.2.0/24 via 10.0.12.2 dev eth1"* ]] && pass "r1: $r" || fail "r1's static route to 192.168.2.0/24: '$r'"
		r=$(ip -n "$LAB.h3" route show default)
		[[ "$r" == "default via 192.168.3.1 dev eth0"* ]] || fail "h3's gateway route: '$r'"
		"$NSLAB" exec "$LAB" h1 ping -c 1 -W 2 192.168.3.10 > /dev/null || fail "h1 cannot reach h3 over static routes"
	fi
	if [[ $src == *explicit* ]]; then
		ip -n "$LAB.h1" link show eth0 | grep -q 'link/ether 02:00:00:00:01:10' || fail "h1's explicit MAC not applied"
		ip -n "$LAB.r1" -4 addr show dev lo | grep -q '10.255.0.1/32' || fail "r1's lo address missing"
	fi
	expect_rc 0 "down" "$NSLAB" down "$LAB"
done
exit 0

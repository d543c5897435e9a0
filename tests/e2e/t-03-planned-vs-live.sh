#!/bin/bash
# t-03: for every example lab, the running lab is what `nslab show FILE
# --json` planned, read back from the kernel with iproute2 (not with nslab):
# every interface's MAC, MTU, state and addresses; every switch port's
# bridge (master), learning and flooding flags and VLAN membership (PVID
# and member VLANs); the root qdisc of each direction of every shaped link;
# every planned route.  A port that should be in a bridge and is not (the
# far end of a switch-to-switch link, once) fails here.
. "$(dirname "$0")/lib.sh"

compare() { # compare FILE LAB
	"$NSLAB" show "$1" --json > "$T/plan.json" || { fail "show $1 --json failed"; return 1; }
	python3 - "$T/plan.json" "$2" <<'PY'
import json, subprocess, sys
plan = json.load(open(sys.argv[1]))
lab = sys.argv[2]
bad = []

def kernel(ns, *cmd):
    out = subprocess.run(list(cmd[:1]) + ["-n", "%s.%s" % (lab, ns), "-j"] + list(cmd[1:]),
                         capture_output=True, text=True)
    if out.returncode != 0:
        bad.append("%s: `%s` failed: %s" % (ns, " ".join(cmd), out.stderr.strip()))
        return []
    return json.loads(out.stdout or "[]")

counts = {"interfaces": 0, "ports": 0, "vlan ports": 0, "qdiscs": 0, "routes": 0}
ifs_of = {}
for pn in plan["nodes"]:
    node = pn["name"]
    links = {i["ifname"]: i for i in kernel(node, "ip", "-d", "link", "show")}
    addrs = {i["ifname"]: i for i in kernel(node, "ip", "addr", "show")}
    ifs_of[node] = links
    vlans = None
    for pi in pn["interfaces"]:
        where = "%s:%s" % (node, pi["name"])
        li, ai = links.get(pi["name"]), addrs.get(pi["name"])
        if not li or not ai:
            bad.append(where + ": not in the kernel")
            continue
        counts["interfaces"] += 1
        if "mac" in pi and li["address"].lower() != pi["mac"].lower():
            bad.append("%s: mac %s, planned %s" % (where, li["address"], pi["mac"]))
        if "mtu" in pi and li["mtu"] != pi["mtu"]:
            bad.append("%s: mtu %s, planned %s" % (where, li["mtu"], pi["mtu"]))
        if "UP" not in li["flags"]:
            bad.append(where + ": administratively down")
        ka = sorted("%s/%s" % (a["local"], a["prefixlen"]) for a in ai.get("addr_info", [])
                    if a["family"] == "inet" or (a["family"] == "inet6" and a.get("scope") == "global"))
        ka = [a for a in ka if a != "127.0.0.1/8"]
        if ka != sorted(pi["addresses"]):
            bad.append("%s: addresses %s, planned %s" % (where, ka, pi["addresses"]))
        # bridge membership and port flags
        master = li.get("master")
        if master != pi.get("master"):
            bad.append("%s: master %s, planned %s" % (where, master, pi.get("master")))
        if "master" in pi:
            counts["ports"] += 1
            sd = li.get("linkinfo", {}).get("info_slave_data", {})
            for k in ("learning", "flood"):
                if sd.get(k) != pi[k]:
                    bad.append("%s: %s %s, planned %s" % (where, k, sd.get(k), pi[k]))
        if "vlans" in pi:
            if vlans is None:
                vlans = {v["ifname"]: v.get("vlans", []) for v in kernel(node, "bridge", "vlan", "show")}
            kv = vlans.get(pi["name"], [])
            got = sorted(v["vlan"] for v in kv)
            pvid = [v["vlan"] for v in kv if "PVID" in v.get("flags", [])]
            untagged = sorted(v["vlan"] for v in kv if "Egress Untagged" in v.get("flags", []))
            want_untagged = [pi["pvid"]] if pi["pvid"] else []
            if got != sorted(pi["vlans"]) or pvid != want_untagged or untagged != want_untagged:
                bad.append("%s: VLANs %s PVID %s untagged %s, planned %s PVID %s" %
                           (where, got, pvid, untagged, pi["vlans"], pi["pvid"]))
            counts["vlan ports"] += 1
    # a port nobody planned is as wrong as a missing one
    planned = {pi["name"] for pi in pn["interfaces"] if "master" in pi}
    for name, li in links.items():
        if li.get("master") and li["master"] == "br0" and name not in planned:
            bad.append("%s:%s: in br0, not planned" % (node, name))
    # planned routes are live (the kernel's own table)
    norm = lambda d: "default" if d in ("0.0.0.0/0", "::/0") else d
    kr = kernel(node, "ip", "route", "show") + kernel(node, "ip", "-6", "route", "show")
    lr = [(norm(r["dst"]), r.get("gateway")) for r in kr]
    for r in pn.get("routes", []):
        counts["routes"] += 1
        if (norm(r["dst"]), r.get("via")) not in lr:
            bad.append("%s: planned route %s via %s not in the kernel" % (node, r["dst"], r.get("via")))

# each direction of a link is shaped on the sender's egress
def want_kind(s):
    netem = any(s[k] for k in ("delay_ns", "jitter_ns", "loss_pct", "duplicate_pct", "reorder_pct", "corrupt_pct"))
    return "tbf" if s["rate_bps"] else "netem" if netem else None
for l in plan["links"]:
    for end, d in (("a", "a_to_b"), ("b", "b_to_a")):
        node, ifn = l[end].split(":")
        want = want_kind(l[d])
        q = [x for x in kernel(node, "tc", "qdisc", "show", "dev", ifn) if x.get("root")]
        got = q[0]["kind"] if q else None
        if want and got != want:
            bad.append("%s %s: root qdisc %s, planned %s" % (l[end], d, got, want))
        if not want and got in ("tbf", "netem"):
            bad.append("%s %s: root qdisc %s, planned none" % (l[end], d, got))
        counts["qdiscs"] += 1 if want else 0
for b in bad:
    print("# FAIL: " + b)
print("# compared " + ", ".join("%d %s" % (v, k) for k, v in counts.items()))
sys.exit(1 if bad else 0)
PY
}

n=0
while IFS= read -r src; do
	f=$(example_copy "$src")
	lacks=$(kernel_lacks "$f")
	if [ -n "$lacks" ]; then
		diag "$src: not compared here: this kernel lacks $lacks (tests/vm/run covers it)"
		continue
	fi
	expect_rc 0 "up $src" "$NSLAB" up "$f" || continue
	lab_inodes "$LAB"
	n=$((n + 1))
	out=$(compare "$f" "$LAB")
	rc=$?
	echo "$out" | grep '^# FAIL' | sed "s|^# FAIL: |# FAIL: $src: |"
	_failures=$((_failures + $(echo "$out" | grep -c '^# FAIL')))
	[ $rc -eq 0 ] && pass "$src: live lab matches the plan ($(echo "$out" | sed -n 's/^# compared //p'))"
	[ $rc -ne 0 ] && [ -z "$(echo "$out" | grep '^# FAIL')" ] && fail "$src: comparison crashed: $out"
	if [[ $src == *triangle* ]]; then
		r=$(ip -n "$LAB.r1" route show 192.168.2.0/24)
		[[ "$r" == "192.168.2.0/24 via 10.0.12.2 dev eth1"* ]] || fail "r1's static route to 192.168.2.0/24: '$r'"
	fi
	if [[ $src == *explicit* ]]; then
		ip -n "$LAB.h1" link show eth0 | grep -q 'link/ether 02:00:00:00:01:10' || fail "h1's explicit MAC not applied"
		ip -n "$LAB.r1" -4 addr show dev lo | grep -q '10.255.0.1/32' || fail "r1's lo address missing"
	fi
	expect_rc 0 "down $src" "$NSLAB" down "$LAB"
done < <(find topologies -name '*.xml' | sort)
[ $n -ge 8 ] || fail "only $n example labs compared"
exit 0

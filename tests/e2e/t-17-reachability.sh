#!/bin/bash
# t-17: packets cross every lab as drawn.  Each example lab comes up and
# every pair of nodes that should reach each other does, in the data path
# (ping inside the nodes; a lab whose start commands run a routing daemon,
# BIRD or FRR, is first given up to 60 s to converge), and three of them
# again with every link's a/b swapped (router-router, VLAN trunk,
# host-switch); then shapes no example has: a chain of five switches
# written in both a/b orders (also with every link through the impairment
# engine), a switch tree of depth 3, and an STP ring
# that must converge within 15 s with exactly one blocking port.
#
#   s1 - s2 - s3 - s4 - s5        (chain; hosts at both ends and the middle)
#
#          s1                     (tree, fanout 2: 7 switches, 8 hosts)
#       s2      s3
#     s4  s5  s6  s7
#    h h h h h h h h
#
#   s1 - s2                       (ring of 4 switches, STP on, a host each)
#   |     |
#   s4 - s3
. "$(dirname "$0")/lib.sh"

# reach LABNAME FILE WHICH: WHICH "all" = every host and router pings every
# other one by name (its first address, from the node's /etc/hosts), else a
# list of SRC>DST (DST a node or an address) and !SRC>DST (must fail).
# "all !SRC>DST ..." is every pair, those listed being ones that must fail.
# Prints "# FAIL" lines; returns the number of misses (at most 255).  With
# $quiet set it checks only the pairs that must reach, and prints and
# records nothing, for polling with wait_for: a pair that must fail passes
# anyway before routing has converged, and its ping may take seconds (an
# ICMP error makes ping wait a second between its echoes).
quiet=
reach() {
	local lab=$1 file=$2 spec=$3 src dst pairs=() s d neg miss=0 out p i
	if [ "${spec%% *}" = all ]; then
		# hosts and routers with an IPv4 address, from `nslab show FILE`
		# (awk, not python: cheap under an emulated CPU in tests/vm)
		mapfile -t nodes < <("$NSLAB" show "$file" | awk '
			/^(host|router|switch) / { kind = $1; name = $2; next }
			kind != "switch" && /[[:space:]][0-9]+\.[0-9]+\.[0-9]+\.[0-9]+\// && !/ 127\./ && !seen[name]++ { print name }')
		[ ${#nodes[@]} -ge 2 ] || { fail "${file##*/}: fewer than 2 addressed nodes: ${nodes[*]}"; return 1; }
		for s in "${nodes[@]}"; do
			for d in "${nodes[@]}"; do
				[ "$s" != "$d" ] && pairs+=("$s>$d")
			done
		done
		for p in ${spec#all}; do
			for i in "${!pairs[@]}"; do
				[ "!${pairs[$i]}" = "$p" ] && pairs[$i]=$p
			done
		done
	else
		read -r -a pairs <<< "$spec"
	fi
	# one exec per source, its pings in parallel
	for src in $(printf '%s\n' "${pairs[@]}" | sed 's/^!//; s/>.*//' | sort -u); do
		local script=''
		for p in "${pairs[@]}"; do
			neg=; [[ $p == !* ]] && neg=1 p=${p#!}
			s=${p%%>*} d=${p#*>}
			[ "$s" = "$src" ] || continue
			[ -n "$neg" ] && [ -n "$quiet" ] && continue
			if [ -n "$neg" ]; then
				script+="(ping -c 2 -i 0.2 -W 1 $d >/dev/null 2>&1 && echo 'reached $d, which it must not') & "
			else
				# two tries: a lossy link may eat one echo
				script+="(ping -c 1 -W 2 $d >/dev/null 2>&1 || ping -c 1 -W 2 $d >/dev/null 2>&1 || echo 'cannot reach $d') & "
			fi
		done
		[ -n "$script" ] || continue
		out=$("$NSLAB" exec "$lab" "$src" sh -c "${script}wait" 2>&1)
		if [ -n "$out" ] && [ -n "$quiet" ]; then
			miss=$((miss + $(wc -l <<< "$out")))
		elif [ -n "$out" ]; then
			while IFS= read -r l; do
				fail "${file##*/}: $src $l"
				miss=$((miss + 1))
			done <<< "$out"
		fi
	done
	[ $miss -eq 0 ] && [ -z "$quiet" ] && pass "${file##*/}: ${#pairs[@]} pairs as drawn"
	return $((miss > 255 ? 255 : miss))
}
reach_quietly() { local quiet=1; reach "$@"; }

# ---- every example -------------------------------------------------------
# "all" unless the lab routes only some of its subnets (the triangle's
# transit links are not announced) or blocks traffic on purpose.
declare -A how=(
	[topologies/basics/sysctl-files.xml]='h2>h1 !h1>h2'
	[topologies/basics/vlans.xml]='h1>h3 h3>h1 h2>h4 h4>h2 h5>192.168.10.10 h5>192.168.20.10 h5>192.168.10.1 !h1>192.168.20.1 !h1>192.168.20.10 !h3>192.168.20.1'
	[topologies/routing/triangle.xml]='h1>h2 h1>h3 h2>h1 h2>h3 h3>h1 h3>h2 h1>192.168.2.1 h1>192.168.3.1 h2>192.168.1.1 h2>192.168.3.1 h3>192.168.1.1 h3>192.168.2.1 r1>10.0.12.2 r1>10.0.13.2 r2>10.0.23.2 r3>10.0.13.1'
	# BGP announces the LANs and loopbacks, not the links between the
	# routers, and keeps r3's private LAN (h4) inside AS 65003
	[topologies/routing/bgp-frr.xml]='h1>h2 h1>h3 h2>h1 h2>h3 h3>h1 h3>h2 h3>h4 h4>h3 h1>10.255.0.2 h1>10.255.0.3 h2>10.255.0.1 h2>10.255.0.3 h3>10.255.0.1 h3>10.255.0.2 r1>10.255.0.2 r2>10.255.0.3 r3>10.255.0.1 !h1>h4 !h2>h4 !h4>h1 !h4>h2'
	# r3's firewall keeps the guest out of the server room, both ways
	[topologies/routing/static-classroom.xml]='all !guest>srv !srv>guest'
)
# A lab that starts a routing daemon (BIRD, FRR) reaches across its routers
# only once the daemons have converged: a few seconds (the labs' own
# <tests> await the same with timeouts).  Such a lab gets up to this many
# seconds for every pair to be as drawn before the pairs are checked.
SETTLE=60
runs_routing_daemon() {
	grep -oE '<start[^>]*>[^<]*' "$1" | grep -qE '(^|[^[:alnum:]_.-])(bird|frrinit\.sh|zebra|bgpd|ospfd|ripd)([^[:alnum:]_.-]|$)'
}
# run_example SRC FILE: up FILE (a copy of example SRC), reach as drawn, down
run_example() {
	local src=$1 f=$2 lacks
	lacks=$(kernel_lacks "$f" up)
	if [ -n "$lacks" ]; then
		diag "$src: not run here: this kernel lacks $lacks (tests/vm/run covers it)"
		return 1
	fi
	expect_rc 0 "up $src" "$NSLAB" up "$f" || return 1
	lab_inodes "$LAB"
	if [[ $src == *stp* ]]; then
		# a loop forwards only once STP has converged
		wait_for 15 "$NSLAB" exec "$LAB" h1 ping -c 1 -W 1 h2 || fail "$src: STP did not converge within 15 s"
	fi
	if runs_routing_daemon "$f"; then
		local t0
		t0=$(now)
		if wait_for $SETTLE reach_quietly "$LAB" "$f" "${how[$src]:-all}"; then
			diag "$src: routing converged in $(awk -v a="$t0" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }') s"
		else
			diag "$src: routing not converged within $SETTLE s"
		fi
	fi
	reach "$LAB" "$f" "${how[$src]:-all}"
	if [[ $src == *ipv6* ]]; then
		reach "$LAB" "$f" 'h1>fd00:6::2 h1>fd00:6:0:1::2 h3>fd00:6::1 h2>fd00:6:0:1::2'
	fi
	expect_rc 0 "down $src" "$NSLAB" down "$LAB"
}
n=0
while IFS= read -r src; do
	run_example "$src" "$(example_copy "$src")" && n=$((n + 1))
done < <(find topologies -name '*.xml' | sort)
[ $n -ge 8 ] || fail "only $n example labs run"

# The same labs with every <link>'s a and b swapped: each kind of link
# (host-switch, router-switch, router-router, a VLAN trunk between two
# switches, access ports) is built from its other end too.
for src in topologies/demo.xml topologies/routing/triangle.xml topologies/basics/vlans.xml; do
	f=$(example_copy "$src")
	sed -i -E 's|<link a="([^"]*)" b="([^"]*)"|<link a="\2" b="\1"|' "$f"
	grep -q '<link a="s1" b="r1:eth0"' "$f" || grep -q '<link a="r2:eth1" b="r1:eth1"' "$f" ||
		grep -q '<link a="s2" b="s1" vlans=' "$f" || fail "$src: links not reversed"
	run_example "$src" "$f"
done

# ---- shapes --------------------------------------------------------------
chain() { # chain ORDER [engine]: links written s1->s2 ("ab") or s2->s1 ("ba"),
	# every one through the impairment engine with "engine"
	local i
	echo "<lab name=\"$LAB\"${2:+ impairments=\"engine\"}>"
	for i in 1 2 3 4 5; do echo "<switch name=\"s$i\"/>"; done
	echo '<host name="h1"/><host name="h2"/><host name="h3"/>'
	for i in 1 2 3 4; do
		if [ "$1" = ab ]; then
			echo "<link a=\"s$i\" b=\"s$((i + 1))\"/>"
		else
			echo "<link a=\"s$((i + 1))\" b=\"s$i\"/>"
		fi
	done
	echo '<link a="h1" b="s1"/><link a="s3" b="h2"/><link a="h3" b="s5"/>'
	echo '</lab>'
}
ports_per_switch() { # LAB N: "2 3 2 ..." bridge ports of s1..sN
	local i out=
	for ((i = 1; i <= $2; i++)); do
		out+="$(ip -n "$1.s$i" -o link show master br0 | wc -l) "
	done
	echo "${out% }"
}
for order in ab ba "ab engine" "ba engine"; do
	# shellcheck disable=SC2086
	f=$(chain $order | lab_xml "chain-${order/ /-}")
	expect_rc 0 "up chain of 5 switches ($order)" "$NSLAB" up "$f" || continue
	lab_inodes "$LAB"
	p=$(ports_per_switch "$LAB" 5)
	[ "$p" = "2 2 3 2 2" ] || fail "chain $order: bridge ports per switch $p, expected 2 2 3 2 2"
	reach "$LAB" "$f" all
	expect_rc 0 "down chain" "$NSLAB" down "$LAB"
done

# Every kind of veth in one lab, in two orders: router-router and
# host-router links before the switch links, and after them.  Linux 6.1
# checks a new veth end's ifindex in the namespace of the socket that asks
# (apply.c): when hosts' eth0 were all ifindex 2, one sent from a switch's
# socket collided with the switch's br0 (2) and `up` failed with "File
# exists".  (Link ends are numbered apart now, topologies/README.md,
# "Automatic interface names"; the orders stay covered.)
mixed() { # mixed ORDER: "p2p-first" or "switch-first"
	local p2p='<link a="r1:eth0" b="r2:eth0"/><link a="h1" b="r1"/>'
	local sw='<link a="h2" b="s1"/><link a="s1" b="r2"/><link a="h3" b="s1"/>'
	echo "<lab name=\"$LAB\"><router name=\"r1\"><iface name=\"eth0\" addr=\"172.16.0.1/30\"/></router>"
	echo "<router name=\"r2\"><iface name=\"eth0\" addr=\"172.16.0.2/30\"/></router><switch name=\"s1\"/>"
	echo '<host name="h1" gateway="auto"/><host name="h2" gateway="auto"/><host name="h3" gateway="auto"/>'
	if [ "$1" = p2p-first ]; then echo "$p2p$sw"; else echo "$sw$p2p"; fi
	echo '</lab>'
}
for order in p2p-first switch-first; do
	f=$(mixed $order | lab_xml mixed-$order)
	expect_rc 0 "up mixed links ($order)" "$NSLAB" up "$f" || { diag "$ERR"; continue; }
	lab_inodes "$LAB"
	# no routes between the routers: each segment (the router-router one
	# by its fixed addresses), and a router's near side from its hosts
	reach "$LAB" "$f" "h1>r1 r1>172.16.0.2 r2>172.16.0.1 h2>h3 h3>h2 h2>r2 h3>r2"
	expect_rc 0 "down mixed" "$NSLAB" down "$LAB"
done

tree() {
	local i
	echo "<lab name=\"$LAB\">"
	for i in 1 2 3 4 5 6 7; do echo "<switch name=\"s$i\"/>"; done
	for i in 1 2 3 4 5 6 7 8; do echo "<host name=\"h$i\"/>"; done
	# Mininet's tree order: parent before its children, depth first
	echo '<link a="s1" b="s2"/><link a="s2" b="s4"/><link a="s4" b="h1"/><link a="s4" b="h2"/>'
	echo '<link a="s2" b="s5"/><link a="s5" b="h3"/><link a="s5" b="h4"/>'
	echo '<link a="s1" b="s3"/><link a="s3" b="s6"/><link a="s6" b="h5"/><link a="s6" b="h6"/>'
	echo '<link a="s3" b="s7"/><link a="s7" b="h7"/><link a="s7" b="h8"/>'
	echo '</lab>'
}
f=$(tree | lab_xml tree)
if expect_rc 0 "up switch tree of depth 3" "$NSLAB" up "$f"; then
	lab_inodes "$LAB"
	p=$(ports_per_switch "$LAB" 7)
	[ "$p" = "2 3 3 3 3 3 3" ] || fail "tree: bridge ports per switch $p, expected 2 3 3 3 3 3 3"
	reach "$LAB" "$f" all
	expect_rc 0 "down tree" "$NSLAB" down "$LAB"
fi

ring() {
	local i
	echo "<lab name=\"$LAB\">"
	for i in 1 2 3 4; do echo "<switch name=\"s$i\" stp=\"on\"/><host name=\"h$i\"/>"; done
	echo '<link a="s1" b="s2"/><link a="s2" b="s3"/><link a="s3" b="s4"/><link a="s4" b="s1"/>'
	for i in 1 2 3 4; do echo "<link a=\"h$i\" b=\"s$i\"/>"; done
	echo '</lab>'
}
# STP port states of the ring's switch-to-switch ports, counted by state
stp_states() {
	local i
	for i in 1 2 3 4; do
		bridge -n "$LAB.s$i" link show | grep -o 'master br0 state [a-z]*' | awk '{ print $4 }'
	done | sort | uniq -c | awk '{ printf "%s=%s ", $2, $1 }'
}
settled() { # no port listening or learning, exactly one blocking
	local s
	s=$(stp_states)
	[[ $s != *listening* && $s != *learning* && $s == *blocking=1\ * ]]
}
f=$(ring | lab_xml ring)
if expect_rc 0 "up STP ring of 4 switches" "$NSLAB" up "$f"; then
	lab_inodes "$LAB"
	t0=$(now)
	if wait_for 15 settled; then
		pass "ring: STP settled after $(awk -v a="$t0" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }') s: $(stp_states)"
	else
		fail "ring: STP not settled with one blocking port within 15 s: $(stp_states)"
	fi
	reach "$LAB" "$f" all
	expect_rc 0 "down ring" "$NSLAB" down "$LAB"
fi
exit 0

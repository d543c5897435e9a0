#!/bin/bash
# t-05: a node's view of the file system (README.md, "Inside a node"): <file>
# on /etc seen in the node only; /etc writes private per node; /run and /tmp
# private per node and kept between commands; hostname; NSLAB_LAB/NSLAB_NODE;
# /sys/class/net lists lo and the node's interfaces only; /shared shared.
. "$(dirname "$0")/lib.sh"

f=$(lab_xml files <<X
<lab name="$LAB">
  <router name="r1"/>
  <host name="h1">
    <file path="/etc/resolv.conf">
      # e2e resolv.conf of h1
      nameserver 192.0.2.53
    </file>
    <file path="/etc/e2e-$LAB/deep/conf" mode="0600">secret of h1</file>
    <file path="/shared/from-file">placed by a file element</file>
  </host>
  <host name="h2"/>
  <link a="h1" b="r1"/>
  <link a="h2" b="r1"/>
</lab>
X
)
host_sum() { sha256sum /etc/resolv.conf /etc/hostname /etc/hosts 2> /dev/null; }
sum_before=$(host_sum)
ls_before=$(ls -A /etc)
expect_rc 0 "up" "$NSLAB" up "$f" || die "up failed"
lab_inodes "$LAB"
x() { "$NSLAB" exec "$LAB" "$@"; }

out=$(x h1 cat /etc/resolv.conf)
[ "$out" = $'# e2e resolv.conf of h1\nnameserver 192.0.2.53' ] && pass "h1 sees its resolv.conf (indentation removed)" ||
	fail "h1's /etc/resolv.conf is: '$out'"
[ "$(x h2 cat /etc/resolv.conf)" = "$(cat /etc/resolv.conf)" ] || fail "h2 does not see the host's resolv.conf"
[ "$(x h1 cat /etc/e2e-$LAB/deep/conf)" = "secret of h1" ] || fail "h1's file in a new directory"
[ "$(x h1 stat -c %a /etc/e2e-$LAB/deep/conf)" = 600 ] || fail "mode 0600 not applied"
[ -e "/etc/e2e-$LAB" ] && fail "the host sees h1's /etc/e2e-$LAB"
x h2 test -e "/etc/e2e-$LAB" && fail "h2 sees h1's /etc/e2e-$LAB"
# the node's /etc is the host's below: an arbitrary host file is visible
[ "$(x h1 cat /etc/os-release)" = "$(cat /etc/os-release)" ] || fail "h1's /etc/os-release differs from the host's"
# /etc/hosts lists the nodes
x h2 getent hosts h1 | grep -q '^10\.' || fail "h2 cannot resolve h1 through /etc/hosts"

# writes under /etc stay in the node
x h1 sh -c "echo written-by-h1 > /etc/e2e-$LAB.txt && echo more >> /etc/resolv.conf" || fail "h1 cannot write under /etc"
[ "$(x h1 cat /etc/e2e-$LAB.txt)" = written-by-h1 ] || fail "h1 does not see its own write in a later exec"
x h2 test -e "/etc/e2e-$LAB.txt" && fail "h2 sees the file h1 wrote under /etc"
[ -e "/etc/e2e-$LAB.txt" ] && fail "the host sees the file h1 wrote under /etc"
x r1 sh -c 'echo r1 > /etc/hostname.e2e' || fail "r1 cannot write under /etc"
x h1 test -e /etc/hostname.e2e && fail "h1 sees r1's /etc write"

# /run and /tmp: private per node, kept between two execs of one node
x h1 sh -c 'echo run-h1 > /run/e2e-mark; echo tmp-h1 > /tmp/e2e-mark' || fail "h1 cannot write /run, /tmp"
[ "$(x h1 cat /run/e2e-mark /tmp/e2e-mark)" = $'run-h1\ntmp-h1' ] && pass "/run and /tmp persist between execs" ||
	fail "h1's /run or /tmp did not persist between two execs"
x h2 test -e /run/e2e-mark && fail "h2 sees h1's /run"
x h2 test -e /tmp/e2e-mark && fail "h2 sees h1's /tmp"
[ -e /run/e2e-mark ] && fail "the host sees h1's /run/e2e-mark"
[ -e /tmp/e2e-mark ] && fail "the host sees h1's /tmp/e2e-mark"
# the lab's shared directory (README.md, "Inside a node"; nslab(1)):
# /run/shared, and /shared too when that directory exists on the host, named
# by $NSLAB_SHARED
sh_dir=$(x h1 sh -c 'echo $NSLAB_SHARED')
if [ -d /shared ]; then want_sh=/shared; else want_sh=/run/shared; fi
[ "$sh_dir" = "$want_sh" ] || fail "NSLAB_SHARED is '$sh_dir', expected $want_sh"
[ "$want_sh" = /shared ] || diag "note: the host has no /shared, so the lab's shared directory is /run/shared only (README.md, 'Inside a node'; nslab.1)"
x h1 sh -c "echo shared-by-h1 > $want_sh/e2e" || fail "h1 cannot write $want_sh"
[ "$(x r1 cat $want_sh/e2e)" = shared-by-h1 ] || fail "r1 does not see $want_sh/e2e written by h1"
[ "$(x h2 cat $want_sh/from-file)" = "placed by a file element" ] || fail "<file path=/shared/from-file> is not in h2's $want_sh"
[ -e /shared/e2e ] && [ "$want_sh" = /run/shared ] && fail "the host's /shared was written"

# hostname and environment
for n in h1 h2 r1; do
	[ "$(x $n hostname)" = "$n" ] || fail "hostname in $n is '$(x $n hostname)'"
	[ "$(x $n cat /proc/sys/kernel/hostname)" = "$n" ] || fail "kernel hostname in $n"
	[ "$(x $n sh -c 'echo $NSLAB_LAB/$NSLAB_NODE')" = "$LAB/$n" ] || fail "NSLAB_LAB/NSLAB_NODE in $n"
done
[ "$(hostname)" != h1 ] || fail "the host's hostname became h1"
E2E_CALLER=kept x h1 sh -c 'test "$E2E_CALLER" = kept' || fail "the caller's environment is not passed to exec"

# /sys/class/net agrees with the node's network stack
[ "$(x h1 ls /sys/class/net | xargs)" = "eth0 lo" ] || fail "h1's /sys/class/net: $(x h1 ls /sys/class/net | xargs)"
[ "$(x r1 ls /sys/class/net | xargs)" = "eth0 eth1 lo" ] || fail "r1's /sys/class/net: $(x r1 ls /sys/class/net | xargs)"
x h1 test -e /sys/class/net/eth1 && fail "h1 sees an eth1"
[ "$(x h1 ip -o link | awk -F': ' '{print $2}' | sed 's/@.*//' | sort | xargs)" = "eth0 lo" ] || fail "h1's ip link"
x h1 ip -4 addr show lo | grep -q 127.0.0.1 || fail "h1's lo lacks 127.0.0.1"
# runs as root, sees the host's process table
[ "$(x h1 id -u)" = 0 ] || fail "exec does not run as root"
x h1 test -d /proc/$$ || fail "the node does not see the host's processes"

# no mount of the node leaks into the host
grep -q "/run/nslab/$LAB" /proc/self/mountinfo && fail "a mount of the lab is in the host's mount table"

expect_rc 0 "down" "$NSLAB" down "$LAB"
[ "$(host_sum)" = "$sum_before" ] && pass "host /etc/resolv.conf, hostname, hosts unchanged" || fail "host /etc files changed"
[ "$(ls -A /etc)" = "$ls_before" ] || fail "host /etc listing changed: $(diff <(echo "$ls_before") <(ls -A /etc))"
exit 0

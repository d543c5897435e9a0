#!/bin/bash
# hostile-inputs.sh — worst-case lab files within the 16 MiB cap are
# answered (accepted or refused) by `nslab check` in bounded time and memory
# (topologies/README.md, Limits).  Each generated case took from 9 s to
# minutes, or gigabytes, before the caps and the resolver's tables.  The
# bounds are generous (10 s, 512 MB of address space); the memory cap is
# skipped under AddressSanitizer, which reserves terabytes.  Needs no root.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
nslab=${NSLAB:-$top/nslab}
dir=$(mktemp -d /tmp/nslab-hostile.XXXXXX) || exit 1
trap 'rm -rf "$dir"' EXIT
limit=(prlimit --as=$((512 << 20)))
if nm "$nslab" 2>/dev/null | grep -q __asan_init || ldd "$nslab" | grep -q libasan; then
	limit=()
	echo "# AddressSanitizer build: no memory cap"
fi

python3 - "$dir" <<'PY'
import sys
d = sys.argv[1]
def ip(i):
    x = (10 << 24) + i
    return "%d.%d.%d.%d" % (x >> 24, (x >> 16) & 255, (x >> 8) & 255, x & 255)
cases = {
 # libxml2 checks an element's attributes for duplicates quadratically
 'attrs': '<lab name="x"><host name="h1"' + ''.join(' a%d="1"' % i for i in range(80000)) + '/></lab>\n',
 # 200,000 explicit addresses: duplicate and overlap checks
 'addrs': '<lab name="x" ipbase="none">' + ''.join('<host name="h%d"><iface name="lo" addr="%s"/></host>' % (h, ' '.join('%s/32' % ip(h * 64 + k) for k in range(64))) for h in range(3125)) + '</lab>\n',
 'addrs-one-iface': '<lab name="x"><host name="h"><iface name="lo" addr="' + ' '.join('%s/32' % ip(k) for k in range(200000)) + '"/></host></lab>\n',
 'gateway-auto': '<lab name="x"><router name="r"/><switch name="s"/><link a="r" b="s"/>' + ''.join('<switch name="s%d"/><link a="s" b="s%d"/>' % (k, k) for k in range(20)) + ''.join('<host name="h%d" gateway="auto"/><link a="h%d" b="s%d"/>' % (i, i, i // 1000) for i in range(20000)) + '</lab>\n',
 'p2p-links': '<lab name="x"><host name="h0"/><host name="h1"/>' + '<link a="h0" b="h1"/>' * 99990 + '</lab>\n',
 'link-steps': '<lab name="x"><host name="h0"/><host name="h1"/>' + '<link a="h0" b="h1"/>' * 49990 + '<tests>' + ''.join('<link-down a="h1" b="h0:eth%d"/>' % i for i in range(49990)) + '</tests></lab>\n',
 'files': '<lab name="x"><host name="h">' + ''.join('<file path="/etc/f%d"/>' % i for i in range(99990)) + '</host></lab>\n',
 'vlans': '<lab name="x">' + ''.join('<switch name="s%d" vlan-filtering="on"/><host name="h%d"/><link a="s%d" b="h%d" vlans="%s"/>' % (i, i, i, i, ','.join(str(v) for v in range(1, 60))) for i in range(30000)) + '</lab>\n',
 'segments': '<lab name="x"><host name="a"/>' + ''.join('<host name="h%d"><iface name="eth0" addr="%s/30"/></host><link a="h%d" b="a"/>' % (i, ip(4 * i + 1), i) for i in range(33000)) + '</lab>\n',
 'nodes': '<lab name="x">' + ''.join('<host name="h%d"/>' % i for i in range(99990)) + '</lab>\n',
 'elements': '<lab name="x">' + '<host name="1"/>' * 1000000 + '</lab>\n',
 'deep': '<lab name="x"><tests>' + '<a>' * 2000000 + '</a>' * 2000000 + '</tests></lab>\n',
}
for name, text in cases.items():
    assert len(text) <= 16 << 20, name
    open('%s/%s.xml' % (d, name), 'w').write(text)
PY
[ $? -eq 0 ] || { echo "not ok - generating the cases"; exit 1; }

fail=0
for f in "$dir"/*.xml; do
	name=$(basename "$f" .xml)
	start=$(date +%s.%N)
	out=$(timeout 10 "${limit[@]}" "$nslab" check "$f" 2>&1 >/dev/null); rc=$?
	secs=$(echo "$(date +%s.%N) - $start" | bc)
	first=${out%%$'\n'*}
	if [ "$rc" -ne 0 ] && [ "$rc" -ne 2 ]; then
		echo "not ok - $name: exit $rc after ${secs}s (124: over 10 s; else crashed or out of memory): ${first:0:160}"
		fail=$((fail + 1))
	else
		echo "# ok $name: exit $rc in ${secs}s ${first:0:100}"
	fi
done
[ "$fail" -eq 0 ]

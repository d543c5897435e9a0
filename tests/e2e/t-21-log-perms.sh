#!/bin/bash
# t-21: a node's log may carry secrets (start commands' output): the log
# directory is 0700 and each log 0600, whatever the umask, and another user
# cannot read them (README.md, "Security").
. "$(dirname "$0")/lib.sh"

f=$(lab_xml logperms <<X
<lab name="$LAB">
  <host name="h1">
    <start>echo token=fg-s3cret</start>
    <start background="yes">echo token=bg-s3cret; exec sleep 1000</start>
  </host>
  <host name="h2">
    <start background="yes">echo h2-started; exec sleep 1000</start>
  </host>
  <link a="h1" b="h2"/>
</lab>
X
)
# the widest umask: the modes must not depend on it
expect_rc 0 "up with umask 000" bash -c 'umask 000; exec "$@"' - "$NSLAB" up "$f" || die "up failed"
lab_inodes "$LAB"
dir=/run/nslab/$LAB/log
wait_for 5 grep -q bg-s3cret "$dir/h1.log" || fail "the daemon's output is not in $dir/h1.log"
m=$(stat -c %a "$dir")
[ "$m" = 700 ] && pass "log dir is 0700" || fail "log dir $dir has mode $m, expected 700"
for log in "$dir/h1.log" "$dir/h2.log"; do
	m=$(stat -c %a "$log")
	[ "$m" = 600 ] && pass "$(basename "$log") is 0600" || fail "$log has mode $m, expected 600"
	[ "$(stat -c %u "$log")" = 0 ] || fail "$log is not owned by root"
done

if command -v setpriv > /dev/null && id nobody > /dev/null 2>&1; then
	grp=$(id -gn nobody)
	asnobody() { setpriv --reuid=nobody --regid="$grp" --clear-groups --inh-caps=-all "$@"; }
	if asnobody true; then
		if asnobody cat "$dir/h1.log" > "$T/leak" 2>&1; then
			fail "nobody can read the log: $(cat "$T/leak")"
		elif grep -q s3cret "$T/leak"; then
			fail "nobody read a secret from the log"
		else
			pass "nobody cannot read the log ($(cat "$T/leak"))"
		fi
		asnobody ls "$dir" > /dev/null 2>&1 && fail "nobody can list $dir"
	fi
fi
expect_rc 0 "down" "$NSLAB" down "$LAB"
exit 0

#!/bin/bash
# t-19: <file src> reads regular files only, within the size caps, each
# distinct file once, and only from the lab file's directory unless
# --allow-host-src is given (topologies/README.md, "<file>" and "Limits").
# Builds nothing: only `check`, `plan` and `show FILE` run.
. "$(dirname "$0")/lib.sh"

D=$T/lab
mkdir -p "$D/files/sub" "$T/outside"
echo "hello from the lab dir" > "$D/files/motd.txt"
echo "outside" > "$T/outside/secret.txt"

# one <file src=SRC> per argument, in host h1 (paths /etc/f1, /etc/f2, ...)
lab_src() {
	local name=$1 i=0 s
	shift
	{
		printf '<lab name="t19">\n  <host name="h1">\n'
		for s in "$@"; do
			i=$((i + 1))
			printf '    <file path="/etc/f%d" src="%s"/>\n' "$i" "$s"
		done
		printf '  </host>\n</lab>\n'
	} > "$D/$name.xml"
	printf '%s\n' "$D/$name.xml"
}

# refused NAME LINE REGEX [nslab options] -- SRC... : check exits 2 within
# 5 s and its first message names the file, the line and REGEX
refused() {
	local name=$1 line=$2 re=$3 f opts=()
	shift 3
	while [ "$1" != -- ]; do opts+=("$1"); shift; done
	shift
	f=$(lab_src "$name" "$@")
	expect_rc 2 "$name refused" timeout 5 "$NSLAB" "${opts[@]}" check "$f" || return
	[[ "${ERR%%$'\n'*}" == "nslab: $f:$line: "* ]] ||
		fail "$name: first message does not name $f:$line: $ERR"
	grep -qE -- "$re" <<<"${ERR%%$'\n'*}" || fail "$name: /$re/ not in: $ERR"
}

# regular files inside the lab directory are accepted
f=$(lab_src ok files/motd.txt ./files/motd.txt files/sub/../motd.txt)
expect_rc 0 "src inside the lab dir" "$NSLAB" check "$f"
expect_rc 0 "plan of it" "$NSLAB" plan "$f"
grep -q "hello from the lab dir" <<<"$OUT" || fail "plan lacks the file's text"
ln -s ../motd.txt "$D/files/sub/link.txt"
f=$(lab_src inlink files/sub/link.txt)
expect_rc 0 "a symlink that stays inside" "$NSLAB" check "$f"
# a relative lab path: src is relative to the lab file, not to the cwd
(cd "$T" && expect_rc 0 "relative lab path" "$NSLAB" check lab/ok.xml)

# not a regular file: refused at once, never blocks
mkfifo "$D/fifo"
refused fifo 3 'src="fifo".*FIFO' -- fifo
refused dir 3 'src="files".*directory' -- files
python3 -c 'import socket,sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])' "$D/sock" &&
	refused socket 3 'src="sock".*socket' -- sock
refused device 3 'src="/dev/zero".*character device' --allow-host-src -- /dev/zero
refused fifo-2nd 4 'src="fifo".*FIFO' -- files/motd.txt fifo

# the path rule: nothing outside the lab file's directory without the option
refused absolute 3 'src="/etc/hostname".*outside the lab file.s directory.*--allow-host-src' -- /etc/hostname
refused dotdot 3 'src="\.\./outside/secret\.txt".*outside the lab file.s directory' -- ../outside/secret.txt
ln -s "$T/outside/secret.txt" "$D/files/escape"
refused symlink-abs 3 'src="files/escape".*outside the lab file.s directory' -- files/escape
ln -s ../../outside/secret.txt "$D/files/escape2"
refused symlink-rel 3 'src="files/escape2".*outside the lab file.s directory' -- files/escape2
refused magic 3 'src="/proc/self/root/etc/hostname"' --allow-host-src -- /proc/self/root/etc/hostname
f=$(lab_src outside "$T/outside/secret.txt" files/escape)
expect_rc 2 "plan refuses a host path" "$NSLAB" plan "$f"
grep -q outside <<<"$OUT" && fail "plan printed the host file's text"
expect_rc 2 "show FILE refuses a host path" "$NSLAB" show "$f"
expect_rc 0 "--allow-host-src lets check read host paths" "$NSLAB" --allow-host-src check "$f"
expect_rc 0 "--allow-host-src lets plan read host paths" "$NSLAB" --allow-host-src plan "$f"
grep -q '^outside$' <<<"$OUT" || fail "plan --allow-host-src lacks the host file's text"

# sizes: 16 MiB per file, 64 MiB in all, each distinct file counted once
for i in 1 2 3 4 5; do truncate -s 16M "$D/big$i"; done
truncate -s $((16 * 1024 * 1024 + 1)) "$D/huge"
refused over-cap 3 'src="huge".*16 MiB' -- huge
refused total-cap 7 'src="big5".*64 MiB' -- big1 big2 big3 big4 big5
ln "$D/big1" "$D/big1-hardlink"
refs=(); for i in $(seq 40); do refs+=(big1 big1-hardlink files/../big1); done
f=$(lab_src many "${refs[@]}" big2 big3 big4)
expect_rc 0 "120 references to one 16 MiB file and 3 more: 64 MiB" "$NSLAB" check "$f"
f=$(lab_src dedupe $(for i in $(seq 40); do echo big1; done))
if [ -x /usr/bin/time ]; then
	/usr/bin/time -f '%M' -o "$T/rss" "$NSLAB" check "$f" || fail "check of 40 references failed"
	kb=$(tail -n 1 "$T/rss")
	diag "check of 40 references to one 16 MiB file: peak RSS $((kb / 1024)) MiB"
	[ "$kb" -lt $((100 * 1024)) ] || fail "peak RSS ${kb} KiB: the file is read more than once"
fi
exit 0

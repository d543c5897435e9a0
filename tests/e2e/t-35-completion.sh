#!/bin/bash
# t-35: the bash completion (tools/nslab.bash) completes commands, options,
# files, --topo kinds, running labs, their nodes and link ends, and the
# words of `link`; it prints nothing and completes nothing when nslab
# fails; `make install` puts it where bash-completion looks.
. "$(dirname "$0")/lib.sh"

script=$top/tools/nslab.bash
bash -n "$script" || die "bash -n $script fails"
pass "bash -n tools/nslab.bash"

# comp LINE: complete at the end of LINE as bash would, COMP_WORDS split at
# blanks and at ':' and '=' (readline's word breaks, each run of them a
# word of its own); the replies, sorted, one a line, in $GOT (and what the
# completion printed on stdout and stderr in $NOISE).
comp() {
	local line=$1
	GOT=$(
		# shellcheck disable=SC1090
		. "$script" || exit 1
		COMP_LINE=$line COMP_POINT=${#line}
		read -ra COMP_WORDS <<< "$(sed -E 's/([:=]+)/ \1 /g' <<< "$line")"
		[[ $line == *[[:space:]] ]] && COMP_WORDS+=("")
		COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
		_nslab > "$T/.noise" 2>&1
		printf '%s\n' "${COMPREPLY[@]}" | sort
	)
	NOISE=$(cat "$T/.noise")
}
# expect_comp LINE WANT: the replies are exactly WANT (words, one line)
expect_comp() {
	local want
	comp "$1"
	want=$(tr ' ' '\n' <<< "$2" | sed '/^$/d' | sort)
	if [ "$GOT" != "$want" ]; then
		fail "'$1<TAB>' completed [$(echo $GOT)], expected [$(echo $want)]"
	elif [ -n "$NOISE" ]; then
		fail "'$1<TAB>' printed: $NOISE"
	else
		pass "'$1<TAB>' -> [$(echo $GOT)]"
	fi
}
# expect_has LINE WORD...: the replies include every WORD
expect_has() {
	local line=$1 w
	shift
	comp "$line"
	for w in "$@"; do
		grep -qxF -- "$w" <<< "$GOT" ||
			{ fail "'$line<TAB>' completed [$(echo $GOT)], without $w"; return; }
	done
	[ -n "$NOISE" ] && { fail "'$line<TAB>' printed: $NOISE"; return; }
	pass "'$line<TAB>' offers $*"
}

N=$NSLAB
# commands, read from nslab --help
expect_comp "$N u" "up"
expect_comp "$N p" "pingall plan"
expect_has "$N " up down run exec shell link cli ls show check plan gen test import
expect_comp "$N -v u" "up"
# global options before the command
expect_has "$N -" -v -q --help --version
expect_comp "$N --v" "--version"
# a command's options, from nslab CMD --help
expect_comp "$N up --n" "--name"
expect_comp "$N run --j" "--junit"
expect_comp "$N down --a" "--all"
expect_comp "$N ls " "--json"

# lab files: .xml and directories, not other files
mkdir -p "$T/files/sub"
: > "$T/files/lab1.xml"
: > "$T/files/notes.txt"
expect_comp "$N up $T/files/" "$T/files/lab1.xml $T/files/sub/"
expect_comp "$N check $T/files/l" "$T/files/lab1.xml"
expect_comp "$N -v up $T/files/l" "$T/files/lab1.xml"
# --topo kinds, from nslab gen --help
expect_comp "$N up --topo t" "tree torus"
expect_comp "$N run --topo " "minimal single reversed linear tree torus ring mesh"
expect_comp "$N gen r" "reversed ring"
expect_comp "$N up --topo tree,2" ""
# import: the formats, then their files
expect_comp "$N import " "clab kathara"
: > "$T/files/a.clab.yml"
expect_comp "$N import clab $T/files/" "$T/files/a.clab.yml $T/files/sub/"
expect_comp "$N import kathara $T/files/" "$T/files/sub/"
# the value of an option given in its usage as a|b (graph --format)
if "$NSLAB" graph --help > /dev/null 2>&1; then
	expect_comp "$N graph --format " "dot svg png"
else
	diag "no graph command in this nslab: --format not checked"
fi

# a missing lab or a failing nslab: nothing offered, nothing printed
expect_comp "$N exec nosuchlab$$ " ""
expect_comp "$N link nosuchlab$$ h1:" ""
expect_comp "$N show nosuchlab$$ --" "--json --topo"
COMP_NSLAB=$NSLAB
N=$T/no-such-nslab
expect_comp "$N u" ""
expect_comp "$N up --topo t" ""
printf '#!/bin/sh\necho garbage >&2\nexit 3\n' > "$T/bad-nslab"
chmod +x "$T/bad-nslab"
N=$T/bad-nslab
expect_comp "$N u" ""
expect_comp "$N exec lab1 " ""
N=$COMP_NSLAB

# a running lab: its name, its nodes, its link ends
f=$(lab_xml small <<EOF
<lab name="$LAB">
  <switch name="s1"/>
  <host name="h1"/>
  <host name="h2"/>
  <link a="h1" b="s1"/>
  <link a="h2:eth0" b="s1"/>
  <link a="h1:eth1" b="h2:eth1"/>
</lab>
EOF
)
expect_rc 0 "up the small lab" "$NSLAB" up "$f" || die "cannot go on without the lab"
lab_inodes "$LAB"
expect_has "$N exec " "$LAB"
expect_comp "$N down ${LAB%?}" "$LAB"
expect_comp "$N down $LAB $LAB" "$LAB"
expect_comp "$N exec $LAB " "s1 h1 h2"
expect_comp "$N shell $LAB h" "h1 h2"
expect_comp "$N cli $LAB -c" "-c"
expect_comp "$N exec $LAB h1 ip" "$(compgen -c ip | sort -u | tr '\n' ' ')"
expect_comp "$N exec $LAB h1 -- ip" "$(compgen -c ip | sort -u | tr '\n' ' ')"
expect_comp "$N exec $LAB h1 ping -" ""
expect_comp "$N link $LAB h" "h1 h2"
# bash replaces only what follows the last ':' (h1:<TAB> completes
# h1:eth0 from the reply eth0): the replies leave out what comes before
expect_comp "$N link $LAB h1:" "eth0 eth1"
expect_comp "$N link $LAB h1:eth0 s1:" "eth1 eth2"
expect_comp "$N link $LAB h1:eth0 s1:eth" "eth1 eth2"
expect_comp "$N link $LAB h1 s1 " "up down set"
expect_comp "$N link $LAB h1 s1 set " "rate= delay= jitter= loss= duplicate= reorder= corrupt= queue="
expect_comp "$N link $LAB h1 s1 set rate=1mbit del" "delay="
expect_comp "$N link $LAB h1 s1 set delay=" ""
expect_comp "$N link $LAB h1 s1 up " ""
# show NAME|FILE.xml: both the lab and the files
expect_has "$N show " "$LAB"
expect_comp "$N show $T/files/l" "$T/files/lab1.xml"
# capture NAME NODE:IFACE, once it exists
if "$NSLAB" capture --help > /dev/null 2>&1; then
	expect_has "$N capture $LAB h1:" eth0 eth1
else
	diag "no capture command in this nslab: NODE:IFACE not checked"
fi

# without root, the names still come (ls --json, nodes.tab), silently
if id nobody > /dev/null 2>&1; then
	got=$(setpriv --reuid=nobody --regid=nogroup --clear-groups bash -c '
		. "$1"
		for line in "$2 exec " "$2 exec $3 " "$2 link $3 h1:"; do
			COMP_LINE=$line COMP_POINT=${#line}
			read -ra COMP_WORDS <<< "$(sed -E "s/([:=]+)/ \1 /g" <<< "$line")"
			[[ $line == *" " ]] && COMP_WORDS+=("")
			COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
			_nslab
			echo "[$(printf "%s\n" "${COMPREPLY[@]}" | sort | tr "\n" " ")]"
		done' sh "$script" "$NSLAB" "$LAB" 2>&1)
	if [[ "$(sed -n 1p <<< "$got")" != *" $LAB "* && "$(sed -n 1p <<< "$got")" != "[$LAB "* ]]; then
		fail "as nobody, 'exec <TAB>' gave $(sed -n 1p <<< "$got"), without $LAB"
	elif [ "$(sed -n 2p <<< "$got")" != "[h1 h2 s1 ]" ]; then
		fail "as nobody, 'exec $LAB <TAB>' gave $(sed -n 2p <<< "$got"), expected the nodes (nodes.tab)"
	elif ! [[ "$(sed -n 3p <<< "$got")" =~ ^\[\ ?\]$ ]] || [ "$(wc -l <<< "$got")" != 3 ]; then
		fail "as nobody, 'link $LAB h1:<TAB>' printed or offered something: $got"
	else
		pass "without root: labs from ls, nodes from nodes.tab, no interfaces, no noise"
	fi
fi
expect_rc 0 "down the small lab" "$NSLAB" down "$LAB"
expect_comp "$N exec $LAB " ""

# make install puts it where bash-completion looks for a command's file
# (-o nslab: install the binary under test as it is; the Makefile would
# rebuild it otherwise, with flags other than this run's, such as
# SANITIZE's)
(cd "$top" && make -s -o nslab install DESTDIR="$T/inst" PREFIX=/usr > "$T/.make" 2>&1) ||
	fail "make install DESTDIR=$T/inst failed: $(cat "$T/.make")"
dir=$(pkg-config --variable=completionsdir bash-completion 2> /dev/null)
[ -n "$dir" ] || dir=/usr/share/bash-completion/completions
if cmp -s "$T/inst$dir/nslab" "$script"; then
	pass "make install PREFIX=/usr: $dir/nslab"
else
	fail "make install did not install $dir/nslab: $(cd "$T/inst" && find . -type f | tr '\n' ' ')"
fi
# the default PREFIX: bash-completion also looks in
# $XDG_DATA_DIRS/bash-completion/completions (/usr/local/share first)
(cd "$top" && make -s -o nslab install DESTDIR="$T/inst2" > "$T/.make" 2>&1) ||
	fail "make install DESTDIR=$T/inst2 failed: $(cat "$T/.make")"
cmp -s "$T/inst2/usr/local/share/bash-completion/completions/nslab" "$script" ||
	fail "make install did not install /usr/local/share/bash-completion/completions/nslab"
exit 0

# bash completion for nslab                                 -*- shell-script -*-
#
# Installed by `make install` as share/bash-completion/completions/nslab
# (bash-completion loads it on the first `nslab <TAB>`); from a clone:
# `source tools/nslab.bash`.
#
# Nothing here knows nslab's commands by heart: they, their options and
# the shape of their arguments are read from `nslab --help` and
# `nslab CMD --help` when you press TAB, so a new command completes without
# editing this file.  A usage line such as
#     nslab link NAME END END up|down
# says what each argument is: NAME a running lab (`nslab ls --json`), NODE
# one of its nodes and END a link end NODE or NODE:IFACE (`nslab show NAME
# --json`, which needs root; without it the node names come from the
# world-readable /run/nslab/NAME/nodes.tab), FILE.xml a lab file, SPEC a
# generated topology, lowercase words themselves.  Whatever fails (no
# nslab, no such lab, no root) completes nothing and prints nothing.

# The nslab being completed: the word as typed when it is a path
# (./nslab), else the one in PATH.
_nslab_bin()
{
	local w=${COMP_WORDS[0]}

	w=${w/#\~/$HOME}
	if [[ $w == */* && -x $w && ! -d $w ]]; then
		printf '%s\n' "$w"
	else
		type -P nslab 2> /dev/null
	fi
}

# Run nslab quietly: no stdin, no stderr, and a few seconds at most.
_nslab_run()
{
	local bin
	bin=$(_nslab_bin) || return 1
	[[ -n $bin ]] || return 1
	if type -P timeout > /dev/null 2>&1; then
		LC_ALL=C timeout 3 "$bin" "$@" < /dev/null 2> /dev/null
	else
		LC_ALL=C "$bin" "$@" < /dev/null 2> /dev/null
	fi
}

# The commands: the first word of the lines of `nslab --help` that are
# indented by two spaces and start with a lowercase word.
_nslab_commands()
{
	_nslab_run --help | sed -n 's/^  \([a-z][a-z0-9-]*\)\( .*\)\{0,1\}$/\1/p' |
		sort -u
}

# Options in a help text ($1): the ones in the usage lines and at the
# start of the indented option lines.
_nslab_options()
{
	printf '%s\n' "$1" |
		sed -n -e '/^usage:/,/^$/p' -e '/^  -/p' |
		grep -oE '(^|[][ |,])--?[a-zA-Z][a-zA-Z0-9-]*' |
		sed 's/^[][ |,]//' | sort -u
}

# The usage lines of a command's help text ($1), one alternative a line,
# "nslab CMD" cut off.
_nslab_usages()
{
	printf '%s\n' "$1" |
		sed -n -e 's/^usage: nslab [^ ]* *//p' -e 's/^       nslab [^ ]* *//p'
}

# Running labs (`nslab ls --json` needs no root).
_nslab_labs()
{
	_nslab_run ls --json |
		sed -n 's/^ *{"name": "\([A-Za-z][A-Za-z0-9_-]*\)".*/\1/p'
}

# "NODE" or "NODE IFACE" lines of lab $1 (IFACE: every interface but lo;
# with $2 = veth, only the cables).  `show NAME --json` needs root; without
# it, node names from nodes.tab.
_nslab_nodes()
{
	local lab=$1 kind=${2:-} line node='' json dir

	[[ $lab =~ ^[A-Za-z][A-Za-z0-9_-]{0,31}$ ]] || return 0
	json=$(_nslab_run show "$lab" --json)
	if [[ -n $json ]]; then
		while IFS= read -r line; do
			if [[ $line =~ ^\ *\{\"name\":\ \"([^\"]+)\",\ \"kind\":\ \"(host|router|switch)\",\ \"interfaces\" ]]; then
				node=${BASH_REMATCH[1]}
				printf '%s\n' "$node"
			elif [[ -n $node && $line =~ ^\ *\{\"name\":\ \"([^\"]+)\",\ \"ifindex\".*\"kind\":\ \"([^\"]*)\" ]]; then
				[[ ${BASH_REMATCH[1]} == lo ]] && continue
				[[ -n $kind && ${BASH_REMATCH[2]} != "$kind" ]] && continue
				printf '%s %s\n' "$node" "${BASH_REMATCH[1]}"
			fi
		done <<< "$json"
		return 0
	fi
	dir=${NSLAB_RUN_DIR:-/run/nslab}/$lab
	[[ -r $dir/nodes.tab ]] || return 0
	# line 1 is the header; then NAME KIND ...
	sed -n '2,$s/^\([A-Za-z][A-Za-z0-9_-]*\) \(host\|router\|switch\) .*/\1/p' \
		"$dir/nodes.tab" 2> /dev/null
}

# Complete $cur from the words in $1, one a line.  (Not from a pipe: the
# end of a pipeline runs in a subshell, and COMPREPLY would stay empty.)
_nslab_add()
{
	local w
	while IFS= read -r w; do
		[[ -n $w && $w == "$cur"* ]] && COMPREPLY+=("$w")
	done <<< "$1"
}

# Files: FILE.xml (*.xml and directories), FILE.clab.yml (*.yml),
# DIR, or any file.
_nslab_files()
{
	# `local -` keeps set -f to this function: a file named '*.xml' must
	# not expand to every .xml file
	local - IFS=$'\n' f
	set -f
	case $1 in
	xml | yml)
		for f in $(compgen -f -- "$cur"); do
			if [[ -d $f ]]; then
				COMPREPLY+=("$f/")
			elif [[ $f == *."$1" || ($1 == yml && $f == *.yaml) ]]; then
				COMPREPLY+=("$f")
			fi
		done
		;;
	dir)
		for f in $(compgen -d -- "$cur"); do COMPREPLY+=("$f/"); done
		;;
	*)
		for f in $(compgen -f -- "$cur"); do
			[[ -d $f ]] && f+=/
			COMPREPLY+=("$f")
		done
		;;
	esac
	# a directory is a step, not an end
	[[ ${#COMPREPLY[@]} -gt 0 && ${COMPREPLY[*]} == */ ]] && compopt -o nospace 2> /dev/null
	compopt -o filenames 2> /dev/null
	return 0
}

# The generated topologies' kinds, from `nslab gen --help`.
_nslab_kinds()
{
	local k
	k=$(_nslab_run gen --help | sed -n 's/^    \([a-z][a-z0-9]*\)[[,: ].*/\1/p')
	[[ -n $k ]] || k=$'minimal\nsingle\nreversed\nlinear\ntree\ntorus\nring\nmesh'
	printf '%s\n' "$k"
}

# The KEYs of `link ... set KEY=VALUE`: "KEY is a, b ... or z" in
# `nslab link --help`.
_nslab_link_keys()
{
	local text
	local -a keys
	text=$(_nslab_run link --help | tr '\n' ' ' | tr -s ' ')
	if [[ $text =~ KEY\ is\ ([a-z ,]+)\ or\ ([a-z]+) ]]; then
		read -ra keys <<< "${BASH_REMATCH[1]//,/} ${BASH_REMATCH[2]}"
	else
		keys=(rate delay jitter loss duplicate reorder corrupt queue)
	fi
	printf '%s=\n' "${keys[@]}"
}

# The values of option $1 written in the help text as "--format
# dot|svg|png", one a line.
_nslab_optvals()
{
	local re="(^|[][ |,])$1 ([a-z0-9]+(\|[a-z0-9]+)+)"
	[[ $chelp =~ $re ]] && printf '%s\n' "${BASH_REMATCH[2]//|/$'\n'}"
}

# Does option $1 take a value?  In the help text it is followed by an
# uppercase word ([--name NAME], --count N) or by its values (a|b).
_nslab_takes_arg()
{
	local re="(^|[][ |,])$1 ([A-Z][A-Z.]*|[a-z0-9]+(\|[a-z0-9]+)+)([]. ]|$)"
	[[ $1 != -- && $chelp =~ $re ]]
}

# Complete the value of option $1.
_nslab_optarg()
{
	local vals
	case $1 in
	--topo)
		# the kind; the numbers after it are the user's
		[[ $cur == *,* ]] || _nslab_add "$(_nslab_kinds)"
		return 0
		;;
	--format) vals=$(_nslab_optvals "$1") ;;
	esac
	[[ -n $vals ]] || vals=$(_nslab_optvals "$1")
	if [[ -n $vals ]]; then
		_nslab_add "$vals"
	elif [[ $1 == --format ]]; then
		_nslab_add $'dot\nsvg\npng'
	elif [[ $chelp =~ (^|[][ |,])$1\ FILE ]]; then
		_nslab_files any
	fi
	return 0
}

# Complete one placeholder of a usage line ($1), the lab being $lab.
_nslab_placeholder()
{
	local p=$1 alt node n i kind=

	# NAME|FILE.xml: both
	if [[ $p == *'|'* ]]; then
		local IFS='|'
		for alt in $p; do
			_nslab_placeholder "$alt"
		done
		return 0
	fi
	p=${p%...}
	case $p in
	NAME) _nslab_add "$(_nslab_labs)" ;;
	NODE) _nslab_add "$(_nslab_nodes "$lab" | grep -v ' ')" ;;
	END | NODE:IFACE | 'NODE[:IFACE]')
		[[ $p == END ]] && kind=veth
		if [[ $cur == *:* ]]; then
			node=${cur%%:*}
			_nslab_add "$(_nslab_nodes "$lab" "$kind" |
				while read -r n i; do
					[[ -n $i && $n == "$node" ]] && echo "$n:$i"
				done)"
		else
			_nslab_add "$(_nslab_nodes "$lab" | grep -v ' ')"
			# the interface is not optional: the node goes on with ':'
			if [[ $p == NODE:IFACE && ${#COMPREPLY[@]} -gt 0 ]]; then
				COMPREPLY=("${COMPREPLY[@]/%/:}")
				compopt -o nospace 2> /dev/null
			fi
		fi
		;;
	*.xml) _nslab_files xml ;;
	*.yml | *.yaml) _nslab_files yml ;;
	DIR) _nslab_files dir ;;
	FILE) _nslab_files any ;;
	SPEC) [[ $cur == *,* ]] || _nslab_add "$(_nslab_kinds)" ;;
	KEY=VALUE)
		if [[ $cur != *=* ]]; then
			_nslab_add "$(_nslab_link_keys)"
			compopt -o nospace 2> /dev/null
		fi
		;;
	CMD)
		mapfile -t -O "${#COMPREPLY[@]}" COMPREPLY < <(compgen -c -- "$cur")
		;;
	ARG) _nslab_files any ;;
	*[A-Z]*) ;;
	*) _nslab_add "$p" ;;
	esac
	return 0
}

# COMP_WORDS is split at ':' and '=' too; put "h1 : eth0" back together
# as "h1:eth0" (words with no blank between them in COMP_LINE), giving
# words[] and cword.
_nslab_words()
{
	local line=${COMP_LINE:0:COMP_POINT} i pos=0 w glue
	words=() cword=-1
	for ((i = 0; i < ${#COMP_WORDS[@]}; i++)); do
		w=${COMP_WORDS[i]}
		glue=1
		while ((pos < ${#line})) && [[ ${line:pos:1} == [[:space:]] ]]; do
			pos=$((pos + 1)) glue=0
		done
		if ((i > 0 && glue)); then
			words[${#words[@]} - 1]+=$w
		else
			words+=("$w")
		fi
		((i == COMP_CWORD)) && cword=$((${#words[@]} - 1))
		pos=$((pos + ${#w}))
	done
	((cword >= 0)) || cword=$((${#words[@]} - 1))
}

# The positional words of a usage line ($1): a bracketed option with its
# value ([--name NAME]), an option with its value (--topo SPEC) and "|"
# between alternatives are dropped, brackets around the rest opened
# ([ARG...] is ARG...).  NODE[:IFACE] stays a word.
_nslab_positional()
{
	local -a w out=()
	local i x depth=0
	read -ra w <<< "$1"
	for ((i = 0; i < ${#w[@]}; i++)); do
		x=${w[i]}
		if ((depth)); then
			# inside a bracketed option: up to its ']'
			[[ $x == *']' ]] && depth=0
			continue
		fi
		if [[ $x == '[-'[a-zA-Z-]* && $x != '[--]' ]]; then
			[[ $x == *']' ]] || depth=1
			continue
		fi
		while [[ $x == '['* ]]; do x=${x#[}; done
		while [[ $x == *']' && $x != *'['*']' ]]; do x=${x%]}; done
		case $x in
		'|' | -- | '') ;;
		-*)
			[[ ${w[i + 1]:-} =~ ^([A-Z][A-Z.]*|[a-z0-9]+(\|[a-z0-9]+)+)$ ]] &&
				i=$((i + 1))
			;;
		*) out+=("$x") ;;
		esac
	done
	printf '%s\n' "${out[*]}"
}

# tok = the word of toks[] for argument $1 (a last "..." one repeats).
_nslab_tok()
{
	local n=${#toks[@]}
	tok=
	((n)) || return 1
	if (($1 < n)); then
		tok=${toks[$1]}
	elif [[ ${toks[n - 1]} == *... ]]; then
		tok=${toks[n - 1]}
	else
		return 1
	fi
	return 0
}

# Has the command of `exec NAME NODE CMD [ARG...]` begun?  When args[]
# reaches past a usage's CMD, the words are that command's, not nslab's.
_nslab_in_cmd()
{
	local u n
	local -a t
	while IFS= read -r u; do
		read -ra t <<< "$(_nslab_positional "$u")"
		for ((n = 0; n < ${#t[@]}; n++)); do
			[[ ${t[n]} == CMD && ${#args[@]} -gt $n ]] && return 0
		done
	done <<< "$usages"
	return 1
}

# bash splits words at ':' and '=' too (COMP_WORDBREAKS), and replaces
# only what follows the last of them: the replies must not repeat it.
_nslab_colon()
{
	local pre
	if [[ $cur == *[:=]* ]]; then
		pre=${cur%"${cur##*[:=]}"}
		[[ $pre == *:* && $COMP_WORDBREAKS != *:* ]] && return 0
		COMPREPLY=("${COMPREPLY[@]#"$pre"}")
	fi
}

_nslab()
{
	local words cword cur i w cmd='' cmdi=0 chelp opts usages u ok pos tok lab
	local -a args toks
	COMPREPLY=()
	_nslab_words
	cur=${words[cword]}

	# global options, then the command
	for ((i = 1; i < cword; i++)); do
		if [[ ${words[i]} != -* ]]; then
			cmd=${words[i]} cmdi=$i
			break
		fi
	done
	if [[ -z $cmd ]]; then
		if [[ $cur == -* ]]; then
			opts=$(_nslab_options "$(_nslab_run --help)")
			[[ -n $opts ]] || opts=$'-v\n-q\n--help\n--version'
			_nslab_add "$opts"
		else
			_nslab_add "$(_nslab_commands)"
		fi
		return 0
	fi
	[[ $cmd =~ ^[a-z][a-z0-9-]*$ ]] || return 0
	chelp=$(_nslab_run "$cmd" --help)
	[[ -n $chelp ]] || return 0
	usages=$(_nslab_usages "$chelp")
	opts=$(_nslab_options "$chelp")

	# the arguments so far, options and their values left out; after
	# CMD (exec), every word is the command's
	args=()
	for ((i = cmdi + 1; i < cword; i++)); do
		w=${words[i]}
		if ! _nslab_in_cmd; then
			[[ $w == -- ]] && continue
			if [[ $w == -* ]]; then
				if _nslab_takes_arg "$w"; then
					# the cursor is on this option's value
					if ((i + 1 == cword)); then
						_nslab_optarg "$w"
						_nslab_colon
						return 0
					fi
					i=$((i + 1))
				fi
				continue
			fi
		fi
		args+=("$w")
	done

	if [[ $cur == -* ]] && ! _nslab_in_cmd; then
		_nslab_add "$opts"
		return 0
	fi

	# each usage line whose words so far agree with ours offers its
	# next word
	while IFS= read -r u; do
		read -ra toks <<< "$(_nslab_positional "$u")"
		ok=1
		for ((pos = 0; pos < ${#args[@]}; pos++)); do
			_nslab_tok "$pos" || { ok=0; break; }
			# a lowercase word must be typed as it is
			if [[ $tok != *[A-Z]* ]]; then
				[[ "|$tok|" == *"|${args[pos]}|"* ]] || { ok=0; break; }
			fi
		done
		((ok)) || continue
		_nslab_tok "${#args[@]}" || continue
		lab=
		for ((i = 0; i < ${#args[@]} && i < ${#toks[@]}; i++)); do
			if [[ ${toks[i]} == NAME* ]]; then
				lab=${args[i]}
				break
			fi
		done
		_nslab_placeholder "$tok"
	done <<< "$usages"

	# nothing left to name: the options
	if [[ ${#COMPREPLY[@]} -eq 0 && -z $cur ]] && ! _nslab_in_cmd; then
		_nslab_add "$opts"
	fi
	# two usage lines may offer the same word
	if [[ ${#COMPREPLY[@]} -gt 1 ]]; then
		mapfile -t COMPREPLY < <(printf '%s\n' "${COMPREPLY[@]}" | sort -u)
	fi
	_nslab_colon
	return 0
}

complete -F _nslab nslab

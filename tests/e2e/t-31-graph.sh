#!/bin/bash
# t-31: nslab graph (README.md, "Seeing a lab: graph").
#   Every example lab gives DOT that Graphviz parses, with one edge per
#   <link> and one node per host, router and switch, each kind its shape;
#   a running lab by NAME gives the very bytes of its file (also with the
#   impairment engine's relay in it); --format svg and png are Graphviz's
#   renderings, png refused on a terminal; without dot on PATH plain DOT
#   still works and svg exits 3 naming graphviz; a dot that fails is
#   reported; as root, dot runs as nobody with no groups and no new
#   privileges, and one nobody cannot run is named; bad format, unknown lab
#   and bad file exit 2.
. "$(dirname "$0")/lib.sh"

for c in dot gvpr xmllint; do
	command -v $c > /dev/null || skip "needs $c (tools/install-deps installs graphviz, libxml2-utils)"
done

# kinds FILE.dot SHAPE: the names of the graph's nodes of that shape, sorted
shapes() { gvpr "N [\$.shape == \"$2\"] { print(\$.name) }" "$1" | sort; }
# names FILE.xml KIND: the names of the lab's <KIND> elements, sorted
names() {
	xmllint --xpath "/lab/$2/@name" "$1" 2> /dev/null |
		sed -E 's/^ *name="([^"]*)"$/\1/' | sort
}

# ---- every example ------------------------------------------------------
n=0
while IFS= read -r f; do
	n=$((n + 1))
	"$NSLAB" graph "$f" > "$T/g.dot" 2> "$T/g.err"
	rc=$?
	[ $rc = 0 ] || { fail "$f: graph exited $rc: $(cat "$T/g.err")"; continue; }
	[ -s "$T/g.err" ] && fail "$f: graph wrote on stderr: $(cat "$T/g.err")"
	if ! dot -Tcanon "$T/g.dot" > "$T/c.dot" 2> "$T/dot.err" || [ -s "$T/dot.err" ]; then
		fail "$f: dot -Tcanon: $(cat "$T/dot.err")"
		continue
	fi
	edges=$(gvpr 'BEG_G { printf("%d\n", nEdges($G)) }' "$T/c.dot")
	links=$(xmllint --xpath 'count(//link)' "$f")
	[ "$edges" = "$links" ] && [ "$links" -gt 0 ] ||
		fail "$f: $edges edges for $links <link> elements"
	for k in host router switch; do
		case $k in
		host) s=box ;;
		router) s=ellipse ;;
		switch) s=box3d ;;
		esac
		[ "$(shapes "$T/c.dot" $s)" = "$(names "$f" $k)" ] ||
			fail "$f: the ${s}es are $(shapes "$T/c.dot" $s | tr '\n' ' '), its ${k}s $(names "$f" $k | tr '\n' ' ')"
	done
	nodes=$(gvpr 'BEG_G { printf("%d\n", nNodes($G)) }' "$T/c.dot")
	want=$(xmllint --xpath 'count(/lab/host | /lab/router | /lab/switch)' "$f")
	[ "$nodes" = "$want" ] || fail "$f: $nodes nodes in the graph, $want in the file"
	grep -q _engine "$T/g.dot" && fail "$f: the engine's relay is in the graph"
	"$NSLAB" graph "$f" | cmp -s - "$T/g.dot" || fail "$f: a second run gives other bytes"
done < <(find topologies -name '*.xml' | sort)
[ "$n" -ge 16 ] && pass "$n example labs graphed" || fail "only $n example labs found"

# what demo.xml's comments say: r1:eth1 is 10.0.0.9/29 on s2's first port,
# limited to 10 Mbit/s both ways
"$NSLAB" graph topologies/demo.xml > "$T/demo.dot"
grep -qxF "$(printf '\t"r1" -- "s2" [taillabel="eth1\\n10.0.0.9/29", headlabel="eth1", label="rate=10mbit"];')" "$T/demo.dot" ||
	fail "demo: no edge r1 -- s2 with 10.0.0.9/29 and rate=10mbit in: $(cat "$T/demo.dot")"

# a generated topology: tree,2,3 has 3 + 9 links
if expect_rc 0 "graph --topo tree,2,3" "$NSLAB" graph --topo tree,2,3; then
	e=$(gvpr 'BEG_G { printf("%d\n", nEdges($G)) }' <<<"$OUT")
	[ "$e" = 12 ] || fail "tree,2,3: $e edges, not 12"
fi

# ---- a running lab by NAME: the bytes of its file -------------------------
f=$(example_copy topologies/demo.xml)
expect_rc 0 "up demo as $LAB" "$NSLAB" up "$f" || die "up failed"
lab_inodes "$LAB"
"$NSLAB" graph "$f" > "$T/file.dot"
expect_rc 0 "graph $LAB" "$NSLAB" graph "$LAB"
printf '%s\n' "$OUT" | cmp -s - "$T/file.dot" ||
	fail "graph $LAB differs from graph of its file: $(diff <(printf '%s\n' "$OUT") "$T/file.dot" | head -20)"
grep -q "^graph \"$LAB\" {" "$T/file.dot" || fail "the graph is not named $LAB"

# with the impairment engine (its relay is a namespace of the lab; on a
# kernel with netem, impairments="engine" asks for it all the same)
new_lab L2
sed -e "0,/<lab name=\"[^\"]*\"/s//<lab name=\"$L2\" impairments=\"engine\"/" \
	topologies/basics/netem-delay.xml > "$T/netem.xml"
expect_rc 0 "up netem-delay through the engine as $L2" "$NSLAB" up "$T/netem.xml" || die "up failed"
lab_inodes "$L2"
[ -e "/run/netns/$L2._engine" ] || fail "$L2 has no relay namespace /run/netns/$L2._engine"
"$NSLAB" graph "$T/netem.xml" > "$T/netem-file.dot"
expect_rc 0 "graph $L2" "$NSLAB" graph "$L2"
printf '%s\n' "$OUT" | cmp -s - "$T/netem-file.dot" || fail "graph $L2 differs from its file's"
grep -q _engine <<<"$OUT" && fail "graph $L2 shows the engine's relay"
grep -qF 'label="impairments=engine\na-to-b: delay=20ms jitter=2ms loss=0.5%\nb-to-a: delay=20ms jitter=2ms loss=0.5% corrupt=0.1%"' <<<"$OUT" ||
	fail "graph $L2: not the shaping of netem-delay.xml: $OUT"

# ---- rendered -----------------------------------------------------------
if expect_rc 0 "graph --format svg $LAB" "$NSLAB" graph --format svg "$LAB"; then
	grep -q '<svg' <<<"$OUT" && grep -q '>h1</text>' <<<"$OUT" ||
		fail "--format svg: not an SVG of the lab: $(head -c 300 <<<"$OUT")"
fi
"$NSLAB" graph "$f" --format png > "$T/g.png"
rc=$?
[ $rc = 0 ] || fail "--format png exited $rc"
[ "$(head -c 8 "$T/g.png" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ] ||
	fail "--format png: no PNG signature: $(head -c 8 "$T/g.png" | od -An -c)"
[ "$(stat -c %s "$T/g.png")" -gt 1000 ] || fail "--format png: only $(stat -c %s "$T/g.png") bytes"
# on a terminal (script gives the command a pty)
if command -v script > /dev/null; then
	script -qec "$NSLAB graph --format png $f" /dev/null > "$T/tty.out" 2>&1
	rc=$?
	[ $rc = 2 ] || fail "--format png on a terminal exited $rc, expected 2"
	grep -q "terminal" "$T/tty.out" || fail "--format png on a terminal: $(cat -v "$T/tty.out")"
	grep -q PNG "$T/tty.out" && fail "--format png wrote PNG on a terminal"
fi

# ---- without dot, and with a dot that fails ------------------------------
# (the fake dots below must be reachable by nobody, whom root runs dot as)
chmod 711 "$T"
mkdir -m 755 "$T/nodot" "$T/baddot" "$T/whodot" "$T/hiddendot"
if expect_rc 0 "plain DOT with no dot on PATH" env PATH="$T/nodot" "$NSLAB" graph "$f"; then
	printf '%s\n' "$OUT" | cmp -s - "$T/file.dot" || fail "DOT without dot on PATH differs"
fi
for fmt in svg png; do
	if expect_rc 3 "--format $fmt with no dot on PATH" env PATH="$T/nodot" "$NSLAB" graph --format $fmt "$f"; then
		[ "$ERR" = "nslab: graph: --format $fmt needs Graphviz's dot: apt-get install graphviz" ] ||
			fail "--format $fmt without dot: $ERR"
		[ -z "$OUT" ] || fail "--format $fmt without dot wrote on stdout"
	fi
done
printf '#!/bin/sh\necho "Error: this dot fails" >&2\nexit 1\n' > "$T/baddot/dot"
chmod +x "$T/baddot/dot"
# a large graph: the failing dot reads none of it, so the pipe breaks
if expect_rc 3 "a dot that fails" env PATH="$T/baddot" "$NSLAB" graph --format svg --topo tree,3,6; then
	grep -q "this dot fails" <<<"$ERR" || fail "dot's own message is not passed on: $ERR"
	grep -q "nslab: graph: dot -Tsvg failed (exit status 1" <<<"$ERR" || fail "no message for the failing dot: $ERR"
fi

# ---- as root, dot runs as nobody -----------------------------------------
if [ "$(id -u)" = 0 ]; then
	cat > "$T/whodot/dot" <<'EOS'
#!/bin/sh
PATH=/usr/bin:/bin
cat > /dev/null
echo "uid=$(id -u) gid=$(id -g) groups=$(id -G) $(grep NoNewPrivs /proc/self/status | tr -d '\t ')"
EOS
	chmod 755 "$T/whodot/dot"
	if expect_rc 0 "a dot that says who it is" env PATH="$T/whodot" "$NSLAB" graph --format svg "$f"; then
		[ "$OUT" = "uid=65534 gid=65534 groups=65534 NoNewPrivs:1" ] ||
			fail "as root, dot ran as: $OUT"
	fi
	# the same dot where nobody cannot reach it
	cp "$T/whodot/dot" "$T/hiddendot/dot"
	chmod 700 "$T/hiddendot"
	if expect_rc 3 "a dot nobody cannot run" env PATH="$T/hiddendot" "$NSLAB" graph --format svg "$f"; then
		grep -qF "nslab: graph: cannot run dot as nobody (uid 65534" <<<"$ERR" &&
			grep -q "Permission denied" <<<"$ERR" || fail "a dot nobody cannot run: $ERR"
	fi
fi

# ---- refused --------------------------------------------------------------
expect_rc 2 "--format bmp" "$NSLAB" graph --format bmp "$f" &&
	! grep -qF -- 'nslab: --format "bmp": unknown format' <<<"$ERR" && fail "--format bmp: $ERR"
expect_rc 2 "--format without a value" "$NSLAB" graph "$f" --format
expect_rc 2 "an unknown lab" "$NSLAB" graph "nosuch$$" &&
	! grep -q "nosuch$$: no such lab" <<<"$ERR" && fail "unknown lab: $ERR"
printf '<lab name="bad">\n  <host name="h1"/>\n  <link a="h1" b="h9"/>\n</lab>\n' > "$T/bad.xml"
expect_rc 2 "a bad file" "$NSLAB" graph "$T/bad.xml" &&
	! grep -q "^nslab: $T/bad.xml:3: <link> b=\"h9\"" <<<"$ERR" && fail "bad file: $ERR"
[ -z "$OUT" ] || fail "a bad file gave output: $OUT"
expect_rc 2 "a bad --topo" "$NSLAB" graph --topo tree,0

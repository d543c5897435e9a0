/* test_import_clab.c — nslab import clab (core/import.h): containerlab
 * topologies in, lab files out, each output parsed and resolved again by
 * nslab itself; hostile YAML refused with a line, never a crash. */
#include "../tsuite.h"
#include "import.h"
#include "lab.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char dir[64];

struct res {
	int ret;
	char *out, *warn;
	char why[512];
};

static void put(const char *name, const char *text)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	ck_assert_msg(f != NULL, "%s: %s", path, strerror(errno));
	fputs(text, f);
	ck_assert_int_eq(fclose(f), 0);
}

static void mkd(const char *name)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	ck_assert_msg(!mkdir(path, 0755) || errno == EEXIST, "%s", path);
}

static void res_free(struct res *r)
{
	free(r->out);
	free(r->warn);
}

/* Import YAML (written as DIR/t.clab.yml) into R. */
static void import(const char *yaml, struct res *r)
{
	char path[256];
	size_t ol = 0, wl = 0;
	FILE *o, *w;

	put("t.clab.yml", yaml);
	snprintf(path, sizeof(path), "%s/t.clab.yml", dir);
	memset(r, 0, sizeof(*r));
	o = open_memstream(&r->out, &ol);
	w = open_memstream(&r->warn, &wl);
	ck_assert(o && w);
	r->ret = import_clab(path, o, w, r->why, sizeof(r->why));
	fclose(o);
	fclose(w);
}

/* The output is a lab nslab takes: parsed and resolved, files read. */
static void assert_valid(const struct res *r)
{
	struct lab_errors errs;
	struct lab *lab = NULL;
	int ret;

	ck_assert_msg(r->ret == 0, "import failed: %d %s", r->ret, r->why);
	lab_errors_init(&errs, "out.xml");
	ret = lab_parse_buffer(r->out, strlen(r->out), "out.xml", dir, &lab,
			       &errs);
	if (!ret)
		ret = lab_resolve(lab, &errs);
	ck_assert_msg(ret == 0, "nslab refuses the output (%s: line %d: %s):\n%s",
		      errs.n ? errs.v[0].msg : "?", errs.n ? errs.v[0].line : 0,
		      errs.n ? errs.v[0].msg : "", r->out);
	lab_free(lab);
}

#define HAS(hay, needle)                                                   \
	ck_assert_msg(strstr((hay), (needle)) != NULL,                     \
		      "missing \"%s\" in:\n%s", (needle), (hay))
#define HASNT(hay, needle)                                                 \
	ck_assert_msg(strstr((hay), (needle)) == NULL,                     \
		      "unexpected \"%s\" in:\n%s", (needle), (hay))

/* A line of warnings naming LINE and WHAT. */
static void warned(const struct res *r, int line, const char *what)
{
	char want[300];

	snprintf(want, sizeof(want), "t.clab.yml:%d: not carried over: %s",
		 line, what);
	HAS(r->warn, want);
	HAS(r->warn, "nslab: import: ");
}

static void setup(void)
{
	snprintf(dir, sizeof(dir), "/tmp/nslab-clab-XXXXXX");
	ck_assert(mkdtemp(dir) != NULL);
}

static void teardown(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}

START_TEST(test_brief_and_extended_links)
{
	struct res r;

	import("name: two\n"
	       "topology:\n"
	       "  nodes:\n"
	       "    a: {kind: linux}\n"
	       "    b:\n"
	       "      kind: linux\n"
	       "  links:\n"
	       "    - endpoints: [\"a:eth1\", \"b:eth1\"]\n"
	       "    - type: veth\n"
	       "      mtu: 1400\n"
	       "      endpoints:\n"
	       "        - node: a\n"
	       "          interface: e2\n"
	       "        - {node: b, interface: eth2, mac: 02:00:00:00:00:01}\n",
	       &r);
	assert_valid(&r);
	HAS(r.out, "<lab name=\"two\" ipbase=\"none\" ipv6=\"on\"");
	HAS(r.out, "<!-- imported from ");
	HAS(r.out, "<host name=\"a\"/>");
	HAS(r.out, "<link a=\"a:eth1\" b=\"b:eth1\"/>");
	HAS(r.out, "<link a=\"a:e2\" b=\"b:eth2\" mtu=\"1400\"/>");
	warned(&r, 14, "endpoint b: mac");
	res_free(&r);
}
END_TEST

START_TEST(test_precedence)
{
	struct res r;

	/* kind from the group; image node > group > kind > defaults; exec
	 * defaults, kind, group, node; binds by container path; env merged */
	put("d.conf", "defaults\n");
	put("k.conf", "kind\n");
	put("g.conf", "group\n");
	put("n.conf", "node\n");
	import("name: prec\n"
	       "topology:\n"
	       "  defaults:\n"
	       "    image: img-defaults\n"
	       "    exec: [\"echo d\"]\n"
	       "    binds: [\"d.conf:/etc/x/a\", \"d.conf:/etc/x/d\"]\n"
	       "    env: {A: d, B: d, C: d, D: d}\n"
	       "  kinds:\n"
	       "    linux:\n"
	       "      image: img-kind\n"
	       "      exec: [\"echo k\"]\n"
	       "      binds: [\"k.conf:/etc/x/a\", \"k.conf:/etc/x/b\"]\n"
	       "      env: {B: k, C: k, D: k}\n"
	       "  groups:\n"
	       "    g:\n"
	       "      kind: linux\n"
	       "      image: img-group\n"
	       "      exec: [\"echo g\"]\n"
	       "      binds: [\"g.conf:/etc/x/b\", \"g.conf:/etc/x/c\"]\n"
	       "      env: {C: g, D: g}\n"
	       "  nodes:\n"
	       "    n1:\n"
	       "      group: g\n"
	       "      exec: [\"echo n\"]\n"
	       "      binds: [\"n.conf:/etc/x/c\"]\n"
	       "      env: {D: n}\n"
	       "    n2:\n"
	       "      group: g\n"
	       "      image: img-node\n"
	       "    n3:\n"
	       "      kind: linux\n"
	       "    n4:\n"
	       "      kind: bridge\n",
	       &r);
	assert_valid(&r);
	HAS(r.out, "<start>export A='d'; export B='k'; export C='g'; export D='n'; echo d</start>\n"
		   "    <start>export A='d'; export B='k'; export C='g'; export D='n'; echo k</start>\n"
		   "    <start>export A='d'; export B='k'; export C='g'; export D='n'; echo g</start>\n"
		   "    <start>export A='d'; export B='k'; export C='g'; export D='n'; echo n</start>\n");
	HAS(r.out, "<file path=\"/etc/x/a\" src=\"k.conf\"/>");
	HAS(r.out, "<file path=\"/etc/x/d\" src=\"d.conf\"/>");
	HAS(r.out, "<file path=\"/etc/x/b\" src=\"g.conf\"/>");
	HAS(r.out, "<file path=\"/etc/x/c\" src=\"n.conf\"/>");
	HAS(r.out, "<switch name=\"n4\"/>");
	warned(&r, 17, "node n1: image img-group");
	warned(&r, 29, "node n2: image img-node");
	warned(&r, 10, "node n3: image img-kind");
	warned(&r, 4, "node n4: image img-defaults");
	res_free(&r);
}
END_TEST

START_TEST(test_bridge_and_dropped_kinds)
{
	struct res r;

	import("name: mixed\n"
	       "topology:\n"
	       "  nodes:\n"
	       "    br1: {kind: bridge}\n"
	       "    ovs: {kind: ovs-bridge}\n"
	       "    h1: {kind: linux}\n"
	       "    srl:\n"
	       "      kind: nokia_srlinux\n"
	       "      startup-config: srl.cfg\n"
	       "  links:\n"
	       "    - endpoints: [\"h1:eth1\", \"br1:h1port\"]\n"
	       "    - endpoints: [\"srl:e1-1\", \"br1:srlport\"]\n"
	       "    - endpoints: [\"h1:eth2\", \"srl:e1-2\"]\n"
	       "    - endpoints: [\"br1:br0\", \"ovs:p1\"]\n"
	       "    - endpoints: [\"h1:eth3\", \"host:veth-h1\"]\n"
	       "    - endpoints: [\"h1:eth4\", \"mgmt-net:h1-eth4\"]\n"
	       "    - type: vxlan\n"
	       "      endpoint: {node: h1, interface: vx}\n",
	       &r);
	assert_valid(&r);
	HAS(r.out, "<switch name=\"br1\"/>");
	HAS(r.out, "<switch name=\"ovs\"/>");
	HAS(r.out, "<link a=\"h1:eth1\" b=\"br1:h1port\"/>");
	HAS(r.out, "<link a=\"br1\" b=\"ovs:p1\"/>");
	HASNT(r.out, "srl");
	HASNT(r.out, "eth2");
	HASNT(r.out, "eth3");
	HASNT(r.out, "eth4");
	warned(&r, 5, "node ovs: kind ovs-bridge");
	warned(&r, 8, "node srl: kind nokia_srlinux");
	warned(&r, 12, "link srl:e1-1 -- br1:srlport (its node srl is not)");
	warned(&r, 13, "link h1:eth2 -- srl:e1-2 (its node srl is not)");
	warned(&r, 14, "link br1:br0 -- ovs:p1: port name br0 of bridge br1");
	warned(&r, 15, "link h1:eth3 -- host:veth-h1 (to the host)");
	warned(&r, 16, "link h1:eth4 -- mgmt-net:h1-eth4 (to the mgmt-net)");
	warned(&r, 17, "link of type vxlan");
	/* the dropped node's own keys are not listed */
	HASNT(r.warn, "startup-config");
	res_free(&r);
}
END_TEST

START_TEST(test_binds)
{
	struct res r;
	char path[300];

	mkd("cfg");
	mkd("cfg/sub");
	put("cfg/one.conf", "1\n");
	put("cfg/sub/two.conf", "2\n");
	snprintf(path, sizeof(path), "%s/cfg/run.sh", dir);
	put("cfg/run.sh", "#!/bin/sh\n");
	ck_assert_int_eq(chmod(path, 0755), 0);
	snprintf(path, sizeof(path), "%s/cfg/link", dir);
	ck_assert_int_eq(symlink("/etc/shadow", path), 0);
	put("single", "x\n");
	import("name: binds\n"
	       "topology:\n"
	       "  nodes:\n"
	       "    h1:\n"
	       "      kind: linux\n"
	       "      binds:\n"
	       "        - single:/etc/app/single.conf:ro\n"
	       "        - ./cfg/:/etc/cfg\n"
	       "        - cfg/one.conf:/var/lib/one.conf\n"
	       "        - /lib/modules:/lib/modules:ro\n"
	       "        - missing.conf:/etc/missing.conf\n"
	       "        - single:/tmp/z:rw,z\n"
	       "        - /etc/hostname:/etc/hostname\n",
	       &r);
	HAS(r.out, "<file path=\"/etc/app/single.conf\" src=\"single\"/>");
	HAS(r.out, "<file path=\"/etc/cfg/one.conf\" src=\"cfg/one.conf\"/>");
	HAS(r.out, "<file path=\"/etc/cfg/run.sh\" src=\"cfg/run.sh\" mode=\"0755\"/>");
	HAS(r.out, "<file path=\"/etc/cfg/sub/two.conf\" src=\"cfg/sub/two.conf\"/>");
	HAS(r.out, "<file path=\"/tmp/z\" src=\"single\"/>");
	HAS(r.out, "<file path=\"/etc/hostname\" src=\"/etc/hostname\"");
	HASNT(r.out, "shadow");
	HASNT(r.out, "/var/lib");
	HASNT(r.out, "modules");
	HASNT(r.out, "missing");
	warned(&r, 8, "node h1: bind \"./cfg/:/etc/cfg\": 1 symbolic link (not followed)");
	warned(&r, 9, "node h1: bind \"cfg/one.conf:/var/lib/one.conf\" (nslab places files only under /etc, /run, /tmp and /shared)");
	warned(&r, 10, "node h1: bind \"/lib/modules:/lib/modules:ro\"");
	warned(&r, 11, "node h1: bind \"missing.conf:/etc/missing.conf\" (missing.conf: No such file or directory)");
	warned(&r, 12, "node h1: bind \"single:/tmp/z:rw,z\": option z");
	warned(&r, 13, "node h1: bind \"/etc/hostname:/etc/hostname\" as it stands: /etc/hostname is outside the topology's directory, read only with nslab --allow-host-src");
	res_free(&r);

	/* a directory of too many files is left out whole */
	mkd("many");
	for (int i = 0; i < 300; i++) {
		char name[64];

		snprintf(name, sizeof(name), "many/f%03d", i);
		put(name, "x\n");
	}
	import("name: many\n"
	       "topology:\n"
	       "  nodes:\n"
	       "    h1: {kind: linux, binds: [\"many:/etc/many\"]}\n",
	       &r);
	assert_valid(&r);
	HASNT(r.out, "/etc/many");
	warned(&r, 4, "node h1: bind \"many:/etc/many\" (too large: over 256 files");
	res_free(&r);

	/* without the host file, the rest is a lab nslab takes as it is */
	import("name: binds\n"
	       "topology:\n"
	       "  nodes:\n"
	       "    h1:\n"
	       "      kind: linux\n"
	       "      binds: [\"./cfg/:/etc/cfg\", \"single:/etc/cfg/one.conf:ro\"]\n",
	       &r);
	assert_valid(&r);
	/* the more specific bind wins the path both give */
	HAS(r.out, "<file path=\"/etc/cfg/one.conf\" src=\"single\"/>");
	HASNT(r.out, "src=\"cfg/one.conf\"");
	res_free(&r);
}
END_TEST

START_TEST(test_exec_order_and_frr)
{
	struct res r;

	import("name: frr\n"
	       "topology:\n"
	       "  nodes:\n"
	       "    r1:\n"
	       "      kind: linux\n"
	       "      image: quay.io/FRRouting/FRR:9.1.0\n"
	       "      exec:\n"
	       "        - ip addr add 10.0.0.1/30 dev eth1\n"
	       "        - \"echo 'a < b & c' > /tmp/x\"\n"
	       "    fw:\n"
	       "      kind: linux\n"
	       "      exec: [\"sysctl -w net.ipv4.ip_forward=1\", \"true\"]\n"
	       "    h:\n"
	       "      kind: linux\n"
	       "      image: alpine\n"
	       "  links:\n"
	       "    - endpoints: [r1:eth1, fw:eth1]\n",
	       &r);
	assert_valid(&r);
	HAS(r.out, "  <router name=\"r1\">\n"
		   "    <start>ip addr add 10.0.0.1/30 dev eth1</start>\n"
		   "    <start>echo &apos;a &lt; b &amp; c&apos; &gt; /tmp/x</start>\n"
		   "    <start>/usr/lib/frr/frrinit.sh start</start>\n"
		   "  </router>\n");
	HAS(r.out, "<router name=\"fw\">\n"
		   "    <start>sysctl -w net.ipv4.ip_forward=1</start>\n"
		   "    <start>true</start>\n");
	HAS(r.out, "<host name=\"h\"/>");
	res_free(&r);
}
END_TEST

START_TEST(test_frr_kind)
{
	struct res r;

	/* containerlab's frr kind: startup-config is frr.conf, extras.frr.daemons
	 * the daemons file (every daemon without it), vtysh.conf made */
	mkd("r1");
	put("r1/frr.conf", "hostname r1\n");
	import("name: frrkind\n"
	       "topology:\n"
	       "  groups:\n"
	       "    routers:\n"
	       "      kind: frr\n"
	       "      image: quay.io/frrouting/frr:containerlab-10.7.1\n"
	       "      extras:\n"
	       "        frr:\n"
	       "          daemons: [ospfd, bfdd]\n"
	       "  nodes:\n"
	       "    r1: {group: routers, startup-config: r1/frr.conf}\n"
	       "    r2: {kind: frrouting}\n",
	       &r);
	assert_valid(&r);
	HAS(r.out, "<router name=\"r1\">\n"
		   "    <file path=\"/etc/frr/frr.conf\" src=\"r1/frr.conf\"/>\n"
		   "    <file path=\"/etc/frr/vtysh.conf\">\n"
		   "service integrated-vtysh-config\n"
		   "    </file>\n"
		   "    <file path=\"/etc/frr/daemons\">\n"
		   "bgpd=no\nospfd=yes\n");
	HAS(r.out, "bfdd=yes\n");
	HAS(r.out, "    <start>/usr/lib/frr/frrinit.sh start</start>\n  </router>\n"
		   "  <router name=\"r2\">\n"
		   "    <file path=\"/etc/frr/frr.conf\">\nfrr defaults traditional\n");
	/* r2 runs every daemon */
	HASNT(r.out + (strstr(r.out, "name=\"r2\"") - r.out), "=no");
	HASNT(r.warn, "startup-config");
	HASNT(r.warn, "extras");
	warned(&r, 6, "node r1: image quay.io/frrouting/frr:containerlab-10.7.1");
	res_free(&r);

	import("name: frrkind\n"
	       "topology:\n"
	       "  nodes:\n"
	       "    r1:\n"
	       "      kind: frr\n"
	       "      extras: {frr: {daemons: [ospfd, nosuchd]}}\n",
	       &r);
	ck_assert_int_eq(r.ret, -EINVAL);
	HAS(r.why, "t.clab.yml:6: node r1: nosuchd is not an FRR daemon");
	res_free(&r);
}
END_TEST

START_TEST(test_names)
{
	struct res r;

	import("name: 1st.lab\n"
	       "topology:\n"
	       "  nodes:\n"
	       "    node.one: {kind: linux}\n"
	       "    node_one: {kind: linux}\n"
	       "    9x: {kind: linux}\n"
	       "  links:\n"
	       "    - endpoints: [\"node.one:eth1\", \"9x:eth1\"]\n",
	       &r);
	assert_valid(&r);
	HAS(r.out, "<lab name=\"n1st_lab\"");
	HAS(r.out, "<host name=\"node_one_2\"/>");
	HAS(r.out, "<host name=\"node_one\"/>");
	HAS(r.out, "<host name=\"n9x\"/>");
	HAS(r.out, "<link a=\"node_one_2:eth1\" b=\"n9x:eth1\"/>");
	warned(&r, 1, "lab name \"1st.lab\" (named n1st_lab");
	warned(&r, 4, "node name \"node.one\" (named node_one_2");
	res_free(&r);

	/* a value's newline does not split a warning */
	import("name: \"two\\nlines\"\n"
	       "topology: {nodes: {a: {kind: linux}}}\n", &r);
	assert_valid(&r);
	warned(&r, 1, "lab name \"two?lines\" (named two_lines");
	res_free(&r);

	/* an interface nslab cannot name is an error with its line */
	import("name: x\n"
	       "topology:\n"
	       "  nodes:\n"
	       "    a: {kind: linux}\n"
	       "    b: {kind: linux}\n"
	       "  links:\n"
	       "    - endpoints: [\"a:ethernet-1/1\", \"b:eth1\"]\n",
	       &r);
	ck_assert_int_eq(r.ret, -EINVAL);
	HAS(r.why, "t.clab.yml:7: link a:ethernet-1/1 -- b:eth1: interface name \"ethernet-1/1\"");
	ck_assert_str_eq(r.out, "");
	ck_assert_str_eq(r.warn, "");
	res_free(&r);

	import("name: x\n"
	       "topology:\n"
	       "  nodes:\n"
	       "    a: {kind: linux}\n"
	       "    b: {kind: linux}\n"
	       "  links:\n"
	       "    - endpoints: [\"a:eth1\", \"b:eth1\"]\n"
	       "    - endpoints: [\"a:eth1\", \"b:eth2\"]\n"
	       "    - endpoints: [\"a:eth3\", \"c:eth2\"]\n",
	       &r);
	ck_assert_int_eq(r.ret, -EINVAL);
	HAS(r.why, "t.clab.yml:8: interface a:eth1 is used by two links (lines 7 and 8)");
	res_free(&r);
}
END_TEST

/* Every hostile input: -EINVAL, "FILE:LINE: why", nothing on OUT. */
static void hostile(const char *yaml, size_t len, const char *want)
{
	struct res r;
	char path[256];
	int fd;

	if (len == (size_t)-1)
		len = strlen(yaml);
	snprintf(path, sizeof(path), "%s/t.clab.yml", dir);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	ck_assert(fd >= 0);
	ck_assert(write(fd, yaml, len) == (ssize_t)len);
	close(fd);
	{
		size_t ol = 0, wl = 0;
		FILE *o, *w;

		memset(&r, 0, sizeof(r));
		o = open_memstream(&r.out, &ol);
		w = open_memstream(&r.warn, &wl);
		r.ret = import_clab(path, o, w, r.why, sizeof(r.why));
		fclose(o);
		fclose(w);
	}
	ck_assert_msg(r.ret == -EINVAL, "ret %d (%s) for %s", r.ret, r.why, want);
	HAS(r.why, want);
	ck_assert_str_eq(r.out, "");
	res_free(&r);
}

START_TEST(test_hostile)
{
	static const char bin[] = "\x7f" "ELF\x02\x01\x01\0\0\0\0\xff\xfe";
	char *big, *deep;
	size_t i, n;

	hostile("a: &a [x, x]\nb: &b [*a, *a]\nc: [*b, *b]\n", (size_t)-1,
		"t.clab.yml:2: aliases (*a) are not supported");
	hostile("- just\n- a list\n", (size_t)-1,
		"t.clab.yml:1: not a containerlab topology: the file is not a mapping");
	hostile("", (size_t)-1, "t.clab.yml:1: not a containerlab topology: the file is empty");
	hostile("name: x\n", (size_t)-1, "t.clab.yml:1: not a containerlab topology: no topology");
	hostile(bin, sizeof(bin) - 1, "t.clab.yml:1: not valid YAML");
	hostile("name: x\ntopology:\n  nodes: [a, b]\n", (size_t)-1,
		"t.clab.yml:3: nodes must be a mapping, not a list");
	hostile("name: x\nname: y\ntopology: {}\n", (size_t)-1,
		"t.clab.yml:2: \"name\" appears twice in this mapping (also line 1)");
	hostile("name: x\ntopology:\n  nodes:\n    a: {image: foo}\n", (size_t)-1,
		"t.clab.yml:4: node a has no kind");
	hostile("name: x\ntopology: {}\n---\nname: y\n", (size_t)-1,
		"t.clab.yml:3: more than one YAML document");
	hostile("name: x\ntopology:\n  nodes: {a: {kind: linux, exec: {x: 1}}}\n",
		(size_t)-1, "t.clab.yml:3: exec must be a list");
	hostile("name: x\ntopology:\n  nodes: {a: {kind: linux}}\n  links:\n"
		"    - endpoints: [a:eth1]\n", (size_t)-1,
		"t.clab.yml:5: a link needs endpoints: a list of two");
	hostile("name: x\ntopology:\n  nodes: {a: {kind: linux}}\n  links:\n"
		"    - endpoints: [a:eth1, b:eth1]\n", (size_t)-1,
		"t.clab.yml:5: link a:eth1 -- b:eth1: no node named \"b\"");
	hostile("a: [", (size_t)-1, "t.clab.yml:1: not valid YAML");
	hostile("name: \"a\\0b\"\ntopology: {}\n", (size_t)-1,
		"t.clab.yml:1: a value holds a NUL character");

	/* nesting: 100,000 '[' is refused at the 17th */
	n = 100000;
	deep = malloc(n + 1);
	ck_assert(deep);
	memset(deep, '[', n);
	deep[n] = '\0';
	hostile(deep, n, "t.clab.yml:1: nested more than 16 levels deep");
	free(deep);

	/* a flat list of too many values */
	n = 150000;
	big = malloc(n * 3 + 32);
	ck_assert(big);
	strcpy(big, "x: [");
	for (i = 0; i < n; i++)
		memcpy(big + 4 + i * 2, "1,", 2);
	strcpy(big + 4 + n * 2, "1]\n");
	hostile(big, strlen(big), "entries in one mapping or list");
	free(big);

	/* over 1 MiB */
	n = (1u << 20) + 1;
	big = malloc(n);
	ck_assert(big);
	memset(big, '#', n);
	{
		struct res r;
		char path[256];
		int fd;

		snprintf(path, sizeof(path), "%s/t.clab.yml", dir);
		fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		ck_assert(write(fd, big, n) == (ssize_t)n);
		close(fd);
		memset(&r, 0, sizeof(r));
		r.ret = import_clab(path, stdout, stderr, r.why, sizeof(r.why));
		ck_assert_int_eq(r.ret, -EINVAL);
		HAS(r.why, "larger than 1048576 bytes");
	}
	free(big);
}
END_TEST

START_TEST(test_missing)
{
	char why[256];
	int ret;

	ret = import_clab("/nonexistent/x.clab.yml", stdout, stderr, why,
			  sizeof(why));
	ck_assert_int_eq(ret, -ENOENT);
	HAS(why, "/nonexistent/x.clab.yml: No such file or directory");
}
END_TEST

static Suite *import_clab_suite(void)
{
	Suite *s = suite_create("import_clab");
	TCase *tc = tcase_create("clab");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_brief_and_extended_links);
	tcase_add_test(tc, test_precedence);
	tcase_add_test(tc, test_bridge_and_dropped_kinds);
	tcase_add_test(tc, test_binds);
	tcase_add_test(tc, test_exec_order_and_frr);
	tcase_add_test(tc, test_frr_kind);
	tcase_add_test(tc, test_names);
	tcase_add_test(tc, test_hostile);
	tcase_add_test(tc, test_missing);
	suite_add_tcase(s, tc);
	return s;
}

TSUITE(import_clab_suite)

/* test_import_kathara.c — nslab import kathara (core/import.h): lab
 * directories built in a temporary directory, the lab file checked by
 * nslab's own parser and resolver (README.md, "Coming from Kathara"). */
#include "../tsuite.h"
#include "import.h"
#include "lab.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char dir[64];

static void mk(void)
{
	snprintf(dir, sizeof(dir), "/tmp/nslab-kathara.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
}

static int rm_one(const char *p, const struct stat *st, int flag,
		  struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(p);
}

static void rm(void)
{
	nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* write DIR/REL (N bytes of S, or strlen), making its parents */
static void put_n(const char *rel, const char *s, size_t n, mode_t mode)
{
	char path[512], *p;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	for (p = path + strlen(dir) + 1; (p = strchr(p, '/')); p++) {
		*p = '\0';
		mkdir(path, 0755);
		*p = '/';
	}
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, s, n), (ssize_t)n);
	fchmod(fd, mode);
	close(fd);
}

static void put(const char *rel, const char *s)
{
	put_n(rel, s, strlen(s), 0644);
}

struct res {
	int r;
	char *out, *warn;
	size_t outlen, warnlen;
	char why[512];
};

static void run(struct res *x)
{
	FILE *o, *w;

	memset(x, 0, sizeof(*x));
	o = open_memstream(&x->out, &x->outlen);
	w = open_memstream(&x->warn, &x->warnlen);
	x->r = import_kathara(dir, o, w, x->why, sizeof(x->why));
	fclose(o);
	fclose(w);
}

static void res_free(struct res *x)
{
	free(x->out);
	free(x->warn);
}

/* the import succeeds and nslab's parser and resolver take its output */
static void run_ok(struct res *x)
{
	struct lab_errors errs;
	struct lab *lab = NULL;
	int r;

	run(x);
	ck_assert_msg(x->r == 0, "import: %d %s", x->r, x->why);
	ck_assert_msg(x->outlen == 0 || strstr(x->out, "</lab>"), "no lab");
	lab_errors_init(&errs, "imported.xml");
	r = lab_parse_buffer(x->out, x->outlen, "imported.xml", dir, &lab,
			     &errs);
	if (!r)
		r = lab_resolve(lab, &errs);
	ck_assert_msg(r == 0, "nslab refuses the output (line %d: %s):\n%s",
		      errs.n ? errs.v[0].line : 0, errs.n ? errs.v[0].msg : "",
		      x->out);
	lab_free(lab);
}

/* the import fails with -EINVAL and a message containing WANT; nothing
 * is written on either stream */
static void run_bad(const char *want)
{
	struct res x;

	run(&x);
	ck_assert_msg(x.r == -EINVAL, "import: %d (%s), want -EINVAL for %s",
		      x.r, x.why, want);
	ck_assert_msg(strstr(x.why, want), "\"%s\" lacks \"%s\"", x.why,
		      want);
	ck_assert_uint_eq(x.outlen, 0);
	ck_assert_uint_eq(x.warnlen, 0);
	res_free(&x);
}

static void has(const char *text, const char *want)
{
	ck_assert_msg(text && strstr(text, want), "\"%s\" not in:\n%s", want,
		      text ? text : "(null)");
}

static void lacks(const char *text, const char *what)
{
	ck_assert_msg(!text || !strstr(text, what), "\"%s\" in:\n%s", what,
		      text);
}

START_TEST(test_domains)
{
	struct res x;

	mk();
	put("lab.conf",
	    "# a comment\n"
	    "\n"
	    "pc1[0]=\"A\"\n"
	    "pc2[0]='A'\n"
	    "r1[0]=A\n"
	    "r1[1]=\"B/02:42:AC:11:00:02\"\n"
	    "r2[0]=B   # a comment after a value\n"
	    "r2[2]=C\n");
	run_ok(&x);
	/* three on A: a switch and a link each */
	has(x.out, "<switch name=\"A\"/>");
	has(x.out, "<link a=\"pc1:eth0\" b=\"A\"/>");
	has(x.out, "<link a=\"pc2:eth0\" b=\"A\"/>");
	has(x.out, "<link a=\"r1:eth0\" b=\"A\"/>");
	/* two on B: one link, interface names kept */
	has(x.out, "<link a=\"r1:eth1\" b=\"r2:eth0\"/>");
	lacks(x.out, "<switch name=\"B\"");
	/* the MAC form; an index gap (r2 has eth0 and eth2) */
	has(x.out, "<iface name=\"eth1\" mac=\"02:42:ac:11:00:02\"/>");
	/* one on C: a switch of one port */
	has(x.out, "<switch name=\"C\"/>");
	has(x.out, "<link a=\"r2:eth2\" b=\"C\"/>");
	has(x.out, "ipbase=\"none\"");
	has(x.out, "<!-- imported from ");
	ck_assert_uint_eq(x.warnlen, 0);
	res_free(&x);
	rm();
}
END_TEST

START_TEST(test_switch_names)
{
	struct res x;

	mk();
	/* a domain named like a device, one starting with a digit */
	put("lab.conf",
	    "a[0]=pc1\nb[0]=pc1\npc1[0]=pc1\n"
	    "a[1]=1x\nb[1]=1x\npc1[1]=1x\n");
	run_ok(&x);
	has(x.out, "<switch name=\"pc1-2\"/>");
	has(x.out, "<link a=\"pc1:eth0\" b=\"pc1-2\"/>");
	has(x.out, "<switch name=\"cd1x\"/>");
	res_free(&x);
	rm();
}
END_TEST

START_TEST(test_kinds_sysctl)
{
	struct res x;

	mk();
	put("lab.conf",
	    "LAB_DESCRIPTION=\"a -- lab\"\n"
	    "LAB_AUTHOR=me\n"
	    "r1[0]=A\nr1[image]=\"kathara/frr\"\n"
	    "q1[0]=A\nq1[image]=kathara/quagga\n"
	    "two[0]=A\ntwo[1]=B\n"
	    "pc1[0]=B\npc1[image]=kathara/base\n"
	    "pc1[sysctl]=\"net.ipv4.tcp_syncookies=0\"\n"
	    "pc1[sysctl]=\"net.ipv4.tcp_syncookies=1\"\n"
	    "pc1[sysctl]=\"net.ipv4.conf.all.send_redirects=0\"\n"
	    "pc1[exec]=\"echo '<hi>' && true\"\n"
	    "v6[0]=B\nv6[ipv6]=true\n");
	run_ok(&x);
	has(x.out, "<router name=\"r1\">");
	has(x.out, "<router name=\"q1\">");
	has(x.out, "<router name=\"two\">");
	has(x.out, "<host name=\"pc1\">");
	has(x.out, "<host name=\"v6\">");
	/* the same name again replaces the value, as in Kathara */
	has(x.out, "<sysctl name=\"net.ipv4.tcp_syncookies\" value=\"1\"/>");
	lacks(x.out, "value=\"0\"/>\n    <sysctl name=\"net.ipv4.tcp_sync");
	has(x.out, "<sysctl name=\"net.ipv4.conf.all.send_redirects\" "
	    "value=\"0\"/>");
	has(x.out, "<start>echo &apos;&lt;hi&gt;&apos; &amp;&amp; "
	    "true</start>");
	/* IPv6 on in the lab, off where the device did not ask for it */
	has(x.out, "ipv6=\"on\"");
	has(x.out, "<sysctl name=\"net.ipv6.conf.all.disable_ipv6\" "
	    "value=\"1\"/>");
	/* "--" cannot be in an XML comment */
	has(x.out, "LAB_DESCRIPTION: a - - lab");
	has(x.out, "LAB_AUTHOR: me");
	res_free(&x);
	rm();
}
END_TEST

START_TEST(test_startup)
{
	struct res x;
	const char *s, *n;

	mk();
	put("lab.conf", "r1[0]=A\nr1[1]=B\nweb[0]=A\n");
	put("shared.startup", "echo shared\n");
	put("r1.startup",
	    "ip address add 10.0.0.1/24 dev eth0\r\n"
	    "systemctl start frr\n"
	    "  service frr restart\n"
	    "/etc/init.d/frr start\n"
	    "systemctl start foo\n"
	    "/etc/init.d/quagga start\n"
	    "if true; then echo ']]>'; fi\n");
	put("web.startup",
	    "service apache2 start\n"
	    "systemctl start named\n"
	    "/etc/init.d/ssh start\n"
	    "service nginx start\n");
	run_ok(&x);
	has(x.out, "ip address add 10.0.0.1/24 dev eth0\n"
	    "/usr/lib/frr/frrinit.sh start\n"
	    "  /usr/lib/frr/frrinit.sh start\n"
	    "/usr/lib/frr/frrinit.sh start\n"
	    "systemctl start foo\n"
	    "/etc/init.d/quagga start\n");
	/* "]]>" split across two CDATA sections */
	has(x.out, "echo ']]]]><![CDATA[>'");
	has(x.out, "apache2ctl start\n");
	has(x.out, "/usr/sbin/named -u bind\n");
	has(x.out, "/usr/sbin/sshd\n");
	has(x.out, "\nnginx\n");
	/* each rewrite is a note with its line, each line kept a warning */
	has(x.warn, "nslab: import: r1.startup:2: rewritten: \"systemctl "
	    "start frr\" as \"/usr/lib/frr/frrinit.sh start\"");
	has(x.warn, "nslab: import: r1.startup:3: rewritten: \"service frr "
	    "restart\"");
	has(x.warn, "nslab: import: r1.startup:4: rewritten:");
	has(x.warn, "nslab: import: r1.startup:5: not carried over: "
	    "systemctl start foo");
	has(x.warn, "nslab: import: r1.startup:6: not carried over: "
	    "/etc/init.d/quagga start");
	has(x.warn, "nslab: import: web.startup:1: rewritten:");
	has(x.warn, "nslab: import: web.startup:4: rewritten:");
	/* shared.startup first on every node, then the node's own */
	s = strstr(x.out, "<start timeout=\"120s\">bash "
		   "/run/kathara/shared.startup</start>");
	n = strstr(x.out, "<start timeout=\"120s\">bash "
		   "/run/kathara/r1.startup</start>");
	ck_assert_ptr_nonnull(s);
	ck_assert_ptr_nonnull(n);
	ck_assert_msg(s < n, "shared.startup runs after r1.startup");
	has(x.out, "<file path=\"/run/kathara/shared.startup\">");
	has(strstr(x.out, "<host name=\"web\">"), "bash "
	    "/run/kathara/shared.startup");
	res_free(&x);
	rm();
}
END_TEST

START_TEST(test_folders)
{
	struct res x;

	mk();
	put("lab.conf", "r1[0]=A\nr2[0]=A\n");
	put("r1/etc/frr/frr.conf", "router ospf\n");
	put_n("r1/etc/init.d/x", "#!/bin/sh\n", 10, 0755);
	put("r1/var/www/html/index.html", "hi\n");
	put("r1/tmp/a b", "space\n");
	put("shared/data.txt", "shared\n");
	put("lab.dep", "r1: r2\n");
	put("r2.shutdown", "echo bye\n");
	/* links out of the lab: never followed */
	{
		char p[256];

		snprintf(p, sizeof(p), "%s/r1/etc/passwd", dir);
		ck_assert_int_eq(symlink("/etc/passwd", p), 0);
		snprintf(p, sizeof(p), "%s/r1/etc/up", dir);
		ck_assert_int_eq(symlink("/etc", p), 0);
		snprintf(p, sizeof(p), "%s/r2", dir);
		ck_assert_int_eq(symlink("/etc", p), 0);
	}
	run_ok(&x);
	has(x.out, "<file path=\"/etc/frr/frr.conf\" "
	    "src=\"r1/etc/frr/frr.conf\"/>");
	has(x.out, "<file path=\"/etc/init.d/x\" src=\"r1/etc/init.d/x\" "
	    "mode=\"0755\"/>");
	has(x.out, "<file path=\"/tmp/a b\" src=\"r1/tmp/a b\"/>");
	has(x.out, "<file path=\"/shared/data.txt\" src=\"shared/data.txt\"/>");
	lacks(x.out, "passwd");
	lacks(x.out, "/etc/up");
	lacks(x.out, "index.html");
	has(x.warn, "nslab: import: r1: not carried over: /etc/passwd (a "
	    "symlink: not followed)");
	has(x.warn, "nslab: import: r1: not carried over: /etc/up (a "
	    "symlink: not followed)");
	has(x.warn, "nslab: import: r2: not carried over: the folder (a "
	    "symlink: not followed)");
	has(x.warn, "nslab: import: r1: not carried over: "
	    "/var/www/html/index.html (nslab places");
	/* lab.dep: r1 starts after r2, so r2 is written first */
	ck_assert_msg(strstr(x.out, "<host name=\"r2\">") <
		      strstr(x.out, "<host name=\"r1\">"), "r2 after r1");
	lacks(x.warn, "lab.dep");
	has(x.warn, "nslab: import: r2.shutdown: not carried over:");
	res_free(&x);
	rm();
}
END_TEST

START_TEST(test_warnings)
{
	struct res x;

	mk();
	put("lab.conf",
	    "pc1[0]=A\n"
	    "pc1[mem]=64m\n"
	    "\n"
	    "pc1[bridged]=true\n"
	    "pc1[port]=\"8080:80/tcp\"\n"
	    "pc1[env]=\"A=1\"\n"
	    "pc1[shell]=/bin/zsh\n"
	    "pc1[colour]=blue\n");
	run_ok(&x);
	has(x.warn, "nslab: import: lab.conf:2: not carried over: "
	    "pc1[mem]=64m");
	has(x.warn, "nslab: import: lab.conf:4: not carried over: "
	    "pc1[bridged]=true");
	has(x.warn, "nslab: import: lab.conf:5: not carried over: "
	    "pc1[port]=8080:80/tcp");
	has(x.warn, "nslab: import: lab.conf:6: not carried over: "
	    "pc1[env]=A=1");
	has(x.warn, "nslab: import: lab.conf:7: not carried over: "
	    "pc1[shell]=/bin/zsh");
	has(x.warn, "nslab: import: lab.conf:8: not carried over: "
	    "pc1[colour]=blue");
	res_free(&x);
	rm();
}
END_TEST

START_TEST(test_dep)
{
	struct res x;
	const char *a, *b, *c;

	mk();
	put("lab.conf", "a[0]=X\nb[0]=X\nc[0]=X\n");
	put("lab.dep", "# comment\n\na: b c\r\nc : b zz\nyy: a\n");
	run_ok(&x);
	a = strstr(x.out, "<host name=\"a\">");
	b = strstr(x.out, "<host name=\"b\">");
	c = strstr(x.out, "<host name=\"c\">");
	ck_assert_msg(a && b && c && b < c && c < a, "not b, c, a:\n%s",
		      x.out);
	has(x.warn, "nslab: import: lab.dep:4: not carried over: zz (no such "
	    "device in lab.conf)");
	has(x.warn, "nslab: import: lab.dep:5: not carried over: yy");
	res_free(&x);
	put("lab.dep", "a: b\nb: c\nc: a\n");
	run_bad("lab.dep: the start order of a is a cycle");
	put("lab.dep", "a b c\n");
	run_bad("lab.dep:1: expected DEVICE: DEVICE...");
	rm();
}
END_TEST

static void bad_conf(const char *conf, const char *want)
{
	mk();
	put("lab.conf", conf);
	run_bad(want);
	rm();
}

START_TEST(test_syntax_errors)
{
	bad_conf("pc1[0]=A\npc1[0]\n", "lab.conf:2: expected pc1[ARG]=VALUE");
	bad_conf("\n\npc1[0]=\"A\n", "lab.conf:3: the value has no closing \"");
	bad_conf("PC1[0]=A\n", "lab.conf:1: expected DEVICE[ARG]=VALUE");
	bad_conf("pc1[0]=A.B\n", "lab.conf:1: collision domain \"A.B\"");
	bad_conf("pc1[0]=A/zz\n", "lab.conf:1: MAC address \"zz\"");
	bad_conf("pc1[0]=A/01:00:5e:00:00:01\n", "is multicast");
	bad_conf("pc1[0]=A\npc1[0]=B\n", "lab.conf:2: pc1's eth0 is set twice "
		 "(lines 1 and 2)");
	bad_conf("pc1[0]=A\npc1[1]=A\n", "lab.conf:2: pc1 is on collision "
		 "domain A twice");
	bad_conf("1pc[0]=A\n", "lab.conf:1: device \"1pc\": nslab names "
		 "start with a letter");
	bad_conf("_x[0]=A\n", "lab.conf:1: device \"_x\"");
	bad_conf("shared[0]=A\n", "lab.conf:1: \"shared\" is reserved");
	bad_conf("LAB_COLOUR=red\n", "lab.conf:1: unknown key \"LAB_COLOUR\"");
	bad_conf("pc1[0]=\"\"\n", "lab.conf:1: pc1[0] has an empty value");
	bad_conf("pc1[0]=\"A\" x\n", "lab.conf:1: text after the closing");
	bad_conf("pc1[5000]=A\n", "lab.conf:1: interface number 5000");
	bad_conf("pc1[sysctl]=\"kernel.pid_max=10\"\n", "lab.conf:1: sysctl");
	bad_conf("pc1[ipv6]=maybe\n", "lab.conf:1: pc1[ipv6]=\"maybe\"");
	bad_conf("abcdefghijklmnopqrstuvwxyz012345[0]=A\n",
		 "lab.conf:1: device name longer than 30");
	bad_conf("# only comments\n", "no device in it");
	bad_conf("pc1 [0]=A\n", "lab.conf:1: expected DEVICE[ARG]=VALUE");
}
END_TEST

START_TEST(test_hostile)
{
	char *big;
	struct res x;

	/* a line of 10,000 bytes */
	mk();
	big = malloc(10100);
	ck_assert_ptr_nonnull(big);
	memcpy(big, "pc1[0]=A\npc1[exec]=\"", 20);
	memset(big + 20, 'x', 10000);
	memcpy(big + 10020, "\"\n", 3);
	put("lab.conf", big);
	run_bad("lab.conf:2: longer than 4096 bytes");
	rm();
	/* more than 1 MiB */
	mk();
	free(big);
	big = malloc((2u << 20) + 1);
	ck_assert_ptr_nonnull(big);
	memset(big, '#', 2u << 20);
	big[2u << 20] = '\0';
	put("lab.conf", big);
	run_bad("larger than 1048576 bytes");
	rm();
	free(big);
	/* NUL bytes, control characters, bytes that are not UTF-8 */
	mk();
	put_n("lab.conf", "pc1[0]=A\npc1[exec]=\"a\0b\"\n", 22, 0644);
	run_bad("lab.conf:2: a NUL byte at byte 13");
	rm();
	mk();
	put("lab.conf", "pc1[exec]=\"\x1b[31m\"\n");
	run_bad("lab.conf:1: a control character");
	rm();
	mk();
	put("lab.conf", "pc1[0]=A\n");
	put("pc1.startup", "echo ok\n# caf\xe9\n");
	run_bad("pc1.startup:2: not UTF-8 text");
	rm();
	/* no lab.conf, no directory, a file, lab.conf a symlink */
	mk();
	run(&x);
	ck_assert_int_eq(x.r, -ENOENT);
	has(x.why, "no lab.conf in it");
	ck_assert_uint_eq(x.outlen, 0);
	res_free(&x);
	put("file", "x");
	{
		char saved[sizeof(dir)], p[128];

		snprintf(p, sizeof(p), "%s/lab.conf", dir);
		ck_assert_int_eq(symlink("/etc/passwd", p), 0);
		run_bad("lab.conf: a symlink");
		memcpy(saved, dir, sizeof(dir));
		snprintf(dir, sizeof(dir), "%.40s/file", saved);
		run_bad("not a directory");
		snprintf(dir, sizeof(dir), "%.40s/none", saved);
		run(&x);
		ck_assert_int_eq(x.r, -ENOENT);
		res_free(&x);
		memcpy(dir, saved, sizeof(dir));
	}
	rm();
	/* a directory whose name XML cannot carry; a device with no
	 * interface */
	mk();
	put("a\nb/lab.conf", "pc1[image]=kathara/base\n");
	{
		char saved[sizeof(dir)];

		memcpy(saved, dir, sizeof(dir));
		snprintf(dir, sizeof(dir), "%.40s/a\nb", saved);
		run_ok(&x);
		memcpy(dir, saved, sizeof(dir));
	}
	has(x.out, "imported from a directory whose name is not plain text");
	has(x.out, "<lab name=\"a-b\" ipbase=\"none\">");
	has(x.out, "<host name=\"pc1\">");
	res_free(&x);
	rm();
	/* a startup script that is a FIFO is refused without opening it */
	mk();
	put("lab.conf", "pc1[0]=A\n");
	{
		char p[128];

		snprintf(p, sizeof(p), "%s/pc1.startup", dir);
		ck_assert_int_eq(mkfifo(p, 0644), 0);
	}
	run_bad("pc1.startup: not a regular file");
	rm();
}
END_TEST

static Suite *import_kathara_suite(void)
{
	Suite *s = suite_create("import_kathara");
	TCase *tc = tcase_create("import_kathara");

	tcase_add_test(tc, test_domains);
	tcase_add_test(tc, test_switch_names);
	tcase_add_test(tc, test_kinds_sysctl);
	tcase_add_test(tc, test_startup);
	tcase_add_test(tc, test_folders);
	tcase_add_test(tc, test_warnings);
	tcase_add_test(tc, test_dep);
	tcase_add_test(tc, test_syntax_errors);
	tcase_add_test(tc, test_hostile);
	suite_add_tcase(s, tc);
	return s;
}

TSUITE(import_kathara_suite)

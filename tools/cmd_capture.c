/* cmd_capture.c — nslab capture NAME NODE[:IFACE] [-w FILE] [-c COUNT]
 * [FILTER...]
 *
 * Live pcap of one interface of a running node (README.md, "Watching
 * traffic: capture"; core/capture.h).  The node is found as exec finds it
 * (the lab's state read under its shared lock, the namespace opened
 * through the proven holder); the socket is made inside it and read from
 * here.  Each frame is written at once, as one whole record, so a pipe
 * into tcpdump or wireshark sees it live and a file is a valid pcap
 * whenever the capture stops.
 *
 * Stops: after COUNT frames, on SIGINT, SIGTERM or SIGHUP, when the
 * reader of the pipe goes (status 0 for all three), when the lab is taken
 * down (its holder exits; status 0, said on stderr) or when the interface
 * is deleted while the lab runs (status 3).  The signals are blocked but
 * while we wait (ppoll) or write, so a signal never cuts a record in two.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "capture.h"
#include "cli.h"
#include "state.h"

struct cap_args {
	const char *lab;
	char node[LAB_NAME_MAX + 1];
	const char *iface;	/* NULL: the node's first */
	const char *file;	/* NULL: stdout */
	unsigned long count;	/* 0: no limit */
	char *filter;		/* the FILTER words joined, malloc'd */
};

static volatile sig_atomic_t cap_signals;
static volatile sig_atomic_t cap_signo;

static void on_signal(int sig)
{
	cap_signals++;
	cap_signo = sig;
}

static int parse_count(const char *s, unsigned long *n)
{
	char *end;

	errno = 0;
	if (*s < '1' || *s > '9')
		return -1;
	*n = strtoul(s, &end, 10);
	return errno || *end || *n > 1000000000ul ? -1 : 0;
}

/* FILTER words may come anywhere after NODE, options too; after "--"
 * everything is FILTER. */
static int parse_args(struct cap_args *a, int argc, char **argv)
{
	size_t len = 1, n = 0;
	const char *colon;
	int i, dashdash = 0;

	if (argc < 3)
		return cli_usage("capture");
	a->lab = argv[1];
	colon = strchr(argv[2], ':');
	if ((colon ? (size_t)(colon - argv[2]) : strlen(argv[2])) >=
	    sizeof(a->node)) {
		cli_err("capture: %s: no such node (names have at most %d "
			"characters)", argv[2], LAB_NAME_MAX);
		return EXIT_USAGE;
	}
	snprintf(a->node, sizeof(a->node), "%.*s",
		 colon ? (int)(colon - argv[2]) : (int)strlen(argv[2]),
		 argv[2]);
	if (colon) {
		a->iface = colon + 1;
		if (!*a->iface || strlen(a->iface) > 15) {
			cli_err("capture: %s: \"%s\" is not an interface name",
				argv[2], a->iface);
			return EXIT_USAGE;
		}
	}
	for (i = 3; i < argc; i++)
		len += strlen(argv[i]) + 1;
	a->filter = calloc(1, len);
	if (!a->filter) {
		cli_err("capture: %s", strerror(ENOMEM));
		return EXIT_SYSTEM;
	}
	for (i = 3; i < argc; i++) {
		const char *w = argv[i];

		if (!dashdash && !strcmp(w, "--")) {
			dashdash = 1;
		} else if (!dashdash && (!strcmp(w, "-w") || !strcmp(w, "-c"))) {
			if (i + 1 >= argc) {
				cli_err("capture: %s needs a value", w);
				return cli_usage("capture");
			}
			if (w[1] == 'w') {
				a->file = argv[++i];
			} else if (parse_count(argv[++i], &a->count)) {
				cli_err("capture: -c \"%s\": not a count of "
					"packets (1 or more)", argv[i]);
				return EXIT_USAGE;
			}
		} else if (!dashdash && w[0] == '-') {
			cli_err("capture: unknown option \"%s\"", w);
			return cli_usage("capture");
		} else {
			n += (size_t)sprintf(a->filter + n, "%s%s", n ? " " : "",
					     w);
		}
	}
	if (a->file && !strcmp(a->file, "-"))
		a->file = NULL;		/* -w -: stdout, as tcpdump */
	if (a->file && !*a->file) {
		cli_err("capture: -w \"\": no file name");
		return EXIT_USAGE;
	}
	return EXIT_OK;
}

/* The node's namespace, proven as exec proves it, and the socket in it. */
static int open_node(const struct cap_args *a, const struct capture_filter *f,
		     struct capture_sock *c, int *holder)
{
	struct state *st;
	int rc, idx, ret;

	rc = cli_open_running(a->lab, false, &st);
	if (rc)
		return rc;
	idx = state_node_find(st, a->node);
	if (idx < 0) {
		cli_err("lab %s: no node '%s'", a->lab, a->node);
		state_close(st);
		return EXIT_USAGE;
	}
	ret = capture_open(st, idx, a->iface, f, c);
	if (ret == -ENOENT || ret == -ESTALE) {
		cli_err("lab %s is broken (its holder is gone%s): remove it with "
			"nslab down %s", a->lab,
			ret == -ESTALE ? " and its pid was reused" : "", a->lab);
		rc = EXIT_SYSTEM;
	} else if (ret == -ENODEV) {
		cli_err("lab %s: node %s has no interface '%s' (it has %s)",
			a->lab, a->node, a->iface, c->names);
		rc = EXIT_USAGE;
	} else if (ret == -ENXIO) {
		cli_err("lab %s: node %s has no interface to capture on (it "
			"has %s)", a->lab, a->node, c->names);
		rc = EXIT_USAGE;
	} else if (ret) {
		cli_err("lab %s: cannot capture on %s%s%s: %s", a->lab, a->node,
			c->ifname[0] ? ":" : "", c->ifname, strerror(-ret));
		rc = EXIT_SYSTEM;
	} else {
		/* the holder's exit is the lab's end: watched while we run */
		*holder = st->holder_pidfd >= 0 ?
			fcntl(st->holder_pidfd, F_DUPFD_CLOEXEC, 3) : -1;
	}
	state_close(st);
	return rc;
}

static int open_out(const struct cap_args *a, struct pcap_out *o)
{
	int ret;

	if (!a->file) {
		ret = pcap_out_stream(STDOUT_FILENO, CAPTURE_SNAPLEN, o);
		if (ret && ret != -EPIPE) {
			cli_err("capture: stdout: %s", strerror(-ret));
			return EXIT_SYSTEM;
		}
		return ret ? -1 : EXIT_OK;
	}
	ret = pcap_out_create(a->file, CAPTURE_SNAPLEN, o);
	if (ret == -ELOOP) {
		cli_err("capture: %s: is a symbolic link: nslab runs as root "
			"and does not write through one (name the file itself)",
			a->file);
		return EXIT_USAGE;
	}
	if (ret == -EEXIST) {
		cli_err("capture: %s: exists and is not a regular file",
			a->file);
		return EXIT_USAGE;
	}
	if (ret) {
		cli_err("capture: %s: %s", a->file, strerror(-ret));
		return ret == -ENOENT || ret == -ENOTDIR || ret == -EISDIR ||
		       ret == -ENAMETOOLONG ? EXIT_USAGE : EXIT_SYSTEM;
	}
	return EXIT_OK;
}

enum cap_end { END_COUNT, END_SIGNAL, END_READER, END_LAB, END_IFACE,
	       END_ERROR };

struct cap_run {
	const struct cap_args *a;
	struct capture_sock *c;
	struct pcap_out *o;
	unsigned long n;
	int err;		/* END_ERROR: -errno */
	const char *what;	/* END_ERROR: "read" or "write" */
	bool gone;		/* the interface was deleted */
	bool down;		/* it went down once: look for a deletion */
};

/* Every frame waiting, each written at once.  -1 to go on, else why we
 * stop. */
static int drain(struct cap_run *r, uint8_t *buf, size_t bufsize,
		 const sigset_t *run)
{
	int batch = 0;

	for (;;) {
		struct capture_pkt p;
		sigset_t blocked;
		int ret = capture_read(r->c->fd, buf, bufsize, &p);

		if (ret == -EAGAIN)
			return r->gone ? END_IFACE : -1;
		if (ret == -ENETDOWN) {
			/* down: it captures again once up; deleted: the
			 * frames already queued, then the end.  A deletion
			 * reports ENETDOWN before the socket loses its
			 * ifindex: capture_loop() looks again while down */
			if (capture_iface_gone(r->c))
				r->gone = true;
			else
				cli_info("capture: %s went down", r->c->ifname);
			/* for good: frames queued before it say nothing */
			r->down = true;
			continue;
		}
		if (ret) {
			r->err = ret;
			r->what = "read";
			return END_ERROR;
		}
		/* a signal may cut a write, never a record (capture.h) */
		sigprocmask(SIG_SETMASK, run, &blocked);
		ret = pcap_out_packet(r->o, &p, CAPTURE_SNAPLEN, &cap_signals);
		sigprocmask(SIG_SETMASK, &blocked, NULL);
		if (ret == -EINTR)
			return END_SIGNAL;
		if (ret == -EPIPE)
			return END_READER;
		if (ret) {
			r->err = ret;
			r->what = "write";
			return END_ERROR;
		}
		if (++r->n == r->a->count)
			return END_COUNT;
		if (cap_signals)
			return END_SIGNAL;
		/* now and then, a look at the lab and the reader */
		if (++batch == 256)
			return -1;
	}
}

static int capture_loop(struct cap_run *r, int holder)
{
	static uint8_t buf[CAPTURE_VLAN_HLEN + CAPTURE_SNAPLEN];
	const struct timespec look = { 0, 200000000 };
	struct pollfd pf[3];
	sigset_t block, run;
	struct stat sb;
	int npf = 0, watch_out = -1, end = -1;

	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGHUP);
	sigprocmask(SIG_BLOCK, &block, &run);
	sigdelset(&run, SIGINT);
	sigdelset(&run, SIGTERM);
	sigdelset(&run, SIGHUP);
	pf[npf++] = (struct pollfd){ .fd = r->c->fd, .events = POLLIN };
	if (holder >= 0)
		pf[npf++] = (struct pollfd){ .fd = holder, .events = POLLIN };
	/* a pipe whose reader went polls POLLERR: the end, even while no
	 * frame comes (tcpdump -c N exited) */
	if (!r->a->file && !fstat(STDOUT_FILENO, &sb) &&
	    (S_ISFIFO(sb.st_mode) || S_ISSOCK(sb.st_mode))) {
		watch_out = npf;
		pf[npf++] = (struct pollfd){ .fd = STDOUT_FILENO, .events = 0 };
	}
	while (end < 0) {
		int i;

		if (cap_signals) {
			end = END_SIGNAL;
			break;
		}
		if (r->down && capture_iface_gone(r->c)) {
			r->gone = true;
			end = drain(r, buf, sizeof(buf), &run);
			if (end < 0)
				end = END_IFACE;
			break;
		}
		if (ppoll(pf, (nfds_t)npf, r->down ? &look : NULL, &run) < 0) {
			if (errno == EINTR)
				continue;
			r->err = -errno;
			r->what = "poll";
			end = END_ERROR;
			break;
		}
		if (pf[0].revents)
			end = drain(r, buf, sizeof(buf), &run);
		for (i = 1; end < 0 && i < npf; i++) {
			if (!pf[i].revents)
				continue;
			end = i == watch_out ? END_READER : END_LAB;
		}
	}
	sigprocmask(SIG_SETMASK, &run, NULL);
	/* a lab taken down may first show as its interface going */
	if (end == END_IFACE && holder >= 0 &&
	    poll(&(struct pollfd){ .fd = holder, .events = POLLIN }, 1, 200) > 0)
		end = END_LAB;
	return end;
}

static int report(const struct cap_run *r, int end)
{
	const char *where = r->a->file ? r->a->file : "stdout";
	int rc = EXIT_OK;

	switch (end) {
	case END_LAB:
		if (!cli_quiet)
			cli_err("capture: lab %s was taken down", r->a->lab);
		break;
	case END_IFACE:
		cli_err("capture: lab %s: %s:%s was deleted", r->a->lab,
			r->a->node, r->c->ifname);
		rc = EXIT_SYSTEM;
		break;
	case END_ERROR:
		cli_err("capture: %s%s%s: %s", r->what,
			!strcmp(r->what, "write") ? " " : "",
			!strcmp(r->what, "write") ? where : "", strerror(-r->err));
		rc = EXIT_SYSTEM;
		break;
	default:
		break;
	}
	if (!cli_quiet)
		fprintf(stderr, "nslab: capture: %lu packet%s\n", r->n,
			r->n == 1 ? "" : "s");
	return rc;
}

int cmd_capture(int argc, char **argv)
{
	struct cap_args a = { 0 };
	struct capture_filter f = { 0 };
	struct capture_sock c = { .fd = -1 };
	struct pcap_out o = { .fd = -1 };
	struct cap_run r = { .a = &a, .c = &c, .o = &o };
	struct sigaction sa;
	char why[256];
	int rc, holder = -1, end;

	rc = parse_args(&a, argc, argv);
	if (rc)
		goto out;
	if (!a.file && isatty(STDOUT_FILENO)) {
		cli_err("capture: stdout is a terminal: give -w FILE or pipe it "
			"(| tcpdump -r -)");
		rc = EXIT_USAGE;
		goto out;
	}
	if (capture_filter_compile(a.filter, CAPTURE_SNAPLEN, &f, why,
				   sizeof(why))) {
		cli_err("capture: filter \"%s\": %s", a.filter, why);
		rc = EXIT_USAGE;
		goto out;
	}
	rc = cli_need_root();
	if (!rc)
		rc = open_node(&a, &f, &c, &holder);
	if (rc)
		goto out;
	cli_info("capture: lab %s: %s:%s%s (ifindex %d)%s%s%s", a.lab, a.node,
		 c.ifname, c.defaulted ? ", the node's first interface" : "",
		 c.ifindex, *a.filter ? ", filter \"" : "", a.filter,
		 *a.filter ? "\"" : "");
	/* a closed pipe is EPIPE from write, not a signal that kills us */
	signal(SIGPIPE, SIG_IGN);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;	/* no SA_RESTART: writes return */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);	/* a closed terminal or ssh */
	rc = open_out(&a, &o);
	if (rc < 0) {
		rc = report(&r, END_READER);
		goto out;
	}
	if (rc)
		goto out;
	end = capture_loop(&r, holder);
	rc = report(&r, end);
	if (o.fd >= 0 && o.fd != STDOUT_FILENO && close(o.fd)) {
		cli_err("capture: %s: %s", a.file, strerror(errno));
		rc = EXIT_SYSTEM;
	}
out:
	if (c.fd >= 0)
		close(c.fd);
	if (holder >= 0)
		close(holder);
	capture_filter_free(&f);
	free(a.filter);
	return rc;
}

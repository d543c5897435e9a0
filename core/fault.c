/* fault.c — fault injection (see fault.h). */
#include "fault.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const kind_names[] = {
	[FAULT_NETLINK] = "netlink", [FAULT_NS] = "ns", [FAULT_FORK] = "fork",
	[FAULT_MOUNT] = "mount", [FAULT_WRITE] = "write",
};

static const struct {
	const char *name;
	int err;
} errnos[] = {
	{ "EIO", EIO }, { "ENOMEM", ENOMEM }, { "ENOSPC", ENOSPC },
	{ "EPERM", EPERM }, { "EACCES", EACCES }, { "EAGAIN", EAGAIN },
	{ "EBUSY", EBUSY }, { "EINVAL", EINVAL }, { "EMFILE", EMFILE },
	{ "ENFILE", ENFILE }, { "ENOBUFS", ENOBUFS }, { "ENODEV", ENODEV },
	{ "ENOENT", ENOENT }, { "EEXIST", EEXIST }, { "ETIMEDOUT", ETIMEDOUT },
};

static struct {
	bool list;
	long at;	/* the operation to fail, 0 none */
	int err;
	long n;		/* operations counted */
} F;

/* read once, whichever thread hits first */
static pthread_once_t fault_once = PTHREAD_ONCE_INIT;

static void fault_report(void)
{
	fprintf(stderr, "nslab: fault points: %ld\n", F.n);
}

static int fault_errno(const char *s)
{
	char *end;
	long v;
	size_t i;

	for (i = 0; i < sizeof(errnos) / sizeof(errnos[0]); i++)
		if (!strcmp(s, errnos[i].name))
			return errnos[i].err;
	v = strtol(s, &end, 10);
	return *s && !*end && v > 0 && v < 4096 ? (int)v : 0;
}

/* "N", "N:ERRNO" or "list"; anything else is said and ignored. */
static void fault_read(void)
{
	const char *v = getenv(FAULT_ENV), *colon;
	char *end;

	if (!v)
		return;
	if (!strcmp(v, "list")) {
		F.list = true;
		atexit(fault_report);
	} else {
		F.at = strtol(v, &end, 10);
		colon = strchr(v, ':');
		F.err = colon ? fault_errno(colon + 1) : EIO;
		if (F.at <= 0 || end != (colon ? colon : v + strlen(v)) || !F.err) {
			fprintf(stderr, "nslab: %s=%s ignored: expected N[:ERRNO] or list\n",
				FAULT_ENV, v);
			F.at = 0;
		}
	}
	unsetenv(FAULT_ENV);
}

int fault_hit(enum fault_kind k)
{
	long n;

	pthread_once(&fault_once, fault_read);
	/* namespaces are made by several threads at once (ns.c): each hit
	 * still gets a number of its own */
	n = __atomic_add_fetch(&F.n, 1, __ATOMIC_RELAXED);
	if (F.list)
		fprintf(stderr, "nslab: fault point %ld: %s\n", n, kind_names[k]);
	if (n != F.at)
		return 0;
	errno = F.err;
	return F.err;
}

long fault_count(void)
{
	return __atomic_load_n(&F.n, __ATOMIC_RELAXED);
}

void fault_skip(long n, const char *where)
{
	long i;

	pthread_once(&fault_once, fault_read);
	for (i = 0; F.list && i < n; i++)
		fprintf(stderr, "nslab: fault point %ld: %s\n", F.n + 1 + i, where);
	F.n += n > 0 ? n : 0;
}

const char *fault_child_env(char *buf, size_t len)
{
	pthread_once(&fault_once, fault_read);
	if (F.list)
		snprintf(buf, len, "%s=list", FAULT_ENV);
	else if (F.at > F.n)
		snprintf(buf, len, "%s=%ld:%d", FAULT_ENV, F.at - F.n, F.err);
	else
		return NULL;
	return buf;
}

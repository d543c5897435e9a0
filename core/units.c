/* units.c — rates, times, percentages and counts (see units.h). */
#include "units.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct unit {
	const char *name;
	double mult;
};

/* tc's rate suffixes: *bit are bits/s, *bps are BYTES/s (x8). */
static const struct unit rate_units[] = {
	{ "bit", 1 },	       { "kbit", 1e3 },	   { "mbit", 1e6 },
	{ "gbit", 1e9 },       { "tbit", 1e12 },   { "bps", 8 },
	{ "kbps", 8e3 },       { "mbps", 8e6 },	   { "gbps", 8e9 },
	{ "tbps", 8e12 },      { NULL, 0 },
};

static const struct unit time_units[] = {
	{ "ns", 1 },	{ "us", 1e3 },	  { "usec", 1e3 }, { "ms", 1e6 },
	{ "msec", 1e6 }, { "s", 1e9 },	  { "sec", 1e9 },  { NULL, 0 },
};

/* Split "12.5mbit" into a number and a suffix.  Only plain decimal numbers
 * are accepted: no sign, no exponent, no hex, no inf/nan. */
static int split_number(const char *s, double *num, const char **suffix)
{
	const char *p = s;
	int digits = 0;
	char *end;

	while (*p >= '0' && *p <= '9')
		p++, digits++;
	if (*p == '.') {
		p++;
		while (*p >= '0' && *p <= '9')
			p++, digits++;
	}
	if (!digits)
		return -EINVAL;
	errno = 0;
	*num = strtod(s, &end);
	if (errno || end != p)
		return -EINVAL;
	*suffix = p;
	return 0;
}

static const struct unit *find_unit(const struct unit *u, const char *name)
{
	for (; u->name; u++)
		if (!strcasecmp(u->name, name))
			return u;
	return NULL;
}

int units_rate(const char *s, uint64_t *bps, int allow_zero, const char **why)
{
	const struct unit *u;
	const char *suf;
	double n, v;

	if (allow_zero && !strcmp(s, "none")) {
		*bps = 0;
		return 0;
	}
	if (split_number(s, &n, &suf)) {
		*why = "not a rate (e.g. 10mbit)";
		return -EINVAL;
	}
	u = *suf ? find_unit(rate_units, suf) : &rate_units[0];
	if (!u) {
		*why = "unknown rate unit (bit kbit mbit gbit tbit, or bps kbps "
		       "mbps gbps tbps for bytes/s)";
		return -EINVAL;
	}
	v = n * u->mult;
	if (v == 0 && allow_zero) {
		*bps = 0;
		return 0;
	}
	/* 8 bit/s is the smallest rate TBF can express (1 byte/s); 8e13 bit/s
	 * keeps bytes/s far below 2^64. */
	if (v < 8 || v > 8e13) {
		*why = "rate out of range (8bit to 10tbps)";
		return -ERANGE;
	}
	*bps = (uint64_t)llround(v);
	return 0;
}

int units_time(const char *s, uint64_t *ns, int allow_zero, const char **why)
{
	const struct unit *u;
	const char *suf;
	double n, v;

	if (split_number(s, &n, &suf)) {
		*why = "not a time (e.g. 20ms)";
		return -EINVAL;
	}
	if (!*suf && n == 0 && allow_zero) {
		*ns = 0;
		return 0;
	}
	if (!*suf) {
		*why = "a time needs a unit (us, ms or s)";
		return -EINVAL;
	}
	u = find_unit(time_units, suf);
	if (!u) {
		*why = "unknown time unit (us, ms or s)";
		return -EINVAL;
	}
	v = n * u->mult;
	/* One hour is far beyond any sane delay or timeout and keeps every
	 * value inside netem's signed 64-bit nanoseconds. */
	if (v > 3600e9 || (v == 0 && !allow_zero) || (v > 0 && v < 1)) {
		*why = "time out of range (1ns to 3600s)";
		return -ERANGE;
	}
	*ns = (uint64_t)llround(v);
	return 0;
}

int units_percent(const char *s, double *pct, const char **why)
{
	const char *suf;
	double n;

	if (split_number(s, &n, &suf) || strcmp(suf, "%")) {
		*why = "not a percentage (e.g. 0.5%)";
		return -EINVAL;
	}
	if (n > 100) {
		*why = "percentage above 100%";
		return -ERANGE;
	}
	*pct = n;
	return 0;
}

int units_uint(const char *s, uint64_t min, uint64_t max, uint64_t *v,
	       const char **why)
{
	unsigned long long x;
	char *end;

	if (*s < '0' || *s > '9') {
		*why = "not a number";
		return -EINVAL;
	}
	errno = 0;
	x = strtoull(s, &end, 10);
	if (*end) {
		*why = "not a number";
		return -EINVAL;
	}
	if (errno || x < min || x > max) {
		*why = "out of range";
		return -ERANGE;
	}
	*v = x;
	return 0;
}

/* Print with the largest unit that divides exactly, so the script text
 * round-trips to the same value. */
static const char *exact_str(uint64_t v, const struct unit *u, int nunits,
			     char *buf, int len)
{
	int i;

	for (i = nunits - 1; i > 0; i--) {
		uint64_t m = (uint64_t)u[i].mult;

		if (v && v % m == 0) {
			snprintf(buf, len, "%llu%s",
				 (unsigned long long)(v / m), u[i].name);
			return buf;
		}
	}
	snprintf(buf, len, "%llu%s", (unsigned long long)v, u[0].name);
	return buf;
}

const char *units_rate_str(uint64_t bps, char *buf, int len)
{
	return exact_str(bps, rate_units, 5, buf, len);
}

const char *units_time_str(uint64_t ns, char *buf, int len)
{
	static const struct unit t[] = {
		{ "ns", 1 }, { "us", 1e3 }, { "ms", 1e6 }, { "s", 1e9 },
	};

	return exact_str(ns, t, 4, buf, len);
}

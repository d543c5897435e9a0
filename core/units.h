/* units.h — the units of lab files, with tc's conventions.
 *
 * Every parser returns 0, or -EINVAL / -ERANGE and points *why at a short
 * reason suitable for a message ("unknown unit", "out of range").
 */
#pragma once

#include <stdint.h>

/* "10mbit" -> 10000000 bit/s.  bit kbit mbit gbit tbit are decimal bits per
 * second, bps kbps mbps gbps tbps are BYTES per second (as in tc), a bare
 * number is bit/s.  "none" or "0" -> 0 (only when allow_zero). */
int units_rate(const char *s, uint64_t *bps, int allow_zero, const char **why);
/* "20ms" -> 20000000 ns.  us ms s (also usec msec sec, ns); a unit is
 * required; "0" alone is allowed when allow_zero. */
int units_time(const char *s, uint64_t *ns, int allow_zero, const char **why);
/* "0.5%" -> 0.5; 0..100, the % sign required. */
int units_percent(const char *s, double *pct, const char **why);
/* A decimal integer in [min, max]. */
int units_uint(const char *s, uint64_t min, uint64_t max, uint64_t *v,
	       const char **why);
/* Format helpers for printing plans: "10mbit", "20ms", "0.5%". */
const char *units_rate_str(uint64_t bps, char *buf, int len);
const char *units_time_str(uint64_t ns, char *buf, int len);

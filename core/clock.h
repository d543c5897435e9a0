/* clock.h — the monotonic clock, as nanoseconds or seconds.
 *
 * Every deadline and every duration nslab reports is measured on
 * CLOCK_MONOTONIC, so a wall-clock jump (NTP, a VM resumed) never cuts a
 * wait short or makes a phase look negative.
 */
#pragma once

#include <stdint.h>
#include <time.h>

static inline uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static inline double mono_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* test_impair.c — the impairment engine's pure core (core/impair.h): the
 * random stream, netem's delay table, the per-frame decisions (checked
 * statistically with fixed seeds, so every run is the same), the time
 * queue, checksum completion, corruption and GSO segmentation.  Frames
 * are built by hand and checked with a checksum routine of this file's
 * own, not impair.c's. */
#include "../tsuite.h"
#include "impair.h"
#include "nl.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MS 1000000ull

/* ---- helpers ------------------------------------------------------------- */

/* An Internet checksum written independently of impair.c: 32-bit
 * accumulator over byte pairs, folded once at the end. */
static uint32_t t_sum(uint32_t acc, const uint8_t *p, size_t len)
{
	while (len > 1) {
		acc += (uint32_t)p[0] * 256 + p[1];
		p += 2;
		len -= 2;
	}
	if (len)
		acc += (uint32_t)p[0] * 256;
	return acc;
}

static uint16_t t_fold(uint32_t acc)
{
	acc = (acc >> 16) + (acc & 0xffff);
	acc += acc >> 16;
	return (uint16_t)acc;
}

static uint16_t rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)rd16(p) << 16 | rd16(p + 2);
}

static void wr16(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void wr32(uint8_t *p, uint32_t v)
{
	wr16(p, v >> 16);
	wr16(p + 2, v);
}

/* The pseudo-header sum of an IPv4 or IPv6 header at ip, for protocol
 * proto and an L4 length. */
static uint32_t t_pseudo(const uint8_t *ip, int v6, uint8_t proto,
			 uint32_t l4len)
{
	uint32_t acc = v6 ? t_sum(0, ip + 8, 32) : t_sum(0, ip + 12, 8);

	return acc + proto + (l4len >> 16) + (l4len & 0xffff);
}

/* Whether a transport checksum verifies: the whole sum folds to 0xffff. */
static int l4_ok(const uint8_t *ip, int v6, uint8_t proto, const uint8_t *l4,
		 uint32_t l4len)
{
	return t_fold(t_sum(t_pseudo(ip, v6, proto, l4len), l4, l4len)) ==
	       0xffff;
}

/* Builds Ethernet [+ 802.1Q] + IPv4 (ihl words) or IPv6 + TCP (doff
 * words, with options) + payload, every length field for the whole. */
struct t_frame {
	uint8_t *b;
	size_t len, l3, l4, hdr;
};

static void t_eth(struct t_frame *f, int vlan, uint16_t type)
{
	static const uint8_t macs[12] = { 2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2 };

	memcpy(f->b, macs, 12);
	f->l3 = 14;
	if (vlan) {
		wr16(f->b + 12, 0x8100);
		wr16(f->b + 14, 42);
		f->l3 = 18;
	}
	wr16(f->b + f->l3 - 2, type);
}

static void t_ipv4(struct t_frame *f, int ihl, uint8_t proto, size_t l4len)
{
	uint8_t *ip = f->b + f->l3;
	int i;

	ip[0] = (uint8_t)(0x40 | ihl);
	wr16(ip + 2, (uint32_t)(ihl * 4 + l4len));
	wr16(ip + 4, 0xfffe);		/* ID: wraps while segmenting */
	wr16(ip + 6, 0x4000);		/* DF */
	ip[8] = 64;
	ip[9] = proto;
	wr32(ip + 12, 0x0a000001);
	wr32(ip + 16, 0x0a000002);
	for (i = 20; i < ihl * 4; i++)
		ip[i] = 1;		/* NOP options */
	wr16(ip + 10, (uint16_t)~t_fold(t_sum(0, ip, (size_t)ihl * 4)));
	f->l4 = f->l3 + (size_t)ihl * 4;
}

static void t_ipv6(struct t_frame *f, uint8_t proto, size_t l4len)
{
	uint8_t *ip = f->b + f->l3;
	int i;

	ip[0] = 0x60;
	wr16(ip + 4, (uint32_t)l4len);
	ip[6] = proto;
	ip[7] = 64;
	for (i = 0; i < 16; i++) {
		ip[8 + i] = (uint8_t)(0x20 + i);
		ip[24 + i] = (uint8_t)(0x90 - i);
	}
	f->l4 = f->l3 + 40;
}

static void t_tcp(struct t_frame *f, int doff, uint8_t flags)
{
	uint8_t *t = f->b + f->l4;
	int i;

	wr16(t, 40000);
	wr16(t + 2, 5201);
	wr32(t + 4, 0xfffff000);	/* seq: wraps while segmenting */
	wr32(t + 8, 0x12345678);
	t[12] = (uint8_t)(doff << 4);
	t[13] = flags;
	wr16(t + 14, 512);
	for (i = 20; i < doff * 4; i++)
		t[i] = 1;		/* NOP options */
	f->hdr = f->l4 + (size_t)doff * 4;
}

/* A TCP frame: v6 or IPv4 with ihl words, doff TCP words, plen bytes. */
static struct t_frame t_tcp_frame(int v6, int vlan, int ihl, int doff,
				  uint8_t flags, size_t plen)
{
	struct t_frame f = { 0 };
	size_t ipl = v6 ? 40 : (size_t)ihl * 4, l4len = (size_t)doff * 4 + plen;
	size_t i;

	f.len = (vlan ? 18 : 14) + ipl + l4len;
	f.b = calloc(1, f.len);
	ck_assert_ptr_nonnull(f.b);
	t_eth(&f, vlan, v6 ? 0x86dd : 0x0800);
	if (v6)
		t_ipv6(&f, 6, l4len);
	else
		t_ipv4(&f, ihl, 6, l4len);
	t_tcp(&f, doff, flags);
	for (i = 0; i < plen; i++)
		f.b[f.hdr + i] = (uint8_t)(i * 7 + i / 251);
	return f;
}

/* Binomial: |got - n p| within k standard deviations. */
static void ck_binomial(uint64_t got, uint64_t n, double p, double k,
			const char *what)
{
	double mean = (double)n * p, sd = sqrt((double)n * p * (1 - p));

	ck_assert_msg(fabs((double)got - mean) <= k * sd,
		      "%s: %llu of %llu, want %.0f +- %.0f", what,
		      (unsigned long long)got, (unsigned long long)n, mean,
		      k * sd);
}

static struct plan_netem t_conf(void)
{
	struct plan_netem c = { 0 };

	c.limit_pkts = 1000;
	return c;
}

/* ---- random numbers ------------------------------------------------------ */

START_TEST(test_rng_known)
{
	/* xoshiro256** over splitmix64(seed), from a separate implementation */
	static const uint64_t want0[3] = { 0x99ec5f36cb75f2b4ull,
					   0xbf6e1f784956452aull,
					   0x1a5f849d4933e6e0ull };
	static const uint64_t want1[3] = { 0xbe6a36374160d49bull,
					   0x214aaa0637a688c6ull,
					   0xf69d16de9954d388ull };
	struct impair_rng a, b;
	int i;

	impair_rng_seed(&a, 0);
	impair_rng_seed(&b, 12345);
	for (i = 0; i < 3; i++) {
		ck_assert_uint_eq(impair_rng_next(&a), want0[i]);
		ck_assert_uint_eq(impair_rng_next(&b), want1[i]);
	}
}
END_TEST

START_TEST(test_rng_streams)
{
	struct impair_rng a, b, c;
	int i, same_ab = 0, same_ac = 0;

	impair_rng_seed(&a, 42);
	impair_rng_seed(&b, 42);
	impair_rng_seed(&c, 43);
	for (i = 0; i < 10000; i++) {
		uint64_t x = impair_rng_next(&a), y = impair_rng_next(&b);
		uint64_t z = impair_rng_next(&c);

		same_ab += x == y;
		same_ac += x == z;
	}
	ck_assert_int_eq(same_ab, 10000);
	ck_assert_int_le(same_ac, 1);
	/* u32 is the next 64-bit value's high half */
	impair_rng_seed(&a, 7);
	impair_rng_seed(&b, 7);
	ck_assert_uint_eq(impair_rng_u32(&a), impair_rng_next(&b) >> 32);
}
END_TEST

START_TEST(test_rng_below_range)
{
	static const uint32_t ns[] = { 1, 2, 3, 7, 10, 1000, 0x80000001u,
				       0xc0000000u, UINT32_MAX };
	struct impair_rng r;
	size_t k;
	int i;

	impair_rng_seed(&r, 1);
	for (k = 0; k < sizeof(ns) / sizeof(ns[0]); k++)
		for (i = 0; i < 20000; i++)
			ck_assert_uint_lt(impair_rng_below(&r, ns[k]), ns[k]);
}
END_TEST

/* Chi-square over nb buckets of [0, n): equal ranges, or (by_mod) the
 * residues mod nb.  The 99.999th percentile of chi-square with 9 degrees
 * of freedom is about 37.3; with 2 about 23. */
static double chi2(struct impair_rng *r, uint32_t n, int nb, int draws,
		   bool by_mod)
{
	long count[10] = { 0 };
	double x = 0, want = (double)draws / nb;
	int i;

	for (i = 0; i < draws; i++) {
		uint64_t v = impair_rng_below(r, n);

		count[by_mod ? v % (uint64_t)nb : v * (uint64_t)nb / n]++;
	}
	for (i = 0; i < nb; i++)
		x += (count[i] - want) * (count[i] - want) / want;
	return x;
}

START_TEST(test_rng_below_uniform)
{
	struct impair_rng r;
	double x;

	impair_rng_seed(&r, 2024);
	x = chi2(&r, 10, 10, 100000, false);
	ck_assert_msg(x < 37.3, "below(10): chi2 %.1f", x);
	x = chi2(&r, 1000, 10, 100000, false);
	ck_assert_msg(x < 37.3, "below(1000): chi2 %.1f", x);
	/* 3 * 2^30, where 4 random values share 3 results: plain modulo
	 * would put half the draws in the first third, a multiply-shift
	 * without its rejection half on the multiples of 3 */
	x = chi2(&r, 0xc0000000u, 3, 100000, false);
	ck_assert_msg(x < 23, "below(3<<30): chi2 %.1f by range", x);
	x = chi2(&r, 0xc0000000u, 3, 100000, true);
	ck_assert_msg(x < 23, "below(3<<30): chi2 %.1f by residue", x);
}
END_TEST

/* ---- tabledist ----------------------------------------------------------- */

START_TEST(test_tabledist_exact)
{
	int len = nl_netem_normal_dist_len, i, odd = -1;
	uint32_t rnd;

	for (rnd = 0; rnd < 100; rnd++)
		ck_assert_int_eq(impair_tabledist(12345, 0, rnd * 977u), 12345);
	/* sigma one table unit: mu + t exactly; the index is rnd % len */
	for (i = 0; i < len; i += 97)
		ck_assert_int_eq(impair_tabledist(1000000, 8192,
						  (uint32_t)(i + 5 * len)),
				 1000000 + nl_netem_normal_dist[i]);
	/* half a unit: t / 2 rounded half away from zero */
	for (i = 0; i < len && odd < 0; i++)
		if (nl_netem_normal_dist[i] > 0 && nl_netem_normal_dist[i] & 1)
			odd = i;
	ck_assert_int_ge(odd, 0);
	ck_assert_int_eq(impair_tabledist(0, 4096, (uint32_t)odd),
			 (nl_netem_normal_dist[odd] + 1) / 2);
	ck_assert_int_eq(impair_tabledist(0, 4096, (uint32_t)(len - 1 - odd)),
			 -(nl_netem_normal_dist[odd] + 1) / 2);
	/* the table is antisymmetric, and so is the rounding */
	for (i = 0; i < len; i++)
		ck_assert_int_eq(impair_tabledist(0, 2 * (int64_t)MS + 1234,
						  (uint32_t)i),
				 -impair_tabledist(0, 2 * (int64_t)MS + 1234,
						   (uint32_t)(len - 1 - i)));
}
END_TEST

START_TEST(test_tabledist_stats)
{
	const int64_t mu = 10 * (int64_t)MS, sigma = 2 * (int64_t)MS;
	const int n = 200000;
	struct impair_rng r;
	double sum = 0, sq = 0, mean, sd, tail;
	int i, beyond = 0;

	impair_rng_seed(&r, 99);
	for (i = 0; i < n; i++) {
		int64_t v = impair_tabledist(mu, sigma, impair_rng_u32(&r));

		sum += (double)v;
		sq += (double)v * (double)v;
		beyond += v > mu + 2 * sigma || v < mu - 2 * sigma;
	}
	mean = sum / n;
	sd = sqrt(sq / n - mean * mean);
	tail = (double)beyond / n;
	ck_assert_msg(fabs(mean - (double)mu) < 0.01 * (double)mu,
		      "mean %.0f", mean);
	ck_assert_msg(fabs(sd - (double)sigma) < 0.03 * (double)sigma,
		      "sd %.0f", sd);
	ck_assert_msg(fabs(tail - 0.0455) < 0.004, "beyond 2 sigma: %.4f",
		      tail);
}
END_TEST

/* ---- decisions ----------------------------------------------------------- */

START_TEST(test_decide_plain)
{
	struct plan_netem c = t_conf();
	struct impair_dir d;
	struct impair_copy out[2];
	int i;

	impair_dir_init(&d, &c, 1);
	ck_assert(impair_dir_is_plain(&d));
	for (i = 0; i < 1000; i++) {
		ck_assert_int_eq(impair_decide(&d, out), 1);
		ck_assert(!out[0].corrupt && !out[0].now);
		ck_assert_uint_eq(out[0].delay_ns, 0);
	}
	ck_assert_uint_eq(d.seen, 1000);
	ck_assert_uint_eq(d.lost + d.duplicated + d.corrupted + d.reordered +
				  d.overlimit,
			  0);
	c.delay_ns = 1;
	impair_dir_set(&d, &c);
	ck_assert(!impair_dir_is_plain(&d));
	c = t_conf();
	c.jitter_ns = 1;
	impair_dir_set(&d, &c);
	ck_assert(!impair_dir_is_plain(&d));
	c = t_conf();
	c.corrupt_pct = 0.5;
	impair_dir_set(&d, &c);
	ck_assert(!impair_dir_is_plain(&d));
	ck_assert_uint_eq(d.p_corrupt, nl_netem_prob(0.5));
	c = t_conf();
	c.limit_pkts = 5;	/* a limit alone changes nothing */
	impair_dir_set(&d, &c);
	ck_assert(impair_dir_is_plain(&d));
}
END_TEST

START_TEST(test_decide_loss)
{
	const uint64_t n = 1000000;
	struct plan_netem c = t_conf();
	struct impair_dir d;
	struct impair_copy out[2];
	uint64_t i, zero = 0;

	c.loss_pct = 1;
	impair_dir_init(&d, &c, 3);
	ck_assert_uint_eq(d.p_loss, nl_netem_prob(1));
	for (i = 0; i < n; i++)
		zero += impair_decide(&d, out) == 0;
	ck_assert_uint_eq(zero, d.lost);
	ck_assert_uint_eq(d.seen, n);
	ck_binomial(d.lost, n, 0.01, 5, "loss 1%");

	c.loss_pct = 0;
	impair_dir_init(&d, &c, 3);
	for (i = 0; i < 100000; i++)
		ck_assert_int_eq(impair_decide(&d, out), 1);
	c.loss_pct = 100;
	impair_dir_init(&d, &c, 3);
	for (i = 0; i < 100000; i++)
		ck_assert_int_eq(impair_decide(&d, out), 0);
	ck_assert_uint_eq(d.lost, 100000);
}
END_TEST

START_TEST(test_decide_duplicate)
{
	const uint64_t n = 200000;
	struct plan_netem c = t_conf();
	struct impair_dir d;
	struct impair_copy out[2];
	uint64_t i, two = 0;

	c.duplicate_pct = 10;
	impair_dir_init(&d, &c, 4);
	for (i = 0; i < n; i++) {
		int k = impair_decide(&d, out);

		ck_assert_int_ge(k, 1);
		ck_assert_int_le(k, 2);
		two += k == 2;
	}
	ck_assert_uint_eq(two, d.duplicated);
	ck_binomial(two, n, 0.10, 5, "duplicate 10%");

	/* duplicate and loss both sure: the loss cancels the duplicate
	 * (netem's count 2 - 1), one copy goes and nothing counts as lost */
	c.duplicate_pct = 100;
	c.loss_pct = 100;
	impair_dir_init(&d, &c, 4);
	ck_assert_int_eq(impair_decide(&d, out), 1);
	ck_assert_uint_eq(d.lost, 0);
	ck_assert_uint_eq(d.duplicated, 0);

	/* duplicate sure, loss 50%: two copies only when neither the frame's
	 * loss draw nor the duplicate's own fires (25%); the duplicate's own
	 * loss is the only loss counted (25%) */
	c.loss_pct = 50;
	impair_dir_init(&d, &c, 4);
	for (i = 0, two = 0; i < n; i++) {
		int k = impair_decide(&d, out);

		ck_assert_int_ge(k, 1);
		two += k == 2;
	}
	ck_binomial(two, n, 0.25, 5, "dup 100% loss 50%: two copies");
	ck_binomial(d.lost, n, 0.25, 5, "dup 100% loss 50%: duplicates lost");
	ck_assert_uint_eq(d.duplicated, two + d.lost);
}
END_TEST

START_TEST(test_decide_reorder)
{
	const uint64_t n = 200000;
	struct plan_netem c = t_conf();
	struct impair_dir d;
	struct impair_copy out[2];
	uint64_t i, now = 0;

	c.delay_ns = 10 * MS;
	c.reorder_pct = 25;
	impair_dir_init(&d, &c, 5);
	ck_assert(!impair_dir_is_plain(&d));
	for (i = 0; i < n; i++) {
		ck_assert_int_eq(impair_decide(&d, out), 1);
		if (out[0].now) {
			now++;
			ck_assert_uint_eq(out[0].delay_ns, 0);
		} else {
			ck_assert_uint_eq(out[0].delay_ns, 10 * MS);
		}
	}
	ck_assert_uint_eq(now, d.reordered);
	ck_binomial(now, n, 0.25, 5, "reorder 25%");

	/* without reorder every copy is held for the delay */
	c.reorder_pct = 0;
	impair_dir_set(&d, &c);
	for (i = 0; i < 10000; i++) {
		ck_assert_int_eq(impair_decide(&d, out), 1);
		ck_assert(!out[0].now);
		ck_assert_uint_eq(out[0].delay_ns, 10 * MS);
	}
}
END_TEST

START_TEST(test_decide_jitter)
{
	const int n = 100000;
	struct plan_netem c = t_conf();
	struct impair_dir d;
	struct impair_copy out[2];
	double sum = 0;
	int i, differ = 0;

	c.delay_ns = 10 * MS;
	c.jitter_ns = 2 * MS;
	impair_dir_init(&d, &c, 6);
	for (i = 0; i < n; i++) {
		ck_assert_int_eq(impair_decide(&d, out), 1);
		sum += (double)out[0].delay_ns;
		differ += out[0].delay_ns != 10 * MS;
	}
	ck_assert_int_gt(differ, n / 2);
	ck_assert_msg(fabs(sum / n - 10e6) < 0.01 * 10e6, "mean %.0f", sum / n);
	/* jitter larger than the delay: negative draws send at once */
	c.delay_ns = 1 * MS;
	c.jitter_ns = 10 * MS;
	impair_dir_set(&d, &c);
	for (i = 0, differ = 0; i < 10000; i++) {
		ck_assert_int_eq(impair_decide(&d, out), 1);
		ck_assert_uint_le(out[0].delay_ns, 60 * MS);
		differ += out[0].delay_ns == 0;
	}
	ck_assert_int_gt(differ, 3000);	/* P(N < -0.1) is about 46% */
}
END_TEST

START_TEST(test_decide_limit)
{
	struct plan_netem c = t_conf();
	struct impair_dir d;
	struct impair_copy out[2];

	c.limit_pkts = 10;
	impair_dir_init(&d, &c, 7);
	d.queued = 9;
	ck_assert_int_eq(impair_decide(&d, out), 1);
	d.queued = 10;
	ck_assert_int_eq(impair_decide(&d, out), 0);
	ck_assert_uint_eq(d.overlimit, 1);
	d.queued = 11;
	ck_assert_int_eq(impair_decide(&d, out), 0);
	ck_assert_uint_eq(d.overlimit, 2);
	ck_assert_uint_eq(d.lost, 0);
	ck_assert_uint_eq(d.queued, 11);	/* the caller's to change */

	/* the duplicate checks the limit with the original queued ahead */
	c.duplicate_pct = 100;
	impair_dir_init(&d, &c, 7);
	d.queued = 9;
	ck_assert_int_eq(impair_decide(&d, out), 1);
	ck_assert_uint_eq(d.overlimit, 1);
	d.queued = 8;
	ck_assert_int_eq(impair_decide(&d, out), 2);
	ck_assert_uint_eq(d.overlimit, 1);
	d.queued = 10;	/* full: both copies go */
	ck_assert_int_eq(impair_decide(&d, out), 0);
	ck_assert_uint_eq(d.overlimit, 2);
}
END_TEST

START_TEST(test_decide_corrupt)
{
	const uint64_t n = 200000;
	struct plan_netem c = t_conf();
	struct impair_dir d;
	struct impair_copy out[2];
	uint64_t i, bad = 0;

	c.corrupt_pct = 100;
	impair_dir_init(&d, &c, 8);
	for (i = 0; i < 1000; i++) {
		ck_assert_int_eq(impair_decide(&d, out), 1);
		ck_assert(out[0].corrupt);
	}
	ck_assert_uint_eq(d.corrupted, 1000);
	c.duplicate_pct = 100;
	impair_dir_set(&d, &c);
	ck_assert_int_eq(impair_decide(&d, out), 2);
	ck_assert(out[0].corrupt && out[1].corrupt);

	c.duplicate_pct = 0;
	c.corrupt_pct = 5;
	impair_dir_init(&d, &c, 8);
	for (i = 0; i < n; i++) {
		ck_assert_int_eq(impair_decide(&d, out), 1);
		bad += out[0].corrupt;
	}
	ck_assert_uint_eq(bad, d.corrupted);
	ck_binomial(bad, n, 0.05, 5, "corrupt 5%");
}
END_TEST

/* Same seed, same decisions; set keeps the stream, the queue and the
 * counters. */
START_TEST(test_decide_repeatable)
{
	struct plan_netem c = t_conf();
	struct impair_dir a, b;
	struct impair_copy oa[2], ob[2];
	int i, k;

	c.delay_ns = 5 * MS;
	c.jitter_ns = 1 * MS;
	c.loss_pct = 10;
	c.duplicate_pct = 10;
	c.reorder_pct = 10;
	c.corrupt_pct = 10;
	impair_dir_init(&a, &c, 77);
	impair_dir_init(&b, &c, 77);
	for (i = 0; i < 10000; i++) {
		int j;

		k = impair_decide(&a, oa);
		ck_assert_int_eq(impair_decide(&b, ob), k);
		for (j = 0; j < k; j++) {
			ck_assert_int_eq(oa[j].corrupt, ob[j].corrupt);
			ck_assert_int_eq(oa[j].now, ob[j].now);
			ck_assert_uint_eq(oa[j].delay_ns, ob[j].delay_ns);
		}
	}
	ck_assert(!memcmp(&a.rng, &b.rng, sizeof(a.rng)));
	ck_assert_uint_eq(a.lost, b.lost);
	ck_assert_uint_eq(a.duplicated, b.duplicated);
	ck_assert_uint_eq(a.corrupted, b.corrupted);
	ck_assert_uint_eq(a.reordered, b.reordered);
	ck_assert_uint_gt(a.lost, 0);
	ck_assert_uint_gt(a.duplicated, 0);
	ck_assert_uint_gt(a.corrupted, 0);
	ck_assert_uint_gt(a.reordered, 0);
	a.queued = 3;
	c.loss_pct = 20;
	impair_dir_set(&a, &c);
	ck_assert_uint_eq(a.queued, 3);
	ck_assert_uint_eq(a.seen, 10000);
	ck_assert(!memcmp(&a.rng, &b.rng, sizeof(a.rng)));
	ck_assert_uint_eq(a.p_loss, nl_netem_prob(20));
	impair_dir_init(&a, &c, 77);
	ck_assert_uint_eq(a.queued, 0);
	ck_assert_uint_eq(a.seen, 0);
}
END_TEST

/* ---- the time queue ------------------------------------------------------ */

START_TEST(test_queue_order)
{
	struct impair_queue q;
	struct impair_item it, last = { 0, 0, NULL };
	struct impair_rng r;
	uintptr_t i, popped = 0;

	impair_queue_init(&q);
	ck_assert_ptr_null(impair_queue_peek(&q));
	ck_assert(!impair_queue_pop(&q, &it));
	impair_rng_seed(&r, 11);
	/* few distinct times: many ties, which leave first come first */
	for (i = 0; i < 20000; i++) {
		ck_assert_int_eq(impair_queue_push(&q, impair_rng_below(&r, 50),
						   (void *)(i + 1)),
				 0);
		if (i % 3 == 2) {	/* interleave pops with pushes */
			ck_assert(impair_queue_pop(&q, &it));
			popped++;
		}
	}
	ck_assert_uint_eq(q.n, 20000 - popped);
	while (q.n) {
		const struct impair_item *p = impair_queue_peek(&q);

		ck_assert_ptr_nonnull(p);
		ck_assert_uint_eq(p->seq, q.v[0].seq);
		ck_assert(impair_queue_pop(&q, &it));
		ck_assert_uint_eq(it.seq + 1, (uintptr_t)it.frame);
		if (last.frame) {
			ck_assert_uint_ge(it.when_ns, last.when_ns);
			if (it.when_ns == last.when_ns)
				ck_assert_uint_gt(it.seq, last.seq);
		}
		last = it;
	}
	ck_assert_ptr_null(impair_queue_peek(&q));
	ck_assert(!impair_queue_pop(&q, &it));
	impair_queue_free(&q);
}
END_TEST

START_TEST(test_queue_fifo)
{
	struct impair_queue q;
	struct impair_item it;
	uintptr_t i;

	impair_queue_init(&q);
	for (i = 1; i <= 1000; i++)
		ck_assert_int_eq(impair_queue_push(&q, i % 2 ? 500 : 100,
						   (void *)i),
				 0);
	for (i = 2; i <= 1000; i += 2) {
		ck_assert(impair_queue_pop(&q, &it));
		ck_assert_uint_eq((uintptr_t)it.frame, i);
		ck_assert_uint_eq(it.when_ns, 100);
	}
	for (i = 1; i <= 1000; i += 2) {
		ck_assert(impair_queue_pop(&q, &it));
		ck_assert_uint_eq((uintptr_t)it.frame, i);
	}
	ck_assert(!impair_queue_pop(&q, &it));
	impair_queue_free(&q);
	ck_assert_ptr_null(q.v);
	impair_queue_free(&q);	/* twice is harmless */
}
END_TEST

/* ---- checksums ----------------------------------------------------------- */

START_TEST(test_csum_tcp4)
{
	struct t_frame f = t_tcp_frame(0, 0, 5, 8, 0x18, 101);
	struct impair_vnet h = { 0 };
	uint32_t l4len = (uint32_t)(f.len - f.l4);
	uint8_t *tcp = f.b + f.l4;

	/* as a sender leaves it: the pseudo-header's sum in the field */
	wr16(tcp + 16, t_fold(t_pseudo(f.b + f.l3, 0, 6, l4len)));
	h.flags = IMPAIR_VNET_NEEDS_CSUM;
	h.csum_start = (uint16_t)f.l4;
	h.csum_offset = 16;
	ck_assert(!l4_ok(f.b + f.l3, 0, 6, tcp, l4len));
	ck_assert_int_eq(impair_csum_finish(f.b, f.len, &h), 0);
	ck_assert(l4_ok(f.b + f.l3, 0, 6, tcp, l4len));
	ck_assert_uint_eq(h.flags & IMPAIR_VNET_NEEDS_CSUM, 0);
	free(f.b);
}
END_TEST

/* IPv6/UDP, odd length; then a payload chosen so the sum comes out 0,
 * which UDP must send as 0xffff. */
START_TEST(test_csum_udp6)
{
	const size_t plen = 37, l4 = 14 + 40, len = l4 + 8 + plen;
	uint8_t *b = calloc(1, len);
	struct t_frame f = { b, len, 14, l4, l4 + 8 };
	struct impair_vnet h = { 0 };
	uint32_t l4len = 8 + plen;
	uint16_t pseudo;
	size_t i;

	ck_assert_ptr_nonnull(b);
	t_eth(&f, 0, 0x86dd);
	t_ipv6(&f, 17, l4len);
	wr16(b + l4, 5353);
	wr16(b + l4 + 2, 53);
	wr16(b + l4 + 4, l4len);
	for (i = 0; i < plen; i++)
		b[l4 + 8 + i] = (uint8_t)(i * 13 + 1);
	pseudo = t_fold(t_pseudo(b + 14, 1, 17, l4len));
	wr16(b + l4 + 6, pseudo);
	h.flags = IMPAIR_VNET_NEEDS_CSUM;
	h.csum_start = (uint16_t)l4;
	h.csum_offset = 6;
	ck_assert_int_eq(impair_csum_finish(b, len, &h), 0);
	ck_assert(l4_ok(b + 14, 1, 17, b + l4, l4len));
	ck_assert_uint_ne(rd16(b + l4 + 6), 0);

	/* make the sum fold to 0xffff: the complement would be 0 */
	wr16(b + l4 + 6, pseudo);
	wr16(b + l4 + 8, 0);
	wr16(b + l4 + 8,
	     0xffff - t_fold(t_sum(0, b + l4, l4len)));
	h.flags = IMPAIR_VNET_NEEDS_CSUM;
	ck_assert_int_eq(impair_csum_finish(b, len, &h), 0);
	ck_assert_uint_eq(rd16(b + l4 + 6), 0xffff);
	ck_assert(l4_ok(b + 14, 1, 17, b + l4, l4len));
	free(b);
}
END_TEST

START_TEST(test_csum_bad)
{
	uint8_t b[64] = { 0 }, copy[64];
	struct impair_vnet h = { .flags = IMPAIR_VNET_NEEDS_CSUM };

	memcpy(copy, b, sizeof(b));
	h.csum_start = 60;
	h.csum_offset = 3;	/* field 63..64: one byte out */
	ck_assert_int_eq(impair_csum_finish(b, sizeof(b), &h), -EINVAL);
	h.csum_start = 100;
	h.csum_offset = 0;
	ck_assert_int_eq(impair_csum_finish(b, sizeof(b), &h), -EINVAL);
	ck_assert_uint_eq(h.flags, IMPAIR_VNET_NEEDS_CSUM);
	ck_assert(!memcmp(b, copy, sizeof(b)));
	h.csum_start = 60;
	h.csum_offset = 2;	/* the last two bytes: fits */
	ck_assert_int_eq(impair_csum_finish(b, sizeof(b), &h), 0);
	ck_assert_uint_eq(rd16(b + 62), 0xffff);	/* ~0, never 0 */
	/* nothing to finish: untouched */
	b[62] = b[63] = 0x12;
	ck_assert_int_eq(impair_csum_finish(b, sizeof(b), &h), 0);
	ck_assert_uint_eq(rd16(b + 62), 0x1212);
}
END_TEST

/* ---- corruption ---------------------------------------------------------- */

static int bits_differ(const uint8_t *a, const uint8_t *b, size_t len)
{
	int n = 0;
	size_t i;

	for (i = 0; i < len; i++)
		n += __builtin_popcount((unsigned)(a[i] ^ b[i]));
	return n;
}

START_TEST(test_corrupt)
{
	uint8_t buf[300], before[300];
	bool hit[16][8] = { { false } };
	struct impair_rng r;
	size_t i, len;
	int k, bit;

	impair_rng_seed(&r, 21);
	for (k = 0; k < 2000; k++) {
		len = 1 + impair_rng_below(&r, sizeof(buf));
		for (i = 0; i < len; i++)
			buf[i] = (uint8_t)impair_rng_u32(&r);
		memcpy(before, buf, len);
		impair_corrupt(buf, len, &r);
		ck_assert_int_eq(bits_differ(before, buf, len), 1);
	}
	/* every bit of a small frame gets its turn */
	memset(buf, 0, 16);
	for (k = 0; k < 5000; k++) {
		impair_corrupt(buf, 16, &r);
		for (i = 0; i < 16; i++)
			for (bit = 0; bit < 8; bit++)
				if (buf[i] & (1 << bit))
					hit[i][bit] = true;
		memset(buf, 0, 16);
	}
	for (i = 0; i < 16; i++)
		for (bit = 0; bit < 8; bit++)
			ck_assert_msg(hit[i][bit], "byte %zu bit %d", i, bit);
	memset(before, 0, 16);
	impair_corrupt(buf, 0, &r);	/* nothing to flip */
	ck_assert(!memcmp(buf, before, 16));
}
END_TEST

/* ---- GSO segmentation ---------------------------------------------------- */

struct segs {
	int n, stop_at;
	uint8_t *seg[64];
	size_t len[64];
};

static int collect(const uint8_t *seg, size_t len, void *arg)
{
	struct segs *s = arg;

	ck_assert_int_lt(s->n, 64);
	s->seg[s->n] = malloc(len);
	ck_assert_ptr_nonnull(s->seg[s->n]);
	memcpy(s->seg[s->n], seg, len);
	s->len[s->n] = len;
	s->n++;
	return s->n == s->stop_at ? 7 : 0;
}

static void segs_free(struct segs *s)
{
	int i;

	for (i = 0; i < s->n; i++)
		free(s->seg[i]);
	s->n = 0;
}

/* Segment i's IP header: lengths, IPv4's ID and header checksum. */
static void check_seg_ip(const struct t_frame *f, int v6, const uint8_t *ip,
			 int i, size_t plen)
{
	const uint8_t *oip = f->b + f->l3;
	size_t ihl = f->l4 - f->l3, thl = f->hdr - f->l4;

	if (v6) {
		ck_assert_uint_eq(rd16(ip + 4), thl + plen);
		ck_assert(!memcmp(ip + 8, oip + 8, 32));
		return;
	}
	ck_assert_uint_eq(rd16(ip + 2), ihl + thl + plen);
	ck_assert_uint_eq(rd16(ip + 4), (uint16_t)(rd16(oip + 4) + i));
	ck_assert_uint_eq(t_fold(t_sum(0, ip, ihl)), 0xffff);
	ck_assert_uint_eq(rd16(ip + 6), 0x4000);
}

/* Segment i of n's TCP header, at payload offset off. */
static void check_seg_tcp(const struct t_frame *f, const uint8_t *tcp, int i,
			  int n, size_t off)
{
	const uint8_t *otcp = f->b + f->l4;
	uint8_t fl = tcp[13], ofl = otcp[13];

	ck_assert_uint_eq(rd32(tcp + 4), (uint32_t)(rd32(otcp + 4) + off));
	ck_assert_uint_eq(rd32(tcp + 8), rd32(otcp + 8));
	ck_assert(!memcmp(tcp + 20, otcp + 20, f->hdr - f->l4 - 20));
	/* FIN and PSH on the last only, CWR on the first only */
	ck_assert_msg((fl & 0x09) == (i < n - 1 ? 0 : (ofl & 0x09)),
		      "seg %d flags %#x", i, fl);
	ck_assert_msg((fl & 0x80) == (i > 0 ? 0 : (ofl & 0x80)),
		      "seg %d flags %#x", i, fl);
	ck_assert_uint_eq(fl & 0x76, ofl & 0x76);	/* the rest */
}

/* Check the cut of f (from t_tcp_frame) into segments of plens[]. */
static void check_segments(const struct t_frame *f, int v6, int n,
			   const size_t *plens, const struct segs *s)
{
	size_t thl = f->hdr - f->l4, off = 0;
	int i;

	ck_assert_int_eq(s->n, n);
	for (i = 0; i < n; i++) {
		const uint8_t *g = s->seg[i], *ip = g + f->l3, *tcp = g + f->l4;

		ck_assert_uint_eq(s->len[i], f->hdr + plens[i]);
		ck_assert(!memcmp(g, f->b, f->l3));	/* Ethernet, tag */
		ck_assert(!memcmp(g + f->hdr, f->b + f->hdr + off, plens[i]));
		check_seg_ip(f, v6, ip, i, plens[i]);
		check_seg_tcp(f, tcp, i, n, off);
		ck_assert_msg(l4_ok(ip, v6, 6, tcp, (uint32_t)(thl + plens[i])),
			      "seg %d: bad TCP checksum", i);
		off += plens[i];
	}
}

static void check_gso(int v6, int vlan, int ihl)
{
	static const size_t plens[3] = { 1448, 1448, 104 };
	/* CWR, ACK, PSH, FIN: the super-frame's flags */
	struct t_frame f = t_tcp_frame(v6, vlan, ihl, 8, 0x99, 3000);
	struct impair_vnet h = { 0 };
	struct segs s = { 0 };

	h.flags = IMPAIR_VNET_NEEDS_CSUM;	/* as a GSO sender leaves it */
	h.gso_type = v6 ? IMPAIR_VNET_GSO_TCPV6 : IMPAIR_VNET_GSO_TCPV4;
	h.gso_size = 1448;
	h.hdr_len = 14;		/* wrong on purpose: not to be trusted */
	h.csum_start = (uint16_t)f.l4;
	h.csum_offset = 16;
	ck_assert_int_eq(impair_gso_segment(f.b, f.len, &h, collect, &s), 0);
	check_segments(&f, v6, 3, plens, &s);
	segs_free(&s);
	free(f.b);
}

START_TEST(test_gso_ipv4)
{
	check_gso(0, 0, 5);
}
END_TEST

START_TEST(test_gso_ipv4_options)
{
	check_gso(0, 0, 7);
}
END_TEST

START_TEST(test_gso_ipv6)
{
	check_gso(1, 0, 0);
}
END_TEST

START_TEST(test_gso_vlan)
{
	check_gso(0, 1, 5);
	check_gso(1, 1, 0);
}
END_TEST

/* Exact multiple, one short segment, ECN flag, emit stopping early. */
START_TEST(test_gso_edges)
{
	static const size_t two[2] = { 1000, 1000 }, one[1] = { 300 };
	struct t_frame f = t_tcp_frame(0, 0, 5, 5, 0x99, 2000);
	struct impair_vnet h = { .gso_type = IMPAIR_VNET_GSO_TCPV4 |
					     IMPAIR_VNET_GSO_ECN,
				 .gso_size = 1000 };
	struct segs s = { 0 };

	ck_assert_int_eq(impair_gso_segment(f.b, f.len, &h, collect, &s), 0);
	check_segments(&f, 0, 2, two, &s);
	segs_free(&s);
	s.stop_at = 1;
	ck_assert_int_eq(impair_gso_segment(f.b, f.len, &h, collect, &s), 7);
	ck_assert_int_eq(s.n, 1);
	segs_free(&s);
	s.stop_at = 0;
	free(f.b);

	f = t_tcp_frame(1, 0, 0, 5, 0x19, 300);
	h.gso_type = IMPAIR_VNET_GSO_TCPV6;
	ck_assert_int_eq(impair_gso_segment(f.b, f.len, &h, collect, &s), 0);
	check_segments(&f, 1, 1, one, &s);
	segs_free(&s);
	free(f.b);
}
END_TEST

START_TEST(test_gso_refused)
{
	struct t_frame f = t_tcp_frame(0, 0, 5, 5, 0x18, 3000);
	struct impair_vnet h = { .gso_type = IMPAIR_VNET_GSO_UDP,
				 .gso_size = 1448 };
	struct segs s = { 0 };

	ck_assert_int_eq(impair_gso_segment(f.b, f.len, &h, collect, &s),
			 -EINVAL);
	h.gso_type = IMPAIR_VNET_GSO_UDP_L4;
	ck_assert_int_eq(impair_gso_segment(f.b, f.len, &h, collect, &s),
			 -EINVAL);
	h.gso_type = 2;
	ck_assert_int_eq(impair_gso_segment(f.b, f.len, &h, collect, &s),
			 -EINVAL);
	h.gso_type = IMPAIR_VNET_GSO_TCPV6;	/* but the frame is IPv4 */
	ck_assert_int_eq(impair_gso_segment(f.b, f.len, &h, collect, &s),
			 -EINVAL);
	h.gso_type = IMPAIR_VNET_GSO_TCPV4;
	ck_assert_int_eq(impair_gso_segment(f.b, 14 + 20 + 10, &h, collect, &s),
			 -EINVAL);	/* cut in the TCP header */
	h.gso_size = 0;
	ck_assert_int_eq(impair_gso_segment(f.b, f.len, &h, collect, &s),
			 -EINVAL);
	h.gso_size = 1448;
	f.b[14 + 9] = 17;	/* UDP in IPv4 */
	ck_assert_int_eq(impair_gso_segment(f.b, f.len, &h, collect, &s),
			 -EINVAL);
	ck_assert_int_eq(s.n, 0);
	free(f.b);

	f = t_tcp_frame(1, 0, 0, 5, 0x18, 3000);
	f.b[14 + 6] = 17;	/* IPv6 next header UDP */
	h.gso_type = IMPAIR_VNET_GSO_TCPV6;
	ck_assert_int_eq(impair_gso_segment(f.b, f.len, &h, collect, &s),
			 -EINVAL);
	ck_assert_int_eq(s.n, 0);
	free(f.b);
}
END_TEST

/* No GSO: the frame as it is, its checksum finished on a copy. */
START_TEST(test_gso_none)
{
	struct t_frame f = t_tcp_frame(0, 1, 5, 5, 0x18, 500);
	struct impair_vnet h = { 0 };
	struct segs s = { 0 };
	uint32_t l4len = (uint32_t)(f.len - f.l4);
	uint8_t *orig;

	wr16(f.b + f.l4 + 16, t_fold(t_pseudo(f.b + f.l3, 0, 6, l4len)));
	orig = malloc(f.len);
	ck_assert_ptr_nonnull(orig);
	memcpy(orig, f.b, f.len);
	ck_assert_int_eq(impair_gso_segment(f.b, f.len, &h, collect, &s), 0);
	ck_assert_int_eq(s.n, 1);
	ck_assert(!memcmp(s.seg[0], f.b, f.len));	/* no flag: as is */
	segs_free(&s);

	h.flags = IMPAIR_VNET_NEEDS_CSUM;
	h.csum_start = (uint16_t)f.l4;
	h.csum_offset = 16;
	ck_assert_int_eq(impair_gso_segment(f.b, f.len, &h, collect, &s), 0);
	ck_assert_int_eq(s.n, 1);
	ck_assert_uint_eq(s.len[0], f.len);
	ck_assert(l4_ok(s.seg[0] + f.l3, 0, 6, s.seg[0] + f.l4, l4len));
	ck_assert(!memcmp(f.b, orig, f.len));	/* the caller's frame stays */
	ck_assert_uint_eq(h.flags, IMPAIR_VNET_NEEDS_CSUM);
	segs_free(&s);
	free(orig);
	free(f.b);
}
END_TEST

static Suite *impair_suite(void)
{
	Suite *s = suite_create("impair");
	TCase *rng = tcase_create("rng");
	TCase *dec = tcase_create("decide");
	TCase *frm = tcase_create("frames");

	tcase_add_test(rng, test_rng_known);
	tcase_add_test(rng, test_rng_streams);
	tcase_add_test(rng, test_rng_below_range);
	tcase_add_test(rng, test_rng_below_uniform);
	tcase_add_test(rng, test_tabledist_exact);
	tcase_add_test(rng, test_tabledist_stats);
	suite_add_tcase(s, rng);

	tcase_set_timeout(dec, 60);
	tcase_add_test(dec, test_decide_plain);
	tcase_add_test(dec, test_decide_loss);
	tcase_add_test(dec, test_decide_duplicate);
	tcase_add_test(dec, test_decide_reorder);
	tcase_add_test(dec, test_decide_jitter);
	tcase_add_test(dec, test_decide_limit);
	tcase_add_test(dec, test_decide_corrupt);
	tcase_add_test(dec, test_decide_repeatable);
	tcase_add_test(dec, test_queue_order);
	tcase_add_test(dec, test_queue_fifo);
	suite_add_tcase(s, dec);

	tcase_add_test(frm, test_csum_tcp4);
	tcase_add_test(frm, test_csum_udp6);
	tcase_add_test(frm, test_csum_bad);
	tcase_add_test(frm, test_corrupt);
	tcase_add_test(frm, test_gso_ipv4);
	tcase_add_test(frm, test_gso_ipv4_options);
	tcase_add_test(frm, test_gso_ipv6);
	tcase_add_test(frm, test_gso_vlan);
	tcase_add_test(frm, test_gso_edges);
	tcase_add_test(frm, test_gso_refused);
	tcase_add_test(frm, test_gso_none);
	suite_add_tcase(s, frm);
	return s;
}

TSUITE(impair_suite)

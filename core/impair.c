/* impair.c — the impairment engine's pure decisions (impair.h).
 *
 * Random numbers: xoshiro256** seeded by splitmix64.  Decisions follow
 * netem's order and meanings (core/README.md, "The impairment engine" and
 * "Kernel facts: netem"):
 * a random event of probability p (a fraction of UINT32_MAX, as tc and
 * nl_netem_prob() give it) fires when p != 0 and p >= a fresh 32-bit
 * random value, so UINT32_MAX always fires and 0 never does; a random
 * value is drawn only for a setting that is on, as netem does.  Jitter
 * picks from the normal table (nl_netem_normal_dist) like netem's
 * tabledist.
 *
 * Frames: checksum completion, a one-bit corruption, and TCP
 * segmentation of GSO super-frames (Ethernet, optional VLAN tag, IPv4 or
 * IPv6, TCP) into the frames the kernel would have put on the wire.
 *
 * The time queue: a binary min-heap on (time to send, arrival number).
 */
#include "impair.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "nl.h"

#define DIST_SCALE 8192		/* the normal table's fixed point */
#define LIMIT_DEFAULT 1000	/* netem's and tc's default limit */
#define JITTER_MAX 2147483647	/* netem caps jitter to an int */
#define DELAY_MAX (INT64_MAX / 2)

/* ---- random numbers ------------------------------------------------------ */

static uint64_t splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static uint64_t rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

void impair_rng_seed(struct impair_rng *r, uint64_t seed)
{
	int i;

	for (i = 0; i < 4; i++)
		r->s[i] = splitmix64(&seed);
}

uint64_t impair_rng_next(struct impair_rng *r)
{
	uint64_t *s = r->s;
	uint64_t out = rotl(s[1] * 5, 7) * 9;
	uint64_t t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return out;
}

uint32_t impair_rng_u32(struct impair_rng *r)
{
	return (uint32_t)(impair_rng_next(r) >> 32);	/* the best bits */
}

/* Multiply-shift: the high word of x * n is uniform in [0, n) once the
 * few low words that would favour some results are rejected. */
uint32_t impair_rng_below(struct impair_rng *r, uint32_t n)
{
	uint64_t m = (uint64_t)impair_rng_u32(r) * n;
	uint32_t low = (uint32_t)m;

	if (low < n) {
		uint32_t reject = (uint32_t)-n % n;	/* 2^32 mod n */

		while (low < reject) {
			m = (uint64_t)impair_rng_u32(r) * n;
			low = (uint32_t)m;
		}
	}
	return (uint32_t)(m >> 32);
}

int64_t impair_tabledist(int64_t mu, int64_t sigma, uint32_t rnd)
{
	int64_t t, x;

	if (sigma == 0)
		return mu;
	t = nl_netem_normal_dist[rnd % (uint32_t)nl_netem_normal_dist_len];
	/* sigma's fraction of a table unit, rounded half away from zero */
	x = (sigma % DIST_SCALE) * t;
	x += x >= 0 ? DIST_SCALE / 2 : -DIST_SCALE / 2;
	return x / DIST_SCALE + (sigma / DIST_SCALE) * t + mu;
}

/* ---- one direction ------------------------------------------------------- */

void impair_dir_set(struct impair_dir *d, const struct plan_netem *conf)
{
	d->conf = *conf;
	d->p_loss = nl_netem_prob(conf->loss_pct);
	d->p_dup = nl_netem_prob(conf->duplicate_pct);
	d->p_reorder = nl_netem_prob(conf->reorder_pct);
	d->p_corrupt = nl_netem_prob(conf->corrupt_pct);
}

void impair_dir_init(struct impair_dir *d, const struct plan_netem *conf,
		     uint64_t seed)
{
	memset(d, 0, sizeof(*d));
	impair_rng_seed(&d->rng, seed);
	impair_dir_set(d, conf);
}

/* netem reorders whenever a reorder probability was given (gap 1). */
static bool reorder_on(const struct impair_dir *d)
{
	return d->conf.reorder_pct > 0;
}

bool impair_dir_is_plain(const struct impair_dir *d)
{
	return !d->conf.delay_ns && !d->conf.jitter_ns && !d->p_loss &&
	       !d->p_dup && !reorder_on(d) && !d->p_corrupt;
}

/* The plan always sets a limit; 0 means netem's default, as for tc. */
static uint32_t limit(const struct impair_dir *d)
{
	return d->conf.limit_pkts ? d->conf.limit_pkts : LIMIT_DEFAULT;
}

static bool event(struct impair_dir *d, uint32_t p)
{
	return p && p >= impair_rng_u32(&d->rng);
}

/* netem: delay +- jitter from the table, jitter capped as netem caps it;
 * a negative draw sends at once.  Delays beyond DELAY_MAX (centuries)
 * are cut there, so that adding the jitter cannot overflow. */
static uint64_t draw_delay(struct impair_dir *d)
{
	int64_t mu = d->conf.delay_ns > DELAY_MAX ? DELAY_MAX
						   : (int64_t)d->conf.delay_ns;
	int64_t sigma = d->conf.jitter_ns > JITTER_MAX
				? JITTER_MAX
				: (int64_t)d->conf.jitter_ns;
	int64_t v;

	if (!sigma)
		return d->conf.delay_ns;
	v = impair_tabledist(mu, sigma, impair_rng_u32(&d->rng));
	return v > 0 ? (uint64_t)v : 0;
}

/* A kept copy: sent at once ahead of the queue (reorder, with netem's
 * gap 1 every copy may be), or held for a drawn delay. */
static void place(struct impair_dir *d, struct impair_copy *c)
{
	c->now = false;
	c->delay_ns = 0;
	if (reorder_on(d) && d->p_reorder >= impair_rng_u32(&d->rng)) {
		c->now = true;
		d->reordered++;
		return;
	}
	c->delay_ns = draw_delay(d);
}

/* The duplicate, as netem re-enqueues it with duplication off: its own
 * loss, corruption, limit (the original is queued ahead of it) and place. */
static int decide_dup(struct impair_dir *d, struct impair_copy *c)
{
	if (event(d, d->p_loss)) {
		d->lost++;
		return 0;
	}
	c->corrupt = event(d, d->p_corrupt);
	if ((uint64_t)d->queued + 1 >= limit(d)) {
		d->overlimit++;
		return 0;
	}
	if (c->corrupt)
		d->corrupted++;
	place(d, c);
	return 1;
}

/* Counters: seen per frame; lost per frame or duplicate lost; overlimit
 * per frame or duplicate refused by the limit; duplicated per duplicate
 * made (the frame got past the loss draw and the limit with two copies);
 * corrupted and reordered per copy sent. */
int impair_decide(struct impair_dir *d, struct impair_copy out[2])
{
	int count = 1;

	d->seen++;
	if (event(d, d->p_dup))
		count++;
	if (event(d, d->p_loss))
		count--;
	if (!count) {
		d->lost++;
		return 0;
	}
	out[0].corrupt = event(d, d->p_corrupt);
	if (d->queued >= limit(d)) {
		d->overlimit++;	/* and netem drops the duplicate with it */
		return 0;
	}
	if (out[0].corrupt)
		d->corrupted++;
	place(d, &out[0]);
	if (count == 1)
		return 1;
	d->duplicated++;
	return 1 + decide_dup(d, &out[1]);
}

/* ---- checksums ----------------------------------------------------------- */

/* Ones' complement sum of big-endian 16-bit words, not yet folded. */
static uint64_t sum16(uint64_t sum, const uint8_t *p, size_t len)
{
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	return sum;
}

static uint16_t fold(uint64_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)(v >> 16));
	put16(p + 2, (uint16_t)v);
}

/* A result of 0 is stored as 0xffff, its other ones' complement form:
 * UDP reads 0 as "no checksum", and TCP accepts both, as the kernel's
 * software completion does. */
int impair_csum_finish(uint8_t *frame, size_t len, struct impair_vnet *h)
{
	size_t start = h->csum_start, field = start + h->csum_offset;
	uint16_t c;

	if (!(h->flags & IMPAIR_VNET_NEEDS_CSUM))
		return 0;
	if (field + 2 > len)
		return -EINVAL;
	c = (uint16_t)~fold(sum16(0, frame + start, len - start));
	put16(frame + field, c ? c : 0xffff);
	h->flags &= (uint8_t)~IMPAIR_VNET_NEEDS_CSUM;
	return 0;
}

void impair_corrupt(uint8_t *frame, size_t len, struct impair_rng *r)
{
	uint32_t n = len > UINT32_MAX ? UINT32_MAX : (uint32_t)len;
	uint32_t at;

	if (!n)
		return;
	at = impair_rng_below(r, n);
	frame[at] ^= (uint8_t)(1u << impair_rng_below(r, 8));
}

/* ---- GSO segmentation ---------------------------------------------------- */

#define ETH_HLEN 14
#define VLAN_HLEN 4
#define ETHERTYPE_IPV4 0x0800
#define ETHERTYPE_IPV6 0x86dd
#define ETHERTYPE_8021Q 0x8100
#define ETHERTYPE_8021AD 0x88a8
#define IPV6_HLEN 40
#define PROTO_TCP 6
#define TCP_FIN 0x01
#define TCP_PSH 0x08
#define TCP_CWR 0x80

/* Where a TCP GSO frame's headers are. */
struct gso_layout {
	bool v6;
	size_t l3, l4, hdr;	/* offsets of IP, TCP, the payload */
};

static int parse_l2(const uint8_t *f, size_t len, uint16_t *type, size_t *l3)
{
	if (len < ETH_HLEN)
		return -EINVAL;
	*type = get16(f + 12);
	*l3 = ETH_HLEN;
	if (*type == ETHERTYPE_8021Q || *type == ETHERTYPE_8021AD) {
		if (len < ETH_HLEN + VLAN_HLEN)
			return -EINVAL;
		*type = get16(f + 16);
		*l3 += VLAN_HLEN;
	}
	return 0;
}

/* IPv4 with options, not a fragment, carrying TCP. */
static int parse_ipv4(const uint8_t *f, size_t len, struct gso_layout *g)
{
	const uint8_t *ip = f + g->l3;
	size_t ihl;

	if (len < g->l3 + 20 || ip[0] >> 4 != 4)
		return -EINVAL;
	ihl = (size_t)(ip[0] & 0xf) * 4;
	if (ihl < 20 || len < g->l3 + ihl || ip[9] != PROTO_TCP)
		return -EINVAL;
	if (get16(ip + 6) & 0x3fff)	/* MF or a fragment offset */
		return -EINVAL;
	g->l4 = g->l3 + ihl;
	return 0;
}

/* IPv6 with TCP right after the fixed header. */
static int parse_ipv6(const uint8_t *f, size_t len, struct gso_layout *g)
{
	const uint8_t *ip = f + g->l3;

	if (len < g->l3 + IPV6_HLEN || ip[0] >> 4 != 6 || ip[6] != PROTO_TCP)
		return -EINVAL;
	g->l4 = g->l3 + IPV6_HLEN;
	return 0;
}

static int parse_tcp_gso(const uint8_t *f, size_t len, uint8_t gso_type,
			 struct gso_layout *g)
{
	uint16_t type;
	size_t doff;
	int ret = parse_l2(f, len, &type, &g->l3);

	if (ret)
		return ret;
	g->v6 = gso_type == IMPAIR_VNET_GSO_TCPV6;
	if (type != (g->v6 ? ETHERTYPE_IPV6 : ETHERTYPE_IPV4))
		return -EINVAL;
	ret = g->v6 ? parse_ipv6(f, len, g) : parse_ipv4(f, len, g);
	if (ret)
		return ret;
	if (len < g->l4 + 20)
		return -EINVAL;
	doff = (size_t)(f[g->l4 + 12] >> 4) * 4;
	if (doff < 20 || len < g->l4 + doff)
		return -EINVAL;
	g->hdr = g->l4 + doff;
	return 0;
}

/* The pseudo-header's sum for TCP over this segment's IP header. */
static uint64_t pseudo_sum(const uint8_t *seg, const struct gso_layout *g,
			   size_t tcp_len)
{
	const uint8_t *ip = seg + g->l3;
	uint64_t sum;

	if (g->v6)
		sum = sum16(0, ip + 8, 32);	/* source, destination */
	else
		sum = sum16(0, ip + 12, 8);
	return sum + PROTO_TCP + (tcp_len >> 16) + (tcp_len & 0xffff);
}

/* Fix up segment i of n (its payload of plen bytes starts at off). */
static void fix_segment(uint8_t *seg, const struct gso_layout *g, size_t i,
			size_t n, size_t off, size_t plen)
{
	uint8_t *ip = seg + g->l3, *tcp = seg + g->l4;
	size_t tcp_len = g->hdr - g->l4 + plen;

	if (g->v6) {
		put16(ip + 4, (uint16_t)tcp_len);
	} else {
		size_t ihl = g->l4 - g->l3;

		put16(ip + 2, (uint16_t)(ihl + tcp_len));
		put16(ip + 4, (uint16_t)(get16(ip + 4) + i));
		put16(ip + 10, 0);
		put16(ip + 10, (uint16_t)~fold(sum16(0, ip, ihl)));
	}
	put32(tcp + 4, get32(tcp + 4) + (uint32_t)off);
	if (i + 1 < n)
		tcp[13] &= (uint8_t)~(TCP_FIN | TCP_PSH);
	if (i > 0)
		tcp[13] &= (uint8_t)~TCP_CWR;
	put16(tcp + 16, 0);
	put16(tcp + 16, (uint16_t)~fold(sum16(pseudo_sum(seg, g, tcp_len), tcp,
					     tcp_len)));
}

static int segment_tcp(const uint8_t *frame, size_t len, size_t mss,
		       const struct gso_layout *g,
		       int (*emit)(const uint8_t *, size_t, void *), void *arg)
{
	size_t payload = len - g->hdr, n, i;
	uint8_t *seg;
	int ret = 0;

	if (!mss)
		return -EINVAL;
	n = payload ? (payload + mss - 1) / mss : 1;
	/* what the IP length field counts: IPv4 its header, IPv6 not */
	if (g->hdr - (g->v6 ? g->l4 : g->l3) +
		    (payload < mss ? payload : mss) > 0xffff)
		return -EINVAL;
	seg = malloc(g->hdr + mss);
	if (!seg)
		return -ENOMEM;
	for (i = 0; i < n && !ret; i++) {
		size_t off = i * mss;
		size_t plen = payload - off < mss ? payload - off : mss;

		memcpy(seg, frame, g->hdr);
		memcpy(seg + g->hdr, frame + g->hdr + off, plen);
		fix_segment(seg, g, i, n, off, plen);
		ret = emit(seg, g->hdr + plen, arg);
	}
	free(seg);
	return ret;
}

/* A frame that needs no cutting: as it is, its checksum completed. */
static int emit_whole(const uint8_t *frame, size_t len,
		      const struct impair_vnet *h,
		      int (*emit)(const uint8_t *, size_t, void *), void *arg)
{
	struct impair_vnet hc = *h;
	uint8_t *copy;
	int ret;

	if (!(h->flags & IMPAIR_VNET_NEEDS_CSUM))
		return emit(frame, len, arg);
	copy = malloc(len ? len : 1);
	if (!copy)
		return -ENOMEM;
	memcpy(copy, frame, len);
	ret = impair_csum_finish(copy, len, &hc);
	if (!ret)
		ret = emit(copy, len, arg);
	free(copy);
	return ret;
}

int impair_gso_segment(const uint8_t *frame, size_t len,
		       const struct impair_vnet *h,
		       int (*emit)(const uint8_t *seg, size_t seglen, void *arg),
		       void *arg)
{
	uint8_t type = h->gso_type & (uint8_t)~IMPAIR_VNET_GSO_ECN;
	struct gso_layout g;
	int ret;

	if (type == IMPAIR_VNET_GSO_NONE)
		return emit_whole(frame, len, h, emit, arg);
	if (type != IMPAIR_VNET_GSO_TCPV4 && type != IMPAIR_VNET_GSO_TCPV6)
		return -EINVAL;
	ret = parse_tcp_gso(frame, len, type, &g);
	if (ret)
		return ret;
	return segment_tcp(frame, len, h->gso_size, &g, emit, arg);
}

/* ---- the time queue ------------------------------------------------------ */

void impair_queue_init(struct impair_queue *q)
{
	memset(q, 0, sizeof(*q));
}

void impair_queue_free(struct impair_queue *q)
{
	free(q->v);
	impair_queue_init(q);
}

static bool item_before(const struct impair_item *a,
			const struct impair_item *b)
{
	return a->when_ns < b->when_ns ||
	       (a->when_ns == b->when_ns && a->seq < b->seq);
}

static void item_swap(struct impair_item *a, struct impair_item *b)
{
	struct impair_item t = *a;

	*a = *b;
	*b = t;
}

static void sift_up(struct impair_item *v, size_t i)
{
	while (i > 0 && item_before(&v[i], &v[(i - 1) / 2])) {
		item_swap(&v[i], &v[(i - 1) / 2]);
		i = (i - 1) / 2;
	}
}

static void sift_down(struct impair_item *v, size_t n, size_t i)
{
	for (;;) {
		size_t l = 2 * i + 1, m = i;

		if (l < n && item_before(&v[l], &v[m]))
			m = l;
		if (l + 1 < n && item_before(&v[l + 1], &v[m]))
			m = l + 1;
		if (m == i)
			return;
		item_swap(&v[i], &v[m]);
		i = m;
	}
}

int impair_queue_push(struct impair_queue *q, uint64_t when_ns, void *frame)
{
	if (q->n == q->cap) {
		size_t cap = q->cap ? q->cap * 2 : 64;
		struct impair_item *v = realloc(q->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		q->v = v;
		q->cap = cap;
	}
	q->v[q->n] = (struct impair_item){ when_ns, q->next_seq++, frame };
	sift_up(q->v, q->n++);
	return 0;
}

const struct impair_item *impair_queue_peek(const struct impair_queue *q)
{
	return q->n ? &q->v[0] : NULL;
}

bool impair_queue_pop(struct impair_queue *q, struct impair_item *out)
{
	if (!q->n)
		return false;
	*out = q->v[0];
	q->v[0] = q->v[--q->n];
	sift_down(q->v, q->n, 0);
	return true;
}

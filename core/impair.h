/* impair.h — the impairment engine's decisions, with netem's meanings
 * (core/README.md, "The impairment engine").  Pure: no syscalls, no clock;
 * the engine (engine.c) passes "now" in and does the I/O.
 *
 * One struct impair_dir per direction of an engine link: its settings,
 * its own seeded random stream, and how many of its frames are queued.
 * The order of decisions for a frame is netem's (sch_netem.c,
 * netem_enqueue): duplicate?, lost?, corrupt?, queue full?, then for each
 * copy kept: reordered (sent at once) or delayed by delay +- jitter drawn
 * from the normal table tc and nslab load (nl_netem_normal_dist).
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "plan.h"

/* ---- random numbers -------------------------------------------------------- */

/* A small, fast, seedable generator (xoshiro256** seeded by splitmix64):
 * the same seed gives the same stream on every run. */
struct impair_rng {
	uint64_t s[4];
};

void impair_rng_seed(struct impair_rng *r, uint64_t seed);
uint64_t impair_rng_next(struct impair_rng *r);
uint32_t impair_rng_u32(struct impair_rng *r);
/* Uniform in [0, n), n > 0, without modulo bias. */
uint32_t impair_rng_below(struct impair_rng *r, uint32_t n);

/* netem's tabledist(): mu + sigma * (a draw from the normal table), in the
 * table's fixed point (NETEM_DIST_SCALE 8192), from one 32-bit random
 * value.  sigma 0 gives mu.  May be negative (the caller clamps at 0). */
int64_t impair_tabledist(int64_t mu, int64_t sigma, uint32_t rnd);

/* ---- one direction ----------------------------------------------------------- */

struct impair_dir {
	struct plan_netem conf;		/* as the plan gives it */
	uint32_t p_loss, p_dup, p_reorder, p_corrupt;	/* nl_netem_prob() */
	struct impair_rng rng;
	uint32_t queued;		/* frames held now (caller keeps it) */
	/* counters, for show and the bench */
	uint64_t seen, lost, duplicated, corrupted, reordered, overlimit;
};

/* A direction with these settings and this seed; nothing queued. */
void impair_dir_init(struct impair_dir *d, const struct plan_netem *conf,
		     uint64_t seed);
/* New settings at run time: the stream, the queue and the counters stay. */
void impair_dir_set(struct impair_dir *d, const struct plan_netem *conf);
/* The direction passes frames untouched (no delay, no random event). */
bool impair_dir_is_plain(const struct impair_dir *d);

/* What becomes of one copy of a frame. */
struct impair_copy {
	bool corrupt;		/* flip one random bit (impair_corrupt) */
	bool now;		/* reordered: sent at once, ahead of the queue */
	uint64_t delay_ns;	/* else: held this long (0 with no delay) */
};

/* Decide the fate of one frame: fills out[0..n-1] and returns n, the copies
 * to send: 0 (lost, or the queue is full), 1, or 2 (duplicated; the
 * duplicate is decided again as netem re-enqueues it, without a further
 * duplicate).  d->queued is NOT changed: the caller adds the copies it
 * queues and subtracts them as they leave. */
int impair_decide(struct impair_dir *d, struct impair_copy out[2]);

/* ---- frames ------------------------------------------------------------------- */

/* The virtio-net header PACKET_VNET_HDR puts before every frame (the
 * layout of <linux/virtio_net.h>'s struct virtio_net_hdr, 10 bytes). */
struct impair_vnet {
	uint8_t flags;		/* IMPAIR_VNET_NEEDS_CSUM */
	uint8_t gso_type;	/* IMPAIR_VNET_GSO_* (| ECN 0x80) */
	uint16_t hdr_len, gso_size, csum_start, csum_offset;
} __attribute__((packed));

#define IMPAIR_VNET_NEEDS_CSUM 1
#define IMPAIR_VNET_GSO_NONE 0
#define IMPAIR_VNET_GSO_TCPV4 1
#define IMPAIR_VNET_GSO_UDP 3
#define IMPAIR_VNET_GSO_TCPV6 4
#define IMPAIR_VNET_GSO_UDP_L4 5
#define IMPAIR_VNET_GSO_ECN 0x80

/* Finish a checksum the sender left to "hardware" (NEEDS_CSUM: the field
 * at csum_start + csum_offset holds the pseudo-header sum; fold in
 * everything from csum_start to the end and store the complement), then
 * clear the flag.  0, or -EINVAL when the offsets lie outside the frame. */
int impair_csum_finish(uint8_t *frame, size_t len, struct impair_vnet *h);

/* Flip one random bit of the frame (netem: a random byte of the packet,
 * a random bit of it).  Checksums must be final first. */
void impair_corrupt(uint8_t *frame, size_t len, struct impair_rng *r);

/* Cut a GSO frame (TCP over IPv4 or IPv6, Ethernet with an optional
 * 802.1Q tag) into the frames the kernel would have sent, each with its
 * checksums final, as netem does before it corrupts one.  Calls
 * emit(frame, len, arg) for each in order; stops at the first nonzero
 * return and returns it.  -EINVAL for a frame it cannot parse or a GSO
 * type other than TCP. */
int impair_gso_segment(const uint8_t *frame, size_t len,
		       const struct impair_vnet *h,
		       int (*emit)(const uint8_t *seg, size_t seglen, void *arg),
		       void *arg);

/* ---- the time queue ---------------------------------------------------------- */

/* A binary min-heap of held frames by time to send; frames due at the same
 * time leave in the order they came (a sequence number breaks ties), so a
 * link without jitter never reorders. */
struct impair_item {
	uint64_t when_ns;
	uint64_t seq;
	void *frame;		/* the caller's */
};

struct impair_queue {
	struct impair_item *v;
	size_t n, cap;
	uint64_t next_seq;
};

void impair_queue_init(struct impair_queue *q);
void impair_queue_free(struct impair_queue *q);	/* not the frames */
/* 0 or -ENOMEM. */
int impair_queue_push(struct impair_queue *q, uint64_t when_ns, void *frame);
/* The earliest item, or NULL when empty. */
const struct impair_item *impair_queue_peek(const struct impair_queue *q);
/* Remove the earliest item into *out; false when empty. */
bool impair_queue_pop(struct impair_queue *q, struct impair_item *out);

/* ping.h — ICMP and ICMPv6 echo from inside a node's network namespace,
 * without a ping process: one raw socket per (namespace, family), opened in
 * a helper thread inside the namespace (ns_run_in()) and then used from the
 * caller's thread, since a socket keeps the namespace it was made in
 * (core/README.md, "Ping" and "Kernel facts: ICMP raw sockets").
 *
 * A raw socket sees every echo reply of its namespace, also those meant for
 * somebody else's ping: a reply is ours only when its identifier, its
 * sequence number, the per-run cookie and the request number in its payload
 * all match, and it comes from the address that was pinged.  The send time
 * (CLOCK_MONOTONIC) rides in the payload, so an RTT needs no table.
 *
 * Nothing here prepares the data path (no neighbour entries are added): the
 * first request to a neighbour waits for ARP or neighbour discovery, as any
 * program's would.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "lab.h"	/* struct lab_addr */

struct ping_result {
	unsigned sent, received;
	double rtt_min_ms, rtt_avg_ms, rtt_max_ms;	/* 0 when nothing received */
};

/* Send `count` ICMP (v4) or ICMPv6 echo requests to dst from inside the
 * network namespace netns_fd (< 0: the caller's own), interval_ms apart,
 * and wait for replies until wait_ms after the last request (or until all
 * replies are in, whichever comes first).  No ping process: a raw socket
 * opened inside the namespace.  Returns 0 (also when nothing answered: see
 * out->received), or -errno when the socket cannot be made or the
 * namespace entered (-EINVAL for a dst that is neither IPv4 nor IPv6).
 * Send errors such as EHOSTUNREACH/ENETUNREACH/ENETDOWN count as lost
 * packets, not as failure; out->sent counts every request tried.  An IPv6
 * link-local dst cannot be pinged (struct lab_addr has no scope): its
 * requests are lost. */
int ping_run(int netns_fd, const struct lab_addr *dst, unsigned count,
	     unsigned interval_ms, unsigned wait_ms, struct ping_result *out);

/* Many pings at once (pingall): pair i pings pairs[i].dst from the
 * namespace netns_fds[pairs[i].src], `count` requests each, sent back to
 * back.  At most max_inflight pairs are outstanding at a time (0 =
 * PING_INFLIGHT_DEFAULT); a pair is finished when all its replies are in
 * or wait_ms passed since its last request.  Fills pairs[i].res.  0 or
 * -errno (socket/namespace failures only; -EINVAL for a src out of range
 * or a dst of no known family).
 *
 * The pairs are cut into contiguous shares, one per CPU the caller may run
 * on (each of 256 pairs at least, at most 8), pinged side by side by
 * threads, each share in array order with its part of max_inflight: ARP on
 * a fresh lab is the kernel's work on the sending CPU (core/README.md,
 * "Ping").  Two entries of netns_fds may name one namespace, and shares may
 * share a source: each reply still counts once, for its own pair. */
struct ping_pair {
	int src;			/* index into netns_fds */
	struct lab_addr dst;
	struct ping_result res;
};
int ping_many(const int *netns_fds, int nfds, struct ping_pair *pairs,
	      int npairs, unsigned count, unsigned wait_ms,
	      unsigned max_inflight);

/* The default bound of ping_many (pairs outstanding at once).  The time of
 * a pingall on a clean lab hardly depends on it (the kernel's ARP work
 * bounds it) while measured RTTs grow with it (replies wait while requests
 * go out); unanswered pairs hold their slot for wait_ms, which argues for
 * many.  tools/bench/pingall measures it. */
#define PING_INFLIGHT_DEFAULT 512

/* ---- packets (pure; exposed for the unit tests) ------------------------ */

/* An echo request or reply as nslab sends it: the 8-byte ICMP header (type,
 * code, checksum, identifier, sequence), then PING_PAYLOAD_LEN bytes of
 * payload: cookie (8), send time in ns (8), tag (4), request number (4),
 * all in network byte order.  The sequence number on the wire is the
 * request number's low 16 bits. */
#define PING_HDR_LEN 8
#define PING_PAYLOAD_LEN 24
#define PING_PKT_LEN (PING_HDR_LEN + PING_PAYLOAD_LEN)

struct ping_echo {
	uint16_t id;		/* ICMP identifier */
	uint64_t cookie;	/* one per run: tells our replies */
	uint64_t sent_ns;	/* CLOCK_MONOTONIC at send */
	uint32_t tag;		/* ping_many's pair index; 0 in ping_run */
	uint32_t n;		/* request number, 0 .. count-1 */
};

/* The Internet checksum (RFC 1071) of len bytes, ready to store as is
 * (that is, in network byte order when buf is); an odd last byte is padded
 * with a zero. */
uint16_t ping_checksum(const void *buf, size_t len);

/* Write the echo request of family (AF_INET or AF_INET6) into buf, which
 * holds at least PING_PKT_LEN bytes; returns the length, or -EINVAL for
 * another family.  IPv4 gets its checksum; ICMPv6's stays 0, because the
 * kernel fills it for an ICMPv6 raw socket (it covers a pseudo-header with
 * the source address, which only the kernel knows). */
int ping_build_request(int family, const struct ping_echo *e, uint8_t *buf,
		       size_t len);

/* Parse what a raw socket of family received: for AF_INET an IPv4 header
 * (its IHL honoured) then the ICMP message, whose checksum is checked here
 * (the kernel hands raw sockets packets before ICMP checks them); for
 * AF_INET6 the ICMPv6 message alone (the kernel checked it).  Returns 0 and
 * fills *e for an echo reply with identifier id, cookie `cookie` and a
 * sequence number that agrees with its request number; -EBADMSG for a
 * truncated or malformed packet; -ENOMSG for anything else (another
 * type, another pinger's reply). */
int ping_parse_reply(int family, const uint8_t *buf, size_t len, uint16_t id,
		     uint64_t cookie, struct ping_echo *e);

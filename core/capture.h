/* capture.h — live capture of one interface of a running node (nslab
 * capture; README.md, "Watching traffic: capture"), and the classic pcap
 * file format it writes.
 *
 * The pcap part is pure (bytes in, bytes out) and unit-tested; the filter
 * is compiled by libpcap (tcpdump's own language) into classic BPF that
 * the kernel runs on the socket; the socket is an AF_PACKET one made
 * inside the node's network namespace, entered through the proven holder
 * (runner_open_netns()), and used from the caller's thread afterwards: a
 * packet socket stays in the namespace it was made in ("Kernel facts:
 * ICMP raw sockets" 1 holds for it too).
 */
#pragma once

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include "state.h"

/* The largest frame kept whole (tcpdump's default): a frame is cut to it
 * and its record says how long it was on the wire. */
#define CAPTURE_SNAPLEN 262144u
#define CAPTURE_VLAN_HLEN 4
#define PCAP_GLOBAL_LEN 24
#define PCAP_RECORD_LEN 16
/* nanosecond-resolution pcap (the kernel's SO_TIMESTAMPNS) */
#define PCAP_MAGIC_NS 0xa1b23c4du
#define PCAP_LINKTYPE_ETHERNET 1u

/* ---- the file format (pure) ------------------------------------------- */

/* The 24-byte global header, little-endian (readers take either order):
 * magic, version 2.4, zone 0, sigfigs 0, snaplen, linktype Ethernet. */
void pcap_global_header(uint8_t out[PCAP_GLOBAL_LEN], uint32_t snaplen);
/* A record's 16-byte header: seconds, nanoseconds, bytes in the file,
 * bytes on the wire. */
void pcap_record_header(uint8_t out[PCAP_RECORD_LEN], uint64_t sec,
			uint32_t nsec, uint32_t caplen, uint32_t origlen);
/* The bytes of a frame of len bytes that a record keeps. */
uint32_t pcap_caplen(size_t len, uint32_t snaplen);

/* Put back the 802.1Q tag the kernel kept aside (PACKET_AUXDATA: status,
 * TCI, TPID), so the file holds the frame as it was on the wire.  The
 * frame's *len bytes start at buf + CAPTURE_VLAN_HLEN (room for the tag
 * in front); *origlen is its length on the wire.  Returns where the frame
 * starts now: buf when a tag went in (both lengths grew by 4), else
 * buf + CAPTURE_VLAN_HLEN, unchanged.  tp_status carries the kernel's
 * TP_STATUS_VLAN_VALID and TP_STATUS_VLAN_TPID_VALID bits; without the
 * latter the TPID is 802.1Q's. */
uint8_t *capture_vlan_restore(uint8_t *buf, size_t *len, size_t *origlen,
			      uint32_t tp_status, uint16_t tci, uint16_t tpid);

/* ---- the filter (libpcap) --------------------------------------------- */

struct sock_filter;
struct capture_filter {
	struct sock_filter *insns;	/* NULL: none (everything passes) */
	unsigned short len;
};
/* Compile expr (tcpdump's language) for Ethernet frames of snaplen bytes.
 * An empty expr gives no filter.  -EINVAL with libpcap's message in why. */
int capture_filter_compile(const char *expr, uint32_t snaplen,
			   struct capture_filter *f, char *why, size_t whylen);
void capture_filter_free(struct capture_filter *f);

/* ---- the socket ------------------------------------------------------- */

struct capture_sock {
	int fd;			/* AF_PACKET, SOCK_RAW, bound to ifindex */
	int ifindex;
	char ifname[16];
	bool defaulted;		/* ifname was chosen: the node's first */
	char names[256];	/* the node's interfaces, for messages */
};

/* Open the node's interface iface (NULL: its first, the lowest ifindex
 * that is neither loopback nor a switch's bridge) for capture, the
 * filter attached before the socket is bound, so no frame reaches it
 * unfiltered.  -ENOENT or -ESTALE as runner_open_netns() (holder gone,
 * pid reused); -ENODEV no such interface, -ENXIO the node has none
 * (c->names lists what it has in both cases); other -errno from the
 * kernel. */
int capture_open(const struct state *st, int node, const char *iface,
		 const struct capture_filter *f, struct capture_sock *c);

struct capture_pkt {
	const uint8_t *data;	/* the frame, tag restored */
	size_t len;		/* bytes in data (at most the buffer's) */
	size_t origlen;		/* bytes on the wire */
	struct timespec ts;	/* the kernel's receive time (realtime) */
};
/* Read one frame without waiting into buf (bufsize at least
 * CAPTURE_VLAN_HLEN + 64).  0, -EAGAIN when none is waiting, -ENETDOWN
 * when the interface went down or away (capture_iface_gone() tells
 * which), another -errno. */
int capture_read(int fd, uint8_t *buf, size_t bufsize, struct capture_pkt *p);
/* The interface the socket is bound to was deleted (not merely set
 * down: a socket on a downed interface captures again once it is up). */
bool capture_iface_gone(const struct capture_sock *c);

/* ---- the output --------------------------------------------------------- */

struct pcap_out {
	int fd;
	bool seekable;		/* a file: a record not written whole is cut */
	off_t size;		/* bytes of whole records written (files) */
};
/* Make path for a capture as root, safely: refused when it is a symbolic
 * link (-ELOOP) or exists and is not a regular file (-EEXIST); else a new
 * file (mode 0644 less the umask) is made next to it with O_EXCL, gets
 * the global header, and is renamed over path, so nothing is ever written
 * through an existing inode and path is a valid pcap from the moment it
 * appears.  The parent directory is resolved once. */
int pcap_out_create(const char *path, uint32_t snaplen, struct pcap_out *o);
/* A stream (stdout): the global header. */
int pcap_out_stream(int fd, uint32_t snaplen, struct pcap_out *o);
/* Append one record, whole: partial writes are resumed.  A signal
 * (sigs, the caller's signal count, grew) before any byte of it was
 * written drops it (-EINTR); one in the middle lets it finish unless a
 * second signal comes, and then a file is cut back to its last whole
 * record (a pipe's reader sees the cut).  -EPIPE: the reader is gone. */
int pcap_out_packet(struct pcap_out *o, const struct capture_pkt *p,
		    uint32_t snaplen, volatile sig_atomic_t *sigs);

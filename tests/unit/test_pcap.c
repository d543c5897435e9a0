/* test_pcap.c — the pcap file nslab capture writes, the 802.1Q tag put
 * back into a frame, and the filter libpcap compiles (core/capture.h).
 * The expected bytes are written out by hand from the format's
 * definition (little-endian fields), not taken from the code's output;
 * libpcap itself then reads the result back. */
#include "../tsuite.h"
#include "capture.h"

#include <errno.h>
#include <fcntl.h>
#include <pcap/pcap.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <linux/filter.h>
#include <linux/if_packet.h>

START_TEST(test_global_header)
{
	static const uint8_t want[PCAP_GLOBAL_LEN] = {
		0x4d, 0x3c, 0xb2, 0xa1,	/* magic a1b23c4d: nanoseconds */
		0x02, 0x00, 0x04, 0x00,	/* version 2.4 */
		0x00, 0x00, 0x00, 0x00,	/* thiszone */
		0x00, 0x00, 0x00, 0x00,	/* sigfigs */
		0x00, 0x00, 0x04, 0x00,	/* snaplen 262144 = 0x40000 */
		0x01, 0x00, 0x00, 0x00,	/* linktype 1: Ethernet */
	};
	uint8_t h[PCAP_GLOBAL_LEN];

	memset(h, 0xee, sizeof(h));
	pcap_global_header(h, CAPTURE_SNAPLEN);
	ck_assert_mem_eq(h, want, sizeof(want));
}
END_TEST

START_TEST(test_record_header)
{
	/* 1700000000 s = 0x6553f100, 123456789 ns = 0x075bcd15,
	 * 98 bytes kept of 1514 (0x5ea) */
	static const uint8_t want[PCAP_RECORD_LEN] = {
		0x00, 0xf1, 0x53, 0x65,
		0x15, 0xcd, 0x5b, 0x07,
		0x62, 0x00, 0x00, 0x00,
		0xea, 0x05, 0x00, 0x00,
	};
	uint8_t h[PCAP_RECORD_LEN];

	pcap_record_header(h, 1700000000, 123456789, 98, 1514);
	ck_assert_mem_eq(h, want, sizeof(want));
}
END_TEST

START_TEST(test_caplen)
{
	ck_assert_uint_eq(pcap_caplen(60, CAPTURE_SNAPLEN), 60);
	ck_assert_uint_eq(pcap_caplen(CAPTURE_SNAPLEN, CAPTURE_SNAPLEN),
			  CAPTURE_SNAPLEN);
	ck_assert_uint_eq(pcap_caplen(CAPTURE_SNAPLEN + 1, CAPTURE_SNAPLEN),
			  CAPTURE_SNAPLEN);
	ck_assert_uint_eq(pcap_caplen(300000, 96), 96);
}
END_TEST

/* An Ethernet frame: dst, src, type IPv4, 4 bytes of payload. */
static const uint8_t frame[] = {
	0x02, 0x00, 0x00, 0x00, 0x00, 0x02,
	0x02, 0x00, 0x00, 0x00, 0x00, 0x01,
	0x08, 0x00,
	0xde, 0xad, 0xbe, 0xef,
};

START_TEST(test_vlan_restore)
{
	static const uint8_t want[] = {
		0x02, 0x00, 0x00, 0x00, 0x00, 0x02,
		0x02, 0x00, 0x00, 0x00, 0x00, 0x01,
		0x81, 0x00, 0x20, 0x0a,	/* 802.1Q, PCP 1, VID 10 */
		0x08, 0x00,
		0xde, 0xad, 0xbe, 0xef,
	};
	uint8_t buf[CAPTURE_VLAN_HLEN + sizeof(frame)];
	size_t len = sizeof(frame), orig = 100;
	uint8_t *p;

	memcpy(buf + CAPTURE_VLAN_HLEN, frame, sizeof(frame));
	p = capture_vlan_restore(buf, &len, &orig, TP_STATUS_VLAN_VALID,
				 0x200a, 0x9999);
	ck_assert_ptr_eq(p, buf);
	ck_assert_uint_eq(len, sizeof(want));
	ck_assert_uint_eq(orig, 104);
	ck_assert_mem_eq(p, want, sizeof(want));
}
END_TEST

START_TEST(test_vlan_restore_tpid)
{
	uint8_t buf[CAPTURE_VLAN_HLEN + sizeof(frame)];
	size_t len = sizeof(frame), orig = sizeof(frame);
	uint8_t *p;

	/* 802.1ad: the kernel says which TPID it took off */
	memcpy(buf + CAPTURE_VLAN_HLEN, frame, sizeof(frame));
	p = capture_vlan_restore(buf, &len, &orig, TP_STATUS_VLAN_VALID |
				 TP_STATUS_VLAN_TPID_VALID, 20, 0x88a8);
	ck_assert_uint_eq(len, sizeof(frame) + 4);
	ck_assert_uint_eq(orig, sizeof(frame) + 4);
	ck_assert_uint_eq(p[12], 0x88);
	ck_assert_uint_eq(p[13], 0xa8);
	ck_assert_uint_eq(p[14], 0x00);
	ck_assert_uint_eq(p[15], 20);
	ck_assert_mem_eq(p + 16, frame + 12, sizeof(frame) - 12);
}
END_TEST

START_TEST(test_vlan_untagged)
{
	uint8_t buf[CAPTURE_VLAN_HLEN + sizeof(frame)];
	size_t len = sizeof(frame), orig = sizeof(frame);
	uint8_t *p;

	/* no tag kept aside (the TCI alone means nothing without the
	 * status bit), and a runt too short for one: unchanged */
	memcpy(buf + CAPTURE_VLAN_HLEN, frame, sizeof(frame));
	p = capture_vlan_restore(buf, &len, &orig, TP_STATUS_USER, 10, 0);
	ck_assert_ptr_eq(p, buf + CAPTURE_VLAN_HLEN);
	ck_assert_uint_eq(len, sizeof(frame));
	ck_assert_uint_eq(orig, sizeof(frame));
	ck_assert_mem_eq(p, frame, sizeof(frame));
	len = 11;
	p = capture_vlan_restore(buf, &len, &orig, TP_STATUS_VLAN_VALID, 10, 0);
	ck_assert_ptr_eq(p, buf + CAPTURE_VLAN_HLEN);
	ck_assert_uint_eq(len, 11);
}
END_TEST

/* ICMP echo request 10.0.0.1 -> 10.0.0.2 and a TCP SYN, as Ethernet
 * frames (checksums are not looked at by a filter). */
static const uint8_t icmp_frame[] = {
	0x02, 0, 0, 0, 0, 2, 0x02, 0, 0, 0, 0, 1, 0x08, 0x00,
	0x45, 0x00, 0x00, 0x1c, 0x00, 0x01, 0x40, 0x00, 0x40, 0x01, 0, 0,
	10, 0, 0, 1, 10, 0, 0, 2,
	0x08, 0x00, 0, 0, 0x12, 0x34, 0x00, 0x01,
};
static const uint8_t tcp_frame[] = {
	0x02, 0, 0, 0, 0, 2, 0x02, 0, 0, 0, 0, 1, 0x08, 0x00,
	0x45, 0x00, 0x00, 0x28, 0x00, 0x01, 0x40, 0x00, 0x40, 0x06, 0, 0,
	10, 0, 0, 1, 10, 0, 0, 2,
	0x30, 0x39, 0x00, 0x50, 0, 0, 0, 1, 0, 0, 0, 0, 0x50, 0x02, 0xff,
	0xff, 0, 0, 0, 0,
};

/* Run the compiled program as the kernel would (libpcap's interpreter,
 * the same classic BPF): the bytes it keeps, 0 for a dropped frame. */
static unsigned run(const struct capture_filter *f, const uint8_t *p,
		    size_t len)
{
	return bpf_filter((const struct bpf_insn *)f->insns, p, (u_int)len,
			  (u_int)len);
}

START_TEST(test_filter)
{
	struct capture_filter f;
	char why[256] = "";

	ck_assert_int_eq(sizeof(struct sock_filter), sizeof(struct bpf_insn));
	ck_assert_int_eq(capture_filter_compile("icmp", CAPTURE_SNAPLEN, &f,
						why, sizeof(why)), 0);
	ck_assert_ptr_nonnull(f.insns);
	ck_assert_uint_gt(f.len, 0);
	ck_assert_uint_gt(run(&f, icmp_frame, sizeof(icmp_frame)), 0);
	ck_assert_uint_eq(run(&f, tcp_frame, sizeof(tcp_frame)), 0);
	capture_filter_free(&f);

	ck_assert_int_eq(capture_filter_compile("tcp dst port 80 and host 10.0.0.2",
						CAPTURE_SNAPLEN, &f, why,
						sizeof(why)), 0);
	ck_assert_uint_gt(run(&f, tcp_frame, sizeof(tcp_frame)), 0);
	ck_assert_uint_eq(run(&f, icmp_frame, sizeof(icmp_frame)), 0);
	capture_filter_free(&f);

	/* no words: no filter */
	ck_assert_int_eq(capture_filter_compile("", CAPTURE_SNAPLEN, &f, why,
						sizeof(why)), 0);
	ck_assert_ptr_null(f.insns);
}
END_TEST

START_TEST(test_filter_bad)
{
	struct capture_filter f;
	char why[256] = "";

	ck_assert_int_eq(capture_filter_compile("tcp port", CAPTURE_SNAPLEN,
						&f, why, sizeof(why)), -EINVAL);
	ck_assert_ptr_null(f.insns);
	/* libpcap's own words */
	ck_assert_msg(strstr(why, "syntax error"), "why: %s", why);
	ck_assert_int_eq(capture_filter_compile("port 99999",
						CAPTURE_SNAPLEN, &f, why,
						sizeof(why)), -EINVAL);
	ck_assert_msg(why[0], "no reason");
}
END_TEST

/* A file made by pcap_out_create() and two records, read back by
 * libpcap: header fields, timestamps in nanoseconds, the cut to
 * snaplen with the wire length kept. */
START_TEST(test_file_read_back)
{
	char dir[] = "/tmp/nslab-pcap.XXXXXX", path[64], err[PCAP_ERRBUF_SIZE];
	static uint8_t big[2000];
	struct pcap_out o;
	struct capture_pkt p = { .data = icmp_frame, .len = sizeof(icmp_frame),
				 .origlen = sizeof(icmp_frame),
				 .ts = { 1700000000, 123456789 } };
	volatile sig_atomic_t sigs = 0;
	struct pcap_pkthdr *h;
	const u_char *d;
	struct stat sb;
	pcap_t *pc;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/x.pcap", dir);
	ck_assert_int_eq(pcap_out_create(path, 1000, &o), 0);
	ck_assert_int_eq(pcap_out_packet(&o, &p, 1000, &sigs), 0);
	memset(big, 0xab, sizeof(big));
	p.data = big;
	p.len = sizeof(big);
	p.origlen = 9000;
	p.ts.tv_nsec = 5;
	ck_assert_int_eq(pcap_out_packet(&o, &p, 1000, &sigs), 0);
	ck_assert_int_eq(fstat(o.fd, &sb), 0);
	ck_assert_int_eq(sb.st_size, 24 + 16 + (int)sizeof(icmp_frame) +
			 16 + 1000);
	ck_assert_int_eq(o.size, sb.st_size);
	close(o.fd);

	pc = pcap_open_offline_with_tstamp_precision(path,
		PCAP_TSTAMP_PRECISION_NANO, err);
	ck_assert_msg(pc != NULL, "libpcap: %s", err);
	ck_assert_int_eq(pcap_datalink(pc), DLT_EN10MB);
	ck_assert_int_eq(pcap_snapshot(pc), 1000);
	ck_assert_int_eq(pcap_next_ex(pc, &h, &d), 1);
	ck_assert_int_eq(h->ts.tv_sec, 1700000000);
	ck_assert_int_eq(h->ts.tv_usec, 123456789);	/* ns with NANO */
	ck_assert_uint_eq(h->caplen, sizeof(icmp_frame));
	ck_assert_uint_eq(h->len, sizeof(icmp_frame));
	ck_assert_mem_eq(d, icmp_frame, sizeof(icmp_frame));
	ck_assert_int_eq(pcap_next_ex(pc, &h, &d), 1);
	ck_assert_uint_eq(h->caplen, 1000);
	ck_assert_uint_eq(h->len, 9000);
	ck_assert_int_eq(h->ts.tv_usec, 5);
	ck_assert_int_eq(pcap_next_ex(pc, &h, &d), PCAP_ERROR_BREAK);
	pcap_close(pc);
	unlink(path);
	rmdir(dir);
}
END_TEST

/* -w FILE as root: a symbolic link is refused (its target untouched), a
 * directory too; an existing file is replaced by a new inode, never
 * written through (a hard link to it keeps its bytes). */
START_TEST(test_file_create_safe)
{
	char dir[] = "/tmp/nslab-pcap.XXXXXX", path[64], sym[64], hard[64];
	char target[64], buf[8];
	struct pcap_out o;
	struct stat sb;
	int fd;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/f.pcap", dir);
	snprintf(sym, sizeof(sym), "%s/l.pcap", dir);
	snprintf(hard, sizeof(hard), "%s/h", dir);
	snprintf(target, sizeof(target), "%s/target", dir);

	fd = open(target, O_WRONLY | O_CREAT | O_EXCL, 0600);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, "secret", 6), 6);
	close(fd);
	ck_assert_int_eq(symlink(target, sym), 0);
	ck_assert_int_eq(pcap_out_create(sym, 100, &o), -ELOOP);
	ck_assert_int_eq(stat(target, &sb), 0);
	ck_assert_int_eq(sb.st_size, 6);
	ck_assert_int_eq(pcap_out_create(dir, 100, &o), -EEXIST);

	ck_assert_int_eq(link(target, hard), 0);
	ck_assert_int_eq(rename(hard, path), 0);	/* path: target's inode */
	ck_assert_int_eq(pcap_out_create(path, 100, &o), 0);
	close(o.fd);
	fd = open(target, O_RDONLY);
	ck_assert_int_eq(read(fd, buf, sizeof(buf)), 6);
	close(fd);
	ck_assert_mem_eq(buf, "secret", 6);
	ck_assert_int_eq(stat(path, &sb), 0);
	ck_assert_int_eq(sb.st_size, PCAP_GLOBAL_LEN);
	ck_assert_int_eq(sb.st_nlink, 1);

	unlink(path);
	unlink(sym);
	unlink(target);
	ck_assert_int_eq(rmdir(dir), 0);	/* no temporary left */
}
END_TEST

/* A record that cannot be written whole is cut from a file: a reader
 * never sees half a record.  /dev/full fails every write (ENOSPC); a
 * pipe without reader gives EPIPE. */
START_TEST(test_write_errors)
{
	struct capture_pkt p = { .data = icmp_frame, .len = sizeof(icmp_frame),
				 .origlen = sizeof(icmp_frame) };
	volatile sig_atomic_t sigs = 0;
	struct pcap_out o = { .seekable = false };
	int pfd[2];

	signal(SIGPIPE, SIG_IGN);
	ck_assert_int_eq(pipe(pfd), 0);
	close(pfd[0]);
	o.fd = pfd[1];
	ck_assert_int_eq(pcap_out_packet(&o, &p, 1000, &sigs), -EPIPE);
	close(pfd[1]);
	signal(SIGPIPE, SIG_DFL);

	o.fd = open("/dev/full", O_WRONLY);
	ck_assert_int_ge(o.fd, 0);
	ck_assert_int_eq(pcap_out_packet(&o, &p, 1000, &sigs), -ENOSPC);
	close(o.fd);
}
END_TEST

static Suite *pcap_suite(void)
{
	Suite *s = suite_create("pcap");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_global_header);
	tcase_add_test(tc, test_record_header);
	tcase_add_test(tc, test_caplen);
	tcase_add_test(tc, test_vlan_restore);
	tcase_add_test(tc, test_vlan_restore_tpid);
	tcase_add_test(tc, test_vlan_untagged);
	tcase_add_test(tc, test_filter);
	tcase_add_test(tc, test_filter_bad);
	tcase_add_test(tc, test_file_read_back);
	tcase_add_test(tc, test_file_create_safe);
	tcase_add_test(tc, test_write_errors);
	suite_add_tcase(s, tc);
	return s;
}

TSUITE(pcap_suite)

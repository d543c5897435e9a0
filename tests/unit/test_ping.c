/* test_ping.c — echo packets without a socket (core/ping.h): the Internet
 * checksum against known vectors, the request layout, and which replies
 * the parser takes. */
#include "../tsuite.h"
#include "ping.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <netinet/in.h>

static const struct ping_echo echo = {
	.id = 0xbeef,
	.cookie = 0x0102030405060708ull,
	.sent_ns = 0x1112131415161718ull,
	.tag = 0x21222324,
	.n = 0x00031234,
};

START_TEST(test_checksum_vectors)
{
	/* RFC 1071, section 3: the sum of these words is ddf2 */
	static const uint8_t rfc[] = { 0x00, 0x01, 0xf2, 0x03,
				       0xf4, 0xf5, 0xf6, 0xf7 };
	/* an IPv4 header whose checksum (b861, bytes 10-11 zeroed here) is
	 * the textbook example */
	static const uint8_t ip[] = { 0x45, 0x00, 0x00, 0x73, 0x00, 0x00,
				      0x40, 0x00, 0x40, 0x11, 0x00, 0x00,
				      0xc0, 0xa8, 0x00, 0x01, 0xc0, 0xa8,
				      0x00, 0xc7 };
	uint8_t ipc[sizeof(ip)];
	static const uint8_t odd[] = { 0x01 };
	static const uint8_t ones[] = { 0xff, 0xff };

	ck_assert_uint_eq(ping_checksum(rfc, sizeof(rfc)), 0x220d);
	ck_assert_uint_eq(ping_checksum(ip, sizeof(ip)), 0xb861);
	/* stored, it makes the whole header sum to zero */
	memcpy(ipc, ip, sizeof(ip));
	ipc[10] = 0xb8;
	ipc[11] = 0x61;
	ck_assert_uint_eq(ping_checksum(ipc, sizeof(ipc)), 0);
	/* an odd byte is the high half of a word padded with zero */
	ck_assert_uint_eq(ping_checksum(odd, 1), 0xfeff);
	ck_assert_uint_eq(ping_checksum(NULL, 0), 0xffff);
	ck_assert_uint_eq(ping_checksum(ones, 2), 0);
}
END_TEST

/* End-around carry: many words of ffff must not overflow the sum. */
START_TEST(test_checksum_carry)
{
	uint8_t big[65536 + 3];

	memset(big, 0xff, sizeof(big));
	/* 32769 words of ffff and a last byte ff00: ffff + ff00 = ff00 */
	ck_assert_uint_eq(ping_checksum(big, sizeof(big)), 0x00ff);
}
END_TEST

START_TEST(test_build_v4)
{
	uint8_t b[PING_PKT_LEN + 8];
	static const uint8_t want[PING_PKT_LEN] = {
		8, 0, 0, 0, 0xbe, 0xef, 0x12, 0x34,	/* checksum: not here */
		1, 2, 3, 4, 5, 6, 7, 8,
		0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18,
		0x21, 0x22, 0x23, 0x24,
		0x00, 0x03, 0x12, 0x34,
	};

	memset(b, 0xaa, sizeof(b));
	ck_assert_int_eq(ping_build_request(AF_INET, &echo, b, sizeof(b)),
			 PING_PKT_LEN);
	ck_assert_mem_eq(b, want, 2);
	ck_assert_mem_eq(b + 4, want + 4, PING_PKT_LEN - 4);
	ck_assert_uint_eq(ping_checksum(b, PING_PKT_LEN), 0);
	ck_assert_uint_eq(b[PING_PKT_LEN], 0xaa);	/* nothing beyond */
}
END_TEST

START_TEST(test_build_v6)
{
	uint8_t b[PING_PKT_LEN];

	ck_assert_int_eq(ping_build_request(AF_INET6, &echo, b, sizeof(b)),
			 PING_PKT_LEN);
	ck_assert_uint_eq(b[0], 128);
	ck_assert_uint_eq(b[1], 0);
	/* the kernel fills the ICMPv6 checksum */
	ck_assert_uint_eq(b[2], 0);
	ck_assert_uint_eq(b[3], 0);
	ck_assert_uint_eq(b[4], 0xbe);
	ck_assert_uint_eq(b[5], 0xef);
	ck_assert_uint_eq(b[6], 0x12);
	ck_assert_uint_eq(b[7], 0x34);
	ck_assert_uint_eq(b[31], 0x34);
}
END_TEST

START_TEST(test_build_bad)
{
	uint8_t b[PING_PKT_LEN];

	ck_assert_int_eq(ping_build_request(AF_UNIX, &echo, b, sizeof(b)),
			 -EINVAL);
	ck_assert_int_eq(ping_build_request(AF_INET, &echo, b, sizeof(b) - 1),
			 -EINVAL);
}
END_TEST

/* An IPv4 packet as a raw socket gets it: header with `opt` bytes of
 * options (a multiple of 4), then the echo reply.  Returns its length. */
static size_t v4_reply(uint8_t *buf, const struct ping_echo *e, size_t opt)
{
	size_t hl = 20 + opt, tot = hl + PING_PKT_LEN;
	uint16_t c;

	memset(buf, 0, tot);
	buf[0] = (uint8_t)(0x40 | hl / 4);
	buf[2] = (uint8_t)(tot >> 8);
	buf[3] = (uint8_t)tot;
	buf[8] = 64;
	buf[9] = IPPROTO_ICMP;
	if (opt)
		memset(buf + 20, 1, opt);	/* NOP options */
	ping_build_request(AF_INET, e, buf + hl, PING_PKT_LEN);
	buf[hl] = 0;				/* echo reply */
	buf[hl + 2] = buf[hl + 3] = 0;
	c = ping_checksum(buf + hl, PING_PKT_LEN);
	buf[hl + 2] = (uint8_t)(c >> 8);
	buf[hl + 3] = (uint8_t)c;
	return tot;
}

static void recheck(uint8_t *icmp)
{
	uint16_t c;

	icmp[2] = icmp[3] = 0;
	c = ping_checksum(icmp, PING_PKT_LEN);
	icmp[2] = (uint8_t)(c >> 8);
	icmp[3] = (uint8_t)c;
}

START_TEST(test_parse_v4)
{
	uint8_t b[128];
	struct ping_echo e;
	size_t len = v4_reply(b, &echo, 0);

	memset(&e, 0, sizeof(e));
	ck_assert_int_eq(ping_parse_reply(AF_INET, b, len, echo.id, echo.cookie,
					  &e), 0);
	ck_assert_uint_eq(e.id, echo.id);
	ck_assert_uint_eq(e.cookie, echo.cookie);
	ck_assert_uint_eq(e.sent_ns, echo.sent_ns);
	ck_assert_uint_eq(e.tag, echo.tag);
	ck_assert_uint_eq(e.n, echo.n);
	/* trailing bytes beyond the IP total length are not the message */
	b[len] = 0x55;
	ck_assert_int_eq(ping_parse_reply(AF_INET, b, len + 1, echo.id,
					  echo.cookie, &e), 0);
}
END_TEST

START_TEST(test_parse_v4_options)
{
	uint8_t b[128];
	struct ping_echo e;
	size_t len = v4_reply(b, &echo, 8);	/* IHL 7 */

	ck_assert_uint_eq(b[0], 0x47);
	ck_assert_int_eq(ping_parse_reply(AF_INET, b, len, echo.id, echo.cookie,
					  &e), 0);
	ck_assert_uint_eq(e.n, echo.n);
	/* the same bytes read with IHL 5 put options where the ICMP header
	 * should be: not a reply */
	b[0] = 0x45;
	ck_assert_int_ne(ping_parse_reply(AF_INET, b, len, echo.id, echo.cookie,
					  &e), 0);
}
END_TEST

START_TEST(test_parse_v4_not_ours)
{
	uint8_t b[128];
	struct ping_echo e, other = echo;
	size_t len = v4_reply(b, &echo, 0);

	/* another identifier or cookie: another pinger's reply */
	ck_assert_int_eq(ping_parse_reply(AF_INET, b, len, echo.id + 1,
					  echo.cookie, &e), -ENOMSG);
	ck_assert_int_eq(ping_parse_reply(AF_INET, b, len, echo.id,
					  echo.cookie ^ 1, &e), -ENOMSG);
	/* an echo request (type 8), or another ICMP type */
	b[20] = 8;
	recheck(b + 20);
	ck_assert_int_eq(ping_parse_reply(AF_INET, b, len, echo.id, echo.cookie,
					  &e), -ENOMSG);
	b[20] = 3;	/* destination unreachable */
	recheck(b + 20);
	ck_assert_int_eq(ping_parse_reply(AF_INET, b, len, echo.id, echo.cookie,
					  &e), -ENOMSG);
	/* not ICMP at all */
	len = v4_reply(b, &echo, 0);
	b[9] = IPPROTO_UDP;
	ck_assert_int_eq(ping_parse_reply(AF_INET, b, len, echo.id, echo.cookie,
					  &e), -ENOMSG);
	/* a sequence number that disagrees with the request number */
	other.n = echo.n + 1;
	len = v4_reply(b, &other, 0);
	b[20 + 6] = (uint8_t)(echo.n >> 8);
	b[20 + 7] = (uint8_t)echo.n;
	recheck(b + 20);
	ck_assert_int_eq(ping_parse_reply(AF_INET, b, len, echo.id, echo.cookie,
					  &e), -ENOMSG);
}
END_TEST

START_TEST(test_parse_v4_bad)
{
	uint8_t b[128];
	struct ping_echo e;
	size_t len = v4_reply(b, &echo, 0), cut;

	/* cut anywhere: never taken */
	for (cut = 0; cut < len; cut++)
		ck_assert_int_ne(ping_parse_reply(AF_INET, b, cut, echo.id,
						  echo.cookie, &e), 0);
	ck_assert_int_eq(ping_parse_reply(AF_INET, b, 19, echo.id, echo.cookie,
					  &e), -EBADMSG);
	/* total length shortened: the message inside is truncated */
	b[3] = (uint8_t)(len - 4);
	ck_assert_int_eq(ping_parse_reply(AF_INET, b, len, echo.id, echo.cookie,
					  &e), -EBADMSG);
	/* total length beyond what was received */
	b[3] = (uint8_t)(len + 4);
	ck_assert_int_eq(ping_parse_reply(AF_INET, b, len, echo.id, echo.cookie,
					  &e), -EBADMSG);
	/* IHL below 5, IHL beyond the packet, version 6 */
	len = v4_reply(b, &echo, 0);
	b[0] = 0x44;
	ck_assert_int_eq(ping_parse_reply(AF_INET, b, len, echo.id, echo.cookie,
					  &e), -EBADMSG);
	b[0] = 0x4f;
	ck_assert_int_eq(ping_parse_reply(AF_INET, b, len, echo.id, echo.cookie,
					  &e), -EBADMSG);
	b[0] = 0x65;
	ck_assert_int_eq(ping_parse_reply(AF_INET, b, len, echo.id, echo.cookie,
					  &e), -EBADMSG);
	/* one bit flipped in the payload: the checksum tells */
	len = v4_reply(b, &echo, 0);
	b[len - 1] ^= 0x10;
	ck_assert_int_eq(ping_parse_reply(AF_INET, b, len, echo.id, echo.cookie,
					  &e), -EBADMSG);
	ck_assert_int_eq(ping_parse_reply(AF_UNIX, b, len, echo.id, echo.cookie,
					  &e), -EINVAL);
}
END_TEST

START_TEST(test_parse_v6)
{
	uint8_t b[PING_PKT_LEN + 4];
	struct ping_echo e;
	size_t cut;

	ping_build_request(AF_INET6, &echo, b, PING_PKT_LEN);
	/* as a request: not a reply */
	ck_assert_int_eq(ping_parse_reply(AF_INET6, b, PING_PKT_LEN, echo.id,
					  echo.cookie, &e), -ENOMSG);
	b[0] = 129;
	ck_assert_int_eq(ping_parse_reply(AF_INET6, b, PING_PKT_LEN, echo.id,
					  echo.cookie, &e), 0);
	ck_assert_uint_eq(e.tag, echo.tag);
	ck_assert_uint_eq(e.n, echo.n);
	ck_assert_uint_eq(e.sent_ns, echo.sent_ns);
	/* no IPv4 header in front: an IPv4 parse of it fails */
	ck_assert_int_ne(ping_parse_reply(AF_INET, b, PING_PKT_LEN, echo.id,
					  echo.cookie, &e), 0);
	ck_assert_int_eq(ping_parse_reply(AF_INET6, b, PING_PKT_LEN,
					  echo.id ^ 1, echo.cookie, &e),
			 -ENOMSG);
	for (cut = 0; cut < PING_PKT_LEN; cut++)
		ck_assert_int_ne(ping_parse_reply(AF_INET6, b, cut, echo.id,
						  echo.cookie, &e), 0);
	ck_assert_int_eq(ping_parse_reply(AF_INET6, b, PING_PKT_LEN - 1,
					  echo.id, echo.cookie, &e),
			 -EBADMSG);
	b[1] = 1;	/* code must be 0 */
	ck_assert_int_eq(ping_parse_reply(AF_INET6, b, PING_PKT_LEN, echo.id,
					  echo.cookie, &e), -ENOMSG);
}
END_TEST

/* The bad-argument paths of the public calls need no root: they fail
 * before any socket is made. */
START_TEST(test_args)
{
	struct ping_pair p = { .src = 1 };
	struct ping_result r;
	struct lab_addr none = { 0 };
	int fd = -1;

	p.dst.family = AF_INET;
	ck_assert_int_eq(ping_run(-1, &none, 1, 0, 0, &r), -EINVAL);
	ck_assert_int_eq(ping_run(-1, NULL, 1, 0, 0, &r), -EINVAL);
	ck_assert_int_eq(ping_many(&fd, 1, &p, 1, 1, 0, 0), -EINVAL);
	p.src = 0;
	p.dst.family = AF_UNIX;
	ck_assert_int_eq(ping_many(&fd, 1, &p, 1, 1, 0, 0), -EINVAL);
	ck_assert_int_eq(ping_many(&fd, 1, &p, -1, 1, 0, 0), -EINVAL);
	/* nothing to do is done */
	ck_assert_int_eq(ping_many(&fd, 1, NULL, 0, 1, 0, 0), 0);
	p.dst.family = AF_INET;
	p.res.sent = 7;
	ck_assert_int_eq(ping_many(&fd, 1, &p, 1, 0, 0, 0), 0);
	ck_assert_uint_eq(p.res.sent, 0);
}
END_TEST

static Suite *ping_suite(void)
{
	Suite *s = suite_create("ping");
	TCase *tc = tcase_create("packets");

	tcase_add_test(tc, test_checksum_vectors);
	tcase_add_test(tc, test_checksum_carry);
	tcase_add_test(tc, test_build_v4);
	tcase_add_test(tc, test_build_v6);
	tcase_add_test(tc, test_build_bad);
	tcase_add_test(tc, test_parse_v4);
	tcase_add_test(tc, test_parse_v4_options);
	tcase_add_test(tc, test_parse_v4_not_ours);
	tcase_add_test(tc, test_parse_v4_bad);
	tcase_add_test(tc, test_parse_v6);
	tcase_add_test(tc, test_args);
	suite_add_tcase(s, tc);
	return s;
}

TSUITE(ping_suite)

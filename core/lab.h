/* lab.h — the lab model: plain structs read from a lab file, then resolved.
 *
 * Everything is owned by struct lab and freed by lab_free(): strings live in
 * the lab's arena, arrays are growable vectors.  Objects refer to each other
 * by index into those arrays (never by pointer), so vectors may grow freely
 * while the model is built.  Nothing points into libxml2 memory.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arena.h"

#define LAB_NAME_MAX 32
#define LAB_IFNAME_MAX 15
#define LAB_BRIDGE_PORTS_MAX 1024	/* the kernel's BR_MAX_PORTS */
#define LAB_ERRORS_MAX 50
#define LAB_FILE_MAX (16u << 20)	/* a lab file, or one <file src=> file */
#define LAB_SRC_TOTAL_MAX (64u << 20)	/* the distinct src files of a lab */
/* Caps that keep any file within LAB_FILE_MAX fast and small to read
 * (topologies/README.md, Limits). */
#define LAB_XML_ELEMENTS_MAX 100000
#define LAB_XML_ATTRS_MAX 300000
#define LAB_XML_ATTRS_PER_ELEMENT 64
#define LAB_IFACE_ADDRS_MAX 64		/* explicit addresses per interface */
/* Every address of an interface: explicit ones plus automatic IPv4/IPv6. */
#define LAB_IFACE_ADDRS_ALL (LAB_IFACE_ADDRS_MAX + 2)
#define LAB_FILE_PATH_MAX 4095		/* <file path>, PATH_MAX less the NUL */

/* ---- errors ------------------------------------------------------------ */

struct lab_error {
	int line;		/* 0 when the problem has no line */
	char msg[320];
};

/* A list of problems found in one file (capped at LAB_ERRORS_MAX). */
struct lab_errors {
	char file[256];
	int n;			/* number of problems seen, may exceed the cap */
	struct lab_error v[LAB_ERRORS_MAX];
};

void lab_errors_init(struct lab_errors *e, const char *file);
void lab_err(struct lab_errors *e, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* ---- addresses --------------------------------------------------------- */

struct lab_addr {
	int family;		/* AF_INET, AF_INET6, 0 = unset */
	int prefix;		/* prefix length, or -1 when none was written */
	uint8_t b[16];		/* address bytes in network order */
};

/* Parse "IP" or "IP/LEN".  Returns 0 or -EINVAL. */
int lab_addr_parse(const char *s, struct lab_addr *a);
/* Format "IP/LEN" (or "IP" when prefix < 0) into buf (>= 50 bytes). */
const char *lab_addr_str(const struct lab_addr *a, char *buf, size_t len);
const char *lab_ip_str(const struct lab_addr *a, char *buf, size_t len);
/* "02:00:00:00:00:01" into buf (>= 18 bytes). */
const char *lab_mac_str(const uint8_t *mac, char *buf);
/* True when a and b (with prefix p) are in the same subnet. */
bool lab_addr_same_net(const struct lab_addr *a, const struct lab_addr *b, int p);
void lab_addr_mask(struct lab_addr *a, int prefix);
int lab_addr_cmp(const struct lab_addr *a, const struct lab_addr *b);
/* Why `a` cannot be an interface's address (with a prefix) or a next hop
 * (without one), written into buf with the value first; NULL when it can.
 * topologies/README.md, <iface>, lists the rule. */
const char *lab_addr_unusable(const struct lab_addr *a, char *buf, size_t len);
/* Why the automatic pool `base` (ipbase, ip6base) is unusable, or NULL. */
const char *lab_pool_unusable(const struct lab_addr *base, char *buf,
			      size_t len);

/* ---- regular expressions ---------------------------------------------- */

/* glibc's regcomp copies a repeated subexpression once per count, and the
 * cost of optional copies grows with their square: a pattern is compiled
 * only when it is short and its estimated size is small
 * (topologies/README.md, Limits). */
#define LAB_RE_MAX_LEN 1024
#define LAB_RE_MAX_SIZE 1000

/* Estimated number of elements regcomp builds for an extended regular
 * expression: nested repetitions multiply.  Saturates at 2^40. */
uint64_t lab_regex_size(const char *re);

/* ---- names and node paths ------------------------------------------------
 * The one rule for lab and node names (topologies/README.md, "General
 * rules"): 1 to 32 of [A-Za-z0-9_-], starting with a letter.  Every name
 * that becomes a path or an interface name passes here.  NULL why: just
 * the answer. */
bool lab_name_check(const char *s, const char **why);
/* The namespace of the impairment engine (plan.h): named so that no node of
 * a lab can be (a node's name starts with a letter). */
#define LAB_RELAY_NAME "_engine"

/* Where a node's <file> lands (topologies/README.md, "<file>"): /shared/X
 * and /run/shared/X in the lab's shared directory, /etc/X, /run/X and /tmp/X
 * in the node's own; *rest is X.  LAB_AREA_NONE for any other path. */
enum lab_area { LAB_AREA_NONE = -1, LAB_AREA_SHARED, LAB_AREA_ETC,
		LAB_AREA_RUN, LAB_AREA_TMP };
enum lab_area lab_file_area(const char *path, const char **rest);

/* ---- shaping ----------------------------------------------------------- */

/* The shaping attributes, one row each (README of the format:
 * topologies/README.md, "Shaping"): X(name, field, kind, netem).  Every
 * list of them derives from this table: the bits below, the attributes
 * each element allows (LAB_SHAPING_NAMES), parsing (lab_shaping_set()),
 * merging (lab_shaping_merge()), which qdisc a direction needs.  Kinds:
 * RATE bits/s, TIME ns, PCT percent, COUNT packets.  A new attribute is one
 * row here, its field in struct lab_shaping, and its use in plan/apply. */
#define LAB_SHAPING_ATTRS(X)                                                  \
	X(rate, rate_bps, RATE, 0)                                            \
	X(delay, delay_ns, TIME, 1)                                           \
	X(jitter, jitter_ns, TIME, 1)                                         \
	X(loss, loss_pct, PCT, 1)                                             \
	X(duplicate, duplicate_pct, PCT, 1)                                   \
	X(reorder, reorder_pct, PCT, 1)                                       \
	X(corrupt, corrupt_pct, PCT, 1)                                       \
	X(queue, queue_pkts, COUNT, 0)

/* "rate", "delay", ...: for attribute lists of the elements that shape */
#define LAB_SHAPING_NAME_(name, field, kind, netem) #name,
#define LAB_SHAPING_NAMES LAB_SHAPING_ATTRS(LAB_SHAPING_NAME_)

enum lab_shape_index {
#define LAB_SHAPING_INDEX_(name, field, kind, netem) LAB_SHI_##name,
	LAB_SHAPING_ATTRS(LAB_SHAPING_INDEX_)
	LAB_SHI_COUNT
};

enum lab_shape_bits {
	LAB_SH_RATE = 1 << LAB_SHI_rate,
	LAB_SH_DELAY = 1 << LAB_SHI_delay,
	LAB_SH_JITTER = 1 << LAB_SHI_jitter,
	LAB_SH_LOSS = 1 << LAB_SHI_loss,
	LAB_SH_DUPLICATE = 1 << LAB_SHI_duplicate,
	LAB_SH_REORDER = 1 << LAB_SHI_reorder,
	LAB_SH_CORRUPT = 1 << LAB_SHI_corrupt,
	LAB_SH_QUEUE = 1 << LAB_SHI_queue,
};
#define LAB_SH_NETEM                                                          \
	(LAB_SH_DELAY | LAB_SH_JITTER | LAB_SH_LOSS | LAB_SH_DUPLICATE |      \
	 LAB_SH_REORDER | LAB_SH_CORRUPT)

/* One direction of a link.  A bit in `set` says the attribute was written;
 * a written zero ("delay=0", "rate=none") removes that impairment. */
struct lab_shaping {
	unsigned set;
	uint64_t rate_bps;	/* bits per second, 0 = unlimited */
	uint64_t delay_ns;
	uint64_t jitter_ns;
	double loss_pct, duplicate_pct, reorder_pct, corrupt_pct;
	uint32_t queue_pkts;	/* 0 = default (1000) */
};

/* Which qdiscs a direction needs. */
bool lab_shaping_needs_tbf(const struct lab_shaping *s);
bool lab_shaping_needs_netem(const struct lab_shaping *s);
/* Parse one SHAPING attribute into s; returns 0, -ENOENT (not a shaping
 * attribute) or -EINVAL with a reason in why. */
int lab_shaping_set(struct lab_shaping *s, const char *key, const char *val,
		    const char **why);
/* The written attributes as KEY=VALUE words ("rate=10Mbit delay=5ms";
 * a written zero rate is "rate=none"), in table order. */
const char *lab_shaping_str(const struct lab_shaping *s, char *buf, size_t len);
/* Overlay: fields set in `over` replace those of `base`. */
void lab_shaping_merge(struct lab_shaping *dst, const struct lab_shaping *over);
/* The reorder percentage netem gets: reordering needs a delay (the kernel
 * refuses it without one; resolve refuses such a file), 0 otherwise. */
double lab_shaping_reorder(const struct lab_shaping *s);

/* ---- model ------------------------------------------------------------- */

enum lab_kind { LAB_HOST, LAB_ROUTER, LAB_SWITCH };
/* Who impairs a link (topologies/README.md, "Shaping"): netem in the
 * kernel, nslab's own engine, or netem when the kernel has it. */
enum lab_impair { LAB_IMPAIR_INHERIT, LAB_IMPAIR_AUTO, LAB_IMPAIR_KERNEL,
		  LAB_IMPAIR_ENGINE };
enum lab_ipv6 { LAB_V6_AUTO, LAB_V6_ON, LAB_V6_OFF };

struct lab_iface {
	const char *name;	/* NULL until resolved when automatic */
	int node;
	int line;		/* <iface> element, or the link that made it */
	bool declared;		/* an <iface> element exists */
	int link;		/* link using it, -1 for none (lo, sub-ifaces) */
	int end;		/* 0 = the link's a end, 1 = its b end */
	bool addr_none;		/* addr="none" */
	int naddrs;		/* explicit addresses */
	struct lab_addr *addrs;
	uint8_t mac[6];
	bool mac_set;		/* explicit mac= */
	int mtu;		/* 0 = lab default */
	const char *parent;	/* 802.1Q sub-interface: parent name */
	int parent_iface;	/* resolved index, -1 */
	int vlan;		/* sub-interface VLAN id, 0 none */
	/* resolved */
	int ifindex;		/* planned ifindex in its node's namespace */
	int segment;		/* -1: none */
	struct lab_addr auto4;	/* automatic IPv4 (family 0 = none) */
	struct lab_addr auto6;	/* automatic IPv6 */
	/* switch ports: VLAN membership */
	int pvid;		/* access port VLAN, 0 none */
	int nvlans;		/* trunk VLANs */
	uint16_t *vlans;
};

struct lab_route {
	int node, line;
	bool is_default;
	struct lab_addr dst;
	bool has_via;
	struct lab_addr via;
	const char *dev;	/* NULL = by gateway */
	int dev_iface;		/* resolved, -1 */
	uint32_t metric;
	bool from_gateway;	/* made from <host gateway=...> */
};

struct lab_sysctl {
	int node, line;
	const char *name, *value;
};

struct lab_file {
	int node, line;
	const char *path;	/* absolute path inside the node */
	unsigned mode;
	const char *src;	/* as written, NULL for inline */
	char *content;
	size_t len;
};

struct lab_start {
	int node, line;
	const char *cmd;
	bool background;
	uint64_t timeout_ns;
};

struct lab_node {
	const char *name;
	enum lab_kind kind;
	int line;
	/* host gateway= */
	bool gw_auto;
	bool has_gw;
	struct lab_addr gw;
	/* switch options */
	bool stp, hub, vlan_filtering;
	/* resolved */
	int lo_iface;		/* the declared <iface name="lo">, or -1 */
	int nifaces;		/* other ifaces of this node, in ifindex order */
	int *ifaces;
	uint8_t bridge_mac[6];	/* switches: the bridge's own MAC */
};

struct lab_end {
	const char *text;	/* "NODE" or "NODE:IFACE" as written */
	int node;		/* resolved, -1 */
	const char *ifname;	/* requested name or NULL */
};

struct lab_link {
	int line;
	struct lab_end end[2];
	int iface[2];		/* resolved iface indexes */
	struct lab_shaping shape[2];	/* [0] a->b (sent by a), [1] b->a */
	int mtu;		/* 0 = default */
	int vlan;		/* access VLAN on the switch end */
	enum lab_impair impair;	/* INHERIT: the lab's */
	int nvlans;		/* trunk VLANs */
	uint16_t *vlans;
};

enum lab_step_kind {
	LAB_STEP_PING,
	LAB_STEP_PINGALL,
	LAB_STEP_RUN,
	LAB_STEP_IPERF,
	LAB_STEP_LINK_DOWN,
	LAB_STEP_LINK_UP,
	LAB_STEP_LINK_SET,
	LAB_STEP_LINK_FLAP,
	LAB_STEP_SLEEP,
	LAB_STEP_EXEC,
};

struct lab_step {
	enum lab_step_kind kind;
	int line;
	const char *name;	/* NULL: derived when run */
	uint64_t timeout_ns;	/* 0: tried once */
	const char *node;	/* from= or node= */
	int node_idx;
	const char *to;		/* ping/iperf target as written */
	int to_node;		/* -1 when an address */
	struct lab_addr to_addr;
	unsigned count;
	bool expect_fail;	/* ping expect="fail" */
	bool all_nodes;		/* pingall nodes="all" */
	const char *expect_re, *reject_re;
	int status;		/* run status= */
	const char *cmd;	/* run/exec text */
	uint64_t time_ns;	/* iperf time, sleep for, link-flap down */
	uint64_t up_ns;		/* link-flap up */
	uint64_t min_bps, max_bps;
	bool udp;
	struct lab_end end[2];	/* link-* steps */
	int link;		/* resolved link */
	struct lab_shaping shape;
};

struct lab_segment {
	int first_link;
	bool p2p;
	int vlan;
	struct lab_addr net4, net6;	/* family 0 = none */
};

#define LAB_VEC(type, name)                                                   \
	int n##name;                                                          \
	int cap_##name;                                                       \
	struct type *name

struct lab {
	struct arena arena;
	const char *file;	/* path as given */
	const char *dir;	/* directory of the file, for src= */
	const char *text;	/* the file's bytes, as parsed (up keeps them
				 * for test and link: lab_reparse()) */
	size_t text_len;
	const char *name;
	int line;
	bool ipbase_none;
	struct lab_addr ipbase, ip6base;
	enum lab_ipv6 ipv6;
	enum lab_impair impair;	/* AUTO unless the lab says */
	int mtu;
	bool has_tests;
	LAB_VEC(lab_node, nodes);
	LAB_VEC(lab_iface, ifaces);
	LAB_VEC(lab_link, links);
	LAB_VEC(lab_route, routes);
	LAB_VEC(lab_sysctl, sysctls);
	LAB_VEC(lab_file, files);
	LAB_VEC(lab_start, starts);
	LAB_VEC(lab_step, steps);
	LAB_VEC(lab_segment, segments);
	/* resolved */
	bool resolved;
	bool ipv6_on;
	char *hosts;		/* /etc/hosts content, same in every node */
};

struct lab *lab_new(void);
void lab_free(struct lab *lab);

/* Append a zeroed element to one of the lab's vectors; returns its index
 * or -ENOMEM. */
int lab_vec_grow(void **v, int *n, int *cap, size_t elem);
#define lab_push(lab, name)                                                   \
	lab_vec_grow((void **)&(lab)->name, &(lab)->n##name,                  \
		     &(lab)->cap_##name, sizeof(*(lab)->name))

int lab_node_find(const struct lab *lab, const char *name);
/* A link's own impairments= or else the lab's (never INHERIT). */
enum lab_impair lab_link_impair(const struct lab *lab, int link);
/* "auto", "kernel", "engine"; and back (-1 for anything else). */
const char *lab_impair_name(enum lab_impair m);
int lab_impair_parse(const char *s);
int lab_iface_find(const struct lab *lab, int node, const char *name);
const char *lab_kind_name(enum lab_kind k);
/* First address of a node (for /etc/hosts and ping targets). */
bool lab_node_first_addr(const struct lab *lab, int node, int family,
			 struct lab_addr *out);
/* Addresses of an interface after resolution (explicit or automatic). */
int lab_iface_addrs(const struct lab *lab, int iface, struct lab_addr *out,
		    int max);

/* ---- parse (lab_xml.c) and resolve (resolve.c) ------------------------- */

/* <file src=> may name files outside the lab file's directory (nslab
 * --allow-host-src; topologies/README.md, "<file>").  Off by default. */
extern bool lab_allow_host_src;
/* Read and validate a lab file.  Returns 0, or -EINVAL with problems in
 * errs, or -errno when the file cannot be read (also in errs). */
int lab_parse_file(const char *path, struct lab **out, struct lab_errors *errs);
int lab_parse_buffer(const char *buf, size_t len, const char *name,
		     const char *dir, struct lab **out, struct lab_errors *errs);
/* A running lab's file again, from the copy up kept (state_read_source()),
 * parsed and resolved: the same file gives the same model (names, planned
 * ifindexes, addresses).  <file src=> files are not read: they are in
 * place already, and may have changed or gone since. */
int lab_reparse(const char *buf, size_t len, const char *name,
		struct lab **out, struct lab_errors *errs);
/* Semantic checks and every automatic choice.  0 or -EINVAL (errs). */
int lab_resolve(struct lab *lab, struct lab_errors *errs);
/* Both. */
int lab_load(const char *path, struct lab **out, struct lab_errors *errs);

/* The schema compiled into the binary. */
extern const char lab_schema_rng[];

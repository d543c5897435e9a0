/* lab_xml.c — reading a lab file into the model.
 *
 * With lab_xml_scan.c, lab_xml_walk.c and lab_xml_steps.c, the only files
 * that include libxml2.  The document is parsed with network access,
 * entities and DTDs off, and refused outright when it has a DOCTYPE
 * (topologies/README.md, "General rules").  A table-driven walk then reads
 * every element into the model, checking each attribute with a precise
 * message; finally the tree is validated against the RelaxNG schema
 * compiled into the binary, as a safety net for anything the walk does not
 * know about.
 *
 * This file: shaping and link ends, the lab's elements, the entry points.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

#include "lab_xml_int.h"
#include "units.h"

#ifndef XML_PARSE_NO_XXE
#define XML_PARSE_NO_XXE_COMPAT 0
#else
#define XML_PARSE_NO_XXE_COMPAT XML_PARSE_NO_XXE
#endif

/* libxml2 validates the children of <lab> against the schema's interleave
 * in quadratic time: the schema, a safety net behind the walk, is applied
 * to files of up to this many elements. */
#define SCHEMA_ELEMENTS_MAX 5000

/* ---- shaping and link ends ---------------------------------------------- */

static const char *const shaping_attrs[] = { LAB_SHAPING_NAMES NULL };

void lx_read_shaping(struct parser *p, xmlNodePtr n, struct lab_shaping *s)
{
	const char *const *k;
	const char *why;

	for (k = shaping_attrs; *k; k++) {
		const char *v = lx_attr(p, n, *k);

		if (v && lab_shaping_set(s, *k, v, &why))
			lab_err(p->errs, lx_line_of(n), "<%s> %s=\"%s\": %s",
				lx_ename(n), *k, v, why);
	}
}

void lx_read_end(struct parser *p, xmlNodePtr n, const char *which,
	      struct lab_end *e)
{
	const char *v = lx_attr(p, n, which), *colon, *why;

	e->node = -1;
	e->text = v ? v : "";
	if (!v)
		return;
	colon = strchr(v, ':');
	if (colon) {
		e->ifname = arena_strdup(&p->lab->arena, colon + 1);
		if (!lx_valid_ifname(e->ifname, &why))
			lab_err(p->errs, lx_line_of(n),
				"<%s> %s=\"%s\": interface name %s", lx_ename(n),
				which, v, why);
	}
}

/* v is one id of the attribute's value `whole` (the same for vlan=). */
static int vlan_id(struct parser *p, xmlNodePtr n, const char *name,
		   const char *whole, const char *v, int *out)
{
	const char *why;
	uint64_t x;

	if (units_uint(v, 1, 4094, &x, &why)) {
		if (whole && strcmp(whole, v))
			lab_err(p->errs, lx_line_of(n),
				"<%s> %s=\"%s\": \"%s\" is not a VLAN id (1 to 4094)",
				lx_ename(n), name, whole, v);
		else
			lab_err(p->errs, lx_line_of(n),
				"<%s> %s=\"%s\": VLAN id must be 1 to 4094",
				lx_ename(n), name, v);
		return -EINVAL;
	}
	*out = (int)x;
	return 0;
}

static size_t count_tokens(const char *s, const char *seps)
{
	size_t n = 0;

	for (;;) {
		s += strspn(s, seps);
		if (!*s)
			return n;
		n++;
		s += strcspn(s, seps);
	}
}

static void read_vlans(struct parser *p, xmlNodePtr n, struct lab_link *l)
{
	const char *v = lx_attr(p, n, "vlans");
	char *copy, *tok, *save;
	int id, cnt = 0;

	if (!v)
		return;
	copy = arena_strdup(&p->lab->arena, v);
	/* one id per token: sized by the text, not 4094 ids per link */
	l->vlans = arena_alloc(&p->lab->arena,
			       sizeof(uint16_t) * (count_tokens(v, ", ") + 1));
	if (!copy || !l->vlans)
		return;
	for (tok = strtok_r(copy, ", ", &save); tok;
	     tok = strtok_r(NULL, ", ", &save)) {
		if (vlan_id(p, n, "vlans", v, tok, &id))
			return;
		l->vlans[cnt++] = (uint16_t)id;
	}
	if (!cnt)
		lab_err(p->errs, lx_line_of(n), "<link> vlans=\"%s\": no VLAN ids",
			v);
	l->nvlans = cnt;
}

/* ---- elements ------------------------------------------------------------ */

static void el_direction(struct parser *p, xmlNodePtr n, int owner)
{
	static const char *const allowed[] = { LAB_SHAPING_NAMES NULL };
	struct lab_link *l = &p->lab->links[owner];
	int d = !strcmp(lx_ename(n), "b-to-a");
	struct lab_shaping s = { 0 };

	lx_check_attrs(p, n, allowed, NULL);
	lx_dispatch(p, n, lx_no_children, owner);	/* always empty */
	lx_read_shaping(p, n, &s);
	lab_shaping_merge(&l->shape[d], &s);
	/* remember that this direction was overridden */
	l->shape[d].set |= s.set;
}

/* impairments="auto|kernel|engine" on <lab> or <link>. */
static void impair_attr(struct parser *p, xmlNodePtr n, enum lab_impair *out)
{
	const char *v = lx_attr(p, n, "impairments");
	int m;

	if (!v)
		return;
	m = lab_impair_parse(v);
	if (m < 0)
		lab_err(p->errs, lx_line_of(n),
			"<%s> impairments=\"%s\": must be one of auto, kernel, engine",
			lx_ename(n), v);
	else
		*out = (enum lab_impair)m;
}

static void el_link(struct parser *p, xmlNodePtr n, int owner)
{
	static const char *const allowed[] = {
		"a", "b", LAB_SHAPING_NAMES "mtu", "vlan", "vlans",
		"impairments", NULL,
	};
	static const char *const required[] = { "a", "b", NULL };
	static const struct handler dirs[] = {
		{ "a-to-b", el_direction },
		{ "b-to-a", el_direction },
		{ NULL, NULL },
	};
	struct lab_link *l;
	struct lab_shaping s = { 0 };
	const char *v;
	uint64_t mtu;
	int i, seen[2] = { 0, 0 };
	xmlNodePtr c;

	(void)owner;
	i = lab_push(p->lab, links);
	if (i < 0)
		return;
	l = &p->lab->links[i];
	l->line = lx_line_of(n);
	l->iface[0] = l->iface[1] = -1;
	lx_check_attrs(p, n, allowed, required);
	lx_read_end(p, n, "a", &l->end[0]);
	lx_read_end(p, n, "b", &l->end[1]);
	lx_read_shaping(p, n, &s);
	l->shape[0] = s;
	l->shape[1] = s;
	if (lx_uint_attr(p, n, "mtu", 68, 65535, &mtu) > 0)
		l->mtu = (int)mtu;
	v = lx_attr(p, n, "vlan");
	if (v)
		vlan_id(p, n, "vlan", v, v, &l->vlan);
	read_vlans(p, n, l);
	impair_attr(p, n, &l->impair);
	if (l->vlan && l->nvlans)
		lab_err(p->errs, l->line,
			"<link> has both vlan= (access port) and vlans= (trunk)");
	for (c = n->children; c; c = c->next) {
		int d = c->type == XML_ELEMENT_NODE && !strcmp(lx_ename(c), "b-to-a");

		if (c->type == XML_ELEMENT_NODE && seen[d]++)
			lab_err(p->errs, lx_line_of(c),
				"<link> has more than one <%s>", lx_ename(c));
	}
	lx_dispatch(p, n, dirs, i);
}

static void read_mac(struct parser *p, xmlNodePtr n, struct lab_iface *f)
{
	const char *v = lx_attr(p, n, "mac");
	unsigned m[6];
	char extra;
	int k;

	if (!v)
		return;
	if (sscanf(v, "%2x:%2x:%2x:%2x:%2x:%2x%c", &m[0], &m[1], &m[2], &m[3],
		   &m[4], &m[5], &extra) != 6 || strlen(v) != 17) {
		lab_err(p->errs, f->line,
			"<iface> mac=\"%s\": not a MAC address (e.g. 02:00:00:00:00:01)",
			v);
		return;
	}
	if (m[0] & 1) {
		lab_err(p->errs, f->line,
			"<iface> mac=\"%s\": a multicast MAC cannot be an interface's address",
			v);
		return;
	}
	if (!(m[0] | m[1] | m[2] | m[3] | m[4] | m[5])) {
		lab_err(p->errs, f->line,
			"<iface> mac=\"%s\": the all-zero MAC is not allowed", v);
		return;
	}
	for (k = 0; k < 6; k++)
		f->mac[k] = (uint8_t)m[k];
	f->mac_set = true;
}

/* addr="none" or "CIDR [CIDR...]", each with a prefix length. */
static void read_addrs(struct parser *p, xmlNodePtr n, struct lab_iface *f)
{
	const char *v = lx_attr(p, n, "addr");
	char *copy, *tok, *save;
	size_t n_addrs;

	if (!v)
		return;
	if (!strcmp(v, "none")) {
		f->addr_none = true;
		return;
	}
	n_addrs = count_tokens(v, " \t\n");
	if (n_addrs > LAB_IFACE_ADDRS_MAX) {
		lab_err(p->errs, f->line,
			"<iface> addr=\"%.40s...\": %zu addresses, at most %d on one interface",
			v, n_addrs, LAB_IFACE_ADDRS_MAX);
		return;
	}
	copy = arena_strdup(&p->lab->arena, v);
	f->addrs = arena_alloc(&p->lab->arena, sizeof(*f->addrs) * (n_addrs + 1));
	for (tok = strtok_r(copy, " \t\n", &save); tok && f->addrs;
	     tok = strtok_r(NULL, " \t\n", &save)) {
		struct lab_addr a;
		char why[160];
		int r = lab_addr_parse(tok, &a);

		if (!r && a.prefix < 0)
			lab_err(p->errs, f->line,
				"<iface> addr=\"%s\": \"%s\" needs a prefix length (e.g. %s/24)",
				v, tok, tok);
		else if (r)
			lab_err(p->errs, f->line,
				"<iface> addr=\"%s\": \"%s\" is not an IP address with prefix length%s",
				v, tok, r == -ERANGE ? " (prefix too long)" : "");
		else if (lab_addr_unusable(&a, why, sizeof(why)))
			lab_err(p->errs, f->line, "<iface> addr=\"%s\": %s",
				v, why);
		else
			f->addrs[f->naddrs++] = a;
	}
	if (!f->naddrs && f->addrs && !p->errs->n)
		lab_err(p->errs, f->line, "<iface> addr=\"%s\": no address", v);
}

static void el_iface(struct parser *p, xmlNodePtr n, int node)
{
	static const char *const allowed[] = {
		"name", "addr", "mac", "mtu", "parent", "vlan", NULL,
	};
	static const char *const required[] = { "name", NULL };
	struct lab_iface *f;
	const char *v;
	uint64_t mtu;
	int i;

	i = lab_push(p->lab, ifaces);
	if (i < 0)
		return;
	f = &p->lab->ifaces[i];
	f->node = node;
	f->line = lx_line_of(n);
	f->declared = true;
	f->link = -1;
	f->parent_iface = -1;
	f->segment = -1;
	lx_check_attrs(p, n, allowed, required);
	f->name = lx_attr(p, n, "name");
	if (f->name)
		lx_check_ifname(p, n, "name", f->name);
	if (lx_uint_attr(p, n, "mtu", 68, 65535, &mtu) > 0)
		f->mtu = (int)mtu;
	read_mac(p, n, f);
	f->parent = lx_attr(p, n, "parent");
	v = lx_attr(p, n, "vlan");
	if (v)
		vlan_id(p, n, "vlan", v, v, &f->vlan);
	if (!!f->parent != !!v)
		lab_err(p->errs, f->line,
			"<iface> an 802.1Q sub-interface needs both parent= and vlan=");
	if (f->parent)
		lx_check_ifname(p, n, "parent", f->parent);
	read_addrs(p, n, f);
	lx_dispatch(p, n, lx_no_children, node);	/* always empty */
}

static void el_route(struct parser *p, xmlNodePtr n, int node)
{
	static const char *const allowed[] = { "dst", "via", "dev", "metric",
					       NULL };
	static const char *const required[] = { "dst", NULL };
	struct lab_route *r;
	const char *v;
	char why[160];
	uint64_t m;
	int i;

	i = lab_push(p->lab, routes);
	if (i < 0)
		return;
	r = &p->lab->routes[i];
	r->node = node;
	r->line = lx_line_of(n);
	r->dev_iface = -1;
	lx_check_attrs(p, n, allowed, required);
	v = lx_attr(p, n, "dst");
	if (v && !strcmp(v, "default")) {
		r->is_default = true;
	} else if (v && lab_addr_parse(v, &r->dst)) {
		lab_err(p->errs, r->line,
			"<route> dst=\"%s\": not \"default\" or an address with prefix length",
			v);
	} else if (v) {
		struct lab_addr net = r->dst;

		if (r->dst.prefix < 0)
			r->dst.prefix = r->dst.family == AF_INET ? 32 : 128;
		lab_addr_mask(&net, r->dst.prefix);
		if (memcmp(net.b, r->dst.b, 16))
			lab_err(p->errs, r->line,
				"<route> dst=\"%s\": has host bits set (the network would be %s)",
				v, lab_addr_str(&net, (char[64]){ 0 }, 64));
	}
	v = lx_attr(p, n, "via");
	if (v) {
		if (lab_addr_parse(v, &r->via) || r->via.prefix >= 0)
			lab_err(p->errs, r->line,
				"<route> via=\"%s\": not an IP address", v);
		else if (lab_addr_unusable(&r->via, why, sizeof(why)))
			lab_err(p->errs, r->line, "<route> via=\"%s\": %s", v,
				why);
		else
			r->has_via = true;
	}
	r->dev = lx_attr(p, n, "dev");
	if (r->dev)
		lx_check_ifname(p, n, "dev", r->dev);
	if (lx_uint_attr(p, n, "metric", 0, UINT32_MAX, &m) > 0)
		r->metric = (uint32_t)m;
	if (!r->has_via && !r->dev && v == NULL && lx_attr(p, n, "dst"))
		lab_err(p->errs, r->line, "<route> needs via= or dev=");
	lx_dispatch(p, n, lx_no_children, node);	/* always empty */
}

static void el_sysctl(struct parser *p, xmlNodePtr n, int node)
{
	static const char *const allowed[] = { "name", "value", NULL };
	struct lab_sysctl *s;
	const char *c;
	int i;

	i = lab_push(p->lab, sysctls);
	if (i < 0)
		return;
	s = &p->lab->sysctls[i];
	s->node = node;
	s->line = lx_line_of(n);
	lx_check_attrs(p, n, allowed, allowed);
	s->name = lx_attr(p, n, "name");
	s->value = lx_attr(p, n, "value");
	if (s->name) {
		for (c = s->name; *c; c++)
			if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
			      (*c >= '0' && *c <= '9') || strchr("._-/", *c)))
				break;
		if (strncmp(s->name, "net.", 4) || *c || strstr(s->name, ".."))
			lab_err(p->errs, s->line,
				"<sysctl> name=\"%s\": only net.* sysctls can be set in a node",
				s->name);
	}
	if (s->value && strpbrk(s->value, "\n\r"))
		lab_err(p->errs, s->line,
			"<sysctl> value=\"%s\": must be one line", s->value);
	lx_dispatch(p, n, lx_no_children, node);	/* always empty */
}

static bool file_path_ok(const char *path, const char **why)
{
	const char *rest;

	if (path[0] != '/') {
		*why = "is not absolute";
		return false;
	}
	if (strlen(path) > LAB_FILE_PATH_MAX) {
		*why = "is longer than 4095 bytes";
		return false;
	}
	if (lx_has_control(path)) {
		*why = "contains control characters";
		return false;
	}
	if (strstr(path, "/../") || strstr(path, "/./") || strstr(path, "//") ||
	    path[strlen(path) - 1] == '/' ||
	    (strlen(path) >= 3 && !strcmp(path + strlen(path) - 3, "/..")) ||
	    (strlen(path) >= 2 && !strcmp(path + strlen(path) - 2, "/."))) {
		*why = "must be a plain path to a file (no \"..\", \".\", \"//\" or trailing '/')";
		return false;
	}
	if (!strcmp(path, "/run/shared")) {
		*why = "is the lab's shared directory itself: name a file in it";
		return false;
	}
	if (lab_file_area(path, &rest) != LAB_AREA_NONE)
		return true;
	*why = "must be under /etc, /run, /tmp or /shared (the node's own or shared file view)";
	return false;
}

static void el_file(struct parser *p, xmlNodePtr n, int node)
{
	static const char *const allowed[] = { "path", "mode", "src", NULL };
	static const char *const required[] = { "path", NULL };
	struct lab_file *f;
	const char *v, *why;
	int i;

	i = lab_push(p->lab, files);
	if (i < 0)
		return;
	f = &p->lab->files[i];
	f->node = node;
	f->line = lx_line_of(n);
	f->mode = 0644;
	lx_check_attrs(p, n, allowed, required);
	f->path = lx_attr(p, n, "path");
	if (f->path && !file_path_ok(f->path, &why))
		lab_err(p->errs, f->line, "<file> path=\"%.200s%s\" %s", f->path,
			strlen(f->path) > 200 ? "..." : "", why);
	v = lx_attr(p, n, "mode");
	if (v) {
		char *end;
		unsigned long m = strtoul(v, &end, 8);

		if (!*v || *end || m > 07777 || *v == '-' || *v == '+')
			lab_err(p->errs, f->line,
				"<file> mode=\"%s\": not an octal file mode (e.g. 0644)",
				v);
		else
			f->mode = (unsigned)m;
	}
	f->src = lx_attr(p, n, "src");
	f->content = lx_text_of(p, n, &f->len);
	if (f->src && f->len)
		lab_err(p->errs, f->line,
			"<file> has both src=\"%s\" and inline text: use one",
			f->src);
	else if (f->src && !p->no_src)
		lab_src_load(&p->srcs, p->lab, f, p->errs);
}

static void el_start(struct parser *p, xmlNodePtr n, int node)
{
	static const char *const allowed[] = { "background", "timeout", NULL };
	struct lab_start *s;
	int i;

	i = lab_push(p->lab, starts);
	if (i < 0)
		return;
	s = &p->lab->starts[i];
	s->node = node;
	s->line = lx_line_of(n);
	s->timeout_ns = 30000000000ull;
	lx_check_attrs(p, n, allowed, NULL);
	lx_keyword(p, n, "background", "no", "yes", &s->background);
	lx_time_attr(p, n, "timeout", &s->timeout_ns);
	s->cmd = lx_command_text(p, n);
}

static const struct handler node_children[] = {
	{ "iface", el_iface }, { "route", el_route }, { "sysctl", el_sysctl },
	{ "file", el_file },   { "start", el_start }, { NULL, NULL },
};

static int new_node(struct parser *p, xmlNodePtr n, enum lab_kind kind)
{
	int i = lab_push(p->lab, nodes);

	if (i < 0)
		return i;
	p->lab->nodes[i].kind = kind;
	p->lab->nodes[i].line = lx_line_of(n);
	p->lab->nodes[i].lo_iface = -1;
	lx_name_attr(p, n, "node", &p->lab->nodes[i].name);
	return i;
}

static void el_host(struct parser *p, xmlNodePtr n, int owner)
{
	static const char *const allowed[] = { "name", "gateway", NULL };
	static const char *const required[] = { "name", NULL };
	struct lab_node *h;
	const char *gw;
	char why[160];
	int i;

	(void)owner;
	lx_check_attrs(p, n, allowed, required);
	i = new_node(p, n, LAB_HOST);
	if (i < 0)
		return;
	h = &p->lab->nodes[i];
	gw = lx_attr(p, n, "gateway");
	if (gw && !strcmp(gw, "auto")) {
		h->gw_auto = true;
	} else if (gw) {
		if (lab_addr_parse(gw, &h->gw) || h->gw.prefix >= 0)
			lab_err(p->errs, h->line,
				"<host> gateway=\"%s\": not \"auto\" or an IP address",
				gw);
		else if (lab_addr_unusable(&h->gw, why, sizeof(why)))
			lab_err(p->errs, h->line, "<host> gateway=\"%s\": %s",
				gw, why);
		else
			h->has_gw = true;
	}
	lx_dispatch(p, n, node_children, i);
}

static void el_router(struct parser *p, xmlNodePtr n, int owner)
{
	static const char *const allowed[] = { "name", NULL };
	int i;

	(void)owner;
	lx_check_attrs(p, n, allowed, allowed);
	i = new_node(p, n, LAB_ROUTER);
	if (i >= 0)
		lx_dispatch(p, n, node_children, i);
}

static void el_switch(struct parser *p, xmlNodePtr n, int owner)
{
	static const char *const allowed[] = { "name", "stp", "hub",
					       "vlan-filtering", NULL };
	static const char *const required[] = { "name", NULL };
	struct lab_node *s;
	int i;

	(void)owner;
	lx_check_attrs(p, n, allowed, required);
	i = new_node(p, n, LAB_SWITCH);
	if (i < 0)
		return;
	s = &p->lab->nodes[i];
	lx_keyword(p, n, "stp", "off", "on", &s->stp);
	lx_keyword(p, n, "hub", "no", "yes", &s->hub);
	lx_keyword(p, n, "vlan-filtering", "off", "on", &s->vlan_filtering);
	lx_dispatch(p, n, lx_no_children, i);
}

/* ipbase and ip6base: pools of automatic addresses, refused when they
 * hold addresses no interface may have (topologies/README.md, <lab>). */
static void read_bases(struct parser *p, xmlNodePtr n)
{
	struct lab *lab = p->lab;
	const char *v = lx_attr(p, n, "ipbase");
	char why[160];

	if (v && !strcmp(v, "none")) {
		lab->ipbase_none = true;
	} else if (v) {
		if (lab_addr_parse(v, &lab->ipbase) ||
		    lab->ipbase.family != AF_INET || lab->ipbase.prefix < 0 ||
		    lab->ipbase.prefix > 30)
			lab_err(p->errs, lab->line,
				"<lab> ipbase=\"%s\": not \"none\" or an IPv4 network with prefix length /0 to /30",
				v);
		else if (lab_pool_unusable(&lab->ipbase, why, sizeof(why)))
			lab_err(p->errs, lab->line, "<lab> ipbase=\"%s\": %s",
				v, why);
		else
			lab_addr_mask(&lab->ipbase, lab->ipbase.prefix);
	}
	v = lx_attr(p, n, "ip6base");
	if (v) {
		if (lab_addr_parse(v, &lab->ip6base) ||
		    lab->ip6base.family != AF_INET6 ||
		    lab->ip6base.prefix < 0 || lab->ip6base.prefix > 64)
			lab_err(p->errs, lab->line,
				"<lab> ip6base=\"%s\": not an IPv6 network with prefix length /0 to /64",
				v);
		else if (lab_pool_unusable(&lab->ip6base, why, sizeof(why)))
			lab_err(p->errs, lab->line, "<lab> ip6base=\"%s\": %s",
				v, why);
		else
			lab_addr_mask(&lab->ip6base, lab->ip6base.prefix);
	}
}

static void el_lab(struct parser *p, xmlNodePtr n)
{
	static const char *const allowed[] = { "name", "ipbase", "ip6base",
					       "ipv6", "mtu", "impairments",
					       NULL };
	static const char *const required[] = { "name", NULL };
	static const struct handler children[] = {
		{ "host", el_host },   { "router", el_router },
		{ "switch", el_switch }, { "link", el_link },
		{ "tests", lx_el_tests }, { NULL, NULL },
	};
	struct lab *lab = p->lab;
	const char *v;
	uint64_t mtu;

	lab->line = lx_line_of(n);
	lx_check_attrs(p, n, allowed, required);
	lx_name_attr(p, n, "lab", &lab->name);
	read_bases(p, n);
	v = lx_attr(p, n, "ipv6");
	if (v) {
		if (!strcmp(v, "auto"))
			lab->ipv6 = LAB_V6_AUTO;
		else if (!strcmp(v, "on"))
			lab->ipv6 = LAB_V6_ON;
		else if (!strcmp(v, "off"))
			lab->ipv6 = LAB_V6_OFF;
		else
			lab_err(p->errs, lab->line,
				"<lab> ipv6=\"%s\": must be one of auto, on, off",
				v);
	}
	if (lx_uint_attr(p, n, "mtu", 68, 65535, &mtu) > 0)
		lab->mtu = (int)mtu;
	impair_attr(p, n, &lab->impair);
	lx_dispatch(p, n, children, 0);
}

/* ---- entry points ------------------------------------------------------- */

/* The buffer need not be NUL-terminated. */
static bool all_blank(const char *buf, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (buf[i] != ' ' && buf[i] != '\t' && buf[i] != '\r' &&
		    buf[i] != '\n')
			return false;
	return true;
}

static int parse_doc(struct parser *p, const char *buf, size_t len)
{
	int opts = XML_PARSE_NONET | XML_PARSE_NO_XXE_COMPAT | XML_PARSE_BIG_LINES;
	xmlDocPtr doc;
	xmlNodePtr root;
	int line;

	if (all_blank(buf, len)) {
		lab_err(p->errs, 1, "empty file: expected a <lab> element");
		return -EINVAL;
	}
	if (memchr(buf, 0, len)) {
		lab_err(p->errs, 1, "binary data (a NUL byte): not an XML lab file");
		return -EINVAL;
	}
	line = lx_find_doctype(buf, len);
	if (line) {
		lab_err(p->errs, line,
			"DOCTYPE is not allowed in a lab file (no DTDs or entities)");
		return -EINVAL;
	}
	if (lx_check_size(p, buf, len))
		return -EINVAL;
	lx_xml_setup(p->errs);
	doc = xmlReadMemory(buf, (int)len, p->errs->file, NULL, opts);
	if (!doc) {
		lx_xml_reset();
		if (!p->errs->n)
			lab_err(p->errs, 1, "not a well-formed XML document");
		return -EINVAL;
	}
	root = xmlDocGetRootElement(doc);
	if (doc->intSubset || doc->extSubset) {
		lab_err(p->errs, 1, "DOCTYPE is not allowed in a lab file");
	} else if (!root || root->ns || strcmp(lx_ename(root), "lab")) {
		lab_err(p->errs, root ? lx_line_of(root) : 1,
			"the top element must be <lab>, not <%s>",
			root ? lx_ename(root) : "nothing");
	} else {
		el_lab(p, root);
		if (!p->errs->n && p->elements <= SCHEMA_ELEMENTS_MAX)
			lx_validate_schema(doc, p->errs);
	}
	xmlFreeDoc(doc);
	lx_xml_reset();
	return p->errs->n ? -EINVAL : 0;
}

static int parse_buffer(const char *buf, size_t len, const char *name,
			const char *dir, bool no_src, struct lab **out,
			struct lab_errors *errs)
{
	struct parser p = { .errs = errs, .no_src = no_src };
	char *text;
	int ret;

	*out = NULL;
	if (len > LAB_FILE_MAX) {
		lab_err(errs, 0, "file larger than 16 MiB");
		return -EFBIG;
	}
	p.lab = lab_new();
	if (!p.lab)
		return -ENOMEM;
	p.lab->file = arena_strdup(&p.lab->arena, name ? name : "-");
	p.lab->dir = arena_strdup(&p.lab->arena, dir ? dir : ".");
	text = arena_alloc(&p.lab->arena, len + 1);
	if (!p.lab->file || !p.lab->dir || !text) {
		lab_free(p.lab);
		return -ENOMEM;
	}
	memcpy(text, buf, len);
	p.lab->text = text;
	p.lab->text_len = len;
	lab_srcs_init(&p.srcs);
	ret = parse_doc(&p, buf, len);
	lab_srcs_free(&p.srcs);
	if (ret) {
		lab_free(p.lab);
		return ret;
	}
	*out = p.lab;
	return 0;
}

int lab_parse_buffer(const char *buf, size_t len, const char *name,
		     const char *dir, struct lab **out, struct lab_errors *errs)
{
	return parse_buffer(buf, len, name, dir, false, out, errs);
}

/* After a parse that returned ret: resolve, or free what failed. */
static int then_resolve(int ret, struct lab **out, struct lab_errors *errs)
{
	if (ret)
		return ret;
	ret = lab_resolve(*out, errs);
	if (ret) {
		lab_free(*out);
		*out = NULL;
	}
	return ret;
}

int lab_reparse(const char *buf, size_t len, const char *name,
		struct lab **out, struct lab_errors *errs)
{
	return then_resolve(parse_buffer(buf, len, name, NULL, true, out, errs),
			    out, errs);
}

int lab_parse_file(const char *path, struct lab **out, struct lab_errors *errs)
{
	char dir[PATH_MAX], *slash;
	size_t len = 0;
	char *buf = NULL;
	int ret;

	*out = NULL;
	ret = lx_slurp(path, &buf, &len);
	if (ret) {
		lab_err(errs, 0, "%s",
			ret == -EFBIG ? "file larger than 16 MiB" : strerror(-ret));
		return ret;
	}
	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (slash)
		*slash = 0;
	else
		snprintf(dir, sizeof(dir), ".");
	if (!dir[0])
		snprintf(dir, sizeof(dir), "/");
	ret = lab_parse_buffer(buf, len, path, dir, out, errs);
	free(buf);
	return ret;
}

int lab_load(const char *path, struct lab **out, struct lab_errors *errs)
{
	return then_resolve(lab_parse_file(path, out, errs), out, errs);
}

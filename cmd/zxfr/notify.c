/*
 * notify.c: zxfr --listen, the NOTIFY listener (RFC 1996) that a primary
 * names in also-notify.  One "ZONE SERIAL" line on stdout for each
 * NOTIFY accepted, for a driver (r53mirror --watch) to read; everything
 * else answered REFUSED, NOTAUTH or FORMERR, or dropped, and counted.
 *
 * Module map:
 *   zones    the --notify-zones file: "ZONE PRIMARY [KEYFILE]" lines;
 *            a bad line is reported and skipped, never fatal alone
 *   guards   the per-source rate limit (token buckets in a fixed table)
 *            and the replay cache (MACs accepted within the fudge)
 *   verdict  one request in, one answer (or nothing) out: the checks in
 *            order: header, opcode, question, zone, source, TSIG, replay
 *   sockets  UDP and TCP on one address; TCP connections bounded in
 *            number, message size and idle time
 *   loop     ppoll() with the signals blocked outside it: TERM/INT end,
 *            HUP re-reads the zones file, a closed stdout ends
 *
 * Bounds: a request over NZ_MSG_MAX octets is dropped, at most NZ_TCP_MAX
 * connections (more are closed at once), each closed after NZ_TCP_IDLE
 * seconds without a complete request; NZ_REPLAY_MAX MACs remembered.
 */
#define _GNU_SOURCE		/* accept4(), ppoll() */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "exitcodes.h"
#include "log.h"
#include "names.h"
#include "stats.h"
#include "zxfr.h"

#define NZ_MSG_MAX	4096		/* largest request taken (octets) */
#define NZ_TCP_MAX	16		/* TCP connections at once */
#define NZ_TCP_IDLE	10.0		/* seconds for a whole request */
#define NZ_REPLAY_MAX	16384		/* MACs remembered: > 20/s for 10 min */
#define NZ_RL_SLOTS	256		/* sources tracked by the limiter */
#define NZ_RL_RATE	20.0		/* requests per second per source */
#define NZ_RL_BURST	100.0		/* ... after a burst of this many */
#define NZ_ZONES_MAX	100000		/* lines taken from the zones file */
#define NZ_LINE_MAX	4096

#define OP_NOTIFY	4
#define RC_NOERROR	0
#define RC_FORMERR	1
#define RC_REFUSED	5
#define RC_NOTAUTH	9
#define T_SOA		6
#define C_IN		1
#define F_AA		0x0400
#define F_RD		0x0100

/* ---- zones ---- */

/* An address without port: what a source is compared with. */
struct nz_addr {
	int family;			/* AF_INET or AF_INET6 */
	uint8_t a[16];
	char text[INET6_ADDRSTRLEN];
};

struct nz_zone {
	uint8_t name[ZXFR_NAME_MAX];	/* wire */
	size_t nlen;
	char text[NAME_CANON_MAX];	/* canonical, final dot */
	struct nz_addr primary;
	int keyed;
	struct tsig_key key;
};

struct nz_set {
	struct nz_zone *z;
	size_t n;
};

static void
nz_set_free(struct nz_set *s)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		tsig_key_clear(&s->z[i].key);
	free(s->z);
	s->z = NULL;
	s->n = 0;
}

/* addr_parse(text, &a, &port): "IP", "IPv4:PORT", "[IPv6]" or
 * "[IPv6]:PORT"; *port = -1 when none is given.  0 or -1. */
static int
addr_parse(const char *text, struct nz_addr *a, int *port)
{
	char host[INET6_ADDRSTRLEN + 2], *end;
	const char *p = NULL, *colon = strchr(text, ':');
	size_t n;

	*port = -1;
	memset(a, 0, sizeof(*a));
	if (text[0] == '[') {
		if ((end = strchr(text, ']')) == NULL)
			return -1;
		n = (size_t)(end - text - 1);
		p = end[1] == ':' ? end + 2 : end[1] == '\0' ? NULL : text;
		if (p == text)
			return -1;
		text++;
	} else if (colon != NULL && strchr(colon + 1, ':') == NULL) {
		n = (size_t)(colon - text);	/* IPv4:PORT */
		p = colon + 1;
	} else {
		n = strlen(text);		/* IPv4, or IPv6 alone */
	}
	if (n == 0 || n >= sizeof(host))
		return -1;
	memcpy(host, text, n);
	host[n] = '\0';
	if (p != NULL && net_port(p, port) == -1)
		return -1;
	if (inet_pton(AF_INET, host, a->a) == 1)
		a->family = AF_INET;
	else if (inet_pton(AF_INET6, host, a->a) == 1)
		a->family = AF_INET6;
	else
		return -1;
	inet_ntop(a->family, a->a, a->text, sizeof(a->text));
	return 0;
}

/* zone_text_parse(text, z): ZONE (final dot optional) into wire and
 * canonical text.  0 or -1. */
static int
zone_text_parse(const char *text, struct nz_zone *z)
{
	char buf[NAME_CANON_MAX + 2];
	size_t n = strlen(text);
	int dotted = n > 0 && text[n - 1] == '.' &&
	    (n < 2 || text[n - 2] != '\\');

	if (n == 0 || n >= NAME_CANON_MAX)
		return -1;
	snprintf(buf, sizeof(buf), "%s%s", text, dotted ? "" : ".");
	if (name_to_wire(buf, 0, z->name, &z->nlen) != NAME_OK)
		return -1;
	return name_canon_wire(z->name, z->nlen, z->text, sizeof(z->text),
	    NULL) < 0 ? -1 : 0;
}

/* zone_line(path, line, text, set): one line of the zones file.  0 taken
 * or nothing on it, -1 reported and skipped. */
static int
zone_line(const char *path, unsigned long line, char *text,
    struct nz_set *set)
{
	char *f[4], *save = NULL, *hash;
	struct nz_zone *z = &set->z[set->n];
	int nf = 0, port;
	size_t i;

	if ((hash = strchr(text, '#')) != NULL)
		*hash = '\0';
	for (f[0] = strtok_r(text, " \t\r\n", &save); f[nf] != NULL && nf < 3;)
		f[++nf] = strtok_r(NULL, " \t\r\n", &save);
	if (nf == 0)
		return 0;
	memset(z, 0, sizeof(*z));
	if (nf == 3 && f[3] != NULL) {
		log_at(path, line, "field 4: unexpected text (want ZONE "
		    "PRIMARY [KEYFILE])");
		return -1;
	}
	if (zone_text_parse(f[0], z) == -1) {
		log_at(path, line, "field 1 (ZONE): '%s' is not a domain "
		    "name", f[0]);
		return -1;
	}
	for (i = 0; i < set->n; i++)
		if (wire_name_eq(set->z[i].name, set->z[i].nlen, z->name,
		    z->nlen)) {
			log_at(path, line, "field 1 (ZONE): %s is listed "
			    "twice", z->text);
			return -1;
		}
	if (nf < 2) {
		log_at(path, line, "field 2 (PRIMARY): missing (want ZONE "
		    "PRIMARY [KEYFILE])");
		return -1;
	}
	if (addr_parse(f[1], &z->primary, &port) == -1) {
		log_at(path, line, "field 2 (PRIMARY): '%s' is not an IP "
		    "address (a.b.c.d, a.b.c.d:PORT, v6 or [v6]:PORT)", f[1]);
		return -1;
	}
	if (nf == 3) {
		if (tsig_key_load(f[2], &z->key) == -1) {
			log_at(path, line, "field 3 (KEYFILE): cannot use key "
			    "file %s", f[2]);
			return -1;
		}
		z->keyed = 1;
	}
	set->n++;
	return 0;
}

/* zones_load(path, set): read the zones file.  The number of zones
 * taken; -1 if the file cannot be read (reported). */
static long
zones_load(const char *path, struct nz_set *set)
{
	char buf[NZ_LINE_MAX];
	unsigned long line = 0;
	FILE *f;

	memset(set, 0, sizeof(*set));
	if ((f = fopen(path, "re")) == NULL) {
		log_errno("cannot open %s", path);
		return -1;
	}
	while (fgets(buf, sizeof(buf), f) != NULL) {
		line++;
		if (strchr(buf, '\n') == NULL && !feof(f)) {
			int c;

			log_at(path, line, "line longer than %d octets",
			    NZ_LINE_MAX - 1);
			while ((c = getc(f)) != EOF && c != '\n')
				;
			continue;
		}
		if (set->n >= NZ_ZONES_MAX) {
			log_at(path, line, "more than %d zones; the rest are "
			    "ignored", NZ_ZONES_MAX);
			break;
		}
		if (set->n % 64 == 0) {
			struct nz_zone *nz = realloc(set->z,
			    (set->n + 64) * sizeof(*nz));

			if (nz == NULL) {
				log_msg("out of memory");
				break;
			}
			set->z = nz;
		}
		(void)zone_line(path, line, buf, set);
	}
	if (ferror(f))
		log_errno("cannot read %s", path);
	fclose(f);
	return (long)set->n;
}

/* ---- guards ---- */

struct nz_bucket {
	struct nz_addr src;
	double tokens, last;
	int used;
};

struct nz_seen {
	uint8_t mac[TSIG_MAC_MAX];
	size_t len;
	time_t at;
};

struct nz_counts {
	unsigned long long received, accepted, refused, notauth, formerr;
	unsigned long long dropped, replayed, ratelimited, tcp;
};

struct nz {
	const struct notify_opts *o;
	struct nz_set zones;
	struct nz_bucket rl[NZ_RL_SLOTS];
	struct nz_seen *seen;		/* NZ_REPLAY_MAX, a ring */
	size_t seen_next;
	struct nz_counts c;
	struct stats sts;		/* started with the listener */
	int out_closed;
};

static int
addr_eq(const struct nz_addr *a, const struct nz_addr *b)
{
	return a->family == b->family &&
	    memcmp(a->a, b->a, a->family == AF_INET ? 4 : 16) == 0;
}

/* rl_allow(nz, src, now): take a token from SRC's bucket; 0 if empty.
 * A source that shares a slot with another starts a fresh bucket: an
 * eviction only ever favours the evicted one. */
static int
rl_allow(struct nz *nz, const struct nz_addr *src, double now)
{
	uint32_t h = 2166136261u;
	size_t i, n = src->family == AF_INET ? 4 : 16;
	struct nz_bucket *b;

	for (i = 0; i < n; i++)
		h = (h ^ src->a[i]) * 16777619u;
	b = &nz->rl[h % NZ_RL_SLOTS];
	if (!b->used || !addr_eq(&b->src, src)) {
		b->src = *src;
		b->tokens = NZ_RL_BURST;
		b->last = now;
		b->used = 1;
	}
	b->tokens += (now - b->last) * NZ_RL_RATE;
	if (b->tokens > NZ_RL_BURST)
		b->tokens = NZ_RL_BURST;
	b->last = now;
	if (b->tokens < 1.0)
		return 0;
	b->tokens -= 1.0;
	return 1;
}

/* replay_seen(nz, ri, now): the MAC was accepted before, within the time
 * a copy of it could still pass the time check (twice the fudge). */
static int
replay_seen(const struct nz *nz, const struct tsig_reqinfo *ri, time_t now)
{
	size_t i;

	for (i = 0; i < NZ_REPLAY_MAX; i++) {
		const struct nz_seen *s = &nz->seen[i];

		if (s->len == ri->mac_len && s->len > 0 &&
		    now - s->at <= 2 * TSIG_FUDGE + 1 &&
		    CRYPTO_memcmp(s->mac, ri->mac, s->len) == 0)
			return 1;
	}
	return 0;
}

static void
replay_add(struct nz *nz, const struct tsig_reqinfo *ri, time_t now)
{
	struct nz_seen *s = &nz->seen[nz->seen_next];

	memcpy(s->mac, ri->mac, ri->mac_len);
	s->len = ri->mac_len;
	s->at = now;
	nz->seen_next = (nz->seen_next + 1) % NZ_REPLAY_MAX;
}

/* ---- verdict ---- */

/* One request being answered. */
struct nz_req {
	const struct nz_addr *src;
	const uint8_t *p;
	size_t len;
	struct wire_msg m;
	uint8_t qname[ZXFR_NAME_MAX];
	size_t qlen;
	uint16_t qtype, qclass;
	int have_q;
	const struct nz_zone *zone;
	uint8_t *out;			/* the answer, NZ_MSG_MAX octets */
	size_t outlen;
};

/* answer(r, rcode, aa): the answer's header and question in r->out. */
static void
answer(struct nz_req *r, int rcode, int aa)
{
	uint16_t f = wire_get16(r->p + 2);
	uint8_t *o = r->out;

	memset(o, 0, WIRE_HDR);
	memcpy(o, r->p, 2);
	wire_put16(o + 2, (uint16_t)(WIRE_F_QR | (f & 0x7800) | (f & F_RD) |
	    (aa ? F_AA : 0) | rcode));
	r->outlen = WIRE_HDR;
	if (r->have_q) {
		wire_put16(o + 4, 1);
		memcpy(o + WIRE_HDR, r->qname, r->qlen);
		wire_put16(o + WIRE_HDR + r->qlen, r->qtype);
		wire_put16(o + WIRE_HDR + r->qlen + 2, r->qclass);
		r->outlen += r->qlen + 4;
	}
}

/* soa_serial(r, buf): the serial of the zone's SOA in the answer
 * section as text, or "-" when there is none. */
static void
soa_serial(const struct nz_req *r, char *buf, size_t sz)
{
	size_t off = r->m.an_off;
	struct wire_rr rr;
	uint8_t owner[ZXFR_NAME_MAX];
	size_t olen, oo;
	unsigned i;

	snprintf(buf, sz, "-");
	for (i = 0; i < r->m.an; i++) {
		if (wire_rr(r->p, r->len, &off, &rr) == -1)
			return;
		oo = rr.off;
		if (rr.type != T_SOA || rr.class != C_IN || rr.rdlen < 22 ||
		    wire_name(r->p, r->len, &oo, owner, &olen) == -1 ||
		    !wire_name_eq(owner, olen, r->zone->name, r->zone->nlen))
			continue;
		snprintf(buf, sz, "%lu", (unsigned long)wire_get32(r->p +
		    rr.rdata_off + rr.rdlen - 20));
		return;
	}
}

/* refuse(nz, r, rcode, why): a REFUSED or FORMERR answer, counted and
 * logged at -v. */
static int
refuse(struct nz *nz, struct nz_req *r, int rcode, const char *why)
{
	char n[ZXFR_NAME_MAX * 4 + 2] = "?";

	if (r->have_q)
		wire_name_text(r->qname, r->qlen, n, sizeof(n));
	log_debug(1, "NOTIFY %s from %s: %s (%s)", n, r->src->text,
	    rcode == RC_FORMERR ? "FORMERR" : "REFUSED", why);
	if (rcode == RC_FORMERR)
		nz->c.formerr++;
	else
		nz->c.refused++;
	answer(r, rcode, 0);
	return 1;
}

/* question(r): the single question of a NOTIFY.  0 or -1. */
static int
question(struct nz_req *r)
{
	size_t off = r->m.q_off;

	if (r->m.qd != 1 ||
	    wire_name(r->p, r->len, &off, r->qname, &r->qlen) == -1 ||
	    off + 4 > r->len)
		return -1;
	r->qtype = wire_get16(r->p + off);
	r->qclass = wire_get16(r->p + off + 2);
	r->have_q = 1;
	return 0;
}

/* check_tsig(nz, r, now, ri): the zone's key, the replay cache.  0 to
 * go on (RI->mac_len > 0 when signed), 1 when answered. */
static int
check_tsig(struct nz *nz, struct nz_req *r, time_t now,
    struct tsig_reqinfo *ri)
{
	const struct tsig_key *key = r->zone->keyed ? &r->zone->key : NULL;
	int rc;

	memset(ri, 0, sizeof(*ri));
	if (!r->m.has_tsig && key == NULL)
		return 0;
	if (!r->m.has_tsig) {
		log_debug(1, "NOTIFY %s from %s: NOTAUTH (not signed; the "
		    "zone has key %s)", r->zone->text, r->src->text,
		    key->name_text);
		nz->c.notauth++;
		answer(r, RC_NOTAUTH, 0);
		return 1;
	}
	rc = tsig_request_check(key, &r->m, now, ri);
	if (rc == -1)
		return refuse(nz, r, RC_FORMERR, "malformed TSIG record");
	if (rc > 0) {
		log_debug(1, "NOTIFY %s from %s: NOTAUTH (%s)", r->zone->text,
		    r->src->text, tsig_error_name(rc));
		nz->c.notauth++;
		answer(r, RC_NOTAUTH, 0);
		if (tsig_response_sign(key, ri, (uint16_t)rc, now, r->out,
		    &r->outlen, NZ_MSG_MAX) == -1)
			answer(r, RC_NOTAUTH, 0);
		return 1;
	}
	if (replay_seen(nz, ri, now)) {
		nz->c.replayed++;
		return refuse(nz, r, RC_REFUSED, "a replay of a NOTIFY "
		    "already accepted");
	}
	return 0;
}

/* accept_notify(nz, r, ri, now): the line on stdout, the answer. */
static int
accept_notify(struct nz *nz, struct nz_req *r,
    const struct tsig_reqinfo *ri, time_t now)
{
	char serial[16];

	soa_serial(r, serial, sizeof(serial));
	if (ri->mac_len > 0)
		replay_add(nz, ri, now);
	nz->c.accepted++;
	log_debug(1, "NOTIFY %s from %s: accepted, serial %s%s",
	    r->zone->text, r->src->text, serial,
	    ri->mac_len > 0 ? " (TSIG verified)" : "");
	if (printf("%s %s\n", r->zone->text, serial) < 0 ||
	    fflush(stdout) == EOF)
		nz->out_closed = 1;
	answer(r, RC_NOERROR, 1);
	if (ri->mac_len > 0 && tsig_response_sign(&r->zone->key, ri, 0, now,
	    r->out, &r->outlen, NZ_MSG_MAX) == -1)
		answer(r, RC_NOERROR, 1);
	return 1;
}

/*
 * verdict(nz, src, p, len, out, &outlen): the checks in order.  Returns
 * 1 with the answer in OUT, or 0 to drop the request (counted).
 */
static int
verdict(struct nz *nz, const struct nz_addr *src, const uint8_t *p,
    size_t len, uint8_t *out, size_t *outlen)
{
	struct nz_req r;
	struct tsig_reqinfo ri;
	char err[200];
	time_t now = time(NULL);
	size_t i;
	int rc;

	memset(&r, 0, sizeof(r));
	r.src = src;
	r.p = p;
	r.len = len;
	r.out = out;
	nz->c.received++;
	if (!rl_allow(nz, src, net_now())) {
		nz->c.ratelimited++;
		nz->c.dropped++;
		return 0;
	}
	if (len < WIRE_HDR || (wire_get16(p + 2) & WIRE_F_QR)) {
		nz->c.dropped++;	/* not a request: never answered */
		return 0;
	}
	if (wire_msg_parse(&r.m, p, len, err, sizeof(err)) == -1)
		rc = refuse(nz, &r, RC_FORMERR, err);
	else if (WIRE_OPCODE(r.m.flags) != OP_NOTIFY)
		rc = refuse(nz, &r, RC_REFUSED, "not a NOTIFY");
	else if (question(&r) == -1 || r.qtype != T_SOA || r.qclass != C_IN)
		rc = refuse(nz, &r, RC_FORMERR, "the question is not one "
		    "SOA IN");
	else {
		for (i = 0; i < nz->zones.n; i++)
			if (wire_name_eq(nz->zones.z[i].name,
			    nz->zones.z[i].nlen, r.qname, r.qlen))
				r.zone = &nz->zones.z[i];
		if (r.zone == NULL)
			rc = refuse(nz, &r, RC_REFUSED, "zone not configured");
		else if (!addr_eq(src, &r.zone->primary))
			rc = refuse(nz, &r, RC_REFUSED, "not from the zone's "
			    "primary");
		else if (check_tsig(nz, &r, now, &ri) == 0)
			rc = accept_notify(nz, &r, &ri, now);
		else
			rc = 1;
	}
	*outlen = r.outlen;
	return rc;
}

/* ---- sockets ---- */

struct nz_conn {
	int fd;				/* -1: free */
	struct nz_addr src;
	uint8_t buf[2 + NZ_MSG_MAX];
	size_t got;
	double deadline;
};

/* peer_addr(sa, a): the source address; IPv4-mapped IPv6 as IPv4. */
static void
peer_addr(const struct sockaddr_storage *sa, struct nz_addr *a)
{
	static const uint8_t mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	    0xff, 0xff };

	memset(a, 0, sizeof(*a));
	if (sa->ss_family == AF_INET) {
		a->family = AF_INET;
		memcpy(a->a, &((const struct sockaddr_in *)sa)->sin_addr, 4);
	} else {
		const uint8_t *b = ((const struct sockaddr_in6 *)sa)->
		    sin6_addr.s6_addr;

		a->family = AF_INET6;
		memcpy(a->a, b, 16);
		if (memcmp(b, mapped, 12) == 0) {
			a->family = AF_INET;
			memmove(a->a, b + 12, 4);
		}
	}
	inet_ntop(a->family, a->a, a->text, sizeof(a->text));
}

/* open_sockets(srv, &udp, &tcp): bound, non-blocking.  0 or -1. */
static int
open_sockets(const struct zxfr_server *srv, int *udp, int *tcp)
{
	int one = 1;

	*udp = socket(srv->sa.ss_family, SOCK_DGRAM | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, 0);
	*tcp = socket(srv->sa.ss_family, SOCK_STREAM | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, 0);
	if (*udp == -1 || *tcp == -1) {
		log_errno("cannot create a socket");
		return -1;
	}
	(void)setsockopt(*tcp, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(*udp, (const struct sockaddr *)&srv->sa, srv->salen) == -1 ||
	    bind(*tcp, (const struct sockaddr *)&srv->sa, srv->salen) == -1 ||
	    listen(*tcp, NZ_TCP_MAX) == -1) {
		log_errno("cannot listen on %s port %d", srv->addr_text,
		    srv->port);
		return -1;
	}
	return 0;
}

static void
udp_serve(struct nz *nz, int fd, uint8_t *in, uint8_t *out)
{
	struct sockaddr_storage sa;
	struct nz_addr src;
	socklen_t sl;
	size_t outlen;
	ssize_t n;
	int i;

	for (i = 0; i < 64; i++) {	/* a few at a time: TCP gets a turn */
		sl = sizeof(sa);
		n = recvfrom(fd, in, NZ_MSG_MAX + 1, MSG_TRUNC,
		    (struct sockaddr *)&sa, &sl);
		if (n == -1)
			return;
		peer_addr(&sa, &src);
		if (n > NZ_MSG_MAX) {
			nz->c.received++;
			nz->c.dropped++;
			continue;
		}
		if (verdict(nz, &src, in, (size_t)n, out, &outlen))
			(void)sendto(fd, out, outlen, MSG_DONTWAIT,
			    (struct sockaddr *)&sa, sl);
	}
}

static void
conn_close(struct nz_conn *c)
{
	if (c->fd != -1)
		close(c->fd);
	c->fd = -1;
	c->got = 0;
}

static void
tcp_accept(struct nz *nz, int lfd, struct nz_conn *conns)
{
	struct sockaddr_storage sa;
	socklen_t sl = sizeof(sa);
	int fd, i;

	if ((fd = accept4(lfd, (struct sockaddr *)&sa, &sl, SOCK_NONBLOCK |
	    SOCK_CLOEXEC)) == -1)
		return;
	for (i = 0; i < NZ_TCP_MAX; i++)
		if (conns[i].fd == -1)
			break;
	if (i == NZ_TCP_MAX) {
		nz->c.dropped++;	/* too many: closed at once */
		close(fd);
		return;
	}
	nz->c.tcp++;
	conns[i].fd = fd;
	conns[i].got = 0;
	conns[i].deadline = net_now() + NZ_TCP_IDLE;
	peer_addr(&sa, &conns[i].src);
}

/* tcp_serve(nz, c, out): read what is there; answer whole requests. */
static void
tcp_serve(struct nz *nz, struct nz_conn *c, uint8_t *out)
{
	size_t need, outlen;
	ssize_t n;

	for (;;) {
		need = c->got < 2 ? 2 : 2 + (size_t)wire_get16(c->buf);
		n = recv(c->fd, c->buf + c->got, need - c->got, 0);
		if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		if (n <= 0) {
			conn_close(c);
			return;
		}
		c->got += (size_t)n;
		if (c->got == 2 && wire_get16(c->buf) > NZ_MSG_MAX) {
			nz->c.received++;
			nz->c.dropped++;
			conn_close(c);
			return;
		}
		if (c->got < 2 || c->got < 2 + (size_t)wire_get16(c->buf))
			continue;
		if (!verdict(nz, &c->src, c->buf + 2, c->got - 2, out + 2,
		    &outlen) ||
		    (wire_put16(out, (uint16_t)outlen),
		    send(c->fd, out, outlen + 2, MSG_NOSIGNAL | MSG_DONTWAIT) !=
		    (ssize_t)(outlen + 2))) {
			conn_close(c);
			return;
		}
		c->got = 0;
		c->deadline = net_now() + NZ_TCP_IDLE;
	}
}

/* ---- loop ---- */

static volatile sig_atomic_t nz_stop, nz_reload;

static void
on_signal(int sig)
{
	if (sig == SIGHUP)
		nz_reload = 1;
	else
		nz_stop = 1;
}

/* signals_setup(&old): handlers; TERM, INT and HUP blocked except inside
 * ppoll(), so none is lost between a check and the wait. */
static void
signals_setup(sigset_t *waitmask)
{
	struct sigaction sa;
	sigset_t block;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGHUP);
	sigprocmask(SIG_BLOCK, &block, waitmask);
	sigdelset(waitmask, SIGTERM);
	sigdelset(waitmask, SIGINT);
	sigdelset(waitmask, SIGHUP);
}

static void
reload(struct nz *nz)
{
	struct nz_set fresh;
	long n;

	nz_reload = 0;
	n = zones_load(nz->o->zones_file, &fresh);
	if (n <= 0) {
		log_msg("%s: no usable zone line; keeping the %zu zone(s) "
		    "read before", nz->o->zones_file, nz->zones.n);
		nz_set_free(&fresh);
		return;
	}
	nz_set_free(&nz->zones);
	nz->zones = fresh;
	log_msg("%s re-read: %ld zone(s)", nz->o->zones_file, n);
}

/* stdout_watched(): stdout is a pipe or socket, whose reader's going
 * away poll() reports (a file or terminal never goes away). */
static int
stdout_watched(void)
{
	struct stat st;

	return fstat(1, &st) == 0 && (S_ISFIFO(st.st_mode) ||
	    S_ISSOCK(st.st_mode));
}

/* fill_poll(pf, ...): the poll set: UDP, TCP listener, stdout, the
 * connections (MAP: poll entry -> connection).  The entries used. */
static nfds_t
fill_poll(struct pollfd *pf, int udp, int tcp, int watch_out,
    const struct nz_conn *conns, int *map)
{
	nfds_t n = 0;
	int i;

	pf[n].fd = udp;
	pf[n++].events = POLLIN;
	pf[n].fd = tcp;
	pf[n++].events = POLLIN;
	pf[n].fd = watch_out ? 1 : -1;
	pf[n++].events = 0;
	for (i = 0; i < NZ_TCP_MAX; i++) {
		if (conns[i].fd == -1)
			continue;
		map[n] = i;
		pf[n].fd = conns[i].fd;
		pf[n++].events = POLLIN;
	}
	for (i = 0; i < (int)n; i++)
		pf[i].revents = 0;
	return n;
}

/* serve(nz, udp, tcp): the loop.  EXIT_OK on a signal, EXIT_BADINPUT
 * when stdout is gone. */
static int
serve(struct nz *nz, int udp, int tcp, uint8_t *in, uint8_t *out)
{
	struct pollfd pf[3 + NZ_TCP_MAX];
	int map[3 + NZ_TCP_MAX], watch_out = stdout_watched(), i;
	struct nz_conn conns[NZ_TCP_MAX];
	struct timespec ts = { 1, 0 };
	sigset_t waitmask;
	nfds_t n, k;
	double now;

	for (i = 0; i < NZ_TCP_MAX; i++)
		conns[i].fd = -1;
	signals_setup(&waitmask);
	while (!nz_stop && !nz->out_closed) {
		if (nz_reload)
			reload(nz);
		n = fill_poll(pf, udp, tcp, watch_out, conns, map);
		if (ppoll(pf, n, &ts, &waitmask) == -1 && errno != EINTR) {
			log_errno("poll");
			break;
		}
		if (pf[2].revents & (POLLERR | POLLHUP))
			nz->out_closed = 1;
		if (pf[0].revents & POLLIN)
			udp_serve(nz, udp, in, out);
		for (k = 3; k < n; k++)
			if (pf[k].revents != 0)
				tcp_serve(nz, &conns[map[k]], out);
		if (pf[1].revents & POLLIN)
			tcp_accept(nz, tcp, conns);
		now = net_now();
		for (i = 0; i < NZ_TCP_MAX; i++)
			if (conns[i].fd != -1 && now > conns[i].deadline)
				conn_close(&conns[i]);
	}
	for (i = 0; i < NZ_TCP_MAX; i++)
		conn_close(&conns[i]);
	if (nz->out_closed)
		log_msg("stdout is closed (the reader is gone); stopping");
	return nz->out_closed ? EXIT_BADINPUT : EXIT_OK;
}

static void
counts_out(struct nz *nz, int rc)
{
	const struct nz_counts *c = &nz->c;
	struct stats *sts = &nz->sts;

	log_debug(1, "NOTIFY: %llu received, %llu accepted, %llu refused "
	    "(%llu replays), %llu notauth, %llu formerr, %llu dropped "
	    "(%llu rate-limited), %llu TCP connections", c->received,
	    c->accepted, c->refused, c->replayed, c->notauth, c->formerr,
	    c->dropped, c->ratelimited, c->tcp);
	if (nz->o->stats == NULL)
		return;
	stats_set(sts, "notify_received", c->received);
	stats_set(sts, "notify_accepted", c->accepted);
	stats_set(sts, "notify_refused", c->refused);
	stats_set(sts, "notify_replayed", c->replayed);
	stats_set(sts, "notify_notauth", c->notauth);
	stats_set(sts, "notify_formerr", c->formerr);
	stats_set(sts, "notify_dropped", c->dropped);
	stats_set(sts, "notify_ratelimited", c->ratelimited);
	stats_set(sts, "notify_tcp", c->tcp);
	stats_set(sts, "zones", nz->zones.n);
	(void)stats_write(sts, nz->o->stats, rc);
}

int
notify_listen(const struct notify_opts *o)
{
	struct nz_addr la;
	struct zxfr_server srv;
	struct nz *nz;
	uint8_t *in = NULL, *out = NULL;
	int port, udp = -1, tcp = -1, rc = EXIT_BADINPUT;

	if (addr_parse(o->listen, &la, &port) == -1 || port == -1 ||
	    net_server(la.text, port, &srv) == -1) {
		log_msg("bad --listen '%s': give a.b.c.d:PORT or [v6]:PORT",
		    o->listen);
		return EXIT_USAGE;
	}
	if ((nz = calloc(1, sizeof(*nz))) == NULL ||
	    (nz->seen = calloc(NZ_REPLAY_MAX, sizeof(*nz->seen))) == NULL ||
	    (in = malloc(NZ_MSG_MAX + 1)) == NULL ||
	    (out = malloc(NZ_MSG_MAX + 2)) == NULL) {
		log_msg("out of memory");
		goto out;
	}
	nz->o = o;
	stats_init(&nz->sts, "zxfr");
	if (zones_load(o->zones_file, &nz->zones) <= 0) {
		log_msg("%s: no usable zone line", o->zones_file);
		rc = EXIT_USAGE;
		goto out;
	}
	if (open_sockets(&srv, &udp, &tcp) == -1)
		goto out;
	log_debug(1, "listening for NOTIFY on %s port %d (UDP and TCP), %zu "
	    "zone(s)", srv.addr_text, srv.port, nz->zones.n);
	rc = serve(nz, udp, tcp, in, out);
out:
	if (nz != NULL && nz->o != NULL)
		counts_out(nz, rc);	/* a failed start too (SPEC 8) */
	if (udp != -1)
		close(udp);
	if (tcp != -1)
		close(tcp);
	if (nz != NULL) {
		nz_set_free(&nz->zones);
		free(nz->seen);
	}
	free(nz);
	free(in);
	free(out);
	return rc;
}

/*
 * ixfr.c: the IXFR sink (RFC 1995) beside axfr.c, and what it needs:
 *
 *   base_*    the base stream (the last one written, --ixfr-from) read
 *             through stream.c into one buffer of lines; stream order is
 *             key order, so an RRset is found by binary search
 *   tset_*    the RRsets the answer touches, in a hash table by key:
 *             each starts as the base's RRset and takes the deletions
 *             and additions in the order they arrive
 *   ixfr_rr   the sink: the SOA markers (new SOA, then per sequence the
 *             old SOA, deletions, the new SOA, additions; the new SOA
 *             again at the end) checked as a chain from the base's serial
 *   ixfr_write  the new version: the base lines merged with the rebuilt
 *             touched RRsets, through the same writer as AXFR's output
 *             (rrset_format sorts and dedups RDATA as zonebuf does)
 *
 * Whenever the answer cannot be used as differences from the base (a
 * full zone, a refusal, a chain that does not join, a record that does
 * not apply exactly), the sink stops the transfer and leaves the reason
 * in ix->why; main.c then runs an AXFR.  A damaged answer (truncated,
 * bad TSIG, malformed) is reported by xfr.c as for AXFR: no fallback.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <ldns/ldns.h>

#include "exitcodes.h"
#include "log.h"
#include "stream.h"
#include "zxfr.h"

enum ix_state { IX_FIRST, IX_SECOND, IX_DEL, IX_ADD };

struct base_line {
	size_t off, len, klen;
};

/* One touched RRset: "OWNER TAB TYPE" and its records now. */
struct tset {
	char *key;
	size_t klen, olen;		/* key[olen] is the TAB */
	long base;			/* index of the base line, or -1 */
	long ttl;
	char **rd;
	size_t n, cap;
	char *line;			/* the new line (ixfr_build); NULL
					 * when the RRset is gone */
	size_t llen;
};

struct ixfr {
	const struct xfr_req *req;
	struct axfr conv;		/* canonical text of records */
	const char *path;
	char *buf;			/* base lines, LF-less, back to back */
	size_t blen, bcap;
	struct base_line *lines;
	size_t n, lcap;
	uint32_t base_serial;
	uint8_t *soa_wire;		/* the base's SOA for the query */
	size_t soa_len;
	struct tset **tab;		/* hash table, tcap a power of 2 */
	size_t tcap, tn;
	struct tset **sorted;		/* ixfr_build: by key */
	struct rrset prr;		/* parser state for base lines */
	enum ix_state state;
	uint32_t new_serial, seq_from, seq_to;
	int uptodate, failed;
	unsigned long seqs, dels, adds, out_rrsets;
	char why[600];
};

/* ---- the base ---- */

static int
key_cmp(const char *a, size_t alen, const char *b, size_t blen)
{
	int c = memcmp(a, b, alen < blen ? alen : blen);

	return c != 0 ? c : alen < blen ? -1 : alen > blen;
}

static int
base_push(struct ixfr *ix, const struct rrset *rr)
{
	if (ix->blen + rr->len > ix->bcap) {
		size_t cap = ix->bcap ? ix->bcap : 1 << 20;
		char *nb;

		while (cap < ix->blen + rr->len)
			cap *= 2;
		if ((nb = realloc(ix->buf, cap)) == NULL)
			return -1;
		ix->buf = nb;
		ix->bcap = cap;
	}
	if (ix->n == ix->lcap) {
		size_t cap = ix->lcap ? ix->lcap * 2 : 4096;
		struct base_line *nl = realloc(ix->lines, cap * sizeof(*nl));

		if (nl == NULL)
			return -1;
		ix->lines = nl;
		ix->lcap = cap;
	}
	memcpy(ix->buf + ix->blen, rr->line, rr->len);
	ix->lines[ix->n].off = ix->blen;
	ix->lines[ix->n].len = rr->len;
	ix->lines[ix->n].klen = rr->key_len;
	ix->n++;
	ix->blen += rr->len;
	return 0;
}

/* base_find(ix, key, klen): index of the base line with KEY, or -1. */
static long
base_find(const struct ixfr *ix, const char *key, size_t klen)
{
	size_t lo = 0, hi = ix->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct base_line *l = &ix->lines[mid];
		int c = key_cmp(ix->buf + l->off, l->klen, key, klen);

		if (c == 0)
			return (long)mid;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

/* The query's authority SOA from the base's SOA line; checks its serial
 * against the #serial header. */
static int
base_soa(struct ixfr *ix)
{
	const char *zone = ix->req->zone_text;
	char key[1100], *text = NULL;
	ldns_rr *rr = NULL;
	long i;
	int rc = -1;

	snprintf(key, sizeof(key), "%s\tSOA", zone);
	if ((i = base_find(ix, key, strlen(key))) < 0) {
		log_msg("%s: no SOA RRset for %s", ix->path, zone);
		return -1;
	}
	/* "OWNER TAB SOA TAB TTL TAB RDATA" as "OWNER TTL IN SOA RDATA" */
	if (rrset_parse(ix->buf + ix->lines[i].off, ix->lines[i].len,
	    &ix->prr, ix->path, 0) == -1 || ix->prr.nrdata != 1)
		goto bad;
	if ((text = malloc(ix->lines[i].len + 16)) == NULL)
		goto out;
	snprintf(text, ix->lines[i].len + 16, "%.*s %ld IN SOA %.*s",
	    (int)ix->prr.owner_len, ix->prr.owner, ix->prr.ttl,
	    (int)ix->prr.rdata_len[0], ix->prr.rdata[0]);
	if (ldns_rr_new_frm_str(&rr, text, 0, NULL, NULL) != LDNS_STATUS_OK ||
	    ldns_rr_rd_count(rr) != 7 ||
	    ldns_rr2wire(&ix->soa_wire, rr, LDNS_SECTION_AUTHORITY,
	    &ix->soa_len) != LDNS_STATUS_OK)
		goto bad;
	if (ldns_rdf2native_int32(ldns_rr_rdf(rr, 2)) != ix->base_serial) {
		log_msg("%s: the #serial header (%lu) is not the serial of "
		    "its SOA record", ix->path, (unsigned long)ix->base_serial);
		goto out;
	}
	rc = 0;
	goto out;
bad:
	log_msg("%s: the SOA RRset of %s is not one SOA record", ix->path,
	    zone);
out:
	ldns_rr_free(rr);
	free(text);
	return rc;
}

/* The #origin and #serial headers: our zone, a serial. */
static int
base_header(struct ixfr *ix, struct strm_reader *r)
{
	const char *origin = strm_header(r, "origin");
	const char *serial = strm_header(r, "serial");

	if (strcmp(origin, ix->req->zone_text) != 0) {
		log_msg("%s: a stream of %s, not of %s", ix->path, origin,
		    ix->req->zone_text);
		return -1;
	}
	if (serial == NULL) {
		log_msg("%s: no #serial header: not a stream zxfr wrote",
		    ix->path);
		return -1;
	}
	ix->base_serial = (uint32_t)strtoul(serial, NULL, 10);
	return 0;
}

/* Room for the whole file at once: no copying while the buffer grows
 * (a 1,000,000-record base is about 50 MB). */
static void
base_reserve(struct ixfr *ix, const char *path)
{
	struct stat sb;

	if (stat(path, &sb) == -1 || !S_ISREG(sb.st_mode) || sb.st_size <= 0)
		return;
	if ((ix->buf = malloc((size_t)sb.st_size)) != NULL)
		ix->bcap = (size_t)sb.st_size;
	ix->lcap = (size_t)sb.st_size / 32 + 16;
	if ((ix->lines = malloc(ix->lcap * sizeof(*ix->lines))) == NULL)
		ix->lcap = 0;
}

int
ixfr_load_base(struct ixfr *ix, const char *path)
{
	struct strm_reader *r;
	const struct rrset *rr;
	enum strm_status s;
	int rc = -1;

	ix->path = path;
	if ((r = strm_open(path, STRM_RRSET)) == NULL)
		return EXIT_BADINPUT;
	if (base_header(ix, r) == -1)
		goto out;
	base_reserve(ix, path);
	while ((s = strm_next(r, &rr)) == STRM_OK) {
		if (rr->setid != NULL || rr->r53 != NULL || rr->raw != NULL ||
		    rr->ttl < 0) {
			log_msg("%s:%lu: a Route 53 RRset: not a stream zxfr "
			    "wrote", path, strm_lineno(r));
			goto out;
		}
		if (base_push(ix, rr) == -1) {
			log_msg("out of memory");
			goto out;
		}
	}
	if (s == STRM_END)
		rc = base_soa(ix);
out:
	strm_close(r);
	return rc == 0 ? EXIT_OK : EXIT_BADINPUT;
}

/* ---- touched RRsets ---- */

static uint64_t
hash(const char *s, size_t n)
{
	uint64_t h = 14695981039346656037ULL;

	while (n-- > 0)
		h = (h ^ (unsigned char)*s++) * 1099511628211ULL;
	return h;
}

static int
tab_grow(struct ixfr *ix)
{
	size_t cap = ix->tcap ? ix->tcap * 2 : 1024, i;
	struct tset **nt = calloc(cap, sizeof(*nt));

	if (nt == NULL)
		return -1;
	for (i = 0; i < ix->tcap; i++) {
		struct tset *t = ix->tab[i];
		size_t h;

		if (t == NULL)
			continue;
		h = hash(t->key, t->klen) & (cap - 1);
		while (nt[h] != NULL)
			h = (h + 1) & (cap - 1);
		nt[h] = t;
	}
	free(ix->tab);
	ix->tab = nt;
	ix->tcap = cap;
	return 0;
}

static int
tset_push(struct tset *t, const char *rd, size_t len)
{
	if (t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 4;
		char **nr = realloc(t->rd, cap * sizeof(*nr));

		if (nr == NULL)
			return -1;
		t->rd = nr;
		t->cap = cap;
	}
	if ((t->rd[t->n] = strndup(rd, len)) == NULL)
		return -1;
	t->n++;
	return 0;
}

static void
tset_free(struct tset *t)
{
	while (t->n > 0)
		free(t->rd[--t->n]);
	free(t->rd);
	free(t->key);
	free(t->line);
	free(t);
}

/* A new touched RRset: the base's records of KEY, if any. */
static struct tset *
tset_new(struct ixfr *ix, const char *key, size_t klen, size_t olen)
{
	struct tset *t = calloc(1, sizeof(*t));
	const struct base_line *l;
	size_t i;

	if (t == NULL || (t->key = strndup(key, klen)) == NULL)
		goto fail;
	t->klen = klen;
	t->olen = olen;
	if ((t->base = base_find(ix, key, klen)) < 0)
		return t;
	l = &ix->lines[t->base];
	if (rrset_parse(ix->buf + l->off, l->len, &ix->prr, ix->path,
	    0) == -1)
		goto fail;
	t->ttl = ix->prr.ttl;
	for (i = 0; i < ix->prr.nrdata; i++)
		if (tset_push(t, ix->prr.rdata[i], ix->prr.rdata_len[i]) == -1)
			goto fail;
	return t;
fail:
	if (t != NULL)
		tset_free(t);
	return NULL;
}

/* tset_get(ix, r): the touched RRset of record R, made on first use. */
static struct tset *
tset_get(struct ixfr *ix, const struct axfr_rec *r)
{
	char key[1100];
	size_t olen = strlen(r->otext), klen, h;
	struct tset *t;

	klen = (size_t)snprintf(key, sizeof(key), "%s\t%s", r->otext,
	    r->type);
	if ((ix->tn + 1) * 2 > ix->tcap && tab_grow(ix) == -1)
		return NULL;
	h = hash(key, klen) & (ix->tcap - 1);
	for (; (t = ix->tab[h]) != NULL; h = (h + 1) & (ix->tcap - 1))
		if (t->klen == klen && memcmp(t->key, key, klen) == 0)
			return t;
	if ((t = tset_new(ix, key, klen, olen)) == NULL)
		return NULL;
	ix->tab[h] = t;
	ix->tn++;
	return t;
}

/* ---- the sink ---- */

static enum xfr_sink_ret
fallback(struct ixfr *ix, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static enum xfr_sink_ret
fallback(struct ixfr *ix, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(ix->why, sizeof(ix->why), fmt, ap);
	va_end(ap);
	return XFR_ABORT;
}

static long
rd_find(const struct tset *t, const char *rd)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		if (strcmp(t->rd[i], rd) == 0)
			return (long)i;
	return -1;
}

/* One deletion or addition, which must apply exactly. */
static enum xfr_sink_ret
apply(struct ixfr *ix, const struct axfr_rec *r)
{
	struct tset *t = tset_get(ix, r);
	long i;

	if (t == NULL) {
		log_msg("out of memory");
		ix->failed = 1;
		return XFR_ABORT;
	}
	i = rd_find(t, r->rdata);
	if (ix->state == IX_DEL) {
		if (i < 0)
			return fallback(ix, "the differences from serial %u "
			    "delete %s %s %s, which the base does not hold",
			    ix->seq_from, r->otext, r->type, r->rdata);
		free(t->rd[i]);
		t->rd[i] = t->rd[--t->n];
		ix->dels++;
		return XFR_MORE;
	}
	if (i >= 0)
		return fallback(ix, "the differences from serial %u to %u add "
		    "%s %s %s, which the base already holds", ix->seq_from,
		    ix->seq_to, r->otext, r->type, r->rdata);
	/* records of one RRset with different TTLs: the lowest (as
	 * zonebuf does for AXFR, RFC 2181 5.2) */
	if (t->n == 0 || r->ttl < t->ttl)
		t->ttl = r->ttl;
	if (tset_push(t, r->rdata, strlen(r->rdata)) == -1) {
		log_msg("out of memory");
		ix->failed = 1;
		return XFR_ABORT;
	}
	ix->adds++;
	return XFR_MORE;
}

/* RFC 1982: A <= B. */
static int
serial_le(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b) <= 0;
}

/* An SOA of the zone in the middle: where a sequence starts or ends. */
static enum xfr_sink_ret
soa_marker(struct ixfr *ix, const struct axfr_rec *r, int *done)
{
	switch (ix->state) {
	case IX_FIRST:
		ix->new_serial = r->serial;
		if (serial_le(r->serial, ix->base_serial)) {
			ix->uptodate = 1;
			*done = 1;
		}
		ix->state = IX_SECOND;
		return XFR_MORE;
	case IX_SECOND:
		if (r->serial != ix->base_serial)
			return fallback(ix, "the differences start at serial "
			    "%u, not at the base's serial %u", r->serial,
			    ix->base_serial);
		ix->seq_from = r->serial;
		ix->seqs = 1;
		ix->state = IX_DEL;
		return XFR_MORE;
	case IX_DEL:
		ix->seq_to = r->serial;
		ix->state = IX_ADD;
		return XFR_MORE;
	case IX_ADD:
		if (r->serial == ix->seq_to && r->serial == ix->new_serial) {
			*done = 1;
			return XFR_MORE;
		}
		if (r->serial == ix->new_serial)
			return fallback(ix, "the differences end at serial %u, "
			    "not at the server's serial %u", ix->seq_to,
			    ix->new_serial);
		if (r->serial != ix->seq_to)
			return fallback(ix, "the differences end at serial %u "
			    "but go on from serial %u", ix->seq_to, r->serial);
		ix->seq_from = r->serial;
		ix->seqs++;
		ix->state = IX_DEL;
		return XFR_MORE;
	}
	return XFR_ABORT;
}

static enum xfr_sink_ret
ixfr_rr(void *arg, const struct wire_msg *m, const struct wire_rr *rr,
    const struct xfr_stats *st)
{
	struct ixfr *ix = arg;
	struct axfr_rec r;
	enum xfr_sink_ret sr;
	int done = 0;

	(void)st;
	if (axfr_record(&ix->conv, m, rr, &r) == -1)
		return XFR_ABORT;
	if (ix->state == IX_FIRST && !r.is_soa) {
		xfr_fail(ix->req, "the IXFR answer does not begin with the "
		    "zone's SOA (first record: %s %s)", r.otext, r.type);
		return XFR_ABORT;
	}
	if (ix->state == IX_SECOND && !r.is_soa)
		return fallback(ix, "the server sent the whole zone (serial "
		    "%u), not the differences from serial %u",
		    ix->new_serial, ix->base_serial);
	if (r.is_soa && (sr = soa_marker(ix, &r, &done)) != XFR_MORE)
		return sr;
	ix->conv.records++;
	if (done)
		return XFR_DONE;
	if (ix->state == IX_SECOND)
		return XFR_MORE;	/* the first SOA is no change */
	if (axfr_record_data(&ix->conv, m, rr, &r) == -1)
		return XFR_ABORT;
	return apply(ix, &r);
}

static void
ixfr_where(void *arg, char *buf, size_t sz)
{
	const struct ixfr *ix = arg;

	if (ix->state == IX_FIRST)
		snprintf(buf, sz, "before the first record");
	else if (ix->state == IX_SECOND)
		snprintf(buf, sz, "after the first SOA");
	else
		snprintf(buf, sz, "after %lu records, in difference sequence "
		    "%lu (from serial %u)", ix->conv.records, ix->seqs,
		    ix->seq_from);
}

/* A refusal of IXFR itself on the first message: AXFR instead. */
static int
ixfr_rcode(void *arg, const struct wire_msg *m, unsigned long msgno)
{
	struct ixfr *ix = arg;
	char rb[16];

	if (msgno != 1 || (m->rcode != 1 && m->rcode != 4 && m->rcode != 5))
		return 0;
	fallback(ix, "the server answered IXFR with %s",
	    wire_rcode_name(m->rcode, rb, sizeof(rb)));
	return 1;
}

/* ---- the whole ---- */

struct ixfr *
ixfr_new(const struct xfr_req *req)
{
	struct ixfr *ix = calloc(1, sizeof(*ix));

	if (ix == NULL) {
		log_msg("out of memory");
		return NULL;
	}
	ix->req = req;
	if (axfr_init(&ix->conv, req) == -1) {
		ixfr_free(ix);
		return NULL;
	}
	return ix;
}

void
ixfr_free(struct ixfr *ix)
{
	size_t i;

	if (ix == NULL)
		return;
	for (i = 0; i < ix->tcap; i++)
		if (ix->tab[i] != NULL)
			tset_free(ix->tab[i]);
	free(ix->tab);
	free(ix->sorted);
	free(ix->buf);
	free(ix->lines);
	free(ix->soa_wire);
	rrset_free_arrays(&ix->prr);
	axfr_free(&ix->conv);
	free(ix);
}

static int
tset_cmp(const void *a, const void *b)
{
	const struct tset *x = *(struct tset *const *)a;
	const struct tset *y = *(struct tset *const *)b;

	return key_cmp(x->key, x->klen, y->key, y->klen);
}

/* The touched RRsets in key order, each with its new line. */
static int
ixfr_build(struct ixfr *ix)
{
	size_t i, k = 0;

	if ((ix->sorted = calloc(ix->tn + 1, sizeof(*ix->sorted))) == NULL)
		return -1;
	for (i = 0; i < ix->tcap; i++)
		if (ix->tab[i] != NULL)
			ix->sorted[k++] = ix->tab[i];
	qsort(ix->sorted, k, sizeof(*ix->sorted), tset_cmp);
	ix->out_rrsets = ix->n;
	for (i = 0; i < k; i++) {
		struct tset *t = ix->sorted[i];
		int rc;

		if (t->n == 0) {
			ix->out_rrsets -= t->base >= 0;
			continue;
		}
		ix->out_rrsets += t->base < 0;
		t->key[t->olen] = '\0';
		rc = rrset_format(t->key, t->key + t->olen + 1, NULL, t->ttl,
		    t->rd, t->n, NULL, NULL, &t->line, &t->llen);
		t->key[t->olen] = '\t';
		if (rc == -1)
			return -1;
	}
	return 0;
}

/* apex_count(ix, type): records of the apex RRset TYPE in the new
 * version (a touched one as it is now, else the base's: 0 or "some"). */
static size_t
apex_count(const struct ixfr *ix, const char *type)
{
	char key[1100];
	size_t klen, h;
	const struct tset *t;

	klen = (size_t)snprintf(key, sizeof(key), "%s\t%s",
	    ix->req->zone_text, type);
	for (h = ix->tcap ? hash(key, klen) & (ix->tcap - 1) : 0;
	    ix->tcap > 0 && (t = ix->tab[h]) != NULL;
	    h = (h + 1) & (ix->tcap - 1))
		if (t->klen == klen && memcmp(t->key, key, klen) == 0)
			return t->n;
	return base_find(ix, key, klen) >= 0;
}

/* What AXFR's sink refuses, refused here too: the new version must keep
 * one SOA and an NS RRset at the apex. */
static int
ixfr_complete(const struct ixfr *ix)
{
	size_t n = apex_count(ix, "SOA");

	if (n != 1) {
		xfr_fail(ix->req, "the differences leave %lu SOA records",
		    (unsigned long)n);
		return -1;
	}
	if (apex_count(ix, "NS") == 0) {
		xfr_fail(ix->req, "no NS records at the zone apex: not a "
		    "complete zone");
		return -1;
	}
	return 0;
}

int
ixfr_transfer(struct ixfr *ix, struct xfr_req *req)
{
	struct xfr_sink sink;
	struct xfr_stats st;
	int rc;

	sink.rr = ixfr_rr;
	sink.where = ixfr_where;
	sink.rcode = ixfr_rcode;
	sink.arg = ix;
	req->qtype = LDNS_RR_TYPE_IXFR;
	req->extra_rr = ix->soa_wire;
	req->extra_len = ix->soa_len;
	rc = xfr_run(req, &sink, &st);
	req->qtype = LDNS_RR_TYPE_AXFR;
	req->extra_rr = NULL;
	req->extra_len = 0;
	if (rc != EXIT_OK && ix->failed)
		return EXIT_BADINPUT;
	if (rc == EXIT_OK && ixfr_build(ix) == -1)
		return EXIT_BADINPUT;
	if (rc == EXIT_OK && ixfr_complete(ix) == -1)
		return EXIT_REMOTE;
	if (rc == EXIT_OK)
		log_debug(1, "%s: IXFR from serial %lu to %lu: %lu sequences, "
		    "%lu deletions, %lu additions, %lu RRsets touched",
		    req->zone_text, (unsigned long)ix->base_serial,
		    (unsigned long)ixfr_serial(ix), ix->seqs, ix->dels,
		    ix->adds, (unsigned long)ix->tn);
	return rc;
}

const char *
ixfr_fallback(const struct ixfr *ix)
{
	return ix->why[0] != '\0' ? ix->why : NULL;
}

uint32_t
ixfr_base_serial(const struct ixfr *ix)
{
	return ix->base_serial;
}

uint32_t
ixfr_serial(const struct ixfr *ix)
{
	return ix->uptodate ? ix->base_serial : ix->new_serial;
}

int
ixfr_write(struct ixfr *ix, struct strm_writer *w, unsigned long *nrrsets)
{
	size_t i = 0, j = 0;
	unsigned long n = 0;

	while (i < ix->n || j < ix->tn) {
		const struct base_line *l = i < ix->n ? &ix->lines[i] : NULL;
		const struct tset *t = j < ix->tn ? ix->sorted[j] : NULL;
		int c = l == NULL ? 1 : t == NULL ? -1 :
		    key_cmp(ix->buf + l->off, l->klen, t->key, t->klen);

		if (c < 0) {
			if (strm_put_line(w, ix->buf + l->off, l->len) == -1)
				return -1;
			i++;
			n++;
			continue;
		}
		if (c == 0)
			i++;
		j++;
		if (t->line == NULL)
			continue;
		if (strm_put_line(w, t->line, t->llen) == -1)
			return -1;
		n++;
	}
	if (nrrsets != NULL)
		*nrrsets = n;
	return 0;
}

int
ixfr_write_log(const struct ixfr *ix, const char *path, const char *source,
    const char *producer)
{
	struct strm_writer *w;
	char buf[160];
	size_t j;

	if ((w = strm_create(path, STRM_CHANGE)) == NULL)
		return -1;
	if (strm_put_header(w, "origin", ix->req->zone_text) == -1 ||
	    strm_put_header(w, "producer", producer) == -1 ||
	    strm_put_header(w, "source", source) == -1)
		goto fail;
	snprintf(buf, sizeof(buf), "%lu", (unsigned long)ix->base_serial);
	if (strm_put_header(w, "current-serial", buf) == -1)
		goto fail;
	snprintf(buf, sizeof(buf), "%lu", (unsigned long)ixfr_serial(ix));
	if (strm_put_header(w, "desired-serial", buf) == -1)
		goto fail;
	for (j = 0; j < ix->tn; j++) {
		const struct tset *t = ix->sorted[j];
		const struct base_line *l = t->base >= 0 ?
		    &ix->lines[t->base] : NULL;
		const char *old = l != NULL ? ix->buf + l->off : NULL;

		if (old != NULL && t->line != NULL && l->len == t->llen &&
		    memcmp(old, t->line, t->llen) == 0)
			continue;
		if (old != NULL && strm_put_change(w, t->line != NULL ? '<' :
		    '-', old, l->len) == -1)
			goto fail;
		if (t->line != NULL && strm_put_change(w, old != NULL ? '>' :
		    '+', t->line, t->llen) == -1)
			goto fail;
	}
	snprintf(buf, sizeof(buf), "desired-rrsets=%lu current-rrsets=%lu "
	    "skipped=0", ix->out_rrsets, (unsigned long)ix->n);
	return strm_commit(w, buf);
fail:
	strm_abort(w);
	return -1;
}

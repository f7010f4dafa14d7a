/*
 * patch.c: rrdiff --patch CHANGES BASE: BASE with CHANGES applied, as an
 * RRset stream (format/SPEC.md section 5.5).
 *
 * mirror.sh keeps what Route 53 holds after an apply as the dump it
 * compared against patched with the changes Route 53 took, so that the
 * next run can diff against it without listing the hosted zone.  Hence
 * the patch is strict: CHANGES must have been computed against exactly
 * BASE (same origin, zone id and serial; every "-" and "<" line equal to
 * BASE's line byte for byte, no "+" on a key BASE holds).  The serial
 * becomes CHANGES' desired-serial, in the header and, unless CHANGES
 * itself changes it, in the apex SOA's RDATA: r53apply writes Route 53's
 * SOA with the source's serial, nothing else of it.
 *
 * A streaming merge like the diff: memory does not grow with the zone.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exitcodes.h"
#include "log.h"
#include "stream.h"
#include "patch.h"

struct patch {
	struct strm_reader *chg, *base;
	struct strm_writer *w;
	const char *producer;
	const char *serial;	/* desired-serial, or NULL */
	const char *origin;
	int failed;
	struct patch_counts *n;
};

/* same_header(p, key, ckey): BASE's KEY equals CHANGES' CKEY (both
 * absent counts as equal); else reported. */
static int
same_header(struct patch *p, const char *key, const char *ckey)
{
	const char *a = strm_header(p->base, key);
	const char *b = strm_header(p->chg, ckey);

	if ((a == NULL && b == NULL) ||
	    (a != NULL && b != NULL && strcmp(a, b) == 0))
		return 0;
	log_msg("%s was not computed against %s: its %s is %s, the base's "
	    "%s is %s", strm_name(p->chg), strm_name(p->base), ckey,
	    b != NULL ? b : "absent", key, a != NULL ? a : "absent");
	return -1;
}

static void
put_header(const char *key, const char *value, void *arg)
{
	struct patch *p = arg;

	if (strcmp(key, "producer") == 0)
		value = p->producer;
	else if (strcmp(key, "serial") == 0 && p->serial != NULL)
		value = p->serial;
	if (!p->failed && strm_put_header(p->w, key, value) == -1)
		p->failed = 1;
}

static int
write_header(struct patch *p)
{
	strm_header_each(p->base, put_header, p);
	if (p->failed)
		return -1;
	if (strm_header(p->base, "serial") == NULL && p->serial != NULL &&
	    strm_put_header(p->w, "serial", p->serial) == -1)
		return -1;
	return 0;
}

static int
is_apex_soa(const struct patch *p, const struct rrset *rr)
{
	return rr->type_len == 3 && memcmp(rr->type, "SOA", 3) == 0 &&
	    rr->setid == NULL && rr->owner_len == strlen(p->origin) &&
	    memcmp(rr->owner, p->origin, rr->owner_len) == 0;
}

/*
 * put_soa(p, rr): the apex SOA of BASE with the desired serial (the third
 * word of its one record).  An SOA with @raw or @r53 is refused: what
 * Route 53 stores after r53apply's UPSERT is then not known here.
 */
static int
put_soa(struct patch *p, const struct rrset *rr)
{
	const char *rd, *s, *e;
	size_t rl, cap;
	char *line;
	int w, len, rc;

	if (p->serial == NULL)
		return strm_put_line(p->w, rr->line, rr->len);
	if (rr->nrdata != 1 || rr->raw != NULL || rr->r53 != NULL) {
		log_at(strm_name(p->base), strm_lineno(p->base), "the apex "
		    "SOA is not one plain record: cannot write serial %s "
		    "into it", p->serial);
		return -1;
	}
	rd = rr->rdata[0];
	rl = rr->rdata_len[0];
	for (s = rd, w = 0; w < 2 && (s = memchr(s, ' ', rl - (s - rd))) != NULL;
	    w++)
		s++;
	if (s == NULL || (e = memchr(s, ' ', rl - (s - rd))) == NULL) {
		log_at(strm_name(p->base), strm_lineno(p->base), "rdata 1: "
		    "not an SOA record");
		return -1;
	}
	cap = rr->len + strlen(p->serial) + 1;
	if ((line = malloc(cap)) == NULL) {
		log_msg("out of memory");
		return -1;
	}
	len = snprintf(line, cap, "%.*s%s%.*s", (int)(s - rr->line),
	    rr->line, p->serial, (int)(rr->len - (e - rr->line)), e);
	rc = strm_put_line(p->w, line, (size_t)len);
	free(line);
	return rc;
}

/* put_base(p, rr): one RRset of BASE no change touches. */
static int
put_base(struct patch *p, const struct rrset *rr)
{
	if (is_apex_soa(p, rr))
		return put_soa(p, rr);
	return strm_put_line(p->w, rr->line, rr->len);
}

static int
same_line(const struct rrset *a, const struct rrset *b)
{
	return a->len == b->len && memcmp(a->line, b->line, a->len) == 0;
}

/*
 * put_change(p, ch, have): the change CH on BASE's RRset HAVE of the same
 * key (NULL when BASE has none): the new RRset, or nothing.
 */
static int
put_change(struct patch *p, const struct change *ch, const struct rrset *have)
{
	const struct rrset *rr = ch->old != NULL ? ch->old : ch->new;
	const char *why = NULL;

	if (ch->kind == CHANGE_ADD && have != NULL)
		why = "adds an RRset the base holds";
	else if (ch->kind != CHANGE_ADD && have == NULL)
		why = "changes an RRset the base lacks";
	else if (ch->kind != CHANGE_ADD && !same_line(ch->old, have))
		why = "changes an RRset the base holds otherwise";
	if (why != NULL) {
		log_at(strm_name(p->chg), strm_lineno(p->chg), "%.*s: %s",
		    (int)rr->key_len, rr->line, why);
		return -1;
	}
	if (ch->kind == CHANGE_DELETE) {
		p->n->deletes++;
		return 0;
	}
	if (ch->kind == CHANGE_ADD)
		p->n->adds++;
	else
		p->n->updates++;
	return strm_put_line(p->w, ch->new->line, ch->new->len);
}

/* merge(p): BASE and CHANGES, both in key order.  0 or -1. */
static int
merge(struct patch *p)
{
	const struct rrset *b = NULL;
	const struct change *ch = NULL;
	enum strm_status sb, sc;
	int c;

	sb = strm_next(p->base, &b);
	sc = strm_next_change(p->chg, &ch);
	while (sb == STRM_OK || sc == STRM_OK) {
		if (sc != STRM_OK)
			c = -1;
		else if (sb != STRM_OK)
			c = 1;
		else
			c = rrset_key_cmp(b, ch->old != NULL ? ch->old : ch->new);
		if (c < 0 && put_base(p, b) == -1)
			return -1;
		if (c >= 0 && put_change(p, ch, c == 0 ? b : NULL) == -1)
			return -1;
		if (c <= 0)
			sb = strm_next(p->base, &b);
		if (c >= 0)
			sc = strm_next_change(p->chg, &ch);
	}
	return sb == STRM_ERROR || sc == STRM_ERROR ? -1 : 0;
}

int
patch_run(const char *changes, const char *base, const char *out,
    const char *producer, struct patch_counts *counts)
{
	struct patch p;
	int rc = EXIT_BADINPUT;

	memset(&p, 0, sizeof(p));
	memset(counts, 0, sizeof(*counts));
	p.n = counts;
	p.producer = producer;
	if ((p.chg = strm_open(changes, STRM_CHANGE)) == NULL ||
	    (p.base = strm_open(base, STRM_RRSET)) == NULL)
		goto out;
	p.origin = strm_header(p.base, "origin");
	p.serial = strm_header(p.chg, "desired-serial");
	if (same_header(&p, "origin", "origin") == -1 ||
	    same_header(&p, "zone-id", "current-zone-id") == -1 ||
	    same_header(&p, "serial", "current-serial") == -1)
		goto out;
	if ((p.w = strm_create(out, STRM_RRSET)) == NULL ||
	    write_header(&p) == -1 || merge(&p) == -1)
		goto out;
	counts->base = strm_count(p.base);
	counts->written = strm_written(p.w);
	rc = strm_commit(p.w, NULL) == 0 ? EXIT_OK : EXIT_BADINPUT;
	p.w = NULL;
out:
	strm_abort(p.w);	/* trouble: no trailer */
	strm_close(p.chg);
	strm_close(p.base);
	return rc;
}

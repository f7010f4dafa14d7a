/*
 * axfr.c: the AXFR sink (RFC 5936): the zone assembly beside the
 * transfer loop of xfr.c.  The first record must be the zone's SOA, the
 * transfer ends at the next SOA of the zone, which must have the same
 * serial; every record in between becomes canonical text (names.h,
 * canon.h) and goes into a zonebuf, which groups, sorts and writes the
 * RRsets once the transfer is complete and verified.
 *
 * axfr_record() and axfr_record_data() turn one wire record into
 * canonical text; the IXFR sink (ixfr.c) uses them too, so both paths
 * write the same text for the same record.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ldns/ldns.h>

#include "canon.h"
#include "exitcodes.h"
#include "log.h"
#include "names.h"
#include "zonebuf.h"
#include "zxfr.h"



/* SOA serial: after MNAME and RNAME (maybe compressed) in the RDATA. */
static int
soa_serial(const struct wire_msg *m, const struct wire_rr *rr, uint32_t *s)
{
	size_t off = rr->rdata_off;

	if (wire_name(m->p, m->len, &off, NULL, NULL) == -1 ||
	    wire_name(m->p, m->len, &off, NULL, NULL) == -1 ||
	    off + 20 != rr->end)
		return -1;
	*s = wire_get32(m->p + off);
	return 0;
}

static int
is_zone_soa(const struct axfr *a, const struct wire_rr *rr,
    const uint8_t *owner, size_t olen)
{
	return rr->type == LDNS_RR_TYPE_SOA &&
	    wire_name_eq(owner, olen, a->req->zone, a->req->zone_len);
}

static void
ttl_conflict(const char *key, long lowest, long highest, void *arg)
{
	const struct axfr *a = arg;
	char k[1200];
	size_t i;

	/* the key is "OWNER TAB TYPE": print it with a space */
	snprintf(k, sizeof(k), "%s", key);
	for (i = 0; k[i] != '\0'; i++)
		if (k[i] == '\t')
			k[i] = ' ';
	log_warn("%s from %s port %d: RRset %s arrived with TTLs %ld to %ld; "
	    "using the lowest, %ld (RFC 2181 5.2)", a->req->zone_text,
	    a->req->srv->addr_text, a->req->srv->port, k, lowest, highest,
	    lowest);
}

int
axfr_init(struct axfr *a, const struct xfr_req *req)
{
	struct canon_buf *cb = NULL;

	memset(a, 0, sizeof(*a));
	a->req = req;
	if ((cb = calloc(1, sizeof(*cb))) == NULL) {
		log_msg("out of memory");
		return -1;
	}
	canon_buf_init(cb);
	a->cbuf = cb;
	if ((a->zb = zonebuf_new(req->zone_text)) == NULL)
		return -1;
	zonebuf_on_ttl_conflict(a->zb, ttl_conflict, a);
	a->slow = getenv("R53M_ZXFR_SLOW") != NULL &&
	    strcmp(getenv("R53M_ZXFR_SLOW"), "1") == 0;
	return 0;
}

void
axfr_free(struct axfr *a)
{
	if (a->cbuf != NULL) {
		canon_buf_free(a->cbuf);
		free(a->cbuf);
	}
	zonebuf_free(a->zb);
	memset(a, 0, sizeof(*a));
}

static void
axfr_where(void *arg, char *buf, size_t sz)
{
	const struct axfr *a = arg;

	if (!a->have_soa)
		snprintf(buf, sz, "before the first record");
	else if (a->records == 1)
		snprintf(buf, sz, "after the first SOA");
	else
		snprintf(buf, sz, "after %lu records", a->records);
}

static void
warn_high_owner(struct axfr *a, const uint8_t *owner, size_t olen,
    const char *text)
{
	if (a->last_high_len == olen && memcmp(a->last_high, owner, olen) == 0)
		return;
	memcpy(a->last_high, owner, olen);
	a->last_high_len = olen;
	if (++a->high_owners <= AXFR_HIGH_WARN_MAX)
		log_warn("%s from %s port %d: owner %s has raw non-ASCII "
		    "octets; it will never match a query in punycode (xn--)",
		    a->req->zone_text, a->req->srv->addr_text,
		    a->req->srv->port, text);
}

/*
 * The canonical RDATA of one RR into the canon buffer.  0 or -1.
 * The hot path is canon_rdata_wire(), which prints the common types
 * straight from the message octets (compressed names included) without
 * ldns allocations: ldns_wire2rr() allocates the record, its owner and
 * every field, which made malloc and free a third of a large zone's
 * parse time.  R53M_ZXFR_SLOW=1 in the environment forces the plain ldns
 * path (the tests compare both).
 */
static int
rdata_text(struct axfr *a, const struct wire_msg *m, const struct wire_rr *rr)
{
	ldns_rr *lr = NULL;
	size_t pos = rr->off;
	int rc;

	canon_buf_reset(a->cbuf);
	if (!a->slow)
		return canon_rdata_wire(rr->type, m->p, m->len, rr->rdata_off,
		    rr->rdlen, a->cbuf);
	if (ldns_wire2rr(&lr, m->p, m->len, &pos, LDNS_SECTION_ANSWER) !=
	    LDNS_STATUS_OK)
		return -1;
	/* ldns stops where its fields end, short of RDLENGTH or past it
	 * (a name running on into the next record): exactly, or refuse */
	if (pos != rr->end) {
		ldns_rr_free(lr);
		return -1;
	}
	rc = canon_rdata_buf(lr, a->cbuf);
	ldns_rr_free(lr);
	return rc;
}

/*
 * The type mnemonic, cached: canon_type_name() formats with snprintf,
 * which showed as 10% of a large transfer's time.
 */
static const char *
type_text(struct axfr *a, uint16_t type, char *buf, size_t sz)
{
	if (type < AXFR_TYPE_CACHE) {
		if (a->type_names[type][0] == '\0')
			canon_type_name(type, a->type_names[type],
			    sizeof(a->type_names[type]));
		return a->type_names[type];
	}
	canon_type_name(type, buf, sz);
	return buf;
}

int
axfr_record(struct axfr *a, const struct wire_msg *m,
    const struct wire_rr *rr, struct axfr_rec *r)
{
	const struct xfr_req *req = a->req;
	size_t off = rr->off;

	r->olen = 0;
	r->flags = 0;
	r->is_soa = 0;
	if (wire_name(m->p, m->len, &off, r->owner, &r->olen) == -1 ||
	    name_canon_wire(r->owner, r->olen, r->otext, sizeof(r->otext),
	    &r->flags) < 0) {
		xfr_fail(req, "malformed owner name in record %lu",
		    a->records + 1);
		return -1;
	}
	r->type = type_text(a, rr->type, r->tbuf, sizeof(r->tbuf));
	if (rr->class != LDNS_RR_CLASS_IN) {
		xfr_fail(req, "record %lu (%s %s) has class %u, not IN",
		    a->records + 1, r->otext, r->type, rr->class);
		return -1;
	}
	if (is_zone_soa(a, rr, r->owner, r->olen)) {
		if (soa_serial(m, rr, &r->serial) == -1) {
			xfr_fail(req, "malformed SOA after %lu records",
			    a->records);
			return -1;
		}
		r->is_soa = 1;
	}
	return 0;
}

int
axfr_record_data(struct axfr *a, const struct wire_msg *m,
    const struct wire_rr *rr, struct axfr_rec *r)
{
	const struct xfr_req *req = a->req;

	if (rr->type == 41 || (rr->type >= 249 && rr->type <= 255)) {
		xfr_fail(req, "meta type %s in the answer (record %lu)",
		    r->type, a->records + 1);
		return -1;
	}
	if (!name_is_subdomain(r->otext, req->zone_text)) {
		xfr_fail(req, "record %lu (%s %s) is outside the zone",
		    a->records + 1, r->otext, r->type);
		return -1;
	}
	if (r->flags & NAME_F_HIGH)
		warn_high_owner(a, r->owner, r->olen, r->otext);
	r->ttl = (long)rr->ttl;
	if (rr->ttl > 2147483647u) {	/* RFC 2181 section 8: as zero */
		a->big_ttls++;
		r->ttl = 0;
	}
	if (req->max_records != 0 && a->records >= req->max_records) {
		xfr_fail(req, "more than %lu records (--max-records): "
		    "transfer stopped", req->max_records);
		return -1;
	}
	if (rdata_text(a, m, rr) == -1) {
		xfr_fail(req, "malformed record %lu (%s %s): its RDATA does "
		    "not parse as %s or does not fill its RDLENGTH of %u "
		    "octets exactly", a->records + 1, r->otext, r->type,
		    r->type, rr->rdlen);
		return -1;
	}
	r->rdata = ((struct canon_buf *)a->cbuf)->p;
	return 0;
}

static enum xfr_sink_ret
axfr_rr(void *arg, const struct wire_msg *m, const struct wire_rr *rr,
    const struct xfr_stats *st)
{
	struct axfr *a = arg;
	const struct xfr_req *req = a->req;
	struct axfr_rec r;

	(void)st;
	if (axfr_record(a, m, rr, &r) == -1)
		return XFR_ABORT;
	if (!a->have_soa) {
		if (!r.is_soa) {
			xfr_fail(req, "the transfer does not begin with the "
			    "zone's SOA (first record: %s %s)", r.otext, r.type);
			return XFR_ABORT;
		}
		a->serial = r.serial;
		a->have_soa = 1;
	} else if (r.is_soa) {
		if (r.serial != a->serial) {
			xfr_fail(req, "the transfer began with SOA serial %u "
			    "and ended with serial %u after %lu records (zone "
			    "changed during the transfer, or a broken server)",
			    a->serial, r.serial, a->records);
			return XFR_ABORT;
		}
		if (!a->apex_ns) {
			/* SOA ... SOA alone would empty a mirrored zone; no
			 * server loads a zone without its apex NS RRset */
			xfr_fail(req, "no NS records at the zone apex: not a "
			    "complete zone");
			return XFR_ABORT;
		}
		return XFR_DONE;
	}
	if (axfr_record_data(a, m, rr, &r) == -1)
		return XFR_ABORT;
	if (rr->type == LDNS_RR_TYPE_NS && !a->apex_ns &&
	    wire_name_eq(r.owner, r.olen, req->zone, req->zone_len))
		a->apex_ns = 1;
	if (zonebuf_add(a->zb, r.otext, r.type, NULL, r.ttl, r.rdata, NULL,
	    NULL) == -1) {
		a->failed = 1;
		return XFR_ABORT;
	}
	a->records++;
	return XFR_MORE;
}

void
axfr_sink(struct axfr *a, struct xfr_sink *sink)
{
	sink->rr = axfr_rr;
	sink->where = axfr_where;
	sink->rcode = NULL;
	sink->arg = a;
}

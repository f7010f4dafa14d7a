/*
 * zonebuf.h: collect the records of a whole zone in any order and write
 * them as a sorted, canonical RRset stream (format/SPEC.md section 2).
 *
 * Producers get records in an order that is not the stream's order: zxfr
 * in the server's AXFR order, r53dump in Route 53's order (labels
 * reversed).  They add every record here, then call zonebuf_write(),
 * which groups records by key (owner, type, SetIdentifier), sorts the
 * RRsets by key bytes and the records of one RRset by rdata bytes, drops
 * duplicate rdata, and puts one line per RRset through the stream writer
 * (which checks every line's syntax and order).
 *
 * Memory: every added record is copied once into a chunked arena of packed
 * strings ("OWNER TAB TYPE[/SETID] TAB RDATA" plus a few bytes of TTL and
 * flags), and an array of one pointer per record is sorted.  For a zone
 * of N records of average text length L this is about N * (L + 16) bytes,
 * i.e. a little more than the output stream itself.  Nothing is kept per
 * RRset besides that.
 *
 * Usage:
 *	struct zonebuf *zb = zonebuf_new("example.com.");
 *	zonebuf_add(zb, "www.example.com.", "A", NULL, 300, "192.0.2.1",
 *	    NULL, NULL);
 *	...
 *	w = strm_create(path, STRM_RRSET); strm_put_header(w, ...);
 *	if (zonebuf_write(zb, w, &n) == -1) strm_abort(w); else ...
 *	zonebuf_free(zb);
 */
#ifndef R53M_ZONEBUF_H
#define R53M_ZONEBUF_H

#include <stddef.h>

struct strm_writer;
struct zonebuf;

/*
 * zonebuf_new(origin): an empty buffer for the zone ORIGIN (canonical,
 * e.g. "example.com.").  Returns NULL after reporting if out of memory.
 * Free with zonebuf_free().
 */
struct zonebuf *zonebuf_new(const char *origin);

/*
 * zonebuf_add(zb, owner, type, setid, ttl, rdata, r53, raw): add one
 * record.  All strings are NUL-terminated canonical text as it appears in
 * the stream (SPEC 2.2), copied, never kept:
 *   owner  canonical owner name ("www.example.com.")
 *   type   upper-case mnemonic or TYPEnnn ("A", "TYPE65534")
 *   setid  escaped SetIdentifier WITHOUT the '/' (see setid_escape() in
 *          stream.h), or NULL for a plain RRset
 *   ttl    0..2147483647, or -1 for a Route 53 alias record
 *   rdata  canonical RDATA of this record; NULL for an alias (ttl -1)
 *          and for an unconverted Route 53 RRset (ttl >= 0, raw given:
 *          a line with @raw and no RDATA, SPEC 2.2; the only record of
 *          its key)
 *   r53    the JSON text of the @r53 field WITHOUT "@r53=", or NULL
 *   raw    the JSON text of the @raw field WITHOUT "@raw=", or NULL
 * r53 and raw describe the whole RRset: give them with every record of
 * the RRset or with just one; two different non-NULL values for one key
 * are an error at zonebuf_write().  Records of one key with different
 * TTLs are merged with the lowest TTL (RFC 2181 5.2; see
 * zonebuf_on_ttl_conflict).  Returns 0, or -1 after reporting (out of
 * memory, a TAB or LF in a field, alias with rdata, bad TTL).
 */
int zonebuf_add(struct zonebuf *zb, const char *owner, const char *type,
    const char *setid, long ttl, const char *rdata, const char *r53,
    const char *raw);

/*
 * zonebuf_add_rrset(zb, owner, type, setid, ttl, rdata, n, r53, raw): add
 * a whole RRset at once (r53dump: Route 53 lists one RRset per element):
 * the same as zonebuf_add() for each of rdata[0..n-1] (n is 0 and rdata
 * NULL for an alias).  Returns 0 or -1 after reporting.
 */
int zonebuf_add_rrset(struct zonebuf *zb, const char *owner,
    const char *type, const char *setid, long ttl, const char *const *rdata,
    size_t n, const char *r53, const char *raw);

/* zonebuf_records(zb): number of records added so far (duplicates too). */
unsigned long zonebuf_records(const struct zonebuf *zb);

/*
 * zonebuf_on_ttl_conflict(zb, fn, arg): called by zonebuf_write() once
 * per RRset whose records came with different TTLs, with the RRset's key
 * text (owner TAB type[/setid], NUL-terminated), the lowest and the
 * highest TTL seen; the RRset is written with the lowest.  Without a
 * callback zonebuf_write() prints one warning per such RRset.  Either way
 * zonebuf_ttl_conflicts() counts them.
 */
void zonebuf_on_ttl_conflict(struct zonebuf *zb,
    void (*fn)(const char *key, long lowest, long highest, void *arg),
    void *arg);
unsigned long zonebuf_ttl_conflicts(const struct zonebuf *zb);

/*
 * zonebuf_write(zb, w, &nrrsets): sort and write every RRset through
 * strm_put_line(w, ...).  The caller has already written the header with
 * strm_put_header() and afterwards calls strm_commit(w, NULL) (or
 * strm_abort(w) when this returns -1).  *nrrsets (if not NULL) receives
 * the number of lines written.  May be called once; sorting reorders the
 * buffer in place.  Returns 0, or -1 after reporting (conflicting @r53 or
 * @raw for one key, alias mixed with plain records, a line the writer
 * refused, out of memory, I/O error).
 */
int zonebuf_write(struct zonebuf *zb, struct strm_writer *w,
    unsigned long *nrrsets);

/* zonebuf_free(zb): release everything; NULL is fine. */
void zonebuf_free(struct zonebuf *zb);

#endif

/*
 * canon.c: canonical RDATA text (format/SPEC.md section 4).
 *
 * Two paths produce the text of one record:
 *  - the fast path (canon_fast) prints the common types directly from the
 *    bytes of ldns's rdfs into a growing buffer, without allocating; it
 *    checks the rdf layout it expects and gives up (returns CF_NO) on
 *    anything else;
 *  - the slow path (canon_slow) turns the rdata into wire form, lets ldns
 *    parse it again for the record type (so every record, however it was
 *    built, has ldns's standard rdf layout), retries the fast path, and
 *    otherwise prints rdf by rdf: names and character-strings with our
 *    printers, everything else with ldns's printer, normalised; the text
 *    of these rare types must parse back to itself (canon_reparses).
 * Whatever cannot be printed safely is written in RFC 3597 form
 * "\# LEN hex" from the wire rdata.
 *
 * zxfr enters through canon_rdata_wire(): the RDATA as it lies in the
 * transfer's message, printed by the same cb_* printers straight from the
 * octets for the common types (no ldns record at all), else parsed by
 * ldns and given to the paths above.  Only ldns's public functions are
 * used; nothing here builds or reads ldns structs by hand.
 *
 * Invariant, checked by tests/20-canon.bats on golden and random data:
 * the text is presentation format that ldns parses back to the same text
 * (canon_verify), and for the Route 53 types it survives the trip through
 * Route 53 escapes (canon_to_r53value, canon_from_r53value).
 *
 * Route 53 values: canonical text and Route 53 text differ only in the
 * escapes (decimal \DDD versus octal \ooo), see canon_to_r53value().
 */
#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "canon.h"
#include "names.h"
#include "rrtypes.h"

/* ---------------------------------------------------------------- */
/* buffer */

void
canon_buf_init(struct canon_buf *b)
{
	b->p = NULL;
	b->len = 0;
	b->cap = 0;
}

void
canon_buf_reset(struct canon_buf *b)
{
	b->len = 0;
	if (b->p != NULL)
		b->p[0] = '\0';
}

void
canon_buf_free(struct canon_buf *b)
{
	if (b == NULL)
		return;
	free(b->p);
	canon_buf_init(b);
}

/* cb_room(b, n): make room for N more bytes plus a NUL.  0 or -1. */
static int
cb_room(struct canon_buf *b, size_t n)
{
	size_t want = b->len + n + 1, cap;
	char *p;

	if (want <= b->cap)
		return 0;
	cap = b->cap < 256 ? 256 : b->cap;
	while (cap < want)
		cap *= 2;
	p = realloc(b->p, cap);
	if (p == NULL)
		return -1;
	b->p = p;
	b->cap = cap;
	return 0;
}

/* cb_truncate(b, start): drop what was written after START (B has had
 * cb_room() called, so p is not NULL). */
static void
cb_truncate(struct canon_buf *b, size_t start)
{
	b->len = start;
	b->p[start] = '\0';
}

static int
cb_put(struct canon_buf *b, const char *s, size_t n)
{
	if (cb_room(b, n) == -1)
		return -1;
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
	return 0;
}

static int
cb_putc(struct canon_buf *b, char c)
{
	return cb_put(b, &c, 1);
}

static int
cb_puts(struct canon_buf *b, const char *s)
{
	return cb_put(b, s, strlen(s));
}

/* cb_uint(b, v): decimal without leading zeros. */
static int
cb_uint(struct canon_buf *b, unsigned long v)
{
	char tmp[24];
	size_t i = sizeof(tmp);

	do {
		tmp[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v != 0);
	return cb_put(b, tmp + i, sizeof(tmp) - i);
}

static const char hexdig[] = "0123456789abcdef";

/* esc3(o, v, base): write "\" and V (0..255) as three digits in BASE (10
 * or 8) at O, which has room for 4 bytes; no NUL. */
static void
esc3(char *o, unsigned v, unsigned base)
{
	o[0] = '\\';
	o[1] = (char)('0' + v / (base * base) % base);
	o[2] = (char)('0' + v / base % base);
	o[3] = (char)('0' + v % base);
}

/* cb_hex(b, d, n): lower-case hex, no spaces. */
static int
cb_hex(struct canon_buf *b, const uint8_t *d, size_t n)
{
	size_t i;
	char *o;

	if (cb_room(b, 2 * n) == -1)
		return -1;
	o = b->p + b->len;
	for (i = 0; i < n; i++) {
		*o++ = hexdig[d[i] >> 4];
		*o++ = hexdig[d[i] & 15];
	}
	b->len += 2 * n;
	b->p[b->len] = '\0';
	return 0;
}

/* cb_b64(b, d, n): RFC 4648 base64 with padding, no line breaks. */
static int
cb_b64(struct canon_buf *b, const uint8_t *d, size_t n)
{
	static const char tab[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t i, out = (n + 2) / 3 * 4;
	char *o;

	if (cb_room(b, out) == -1)
		return -1;
	o = b->p + b->len;
	for (i = 0; i + 2 < n; i += 3) {
		unsigned long v = (unsigned long)d[i] << 16 |
		    (unsigned long)d[i + 1] << 8 | d[i + 2];

		*o++ = tab[v >> 18 & 63];
		*o++ = tab[v >> 12 & 63];
		*o++ = tab[v >> 6 & 63];
		*o++ = tab[v & 63];
	}
	if (i < n) {
		unsigned long v = (unsigned long)d[i] << 16;

		if (i + 1 < n)
			v |= (unsigned long)d[i + 1] << 8;
		*o++ = tab[v >> 18 & 63];
		*o++ = tab[v >> 12 & 63];
		*o++ = i + 1 < n ? tab[v >> 6 & 63] : '=';
		*o++ = '=';
	}
	b->len += out;
	b->p[b->len] = '\0';
	return 0;
}

/* cb_ipv4(b, d): dotted quad of 4 octets. */
static int
cb_ipv4(struct canon_buf *b, const uint8_t *d)
{
	int i;

	for (i = 0; i < 4; i++) {
		if ((i > 0 && cb_putc(b, '.') == -1) || cb_uint(b, d[i]) == -1)
			return -1;
	}
	return 0;
}

/*
 * cb_ipv6(b, d): RFC 5952 text of 16 octets: lower-case hex without
 * leading zeros, the longest run of two or more zero groups (the leftmost
 * of equal runs) as "::", and the IPv4-mapped prefix ::ffff:0:0/96 in
 * mixed notation (RFC 5952 section 5) "::ffff:192.0.2.1".  Written here
 * rather than with inet_ntop() because libc versions differ on the mixed
 * notation (glibc also uses it for the deprecated ::/96 compatible form).
 */
static int
cb_ipv6(struct canon_buf *b, const uint8_t *d)
{
	unsigned w[8];
	int i, best = -1, bestlen = 0, cur = -1, curlen = 0;

	for (i = 0; i < 8; i++)
		w[i] = (unsigned)d[2 * i] << 8 | d[2 * i + 1];
	if (w[0] == 0 && w[1] == 0 && w[2] == 0 && w[3] == 0 && w[4] == 0 &&
	    w[5] == 0xffff) {
		if (cb_puts(b, "::ffff:") == -1)
			return -1;
		return cb_ipv4(b, d + 12);
	}
	for (i = 0; i < 8; i++) {
		if (w[i] == 0) {
			if (cur < 0) {
				cur = i;
				curlen = 0;
			}
			curlen++;
			if (curlen > bestlen) {
				best = cur;
				bestlen = curlen;
			}
		} else {
			cur = -1;
		}
	}
	if (bestlen < 2)
		best = -1;
	for (i = 0; i < 8; i++) {
		char tmp[5];
		int n = 0, shift, started = 0;

		if (i == best) {
			if (cb_puts(b, i == 0 ? "::" : ":") == -1)
				return -1;
			i += bestlen - 1;
			continue;
		}
		for (shift = 12; shift >= 0; shift -= 4) {
			unsigned nib = w[i] >> shift & 15;

			if (nib != 0 || started || shift == 0) {
				tmp[n++] = hexdig[nib];
				started = 1;
			}
		}
		if (cb_put(b, tmp, (size_t)n) == -1)
			return -1;
		if (i < 7 && cb_putc(b, ':') == -1)
			return -1;
	}
	return 0;
}

/* ---------------------------------------------------------------- */
/* character-strings */

static char cs_esc[256][5];	/* the text of each octet, NUL-terminated */
static unsigned char cs_len[256];
static int cs_ready;

/* cs_tables(): printable 0x20-0x7E raw except " and \, else \DDD. */
static void
cs_tables(void)
{
	int c;

	if (cs_ready)
		return;
	for (c = 0; c < 256; c++) {
		if (c == '"' || c == '\\') {
			cs_esc[c][0] = '\\';
			cs_esc[c][1] = (char)c;
			cs_len[c] = 2;
		} else if (c >= 0x20 && c <= 0x7e) {
			cs_esc[c][0] = (char)c;
			cs_len[c] = 1;
		} else {
			esc3(cs_esc[c], (unsigned)c, 10);
			cs_len[c] = 4;
		}
	}
	cs_ready = 1;
}

/* cb_cstr(b, d, n): one quoted character-string of N octets. */
static int
cb_cstr(struct canon_buf *b, const uint8_t *d, size_t n)
{
	size_t i;
	char *o;

	cs_tables();
	if (cb_room(b, 4 * n + 2) == -1)
		return -1;
	o = b->p + b->len;
	*o++ = '"';
	for (i = 0; i < n; i++) {
		unsigned c = d[i];

		if (cs_len[c] == 1) {
			*o++ = (char)c;
		} else {
			memcpy(o, cs_esc[c], cs_len[c]);
			o += cs_len[c];
		}
	}
	*o++ = '"';
	b->len = (size_t)(o - b->p);
	b->p[b->len] = '\0';
	return 0;
}

/* ---------------------------------------------------------------- */
/* fast path */

enum cf { CF_NOMEM = -1, CF_NO = 0, CF_OK = 1, CF_RAW = 2 };

static const uint8_t *
rdf_d(const ldns_rr *rr, size_t i)
{
	return ldns_rdf_data(ldns_rr_rdf(rr, i));
}

static size_t
rdf_n(const ldns_rr *rr, size_t i)
{
	return ldns_rdf_size(ldns_rr_rdf(rr, i));
}

/* rdf_is(rr, i, size): rdf I exists with exactly SIZE octets. */
static int
rdf_is(const ldns_rr *rr, size_t i, size_t size)
{
	return ldns_rr_rdf(rr, i) != NULL && rdf_n(rr, i) == size;
}

static unsigned long
be16(const uint8_t *d)
{
	return (unsigned long)d[0] << 8 | d[1];
}

static unsigned long
be32(const uint8_t *d)
{
	return (unsigned long)d[0] << 24 | (unsigned long)d[1] << 16 |
	    (unsigned long)d[2] << 8 | d[3];
}

/* cf_wname(b, wire, len): the uncompressed wire name WIRE (LEN octets)
 * as canonical text.  CF_NO if it is not a well-formed absolute name
 * (name_canon_wire refuses one without a root label).  CF_RAW if its
 * first label is the single octet '@': however it is escaped, ldns
 * reads such a name back as the origin (at_label), so the RDATA can
 * only be written in RFC 3597 form (fuzzing: MX "10 \064."). */
static int
cf_wname(struct canon_buf *b, const uint8_t *wire, size_t len)
{
	int n;

	if (len >= 2 && wire[0] == 1 && wire[1] == '@')
		return CF_RAW;
	if (cb_room(b, NAME_CANON_MAX) == -1)
		return CF_NOMEM;
	n = name_canon_wire(wire, len, b->p + b->len, b->cap - b->len, NULL);
	if (n < 0) {
		b->p[b->len] = '\0';
		return CF_NO;
	}
	b->len += (size_t)n;
	return CF_OK;
}

/* cf_name(b, rr, i): rdf I as a canonical name.  CF_NO if not a
 * well-formed absolute dname. */
static int
cf_name(struct canon_buf *b, const ldns_rr *rr, size_t i)
{
	const ldns_rdf *rdf = ldns_rr_rdf(rr, i);

	if (rdf == NULL || ldns_rdf_get_type(rdf) != LDNS_RDF_TYPE_DNAME)
		return CF_NO;
	return cf_wname(b, ldns_rdf_data(rdf), ldns_rdf_size(rdf));
}

/* cf_u16s(b, rr, n): rdfs 0..N-1 as 16-bit integers, each followed by a
 * space. */
static int
cf_u16s(struct canon_buf *b, const ldns_rr *rr, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (!rdf_is(rr, i, 2))
			return CF_NO;
		if (cb_uint(b, be16(rdf_d(rr, i))) == -1 ||
		    cb_putc(b, ' ') == -1)
			return CF_NOMEM;
	}
	return CF_OK;
}

/* cf_strs(b, rr, from, to): rdfs FROM..TO-1 as character-strings
 * (length octet + data), space separated.  CF_NO on a malformed one. */
static int
cf_strs(struct canon_buf *b, const ldns_rr *rr, size_t from, size_t to)
{
	size_t i;

	for (i = from; i < to; i++) {
		const ldns_rdf *rdf = ldns_rr_rdf(rr, i);
		const uint8_t *d;
		size_t n;

		if (rdf == NULL || ldns_rdf_get_type(rdf) != LDNS_RDF_TYPE_STR)
			return CF_NO;
		d = ldns_rdf_data(rdf);
		n = ldns_rdf_size(rdf);
		if (n < 1 || (size_t)d[0] != n - 1)
			return CF_NO;
		if ((i > from && cb_putc(b, ' ') == -1) ||
		    cb_cstr(b, d + 1, n - 1) == -1)
			return CF_NOMEM;
	}
	return CF_OK;
}

/* cf_ints_name(b, rr, n): exactly N 16-bit integers then one name (NS
 * CNAME PTR DNAME: 0, MX: 1, SRV: 3), as wrd_ints_name() on the wire. */
static int
cf_ints_name(struct canon_buf *b, const ldns_rr *rr, size_t n)
{
	int rc;

	if (ldns_rr_rd_count(rr) != n + 1)
		return CF_NO;
	if ((rc = cf_u16s(b, rr, n)) != CF_OK)
		return rc;
	return cf_name(b, rr, n);
}

static int
cf_soa(struct canon_buf *b, const ldns_rr *rr)
{
	size_t i;
	int rc;

	if (ldns_rr_rd_count(rr) != 7)
		return CF_NO;
	for (i = 0; i < 2; i++) {
		if ((rc = cf_name(b, rr, i)) != CF_OK)
			return rc;
		if (cb_putc(b, ' ') == -1)
			return CF_NOMEM;
	}
	for (i = 2; i < 7; i++) {
		if (!rdf_is(rr, i, 4))
			return CF_NO;
		if (cb_uint(b, be32(rdf_d(rr, i))) == -1 ||
		    (i < 6 && cb_putc(b, ' ') == -1))
			return CF_NOMEM;
	}
	return CF_OK;
}

static int
cf_naptr(struct canon_buf *b, const ldns_rr *rr)
{
	int rc;

	if (ldns_rr_rd_count(rr) != 6)
		return CF_NO;
	if ((rc = cf_u16s(b, rr, 2)) != CF_OK ||
	    (rc = cf_strs(b, rr, 2, 5)) != CF_OK)
		return rc;
	if (cb_putc(b, ' ') == -1)
		return CF_NOMEM;
	return cf_name(b, rr, 5);
}

/* cf_caa(b, rr): FLAGS TAG "VALUE".  A tag that is not [A-Za-z0-9]+
 * (RFC 8659 section 4.1) cannot be written as a bare word: RFC 3597. */
static int
cf_caa(struct canon_buf *b, const ldns_rr *rr)
{
	const uint8_t *t;
	size_t n, i;

	if (ldns_rr_rd_count(rr) != 3 || !rdf_is(rr, 0, 1))
		return CF_NO;
	t = rdf_d(rr, 1);
	n = rdf_n(rr, 1);
	if (n < 2 || (size_t)t[0] != n - 1)
		return CF_RAW;
	for (i = 1; i < n; i++) {
		unsigned c = t[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9')))
			return CF_RAW;
	}
	if (cb_uint(b, rdf_d(rr, 0)[0]) == -1 || cb_putc(b, ' ') == -1 ||
	    cb_put(b, (const char *)t + 1, n - 1) == -1 ||
	    cb_putc(b, ' ') == -1 ||
	    cb_cstr(b, rdf_d(rr, 2), rdf_n(rr, 2)) == -1)
		return CF_NOMEM;
	return CF_OK;
}

/* cf_ints_hex(b, rr, sizes, n): N integer rdfs of the given octet SIZES
 * then one non-empty hex rdf (DS, SSHFP, TLSA). */
static int
cf_ints_hex(struct canon_buf *b, const ldns_rr *rr, const size_t *sizes,
    size_t n)
{
	size_t i;

	if (ldns_rr_rd_count(rr) != n + 1)
		return CF_NO;
	for (i = 0; i < n; i++) {
		const uint8_t *d;

		if (!rdf_is(rr, i, sizes[i]))
			return CF_NO;
		d = rdf_d(rr, i);
		if (cb_uint(b, sizes[i] == 2 ? be16(d) : d[0]) == -1 ||
		    cb_putc(b, ' ') == -1)
			return CF_NOMEM;
	}
	if (rdf_n(rr, n) == 0)
		return CF_RAW;
	return cb_hex(b, rdf_d(rr, n), rdf_n(rr, n)) == -1 ? CF_NOMEM : CF_OK;
}

/* ---------------------------------------------------------------- */
/* SVCB / HTTPS (RFC 9460), SPEC 4.1 */

static const char *const svc_keys[] = {
	"mandatory", "alpn", "no-default-alpn", "port", "ipv4hint", "ech",
	"ipv6hint"
};
#define SVC_NKEYS (sizeof(svc_keys) / sizeof(svc_keys[0]))

/* svc_plain(c, list): octet C may appear raw in a value (LIST: a
 * comma-separated list value, where ',' is a separator). */
static int
svc_plain(unsigned c, int list)
{
	if (c < 0x21 || c > 0x7e)
		return 0;
	if (c == '"' || c == '\\' || c == ';' || c == '(' || c == ')')
		return 0;
	return !(list && c == ',');
}

static int
svc_keyname(struct canon_buf *b, unsigned long key)
{
	if (key < SVC_NKEYS)
		return cb_puts(b, svc_keys[key]);
	if (cb_puts(b, "key") == -1)
		return -1;
	return cb_uint(b, key);
}

/*
 * The value printers of svc_value for the keys whose values are lists or
 * opaque octets.  Each writes "=VALUE" and returns CF_OK, CF_RAW if the
 * value is malformed for its key or has no simple form, or CF_NOMEM.
 */

/* svc_mandatory(b, v, n): key 0, a list of keys. */
static int
svc_mandatory(struct canon_buf *b, const uint8_t *v, size_t n)
{
	size_t i;

	if (n == 0 || n % 2 != 0)
		return CF_RAW;
	/* RFC 9460 8: strictly increasing, never "mandatory" itself
	 * (a parser sorts the list, so another order is not text) */
	for (i = 0; i < n; i += 2)
		if (be16(v + i) == 0 ||
		    (i > 0 && be16(v + i) <= be16(v + i - 2)))
			return CF_RAW;
	for (i = 0; i < n; i += 2) {
		if (cb_putc(b, i == 0 ? '=' : ',') == -1 ||
		    svc_keyname(b, be16(v + i)) == -1)
			return CF_NOMEM;
	}
	return CF_OK;
}

/* svc_alpn(b, v, n): key 1, a list of length-prefixed protocol ids. */
static int
svc_alpn(struct canon_buf *b, const uint8_t *v, size_t n)
{
	size_t i, j, l;

	if (n == 0)
		return CF_RAW;
	for (i = 0; i < n;) {
		l = v[i];
		if (l == 0 || i + 1 + l > n)
			return CF_RAW;
		for (j = 0; j < l; j++)
			if (!svc_plain(v[i + 1 + j], 1))
				return CF_RAW;
		if (cb_putc(b, i == 0 ? '=' : ',') == -1 ||
		    cb_put(b, (const char *)v + i + 1, l) == -1)
			return CF_NOMEM;
		i += 1 + l;
	}
	return CF_OK;
}

/* svc_hints(b, v, n, step): keys 4 and 6, a list of IPv4 (STEP 4) or
 * IPv6 (STEP 16) addresses. */
static int
svc_hints(struct canon_buf *b, const uint8_t *v, size_t n, size_t step)
{
	size_t i;

	if (n == 0 || n % step != 0)
		return CF_RAW;
	for (i = 0; i < n; i += step) {
		if (cb_putc(b, i == 0 ? '=' : ',') == -1 ||
		    (step == 4 ? cb_ipv4(b, v + i) : cb_ipv6(b, v + i)) == -1)
			return CF_NOMEM;
	}
	return CF_OK;
}

/* svc_opaque(b, v, n): keyNNNNN, plain octets raw, others as \DDD;
 * nothing at all for an empty value. */
static int
svc_opaque(struct canon_buf *b, const uint8_t *v, size_t n)
{
	size_t i;
	char tmp[4];

	if (n == 0)
		return CF_OK;
	if (cb_putc(b, '=') == -1)
		return CF_NOMEM;
	for (i = 0; i < n; i++) {
		if (svc_plain(v[i], 0)) {
			if (cb_putc(b, (char)v[i]) == -1)
				return CF_NOMEM;
			continue;
		}
		esc3(tmp, v[i], 10);
		if (cb_put(b, tmp, sizeof(tmp)) == -1)
			return CF_NOMEM;
	}
	return CF_OK;
}

/* svc_value(b, key, v, n): "=VALUE" (or nothing) of one SvcParam.
 * CF_RAW if the value is malformed for its key or cannot be written in
 * the simple forms of SPEC 4.1. */
static int
svc_value(struct canon_buf *b, unsigned long key, const uint8_t *v,
    size_t n)
{
	switch (key) {
	case 0:		/* mandatory */
		return svc_mandatory(b, v, n);
	case 1:		/* alpn */
		return svc_alpn(b, v, n);
	case 2:		/* no-default-alpn: empty */
		return n == 0 ? CF_OK : CF_RAW;
	case 3:		/* port */
		if (n != 2)
			return CF_RAW;
		if (cb_putc(b, '=') == -1 || cb_uint(b, be16(v)) == -1)
			return CF_NOMEM;
		return CF_OK;
	case 4:		/* ipv4hint */
		return svc_hints(b, v, n, 4);
	case 5:		/* ech: base64 */
		if (n == 0)
			return CF_RAW;
		if (cb_putc(b, '=') == -1 || cb_b64(b, v, n) == -1)
			return CF_NOMEM;
		return CF_OK;
	case 6:		/* ipv6hint */
		return svc_hints(b, v, n, 16);
	default:	/* keyNNNNN */
		return svc_opaque(b, v, n);
	}
}

static int
cf_svcb(struct canon_buf *b, const ldns_rr *rr)
{
	const uint8_t *p;
	size_t n, i;
	long prev = -1;
	int rc;

	if (ldns_rr_rd_count(rr) < 2 || ldns_rr_rd_count(rr) > 3 ||
	    !rdf_is(rr, 0, 2))
		return CF_NO;
	if (cb_uint(b, be16(rdf_d(rr, 0))) == -1 || cb_putc(b, ' ') == -1)
		return CF_NOMEM;
	if ((rc = cf_name(b, rr, 1)) != CF_OK)
		return rc;
	if (ldns_rr_rd_count(rr) == 2)
		return CF_OK;
	if (ldns_rdf_get_type(ldns_rr_rdf(rr, 2)) != LDNS_RDF_TYPE_SVCPARAMS)
		return CF_NO;
	p = rdf_d(rr, 2);
	n = rdf_n(rr, 2);
	for (i = 0; i < n;) {
		unsigned long key, len;

		if (i + 4 > n)
			return CF_RAW;
		key = be16(p + i);
		len = be16(p + i + 2);
		if ((long)key <= prev || i + 4 + len > n)
			return CF_RAW;	/* keys must strictly increase */
		prev = (long)key;
		if (cb_putc(b, ' ') == -1 || svc_keyname(b, key) == -1)
			return CF_NOMEM;
		rc = svc_value(b, key, p + i + 4, len);
		if (rc != CF_OK)
			return rc;
		i += 4 + len;
	}
	return CF_OK;
}

/*
 * cf_wks(b, rr): WKS (RFC 1035 3.4.2) as "ADDRESS PROTOCOL PORT...", all
 * numbers.  ldns names the protocol and ports through getprotobynumber
 * and getservbyport, one call per port (8.6 s for a full bitmap) and text
 * that depends on the host's /etc/services; its parser takes numbers.
 */
static int
cf_wks(struct canon_buf *b, const ldns_rr *rr)
{
	const uint8_t *d;
	size_t n, i;

	if (ldns_rr_rd_count(rr) != 2 || !rdf_is(rr, 0, 4) ||
	    ldns_rdf_size(ldns_rr_rdf(rr, 1)) < 1)
		return CF_NO;
	d = rdf_d(rr, 1);
	n = ldns_rdf_size(ldns_rr_rdf(rr, 1));
	if (n - 1 > 65536 / 8)
		return CF_NO;		/* ports above 65535 */
	if (cb_ipv4(b, rdf_d(rr, 0)) == -1 || cb_putc(b, ' ') == -1 ||
	    cb_uint(b, d[0]) == -1)
		return CF_NOMEM;
	for (i = 0; i < (n - 1) * 8; i++)
		if ((d[1 + i / 8] & (0x80 >> (i % 8))) &&
		    (cb_putc(b, ' ') == -1 || cb_uint(b, i) == -1))
			return CF_NOMEM;
	return CF_OK;
}

/*
 * canon_fast(b, rr): print the common types.  Returns CF_OK, CF_NO (not
 * a fast type or unexpected layout: nothing useful written), CF_RAW (the
 * data must be written in RFC 3597 form) or CF_NOMEM.  On anything but
 * CF_OK the caller truncates B back.
 */
static int
canon_fast(struct canon_buf *b, const ldns_rr *rr)
{
	static const size_t ds[] = { 2, 1, 1 }, sshfp[] = { 1, 1 },
	    tlsa[] = { 1, 1, 1 };
	size_t rd = ldns_rr_rd_count(rr);

	switch (ldns_rr_get_type(rr)) {
	case LDNS_RR_TYPE_A:
		if (rd != 1 || !rdf_is(rr, 0, 4))
			return CF_NO;
		return cb_ipv4(b, rdf_d(rr, 0)) == -1 ? CF_NOMEM : CF_OK;
	case LDNS_RR_TYPE_AAAA:
		if (rd != 1 || !rdf_is(rr, 0, 16))
			return CF_NO;
		return cb_ipv6(b, rdf_d(rr, 0)) == -1 ? CF_NOMEM : CF_OK;
	case LDNS_RR_TYPE_NS:
	case LDNS_RR_TYPE_CNAME:
	case LDNS_RR_TYPE_PTR:
	case LDNS_RR_TYPE_DNAME:
		return cf_ints_name(b, rr, 0);
	case LDNS_RR_TYPE_MX:
		return cf_ints_name(b, rr, 1);
	case LDNS_RR_TYPE_TXT:
	case LDNS_RR_TYPE_SPF:
		if (rd == 0)
			return CF_NO;
		return cf_strs(b, rr, 0, rd);
	case LDNS_RR_TYPE_SRV:
		return cf_ints_name(b, rr, 3);
	case LDNS_RR_TYPE_SOA:
		return cf_soa(b, rr);
	case LDNS_RR_TYPE_NAPTR:
		return cf_naptr(b, rr);
	case LDNS_RR_TYPE_CAA:
		return cf_caa(b, rr);
	case LDNS_RR_TYPE_DS:
		return cf_ints_hex(b, rr, ds, 3);
	case LDNS_RR_TYPE_SSHFP:
		return cf_ints_hex(b, rr, sshfp, 2);
	case LDNS_RR_TYPE_TLSA:
		return cf_ints_hex(b, rr, tlsa, 3);
	case LDNS_RR_TYPE_SVCB:
	case LDNS_RR_TYPE_HTTPS:
		return cf_svcb(b, rr);
	case LDNS_RR_TYPE_WKS:
		return cf_wks(b, rr);
	default:
		return CF_NO;
	}
}

/* canon_fast_type(type): canon_fast() handles TYPE. */
static int
canon_fast_type(uint16_t type)
{
	switch (type) {
	case LDNS_RR_TYPE_A: case LDNS_RR_TYPE_AAAA: case LDNS_RR_TYPE_NS:
	case LDNS_RR_TYPE_CNAME: case LDNS_RR_TYPE_PTR:
	case LDNS_RR_TYPE_DNAME: case LDNS_RR_TYPE_MX: case LDNS_RR_TYPE_TXT:
	case LDNS_RR_TYPE_SPF: case LDNS_RR_TYPE_SRV: case LDNS_RR_TYPE_SOA:
	case LDNS_RR_TYPE_NAPTR: case LDNS_RR_TYPE_CAA: case LDNS_RR_TYPE_DS:
	case LDNS_RR_TYPE_SSHFP: case LDNS_RR_TYPE_TLSA:
	case LDNS_RR_TYPE_SVCB: case LDNS_RR_TYPE_HTTPS:
	case LDNS_RR_TYPE_WKS:
		return 1;
	default:
		return 0;
	}
}

/* ---------------------------------------------------------------- */
/* slow path */

/* rr_wire_rdata(rr, &wb): RR's rdata in uncompressed wire form, in a new
 * ldns buffer (caller frees with ldns_buffer_free).  0 or -1. */
static int
rr_wire_rdata(const ldns_rr *rr, ldns_buffer **wb)
{
	*wb = ldns_buffer_new(512);
	if (*wb == NULL)
		return -1;
	if (ldns_rr_rdata2buffer_wire(*wb, rr) != LDNS_STATUS_OK ||
	    ldns_buffer_position(*wb) > 65535) {
		ldns_buffer_free(*wb);
		*wb = NULL;
		return -1;
	}
	return 0;
}

/* cb_rfc3597(b, d, n): "\# N hex" ("\# 0" when empty). */
static int
cb_rfc3597(struct canon_buf *b, const uint8_t *d, size_t n)
{
	if (cb_puts(b, "\\# ") == -1 || cb_uint(b, n) == -1)
		return -1;
	if (n == 0)
		return 0;
	if (cb_putc(b, ' ') == -1)
		return -1;
	return cb_hex(b, d, n);
}

/* rr_from_rdata(type, d, n): a fresh record of TYPE parsed by ldns from
 * wire rdata D (N octets), or NULL if ldns refuses it or leaves octets
 * unparsed. */
static ldns_rr *
rr_from_rdata(uint16_t type, const uint8_t *d, size_t n)
{
	uint8_t *wire = NULL;
	ldns_rr *rr = NULL;
	size_t pos = 0;

	wire = malloc(n + 2);
	rr = ldns_rr_new();
	if (wire == NULL || rr == NULL)
		goto fail;
	wire[0] = (uint8_t)(n >> 8);
	wire[1] = (uint8_t)n;
	if (n > 0)
		memcpy(wire + 2, d, n);
	ldns_rr_set_type(rr, (ldns_rr_type)type);
	ldns_rr_set_class(rr, LDNS_RR_CLASS_IN);
	if (ldns_wire2rdf(rr, wire, n + 2, &pos) != LDNS_STATUS_OK ||
	    pos != n + 2)
		goto fail;
	free(wire);
	return rr;
fail:
	free(wire);
	ldns_rr_free(rr);
	return NULL;
}

/* rdf_plain_text(b, rdf): ldns's text of RDF, normalised: whitespace runs
 * become one space, no leading or trailing space.  CF_RAW if ldns cannot
 * print it or the text holds an octet outside 0x20-0x7E. */
static int
rdf_plain_text(struct canon_buf *b, const ldns_rdf *rdf)
{
	ldns_buffer *tb = NULL;
	const char *s;
	size_t n, i, start = b->len;
	int space = 0, rc = CF_OK;

	tb = ldns_buffer_new(256);
	if (tb == NULL)
		return CF_NOMEM;
	if (ldns_rdf2buffer_str(tb, rdf) != LDNS_STATUS_OK ||
	    !ldns_buffer_status_ok(tb)) {
		rc = CF_RAW;
		goto out;
	}
	s = (const char *)ldns_buffer_begin(tb);
	n = ldns_buffer_position(tb);
	for (i = 0; i < n; i++) {
		unsigned c = (unsigned char)s[i];

		if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
			space = b->len > start;
			continue;
		}
		if (c < 0x21 || c > 0x7e) {
			rc = CF_RAW;
			goto out;
		}
		if ((space && cb_putc(b, ' ') == -1) ||
		    cb_putc(b, (char)c) == -1) {
			rc = CF_NOMEM;
			goto out;
		}
		space = 0;
	}
out:
	ldns_buffer_free(tb);
	return rc;
}

/* canon_fields(b, rr): rdf by rdf, for types without a fast printer;
 * fields separated by one space, a field with empty text left out. */
static int
canon_fields(struct canon_buf *b, const ldns_rr *rr)
{
	size_t i, rd = ldns_rr_rd_count(rr), start = b->len;

	for (i = 0; i < rd; i++) {
		const ldns_rdf *rdf = ldns_rr_rdf(rr, i);
		size_t mark = b->len, before;
		int rc;

		if (b->len > start && cb_putc(b, ' ') == -1)
			return CF_NOMEM;
		before = b->len;
		switch (ldns_rdf_get_type(rdf)) {
		case LDNS_RDF_TYPE_DNAME:
			rc = cf_name(b, rr, i);
			if (rc == CF_NO)
				rc = CF_RAW;
			break;
		case LDNS_RDF_TYPE_STR:
			rc = cf_strs(b, rr, i, i + 1);
			if (rc == CF_NO)
				rc = CF_RAW;
			break;
		case LDNS_RDF_TYPE_UNKNOWN:
		case LDNS_RDF_TYPE_NONE:
			rc = CF_RAW;
			break;
		default:
			rc = rdf_plain_text(b, rdf);
			break;
		}
		if (rc != CF_OK)
			return rc;
		if (b->len == before) {
			b->len = mark;
			b->p[b->len] = '\0';
		}
	}
	return CF_OK;
}

/* lower_name_at(d, n, off): lower-case A-Z in the uncompressed name at
 * D+OFF (within N octets); stops at the root label or anything odd. */
static void
lower_name_at(uint8_t *d, size_t n, size_t off)
{
	while (off < n) {
		size_t l = d[off], j;

		if (l == 0 || l > 63)
			return;
		for (j = 1; j <= l && off + j < n; j++)
			if (d[off + j] >= 'A' && d[off + j] <= 'Z')
				d[off + j] = (uint8_t)(d[off + j] + 32);
		off += l + 1;
	}
}

/*
 * lower_embedded_names(type, d, n): names that ldns keeps inside one
 * opaque field (the gateway of IPSECKEY, RFC 4025; the relay of AMTRELAY,
 * RFC 8777, both when their type octet says "domain name") are lowercased
 * in the wire rdata, so that SPEC 3 holds for them too.
 */
static void
lower_embedded_names(uint16_t type, uint8_t *d, size_t n)
{
	if (type == LDNS_RR_TYPE_IPSECKEY && n > 3 && d[1] == 3)
		lower_name_at(d, n, 3);
	else if (type == LDNS_RR_TYPE_AMTRELAY && n > 2 && (d[1] & 0x7f) == 3)
		lower_name_at(d, n, 2);
}

static int slow_checking;	/* canon_reparses() is running: no nesting */
static int type_mnemonic(uint16_t type, char *buf, size_t sz);

/*
 * canon_reparses(type, text, n): 1 if the N bytes of TEXT parse with ldns
 * as TYPE and give the same text again (so the text is presentation
 * format, and stable), else 0.  Only for the rare types whose fields ldns
 * prints: ldns accepts on the wire, and prints, data its own parser then
 * refuses (truncated fields, unknown APL families, unordered NSEC
 * bitmaps, ...).
 */
static int
canon_reparses(uint16_t type, const char *text, size_t n)
{
	char *copy = NULL, *again = NULL;
	int ok = 0;

	copy = malloc(n + 1);
	if (copy == NULL)
		return 0;
	memcpy(copy, text, n);
	copy[n] = '\0';
	slow_checking = 1;
	if (canon_from_text(type, copy, ".", &again, NULL) == 0 &&
	    strcmp(again, copy) == 0)
		ok = 1;
	slow_checking = 0;
	free(again);
	free(copy);
	return ok;
}

/* bitmap_ok(d, n, off): the NSEC/NSEC3 type bitmap at D+OFF fills the
 * rest of the N octets as windows in increasing order, each 1 to 32
 * octets long (RFC 4034 4.1.2): ldns prints other bitmaps, but its
 * parser sorts the types and gives different text. */
static int
bitmap_ok(const uint8_t *d, size_t n, size_t off)
{
	int prev = -1;

	while (off < n) {
		if (n - off < 2 || (int)d[off] <= prev || d[off + 1] < 1 ||
		    d[off + 1] > 32 || d[off + 1] > n - off - 2)
			return 0;
		prev = d[off];
		off += 2 + (size_t)d[off + 1];
	}
	return 1;
}

/* times_ok(text, len): the expiration and inception of RRSIG/SIG text
 * (fields 5 and 6) lie in 1970 or later.  ldns prints a 32-bit time as
 * the date nearest to today (RFC 4034 3.1.5), which may fall before the
 * epoch; its parser refuses such dates. */
static int
times_ok(const char *text, size_t len)
{
	size_t i, field = 0;

	for (i = 0; i < len; i++) {
		if (text[i] != ' ')
			continue;
		field++;
		if ((field == 4 || field == 5) &&
		    (len - i - 1 < 4 || strncmp(text + i + 1, "1970", 4) < 0))
			return 0;
	}
	return field >= 5;
}

/*
 * dnssec_parses_back(type, d, n, text, len): the cheap stand-in for
 * canon_reparses() for the DNSSEC types, which skip it (signed zones
 * have many): 0 for the data whose TEXT ldns prints but cannot parse
 * back (SPEC 4 promises it can): the cases above, and an NSEC3 whose
 * next hashed owner is empty (nothing to print in base32hex) or not a
 * multiple of 5 octets long: ldns prints it padded ("lelg===="), and its
 * parser rounds a padded field up to 5 octets (found by fuzzing).  D is
 * the uncompressed wire RDATA, N octets.
 */
static int
dnssec_parses_back(uint16_t type, const uint8_t *d, size_t n,
    const char *text, size_t len)
{
	size_t off = 0;

	switch (type) {
	case LDNS_RR_TYPE_NSEC:
		while (off < n && d[off] != 0 && d[off] <= 63)
			off += (size_t)d[off] + 1;
		return off < n && d[off] == 0 && bitmap_ok(d, n, off + 1);
	case LDNS_RR_TYPE_NSEC3:
		if (n < 5 || (off = 5 + (size_t)d[4]) >= n || d[off] == 0 ||
		    d[off] % 5 != 0 || n - off - 1 < d[off])
			return 0;
		return bitmap_ok(d, n, off + 1 + (size_t)d[off]);
	case LDNS_RR_TYPE_RRSIG:
	case LDNS_RR_TYPE_SIG:
		return times_ok(text, len);
	default:
		return 1;
	}
}

/*
 * canon_slow(b, rr): see the top of the file.  Writes RFC 3597 form when
 * nothing better is safe.  CF_OK or CF_NOMEM (or -1 if RR cannot even be
 * turned into wire form).
 */
static int
canon_slow(struct canon_buf *b, const ldns_rr *rr)
{
	ldns_buffer *wb = NULL;
	ldns_rr *fresh = NULL;
	const ldns_rr_descriptor *desc;
	uint8_t *d;
	size_t n, start = b->len;
	uint16_t type = (uint16_t)ldns_rr_get_type(rr);
	char tname[32];
	int rc = CF_RAW;

	if (rr_wire_rdata(rr, &wb) == -1)
		return -1;
	d = ldns_buffer_begin(wb);
	n = ldns_buffer_position(wb);
	lower_embedded_names(type, d, n);
	desc = ldns_rr_descript(type);
	if (n > 0 && desc != NULL &&
	    type_mnemonic(type, tname, sizeof(tname)) > 0)
		fresh = rr_from_rdata(type, d, n);
	/* ldns stops parsing where the data ends: fewer fields than the
	 * type has is a truncated record */
	if (fresh != NULL &&
	    ldns_rr_rd_count(fresh) < ldns_rr_descriptor_minimum(desc))
		rc = CF_RAW;
	else if (fresh != NULL) {
		rc = canon_fast_type(type) ? canon_fast(b, fresh) :
		    canon_fields(b, fresh);
		if (rc == CF_NO)
			rc = CF_RAW;
		/* the text must be one non-empty field that cannot be taken
		 * for an @-field */
		if (rc == CF_OK && (b->len == start || b->p[start] == '@'))
			rc = CF_RAW;
		/* DNSSEC types get a cheaper check: signed zones have many,
		 * they are never sent to Route 53, and servers check them on
		 * load */
		if (rc == CF_OK && canon_is_dnssec(type) &&
		    !dnssec_parses_back(type, d, n, b->p + start,
		    b->len - start))
			rc = CF_RAW;
		else if (rc == CF_OK && !canon_fast_type(type) &&
		    !canon_is_dnssec(type) && !slow_checking &&
		    !canon_reparses(type, b->p + start, b->len - start))
			rc = CF_RAW;
	}
	if (rc == CF_RAW) {
		b->len = start;
		rc = cb_rfc3597(b, d, n) == -1 ? CF_NOMEM : CF_OK;
	}
	ldns_rr_free(fresh);
	ldns_buffer_free(wb);
	return rc;
}

int
canon_rdata_buf(const ldns_rr *rr, struct canon_buf *out)
{
	size_t start = out->len;
	int rc;

	if (rr == NULL)
		return -1;
	if (cb_room(out, 0) == -1)
		return -1;
	rc = canon_fast(out, rr);
	if (rc != CF_OK) {
		cb_truncate(out, start);
		if (rc == CF_NOMEM)
			return -1;
		rc = canon_slow(out, rr);
	}
	if (rc != CF_OK) {
		cb_truncate(out, start);
		return -1;
	}
	return 0;
}

int
canon_rdata(const ldns_rr *rr, char **out)
{
	struct canon_buf b = CANON_BUF_INIT;

	*out = NULL;
	if (canon_rdata_buf(rr, &b) == -1) {
		canon_buf_free(&b);
		return -1;
	}
	*out = b.p;	/* caller frees */
	return 0;
}

/* ---------------------------------------------------------------- */
/* wire path (canon_rdata_wire) */

/*
 * The RDATA of one record read straight from its DNS message, for the
 * types that make up nearly all of a large zone; no ldns record and no
 * allocation.  Names inside RDATA may be compression pointers into the
 * message (RFC 1035 4.1.4).  The printers are the cb_* ones of the fast
 * path, so the text is exactly what canon_fast() prints for the record
 * ldns would build; tests/21-zxfr-servers.bats (R53M_ZXFR_SLOW=1) and
 * tests/20-canon.bats (canon_test msgrdata) compare the two.  Anything
 * unexpected returns CF_NO and canon_rdata_wire() asks ldns instead.
 */
struct wrd {
	const uint8_t *m;		/* the whole message */
	size_t pos;			/* next RDATA octet */
	size_t end;			/* first octet after the RDATA */
};

/*
 * wrd_name(b, w): the name at w->pos as canonical text (cf_name); w->pos
 * moves past it.  name_wire_read() decompresses it, bounded by w->end:
 * labels, even those reached through a pointer, must lie before the end
 * of the RDATA.  Anything it refuses returns CF_NO (ldns then decides).
 */
static int
wrd_name(struct canon_buf *b, struct wrd *w)
{
	uint8_t name[NAME_WIRE_MAX];
	size_t len = 0;

	if (name_wire_read(w->m, w->end, &w->pos, name, &len) != NAME_OK)
		return CF_NO;
	return cf_wname(b, name, len);
}

/* wrd_ints(b, w, n, size, last_sep): N big-endian integers of SIZE (2 or
 * 4) octets, space separated; a space after the last one too if
 * LAST_SEP (cf_u16s writes "N " before a name). */
static int
wrd_ints(struct canon_buf *b, struct wrd *w, size_t n, size_t size,
    int last_sep)
{
	size_t i;

	for (i = 0; i < n; i++) {
		const uint8_t *d = w->m + w->pos;

		if (w->end - w->pos < size)
			return CF_NO;
		if (cb_uint(b, size == 2 ? be16(d) : be32(d)) == -1 ||
		    ((i + 1 < n || last_sep) && cb_putc(b, ' ') == -1))
			return CF_NOMEM;
		w->pos += size;
	}
	return CF_OK;
}

/* wrd_ints_name(b, w, n): N 16-bit integers then one name, which must
 * end the RDATA (NS CNAME PTR DNAME MX SRV). */
static int
wrd_ints_name(struct canon_buf *b, struct wrd *w, size_t n)
{
	int rc;

	if ((rc = wrd_ints(b, w, n, 2, 1)) != CF_OK ||
	    (rc = wrd_name(b, w)) != CF_OK)
		return rc;
	return w->pos == w->end ? CF_OK : CF_NO;
}

static int
wrd_soa(struct canon_buf *b, struct wrd *w)
{
	int rc;

	if ((rc = wrd_name(b, w)) != CF_OK)
		return rc;
	if (cb_putc(b, ' ') == -1)
		return CF_NOMEM;
	if ((rc = wrd_name(b, w)) != CF_OK)
		return rc;
	if (w->end - w->pos != 20)
		return CF_NO;
	if (cb_putc(b, ' ') == -1)
		return CF_NOMEM;
	return wrd_ints(b, w, 5, 4, 0);
}

/* wrd_strs(b, w): one or more character-strings filling the RDATA, space
 * separated (cf_strs). */
static int
wrd_strs(struct canon_buf *b, struct wrd *w)
{
	size_t first = w->pos;

	if (w->pos == w->end)
		return CF_NO;
	while (w->pos < w->end) {
		size_t l = w->m[w->pos];

		if (w->end - w->pos < l + 1)
			return CF_NO;
		if ((w->pos > first && cb_putc(b, ' ') == -1) ||
		    cb_cstr(b, w->m + w->pos + 1, l) == -1)
			return CF_NOMEM;
		w->pos += l + 1;
	}
	return CF_OK;
}

/* wrd_fast(b, type, w): the wire printers; CF_NO for any other type or
 * layout. */
static int
wrd_fast(struct canon_buf *b, uint16_t type, struct wrd *w)
{
	size_t n = w->end - w->pos;

	switch (type) {
	case LDNS_RR_TYPE_A:
		if (n != 4)
			return CF_NO;
		return cb_ipv4(b, w->m + w->pos) == -1 ? CF_NOMEM : CF_OK;
	case LDNS_RR_TYPE_AAAA:
		if (n != 16)
			return CF_NO;
		return cb_ipv6(b, w->m + w->pos) == -1 ? CF_NOMEM : CF_OK;
	case LDNS_RR_TYPE_NS:
	case LDNS_RR_TYPE_CNAME:
	case LDNS_RR_TYPE_PTR:
	case LDNS_RR_TYPE_DNAME:
		return wrd_ints_name(b, w, 0);
	case LDNS_RR_TYPE_MX:
		return wrd_ints_name(b, w, 1);
	case LDNS_RR_TYPE_SRV:
		return wrd_ints_name(b, w, 3);
	case LDNS_RR_TYPE_SOA:
		return wrd_soa(b, w);
	case LDNS_RR_TYPE_TXT:
	case LDNS_RR_TYPE_SPF:
		return wrd_strs(b, w);
	default:
		return CF_NO;
	}
}

/* canon_wire_ldns(type, msg, msglen, rdata_off, out): ldns parses the
 * RDATA (from its RDLENGTH octets, names decompressed against the whole
 * message, as ldns_wire2rr() does) and canon_rdata_buf() prints it.
 * ldns_wire2rdf() stops where the type's fields end, which may be short
 * of RDLENGTH (junk after an A or an MX) or past it (a name running on
 * into the next record): the RDATA must be consumed exactly. */
static int
canon_wire_ldns(uint16_t type, const uint8_t *msg, size_t msglen,
    size_t rdata_off, struct canon_buf *out)
{
	ldns_rr *rr = NULL;
	size_t pos = rdata_off - 2;
	size_t end = rdata_off + be16(msg + rdata_off - 2);
	int rc = -1;

	if ((rr = ldns_rr_new()) == NULL)
		return -1;
	ldns_rr_set_type(rr, (ldns_rr_type)type);
	ldns_rr_set_class(rr, LDNS_RR_CLASS_IN);
	if (ldns_wire2rdf(rr, msg, msglen, &pos) == LDNS_STATUS_OK &&
	    pos == end)
		rc = canon_rdata_buf(rr, out);
	ldns_rr_free(rr);
	return rc;
}

/* wire_args_ok(msg, msglen, rdata_off, rdlen): the RDATA lies inside the
 * message right after a RDLENGTH field that says RDLEN (canon.h). */
static int
wire_args_ok(const uint8_t *msg, size_t msglen, size_t rdata_off,
    size_t rdlen)
{
	return msg != NULL && rdata_off >= 2 && rdata_off <= msglen &&
	    rdlen <= msglen - rdata_off &&
	    be16(msg + rdata_off - 2) == rdlen;
}

int
canon_rdata_wire(uint16_t type, const uint8_t *msg, size_t msglen,
    size_t rdata_off, size_t rdlen, struct canon_buf *out)
{
	struct wrd w;
	size_t start;
	int rc;

	if (!wire_args_ok(msg, msglen, rdata_off, rdlen))
		return -1;
	if (cb_room(out, 0) == -1)
		return -1;
	start = out->len;
	w.m = msg;
	w.pos = rdata_off;
	w.end = rdata_off + rdlen;
	rc = wrd_fast(out, type, &w);
	if (rc == CF_OK)
		return 0;
	cb_truncate(out, start);
	if (rc == CF_NOMEM)
		return -1;
	return canon_wire_ldns(type, msg, msglen, rdata_off, out);
}

int
canon_rdata_wire_ldns(uint16_t type, const uint8_t *msg, size_t msglen,
    size_t rdata_off, size_t rdlen, struct canon_buf *out)
{
	if (!wire_args_ok(msg, msglen, rdata_off, rdlen))
		return -1;
	return canon_wire_ldns(type, msg, msglen, rdata_off, out);
}

int
canon_rr_owner_flags(const ldns_rr *rr, char *out, size_t outsz,
    unsigned *flags)
{
	int n;

	if (rr == NULL || ldns_rr_owner(rr) == NULL)
		return -1;
	n = name_canon_rdf(ldns_rr_owner(rr), out, outsz, flags);
	return n < 0 ? -1 : n;
}

/* ---------------------------------------------------------------- */
/* types */

/*
 * type_mnemonic(type, buf, sz): ldns's mnemonic of TYPE into BUF; returns
 * its length, 0 if ldns knows no record type TYPE, -1 if SZ is too small
 * or out of memory.  Only the public API (ldns_rr_type2str), no look
 * into ldns's descriptor structs; the query-only types 251..255 (IXFR
 * AXFR MAILB MAILA ANY), which ldns names but cannot hold as records,
 * count as unknown.
 */
static int
type_mnemonic(uint16_t type, char *buf, size_t sz)
{
	char *s = NULL;
	int n = 0;

	if (type >= 251 && type <= 255)
		return 0;
	if ((s = ldns_rr_type2str((ldns_rr_type)type)) == NULL)
		return -1;
	/* ldns writes "TYPEnnn" for a type it does not know */
	if (strncmp(s, "TYPE", 4) != 0) {
		n = snprintf(buf, sz, "%s", s);
		if (n < 0 || (size_t)n >= sz)
			n = -1;
	}
	free(s);
	return n;
}

int
canon_type_name(uint16_t type, char *buf, size_t sz)
{
	int n = type_mnemonic(type, buf, sz);

	if (n != 0)
		return n;
	n = snprintf(buf, sz, "TYPE%u", (unsigned)type);
	if (n < 0 || (size_t)n >= sz)
		return -1;
	return n;
}

int
canon_type_from_name(const char *text, uint16_t *type)
{
	char buf[16];
	ldns_rr_type t;
	size_t i;

	if (text == NULL || *text == '\0')
		return -1;
	if (strncasecmp(text, "TYPE", 4) == 0 && text[4] >= '0' &&
	    text[4] <= '9') {
		unsigned long v = 0;

		if (text[4] == '0' && text[5] != '\0')
			return -1;	/* leading zero */
		for (i = 4; text[i] != '\0'; i++) {
			if (text[i] < '0' || text[i] > '9' || i > 8)
				return -1;
			v = v * 10 + (unsigned long)(text[i] - '0');
		}
		if (v > 65535)
			return -1;
		*type = (uint16_t)v;
		return 0;
	}
	t = ldns_get_rr_type_by_name(text);
	if (t == 0)
		return -1;
	/* refuse names ldns accepts but that are not its mnemonic, so that
	 * the name round-trips through canon_type_name() */
	if (canon_type_name((uint16_t)t, buf, sizeof(buf)) < 0 ||
	    strcasecmp(buf, text) != 0)
		return -1;
	*type = (uint16_t)t;
	return 0;
}

/* canon_r53_storable, canon_is_dnssec: the record-type table's answers
 * (rrtypes.c), kept here for canon's callers. */
int
canon_r53_storable(uint16_t type)
{
	return rrtype_has(type, RRT_R53);
}

int
canon_is_dnssec(uint16_t type)
{
	return rrtype_has(type, RRT_DNSSEC);
}

/* ---------------------------------------------------------------- */
/* text input, verification, Route 53 values */

/* set_err(err, fmt, ...): *err = malloc'd message (if ERR). */
static void set_err(char **err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
set_err(char **err, const char *fmt, ...)
{
	va_list ap;
	char buf[512];

	if (err == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	free(*err);
	*err = strdup(buf);
}

/*
 * at_label(p): P starts a word whose first label is the single octet '@'
 * (raw, or escaped "\064" or "\@"; then '.', a space or the end).  ldns
 * 1.8.3 takes such a name for "@", the origin, and drops the rest of it
 * (`\064.example.com.` becomes `.`), so it must be refused rather than
 * silently misread.
 */
static int
at_label(const char *p)
{
	size_t n;

	if (strncmp(p, "\\064", 4) == 0)
		n = 4;
	else if (strncmp(p, "\\@", 2) == 0)
		n = 2;
	else if (p[0] == '@')
		n = 1;		/* raw: ldns reads it as the origin too */
	else
		return 0;
	return p[n] == '\0' || p[n] == '.' || p[n] == ' ' || p[n] == '\t';
}

/*
 * text_check(text, tname, err): refuse what ldns would silently take for
 * zone-file syntax instead of data: line breaks, an unterminated quoted
 * string, and ';' (comment) or '(' ')' (line grouping) outside quotes.
 */
static int
text_check(const char *text, const char *tname, char **err)
{
	const char *p;
	int quoted = 0;

	for (p = text; *p != '\0'; p++) {
		if (*p == '\n' || *p == '\r') {
			set_err(err, "%s: line break in rdata", tname);
			return -1;
		}
		if (!quoted && (p == text || p[-1] == ' ' || p[-1] == '\t') &&
		    at_label(p)) {
			set_err(err, "%s: a name whose first label is '@' "
			    "(ldns would read it as the origin) in rdata "
			    "\"%s\"", tname, text);
			return -1;
		}
		if (*p == '\\') {
			if (p[1] == '\0')
				break;	/* reported by the parser */
			p++;
			continue;
		}
		if (*p == '"')
			quoted = !quoted;
		else if (!quoted && (*p == ';' || *p == '(' || *p == ')')) {
			set_err(err, "%s: unquoted '%c' in rdata \"%s\"", tname,
			    *p, text);
			return -1;
		}
	}
	if (quoted) {
		set_err(err, "%s: unterminated quoted string in rdata \"%s\"",
		    tname, text);
		return -1;
	}
	return 0;
}

/*
 * rfc3597_ok(text): TEXT in RFC 3597 form is exactly "\# LEN" and LEN
 * octets of hex (in any number of runs).  ldns reads malformed forms
 * (e.g. "\# \keyf Key1") as some record whose own RFC 3597 text it then
 * refuses (found by fuzzing, issue 10), so they are refused first.
 */
static int
rfc3597_ok(const char *text)
{
	const char *p = text + 2;
	unsigned long len = 0, digits = 0;

	if (*p != ' ')
		return 0;
	for (p++; *p >= '0' && *p <= '9' && len <= 65535; p++)
		len = len * 10 + (unsigned long)(*p - '0');
	if (p == text + 3 || len > 65535 || (*p != ' ' && *p != '\0'))
		return 0;
	for (; *p != '\0'; p++) {
		if ((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f') ||
		    (*p >= 'A' && *p <= 'F'))
			digits++;
		else if (*p != ' ')
			return 0;
	}
	return digits == 2 * len;
}

/*
 * wks_numeric(text): the WKS record of TEXT in the all-numbers form
 * cf_wks() writes ("ADDRESS PROTOCOL PORT..."), built without ldns's
 * parser, which looks every port up in /etc/services (seconds for a full
 * bitmap) and cannot read a long list back.  NULL if TEXT is not in that
 * form: ldns then reads it (service and protocol names, other spacing).
 */
static ldns_rr *
wks_numeric(const char *text)
{
	uint8_t d[4 + 1 + 65536 / 8];
	char addr[16], *end;
	const char *p = text;
	size_t n = 5, len = strcspn(text, " ");
	unsigned long v;
	int field;

	if (len == 0 || len >= sizeof(addr))
		return NULL;
	memcpy(addr, p, len);
	addr[len] = '\0';
	memset(d, 0, sizeof(d));
	if (inet_pton(AF_INET, addr, d) != 1)
		return NULL;
	for (p += len, field = 0; *p == ' '; field++) {
		p++;
		if (*p < '0' || *p > '9')
			return NULL;
		v = strtoul(p, &end, 10);
		if (end - p > 5 || v > (field == 0 ? 255UL : 65535UL) ||
		    (*end != ' ' && *end != '\0'))
			return NULL;
		p = end;
		if (field == 0) {
			d[4] = (uint8_t)v;
			continue;
		}
		d[5 + v / 8] |= (uint8_t)(0x80 >> (v % 8));
		if (n < 5 + v / 8 + 1)
			n = 5 + v / 8 + 1;
	}
	if (*p != '\0' || field == 0)
		return NULL;
	return rr_from_rdata(LDNS_RR_TYPE_WKS, d, n);
}

/*
 * Text fast path.  Every ldns_rr_new_frm_str() call allocates and frees
 * about 192 KiB of scratch (three 64 KiB token buffers); glibc gives
 * that back to the system after each record and takes it again for the
 * next (brk), which was most of r53dump's CPU.  For the types that make
 * up nearly every hosted zone, tf_rr() splits the fields itself, exactly
 * as ldns_bget_token() splits the input it accepts, and parses each with
 * ldns_rdf_new_frm_str(), the function ldns_rr_new_frm_str() calls per
 * field, with the same origin rule for names.  Anything else (a quote
 * outside a TXT string, "\#", a name whose first label is '@', more or
 * fewer fields than the type has, a field ldns refuses) gives NULL and
 * ldns_rr_new_frm_str() decides, error messages included.
 * R53M_CANON_SLOW=1 in the environment turns the fast path off, so that
 * the tests can compare the two (tests/51-r53dump-values.bats).
 */
#define TF_MAX 4096		/* longer text: ldns (Route 53 allows 4000) */

static int
tf_enabled(void)
{
	static int on = -1;
	const char *e;

	if (on == -1) {
		e = getenv("R53M_CANON_SLOW");
		on = e == NULL || strcmp(e, "1") != 0;
	}
	return on;
}

static int
tf_type(uint16_t type)
{
	switch (type) {
	case LDNS_RR_TYPE_A: case LDNS_RR_TYPE_AAAA: case LDNS_RR_TYPE_NS:
	case LDNS_RR_TYPE_CNAME: case LDNS_RR_TYPE_PTR: case LDNS_RR_TYPE_MX:
	case LDNS_RR_TYPE_SRV: case LDNS_RR_TYPE_SOA: case LDNS_RR_TYPE_TXT:
	case LDNS_RR_TYPE_SPF:
		return 1;
	default:
		return 0;
	}
}

/*
 * tf_token(pp, tok, may_quote): the next field at *PP into TOK (TF_MAX
 * bytes) as ldns_bget_token() reads it: blanks skipped; a backslash
 * keeps the next octet, whatever it is, in the field; with MAY_QUOTE a
 * field may be one quoted string (TOK gets what lies between the quotes,
 * escapes as written), which must be followed by a blank or the end.
 * Returns 1 (a field), 0 (no more fields) or -1 (input for ldns).
 */
static int
tf_token(const char **pp, char *tok, int may_quote)
{
	const char *p = *pp;
	size_t n = 0;
	int quoted = 0;

	while (*p == ' ' || *p == '\t')
		p++;
	if (*p == '\0')
		return 0;
	if (*p == '"') {
		if (!may_quote)
			return -1;
		quoted = 1;
		p++;
	} else if (p[0] == '\\' && p[1] == '#')
		return -1;
	for (;; p++) {
		if (*p == '\0') {
			if (quoted)
				return -1;
			break;
		}
		if (quoted ? *p == '"' : (*p == ' ' || *p == '\t'))
			break;
		if (*p == '"')
			return -1;
		if (*p == '\\') {
			if (p[1] == '\0')
				return -1;
			tok[n++] = *p++;
		}
		tok[n++] = *p;
	}
	tok[n] = '\0';
	if (quoted && (*++p != ' ' && *p != '\t' && *p != '\0'))
		return -1;
	*pp = p;
	return 1;
}

/* tf_field(ft, tok, origin): one field parsed as ldns_rr_new_frm_str()
 * parses it, or NULL. */
static ldns_rdf *
tf_field(ldns_rdf_type ft, const char *tok, const ldns_rdf *origin)
{
	ldns_rdf *r = ldns_rdf_new_frm_str(ft, tok);

	if (r == NULL || ft != LDNS_RDF_TYPE_DNAME)
		return r;
	if (ldns_rdf_size(r) > 1 && ldns_rdf_data(r)[0] == 1 &&
	    ldns_rdf_data(r)[1] == '@') {
		ldns_rdf_deep_free(r);	/* ldns's origin rule: leave it to ldns */
		return NULL;
	}
	if (*tok != '\0' && !ldns_dname_str_absolute(tok) &&
	    ldns_dname_cat(r, origin) != LDNS_STATUS_OK) {
		ldns_rdf_deep_free(r);
		return NULL;
	}
	return r;
}

/* tf_rr(type, text, origin): the record of TEXT, or NULL (ask ldns). */
static ldns_rr *
tf_rr(uint16_t type, const char *text, const ldns_rdf *origin)
{
	const ldns_rr_descriptor *desc = ldns_rr_descript(type);
	const char *p = text;
	char tok[TF_MAX];
	ldns_rdf_type ft;
	ldns_rdf *r;
	ldns_rr *rr;
	size_t i;
	int t;

	if (!tf_enabled() || !tf_type(type) || desc == NULL ||
	    strlen(text) >= TF_MAX || (rr = ldns_rr_new()) == NULL)
		return NULL;
	ldns_rr_set_type(rr, (ldns_rr_type)type);
	ldns_rr_set_class(rr, LDNS_RR_CLASS_IN);
	for (i = 0;; i++) {
		/* past the last field (ldns asserts on its index): the end */
		ft = i < ldns_rr_descriptor_maximum(desc) ?
		    ldns_rr_descriptor_field_type(desc, i) : LDNS_RDF_TYPE_NONE;
		t = tf_token(&p, tok, ft == LDNS_RDF_TYPE_STR);
		if (t == 0)
			break;
		if (t == -1 || ft == LDNS_RDF_TYPE_NONE ||
		    (r = tf_field(ft, tok, origin)) == NULL)
			goto fail;
		if (!ldns_rr_push_rdf(rr, r)) {
			ldns_rdf_deep_free(r);
			goto fail;
		}
	}
	if (i >= ldns_rr_descriptor_minimum(desc) && i > 0)
		return rr;
fail:
	ldns_rr_free(rr);
	return NULL;
}

int
canon_from_text(uint16_t type, const char *text, const char *origin,
    char **out, char **err)
{
	struct canon_buf line = CANON_BUF_INIT;
	ldns_rdf *org = NULL;
	ldns_rr *rr = NULL;
	ldns_status s;
	char tname[16];
	int rc = -1;

	*out = NULL;
	canon_type_name(type, tname, sizeof(tname));
	if (text == NULL || *text == '\0') {
		set_err(err, "%s: empty rdata", tname);
		goto fail;
	}
	if (text_check(text, tname, err) == -1)
		goto fail;
	if (strncmp(text, "\\#", 2) == 0 && !rfc3597_ok(text)) {
		set_err(err, "%s: malformed RFC 3597 rdata \"%s\"", tname, text);
		goto fail;
	}
	org = ldns_dname_new_frm_str(origin != NULL ? origin : ".");
	if (org == NULL) {
		set_err(err, "bad origin");
		goto fail;
	}
	if (cb_puts(&line, ". 0 IN ") == -1 || cb_puts(&line, tname) == -1 ||
	    cb_putc(&line, ' ') == -1 || cb_puts(&line, text) == -1) {
		set_err(err, "out of memory");
		goto fail;
	}
	if ((rr = tf_rr(type, text, org)) != NULL)
		s = LDNS_STATUS_OK;
	else if (type == LDNS_RR_TYPE_WKS && (rr = wks_numeric(text)) != NULL)
		s = LDNS_STATUS_OK;
	else
		s = ldns_rr_new_frm_str(&rr, line.p, 0, org, NULL);
	if (s != LDNS_STATUS_OK || rr == NULL) {
		set_err(err, "%s: cannot parse rdata \"%s\": %s", tname, text,
		    ldns_get_errorstr_by_id(s));
		goto fail;
	}
	if (ldns_rr_get_type(rr) != type) {
		set_err(err, "%s: rdata parsed as another type", tname);
		goto fail;
	}
	canon_buf_reset(&line);
	if (canon_rdata_buf(rr, &line) == -1) {
		set_err(err, "%s: cannot convert rdata", tname);
		goto fail;
	}
	/* ldns can build RDATA that its own parser refuses: NSEC3's next
	 * hash "2t7b4g4vsa5smi4n=" and a stray octet gave a length octet
	 * of 11 before 10 octets (fuzzing).  Written RFC 3597 it would not
	 * parse back, so such text is refused.  Text already in RFC 3597
	 * form was parsed as such: no second look, and no recursion. */
	if (strncmp(text, "\\#", 2) != 0 && strncmp(line.p, "\\# ", 3) == 0 &&
	    canon_verify(type, line.p, line.len, NULL) != 0) {
		set_err(err, "%s: cannot parse rdata \"%s\": ldns builds "
		    "malformed RDATA from it", tname, text);
		goto fail;
	}
	*out = line.p;	/* caller frees */
	line.p = NULL;
	rc = 0;
fail:
	canon_buf_free(&line);
	ldns_rr_free(rr);
	ldns_rdf_deep_free(org);
	return rc;
}

int
canon_verify(uint16_t type, const char *text, size_t len, char **err)
{
	char *copy = NULL, *canon = NULL;
	char tname[16];
	int rc = -1;

	canon_type_name(type, tname, sizeof(tname));
	copy = malloc(len + 1);
	if (copy == NULL) {
		set_err(err, "out of memory");
		return -1;
	}
	memcpy(copy, text, len);
	copy[len] = '\0';
	if (strlen(copy) != len) {
		set_err(err, "%s: NUL in rdata", tname);
		goto out;
	}
	if (canon_from_text(type, copy, ".", &canon, err) == -1)
		goto out;
	if (strcmp(canon, copy) != 0) {
		set_err(err, "%s: rdata not canonical: '%s' should be '%s'",
		    tname, copy, canon);
		goto out;
	}
	rc = 0;
out:
	free(copy);
	free(canon);
	return rc;
}

/*
 * convert_escapes(in, from_octal, out, err): copy IN rewriting every
 * "\" + three digits from octal to decimal (FROM_OCTAL) or from decimal
 * to octal; "\" + any other octet is copied as is.  *out malloc'd.
 */
static int
convert_escapes(const char *in, int from_octal, char **out, char **err,
    const char *tname)
{
	size_t n = strlen(in), i, o = 0;
	char *s;

	*out = NULL;
	s = malloc(n + 1);	/* both forms have the same length */
	if (s == NULL) {
		set_err(err, "out of memory");
		return -1;
	}
	for (i = 0; i < n; i++) {
		unsigned v = 0, base = from_octal ? 8 : 10, j;
		char maxd = from_octal ? '7' : '9';

		if (in[i] != '\\') {
			s[o++] = in[i];
			continue;
		}
		if (i + 1 >= n) {
			set_err(err, "%s: backslash at end of value", tname);
			goto fail;
		}
		if (in[i + 1] < '0' || in[i + 1] > '9') {
			s[o++] = in[i++];
			s[o++] = in[i];
			continue;
		}
		for (j = 1; j <= 3; j++) {
			if (i + j >= n || in[i + j] < '0' || in[i + j] > maxd) {
				set_err(err, "%s: bad %s escape at \"%.5s\"",
				    tname, from_octal ? "octal" : "decimal",
				    in + i);
				goto fail;
			}
			v = v * base + (unsigned)(in[i + j] - '0');
		}
		if (v > 255) {
			set_err(err, "%s: escape out of range at \"%.5s\"",
			    tname, in + i);
			goto fail;
		}
		esc3(s + o, v, from_octal ? 10 : 8);
		o += 4;
		i += 3;
	}
	s[o] = '\0';
	*out = s;
	return 0;
fail:
	free(s);
	return -1;
}

int
canon_from_r53value(uint16_t type, const char *value, const char *origin,
    char **out, char **err)
{
	char *pres = NULL;
	char tname[16];
	int rc;

	*out = NULL;
	canon_type_name(type, tname, sizeof(tname));
	if (!canon_r53_storable(type)) {
		set_err(err, "%s: not a type Route 53 stores", tname);
		return -1;
	}
	if (value == NULL) {
		set_err(err, "%s: no value", tname);
		return -1;
	}
	if (convert_escapes(value, 1, &pres, err, tname) == -1)
		return -1;
	/* Route 53 serves every name of a value as absolute: parse relative
	 * to the root, never to the zone (ORIGIN only names the zone in
	 * messages). */
	rc = canon_from_text(type, pres, ".", out, err);
	if (rc == -1 && err != NULL && *err != NULL && origin != NULL) {
		char *e = *err;

		*err = NULL;
		set_err(err, "%s (value \"%s\" in zone %s)", e, value, origin);
		free(e);
	}
	free(pres);
	return rc;
}

int
canon_to_r53value(uint16_t type, const char *canon, char **out)
{
	char *err = NULL;

	*out = NULL;
	if (!canon_r53_storable(type) || canon == NULL)
		return -1;
	if (canon_verify(type, canon, strlen(canon), &err) == -1) {
		free(err);
		return -1;
	}
	return canon_to_r53value_trusted(type, canon, out);
}

int
canon_to_r53value_trusted(uint16_t type, const char *canon, char **out)
{
	char *err = NULL;
	char tname[16];

	*out = NULL;
	canon_type_name(type, tname, sizeof(tname));
	if (!canon_r53_storable(type) || canon == NULL)
		return -1;
	/* Route 53 has no RFC 3597 syntax: such data cannot be sent */
	if (canon[0] == '\\' && canon[1] == '#')
		return -1;
	if (convert_escapes(canon, 0, out, &err, tname) == -1) {
		free(err);
		return -1;
	}
	return 0;
}

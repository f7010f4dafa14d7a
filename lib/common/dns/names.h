/*
 * names.h: the one place where domain names become canonical text
 * (format/SPEC.md section 3), and where the decimal \DDD escapes of DNS
 * presentation format and the OCTAL \ooo escapes of Route 53 are
 * converted.  No other module escapes or unescapes a name.
 *
 * Canonical name text (SPEC 3), in short: absolute (ends with "."; the
 * root is "."), A-Z written a-z, octets a-z 0-9 _ / written raw, "-" raw
 * except as the first octet of a label, a label that is exactly "*"
 * written "*", every other octet "\DDD" (three decimal digits).  Every
 * name has exactly one canonical text, so names compare with strcmp().
 *
 * Route 53 text (what r53apply sends, name_to_r53): the canonical text
 * with every "\DDD" rewritten as the same octet in octal "\ooo".  So the
 * octets Route 53 requires escaped (000-040, 177-377, "." inside a label)
 * are escaped, and so is every other octet the canonical form escapes
 * ("*" inside a longer label, "\", "\"", "#", ...); a wildcard label is
 * sent as a raw "*", "/" (RFC 2317) raw.
 *
 * Return values: the int functions return NAME_OK (0) or a negative
 * enum name_err; name_strerror() gives a short English text for messages.
 * Strings returned through char **out are malloc'd: the caller frees.
 */
#ifndef R53M_NAMES_H
#define R53M_NAMES_H

#include <stddef.h>
#include <stdint.h>

#include <ldns/ldns.h>

/*
 * Longest canonical name text including the NUL: 255 wire octets give at
 * most 253 label octets * 4 + 1 dot per label.  A buffer of this size
 * always suffices for name_canon_wire().
 */
#define NAME_CANON_MAX 1024

/* Longest domain name in wire form, root label included (RFC 1035 2.3.4). */
#define NAME_WIRE_MAX 255

enum name_err {
	NAME_OK = 0,
	NAME_E_SYNTAX = -1,	/* bad escape, stray character */
	NAME_E_RELATIVE = -2,	/* presentation name without final "." */
	NAME_E_EMPTY_LABEL = -3, /* ".." or a leading "." (not the root) */
	NAME_E_LABEL_LONG = -4,	/* label over 63 octets */
	NAME_E_NAME_LONG = -5,	/* name over 255 octets in wire form */
	NAME_E_WIRE = -6,	/* malformed wire name (bad length octet,
				 * compression pointer, no root label) */
	NAME_E_SPACE = -7,	/* output buffer too small */
	NAME_E_NOMEM = -8
};

/* Flags reported by name_canon_wire() (OR'ed into *flags). */
#define NAME_F_HIGH	0x01	/* an octet 0x80..0xFF (raw non-ASCII,
				 * e.g. UTF-8 instead of punycode) */
#define NAME_F_CTRL	0x02	/* an octet below 0x21 (space, control)
				 * or 0x7F */
#define NAME_F_ESCAPED	0x04	/* at least one \DDD was written */
#define NAME_F_WILDCARD	0x08	/* the leftmost label is "*" */
#define NAME_F_UPPER	0x10	/* an A-Z octet was lowercased */

/* name_strerror(rc): a short text for an enum name_err value. */
const char *name_strerror(int rc);

/*
 * name_canon_wire(wire, len, out, outsz, flags): the canonical text of
 * the uncompressed wire-format name WIRE (LEN octets, ending with the
 * root label; octets after the root label are an error) into OUT
 * (OUTSZ bytes; NAME_CANON_MAX always suffices), NUL-terminated.
 * FLAGS may be NULL; otherwise NAME_F_* bits are OR'ed into *flags (the
 * caller zeroes it).  Returns the text length (> 0) or a negative
 * enum name_err.  Hot path: no allocation.
 */
int name_canon_wire(const uint8_t *wire, size_t len, char *out,
    size_t outsz, unsigned *flags);

/*
 * name_wire_read(msg, msglen, &off, out, &outlen): read the possibly
 * compressed name at *off of the DNS message MSG (MSGLEN octets) into
 * OUT (NAME_WIRE_MAX bytes, uncompressed wire form, case kept) and move
 * *off past it (past the first pointer, if any).  OUT and OUTLEN may be
 * NULL to only skip the name.  Every compression pointer must point
 * strictly below the previous one (or below *off for the first), which
 * refuses forward pointers and loops, and not into the message header
 * (below NAME_MSG_HDR, as ldns_wire2dname); every octet read must lie below
 * MSGLEN (a caller may pass a shorter length to bound the walk, e.g. the
 * end of an RDATA).  Returns NAME_OK, or NAME_E_WIRE (truncated, extended
 * label type, forward or looping pointer) or NAME_E_NAME_LONG (over
 * NAME_WIRE_MAX octets) with *off and *outlen unchanged (OUT may hold
 * part of the name).  Hot path (zxfr's message walker, canon_rdata_wire):
 * no allocation.
 */
#define NAME_MSG_HDR 12	/* octets of a DNS message header */
int name_wire_read(const uint8_t *msg, size_t msglen, size_t *off,
    uint8_t *out, size_t *outlen);

/*
 * name_canon_rdf(rdf, out, outsz, flags): name_canon_wire() of an ldns
 * dname rdf (LDNS_RDF_TYPE_DNAME).  A relative ldns dname (no root label)
 * is refused with NAME_E_RELATIVE.
 */
int name_canon_rdf(const ldns_rdf *rdf, char *out, size_t outsz,
    unsigned *flags);

/*
 * name_canon_text(presentation, out): canonical text of a name in DNS
 * presentation format: decimal "\DDD" and "\X" escapes, any case, must be
 * absolute (end with an unescaped "."; "." alone is the root).  A
 * relative name is NAME_E_RELATIVE.  *out malloc'd.
 */
int name_canon_text(const char *presentation, char **out);

/*
 * name_from_r53(r53name, out): canonical text of a name as Route 53
 * writes it: OCTAL "\ooo" escapes (exactly three octal digits, at most
 * \377), "\X" for a non-digit X taken literally, any case, trailing dot
 * optional (Route 53 names are always absolute).  "\052.example.com." is
 * the wildcard "*.example.com.".  *out malloc'd.
 */
int name_from_r53(const char *r53name, char **out);

/*
 * name_to_r53(canon, out): the Route 53 text of a canonical name: every
 * "\DDD" of the canonical text becomes "\ooo" (octal), everything else is
 * copied; see the top of this file.  CANON must be canonical (checked:
 * NAME_E_SYNTAX otherwise).  *out malloc'd.
 */
int name_to_r53(const char *canon, char **out);

/*
 * name_to_wire(text, octal, wire, wirelen): parse a presentation name
 * (octal == 0: decimal \DDD; octal == 1: Route 53 \ooo) into uncompressed
 * wire form in WIRE (at least 255 bytes), *wirelen its length.  With
 * octal == 0 the name must be absolute; with octal == 1 a missing final
 * dot is added.  Case is kept.  Returns NAME_OK or a negative error.
 */
int name_to_wire(const char *text, int octal, uint8_t *wire,
    size_t *wirelen);

/*
 * name_is_canonical(text, len): 1 if TEXT (LEN bytes, no NUL needed) is
 * exactly the canonical text of some name, else 0.  For stream readers.
 */
int name_is_canonical(const char *text, size_t len);

/*
 * name_is_subdomain(name, origin): 1 if canonical NAME equals or is below
 * canonical ORIGIN, else 0.  Plain text comparison: both must be
 * canonical.
 */
int name_is_subdomain(const char *canon_name, const char *canon_origin);

/*
 * name_has_raw_high_octet(canon): 1 if the canonical name holds an octet
 * 0x80..0xFF (written \128..\255), i.e. raw non-ASCII instead of
 * punycode; zxfr warns about such owners.  0 otherwise.
 */
int name_has_raw_high_octet(const char *canon);

/*
 * name_r53_order_key(r53name, out): added for r53apply (settle.c): the
 * key Route 53's ListResourceRecordSets orders names by: the name as
 * Route 53 lists it (a-z 0-9 "-" "_" raw, every other octet octal
 * "\ooo", so "*" is "\052" and "/" is "\057"), labels reversed, joined
 * with ".", trailing "." ("." for the root); keys compare with strcmp().
 * R53NAME is Route 53 text (octal escapes, final dot optional).
 * *out malloc'd.
 */
int name_r53_order_key(const char *r53name, char **out);

#endif

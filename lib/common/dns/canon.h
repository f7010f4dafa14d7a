/*
 * canon.h: canonical RDATA text (format/SPEC.md section 4), the one place
 * where record data becomes stream text: from the wire data of a zone
 * transfer (zxfr: canon_rdata_wire), from an ldns record, from a Route 53
 * Value (r53dump) and back to a Route 53 Value (r53apply).  Names inside
 * RDATA go through names.h.
 *
 * Conventions: int functions return 0 on success and -1 on failure unless
 * said otherwise; strings returned through char **out (and **err) are
 * malloc'd and the caller frees them; nothing here logs.
 */
#ifndef R53M_CANON_H
#define R53M_CANON_H

#include <stddef.h>
#include <stdint.h>

#include <ldns/ldns.h>

/*
 * A growing text buffer, so that the hot path (one record after another)
 * does not allocate per record.  Initialise with CANON_BUF_INIT or
 * canon_buf_init(); p is NUL-terminated whenever len > 0 or after any
 * canon_* call; free with canon_buf_free().
 */
struct canon_buf {
	char *p;
	size_t len;
	size_t cap;
};
#define CANON_BUF_INIT { NULL, 0, 0 }

void canon_buf_init(struct canon_buf *b);
void canon_buf_reset(struct canon_buf *b);	/* len = 0, keeps memory */
void canon_buf_free(struct canon_buf *b);	/* NULL or zeroed is fine */

/*
 * canon_type_name(type, buf, sz): the IANA mnemonic in upper case ("A",
 * "HTTPS") or "TYPEnnn" for a type without one, NUL-terminated in BUF
 * (16 bytes always suffice).  Returns the length, or -1 if SZ is too
 * small.
 */
int canon_type_name(uint16_t type, char *buf, size_t sz);

/*
 * canon_type_from_name(text, &type): accepts a mnemonic in any case or
 * "TYPEnnn" (decimal 0..65535, no sign).  Returns 0, or -1 if unknown.
 * Note: the canonical spelling of a type with a mnemonic is the mnemonic,
 * never TYPEnnn; canon_type_name() gives it.
 */
int canon_type_from_name(const char *text, uint16_t *type);

/*
 * canon_rdata_buf(rr, out): APPEND the canonical RDATA text of RR (class
 * IN assumed, owner and TTL ignored) to OUT, NUL-terminated.  Common
 * types (A AAAA NS CNAME PTR DNAME MX TXT SPF SRV SOA NAPTR CAA DS SSHFP
 * TLSA SVCB HTTPS) are printed directly from the rdf bytes without any
 * allocation once OUT has grown (~0.25 us per record with its owner);
 * others go through ldns and are normalised.  Data that does not parse as
 * its type is written in the RFC 3597 form "\# LEN hex".  Returns 0, or -1
 * (out of memory, or an rr ldns cannot turn into wire form); on -1 OUT
 * keeps its previous text.
 */
int canon_rdata_buf(const ldns_rr *rr, struct canon_buf *out);

/* canon_rdata(rr, out): the same into a malloc'd string. */
int canon_rdata(const ldns_rr *rr, char **out);

/*
 * canon_rdata_wire(type, msg, msglen, rdata_off, rdlen, out): APPEND the
 * canonical RDATA text of a record of TYPE (class IN) whose RDATA lies
 * in the DNS message MSG (MSGLEN octets) at RDATA_OFF, RDLEN octets long,
 * right after its 2-octet RDLENGTH field (checked: it must say RDLEN).
 * Names inside the RDATA may be compression pointers into MSG, which is
 * why the whole message is passed.  A AAAA NS CNAME PTR DNAME MX SRV SOA
 * TXT SPF are printed straight from the octets, without ldns and without
 * allocation once OUT has grown; any other type, or data these printers
 * do not expect, is parsed by ldns (ldns_wire2rdf, public API) and
 * printed by canon_rdata_buf(): the text is the same either way.  Returns
 * 0, or -1 (bad arguments, RDATA ldns refuses, out of memory); on -1 OUT
 * keeps its previous text.
 *
 * canon_rdata_wire_ldns(): the same through ldns only (the reference the
 * tests compare the direct printers with).
 */
int canon_rdata_wire(uint16_t type, const uint8_t *msg, size_t msglen,
    size_t rdata_off, size_t rdlen, struct canon_buf *out);
int canon_rdata_wire_ldns(uint16_t type, const uint8_t *msg, size_t msglen,
    size_t rdata_off, size_t rdlen, struct canon_buf *out);

/*
 * canon_rr_owner_flags(rr, out, outsz, flags): canonical text of RR's
 * owner name into OUT, a buffer of NAME_CANON_MAX bytes (no allocation),
 * ORing the NAME_F_* flags of names.h into *flags (e.g. NAME_F_HIGH for
 * raw non-ASCII owners; FLAGS may be NULL).  Returns the length, or -1
 * (relative or malformed owner).
 */
int canon_rr_owner_flags(const ldns_rr *rr, char *out, size_t outsz,
    unsigned *flags);

/*
 * canon_from_text(type, text, origin, out, err): canonical RDATA of
 * RDATA given in DNS presentation format (zone-file syntax, decimal
 * escapes, any case).  Relative names are completed with ORIGIN (a
 * presentation name; NULL means the root).  On failure *err (if ERR is
 * not NULL) gets a one-line message.
 */
int canon_from_text(uint16_t type, const char *text, const char *origin,
    char **out, char **err);

/*
 * canon_verify(type, text, len, err): 0 if TEXT (LEN bytes) is exactly
 * the canonical RDATA text of some record of TYPE, else -1 with a message
 * in *err (if ERR is not NULL).  Slow (parses with ldns): for tests,
 * stream checks of small inputs and r53apply, not for zxfr's hot path.
 */
int canon_verify(uint16_t type, const char *text, size_t len, char **err);

/*
 * canon_from_r53value(type, value, origin, out, err): canonical RDATA of
 * one Route 53 ResourceRecord Value as listed by Route 53: names and
 * character-strings with OCTAL \ooo escapes, TXT/SPF as quoted strings,
 * case as stored.  Route 53 treats every name in a value as absolute
 * ("webserver" is served as "webserver."), and so does this function:
 * ORIGIN is used only in error messages (may be NULL).  Only the types of
 * canon_r53_storable() are accepted.  On failure *err (if ERR is not
 * NULL) gets a one-line message, e.g. "TXT: bad octal escape \\9".
 */
int canon_from_r53value(uint16_t type, const char *value, const char *origin,
    char **out, char **err);

/*
 * canon_to_r53value(type, canon, out): the Route 53 Value r53apply sends
 * for canonical RDATA CANON: the canonical text with every decimal \DDD
 * (in names and character-strings alike) rewritten as octal \ooo; TXT
 * strings are already split at <= 255 octets in the canonical form.
 * canon_from_r53value(canon_to_r53value(x)) == x for every canonical x of
 * a storable type.  Returns 0, or -1 if TYPE is not storable, CANON is
 * not canonical (canon_verify), or CANON is in RFC 3597 form ("\# ...":
 * data of a storable type that does not follow the type's format, which
 * Route 53 cannot take).
 */
int canon_to_r53value(uint16_t type, const char *canon, char **out);

/*
 * canon_to_r53value_trusted(type, canon, out): the same without the
 * canon_verify() step (a second ldns parse of every value), for CANON
 * this module has just produced (canon_from_r53value, canon_rdata_buf),
 * which is canonical by construction (SPEC 4, tests/20-canon.bats).
 */
int canon_to_r53value_trusted(uint16_t type, const char *canon, char **out);

/*
 * canon_r53_storable(type): 1 for the types a Route 53 hosted zone can
 * hold as plain records (RRT_R53 in rrtypes.c's table); else 0.
 */
int canon_r53_storable(uint16_t type);

/*
 * canon_is_dnssec(type): 1 for the DNSSEC types a signed zone carries and
 * a mirror skips quietly (RRT_DNSSEC in rrtypes.c's table: RRSIG NSEC
 * NSEC3 NSEC3PARAM DNSKEY CDS CDNSKEY, and the old SIG KEY NXT); DS is
 * NOT one of them (it is delegation data that Route 53 stores).  Else 0.
 */
int canon_is_dnssec(uint16_t type);

#endif

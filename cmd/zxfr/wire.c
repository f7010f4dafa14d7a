/*
 * wire.c: walking DNS messages in wire form (RFC 1035 section 4), with
 * every length checked against the message.  No allocation: the hot path
 * of a transfer goes through here once per RR.
 */
#include <stdio.h>
#include <string.h>

#include "names.h"
#include "zxfr.h"

uint16_t
wire_get16(const uint8_t *p)
{
	return (uint16_t)((p[0] << 8) | p[1]);
}

uint32_t
wire_get32(const uint8_t *p)
{
	return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) |
	    ((uint32_t)p[2] << 8) | p[3];
}

void
wire_put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/* The walk and its rules (backward pointers only, bounds, 255 octets)
 * are names.c's, shared with canon_rdata_wire(). */
_Static_assert(ZXFR_NAME_MAX == NAME_WIRE_MAX, "zxfr name buffers");

int
wire_name(const uint8_t *p, size_t len, size_t *off, uint8_t *out,
    size_t *outlen)
{
	return name_wire_read(p, len, off, out, outlen) == NAME_OK ? 0 : -1;
}

int
wire_rr(const uint8_t *p, size_t len, size_t *off, struct wire_rr *rr)
{
	size_t pos = *off;

	rr->off = rr->owner_off = pos;
	if (wire_name(p, len, &pos, NULL, NULL) == -1)
		return -1;
	if (pos + 10 > len)
		return -1;
	rr->type = wire_get16(p + pos);
	rr->class = wire_get16(p + pos + 2);
	rr->ttl = wire_get32(p + pos + 4);
	rr->rdlen = wire_get16(p + pos + 8);
	rr->rdata_off = pos + 10;
	if (rr->rdata_off + rr->rdlen > len)
		return -1;
	rr->end = rr->rdata_off + rr->rdlen;
	*off = rr->end;
	return 0;
}

int
wire_msg_parse(struct wire_msg *m, const uint8_t *p, size_t len, char *err,
    size_t errsz)
{
	size_t off = WIRE_HDR, i, total;
	struct wire_rr rr;

	memset(m, 0, sizeof(*m));
	m->p = p;
	m->len = len;
	if (len < WIRE_HDR) {
		snprintf(err, errsz, "message of %zu octets is shorter than "
		    "a DNS header", len);
		return -1;
	}
	m->id = wire_get16(p);
	m->flags = wire_get16(p + 2);
	m->qd = wire_get16(p + 4);
	m->an = wire_get16(p + 6);
	m->ns = wire_get16(p + 8);
	m->ar = wire_get16(p + 10);
	m->rcode = m->flags & 0xf;
	m->q_off = off;
	for (i = 0; i < m->qd; i++) {
		if (wire_name(p, len, &off, NULL, NULL) == -1 ||
		    off + 4 > len) {
			snprintf(err, errsz, "malformed question section");
			return -1;
		}
		off += 4;
	}
	m->an_off = off;
	total = (size_t)m->an + m->ns + m->ar;
	for (i = 0; i < total; i++) {
		if (wire_rr(p, len, &off, &rr) == -1) {
			snprintf(err, errsz, "malformed %s record %zu",
			    i < m->an ? "answer" : i < (size_t)m->an + m->ns ?
			    "authority" : "additional", i + 1);
			return -1;
		}
		if (rr.type == 41 && i >= (size_t)m->an + m->ns)	/* OPT */
			m->rcode |= (int)((rr.ttl >> 24) << 4);
		if (rr.type == 250) {				/* TSIG */
			if (i + 1 != total || m->ar == 0) {
				snprintf(err, errsz, "TSIG record not last "
				    "in the additional section");
				return -1;
			}
			m->has_tsig = 1;
			m->tsig = rr;
		}
	}
	if (off != len) {
		snprintf(err, errsz, "%zu octets after the last record",
		    len - off);
		return -1;
	}
	return 0;
}

static uint8_t
lower(uint8_t c)
{
	return (c >= 'A' && c <= 'Z') ? (uint8_t)(c + 32) : c;
}

int
wire_name_eq(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
	size_t i;

	if (alen != blen)
		return 0;
	for (i = 0; i < alen; i++)
		if (lower(a[i]) != lower(b[i]))
			return 0;
	return 1;
}

/* For messages only: RFC 1035 presentation with \DDD for odd octets. */
void
wire_name_text(const uint8_t *name, size_t len, char *out, size_t outsz)
{
	size_t i = 0, o = 0;

	if (outsz == 0)
		return;
	if (len == 0 || name[0] == 0) {
		snprintf(out, outsz, ".");
		return;
	}
	while (i < len && name[i] != 0 && o + 6 < outsz) {
		size_t l = name[i++], j;

		for (j = 0; j < l && i < len && o + 6 < outsz; j++, i++) {
			uint8_t c = name[i];

			if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			    (c >= '0' && c <= '9') || c == '-' || c == '_' ||
			    c == '/' || c == '*')
				out[o++] = (char)c;
			else
				o += (size_t)snprintf(out + o, outsz - o,
				    "\\%03u", c);
		}
		out[o++] = '.';
	}
	out[o] = '\0';
}

const char *
wire_rcode_name(int rcode, char *buf, size_t bufsz)
{
	static const char *const names[] = {
		"NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP",
		"REFUSED", "YXDOMAIN", "YXRRSET", "NXRRSET", "NOTAUTH",
		"NOTZONE", "DSOTYPENI"
	};

	if (rcode >= 0 && (size_t)rcode < sizeof(names) / sizeof(names[0]))
		return names[rcode];
	if (rcode == 16)
		return "BADVERS";
	snprintf(buf, bufsz, "RCODE%d", rcode);
	return buf;
}

const char *
wire_type_name(uint16_t type, char *buf, size_t bufsz)
{
	switch (type) {
	case 6: return "SOA";
	case 250: return "TSIG";
	case 251: return "IXFR";
	case 252: return "AXFR";
	default:
		snprintf(buf, bufsz, "TYPE%u", type);
		return buf;
	}
}

size_t
wire_query(uint8_t *buf, size_t cap, uint16_t id, const uint8_t *name,
    size_t nlen, uint16_t qtype)
{
	size_t len = WIRE_HDR + nlen + 4;

	if (len > cap)
		return 0;
	memset(buf, 0, WIRE_HDR);
	wire_put16(buf, id);
	wire_put16(buf + 4, 1);			/* QDCOUNT */
	memcpy(buf + WIRE_HDR, name, nlen);
	wire_put16(buf + WIRE_HDR + nlen, qtype);
	wire_put16(buf + WIRE_HDR + nlen + 2, 1);	/* IN */
	return len;
}

/*
 * names.c: canonical name text (format/SPEC.md section 3) and the
 * conversion between decimal presentation escapes and Route 53's octal
 * escapes.  See names.h for the rules; this file is the only place that
 * knows them.
 */
#include <stdlib.h>
#include <string.h>

#include "names.h"

/* Octet classes for canonical output. */
enum { C_ESC = 0, C_RAW = 1, C_UPPER = 2, C_HYPHEN = 3 };

static unsigned char name_class[256];
static char name_dec[256][4];	/* "\DDD" without NUL */
static int name_tables_ready;

/* name_tables(): fill the lookup tables once (idempotent, no locking:
 * every thread would write the same bytes). */
static void
name_tables(void)
{
	int c;

	if (name_tables_ready)
		return;
	for (c = 0; c < 256; c++) {
		unsigned char k = C_ESC;

		if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		    c == '_' || c == '/')
			k = C_RAW;
		else if (c >= 'A' && c <= 'Z')
			k = C_UPPER;
		else if (c == '-')
			k = C_HYPHEN;
		name_class[c] = k;
		name_dec[c][0] = '\\';
		name_dec[c][1] = (char)('0' + c / 100);
		name_dec[c][2] = (char)('0' + c / 10 % 10);
		name_dec[c][3] = (char)('0' + c % 10);
	}
	name_tables_ready = 1;
}

const char *
name_strerror(int rc)
{
	switch (rc) {
	case NAME_OK:
		return "no error";
	case NAME_E_SYNTAX:
		return "bad escape or character in name";
	case NAME_E_RELATIVE:
		return "name is not absolute (no final dot)";
	case NAME_E_EMPTY_LABEL:
		return "empty label in name";
	case NAME_E_LABEL_LONG:
		return "label longer than 63 octets";
	case NAME_E_NAME_LONG:
		return "name longer than 255 octets";
	case NAME_E_WIRE:
		return "malformed wire-format name";
	case NAME_E_SPACE:
		return "name buffer too small";
	case NAME_E_NOMEM:
		return "out of memory";
	default:
		return "unknown name error";
	}
}

/* name_put_octet(c, first, out, o, flags): append octet C of a label
 * (FIRST: it is the label's first octet) to OUT at *o.  The caller has
 * checked that 4 bytes fit. */
static void
name_put_octet(unsigned c, int first, char *out, size_t *o,
    unsigned *flags)
{
	switch (name_class[c]) {
	case C_RAW:
		out[(*o)++] = (char)c;
		return;
	case C_UPPER:
		out[(*o)++] = (char)(c + ('a' - 'A'));
		*flags |= NAME_F_UPPER;
		return;
	case C_HYPHEN:
		if (!first) {
			out[(*o)++] = '-';
			return;
		}
		break;
	default:
		break;
	}
	if (c >= 0x80)
		*flags |= NAME_F_HIGH;
	else if (c < 0x21 || c == 0x7f)
		*flags |= NAME_F_CTRL;
	*flags |= NAME_F_ESCAPED;
	memcpy(out + *o, name_dec[c], 4);
	*o += 4;
}

/*
 * Compression pointers may only point backwards (RFC 1035 4.1.4 allows
 * any "prior occurance"); requiring each jump to go strictly below the
 * previous one bounds the walk without a counter.  Every octet read,
 * labels reached through a pointer included, lies below MSGLEN.
 */
int
name_wire_read(const uint8_t *msg, size_t msglen, size_t *off, uint8_t *out,
    size_t *outlen)
{
	size_t pos = *off, next = 0, n = 0, limit = pos;
	int jumped = 0;

	for (;;) {
		uint8_t c;

		if (pos >= msglen)
			return NAME_E_WIRE;
		c = msg[pos];
		if ((c & 0xc0) == 0xc0) {
			size_t target;

			if (pos + 1 >= msglen)
				return NAME_E_WIRE;
			target = ((size_t)(c & 0x3f) << 8) | msg[pos + 1];
			if (target >= limit)
				return NAME_E_WIRE;	/* forward or looping */
			/* the 12-octet header holds no name; ldns refuses such
			 * a pointer, and canon's two paths must agree */
			if (target < NAME_MSG_HDR)
				return NAME_E_WIRE;
			if (!jumped)
				next = pos + 2;
			jumped = 1;
			limit = target;
			pos = target;
			continue;
		}
		if ((c & 0xc0) != 0)
			return NAME_E_WIRE;	/* extended label types */
		if (pos + 1 + c > msglen)
			return NAME_E_WIRE;
		if (n + 1 + c > NAME_WIRE_MAX)
			return NAME_E_NAME_LONG;
		if (out != NULL)
			memcpy(out + n, msg + pos, (size_t)c + 1);
		n += (size_t)c + 1;
		pos += (size_t)c + 1;
		if (c == 0)
			break;
	}
	*off = jumped ? next : pos;
	if (outlen != NULL)
		*outlen = n;
	return NAME_OK;
}

int
name_canon_wire(const uint8_t *wire, size_t len, char *out, size_t outsz,
    unsigned *flags)
{
	size_t pos = 0, o = 0;
	unsigned fl = 0;
	int first_label = 1;

	name_tables();
	if (wire == NULL || len == 0)
		return NAME_E_WIRE;
	if (len > 255)
		return NAME_E_NAME_LONG;
	for (;;) {
		size_t lab, j;

		lab = wire[pos++];
		if (lab == 0)
			break;
		if (lab > 63)
			return NAME_E_WIRE;	/* pointer or extended label */
		if (pos + lab >= len)
			return NAME_E_WIRE;	/* no room for the root label */
		/* worst case: 4 bytes per octet, a dot, the NUL */
		if (o + lab * 4 + 2 > outsz)
			return NAME_E_SPACE;
		if (lab == 1 && wire[pos] == '*') {
			out[o++] = '*';
			if (first_label)
				fl |= NAME_F_WILDCARD;
		} else {
			for (j = 0; j < lab; j++)
				name_put_octet(wire[pos + j], j == 0, out, &o,
				    &fl);
		}
		out[o++] = '.';
		pos += lab;
		first_label = 0;
	}
	if (pos != len)
		return NAME_E_WIRE;	/* octets after the root label */
	if (o == 0) {
		if (outsz < 2)
			return NAME_E_SPACE;
		out[o++] = '.';
	}
	out[o] = '\0';
	if (flags != NULL)
		*flags |= fl;
	return (int)o;
}

int
name_canon_rdf(const ldns_rdf *rdf, char *out, size_t outsz,
    unsigned *flags)
{
	const uint8_t *d;
	size_t n;

	if (rdf == NULL || ldns_rdf_get_type(rdf) != LDNS_RDF_TYPE_DNAME)
		return NAME_E_WIRE;
	d = ldns_rdf_data(rdf);
	n = ldns_rdf_size(rdf);
	if (n == 0 || d[n - 1] != 0)
		return NAME_E_RELATIVE;
	return name_canon_wire(d, n, out, outsz, flags);
}

/* name_digit(c, octal): the value of digit C, or -1. */
static int
name_digit(char c, int octal)
{
	if (c < '0' || c > (octal ? '7' : '9'))
		return -1;
	return c - '0';
}

/*
 * name_parse(text, len, octal, wire, wirelen): the parser behind
 * name_to_wire(), on a counted string.  OCTAL selects Route 53 escapes
 * and makes the final dot optional.
 */
static int
name_parse(const char *text, size_t len, int octal, uint8_t *wire,
    size_t *wirelen)
{
	size_t i = 0, w = 1, labstart = 0;	/* wire[labstart] = length */
	int absolute = 0;

	if (len == 0)
		return NAME_E_SYNTAX;
	if (len == 1 && text[0] == '.') {
		wire[0] = 0;
		*wirelen = 1;
		return NAME_OK;
	}
	while (i < len) {
		unsigned c = (unsigned char)text[i++];

		if (c == '.') {
			size_t lab = w - labstart - 1;

			if (lab == 0)
				return NAME_E_EMPTY_LABEL;
			wire[labstart] = (uint8_t)lab;
			labstart = w++;
			if (i == len)
				absolute = 1;
			continue;
		}
		if (c == '\\') {
			int d0, d1, d2;

			if (i >= len)
				return NAME_E_SYNTAX;
			d0 = name_digit(text[i], octal);
			if (d0 < 0 && text[i] >= '0' && text[i] <= '9')
				return NAME_E_SYNTAX;	/* \8 in octal */
			if (d0 >= 0) {
				int base = octal ? 8 : 10;

				if (i + 2 >= len)
					return NAME_E_SYNTAX;
				d1 = name_digit(text[i + 1], octal);
				d2 = name_digit(text[i + 2], octal);
				if (d1 < 0 || d2 < 0)
					return NAME_E_SYNTAX;
				c = (unsigned)((d0 * base + d1) * base + d2);
				if (c > 255)
					return NAME_E_SYNTAX;
				i += 3;
			} else {
				/* "\X": X itself; "\ " is a space */
				c = (unsigned char)text[i++];
				if (c < 0x20 || c > 0x7e)
					return NAME_E_SYNTAX;
			}
		} else if (c < 0x21 || c > 0x7e) {
			return NAME_E_SYNTAX;	/* raw space, control, 8-bit */
		}
		if (w - labstart - 1 >= 63)
			return NAME_E_LABEL_LONG;
		if (w >= 255)
			return NAME_E_NAME_LONG;
		wire[w++] = (uint8_t)c;
	}
	if (!absolute) {
		size_t lab = w - labstart - 1;

		if (!octal)
			return NAME_E_RELATIVE;
		if (lab == 0)
			return NAME_E_EMPTY_LABEL;
		wire[labstart] = (uint8_t)lab;
		labstart = w++;
	}
	if (w > 255)
		return NAME_E_NAME_LONG;
	wire[labstart] = 0;
	*wirelen = w;
	return NAME_OK;
}

int
name_to_wire(const char *text, int octal, uint8_t *wire, size_t *wirelen)
{
	if (text == NULL)
		return NAME_E_SYNTAX;
	return name_parse(text, strlen(text), octal, wire, wirelen);
}

/* name_wire_to_canon_alloc(wire, n, out): canonical text, malloc'd. */
static int
name_wire_to_canon_alloc(const uint8_t *wire, size_t n, char **out)
{
	char buf[NAME_CANON_MAX];
	int rc;

	rc = name_canon_wire(wire, n, buf, sizeof(buf), NULL);
	if (rc < 0)
		return rc;
	*out = strdup(buf);
	return *out == NULL ? NAME_E_NOMEM : NAME_OK;
}

/* name_text_common(text, octal, out): parse and canonicalise. */
static int
name_text_common(const char *text, int octal, char **out)
{
	uint8_t wire[256];
	size_t n = 0;
	int rc;

	*out = NULL;
	rc = name_to_wire(text, octal, wire, &n);
	if (rc != NAME_OK)
		return rc;
	return name_wire_to_canon_alloc(wire, n, out);
}

int
name_canon_text(const char *presentation, char **out)
{
	return name_text_common(presentation, 0, out);
}

int
name_from_r53(const char *r53name, char **out)
{
	return name_text_common(r53name, 1, out);
}

int
name_is_canonical(const char *text, size_t len)
{
	uint8_t wire[256];
	char buf[NAME_CANON_MAX];
	size_t n = 0;
	int rc;

	if (text == NULL || len == 0 || len >= NAME_CANON_MAX)
		return 0;
	if (name_parse(text, len, 0, wire, &n) != NAME_OK)
		return 0;
	rc = name_canon_wire(wire, n, buf, sizeof(buf), NULL);
	return rc > 0 && (size_t)rc == len && memcmp(buf, text, len) == 0;
}

int
name_to_r53(const char *canon, char **out)
{
	size_t len, i, o = 0;
	char *s = NULL;

	*out = NULL;
	if (canon == NULL)
		return NAME_E_SYNTAX;
	len = strlen(canon);
	if (!name_is_canonical(canon, len))
		return NAME_E_SYNTAX;
	/* "\DDD" and "\ooo" have the same length */
	s = malloc(len + 1);
	if (s == NULL)
		return NAME_E_NOMEM;
	for (i = 0; i < len; i++) {
		unsigned v;

		if (canon[i] != '\\') {
			s[o++] = canon[i];
			continue;
		}
		v = (unsigned)((canon[i + 1] - '0') * 100 +
		    (canon[i + 2] - '0') * 10 + (canon[i + 3] - '0'));
		s[o++] = '\\';
		s[o++] = (char)('0' + (v >> 6));
		s[o++] = (char)('0' + ((v >> 3) & 7));
		s[o++] = (char)('0' + (v & 7));
		i += 3;
	}
	s[o] = '\0';
	*out = s;
	return NAME_OK;
}

int
name_is_subdomain(const char *canon_name, const char *canon_origin)
{
	size_t n, m;

	if (canon_name == NULL || canon_origin == NULL)
		return 0;
	n = strlen(canon_name);
	m = strlen(canon_origin);
	if (m == 1 && canon_origin[0] == '.')
		return n > 0;
	if (n < m || memcmp(canon_name + n - m, canon_origin, m) != 0)
		return 0;
	/* In canonical text every '.' separates labels (a dot inside a
	 * label is \046), so a label boundary is just a '.'. */
	return n == m || canon_name[n - m - 1] == '.';
}

int
name_has_raw_high_octet(const char *canon)
{
	const char *p;

	if (canon == NULL)
		return 0;
	for (p = canon; *p != '\0'; p++) {
		if (p[0] == '\\' && p[1] >= '0' && p[1] <= '9' &&
		    p[2] >= '0' && p[2] <= '9' && p[3] >= '0' && p[3] <= '9') {
			int v = (p[1] - '0') * 100 + (p[2] - '0') * 10 +
			    (p[3] - '0');

			if (v >= 0x80)
				return 1;
			p += 3;
		}
	}
	return 0;
}

/*
 * name_r53_order_key(r53name, out): added for r53apply's re-read walk
 * (cmd/r53apply/settle.c).  The key ListResourceRecordSets sorts names
 * by: the name in the form Route 53 lists it (A-Z as a-z; a-z 0-9 "-"
 * "_" raw; every other octet, "*" and "/" included, as octal "\ooo"),
 * labels reversed, joined with ".", with a trailing "." (the root is
 * "."), compared as ASCII.  R53NAME is Route 53 text (name_to_wire with
 * octal escapes: as sent or as listed).  *out malloc'd.
 */
int
name_r53_order_key(const char *r53name, char **out)
{
	uint8_t wire[NAME_WIRE_MAX + 1];
	size_t wlen = 0, off[128], nl = 0, i, o = 0, k;
	char *s = NULL;
	int rc;

	*out = NULL;
	if ((rc = name_to_wire(r53name, 1, wire, &wlen)) != NAME_OK)
		return rc;
	for (i = 0; i < wlen && wire[i] != 0 && nl < 128; i += wire[i] + 1)
		off[nl++] = i;
	/* at most 4 characters per octet, one dot per label, the NUL */
	if ((s = malloc(4 * wlen + 2)) == NULL)
		return NAME_E_NOMEM;
	while (nl > 0) {
		const uint8_t *lab = &wire[off[--nl]];
		for (k = 1; k <= lab[0]; k++) {
			unsigned c = lab[k];
			if (c >= 'A' && c <= 'Z')
				c += 'a' - 'A';
			if ((c >= 'a' && c <= 'z') || (c >= '0' &&
			    c <= '9') || c == '-' || c == '_') {
				s[o++] = (char)c;
				continue;
			}
			s[o++] = '\\';
			s[o++] = (char)('0' + (c >> 6));
			s[o++] = (char)('0' + ((c >> 3) & 7));
			s[o++] = (char)('0' + (c & 7));
		}
		s[o++] = '.';
	}
	if (o == 0)
		s[o++] = '.';
	s[o] = '\0';
	*out = s;
	return NAME_OK;
}

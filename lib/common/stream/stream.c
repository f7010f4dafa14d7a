/*
 * stream.c: reader and writer of the r53mirror RRset and change streams
 * (format/SPEC.md sections 1, 2 and 5).
 *
 * The reader is the hot path of rrdiff: it reads with read(2) into one
 * buffer, finds line ends with memchr, splits fields with memchr and
 * checks each field with a table-driven loop.  Nothing is allocated per
 * line; a line's fields point into the buffer until the next call.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "stream.h"
#include "tmpguard.h"

#define RD_BUFSZ	(256 * 1024)
#define WR_BUFSZ	(256 * 1024)
#define TTL_MAX		2147483647L

/* printf arguments "%.*s %.*s" of an RRset's key: owner, type[/setid] */
#define KEY_ARGS(rr)	(int)(rr)->owner_len, (rr)->owner, \
	(int)((rr)->key_len - (rr)->owner_len - 1), (rr)->type

/* A header or trailer entry: "key" and "value", both malloc'd. */
struct kv {
	char *key;
	char *value;
	unsigned long line;	/* where it was read; 0 if written */
};

struct kvlist {
	struct kv *v;
	size_t n, cap;
};

/* Growable byte buffer (previous key, held "<" line). */
struct bytes {
	char *p;
	size_t len, cap;
};

struct strm_reader {
	char *name;		/* for messages; malloc'd */
	int fd;
	int own_fd;		/* close fd in strm_close */
	enum strm_kind kind;
	char *buf;		/* read buffer, cap bytes */
	size_t cap, pos, end, scan;	/* [pos,end) unread; scan: memchr
					 * start for the current line */
	int eof;
	unsigned long lineno;
	int unread;		/* the line in (ul, ul_len) is returned
				 * again by rd_line */
	char *ul;
	size_t ul_len;
	struct kvlist hdr, trl;
	const char *origin;	/* value in hdr */
	size_t origin_len;
	struct bytes prev;	/* previous key */
	size_t prev_owner;	/* owner length in prev */
	int have_prev;
	unsigned long count;	/* RRsets, or changes */
	unsigned long adds, deletes, updates;
	int state;		/* 0 records, 1 ended, -1 failed */
	int want_gt;		/* the next line must be a '>' */
	struct rrset rr, rr2;
	struct bytes hold;	/* copy of an update's "<" line */
	struct change ch;
};

struct strm_writer {
	enum strm_kind kind;
	int fd;
	char *path;		/* final path, or NULL for stdout */
	char *tmp;		/* temporary path, or NULL: PATH is written
				 * in place (no regular file: /dev/null) */
	const char *name;	/* for messages: path or "(stdout)" */
	char *buf;
	size_t len;
	int failed;		/* a write failed: commit refuses */
	int records;		/* a record line was put */
	unsigned long lineno;	/* lines put, header included */
	struct kvlist hdr;
	const char *origin;	/* value in hdr */
	size_t origin_len;
	struct bytes prev;
	int have_prev;
	size_t prev_owner;	/* owner length in prev */
	int pending;		/* a "<" waits for its ">" */
	unsigned long count, adds, deletes, updates;
	struct rrset rr;
};

/* ---------------------------------------------------------------- */
/* Character classes. */

enum {
	C_NAME = 0x01,		/* written raw in a name: a-z 0-9 - _ / */
	C_SETID = 0x02,		/* written raw in a SetIdentifier */
	C_PRINT = 0x04,		/* 0x20..0x7E */
	C_DIGIT = 0x08,
	C_TYPE = 0x10,		/* A-Z 0-9 */
	C_KEY = 0x20		/* header key: a-z 0-9 - */
};

static unsigned char cls[256];

static void
cls_init(void)
{
	int c;

	if (cls['a'] != 0)
		return;
	for (c = 0x20; c <= 0x7e; c++)
		cls[c] |= C_PRINT;
	for (c = 'a'; c <= 'z'; c++)
		cls[c] |= C_NAME | C_SETID | C_KEY;
	for (c = 'A'; c <= 'Z'; c++)
		cls[c] |= C_SETID | C_TYPE;
	for (c = '0'; c <= '9'; c++)
		cls[c] |= C_NAME | C_SETID | C_DIGIT | C_TYPE | C_KEY;
	cls['-'] |= C_NAME | C_SETID | C_KEY;
	cls['_'] |= C_NAME | C_SETID;
	cls['/'] |= C_NAME;
	cls['.'] |= C_SETID;
}

/* ---------------------------------------------------------------- */
/* Small helpers. */

static int
bytes_set(struct bytes *b, const char *p, size_t len)
{
	char *np;
	size_t ncap;

	if (len > b->cap) {
		ncap = b->cap ? b->cap : 256;
		while (ncap < len)
			ncap *= 2;
		np = realloc(b->p, ncap);
		if (np == NULL) {
			log_msg("out of memory");
			return -1;
		}
		b->p = np;
		b->cap = ncap;
	}
	if (len > 0)
		memcpy(b->p, p, len);
	b->len = len;
	return 0;
}

static void
kvlist_free(struct kvlist *l)
{
	size_t i;

	for (i = 0; i < l->n; i++) {
		free(l->v[i].key);
		free(l->v[i].value);
	}
	free(l->v);
	l->v = NULL;
	l->n = l->cap = 0;
}

static const char *
kvlist_get(const struct kvlist *l, const char *key)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (strcmp(l->v[i].key, key) == 0)
			return l->v[i].value;
	return NULL;
}

static unsigned long
kvlist_line(const struct kvlist *l, const char *key)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (strcmp(l->v[i].key, key) == 0)
			return l->v[i].line;
	return 0;
}

/* kvlist_add(l, key, klen, value, vlen): copy and append; -1 on ENOMEM. */
static int
kvlist_add(struct kvlist *l, const char *key, size_t klen, const char *value,
    size_t vlen)
{
	struct kv *nv;
	char *k = NULL, *v = NULL;

	if (l->n == l->cap) {
		nv = realloc(l->v, (l->cap ? l->cap * 2 : 8) * sizeof(*nv));
		if (nv == NULL)
			goto fail;
		l->v = nv;
		l->cap = l->cap ? l->cap * 2 : 8;
	}
	if ((k = malloc(klen + 1)) == NULL || (v = malloc(vlen + 1)) == NULL)
		goto fail;
	memcpy(k, key, klen);
	k[klen] = '\0';
	memcpy(v, value, vlen);
	v[vlen] = '\0';
	l->v[l->n].key = k;
	l->v[l->n].value = v;
	l->v[l->n].line = 0;
	l->n++;
	return 0;
fail:
	free(k);
	free(v);
	log_msg("out of memory");
	return -1;
}

/* key_cmp(a, alen, b, blen): stream order of two keys. */
static int
key_cmp(const char *a, size_t alen, const char *b, size_t blen)
{
	int c;

	c = memcmp(a, b, alen < blen ? alen : blen);
	if (c != 0)
		return c;
	return alen < blen ? -1 : alen > blen;
}

/*
 * common_prefix(a, b, n): the number of equal leading octets of A and B,
 * at most N.  Eight octets at a time: this is rrdiff's inner loop.
 */
static size_t
common_prefix(const char *a, const char *b, size_t n)
{
	size_t i = 0;
#if defined(__GNUC__) && defined(__BYTE_ORDER__) && \
    __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	uint64_t x, y;

	for (; i + 8 <= n; i += 8) {
		memcpy(&x, a + i, 8);
		memcpy(&y, b + i, 8);
		if (x != y)
			return i + (size_t)(__builtin_ctzll(x ^ y) >> 3);
	}
#endif
	while (i < n && a[i] == b[i])
		i++;
	return i;
}

/* Decimal without leading zeros, at most MAX; -1 if not. */
static long long
parse_dec(const char *s, size_t n, long long max)
{
	long long v = 0;
	size_t i;

	if (n == 0 || n > 19 || (n > 1 && s[0] == '0'))
		return -1;
	for (i = 0; i < n; i++) {
		if (!(cls[(unsigned char)s[i]] & C_DIGIT))
			return -1;
		v = v * 10 + (s[i] - '0');
		if (v > max)
			return -1;
	}
	return v;
}

/* ---------------------------------------------------------------- */
/* Field checks.  Each scans one field from S up to the first TAB or END,
 * sets *stop there and returns NULL if the field is fine, else a static
 * message.  One pass per field: these loops are rrdiff's hot path. */

/* The value of the \DDD escape at s (s[0] == '\\'), or -1. */
static int
esc_value(const char *s, size_t left)
{
	int v;

	if (left < 4 || !(cls[(unsigned char)s[1]] & C_DIGIT) ||
	    !(cls[(unsigned char)s[2]] & C_DIGIT) ||
	    !(cls[(unsigned char)s[3]] & C_DIGIT))
		return -1;
	v = (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
	return v > 255 ? -1 : v;
}

/* bad_name_octet(c): why octet C cannot stand raw in a name. */
static const char *
bad_name_octet(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return "upper case (must be lower case)";
	if (c == '*')
		return "'*' inside a label must be written \\042";
	return "octet must be written as \\DDD";
}

/*
 * scan_name(s, end, &stop): canonical name text (SPEC 3): absolute;
 * labels of a-z 0-9 - _ / ("-" not first in a label) and \DDD for every
 * other octet; "*" only as a whole label; labels 1..63 octets; at most 255
 * octets in wire form.
 */
static const char *
scan_name(const char *s, const char *end, const char **stop)
{
	const char *p = s, *lab;
	size_t wire = 1, llen, nesc;
	int v;

	*stop = s;
	if (p == end || *p == '\t')
		return "empty name";
	if (*p == '.') {
		*stop = ++p;
		return p == end || *p == '\t' ? NULL : "empty label";
	}
	for (;;) {
		lab = p;
		nesc = 0;
		if (*p == '-')
			return "'-' first in a label must be written \\045";
		if (*p == '*') {
			p++;
			if (p == end || *p == '\t')
				return "not absolute (must end with '.')";
			if (*p != '.')
				return "'*' inside a label must be written "
				    "\\042";
		}
		for (;;) {
			while (p < end && (cls[(unsigned char)*p] & C_NAME))
				p++;
			if (p == end || *p != '\\')
				break;
			v = esc_value(p, (size_t)(end - p));
			if (v < 0)
				return "bad escape (must be \\DDD, 000..255)";
			if ((cls[v] & C_NAME) && !(v == '-' && p == lab))
				return "needless escape (octet must be "
				    "written as itself)";
			if (v >= 'A' && v <= 'Z')
				return "upper-case octet (must be lower case)";
			if (v == '*' && p == lab && p + 4 < end && p[4] == '.')
				return "wildcard label must be written '*'";
			p += 4;
			nesc++;
		}
		if (p == end || *p == '\t')
			return "not absolute (must end with '.')";
		if (*p != '.')
			return bad_name_octet((unsigned char)*p);
		llen = (size_t)(p - lab) - 3 * nesc;
		if (llen == 0)
			return "empty label";
		if (llen > 63)
			return "label longer than 63 octets";
		wire += llen + 1;
		p++;
		if (p == end || *p == '\t')
			break;
	}
	if (wire > 255)
		return "name longer than 255 octets";
	*stop = p;
	return NULL;
}

/* check_name(s, n): the whole of S[0..n) is one canonical name. */
static const char *
check_name(const char *s, size_t n)
{
	const char *stop, *msg;

	if ((msg = scan_name(s, s + n, &stop)) != NULL)
		return msg;
	return stop == s + n ? NULL : "TAB in name";
}

/* scan_setid(s, end, &stop): escaped SetIdentifier (SPEC 2.2). */
static const char *
scan_setid(const char *s, const char *end, const char **stop)
{
	const char *p = s;
	int v;

	for (;;) {
		while (p < end && (cls[(unsigned char)*p] & C_SETID))
			p++;
		*stop = p;
		if (p == end || *p == '\t')
			break;
		if (*p != '\\')
			return "SetIdentifier octet must be written as \\DDD";
		v = esc_value(p, (size_t)(end - p));
		if (v < 0)
			return "bad escape in SetIdentifier";
		if (cls[v] & C_SETID)
			return "needless escape in SetIdentifier";
		p += 4;
	}
	return p == s ? "empty SetIdentifier" : NULL;
}

/* scan_text(s, end, &stop): printable ASCII, no leading or trailing
 * space, not empty. */
static const char *
scan_text(const char *s, const char *end, const char **stop)
{
	const char *p = s;

	while (p < end && (cls[(unsigned char)*p] & C_PRINT))
		p++;
	*stop = p;
	if (p < end && *p != '\t')
		return "octet outside 0x20..0x7E (must be escaped)";
	if (p == s)
		return "empty field";
	if (s[0] == ' ' || p[-1] == ' ')
		return "leading or trailing space";
	return NULL;
}

/* check_text(s, n): the whole of S[0..n) is one text field. */
static const char *
check_text(const char *s, size_t n)
{
	const char *stop, *msg;

	if ((msg = scan_text(s, s + n, &stop)) != NULL)
		return msg;
	return stop == s + n ? NULL : "TAB in field";
}

/* ---------------------------------------------------------------- */
/* RRset line parser (shared by readers, writer and rrset_parse). */

static int
rr_grow(struct rrset *rr)
{
	size_t ncap = rr->rdata_cap ? rr->rdata_cap * 2 : 16;
	const char **nr;
	size_t *nl;

	nr = realloc((void *)rr->rdata, ncap * sizeof(*nr));
	if (nr == NULL)
		return -1;
	rr->rdata = nr;
	nl = realloc(rr->rdata_len, ncap * sizeof(*nl));
	if (nl == NULL)
		return -1;
	rr->rdata_len = nl;
	rr->rdata_cap = ncap;
	return 0;
}

/*
 * parse_at(rr, p, fl, line, &field): an "@r53=" or "@raw=" field at P
 * (FL bytes, already checked as text).  Returns NULL or a message.
 */
static const char *
parse_at(struct rrset *rr, const char *p, size_t fl, const char *line,
    const char **field)
{
	if (fl >= 5 && memcmp(p, "@r53=", 5) == 0) {
		*field = "@r53";
		if (rr->r53 != NULL || rr->raw != NULL)
			return "repeated or after @raw";
		if (fl < 7 || p[5] != '{' || p[fl - 1] != '}')
			return "not a JSON object";
		rr->r53 = p + 5;
		rr->r53_len = fl - 5;
		return NULL;
	}
	if (fl >= 5 && memcmp(p, "@raw=", 5) == 0) {
		*field = "@raw";
		if (rr->raw != NULL)
			return "repeated";
		if (fl < 7 || p[5] != '[' || p[fl - 1] != ']')
			return "not a JSON array";
		rr->raw = p + 5;
		rr->raw_len = fl - 5;
		rr->cmp_len = (size_t)(p - 1 - line);
		return NULL;
	}
	*field = "@field";
	return "unknown field (RDATA never begins with '@')";
}

/*
 * owner_in_origin(name, n, origin, olen): NAME (N bytes, canonical) is
 * ORIGIN or below it.  ORIGIN NULL or "." holds every name.
 */
static int
owner_in_origin(const char *name, size_t n, const char *origin, size_t olen)
{
	const char *end = name + n;

	if (origin == NULL || (olen == 1 && origin[0] == '.'))
		return 1;
	return n >= olen && memcmp(end - olen, origin, olen) == 0 &&
	    (n == olen || end[-(long)olen - 1] == '.');
}

/*
 * The field parsers of parse_line.  Each reads one field of rr->line
 * (up to END), from where the field before it ended as recorded in RR,
 * fills RR's members for it and returns NULL, or a static message.
 */

/* parse_owner(rr, end, origin, olen, same): the owner and its TAB; see
 * parse_line for ORIGIN and SAME. */
static const char *
parse_owner(struct rrset *rr, const char *end, const char *origin,
    size_t olen, size_t same)
{
	const char *p = rr->line, *q, *msg;

	rr->owner = p;
	if (same > 0) {
		q = p + same - 1;
	} else {
		if ((msg = scan_name(p, end, &q)) != NULL)
			return msg;
		if (!owner_in_origin(p, (size_t)(q - p), origin, olen))
			return "outside the origin";
	}
	rr->owner_len = (size_t)(q - p);
	if (q == end)
		return "missing fields (need OWNER TAB TYPE TAB TTL ...)";
	return NULL;
}

/* parse_key(rr, end, &field): TYPE[/SETID] and its TAB; *field becomes
 * "setid" from the '/' on. */
static const char *
parse_key(struct rrset *rr, const char *end, const char **field)
{
	const char *p = rr->owner + rr->owner_len + 1, *q = p, *msg;

	rr->type = p;
	if (q < end && *q >= 'A' && *q <= 'Z')
		while (q < end && (cls[(unsigned char)*q] & C_TYPE))
			q++;
	rr->type_len = (size_t)(q - p);
	if (rr->type_len == 0 || rr->type_len > 16 ||
	    (q < end && *q != '\t' && *q != '/'))
		return "not a type mnemonic ([A-Z][A-Z0-9]*)";
	if (q < end && *q == '/') {
		*field = "setid";
		rr->setid = q + 1;
		if ((msg = scan_setid(q + 1, end, &q)) != NULL)
			return msg;
		rr->setid_len = (size_t)(q - rr->setid);
	}
	if (q == end)
		return "missing TTL field";
	rr->key_len = (size_t)(q - rr->line);
	return NULL;
}

/* parse_ttl(rr, end): the TTL, a decimal or '-' (alias). */
static const char *
parse_ttl(struct rrset *rr, const char *end)
{
	const char *p = rr->line + rr->key_len + 1, *q = p;
	long long ttl = 0;
	size_t fl;

	/* digits, at most 11 of them (more is too big anyway) */
	while (q < end && (cls[(unsigned char)*q] & C_DIGIT) && q - p < 11)
		ttl = ttl * 10 + (*q++ - '0');
	if (q == p && q < end && *q == '-')
		q++;
	fl = (size_t)(q - p);
	rr->ttl_text = p;
	rr->ttl_len = fl;
	rr->body_off = (size_t)(q - rr->line);
	if (q < end && *q != '\t')
		fl = 0;		/* stray octet: fail below */
	if (fl == 1 && p[0] == '-')
		rr->ttl = -1;
	else if (fl > 0 && ttl <= TTL_MAX && (fl == 1 || p[0] != '0'))
		rr->ttl = (long)ttl;
	else
		return q == p && (q == end || *q == '\t') ? "empty field" :
		    "not a decimal 0..2147483647 without leading zeros, nor "
		    "'-'";
	return NULL;
}

/* check_record(rr, p, fl): record P (FL bytes) may follow those before
 * it: no @ field yet, and in strictly increasing byte order. */
static const char *
check_record(const struct rrset *rr, const char *p, size_t fl)
{
	size_t n;
	int c;

	if (rr->r53 != NULL || rr->raw != NULL)
		return "RDATA after an @ field";
	if (rr->nrdata == 0)
		return NULL;
	n = rr->nrdata - 1;
	c = key_cmp(rr->rdata[n], rr->rdata_len[n], p, fl);
	if (c >= 0)
		return c == 0 ? "duplicate record" :
		    "records not in byte order";
	return NULL;
}

/*
 * parse_records(rr, end, &field, &msg): the RDATA, @r53 and @raw fields
 * after the TTL.  Returns 0, or -1 with *msg and *field set (*field NULL
 * for "rdata N", the record being read), or -1 with *msg NULL when out
 * of memory (logged here: there is no field to blame).
 */
static int
parse_records(struct rrset *rr, const char *end, const char **field,
    const char **msg)
{
	const char *p, *q = rr->line + rr->body_off;
	size_t fl;

	while (q < end) {
		p = q + 1;
		*field = NULL;
		if ((*msg = scan_text(p, end, &q)) != NULL) {
			if (p < end && p[0] == '@')
				*field = "@field";
			return -1;
		}
		fl = (size_t)(q - p);
		if (p[0] == '@') {
			*msg = parse_at(rr, p, fl, rr->line, field);
			if (*msg != NULL)
				return -1;
			continue;
		}
		if ((*msg = check_record(rr, p, fl)) != NULL)
			return -1;
		if (rr->nrdata == rr->rdata_cap && rr_grow(rr) == -1) {
			log_msg("out of memory");
			return -1;
		}
		rr->rdata[rr->nrdata] = p;
		rr->rdata_len[rr->nrdata] = fl;
		rr->nrdata++;
	}
	return 0;
}

/* check_complete(rr, &field): the fields the TTL asks for are there: an
 * alias ('-') has @r53 and no RDATA, others RDATA or @raw. */
static const char *
check_complete(struct rrset *rr, const char **field)
{
	if (rr->ttl == -1) {
		*field = "ttl";
		if (rr->nrdata > 0)
			return "'-' (alias) with RDATA";
		if (rr->r53 == NULL)
			return "'-' (alias) without @r53";
	} else if (rr->nrdata == 0 && rr->raw == NULL) {
		*field = "rdata 1";
		return "missing (an RRset needs at least one record, or @raw)";
	} else if (rr->nrdata == 0) {
		/* An unconverted Route 53 RRset (SPEC 2.2): its stored values
		 * are its content, so two dumps of it compare by them and no
		 * RRset with RDATA ever equals it. */
		rr->cmp_len = rr->len;
	}
	return NULL;
}

/*
 * parse_line(line, len, rr, origin, olen, same, file, lineno): split and
 * check one RRset line.  ORIGIN NULL skips the origin check.  SAME: the
 * first SAME bytes of the line are a known-good "OWNER TAB" (the owner of
 * the previous line), so the owner is not checked again.  Returns 0 or
 * -1 after reporting.
 */
static int
parse_line(const char *line, size_t len, struct rrset *rr, const char *origin,
    size_t olen, size_t same, const char *file, unsigned long lineno)
{
	const char *end = line + len, *msg;
	const char *field;	/* named in the message; NULL: "rdata N" */
	char fbuf[32];

	rr->line = line;
	rr->len = len;
	rr->nrdata = 0;
	rr->setid = rr->r53 = rr->raw = NULL;
	rr->setid_len = rr->r53_len = rr->raw_len = 0;
	rr->cmp_len = len;

	field = "owner";
	if ((msg = parse_owner(rr, end, origin, olen, same)) != NULL)
		goto bad;
	field = "type";
	if ((msg = parse_key(rr, end, &field)) != NULL)
		goto bad;
	field = "ttl";
	if ((msg = parse_ttl(rr, end)) != NULL)
		goto bad;
	if (parse_records(rr, end, &field, &msg) == -1) {
		if (msg == NULL)
			return -1;	/* out of memory, logged */
		goto bad;
	}
	if ((msg = check_complete(rr, &field)) != NULL)
		goto bad;
	return 0;
bad:
	if (field == NULL) {
		snprintf(fbuf, sizeof(fbuf), "rdata %zu", rr->nrdata + 1);
		field = fbuf;
	}
	log_at(file, lineno, "%s: %s", field, msg);
	return -1;
}

int
rrset_parse(const char *line, size_t len, struct rrset *rr, const char *file,
    unsigned long lineno)
{
	cls_init();
	return parse_line(line, len, rr, NULL, 0, 0, file, lineno);
}

void
rrset_free_arrays(struct rrset *rr)
{
	if (rr == NULL)
		return;
	free((void *)rr->rdata);
	free(rr->rdata_len);
	rr->rdata = NULL;
	rr->rdata_len = NULL;
	rr->rdata_cap = 0;
	rr->nrdata = 0;
}

int
rrset_key_cmp(const struct rrset *a, const struct rrset *b)
{
	return key_cmp(a->line, a->key_len, b->line, b->key_len);
}

int
rrset_equal(const struct rrset *a, const struct rrset *b, int ignore_ttl)
{
	size_t al, bl;

	if (!ignore_ttl)
		return a->cmp_len == b->cmp_len &&
		    memcmp(a->line, b->line, a->cmp_len) == 0;
	if (a->key_len != b->key_len ||
	    memcmp(a->line, b->line, a->key_len) != 0)
		return 0;
	al = a->cmp_len - a->body_off;
	bl = b->cmp_len - b->body_off;
	return al == bl &&
	    memcmp(a->line + a->body_off, b->line + b->body_off, al) == 0;
}

int
rrset_compare(const struct rrset *a, const struct rrset *b, int *same)
{
	size_t n = a->cmp_len < b->cmp_len ? a->cmp_len : b->cmp_len;
	size_t i = common_prefix(a->line, b->line, n);

	*same = 0;
	if (a->key_len == b->key_len && i >= a->key_len) {
		*same = a->cmp_len == b->cmp_len && i == n;
		return 0;
	}
	/* different keys differ at or before the end of the shorter one
	 * (each key holds exactly one TAB), so i < n */
	return (unsigned char)a->line[i] < (unsigned char)b->line[i] ? -1 : 1;
}

int
rrset_route53_only(const struct rrset *rr)
{
	return rr->setid != NULL || rr->r53 != NULL;
}

int
rrset_unconverted(const struct rrset *rr)
{
	return rr->nrdata == 0 && rr->raw != NULL && rr->ttl >= 0;
}

/* ---------------------------------------------------------------- */
/* Header and trailer lines. */

/*
 * split_header(line, len, &klen, &val, file, lineno): "#KEY VALUE"; KEY
 * is line[1..1+klen), VALUE runs from val to the end of the line.
 */
static int
split_header(const char *line, size_t len, size_t *klen, const char **val,
    const char *file, unsigned long lineno)
{
	size_t i;
	const char *msg;

	for (i = 1; i < len && (cls[(unsigned char)line[i]] & C_KEY); i++)
		;
	if (i == 1 || i >= len || line[i] != ' ') {
		log_at(file, lineno, "malformed header line (need '#KEY VALUE' "
		    "with KEY of a-z 0-9 -)");
		return -1;
	}
	if ((msg = check_text(line + i + 1, len - i - 1)) != NULL) {
		log_at(file, lineno, "header %.*s: %s", (int)(i - 1), line + 1,
		    msg);
		return -1;
	}
	*klen = i - 1;
	*val = line + i + 1;
	return 0;
}

/*
 * parse_trailer(line, len, l, file, lineno): "#end" then " key=value"
 * words into L.
 */
static int
parse_trailer(const char *line, size_t len, struct kvlist *l,
    const char *file, unsigned long lineno)
{
	const char *p = line + 4, *end = line + len, *w, *eq;
	size_t i;

	while (p < end) {
		if (*p != ' ' || p + 1 >= end)
			goto bad;
		w = ++p;
		while (p < end && *p != ' ')
			p++;
		eq = memchr(w, '=', (size_t)(p - w));
		if (eq == NULL || eq == w || eq + 1 == p)
			goto bad;
		for (i = 0; w + i < eq; i++)
			if (!(cls[(unsigned char)w[i]] & C_KEY))
				goto bad;
		for (i = 1; eq + i < p; i++)
			if (!(cls[(unsigned char)eq[i]] & C_PRINT))
				goto bad;
		if (kvlist_add(l, w, (size_t)(eq - w), eq + 1,
		    (size_t)(p - eq - 1)) == -1)
			return -1;
		/* one value per word: "rrsets=6 rrsets=999" contradicts */
		for (i = 0; i + 1 < l->n; i++)
			if (strcmp(l->v[i].key, l->v[l->n - 1].key) == 0) {
				log_at(file, lineno, "malformed trailer: "
				    "'%s' given twice", l->v[i].key);
				return -1;
			}
	}
	return 0;
bad:
	log_at(file, lineno, "malformed trailer (need '#end key=value ...')");
	return -1;
}

static int
is_trailer(const char *line, size_t len)
{
	return len >= 4 && memcmp(line, "#end", 4) == 0 &&
	    (len == 4 || line[4] == ' ');
}

/* ---------------------------------------------------------------- */
/* Reader. */

/*
 * rd_line(r, &line, &len): the next line without its LF.  Returns 1, 0 at
 * a clean end of input, -1 after reporting (I/O error, last line without
 * LF).  The line stays valid until the next call.
 */
static int
rd_line(struct strm_reader *r, char **line, size_t *len)
{
	char *nl, *nb;
	ssize_t got;

	if (r->unread) {
		r->unread = 0;
		*line = r->ul;
		*len = r->ul_len;
		return 1;
	}
	for (;;) {
		nl = memchr(r->buf + r->scan, '\n', r->end - r->scan);
		if (nl != NULL) {
			*line = r->buf + r->pos;
			*len = (size_t)(nl - *line);
			r->pos = r->scan = (size_t)(nl + 1 - r->buf);
			r->lineno++;
			return 1;
		}
		r->scan = r->end;
		if (r->eof) {
			if (r->pos < r->end) {
				r->lineno++;
				log_at(r->name, r->lineno, "last line has no "
				    "newline: input truncated");
				return -1;
			}
			return 0;
		}
		if (r->pos > 0) {
			memmove(r->buf, r->buf + r->pos, r->end - r->pos);
			r->end -= r->pos;
			r->scan -= r->pos;
			r->pos = 0;
		}
		if (r->end == r->cap) {
			nb = realloc(r->buf, r->cap * 2);
			if (nb == NULL) {
				log_msg("%s: out of memory (line too long)",
				    r->name);
				return -1;
			}
			r->buf = nb;
			r->cap *= 2;
		}
		do
			got = read(r->fd, r->buf + r->end, r->cap - r->end);
		while (got == -1 && errno == EINTR);
		if (got == -1) {
			log_errno("%s: read", r->name);
			return -1;
		}
		if (got == 0)
			r->eof = 1;
		r->end += (size_t)got;
	}
}

static const char *
magic_of(enum strm_kind kind)
{
	return kind == STRM_RRSET ? STRM_MAGIC_RRSET : STRM_MAGIC_CHANGE;
}

/* check_magic(r, line, len): the first line. */
static int
check_magic(struct strm_reader *r, const char *line, size_t len)
{
	const char *want = magic_of(r->kind);
	const char *other = magic_of(r->kind == STRM_RRSET ? STRM_CHANGE :
	    STRM_RRSET);
	size_t wl = strlen(want), ol = strlen(other);

	if (len > wl && memcmp(line, want, wl) == 0 && line[wl] == ' ') {
		if (len - wl - 1 == 1 && line[wl + 1] == '1')
			return 0;
		log_at(r->name, r->lineno, "unknown format version '%.*s' "
		    "(this reader knows %s)", (int)(len - wl - 1 > 40 ? 40 :
		    len - wl - 1), line + wl + 1, STRM_VERSION);
		return -1;
	}
	if (len > ol && memcmp(line, other, ol) == 0 && line[ol] == ' ') {
		log_at(r->name, r->lineno, "this is %s stream, expected %s "
		    "stream", r->kind == STRM_RRSET ? "a change" :
		    "an RRset", r->kind == STRM_RRSET ? "an RRset" :
		    "a change");
		return -1;
	}
	log_at(r->name, r->lineno, "missing magic line '%s %s'", want,
	    STRM_VERSION);
	return -1;
}

/* read_header(r): magic and header lines; leaves the next line unread. */
static int
read_header(struct strm_reader *r)
{
	char *line;
	size_t len, klen;
	const char *val, *msg;
	int rc;

	rc = rd_line(r, &line, &len);
	if (rc == -1)
		return -1;
	if (rc == 0) {
		log_at(r->name, 0, "empty input: missing magic line '%s %s'",
		    magic_of(r->kind), STRM_VERSION);
		return -1;
	}
	if (check_magic(r, line, len) == -1)
		return -1;
	for (;;) {
		rc = rd_line(r, &line, &len);
		if (rc == -1)
			return -1;
		if (rc == 0 || len == 0 || line[0] != '#' ||
		    is_trailer(line, len))
			break;
		if (split_header(line, len, &klen, &val, r->name,
		    r->lineno) == -1)
			return -1;
		line[1 + klen] = '\0';
		if (kvlist_get(&r->hdr, line + 1) != NULL) {
			log_at(r->name, r->lineno, "header %s given twice",
			    line + 1);
			return -1;
		}
		if (kvlist_add(&r->hdr, line + 1, klen, val,
		    len - klen - 2) == -1)
			return -1;
		r->hdr.v[r->hdr.n - 1].line = r->lineno;
	}
	if (rc == 0) {
		log_at(r->name, r->lineno, "no trailer: input truncated");
		return -1;
	}
	if (rc == 1) {
		r->unread = 1;
		r->ul = line;
		r->ul_len = len;
	}
	/* line numbers of the missing keys: the end of the header */
	if ((r->origin = kvlist_get(&r->hdr, "origin")) == NULL) {
		log_at(r->name, r->lineno, "header 'origin' missing");
		return -1;
	}
	r->origin_len = strlen(r->origin);
	if ((msg = check_name(r->origin, r->origin_len)) != NULL) {
		log_at(r->name, kvlist_line(&r->hdr, "origin"),
		    "header origin: %s", msg);
		return -1;
	}
	if (kvlist_get(&r->hdr, "producer") == NULL) {
		log_at(r->name, r->lineno, "header 'producer' missing");
		return -1;
	}
	val = kvlist_get(&r->hdr, "serial");
	if (val != NULL && parse_dec(val, strlen(val), 4294967295LL) < 0) {
		log_at(r->name, kvlist_line(&r->hdr, "serial"),
		    "header serial: not a decimal 0..4294967295");
		return -1;
	}
	return 0;
}

struct strm_reader *
strm_open_fd(int fd, const char *name, enum strm_kind kind)
{
	struct strm_reader *r = NULL;

	cls_init();
	if ((r = calloc(1, sizeof(*r))) == NULL ||
	    (r->name = strdup(name)) == NULL ||
	    (r->buf = malloc(RD_BUFSZ)) == NULL) {
		log_msg("out of memory");
		goto fail;
	}
	r->fd = fd;
	r->kind = kind;
	r->cap = RD_BUFSZ;
	if (read_header(r) == -1)
		goto fail;
	return r;
fail:
	strm_close(r);
	return NULL;
}

struct strm_reader *
strm_open(const char *path, enum strm_kind kind)
{
	struct strm_reader *r;
	int fd;

	if (strcmp(path, "-") == 0)
		return strm_open_fd(0, "(stdin)", kind);
	do
		fd = open(path, O_RDONLY | O_CLOEXEC);
	while (fd == -1 && errno == EINTR);
	if (fd == -1) {
		log_errno("%s", path);
		return NULL;
	}
	r = strm_open_fd(fd, path, kind);
	if (r == NULL) {
		close(fd);
		return NULL;
	}
	r->own_fd = 1;
	return r;
}

void
strm_close(struct strm_reader *r)
{
	if (r == NULL)
		return;
	if (r->own_fd)
		close(r->fd);
	kvlist_free(&r->hdr);
	kvlist_free(&r->trl);
	rrset_free_arrays(&r->rr);
	rrset_free_arrays(&r->rr2);
	free(r->prev.p);
	free(r->hold.p);
	free(r->buf);
	free(r->name);
	free(r);
}

const char *
strm_header(const struct strm_reader *r, const char *key)
{
	return kvlist_get(&r->hdr, key);
}

void
strm_header_each(const struct strm_reader *r,
    void (*fn)(const char *key, const char *value, void *arg), void *arg)
{
	size_t i;

	for (i = 0; i < r->hdr.n; i++)
		fn(r->hdr.v[i].key, r->hdr.v[i].value, arg);
}

const char *
strm_trailer(const struct strm_reader *r, const char *key)
{
	return kvlist_get(&r->trl, key);
}

void
strm_trailer_each(const struct strm_reader *r,
    void (*fn)(const char *key, const char *value, void *arg), void *arg)
{
	size_t i;

	for (i = 0; i < r->trl.n; i++)
		fn(r->trl.v[i].key, r->trl.v[i].value, arg);
}

unsigned long
strm_count(const struct strm_reader *r)
{
	return r->count;
}

const char *
strm_name(const struct strm_reader *r)
{
	return r->name;
}

unsigned long
strm_lineno(const struct strm_reader *r)
{
	return r->lineno;
}

/*
 * check_count(r, key, have): the trailer word KEY must be the decimal
 * HAVE.
 */
static int
check_count(struct strm_reader *r, const char *key, unsigned long have)
{
	const char *v = kvlist_get(&r->trl, key);
	long long n;

	if (v == NULL) {
		log_at(r->name, r->lineno, "trailer: '%s=' missing", key);
		return -1;
	}
	n = parse_dec(v, strlen(v), LLONG_MAX / 10);
	if (n < 0) {
		log_at(r->name, r->lineno, "trailer: %s: not a decimal", key);
		return -1;
	}
	if ((unsigned long long)n != have) {
		log_at(r->name, r->lineno, "trailer: %s=%s but %lu read: "
		    "wrong count", key, v, have);
		return -1;
	}
	return 0;
}

/* finish(r, line, len): the trailer line, then end of input. */
static int
finish(struct strm_reader *r, const char *line, size_t len)
{
	static const char *const extra[] = {
		"desired-rrsets", "current-rrsets", "skipped"
	};
	char *l2;
	size_t l2len, i;
	int rc;

	if (parse_trailer(line, len, &r->trl, r->name, r->lineno) == -1)
		return -1;
	if (r->kind == STRM_RRSET) {
		if (check_count(r, "rrsets", r->count) == -1)
			return -1;
	} else {
		if (check_count(r, "changes", r->count) == -1 ||
		    check_count(r, "adds", r->adds) == -1 ||
		    check_count(r, "deletes", r->deletes) == -1 ||
		    check_count(r, "updates", r->updates) == -1)
			return -1;
		for (i = 0; i < sizeof(extra) / sizeof(extra[0]); i++) {
			const char *v = kvlist_get(&r->trl, extra[i]);

			if (v == NULL || parse_dec(v, strlen(v),
			    LLONG_MAX / 10) < 0) {
				log_at(r->name, r->lineno, "trailer: '%s=' "
				    "missing or not a decimal", extra[i]);
				return -1;
			}
		}
	}
	rc = rd_line(r, &l2, &l2len);
	if (rc == -1)
		return -1;
	if (rc == 1) {
		log_at(r->name, r->lineno, "data after the trailer");
		return -1;
	}
	return 0;
}

/*
 * next_record(r, &line, &len): the next record line, or 0 at the
 * trailer (checked), -1 after reporting.
 */
static int
next_record(struct strm_reader *r, char **line, size_t *len)
{
	int rc;

	if (r->state != 0)
		return r->state == 1 ? 0 : -1;
	rc = rd_line(r, line, len);
	if (rc == 0) {
		log_at(r->name, r->lineno, "no trailer: input truncated");
		goto fail;
	}
	if (rc == -1)
		goto fail;
	if (*len > 0 && (*line)[0] == '#') {
		if (r->want_gt) {
			log_at(r->name, r->lineno, "kind: '<' line not "
			    "followed by its '>' line");
			goto fail;
		}
		if (!is_trailer(*line, *len)) {
			log_at(r->name, r->lineno, "header line after the "
			    "first record line");
			goto fail;
		}
		if (finish(r, *line, *len) == -1)
			goto fail;
		r->state = 1;
		return 0;
	}
	return 1;
fail:
	r->state = -1;
	return -1;
}

/*
 * check_order(r, rr, cp): strictly increasing keys; remember this key.
 * CP is the length of the common prefix of rr->line and the previous
 * key (common_prefix over the shorter of the two), or NO_CP to compute
 * the order from scratch.
 */
#define NO_CP	((size_t)-1)

static int
check_order(struct strm_reader *r, const struct rrset *rr, size_t cp)
{
	int c;

	if (r->have_prev) {
		if (cp == NO_CP)
			c = key_cmp(r->prev.p, r->prev.len, rr->line,
			    rr->key_len);
		else if (cp >= r->prev.len)
			/* the previous key is a prefix of this line */
			c = rr->key_len == r->prev.len ? 0 : -1;
		else if (cp >= rr->len)
			c = 1;
		else
			/* the first differing octet decides (SPEC 2.2) */
			c = (unsigned char)r->prev.p[cp] <
			    (unsigned char)rr->line[cp] ? -1 : 1;
		if (c >= 0) {
			log_at(r->name, r->lineno, c == 0 ? "duplicate key "
			    "%.*s %.*s" : "line out of order: key %.*s %.*s "
			    "must come before the previous line's",
			    KEY_ARGS(rr));
			return -1;
		}
	}
	r->have_prev = 1;
	r->prev_owner = rr->owner_len;
	return bytes_set(&r->prev, rr->line, rr->key_len);
}

enum strm_status
strm_next(struct strm_reader *r, const struct rrset **rrp)
{
	char *line;
	size_t len, same, cp;
	int rc;

	if (r->kind != STRM_RRSET) {
		log_msg("%s: internal error: strm_next on a change stream",
		    r->name);
		return STRM_ERROR;
	}
	rc = next_record(r, &line, &len);
	if (rc <= 0)
		return rc == 0 ? STRM_END : STRM_ERROR;
	/*
	 * One pass against the previous key gives both the order and
	 * whether the owner is the previous one (checked already).
	 */
	same = 0;
	cp = NO_CP;
	if (r->have_prev) {
		cp = common_prefix(line, r->prev.p, len < r->prev.len ? len :
		    r->prev.len);
		if (cp > r->prev_owner)
			same = r->prev_owner + 1;
	}
	if (parse_line(line, len, &r->rr, r->origin, r->origin_len, same,
	    r->name, r->lineno) == -1 || check_order(r, &r->rr, cp) == -1) {
		r->state = -1;
		return STRM_ERROR;
	}
	r->count++;
	*rrp = &r->rr;
	return STRM_OK;
}

/* change_prefix(r, line, len): "K TAB" with K one of "+-<>"; K or -1. */
static int
change_prefix(const char *file, unsigned long lineno, const char *line,
    size_t len)
{
	if (len < 3 || line[1] != '\t' || strchr("+-<>", line[0]) == NULL ||
	    line[0] == '\0') {
		log_at(file, lineno, "kind: not a change line (need '+', "
		    "'-', '<' or '>', then TAB)");
		return -1;
	}
	return line[0];
}

/*
 * new_side_ok(file, lineno, kind, rr): an unconverted RRset (@raw only)
 * holds values nobody could send as they are meant, so it may be deleted
 * or replaced but never be the new side of a change.  0 or -1 (reported).
 */
static int
new_side_ok(const char *file, unsigned long lineno, int kind,
    const struct rrset *rr)
{
	if ((kind != '+' && kind != '>') || !rrset_unconverted(rr))
		return 0;
	log_at(file, lineno, "kind: '%c' line with an RRset without RDATA "
	    "(@raw only: it can only be deleted or replaced)", kind);
	return -1;
}

enum strm_status
strm_next_change(struct strm_reader *r, const struct change **chp)
{
	char *line;
	size_t len;
	int rc, k;

	if (r->kind != STRM_CHANGE) {
		log_msg("%s: internal error: strm_next_change on an RRset "
		    "stream", r->name);
		return STRM_ERROR;
	}
	rc = next_record(r, &line, &len);
	if (rc <= 0)
		return rc == 0 ? STRM_END : STRM_ERROR;
	if ((k = change_prefix(r->name, r->lineno, line, len)) == -1)
		goto fail;
	if (k == '>') {
		log_at(r->name, r->lineno, "kind: '>' without a '<' line "
		    "before it");
		goto fail;
	}
	if (k == '<') {
		/* keep the old RRset: the next read may move the buffer */
		if (bytes_set(&r->hold, line + 2, len - 2) == -1 ||
		    parse_line(r->hold.p, r->hold.len, &r->rr2, r->origin,
		    r->origin_len, 0, r->name, r->lineno) == -1 ||
		    check_order(r, &r->rr2, NO_CP) == -1)
			goto fail;
		r->want_gt = 1;
		rc = next_record(r, &line, &len);
		r->want_gt = 0;
		if (rc == 0) {
			log_at(r->name, r->lineno, "kind: '<' line not "
			    "followed by its '>' line");
			goto fail;
		}
		if (rc == -1)
			goto fail;
		if (change_prefix(r->name, r->lineno, line, len) != '>') {
			log_at(r->name, r->lineno, "kind: '<' line not "
			    "followed by its '>' line");
			goto fail;
		}
		if (parse_line(line + 2, len - 2, &r->rr, r->origin,
		    r->origin_len, 0, r->name, r->lineno) == -1 ||
		    new_side_ok(r->name, r->lineno, '>', &r->rr) == -1)
			goto fail;
		if (rrset_key_cmp(&r->rr2, &r->rr) != 0) {
			log_at(r->name, r->lineno, "'>' line with another "
			    "key than its '<' line");
			goto fail;
		}
		r->ch.kind = CHANGE_UPDATE;
		r->ch.old = &r->rr2;
		r->ch.new = &r->rr;
		r->updates++;
	} else {
		if (parse_line(line + 2, len - 2, &r->rr, r->origin,
		    r->origin_len, 0, r->name, r->lineno) == -1 ||
		    new_side_ok(r->name, r->lineno, k, &r->rr) == -1 ||
		    check_order(r, &r->rr, NO_CP) == -1)
			goto fail;
		r->ch.kind = k == '+' ? CHANGE_ADD : CHANGE_DELETE;
		r->ch.old = k == '-' ? &r->rr : NULL;
		r->ch.new = k == '+' ? &r->rr : NULL;
		if (k == '+')
			r->adds++;
		else
			r->deletes++;
	}
	r->count++;
	*chp = &r->ch;
	return STRM_OK;
fail:
	r->state = -1;
	return STRM_ERROR;
}

/* ---------------------------------------------------------------- */
/* Writer. */

static int
wr_flush(struct strm_writer *w)
{
	size_t off = 0;
	ssize_t n;

	while (off < w->len) {
		n = write(w->fd, w->buf + off, w->len - off);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			log_errno("%s: write", w->name);
			w->failed = 1;
			w->len = 0;
			return -1;
		}
		off += (size_t)n;
	}
	w->len = 0;
	return 0;
}

static int
wr_append(struct strm_writer *w, const char *p, size_t len)
{
	size_t n;

	if (w->failed)
		return -1;
	while (len > 0) {
		if (w->len == WR_BUFSZ && wr_flush(w) == -1)
			return -1;
		n = WR_BUFSZ - w->len;
		if (n > len)
			n = len;
		memcpy(w->buf + w->len, p, n);
		w->len += n;
		p += n;
		len -= n;
	}
	return 0;
}

/* current_umask(): the process umask (read by setting it back). */
static mode_t
current_umask(void)
{
	mode_t m = umask(022);

	umask(m);
	return m;
}

/* open_tmp(w, path): w->fd on a new temporary file beside PATH (w->tmp,
 * guarded), renamed over PATH by strm_commit.  0, or -1 (reported). */
static int
open_tmp(struct strm_writer *w, const char *path)
{
	const char *slash = strrchr(path, '/');
	size_t dl = slash ? (size_t)(slash - path + 1) : 0;
	size_t tl = strlen(path) + 10;

	if ((w->tmp = malloc(tl)) == NULL) {
		log_msg("out of memory");
		return -1;
	}
	snprintf(w->tmp, tl, "%.*s.%s.XXXXXX", (int)dl, path, path + dl);
	w->fd = mkstemp(w->tmp);
	if (w->fd == -1) {
		log_errno("%s: cannot create temporary file %s", path, w->tmp);
		free(w->tmp);
		w->tmp = NULL;
		return -1;
	}
	tmpguard_add(w->tmp);	/* removed once renamed or unlinked */
	/* mkstemp gives 0600; a stream is not secret */
	(void)fchmod(w->fd, 0644 & ~current_umask());
	return 0;
}

struct strm_writer *
strm_create(const char *path, enum strm_kind kind)
{
	struct strm_writer *w = NULL;
	const char *magic;

	cls_init();
	if ((w = calloc(1, sizeof(*w))) == NULL ||
	    (w->buf = malloc(WR_BUFSZ)) == NULL)
		goto nomem;
	w->kind = kind;
	w->fd = -1;
	if (path == NULL || strcmp(path, "-") == 0) {
		w->fd = 1;
		w->name = "(stdout)";
	} else {
		if ((w->path = strdup(path)) == NULL)
			goto nomem;
		w->name = w->path;
		if (tmpguard_in_place(path)) {
			/* /dev/null, a FIFO: written as it is, never replaced */
			if ((w->fd = open(path, O_WRONLY | O_CLOEXEC)) == -1) {
				log_errno("%s", path);
				goto fail;
			}
		} else if (open_tmp(w, path) == -1)
			goto fail;
	}
	magic = magic_of(kind);
	if (wr_append(w, magic, strlen(magic)) == -1 ||
	    wr_append(w, " " STRM_VERSION "\n", 3) == -1)
		goto fail;
	w->lineno = 1;
	return w;
nomem:
	log_msg("out of memory");
fail:
	strm_abort(w);
	return NULL;
}

int
strm_put_header(struct strm_writer *w, const char *key, const char *value)
{
	size_t kl = strlen(key), vl = strlen(value), i;
	const char *msg;

	w->lineno++;
	if (w->records) {
		log_at(w->name, w->lineno, "internal error: header %s after "
		    "the first record line", key);
		goto fail;
	}
	for (i = 0; i < kl; i++)
		if (!(cls[(unsigned char)key[i]] & C_KEY))
			break;
	if (kl == 0 || i < kl) {
		log_at(w->name, w->lineno, "internal error: bad header key "
		    "'%s'", key);
		goto fail;
	}
	if ((msg = check_text(value, vl)) != NULL) {
		log_at(w->name, w->lineno, "header %s: %s", key, msg);
		goto fail;
	}
	if (kvlist_get(&w->hdr, key) != NULL) {
		log_at(w->name, w->lineno, "internal error: header %s given "
		    "twice", key);
		goto fail;
	}
	if (strcmp(key, "origin") == 0 &&
	    (msg = check_name(value, vl)) != NULL) {
		log_at(w->name, w->lineno, "header origin: %s", msg);
		goto fail;
	}
	if (kvlist_add(&w->hdr, key, kl, value, vl) == -1)
		goto fail;
	if (strcmp(key, "origin") == 0) {
		w->origin = kvlist_get(&w->hdr, "origin");
		w->origin_len = vl;
	}
	if (wr_append(w, "#", 1) == -1 || wr_append(w, key, kl) == -1 ||
	    wr_append(w, " ", 1) == -1 || wr_append(w, value, vl) == -1 ||
	    wr_append(w, "\n", 1) == -1)
		goto fail;
	return 0;
fail:
	w->failed = 1;
	return -1;
}

/* header_complete(w): origin and producer given. */
static int
header_complete(struct strm_writer *w)
{
	if (w->origin == NULL || kvlist_get(&w->hdr, "producer") == NULL) {
		log_at(w->name, w->lineno, "internal error: header 'origin' "
		    "or 'producer' not written");
		w->failed = 1;
		return -1;
	}
	return 0;
}

/* wr_record(w, kind, line, len): check and write one record line. */
static int
wr_record(struct strm_writer *w, int kind, const char *line, size_t len)
{
	size_t same;
	int c;

	if (w->failed)
		return -1;
	w->lineno++;
	if (!w->records && header_complete(w) == -1)
		return -1;
	w->records = 1;
	/* an owner equal to the previous line's (which passed every check
	 * here) is not scanned again; everything else is */
	same = 0;
	if (w->have_prev && len > w->prev_owner &&
	    memcmp(line, w->prev.p, w->prev_owner + 1) == 0)
		same = w->prev_owner + 1;
	if (parse_line(line, len, &w->rr, w->origin, w->origin_len, same,
	    w->name, w->lineno) == -1)
		goto fail;
	if (w->kind == STRM_CHANGE) {
		if (new_side_ok(w->name, w->lineno, kind, &w->rr) == -1)
			goto fail;
		if (kind != '>' && w->pending) {
			log_at(w->name, w->lineno, "internal error: '<' not "
			    "followed by '>'");
			goto fail;
		}
		if (kind == '>') {
			if (!w->pending || key_cmp(w->prev.p, w->prev.len,
			    line, w->rr.key_len) != 0) {
				log_at(w->name, w->lineno, "internal error: "
				    "'>' without its '<'");
				goto fail;
			}
			w->pending = 0;
			w->updates++;
			w->count++;
			goto write;
		}
	}
	if (w->have_prev) {
		c = key_cmp(w->prev.p, w->prev.len, line, w->rr.key_len);
		if (c >= 0) {
			log_at(w->name, w->lineno, "internal error: %s key "
			    "%.*s %.*s", c == 0 ? "duplicate" : "out-of-order",
			    KEY_ARGS(&w->rr));
			goto fail;
		}
	}
	w->have_prev = 1;
	w->prev_owner = w->rr.owner_len;
	if (bytes_set(&w->prev, line, w->rr.key_len) == -1)
		goto fail;
	if (w->kind == STRM_RRSET)
		w->count++;
	else if (kind == '<')
		w->pending = 1;
	else {
		w->count++;
		if (kind == '+')
			w->adds++;
		else
			w->deletes++;
	}
write:
	if (w->kind == STRM_CHANGE) {
		char pre[2];

		pre[0] = (char)kind;
		pre[1] = '\t';
		if (wr_append(w, pre, 2) == -1)
			goto fail;
	}
	if (wr_append(w, line, len) == -1 || wr_append(w, "\n", 1) == -1)
		goto fail;
	return 0;
fail:
	w->failed = 1;
	return -1;
}

int
strm_put_line(struct strm_writer *w, const char *line, size_t len)
{
	int k;

	if (w->kind == STRM_RRSET)
		return wr_record(w, 0, line, len);
	if ((k = change_prefix(w->name, w->lineno + 1, line, len)) == -1) {
		w->failed = 1;
		return -1;
	}
	return wr_record(w, k, line + 2, len - 2);
}

int
strm_put_change(struct strm_writer *w, int kind, const char *line,
    size_t len)
{
	if (w->kind != STRM_CHANGE || strchr("+-<>", kind) == NULL ||
	    kind == '\0') {
		log_msg("%s: internal error: bad change kind", w->name);
		w->failed = 1;
		return -1;
	}
	return wr_record(w, kind, line, len);
}

unsigned long
strm_written(const struct strm_writer *w)
{
	return w->count;
}

/* fsync_dir(path): make the rename durable. */
static int
fsync_dir(const char *path)
{
	const char *slash = strrchr(path, '/');
	char *dir = NULL;
	int fd, rc = 0;

	if (slash == path)
		dir = strdup("/");
	else if (slash != NULL)
		dir = strndup(path, (size_t)(slash - path));
	else
		dir = strdup(".");
	if (dir == NULL) {
		log_msg("out of memory");
		return -1;
	}
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd == -1 || (fsync(fd) == -1 && errno != EINVAL)) {
		log_errno("%s: fsync", dir);
		rc = -1;
	}
	if (fd != -1)
		close(fd);
	free(dir);
	return rc;
}

int
strm_commit(struct strm_writer *w, const char *extra)
{
	char tr[256];
	int n, rc = -1, fd;

	if (w->failed)
		goto out;
	if (header_complete(w) == -1)
		goto out;
	if (w->pending) {
		log_msg("%s: internal error: '<' not followed by '>'",
		    w->name);
		goto out;
	}
	if (w->kind == STRM_RRSET)
		n = snprintf(tr, sizeof(tr), "#end rrsets=%lu", w->count);
	else
		n = snprintf(tr, sizeof(tr), "#end changes=%lu adds=%lu "
		    "deletes=%lu updates=%lu", w->count, w->adds, w->deletes,
		    w->updates);
	if (wr_append(w, tr, (size_t)n) == -1 ||
	    (extra != NULL && *extra != '\0' &&
	    (wr_append(w, " ", 1) == -1 ||
	    wr_append(w, extra, strlen(extra)) == -1)) ||
	    wr_append(w, "\n", 1) == -1 || wr_flush(w) == -1)
		goto out;
	if (w->tmp != NULL) {
		fd = w->fd;
		w->fd = -1;
		if (fsync(fd) == -1) {
			log_errno("%s: fsync", w->tmp);
			close(fd);
			goto out;
		}
		if (close(fd) == -1) {
			log_errno("%s: close", w->tmp);
			goto out;
		}
		if (rename(w->tmp, w->path) == -1) {
			log_errno("rename %s to %s", w->tmp, w->path);
			goto out;
		}
		tmpguard_remove(w->tmp);
		free(w->tmp);
		w->tmp = NULL;
		if (fsync_dir(w->path) == -1)
			goto out;
	}
	rc = 0;
out:
	strm_abort(w);
	return rc;
}

void
strm_abort(struct strm_writer *w)
{
	if (w == NULL)
		return;
	if (w->tmp != NULL) {
		if (w->fd != -1)
			close(w->fd);
		(void)unlink(w->tmp);
		tmpguard_remove(w->tmp);
	} else if (w->path != NULL && w->fd != -1) {
		close(w->fd);	/* written in place */
	}
	kvlist_free(&w->hdr);
	rrset_free_arrays(&w->rr);
	free(w->prev.p);
	free(w->tmp);
	free(w->path);
	free(w->buf);
	free(w);
}

/* ---------------------------------------------------------------- */
/* Line builder and SetIdentifier escapes. */

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int
rrset_format(const char *owner, const char *type, const char *setid,
    long ttl, char **rdata, size_t n, const char *r53, const char *raw,
    char **out, size_t *outlen)
{
	size_t i, len, off;
	char ttlb[24], *p;

	*out = NULL;
	if (n > 1)
		qsort(rdata, n, sizeof(*rdata), cmp_str);
	if (ttl < 0)
		snprintf(ttlb, sizeof(ttlb), "-");
	else
		snprintf(ttlb, sizeof(ttlb), "%ld", ttl);
	len = strlen(owner) + 1 + strlen(type) + 1 + strlen(ttlb);
	if (setid != NULL)
		len += 1 + strlen(setid);
	for (i = 0; i < n; i++)
		len += 1 + strlen(rdata[i]);
	if (r53 != NULL)
		len += 6 + strlen(r53);
	if (raw != NULL)
		len += 6 + strlen(raw);
	if ((p = malloc(len + 1)) == NULL) {
		log_msg("out of memory");
		return -1;
	}
	off = (size_t)snprintf(p, len + 1, "%s\t%s%s%s\t%s", owner, type,
	    setid ? "/" : "", setid ? setid : "", ttlb);
	for (i = 0; i < n; i++) {
		if (i > 0 && strcmp(rdata[i], rdata[i - 1]) == 0)
			continue;	/* duplicate */
		off += (size_t)snprintf(p + off, len + 1 - off, "\t%s",
		    rdata[i]);
	}
	if (r53 != NULL)
		off += (size_t)snprintf(p + off, len + 1 - off, "\t@r53=%s",
		    r53);
	if (raw != NULL)
		off += (size_t)snprintf(p + off, len + 1 - off, "\t@raw=%s",
		    raw);
	*out = p;
	*outlen = off;
	return 0;
}

char *
setid_escape(const char *id, size_t len)
{
	char *out, *p;
	size_t i;

	cls_init();
	if ((out = malloc(len * 4 + 1)) == NULL) {
		log_msg("out of memory");
		return NULL;
	}
	p = out;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)id[i];

		if (cls[c] & C_SETID)
			*p++ = (char)c;
		else {
			snprintf(p, 5, "\\%03u", c);
			p += 4;
		}
	}
	*p = '\0';
	return out;
}

char *
setid_unescape(const char *text, size_t len, size_t *outlen)
{
	const char *stop;
	char *out, *p;
	size_t i;
	int v;

	cls_init();
	if (len == 0 || scan_setid(text, text + len, &stop) != NULL ||
	    stop != text + len || (out = malloc(len + 1)) == NULL)
		return NULL;
	p = out;
	for (i = 0; i < len; i++) {
		if (text[i] == '\\') {
			v = esc_value(text + i, len - i);
			*p++ = (char)v;
			i += 3;
		} else
			*p++ = text[i];
	}
	*p = '\0';
	if (outlen != NULL)
		*outlen = (size_t)(p - out);
	return out;
}

/*
 * zonebuf.c: collect a zone's records in any order, write sorted RRset
 * lines (see zonebuf.h).
 *
 * Each record is one packed entry in a chunked arena:
 *	int32 ttl (-1 alias) | uint8 flags | "OWNER\tTYPE[/SETID]\tRDATA\0"
 *	| ["R53\0"] | ["RAW\0"]
 * and the index is an array of pointers to the entries.  Sorting the
 * index in strcmp order of the text part (sort_index: a multikey
 * quicksort on 8-octet words, see below) orders records by key, then by
 * rdata bytes: TAB sorts below every octet a field may hold, so key
 * order is stream order (SPEC 2.2), and the records of one key become
 * adjacent.  The writer still checks every line (strm_put_line): zonebuf
 * copies its producers' fields without checking their syntax, so it
 * cannot vouch for them.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "stream.h"
#include "zonebuf.h"

#define CHUNK_SZ	(1024 * 1024)
#define ENT_HDR		5	/* int32 ttl, uint8 flags */
#define F_R53		0x01
#define F_RAW		0x02

struct chunk {
	struct chunk *next;
	size_t used, cap;
	char data[];
};

struct zonebuf {
	char *origin;
	struct chunk *chunks;	/* newest first */
	char **idx;		/* one pointer per record, into chunks */
	size_t n, cap;
	void (*ttl_fn)(const char *, long, long, void *);
	void *ttl_arg;
	unsigned long ttl_conflicts;
	char *line;		/* output line buffer */
	size_t line_cap;
};

struct zonebuf *
zonebuf_new(const char *origin)
{
	struct zonebuf *zb;

	if ((zb = calloc(1, sizeof(*zb))) == NULL ||
	    (zb->origin = strdup(origin)) == NULL) {
		free(zb);
		log_msg("out of memory");
		return NULL;
	}
	return zb;
}

void
zonebuf_free(struct zonebuf *zb)
{
	struct chunk *c, *next;

	if (zb == NULL)
		return;
	for (c = zb->chunks; c != NULL; c = next) {
		next = c->next;
		free(c);
	}
	free(zb->idx);
	free(zb->line);
	free(zb->origin);
	free(zb);
}

/* arena_alloc(zb, len): LEN bytes in the arena, or NULL. */
static char *
arena_alloc(struct zonebuf *zb, size_t len)
{
	struct chunk *c = zb->chunks;
	size_t cap;

	if (c == NULL || c->cap - c->used < len) {
		cap = len > CHUNK_SZ ? len : CHUNK_SZ;
		if ((c = malloc(sizeof(*c) + cap)) == NULL)
			return NULL;
		c->used = 0;
		c->cap = cap;
		c->next = zb->chunks;
		zb->chunks = c;
	}
	c->used += len;
	return c->data + c->used - len;
}

/* bad_text(s): a field that would break the packed entry or the line. */
static int
bad_text(const char *s)
{
	return s != NULL && (*s == '\0' || strpbrk(s, "\t\n") != NULL);
}

int
zonebuf_add(struct zonebuf *zb, const char *owner, const char *type,
    const char *setid, long ttl, const char *rdata, const char *r53,
    const char *raw)
{
	size_t ol, tl, sl, rl, l53, lraw, len;
	char **ni, *e, *p;
	int32_t t32;

	if (owner == NULL || type == NULL || bad_text(owner) ||
	    bad_text(type) || bad_text(setid) || bad_text(rdata) ||
	    bad_text(r53) || bad_text(raw) || ttl < -1 ||
	    ttl > 2147483647L || (ttl == -1 && rdata != NULL) ||
	    (rdata == NULL && ttl != -1 && raw == NULL)) {
		log_msg("zonebuf: bad record for %s %s (empty field, TAB or "
		    "LF in a field, bad TTL, alias with RDATA, or neither "
		    "RDATA nor @raw)",
		    owner ? owner : "(null)", type ? type : "(null)");
		return -1;
	}
	ol = strlen(owner);
	tl = strlen(type);
	sl = setid ? strlen(setid) + 1 : 0;
	rl = rdata ? strlen(rdata) : 0;
	l53 = r53 ? strlen(r53) + 1 : 0;
	lraw = raw ? strlen(raw) + 1 : 0;
	len = ENT_HDR + ol + 1 + tl + sl + 1 + rl + 1 + l53 + lraw;
	if (zb->n == zb->cap) {
		size_t ncap = zb->cap ? zb->cap * 2 : 4096;

		if ((ni = realloc(zb->idx, ncap * sizeof(*ni))) == NULL)
			goto nomem;
		zb->idx = ni;
		zb->cap = ncap;
	}
	if ((e = arena_alloc(zb, len)) == NULL)
		goto nomem;
	t32 = (int32_t)ttl;
	memcpy(e, &t32, sizeof(t32));
	e[4] = (char)((r53 ? F_R53 : 0) | (raw ? F_RAW : 0));
	p = e + ENT_HDR;
	memcpy(p, owner, ol);
	p += ol;
	*p++ = '\t';
	memcpy(p, type, tl);
	p += tl;
	if (setid != NULL) {
		*p++ = '/';
		memcpy(p, setid, sl - 1);
		p += sl - 1;
	}
	*p++ = '\t';
	memcpy(p, rdata ? rdata : "", rl + 1);
	p += rl + 1;
	if (r53 != NULL) {
		memcpy(p, r53, l53);
		p += l53;
	}
	if (raw != NULL)
		memcpy(p, raw, lraw);
	zb->idx[zb->n++] = e;
	return 0;
nomem:
	log_msg("out of memory collecting the zone (%zu records)", zb->n);
	return -1;
}

int
zonebuf_add_rrset(struct zonebuf *zb, const char *owner, const char *type,
    const char *setid, long ttl, const char *const *rdata, size_t n,
    const char *r53, const char *raw)
{
	size_t i;

	if (n == 0)
		return zonebuf_add(zb, owner, type, setid, ttl, NULL, r53, raw);
	for (i = 0; i < n; i++)
		if (zonebuf_add(zb, owner, type, setid, ttl, rdata[i], r53,
		    raw) == -1)
			return -1;
	return 0;
}

unsigned long
zonebuf_records(const struct zonebuf *zb)
{
	return (unsigned long)zb->n;
}

void
zonebuf_on_ttl_conflict(struct zonebuf *zb,
    void (*fn)(const char *key, long lowest, long highest, void *arg),
    void *arg)
{
	zb->ttl_fn = fn;
	zb->ttl_arg = arg;
}

unsigned long
zonebuf_ttl_conflicts(const struct zonebuf *zb)
{
	return zb->ttl_conflicts;
}

/* Accessors of a packed entry. */
static long
ent_ttl(const char *e)
{
	int32_t t;

	memcpy(&t, e, sizeof(t));
	return (long)t;
}

static const char *
ent_text(const char *e)
{
	return e + ENT_HDR;
}

/* ent_r53(e), ent_raw(e): the JSON texts, or NULL. */
static const char *
ent_r53(const char *e)
{
	const char *t = ent_text(e);

	if (!(e[4] & F_R53))
		return NULL;
	return t + strlen(t) + 1;
}

static const char *
ent_raw(const char *e)
{
	const char *t = ent_text(e);

	if (!(e[4] & F_RAW))
		return NULL;
	t += strlen(t) + 1;
	if (e[4] & F_R53)
		t += strlen(t) + 1;
	return t;
}

/* key_len(text): bytes of "OWNER\tTYPE[/SETID]". */
static size_t
key_len(const char *t)
{
	const char *tab = strchr(t, '\t');

	tab = strchr(tab + 1, '\t');
	return (size_t)(tab - t);
}

/* ---------------------------------------------------------------- */
/*
 * Sorting: a multikey quicksort (Bentley and Sedgewick, "Fast algorithms
 * for sorting and searching strings", 1997) whose "characters" are 8
 * octets of the text at once, read big-endian into a 64-bit word, so one
 * integer comparison decides what strcmp() would decide on 8 octets.
 * Keys are cached beside the pointers (struct skey) and read from the
 * arena once per element and 8-octet level, not once per comparison:
 * with qsort() and strcmp(), the sort was a fifth of a million-record
 * transfer.  The order is exactly strcmp()'s (unsigned octets, a shorter
 * string first): octets after the NUL read as 0, and a word whose last
 * octet is 0 holds the end of the string.  Small ranges, and ranges that
 * recurse too deep (adversarial names), fall back to strcmp().
 */
struct skey {
	uint64_t k;		/* octets [depth, depth + 8) of the text */
	char *e;		/* the entry */
};

#define SORT_SMALL	16

/* word_at(t): 8 octets of T big-endian, zero after its NUL. */
static uint64_t
word_at(const char *t)
{
	uint64_t k = 0;
	int i;

	for (i = 0; i < 8; i++) {
		unsigned char c = (unsigned char)t[i];

		k = k << 8 | c;
		if (c == '\0') {
			k <<= 8 * (7 - i);
			break;
		}
	}
	return k;
}

/* cmp_skey_text: qsort() comparator, the whole text (strcmp order). */
static int
cmp_skey_text(const void *a, const void *b)
{
	return strcmp(ent_text(((const struct skey *)a)->e),
	    ent_text(((const struct skey *)b)->e));
}

static void
skey_swap(struct skey *a, struct skey *b)
{
	struct skey t = *a;

	*a = *b;
	*b = t;
}

/* skey_cmp(a, b, depth): strcmp order of two entries whose texts share
 * their first DEPTH octets and whose k hold the next 8. */
static int
skey_cmp(const struct skey *a, const struct skey *b, size_t depth)
{
	if (a->k != b->k)
		return a->k < b->k ? -1 : 1;
	if ((a->k & 0xff) == 0)
		return 0;	/* both ended in this word */
	return strcmp(ent_text(a->e) + depth + 8, ent_text(b->e) + depth + 8);
}

/* small_sort(s, n, depth): insertion sort of a few entries. */
static void
small_sort(struct skey *s, size_t n, size_t depth)
{
	size_t i, j;

	for (i = 1; i < n; i++) {
		struct skey t = s[i];

		for (j = i; j > 0 && skey_cmp(&s[j - 1], &t, depth) > 0; j--)
			s[j] = s[j - 1];
		s[j] = t;
	}
}

/* med3(a, b, c): the index of the median key of three. */
static size_t
med3(const struct skey *s, size_t a, size_t b, size_t c)
{
	if (s[a].k < s[b].k)
		return s[b].k < s[c].k ? b : (s[a].k < s[c].k ? c : a);
	return s[b].k > s[c].k ? b : (s[a].k > s[c].k ? c : a);
}

/*
 * mkqs(s, n, depth, budget): sort S[0..n), whose texts all share their
 * first DEPTH octets and whose k hold octets [DEPTH, DEPTH + 8).  BUDGET
 * bounds the recursion (then qsort()).
 */
static void
mkqs(struct skey *s, size_t n, size_t depth, int budget)
{
	for (;;) {
		size_t lt, gt, i, m;
		uint64_t pv;

		if (n < 2)
			return;
		if (budget <= 0) {
			qsort(s, n, sizeof(*s), cmp_skey_text);
			return;
		}
		if (n < SORT_SMALL) {
			small_sort(s, n, depth);
			return;
		}
		budget--;
		m = med3(s, 0, n / 2, n - 1);
		pv = s[m].k;
		/* three-way partition: [0, lt) < pv, [lt, gt) == pv,
		 * [gt, n) > pv */
		lt = 0;
		gt = n;
		i = 0;
		while (i < gt) {
			if (s[i].k < pv)
				skey_swap(&s[lt++], &s[i++]);
			else if (s[i].k > pv)
				skey_swap(&s[i], &s[--gt]);
			else
				i++;
		}
		mkqs(s, lt, depth, budget);
		mkqs(s + gt, n - gt, depth, budget);
		/* the equal range: if the string ended in this word, the
		 * texts are equal; else go 8 octets deeper */
		if ((pv & 0xff) == 0)
			return;
		s += lt;
		n = gt - lt;
		depth += 8;
		for (i = 0; i < n; i++)
			s[i].k = word_at(ent_text(s[i].e) + depth);
	}
}

/*
 * sort_index(zb): sort zb->idx by text.  0, or -1 if out of memory.
 * Memory: the index is grown in place to one struct skey per record (a
 * large block is moved by mremap, not copied) and shrunk back after, so
 * the peak is the same as qsort()'s index plus its temporary array.
 */
static int
sort_index(struct zonebuf *zb)
{
	struct skey *s;
	char **idx;
	size_t i, n = zb->n;
	int budget = 0;

	if (n < 2)
		return 0;
	if ((idx = realloc(zb->idx, n * sizeof(*s))) == NULL) {
		log_msg("out of memory sorting the zone (%zu records)", n);
		return -1;
	}
	zb->idx = idx;
	zb->cap = n * sizeof(*s) / sizeof(*idx);
	s = (struct skey *)(void *)idx;
	/* from the back: key I covers pointers 2I and 2I+1, read already */
	for (i = n; i-- > 0;) {
		char *e;

		memcpy(&e, (char *)idx + i * sizeof(e), sizeof(e));
		s[i].e = e;
		s[i].k = word_at(ent_text(e));
	}
	/* about 2 log2(n) levels of partitioning for any one element
	 * before strcmp takes over, plus the 8-octet levels */
	for (i = n; i > 0; i >>= 1)
		budget += 2;
	budget += 64;
	mkqs(s, n, 0, budget);
	/* and back to pointers, from the front: pointer I lands on the
	 * octets of key I / 2, read already */
	for (i = 0; i < n; i++) {
		char *e = s[i].e;

		memcpy((char *)idx + i * sizeof(e), &e, sizeof(e));
	}
	if ((idx = realloc(zb->idx, n * sizeof(*idx))) != NULL) {
		zb->idx = idx;
		zb->cap = n;
	}
	return 0;
}

/* line_add(zb, &len, p, n): append to the output line buffer. */
static int
line_add(struct zonebuf *zb, size_t *len, const char *p, size_t n)
{
	char *nl;
	size_t ncap;

	if (*len + n > zb->line_cap) {
		ncap = zb->line_cap ? zb->line_cap : 4096;
		while (ncap < *len + n)
			ncap *= 2;
		if ((nl = realloc(zb->line, ncap)) == NULL) {
			log_msg("out of memory");
			return -1;
		}
		zb->line = nl;
		zb->line_cap = ncap;
	}
	memcpy(zb->line + *len, p, n);
	*len += n;
	return 0;
}

/* same_opt(a, b): two optional strings equal (NULL only equals NULL). */
static int
opt_merge(const char **have, const char *next)
{
	if (next == NULL)
		return 0;
	if (*have == NULL) {
		*have = next;
		return 0;
	}
	return strcmp(*have, next) == 0 ? 0 : -1;
}

/* ttl_warn(zb, key, klen, lo, hi): report one RRset's TTL conflict. */
static void
ttl_warn(struct zonebuf *zb, const char *key, size_t klen, long lo, long hi)
{
	char *k;

	zb->ttl_conflicts++;
	if ((k = strndup(key, klen)) == NULL)
		return;
	if (zb->ttl_fn != NULL)
		zb->ttl_fn(k, lo, hi, zb->ttl_arg);
	else {
		char *tab = strchr(k, '\t');

		if (tab != NULL)
			*tab = ' ';
		log_warn("%s: records with different TTLs (%ld to %ld); "
		    "using %ld for the RRset (RFC 2181 5.2)", k, lo, hi, lo);
	}
	free(k);
}

/* ttl_text(buf, ttl): "\tTTL" (decimal, or "-" for -1) in BUF (at least
 * 12 bytes, no NUL); returns its length.  snprintf() was 6% of writing a
 * large zone. */
static size_t
ttl_text(char *buf, long ttl)
{
	char tmp[12];
	size_t n = 0, i;
	unsigned long v = (unsigned long)ttl;

	buf[0] = '\t';
	if (ttl < 0) {
		buf[1] = '-';
		return 2;
	}
	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v > 0);
	for (i = 0; i < n; i++)
		buf[1 + i] = tmp[n - 1 - i];
	return n + 1;
}

/* write_group(zb, w, i, j): one RRset from idx[i..j). */
static int
write_group(struct zonebuf *zb, struct strm_writer *w, size_t i, size_t j)
{
	const char *t = ent_text(zb->idx[i]), *r53 = NULL, *raw = NULL;
	const char *prev = NULL, *rd;
	size_t kl = key_len(t), len = 0, k;
	long lo = ent_ttl(zb->idx[i]), hi = lo, ttl;
	char ttlb[24];
	int alias = lo == -1;

	for (k = i; k < j; k++) {
		ttl = ent_ttl(zb->idx[k]);
		if ((ttl == -1) != alias) {
			log_msg("%.*s: alias and plain records with one key",
			    (int)kl, t);
			return -1;
		}
		lo = ttl < lo ? ttl : lo;
		hi = ttl > hi ? ttl : hi;
		if (opt_merge(&r53, ent_r53(zb->idx[k])) == -1 ||
		    opt_merge(&raw, ent_raw(zb->idx[k])) == -1) {
			log_msg("%.*s: records of one RRset with different "
			    "@r53 or @raw", (int)kl, t);
			return -1;
		}
	}
	if (lo != hi)
		ttl_warn(zb, t, kl, lo, hi);
	if (line_add(zb, &len, t, kl) == -1 ||
	    line_add(zb, &len, ttlb, ttl_text(ttlb, alias ? -1 : lo)) == -1)
		return -1;
	for (k = i; k < j && !alias; k++) {
		rd = ent_text(zb->idx[k]) + kl + 1;
		if (*rd == '\0' && j - i > 1) {
			log_msg("%.*s: an RRset without RDATA and records "
			    "with one key", (int)kl, t);
			return -1;
		}
		if (*rd == '\0')
			continue;	/* unconverted: @raw only (SPEC 2.2) */
		if (prev != NULL && strcmp(prev, rd) == 0)
			continue;	/* duplicate record */
		prev = rd;
		if (line_add(zb, &len, "\t", 1) == -1 ||
		    line_add(zb, &len, rd, strlen(rd)) == -1)
			return -1;
	}
	if (r53 != NULL && (line_add(zb, &len, "\t@r53=", 6) == -1 ||
	    line_add(zb, &len, r53, strlen(r53)) == -1))
		return -1;
	if (raw != NULL && (line_add(zb, &len, "\t@raw=", 6) == -1 ||
	    line_add(zb, &len, raw, strlen(raw)) == -1))
		return -1;
	return strm_put_line(w, zb->line, len);
}

int
zonebuf_write(struct zonebuf *zb, struct strm_writer *w,
    unsigned long *nrrsets)
{
	size_t i, j, kl;
	const char *t;
	unsigned long n = 0;

	if (nrrsets != NULL)
		*nrrsets = 0;
	if (sort_index(zb) == -1)
		return -1;
	for (i = 0; i < zb->n; i = j) {
		t = ent_text(zb->idx[i]);
		kl = key_len(t);
		for (j = i + 1; j < zb->n; j++) {
			const char *u = ent_text(zb->idx[j]);

			if (strncmp(t, u, kl) != 0 || u[kl] != '\t')
				break;
		}
		if (write_group(zb, w, i, j) == -1)
			return -1;
		n++;
	}
	if (nrrsets != NULL)
		*nrrsets = n;
	return 0;
}

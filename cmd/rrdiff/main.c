/*
 * rrdiff: the change stream that turns CURRENT into DESIRED
 * (format/SPEC.md section 5; man/rrdiff.1).
 *
 * A streaming merge of two sorted RRset streams: memory does not grow with
 * the number of RRsets.  Any trouble (a bad line or missing trailer on
 * either input, different origins, an I/O error) stops the merge and
 * writes no trailer, so nothing downstream acts on the partial output.
 *
 * Sections: options (usage, --types, --ignore), what is left alone
 * (classify), the merge, main (parse_options, then one of the two modes:
 * main_diff or main_patch).
 */
#include <ctype.h>
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exitcodes.h"
#include "log.h"
#include "patch.h"
#include "rrtypes.h"
#include "stats.h"
#include "stream.h"

#ifndef R53M_VERSION
#define R53M_VERSION "0.0.0"
#endif

#define TYPE_CACHE	64

/* Why an RRset is left alone. */
enum skip {
	SKIP_NONE = 0,
	SKIP_SOA,		/* SOA: never managed as an RRset */
	SKIP_APEX_NS,		/* apex NS without --manage-apex-ns */
	SKIP_DNSSEC,		/* quietly */
	SKIP_TYPE,		/* not managed: one warning per type */
	SKIP_R53ONLY,		/* Route 53-only RRset in CURRENT */
	SKIP_IGNORED		/* its owner matches an --ignore pattern */
};

/* An --ignore pattern: NAME (that owner) or *.NAME (every owner below
 * NAME); relative names are completed with the origin once it is known
 * (ignore_resolve). */
struct ignore {
	const char *pattern;	/* as given (argv) */
	char *name;		/* canonical, absolute: "dev.example.com." */
	size_t len;
	int below;		/* 1: "*.NAME" */
};

struct rrdiff {
	int ignore_ttl, quiet, manage_apex_ns, delete_r53_only;
	char **types;		/* managed types, NULL-terminated */
	char *types_text;	/* "A,AAAA,..." for the header */
	char **warned;		/* types warned about, nwarned of them */
	size_t nwarned;
	const char *origin;
	size_t origin_len;
	struct strm_writer *w;
	struct ignore *ignore;	/* --ignore patterns, nignore of them */
	size_t nignore;
	char *ignore_text;	/* "a.example.com.,*.b.example.com." */
	unsigned long skipped[SKIP_IGNORED + 1];
	unsigned long adds, deletes, updates;	/* changes written */
	unsigned long desired, current;		/* RRsets read */
	struct {
		uint64_t key;	/* type_pack() of the mnemonic */
		enum skip why;
	} cache[TYPE_CACHE];
	size_t ncache;
};

static void
usage(FILE *f)
{
	fprintf(f, "usage: rrdiff [-hq] [-o FILE] [--ignore-ttl] "
	    "[--types LIST] [--manage-apex-ns]\n"
	    "              [--delete-route53-only] [--ignore PATTERN]... "
	    "DESIRED CURRENT\n"
	    "       rrdiff --patch CHANGES [-o FILE] BASE\n"
	    "Write the change stream that turns CURRENT into DESIRED "
	    "(either may be -);\n"
	    "with --patch, the RRset stream BASE with CHANGES applied.\n"
	    "  -o, --output FILE     write to FILE atomically (default: "
	    "stdout)\n"
	    "  --ignore-ttl          TTL-only differences are not changes\n"
	    "  --types LIST          managed types, comma-separated\n"
	    "  --manage-apex-ns      manage the NS RRset at the apex too\n"
	    "  --delete-route53-only also delete or replace alias and "
	    "routing records\n"
	    "  --ignore PATTERN      leave RRsets of these names alone on "
	    "both sides:\n"
	    "                        NAME (that name) or *.NAME (every name "
	    "below it);\n"
	    "                        NAME without a final dot is relative "
	    "to the origin,\n"
	    "                        @ the origin (repeatable)\n"
	    "  --patch CHANGES       apply CHANGES (computed against BASE) "
	    "to BASE\n"
	    "  -q, --quiet           no warnings (unmanaged types, swapped "
	    "operands)\n"
	    "  --stats FILE          counts of this run, key=value lines "
	    "(SPEC section 8)\n"
	    "  -h, --help            this help\n"
	    "  -V, --version         print the version\n"
	    "Exit: 0 no changes, 1 changes written, 2 bad input, I/O or internal\n"
	    "      error, 3 usage.\n");
}

static int
in_list(char *const *list, const char *p, size_t n)
{
	size_t i;

	for (i = 0; list[i] != NULL; i++)
		if (strncmp(list[i], p, n) == 0 && list[i][n] == '\0')
			return 1;
	return 0;
}

/*
 * type_token(tok): upper-case TOK in place; NULL if it is a type mnemonic
 * rrdiff can manage, else why not.
 */
static const char *
type_token(char *tok)
{
	size_t i;

	for (i = 0; tok[i]; i++)
		if (tok[i] >= 'a' && tok[i] <= 'z')
			tok[i] = (char)(tok[i] - 'a' + 'A');
	for (i = 0; tok[i]; i++)
		if (!((tok[i] >= 'A' && tok[i] <= 'Z') ||
		    (tok[i] >= '0' && tok[i] <= '9')))
			break;
	if (tok[0] < 'A' || tok[0] > 'Z' || tok[i] != '\0' || i > 16)
		return "is not a type mnemonic";
	if (strcmp(tok, "SOA") == 0)
		return "is never managed as an RRset (its serial goes "
		    "through the header)";
	return NULL;
}

/*
 * set_types(d, text): the managed types from --types TEXT, or the
 * default list if TEXT is NULL; d->types and d->types_text are
 * malloc'd (rrdiff_free).  Returns 0, -1 (out of memory) or -2 (usage).
 */
static int
set_types(struct rrdiff *d, const char *text)
{
	char *copy = NULL, *tok, *end;
	const char *q, *why;
	size_t n = 1, len = 0, i, off, tl;

	/* the default: the types the table marks as managed (all that
	 * Route 53 stores but the SOA) */
	for (i = 0; text == NULL && i < rrtype_count; i++)
		if (rrtype_table[i].flags & RRT_MANAGED) {
			len += strlen(rrtype_table[i].name) + 1;
			n++;
		}
	for (q = text; q != NULL && *q; q++)
		n += *q == ',';
	if (text != NULL)
		len = strlen(text) + 1;
	if ((d->types = calloc(n + 1, sizeof(*d->types))) == NULL ||
	    (d->types_text = calloc(1, len + 1)) == NULL ||
	    (copy = strdup(text ? text : "")) == NULL)
		goto nomem;
	n = 0;
	for (i = 0; text == NULL && i < rrtype_count; i++)
		if ((rrtype_table[i].flags & RRT_MANAGED) &&
		    (d->types[n++] = strdup(rrtype_table[i].name)) == NULL)
			goto nomem;
	for (tok = copy; text != NULL && tok != NULL; tok = end) {
		if ((end = strchr(tok, ',')) != NULL)
			*end++ = '\0';
		if ((why = type_token(tok)) != NULL) {
			log_msg("--types: '%s' %s", tok, why);
			free(copy);
			return -2;
		}
		if (!in_list(d->types, tok, strlen(tok)) &&
		    (d->types[n++] = strdup(tok)) == NULL)
			goto nomem;
	}
	/* types_text: len counted every name and a separator: it fits */
	for (i = 0, off = 0; i < n; i++) {
		if (i > 0)
			d->types_text[off++] = ',';
		tl = strlen(d->types[i]);
		memcpy(d->types_text + off, d->types[i], tl);
		off += tl;
	}
	free(copy);
	return 0;
nomem:
	free(copy);
	log_msg("out of memory");
	return -1;
}

/* ---- --ignore ---- */

/*
 * ignore_check(p): NULL if P is an --ignore pattern, else why not: "@",
 * "*", or an optional "*." then labels separated by dots (a final dot:
 * absolute), each of letters, digits, '-', '_' or '/' (RFC 2317 names),
 * 1 to 63 octets; 253 octets at most.
 */
static const char *
ignore_check(const char *p)
{
	size_t label = 0;

	if (strcmp(p, "@") == 0 || strcmp(p, "*") == 0)
		return NULL;
	if (strlen(p) > 253)
		return "is longer than 253 octets";
	if (strncmp(p, "*.", 2) == 0)
		p += 2;
	if (*p == '\0' || *p == '.')
		return "has an empty label";
	for (; *p; p++) {
		if (*p == '.' && label == 0)
			return "has an empty label";
		if (*p == '.') {
			label = 0;
			continue;
		}
		if (!isalnum((unsigned char)*p) && *p != '-' && *p != '_' &&
		    *p != '/')
			return "is not NAME or *.NAME (labels of letters, "
			    "digits, '-', '_', '/'; '*' only as the first "
			    "label)";
		if (++label > 63)
			return "has a label longer than 63 octets";
	}
	return NULL;
}

/* ignore_add(d, p): one more --ignore pattern (checked).  0, -1 (out of
 * memory) or -2 (a bad pattern, reported). */
static int
ignore_add(struct rrdiff *d, const char *p)
{
	struct ignore *v;
	const char *why;

	if ((why = ignore_check(p)) != NULL) {
		log_msg("bad --ignore pattern '%s': %s", p, why);
		return -2;
	}
	if ((v = realloc(d->ignore, (d->nignore + 1) * sizeof(*v))) == NULL) {
		log_msg("out of memory");
		return -1;
	}
	d->ignore = v;
	memset(&v[d->nignore], 0, sizeof(*v));
	v[d->nignore++].pattern = p;
	return 0;
}

/* ignore_name(ig, origin): ig->name, the pattern's name made absolute
 * and lower case.  0 or -1 (out of memory). */
static int
ignore_name(struct ignore *ig, const char *origin)
{
	const char *t = ig->pattern;
	size_t tl, ol = strlen(origin), i;

	ig->below = strcmp(t, "*") == 0 || strncmp(t, "*.", 2) == 0;
	t = strcmp(t, "*") == 0 ? "@" : ig->below ? t + 2 : t;
	tl = strcmp(t, "@") == 0 ? 0 : strlen(t);
	if ((ig->name = malloc(tl + ol + 2)) == NULL)
		return -1;
	for (i = 0; i < tl; i++)
		ig->name[i] = (char)tolower((unsigned char)t[i]);
	ig->name[tl] = '\0';
	if (tl == 0 || t[tl - 1] != '.') {
		if (tl > 0 && strcmp(origin, ".") != 0)
			strcat(ig->name, ".");
		strcat(ig->name, origin);
	}
	ig->len = strlen(ig->name);
	return 0;
}

/* ignore_resolve(d): every pattern's name, and the ignored-names header
 * value.  0 or -1 (out of memory, reported). */
static int
ignore_resolve(struct rrdiff *d)
{
	size_t i, len = 1;

	for (i = 0; i < d->nignore; i++) {
		if (ignore_name(&d->ignore[i], d->origin) == -1)
			goto nomem;
		len += d->ignore[i].len + 3;
	}
	if (d->nignore == 0)
		return 0;
	if ((d->ignore_text = calloc(1, len)) == NULL)
		goto nomem;
	for (i = 0; i < d->nignore; i++) {
		if (i > 0)
			strcat(d->ignore_text, ",");
		if (d->ignore[i].below)
			strcat(d->ignore_text, "*.");
		strcat(d->ignore_text, d->ignore[i].name);
	}
	return 0;
nomem:
	log_msg("out of memory");
	return -1;
}

/* ignored(d, rr): rr's owner matches an --ignore pattern.  Owners are
 * canonical (SPEC 2.2): lower case, a dot inside a label escaped as
 * \046, so every '.' ends a label. */
static int
ignored(const struct rrdiff *d, const struct rrset *rr)
{
	const char *o = rr->owner;
	size_t i, n = rr->owner_len;

	for (i = 0; i < d->nignore; i++) {
		const struct ignore *ig = &d->ignore[i];
		if (!ig->below && n == ig->len && memcmp(o, ig->name, n) == 0)
			return 1;
		if (ig->below && n > ig->len &&
		    memcmp(o + n - ig->len, ig->name, ig->len) == 0 &&
		    (strcmp(ig->name, ".") == 0 || o[n - ig->len - 1] == '.'))
			return 1;
	}
	return 0;
}

static void
rrdiff_free(struct rrdiff *d)
{
	size_t i;

	for (i = 0; i < d->nignore; i++)
		free(d->ignore[i].name);
	free(d->ignore);
	free(d->ignore_text);

	for (i = 0; d->types != NULL && d->types[i] != NULL; i++)
		free(d->types[i]);
	free(d->types);
	free(d->types_text);
	for (i = 0; i < d->nwarned; i++)
		free(d->warned[i]);
	free(d->warned);
}

/* warn_type(d, rr): one warning per unmanaged type. */
static void
warn_type(struct rrdiff *d, const struct rrset *rr)
{
	char **nw;
	size_t i;

	for (i = 0; i < d->nwarned; i++)
		if (strncmp(d->warned[i], rr->type, rr->type_len) == 0 &&
		    d->warned[i][rr->type_len] == '\0')
			return;
	nw = realloc(d->warned, (d->nwarned + 1) * sizeof(*nw));
	if (nw == NULL)
		return;
	d->warned = nw;
	if ((d->warned[d->nwarned] = strndup(rr->type, rr->type_len)) == NULL)
		return;
	d->nwarned++;
	if (!d->quiet)
		log_warn("type %.*s is not managed; skipping its RRsets "
		    "(first: %.*s)", (int)rr->type_len, rr->type,
		    (int)rr->owner_len, rr->owner);
}

/* type_pack(p, n): a type mnemonic of up to 8 octets as one integer. */
static uint64_t
type_pack(const char *p, size_t n)
{
	uint64_t v = 0;
	size_t i;

	for (i = 0; i < n; i++)
		v = v << 8 | (unsigned char)p[i];
	return v;
}

/* type_class(d, rr): SKIP_NONE, SKIP_DNSSEC or SKIP_TYPE for rr's type,
 * remembered per type (the hot path sees a handful of types). */
static enum skip
type_class(struct rrdiff *d, const struct rrset *rr)
{
	uint64_t k;
	size_t i;
	const struct rrtype *t;
	enum skip why;

	if (rr->type_len > 8)
		goto slow;
	k = type_pack(rr->type, rr->type_len);
	for (i = 0; i < d->ncache; i++)
		if (d->cache[i].key == k)
			return d->cache[i].why;
slow:
	if (in_list(d->types, rr->type, rr->type_len))
		why = SKIP_NONE;
	else if ((t = rrtype_by_name(rr->type, rr->type_len)) != NULL &&
	    (t->flags & RRT_DNSSEC))
		why = SKIP_DNSSEC;	/* quietly: the signer makes them */
	else {
		warn_type(d, rr);
		why = SKIP_TYPE;
	}
	if (rr->type_len <= 8 && d->ncache < TYPE_CACHE) {
		d->cache[d->ncache].key = type_pack(rr->type, rr->type_len);
		d->cache[d->ncache++].why = why;
	}
	return why;
}

/* classify(d, rr): SKIP_NONE if rrdiff manages this key. */
static enum skip
classify(struct rrdiff *d, const struct rrset *rr)
{
	if (d->nignore > 0 && ignored(d, rr))
		return SKIP_IGNORED;
	if (rr->type_len == 3 && memcmp(rr->type, "SOA", 3) == 0)
		return SKIP_SOA;
	if (rr->type_len == 2 && memcmp(rr->type, "NS", 2) == 0 &&
	    !d->manage_apex_ns && rr->owner_len == d->origin_len &&
	    memcmp(rr->owner, d->origin, d->origin_len) == 0)
		return SKIP_APEX_NS;
	return type_class(d, rr);
}

/*
 * routing_beside(want, next): NEXT, the CURRENT RRset that sorts right
 * after WANT's key, is a routing record (/SETID) of WANT's owner and type.
 * "OWNER TAB TYPE TAB" sorts before "OWNER TAB TYPE/", and '/' before any
 * letter, so routing records of a name and type follow its plain key.
 */
static int
routing_beside(const struct rrset *want, const struct rrset *next)
{
	return next != NULL && next->setid != NULL &&
	    next->owner_len == want->owner_len &&
	    memcmp(next->owner, want->owner, want->owner_len) == 0 &&
	    next->type_len == want->type_len &&
	    memcmp(next->type, want->type, want->type_len) == 0;
}

/*
 * diff_one(d, want, have, same, next): one key; WANT (DESIRED) and HAVE
 * (CURRENT), either may be NULL; SAME: both given and equal in content
 * (as --ignore-ttl says); NEXT: when HAVE is NULL, the CURRENT RRset
 * after WANT's key (or NULL).  Returns 0 or -1 (writer failed, reported).
 */
static int
diff_one(struct rrdiff *d, const struct rrset *want, const struct rrset *have,
    int same, const struct rrset *next)
{
	enum skip why = classify(d, want ? want : have);
	int collides;

	if (why == SKIP_NONE && have != NULL && rrset_route53_only(have) &&
	    !d->delete_r53_only && !same)
		why = SKIP_R53ONLY;
	/* Route 53 refuses a plain RRset beside routing records of its
	 * name and type: leave it out rather than have the batch fail. */
	if (why == SKIP_NONE && want != NULL && have == NULL &&
	    !d->delete_r53_only && routing_beside(want, next))
		why = SKIP_R53ONLY;
	collides = why == SKIP_R53ONLY && want != NULL;
	if (collides && !d->quiet)
		log_warn("%.*s %.*s: not mirrored: Route 53 holds an alias or "
		    "routing record of this name and type "
		    "(--delete-route53-only replaces it)",
		    (int)want->owner_len, want->owner,
		    (int)want->type_len, want->type);
	if (why != SKIP_NONE) {
		d->skipped[why]++;
		return 0;
	}
	if (want == NULL) {
		d->deletes++;
		return strm_put_change(d->w, '-', have->line, have->len);
	}
	if (have == NULL) {
		d->adds++;
		return strm_put_change(d->w, '+', want->line, want->len);
	}
	if (same)
		return 0;
	d->updates++;
	if (strm_put_change(d->w, '<', have->line, have->len) == -1)
		return -1;
	return strm_put_change(d->w, '>', want->line, want->len);
}

struct prefix_arg {
	struct strm_writer *w;
	const char *prefix;
	int failed;
};

static void
copy_header(const char *key, const char *value, void *arg)
{
	struct prefix_arg *pa = arg;
	char k[128];
	size_t pl;

	if (pa->failed)
		return;
	if (strlen(pa->prefix) + strlen(key) >= sizeof(k)) {
		log_msg("header key %s%s too long", pa->prefix, key);
		pa->failed = 1;
		return;
	}
	pl = strlen(pa->prefix);
	memcpy(k, pa->prefix, pl);
	memcpy(k + pl, key, strlen(key) + 1);
	if (strm_put_header(pa->w, k, value) == -1)
		pa->failed = 1;
}

/* write_header(d, des, cur): the change stream's header (SPEC 5.1). */
static int
write_header(struct rrdiff *d, struct strm_reader *des,
    struct strm_reader *cur)
{
	struct prefix_arg pa = { d->w, "desired-", 0 };

	if (strm_put_header(d->w, "origin", d->origin) == -1 ||
	    strm_put_header(d->w, "producer", "rrdiff " R53M_VERSION) == -1)
		return -1;
	strm_header_each(des, copy_header, &pa);
	pa.prefix = "current-";
	strm_header_each(cur, copy_header, &pa);
	if (pa.failed ||
	    (d->ignore_ttl && strm_put_header(d->w, "ignore-ttl", "yes")) ||
	    (d->manage_apex_ns &&
	    strm_put_header(d->w, "manage-apex-ns", "yes")) ||
	    (d->delete_r53_only &&
	    strm_put_header(d->w, "delete-route53-only", "yes")) ||
	    (d->ignore_text != NULL &&
	    strm_put_header(d->w, "ignored-names", d->ignore_text)) ||
	    strm_put_header(d->w, "managed-types", d->types_text) == -1)
		return -1;
	return 0;
}

/*
 * next_desired(des, a): strm_next on DESIRED, refusing an unconverted
 * RRset (@raw without RDATA): only r53dump writes it, for a Route 53 value
 * it could not read, and nothing could ever create it as it is.
 */
static enum strm_status
next_desired(struct strm_reader *des, const struct rrset **a)
{
	enum strm_status st = strm_next(des, a);

	if (st == STRM_OK && rrset_unconverted(*a)) {
		log_at(strm_name(des), strm_lineno(des), "%.*s %.*s: an RRset "
		    "without RDATA (@raw only, a Route 53 value r53dump could "
		    "not read) cannot be DESIRED; are the operands swapped?",
		    (int)(*a)->owner_len, (*a)->owner,
		    (int)((*a)->key_len - (*a)->owner_len - 1),
		    (*a)->type);
		return STRM_ERROR;
	}
	return st;
}

/* merge(d, des, cur): the merge join.  Returns 0 or -1. */
static int
merge(struct rrdiff *d, struct strm_reader *des, struct strm_reader *cur)
{
	const struct rrset *a = NULL, *b = NULL;
	enum strm_status sa, sb;
	int c, same;

	sa = next_desired(des, &a);
	sb = strm_next(cur, &b);
	while (sa == STRM_OK || sb == STRM_OK) {
		if (sa == STRM_ERROR || sb == STRM_ERROR)
			return -1;
		same = 0;
		if (sa != STRM_OK)
			c = 1;
		else if (sb != STRM_OK)
			c = -1;
		else if ((c = rrset_compare(a, b, &same)) == 0 &&
		    d->ignore_ttl && !same)
			same = rrset_equal(a, b, 1);
		if (diff_one(d, c <= 0 ? a : NULL, c >= 0 ? b : NULL, same,
		    c < 0 && sb == STRM_OK ? b : NULL) == -1)
			return -1;
		if (c <= 0)
			sa = next_desired(des, &a);
		if (c >= 0)
			sb = strm_next(cur, &b);
	}
	return sa == STRM_ERROR || sb == STRM_ERROR ? -1 : 0;
}

/* run(d, desired, current, out): the whole job; an exit status. */
static int
run(struct rrdiff *d, const char *desired, const char *current,
    const char *out)
{
	struct strm_reader *des = NULL, *cur = NULL;
	char extra[512];
	unsigned long changes, skipped;
	int rc = EXIT_BADINPUT, i, n;

	if ((des = strm_open(desired, STRM_RRSET)) == NULL ||
	    (cur = strm_open(current, STRM_RRSET)) == NULL)
		goto out;
	d->origin = strm_header(des, "origin");
	d->origin_len = strlen(d->origin);
	if (strcmp(d->origin, strm_header(cur, "origin")) != 0) {
		log_msg("different origins: %s has %s, %s has %s",
		    strm_name(des), d->origin, strm_name(cur),
		    strm_header(cur, "origin"));
		goto out;
	}
	/* zxfr's output never has a zone-id; r53apply refuses the result */
	if (strm_header(des, "zone-id") != NULL && !d->quiet)
		log_warn("DESIRED %s is a Route 53 dump (zone-id %s): are the "
		    "operands swapped?", strm_name(des),
		    strm_header(des, "zone-id"));
	if (ignore_resolve(d) == -1 ||
	    (d->w = strm_create(out, STRM_CHANGE)) == NULL)
		goto out;
	if (write_header(d, des, cur) == -1 || merge(d, des, cur) == -1)
		goto out;
	for (skipped = 0, i = SKIP_SOA; i <= SKIP_IGNORED; i++)
		skipped += d->skipped[i];
	n = snprintf(extra, sizeof(extra), "desired-rrsets=%lu "
	    "current-rrsets=%lu skipped=%lu skipped-soa=%lu "
	    "skipped-apex-ns=%lu skipped-dnssec=%lu skipped-unmanaged=%lu "
	    "skipped-route53-only=%lu", strm_count(des), strm_count(cur),
	    skipped, d->skipped[SKIP_SOA], d->skipped[SKIP_APEX_NS],
	    d->skipped[SKIP_DNSSEC], d->skipped[SKIP_TYPE],
	    d->skipped[SKIP_R53ONLY]);
	/* only with --ignore: other streams stay byte for byte */
	if (d->nignore > 0 && n > 0 && (size_t)n < sizeof(extra))
		snprintf(extra + n, sizeof(extra) - (size_t)n,
		    " skipped-ignored=%lu", d->skipped[SKIP_IGNORED]);
	changes = strm_written(d->w);
	d->desired = strm_count(des);
	d->current = strm_count(cur);
	rc = strm_commit(d->w, extra);
	d->w = NULL;
	if (rc == 0)
		rc = changes > 0 ? EXIT_DIFF : EXIT_OK;
	else
		rc = EXIT_BADINPUT;
out:
	strm_abort(d->w);	/* trouble: no trailer */
	d->w = NULL;
	strm_close(des);
	strm_close(cur);
	return rc;
}

/* put_stats(st, d): this run's counts for --stats (SPEC section 8). */
static void
put_stats(struct stats *st, const struct rrdiff *d)
{
	unsigned long skipped = 0;
	int i;

	for (i = SKIP_SOA; i <= SKIP_IGNORED; i++)
		skipped += d->skipped[i];
	stats_set(st, "requests", 0);
	stats_set(st, "desired_rrsets", d->desired);
	stats_set(st, "current_rrsets", d->current);
	stats_set(st, "changes", d->adds + d->deletes + d->updates);
	stats_set(st, "adds", d->adds);
	stats_set(st, "deletes", d->deletes);
	stats_set(st, "updates", d->updates);
	stats_set(st, "skipped", skipped);
}

/* The command line beyond what struct rrdiff keeps. */
struct rrdiff_args {
	const char *out;	/* -o FILE, NULL: stdout */
	const char *types;	/* --types LIST, NULL: the default */
	const char *stats;	/* --stats FILE */
	const char *patch;	/* --patch CHANGES: the other mode */
};

/*
 * main_patch(d, a, argc, argv, st): --patch CHANGES BASE (patch.c); the
 * comparison options mean nothing there.
 */
static int
main_patch(struct rrdiff *d, const struct rrdiff_args *a, int argc,
    char **argv, struct stats *st)
{
	struct patch_counts n;
	int rc;

	if (argc != 1) {
		log_msg("--patch needs one operand: BASE");
		usage(stderr);
		return EXIT_USAGE;
	}
	if (a->types != NULL || d->ignore_ttl || d->manage_apex_ns ||
	    d->delete_r53_only) {
		log_msg("--patch takes no comparison options");
		return EXIT_USAGE;
	}
	if (strcmp(a->patch, "-") == 0 && strcmp(argv[0], "-") == 0) {
		log_msg("CHANGES and BASE cannot both be standard input");
		return EXIT_USAGE;
	}
	rc = patch_run(a->patch, argv[0], a->out, "rrdiff " R53M_VERSION, &n);
	if (a->stats != NULL) {
		stats_set(st, "requests", 0);
		stats_set(st, "current_rrsets", n.base);
		stats_set(st, "desired_rrsets", n.written);
		stats_set(st, "changes", n.adds + n.deletes + n.updates);
		stats_set(st, "adds", n.adds);
		stats_set(st, "deletes", n.deletes);
		stats_set(st, "updates", n.updates);
		if (stats_write(st, a->stats, rc) == -1)
			rc = EXIT_BADINPUT;
	}
	return rc;
}

/* main_diff(d, a, argc, argv, st): DESIRED CURRENT, the change stream
 * between them (run); an exit status. */
static int
main_diff(struct rrdiff *d, const struct rrdiff_args *a, int argc,
    char **argv, struct stats *st)
{
	int rc;

	if (argc != 2) {
		log_msg("need two operands: DESIRED CURRENT");
		usage(stderr);
		return EXIT_USAGE;
	}
	if (strcmp(argv[0], "-") == 0 && strcmp(argv[1], "-") == 0) {
		log_msg("DESIRED and CURRENT cannot both be standard input");
		return EXIT_USAGE;
	}
	rc = set_types(d, a->types);
	if (rc == 0)
		rc = run(d, argv[0], argv[1], a->out);
	else
		rc = rc == -2 ? EXIT_USAGE : EXIT_BADINPUT;
	if (a->stats != NULL) {
		put_stats(st, d);
		if (stats_write(st, a->stats, rc) == -1 && rc != EXIT_USAGE)
			rc = EXIT_BADINPUT;
	}
	return rc;
}

enum { O_IGNTTL = 256, O_TYPES, O_APEXNS, O_DELR53, O_STATS, O_IGNORE,
	O_PATCH };

static const struct option long_options[] = {
	{ "ignore-ttl", no_argument, NULL, O_IGNTTL },
	{ "types", required_argument, NULL, O_TYPES },
	{ "manage-apex-ns", no_argument, NULL, O_APEXNS },
	{ "delete-route53-only", no_argument, NULL, O_DELR53 },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ "output", required_argument, NULL, 'o' },
	{ "quiet", no_argument, NULL, 'q' },
	{ "stats", required_argument, NULL, O_STATS },
	{ "ignore", required_argument, NULL, O_IGNORE },
	{ "patch", required_argument, NULL, O_PATCH },
	{ NULL, 0, NULL, 0 }
};

/*
 * parse_options(argc, argv, d, a): the options into *d and *a, optind
 * left at the first operand.  Returns -1 to go on, else the exit status
 * to stop with (--help, --version, a usage error, a bad --ignore).
 */
static int
parse_options(int argc, char **argv, struct rrdiff *d, struct rrdiff_args *a)
{
	int c, rc;

	while ((c = getopt_long(argc, argv, "ho:qV", long_options,
	    NULL)) != -1) {
		switch (c) {
		case O_IGNTTL:
			d->ignore_ttl = 1;
			break;
		case O_TYPES:
			a->types = optarg;
			break;
		case O_APEXNS:
			d->manage_apex_ns = 1;
			break;
		case O_DELR53:
			d->delete_r53_only = 1;
			break;
		case 'o':
			a->out = optarg;
			break;
		case 'q':
			d->quiet = 1;
			break;
		case O_STATS:
			a->stats = optarg;
			break;
		case O_IGNORE:
			if ((rc = ignore_add(d, optarg)) != 0)
				return rc == -2 ? EXIT_USAGE : EXIT_BADINPUT;
			break;
		case O_PATCH:
			a->patch = optarg;
			break;
		case 'h':
			usage(stdout);
			return EXIT_OK;
		case 'V':
			printf("rrdiff %s\n", R53M_VERSION);
			return EXIT_OK;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	return -1;
}

int
main(int argc, char *argv[])
{
	struct rrdiff d;
	struct rrdiff_args a = { NULL, NULL, NULL, NULL };
	struct stats st;
	int rc;

	log_init(argv[0]);
	stats_init(&st, "rrdiff");
	memset(&d, 0, sizeof(d));
	rc = parse_options(argc, argv, &d, &a);
	if (rc == -1 && a.patch != NULL)
		rc = main_patch(&d, &a, argc - optind, argv + optind, &st);
	else if (rc == -1)
		rc = main_diff(&d, &a, argc - optind, argv + optind, &st);
	rrdiff_free(&d);
	return rc;
}

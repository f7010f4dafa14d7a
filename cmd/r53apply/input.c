/*
 * input.c: read the WHOLE change stream into memory before anything is
 * sent.  The stream module checks syntax, order and the trailer's counts;
 * only after STRM_END (a valid trailer) does r53apply act, so a truncated
 * stream sends nothing.  Also ap_skip(), which sets a change's state
 * and reason: every step below uses it, and the run frees the reason.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apply.h"
#include "log.h"
#include "stream.h"

/* ap_skip(c, st, fmt, ...): mark a change as not sent, with the reason
 * (kept in c->why, freed with the run). */
void
ap_skip(struct ap_change *c, enum ap_state st, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	free(c->why);
	c->why = strdup(buf);
	c->state = st;
}

/* ---- the sets: one arena, strings after a small header ---- */

#define AP_CHUNK	(1024 * 1024)	/* arena chunk; a larger set gets
					 * one of its own */

/* arena_get(run, n): N bytes (8-aligned) of the run's arena; NULL on
 * ENOMEM.  Sets are never freed one by one: a chunk holds thousands
 * without malloc's overhead and rounding for each. */
static void *
arena_get(struct ap_run *run, size_t n)
{
	struct ap_chunk *c = run->arena, *nc;
	size_t cap;
	void *p;

	n = (n + 7) & ~(size_t)7;
	if (c == NULL || c->cap - c->used < n) {
		cap = n > AP_CHUNK ? n : AP_CHUNK;
		if ((nc = malloc(sizeof(*nc) + cap)) == NULL)
			return NULL;
		nc->used = 0;
		nc->cap = cap;
		nc->next = c;
		run->arena = c = nc;
	}
	p = c->data + c->used;
	c->used += n;
	return p;
}

static void
arena_free(struct ap_run *run)
{
	struct ap_chunk *c, *next;

	for (c = run->arena; c != NULL; c = next) {
		next = c->next;
		free(c);
	}
	run->arena = NULL;
}

/* put(at, s, n): copy N bytes of S and a NUL to *AT (nothing when S is
 * NULL). */
static void
put(char **at, const char *s, size_t n)
{
	if (s == NULL)
		return;
	memcpy(*at, s, n);
	(*at)[n] = '\0';
	*at += n + 1;
}

/*
 * ap_set_copy(run, rr, old): a copy of one parsed RRset line in the run's
 * arena: the header and its strings, nothing else (the costs come with
 * ap_convert, the Route 53 form only when a batch needs it).  NULL on
 * ENOMEM.
 */
struct ap_set *
ap_set_copy(struct ap_run *run, const struct rrset *rr, int old)
{
	struct ap_set *s = NULL;
	size_t i, need = offsetof(struct ap_set, text);
	char *at;

	need += rr->owner_len + 1 + rr->type_len + 1;
	need += rr->setid != NULL ? rr->setid_len + 1 : 0;
	need += rr->r53 != NULL ? rr->r53_len + 1 : 0;
	need += rr->raw != NULL ? rr->raw_len + 1 : 0;
	for (i = 0; i < rr->nrdata; i++)
		need += rr->rdata_len[i] + 1;
	if (rr->nrdata > UINT32_MAX || (s = arena_get(run, need)) == NULL)
		return NULL;
	memset(s, 0, sizeof(*s));
	s->ttl = (int32_t)rr->ttl;	/* -1 or at most 2^31 - 1 (stream.c) */
	s->nrdata = (uint32_t)rr->nrdata;
	s->flags = (rr->setid != NULL ? AP_S_SETID : 0) |
	    (rr->r53 != NULL ? AP_S_R53 : 0) |
	    (rr->raw != NULL ? AP_S_RAW : 0) | (old ? AP_S_OLD : 0);
	at = s->text;
	put(&at, rr->owner, rr->owner_len);
	put(&at, rr->type, rr->type_len);
	put(&at, rr->setid, rr->setid_len);
	put(&at, rr->r53, rr->r53_len);
	put(&at, rr->raw, rr->raw_len);
	for (i = 0; i < rr->nrdata; i++)
		put(&at, rr->rdata[i], rr->rdata_len[i]);
	return s;
}

/* ap_count_pending(run, kind): changes of KIND ('+', '-', '<') still
 * pending (not skipped or held). */
size_t
ap_count_pending(const struct ap_run *run, int kind)
{
	size_t i, n = 0;

	for (i = 0; i < run->nchg; i++)
		if (run->chg[i].state == AP_PENDING && run->chg[i].kind == kind)
			n++;
	return n;
}

const char *
ap_set_next(const char *p)
{
	return p + strlen(p) + 1;
}

const char *
ap_set_owner(const struct ap_set *s)
{
	return s->text;
}

const char *
ap_set_type(const struct ap_set *s)
{
	return ap_set_next(s->text);
}

/* opt_field(s, flag): the optional field FLAG names, or NULL; they
 * follow the type in the order setid, r53, raw. */
static const char *
opt_field(const struct ap_set *s, unsigned flag)
{
	const char *p = ap_set_type(s);
	unsigned f;

	if (!(s->flags & flag))
		return NULL;
	for (f = AP_S_SETID; f < flag; f <<= 1)
		if (s->flags & f)
			p = ap_set_next(p);
	return ap_set_next(p);
}

const char *
ap_set_setid(const struct ap_set *s)
{
	return opt_field(s, AP_S_SETID);
}

const char *
ap_set_r53(const struct ap_set *s)
{
	return opt_field(s, AP_S_R53);
}

const char *
ap_set_raw(const struct ap_set *s)
{
	return opt_field(s, AP_S_RAW);
}

/* ap_set_rdata(s): the first RDATA field (valid only when s->nrdata). */
const char *
ap_set_rdata(const struct ap_set *s)
{
	const char *p = ap_set_next(ap_set_type(s));
	unsigned f;

	for (f = AP_S_SETID; f <= AP_S_RAW; f <<= 1)
		if (s->flags & f)
			p = ap_set_next(p);
	return p;
}

static int
add_change(struct ap_run *run, const struct change *ch, unsigned long line)
{
	struct ap_change *c = NULL;
	struct ap_change *grown = NULL;
	size_t ncap;

	if (run->nchg == run->chg_cap) {
		ncap = run->chg_cap ? run->chg_cap * 2 : 256;
		grown = realloc(run->chg, ncap * sizeof(*grown));
		if (grown == NULL)
			return -1;
		run->chg = grown;
		run->chg_cap = ncap;
	}
	c = &run->chg[run->nchg];
	memset(c, 0, sizeof(*c));
	c->kind = ch->kind;
	c->lineno = line;
	c->batch = AP_NOBATCH;
	if (ch->old != NULL && (c->old = ap_set_copy(run, ch->old, 1)) == NULL)
		return -1;
	if (ch->new != NULL && (c->new = ap_set_copy(run, ch->new, 0)) == NULL)
		return -1;	/* the old side stays in the arena */
	run->nchg++;
	return 0;
}

static char *
header_dup(const struct strm_reader *r, const char *key)
{
	const char *v = strm_header(r, key);

	return v == NULL ? NULL : strdup(v);
}

/* parse_ulong(s, max, out): strict decimal; 0 or -1. */
static int
parse_ulong(const char *s, unsigned long max, unsigned long *out)
{
	unsigned long v = 0;

	if (s == NULL || *s == '\0')
		return -1;
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		if (v > (max - (unsigned long)(*s - '0')) / 10)
			return -1;
		v = v * 10 + (unsigned long)(*s - '0');
	}
	*out = v;
	return 0;
}

/*
 * ap_read_stream(run, path): read header, every change and the trailer.
 * Returns 0, or -1 after reporting (bad input: exit 2, nothing sent).
 */
int
ap_read_stream(struct ap_run *run, const char *path)
{
	struct strm_reader *r = NULL;
	const struct change *ch = NULL;
	const char *v = NULL;
	unsigned long n;
	enum strm_status st;
	int ret = -1;

	r = strm_open(path, STRM_CHANGE);
	if (r == NULL)
		return -1;
	run->origin = header_dup(r, "origin");
	run->current_zone_id = header_dup(r, "current-zone-id");
	run->desired_zone_id = header_dup(r, "desired-zone-id");
	run->desired_serial_text = header_dup(r, "desired-serial");
	run->current_serial_text = header_dup(r, "current-serial");
	v = strm_header(r, "manage-apex-ns");
	run->manage_apex_ns = v != NULL && strcmp(v, "yes") == 0;
	v = strm_header(r, "delete-route53-only");
	run->delete_r53_only = v != NULL && strcmp(v, "yes") == 0;
	if (run->origin == NULL) {
		log_at(strm_name(r), 0, "no origin in the header");
		goto out;
	}
	if (run->desired_serial_text != NULL) {
		if (parse_ulong(run->desired_serial_text, 4294967295UL,
		    &run->desired_serial) == -1) {
			log_at(strm_name(r), 0, "bad desired-serial '%s'",
			    run->desired_serial_text);
			goto out;
		}
		run->has_desired_serial = 1;
	}
	while ((st = strm_next_change(r, &ch)) == STRM_OK) {
		if (add_change(run, ch, strm_lineno(r)) == -1) {
			log_errno("reading %s", strm_name(r));
			goto out;
		}
	}
	if (st != STRM_END)
		goto out;
	run->current_rrsets = -1;
	v = strm_trailer(r, "current-rrsets");
	if (v != NULL && parse_ulong(v, 2147483647UL, &n) == 0)
		run->current_rrsets = (long)n;
	ret = 0;
out:
	strm_close(r);
	return ret;
}

void
ap_run_free(struct ap_run *run)
{
	size_t i;

	for (i = 0; i < run->nchg; i++) {
		if (run->chg[i].old != NULL)
			ap_set_release(run->chg[i].old);
		if (run->chg[i].new != NULL)
			ap_set_release(run->chg[i].new);
		free(run->chg[i].why);
	}
	free(run->chg);
	arena_free(run);
	ap_plan_free(run);
	free(run->origin);
	free(run->current_zone_id);
	free(run->desired_zone_id);
	free(run->desired_serial_text);
	free(run->current_serial_text);
	free(run->zone_id);
	free(run->zone_name);
	r53_rrset_free(run->soa);
	r53_rrset_clear(&run->soa_new);
	if (run->client != NULL)
		r53_client_free(run->client);
	memset(run, 0, sizeof(*run));
}

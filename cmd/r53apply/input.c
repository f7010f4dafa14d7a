/*
 * input.c: read the WHOLE change stream into memory before anything is
 * sent.  The stream module checks syntax, order and the trailer's counts;
 * only after STRM_END (a valid trailer) does r53apply act, so a truncated
 * stream sends nothing.  Also ap_skip(), which sets a change's state
 * and reason: every step below uses it, and the run frees the reason.
 */
#include <errno.h>
#include <stdarg.h>
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

void
ap_set_free(struct ap_set *s)
{
	if (s == NULL)
		return;
	r53_rrset_clear(&s->rr);
	free(s);	/* its strings and rdata array live in the same block */
}

/* put(arena, at, s, n): copy N bytes of S and a NUL to *AT; returns the
 * copy (NULL when S is). */
static char *
put(char **at, const char *s, size_t n)
{
	char *p = *at;

	if (s == NULL)
		return NULL;
	memcpy(p, s, n);
	p[n] = '\0';
	*at = p + n + 1;
	return p;
}

/*
 * set_copy(rr): an owned copy of one parsed RRset line; NULL on ENOMEM.
 * One allocation holds the struct, the rdata pointers and every string:
 * a million changes are a million or more sets, and separate small
 * blocks (each with malloc's own overhead) were most of r53apply's
 * memory.  ap_set_free() frees it.
 */
static struct ap_set *
set_copy(const struct rrset *rr)
{
	struct ap_set *s = NULL;
	size_t i, need = sizeof(*s) + rr->nrdata * sizeof(char *);
	char *at;

	need += rr->owner_len + 1 + rr->type_len + 1;
	need += rr->setid != NULL ? rr->setid_len + 1 : 0;
	need += rr->r53 != NULL ? rr->r53_len + 1 : 0;
	need += rr->raw != NULL ? rr->raw_len + 1 : 0;
	for (i = 0; i < rr->nrdata; i++)
		need += rr->rdata_len[i] + 1;
	s = malloc(need);
	if (s == NULL)
		return NULL;
	memset(s, 0, sizeof(*s));
	s->ttl = rr->ttl;
	s->nrdata = rr->nrdata;
	s->rdata = rr->nrdata > 0 ? (char **)(void *)(s + 1) : NULL;
	at = (char *)(s + 1) + rr->nrdata * sizeof(char *);
	s->owner = put(&at, rr->owner, rr->owner_len);
	s->type = put(&at, rr->type, rr->type_len);
	s->setid = put(&at, rr->setid, rr->setid_len);
	s->r53 = put(&at, rr->r53, rr->r53_len);
	s->raw = put(&at, rr->raw, rr->raw_len);
	for (i = 0; i < rr->nrdata; i++)
		s->rdata[i] = put(&at, rr->rdata[i], rr->rdata_len[i]);
	return s;
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
	c->batch = (size_t)-1;
	if (ch->old != NULL && (c->old = set_copy(ch->old)) == NULL)
		return -1;
	if (ch->new != NULL && (c->new = set_copy(ch->new)) == NULL) {
		ap_set_free(c->old);
		return -1;
	}
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
		ap_set_free(run->chg[i].old);
		ap_set_free(run->chg[i].new);
		free(run->chg[i].why);
	}
	free(run->chg);
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

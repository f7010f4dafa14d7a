/*
 * settle.c: changes Route 53 refused because their work is already done.
 *
 * When a request is rejected with "Tried to create resource record set
 * [...] but it already exists" or "Tried to delete resource record set
 * [...] but it was not found" (typically: an earlier, interrupted run or
 * another process applied the batch already), the RRsets of the items
 * those messages name (refusal.c reads and matches them) are re-read.  An item whose every change already
 * holds its final state (a CREATE's RRset present with the same TTL,
 * values and Route 53 extras; a DELETE's RRset absent; an update both) is
 * counted as AP_ALREADY and dropped from the request; the others stay
 * offenders.  send.c then sends the rest at once, without bisecting.
 * An answer that names nothing usable (the emulator's joined message
 * over r53api's 64 KiB text limit, say) gets the same check of every
 * item once per batch before bisection.
 *
 * Reading: up to AP_SETTLE_FEW RRsets are read one ListResourceRecordSets
 * each (name, type, identifier, maxitems 1).  More are read by walking the
 * zone in Route 53's listing order (names in the escaped form Route 53
 * lists, "*" as \052, labels reversed: name_r53_order_key(); then type,
 * then identifier) from the first of them to the last, in pages of 300, at
 * most 2 + n/100 pages: a batch's RRsets are usually neighbours (the
 * change stream is sorted), so 1,000 RRsets cost about 4 requests; when
 * they are scattered over a large zone the bound stops the walk and the
 * RRsets not reached stay offenders (reported with Route 53's message,
 * as without this step).  Since whole pages are read anyway, a walk also
 * checks every other item of the request (a long answer may name only
 * some) and the pending items of later batches it passes: those already
 * in place are never sent.  Values compare canonically
 * (canon_from_r53value, the conversion r53dump uses), exactly when that
 * fails.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "apply.h"
#include "canon.h"
#include "log.h"
#include "names.h"

#define AP_SETTLE_FEW	3	/* up to this many: one read per RRset */
#define AP_SETTLE_PAGE	300

/* One RRset to re-read.  Strings borrowed from run unless noted. */
struct sk {
	const char *r53name;	/* as sent */
	char *canon;		/* malloc'd: canonical name, for lookup */
	char *order;		/* malloc'd: Route 53 listing order key */
	const char *type;
	const char *setid;	/* decoded SetIdentifier or NULL */
	struct r53_rrset *now;	/* copy of the listed RRset, or NULL */
	int known;		/* now is the zone's state */
	int req;		/* of the rejected request (not a later
				 * batch): the walk spans these */
};

struct settle {
	struct ap_run *run;
	struct sk *k;
	size_t n, cap;
	int req;		/* keys added now are the request's */
	/* the walk: the listing position last seen (malloc'd copies; the
	 * walk's start before the first RRset), and whether Route 53's
	 * order ever disagreed with ours (then nothing is called absent) */
	char *pos_order, *pos_type, *pos_id;
	int disorder;
};

/* order_key(r53name): the key Route 53 lists names in (names.c: the
 * listed, octal-escaped form with "*" as \052, labels reversed, trailing
 * dot).  malloc'd, or NULL when the name does not parse. */
static char *
order_key(const char *r53name)
{
	char *out = NULL;

	if (name_r53_order_key(r53name, &out) != NAME_OK)
		return NULL;
	return out;
}

static int
cmp_opt(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return (a != NULL) - (b != NULL);
	return strcmp(a, b);
}

/* lookup order: canonical name, type, identifier */
static int
cmp_lookup(const void *pa, const void *pb)
{
	const struct sk *a = pa, *b = pb;
	int c;

	if ((c = strcmp(a->canon, b->canon)) != 0)
		return c;
	if ((c = strcmp(a->type, b->type)) != 0)
		return c;
	return cmp_opt(a->setid, b->setid);
}

/* listing order of (order, type, identifier) triples */
static int
cmp_listing(const char *oa, const char *ta, const char *ia, const char *ob,
    const char *tb, const char *ib)
{
	int c;

	if ((c = strcmp(oa, ob)) != 0)
		return c;
	if ((c = strcmp(ta, tb)) != 0)
		return c;
	return cmp_opt(ia, ib);
}

static int
add_key(struct settle *s, struct ap_set *set)
{
	const struct r53_rrset *rr = ap_set_rr(set);
	struct sk *k;

	if (rr == NULL)
		return -1;
	if (s->n == s->cap) {
		size_t cap = s->cap ? 2 * s->cap : 16;
		k = realloc(s->k, cap * sizeof(*k));
		if (k == NULL)
			return -1;
		s->k = k;
		s->cap = cap;
	}
	k = &s->k[s->n];
	memset(k, 0, sizeof(*k));
	k->r53name = rr->name;
	k->req = s->req;
	k->type = rr->type;
	k->setid = rr->set_identifier;
	if (name_from_r53(k->r53name, &k->canon) != NAME_OK)
		return -1;
	if ((k->order = order_key(k->r53name)) == NULL) {
		free(k->canon);
		return -1;
	}
	s->n++;
	return 0;
}

static void
settle_free(struct settle *s)
{
	size_t i;

	for (i = 0; i < s->n; i++) {
		free(s->k[i].canon);
		free(s->k[i].order);
		r53_rrset_free(s->k[i].now);
	}
	free(s->k);
	free(s->pos_order);
	free(s->pos_type);
	free(s->pos_id);
}

/* find(s, canon, type, setid): the key, or NULL (s->k sorted for
 * lookup). */
static struct sk *
find(struct settle *s, const char *canon, const char *type,
    const char *setid)
{
	struct sk want;

	memset(&want, 0, sizeof(want));
	want.canon = (char *)(uintptr_t)canon;
	want.type = type;
	want.setid = setid;
	return bsearch(&want, s->k, s->n, sizeof(*s->k), cmp_lookup);
}

static struct sk *
find_set(struct settle *s, struct ap_set *set)
{
	const struct r53_rrset *rr = ap_set_rr(set);
	char *canon = NULL;
	struct sk *k = NULL;

	if (rr != NULL && name_from_r53(rr->name, &canon) == NAME_OK)
		k = find(s, canon, rr->type, rr->set_identifier);
	free(canon);
	return k;
}

/* set_pos(s, order, type, id): the walk's position is now there (takes
 * order, copies type and id).  0 or -1. */
static int
set_pos(struct settle *s, char *order, const char *type, const char *id)
{
	free(s->pos_order);
	free(s->pos_type);
	free(s->pos_id);
	s->pos_order = order;
	s->pos_type = strdup(type);
	s->pos_id = id != NULL ? strdup(id) : NULL;
	return s->pos_order != NULL && s->pos_type != NULL &&
	    (id == NULL || s->pos_id != NULL) ? 0 : -1;
}

/* step(s, name, type, id, strict): the listing moves on to (name, type,
 * id): Route 53 lists in ascending order, so a step back (or, strict, a
 * step in place) means our order is not Route 53's: s->disorder.  0, or
 * -1 (out of memory). */
static int
step(struct settle *s, const char *name, const char *type, const char *id,
    int strict)
{
	char *o = order_key(name);
	int c;

	if (o == NULL) {
		s->disorder = 1;	/* a name we cannot place */
		return 0;
	}
	c = cmp_listing(o, type, id, s->pos_order, s->pos_type, s->pos_id);
	if (c < 0 || (strict && c == 0))
		s->disorder = 1;
	return set_pos(s, o, type, id);
}

/* listed: every RRset of the walk; keep the ones asked for. */
static int
listed_cb(void *arg, const struct r53_rrset *rr)
{
	struct settle *s = arg;
	char *canon = NULL;
	struct sk *k;

	if (step(s, rr->name, rr->type, rr->set_identifier, 0) == -1)
		return 1;
	if (name_from_r53(rr->name, &canon) != NAME_OK)
		return 0;
	k = find(s, canon, rr->type, rr->set_identifier);
	free(canon);
	if (k != NULL && k->now == NULL && (k->now = r53_rrset_copy(rr)) ==
	    NULL)
		return 1;
	return 0;
}

/* read_each: one request per RRset. 0, or -1 (reported). */
static int
read_each(struct settle *s)
{
	size_t i;

	for (i = 0; i < s->n; i++) {
		struct sk *k = &s->k[i];
		if (ap_zone_read_key(s->run, k->r53name, k->type, k->setid,
		    &k->now) != R53_OK)
			return -1;
		s->run->rereads++;
		k->known = 1;
	}
	return 0;
}

/* span(s, lo, hi): the first and the last requested key in listing
 * order; the number of requested keys. */
static size_t
span(const struct settle *s, const struct sk **lo, const struct sk **hi)
{
	size_t i, nreq = 0;

	*lo = *hi = NULL;
	for (i = 0; i < s->n; i++) {
		const struct sk *k = &s->k[i];
		if (!k->req)
			continue;
		nreq++;
		if (*lo == NULL || cmp_listing(k->order, k->type, k->setid,
		    (*lo)->order, (*lo)->type, (*lo)->setid) < 0)
			*lo = k;
		if (*hi == NULL || cmp_listing(k->order, k->type, k->setid,
		    (*hi)->order, (*hi)->type, (*hi)->setid) > 0)
			*hi = k;
	}
	return nreq;
}

/* mark_known(s, lo, complete, end_*): see walk(): a key listed, or one
 * in the span covered from LO up to END (to the zone's end if
 * COMPLETE) while the listing kept our order, is known. */
static void
mark_known(struct settle *s, const struct sk *lo, int complete,
    const char *end_order, const char *end_type, const char *end_id)
{
	size_t i;

	for (i = 0; i < s->n; i++) {
		struct sk *k = &s->k[i];
		if (k->now != NULL)
			k->known = 1;
		else if (!s->disorder && cmp_listing(k->order, k->type,
		    k->setid, lo->order, lo->type, lo->setid) >= 0 &&
		    (complete || (end_order != NULL && cmp_listing(k->order,
		    k->type, k->setid, end_order, end_type, end_id) < 0)))
			k->known = 1;
	}
}

/*
 * walk(s): list from the first key to the last in listing order, at most
 * 2 + n/100 pages.  A key is known when it was listed (present), or when
 * it lies in the span the walk provably covered (absent when not seen):
 * from the first key (where the walk started) up to the start of the
 * page not read (to the end of the zone after the last page), and only
 * while every RRset listed came in our listing order (step()): if Route
 * 53 orders differently, nothing unseen is called absent.  0, or -1 when
 * a request failed (reported).
 */
static int
walk(struct settle *s)
{
	struct r53_page_next next = { 0 };
	struct r53_error err = { 0 };
	const struct sk *lo = NULL, *hi = NULL;
	char *at_name = NULL, *at_type = NULL, *at_id = NULL;
	char *end_order = NULL, *end_type = NULL, *end_id = NULL;
	size_t pages = 0, budget;
	int st, done = 0, complete = 0, ret = -1;

	budget = 2 + span(s, &lo, &hi) / 100;
	if (lo == NULL)
		return -1;
	if ((at_name = strdup(lo->r53name)) == NULL ||
	    (at_type = strdup(lo->type)) == NULL ||
	    (lo->setid != NULL && (at_id = strdup(lo->setid)) == NULL) ||
	    set_pos(s, strdup(lo->order), lo->type, lo->setid) == -1)
		goto out;
	while (!done && pages < budget) {
		st = r53_list_rrsets(s->run->client, s->run->zone_id, at_name,
		    at_type, at_id, AP_SETTLE_PAGE, listed_cb, s, &next, &err);
		pages++;
		s->run->rereads++;
		if (st != R53_OK) {
			log_msg("%s: re-reading RRsets: %s", s->run->zone_id,
			    err.message ? err.message : r53_strstatus(st));
			goto out;
		}
		free(at_name);
		free(at_type);
		free(at_id);
		at_name = at_type = at_id = NULL;
		if (!next.truncated) {
			done = complete = 1;
			break;
		}
		at_name = next.name;
		at_type = next.type;
		at_id = next.identifier;
		memset(&next, 0, sizeof(next));
		/* the next page starts past every RRset listed: what lies
		 * before its start has been covered */
		if (step(s, at_name, at_type, at_id, 1) == -1)
			goto out;
		free(end_order);
		free(end_type);
		free(end_id);
		end_order = s->pos_order;
		end_type = s->pos_type;
		end_id = s->pos_id;
		s->pos_order = s->pos_type = s->pos_id = NULL;
		if (set_pos(s, strdup(end_order), end_type, end_id) == -1)
			goto out;
		done = cmp_listing(end_order, end_type, end_id, hi->order,
		    hi->type, hi->setid) > 0;
	}
	mark_known(s, lo, complete, end_order, end_type, end_id);
	if (s->disorder)
		log_warn("%s: Route 53 listed RRsets in an order r53apply does "
		    "not expect: RRsets not seen are not taken as absent",
		    s->run->zone_id);
	log_debug(1, "%s: re-read %zu RRsets in %zu list requests%s",
	    s->run->zone_id, s->n, pages, done ? "" : " (bound reached)");
	ret = 0;
out:
	r53_page_next_clear(&next);
	r53_error_clear(&err);
	free(at_name);
	free(at_type);
	free(at_id);
	free(end_order);
	free(end_type);
	free(end_id);
	return ret;
}

static int
cmp_cstr(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* same_strings(a, b, n): the same n strings in any order (sorts both). */
static int
same_strings(char **a, char **b, size_t n)
{
	size_t i;

	qsort(a, n, sizeof(*a), cmp_cstr);
	qsort(b, n, sizeof(*b), cmp_cstr);
	for (i = 0; i < n; i++)
		if (strcmp(a[i], b[i]) != 0)
			return 0;
	return 1;
}

/* canon_equal(now, set): now's values, in r53dump's canonical form, are
 * set's canonical RDATA.  1, 0, or -1 when a value does not convert. */
static int
canon_equal(const struct r53_rrset *now, const struct ap_set *set)
{
	char **have = NULL, **want = NULL;
	uint16_t type;
	size_t i, n = now->nvalues;
	int eq = -1;

	const char *p = ap_set_rdata(set);

	if (ap_set_raw(set) != NULL || set->nrdata != n ||
	    canon_type_from_name(ap_set_type(set), &type) == -1)
		return -1;
	have = calloc(n, sizeof(*have));
	want = malloc(n * sizeof(*want));
	if (have == NULL || want == NULL)
		goto out;
	for (i = 0; i < n; i++) {
		if (canon_from_r53value(type, now->values[i], NULL, &have[i],
		    NULL) != 0)
			goto out;
		want[i] = (char *)(uintptr_t)p;	/* compared only */
		p = ap_set_next(p);
	}
	eq = same_strings(have, want, n);
out:
	for (i = 0; have != NULL && i < n; i++)
		free(have[i]);
	free(have);
	free(want);
	return eq;
}

/* holds(now, set): the zone's RRset now is exactly set (TTL, values,
 * Route 53 extras). */
static int
holds(const struct r53_rrset *now, struct ap_set *set)
{
	const struct r53_rrset *rr = ap_set_rr(set);
	char **a = NULL, **b = NULL;
	int eq;

	if (now == NULL || rr == NULL || now->ttl != rr->ttl ||
	    now->nvalues != rr->nvalues)
		return 0;
	if ((now->extras == NULL) != (rr->extras == NULL) ||
	    (now->extras != NULL && !json_equal(now->extras, rr->extras)))
		return 0;
	if (rr->nvalues == 0)
		return 1;
	if ((eq = canon_equal(now, set)) != -1)
		return eq;
	/* exactly, as stored */
	a = malloc(rr->nvalues * sizeof(*a));
	b = malloc(rr->nvalues * sizeof(*b));
	eq = 0;
	if (a != NULL && b != NULL) {
		memcpy(a, now->values, rr->nvalues * sizeof(*a));
		memcpy(b, rr->values, rr->nvalues * sizeof(*b));
		eq = same_strings(a, b, rr->nvalues);
	}
	free(a);
	free(b);
	return eq;
}

/* change_done(s, c): the change's final state holds in the zone. */
static int
change_done(struct settle *s, const struct ap_change *c)
{
	struct sk *k;

	if (c->new != NULL) {
		k = find_set(s, c->new);
		if (k == NULL || !k->known || !holds(k->now, c->new))
			return 0;
	}
	if (c->old != NULL && !c->upsert &&
	    (c->new == NULL || !ap_set_same_key(c->old, c->new))) {
		k = find_set(s, c->old);
		if (k == NULL || !k->known || k->now != NULL)
			return 0;
	}
	return 1;
}

/* keys_of(s, it): the RRsets whose state decides the item. */
static int
keys_of(struct settle *s, const struct ap_item *it)
{
	size_t j;

	for (j = 0; j < it->n; j++) {
		const struct ap_change *c = &s->run->chg[it->chg[j]];
		if (c->new != NULL && add_key(s, c->new) == -1)
			return -1;
		if (c->old != NULL && !c->upsert &&
		    (c->new == NULL || !ap_set_same_key(c->old, c->new)) &&
		    add_key(s, c->old) == -1)
			return -1;
	}
	return 0;
}

/* dedup: sorted for lookup, duplicates dropped. */
static void
dedup(struct settle *s)
{
	size_t i, o = 0;

	qsort(s->k, s->n, sizeof(*s->k), cmp_lookup);
	for (i = 0; i < s->n; i++) {
		if (o > 0 && cmp_lookup(&s->k[o - 1], &s->k[i]) == 0) {
			s->k[o - 1].req |= s->k[i].req;
			free(s->k[i].canon);
			free(s->k[i].order);
			continue;
		}
		s->k[o++] = s->k[i];
	}
	s->n = o;
}

/*
 * widen(s, items, m, cand): many RRsets to walk over anyway: every item
 * of the request becomes a candidate.  Route 53's answer may name only
 * some of the refused changes (a joined message is cut at 64 KiB), and a
 * change whose final state holds would be refused in the resend too.
 */
static int
widen(struct settle *s, const size_t *items, size_t m, unsigned char *cand)
{
	size_t i;

	for (i = 0; i < m; i++) {
		if (cand[i] || s->run->items[items[i]].soa)
			continue;
		cand[i] = 1;
		if (keys_of(s, &s->run->items[items[i]]) == -1)
			return -1;
	}
	dedup(s);
	return 0;
}

/* surely_refused(s, it): a change of the item is a CREATE of an RRset the
 * zone holds, or a DELETE of one it does not (no DELETE or CREATE of the
 * same key beside it): Route 53 refuses it, named or not. */
static int
surely_refused(struct settle *s, const struct ap_item *it)
{
	size_t j;
	struct sk *k;

	for (j = 0; j < it->n; j++) {
		const struct ap_change *c = &s->run->chg[it->chg[j]];
		if (c->upsert)
			continue;
		if (c->old != NULL && c->new != NULL &&
		    ap_set_same_key(c->old, c->new))
			continue;
		if (c->new != NULL && (k = find_set(s, c->new)) != NULL &&
		    k->known && k->now != NULL)
			return 1;
		if (c->old != NULL && (k = find_set(s, c->old)) != NULL &&
		    k->known && k->now == NULL)
			return 1;
	}
	return 0;
}

/* item_open(run, it): every change of the item is still pending. */
static int
item_open(const struct ap_run *run, const struct ap_item *it)
{
	size_t j;

	if (it->soa || it->n == 0)
		return 0;
	for (j = 0; j < it->n; j++)
		if (run->chg[it->chg[j]].state != AP_PENDING)
			return 0;
	return 1;
}

/*
 * later_keys(s, items, m, later): the walk lists whole pages anyway: the
 * pending items of the run outside this request (later batches) are
 * checked too, where the walk reaches them, so that a batch another
 * process applied already is not sent only to be refused.  *later
 * (malloc'd, one flag per run item) marks them.
 */
static int
later_keys(struct settle *s, const size_t *items, size_t m,
    unsigned char **later)
{
	struct ap_run *run = s->run;
	size_t i;

	if ((*later = calloc(run->nitems ? run->nitems : 1, 1)) == NULL)
		return -1;
	for (i = 0; i < run->nitems; i++)
		(*later)[i] = item_open(run, &run->items[i]);
	for (i = 0; i < m; i++)
		(*later)[items[i]] = 0;
	s->req = 0;
	for (i = 0; i < run->nitems; i++)
		if ((*later)[i] && keys_of(s, &run->items[i]) == -1)
			return -1;
	dedup(s);
	return 0;
}

/* settle_later(s, later): the later items whose final state holds. */
static void
settle_later(struct settle *s, const unsigned char *later)
{
	struct ap_run *run = s->run;
	size_t i, j, n = 0;
	int ok;

	for (i = 0; later != NULL && i < run->nitems; i++) {
		const struct ap_item *it = &run->items[i];
		if (!later[i])
			continue;
		for (ok = 1, j = 0; ok && j < it->n; j++)
			ok = change_done(s, &run->chg[it->chg[j]]);
		if (!ok)
			continue;
		for (j = 0; j < it->n; j++)
			run->chg[it->chg[j]].state = AP_ALREADY;
		n += it->n;
	}
	if (n > 0)
		log_warn("%s: %zu changes of later batches are already in "
		    "place: not sent", run->zone_id, n);
}

/*
 * ap_settle(run, items, m, named, bad, nsettled): Route 53 refused a
 * request of these m items (no SOA); named[i] = 1 for the items its
 * "already exists" / "was not found" problems name (refusal.c), NULL
 * when the answer named nothing usable (e.g. too long to parse): then
 * every item is checked.  bad[] comes in with 1 for every item a problem
 * names (an offender); this sets 2 for an item whose final state the
 * zone already holds (its changes become AP_ALREADY; *nsettled counts
 * those changes) and 3 for one no problem names that the re-read zone
 * shows Route 53 must refuse (an offender too); 0 stays for the others
 * (to send again).  When more than AP_SETTLE_FEW RRsets are to be read,
 * every item of the request is checked (widen()) and the later batches'
 * pending items the walk passes (later_keys()).  Returns 0, or -1 (out
 * of memory).  A failed re-read is reported and leaves the named items
 * offenders.
 */
int
ap_settle(struct ap_run *run, const size_t *items, size_t m,
    const unsigned char *named, unsigned char *bad, size_t *nsettled)
{
	struct settle s;
	unsigned char *cand = NULL, *later = NULL;
	size_t i, j;
	int rc, ret = -1, few;

	memset(&s, 0, sizeof(s));
	s.run = run;
	*nsettled = 0;
	if ((cand = calloc(m ? m : 1, 1)) == NULL)
		goto out;
	for (i = 0; i < m; i++)
		cand[i] = named != NULL ? named[i] :
		    !run->items[items[i]].soa;
	ret = 0;
	s.req = 1;
	for (i = 0; i < m; i++)
		if (cand[i] && keys_of(&s, &run->items[items[i]]) == -1)
			goto out;
	if (s.n == 0)
		goto out;
	dedup(&s);
	few = s.n <= AP_SETTLE_FEW;
	if (!few && (widen(&s, items, m, cand) == -1 ||
	    later_keys(&s, items, m, &later) == -1))
		goto out;
	rc = few ? read_each(&s) : walk(&s);
	if (rc == -1) {
		log_warn("%s: could not re-read the refused RRsets; they stay "
		    "rejected", run->zone_id);
		goto out;
	}
	for (i = 0; i < m; i++) {
		const struct ap_item *it = &run->items[items[i]];
		int ok = cand[i];
		for (j = 0; ok && j < it->n; j++)
			ok = change_done(&s, &run->chg[it->chg[j]]);
		if (!ok) {
			if (bad[i] == 0 && cand[i] && surely_refused(&s, it))
				bad[i] = 3;
			continue;
		}
		for (j = 0; j < it->n; j++) {
			struct ap_change *c = &run->chg[it->chg[j]];
			if (c->state == AP_PENDING)
				c->state = AP_ALREADY;
		}
		bad[i] = 2;
		*nsettled += it->n;
	}
	settle_later(&s, later);
out:
	free(later);
	free(cand);
	settle_free(&s);
	return ret;
}

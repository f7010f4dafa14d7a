/*
 * send.c: sending the planned batches to Route 53.
 *
 *  - ap_send: the batches in plan order.  A REJECTED request: the items
 *    Route 53's answer names (refusal.c) are set aside and the rest is
 *    sent again at once; only an answer naming nothing is split in halves
 *    until each offending item stands alone.  An AMBIGUOUS answer (5xx or
 *    connection lost after sending; the client never resends those) is
 *    resolved by re-reading a few of the request's RRsets: all as after
 *    the request means applied, all as before means not applied (then it
 *    is sent again, at most AP_RESEND times), anything else stops the run.
 *    A request is therefore never applied twice.  Any other failure stops
 *    the run; later batches are not sent.
 */
#include <stdlib.h>
#include <string.h>

#include "apply.h"
#include "log.h"
#include "progress.h"

#define AP_RESEND	2	/* sends of a request known not applied */
#define AP_VERIFY_KEYS	3	/* RRsets re-read after an ambiguous answer */

enum { SR_OK = 0, SR_REJECTED, SR_STOP };

/* ---- verifying an ambiguous request ---- */

static int
cmp_cstr(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* same_values(a, b): same TTL and the same values in any order. */
static int
same_values(const struct r53_rrset *a, const struct r53_rrset *b)
{
	char **x = NULL, **y = NULL;
	size_t i;
	int eq = 0;

	if (a->ttl != b->ttl || a->nvalues != b->nvalues)
		return 0;
	if (a->nvalues == 0)
		return 1;
	x = malloc(a->nvalues * sizeof(*x));
	y = malloc(b->nvalues * sizeof(*y));
	if (x == NULL || y == NULL)
		goto out;
	memcpy(x, a->values, a->nvalues * sizeof(*x));
	memcpy(y, b->values, b->nvalues * sizeof(*y));
	qsort(x, a->nvalues, sizeof(*x), cmp_cstr);
	qsort(y, b->nvalues, sizeof(*y), cmp_cstr);
	eq = 1;
	for (i = 0; i < a->nvalues; i++)
		if (strcmp(x[i], y[i]) != 0)
			eq = 0;
out:
	free(x);
	free(y);
	return eq;
}

/* matches(state, want): state (NULL: absent) is as want says (NULL:
 * absent).  Alias records compare by presence only. */
static int
matches(const struct r53_rrset *state, const struct r53_rrset *want)
{
	if (state == NULL || want == NULL)
		return state == want;
	if (want->ttl < 0)
		return state->ttl < 0;
	return same_values(state, want);
}

enum { VF_APPLIED, VF_NOT_APPLIED, VF_UNKNOWN, VF_STOP };

/*
 * verify(run, ch, n): was the request of these n changes applied?  For
 * each key (up to AP_VERIFY_KEYS of them) the state before the request is
 * the DELETEd set (or absent) and the state after it the CREATEd or
 * UPSERTed set (or absent); the zone's state must match one of them, the
 * same one for every key checked.
 */
static int
verify(struct ap_run *run, const struct r53_change *ch, size_t n)
{
	size_t i, j, checked = 0;
	int after = 0, before = 0, st;

	for (i = 0; i < n && checked < AP_VERIFY_KEYS; i++) {
		const struct r53_rrset *key = ch[i].rrset;
		const struct r53_rrset *was = NULL, *will = NULL;
		struct r53_rrset *now = NULL;
		int skip = 0;

		for (j = 0; j < i; j++)
			if (ap_same_key(ch[j].rrset, key))
				skip = 1;	/* key already checked */
		if (skip)
			continue;
		for (j = i; j < n; j++) {
			if (!ap_same_key(ch[j].rrset, key))
				continue;
			if (ch[j].action == R53_DELETE)
				was = ch[j].rrset;
			else
				will = ch[j].rrset;
		}
		if (ch[i].action == R53_UPSERT)
			was = NULL;	/* before: unknown; the SOA's old */
		st = ap_zone_read_key(run, key->name, key->type,
		    key->set_identifier, &now);
		run->rereads++;
		if (st != R53_OK)
			return VF_STOP;
		if (ch[i].action == R53_UPSERT) {
			if (matches(now, will))
				after++;
			else
				before++;
		} else if (matches(now, will) && !matches(now, was)) {
			after++;
		} else if (matches(now, was) && !matches(now, will)) {
			before++;
		} else if (!matches(now, was) && !matches(now, will)) {
			r53_rrset_free(now);
			return VF_UNKNOWN;
		} else {
			r53_rrset_free(now);
			continue;	/* indistinguishable */
		}
		r53_rrset_free(now);
		checked++;
	}
	if (after > 0 && before == 0)
		return VF_APPLIED;
	if (before > 0 && after == 0)
		return VF_NOT_APPLIED;
	return VF_UNKNOWN;
}

/* ---- sending ---- */

static void
set_items_state(struct ap_run *run, const size_t *items, size_t n,
    enum ap_state st, const char *why)
{
	size_t i, j;

	for (i = 0; i < n; i++) {
		const struct ap_item *it = &run->items[items[i]];
		for (j = 0; j < it->n; j++) {
			struct ap_change *c = &run->chg[it->chg[j]];
			if (c->state != AP_PENDING)
				continue;
			if (why != NULL)
				ap_skip(c, st, "%s", why);
			else
				c->state = st;
		}
	}
}

static int
batch_add_id(struct ap_batch *b, const char *id)
{
	char **g;

	if (id == NULL)
		return 0;
	g = realloc(b->change_ids, (b->nids + 1) * sizeof(*g));
	if (g == NULL)
		return -1;
	b->change_ids = g;
	if ((g[b->nids] = strdup(id)) == NULL)
		return -1;
	b->nids++;
	return 0;
}

static void
batch_fail(struct ap_batch *b, const char *msg)
{
	free(b->message);
	b->message = strdup(msg);
}

/* soa_allowed(run): everything Route 53 accepts has applied (what is
 * left was skipped by a rule, or refused by Route 53 for itself, which
 * no later run changes), so the SOA serial may follow the source.  A
 * held change, one refused for the zone's state (a fresh compare
 * resolves it) or a stopped run keeps the serial, so that the next run
 * compares in full. */
static int
soa_allowed(const struct ap_run *run)
{
	size_t i;

	for (i = 0; i < run->nchg; i++)
		if (run->chg[i].state == AP_HELD ||
		    run->chg[i].state == AP_NOTSENT ||
		    (run->chg[i].state == AP_REJECTED &&
		    ap_refusal_holds_serial(run->chg[i].refused)))
			return 0;
	return !run->stopped;
}

static int send_items(struct ap_run *run, struct ap_batch *b,
    const size_t *items, size_t n, int with_soa);

enum { SR_NONE = -1 };

/* reject(run, item, kind, text): Route 53 refused the item: its pending
 * changes are set aside with Route 53's words. */
static void
reject(struct ap_run *run, size_t item, enum ap_ref_kind kind,
    const char *text)
{
	const struct ap_item *it = &run->items[item];
	size_t j;

	for (j = 0; j < it->n; j++) {
		struct ap_change *c = &run->chg[it->chg[j]];
		if (c->state != AP_PENDING)
			continue;
		ap_skip(c, AP_REJECTED, "rejected by Route 53: %s", text);
		c->refused = kind;
	}
	log_msg("%s: rejected by Route 53: %s", run->zone_id, text);
}

/* reread_refused(run, item, buf, size): why settle.c found the item
 * refused though no problem named it (the answer was cut short). */
static const char *
reread_refused(const struct ap_run *run, size_t item, char *buf,
    size_t size)
{
	const struct ap_change *c = &run->chg[run->items[item].chg[0]];
	const struct ap_set *sv = c->new ? c->new : c->old;

	snprintf(buf, size, "%s %s: a CREATE of an RRset that exists with "
	    "other data, or a DELETE of one that does not exist (found by "
	    "re-reading)", ap_set_owner(sv), ap_set_type(sv));
	return buf;
}

/* with_soa_item(run, items, n, rest, nok): rest gets the SOA item back
 * when the serial may be written now; the new count. */
static size_t
with_soa_item(const struct ap_run *run, const size_t *items, size_t n,
    size_t *rest, size_t nok)
{
	size_t i;

	if (soa_allowed(run))
		for (i = 0; i < n; i++)
			if (run->items[items[i]].soa)
				rest[nok++] = items[i];
	return nok;
}

/* settle_named(run, b, rest, m, rf, cand, bad, nset): "already exists" /
 * "was not found" named, or an answer naming nothing (once per batch):
 * settle.c finds what the zone holds already.  0 or -1 (no memory). */
static int
settle_named(struct ap_run *run, struct ap_batch *b, const size_t *rest,
    size_t m, const struct ap_refusals *rf, const unsigned char *cand,
    unsigned char *bad, size_t *nset)
{
	size_t i;
	int named = 0, blind = rf->n == 0 && !b->settle_tried && m > 1;

	*nset = 0;
	for (i = 0; i < m; i++)
		named |= cand[i];
	if (!named && !blind)
		return 0;
	if (blind)
		b->settle_tried = 1;
	if (ap_settle(run, rest, m, blind ? NULL : cand, bad, nset) == -1)
		return -1;
	if (*nset > 0)
		log_warn("%s: %zu refused changes were already in place "
		    "(applied earlier): not sent again", run->zone_id, *nset);
	return 0;
}

/*
 * set_aside(run, b, items, n, rest, m, with_soa, rf): Route 53
 * refused a request of the n items (rest: its m non-SOA items).  The
 * items its problems name (RRset or value, refusal.c) are set aside; of
 * those named "already exists" / "was not found", the ones whose final
 * state the zone holds are counted as applied (settle.c).  The rest goes
 * out once more, with the SOA UPSERT when the serial may be written by
 * then.  SR_NONE when the answer named nothing of the request (bisect).
 */
static int
set_aside(struct ap_run *run, struct ap_batch *b, const size_t *items,
    size_t n, size_t *rest, size_t m, int with_soa,
    const struct ap_refusals *rf)
{
	const struct ap_refusal **why = malloc((m + 1) * sizeof(*why));
	unsigned char *bad = malloc(m + 1), *cand = malloc(m + 1);
	size_t i, nok = 0, nrej = 0, nset, unnamed;
	int r = SR_STOP;
	char msg[1024];

	if (why == NULL || bad == NULL || cand == NULL)
		goto out;
	ap_refusals_blame(run, rest, m, rf, why, cand, &unnamed);
	for (i = 0; i < m; i++)
		bad[i] = why[i] != NULL;
	if (settle_named(run, b, rest, m, rf, cand, bad, &nset) == -1)
		goto out;
	r = SR_NONE;
	if (memchr(bad, 1, m) == NULL && memchr(bad, 2, m) == NULL &&
	    memchr(bad, 3, m) == NULL)
		goto out;	/* nothing learnt */
	for (i = 0; i < m; i++) {
		if (bad[i] == 0)
			rest[nok++] = rest[i];
		else if (bad[i] == 1 || bad[i] == 3)
			nrej++;
		if (bad[i] == 1)
			reject(run, rest[i], why[i]->kind, why[i]->text);
		else if (bad[i] == 3)
			reject(run, rest[i], run->chg[run->items[rest[i]].chg[0]]
			    .new ? REF_EXISTS : REF_NOT_FOUND,
			    reread_refused(run, rest[i], msg, sizeof(msg)));
	}
	if (with_soa)
		nok = with_soa_item(run, items, n, rest, nok);
	r = nok > 0 ? send_items(run, b, rest, nok, with_soa &&
	    soa_allowed(run)) : SR_OK;
	if (r != SR_STOP && nrej > 0)
		r = SR_REJECTED;
out:
	if (r == SR_STOP && b->message == NULL)
		batch_fail(b, "out of memory");
	free(why);
	free(bad);
	free(cand);
	return r;
}

/* soa_apart(run, b, items, n, rest, m, err): a rejected request with the
 * SOA UPSERT, its problems naming nothing: the rest without the SOA, then
 * the SOA alone if the serial may be written. */
static int
soa_apart(struct ap_run *run, struct ap_batch *b, const size_t *items,
    size_t n, size_t *rest, size_t m, const struct r53_error *err)
{
	int r = SR_OK, r2;

	if (m > 0)
		r = send_items(run, b, rest, m, 0);
	if (r == SR_STOP || !soa_allowed(run))
		return r;
	if (m == 0) {
		log_msg("%s: SOA UPSERT rejected: %s", run->zone_id,
		    err->message ? err->message : "rejected");
		batch_fail(b, err->message ? err->message :
		    "SOA UPSERT rejected");
		return SR_REJECTED;
	}
	/* only the SOA is left: try it alone */
	if (with_soa_item(run, items, n, rest, 0) == 0)
		return r;
	r2 = send_items(run, b, rest, 1, 1);
	return r2 != SR_OK ? r2 : r;
}

/* on_rejected(run, b, items, n, with_soa, err): Route 53 refused a
 * request of these items: set aside what its answer names; halve (the
 * SOA apart) only when it names nothing. */
static int
on_rejected(struct ap_run *run, struct ap_batch *b, const size_t *items,
    size_t n, int with_soa, const struct r53_error *err)
{
	struct ap_refusals rf;
	size_t *rest = malloc((n + 1) * sizeof(*rest));
	size_t i, m = 0, h;
	int r = SR_STOP, r2;

	if (rest == NULL || ap_refusals_parse(err, &rf) == -1) {
		free(rest);
		batch_fail(b, "out of memory");
		return SR_STOP;
	}
	for (i = 0; i < n; i++)
		if (!run->items[items[i]].soa)
			rest[m++] = items[i];
	r = set_aside(run, b, items, n, rest, m, with_soa, &rf);
	if (r != SR_NONE) {
		/* done */
	} else if (m == 1 && !with_soa) {
		reject(run, rest[0], ap_refusals_kind(&rf), err->message ?
		    err->message : "InvalidChangeBatch");
		r = SR_REJECTED;
	} else if (with_soa) {
		r = soa_apart(run, b, items, n, rest, m, err);
	} else {
		h = m / 2;
		r = send_items(run, b, rest, h, 0);
		if (r != SR_STOP) {
			r2 = send_items(run, b, rest + h, m - h, 0);
			if (r2 != SR_OK)
				r = r2;
		}
	}
	ap_refusals_free(&rf);
	free(rest);
	return r;
}

/*
 * send_resolved(run, b, ch, nch, id, err): send one request; while its
 * answer is ambiguous and a re-read shows it not applied, send it again
 * (AP_RESEND sends at most).  Sets *stop (b->message says why) when the
 * zone cannot tell; else returns the r53_status the request came to:
 * R53_OK also when a re-read shows that an ambiguous send applied.
 */
static int
send_resolved(struct ap_run *run, struct ap_batch *b,
    const struct r53_change *ch, size_t nch, char **id,
    struct r53_error *err, int *stop)
{
	size_t attempt;
	int st = R53_FAILED, vf;

	*stop = 0;
	for (attempt = 0; attempt < AP_RESEND; attempt++) {
		r53_error_clear(err);
		free(*id);
		*id = NULL;
		st = r53_change_rrsets(run->client, run->zone_id, ch, nch,
		    run->o.comment, id, err);
		run->requests++;
		b->requests++;
		if (st != R53_AMBIGUOUS)
			break;
		b->ambiguous = 1;
		log_warn("%s: no definite answer to a change request (%s); "
		    "re-reading the zone", run->zone_id,
		    err->message ? err->message : "ambiguous");
		vf = verify(run, ch, nch);
		if (vf == VF_APPLIED)
			return R53_OK;
		if (vf != VF_NOT_APPLIED) {
			batch_fail(b, vf == VF_UNKNOWN ? "ambiguous answer and "
			    "the zone matches neither the state before nor "
			    "after the request (changed concurrently?)" :
			    "ambiguous answer and the zone could not be read");
			run->fail_status = R53_AMBIGUOUS;
			*stop = 1;
			return st;
		}
		/* not applied: sending it again cannot apply it twice (its
		 * CREATEs and DELETEs would be rejected if the first send
		 * landed late, and the SOA UPSERT is idempotent) */
	}
	if (st == R53_REJECTED && b->ambiguous && attempt > 0 &&
	    verify(run, ch, nch) == VF_APPLIED) {
		/* the first, ambiguous send landed after all */
		log_warn("%s: the request applied before its resend",
		    run->zone_id);
		st = R53_OK;
	}
	return st;
}

/*
 * send_items(run, b, items, n, with_soa): one request of these items
 * (and the SOA UPSERT if with_soa and among them), then what its answer
 * requires.  SR_OK, SR_REJECTED (something rejected, the rest applied) or
 * SR_STOP (the run must stop; b->message says why).
 */
static int
send_items(struct ap_run *run, struct ap_batch *b, const size_t *items,
    size_t n, int with_soa)
{
	struct r53_change *ch = NULL;
	struct r53_error err = { 0 };
	char *id = NULL;
	size_t nch = 0;
	int st, r = SR_STOP, stop;

	if (ap_batch_changes(run, items, n, with_soa, &ch, &nch) == -1) {
		batch_fail(b, "out of memory");
		return SR_STOP;
	}
	if (nch == 0) {
		free(ch);
		return SR_OK;
	}
	st = send_resolved(run, b, ch, nch, &id, &err, &stop);
	if (stop)
		goto out;
	switch (st) {
	case R53_OK:
		if (batch_add_id(b, id) == -1) {
			batch_fail(b, "out of memory");
			goto out;
		}
		set_items_state(run, items, n, AP_APPLIED, NULL);
		if (with_soa && nch > 0 && ch[nch - 1].action == R53_UPSERT)
			run->soa_written = 1;
		r = SR_OK;
		break;
	case R53_REJECTED:
		r = on_rejected(run, b, items, n, with_soa, &err);
		break;
	default:
		batch_fail(b, err.message ? err.message : r53_strstatus(st));
		run->fail_status = st;
		r = SR_STOP;
		break;
	}
out:
	r53_error_clear(&err);
	free(id);
	free(ch);
	return r;
}

/* batch_result(run, b): AB_APPLIED / AB_PARTIAL / AB_REJECTED from the
 * states of the batch's changes. */
static enum ap_bstate
batch_result(const struct ap_run *run, const struct ap_batch *b)
{
	size_t i, j, ok = 0, bad = 0;

	for (i = 0; i < b->nitems; i++) {
		const struct ap_item *it = &run->items[b->items[i]];
		for (j = 0; j < it->n; j++) {
			if (run->chg[it->chg[j]].state == AP_APPLIED ||
			    run->chg[it->chg[j]].state == AP_ALREADY)
				ok++;
			else
				bad++;
		}
	}
	if (bad == 0)
		return AB_APPLIED;
	return ok > 0 ? AB_PARTIAL : AB_REJECTED;
}

/* send_open(run, b, with_soa): the batch without the items found already
 * applied while settling an earlier batch (settle.c). */
static int
send_open(struct ap_run *run, struct ap_batch *b, int with_soa)
{
	size_t *open = NULL, i, j, n = 0;
	int r;

	if ((open = malloc((b->nitems + 1) * sizeof(*open))) == NULL) {
		batch_fail(b, "out of memory");
		return SR_STOP;
	}
	for (i = 0; i < b->nitems; i++) {
		const struct ap_item *it = &run->items[b->items[i]];
		int keep = it->soa;
		for (j = 0; j < it->n; j++)
			if (run->chg[it->chg[j]].state == AP_PENDING)
				keep = 1;
		if (keep)
			open[n++] = b->items[i];
	}
	r = n > 0 ? send_items(run, b, open, n, with_soa) : SR_OK;
	free(open);
	return r;
}

/*
 * ap_send(run): send every batch in order.  Returns 0 when the run went
 * to the end (some changes may be rejected), -1 when it stopped.
 */
int
ap_send(struct ap_run *run)
{
	struct progress prog;
	size_t i;
	int r, with_soa;

	progress_init(&prog, run->o.progress);
	for (i = 0; i < run->nbatches; i++) {
		struct ap_batch *b = &run->batches[i];

		progress_show(&prog, 0, "%zu of %zu batches applied", i,
		    run->nbatches);
		with_soa = b->has_soa && soa_allowed(run);
		if (b->has_soa && !with_soa)
			log_msg("%s: not every change applied: the SOA serial "
			    "stays %lu", run->zone_id, run->soa_serial);
		r = send_open(run, b, with_soa);
		ap_batch_release(run, b->items, b->nitems);
		if (r == SR_STOP) {
			size_t j;
			run->stopped = 1;
			b->state = AB_FAILED;
			set_items_state(run, b->items, b->nitems, AP_NOTSENT,
			    b->message ? b->message : "not sent");
			log_msg("%s: batch %zu of %zu could not be sent: %s",
			    run->zone_id, i + 1, run->nbatches,
			    b->message ? b->message : "failed");
			for (j = i + 1; j < run->nbatches; j++) {
				run->batches[j].state = AB_NOTSENT;
				set_items_state(run, run->batches[j].items,
				    run->batches[j].nitems, AP_NOTSENT,
				    "not sent: the run stopped earlier");
			}
			progress_end(&prog);
			return -1;
		}
		b->state = batch_result(run, b);
		log_debug(1, "batch %zu/%zu: %s (%zu requests)", i + 1,
		    run->nbatches, ap_bstate_name(b->state), b->requests);
	}
	progress_show(&prog, 1, "%zu of %zu batches applied", i,
	    run->nbatches);
	progress_end(&prog);
	return 0;
}

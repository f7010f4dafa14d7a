/*
 * send.c: everything that talks to Route 53.
 *
 *  - ap_read_zone: GetHostedZoneLimit, and the apex SOA with one
 *    ListResourceRecordSets (name = apex, type = SOA, maxitems = 1).
 *  - ap_send: the batches in plan order.  A REJECTED request is split in
 *    halves until each offending item stands alone (reported with Route
 *    53's messages); the rest is applied.  An AMBIGUOUS answer (5xx or
 *    connection lost after sending; the client never resends those) is
 *    resolved by re-reading a few of the request's RRsets: all as after
 *    the request means applied, all as before means not applied (then it
 *    is sent again, at most AP_RESEND times), anything else stops the run.
 *    A request is therefore never applied twice.  Any other failure stops
 *    the run; later batches are not sent.
 *  - ap_wait: GetChange until INSYNC (--wait).
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "apply.h"
#include "exitcodes.h"
#include "log.h"
#include "names.h"

#define AP_RESEND	2	/* sends of a request known not applied */
#define AP_VERIFY_KEYS	3	/* RRsets re-read after an ambiguous answer */

enum { SR_OK = 0, SR_REJECTED, SR_STOP };

/* ---- reading ---- */

struct first_rr {
	struct r53_rrset *rr;	/* copy of the first RRset listed */
};

static int
first_cb(void *arg, const struct r53_rrset *rr)
{
	struct first_rr *f = arg;

	if (f->rr == NULL)
		f->rr = r53_rrset_copy(rr);
	return 0;
}

/* ap_read_key(run, name, type, setid, out): the RRset at exactly that
 * key (a copy the caller frees), or *out NULL when absent.  One
 * ListResourceRecordSets.  An r53_status. */
int
ap_read_key(struct ap_run *run, const char *name, const char *type,
    const char *setid, struct r53_rrset **out)
{
	struct first_rr f = { NULL };
	struct r53_page_next next = { 0 };
	struct r53_error err = { 0 };
	int st;

	*out = NULL;
	st = r53_list_rrsets(run->client, run->zone_id, name, type, setid, 1,
	    first_cb, &f, &next, &err);
	r53_page_next_clear(&next);
	if (st != R53_OK) {
		log_msg("%s: reading %s %s: %s", run->zone_id, name, type,
		    err.message ? err.message : r53_strstatus(st));
		r53_error_clear(&err);
		r53_rrset_free(f.rr);
		return st;
	}
	r53_error_clear(&err);
	if (f.rr != NULL && ap_r53_name_eq(f.rr->name, name) &&
	    strcmp(f.rr->type, type) == 0 &&
	    ((setid == NULL && f.rr->set_identifier == NULL) ||
	    (setid != NULL && f.rr->set_identifier != NULL &&
	    strcmp(setid, f.rr->set_identifier) == 0))) {
		*out = f.rr;
		return R53_OK;
	}
	r53_rrset_free(f.rr);
	return R53_OK;
}

/*
 * ap_read_zone(run): the quota and the apex SOA.  Returns an exit
 * status (EXIT_OK or a failure, reported).
 */
int
ap_read_zone(struct ap_run *run)
{
	struct r53_error err = { 0 };
	char *apex = NULL;
	int st;

	run->limit = run->count = -1;
	st = r53_get_zone_limit(run->client, run->zone_id, &run->limit,
	    &run->count, &err);
	if (st != R53_OK) {
		log_msg("%s: GetHostedZoneLimit: %s", run->zone_id,
		    err.message ? err.message : r53_strstatus(st));
		r53_error_clear(&err);
		return r53_status_exit(st);
	}
	r53_error_clear(&err);
	if (name_to_r53(run->origin, &apex) != NAME_OK) {
		log_msg("%s: bad origin", run->origin);
		return EXIT_BADINPUT;
	}
	st = ap_read_key(run, apex, "SOA", NULL, &run->soa);
	free(apex);
	if (st != R53_OK)
		return r53_status_exit(st);
	if (run->soa == NULL || run->soa->nvalues != 1 ||
	    ap_soa_parse(run->soa->values[0], NULL, NULL, &run->soa_serial,
	    NULL) == -1) {
		log_msg("%s: no readable SOA at the apex %s", run->zone_id,
		    run->origin);
		return EXIT_REMOTE;
	}
	run->soa_initial = ap_soa_is_initial(run->soa->values[0]);
	return EXIT_OK;
}

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

static int
same_key(const struct r53_rrset *a, const struct r53_rrset *b)
{
	if (strcmp(a->name, b->name) != 0 || strcmp(a->type, b->type) != 0)
		return 0;
	if (a->set_identifier == NULL || b->set_identifier == NULL)
		return a->set_identifier == b->set_identifier;
	return strcmp(a->set_identifier, b->set_identifier) == 0;
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
			if (same_key(ch[j].rrset, key))
				skip = 1;	/* key already checked */
		if (skip)
			continue;
		for (j = i; j < n; j++) {
			if (!same_key(ch[j].rrset, key))
				continue;
			if (ch[j].action == R53_DELETE)
				was = ch[j].rrset;
			else
				will = ch[j].rrset;
		}
		if (ch[i].action == R53_UPSERT)
			was = NULL;	/* before: unknown; the SOA's old */
		st = ap_read_key(run, key->name, key->type, key->set_identifier,
		    &now);
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

/* soa_allowed(run): every change is applied or skipped by a rule, so the
 * whole stream has applied and the SOA serial may be written. */
static int
soa_allowed(const struct ap_run *run)
{
	size_t i;

	for (i = 0; i < run->nchg; i++)
		if (run->chg[i].state == AP_HELD ||
		    run->chg[i].state == AP_REJECTED ||
		    run->chg[i].state == AP_NOTSENT)
			return 0;
	return !run->stopped;
}

static int send_items(struct ap_run *run, struct ap_batch *b,
    const size_t *items, size_t n, int with_soa);

/* The RRset a problem names: name, type (NULL: any), set identifier
 * (id_known: setid, NULL for none, is what Route 53 said). */
struct rkey {
	char *name, *type, *setid;
	int id_known;
};

static void
rkey_clear(struct rkey *k)
{
	free(k->name);
	free(k->type);
	free(k->setid);
	memset(k, 0, sizeof(*k));
}

/* quoted(p, tag, out): if p has tag, the text after it up to the next
 * quote into *out (malloc'd).  1 found, 0 not, -1 malformed. */
static int
quoted(const char *p, const char *tag, char **out)
{
	const char *e;

	if ((p = strstr(p, tag)) == NULL)
		return 0;
	p += strlen(tag);
	if ((e = strchr(p, '\'')) == NULL)
		return -1;
	*out = strndup(p, (size_t)(e - p));
	return *out != NULL ? 1 : -1;
}

/*
 * msg_key(msg, k): the RRset one problem is about: "[name='N',
 * type='T'(, set-identifier='S')]" (no set-identifier: the RRset has
 * none), "RRSet of type T with DNS name N ...", "RRSet with DNS name N,
 * type T(, SetIdentifier S) ...".  0, or -1 when it names no RRset.
 */
static int
msg_key(const char *msg, struct rkey *k)
{
	const char *p, *e, *br;
	int rc;

	memset(k, 0, sizeof(*k));
	if ((rc = quoted(msg, "name='", &k->name)) != 0) {
		if (rc == -1)
			goto bad;
		br = strstr(msg, "name='");
		e = strchr(br, ']');	/* the bracket of this RRset */
		if (quoted(br, "type='", &k->type) == -1)
			goto bad;
		if (e != NULL) {
			p = strstr(br, "set-identifier='");
			k->id_known = 1;
			if (p != NULL && p < e && quoted(p, "set-identifier='",
			    &k->setid) == -1)
				goto bad;
		}
		return 0;
	}
	if ((p = strstr(msg, "DNS name ")) == NULL)
		return -1;
	p += 9;
	e = p + strcspn(p, " ,");
	if ((k->name = strndup(p, (size_t)(e - p))) == NULL)
		goto bad;
	if ((p = strstr(msg, "of type ")) != NULL && p < e) {
		p += 8;
		k->type = strndup(p, strcspn(p, " ,"));
	} else if (strncmp(e, ", type ", 7) == 0) {
		p = e + 7;
		k->type = strndup(p, strcspn(p, " ,"));
		p += strcspn(p, " ,");
		if (strncmp(p, ", SetIdentifier ", 16) == 0) {
			p += 16;
			k->setid = strndup(p, strcspn(p, " "));
			k->id_known = k->setid != NULL;
		}
	}
	return 0;
bad:
	rkey_clear(k);
	return -1;
}

/* item_matches(run, it, k): a change of the item is that RRset. */
static int
item_matches(const struct ap_run *run, const struct ap_item *it,
    const struct rkey *k)
{
	size_t j;
	const struct ap_set *s[2];
	const char *id;
	int x;

	for (j = 0; j < it->n; j++) {
		const struct ap_change *c = &run->chg[it->chg[j]];
		s[0] = c->old;
		s[1] = c->new;
		for (x = 0; x < 2; x++) {
			if (s[x] == NULL || !s[x]->converted)
				continue;
			id = s[x]->rr.set_identifier;
			if (k->id_known && ((id == NULL) != (k->setid == NULL) ||
			    (id != NULL && strcmp(id, k->setid) != 0)))
				continue;
			if ((k->type == NULL || strcmp(k->type,
			    s[x]->rr.type) == 0) &&
			    ap_r53_name_eq(k->name, s[x]->rr.name))
				return 1;
		}
	}
	return 0;
}

/* Message starts of Route 53's InvalidChangeBatch problems: a joined
 * "[m1, m2, ...]" message is split before ", " and one of these. */
static const char *const msg_heads[] = {
	"Tried to ", "RRSet ", "Duplicate Resource Record",
	"The request contains", "A HostedZone", "Invalid Resource Record",
	"FATAL problem", "Number of records", "RDATA character",
	"Exceeded limit", NULL
};

static int
at_head(const char *p)
{
	size_t i;

	for (i = 0; msg_heads[i] != NULL; i++)
		if (strncmp(p, msg_heads[i], strlen(msg_heads[i])) == 0)
			return 1;
	return 0;
}

struct parts {
	char **v;
	size_t n;
};

static void
parts_free(struct parts *pt)
{
	size_t i;

	for (i = 0; i < pt->n; i++)
		free(pt->v[i]);
	free(pt->v);
	pt->v = NULL;
	pt->n = 0;
}

static int
parts_add(struct parts *pt, const char *p, size_t len)
{
	char **g = realloc(pt->v, (pt->n + 1) * sizeof(*g));

	if (g == NULL)
		return -1;
	pt->v = g;
	if ((g[pt->n] = strndup(p, len)) == NULL)
		return -1;
	pt->n++;
	return 0;
}

/*
 * split(err, pt): every problem of the answer: each <Message>, and each
 * part of a joined "[m1, m2, ...]" message (the aws CLI / ErrorResponse
 * form).  0 or -1 (ENOMEM; pt freed).
 */
static int
split(const struct r53_error *err, struct parts *pt)
{
	size_t k, len;
	const char *m, *p, *q, *end;

	memset(pt, 0, sizeof(*pt));
	for (k = 0; k < err->nmessages; k++) {
		m = err->messages[k];
		len = strlen(m);
		if (len >= 2 && m[0] == '[' && m[len - 1] == ']' &&
		    at_head(m + 1)) {
			m++;
			len -= 2;
		}
		end = m + len;
		for (p = q = m; q < end; q++) {
			if (q + 2 <= end && q[0] == ',' && q[1] == ' ' &&
			    at_head(q + 2)) {
				if (parts_add(pt, p, (size_t)(q - p)) == -1)
					goto bad;
				p = q + 2;
			}
		}
		if (parts_add(pt, p, (size_t)(end - p)) == -1)
			goto bad;
	}
	return 0;
bad:
	parts_free(pt);
	return -1;
}

/*
 * blame(run, items, m, err, bad): Route 53 names the RRsets it refused;
 * mark in bad[] (m entries) the items every problem of the answer names
 * (each part of a joined message too, so all are set aside at once).
 * Returns the number of items blamed, or 0 when some problem names no
 * item of the request (then only bisection can tell).
 */
static size_t
blame(const struct ap_run *run, const size_t *items, size_t m,
    const struct r53_error *err, unsigned char *bad)
{
	struct parts pt;
	struct rkey key;
	size_t i, k, nbad = 0;
	int hit;

	memset(bad, 0, m);
	if (err->nmessages == 0 || split(err, &pt) == -1)
		return 0;
	for (k = 0; k < pt.n; k++) {
		if (msg_key(pt.v[k], &key) == -1) {
			nbad = 0;
			break;
		}
		hit = 0;
		for (i = 0; i < m; i++)
			if (item_matches(run, &run->items[items[i]], &key)) {
				if (!bad[i])
					nbad++;
				bad[i] = 1;
				hit = 1;
			}
		rkey_clear(&key);
		if (!hit) {
			nbad = 0;
			break;
		}
	}
	parts_free(&pt);
	if (nbad == 0)
		memset(bad, 0, m);
	return nbad;
}

/* msg_for(run, it, err, buf, size): "rejected by Route 53: " and the
 * first problem naming a change of the item, else the whole message. */
static const char *
msg_for(const struct ap_run *run, const struct ap_item *it,
    const struct r53_error *err, char *buf, size_t size)
{
	struct parts pt;
	struct rkey key;
	size_t k;
	int hit = 0;

	if (split(err, &pt) == 0) {
		for (k = 0; !hit && k < pt.n; k++) {
			if (msg_key(pt.v[k], &key) == 0)
				hit = item_matches(run, it, &key);
			rkey_clear(&key);
			if (hit)
				snprintf(buf, size, "rejected by Route 53: %s",
				    pt.v[k]);
		}
		parts_free(&pt);
	}
	if (!hit)
		snprintf(buf, size, "rejected by Route 53: %s", err->message ?
		    err->message : "InvalidChangeBatch");
	return buf;
}

enum { SR_NONE = -1 };

/* has_settle_msg(err): a message says "already exists" / "not found". */
static int
has_settle_msg(const struct r53_error *err)
{
	size_t k;

	for (k = 0; k < err->nmessages; k++)
		if (ap_settle_msg(err->messages[k]))
			return 1;
	return 0;
}

/*
 * settle_resend(run, b, items, n, rest, m, with_soa, err): Route 53
 * refused CREATEs whose RRset "already exists" or DELETEs whose RRset was
 * "not found" (named in its messages, however many, in either message
 * form): the items whose final state the zone already holds are counted
 * as already applied (settle.c), the other items the messages name are
 * set aside as rejected, and the rest goes out at once, with the SOA
 * UPSERT when every change is applied by then.  Problems of another kind
 * in the same answer show again in that request's answer and are dealt
 * with there.  rest holds the m non-SOA items of the n.  SR_NONE when
 * the messages name RRsets outside the request (bisect then).
 */
static int
settle_resend(struct ap_run *run, struct ap_batch *b, const size_t *items,
    size_t n, size_t *rest, size_t m, int with_soa,
    const struct r53_error *err)
{
	unsigned char *bad = NULL;
	size_t i, nok = 0, nrej = 0, nset;
	int r = SR_OK;
	char msg[2048];

	if ((bad = malloc(m ? m : 1)) == NULL)
		return SR_NONE;
	if (m == 0 || ap_settle(run, rest, m, err, bad, &nset) == -1) {
		free(bad);
		return SR_NONE;
	}
	for (i = 0; err == NULL && i < m && bad[i] == 0; i++)
		;
	if (err == NULL && i == m) {
		free(bad);	/* nothing learnt: bisect */
		return SR_NONE;
	}
	if (nset > 0)
		log_warn("%s: %zu refused changes were already in place "
		    "(applied earlier): not sent again", run->zone_id, nset);
	for (i = 0; i < m; i++) {
		if (bad[i] == 0) {
			rest[nok++] = rest[i];
		} else if (bad[i] == 1) {
			msg_for(run, &run->items[rest[i]], err, msg,
			    sizeof(msg));
			set_items_state(run, &rest[i], 1, AP_REJECTED, msg);
			log_msg("%s: %s", run->zone_id, msg);
			nrej++;
		} else if (bad[i] == 3) {
			/* refused, not named: the answer was cut short */
			const struct ap_change *c =
			    &run->chg[run->items[rest[i]].chg[0]];
			const struct ap_set *sv = c->new ? c->new : c->old;
			snprintf(msg, sizeof(msg), "rejected by Route 53: %s "
			    "%s: a CREATE of an RRset that exists with other "
			    "data, or a DELETE of one that does not exist "
			    "(found by re-reading)", sv->owner, sv->type);
			set_items_state(run, &rest[i], 1, AP_REJECTED, msg);
			log_msg("%s: %s", run->zone_id, msg);
			nrej++;
		}
	}
	free(bad);
	if (with_soa && soa_allowed(run))
		for (i = 0; i < n; i++)
			if (run->items[items[i]].soa)
				rest[nok++] = items[i];
	if (nok > 0)
		r = send_items(run, b, rest, nok, with_soa && soa_allowed(run));
	if (r == SR_STOP)
		return SR_STOP;
	return nrej > 0 ? SR_REJECTED : r;
}

/* bisect: a rejected request of these items; SOA excluded. */
static int
bisect(struct ap_run *run, struct ap_batch *b, const size_t *items,
    size_t n, int with_soa, const struct r53_error *err)
{
	size_t *rest = NULL;
	unsigned char *bad = NULL;
	size_t i, m = 0, h;
	int r = SR_OK, r2;
	char msg[2048];

	rest = malloc((n + 1) * sizeof(*rest));
	if (rest == NULL)
		return SR_STOP;
	for (i = 0; i < n; i++)
		if (!run->items[items[i]].soa)
			rest[m++] = items[i];
	if (has_settle_msg(err)) {
		r = settle_resend(run, b, items, n, rest, m, with_soa, err);
		if (r != SR_NONE) {
			free(rest);
			return r;
		}
		/* rest was left as it was */
		r = SR_OK;
	} else if (err->nmessages == 0 && !b->settle_tried && m > 1) {
		/* an answer naming nothing (one too long to parse, say):
		 * once per batch, before bisecting, drop what the zone
		 * already holds */
		b->settle_tried = 1;
		r = settle_resend(run, b, items, n, rest, m, with_soa, NULL);
		if (r != SR_NONE) {
			free(rest);
			return r;
		}
		r = SR_OK;
	}
	if (m == 1 && !with_soa) {
		msg_for(run, &run->items[rest[0]], err, msg, sizeof(msg));
		set_items_state(run, rest, 1, AP_REJECTED, msg);
		log_msg("%s: %s", run->zone_id, msg);
		free(rest);
		return SR_REJECTED;
	}
	/* Route 53 usually names the RRsets it refused: set those aside
	 * and send the rest at once; bisection only when it does not.  With
	 * the SOA UPSERT in the request, it goes too: something is rejected,
	 * so the serial must not be written. */
	bad = malloc(m ? m : 1);
	if (bad != NULL && m > 0 && blame(run, rest, m, err, bad) > 0) {
		size_t nok = 0;
		for (i = 0; i < m; i++) {
			if (!bad[i]) {
				rest[nok++] = rest[i];
				continue;
			}
			msg_for(run, &run->items[rest[i]], err, msg,
			    sizeof(msg));
			set_items_state(run, &rest[i], 1, AP_REJECTED, msg);
			log_msg("%s: %s", run->zone_id, msg);
		}
		free(bad);
		r = nok > 0 ? send_items(run, b, rest, nok, 0) : SR_OK;
		free(rest);
		return r == SR_STOP ? SR_STOP : SR_REJECTED;
	}
	free(bad);
	if (with_soa) {
		if (m > 0)
			r = send_items(run, b, rest, m, 0);
		if (r == SR_OK && soa_allowed(run)) {
			if (m == 0) {
				log_msg("%s: SOA UPSERT rejected: %s",
				    run->zone_id, err->message ?
				    err->message : "rejected");
				batch_fail(b, err->message ? err->message :
				    "SOA UPSERT rejected");
				r = SR_REJECTED;
			} else {
				/* only the SOA is left: try it alone */
				for (i = 0; i < n; i++)
					if (run->items[items[i]].soa)
						rest[0] = items[i];
				r = send_items(run, b, rest, 1, 1);
			}
		}
		free(rest);
		return r;
	}
	h = m / 2;
	r = send_items(run, b, rest, h, 0);
	if (r != SR_STOP) {
		r2 = send_items(run, b, rest + h, m - h, 0);
		if (r2 != SR_OK)
			r = r2;
	}
	free(rest);
	return r;
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
	size_t nch = 0, attempt;
	int st = R53_FAILED, r = SR_STOP, vf;

	if (ap_batch_changes(run, items, n, with_soa, &ch, &nch) == -1) {
		batch_fail(b, "out of memory");
		return SR_STOP;
	}
	if (nch == 0) {
		free(ch);
		return SR_OK;
	}
	for (attempt = 0; attempt < AP_RESEND; attempt++) {
		r53_error_clear(&err);
		free(id);
		id = NULL;
		st = r53_change_rrsets(run->client, run->zone_id, ch, nch,
		    run->o.comment, &id, &err);
		run->requests++;
		b->requests++;
		if (st != R53_AMBIGUOUS)
			break;
		b->ambiguous = 1;
		log_warn("%s: no definite answer to a change request (%s); "
		    "re-reading the zone", run->zone_id,
		    err.message ? err.message : "ambiguous");
		vf = verify(run, ch, nch);
		if (vf == VF_APPLIED) {
			st = R53_OK;
			break;
		}
		if (vf != VF_NOT_APPLIED) {
			batch_fail(b, vf == VF_UNKNOWN ? "ambiguous answer and "
			    "the zone matches neither the state before nor "
			    "after the request (changed concurrently?)" :
			    "ambiguous answer and the zone could not be read");
			run->fail_status = R53_AMBIGUOUS;
			goto out;
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
		r = bisect(run, b, items, n, with_soa, &err);
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
	size_t i;
	int r, with_soa;

	for (i = 0; i < run->nbatches; i++) {
		struct ap_batch *b = &run->batches[i];

		with_soa = b->has_soa && soa_allowed(run);
		if (b->has_soa && !with_soa)
			log_msg("%s: not every change applied: the SOA serial "
			    "stays %lu", run->zone_id, run->soa_serial);
		r = send_open(run, b, with_soa);
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
			return -1;
		}
		b->state = batch_result(run, b);
		log_debug(1, "batch %zu/%zu: %s (%zu requests)", i + 1,
		    run->nbatches, ap_bstate_name(b->state), b->requests);
	}
	return 0;
}

static void
sleep_ms(long ms)
{
	struct timespec ts;

	ts.tv_sec = ms / 1000;
	ts.tv_nsec = (ms % 1000) * 1000000L;
	nanosleep(&ts, NULL);
}

double
ap_now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/*
 * ap_wait(run): poll GetChange for every change id until INSYNC, at most
 * --wait-timeout seconds in all (interval 0.5 s doubling to 10 s).
 * Returns 0, or -1 on timeout or error (reported).
 */
int
ap_wait(struct ap_run *run)
{
	double deadline = ap_now_s() + (double)run->o.wait_timeout;
	long interval = 500;
	size_t i, j;
	int insync, st;
	struct r53_error err = { 0 };

	for (i = 0; i < run->nbatches; i++) {
		struct ap_batch *b = &run->batches[i];
		for (j = 0; j < b->nids; j++) {
			for (;;) {
				st = r53_get_change(run->client,
				    b->change_ids[j], &insync, &err);
				if (st != R53_OK) {
					log_msg("GetChange %s: %s",
					    b->change_ids[j], err.message ?
					    err.message : r53_strstatus(st));
					r53_error_clear(&err);
					return -1;
				}
				if (insync)
					break;
				if (ap_now_s() + (double)interval / 1000 >
				    deadline) {
					log_msg("change %s not INSYNC after "
					    "%ld s", b->change_ids[j],
					    run->o.wait_timeout);
					return -1;
				}
				sleep_ms(interval);
				if (interval < 10000)
					interval *= 2;
			}
		}
		b->insync = 1;
	}
	return 0;
}

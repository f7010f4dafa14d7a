/*
 * check.c: Route 53's rules, checked before anything is sent, so that one
 * record Route 53 cannot store never stalls the rest: such a change is
 * skipped (state AP_SKIPPED, with the reason) and reported; everything
 * else is applied.  What Route 53 still rejects is set aside by its
 * answer (send.c, refusal.c).  Also the check that the stream's
 * current-rrsets, which the thresholds trust, is the zone's count.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "apply.h"
#include "canon.h"
#include "exitcodes.h"
#include "log.h"
#include "rrtypes.h"

static const char *
owner_of(const struct ap_change *c)
{
	return ap_set_owner(c->new != NULL ? c->new : c->old);
}

static const char *
type_of(const struct ap_change *c)
{
	return ap_set_type(c->new != NULL ? c->new : c->old);
}

static int
storable(const char *type)
{
	uint16_t t;

	return canon_type_from_name(type, &t) == 0 && rrtype_has(t, RRT_R53);
}

/* Checks on one change that need no other change. */
static void
check_one(const struct ap_run *run, struct ap_change *c)
{
	const char *owner = owner_of(c), *type = type_of(c);
	int apex = strcmp(owner, run->origin) == 0;
	char *why = NULL;

	if (c->old != NULL && !run->delete_r53_only && (ap_set_r53(c->old) != NULL ||
	    ap_set_setid(c->old) != NULL || c->old->ttl < 0)) {
		if (c->new != NULL)
			ap_skip(c, AP_SKIPPED, "collides with a Route 53 alias or "
			    "routing record of the same name and type (left "
			    "alone)");
		else
			ap_skip(c, AP_SKIPPED, "a Route 53 alias or routing record "
			    "(left alone)");
		return;
	}
	if (apex && strcmp(type, "NS") == 0 && c->kind == '<' &&
	    run->manage_apex_ns) {
		c->upsert = 1;	/* the apex NS can only be UPSERTed */
	} else if (apex && (strcmp(type, "SOA") == 0 ||
	    strcmp(type, "NS") == 0)) {
		ap_skip(c, AP_SKIPPED, "the apex SOA and NS belong to Route "
		    "53 (the SOA serial is synced separately)");
		return;
	}
	if (c->new == NULL)
		return;
	if (!storable(type)) {
		ap_skip(c, AP_SKIPPED, "Route 53 cannot store type %s",
		    type);
		return;
	}
	if (strcmp(type, "SOA") == 0) {
		ap_skip(c, AP_SKIPPED, "an SOA is only allowed at the apex");
		return;
	}
	if (ap_name_wire_check(owner, &why) == -1) {
		ap_skip(c, AP_SKIPPED, "%s", why);
		free(why);
		return;
	}
	if (strcmp(type, "NS") == 0 && strncmp(owner, "*.", 2) == 0) {
		ap_skip(c, AP_SKIPPED, "Route 53 does not allow NS records "
		    "on a wildcard");
		return;
	}
	if (strcmp(type, "CNAME") == 0 && apex) {
		ap_skip(c, AP_SKIPPED, "a CNAME is not allowed at the zone "
		    "apex");
		return;
	}
	if (strcmp(type, "CNAME") == 0 && c->new->nrdata > 1) {
		ap_skip(c, AP_SKIPPED, "a CNAME has exactly one value, not "
		    "%lu", (unsigned long)c->new->nrdata);
		return;
	}
}

/*
 * A CNAME beside other data at one owner: among the RRsets the changes
 * leave at that owner (added or updated), a CNAME and any other storable
 * type cannot both exist; the CNAME is skipped.  Changes at one owner are
 * adjacent in key order.
 */
static void
check_cname_beside(struct ap_run *run)
{
	size_t i, j, k, cname;
	int other;

	for (i = 0; i < run->nchg; i = j) {
		cname = (size_t)-1;
		other = 0;
		for (j = i; j < run->nchg &&
		    strcmp(owner_of(&run->chg[j]), owner_of(&run->chg[i])) ==
		    0; j++) {
			struct ap_change *c = &run->chg[j];
			if (c->new == NULL || c->state != AP_PENDING)
				continue;
			if (strcmp(ap_set_type(c->new), "CNAME") == 0)
				cname = j;
			else if (storable(ap_set_type(c->new)))
				other = 1;
		}
		if (cname == (size_t)-1 || !other)
			continue;
		k = cname;
		ap_skip(&run->chg[k], AP_SKIPPED, "a CNAME is not permitted beside "
		    "other data at the same name");
	}
}

/* Checks that need the Route 53 costs (after conversion; the Value
 * length is checked there). */
static void
check_values(struct ap_change *c)
{
	const struct ap_set *s = c->new;

	if (c->kind == '<' && !c->upsert && (ap_change_cost_rr(c) >
	    AP_MAX_RRS || ap_change_cost_chars(c) > AP_MAX_CHARS) &&
	    2 * (size_t)s->nrr <= AP_MAX_RRS &&
	    2 * (size_t)s->nchars <= AP_MAX_CHARS) {
		/* DELETE old + CREATE new does not fit one request, an
		 * UPSERT of new (counted twice) does: no compare-and-swap
		 * then, but the update stays atomic */
		log_warn("%s %s: large old RRset: replaced with an UPSERT",
		    ap_set_owner(s), ap_set_type(s));
		c->upsert = 1;
	}
	if (ap_change_cost_rr(c) > AP_MAX_RRS ||
	    ap_change_cost_chars(c) > AP_MAX_CHARS)
		ap_skip(c, AP_SKIPPED, "%zu records / %zu characters do not "
		    "fit in one request (%d / %d)", ap_change_cost_rr(c),
		    ap_change_cost_chars(c),
		    AP_MAX_RRS, AP_MAX_CHARS);
}

/*
 * ap_check(run): apply every rule to the pending changes, converting the
 * survivors to Route 53 form on the way.
 */
void
ap_check(struct ap_run *run)
{
	size_t i;

	for (i = 0; i < run->nchg; i++)
		if (run->chg[i].state == AP_PENDING)
			check_one(run, &run->chg[i]);
	check_cname_beside(run);
	ap_convert(run);
	for (i = 0; i < run->nchg; i++)
		if (run->chg[i].state == AP_PENDING)
			check_values(&run->chg[i]);
}

/* thresholds_moot(run, del, upd): no count of existing RRsets could
 * make the thresholds refuse this many deletes and updates (they apply
 * from --min-existing RRsets on, and allow their share of at least
 * that many). */
static int
thresholds_moot(const struct ap_run *run, size_t del, size_t upd)
{
	double floor = (double)run->o.min_existing;

	return (double)del <= run->o.max_delete_pct / 100.0 * floor &&
	    (double)upd <= run->o.max_update_pct / 100.0 * floor;
}

/*
 * ap_check_counts(run): the delete and update thresholds take the share
 * of the existing RRsets from the stream's trailer word current-rrsets,
 * which an edit of that word alone would talk around.  So, when the
 * stream deletes or updates anything (else no threshold matters), the
 * word must cover the stream's own deletes and updates, and (not
 * --offline) the hosted zone's ResourceRecordSetCount must be the word,
 * give or take what this very stream may have applied already (an
 * interrupted run, a stream applied twice): at most its deletes fewer,
 * its adds more.  The thresholds then count the smaller of the two, so
 * that an inflated word within that span dilutes nothing.  --force
 * overrides, as for the thresholds.  With --current the count costs a
 * request (GetHostedZoneLimit), asked only when the thresholds could
 * refuse at all.  EXIT_OK, EXIT_REFUSED, or the failure of the read.
 */
int
ap_check_counts(struct ap_run *run)
{
	size_t i, del = 0, upd = 0, add = 0;
	long have, x = run->current_rrsets;
	int st;

	for (i = 0; i < run->nchg; i++) {
		del += run->chg[i].kind == '-';
		upd += run->chg[i].kind == '<';
		add += run->chg[i].kind == '+';
	}
	if (run->o.force || del + upd == 0 || x < 0)
		return EXIT_OK;
	if ((long)(del + upd) > x) {
		log_msg("refused: the change stream deletes or updates %zu "
		    "RRsets of the %ld it says the zone held (current-rrsets): "
		    "an edited or broken stream", del + upd, x);
		return EXIT_REFUSED;
	}
	if (run->o.offline ||
	    (run->o.current != NULL && thresholds_moot(run, del, upd)))
		return EXIT_OK;
	if ((st = ap_zone_count(run, &have)) != R53_OK)
		return r53_status_exit(st);
	if (have >= 0 && (have < x - (long)del || have > x + (long)add)) {
		log_msg("refused: the change stream was computed against %ld "
		    "RRsets (current-rrsets), the hosted zone holds %ld "
		    "(%s), more than its %zu deletes and %zu adds "
		    "explain: a stale or edited stream (run the pipeline "
		    "again, or --force)", x, have,
		    run->o.current != NULL ? "GetHostedZoneLimit" :
		    "GetHostedZone", del, add);
		return EXIT_REFUSED;
	}
	if (have >= 0 && have < x)
		run->current_rrsets = have;
	return EXIT_OK;
}

/*
 * safety.c: the checks that refuse a whole run before anything is sent
 * (exit 4, EXIT_REFUSED), and the holds and warnings that go with them.
 * Each protects the zone from a stream that does not fit it: computed
 * against another zone or another serial, deleting or updating too much
 * of it, or outgrowing its quota.  Ownership (the mark) is owner.c's.
 */
#include <stdlib.h>
#include <string.h>

#include "apply.h"
#include "exitcodes.h"
#include "log.h"

/* ap_safety_identity(run): the stream was computed against this hosted
 * zone (run->zone_id) and its origin is the zone's name. */
int
ap_safety_identity(const struct ap_run *run)
{
	if (run->desired_zone_id != NULL) {
		log_msg("refused: the change stream's DESIRED side is hosted "
		    "zone %s (rrdiff's inputs are swapped?)",
		    run->desired_zone_id);
		return EXIT_REFUSED;
	}
	if (run->current_zone_id == NULL) {
		log_msg("refused: the change stream has no current-zone-id: "
		    "it was not computed against a hosted zone");
		return EXIT_REFUSED;
	}
	if (strcmp(r53_id_strip(run->current_zone_id), run->zone_id) != 0) {
		log_msg("refused: the change stream was computed against "
		    "hosted zone %s, not %s", run->current_zone_id,
		    run->zone_id);
		return EXIT_REFUSED;
	}
	if (run->zone_name != NULL && strcmp(run->zone_name, run->origin)) {
		log_msg("refused: the change stream's origin %s is not the "
		    "hosted zone's name %s", run->origin, run->zone_name);
		return EXIT_REFUSED;
	}
	return EXIT_OK;
}

/* ap_safety_thresholds(run): like octoDNS, refuse more deletes or updates than a
 * share of the existing RRsets once the zone has min_existing of them. */
int
ap_safety_thresholds(const struct ap_run *run)
{
	long existing = run->current_rrsets >= 0 ? run->current_rrsets :
	    run->count;
	size_t del = ap_count_pending(run, '-'), upd = ap_count_pending(run, '<');

	if (run->o.force || existing < run->o.min_existing || existing <= 0)
		return EXIT_OK;
	if ((double)del > run->o.max_delete_pct / 100.0 * (double)existing) {
		log_msg("refused: %zu deletes are more than %g%% of the %ld "
		    "existing RRsets (--max-delete-pct, or --force)", del,
		    run->o.max_delete_pct, existing);
		return EXIT_REFUSED;
	}
	if ((double)upd > run->o.max_update_pct / 100.0 * (double)existing) {
		log_msg("refused: %zu updates are more than %g%% of the %ld "
		    "existing RRsets (--max-update-pct, or --force)", upd,
		    run->o.max_update_pct, existing);
		return EXIT_REFUSED;
	}
	return EXIT_OK;
}

/*
 * ap_safety_serial(run): refuse a stale stream (computed against another
 * SOA serial than the zone's now) and a source behind Route 53 (RFC 1982),
 * unless --force.  Route 53's own initial SOA is never in the way.
 */
int
ap_safety_serial(const struct ap_run *run)
{
	if (run->soa == NULL)
		return EXIT_OK;
	if (run->current_serial_text != NULL && !run->soa_initial &&
	    strtoul(run->current_serial_text, NULL, 10) != run->soa_serial) {
		if (!run->o.force) {
			log_msg("refused: stale change stream: computed when "
			    "the hosted zone's SOA serial was %s, now it is "
			    "%lu (run the pipeline again, or --force)",
			    run->current_serial_text, run->soa_serial);
			return EXIT_REFUSED;
		}
		log_warn("stale change stream (serial %s, now %lu): forced",
		    run->current_serial_text, run->soa_serial);
	}
	if (!run->has_desired_serial)
		return EXIT_OK;
	if (!run->soa_initial &&
	    ap_serial_ahead(run->soa_serial, run->desired_serial)) {
		if (!run->o.force) {
			log_msg("refused: Route 53's SOA serial %lu is ahead "
			    "of the source's %lu (RFC 1982); --force to "
			    "write anyway", run->soa_serial,
			    run->desired_serial);
			return EXIT_REFUSED;
		}
		log_warn("Route 53's SOA serial %lu is ahead of the source's "
		    "%lu: forced", run->soa_serial, run->desired_serial);
	}
	return EXIT_OK;
}

/* ap_safety_quota(run): the zone must stay within its RRset quota. */
int
ap_safety_quota(const struct ap_run *run)
{
	long after;

	if (run->limit < 0 || run->count < 0)
		return EXIT_OK;
	after = run->count + (long)ap_count_pending(run, '+') -
	    (long)ap_count_pending(run, '-');
	if (after > run->limit) {
		log_msg("refused: the hosted zone would hold %ld RRsets, over "
		    "its quota of %ld (GetHostedZoneLimit)", after,
		    run->limit);
		return EXIT_REFUSED;
	}
	return EXIT_OK;
}

/* ap_safety_private(run): private zones do not follow delegations below the apex. */
void
ap_safety_private(const struct ap_run *run)
{
	size_t i;

	if (!run->zone_private)
		return;
	for (i = 0; i < run->nchg; i++) {
		const struct ap_change *c = &run->chg[i];
		if (c->state != AP_PENDING || c->new == NULL ||
		    strcmp(ap_set_type(c->new), "NS") != 0 ||
		    strcmp(ap_set_owner(c->new), run->origin) == 0)
			continue;
		log_warn("%s NS: private hosted zones do not follow "
		    "delegations; mirror the child zone into its own private "
		    "hosted zone", ap_set_owner(c->new));
	}
}

/* owner_of(c): the owner of a change. */
static const char *
owner_of(const struct ap_change *c)
{
	return ap_set_owner(c->new != NULL ? c->new : c->old);
}

/*
 * ap_safety_hold_conflicting(run): a CREATE that only works after a held DELETE
 * (ap_conflict: a CNAME replacing an A, say) would only be refused:
 * hold it too.  Changes at one owner are adjacent (stream order).
 */
void
ap_safety_hold_conflicting(struct ap_run *run)
{
	size_t i, j, d, c;

	for (i = 0; i < run->nchg; i = j) {
		for (j = i + 1; j < run->nchg && strcmp(owner_of(&run->chg[j]),
		    owner_of(&run->chg[i])) == 0; j++)
			;
		for (c = i; c < j; c++) {
			struct ap_change *cc = &run->chg[c];
			if (cc->state != AP_PENDING || cc->new == NULL)
				continue;
			for (d = i; d < j; d++) {
				const struct ap_change *cd = &run->chg[d];
				if (d == c || cd->state != AP_HELD ||
				    cd->old == NULL ||
				    !ap_conflict(cd->old, cc->new))
					continue;
				ap_skip(cc, AP_HELD, "needs the DELETE of "
				    "line %lu (%s %s), which is held back",
				    cd->lineno, ap_set_owner(cd->old),
				    ap_set_type(cd->old));
				break;
			}
		}
	}
}

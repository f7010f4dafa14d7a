/*
 * read.c: reading the hosted zone.
 *
 *  - ap_read_zone: GetHostedZoneLimit, and the apex SOA with one
 *    ListResourceRecordSets (name = apex, type = SOA, maxitems = 1).
 *  - ap_read_key: one RRset by its key (used by send.c to resolve an
 *    ambiguous answer and by settle.c to re-read refused RRsets).
 */
#include <stdlib.h>
#include <string.h>

#include "apply.h"
#include "exitcodes.h"
#include "log.h"
#include "names.h"

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


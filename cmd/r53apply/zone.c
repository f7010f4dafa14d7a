/*
 * read.c: reading the hosted zone.
 *
 *  - ap_zone_read: GetHostedZoneLimit, and the apex SOA with one
 *    ListResourceRecordSets (name = apex, type = SOA, maxitems = 1).
 *  - ap_zone_read_key: one RRset by its key (used by send.c to resolve an
 *    ambiguous answer and by settle.c to re-read refused RRsets).
 */
#include <stdlib.h>
#include <string.h>

#include "apply.h"
#include "clock.h"
#include "exitcodes.h"
#include "log.h"
#include "names.h"
#include "r53cli.h"

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

/* ap_zone_read_key(run, name, type, setid, out): the RRset at exactly that
 * key (a copy the caller frees), or *out NULL when absent.  One
 * ListResourceRecordSets.  An r53_status. */
int
ap_zone_read_key(struct ap_run *run, const char *name, const char *type,
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
 * ap_zone_read(run): the quota and the apex SOA.  Returns an exit
 * status (EXIT_OK or a failure, reported).
 */
int
ap_zone_read(struct ap_run *run)
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
	st = ap_zone_read_key(run, apex, "SOA", NULL, &run->soa);
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

/* offline_name(run, name): the canonical form of --zone NAME (trailing
 * dot optional) as the zone's name, for the origin check. */
static int
offline_name(struct ap_run *run, const char *name)
{
	char buf[NAME_CANON_MAX + 2];
	size_t n = strlen(name);

	if (n + 2 > sizeof(buf)) {
		log_msg("--zone: name too long");
		return EXIT_USAGE;
	}
	memcpy(buf, name, n + 1);
	if (n == 0 || buf[n - 1] != '.' || (n >= 2 && buf[n - 2] == '\\')) {
		buf[n] = '.';
		buf[n + 1] = '\0';
	}
	if (name_canon_text(buf, &run->zone_name) != NAME_OK) {
		log_msg("--zone: bad name '%s'", name);
		return EXIT_USAGE;
	}
	return EXIT_OK;
}

/*
 * ap_zone_connect(run, cli): find the hosted zone the options name
 * (r53cli_connect) and take its id, name, visibility and RRset count;
 * with --offline only what the options say, no request.  An exit
 * status.
 */
int
ap_zone_connect(struct ap_run *run, const struct r53cli *cli)
{
	struct r53_zone zone;
	int rc;

	memset(&zone, 0, sizeof(zone));
	if (run->o.offline) {
		run->zone_id = strdup(r53_id_strip(cli->zone_id));
		run->zone_private = cli->visibility == R53_VIS_PRIVATE;
		if (run->zone_id == NULL)
			return EXIT_BADINPUT;
		/* --zone-id with --zone: the name is taken as given */
		if (cli->zone_name != NULL)
			return offline_name(run, cli->zone_name);
		return EXIT_OK;
	}
	rc = r53cli_connect(cli, &run->client, &zone);
	if (rc != EXIT_OK)
		return rc;
	run->zone_id = strdup(zone.id);
	run->zone_private = zone.private_zone;
	run->zone_rrsets = zone.rrset_count;
	run->zone_name = r53cli_zone_origin(&zone);
	r53_zone_clear(&zone);
	if (run->zone_id == NULL || run->zone_name == NULL)
		return EXIT_BADINPUT;
	return EXIT_OK;
}

/*
 * ap_zone_wait(run): poll GetChange for every change id until INSYNC, at most
 * --wait-timeout seconds in all (interval 0.5 s doubling to 10 s).
 * Returns 0, or -1 on timeout or error (reported).
 */
int
ap_zone_wait(struct ap_run *run)
{
	double deadline = clock_now() + (double)run->o.wait_timeout;
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
				if (clock_now() + (double)interval / 1000 >
				    deadline) {
					log_msg("change %s not INSYNC after "
					    "%ld s", b->change_ids[j],
					    run->o.wait_timeout);
					return -1;
				}
				clock_sleep_ms(interval);
				if (interval < 10000)
					interval *= 2;
			}
		}
		b->insync = 1;
	}
	return 0;
}

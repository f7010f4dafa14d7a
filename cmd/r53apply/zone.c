/*
 * zone.c: the hosted zone as r53apply sees it.
 *
 *  - ap_zone_connect: find it (r53cli_connect: GetHostedZone), or take
 *    --zone-id as given (--offline, --current);
 *  - ap_zone_from_current: --current FILE stands for its apex SOA;
 *  - ap_zone_read: GetHostedZoneLimit (ap_zone_limit, once a run), and
 *    the apex SOA with one ListResourceRecordSets (name = apex, type =
 *    SOA, maxitems = 1) unless --current gave it;
 *  - ap_zone_count: its RRset count, from whichever of those it has;
 *  - ap_zone_read_key: one RRset by its key (used by send.c to resolve an
 *    ambiguous answer and by settle.c to re-read refused RRsets);
 *  - ap_zone_wait: --wait (GetChange).
 */
#include <stdlib.h>
#include <string.h>

#include "apply.h"
#include "clock.h"
#include "exitcodes.h"
#include "log.h"
#include "names.h"
#include "r53cli.h"
#include "stream.h"

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

/* ap_zone_limit(run): run->limit and run->count from one
 * GetHostedZoneLimit, asked at most once a run.  An r53_status
 * (reported). */
int
ap_zone_limit(struct ap_run *run)
{
	struct r53_error err = { 0 };
	int st;

	if (run->limit >= 0)
		return R53_OK;
	st = r53_get_zone_limit(run->client, run->zone_id, &run->limit,
	    &run->count, &err);
	if (st != R53_OK) {
		run->limit = run->count = -1;
		log_msg("%s: GetHostedZoneLimit: %s", run->zone_id,
		    err.message ? err.message : r53_strstatus(st));
	}
	r53_error_clear(&err);
	return st;
}

/* ap_zone_count(run, have): the hosted zone's ResourceRecordSetCount:
 * from the GetHostedZone that found the zone, else from
 * GetHostedZoneLimit.  An r53_status (reported). */
int
ap_zone_count(struct ap_run *run, long *have)
{
	int st = R53_OK;

	if (run->zone_rrsets < 0 && (st = ap_zone_limit(run)) == R53_OK)
		run->zone_rrsets = run->count;
	*have = run->zone_rrsets;
	return st;
}

/* soa_take(run, where, fail): run->soa_serial and soa_initial from
 * run->soa, read from WHERE.  EXIT_OK, or fail (reported). */
static int
soa_take(struct ap_run *run, const char *where, int fail)
{
	if (run->soa == NULL || run->soa->nvalues != 1 ||
	    ap_soa_parse(run->soa->values[0], NULL, NULL, &run->soa_serial,
	    NULL) == -1) {
		log_msg("%s: no readable SOA at the apex %s", where,
		    run->origin);
		return fail;
	}
	run->soa_initial = ap_soa_is_initial(run->soa->values[0]);
	return EXIT_OK;
}

/*
 * ap_zone_read(run): the quota and the apex SOA.  With --current the SOA
 * came from that stream (ap_zone_from_current) and the quota is read
 * only when it can matter: more creates than deletes, or an SOA that
 * looks like Route 53's own (owner.c then wants the zone's count).
 * Returns an exit status (EXIT_OK or a failure, reported).
 */
int
ap_zone_read(struct ap_run *run)
{
	char *apex = NULL;
	int st;

	if ((run->o.current == NULL || run->soa_initial ||
	    ap_count_pending(run, '+') > ap_count_pending(run, '-')) &&
	    (st = ap_zone_limit(run)) != R53_OK)
		return r53_status_exit(st);
	if (run->o.current != NULL)
		return EXIT_OK;
	if (name_to_r53(run->origin, &apex) != NAME_OK) {
		log_msg("%s: bad origin", run->origin);
		return EXIT_BADINPUT;
	}
	st = ap_zone_read_key(run, apex, "SOA", NULL, &run->soa);
	free(apex);
	if (st != R53_OK)
		return r53_status_exit(st);
	return soa_take(run, run->zone_id, EXIT_REMOTE);
}

/* current_fits(run, r): the --current stream's header names this run's
 * hosted zone, origin and serial.  EXIT_OK or EXIT_REFUSED (reported). */
static int
current_fits(const struct ap_run *run, struct strm_reader *r)
{
	const char *id = strm_header(r, "zone-id");
	const char *origin = strm_header(r, "origin");
	const char *serial = strm_header(r, "serial");
	const char *field = NULL;

	if (id == NULL || run->current_zone_id == NULL ||
	    strcmp(id, r53_id_strip(run->current_zone_id)) != 0)
		field = "zone-id";
	else if (origin == NULL || strcmp(origin, run->origin) != 0)
		field = "origin";
	else if (serial == NULL || run->current_serial_text == NULL ||
	    strcmp(serial, run->current_serial_text) != 0)
		field = "serial";
	if (field == NULL)
		return EXIT_OK;
	log_at(strm_name(r), 0, "refused: its %s is not the change stream's "
	    "current-%s: not the stream the changes were computed against",
	    field, field);
	return EXIT_REFUSED;
}

/* current_soa(run, rr): keep the apex SOA line rr as run->soa, in the
 * Route 53 form (its @raw values when present: the text Route 53
 * stores).  0, or -1 (reported). */
static int
current_soa(struct ap_run *run, const struct rrset *rr, const char *file,
    unsigned long line)
{
	struct ap_set *s = ap_set_copy(run, rr, 1);
	char *why = NULL;

	if (s == NULL || (run->soa = calloc(1, sizeof(*run->soa))) == NULL ||
	    ap_set_build(s, run->soa, &why) == -1) {
		log_at(file, line, "apex SOA: %s", why ? why : "out of memory");
		free(why);
		r53_rrset_free(run->soa);
		run->soa = NULL;
		return -1;
	}
	return 0;
}

/*
 * ap_zone_from_current(run): --current FILE, the RRset stream the
 * changes were computed against (r53dump's, or a snapshot of it) at a
 * moment its caller vouches for (mirror.sh has just read the zone's
 * serial and found FILE's): it stands for the hosted zone's apex SOA
 * (no ListResourceRecordSets) and count.  FILE must be whole (trailer)
 * and name the change stream's hosted zone, origin and serial, and hold
 * as many RRsets as the change stream's current-rrsets.  An exit status.
 */
int
ap_zone_from_current(struct ap_run *run)
{
	struct strm_reader *r = strm_open(run->o.current, STRM_RRSET);
	const struct rrset *rr;
	enum strm_status st;
	int rc;

	if (r == NULL)
		return EXIT_BADINPUT;
	if ((rc = current_fits(run, r)) != EXIT_OK)
		goto out;
	rc = EXIT_BADINPUT;
	while ((st = strm_next(r, &rr)) == STRM_OK) {
		if (run->soa != NULL || rr->setid != NULL ||
		    rr->type_len != 3 || memcmp(rr->type, "SOA", 3) != 0 ||
		    rr->owner_len != strlen(run->origin) ||
		    memcmp(rr->owner, run->origin, rr->owner_len) != 0)
			continue;
		if (current_soa(run, rr, strm_name(r), strm_lineno(r)) == -1)
			goto out;
	}
	if (st != STRM_END)
		goto out;
	if (run->current_rrsets >= 0 &&
	    strm_count(r) != (unsigned long)run->current_rrsets) {
		log_at(strm_name(r), 0, "refused: %lu RRsets, the change "
		    "stream's current-rrsets is %ld: not the stream the "
		    "changes were computed against", strm_count(r),
		    run->current_rrsets);
		rc = EXIT_REFUSED;
		goto out;
	}
	rc = soa_take(run, strm_name(r), EXIT_BADINPUT);
out:
	strm_close(r);
	return rc;
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

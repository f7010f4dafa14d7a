/*
 * owner.c: whose hosted zone is this?  r53mirror keeps the answer in
 * Route 53 itself, as the hosted-zone tag AP_MARK_KEY whose value is the
 * origin the zone mirrors, and never infers it from the SOA serial (a
 * source whose serial is 1 leaves an SOA that looks like Route 53's
 * initial one).
 *
 * Read the mark only when it matters, so that it costs at most one
 * request in a run (none when the stream only creates):
 *   - empty zone (Route 53's initial SOA and nothing but the apex SOA and
 *     NS): nothing to protect; the mark is written (not read) before the
 *     first change is sent;
 *   - the stream deletes or updates something: ListTagsForResource, then
 *       marked for this origin     ours: go ahead;
 *       marked for another origin  refused (exit 4), nothing sent;
 *       unmarked, SOA stamped      written by an earlier r53apply that
 *                                  knew no mark: marked, go ahead;
 *       unmarked, initial SOA      somebody else's records: deletes and
 *                                  updates held back (the SOA with them),
 *                                  unless --adopt: marked, go ahead.
 * A dry run reads the mark as the run would (so that its plan is true)
 * and writes nothing; --offline reads nothing and plans as for our zone.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apply.h"
#include "exitcodes.h"
#include "log.h"
#include "r53cli.h"

/* read_mark(run, mark): the mark's value (malloc'd) or NULL when the
 * zone has none.  EXIT_OK or the exit status of a failed request. */
static int
read_mark(struct ap_run *run, char **mark)
{
	struct r53_error err = { 0 };
	struct r53_tag *tags = NULL;
	size_t i, n = 0;
	int st, rc = EXIT_OK;

	*mark = NULL;
	st = r53_list_zone_tags(run->client, run->zone_id, &tags, &n, &err);
	if (st != R53_OK) {
		log_msg("%s: cannot read the ownership mark (tag %s): %s%s; "
		    "nothing sent", run->zone_id, AP_MARK_KEY,
		    err.message ? err.message : r53_strstatus(st),
		    st == R53_AUTH ? " (the identity needs "
		    "route53:ListTagsForResource)" : "");
		rc = r53_status_exit(st);
	}
	for (i = 0; i < n && *mark == NULL; i++)
		if (strcmp(tags[i].key, AP_MARK_KEY) == 0 &&
		    (*mark = strdup(tags[i].value)) == NULL)
			rc = EXIT_BADINPUT;
	r53_tags_free(tags, n);
	r53_error_clear(&err);
	return rc;
}

/* count_replacing(run): pending deletes and updates. */
static size_t
count_replacing(const struct ap_run *run)
{
	size_t i, n = 0;

	for (i = 0; i < run->nchg; i++)
		if (run->chg[i].state == AP_PENDING && run->chg[i].old != NULL)
			n++;
	return n;
}

/* hold_unowned(run): an unmarked zone holding records r53mirror never
 * wrote: delete and replace nothing there without --adopt. */
static void
hold_unowned(struct ap_run *run)
{
	size_t i, n = 0;

	for (i = 0; i < run->nchg; i++) {
		struct ap_change *c = &run->chg[i];
		if (c->state != AP_PENDING || c->old == NULL)
			continue;
		ap_skip(c, AP_HELD, "the hosted zone is not marked as this "
		    "mirror's (tag %s) and holds records: not %s without "
		    "--adopt", AP_MARK_KEY,
		    c->kind == '-' ? "deleted" : "replaced");
		n++;
	}
	log_warn("%s: the hosted zone has no tag %s and holds records "
	    "r53mirror did not write: %zu deletes and updates held back (use "
	    "--adopt to take the zone over)", run->zone_id, AP_MARK_KEY, n);
	ap_safety_hold_conflicting(run);
}

/* judge(run, mark): the rules above for a zone whose mark was read. */
static int
judge(struct ap_run *run, const char *mark)
{
	if (mark != NULL && r53cli_names_equal(mark, run->origin)) {
		log_debug(1, "%s: marked %s=%s: this mirror's zone",
		    run->zone_id, AP_MARK_KEY, mark);
		run->soa_initial = 0;	/* ours, whatever its serial */
		return EXIT_OK;
	}
	if (mark != NULL) {
		log_msg("refused: hosted zone %s carries the tag %s=%s: it "
		    "mirrors %s, not this stream's origin %s (change or remove "
		    "that tag to hand the zone over)", run->zone_id,
		    AP_MARK_KEY, mark, mark, run->origin);
		return EXIT_REFUSED;
	}
	if (!run->soa_initial) {
		log_warn("%s: no tag %s, but its SOA was written by an earlier "
		    "r53apply: marking it as this mirror's", run->zone_id,
		    AP_MARK_KEY);
		run->mark_pending = 1;
	} else if (run->o.adopt) {
		log_debug(1, "%s: no tag %s: --adopt takes the zone over",
		    run->zone_id, AP_MARK_KEY);
		run->mark_pending = 1;
	} else
		hold_unowned(run);
	return EXIT_OK;
}

/*
 * ap_owner_check(run): after ap_zone_read, before the SOA is planned:
 * decide whether this zone is ours (reading the mark when needed; see
 * the top of this file).  EXIT_OK (changes may be held), EXIT_REFUSED or
 * the exit status of a failed read.
 */
int
ap_owner_check(struct ap_run *run)
{
	char *mark = NULL;
	int rc;

	if (run->soa_initial && run->count >= 0 && run->count <= 2) {
		run->mark_pending = 1;	/* empty: only the apex SOA and NS */
		return EXIT_OK;
	}
	if (count_replacing(run) == 0)
		return EXIT_OK;
	if ((rc = read_mark(run, &mark)) == EXIT_OK)
		rc = judge(run, mark);
	free(mark);
	return rc;
}

/*
 * ap_owner_mark(run): before the first change is sent: write the mark
 * when ap_owner_check asked for it and something will be sent.  A dry run
 * only says so.  EXIT_OK, or the exit status of the failed write (then
 * nothing was sent).
 */
int
ap_owner_mark(struct ap_run *run)
{
	struct r53_error err = { 0 };
	int st;

	if (!run->mark_pending || run->nbatches == 0)
		return EXIT_OK;
	if (run->o.dry_run) {
		log_msg("dry run: would tag hosted zone %s %s=%s", run->zone_id,
		    AP_MARK_KEY, run->origin);
		return EXIT_OK;
	}
	st = r53_add_zone_tag(run->client, run->zone_id, AP_MARK_KEY,
	    run->origin, &err);
	if (st != R53_OK) {
		log_msg("%s: cannot mark the zone as this mirror's (tag %s): "
		    "%s%s; nothing sent", run->zone_id, AP_MARK_KEY,
		    err.message ? err.message : r53_strstatus(st),
		    st == R53_AUTH ? " (the identity needs "
		    "route53:ChangeTagsForResource)" : "");
		r53_error_clear(&err);
		return r53_status_exit(st);
	}
	run->marked = 1;
	return EXIT_OK;
}

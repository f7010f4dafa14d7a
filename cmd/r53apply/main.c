/*
 * r53apply: apply a change stream (format/SPEC.md section 5) to a Route 53
 * hosted zone, safely and in the fewest requests.
 *
 * Order of work (nothing is sent before step 7):
 *   1. options; 2. read the WHOLE stream, trailer included (else exit 2);
 *   3. the stream must name this hosted zone and origin (else exit 4);
 *   4. Route 53's rules: unstorable changes are skipped; 5. read the
 *   quota and the apex SOA; ownership (owner.c), serial, quota and
 *   threshold checks (exit 4); 6. plan the batches (--dry-run prints
 *   them and stops); 7. mark the zone when needed, send, bisecting
 *   rejections and resolving ambiguous answers; 8. --wait; 9. summary
 *   line and --report.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apply.h"
#include "clock.h"
#include "exitcodes.h"
#include "log.h"
#include "names.h"
#include "r53cli.h"

enum {
	OPT_DRY_RUN = 0x200, OPT_JSON, OPT_OFFLINE, OPT_FORCE, OPT_ADOPT,
	OPT_WAIT, OPT_WAIT_TIMEOUT, OPT_MAX_DELETE, OPT_MAX_UPDATE,
	OPT_MIN_EXISTING, OPT_REPORT, OPT_COMMENT, OPT_VERSION
};

static const struct option own_opts[] = {
	{ "dry-run", no_argument, NULL, OPT_DRY_RUN },
	{ "json", no_argument, NULL, OPT_JSON },
	{ "offline", no_argument, NULL, OPT_OFFLINE },
	{ "force", no_argument, NULL, OPT_FORCE },
	{ "adopt", no_argument, NULL, OPT_ADOPT },
	{ "wait", no_argument, NULL, OPT_WAIT },
	{ "wait-timeout", required_argument, NULL, OPT_WAIT_TIMEOUT },
	{ "max-delete-pct", required_argument, NULL, OPT_MAX_DELETE },
	{ "max-update-pct", required_argument, NULL, OPT_MAX_UPDATE },
	{ "min-existing", required_argument, NULL, OPT_MIN_EXISTING },
	{ "report", required_argument, NULL, OPT_REPORT },
	{ "comment", required_argument, NULL, OPT_COMMENT },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, OPT_VERSION },
	{ NULL, 0, NULL, 0 }
};

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: r53apply [--endpoint-url URL] (--zone-id ID | --zone NAME\n"
	    "                [--private [--vpc-id VPC] | --public]) [options] "
	    "[FILE|-]\n"
	    "Apply a change stream (from rrdiff) to a Route 53 hosted zone.\n"
	    "  --dry-run            print the planned batches, send nothing\n"
	    "  --json               with --dry-run: the plan as JSON\n"
	    "  --offline            with --dry-run --zone-id: no request at "
	    "all\n"
	    "  --force              override the thresholds and the serial "
	    "check\n"
	    "  --adopt              take over an unmarked zone holding "
	    "records\n"
	    "  --max-delete-pct P   refuse more deletes than P%% of existing "
	    "(30)\n"
	    "  --max-update-pct P   refuse more updates than P%% of existing "
	    "(30)\n"
	    "  --min-existing N     thresholds apply from N RRsets on (10)\n"
	    "  --wait               poll GetChange until INSYNC\n"
	    "  --wait-timeout SECS  bound for --wait (600)\n"
	    "  --report FILE        write a JSON report\n"
	    "  --comment TEXT       ChangeBatch comment\n");
	r53cli_usage(f);
}

static int
parse_num(const char *s, double max, double *out)
{
	char *end = NULL;
	double v;

	v = strtod(s, &end);
	if (end == s || *end != '\0' || !(v >= 0) || v > max)
		return -1;
	*out = v;
	return 0;
}

/* parse_args: options into run->o and *cli; EXIT_OK, or an exit status
 * (with *done set for --help/--version). */
static int
parse_args(int argc, char **argv, struct r53cli *cli, struct ap_opts *o,
    int *done)
{
	double v;
	int c;

	*done = 0;
	o->max_delete_pct = 30;
	o->max_update_pct = 30;
	o->min_existing = 10;
	o->wait_timeout = 600;
	o->input = "-";
	while ((c = r53cli_getopt(cli, argc, argv, "h", own_opts)) != -1) {
		switch (c) {
		case OPT_DRY_RUN: o->dry_run = 1; break;
		case OPT_JSON: o->json = 1; break;
		case OPT_OFFLINE: o->offline = 1; break;
		case OPT_FORCE: o->force = 1; break;
		case OPT_ADOPT: o->adopt = 1; break;
		case OPT_WAIT: o->wait = 1; break;
		case OPT_REPORT: o->report = optarg; break;
		case OPT_COMMENT: o->comment = optarg; break;
		case OPT_WAIT_TIMEOUT:
			if (parse_num(optarg, 86400, &v) == -1 || v < 1)
				goto bad;
			o->wait_timeout = (long)v;
			break;
		case OPT_MAX_DELETE:
		case OPT_MAX_UPDATE:
			if (parse_num(optarg, 100, &v) == -1)
				goto bad;
			if (c == OPT_MAX_DELETE)
				o->max_delete_pct = v;
			else
				o->max_update_pct = v;
			break;
		case OPT_MIN_EXISTING:
			if (parse_num(optarg, 1e9, &v) == -1)
				goto bad;
			o->min_existing = (long)v;
			break;
		case 'h':
			usage(stdout);
			*done = 1;
			return EXIT_OK;
		case OPT_VERSION:
			printf("r53apply %s\n", R53M_VERSION);
			*done = 1;
			return EXIT_OK;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind + 1 < argc) {
		log_msg("at most one input file");
		return EXIT_USAGE;
	}
	if (optind < argc)
		o->input = argv[optind];
	if (r53cli_check(cli) != 0)
		return EXIT_USAGE;
	if (o->offline && (!o->dry_run || cli->zone_id == NULL)) {
		log_msg("--offline needs --dry-run and --zone-id");
		return EXIT_USAGE;
	}
	if (o->json && !o->dry_run) {
		log_msg("--json needs --dry-run (use --report FILE for a "
		    "JSON report of a run)");
		return EXIT_USAGE;
	}
	return EXIT_OK;
bad:
	log_msg("bad value '%s' for --%s", optarg,
	    c == OPT_WAIT_TIMEOUT ? "wait-timeout" : c == OPT_MAX_DELETE ?
	    "max-delete-pct" : c == OPT_MAX_UPDATE ? "max-update-pct" :
	    "min-existing");
	return EXIT_USAGE;
}

/* check_identity: the stream was computed against this hosted zone. */
static int
check_identity(const struct ap_run *run)
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

static size_t
count_kind(const struct ap_run *run, int kind)
{
	size_t i, n = 0;

	for (i = 0; i < run->nchg; i++)
		if (run->chg[i].state == AP_PENDING && run->chg[i].kind == kind)
			n++;
	return n;
}

/* check_thresholds: like octoDNS, refuse more deletes or updates than a
 * share of the existing RRsets once the zone has min_existing of them. */
static int
check_thresholds(const struct ap_run *run)
{
	long existing = run->current_rrsets >= 0 ? run->current_rrsets :
	    run->count;
	size_t del = count_kind(run, '-'), upd = count_kind(run, '<');

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

/* report_skips(run, st): one line per change in state st. */
static void
report_skips(const struct ap_run *run, enum ap_state st)
{
	size_t i;

	for (i = 0; i < run->nchg; i++) {
		const struct ap_change *c = &run->chg[i];
		const struct ap_set *s = c->new != NULL ? c->new : c->old;
		if (c->state != st)
			continue;
		log_msg("%s: line %lu: %s %s%s%s: %s", ap_state_name(st),
		    c->lineno, s->owner, s->type, s->setid ? "/" : "",
		    s->setid ? s->setid : "", c->why ? c->why : "");
	}
}

/* warn_private: private zones do not follow delegations below the apex. */
static void
warn_private(const struct ap_run *run)
{
	size_t i;

	if (!run->zone_private)
		return;
	for (i = 0; i < run->nchg; i++) {
		const struct ap_change *c = &run->chg[i];
		if (c->state != AP_PENDING || c->new == NULL ||
		    strcmp(c->new->type, "NS") != 0 ||
		    strcmp(c->new->owner, run->origin) == 0)
			continue;
		log_warn("%s NS: private hosted zones do not follow "
		    "delegations; mirror the child zone into its own private "
		    "hosted zone", c->new->owner);
	}
}

/* owner_of(c): the owner of a change. */
static const char *
owner_of(const struct ap_change *c)
{
	return c->new != NULL ? c->new->owner : c->old->owner;
}

/*
 * ap_hold_conflicting(run): a CREATE that only works after a held DELETE
 * (ap_conflict: a CNAME replacing an A, say) would only be refused:
 * hold it too.  Changes at one owner are adjacent (stream order).
 */
void
ap_hold_conflicting(struct ap_run *run)
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
				    cd->lineno, cd->old->owner, cd->old->type);
				break;
			}
		}
	}
}

/* plan_soa: refuse a stale stream or a source behind Route 53 (serial);
 * decide whether the SOA must be written and build the UPSERT. */
static int
plan_soa(struct ap_run *run)
{
	char *m = NULL, *r = NULL, *rest = NULL;
	unsigned long serial;
	char buf[2048];
	int rc = EXIT_BADINPUT;

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
	if (run->soa_serial == run->desired_serial && !run->soa_initial)
		return EXIT_OK;
	if (ap_soa_parse(run->soa->values[0], &m, &r, &serial, &rest) == -1)
		goto out;
	snprintf(buf, sizeof(buf), "%s %s %lu %s", m, r, run->desired_serial,
	    rest);
	memset(&run->soa_new, 0, sizeof(run->soa_new));
	run->soa_new.name = strdup(run->soa->name);
	run->soa_new.type = strdup("SOA");
	run->soa_new.ttl = run->soa->ttl;
	run->soa_new.values = calloc(1, sizeof(char *));
	if (run->soa_new.name == NULL || run->soa_new.type == NULL ||
	    run->soa_new.values == NULL)
		goto out;
	if ((run->soa_new.values[0] = strdup(buf)) == NULL)
		goto out;
	run->soa_new.nvalues = 1;
	run->want_soa = 1;
	rc = EXIT_OK;
out:
	free(m);
	free(r);
	free(rest);
	return rc;
}

/* check_quota: the zone must stay within its RRset quota. */
static int
check_quota(const struct ap_run *run)
{
	long after;

	if (run->limit < 0 || run->count < 0)
		return EXIT_OK;
	after = run->count + (long)count_kind(run, '+') -
	    (long)count_kind(run, '-');
	if (after > run->limit) {
		log_msg("refused: the hosted zone would hold %ld RRsets, over "
		    "its quota of %ld (GetHostedZoneLimit)", after,
		    run->limit);
		return EXIT_REFUSED;
	}
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

static int
connect_zone(struct ap_run *run, const struct r53cli *cli)
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

static int
final_status(const struct ap_run *run)
{
	size_t i, applied = 0, other = 0;

	/* AP_ALREADY: done before this run, neither applied nor left */
	for (i = 0; i < run->nchg; i++) {
		if (run->chg[i].state == AP_APPLIED)
			applied++;
		else if (run->chg[i].state != AP_ALREADY)
			other++;
	}
	if (run->stopped) {
		if (applied > 0 || run->soa_written)
			return EXIT_PARTIAL;
		return r53_status_exit(run->fail_status ? run->fail_status :
		    R53_FAILED);
	}
	return other > 0 ? EXIT_DIFF : EXIT_OK;
}

/* run_all: steps 3-8; returns the exit status. */
static int
run_all(struct ap_run *run, const struct r53cli *cli)
{
	int rc;

	/* A zone id given on the command line is checked before any
	 * request. */
	if (cli->zone_id != NULL) {
		run->zone_id = strdup(r53_id_strip(cli->zone_id));
		if (run->zone_id == NULL)
			return EXIT_BADINPUT;
		if ((rc = check_identity(run)) != EXIT_OK)
			return rc;
		free(run->zone_id);
		run->zone_id = NULL;
	} else if (run->desired_zone_id != NULL ||
	    run->current_zone_id == NULL) {
		run->zone_id = strdup("?");
		return check_identity(run);
	}
	if ((rc = connect_zone(run, cli)) != EXIT_OK)
		return rc;
	if ((rc = check_identity(run)) != EXIT_OK)
		return rc;
	ap_check(run);
	if (!run->o.dry_run)
		report_skips(run, AP_SKIPPED);
	warn_private(run);
	if ((rc = ap_check_counts(run)) != EXIT_OK ||
	    (rc = check_thresholds(run)) != EXIT_OK)
		return rc;
	if (!run->o.offline) {
		if ((rc = ap_read_zone(run)) != EXIT_OK)
			return rc;
		if ((rc = ap_owner_check(run)) != EXIT_OK)
			return rc;
		if (!run->o.dry_run && log_verbose > 0)
			report_skips(run, AP_HELD);
		if ((rc = plan_soa(run)) != EXIT_OK ||
		    (rc = check_quota(run)) != EXIT_OK)
			return rc;
	}
	if (ap_plan(run) == -1) {
		log_msg("out of memory");
		return EXIT_BADINPUT;
	}
	if (run->o.dry_run) {
		ap_owner_mark(run);	/* says what it would do */
		if (run->o.json)
			return ap_print_plan_json(run, stdout) == 0 ?
			    EXIT_OK : EXIT_BADINPUT;
		ap_print_plan_text(run, stdout);
		return EXIT_OK;
	}
	log_debug(1, "%zu requests planned (lower bound %zu)",
	    run->nbatches, run->lower_bound);
	if ((rc = ap_owner_mark(run)) != EXIT_OK)
		return rc;
	ap_send(run);
	rc = final_status(run);
	if (run->o.wait && !run->stopped && ap_wait(run) == -1 &&
	    rc == EXIT_OK)
		rc = EXIT_REMOTE;
	return rc;
}

int
main(int argc, char *argv[])
{
	struct ap_run run;
	struct r53cli cli;
	double t0 = clock_now();
	int rc, done = 0;

	log_init(argv[0]);
	memset(&run, 0, sizeof(run));
	r53cli_init(&cli);
	rc = parse_args(argc, argv, &cli, &run.o, &done);
	if (rc != EXIT_OK || done)
		return rc;
	run.limit = run.count = -1;
	run.current_rrsets = -1;
	run.zone_rrsets = -1;
	if (ap_read_stream(&run, run.o.input) == -1) {
		log_msg("nothing sent");
		ap_run_free(&run);
		return EXIT_BADINPUT;
	}
	rc = run_all(&run, &cli);
	run.seconds = clock_now() - t0;
	run.exit_status = rc;
	if (!run.o.dry_run) {
		if (rc == EXIT_REFUSED || rc == EXIT_BADINPUT)
			log_msg("nothing sent");
		ap_summary(&run);
	}
	/* the report also for a dry run: what was read, what was planned */
	if (run.o.report != NULL && ap_write_report(&run, run.o.report) == -1 &&
	    rc == EXIT_OK)
		rc = EXIT_BADINPUT;
	ap_run_free(&run);
	return rc;
}

/*
 * r53apply: apply a change stream (format/SPEC.md section 5) to a Route 53
 * hosted zone, safely and in the fewest requests.
 *
 * Order of work (nothing is sent before step 7):
 *   1. options; 2. read the WHOLE stream, trailer included (else exit 2);
 *   3. the stream must name this hosted zone and origin (else exit 4);
 *   4. Route 53's rules: unstorable changes are skipped (check.c);
 *   5. read the quota and the apex SOA (zone.c; --current: the SOA from
 *   that stream, the quota only when it can matter); ownership (owner.c),
 *   serial, quota and threshold checks (safety.c, exit 4); 6. plan the
 *   batches (plan.c; --dry-run prints the plan and stops); 7. mark the zone
 *   when needed, send, bisecting rejections and resolving ambiguous
 *   answers (send.c); 8. --wait; 9. summary line and --report.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apply.h"
#include "clock.h"
#include "exitcodes.h"
#include "log.h"
#include "r53cli.h"
#include "stats.h"

enum {
	OPT_DRY_RUN = 0x200, OPT_JSON, OPT_OFFLINE, OPT_FORCE, OPT_ADOPT,
	OPT_WAIT, OPT_WAIT_TIMEOUT, OPT_MAX_DELETE, OPT_MAX_UPDATE,
	OPT_MIN_EXISTING, OPT_REPORT, OPT_COMMENT, OPT_VERSION, OPT_STATS,
	OPT_PROGRESS, OPT_CURRENT
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
	{ "stats", required_argument, NULL, OPT_STATS },
	{ "progress", no_argument, NULL, OPT_PROGRESS },
	{ "comment", required_argument, NULL, OPT_COMMENT },
	{ "current", required_argument, NULL, OPT_CURRENT },
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
	    "  --dry-run            print the plan, one line a change (-v: the\n"
	    "                       batches), send nothing\n"
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
	    "  --stats FILE         counts of this run, key=value lines (SPEC "
	    "section 8)\n"
	    "  --comment TEXT       ChangeBatch comment\n"
	    "  --current FILE       with --zone-id: the stream the changes were\n"
	    "                       computed against, known to hold the zone's\n"
	    "                       serial now: its apex SOA is not read again\n"
	    "  --progress           one updating line on stderr (default when "
	    "it is a terminal)\n");
	r53cli_usage(f);
	fprintf(f,
	    "  -h, --help           this text\n"
	    "  -V, --version        print the version\n"
	    "Exit: 0 applied (or nothing to do), 1 applied with changes skipped or\n"
	    "      rejected, 2 bad input (nothing sent), 3 usage, 4 refused by a\n"
	    "      safety check (nothing sent), 5 Route 53 failed (nothing applied)\n"
	    "      or --wait timed out, 6 credentials missing or refused, 7 stopped\n"
	    "      after some batches (see the report).\n");
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
    const char **stats, int *done)
{
	double v;
	int c;

	*done = 0;
	o->max_delete_pct = 30;
	o->max_update_pct = 30;
	o->min_existing = 10;
	o->wait_timeout = 600;
	o->input = "-";
	while ((c = r53cli_getopt(cli, argc, argv, "hV", own_opts)) != -1) {
		switch (c) {
		case OPT_DRY_RUN: o->dry_run = 1; break;
		case OPT_JSON: o->json = 1; break;
		case OPT_OFFLINE: o->offline = 1; break;
		case OPT_FORCE: o->force = 1; break;
		case OPT_ADOPT: o->adopt = 1; break;
		case OPT_WAIT: o->wait = 1; break;
		case OPT_REPORT: o->report = optarg; break;
		case OPT_STATS: *stats = optarg; break;
		case OPT_PROGRESS: o->progress = 1; break;
		case OPT_COMMENT: o->comment = optarg; break;
		case OPT_CURRENT: o->current = optarg; break;
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
		case 'V':
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
	if (o->current != NULL && (cli->zone_id == NULL || o->offline)) {
		log_msg("--current needs --zone-id (and no --offline)");
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
		if ((rc = ap_safety_identity(run)) != EXIT_OK)
			return rc;
		free(run->zone_id);
		run->zone_id = NULL;
	} else if (run->desired_zone_id != NULL ||
	    run->current_zone_id == NULL) {
		run->zone_id = strdup("?");
		return ap_safety_identity(run);
	}
	if (run->o.current != NULL &&
	    (rc = ap_zone_from_current(run)) != EXIT_OK)
		return rc;
	if ((rc = ap_zone_connect(run, cli)) != EXIT_OK)
		return rc;
	if ((rc = ap_safety_identity(run)) != EXIT_OK)
		return rc;
	ap_check(run);
	if (!run->o.dry_run)
		ap_report_skips(run, AP_SKIPPED);
	ap_safety_private(run);
	if ((rc = ap_check_counts(run)) != EXIT_OK ||
	    (rc = ap_safety_thresholds(run)) != EXIT_OK)
		return rc;
	if (!run->o.offline) {
		if ((rc = ap_zone_read(run)) != EXIT_OK)
			return rc;
		if ((rc = ap_owner_check(run)) != EXIT_OK)
			return rc;
		if (!run->o.dry_run && log_verbose > 0)
			ap_report_skips(run, AP_HELD);
		if ((rc = ap_safety_serial(run)) != EXIT_OK)
			return rc;
		if (ap_soa_plan(run) == -1)
			return EXIT_BADINPUT;
		if ((rc = ap_safety_quota(run)) != EXIT_OK)
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
	if (run->o.wait && !run->stopped && ap_zone_wait(run) == -1 &&
	    rc == EXIT_OK)
		rc = EXIT_REMOTE;
	return rc;
}

/* put_stats(st, run): the run's counts for --stats (SPEC section 8). */
static void
put_stats(struct stats *st, const struct ap_run *run)
{
	struct r53_stats rs;
	unsigned long long kind[3] = { 0, 0, 0 }, already = 0;
	size_t i;

	for (i = 0; i < run->nchg; i++) {
		if (run->chg[i].state == AP_ALREADY)
			already++;
		else if (run->chg[i].state == AP_APPLIED)
			kind[run->chg[i].kind == '+' ? 0 :
			    run->chg[i].kind == '<' ? 1 : 2]++;
	}
	/* No client: nothing sent (--offline, refused before connecting)
	 * or r53cli_connect failed and took its counts with it. */
	if (run->client != NULL) {
		r53_client_stats(run->client, &rs);
		stats_set(st, "requests", rs.requests);
		stats_set(st, "retries", rs.retries);
		stats_set(st, "throttles", rs.throttled);
	}
	stats_set(st, "changes", run->nchg);
	stats_set(st, "batches", run->nbatches);
	stats_set(st, "change_requests", run->requests);
	stats_set(st, "created", kind[0]);
	stats_set(st, "updated", kind[1]);
	stats_set(st, "deleted", kind[2]);
	stats_set(st, "already_applied", already);
	if (run->soa != NULL)
		stats_set(st, "serial_before", run->soa_serial);
	if (run->soa_written)
		stats_set(st, "serial_written", run->desired_serial);
	/* The fact safety.c refuses on (without --force), for callers
	 * that report why: soa.c's RFC 1982 test, and Route 53's own
	 * initial SOA never counts as ahead. */
	if (run->soa != NULL && run->has_desired_serial)
		stats_set(st, "serial_ahead", !run->soa_initial &&
		    ap_serial_ahead(run->soa_serial, run->desired_serial));
}

int
main(int argc, char *argv[])
{
	struct ap_run run;
	struct r53cli cli;
	double t0 = clock_now();
	const char *stats = NULL;
	struct stats st;
	int rc, done = 0;

	log_init(argv[0]);
	stats_init(&st, "r53apply");
	memset(&run, 0, sizeof(run));
	r53cli_init(&cli);
	rc = parse_args(argc, argv, &cli, &run.o, &stats, &done);
	if (rc != EXIT_OK || done)
		return rc;
	run.limit = run.count = -1;
	run.current_rrsets = -1;
	run.zone_rrsets = -1;
	if (ap_read_stream(&run, run.o.input) == -1) {
		log_msg("nothing sent");
		rc = EXIT_BADINPUT;
		goto out;
	}
	if (run.o.current != NULL) {
		/* the stream names the zone: no lookup request */
		if (cli.zone_name == NULL)
			cli.zone_name = run.origin;
		cli.trust_pair = 1;
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
out:
	if (stats != NULL) {
		put_stats(&st, &run);
		if (stats_write(&st, stats, rc) == -1 && rc == EXIT_OK)
			rc = EXIT_BADINPUT;
	}
	ap_run_free(&run);
	return rc;
}

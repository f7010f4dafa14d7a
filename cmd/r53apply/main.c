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
	OPT_MIN_EXISTING, OPT_REPORT, OPT_COMMENT, OPT_STATS, OPT_PROGRESS,
	OPT_CURRENT
};

/*
 * One of r53apply's own options, for getopt and for the usage text alike
 * (git style): the usage lists the options from these tables, so the two
 * cannot disagree.  Their order is the usage's; getopt only reads it to
 * list the candidates of an ambiguous abbreviation.
 */
struct apply_opt {
	int val;		/* what getopt returns: an OPT_* value, or the
				 * short option letter ("-h, --help") */
	const char *name;	/* the long option */
	const char *arg;	/* the value's name in the usage; NULL: none */
	const char *help;	/* its usage lines, '\n' between them */
};

/* The work options, listed before the common ones (r53cli_usage). */
static const struct apply_opt work_opts[] = {
	{ OPT_DRY_RUN, "dry-run", NULL, "print the plan, one line a change "
	    "(-v: the\nbatches), send nothing" },
	{ OPT_JSON, "json", NULL, "with --dry-run: the plan as JSON" },
	{ OPT_OFFLINE, "offline", NULL,
	    "with --dry-run --zone-id: no request at all" },
	{ OPT_FORCE, "force", NULL,
	    "override the thresholds and the serial check" },
	{ OPT_ADOPT, "adopt", NULL,
	    "take over an unmarked zone holding records" },
	{ OPT_MAX_DELETE, "max-delete-pct", "P",
	    "refuse more deletes than P% of existing (30)" },
	{ OPT_MAX_UPDATE, "max-update-pct", "P",
	    "refuse more updates than P% of existing (30)" },
	{ OPT_MIN_EXISTING, "min-existing", "N",
	    "thresholds apply from N RRsets on (10)" },
	{ OPT_WAIT, "wait", NULL, "poll GetChange until INSYNC" },
	{ OPT_WAIT_TIMEOUT, "wait-timeout", "SECS", "bound for --wait (600)" },
	{ OPT_REPORT, "report", "FILE", "write a JSON report" },
	{ OPT_STATS, "stats", "FILE",
	    "counts of this run, key=value lines (SPEC section 8)" },
	{ OPT_COMMENT, "comment", "TEXT", "ChangeBatch comment" },
	{ OPT_CURRENT, "current", "FILE", "with --zone-id: the stream the "
	    "changes were\ncomputed against, known to hold the zone's\n"
	    "serial now: its apex SOA is not read again" },
	{ OPT_PROGRESS, "progress", NULL,
	    "one updating line on stderr (default when it is a terminal)" },
};

/* The options about r53apply itself, listed after the common ones. */
static const struct apply_opt info_opts[] = {
	{ 'h', "help", NULL, "this text" },
	{ 'V', "version", NULL, "print the version" },
};

#define NWORK_OPTS (sizeof(work_opts) / sizeof(work_opts[0]))
#define NINFO_OPTS (sizeof(info_opts) / sizeof(info_opts[0]))

/* opt_spec(o, buf, len): how the usage shows option O: "--NAME ARG", or
 * "-X, --NAME" for one with a short form too. */
static void
opt_spec(const struct apply_opt *o, char *buf, size_t len)
{
	int n = 0;

	if (o->val < 0x80)
		n = snprintf(buf, len, "-%c, ", o->val);
	snprintf(buf + n, len - (size_t)n, "--%s%s%s", o->name,
	    o->arg != NULL ? " " : "", o->arg != NULL ? o->arg : "");
}

/* usage_opts(f, opts, n): the usage lines of n options: the option in a
 * column of 21, then its help, whose further lines line up with it. */
static void
usage_opts(FILE *f, const struct apply_opt *opts, size_t n)
{
	char spec[40];
	const char *help, *nl;
	size_t i;

	for (i = 0; i < n; i++) {
		opt_spec(&opts[i], spec, sizeof(spec));
		for (help = opts[i].help; (nl = strchr(help, '\n')) != NULL;
		    help = nl + 1) {
			fprintf(f, "  %-21s%.*s\n", spec, (int)(nl - help),
			    help);
			spec[0] = '\0';
		}
		fprintf(f, "  %-21s%s\n", spec, help);
	}
}

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: r53apply [--endpoint-url URL] (--zone-id ID | --zone NAME\n"
	    "                [--private [--vpc-id VPC] | --public]) [options] "
	    "[FILE|-]\n"
	    "Apply a change stream (from rrdiff) to a Route 53 hosted zone.\n");
	usage_opts(f, work_opts, NWORK_OPTS);
	r53cli_usage(f);
	usage_opts(f, info_opts, NINFO_OPTS);
	fprintf(f,
	    "Exit: 0 applied (or nothing to do), 1 applied with changes skipped or\n"
	    "      rejected, 2 bad input (nothing sent), 3 usage, 4 refused by a\n"
	    "      safety check (nothing sent), 5 Route 53 failed (nothing applied)\n"
	    "      or --wait timed out, 6 credentials missing or refused, 7 stopped\n"
	    "      after some batches (see the report).\n");
}

/* getopt_table(t): both tables as getopt_long's, ended by a zero entry. */
static void
getopt_table(struct option t[NWORK_OPTS + NINFO_OPTS + 1])
{
	const struct apply_opt *o;
	size_t i;

	for (i = 0; i < NWORK_OPTS + NINFO_OPTS; i++) {
		o = i < NWORK_OPTS ? &work_opts[i] : &info_opts[i - NWORK_OPTS];
		t[i].name = o->name;
		t[i].has_arg = o->arg != NULL ? required_argument : no_argument;
		t[i].flag = NULL;
		t[i].val = o->val;
	}
	memset(&t[i], 0, sizeof(t[i]));
}

/* long_name(val): the long option getopt returns VAL for. */
static const char *
long_name(int val)
{
	size_t i;

	for (i = 0; i < NWORK_OPTS; i++)
		if (work_opts[i].val == val)
			return work_opts[i].name;
	return "?";
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

/* take_num(c, arg, min, max, v): the number option C was given, in
 * [min, max]; -1 after saying it is not. */
static int
take_num(int c, const char *arg, double min, double max, double *v)
{
	if (parse_num(arg, max, v) == 0 && *v >= min)
		return 0;
	log_msg("bad value '%s' for --%s", arg, long_name(c));
	return -1;
}

/* take_opt(c, arg, o, stats): one work option into *o (or *stats);
 * 0, -1 after a bad value was reported, or 1: not a work option. */
static int
take_opt(int c, const char *arg, struct ap_opts *o, const char **stats)
{
	double v;

	switch (c) {
	case OPT_DRY_RUN: o->dry_run = 1; return 0;
	case OPT_JSON: o->json = 1; return 0;
	case OPT_OFFLINE: o->offline = 1; return 0;
	case OPT_FORCE: o->force = 1; return 0;
	case OPT_ADOPT: o->adopt = 1; return 0;
	case OPT_WAIT: o->wait = 1; return 0;
	case OPT_REPORT: o->report = arg; return 0;
	case OPT_STATS: *stats = arg; return 0;
	case OPT_PROGRESS: o->progress = 1; return 0;
	case OPT_COMMENT: o->comment = arg; return 0;
	case OPT_CURRENT: o->current = arg; return 0;
	case OPT_WAIT_TIMEOUT:
		if (take_num(c, arg, 1, 86400, &v) == -1)
			return -1;
		o->wait_timeout = (long)v;
		return 0;
	case OPT_MAX_DELETE:
		return take_num(c, arg, 0, 100, &o->max_delete_pct);
	case OPT_MAX_UPDATE:
		return take_num(c, arg, 0, 100, &o->max_update_pct);
	case OPT_MIN_EXISTING:
		if (take_num(c, arg, 0, 1e9, &v) == -1)
			return -1;
		o->min_existing = (long)v;
		return 0;
	default:
		return 1;
	}
}

/* check_args(cli, o): the combination rules; EXIT_OK or EXIT_USAGE
 * (said why). */
static int
check_args(const struct r53cli *cli, const struct ap_opts *o)
{
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
}

/* info_or_usage(c, done): an option that is not a work option: --help
 * or --version (*done set, EXIT_OK), else a usage error. */
static int
info_or_usage(int c, int *done)
{
	switch (c) {
	case 'h':
		usage(stdout);
		break;
	case 'V':
		printf("r53apply %s\n", R53M_VERSION);
		break;
	default:
		usage(stderr);
		return EXIT_USAGE;
	}
	*done = 1;
	return EXIT_OK;
}

/* parse_args: options into run->o and *cli; EXIT_OK, or an exit status
 * (with *done set for --help/--version). */
static int
parse_args(int argc, char **argv, struct r53cli *cli, struct ap_opts *o,
    const char **stats, int *done)
{
	struct option longopts[NWORK_OPTS + NINFO_OPTS + 1];
	int c, rc;

	*done = 0;
	o->max_delete_pct = 30;
	o->max_update_pct = 30;
	o->min_existing = 10;
	o->wait_timeout = 600;
	o->input = "-";
	getopt_table(longopts);
	while ((c = r53cli_getopt(cli, argc, argv, "hV", longopts)) != -1) {
		rc = take_opt(c, optarg, o, stats);
		if (rc == -1)
			return EXIT_USAGE;
		if (rc == 1)
			return info_or_usage(c, done);
	}
	if (optind + 1 < argc) {
		log_msg("at most one input file");
		return EXIT_USAGE;
	}
	if (optind < argc)
		o->input = argv[optind];
	return check_args(cli, o);
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

/*
 * r53cli.h: the command-line pieces r53dump and r53apply share: the
 * Route 53 connection and zone-selection options, their checks, and
 * turning them into a client plus one resolved hosted zone.
 *
 * Common options (long options also accept --opt=VALUE):
 *   --endpoint-url URL   Route 53 endpoint (else AWS_ENDPOINT_URL_ROUTE_53,
 *                        AWS_ENDPOINT_URL, the partition of --region)
 *   --zone-id ID         the hosted zone by id (Z..., or /hostedzone/Z...)
 *   --zone NAME          the hosted zone by name (trailing dot optional)
 *   --public             with --zone: only public zones
 *   --private            with --zone: only private zones
 *   --vpc-id VPC         with --zone: a private zone associated with VPC
 *                        (implies --private)
 *   --region REGION      signing region / partition (else AWS_REGION, ...)
 *   --profile NAME       credentials profile (else AWS_PROFILE, default)
 *   --ca-bundle FILE     CA certificates for TLS (else AWS_CA_BUNDLE)
 *   --timeout SECONDS    per-attempt HTTP timeout (decimal, > 0)
 *   -v, --verbose        more messages on stderr (repeatable; log_verbose)
 * At least one of --zone-id and --zone is required; both together name
 * the zone with that id, checked to have that name (or trusted, see
 * trust_pair).
 *
 * Usage in a program (getopt_long underneath; the program's own options
 * are merged with the common ones, and only the program's come back):
 *
 *	static const struct option own[] = {
 *		{ "output", required_argument, NULL, 'o' },
 *		{ NULL, 0, NULL, 0 }
 *	};
 *	struct r53cli cli;
 *	r53cli_init(&cli);
 *	while ((c = r53cli_getopt(&cli, argc, argv, "o:h", own)) != -1)
 *		switch (c) {
 *		case 'o': out = optarg; break;
 *		case 'h': usage(stdout); return EXIT_OK;
 *		default: usage(stderr); return EXIT_USAGE;  (incl. '?')
 *		}
 *	if (r53cli_check(&cli) != 0) return EXIT_USAGE;
 *	rc = r53cli_connect(&cli, &client, &zone);  (EXIT_OK or a status)
 *	...
 *	r53_zone_clear(&zone); r53_client_free(client);
 *
 * Messages go through log.h and name the zone (r53cli_zone_label) and the
 * cause; no message ever contains a credential.
 */
#ifndef R53M_R53CLI_H
#define R53M_R53CLI_H

#include <getopt.h>
#include <stdio.h>

#include "r53api.h"

/* Room for the program's own long options in the merged table. */
#define R53CLI_MAX_OWN_OPTS 32

/* Long-option values used internally; programs must not use 0x1000-0x10ff
 * as their own option values. */
#define R53CLI_OPT_BASE 0x1000

/*
 * Parsed common options.  Every string points into argv (borrowed, never
 * freed).  Zero values mean "not given".
 */
struct r53cli {
	const char *endpoint_url;
	const char *zone_id;
	const char *zone_name;
	enum r53_visibility visibility;	/* from --public / --private /
					 * --vpc-id; R53_VIS_ANY if none */
	const char *vpc_id;
	const char *region;
	const char *profile;
	const char *ca_bundle;
	long timeout_ms;		/* --timeout, 0 when not given */
	int verbose;			/* count of -v (also log_verbose) */
	int saw_public, saw_private;	/* for r53cli_check */
	int trust_pair;			/* set by the program: with both
					 * --zone-id and --zone, take the pair
					 * as given, with no lookup request
					 * (r53dump --serial: one request) */
	/* getopt state: the merged tables (internal) */
	struct option longopts_[R53CLI_MAX_OWN_OPTS + 16];
	char shortopts_[128];
	int merged_;
};

/* r53cli_init(cli): zero everything.  Call once before r53cli_getopt. */
void r53cli_init(struct r53cli *cli);

/*
 * r53cli_getopt(cli, argc, argv, shortopts, longopts): like getopt_long
 * with the common options merged in.  Common options are consumed here
 * (a malformed value, e.g. --timeout abc, is reported and returned as
 * '?'); every other option is returned to the caller with optarg set, as
 * getopt_long would.  shortopts are the program's own (must not contain
 * 'v'); longopts may be NULL and are terminated by a zero entry, at most
 * R53CLI_MAX_OWN_OPTS of them.  Returns -1 at the end of options, then
 * optind indexes the first operand.
 */
int r53cli_getopt(struct r53cli *cli, int argc, char *const argv[],
    const char *shortopts, const struct option *longopts);

/*
 * r53cli_check(cli): the combination rules: at least one of --zone-id
 * and --zone, neither empty; --public, --private and --vpc-id only with
 * --zone alone; --public not with --private or --vpc-id.  Returns 0, or
 * -1 after a log_msg naming the problem (the caller exits with
 * EXIT_USAGE).
 */
int r53cli_check(const struct r53cli *cli);

/*
 * r53cli_usage(fp): the lines describing the common options, for the
 * program's usage text (each line starts with two spaces).
 */
void r53cli_usage(FILE *fp);

/*
 * r53cli_client_opts(cli, opts): fill *opts (zeroed first) from the
 * parsed options, for callers that create the client themselves.
 */
void r53cli_client_opts(const struct r53cli *cli, struct r53_opts *opts);

/*
 * r53cli_connect(cli, client, zone): r53_client_new, then
 * r53_zone_resolve with the selection.  On success returns EXIT_OK with
 * *client (caller frees with r53_client_free) and *zone (caller clears
 * with r53_zone_clear) set.  On failure reports "cannot use hosted zone
 * LABEL: CAUSE" (or the list of candidates for an ambiguous name), leaves
 * *client NULL and *zone zeroed, and returns the exit status to use:
 * EXIT_USAGE (bad endpoint, ambiguous selection), EXIT_VERIFY
 * (credentials refused or missing), EXIT_REMOTE (not found, unreachable,
 * Route 53 error).
 */
int r53cli_connect(const struct r53cli *cli, struct r53_client **client,
    struct r53_zone *zone);

/*
 * r53cli_zone_label(cli, buf, len): how the selection is named in
 * messages: "Z123", or "example.com. (private, vpc vpc-1)" / "example.com.
 * (public)" / "example.com.".  Returns buf (always NUL-terminated).
 */
const char *r53cli_zone_label(const struct r53cli *cli, char *buf,
    size_t len);

/*
 * r53cli_zone_origin(zone): the hosted zone's name in canonical form
 * (format/SPEC.md section 3: lower case, decimal escapes), decoded from
 * Route 53's octal form.  Returns a malloc'd string (caller frees), or
 * NULL after reporting an undecodable name.
 */
char *r53cli_zone_origin(const struct r53_zone *zone);

/* r53cli_names_equal(a, b): two names of one zone are equal, ignoring
 * case and a final dot. */
int r53cli_names_equal(const char *a, const char *b);

/*
 * r53cli_endpoint_host(url): the authority part of an endpoint URL
 * ("127.0.0.1:8053", "route53.amazonaws.com"), without user info, for
 * "#source route53 HOST".  Returns a malloc'd string (caller frees), or
 * NULL when url has no host.
 */
char *r53cli_endpoint_host(const char *url);

#endif

/*
 * r53cli.c: the command-line options r53dump and r53apply share, and
 * turning them into a Route 53 client plus one resolved hosted zone.
 * See r53cli.h.
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exitcodes.h"
#include "log.h"
#include "names.h"
#include "r53api.h"
#include "r53cli.h"

enum {
	OPT_ENDPOINT = R53CLI_OPT_BASE + 1,
	OPT_ZONE_ID,
	OPT_ZONE,
	OPT_PUBLIC,
	OPT_PRIVATE,
	OPT_VPC_ID,
	OPT_REGION,
	OPT_PROFILE,
	OPT_CA_BUNDLE,
	OPT_TIMEOUT
};

static const struct option r53cli_common[] = {
	{ "endpoint-url", required_argument, NULL, OPT_ENDPOINT },
	{ "zone-id", required_argument, NULL, OPT_ZONE_ID },
	{ "zone", required_argument, NULL, OPT_ZONE },
	{ "public", no_argument, NULL, OPT_PUBLIC },
	{ "private", no_argument, NULL, OPT_PRIVATE },
	{ "vpc-id", required_argument, NULL, OPT_VPC_ID },
	{ "region", required_argument, NULL, OPT_REGION },
	{ "profile", required_argument, NULL, OPT_PROFILE },
	{ "ca-bundle", required_argument, NULL, OPT_CA_BUNDLE },
	{ "timeout", required_argument, NULL, OPT_TIMEOUT },
	{ "verbose", no_argument, NULL, 'v' },
	{ NULL, 0, NULL, 0 }
};

#define R53CLI_NCOMMON (sizeof(r53cli_common) / sizeof(r53cli_common[0]) - 1)

void
r53cli_init(struct r53cli *cli)
{
	memset(cli, 0, sizeof(*cli));
	cli->visibility = R53_VIS_ANY;
}

/* Build the merged option tables once; -1 (reported) if they do not fit. */
static int
r53cli_merge(struct r53cli *cli, const char *shortopts,
    const struct option *longopts)
{
	size_t n = 0, i, slen;

	slen = shortopts != NULL ? strlen(shortopts) : 0;
	if (slen + 2 > sizeof(cli->shortopts_)) {
		log_msg("internal error: too many short options");
		return -1;
	}
	/* getopt's leading ':' or '+' must stay first: keep the program's
	 * string as is and append ours. */
	if (slen > 0)
		memcpy(cli->shortopts_, shortopts, slen);
	memcpy(cli->shortopts_ + slen, "v", 2);

	for (i = 0; i < R53CLI_NCOMMON; i++)
		cli->longopts_[n++] = r53cli_common[i];
	for (i = 0; longopts != NULL && longopts[i].name != NULL; i++) {
		if (i >= R53CLI_MAX_OWN_OPTS) {
			log_msg("internal error: too many long options");
			return -1;
		}
		cli->longopts_[n++] = longopts[i];
	}
	memset(&cli->longopts_[n], 0, sizeof(cli->longopts_[n]));
	cli->merged_ = 1;
	return 0;
}

/* Parse --timeout SECONDS (decimal, 0 < s <= 86400) into milliseconds. */
static int
r53cli_parse_timeout(const char *arg, long *ms)
{
	char *end = NULL;
	double secs;

	errno = 0;
	secs = strtod(arg, &end);
	if (errno != 0 || end == arg || *end != '\0' || !isfinite(secs) ||
	    secs <= 0 || secs > 86400) {
		log_msg("--timeout: expected seconds between 0 and 86400, "
		    "not '%s'", arg);
		return -1;
	}
	*ms = (long)(secs * 1000.0 + 0.5);
	if (*ms < 1)
		*ms = 1;
	return 0;
}

/* Handle one common option; 0 if consumed, -1 on a bad value. */
static int
r53cli_take(struct r53cli *cli, int c, const char *arg)
{
	switch (c) {
	case OPT_ENDPOINT:
		cli->endpoint_url = arg;
		return 0;
	case OPT_ZONE_ID:
		cli->zone_id = arg;
		return 0;
	case OPT_ZONE:
		cli->zone_name = arg;
		return 0;
	case OPT_PUBLIC:
		cli->saw_public = 1;
		cli->visibility = R53_VIS_PUBLIC;
		return 0;
	case OPT_PRIVATE:
		cli->saw_private = 1;
		cli->visibility = R53_VIS_PRIVATE;
		return 0;
	case OPT_VPC_ID:
		cli->vpc_id = arg;
		cli->visibility = R53_VIS_PRIVATE;
		return 0;
	case OPT_REGION:
		cli->region = arg;
		return 0;
	case OPT_PROFILE:
		cli->profile = arg;
		return 0;
	case OPT_CA_BUNDLE:
		cli->ca_bundle = arg;
		return 0;
	case OPT_TIMEOUT:
		return r53cli_parse_timeout(arg, &cli->timeout_ms);
	case 'v':
		cli->verbose++;
		log_verbose = cli->verbose;
		return 0;
	default:
		return 1;
	}
}

int
r53cli_getopt(struct r53cli *cli, int argc, char *const argv[],
    const char *shortopts, const struct option *longopts)
{
	int c, rc;

	if (!cli->merged_ && r53cli_merge(cli, shortopts, longopts) == -1)
		return '?';
	for (;;) {
		c = getopt_long(argc, argv, cli->shortopts_, cli->longopts_,
		    NULL);
		if (c == -1)
			return -1;
		rc = r53cli_take(cli, c, optarg);
		if (rc == 1)
			return c;
		if (rc == -1)
			return '?';
	}
}

int
r53cli_check(const struct r53cli *cli)
{
	if (cli->zone_id == NULL && cli->zone_name == NULL) {
		log_msg("one of --zone-id ID and --zone NAME is required");
		return -1;
	}
	/* Both together mean "the zone with this id, named so": checked
	 * against Route 53, or trusted when the program says so. */
	if (cli->zone_id != NULL && *cli->zone_id == '\0') {
		log_msg("--zone-id: empty id");
		return -1;
	}
	if (cli->zone_name != NULL && *cli->zone_name == '\0') {
		log_msg("--zone: empty name");
		return -1;
	}
	if (cli->zone_id != NULL &&
	    (cli->saw_public || cli->saw_private || cli->vpc_id != NULL)) {
		log_msg("--public, --private and --vpc-id select a zone by "
		    "name: use them with --zone, not --zone-id");
		return -1;
	}
	if (cli->saw_public && (cli->saw_private || cli->vpc_id != NULL)) {
		log_msg("--public contradicts --private/--vpc-id");
		return -1;
	}
	if (cli->vpc_id != NULL && *cli->vpc_id == '\0') {
		log_msg("--vpc-id: empty id");
		return -1;
	}
	return 0;
}

void
r53cli_usage(FILE *fp)
{
	fputs(
	    "  --zone-id ID          the hosted zone by id (with --zone NAME too:\n"
	    "                        checked to be named NAME)\n"
	    "  --zone NAME           the hosted zone by name\n"
	    "  --public | --private  with --zone: only public / private zones\n"
	    "  --vpc-id VPC          with --zone: the private zone of VPC\n"
	    "  --endpoint-url URL    Route 53 endpoint (default: the AWS one)\n"
	    "  --region REGION       signing region / partition\n"
	    "  --profile NAME        AWS credentials profile\n"
	    "  --ca-bundle FILE      CA certificates for TLS\n"
	    "  --timeout SECONDS     per-request timeout\n"
	    "  -v, --verbose         more messages (repeatable)\n", fp);
}

void
r53cli_client_opts(const struct r53cli *cli, struct r53_opts *opts)
{
	memset(opts, 0, sizeof(*opts));
	opts->endpoint_url = cli->endpoint_url;
	opts->region = cli->region;
	opts->profile = cli->profile;
	opts->ca_bundle = cli->ca_bundle;
	opts->timeout_ms = cli->timeout_ms;
}

const char *
r53cli_zone_label(const struct r53cli *cli, char *buf, size_t len)
{
	const char *name = cli->zone_name;

	if (len == 0)
		return buf;
	if (cli->zone_id != NULL) {
		snprintf(buf, len, "%s", r53_id_strip(cli->zone_id));
	} else if (name == NULL) {
		snprintf(buf, len, "(none)");
	} else if (cli->vpc_id != NULL) {
		snprintf(buf, len, "%s (private, vpc %s)", name, cli->vpc_id);
	} else if (cli->visibility == R53_VIS_PRIVATE) {
		snprintf(buf, len, "%s (private)", name);
	} else if (cli->visibility == R53_VIS_PUBLIC) {
		snprintf(buf, len, "%s (public)", name);
	} else {
		snprintf(buf, len, "%s", name);
	}
	return buf;
}

int
r53cli_names_equal(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);

	if (la > 1 && a[la - 1] == '.')
		la--;
	if (lb > 1 && b[lb - 1] == '.')
		lb--;
	return la == lb && strncasecmp(a, b, la) == 0;
}

/*
 * zone_from_pair(c, cli, zone, err): --zone-id with --zone.  Trusted (no
 * request) when cli->trust_pair is set, else looked up by id and the name
 * checked.  zone is filled by the caller's r53_zone_clear contract.
 */
static int
zone_from_pair(struct r53_client *c, const struct r53cli *cli,
    struct r53_zone *zone, struct r53_error *err)
{
	size_t n = strlen(cli->zone_name);
	int status;

	if (cli->trust_pair) {
		zone->id = strdup(r53_id_strip(cli->zone_id));
		zone->name = malloc(n + 2);
		if (zone->id == NULL || zone->name == NULL)
			return R53_FAILED;
		memcpy(zone->name, cli->zone_name, n + 1);
		if (n == 0 || cli->zone_name[n - 1] != '.')
			memcpy(zone->name + n, ".", 2);
		zone->rrset_count = -1;
		return R53_OK;
	}
	status = r53_zone_resolve(c, cli->zone_id, NULL, R53_VIS_ANY, NULL,
	    zone, err);
	if (status == R53_OK &&
	    !r53cli_names_equal(zone->name, cli->zone_name)) {
		/* one line, said by the caller: "cannot use hosted zone
		 * ID: it is named ..." (exit 3: the options disagree) */
		size_t sz = strlen(zone->name) + n + 64;

		r53_error_clear(err);
		if ((err->message = malloc(sz)) != NULL)
			snprintf(err->message, sz, "it is named %s, not %s "
			    "(--zone-id and --zone disagree)", zone->name,
			    cli->zone_name);
		return R53_USAGE;
	}
	return status;
}

int
r53cli_connect(const struct r53cli *cli, struct r53_client **client,
    struct r53_zone *zone)
{
	struct r53_opts opts;
	struct r53_error err;
	struct r53_client *c = NULL;
	char label[512];
	int status = R53_FAILED;

	memset(&err, 0, sizeof(err));
	memset(zone, 0, sizeof(*zone));
	*client = NULL;
	r53cli_zone_label(cli, label, sizeof(label));
	r53cli_client_opts(cli, &opts);

	c = r53_client_new(&opts, &err, &status);
	if (c == NULL) {
		if (status == R53_OK)
			status = R53_FAILED;
		log_msg("hosted zone %s: cannot set up the Route 53 client: %s",
		    label, err.message != NULL ? err.message : "unknown error");
		goto fail;
	}
	if (cli->zone_id != NULL && cli->zone_name != NULL)
		status = zone_from_pair(c, cli, zone, &err);
	else
		status = r53_zone_resolve(c, cli->zone_id, cli->zone_name,
		    cli->visibility, cli->vpc_id, zone, &err);
	if (status != R53_OK) {
		log_msg("cannot use hosted zone %s: %s", label,
		    err.message != NULL ? err.message : r53_strstatus(status));
		goto fail;
	}
	log_debug(1, "hosted zone %s: id %s, name %s, %s", label, zone->id,
	    zone->name, zone->private_zone ? "private" : "public");
	r53_error_clear(&err);
	*client = c;
	return EXIT_OK;

fail:
	r53_error_clear(&err);
	r53_zone_clear(zone);
	r53_client_free(c);
	return r53_status_exit(status);
}

char *
r53cli_zone_origin(const struct r53_zone *zone)
{
	char *out = NULL;
	int rc;

	if (zone->name == NULL) {
		log_msg("hosted zone %s: no name",
		    zone->id != NULL ? zone->id : "?");
		return NULL;
	}
	rc = name_from_r53(zone->name, &out);
	if (rc != NAME_OK) {
		log_msg("hosted zone %s: cannot decode its name '%s': %s",
		    zone->id != NULL ? zone->id : "?", zone->name,
		    name_strerror(rc));
		free(out);
		return NULL;
	}
	return out;
}

char *
r53cli_endpoint_host(const char *url)
{
	const char *p, *end, *at;
	char *out = NULL;
	size_t n;

	if (url == NULL)
		return NULL;
	p = strstr(url, "://");
	p = p != NULL ? p + 3 : url;
	end = p + strcspn(p, "/?#");
	/* Drop user info: it is never wanted in a header (and might hold a
	 * secret). */
	at = memchr(p, '@', (size_t)(end - p));
	if (at != NULL)
		p = at + 1;
	n = (size_t)(end - p);
	if (n == 0)
		return NULL;
	out = malloc(n + 1);
	if (out == NULL)
		return NULL;
	memcpy(out, p, n);
	out[n] = '\0';
	return out;
}

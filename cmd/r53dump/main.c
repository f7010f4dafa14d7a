/*
 * r53dump: write a Route 53 hosted zone as the canonical RRset stream
 * (format/SPEC.md section 2), or with --serial only its SOA serial.
 *
 * Flow: options (r53cli) -> client and zone -> open the output (so a bad
 * -o path fails before any listing) -> every page into a zonebuf ->
 * header, sorted RRsets, trailer.  Any failure before the trailer aborts
 * the writer: a file is never renamed into place and stdout gets no
 * trailer, so every reader rejects what was written.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exitcodes.h"
#include "log.h"
#include "r53api.h"
#include "r53cli.h"
#include "progress.h"
#include "r53dump.h"
#include "stats.h"
#include "stream.h"
#include "zonebuf.h"

#ifndef R53M_VERSION
#define R53M_VERSION "0.0.0"
#endif

enum {
	OPT_SERIAL = 0x200,
	OPT_STATS,
	OPT_PROGRESS
};

static const struct option dump_opts[] = {
	{ "output", required_argument, NULL, 'o' },
	{ "serial", no_argument, NULL, OPT_SERIAL },
	{ "stats", required_argument, NULL, OPT_STATS },
	{ "progress", no_argument, NULL, OPT_PROGRESS },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 }
};

struct dump_args {
	struct r53cli cli;
	const char *output;	/* -o FILE or NULL (stdout) */
	const char *stats;	/* --stats FILE or NULL */
	int serial_only;
	int progress;		/* --progress */
};

static void
usage(FILE *fp)
{
	fprintf(fp,
	    "usage: r53dump [options] (--zone-id ID | --zone NAME "
	    "[--public | --private [--vpc-id VPC]])\n"
	    "Write a Route 53 hosted zone as a canonical RRset stream.\n"
	    "  -o, --output FILE     write to FILE atomically (default: "
	    "stdout)\n"
	    "  --serial              print only the zone's SOA serial "
	    "(one request)\n"
	    "  --stats FILE          counts of this run, key=value lines "
	    "(SPEC section 8)\n"
	    "  --progress            one updating line on stderr (default when "
	    "it is a terminal)\n");
	r53cli_usage(fp);
	fprintf(fp,
	    "  -h, --help            this text\n"
	    "  -V, --version         print the version\n"
	    "Exit: 0 ok, 2 malformed record, I/O or internal error, 3 usage (or a\n"
	    "      name matching several zones), 5 Route 53 failed or no such zone,\n"
	    "      6 credentials missing or refused.\n");
}

/* Parse argv into *a.  Returns -1 to go on, else the exit status. */
static int
parse_args(struct dump_args *a, int argc, char *argv[])
{
	int c;

	r53cli_init(&a->cli);
	while ((c = r53cli_getopt(&a->cli, argc, argv, "o:hV", dump_opts))
	    != -1) {
		switch (c) {
		case 'o':
			a->output = optarg;
			break;
		case OPT_SERIAL:
			a->serial_only = 1;
			break;
		case OPT_STATS:
			a->stats = optarg;
			break;
		case OPT_PROGRESS:
			a->progress = 1;
			break;
		case 'h':
			usage(stdout);
			return EXIT_OK;
		case 'V':
			printf("r53dump %s\n", R53M_VERSION);
			return EXIT_OK;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind < argc) {
		log_msg("unexpected argument '%s'", argv[optind]);
		usage(stderr);
		return EXIT_USAGE;
	}
	if (a->serial_only && a->output != NULL) {
		log_msg("--serial prints to stdout; -o is not used with it");
		return EXIT_USAGE;
	}
	if (r53cli_check(&a->cli) != 0) {
		usage(stderr);
		return EXIT_USAGE;
	}
	return -1;
}

/* The header lines (SPEC 2.1) in a fixed order. */
static int
put_header(struct strm_writer *w, const struct dump_ctx *ctx,
    const char *endpoint)
{
	char *host = NULL;
	char source[600];
	int rc = -1;

	host = r53cli_endpoint_host(endpoint);
	snprintf(source, sizeof(source), "route53 %s",
	    host != NULL ? host : "unknown");
	if (strm_put_header(w, "origin", ctx->origin) != 0)
		goto done;
	if (ctx->serial != NULL &&
	    strm_put_header(w, "serial", ctx->serial) != 0)
		goto done;
	if (strm_put_header(w, "producer", "r53dump " R53M_VERSION) != 0 ||
	    strm_put_header(w, "zone-id", ctx->zone_id) != 0 ||
	    strm_put_header(w, "source", source) != 0)
		goto done;
	rc = 0;
done:
	free(host);
	return rc;
}

/* The full dump into the writer; EXIT_OK or a status after reporting.
 * On success the writer is committed, else aborted (w is freed either
 * way). */
static int
run_dump(struct dump_ctx *ctx, const char *output, const char *endpoint)
{
	struct strm_writer *w = NULL;
	struct zonebuf *zb = NULL;
	unsigned long n = 0;
	int rc = EXIT_BADINPUT;

	zb = zonebuf_new(ctx->origin);
	if (zb == NULL)
		goto fail;
	w = strm_create(output, STRM_RRSET);
	if (w == NULL)
		goto fail;
	ctx->zb = zb;
	rc = dump_zone(ctx);
	if (rc != EXIT_OK)
		goto fail;
	rc = EXIT_BADINPUT;
	if (ctx->serial == NULL)
		log_warn("hosted zone %s: no SOA at the apex; no #serial",
		    ctx->label);
	if (put_header(w, ctx, endpoint) != 0 ||
	    zonebuf_write(zb, w, &n) != 0)
		goto fail;
	if (n != ctx->rrsets) {
		/* Two listed RRsets became one stream key: never expected
		 * (Route 53 names are unique once decoded), but a silent
		 * merge would hide a record from rrdiff. */
		log_msg("hosted zone %s: %lu RRsets listed but %lu stream "
		    "lines", ctx->label, ctx->rrsets, n);
		goto fail;
	}
	if (strm_commit(w, NULL) != 0) {
		w = NULL;	/* freed by strm_commit */
		goto fail;
	}
	w = NULL;
	log_debug(1, "hosted zone %s: %lu RRsets (%lu lines) in %lu list "
	    "requests", ctx->label, ctx->rrsets, n, ctx->pages);
	zonebuf_free(zb);
	return EXIT_OK;

fail:
	strm_abort(w);
	zonebuf_free(zb);
	log_msg("hosted zone %s: dump incomplete%s", ctx->label,
	    output != NULL ? "; output file left unchanged" :
	    "; the stream has no trailer");
	return rc;
}

/* write_stats(a, st, ctx, client, rc): --stats FILE, when asked (SPEC
 * section 8); RC, or EXIT_BADINPUT when the file cannot be written. */
static int
write_stats(const struct dump_args *a, struct stats *st,
    const struct dump_ctx *ctx, const struct r53_client *client, int rc)
{
	struct r53_stats rs;

	if (a->stats == NULL)
		return rc;
	/* No client: r53cli_connect failed and took its counts with it
	 * (absent keys mean "not known", never 0). */
	if (client != NULL) {
		r53_client_stats(client, &rs);
		stats_set(st, "requests", rs.requests);
		stats_set(st, "retries", rs.retries);
		stats_set(st, "throttles", rs.throttled);
	}
	stats_set(st, "rrsets", ctx->rrsets);
	stats_set(st, "pages", ctx->pages);
	if (ctx->serial != NULL)
		stats_set(st, "serial", strtoull(ctx->serial, NULL, 10));
	if (stats_write(st, a->stats, rc) == -1 && rc == EXIT_OK)
		rc = EXIT_BADINPUT;
	return rc;
}

int
main(int argc, char *argv[])
{
	struct dump_args a;
	struct dump_ctx ctx;
	struct progress prog;
	struct r53_client *client = NULL;
	struct r53_zone zone;
	char *origin = NULL;
	char label[600];
	struct stats st;
	int rc;

	log_init(argv[0]);
	stats_init(&st, "r53dump");
	memset(&a, 0, sizeof(a));
	memset(&ctx, 0, sizeof(ctx));
	memset(&zone, 0, sizeof(zone));
	rc = parse_args(&a, argc, argv);
	if (rc != -1)
		return rc;

	/* The no-change probe costs one request: with --zone-id and --zone
	 * both given, --serial skips the zone lookup. */
	a.cli.trust_pair = a.serial_only;
	rc = r53cli_connect(&a.cli, &client, &zone);
	if (rc != EXIT_OK)
		goto done;
	rc = EXIT_REMOTE;
	origin = r53cli_zone_origin(&zone);
	if (origin == NULL)
		goto done;
	snprintf(label, sizeof(label), "%s (%s)", zone.id, origin);
	ctx.client = client;
	ctx.zone_id = zone.id;
	ctx.zone_name = zone.name;
	ctx.origin = origin;
	ctx.label = label;

	if (a.serial_only) {
		rc = dump_serial(&ctx);
		if (rc == EXIT_OK && (printf("%s\n", ctx.serial) < 0 ||
		    fflush(stdout) != 0)) {
			log_errno("stdout");
			rc = EXIT_BADINPUT;
		}
	} else {
		progress_init(&prog, a.progress);
		ctx.progress = &prog;
		ctx.total = zone.rrset_count;
		rc = run_dump(&ctx, a.output, r53_client_endpoint(client));
	}
done:
	rc = write_stats(&a, &st, &ctx, client, rc);
	dump_ctx_clear(&ctx);
	free(origin);
	r53_zone_clear(&zone);
	r53_client_free(client);
	return rc;
}

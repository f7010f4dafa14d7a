/*
 * zxfr: transfer a zone from a DNS server (AXFR, TSIG-verified) and
 * write it as a canonical RRset stream (format/SPEC.md), or with
 * --serial print only the SOA serial, or with --listen serve NOTIFYs
 * (notify.c).  See man/zxfr.1.
 *
 * This file: options, the key, the output.  The transfer is xfr.c (the
 * loop) + axfr.c (the zone assembly) or ixfr.c (--ixfr-from: the
 * differences applied to the last stream, AXFR when they cannot be);
 * the probe is probe.c.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <ldns/ldns.h>
#include <openssl/crypto.h>

#include "exitcodes.h"
#include "log.h"
#include "names.h"
#include "secrets.h"
#include "stats.h"
#include "stream.h"
#include "zonebuf.h"
#include "zxfr.h"

#define KEY_ENV "ZXFR_TSIG_KEY"
#define DEFAULT_TIMEOUT 600.0
#define DEFAULT_READ_TIMEOUT 30.0
/* A cap on what one transfer may hold in memory (about 100 bytes a
 * record): far above any real zone, far below what exhausts a host. */
#define DEFAULT_MAX_RECORDS 20000000UL

struct opts {
	const char *zone, *server, *keyfile, *secret_id, *out, *stats;
	const char *ixfr_from, *ixfr_log;
	const char *listen, *notify_zones;
	const char *check_key;		/* --check-key FILE: parse it, no DNS */
	int port, port_set;
	double timeout, read_timeout;
	unsigned long max_records;
	int verbose, serial;
	int xfr_opts;			/* -p, --timeout, ... given */
};

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: zxfr [-v] [-k KEYFILE | --tsig-secret-id ID] [-p PORT] [-o FILE]\n"
	    "            [--ixfr-from FILE [--ixfr-log FILE]] [--timeout SEC]\n"
	    "            [--read-timeout SEC] [--max-records N] ZONE SERVER[,SERVER...]\n"
	    "       zxfr --serial [-k KEYFILE | --tsig-secret-id ID] [-p PORT]\n"
	    "            [--timeout SEC] ZONE SERVER[,SERVER...]\n"
	    "       zxfr --listen ADDR:PORT --notify-zones FILE [--stats FILE] [-v]\n"
	    "       zxfr --check-key KEYFILE\n"
	    "       zxfr -h | --help | -V | --version\n"
	    "Transfer ZONE (AXFR) from SERVER and write the canonical RRset stream\n"
	    "to stdout or atomically to FILE.  SERVER is ADDR, NAME, ADDR:PORT or\n"
	    "[IPv6]:PORT; several primaries, separated by commas, and every address\n"
	    "of a NAME are tried in order.\n"
	    "  -k, --key KEYFILE TSIG key: tsig-keygen's or keymgr's output, or\n"
	    "                    ALG:NAME:SECRET as dig takes it;\n"
	    "                    else the key text in $" KEY_ENV ", if set;\n"
	    "                    the whole transfer is then verified (RFC 8945)\n"
	    "  --tsig-secret-id ID  the key text is the SecretString of this AWS\n"
	    "                    Secrets Manager secret (name or ARN)\n"
	    "  -p, --port PORT   server port where SERVER gives none (53)\n"
	    "  -o, --output FILE write FILE atomically (nothing on failure)\n"
	    "  --ixfr-from FILE  FILE is the last stream written: ask IXFR from\n"
	    "                    its serial, write the whole new version (AXFR,\n"
	    "                    saying why, when the answer is not usable)\n"
	    "  --ixfr-log FILE   also write the IXFR's changes as a change stream\n"
	    "  --timeout SEC     overall deadline (%g)\n"
	    "  --read-timeout SEC  longest wait for data (%g)\n"
	    "  --max-records N   fail if the zone has more than N records (%lu)\n"
	    "  --serial          print only the SOA serial (UDP, TCP if truncated)\n"
	    "  --listen ADDR:PORT  serve NOTIFYs on UDP and TCP (a.b.c.d:PORT or\n"
	    "                    [v6]:PORT); one line \"ZONE SERIAL\" on stdout per\n"
	    "                    NOTIFY accepted\n"
	    "  --notify-zones FILE  the zones to accept: \"ZONE PRIMARY [KEYFILE]\"\n"
	    "                    lines (SIGHUP re-reads it)\n"
	    "  --check-key KEYFILE  parse the key file as -k does, print its\n"
	    "                    name and algorithm (never the secret); no DNS\n"
	    "  -v, --verbose     progress and statistics on stderr\n"
	    "  --stats FILE      counts of this run, key=value lines (SPEC "
	    "section 8)\n"
	    "Exit: 0 ok, 2 bad input (key file or secret) or output error, 3 usage,\n"
	    "      5 server (or Secrets Manager) failure or refusal, 6 TSIG\n"
	    "      verification failure (or Secrets Manager access refused).\n",
	    DEFAULT_TIMEOUT, DEFAULT_READ_TIMEOUT, DEFAULT_MAX_RECORDS);
}

static int
parse_seconds(const char *s, double *out)
{
	char *end = NULL;
	double v = strtod(s, &end);

	if (end == s || *end != '\0' || !(v > 0) || v > 86400 * 7)
		return -1;
	*out = v;
	return 0;
}

static int
parse_count(const char *s, unsigned long *out)
{
	char *end = NULL;
	unsigned long long v;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0 || *end != '\0' || v == 0 || v > ULONG_MAX)
		return -1;
	*out = (unsigned long)v;
	return 0;
}

/* --listen takes --notify-zones, --stats and -v, nothing else. */
static int
check_listen_opts(int argc, const struct opts *o)
{
	if (o->listen == NULL || o->notify_zones == NULL) {
		log_msg("--listen and --notify-zones go together");
		return -1;
	}
	if (argc != optind || o->serial || o->xfr_opts || o->keyfile != NULL ||
	    o->secret_id != NULL || o->out != NULL || o->ixfr_from != NULL ||
	    o->ixfr_log != NULL) {
		log_msg("--listen takes only --notify-zones, --stats and -v");
		return -1;
	}
	return 0;
}

/*
 * The options.  usage() is written out rather than generated from this
 * table: its lines carry the defaults through printf (-Wformat=2 keeps
 * format strings literal), its text must not change, and
 * tests/02-usage-man.bats checks it against zxfr.1.
 */
#define SHORT_OPTS "hk:o:p:t:vV"

static const struct option long_opts[] = {
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ "serial", no_argument, NULL, 'S' },
	{ "timeout", required_argument, NULL, 't' },
	{ "read-timeout", required_argument, NULL, 'r' },
	{ "max-records", required_argument, NULL, 'm' },
	{ "port", required_argument, NULL, 'p' },
	{ "key", required_argument, NULL, 'k' },
	{ "tsig-secret-id", required_argument, NULL, 'T' },
	{ "output", required_argument, NULL, 'o' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "ixfr-from", required_argument, NULL, 'I' },
	{ "ixfr-log", required_argument, NULL, 'L' },
	{ "stats", required_argument, NULL, 's' },
	{ "listen", required_argument, NULL, 'l' },
	{ "notify-zones", required_argument, NULL, 'N' },
	{ "check-key", required_argument, NULL, 'K' },
	{ NULL, 0, NULL, 0 }
};

static void
opts_init(struct opts *o)
{
	memset(o, 0, sizeof(*o));
	o->port = 53;
	o->timeout = DEFAULT_TIMEOUT;
	o->read_timeout = DEFAULT_READ_TIMEOUT;
	o->max_records = DEFAULT_MAX_RECORDS;
}

static int
parse_port(const char *s, int *out)
{
	char *end;
	long l = strtol(s, &end, 10);

	if (*s == '\0' || *end != '\0' || l < 1 || l > 65535)
		return -1;
	*out = (int)l;
	return 0;
}

/*
 * take_limit_opt(o, c, arg): -p, --timeout, --read-timeout and
 * --max-records, the transfer's settings, counted in o->xfr_opts
 * (--listen takes none of them).  1 taken, 0 not one of them, or -1
 * after reporting a bad value.
 */
static int
take_limit_opt(struct opts *o, int c, const char *arg)
{
	switch (c) {
	case 't':
		if (parse_seconds(arg, &o->timeout) == -1) {
			log_msg("bad --timeout '%s': seconds > 0", arg);
			return -1;
		}
		break;
	case 'r':
		if (parse_seconds(arg, &o->read_timeout) == -1) {
			log_msg("bad --read-timeout '%s': seconds > 0", arg);
			return -1;
		}
		break;
	case 'm':
		if (parse_count(arg, &o->max_records) == -1) {
			log_msg("bad --max-records '%s': a whole number > 0",
			    arg);
			return -1;
		}
		break;
	case 'p':
		if (parse_port(arg, &o->port) == -1) {
			log_msg("bad port '%s': 1..65535", arg);
			return -1;
		}
		o->port_set = 1;
		break;
	default:
		return 0;
	}
	o->xfr_opts++;
	return 1;
}

/* take_opt(o, c, arg): one option from getopt_long(); -h and -V print
 * and exit.  0, or -1 (unknown option, bad value: reported). */
static int
take_opt(struct opts *o, int c, const char *arg)
{
	int taken = take_limit_opt(o, c, arg);

	if (taken != 0)
		return taken == 1 ? 0 : -1;
	switch (c) {
	case 'h':
		usage(stdout);
		exit(EXIT_OK);
	case 'V':
		printf("zxfr %s\n", R53M_VERSION);
		exit(EXIT_OK);
	case 'S':
		o->serial = 1;
		break;
	case 'k':
		o->keyfile = arg;
		break;
	case 'T':
		o->secret_id = arg;
		break;
	case 'o':
		o->out = arg;
		break;
	case 's':
		o->stats = arg;
		break;
	case 'v':
		o->verbose++;
		break;
	case 'I':
		o->ixfr_from = arg;
		break;
	case 'L':
		o->ixfr_log = arg;
		break;
	case 'l':
		o->listen = arg;
		break;
	case 'N':
		o->notify_zones = arg;
		break;
	case 'K':
		o->check_key = arg;
		break;
	default:
		return -1;
	}
	return 0;
}

/* A transfer or --serial: ZONE and SERVER, and options that fit. */
static int
check_transfer_opts(int argc, char *argv[], struct opts *o)
{
	if (argc - optind != 2) {
		log_msg(argc - optind < 2 ? "missing ZONE or SERVER" :
		    "too many arguments");
		return -1;
	}
	if (o->keyfile != NULL && o->secret_id != NULL) {
		log_msg("-k and --tsig-secret-id: give one key, not two");
		return -1;
	}
	if (o->ixfr_log != NULL && o->ixfr_from == NULL) {
		log_msg("--ixfr-log needs --ixfr-from");
		return -1;
	}
	if (o->serial && o->ixfr_from != NULL) {
		log_msg("--serial transfers nothing; --ixfr-from is not used "
		    "with it");
		return -1;
	}
	if (o->serial && o->out != NULL) {
		log_msg("--serial prints to stdout; -o is not used with it");
		return -1;
	}
	o->zone = argv[optind];
	o->server = argv[optind + 1];
	return 0;
}

/* parse_opts(argc, argv, o): 0, or -1 (reported; main prints usage). */
static int
parse_opts(int argc, char *argv[], struct opts *o)
{
	int c;

	opts_init(o);
	while ((c = getopt_long(argc, argv, SHORT_OPTS, long_opts, NULL)) !=
	    -1)
		if (take_opt(o, c, optarg) == -1)
			return -1;
	if (o->listen != NULL || o->notify_zones != NULL)
		return check_listen_opts(argc, o);
	if (o->check_key != NULL) {
		if (argc - optind == 0)
			return 0;
		log_msg("--check-key takes no ZONE or SERVER");
		return -1;
	}
	return check_transfer_opts(argc, argv, o);
}

/* zone_parse(text, req, canon): wire and canonical text of ZONE. */
static int
zone_parse(const char *text, struct xfr_req *req, char *canon, size_t csz)
{
	ldns_rdf *d = NULL;
	int rc = -1;

	if (ldns_str2rdf_dname(&d, text) != LDNS_STATUS_OK || d == NULL)
		goto out;
	if (ldns_rdf_size(d) > ZXFR_NAME_MAX)
		goto out;
	memcpy(req->zone, ldns_rdf_data(d), ldns_rdf_size(d));
	req->zone_len = ldns_rdf_size(d);
	if (name_canon_wire(req->zone, req->zone_len, canon, csz, NULL) < 0)
		goto out;
	rc = 0;
out:
	ldns_rdf_deep_free(d);
	return rc;
}

/*
 * secret_key(id, key): the key from a Secrets Manager secret whose
 * SecretString is the key file's text.  The text stays in this process
 * (never in argv, the environment or a file) and is wiped at once.
 * Returns an exit status (reported).
 */
static int
secret_key(const char *id, struct tsig_key *key)
{
	char err[512], what[300], *text = NULL;
	size_t len = 0;
	int rc;

	if ((rc = secrets_get(id, &text, &len, err, sizeof(err))) != EXIT_OK) {
		log_msg("%s", err);
		return rc;
	}
	snprintf(what, sizeof(what), "secret %s", id);
	rc = tsig_key_parse(text, len, what, key) == 0 ? EXIT_OK :
	    EXIT_BADINPUT;
	OPENSSL_cleanse(text, len);
	free(text);
	return rc;
}

/* load_key(o, key): -k FILE, else --tsig-secret-id, else $ZXFR_TSIG_KEY.
 * 1 loaded, 0 none, or -(exit status) on error (reported). */
static int
load_key(const struct opts *o, struct tsig_key *key)
{
	const char *env;
	int rc;

	if (o->keyfile != NULL)
		return tsig_key_load(o->keyfile, key) == 0 ? 1 : -EXIT_BADINPUT;
	if (o->secret_id != NULL)
		return (rc = secret_key(o->secret_id, key)) == EXIT_OK ? 1 : -rc;
	env = getenv(KEY_ENV);
	if (env == NULL || *env == '\0')
		return 0;
	return tsig_key_parse(env, strlen(env), "$" KEY_ENV, key) == 0 ?
	    1 : -EXIT_BADINPUT;
}

/* --check-key FILE: what r53mirror --check-config asks before a run
 * needs the key: the same parser as -k, the secret never printed. */
static int
check_key(const char *path)
{
	struct tsig_key key;
	int rc = EXIT_BADINPUT;

	memset(&key, 0, sizeof(key));
	if (tsig_key_load(path, &key) == 0) {
		printf("%s: key %s, %s\n", path, key.name_text, key.alg_text);
		rc = fflush(stdout) == EOF ? EXIT_BADINPUT : EXIT_OK;
	}
	tsig_key_clear(&key);
	return rc;
}

/* The #source header: where the stream came from. */
static void
source_text(const struct xfr_req *req, char *buf, size_t sz)
{
	if (req->key != NULL)
		snprintf(buf, sz, "dns %s port %d tsig %s",
		    req->srv->addr_text, req->srv->port, req->key->name_text);
	else
		snprintf(buf, sz, "dns %s port %d", req->srv->addr_text,
		    req->srv->port);
}

/* The header of an RRset stream, the same for AXFR and IXFR. */
static int
write_header(const struct xfr_req *req, uint32_t serial,
    struct strm_writer *w)
{
	char buf[1200];

	snprintf(buf, sizeof(buf), "%lu", (unsigned long)serial);
	if (strm_put_header(w, "origin", req->zone_text) == -1 ||
	    strm_put_header(w, "serial", buf) == -1)
		return -1;
	snprintf(buf, sizeof(buf), "zxfr %s", R53M_VERSION);
	if (strm_put_header(w, "producer", buf) == -1)
		return -1;
	source_text(req, buf, sizeof(buf));
	return strm_put_header(w, "source", buf);
}

static int
write_stream(const struct opts *o, const struct xfr_req *req,
    struct axfr *a, struct strm_writer *w, struct stats *sts)
{
	unsigned long n = 0;

	if (write_header(req, a->serial, w) == -1)
		return -1;
	if (zonebuf_write(a->zb, w, &n) == -1)
		return -1;
	stats_set(sts, "rrsets", n);
	stats_set(sts, "serial", a->serial);
	if (o->verbose)
		log_msg("%s: %lu records, %lu RRsets, serial %lu",
		    req->zone_text, a->records, n, (unsigned long)a->serial);
	return 0;
}

static int
run_axfr(const struct opts *o, struct xfr_req *req, struct stats *sts)
{
	struct strm_writer *w = NULL;
	struct axfr a;
	struct xfr_sink sink;
	struct xfr_stats st;
	double t0, t1 = 0;
	int rc;

	if (axfr_init(&a, req) == -1) {
		axfr_free(&a);
		return EXIT_BADINPUT;
	}
	if ((w = strm_create(o->out, STRM_RRSET)) == NULL) {
		axfr_free(&a);
		return EXIT_BADINPUT;
	}
	axfr_sink(&a, &sink);
	t0 = net_now();
	memset(&st, 0, sizeof(st));
	rc = xfr_run(req, &sink, &st);
	t1 = net_now();
	stats_set(sts, "requests", 1);
	stats_set(sts, "messages", st.messages);
	stats_set(sts, "records", st.records);
	stats_set(sts, "bytes", st.octets);
	if (rc != EXIT_OK && a.failed)
		rc = EXIT_BADINPUT;
	if (rc == EXIT_OK) {
		if (a.high_owners > AXFR_HIGH_WARN_MAX)
			log_warn("%s: %lu more owners with raw non-ASCII "
			    "octets", req->zone_text,
			    a.high_owners - AXFR_HIGH_WARN_MAX);
		if (a.big_ttls > 0)
			log_warn("%s from %s port %d: %lu record(s) had a TTL "
			    "above 2147483647; written as 0 (RFC 2181 section "
			    "8)", req->zone_text, req->srv->addr_text,
			    req->srv->port, a.big_ttls);
		if (write_stream(o, req, &a, w, sts) == -1)
			rc = EXIT_BADINPUT;
	}
	if (rc == EXIT_OK) {
		rc = strm_commit(w, NULL) == 0 ? EXIT_OK : EXIT_BADINPUT;
		w = NULL;
		log_debug(1, "%s: %.2f s transfer and canonical text, %.2f s "
		    "sort and output", req->zone_text, t1 - t0,
		    net_now() - t1);
	}
	if (w != NULL)
		strm_abort(w);
	axfr_free(&a);
	return rc;
}

/* The new version from IXFR: the log (if asked), then the stream. */
static int
write_ixfr(const struct opts *o, const struct xfr_req *req,
    struct ixfr *ix, struct stats *sts)
{
	struct strm_writer *w;
	char src[1200], prod[64];
	unsigned long n = 0;

	source_text(req, src, sizeof(src));
	snprintf(prod, sizeof(prod), "zxfr %s", R53M_VERSION);
	if (o->ixfr_log != NULL &&
	    ixfr_write_log(ix, o->ixfr_log, src, prod) == -1)
		return EXIT_BADINPUT;
	if ((w = strm_create(o->out, STRM_RRSET)) == NULL)
		goto fail;
	if (write_header(req, ixfr_serial(ix), w) == -1 ||
	    ixfr_write(ix, w, &n) == -1) {
		strm_abort(w);
		goto fail;
	}
	if (strm_commit(w, NULL) == -1)
		goto fail;
	stats_set(sts, "rrsets", n);
	stats_set(sts, "serial", ixfr_serial(ix));
	stats_set(sts, "ixfr", 1);
	if (o->verbose)
		log_msg("%s: %lu RRsets, serial %lu (IXFR from serial %lu)",
		    req->zone_text, n, (unsigned long)ixfr_serial(ix),
		    (unsigned long)ixfr_base_serial(ix));
	return EXIT_OK;
fail:
	if (o->ixfr_log != NULL)
		(void)unlink(o->ixfr_log);
	return EXIT_BADINPUT;
}

/*
 * --ixfr-from: the base first (a bad one stops everything), then IXFR;
 * an answer that is not usable differences gives one line saying why
 * and an AXFR on a new connection.  An older --ixfr-log file is removed
 * first, so the file never describes another run.
 */
static int
run_ixfr(const struct opts *o, struct xfr_req *req, struct stats *sts)
{
	struct ixfr *ix;
	double t0 = net_now(), t1 = 0, t2 = 0;
	int rc;

	if (o->ixfr_log != NULL && unlink(o->ixfr_log) == -1 &&
	    errno != ENOENT) {
		log_errno("cannot remove %s", o->ixfr_log);
		return EXIT_BADINPUT;
	}
	if ((ix = ixfr_new(req)) == NULL)
		return EXIT_BADINPUT;
	if ((rc = ixfr_load_base(ix, o->ixfr_from)) == EXIT_OK) {
		t1 = net_now();
		rc = ixfr_transfer(ix, req);
		t2 = net_now();
		stats_set(sts, "requests", 1);
	}
	if (rc == EXIT_OK) {
		rc = write_ixfr(o, req, ix, sts);
		log_debug(1, "%s: %.2f s reading the base, %.2f s IXFR and "
		    "applying it, %.2f s output", req->zone_text, t1 - t0,
		    t2 - t1, net_now() - t2);
	} else if (ixfr_fallback(ix) != NULL) {
		log_msg("%s from %s port %d: IXFR from serial %lu not used: "
		    "%s; transferring the whole zone (AXFR)", req->zone_text,
		    req->srv->addr_text, req->srv->port,
		    (unsigned long)ixfr_base_serial(ix), ixfr_fallback(ix));
		ixfr_free(ix);
		rc = run_axfr(o, req, sts);
		stats_set(sts, "requests", 2);
		stats_set(sts, "ixfr", 0);
		return rc;
	}
	ixfr_free(ix);
	return rc;
}

/* --listen: the NOTIFY listener (notify.c) writes its own stats. */
static int
run_listen(const struct opts *o)
{
	struct notify_opts no;

	memset(&no, 0, sizeof(no));
	no.listen = o->listen;
	no.zones_file = o->notify_zones;
	no.stats = o->stats;
	no.verbose = o->verbose;
	return notify_listen(&no);
}

/* RFC 1982: A is behind B. */
static int
serial_behind(uint32_t a, uint32_t b)
{
	return a != b && (int32_t)(a - b) < 0;
}

/* base_serial(o, req, &serial): the serial of the --ixfr-from file. */
static int
base_serial(const struct opts *o, struct xfr_req *req, uint32_t *serial)
{
	struct ixfr *ix;
	int rc;

	if ((ix = ixfr_new(req)) == NULL)
		return EXIT_BADINPUT;
	if ((rc = ixfr_load_base(ix, o->ixfr_from)) == EXIT_OK)
		*serial = ixfr_base_serial(ix);
	ixfr_free(ix);
	return rc;
}

/* One try at the current req->srv: the probe or the transfer. */
static int
attempt(const struct opts *o, struct xfr_req *req, struct stats *sts,
    uint32_t *serial)
{
	if (o->serial) {
		stats_set(sts, "requests", 1);
		return probe_serial(req, serial);
	}
	if (o->ixfr_from != NULL)
		return run_ixfr(o, req, sts);
	return run_axfr(o, req, sts);
}

/*
 * run_servers(o, req, list, sts, &serial): try each address in order
 * until one serves; a server that fails (exit 5) or does not verify
 * (6) leaves the next one to try.  With --ixfr-from and more than one
 * address, each is probed first and one whose serial is behind the
 * base's is skipped: an older primary is never taken as the source.
 */
static int
run_servers(const struct opts *o, struct xfr_req *req,
    const struct zxfr_servers *l, struct stats *sts, uint32_t *serial)
{
	uint32_t base = 0, s = 0;
	size_t i;
	int rc = EXIT_REMOTE, check = o->ixfr_from != NULL && l->n > 1;

	if (check && (rc = base_serial(o, req, &base)) != EXIT_OK)
		return rc;
	for (i = 0; i < l->n; i++) {
		req->srv = &l->srv[i];
		stats_set(sts, "server_index", (unsigned long)l->srv[i].index);
		if (i > 0)
			log_msg("%s: trying the next server: %s%s%s port %d",
			    req->zone_text, req->srv->host,
			    strcmp(req->srv->host, req->srv->addr_text) == 0 ?
			    "" : " ", strcmp(req->srv->host,
			    req->srv->addr_text) == 0 ? "" : req->srv->addr_text,
			    req->srv->port);
		if (check && (rc = probe_serial(req, &s)) == EXIT_OK &&
		    serial_behind(s, base)) {
			log_msg("%s from %s port %d: skipped: its serial %lu is "
			    "behind %lu, the serial of %s", req->zone_text,
			    req->srv->addr_text, req->srv->port,
			    (unsigned long)s, (unsigned long)base, o->ixfr_from);
			rc = EXIT_REMOTE;
			continue;
		}
		if (rc == EXIT_OK || !check)
			rc = attempt(o, req, sts, serial);
		if (rc != EXIT_REMOTE && rc != EXIT_VERIFY)
			break;
	}
	return rc;
}

int
main(int argc, char *argv[])
{
	struct opts o;
	struct tsig_key key;
	static struct zxfr_servers srvs;
	struct xfr_req req;
	char zcanon[NAME_CANON_MAX];
	uint32_t serial = 0;
	struct stats sts;
	int rc, k;

	log_init(argv[0]);
	stats_init(&sts, "zxfr");
	memset(&key, 0, sizeof(key));
	memset(&req, 0, sizeof(req));
	if (parse_opts(argc, argv, &o) == -1) {
		usage(stderr);
		return EXIT_USAGE;
	}
	log_verbose = o.verbose;
	if (o.listen != NULL)
		return run_listen(&o);
	if (o.check_key != NULL)
		return check_key(o.check_key);
	if (zone_parse(o.zone, &req, zcanon, sizeof(zcanon)) == -1) {
		log_msg("bad zone name '%s'", o.zone);
		return EXIT_USAGE;
	}
	if ((rc = net_servers(o.server, o.port, o.port_set, &srvs)) ==
	    EXIT_USAGE) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (rc != EXIT_OK)
		goto out;
	if ((k = load_key(&o, &key)) < 0) {
		rc = -k;
		goto out;
	}
	req.zone_text = zcanon;
	req.qtype = LDNS_RR_TYPE_AXFR;
	req.key = k == 1 ? &key : NULL;
	req.dl.overall = o.timeout;
	req.dl.read_timeout = o.read_timeout < o.timeout ? o.read_timeout :
	    o.timeout;
	req.dl.end = net_now() + o.timeout;
	req.max_records = o.max_records;
	req.progress = o.verbose ? 2 : 1;
	rc = run_servers(&o, &req, &srvs, &sts, &serial);
	if (o.serial) {
		if (rc == EXIT_OK)
			stats_set(&sts, "serial", serial);
		if (rc == EXIT_OK && (printf("%lu\n", (unsigned long)serial) <
		    0 || fflush(stdout) == EOF)) {
			log_errno("cannot write the serial to stdout");
			rc = EXIT_BADINPUT;
		}
	}
out:
	tsig_key_clear(&key);
	if (o.stats != NULL && stats_write(&sts, o.stats, rc) == -1 &&
	    rc == EXIT_OK)
		rc = EXIT_BADINPUT;
	return rc;
}

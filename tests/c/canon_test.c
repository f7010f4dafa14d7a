/*
 * canon_test.c: drive lib/common/dns/names.c and canon.c from the shell, for
 * tests/20-canon.bats.  Every subcommand reads stdin:
 *
 *   canon_test wire2canon [ORIGIN]  zone file (presentation format, $ORIGIN
 *                                   and $TTL understood) -> for each RR,
 *                                   turned into wire form and parsed back
 *                                   as zxfr gets it: "OWNER TAB TYPE TAB
 *                                   RDATA" (canonical); the RR is also
 *                                   put twice into a compressed message
 *                                   and canon_rdata_wire() must give the
 *                                   same text for both copies
 *   canon_test text2canon TYPE      one presentation RDATA per line
 *   canon_test r53tocanon TYPE      one Route 53 Value per line
 *   canon_test canontor53 TYPE      one canonical RDATA per line
 *   canon_test verify TYPE          one canonical RDATA per line: "ok"
 *   canon_test rdata2canon TYPE     one wire RDATA in hex per line, parsed
 *                                   by ldns as from a zone transfer
 *   canon_test msgrdata TYPE        "OFF HEX" per line: a DNS message in
 *                                   hex whose RDATA of TYPE starts at OFF
 *                                   (names may be compressed): the text
 *                                   of canon_rdata_wire(), which must
 *                                   equal that of the plain ldns path
 *   canon_test name2canon           one presentation name per line
 *   canon_test r53name              one Route 53 name per line
 *   canon_test name2r53             one canonical name per line
 *   canon_test namecheck            one name per line: "1" if canonical
 *   canon_test subdomain ORIGIN     one canonical name per line: 1 or 0
 *   canon_test highoctet            one canonical name per line: 1 or 0
 *   canon_test typename             one type (mnemonic, TYPEnnn or
 *                                   number) per line: mnemonic, storable
 *                                   and dnssec flags
 *   canon_test bench N              zone file read once, every RR
 *                                   canonicalised N times (no output but a
 *                                   count): for timing
 *
 * A line that fails prints "canon_test: line N: message" on stderr, and
 * the exit status is then 2 after all lines.  Usage errors exit 3.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "canon.h"
#include "clock.h"
#include "exitcodes.h"
#include "names.h"

static unsigned long lineno;
static int failed;

static void
line_fail(const char *msg)
{
	fprintf(stderr, "canon_test: line %lu: %s\n", lineno, msg);
	failed = 1;
}

/* next_line(buf, sz): read one line without its LF; 0 at end. */
static int
next_line(char **buf, size_t *sz)
{
	ssize_t n = getline(buf, sz, stdin);

	if (n < 0)
		return 0;
	lineno++;
	if (n > 0 && (*buf)[n - 1] == '\n')
		(*buf)[--n] = '\0';
	return 1;
}

static int
get_type(const char *arg, uint16_t *type)
{
	if (canon_type_from_name(arg, type) == -1) {
		fprintf(stderr, "canon_test: unknown type %s\n", arg);
		return -1;
	}
	return 0;
}

/* rr_via_wire(rr): a copy of RR made by ldns from its wire form, as zxfr
 * sees records; NULL on failure. */
static ldns_rr *
rr_via_wire(const ldns_rr *rr)
{
	uint8_t *wire = NULL;
	size_t size = 0, pos = 0;
	ldns_rr *out = NULL;

	if (ldns_rr2wire(&wire, rr, LDNS_SECTION_ANSWER, &size) !=
	    LDNS_STATUS_OK)
		return NULL;
	if (ldns_wire2rr(&out, wire, size, &pos, LDNS_SECTION_ANSWER) !=
	    LDNS_STATUS_OK)
		out = NULL;
	free(wire);
	return out;
}

/*
 * zone_each(origin, fn, arg): call FN for every RR of the zone file on
 * stdin.  Returns -1 after a parse error.
 */
static int
zone_each(const char *origin, int (*fn)(ldns_rr *, void *), void *arg)
{
	ldns_rdf *org = NULL, *prev = NULL;
	uint32_t ttl = 3600;
	int line_nr = 0, rc = 0;

	org = ldns_dname_new_frm_str(origin != NULL ? origin : ".");
	for (;;) {
		ldns_rr *rr = NULL;
		ldns_status s;

		if (feof(stdin))
			break;
		s = ldns_rr_new_frm_fp_l(&rr, stdin, &ttl, &org, &prev,
		    &line_nr);
		if (s == LDNS_STATUS_SYNTAX_EMPTY || s == LDNS_STATUS_SYNTAX_TTL ||
		    s == LDNS_STATUS_SYNTAX_ORIGIN ||
		    s == LDNS_STATUS_SYNTAX_INCLUDE)
			continue;
		if (s != LDNS_STATUS_OK) {
			lineno = (unsigned long)line_nr;
			line_fail(ldns_get_errorstr_by_id(s));
			rc = -1;
			break;
		}
		lineno = (unsigned long)line_nr;
		if (fn(rr, arg) == -1)
			rc = -1;
		ldns_rr_free(rr);
	}
	ldns_rdf_deep_free(org);
	ldns_rdf_deep_free(prev);
	return rc;
}

/* msg_text_is(type, wire, size, off, text): the RR at OFF of the message
 * WIRE; canon_rdata_wire() of its RDATA must give TEXT.  Returns the
 * offset after the RR, or 0 (reported). */
static size_t
msg_text_is(uint16_t type, const uint8_t *wire, size_t size, size_t off,
    const char *text)
{
	struct canon_buf b = CANON_BUF_INIT;
	size_t rdlen, end = 0;

	if (name_wire_read(wire, size, &off, NULL, NULL) != NAME_OK ||
	    off + 10 > size) {
		line_fail("cannot walk the message");
		return 0;
	}
	rdlen = (size_t)wire[off + 8] << 8 | wire[off + 9];
	off += 10;
	if (canon_rdata_wire(type, wire, size, off, rdlen, &b) == -1)
		line_fail("canon_rdata_wire failed");
	else if (strcmp(b.p, text) != 0) {
		fprintf(stderr, "canon_test: line %lu: canon_rdata_wire gave "
		    "\"%s\", canon_rdata_buf \"%s\"\n", lineno, b.p, text);
		failed = 1;
	} else
		end = off + rdlen;
	canon_buf_free(&b);
	return end;
}

/*
 * same_via_msg(rr, text): RR twice in the answer section of a message
 * written by ldns with name compression (so names inside the RDATA of
 * NS, CNAME, MX, SOA, PTR, ... are pointers into the message, the second
 * copy's entirely), as zxfr reads records: canon_rdata_wire() of each
 * copy must give TEXT, the text of the ldns record.  -1 (reported) if
 * not.
 */
static int
same_via_msg(const ldns_rr *rr, const char *text)
{
	ldns_pkt *pkt = NULL;
	ldns_rr *c1 = NULL, *c2 = NULL;
	uint8_t *wire = NULL;
	size_t size = 0, off;
	uint16_t type = (uint16_t)ldns_rr_get_type(rr);
	int rc = -1;

	pkt = ldns_pkt_new();
	c1 = ldns_rr_clone(rr);
	c2 = ldns_rr_clone(rr);
	if (pkt == NULL || c1 == NULL || c2 == NULL) {
		line_fail("out of memory");
		goto out;
	}
	/* the packet owns the copies once pushed */
	if (!ldns_pkt_push_rr(pkt, LDNS_SECTION_ANSWER, c1)) {
		line_fail("cannot build a message");
		goto out;
	}
	c1 = NULL;
	if (!ldns_pkt_push_rr(pkt, LDNS_SECTION_ANSWER, c2)) {
		line_fail("cannot build a message");
		goto out;
	}
	c2 = NULL;
	if (ldns_pkt2wire(&wire, pkt, &size) != LDNS_STATUS_OK) {
		line_fail("cannot convert to wire");
		goto out;
	}
	off = msg_text_is(type, wire, size, 12, text);
	if (off != 0 && msg_text_is(type, wire, size, off, text) != 0)
		rc = 0;
out:
	free(wire);
	ldns_rr_free(c1);
	ldns_rr_free(c2);
	ldns_pkt_free(pkt);
	return rc;
}

static int
print_wire_rr(ldns_rr *rr, void *arg)
{
	struct canon_buf *b = arg;
	ldns_rr *w = rr_via_wire(rr);
	char owner[NAME_CANON_MAX], tname[16];

	if (w == NULL) {
		line_fail("cannot convert to wire and back");
		return -1;
	}
	canon_buf_reset(b);
	if (canon_rr_owner_flags(w, owner, sizeof(owner), NULL) < 0 ||
	    canon_type_name((uint16_t)ldns_rr_get_type(w), tname,
	    sizeof(tname)) < 0 || canon_rdata_buf(w, b) == -1) {
		line_fail("cannot canonicalise");
		ldns_rr_free(w);
		return -1;
	}
	if (same_via_msg(rr, b->p) == -1) {
		ldns_rr_free(w);
		return -1;
	}
	printf("%s\t%s\t%s\n", owner, tname, b->p);
	ldns_rr_free(w);
	return 0;
}

static int
cmd_wire2canon(const char *origin)
{
	struct canon_buf b = CANON_BUF_INIT;
	int rc = zone_each(origin, print_wire_rr, &b);

	canon_buf_free(&b);
	return rc;
}

/* bench: all RRs in memory, canonicalised N times. */
struct bench {
	ldns_rr **rr;
	size_t n, cap;
};

static int
bench_add(ldns_rr *rr, void *arg)
{
	struct bench *bn = arg;
	ldns_rr *w = rr_via_wire(rr);

	if (w == NULL)
		return -1;
	if (bn->n == bn->cap) {
		size_t cap = bn->cap ? bn->cap * 2 : 1024;
		ldns_rr **p = realloc(bn->rr, cap * sizeof(*p));

		if (p == NULL) {
			ldns_rr_free(w);
			return -1;
		}
		bn->rr = p;
		bn->cap = cap;
	}
	bn->rr[bn->n++] = w;
	return 0;
}

static int
cmd_bench(const char *count)
{
	struct bench bn = { NULL, 0, 0 };
	struct canon_buf b = CANON_BUF_INIT;
	unsigned long rounds = strtoul(count, NULL, 10), r, bytes = 0;
	size_t i;
	int rc = zone_each(NULL, bench_add, &bn);
	double t0, ns;

	t0 = clock_now();
	for (r = 0; rc == 0 && r < rounds; r++) {
		for (i = 0; i < bn.n; i++) {
			char owner[NAME_CANON_MAX];

			canon_buf_reset(&b);
			if (canon_rr_owner_flags(bn.rr[i], owner,
			    sizeof(owner), NULL) < 0 ||
			    canon_rdata_buf(bn.rr[i], &b) == -1) {
				rc = -1;
				break;
			}
			bytes += b.len;
		}
	}
	ns = (clock_now() - t0) * 1e9;
	printf("records=%zu rounds=%lu bytes=%lu ns_per_record=%.0f\n", bn.n,
	    rounds, bytes, bn.n && rounds ? ns / (double)bn.n / (double)rounds :
	    0.0);
	for (i = 0; i < bn.n; i++)
		ldns_rr_free(bn.rr[i]);
	free(bn.rr);
	canon_buf_free(&b);
	return rc;
}

/* Line-by-line commands. */
enum linecmd {
	L_TEXT, L_R53, L_TOR53, L_VERIFY, L_NAME, L_R53NAME, L_NAME2R53,
	L_NAMECHECK, L_SUBDOMAIN, L_HIGH, L_TYPENAME, L_RDATA, L_MSG
};

/* rdata_hex(type, hex, out, err): canonical text of wire RDATA given in
 * hex, through ldns's wire parser like zxfr's records. */
static int
rdata_hex(uint16_t type, const char *hex, char **out, char **err)
{
	size_t n = strlen(hex), i, pos = 0;
	uint8_t *wire = NULL;
	ldns_rr *rr = NULL;
	int rc = -1;

	if (n % 2 != 0 || n / 2 > 65535) {
		*err = strdup("odd hex length");
		return -1;
	}
	wire = malloc(n / 2 + 2);
	rr = ldns_rr_new();
	if (wire == NULL || rr == NULL)
		goto out;
	wire[0] = (uint8_t)((n / 2) >> 8);
	wire[1] = (uint8_t)(n / 2);
	for (i = 0; i < n / 2; i++) {
		unsigned v;

		if (sscanf(hex + 2 * i, "%2x", &v) != 1) {
			*err = strdup("bad hex");
			goto out;
		}
		wire[2 + i] = (uint8_t)v;
	}
	ldns_rr_set_type(rr, (ldns_rr_type)type);
	ldns_rr_set_class(rr, LDNS_RR_CLASS_IN);
	ldns_rr_set_owner(rr, ldns_dname_new_frm_str("."));
	if (ldns_wire2rdf(rr, wire, n / 2 + 2, &pos) != LDNS_STATUS_OK) {
		*err = strdup("ldns refuses the wire rdata");
		goto out;
	}
	if (pos != n / 2 + 2) {
		/* ldns 1.8.3 stops where the type's fields end and ignores
		 * the rest: say so rather than print a shortened record */
		*err = strdup("ldns leaves trailing rdata octets unparsed");
		goto out;
	}
	rc = canon_rdata(rr, out);
	if (rc == -1)
		*err = strdup("canon_rdata failed");
out:
	free(wire);
	ldns_rr_free(rr);
	return rc;
}

/*
 * msg_rdata(type, line, out, err): LINE is "OFF HEX": a DNS message (or
 * its beginning) in hex whose record of TYPE has its RDATA at OFF, right
 * after RDLENGTH.  The text of canon_rdata_wire(); it must equal the
 * text of the plain ldns path (canon_rdata_wire_ldns) whenever ldns
 * accepts the data, and fail when ldns fails.
 */
static int
msg_rdata(uint16_t type, const char *line, char **out, char **err)
{
	struct canon_buf fast = CANON_BUF_INIT, slow = CANON_BUF_INIT;
	uint8_t *msg = NULL;
	const char *hex;
	char *end = NULL;
	size_t n, i, off, rdlen;
	int rf, rs, rc = -1;

	off = strtoul(line, &end, 10);
	if (end == line || *end != ' ') {
		*err = strdup("want OFF HEX");
		return -1;
	}
	hex = end + 1;
	n = strlen(hex);
	if (n % 2 != 0 || (msg = malloc(n / 2 + 1)) == NULL) {
		*err = strdup("odd hex length");
		return -1;
	}
	for (i = 0; i < n / 2; i++) {
		unsigned v;

		if (sscanf(hex + 2 * i, "%2x", &v) != 1) {
			*err = strdup("bad hex");
			goto out;
		}
		msg[i] = (uint8_t)v;
	}
	n /= 2;
	rdlen = off >= 2 && off <= n ? (size_t)msg[off - 2] << 8 |
	    msg[off - 1] : 0;
	rf = canon_rdata_wire(type, msg, n, off, rdlen, &fast);
	rs = canon_rdata_wire_ldns(type, msg, n, off, rdlen, &slow);
	if (rf != rs || (rf == 0 && strcmp(fast.p, slow.p) != 0)) {
		*err = strdup("canon_rdata_wire and the ldns path differ");
		goto out;
	}
	if (rf == -1) {
		*err = strdup("canon_rdata_wire failed");
		goto out;
	}
	*out = strdup(fast.p);
	rc = *out == NULL ? -1 : 0;
out:
	free(msg);
	canon_buf_free(&fast);
	canon_buf_free(&slow);
	return rc;
}

static void
one_line(enum linecmd cmd, uint16_t type, const char *arg, const char *ln)
{
	char *out = NULL, *err = NULL;
	int rc;

	switch (cmd) {
	case L_TEXT:
		rc = canon_from_text(type, ln, arg, &out, &err);
		break;
	case L_R53:
		rc = canon_from_r53value(type, ln, arg, &out, &err);
		break;
	case L_TOR53:
		if (!canon_r53_storable(type)) {
			line_fail("not a type Route 53 stores");
			return;
		}
		rc = canon_to_r53value(type, ln, &out);
		if (rc == -1 && canon_verify(type, ln, strlen(ln), &err) == 0)
			err = strdup("no Route 53 form (RFC 3597 data)");
		break;
	case L_RDATA:
		rc = rdata_hex(type, ln, &out, &err);
		break;
	case L_MSG:
		rc = msg_rdata(type, ln, &out, &err);
		break;
	case L_VERIFY:
		rc = canon_verify(type, ln, strlen(ln), &err);
		if (rc == 0)
			out = strdup("ok");
		break;
	case L_NAME:
	case L_R53NAME:
	case L_NAME2R53:
		rc = cmd == L_NAME ? name_canon_text(ln, &out) :
		    cmd == L_R53NAME ? name_from_r53(ln, &out) :
		    name_to_r53(ln, &out);
		if (rc != NAME_OK) {
			err = strdup(name_strerror(rc));
			rc = -1;
		}
		break;
	case L_NAMECHECK:
		printf("%d\n", name_is_canonical(ln, strlen(ln)));
		return;
	case L_SUBDOMAIN:
		printf("%d\n", name_is_subdomain(ln, arg));
		return;
	case L_HIGH:
		printf("%d\n", name_has_raw_high_octet(ln));
		return;
	case L_TYPENAME:
	default:
	{
		uint16_t t;
		char buf[16];

		if (canon_type_from_name(ln, &t) == -1) {
			char *end;
			unsigned long v = strtoul(ln, &end, 10);

			if (*ln == '\0' || *end != '\0' || v > 65535) {
				line_fail("unknown type");
				return;
			}
			t = (uint16_t)v;
		}
		canon_type_name(t, buf, sizeof(buf));
		printf("%s %u storable=%d dnssec=%d\n", buf, (unsigned)t,
		    canon_r53_storable(t), canon_is_dnssec(t));
		return;
	}
	}
	if (rc == 0 && out != NULL)
		printf("%s\n", out);
	else
		line_fail(err != NULL ? err : "failed");
	free(out);
	free(err);
}

static int
cmd_lines(enum linecmd cmd, uint16_t type, const char *arg)
{
	char *buf = NULL;
	size_t sz = 0;

	while (next_line(&buf, &sz))
		one_line(cmd, type, arg, buf);
	free(buf);
	return 0;
}

static const struct {
	const char *name;
	enum linecmd cmd;
	int needs_type;
} linecmds[] = {
	{ "text2canon", L_TEXT, 1 },
	{ "r53tocanon", L_R53, 1 },
	{ "canontor53", L_TOR53, 1 },
	{ "verify", L_VERIFY, 1 },
	{ "rdata2canon", L_RDATA, 1 },
	{ "msgrdata", L_MSG, 1 },
	{ "name2canon", L_NAME, 0 },
	{ "r53name", L_R53NAME, 0 },
	{ "name2r53", L_NAME2R53, 0 },
	{ "namecheck", L_NAMECHECK, 0 },
	{ "subdomain", L_SUBDOMAIN, 0 },
	{ "highoctet", L_HIGH, 0 },
	{ "typename", L_TYPENAME, 0 },
};

static _Noreturn void
usage(void)
{
	fprintf(stderr, "usage: canon_test wire2canon [ORIGIN] | bench N | "
	    "text2canon|r53tocanon|canontor53|verify|rdata2canon|msgrdata TYPE "
	    "[ORIGIN] | "
	    "name2canon|r53name|name2r53|namecheck|highoctet|typename | "
	    "subdomain ORIGIN\n");
	exit(EXIT_USAGE);
}

int
main(int argc, char **argv)
{
	size_t i;
	int rc;

	if (argc < 2)
		usage();
	if (strcmp(argv[1], "wire2canon") == 0) {
		rc = cmd_wire2canon(argc > 2 ? argv[2] : NULL);
		return rc == -1 || failed ? EXIT_BADINPUT : EXIT_OK;
	}
	if (strcmp(argv[1], "bench") == 0) {
		if (argc != 3)
			usage();
		return cmd_bench(argv[2]) == -1 ? EXIT_BADINPUT : EXIT_OK;
	}
	for (i = 0; i < sizeof(linecmds) / sizeof(linecmds[0]); i++) {
		uint16_t type = 0;
		const char *arg;

		if (strcmp(argv[1], linecmds[i].name) != 0)
			continue;
		if (linecmds[i].needs_type) {
			if (argc < 3 || argc > 4)
				usage();
			if (get_type(argv[2], &type) == -1)
				return EXIT_USAGE;
			arg = argc > 3 ? argv[3] : NULL;
		} else {
			if (linecmds[i].cmd == L_SUBDOMAIN ? argc != 3 :
			    argc != 2)
				usage();
			arg = argc > 2 ? argv[2] : NULL;
		}
		cmd_lines(linecmds[i].cmd, type, arg);
		return failed ? EXIT_BADINPUT : EXIT_OK;
	}
	usage();
}

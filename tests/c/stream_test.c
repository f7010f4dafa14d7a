/*
 * stream_test: drives lib/common/stream/stream.c and zonebuf.c for
 * tests/10-stream.bats.
 *
 *   stream_test cat FILE          read an RRset stream, write it to stdout
 *   stream_test catchange FILE    the same for a change stream
 *   stream_test copy IN OUT [N]   read IN, write OUT atomically; with N,
 *                                 abort after N records (OUT must not
 *                                 appear, no temporary file left)
 *   stream_test zonebuf ORIGIN    records on stdin, one per line:
 *                                 OWNER TAB TYPE TAB SETID TAB TTL TAB
 *                                 RDATA TAB R53 TAB RAW ("-" = none, TTL
 *                                 "-" = alias); the stream on stdout
 *   stream_test zonebuf-cb ORIGIN the same with a TTL-conflict callback
 *                                 that prints "conflict KEY LO HI" on
 *                                 stderr instead of the library warning
 *   stream_test format OWNER TYPE SETID TTL R53 RAW [RDATA...]
 *                                 rrset_format ("-" = none)
 *   stream_test parse LINE        rrset_parse; prints the fields
 *   stream_test put KIND ORIGIN [OUT]
 *                                 KIND rrset or change: put the lines of
 *                                 stdin through the writer unchecked by a
 *                                 reader (tests the writer's own checks);
 *                                 a line "#EXTRA words" is the commit's
 *                                 EXTRA
 *   stream_test namecheck         names on stdin, one per line: prints
 *                                 "NAME TAB reader TAB names", whether the
 *                                 stream reader (rrset_parse on an owner)
 *                                 and names.c (name_is_canonical) accept it
 *   stream_test fuzz KIND FILE N SEED
 *                                 read N mutated copies of FILE (one
 *                                 octet changed, inserted or deleted, or
 *                                 the file cut) as KIND (rrset, change);
 *                                 prints "accepted=A rejected=R"; a crash
 *                                 or sanitizer report is the failure
 *   stream_test setid TEXT        setid_escape, then setid_unescape back
 *   stream_test unsetid TEXT      setid_unescape
 *   stream_test sortcheck N SEED DIR
 *                                 N random records (long shared prefixes,
 *                                 duplicates) through a zonebuf into
 *                                 DIR/got, and the stream built
 *                                 independently (qsort, strcmp), record
 *                                 lines only, into DIR/expected
 * Exit 0 on success, 2 after a reported error, 3 on usage errors.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "exitcodes.h"
#include "names.h"
#include "log.h"
#include "stream.h"
#include "zonebuf.h"

static void
copy_header(const char *key, const char *value, void *arg)
{
	if (strm_put_header(arg, key, value) == -1)
		log_msg("header copy failed");
}

/* cat_rrsets(in, out, limit): copy; limit -1 = all. */
static int
cat_rrsets(const char *in, const char *out, long limit)
{
	struct strm_reader *r = NULL;
	struct strm_writer *w = NULL;
	const struct rrset *rr;
	enum strm_status st;
	long n = 0;

	if ((r = strm_open(in, STRM_RRSET)) == NULL)
		return EXIT_BADINPUT;
	if ((w = strm_create(out, STRM_RRSET)) == NULL)
		goto fail;
	strm_header_each(r, copy_header, w);
	while ((st = strm_next(r, &rr)) == STRM_OK) {
		if (limit >= 0 && n++ == limit) {
			log_msg("aborting after %ld records", limit);
			goto fail;
		}
		if (strm_put_line(w, rr->line, rr->len) == -1)
			goto fail;
	}
	if (st == STRM_ERROR)
		goto fail;
	if (strm_count(r) != strtoul(strm_trailer(r, "rrsets"), NULL, 10))
		goto fail;
	strm_close(r);
	return strm_commit(w, NULL) == 0 ? EXIT_OK : EXIT_BADINPUT;
fail:
	strm_abort(w);
	strm_close(r);
	return EXIT_BADINPUT;
}

/* add_word: trailer words other than the writer's own counts. */
static void
add_word(const char *key, const char *value, void *arg)
{
	char *extra = arg;
	size_t len = strlen(extra);

	if (strcmp(key, "changes") == 0 || strcmp(key, "adds") == 0 ||
	    strcmp(key, "deletes") == 0 || strcmp(key, "updates") == 0)
		return;
	snprintf(extra + len, 1024 - len, "%s%s=%s", len ? " " : "", key,
	    value);
}

static int
cat_changes(const char *in)
{
	struct strm_reader *r = NULL;
	struct strm_writer *w = NULL;
	const struct change *ch;
	enum strm_status st;
	char extra[1024];

	if ((r = strm_open(in, STRM_CHANGE)) == NULL)
		return EXIT_BADINPUT;
	if ((w = strm_create("-", STRM_CHANGE)) == NULL)
		goto fail;
	strm_header_each(r, copy_header, w);
	while ((st = strm_next_change(r, &ch)) == STRM_OK) {
		int rc;

		if (ch->kind == CHANGE_UPDATE)
			rc = strm_put_change(w, '<', ch->old->line,
			    ch->old->len) == 0 && strm_put_change(w, '>',
			    ch->new->line, ch->new->len) == 0 ? 0 : -1;
		else if (ch->kind == CHANGE_ADD)
			rc = strm_put_change(w, '+', ch->new->line,
			    ch->new->len);
		else
			rc = strm_put_change(w, '-', ch->old->line,
			    ch->old->len);
		if (rc == -1)
			goto fail;
	}
	if (st == STRM_ERROR)
		goto fail;
	extra[0] = '\0';
	strm_trailer_each(r, add_word, extra);
	strm_close(r);
	return strm_commit(w, extra) == 0 ? EXIT_OK : EXIT_BADINPUT;
fail:
	strm_abort(w);
	strm_close(r);
	return EXIT_BADINPUT;
}

static int
put_run(const char *kind, const char *origin, const char *out)
{
	struct strm_writer *w = NULL;
	char *line = NULL, *extra = NULL;
	size_t cap = 0;
	ssize_t n;
	int rc = EXIT_BADINPUT;

	w = strm_create(out, strcmp(kind, "change") == 0 ? STRM_CHANGE :
	    STRM_RRSET);
	if (w == NULL || strm_put_header(w, "origin", origin) == -1 ||
	    strm_put_header(w, "producer", "stream_test") == -1)
		goto out;
	while ((n = getline(&line, &cap, stdin)) > 0) {
		if (line[n - 1] == '\n')
			line[--n] = '\0';
		if (strncmp(line, "#EXTRA ", 7) == 0) {
			free(extra);
			if ((extra = strdup(line + 7)) == NULL)
				goto out;
			continue;
		}
		if (strm_put_line(w, line, (size_t)n) == -1)
			goto out;
	}
	rc = strm_commit(w, extra) == 0 ? EXIT_OK : EXIT_BADINPUT;
	w = NULL;
out:
	strm_abort(w);
	free(line);
	free(extra);
	return rc;
}

static const char *
opt(char *s)
{
	return strcmp(s, "-") == 0 ? NULL : s;
}

static void
ttl_cb(const char *key, long lo, long hi, void *arg)
{
	(void)arg;
	fprintf(stderr, "conflict %s %ld %ld\n", key, lo, hi);
}

static int
zonebuf_run(const char *origin, int cb)
{
	struct zonebuf *zb = NULL;
	struct strm_writer *w = NULL;
	char *line = NULL, *f[7], *p;
	size_t cap = 0;
	ssize_t n;
	unsigned long nr;
	int i, rc = EXIT_BADINPUT;

	if ((zb = zonebuf_new(origin)) == NULL)
		return EXIT_BADINPUT;
	if (cb)
		zonebuf_on_ttl_conflict(zb, ttl_cb, NULL);
	while ((n = getline(&line, &cap, stdin)) > 0) {
		if (line[n - 1] == '\n')
			line[n - 1] = '\0';
		p = line;
		for (i = 0; i < 7; i++) {
			f[i] = p;
			p = p ? strchr(p, '\t') : NULL;
			if (p != NULL)
				*p++ = '\0';
		}
		if (f[6] == NULL) {
			log_msg("need 7 fields");
			goto out;
		}
		if (zonebuf_add(zb, f[0], f[1], opt(f[2]),
		    strcmp(f[3], "-") == 0 ? -1 : atol(f[3]), opt(f[4]),
		    opt(f[5]), opt(f[6])) == -1)
			goto out;
	}
	if ((w = strm_create("-", STRM_RRSET)) == NULL ||
	    strm_put_header(w, "origin", origin) == -1 ||
	    strm_put_header(w, "producer", "stream_test") == -1 ||
	    zonebuf_write(zb, w, &nr) == -1)
		goto out;
	fprintf(stderr, "records=%lu rrsets=%lu ttl-conflicts=%lu\n",
	    zonebuf_records(zb), nr, zonebuf_ttl_conflicts(zb));
	rc = strm_commit(w, NULL) == 0 ? EXIT_OK : EXIT_BADINPUT;
	w = NULL;
out:
	strm_abort(w);
	zonebuf_free(zb);
	free(line);
	return rc;
}

static int
format_run(int argc, char **argv)
{
	char *out = NULL;
	size_t len;

	if (rrset_format(argv[0], argv[1], opt(argv[2]),
	    strcmp(argv[3], "-") == 0 ? -1 : atol(argv[3]), argv + 6,
	    (size_t)(argc - 6), opt(argv[4]), opt(argv[5]), &out, &len) == -1)
		return EXIT_BADINPUT;
	fwrite(out, 1, len, stdout);
	putchar('\n');
	free(out);
	return EXIT_OK;
}

static void
pr(const char *name, const char *p, size_t n)
{
	if (p != NULL)
		printf("%s=%.*s\n", name, (int)n, p);
}

static int
parse_run(const char *line)
{
	struct rrset rr;
	size_t i;

	memset(&rr, 0, sizeof(rr));
	if (rrset_parse(line, strlen(line), &rr, "arg", 1) == -1) {
		rrset_free_arrays(&rr);
		return EXIT_BADINPUT;
	}
	pr("owner", rr.owner, rr.owner_len);
	pr("type", rr.type, rr.type_len);
	pr("setid", rr.setid, rr.setid_len);
	printf("ttl=%ld\n", rr.ttl);
	for (i = 0; i < rr.nrdata; i++)
		pr("rdata", rr.rdata[i], rr.rdata_len[i]);
	pr("r53", rr.r53, rr.r53_len);
	pr("raw", rr.raw, rr.raw_len);
	printf("key=%.*s\ncmp=%.*s\nroute53-only=%d\nunconverted=%d\n",
	    (int)rr.key_len, rr.line, (int)rr.cmp_len, rr.line,
	    rrset_route53_only(&rr), rrset_unconverted(&rr));
	rrset_free_arrays(&rr);
	return EXIT_OK;
}

static int
namecheck_run(void)
{
	struct rrset rr;
	char *name = NULL, *line = NULL;
	size_t cap = 0, len;
	ssize_t n;
	int ok, fd;

	memset(&rr, 0, sizeof(rr));
	/* the reader's messages are not wanted here */
	fd = dup(2);
	if (freopen("/dev/null", "w", stderr) == NULL)
		return EXIT_BADINPUT;
	while ((n = getline(&name, &cap, stdin)) > 0) {
		if (name[n - 1] == '\n')
			name[--n] = '\0';
		len = (size_t)n + 20;
		free(line);
		if ((line = malloc(len)) == NULL)
			break;
		snprintf(line, len, "%s\tA\t1\t192.0.2.1", name);
		ok = rrset_parse(line, strlen(line), &rr, "x", 1) == 0;
		printf("%s\t%d\t%d\n", name, ok,
		    name_is_canonical(name, (size_t)n));
	}
	rrset_free_arrays(&rr);
	free(line);
	free(name);
	if (fd >= 0)
		close(fd);
	return EXIT_OK;
}

/* read_all(path, &len): the whole file, malloc'd. */
static char *
read_all(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	long n;

	if (f == NULL || fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET) != 0 || (buf = malloc((size_t)n + 2)) == NULL ||
	    fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		buf = NULL;
	} else
		*len = (size_t)n;
	if (f != NULL)
		fclose(f);
	return buf;
}

/* fuzz_one(kind, data, len): read DATA as a stream; 1 accepted, 0 not. */
static int
fuzz_one(enum strm_kind kind, const char *data, size_t len)
{
	struct strm_reader *r;
	const struct rrset *rr;
	const struct change *ch;
	enum strm_status st;
	FILE *f = tmpfile();
	int ok = 0;

	if (f == NULL || fwrite(data, 1, len, f) != len || fflush(f) != 0 ||
	    fseek(f, 0, SEEK_SET) != 0) {
		if (f != NULL)
			fclose(f);
		return -1;
	}
	if ((r = strm_open_fd(fileno(f), "fuzz", kind)) != NULL) {
		if (kind == STRM_RRSET)
			while ((st = strm_next(r, &rr)) == STRM_OK)
				;
		else
			while ((st = strm_next_change(r, &ch)) == STRM_OK)
				;
		ok = st == STRM_END;
		strm_close(r);
	}
	fclose(f);
	return ok;
}

static int
fuzz_run(const char *kind, const char *path, long n, unsigned seed)
{
	char *orig, *buf;
	size_t len, blen, pos;
	long i, acc = 0, rej = 0;
	int rc;
	enum strm_kind k = strcmp(kind, "change") == 0 ? STRM_CHANGE :
	    STRM_RRSET;
	static const char oct[] = "\t\n #+-<>@\\/.*aZ09\r\001\377{}[]";

	if ((orig = read_all(path, &len)) == NULL || len == 0 ||
	    (buf = malloc(len + 2)) == NULL) {
		free(orig);
		log_msg("%s: cannot read", path);
		return EXIT_BADINPUT;
	}
	srand(seed);
	if (freopen("/dev/null", "w", stderr) == NULL)
		return EXIT_BADINPUT;
	for (i = 0; i < n; i++) {
		memcpy(buf, orig, len);
		blen = len;
		pos = (size_t)rand() % len;
		switch (rand() % 4) {
		case 0:		/* change one octet */
			buf[pos] = oct[rand() % (int)(sizeof(oct) - 1)];
			break;
		case 1:		/* insert one */
			memmove(buf + pos + 1, buf + pos, len - pos);
			buf[pos] = oct[rand() % (int)(sizeof(oct) - 1)];
			blen++;
			break;
		case 2:		/* delete one */
			memmove(buf + pos, buf + pos + 1, len - pos - 1);
			blen--;
			break;
		default:	/* cut */
			blen = pos;
			break;
		}
		rc = fuzz_one(k, buf, blen);
		if (rc < 0)
			break;
		if (rc)
			acc++;
		else
			rej++;
	}
	printf("accepted=%ld rejected=%ld\n", acc, rej);
	free(buf);
	free(orig);
	return i == n ? EXIT_OK : EXIT_BADINPUT;
}

static int
setid_run(const char *text, int escape)
{
	char *e = NULL, *u = NULL;
	size_t ul;
	int rc = EXIT_BADINPUT;

	if (escape) {
		if ((e = setid_escape(text, strlen(text))) == NULL)
			goto out;
		printf("%s\n", e);
		text = e;
	}
	if ((u = setid_unescape(text, strlen(text), &ul)) == NULL) {
		log_msg("bad SetIdentifier text");
		goto out;
	}
	fwrite(u, 1, ul, stdout);
	putchar('\n');
	rc = EXIT_OK;
out:
	free(e);
	free(u);
	return rc;
}

/*
 * sortcheck: N random records, with long shared prefixes, duplicates and
 * keys that are prefixes of others, go through a zonebuf; its stream must
 * be byte for byte the one built here independently (qsort with strcmp
 * on "KEY TAB RDATA", duplicates dropped, records of one key joined).
 */
#define SC_ORIGIN "ex."

/* sc_word(buf, max, alpha): a random word of 1..MAX octets of ALPHA. */
static void
sc_word(char *buf, size_t max, const char *alpha)
{
	size_t n = 1 + (size_t)rand() % max, i, na = strlen(alpha);

	for (i = 0; i < n; i++)
		buf[i] = alpha[(size_t)rand() % na];
	buf[n] = '\0';
}

/* sc_record(owner, type, rdata): one random record. */
static void
sc_record(char *owner, char *type, char *rdata)
{
	static const char *const types[] = { "A", "AAAA", "MX", "TXT",
	    "TYPE65534", "AA" };
	static const char *const pre[] = { "", "xxxxxxxxxxxxxxxxxxxxxxx ",
	    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx" };
	char lab[8], w[64];
	int nl = 1 + rand() % 3, i;
	size_t o = 0;

	for (i = 0; i < nl; i++) {
		sc_word(lab, 3, "ab0");	/* never "-" first */
		o += (size_t)snprintf(owner + o, 64 - o, "%s.", lab);
	}
	snprintf(owner + o, 64 - o, "%s", SC_ORIGIN);
	snprintf(type, 16, "%s", types[rand() % 6]);
	sc_word(w, 1 + (size_t)(rand() % 12), "abc0");
	snprintf(rdata, 128, "%s%s", pre[rand() % 3], w);
}

static int
cmp_str_p(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* sc_expected(recs, n, out): the stream lines of the sorted records. */
static int
sc_expected(char **recs, size_t n, FILE *out)
{
	size_t i, kl = 0;
	const char *prev = NULL;

	qsort(recs, n, sizeof(*recs), cmp_str_p);
	for (i = 0; i < n; i++) {
		const char *r = recs[i], *tab = strchr(strchr(r, '\t') + 1,
		    '\t');
		size_t l = (size_t)(tab - r);

		if (prev != NULL && strcmp(prev, r) == 0)
			continue;
		if (prev != NULL && l == kl && strncmp(prev, r, l) == 0)
			fprintf(out, "\t%s", tab + 1);
		else
			fprintf(out, "%s%.*s\t300\t%s", prev ? "\n" : "",
			    (int)l, r, tab + 1);
		prev = r;
		kl = l;
	}
	if (prev != NULL)
		fputc('\n', out);
	return 0;
}

static int
sortcheck_run(long n, unsigned seed, const char *dir)
{
	struct zonebuf *zb = NULL;
	struct strm_writer *w = NULL;
	char **recs = NULL, path[4096], owner[64], type[16], rdata[128];
	FILE *ex = NULL;
	long i;
	int rc = EXIT_BADINPUT;

	srand(seed);
	if (n < 1 || (recs = calloc((size_t)n, sizeof(*recs))) == NULL ||
	    (zb = zonebuf_new(SC_ORIGIN)) == NULL)
		goto out;
	for (i = 0; i < n; i++) {
		size_t l;

		sc_record(owner, type, rdata);
		if (zonebuf_add(zb, owner, type, NULL, 300, rdata, NULL,
		    NULL) == -1)
			goto out;
		l = strlen(owner) + strlen(type) + strlen(rdata) + 3;
		if ((recs[i] = malloc(l)) == NULL)
			goto out;
		snprintf(recs[i], l, "%s\t%s\t%s", owner, type, rdata);
	}
	snprintf(path, sizeof(path), "%s/expected", dir);
	if ((ex = fopen(path, "w")) == NULL)
		goto out;
	sc_expected(recs, (size_t)n, ex);
	i = fclose(ex);
	ex = NULL;
	if (i != 0)
		goto out;
	snprintf(path, sizeof(path), "%s/got", dir);
	if ((w = strm_create(path, STRM_RRSET)) == NULL ||
	    strm_put_header(w, "origin", SC_ORIGIN) == -1 ||
	    strm_put_header(w, "producer", "stream_test") == -1 ||
	    zonebuf_write(zb, w, NULL) == -1)
		goto out;
	rc = strm_commit(w, NULL) == 0 ? EXIT_OK : EXIT_BADINPUT;
	w = NULL;
out:
	if (ex != NULL)
		fclose(ex);
	strm_abort(w);
	for (i = 0; recs != NULL && i < n; i++)
		free(recs[i]);
	free(recs);
	zonebuf_free(zb);
	return rc;
}

int
main(int argc, char **argv)
{
	log_init("stream_test");
	if (argc == 3 && strcmp(argv[1], "cat") == 0)
		return cat_rrsets(argv[2], "-", -1);
	if (argc == 3 && strcmp(argv[1], "catchange") == 0)
		return cat_changes(argv[2]);
	if ((argc == 4 || argc == 5) && strcmp(argv[1], "copy") == 0)
		return cat_rrsets(argv[2], argv[3], argc == 5 ?
		    atol(argv[4]) : -1);
	if (argc == 3 && strcmp(argv[1], "zonebuf") == 0)
		return zonebuf_run(argv[2], 0);
	if (argc == 3 && strcmp(argv[1], "zonebuf-cb") == 0)
		return zonebuf_run(argv[2], 1);
	if (argc >= 8 && strcmp(argv[1], "format") == 0)
		return format_run(argc - 2, argv + 2);
	if (argc == 3 && strcmp(argv[1], "parse") == 0)
		return parse_run(argv[2]);
	if ((argc == 4 || argc == 5) && strcmp(argv[1], "put") == 0)
		return put_run(argv[2], argv[3], argc == 5 ? argv[4] : "-");
	if (argc == 6 && strcmp(argv[1], "fuzz") == 0)
		return fuzz_run(argv[2], argv[3], atol(argv[4]),
		    (unsigned)strtoul(argv[5], NULL, 10));
	if (argc == 5 && strcmp(argv[1], "sortcheck") == 0)
		return sortcheck_run(atol(argv[2]),
		    (unsigned)strtoul(argv[3], NULL, 10), argv[4]);
	if (argc == 2 && strcmp(argv[1], "namecheck") == 0)
		return namecheck_run();
	if (argc == 3 && strcmp(argv[1], "setid") == 0)
		return setid_run(argv[2], 1);
	if (argc == 3 && strcmp(argv[1], "unsetid") == 0)
		return setid_run(argv[2], 0);
	log_msg("usage: see the top of tests/c/stream_test.c");
	return EXIT_USAGE;
}

/*
 * sigv4_test: expose sigv4.c to the bats suite.
 *
 *   sigv4_test creq|sts|authz|sreq REQFILE [options]
 *
 * REQFILE is a raw HTTP request as in the AWS SigV4 test suites
 * ("METHOD TARGET HTTP/1.1", "Name:value" header lines, continuation lines
 * starting with white space, an empty line, the body).  Prints the
 * canonical request, string to sign, Authorization value, or the headers
 * as signed ("sreq"), with no trailing newline, so the output compares
 * byte for byte with the suites' files.
 *
 * Options: --region R (us-east-1), --service S (service), --date
 * YYYYMMDDTHHMMSSZ (else the request's X-Amz-Date), --no-normalize,
 * --sign-body (add X-Amz-Content-Sha256), --token-env VAR (add
 * X-Amz-Security-Token from VAR and sign it), --token-unsigned (add it
 * after signing).  The key pair comes from AWS_ACCESS_KEY_ID and
 * AWS_SECRET_ACCESS_KEY: secrets are never taken from argv.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "log.h"
#include "sigv4.h"

#define MAXH 64

struct req {
	char *buf;		/* the whole file, cut in place */
	char *method;
	char *path;
	char *query;
	struct sigv4_header h[MAXH];
	size_t nh;
	char *body;
	size_t bodylen;
};

/* What the command line asks for (the options at the top of the file). */
struct opts {
	const char *what;	/* creq, sts, authz or sreq */
	const char *file;	/* REQFILE */
	const char *region;
	const char *service;
	const char *date;	/* NULL: the request's X-Amz-Date */
	const char *token;	/* NULL: no X-Amz-Security-Token */
	int normalize;
	int sign_body;
	int token_unsigned;
};

/* The three results of signing, malloc'd. */
struct signed_req {
	char *creq;		/* canonical request */
	char *sts;		/* string to sign */
	char *authz;		/* Authorization value */
};

static char *
slurp(const char *file, size_t *len)
{
	FILE *f;
	char *buf = NULL, *nb;
	size_t n = 0, cap = 0, r;

	if ((f = fopen(file, "rb")) == NULL)
		return NULL;
	for (;;) {
		if (n + 4096 + 1 > cap) {
			cap = cap ? cap * 2 : 8192;
			if ((nb = realloc(buf, cap)) == NULL)
				goto fail;
			buf = nb;
		}
		r = fread(buf + n, 1, cap - n - 1, f);
		n += r;
		if (r == 0)
			break;
	}
	if (ferror(f))
		goto fail;
	fclose(f);
	buf[n] = '\0';
	*len = n;
	return buf;
fail:
	fclose(f);
	free(buf);
	return NULL;
}

/* Parse the raw request in r->buf (modified in place). */
static int
parse_req(struct req *r, size_t len)
{
	char *p = r->buf, *nl, *sp, *colon, *end = r->buf + len;

	/* Request line. */
	if ((nl = strchr(p, '\n')) == NULL)
		return -1;
	*nl = '\0';
	r->method = p;
	if ((sp = strchr(p, ' ')) == NULL)
		return -1;
	*sp = '\0';
	r->path = sp + 1;
	if ((sp = strrchr(r->path, ' ')) == NULL)
		return -1;
	*sp = '\0';
	if ((sp = strchr(r->path, '?')) != NULL) {
		*sp = '\0';
		r->query = sp + 1;
	}
	/* Headers until an empty line or the end. */
	for (p = nl + 1; p < end; p = nl + 1) {
		if ((nl = strchr(p, '\n')) == NULL)
			nl = end;
		*nl = '\0';
		if (*p == '\0') {
			r->body = nl + 1 <= end ? nl + 1 : end;
			r->bodylen = nl + 1 <= end ? (size_t)(end - nl - 1) : 0;
			return 0;
		}
		if ((*p == ' ' || *p == '\t') && r->nh > 0) {
			/* Continuation: glue to the previous value. */
			*(p - 1) = '\n';
			continue;
		}
		if ((colon = strchr(p, ':')) == NULL || r->nh == MAXH)
			return -1;
		*colon = '\0';
		r->h[r->nh].name = p;
		r->h[r->nh].value = colon + 1;
		r->nh++;
		if (nl == end)
			break;
	}
	r->body = end;
	r->bodylen = 0;
	return 0;
}

static const char *
find_header(const struct req *r, const char *name)
{
	size_t i;

	for (i = 0; i < r->nh; i++)
		if (strcasecmp(r->h[i].name, name) == 0)
			return r->h[i].value;
	return NULL;
}

static void
usage(void)
{
	log_die(3, "usage: sigv4_test creq|sts|authz|sreq REQFILE [--region R]"
	    " [--service S] [--date D] [--no-normalize] [--sign-body]"
	    " [--token-env VAR] [--token-unsigned]");
}

/* parse_args(argc, argv, o): fill O from the command line; dies with the
 * usage on anything else.  WHAT is checked only when printing. */
static void
parse_args(int argc, char **argv, struct opts *o)
{
	int a;

	if (argc < 3)
		usage();
	memset(o, 0, sizeof(*o));
	o->what = argv[1];
	o->file = argv[2];
	o->region = "us-east-1";
	o->service = "service";
	o->normalize = 1;
	for (a = 3; a < argc; a++) {
		if (strcmp(argv[a], "--region") == 0 && a + 1 < argc)
			o->region = argv[++a];
		else if (strcmp(argv[a], "--service") == 0 && a + 1 < argc)
			o->service = argv[++a];
		else if (strcmp(argv[a], "--date") == 0 && a + 1 < argc)
			o->date = argv[++a];
		else if (strcmp(argv[a], "--token-env") == 0 && a + 1 < argc)
			o->token = getenv(argv[++a]);
		else if (strcmp(argv[a], "--no-normalize") == 0)
			o->normalize = 0;
		else if (strcmp(argv[a], "--sign-body") == 0)
			o->sign_body = 1;
		else if (strcmp(argv[a], "--token-unsigned") == 0)
			o->token_unsigned = 1;
		else
			usage();
	}
}

/* add_header(r, name, value): append a header to sign, unless the table
 * is full (a request of MAXH headers then goes as it is). */
static void
add_header(struct req *r, const char *name, const char *value)
{
	if (r->nh == MAXH)
		return;
	r->h[r->nh].name = name;
	r->h[r->nh].value = value;
	r->nh++;
}

/* request_date(r, o): the date to sign with: --date, which the request
 * then also carries as X-Amz-Date, else the request's own X-Amz-Date. */
static const char *
request_date(struct req *r, const struct opts *o)
{
	const char *date = o->date;

	if (date == NULL)
		date = find_header(r, "X-Amz-Date");
	else if (find_header(r, "X-Amz-Date") == NULL)
		add_header(r, "X-Amz-Date", date);
	if (date == NULL)
		log_die(3, "no --date and no X-Amz-Date header");
	return date;
}

/* add_option_headers(r, o, bodyhash): the headers --sign-body and
 * --token-env add before signing; BODYHASH holds the body's hash. */
static void
add_option_headers(struct req *r, const struct opts *o, char bodyhash[65])
{
	if (o->sign_body) {
		sigv4_sha256_hex(r->body, r->bodylen, bodyhash);
		add_header(r, "X-Amz-Content-Sha256", bodyhash);
	}
	if (o->token != NULL && !o->token_unsigned)
		add_header(r, "X-Amz-Security-Token", o->token);
}

/* sign_request(r, o, date, akid, secret, s): sign R; dies on failure. */
static void
sign_request(const struct req *r, const struct opts *o, const char *date,
    const char *akid, const char *secret, struct signed_req *s)
{
	const struct sigv4_request sr = {
		.method = r->method, .path = r->path, .query = r->query,
		.headers = r->h, .nheaders = r->nh,
		.body = r->body, .bodylen = r->bodylen,
		.normalize_path = o->normalize
	};

	if ((s->creq = sigv4_canonical_request(&sr, NULL)) == NULL ||
	    (s->sts = sigv4_string_to_sign(date, o->region, o->service,
	    s->creq)) == NULL ||
	    (s->authz = sigv4_authorization(&sr, akid, secret, date,
	    o->region, o->service)) == NULL)
		log_die(2, "signing failed");
}

/* print_result(o, r, s): the part WHAT names, without a final newline;
 * "sreq" prints the headers as sent: the unsigned token goes last. */
static void
print_result(const struct opts *o, const struct req *r,
    const struct signed_req *s)
{
	size_t i;

	if (strcmp(o->what, "creq") == 0)
		fputs(s->creq, stdout);
	else if (strcmp(o->what, "sts") == 0)
		fputs(s->sts, stdout);
	else if (strcmp(o->what, "authz") == 0)
		fputs(s->authz, stdout);
	else if (strcmp(o->what, "sreq") == 0) {
		for (i = 0; i < r->nh; i++)
			printf("%s:%s\n", r->h[i].name, r->h[i].value);
		if (o->token != NULL && o->token_unsigned)
			printf("X-Amz-Security-Token:%s\n", o->token);
		printf("Authorization: %s", s->authz);
	} else
		usage();
}

int
main(int argc, char **argv)
{
	struct opts o;
	struct req r;
	struct signed_req s;
	const char *akid, *secret, *date;
	char bodyhash[65];
	size_t len;

	log_init(argv[0]);
	memset(&r, 0, sizeof(r));
	parse_args(argc, argv, &o);
	akid = getenv("AWS_ACCESS_KEY_ID");
	secret = getenv("AWS_SECRET_ACCESS_KEY");
	if (akid == NULL || secret == NULL)
		log_die(3, "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY needed");
	if ((r.buf = slurp(o.file, &len)) == NULL)
		log_die(2, "%s: cannot read", o.file);
	if (parse_req(&r, len))
		log_die(2, "%s: not a raw HTTP request", o.file);
	date = request_date(&r, &o);
	add_option_headers(&r, &o, bodyhash);
	sign_request(&r, &o, date, akid, secret, &s);
	print_result(&o, &r, &s);
	free(s.creq);
	free(s.sts);
	free(s.authz);
	free(r.buf);
	return 0;
}

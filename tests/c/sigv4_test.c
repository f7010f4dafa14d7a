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

int
main(int argc, char **argv)
{
	struct req r;
	struct sigv4_request sr;
	const char *what, *region = "us-east-1", *service = "service";
	const char *date = NULL, *akid, *secret, *token = NULL;
	char *creq = NULL, *sts = NULL, *authz = NULL, bodyhash[65];
	size_t len, i;
	int normalize = 1, sign_body = 0, token_unsigned = 0, a;

	log_init(argv[0]);
	memset(&r, 0, sizeof(r));
	if (argc < 3)
		usage();
	what = argv[1];
	for (a = 3; a < argc; a++) {
		if (strcmp(argv[a], "--region") == 0 && a + 1 < argc)
			region = argv[++a];
		else if (strcmp(argv[a], "--service") == 0 && a + 1 < argc)
			service = argv[++a];
		else if (strcmp(argv[a], "--date") == 0 && a + 1 < argc)
			date = argv[++a];
		else if (strcmp(argv[a], "--token-env") == 0 && a + 1 < argc)
			token = getenv(argv[++a]);
		else if (strcmp(argv[a], "--no-normalize") == 0)
			normalize = 0;
		else if (strcmp(argv[a], "--sign-body") == 0)
			sign_body = 1;
		else if (strcmp(argv[a], "--token-unsigned") == 0)
			token_unsigned = 1;
		else
			usage();
	}
	akid = getenv("AWS_ACCESS_KEY_ID");
	secret = getenv("AWS_SECRET_ACCESS_KEY");
	if (akid == NULL || secret == NULL)
		log_die(3, "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY needed");
	if ((r.buf = slurp(argv[2], &len)) == NULL)
		log_die(2, "%s: cannot read", argv[2]);
	if (parse_req(&r, len))
		log_die(2, "%s: not a raw HTTP request", argv[2]);
	/* The date: option, else the request's own X-Amz-Date. */
	if (date == NULL)
		date = find_header(&r, "X-Amz-Date");
	else if (find_header(&r, "X-Amz-Date") == NULL && r.nh < MAXH) {
		r.h[r.nh].name = "X-Amz-Date";
		r.h[r.nh++].value = date;
	}
	if (date == NULL)
		log_die(3, "no --date and no X-Amz-Date header");
	if (sign_body && r.nh < MAXH) {
		sigv4_sha256_hex(r.body, r.bodylen, bodyhash);
		r.h[r.nh].name = "X-Amz-Content-Sha256";
		r.h[r.nh++].value = bodyhash;
	}
	if (token != NULL && !token_unsigned && r.nh < MAXH) {
		r.h[r.nh].name = "X-Amz-Security-Token";
		r.h[r.nh++].value = token;
	}
	sr.method = r.method;
	sr.path = r.path;
	sr.query = r.query;
	sr.headers = r.h;
	sr.nheaders = r.nh;
	sr.body = r.body;
	sr.bodylen = r.bodylen;
	sr.normalize_path = normalize;
	if ((creq = sigv4_canonical_request(&sr, NULL)) == NULL ||
	    (sts = sigv4_string_to_sign(date, region, service, creq)) == NULL ||
	    (authz = sigv4_authorization(&sr, akid, secret, date, region,
	    service)) == NULL)
		log_die(2, "signing failed");
	if (strcmp(what, "creq") == 0)
		fputs(creq, stdout);
	else if (strcmp(what, "sts") == 0)
		fputs(sts, stdout);
	else if (strcmp(what, "authz") == 0)
		fputs(authz, stdout);
	else if (strcmp(what, "sreq") == 0) {
		for (i = 0; i < r.nh; i++)
			printf("%s:%s\n", r.h[i].name, r.h[i].value);
		if (token != NULL && token_unsigned)
			printf("X-Amz-Security-Token:%s\n", token);
		printf("Authorization: %s", authz);
	} else
		usage();
	free(creq);
	free(sts);
	free(authz);
	free(r.buf);
	return 0;
}

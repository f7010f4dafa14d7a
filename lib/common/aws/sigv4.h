/*
 * sigv4.h: AWS Signature Version 4 (header form), after Tarsnap's
 * aws_sign.c: canonical request, string to sign, derived key, signature.
 * Pure functions of their inputs; the caller supplies the date.
 */
#ifndef R53M_SIGV4_H
#define R53M_SIGV4_H

#include <stddef.h>
#include <time.h>

struct sigv4_header {
	const char *name;	/* any case; lower-cased when canonicalised */
	const char *value;	/* trimmed, inner runs of spaces collapsed */
};

struct sigv4_request {
	const char *method;		/* "GET", "POST" */
	const char *path;		/* as sent: URI-encoded, may be "" */
	const char *query;		/* as sent, without '?', or NULL */
	const struct sigv4_header *headers;	/* the headers to sign */
	size_t nheaders;
	const void *body;		/* may be NULL when bodylen is 0 */
	size_t bodylen;
	int normalize_path;		/* remove dot segments, merge slashes
					 * (every service except S3) */
};

/*
 * sigv4_canonical_request(req, signed_headers): the canonical request,
 * malloc'd (caller frees); *signed_headers (when not NULL) gets the
 * malloc'd "host;x-amz-date" list.  NULL on out of memory or a header
 * with no name.
 */
char *sigv4_canonical_request(const struct sigv4_request *req,
    char **signed_headers);

/*
 * sigv4_string_to_sign(amzdate, region, service, creq): the string to
 * sign for canonical request creq, malloc'd (caller frees).  amzdate is
 * "YYYYMMDDTHHMMSSZ".
 */
char *sigv4_string_to_sign(const char *amzdate, const char *region,
    const char *service, const char *creq);

/*
 * sigv4_signature(secret, amzdate, region, service, sts, hex): the
 * signature of sts as 64 lower-case hex digits plus NUL in hex.  The
 * derived keys are zeroed.  Returns 0, or -1 on an OpenSSL failure.
 */
int sigv4_signature(const char *secret, const char *amzdate,
    const char *region, const char *service, const char *sts, char hex[65]);

/*
 * sigv4_authorization(req, access_key_id, secret, amzdate, region,
 *     service): the whole Authorization header value ("AWS4-HMAC-SHA256
 * Credential=..., SignedHeaders=..., Signature=..."), malloc'd (caller
 * frees).  req must already hold host and x-amz-date (and
 * x-amz-security-token when a session token is used).  NULL on failure.
 */
char *sigv4_authorization(const struct sigv4_request *req,
    const char *access_key_id, const char *secret, const char *amzdate,
    const char *region, const char *service);

/* sigv4_sha256_hex(data, len, hex): SHA-256 as lower-case hex. */
int sigv4_sha256_hex(const void *data, size_t len, char hex[65]);

/* sigv4_amzdate(t, buf): format t (UTC) as "YYYYMMDDTHHMMSSZ". */
void sigv4_amzdate(time_t t, char buf[17]);

/* sigv4_uri_encode(s, len, keep_slash): RFC 3986 encoding with AWS rules
 * (unreserved A-Z a-z 0-9 - . _ ~ kept, '/' kept when keep_slash, others
 * %XX upper-case); malloc'd, caller frees. */
char *sigv4_uri_encode(const char *s, size_t len, int keep_slash);

#endif

/*
 * sigv4.c: AWS Signature Version 4, header form, in the manner of
 * Tarsnap's aws_sign.c: build the canonical request, hash it into the
 * string to sign, derive the signing key by an HMAC chain over date,
 * region, service and "aws4_request", and sign.  Intermediate keys are
 * zeroed before they go out of scope.
 */
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "sbuf.h"
#include "sigv4.h"

static const char hexdig[] = "0123456789abcdef";

static void
tohex(const uint8_t *in, size_t n, char *out)
{
	size_t i;

	for (i = 0; i < n; i++) {
		out[2 * i] = hexdig[in[i] >> 4];
		out[2 * i + 1] = hexdig[in[i] & 15];
	}
	out[2 * n] = '\0';
}

int
sigv4_sha256_hex(const void *data, size_t len, char hex[65])
{
	uint8_t md[32];
	unsigned int mdlen = 0;

	if (EVP_Digest(data != NULL ? data : "", len, md, &mdlen,
	    EVP_sha256(), NULL) != 1 || mdlen != 32)
		return -1;
	tohex(md, 32, hex);
	return 0;
}

void
sigv4_amzdate(time_t t, char buf[17])
{
	struct tm tm;

	gmtime_r(&t, &tm);
	if (strftime(buf, 17, "%Y%m%dT%H%M%SZ", &tm) != 16)
		buf[0] = '\0';
}

static int
unreserved(unsigned char c)
{
	return isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~';
}

static void
uri_encode_into(struct sbuf *b, const char *s, size_t len, int keep_slash)
{
	static const char up[] = "0123456789ABCDEF";
	char esc[3];
	size_t i;
	unsigned char c;

	for (i = 0; i < len; i++) {
		c = (unsigned char)s[i];
		if (c < 0x80 && (unreserved(c) || (keep_slash && c == '/'))) {
			sbuf_add(b, (const char *)&s[i], 1);
			continue;
		}
		esc[0] = '%';
		esc[1] = up[c >> 4];
		esc[2] = up[c & 15];
		sbuf_add(b, esc, 3);
	}
}

char *
sigv4_uri_encode(const char *s, size_t len, int keep_slash)
{
	struct sbuf b = { 0 };

	uri_encode_into(&b, s, len, keep_slash);
	return sbuf_done(&b);
}

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Percent-decode s[0..len) into a new string (caller frees), so that a
 * query already encoded and one given raw canonicalise alike. */
static char *
uri_decode(const char *s, size_t len, size_t *outlen)
{
	char *d;
	size_t i, n = 0;

	if ((d = malloc(len + 1)) == NULL)
		return NULL;
	for (i = 0; i < len; i++) {
		if (s[i] == '%' && i + 2 < len && hexval(s[i + 1]) >= 0 &&
		    hexval(s[i + 2]) >= 0) {
			d[n++] = (char)(hexval(s[i + 1]) * 16 + hexval(s[i + 2]));
			i += 2;
		} else
			d[n++] = s[i];
	}
	d[n] = '\0';
	*outlen = n;
	return d;
}

/* Canonical URI: dot segments removed and empty segments merged when
 * normalising, then every segment URI-encoded (AWS encodes the path as
 * sent once more for every service but S3). */
static int
canon_uri(struct sbuf *b, const char *path, int normalize)
{
	const char **seg = NULL;
	const char *p, *e;
	size_t *seglen = NULL, nseg = 0, i, n;
	int trailing;

	if (path == NULL || *path == '\0') {
		sbuf_str(b, "/");
		return 0;
	}
	if (!normalize) {
		uri_encode_into(b, path, strlen(path), 1);
		return 0;
	}
	n = strlen(path);
	if ((seg = calloc(n + 1, sizeof(*seg))) == NULL ||
	    (seglen = calloc(n + 1, sizeof(*seglen))) == NULL) {
		free(seg);
		return -1;
	}
	/* Walk the segments, applying "." and ".." as RFC 3986 does. */
	for (p = path; *p != '\0'; p = *e ? e + 1 : e) {
		e = strchr(p, '/');
		if (e == NULL)
			e = p + strlen(p);
		if (e == p || (e - p == 1 && p[0] == '.'))
			continue;
		if (e - p == 2 && p[0] == '.' && p[1] == '.') {
			if (nseg > 0)
				nseg--;
			continue;
		}
		seg[nseg] = p;
		seglen[nseg++] = (size_t)(e - p);
	}
	/* A path ending in "/", "/." or "/.." keeps a trailing slash. */
	trailing = path[n - 1] == '/' ||
	    (n >= 2 && strcmp(path + n - 2, "/.") == 0) ||
	    (n >= 3 && strcmp(path + n - 3, "/..") == 0);
	for (i = 0; i < nseg; i++) {
		sbuf_str(b, "/");
		uri_encode_into(b, seg[i], seglen[i], 0);
	}
	if (nseg == 0 || trailing)
		sbuf_str(b, "/");
	free(seg);
	free(seglen);
	return 0;
}

struct qpair {
	char *k;
	char *v;
};

static int
qpair_cmp(const void *a, const void *b)
{
	const struct qpair *x = a, *y = b;
	int r;

	if ((r = strcmp(x->k, y->k)) != 0)
		return r;
	return strcmp(x->v, y->v);
}

/* Encode one key or value of the query the AWS way (decode first). */
static char *
query_part(const char *s, size_t len)
{
	char *raw, *enc;
	size_t rawlen;

	if ((raw = uri_decode(s, len, &rawlen)) == NULL)
		return NULL;
	enc = sigv4_uri_encode(raw, rawlen, 0);
	free(raw);
	return enc;
}

/* Canonical query string: pairs encoded, sorted by key then value. */
static int
canon_query(struct sbuf *b, const char *query)
{
	struct qpair *q = NULL;
	const char *p, *e, *eq;
	size_t n = 0, cap = 1, i;
	int rc = -1;

	if (query == NULL || *query == '\0')
		return 0;
	for (p = query; *p != '\0'; p++)
		cap += *p == '&';
	if ((q = calloc(cap, sizeof(*q))) == NULL)
		return -1;
	for (p = query; ; p = e + 1) {
		e = strchr(p, '&');
		if (e == NULL)
			e = p + strlen(p);
		if (e > p) {
			eq = memchr(p, '=', (size_t)(e - p));
			q[n].k = query_part(p, (size_t)((eq ? eq : e) - p));
			q[n].v = eq ? query_part(eq + 1, (size_t)(e - eq - 1)) :
			    strdup("");
			n++;
			if (q[n - 1].k == NULL || q[n - 1].v == NULL)
				goto fail;
		}
		if (*e == '\0')
			break;
	}
	qsort(q, n, sizeof(*q), qpair_cmp);
	for (i = 0; i < n; i++) {
		if (i > 0)
			sbuf_str(b, "&");
		sbuf_str(b, q[i].k);
		sbuf_str(b, "=");
		sbuf_str(b, q[i].v);
	}
	rc = 0;
fail:
	for (i = 0; i < n; i++) {
		free(q[i].k);
		free(q[i].v);
	}
	free(q);
	return rc;
}

/* Header value: trimmed, every run of white space made one space. */
static void
canon_value(struct sbuf *b, const char *v)
{
	int space = 0, started = 0;

	for (; *v != '\0'; v++) {
		if (*v == ' ' || *v == '\t' || *v == '\n' || *v == '\r') {
			space = started;
			continue;
		}
		if (space)
			sbuf_str(b, " ");
		space = 0;
		started = 1;
		sbuf_add(b, v, 1);
	}
}

static int
lower_cmp(const char *a, const char *b)
{
	int x, y;

	for (;; a++, b++) {
		x = tolower((unsigned char)*a);
		y = tolower((unsigned char)*b);
		if (x != y || x == 0)
			return x - y;
	}
}

static void
add_lower(struct sbuf *b, const char *s)
{
	char c;

	for (; *s != '\0'; s++) {
		c = (char)tolower((unsigned char)*s);
		sbuf_add(b, &c, 1);
	}
}

/* Canonical headers and the signed-header list; headers with the same
 * name are joined with ',' in the order given. */
static int
canon_headers(struct sbuf *b, struct sbuf *sh, const struct sigv4_header *h,
    size_t n)
{
	size_t *ord = NULL, i, j, t;

	if (n == 0)
		return 0;
	if ((ord = calloc(n, sizeof(*ord))) == NULL)
		return -1;
	/* Stable insertion sort by lower-cased name (n is small). */
	for (i = 0; i < n; i++) {
		if (h[i].name == NULL || h[i].name[0] == '\0') {
			free(ord);
			return -1;
		}
		ord[i] = i;
		for (j = i; j > 0 &&
		    lower_cmp(h[ord[j - 1]].name, h[ord[j]].name) > 0; j--) {
			t = ord[j];
			ord[j] = ord[j - 1];
			ord[j - 1] = t;
		}
	}
	for (i = 0; i < n; i++) {
		if (i > 0 && lower_cmp(h[ord[i - 1]].name, h[ord[i]].name) == 0) {
			sbuf_str(b, ",");
		} else {
			if (i > 0) {
				sbuf_str(b, "\n");
				sbuf_str(sh, ";");
			}
			add_lower(b, h[ord[i]].name);
			add_lower(sh, h[ord[i]].name);
			sbuf_str(b, ":");
		}
		canon_value(b, h[ord[i]].value != NULL ? h[ord[i]].value : "");
	}
	sbuf_str(b, "\n");
	free(ord);
	return 0;
}

char *
sigv4_canonical_request(const struct sigv4_request *req, char **signed_headers)
{
	struct sbuf b = { 0 }, sh = { 0 };
	char bodyhash[65];
	char *shs = NULL;

	/* 1. HTTP method. */
	sbuf_str(&b, req->method);
	sbuf_str(&b, "\n");
	/* 2. Canonical URI. */
	if (canon_uri(&b, req->path, req->normalize_path))
		goto fail;
	sbuf_str(&b, "\n");
	/* 3. Canonical query string. */
	if (canon_query(&b, req->query))
		goto fail;
	sbuf_str(&b, "\n");
	/* 4. Canonical headers, each "name:value\n". */
	if (canon_headers(&b, &sh, req->headers, req->nheaders))
		goto fail;
	sbuf_str(&b, "\n");
	/* 5. Signed headers. */
	if ((shs = sbuf_done(&sh)) == NULL)
		goto fail;
	sbuf_str(&b, shs);
	sbuf_str(&b, "\n");
	/* 6. Hex SHA-256 of the payload. */
	if (sigv4_sha256_hex(req->body, req->bodylen, bodyhash))
		goto fail;
	sbuf_str(&b, bodyhash);
	if (signed_headers != NULL)
		*signed_headers = shs;
	else
		free(shs);
	return sbuf_done(&b);
fail:
	free(shs);
	if (shs == NULL)
		free(sh.s);
	free(b.s);
	return NULL;
}

char *
sigv4_string_to_sign(const char *amzdate, const char *region,
    const char *service, const char *creq)
{
	struct sbuf b = { 0 };
	char hash[65];

	if (strlen(amzdate) != 16)
		return NULL;
	/* Algorithm, request date and credential scope. */
	sbuf_str(&b, "AWS4-HMAC-SHA256\n");
	sbuf_str(&b, amzdate);
	sbuf_str(&b, "\n");
	sbuf_add(&b, amzdate, 8);
	sbuf_str(&b, "/");
	sbuf_str(&b, region);
	sbuf_str(&b, "/");
	sbuf_str(&b, service);
	sbuf_str(&b, "/aws4_request\n");
	/* Hex SHA-256 of the canonical request. */
	if (sigv4_sha256_hex(creq, strlen(creq), hash)) {
		free(b.s);
		return NULL;
	}
	sbuf_str(&b, hash);
	return sbuf_done(&b);
}

/* out = HMAC-SHA256(key, msg). */
static int
hmac(const void *key, size_t keylen, const void *msg, size_t msglen,
    uint8_t out[32])
{
	unsigned int outlen = 0;

	if (HMAC(EVP_sha256(), key, (int)keylen, msg, msglen, out,
	    &outlen) == NULL || outlen != 32)
		return -1;
	return 0;
}

int
sigv4_signature(const char *secret, const char *amzdate, const char *region,
    const char *service, const char *sts, char hex[65])
{
	char *k0 = NULL;
	size_t k0len;
	uint8_t kdate[32], kregion[32], kservice[32], ksigning[32], sig[32];
	int rc = -1;

	if (strlen(amzdate) < 8)
		return -1;
	/* kSecret = "AWS4" + secret access key. */
	k0len = 4 + strlen(secret);
	if ((k0 = malloc(k0len + 1)) == NULL)
		return -1;
	memcpy(k0, "AWS4", 4);
	memcpy(k0 + 4, secret, k0len - 4 + 1);
	/* kDate = HMAC(kSecret, YYYYMMDD). */
	if (hmac(k0, k0len, amzdate, 8, kdate))
		goto fail;
	/* kRegion = HMAC(kDate, region). */
	if (hmac(kdate, 32, region, strlen(region), kregion))
		goto fail;
	/* kService = HMAC(kRegion, service). */
	if (hmac(kregion, 32, service, strlen(service), kservice))
		goto fail;
	/* kSigning = HMAC(kService, "aws4_request"). */
	if (hmac(kservice, 32, "aws4_request", 12, ksigning))
		goto fail;
	/* signature = hex(HMAC(kSigning, string to sign)). */
	if (hmac(ksigning, 32, sts, strlen(sts), sig))
		goto fail;
	tohex(sig, 32, hex);
	rc = 0;
fail:
	OPENSSL_cleanse(k0, k0len);
	free(k0);
	OPENSSL_cleanse(kdate, sizeof(kdate));
	OPENSSL_cleanse(kregion, sizeof(kregion));
	OPENSSL_cleanse(kservice, sizeof(kservice));
	OPENSSL_cleanse(ksigning, sizeof(ksigning));
	return rc;
}

char *
sigv4_authorization(const struct sigv4_request *req, const char *akid,
    const char *secret, const char *amzdate, const char *region,
    const char *service)
{
	struct sbuf b = { 0 };
	char *creq = NULL, *sh = NULL, *sts = NULL;
	char sig[65];

	if ((creq = sigv4_canonical_request(req, &sh)) == NULL)
		goto fail;
	if ((sts = sigv4_string_to_sign(amzdate, region, service, creq)) == NULL)
		goto fail;
	if (sigv4_signature(secret, amzdate, region, service, sts, sig))
		goto fail;
	/* Authorization: algorithm, credential scope, headers, signature. */
	sbuf_str(&b, "AWS4-HMAC-SHA256 Credential=");
	sbuf_str(&b, akid);
	sbuf_str(&b, "/");
	sbuf_add(&b, amzdate, 8);
	sbuf_str(&b, "/");
	sbuf_str(&b, region);
	sbuf_str(&b, "/");
	sbuf_str(&b, service);
	sbuf_str(&b, "/aws4_request, SignedHeaders=");
	sbuf_str(&b, sh);
	sbuf_str(&b, ", Signature=");
	sbuf_str(&b, sig);
	free(creq);
	free(sh);
	free(sts);
	return sbuf_done(&b);
fail:
	free(creq);
	free(sh);
	free(sts);
	return NULL;
}

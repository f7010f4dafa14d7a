/*
 * awssts.c: AssumeRole and AssumeRoleWithWebIdentity on the STS query
 * API (see awssts.h).  The answer holds a secret key and a session token:
 * every buffer that held them is wiped before it is freed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>
#include <expat.h>
#include <openssl/crypto.h>

#include "awsnet.h"
#include "awssts.h"
#include "sbuf.h"
#include "sigv4.h"

/* STS answers in well under a second; a stuck endpoint must not hang a
 * cron run. */
#define STS_TIMEOUT_MS 30000

/* Regions whose legacy STS endpoint is the global one (botocore's list). */
static const char *const legacy_global[] = {
	"ap-northeast-1", "ap-south-1", "ap-southeast-1", "ap-southeast-2",
	"aws-global", "ca-central-1", "eu-central-1", "eu-north-1",
	"eu-west-1", "eu-west-2", "eu-west-3", "sa-east-1", "us-east-1",
	"us-east-2", "us-west-1", "us-west-2", NULL
};

static void
wipe_free(char *s)
{
	if (s != NULL) {
		OPENSSL_cleanse(s, strlen(s));
		free(s);
	}
}

/* The endpoint URL (no trailing '/'), its host[:port] and the region to
 * sign for; all malloc'd.  Returns 0 or -1 with errbuf. */
static int
sts_endpoint(const struct awssts_req *rq, char **url, char **host,
    char **region, char *errbuf, size_t errlen)
{
	const char *e = getenv("AWS_ENDPOINT_URL_STS"), *r = rq->region;
	char buf[512], *scheme = NULL, *h = NULL, *port = NULL;
	CURLU *u = NULL;
	size_t i;
	int rc = -1, global = 0;

	if (e == NULL || *e == '\0')
		e = getenv("AWS_ENDPOINT_URL");
	if (r == NULL || *r == '\0')
		r = "us-east-1";
	for (i = 0; rq->legacy_global && legacy_global[i] != NULL; i++)
		global |= strcmp(r, legacy_global[i]) == 0;
	if (e != NULL && *e != '\0')
		snprintf(buf, sizeof(buf), "%s", e);
	else if (global)
		snprintf(buf, sizeof(buf), "https://sts.amazonaws.com");
	else
		snprintf(buf, sizeof(buf), "https://sts.%s.amazonaws.com%s", r,
		    strncmp(r, "cn-", 3) == 0 ? ".cn" : "");
	i = strlen(buf);
	while (i > 0 && buf[i - 1] == '/')
		buf[--i] = '\0';
	if ((u = curl_url()) == NULL ||
	    curl_url_set(u, CURLUPART_URL, buf, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_HOST, &h, 0) != CURLUE_OK) {
		sbuf_seterr(errbuf, errlen, "STS endpoint %.200s: not a URL", buf);
		goto done;
	}
	if (strcasecmp(scheme, "https") != 0 && !(strcasecmp(scheme, "http")
	    == 0 && awsnet_is_loopback(h))) {
		sbuf_seterr(errbuf, errlen, "STS endpoint %.200s: https only "
		    "(plain http only to loopback)", buf);
		goto done;
	}
	curl_url_get(u, CURLUPART_PORT, &port, 0);
	*url = strdup(buf);
	*region = strdup(global ? "us-east-1" : r);
	if ((*host = malloc(strlen(h) + 8)) != NULL)
		snprintf(*host, strlen(h) + 8, "%s%s%.5s", h, port ? ":" : "",
		    port ? port : "");
	if (*url == NULL || *region == NULL || *host == NULL) {
		sbuf_seterr(errbuf, errlen, "out of memory");
		goto done;
	}
	rc = 0;
done:
	curl_free(scheme);
	curl_free(h);
	curl_free(port);
	curl_url_cleanup(u);
	return rc;
}

/*
 * The form body of the call, malloc'd (caller wipes: it may hold the web
 * token).  Built in one block sized up front: sbuf's realloc would leave
 * unwiped copies behind.
 */
static char *
sts_form(const struct awssts_req *rq)
{
	const char *keys[5] = { "RoleArn", "RoleSessionName", "ExternalId",
	    "DurationSeconds", "WebIdentityToken" };
	const char *vals[5];
	char *enc[5] = { NULL, NULL, NULL, NULL, NULL }, *out = NULL, dur[16];
	size_t i, n = 64, off;

	snprintf(dur, sizeof(dur), "%d", rq->duration);
	vals[0] = rq->role_arn;
	vals[1] = rq->session_name;
	vals[2] = rq->external_id;
	vals[3] = rq->duration ? dur : NULL;
	vals[4] = rq->web_token;
	for (i = 0; i < 5; i++) {
		if (vals[i] == NULL)
			continue;
		if ((enc[i] = sigv4_uri_encode(vals[i], strlen(vals[i]), 0)) ==
		    NULL)
			goto done;
		n += strlen(keys[i]) + strlen(enc[i]) + 2;
	}
	if ((out = malloc(n)) == NULL)
		goto done;
	off = (size_t)snprintf(out, n, "Action=%s&Version=2011-06-15",
	    rq->web_token ? "AssumeRoleWithWebIdentity" : "AssumeRole");
	for (i = 0; i < 5; i++)
		if (enc[i] != NULL)
			off += (size_t)snprintf(out + off, n - off, "&%s=%s",
			    keys[i], enc[i]);
done:
	for (i = 0; i < 5; i++)
		wipe_free(enc[i]);
	return out;
}

/* The fields of an STS answer (success or ErrorResponse) we use. */
enum { F_AKID, F_SECRET, F_TOKEN, F_EXP, F_CODE, F_MSG, F_N };
static const char *const field_names[F_N] = { "AccessKeyId",
	"SecretAccessKey", "SessionToken", "Expiration", "Code", "Message" };
#define FIELD_MAX 4096		/* session tokens run to ~2 KB */

struct sts_xml {
	char f[F_N][FIELD_MAX];
	size_t len[F_N];
	int cur;		/* field being read, or -1 */
	int toolong;
};

static const char *
local_name(const XML_Char *name)
{
	const char *bar = strrchr(name, '|');

	return bar != NULL ? bar + 1 : name;
}

static void
sx_start(void *arg, const XML_Char *name, const XML_Char **attrs)
{
	struct sts_xml *x = arg;
	int i;

	(void)attrs;
	x->cur = -1;
	for (i = 0; i < F_N; i++)
		if (strcmp(local_name(name), field_names[i]) == 0)
			x->cur = i;
}

static void
sx_end(void *arg, const XML_Char *name)
{
	(void)name;
	((struct sts_xml *)arg)->cur = -1;
}

static void
sx_text(void *arg, const XML_Char *s, int len)
{
	struct sts_xml *x = arg;

	if (x->cur < 0 || len <= 0)
		return;
	if (x->len[x->cur] + (size_t)len >= FIELD_MAX) {
		x->toolong = 1;
		return;
	}
	memcpy(x->f[x->cur] + x->len[x->cur], s, (size_t)len);
	x->len[x->cur] += (size_t)len;
	x->f[x->cur][x->len[x->cur]] = '\0';
}

/* Parse body into x; 0, or -1 when it is no XML. */
static int
sts_parse(const char *body, size_t len, struct sts_xml *x)
{
	XML_Parser p;
	int ok;

	memset(x, 0, sizeof(*x));
	x->cur = -1;
	if ((p = XML_ParserCreateNS(NULL, '|')) == NULL)
		return -1;
	XML_SetUserData(p, x);
	XML_SetElementHandler(p, sx_start, sx_end);
	XML_SetCharacterDataHandler(p, sx_text);
	ok = XML_Parse(p, body, (int)len, 1) == XML_STATUS_OK && !x->toolong;
	XML_ParserFree(p);
	return ok ? 0 : -1;
}

/* The credentials of a successful answer into *out. */
static int
sts_result(struct sts_xml *x, const char *action, const char *source,
    struct awscred *out, char *errbuf, size_t errlen)
{
	memset(out, 0, sizeof(*out));
	if (x->len[F_AKID] == 0 || x->len[F_SECRET] == 0 ||
	    x->len[F_TOKEN] == 0 || x->len[F_EXP] == 0) {
		sbuf_seterr(errbuf, errlen, "STS %s: answer without "
		    "credentials", action);
		return -1;
	}
	if (awskey_parse_time(x->f[F_EXP], &out->expiration)) {
		sbuf_seterr(errbuf, errlen, "STS %s: bad Expiration %.40s",
		    action, x->f[F_EXP]);
		return -1;
	}
	if ((out->access_key_id = strdup(x->f[F_AKID])) == NULL ||
	    (out->secret_access_key = strdup(x->f[F_SECRET])) == NULL ||
	    (out->session_token = strdup(x->f[F_TOKEN])) == NULL) {
		awskey_clear(out);
		sbuf_seterr(errbuf, errlen, "out of memory");
		return -1;
	}
	out->source = source;
	return 0;
}

/* The Authorization header line for a signed AssumeRole, malloc'd. */
static char *
sts_sign(const char *host, const char *amzdate, const char *region,
    const char *form, const struct awscred *src)
{
	struct sigv4_header sh[4];
	struct sigv4_request rq;
	char *auth, *line;
	size_t n = 0;

	sh[n].name = "Content-Type";
	sh[n++].value = "application/x-www-form-urlencoded; charset=utf-8";
	sh[n].name = "Host";
	sh[n++].value = host;
	sh[n].name = "X-Amz-Date";
	sh[n++].value = amzdate;
	if (src->session_token != NULL) {
		sh[n].name = "X-Amz-Security-Token";
		sh[n++].value = src->session_token;
	}
	memset(&rq, 0, sizeof(rq));
	rq.method = "POST";
	rq.path = "/";
	rq.headers = sh;
	rq.nheaders = n;
	rq.body = form;
	rq.bodylen = strlen(form);
	rq.normalize_path = 1;
	if ((auth = sigv4_authorization(&rq, src->access_key_id,
	    src->secret_access_key, amzdate, region, "sts")) == NULL)
		return NULL;
	n = strlen(auth) + 32;
	if ((line = malloc(n)) != NULL)
		snprintf(line, n, "Authorization: %s", auth);
	free(auth);
	return line;
}

/* The request headers, the signature last (NULL for web identity);
 * lines malloc'd into hl[], count in *n. */
static int
sts_headers(const char *host, const char *region, const char *form,
    const struct awscred *src, char *hl[5], size_t *n)
{
	char amzdate[17];
	size_t len;

	*n = 0;
	sigv4_amzdate(awskey_now(), amzdate);
	len = strlen(host) + 8;
	if ((hl[(*n)++] = malloc(len)) == NULL)
		return -1;
	snprintf(hl[*n - 1], len, "Host: %s", host);
	if ((hl[(*n)++] = strdup("Content-Type: application/"
	    "x-www-form-urlencoded; charset=utf-8")) == NULL ||
	    (hl[(*n)++] = strdup("Expect:")) == NULL)
		return -1;
	if (src == NULL)
		return 0;
	len = 32;
	if ((hl[(*n)++] = malloc(len)) == NULL)
		return -1;
	snprintf(hl[*n - 1], len, "X-Amz-Date: %s", amzdate);
	if (src->session_token != NULL) {
		len = strlen(src->session_token) + 32;
		if ((hl[(*n)++] = malloc(len)) == NULL)
			return -1;
		snprintf(hl[*n - 1], len, "X-Amz-Security-Token: %s",
		    src->session_token);
	}
	if ((hl[(*n)++] = sts_sign(host, amzdate, region, form, src)) == NULL)
		return -1;
	return 0;
}

int
awssts_assume(const struct awssts_req *rq, const struct awscred *src,
    const char *source, struct awscred *out, char *errbuf, size_t errlen)
{
	const char *action = rq->web_token ? "AssumeRoleWithWebIdentity" :
	    "AssumeRole";
	char *url = NULL, *host = NULL, *region = NULL, *form = NULL;
	char *hl[6] = { NULL, NULL, NULL, NULL, NULL, NULL }, *body = NULL;
	char why[256];
	struct sts_xml *x = NULL;
	size_t nh = 0, blen = 0, i;
	long status = 0;
	int rc = -1;

	if (sts_endpoint(rq, &url, &host, &region, errbuf, errlen))
		goto done;
	if ((form = sts_form(rq)) == NULL || (x = malloc(sizeof(*x))) == NULL
	    || sts_headers(host, region, form, rq->web_token ? NULL : src, hl,
	    &nh)) {
		sbuf_seterr(errbuf, errlen, "out of memory");
		goto done;
	}
	if (awsnet_post(rq->via, "POST", url, (const char *const *)hl, nh, form,
	    strlen(form), STS_TIMEOUT_MS, &status, &body, &blen, why,
	    sizeof(why))) {
		sbuf_seterr(errbuf, errlen, "STS %s: %s", action, why);
		goto done;
	}
	if (sts_parse(body, blen, x)) {
		sbuf_seterr(errbuf, errlen, "STS %s: %s: HTTP %ld, answer is "
		    "not XML", action, url, status);
		goto done;
	}
	if (status != 200) {
		/* STS's messages name the role, never a secret. */
		sbuf_seterr(errbuf, errlen, "STS %s: %s: HTTP %ld %.64s: "
		    "%.200s", action, url, status, x->f[F_CODE], x->f[F_MSG]);
		goto done;
	}
	rc = sts_result(x, action, source, out, errbuf, errlen);
done:
	if (x != NULL) {
		OPENSSL_cleanse(x, sizeof(*x));
		free(x);
	}
	if (body != NULL) {
		OPENSSL_cleanse(body, blen);
		free(body);
	}
	for (i = 0; i < nh && i < 6; i++)
		wipe_free(hl[i]);
	wipe_free(form);
	free(url);
	free(host);
	free(region);
	return rc;
}

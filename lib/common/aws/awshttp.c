/*
 * awshttp.c: signed requests to one AWS REST-XML endpoint over one reused
 * libcurl easy handle, with the shared rate limit, retries (exponential
 * backoff, full jitter) and the ambiguity rule for non-idempotent calls
 * (see awshttp.h).
 */
#include <arpa/inet.h>
#include <netinet/in.h>

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <curl/curl.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "awscred.h"
#include "awshttp.h"
#include "awsnet.h"
#include "clock.h"
#include "log.h"
#include "sbuf.h"
#include "ratelimit.h"
#include "sigv4.h"
#include "xp.h"

#define DEF_CONNECT_MS 10000L
#define DEF_TIMEOUT_MS 60000L
#define DEF_ATTEMPTS 8
/* Tries when the endpoint's name does not resolve (see
 * awshttp_request). */
#define AWSHTTP_NO_HOST_TRIES 2
#define DEF_RETRY_MS 120000L
#define DEF_BASE_MS 250L	/* first backoff ceiling */
#define MAX_BACKOFF_MS 20000L	/* backoff ceiling, as the SDKs */

struct awshttp {
	CURL *curl;
	char *url;		/* scheme://host[:port][/prefix], no '/' at end */
	char *host;		/* Host header value: host[:port] */
	char *region;		/* signing region */
	char *service;
	char *ca_bundle;	/* NULL: system store */
	const char *content_type, *target;	/* the caller's (opts) */
	long connect_ms, timeout_ms, retry_ms, base_ms;
	int attempts;
	int no_ratelimit;
	struct awscred_provider *cred;
	struct awshttp_counters cnt;
	long skew;		/* seconds to add to our clock (server's) */
	time_t last_date;	/* Date header of the last answer, or 0 */
};




/* Region -> partition endpoint and signing region. */
static void
partition(const char *region, const char **url, const char **sregion)
{
	if (strncmp(region, "cn-", 3) == 0) {
		*url = "https://route53.amazonaws.com.cn";
		*sregion = "cn-northwest-1";
	} else if (strncmp(region, "us-gov-", 7) == 0) {
		*url = "https://route53.us-gov.amazonaws.com";
		*sregion = "us-gov-west-1";
	} else {
		*url = "https://route53.amazonaws.com";
		*sregion = "us-east-1";
	}
}

static const char *
env_nonempty(const char *name)
{
	const char *v = getenv(name);

	return v != NULL && *v != '\0' ? v : NULL;
}

/*
 * Check url (scheme, loopback rule) and split it: *base gets the URL
 * without trailing '/', *host the Host header value.  Returns 0 or -1
 * with errbuf set.
 */
static int
check_url(const char *url, char **base, char **hostport, char *errbuf,
    size_t errlen)
{
	CURLU *u = NULL;
	char *scheme = NULL, *host = NULL, *port = NULL, *path = NULL;
	char *q = NULL, *frag = NULL, *user = NULL;
	size_t n;
	int rc = -1, https;

	if ((u = curl_url()) == NULL) {
		sbuf_seterr(errbuf, errlen, "out of memory");
		return -1;
	}
	if (curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK) {
		sbuf_seterr(errbuf, errlen,
		    "endpoint URL %.200s: not a valid URL", url);
		goto done;
	}
	curl_url_get(u, CURLUPART_PORT, &port, 0);
	curl_url_get(u, CURLUPART_PATH, &path, 0);
	curl_url_get(u, CURLUPART_QUERY, &q, 0);
	curl_url_get(u, CURLUPART_FRAGMENT, &frag, 0);
	curl_url_get(u, CURLUPART_USER, &user, 0);
	if (q != NULL || frag != NULL || user != NULL) {
		sbuf_seterr(errbuf, errlen,
		    "endpoint URL %.200s: no query, fragment "
		    "or user name allowed", url);
		goto done;
	}
	https = strcasecmp(scheme, "https") == 0;
	if (!https && strcasecmp(scheme, "http") != 0) {
		sbuf_seterr(errbuf, errlen,
		    "endpoint URL %.200s: scheme must be https", url);
		goto done;
	}
	/* TLS always, but for a local test server on loopback. */
	if (!https && !awsnet_is_loopback(host)) {
		sbuf_seterr(errbuf, errlen,
		    "endpoint URL %.200s: refusing plain "
		    "http to %.100s, which is not a loopback address; use "
		    "https", url, host);
		goto done;
	}
	n = strlen(scheme) + strlen(host) + (port ? strlen(port) : 0) +
	    (path ? strlen(path) : 0) + 8;
	if ((*hostport = malloc(n)) == NULL || (*base = malloc(n)) == NULL) {
		free(*hostport);
		*hostport = NULL;
		sbuf_seterr(errbuf, errlen, "out of memory");
		goto done;
	}
	snprintf(*hostport, n, "%s%s%s", host, port ? ":" : "",
	    port ? port : "");
	snprintf(*base, n, "%s://%s%s", https ? "https" : "http", *hostport,
	    path ? path : "");
	/* No trailing slash: request paths start with one. */
	while ((n = strlen(*base)) > 0 && (*base)[n - 1] == '/')
		(*base)[n - 1] = '\0';
	rc = 0;
done:
	curl_free(scheme);
	curl_free(host);
	curl_free(port);
	curl_free(path);
	curl_free(q);
	curl_free(frag);
	curl_free(user);
	curl_url_cleanup(u);
	return rc;
}

int
awshttp_endpoint(const char *explicit_url, const char *region, char **url,
    char **signing_region, char *errbuf, size_t errlen)
{
	return awshttp_endpoint_profile(explicit_url, region, NULL, url,
	    signing_region, errbuf, errlen);
}

/* A setting: the environment variable, else the profile's key (service
 * NULL) or its services section's; into buf.  NULL when neither. */
static const char *
setting(const char *env, const char *profile, const char *service,
    const char *key, char *buf, size_t len)
{
	const char *v = env != NULL ? env_nonempty(env) : NULL;

	if (v != NULL)
		return v;
	return awscred_setting(profile, service, key, buf, len) ? buf : NULL;
}

/* The partition's endpoint, or its FIPS one with use_fips_endpoint. */
static int
fips_endpoint(const char *region, const char *profile, const char **purl,
    char *errbuf, size_t errlen)
{
	char b[64];
	const char *f = setting("AWS_USE_FIPS_ENDPOINT", profile, NULL,
	    "use_fips_endpoint", b, sizeof(b));

	if (f == NULL || strcasecmp(f, "true") != 0)
		return 0;
	if (strncmp(region, "cn-", 3) == 0) {
		sbuf_seterr(errbuf, errlen, "use_fips_endpoint: Route 53 has "
		    "no FIPS endpoint in the aws-cn partition");
		return -1;
	}
	/* aws-us-gov's Route 53 endpoint is FIPS already. */
	if (strncmp(region, "us-gov-", 7) != 0)
		*purl = "https://route53-fips.amazonaws.com";
	return 0;
}

int
awshttp_endpoint_profile(const char *explicit_url, const char *region,
    const char *profile, char **url, char **signing_region, char *errbuf,
    size_t errlen)
{
	const char *purl, *sregion, *u = explicit_url, *ign;
	char *base = NULL, *hostport = NULL, rbuf[64], ubuf[512];

	*url = *signing_region = NULL;
	if (region == NULL)
		region = env_nonempty("AWS_REGION");
	if (region == NULL)
		region = setting("AWS_DEFAULT_REGION", profile, NULL, "region",
		    rbuf, sizeof(rbuf));
	if (region == NULL)
		region = "us-east-1";
	partition(region, &purl, &sregion);
	if (fips_endpoint(region, profile, &purl, errbuf, errlen))
		return AWSHTTP_USAGE;
	/* --endpoint-url, then the service variable, then the global one,
	 * then the profile's services section and endpoint_url (none of
	 * those with AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true), then the
	 * partition's endpoint. */
	ign = getenv("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS");
	if (u == NULL && (ign == NULL || strcasecmp(ign, "true") != 0)) {
		if ((u = env_nonempty("AWS_ENDPOINT_URL_ROUTE_53")) == NULL)
			u = env_nonempty("AWS_ENDPOINT_URL");
		if (u == NULL)
			u = setting(NULL, profile, "route53", "endpoint_url",
			    ubuf, sizeof(ubuf));
		if (u == NULL)
			u = setting(NULL, profile, NULL, "endpoint_url", ubuf,
			    sizeof(ubuf));
	}
	if (u == NULL)
		u = purl;
	if (check_url(u, &base, &hostport, errbuf, errlen))
		return AWSHTTP_USAGE;
	free(hostport);
	/* A custom endpoint is signed for the partition's region, as the
	 * global Route 53 endpoints are. */
	if ((*signing_region = strdup(sregion)) == NULL) {
		free(base);
		sbuf_seterr(errbuf, errlen, "out of memory");
		return AWSHTTP_FAILED;
	}
	*url = base;
	return AWSHTTP_OK;
}

/*
 * ca_bundle, max_attempts and retry_mode: option, else environment, else
 * profile.  All three retry modes retry as "standard" does here (the
 * shared token bucket already paces requests as "adaptive" would); any
 * other mode is refused rather than ignored.
 */
static int
profile_settings(const struct awshttp_opts *opts, struct awshttp *h,
    char *errbuf, size_t errlen)
{
	char b[1024];
	const char *v;

	if ((v = opts->ca_bundle) == NULL)
		v = setting("AWS_CA_BUNDLE", opts->profile, NULL, "ca_bundle", b,
		    sizeof(b));
	if (v != NULL && (h->ca_bundle = strdup(v)) == NULL) {
		sbuf_seterr(errbuf, errlen, "out of memory");
		return AWSHTTP_FAILED;
	}
	h->attempts = opts->max_attempts;
	if (h->attempts <= 0 && (v = setting("AWS_MAX_ATTEMPTS", opts->profile,
	    NULL, "max_attempts", b, sizeof(b))) != NULL)
		h->attempts = atoi(v);
	v = setting("AWS_RETRY_MODE", opts->profile, NULL, "retry_mode", b,
	    sizeof(b));
	if (v != NULL && strcmp(v, "standard") != 0 &&
	    strcmp(v, "adaptive") != 0 && strcmp(v, "legacy") != 0) {
		sbuf_seterr(errbuf, errlen, "retry_mode %.32s: not standard, "
		    "adaptive or legacy", v);
		return AWSHTTP_USAGE;
	}
	return AWSHTTP_OK;
}

int
awshttp_new(const struct awshttp_opts *opts, const char *service,
    struct awshttp **hp, char *errbuf, size_t errlen)
{
	struct awshttp *h = NULL;
	const struct awscred *cred;
	const char *v;
	char *hostport = NULL, *base = NULL;
	int rc = AWSHTTP_FAILED;

	*hp = NULL;
	if (awsnet_init()) {
		sbuf_seterr(errbuf, errlen, "libcurl initialisation failed");
		return AWSHTTP_FAILED;
	}
	if ((h = calloc(1, sizeof(*h))) == NULL)
		goto oom;
	if ((rc = awshttp_endpoint_profile(opts->endpoint_url, opts->region,
	    opts->profile, &h->url, &h->region, errbuf, errlen)) != AWSHTTP_OK
	    || (rc = profile_settings(opts, h, errbuf, errlen)) != AWSHTTP_OK)
		goto fail;
	rc = AWSHTTP_FAILED;
	if (check_url(h->url, &base, &hostport, errbuf, errlen))
		goto fail;
	free(base);
	h->host = hostport;
	if ((h->service = strdup(service)) == NULL)
		goto oom;
	if (opts->signing_region != NULL) {
		free(h->region);
		if ((h->region = strdup(opts->signing_region)) == NULL)
			goto oom;
	}
	h->content_type = opts->content_type ? opts->content_type : "text/xml";
	h->target = opts->target;
	h->connect_ms = opts->connect_timeout_ms > 0 ?
	    opts->connect_timeout_ms : DEF_CONNECT_MS;
	h->timeout_ms = opts->timeout_ms > 0 ? opts->timeout_ms : DEF_TIMEOUT_MS;
	h->retry_ms = opts->max_retry_time_ms > 0 ? opts->max_retry_time_ms :
	    DEF_RETRY_MS;
	if (h->attempts <= 0 || h->attempts > 100)
		h->attempts = DEF_ATTEMPTS;
	/* Tests shorten the backoff with R53M_RETRY_BASE_MS. */
	h->base_ms = DEF_BASE_MS;
	if ((v = env_nonempty("R53M_RETRY_BASE_MS")) != NULL && atol(v) > 0)
		h->base_ms = atol(v);
	h->no_ratelimit = opts->no_ratelimit;
	if ((h->cred = awscred_provider_new(opts->profile)) == NULL ||
	    awscred_provider_ca(h->cred, h->ca_bundle))
		goto oom;
	/* One request budget per profile: Route 53 limits each account. */
	v = opts->profile != NULL ? opts->profile : env_nonempty("AWS_PROFILE");
	ratelimit_set_key(v);
	/* Credentials now, so that a missing key fails before any work. */
	if (awscred_get(h->cred, &cred, errbuf, errlen)) {
		rc = AWSHTTP_AUTH;
		goto fail;
	}
	if ((h->curl = curl_easy_init()) == NULL) {
		sbuf_seterr(errbuf, errlen, "libcurl: cannot create a handle");
		goto fail;
	}
	*hp = h;
	return AWSHTTP_OK;
oom:
	sbuf_seterr(errbuf, errlen, "out of memory");
	rc = AWSHTTP_FAILED;
fail:
	awshttp_free(h);
	return rc;
}

void
awshttp_free(struct awshttp *h)
{
	if (h == NULL)
		return;
	if (h->curl != NULL)
		curl_easy_cleanup(h->curl);
	awscred_provider_free(h->cred);
	free(h->url);
	free(h->host);
	free(h->region);
	free(h->service);
	free(h->ca_bundle);
	free(h);
}

void
awshttp_resp_clear(struct awshttp_resp *r)
{
	if (r == NULL)
		return;
	free(r->body);
	free(r->request_id);
	free(r->err_code);
	free(r->err_message);
	memset(r, 0, sizeof(*r));
}

void
awshttp_counters(const struct awshttp *h, struct awshttp_counters *out)
{
	*out = h->cnt;
}

const char *
awshttp_url(const struct awshttp *h)
{
	return h->url;
}

/* The answer being received: the body, and two headers. */
struct rbuf {
	struct awsnet_body b;	/* first: awsnet_body_cb's argument */
	char *request_id;
	time_t date;		/* the answer's Date header, or 0 */
};

static size_t
header_cb(char *p, size_t sz, size_t nm, void *arg)
{
	struct rbuf *b = arg;
	size_t n = sz * nm, k;
	static const char name[] = "x-amzn-requestid:";
	char date[64];

	/* The server's clock, for correcting a skewed one of ours. */
	if (n > 5 && n < sizeof(date) && strncasecmp(p, "date:", 5) == 0) {
		memcpy(date, p + 5, n - 5);
		date[n - 5] = '\0';
		b->date = curl_getdate(date, NULL);
		if (b->date == (time_t)-1)
			b->date = 0;
	}
	k = sizeof(name) - 1;
	if (n > k && strncasecmp(p, name, k) == 0 && b->request_id == NULL) {
		p += k;
		n -= k;
		while (n > 0 && (*p == ' ' || *p == '\t')) {
			p++;
			n--;
		}
		while (n > 0 && (p[n - 1] == '\r' || p[n - 1] == '\n' ||
		    p[n - 1] == ' '))
			n--;
		if (n < 200)
			b->request_id = strndup(p, n);
	}
	return sz * nm;
}

/* Pull <Code>, the first <Message> and the root name out of an error
 * document (ErrorResponse or InvalidChangeBatch); each text is cut at
 * ERR_TEXT_MAX octets, the whole document read with xp's limits. */
#define ERR_TEXT_MAX 1023

struct errparse {
	char *root;
	char *code;
	char *message;
};

static int
ep_start(struct xp *x, const char *name)
{
	struct errparse *e = x->arg;

	if (x->depth == 1 && e->root == NULL)
		e->root = strdup(name);
	return 0;
}

static int
ep_end(struct xp *x, const char *name, const char *text, size_t len)
{
	struct errparse *e = x->arg;
	char **slot = NULL;

	if (strcmp(name, "Code") == 0)
		slot = &e->code;
	else if (strcmp(name, "Message") == 0)
		slot = &e->message;
	if (slot != NULL && *slot == NULL)
		*slot = strndup(text, len < ERR_TEXT_MAX ? len : ERR_TEXT_MAX);
	return 0;
}

static void
parse_error_doc(struct awshttp_resp *r)
{
	struct errparse e;
	struct xp x;
	char ebuf[64];

	if (r->body == NULL || r->len == 0)
		return;
	memset(&e, 0, sizeof(e));
	memset(&x, 0, sizeof(x));
	x.on_start = ep_start;
	x.on_end = ep_end;
	x.arg = &e;
	x.max_text = AWSHTTP_MAX_BODY;
	if (xp_run(&x, "error document", r->body, r->len, ebuf,
	    sizeof(ebuf)) == 0) {
		if (e.code != NULL)
			r->err_code = e.code;
		else if (e.root != NULL &&
		    strcmp(e.root, "InvalidChangeBatch") == 0) {
			r->err_code = e.root;
			e.root = NULL;
		} else
			r->err_code = NULL;
		r->err_message = e.message;
		e.code = e.message = NULL;
	}
	if (r->err_code != e.code)
		free(e.code);
	free(e.message);
	free(e.root);
}

static int
is_throttle(const struct awshttp_resp *r)
{
	static const char *const codes[] = { "Throttling",
	    "ThrottlingException", "ThrottledException",
	    "RequestThrottledException", "TooManyRequestsException",
	    "PriorRequestNotComplete", "RequestLimitExceeded",
	    "SlowDown", "RequestThrottled", NULL };
	size_t i;

	if (r->status == 429)
		return 1;
	if (r->err_code == NULL)
		return 0;
	for (i = 0; codes[i] != NULL; i++)
		if (strcmp(r->err_code, codes[i]) == 0)
			return 1;
	return 0;
}

/* Route 53 refused the session token as expired. */
static int
is_expired_token(const struct awshttp_resp *r)
{
	return r->err_code != NULL &&
	    (strcmp(r->err_code, "ExpiredToken") == 0 ||
	    strcmp(r->err_code, "ExpiredTokenException") == 0);
}

/*
 * After a signature-time error, adopt the server's clock when ours is
 * more than 4 minutes off (as the AWS SDKs do).  Returns 1 when the skew
 * changed, so the request is worth signing again.
 */
static int
fix_skew(struct awshttp *h, const struct awshttp_resp *r)
{
	static const char *const codes[] = { "RequestTimeTooSkewed",
	    "RequestExpired", "InvalidSignatureException",
	    "SignatureDoesNotMatch", "AuthFailure", "RequestInTheFuture",
	    NULL };
	long diff;
	size_t i;

	if (r->err_code == NULL || h->last_date == 0)
		return 0;
	for (i = 0; codes[i] != NULL; i++)
		if (strcmp(r->err_code, codes[i]) == 0)
			break;
	if (codes[i] == NULL)
		return 0;
	diff = (long)(h->last_date - (awskey_now() + h->skew));
	if (diff > -240 && diff < 240)
		return 0;
	h->skew += diff;
	log_warn("the local clock is %ld s %s Route 53's; signing with "
	    "Route 53's time", labs(h->skew), h->skew > 0 ? "behind" :
	    "ahead of");
	return 1;
}



/* Full jitter: uniform in [0, min(cap, base * 2^(retry-1))]. */
static long
backoff_ms(const struct awshttp *h, int retry)
{
	uint32_t r = 0;
	long ceil = h->base_ms;
	int i;

	for (i = 1; i < retry && ceil < MAX_BACKOFF_MS; i++)
		ceil *= 2;
	if (ceil > MAX_BACKOFF_MS)
		ceil = MAX_BACKOFF_MS;
	if (RAND_bytes((unsigned char *)&r, sizeof(r)) != 1)
		r = (uint32_t)rand();
	return (long)(((uint64_t)r * (uint64_t)(ceil + 1)) >> 32);
}

/* Add "Name: value" to a curl list; value NULL gives "Name:" (removes a
 * curl default header). */
static int
add_header(struct curl_slist **l, const char *name, const char *value)
{
	char buf[8192];
	struct curl_slist *n;
	int len;

	len = snprintf(buf, sizeof(buf), "%s:%s%s", name, value ? " " : "",
	    value ? value : "");
	if (len < 0 || (size_t)len >= sizeof(buf))
		return -1;
	n = curl_slist_append(*l, buf);
	OPENSSL_cleanse(buf, (size_t)len);
	if (n == NULL)
		return -1;
	*l = n;
	return 0;
}

/* What one attempt came to. */
enum attempt_rc {
	ATT_ANSWER,		/* HTTP answer in resp */
	ATT_NOT_SENT,		/* failed before the request left */
	ATT_NO_HOST,		/* the endpoint's name did not resolve */
	ATT_LOST,		/* failed after (part of) it was sent */
	ATT_FATAL,		/* local error or TLS verification: no retry */
	ATT_AUTH		/* no usable credentials */
};

/* One attempt's request, signed: the header list (it holds the signature
 * and maybe the token: areq_free wipes it) and the full URL. */
struct areq {
	struct curl_slist *hl;
	char *url;
};

static void
areq_free(struct areq *rq)
{
	struct curl_slist *l;

	for (l = rq->hl; l != NULL; l = l->next)
		OPENSSL_cleanse(l->data, strlen(l->data));
	curl_slist_free_all(rq->hl);
	free(rq->url);
	memset(rq, 0, sizeof(*rq));
}

/* The headers to sign: Host, X-Amz-Date, the token, Content-Type,
 * X-Amz-Target (JSON services name the operation there).  Their count. */
static size_t
sign_headers(const struct awshttp *h, const struct awscred *cred,
    const char *amzdate, int has_body, struct sigv4_header *sh)
{
	size_t n = 0;

	sh[n].name = "Host";
	sh[n++].value = h->host;
	sh[n].name = "X-Amz-Date";
	sh[n++].value = amzdate;
	if (cred->session_token != NULL) {
		sh[n].name = "X-Amz-Security-Token";
		sh[n++].value = cred->session_token;
	}
	if (has_body) {
		sh[n].name = "Content-Type";
		sh[n++].value = h->content_type;
	}
	if (h->target != NULL) {
		sh[n].name = "X-Amz-Target";
		sh[n++].value = h->target;
	}
	return n;
}

/* Sign the request with the current credentials into *rq.  Returns 0, or
 * -1 with errbuf and *fail (ATT_AUTH: no credentials; else ATT_FATAL). */
static int
sign_request(struct awshttp *h, const char *method, const char *path,
    const char *query, const char *body, size_t bodylen, struct areq *rq,
    enum attempt_rc *fail, char *errbuf, size_t errlen)
{
	const struct awscred *cred;
	struct sigv4_header sh[5];
	struct sigv4_request sr;
	char amzdate[17], *authz = NULL;
	size_t nsh, i, n;
	int rc = -1;

	memset(rq, 0, sizeof(*rq));
	*fail = ATT_AUTH;
	if (awscred_get(h->cred, &cred, errbuf, errlen))
		return -1;
	*fail = ATT_FATAL;
	sigv4_amzdate(awskey_now() + h->skew, amzdate);
	nsh = sign_headers(h, cred, amzdate, body != NULL, sh);
	memset(&sr, 0, sizeof(sr));
	sr.method = method;
	sr.path = path;
	sr.query = query;
	sr.headers = sh;
	sr.nheaders = nsh;
	sr.body = body;
	sr.bodylen = body != NULL ? bodylen : 0;
	sr.normalize_path = 1;
	if ((authz = sigv4_authorization(&sr, cred->access_key_id,
	    cred->secret_access_key, amzdate, h->region, h->service)) == NULL) {
		sbuf_seterr(errbuf, errlen, "signing the request failed");
		return -1;
	}
	n = strlen(h->url) + strlen(path) + (query ? strlen(query) : 0) + 2;
	if ((rq->url = malloc(n)) == NULL)
		goto oom;
	snprintf(rq->url, n, "%s%s%s%s", h->url, path,
	    query && *query ? "?" : "", query && *query ? query : "");
	for (i = 0; i < nsh; i++)
		if (add_header(&rq->hl, sh[i].name, sh[i].value))
			goto oom;
	if (add_header(&rq->hl, "Authorization", authz) ||
	    add_header(&rq->hl, "Expect", NULL) ||
	    add_header(&rq->hl, "Accept", NULL) ||
	    (body == NULL && add_header(&rq->hl, "Content-Type", NULL)))
		goto oom;
	rc = 0;
	goto done;
oom:
	sbuf_seterr(errbuf, errlen, "out of memory");
	areq_free(rq);
done:
	free(authz);
	return rc;
}

/* Set the handle's options for one attempt (the handle keeps its
 * connection between calls; options are set afresh each time). */
static void
setup_handle(struct awshttp *h, const char *method, const struct areq *rq,
    const char *body, size_t bodylen, int idempotent, struct rbuf *rb,
    char *curlerr)
{
	struct awsnet_via via = { h->ca_bundle, 1 };
	CURL *c = h->curl;

	curl_easy_reset(c);
	curlerr[0] = '\0';
	curl_easy_setopt(c, CURLOPT_URL, rq->url);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, rq->hl);
	curl_easy_setopt(c, CURLOPT_USERAGENT, "r53mirror/" R53M_VERSION);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, h->connect_ms);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, h->timeout_ms);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	awsnet_apply(c, &via, rq->url);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, curlerr);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, awsnet_body_cb);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &rb->b);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, header_cb);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, rb);
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
	/*
	 * libcurl silently resends a request whose reused connection died
	 * before any answer byte: harmless for a GET, but a POST may have
	 * been applied.  A non-idempotent request gets a fresh connection,
	 * so that any loss is reported to us (and called ambiguous).
	 */
	if (!idempotent)
		curl_easy_setopt(c, CURLOPT_FRESH_CONNECT, 1L);
	if (strcmp(method, "POST") == 0) {
		curl_easy_setopt(c, CURLOPT_POST, 1L);
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body ? body : "");
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE,
		    (curl_off_t)(body ? bodylen : 0));
	} else if (strcmp(method, "GET") != 0)
		curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
}

/* What a transfer that failed with cc means for a retry; reqsize is how
 * much of the request left. */
static enum attempt_rc
classify(CURLcode cc, long reqsize)
{
	switch (cc) {
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_UNSUPPORTED_PROTOCOL:
	case CURLE_URL_MALFORMAT:
	case CURLE_OUT_OF_MEMORY:
		return ATT_FATAL;
	case CURLE_COULDNT_RESOLVE_PROXY:
	case CURLE_COULDNT_RESOLVE_HOST:
		return ATT_NO_HOST;
	case CURLE_COULDNT_CONNECT:
	case CURLE_SSL_CONNECT_ERROR:
		return ATT_NOT_SENT;
	default:
		/* Nothing of the request left: a definite failure. */
		return reqsize > 0 ? ATT_LOST : ATT_NOT_SENT;
	}
}

/* Move a received answer into *resp. */
static enum attempt_rc
take_answer(struct awshttp *h, struct rbuf *rb, struct awshttp_resp *resp,
    char *errbuf, size_t errlen)
{
	curl_easy_getinfo(h->curl, CURLINFO_RESPONSE_CODE, &resp->status);
	resp->body = rb->b.s != NULL ? rb->b.s : strdup("");
	resp->len = rb->b.len;
	resp->request_id = rb->request_id;
	rb->b.s = rb->request_id = NULL;
	if (resp->body == NULL) {
		sbuf_seterr(errbuf, errlen, "out of memory");
		return ATT_FATAL;
	}
	if (resp->status >= 300)
		parse_error_doc(resp);
	return ATT_ANSWER;
}

/* One signed attempt: sign, send, and say what it came to. */
static enum attempt_rc
attempt(struct awshttp *h, const char *method, const char *path,
    const char *query, const char *body, size_t bodylen, int idempotent,
    struct awshttp_resp *resp, char *errbuf, size_t errlen)
{
	struct areq rq;
	struct rbuf rb;
	char curlerr[CURL_ERROR_SIZE];
	long reqsize = 0;
	CURLcode cc;
	enum attempt_rc rc;

	memset(&rb, 0, sizeof(rb));
	if (sign_request(h, method, path, query, body, bodylen, &rq, &rc,
	    errbuf, errlen))
		return rc;
	setup_handle(h, method, &rq, body, bodylen, idempotent, &rb, curlerr);
	h->cnt.requests++;
	cc = curl_easy_perform(h->curl);
	curl_easy_getinfo(h->curl, CURLINFO_REQUEST_SIZE, &reqsize);
	h->last_date = rb.date;
	if (cc == CURLE_OK)
		rc = take_answer(h, &rb, resp, errbuf, errlen);
	else if (rb.b.too_big) {
		sbuf_seterr(errbuf, errlen,
		    "%s %s: answer larger than %lu bytes", method, path,
		    AWSHTTP_MAX_BODY);
		rc = ATT_FATAL;
	} else {
		sbuf_seterr(errbuf, errlen, "%s %s: %s", method, h->url,
		    curlerr[0] ? curlerr : curl_easy_strerror(cc));
		rc = classify(cc, reqsize);
	}
	areq_free(&rq);
	free(rb.b.s);
	free(rb.request_id);
	return rc;
}

/*
 * An attempt without a 2xx (and not resent at once): the status to
 * return when this is final (a 4xx no retry can cure, a non-idempotent
 * request lost), else -1 with the reason to retry in why.
 */
static int
final_answer(struct awshttp *h, enum attempt_rc rc,
    const struct awshttp_resp *resp, int idempotent, const char *errbuf,
    char *why, size_t wlen)
{
	if (rc == ATT_ANSWER && is_throttle(resp)) {
		/* A definite rejection: safe to resend anything. */
		h->cnt.throttled++;
		snprintf(why, wlen, "%s", resp->err_code ? resp->err_code :
		    "HTTP 429");
	} else if (rc == ATT_ANSWER && resp->status >= 500) {
		if (!idempotent)
			return AWSHTTP_AMBIGUOUS;
		snprintf(why, wlen, "HTTP %ld%s%s", resp->status,
		    resp->err_code ? " " : "",
		    resp->err_code ? resp->err_code : "");
	} else if (rc == ATT_ANSWER) {
		return AWSHTTP_OK;
	} else if (rc == ATT_LOST && !idempotent) {
		return AWSHTTP_AMBIGUOUS;
	} else
		snprintf(why, wlen, "%s", errbuf);
	return -1;
}

int
awshttp_request(struct awshttp *h, const char *method, const char *path,
    const char *query, const char *body, size_t bodylen, int idempotent,
    struct awshttp_resp *resp, char *errbuf, size_t errlen)
{
	double start = clock_now();
	long wait;
	int n, fin, have_answer = 0, skew_fixed = 0, refreshed = 0;
	int no_host = 0;
	enum attempt_rc rc;
	char why[256];

	memset(resp, 0, sizeof(*resp));
	for (n = 1; ; n++) {
		if (!h->no_ratelimit)
			ratelimit_acquire();
		awshttp_resp_clear(resp);
		rc = attempt(h, method, path, query, body, bodylen, idempotent,
		    resp, errbuf, errlen);
		have_answer = rc == ATT_ANSWER;
		if (rc == ATT_AUTH)
			return AWSHTTP_AUTH;
		if (rc == ATT_FATAL)
			return AWSHTTP_FAILED;
		if (rc == ATT_ANSWER && resp->status < 300)
			return AWSHTTP_OK;
		if (rc == ATT_ANSWER && !skew_fixed && resp->status < 500 &&
		    fix_skew(h, resp)) {
			/* Rejected for its time: not processed, so safe to
			 * sign again and resend, once, at once. */
			skew_fixed = 1;
			h->cnt.retries++;
			n--;
			continue;
		}
		if (rc == ATT_ANSWER && !refreshed && is_expired_token(resp) &&
		    awscred_expire(h->cred)) {
			/* Refused before processing: fetch fresh temporary
			 * credentials and resend, once, at once. */
			log_warn("Route 53 says the session token expired; "
			    "fetching new credentials");
			refreshed = 1;
			h->cnt.retries++;
			n--;
			continue;
		}
		if ((fin = final_answer(h, rc, resp, idempotent, errbuf, why,
		    sizeof(why))) >= 0)
			return fin;
		if (n >= h->attempts)
			break;
		/* A name that does not resolve rarely starts to within the
		 * retry budget (20 s): one more try covers a resolver's
		 * hiccup, more only delay the failure. */
		if (rc == ATT_NO_HOST && ++no_host >= AWSHTTP_NO_HOST_TRIES)
			break;
		wait = backoff_ms(h, n);
		if ((clock_now() - start) * 1000 + wait > h->retry_ms)
			break;
		log_debug(1, "%s %s: %s; retry %d of %d in %ld ms", method, path,
		    why, n, h->attempts - 1, wait);
		clock_sleep_ms(wait);
		h->cnt.retries++;
	}
	log_debug(1, "%s %s: giving up after %d attempt%s: %s", method, path,
	    n, n == 1 ? "" : "s", why);
	if (have_answer)
		return AWSHTTP_OK;
	sbuf_seterr(errbuf, errlen, "%.200s (gave up after %d attempt%s)",
	    why, n, n == 1 ? "" : "s");
	return AWSHTTP_FAILED;
}




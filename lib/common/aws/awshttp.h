/*
 * awshttp.h: signed HTTPS requests to one AWS REST-XML service endpoint
 * (Route 53 here), with one libcurl easy handle reused for every request
 * of a run (keep-alive), connect and total timeouts, TLS and proxies as
 * awsnet.h sets them for every AWS call, the shared rate
 * limit (ratelimit.h) before every attempt, and retries with exponential
 * backoff and full jitter.
 *
 * Endpoint choice (awshttp_endpoint): explicit URL (--endpoint-url), else
 * AWS_ENDPOINT_URL_ROUTE_53, else AWS_ENDPOINT_URL, else the partition of
 * the region: aws https://route53.amazonaws.com (us-east-1), aws-cn
 * https://route53.amazonaws.com.cn (cn-northwest-1), aws-us-gov
 * https://route53.us-gov.amazonaws.com (us-gov-west-1).  TLS peer and host
 * verification are always on; plain http is accepted only to a loopback
 * host (127.0.0.0/8, ::1, localhost).
 *
 * Retry rules: Throttling, ThrottlingException, PriorRequestNotComplete,
 * RequestLimitExceeded, HTTP 5xx and connection errors are retried, up to
 * max_attempts attempts and max_retry_time_ms in all.  Other 4xx answers
 * are final.  For a request that is not idempotent (POST of a change
 * batch) only definite rejections (throttling codes, a connection that
 * failed before anything was sent) are retried; a 5xx or a connection lost
 * after sending gives AWSHTTP_AMBIGUOUS at once.  Such a request always
 * goes on a fresh connection: libcurl would otherwise silently resend it
 * when a kept-alive connection turns out dead.
 *
 * Backoff before retry n: uniform in [0, min(20 s, base * 2^(n-1))],
 * base 250 ms (R53M_RETRY_BASE_MS overrides it, for tests).  Signing
 * uses awskey_now(), so R53M_FAKE_TIME pins X-Amz-Date too.  When the
 * server rejects a signature for its time (SignatureDoesNotMatch,
 * RequestTimeTooSkewed, ...) and its Date header is more than 4 minutes
 * from our clock, the difference is adopted for the rest of the run and
 * the request is signed and sent again once (as the AWS SDKs do).
 */
#ifndef R53M_AWSHTTP_H
#define R53M_AWSHTTP_H

#include <stddef.h>

#include "awsnet.h"

enum awshttp_status {
	AWSHTTP_OK = 0,		/* an HTTP answer: see resp->status (may be an
				 * error document for a 4xx that is final, or
				 * the last 4xx/5xx when retries ran out) */
	AWSHTTP_AMBIGUOUS,	/* non-idempotent request sent, no definite
				 * answer; not resent */
	AWSHTTP_FAILED,		/* no HTTP answer after all attempts, or a
				 * local error (errbuf says which) */
	AWSHTTP_AUTH,		/* no usable credentials */
	AWSHTTP_USAGE		/* endpoint or option refused */
};

struct awshttp_opts {
	const char *endpoint_url;	/* explicit, or NULL (see above) */
	const char *region;		/* NULL: AWS_REGION, AWS_DEFAULT_REGION,
					 * us-east-1 */
	const char *profile;		/* NULL: AWS_PROFILE / default */
	const char *ca_bundle;		/* NULL: AWS_CA_BUNDLE, profile
					 * ca_bundle, else system */
	long connect_timeout_ms;	/* 0: 10000 */
	long timeout_ms;		/* per attempt; 0: 60000 */
	int max_attempts;		/* 0: AWS_MAX_ATTEMPTS, profile
					 * max_attempts, else 8 */
	long max_retry_time_ms;		/* 0: 120000 */
	int no_ratelimit;		/* 1: skip ratelimit_acquire */
	/* For AWS JSON services (Secrets Manager): endpoint_url must then
	 * be given; NULL keeps Route 53's REST-XML behaviour. */
	const char *signing_region;	/* NULL: the endpoint's partition's */
	const char *content_type;	/* of a POST body; NULL: text/xml */
	const char *target;		/* X-Amz-Target header, signed */
};

/* The answer to one call; release with awshttp_resp_clear. */
struct awshttp_resp {
	long status;		/* HTTP status */
	char *body;		/* NUL-terminated (len excludes the NUL) */
	size_t len;
	char *request_id;	/* x-amzn-RequestId header or NULL */
	char *err_code;		/* status >= 300: <Code> of ErrorResponse, or
				 * "InvalidChangeBatch" for that root; NULL
				 * when the body is no error document */
	char *err_message;	/* first <Message> or NULL */
};

struct awshttp_counters {
	unsigned long requests;		/* attempts sent */
	unsigned long retries;
	unsigned long throttled;
};

struct awshttp;

/* Body of an answer larger than this is refused (AWSHTTP_FAILED). */
#define AWSHTTP_MAX_BODY AWSNET_MAX_BODY

/*
 * awshttp_endpoint(explicit_url, region, url, signing_region, errbuf,
 *     errlen): resolve the endpoint URL (without trailing slash) and the
 * region to sign for, by the rules above.  *url and *signing_region are
 * malloc'd (caller frees).  Returns AWSHTTP_OK or AWSHTTP_USAGE.
 */
int awshttp_endpoint(const char *explicit_url, const char *region,
    char **url, char **signing_region, char *errbuf, size_t errlen);

/*
 * awshttp_endpoint_profile(explicit_url, region, profile, ...): the same
 * with the shared config of profile (NULL: AWS_PROFILE, else default):
 * region after AWS_REGION/AWS_DEFAULT_REGION; after the endpoint
 * variables, endpoint_url under route53 in the profile's [services NAME]
 * section, then the profile's endpoint_url; use_fips_endpoint
 * (AWS_USE_FIPS_ENDPOINT first): https://route53-fips.amazonaws.com,
 * refused for aws-cn.
 */
int awshttp_endpoint_profile(const char *explicit_url, const char *region,
    const char *profile, char **url, char **signing_region, char *errbuf,
    size_t errlen);

/*
 * awshttp_new(opts, service, h, errbuf, errlen): a client for service
 * ("route53") with credentials loaded once now (so errors come early).
 * Returns AWSHTTP_OK with *h set (caller frees with awshttp_free), or
 * AWSHTTP_USAGE / AWSHTTP_AUTH / AWSHTTP_FAILED with errbuf filled.
 */
int awshttp_new(const struct awshttp_opts *opts, const char *service,
    struct awshttp **h, char *errbuf, size_t errlen);

void awshttp_free(struct awshttp *h);

/*
 * awshttp_request(h, method, path, query, body, bodylen, idempotent, resp,
 *     errbuf, errlen): one signed call with the retries above.  path is
 * already URI-encoded ("/2013-04-01/hostedzone/Z1/rrset"), query is the
 * raw query string without '?' (already encoded) or NULL; body may be
 * NULL.  A POST body is sent as text/xml.
 */
int awshttp_request(struct awshttp *h, const char *method, const char *path,
    const char *query, const char *body, size_t bodylen, int idempotent,
    struct awshttp_resp *resp, char *errbuf, size_t errlen);

void awshttp_resp_clear(struct awshttp_resp *r);

/* awshttp_counters(h, out): copy the counters. */
void awshttp_counters(const struct awshttp *h, struct awshttp_counters *out);

/* awshttp_url(h): the endpoint URL in use (owned by h). */
const char *awshttp_url(const struct awshttp *h);

#endif

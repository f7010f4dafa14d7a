/*
 * awsnet.h: the transport under every AWS call: libcurl set up one way
 * for Route 53 (awshttp.h), STS (awssts.h), the SSO portal (awssso.h) and
 * the credential endpoints (instance metadata, container), so that TLS
 * verification, the CA bundle and proxies are decided in one place.
 *
 *   - TLS peer and host verification always on; the CA bundle the caller
 *     resolved (--ca-bundle, AWS_CA_BUNDLE, the profile's ca_bundle), else
 *     the system's store;
 *   - proxies as libcurl reads them from the environment (https_proxy,
 *     HTTPS_PROXY, no_proxy, NO_PROXY...), never for a loopback host and
 *     never for the link-local credential endpoints;
 *   - plain http only to a loopback host for anything that carries a
 *     secret (awsnet_url_safe).
 * It knows nothing of credentials or signing: the modules above do.
 */
#ifndef R53M_AWSNET_H
#define R53M_AWSNET_H

#include <stddef.h>

#include <curl/curl.h>

/* Body of an answer larger than this is refused. */
#define AWSNET_MAX_BODY (16UL * 1024 * 1024)

/* How a request reaches its endpoint. */
struct awsnet_via {
	const char *ca_bundle;	/* NULL: the system's CA store */
	int proxy;		/* 1: environment proxies (not to loopback) */
};

/* An answer body being received, with its limit (awsnet_body_cb). */
struct awsnet_body {
	char *s;		/* NUL-terminated once anything came */
	size_t len, cap;
	int too_big;		/* more than AWSNET_MAX_BODY */
};

/* awsnet_init(): libcurl's global setup, once.  0, or -1. */
int awsnet_init(void);

/* awsnet_body_cb: CURLOPT_WRITEFUNCTION for a struct awsnet_body. */
size_t awsnet_body_cb(char *p, size_t sz, size_t nm, void *arg);

/*
 * awsnet_apply(c, via, url): set on handle c the TLS and proxy options
 * above for a request to url (its host decides "loopback").
 */
void awsnet_apply(CURL *c, const struct awsnet_via *via, const char *url);

/* awsnet_is_loopback(host): 1 for localhost, 127.0.0.0/8, ::1. */
int awsnet_is_loopback(const char *host);

/* awsnet_url_safe(url): 1 for an https URL or plain http to a loopback
 * host (credential endpoints: nothing secret in clear on a network). */
int awsnet_url_safe(const char *url);

/*
 * awsnet_fetch(method, url, headers, nheaders, timeout_ms, status, body,
 *     len, errbuf, errlen): a small unsigned request with a fresh handle,
 * the system's CA store and no proxy, for the link-local credential
 * endpoints (IMDS, container).  headers are "Name: value" lines.  *body
 * is malloc'd (caller frees, zeroing it when it held secrets).  Returns 0
 * on an HTTP answer, -1 otherwise (errbuf says why).
 */
int awsnet_fetch(const char *method, const char *url,
    const char *const *headers, size_t nheaders, long timeout_ms,
    long *status, char **body, size_t *len, char *errbuf, size_t errlen);

/*
 * awsnet_post(via, method, url, headers, nheaders, reqbody, reqlen, ...):
 * the same through via (NULL: as awsnet_fetch) with a request body
 * (reqbody NULL: none), for STS and the SSO portal, whose answers carry
 * secrets: the caller zeroes *body.
 */
int awsnet_post(const struct awsnet_via *via, const char *method,
    const char *url, const char *const *headers, size_t nheaders,
    const char *reqbody, size_t reqlen, long timeout_ms, long *status,
    char **body, size_t *len, char *errbuf, size_t errlen);

#endif

/*
 * awsnet.c: see awsnet.h.
 */
#include <arpa/inet.h>
#include <netinet/in.h>

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>
#include <openssl/crypto.h>

#include "awsnet.h"
#include "sbuf.h"

size_t
awsnet_body_cb(char *p, size_t sz, size_t nm, void *arg)
{
	struct awsnet_body *b = arg;
	size_t n = sz * nm, ncap;
	char *ns;

	if (b->len + n > AWSNET_MAX_BODY) {
		b->too_big = 1;
		return 0;
	}
	if (b->len + n + 1 > b->cap) {
		ncap = b->cap ? b->cap : 16384;
		while (ncap < b->len + n + 1)
			ncap *= 2;
		if ((ns = realloc(b->s, ncap)) == NULL)
			return 0;
		b->s = ns;
		b->cap = ncap;
	}
	memcpy(b->s + b->len, p, n);
	b->len += n;
	b->s[b->len] = '\0';
	return n;
}

/* The host of url, for the loopback test; 0 when it has none. */
static int
url_loopback(const char *url)
{
	CURLU *u;
	char *host = NULL;
	int lo = 0;

	if ((u = curl_url()) == NULL)
		return 0;
	if (curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK)
		lo = awsnet_is_loopback(host);
	curl_free(host);
	curl_url_cleanup(u);
	return lo;
}

void
awsnet_apply(CURL *c, const struct awsnet_via *via, const char *url)
{
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
	if (via != NULL && via->ca_bundle != NULL)
		curl_easy_setopt(c, CURLOPT_CAINFO, via->ca_bundle);
	/* Proxies come from the environment (libcurl's own rules), but a
	 * loopback endpoint (a local emulator) is never reached through
	 * one, nor are the link-local metadata services (via NULL). */
	if (via == NULL || !via->proxy || url_loopback(url))
		curl_easy_setopt(c, CURLOPT_NOPROXY, "*");
}

int
awsnet_init(void)
{
	static int done;

	if (!done) {
		if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
			return -1;
		done = 1;
	}
	return 0;
}

int
awsnet_is_loopback(const char *host)
{
	struct in_addr a4;
	struct in6_addr a6;
	char buf[64];
	size_t n;

	if (host == NULL)
		return 0;
	n = strlen(host);
	/* Strip IPv6 brackets. */
	if (n >= 2 && host[0] == '[' && host[n - 1] == ']') {
		if (n - 2 >= sizeof(buf))
			return 0;
		memcpy(buf, host + 1, n - 2);
		buf[n - 2] = '\0';
		host = buf;
	}
	if (strcasecmp(host, "localhost") == 0 ||
	    strcasecmp(host, "localhost.") == 0)
		return 1;
	if (inet_pton(AF_INET, host, &a4) == 1)
		return (ntohl(a4.s_addr) >> 24) == 127;
	if (inet_pton(AF_INET6, host, &a6) == 1)
		return memcmp(&a6, &in6addr_loopback, sizeof(a6)) == 0;
	return 0;
}

int
awsnet_fetch(const char *method, const char *url,
    const char *const *headers, size_t nheaders, long timeout_ms,
    long *status, char **body, size_t *len, char *errbuf, size_t errlen)
{
	return awsnet_post(NULL, method, url, headers, nheaders, NULL, 0,
	    timeout_ms, status, body, len, errbuf, errlen);
}

int
awsnet_post(const struct awsnet_via *via, const char *method,
    const char *url, const char *const *headers, size_t nheaders,
    const char *reqbody, size_t reqlen, long timeout_ms, long *status,
    char **body, size_t *len, char *errbuf, size_t errlen)
{
	CURL *c = NULL;
	struct curl_slist *hl = NULL, *n;
	struct awsnet_body rb;
	char curlerr[CURL_ERROR_SIZE];
	CURLcode cc;
	size_t i;
	int rc = -1;

	*status = 0;
	*body = NULL;
	*len = 0;
	memset(&rb, 0, sizeof(rb));
	if (awsnet_init() || (c = curl_easy_init()) == NULL) {
		sbuf_seterr(errbuf, errlen, "libcurl initialisation failed");
		return -1;
	}
	for (i = 0; i < nheaders; i++) {
		if ((n = curl_slist_append(hl, headers[i])) == NULL)
			goto done;
		hl = n;
	}
	curlerr[0] = '\0';
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hl);
	curl_easy_setopt(c, CURLOPT_USERAGENT, "r53mirror/" R53M_VERSION);
	awsnet_apply(c, via, url);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, timeout_ms);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, timeout_ms);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, curlerr);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, awsnet_body_cb);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &rb);
	if (strcmp(method, "GET") != 0) {
		curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
		if (strcmp(method, "PUT") == 0 || reqbody != NULL) {
			curl_easy_setopt(c, CURLOPT_POSTFIELDS,
			    reqbody != NULL ? reqbody : "");
			curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE,
			    (long)reqlen);
		}
	}
	cc = curl_easy_perform(c);
	if (cc != CURLE_OK) {
		sbuf_seterr(errbuf, errlen, "%s: %s", url,
		    curlerr[0] ? curlerr : curl_easy_strerror(cc));
		goto done;
	}
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, status);
	if (rb.s == NULL && (rb.s = strdup("")) == NULL)
		goto done;
	*body = rb.s;
	*len = rb.len;
	rb.s = NULL;
	rc = 0;
done:
	if (rb.s != NULL) {
		OPENSSL_cleanse(rb.s, rb.len);
		free(rb.s);
	}
	curl_slist_free_all(hl);
	curl_easy_cleanup(c);
	return rc;
}

int
awsnet_url_safe(const char *url)
{
	CURLU *u;
	char *scheme = NULL, *host = NULL;
	int ok = 0;

	if ((u = curl_url()) == NULL)
		return 0;
	if (curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK)
		ok = strcasecmp(scheme, "https") == 0 ||
		    (strcasecmp(scheme, "http") == 0 &&
		    awsnet_is_loopback(host));
	curl_free(scheme);
	curl_free(host);
	curl_url_cleanup(u);
	return ok;
}

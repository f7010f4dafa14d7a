/*
 * awscredmeta.c: the two credential sources behind an HTTP endpoint of
 * the platform, never through a proxy (awsnet_fetch): container
 * credentials (ECS task role, EKS pod identity; step 4 of awscred.h)
 * and EC2 instance metadata, IMDSv2 with the IMDSv1 fallback (step 5).
 * Both answer a JSON document (awscred_from_json) that must carry an
 * Expiration.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>

#include "awscredint.h"
#include "sbuf.h"

/* Timeout and attempts for IMDS and container calls, as botocore reads
 * them: AWS_METADATA_SERVICE_TIMEOUT (s, default 1) and
 * AWS_METADATA_SERVICE_NUM_ATTEMPTS (default 1). */
static void
metadata_params(long *timeout_ms, int *attempts)
{
	const char *t = getenv("AWS_METADATA_SERVICE_TIMEOUT");
	const char *a = getenv("AWS_METADATA_SERVICE_NUM_ATTEMPTS");
	double d;

	*timeout_ms = 1000;
	*attempts = 1;
	if (t != NULL && (d = atof(t)) > 0 && d <= 3600)
		*timeout_ms = (long)(d * 1000);
	if (a != NULL && atoi(a) > 0 && atoi(a) <= 10)
		*attempts = atoi(a);
}

/* awsnet_fetch with the metadata attempts; 0 on an HTTP answer. */
static int
meta_fetch(const char *method, const char *url, const char *const *hdr,
    size_t nhdr, long *status, char **body, size_t *len, char *errbuf,
    size_t errlen)
{
	long tmo;
	int attempts, i;

	metadata_params(&tmo, &attempts);
	for (i = 0; i < attempts; i++) {
		if (awsnet_fetch(method, url, hdr, nhdr, tmo, status, body, len,
		    errbuf, errlen) == 0 && *status < 500)
			return 0;
		if (*body != NULL) {
			awskey_free_buf(*body, *len);
			*body = NULL;
		}
	}
	return -1;
}

/*
 * Is the container endpoint one the SDKs accept over plain http?  The
 * URL is parsed by libcurl, as the fetch will parse it, and may carry no
 * user info: "http://127.0.0.1:1@192.0.2.2/" connects to 192.0.2.2.
 */
static int
container_host_ok(const char *url)
{
	CURLU *u = NULL;
	char *scheme = NULL, *host = NULL, *user = NULL, *pw = NULL;
	int ok = 0;

	if ((u = curl_url()) == NULL)
		return 0;
	if (curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_USER, &user, 0) == CURLUE_OK ||
	    curl_url_get(u, CURLUPART_PASSWORD, &pw, 0) == CURLUE_OK)
		goto done;
	if (strcasecmp(scheme, "https") == 0)
		ok = 1;
	else if (strcasecmp(scheme, "http") == 0)
		ok = awsnet_is_loopback(host) ||
		    strcmp(host, "169.254.170.2") == 0 ||
		    strcmp(host, "169.254.170.23") == 0 ||
		    strcasecmp(host, "[fd00:ec2::23]") == 0;
done:
	curl_free(scheme);
	curl_free(host);
	curl_free(user);
	curl_free(pw);
	curl_url_cleanup(u);
	return ok;
}

/* The container endpoint's URL into *url (malloc'd).  SRC_NONE: no
 * container credentials configured. */
static enum src_rc
container_url(char **url, char *errbuf, size_t errlen)
{
	const char *rel = getenv("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI");
	const char *full = getenv("AWS_CONTAINER_CREDENTIALS_FULL_URI");
	size_t n;

	*url = NULL;
	if (rel != NULL && *rel != '\0') {
		n = strlen(rel) + 32;
		if ((*url = malloc(n)) != NULL)
			snprintf(*url, n, "http://169.254.170.2%s%s",
			    *rel == '/' ? "" : "/", rel);
	} else if (full != NULL && *full != '\0') {
		if (!container_host_ok(full)) {
			sbuf_seterr(errbuf, errlen,
			    "AWS_CONTAINER_CREDENTIALS_FULL_URI:"
			    " plain http only to loopback or the container "
			    "credential hosts");
			return SRC_ERROR;
		}
		*url = strdup(full);
	} else
		return SRC_NONE;
	if (*url == NULL) {
		sbuf_seterr(errbuf, errlen, "out of memory");
		return SRC_ERROR;
	}
	return SRC_FOUND;
}

/* The Authorization header line into *hdr (malloc'd; NULL: no token).
 * The token file wins over the token variable (EKS pod identity).
 * 0, or -1 with errbuf. */
static int
container_auth(char **hdr, char *errbuf, size_t errlen)
{
	const char *tokfile = getenv("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE");
	const char *tok = getenv("AWS_CONTAINER_AUTHORIZATION_TOKEN");
	char *ftok = NULL, *nl;
	size_t flen = 0, hlen;
	int rc = -1;

	*hdr = NULL;
	if (tokfile != NULL && *tokfile != '\0') {
		if ((ftok = awscredcfg_read_file(tokfile, &flen)) == NULL) {
			sbuf_seterr(errbuf, errlen, "%s: %s", tokfile,
			    strerror(errno));
			return -1;
		}
		if ((nl = strpbrk(ftok, "\r\n")) != NULL)
			*nl = '\0';
		tok = ftok;
	}
	if (tok != NULL && *tok != '\0') {
		if (strpbrk(tok, "\r\n") != NULL) {
			sbuf_seterr(errbuf, errlen,
			    "container authorization token "
			    "contains a line break");
			goto done;
		}
		hlen = strlen(tok) + 16;
		if ((*hdr = malloc(hlen)) == NULL) {
			sbuf_seterr(errbuf, errlen, "out of memory");
			goto done;
		}
		snprintf(*hdr, hlen, "Authorization: %s", tok);
	}
	rc = 0;
done:
	awskey_free_buf(ftok, flen);
	return rc;
}

/* 4. Container credentials (ECS task role, EKS pod identity). */
enum src_rc
awscredmeta_container(struct awscred *out, char *errbuf, size_t errlen)
{
	char *url = NULL, *hdr = NULL, *body = NULL;
	const char *hdrs[1] = { NULL };
	size_t blen = 0;
	long status = 0;
	enum src_rc rc;

	if ((rc = container_url(&url, errbuf, errlen)) != SRC_FOUND)
		return rc;
	rc = SRC_ERROR;
	if (container_auth(&hdr, errbuf, errlen) == -1)
		goto done;
	hdrs[0] = hdr;
	if (meta_fetch("GET", url, hdrs, hdr != NULL ? 1 : 0, &status, &body,
	    &blen, errbuf, errlen)) {
		if (body == NULL && status >= 500)
			sbuf_seterr(errbuf, errlen,
			    "container credentials: HTTP %ld", status);
		goto done;
	}
	if (status != 200) {
		sbuf_seterr(errbuf, errlen, "container credentials: HTTP %ld",
		    status);
		goto done;
	}
	rc = awscred_from_json(body, blen, "container credentials",
	    "container", 0, out, errbuf, errlen);
done:
	free(url);
	awskey_free_str(hdr);
	awskey_free_buf(body, blen);
	return rc;
}

#define IMDS_CREDPATH "/latest/meta-data/iam/security-credentials/"

/* The IMDSv2 session token as a header line in *tokhdr (NULL: none, the
 * service is IMDSv1).  SRC_NONE: no service there at all. */
static enum src_rc
imds_token(const char *base, char **tokhdr, char *errbuf, size_t errlen)
{
	const char *hdrs[1] = { "X-aws-ec2-metadata-token-ttl-seconds: 21600" };
	const char *v1off = getenv("AWS_EC2_METADATA_V1_DISABLED");
	char url[1024], *token = NULL;
	size_t tlen = 0, n;
	long status = 0;
	enum src_rc rc = SRC_ERROR;

	*tokhdr = NULL;
	snprintf(url, sizeof(url), "%s/latest/api/token", base);
	if (meta_fetch("PUT", url, hdrs, 1, &status, &token, &tlen, errbuf,
	    errlen))
		return SRC_NONE;	/* no instance metadata service */
	if (status == 200 && tlen > 0) {
		n = tlen + 32;
		if ((*tokhdr = malloc(n)) == NULL)
			sbuf_seterr(errbuf, errlen, "out of memory");
		else {
			snprintf(*tokhdr, n, "X-aws-ec2-metadata-token: %s",
			    token);
			rc = SRC_FOUND;
		}
	} else if (status != 404 && status != 405)
		sbuf_seterr(errbuf, errlen, "instance metadata: token request: "
		    "HTTP %ld", status);
	else if (v1off != NULL && strcasecmp(v1off, "true") == 0)
		sbuf_seterr(errbuf, errlen, "instance metadata: no IMDSv2 "
		    "token (HTTP %ld) and AWS_EC2_METADATA_V1_DISABLED is true",
		    status);
	else
		rc = SRC_FOUND;
	awskey_free_buf(token, tlen);
	return rc;
}

/* The instance's role name into *role (malloc'd).  SRC_NONE: an instance
 * without a role. */
static enum src_rc
imds_role(const char *base, const char *const *hdrs, size_t nhdr,
    char **role, char *errbuf, size_t errlen)
{
	char url[1024], *body = NULL;
	size_t blen = 0;
	long status = 0;

	*role = NULL;
	snprintf(url, sizeof(url), "%s%s", base, IMDS_CREDPATH);
	if (meta_fetch("GET", url, hdrs, nhdr, &status, &body, &blen,
	    errbuf, errlen))
		return SRC_ERROR;
	if (status == 404) {
		free(body);
		return SRC_NONE;
	}
	if (status != 200 || blen == 0) {
		sbuf_seterr(errbuf, errlen,
		    "instance metadata: role name: HTTP %ld", status);
		free(body);
		return SRC_ERROR;
	}
	body[strcspn(body, "\r\n")] = '\0';
	if (strlen(body) == 0 || strlen(body) > 128 ||
	    strspn(body, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "0123456789+=,.@_-") != strlen(body)) {
		sbuf_seterr(errbuf, errlen, "instance metadata: bad role name");
		free(body);
		return SRC_ERROR;
	}
	*role = body;
	return SRC_FOUND;
}

/* 5. EC2 instance metadata: IMDSv2 token, role name, its credentials
 * (IMDSv1 when the token call is not supported: 404/405, as botocore
 * does). */
enum src_rc
awscredmeta_imds(struct awscred *out, char *errbuf, size_t errlen)
{
	const char *dis = getenv("AWS_EC2_METADATA_DISABLED");
	const char *ep = getenv("AWS_EC2_METADATA_SERVICE_ENDPOINT");
	char base[512], url[1024], *tokhdr = NULL, *body = NULL, *role = NULL;
	const char *hdrs[1];
	size_t blen = 0, n;
	long status = 0;
	enum src_rc rc;

	if (dis != NULL && strcasecmp(dis, "true") == 0)
		return SRC_NONE;
	if (ep == NULL || *ep == '\0')
		ep = "http://169.254.169.254";
	n = strlen(ep);
	while (n > 0 && ep[n - 1] == '/')
		n--;
	if (n >= sizeof(base)) {
		sbuf_seterr(errbuf, errlen,
		    "AWS_EC2_METADATA_SERVICE_ENDPOINT too long");
		return SRC_ERROR;
	}
	memcpy(base, ep, n);
	base[n] = '\0';
	if ((rc = imds_token(base, &tokhdr, errbuf, errlen)) != SRC_FOUND)
		return rc;
	hdrs[0] = tokhdr;
	if ((rc = imds_role(base, hdrs, tokhdr != NULL, &role, errbuf,
	    errlen)) != SRC_FOUND)
		goto done;
	rc = SRC_ERROR;
	snprintf(url, sizeof(url), "%s%s%s", base, IMDS_CREDPATH, role);
	if (meta_fetch("GET", url, hdrs, tokhdr != NULL, &status, &body, &blen,
	    errbuf, errlen))
		goto done;
	if (status != 200) {
		sbuf_seterr(errbuf, errlen,
		    "instance metadata: credentials: HTTP %ld", status);
		goto done;
	}
	rc = awscred_from_json(body, blen, "instance metadata", "imds", 0, out,
	    errbuf, errlen);
done:
	awskey_free_str(tokhdr);
	free(role);
	awskey_free_buf(body, blen);
	return rc;
}

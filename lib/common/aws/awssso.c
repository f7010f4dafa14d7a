/*
 * awssso.c: SSO role credentials from the CLI's cached token (awssso.h).
 * The token file and the portal's answer hold secrets: wiped before they
 * are freed.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>
#include <openssl/crypto.h>
#include <openssl/sha.h>

#include "awsnet.h"
#include "awssso.h"
#include "sbuf.h"
#include "sigv4.h"

#define SSO_TIMEOUT_MS 30000

/* jansson keeps its own copies of strings: wipe them, then free. */
static void
json_wipe_free(json_t *j)
{
	const char *key;
	json_t *v;

	if (j == NULL)
		return;
	json_object_foreach(j, key, v) {
		if (json_is_string(v))
			OPENSSL_cleanse((char *)json_string_value(v),
			    json_string_length(v));
		else if (json_is_object(v))
			json_wipe_free(json_incref(v));
	}
	json_decref(j);
}

/* The cached token of rq into tok (NUL-terminated), or -1 with errbuf. */
static int
sso_token(const struct awssso_req *rq, char *tok, size_t toklen,
    char *errbuf, size_t errlen)
{
	const char *key = rq->session ? rq->session : rq->start_url;
	const char *home = getenv("HOME"), *a, *e;
	unsigned char md[SHA_DIGEST_LENGTH];
	char path[1024], hex[2 * SHA_DIGEST_LENGTH + 1];
	json_t *j;
	json_error_t jerr;
	time_t exp;
	size_t i;
	int rc = -1;

	SHA1((const unsigned char *)key, strlen(key), md);
	for (i = 0; i < SHA_DIGEST_LENGTH; i++)
		snprintf(hex + 2 * i, 3, "%02x", md[i]);
	snprintf(path, sizeof(path), "%s/.aws/sso/cache/%s.json",
	    home ? home : "", hex);
	if ((j = json_load_file(path, 0, &jerr)) == NULL) {
		sbuf_seterr(errbuf, errlen, "profile %s: no usable SSO token "
		    "in %s; run: aws sso login --profile %s", rq->profile, path,
		    rq->profile);
		return -1;
	}
	a = json_string_value(json_object_get(j, "accessToken"));
	e = json_string_value(json_object_get(j, "expiresAt"));
	if (a == NULL || e == NULL || awskey_parse_time(e, &exp) ||
	    exp <= awskey_now() || strlen(a) >= toklen) {
		sbuf_seterr(errbuf, errlen, "profile %s: the SSO token in %s "
		    "has expired; run: aws sso login --profile %s", rq->profile,
		    path, rq->profile);
		goto done;
	}
	memcpy(tok, a, strlen(a) + 1);
	rc = 0;
done:
	json_wipe_free(j);
	return rc;
}

/* The GetRoleCredentials URL, malloc'd, or NULL with errbuf. */
static char *
sso_url(const struct awssso_req *rq, char *errbuf, size_t errlen)
{
	const char *e = getenv("AWS_ENDPOINT_URL_SSO");
	char base[512], *acct, *role, *url = NULL;
	size_t n;

	if (e == NULL || *e == '\0')
		e = getenv("AWS_ENDPOINT_URL");
	if (e != NULL && *e != '\0')
		snprintf(base, sizeof(base), "%s", e);
	else
		snprintf(base, sizeof(base), "https://portal.sso.%s."
		    "amazonaws.com", rq->region);
	n = strlen(base);
	while (n > 0 && base[n - 1] == '/')
		base[--n] = '\0';
	if (!awsnet_url_safe(base)) {
		sbuf_seterr(errbuf, errlen, "SSO portal %.200s: https only "
		    "(plain http only to loopback)", base);
		return NULL;
	}
	acct = sigv4_uri_encode(rq->account_id, strlen(rq->account_id), 0);
	role = sigv4_uri_encode(rq->role_name, strlen(rq->role_name), 0);
	if (acct != NULL && role != NULL) {
		n += strlen(acct) + strlen(role) + 64;
		if ((url = malloc(n)) != NULL)
			snprintf(url, n, "%s/federation/credentials?account_id="
			    "%s&role_name=%s", base, acct, role);
	}
	free(acct);
	free(role);
	if (url == NULL)
		sbuf_seterr(errbuf, errlen, "out of memory");
	return url;
}

/* roleCredentials of the portal's answer into *out. */
static int
sso_parse(const char *body, size_t len, const struct awssso_req *rq,
    struct awscred *out, char *errbuf, size_t errlen)
{
	json_t *j, *rc;
	json_error_t jerr;
	const char *a, *s, *t;
	int ret = -1;

	memset(out, 0, sizeof(*out));
	if ((j = json_loadb(body, len, 0, &jerr)) == NULL) {
		sbuf_seterr(errbuf, errlen, "profile %s: SSO portal answer is "
		    "not JSON", rq->profile);
		return -1;
	}
	rc = json_object_get(j, "roleCredentials");
	a = json_string_value(json_object_get(rc, "accessKeyId"));
	s = json_string_value(json_object_get(rc, "secretAccessKey"));
	t = json_string_value(json_object_get(rc, "sessionToken"));
	if (a == NULL || s == NULL || t == NULL ||
	    !json_is_integer(json_object_get(rc, "expiration"))) {
		sbuf_seterr(errbuf, errlen, "profile %s: SSO portal answer "
		    "without roleCredentials", rq->profile);
		goto done;
	}
	out->expiration = (time_t)(json_integer_value(json_object_get(rc,
	    "expiration")) / 1000);
	out->source = "sso";
	if ((out->access_key_id = strdup(a)) == NULL ||
	    (out->secret_access_key = strdup(s)) == NULL ||
	    (out->session_token = strdup(t)) == NULL) {
		awskey_clear(out);
		sbuf_seterr(errbuf, errlen, "out of memory");
		goto done;
	}
	ret = 0;
done:
	json_wipe_free(j);
	return ret;
}

int
awssso_get(const struct awssso_req *rq, struct awscred *out, char *errbuf,
    size_t errlen)
{
	char tok[4096], hdr[4200], *url = NULL, *body = NULL, why[256];
	const char *hl[1] = { hdr };
	size_t blen = 0;
	long status = 0;
	int rc = -1;

	if (sso_token(rq, tok, sizeof(tok), errbuf, errlen) ||
	    (url = sso_url(rq, errbuf, errlen)) == NULL)
		goto done;
	snprintf(hdr, sizeof(hdr), "x-amz-sso_bearer_token: %s", tok);
	if (awsnet_post(rq->via, "GET", url, hl, 1, NULL, 0, SSO_TIMEOUT_MS,
	    &status, &body, &blen, why, sizeof(why))) {
		sbuf_seterr(errbuf, errlen, "profile %s: SSO portal: %s",
		    rq->profile, why);
		goto done;
	}
	if (status == 401 || status == 403)
		sbuf_seterr(errbuf, errlen, "profile %s: the SSO portal refused "
		    "the token (HTTP %ld); run: aws sso login --profile %s",
		    rq->profile, status, rq->profile);
	else if (status != 200)
		sbuf_seterr(errbuf, errlen, "profile %s: SSO portal: HTTP %ld",
		    rq->profile, status);
	else
		rc = sso_parse(body, blen, rq, out, errbuf, errlen);
done:
	OPENSSL_cleanse(tok, sizeof(tok));
	OPENSSL_cleanse(hdr, sizeof(hdr));
	if (body != NULL) {
		OPENSSL_cleanse(body, blen);
		free(body);
	}
	free(url);
	return rc;
}

/*
 * secrets.c: GetSecretValue over awshttp.  See secrets.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>
#include <openssl/crypto.h>

#include "awscred.h"
#include "awshttp.h"
#include "exitcodes.h"
#include "sbuf.h"
#include "secrets.h"

#define SM_TARGET "secretsmanager.GetSecretValue"
#define SM_CTYPE "application/x-amz-json-1.1"
/* Secrets Manager's own limit on a SecretId. */
#define SM_ID_MAX 2048

static const char *
env_set(const char *name)
{
	const char *v = getenv(name);

	return v != NULL && *v != '\0' ? v : NULL;
}

/*
 * The region of an ARN (arn:PARTITION:secretsmanager:REGION:ACCOUNT:...)
 * into buf, or "" when id is not such an ARN.
 */
static void
arn_region(const char *id, char *buf, size_t len)
{
	const char *p = id, *e;
	int i;

	buf[0] = '\0';
	if (strncmp(id, "arn:", 4) != 0)
		return;
	for (i = 0; i < 3 && p != NULL; i++)
		p = strchr(p, ':') ? strchr(p, ':') + 1 : NULL;
	if (p == NULL || (e = strchr(p, ':')) == NULL ||
	    (size_t)(e - p) >= len || e == p)
		return;
	memcpy(buf, p, (size_t)(e - p));
	buf[e - p] = '\0';
}

/* Endpoint URL and signing region for secret_id; 0 or -1 (errbuf). */
static int
endpoint(const char *id, char *url, size_t ulen, char *region, size_t rlen,
    char *errbuf, size_t errlen)
{
	const char *r, *u = NULL, *ign;

	arn_region(id, region, rlen);
	if (region[0] == '\0') {
		if ((r = env_set("AWS_REGION")) == NULL &&
		    (r = env_set("AWS_DEFAULT_REGION")) == NULL) {
			sbuf_seterr(errbuf, errlen, "secret %.200s: no region "
			    "(give an ARN, or set AWS_REGION)", id);
			return -1;
		}
		snprintf(region, rlen, "%s", r);
	}
	if (strspn(region, "abcdefghijklmnopqrstuvwxyz0123456789-") !=
	    strlen(region)) {
		sbuf_seterr(errbuf, errlen, "secret %.200s: bad region %.40s",
		    id, region);
		return -1;
	}
	ign = getenv("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS");
	if (ign == NULL || strcasecmp(ign, "true") != 0) {
		if ((u = env_set("AWS_ENDPOINT_URL_SECRETS_MANAGER")) == NULL)
			u = env_set("AWS_ENDPOINT_URL");
	}
	if (u != NULL)
		snprintf(url, ulen, "%s", u);
	else
		snprintf(url, ulen, "https://secretsmanager.%s.amazonaws.com%s",
		    region, strncmp(region, "cn-", 3) == 0 ? ".cn" : "");
	return 0;
}

/* An error answer: {"__type": "[ns#]Code", "message"|"Message": ...}. */
static int
answer_error(const char *id, const struct awshttp_resp *resp,
    char *errbuf, size_t errlen)
{
	json_t *root = json_loadb(resp->body ? resp->body : "", resp->len,
	    0, NULL);
	const char *code = NULL, *text = NULL, *h;
	int rc;

	if (root != NULL) {
		code = json_string_value(json_object_get(root, "__type"));
		text = json_string_value(json_object_get(root, "message"));
		if (text == NULL)
			text = json_string_value(json_object_get(root,
			    "Message"));
	}
	if (code != NULL && (h = strrchr(code, '#')) != NULL)
		code = h + 1;
	sbuf_seterr(errbuf, errlen, "secret %.200s: Secrets Manager "
	    "answered HTTP %ld %s%s%.300s", id, resp->status,
	    code ? code : "(no error code)", text ? ": " : "",
	    text ? text : "");
	rc = EXIT_REMOTE;
	if (resp->status == 403 || (code != NULL &&
	    (strcmp(code, "AccessDeniedException") == 0 ||
	    strcmp(code, "UnrecognizedClientException") == 0 ||
	    strcmp(code, "InvalidSignatureException") == 0 ||
	    strcmp(code, "ExpiredTokenException") == 0)))
		rc = EXIT_VERIFY;
	json_decref(root);
	return rc;
}

/* The SecretString of a 200 answer into *value. */
static int
answer_value(const char *id, const struct awshttp_resp *resp, char **value,
    size_t *len, char *errbuf, size_t errlen)
{
	json_t *root = json_loadb(resp->body, resp->len, 0, NULL);
	json_t *s;
	int rc = EXIT_BADINPUT;

	if (root == NULL || !json_is_object(root)) {
		sbuf_seterr(errbuf, errlen, "secret %.200s: the answer is "
		    "not a JSON object", id);
	} else if ((s = json_object_get(root, "SecretString")) == NULL ||
	    !json_is_string(s)) {
		sbuf_seterr(errbuf, errlen, "secret %.200s: no SecretString "
		    "(a binary secret? store the key text as a string)", id);
	} else if ((*value = malloc(json_string_length(s) + 1)) == NULL) {
		sbuf_seterr(errbuf, errlen, "out of memory");
	} else {
		*len = json_string_length(s);
		memcpy(*value, json_string_value(s), *len);
		(*value)[*len] = '\0';
		rc = EXIT_OK;
	}
	if (root != NULL) {
		awskey_json_wipe(root);
		json_decref(root);
	}
	return rc;
}

int
secrets_get(const char *id, char **value, size_t *len, char *errbuf,
    size_t errlen)
{
	struct awshttp_opts o;
	struct awshttp_resp resp;
	struct awshttp *h = NULL;
	char url[1024], region[64], *body = NULL;
	json_t *req;
	int rc;

	*value = NULL;
	*len = 0;
	memset(&resp, 0, sizeof(resp));
	if (id[0] == '\0' || strlen(id) > SM_ID_MAX) {
		sbuf_seterr(errbuf, errlen, "secret id: must be 1 to %d "
		    "characters", SM_ID_MAX);
		return EXIT_USAGE;
	}
	if (endpoint(id, url, sizeof(url), region, sizeof(region), errbuf,
	    errlen))
		return EXIT_USAGE;
	memset(&o, 0, sizeof(o));
	o.endpoint_url = url;
	o.signing_region = region;
	o.content_type = SM_CTYPE;
	o.target = SM_TARGET;
	o.no_ratelimit = 1;	/* the shared bucket is Route 53's */
	o.max_attempts = 4;
	o.max_retry_time_ms = 20000;
	switch (awshttp_new(&o, "secretsmanager", &h, errbuf, errlen)) {
	case AWSHTTP_OK:
		break;
	case AWSHTTP_AUTH:
		return EXIT_VERIFY;
	case AWSHTTP_USAGE:
		return EXIT_USAGE;
	default:
		return EXIT_REMOTE;
	}
	req = json_pack("{s:s}", "SecretId", id);
	if (req == NULL || (body = json_dumps(req, JSON_COMPACT)) == NULL) {
		sbuf_seterr(errbuf, errlen, "out of memory");
		rc = EXIT_BADINPUT;
	} else if ((rc = awshttp_request(h, "POST", "/", NULL, body,
	    strlen(body), 1, &resp, errbuf, errlen)) != AWSHTTP_OK) {
		rc = rc == AWSHTTP_AUTH ? EXIT_VERIFY : EXIT_REMOTE;
	} else if (resp.status != 200) {
		rc = answer_error(id, &resp, errbuf, errlen);
	} else {
		rc = answer_value(id, &resp, value, len, errbuf, errlen);
	}
	if (resp.body != NULL)
		OPENSSL_cleanse(resp.body, resp.len);
	awshttp_resp_clear(&resp);
	free(body);
	json_decref(req);
	awshttp_free(h);
	return rc;
}

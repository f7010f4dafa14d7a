/*
 * fake_awshttp.c: lib/common/aws/awshttp.c for fuzz_r53api: no network, no
 * credentials.  Every request is answered with the status and body the
 * target put in fake_http_status / fake_http_body, so that r53api.c's
 * XML parsers (static) run on fuzz input through their public callers.
 * The transport under it (awsnet.c) is the real one, never reached.
 */
#include <stdlib.h>
#include <string.h>

#include "awshttp.h"
#include "fake.h"

long fake_http_status = 200;
const char *fake_http_body;
size_t fake_http_len;

struct awshttp {
	int unused;
};

int
awshttp_endpoint(const char *explicit_url, const char *region, char **url,
    char **signing_region, char *errbuf, size_t errlen)
{
	(void)explicit_url;
	(void)region;
	(void)errbuf;
	(void)errlen;
	*url = strdup("https://route53.fake");
	*signing_region = strdup("us-east-1");
	return *url && *signing_region ? AWSHTTP_OK : AWSHTTP_FAILED;
}

int
awshttp_new(const struct awshttp_opts *opts, const char *service,
    struct awshttp **h, char *errbuf, size_t errlen)
{
	(void)opts;
	(void)service;
	(void)errbuf;
	(void)errlen;
	*h = calloc(1, sizeof(**h));
	return *h ? AWSHTTP_OK : AWSHTTP_FAILED;
}

void
awshttp_free(struct awshttp *h)
{
	free(h);
}

int
awshttp_request(struct awshttp *h, const char *method, const char *path,
    const char *query, const char *body, size_t bodylen, int idempotent,
    struct awshttp_resp *resp, char *errbuf, size_t errlen)
{
	(void)h;
	(void)method;
	(void)path;
	(void)query;
	(void)body;
	(void)bodylen;
	(void)idempotent;
	(void)errbuf;
	(void)errlen;
	memset(resp, 0, sizeof(*resp));
	resp->status = fake_http_status;
	/* Copied, as the real one does: the parsers must not rely on more
	 * than LEN octets and the NUL after them. */
	if ((resp->body = malloc(fake_http_len + 1)) == NULL)
		return AWSHTTP_FAILED;
	memcpy(resp->body, fake_http_body, fake_http_len);
	resp->body[fake_http_len] = '\0';
	resp->len = fake_http_len;
	return AWSHTTP_OK;
}

/* The fake fills in the body only. */
void
awshttp_resp_clear(struct awshttp_resp *r)
{
	free(r->body);
	r->body = NULL;
	r->len = 0;
}

void
awshttp_counters(const struct awshttp *h, struct awshttp_counters *out)
{
	(void)h;
	memset(out, 0, sizeof(*out));
}

const char *
awshttp_url(const struct awshttp *h)
{
	(void)h;
	return "https://route53.fake";
}

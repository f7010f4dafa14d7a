/*
 * awssts.h: the two STS calls the credential chain needs, on the query
 * API (POST of a form, XML answer parsed with expat):
 *   AssumeRole, SigV4-signed (service sts) with the source credentials;
 *   AssumeRoleWithWebIdentity, unsigned, with the token.
 * Endpoint: AWS_ENDPOINT_URL_STS, else AWS_ENDPOINT_URL, else the
 * regional https://sts.REGION.amazonaws.com (.com.cn for cn- regions);
 * with sts_regional_endpoints = legacy (AWS_STS_REGIONAL_ENDPOINTS) the
 * global https://sts.amazonaws.com for us-east-1 and the regions that
 * used it.  Plain http only to a loopback host.  Answers are zeroed
 * before they are freed; messages carry STS's error code and message,
 * never a secret or the web identity token.
 */
#ifndef R53M_AWSSTS_H
#define R53M_AWSSTS_H

#include "awskey.h"
#include "awsnet.h"

struct awssts_req {
	const char *role_arn;
	const char *session_name;	/* RoleSessionName */
	const char *external_id;	/* NULL: none */
	int duration;			/* DurationSeconds; 0: STS default */
	const char *web_token;		/* NULL: AssumeRole, else
					 * AssumeRoleWithWebIdentity */
	const char *region;		/* where the STS endpoint is */
	int legacy_global;		/* sts_regional_endpoints = legacy */
	const struct awsnet_via *via;	/* CA bundle, proxies; NULL: defaults */
};

/*
 * awssts_assume(rq, src, source, out, errbuf, errlen): call STS; src
 * signs AssumeRole (unused for web identity).  *out gets the temporary
 * credentials with out->source = source.  Returns 0, or -1 with errbuf.
 */
int awssts_assume(const struct awssts_req *rq, const struct awscred *src,
    const char *source, struct awscred *out, char *errbuf, size_t errlen);

#endif

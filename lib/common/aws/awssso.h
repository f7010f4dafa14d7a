/*
 * awssso.h: credentials of an IAM Identity Center (SSO) profile, from the
 * access token the AWS CLI cached after `aws sso login` (in
 * ~/.aws/sso/cache/SHA1.json, SHA1 the hex SHA-1 of the sso_session name,
 * or of sso_start_url for legacy profiles) and the portal's
 * GetRoleCredentials (GET /federation/credentials, unsigned, header
 * x-amz-sso_bearer_token).  Portal: AWS_ENDPOINT_URL_SSO, else
 * AWS_ENDPOINT_URL, else https://portal.sso.REGION.amazonaws.com; plain
 * http only to loopback.  A missing, expired or refused token is an error
 * saying `run: aws sso login --profile NAME`; the token never appears in
 * a message.
 */
#ifndef R53M_AWSSSO_H
#define R53M_AWSSSO_H

#include <stddef.h>

#include "awskey.h"
#include "awsnet.h"

struct awssso_req {
	const char *profile;	/* for messages */
	const char *session;	/* sso_session name, or NULL (legacy) */
	const char *start_url;
	const char *region;	/* sso_region */
	const char *account_id;
	const char *role_name;
	const struct awsnet_via *via;	/* CA bundle, proxies; NULL: defaults */
};

/* awssso_get(rq, out, errbuf, errlen): 0 with *out (source "sso"), or -1
 * with errbuf. */
int awssso_get(const struct awssso_req *rq, struct awscred *out,
    char *errbuf, size_t errlen);

#endif

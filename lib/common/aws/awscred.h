/*
 * awscred.h: AWS credentials found the way the AWS SDKs find them, in
 * their order:
 *   1. environment: AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY,
 *      AWS_SESSION_TOKEN (only when no explicit profile was given);
 *   2. shared files for the profile (explicit, else AWS_PROFILE, else
 *      "default"): AWS_SHARED_CREDENTIALS_FILE (~/.aws/credentials)
 *      section [name], then AWS_CONFIG_FILE (~/.aws/config) section
 *      [profile name] ([default] for default): aws_access_key_id,
 *      aws_secret_access_key, aws_session_token;
 *   3. credential_process in that profile (run with /bin/sh -c, stderr
 *      passed through, 60 s at most; JSON Version 1 output with
 *      AccessKeyId, SecretAccessKey, SessionToken, Expiration); the
 *      credentials file's static keys for the profile come first, the
 *      config file's after it, as in botocore;
 *   4. container credentials: AWS_CONTAINER_CREDENTIALS_RELATIVE_URI
 *      (against http://169.254.170.2) or AWS_CONTAINER_CREDENTIALS_FULL_URI
 *      (http only to loopback or the ECS/EKS link-local hosts), with
 *      AWS_CONTAINER_AUTHORIZATION_TOKEN (or _TOKEN_FILE) as the
 *      Authorization header;
 *   5. EC2 instance metadata, IMDSv2: PUT /latest/api/token, then
 *      GET /latest/meta-data/iam/security-credentials/ (role name), then
 *      .../ROLE; endpoint AWS_EC2_METADATA_SERVICE_ENDPOINT (default
 *      http://169.254.169.254); skipped when AWS_EC2_METADATA_DISABLED=true.
 * Before step 2, as botocore orders them, the profile (both files merged,
 * the credentials file winning) may name another way:
 *   - assume role: role_arn with source_profile (whose credentials are
 *     found the same way, without the environment; chains allowed, loops
 *     refused) or credential_source (Environment, Ec2InstanceMetadata,
 *     EcsContainer); external_id, role_session_name, duration_seconds;
 *     STS AssumeRole (awssts.h), region and sts_regional_endpoints from
 *     the environment or the profile; mfa_serial is refused (no prompt);
 *   - web identity: AWS_WEB_IDENTITY_TOKEN_FILE, AWS_ROLE_ARN,
 *     AWS_ROLE_SESSION_NAME (not with an explicit profile) over the
 *     profile's web_identity_token_file, role_arn, role_session_name;
 *     the token file is read at every refresh;
 *   - SSO (sso_account_id/sso_role_name; sso_session naming an
 *     [sso-session NAME] section, or legacy sso_start_url/sso_region in
 *     the profile): the cached token and the portal (awssso.h).
 * A way that fails is an error naming the profile and the key; so is a
 * profile that names any of role_arn, source_profile, credential_source,
 * web_identity_token_file, sso_session, sso_start_url, sso_account_id,
 * sso_role_name (or AWS_ROLE_ARN in the environment) and yields no
 * credentials: steps 4 and 5 would act as another identity.
 * Between steps 3 and 4, where botocore reads them, sources and settings
 * not supported here are refused by name: AWS_CREDENTIAL_FILE, boto2
 * [Credentials] (BOTO_CONFIG, /etc/boto.cfg, ~/.boto), the profile's
 * instance metadata keys, IPv6 instance metadata.  Step 1 honours
 * AWS_CREDENTIAL_EXPIRATION; step 5 AWS_EC2_METADATA_V1_DISABLED.
 * An explicit profile (the argument) skips step 1, as botocore does with
 * --profile; AWS_PROFILE does not.  A profile named explicitly (argument
 * or AWS_PROFILE) that exists in neither file is an error.
 * IMDS and container calls use AWS_METADATA_SERVICE_TIMEOUT (seconds,
 * default 1) and AWS_METADATA_SERVICE_NUM_ATTEMPTS (default 1), never a
 * proxy; an IMDS without the token call (404/405) is read as IMDSv1.
 * Temporary credentials (those with an Expiration) are fetched again
 * when less than AWSCRED_REFRESH_SECS remain; if that fails while the
 * old ones are still valid, the old ones are used (with a warning).
 *
 * Secrets are zeroed before being freed and are never logged: error
 * messages name the source and the file, never a key.
 *
 * Module map (one job a file; awscredint.h is what they share, and only
 * they include it):
 *   awscred.c       this header: the provider, caching and refresh
 *                   (awscred_get), awscred_setting; credentials from keys
 *                   or a JSON document; credential_process (step 3), the
 *                   one source that runs a program
 *   awscredchain.c  one walk of the chain in the order above, and a
 *                   profile's ways in botocore's order
 *   awscredcfg.c    the environment (step 1) and the shared files (step 2;
 *                   INI sections, profiles, [services]), the sources and
 *                   settings refused by name
 *   awscredrole.c   assume role, web identity, SSO
 *   awscredmeta.c   container credentials (step 4), instance metadata
 *                   (step 5)
 * Calls go from awscred.c to awscredchain.c to the sources, and back from
 * awscredrole.c to awscredchain.c for a source_profile.
 */
#ifndef R53M_AWSCRED_H
#define R53M_AWSCRED_H

#include <stddef.h>

#include "awskey.h"

/* Refresh temporary credentials this long before their Expiration. */
#define AWSCRED_REFRESH_SECS 300
/* Closer than this to Expiration, refresh before every use (a failed
 * refresh is not even throttled): a request takes up to a minute. */
#define AWSCRED_MANDATORY_SECS 60

struct awscred_provider;

/*
 * awscred_provider_new(profile): a provider for the given profile (NULL:
 * AWS_PROFILE, else "default").  Nothing is read until awscred_get.
 * Caller frees with awscred_provider_free.  NULL on out of memory.
 */
struct awscred_provider *awscred_provider_new(const char *profile);

/*
 * awscred_get(p, cred, errbuf, errlen): current credentials in *cred
 * (owned by p, valid until the next awscred_get or awscred_provider_free).
 * The chain is walked on the first call and again when temporary
 * credentials are within AWSCRED_REFRESH_SECS of expiring.  Returns 0, or
 * -1 with a one-line reason (no secret in it) in errbuf.
 */
int awscred_get(struct awscred_provider *p, const struct awscred **cred,
    char *errbuf, size_t errlen);

/*
 * awscred_expire(p): Route 53 answered ExpiredToken for the current
 * credentials (revoked, or the clock of their source is off): make the
 * next awscred_get walk the chain again at once and never fall back to
 * them.  Returns 1 when that may give other credentials (temporary ones
 * with an Expiration), 0 when it cannot (long-term keys, a token from the
 * environment), so the caller retries only in the first case.
 */
int awscred_expire(struct awscred_provider *p);

/*
 * awscred_provider_ca(p, ca_bundle): the CA bundle the client verifies
 * Route 53 with (NULL: none given), for the STS and SSO calls of the
 * chain, so that they verify the same way.  Without it they use
 * AWS_CA_BUNDLE, then the profile's ca_bundle.  0, or -1 on out of memory.
 */
int awscred_provider_ca(struct awscred_provider *p, const char *ca_bundle);

/* awscred_provider_free(p): zero and free everything.  NULL is fine. */
void awscred_provider_free(struct awscred_provider *p);

/*
 * awscred_setting(profile, service, key, out, outlen): a setting of the
 * profile (NULL: AWS_PROFILE, else default) from the shared files, as
 * botocore reads them: with service NULL the profile's own key (region,
 * endpoint_url, ca_bundle, use_fips_endpoint, max_attempts, retry_mode,
 * sts_regional_endpoints); else the key under "service =" in the
 * [services NAME] section the profile's services names.  Returns 1 with
 * the value in out, 0 when it is not set.
 */
int awscred_setting(const char *profile, const char *service,
    const char *key, char *out, size_t outlen);

#endif

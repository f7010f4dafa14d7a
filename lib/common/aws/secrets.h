/*
 * secrets.h: one AWS Secrets Manager call, GetSecretValue (AWS JSON 1.1,
 * SigV4 service "secretsmanager"), for the TSIG key of a zone transfer
 * (zxfr --tsig-secret-id).  Built on awshttp (retries, credentials, the
 * loopback-only plain http rule).
 *
 * Endpoint: AWS_ENDPOINT_URL_SECRETS_MANAGER, else AWS_ENDPOINT_URL (unless
 * AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true), else
 * https://secretsmanager.REGION.amazonaws.com (.com.cn in China).  REGION
 * and the signing region: the ARN's when the id is an ARN, else
 * AWS_REGION, else AWS_DEFAULT_REGION; none is an error (no default: a
 * secret lives in one region).
 *
 * The secret's value is never logged nor put in an error message; it is
 * wiped from every buffer that held it.
 */
#ifndef R53M_SECRETS_H
#define R53M_SECRETS_H

#include <stddef.h>

/*
 * secrets_get(secret_id, value, len, errbuf, errlen): the SecretString of
 * the current version of secret_id (a name or an ARN).  *value is
 * malloc'd and NUL-terminated; the caller wipes (OPENSSL_cleanse) and
 * frees it.  Returns an exit status of exitcodes.h: EXIT_OK; EXIT_USAGE
 * (bad id, no region, bad endpoint); EXIT_BADINPUT (the answer has no
 * SecretString: a binary secret); EXIT_REMOTE (unreachable, not found,
 * service error); EXIT_VERIFY (no credentials, access denied, signature
 * refused).  errbuf names the secret id and Secrets Manager's error code.
 */
int secrets_get(const char *secret_id, char **value, size_t *len,
    char *errbuf, size_t errlen);

#endif

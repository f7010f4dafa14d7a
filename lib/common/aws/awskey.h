/*
 * awskey.h: one set of AWS credentials as a value, and what every module
 * that handles one needs: wiping, the signing clock, expiry times.  The
 * credential chain (awscred.h), STS (awssts.h), SSO (awssso.h) and the
 * signed client (awshttp.h) all use it; it uses none of them, so they
 * need not include each other.
 */
#ifndef R53M_AWSKEY_H
#define R53M_AWSKEY_H

#include <stddef.h>
#include <time.h>

/* One set of credentials; owned by whoever filled it. */
struct awscred {
	char *access_key_id;
	char *secret_access_key;
	char *session_token;	/* NULL when none */
	time_t expiration;	/* 0: does not expire */
	const char *source;	/* static: "environment", "shared-credentials-
				 * file", "config-file", "credential-process",
				 * "container", "imds", "assume-role",
				 * "assume-role-with-web-identity", "sso" */
};

/* awskey_clear(c): zero and free the members of *c.  NULL is fine. */
void awskey_clear(struct awscred *c);

/* awskey_free_str(s), awskey_free_buf(s, len): zero, then free, a string
 * or buffer that may hold a secret.  NULL is fine. */
void awskey_free_str(char *s);
void awskey_free_buf(char *s, size_t len);

/*
 * awskey_now(): the current time, or the time pinned by the environment
 * variable R53M_FAKE_TIME (format 20150830T123600Z, UTC), honoured only by
 * this library, for tests.  Used for signing dates and expiry checks.
 */
time_t awskey_now(void);

/* awskey_parse_time(s, t): an ISO 8601 UTC time ("2026-11-26T22:00:00Z",
 * fractions and a +hh:mm offset allowed) into *t.  Returns 0 or -1. */
int awskey_parse_time(const char *s, time_t *t);

/*
 * awskey_json_wipe(root): zero every string value of a parsed JSON object
 * (jansson keeps its own copies) before json_decref, for answers that
 * carried secrets (credentials, Secrets Manager values).
 */
struct json_t;
void awskey_json_wipe(struct json_t *root);

#endif

/*
 * awscredint.h: what the files of the credential chain share (awscred.c,
 * awscredchain.c, awscredcfg.c, awscredrole.c, awscredmeta.c; see the
 * module map in awscred.h) and nothing else includes: the outcome of one
 * source, the profile keys, a profile as read from the shared files, one
 * walk's role chain, and each file's entry points.
 *
 * Every source takes (..., struct awscred *out, char *errbuf, size_t
 * errlen) and returns an enum src_rc: SRC_FOUND with *out filled,
 * SRC_NONE (nothing there: try the next) or SRC_ERROR with a one-line
 * reason in errbuf that names sources and files, never a secret.
 */
#ifndef R53M_AWSCREDINT_H
#define R53M_AWSCREDINT_H

#include <stddef.h>

#include "awscred.h"
#include "awskey.h"
#include "awsnet.h"

/* Largest credentials file, process output or HTTP answer we read. */
#define CRED_MAX_INPUT (1024 * 1024)

/* Outcome of one link of the chain. */
enum src_rc {
	SRC_FOUND = 0,		/* *out filled */
	SRC_NONE,		/* this source has nothing: try the next */
	SRC_ERROR		/* configured but broken: stop with errbuf */
};

/*
 * Profile keys that name a way to get credentials other than static keys
 * and credential_process, then the settings of those ways.  A profile
 * that has one must use it or fail naming it, never fall through to
 * another identity (the instance role, say), which would act as someone
 * the user did not name.  Their names: awscredcfg_keys[].
 */
enum way_key {
	WAY_ROLE_ARN, WAY_SOURCE_PROFILE, WAY_CREDENTIAL_SOURCE,
	WAY_WEB_IDENTITY, WAY_SSO_SESSION, WAY_SSO_START_URL,
	WAY_SSO_ACCOUNT_ID, WAY_SSO_ROLE_NAME,
	WAY_N,			/* the ways above; the settings below */
	OPT_EXTERNAL_ID = WAY_N, OPT_SESSION_NAME, OPT_DURATION, OPT_MFA,
	OPT_REGION, OPT_STS_REGIONAL, OPT_SSO_REGION, OPT_ENDPOINT_URL,
	OPT_CA_BUNDLE, OPT_FIPS, OPT_MAX_ATTEMPTS, OPT_RETRY_MODE, OPT_SERVICES,
	/* read by botocore, refused here (awscredcfg_unsupported) */
	UNSUP_FIRST, UNSUP_IMDS_ENDPOINT = UNSUP_FIRST, UNSUP_IMDS_MODE,
	UNSUP_IMDS_V1, UNSUP_IMDS_IPV6, UNSUP_META_TIMEOUT, UNSUP_META_ATTEMPTS,
	WAY_ALL
};

/*
 * The values of one INI section that matter here.  Values point into the
 * file buffer (wiped by the caller).
 */
struct ini_profile {
	int found;
	const char *akid;
	const char *secret;
	const char *token;
	int old_token;		/* token came from aws_security_token */
	const char *process;
	const char *way[WAY_ALL];	/* values of awscredcfg_keys[], or NULL */
};

/* Both shared files' sections of one profile; the values point into the
 * buffers, which awscredcfg_prof_free wipes. */
struct prof {
	const char *name;
	char *cpath, *fpath, *cbuf, *fbuf;
	size_t clen, flen;
	struct ini_profile cp, fp;
};

/* One walk of the chain: the profiles met along a source_profile chain
 * (to refuse cycles) and the transport of its STS and SSO calls, the one
 * Route 53's requests use (CA bundle, proxies). */
#define ROLE_MAX_DEPTH 16
struct role_chain {
	const char *visited[ROLE_MAX_DEPTH];
	size_t n;
	const struct awsnet_via *via;
};

/* awscred.c: credentials from keys or a JSON document; credential_process */
int awscred_set(struct awscred *out, const char *akid, const char *secret,
    const char *token, const char *source);
enum src_rc awscred_from_json(const char *text, size_t len, const char *what,
    const char *source, int want_version, struct awscred *out, char *errbuf,
    size_t errlen);
enum src_rc awscred_process(const char *cmd, struct awscred *out,
    char *errbuf, size_t errlen);

/*
 * awscredchain.c: the chain in botocore's order.
 * awscredchain_name(profile, &explicit): the profile a provider for
 * PROFILE (NULL: AWS_PROFILE, else "default") uses; explicit unless it
 * is the default.
 * awscredchain_walk(profile, ca_bundle, out, errbuf, errlen): walk the
 * whole chain once for the provider's PROFILE (may be NULL) and
 * CA_BUNDLE (the client's, or NULL).  0, or -1 with errbuf.
 * awscredchain_profile(name, explicit, envok, no_role, ch, ...): the ways
 * of profile NAME in botocore's order; EXPLICIT: a missing profile is an
 * error; ENVOK: the web identity variables apply; NO_ROLE: skip assume
 * role (a source_profile with static keys).
 */
const char *awscredchain_name(const char *profile, int *explicit);
int awscredchain_walk(const char *profile, const char *ca_bundle,
    struct awscred *out, char *errbuf, size_t errlen);
enum src_rc awscredchain_profile(const char *name, int explicit, int envok,
    int no_role, struct role_chain *ch, struct awscred *out, char *errbuf,
    size_t errlen);

/*
 * awscredcfg.c: the environment and the shared files.
 * awscredcfg_read_file: a whole file, at most CRED_MAX_INPUT (NULL with
 * errno; ENOENT: none); caller wipes it.  awscredcfg_ini_find: section
 * WANT (or WANT2) of an INI buffer (modified in place) into *p.
 * awscredcfg_prof_load / _get / _free: one profile from both files, a key
 * of it (the credentials file's over the config file's), and the wipe.
 * awscredcfg_services: a key under "service =" in [services NAME].
 * awscredcfg_env: step 1; awscredcfg_ini_static: a profile's static
 * keys; awscredcfg_unsupported: SRC_ERROR naming a source or setting
 * botocore would read and this library refuses, else SRC_NONE.
 */
extern const char *const awscredcfg_keys[WAY_ALL];
char *awscredcfg_read_file(const char *path, size_t *len);
void awscredcfg_ini_find(char *buf, const char *want, const char *want2,
    struct ini_profile *p);
int awscredcfg_prof_load(const char *name, struct prof *pf, char *errbuf,
    size_t errlen);
const char *awscredcfg_prof_get(const struct prof *pf, enum way_key k);
void awscredcfg_prof_free(struct prof *pf);
int awscredcfg_services(char *buf, const char *name, const char *service,
    const char *key, char *out, size_t outlen);
enum src_rc awscredcfg_env(struct awscred *out, char *errbuf, size_t errlen);
enum src_rc awscredcfg_ini_static(const struct ini_profile *ip,
    const char *file, const char *profile, const char *source,
    struct awscred *out, char *errbuf, size_t errlen);
enum src_rc awscredcfg_unsupported(const char *profile, char *errbuf,
    size_t errlen);

/* awscredrole.c: assume role, web identity, SSO */
int awscredrole_wanted(const struct prof *pf);
enum src_rc awscredrole_assume(const struct prof *pf, struct role_chain *ch,
    struct awscred *out, char *errbuf, size_t errlen);
enum src_rc awscredrole_web(const struct prof *pf, int envok,
    const struct role_chain *ch, struct awscred *out, char *errbuf,
    size_t errlen);
enum src_rc awscredrole_sso(const struct prof *pf, const struct role_chain *ch,
    struct awscred *out, char *errbuf, size_t errlen);

/* awscredmeta.c: container and EC2 instance metadata */
enum src_rc awscredmeta_container(struct awscred *out, char *errbuf,
    size_t errlen);
enum src_rc awscredmeta_imds(struct awscred *out, char *errbuf,
    size_t errlen);

#endif

/*
 * awscredchain.c: one walk of the credential chain in botocore's order
 * (awscred.h gives it): the environment keys, the profile's ways (assume
 * role, web identity, SSO, static keys, credential_process), the sources
 * refused by name, the container, the instance metadata.  The sources
 * themselves live in awscredcfg.c, awscredrole.c, awscredmeta.c and
 * awscred.c (credential_process); awscred.c caches what a walk gives.
 */
#include <stdlib.h>
#include <string.h>

#include "awscred.h"
#include "awscredint.h"
#include "sbuf.h"

const char *
awscredchain_name(const char *profile, int *explicit)
{
	const char *e = getenv("AWS_PROFILE");

	*explicit = 1;
	if (profile != NULL)
		return profile;
	if (e != NULL && *e != '\0')
		return e;
	*explicit = 0;
	return "default";
}

/* The transport of STS and SSO calls: Route 53's CA bundle when the
 * client set it (ca_bundle), else resolved the same way (AWS_CA_BUNDLE,
 * then the profile's ca_bundle); proxies from the environment. */
static void
chain_via(const char *profile, const char *ca_bundle,
    struct awsnet_via *via, char *buf, size_t len)
{
	const char *e = getenv("AWS_CA_BUNDLE");

	via->proxy = 1;
	via->ca_bundle = ca_bundle;
	if (via->ca_bundle == NULL && e != NULL && *e != '\0')
		via->ca_bundle = e;
	if (via->ca_bundle == NULL &&
	    awscred_setting(profile, NULL, "ca_bundle", buf, len))
		via->ca_bundle = buf;
}

int
awscredchain_walk(const char *arg, const char *ca_bundle,
    struct awscred *out, char *errbuf, size_t errlen)
{
	const char *profile;
	struct role_chain ch;
	struct awsnet_via via;
	char cabuf[1024];
	int explicit;
	enum src_rc rc;

	profile = awscredchain_name(arg, &explicit);
	chain_via(arg, ca_bundle, &via, cabuf, sizeof(cabuf));
	/* An explicit --profile skips the environment keys (botocore). */
	if (arg == NULL &&
	    (rc = awscredcfg_env(out, errbuf, errlen)) != SRC_NONE)
		return rc == SRC_FOUND ? 0 : -1;
	memset(&ch, 0, sizeof(ch));
	ch.visited[ch.n++] = profile;
	ch.via = &via;
	if ((rc = awscredchain_profile(profile, explicit, arg == NULL, 0, &ch,
	    out, errbuf, errlen)) != SRC_NONE)
		return rc == SRC_FOUND ? 0 : -1;
	/* AWS_ROLE_ARN alone is nothing to botocore, but whoever set it
	 * meant a role, not the container's or instance's. */
	if (arg == NULL && getenv("AWS_ROLE_ARN") != NULL &&
	    *getenv("AWS_ROLE_ARN") != '\0') {
		sbuf_seterr(errbuf, errlen, "environment: AWS_ROLE_ARN is set "
		    "without AWS_WEB_IDENTITY_TOKEN_FILE; refusing to use any "
		    "other credentials");
		return -1;
	}
	if ((rc = awscredcfg_unsupported(profile, errbuf, errlen)) != SRC_NONE)
		return -1;
	if ((rc = awscredmeta_container(out, errbuf, errlen)) != SRC_NONE)
		return rc == SRC_FOUND ? 0 : -1;
	if ((rc = awscredmeta_imds(out, errbuf, errlen)) != SRC_NONE)
		return rc == SRC_FOUND ? 0 : -1;
	sbuf_seterr(errbuf, errlen,
	    "no AWS credentials found (environment, shared "
	    "credentials and config files for profile %s, container, "
	    "instance metadata)", profile);
	return -1;
}

/*
 * The profile gave no credentials but names a way to get them that
 * botocore would skip (source_profile or credential_source without
 * role_arn, an sso_session alone...): stop here rather than go on to the
 * container or instance role, which would be another identity.
 */
static enum src_rc
no_fallthrough(const struct prof *pf, char *errbuf, size_t errlen)
{
	size_t i;

	for (i = 0; i < WAY_N; i++) {
		if (awscredcfg_prof_get(pf, (enum way_key)i) == NULL)
			continue;
		sbuf_seterr(errbuf, errlen, "profile %s: %s is set but gives "
		    "no credentials; refusing to use any other credentials",
		    pf->name, awscredcfg_keys[i]);
		return SRC_ERROR;
	}
	return SRC_NONE;
}

/* The credentials file's static keys, else credential_process (botocore
 * merges the credentials file over the config), else the config file's
 * static keys, else no_fallthrough(). */
static enum src_rc
profile_keys(const struct prof *pf, struct awscred *out, char *errbuf,
    size_t errlen)
{
	const char *process;
	enum src_rc rc;

	if ((rc = awscredcfg_ini_static(&pf->cp, pf->cpath, pf->name,
	    "shared-credentials-file", out, errbuf, errlen)) != SRC_NONE)
		return rc;
	process = pf->cp.process ? pf->cp.process : pf->fp.process;
	if (process != NULL && *process != '\0')
		return awscred_process(process, out, errbuf, errlen);
	if ((rc = awscredcfg_ini_static(&pf->fp, pf->fpath, pf->name,
	    "config-file", out, errbuf, errlen)) != SRC_NONE)
		return rc;
	return no_fallthrough(pf, errbuf, errlen);
}

enum src_rc
awscredchain_profile(const char *name, int explicit, int envok, int no_role,
    struct role_chain *ch, struct awscred *out, char *errbuf, size_t errlen)
{
	struct prof pf;
	const char *wif = envok ? getenv("AWS_WEB_IDENTITY_TOKEN_FILE") : NULL;
	enum src_rc rc;

	if (awscredcfg_prof_load(name, &pf, errbuf, errlen))
		return SRC_ERROR;
	if (!pf.cp.found && !pf.fp.found && explicit) {
		sbuf_seterr(errbuf, errlen, "profile %s not found in %s or %s",
		    name, pf.cpath, pf.fpath);
		rc = SRC_ERROR;
	} else if (!no_role && awscredrole_wanted(&pf))
		rc = awscredrole_assume(&pf, ch, out, errbuf, errlen);
	else if ((wif != NULL && *wif != '\0') ||
	    awscredcfg_prof_get(&pf, WAY_WEB_IDENTITY) != NULL)
		rc = awscredrole_web(&pf, envok, ch, out, errbuf, errlen);
	else if (awscredcfg_prof_get(&pf, WAY_SSO_ACCOUNT_ID) != NULL ||
	    awscredcfg_prof_get(&pf, WAY_SSO_ROLE_NAME) != NULL)
		rc = awscredrole_sso(&pf, ch, out, errbuf, errlen);
	else if (!pf.cp.found && !pf.fp.found)
		rc = SRC_NONE;
	else
		rc = profile_keys(&pf, out, errbuf, errlen);
	awscredcfg_prof_free(&pf);
	return rc;
}

/*
 * awscredrole.c: the ways of a profile that trade credentials for a
 * role's (awscred.h gives the keys): assume role, with the credentials
 * of a source_profile (through the chain again, loops refused) or of a
 * credential_source; web identity (a token file); SSO (the cached token
 * and the portal, awssso.h).  The STS calls are awssts.h's.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "awscredint.h"
#include "awssso.h"
#include "awssts.h"
#include "sbuf.h"

/* credential_source: one of the three named providers, no other. */
static enum src_rc
role_credential_source(const struct prof *pf, const char *cs,
    struct awscred *out, char *errbuf, size_t errlen)
{
	enum src_rc rc;

	if (strcmp(cs, "Environment") == 0)
		rc = awscredcfg_env(out, errbuf, errlen);
	else if (strcmp(cs, "Ec2InstanceMetadata") == 0)
		rc = awscredmeta_imds(out, errbuf, errlen);
	else if (strcmp(cs, "EcsContainer") == 0)
		rc = awscredmeta_container(out, errbuf, errlen);
	else {
		sbuf_seterr(errbuf, errlen, "profile %s: credential_source: "
		    "%.64s is not Environment, Ec2InstanceMetadata or "
		    "EcsContainer", pf->name, cs);
		return SRC_ERROR;
	}
	if (rc == SRC_NONE)
		sbuf_seterr(errbuf, errlen, "profile %s: credential_source: "
		    "%s has no credentials", pf->name, cs);
	return rc == SRC_NONE ? SRC_ERROR : rc;
}

/* Has the profile static keys (botocore)? */
static int
prof_static(const struct prof *pf)
{
	return pf->cp.akid || pf->cp.secret || pf->fp.akid || pf->fp.secret;
}

/* An assume-role setting: role_arn without web_identity_token_file. */
int
awscredrole_wanted(const struct prof *pf)
{
	return awscredcfg_prof_get(pf, WAY_ROLE_ARN) != NULL &&
	    awscredcfg_prof_get(pf, WAY_WEB_IDENTITY) == NULL;
}

/* source_profile: its credentials, as botocore resolves them: static
 * keys (or anything but a role) through the profile's own chain, without
 * the environment; a role through another AssumeRole.  Cycles refused. */
static enum src_rc
role_source_profile(const struct prof *pf, const char *sp,
    struct role_chain *ch, struct awscred *out, char *errbuf, size_t errlen)
{
	struct prof spf;
	size_t i;
	int seen = 0, no_role;
	enum src_rc rc;

	for (i = 0; i < ch->n; i++)
		seen |= strcmp(ch->visited[i], sp) == 0;
	if (awscredcfg_prof_load(sp, &spf, errbuf, errlen))
		return SRC_ERROR;
	if (!spf.cp.found && !spf.fp.found) {
		sbuf_seterr(errbuf, errlen, "profile %s: source_profile: "
		    "profile %.64s does not exist", pf->name, sp);
		rc = SRC_ERROR;
	} else if ((seen && (strcmp(sp, pf->name) != 0 || !prof_static(&spf)))
	    || ch->n == ROLE_MAX_DEPTH) {
		sbuf_seterr(errbuf, errlen, "profile %s: source_profile: "
		    "%.64s makes a loop of profiles", pf->name, sp);
		rc = SRC_ERROR;
	} else
		rc = SRC_NONE;
	no_role = prof_static(&spf) || !awscredrole_wanted(&spf);
	awscredcfg_prof_free(&spf);
	if (rc != SRC_NONE)
		return rc;
	ch->visited[ch->n++] = sp;
	rc = awscredchain_profile(sp, 1, 0, no_role, ch, out, errbuf, errlen);
	if (rc == SRC_NONE) {
		sbuf_seterr(errbuf, errlen, "profile %s: source_profile: "
		    "profile %.64s has no credentials", pf->name, sp);
		rc = SRC_ERROR;
	}
	return rc;
}

/* The region and endpoint kind of the STS call for profile pf. */
static void
role_sts_where(const struct prof *pf, struct awssts_req *rq)
{
	const char *r = getenv("AWS_REGION"), *l;

	if (r == NULL || *r == '\0')
		r = getenv("AWS_DEFAULT_REGION");
	if (r == NULL || *r == '\0')
		r = awscredcfg_prof_get(pf, OPT_REGION);
	rq->region = r;
	if ((l = getenv("AWS_STS_REGIONAL_ENDPOINTS")) == NULL || *l == '\0')
		l = awscredcfg_prof_get(pf, OPT_STS_REGIONAL);
	rq->legacy_global = l != NULL && strcmp(l, "legacy") == 0;
}

/* The options of an AssumeRole of profile pf into *rq; -1 on a bad one. */
static int
role_request(const struct prof *pf, struct awssts_req *rq, char *session,
    size_t slen, char *errbuf, size_t errlen)
{
	const char *d = awscredcfg_prof_get(pf, OPT_DURATION);
	char *end;
	long v;

	memset(rq, 0, sizeof(*rq));
	rq->role_arn = awscredcfg_prof_get(pf, WAY_ROLE_ARN);
	rq->external_id = awscredcfg_prof_get(pf, OPT_EXTERNAL_ID);
	rq->session_name = awscredcfg_prof_get(pf, OPT_SESSION_NAME);
	if (rq->session_name == NULL) {
		/* As botocore names its sessions, so CloudTrail shows when. */
		snprintf(session, slen, "r53mirror-%lld",
		    (long long)awskey_now());
		rq->session_name = session;
	}
	if (d != NULL) {
		v = strtol(d, &end, 10);
		if (*d == '\0' || *end != '\0' || v < 900 || v > 43200) {
			sbuf_seterr(errbuf, errlen, "profile %s: "
			    "duration_seconds: %.32s is not 900 to 43200",
			    pf->name, d);
			return -1;
		}
		rq->duration = (int)v;
	}
	role_sts_where(pf, rq);
	return 0;
}

/* Assume role: role_arn with source_profile or credential_source. */
enum src_rc
awscredrole_assume(const struct prof *pf, struct role_chain *ch,
    struct awscred *out, char *errbuf, size_t errlen)
{
	const char *sp = awscredcfg_prof_get(pf, WAY_SOURCE_PROFILE);
	const char *cs = awscredcfg_prof_get(pf, WAY_CREDENTIAL_SOURCE);
	struct awssts_req rq;
	struct awscred src;
	char session[64], why[512];
	enum src_rc rc;

	if (awscredcfg_prof_get(pf, OPT_MFA) != NULL) {
		sbuf_seterr(errbuf, errlen, "profile %s: mfa_serial: a role "
		    "that needs an MFA code cannot be assumed unattended",
		    pf->name);
		return SRC_ERROR;
	}
	if ((sp == NULL) == (cs == NULL)) {
		sbuf_seterr(errbuf, errlen, "profile %s: role_arn needs one "
		    "of source_profile and credential_source%s", pf->name,
		    sp != NULL ? ", not both" : "");
		return SRC_ERROR;
	}
	if (role_request(pf, &rq, session, sizeof(session), errbuf, errlen))
		return SRC_ERROR;
	rq.via = ch->via;
	memset(&src, 0, sizeof(src));
	rc = cs != NULL ? role_credential_source(pf, cs, &src, errbuf, errlen)
	    : role_source_profile(pf, sp, ch, &src, errbuf, errlen);
	if (rc != SRC_FOUND)
		return rc;
	rc = SRC_FOUND;
	if (awssts_assume(&rq, &src, "assume-role", out, why, sizeof(why))) {
		sbuf_seterr(errbuf, errlen, "profile %s: role_arn: %s",
		    pf->name, why);
		rc = SRC_ERROR;
	}
	awskey_clear(&src);
	return rc;
}

/* Web identity: role and token file from the environment (unless a
 * profile was named explicitly) over the profile's; the token is read
 * at every call, since it rotates. */
enum src_rc
awscredrole_web(const struct prof *pf, int envok, const struct role_chain *ch,
    struct awscred *out, char *errbuf, size_t errlen)
{
	const char *file = envok ? getenv("AWS_WEB_IDENTITY_TOKEN_FILE") : NULL;
	const char *arn = envok ? getenv("AWS_ROLE_ARN") : NULL;
	const char *sn = envok ? getenv("AWS_ROLE_SESSION_NAME") : NULL;
	struct awssts_req rq;
	char *tok = NULL, session[64], why[512];
	size_t tlen = 0;
	enum src_rc rc = SRC_ERROR;
	int envfile = file != NULL && *file != '\0';

	file = envfile ? file : awscredcfg_prof_get(pf, WAY_WEB_IDENTITY);
	arn = arn != NULL ? arn : awscredcfg_prof_get(pf, WAY_ROLE_ARN);
	sn = sn != NULL ? sn : awscredcfg_prof_get(pf, OPT_SESSION_NAME);
	if (arn == NULL || *arn == '\0') {
		sbuf_seterr(errbuf, errlen, "profile %s: web identity token "
		    "file set but no role_arn (or AWS_ROLE_ARN)", pf->name);
		return SRC_ERROR;
	}
	if ((tok = awscredcfg_read_file(file, &tlen)) == NULL) {
		sbuf_seterr(errbuf, errlen, "web identity token file %.200s: "
		    "%s", file, strerror(errno));
		return SRC_ERROR;
	}
	tok[strcspn(tok, "\r\n")] = '\0';
	memset(&rq, 0, sizeof(rq));
	rq.role_arn = arn;
	rq.web_token = tok;
	rq.via = ch->via;
	snprintf(session, sizeof(session), "r53mirror-%lld",
	    (long long)awskey_now());
	rq.session_name = sn != NULL ? sn : session;
	role_sts_where(pf, &rq);
	if (awssts_assume(&rq, NULL, "assume-role-with-web-identity", out,
	    why, sizeof(why)) == 0)
		rc = SRC_FOUND;
	else if (envfile)
		sbuf_seterr(errbuf, errlen, "environment: "
		    "AWS_WEB_IDENTITY_TOKEN_FILE: %s", why);
	else
		sbuf_seterr(errbuf, errlen, "profile %s: "
		    "web_identity_token_file: %s", pf->name, why);
	awskey_free_buf(tok, tlen);
	return rc;
}

/* SSO: the profile's sso_account_id and sso_role_name, the start URL
 * and region from its [sso-session NAME] section (or, legacy, from the
 * profile itself). */
enum src_rc
awscredrole_sso(const struct prof *pf, const struct role_chain *ch,
    struct awscred *out, char *errbuf, size_t errlen)
{
	struct awssso_req rq;
	struct ini_profile sp;
	char *buf = NULL, sec[300];
	size_t len = 0;
	enum src_rc rc = SRC_ERROR;

	memset(&rq, 0, sizeof(rq));
	rq.profile = pf->name;
	rq.session = awscredcfg_prof_get(pf, WAY_SSO_SESSION);
	rq.start_url = awscredcfg_prof_get(pf, WAY_SSO_START_URL);
	rq.region = awscredcfg_prof_get(pf, OPT_SSO_REGION);
	rq.account_id = awscredcfg_prof_get(pf, WAY_SSO_ACCOUNT_ID);
	rq.role_name = awscredcfg_prof_get(pf, WAY_SSO_ROLE_NAME);
	rq.via = ch->via;
	if (rq.session != NULL) {
		snprintf(sec, sizeof(sec), "sso-session %.256s", rq.session);
		if ((buf = awscredcfg_read_file(pf->fpath, &len)) != NULL)
			awscredcfg_ini_find(buf, sec, NULL, &sp);
		if (buf == NULL || !sp.found) {
			sbuf_seterr(errbuf, errlen, "profile %s: sso_session: "
			    "no [%s] in %s", pf->name, sec, pf->fpath);
			goto done;
		}
		rq.start_url = sp.way[WAY_SSO_START_URL];
		rq.region = sp.way[OPT_SSO_REGION];
	}
	if (rq.start_url == NULL || rq.region == NULL ||
	    rq.account_id == NULL || rq.role_name == NULL) {
		sbuf_seterr(errbuf, errlen, "profile %s: SSO needs "
		    "sso_start_url, sso_region, sso_account_id and "
		    "sso_role_name", pf->name);
		goto done;
	}
	if (awssso_get(&rq, out, errbuf, errlen) == 0)
		rc = SRC_FOUND;
done:
	awskey_free_buf(buf, len);
	return rc;
}

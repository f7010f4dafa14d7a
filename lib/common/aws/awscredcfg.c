/*
 * awscredcfg.c: what the credential chain reads from the environment and
 * the shared files (~/.aws/credentials, ~/.aws/config; awscred.h gives
 * the rules): whole files, INI sections, one profile from both files
 * (struct prof), the static keys of the environment (step 1) and of a
 * profile, the [services NAME] settings, and the sources and settings
 * botocore reads that are refused here by name.
 * Buffers that held a file are wiped before they are freed (the caller's
 * job for awscredcfg_read_file and struct prof: awscredcfg_prof_free).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "awscredint.h"
#include "sbuf.h"

/* Read a whole file (at most CRED_MAX_INPUT); caller wipes and frees.
 * Returns NULL with errno ENOENT when it does not exist. */
char *
awscredcfg_read_file(const char *path, size_t *len)
{
	char *buf = NULL;
	size_t n = 0;
	ssize_t r;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return NULL;
	if ((buf = malloc(CRED_MAX_INPUT + 1)) == NULL)
		goto fail;
	while (n < CRED_MAX_INPUT) {
		r = read(fd, buf + n, CRED_MAX_INPUT - n);
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1)
			goto fail;
		if (r == 0)
			break;
		n += (size_t)r;
	}
	if (n == CRED_MAX_INPUT) {
		errno = EFBIG;
		goto fail;
	}
	close(fd);
	buf[n] = '\0';
	*len = n;
	return buf;
fail:
	awskey_free_buf(buf, CRED_MAX_INPUT + 1);
	close(fd);
	return NULL;
}

/* "~/x" and $HOME: the SDKs expand a leading tilde in file variables. */
static char *
expand_path(const char *env, const char *dflt)
{
	const char *v = getenv(env), *home = getenv("HOME");
	char *out;
	size_t n;

	if (v == NULL || *v == '\0')
		v = dflt;
	if (v[0] == '~' && (v[1] == '/' || v[1] == '\0')) {
		if (home == NULL)
			home = "";
		n = strlen(home) + strlen(v);
		if ((out = malloc(n + 1)) == NULL)
			return NULL;
		snprintf(out, n + 1, "%s%s", home, v + 1);
		return out;
	}
	return strdup(v);
}

/* The names of enum way_key (awscredint.h) in the shared files. */
const char *const awscredcfg_keys[WAY_ALL] = {
	"role_arn", "source_profile", "credential_source",
	"web_identity_token_file", "sso_session", "sso_start_url",
	"sso_account_id", "sso_role_name",
	"external_id", "role_session_name", "duration_seconds", "mfa_serial",
	"region", "sts_regional_endpoints", "sso_region", "endpoint_url",
	"ca_bundle", "use_fips_endpoint", "max_attempts", "retry_mode",
	"services",
	"ec2_metadata_service_endpoint", "ec2_metadata_service_endpoint_mode",
	"ec2_metadata_v1_disabled", "imds_use_ipv6", "metadata_service_timeout",
	"metadata_service_num_attempts"
};

static char *
trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
		*--e = '\0';
	return s;
}

/* Keep value v when key k is one of awscredcfg_keys[]. */
static void
ini_way(struct ini_profile *p, const char *k, const char *v)
{
	size_t i;

	for (i = 0; i < WAY_ALL; i++)
		if (strcmp(k, awscredcfg_keys[i]) == 0)
			p->way[i] = v;
}

/*
 * Parse buf (modified in place) looking for section "want" (for the
 * config file "profile NAME", or "default").  Indented lines belong to
 * the key above (nested settings such as s3 =) and are skipped.
 */
void
awscredcfg_ini_find(char *buf, const char *want, const char *want2,
    struct ini_profile *p)
{
	char *line, *next, *eq, *k, *v, *name, *end;
	int in = 0;

	memset(p, 0, sizeof(*p));
	for (line = buf; line != NULL; line = next) {
		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		if (*line == ' ' || *line == '\t')
			continue;
		line = trim(line);
		if (*line == '\0' || *line == '#' || *line == ';')
			continue;
		if (*line == '[') {
			if ((end = strrchr(line, ']')) == NULL) {
				in = 0;
				continue;
			}
			*end = '\0';
			name = trim(line + 1);
			in = strcmp(name, want) == 0 ||
			    (want2 != NULL && strcmp(name, want2) == 0);
			if (in)
				p->found = 1;
			continue;
		}
		if (!in || (eq = strchr(line, '=')) == NULL)
			continue;
		*eq = '\0';
		k = trim(line);
		v = trim(eq + 1);
		if (strcmp(k, "aws_access_key_id") == 0)
			p->akid = v;
		else if (strcmp(k, "aws_secret_access_key") == 0)
			p->secret = v;
		else if (strcmp(k, "aws_security_token") == 0) {
			/* botocore's order: the old name wins */
			p->token = v;
			p->old_token = 1;
		} else if (strcmp(k, "aws_session_token") == 0 &&
		    !p->old_token)
			p->token = v;
		else if (strcmp(k, "credential_process") == 0)
			p->process = v;
		else
			ini_way(p, k, v);
	}
}

/* The session token from the environment: botocore takes the old name
 * AWS_SECURITY_TOKEN first, then AWS_SESSION_TOKEN (empty ones skipped). */
static const char *
env_token(void)
{
	const char *t = getenv("AWS_SECURITY_TOKEN");

	if (t != NULL && *t != '\0')
		return t;
	t = getenv("AWS_SESSION_TOKEN");
	return t != NULL && *t != '\0' ? t : NULL;
}

/* 1. AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN. */
enum src_rc
awscredcfg_env(struct awscred *out, char *errbuf, size_t errlen)
{
	const char *a = getenv("AWS_ACCESS_KEY_ID");
	const char *s = getenv("AWS_SECRET_ACCESS_KEY"), *e;

	if ((a == NULL || *a == '\0') && (s == NULL || *s == '\0'))
		return SRC_NONE;
	if (a == NULL || *a == '\0' || s == NULL || *s == '\0') {
		sbuf_seterr(errbuf, errlen,
		    "environment: %s is set but %s is not",
		    a != NULL && *a ? "AWS_ACCESS_KEY_ID" :
		    "AWS_SECRET_ACCESS_KEY", a != NULL && *a ?
		    "AWS_SECRET_ACCESS_KEY" : "AWS_ACCESS_KEY_ID");
		return SRC_ERROR;
	}
	if (awscred_set(out, a, s, env_token(), "environment")) {
		sbuf_seterr(errbuf, errlen, "out of memory");
		return SRC_ERROR;
	}
	/* botocore: keys that stop working then (awscred_get refuses them
	 * once past it rather than let Route 53 say ExpiredToken). */
	if ((e = getenv("AWS_CREDENTIAL_EXPIRATION")) != NULL && *e != '\0' &&
	    awskey_parse_time(e, &out->expiration)) {
		awskey_clear(out);
		sbuf_seterr(errbuf, errlen, "environment: "
		    "AWS_CREDENTIAL_EXPIRATION: %.40s is not an ISO 8601 time",
		    e);
		return SRC_ERROR;
	}
	return SRC_FOUND;
}

/* Static keys of one INI profile, if any. */
enum src_rc
awscredcfg_ini_static(const struct ini_profile *ip, const char *file,
    const char *profile, const char *source, struct awscred *out,
    char *errbuf, size_t errlen)
{
	if (ip->akid == NULL && ip->secret == NULL)
		return SRC_NONE;
	if (ip->akid == NULL || ip->secret == NULL || *ip->akid == '\0' ||
	    *ip->secret == '\0') {
		sbuf_seterr(errbuf, errlen, "%s: profile %s has %s but not %s",
		    file, profile,
		    ip->akid ? "aws_access_key_id" : "aws_secret_access_key",
		    ip->akid ? "aws_secret_access_key" : "aws_access_key_id");
		return SRC_ERROR;
	}
	if (awscred_set(out, ip->akid, ip->secret, ip->token, source)) {
		sbuf_seterr(errbuf, errlen, "out of memory");
		return SRC_ERROR;
	}
	return SRC_FOUND;
}

void
awscredcfg_prof_free(struct prof *pf)
{
	awskey_free_buf(pf->cbuf, pf->clen);
	awskey_free_buf(pf->fbuf, pf->flen);
	free(pf->cpath);
	free(pf->fpath);
	memset(pf, 0, sizeof(*pf));
}

/* Read profile name from both files into *pf (cp.found / fp.found say
 * where it is).  Returns 0, or -1 with errbuf (pf freed). */
int
awscredcfg_prof_load(const char *name, struct prof *pf, char *errbuf,
    size_t errlen)
{
	char cfgsec[300];

	memset(pf, 0, sizeof(*pf));
	pf->name = name;
	if ((pf->cpath = expand_path("AWS_SHARED_CREDENTIALS_FILE",
	    "~/.aws/credentials")) == NULL || (pf->fpath =
	    expand_path("AWS_CONFIG_FILE", "~/.aws/config")) == NULL) {
		sbuf_seterr(errbuf, errlen, "out of memory");
		goto fail;
	}
	if ((pf->cbuf = awscredcfg_read_file(pf->cpath, &pf->clen)) == NULL &&
	    errno != ENOENT) {
		sbuf_seterr(errbuf, errlen, "%s: %s", pf->cpath,
		    strerror(errno));
		goto fail;
	}
	if ((pf->fbuf = awscredcfg_read_file(pf->fpath, &pf->flen)) == NULL &&
	    errno != ENOENT) {
		sbuf_seterr(errbuf, errlen, "%s: %s", pf->fpath,
		    strerror(errno));
		goto fail;
	}
	if (pf->cbuf != NULL)
		awscredcfg_ini_find(pf->cbuf, name, NULL, &pf->cp);
	/* In the config file the default profile is [default] (or
	 * [profile default]); others are [profile NAME]. */
	snprintf(cfgsec, sizeof(cfgsec), "profile %.256s", name);
	if (pf->fbuf != NULL)
		awscredcfg_ini_find(pf->fbuf, cfgsec,
		    strcmp(name, "default") == 0 ? "default" : NULL, &pf->fp);
	return 0;
fail:
	awscredcfg_prof_free(pf);
	return -1;
}

/* A way key of the profile as botocore merges the files: the credentials
 * file's value over the config file's. */
const char *
awscredcfg_prof_get(const struct prof *pf, enum way_key k)
{
	return pf->cp.way[k] != NULL ? pf->cp.way[k] : pf->fp.way[k];
}

/*
 * Sources and settings botocore knows and this library does not read.
 * botocore would try the first two here, before the container and the
 * instance role: going on would act as another identity, and ignoring the
 * others would ask the instance metadata service in a way the user did
 * not configure.  So each is refused by name.
 */
static const char *const boto_files[] = { "/etc/boto.cfg", "~/.boto" };
/* IPv6 instance metadata, which needs the endpoint set explicitly here;
 * the first is refused when IPv6, the others when true. */
static const char *const unsup_env[] = {
	"AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE", "AWS_IMDS_USE_IPV6"
};

/* A boto2 config file with [Credentials] keys: 1 (name in errbuf). */
static int
boto_file_creds(const char *path, char *errbuf, size_t errlen)
{
	struct ini_profile ip;
	size_t len = 0;
	char *buf;
	int has;

	if ((buf = awscredcfg_read_file(path, &len)) == NULL)
		return 0;
	awscredcfg_ini_find(buf, "Credentials", NULL, &ip);
	has = ip.akid != NULL || ip.secret != NULL;
	awskey_free_buf(buf, len);
	if (has)
		sbuf_seterr(errbuf, errlen, "%s: boto2 [Credentials] are not "
		    "supported (move them to ~/.aws/credentials); refusing to "
		    "use any other credentials", path);
	return has;
}

enum src_rc
awscredcfg_unsupported(const char *profile, char *errbuf, size_t errlen)
{
	const char *v = getenv("AWS_CREDENTIAL_FILE");
	const char *bc = getenv("BOTO_CONFIG");
	char *path;
	size_t i;
	int hit = 0;
	struct prof pf;

	if (v != NULL && *v != '\0') {
		sbuf_seterr(errbuf, errlen, "environment: AWS_CREDENTIAL_FILE "
		    "(the EC2 API tools' credential file) is not supported; "
		    "refusing to use any other credentials");
		return SRC_ERROR;
	}
	for (i = 0; !hit && i < (bc != NULL ? 1 : 2); i++) {
		if ((path = expand_path("BOTO_CONFIG", boto_files[i])) == NULL)
			continue;
		hit = boto_file_creds(path, errbuf, errlen);
		free(path);
	}
	if (hit)
		return SRC_ERROR;
	for (i = 0; i < sizeof(unsup_env) / sizeof(unsup_env[0]); i++) {
		v = getenv(unsup_env[i]);
		if (v == NULL || strcasecmp(v, i == 0 ? "IPv6" : "true") != 0)
			continue;
		sbuf_seterr(errbuf, errlen, "environment: %s: %s is not "
		    "supported (set AWS_EC2_METADATA_SERVICE_ENDPOINT)",
		    unsup_env[i], v);
		return SRC_ERROR;
	}
	if (awscredcfg_prof_load(profile, &pf, errbuf, errlen))
		return SRC_ERROR;
	for (i = UNSUP_FIRST; !hit && i < WAY_ALL; i++)
		if (awscredcfg_prof_get(&pf, (enum way_key)i) != NULL) {
			sbuf_seterr(errbuf, errlen, "profile %s: %s is not "
			    "supported in the shared files (use its AWS_* "
			    "environment variable)", profile,
			    awscredcfg_keys[i]);
			hit = 1;
		}
	awscredcfg_prof_free(&pf);
	return hit ? SRC_ERROR : SRC_NONE;
}

/*
 * In [services NAME] of buf (modified), the value of "service =" then
 * indented "key = value" below it, copied to out.  1 found, 0 not.
 */
int
awscredcfg_services(char *buf, const char *name, const char *service,
    const char *key, char *out, size_t outlen)
{
	char *line, *next, *eq, sec[300];
	int in = 0, insvc = 0;

	snprintf(sec, sizeof(sec), "[services %.256s]", name);
	for (line = buf; line != NULL; line = next) {
		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		if (*line != ' ' && *line != '\t') {
			line = trim(line);
			if (*line == '[')
				in = strcmp(line, sec) == 0;
			insvc = in && (eq = strchr(line, '=')) != NULL &&
			    (*eq = '\0', strcmp(trim(line), service) == 0);
			continue;
		}
		if (!insvc || (eq = strchr(line, '=')) == NULL)
			continue;
		*eq = '\0';
		if (strcmp(trim(line), key) == 0) {
			snprintf(out, outlen, "%s", trim(eq + 1));
			return 1;
		}
	}
	return 0;
}

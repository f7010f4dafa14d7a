/*
 * awscred.c: the AWS SDK credential chain (see awscred.h for the order).
 * Every buffer that held a secret (file contents, JSON answers, process
 * output) is wiped with OPENSSL_cleanse before it is freed; messages name
 * sources and files only.
 */
#include <sys/types.h>
#include <sys/wait.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <jansson.h>
#include <openssl/crypto.h>

#include "awscred.h"
#include "awsnet.h"
#include "clock.h"
#include "awssso.h"
#include "awssts.h"
#include "log.h"
#include "sbuf.h"

/* Largest credentials file, process output or HTTP answer we read. */
#define CRED_MAX_INPUT (1024 * 1024)
/* credential_process may take this long (it may talk to a CA, a TPM). */
#define CRED_PROCESS_TIMEOUT_MS 60000
/* A failed advisory refresh is not retried more often than this. */
#define CRED_RETRY_SECS 30

struct awscred_provider {
	char *profile;		/* explicit profile, or NULL */
	char *ca_bundle;	/* the client's, or NULL (awscred_provider_ca) */
	struct awscred cur;
	int have;
	int rejected;		/* Route 53 called cur expired: refresh now */
	time_t last_try;	/* when the chain was last walked */
};

/* Outcome of one link of the chain. */
enum src_rc {
	SRC_FOUND = 0,		/* *out filled */
	SRC_NONE,		/* this source has nothing: try the next */
	SRC_ERROR		/* configured but broken: stop with errbuf */
};

/* Read a whole file (at most CRED_MAX_INPUT); caller wipes and frees.
 * Returns NULL with errno ENOENT when it does not exist. */
static char *
read_file(const char *path, size_t *len)
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

/*
 * Profile keys that name a way to get credentials other than static keys
 * and credential_process, then the settings of those ways.  A profile
 * that has one must use it or fail naming it, never fall through to
 * another identity (the instance role, say), which would act as someone
 * the user did not name.
 */
enum way_key {
	WAY_ROLE_ARN, WAY_SOURCE_PROFILE, WAY_CREDENTIAL_SOURCE,
	WAY_WEB_IDENTITY, WAY_SSO_SESSION, WAY_SSO_START_URL,
	WAY_SSO_ACCOUNT_ID, WAY_SSO_ROLE_NAME,
	WAY_N,			/* the ways above; the settings below */
	OPT_EXTERNAL_ID = WAY_N, OPT_SESSION_NAME, OPT_DURATION, OPT_MFA,
	OPT_REGION, OPT_STS_REGIONAL, OPT_SSO_REGION, OPT_ENDPOINT_URL,
	OPT_CA_BUNDLE, OPT_FIPS, OPT_MAX_ATTEMPTS, OPT_RETRY_MODE, OPT_SERVICES,
	/* read by botocore, refused here (src_unsupported) */
	UNSUP_FIRST, UNSUP_IMDS_ENDPOINT = UNSUP_FIRST, UNSUP_IMDS_MODE,
	UNSUP_IMDS_V1, UNSUP_IMDS_IPV6, UNSUP_META_TIMEOUT, UNSUP_META_ATTEMPTS,
	WAY_ALL
};
static const char *const way_keys[WAY_ALL] = {
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
	const char *way[WAY_ALL];	/* values of way_keys[], or NULL */
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

/* Keep value v when key k is one of way_keys[]. */
static void
ini_way(struct ini_profile *p, const char *k, const char *v)
{
	size_t i;

	for (i = 0; i < WAY_ALL; i++)
		if (strcmp(k, way_keys[i]) == 0)
			p->way[i] = v;
}

/*
 * Parse buf (modified in place) looking for section "want" (for the
 * config file "profile NAME", or "default").  Indented lines belong to
 * the key above (nested settings such as s3 =) and are skipped.
 */
static void
ini_find(char *buf, const char *want, const char *want2, struct ini_profile *p)
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

static int
set_static(struct awscred *out, const char *akid, const char *secret,
    const char *token, const char *source)
{
	memset(out, 0, sizeof(*out));
	if ((out->access_key_id = strdup(akid)) == NULL ||
	    (out->secret_access_key = strdup(secret)) == NULL ||
	    (token != NULL && *token != '\0' &&
	    (out->session_token = strdup(token)) == NULL)) {
		awskey_clear(out);
		return -1;
	}
	out->source = source;
	return 0;
}

static const char *
profile_name(const struct awscred_provider *p, int *explicit)
{
	const char *e = getenv("AWS_PROFILE");

	*explicit = 1;
	if (p->profile != NULL)
		return p->profile;
	if (e != NULL && *e != '\0')
		return e;
	*explicit = 0;
	return "default";
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
static enum src_rc
src_env(struct awscred *out, char *errbuf, size_t errlen)
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
	if (set_static(out, a, s, env_token(), "environment")) {
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
static enum src_rc
ini_static(const struct ini_profile *ip, const char *file,
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
	if (set_static(out, ip->akid, ip->secret, ip->token, source)) {
		sbuf_seterr(errbuf, errlen, "out of memory");
		return SRC_ERROR;
	}
	return SRC_FOUND;
}

/*
 * Split a credential_process command into words the way botocore does
 * (Python's shlex.split in POSIX mode), so that it runs without a shell:
 * blanks separate words; a backslash outside quotes takes the next
 * character literally; '...' is literal; inside "..." a backslash escapes
 * only " and backslash.  Returns a NULL-terminated vector whose words all
 * live in one block after the pointers (the caller frees the vector only),
 * or NULL with errbuf set.
 */
static char **
split_command(const char *cmd, char *errbuf, size_t errlen)
{
	size_t len = strlen(cmd), maxw = len / 2 + 2, nw = 0;
	char **argv = NULL, *out, q = 0;
	const char *p;
	int inword = 0, dangling = 0;

	/* at most len/2+1 words, and no more text than the command */
	if ((argv = malloc(maxw * sizeof(*argv) + len + 1)) == NULL) {
		sbuf_seterr(errbuf, errlen, "out of memory");
		return NULL;
	}
	out = (char *)(argv + maxw);
	for (p = cmd; *p != '\0'; p++) {
		if (q == 0 && strchr(" \t\r\n", *p) != NULL) {
			if (inword)
				*out++ = '\0';
			inword = 0;
			continue;
		}
		if (!inword) {
			argv[nw++] = out;
			inword = 1;
		}
		if (q == 0 && (*p == '\'' || *p == '"'))
			q = *p;
		else if (q != 0 && *p == q)
			q = 0;
		else if (*p == '\\' && (q == 0 || (q == '"' &&
		    (p[1] == '"' || p[1] == '\\')))) {
			if (*++p == '\0') {
				dangling = 1;
				break;
			}
			*out++ = *p;
		} else
			*out++ = *p;
	}
	*out = '\0';
	argv[nw] = NULL;
	if (q != 0 || dangling || nw == 0) {
		sbuf_seterr(errbuf, errlen, "credential_process: %s",
		    dangling ? "no character after the last backslash" :
		    q != 0 ? "no closing quotation" : "empty command");
		free(argv);
		return NULL;
	}
	return argv;
}

/* Read the child's output from fd into buf (*n octets so far) until EOF,
 * CRED_MAX_INPUT or the deadline; past it, kill and reap the child and
 * return -1 with errbuf. */
static int
read_child(int fd, pid_t pid, char *buf, size_t *n, char *errbuf,
    size_t errlen)
{
	struct pollfd pf;
	double t0 = clock_now();
	long left;
	ssize_t r;
	int prc, status;

	for (;;) {
		left = CRED_PROCESS_TIMEOUT_MS -
		    (long)((clock_now() - t0) * 1000);
		pf.fd = fd;
		pf.events = POLLIN;
		if (left <= 0 || (prc = poll(&pf, 1, (int)left)) == 0) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			sbuf_seterr(errbuf, errlen,
			    "credential_process: no answer within %d s",
			    CRED_PROCESS_TIMEOUT_MS / 1000);
			return -1;
		}
		if (prc == -1 && errno == EINTR)
			continue;
		r = read(fd, buf + *n, CRED_MAX_INPUT - *n);
		if (r == -1 && errno == EINTR)
			continue;
		if (r <= 0 || (*n += (size_t)r) == CRED_MAX_INPUT)
			return 0;
	}
}

/* 1 with errbuf when the child's wait status is a failure. */
static int
child_failed(int status, const char *prog, char *errbuf, size_t errlen)
{
	if (WIFEXITED(status) && WEXITSTATUS(status) == 127) {
		sbuf_seterr(errbuf, errlen, "credential_process: cannot run "
		    "\"%.100s\" (exit status 127)", prog);
		return 1;
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		sbuf_seterr(errbuf, errlen, "credential_process failed (%s %d)",
		    WIFEXITED(status) ? "exit status" : "signal",
		    WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
		return 1;
	}
	return 0;
}

/* Read the output of a credential_process (at most CRED_MAX_INPUT) with a
 * deadline; returns the malloc'd output or NULL with errbuf set. */
static char *
run_process(const char *cmd, size_t *outlen, char *errbuf, size_t errlen)
{
	int pfd[2] = { -1, -1 }, status;
	pid_t pid;
	char *buf = NULL, **argv = NULL;
	size_t n = 0;

	if ((argv = split_command(cmd, errbuf, errlen)) == NULL)
		return NULL;
	if ((buf = malloc(CRED_MAX_INPUT + 1)) == NULL || pipe(pfd) == -1) {
		sbuf_seterr(errbuf, errlen, "credential_process: %s",
		    strerror(errno));
		free(buf);
		free(argv);
		return NULL;
	}
	/* The SDKs run the command, without a shell, with the user's
	 * environment; stderr is passed through so its messages reach the
	 * user.  127: the program could not be run. */
	if ((pid = fork()) == -1) {
		sbuf_seterr(errbuf, errlen, "credential_process: fork: %s",
		    strerror(errno));
		goto fail;
	}
	if (pid == 0) {
		close(pfd[0]);
		if (dup2(pfd[1], 1) == -1)
			_exit(127);
		close(pfd[1]);
		execvp(argv[0], argv);
		_exit(127);
	}
	close(pfd[1]);
	pfd[1] = -1;
	if (read_child(pfd[0], pid, buf, &n, errbuf, errlen))
		goto fail;
	close(pfd[0]);
	pfd[0] = -1;
	while (waitpid(pid, &status, 0) == -1 && errno == EINTR)
		;
	if (n == CRED_MAX_INPUT) {
		sbuf_seterr(errbuf, errlen,
		    "credential_process: output too large");
		goto fail;
	}
	if (child_failed(status, argv[0], errbuf, errlen))
		goto fail;
	buf[n] = '\0';
	*outlen = n;
	free(argv);
	return buf;
fail:
	if (pfd[0] != -1)
		close(pfd[0]);
	if (pfd[1] != -1)
		close(pfd[1]);
	awskey_free_buf(buf, CRED_MAX_INPUT + 1);
	free(argv);
	return NULL;
}

/*
 * Credentials from a JSON document: credential_process (Version 1,
 * SessionToken), container and IMDS (Token).  what names the source in
 * messages.
 */
static enum src_rc
from_json(const char *text, size_t len, const char *what, const char *source,
    int want_version, struct awscred *out, char *errbuf, size_t errlen)
{
	json_t *root = NULL, *v;
	json_error_t jerr;
	const char *a, *s, *tok = NULL, *exp = NULL;
	enum src_rc rc = SRC_ERROR;

	if ((root = json_loadb(text, len, 0, &jerr)) == NULL ||
	    !json_is_object(root)) {
		/* jerr.text quotes the input near the fault, which may be
		 * part of a secret: give only where it is. */
		if (root == NULL)
			sbuf_seterr(errbuf, errlen, "%s: answer is not a JSON "
			    "object: invalid JSON at line %d column %d", what,
			    jerr.line, jerr.column);
		else
			sbuf_seterr(errbuf, errlen,
			    "%s: answer is not a JSON object", what);
		goto done;
	}
	if (want_version && (!json_is_integer(v = json_object_get(root,
	    "Version")) || json_integer_value(v) != 1)) {
		sbuf_seterr(errbuf, errlen, "%s: Version must be 1", what);
		goto done;
	}
	if ((v = json_object_get(root, "Code")) != NULL && json_is_string(v) &&
	    strcmp(json_string_value(v), "Success") != 0) {
		sbuf_seterr(errbuf, errlen, "%s: Code is %.64s", what,
		    json_string_value(v));
		goto done;
	}
	a = json_string_value(json_object_get(root, "AccessKeyId"));
	s = json_string_value(json_object_get(root, "SecretAccessKey"));
	if ((v = json_object_get(root, "SessionToken")) == NULL)
		v = json_object_get(root, "Token");
	tok = json_string_value(v);
	exp = json_string_value(json_object_get(root, "Expiration"));
	if (a == NULL || s == NULL || *a == '\0' || *s == '\0') {
		sbuf_seterr(errbuf, errlen,
		    "%s: AccessKeyId or SecretAccessKey missing", what);
		goto done;
	}
	if (set_static(out, a, s, tok, source)) {
		sbuf_seterr(errbuf, errlen, "out of memory");
		goto done;
	}
	if (exp != NULL && awskey_parse_time(exp, &out->expiration)) {
		sbuf_seterr(errbuf, errlen, "%s: bad Expiration %.40s", what,
		    exp);
		awskey_clear(out);
		goto done;
	}
	if (exp == NULL && !want_version) {
		/* Container and IMDS credentials always expire. */
		sbuf_seterr(errbuf, errlen, "%s: no Expiration", what);
		awskey_clear(out);
		goto done;
	}
	rc = SRC_FOUND;
done:
	/* jansson keeps copies of the strings: wipe them before freeing. */
	if (root != NULL) {
		awskey_json_wipe(root);
		json_decref(root);
	}
	return rc;
}


/* 3. credential_process. */
static enum src_rc
src_process(const char *cmd, struct awscred *out, char *errbuf, size_t errlen)
{
	char *text;
	size_t len = 0;
	enum src_rc rc;

	if ((text = run_process(cmd, &len, errbuf, errlen)) == NULL)
		return SRC_ERROR;
	rc = from_json(text, len, "credential_process", "credential-process",
	    1, out, errbuf, errlen);
	awskey_free_buf(text, len);
	return rc;
}

/* A way key of the profile as botocore merges the files: the credentials
 * file's value over the config file's. */
static const char *
way_get(const struct ini_profile *cp, const struct ini_profile *fp,
    enum way_key k)
{
	return cp->way[k] != NULL ? cp->way[k] : fp->way[k];
}

/*
 * The profile gave no credentials but names a way to get them that
 * botocore would skip (source_profile or credential_source without
 * role_arn, an sso_session alone...): stop here rather than go on to the
 * container or instance role, which would be another identity.
 */
static enum src_rc
src_no_fallthrough(const struct ini_profile *cp, const struct ini_profile *fp,
    const char *profile, char *errbuf, size_t errlen)
{
	size_t i;

	for (i = 0; i < WAY_N; i++) {
		if (way_get(cp, fp, (enum way_key)i) == NULL)
			continue;
		sbuf_seterr(errbuf, errlen, "profile %s: %s is set but gives "
		    "no credentials; refusing to use any other credentials",
		    profile, way_keys[i]);
		return SRC_ERROR;
	}
	return SRC_NONE;
}

/* Both shared files' sections of one profile; the values point into the
 * buffers, which prof_free wipes. */
struct prof {
	const char *name;
	char *cpath, *fpath, *cbuf, *fbuf;
	size_t clen, flen;
	struct ini_profile cp, fp;
};

static void
prof_free(struct prof *pf)
{
	awskey_free_buf(pf->cbuf, pf->clen);
	awskey_free_buf(pf->fbuf, pf->flen);
	free(pf->cpath);
	free(pf->fpath);
	memset(pf, 0, sizeof(*pf));
}

/* Read profile name from both files into *pf (cp.found / fp.found say
 * where it is).  Returns 0, or -1 with errbuf (pf freed). */
static int
prof_load(const char *name, struct prof *pf, char *errbuf, size_t errlen)
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
	if ((pf->cbuf = read_file(pf->cpath, &pf->clen)) == NULL &&
	    errno != ENOENT) {
		sbuf_seterr(errbuf, errlen, "%s: %s", pf->cpath,
		    strerror(errno));
		goto fail;
	}
	if ((pf->fbuf = read_file(pf->fpath, &pf->flen)) == NULL &&
	    errno != ENOENT) {
		sbuf_seterr(errbuf, errlen, "%s: %s", pf->fpath,
		    strerror(errno));
		goto fail;
	}
	if (pf->cbuf != NULL)
		ini_find(pf->cbuf, name, NULL, &pf->cp);
	/* In the config file the default profile is [default] (or
	 * [profile default]); others are [profile NAME]. */
	snprintf(cfgsec, sizeof(cfgsec), "profile %.256s", name);
	if (pf->fbuf != NULL)
		ini_find(pf->fbuf, cfgsec, strcmp(name, "default") == 0 ?
		    "default" : NULL, &pf->fp);
	return 0;
fail:
	prof_free(pf);
	return -1;
}

static const char *
prof_get(const struct prof *pf, enum way_key k)
{
	return way_get(&pf->cp, &pf->fp, k);
}

/* One walk of the chain: the profiles met along a source_profile chain
 * (to refuse cycles) and the transport of its STS and SSO calls, the one
 * Route 53's requests use (CA bundle, proxies). */
#define ROLE_MAX_DEPTH 16
struct role_chain {
	const char *visited[ROLE_MAX_DEPTH];
	size_t n;
	const struct awsnet_via *via;
};

static enum src_rc src_profile(const char *name, int explicit, int envok,
    int no_role, struct role_chain *rc, struct awscred *out, char *errbuf,
    size_t errlen);
static enum src_rc src_container(struct awscred *out, char *errbuf,
    size_t errlen);
static enum src_rc src_imds(struct awscred *out, char *errbuf, size_t errlen);

/* credential_source: one of the three named providers, no other. */
static enum src_rc
role_credential_source(const struct prof *pf, const char *cs,
    struct awscred *out, char *errbuf, size_t errlen)
{
	enum src_rc rc;

	if (strcmp(cs, "Environment") == 0)
		rc = src_env(out, errbuf, errlen);
	else if (strcmp(cs, "Ec2InstanceMetadata") == 0)
		rc = src_imds(out, errbuf, errlen);
	else if (strcmp(cs, "EcsContainer") == 0)
		rc = src_container(out, errbuf, errlen);
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

/* Has the profile static keys / an assume-role setting (botocore)? */
static int
prof_static(const struct prof *pf)
{
	return pf->cp.akid || pf->cp.secret || pf->fp.akid || pf->fp.secret;
}

static int
prof_role(const struct prof *pf)
{
	return prof_get(pf, WAY_ROLE_ARN) != NULL &&
	    prof_get(pf, WAY_WEB_IDENTITY) == NULL;
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
	if (prof_load(sp, &spf, errbuf, errlen))
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
	no_role = prof_static(&spf) || !prof_role(&spf);
	prof_free(&spf);
	if (rc != SRC_NONE)
		return rc;
	ch->visited[ch->n++] = sp;
	rc = src_profile(sp, 1, 0, no_role, ch, out, errbuf, errlen);
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
		r = prof_get(pf, OPT_REGION);
	rq->region = r;
	if ((l = getenv("AWS_STS_REGIONAL_ENDPOINTS")) == NULL || *l == '\0')
		l = prof_get(pf, OPT_STS_REGIONAL);
	rq->legacy_global = l != NULL && strcmp(l, "legacy") == 0;
}

/* The options of an AssumeRole of profile pf into *rq; -1 on a bad one. */
static int
role_request(const struct prof *pf, struct awssts_req *rq, char *session,
    size_t slen, char *errbuf, size_t errlen)
{
	const char *d = prof_get(pf, OPT_DURATION);
	char *end;
	long v;

	memset(rq, 0, sizeof(*rq));
	rq->role_arn = prof_get(pf, WAY_ROLE_ARN);
	rq->external_id = prof_get(pf, OPT_EXTERNAL_ID);
	if ((rq->session_name = prof_get(pf, OPT_SESSION_NAME)) == NULL) {
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
static enum src_rc
src_assume(const struct prof *pf, struct role_chain *ch, struct awscred *out,
    char *errbuf, size_t errlen)
{
	const char *sp = prof_get(pf, WAY_SOURCE_PROFILE);
	const char *cs = prof_get(pf, WAY_CREDENTIAL_SOURCE);
	struct awssts_req rq;
	struct awscred src;
	char session[64], why[512];
	enum src_rc rc;

	if (prof_get(pf, OPT_MFA) != NULL) {
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
static enum src_rc
src_web(const struct prof *pf, int envok, const struct role_chain *ch,
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

	file = envfile ? file : prof_get(pf, WAY_WEB_IDENTITY);
	arn = arn != NULL ? arn : prof_get(pf, WAY_ROLE_ARN);
	sn = sn != NULL ? sn : prof_get(pf, OPT_SESSION_NAME);
	if (arn == NULL || *arn == '\0') {
		sbuf_seterr(errbuf, errlen, "profile %s: web identity token "
		    "file set but no role_arn (or AWS_ROLE_ARN)", pf->name);
		return SRC_ERROR;
	}
	if ((tok = read_file(file, &tlen)) == NULL) {
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
static enum src_rc
src_sso(const struct prof *pf, const struct role_chain *ch,
    struct awscred *out, char *errbuf, size_t errlen)
{
	struct awssso_req rq;
	struct ini_profile sp;
	char *buf = NULL, sec[300];
	size_t len = 0;
	enum src_rc rc = SRC_ERROR;

	memset(&rq, 0, sizeof(rq));
	rq.profile = pf->name;
	rq.session = prof_get(pf, WAY_SSO_SESSION);
	rq.start_url = prof_get(pf, WAY_SSO_START_URL);
	rq.region = prof_get(pf, OPT_SSO_REGION);
	rq.account_id = prof_get(pf, WAY_SSO_ACCOUNT_ID);
	rq.role_name = prof_get(pf, WAY_SSO_ROLE_NAME);
	rq.via = ch->via;
	if (rq.session != NULL) {
		snprintf(sec, sizeof(sec), "sso-session %.256s", rq.session);
		if ((buf = read_file(pf->fpath, &len)) != NULL)
			ini_find(buf, sec, NULL, &sp);
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

/*
 * The ways of a profile in botocore's order: assume role (role_arn
 * without web_identity_token_file; skipped with no_role, for a
 * source_profile with static keys), web identity (the environment unless
 * a profile was named explicitly, else the profile), SSO, the
 * credentials file's keys, credential_process, the config
 * file's keys.
 */
static enum src_rc
src_profile(const char *name, int explicit, int envok, int no_role,
    struct role_chain *ch, struct awscred *out, char *errbuf, size_t errlen)
{
	struct prof pf;
	const char *process, *wif = envok ?
	    getenv("AWS_WEB_IDENTITY_TOKEN_FILE") : NULL;
	enum src_rc rc;

	if (prof_load(name, &pf, errbuf, errlen))
		return SRC_ERROR;
	if (!pf.cp.found && !pf.fp.found && explicit) {
		sbuf_seterr(errbuf, errlen, "profile %s not found in %s or %s",
		    name, pf.cpath, pf.fpath);
		rc = SRC_ERROR;
	} else if (!no_role && prof_role(&pf))
		rc = src_assume(&pf, ch, out, errbuf, errlen);
	else if ((wif != NULL && *wif != '\0') ||
	    prof_get(&pf, WAY_WEB_IDENTITY) != NULL)
		rc = src_web(&pf, envok, ch, out, errbuf, errlen);
	else if (prof_get(&pf, WAY_SSO_ACCOUNT_ID) != NULL ||
	    prof_get(&pf, WAY_SSO_ROLE_NAME) != NULL)
		rc = src_sso(&pf, ch, out, errbuf, errlen);
	else if (!pf.cp.found && !pf.fp.found)
		rc = SRC_NONE;
	else if ((rc = ini_static(&pf.cp, pf.cpath, name,
	    "shared-credentials-file", out, errbuf, errlen)) == SRC_NONE) {
		/* botocore merges the credentials file over the config */
		process = pf.cp.process ? pf.cp.process : pf.fp.process;
		if (process != NULL && *process != '\0')
			rc = src_process(process, out, errbuf, errlen);
		else if ((rc = ini_static(&pf.fp, pf.fpath, name,
		    "config-file", out, errbuf, errlen)) == SRC_NONE)
			rc = src_no_fallthrough(&pf.cp, &pf.fp, name, errbuf,
			    errlen);
	}
	prof_free(&pf);
	return rc;
}

/* Timeout and attempts for IMDS and container calls, as botocore reads
 * them: AWS_METADATA_SERVICE_TIMEOUT (s, default 1) and
 * AWS_METADATA_SERVICE_NUM_ATTEMPTS (default 1). */
static void
metadata_params(long *timeout_ms, int *attempts)
{
	const char *t = getenv("AWS_METADATA_SERVICE_TIMEOUT");
	const char *a = getenv("AWS_METADATA_SERVICE_NUM_ATTEMPTS");
	double d;

	*timeout_ms = 1000;
	*attempts = 1;
	if (t != NULL && (d = atof(t)) > 0 && d <= 3600)
		*timeout_ms = (long)(d * 1000);
	if (a != NULL && atoi(a) > 0 && atoi(a) <= 10)
		*attempts = atoi(a);
}

/* awsnet_fetch with the metadata attempts; 0 on an HTTP answer. */
static int
meta_fetch(const char *method, const char *url, const char *const *hdr,
    size_t nhdr, long *status, char **body, size_t *len, char *errbuf,
    size_t errlen)
{
	long tmo;
	int attempts, i;

	metadata_params(&tmo, &attempts);
	for (i = 0; i < attempts; i++) {
		if (awsnet_fetch(method, url, hdr, nhdr, tmo, status, body, len,
		    errbuf, errlen) == 0 && *status < 500)
			return 0;
		if (*body != NULL) {
			awskey_free_buf(*body, *len);
			*body = NULL;
		}
	}
	return -1;
}

/*
 * Is the container endpoint one the SDKs accept over plain http?  The
 * URL is parsed by libcurl, as the fetch will parse it, and may carry no
 * user info: "http://127.0.0.1:1@192.0.2.2/" connects to 192.0.2.2.
 */
static int
container_host_ok(const char *url)
{
	CURLU *u = NULL;
	char *scheme = NULL, *host = NULL, *user = NULL, *pw = NULL;
	int ok = 0;

	if ((u = curl_url()) == NULL)
		return 0;
	if (curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_USER, &user, 0) == CURLUE_OK ||
	    curl_url_get(u, CURLUPART_PASSWORD, &pw, 0) == CURLUE_OK)
		goto done;
	if (strcasecmp(scheme, "https") == 0)
		ok = 1;
	else if (strcasecmp(scheme, "http") == 0)
		ok = awsnet_is_loopback(host) ||
		    strcmp(host, "169.254.170.2") == 0 ||
		    strcmp(host, "169.254.170.23") == 0 ||
		    strcasecmp(host, "[fd00:ec2::23]") == 0;
done:
	curl_free(scheme);
	curl_free(host);
	curl_free(user);
	curl_free(pw);
	curl_url_cleanup(u);
	return ok;
}

/* 4. Container credentials (ECS task role, EKS pod identity). */
static enum src_rc
src_container(struct awscred *out, char *errbuf, size_t errlen)
{
	const char *rel = getenv("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI");
	const char *full = getenv("AWS_CONTAINER_CREDENTIALS_FULL_URI");
	const char *tokfile = getenv("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE");
	const char *tok = getenv("AWS_CONTAINER_AUTHORIZATION_TOKEN");
	char *url = NULL, *hdr = NULL, *ftok = NULL, *body = NULL, *nl;
	const char *hdrs[1] = { NULL };
	size_t n, flen = 0, blen = 0, hlen = 0;
	long status = 0;
	enum src_rc rc = SRC_ERROR;

	if (rel != NULL && *rel != '\0') {
		n = strlen(rel) + 32;
		if ((url = malloc(n)) == NULL)
			goto oom;
		snprintf(url, n, "http://169.254.170.2%s%s", *rel == '/' ? "" :
		    "/", rel);
	} else if (full != NULL && *full != '\0') {
		if (!container_host_ok(full)) {
			sbuf_seterr(errbuf, errlen,
			    "AWS_CONTAINER_CREDENTIALS_FULL_URI:"
			    " plain http only to loopback or the container "
			    "credential hosts");
			return SRC_ERROR;
		}
		if ((url = strdup(full)) == NULL)
			goto oom;
	} else
		return SRC_NONE;
	/* The token file wins over the token variable (EKS pod identity). */
	if (tokfile != NULL && *tokfile != '\0') {
		if ((ftok = read_file(tokfile, &flen)) == NULL) {
			sbuf_seterr(errbuf, errlen, "%s: %s", tokfile,
			    strerror(errno));
			goto done;
		}
		if ((nl = strpbrk(ftok, "\r\n")) != NULL)
			*nl = '\0';
		tok = ftok;
	}
	if (tok != NULL && *tok != '\0') {
		if (strpbrk(tok, "\r\n") != NULL) {
			sbuf_seterr(errbuf, errlen,
			    "container authorization token "
			    "contains a line break");
			goto done;
		}
		hlen = strlen(tok) + 16;
		if ((hdr = malloc(hlen)) == NULL)
			goto oom;
		snprintf(hdr, hlen, "Authorization: %s", tok);
		hdrs[0] = hdr;
	}
	if (meta_fetch("GET", url, hdrs, hdr != NULL ? 1 : 0, &status, &body,
	    &blen, errbuf, errlen)) {
		if (body == NULL && status >= 500)
			sbuf_seterr(errbuf, errlen,
			    "container credentials: HTTP %ld", status);
		goto done;
	}
	if (status != 200) {
		sbuf_seterr(errbuf, errlen, "container credentials: HTTP %ld",
		    status);
		goto done;
	}
	rc = from_json(body, blen, "container credentials", "container", 0,
	    out, errbuf, errlen);
	goto done;
oom:
	sbuf_seterr(errbuf, errlen, "out of memory");
done:
	free(url);
	awskey_free_str(hdr);
	awskey_free_buf(ftok, flen);
	awskey_free_buf(body, blen);
	return rc;
}

#define IMDS_CREDPATH "/latest/meta-data/iam/security-credentials/"

/* The IMDSv2 session token as a header line in *tokhdr (NULL: none, the
 * service is IMDSv1).  SRC_NONE: no service there at all. */
static enum src_rc
imds_token(const char *base, char **tokhdr, char *errbuf, size_t errlen)
{
	const char *hdrs[1] = { "X-aws-ec2-metadata-token-ttl-seconds: 21600" };
	const char *v1off = getenv("AWS_EC2_METADATA_V1_DISABLED");
	char url[1024], *token = NULL;
	size_t tlen = 0, n;
	long status = 0;
	enum src_rc rc = SRC_ERROR;

	*tokhdr = NULL;
	snprintf(url, sizeof(url), "%s/latest/api/token", base);
	if (meta_fetch("PUT", url, hdrs, 1, &status, &token, &tlen, errbuf,
	    errlen))
		return SRC_NONE;	/* no instance metadata service */
	if (status == 200 && tlen > 0) {
		n = tlen + 32;
		if ((*tokhdr = malloc(n)) == NULL)
			sbuf_seterr(errbuf, errlen, "out of memory");
		else {
			snprintf(*tokhdr, n, "X-aws-ec2-metadata-token: %s",
			    token);
			rc = SRC_FOUND;
		}
	} else if (status != 404 && status != 405)
		sbuf_seterr(errbuf, errlen, "instance metadata: token request: "
		    "HTTP %ld", status);
	else if (v1off != NULL && strcasecmp(v1off, "true") == 0)
		sbuf_seterr(errbuf, errlen, "instance metadata: no IMDSv2 "
		    "token (HTTP %ld) and AWS_EC2_METADATA_V1_DISABLED is true",
		    status);
	else
		rc = SRC_FOUND;
	awskey_free_buf(token, tlen);
	return rc;
}

/* The instance's role name into *role (malloc'd).  SRC_NONE: an instance
 * without a role. */
static enum src_rc
imds_role(const char *base, const char *const *hdrs, size_t nhdr,
    char **role, char *errbuf, size_t errlen)
{
	char url[1024], *body = NULL;
	size_t blen = 0;
	long status = 0;

	*role = NULL;
	snprintf(url, sizeof(url), "%s%s", base, IMDS_CREDPATH);
	if (meta_fetch("GET", url, hdrs, nhdr, &status, &body, &blen,
	    errbuf, errlen))
		return SRC_ERROR;
	if (status == 404) {
		free(body);
		return SRC_NONE;
	}
	if (status != 200 || blen == 0) {
		sbuf_seterr(errbuf, errlen,
		    "instance metadata: role name: HTTP %ld", status);
		free(body);
		return SRC_ERROR;
	}
	body[strcspn(body, "\r\n")] = '\0';
	if (strlen(body) == 0 || strlen(body) > 128 ||
	    strspn(body, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "0123456789+=,.@_-") != strlen(body)) {
		sbuf_seterr(errbuf, errlen, "instance metadata: bad role name");
		free(body);
		return SRC_ERROR;
	}
	*role = body;
	return SRC_FOUND;
}

/* 5. EC2 instance metadata: IMDSv2 token, role name, its credentials
 * (IMDSv1 when the token call is not supported: 404/405, as botocore
 * does). */
static enum src_rc
src_imds(struct awscred *out, char *errbuf, size_t errlen)
{
	const char *dis = getenv("AWS_EC2_METADATA_DISABLED");
	const char *ep = getenv("AWS_EC2_METADATA_SERVICE_ENDPOINT");
	char base[512], url[1024], *tokhdr = NULL, *body = NULL, *role = NULL;
	const char *hdrs[1];
	size_t blen = 0, n;
	long status = 0;
	enum src_rc rc;

	if (dis != NULL && strcasecmp(dis, "true") == 0)
		return SRC_NONE;
	if (ep == NULL || *ep == '\0')
		ep = "http://169.254.169.254";
	n = strlen(ep);
	while (n > 0 && ep[n - 1] == '/')
		n--;
	if (n >= sizeof(base)) {
		sbuf_seterr(errbuf, errlen,
		    "AWS_EC2_METADATA_SERVICE_ENDPOINT too long");
		return SRC_ERROR;
	}
	memcpy(base, ep, n);
	base[n] = '\0';
	if ((rc = imds_token(base, &tokhdr, errbuf, errlen)) != SRC_FOUND)
		return rc;
	hdrs[0] = tokhdr;
	if ((rc = imds_role(base, hdrs, tokhdr != NULL, &role, errbuf,
	    errlen)) != SRC_FOUND)
		goto done;
	rc = SRC_ERROR;
	snprintf(url, sizeof(url), "%s%s%s", base, IMDS_CREDPATH, role);
	if (meta_fetch("GET", url, hdrs, tokhdr != NULL, &status, &body, &blen,
	    errbuf, errlen))
		goto done;
	if (status != 200) {
		sbuf_seterr(errbuf, errlen,
		    "instance metadata: credentials: HTTP %ld", status);
		goto done;
	}
	rc = from_json(body, blen, "instance metadata", "imds", 0, out, errbuf,
	    errlen);
done:
	awskey_free_str(tokhdr);
	free(role);
	awskey_free_buf(body, blen);
	return rc;
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

	if ((buf = read_file(path, &len)) == NULL)
		return 0;
	ini_find(buf, "Credentials", NULL, &ip);
	has = ip.akid != NULL || ip.secret != NULL;
	awskey_free_buf(buf, len);
	if (has)
		sbuf_seterr(errbuf, errlen, "%s: boto2 [Credentials] are not "
		    "supported (move them to ~/.aws/credentials); refusing to "
		    "use any other credentials", path);
	return has;
}

static enum src_rc
src_unsupported(const char *profile, char *errbuf, size_t errlen)
{
	const char *v = getenv("AWS_CREDENTIAL_FILE"), *bc = getenv("BOTO_CONFIG");
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
	if (prof_load(profile, &pf, errbuf, errlen))
		return SRC_ERROR;
	for (i = UNSUP_FIRST; !hit && i < WAY_ALL; i++)
		if (prof_get(&pf, (enum way_key)i) != NULL) {
			sbuf_seterr(errbuf, errlen, "profile %s: %s is not "
			    "supported in the shared files (use its AWS_* "
			    "environment variable)", profile, way_keys[i]);
			hit = 1;
		}
	prof_free(&pf);
	return hit ? SRC_ERROR : SRC_NONE;
}

/* The transport of STS and SSO calls: Route 53's CA bundle when the
 * client set it, else resolved the same way (AWS_CA_BUNDLE, then the
 * profile's ca_bundle); proxies from the environment. */
static void
chain_via(const struct awscred_provider *p, struct awsnet_via *via,
    char *buf, size_t len)
{
	const char *e = getenv("AWS_CA_BUNDLE");

	via->proxy = 1;
	via->ca_bundle = p->ca_bundle;
	if (via->ca_bundle == NULL && e != NULL && *e != '\0')
		via->ca_bundle = e;
	if (via->ca_bundle == NULL &&
	    awscred_setting(p->profile, NULL, "ca_bundle", buf, len))
		via->ca_bundle = buf;
}

/* Walk the chain once into *out. */
static int
chain(struct awscred_provider *p, struct awscred *out, char *errbuf,
    size_t errlen)
{
	const char *profile;
	struct role_chain ch;
	struct awsnet_via via;
	char cabuf[1024];
	int explicit;
	enum src_rc rc;

	profile = profile_name(p, &explicit);
	chain_via(p, &via, cabuf, sizeof(cabuf));
	/* An explicit --profile skips the environment keys (botocore). */
	if (p->profile == NULL &&
	    (rc = src_env(out, errbuf, errlen)) != SRC_NONE)
		return rc == SRC_FOUND ? 0 : -1;
	memset(&ch, 0, sizeof(ch));
	ch.visited[ch.n++] = profile;
	ch.via = &via;
	if ((rc = src_profile(profile, explicit, p->profile == NULL, 0, &ch, out,
	    errbuf, errlen)) != SRC_NONE)
		return rc == SRC_FOUND ? 0 : -1;
	/* AWS_ROLE_ARN alone is nothing to botocore, but whoever set it
	 * meant a role, not the container's or instance's. */
	if (p->profile == NULL && getenv("AWS_ROLE_ARN") != NULL &&
	    *getenv("AWS_ROLE_ARN") != '\0') {
		sbuf_seterr(errbuf, errlen, "environment: AWS_ROLE_ARN is set "
		    "without AWS_WEB_IDENTITY_TOKEN_FILE; refusing to use any "
		    "other credentials");
		return -1;
	}
	if ((rc = src_unsupported(profile, errbuf, errlen)) != SRC_NONE)
		return -1;
	if ((rc = src_container(out, errbuf, errlen)) != SRC_NONE)
		return rc == SRC_FOUND ? 0 : -1;
	if ((rc = src_imds(out, errbuf, errlen)) != SRC_NONE)
		return rc == SRC_FOUND ? 0 : -1;
	sbuf_seterr(errbuf, errlen,
	    "no AWS credentials found (environment, shared "
	    "credentials and config files for profile %s, container, "
	    "instance metadata)", profile);
	return -1;
}

struct awscred_provider *
awscred_provider_new(const char *profile)
{
	struct awscred_provider *p;

	if ((p = calloc(1, sizeof(*p))) == NULL)
		return NULL;
	if (profile != NULL && (p->profile = strdup(profile)) == NULL) {
		free(p);
		return NULL;
	}
	return p;
}

int
awscred_get(struct awscred_provider *p, const struct awscred **cred,
    char *errbuf, size_t errlen)
{
	struct awscred fresh;
	time_t now = awskey_now();

	/* Long-term keys, or temporary ones not yet due for refresh. */
	if (p->have && !p->rejected && (p->cur.expiration == 0 ||
	    p->cur.expiration - now > AWSCRED_REFRESH_SECS)) {
		*cred = &p->cur;
		return 0;
	}
	/* Due for refresh but still valid: do not hammer a failing source,
	 * unless so close to Expiration that a request signed now could
	 * arrive after it (Route 53 would refuse it: ExpiredToken). */
	if (p->have && !p->rejected &&
	    p->cur.expiration > now + AWSCRED_MANDATORY_SECS &&
	    now - p->last_try < CRED_RETRY_SECS) {
		*cred = &p->cur;
		return 0;
	}
	memset(&fresh, 0, sizeof(fresh));
	p->last_try = now;
	if (chain(p, &fresh, errbuf, errlen) == -1) {
		if (p->have && !p->rejected && p->cur.expiration > now) {
			log_warn("refreshing %s credentials failed: %s; using "
			    "the current ones until they expire", p->cur.source,
			    errbuf);
			*cred = &p->cur;
			return 0;
		}
		return -1;
	}
	if (fresh.expiration != 0 && fresh.expiration <= now) {
		sbuf_seterr(errbuf, errlen, "%s credentials expired already",
		    fresh.source);
		awskey_clear(&fresh);
		return -1;
	}
	awskey_clear(&p->cur);
	p->cur = fresh;
	p->have = 1;
	p->rejected = 0;
	/* The key id is no secret (it names the key in CloudTrail) and says
	 * which identity acts: -v shows it. */
	log_debug(1, "credentials: source %s, access key id %s",
	    p->cur.source, p->cur.access_key_id);
	*cred = &p->cur;
	return 0;
}

int
awscred_expire(struct awscred_provider *p)
{
	/* Long-term keys (and a token from the environment) would come
	 * back unchanged: nothing to gain. */
	if (p == NULL || !p->have || p->cur.expiration == 0)
		return 0;
	p->rejected = 1;
	return 1;
}

int
awscred_provider_ca(struct awscred_provider *p, const char *ca_bundle)
{
	free(p->ca_bundle);
	p->ca_bundle = NULL;
	if (ca_bundle != NULL && (p->ca_bundle = strdup(ca_bundle)) == NULL)
		return -1;
	return 0;
}

void
awscred_provider_free(struct awscred_provider *p)
{
	if (p == NULL)
		return;
	awskey_clear(&p->cur);
	free(p->ca_bundle);
	free(p->profile);
	free(p);
}

/* The profile awscred_provider_new(profile) would use. */
static const char *
setting_profile(const char *profile)
{
	const char *e = getenv("AWS_PROFILE");

	if (profile != NULL)
		return profile;
	return e != NULL && *e != '\0' ? e : "default";
}

/*
 * In [services NAME] of buf (modified), the value of "service =" then
 * indented "key = value" below it, copied to out.  1 found, 0 not.
 */
static int
services_find(char *buf, const char *name, const char *service,
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

int
awscred_setting(const char *profile, const char *service, const char *key,
    char *out, size_t outlen)
{
	struct prof pf;
	char err[256], *buf;
	const char *v = NULL;
	size_t i, len = 0;
	int found = 0;

	if (prof_load(setting_profile(profile), &pf, err, sizeof(err)))
		return 0;
	if (service != NULL && (v = prof_get(&pf, OPT_SERVICES)) != NULL &&
	    (buf = read_file(pf.fpath, &len)) != NULL) {
		found = services_find(buf, v, service, key, out, outlen);
		awskey_free_buf(buf, len);
	}
	for (i = WAY_N; !found && service == NULL && i < UNSUP_FIRST; i++)
		if (strcmp(way_keys[i], key) == 0 &&
		    (v = prof_get(&pf, (enum way_key)i)) != NULL) {
			snprintf(out, outlen, "%s", v);
			found = 1;
		}
	prof_free(&pf);
	return found;
}

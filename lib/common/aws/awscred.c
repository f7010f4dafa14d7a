/*
 * awscred.c: the credential provider of awscred.h (the module map of the
 * awscred*.c files is there): the provider object, the caching and
 * refresh of what the chain gives (awscred_get), awscred_setting; the
 * making of credentials from keys or a JSON document (every source's
 * end); and credential_process, the one source that runs a program,
 * kept here so that this stays the only library file that runs one
 * (tests/36-awscred-roles.bats checks that by name).
 * Every buffer that held a secret (file contents, JSON answers, process
 * output) is wiped with OPENSSL_cleanse before it is freed; messages name
 * sources and files only.
 */
#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "awscred.h"
#include "awscredint.h"
#include "clock.h"
#include "log.h"
#include "sbuf.h"

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
	if (awscredchain_walk(p->profile, p->ca_bundle, &fresh, errbuf,
	    errlen) == -1) {
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

int
awscred_setting(const char *profile, const char *service, const char *key,
    char *out, size_t outlen)
{
	struct prof pf;
	char err[256], *buf;
	const char *v = NULL;
	size_t i, len = 0;
	int found = 0, explicit;

	if (awscredcfg_prof_load(awscredchain_name(profile, &explicit), &pf,
	    err, sizeof(err)))
		return 0;
	if (service != NULL &&
	    (v = awscredcfg_prof_get(&pf, OPT_SERVICES)) != NULL &&
	    (buf = awscredcfg_read_file(pf.fpath, &len)) != NULL) {
		found = awscredcfg_services(buf, v, service, key, out, outlen);
		awskey_free_buf(buf, len);
	}
	for (i = WAY_N; !found && service == NULL && i < UNSUP_FIRST; i++)
		if (strcmp(awscredcfg_keys[i], key) == 0 &&
		    (v = awscredcfg_prof_get(&pf, (enum way_key)i)) != NULL) {
			snprintf(out, outlen, "%s", v);
			found = 1;
		}
	awscredcfg_prof_free(&pf);
	return found;
}

/* ---------------------------------------------------------------- */
/* credentials from keys or a JSON document */

/* awscred_set(out, akid, secret, token, source): *out from copies of the
 * keys (an empty token: none).  0, or -1 on out of memory. */
int
awscred_set(struct awscred *out, const char *akid, const char *secret,
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

/*
 * Credentials from a JSON document: credential_process (Version 1,
 * SessionToken), container and IMDS (Token).  what names the source in
 * messages.
 */
enum src_rc
awscred_from_json(const char *text, size_t len, const char *what,
    const char *source, int want_version, struct awscred *out, char *errbuf,
    size_t errlen)
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
	if (awscred_set(out, a, s, tok, source)) {
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

/* ---------------------------------------------------------------- */
/* credential_process */

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

/* 3. credential_process. */
enum src_rc
awscred_process(const char *cmd, struct awscred *out, char *errbuf,
    size_t errlen)
{
	char *text;
	size_t len = 0;
	enum src_rc rc;

	if ((text = run_process(cmd, &len, errbuf, errlen)) == NULL)
		return SRC_ERROR;
	rc = awscred_from_json(text, len, "credential_process",
	    "credential-process", 1, out, errbuf, errlen);
	awskey_free_buf(text, len);
	return rc;
}

/*
 * r53api.c: the Route 53 client's core (see r53api.h, r53int.h): the
 * client, statuses and error documents, one call (send, then parse the
 * answer with xp), and the request-building helpers.  The operations
 * live beside it: r53rrset.c (list and change record sets), r53zone.c
 * (hosted zones, their limits and tags).
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <expat.h>
#include <jansson.h>

#include "awshttp.h"
#include "exitcodes.h"
#include "log.h"
#include "r53api.h"
#include "r53int.h"
#include "sbuf.h"
#include "sigv4.h"
#include "xp.h"


/* An error document's Message may join one text per change of a batch of
 * up to 1,000 changes; keep all of it (the body is bounded anyway). */
#define XP_MAX_ERROR_TEXT AWSHTTP_MAX_BODY

/* ------------------------------------------------------------------ */
/* Small helpers.                                                      */

/* Set err->message (replacing any) from a format. */
void
r53_err_set(struct r53_error *err, const char *fmt, ...)
{
	char buf[2048];
	va_list ap;

	if (err == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	free(err->message);
	err->message = strdup(buf);
}

void
r53_error_clear(struct r53_error *e)
{
	size_t i;

	if (e == NULL)
		return;
	free(e->code);
	free(e->message);
	for (i = 0; i < e->nmessages; i++)
		free(e->messages[i]);
	free(e->messages);
	free(e->request_id);
	memset(e, 0, sizeof(*e));
}

const char *
r53_strstatus(int status)
{
	switch (status) {
	case R53_OK: return "ok";
	case R53_REJECTED: return "rejected";
	case R53_AMBIGUOUS: return "ambiguous";
	case R53_FAILED: return "failed";
	case R53_AUTH: return "auth";
	case R53_NOTFOUND: return "notfound";
	case R53_CHOICE: return "choice";
	case R53_USAGE: return "usage";
	case R53_STOPPED: return "stopped";
	}
	return "unknown";
}

int
r53_status_exit(int status)
{
	switch (status) {
	case R53_OK:
		return EXIT_OK;
	case R53_USAGE:
	case R53_CHOICE:
		return EXIT_USAGE;
	case R53_AUTH:
		return EXIT_VERIFY;
	default:
		return EXIT_REMOTE;
	}
}

const char *
r53_id_strip(const char *id)
{
	static const char *const pfx[] = { "/hostedzone/", "hostedzone/",
	    "/change/", "change/", NULL };
	size_t i, n;

	if (id == NULL)
		return NULL;
	for (i = 0; pfx[i] != NULL; i++) {
		n = strlen(pfx[i]);
		if (strncmp(id, pfx[i], n) == 0)
			return id + n;
	}
	return id;
}

/* Ids go into URL paths unencoded: allow only what Route 53 uses. */
int
r53_id_ok(const char *id)
{
	size_t n = strlen(id);

	return n > 0 && n <= 64 && strspn(id, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz0123456789_-") == n;
}

/* ------------------------------------------------------------------ */
/* Client.                                                             */

struct r53_client *
r53_client_new(const struct r53_opts *opts, struct r53_error *err,
    int *status)
{
	struct r53_client *c = NULL;
	struct awshttp_opts ho;
	char ebuf[512];
	int rc;

	if (status != NULL)
		*status = R53_FAILED;
	if ((c = calloc(1, sizeof(*c))) == NULL) {
		r53_err_set(err, "out of memory");
		return NULL;
	}
	memset(&ho, 0, sizeof(ho));
	ho.endpoint_url = opts->endpoint_url;
	ho.region = opts->region;
	ho.profile = opts->profile;
	ho.ca_bundle = opts->ca_bundle;
	ho.connect_timeout_ms = opts->connect_timeout_ms;
	ho.timeout_ms = opts->timeout_ms;
	ho.max_attempts = opts->max_attempts;
	ho.max_retry_time_ms = opts->max_retry_time_ms;
	ho.no_ratelimit = opts->no_ratelimit;
	ebuf[0] = '\0';
	rc = awshttp_new(&ho, "route53", &c->http, ebuf, sizeof(ebuf));
	if (rc != AWSHTTP_OK) {
		if (status != NULL)
			*status = rc == AWSHTTP_USAGE ? R53_USAGE :
			    rc == AWSHTTP_AUTH ? R53_AUTH : R53_FAILED;
		r53_err_set(err, "%s%s", rc == AWSHTTP_AUTH ? "credentials: " : "",
		    ebuf);
		free(c);
		return NULL;
	}
	if (status != NULL)
		*status = R53_OK;
	return c;
}

void
r53_client_free(struct r53_client *c)
{
	if (c == NULL)
		return;
	awshttp_free(c->http);
	free(c);
}

void
r53_client_stats(const struct r53_client *c, struct r53_stats *out)
{
	struct awshttp_counters hc;

	*out = c->st;
	awshttp_counters(c->http, &hc);
	out->requests = hc.requests;
	out->retries = hc.retries;
	out->throttled = hc.throttled;
}

const char *
r53_client_endpoint(const struct r53_client *c)
{
	return awshttp_url(c->http);
}

/* ------------------------------------------------------------------ */
/* Error documents and the status of a call.                           */

struct errdoc {
	struct r53_error *err;
	int oom;
};

static int
push_message(struct r53_error *e, const char *s, size_t n)
{
	char **nm;

	if ((nm = realloc(e->messages, (e->nmessages + 1) *
	    sizeof(*nm))) == NULL)
		return -1;
	e->messages = nm;
	if ((nm[e->nmessages] = strndup(s, n)) == NULL)
		return -1;
	e->nmessages++;
	return 0;
}

static int
errdoc_end(struct xp *x, const char *name, const char *text, size_t len)
{
	struct errdoc *d = x->arg;
	struct r53_error *e = d->err;

	/* ErrorResponse/Error/{Code,Message}; InvalidChangeBatch/Messages/
	 * Message; RequestId in both. */
	if (strcmp(name, "Code") == 0 && e->code == NULL)
		e->code = strndup(text, len);
	else if (strcmp(name, "Message") == 0) {
		if (push_message(e, text, len))
			d->oom = 1;
	} else if (strcmp(name, "RequestId") == 0 && e->request_id == NULL)
		e->request_id = strndup(text, len);
	return 0;
}

static int
errdoc_start(struct xp *x, const char *name)
{
	struct errdoc *d = x->arg;

	/* The second InvalidChangeBatch form names the error by its root;
	 * anything else (an HTML page from a proxy) is no error document. */
	if (x->depth != 1 || strcmp(name, "ErrorResponse") == 0)
		return 0;
	if (strcmp(name, "InvalidChangeBatch") != 0) {
		xp_fail(x, "not an error document");
		return -1;
	}
	if (d->err->code == NULL && (d->err->code = strdup(name)) == NULL) {
		xp_fail(x, "out of memory");
		return -1;
	}
	return 0;
}

static int
code_in(const char *code, const char *const *list)
{
	size_t i;

	if (code == NULL)
		return 0;
	for (i = 0; list[i] != NULL; i++)
		if (strcmp(code, list[i]) == 0)
			return 1;
	return 0;
}

/* Error codes by the status they give (the HTTP status decides the
 * rest). */
static const char *const notfound_codes[] = { "NoSuchHostedZone",
    "NoSuchChange", "HostedZoneNotFound", NULL };
static const char *const auth_codes[] = { "AccessDenied",
    "AccessDeniedException", "InvalidClientTokenId",
    "SignatureDoesNotMatch", "IncompleteSignature", "ExpiredToken",
    "ExpiredTokenException", "UnrecognizedClientException",
    "MissingAuthenticationToken", "InvalidSignatureException",
    "AuthFailure", "InvalidAccessKeyId", NULL };
static const char *const throttle_codes[] = { "Throttling",
    "ThrottlingException", "PriorRequestNotComplete",
    "RequestLimitExceeded", NULL };

/*
 * Read r's body into err (code, messages, request id) if it is a Route 53
 * error document: 1 if it was, else 0 with err cleared.  Either way err
 * gets the HTTP status, and the header's request id if it has none.
 */
static int
error_doc_read(const char *what, const struct awshttp_resp *r,
    struct r53_error *err)
{
	struct errdoc d;
	struct xp x;
	char ebuf[256];
	int isxml = 0;

	r53_error_clear(err);
	err->http_status = r->status;
	memset(&x, 0, sizeof(x));
	d.err = err;
	d.oom = 0;
	x.arg = &d;
	x.on_start = errdoc_start;
	x.on_end = errdoc_end;
	x.max_text = XP_MAX_ERROR_TEXT;
	/* Accept either root: try ErrorResponse, then whatever it is. */
	if (r->body != NULL && r->len > 0) {
		x.root = NULL;	/* ErrorResponse or InvalidChangeBatch */
		isxml = xp_run(&x, what, r->body, r->len, ebuf,
		    sizeof(ebuf)) == 0;
		if (!isxml)
			r53_error_clear(err);
		err->http_status = r->status;
	}
	if (err->request_id == NULL && r->request_id != NULL)
		err->request_id = strdup(r->request_id);
	return isxml;
}

/* The status of an error answer: from its code, then its HTTP status. */
static int
error_status(const struct r53_error *err, long http_status)
{
	if (code_in(err->code, notfound_codes))
		return R53_NOTFOUND;
	if (code_in(err->code, auth_codes) || http_status == 401 ||
	    http_status == 403)
		return R53_AUTH;
	if (code_in(err->code, throttle_codes) || http_status == 429 ||
	    http_status >= 500)
		return R53_FAILED;
	return R53_REJECTED;
}

/* One line for humans into err->message: every message kept. */
static void
error_message(const char *what, const struct awshttp_resp *r, int isxml,
    int status, struct r53_error *err)
{
	struct sbuf m = { 0 };
	size_t i;

	sbuf_fmt(&m, "%s: ", what);
	if (!isxml) {
		sbuf_fmt(&m, "HTTP %ld with %s", r->status, r->len == 0 ?
		    "an empty body" : "a body that is not a Route 53 error "
		    "document");
	} else {
		sbuf_str(&m, err->code != NULL ? err->code : "error");
		for (i = 0; i < err->nmessages; i++) {
			sbuf_str(&m, i == 0 ? ": " : "; ");
			sbuf_str(&m, err->messages[i]);
		}
		sbuf_fmt(&m, " (HTTP %ld", r->status);
		if (err->request_id != NULL)
			sbuf_fmt(&m, ", request id %.100s", err->request_id);
		sbuf_str(&m, ")");
	}
	if (status == R53_FAILED && code_in(err->code, throttle_codes))
		sbuf_str(&m, "; still throttled after all retries");
	if (m.oom) {
		free(m.s);
		m.s = NULL;
	}
	free(err->message);
	err->message = m.s != NULL ? m.s : strdup("out of memory");
}

/*
 * Turn an HTTP error answer into err and a status.  what names the call
 * for the message.
 */
static int
error_answer(const char *what, struct awshttp_resp *r, struct r53_error *err)
{
	struct r53_error tmp;
	int status, isxml;

	memset(&tmp, 0, sizeof(tmp));
	if (err == NULL)
		err = &tmp;
	isxml = error_doc_read(what, r, err);
	status = error_status(err, r->status);
	error_message(what, r, isxml, status, err);
	r53_error_clear(&tmp);
	return status;
}

/* Map an awshttp failure to a status with err set. */
static int
transport_status(const char *what, int hrc, const char *ebuf,
    struct r53_error *err)
{
	if (err != NULL)
		r53_error_clear(err);
	switch (hrc) {
	case AWSHTTP_AMBIGUOUS:
		r53_err_set(err, "%s: no definite answer (%s): the change may or "
		    "may not have been applied; it was not resent", what,
		    ebuf[0] ? ebuf : "server error");
		return R53_AMBIGUOUS;
	case AWSHTTP_AUTH:
		r53_err_set(err, "%s: credentials: %s", what, ebuf);
		return R53_AUTH;
	case AWSHTTP_USAGE:
		r53_err_set(err, "%s: %s", what, ebuf);
		return R53_USAGE;
	default:
		r53_err_set(err, "%s: %s", what, ebuf);
		return R53_FAILED;
	}
}

/*
 * One call: send, then on a 2xx parse the answer with x (x->root set).
 * Returns a status with err filled on failure.
 */
int
r53_call(struct r53_client *c, const char *what, const char *method,
    const char *path, const char *query, const char *body, size_t bodylen,
    int idempotent, struct xp *x, struct r53_error *err)
{
	struct awshttp_resp r;
	char ebuf[1024];
	int hrc, rc;

	ebuf[0] = '\0';
	hrc = awshttp_request(c->http, method, path, query, body, bodylen,
	    idempotent, &r, ebuf, sizeof(ebuf));
	if (hrc == AWSHTTP_AMBIGUOUS && r.status >= 500)
		snprintf(ebuf, sizeof(ebuf), "HTTP %ld%s%s", r.status,
		    r.err_code ? " " : "", r.err_code ? r.err_code : "");
	if (hrc != AWSHTTP_OK) {
		rc = transport_status(what, hrc, ebuf, err);
		if (err != NULL && r.status > 0)
			err->http_status = r.status;
		awshttp_resp_clear(&r);
		return rc;
	}
	if (r.status < 200 || r.status >= 300) {
		rc = error_answer(what, &r, err);
		awshttp_resp_clear(&r);
		return rc;
	}
	rc = xp_run(x, what, r.body, r.len, ebuf, sizeof(ebuf));
	awshttp_resp_clear(&r);
	if (rc == 1)
		return R53_STOPPED;
	if (rc != 0) {
		if (err != NULL)
			r53_error_clear(err);
		r53_err_set(err, "%s", ebuf);
		return R53_FAILED;
	}
	return R53_OK;
}

/* ------------------------------------------------------------------ */
/* Request building.                                                   */

/* Append "&key=value" (value URI-encoded) to a query. */
void
r53_query_add(struct sbuf *q, const char *key, const char *value)
{
	char *enc;

	if (value == NULL)
		return;
	if ((enc = sigv4_uri_encode(value, strlen(value), 0)) == NULL) {
		q->oom = 1;
		return;
	}
	sbuf_fmt(q, "%s%s=", q->len ? "&" : "", key);
	sbuf_str(q, enc);
	free(enc);
}

/* XML-escape text content (&, <, > as the SDKs do; quotes need no
 * escape outside attributes); refuse characters XML 1.0 cannot carry. */
int
r53_xml_text(struct sbuf *b, const char *s)
{
	const unsigned char *p;

	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		switch (*p) {
		case '&': sbuf_str(b, "&amp;"); break;
		case '<': sbuf_str(b, "&lt;"); break;
		case '>': sbuf_str(b, "&gt;"); break;
		case '\t': case '\n': case '\r':
			sbuf_add(b, (const char *)p, 1);
			break;
		default:
			if (*p < 0x20)
				return -1;
			sbuf_add(b, (const char *)p, 1);
		}
	}
	return 0;
}

int
r53_xml_elem(struct sbuf *b, const char *name, const char *text)
{
	sbuf_fmt(b, "<%s>", name);
	if (r53_xml_text(b, text))
		return -1;
	sbuf_fmt(b, "</%s>", name);
	return 0;
}

/* A whole number of at most 10 digits, as TTLs and counts come. */
int
r53_num_ok(const char *s, size_t len)
{
	return len > 0 && len <= 10 && strspn(s, "0123456789") == len;
}

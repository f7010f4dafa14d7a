/*
 * r53api.c: Route 53 operations over awshttp, answers parsed as a stream
 * of expat events with limits on depth and text size (see r53api.h).
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
#include "sbuf.h"
#include "sigv4.h"

#define API "/2013-04-01"
#define R53_NS "https://route53.amazonaws.com/doc/2013-04-01/"

/* Parser limits: deeper or longer than any real answer. */
#define XP_MAX_DEPTH 24
#define XP_MAX_TEXT 65536
/* An error document's Message may join one text per change of a batch of
 * up to 1,000 changes; keep all of it (the body is bounded anyway). */
#define XP_MAX_ERROR_TEXT AWSHTTP_MAX_BODY
#define XP_MAX_PATH 512
/* Bounds on loops over pages. */
#define MAX_RRSET_PAGES 100000
#define MAX_ZONE_PAGES 1000

struct r53_client {
	struct awshttp *http;
	struct r53_stats st;
};

/* ------------------------------------------------------------------ */
/* Small helpers.                                                      */

/* Set err->message (replacing any) from a format. */
static void
err_set(struct r53_error *err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
err_set(struct r53_error *err, const char *fmt, ...)
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
static int
id_ok(const char *id)
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
		err_set(err, "out of memory");
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
		err_set(err, "%s%s", rc == AWSHTTP_AUTH ? "credentials: " : "",
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
/* A small streaming XML framework over expat.                         */

struct xp;
typedef int xp_start_fn(struct xp *x, const char *name);
typedef int xp_end_fn(struct xp *x, const char *name, const char *text,
    size_t len);

struct xp {
	XML_Parser p;
	const char *root;	/* expected root element, NULL: any */
	char path[XP_MAX_PATH];	/* "/Root/Child/..." of local names */
	size_t plen[XP_MAX_DEPTH + 1];
	int depth;
	struct sbuf text;	/* text of the innermost element */
	xp_start_fn *on_start;
	xp_end_fn *on_end;
	void *arg;
	char err[512];
	int failed;		/* a handler or limit stopped the parse */
	int stopped;		/* the user callback stopped it */
	size_t max_text;	/* longest element text; 0: XP_MAX_TEXT */
};

static void
xp_fail(struct xp *x, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
xp_fail(struct xp *x, const char *fmt, ...)
{
	va_list ap;

	if (x->failed)
		return;
	va_start(ap, fmt);
	vsnprintf(x->err, sizeof(x->err), fmt, ap);
	va_end(ap);
	x->failed = 1;
	XML_StopParser(x->p, XML_FALSE);
}

static const char *
xp_local(const char *n)
{
	const char *s = strrchr(n, '|');

	return s != NULL ? s + 1 : n;
}

static void XMLCALL
xp_start(void *arg, const XML_Char *name, const XML_Char **attrs)
{
	struct xp *x = arg;
	const char *ln = xp_local(name);
	size_t n = strlen(ln), cur;

	(void)attrs;
	if (x->failed)
		return;
	if (x->depth == 0 && x->root != NULL && strcmp(ln, x->root) != 0) {
		xp_fail(x, "unexpected answer: root element <%.64s>, expected "
		    "<%s>", ln, x->root);
		return;
	}
	cur = x->depth > 0 ? x->plen[x->depth] : 0;
	if (x->depth >= XP_MAX_DEPTH || cur + n + 2 > sizeof(x->path)) {
		xp_fail(x, "answer nested too deeply");
		return;
	}
	x->path[cur] = '/';
	memcpy(x->path + cur + 1, ln, n + 1);
	x->plen[++x->depth] = cur + n + 1;
	x->text.len = 0;
	if (x->text.s != NULL)
		x->text.s[0] = '\0';
	if (x->on_start != NULL && x->on_start(x, ln) != 0)
		XML_StopParser(x->p, XML_FALSE);
}

static void XMLCALL
xp_end(void *arg, const XML_Char *name)
{
	struct xp *x = arg;
	const char *ln = xp_local(name);

	if (x->failed || x->stopped)
		return;
	if (x->on_end != NULL && x->on_end(x, ln, x->text.s ? x->text.s : "",
	    x->text.len) != 0) {
		XML_StopParser(x->p, XML_FALSE);
		return;
	}
	x->depth--;
	x->path[x->plen[x->depth]] = '\0';
	x->text.len = 0;
	if (x->text.s != NULL)
		x->text.s[0] = '\0';
}

static void XMLCALL
xp_chars(void *arg, const XML_Char *s, int len)
{
	struct xp *x = arg;

	size_t max = x->max_text != 0 ? x->max_text : XP_MAX_TEXT;

	if (x->failed)
		return;
	if (x->text.len + (size_t)len > max) {
		xp_fail(x, "element <%.64s> longer than %zu characters",
		    x->depth > 0 ? x->path + x->plen[x->depth - 1] + 1 : "?",
		    max);
		return;
	}
	sbuf_add(&x->text, s, (size_t)len);
	if (x->text.oom)
		xp_fail(x, "out of memory");
}

/* No DTDs: Route 53 never sends one, and entities are an attack. */
static void XMLCALL
xp_doctype(void *arg, const XML_Char *name, const XML_Char *sysid,
    const XML_Char *pubid, int has_internal_subset)
{
	(void)name;
	(void)sysid;
	(void)pubid;
	(void)has_internal_subset;
	xp_fail(arg, "answer contains a DTD");
}

/*
 * xp_grow(x, arr, n, size, max): arr (n elements of size) with one more,
 * zeroed, element at index n; NULL with x failed ("out of memory") when
 * it cannot grow or n reached max.  The caller stores the result and
 * counts the new element.
 */
static void *
xp_grow(struct xp *x, void *arr, size_t n, size_t size, size_t max)
{
	char *na;

	if (n >= max || (na = realloc(arr, (n + 1) * size)) == NULL) {
		xp_fail(x, "out of memory");
		return NULL;
	}
	memset(na + n * size, 0, size);
	return na;
}

/* Is x at path p (relative to the root, e.g. "/A/B")? */
static int
xp_at(const struct xp *x, const char *p)
{
	return strcmp(x->path, p) == 0;
}

/*
 * Parse body with the handlers.  Returns 0, 1 when the user callback
 * stopped it, or -1 with errbuf set ("what: reason").
 */
static int
xp_run(struct xp *x, const char *what, const char *body, size_t len,
    char *errbuf, size_t errlen)
{
	int rc = -1;
	enum XML_Status st;

	if ((x->p = XML_ParserCreateNS("UTF-8", '|')) == NULL) {
		snprintf(errbuf, errlen, "%s: out of memory", what);
		return -1;
	}
	XML_SetUserData(x->p, x);
	XML_SetElementHandler(x->p, xp_start, xp_end);
	XML_SetCharacterDataHandler(x->p, xp_chars);
	XML_SetStartDoctypeDeclHandler(x->p, xp_doctype);
	st = XML_Parse(x->p, body, (int)len, 1);
	if (x->stopped)
		rc = 1;
	else if (x->failed)
		snprintf(errbuf, errlen, "%s: %s", what, x->err);
	else if (st != XML_STATUS_OK)
		snprintf(errbuf, errlen, "%s: malformed XML answer at line %lu "
		    "column %lu: %s", what,
		    (unsigned long)XML_GetCurrentLineNumber(x->p),
		    (unsigned long)XML_GetCurrentColumnNumber(x->p),
		    XML_ErrorString(XML_GetErrorCode(x->p)));
	else
		rc = 0;
	XML_ParserFree(x->p);
	x->p = NULL;
	free(x->text.s);
	x->text.s = NULL;
	return rc;
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

/*
 * Turn an HTTP error answer into err and a status.  what names the call
 * for the message.
 */
static int
error_answer(const char *what, struct awshttp_resp *r, struct r53_error *err)
{
	static const char *const notfound[] = { "NoSuchHostedZone",
	    "NoSuchChange", "HostedZoneNotFound", NULL };
	static const char *const auth[] = { "AccessDenied",
	    "AccessDeniedException", "InvalidClientTokenId",
	    "SignatureDoesNotMatch", "IncompleteSignature", "ExpiredToken",
	    "ExpiredTokenException", "UnrecognizedClientException",
	    "MissingAuthenticationToken", "InvalidSignatureException",
	    "AuthFailure", "InvalidAccessKeyId", NULL };
	static const char *const throttle[] = { "Throttling",
	    "ThrottlingException", "PriorRequestNotComplete",
	    "RequestLimitExceeded", NULL };
	struct r53_error tmp;
	struct errdoc d;
	struct xp x;
	struct sbuf m = { 0 };
	char ebuf[256];
	size_t i;
	int status, isxml = 0;

	memset(&tmp, 0, sizeof(tmp));
	if (err == NULL)
		err = &tmp;
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
	/* Status from the code, then from the HTTP status. */
	if (code_in(err->code, notfound))
		status = R53_NOTFOUND;
	else if (code_in(err->code, auth) || r->status == 401 ||
	    r->status == 403)
		status = R53_AUTH;
	else if (code_in(err->code, throttle) || r->status == 429 ||
	    r->status >= 500)
		status = R53_FAILED;
	else
		status = R53_REJECTED;
	/* One line for humans: every message kept. */
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
	if (status == R53_FAILED && code_in(err->code, throttle))
		sbuf_str(&m, "; still throttled after all retries");
	if (m.oom) {
		free(m.s);
		m.s = NULL;
	}
	free(err->message);
	err->message = m.s != NULL ? m.s : strdup("out of memory");
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
		err_set(err, "%s: no definite answer (%s): the change may or "
		    "may not have been applied; it was not resent", what,
		    ebuf[0] ? ebuf : "server error");
		return R53_AMBIGUOUS;
	case AWSHTTP_AUTH:
		err_set(err, "%s: credentials: %s", what, ebuf);
		return R53_AUTH;
	case AWSHTTP_USAGE:
		err_set(err, "%s: %s", what, ebuf);
		return R53_USAGE;
	default:
		err_set(err, "%s: %s", what, ebuf);
		return R53_FAILED;
	}
}

/*
 * One call: send, then on a 2xx parse the answer with x (x->root set).
 * Returns a status with err filled on failure.
 */
static int
call(struct r53_client *c, const char *what, const char *method,
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
		err_set(err, "%s", ebuf);
		return R53_FAILED;
	}
	return R53_OK;
}

/* ------------------------------------------------------------------ */
/* Resource record sets.                                               */

void
r53_rrset_clear(struct r53_rrset *rr)
{
	size_t i;

	if (rr == NULL)
		return;
	free(rr->name);
	free(rr->type);
	free(rr->set_identifier);
	for (i = 0; i < rr->nvalues; i++)
		free(rr->values[i]);
	free(rr->values);
	json_decref(rr->extras);
	memset(rr, 0, sizeof(*rr));
	rr->ttl = -1;
}

void
r53_rrset_free(struct r53_rrset *rr)
{
	if (rr == NULL)
		return;
	r53_rrset_clear(rr);
	free(rr);
}

struct r53_rrset *
r53_rrset_copy(const struct r53_rrset *rr)
{
	struct r53_rrset *n;
	size_t i;

	if ((n = calloc(1, sizeof(*n))) == NULL)
		return NULL;
	n->ttl = rr->ttl;
	if ((rr->name && (n->name = strdup(rr->name)) == NULL) ||
	    (rr->type && (n->type = strdup(rr->type)) == NULL) ||
	    (rr->set_identifier &&
	    (n->set_identifier = strdup(rr->set_identifier)) == NULL))
		goto fail;
	if (rr->nvalues > 0) {
		if ((n->values = calloc(rr->nvalues, sizeof(char *))) == NULL)
			goto fail;
		for (i = 0; i < rr->nvalues; i++) {
			if ((n->values[i] = strdup(rr->values[i])) == NULL)
				goto fail;
			n->nvalues++;
		}
	}
	if (rr->extras != NULL &&
	    (n->extras = json_deep_copy(rr->extras)) == NULL)
		goto fail;
	return n;
fail:
	r53_rrset_free(n);
	return NULL;
}

json_t *
r53_rrset_json(json_t *o, const struct r53_rrset *rr)
{
	json_t *v = json_array();
	size_t i;

	json_object_set_new(o, "name", json_string(rr->name));
	json_object_set_new(o, "type", json_string(rr->type));
	if (rr->set_identifier != NULL)
		json_object_set_new(o, "set_identifier",
		    json_string(rr->set_identifier));
	if (rr->ttl >= 0)
		json_object_set_new(o, "ttl", json_integer(rr->ttl));
	for (i = 0; i < rr->nvalues; i++)
		json_array_append_new(v, json_string(rr->values[i]));
	json_object_set_new(o, "values", v);
	if (rr->extras != NULL)
		json_object_set(o, "extras", rr->extras);
	return o;
}

void
r53_page_next_clear(struct r53_page_next *n)
{
	if (n == NULL)
		return;
	free(n->name);
	free(n->type);
	free(n->identifier);
	memset(n, 0, sizeof(*n));
}

/* One node of an extras subtree being built. */
struct xnode {
	char *name;
	json_t *obj;		/* NULL until a child element appears */
};

struct listparse {
	r53_rrset_cb *cb;
	void *arg;
	struct r53_rrset rr;
	int in_rr;		/* inside a ResourceRecordSet */
	size_t rr_depth;	/* its depth */
	struct xnode xs[XP_MAX_DEPTH];
	int nx;			/* extras stack height */
	int truncated_seen;
	struct r53_page_next *next;
	unsigned long count;
};

#define LRRS "/ListResourceRecordSetsResponse"
#define RRSET LRRS "/ResourceRecordSets/ResourceRecordSet"

static const char *const rr_known[] = { "Name", "Type", "SetIdentifier",
	"TTL", "ResourceRecords", NULL };

/* Add value under name to obj, making an array on a repeated name. */
static int
json_add(json_t *obj, const char *name, json_t *v)
{
	json_t *old = json_object_get(obj, name), *arr;

	if (v == NULL)
		return -1;
	if (old == NULL)
		return json_object_set_new(obj, name, v);
	if (json_is_array(old))
		return json_array_append_new(old, v);
	if ((arr = json_array()) == NULL || json_array_append(arr, old) ||
	    json_array_append_new(arr, v)) {
		json_decref(arr);
		json_decref(v);
		return -1;
	}
	return json_object_set_new(obj, name, arr);
}

static int
list_start(struct xp *x, const char *name)
{
	struct listparse *l = x->arg;
	size_t i;
	int known = 0;

	if (xp_at(x, RRSET)) {
		r53_rrset_clear(&l->rr);
		l->in_rr = 1;
		l->rr_depth = (size_t)x->depth;
		return 0;
	}
	if (!l->in_rr || (size_t)x->depth <= l->rr_depth)
		return 0;
	if ((size_t)x->depth == l->rr_depth + 1 && l->nx == 0) {
		for (i = 0; rr_known[i] != NULL; i++)
			if (strcmp(name, rr_known[i]) == 0)
				known = 1;
		if (known)
			return 0;
	} else if (l->nx == 0)
		return 0;	/* inside ResourceRecords */
	/* An extras element: a child makes its parent an object. */
	if (l->nx > 0 && l->xs[l->nx - 1].obj == NULL &&
	    (l->xs[l->nx - 1].obj = json_object()) == NULL)
		goto oom;
	if (l->nx >= XP_MAX_DEPTH)
		goto oom;
	if ((l->xs[l->nx].name = strdup(name)) == NULL)
		goto oom;
	l->xs[l->nx++].obj = NULL;
	return 0;
oom:
	xp_fail(x, "out of memory");
	return -1;
}

static int
num_ok(const char *s, size_t len)
{
	return len > 0 && len <= 10 && strspn(s, "0123456789") == len;
}

static int
list_end_rr(struct xp *x, struct listparse *l, const char *text, size_t len)
{
	char **nv;

	if (xp_at(x, RRSET "/Name") && l->rr.name == NULL)
		return (l->rr.name = strndup(text, len)) ? 0 : -1;
	if (xp_at(x, RRSET "/Type") && l->rr.type == NULL)
		return (l->rr.type = strndup(text, len)) ? 0 : -1;
	if (xp_at(x, RRSET "/SetIdentifier") && l->rr.set_identifier == NULL)
		return (l->rr.set_identifier = strndup(text, len)) ? 0 : -1;
	if (xp_at(x, RRSET "/TTL")) {
		if (!num_ok(text, len)) {
			xp_fail(x, "TTL \"%.20s\" is not a number", text);
			return -1;
		}
		l->rr.ttl = atol(text);
		return 0;
	}
	if (xp_at(x, RRSET "/ResourceRecords/ResourceRecord/Value")) {
		if ((nv = realloc(l->rr.values, (l->rr.nvalues + 1) *
		    sizeof(*nv))) == NULL)
			return -1;
		l->rr.values = nv;
		if ((nv[l->rr.nvalues] = strndup(text, len)) == NULL)
			return -1;
		l->rr.nvalues++;
	}
	return 0;
}

static int
list_end(struct xp *x, const char *name, const char *text, size_t len)
{
	struct listparse *l = x->arg;
	struct xnode *n;
	json_t *v, *parent;

	if (l->nx > 0 && (size_t)x->depth == l->rr_depth + (size_t)l->nx) {
		/* Close an extras node: object if it had children, else
		 * its text exactly as received. */
		n = &l->xs[--l->nx];
		v = n->obj != NULL ? n->obj : json_stringn(text, len);
		if (l->nx > 0)
			parent = l->xs[l->nx - 1].obj;
		else {
			if (l->rr.extras == NULL &&
			    (l->rr.extras = json_object()) == NULL) {
				json_decref(v);
				free(n->name);
				goto oom;
			}
			parent = l->rr.extras;
		}
		if (json_add(parent, n->name, v)) {
			free(n->name);
			goto oom;
		}
		free(n->name);
		n->name = NULL;
		return 0;
	}
	if (l->in_rr && xp_at(x, RRSET)) {
		l->in_rr = 0;
		if (l->rr.name == NULL || l->rr.type == NULL) {
			xp_fail(x, "ResourceRecordSet without %s",
			    l->rr.name == NULL ? "Name" : "Type");
			return -1;
		}
		if (l->rr.ttl < 0 && l->rr.nvalues > 0) {
			xp_fail(x, "ResourceRecordSet %.255s %.16s has records "
			    "but no TTL", l->rr.name, l->rr.type);
			return -1;
		}
		l->count++;
		if (l->cb != NULL && l->cb(l->arg, &l->rr) != 0) {
			x->stopped = 1;
			return -1;
		}
		r53_rrset_clear(&l->rr);
		return 0;
	}
	if (l->in_rr) {
		if (list_end_rr(x, l, text, len))
			goto oom;
		return 0;
	}
	(void)name;
	if (xp_at(x, LRRS "/IsTruncated")) {
		if (len == 4 && memcmp(text, "true", 4) == 0)
			l->next->truncated = 1;
		else if (!(len == 5 && memcmp(text, "false", 5) == 0)) {
			xp_fail(x, "IsTruncated is \"%.10s\"", text);
			return -1;
		}
		l->truncated_seen = 1;
	} else if (xp_at(x, LRRS "/NextRecordName")) {
		free(l->next->name);
		if ((l->next->name = strndup(text, len)) == NULL)
			goto oom;
	} else if (xp_at(x, LRRS "/NextRecordType")) {
		free(l->next->type);
		if ((l->next->type = strndup(text, len)) == NULL)
			goto oom;
	} else if (xp_at(x, LRRS "/NextRecordIdentifier")) {
		free(l->next->identifier);
		if ((l->next->identifier = strndup(text, len)) == NULL)
			goto oom;
	}
	return 0;
oom:
	xp_fail(x, "out of memory");
	return -1;
}

static void
listparse_clear(struct listparse *l)
{
	int i;

	r53_rrset_clear(&l->rr);
	for (i = 0; i < l->nx; i++) {
		free(l->xs[i].name);
		json_decref(l->xs[i].obj);
	}
	l->nx = 0;
}

/* Append "&key=value" (value URI-encoded) to a query. */
static void
q_add(struct sbuf *q, const char *key, const char *value)
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

int
r53_list_rrsets(struct r53_client *c, const char *zone_id,
    const char *start_name, const char *start_type,
    const char *start_identifier, int maxitems, r53_rrset_cb *cb, void *arg,
    struct r53_page_next *next, struct r53_error *err)
{
	struct listparse l;
	struct xp x;
	struct sbuf q = { 0 };
	char path[160], what[160], mi[16];
	const char *id = r53_id_strip(zone_id);
	int rc;

	r53_page_next_clear(next);
	if (!id_ok(id)) {
		err_set(err, "bad hosted zone id \"%.80s\"", zone_id);
		return R53_USAGE;
	}
	if (start_type != NULL && start_name == NULL) {
		err_set(err, "ListResourceRecordSets: a start type needs a "
		    "start name");
		return R53_USAGE;
	}
	if (maxitems < 0 || maxitems > 300) {
		err_set(err, "ListResourceRecordSets: maxitems %d not in "
		    "1..300", maxitems);
		return R53_USAGE;
	}
	snprintf(path, sizeof(path), API "/hostedzone/%s/rrset", id);
	snprintf(what, sizeof(what), "ListResourceRecordSets %s", id);
	q_add(&q, "name", start_name);
	q_add(&q, "type", start_type);
	q_add(&q, "identifier", start_identifier);
	if (maxitems > 0) {
		snprintf(mi, sizeof(mi), "%d", maxitems);
		q_add(&q, "maxitems", mi);
	}
	if (q.oom) {
		free(q.s);
		err_set(err, "out of memory");
		return R53_FAILED;
	}
	memset(&l, 0, sizeof(l));
	l.rr.ttl = -1;
	l.cb = cb;
	l.arg = arg;
	l.next = next;
	memset(&x, 0, sizeof(x));
	x.root = "ListResourceRecordSetsResponse";
	x.on_start = list_start;
	x.on_end = list_end;
	x.arg = &l;
	c->st.list_calls++;
	rc = call(c, what, "GET", path, q.s, NULL, 0, 1, &x, err);
	free(q.s);
	listparse_clear(&l);
	if (rc == R53_STOPPED) {
		err_set(err, "%s: stopped by the caller", what);
		r53_page_next_clear(next);
		return rc;
	}
	if (rc != R53_OK) {
		r53_page_next_clear(next);
		return rc;
	}
	if (!l.truncated_seen || (next->truncated && (next->name == NULL ||
	    next->type == NULL))) {
		err_set(err, "%s: malformed answer: %s", what,
		    !l.truncated_seen ? "no IsTruncated" :
		    "truncated without NextRecordName and NextRecordType");
		r53_page_next_clear(next);
		return R53_FAILED;
	}
	if (!next->truncated) {
		/* Ignore stray Next* on a complete listing. */
		r53_page_next_clear(next);
	}
	return R53_OK;
}

static int
streq_null(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return strcmp(a, b) == 0;
}

int
r53_list_all(struct r53_client *c, const char *zone_id, int maxitems,
    r53_rrset_cb *cb, void *arg, unsigned long *npages,
    struct r53_error *err)
{
	struct r53_page_next cur, nx;
	unsigned long pages;
	int rc;

	memset(&cur, 0, sizeof(cur));
	memset(&nx, 0, sizeof(nx));
	for (pages = 0; pages < MAX_RRSET_PAGES; pages++) {
		if (npages != NULL)
			*npages = pages + 1;
		rc = r53_list_rrsets(c, zone_id, cur.name, cur.type,
		    cur.identifier, maxitems, cb, arg, &nx, err);
		if (rc != R53_OK)
			goto done;
		log_debug(2, "ListResourceRecordSets %s: page %lu read",
		    r53_id_strip(zone_id), pages + 1);
		if (!nx.truncated) {
			rc = R53_OK;
			goto done;
		}
		/* Each page must move forward, or we would loop forever. */
		if (pages > 0 && streq_null(nx.name, cur.name) &&
		    streq_null(nx.type, cur.type) &&
		    streq_null(nx.identifier, cur.identifier)) {
			err_set(err, "ListResourceRecordSets %s: the listing "
			    "does not advance (next %.255s %.16s)",
			    r53_id_strip(zone_id), nx.name, nx.type);
			rc = R53_FAILED;
			goto done;
		}
		r53_page_next_clear(&cur);
		cur = nx;
		memset(&nx, 0, sizeof(nx));
	}
	err_set(err, "ListResourceRecordSets %s: more than %d pages",
	    r53_id_strip(zone_id), MAX_RRSET_PAGES);
	rc = R53_FAILED;
done:
	r53_page_next_clear(&cur);
	r53_page_next_clear(&nx);
	return rc;
}

/* ------------------------------------------------------------------ */
/* ChangeResourceRecordSets: the request body.                         */

/* XML-escape text content (&, <, > as the SDKs do; quotes need no
 * escape outside attributes); refuse characters XML 1.0 cannot carry. */
static int
xml_text(struct sbuf *b, const char *s)
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

static int
xml_elem(struct sbuf *b, const char *name, const char *text)
{
	sbuf_fmt(b, "<%s>", name);
	if (xml_text(b, text))
		return -1;
	sbuf_fmt(b, "</%s>", name);
	return 0;
}

/* Child order inside the nested Route 53 elements (XSD sequences). */
static const char *const *
child_order(const char *name)
{
	static const char *const alias[] = { "HostedZoneId", "DNSName",
	    "EvaluateTargetHealth", NULL };
	static const char *const geo[] = { "ContinentCode", "CountryCode",
	    "SubdivisionCode", NULL };
	static const char *const cidr[] = { "CollectionId", "LocationName",
	    NULL };
	static const char *const prox[] = { "AWSRegion", "LocalZoneGroup",
	    "Coordinates", "Bias", NULL };
	static const char *const coord[] = { "Latitude", "Longitude", NULL };

	if (strcmp(name, "AliasTarget") == 0)
		return alias;
	if (strcmp(name, "GeoLocation") == 0)
		return geo;
	if (strcmp(name, "CidrRoutingConfig") == 0)
		return cidr;
	if (strcmp(name, "GeoProximityLocation") == 0)
		return prox;
	if (strcmp(name, "Coordinates") == 0)
		return coord;
	return NULL;
}

static int xml_json(struct sbuf *b, const char *name, json_t *v, int depth);

static int
in_list(const char *s, const char *const *list)
{
	size_t i;

	for (i = 0; list != NULL && list[i] != NULL; i++)
		if (strcmp(s, list[i]) == 0)
			return 1;
	return 0;
}

/* Write an extras value as element(s) named name. */
static int
xml_json(struct sbuf *b, const char *name, json_t *v, int depth)
{
	const char *const *order;
	const char *k;
	json_t *cv;
	size_t i;
	char num[64];

	if (depth > 8)
		return -1;
	switch (json_typeof(v)) {
	case JSON_STRING:
		return xml_elem(b, name, json_string_value(v));
	case JSON_INTEGER:
		snprintf(num, sizeof(num), "%" JSON_INTEGER_FORMAT,
		    json_integer_value(v));
		return xml_elem(b, name, num);
	case JSON_REAL:
		snprintf(num, sizeof(num), "%.17g", json_real_value(v));
		return xml_elem(b, name, num);
	case JSON_TRUE:
	case JSON_FALSE:
		return xml_elem(b, name, json_is_true(v) ? "true" : "false");
	case JSON_ARRAY:
		json_array_foreach(v, i, cv)
			if (xml_json(b, name, cv, depth + 1))
				return -1;
		return 0;
	case JSON_OBJECT:
		sbuf_fmt(b, "<%s>", name);
		/* Known children in XSD order, then any others. */
		order = child_order(name);
		for (i = 0; order != NULL && order[i] != NULL; i++)
			if ((cv = json_object_get(v, order[i])) != NULL &&
			    xml_json(b, order[i], cv, depth + 1))
				return -1;
		json_object_foreach(v, k, cv)
			if (!in_list(k, order) && xml_json(b, k, cv, depth + 1))
				return -1;
		sbuf_fmt(b, "</%s>", name);
		return 0;
	default:
		return -1;
	}
}

static int
xml_extra(struct sbuf *b, const json_t *extras, const char *name)
{
	json_t *v;

	if (extras == NULL || (v = json_object_get(extras, name)) == NULL)
		return 0;
	return xml_json(b, name, v, 0);
}

static int
xml_rrset(struct sbuf *b, const struct r53_rrset *rr)
{
	static const char *const before_ttl[] = { "Weight", "Region",
	    "GeoLocation", "Failover", "MultiValueAnswer", NULL };
	static const char *const after_rr[] = { "AliasTarget",
	    "HealthCheckId", "TrafficPolicyInstanceId", "CidrRoutingConfig",
	    "GeoProximityLocation", NULL };
	size_t i;

	if (rr->name == NULL || rr->type == NULL ||
	    (rr->extras != NULL && !json_is_object(rr->extras)))
		return -1;
	sbuf_str(b, "<ResourceRecordSet>");
	if (xml_elem(b, "Name", rr->name) || xml_elem(b, "Type", rr->type))
		return -1;
	if (rr->set_identifier != NULL &&
	    xml_elem(b, "SetIdentifier", rr->set_identifier))
		return -1;
	for (i = 0; before_ttl[i] != NULL; i++)
		if (xml_extra(b, rr->extras, before_ttl[i]))
			return -1;
	if (rr->ttl >= 0)
		sbuf_fmt(b, "<TTL>%ld</TTL>", rr->ttl);
	if (rr->nvalues > 0) {
		sbuf_str(b, "<ResourceRecords>");
		for (i = 0; i < rr->nvalues; i++) {
			sbuf_str(b, "<ResourceRecord>");
			if (xml_elem(b, "Value", rr->values[i]))
				return -1;
			sbuf_str(b, "</ResourceRecord>");
		}
		sbuf_str(b, "</ResourceRecords>");
	}
	for (i = 0; after_rr[i] != NULL; i++)
		if (xml_extra(b, rr->extras, after_rr[i]))
			return -1;
	sbuf_str(b, "</ResourceRecordSet>");
	return 0;
}

char *
r53_change_xml(const struct r53_change *changes, size_t n,
    const char *comment, size_t *len)
{
	static const char *const act[] = { "CREATE", "DELETE", "UPSERT" };
	struct sbuf b = { 0 };
	size_t i;

	sbuf_str(&b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	    "<ChangeResourceRecordSetsRequest xmlns=\"" R53_NS "\">"
	    "<ChangeBatch>");
	if (comment != NULL && xml_elem(&b, "Comment", comment))
		goto fail;
	sbuf_str(&b, "<Changes>");
	for (i = 0; i < n; i++) {
		if ((unsigned)changes[i].action > R53_UPSERT ||
		    changes[i].rrset == NULL)
			goto fail;
		sbuf_str(&b, "<Change>");
		xml_elem(&b, "Action", act[changes[i].action]);
		if (xml_rrset(&b, changes[i].rrset))
			goto fail;
		sbuf_str(&b, "</Change>");
	}
	sbuf_str(&b, "</Changes></ChangeBatch>"
	    "</ChangeResourceRecordSetsRequest>");
	if (b.oom)
		goto fail;
	if (len != NULL)
		*len = b.len;
	return b.s;
fail:
	free(b.s);
	return NULL;
}

/* ChangeInfo answers: ChangeResourceRecordSets and GetChange. */
struct changeparse {
	const char *prefix;	/* "/RootResponse/ChangeInfo" */
	char *id;
	char *status;
};

static int
change_end(struct xp *x, const char *name, const char *text, size_t len)
{
	struct changeparse *cp = x->arg;
	size_t pl = strlen(cp->prefix);

	if (strncmp(x->path, cp->prefix, pl) != 0 || x->path[pl] != '/' ||
	    strchr(x->path + pl + 1, '/') != NULL)
		return 0;
	if (strcmp(name, "Id") == 0 && cp->id == NULL)
		cp->id = strndup(text, len);
	else if (strcmp(name, "Status") == 0 && cp->status == NULL)
		cp->status = strndup(text, len);
	return 0;
}

/* Check a parsed ChangeInfo; 0 or -1 with err set. */
static int
change_check(const char *what, struct changeparse *cp, struct r53_error *err)
{
	if (cp->id == NULL || cp->status == NULL || *r53_id_strip(cp->id) ==
	    '\0') {
		err_set(err, "%s: malformed answer: ChangeInfo without %s", what,
		    cp->id == NULL || *r53_id_strip(cp->id) == '\0' ? "Id" :
		    "Status");
		return -1;
	}
	if (strcmp(cp->status, "PENDING") != 0 &&
	    strcmp(cp->status, "INSYNC") != 0) {
		err_set(err, "%s: malformed answer: ChangeInfo Status \"%.20s\"",
		    what, cp->status);
		return -1;
	}
	return 0;
}

int
r53_change_rrsets(struct r53_client *c, const char *zone_id,
    const struct r53_change *changes, size_t n, const char *comment,
    char **change_id, struct r53_error *err)
{
	struct changeparse cp = { 0 };
	struct xp x;
	char path[160], what[160], *body = NULL;
	const char *id = r53_id_strip(zone_id);
	size_t len = 0;
	int rc;

	*change_id = NULL;
	if (!id_ok(id)) {
		err_set(err, "bad hosted zone id \"%.80s\"", zone_id);
		return R53_USAGE;
	}
	snprintf(what, sizeof(what), "ChangeResourceRecordSets %s", id);
	if (n == 0) {
		err_set(err, "%s: empty change batch", what);
		return R53_USAGE;
	}
	if ((body = r53_change_xml(changes, n, comment, &len)) == NULL) {
		err_set(err, "%s: cannot build the request: a record set "
		    "without name or type, a control character in a text, or "
		    "an extras value of the wrong type", what);
		return R53_USAGE;
	}
	snprintf(path, sizeof(path), API "/hostedzone/%s/rrset/", id);
	memset(&x, 0, sizeof(x));
	x.root = "ChangeResourceRecordSetsResponse";
	x.on_end = change_end;
	x.arg = &cp;
	cp.prefix = "/ChangeResourceRecordSetsResponse/ChangeInfo";
	c->st.change_calls++;
	/* Not idempotent: no blind resend after an ambiguous failure. */
	rc = call(c, what, "POST", path, NULL, body, len, 0, &x, err);
	free(body);
	if (rc == R53_OK) {
		if (change_check(what, &cp, err) == 0) {
			if ((*change_id = strdup(r53_id_strip(cp.id))) == NULL) {
				err_set(err, "out of memory");
				rc = R53_FAILED;
			}
		} else {
			/* Route 53 took it (HTTP 200) but the answer is
			 * unreadable: whether it applied is unknown. */
			rc = R53_AMBIGUOUS;
		}
	}
	free(cp.id);
	free(cp.status);
	return rc;
}

int
r53_get_change(struct r53_client *c, const char *change_id, int *insync,
    struct r53_error *err)
{
	struct changeparse cp = { 0 };
	struct xp x;
	char path[160], what[160];
	const char *id = r53_id_strip(change_id);
	int rc;

	*insync = 0;
	if (!id_ok(id)) {
		err_set(err, "bad change id \"%.80s\"", change_id);
		return R53_USAGE;
	}
	snprintf(path, sizeof(path), API "/change/%s", id);
	snprintf(what, sizeof(what), "GetChange %s", id);
	memset(&x, 0, sizeof(x));
	x.root = "GetChangeResponse";
	x.on_end = change_end;
	x.arg = &cp;
	cp.prefix = "/GetChangeResponse/ChangeInfo";
	c->st.get_change_calls++;
	rc = call(c, what, "GET", path, NULL, NULL, 0, 1, &x, err);
	if (rc == R53_OK && change_check(what, &cp, err) != 0)
		rc = R53_FAILED;
	if (rc == R53_OK)
		*insync = strcmp(cp.status, "INSYNC") == 0;
	free(cp.id);
	free(cp.status);
	return rc;
}

/* ------------------------------------------------------------------ */
/* Hosted zones.                                                       */

void
r53_zone_clear(struct r53_zone *z)
{
	size_t i;

	if (z == NULL)
		return;
	free(z->id);
	free(z->name);
	free(z->comment);
	free(z->caller_reference);
	for (i = 0; i < z->nvpcs; i++) {
		free(z->vpcs[i].id);
		free(z->vpcs[i].region);
	}
	free(z->vpcs);
	memset(z, 0, sizeof(*z));
	z->rrset_count = -1;
}

/* Set *dst to a copy of text unless already set. */
static int
take(char **dst, const char *text, size_t len)
{
	if (*dst != NULL)
		return 0;
	return (*dst = strndup(text, len)) != NULL ? 0 : -1;
}

/* The fields of one HostedZone element, relative to its path. */
static int
zone_field(struct r53_zone *z, const char *rel, const char *text, size_t len,
    struct xp *x)
{
	int r = 0;

	if (strcmp(rel, "/Id") == 0)
		r = take(&z->id, text, len);
	else if (strcmp(rel, "/Name") == 0)
		r = take(&z->name, text, len);
	else if (strcmp(rel, "/CallerReference") == 0)
		r = take(&z->caller_reference, text, len);
	else if (strcmp(rel, "/Config/Comment") == 0)
		r = take(&z->comment, text, len);
	else if (strcmp(rel, "/Config/PrivateZone") == 0) {
		if (len == 4 && memcmp(text, "true", 4) == 0)
			z->private_zone = 1;
		else if (!(len == 5 && memcmp(text, "false", 5) == 0)) {
			xp_fail(x, "PrivateZone is \"%.10s\"", text);
			return -1;
		}
	} else if (strcmp(rel, "/ResourceRecordSetCount") == 0) {
		if (!num_ok(text, len)) {
			xp_fail(x, "ResourceRecordSetCount \"%.20s\" is not a "
			    "number", text);
			return -1;
		}
		z->rrset_count = atol(text);
	}
	if (r)
		xp_fail(x, "out of memory");
	return r;
}

/* Make the stored id prefix-free (in place). */
static void
zone_strip_id(struct r53_zone *z)
{
	const char *s;

	if (z->id != NULL && (s = r53_id_strip(z->id)) != z->id)
		memmove(z->id, s, strlen(s) + 1);
}

struct getzone {
	struct r53_zone *z;
	int seen;
};

#define GHZ "/GetHostedZoneResponse"

static int
getzone_start(struct xp *x, const char *name)
{
	struct getzone *g = x->arg;
	struct r53_vpc *nv;

	(void)name;
	if (xp_at(x, GHZ "/HostedZone"))
		g->seen = 1;
	if (xp_at(x, GHZ "/VPCs/VPC")) {
		if ((nv = realloc(g->z->vpcs, (g->z->nvpcs + 1) *
		    sizeof(*nv))) == NULL) {
			xp_fail(x, "out of memory");
			return -1;
		}
		g->z->vpcs = nv;
		memset(&nv[g->z->nvpcs++], 0, sizeof(*nv));
	}
	return 0;
}

static int
getzone_end(struct xp *x, const char *name, const char *text, size_t len)
{
	struct getzone *g = x->arg;
	static const char hz[] = GHZ "/HostedZone";
	struct r53_vpc *v;

	(void)name;
	if (strncmp(x->path, hz, sizeof(hz) - 1) == 0 &&
	    x->path[sizeof(hz) - 1] == '/')
		return zone_field(g->z, x->path + sizeof(hz) - 1, text, len, x);
	if (g->z->nvpcs == 0)
		return 0;
	v = &g->z->vpcs[g->z->nvpcs - 1];
	if (xp_at(x, GHZ "/VPCs/VPC/VPCId") && take(&v->id, text, len))
		goto oom;
	if (xp_at(x, GHZ "/VPCs/VPC/VPCRegion") && take(&v->region, text, len))
		goto oom;
	return 0;
oom:
	xp_fail(x, "out of memory");
	return -1;
}

int
r53_get_hosted_zone(struct r53_client *c, const char *zone_id,
    struct r53_zone *out, struct r53_error *err)
{
	struct getzone g;
	struct xp x;
	char path[160], what[160];
	const char *id = r53_id_strip(zone_id);
	int rc;

	memset(out, 0, sizeof(*out));
	out->rrset_count = -1;
	if (!id_ok(id)) {
		err_set(err, "bad hosted zone id \"%.80s\"", zone_id);
		return R53_USAGE;
	}
	snprintf(path, sizeof(path), API "/hostedzone/%s", id);
	snprintf(what, sizeof(what), "GetHostedZone %s", id);
	memset(&x, 0, sizeof(x));
	g.z = out;
	g.seen = 0;
	x.root = "GetHostedZoneResponse";
	x.on_start = getzone_start;
	x.on_end = getzone_end;
	x.arg = &g;
	c->st.other_calls++;
	rc = call(c, what, "GET", path, NULL, NULL, 0, 1, &x, err);
	if (rc == R53_OK && (!g.seen || out->id == NULL || out->name == NULL)) {
		err_set(err, "%s: malformed answer: no HostedZone Id and Name",
		    what);
		rc = R53_FAILED;
	}
	if (rc != R53_OK) {
		r53_zone_clear(out);
		return rc;
	}
	zone_strip_id(out);
	return R53_OK;
}

/* GetHostedZoneLimit. */
struct limitparse {
	long limit, count;
	int have_type;
};

#define GHZL "/GetHostedZoneLimitResponse"

static int
limit_end(struct xp *x, const char *name, const char *text, size_t len)
{
	struct limitparse *l = x->arg;

	(void)name;
	if (xp_at(x, GHZL "/Limit/Type")) {
		if (len != 18 || memcmp(text, "MAX_RRSETS_BY_ZONE", 18) != 0) {
			xp_fail(x, "limit type \"%.30s\"", text);
			return -1;
		}
		l->have_type = 1;
	} else if (xp_at(x, GHZL "/Limit/Value") || xp_at(x, GHZL "/Count")) {
		if (!num_ok(text, len)) {
			xp_fail(x, "%s \"%.20s\" is not a number",
			    xp_at(x, GHZL "/Count") ? "Count" : "Limit Value",
			    text);
			return -1;
		}
		if (xp_at(x, GHZL "/Count"))
			l->count = atol(text);
		else
			l->limit = atol(text);
	}
	return 0;
}

int
r53_get_zone_limit(struct r53_client *c, const char *zone_id, long *limit,
    long *count, struct r53_error *err)
{
	struct limitparse l = { -1, -1, 0 };
	struct xp x;
	char path[160], what[160];
	const char *id = r53_id_strip(zone_id);
	int rc;

	if (!id_ok(id)) {
		err_set(err, "bad hosted zone id \"%.80s\"", zone_id);
		return R53_USAGE;
	}
	snprintf(path, sizeof(path), API "/hostedzonelimit/%s/"
	    "MAX_RRSETS_BY_ZONE", id);
	snprintf(what, sizeof(what), "GetHostedZoneLimit %s", id);
	memset(&x, 0, sizeof(x));
	x.root = "GetHostedZoneLimitResponse";
	x.on_end = limit_end;
	x.arg = &l;
	c->st.other_calls++;
	rc = call(c, what, "GET", path, NULL, NULL, 0, 1, &x, err);
	if (rc == R53_OK && (l.limit < 0 || l.count < 0)) {
		err_set(err, "%s: malformed answer: no %s", what,
		    l.limit < 0 ? "Limit Value" : "Count");
		rc = R53_FAILED;
	}
	if (rc == R53_OK) {
		*limit = l.limit;
		*count = l.count;
	}
	return rc;
}

/* ListHostedZonesByName: one page into a growing array of zones. */
struct zonelist {
	struct r53_zone *z;
	size_t n;
	int in_zone;
	int truncated, truncated_seen;
	char *next_name;
	char *next_id;
};

#define LHZ "/ListHostedZonesByNameResponse"

static int
zl_start(struct xp *x, const char *name)
{
	struct zonelist *zl = x->arg;
	struct r53_zone *nz;

	(void)name;
	if (!xp_at(x, LHZ "/HostedZones/HostedZone"))
		return 0;
	if ((nz = xp_grow(x, zl->z, zl->n, sizeof(*nz), 100000)) == NULL)
		return -1;
	zl->z = nz;
	nz[zl->n++].rrset_count = -1;
	zl->in_zone = 1;
	return 0;
}

static int
zl_end(struct xp *x, const char *name, const char *text, size_t len)
{
	struct zonelist *zl = x->arg;
	static const char hz[] = LHZ "/HostedZones/HostedZone";

	(void)name;
	if (zl->in_zone && strncmp(x->path, hz, sizeof(hz) - 1) == 0 &&
	    x->path[sizeof(hz) - 1] == '/')
		return zone_field(&zl->z[zl->n - 1], x->path + sizeof(hz) - 1,
		    text, len, x);
	if (xp_at(x, hz)) {
		zl->in_zone = 0;
		if (zl->z[zl->n - 1].id == NULL || zl->z[zl->n - 1].name == NULL) {
			xp_fail(x, "HostedZone without Id or Name");
			return -1;
		}
		zone_strip_id(&zl->z[zl->n - 1]);
	} else if (xp_at(x, LHZ "/IsTruncated")) {
		zl->truncated_seen = 1;
		zl->truncated = len == 4 && memcmp(text, "true", 4) == 0;
	} else if (xp_at(x, LHZ "/NextDNSName")) {
		free(zl->next_name);
		zl->next_name = strndup(text, len);
	} else if (xp_at(x, LHZ "/NextHostedZoneId")) {
		free(zl->next_id);
		zl->next_id = strndup(text, len);
	}
	return 0;
}

/* Lower-case copy with a trailing dot. */
static char *
norm_name(const char *name)
{
	size_t n = strlen(name), i;
	char *s;

	if ((s = malloc(n + 2)) == NULL)
		return NULL;
	for (i = 0; i < n; i++)
		s[i] = (char)tolower((unsigned char)name[i]);
	if (n == 0 || s[n - 1] != '.')
		s[n++] = '.';
	s[n] = '\0';
	return s;
}

static void
zonelist_clear(struct zonelist *zl)
{
	size_t i;

	for (i = 0; i < zl->n; i++)
		r53_zone_clear(&zl->z[i]);
	free(zl->z);
	free(zl->next_name);
	free(zl->next_id);
	memset(zl, 0, sizeof(*zl));
}

/* Every zone named exactly `want` (normalised), all pages. */
static int
zones_by_name(struct r53_client *c, const char *want, struct zonelist *out,
    struct r53_error *err)
{
	struct zonelist zl;
	struct xp x;
	struct sbuf q = { 0 };
	char *dnsname = NULL, *hzid = NULL, *nn;
	struct r53_zone *nz;
	size_t i;
	int pages, rc = R53_FAILED;

	memset(out, 0, sizeof(*out));
	for (pages = 0; pages < MAX_ZONE_PAGES; pages++) {
		memset(&zl, 0, sizeof(zl));
		q.len = 0;
		q_add(&q, "dnsname", dnsname != NULL ? dnsname : want);
		q_add(&q, "hostedzoneid", hzid);
		q_add(&q, "maxitems", "100");
		if (q.oom) {
			err_set(err, "out of memory");
			goto done;
		}
		memset(&x, 0, sizeof(x));
		x.root = "ListHostedZonesByNameResponse";
		x.on_start = zl_start;
		x.on_end = zl_end;
		x.arg = &zl;
		c->st.other_calls++;
		rc = call(c, "ListHostedZonesByName", "GET",
		    API "/hostedzonesbyname", q.s, NULL, 0, 1, &x, err);
		if (rc == R53_OK && !zl.truncated_seen) {
			err_set(err, "ListHostedZonesByName: malformed answer: "
			    "no IsTruncated");
			rc = R53_FAILED;
		}
		if (rc != R53_OK) {
			zonelist_clear(&zl);
			goto done;
		}
		/* Keep exact matches; the list is sorted by name, so the
		 * first other name ends the search. */
		for (i = 0; i < zl.n; i++) {
			if ((nn = norm_name(zl.z[i].name)) == NULL)
				goto oom;
			if (strcmp(nn, want) == 0) {
				if ((nz = realloc(out->z, (out->n + 1) *
				    sizeof(*nz))) == NULL) {
					free(nn);
					goto oom;
				}
				out->z = nz;
				out->z[out->n++] = zl.z[i];
				memset(&zl.z[i], 0, sizeof(zl.z[i]));
			}
			free(nn);
		}
		free(dnsname);
		free(hzid);
		dnsname = hzid = NULL;
		nn = NULL;
		if (zl.truncated && zl.next_name != NULL && zl.next_id != NULL &&
		    (nn = norm_name(zl.next_name)) == NULL)
			goto oom;
		if (nn == NULL || strcmp(nn, want) != 0) {
			free(nn);
			zonelist_clear(&zl);
			rc = R53_OK;
			goto done;
		}
		free(nn);
		dnsname = zl.next_name;
		hzid = zl.next_id;
		zl.next_name = zl.next_id = NULL;
		zonelist_clear(&zl);
	}
	err_set(err, "ListHostedZonesByName: more than %d pages",
	    MAX_ZONE_PAGES);
	rc = R53_FAILED;
	goto done;
oom:
	zonelist_clear(&zl);
	err_set(err, "out of memory");
	rc = R53_FAILED;
done:
	free(dnsname);
	free(hzid);
	free(q.s);
	return rc;
}

static int
has_vpc(const struct r53_zone *z, const char *vpc)
{
	size_t i;

	for (i = 0; i < z->nvpcs; i++)
		if (z->vpcs[i].id != NULL && strcmp(z->vpcs[i].id, vpc) == 0)
			return 1;
	return 0;
}

/* "Z1 (public)", "Z2 (private, VPCs vpc-1 eu-west-1, ...)". */
static void
describe_zone(struct sbuf *b, const struct r53_zone *z)
{
	size_t i;

	sbuf_fmt(b, "%s (%s", z->id, z->private_zone ? "private" : "public");
	if (z->private_zone) {
		sbuf_str(b, z->nvpcs == 1 ? ", VPC" : ", VPCs");
		if (z->nvpcs == 0)
			sbuf_str(b, " none");
		for (i = 0; i < z->nvpcs; i++)
			sbuf_fmt(b, "%s %s %s", i ? "," : "",
			    z->vpcs[i].id ? z->vpcs[i].id : "?",
			    z->vpcs[i].region ? z->vpcs[i].region : "?");
	}
	sbuf_str(b, ")");
}

int
r53_zone_resolve(struct r53_client *c, const char *id, const char *name,
    enum r53_visibility vis, const char *vpc_id, struct r53_zone *out,
    struct r53_error *err)
{
	struct zonelist zl;
	struct r53_zone full;
	struct sbuf m = { 0 };
	char *want = NULL;
	size_t i, keep = 0;
	int rc;

	memset(out, 0, sizeof(*out));
	out->rrset_count = -1;
	memset(&zl, 0, sizeof(zl));
	if ((id == NULL) == (name == NULL)) {
		err_set(err, "give a hosted zone id or a zone name (one of "
		    "them)");
		return R53_USAGE;
	}
	if (vpc_id != NULL && vis == R53_VIS_PUBLIC) {
		err_set(err, "a VPC id selects a private zone, not a public "
		    "one");
		return R53_USAGE;
	}
	if (vpc_id != NULL)
		vis = R53_VIS_PRIVATE;
	if (id != NULL) {
		if ((rc = r53_get_hosted_zone(c, id, out, err)) != R53_OK)
			return rc;
		/* Options that contradict the zone are an error too. */
		if ((vis == R53_VIS_PUBLIC && out->private_zone) ||
		    (vis == R53_VIS_PRIVATE && !out->private_zone) ||
		    (vpc_id != NULL && !has_vpc(out, vpc_id))) {
			describe_zone(&m, out);
			err_set(err, "hosted zone %s does not match the "
			    "selection (%s%s%s)", m.s ? m.s : out->id,
			    vis == R53_VIS_PUBLIC ? "--public" : "--private",
			    vpc_id ? " --vpc-id " : "", vpc_id ? vpc_id : "");
			free(m.s);
			r53_zone_clear(out);
			return R53_NOTFOUND;
		}
		return R53_OK;
	}
	if ((want = norm_name(name)) == NULL) {
		err_set(err, "out of memory");
		return R53_FAILED;
	}
	if ((rc = zones_by_name(c, want, &zl, err)) != R53_OK)
		goto done;
	/* Filter by visibility; private zones need GetHostedZone for VPCs. */
	for (i = 0; i < zl.n; i++) {
		if ((vis == R53_VIS_PUBLIC && zl.z[i].private_zone) ||
		    (vis == R53_VIS_PRIVATE && !zl.z[i].private_zone)) {
			r53_zone_clear(&zl.z[i]);
			continue;
		}
		if (zl.z[i].private_zone) {
			if ((rc = r53_get_hosted_zone(c, zl.z[i].id, &full,
			    err)) != R53_OK)
				goto done;
			r53_zone_clear(&zl.z[i]);
			zl.z[i] = full;
			if (vpc_id != NULL && !has_vpc(&zl.z[i], vpc_id)) {
				r53_zone_clear(&zl.z[i]);
				continue;
			}
		}
		if (keep != i) {
			zl.z[keep] = zl.z[i];
			memset(&zl.z[i], 0, sizeof(zl.z[i]));
		}
		keep++;
	}
	zl.n = keep;
	if (zl.n == 0) {
		err_set(err, "no %shosted zone named %s%s%s", vis ==
		    R53_VIS_PUBLIC ? "public " : vis == R53_VIS_PRIVATE ?
		    "private " : "", want, vpc_id ? " associated with " : "",
		    vpc_id ? vpc_id : "");
		rc = R53_NOTFOUND;
		goto done;
	}
	if (zl.n > 1) {
		sbuf_fmt(&m, "%zu hosted zones are named %s: ", zl.n, want);
		for (i = 0; i < zl.n; i++) {
			if (i > 0)
				sbuf_str(&m, "; ");
			describe_zone(&m, &zl.z[i]);
		}
		sbuf_str(&m, "; choose one with --zone-id");
		if (vis == R53_VIS_ANY)
			sbuf_str(&m, ", --public or --private");
		sbuf_str(&m, " or --vpc-id");
		if (err != NULL) {
			free(err->message);
			err->message = m.s;
			m.s = NULL;
		}
		rc = R53_CHOICE;
		goto done;
	}
	*out = zl.z[0];
	memset(&zl.z[0], 0, sizeof(zl.z[0]));
	rc = R53_OK;
done:
	free(m.s);
	free(want);
	zonelist_clear(&zl);
	return rc;
}

/* ------------------------------------------------------------------ */
/* Hosted-zone tags: ListTagsForResource, ChangeTagsForResource.       */

#define LTR "/ListTagsForResourceResponse/ResourceTagSet"
#define TAG_MAX_KEY 128
#define TAG_MAX_VALUE 256

void
r53_tags_free(struct r53_tag *tags, size_t n)
{
	size_t i;

	for (i = 0; i < n && tags != NULL; i++) {
		free(tags[i].key);
		free(tags[i].value);
	}
	free(tags);
}

struct tagparse {
	struct r53_tag *t;
	size_t n;
	char *type, *id;
};

static int
tags_start(struct xp *x, const char *name)
{
	struct tagparse *tp = x->arg;
	struct r53_tag *nt;

	(void)name;
	if (!xp_at(x, LTR "/Tags/Tag"))
		return 0;
	/* Route 53 keeps at most 50 tags per resource */
	if ((nt = xp_grow(x, tp->t, tp->n, sizeof(*nt), 1000)) == NULL)
		return -1;
	tp->t = nt;
	tp->n++;
	return 0;
}

static int
tags_end(struct xp *x, const char *name, const char *text, size_t len)
{
	struct tagparse *tp = x->arg;
	struct r53_tag *t = tp->n > 0 ? &tp->t[tp->n - 1] : NULL;
	int rc = 0;

	(void)name;
	if (xp_at(x, LTR "/ResourceType"))
		rc = take(&tp->type, text, len);
	else if (xp_at(x, LTR "/ResourceId"))
		rc = take(&tp->id, text, len);
	else if (xp_at(x, LTR "/Tags/Tag/Key") && t != NULL)
		rc = take(&t->key, text, len);
	else if (xp_at(x, LTR "/Tags/Tag/Value") && t != NULL)
		rc = take(&t->value, text, len);
	else if (xp_at(x, LTR "/Tags/Tag") && t != NULL && t->key == NULL) {
		xp_fail(x, "Tag without Key");
		return -1;
	} else if (xp_at(x, LTR "/Tags/Tag") && t != NULL && t->value == NULL)
		rc = (t->value = strdup("")) != NULL ? 0 : -1;
	if (rc != 0) {
		xp_fail(x, "out of memory");
		return -1;
	}
	return 0;
}

/*
 * zone_target(zone_id, op, under, path, what, err): check a zone id for
 * a URL path; path gets API UNDER ID, what gets "OP ID" for messages.
 * The bare id, or NULL with err set (R53_USAGE).
 */
static const char *
zone_target(const char *zone_id, const char *op, const char *under,
    char path[160], char what[160], struct r53_error *err)
{
	const char *id = r53_id_strip(zone_id);

	if (!id_ok(id)) {
		err_set(err, "bad hosted zone id \"%.80s\"", zone_id);
		return NULL;
	}
	snprintf(path, 160, API "%s%s", under, id);
	snprintf(what, 160, "%s %s", op, id);
	return id;
}

int
r53_list_zone_tags(struct r53_client *c, const char *zone_id,
    struct r53_tag **tags, size_t *ntags, struct r53_error *err)
{
	struct tagparse tp = { 0 };
	struct xp x;
	char path[160], what[160];
	const char *id;
	int rc;

	*tags = NULL;
	*ntags = 0;
	if ((id = zone_target(zone_id, "ListTagsForResource", 
	    "/tags/hostedzone/", path, what, err)) == NULL)
		return R53_USAGE;
	memset(&x, 0, sizeof(x));
	x.root = "ListTagsForResourceResponse";
	x.on_start = tags_start;
	x.on_end = tags_end;
	x.arg = &tp;
	c->st.other_calls++;
	rc = call(c, what, "GET", path, NULL, NULL, 0, 1, &x, err);
	if (rc == R53_OK && (tp.type == NULL || strcmp(tp.type,
	    "hostedzone") != 0 || tp.id == NULL ||
	    strcmp(r53_id_strip(tp.id), id) != 0)) {
		err_set(err, "%s: malformed answer: the ResourceTagSet is not "
		    "the one of hosted zone %s", what, id);
		rc = R53_FAILED;
	}
	free(tp.type);
	free(tp.id);
	if (rc != R53_OK) {
		r53_tags_free(tp.t, tp.n);
		return rc;
	}
	*tags = tp.t;
	*ntags = tp.n;
	return R53_OK;
}

/* utf8_chars(s): characters (code points) of a UTF-8 string. */
static size_t
utf8_chars(const char *s)
{
	size_t n = 0;

	for (; *s != '\0'; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			n++;
	return n;
}

char *
r53_tag_xml(const char *key, const char *value, size_t *len)
{
	struct sbuf b = { 0 };

	if (*key == '\0' || utf8_chars(key) > TAG_MAX_KEY ||
	    utf8_chars(value) > TAG_MAX_VALUE)
		return NULL;
	sbuf_str(&b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	    "<ChangeTagsForResourceRequest xmlns=\"" R53_NS "\">"
	    "<AddTags><Tag>");
	if (xml_elem(&b, "Key", key) || xml_elem(&b, "Value", value))
		goto fail;
	sbuf_str(&b, "</Tag></AddTags></ChangeTagsForResourceRequest>");
	if (b.oom)
		goto fail;
	if (len != NULL)
		*len = b.len;
	return b.s;
fail:
	free(b.s);
	return NULL;
}

int
r53_add_zone_tag(struct r53_client *c, const char *zone_id,
    const char *key, const char *value, struct r53_error *err)
{
	struct xp x;
	char path[160], what[160], *body;
	size_t len = 0;
	int rc;

	if (zone_target(zone_id, "ChangeTagsForResource", 
	    "/tags/hostedzone/", path, what, err) == NULL)
		return R53_USAGE;
	if ((body = r53_tag_xml(key, value, &len)) == NULL) {
		err_set(err, "%s: cannot build the request: a tag key must "
		    "have 1-%d characters, a value at most %d, and neither a "
		    "control character", what, TAG_MAX_KEY, TAG_MAX_VALUE);
		return R53_USAGE;
	}
	memset(&x, 0, sizeof(x));
	x.root = "ChangeTagsForResourceResponse";
	c->st.other_calls++;
	/* Setting one value is idempotent: retried like a read. */
	rc = call(c, what, "POST", path, NULL, body, len, 1, &x, err);
	free(body);
	return rc;
}

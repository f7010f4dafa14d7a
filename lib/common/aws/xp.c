/*
 * xp.c: the streaming XML reader over expat (see xp.h).  Expat calls
 * xp_start/xp_chars/xp_end; they keep the path and the innermost text
 * within the limits and hand each element to the caller's handlers.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <expat.h>

#include "sbuf.h"
#include "xp.h"

void
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
void *
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
int
xp_at(const struct xp *x, const char *p)
{
	return strcmp(x->path, p) == 0;
}

/*
 * Parse body with the handlers.  Returns 0, 1 when the user callback
 * stopped it, or -1 with errbuf set ("what: reason").
 */
int
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

/*
 * xp.h: a small streaming XML reader over expat for AWS answers (Route 53
 * REST/XML and AWS error documents): one place that bounds depth,
 * path and text size, refuses DTDs (entities are an attack), and gives
 * handlers the local name and the path of the element they are in.
 *
 * Usage:
 *	struct xp x;
 *	memset(&x, 0, sizeof(x));
 *	x.root = "ListResourceRecordSetsResponse";	(or NULL: any root)
 *	x.on_start = my_start; x.on_end = my_end; x.arg = &state;
 *	rc = xp_run(&x, "ListResourceRecordSets", body, len, err, errlen);
 *
 * Handlers return 0 to go on; non-zero stops the parse (set x->stopped
 * first for "stopped on purpose", or call xp_fail for an error).
 * on_end gets the element's text (only its own characters; bounded by
 * max_text).  Not for answers holding secrets: the text buffer grows
 * by realloc, which leaves copies (awssts.c reads STS into fixed buffers
 * it wipes).
 */
#ifndef R53M_XP_H
#define R53M_XP_H

#include <stddef.h>

#include <expat.h>

#include "sbuf.h"

/* Limits: deeper or longer than any real answer. */
#define XP_MAX_DEPTH 24
#define XP_MAX_TEXT 65536
#define XP_MAX_PATH 512

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

/* xp_fail(x, fmt, ...): stop the parse with this reason (the first one
 * given is kept). */
void xp_fail(struct xp *x, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* xp_grow(x, arr, n, size, max): arr (n elements of size) with one more,
 * zeroed, element at index n; NULL with x failed ("out of memory") when
 * it cannot grow or n reached max.  The caller stores the result and
 * counts the new element. */
void *xp_grow(struct xp *x, void *arr, size_t n, size_t size, size_t max);

/* xp_at(x, p): is x at path p (from the root, e.g. "/A/B")? */
int xp_at(const struct xp *x, const char *p);

/* xp_run(x, what, body, len, errbuf, errlen): parse body with x's
 * handlers.  0; 1 when a handler stopped it with x->stopped set; -1 with
 * errbuf set ("what: reason"). */
int xp_run(struct xp *x, const char *what, const char *body, size_t len,
    char *errbuf, size_t errlen);

#endif

/*
 * r53int.h: what the Route 53 client's files share (r53api.c, the core;
 * r53rrset.c; r53zone.c) and nothing else includes: the client struct,
 * one call, and the helpers that build requests.
 */
#ifndef R53M_R53INT_H
#define R53M_R53INT_H

#include <stddef.h>

#include "awshttp.h"
#include "r53api.h"
#include "sbuf.h"
#include "xp.h"

#define API "/2013-04-01"
#define R53_NS "https://route53.amazonaws.com/doc/2013-04-01/"

/* Bounds on loops over pages. */
#define MAX_RRSET_PAGES 100000
#define MAX_ZONE_PAGES 1000

struct r53_client {
	struct awshttp *http;
	struct r53_stats st;
};

/* r53_err_set(err, fmt, ...): err->message (replacing any) from a format;
 * err may be NULL. */
void r53_err_set(struct r53_error *err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* r53_id_ok(id): ids go into URL paths unencoded: only what Route 53
 * uses. */
int r53_id_ok(const char *id);

/* r53_call(c, what, method, path, query, body, bodylen, idempotent, x,
 * err): send, then on a 2xx parse the answer with x (x->root set).  An
 * enum r53_status, err filled on failure. */
int r53_call(struct r53_client *c, const char *what, const char *method,
    const char *path, const char *query, const char *body, size_t bodylen,
    int idempotent, struct xp *x, struct r53_error *err);

/* r53_query_add(q, key, value): append "&key=value" (value URI-encoded);
 * nothing when value is NULL. */
void r53_query_add(struct sbuf *q, const char *key, const char *value);

/* r53_xml_text(b, s): s as XML character data; -1 on characters XML 1.0
 * cannot carry.  r53_xml_elem(b, name, text): <name>text</name>. */
int r53_xml_text(struct sbuf *b, const char *s);
int r53_xml_elem(struct sbuf *b, const char *name, const char *text);

/* r53_num_ok(s, len): s is a whole number of 1 to 10 digits. */
int r53_num_ok(const char *s, size_t len);

#endif

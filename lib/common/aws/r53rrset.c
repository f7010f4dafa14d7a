/*
 * r53rrset.c: Route 53 record sets (see r53api.h): ListResourceRecordSets
 * one page at a time or all pages, the ChangeResourceRecordSets request
 * body and call, and GetChange.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "log.h"
#include "r53api.h"
#include "r53int.h"
#include "sbuf.h"
#include "xp.h"

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
		if (!r53_num_ok(text, len)) {
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

/*
 * Close an extras node: an object if it had children, else its text
 * exactly as received.  It joins its parent node, or the record set's
 * extras at the top.
 */
static int
list_end_extra(struct xp *x, struct listparse *l, const char *text,
    size_t len)
{
	struct xnode *n = &l->xs[--l->nx];
	json_t *v, *parent;

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
oom:
	xp_fail(x, "out of memory");
	return -1;
}

/* A ResourceRecordSet is complete: check it, count it, hand it on. */
static int
list_end_rrset(struct xp *x, struct listparse *l)
{
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

/* The page's own fields: IsTruncated and where the next page starts. */
static int
list_end_page(struct xp *x, struct listparse *l, const char *text,
    size_t len)
{
	char **next_field = NULL;

	if (xp_at(x, LRRS "/IsTruncated")) {
		if (len == 4 && memcmp(text, "true", 4) == 0)
			l->next->truncated = 1;
		else if (!(len == 5 && memcmp(text, "false", 5) == 0)) {
			xp_fail(x, "IsTruncated is \"%.10s\"", text);
			return -1;
		}
		l->truncated_seen = 1;
	} else if (xp_at(x, LRRS "/NextRecordName"))
		next_field = &l->next->name;
	else if (xp_at(x, LRRS "/NextRecordType"))
		next_field = &l->next->type;
	else if (xp_at(x, LRRS "/NextRecordIdentifier"))
		next_field = &l->next->identifier;
	if (next_field == NULL)
		return 0;
	free(*next_field);
	if ((*next_field = strndup(text, len)) == NULL) {
		xp_fail(x, "out of memory");
		return -1;
	}
	return 0;
}

static int
list_end(struct xp *x, const char *name, const char *text, size_t len)
{
	struct listparse *l = x->arg;

	(void)name;
	if (l->nx > 0 && (size_t)x->depth == l->rr_depth + (size_t)l->nx)
		return list_end_extra(x, l, text, len);
	if (l->in_rr && xp_at(x, RRSET))
		return list_end_rrset(x, l);
	if (!l->in_rr)
		return list_end_page(x, l, text, len);
	if (list_end_rr(x, l, text, len)) {
		xp_fail(x, "out of memory");
		return -1;
	}
	return 0;
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
	if (!r53_id_ok(id)) {
		r53_err_set(err, "bad hosted zone id \"%.80s\"", zone_id);
		return R53_USAGE;
	}
	if (start_type != NULL && start_name == NULL) {
		r53_err_set(err, "ListResourceRecordSets: a start type needs a "
		    "start name");
		return R53_USAGE;
	}
	if (maxitems < 0 || maxitems > 300) {
		r53_err_set(err, "ListResourceRecordSets: maxitems %d not in "
		    "1..300", maxitems);
		return R53_USAGE;
	}
	snprintf(path, sizeof(path), API "/hostedzone/%s/rrset", id);
	snprintf(what, sizeof(what), "ListResourceRecordSets %s", id);
	r53_query_add(&q, "name", start_name);
	r53_query_add(&q, "type", start_type);
	r53_query_add(&q, "identifier", start_identifier);
	if (maxitems > 0) {
		snprintf(mi, sizeof(mi), "%d", maxitems);
		r53_query_add(&q, "maxitems", mi);
	}
	if (q.oom) {
		free(q.s);
		r53_err_set(err, "out of memory");
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
	rc = r53_call(c, what, "GET", path, q.s, NULL, 0, 1, &x, err);
	free(q.s);
	listparse_clear(&l);
	if (rc == R53_STOPPED) {
		r53_err_set(err, "%s: stopped by the caller", what);
		r53_page_next_clear(next);
		return rc;
	}
	if (rc != R53_OK) {
		r53_page_next_clear(next);
		return rc;
	}
	if (!l.truncated_seen || (next->truncated && (next->name == NULL ||
	    next->type == NULL))) {
		r53_err_set(err, "%s: malformed answer: %s", what,
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
			r53_err_set(err, "ListResourceRecordSets %s: the listing "
			    "does not advance (next %.255s %.16s)",
			    r53_id_strip(zone_id), nx.name, nx.type);
			rc = R53_FAILED;
			goto done;
		}
		r53_page_next_clear(&cur);
		cur = nx;
		memset(&nx, 0, sizeof(nx));
	}
	r53_err_set(err, "ListResourceRecordSets %s: more than %d pages",
	    r53_id_strip(zone_id), MAX_RRSET_PAGES);
	rc = R53_FAILED;
done:
	r53_page_next_clear(&cur);
	r53_page_next_clear(&nx);
	return rc;
}

/* ------------------------------------------------------------------ */
/* ChangeResourceRecordSets: the request body.                         */

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
		return r53_xml_elem(b, name, json_string_value(v));
	case JSON_INTEGER:
		snprintf(num, sizeof(num), "%" JSON_INTEGER_FORMAT,
		    json_integer_value(v));
		return r53_xml_elem(b, name, num);
	case JSON_REAL:
		snprintf(num, sizeof(num), "%.17g", json_real_value(v));
		return r53_xml_elem(b, name, num);
	case JSON_TRUE:
	case JSON_FALSE:
		return r53_xml_elem(b, name, json_is_true(v) ? "true" : "false");
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
	if (r53_xml_elem(b, "Name", rr->name) || r53_xml_elem(b, "Type", rr->type))
		return -1;
	if (rr->set_identifier != NULL &&
	    r53_xml_elem(b, "SetIdentifier", rr->set_identifier))
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
			if (r53_xml_elem(b, "Value", rr->values[i]))
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
	if (comment != NULL && r53_xml_elem(&b, "Comment", comment))
		goto fail;
	sbuf_str(&b, "<Changes>");
	for (i = 0; i < n; i++) {
		if ((unsigned)changes[i].action > R53_UPSERT ||
		    changes[i].rrset == NULL)
			goto fail;
		sbuf_str(&b, "<Change>");
		r53_xml_elem(&b, "Action", act[changes[i].action]);
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
		r53_err_set(err, "%s: malformed answer: ChangeInfo without %s", what,
		    cp->id == NULL || *r53_id_strip(cp->id) == '\0' ? "Id" :
		    "Status");
		return -1;
	}
	if (strcmp(cp->status, "PENDING") != 0 &&
	    strcmp(cp->status, "INSYNC") != 0) {
		r53_err_set(err, "%s: malformed answer: ChangeInfo Status \"%.20s\"",
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
	if (!r53_id_ok(id)) {
		r53_err_set(err, "bad hosted zone id \"%.80s\"", zone_id);
		return R53_USAGE;
	}
	snprintf(what, sizeof(what), "ChangeResourceRecordSets %s", id);
	if (n == 0) {
		r53_err_set(err, "%s: empty change batch", what);
		return R53_USAGE;
	}
	if ((body = r53_change_xml(changes, n, comment, &len)) == NULL) {
		r53_err_set(err, "%s: cannot build the request: a record set "
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
	rc = r53_call(c, what, "POST", path, NULL, body, len, 0, &x, err);
	free(body);
	if (rc == R53_OK) {
		if (change_check(what, &cp, err) == 0) {
			if ((*change_id = strdup(r53_id_strip(cp.id))) == NULL) {
				r53_err_set(err, "out of memory");
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
	if (!r53_id_ok(id)) {
		r53_err_set(err, "bad change id \"%.80s\"", change_id);
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
	rc = r53_call(c, what, "GET", path, NULL, NULL, 0, 1, &x, err);
	if (rc == R53_OK && change_check(what, &cp, err) != 0)
		rc = R53_FAILED;
	if (rc == R53_OK)
		*insync = strcmp(cp.status, "INSYNC") == 0;
	free(cp.id);
	free(cp.status);
	return rc;
}

/*
 * r53zone.c: Route 53 hosted zones (see r53api.h): GetHostedZone,
 * GetHostedZoneLimit, finding a zone by name and visibility
 * (ListHostedZonesByName), and the zone's tags (ListTagsForResource,
 * ChangeTagsForResource).
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "r53api.h"
#include "r53int.h"
#include "sbuf.h"
#include "xp.h"

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
		if (!r53_num_ok(text, len)) {
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
	if (!r53_id_ok(id)) {
		r53_err_set(err, "bad hosted zone id \"%.80s\"", zone_id);
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
	rc = r53_call(c, what, "GET", path, NULL, NULL, 0, 1, &x, err);
	if (rc == R53_OK && (!g.seen || out->id == NULL || out->name == NULL)) {
		r53_err_set(err, "%s: malformed answer: no HostedZone Id and Name",
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
		if (!r53_num_ok(text, len)) {
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

	if (!r53_id_ok(id)) {
		r53_err_set(err, "bad hosted zone id \"%.80s\"", zone_id);
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
	rc = r53_call(c, what, "GET", path, NULL, NULL, 0, 1, &x, err);
	if (rc == R53_OK && (l.limit < 0 || l.count < 0)) {
		r53_err_set(err, "%s: malformed answer: no %s", what,
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

/* 1 if name normalises to want, 0 if not, -1 out of memory. */
static int
zone_name_is(const char *name, const char *want)
{
	char *nn;
	int same;

	if ((nn = norm_name(name)) == NULL)
		return -1;
	same = strcmp(nn, want) == 0;
	free(nn);
	return same;
}

/*
 * One ListHostedZonesByName page, from dnsname (and hzid, NULL at the
 * first page), into zl; q is the query buffer the pages share.  A status;
 * on failure zl is left empty.
 */
static int
zones_page(struct r53_client *c, const char *dnsname, const char *hzid,
    struct sbuf *q, struct zonelist *zl, struct r53_error *err)
{
	struct xp x;
	int rc;

	memset(zl, 0, sizeof(*zl));
	q->len = 0;
	r53_query_add(q, "dnsname", dnsname);
	r53_query_add(q, "hostedzoneid", hzid);
	r53_query_add(q, "maxitems", "100");
	if (q->oom) {
		r53_err_set(err, "out of memory");
		return R53_FAILED;
	}
	memset(&x, 0, sizeof(x));
	x.root = "ListHostedZonesByNameResponse";
	x.on_start = zl_start;
	x.on_end = zl_end;
	x.arg = zl;
	c->st.other_calls++;
	rc = r53_call(c, "ListHostedZonesByName", "GET",
	    API "/hostedzonesbyname", q->s, NULL, 0, 1, &x, err);
	if (rc == R53_OK && !zl->truncated_seen) {
		r53_err_set(err, "ListHostedZonesByName: malformed answer: "
		    "no IsTruncated");
		rc = R53_FAILED;
	}
	if (rc != R53_OK)
		zonelist_clear(zl);
	return rc;
}

/* Move the zones of page zl named exactly want to the end of out; 0, or
 * -1 out of memory. */
static int
zones_take_matches(struct zonelist *zl, const char *want,
    struct zonelist *out)
{
	struct r53_zone *nz;
	size_t i;
	int same;

	for (i = 0; i < zl->n; i++) {
		if ((same = zone_name_is(zl->z[i].name, want)) < 0)
			return -1;
		if (!same)
			continue;
		if ((nz = realloc(out->z, (out->n + 1) * sizeof(*nz))) == NULL)
			return -1;
		out->z = nz;
		out->z[out->n++] = zl->z[i];
		memset(&zl->z[i], 0, sizeof(zl->z[i]));
	}
	return 0;
}

/*
 * Whether zones named want go on after page zl: 1 yes, 0 no, -1 out of
 * memory.  The list is sorted by name, so the first other name ends the
 * search.
 */
static int
zones_continue(const struct zonelist *zl, const char *want)
{
	if (!zl->truncated || zl->next_name == NULL || zl->next_id == NULL)
		return 0;
	return zone_name_is(zl->next_name, want);
}

/* Every zone named exactly `want` (normalised), all pages. */
static int
zones_by_name(struct r53_client *c, const char *want, struct zonelist *out,
    struct r53_error *err)
{
	struct zonelist zl;
	struct sbuf q = { 0 };
	char *dnsname = NULL, *hzid = NULL;
	int pages, more, rc;

	memset(out, 0, sizeof(*out));
	for (pages = 0; pages < MAX_ZONE_PAGES; pages++) {
		rc = zones_page(c, dnsname != NULL ? dnsname : want, hzid, &q,
		    &zl, err);
		if (rc != R53_OK)
			goto done;
		free(dnsname);
		free(hzid);
		dnsname = hzid = NULL;
		if (zones_take_matches(&zl, want, out) ||
		    (more = zones_continue(&zl, want)) < 0)
			goto oom;
		if (!more) {
			zonelist_clear(&zl);
			goto done;
		}
		/* The next page starts where this one says. */
		dnsname = zl.next_name;
		hzid = zl.next_id;
		zl.next_name = zl.next_id = NULL;
		zonelist_clear(&zl);
	}
	r53_err_set(err, "ListHostedZonesByName: more than %d pages",
	    MAX_ZONE_PAGES);
	rc = R53_FAILED;
	goto done;
oom:
	zonelist_clear(&zl);
	r53_err_set(err, "out of memory");
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

/* Whether a zone's visibility is the one asked for. */
static int
zone_vis_ok(const struct r53_zone *z, enum r53_visibility vis)
{
	return !((vis == R53_VIS_PUBLIC && z->private_zone) ||
	    (vis == R53_VIS_PRIVATE && !z->private_zone));
}

/* The zone of a given id, if it also fits vis and vpc_id: options that
 * contradict the zone are an error too. */
static int
resolve_by_id(struct r53_client *c, const char *id, enum r53_visibility vis,
    const char *vpc_id, struct r53_zone *out, struct r53_error *err)
{
	struct sbuf m = { 0 };
	int rc;

	if ((rc = r53_get_hosted_zone(c, id, out, err)) != R53_OK)
		return rc;
	if (zone_vis_ok(out, vis) && (vpc_id == NULL || has_vpc(out, vpc_id)))
		return R53_OK;
	describe_zone(&m, out);
	r53_err_set(err, "hosted zone %s does not match the selection "
	    "(%s%s%s)", m.s ? m.s : out->id,
	    vis == R53_VIS_PUBLIC ? "--public" : "--private",
	    vpc_id ? " --vpc-id " : "", vpc_id ? vpc_id : "");
	free(m.s);
	r53_zone_clear(out);
	return R53_NOTFOUND;
}

/*
 * Keep the zones of zl that fit vis and vpc_id, in order.  Private zones
 * need GetHostedZone for their VPCs; each is replaced by that full copy.
 */
static int
resolve_filter(struct r53_client *c, struct zonelist *zl,
    enum r53_visibility vis, const char *vpc_id, struct r53_error *err)
{
	struct r53_zone full;
	size_t i, keep = 0;
	int rc;

	for (i = 0; i < zl->n; i++) {
		if (!zone_vis_ok(&zl->z[i], vis)) {
			r53_zone_clear(&zl->z[i]);
			continue;
		}
		if (zl->z[i].private_zone) {
			if ((rc = r53_get_hosted_zone(c, zl->z[i].id, &full,
			    err)) != R53_OK)
				return rc;
			r53_zone_clear(&zl->z[i]);
			zl->z[i] = full;
			if (vpc_id != NULL && !has_vpc(&zl->z[i], vpc_id)) {
				r53_zone_clear(&zl->z[i]);
				continue;
			}
		}
		if (keep != i) {
			zl->z[keep] = zl->z[i];
			memset(&zl->z[i], 0, sizeof(zl->z[i]));
		}
		keep++;
	}
	zl->n = keep;
	return R53_OK;
}

/* More than one zone fits: say which, and how to choose (R53_CHOICE). */
static int
resolve_choice(const struct zonelist *zl, const char *want,
    enum r53_visibility vis, struct r53_error *err)
{
	struct sbuf m = { 0 };
	size_t i;

	sbuf_fmt(&m, "%zu hosted zones are named %s: ", zl->n, want);
	for (i = 0; i < zl->n; i++) {
		if (i > 0)
			sbuf_str(&m, "; ");
		describe_zone(&m, &zl->z[i]);
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
	free(m.s);
	return R53_CHOICE;
}

/* The one zone named name that fits vis and vpc_id. */
static int
resolve_by_name(struct r53_client *c, const char *name,
    enum r53_visibility vis, const char *vpc_id, struct r53_zone *out,
    struct r53_error *err)
{
	struct zonelist zl;
	char *want;
	int rc;

	memset(&zl, 0, sizeof(zl));
	if ((want = norm_name(name)) == NULL) {
		r53_err_set(err, "out of memory");
		return R53_FAILED;
	}
	if ((rc = zones_by_name(c, want, &zl, err)) != R53_OK ||
	    (rc = resolve_filter(c, &zl, vis, vpc_id, err)) != R53_OK)
		goto done;
	if (zl.n == 0) {
		r53_err_set(err, "no %shosted zone named %s%s%s", vis ==
		    R53_VIS_PUBLIC ? "public " : vis == R53_VIS_PRIVATE ?
		    "private " : "", want, vpc_id ? " associated with " : "",
		    vpc_id ? vpc_id : "");
		rc = R53_NOTFOUND;
	} else if (zl.n > 1)
		rc = resolve_choice(&zl, want, vis, err);
	else {
		*out = zl.z[0];
		memset(&zl.z[0], 0, sizeof(zl.z[0]));
	}
done:
	free(want);
	zonelist_clear(&zl);
	return rc;
}

int
r53_zone_resolve(struct r53_client *c, const char *id, const char *name,
    enum r53_visibility vis, const char *vpc_id, struct r53_zone *out,
    struct r53_error *err)
{
	memset(out, 0, sizeof(*out));
	out->rrset_count = -1;
	if ((id == NULL) == (name == NULL)) {
		r53_err_set(err, "give a hosted zone id or a zone name (one of "
		    "them)");
		return R53_USAGE;
	}
	if (vpc_id != NULL && vis == R53_VIS_PUBLIC) {
		r53_err_set(err, "a VPC id selects a private zone, not a public "
		    "one");
		return R53_USAGE;
	}
	if (vpc_id != NULL)
		vis = R53_VIS_PRIVATE;
	if (id != NULL)
		return resolve_by_id(c, id, vis, vpc_id, out, err);
	return resolve_by_name(c, name, vis, vpc_id, out, err);
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

	if (!r53_id_ok(id)) {
		r53_err_set(err, "bad hosted zone id \"%.80s\"", zone_id);
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
	rc = r53_call(c, what, "GET", path, NULL, NULL, 0, 1, &x, err);
	if (rc == R53_OK && (tp.type == NULL || strcmp(tp.type,
	    "hostedzone") != 0 || tp.id == NULL ||
	    strcmp(r53_id_strip(tp.id), id) != 0)) {
		r53_err_set(err, "%s: malformed answer: the ResourceTagSet is not "
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
	if (r53_xml_elem(&b, "Key", key) || r53_xml_elem(&b, "Value", value))
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
		r53_err_set(err, "%s: cannot build the request: a tag key must "
		    "have 1-%d characters, a value at most %d, and neither a "
		    "control character", what, TAG_MAX_KEY, TAG_MAX_VALUE);
		return R53_USAGE;
	}
	memset(&x, 0, sizeof(x));
	x.root = "ChangeTagsForResourceResponse";
	c->st.other_calls++;
	/* Setting one value is idempotent: retried like a read. */
	rc = r53_call(c, what, "POST", path, NULL, body, len, 1, &x, err);
	free(body);
	return rc;
}

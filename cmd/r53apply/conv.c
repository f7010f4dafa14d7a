/*
 * conv.c: a canonical RRset (stream text) becomes a Route 53
 * ResourceRecordSet: the owner through name_to_r53(), each canonical RDATA
 * through canon_to_r53value(), or the stored values from @raw for a DELETE
 * (Route 53 compares stored text exactly), @r53 as the extras object, the
 * SetIdentifier decoded from its \DDD escapes.  Built once up front to
 * check it and learn its cost (ap_convert), then again only while a
 * request or a plan listing needs it (ap_set_rr, ap_set_release): a
 * million converted RRsets held at once were most of r53apply's memory.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "apply.h"
#include "canon.h"
#include "log.h"
#include "names.h"

static char *errdup(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));

/* errdup(fmt, ...): a malloc'd message (NULL on out of memory). */
static char *
errdup(const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	return strdup(buf);
}

/* ap_setid_decode(esc, out): SetIdentifier octets from the stream's
 * \DDD-escaped form; *out malloc'd.  0 or -1 (bad escape). */
int
ap_setid_decode(const char *esc, char **out)
{
	size_t n = strlen(esc), i, j = 0;
	char *p = malloc(n + 1);
	unsigned v;

	if (p == NULL)
		return -1;
	for (i = 0; i < n; i++) {
		if (esc[i] != '\\') {
			p[j++] = esc[i];
			continue;
		}
		if (i + 3 >= n)
			goto bad;
		if (esc[i + 1] < '0' || esc[i + 1] > '9' ||
		    esc[i + 2] < '0' || esc[i + 2] > '9' ||
		    esc[i + 3] < '0' || esc[i + 3] > '9')
			goto bad;
		v = (unsigned)(esc[i + 1] - '0') * 100 +
		    (unsigned)(esc[i + 2] - '0') * 10 +
		    (unsigned)(esc[i + 3] - '0');
		if (v == 0 || v > 255)
			goto bad;
		p[j++] = (char)v;
		i += 3;
	}
	p[j] = '\0';
	*out = p;
	return 0;
bad:
	free(p);
	return -1;
}

/* raw_values(json, rr): the @raw array into rr->values.  0 or -1. */
static int
raw_values(const char *json, struct r53_rrset *rr)
{
	json_t *a = NULL;
	json_error_t je;
	size_t i;
	int ret = -1;

	a = json_loads(json, 0, &je);
	if (a == NULL || !json_is_array(a) || json_array_size(a) == 0)
		goto out;
	rr->values = calloc(json_array_size(a), sizeof(*rr->values));
	if (rr->values == NULL)
		goto out;
	for (i = 0; i < json_array_size(a); i++) {
		json_t *v = json_array_get(a, i);
		if (!json_is_string(v))
			goto out;
		rr->values[i] = strdup(json_string_value(v));
		if (rr->values[i] == NULL)
			goto out;
		rr->nvalues = i + 1;
	}
	ret = 0;
out:
	json_decref(a);
	return ret;
}

/*
 * ap_set_build(s, rr, err): s in Route 53 form into rr (members
 * malloc'd; r53_rrset_clear frees them).  An old side (AP_S_OLD) takes
 * the @raw values when present: Route 53 compares stored text exactly.
 * An unconverted RRset (SPEC 2.2: @raw, no RDATA) has only those: the
 * stream reader lets it be an old side alone, so it is always a DELETE
 * of exactly the stored values and TTL, which is what Route 53 compares.
 * Returns 0, or -1 with *err a malloc'd reason (caller frees).
 */
int
ap_set_build(const struct ap_set *s, struct r53_rrset *rr, char **err)
{
	const char *setid = ap_set_setid(s), *r53 = ap_set_r53(s);
	const char *raw = ap_set_raw(s), *type = ap_set_type(s), *p;
	uint16_t t;
	json_error_t je;
	size_t i;
	int rc;

	*err = NULL;
	memset(rr, 0, sizeof(*rr));
	rc = name_to_r53(ap_set_owner(s), &rr->name);
	if (rc != NAME_OK) {
		*err = errdup("owner %s: %s", ap_set_owner(s),
		    name_strerror(rc));
		return -1;
	}
	if ((rr->type = strdup(type)) == NULL)
		goto nomem;
	if (setid != NULL && ap_setid_decode(setid, &rr->set_identifier)) {
		*err = errdup("bad SetIdentifier '%s'", setid);
		return -1;
	}
	rr->ttl = s->ttl;
	if (r53 != NULL) {
		rr->extras = json_loads(r53, 0, &je);
		if (rr->extras == NULL || !json_is_object(rr->extras)) {
			*err = errdup("bad @r53 JSON: %s", je.text);
			return -1;
		}
	}
	if ((s->flags & AP_S_OLD) && raw != NULL) {
		if (raw_values(raw, rr) == -1) {
			*err = errdup("bad @raw JSON %s", raw);
			return -1;
		}
	} else if (s->nrdata > 0) {
		if (canon_type_from_name(type, &t) == -1 ||
		    !canon_r53_storable(t)) {
			*err = errdup("type %s cannot be stored in Route 53",
			    type);
			return -1;
		}
		rr->values = calloc(s->nrdata, sizeof(*rr->values));
		if (rr->values == NULL)
			goto nomem;
		for (i = 0, p = ap_set_rdata(s); i < s->nrdata;
		    i++, p = ap_set_next(p)) {
			if (canon_to_r53value(t, p, &rr->values[i]) == -1) {
				*err = errdup("%s rdata '%s' has no Route 53 "
				    "form", type, p);
				return -1;
			}
			rr->nvalues = i + 1;
		}
	}
	return 0;
nomem:
	*err = strdup("out of memory");
	return -1;
}

/* ap_set_rr(s): s's Route 53 form, built on first use and kept until
 * ap_set_release(s); NULL on out of memory (ap_convert built it once
 * already, so nothing else fails here). */
const struct r53_rrset *
ap_set_rr(struct ap_set *s)
{
	char *err = NULL;

	if (s->rr != NULL)
		return s->rr;
	if ((s->rr = malloc(sizeof(*s->rr))) == NULL)
		return NULL;
	if (ap_set_build(s, s->rr, &err) == -1) {
		free(err);
		ap_set_release(s);
		return NULL;
	}
	return s->rr;
}

void
ap_set_release(struct ap_set *s)
{
	r53_rrset_free(s->rr);
	s->rr = NULL;
}

/*
 * convert_set(c, s): build s's Route 53 form once to check it and learn
 * its cost, then drop it.  A new side whose Value is over Route 53's
 * limit is refused here too.  0, or -1 after skipping c with the reason.
 */
static int
convert_set(struct ap_change *c, struct ap_set *s)
{
	struct r53_rrset rr;
	char *err = NULL;
	size_t i, l, n = 0, longest = 0;

	if (ap_set_build(s, &rr, &err) == -1) {
		ap_skip(c, AP_SKIPPED, "%s", err ? err : "no memory");
		free(err);
		r53_rrset_clear(&rr);
		return -1;
	}
	for (i = 0; i < rr.nvalues; i++) {
		l = strlen(rr.values[i]);
		n += l;
		longest = l > longest ? l : longest;
	}
	/* more than fits a request either way: skipped by check.c */
	s->nrr = rr.nvalues > UINT32_MAX ? UINT32_MAX : (uint32_t)rr.nvalues;
	s->nchars = n > UINT32_MAX ? UINT32_MAX : (uint32_t)n;
	r53_rrset_clear(&rr);
	if (!(s->flags & AP_S_OLD) && longest > AP_MAX_VALUE) {
		ap_skip(c, AP_SKIPPED, "a Value of %zu characters is over "
		    "Route 53's limit of %d", longest, AP_MAX_VALUE);
		return -1;
	}
	return 0;
}

/*
 * ap_name_wire_check(canon, why): 0 if the name fits Route 53 (labels up
 * to 63 octets, name up to 255), else -1 with *why (malloc'd).
 */
int
ap_name_wire_check(const char *canon, char **why)
{
	uint8_t wire[512];
	size_t len = 0;
	int rc;

	*why = NULL;
	rc = name_to_wire(canon, 0, wire, &len);
	if (rc == NAME_OK)
		return 0;
	*why = errdup("name %s: %s", canon, name_strerror(rc));
	return -1;
}

/* ap_r53_name_eq(a, b): 1 if two names in Route 53 text are the same
 * name (escapes and case aside). */
int
ap_r53_name_eq(const char *a, const char *b)
{
	char *ca = NULL, *cb = NULL;
	int eq = 0;

	if (name_from_r53(a, &ca) == NAME_OK &&
	    name_from_r53(b, &cb) == NAME_OK)
		eq = strcmp(ca, cb) == 0;
	free(ca);
	free(cb);
	return eq;
}

/*
 * ap_convert(run): check every pending change's Route 53 form (the
 * DELETE side with @raw values) and keep its cost; a change that cannot
 * be converted is skipped with the reason.  Returns 0.
 */
int
ap_convert(struct ap_run *run)
{
	size_t i;

	for (i = 0; i < run->nchg; i++) {
		struct ap_change *c = &run->chg[i];

		if (c->state != AP_PENDING)
			continue;
		if (c->old != NULL && convert_set(c, c->old) == -1)
			continue;
		if (c->new != NULL)
			convert_set(c, c->new);
	}
	return 0;
}

/*
 * conv.c: a canonical RRset (stream text) becomes a Route 53
 * ResourceRecordSet: the owner through name_to_r53(), each canonical RDATA
 * through canon_to_r53value(), or the stored values from @raw for a DELETE
 * (Route 53 compares stored text exactly), @r53 as the extras object, the
 * SetIdentifier decoded from its \DDD escapes.  Also the small SOA and
 * serial helpers.
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
 * ap_convert_set(s, use_raw, err): fill s->rr and the cost of s.  With
 * use_raw the @raw values (when present) replace the canonical ones.  An
 * unconverted RRset (SPEC 2.2: @raw, no RDATA) has only those: the stream
 * reader lets it be an old side alone, so it is always a DELETE of exactly
 * the stored values and TTL, which is what Route 53 compares.
 * Returns 0, or -1 with *err a malloc'd reason (caller frees).
 */
int
ap_convert_set(struct ap_set *s, int use_raw, char **err)
{
	struct r53_rrset *rr = &s->rr;
	uint16_t type;
	json_error_t je;
	size_t i;
	int rc;

	*err = NULL;
	r53_rrset_clear(rr);
	memset(rr, 0, sizeof(*rr));
	s->converted = 0;
	rc = name_to_r53(s->owner, &rr->name);
	if (rc != NAME_OK) {
		*err = errdup("owner %s: %s", s->owner, name_strerror(rc));
		return -1;
	}
	if ((rr->type = strdup(s->type)) == NULL)
		goto nomem;
	if (s->setid != NULL && ap_setid_decode(s->setid, &rr->set_identifier)) {
		*err = errdup("bad SetIdentifier '%s'", s->setid);
		return -1;
	}
	rr->ttl = s->ttl;
	if (s->r53 != NULL) {
		rr->extras = json_loads(s->r53, 0, &je);
		if (rr->extras == NULL || !json_is_object(rr->extras)) {
			*err = errdup("bad @r53 JSON: %s", je.text);
			return -1;
		}
	}
	if (use_raw && s->raw != NULL) {
		if (raw_values(s->raw, rr) == -1) {
			*err = errdup("bad @raw JSON %s", s->raw);
			return -1;
		}
	} else if (s->nrdata > 0) {
		if (canon_type_from_name(s->type, &type) == -1 ||
		    !canon_r53_storable(type)) {
			*err = errdup("type %s cannot be stored in Route 53",
			    s->type);
			return -1;
		}
		rr->values = calloc(s->nrdata, sizeof(*rr->values));
		if (rr->values == NULL)
			goto nomem;
		for (i = 0; i < s->nrdata; i++) {
			if (canon_to_r53value(type, s->rdata[i],
			    &rr->values[i]) == -1) {
				*err = errdup("%s rdata '%s' has no Route 53 "
				    "form", s->type, s->rdata[i]);
				return -1;
			}
			rr->nvalues = i + 1;
		}
	}
	s->nrr = rr->nvalues;
	s->nchars = 0;
	for (i = 0; i < rr->nvalues; i++)
		s->nchars += strlen(rr->values[i]);
	s->converted = 1;
	return 0;
nomem:
	*err = strdup("out of memory");
	return -1;
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
 * ap_convert(run): convert every pending change (the DELETE side with
 * @raw values); a change that cannot be converted is skipped with the
 * reason.  Returns 0, or -1 on out of memory.
 */
int
ap_convert(struct ap_run *run)
{
	size_t i;
	char *err = NULL;

	for (i = 0; i < run->nchg; i++) {
		struct ap_change *c = &run->chg[i];

		if (c->state != AP_PENDING)
			continue;
		if (c->old != NULL && ap_convert_set(c->old, 1, &err) == -1) {
			ap_skip(c, AP_SKIPPED, "%s", err ? err : "no memory");
			free(err);
			err = NULL;
			continue;
		}
		if (c->new != NULL && ap_convert_set(c->new, 0, &err) == -1) {
			ap_skip(c, AP_SKIPPED, "%s", err ? err : "no memory");
			free(err);
			err = NULL;
		}
	}
	return 0;
}

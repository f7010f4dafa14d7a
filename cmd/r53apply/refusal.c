/*
 * refusal.c: what Route 53 says when it refuses a change batch
 * (InvalidChangeBatch), read once, for sending (send.c) and settling
 * (settle.c) alike.
 *
 * An answer holds one or more problems: one <Message> each in the XML
 * form, or one "[m1, m2, ...]" message joined by ", " (the ErrorResponse
 * form the aws CLI prints).  Each problem is parsed into the RRset it
 * names (name, type, set identifier), the value it quotes, and its kind:
 *
 *   exists, not-found, values-differ, conflict   the zone's state refused
 *       it: a change stream computed afresh would not send it (so a
 *       refusal of these kinds keeps the SOA serial where it is);
 *   invalid-value, rule, quota   Route 53 refuses the RRset itself: it
 *       is set aside and everything else, the serial included, applies;
 *   unknown   anything else (kept like a state refusal: not understood,
 *       so not taken as permanent).
 *
 * Matching a problem against a batch: by the RRset it names, else by the
 * value it quotes (Route 53's value messages name no RRset): a value
 * found in RRsets of more than one type is not trusted (the same text can
 * be valid for one type and not another), and "Duplicate Resource Record"
 * matches only an RRset holding the value twice.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "apply.h"
#include "canon.h"

static const char *const kind_names[] = {
	"unknown", "exists", "not-found", "values-differ", "conflict",
	"invalid-value", "rule", "quota"
};

const char *
ap_refusal_kind_name(enum ap_ref_kind k)
{
	return (unsigned)k < sizeof(kind_names) / sizeof(kind_names[0]) ?
	    kind_names[k] : "unknown";
}

/* ap_refusal_holds_serial(k): a refusal of this kind may go away when the
 * pipeline runs again (the zone's state, or not understood). */
int
ap_refusal_holds_serial(enum ap_ref_kind k)
{
	return k != REF_INVALID_VALUE && k != REF_RULE && k != REF_QUOTA;
}

static int
cmp_opt(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return (a != NULL) - (b != NULL);
	return strcmp(a, b);
}

/* ap_same_key(a, b): the same RRset key: type, set identifier, and the
 * name with Route 53's escapes and case aside. */
int
ap_same_key(const struct r53_rrset *a, const struct r53_rrset *b)
{
	return strcmp(a->type, b->type) == 0 &&
	    cmp_opt(a->set_identifier, b->set_identifier) == 0 &&
	    ap_r53_name_eq(a->name, b->name);
}

/* ap_set_same_key(a, b): ap_same_key of the two Route 53 forms (0 when
 * one cannot be built). */
int
ap_set_same_key(struct ap_set *a, struct ap_set *b)
{
	const struct r53_rrset *ra = ap_set_rr(a), *rb = ap_set_rr(b);

	return ra != NULL && rb != NULL && ap_same_key(ra, rb);
}

/* ---- splitting an answer into problems ---- */

/* Message starts of Route 53's InvalidChangeBatch problems: a joined
 * "[m1, m2, ...]" message is split before ", " and one of these. */
static const char *const msg_heads[] = {
	"Tried to ", "RRSet ", "Duplicate Resource Record",
	"The request contains", "A HostedZone", "Invalid Resource Record",
	"FATAL problem", "Number of records", "RDATA character",
	"Exceeded limit", NULL
};

static int
at_head(const char *p)
{
	size_t i;

	for (i = 0; msg_heads[i] != NULL; i++)
		if (strncmp(p, msg_heads[i], strlen(msg_heads[i])) == 0)
			return 1;
	return 0;
}

static int parse_part(const char *p, size_t len, struct ap_refusal *r);

static int
add_part(struct ap_refusals *rf, const char *p, size_t len)
{
	struct ap_refusal *g = realloc(rf->v, (rf->n + 1) * sizeof(*g));

	if (g == NULL)
		return -1;
	rf->v = g;
	if (parse_part(p, len, &g[rf->n]) == -1)
		return -1;
	rf->n++;
	return 0;
}

/* ap_refusals_parse(err, rf): every problem of the answer.  0, or -1
 * (out of memory; rf empty). */
int
ap_refusals_parse(const struct r53_error *err, struct ap_refusals *rf)
{
	size_t k, len;
	const char *m, *p, *q, *end;

	memset(rf, 0, sizeof(*rf));
	for (k = 0; err != NULL && k < err->nmessages; k++) {
		m = err->messages[k];
		len = strlen(m);
		if (len >= 2 && m[0] == '[' && m[len - 1] == ']' &&
		    at_head(m + 1)) {
			m++;
			len -= 2;
		}
		end = m + len;
		for (p = q = m; q < end; q++) {
			if (q + 2 <= end && q[0] == ',' && q[1] == ' ' &&
			    at_head(q + 2)) {
				if (add_part(rf, p, (size_t)(q - p)) == -1)
					goto bad;
				p = q + 2;
			}
		}
		if (add_part(rf, p, (size_t)(end - p)) == -1)
			goto bad;
	}
	return 0;
bad:
	ap_refusals_free(rf);
	return -1;
}

static void
refusal_clear(struct ap_refusal *r)
{
	free(r->text);
	free(r->name);
	free(r->type);
	free(r->setid);
	free(r->value);
	memset(r, 0, sizeof(*r));
}

void
ap_refusals_free(struct ap_refusals *rf)
{
	size_t i;

	for (i = 0; i < rf->n; i++)
		refusal_clear(&rf->v[i]);
	free(rf->v);
	memset(rf, 0, sizeof(*rf));
}

/* ---- one problem ---- */

/* upto(p, end, stop): malloc'd copy of p up to the first of stop (or
 * end); NULL when out of memory. */
static char *
upto(const char *p, const char *end, const char *stop)
{
	const char *e = p;

	while (e < end && strchr(stop, *e) == NULL)
		e++;
	return strndup(p, (size_t)(e - p));
}

/* after(p, end, tag): the position after tag within [p, end), or NULL. */
static const char *
after(const char *p, const char *end, const char *tag)
{
	size_t n = strlen(tag);

	for (; p + n <= end; p++)
		if (memcmp(p, tag, n) == 0)
			return p + n;
	return NULL;
}

static int
has(const char *p, const char *end, const char *tag)
{
	return after(p, end, tag) != NULL;
}

/* bracket(p, end, r): "Tried to create|delete resource record set
 * [name='N', type='T'(, set-identifier='S')] but ...": the set
 * identifier is known either way (none when not given). */
static int
bracket(const char *p, const char *end, struct ap_refusal *r)
{
	const char *b = after(p, end, "[name='"), *close, *q;

	if (b == NULL || (close = memchr(b, ']', (size_t)(end - b))) == NULL)
		return 0;
	if ((r->name = upto(b, close, "'")) == NULL)
		return -1;
	if ((q = after(b, close, "type='")) != NULL &&
	    (r->type = upto(q, close, "'")) == NULL)
		return -1;
	if ((q = after(b, close, "set-identifier='")) != NULL &&
	    (r->setid = upto(q, close, "'")) == NULL)
		return -1;
	r->id_known = 1;
	if (strncmp(p, "Tried to create", 15) == 0 &&
	    has(close, end, "but it already exists"))
		r->kind = REF_EXISTS;
	else if (strncmp(p, "Tried to delete", 15) == 0 &&
	    has(close, end, "but it was not found"))
		r->kind = REF_NOT_FOUND;
	else if (has(close, end, "values provided do not match"))
		r->kind = REF_VALUES_DIFFER;
	return 0;
}

/* rrset_named(p, end, r): "RRSet of type T with DNS name N ...",
 * "RRSet with DNS name N, type T(, SetIdentifier S) ...", "RRSet with
 * DNS name N is not permitted in zone Z". */
static int
rrset_named(const char *p, const char *end, struct ap_refusal *r)
{
	const char *n = after(p, end, "DNS name "), *t;

	if (n == NULL)
		return 0;
	if ((r->name = upto(n, end, " ,")) == NULL)
		return -1;
	n += strlen(r->name);
	if ((t = after(p, end, "RRSet of type ")) != NULL && t < n)
		r->type = upto(t, end, " ,");
	else if (n + 7 <= end && strncmp(n, ", type ", 7) == 0)
		r->type = upto(n + 7, end, " ,");
	if ((t = after(n, end, ", SetIdentifier ")) != NULL) {
		if ((r->setid = upto(t, end, " ")) == NULL)
			return -1;
		r->id_known = 1;
	}
	if (has(p, end, "conflict") || has(p, end, "cannot be created as"))
		r->kind = REF_CONFLICT;
	else if (has(p, end, "not permitted") ||
	    has(p, end, "more than one resource record"))
		r->kind = REF_RULE;
	return 0;
}

/* code_type(c, end, tag): the type a problem code names before tag
 * ("ARRDATAIllegalIPv4Address", "CAARDATAIncorrectFormat"), malloc'd;
 * NULL when the text there is no type; "" when out of memory. */
static char *
code_type(const char *c, const char *end, const char *tag)
{
	const char *t = after(c, end, tag);
	char *type;
	uint16_t code;

	if (t == NULL || (t -= strlen(tag)) == c)
		return NULL;
	if ((type = strndup(c, (size_t)(t - c))) == NULL)
		return strdup("");
	if (canon_type_from_name(type, &code) == 0)
		return type;
	free(type);
	return NULL;
}

/* value_quoted(p, end, r): "Invalid Resource Record: 'FATAL problem:
 * CODE (...) encountered with 'V''" (CODE names the type when it starts
 * "TYPERRDATA") and "Duplicate Resource Record: 'V'". */
static int
value_quoted(const char *p, const char *end, struct ap_refusal *r)
{
	const char *v = after(p, end, "encountered with '"), *e = end, *c;

	if (v == NULL && (v = after(p, end, "Duplicate Resource Record: '")))
		r->dup = 1;
	if (v == NULL)
		return 0;
	if (e > v && e[-1] == '\'')
		e--;
	if (!r->dup && e > v && e[-1] == '\'')
		e--;
	if ((r->value = strndup(v, (size_t)(e - v))) == NULL)
		return -1;
	r->kind = REF_INVALID_VALUE;
	if ((c = after(p, end, "FATAL problem: ")) != NULL &&
	    ((r->type = code_type(c, v, "RRDATA")) != NULL ||
	    (r->type = code_type(c, v, "RDATA")) != NULL) &&
	    r->type[0] == '\0') {
		free(r->type);
		return -1;
	}
	return 0;
}

/* parse_part(p, len, r): one problem's text into r.  0 or -1 (ENOMEM;
 * r freed). */
static int
parse_part(const char *p, size_t len, struct ap_refusal *r)
{
	const char *end = p + len, *q;
	int rc = 0;

	memset(r, 0, sizeof(*r));
	if ((r->text = strndup(p, len)) == NULL)
		return -1;
	if (strncmp(p, "Tried to create an alias", 24) == 0)
		r->kind = REF_RULE;	/* names the target, not the RRset */
	else if (strncmp(p, "Tried to ", 9) == 0)
		rc = bracket(p, end, r);
	else if (strncmp(p, "RRSet ", 6) == 0)
		rc = rrset_named(p, end, r);
	else if (has(p, end, "Resource Record") ||
	    strncmp(p, "FATAL problem", 13) == 0)
		rc = value_quoted(p, end, r);
	else if (strncmp(p, "Exceeded limit", 14) == 0)
		r->kind = REF_QUOTA;
	else if (strncmp(p, "A HostedZone must", 17) == 0)
		r->kind = REF_RULE;
	else if ((q = after(p, end, "resource record set '")) != NULL) {
		/* "The request contains an invalid set of changes for a
		 * resource record set 'T N'": our batch, not the RRset */
		if ((r->type = upto(q, end, " '")) == NULL)
			rc = -1;
		else if ((q += strlen(r->type)) < end && *q == ' ' &&
		    (r->name = upto(q + 1, end, "'")) == NULL)
			rc = -1;
	}
	if (rc == -1)
		refusal_clear(r);
	return rc;
}

/* ---- matching against a batch ---- */

/* set_hit(s, r): s is the RRset r names, or holds the value r quotes
 * (twice for a duplicate). */
static int
set_hit(struct ap_set *s, const struct ap_refusal *r)
{
	const struct r53_rrset *rr;
	size_t i, n = 0;

	if (s == NULL || (rr = ap_set_rr(s)) == NULL)
		return 0;
	if (r->type != NULL && strcmp(r->type, rr->type) != 0)
		return 0;
	if (r->name != NULL)
		return (!r->id_known ||
		    cmp_opt(r->setid, rr->set_identifier) == 0) &&
		    ap_r53_name_eq(r->name, rr->name);
	if (r->value == NULL)
		return 0;
	for (i = 0; i < rr->nvalues; i++)
		n += strcmp(rr->values[i], r->value) == 0;
	return n >= (r->dup ? 2u : 1u);
}

/* item_hit(run, it, r): the set of the item r names, or NULL. */
static const struct ap_set *
item_hit(const struct ap_run *run, const struct ap_item *it,
    const struct ap_refusal *r)
{
	size_t j;

	for (j = 0; j < it->n; j++) {
		const struct ap_change *c = &run->chg[it->chg[j]];
		if (set_hit(c->old, r))
			return c->old;
		if (set_hit(c->new, r))
			return c->new;
	}
	return NULL;
}

/* trusted(run, items, m, r): r names at least one item; a value alone
 * only when every set holding it is of one type. */
static int
trusted(const struct ap_run *run, const size_t *items, size_t m,
    const struct ap_refusal *r)
{
	const struct ap_set *s, *first = NULL;
	size_t i;

	for (i = 0; i < m; i++) {
		if ((s = item_hit(run, &run->items[items[i]], r)) == NULL)
			continue;
		if (first == NULL)
			first = s;
		else if (r->name == NULL &&
		    strcmp(ap_set_type(first), ap_set_type(s)) != 0)
			return 0;
	}
	return first != NULL;
}

/*
 * ap_refusals_blame(run, items, m, rf, why, cand): for each of the m
 * items, why[i] = the problem naming it (one that holds the serial back
 * when several do: the cautious reading), or NULL; cand[i] = 1 when a
 * problem of kind exists / not-found names it (the zone may hold its
 * final state already: settle.c).  Returns the number of items named;
 * *unnamed the number of problems naming no item (or not trusted).
 */
size_t
ap_refusals_blame(const struct ap_run *run, const size_t *items, size_t m,
    const struct ap_refusals *rf, const struct ap_refusal **why,
    unsigned char *cand, size_t *unnamed)
{
	size_t i, k, named = 0;

	memset(cand, 0, m);
	for (i = 0; i < m; i++)
		why[i] = NULL;
	*unnamed = 0;
	for (k = 0; k < rf->n; k++) {
		const struct ap_refusal *r = &rf->v[k];
		if (!trusted(run, items, m, r)) {
			(*unnamed)++;
			continue;
		}
		for (i = 0; i < m; i++) {
			if (item_hit(run, &run->items[items[i]], r) == NULL)
				continue;
			if (r->kind == REF_EXISTS || r->kind == REF_NOT_FOUND)
				cand[i] = 1;
			if (why[i] == NULL)
				named++;
			if (why[i] == NULL || (!ap_refusal_holds_serial(
			    why[i]->kind) && ap_refusal_holds_serial(r->kind)))
				why[i] = r;
		}
	}
	return named;
}

/* ap_refusals_kind(rf): the kind of a whole answer (a request of one
 * item): one that holds the serial back if any problem does. */
enum ap_ref_kind
ap_refusals_kind(const struct ap_refusals *rf)
{
	size_t k;

	if (rf->n == 0)
		return REF_UNKNOWN;
	for (k = 0; k < rf->n; k++)
		if (ap_refusal_holds_serial(rf->v[k].kind))
			return rf->v[k].kind;
	return rf->v[0].kind;
}

/* ap_refusals_settle(rf): a problem says a CREATE found its RRset or a
 * DELETE did not (the zone may hold the final state already). */
int
ap_refusals_settle(const struct ap_refusals *rf)
{
	size_t k;

	for (k = 0; k < rf->n; k++)
		if (rf->v[k].kind == REF_EXISTS ||
		    rf->v[k].kind == REF_NOT_FOUND)
			return 1;
	return 0;
}

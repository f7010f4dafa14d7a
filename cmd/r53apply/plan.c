/*
 * plan.c: which changes travel together, and how they are packed into
 * ChangeResourceRecordSets requests.
 *
 * Grouping (an "item" is what the packer never splits):
 *  - an update is one change (DELETE old + CREATE new);
 *  - every change at an owner where a CNAME, NS or DS is added, deleted or
 *    updated goes with the other changes at that owner, so that an A
 *    replaced by a CNAME (or the reverse) is one atomic request whose
 *    DELETEs come first;
 *  - a delegation (NS below the apex) goes with every change at or below
 *    its owner (the glue), so resolvers never see one without the other.
 *
 * Packing (pk_pack, pure): items have two sizes, ResourceRecord elements
 * and Value characters, each at most the request limit.  With L the lower
 * bound max(ceil(R/1000), ceil(C/32000)), pk_pack tries B = L, L+1, ...
 * bins: items sorted by decreasing normalised size go one by one into the
 * bin where the larger of its two normalised loads stays smallest (so the
 * two dimensions balance: TXT-heavy and A-heavy items share bins), found
 * in O(log B) (pk_tree: planning is O(n log n), not n x B).  When
 * no B up to L+2 works it falls back to first-fit decreasing, which always
 * succeeds.
 *
 * The bound.  Placement fails in B bins only when every bin is blocked in
 * some dimension.  When one dimension alone can block (the other's total
 * is small), a blocked bin holds more than C - s of it (s the largest
 * item), so failing in L+1 bins needs (L+1)(C - s) < total <= L C, i.e.
 * s > C/(L+1): items under 1/(L+1) of a request always fit in L+1 bins.
 * With both dimensions binding, blocked bins could split between them;
 * balancing the larger normalised load keeps each bin's two loads close,
 * which is what first-fit decreasing fails at (80 TXT of 4,000 characters
 * and 9,000 A records: FFD 19 requests, bound 14, this packer 14).  That
 * case is not proven, it is tested: tests/c/r53apply_plan_test.c on random
 * and adversarial inputs, tests/60-r53apply.bats on streams.  No packer
 * meets L+1 with items over half a request (n such items need n
 * requests).
 */
#include <stdlib.h>
#include <string.h>

#include "apply.h"
#include "log.h"

/* ---- the pure packer ---- */

static size_t
ceil_div(size_t a, size_t b)
{
	return a / b + (a % b != 0);
}

/* pk_lower_bound(sz, n, cap_rr, cap_ch): max(ceil(R/cap_rr),
 * ceil(C/cap_ch)), and at least 1 when n > 0. */
size_t
pk_lower_bound(const struct pk_size *sz, size_t n, size_t cap_rr,
    size_t cap_ch)
{
	size_t r = 0, c = 0, i, lb;

	for (i = 0; i < n; i++) {
		r += sz[i].nrr;
		c += sz[i].nchars;
	}
	lb = ceil_div(r, cap_rr);
	if (ceil_div(c, cap_ch) > lb)
		lb = ceil_div(c, cap_ch);
	if (lb == 0 && n > 0)
		lb = 1;
	return lb;
}

/* The sort needs the sizes and capacities: qsort has no argument. */
static const struct pk_size *pk_sort_sz;
static size_t pk_sort_crr, pk_sort_cch;

static double
norm_max(const struct pk_size *s, size_t crr, size_t cch)
{
	double a = (double)s->nrr / (double)crr;
	double b = (double)s->nchars / (double)cch;

	return a > b ? a : b;
}

static int
pk_cmp(const void *pa, const void *pb)
{
	size_t a = *(const size_t *)pa, b = *(const size_t *)pb;
	double na = norm_max(&pk_sort_sz[a], pk_sort_crr, pk_sort_cch);
	double nb = norm_max(&pk_sort_sz[b], pk_sort_crr, pk_sort_cch);
	size_t sa = pk_sort_sz[a].nrr * pk_sort_cch / pk_sort_crr +
	    pk_sort_sz[a].nchars;
	size_t sb = pk_sort_sz[b].nrr * pk_sort_cch / pk_sort_crr +
	    pk_sort_sz[b].nchars;

	if (na != nb)
		return na > nb ? -1 : 1;
	if (sa != sb)
		return sa > sb ? -1 : 1;
	return a < b ? -1 : (a > b);	/* stable: input order */
}

/*
 * Finding try_balanced()'s bin without scanning all B bins (1,000,000
 * changes make ~1,000 bins: n x B was most of the planning time).  The
 * rule is unchanged: among the bins with room, the one where the larger
 * of its two normalised loads after adding the item is smallest, the
 * lowest-numbered on a tie.  In integers scaled by crr * cch, a bin's
 * loads are A = lr * cch and C = lc * crr, the item's a and c, and the
 * value is max(A + a, C + c): A + a when D = A - C >= c - a, else C + c.
 * So the bins sit in a treap ordered by (D, bin number), each node
 * knowing the bin of least (A, number) and of least (C, number) below it:
 * the best bin is the better of the least A among D >= c - a and the
 * least C among D < c - a, O(log B).  It has room exactly when its value
 * is at most crr * cch (both loads are then within their limits).
 */
typedef long long pk_v;
#define PK_NONE ((size_t)-1)

struct pk_tree {
	size_t *l, *r;		/* children (PK_NONE: none) */
	size_t *mina, *minc;	/* subtree bin of least (A, bin), (C, bin) */
	unsigned *pri;		/* heap priority of each bin */
	const size_t *lr, *lc;
	size_t crr, cch;
	size_t root;
};

static pk_v
pk_a(const struct pk_tree *t, size_t j)
{
	return (pk_v)(t->lr[j] * t->cch);
}

static pk_v
pk_c(const struct pk_tree *t, size_t j)
{
	return (pk_v)(t->lc[j] * t->crr);
}

/* pk_before(t, j, d, k): bin j sorts before the key (D = d, bin k). */
static int
pk_before(const struct pk_tree *t, size_t j, pk_v d, size_t k)
{
	pk_v dj = pk_a(t, j) - pk_c(t, j);

	return dj != d ? dj < d : j < k;
}

/* pk_least(t, x, y, c): of bins x and y, the one with the smaller A (c
 * 0) or C (c 1), the lower number on a tie; PK_NONE counts as none. */
static size_t
pk_least(const struct pk_tree *t, size_t x, size_t y, int c)
{
	pk_v vx, vy;

	if (x == PK_NONE || y == PK_NONE)
		return x == PK_NONE ? y : x;
	vx = c ? pk_c(t, x) : pk_a(t, x);
	vy = c ? pk_c(t, y) : pk_a(t, y);
	if (vx != vy)
		return vx < vy ? x : y;
	return x < y ? x : y;
}

static void
pk_pull(struct pk_tree *t, size_t j)
{
	size_t l = t->l[j], r = t->r[j];

	t->mina[j] = pk_least(t, j, pk_least(t,
	    l == PK_NONE ? PK_NONE : t->mina[l],
	    r == PK_NONE ? PK_NONE : t->mina[r], 0), 0);
	t->minc[j] = pk_least(t, j, pk_least(t,
	    l == PK_NONE ? PK_NONE : t->minc[l],
	    r == PK_NONE ? PK_NONE : t->minc[r], 1), 1);
}

/* pk_split(t, x, d, k, lo, hi): the bins of subtree x before the key
 * (d, k) into *lo, the others into *hi. */
static void
pk_split(struct pk_tree *t, size_t x, pk_v d, size_t k, size_t *lo,
    size_t *hi)
{
	if (x == PK_NONE) {
		*lo = *hi = PK_NONE;
		return;
	}
	if (pk_before(t, x, d, k)) {
		pk_split(t, t->r[x], d, k, &t->r[x], hi);
		*lo = x;
	} else {
		pk_split(t, t->l[x], d, k, lo, &t->l[x]);
		*hi = x;
	}
	pk_pull(t, x);
}

/* pk_merge(t, x, y): every bin of x sorts before every bin of y. */
static size_t
pk_merge(struct pk_tree *t, size_t x, size_t y)
{
	if (x == PK_NONE || y == PK_NONE)
		return x == PK_NONE ? y : x;
	if (t->pri[x] > t->pri[y]) {
		t->r[x] = pk_merge(t, t->r[x], y);
		pk_pull(t, x);
		return x;
	}
	t->l[y] = pk_merge(t, x, t->l[y]);
	pk_pull(t, y);
	return y;
}

/* pk_insert(t, j): bin j (its loads as they are now) into the tree. */
static void
pk_insert(struct pk_tree *t, size_t j)
{
	size_t lo, hi;

	t->l[j] = t->r[j] = PK_NONE;
	pk_pull(t, j);
	pk_split(t, t->root, pk_a(t, j) - pk_c(t, j), j, &lo, &hi);
	t->root = pk_merge(t, pk_merge(t, lo, j), hi);
}

/* pk_remove(t, j): bin j out of the tree (before its loads change). */
static void
pk_remove(struct pk_tree *t, size_t j)
{
	size_t lo, mid, hi;
	pk_v d = pk_a(t, j) - pk_c(t, j);

	pk_split(t, t->root, d, j, &lo, &mid);
	pk_split(t, mid, d, j + 1, &mid, &hi);
	t->root = pk_merge(t, lo, hi);
}

/* pk_best(t, s): the bin for item s by the rule above, or PK_NONE when
 * no bin has room. */
static size_t
pk_best(struct pk_tree *t, const struct pk_size *s)
{
	pk_v a = (pk_v)(s->nrr * t->cch), c = (pk_v)(s->nchars * t->crr);
	pk_v va = 0, vc = 0, cap = (pk_v)(t->crr * t->cch);
	size_t lo, hi, ja, jc, best;

	/* key (c - a, bin 0): lo holds D < c - a, hi holds D >= c - a */
	pk_split(t, t->root, c - a, 0, &lo, &hi);
	ja = hi == PK_NONE ? PK_NONE : t->mina[hi];
	jc = lo == PK_NONE ? PK_NONE : t->minc[lo];
	t->root = pk_merge(t, lo, hi);
	if (ja != PK_NONE)
		va = pk_a(t, ja) + a;
	if (jc != PK_NONE)
		vc = pk_c(t, jc) + c;
	if (ja == PK_NONE || (jc != PK_NONE && (vc < va ||
	    (vc == va && jc < ja))))
		best = jc;
	else
		best = ja;
	if (best == PK_NONE || (best == ja ? va : vc) > cap)
		return PK_NONE;
	return best;
}

static void
pk_tree_free(struct pk_tree *t)
{
	free(t->l);
	free(t->r);
	free(t->mina);
	free(t->minc);
	free(t->pri);
	memset(t, 0, sizeof(*t));
}

/* pk_tree_alloc(t, n, crr, cch): room for n bins.  0 or -1 (then t is
 * empty, safe to free). */
static int
pk_tree_alloc(struct pk_tree *t, size_t n, size_t crr, size_t cch)
{
	memset(t, 0, sizeof(*t));
	t->crr = crr;
	t->cch = cch;
	t->l = malloc(n * sizeof(*t->l));
	t->r = malloc(n * sizeof(*t->r));
	t->mina = malloc(n * sizeof(*t->mina));
	t->minc = malloc(n * sizeof(*t->minc));
	t->pri = malloc(n * sizeof(*t->pri));
	if (t->l == NULL || t->r == NULL || t->mina == NULL ||
	    t->minc == NULL || t->pri == NULL) {
		pk_tree_free(t);
		return -1;
	}
	return 0;
}

/* pk_order(sz, n, crr, cch, order): order[] = 0..n-1 sorted by pk_cmp,
 * the order in which the packers place the items. */
static void
pk_order(const struct pk_size *sz, size_t n, size_t crr, size_t cch,
    size_t *order)
{
	size_t i;

	for (i = 0; i < n; i++)
		order[i] = i;
	pk_sort_sz = sz;
	pk_sort_crr = crr;
	pk_sort_cch = cch;
	qsort(order, n, sizeof(*order), pk_cmp);
}

/* try_balanced: pack into exactly nb bins; 0 or -1 when an item fits
 * nowhere.  lr/lc are scratch arrays of nb entries; tree's arrays have
 * nb entries. */
static int
try_balanced(const struct pk_size *sz, const size_t *order, size_t n,
    size_t nb, size_t *lr, size_t *lc, struct pk_tree *t, size_t *bin_of)
{
	size_t i, j;

	memset(lr, 0, nb * sizeof(*lr));
	memset(lc, 0, nb * sizeof(*lc));
	t->lr = lr;
	t->lc = lc;
	t->root = PK_NONE;
	for (j = 0; j < nb; j++) {
		/* a fixed pseudo-random priority: the same plan every run */
		t->pri[j] = (unsigned)((j + 1) * 2654435761u);
		pk_insert(t, j);
	}
	for (i = 0; i < n; i++) {
		const struct pk_size *s = &sz[order[i]];

		if ((j = pk_best(t, s)) == PK_NONE)
			return -1;
		pk_remove(t, j);
		lr[j] += s->nrr;
		lc[j] += s->nchars;
		pk_insert(t, j);
		bin_of[order[i]] = j;
	}
	return 0;
}

/* first_fit: first-fit in the given order, opening bins as needed;
 * returns the number of bins.  lr/lc have room for n bins. */
static size_t
first_fit(const struct pk_size *sz, const size_t *order, size_t n,
    size_t crr, size_t cch, size_t *lr, size_t *lc, size_t *bin_of)
{
	size_t i, j, nb = 0;

	for (i = 0; i < n; i++) {
		const struct pk_size *s = &sz[order[i]];

		for (j = 0; j < nb; j++)
			if (lr[j] + s->nrr <= crr && lc[j] + s->nchars <= cch)
				break;
		if (j == nb) {
			lr[nb] = lc[nb] = 0;
			nb++;
		}
		lr[j] += s->nrr;
		lc[j] += s->nchars;
		bin_of[order[i]] = j;
	}
	return nb;
}

/* pk_grow(v, n): *v reallocated to n entries.  0 or -1 (*v unchanged). */
static int
pk_grow(size_t **v, size_t n)
{
	size_t *g = realloc(*v, n * sizeof(**v));

	if (g == NULL)
		return -1;
	*v = g;
	return 0;
}

/*
 * pk_pack(sz, n, cap_rr, cap_ch, bin_of, nbins): assign each of the n
 * items a bin (request) number in bin_of[]; *nbins gets the number of
 * bins, every one non-empty.  Every item must fit in an empty bin.
 * Returns 0, or -1 (out of memory, or an item too large).
 */
int
pk_pack(const struct pk_size *sz, size_t n, size_t cap_rr, size_t cap_ch,
    size_t *bin_of, size_t *nbins)
{
	size_t *order = NULL, *lr = NULL, *lc = NULL;
	struct pk_tree t;
	size_t i, lb, nb, nbmax;
	int ret = -1;

	*nbins = 0;
	if (n == 0)
		return 0;
	for (i = 0; i < n; i++)
		if (sz[i].nrr > cap_rr || sz[i].nchars > cap_ch)
			return -1;
	/* scratch for the bins tried (at most lb + 2), not one per item */
	lb = pk_lower_bound(sz, n, cap_rr, cap_ch);
	nbmax = lb + 3 < n ? lb + 3 : n;
	order = malloc(n * sizeof(*order));
	lr = malloc(nbmax * sizeof(*lr));
	lc = malloc(nbmax * sizeof(*lc));
	if (pk_tree_alloc(&t, nbmax, cap_rr, cap_ch) == -1 || order == NULL ||
	    lr == NULL || lc == NULL)
		goto out;
	pk_order(sz, n, cap_rr, cap_ch, order);
	for (nb = lb; nb <= lb + 2 && nb <= n; nb++) {
		if (try_balanced(sz, order, n, nb, lr, lc, &t, bin_of) == 0) {
			*nbins = nb;
			break;
		}
	}
	/* first-fit may open a bin per item */
	if (*nbins == 0 && (pk_grow(&lr, n) == -1 || pk_grow(&lc, n) == -1))
		goto out;
	if (*nbins == 0)
		*nbins = first_fit(sz, order, n, cap_rr, cap_ch, lr, lc,
		    bin_of);
	/* Balanced packing may leave a bin empty: renumber densely. */
	memset(lr, 0, *nbins * sizeof(*lr));
	for (i = 0; i < n; i++)
		lr[bin_of[i]] = 1;
	nb = 0;
	for (i = 0; i < *nbins; i++)
		lc[i] = lr[i] ? nb++ : (size_t)-1;
	for (i = 0; i < n; i++)
		bin_of[i] = lc[bin_of[i]];
	*nbins = nb;
	ret = 0;
out:
	free(order);
	free(lr);
	free(lc);
	pk_tree_free(&t);
	return ret;
}

/* ---- grouping ---- */

/* Union-find over the changes: up[i] is i's parent, a root its own;
 * an array of ap_plan's (not a member of every change: the groups are
 * needed only until the items are built). */
static size_t
uf_find(size_t *up, size_t i)
{
	while (up[i] != i) {
		up[i] = up[up[i]];
		i = up[i];
	}
	return i;
}

static void
uf_union(size_t *up, size_t a, size_t b)
{
	a = uf_find(up, a);
	b = uf_find(up, b);
	if (a == b)
		return;
	if (a < b)
		up[b] = a;
	else
		up[a] = b;
}

static const char *
chg_owner(const struct ap_change *c)
{
	return ap_set_owner(c->new != NULL ? c->new : c->old);
}

static int
type_is(const struct ap_set *s, const char *t)
{
	return s != NULL && strcmp(ap_set_type(s), t) == 0;
}

static int
chg_type_is(const struct ap_change *c, const char *t)
{
	return type_is(c->old, t) || type_is(c->new, t);
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Group changes at one owner where a CNAME, NS or DS changes (changes at
 * one owner are adjacent in key order). */
static void
group_owners(struct ap_run *run, size_t *up)
{
	size_t i, j, k, first;
	int special;

	for (i = 0; i < run->nchg; i = j) {
		special = 0;
		for (j = i; j < run->nchg &&
		    strcmp(chg_owner(&run->chg[j]), chg_owner(&run->chg[i])) ==
		    0; j++)
			if (chg_type_is(&run->chg[j], "CNAME") ||
			    chg_type_is(&run->chg[j], "NS") ||
			    chg_type_is(&run->chg[j], "DS"))
				special = 1;
		if (!special)
			continue;
		first = (size_t)-1;
		for (k = i; k < j; k++) {
			if (run->chg[k].state != AP_PENDING)
				continue;
			if (first == (size_t)-1)
				first = k;
			else
				uf_union(up, first, k);
		}
	}
}

/*
 * Group a delegation with everything below it: for each change, walk up
 * the owner's ancestors (below the origin) and look them up among the
 * owners of NS changes.  Canonical names escape a dot inside a label, so
 * every '.' is a label boundary.
 */
static int
group_delegations(struct ap_run *run, size_t *up)
{
	char **dele = NULL;
	size_t *dele_idx = NULL;
	size_t nd = 0, i, olen;
	const char *p, *origin = run->origin;
	char **hit;
	int ret = -1;

	dele = malloc((run->nchg + 1) * sizeof(*dele));
	dele_idx = malloc((run->nchg + 1) * sizeof(*dele_idx));
	if (dele == NULL || dele_idx == NULL)
		goto out;
	for (i = 0; i < run->nchg; i++) {
		if (run->chg[i].state != AP_PENDING ||
		    !chg_type_is(&run->chg[i], "NS") ||
		    strcmp(chg_owner(&run->chg[i]), origin) == 0)
			continue;
		dele[nd++] = (char *)chg_owner(&run->chg[i]);
	}
	if (nd == 0) {
		ret = 0;
		goto out;
	}
	/* Remember, for each delegation owner, the change that names it. */
	qsort(dele, nd, sizeof(*dele), cmp_str);
	for (i = 0; i < nd; i++)
		dele_idx[i] = (size_t)-1;
	for (i = 0; i < run->nchg; i++) {
		if (run->chg[i].state != AP_PENDING ||
		    !chg_type_is(&run->chg[i], "NS"))
			continue;
		const char *o = chg_owner(&run->chg[i]);
		hit = bsearch(&o, dele, nd, sizeof(*dele), cmp_str);
		if (hit != NULL && dele_idx[hit - dele] == (size_t)-1)
			dele_idx[hit - dele] = i;
	}
	olen = strlen(origin);
	for (i = 0; i < run->nchg; i++) {
		if (run->chg[i].state != AP_PENDING)
			continue;
		p = chg_owner(&run->chg[i]);
		while (strlen(p) > olen) {
			hit = bsearch(&p, dele, nd, sizeof(*dele), cmp_str);
			if (hit != NULL && dele_idx[hit - dele] != (size_t)-1)
				uf_union(up, i, dele_idx[hit - dele]);
			/* next ancestor: past the first unescaped '.' */
			while (*p != '\0' && *p != '.')
				p += (*p == '\\' && p[1] != '\0') ? 2 : 1;
			if (*p == '.')
				p++;
			if (*p == '\0')
				break;
		}
	}
	ret = 0;
out:
	free(dele);
	free(dele_idx);
	return ret;
}

/* ---- costs ---- */

/* Cost of a change in a request: DELETE old + CREATE new, or an UPSERT
 * of new counted twice (Route 53's rule). */
size_t
ap_change_cost_rr(const struct ap_change *c)
{
	if (c->upsert)
		return 2 * (size_t)c->new->nrr;
	return (c->old != NULL ? (size_t)c->old->nrr : 0) +
	    (c->new != NULL ? (size_t)c->new->nrr : 0);
}

size_t
ap_change_cost_chars(const struct ap_change *c)
{
	if (c->upsert)
		return 2 * (size_t)c->new->nchars;
	return (c->old != NULL ? (size_t)c->old->nchars : 0) +
	    (c->new != NULL ? (size_t)c->new->nchars : 0);
}

static size_t
set_values_chars(const struct r53_rrset *rr)
{
	size_t i, n = 0;

	for (i = 0; i < rr->nvalues; i++)
		n += strlen(rr->values[i]);
	return n;
}

/* ---- building items and batches ---- */

void
ap_plan_free(struct ap_run *run)
{
	size_t i, j;

	free(run->item_chg);	/* every item's change list */
	run->item_chg = NULL;
	free(run->items);
	run->items = NULL;
	free(run->item_sz);
	run->item_sz = NULL;
	run->nitems = 0;
	for (i = 0; i < run->nbatches; i++) {
		free(run->batches[i].items);
		for (j = 0; j < run->batches[i].nids; j++)
			free(run->batches[i].change_ids[j]);
		free(run->batches[i].change_ids);
		free(run->batches[i].message);
	}
	free(run->batches);
	run->batches = NULL;
	run->nbatches = 0;
}

/* sat_add(a, b): a + b, at most UINT32_MAX (a group that large is
 * split into single changes anyway). */
static uint32_t
sat_add(uint32_t a, size_t b)
{
	return b > UINT32_MAX - a ? UINT32_MAX : (uint32_t)(a + b);
}

/* item_add(run, k, ci): change ci is the next of item k (its slot in
 * the item's chg is reserved). */
static void
item_add(struct ap_run *run, size_t k, size_t ci)
{
	struct ap_item *it = &run->items[k];

	it->chg[it->n++] = ci;
	run->item_sz[k].nrr = sat_add(run->item_sz[k].nrr,
	    ap_change_cost_rr(&run->chg[ci]));
	run->item_sz[k].nchars = sat_add(run->item_sz[k].nchars,
	    ap_change_cost_chars(&run->chg[ci]));
}

/* any_held(run): a change is held back, so the run must not write the
 * SOA serial (send.c never sends it then): it is not planned either, so
 * that --dry-run shows what the run sends. */
static int
any_held(const struct ap_run *run)
{
	size_t i;

	for (i = 0; i < run->nchg; i++)
		if (run->chg[i].state == AP_HELD)
			return 1;
	return 0;
}

/* Build run->items from the union-find roots (in stream order), breaking
 * a group that does not fit in one request into single changes.  The
 * items' change lists are slices of one array (run->item_chg): one
 * block, not one per item. */
static int
build_items(struct ap_run *run, size_t *up)
{
	size_t *item_of = NULL;
	size_t i, j, k, off = 0, nbig;
	struct ap_item *it;
	int ret = -1;

	item_of = malloc((run->nchg + 1) * sizeof(*item_of));
	run->items = calloc(run->nchg + 1, sizeof(*run->items));
	run->item_chg = malloc((run->nchg + 1) * sizeof(*run->item_chg));
	run->item_sz = calloc(run->nchg + 1, sizeof(*run->item_sz));
	if (item_of == NULL || run->items == NULL || run->item_chg == NULL ||
	    run->item_sz == NULL)
		goto out;
	/* count each item's changes, then give each its slice */
	for (i = 0; i < run->nchg; i++) {
		item_of[i] = (size_t)-1;
		if (run->chg[i].state != AP_PENDING)
			continue;
		k = uf_find(up, i);
		if (item_of[k] == (size_t)-1)
			item_of[k] = run->nitems++;
		run->items[item_of[k]].n++;
	}
	for (k = 0; k < run->nitems; k++) {
		run->items[k].chg = run->item_chg + off;
		off += run->items[k].n;
		run->items[k].n = 0;
	}
	for (i = 0; i < run->nchg; i++)
		if (run->chg[i].state == AP_PENDING)
			item_add(run, item_of[uf_find(up, i)], i);
	/* A group too large for one request: its changes go alone. */
	nbig = run->nitems;
	for (i = 0; i < nbig; i++) {
		it = &run->items[i];
		if (it->n < 2 || (run->item_sz[i].nrr <= AP_MAX_RRS &&
		    run->item_sz[i].nchars <= AP_MAX_CHARS))
			continue;
		log_warn("%s: %lu changes that belong together exceed one "
		    "request; sending them separately",
		    chg_owner(&run->chg[it->chg[0]]), (unsigned long)it->n);
		for (j = 1; j < it->n; j++) {
			k = run->nitems++;
			run->items[k].chg = &it->chg[j];	/* a slice of one */
			item_add(run, k, it->chg[j]);
		}
		it->n = 0;	/* the first change alone */
		run->item_sz[i].nrr = run->item_sz[i].nchars = 0;
		item_add(run, i, it->chg[0]);
	}
	if (run->want_soa && any_held(run))
		log_msg("%s: changes are held back: the SOA serial stays %lu",
		    run->zone_id, run->soa_serial);
	else if (run->want_soa) {
		k = run->nitems++;
		run->items[k].soa = 1;
		run->item_sz[k].nrr = sat_add(0, 2 * run->soa_new.nvalues);
		run->item_sz[k].nchars = sat_add(0,
		    2 * set_values_chars(&run->soa_new));
	}
	ret = 0;
out:
	free(item_of);
	return ret;
}

/* Net change of the RRset count by a batch: used to send batches that
 * shrink the zone first, so a zone near its quota stays under it. */
static long
batch_net(const struct ap_run *run, const struct ap_batch *b)
{
	long net = 0;
	size_t i, j;

	for (i = 0; i < b->nitems; i++) {
		const struct ap_item *it = &run->items[b->items[i]];
		for (j = 0; j < it->n; j++) {
			int k = run->chg[it->chg[j]].kind;
			net += k == '+' ? 1 : k == '-' ? -1 : 0;
		}
	}
	return net;
}

static const struct ap_run *sort_run;

static int
batch_cmp(const void *pa, const void *pb)
{
	const struct ap_batch *a = pa, *b = pb;
	long na, nb;

	if (a->has_soa != b->has_soa)
		return a->has_soa ? 1 : -1;	/* the SOA batch last */
	na = batch_net(sort_run, a);
	nb = batch_net(sort_run, b);
	if (na != nb)
		return na < nb ? -1 : 1;
	return a->items[0] < b->items[0] ? -1 : 1;
}

/*
 * ap_conflict(del, cre): Route 53 refuses the CREATE of cre while del
 * exists: the same key, or a CNAME and other data at one owner.  So a
 * DELETE of del must be applied before (or with) that CREATE.
 */
int
ap_conflict(const struct ap_set *del, const struct ap_set *cre)
{
	const char *dt = ap_set_type(del), *ct = ap_set_type(cre);
	const char *di = ap_set_setid(del), *ci = ap_set_setid(cre);

	if (strcmp(ap_set_owner(del), ap_set_owner(cre)) != 0)
		return 0;
	if (strcmp(dt, ct) == 0 && ((di == NULL && ci == NULL) ||
	    (di != NULL && ci != NULL && strcmp(di, ci) == 0)))
		return 1;
	return (strcmp(dt, "CNAME") == 0) != (strcmp(ct, "CNAME") == 0);
}

/* set_change_batches(run): chg[].batch from the batches' items. */
static void
set_change_batches(struct ap_run *run)
{
	size_t i, j, k;

	for (i = 0; i < run->nbatches; i++) {
		const struct ap_batch *b = &run->batches[i];
		for (j = 0; j < b->nitems; j++)
			for (k = 0; k < run->items[b->items[j]].n; k++)
				run->chg[run->items[b->items[j]].chg[k]].batch =
				    (uint32_t)i;
	}
}

/* One "DELETE in batch from must go before the CREATE in item". */
struct pe {
	size_t from, item;
	int live;
};

/*
 * edges(run, out, n): for every DELETE and a CREATE it conflicts with
 * (ap_conflict) in different batches (a group split because it exceeds
 * one request), an edge; its item is the CREATE's change index until
 * order_batches maps it.  Changes at one owner are adjacent (stream
 * order).  0 or -1.
 */
static int
edges(const struct ap_run *run, struct pe **out, size_t *n)
{
	size_t i, j, d, c, cap = 0;
	struct pe *v = NULL, *g;

	*out = NULL;
	*n = 0;
	for (i = 0; i < run->nchg; i = j) {
		for (j = i + 1; j < run->nchg && strcmp(chg_owner(&run->chg[j]),
		    chg_owner(&run->chg[i])) == 0; j++)
			;
		for (d = i; d < j; d++) {
			const struct ap_change *cd = &run->chg[d];
			if (cd->state != AP_PENDING || cd->old == NULL ||
			    cd->upsert)
				continue;
			for (c = i; c < j; c++) {
				const struct ap_change *cc = &run->chg[c];
				if (c == d || cc->state != AP_PENDING ||
				    cc->new == NULL || cc->batch == cd->batch ||
				    !ap_conflict(cd->old, cc->new))
					continue;
				if (*n == cap) {
					cap = cap ? 2 * cap : 8;
					if ((g = realloc(v, cap * sizeof(*v))) ==
					    NULL) {
						free(v);
						return -1;
					}
					v = g;
				}
				v[*n].from = cd->batch;
				v[*n].item = c;
				v[(*n)++].live = 1;
			}
		}
	}
	*out = v;
	return 0;
}

/* take_item(b, it, run): remove item it from batch b. */
static void
take_item(struct ap_batch *b, size_t it, const struct ap_run *run)
{
	const struct pk_size *sz = &run->item_sz[it];
	size_t i, o = 0;

	for (i = 0; i < b->nitems; i++)
		if (b->items[i] != it)
			b->items[o++] = b->items[i];
	if (o < b->nitems) {
		b->nitems = o;
		b->nrr -= sz->nrr;
		b->nchars -= sz->nchars;
		if (run->items[it].soa)
			b->has_soa = 0;
	}
}

/* put_item(v, n, it, run): add item it to the last batch of v[0..*n)
 * when it fits there, else to a new one (v has room).  0 or -1. */
static int
put_item(struct ap_batch *v, size_t *n, size_t it, const struct ap_run *run)
{
	const struct pk_size *sz = &run->item_sz[it];
	struct ap_batch *b = *n > 0 ? &v[*n - 1] : NULL;
	size_t *g;

	if (b == NULL || b->nrr + sz->nrr > AP_MAX_RRS ||
	    b->nchars + sz->nchars > AP_MAX_CHARS) {
		b = &v[(*n)++];
		memset(b, 0, sizeof(*b));
	}
	if ((g = realloc(b->items, (b->nitems + 1) * sizeof(*g))) == NULL)
		return -1;
	b->items = g;
	b->items[b->nitems++] = it;
	b->nrr += sz->nrr;
	b->nchars += sz->nchars;
	if (run->items[it].soa)
		b->has_soa = 1;
	return 0;
}

/* item_deletes(run, it): the item holds a DELETE. */
static int
item_deletes(const struct ap_run *run, const struct ap_item *it)
{
	size_t j;

	for (j = 0; j < it->n; j++)
		if (run->chg[it->chg[j]].old != NULL &&
		    !run->chg[it->chg[j]].upsert)
			return 1;
	return 0;
}

/* pick(run, e, ne, item_batch, placed): the first batch (in the sorted
 * order) not placed whose every live edge comes from a placed batch,
 * the SOA batch only when no other is free; nbatches when none. */
static size_t
pick(const struct ap_run *run, const struct pe *e, size_t ne,
    const size_t *item_batch, const unsigned char *placed)
{
	size_t i, k, soa = run->nbatches;

	for (i = 0; i < run->nbatches; i++) {
		int free_ = !placed[i];
		for (k = 0; free_ && k < ne; k++)
			if (e[k].live && !placed[e[k].from] &&
			    item_batch[e[k].item] == i)
				free_ = 0;
		if (!free_)
			continue;
		if (!run->batches[i].has_soa)
			return i;
		if (soa == run->nbatches)
			soa = i;
	}
	return soa;
}

/* index_items(run, item_of, item_batch): for each change its item, for
 * each item its batch. */
static void
index_items(const struct ap_run *run, size_t *item_of, size_t *item_batch)
{
	size_t i, j, k;

	for (i = 0; i < run->nbatches; i++)
		for (j = 0; j < run->batches[i].nitems; j++) {
			const struct ap_item *it =
			    &run->items[run->batches[i].items[j]];
			item_batch[run->batches[i].items[j]] = i;
			for (k = 0; k < it->n; k++)
				item_of[it->chg[k]] = run->batches[i].items[j];
		}
}

/*
 * move_waiting(run, e, ne, item_batch, placed, tail, nt): no batch can
 * be taken
 * (two split groups crosswise): move the waiting CREATEs to the end.  A
 * conflicting CREATE is a "+" change alone in its item (valid zones
 * never hold a CNAME beside other data), so nothing a DELETE waits for
 * moves; an item that holds a DELETE stays, and the edge is dropped.
 * 0 or -1 (ENOMEM).
 */
static int
move_waiting(struct ap_run *run, struct pe *e, size_t ne, size_t *item_batch,
    const unsigned char *placed, struct ap_batch *tail, size_t *nt)
{
	size_t k, i;

	for (k = 0; k < ne; k++) {
		if (!e[k].live || placed[e[k].from])
			continue;
		i = e[k].item;
		if (item_batch[i] != run->nbatches &&
		    !item_deletes(run, &run->items[i])) {
			take_item(&run->batches[item_batch[i]], i, run);
			if (put_item(tail, nt, i, run) == -1)
				return -1;
			item_batch[i] = run->nbatches;
		}
		e[k].live = 0;
	}
	return 0;
}

/* soa_last(run, v, nv, tail, nt): the SOA UPSERT goes in the last batch
 * (written after all): out of its batch into the tail.  0 or -1. */
static int
soa_last(struct ap_run *run, struct ap_batch *v, size_t *nv,
    struct ap_batch *tail, size_t *nt)
{
	size_t soa_b, i, j;

	for (soa_b = 0; soa_b < *nv && !v[soa_b].has_soa; soa_b++)
		;
	if (soa_b == *nv || (*nt == 0 && soa_b + 1 == *nv))
		return 0;
	for (i = 0; i < v[soa_b].nitems; i++)
		if (run->items[v[soa_b].items[i]].soa)
			break;
	j = v[soa_b].items[i];
	take_item(&v[soa_b], j, run);
	if (*nt == 0) {
		tail[(*nt)++] = v[--*nv];	/* the last batch, continued */
		memset(&v[*nv], 0, sizeof(v[*nv]));
	}
	return put_item(tail, nt, j, run);
}

/* set_order(run, v, nv, tail, nt): run->batches = V then TAIL; batches
 * emptied by the moves are dropped.  0 or -1 (then no batch is left and
 * the batches' items are freed). */
static int
set_order(struct ap_run *run, struct ap_batch *v, size_t nv,
    struct ap_batch *tail, size_t nt)
{
	size_t i;

	free(run->batches);
	run->batches = calloc(nv + nt + 1, sizeof(*run->batches));
	if (run->batches == NULL) {
		run->nbatches = 0;
		for (i = 0; i < nv; i++)
			free(v[i].items);
		for (i = 0; i < nt; i++)
			free(tail[i].items);
		return -1;
	}
	run->nbatches = 0;
	for (i = 0; i < nv + nt; i++) {
		struct ap_batch *b = i < nv ? &v[i] : &tail[i - nv];
		if (b->nitems == 0) {
			free(b->items);
			continue;
		}
		run->batches[run->nbatches++] = *b;
	}
	return 0;
}

/*
 * order_batches(run): the batches are sorted (batch_cmp); a group split
 * over several batches (too large for one request) needs every DELETE
 * at a name in a batch before the batches holding CREATEs that conflict
 * with it (a CNAME replacing an A, say).  The batches are taken in their
 * order, each only when the batches holding those DELETEs are taken;
 * should that be impossible (two split groups crosswise), the CREATEs
 * still waiting move to new batches at the end.  The SOA UPSERT stays in
 * the last batch.  0 or -1 (ENOMEM).
 */
static int
order_batches(struct ap_run *run)
{
	struct pe *e = NULL;
	struct ap_batch *v = NULL, *tail = NULL;
	size_t *item_of = NULL, *item_batch = NULL;
	unsigned char *placed = NULL;
	size_t ne = 0, nv = 0, nt = 0, p;
	int ret = -1;

	if (edges(run, &e, &ne) == -1)
		goto out;
	if (ne == 0) {		/* the usual case: no index needed */
		ret = 0;
		goto out;
	}
	item_of = malloc((run->nchg + 1) * sizeof(*item_of));
	item_batch = malloc((run->nitems + 1) * sizeof(*item_batch));
	if (item_of == NULL || item_batch == NULL)
		goto out;
	index_items(run, item_of, item_batch);
	for (p = 0; p < ne; p++)
		e[p].item = item_of[e[p].item];
	/* at most one new batch per item moved, plus one for the SOA */
	placed = calloc(run->nbatches + 1, 1);
	v = calloc(run->nbatches + 1, sizeof(*v));
	tail = calloc(ne + 2, sizeof(*tail));
	if (placed == NULL || v == NULL || tail == NULL)
		goto out;
	while (nv < run->nbatches) {
		p = pick(run, e, ne, item_batch, placed);
		if (p == run->nbatches) {
			if (move_waiting(run, e, ne, item_batch, placed, tail,
			    &nt) == -1)
				goto out;
			continue;
		}
		placed[p] = 1;
		v[nv++] = run->batches[p];
	}
	if (soa_last(run, v, &nv, tail, &nt) == -1 ||
	    set_order(run, v, nv, tail, nt) == -1)
		goto out;
	log_debug(1, "batch order: %zu DELETEs kept before the CREATEs "
	    "they make room for", ne);
	ret = 0;
out:
	free(e);
	free(v);
	free(tail);
	free(placed);
	free(item_of);
	free(item_batch);
	return ret;
}

/*
 * ap_plan(run): group the pending changes, pack them (plus the SOA
 * UPSERT when run->want_soa) and order the batches.  0 or -1 (ENOMEM).
 */
int
ap_plan(struct ap_run *run)
{
	const struct pk_size *sz = NULL;
	size_t *bin_of = NULL, *up = NULL;
	size_t i, nb = 0;
	struct ap_batch *b;
	int ret = -1;

	ap_plan_free(run);
	if ((up = malloc((run->nchg + 1) * sizeof(*up))) == NULL)
		goto out;
	for (i = 0; i < run->nchg; i++)
		up[i] = i;
	group_owners(run, up);
	if (group_delegations(run, up) == -1 || build_items(run, up) == -1)
		goto out;
	free(up);
	up = NULL;
	sz = run->item_sz;
	bin_of = malloc((run->nitems + 1) * sizeof(*bin_of));
	if (bin_of == NULL)
		goto out;
	run->total_rrs = run->total_chars = 0;
	for (i = 0; i < run->nitems; i++) {
		run->total_rrs += sz[i].nrr;
		run->total_chars += sz[i].nchars;
	}
	run->lower_bound = pk_lower_bound(sz, run->nitems, AP_MAX_RRS,
	    AP_MAX_CHARS);
	if (pk_pack(sz, run->nitems, AP_MAX_RRS, AP_MAX_CHARS, bin_of, &nb))
		goto out;
	run->batches = calloc(nb + 1, sizeof(*run->batches));
	if (run->batches == NULL)
		goto out;
	run->nbatches = nb;
	for (i = 0; i < run->nitems; i++) {
		size_t *g;
		b = &run->batches[bin_of[i]];
		g = realloc(b->items, (b->nitems + 1) * sizeof(*g));
		if (g == NULL)
			goto out;
		b->items = g;
		b->items[b->nitems++] = i;
		b->nrr += sz[i].nrr;
		b->nchars += sz[i].nchars;
		if (run->items[i].soa)
			b->has_soa = 1;
	}
	free(bin_of);		/* before order_batches takes its own */
	bin_of = NULL;
	sort_run = run;
	qsort(run->batches, run->nbatches, sizeof(*run->batches), batch_cmp);
	set_change_batches(run);
	if (order_batches(run) == -1)
		goto out;
	set_change_batches(run);
	ret = 0;
out:
	free(up);
	free(bin_of);
	return ret;
}

/*
 * ap_batch_changes(run, items, nitems, with_soa, out, n): the Change list
 * of a request made of these items, DELETEs first (in stream order), then
 * CREATEs, then the SOA UPSERT when with_soa.  *out is malloc'd (caller
 * frees the array only; the rrsets are the sets' Route 53 forms, built
 * here and kept until ap_batch_release).  0 or -1 (ENOMEM).
 */
int
ap_batch_changes(const struct ap_run *run, const size_t *items,
    size_t nitems, int with_soa, struct r53_change **out, size_t *n)
{
	struct r53_change *v = NULL;
	size_t i, j, cnt = 0, pass;

	*out = NULL;
	*n = 0;
	for (i = 0; i < nitems; i++)
		cnt += 2 * run->items[items[i]].n + 1;
	v = calloc(cnt + 1, sizeof(*v));
	if (v == NULL)
		return -1;
	cnt = 0;
	for (pass = 0; pass < 2; pass++) {
		for (i = 0; i < nitems; i++) {
			const struct ap_item *it = &run->items[items[i]];
			for (j = 0; j < it->n; j++) {
				const struct ap_change *c =
				    &run->chg[it->chg[j]];
				if (pass == 0 && c->old != NULL &&
				    !c->upsert) {
					v[cnt].action = R53_DELETE;
					v[cnt++].rrset = ap_set_rr(c->old);
				}
				if (pass == 1 && c->new != NULL) {
					v[cnt].action = c->upsert ?
					    R53_UPSERT : R53_CREATE;
					v[cnt++].rrset = ap_set_rr(c->new);
				}
				if (cnt > 0 && v[cnt - 1].rrset == NULL) {
					free(v);
					return -1;
				}
			}
		}
	}
	if (with_soa) {
		for (i = 0; i < nitems; i++)
			if (run->items[items[i]].soa)
				break;
		if (i < nitems) {
			v[cnt].action = R53_UPSERT;
			v[cnt++].rrset = &run->soa_new;
		}
	}
	*out = v;
	*n = cnt;
	return 0;
}

/* ap_batch_release(run, items, nitems): drop the Route 53 forms of these
 * items' sets (ap_batch_changes built them) once their request is done,
 * so that no more than one batch's are held at a time. */
void
ap_batch_release(const struct ap_run *run, const size_t *items,
    size_t nitems)
{
	size_t i, j;

	for (i = 0; i < nitems; i++) {
		const struct ap_item *it = &run->items[items[i]];
		for (j = 0; j < it->n; j++) {
			const struct ap_change *c = &run->chg[it->chg[j]];
			if (c->old != NULL)
				ap_set_release(c->old);
			if (c->new != NULL)
				ap_set_release(c->new);
		}
	}
}

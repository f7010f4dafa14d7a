/*
 * r53apply_pack_test: pk_pack (cmd/r53apply/plan.c, compiled into this
 * program) finds each item's bin in a tree (pk_tree) instead of scanning
 * every bin.  The rule must be the scan's exactly: this program packs
 * random inputs (A-heavy, TXT-heavy, mixed, near-full, large items) with
 * the tree and with ref_pack below, the plain scan pk_pack used before,
 * and checks that every item gets the same bin.  Usage:
 * r53apply_pack_test [SEED]   Exit 0 when every input packs the same.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../cmd/r53apply/plan.c"
/* what plan.c calls on a change's sets */
#include "../../cmd/r53apply/input.c"
#include "../../cmd/r53apply/conv.c"

/* ref_balanced: the scan (each item into the bin where the larger of its
 * two normalised loads stays smallest, the first such bin on a tie). */
static int
ref_balanced(const struct pk_size *sz, const size_t *order, size_t n,
    size_t nb, size_t *lr, size_t *lc, size_t *bin_of)
{
	size_t i, j, best;
	double bestv, v, a, b;

	memset(lr, 0, nb * sizeof(*lr));
	memset(lc, 0, nb * sizeof(*lc));
	for (i = 0; i < n; i++) {
		const struct pk_size *s = &sz[order[i]];

		best = nb;
		bestv = 0;
		for (j = 0; j < nb; j++) {
			if (lr[j] + s->nrr > AP_MAX_RRS ||
			    lc[j] + s->nchars > AP_MAX_CHARS)
				continue;
			a = (double)(lr[j] + s->nrr) / AP_MAX_RRS;
			b = (double)(lc[j] + s->nchars) / AP_MAX_CHARS;
			v = a > b ? a : b;
			if (best == nb || v < bestv) {
				best = j;
				bestv = v;
			}
		}
		if (best == nb)
			return -1;
		lr[best] += s->nrr;
		lc[best] += s->nchars;
		bin_of[order[i]] = best;
	}
	return 0;
}

/* same_as_ref(sz, n): for nb = lb .. lb+2, the tree and the scan both
 * fail or give every item the same bin.  1 or 0. */
static int
same_as_ref(const struct pk_size *sz, size_t n)
{
	size_t *order = malloc(n * sizeof(*order));
	size_t *lr = malloc(n * sizeof(*lr)), *lc = malloc(n * sizeof(*lc));
	size_t *b1 = malloc(n * sizeof(*b1)), *b2 = malloc(n * sizeof(*b2));
	size_t nb, lb;
	struct pk_tree t;
	int r1, r2, ok = 1;

	if (order == NULL || lr == NULL || lc == NULL || b1 == NULL ||
	    b2 == NULL || pk_tree_alloc(&t, n, AP_MAX_RRS, AP_MAX_CHARS)) {
		fprintf(stderr, "out of memory\n");
		exit(1);
	}
	pk_order(sz, n, AP_MAX_RRS, AP_MAX_CHARS, order);
	lb = pk_lower_bound(sz, n, AP_MAX_RRS, AP_MAX_CHARS);
	for (nb = lb; nb <= lb + 2 && nb <= n && ok; nb++) {
		r1 = try_balanced(sz, order, n, nb, lr, lc, &t, b1);
		r2 = ref_balanced(sz, order, n, nb, lr, lc, b2);
		if (r1 != r2 || (r1 == 0 && memcmp(b1, b2, n * sizeof(*b1))))
			ok = 0;
	}
	pk_tree_free(&t);
	free(order);
	free(lr);
	free(lc);
	free(b1);
	free(b2);
	return ok;
}

static unsigned long long rng_state;

static unsigned long
rng(void)
{
	rng_state = rng_state * 6364136223846793005ULL + 1442695040888963407ULL;
	return (unsigned long)(rng_state >> 33);
}

/* one_item(s, kind): sizes of one random item of KIND (0..4). */
static void
one_item(struct pk_size *s, unsigned kind)
{
	switch (kind) {
	case 0:		/* A / AAAA */
		s->nrr = 1 + rng() % 8;
		s->nchars = s->nrr * (7 + rng() % 33);
		break;
	case 1:		/* TXT */
		s->nrr = 1 + rng() % 3;
		s->nchars = 10 + rng() % 4000;
		break;
	case 2:		/* equal sizes: many ties */
		s->nrr = 2;
		s->nchars = 64;
		break;
	case 3:		/* large groups */
		s->nrr = 1 + rng() % 400;
		s->nchars = 1 + rng() % 12000;
		break;
	default:	/* near a request's limit */
		s->nrr = 300 + rng() % 701;
		s->nchars = 10000 + rng() % 22001;
		break;
	}
}

int
main(int argc, char **argv)
{
	struct pk_size *sz = calloc(5000, sizeof(*sz));
	size_t trial, n, i, bad = 0;
	unsigned mix;

	rng_state = argc > 1 ? strtoull(argv[1], NULL, 10) : 1;
	if (sz == NULL)
		return 1;
	for (trial = 0; trial < 200; trial++) {
		n = 1 + rng() % (trial % 4 == 0 ? 5000 : 800);
		mix = (unsigned)(rng() % 6);	/* 5: every kind mixed */
		for (i = 0; i < n; i++)
			one_item(&sz[i], mix == 5 ? (unsigned)(rng() % 5) : mix);
		if (!same_as_ref(sz, n)) {
			fprintf(stderr, "FAIL trial %zu (n %zu, kind %u): the "
			    "tree and the scan differ\n", trial, n, mix);
			bad++;
		}
	}
	free(sz);
	printf("pack: 200 inputs, %zu differ from the scan\n", bad);
	return bad == 0 ? 0 : 1;
}

/*
 * r53apply_plan_test: unit tests of r53apply's batch packer (pk_pack in
 * cmd/r53apply/plan.c, compiled into this program) and of the serial and
 * SOA helpers.  Checks, for crafted and random inputs, that every item is
 * in exactly one request, that no request exceeds 1,000 ResourceRecord
 * elements or 32,000 Value characters, and that the number of requests is
 * at most one more than max(ceil(RRs/1000), ceil(chars/32000)) whenever
 * the items are small (each under a tenth of a request).
 * Usage: r53apply_plan_test [SEED]   Exit 0 when every check passes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../cmd/r53apply/plan.c"
#include "../../cmd/r53apply/soa.c"
/* what plan.c calls on a change's sets */
#include "../../cmd/r53apply/input.c"
#include "../../cmd/r53apply/conv.c"

static int failures;

#define CHECK(cond, ...) do { if (!(cond)) { failures++; \
	fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__); \
	fprintf(stderr, __VA_ARGS__); fputc('\n', stderr); } } while (0)

/* verify_pack: pack, check validity; returns bins or (size_t)-1. */
static size_t
verify_pack(const struct pk_size *sz, size_t n, const char *what)
{
	size_t *bin = calloc(n + 1, sizeof(*bin));
	size_t *lr = NULL, *lc = NULL, nb = 0, i;

	if (bin == NULL || pk_pack(sz, n, AP_MAX_RRS, AP_MAX_CHARS, bin, &nb)) {
		CHECK(0, "%s: pk_pack failed", what);
		free(bin);
		return (size_t)-1;
	}
	lr = calloc(nb + 1, sizeof(*lr));
	lc = calloc(nb + 1, sizeof(*lc));
	for (i = 0; i < n; i++) {
		if (bin[i] >= nb) {
			CHECK(0, "%s: item %zu in bin %zu of %zu", what, i,
			    bin[i], nb);
			continue;
		}
		lr[bin[i]] += sz[i].nrr;
		lc[bin[i]] += sz[i].nchars;
	}
	for (i = 0; i < nb; i++) {
		CHECK(lr[i] <= AP_MAX_RRS && lc[i] <= AP_MAX_CHARS,
		    "%s: bin %zu holds %zu RRs, %zu chars", what, i, lr[i],
		    lc[i]);
		CHECK(lr[i] + lc[i] > 0 || n == 0, "%s: bin %zu empty", what,
		    i);
	}
	free(bin);
	free(lr);
	free(lc);
	return nb;
}

static void
fill(struct pk_size *sz, size_t from, size_t n, size_t rr, size_t ch)
{
	size_t i;

	for (i = from; i < from + n; i++) {
		sz[i].nrr = rr;
		sz[i].nchars = ch;
	}
}

static void
test_boundaries(void)
{
	struct pk_size *sz = calloc(40000, sizeof(*sz));
	size_t nb;

	/* exactly 1,000 RRs: one request; one more: two */
	fill(sz, 0, 1000, 1, 10);
	nb = verify_pack(sz, 1000, "1000 RRs");
	CHECK(nb == 1, "1000 single RRs: %zu requests, want 1", nb);
	fill(sz, 0, 1001, 1, 10);
	nb = verify_pack(sz, 1001, "1001 RRs");
	CHECK(nb == 2, "1001 single RRs: %zu requests, want 2", nb);
	/* exactly 32,000 characters: one request; one more: two */
	fill(sz, 0, 32, 1, 1000);
	nb = verify_pack(sz, 32, "32000 chars");
	CHECK(nb == 1, "32000 chars: %zu requests, want 1", nb);
	sz[31].nchars = 1001;
	nb = verify_pack(sz, 32, "32001 chars");
	CHECK(nb == 2, "32001 chars: %zu requests, want 2", nb);
	/* UPSERT-like items (cost doubled) of 500 RRs: two per request */
	fill(sz, 0, 4, 500, 5000);
	nb = verify_pack(sz, 4, "4x500");
	CHECK(nb == 2, "4 x 500 RRs: %zu requests, want 2", nb);
	/* 10,000 single-record changes: exactly 10 requests */
	fill(sz, 0, 10000, 1, 12);
	nb = verify_pack(sz, 10000, "10000");
	CHECK(nb == 10, "10000 changes: %zu requests, want 10", nb);
	/* an item over the limit is refused */
	fill(sz, 0, 1, 1001, 10);
	{
		size_t bin[1], n2;
		CHECK(pk_pack(sz, 1, AP_MAX_RRS, AP_MAX_CHARS, bin, &n2) == -1,
		    "an item of 1001 RRs was accepted");
	}
	free(sz);
}

static void
test_adversarial(void)
{
	struct pk_size *sz = calloc(20000, sizeof(*sz));
	size_t nb, lb;

	/* TXT-heavy and A-heavy items: first-fit decreasing needs 19
	 * requests here, the lower bound is 14. */
	fill(sz, 0, 80, 1, 4000);
	fill(sz, 80, 9000, 1, 11);
	lb = pk_lower_bound(sz, 9080, AP_MAX_RRS, AP_MAX_CHARS);
	nb = verify_pack(sz, 9080, "mixed");
	CHECK(lb == 14, "mixed: lower bound %zu, want 14", lb);
	CHECK(nb <= lb + 1, "mixed: %zu requests, bound %zu", nb, lb);
	{
		/* plain first-fit decreasing on the same input, for contrast */
		size_t *order = malloc(9080 * sizeof(*order));
		size_t *lr = malloc(9080 * sizeof(*lr));
		size_t *lc = malloc(9080 * sizeof(*lc));
		size_t *bin = malloc(9080 * sizeof(*bin));
		size_t i, ffd;

		for (i = 0; i < 9080; i++)
			order[i] = i;
		pk_sort_sz = sz;
		pk_sort_crr = AP_MAX_RRS;
		pk_sort_cch = AP_MAX_CHARS;
		qsort(order, 9080, sizeof(*order), pk_cmp);
		ffd = first_fit(sz, order, 9080, AP_MAX_RRS, AP_MAX_CHARS, lr,
		    lc, bin);
		printf("mixed TXT/A: bound %zu, this packer %zu, first-fit "
		    "decreasing %zu\n", lb, nb, ffd);
		CHECK(ffd > lb + 1, "FFD did well here (%zu)", ffd);
		free(order);
		free(lr);
		free(lc);
		free(bin);
	}
	/* one RRset larger than half a request, plus small ones */
	fill(sz, 0, 1, 600, 9000);
	fill(sz, 1, 1400, 1, 14);
	lb = pk_lower_bound(sz, 1401, AP_MAX_RRS, AP_MAX_CHARS);
	nb = verify_pack(sz, 1401, "big+small");
	CHECK(nb <= lb + 1, "big+small: %zu requests, bound %zu", nb, lb);
	CHECK(lb == 2, "big+small: lower bound %zu, want 2", lb);
	/* items over half a request each cannot share: n of them need n
	 * requests whatever the bound; the packing must still be valid */
	fill(sz, 0, 6, 501, 10);
	nb = verify_pack(sz, 6, "6x501");
	CHECK(nb == 6, "6 x 501: %zu requests, want 6", nb);
	free(sz);
}

static unsigned long rng_state;

static unsigned long
rng(void)
{
	rng_state = rng_state * 6364136223846793005UL + 1442695040888963407UL;
	return (rng_state >> 33);
}

static void
test_random(unsigned long seed)
{
	struct pk_size *sz = calloc(5000, sizeof(*sz));
	size_t trial, n, i, nb, lb, worst = 0;

	rng_state = seed;
	for (trial = 0; trial < 300; trial++) {
		n = 1 + rng() % 5000;
		for (i = 0; i < n; i++) {
			switch (rng() % 4) {
			case 0:	/* A / AAAA */
				sz[i].nrr = 1 + rng() % 8;
				sz[i].nchars = sz[i].nrr * (7 + rng() % 33);
				break;
			case 1:	/* TXT */
				sz[i].nrr = 1 + rng() % 3;
				sz[i].nchars = 10 + rng() % 3000;
				break;
			case 2:	/* update: old + new */
				sz[i].nrr = 2 + rng() % 10;
				sz[i].nchars = sz[i].nrr * (10 + rng() % 60);
				break;
			default: /* group of a delegation with glue */
				sz[i].nrr = 2 + rng() % 90;
				sz[i].nchars = sz[i].nrr * (10 + rng() % 30);
				break;
			}
		}
		lb = pk_lower_bound(sz, n, AP_MAX_RRS, AP_MAX_CHARS);
		nb = verify_pack(sz, n, "random");
		CHECK(nb <= lb + 1, "seed %lu trial %zu: n %zu, %zu requests, "
		    "bound %zu", seed, trial, n, nb, lb);
		if (nb - lb > worst)
			worst = nb - lb;
	}
	printf("random: 300 trials, worst requests - bound = %zu\n", worst);
	free(sz);
}

static void
test_serial(void)
{
	unsigned long s = 0;
	char *m = NULL, *r = NULL, *rest = NULL;

	CHECK(ap_serial_ahead(5, 4) == 1, "5 ahead of 4");
	CHECK(ap_serial_ahead(4, 5) == 0, "4 not ahead of 5");
	CHECK(ap_serial_ahead(7, 7) == 0, "equal is not ahead");
	CHECK(ap_serial_ahead(1, 4294967295UL) == 1, "1 ahead of 2^32-1");
	CHECK(ap_serial_ahead(4294967295UL, 1) == 0, "wrap");
	CHECK(ap_serial_ahead(2147483648UL, 0) == 1, "undefined: refuse");
	CHECK(ap_serial_ahead(2147483649UL, 0) == 0, "0 ahead (wrapped)");
	CHECK(ap_soa_is_initial("ns-2048.awsdns-64.com. "
	    "awsdns-hostmaster.amazon.com. 1 7200 900 1209600 86400") == 1,
	    "initial SOA not recognised");
	CHECK(ap_soa_is_initial("ns-2048.awsdns-64.com. "
	    "awsdns-hostmaster.amazon.com. 2 7200 900 1209600 86400") == 0,
	    "serial 2 is not initial");
	CHECK(ap_soa_is_initial("ns1.example.com. "
	    "awsdns-hostmaster.amazon.com. 1 7200 900 1209600 86400") == 0,
	    "own mname is not initial");
	CHECK(ap_soa_parse("a. b. 42 1 2 3 4", &m, &r, &s, &rest) == 0 &&
	    s == 42 && strcmp(m, "a.") == 0 && strcmp(rest, "1 2 3 4") == 0,
	    "soa parse");
	free(m);
	free(r);
	free(rest);
	CHECK(ap_soa_parse("a. b. 4294967296 1 2 3 4", NULL, NULL, &s,
	    NULL) == -1, "serial over 2^32-1 accepted");
}

int
main(int argc, char **argv)
{
	unsigned long seed = argc > 1 ? strtoul(argv[1], NULL, 10) : 1;

	log_init(argv[0]);
	test_boundaries();
	test_adversarial();
	test_random(seed);
	test_serial();
	if (failures > 0) {
		fprintf(stderr, "%d failures\n", failures);
		return 1;
	}
	printf("all packer checks passed\n");
	return 0;
}

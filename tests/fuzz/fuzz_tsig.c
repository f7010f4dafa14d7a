/*
 * fuzz_tsig: TSIG (cmd/zxfr/tsig.c).  Input: one octet, then data.
 *   'k': the data is a key file for tsig_key_parse();
 *   else: a TCP stream of responses (2-octet length, message, ...) to a
 *   query for example. AXFR with ID 0x1234 signed by a fixed key at a
 *   fixed time (time() is pinned); each goes through wire_msg_parse()
 *   and tsig_verify() until one fails.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "zxfr.h"

#define FUZZ_TIME 1764547200		/* 2025-12-01 00:00:00 UTC */

/*
 * The clock, for the whole program: tsig_sign_query() resets the state,
 * clock included, so the fixed time that makes the seeds' MACs valid is
 * given by replacing time() itself.
 */
time_t
time(time_t *t)
{
	if (t != NULL)
		*t = FUZZ_TIME;
	return FUZZ_TIME;
}

static void
key_file(const uint8_t *data, size_t size)
{
	struct tsig_key k;

	memset(&k, 0, sizeof(k));
	if (tsig_key_parse((const char *)data, size, "fuzz", &k) == 0)
		tsig_key_clear(&k);
}

static void
responses(const struct tsig_key *key, const uint8_t *p, size_t n)
{
	static const uint8_t name[] = "\007example";
	uint8_t q[512];
	size_t qlen, mlen;
	struct tsig_state st;
	struct wire_msg m;
	char err[256];

	memset(&st, 0, sizeof(st));
	qlen = wire_query(q, sizeof(q), 0x1234, name, sizeof(name), 252);
	if (qlen == 0 || tsig_sign_query(&st, key, q, &qlen, sizeof(q)) != 0)
		abort();
	while (n >= 2) {
		mlen = (size_t)p[0] << 8 | p[1];
		if (mlen > n - 2)
			break;
		if (wire_msg_parse(&m, p + 2, mlen, err, sizeof(err)) != 0 ||
		    tsig_verify(&st, &m, err, sizeof(err)) == TSIG_FAIL) {
			/* FUZZ_DEBUG=1: why a seed stops where it does */
			if (getenv("FUZZ_DEBUG") != NULL)
				fprintf(stderr, "fuzz_tsig: %s\n", err);
			break;
		}
		if (getenv("FUZZ_DEBUG") != NULL)
			fprintf(stderr, "fuzz_tsig: message verified\n");
		p += 2 + mlen;
		n -= 2 + mlen;
	}
	tsig_state_clear(&st);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{

	if (size < 1)
		return 0;
	if (data[0] == 'k') {
		key_file(data + 1, size - 1);
		return 0;
	}
	responses(fuzz_tsig_key(), data + 1, size - 1);
	return 0;
}

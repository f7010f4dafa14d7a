/*
 * fuzz.h: what the libFuzzer targets of tests/fuzz/ share (README).
 * Each fuzz_NAME.c defines LLVMFuzzerTestOneInput; common.c the
 * start-up.  A property a target checks and finds broken is reported
 * with fuzz_fail(), which aborts so that libFuzzer saves the input.
 */
#ifndef R53M_FUZZ_H
#define R53M_FUZZ_H

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* fuzz_fail(fmt, ...): print the broken property and abort(). */
void fuzz_fail(const char *fmt, ...)
    __attribute__((format(printf, 1, 2), noreturn));

/*
 * fuzz_type(data): a record type from two input octets, biased to the
 * types that exist (0..511) so that most inputs reach a type's parser;
 * a first octet with the top bit set gives any type.
 */
uint16_t fuzz_type(const uint8_t *data);

/* fuzz_strdup(data, size): the input as a NUL-terminated copy. */
char *fuzz_strdup(const uint8_t *data, size_t size);

struct tsig_key;
/*
 * fuzz_tsig_key(): the hmac-sha256 key "fuzzkey" (tsigkey.c, linked by
 * the zxfr targets); seeds.py signs its seeds with the same secret.
 */
const struct tsig_key *fuzz_tsig_key(void);

#endif

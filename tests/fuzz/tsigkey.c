/* tsigkey.c: the TSIG key of the zxfr fuzz targets (fuzz.h). */
#include <stdlib.h>

#include "fuzz.h"
#include "zxfr.h"

static const char key_text[] = "key \"fuzzkey\" {\n"
    "\talgorithm hmac-sha256;\n"
    "\tsecret \"c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LTAxMjM=\";\n};\n";

const struct tsig_key *
fuzz_tsig_key(void)
{
	static struct tsig_key key;
	static int loaded;

	/* Parsed once: the fuzzers run millions of inputs. */
	if (!loaded) {
		if (tsig_key_parse(key_text, sizeof(key_text) - 1, "fuzz",
		    &key) != 0)
			abort();
		loaded = 1;
	}
	return &key;
}

/*
 * fuzz_canon_text: canon's text paths (canon.h).  Input: TYPE (2 octets,
 * fuzz_type), then one text (a NUL ends it early).  Properties:
 *   - canon_from_r53value: a result goes to canon_to_r53value and back
 *     to itself (canon.h promises the round trip for storable types);
 *   - canon_to_r53value: a Value it gives reads back as the input;
 *   - canon_from_text: a result parses back to itself (canon_verify).
 */
#include <stdlib.h>
#include <string.h>

#include "canon.h"
#include "fuzz.h"

static void
r53_round_trip(uint16_t type, const char *text)
{
	char *c = NULL, *v = NULL, *c2 = NULL;

	if (canon_from_r53value(type, text, "fuzz.", &c, NULL) == 0 &&
	    strncmp(c, "\\# ", 3) != 0) {
		if (canon_to_r53value(type, c, &v) != 0)
			fuzz_fail("type %u: \"%s\" read from \"%s\" has no "
			    "Route 53 Value", type, c, text);
		if (canon_from_r53value(type, v, NULL, &c2, NULL) != 0 ||
		    strcmp(c, c2) != 0)
			fuzz_fail("type %u: \"%s\" -> \"%s\" -> \"%s\"", type,
			    c, v, c2 ? c2 : "(error)");
	}
	free(c);
	free(v);
	free(c2);
}

static void
to_r53(uint16_t type, const char *text)
{
	char *v = NULL, *c = NULL;

	if (canon_to_r53value(type, text, &v) == 0 &&
	    (canon_from_r53value(type, v, NULL, &c, NULL) != 0 ||
	    strcmp(c, text) != 0))
		fuzz_fail("type %u: \"%s\" -> \"%s\" -> \"%s\"", type, text,
		    v, c ? c : "(error)");
	free(v);
	free(c);
}

static void
from_text(uint16_t type, const char *text)
{
	char *c = NULL, *err = NULL;

	if (canon_from_text(type, text, "fuzz.", &c, NULL) == 0 &&
	    canon_verify(type, c, strlen(c), &err) != 0)
		fuzz_fail("type %u: \"%s\" read from \"%s\" does not parse "
		    "back: %s", type, c, text, err ? err : "?");
	free(c);
	free(err);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint16_t type;
	char *text;

	if (size < 2)
		return 0;
	type = fuzz_type(data);
	text = fuzz_strdup(data + 2, size - 2);
	r53_round_trip(type, text);
	to_r53(type, text);
	from_text(type, text);
	free(text);
	return 0;
}

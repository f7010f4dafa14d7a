/*
 * fuzz_canon_wire: canon_rdata_wire (canon.h), zxfr's hot path.
 * Input: TYPE (2 octets, fuzz_type), RDATA_OFF (2 octets, big-endian),
 * then a DNS message; RDLEN is read from the 2 octets before RDATA_OFF,
 * as a transfer would.  Properties (canon.h, format/SPEC.md 4):
 *   - the direct printers and the ldns path agree, result and text;
 *   - text that is written parses back to itself (canon_verify).
 */
#include <stdlib.h>
#include <string.h>

#include "canon.h"
#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct canon_buf fast = CANON_BUF_INIT, slow = CANON_BUF_INIT;
	const uint8_t *msg = data + 4;
	size_t msglen, off, rdlen;
	uint16_t type;
	char *err = NULL;
	int a, b;

	if (size < 4)
		return 0;
	type = fuzz_type(data);
	off = (size_t)data[2] << 8 | data[3];
	msglen = size - 4;
	if (off < 2 || off > msglen)
		return 0;
	rdlen = (size_t)msg[off - 2] << 8 | msg[off - 1];
	if (rdlen > msglen - off)
		return 0;
	a = canon_rdata_wire(type, msg, msglen, off, rdlen, &fast);
	b = canon_rdata_wire_ldns(type, msg, msglen, off, rdlen, &slow);
	if (a != b)
		fuzz_fail("type %u: canon_rdata_wire %d, ldns path %d",
		    type, a, b);
	if (a == 0 && strcmp(fast.p, slow.p) != 0)
		fuzz_fail("type %u: fast \"%s\", ldns \"%s\"", type, fast.p,
		    slow.p);
	if (a == 0 && canon_verify(type, fast.p, fast.len, &err) != 0)
		fuzz_fail("type %u: \"%s\" does not parse back: %s", type,
		    fast.p, err ? err : "?");
	free(err);
	canon_buf_free(&fast);
	canon_buf_free(&slow);
	return 0;
}

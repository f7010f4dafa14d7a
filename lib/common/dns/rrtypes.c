/*
 * rrtypes.c: see rrtypes.h.  A short table read by linear search: the
 * callers that are on a hot path (rrdiff) remember their answers.
 */
#include <string.h>

#include "rrtypes.h"

#define R53	RRT_R53
#define SEC	RRT_DNSSEC
#define MGD	(RRT_R53 | RRT_MANAGED)

/* Sorted by name: rrdiff's default "types=" header lists them so. */
const struct rrtype rrtype_table[] = {
	{ 1, "A", MGD },
	{ 28, "AAAA", MGD },
	{ 257, "CAA", MGD },
	{ 60, "CDNSKEY", SEC },
	{ 59, "CDS", SEC },
	{ 5, "CNAME", MGD },
	{ 48, "DNSKEY", SEC },
	{ 43, "DS", MGD },
	{ 65, "HTTPS", MGD },
	{ 25, "KEY", SEC },		/* RFC 2535 DNSSEC */
	{ 15, "MX", MGD },
	{ 35, "NAPTR", MGD },
	{ 2, "NS", MGD },
	{ 47, "NSEC", SEC },
	{ 50, "NSEC3", SEC },
	{ 51, "NSEC3PARAM", SEC },
	{ 30, "NXT", SEC },		/* RFC 2535 DNSSEC */
	{ 12, "PTR", MGD },
	{ 46, "RRSIG", SEC },
	{ 24, "SIG", SEC },		/* RFC 2535 DNSSEC */
	{ 6, "SOA", R53 },
	{ 99, "SPF", MGD },
	{ 33, "SRV", MGD },
	{ 44, "SSHFP", MGD },
	{ 64, "SVCB", MGD },
	{ 52, "TLSA", MGD },
	{ 16, "TXT", MGD },
};

const size_t rrtype_count = sizeof(rrtype_table) / sizeof(rrtype_table[0]);

const struct rrtype *
rrtype_by_code(uint16_t code)
{
	size_t i;

	for (i = 0; i < rrtype_count; i++)
		if (rrtype_table[i].code == code)
			return &rrtype_table[i];
	return NULL;
}

const struct rrtype *
rrtype_by_name(const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < rrtype_count; i++)
		if (strncmp(rrtype_table[i].name, name, len) == 0 &&
		    rrtype_table[i].name[len] == '\0')
			return &rrtype_table[i];
	return NULL;
}

int
rrtype_has(uint16_t code, unsigned flag)
{
	const struct rrtype *t = rrtype_by_code(code);

	return t != NULL && (t->flags & flag) != 0;
}

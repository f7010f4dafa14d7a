/*
 * rrtypes_test: expose the record-type table (lib/common/dns/rrtypes.c) to
 * the bats suite.
 *
 *   rrtypes_test list     one line per entry: CODE NAME FLAGS, FLAGS
 *                         the letters r (Route 53 stores it), d (DNSSEC),
 *                         m (managed by default), or "-"
 *   rrtypes_test check    the table against itself and ldns: names sorted
 *                         and unique, each CODE's mnemonic (canon) its
 *                         NAME, lookups by code and name find the entry;
 *                         prints what disagrees, exit 1 if anything
 */
#include <stdio.h>
#include <string.h>

#include "canon.h"
#include "rrtypes.h"

static int
list(void)
{
	size_t i;

	for (i = 0; i < rrtype_count; i++) {
		const struct rrtype *t = &rrtype_table[i];
		printf("%u %s %s%s%s%s\n", (unsigned)t->code, t->name,
		    t->flags & RRT_R53 ? "r" : "",
		    t->flags & RRT_DNSSEC ? "d" : "",
		    t->flags & RRT_MANAGED ? "m" : "",
		    t->flags ? "" : "-");
	}
	return 0;
}

static int
check(void)
{
	char buf[32];
	size_t i;
	int bad = 0;

	for (i = 0; i < rrtype_count; i++) {
		const struct rrtype *t = &rrtype_table[i];
		if (i > 0 && strcmp(rrtype_table[i - 1].name, t->name) >= 0) {
			printf("%s: not sorted after %s\n", t->name,
			    rrtype_table[i - 1].name);
			bad = 1;
		}
		if (canon_type_name(t->code, buf, sizeof(buf)) < 0 ||
		    strcmp(buf, t->name) != 0) {
			printf("%u: ldns says %s, the table %s\n",
			    (unsigned)t->code, buf, t->name);
			bad = 1;
		}
		if (rrtype_by_code(t->code) != t ||
		    rrtype_by_name(t->name, strlen(t->name)) != t) {
			printf("%s: lookup finds another entry\n", t->name);
			bad = 1;
		}
		if ((t->flags & RRT_MANAGED) && !(t->flags & RRT_R53)) {
			printf("%s: managed but not stored\n", t->name);
			bad = 1;
		}
		if ((t->flags & RRT_DNSSEC) && (t->flags & RRT_R53)) {
			printf("%s: DNSSEC but stored\n", t->name);
			bad = 1;
		}
	}
	return bad;
}

int
main(int argc, char **argv)
{
	if (argc == 2 && strcmp(argv[1], "list") == 0)
		return list();
	if (argc == 2 && strcmp(argv[1], "check") == 0)
		return check();
	fprintf(stderr, "usage: rrtypes_test list|check\n");
	return 3;
}

/*
 * rrtypes.h: the one table of the record types r53mirror knows by name
 * and treats specially: what Route 53 stores, what a signer makes, what
 * a mirror manages by default.  canon, rrdiff and r53apply read it; a
 * type not in it is stored by no one here and managed only on request
 * (rrdiff --types).
 *
 * Route 53's types are those of its documentation ("Supported DNS
 * record types"), which tests/r53emu/r53emu.py's TYPES restates:
 * tests/13-rrtypes.bats checks that the two agree.
 */
#ifndef R53M_RRTYPES_H
#define R53M_RRTYPES_H

#include <stddef.h>
#include <stdint.h>

enum {
	RRT_R53 = 1,		/* a Route 53 hosted zone stores it */
	RRT_DNSSEC = 2,		/* made by a signer, never mirrored: skipped
				 * quietly (DS is delegation data, not one) */
	RRT_MANAGED = 4		/* rrdiff manages it by default (all of
				 * Route 53's but the SOA, whose serial goes
				 * through the stream's header) */
};

struct rrtype {
	uint16_t code;
	const char *name;	/* mnemonic, upper case */
	unsigned flags;		/* RRT_* */
};

/* The table, sorted by name; rrtype_count entries. */
extern const struct rrtype rrtype_table[];
extern const size_t rrtype_count;

/* rrtype_by_code(code): the entry, or NULL. */
const struct rrtype *rrtype_by_code(uint16_t code);

/* rrtype_by_name(name, len): the entry whose mnemonic is exactly the LEN
 * octets at NAME (upper case, not NUL-terminated), or NULL. */
const struct rrtype *rrtype_by_name(const char *name, size_t len);

/* rrtype_has(code, flag): 1 if CODE is in the table with FLAG, else 0. */
int rrtype_has(uint16_t code, unsigned flag);

#endif

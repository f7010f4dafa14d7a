/*
 * r53dump.h: the parts of r53dump (the files of cmd/r53dump), shared only inside
 * this program.
 *
 * main.c  options, connecting, writing the stream (header, trailer)
 * dump.c  every page of ListResourceRecordSets -> canonical records in a
 *         zonebuf; the one-request SOA serial probe
 */
#ifndef R53M_R53DUMP_H
#define R53M_R53DUMP_H

#include "r53api.h"
#include "zonebuf.h"

/* Page size: Route 53's maximum, so N RRsets take ceil(N/300) requests. */
#define DUMP_PAGE_SIZE 300

/*
 * What a dump needs and learns.  Borrowed pointers are owned by main();
 * serial is malloc'd by the dump and freed by dump_ctx_clear().
 */
struct progress;

struct dump_ctx {
	struct r53_client *client;	/* borrowed */
	const char *zone_id;		/* borrowed, bare id */
	const char *zone_name;		/* borrowed, as Route 53 spells it */
	const char *origin;		/* borrowed, canonical */
	const char *label;		/* borrowed, for messages */
	struct zonebuf *zb;		/* borrowed; NULL for the serial probe */
	char *serial;			/* apex SOA serial (decimal) or NULL */
	unsigned long rrsets;		/* RRsets listed */
	unsigned long pages;		/* list requests made */
	long total;			/* ResourceRecordSetCount, -1 unknown */
	struct progress *progress;	/* borrowed; NULL: none */
	int status;			/* exit status of a conversion failure,
					 * 0 while all is well */
};

/* dump_ctx_clear(ctx): free what the dump allocated (serial). */
void dump_ctx_clear(struct dump_ctx *ctx);

/*
 * dump_zone(ctx): list every page (maxitems 300) and add every RRset,
 * converted to canonical text, to ctx->zb; learn the apex SOA serial.
 * An RRset with a Value that cannot be parsed is written without RDATA,
 * its stored values in @raw, with a warning (SPEC 2.2).  Returns EXIT_OK,
 * or an exit status after reporting (a malformed record or an apex SOA
 * that cannot be parsed: EXIT_BADINPUT; a failed request: EXIT_REMOTE/...).
 */
int dump_zone(struct dump_ctx *ctx);

/*
 * dump_serial(ctx): one ListResourceRecordSets request (name = apex,
 * type = SOA, maxitems = 1) and ctx->serial from its answer.  Returns
 * EXIT_OK or an exit status after reporting.
 */
int dump_serial(struct dump_ctx *ctx);

#endif

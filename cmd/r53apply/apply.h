/*
 * apply.h: the parts of r53apply and how they share data.
 *
 *   main.c    options into struct ap_opts, the order of the steps, the
 *             exit status       -> check input owner plan report safety
 *                                  send soa zone
 *   send.c    sending the batches, setting aside what Route 53 refuses
 *             (bisection only when its answer names nothing), recovery
 *             after an ambiguous answer
 *                               -> input plan refusal report settle zone
 *   settle.c  changes refused as "already exists" / "not found" whose
 *             final state the zone already holds (re-read, not resent)
 *                               -> refusal zone
 *   report.c  dry-run plan (text, JSON), skipped and held lines, summary
 *             line, JSON report -> plan refusal
 *   owner.c   whose zone: the ownership mark (hosted-zone tag
 *             AP_MARK_KEY = origin), read before deleting or updating,
 *             written on the first write or with --adopt
 *                               -> input safety
 *   safety.c  refusals of the whole run before anything is sent: zone
 *             identity, stale or behind serial, thresholds, quota; holds
 *             a CREATE whose DELETE is held
 *                               -> input plan soa
 *   check.c   Route 53's rules: what cannot be stored is skipped
 *                               -> conv input plan
 *   zone.c    the hosted zone: finding it, reading its quota, count,
 *             apex SOA (or taking it from --current) and single RRsets;
 *             --wait (GetChange)
 *                               -> conv input soa
 *   refusal.c Route 53's InvalidChangeBatch problems: parsed (RRset,
 *             value, kind) and matched against a batch; the RRset key
 *                               -> conv
 *   conv.c    canonical RRset -> Route 53 ResourceRecordSet (names,
 *             values, @raw, @r53, SetIdentifier) and its request cost
 *                               -> input
 *   input.c   read the whole change stream into memory (struct ap_run);
 *             a change's state and reason (ap_skip)
 *                               -> plan
 *   plan.c    grouping of changes that must travel together, batch
 *             packing (pk_*, pure, unit-tested), batch order
 *   soa.c     the apex SOA: parsed, Route 53's initial one, serial
 *             arithmetic (RFC 1982), the UPSERT to write (no I/O)
 *
 * "-> f" = calls functions of f.c.  No file calls one above it in this
 * list: there is no cycle.
 *
 * Memory: struct ap_run owns everything reachable from it and is freed by
 * ap_run_free().  Strings in it are NUL-terminated heap copies; the
 * changes' sets live in one arena (run->arena).  What a change costs
 * (1,000,000 changes, bench/r53apply.sh): its sets' text and a small
 * header (about 95 bytes), struct ap_change (40), its item (16, its
 * change list 8, its cost 8), the packer's scratch (16): under 200 bytes,
 * where holding each set's Route 53 form took 600.
 */
#ifndef R53APPLY_APPLY_H
#define R53APPLY_APPLY_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "r53api.h"

/* Route 53 per-request limits (UPSERT counts twice for both). */
#define AP_MAX_RRS	1000
#define AP_MAX_CHARS	32000
#define AP_MAX_VALUE	4000

/*
 * One side (old or new) of a change, as compact as the stream text: a
 * million changes are more than a million of these.  The strings follow
 * the header in one piece of the run's arena (input.c), read through
 * ap_set_owner() and the other accessors; the Route 53 form (rr) is built
 * only while a request or a plan listing needs it (ap_set_rr) and
 * dropped after (ap_set_release): planning needs the costs alone.
 */
struct ap_set {
	struct r53_rrset *rr;	/* Route 53 form, or NULL (conv.c) */
	uint32_t nrr;		/* ResourceRecord elements in Route 53 */
	uint32_t nchars;	/* Value characters in Route 53 */
	int32_t ttl;		/* -1: alias */
	uint32_t nrdata;	/* canonical RDATA fields */
	unsigned char flags;	/* AP_S_* */
	char text[];		/* owner NUL type NUL [setid NUL] [r53 NUL]
				 * [raw NUL] each RDATA field NUL */
};
#define AP_S_SETID	0x01	/* text holds the escaped SetIdentifier */
#define AP_S_R53	0x02	/* text holds the @r53 JSON text */
#define AP_S_RAW	0x04	/* text holds the @raw JSON text */
#define AP_S_OLD	0x08	/* a DELETE side: Route 53 form from @raw */

/* The strings of a set (input.c); NULL when absent.  ap_set_next(p):
 * the field after p (RDATA fields follow ap_set_rdata's one by one). */
const char *ap_set_owner(const struct ap_set *s);
const char *ap_set_type(const struct ap_set *s);
const char *ap_set_setid(const struct ap_set *s);
const char *ap_set_r53(const struct ap_set *s);
const char *ap_set_raw(const struct ap_set *s);
const char *ap_set_rdata(const struct ap_set *s);
const char *ap_set_next(const char *p);

/* The run's sets live in chunks freed with the run (input.c). */
struct ap_chunk {
	struct ap_chunk *next;
	size_t used, cap;
	char data[];
};

enum ap_state {
	AP_PENDING = 0,		/* planned, not yet sent */
	AP_SKIPPED,		/* not sent: Route 53 cannot store it */
	AP_HELD,		/* not sent: a safety rule (no --adopt) */
	AP_APPLIED,
	AP_REJECTED,		/* Route 53 refused it (after bisection) */
	AP_NOTSENT,		/* the run stopped before its batch */
	AP_ALREADY		/* refused by Route 53, whose zone already
				 * holds the change's final state (settle.c) */
};

/* What a refusal of Route 53's is about (refusal.c). */
enum ap_ref_kind {
	REF_UNKNOWN = 0,
	REF_EXISTS,		/* CREATE: the RRset already exists */
	REF_NOT_FOUND,		/* DELETE: the RRset was not found */
	REF_VALUES_DIFFER,	/* DELETE: other values than the zone's */
	REF_CONFLICT,		/* other RRsets of the zone are in the way */
	REF_INVALID_VALUE,	/* a value Route 53 does not accept */
	REF_RULE,		/* an RRset Route 53 never accepts */
	REF_QUOTA		/* the zone's RRset quota */
};

/* Words first, then one word of small fields: a million changes are a
 * million of these (40 bytes each). */
struct ap_change {
	struct ap_set *old;	/* '-' and '<' */
	struct ap_set *new;	/* '+' and '<' */
	char *why;		/* reason for SKIPPED/HELD/REJECTED/NOTSENT */
	unsigned long lineno;	/* line of the change in the stream */
	uint32_t batch;		/* batch index, AP_NOBATCH when none */
	unsigned kind : 8;	/* '+', '-' or '<' (update) */
	unsigned state : 4;	/* enum ap_state */
	unsigned refused : 4;	/* enum ap_ref_kind: REJECTED, what Route
				 * 53 said */
	unsigned upsert : 1;	/* send UPSERT new instead of DELETE old +
				 * CREATE new (the apex NS, which Route 53
				 * never lets one delete) */
};
#define AP_NOBATCH	UINT32_MAX

/* Packing unit: changes that must be in one request.  Its cost is
 * run->item_sz[i] (the array pk_pack packs). */
struct ap_item {
	size_t *chg;		/* indexes into run->chg: a slice of
				 * run->item_chg */
	uint32_t n;
	uint32_t soa;		/* 1: the apex SOA UPSERT pseudo-item */
};

enum ap_bstate {
	AB_PLANNED = 0,
	AB_APPLIED,		/* whole batch applied */
	AB_PARTIAL,		/* applied after bisection: some rejected */
	AB_REJECTED,		/* nothing of it applied: all rejected */
	AB_FAILED,		/* could not be sent; run stopped */
	AB_NOTSENT		/* after a failure */
};

struct ap_batch {
	size_t *items;		/* indexes into run->items */
	size_t nitems;
	size_t nrr, nchars;
	int has_soa;
	enum ap_bstate state;
	char **change_ids;	/* every change id of its requests */
	size_t nids;
	char *message;		/* failure message */
	size_t requests;	/* ChangeResourceRecordSets requests */
	int ambiguous;		/* an answer was ambiguous, zone re-read */
	int insync;		/* --wait: reported INSYNC */
	int settle_tried;	/* an unnamed rejection was re-read once */
};

struct ap_opts {
	const char *endpoint_url;
	const char *zone_id;
	const char *zone_name;
	int visibility;		/* enum r53_visibility */
	const char *vpc_id;
	const char *input;	/* FILE or "-" */
	int dry_run, json, offline, force, adopt, wait;
	int progress;		/* --progress: the line even off a terminal */
	long wait_timeout;	/* seconds */
	double max_delete_pct, max_update_pct;
	long min_existing;
	const char *report;
	const char *comment;
	const char *current;	/* --current FILE: the zone as it says */
	int max_attempts;
};

struct ap_run {
	struct ap_opts o;
	/* from the stream */
	char *origin;		/* canonical */
	char *current_zone_id;
	char *desired_zone_id;
	char *desired_serial_text;
	unsigned long desired_serial;
	int has_desired_serial;
	long current_rrsets;	/* trailer, -1 unknown; at most the zone's
				 * count once checked (check.c) */
	char *current_serial_text;	/* header current-serial or NULL */
	int manage_apex_ns;	/* header manage-apex-ns yes */
	int delete_r53_only;	/* header delete-route53-only yes */
	struct ap_change *chg;
	size_t nchg, chg_cap;
	struct ap_chunk *arena;	/* every ap_set (input.c) */
	/* the hosted zone */
	char *zone_id;
	char *zone_name;	/* canonical */
	int zone_private;
	struct r53_rrset *soa;	/* current apex SOA (copy) or NULL */
	int soa_initial;	/* still Route 53's own */
	unsigned long soa_serial;
	struct r53_rrset soa_new;	/* the UPSERT */
	int want_soa;
	long limit, count;	/* GetHostedZoneLimit, -1 unknown */
	long zone_rrsets;	/* GetHostedZone ResourceRecordSetCount, -1
				 * unknown */
	int mark_pending;	/* owner.c: write the mark before sending */
	int marked;		/* owner.c: the mark was written */
	/* the plan */
	struct ap_item *items;
	size_t nitems;
	size_t *item_chg;	/* the items' change lists, one block */
	struct pk_size *item_sz;	/* the items' costs */
	struct ap_batch *batches;
	size_t nbatches;
	size_t lower_bound;	/* max(ceil(R/1000), ceil(C/32000)) */
	size_t total_rrs, total_chars;
	/* results */
	struct r53_client *client;
	size_t requests;	/* ChangeResourceRecordSets requests sent */
	size_t rereads;		/* List requests after ambiguous answers
				 * and to settle refused changes */
	int soa_written;
	int stopped;		/* a batch failed: run stopped */
	int fail_status;	/* r53_status of the stopping failure */
	double seconds;
	int exit_status;
};

/* input.c */
int ap_read_stream(struct ap_run *run, const char *path);
void ap_run_free(struct ap_run *run);
void ap_skip(struct ap_change *c, enum ap_state st, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
struct rrset;
struct ap_set *ap_set_copy(struct ap_run *run, const struct rrset *rr,
    int old);
size_t ap_count_pending(const struct ap_run *run, int kind);

/* conv.c */
int ap_convert(struct ap_run *run);
int ap_set_build(const struct ap_set *s, struct r53_rrset *rr, char **err);
const struct r53_rrset *ap_set_rr(struct ap_set *s);
void ap_set_release(struct ap_set *s);
int ap_setid_decode(const char *esc, char **out);
int ap_name_wire_check(const char *canon, char **why);
int ap_r53_name_eq(const char *a, const char *b);

/* soa.c */
int ap_soa_parse(const char *value, char **mname, char **rname,
    unsigned long *serial, char **rest);
int ap_soa_is_initial(const char *value);
int ap_serial_ahead(unsigned long r53, unsigned long desired);
int ap_soa_plan(struct ap_run *run);

/* check.c */
void ap_check(struct ap_run *run);
int ap_check_counts(struct ap_run *run);

/* plan.c: pure packer */
/* An item's cost: what pk_pack packs is at most a request's limits;
 * 32 bits (not size_t) keep run->item_sz at 8 bytes an item. */
struct pk_size {
	uint32_t nrr, nchars;
};
size_t pk_lower_bound(const struct pk_size *sz, size_t n, size_t cap_rr,
    size_t cap_ch);
int pk_pack(const struct pk_size *sz, size_t n, size_t cap_rr, size_t cap_ch,
    size_t *bin_of, size_t *nbins);
/* plan.c: building the plan */
int ap_plan(struct ap_run *run);
int ap_conflict(const struct ap_set *del, const struct ap_set *cre);
void ap_plan_free(struct ap_run *run);
size_t ap_change_cost_rr(const struct ap_change *c);
size_t ap_change_cost_chars(const struct ap_change *c);
int ap_batch_changes(const struct ap_run *run, const size_t *items,
    size_t nitems, int with_soa, struct r53_change **out, size_t *n);
void ap_batch_release(const struct ap_run *run, const size_t *items,
    size_t nitems);

/* zone.c */
struct r53cli;
int ap_zone_connect(struct ap_run *run, const struct r53cli *cli);
int ap_zone_read(struct ap_run *run);
int ap_zone_from_current(struct ap_run *run);
int ap_zone_limit(struct ap_run *run);
int ap_zone_count(struct ap_run *run, long *have);
int ap_zone_read_key(struct ap_run *run, const char *name, const char *type,
    const char *setid, struct r53_rrset **out);
int ap_zone_wait(struct ap_run *run);

/* send.c */
int ap_send(struct ap_run *run);

/* refusal.c: one problem of an InvalidChangeBatch answer */
struct ap_refusal {
	char *text;		/* the problem, as Route 53 wrote it */
	char *name;		/* the RRset's name as written, or NULL */
	char *type;		/* its type, or NULL (any) */
	char *setid;		/* its set identifier, or NULL */
	int id_known;		/* setid (NULL: none) is what it said */
	char *value;		/* the value it quotes, or NULL */
	int dup;		/* "Duplicate Resource Record" */
	enum ap_ref_kind kind;
};
struct ap_refusals {
	struct ap_refusal *v;
	size_t n;
};
int ap_refusals_parse(const struct r53_error *err, struct ap_refusals *rf);
void ap_refusals_free(struct ap_refusals *rf);
size_t ap_refusals_blame(const struct ap_run *run, const size_t *items,
    size_t m, const struct ap_refusals *rf, const struct ap_refusal **why,
    unsigned char *cand, size_t *unnamed);
enum ap_ref_kind ap_refusals_kind(const struct ap_refusals *rf);
int ap_refusals_settle(const struct ap_refusals *rf);
int ap_refusal_holds_serial(enum ap_ref_kind k);
const char *ap_refusal_kind_name(enum ap_ref_kind k);
int ap_same_key(const struct r53_rrset *a, const struct r53_rrset *b);
int ap_set_same_key(struct ap_set *a, struct ap_set *b);

/* settle.c */
int ap_settle(struct ap_run *run, const size_t *items, size_t m,
    const unsigned char *cand, unsigned char *bad, size_t *nsettled);
/* owner.c */
#define AP_MARK_KEY "r53mirror:origin"
int ap_owner_check(struct ap_run *run);
int ap_owner_mark(struct ap_run *run);
/* safety.c */
int ap_safety_identity(const struct ap_run *run);
int ap_safety_thresholds(const struct ap_run *run);
int ap_safety_serial(const struct ap_run *run);
int ap_safety_quota(const struct ap_run *run);
void ap_safety_private(const struct ap_run *run);
void ap_safety_hold_conflicting(struct ap_run *run);

/* report.c */
void ap_print_plan_text(const struct ap_run *run, FILE *f);
int ap_print_plan_json(const struct ap_run *run, FILE *f);
void ap_report_skips(const struct ap_run *run, enum ap_state st);
void ap_summary(const struct ap_run *run);
int ap_write_report(const struct ap_run *run, const char *path);
const char *ap_state_name(enum ap_state s);
const char *ap_bstate_name(enum ap_bstate s);

#endif

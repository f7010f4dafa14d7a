/*
 * r53apply_refusal_test: unit tests of r53apply's reading of Route 53's
 * InvalidChangeBatch answers (cmd/r53apply/refusal.c, compiled into this
 * program): every message form Route 53 (and the emulator) writes gives
 * the RRset it names, the value it quotes and its kind, in the XML form
 * (one <Message> each) and the joined "[m1, m2]" form alike.
 * Usage: r53apply_refusal_test   Exit 0 when every check passes.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../../cmd/r53apply/refusal.c"

static int failures;

#define CHECK(cond, ...) do { if (!(cond)) { failures++; \
	fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__); \
	fprintf(stderr, __VA_ARGS__); fputc('\n', stderr); } } while (0)

/* conv.c's name comparison is not under test here */
int
ap_r53_name_eq(const char *a, const char *b)
{
	return strcasecmp(a, b) == 0;
}

/* nor are a change's sets (no test here builds one) */
const struct r53_rrset *
ap_set_rr(struct ap_set *s)
{
	(void)s;
	return NULL;
}

const char *
ap_set_type(const struct ap_set *s)
{
	(void)s;
	return "";
}

struct want {
	const char *msg, *name, *type, *setid, *value;
	int id_known;
	enum ap_ref_kind kind;
};

static const struct want cases[] = {
	{ "Tried to create resource record set [name='x.example.com.', "
	  "type='A'] but it already exists", "x.example.com.", "A", NULL,
	  NULL, 1, REF_EXISTS },
	{ "Tried to delete resource record set [name='x.example.com.', "
	  "type='A'] but it was not found", "x.example.com.", "A", NULL,
	  NULL, 1, REF_NOT_FOUND },
	{ "Tried to delete resource record set [name='www.example.com.', "
	  "type='A', set-identifier='eu'] but the values provided do not "
	  "match the current values", "www.example.com.", "A", "eu", NULL, 1,
	  REF_VALUES_DIFFER },
	{ "RRSet of type CNAME with DNS name x.example.com. is not permitted "
	  "as it conflicts with other records with the same DNS name in zone "
	  "example.com.", "x.example.com.", "CNAME", NULL, NULL, 0,
	  REF_CONFLICT },
	{ "RRSet of type TXT with DNS name c1.example.com. is not permitted "
	  "because a conflicting RRSet of type CNAME with the same DNS name "
	  "already exists in zone example.com.", "c1.example.com.", "TXT",
	  NULL, NULL, 0, REF_CONFLICT },
	{ "RRSet with DNS name www.example.com., type A, SetIdentifier eu "
	  "cannot be created as a non-weighted set exists with the same name "
	  "and type.", "www.example.com.", "A", "eu", NULL, 1, REF_CONFLICT },
	{ "RRSet with DNS name x.other.org. is not permitted in zone "
	  "example.com.", "x.other.org.", NULL, NULL, NULL, 0, REF_RULE },
	{ "RRSet of type CNAME with DNS name example.com. is not permitted at "
	  "apex in zone example.com.", "example.com.", "CNAME", NULL, NULL, 0,
	  REF_RULE },
	{ "Invalid Resource Record: 'FATAL problem: CAARDATAIncorrectFormat "
	  "(Value is not in the correct format) encountered with '128 tbs "
	  "\"x\"''", NULL, "CAA", NULL, "128 tbs \"x\"", 0,
	  REF_INVALID_VALUE },
	{ "Invalid Resource Record: 'FATAL problem: ARRDATAIllegalIPv4Address "
	  "(Value is not a valid IPv4 address) encountered with '1.2.3.256''",
	  NULL, "A", NULL, "1.2.3.256", 0, REF_INVALID_VALUE },
	{ "Invalid Resource Record: 'FATAL problem: InvalidCharacterString "
	  "(Value should be enclosed in quotation marks) encountered with "
	  "'it's''", NULL, NULL, NULL, "it's", 0, REF_INVALID_VALUE },
	{ "Duplicate Resource Record: '192.0.2.1'", NULL, NULL, NULL,
	  "192.0.2.1", 0, REF_INVALID_VALUE },
	{ "Exceeded limit MAX_RRSETS_BY_ZONE for zone: Z1", NULL, NULL, NULL,
	  NULL, 0, REF_QUOTA },
	{ "A HostedZone must contain exactly one SOA record.", NULL, NULL,
	  NULL, NULL, 0, REF_RULE },
	{ "Tried to create an alias that targets nowhere.example.com., type A "
	  "in zone Z1, but that target was not found", NULL, NULL, NULL, NULL,
	  0, REF_RULE },
	{ "The request contains an invalid set of changes for a resource "
	  "record set 'CNAME _x.example.com.'", "_x.example.com.", "CNAME",
	  NULL, NULL, 0, REF_UNKNOWN },
	{ "Number of records limit of 1000 exceeded.", NULL, NULL, NULL, NULL,
	  0, REF_UNKNOWN },
};
#define NCASES (sizeof(cases) / sizeof(cases[0]))

static int
same(const char *a, const char *b)
{
	return a == NULL || b == NULL ? a == b : strcmp(a, b) == 0;
}

static void
check_one(const struct ap_refusal *r, const struct want *w)
{
	CHECK(same(r->name, w->name), "%s: name %s", w->msg, r->name);
	CHECK(same(r->type, w->type), "%s: type %s", w->msg, r->type);
	CHECK(same(r->setid, w->setid), "%s: setid %s", w->msg, r->setid);
	CHECK(same(r->value, w->value), "%s: value %s", w->msg, r->value);
	CHECK(r->id_known == w->id_known, "%s: id_known %d", w->msg,
	    r->id_known);
	CHECK(r->kind == w->kind, "%s: kind %s", w->msg,
	    ap_refusal_kind_name(r->kind));
	CHECK(same(r->text, w->msg), "text %s", r->text);
}

/* Both answer forms: each message alone, then all joined in one. */
static void
test_forms(void)
{
	struct r53_error err;
	struct ap_refusals rf;
	char *msgs[NCASES], *joined = NULL;
	size_t i, len = 2;

	for (i = 0; i < NCASES; i++) {
		msgs[i] = (char *)(uintptr_t)cases[i].msg;
		len += strlen(cases[i].msg) + 2;
	}
	memset(&err, 0, sizeof(err));
	err.messages = msgs;
	err.nmessages = NCASES;
	CHECK(ap_refusals_parse(&err, &rf) == 0, "parse");
	CHECK(rf.n == NCASES, "XML form: %zu problems", rf.n);
	for (i = 0; i < rf.n && i < NCASES; i++)
		check_one(&rf.v[i], &cases[i]);
	ap_refusals_free(&rf);

	joined = calloc(1, len);
	strcpy(joined, "[");
	for (i = 0; i < NCASES; i++) {
		strcat(joined, cases[i].msg);
		strcat(joined, i + 1 < NCASES ? ", " : "]");
	}
	err.messages = &joined;
	err.nmessages = 1;
	CHECK(ap_refusals_parse(&err, &rf) == 0, "parse joined");
	CHECK(rf.n == NCASES, "joined form: %zu problems", rf.n);
	for (i = 0; i < rf.n && i < NCASES; i++)
		check_one(&rf.v[i], &cases[i]);
	CHECK(ap_refusals_settle(&rf), "settle kinds present");
	CHECK(ap_refusals_kind(&rf) == REF_EXISTS, "kind of the answer");
	ap_refusals_free(&rf);
	free(joined);
}

static void
test_kinds(void)
{
	CHECK(ap_refusal_holds_serial(REF_EXISTS), "exists holds");
	CHECK(ap_refusal_holds_serial(REF_UNKNOWN), "unknown holds");
	CHECK(ap_refusal_holds_serial(REF_CONFLICT), "conflict holds");
	CHECK(!ap_refusal_holds_serial(REF_INVALID_VALUE), "invalid value");
	CHECK(!ap_refusal_holds_serial(REF_RULE), "rule");
	CHECK(!ap_refusal_holds_serial(REF_QUOTA), "quota");
}

int
main(void)
{
	test_forms();
	test_kinds();
	if (failures > 0) {
		fprintf(stderr, "%d refusal checks failed\n", failures);
		return 1;
	}
	printf("all refusal checks passed\n");
	return 0;
}

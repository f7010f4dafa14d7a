/*
 * r53api.h: the Route 53 operations r53dump and r53apply need, over
 * awshttp (SigV4, retries, shared rate limit) with streaming expat parsing
 * of the answers.
 *
 * Ownership, everywhere in this header:
 *  - Strings and structs passed IN are borrowed for the duration of the
 *    call only; the library never keeps or frees them.
 *  - Structs filled OUT (struct r53_zone, struct r53_page_next,
 *    struct r53_error, a change id) own heap memory the CALLER releases
 *    with the matching *_clear / free() named at each function.  Clear
 *    functions accept a zeroed struct and may be called twice.
 *  - An rrset handed to a list callback is owned by the library and valid
 *    only during that callback; keep a copy with r53_rrset_copy().
 *
 * Every function returning int returns an enum r53_status.  On any status
 * other than R53_OK, err (when not NULL) holds a one-line human-readable
 * err->message (never containing a secret) and, when Route 53 answered
 * with an error document, its code, every message and the request id.
 * Callers print err->message with log_msg and choose an exit status with
 * r53_status_exit().
 *
 * Names and values are exactly as Route 53 sent them (lower-case names,
 * octal escapes such as \052 kept, trailing dot present); decoding to DNS
 * presentation format is another module's job.  Zone ids and change ids
 * are always without their "/hostedzone/" or "/change/" prefix.
 */
#ifndef R53M_R53API_H
#define R53M_R53API_H

#include <stddef.h>

#include <jansson.h>

enum r53_status {
	R53_OK = 0,
	R53_REJECTED,	/* Route 53 refused the request with an error that
			 * retrying cannot cure (InvalidChangeBatch,
			 * InvalidInput, ...): nothing was applied; see
			 * err->code and err->messages */
	R53_AMBIGUOUS,	/* ChangeResourceRecordSets only: the request was
			 * sent but no definite answer came (5xx, connection
			 * lost after sending, timeout).  It may or may not
			 * have been applied and it was NOT resent: re-read
			 * the zone to learn which */
	R53_FAILED,	/* transport failure after all retries (connect
			 * errors, throttling that never stopped, 5xx on an
			 * idempotent call), malformed answer, out of memory */
	R53_AUTH,	/* no usable credentials, or Route 53 refused them
			 * (signature, expired token, access denied) */
	R53_NOTFOUND,	/* NoSuchHostedZone, NoSuchChange, or no zone by
			 * that name and visibility */
	R53_CHOICE,	/* several hosted zones match the selection;
			 * err->message lists every candidate */
	R53_USAGE,	/* bad argument: endpoint refused (plain http to a
			 * non-loopback host), malformed id, bad option */
	R53_STOPPED	/* a list callback returned nonzero */
};

/* Options for r53_client_new; zero-initialise, then set what you need. */
struct r53_opts {
	const char *endpoint_url;	/* --endpoint-url; NULL: environment
					 * AWS_ENDPOINT_URL_ROUTE_53, then
					 * AWS_ENDPOINT_URL, then partition */
	const char *region;		/* --region; NULL: AWS_REGION, then
					 * AWS_DEFAULT_REGION, then us-east-1.
					 * Selects the partition (cn-*: aws-cn,
					 * us-gov-*: aws-us-gov, else aws) */
	const char *profile;		/* --profile; NULL: AWS_PROFILE or
					 * "default" */
	const char *ca_bundle;		/* --ca-bundle; NULL: AWS_CA_BUNDLE,
					 * else the system store */
	long connect_timeout_ms;	/* 0: 10000 */
	long timeout_ms;		/* per attempt, 0: 60000 */
	int max_attempts;		/* 0: AWS_MAX_ATTEMPTS or 8 */
	long max_retry_time_ms;		/* whole call incl. backoff, 0: 120000 */
	int no_ratelimit;		/* 1: skip the shared token bucket */
};

struct r53_client;

/* One error report; zero-initialise; release with r53_error_clear. */
struct r53_error {
	long http_status;	/* 0 when no HTTP answer */
	char *code;		/* "InvalidChangeBatch", "Throttling", ... or
				 * NULL for transport / local errors */
	char *message;		/* always set on failure: one line, for humans;
				 * for InvalidChangeBatch all messages joined */
	char **messages;	/* every <Message> of the answer, in order */
	size_t nmessages;
	char *request_id;	/* x-amzn-RequestId / <RequestId>, or NULL */
};

/* A VPC a private hosted zone is associated with. */
struct r53_vpc {
	char *id;		/* vpc-... */
	char *region;		/* eu-west-1, ... */
};

/* A hosted zone; zero-initialise; release with r53_zone_clear. */
struct r53_zone {
	char *id;		/* "Z123...", no /hostedzone/ prefix */
	char *name;		/* "example.com." as Route 53 sent it */
	int private_zone;	/* 1 for a private hosted zone */
	char *comment;		/* HostedZoneConfig/Comment or NULL */
	char *caller_reference;
	long rrset_count;	/* ResourceRecordSetCount, -1 unknown */
	struct r53_vpc *vpcs;	/* GetHostedZone only; nvpcs entries */
	size_t nvpcs;
};

/*
 * One resource record set.  In callbacks every pointer is owned by the
 * library; in r53_change the caller owns it.  extras is a jansson object
 * with every Route 53-only element of the ResourceRecordSet (AliasTarget,
 * Weight, Region, GeoLocation, Failover, MultiValueAnswer, HealthCheckId,
 * TrafficPolicyInstanceId, CidrRoutingConfig, GeoProximityLocation) keyed
 * by element name; nested elements are objects keyed by child element
 * name, every leaf is a JSON string exactly as received (e.g.
 * {"AliasTarget": {"HostedZoneId": "Z2", "DNSName": "x.", "EvaluateTarget
 * Health": "false"}, "Weight": "10"}).  extras is NULL when there are none.
 * Unknown elements are kept in extras too (so nothing is silently lost),
 * but r53_change_rrsets only writes the known ones, in XSD order.
 */
struct r53_rrset {
	char *name;
	char *type;
	char *set_identifier;	/* NULL when none */
	long ttl;		/* -1 when none (alias records) */
	size_t nvalues;
	char **values;		/* ResourceRecords/ResourceRecord/Value */
	json_t *extras;		/* NULL or a JSON object, see above */
};

/* r53_rrset_copy(rr): deep copy; caller frees with r53_rrset_free. NULL on
 * out of memory. */
struct r53_rrset *r53_rrset_copy(const struct r53_rrset *rr);

/* r53_rrset_free(rr): free a copy from r53_rrset_copy (or one the caller
 * built with malloc'd members and json_t extras it owns).  NULL is fine. */
void r53_rrset_free(struct r53_rrset *rr);

/* r53_rrset_clear(rr): free the members, keep the struct itself. */
void r53_rrset_clear(struct r53_rrset *rr);

/*
 * r53_rrset_json(o, rr): add rr to the JSON object o as the members
 * "name", "type", "set_identifier" (when set), "ttl" (when >= 0), "values"
 * (an array of strings) and "extras" (when set; shared, not copied), in
 * that order, after whatever o holds already.  Returns o (which may be
 * NULL: jansson then does nothing).  The form of r53apply --report and
 * of the r53api_test tool.
 */
json_t *r53_rrset_json(json_t *o, const struct r53_rrset *rr);

enum r53_action {
	R53_CREATE = 0,
	R53_DELETE,
	R53_UPSERT
};

struct r53_change {
	enum r53_action action;
	const struct r53_rrset *rrset;	/* borrowed */
};

/* Where the next page of a listing starts; zero-initialise; release with
 * r53_page_next_clear.  truncated == 0 means the listing is complete and
 * the strings are NULL. */
struct r53_page_next {
	int truncated;
	char *name;		/* NextRecordName */
	char *type;		/* NextRecordType */
	char *identifier;	/* NextRecordIdentifier or NULL */
};

/* Request counters for the summary line. */
struct r53_stats {
	unsigned long requests;		/* HTTP attempts sent (incl. retries) */
	unsigned long retries;		/* attempts that were retries */
	unsigned long throttled;	/* Throttling / PriorRequestNotComplete
					 * answers seen */
	unsigned long list_calls;	/* ListResourceRecordSets calls */
	unsigned long change_calls;	/* ChangeResourceRecordSets calls */
	unsigned long get_change_calls;	/* GetChange calls */
	unsigned long other_calls;	/* zone lookups, limits */
};

/*
 * r53_client_new(opts, err): resolve the endpoint and credentials (the
 * AWS SDK chain, see awscred.h) and prepare one kept-alive connection.
 * Returns NULL on failure with err filled; *status (when not NULL) gets
 * R53_USAGE (bad endpoint/option), R53_AUTH (no credentials) or
 * R53_FAILED.  Caller frees with r53_client_free.
 */
struct r53_client *r53_client_new(const struct r53_opts *opts,
    struct r53_error *err, int *status);

/* r53_client_free(c): close the connection, zero and free the secrets. */
void r53_client_free(struct r53_client *c);

/* r53_client_stats(c, out): copy the counters. */
void r53_client_stats(const struct r53_client *c, struct r53_stats *out);

/* r53_client_endpoint(c): the endpoint URL in use (owned by c). */
const char *r53_client_endpoint(const struct r53_client *c);

/*
 * r53_zone_resolve(c, id, name, visibility, vpc_id, out, err): find one
 * hosted zone.  With id (with or without "/hostedzone/") it is
 * GetHostedZone.  Otherwise by name (trailing dot optional, any case) via
 * ListHostedZonesByName (every page), keeping zones whose name matches
 * exactly and whose visibility matches; for private zones GetHostedZone is
 * called to learn the VPCs, and vpc_id (when not NULL) must be among them.
 * Exactly one candidate: R53_OK and *out filled (private zones with vpcs).
 * None: R53_NOTFOUND.  Several: R53_CHOICE with every candidate (id,
 * public/private, VPCs) listed in err->message.  id and name are
 * exclusive; vpc_id implies private.
 */
enum r53_visibility {
	R53_VIS_ANY = 0,
	R53_VIS_PUBLIC,
	R53_VIS_PRIVATE
};
int r53_zone_resolve(struct r53_client *c, const char *id, const char *name,
    enum r53_visibility visibility, const char *vpc_id, struct r53_zone *out,
    struct r53_error *err);

/* r53_get_hosted_zone(c, id, out, err): GetHostedZone, VPCs included. */
int r53_get_hosted_zone(struct r53_client *c, const char *id,
    struct r53_zone *out, struct r53_error *err);

/* r53_zone_clear(z): free the members of *z and zero it. */
void r53_zone_clear(struct r53_zone *z);

/* r53_get_zone_limit(c, id, limit, count, err): GetHostedZoneLimit
 * MAX_RRSETS_BY_ZONE: the RRset quota and the current number. */
int r53_get_zone_limit(struct r53_client *c, const char *id, long *limit,
    long *count, struct r53_error *err);

/*
 * The list callback: called once per ResourceRecordSet, in Route 53's
 * order, while the page is parsed.  rr is valid only during the call.
 * Return 0 to continue; nonzero stops the listing with R53_STOPPED.
 * When a page turns out malformed after some of its RRsets were passed
 * on, the call still fails: callers must treat everything received as
 * void unless the listing returns R53_OK.
 */
typedef int r53_rrset_cb(void *arg, const struct r53_rrset *rr);

/*
 * r53_list_rrsets(c, zone_id, start_name, start_type, start_identifier,
 *     maxitems, cb, arg, next, err): ONE ListResourceRecordSets request
 * (one page).  start_* may be NULL (start_type needs start_name);
 * maxitems 0 means Route 53's default (300).  *next tells whether and
 * where to continue; caller clears it with r53_page_next_clear.
 */
int r53_list_rrsets(struct r53_client *c, const char *zone_id,
    const char *start_name, const char *start_type,
    const char *start_identifier, int maxitems, r53_rrset_cb *cb, void *arg,
    struct r53_page_next *next, struct r53_error *err);

/* r53_page_next_clear(n): free the members of *n and zero it. */
void r53_page_next_clear(struct r53_page_next *n);

/* r53_list_all(c, zone_id, maxitems, cb, arg, npages, err): every page,
 * in order (MAXITEMS a page, as for r53_list_rrsets), with a bound of
 * 100000 pages and a check that each page advances.  *npages (if not
 * NULL) counts the requests made, the failed one included. */
int r53_list_all(struct r53_client *c, const char *zone_id, int maxitems,
    r53_rrset_cb *cb, void *arg, unsigned long *npages,
    struct r53_error *err);

/*
 * r53_change_rrsets(c, zone_id, changes, n, comment, change_id, err):
 * one ChangeResourceRecordSets batch, XML built in XSD element order
 * (Name, Type, SetIdentifier, Weight, Region, GeoLocation, Failover,
 * MultiValueAnswer, TTL, ResourceRecords, AliasTarget, HealthCheckId,
 * TrafficPolicyInstanceId, CidrRoutingConfig, GeoProximityLocation) with
 * extras written back in that order and all text XML-escaped.  comment
 * may be NULL.  Returns R53_OK with *change_id (caller frees) set,
 * R53_REJECTED with every InvalidChangeBatch message in err->messages,
 * R53_AMBIGUOUS (not resent; see above), R53_AUTH, R53_NOTFOUND or
 * R53_FAILED.  Throttling, PriorRequestNotComplete and connections that
 * failed before the request was sent are retried.
 */
int r53_change_rrsets(struct r53_client *c, const char *zone_id,
    const struct r53_change *changes, size_t n, const char *comment,
    char **change_id, struct r53_error *err);

/*
 * r53_change_xml(changes, n, comment, len): the request body
 * r53_change_rrsets would send (for tests and --dry-run); caller frees.
 * NULL on out of memory or an extras value of the wrong JSON type.
 */
char *r53_change_xml(const struct r53_change *changes, size_t n,
    const char *comment, size_t *len);

/* r53_get_change(c, change_id, insync, err): GetChange; *insync is 1 for
 * INSYNC, 0 for PENDING.  change_id with or without "/change/". */
int r53_get_change(struct r53_client *c, const char *change_id, int *insync,
    struct r53_error *err);

/* One tag of a hosted zone; strings owned by the array's holder. */
struct r53_tag {
	char *key;
	char *value;
};

/*
 * r53_list_zone_tags(c, zone_id, tags, ntags, err): ListTagsForResource
 * for the hosted zone (GET /tags/hostedzone/ID): every tag, in Route 53's
 * order.  The answer must name this zone (ResourceType hostedzone,
 * ResourceId); a Tag without Key is a malformed answer (R53_FAILED).
 * *tags (NULL when there are none) is freed with r53_tags_free.
 */
int r53_list_zone_tags(struct r53_client *c, const char *zone_id,
    struct r53_tag **tags, size_t *ntags, struct r53_error *err);

/* r53_tags_free(tags, n): free an array from r53_list_zone_tags. */
void r53_tags_free(struct r53_tag *tags, size_t n);

/*
 * r53_add_zone_tag(c, zone_id, key, value, err): ChangeTagsForResource
 * with one AddTags/Tag: adds the tag or replaces its value.  Setting a
 * value twice is harmless, so the call is retried like a read.  Key 1-128
 * and value 0-256 characters without control characters, else R53_USAGE
 * and nothing sent.
 */
int r53_add_zone_tag(struct r53_client *c, const char *zone_id,
    const char *key, const char *value, struct r53_error *err);

/* r53_tag_xml(key, value, len): the ChangeTagsForResourceRequest body
 * r53_add_zone_tag sends; caller frees.  NULL when refused (see above). */
char *r53_tag_xml(const char *key, const char *value, size_t *len);

/* r53_error_clear(e): free the members of *e and zero it. */
void r53_error_clear(struct r53_error *e);

/* r53_strstatus(status): a short static name ("ambiguous", ...). */
const char *r53_strstatus(int status);

/* r53_status_exit(status): the exit status (exitcodes.h) for a failure:
 * OK 0, USAGE/CHOICE 3, AUTH 6, others 5 (EXIT_REMOTE). */
int r53_status_exit(int status);

/* r53_id_strip(id): pointer into id past "/hostedzone/" or
 * "hostedzone/" (or past "/change/"), else id itself. */
const char *r53_id_strip(const char *id);

#endif

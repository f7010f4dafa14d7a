/*
 * dump.c: read a hosted zone page by page and turn every Route 53
 * ResourceRecordSet into canonical stream records (format/SPEC.md 2.2):
 * octal names to canonical names (names.c), every Value through
 * canon_from_r53value (canon.c), Route 53-only elements into @r53, and the
 * stored Values into @raw whenever r53apply could not reproduce them byte
 * for byte from the canonical text.  An RRset with a Value that has no
 * canonical text at all keeps only its @raw (no RDATA) and a warning.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "canon.h"
#include "exitcodes.h"
#include "log.h"
#include "names.h"
#include "progress.h"
#include "r53api.h"
#include "r53dump.h"
#include "stream.h"
#include "zonebuf.h"

/* Flags for json_dumps: SPEC 2.2 wants compact, sorted keys, ASCII. */
#define DUMP_JSON_FLAGS (JSON_COMPACT | JSON_SORT_KEYS | JSON_ENSURE_ASCII)

/* One RRset being converted; every member malloc'd, freed by
 * conv_clear(). */
struct conv {
	char *owner;		/* canonical owner */
	char type[16];		/* canonical mnemonic */
	uint16_t rrtype;
	char *setid;		/* escaped SetIdentifier or NULL */
	char **rdata;		/* canonical values, nvalues of them */
	size_t n;
	char *r53;		/* @r53 JSON or NULL */
	char *raw;		/* @raw JSON or NULL */
};

void
dump_ctx_clear(struct dump_ctx *ctx)
{
	free(ctx->serial);
	ctx->serial = NULL;
}

static void
conv_clear(struct conv *cv)
{
	size_t i;

	free(cv->owner);
	free(cv->setid);
	for (i = 0; cv->rdata != NULL && i < cv->n; i++)
		free(cv->rdata[i]);
	free(cv->rdata);
	free(cv->r53);
	free(cv->raw);
	memset(cv, 0, sizeof(*cv));
}

/* Report a record that cannot be converted: names the zone, the record as
 * Route 53 listed it, and the cause.  Sets the exit status. */
static int
dump_bad_record(struct dump_ctx *ctx, const struct r53_rrset *rr,
    const char *what, const char *cause)
{
	log_msg("hosted zone %s: record %s %s%s%s: %s: %s", ctx->label,
	    rr->name != NULL ? rr->name : "?",
	    rr->type != NULL ? rr->type : "?",
	    rr->set_identifier != NULL ? " SetIdentifier " : "",
	    rr->set_identifier != NULL ? rr->set_identifier : "", what,
	    cause);
	ctx->status = EXIT_BADINPUT;
	return -1;
}

/* Owner and type of rr into cv. */
static int
conv_key(struct dump_ctx *ctx, const struct r53_rrset *rr, struct conv *cv)
{
	int rc;

	if (rr->name == NULL || rr->type == NULL)
		return dump_bad_record(ctx, rr, "malformed", "no Name or Type");
	rc = name_from_r53(rr->name, &cv->owner);
	if (rc != NAME_OK)
		return dump_bad_record(ctx, rr, "cannot decode the name",
		    name_strerror(rc));
	if (!name_is_subdomain(cv->owner, ctx->origin))
		return dump_bad_record(ctx, rr, "name", "outside the zone");
	if (canon_type_from_name(rr->type, &cv->rrtype) != 0 ||
	    canon_type_name(cv->rrtype, cv->type, sizeof(cv->type)) < 0)
		return dump_bad_record(ctx, rr, "type", "unknown type");
	if (rr->set_identifier != NULL) {
		cv->setid = setid_escape(rr->set_identifier,
		    strlen(rr->set_identifier));
		if (cv->setid == NULL)
			return dump_bad_record(ctx, rr, "SetIdentifier",
			    "out of memory");
	}
	return 0;
}

/* 1 when canon_to_r53value of each canonical value gives back the stored
 * Value byte for byte and no two stored values share a canonical form;
 * 0 otherwise (then @raw is needed); -1 on an internal error.  The values
 * were just made by canon_from_r53value, so the _trusted form skips a
 * second parse; where the old check (with canon_verify) said "same", so
 * does this one: the stored Value parsed to this text, so the text parses
 * back to itself. */
static int
conv_reproducible(const struct r53_rrset *rr, const struct conv *cv)
{
	size_t i, j;
	char *back = NULL;
	int same;

	for (i = 0; i < cv->n; i++) {
		if (canon_to_r53value_trusted(cv->rrtype, cv->rdata[i],
		    &back) != 0)
			return -1;
		same = strcmp(back, rr->values[i]) == 0;
		free(back);
		back = NULL;
		if (!same)
			return 0;
	}
	/* Values that differ only in case (or escaping) collapse to one
	 * canonical record; a DELETE must still list all of them. */
	for (i = 0; i < cv->n; i++)
		for (j = i + 1; j < cv->n; j++)
			if (strcmp(cv->rdata[i], cv->rdata[j]) == 0)
				return 0;
	return 1;
}

/* The @raw JSON array: the stored Values exactly as listed. */
static char *
conv_raw_json(const struct r53_rrset *rr)
{
	json_t *arr = NULL, *s = NULL;
	char *out = NULL;
	size_t i;

	arr = json_array();
	if (arr == NULL)
		return NULL;
	for (i = 0; i < rr->nvalues; i++) {
		s = json_string(rr->values[i]);
		if (s == NULL || json_array_append_new(arr, s) != 0)
			goto done;	/* not UTF-8 or out of memory */
	}
	out = json_dumps(arr, DUMP_JSON_FLAGS);
done:
	json_decref(arr);
	return out;
}

/*
 * conv_unconverted(ctx, rr, cv, i, err): Value I of rr has no canonical
 * text.  One stored value must not cost the whole zone (a zone written by
 * other tools holds such values, e.g. decimal escapes): the RRset is
 * written without RDATA, its stored values in @raw (SPEC 2.2), so it never
 * equals a source RRset and r53apply deletes or replaces it with exactly
 * these values.  The apex SOA is the exception: the stream's serial comes
 * from it (and Route 53 checks an SOA's syntax, so only a broken listing
 * gets here).  Returns 0, or -1 after reporting.
 */
static int
conv_unconverted(struct dump_ctx *ctx, const struct r53_rrset *rr,
    struct conv *cv, size_t i, const char *err)
{
	char what[160];
	size_t k;

	snprintf(what, sizeof(what), "cannot parse Value %zu '%.100s%s'",
	    i + 1, rr->values[i], strlen(rr->values[i]) > 100 ? "..." : "");
	if (strcmp(cv->type, "SOA") == 0 && cv->setid == NULL &&
	    strcmp(cv->owner, ctx->origin) == 0)
		return dump_bad_record(ctx, rr, what, err);
	for (k = 0; k < cv->n; k++)
		free(cv->rdata[k]);
	free(cv->rdata);
	cv->rdata = NULL;
	cv->n = 0;
	if ((cv->raw = conv_raw_json(rr)) == NULL)
		return dump_bad_record(ctx, rr, "values",
		    "cannot encode the stored values as JSON");
	log_warn("hosted zone %s: record %s %s%s%s: %s: %s; written without "
	    "RDATA (stored values in @raw): it never equals a source RRset",
	    ctx->label, rr->name, rr->type,
	    rr->set_identifier != NULL ? " SetIdentifier " : "",
	    rr->set_identifier != NULL ? rr->set_identifier : "", what, err);
	return 0;
}

/* Every Value of rr to canonical text, and @raw when needed. */
static int
conv_values(struct dump_ctx *ctx, const struct r53_rrset *rr,
    struct conv *cv)
{
	char *err = NULL;
	size_t i;
	int rc;

	if (rr->nvalues == 0)
		return 0;
	cv->rdata = calloc(rr->nvalues, sizeof(*cv->rdata));
	if (cv->rdata == NULL)
		return dump_bad_record(ctx, rr, "values", "out of memory");
	/* All slots NULL until filled, so conv_clear frees any prefix. */
	cv->n = rr->nvalues;
	for (i = 0; i < rr->nvalues; i++) {
		if (canon_from_r53value(cv->rrtype, rr->values[i], ctx->origin,
		    &cv->rdata[i], &err) != 0) {
			rc = conv_unconverted(ctx, rr, cv, i,
			    err != NULL ? err : "invalid");
			free(err);
			return rc;
		}
	}
	/* -1: a canonical text without a Route 53 form (RFC 3597): the
	 * RDATA is right, but only the stored values can delete it. */
	rc = conv_reproducible(rr, cv);
	if (rc != 1) {
		cv->raw = conv_raw_json(rr);
		if (cv->raw == NULL)
			return dump_bad_record(ctx, rr, "values",
			    "cannot encode the stored values as JSON");
	}
	return 0;
}

/* TTL of the stream line: -1 ("-") for records without TTL and values
 * (aliases, traffic-policy records), else Route 53's TTL. */
static int
conv_ttl(struct dump_ctx *ctx, const struct r53_rrset *rr, long *ttl)
{
	if (rr->ttl < 0) {
		if (rr->nvalues > 0)
			return dump_bad_record(ctx, rr, "TTL",
			    "values without a TTL");
		if (rr->extras == NULL)
			return dump_bad_record(ctx, rr, "malformed",
			    "neither TTL nor AliasTarget");
		*ttl = -1;
		return 0;
	}
	if (rr->ttl > 2147483647L)
		return dump_bad_record(ctx, rr, "TTL", "above 2147483647");
	if (rr->nvalues == 0)
		return dump_bad_record(ctx, rr, "malformed",
		    "a TTL but no ResourceRecords");
	*ttl = rr->ttl;
	return 0;
}

/* Remember the serial of the apex SOA (third field of the canonical
 * RDATA "MNAME RNAME SERIAL ..."). */
static int
dump_note_serial(struct dump_ctx *ctx, const struct r53_rrset *rr,
    const struct conv *cv)
{
	const char *p, *end;
	size_t len;

	if (strcmp(cv->type, "SOA") != 0 || cv->setid != NULL ||
	    strcmp(cv->owner, ctx->origin) != 0 || cv->n == 0)
		return 0;
	if (cv->n != 1 || ctx->serial != NULL)
		return dump_bad_record(ctx, rr, "SOA", "more than one SOA");
	p = strchr(cv->rdata[0], ' ');
	p = p != NULL ? strchr(p + 1, ' ') : NULL;
	if (p == NULL)
		return dump_bad_record(ctx, rr, "SOA", "no serial field");
	p++;
	end = strchr(p, ' ');
	len = end != NULL ? (size_t)(end - p) : strlen(p);
	ctx->serial = strndup(p, len);
	if (ctx->serial == NULL)
		return dump_bad_record(ctx, rr, "SOA", "out of memory");
	return 0;
}

/* The Route 53-only elements as compact sorted JSON. */
static int
conv_extras(struct dump_ctx *ctx, const struct r53_rrset *rr,
    struct conv *cv)
{
	if (rr->extras == NULL || json_object_size(rr->extras) == 0)
		return 0;
	cv->r53 = json_dumps(rr->extras, DUMP_JSON_FLAGS);
	if (cv->r53 == NULL)
		return dump_bad_record(ctx, rr, "routing/alias elements",
		    "cannot encode as JSON");
	return 0;
}

/* Convert one listed RRset into cv. */
static int
conv_rrset(struct dump_ctx *ctx, const struct r53_rrset *rr, struct conv *cv,
    long *ttl)
{
	if (conv_key(ctx, rr, cv) != 0 || conv_ttl(ctx, rr, ttl) != 0 ||
	    conv_values(ctx, rr, cv) != 0 || conv_extras(ctx, rr, cv) != 0)
		return -1;
	return dump_note_serial(ctx, rr, cv);
}

/* The progress line: pages of the total GetHostedZone gave. */
static void
dump_progress(struct dump_ctx *ctx, int final)
{
	if (ctx->progress == NULL)
		return;
	if (ctx->total >= 0)
		progress_show(ctx->progress, final, "page %lu of %ld, %lu of "
		    "%ld RRsets", ctx->pages, (ctx->total + DUMP_PAGE_SIZE - 1) /
		    DUMP_PAGE_SIZE, ctx->rrsets, ctx->total);
	else
		progress_show(ctx->progress, final, "page %lu, %lu RRsets",
		    ctx->pages, ctx->rrsets);
}

/* List callback of the full dump: convert and add to the zone buffer. */
static int
dump_cb(void *arg, const struct r53_rrset *rr)
{
	struct dump_ctx *ctx = arg;
	struct conv cv;
	long ttl = -1;
	int rc = -1;

	memset(&cv, 0, sizeof(cv));
	if (conv_rrset(ctx, rr, &cv, &ttl) != 0)
		goto done;
	if (zonebuf_add_rrset(ctx->zb, cv.owner, cv.type, cv.setid, ttl,
	    (const char *const *)cv.rdata, cv.n, cv.r53, cv.raw) != 0) {
		dump_bad_record(ctx, rr, "stream", "record refused");
		goto done;
	}
	ctx->rrsets++;
	dump_progress(ctx, 0);
	rc = 0;
done:
	conv_clear(&cv);
	return rc;
}

/* A failed list request: report with the page number. */
static int
dump_list_failed(struct dump_ctx *ctx, int status, struct r53_error *err)
{
	if (status == R53_STOPPED && ctx->status != 0)
		return ctx->status;	/* already reported */
	log_msg("hosted zone %s: ListResourceRecordSets failed on page %lu: "
	    "%s", ctx->label, ctx->pages,
	    err->message != NULL ? err->message : r53_strstatus(status));
	return status == R53_STOPPED ? EXIT_BADINPUT : r53_status_exit(status);
}

/* dump_zone(ctx): every RRset of the zone through dump_cb, in Route 53's
 * order, DUMP_PAGE_SIZE a request; ctx->pages counts the requests. */
int
dump_zone(struct dump_ctx *ctx)
{
	struct r53_error err;
	int status, rc = EXIT_OK;

	memset(&err, 0, sizeof(err));
	status = r53_list_all(ctx->client, ctx->zone_id, DUMP_PAGE_SIZE,
	    dump_cb, ctx, &ctx->pages, &err);
	dump_progress(ctx, 1);
	if (ctx->progress != NULL)
		progress_end(ctx->progress);
	if (status != R53_OK)
		rc = dump_list_failed(ctx, status, &err);
	log_debug(2, "hosted zone %s: %lu pages, %lu RRsets", ctx->label,
	    ctx->pages, ctx->rrsets);
	r53_error_clear(&err);
	return rc;
}

/* List callback of the serial probe: the first RRset must be the apex
 * SOA. */
static int
serial_cb(void *arg, const struct r53_rrset *rr)
{
	struct dump_ctx *ctx = arg;
	struct conv cv;
	long ttl = -1;
	int rc = -1;

	memset(&cv, 0, sizeof(cv));
	if (ctx->rrsets++ > 0)
		goto done;	/* maxitems=1: ignore anything more */
	if (conv_key(ctx, rr, &cv) != 0)
		goto done;
	if (strcmp(cv.type, "SOA") != 0 || strcmp(cv.owner, ctx->origin) != 0) {
		rc = 0;		/* no apex SOA: reported by dump_serial */
		goto done;
	}
	if (conv_ttl(ctx, rr, &ttl) != 0 || conv_values(ctx, rr, &cv) != 0 ||
	    dump_note_serial(ctx, rr, &cv) != 0)
		goto done;
	rc = 0;
done:
	conv_clear(&cv);
	return rc;
}

int
dump_serial(struct dump_ctx *ctx)
{
	struct r53_page_next next;
	struct r53_error err;
	int status, rc = EXIT_OK;

	memset(&next, 0, sizeof(next));
	memset(&err, 0, sizeof(err));
	ctx->pages = 1;
	status = r53_list_rrsets(ctx->client, ctx->zone_id, ctx->zone_name,
	    "SOA", NULL, 1, serial_cb, ctx, &next, &err);
	if (status != R53_OK)
		rc = dump_list_failed(ctx, status, &err);
	else if (ctx->serial == NULL) {
		log_msg("hosted zone %s: no SOA record at the apex %s",
		    ctx->label, ctx->origin);
		rc = EXIT_REMOTE;
	}
	r53_page_next_clear(&next);
	r53_error_clear(&err);
	return rc;
}

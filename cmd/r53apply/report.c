/*
 * report.c: what r53apply tells the user: the dry-run plan (text, or JSON
 * with --json), the lines on stderr for skipped and held changes, the
 * one summary line, and the JSON report file (--report, written
 * atomically).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "apply.h"
#include "log.h"
#include "tmpguard.h"

static const char *const action_name[] = { "CREATE", "DELETE", "UPSERT" };

const char *
ap_state_name(enum ap_state s)
{
	switch (s) {
	case AP_PENDING: return "pending";
	case AP_SKIPPED: return "skipped";
	case AP_HELD: return "held";
	case AP_APPLIED: return "applied";
	case AP_REJECTED: return "rejected";
	case AP_NOTSENT: return "not-sent";
	case AP_ALREADY: return "already-applied";
	}
	return "?";
}

const char *
ap_bstate_name(enum ap_bstate s)
{
	switch (s) {
	case AB_PLANNED: return "planned";
	case AB_APPLIED: return "applied";
	case AB_PARTIAL: return "partial";
	case AB_REJECTED: return "rejected";
	case AB_FAILED: return "failed";
	case AB_NOTSENT: return "not-sent";
	}
	return "?";
}

static const struct ap_set *
main_set(const struct ap_change *c)
{
	return c->new != NULL ? c->new : c->old;
}

/* ap_report_skips(run, st): one line on stderr per change in state st
 * (skipped or held), with the reason. */
void
ap_report_skips(const struct ap_run *run, enum ap_state st)
{
	size_t i;

	for (i = 0; i < run->nchg; i++) {
		const struct ap_change *c = &run->chg[i];
		const struct ap_set *s = c->new != NULL ? c->new : c->old;
		if (c->state != st)
			continue;
		log_msg("%s: line %lu: %s %s%s%s: %s", ap_state_name(st),
		    c->lineno, ap_set_owner(s), ap_set_type(s),
		    ap_set_setid(s) ? "/" : "",
		    ap_set_setid(s) ? ap_set_setid(s) : "", c->why ? c->why : "");
	}
}

/* key_text(c, buf, len): "OWNER TYPE[/SETID]" for messages. */
static const char *
key_text(const struct ap_change *c, char *buf, size_t len)
{
	const struct ap_set *s = main_set(c);

	snprintf(buf, len, "%s %s%s%s", ap_set_owner(s), ap_set_type(s),
	    ap_set_setid(s) ? "/" : "", ap_set_setid(s) ? ap_set_setid(s) : "");
	return buf;
}

static void
print_rr(FILE *f, const char *action, const struct r53_rrset *rr)
{
	size_t i;

	fprintf(f, "  %s %s %s", action, rr->name, rr->type);
	if (rr->set_identifier != NULL)
		fprintf(f, " id=%s", rr->set_identifier);
	if (rr->ttl >= 0)
		fprintf(f, " %ld", rr->ttl);
	else
		fprintf(f, " alias");
	for (i = 0; i < rr->nvalues; i++)
		fprintf(f, " [%s]", rr->values[i]);
	fputc('\n', f);
}

static size_t
count_state(const struct ap_run *run, enum ap_state st, int kind)
{
	size_t i, n = 0;

	for (i = 0; i < run->nchg; i++)
		if (run->chg[i].state == st &&
		    (kind == 0 || run->chg[i].kind == kind))
			n++;
	return n;
}

/* dns_side(f, rr, type): " TTL [TYPE] VALUE, VALUE" (or "alias" and
 * the alias target) of one side of a change, as in a zone file. */
static void
dns_side(FILE *f, const struct r53_rrset *rr, int type)
{
	char *x;
	size_t i;

	if (rr->ttl >= 0)
		fprintf(f, " %ld", rr->ttl);
	else
		fprintf(f, " alias");
	if (type)
		fprintf(f, " %s", rr->type);
	for (i = 0; i < rr->nvalues; i++)
		fprintf(f, "%s%s", i ? ", " : " ", rr->values[i]);
	if (rr->extras != NULL &&
	    (x = json_dumps(rr->extras, JSON_COMPACT)) != NULL) {
		fprintf(f, " %s", x);
		free(x);
	}
}

/* dns_change(f, old, new): one change in DNS terms: "+ NAME TTL TYPE
 * VALUES" (add), "- NAME TTL TYPE VALUES" (delete), "~ NAME TYPE TTL
 * VALUES -> TTL VALUES" (update: the old RRset, then the new); values
 * separated by ", ", a SetIdentifier as " set-id=ID" after the name. */
static void
dns_change(FILE *f, const struct r53_rrset *old, const struct r53_rrset *new)
{
	const struct r53_rrset *rr = new != NULL ? new : old;

	fprintf(f, "%c %s", old == NULL ? '+' : new == NULL ? '-' : '~',
	    rr->name);
	if (rr->set_identifier != NULL)
		fprintf(f, " set-id=%s", rr->set_identifier);
	if (old == NULL || new == NULL) {
		dns_side(f, rr, 1);
	} else {
		fprintf(f, " %s", rr->type);
		dns_side(f, old, 0);
		fputs(" ->", f);
		dns_side(f, new, 0);
	}
	fputc('\n', f);
}

/* plan_rr(s): the Route 53 form of a change's side, built on demand
 * (conv.c) and released with its batch. */
static const struct r53_rrset *
plan_rr(struct ap_set *s)
{
	return s != NULL ? ap_set_rr(s) : NULL;
}

/* print_changes(run, f): every change to send, one line each in DNS
 * terms, batch by batch (the order they are sent in), the apex SOA
 * r53apply writes last in its batch. */
static void
print_changes(const struct ap_run *run, FILE *f)
{
	size_t i, j, k;

	for (i = 0; i < run->nbatches; i++) {
		const struct ap_batch *b = &run->batches[i];
		for (j = 0; j < b->nitems; j++) {
			const struct ap_item *it = &run->items[b->items[j]];
			for (k = 0; k < it->n; k++) {
				const struct ap_change *c =
				    &run->chg[it->chg[k]];
				dns_change(f, plan_rr(c->old), plan_rr(c->new));
			}
		}
		if (b->has_soa)
			dns_change(f, run->soa, &run->soa_new);
		ap_batch_release(run, b->items, b->nitems);
	}
}

/* print_batches(run, f): the requests as they would be sent (-v). */
static void
print_batches(const struct ap_run *run, FILE *f)
{
	struct r53_change *ch = NULL;
	size_t i, j, n;

	for (i = 0; i < run->nbatches; i++) {
		const struct ap_batch *b = &run->batches[i];
		fprintf(f, "batch %zu/%zu: %zu records, %zu characters\n",
		    i + 1, run->nbatches, b->nrr, b->nchars);
		if (ap_batch_changes(run, b->items, b->nitems, 1, &ch, &n))
			return;
		for (j = 0; j < n; j++)
			print_rr(f, action_name[ch[j].action], ch[j].rrset);
		ap_batch_release(run, b->items, b->nitems);
		free(ch);
		ch = NULL;
	}
}

/* ap_print_plan_text(run, f): the plan in DNS terms, one line a change,
 * then what was left out, then the request count; with -v the batches
 * as they would be sent (an update is a DELETE and a CREATE there). */
void
ap_print_plan_text(const struct ap_run *run, FILE *f)
{
	size_t i;
	char key[1200];

	fprintf(f, "zone %s origin %s: %zu changes, %zu to send, %zu "
	    "skipped, %zu held\n", run->zone_id ? run->zone_id : "?",
	    run->origin, run->nchg, count_state(run, AP_PENDING, 0),
	    count_state(run, AP_SKIPPED, 0), count_state(run, AP_HELD, 0));
	print_changes(run, f);
	for (i = 0; i < run->nchg; i++) {
		const struct ap_change *c = &run->chg[i];
		if (c->state != AP_SKIPPED && c->state != AP_HELD)
			continue;
		fprintf(f, "%s: line %lu: %s: %s\n", ap_state_name(c->state),
		    c->lineno, key_text(c, key, sizeof(key)),
		    c->why ? c->why : "");
	}
	fprintf(f, "requests %zu, lower bound %zu (%zu ResourceRecord "
	    "elements, %zu Value characters)\n", run->nbatches,
	    run->lower_bound, run->total_rrs, run->total_chars);
	if (log_verbose > 0)
		print_batches(run, f);
}

static json_t *
rr_json(const char *action, const struct r53_rrset *rr)
{
	json_t *o = json_object();

	json_object_set_new(o, "action", json_string(action));
	return r53_rrset_json(o, rr);
}

/* change_ref_json(c): a new object naming change c by its line in the
 * change stream, its kind and its key; the caller owns it. */
static json_t *
change_ref_json(const struct ap_change *c)
{
	json_t *o = json_object();
	char key[1200];

	json_object_set_new(o, "line", json_integer((json_int_t)c->lineno));
	json_object_set_new(o, "kind", json_stringn(
	    (const char[]){ (char)c->kind, 0 }, 1));
	json_object_set_new(o, "key", json_string(key_text(c, key,
	    sizeof(key))));
	return o;
}

static json_t *
not_applied_json(const struct ap_run *run)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; i < run->nchg; i++) {
		const struct ap_change *c = &run->chg[i];
		json_t *o;
		if (c->state == AP_APPLIED || c->state == AP_PENDING ||
		    c->state == AP_ALREADY)
			continue;
		o = change_ref_json(c);
		json_object_set_new(o, "state",
		    json_string(ap_state_name(c->state)));
		json_object_set_new(o, "reason", json_string(c->why ? c->why :
		    ""));
		if (c->state == AP_REJECTED)
			json_object_set_new(o, "refusal", json_string(
			    ap_refusal_kind_name(c->refused)));
		json_array_append_new(a, o);
	}
	return a;
}

/* already_json(run): the changes found already applied, as line, kind
 * and key. */
static json_t *
already_json(const struct ap_run *run)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; i < run->nchg; i++) {
		if (run->chg[i].state == AP_ALREADY)
			json_array_append_new(a, change_ref_json(&run->chg[i]));
	}
	return a;
}

/* ap_print_plan_json(run, f): the plan as one JSON document. */
int
ap_print_plan_json(const struct ap_run *run, FILE *f)
{
	json_t *root = json_object(), *bs = json_array();
	struct r53_change *ch = NULL;
	size_t i, j, n;
	int ret = -1;

	if (root == NULL || bs == NULL)
		goto out;
	if (run->zone_id != NULL)
		json_object_set_new(root, "zone_id",
		    json_string(run->zone_id));
	json_object_set_new(root, "origin", json_string(run->origin));
	json_object_set_new(root, "changes", json_integer((json_int_t)
	    run->nchg));
	json_object_set_new(root, "requests", json_integer((json_int_t)
	    run->nbatches));
	json_object_set_new(root, "lower_bound", json_integer((json_int_t)
	    run->lower_bound));
	json_object_set_new(root, "resource_records", json_integer(
	    (json_int_t)run->total_rrs));
	json_object_set_new(root, "value_chars", json_integer((json_int_t)
	    run->total_chars));
	for (i = 0; i < run->nbatches; i++) {
		const struct ap_batch *b = &run->batches[i];
		json_t *bo = json_object(), *ca = json_array();
		json_object_set_new(bo, "resource_records",
		    json_integer((json_int_t)b->nrr));
		json_object_set_new(bo, "value_chars",
		    json_integer((json_int_t)b->nchars));
		if (ap_batch_changes(run, b->items, b->nitems, 1, &ch, &n)) {
			json_decref(bo);
			json_decref(ca);
			goto out;
		}
		for (j = 0; j < n; j++)
			json_array_append_new(ca, rr_json(
			    action_name[ch[j].action], ch[j].rrset));
		ap_batch_release(run, b->items, b->nitems);
		free(ch);
		ch = NULL;
		json_object_set_new(bo, "changes", ca);
		json_array_append_new(bs, bo);
	}
	json_object_set_new(root, "batches", bs);
	bs = NULL;
	json_object_set_new(root, "not_sent", not_applied_json(run));
	if (json_dumpf(root, f, JSON_INDENT(1) | JSON_PRESERVE_ORDER) == 0) {
		fputc('\n', f);
		ret = 0;
	}
out:
	json_decref(bs);
	json_decref(root);
	return ret;
}

/* ap_summary(run): the one line on stderr. */
void
ap_summary(const struct ap_run *run)
{
	struct r53_stats st;
	size_t created = count_state(run, AP_APPLIED, '+');
	size_t updated = count_state(run, AP_APPLIED, '<');
	size_t deleted = count_state(run, AP_APPLIED, '-');
	size_t already = count_state(run, AP_ALREADY, 0);
	size_t skipped = run->nchg - created - updated - deleted - already;
	char al[64] = "";

	memset(&st, 0, sizeof(st));
	if (run->client != NULL)
		r53_client_stats(run->client, &st);
	/* only when there are some: the line keeps its form otherwise */
	if (already > 0)
		snprintf(al, sizeof(al), "already applied %zu, ", already);
	/* "requests": every HTTP request sent, retries included (what
	 * Route 53 counts against the rate limit); the change requests
	 * before it say how the changes were batched */
	fprintf(stderr, "%s: %s: created %zu, updated %zu, deleted %zu, "
	    "%sskipped %zu, change requests %zu, requests %lu, retries %lu, "
	    "%.1fs\n", log_progname(), run->zone_name ? run->zone_name :
	    run->origin, created, updated, deleted, al, skipped,
	    run->requests, st.requests, st.retries, run->seconds);
}

/* report_run(root, run, st): the run's own figures, into ROOT. */
static void
report_run(json_t *root, const struct ap_run *run, const struct r53_stats *st)
{
	json_object_set_new(root, "zone_id", json_string(run->zone_id ?
	    run->zone_id : ""));
	json_object_set_new(root, "origin", json_string(run->origin));
	json_object_set_new(root, "dry_run", json_boolean(run->o.dry_run));
	json_object_set_new(root, "exit_status",
	    json_integer(run->exit_status));
	json_object_set_new(root, "created", json_integer((json_int_t)
	    count_state(run, AP_APPLIED, '+')));
	json_object_set_new(root, "updated", json_integer((json_int_t)
	    count_state(run, AP_APPLIED, '<')));
	json_object_set_new(root, "deleted", json_integer((json_int_t)
	    count_state(run, AP_APPLIED, '-')));
	json_object_set_new(root, "already_applied", json_integer((json_int_t)
	    count_state(run, AP_ALREADY, 0)));
	json_object_set_new(root, "skipped", json_integer((json_int_t)
	    count_state(run, AP_SKIPPED, 0)));
	json_object_set_new(root, "held", json_integer((json_int_t)
	    count_state(run, AP_HELD, 0)));
	json_object_set_new(root, "rejected", json_integer((json_int_t)
	    count_state(run, AP_REJECTED, 0)));
	json_object_set_new(root, "not_sent", json_integer((json_int_t)
	    count_state(run, AP_NOTSENT, 0)));
	json_object_set_new(root, "change_requests", json_integer(
	    (json_int_t)run->requests));
	json_object_set_new(root, "lower_bound", json_integer((json_int_t)
	    run->lower_bound));
	json_object_set_new(root, "http_requests", json_integer(
	    (json_int_t)st->requests));
	json_object_set_new(root, "retries", json_integer((json_int_t)
	    st->retries));
	json_object_set_new(root, "rereads", json_integer((json_int_t)
	    run->rereads));
	json_object_set_new(root, "seconds", json_real(run->seconds));
	if (run->soa != NULL)
		json_object_set_new(root, "serial_before", json_integer(
		    (json_int_t)run->soa_serial));
	json_object_set_new(root, "serial_written", run->soa_written ?
	    json_integer((json_int_t)run->desired_serial) : json_null());
}

/* batch_json(run, i): batch I's object in the report. */
static json_t *
batch_json(const struct ap_run *run, size_t i)
{
	const struct ap_batch *b = &run->batches[i];
	json_t *bo = json_object(), *ids = json_array();
	size_t nchg = 0, j;

	for (j = 0; j < b->nitems; j++)
		nchg += run->items[b->items[j]].n;
	json_object_set_new(bo, "batch", json_integer((json_int_t)(i + 1)));
	json_object_set_new(bo, "state", json_string(ap_bstate_name(b->state)));
	json_object_set_new(bo, "changes", json_integer((json_int_t)nchg));
	json_object_set_new(bo, "soa", json_boolean(b->has_soa));
	json_object_set_new(bo, "resource_records",
	    json_integer((json_int_t)b->nrr));
	json_object_set_new(bo, "value_chars",
	    json_integer((json_int_t)b->nchars));
	json_object_set_new(bo, "requests", json_integer((json_int_t)
	    b->requests));
	json_object_set_new(bo, "ambiguous", json_boolean(b->ambiguous));
	for (j = 0; j < b->nids; j++)
		json_array_append_new(ids, json_string(b->change_ids[j]));
	json_object_set_new(bo, "change_ids", ids);
	if (b->message != NULL)
		json_object_set_new(bo, "message", json_string(b->message));
	if (run->o.wait)
		json_object_set_new(bo, "insync", json_boolean(b->insync));
	return bo;
}

/* write_atomic(root, path): ROOT as indented JSON into PATH, through a
 * temporary file renamed over it, so that a reader never sees half a
 * report.  0 or -1 (reported). */
static int
write_atomic(json_t *root, const char *path)
{
	char tmp[4096];
	FILE *f = tmpguard_fopen("", path, tmp, sizeof(tmp));

	if (f == NULL)
		return -1;
	return tmpguard_fclose("", f, path, tmp, json_dumpf(root, f,
	    JSON_INDENT(1) | JSON_PRESERVE_ORDER) == 0 && fputc('\n', f) != EOF);
}

/*
 * ap_write_report(run, path): the JSON report, written to a temporary
 * file beside PATH and renamed.  0 or -1 (reported).
 */
int
ap_write_report(const struct ap_run *run, const char *path)
{
	json_t *root = json_object(), *bs = json_array();
	struct r53_stats st;
	size_t i;
	int ret;

	memset(&st, 0, sizeof(st));
	if (run->client != NULL)
		r53_client_stats(run->client, &st);
	report_run(root, run, &st);
	for (i = 0; i < run->nbatches; i++)
		json_array_append_new(bs, batch_json(run, i));
	json_object_set_new(root, "batches", bs);
	json_object_set_new(root, "not_applied", not_applied_json(run));
	json_object_set_new(root, "already_applied_changes",
	    already_json(run));
	ret = write_atomic(root, path);
	json_decref(root);
	return ret;
}

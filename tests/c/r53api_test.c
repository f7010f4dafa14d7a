/*
 * r53api_test: expose r53api.c to the bats suite.
 *
 *   r53api_test [client options] COMMAND [args]
 *
 * Client options: --endpoint-url URL, --region R, --profile P,
 * --ca-bundle FILE, --max-attempts N, --timeout-ms MS, --retry-time-ms MS,
 * --no-ratelimit, -v (repeatable: retries are logged at level 1).
 *
 * Commands:
 *   zone (--id ID | --name NAME) [--public|--private] [--vpc-id VPC]
 *   limit ID
 *   list ID [--name N] [--type T] [--identifier I] [--maxitems M]
 *	one page; prints each RRset as one JSON line, then
 *	"next truncated=0|1 [name=N type=T identifier=I]"
 *   list-all ID		every RRset, one JSON line each
 *   change ID FILE [--comment C]	FILE: a JSON array of changes
 *	{"action": "CREATE", "name":..., "type":..., "set_identifier":...,
 *	 "ttl": 300, "values": [...], "extras": {...}}; prints change_id=ID
 *   change-xml FILE [--comment C]	the request body, no network
 *   get-change ID		prints insync=0|1
 *   tags ID			prints "tag KEY=VALUE" per tag, then
 *	"tags n=N"
 *   add-tag ID KEY VALUE	ChangeTagsForResource, one tag
 *   tag-xml KEY VALUE		its request body, no network
 *
 * Several commands may share one client (one connection), separated by
 * a "+" argument: r53api_test list-all Z1 + change Z1 batch.json.  The
 * run stops at the first failure.
 *
 * On failure: "r53api_test: MESSAGE", then "status=NAME", "code=CODE" and
 * one "message=..." line per Route 53 message, on stderr; the exit status
 * is r53_status_exit().  After any network command "stats requests=N
 * retries=N throttled=N" goes to stderr.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "exitcodes.h"
#include "log.h"
#include "r53api.h"

static int
print_rrset(void *arg, const struct r53_rrset *rr)
{
	json_t *o;
	char *s;

	(void)arg;
	o = r53_rrset_json(json_object(), rr);
	s = json_dumps(o, JSON_COMPACT | JSON_ENSURE_ASCII);
	json_decref(o);
	if (s == NULL)
		return -1;
	puts(s);
	free(s);
	return 0;
}

/* The changes of FILE; rrsets in *rrs, caller frees both. */
static int
load_changes(const char *file, struct r53_change **chp,
    struct r53_rrset **rrp, size_t *np)
{
	json_t *root, *c, *v, *vals;
	json_error_t je;
	struct r53_change *ch;
	struct r53_rrset *rr;
	const char *a;
	size_t i, j, n;

	if ((root = json_load_file(file, 0, &je)) == NULL ||
	    !json_is_array(root))
		log_die(EXIT_BADINPUT, "%s: %s", file, root ? "not an array" :
		    je.text);
	n = json_array_size(root);
	ch = calloc(n ? n : 1, sizeof(*ch));
	rr = calloc(n ? n : 1, sizeof(*rr));
	if (ch == NULL || rr == NULL)
		log_die(EXIT_BADINPUT, "out of memory");
	json_array_foreach(root, i, c) {
		a = json_string_value(json_object_get(c, "action"));
		ch[i].action = a == NULL ? R53_CREATE :
		    strcmp(a, "DELETE") == 0 ? R53_DELETE :
		    strcmp(a, "UPSERT") == 0 ? R53_UPSERT : R53_CREATE;
		ch[i].rrset = &rr[i];
		rr[i].ttl = -1;
		if ((v = json_object_get(c, "name")) != NULL)
			rr[i].name = strdup(json_string_value(v));
		if ((v = json_object_get(c, "type")) != NULL)
			rr[i].type = strdup(json_string_value(v));
		if ((v = json_object_get(c, "set_identifier")) != NULL)
			rr[i].set_identifier = strdup(json_string_value(v));
		if ((v = json_object_get(c, "ttl")) != NULL)
			rr[i].ttl = (long)json_integer_value(v);
		vals = json_object_get(c, "values");
		rr[i].nvalues = json_array_size(vals);
		rr[i].values = calloc(rr[i].nvalues + 1, sizeof(char *));
		json_array_foreach(vals, j, v)
			rr[i].values[j] = strdup(json_string_value(v));
		if ((v = json_object_get(c, "extras")) != NULL)
			rr[i].extras = json_incref(v);
	}
	json_decref(root);
	*chp = ch;
	*rrp = rr;
	*np = n;
	return 0;
}

static void
free_changes(struct r53_change *ch, struct r53_rrset *rr, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		r53_rrset_clear(&rr[i]);
	free(rr);
	free(ch);
}

static const char *
opt(int argc, char **argv, const char *name)
{
	int i;

	for (i = 0; i + 1 < argc; i++)
		if (strcmp(argv[i], name) == 0)
			return argv[i + 1];
	return NULL;
}

static int
has(int argc, char **argv, const char *name)
{
	int i;

	for (i = 0; i < argc; i++)
		if (strcmp(argv[i], name) == 0)
			return 1;
	return 0;
}

static int
report(int rc, struct r53_error *err)
{
	size_t i;

	if (rc == R53_OK)
		return EXIT_OK;
	log_msg("%s", err->message ? err->message : "(no message)");
	fprintf(stderr, "status=%s\n", r53_strstatus(rc));
	if (err->code != NULL)
		fprintf(stderr, "code=%s\n", err->code);
	for (i = 0; i < err->nmessages; i++)
		fprintf(stderr, "message=%s\n", err->messages[i]);
	return r53_status_exit(rc);
}

static int
cmd_zone(struct r53_client *c, int argc, char **argv, struct r53_error *err)
{
	struct r53_zone z;
	enum r53_visibility vis = R53_VIS_ANY;
	size_t i;
	int rc;

	if (has(argc, argv, "--public"))
		vis = R53_VIS_PUBLIC;
	if (has(argc, argv, "--private"))
		vis = R53_VIS_PRIVATE;
	rc = r53_zone_resolve(c, opt(argc, argv, "--id"),
	    opt(argc, argv, "--name"), vis, opt(argc, argv, "--vpc-id"), &z,
	    err);
	if (rc != R53_OK)
		return rc;
	printf("id=%s name=%s private=%d count=%ld vpcs=", z.id, z.name,
	    z.private_zone, z.rrset_count);
	for (i = 0; i < z.nvpcs; i++)
		printf("%s%s/%s", i ? "," : "", z.vpcs[i].id, z.vpcs[i].region);
	printf("\n");
	r53_zone_clear(&z);
	return R53_OK;
}

static int
cmd_list(struct r53_client *c, int argc, char **argv, struct r53_error *err)
{
	struct r53_page_next nx = { 0 };
	const char *mi = opt(argc, argv, "--maxitems");
	int rc;

	if (argc < 1)
		log_die(EXIT_USAGE, "list ID");
	rc = r53_list_rrsets(c, argv[0], opt(argc, argv, "--name"),
	    opt(argc, argv, "--type"), opt(argc, argv, "--identifier"),
	    mi ? atoi(mi) : 0, print_rrset, NULL, &nx, err);
	if (rc != R53_OK)
		return rc;
	printf("next truncated=%d", nx.truncated);
	if (nx.truncated)
		printf(" name=%s type=%s identifier=%s", nx.name, nx.type,
		    nx.identifier ? nx.identifier : "-");
	printf("\n");
	r53_page_next_clear(&nx);
	return R53_OK;
}

static int
cmd_change(struct r53_client *c, int argc, char **argv, int xml_only,
    struct r53_error *err)
{
	struct r53_change *ch;
	struct r53_rrset *rr;
	char *id = NULL, *xml;
	size_t n, len;
	int rc;

	if (argc < (xml_only ? 1 : 2))
		log_die(EXIT_USAGE, "change ID FILE / change-xml FILE");
	load_changes(argv[xml_only ? 0 : 1], &ch, &rr, &n);
	if (xml_only) {
		xml = r53_change_xml(ch, n, opt(argc, argv, "--comment"), &len);
		free_changes(ch, rr, n);
		if (xml == NULL)
			log_die(EXIT_BADINPUT, "cannot build the XML");
		fwrite(xml, 1, len, stdout);
		putchar('\n');
		free(xml);
		return R53_OK;
	}
	rc = r53_change_rrsets(c, argv[0], ch, n, opt(argc, argv, "--comment"),
	    &id, err);
	free_changes(ch, rr, n);
	if (rc == R53_OK)
		printf("change_id=%s\n", id);
	free(id);
	return rc;
}

static int
cmd_tags(struct r53_client *c, const char *id, struct r53_error *err)
{
	struct r53_tag *t = NULL;
	size_t i, n = 0;
	int rc;

	rc = r53_list_zone_tags(c, id, &t, &n, err);
	for (i = 0; rc == R53_OK && i < n; i++)
		printf("tag %s=%s\n", t[i].key, t[i].value);
	if (rc == R53_OK)
		printf("tags n=%zu\n", n);
	r53_tags_free(t, n);
	return rc;
}

static int
run_cmd(struct r53_client *c, const char *cmd, int argc, char **argv,
    struct r53_error *err)
{
	long limit, count;
	int rc, insync;

	if (strcmp(cmd, "zone") == 0)
		return cmd_zone(c, argc, argv, err);
	if (strcmp(cmd, "limit") == 0 && argc >= 1) {
		rc = r53_get_zone_limit(c, argv[0], &limit, &count, err);
		if (rc == R53_OK)
			printf("limit=%ld count=%ld\n", limit, count);
		return rc;
	}
	if (strcmp(cmd, "list") == 0)
		return cmd_list(c, argc, argv, err);
	if (strcmp(cmd, "list-all") == 0 && argc >= 1)
		return r53_list_all(c, argv[0], 0, print_rrset, NULL, NULL,
		    err);
	if (strcmp(cmd, "change") == 0)
		return cmd_change(c, argc, argv, 0, err);
	if (strcmp(cmd, "tags") == 0 && argc >= 1)
		return cmd_tags(c, argv[0], err);
	if (strcmp(cmd, "add-tag") == 0 && argc >= 3)
		return r53_add_zone_tag(c, argv[0], argv[1], argv[2], err);
	if (strcmp(cmd, "get-change") == 0 && argc >= 1) {
		rc = r53_get_change(c, argv[0], &insync, err);
		if (rc == R53_OK)
			printf("insync=%d\n", insync);
		return rc;
	}
	log_die(EXIT_USAGE, "unknown command %s", cmd);
}

int
main(int argc, char **argv)
{
	struct r53_opts o;
	struct r53_client *c = NULL;
	struct r53_error err = { 0 };
	struct r53_stats st;
	int i, n, skip, rc, status;

	log_init(argv[0]);
	memset(&o, 0, sizeof(o));
	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		if (strcmp(argv[i], "-v") == 0) {
			log_verbose++;
			continue;
		}
		if (strcmp(argv[i], "--no-ratelimit") == 0) {
			o.no_ratelimit = 1;
			continue;
		}
		if (i + 1 >= argc)
			log_die(EXIT_USAGE, "%s needs a value", argv[i]);
		if (strcmp(argv[i], "--endpoint-url") == 0)
			o.endpoint_url = argv[++i];
		else if (strcmp(argv[i], "--region") == 0)
			o.region = argv[++i];
		else if (strcmp(argv[i], "--profile") == 0)
			o.profile = argv[++i];
		else if (strcmp(argv[i], "--ca-bundle") == 0)
			o.ca_bundle = argv[++i];
		else if (strcmp(argv[i], "--max-attempts") == 0)
			o.max_attempts = atoi(argv[++i]);
		else if (strcmp(argv[i], "--timeout-ms") == 0)
			o.timeout_ms = atol(argv[++i]);
		else if (strcmp(argv[i], "--retry-time-ms") == 0)
			o.max_retry_time_ms = atol(argv[++i]);
		else
			log_die(EXIT_USAGE, "unknown option %s", argv[i]);
	}
	if (i >= argc)
		log_die(EXIT_USAGE, "usage: r53api_test [options] COMMAND ...");
	argc -= i;
	argv += i;
	if (strcmp(argv[0], "tag-xml") == 0 && argc == 3) {
		char *x = r53_tag_xml(argv[1], argv[2], NULL);
		if (x == NULL)
			log_die(EXIT_USAGE, "tag refused");
		puts(x);
		free(x);
		return EXIT_OK;
	}
	if (strcmp(argv[0], "change-xml") == 0)
		return report(cmd_change(NULL, argc - 1, argv + 1, 1, &err),
		    &err);
	if ((c = r53_client_new(&o, &err, &status)) == NULL) {
		rc = report(status, &err);
		r53_error_clear(&err);
		return rc;
	}
	rc = R53_OK;
	while (argc > 0 && rc == R53_OK) {
		/* This command's arguments run to the next "+". */
		for (n = 0; n < argc && strcmp(argv[n], "+") != 0; n++)
			;
		if (n == 0)
			log_die(EXIT_USAGE, "empty command");
		rc = run_cmd(c, argv[0], n - 1, argv + 1, &err);
		skip = n < argc ? n + 1 : n;
		argc -= skip;
		argv += skip;
	}
	fflush(stdout);
	r53_client_stats(c, &st);
	fprintf(stderr, "stats requests=%lu retries=%lu throttled=%lu "
	    "list=%lu change=%lu get_change=%lu other=%lu\n", st.requests,
	    st.retries, st.throttled, st.list_calls, st.change_calls,
	    st.get_change_calls, st.other_calls);
	rc = report(rc, &err);
	r53_error_clear(&err);
	r53_client_free(c);
	return rc;
}

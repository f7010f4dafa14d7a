/*
 * fuzz_r53api: the Route 53 XML parsers of r53api.c (static), through
 * the public calls that parse an answer, with fake_awshttp.c serving the
 * input as the body.  Input: one octet choosing the call (low 3 bits)
 * and the HTTP status (next 2 bits: 200, 400, 403, 500; the error
 * document parser runs on the non-2xx), then the body.
 */
#include <stdlib.h>
#include <string.h>

#include "fake.h"
#include "fuzz.h"
#include "r53api.h"

static int
count(void *arg, const struct r53_rrset *rr)
{
	(void)rr;
	return ++*(int *)arg > 1000;
}

static void
one_call(struct r53_client *c, int op)
{
	static char name[] = "a.example.com.", type[] = "A", v[] = "192.0.2.1";
	static char *values[] = { v };
	static const struct r53_rrset rs = { name, type, NULL, 300, 1, values,
	    NULL };
	struct r53_change ch = { R53_UPSERT, &rs };
	struct r53_page_next next = { 0 };
	struct r53_error err = { 0 };
	struct r53_zone z = { 0 };
	char *id = NULL;
	long limit, cnt;
	int n = 0, insync;

	switch (op) {
	case 0: case 1:
		(void)r53_list_rrsets(c, "Z1", NULL, NULL, NULL, 0, count, &n,
		    &next, &err);
		break;
	case 2:
		(void)r53_change_rrsets(c, "Z1", &ch, 1, NULL, &id, &err);
		break;
	case 3:
		(void)r53_get_change(c, "C1", &insync, &err);
		break;
	case 4:
		(void)r53_get_hosted_zone(c, "Z1", &z, &err);
		break;
	case 5:
		(void)r53_get_zone_limit(c, "Z1", &limit, &cnt, &err);
		break;
	default:
		(void)r53_zone_resolve(c, NULL, "example.com.", R53_VIS_ANY,
		    NULL, &z, &err);
		break;
	}
	free(id);
	r53_page_next_clear(&next);
	r53_zone_clear(&z);
	r53_error_clear(&err);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const long status[] = { 200, 400, 403, 500 };
	static struct r53_client *c;
	struct r53_opts o;

	if (size < 1)
		return 0;
	if (c == NULL) {
		memset(&o, 0, sizeof(o));
		if ((c = r53_client_new(&o, NULL, NULL)) == NULL)
			abort();
	}
	fake_http_status = status[(data[0] >> 3) & 3];
	fake_http_body = (const char *)data + 1;
	fake_http_len = size - 1;
	one_call(c, data[0] & 7);
	return 0;
}

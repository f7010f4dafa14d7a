/*
 * soa.c: the apex SOA and serial arithmetic (RFC 1982), free of any I/O
 * so that tests/c/r53apply_plan_test.c can include it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apply.h"

/* next_word(p, &len): the next space-separated word. */
static const char *
next_word(const char *p, size_t *len)
{
	while (*p == ' ')
		p++;
	*len = strcspn(p, " ");
	return *len > 0 ? p : NULL;
}

/*
 * ap_soa_parse(value, mname, rname, serial, rest): split an SOA Value
 * "MNAME RNAME SERIAL REFRESH RETRY EXPIRE MINIMUM".  *mname, *rname and
 * *rest ("REFRESH RETRY EXPIRE MINIMUM") are malloc'd (any may be NULL
 * pointers to skip).  0 or -1.
 */
int
ap_soa_parse(const char *value, char **mname, char **rname,
    unsigned long *serial, char **rest)
{
	const char *w[3];
	size_t l[3], i;
	const char *p = value;
	unsigned long v = 0;
	char *m = NULL, *r = NULL, *t = NULL;

	for (i = 0; i < 3; i++) {
		w[i] = next_word(p, &l[i]);
		if (w[i] == NULL)
			return -1;
		p = w[i] + l[i];
	}
	if (l[2] > 10)
		return -1;
	for (i = 0; i < l[2]; i++) {
		if (w[2][i] < '0' || w[2][i] > '9')
			return -1;
		v = v * 10 + (unsigned long)(w[2][i] - '0');
	}
	if (v > 4294967295UL)
		return -1;
	while (*p == ' ')
		p++;
	if (*p == '\0')
		return -1;
	m = strndup(w[0], l[0]);
	r = strndup(w[1], l[1]);
	t = strdup(p);
	if (m == NULL || r == NULL || t == NULL) {
		free(m);
		free(r);
		free(t);
		return -1;
	}
	*serial = v;
	if (mname != NULL)
		*mname = m;
	else
		free(m);
	if (rname != NULL)
		*rname = r;
	else
		free(r);
	if (rest != NULL)
		*rest = t;
	else
		free(t);
	return 0;
}

/*
 * ap_soa_is_initial(value): 1 if the SOA Value is the one Route 53 wrote
 * when it created the zone: serial 1, MNAME ns-N.awsdns-NN.TLD., RNAME
 * awsdns-hostmaster.amazon.com.  It says nothing about ownership (a
 * source whose serial is 1 leaves the same SOA): owner.c only uses it to
 * tell an empty zone and a zone stamped by earlier versions.
 */
int
ap_soa_is_initial(const char *value)
{
	char *m = NULL, *r = NULL;
	unsigned long serial = 0;
	int yes = 0;

	if (ap_soa_parse(value, &m, &r, &serial, NULL) == -1)
		return 0;
	yes = serial == 1 && strncmp(m, "ns-", 3) == 0 &&
	    strstr(m, ".awsdns-") != NULL &&
	    strcmp(r, "awsdns-hostmaster.amazon.com.") == 0;
	free(m);
	free(r);
	return yes;
}

/*
 * ap_serial_ahead(r53, desired): 1 if Route 53's serial is ahead of the
 * desired one under RFC 1982 serial arithmetic (desired < r53), also when
 * the comparison is undefined (they differ by exactly 2^31); else 0.
 */
int
ap_serial_ahead(unsigned long r53, unsigned long desired)
{
	const unsigned long half = 2147483648UL;
	unsigned long d;

	r53 &= 0xffffffffUL;
	desired &= 0xffffffffUL;
	if (r53 == desired)
		return 0;
	d = (r53 - desired) & 0xffffffffUL;	/* how far r53 is past */
	return d <= half;
}


/*
 * ap_soa_plan(run): whether the apex SOA must be written (the source's
 * serial differs from Route 53's, or the SOA is still Route 53's own),
 * and if so the UPSERT in run->soa_new (run->want_soa = 1): Route 53's
 * SOA with the source's serial.  safety.c has already refused a serial
 * that must not be written.  0, or -1 (no memory, or an SOA Value that
 * does not parse).
 */
int
ap_soa_plan(struct ap_run *run)
{
	char *m = NULL, *r = NULL, *rest = NULL;
	unsigned long serial;
	char buf[2048];
	int rc = -1;

	if (run->soa == NULL || !run->has_desired_serial)
		return 0;
	if (run->soa_serial == run->desired_serial && !run->soa_initial)
		return 0;
	if (ap_soa_parse(run->soa->values[0], &m, &r, &serial, &rest) == -1)
		goto out;
	snprintf(buf, sizeof(buf), "%s %s %lu %s", m, r, run->desired_serial,
	    rest);
	memset(&run->soa_new, 0, sizeof(run->soa_new));
	run->soa_new.name = strdup(run->soa->name);
	run->soa_new.type = strdup("SOA");
	run->soa_new.ttl = run->soa->ttl;
	run->soa_new.values = calloc(1, sizeof(char *));
	if (run->soa_new.name == NULL || run->soa_new.type == NULL ||
	    run->soa_new.values == NULL)
		goto out;
	if ((run->soa_new.values[0] = strdup(buf)) == NULL)
		goto out;
	run->soa_new.nvalues = 1;
	run->want_soa = 1;
	rc = 0;
out:
	free(m);
	free(r);
	free(rest);
	return rc;
}

/*
 * awskey.c: see awskey.h.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>
#include <openssl/crypto.h>

#include "awskey.h"
#include "log.h"

void
awskey_free_str(char *s)
{
	if (s == NULL)
		return;
	OPENSSL_cleanse(s, strlen(s));
	free(s);
}

void
awskey_free_buf(char *s, size_t len)
{
	if (s == NULL)
		return;
	OPENSSL_cleanse(s, len);
	free(s);
}

void
awskey_clear(struct awscred *c)
{
	if (c == NULL)
		return;
	awskey_free_str(c->access_key_id);
	awskey_free_str(c->secret_access_key);
	awskey_free_str(c->session_token);
	memset(c, 0, sizeof(*c));
}

time_t
awskey_now(void)
{
	const char *f = getenv("R53M_FAKE_TIME");
	struct tm tm;
	char z = 0;

	/* Tests pin the clock: R53M_FAKE_TIME=20150830T123600Z (UTC). */
	if (f != NULL && *f != '\0') {
		memset(&tm, 0, sizeof(tm));
		if (strlen(f) == 16 && sscanf(f, "%4d%2d%2dT%2d%2d%2d%c",
		    &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour,
		    &tm.tm_min, &tm.tm_sec, &z) == 7 && z == 'Z') {
			tm.tm_year -= 1900;
			tm.tm_mon -= 1;
			return timegm(&tm);
		}
		log_warn("R53M_FAKE_TIME=%s is not YYYYMMDDTHHMMSSZ; ignored", f);
	}
	return time(NULL);
}

int
awskey_parse_time(const char *s, time_t *t)
{
	struct tm tm;
	int n = 0, oh, om;
	const char *p;

	memset(&tm, 0, sizeof(tm));
	if (sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%n", &tm.tm_year, &tm.tm_mon,
	    &tm.tm_mday, &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &n) != 6 ||
	    n != 19)
		return -1;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	*t = timegm(&tm);
	p = s + n;
	if (*p == '.')
		for (p++; isdigit((unsigned char)*p); p++)
			;
	if (strcmp(p, "Z") == 0 || strcmp(p, "+00:00") == 0 || *p == '\0')
		return 0;
	if ((*p == '+' || *p == '-') && sscanf(p + 1, "%2d:%2d", &oh, &om) == 2
	    && strlen(p) == 6) {
		*t -= (*p == '+' ? 1 : -1) * (oh * 3600 + om * 60);
		return 0;
	}
	return -1;
}


void
awskey_json_wipe(struct json_t *root)
{
	const char *key;
	json_t *val;

	json_object_foreach(root, key, val) {
		if (json_is_string(val))
			OPENSSL_cleanse((char *)json_string_value(val),
			    json_string_length(val));
	}
}

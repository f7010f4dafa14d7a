/*
 * awscred_test: expose awscred.c, awshttp_endpoint and ratelimit.c to
 * the bats suite.
 *
 *   awscred_test get [--profile P] [--then-at YYYYMMDDTHHMMSSZ]...
 *	Walk the credential chain and print one line per awscred_get:
 *	"source=S akid=A secret=sha256:H token=sha256:H|none expiration=E".
 *	Secrets are shown only as the first 16 hex digits of their SHA-256.
 *	Each --then-at pins the clock (R53M_FAKE_TIME) to that time and asks
 *	the same provider again, to test refreshing; --exec CMD runs CMD
 *	(sh -c) at that point of the list.  Exit 6 on failure.
 *   awscred_test endpoint [--endpoint-url URL] [--region R]
 *	Print "url=U region=R" as awshttp_endpoint resolves them; exit 3
 *	with the message when refused.
 *   awscred_test rate N
 *	Take N tokens from the shared rate limit; print the wall-clock time
 *	(ms) at which each was granted.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "awscred.h"
#include "awshttp.h"
#include "exitcodes.h"
#include "log.h"
#include "ratelimit.h"
#include "sigv4.h"

static void
digest(const char *s, char out[17])
{
	char hex[65];

	sigv4_sha256_hex(s, strlen(s), hex);
	memcpy(out, hex, 16);
	out[16] = '\0';
}

static void
show(const struct awscred *c)
{
	char s[17], t[17];

	digest(c->secret_access_key, s);
	if (c->session_token != NULL)
		digest(c->session_token, t);
	printf("source=%s akid=%s secret=sha256:%s token=%s%s expiration=%lld\n",
	    c->source, c->access_key_id, s, c->session_token ? "sha256:" : "",
	    c->session_token ? t : "none", (long long)c->expiration);
}

static int
cmd_get(int argc, char **argv)
{
	struct awscred_provider *p = NULL;
	const struct awscred *c;
	const char *profile = NULL;
	char err[512];
	int i, rc = EXIT_OK;

	for (i = 0; i < argc; i++)
		if (strcmp(argv[i], "--profile") == 0 && i + 1 < argc)
			profile = argv[++i];
	if ((p = awscred_provider_new(profile)) == NULL)
		log_die(EXIT_BADINPUT, "out of memory");
	if (awscred_get(p, &c, err, sizeof(err))) {
		log_msg("credentials: %s", err);
		rc = EXIT_VERIFY;
		goto done;
	}
	show(c);
	for (i = 0; i < argc; i++) {
		/* --exec CMD: change the world between two gets (a token
		 * file rotates, say); the test's own command, run by sh. */
		if (strcmp(argv[i], "--exec") == 0 && i + 1 < argc &&
		    system(argv[++i]) != 0)
			log_die(EXIT_BADINPUT, "--exec %s failed", argv[i]);
		if (strcmp(argv[i], "--then-at") != 0 || i + 1 >= argc)
			continue;
		setenv("R53M_FAKE_TIME", argv[++i], 1);
		if (awscred_get(p, &c, err, sizeof(err))) {
			log_msg("credentials: %s", err);
			rc = EXIT_VERIFY;
			goto done;
		}
		show(c);
	}
done:
	awscred_provider_free(p);
	return rc;
}

static int
cmd_endpoint(int argc, char **argv)
{
	const char *url = NULL, *region = NULL;
	char *u = NULL, *r = NULL, err[512];
	int i;

	for (i = 0; i + 1 < argc; i++) {
		if (strcmp(argv[i], "--endpoint-url") == 0)
			url = argv[++i];
		else if (strcmp(argv[i], "--region") == 0)
			region = argv[++i];
	}
	if (awshttp_endpoint(url, region, &u, &r, err, sizeof(err)) !=
	    AWSHTTP_OK) {
		log_msg("%s", err);
		return EXIT_USAGE;
	}
	printf("url=%s region=%s\n", u, r);
	free(u);
	free(r);
	return EXIT_OK;
}

static int
cmd_rate(int argc, char **argv)
{
	struct timespec ts;
	int i, n;

	if (argc < 1 || (n = atoi(argv[0])) <= 0 || n > 10000)
		log_die(EXIT_USAGE, "rate N");
	for (i = 0; i < n; i++) {
		if (ratelimit_acquire() == -1)
			return EXIT_BADINPUT;
		clock_gettime(CLOCK_REALTIME, &ts);
		printf("%lld\n", (long long)ts.tv_sec * 1000 +
		    ts.tv_nsec / 1000000);
		fflush(stdout);
	}
	return EXIT_OK;
}

int
main(int argc, char **argv)
{
	log_init(argv[0]);
	if (argc >= 2 && strcmp(argv[1], "get") == 0)
		return cmd_get(argc - 2, argv + 2);
	if (argc >= 2 && strcmp(argv[1], "endpoint") == 0)
		return cmd_endpoint(argc - 2, argv + 2);
	if (argc >= 2 && strcmp(argv[1], "rate") == 0)
		return cmd_rate(argc - 2, argv + 2);
	log_die(EXIT_USAGE, "usage: awscred_test get|endpoint|rate ...");
}

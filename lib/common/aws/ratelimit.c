/*
 * ratelimit.c: a token bucket shared through a state file under flock(2).
 * Each caller reserves a token (the count may go below zero), writes the
 * bucket back, unlocks, and then sleeps until its token is due: the lock
 * is never held while sleeping, and waiting processes are served in the
 * order they reserved.
 */
#include <sys/file.h>
#include <sys/stat.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "log.h"
#include "ratelimit.h"

#define DEF_RATE 5.0
#define DEF_BURST 1.0

/* The file holds one line: "tokens last" (last: CLOCK_MONOTONIC secs). */
struct bucket {
	double tokens;
	double last;
};

static double
env_double(const char *name, double dflt, double lo, double hi, int *warned)
{
	const char *v = getenv(name);
	char *end;
	double d;

	if (v == NULL || *v == '\0')
		return dflt;
	d = strtod(v, &end);
	/* !(d >= lo && d <= hi): also refuses NaN, which compares false */
	if (*end != '\0' || !(d >= lo && d <= hi)) {
		/* Once per run, not once per request. */
		if (!*warned)
			log_warn("%s=%s is not a number in [%g, %g]; using %g",
			    name, v, lo, hi, dflt);
		*warned = 1;
		return dflt;
	}
	return d;
}

/* The budget's key: a profile other than "default" (its own account,
 * as a rule), or "" for the default one. */
static char rate_key[65];

void
ratelimit_set_key(const char *profile)
{
	size_t i;

	rate_key[0] = '\0';
	if (profile == NULL || strcmp(profile, "default") == 0)
		return;
	/* A file name part: anything unusual becomes '_'. */
	for (i = 0; profile[i] != '\0' && i < sizeof(rate_key) - 1; i++)
		rate_key[i] = isalnum((unsigned char)profile[i]) ||
		    strchr("._-", profile[i]) != NULL ? profile[i] : '_';
	rate_key[i] = '\0';
}

/* Open the state file safely: ours, a regular file, no symlink. */
static int
open_state(void)
{
	const char *base = getenv("R53M_RATE_FILE");
	char dflt[64], path[1200];
	struct stat st;
	int fd;

	if (base == NULL || *base == '\0') {
		snprintf(dflt, sizeof(dflt), "/tmp/r53mirror-ratelimit-%lu",
		    (unsigned long)getuid());
		base = dflt;
	}
	snprintf(path, sizeof(path), "%.1024s%s%s", base,
	    rate_key[0] != '\0' ? "-" : "", rate_key);
	if ((fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC,
	    0600)) == -1) {
		log_errno("warning: rate limit file %s", path);
		return -1;
	}
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode) ||
	    st.st_uid != getuid()) {
		log_warn("rate limit file %s is not a regular file of ours; "
		    "not sharing the rate limit", path);
		close(fd);
		return -1;
	}
	return fd;
}

static void
read_bucket(int fd, struct bucket *b, double burst, double now)
{
	char buf[128];
	ssize_t n;

	b->tokens = burst;
	b->last = now;
	if ((n = pread(fd, buf, sizeof(buf) - 1, 0)) <= 0)
		return;
	buf[n] = '\0';
	if (sscanf(buf, "%lf %lf", &b->tokens, &b->last) != 2 ||
	    b->last > now || b->tokens > burst || b->tokens < -1e6) {
		/* Unknown, corrupt, or from before a reboot: start afresh. */
		b->tokens = burst;
		b->last = now;
	}
}

static int
write_bucket(int fd, const struct bucket *b)
{
	char buf[128];
	int n;

	n = snprintf(buf, sizeof(buf), "%.6f %.6f\n", b->tokens, b->last);
	if (n < 0 || (size_t)n >= sizeof(buf) ||
	    pwrite(fd, buf, (size_t)n, 0) != n || ftruncate(fd, n) == -1)
		return -1;
	return 0;
}

int
ratelimit_acquire(void)
{
	static int warned, wrate, wburst;
	struct bucket b;
	double rate, burst, now, wait;
	int fd;

	rate = env_double("R53M_RATE", DEF_RATE, 0, 1e6, &wrate);
	burst = env_double("R53M_RATE_BURST", DEF_BURST, 1, 1e6, &wburst);
	if (rate == 0)
		return 0;
	if ((fd = open_state()) == -1)
		goto nofile;
	while (flock(fd, LOCK_EX) == -1) {
		if (errno != EINTR) {
			close(fd);
			goto nofile;
		}
	}
	/* Refill for the time elapsed, then reserve one token. */
	now = clock_now();
	read_bucket(fd, &b, burst, now);
	b.tokens += (now - b.last) * rate;
	if (b.tokens > burst)
		b.tokens = burst;
	b.last = now;
	b.tokens -= 1;
	wait = b.tokens < 0 ? -b.tokens / rate : 0;
	if (wait * 1000 > RATELIMIT_MAX_WAIT_MS) {
		/* Too many waiting (or a bad rate): cap our wait. */
		wait = RATELIMIT_MAX_WAIT_MS / 1000.0;
	}
	if (write_bucket(fd, &b) == -1)
		log_warn("cannot write the rate limit file");
	flock(fd, LOCK_UN);
	close(fd);
	/* Sleep until our token is due (unlocked). */
	if (wait > 0)
		clock_sleep_ms((long)ceil(wait * 1000));
	return 0;
nofile:
	if (!warned)
		log_warn("going on without the shared rate limit");
	warned = 1;
	return -1;
}

/*
 * ratelimit.h: one token bucket shared by every process of this user on
 * the host, kept in a small state file under flock(2), so that concurrent
 * r53dump / r53apply / mirror runs together stay under the Route 53
 * account limit (5 requests per second, all APIs together).
 *
 * State file: R53M_RATE_FILE, else /tmp/r53mirror-ratelimit-UID; with
 * "-PROFILE" for a profile other than default (ratelimit_set_key).
 * Rate: R53M_RATE requests per second (a decimal number, default 5;
 * 0 disables the limit).  Burst: R53M_RATE_BURST (default 1).
 */
#ifndef R53M_RATELIMIT_H
#define R53M_RATELIMIT_H

/* Upper bound on one wait, so a corrupt state file cannot hang us. */
#define RATELIMIT_MAX_WAIT_MS 60000

/*
 * ratelimit_acquire(): take one token, sleeping until one is available.
 * Returns 0, or -1 when the state file cannot be used (a warning is
 * printed once and the caller goes on without the shared limit).
 */
int ratelimit_acquire(void);

/*
 * ratelimit_set_key(profile): Route 53's limit is per account, so each
 * profile other than "default" spends its own bucket, in the state file
 * with "-PROFILE" appended (characters other than letters, digits and
 * . _ - turned into _).  Call before the first ratelimit_acquire.
 */
void ratelimit_set_key(const char *profile);

#endif

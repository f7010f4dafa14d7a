/*
 * clock.c: see clock.h.
 */
#include <errno.h>
#include <time.h>

#include "clock.h"

double
clock_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void
clock_sleep_ms(long ms)
{
	struct timespec ts;

	if (ms <= 0)
		return;
	ts.tv_sec = ms / 1000;
	ts.tv_nsec = (ms % 1000) * 1000000L;
	/* nanosleep leaves the time still to sleep in ts on EINTR */
	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

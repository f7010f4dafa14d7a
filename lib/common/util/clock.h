/*
 * clock.h: the one monotonic clock and the one sleep of the commands.
 *
 * Durations, deadlines and back-off are measured on CLOCK_MONOTONIC, which
 * a change of the wall clock does not move.
 */
#ifndef R53M_CLOCK_H
#define R53M_CLOCK_H

/* clock_now(): seconds on the monotonic clock (its origin is arbitrary:
 * only differences mean something). */
double clock_now(void);

/* clock_sleep_ms(ms): sleep MS milliseconds (none if MS <= 0); a signal
 * does not cut the sleep short: it goes on for the time left. */
void clock_sleep_ms(long ms);

#endif

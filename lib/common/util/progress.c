/*
 * progress.c: see progress.h.  "\r" and "erase to end of line" redraw
 * in place; a terminal is the only place these are shown by default.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "log.h"
#include "progress.h"

#define PROGRESS_EVERY 0.2	/* seconds between redraws */

void
progress_init(struct progress *p, int forced)
{
	memset(p, 0, sizeof(*p));
	p->on = forced || isatty(STDERR_FILENO);
	p->start = clock_now();
}

void
progress_show(struct progress *p, int final, const char *fmt, ...)
{
	char text[400];
	double now;
	va_list ap;

	if (!p->on)
		return;
	now = clock_now();
	if (!final && p->shown && now - p->last < PROGRESS_EVERY)
		return;
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	fprintf(stderr, "\r%s: %s, %.0f s\033[K", log_progname(), text,
	    now - p->start);
	fflush(stderr);
	p->shown = 1;
	p->last = now;
}

void
progress_end(struct progress *p)
{
	if (p->shown) {
		fputs("\r\033[K", stderr);
		fflush(stderr);
	}
	p->shown = 0;
}

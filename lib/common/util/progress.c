/*
 * progress.c: see progress.h.  "\r" and "erase to end of line" redraw
 * in place; a terminal is the only place these are shown by default.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "log.h"
#include "progress.h"

#define PROGRESS_EVERY 0.2	/* seconds between redraws */

/* The descriptor R53M_PROGRESS_FD names, if it is an open one; else -1. */
static int
env_fd(void)
{
	const char *s = getenv("R53M_PROGRESS_FD");
	char *end;
	long l;

	if (s == NULL || *s == '\0')
		return -1;
	errno = 0;
	l = strtol(s, &end, 10);
	if (errno != 0 || *end != '\0' || l < 0 || l > 1023 ||
	    fcntl((int)l, F_GETFD) == -1)
		return -1;
	return (int)l;
}

void
progress_init(struct progress *p, int forced)
{
	int fd = env_fd();

	memset(p, 0, sizeof(*p));
	p->fd = fd >= 0 ? fd : STDERR_FILENO;
	p->on = forced || fd >= 0 || isatty(STDERR_FILENO);
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
	fflush(stderr);
	dprintf(p->fd, "\r%s: %s, %.0f s\033[K", log_progname(), text,
	    now - p->start);
	p->shown = 1;
	p->last = now;
}

void
progress_end(struct progress *p)
{
	if (p->shown)
		dprintf(p->fd, "\r\033[K");
	p->shown = 0;
}

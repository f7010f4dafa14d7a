/*
 * progress.h: one updating line on stderr while a long step runs (pages
 * listed, batches applied), for a person at a terminal: shown when
 * stderr is a terminal or when asked (--progress), never in cron or a
 * log file, and wiped when the step ends so later messages start on a
 * clean line.  At most a few redraws a second.
 *
 * A driver whose stages' stderr goes to files (mirror.sh) names its own
 * terminal in the environment: R53M_PROGRESS_FD=N draws on file
 * descriptor N, whatever stderr is.
 */
#ifndef R53M_PROGRESS_H
#define R53M_PROGRESS_H

struct progress {
	int on;			/* draw at all */
	int fd;			/* where: 2, or R53M_PROGRESS_FD */
	int shown;		/* a line is on the screen */
	double start, last;	/* monotonic seconds */
};

/* progress_init(p, forced): on when FORCED (--progress), when
 * R53M_PROGRESS_FD names a descriptor (then drawn there), or when stderr
 * is a terminal. */
void progress_init(struct progress *p, int forced);

/* progress_show(p, fmt, ...): redraw the line as "prog: TEXT, N s"
 * (skipped when the last draw was under 0.2 s ago, unless FINAL). */
void progress_show(struct progress *p, int final, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* progress_end(p): wipe the line, if one was drawn. */
void progress_end(struct progress *p);

#endif

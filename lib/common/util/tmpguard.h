/*
 * tmpguard.h: remove a command's temporary output files when it is killed
 * by SIGINT, SIGTERM or SIGHUP (cron's kill, mirror.sh's watchdog, ^C), so
 * that an interrupted `-o FILE` leaves neither a half file nor a stray
 * temporary one beside FILE.  The target itself is never touched: it is
 * only ever replaced by rename(2) after a complete write.
 *
 * Usage (stream.c's writer and r53apply's report do this):
 *	fd = mkstemp(tmp);
 *	tmpguard_add(tmp);		(tmp must stay valid until removed)
 *	... write, fsync, rename(tmp, path) ...
 *	tmpguard_remove(tmp);		(after the rename or the unlink)
 *
 * The first tmpguard_add installs the handlers.  The handler unlinks every
 * registered path (unlink is async-signal-safe), restores the default
 * action and re-raises the signal, so the exit status still says "killed
 * by signal N".  A path removed after its rename may be unlinked by a
 * signal in between: that unlink finds nothing and does no harm.
 * Up to TMPGUARD_MAX paths at once; more are simply not guarded.
 */
#ifndef R53M_TMPGUARD_H
#define R53M_TMPGUARD_H

#define TMPGUARD_MAX 8

/* tmpguard_add(path): unlink path if a fatal signal arrives.  The caller
 * keeps path alive (it is not copied) until tmpguard_remove(path). */
void tmpguard_add(const char *path);

/* tmpguard_remove(path): forget path (the same pointer given to add). */
void tmpguard_remove(const char *path);

/*
 * tmpguard_in_place(path): 1 when PATH exists and is no regular file (a
 * device such as /dev/null, a FIFO, /dev/stdout): such a target is written
 * in place.  A temporary renamed over it would replace it with a regular
 * file, and as root that is /dev/null itself.
 */
int tmpguard_in_place(const char *path);

/*
 * tmpguard_fopen(what, path, tmp, tmpsz), tmpguard_fclose(what, f, path,
 * tmp, ok): the whole dance for a small file written with stdio
 * (--stats, --report): a guarded temporary beside PATH (its name in tmp,
 * tmpsz bytes), fsync'd and renamed over PATH by tmpguard_fclose when ok
 * (the caller's writes worked), else removed; PATH itself when
 * tmpguard_in_place (tmp[0] = '\0').  Failures are reported with
 * log_errno, prefixed WHAT ("--stats ").  NULL, or 0 / -1.
 */
#include <stdio.h>
FILE *tmpguard_fopen(const char *what, const char *path, char *tmp,
    size_t tmpsz);
int tmpguard_fclose(const char *what, FILE *f, const char *path, char *tmp,
    int ok);

#endif

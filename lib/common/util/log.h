/*
 * log.h: error and progress messages, all on stderr, all prefixed with
 * the program name: "prog: message", or "prog: file:line: message" for
 * problems in an input.  Never pass a secret to these functions.
 */
#ifndef R53M_LOG_H
#define R53M_LOG_H

#include <stdarg.h>

/* Verbosity set by -v; 0 by default. */
extern int log_verbose;

/* log_init(argv0): remember the program name (basename of argv0). */
void log_init(const char *argv0);

/* log_progname(): the name given to log_init ("r53mirror" before). */
const char *log_progname(void);

/* "prog: msg" */
void log_msg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* "prog: warning: msg" */
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* "prog: msg: strerror(errno)" */
void log_errno(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* "prog: file:line: msg"; line 0 prints "file: msg". */
void log_at(const char *file, unsigned long line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Like log_msg, only when log_verbose >= level. */
void log_debug(int level, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* log_msg and exit(code). */
_Noreturn void log_die(int code, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif

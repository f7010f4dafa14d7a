/*
 * log.c: stderr messages prefixed with the program name.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"

int log_verbose;
static const char *progname = "r53mirror";

void
log_init(const char *argv0)
{
	const char *slash;

	if (argv0 == NULL || *argv0 == '\0')
		return;
	slash = strrchr(argv0, '/');
	progname = slash != NULL ? slash + 1 : argv0;
}

const char *
log_progname(void)
{
	return progname;
}

static void
log_vprint(const char *prefix, const char *fmt, va_list ap, const char *tail)
{
	fprintf(stderr, "%s: %s", progname, prefix);
	vfprintf(stderr, fmt, ap);
	if (tail != NULL)
		fprintf(stderr, ": %s", tail);
	fputc('\n', stderr);
}

void
log_msg(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vprint("", fmt, ap, NULL);
	va_end(ap);
}

void
log_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vprint("warning: ", fmt, ap, NULL);
	va_end(ap);
}

void
log_errno(const char *fmt, ...)
{
	va_list ap;
	int saved = errno;

	va_start(ap, fmt);
	log_vprint("", fmt, ap, strerror(saved));
	va_end(ap);
}

void
log_at(const char *file, unsigned long line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	if (line > 0)
		fprintf(stderr, "%s: %s:%lu: ", progname, file, line);
	else
		fprintf(stderr, "%s: %s: ", progname, file);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

void
log_debug(int level, const char *fmt, ...)
{
	va_list ap;

	if (log_verbose < level)
		return;
	va_start(ap, fmt);
	log_vprint("", fmt, ap, NULL);
	va_end(ap);
}

void
log_die(int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vprint("", fmt, ap, NULL);
	va_end(ap);
	exit(code);
}
